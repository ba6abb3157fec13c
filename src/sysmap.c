/* mksysmap's filters, transcribed from scripts/mksysmap of Linux 6.1 (a
 * `grep -v` list) and 6.12 (a sed script). The patterns match nm's line
 * "ADDRESS TYPE NAME": " \$" is a name prefix, "_veneer$" a suffix, and so
 * on, since names hold no spaces. */
#include "klinkwrap/sysmap.h"

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

/* "[[:alnum:]]*Thunk_" at P (sed's / __[[:alnum:]]*Thunk_/ after the
 * "__"): [[:alnum:]]* may backtrack, so any "Thunk_" reached through
 * alphanumerics only. */
static bool alnum_then_thunk(const char *p)
{
	for (;; p++) {
		char c = *p;
		if (c == 'T' && !strncmp(p, "Thunk_", 6))
			return true;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
	}
}

/* The stub patterns of sysmap_is_stub for NAME: the suffixes tested by
 * their last byte first, the infixes only in a name with a '.' (most have
 * none), found in the one pass that finds the end. */
static inline __attribute__((always_inline)) bool is_stub(const char *name)
{
	if (name[0] == '_' && name[1] == '_' && alnum_then_thunk(name + 2))
		return true;
	const char *dot = strchrnul(name, '.');
	if (*dot && (strstr(dot, ".long_branch.") || strstr(dot, ".plt_branch.")))
		return true;
	size_t len = *dot ? strlen(name) : (size_t)(dot - name);
	if (!len)
		return false;
	char last = name[len - 1];
	return (last == 'm' && len >= 9 && !memcmp(name + len - 9, "_from_arm", 9)) ||
	       (last == 'b' && len >= 11 && !memcmp(name + len - 11, "_from_thumb", 11)) ||
	       (last == 'r' && len >= 7 && !memcmp(name + len - 7, "_veneer", 7));
}

bool sysmap_is_stub(const char *name)
{
	return is_stub(name);
}

bool sysmap_is_linker_stub(const char *name)
{
	return sysmap_is_stub(name) || has_prefix(name, "__long_branch_") ||
	       has_prefix(name, "__plt_");
}

/* Does NAME start with one of the "__" prefixes mksysmap drops (6.12: the
 * longer list)? Dispatched on the byte after "__": this runs for every
 * symbol of every final link (the Kbuild-mode check). */
static bool dropped_dunder(const char *name, bool v6_12)
{
	const char *p = name + 2;
	switch (p[0]) {
	case 'c':
		return !strncmp(p, "crc_", 4);
	case 'k':
		if (!strncmp(p, "kstrtab", 7))
			return p[7] == '_' || !strncmp(p + 7, "ns_", 3);
		return v6_12 && ((!strncmp(p, "kvm_nvhe_", 9) &&
				  (p[9] == '$' || (p[9] == '.' && p[10] == 'L') ||
				   !strncmp(p + 9, "__kcfi_typeid_", 14))) ||
				 !strncmp(p, "kcfi_typeid_", 12));
	case 'e':
		return v6_12 && !strncmp(p, "efistub_", 8);
	case 'p':
		return v6_12 && !strncmp(p, "pi_", 3) &&
		       (p[3] == '$' || (p[3] == '.' && p[4] == 'L') ||
			!strncmp(p + 3, "__kcfi_typeid_", 14));
	default:
		return false;
	}
}

/* mksysmap's filters as a dispatch on the first bytes of the name (the
 * pattern lists are in the comment at the top). */
bool sysmap_keep(enum kw_sysmap_rules rules, char letter, const char *name)
{
	if (letter == 'a' || letter == 'N' || letter == 'U' || letter == 'w')
		return false;
	bool v6_12 = rules != KW_SYSMAP_6_1;
	switch (name[0]) {
	case '$':
		return false;
	case '.':
		if (name[1] == 'L')
			return false;
		break;
	case 'L':
		if (name[1] == '0' && !name[2])
			return false;
		break;
	case '_':
		if (name[1] == '_' && dropped_dunder(name, v6_12))
			return false;
		if (v6_12 && name[1] == 'S' &&
		    (!strcmp(name, "_SDA_BASE_") || !strcmp(name, "_SDA2_BASE_")))
			return false;
		break;
	}
	return !v6_12 || !is_stub(name);
}
