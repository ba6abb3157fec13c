/* klinkwrap syms [--sysmap[=RULES]] [--format=text|json] FILE: the
 * canonical symbol list, as `nm -n` prints it; with --sysmap, filtered as
 * the kernel's mksysmap does, so that it equals System.map. */
#include "klinkwrap/commands.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "[--sysmap[=auto|6.1|6.12]] [--format=text|json] FILE"

static json_t *sym_json(const struct kw_symset *set, const struct kw_sym *s)
{
	char addr[24];
	snprintf(addr, sizeof(addr), "%0*" PRIx64, set->addr_width, s->value);
	/* JSON integers are int64 here: a larger size is clamped and flagged,
	 * as symdiff does, never wrapped to a negative number. */
	bool saturated = s->size > (uint64_t)INT64_MAX;
	json_t *o = json_pack("{s:s, s:s%, s:s, s:I, s:s, s:s}", "address", addr, "type",
			      &s->letter, (size_t)1, "name", s->name, "size",
			      (json_int_t)(saturated ? INT64_MAX : (int64_t)s->size), "section",
			      s->section, "binding",
			      s->bind == 0 ? "local" : s->bind == 1 ? "global" : s->bind == 2 ? "weak"
											 : "other");
	if (o && saturated)
		json_object_set_new(o, "saturated", json_true());
	return o;
}

int cmd_syms(int argc, char *argv[])
{
	enum kw_format format = KW_FORMAT_TEXT;
	bool sysmap = false;
	enum kw_sysmap_rules rules = KW_SYSMAP_AUTO;
	const char *file = NULL;
	bool options = true;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && a[0] == '-' && a[1]) {
			int f = subcmd_format_arg("syms", a, &format);
			if (f < 0)
				return KW_EXIT_SELF;
			if (f)
				continue;
			if (!strcmp(a, "--")) {
				options = false;
			} else if (!strcmp(a, "--sysmap")) {
				sysmap = true;
			} else if (!strncmp(a, "--sysmap=", 9)) {
				sysmap = true;
				if (sysmap_parse_rules(a + 9, &rules))
					return subcmd_usage_error(KW_EXIT_SELF, "syms", USAGE,
								  "--sysmap: expected auto, 6.1 or 6.12");
			} else if (!strcmp(a, "--help")) {
				printf("usage: klinkwrap syms " USAGE "\n"
				       "Print the canonical symbol list of an ELF file as `nm -n` does;\n"
				       "--sysmap filters it as the kernel's scripts/mksysmap (System.map).\n");
				return subcmd_finish(0, KW_EXIT_SELF);
			} else {
				return subcmd_usage_error(KW_EXIT_SELF, "syms", USAGE, "unknown option");
			}
			continue;
		}
		if (file)
			return subcmd_usage_error(KW_EXIT_SELF, "syms", USAGE, "one file only");
		file = a;
	}
	if (!file)
		return subcmd_usage_error(KW_EXIT_SELF, "syms", USAGE, "no file given");

	struct kw_symset set;
	char *why = NULL;
	if (symset_open(file, &set, &why) != KW_SYMSET_OK) {
		kw_error("%s: %s", file, why);
		free(why);
		return KW_CMP_TROUBLE;
	}
	if (sysmap && rules == KW_SYSMAP_AUTO)
		rules = sysmap_detect(&set);

	json_t *list = format == KW_FORMAT_JSON ? json_array() : NULL;
	for (size_t i = 0; i < set.count; i++) {
		struct kw_sym s;
		symset_get_nm(&set, i, &s);     /* nm -n's order, not the hash's */
		if (sysmap && !sysmap_keep(rules, s.letter, s.name))
			continue;
		if (list)
			json_array_append_new(list, sym_json(&set, &s));
		else if (s.undefined)   /* nm prints no address for these */
			printf("%*s %c %s\n", set.addr_width, "", s.letter, s.name);
		else
			printf("%0*" PRIx64 " %c %s\n", set.addr_width, s.value, s.letter, s.name);
	}
	if (list) {
		json_t *top = json_pack("{s:s, s:s?, s:o}", "file", file, "sysmap_rules",
					sysmap ? sysmap_rules_name(rules) : NULL, "symbols", list);
		subcmd_print_json(top);
	}
	symset_close(&set);
	return subcmd_finish(0, KW_CMP_TROUBLE);
}
