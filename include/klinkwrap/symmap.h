/* A symbol map: a symbol list that owns its names, as System.map and the
 * kernel's .syms files hold it ("ADDRESS TYPE NAME" lines, `nm -n`
 * order), or as a copy of a symbol set, whole or filtered by mksysmap's
 * rules. The fixed point keeps one per pass after the linked file is
 * overwritten; symdiff reads map text beside ELF. */
#ifndef KLINKWRAP_SYMMAP_H
#define KLINKWRAP_SYMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include "klinkwrap/symset.h"
#include "klinkwrap/sysmap.h"

struct kw_symmap {
	struct kw_sym *v;       /* in map order (the canonical order for a set) */
	size_t n;
	int addr_width;         /* hex digits of an address: 8 or 16 */
	/* Whole symbols (size, type, binding, section) or only what a map
	 * line says (address, letter, name; the rest zero, section ""). */
	bool detailed;
	struct kw_symhash hash; /* see symmap_from_set */
	char *pool;             /* the names (and sections) the entries point into */
};

/* A copy of SET. FILTER false: every symbol with its details, and HASH is
 * symset_hash's (the canonical set hash). FILTER true: only what
 * mksysmap's RULES keep (not KW_SYSMAP_AUTO), as map lines, and HASH is
 * XXH3-128 of the map text as symmap_write prints it. */
void symmap_from_set(const struct kw_symset *set, bool filter, enum kw_sysmap_rules rules,
		     struct kw_symmap *out);

/* Read PATH as map text: lines "ADDRESS TYPE NAME" (hexadecimal address
 * of one width for the whole file, a one-character type, a name without
 * spaces), as `nm -n` and mksysmap write them; HASH as for a filtered
 * set. Returns 0, or -1 with *why (malloc'd): the file cannot be read, or
 * the first line that is not such a line ("line 3: ..."). An empty file is
 * an empty map. */
int symmap_read(const char *path, struct kw_symmap *out, char **why);

/* The map text of the entries (what symmap_read reads back). */
char *symmap_text(const struct kw_symmap *map, size_t *len);

/* The map text of every symbol of SET, in nm -n's order (a set from
 * symset_open_nm_filtered with sysmap_keep is System.map's text). */
char *symmap_text_of_set(const struct kw_symset *set, size_t *len);

/* Is what is left to read on FD the map text of SET (symmap_text_of_set),
 * byte for byte? Reads a chunk at a time and stops at the first
 * difference, with no text of its own. Returns 0 with *EQUAL, or -1 with
 * *why (malloc'd) when FD cannot be read. */
int symmap_set_equals_fd(const struct kw_symset *set, int fd, bool *equal, char **why);

/* Do A and B hold the same symbols (by hash and count)? */
bool symmap_equal(const struct kw_symmap *a, const struct kw_symmap *b);

/* Of how many entries is the name a linker stub or thunk (sysmap_is_linker_stub)? */
size_t symmap_stub_count(const struct kw_symmap *map);

/* A deep copy. */
void symmap_copy(const struct kw_symmap *from, struct kw_symmap *out);
void symmap_release(struct kw_symmap *map);

#endif
