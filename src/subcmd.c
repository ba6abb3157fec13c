/* The subcommands' shared option parser and output plumbing. */
#include "klinkwrap/subcmd.h"
#include "klinkwrap/cli.h"
#include "klinkwrap/json.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first error of a write to standard output that stdio may not have
 * recorded (kwjson_dump), for subcmd_finish. */
static int output_errno;

int subcmd_usage_error(const struct subcmd *sc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		kw_die(KW_EXIT_SELF, "out of memory");
	va_end(ap);
	kw_error("%s: %s (usage: klinkwrap %s %s)", sc->name, msg, sc->name, sc->usage);
	free(msg);
	return KW_EXIT_SELF;
}

static const struct subcmd_option *find(const struct subcmd *sc, const char *name, size_t len)
{
	for (const struct subcmd_option *o = sc->options; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

/* ARGV[*I] is "--something" (not "--"). Returns SUBCMD_GO_ON or an exit
 * status, with *I on the last word used. */
static int parse_option(struct subcmd *sc, int argc, char *argv[], int *i)
{
	const char *a = argv[*i], *body = a + 2;
	const char *eq = strchr(body, '=');
	size_t len = eq ? (size_t)(eq - body) : strlen(body);
	const struct subcmd_option *o = find(sc, body, len);

	if (!o && len == 4 && !strncmp(body, "help", 4)) {
		if (eq)
			return subcmd_usage_error(sc, "option '--help' takes no value");
		printf("usage: klinkwrap %s %s\n%s", sc->name, sc->usage, sc->help ? sc->help : "");
		return subcmd_finish(0, KW_EXIT_SELF);
	}
	if (!o && sc->config) {
		char *why;
		int id = cli_setting(argc, argv, i, sc->config, &why);
		if (id >= 0)
			return SUBCMD_GO_ON;
		if (id != KW_CLI_NOT_A_SETTING) {
			int rc = subcmd_usage_error(sc, "%s", why);
			free(why);
			return rc;
		}
	}
	if (!o)
		return subcmd_usage_error(sc, "unknown option '%s'", a);

	const char *value = eq ? eq + 1 : NULL;
	switch (o->arg) {
	case SUBCMD_NO_VALUE:
		if (eq)
			return subcmd_usage_error(sc, "option '--%s' takes no value", o->name);
		break;
	case SUBCMD_REQUIRED_VALUE:
		if (!eq) {
			if (*i + 1 >= argc)
				return subcmd_usage_error(sc, "option '--%s' needs a value", o->name);
			value = argv[++*i];
		}
		break;
	case SUBCMD_OPTIONAL_VALUE:
		break;  /* never the next word */
	}
	if (o->value)
		*o->value = value;
	if (o->seen)
		*o->seen = true;
	return SUBCMD_GO_ON;
}

int subcmd_parse(struct subcmd *sc, int argc, char *argv[])
{
	int n = 0;     /* operands kept so far, compacted into argv[1..] */
	bool options = true;
	sc->dashdash = -1;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (options && !strcmp(a, "--")) {
			options = false;
			sc->dashdash = n;
			continue;
		}
		if (options && a[0] == '-' && a[1]) {
			if (a[1] != '-')
				return subcmd_usage_error(sc, "unknown option '%s' (options are "
							  "long: --name)", a);
			int rc = parse_option(sc, argc, argv, &i);
			if (rc != SUBCMD_GO_ON)
				return rc;
			continue;
		}
		/* Values were taken from words at or after i: moving an operand
		 * down never overwrites a word still to be read. */
		argv[1 + n++] = a;
	}
	argv[1 + n] = NULL;
	sc->operands = argv + 1;
	sc->noperands = n;
	if (sc->dashdash < 0)
		sc->dashdash = n;
	return SUBCMD_GO_ON;
}

int subcmd_format(const struct subcmd *sc, const char *value, enum kw_format *out)
{
	if (!value)
		return 0;
	if (!strcmp(value, "text"))
		*out = KW_FORMAT_TEXT;
	else if (!strcmp(value, "json"))
		*out = KW_FORMAT_JSON;
	else
		return subcmd_usage_error(sc, "--format: expected text or json, got '%s'", value);
	return 0;
}

void subcmd_print_json(json_t *json)
{
	if (kwjson_dump(json, stdout) && !output_errno)
		output_errno = errno;
	json_decref(json);
}

int subcmd_finish(int rc, int trouble)
{
	int err = output_errno;
	if (fflush(stdout) && !err)
		err = errno ? errno : EIO;
	if (err || ferror(stdout)) {
		if (err)
			kw_error("writing to standard output failed: %s", strerror(err));
		else
			kw_error("writing to standard output failed");
		output_errno = 0;
		return trouble;
	}
	return rc;
}
