/* The kernel's scripts/mksysmap filter, which turns `nm -n vmlinux` into
 * System.map (and into the .syms input of kallsyms), per kernel generation. */
#ifndef KLINKWRAP_SYSMAP_H
#define KLINKWRAP_SYSMAP_H

#include <stdbool.h>
#include "klinkwrap/symset.h"

enum kw_sysmap_rules {
	KW_SYSMAP_AUTO,  /* from the kernel's linux_banner, see sysmap_detect */
	KW_SYSMAP_6_1,   /* the grep list of 6.1 (kernels before 6.4) */
	KW_SYSMAP_6_12,  /* the sed script of 6.12 (6.4 onwards) */
};

/* "auto", "6.1", "6.12". Returns 0, or -1 for an unknown word. */
int sysmap_parse_rules(const char *word, enum kw_sysmap_rules *out);
const char *sysmap_rules_name(enum kw_sysmap_rules rules);

/* The rules for the kernel in SET: 6.1 for a linux_banner older than 6.4,
 * else (newer, or no banner found) 6.12. */
enum kw_sysmap_rules sysmap_detect(const struct kw_symset *set);

/* A name the linker gives a branch stub or thunk, which 6.12's mksysmap
 * drops: *.long_branch.*, *.plt_branch.* (ppc), __[[:alnum:]]*Thunk_*
 * (lld), *_veneer, *_from_arm, *_from_thumb (arm). */
bool sysmap_is_stub(const char *name);

/* Any name a linker gives a branch stub or thunk, for grouping and
 * counting them (symdiff, converge): sysmap_is_stub's, and ld.lld's ppc64
 * thunks __long_branch_<callee> and __plt_<callee>, which no mksysmap
 * drops (so they stay in System.map and feed kallsyms). */
bool sysmap_is_linker_stub(const char *name);

/* Does mksysmap keep the nm line with type LETTER and NAME? */
bool sysmap_keep(enum kw_sysmap_rules rules, char letter, const char *name);

#endif
