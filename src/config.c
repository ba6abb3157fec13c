/* The option table and its precedence rules. */
#include "klinkwrap/config.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct kw_option_info options[KW_OPT__COUNT] = {
#define KW_OPTION(id, nm, ty, df, mn, mx, mv, hl) \
	[KW_OPT_##id] = { .name = nm, .env = "KLINKWRAP_" #id, .type = ty, \
			  .def = df, .min = mn, .max = mx, .metavar = mv, .help = hl },
#include "klinkwrap/options.def"
#undef KW_OPTION
};

const struct kw_option_info *config_option(enum kw_option id)
{
	return &options[id];
}

int config_lookup(const char *name)
{
	for (int i = 0; i < KW_OPT__COUNT; i++)
		if (!strcmp(options[i].name, name))
			return i;
	return -1;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int parse_uint(const char *v, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Is V one of the '|'-separated words in CHOICES? A word "N" stands for a
 * number in MIN..MAX. */
static int parse_choice(const struct kw_option_info *o, const char *v,
			unsigned long *number)
{
	const char *p = o->metavar;
	size_t vlen = strlen(v);
	while (*p) {
		size_t len = strcspn(p, "|");
		if (len == 1 && *p == 'N') {
			if (!parse_uint(v, o->min, o->max, number))
				return 0;
		} else if (len == vlen && !strncmp(p, v, len)) {
			*number = 0;
			return 0;
		}
		p += len;
		if (*p == '|')
			p++;
	}
	return -1;
}

static void clear_bad(struct kw_config *cfg, enum kw_option id)
{
	free(cfg->bad[id].value);
	free(cfg->bad[id].why);
	cfg->bad[id].value = cfg->bad[id].why = NULL;
}

int config_set(struct kw_config *cfg, enum kw_option id, const char *value,
	       enum kw_source source, char **why)
{
	const struct kw_option_info *o = &options[id];
	struct kw_setting next = { .source = source };
	*why = NULL;

	switch (o->type) {
	case KW_T_BOOL:
		if (parse_bool(value, &next.flag)) {
			*why = kw_asprintf("expected yes or no, got '%s'", value);
			return -1;
		}
		next.text = kw_strdup(next.flag ? "yes" : "no");
		break;
	case KW_T_UINT:
		if (parse_uint(value, o->min, o->max, &next.number)) {
			*why = kw_asprintf("expected a number from %lu to %lu, got '%s'",
					   o->min, o->max, value);
			return -1;
		}
		next.text = kw_strdup(value);
		break;
	case KW_T_CHOICE:
		if (parse_choice(o, value, &next.number)) {
			if (strstr(o->metavar, "N") && o->max)
				*why = kw_asprintf("expected %s (N from %lu to %lu), got '%s'",
						   o->metavar, o->min, o->max, value);
			else
				*why = kw_asprintf("expected %s, got '%s'", o->metavar, value);
			return -1;
		}
		next.text = kw_strdup(value);
		break;
	case KW_T_STRING:
		next.text = kw_strdup(value);
		break;
	}
	free(cfg->s[id].text);
	cfg->s[id] = next;
	if (source == KW_SRC_CMDLINE)
		clear_bad(cfg, id);
	return 0;
}

void config_init(struct kw_config *cfg)
{
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		char *why;
		cfg->s[i].text = NULL;
		cfg->bad[i].value = cfg->bad[i].why = NULL;
		/* Defaults are ours: a bad one is a programming error. */
		if (config_set(cfg, (enum kw_option)i, options[i].def, KW_SRC_DEFAULT, &why))
			kw_die(KW_EXIT_SELF, "internal error: default of --%s: %s",
			       options[i].name, why);
	}
}

void config_release(struct kw_config *cfg)
{
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		free(cfg->s[i].text);
		cfg->s[i].text = NULL;
		clear_bad(cfg, (enum kw_option)i);
	}
}

void config_load_env(struct kw_config *cfg)
{
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		const char *v = getenv(options[i].env);
		char *why;
		if (!v || !*v)
			continue;
		if (config_set(cfg, (enum kw_option)i, v, KW_SRC_ENV, &why)) {
			/* Not an error yet: the command line may override it, and
			 * calls that use no setting must work (--help, probes). */
			clear_bad(cfg, (enum kw_option)i);
			cfg->bad[i].value = kw_strdup(v);
			cfg->bad[i].why = why;
		}
	}
}

int config_validate(const struct kw_config *cfg)
{
	int rc = 0;
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		if (!cfg->bad[i].why)
			continue;
		kw_error("%s: %s", options[i].env, cfg->bad[i].why);
		rc = -1;
	}
	return rc;
}

bool config_flag(const struct kw_config *cfg, enum kw_option id)
{
	return cfg->s[id].flag;
}

unsigned long config_number(const struct kw_config *cfg, enum kw_option id)
{
	return cfg->s[id].number;
}

const char *config_text(const struct kw_config *cfg, enum kw_option id)
{
	return cfg->s[id].text ? cfg->s[id].text : "";
}

const char *config_source_name(enum kw_source source)
{
	switch (source) {
	case KW_SRC_DEFAULT: return "default";
	case KW_SRC_ENV: return "environment";
	case KW_SRC_CMDLINE: return "command line";
	}
	return "?";
}

void config_show(const struct kw_config *cfg, FILE *out)
{
	int width = 0;
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		int len = (int)strlen(options[i].name);
		if (len > width)
			width = len;
	}
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		const struct kw_setting *s = &cfg->s[i];
		const struct kw_bad_env *bad = &cfg->bad[i];
		if (bad->why) {
			/* What a link would refuse, shown rather than refused. */
			fprintf(out, "%-*s = %s  (environment %s: bad value: %s; a link "
				"would fail)\n", width, options[i].name, bad->value,
				options[i].env, bad->why);
			continue;
		}
		fprintf(out, "%-*s = %s  (%s", width, options[i].name, config_text(cfg, (enum kw_option)i),
			config_source_name(s->source));
		if (s->source == KW_SRC_ENV)
			fprintf(out, " %s", options[i].env);
		fputs(")\n", out);
	}
}

void config_usage(FILE *out)
{
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		const struct kw_option_info *o = &options[i];
		char left[96];
		switch (o->type) {
		case KW_T_BOOL:
			snprintf(left, sizeof(left), "--[no-]%s", o->name);
			break;
		case KW_T_UINT:
			snprintf(left, sizeof(left), "--%s=N", o->name);
			break;
		default:
			snprintf(left, sizeof(left), "--%s=%s", o->name, o->metavar);
			break;
		}
		fprintf(out, "  %-30s %s\n", left, o->help);
		fprintf(out, "  %-30s (env %s, default '%s')\n", "", o->env, o->def);
	}
}
