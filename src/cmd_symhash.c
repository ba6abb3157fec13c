/* klinkwrap symhash [--format=text|json] FILE...: the symbol-set hash of
 * each file, sha256sum-style. */
#include "klinkwrap/commands.h"
#include "klinkwrap/json.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_symhash(int argc, char *argv[])
{
	const char *format_arg = NULL;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "symhash",
		.usage = "[--format=text|json] FILE...",
		.help = "Print HASH  COUNT  FILE for each ELF file: the XXH3-128 hash of its\n"
			"canonical symbol set (see klinkwrap(1)). Exit 2 if a file is bad.\n",
		.options = options,
	};
	enum kw_format format = KW_FORMAT_TEXT;
	int rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		return rc;
	if (subcmd_format(&sc, format_arg, &format))
		return KW_EXIT_SELF;
	if (!sc.noperands)
		return subcmd_usage_error(&sc, "no file given");

	rc = 0;
	json_t *list = format == KW_FORMAT_JSON ? kwjson_check(json_array()) : NULL;
	for (int i = 0; i < sc.noperands; i++) {
		const char *file = sc.operands[i];
		struct kw_symhash h;
		size_t count;
		char *why = NULL, hex[KW_SYMHASH_HEX_LEN + 1];
		if (symset_hash_file(file, &h, &count, &why) != KW_SYMSET_OK) {
			/* Never a hash for a file we could not read whole. */
			kw_error("%s: %s", file, why);
			if (list)
				kwjson_append(list, json_pack("{s:o, s:o}", "file", kwjson_string(file),
							      "error", kwjson_string(why)));
			free(why);
			rc = KW_CMP_TROUBLE;
			continue;
		}
		symhash_hex(&h, hex);
		if (list)
			kwjson_append(list, json_pack("{s:o, s:s, s:I}", "file", kwjson_string(file),
						      "hash", hex, "count", (json_int_t)count));
		else
			printf("%s  %zu  %s\n", hex, count, file);
	}
	if (list)
		subcmd_print_json(list);
	return subcmd_finish(rc, KW_EXIT_SELF);
}
