/* Option parsing shared by the wrapper and the subcommands. */
#include "klinkwrap/cli.h"
#include "klinkwrap/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KW_VERSION
#define KW_VERSION "unknown"
#endif

static int usage_error(const char *fmt, const char *arg, const char *detail)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg);
	if (detail)
		kw_error("%s: %s (see 'klinkwrap --help')", msg, detail);
	else
		kw_error("%s (see 'klinkwrap --help')", msg);
	return KW_EXIT_SELF;
}

int cli_setting(int argc, char *const argv[], int *i, struct kw_config *cfg, char **why)
{
	const char *a = argv[*i];
	*why = NULL;
	if (strncmp(a, "--", 2) || !a[2])
		return KW_CLI_NOT_A_SETTING;
	const char *body = a + 2;
	const char *eq = strchr(body, '=');
	size_t nlen = eq ? (size_t)(eq - body) : strlen(body);
	char *name = kw_strndup(body, nlen);
	const char *value = eq ? eq + 1 : NULL;
	int id = config_lookup(name);
	bool negated = false;
	if (id < 0 && !strncmp(name, "no-", 3)) {
		id = config_lookup(name + 3);
		negated = id >= 0;
	}
	free(name);
	if (id < 0)
		return KW_CLI_NOT_A_SETTING;

	const struct kw_option_info *o = config_option((enum kw_option)id);
	if (o->type == KW_T_BOOL) {
		/* An optional value: only --name=VALUE. */
		if (negated && value) {
			*why = kw_asprintf("option '%s' takes no value", a);
			return -1;
		}
		if (!value)
			value = negated ? "no" : "yes";
	} else if (negated) {
		return KW_CLI_NOT_A_SETTING;
	} else if (!value) {
		/* A required value: --name=VALUE or --name VALUE. */
		if (*i + 1 >= argc) {
			*why = kw_asprintf("option '%s' needs a value (--%s=%s)", a, o->name,
					   o->metavar);
			return -1;
		}
		value = argv[++*i];
	}
	char *bad;
	if (config_set(cfg, (enum kw_option)id, value, KW_SRC_CMDLINE, &bad)) {
		*why = kw_asprintf("bad value for --%s: %s", o->name, bad);
		free(bad);
		return -1;
	}
	return id;
}

/* --help, --version, --show-config: options without a value. */
static bool is_action(const char *name, size_t len)
{
	static const char *const actions[] = { "help", "version", "show-config" };
	for (size_t k = 0; k < sizeof(actions) / sizeof(*actions); k++)
		if (strlen(actions[k]) == len && !strncmp(actions[k], name, len))
			return true;
	return false;
}

int cli_parse(int argc, char *const argv[], struct kw_config *cfg, struct kw_cli *out)
{
	out->action = KW_CLI_RUN;
	out->split_value = 0;
	out->split_option = NULL;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-')
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[1] != '-' || !a[2])
			return usage_error("unknown option '%s'; klinkwrap options are long "
					   "(--name) and go before the linker", a, NULL);
		const char *body = a + 2;
		if (body[strcspn(body, "=")] && is_action(body, strcspn(body, "=")))
			return usage_error("option '%s' takes no value", a, NULL);
		if (!strcmp(body, "help")) {
			out->action = KW_CLI_HELP;
			continue;
		}
		if (!strcmp(body, "version")) {
			out->action = KW_CLI_VERSION;
			continue;
		}
		if (!strcmp(body, "show-config")) {
			out->action = KW_CLI_SHOW_CONFIG;
			continue;
		}

		int at = i;
		char *why;
		int id = cli_setting(argc, argv, &i, cfg, &why);
		if (id == KW_CLI_NOT_A_SETTING)
			return usage_error("unknown option '%s'", a, NULL);
		if (id < 0) {
			kw_error("%s (see 'klinkwrap --help')", why);
			free(why);
			return KW_EXIT_SELF;
		}
		if (i != at) {
			out->split_value = i;
			out->split_option = config_option((enum kw_option)id)->name;
		}
	}
	out->first_operand = i;
	return 0;
}

static bool looks_like_input(const char *word)
{
	struct stat st;
	if (kw_has_suffix(word, ".o") || kw_has_suffix(word, ".a") || kw_has_suffix(word, ".so"))
		return true;
	return !stat(word, &st) && S_ISREG(st.st_mode) && access(word, X_OK);
}

void cli_note_linker_word(const struct kw_cli *cli, char *const argv[])
{
	if (!cli->split_value || cli->split_value != cli->first_operand - 1)
		return;
	const char *word = argv[cli->first_operand];
	if (!looks_like_input(word))
		return;
	kw_error("note: '%s' looks like a linker input: the word before it, '%s', was "
		 "taken as the value of --%s (an option with a value takes --%s=VALUE "
		 "or --%s VALUE), so '%s' was taken as the linker",
		 word, argv[cli->split_value], cli->split_option, cli->split_option,
		 cli->split_option, word);
}

void cli_version(FILE *out)
{
	fprintf(out, "klinkwrap %s\n", KW_VERSION);
}

void cli_usage(FILE *out)
{
	fputs("usage: klinkwrap [OPTIONS] LINKER [LINKER-ARGS...]\n"
	      "       klinkwrap SUBCOMMAND [ARGS...]\n"
	      "       LINKER-NAME [LINKER-ARGS...]   (through a symlink named like the linker)\n"
	      "\n"
	      "Runs LINKER with its arguments unchanged and reports on every link.\n"
	      "\n"
	      "Subcommands:\n"
	      "  symhash [--format=F] FILE...   canonical symbol-set hash: HASH  COUNT  FILE\n"
	      "  syms [--sysmap[=R]] FILE       canonical symbol list (System.map-like)\n"
	      "  symdiff [--format=F] OLD NEW   symbols added, removed, moved, resized\n"
	      "                                 (ELF files or System.map text)\n"
	      "  converge [OPTIONS] --regen=CMD -- LINKER ARGS...\n"
	      "                                 link, regenerate, relink until the symbol set\n"
	      "                                 is stable (exit 124 when it is not)\n"
	      "  jobserver-info                 what klinkwrap sees of make's jobserver\n"
	      "  log show [--format=F] LOG      serial links and totals (F: text, json, trace)\n"
	      "  log diff A B                   the first link where two logs part ways\n"
	      "  repro --jobs=J1,J2 -- CMD      run a build per -j level and compare the logs\n"
	      "  (subcommand options go before or after the operands, up to '--';\n"
	      "  'klinkwrap SUBCOMMAND --help'; usage errors exit 125)\n"
	      "\n"
	      "Options (--opt=VALUE or --opt VALUE; a boolean --opt, --no-opt or --opt=yes|no;\n"
	      "each has a KLINKWRAP_* environment twin; the command line wins):\n"
	      "  --help                         show this help\n"
	      "  --version                      show klinkwrap's version\n"
	      "  --show-config                  show every setting and where it came from\n",
	      out);
	config_usage(out);
	fputs("\n"
	      "Exit status: the linker's own; 124 fixed point not reached; 125 klinkwrap\n"
	      "failed (usage, configuration, I/O); 126 linker not executable; 127 linker\n"
	      "not found. Comparison commands: 0 same, 1 different, 2 trouble.\n"
	      "\n"
	      "See klinkwrap(1).\n",
	      out);
}
