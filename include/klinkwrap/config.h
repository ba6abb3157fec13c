/* Settings: the option table, its precedence (command line > environment
 * > default) and where each value came from. */
#ifndef KLINKWRAP_CONFIG_H
#define KLINKWRAP_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

enum kw_opt_type { KW_T_BOOL, KW_T_UINT, KW_T_STRING, KW_T_CHOICE };

enum kw_option {
#define KW_OPTION(id, name, type, def, min, max, metavar, help) KW_OPT_##id,
#include "klinkwrap/options.def"
#undef KW_OPTION
	KW_OPT__COUNT
};

enum kw_source { KW_SRC_DEFAULT, KW_SRC_ENV, KW_SRC_CMDLINE };

struct kw_option_info {
	const char *name;     /* "max-passes" */
	const char *env;      /* "KLINKWRAP_MAX_PASSES" */
	enum kw_opt_type type;
	const char *def;
	unsigned long min, max;
	const char *metavar;
	const char *help;
};

struct kw_setting {
	char *text;             /* the value as given, normalised for booleans */
	unsigned long number;   /* KW_T_UINT, and KW_T_CHOICE's "N" */
	bool flag;              /* KW_T_BOOL */
	enum kw_source source;
};

/* A KLINKWRAP_* value that could not be used: the setting keeps its
 * previous value, and config_validate reports it unless the command line
 * overrode it. */
struct kw_bad_env {
	char *value;            /* as found in the environment, or NULL */
	char *why;              /* "expected yes or no, got 'maybe'" */
};

struct kw_config {
	struct kw_setting s[KW_OPT__COUNT];
	struct kw_bad_env bad[KW_OPT__COUNT];
};

const struct kw_option_info *config_option(enum kw_option id);

/* Fill every setting with its default. */
void config_init(struct kw_config *cfg);
void config_release(struct kw_config *cfg);

/* Is every setting that takes effect valid? A bad value that was
 * overridden (an environment value under a command-line one) is no error.
 * Returns 0, or -1 after printing "klinkwrap: KLINKWRAP_X: why" for each
 * bad one. Called where a setting is about to be used (a real link),
 * never by passthrough calls, --help or --show-config. */
int config_validate(const struct kw_config *cfg);

/* Apply KLINKWRAP_* variables from the environment. Empty ones count as
 * unset. Never fails and prints nothing: a bad value is recorded in
 * cfg->bad (the setting keeps its default) for config_validate and
 * config_show. */
void config_load_env(struct kw_config *cfg);

/* Find an option by its long name (without dashes); -1 if none. */
int config_lookup(const char *name);

/* Set one option from SOURCE. Returns 0, or -1 with *why set to a
 * malloc'd explanation ("expected yes or no, got 'maybe'"; a range error
 * names its range). A command-line value clears a recorded bad
 * environment value of the same setting. */
int config_set(struct kw_config *cfg, enum kw_option id, const char *value,
	       enum kw_source source, char **why);

bool config_flag(const struct kw_config *cfg, enum kw_option id);
unsigned long config_number(const struct kw_config *cfg, enum kw_option id);
/* The text of a string or choice setting; "" when unset. */
const char *config_text(const struct kw_config *cfg, enum kw_option id);

const char *config_source_name(enum kw_source source);

/* `--show-config`: one "name = value (source)" line per setting; a bad
 * environment value in effect is shown with why it is bad. */
void config_show(const struct kw_config *cfg, FILE *out);

/* The option list for --help. */
void config_usage(FILE *out);

#endif
