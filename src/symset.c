/* The symbol set of an ELF file, sorted into the canonical order, and its
 * hash (XXH3-128 of each symbol, added: no order needed).
 *
 * Reading: the file is never mapped. Only the ELF header, the section
 * header table, the section-name string table, .symtab, its
 * .symtab_shndx and its .strtab are read, with pread, into private
 * buffers; the headers are decoded here (both classes, both byte orders,
 * SHN_XINDEX, e_shnum/e_shstrndx escapes), with the checks the kernel's
 * tools/objtool/elf.c makes through libelf. A mapping would turn a file
 * that shrinks under the reader into SIGBUS, and a set that keeps names
 * pointing into it into SIGBUS later, when the fixed point rewrites the
 * file between links. A short read, or a size, inode or timestamp that
 * differ between the fstat before and the one after, make the read an
 * error ("changed while it was read"), never a signal or a wrong hash.
 *
 * Speed and memory: .symtab is read 120 KiB at a time into a buffer
 * that stays in cache. The hash (symset_hash_file) checks each symbol
 * and hashes its encoding at once, names read from the private .strtab
 * copy with fixed-size moves (it has zero padding after it), and keeps
 * no records. A full open copies each symbol into a 24-byte record and
 * radix-sorts the records by value (each run of one value then by the
 * full order) for the canonical and nm orders (bench/README.md,
 * "symhash"). */
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <ar.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
/* Compiled in: no libxxhash to load, and the hash loop inlined. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ST_TYPE(info) ((unsigned)(info) & 0xf)
#define ST_BIND(info) ((unsigned)(info) >> 4)

/* Zero bytes after the private copies of the string tables: a name can be
 * copied NAME_WIN bytes at a time whatever its offset. */
enum { NAME_WIN = 64, STR_PAD = NAME_WIN };

/* One symbol of the set. sect: the st_info byte in bits 24-31; in bits
 * 0-23 the section index (SHN_XINDEX resolved), 0 for SHN_UNDEF, or
 * REC_RESERVED | (st_shndx & 0xff) for SHN_ABS, SHN_COMMON and other
 * reserved indexes. */
struct rec {
	uint64_t value;
	uint64_t size;
	uint32_t name;          /* offset in .strtab */
	uint32_t sect;
};
#define REC_RESERVED 0xff0000u
#define REC_INDEX(sect) ((sect) & 0xffffffu)
#define REC_INFO(sect) ((unsigned char)((sect) >> 24))

struct kw_symset_priv {
	char *strtab;           /* private copy of .strtab, STR_PAD zeros after */
	size_t strsize;
	char *shstrtab;         /* the same for the section names */
	size_t shnum;
	const char **secname;   /* per section index, into shstrtab */
	uint32_t *seclen;       /* their lengths */
	char *secletter;        /* nm's lowercase letter per section (full
				 * opens only: the hash has no letters) */
	struct rec *rec;        /* the set in canonical order (full opens) */
	size_t count;
	struct rec *nm;         /* the set in nm -n order (full opens) */
	/* Filtered opens: nm holds the records where the scan left them
	 * (nmund undefined ones at the front, nmdef defined ones from
	 * nmtop on, backwards), and the nm -n order as nm_order_keys made
	 * it: nmkey (the undefined ones' keys, in nmbuf) and nmdefkey (the
	 * defined ones', in nmbuf too). Or nmkey is NULL and nm is in that
	 * order. */
	uint64_t *nmbuf, *nmkey, *nmdefkey;
	size_t nmund, nmtop, nmdef;
	unsigned nmibits;
	char *nmletter;         /* with nmkey: nm's letter of each record, by
				 * position (the scan's, not found again per
				 * line) */
	bool hashed;            /* hash-only opens: no records, only HASH */
	/* Filtered opens: only the symbols KEEP accepts, in nm order only
	 * (rec is NULL, nm holds them). */
	bool (*keep)(void *ctx, char letter, const char *name);
	void *keep_ctx;
	struct kw_symhash hash;
	int kmajor, kminor;     /* from linux_banner; kmajor < 0: none */
};

/* Where the bytes come from: a file read with pread, or an image. */
struct src {
	int fd;                 /* >= 0: the file */
	const unsigned char *mem;
	uint64_t size;          /* the file's size at the first fstat */
};

/* A decoded section header. */
struct shdr {
	uint64_t flags, addr, offset, size, entsize;
	uint32_t name, type, link, info;
};

/* What build needs to know about the file. */
struct elfinfo {
	bool is64, swap;
	unsigned type, machine;
};

static int fail(char **why, const char *fmt, const char *detail)
{
	*why = kw_asprintf(fmt, detail ? detail : "");
	return KW_SYMSET_BAD;
}

static int fail_sym(char **why, const char *fmt, size_t index)
{
	*why = kw_asprintf(fmt, index);
	return KW_SYMSET_BAD;
}

/* Does [off, off + size) lie inside a file of FILESIZE bytes? */
static bool within(uint64_t off, uint64_t size, uint64_t filesize)
{
	return off <= filesize && size <= filesize - off;
}

/* Copy LEN bytes at OFF into BUF. WHAT names the part for the message.
 * A read that ends early means the file shrank after the fstat: an error
 * of its own, never zeros. */
static int src_read(const struct src *s, void *buf, uint64_t off, size_t len, const char *what,
		    char **why)
{
	if (!within(off, len, s->size)) {
		*why = kw_asprintf("truncated: %s ends past the end of the file", what);
		return KW_SYMSET_BAD;
	}
	if (s->fd < 0) {
		memcpy(buf, s->mem + off, len);
		return 0;
	}
	unsigned char *b = buf;
	while (len) {
		ssize_t n = pread(s->fd, b, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = kw_asprintf("cannot read %s: %s", what, strerror(errno));
			return KW_SYMSET_BAD;
		}
		if (n == 0) {
			*why = kw_asprintf("the file changed while it was read (%s: short read)",
					   what);
			return KW_SYMSET_BAD;
		}
		b += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* LEN bytes at OFF, either in place (an image) or read into BUF. */
static const unsigned char *src_view(const struct src *s, void *buf, uint64_t off, size_t len,
				     const char *what, char **why)
{
	if (s->fd < 0) {
		if (!within(off, len, s->size)) {
			*why = kw_asprintf("truncated: %s ends past the end of the file", what);
			return NULL;
		}
		return s->mem + off;
	}
	return src_read(s, buf, off, len, what, why) ? NULL : buf;
}

static uint16_t get16(const unsigned char *p, bool swap)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const unsigned char *p, bool swap)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

static uint64_t get64(const unsigned char *p, bool swap)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap64(v) : v;
}

/* An address-sized field. */
static uint64_t getaddr(const unsigned char *p, const struct elfinfo *ei)
{
	return ei->is64 ? get64(p, ei->swap) : get32(p, ei->swap);
}

static void decode_shdr(const unsigned char *p, const struct elfinfo *ei, struct shdr *sh)
{
	bool s = ei->swap;
	sh->name = get32(p, s);
	sh->type = get32(p + 4, s);
	if (ei->is64) {
		sh->flags = get64(p + 8, s);
		sh->addr = get64(p + 16, s);
		sh->offset = get64(p + 24, s);
		sh->size = get64(p + 32, s);
		sh->link = get32(p + 40, s);
		sh->info = get32(p + 44, s);
		sh->entsize = get64(p + 56, s);
	} else {
		sh->flags = get32(p + 8, s);
		sh->addr = get32(p + 12, s);
		sh->offset = get32(p + 16, s);
		sh->size = get32(p + 20, s);
		sh->link = get32(p + 24, s);
		sh->info = get32(p + 28, s);
		sh->entsize = get32(p + 36, s);
	}
}

/* nm's letter for a symbol in a section (binutils bfd_decode_symclass and
 * decode_section_type, with the ELF-to-BFD section flags of
 * _bfd_elf_make_section_from_shdr), before case is decided. */
static char section_letter(const struct shdr *sh, const char *name, unsigned machine)
{
	static const char *const coff[][2] = {
		{ ".drectve", "i" }, { ".edata", "e" }, { ".idata", "i" }, { ".pdata", "p" },
	};
	/* The COFF names only where they can be: 65,000 sections of an
	 * object built with -ffunction-sections spent their time here. */
	if (name[0] == '.' && name[1] && strchr("deip", name[1]))
		for (size_t i = 0; i < sizeof(coff) / sizeof(*coff); i++)
			if (!strncmp(name, coff[i][0], strlen(coff[i][0])))
				return coff[i][1][0];

	bool contents = sh->type != SHT_NOBITS;
	bool alloc = sh->flags & SHF_ALLOC;
	bool readonly = !(sh->flags & SHF_WRITE);
	bool small = machine == EM_MIPS && (sh->flags & 0x10000000 /* SHF_MIPS_GPREL */);
	if (sh->flags & SHF_EXECINSTR)
		return 't';
	if (alloc && contents)
		return readonly ? 'r' : small ? 'g' : 'd';
	if (!contents)
		return small ? 's' : 'b';
	if (!alloc && (!strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7) ||
		       !strncmp(name, ".gnu.debuglto_.debug_", 21) ||
		       !strncmp(name, ".gnu.linkonce.wi.", 17) || !strncmp(name, ".line", 5) ||
		       !strncmp(name, ".stab", 5) || !strcmp(name, ".gdb_index")))
		return 'N';
	if (readonly)
		return 'n';
	return '?';
}

/* The reserved section index of R as in the ELF file (SHN_UNDEF too), or
 * 0 for a real section. */
static unsigned rec_reserved(const struct rec *r)
{
	uint32_t idx = REC_INDEX(r->sect);
	return idx == 0 ? SHN_UNDEF : idx >= REC_RESERVED ? 0xff00 | (idx & 0xff) : 0;
}

/* The section name of R as the hash and the list give it. */
static const char *rec_section(const struct kw_symset_priv *p, const struct rec *r)
{
	uint32_t idx = REC_INDEX(r->sect);
	unsigned reserved = rec_reserved(r);
	if (idx == 0)
		return "*UND*";
	if (!reserved)
		return p->secname[idx];
	if (reserved == SHN_ABS)
		return "*ABS*";
	if (reserved == SHN_COMMON)
		return "*COM*";
	/* Static names for the few others: no allocation per symbol, and no
	 * snprintf (the hash's set-up names all 254 of them, every link). */
	static char res[SHN_HIRESERVE - SHN_LORESERVE + 1][16];
	char *name = res[reserved - SHN_LORESERVE];
	if (!name[0]) {
		static const char hex[] = "0123456789abcdef";
		memcpy(name, "*RES-0x0000*", 13);
		for (int d = 0; d < 4; d++)
			name[10 - d] = hex[(reserved >> (4 * d)) & 0xf];
	}
	return name;
}

/* nm's letter of record R (binutils bfd_decode_symclass over
 * elf_slurp_symbol_table's flags). */
static inline __attribute__((always_inline)) char rec_letter(const struct kw_symset_priv *p,
							      const struct rec *r)
{
	uint32_t idx = REC_INDEX(r->sect);
	unsigned type = ST_TYPE(REC_INFO(r->sect)), bind = ST_BIND(REC_INFO(r->sect));
	unsigned reserved = rec_reserved(r);
	bool weak = bind == STB_WEAK, object = type == STT_OBJECT || type == STT_COMMON;
	if (reserved == SHN_COMMON)
		return 'C';
	if (idx == 0)
		return weak ? (object ? 'v' : 'w') : 'U';
	if (type == STT_GNU_IFUNC)
		return 'i';
	if (weak)
		return object ? 'V' : 'W';
	if (bind == STB_GNU_UNIQUE)
		return 'u';
	if (bind != STB_LOCAL && bind != STB_GLOBAL)
		return '?';
	char c = reserved ? 'a' : p->secletter[idx];
	if (bind == STB_GLOBAL && c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	return c;
}

/* The full symbol of record R. */
static void load(const struct kw_symset_priv *p, const struct rec *r, struct kw_sym *out)
{
	uint32_t idx = REC_INDEX(r->sect);
	out->value = r->value;
	out->size = r->size;
	out->name = p->strtab + r->name;
	out->type = (unsigned char)ST_TYPE(REC_INFO(r->sect));
	out->bind = (unsigned char)ST_BIND(REC_INFO(r->sect));
	out->undefined = idx == 0;
	out->section = rec_section(p, r);
	out->letter = rec_letter(p, r);
}

int symset_sym_cmp(const struct kw_sym *a, const struct kw_sym *b)
{
	if (a->undefined != b->undefined)
		return a->undefined ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	int r = strcmp(a->name, b->name);
	if (r)
		return r;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->bind != b->bind)
		return a->bind < b->bind ? -1 : 1;
	return strcmp(a->section, b->section);
}

/* The canonical order of two records. */
/* The canonical order of two records of one run: both undefined or both
 * defined, with the same value (sort_range sorts by those first). The
 * fields straight from the records: going through load() and
 * symset_sym_cmp cost most of the sort on a kernel's 10,000
 * __kstrtabns_ symbols at one address. */
static int rec_cmp(const struct kw_symset_priv *p, const struct rec *a, const struct rec *b)
{
	if (a->name != b->name) {
		int r = strcmp(p->strtab + a->name, p->strtab + b->name);
		if (r)
			return r;
	}
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	unsigned ia = REC_INFO(a->sect), ib = REC_INFO(b->sect);
	if (ST_TYPE(ia) != ST_TYPE(ib))
		return ST_TYPE(ia) < ST_TYPE(ib) ? -1 : 1;
	if (ST_BIND(ia) != ST_BIND(ib))
		return ST_BIND(ia) < ST_BIND(ib) ? -1 : 1;
	if (REC_INDEX(a->sect) == REC_INDEX(b->sect))
		return 0;
	return strcmp(rec_section(p, a), rec_section(p, b));
}

static void swap(struct rec *a, struct rec *b)
{
	struct rec t = *a;
	*a = *b;
	*b = t;
}

/* Radix sort of V[0..N) by value, stable, in digits of value - min, TMP
 * scratch of N records. When value - min fits in 36 bits (a linked
 * image's addresses do), an LSD sort: one counting pass for every digit,
 * then one scatter pass per digit, in as few digits as fit: two of up to
 * 14 bits for up to 28 bits (a vmlinux's 58 MiB of text and data: 26
 * bits, which 12-bit digits would take in three), else three of up to
 * 12; a small set uses 8-bit digits, since 4096 counts would cost more
 * than its records. Wider ranges are clusters far apart (a vmlinux's
 * per-CPU symbols at 0 and its text at 0xffffffff81000000: 64 bits): one
 * MSD pass on the top 12 bits, then each bucket by itself, with its own
 * minimum. */
enum { RADIX_LSD_BITS = 36, RADIX_SMALL = 1 << 14, RADIX_COUNTS = 2 << 14, RADIX_MSD_MIN = 4096 };

/* The counts C[0..N) of a digit's buckets become where each starts. */
static void starts(uint32_t *c, size_t n)
{
	uint32_t sum = 0;
	for (size_t b = 0; b < n; b++) {
		uint32_t t = c[b];
		c[b] = sum;
		sum += t;
	}
}

/* A stable merge sort of V[0..N) by value, TMP scratch of N records. */
static void merge_by_value(struct rec *v, size_t n, struct rec *tmp)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			struct rec r = v[i];
			size_t k = i;
			for (; k > 0 && r.value < v[k - 1].value; k--)
				v[k] = v[k - 1];
			v[k] = r;
		}
		return;
	}
	size_t h = n / 2;
	merge_by_value(v, h, tmp);
	merge_by_value(v + h, n - h, tmp);
	if (v[h - 1].value <= v[h].value)
		return;
	size_t i = 0, j = h, o = 0;
	while (i < h && j < n)
		tmp[o++] = v[j].value < v[i].value ? v[j++] : v[i++];
	while (i < h)
		tmp[o++] = v[i++];
	memcpy(v, tmp, o * sizeof(*v));
}

static void radix(struct rec *v, struct rec *tmp, size_t n);

/* radix() with the smallest and the largest value of V[0..N) known (the
 * pass over .symtab finds them): one pass over the records fewer. */
static void radix_minmax(struct rec *v, struct rec *tmp, size_t n, uint64_t min, uint64_t max)
{
	if (n < 2 || min == max)
		return;
	unsigned width = 64 - (unsigned)__builtin_clzll(max - min), digits, bits;
	if (width > RADIX_LSD_BITS && n < RADIX_MSD_MIN) {
		/* 4096 buckets for a few records: a merge sort is cheaper. */
		merge_by_value(v, n, tmp);
		return;
	}
	if (width > RADIX_LSD_BITS) {
		unsigned shift = width - 12;
		size_t buckets = 1u << 12;
		size_t *start = kw_calloc(buckets + 1, sizeof(*start));
		/* Each bucket's range too: no pass of its own over it. */
		uint64_t *bmin = kw_malloc(2 * buckets * sizeof(*bmin)), *bmax = bmin + buckets;
		for (size_t b = 0; b < buckets; b++) {
			bmin[b] = UINT64_MAX;
			bmax[b] = 0;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t x = v[i].value;
			size_t b = (size_t)((x - min) >> shift);
			start[b + 1]++;
			bmin[b] = x < bmin[b] ? x : bmin[b];
			bmax[b] = x > bmax[b] ? x : bmax[b];
		}
		for (size_t b = 0; b < buckets; b++)
			start[b + 1] += start[b];
		size_t *at = kw_malloc(buckets * sizeof(*at));
		memcpy(at, start, buckets * sizeof(*at));
		for (size_t i = 0; i < n; i++)
			tmp[at[(v[i].value - min) >> shift]++] = v[i];
		memcpy(v, tmp, n * sizeof(*v));
		free(at);
		for (size_t b = 0; b < buckets; b++)
			radix_minmax(v + start[b], tmp + start[b], start[b + 1] - start[b], bmin[b],
				     bmax[b]);
		free(bmin);
		free(start);
		return;
	}
	if (n < RADIX_SMALL)
		digits = (width + 7) / 8;
	else
		digits = width <= 28 ? (width + 13) / 14 : 3;
	bits = (width + digits - 1) / digits;
	const size_t buckets = (size_t)1 << bits, mask = buckets - 1;
	/* On the stack: no allocation for a small set (which touches only
	 * the first KiB of it). */
	uint32_t count[RADIX_COUNTS];
	memset(count, 0, digits * buckets * sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = v[i].value - min;
		for (unsigned d = 0; d < digits; d++, k >>= bits)
			count[d * buckets + (k & mask)]++;
	}
	struct rec *v0 = v;
	for (unsigned d = 0; d < digits; d++) {
		unsigned shift = d * bits;
		uint32_t *c = count + d * buckets;
		if (c[((v[0].value - min) >> shift) & mask] == n)
			continue;
		starts(c, buckets);
		for (size_t i = 0; i < n; i++)
			tmp[c[((v[i].value - min) >> shift) & mask]++] = v[i];
		struct rec *t = v;
		v = tmp;
		tmp = t;
	}
	if (v != v0)
		memcpy(v0, v, n * sizeof(*v));
}

static void radix(struct rec *v, struct rec *tmp, size_t n)
{
	if (n < 2)
		return;
	uint64_t min = v[0].value, max = v[0].value;
	for (size_t i = 1; i < n; i++) {
		if (v[i].value < min)
			min = v[i].value;
		if (v[i].value > max)
			max = v[i].value;
	}
	radix_minmax(v, tmp, n, min, max);
}

/* The 8 bytes of the name at S as a big-endian number, the bytes after
 * its NUL as zeros: numbers compare as the names' first 8 bytes do. */
static uint64_t name_key(const char *s)
{
	uint64_t k = 0;
	for (int b = 0; b < 8; b++) {
		unsigned char c = (unsigned char)s[b];
		k = k << 8 | c;
		if (!c)
			return k << 8 * (7 - b);
	}
	return k;
}

static int rec_qsort_cmp(const void *a, const void *b, void *arg)
{
	return rec_cmp(arg, a, b);
}

/* Sort a long run V[0..N) of one value by the full order, as a string
 * sort: radix-sorted on a key of 8 name bytes after the prefix that all
 * its names share (an object's symbols all at 0, a kernel's 10,000
 * __kstrtabns_ at one address), then each group of one key by the next
 * 8 bytes, or, for names equal in full, by the other fields. TMP:
 * scratch of N records. */
static void sort_run(const struct kw_symset_priv *p, struct rec *v, size_t n, struct rec *tmp)
{
	const char *first = p->strtab + v[0].name;
	size_t common = strlen(first);
	for (size_t i = 1; i < n && common; i++) {
		const char *s = p->strtab + v[i].name;
		size_t l = 0;
		while (l < common && s[l] == first[l])
			l++;
		common = l;
	}
	/* The keys as records (value: the key, name: the index in V), so
	 * that radix() sorts them, stably. */
	struct rec *keys = kw_malloc(n * sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct rec){ .value = name_key(p->strtab + v[i].name + common),
					.name = (uint32_t)i };
	radix(keys, tmp, n);
	for (size_t i = 0; i < n; i++)
		tmp[i] = v[keys[i].name];
	memcpy(v, tmp, n * sizeof(*v));
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && keys[j].value == keys[i].value)
			j++;
		if (j - i > 1) {
			if (keys[i].value & 0xff)       /* no NUL in the key */
				sort_run(p, v + i, j - i, tmp);
			else                            /* the same name */
				qsort_r(v + i, j - i, sizeof(*v), rec_qsort_cmp, (void *)p);
		}
		i = j;
	}
	free(keys);
}

/* Sort V[0..N) (all undefined, or all defined) into the canonical order:
 * by value, then each run of one value by the full order. */
enum { SHORT_RUN = 16 };

/* Large arrays: ask for transparent huge pages. */
static void *big_alloc(size_t size);

/* Sort each run of one value of V[0..N) (sorted by value) by the full
 * order. *TMP: scratch of *TMPN records, replaced by a larger one when a
 * run longer than SHORT_RUN needs it (no pass of its own to find the
 * longest run first). */
static void sort_runs(const struct kw_symset_priv *p, struct rec *v, size_t n, struct rec **tmp,
		      size_t *tmpn)
{
	enum { AHEAD = 32 };
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		/* Runs compare names, a random walk through .strtab: start
		 * the loads early, for records in runs only (most are not). */
		const struct rec *a = &v[i + AHEAD < n ? i + AHEAD : n - 1];
		if (a > v && a->value == a[-1].value) {
			__builtin_prefetch(p->strtab + a->name);
			__builtin_prefetch(p->strtab + a[-1].name);
		}
		while (j < n && v[j].value == v[i].value)
			j++;
		if (j - i > SHORT_RUN) {
			if (*tmpn < j - i) {
				size_t want = j - i > 2 * *tmpn ? j - i : 2 * *tmpn;
				free(*tmp);
				*tmp = big_alloc(want * sizeof(**tmp));
				*tmpn = want;
			}
			sort_run(p, v + i, j - i, *tmp);
		} else if (j - i > 1) {
			for (size_t a = i + 1; a < j; a++)
				for (size_t k = a; k > i && rec_cmp(p, &v[k], &v[k - 1]) < 0; k--)
					swap(&v[k], &v[k - 1]);
		}
		i = j;
	}
}

static void sort_range(const struct kw_symset_priv *p, struct rec *v, size_t n, struct rec *tmp)
{
	radix(v, tmp, n);
	size_t tmpn = n;
	sort_runs(p, v, n, &tmp, &tmpn);        /* never replaced: no run is longer */
}

/* Large arrays: ask for transparent huge pages, which saves most page
 * faults and TLB misses of the sort and of the .strtab copy. */
static void *big_alloc(size_t size)
{
	void *ptr = NULL;
	size_t huge = 2u << 20;
	if (size >= huge && posix_memalign(&ptr, huge, size) == 0) {
		madvise(ptr, size, MADV_HUGEPAGE);
		return ptr;
	}
	return kw_malloc(size);
}

static void priv_free(struct kw_symset_priv *p)
{
	if (!p)
		return;
	free(p->rec);
	free(p->nm);
	free(p->nmbuf);
	free(p->nmletter);
	free(p->strtab);
	free(p->shstrtab);
	free(p->secname);
	free(p->seclen);
	free(p->secletter);
	free(p);
}

void symset_close(struct kw_symset *set)
{
	priv_free(set->priv);
	memset(set, 0, sizeof(*set));
}

/* Does binutils make a BFD section of section I? It does not for the
 * symbol table it reads, the string tables of the headers and of the
 * symbols, .symtab_shndx and the relocation sections it attaches to
 * their targets (bfd_section_from_shdr); nm shows a symbol whose index
 * names one of these as absolute ('a'/'A'), as mold's __start_EHDR. */
static bool bfd_section(const struct shdr *sh, size_t i, size_t shnum, size_t symndx,
			size_t shstrndx, const struct elfinfo *ei)
{
	const struct shdr *s = &sh[i];
	switch (s->type) {
	case SHT_NULL:
	case SHT_SYMTAB_SHNDX:
		return false;
	case SHT_SYMTAB:
		/* Only a mapped .symtab of a shared object is also a section. */
		return i == symndx && (s->flags & SHF_ALLOC) && ei->type == ET_DYN;
	case SHT_STRTAB:
		return i != shstrndx && i != sh[symndx].link;
	case SHT_REL:
	case SHT_RELA:
		/* Relocations for a section, which BFD folds into it. */
		if (((ei->type == ET_EXEC || ei->type == ET_DYN) && (s->flags & SHF_ALLOC)) ||
		    (s->flags & SHF_COMPRESSED) || s->link != symndx || s->info == 0 ||
		    s->info >= shnum || sh[s->info].type == SHT_REL || sh[s->info].type == SHT_RELA)
			return true;
		return false;
	default:
		return true;
	}
}

/* .symtab is read SYM_CHUNK bytes at a time (a multiple of both entry
 * sizes) into the start of the sort's scratch array, which is at least
 * as large: one chunk stays in the cache while it is checked, and no
 * buffer of its own costs page faults (most of the fixed cost of a small
 * output). */
enum { SYM_CHUNK = 120 << 10 };

static void put64(unsigned char *b, uint64_t v)
{
	v = htole64(v);
	memcpy(b, &v, sizeof(v));
}

/* Copy the NAME_WIN bytes at SRC to DST and return the index of the first
 * NUL among them, or NAME_WIN: in registers, since GCC makes a 64-byte
 * memcpy a `rep movs` whose start-up was the largest cost of the hash. */
static inline __attribute__((always_inline)) size_t copy_window(unsigned char *dst,
								const unsigned char *src)
{
#if defined(__SSE2__)
	const __m128i z = _mm_setzero_si128();
	__m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)src);
	__m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(src + 16));
	__m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(src + 32));
	__m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(src + 48));
	_mm_storeu_si128((__m128i *)(void *)dst, v0);
	_mm_storeu_si128((__m128i *)(void *)(dst + 16), v1);
	_mm_storeu_si128((__m128i *)(void *)(dst + 32), v2);
	_mm_storeu_si128((__m128i *)(void *)(dst + 48), v3);
	uint64_t m = (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, z)) |
		     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, z)) << 16 |
		     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v2, z)) << 32 |
		     (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v3, z)) << 48;
	return m ? (size_t)__builtin_ctzll(m) : NAME_WIN;
#else
	memcpy(dst, src, NAME_WIN);
	for (int k = 0; k < NAME_WIN / 8; k++) {
		uint64_t w;
		memcpy(&w, dst + 8 * k, 8);
		w = le64toh(w);
		uint64_t t = (w - 0x0101010101010101u) & ~w & 0x8080808080808080u;
		if (t)
			return 8 * (size_t)k + (size_t)__builtin_ctzll(t) / 8;
	}
	return NAME_WIN;
#endif
}

/* Copy 32 bytes (SEC_WIN), in registers. */
static inline __attribute__((always_inline)) void copy32(unsigned char *dst, const char *src)
{
#if defined(__SSE2__)
	__m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)src);
	__m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(src + 16));
	_mm_storeu_si128((__m128i *)(void *)dst, v0);
	_mm_storeu_si128((__m128i *)(void *)(dst + 16), v1);
#else
	memcpy(dst, src, 32);
#endif
}

/* The section name of section key K: REC_INDEX for a real section or 0,
 * shnum + low byte for a reserved index. */
static const char *key_section(const struct kw_symset_priv *p, size_t k)
{
	if (k < p->shnum)
		return k ? p->secname[k] : "*UND*";
	struct rec r = { .sect = REC_RESERVED | (uint32_t)(k - p->shnum) };
	return rec_section(p, &r);
}

/* The hash needs no order: each symbol's encoding is hashed by itself and
 * the 128-bit hashes are added (a multiset hash), so a set is hashed in
 * one pass in symbol-table order, while .symtab is read, with no records
 * and no sort (the sort by value was half the time of the sorted stream
 * hashed before). An encoding is built in ENC_FAST bytes with fixed-size
 * copies of NAME_WIN bytes of its name and SEC_WIN of its section name;
 * a longer one goes to a buffer of its own. */
enum { SEC_WIN = 32, ENC_FIXED = 18, ENC_FAST = ENC_FIXED + NAME_WIN + SEC_WIN };

struct encoder {
	const struct kw_symset_priv *p;
	const unsigned char *strtab;  /* STR_PAD zeros after it */
	size_t shnum;
	/* Per section key: the name's length with its NUL, and where it
	 * starts: in the private copy of the section-name table (which has
	 * STR_PAD zeros after it, so SEC_WIN bytes can be read from any
	 * name), or, with KEY_POOL set, in POOL, where the reserved keys'
	 * names have SEC_WIN readable bytes after each. 8 bytes per key:
	 * 65,000 sections of a -ffunction-sections object are fresh pages,
	 * and their names are not copied. */
	struct seckey { uint32_t off, len; } *sk;
	const char *shstrtab;
	char *pool;
	unsigned char *slow;
	size_t slowcap;
};
#define KEY_POOL 0x80000000u

static void encoder_init(struct encoder *e, const struct kw_symset_priv *p)
{
	size_t nkeys = p->shnum + 256, poolsize = SEC_WIN;
	*e = (struct encoder){ .p = p, .strtab = (const unsigned char *)p->strtab,
			       .shnum = p->shnum, .shstrtab = p->shstrtab };
	e->sk = kw_malloc(nkeys * sizeof(*e->sk));
	for (size_t k = 0; k < nkeys; k++) {
		if (k && k < p->shnum) {
			e->sk[k].len = p->seclen[k] + 1;
			e->sk[k].off = (uint32_t)(p->secname[k] - p->shstrtab);
			continue;
		}
		size_t len = strlen(key_section(p, k)) + 1;
		e->sk[k].len = (uint32_t)len;
		e->sk[k].off = KEY_POOL | (uint32_t)(poolsize - SEC_WIN);
		if (len <= SEC_WIN)
			poolsize += len;
	}
	e->pool = kw_calloc(poolsize, 1);
	for (size_t k = 0; k < nkeys; k++)
		if ((e->sk[k].off & KEY_POOL) && e->sk[k].len <= SEC_WIN)
			memcpy(e->pool + (e->sk[k].off & ~KEY_POOL), key_section(p, k),
			       e->sk[k].len);
}

static void encoder_release(struct encoder *e)
{
	free(e->sk);
	free(e->pool);
	free(e->slow);
}

/* XXH3-128 of the encoding of the symbol (VALUE, SIZE, SECT as in a
 * record, NAME: offset in .strtab), as a number. */
static inline __attribute__((always_inline)) unsigned __int128
encode_hash(struct encoder *e, uint64_t value, uint64_t size, uint32_t name, uint32_t sect)
{
	uint32_t idx = REC_INDEX(sect);
	size_t key = idx < REC_RESERVED ? idx : e->shnum + (idx & 0xff);
	unsigned char b[ENC_FAST];
	put64(b, value);
	put64(b + 8, size);
	b[16] = (unsigned char)ST_TYPE(REC_INFO(sect));
	b[17] = (unsigned char)ST_BIND(REC_INFO(sect));
	const unsigned char *s = e->strtab + name;
	size_t nl = copy_window(b + ENC_FIXED, s);
	size_t sl = e->sk[key].len;
	XXH128_hash_t h;
	if (nl < NAME_WIN && sl <= SEC_WIN) {
		nl++;
		uint32_t off = e->sk[key].off;
		copy32(b + ENC_FIXED + nl,
		       (off & KEY_POOL ? e->pool : e->shstrtab) + (off & ~KEY_POOL));
		h = XXH3_128bits(b, ENC_FIXED + nl + sl);
	} else {
		/* A long name or section name. */
		nl = strlen((const char *)s) + 1;
		size_t len = ENC_FIXED + nl + sl;
		if (len > e->slowcap) {
			e->slowcap = len > 2 * e->slowcap ? len : 2 * e->slowcap;
			e->slow = kw_realloc(e->slow, e->slowcap);
		}
		memcpy(e->slow, b, ENC_FIXED);
		memcpy(e->slow + ENC_FIXED, s, nl);
		memcpy(e->slow + ENC_FIXED + nl, key_section(e->p, key), sl);
		h = XXH3_128bits(e->slow, len);
	}
	return (unsigned __int128)h.high64 << 64 | h.low64;
}

/* The hash of a set of COUNT symbols whose encodings' hashes add up to SUM. */
static void hash_final(unsigned __int128 sum, size_t count, struct kw_symhash *out)
{
	unsigned char fin[24];
	put64(fin, (uint64_t)sum);
	put64(fin + 8, (uint64_t)(sum >> 64));
	put64(fin + 16, (uint64_t)count);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(fin, sizeof(fin)));
	memcpy(out->b, c.digest, sizeof(out->b));
}

/* The state of the pass over .symtab. */
struct scan {
	struct rec *rec;
	size_t nund, top;
	const uint32_t *xndx;   /* .symtab_shndx in host order, or NULL */
	size_t nxndx;
	size_t shnum, strsize;
	size_t name_limit;      /* names at or past it are not terminated */
	struct encoder *enc;    /* hash-only: no records, add to SUM */
	unsigned __int128 sum;
	/* Filtered opens: only the records P's KEEP accepts (nund and top
	 * count those). */
	const struct kw_symset_priv *p;
	char *letters;          /* their letters, by position in REC */
	uint64_t min, max;      /* the defined ones' nm values */
};

/* Check symbols FIRST .. FIRST + N - 1 (entries at ENT) and copy them
 * into records: undefined ones to the front, defined ones from the back;
 * or, hash-only, add their hashes (nund counts them).
 * Inlined with constant IS64 and SWAP: one loop per kind of file. */
static inline __attribute__((always_inline)) int scan_syms(struct scan *c,
							   const unsigned char *ent,
							   size_t first, size_t n, bool is64,
							   bool swap, char **why)
{
	const size_t entsize = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	for (size_t k = 0; k < n; k++, ent += entsize) {
		size_t i = first + k;
		uint64_t value, size;
		uint32_t name;
		uint16_t st_shndx;
		unsigned char info;
		/* Field by field: copying the entry whole to the stack and
		 * reading fields back costs a failed store-to-load
		 * forwarding on every symbol. */
		if (is64) {
			name = get32(ent + offsetof(Elf64_Sym, st_name), swap);
			info = ent[offsetof(Elf64_Sym, st_info)];
			st_shndx = get16(ent + offsetof(Elf64_Sym, st_shndx), swap);
			value = get64(ent + offsetof(Elf64_Sym, st_value), swap);
			size = get64(ent + offsetof(Elf64_Sym, st_size), swap);
		} else {
			name = get32(ent + offsetof(Elf32_Sym, st_name), swap);
			value = get32(ent + offsetof(Elf32_Sym, st_value), swap);
			size = get32(ent + offsetof(Elf32_Sym, st_size), swap);
			info = ent[offsetof(Elf32_Sym, st_info)];
			st_shndx = get16(ent + offsetof(Elf32_Sym, st_shndx), swap);
		}
		if (i == 0)
			continue;       /* the null entry */
		unsigned type = ST_TYPE(info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		uint32_t sect;
		if (st_shndx == SHN_XINDEX) {
			if (!c->xndx)
				return fail_sym(why, "symbol %zu uses SHN_XINDEX but there is no "
						".symtab_shndx", i);
			if (i >= c->nxndx)
				return fail_sym(why, "symbol %zu has no entry in .symtab_shndx", i);
			uint32_t x = c->xndx[i];
			if (x == 0 || x >= c->shnum)
				return fail_sym(why, "symbol %zu: extended section index out of range",
						i);
			sect = x;
		} else if (st_shndx >= SHN_LORESERVE) {
			sect = REC_RESERVED | (st_shndx & 0xff);
		} else if (st_shndx >= c->shnum) {
			return fail_sym(why, "symbol %zu: section index out of range", i);
		} else {
			sect = st_shndx;
		}
		/* As elf_strptr checks it: inside the table and terminated
		 * there. */
		if (name >= c->name_limit)
			return fail_sym(why, "symbol %zu: name is outside the string table", i);
		sect |= (uint32_t)info << 24;
		if (c->enc) {
			c->sum += encode_hash(c->enc, value, size, name, sect);
			c->nund++;
			continue;
		}
		struct rec r = { .value = value, .size = size, .name = name, .sect = sect };
		/* Filtered while the chunk is in the cache: the records
		 * dropped are never written, moved or sorted. */
		char letter = c->p ? rec_letter(c->p, &r) : 0;
		if (c->p && !c->p->keep(c->p->keep_ctx, letter, c->p->strtab + name))
			continue;
		size_t at = st_shndx == SHN_UNDEF ? c->nund++ : --c->top;
		if (c->p && st_shndx != SHN_UNDEF) {
			/* nm's value (a common symbol's is its size) and the
			 * range of the kept ones, for nm_order_keys. */
			if (REC_INDEX(sect) == (REC_RESERVED | (SHN_COMMON & 0xff)))
				r.value = r.size;
			c->min = r.value < c->min ? r.value : c->min;
			c->max = r.value > c->max ? r.value : c->max;
		}
		c->rec[at] = r;
		if (c->letters)
			c->letters[at] = letter;
	}
	return 0;
}

static int scan_chunk(struct scan *c, const unsigned char *ent, size_t first, size_t n,
		      const struct elfinfo *ei, char **why)
{
	if (ei->is64)
		return ei->swap ? scan_syms(c, ent, first, n, true, true, why)
				: scan_syms(c, ent, first, n, true, false, why);
	return ei->swap ? scan_syms(c, ent, first, n, false, true, why)
			: scan_syms(c, ent, first, n, false, false, why);
}

/* Read string table SH (named WHAT) into a private copy with STR_PAD
 * zeros after it. *LIMIT: the offsets below it hold a terminated string
 * (all of them when the table ends with a NUL, as tables do). */
static int read_strtab(const struct src *s, const struct shdr *sh, const char *what, char **out,
		       size_t *limit, char **why)
{
	if (sh->size == 0)
		return fail(why, "%s is empty (size 0): no names", what);
	if (sh->size > SIZE_MAX - STR_PAD)
		return fail(why, "%s is too large", what);
	if (!within(sh->offset, sh->size, s->size))
		return fail(why, "truncated: %s ends past the end of the file", what);
	size_t n = (size_t)sh->size;
	char *t = big_alloc(n + STR_PAD);
	if (src_read(s, t, sh->offset, n, what, why)) {
		free(t);
		return KW_SYMSET_BAD;
	}
	memset(t + n, 0, STR_PAD);
	const char *nul = memrchr(t, '\0', n);
	*limit = nul ? (size_t)(nul - t) + 1 : 0;
	*out = t;
	return 0;
}

/* Decode section header I of the table at SHOFF again (its bounds were
 * checked with the table's). */
static int read_shdr(const struct src *s, uint64_t shoff, unsigned entsize, size_t i,
		     const struct elfinfo *ei, struct shdr *out, char **why)
{
	unsigned char raw[sizeof(Elf64_Shdr)];
	if (src_read(s, raw, shoff + i * entsize, entsize, "the section header table", why))
		return -1;
	decode_shdr(raw, ei, out);
	return 0;
}

/* Section headers are read SHDR_CHUNK at a time. */
enum { SHDR_CHUNK = 1024 };

/* The section names, symbols and records of the file in S. */
static enum kw_symset_status build(struct kw_symset *set, struct kw_symset_priv *p,
				   const struct src *s, bool full, char **why);

/* A stable merge sort of V[0..N) by name (bytewise), TMP scratch of N
 * records: nm's order for equal values, which keeps symbol-table order
 * for equal names (glibc's qsort is a merge sort). */
static void merge_by_name(const char *strtab, struct rec *v, size_t n, struct rec *tmp)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			struct rec r = v[i];
			size_t k = i;
			for (; k > 0 && strcmp(strtab + r.name, strtab + v[k - 1].name) < 0; k--)
				v[k] = v[k - 1];
			v[k] = r;
		}
		return;
	}
	size_t h = n / 2;
	merge_by_name(strtab, v, h, tmp);
	merge_by_name(strtab, v + h, n - h, tmp);
	if (strcmp(strtab + v[h - 1].name, strtab + v[h].name) <= 0)
		return;
	size_t i = 0, j = h, o = 0;
	while (i < h && j < n)
		tmp[o++] = strcmp(strtab + v[j].name, strtab + v[i].name) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[o++] = v[i++];
	memcpy(v, tmp, o * sizeof(*v));
}

/* nm -n's order of the records at V (symbol-table order on entry): for
 * undefined ones by name; for defined ones by nm's value (a common
 * symbol's is its size, as BFD gives it), then name; equal keys stay in
 * symbol-table order. */
static void nm_order(const char *strtab, struct rec *v, size_t nund, size_t ndef, struct rec *tmp)
{
	merge_by_name(strtab, v, nund, tmp);
	struct rec *d = v + nund;
	for (size_t i = 0; i < ndef; i++)
		if (REC_INDEX(d[i].sect) == (REC_RESERVED | (SHN_COMMON & 0xff)))
			d[i].value = d[i].size;
	radix(d, tmp, ndef);    /* stable */
	for (size_t i = 0; i < ndef;) {
		size_t j = i + 1;
		while (j < ndef && d[j].value == d[i].value)
			j++;
		if (j - i > 1)
			merge_by_name(strtab, d + i, j - i, tmp);
		i = j;
	}
}

/* Records by symbol-table rank: the K-th is BASE[K * STEP] (the scan
 * fills defined records from the back, so their step is -1); a key's
 * rank is its bits under MASK. */
struct ranked {
	const char *strtab;
	const struct rec *base;
	ptrdiff_t step;
	uint64_t mask;
};

static const char *ranked_name(const struct ranked *r, uint64_t key)
{
	return r->strtab + r->base[(ptrdiff_t)(key & r->mask) * r->step].name;
}

static int key_name_cmp(const void *a, const void *b, void *arg)
{
	const struct ranked *r = arg;
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	int c = strcmp(ranked_name(r, x), ranked_name(r, y));
	return c ? c : ((x & r->mask) > (y & r->mask)) - ((x & r->mask) < (y & r->mask));
}

/* Sort the N keys K (in rank order) by their records' names, equal names
 * in rank order: nm's order within one value. */
static void sort_keys_by_name(const struct ranked *r, uint64_t *k, size_t n)
{
	if (n > SHORT_RUN) {
		qsort_r(k, n, sizeof(*k), key_name_cmp, (void *)r);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = k[i];
		size_t j = i;
		for (; j > 0 && strcmp(ranked_name(r, x), ranked_name(r, k[j - 1])) < 0; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

/* nm_order for a filtered set, as keys: KEYS[i] names the i-th record in
 * nm -n order (see nm_rec). V holds NUND undefined records at the front
 * in symbol-table order and NDEF defined ones at V + TOP in reverse
 * symbol-table order (as the scan left them: no moving them), their nm
 * values (a common symbol's is its size) from MIN to MAX. An undefined
 * record's key is its rank; a
 * defined one's (value - min) << *IBITS | rank, sorted by the value bits
 * in digits of up to 11 bits: a third of the bytes records would move,
 * none of the records moved, and the sorted keys are the order (the
 * check's sort was a third of its time). KEYS: room for NUND + 2 * NDEF;
 * the undefined ones' keys at KEYS, the defined ones' at *DEFKEYS.
 * Returns false, having done nothing, when the value range and a rank do
 * not fit in 64 bits (x86-64's per-CPU symbols at 0 and text at
 * 0xffffffff81000000): nm_order sorts those. */
static bool nm_order_keys(const char *strtab, struct rec *v, size_t nund, size_t top, size_t ndef,
			  uint64_t min, uint64_t max, uint64_t *keys, uint64_t **defkeys,
			  unsigned *ibitsp)
{
	enum { KEY_BITS = 11, KEY_DIGITS = (64 + KEY_BITS - 1) / KEY_BITS };
	unsigned width = max > min ? 64 - (unsigned)__builtin_clzll(max - min) : 0;
	unsigned ibits = ndef > 1 ? 64 - (unsigned)__builtin_clzll((uint64_t)ndef - 1) : 1;
	if (ndef && width + ibits > 64)
		return false;
	*ibitsp = ibits;
	uint64_t imask = ((uint64_t)1 << ibits) - 1;
	struct ranked und = { strtab, v, 1, ~(uint64_t)0 },
		      def = { strtab, v + top + ndef - 1, -1, imask };
	for (size_t i = 0; i < nund; i++)
		keys[i] = i;
	sort_keys_by_name(&und, keys, nund);
	uint64_t *a = keys + nund, *b = a + ndef;
	unsigned digits = width ? (width + KEY_BITS - 1) / KEY_BITS : 0;
	unsigned bits = digits ? (width + digits - 1) / digits : 0;
	size_t buckets = (size_t)1 << bits, mask = buckets - 1;
	uint32_t count[KEY_DIGITS << KEY_BITS];
	memset(count, 0, digits * buckets * sizeof(*count));
	/* The keys, and every digit's counts in the same pass; unrolled for
	 * a 32-bit image's three digits. */
	uint32_t *c0 = count, *c1 = count + buckets, *c2 = count + 2 * buckets;
	for (size_t k = 0; k < ndef; k++) {
		uint64_t x = def.base[-(ptrdiff_t)k].value - min;
		a[k] = x << ibits | k;
		if (digits == 3) {
			c0[x & mask]++;
			c1[(x >> bits) & mask]++;
			c2[(x >> 2 * bits) & mask]++;
			continue;
		}
		for (unsigned g = 0; g < digits; g++, x >>= bits)
			count[g * buckets + (x & mask)]++;
	}
	uint64_t *sorted = a;
	for (unsigned g = 0; g < digits && ndef > 1; g++) {
		unsigned shift = ibits + g * bits;
		uint32_t *c = count + g * buckets;
		if (c[(sorted[0] >> shift) & mask] == ndef)
			continue;       /* one bucket: the order stays */
		starts(c, buckets);
		uint64_t *to = sorted == a ? b : a;
		for (size_t i = 0; i < ndef; i++)
			to[c[(sorted[i] >> shift) & mask]++] = sorted[i];
		sorted = to;
	}
	*defkeys = a = sorted;
	/* Stable by value, so each run of one value is in rank order: then
	 * by name (runs are rare: a tight loop finds them). */
	for (size_t i = 1; i < ndef; i++) {
		if ((a[i] ^ a[i - 1]) >> ibits)
			continue;
		size_t j = i + 1, first = i - 1;
		while (j < ndef && !((a[j] ^ a[first]) >> ibits))
			j++;
		sort_keys_by_name(&def, a + first, j - first);
		i = j;
	}
	return true;
}

/* Digits at *P as a non-negative int, at most 9 of them (no overflow);
 * -1 if there are none. */
static int parse_num(const char **pp)
{
	const char *p = *pp;
	int v = 0, n = 0;
	for (; *p >= '0' && *p <= '9'; p++, n++) {
		if (n == 9)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*pp = p;
	return n ? v : -1;
}

/* The kernel version in the string at symbol linux_banner ("Linux
 * version 6.12.57 ..."), read now: a set keeps no file open. A banner
 * that cannot be read is no error: there is just no version. */
static int banner_version(struct kw_symset_priv *p, const struct src *s, const struct shdr *sh,
			  char **why)
{
	const struct rec *r = NULL;
	for (size_t i = 0; i < p->count && !r; i++)
		if (!strcmp(p->strtab + p->rec[i].name, "linux_banner"))
			r = &p->rec[i];
	if (!r || rec_reserved(r))
		return 0;       /* none, or undefined or absolute */
	const struct shdr *sec = &sh[REC_INDEX(r->sect)];
	if (sec->type == SHT_NOBITS || r->value < sec->addr || r->value - sec->addr >= sec->size)
		return 0;
	uint64_t off = r->value - sec->addr;
	char text[64] = "";
	size_t len = sec->size - off < sizeof(text) - 1 ? (size_t)(sec->size - off)
							: sizeof(text) - 1;
	if (!within(sec->offset, sec->size, s->size))
		return 0;
	if (src_read(s, text, sec->offset + off, len, "linux_banner", why))
		return -1;
	text[len] = '\0';
	static const char prefix[] = "Linux version ";
	if (strncmp(text, prefix, sizeof(prefix) - 1))
		return 0;
	const char *t = text + sizeof(prefix) - 1;
	int major = parse_num(&t);
	if (major < 0 || *t++ != '.')
		return 0;
	int minor = parse_num(&t);
	if (minor < 0)
		return 0;
	p->kmajor = major;
	p->kminor = minor;
	return 0;
}

static enum kw_symset_status build(struct kw_symset *set, struct kw_symset_priv *p,
				   const struct src *s, bool full, char **why)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	size_t ehlen = s->size < sizeof(eh) ? (size_t)s->size : sizeof(eh);
	if (src_read(s, eh, 0, ehlen, "the ELF header", why))
		return KW_SYMSET_BAD;
	if (ehlen < SELFMAG || memcmp(eh, ELFMAG, SELFMAG)) {
		bool ar = ehlen >= SARMAG && (!memcmp(eh, ARMAG, SARMAG) ||
					      !memcmp(eh, "!<thin>\n", SARMAG));
		*why = kw_strdup(ar ? "an archive, not an ELF file" : "not an ELF file");
		return KW_SYMSET_NOT_ELF;
	}
	if (ehlen < EI_NIDENT || (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64) ||
	    (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)) {
		*why = kw_strdup("not an ELF file (ELF magic, but no valid class and byte order)");
		return KW_SYMSET_NOT_ELF;
	}
	struct elfinfo ei = {
		.is64 = eh[EI_CLASS] == ELFCLASS64,
		.swap = (eh[EI_DATA] == ELFDATA2LSB) != (__BYTE_ORDER == __LITTLE_ENDIAN),
	};
	size_t ehsize = ei.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (ehlen < ehsize)
		return fail(why, "truncated: the ELF header ends past the end of the file%s", NULL);
	ei.type = get16(eh + 16, ei.swap);
	ei.machine = get16(eh + 18, ei.swap);
	uint64_t shoff = getaddr(eh + (ei.is64 ? 40 : 32), &ei);
	const unsigned char *tail = eh + (ei.is64 ? 58 : 46);
	unsigned shentsize = get16(tail, ei.swap), e_shnum = get16(tail + 2, ei.swap),
		 e_shstrndx = get16(tail + 4, ei.swap);
	set->addr_width = ei.is64 ? 16 : 8;
	set->machine = ei.machine;

	if (shoff == 0) {
		*why = kw_strdup("no section headers, so no .symtab");
		return KW_SYMSET_NO_SYMTAB;
	}
	size_t want_entsize = ei.is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (shentsize != want_entsize)
		return fail(why, "corrupt ELF header: bad section header size%s", NULL);
	static const char cut_shdrs[] =
		"truncated: the section header table ends past the end of the file%s";
	if (!within(shoff, shentsize, s->size))
		return fail(why, cut_shdrs, NULL);
	/* Section 0 holds the real count and string table index when the
	 * header's fields cannot (e_shnum 0, e_shstrndx SHN_XINDEX). */
	unsigned char raw0[sizeof(Elf64_Shdr)];
	struct shdr sh0;
	if (src_read(s, raw0, shoff, shentsize, "the section header table", why))
		return KW_SYMSET_BAD;
	decode_shdr(raw0, &ei, &sh0);
	uint64_t shnum = e_shnum ? e_shnum : sh0.size;
	size_t shstrndx = e_shstrndx == SHN_XINDEX ? sh0.link : e_shstrndx;
	if (shnum == 0 || shnum > (s->size - shoff) / shentsize)
		return fail(why, cut_shdrs, NULL);
	if (shnum >= REC_RESERVED)
		return fail(why, "more sections than klinkwrap handles (16 million)%s", NULL);
	if (shstrndx == SHN_UNDEF || shstrndx >= shnum)
		return fail(why, "section name string table index out of range%s", NULL);
	p->shnum = (size_t)shnum;
	p->kmajor = -1;

	/* The section-name table first (its header read alone), so that the
	 * one pass over the section headers also checks and measures every
	 * name while the chunk is in the cache. */
	enum kw_symset_status rc = KW_SYMSET_BAD;
	unsigned char *chunk;
	uint32_t *xndx = NULL;
	struct rec *tmp = NULL;
	unsigned char *rawsh = kw_malloc(SHDR_CHUNK * shentsize);
	/* A full set keeps every decoded header (letters, the banner); the
	 * hash only each section's type and link (8 bytes, not 56: 65,000
	 * sections are 3.6 MB of fresh pages less) and reads again the few
	 * headers it needs. */
	struct shdr *sh = full ? big_alloc(p->shnum * sizeof(*sh)) : NULL;
	struct shmini { uint32_t type, link; } *mini =
		full ? NULL : big_alloc(p->shnum * sizeof(*mini));
	struct shdr symhdr, strhdr_sym, xhdr;
	struct shdr strhdr;
	size_t limit;
	if (src_read(s, rawsh, shoff + shstrndx * shentsize, shentsize,
		     "the section header table", why))
		goto out;
	decode_shdr(rawsh, &ei, &strhdr);
	if (strhdr.type != SHT_STRTAB) {
		*why = kw_asprintf("the section name string table (section %zu) is not a "
				   "string table", shstrndx);
		goto out;
	}
	/* Names are found by 31-bit offsets (struct encoder): 2 GiB of
	 * section names is no real file. */
	if (strhdr.size >= KEY_POOL) {
		fail(why, "the section name string table is too large (2 GiB or more)%s", NULL);
		goto out;
	}
	if (read_strtab(s, &strhdr, "the section name string table", &p->shstrtab, &limit, why))
		goto out;

	/* The whole table, decoded once, read 64 KiB at a time (65,000
	 * sections of a -ffunction-sections object are 4 MiB); every
	 * section's name checked; .symtab found. */
	p->secname = kw_calloc(p->shnum, sizeof(*p->secname));
	p->seclen = kw_calloc(p->shnum, sizeof(*p->seclen));
	if (full)
		p->secletter = kw_calloc(p->shnum, 1);
	size_t symndx = 0;
	for (size_t first = 0; first < p->shnum; first += SHDR_CHUNK) {
		size_t n = p->shnum - first < SHDR_CHUNK ? p->shnum - first : SHDR_CHUNK;
		const unsigned char *raw = src_view(s, rawsh, shoff + first * shentsize,
						    n * shentsize, "the section header table", why);
		if (!raw)
			goto out;
		for (size_t i = first; i < first + n; i++) {
			struct shdr h;
			decode_shdr(raw + (i - first) * shentsize, &ei, &h);
			if (full)
				sh[i] = h;
			else
				mini[i] = (struct shmini){ h.type, h.link };
			/* The same table, read twice: one version of the file. */
			if (i == shstrndx && memcmp(&h, &strhdr, sizeof(h))) {
				fail(why, "the file changed while it was read (section headers)%s",
				     NULL);
				goto out;
			}
			if (i && h.name >= limit) {
				*why = kw_asprintf("corrupt section header table: the name of "
						   "section %zu is outside the section name "
						   "string table", i);
				goto out;
			}
			const char *name = i ? p->shstrtab + h.name : "";
			p->secname[i] = name;
			p->seclen[i] = (uint32_t)strlen(name);
			if (h.type == SHT_SYMTAB && !symndx)
				symndx = i;
		}
	}
	if (!symndx) {
		*why = kw_strdup("no .symtab (stripped?)");
		rc = KW_SYMSET_NO_SYMTAB;
		goto out;
	}
	const struct shdr *symsh = full ? &sh[symndx] : &symhdr;
	if (!full && read_shdr(s, shoff, shentsize, symndx, &ei, &symhdr, why))
		goto out;
	for (size_t i = 0; full && i < p->shnum; i++)
		p->secletter[i] = bfd_section(sh, i, p->shnum, symndx, shstrndx, &ei)
					  ? section_letter(&sh[i], p->secname[i], ei.machine)
					  : 'a';

	if (!within(symsh->offset, symsh->size, s->size)) {
		fail(why, "truncated: .symtab ends past the end of the file%s", NULL);
		goto out;
	}
	if (symsh->flags & SHF_COMPRESSED) {
		fail(why, ".symtab is compressed (SHF_COMPRESSED)%s", NULL);
		goto out;
	}
	size_t symsize = ei.is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (symsh->entsize != symsize) {
		*why = kw_asprintf(".symtab: entry size %" PRIu64 ", expected %zu", symsh->entsize,
				   symsize);
		goto out;
	}
	if (symsh->size % symsize) {
		*why = kw_asprintf(".symtab: size %" PRIu64 " is not a multiple of the entry "
				   "size %zu", symsh->size, symsize);
		goto out;
	}
	if (symsh->size / symsize > UINT32_MAX) {
		fail(why, ".symtab: too many symbols%s", NULL);
		goto out;
	}
	size_t nsyms = (size_t)(symsh->size / symsize);
	if (symsh->link == SHN_UNDEF || symsh->link >= p->shnum) {
		fail(why, ".symtab: string table index out of range%s", NULL);
		goto out;
	}
	const struct shdr *strsh = full ? &sh[symsh->link] : &strhdr_sym;
	if (!full && read_shdr(s, shoff, shentsize, symsh->link, &ei, &strhdr_sym, why))
		goto out;
	if (strsh->type != SHT_STRTAB) {
		fail(why, ".symtab: its string table is not a string table%s", NULL);
		goto out;
	}
	if (read_strtab(s, strsh, ".strtab", &p->strtab, &limit, why))
		goto out;
	p->strsize = (size_t)strsh->size;

	/* SHN_XINDEX: the .symtab_shndx section that belongs to .symtab. */
	struct scan c = { .shnum = p->shnum, .strsize = p->strsize, .name_limit = limit,
			  .p = p->keep ? p : NULL, .min = UINT64_MAX };
	for (size_t i = 1; i < p->shnum; i++) {
		if ((full ? sh[i].type : mini[i].type) != SHT_SYMTAB_SHNDX ||
		    (full ? sh[i].link : mini[i].link) != symndx)
			continue;
		const struct shdr *xsh = full ? &sh[i] : &xhdr;
		if (!full && read_shdr(s, shoff, shentsize, i, &ei, &xhdr, why))
			goto out;
		if (!within(xsh->offset, xsh->size, s->size)) {
			fail(why, "truncated: .symtab_shndx ends past the end of the file%s", NULL);
			goto out;
		}
		c.nxndx = (size_t)(xsh->size / sizeof(uint32_t));
		xndx = kw_malloc((c.nxndx ? c.nxndx : 1) * sizeof(*xndx));
		if (src_read(s, xndx, xsh->offset, c.nxndx * sizeof(*xndx), ".symtab_shndx", why))
			goto out;
		if (ei.swap)
			for (size_t k = 0; k < c.nxndx; k++)
				xndx[k] = __builtin_bswap32(xndx[k]);
		c.xndx = xndx;
		break;
	}

	/* Check every symbol once and copy it (or hash it), a chunk at a
	 * time. A full set sorts: n records of 24 bytes of scratch, which
	 * also hold n entries of 16 or 24. The hash needs one chunk. */
	struct encoder enc;
	if (!full) {
		encoder_init(&enc, p);
		c.enc = &enc;
	} else {
		c.rec = p->rec = big_alloc((nsyms ? nsyms : 1) * sizeof(*c.rec));
		if (p->keep)
			c.letters = p->nmletter = kw_malloc(nsyms ? nsyms : 1);
	}
	c.top = nsyms;
	size_t per = SYM_CHUNK / symsize;
	tmp = big_alloc((full ? (nsyms ? nsyms : 1) : SYM_CHUNK / sizeof(*tmp)) * sizeof(*tmp));
	chunk = (unsigned char *)tmp;
	int scanned = 0;
	for (size_t first = 0; first < nsyms && !scanned; first += per) {
		size_t n = nsyms - first < per ? nsyms - first : per;
		const unsigned char *ent = src_view(s, chunk, symsh->offset + first * symsize,
						    n * symsize, ".symtab", why);
		scanned = !ent ? -1 : scan_chunk(&c, ent, first, n, &ei, why);
	}
	if (!full) {
		encoder_release(&enc);
		if (scanned)
			goto out;
		set->count = p->count = c.nund;
		hash_final(c.sum, c.nund, &p->hash);
		p->hashed = true;
		rc = KW_SYMSET_OK;
		goto out;
	}
	if (scanned)
		goto out;
	size_t nund = c.nund, ndef = nsyms - c.top;
	set->count = p->count = nund + ndef;
	if (p->keep) {
		/* Only what KEEP accepted (the scan dropped the rest), and
		 * only nm's order, as positions in the records where the scan
		 * left them: no copy, no canonical sort, no banner. */
		p->nm = p->rec;
		p->rec = NULL;
		/* The keys in the scratch array (24 bytes a symbol, room for
		 * the 8 + 16 the keys need), which the set then keeps. */
		if (nm_order_keys(p->strtab, p->nm, nund, c.top, ndef, c.min, c.max,
				  (uint64_t *)(void *)tmp, &p->nmdefkey, &p->nmibits)) {
			p->nmbuf = p->nmkey = (uint64_t *)(void *)tmp;
			tmp = NULL;
			p->nmund = nund;
			p->nmtop = c.top;
			p->nmdef = ndef;
			rc = KW_SYMSET_OK;
			goto out;
		}
		free(p->nmletter);
		p->nmletter = NULL;
	}
	memmove(c.rec + nund, c.rec + c.top, ndef * sizeof(*c.rec));
	/* The defined ones were filled from the back: put them in
	 * symbol-table order for nm's stable sort. */
	struct rec *d = c.rec + nund;
	for (size_t i = 0, j = ndef; i + 1 < j; i++, j--)
		swap(&d[i], &d[j - 1]);
	if (p->keep) {
		nm_order(p->strtab, p->nm, nund, ndef, tmp);
		rc = KW_SYMSET_OK;
		goto out;
	}
	p->nm = kw_malloc((set->count ? set->count : 1) * sizeof(*p->nm));
	memcpy(p->nm, c.rec, set->count * sizeof(*p->nm));
	nm_order(p->strtab, p->nm, nund, ndef, tmp);
	sort_range(p, c.rec, nund, tmp);
	sort_range(p, c.rec + nund, ndef, tmp);
	if (banner_version(p, s, sh, why))
		goto out;
	rc = KW_SYMSET_OK;
out:
	free(tmp);
	free(xndx);
	free(rawsh);
	free(sh);
	free(mini);
	return rc;
}
/* Record I in nm -n order. */
static const struct rec *nm_rec(const struct kw_symset_priv *p, size_t i)
{
	if (p->nmkey) {
		if (i < p->nmund)
			return &p->nm[p->nmkey[i]];
		uint64_t rank = p->nmdefkey[i - p->nmund] & (((uint64_t)1 << p->nmibits) - 1);
		return &p->nm[p->nmtop + p->nmdef - 1 - rank];
	}
	return p->nm ? &p->nm[i] : &p->rec[i];
}

void symset_hash(const struct kw_symset *set, struct kw_symhash *out)
{
	const struct kw_symset_priv *p = set->priv;
	if (p->hashed) {
		*out = p->hash;
		return;
	}
	struct encoder e;
	encoder_init(&e, p);
	unsigned __int128 sum = 0;
	const struct rec *rec = p->rec ? p->rec : p->nm; /* any order will do */
	size_t count = set->count;
	enum { AHEAD = 16 };
	/* A filtered set's records are where its scan left them. */
	for (size_t i = 0; p->nmkey && i < count; i++) {
		const struct rec *r = nm_rec(p, i);
		sum += encode_hash(&e, r->value, r->size, r->name, r->sect);
	}
	for (size_t i = 0; !p->nmkey && i < count; i++) {
		/* In canonical order the names are a random walk through
		 * .strtab: start the loads early. Inline and unconditional:
		 * GCC drops a prefetch in a static helper. */
		__builtin_prefetch(e.strtab + rec[i + AHEAD < count ? i + AHEAD : i].name);
		sum += encode_hash(&e, rec[i].value, rec[i].size, rec[i].name, rec[i].sect);
	}
	encoder_release(&e);
	hash_final(sum, count, out);
}

void symhash_hex(const struct kw_symhash *h, char out[KW_SYMHASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[h->b[i] >> 4];
		out[2 * i + 1] = hex[h->b[i] & 15];
	}
	out[KW_SYMHASH_HEX_LEN] = '\0';
}

int symset_kernel_version(const struct kw_symset *set, int *major, int *minor)
{
	const struct kw_symset_priv *p = set->priv;
	if (!p || p->kmajor < 0)
		return -1;
	*major = p->kmajor;
	*minor = p->kminor;
	return 0;
}

void symset_get(const struct kw_symset *set, size_t i, struct kw_sym *out)
{
	const struct kw_symset_priv *p = set->priv;
	load(p, p->rec ? &p->rec[i] : nm_rec(p, i), out);
}

void symset_get_nm(const struct kw_symset *set, size_t i, struct kw_sym *out)
{
	load(set->priv, nm_rec(set->priv, i), out);
}

void symset_get_nm_line(const struct kw_symset *set, size_t i, struct kw_sym *out)
{
	const struct kw_symset_priv *p = set->priv;
	const struct rec *r = nm_rec(p, i);
	*out = (struct kw_sym){ .value = r->value, .name = p->strtab + r->name, .section = "",
				.letter = p->nmletter ? p->nmletter[r - p->nm] : rec_letter(p, r),
				.undefined = REC_INDEX(r->sect) == 0 };
}

/* Same file, same contents as far as stat can tell. */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static enum kw_symset_status finish(struct kw_symset *set, struct kw_symset_priv *p,
				    enum kw_symset_status st)
{
	if (st != KW_SYMSET_OK) {
		priv_free(p);
		memset(set, 0, sizeof(*set));
		return st;
	}
	set->priv = p;
	return KW_SYMSET_OK;
}

static enum kw_symset_status open_file(const char *path, struct kw_symset *set, bool full,
				       bool (*keep)(void *, char, const char *), void *keep_ctx,
				       char **why)
{
	struct stat st, after;
	memset(set, 0, sizeof(*set));
	/* The type first, without opening: opening a FIFO for reading
	 * blocks until a writer comes, and opening a device can have
	 * effects of its own. */
	if (stat(path, &st))
		return fail(why, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(why, "is a directory%s", NULL);
	if (!S_ISREG(st.st_mode)) {
		/* A device, a FIFO or a socket (an output of /dev/null):
		 * nothing to read a symbol table from, like an empty file. */
		*why = kw_strdup("not a regular file, not ELF");
		return KW_SYMSET_NOT_ELF;
	}
	/* O_NONBLOCK: should the path become a FIFO after the stat, the
	 * open does not block, and the fstat below refuses it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(why, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		int err = errno;
		close(fd);
		return fail(why, "%s", strerror(err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (S_ISDIR(st.st_mode))
			return fail(why, "is a directory%s", NULL);
		*why = kw_strdup("not a regular file, not ELF");
		return KW_SYMSET_NOT_ELF;
	}
	if (st.st_size == 0) {
		close(fd);
		*why = kw_strdup("empty file, not ELF");
		return KW_SYMSET_NOT_ELF;
	}
	struct src s = { .fd = fd, .size = (uint64_t)st.st_size };
	struct kw_symset_priv *p = kw_calloc(1, sizeof(*p));
	p->keep = keep;
	p->keep_ctx = keep_ctx;
	enum kw_symset_status rc = build(set, p, &s, full, why);
	/* Whatever was read must be one version of the file. */
	if (fstat(fd, &after)) {
		if (rc == KW_SYMSET_OK || rc == KW_SYMSET_NO_SYMTAB) {
			if (rc == KW_SYMSET_NO_SYMTAB)
				free(*why);
			rc = fail(why, "%s", strerror(errno));
		}
	} else if (!same_file(&st, &after) && rc != KW_SYMSET_BAD) {
		if (rc != KW_SYMSET_OK)
			free(*why);
		rc = fail(why, "the file changed while it was read%s", NULL);
	}
	close(fd);
	return finish(set, p, rc);
}

enum kw_symset_status symset_open(const char *path, struct kw_symset *set, char **why)
{
	return open_file(path, set, true, NULL, NULL, why);
}

enum kw_symset_status symset_open_nm_filtered(const char *path,
						bool (*keep)(void *ctx, char letter,
							     const char *name),
						void *ctx, struct kw_symset *set, char **why)
{
	return open_file(path, set, true, keep, ctx, why);
}

enum kw_symset_status symset_open_memory(const void *buf, size_t len, struct kw_symset *set,
					  char **why)
{
	memset(set, 0, sizeof(*set));
	if (len == 0) {
		*why = kw_strdup("empty file, not ELF");
		return KW_SYMSET_NOT_ELF;
	}
	struct src s = { .fd = -1, .mem = buf, .size = len };
	struct kw_symset_priv *p = kw_calloc(1, sizeof(*p));
	return finish(set, p, build(set, p, &s, true, why));
}

enum kw_symset_status symset_hash_file(const char *path, struct kw_symhash *hash, size_t *count,
				       char **why)
{
	struct kw_symset set;
	/* Only what the hash needs: no nm order, no kernel banner. */
	enum kw_symset_status st = open_file(path, &set, false, NULL, NULL, why);
	if (st != KW_SYMSET_OK)
		return st;
	symset_hash(&set, hash);
	*count = set.count;
	symset_close(&set);
	return KW_SYMSET_OK;
}
