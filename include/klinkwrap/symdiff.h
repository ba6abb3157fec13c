/* Differences between two symbol sets, by name: what was added, removed,
 * moved (same name, new address), resized or otherwise changed, with the
 * linker's branch stubs and thunks told apart. */
#ifndef KLINKWRAP_SYMDIFF_H
#define KLINKWRAP_SYMDIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "klinkwrap/symset.h"

enum {
	KW_SD_ADDED = 1,     /* only in the new set */
	KW_SD_REMOVED = 2,   /* only in the old set */
	KW_SD_MOVED = 4,     /* the address changed */
	KW_SD_RESIZED = 8,   /* the size changed */
	KW_SD_CHANGED = 16,  /* type, binding or section changed */
};

struct kw_symdiff_row {
	const char *name;    /* points into one of the sets */
	unsigned kind;       /* KW_SD_* bits */
	bool stub;           /* a linker stub or thunk (sysmap_is_stub) */
	struct kw_sym old, new; /* old: unless ADDED; new: unless REMOVED */
	int64_t size_delta;  /* new size - old size (0 for a missing side) */
};

struct kw_symdiff {
	struct kw_symdiff_row *rows; /* largest effect first */
	size_t n;
	size_t added, removed, moved, grown, shrunk, changed;
	size_t stubs_added, stubs_removed;
	uint64_t up, down;   /* bytes gained, lost (sizes) */
	int addr_width;
};

/* Compare OLD and NEW (both stay open while the diff is used). */
void symdiff_compute(const struct kw_symset *old, const struct kw_symset *new,
		     struct kw_symdiff *out);
void symdiff_release(struct kw_symdiff *d);

/* The summary line, bloat-o-meter style:
 * "add/remove: A/R moved: M grow/shrink: G/S up/down: U/-D (TOTAL)". */
void symdiff_summary(const struct kw_symdiff *d, FILE *out);
/* Summary, stub line, then a table of rows (stubs grouped last). */
void symdiff_print(const struct kw_symdiff *d, FILE *out);
json_t *symdiff_json(const struct kw_symdiff *d);

#endif
