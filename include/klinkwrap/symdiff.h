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
	bool stub;           /* a linker stub or thunk (sysmap_is_linker_stub) */
	struct kw_sym old, new; /* old: unless ADDED; new: unless REMOVED */
	/* new size - old size (0 for a missing side), exactly: sizes are any
	 * 64-bit values, so the delta needs 65 bits, kept as a magnitude and
	 * a sign. */
	uint64_t size_change; /* |new size - old size| */
	bool shrank;          /* the size went down (size_change > 0) */
};

/* A sum of 64-bit sizes, exact: 128 bits as two halves (value hi*2^64+lo). */
struct kw_u128 {
	uint64_t hi, lo;
};

struct kw_symdiff {
	struct kw_symdiff_row *rows; /* largest effect first */
	size_t n;
	size_t added, removed, moved, grown, shrunk, changed;
	size_t stubs_added, stubs_removed;
	struct kw_u128 up, down; /* bytes gained, lost (sizes), exact */
	int addr_width;
};

/* Compare OLD and NEW (both stay open while the diff is used). */
void symdiff_compute(const struct kw_symset *old, const struct kw_symset *new,
		     struct kw_symdiff *out);
/* The same for two symbol lists (a set's, or a map's: symmap.h), which
 * stay in place while the diff is used; ADDR_WIDTH is for printing. */
void symdiff_compute_syms(const struct kw_sym *old, size_t nold, const struct kw_sym *new,
			  size_t nnew, int addr_width, struct kw_symdiff *out);
void symdiff_release(struct kw_symdiff *d);

/* Did only kallsyms_* symbols move, with nothing added, removed or
 * resized? The signature of a table that oscillates (its own size moves
 * its own symbols), which padding it (converge --pad) cures. */
bool symdiff_kallsyms_only(const struct kw_symdiff *d);

/* The summary line, bloat-o-meter style:
 * "add/remove: A/R moved: M grow/shrink: G/S up/down: U/-D (TOTAL)".
 * Text output is exact for any sizes (U, D and TOTAL may pass 2^64). */
void symdiff_summary(const struct kw_symdiff *d, FILE *out);
/* Summary, stub line, then a table of rows (stubs grouped last). */
void symdiff_print(const struct kw_symdiff *d, FILE *out);
/* JSON integers are 64-bit signed: a number that does not fit (a size,
 * delta or total of 2^63 or more) is clamped to INT64_MAX or INT64_MIN, and
 * the "saturated" member of its object (the summary, or the row for the
 * row's delta and its old and new sizes) is true; it is false otherwise. */
json_t *symdiff_json(const struct kw_symdiff *d);

#endif
