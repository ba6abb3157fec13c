/* klinkwrap syms [--sysmap[=RULES]] [--format=text|json] FILE: the
 * canonical symbol list, as `nm -n` prints it; with --sysmap, filtered as
 * the kernel's mksysmap does, so that it equals System.map. */
#include "klinkwrap/commands.h"
#include "klinkwrap/json.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char *binding_name(unsigned char bind)
{
	return bind == 0 ? "local" : bind == 1 ? "global" : bind == 2 ? "weak" : "other";
}

static json_t *sym_json(const struct kw_symset *set, const struct kw_sym *s)
{
	char addr[24];
	snprintf(addr, sizeof(addr), "%0*" PRIx64, set->addr_width, s->value);
	/* JSON integers are int64 here: a larger size is clamped and flagged,
	 * as symdiff does, never wrapped to a negative number. */
	bool saturated = s->size > (uint64_t)INT64_MAX;
	/* Names and sections are bytes from the file: lossless strings. */
	json_t *o = kwjson_check(json_pack(
		"{s:s, s:s%, s:o, s:I, s:o, s:s}", "address", addr, "type", &s->letter, (size_t)1,
		"name", kwjson_string(s->name), "size",
		(json_int_t)(saturated ? INT64_MAX : (int64_t)s->size), "section",
		kwjson_string(s->section), "binding", binding_name(s->bind)));
	if (saturated)
		kwjson_set(o, "saturated", json_true());
	return o;
}

int cmd_syms(int argc, char *argv[])
{
	const char *format_arg = NULL, *rules_arg = NULL;
	bool sysmap = false;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ "sysmap", SUBCMD_OPTIONAL_VALUE, &rules_arg, &sysmap },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "syms",
		.usage = "[--sysmap[=auto|6.1|6.12]] [--format=text|json] FILE",
		.help = "Print the canonical symbol list of an ELF file as `nm -n` does;\n"
			"--sysmap filters it as the kernel's scripts/mksysmap (System.map).\n",
		.options = options,
	};
	enum kw_format format = KW_FORMAT_TEXT;
	enum kw_sysmap_rules rules = KW_SYSMAP_AUTO;
	int rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		return rc;
	if (subcmd_format(&sc, format_arg, &format))
		return KW_EXIT_SELF;
	if (rules_arg && sysmap_parse_rules(rules_arg, &rules))
		return subcmd_usage_error(&sc, "--sysmap: expected auto, 6.1 or 6.12, got '%s'",
					  rules_arg);
	if (sc.noperands != 1)
		return subcmd_usage_error(&sc, sc.noperands ? "one file only" : "no file given");
	const char *file = sc.operands[0];

	struct kw_symset set;
	char *why = NULL;
	if (symset_open(file, &set, &why) != KW_SYMSET_OK) {
		kw_error("%s: %s", file, why);
		free(why);
		return KW_CMP_TROUBLE;
	}
	if (sysmap && rules == KW_SYSMAP_AUTO)
		rules = sysmap_detect(&set);

	json_t *list = format == KW_FORMAT_JSON ? kwjson_check(json_array()) : NULL;
	for (size_t i = 0; i < set.count; i++) {
		struct kw_sym s;
		symset_get_nm(&set, i, &s);     /* nm -n's order, not the hash's */
		if (sysmap && !sysmap_keep(rules, s.letter, s.name))
			continue;
		if (list)
			kwjson_append(list, sym_json(&set, &s));
		else if (s.undefined)   /* nm prints no address for these */
			printf("%*s %c %s\n", set.addr_width, "", s.letter, s.name);
		else
			printf("%0*" PRIx64 " %c %s\n", set.addr_width, s.value, s.letter, s.name);
	}
	if (list) {
		json_t *top = kwjson_check(json_object());
		kwjson_set(top, "file", kwjson_string(file));
		kwjson_set(top, "sysmap_rules",
			   sysmap ? json_string(sysmap_rules_name(rules)) : json_null());
		kwjson_set(top, "symbols", list);
		subcmd_print_json(top);
	}
	symset_close(&set);
	return subcmd_finish(0, KW_EXIT_SELF);
}
