/* klinkwrap symhash [--format=text|json] FILE...: the symbol-set hash of
 * each file, sha256sum-style. */
#include "klinkwrap/commands.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "[--format=text|json] FILE..."

int cmd_symhash(int argc, char *argv[])
{
	enum kw_format format = KW_FORMAT_TEXT;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		int f = subcmd_format_arg("symhash", argv[i], &format);
		if (f < 0)
			return KW_EXIT_SELF;
		if (f)
			continue;
		if (!strcmp(argv[i], "--help")) {
			printf("usage: klinkwrap symhash " USAGE "\n"
			       "Print HASH  COUNT  FILE for each ELF file: the XXH3-128 hash of its\n"
			       "canonical symbol set (see klinkwrap(1)). Exit 2 if a file is bad.\n");
			return subcmd_finish(0, KW_EXIT_SELF);
		}
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return subcmd_usage_error(KW_EXIT_SELF, "symhash", USAGE, "unknown option");
		break;
	}
	if (i >= argc)
		return subcmd_usage_error(KW_EXIT_SELF, "symhash", USAGE, "no file given");

	json_t *list = format == KW_FORMAT_JSON ? json_array() : NULL;
	for (; i < argc; i++) {
		struct kw_symhash h;
		size_t count;
		char *why = NULL, hex[KW_SYMHASH_HEX_LEN + 1];
		if (symset_hash_file(argv[i], &h, &count, &why) != KW_SYMSET_OK) {
			/* Never a hash for a file we could not read whole. */
			kw_error("%s: %s", argv[i], why);
			if (list)
				json_array_append_new(list, json_pack("{s:s, s:s}", "file", argv[i],
								      "error", why));
			free(why);
			rc = KW_CMP_TROUBLE;
			continue;
		}
		symhash_hex(&h, hex);
		if (list)
			json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "file", argv[i],
							      "hash", hex, "count", (json_int_t)count));
		else
			printf("%s  %zu  %s\n", hex, count, argv[i]);
	}
	if (list)
		subcmd_print_json(list);
	return subcmd_finish(rc, KW_CMP_TROUBLE);
}
