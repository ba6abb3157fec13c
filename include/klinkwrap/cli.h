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
};

/* Parse the options in ARGV[1..] into CFG (source: command line), up to
 * the first word that is not an option or up to "--". Returns 0, or
 * KW_EXIT_SELF after printing a one-line error with a hint. */
int cli_parse(int argc, char *const argv[], struct kw_config *cfg, struct kw_cli *out);

/* Print klinkwrap's usage: synopsis, subcommands, options, exit codes. */
void cli_usage(FILE *out);

/* "klinkwrap VERSION" */
void cli_version(FILE *out);

#endif
