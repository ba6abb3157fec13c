/* klinkwrap symdiff [--format=text|json] OLD NEW: what changed between two
 * symbol sets. Exit 0 same, 1 different, 2 trouble; usage errors 125. */
#include "klinkwrap/commands.h"
#include "klinkwrap/json.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symdiff.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_symdiff(int argc, char *argv[])
{
	const char *format_arg = NULL;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "symdiff",
		.usage = "[--format=text|json] OLD NEW",
		.help = "Report the symbols added, removed, moved and resized from OLD to NEW.\n"
			"Exit 0 same, 1 different, 2 trouble; usage errors 125.\n",
		.options = options,
	};
	enum kw_format format = KW_FORMAT_TEXT;
	int rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		return rc;
	if (subcmd_format(&sc, format_arg, &format))
		return KW_EXIT_SELF;
	if (sc.noperands != 2)
		return subcmd_usage_error(&sc, sc.noperands > 2 ? "two files only"
								: "two files needed");
	const char *files[2] = { sc.operands[0], sc.operands[1] };

	struct kw_symset set[2];
	for (int k = 0; k < 2; k++) {
		char *why = NULL;
		if (symset_open(files[k], &set[k], &why) != KW_SYMSET_OK) {
			kw_error("%s: %s", files[k], why);
			free(why);
			if (k)
				symset_close(&set[0]);
			return KW_CMP_TROUBLE;
		}
	}
	struct kw_symdiff d;
	symdiff_compute(&set[0], &set[1], &d);
	rc = d.n ? KW_CMP_DIFFERENT : KW_CMP_SAME;
	if (format == KW_FORMAT_JSON) {
		json_t *top = symdiff_json(&d);
		kwjson_set(top, "old", kwjson_string(files[0]));
		kwjson_set(top, "new", kwjson_string(files[1]));
		kwjson_set(top, "same", json_boolean(!d.n));
		subcmd_print_json(top);
	} else {
		symdiff_print(&d, stdout);
	}
	symdiff_release(&d);
	symset_close(&set[0]);
	symset_close(&set[1]);
	return subcmd_finish(rc, KW_CMP_TROUBLE);
}
