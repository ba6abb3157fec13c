/* klinkwrap symdiff [--format=text|json] OLD NEW: what changed between two
 * symbol sets, each an ELF file or System.map text. Exit 0 same, 1
 * different, 2 trouble; usage errors 125. */
#include "klinkwrap/commands.h"
#include "klinkwrap/json.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symdiff.h"
#include "klinkwrap/symmap.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cmd_symdiff(int argc, char *argv[])
{
	const char *format_arg = NULL, *rules_arg = NULL;
	bool sysmap = false;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ "sysmap", SUBCMD_OPTIONAL_VALUE, &rules_arg, &sysmap },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "symdiff",
		.usage = "[--sysmap[=auto|6.1|6.12]] [--format=text|json] OLD NEW",
		.help = "Report the symbols added, removed, moved and resized from OLD to NEW,\n"
			"each an ELF file or System.map text (an ELF file beside a map is\n"
			"filtered by mksysmap's rules first: those of its kernel generation, or\n"
			"--sysmap=RULES; --sysmap also filters two ELF files).\n"
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
	enum kw_sysmap_rules rules = KW_SYSMAP_AUTO;
	if (rules_arg && sysmap_parse_rules(rules_arg, &rules))
		return subcmd_usage_error(&sc, "--sysmap: expected auto, 6.1 or 6.12, got '%s'",
					  rules_arg);

	/* Each side is an ELF file or System.map text (`nm -n`, mksysmap). */
	struct side {
		bool elf;
		struct kw_symset set;
		struct kw_symmap map;
	} side[2];
	memset(side, 0, sizeof(side));
	int opened = 0;
	rc = KW_CMP_TROUBLE;
	for (; opened < 2; opened++) {
		struct side *x = &side[opened];
		const char *f = files[opened];
		char *why = NULL;
		enum kw_symset_status st = symset_open(f, &x->set, &why);
		if (st == KW_SYMSET_OK) {
			x->elf = true;
			continue;
		}
		struct stat sb;
		if (st != KW_SYMSET_NOT_ELF || stat(f, &sb) || !S_ISREG(sb.st_mode) || !sb.st_size) {
			kw_error("%s: %s", f, why);
			free(why);
			goto out;
		}
		free(why);
		if (symmap_read(f, &x->map, &why)) {
			kw_error("%s: neither ELF nor System.map text: %s", f, why);
			free(why);
			goto out;
		}
	}
	struct kw_symdiff d;
	bool with_map = sysmap || !side[0].elf || !side[1].elf;
	if (!with_map) {
		symdiff_compute(&side[0].set, &side[1].set, &d);
	} else {
		/* An ELF file beside a map is first filtered as mksysmap would
		 * for its kernel generation, and compared line by line. */
		for (int k = 0; k < 2; k++)
			if (side[k].elf)
				symmap_from_set(&side[k].set, true,
						rules != KW_SYSMAP_AUTO ? rules
									: sysmap_detect(&side[k].set),
						&side[k].map);
		int width = side[0].map.addr_width > side[1].map.addr_width
				    ? side[0].map.addr_width : side[1].map.addr_width;
		symdiff_compute_syms(side[0].map.v, side[0].map.n, side[1].map.v, side[1].map.n,
				     width, &d);
	}
	bool oscillation = symdiff_kallsyms_only(&d);
	rc = d.n ? KW_CMP_DIFFERENT : KW_CMP_SAME;
	if (format == KW_FORMAT_JSON) {
		json_t *top = symdiff_json(&d);
		kwjson_set(top, "old", kwjson_string(files[0]));
		kwjson_set(top, "new", kwjson_string(files[1]));
		kwjson_set(top, "same", json_boolean(!d.n));
		kwjson_set(top, "kallsyms_only", json_boolean(oscillation));
		subcmd_print_json(top);
	} else {
		symdiff_print(&d, stdout);
		if (oscillation)
			printf("only kallsyms_* symbols moved: the signature of a kallsyms table that "
			       "oscillates (its own size moves it); the remedy is padding it so it "
			       "never shrinks: klinkwrap converge --pad=FILE, or KLINKWRAP_PAD=1 with "
			       "make LD=\"klinkwrap ld\"\n");
	}
	symdiff_release(&d);
out:
	for (int k = 0; k < opened; k++) {
		if (side[k].elf)
			symset_close(&side[k].set);
		symmap_release(&side[k].map);
	}
	return subcmd_finish(rc, KW_CMP_TROUBLE);
}
