/* mksysmap's filters, transcribed from scripts/mksysmap of Linux 6.1 (a
 * `grep -v` list) and 6.12 (a sed script). The patterns match nm's line
 * "ADDRESS TYPE NAME": " \$" is a name prefix, "_veneer$" a suffix, and so
 * on, since names hold no spaces. */
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <string.h>

int sysmap_parse_rules(const char *word, enum kw_sysmap_rules *out)
{
	if (!strcmp(word, "auto"))
		*out = KW_SYSMAP_AUTO;
	else if (!strcmp(word, "6.1"))
		*out = KW_SYSMAP_6_1;
	else if (!strcmp(word, "6.12"))
		*out = KW_SYSMAP_6_12;
	else
		return -1;
	return 0;
}

const char *sysmap_rules_name(enum kw_sysmap_rules rules)
{
	switch (rules) {
	case KW_SYSMAP_6_1:
		return "6.1";
	case KW_SYSMAP_6_12:
		return "6.12";
	case KW_SYSMAP_AUTO:
		break;
	}
	return "auto";
}

enum kw_sysmap_rules sysmap_detect(const struct kw_symset *set)
{
	int major, minor;
	/* mksysmap became the sed script, with the longer list, in 6.4. */
	if (symset_kernel_version(set, &major, &minor) == 0 &&
	    (major < 6 || (major == 6 && minor < 4)))
		return KW_SYSMAP_6_1;
	return KW_SYSMAP_6_12;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool any_prefix(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (name[0] == (*list)[0] && has_prefix(name, *list))
			return true;
	return false;
}

/* sed's / __[[:alnum:]]*Thunk_/ (lld's arm, aarch64 and mips thunks). */
static bool lld_thunk(const char *name)
{
	if (!has_prefix(name, "__"))
		return false;
	const char *p = name + 2;
	/* [[:alnum:]]* is greedy but may backtrack: any "Thunk_" reached
	 * through alphanumerics only. */
	for (;; p++) {
		if (has_prefix(p, "Thunk_"))
			return true;
		char c = *p;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
	}
}

bool sysmap_is_stub(const char *name)
{
	return lld_thunk(name) || kw_has_suffix(name, "_from_arm") ||
	       kw_has_suffix(name, "_from_thumb") || kw_has_suffix(name, "_veneer") ||
	       strstr(name, ".long_branch.") || strstr(name, ".plt_branch.");
}

bool sysmap_is_linker_stub(const char *name)
{
	return sysmap_is_stub(name) || has_prefix(name, "__long_branch_") ||
	       has_prefix(name, "__plt_");
}

bool sysmap_keep(enum kw_sysmap_rules rules, char letter, const char *name)
{
	static const char *const prefixes_6_1[] = {
		"$", ".L", "__crc_", "__kstrtab_", "__kstrtabns_", NULL,
	};
	static const char *const prefixes_6_12[] = {
		"$", ".L", "__efistub_", "__pi_$", "__pi_.L", "__kvm_nvhe_$", "__kvm_nvhe_.L",
		"__kcfi_typeid_", "__kvm_nvhe___kcfi_typeid_", "__pi___kcfi_typeid_", "__crc_",
		"__kstrtab_", "__kstrtabns_", NULL,
	};
	if (letter && strchr("aNUw", letter))
		return false;
	if (rules == KW_SYSMAP_6_1)
		return !any_prefix(name, prefixes_6_1) && strcmp(name, "L0");
	if (any_prefix(name, prefixes_6_12) || sysmap_is_stub(name))
		return false;
	return strcmp(name, "L0") && strcmp(name, "_SDA_BASE_") && strcmp(name, "_SDA2_BASE_");
}
