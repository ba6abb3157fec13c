/* The symbol set of an ELF file: its .symtab, as a canonical list and an
 * order-independent XXH3-128 hash (the definition is in doc/klinkwrap.1,
 * "SYMBOL-SET HASH").
 *
 * A set keeps nothing of the file: no mapping, no descriptor. Names and
 * section names point into private copies until symset_close, so the
 * file may be rewritten or removed while a set is held. */
#ifndef KLINKWRAP_SYMSET_H
#define KLINKWRAP_SYMSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kw_symset_status {
	KW_SYMSET_OK = 0,
	KW_SYMSET_NO_SYMTAB = 1, /* a good ELF file without .symtab (stripped) */
	KW_SYMSET_NOT_ELF = 2,   /* not ELF at all (a binary image, a map, an empty
				  * or non-regular file) */
	KW_SYMSET_BAD = 3,       /* unreadable or corrupt: *why says what */
};

/* One symbol of the canonical set, as symset_get presents it. */
struct kw_sym {
	uint64_t value;
	uint64_t size;
	const char *name;
	/* The section's name, or "*UND*", "*ABS*", "*COM*" for SHN_UNDEF,
	 * SHN_ABS and SHN_COMMON, "*RES-0xNNNN*" for other reserved indexes. */
	const char *section;
	unsigned char type;     /* STT_* */
	unsigned char bind;     /* STB_* */
	char letter;            /* nm's type letter */
	bool undefined;         /* SHN_UNDEF */
};

struct kw_symset_priv;

struct kw_symset {
	size_t count;           /* symbols in the set */
	int addr_width;         /* hex digits nm prints: 8 (ELF32) or 16 */
	unsigned machine;       /* e_machine */
	struct kw_symset_priv *priv;
};

/* 16 bytes: XXH3-128 of the sum of the symbols' XXH3-128 hashes and their
 * count, in canonical (big-endian) byte order, so that the hex form is the
 * same on every host. */
struct kw_symhash {
	unsigned char b[16];
};
#define KW_SYMHASH_HEX_LEN 32

/* Read PATH. On KW_SYMSET_OK *set is filled (release with symset_close);
 * on any other status *set is empty and *why (malloc'd) says why. A path
 * that is not a regular file (a FIFO, a device) is KW_SYMSET_NOT_ELF and
 * is never opened for reading. A file that changes while it is read (a
 * short read, or another size, inode or time stamp afterwards) is
 * KW_SYMSET_BAD, never a signal. */
enum kw_symset_status symset_open(const char *path, struct kw_symset *set, char **why);
/* Read PATH keeping only the symbols KEEP accepts (given nm's letter and
 * the name), in nm -n's order only: symset_get and symset_get_nm both
 * give that order, and no kernel version is read. For a check that
 * compares a filtered list, as mksysmap's System.map: no copy of the
 * whole set, no canonical sort. */
enum kw_symset_status symset_open_nm_filtered(const char *path,
					      bool (*keep)(void *ctx, char letter, const char *name),
					      void *ctx, struct kw_symset *set, char **why);
/* The same for an image in memory (BUF is not used after the call). */
enum kw_symset_status symset_open_memory(const void *buf, size_t len, struct kw_symset *set,
					  char **why);
void symset_close(struct kw_symset *set);

/* Symbol I (0 <= I < count) in canonical order. */
void symset_get(const struct kw_symset *set, size_t i, struct kw_sym *out);
/* Symbol I in the order of `nm -n`, the order `syms` lists: undefined
 * symbols by name only, then defined ones by value and name, symbols
 * equal in both in symbol-table order (nm's sort is stable). The value is
 * nm's: a common symbol's is its size (BFD's convention), not st_value.
 * Sets from symset_open and symset_open_memory. */
void symset_get_nm(const struct kw_symset *set, size_t i, struct kw_sym *out);
/* The same with only what a map line shows (value, letter, name,
 * undefined; size, type and binding 0, section ""): no section name to
 * find, for the Kbuild-mode check's thousands of lines. */
void symset_get_nm_line(const struct kw_symset *set, size_t i, struct kw_sym *out);

/* The canonical order: undefined symbols first, then by value, name
 * (bytewise), size, type, binding and section name (bytewise). Returns
 * <0, 0 or >0. */
int symset_sym_cmp(const struct kw_sym *a, const struct kw_sym *b);

void symset_hash(const struct kw_symset *set, struct kw_symhash *out);
/* Lowercase hex, KW_SYMHASH_HEX_LEN digits and a NUL. */
void symhash_hex(const struct kw_symhash *h, char out[KW_SYMHASH_HEX_LEN + 1]);

/* The kernel version in the string at symbol NAME ("linux_banner":
 * "Linux version 6.12.57 ..."). Returns 0 with *major, *minor, or -1. */
int symset_kernel_version(const struct kw_symset *set, int *major, int *minor);

/* Open, hash and close PATH: the engine of `symhash` and of the wrapper,
 * reading only what the hash needs. On KW_SYMSET_OK fills *hash and
 * *count, else *why as symset_open. */
enum kw_symset_status symset_hash_file(const char *path, struct kw_symhash *hash, size_t *count,
				       char **why);

#endif
