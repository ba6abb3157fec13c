/* What the report subcommands (symhash, syms, symdiff, ...) share: their
 * --format option, usage errors and the final flush of standard output. */
#ifndef KLINKWRAP_SUBCMD_H
#define KLINKWRAP_SUBCMD_H

#include <stdbool.h>
#include <jansson.h>

enum kw_format { KW_FORMAT_TEXT, KW_FORMAT_JSON };

/* If ARG is "--format=WORD" (text or json), set *out and return 1; return
 * 0 if ARG is another word; -1 after printing an error for a bad WORD. */
int subcmd_format_arg(const char *cmd, const char *arg, enum kw_format *out);

/* Print "klinkwrap: CMD: MESSAGE (usage: USAGE)" and return STATUS. */
int subcmd_usage_error(int status, const char *cmd, const char *usage, const char *message);

/* Print JSON to standard output, indented, with a final newline. Takes
 * the reference. */
void subcmd_print_json(json_t *json);

/* Flush standard output. Returns RC, or TROUBLE when writing failed
 * (reported). */
int subcmd_finish(int rc, int trouble);

#endif
