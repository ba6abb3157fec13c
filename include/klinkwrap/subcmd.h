/* What the subcommands (symhash, syms, symdiff, jobserver-info, and the
 * coming converge, log and repro) share: one option parser with one rule,
 * usage errors, --format, JSON output and the final flush of standard
 * output.
 *
 * The rule (getopt_long's, as for the wrapper's own options): an option
 * with a required value takes --opt=VALUE and --opt VALUE; one with an
 * optional value only --opt=VALUE (--sysmap[=RULES]: a next word is an
 * operand); one without a value refuses --opt=VALUE. No abbreviations, no
 * short options. Options may come before, between and after operands, up
 * to "--"; every word after "--" is an operand, and "-" alone is one.
 * --help prints the usage and exits 0. Usage errors exit 125 in every
 * subcommand; results keep their own statuses (0/1/2 of comparisons). */
#ifndef KLINKWRAP_SUBCMD_H
#define KLINKWRAP_SUBCMD_H

#include <stdbool.h>
#include <jansson.h>
#include "klinkwrap/config.h"

enum subcmd_arg {
	SUBCMD_NO_VALUE,        /* --name */
	SUBCMD_REQUIRED_VALUE,  /* --name=VALUE or --name VALUE */
	SUBCMD_OPTIONAL_VALUE,  /* --name or --name=VALUE */
};

struct subcmd_option {
	const char *name;       /* "format" for --format; NULL ends the table */
	enum subcmd_arg arg;
	const char **value;     /* if not NULL: the value (NULL when given
				 * without one); the last one given wins */
	bool *seen;             /* if not NULL: set when the option is given */
};

struct subcmd {
	const char *name;       /* "syms" */
	const char *usage;      /* "[--format=text|json] FILE" */
	const char *help;       /* what --help prints after the usage line */
	const struct subcmd_option *options;
	/* If not NULL, an --option that is not in OPTIONS is taken as one of
	 * the wrapper's settings into this configuration (command line, same
	 * rule and errors as before the linker; see cli_setting): converge
	 * takes the wrapper's options before its "--". */
	struct kw_config *config;
	/* Out: the operands, in order, and their number; the index in
	 * operands of the first word after "--" (noperands if there is none
	 * or no "--"), for a command after "--" (converge -- LINKER ARGS). */
	char **operands;
	int noperands;
	int dashdash;
};

/* subcmd_parse's "no exit status: go on". */
#define SUBCMD_GO_ON (-1)

/* Parse ARGV[1..ARGC) (ARGV[0] is the subcommand's name) by SC's table.
 * ARGV is reordered: the operands end up in ARGV[1..], NULL-terminated,
 * and SC->operands points there. Returns SUBCMD_GO_ON, or the status to
 * exit with at once: 0 after --help (printed and flushed), KW_EXIT_SELF
 * after a usage error (printed). */
int subcmd_parse(struct subcmd *sc, int argc, char *argv[]);

/* Print "klinkwrap: NAME: MESSAGE (usage: klinkwrap NAME USAGE)" and
 * return KW_EXIT_SELF. */
int subcmd_usage_error(const struct subcmd *sc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum kw_format { KW_FORMAT_TEXT, KW_FORMAT_JSON };

/* The value of --format: "text" or "json" into *OUT; NULL (not given)
 * leaves *OUT. Returns 0, or KW_EXIT_SELF after a usage error. */
int subcmd_format(const struct subcmd *sc, const char *value, enum kw_format *out);

/* Print JSON to standard output (kwjson_dump: indented, final newline)
 * and drop the reference. A failed write is reported by subcmd_finish. */
void subcmd_print_json(json_t *json);

/* Flush standard output. Returns RC, or TROUBLE when any write to it
 * failed (reported once, with the reason): 2 for comparison commands,
 * KW_EXIT_SELF for the others. */
int subcmd_finish(int rc, int trouble);

#endif
