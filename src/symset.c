/* The symbol set of an ELF file, read with libelf (modelled on the
 * kernel's tools/objtool/elf.c), sorted into the canonical order and
 * hashed with XXH3-128.
 *
 * Speed and memory: the file is mapped (ELF_C_READ_MMAP). One sequential
 * pass over .symtab checks every symbol and copies it into a 24-byte
 * record; the mapped .symtab pages are then dropped, and the records are
 * radix-sorted by value (each run of one value then by the full order), so
 * that hashing walks them in order and only the names are random accesses,
 * prefetched ahead and copied with fixed-size moves into one buffer that
 * XXH3 takes 64 KiB at a time. A 300,000-symbol vmlinux takes a few times
 * the time of reading its .symtab and .strtab and less than twice their
 * size in memory (bench/README.md, "symhash"). */
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct kw_symset_priv {
	int fd;
	Elf *elf;
	int elfclass;
	/* .symtab as elf_getdata gives it: host byte order, Elf32_Sym or
	 * Elf64_Sym. Indexed directly: gelf_getsymshndx copies and checks on
	 * every call, which was a third of the time on a large vmlinux. Read
	 * with memcpy, since libelf may hand out unaligned mapped data. */
	const unsigned char *syms;
	size_t nsyms;
	const unsigned char *xndx; /* .symtab_shndx words, or NULL */
	size_t nxndx;
	const char *strtab;     /* .strtab contents */
	size_t strsize;
	size_t shnum;
	const char **secname;   /* per section index */
	uint32_t *seclen;       /* their lengths */
	char *secletter;        /* nm's lowercase letter per section */
	struct rec *rec;        /* the set in canonical order */
	size_t count;
};

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

/* The fields of one .symtab entry, class-independent. */
struct raw {
	uint64_t value, size;
	uint32_t name;
	uint32_t shndx;         /* SHN_XINDEX resolved */
	uint16_t st_shndx;      /* as in the entry */
	unsigned char info;
};

/* Entry I of .symtab, in either class. Field by field: copying the
 * entry whole to the stack and reading fields back costs a failed
 * store-to-load forwarding on every symbol. */
#define READ_FIELD(type, field, out)                                      \
	do {                                                              \
		__typeof__(((type *)0)->field) f_;                        \
		memcpy(&f_, ent + offsetof(type, field), sizeof(f_));     \
		(out) = f_;                                               \
	} while (0)
#define READ_SYM(type)                                                    \
	do {                                                              \
		const unsigned char *ent = p->syms + i * sizeof(type);    \
		READ_FIELD(type, st_value, r->value);                     \
		READ_FIELD(type, st_size, r->size);                       \
		READ_FIELD(type, st_name, r->name);                       \
		READ_FIELD(type, st_shndx, r->st_shndx);                  \
		READ_FIELD(type, st_info, r->info);                       \
	} while (0)

static void raw_sym(const struct kw_symset_priv *p, size_t i, struct raw *r)
{
	if (p->elfclass == ELFCLASS64)
		READ_SYM(Elf64_Sym);
	else
		READ_SYM(Elf32_Sym);
	r->shndx = r->st_shndx;
	if (r->st_shndx == SHN_XINDEX && p->xndx && i < p->nxndx) {
		Elf32_Word w;
		memcpy(&w, p->xndx + i * sizeof(w), sizeof(w));
		r->shndx = w;
	}
}

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

static const char *elferr(void)
{
	const char *m = elf_errmsg(-1);
	return m ? m : "unknown libelf error";
}

/* nm's letter for a symbol in a section (binutils bfd_decode_symclass and
 * decode_section_type, with the ELF-to-BFD section flags of
 * _bfd_elf_make_section_from_shdr), before case is decided. */
static char section_letter(const GElf_Shdr *sh, const char *name, unsigned machine)
{
	static const char *const coff[][2] = {
		{ ".drectve", "i" }, { ".edata", "e" }, { ".idata", "i" }, { ".pdata", "p" },
	};
	for (size_t i = 0; i < sizeof(coff) / sizeof(*coff); i++)
		if (!strncmp(name, coff[i][0], strlen(coff[i][0])))
			return coff[i][1][0];

	bool contents = sh->sh_type != SHT_NOBITS;
	bool alloc = sh->sh_flags & SHF_ALLOC;
	bool readonly = !(sh->sh_flags & SHF_WRITE);
	bool small = machine == EM_MIPS && (sh->sh_flags & 0x10000000 /* SHF_MIPS_GPREL */);
	if (sh->sh_flags & SHF_EXECINSTR)
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
	/* Static names for the few others: no allocation per symbol. */
	static char res[SHN_HIRESERVE - SHN_LORESERVE + 1][16];
	char *name = res[reserved - SHN_LORESERVE];
	if (!name[0])
		snprintf(name, sizeof(res[0]), "*RES-0x%04x*", reserved);
	return name;
}

/* The full symbol of record R. */
static void load(const struct kw_symset_priv *p, const struct rec *r, struct kw_sym *out)
{
	uint32_t idx = REC_INDEX(r->sect);
	unsigned type = GELF_ST_TYPE(REC_INFO(r->sect)), bind = GELF_ST_BIND(REC_INFO(r->sect));
	unsigned reserved = rec_reserved(r);

	out->value = r->value;
	out->size = r->size;
	out->name = p->strtab + r->name;
	out->type = (unsigned char)type;
	out->bind = (unsigned char)bind;
	out->undefined = idx == 0;
	out->section = rec_section(p, r);

	char c;
	/* nm's letter (binutils bfd_decode_symclass over elf_slurp_symbol_table's
	 * flags). */
	bool weak = bind == STB_WEAK, object = type == STT_OBJECT || type == STT_COMMON;
	if (reserved == SHN_COMMON)
		c = 'C';
	else if (idx == 0)
		c = weak ? (object ? 'v' : 'w') : 'U';
	else if (type == STT_GNU_IFUNC)
		c = 'i';
	else if (weak)
		c = object ? 'V' : 'W';
	else if (bind == STB_GNU_UNIQUE)
		c = 'u';
	else if (bind != STB_LOCAL && bind != STB_GLOBAL)
		c = '?';
	else {
		c = reserved ? 'a' : p->secletter[idx];
		if (bind == STB_GLOBAL && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
	}
	out->letter = c;
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
static int rec_cmp(const struct kw_symset_priv *p, const struct rec *a, const struct rec *b)
{
	struct kw_sym sa, sb;
	load(p, a, &sa);
	load(p, b, &sb);
	return symset_sym_cmp(&sa, &sb);
}

static void swap(struct rec *a, struct rec *b)
{
	struct rec t = *a;
	*a = *b;
	*b = t;
}

static void sift_down(const struct kw_symset_priv *p, struct rec *v, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && rec_cmp(p, &v[c], &v[c + 1]) < 0)
			c++;
		if (rec_cmp(p, &v[root], &v[c]) >= 0)
			return;
		swap(&v[root], &v[c]);
		root = c;
	}
}

/* In-place introsort, for the runs of equal values (all of an object
 * file's symbols may be at 0): no extra memory, no quadratic case. */
static void introsort(const struct kw_symset_priv *p, struct rec *v, size_t n, unsigned depth)
{
	while (n > 16) {
		if (depth-- == 0) {
			for (size_t i = n / 2; i-- > 0;)
				sift_down(p, v, i, n);
			for (size_t i = n; i-- > 1;) {
				swap(&v[0], &v[i]);
				sift_down(p, v, 0, i);
			}
			return;
		}
		/* Median of three into v[0], then Hoare partition. */
		size_t m = n / 2;
		if (rec_cmp(p, &v[m], &v[0]) < 0)
			swap(&v[m], &v[0]);
		if (rec_cmp(p, &v[n - 1], &v[m]) < 0) {
			swap(&v[n - 1], &v[m]);
			if (rec_cmp(p, &v[m], &v[0]) < 0)
				swap(&v[m], &v[0]);
		}
		swap(&v[0], &v[m]);
		size_t i = 0, j = n;
		for (;;) {
			while (rec_cmp(p, &v[++i], &v[0]) < 0 && i < n - 1)
				;
			while (rec_cmp(p, &v[0], &v[--j]) < 0)
				;
			if (i >= j)
				break;
			swap(&v[i], &v[j]);
		}
		swap(&v[0], &v[j]);
		/* Recurse into the smaller side, loop on the larger. */
		if (j < n - j - 1) {
			introsort(p, v, j, depth);
			v += j + 1;
			n -= j + 1;
		} else {
			introsort(p, v + j + 1, n - j - 1, depth);
			n = j;
		}
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && rec_cmp(p, &v[k], &v[k - 1]) < 0; k--)
			swap(&v[k], &v[k - 1]);
}

/* LSD radix sort of V[0..N) by value, in 12-bit digits of value - min:
 * one counting pass for every digit, and digits that are the same in
 * every record skipped, so that 16 MiB of addresses take two passes.
 * TMP is scratch of N records. */
static void radix(struct rec *v, struct rec *tmp, size_t n)
{
	enum { BITS = 12, BUCKETS = 1 << BITS, DIGITS = (64 + BITS - 1) / BITS };
	if (n < 2)
		return;
	uint64_t min = v[0].value, max = v[0].value;
	for (size_t i = 1; i < n; i++) {
		if (v[i].value < min)
			min = v[i].value;
		if (v[i].value > max)
			max = v[i].value;
	}
	/* Only the digits that max - min has. */
	unsigned digits = 0;
	for (uint64_t range = max - min; range; range >>= BITS)
		digits++;
	uint32_t(*count)[BUCKETS] = kw_calloc(DIGITS, sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = v[i].value - min;
		for (unsigned d = 0; d < digits; d++, k >>= BITS)
			count[d][k & (BUCKETS - 1)]++;
	}
	struct rec *v0 = v;
	for (unsigned d = 0; d < digits; d++) {
		unsigned shift = d * BITS;
		uint32_t *c = count[d];
		if (c[((v[0].value - min) >> shift) & (BUCKETS - 1)] == n)
			continue;
		uint32_t sum = 0;
		for (unsigned b = 0; b < BUCKETS; b++) {
			uint32_t t = c[b];
			c[b] = sum;
			sum += t;
		}
		for (size_t i = 0; i < n; i++)
			tmp[c[((v[i].value - min) >> shift) & (BUCKETS - 1)]++] = v[i];
		struct rec *t = v;
		v = tmp;
		tmp = t;
	}
	if (v != v0)
		memcpy(v0, v, n * sizeof(*v));
	free(count);
}

/* Sort V[0..N) (all undefined, or all defined) into the canonical order:
 * by value, then each run of one value by the full order. */
static void sort_range(const struct kw_symset_priv *p, struct rec *v, size_t n, struct rec *tmp)
{
	radix(v, tmp, n);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v[j].value == v[i].value)
			j++;
		if (j - i > 1) {
			unsigned depth = 2;
			for (size_t k = j - i; k > 1; k >>= 1)
				depth += 2;
			introsort(p, v + i, j - i, depth);
		}
		i = j;
	}
}

/* Large arrays: ask for transparent huge pages, which saves most page
 * faults and TLB misses of the sort. */
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

/* The mapped .symtab is read once: give its pages back before the sort
 * allocates, so that the peak stays under twice .symtab + .strtab. Only
 * pages of libelf's read-only mapping of the file, which the kernel reads
 * back from the file if they are touched again. */
static void drop_mapped(struct kw_symset_priv *p, const void *data, size_t size)
{
	size_t filesize;
	const char *file = p->fd >= 0 ? elf_rawfile(p->elf, &filesize) : NULL;
	const char *d = data;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	if (!file || !d || d < file || d + size > file + filesize)
		return;  /* a converted copy, or an image in memory */
	uintptr_t from = ((uintptr_t)d + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)d + size) & ~(page - 1);
	if (to > from)
		madvise((void *)from, to - from, MADV_DONTNEED);
}

static void priv_free(struct kw_symset_priv *p)
{
	if (!p)
		return;
	free(p->rec);
	free(p->secname);
	free(p->seclen);
	free(p->secletter);
	if (p->elf)
		elf_end(p->elf);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

void symset_close(struct kw_symset *set)
{
	priv_free(set->priv);
	memset(set, 0, sizeof(*set));
}

/* Does [off, off + size) lie inside a file of FILESIZE bytes? */
static bool within(uint64_t off, uint64_t size, uint64_t filesize)
{
	return off <= filesize && size <= filesize - off;
}

/* Build the set from an ELF handle; P->elf is set. */
static enum kw_symset_status build(struct kw_symset *set, struct kw_symset_priv *p,
				   uint64_t filesize, char **why)
{
	Elf *e = p->elf;
	GElf_Ehdr eh;
	size_t shstrndx;

	if (elf_kind(e) != ELF_K_ELF) {
		*why = kw_strdup(elf_kind(e) == ELF_K_AR ? "an archive, not an ELF file"
							 : "not an ELF file");
		return KW_SYMSET_NOT_ELF;
	}
	if (!gelf_getehdr(e, &eh))
		return fail(why, "bad ELF header: %s", elferr());
	if (eh.e_ident[EI_CLASS] != ELFCLASS32 && eh.e_ident[EI_CLASS] != ELFCLASS64)
		return fail(why, "bad ELF class%s", NULL);
	set->addr_width = eh.e_ident[EI_CLASS] == ELFCLASS32 ? 8 : 16;
	set->machine = eh.e_machine;

	if (eh.e_shoff == 0) {
		*why = kw_strdup("no section headers, so no .symtab");
		return KW_SYMSET_NO_SYMTAB;
	}
	/* libelf pretends a truncated section header table is empty: check it
	 * first so that a cut file is an error and not "stripped". */
	size_t shentsize = gelf_fsize(e, ELF_T_SHDR, 1, EV_CURRENT);
	if (eh.e_shentsize != shentsize)
		return fail(why, "corrupt ELF header: bad section header size%s", NULL);
	if (!within(eh.e_shoff, (uint64_t)(eh.e_shnum ? eh.e_shnum : 1) * shentsize, filesize))
		return fail(why, "truncated: the section header table ends past the end of the "
			    "file%s", NULL);
	if (elf_getshdrnum(e, &p->shnum))
		return fail(why, "bad section count: %s", elferr());
	if (p->shnum == 0 ||
	    !within(eh.e_shoff, (uint64_t)p->shnum * shentsize, filesize))
		return fail(why, "truncated: the section header table ends past the end of the "
			    "file%s", NULL);
	if (elf_getshdrstrndx(e, &shstrndx))
		return fail(why, "bad section name string table index: %s", elferr());
	if (shstrndx == SHN_UNDEF || shstrndx >= p->shnum)
		return fail(why, "section name string table index out of range%s", NULL);

	/* Every section: its name (checked) and its nm letter; find .symtab. */
	p->secname = kw_calloc(p->shnum, sizeof(*p->secname));
	p->seclen = kw_calloc(p->shnum, sizeof(*p->seclen));
	p->secletter = kw_calloc(p->shnum, 1);
	Elf_Scn *symscn = NULL;
	GElf_Shdr symsh;
	size_t symndx = 0;
	for (size_t i = 0; i < p->shnum; i++) {
		Elf_Scn *s = elf_getscn(e, i);
		GElf_Shdr sh;
		if (!s || !gelf_getshdr(s, &sh))
			return fail(why, "corrupt section header table: %s", elferr());
		const char *name = i == 0 ? "" : elf_strptr(e, shstrndx, sh.sh_name);
		if (!name) {
			char *d = kw_asprintf("%zu", i);
			int rc = fail(why, "corrupt section header table: the name of section %s "
				      "is outside the section name string table", d);
			free(d);
			return rc;
		}
		p->secname[i] = name;
		p->seclen[i] = (uint32_t)strlen(name);
		p->secletter[i] = section_letter(&sh, name, set->machine);
		if (sh.sh_type == SHT_SYMTAB && !symscn) {
			symscn = s;
			symsh = sh;
			symndx = i;
		}
	}
	if (!symscn) {
		*why = kw_strdup("no .symtab (stripped?)");
		return KW_SYMSET_NO_SYMTAB;
	}
	if (!within(symsh.sh_offset, symsh.sh_size, filesize))
		return fail(why, "truncated: .symtab ends past the end of the file%s", NULL);
	if (symsh.sh_link == SHN_UNDEF || symsh.sh_link >= p->shnum)
		return fail(why, ".symtab: string table index out of range%s", NULL);

	/* The symbol names' table, read whole: names point into it. */
	Elf_Scn *strscn = elf_getscn(e, symsh.sh_link);
	GElf_Shdr strsh;
	Elf_Data *strdata;
	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return fail(why, ".symtab: its string table is not a string table%s", NULL);
	if (!within(strsh.sh_offset, strsh.sh_size, filesize))
		return fail(why, "truncated: .strtab ends past the end of the file%s", NULL);
	if (!(strdata = elf_getdata(strscn, NULL)) || !strdata->d_buf || strdata->d_size == 0)
		return fail(why, "cannot read .strtab: %s", elferr());
	p->strtab = strdata->d_buf;
	p->strsize = strdata->d_size;

	Elf_Data *symdata = elf_getdata(symscn, NULL);
	size_t symsize = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
	if (!symdata || symdata->d_type != ELF_T_SYM || (symdata->d_size && !symdata->d_buf))
		return fail(why, "cannot read .symtab: %s", elf_errno() ? elferr() : "not symbols");
	p->elfclass = eh.e_ident[EI_CLASS];
	p->syms = symdata->d_buf;
	p->nsyms = symdata->d_size / symsize;
	if (p->nsyms > UINT32_MAX)
		return fail(why, ".symtab: too many symbols%s", NULL);

	/* SHN_XINDEX: the .symtab_shndx section that belongs to .symtab. */
	for (size_t i = 1; i < p->shnum; i++) {
		Elf_Scn *s = elf_getscn(e, i);
		GElf_Shdr sh;
		if (!s || !gelf_getshdr(s, &sh) || sh.sh_type != SHT_SYMTAB_SHNDX ||
		    sh.sh_link != symndx)
			continue;
		if (!within(sh.sh_offset, sh.sh_size, filesize))
			return fail(why, "truncated: .symtab_shndx ends past the end of the file%s",
				    NULL);
		Elf_Data *xd = elf_getdata(s, NULL);
		if (!xd || (xd->d_size && !xd->d_buf))
			return fail(why, "cannot read .symtab_shndx: %s", elferr());
		p->xndx = xd->d_buf;
		p->nxndx = xd->d_size / sizeof(Elf32_Word);
		break;
	}

	if (p->shnum >= REC_RESERVED)
		return fail(why, "more sections than klinkwrap handles (16 million)%s", NULL);

	/* Check every symbol once and copy it; undefined ones go to the
	 * front, defined ones fill the array from the back. */
	bool str_terminated = p->strtab[p->strsize - 1] == '\0';
	struct rec *rec = p->rec = big_alloc((p->nsyms ? p->nsyms : 1) * sizeof(*rec));
	size_t nund = 0, top = p->nsyms;
	for (size_t i = 1; i < p->nsyms; i++) {
		struct raw sym;
		raw_sym(p, i, &sym);
		unsigned type = GELF_ST_TYPE(sym.info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		uint32_t sect;
		if (sym.st_shndx == SHN_XINDEX) {
			if (!p->xndx)
				return fail_sym(why, "symbol %zu uses SHN_XINDEX but there is no "
						".symtab_shndx", i);
			if (i >= p->nxndx)
				return fail_sym(why, "symbol %zu has no entry in .symtab_shndx", i);
			if (sym.shndx == 0 || sym.shndx >= p->shnum)
				return fail_sym(why, "symbol %zu: extended section index out of range",
						i);
			sect = sym.shndx;
		} else if (sym.st_shndx >= SHN_LORESERVE) {
			sect = REC_RESERVED | (sym.st_shndx & 0xff);
		} else if (sym.st_shndx >= p->shnum) {
			return fail_sym(why, "symbol %zu: section index out of range", i);
		} else {
			sect = sym.st_shndx;
		}
		/* Checked access to the name, as objtool does; when the table
		 * ends with a NUL, the bounds check is all elf_strptr would do. */
		if (sym.name >= p->strsize)
			return fail_sym(why, "symbol %zu: name is outside the string table", i);
		if (!str_terminated) {
			const char *name = elf_strptr(e, symsh.sh_link, sym.name);
			if (!name || name != p->strtab + sym.name)
				return fail_sym(why, "symbol %zu: name is outside the string table",
						i);
		}
		size_t at = sym.st_shndx == SHN_UNDEF ? nund++ : --top;
		rec[at] = (struct rec){ .value = sym.value, .size = sym.size, .name = sym.name,
					.sect = sect | (uint32_t)sym.info << 24 };
	}
	size_t ndef = p->nsyms - top;
	memmove(rec + nund, rec + top, ndef * sizeof(*rec));
	set->count = p->count = nund + ndef;
	drop_mapped(p, p->syms, p->nsyms * symsize);
	p->syms = NULL;
	struct rec *tmp = big_alloc((set->count ? set->count : 1) * sizeof(*tmp));
	sort_range(p, rec, nund, tmp);
	sort_range(p, rec + nund, ndef, tmp);
	free(tmp);
	return KW_SYMSET_OK;
}

static bool libelf_ready(void)
{
	static int ok = -1;
	if (ok < 0)
		ok = elf_version(EV_CURRENT) != EV_NONE;
	return ok;
}

static enum kw_symset_status finish(struct kw_symset *set, struct kw_symset_priv *p,
				    uint64_t filesize, char **why)
{
	enum kw_symset_status st = build(set, p, filesize, why);
	if (st != KW_SYMSET_OK) {
		priv_free(p);
		memset(set, 0, sizeof(*set));
		return st;
	}
	set->priv = p;
	return KW_SYMSET_OK;
}

enum kw_symset_status symset_open(const char *path, struct kw_symset *set, char **why)
{
	struct stat st;
	memset(set, 0, sizeof(*set));
	if (!libelf_ready())
		return fail(why, "libelf is too old%s", NULL);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(why, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		int err = errno;
		close(fd);
		return fail(why, "%s", strerror(err));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return fail(why, "is a directory%s", NULL);
	}
	if (!S_ISREG(st.st_mode)) {
		/* A device or a pipe (an output of /dev/null): nothing to read
		 * a symbol table from, like an empty file. */
		close(fd);
		*why = kw_strdup("not a regular file, not ELF");
		return KW_SYMSET_NOT_ELF;
	}
	if (st.st_size == 0) {
		close(fd);
		*why = kw_strdup("empty file, not ELF");
		return KW_SYMSET_NOT_ELF;
	}
	struct kw_symset_priv *p = kw_calloc(1, sizeof(*p));
	p->fd = fd;
	if (!(p->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL))) {
		int rc = fail(why, "%s", elferr());
		priv_free(p);
		return rc;
	}
	return finish(set, p, (uint64_t)st.st_size, why);
}

enum kw_symset_status symset_open_memory(const void *buf, size_t len, struct kw_symset *set,
					  char **why)
{
	memset(set, 0, sizeof(*set));
	if (!libelf_ready())
		return fail(why, "libelf is too old%s", NULL);
	if (len == 0) {
		*why = kw_strdup("empty file, not ELF");
		return KW_SYMSET_NOT_ELF;
	}
	struct kw_symset_priv *p = kw_calloc(1, sizeof(*p));
	p->fd = -1;
	if (!(p->elf = elf_memory((char *)buf, len))) {
		int rc = fail(why, "%s", elferr());
		priv_free(p);
		return rc;
	}
	return finish(set, p, len, why);
}

void symset_get(const struct kw_symset *set, size_t i, struct kw_sym *out)
{
	load(set->priv, &set->priv->rec[i], out);
}

static void put64(unsigned char *b, uint64_t v)
{
	v = htole64(v);
	memcpy(b, &v, sizeof(v));
}

/* The canonical byte stream goes through a buffer of HASH_BUF bytes,
 * hashed a buffer at a time. A record is written in place, with
 * fixed-size copies of NAME_WIN bytes of its name and SEC_WIN of its
 * section name, while HASH_SLACK bytes are free; a longer one, or a name
 * at the very end of .strtab, goes piece by piece. */
enum { HASH_BUF = 1 << 16, NAME_WIN = 64, SEC_WIN = 32, HASH_SLACK = 18 + NAME_WIN + SEC_WIN };

struct hasher {
	XXH3_state_t *st;
	unsigned char *buf;
	size_t used;
};

static void hasher_flush(struct hasher *h)
{
	XXH3_128bits_update(h->st, h->buf, h->used);
	h->used = 0;
}

/* Append LEN bytes of any length. */
static void hasher_put(struct hasher *h, const void *data, size_t len)
{
	const unsigned char *d = data;
	while (len) {
		size_t n = HASH_BUF - h->used < len ? HASH_BUF - h->used : len;
		memcpy(h->buf + h->used, d, n);
		h->used += n;
		d += n;
		len -= n;
		if (h->used == HASH_BUF)
			hasher_flush(h);
	}
}

/* The index of the first NUL in the NAME_WIN bytes at P, or NAME_WIN. */
static inline size_t nul_in_window(const unsigned char *p)
{
#if defined(__SSE2__)
	const __m128i z = _mm_setzero_si128();
	uint64_t m = 0;
	for (int k = 0; k < NAME_WIN / 16; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, z)) << (16 * k);
	}
	return m ? (size_t)__builtin_ctzll(m) : NAME_WIN;
#else
	for (int k = 0; k < NAME_WIN / 8; k++) {
		uint64_t w;
		memcpy(&w, p + 8 * k, 8);
		w = le64toh(w);
		uint64_t t = (w - 0x0101010101010101u) & ~w & 0x8080808080808080u;
		if (t)
			return 8 * (size_t)k + (size_t)__builtin_ctzll(t) / 8;
	}
	return NAME_WIN;
#endif
}

void symset_hash(const struct kw_symset *set, struct kw_symhash *out)
{
	const struct kw_symset_priv *p = set->priv;
	struct hasher h = { .st = XXH3_createState() };
	if (!h.st)
		kw_die(KW_EXIT_SELF, "out of memory");
	XXH3_128bits_reset(h.st);
	h.buf = kw_malloc(HASH_BUF);

	/* The section part of every record, by section key (REC_INDEX for
	 * a real section or 0, shnum + low byte for a reserved index): its
	 * name and its length with the NUL; and the short ones copied into
	 * a pool with SEC_WIN readable bytes after each start. */
	size_t nkeys = p->shnum + 256, poolsize = SEC_WIN;
	const char **secstr = kw_malloc(nkeys * sizeof(*secstr));
	size_t *seclen = kw_malloc(nkeys * sizeof(*seclen));
	size_t *secoff = kw_malloc(nkeys * sizeof(*secoff));
	for (size_t k = 0; k < nkeys; k++) {
		struct rec r = { .sect = k < p->shnum ? (uint32_t)k
						     : REC_RESERVED | (uint32_t)(k - p->shnum) };
		secstr[k] = rec_section(p, &r);
		seclen[k] = (k < p->shnum && k ? p->seclen[k] : strlen(secstr[k])) + 1;
		secoff[k] = poolsize - SEC_WIN;
		if (seclen[k] <= SEC_WIN)
			poolsize += seclen[k];
	}
	char *pool = kw_calloc(poolsize, 1);
	for (size_t k = 0; k < nkeys; k++)
		if (seclen[k] <= SEC_WIN)
			memcpy(pool + secoff[k], secstr[k], seclen[k]);

	const struct rec *rec = p->rec;
	const unsigned char *strtab = (const unsigned char *)p->strtab;
	size_t count = set->count, shnum = p->shnum;
	enum { AHEAD = 64 };
	for (size_t i = 0; i < count; i++) {
		const struct rec *r = &rec[i];
		/* The names are a random walk through .strtab: start the loads
		 * early. Inline and unconditional: GCC drops a prefetch in a
		 * static helper. */
		const unsigned char *ahead = strtab + rec[i + AHEAD < count ? i + AHEAD : i].name;
		__builtin_prefetch(ahead);
		__builtin_prefetch(ahead + NAME_WIN - 1);

		uint32_t idx = REC_INDEX(r->sect);
		size_t key = idx < REC_RESERVED ? idx : shnum + (idx & 0xff);
		if (h.used > HASH_BUF - HASH_SLACK)
			hasher_flush(&h);
		unsigned char *b = h.buf + h.used;
		put64(b, r->value);
		put64(b + 8, r->size);
		b[16] = (unsigned char)GELF_ST_TYPE(REC_INFO(r->sect));
		b[17] = (unsigned char)GELF_ST_BIND(REC_INFO(r->sect));
		const unsigned char *name = strtab + r->name;
		size_t nl = NAME_WIN;
		if (p->strsize - r->name >= NAME_WIN) {
			memcpy(b + 18, name, NAME_WIN);
			nl = nul_in_window(b + 18);
		}
		size_t sl = seclen[key];
		if (nl < NAME_WIN && sl <= SEC_WIN) {
			nl++;
			memcpy(b + 18 + nl, pool + secoff[key], SEC_WIN);
			h.used += 18 + nl + sl;
			continue;
		}
		/* A long name or section name, or one at the end of .strtab. */
		h.used += 18;
		hasher_put(&h, name, strlen((const char *)name) + 1);
		hasher_put(&h, secstr[key], sl);
	}
	hasher_flush(&h);
	XXH128_hash_t hv = XXH3_128bits_digest(h.st);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, hv);
	memcpy(out->b, c.digest, sizeof(out->b));
	free(pool);
	free(secstr);
	free(seclen);
	free(secoff);
	free(h.buf);
	XXH3_freeState(h.st);
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
	struct kw_symset_priv *p = set->priv;
	for (size_t i = 0; i < set->count; i++) {
		struct kw_sym s;
		if (strcmp(p->strtab + p->rec[i].name, "linux_banner"))
			continue;
		symset_get(set, i, &s);
		if (s.undefined || s.section[0] == '*')
			return -1;
		/* Find the section by name and read the string at the address. */
		for (size_t k = 1; k < p->shnum; k++) {
			GElf_Shdr sh;
			Elf_Scn *scn = elf_getscn(p->elf, k);
			if (p->secname[k] != s.section || !scn || !gelf_getshdr(scn, &sh) ||
			    sh.sh_type == SHT_NOBITS || s.value < sh.sh_addr ||
			    s.value - sh.sh_addr >= sh.sh_size)
				continue;
			Elf_Data *d = elf_rawdata(scn, NULL);
			size_t off = s.value - sh.sh_addr;
			if (!d || !d->d_buf || off >= d->d_size)
				return -1;
			char text[64] = "";
			size_t len = d->d_size - off < sizeof(text) - 1 ? d->d_size - off
								    : sizeof(text) - 1;
			memcpy(text, (const char *)d->d_buf + off, len);
			text[len] = '\0';
			return sscanf(text, "Linux version %d.%d", major, minor) == 2 ? 0 : -1;
		}
		return -1;
	}
	return -1;
}

enum kw_symset_status symset_hash_file(const char *path, struct kw_symhash *hash, size_t *count,
				       char **why)
{
	struct kw_symset set;
	enum kw_symset_status st = symset_open(path, &set, why);
	if (st != KW_SYMSET_OK)
		return st;
	symset_hash(&set, hash);
	*count = set.count;
	symset_close(&set);
	return KW_SYMSET_OK;
}
