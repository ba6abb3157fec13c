/* Shared plumbing of the report subcommands. */
#include "klinkwrap/subcmd.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <string.h>

int subcmd_format_arg(const char *cmd, const char *arg, enum kw_format *out)
{
	if (strncmp(arg, "--format=", 9))
		return 0;
	if (!strcmp(arg + 9, "text"))
		*out = KW_FORMAT_TEXT;
	else if (!strcmp(arg + 9, "json"))
		*out = KW_FORMAT_JSON;
	else {
		kw_error("%s: --format: expected text or json, not '%s'", cmd, arg + 9);
		return -1;
	}
	return 1;
}

int subcmd_usage_error(int status, const char *cmd, const char *usage, const char *message)
{
	kw_error("%s: %s (usage: klinkwrap %s %s)", cmd, message, cmd, usage);
	return status;
}

void subcmd_print_json(json_t *json)
{
	json_dumpf(json, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(json);
}

int subcmd_finish(int rc, int trouble)
{
	if (fflush(stdout) || ferror(stdout)) {
		kw_error("writing to standard output failed");
		return trouble;
	}
	return rc;
}
