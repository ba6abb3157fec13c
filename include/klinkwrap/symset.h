/* The symbol set of an ELF file: its .symtab read with libelf, as a
 * canonical list and a canonical XXH3-128 hash (the definition is in
 * doc/klinkwrap.1, "SYMBOL-SET HASH").
 *
 * A set keeps the file mapped: names and section names point into it
 * until symset_close. */
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

/* 16 bytes: XXH3-128 of the canonical encoding, in canonical (big-endian)
 * byte order, so that the hex form is the same on every host. */
struct kw_symhash {
	unsigned char b[16];
};
#define KW_SYMHASH_HEX_LEN 32

/* Read PATH. On KW_SYMSET_OK *set is filled (release with symset_close);
 * on any other status *set is empty and *why (malloc'd) says why. */
enum kw_symset_status symset_open(const char *path, struct kw_symset *set, char **why);
/* The same for an image in memory (BUF must outlive the set). */
enum kw_symset_status symset_open_memory(const void *buf, size_t len, struct kw_symset *set,
					  char **why);
void symset_close(struct kw_symset *set);

/* Symbol I (0 <= I < count) in canonical order. */
void symset_get(const struct kw_symset *set, size_t i, struct kw_sym *out);

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

/* Open, hash and close PATH: the engine of `symhash` and of the wrapper.
 * On KW_SYMSET_OK fills *hash and *count, else *why as symset_open. */
enum kw_symset_status symset_hash_file(const char *path, struct kw_symhash *hash, size_t *count,
				       char **why);

#endif
