/* klinkwrap's own options, before the linker or a subcommand's operands. */
#ifndef KLINKWRAP_CLI_H
#define KLINKWRAP_CLI_H

#include <stdio.h>
#include "klinkwrap/config.h"

enum kw_cli_action {
	KW_CLI_RUN,          /* go on with argv[first_operand] */
	KW_CLI_HELP,         /* --help */
	KW_CLI_VERSION,      /* --version */
	KW_CLI_SHOW_CONFIG,  /* --show-config */
};

struct kw_cli {
	enum kw_cli_action action;
	int first_operand;   /* index in argv of the first non-option */
	/* The last value given as a separate word (--serial GLOB): its index
	 * in argv (0: none) and its option's name ("serial"). */
	int split_value;
	const char *split_option;
};

/* The rule of every option of klinkwrap and its subcommands is
 * getopt_long's: an option with a required value takes --opt=VALUE and
 * --opt VALUE; one with an optional value (a boolean's yes/no,
 * --sysmap[=RULES]) only --opt=VALUE. No abbreviations. */

/* Parse the options in ARGV[1..] into CFG (source: command line), up to
 * the first word that is not an option or up to "--". Returns 0, or
 * KW_EXIT_SELF after printing a one-line error with a hint. */
int cli_parse(int argc, char *const argv[], struct kw_config *cfg, struct kw_cli *out);

/* Returned by cli_setting for a word that is no wrapper setting. */
#define KW_CLI_NOT_A_SETTING (-2)

/* Take the wrapper setting ARGV[*I] ("--name", "--name=V", "--no-name",
 * or "--name" with its value in ARGV[*I + 1]) into CFG from the command
 * line. Returns the setting's id, with *I on the last word used;
 * KW_CLI_NOT_A_SETTING if ARGV[*I] names none (nothing printed); or -1
 * with *why (malloc'd) for a missing or bad value. For subcommands that
 * take the wrapper's settings (converge). */
int cli_setting(int argc, char *const argv[], int *i, struct kw_config *cfg, char **why);

/* After the linker ARGV[CLI->first_operand] was not found (127) or could
 * not run (126): if it looks like a linker input (an existing
 * non-executable file, or a name ending in .o, .a or .so) and the word
 * before it was taken as an option's value, say so on stderr. */
void cli_note_linker_word(const struct kw_cli *cli, char *const argv[]);

/* Print klinkwrap's usage: synopsis, subcommands, options, exit codes. */
void cli_usage(FILE *out);

/* "klinkwrap VERSION" */
void cli_version(FILE *out);

#endif
