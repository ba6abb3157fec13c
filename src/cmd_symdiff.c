/* klinkwrap symdiff [--format=text|json] A B: what changed between two
 * symbol sets. Exit 0 same, 1 different, 2 trouble. */
#include "klinkwrap/commands.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symdiff.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "[--format=text|json] A B"

int cmd_symdiff(int argc, char *argv[])
{
	enum kw_format format = KW_FORMAT_TEXT;
	const char *files[2];
	int nfiles = 0;
	bool options = true;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && a[0] == '-' && a[1]) {
			int f = subcmd_format_arg("symdiff", a, &format);
			if (f < 0)
				return KW_CMP_TROUBLE;
			if (f)
				continue;
			if (!strcmp(a, "--")) {
				options = false;
				continue;
			}
			if (!strcmp(a, "--help")) {
				printf("usage: klinkwrap symdiff " USAGE "\n"
				       "Report the symbols added, removed, moved and resized from A to B.\n"
				       "Exit 0 same, 1 different, 2 trouble.\n");
				return subcmd_finish(0, KW_CMP_TROUBLE);
			}
			return subcmd_usage_error(KW_CMP_TROUBLE, "symdiff", USAGE, "unknown option");
		}
		if (nfiles == 2)
			return subcmd_usage_error(KW_CMP_TROUBLE, "symdiff", USAGE,
						  "two files only");
		files[nfiles++] = a;
	}
	if (nfiles != 2)
		return subcmd_usage_error(KW_CMP_TROUBLE, "symdiff", USAGE, "two files needed");

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
	int rc = d.n ? KW_CMP_DIFFERENT : KW_CMP_SAME;
	if (format == KW_FORMAT_JSON) {
		json_t *top = symdiff_json(&d);
		json_object_set_new(top, "old", json_string(files[0]));
		json_object_set_new(top, "new", json_string(files[1]));
		json_object_set_new(top, "same", json_boolean(!d.n));
		subcmd_print_json(top);
	} else {
		symdiff_print(&d, stdout);
	}
	symdiff_release(&d);
	symset_close(&set[0]);
	symset_close(&set[1]);
	return subcmd_finish(rc, KW_CMP_TROUBLE);
}
