/* The symbol-set reader and hash: canonical order, nm's letters, a
 * known-answer hash re-derived from the definition in klinkwrap(1), the
 * same set in ELF32/ELF64 and both byte orders (written with libelf, and
 * assembled by Debian's cross binutils), SHN_XINDEX, corrupt input, nm's
 * order, and a reader that keeps nothing of the file (no mapping, no
 * descriptor) and never opens a FIFO. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "klinkwrap/symmap.h"
#include "klinkwrap/symset.h"

/* The crafted set, in canonical order; the ELF files list it shuffled. */
struct want {
	const char *name;
	uint64_t value, size;
	unsigned type, bind;
	const char *section;
	char letter;
};
static const struct want want[] = {
	{ "ext", 0, 0, STT_NOTYPE, STB_GLOBAL, "*UND*", 'U' },
	{ "maybe_obj", 0, 0, STT_OBJECT, STB_WEAK, "*UND*", 'v' },
	{ "buf", 0, 64, STT_OBJECT, STB_GLOBAL, ".bss", 'B' },
	{ "counter", 0, 4, STT_OBJECT, STB_GLOBAL, ".data", 'D' },
	{ "main", 0, 16, STT_FUNC, STB_GLOBAL, ".text", 'T' },
	{ "dbg", 0x5, 0, STT_NOTYPE, STB_LOCAL, ".debug_info", 'N' },
	{ "comm", 8, 32, STT_OBJECT, STB_GLOBAL, "*COM*", 'C' },
	{ "local_fn", 0x10, 8, STT_FUNC, STB_LOCAL, ".text", 't' },
	{ "zeta", 0x10, 0, STT_NOTYPE, STB_LOCAL, ".text", 't' },
	{ "weak_fn", 0x18, 8, STT_FUNC, STB_WEAK, ".text", 'W' },
	{ "iff", 0x1c, 4, STT_GNU_IFUNC, STB_GLOBAL, ".text", 'i' },
	{ "table", 0x20, 16, STT_OBJECT, STB_LOCAL, ".rodata", 'r' },
	{ "dup", 0x30, 2, STT_FUNC, STB_LOCAL, ".text", 't' },
	{ "dup", 0x30, 4, STT_FUNC, STB_LOCAL, ".text", 't' },
	/* A processor-specific reserved index (SHN_LOPROC + 5). */
	{ "proc_sym", 0x40, 0, STT_NOTYPE, STB_GLOBAL, "*RES-0xff05*", 'A' },
	{ "absval", 0x1234, 0, STT_NOTYPE, STB_GLOBAL, "*ABS*", 'A' },
};
#define NWANT (sizeof(want) / sizeof(*want))

/* The hash of that set, by the definition: keep in step with the man page. */
static const char known_answer[] = "0933019fd599bee46338bba98f1b0e75";

/* Section indexes in the crafted files. */
enum { S_TEXT = 1, S_DATA, S_BSS, S_RODATA, S_DEBUG, S_SYMTAB, S_STRTAB, S_SHSTRTAB, S_N };

static unsigned shndx_of(const char *section)
{
	if (!strcmp(section, "*UND*"))
		return SHN_UNDEF;
	if (!strcmp(section, "*ABS*"))
		return SHN_ABS;
	if (!strcmp(section, "*COM*"))
		return SHN_COMMON;
	if (!strncmp(section, "*RES-0x", 7))
		return (unsigned)strtoul(section + 7, NULL, 16);
	static const char *const names[] = { "", ".text", ".data", ".bss", ".rodata",
					     ".debug_info" };
	for (unsigned i = 1; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(section, names[i]))
			return i;
	fail_msg("no section %s", section);
	return 0;
}

static char tmpdir[] = "/tmp/kw-test-symset-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	elf_version(EV_CURRENT);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	if (getenv("KW_KEEP_TMP"))      /* to look at the crafted files */
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) ? -1 : 0;
}

static Elf_Scn *add_section(Elf *e, GElf_Shdr *sh, const void *data, size_t size, Elf_Type type)
{
	Elf_Scn *s = elf_newscn(e);
	assert_non_null(s);
	Elf_Data *d = elf_newdata(s);
	assert_non_null(d);
	d->d_buf = (void *)data;
	d->d_size = size;
	d->d_type = type;
	d->d_align = 1;
	d->d_version = EV_CURRENT;
	GElf_Shdr cur;
	assert_non_null(gelf_getshdr(s, &cur));
	sh->sh_size = size;
	assert_true(gelf_update_shdr(s, sh));
	return s;
}

/* Write the crafted relocatable file with CLASS and byte order DATA. */
static char *write_crafted(int class, int data, unsigned machine)
{
	static int seq;
	char *path;
	assert_true(asprintf(&path, "%s/crafted-%d", tmpdir, seq++) > 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	assert_non_null(e);
	assert_non_null(gelf_newehdr(e, class));
	GElf_Ehdr eh;
	gelf_getehdr(e, &eh);
	eh.e_ident[EI_DATA] = (unsigned char)data;
	eh.e_type = ET_REL;
	eh.e_machine = (GElf_Half)machine;
	eh.e_version = EV_CURRENT;

	static char shstr[] = "\0.text\0.data\0.bss\0.rodata\0.debug_info\0.symtab\0.strtab\0"
			      ".shstrtab";
	static const unsigned shname[S_N] = { 0, 1, 7, 13, 18, 26, 38, 46, 54 };
	static unsigned char text[64], dat[8], ro[48], dbg[16];

	/* Names: "t.c" for the file symbol, then each wanted name. */
	static char strtab[512];
	size_t strsz = 1, nameoff[NWANT];
	memcpy(strtab + strsz, "t.c", 4);
	size_t fileoff = strsz;
	strsz += 4;
	for (size_t i = 0; i < NWANT; i++) {
		nameoff[i] = strsz;
		size_t n = strlen(want[i].name) + 1;
		memcpy(strtab + strsz, want[i].name, n);
		strsz += n;
	}

	/* Locals first (ELF requires it), otherwise a scrambled order. */
	static GElf_Sym syms[NWANT + 3];
	memset(syms, 0, sizeof(syms));
	size_t n = 1;
	syms[n++] = (GElf_Sym){ .st_name = (GElf_Word)fileoff,
				.st_info = GELF_ST_INFO(STB_LOCAL, STT_FILE), .st_shndx = SHN_ABS };
	syms[n++] = (GElf_Sym){ .st_info = GELF_ST_INFO(STB_LOCAL, STT_SECTION),
				.st_shndx = S_TEXT };
	size_t nlocal = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < NWANT; k++) {
			size_t i = (k * 7 + 3) % NWANT; /* scrambled */
			if ((want[i].bind == STB_LOCAL) != (pass == 0))
				continue;
			syms[n++] = (GElf_Sym){
				.st_name = (GElf_Word)nameoff[i],
				.st_info = GELF_ST_INFO(want[i].bind, want[i].type),
				.st_shndx = (GElf_Half)shndx_of(want[i].section),
				/* A common symbol's st_value is its alignment. */
				.st_value = want[i].value,
				.st_size = want[i].size,
			};
		}
		if (pass == 0)
			nlocal = n;
	}

	GElf_Shdr sh = { .sh_name = shname[S_TEXT], .sh_type = SHT_PROGBITS,
			 .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_addralign = 1 };
	add_section(e, &sh, text, sizeof(text), ELF_T_BYTE);
	sh = (GElf_Shdr){ .sh_name = shname[S_DATA], .sh_type = SHT_PROGBITS,
			  .sh_flags = SHF_ALLOC | SHF_WRITE, .sh_addralign = 1 };
	add_section(e, &sh, dat, sizeof(dat), ELF_T_BYTE);
	sh = (GElf_Shdr){ .sh_name = shname[S_BSS], .sh_type = SHT_NOBITS,
			  .sh_flags = SHF_ALLOC | SHF_WRITE, .sh_addralign = 1 };
	Elf_Scn *bss = add_section(e, &sh, NULL, 0, ELF_T_BYTE);
	sh.sh_size = 64;
	gelf_update_shdr(bss, &sh);
	sh = (GElf_Shdr){ .sh_name = shname[S_RODATA], .sh_type = SHT_PROGBITS,
			  .sh_flags = SHF_ALLOC, .sh_addralign = 1 };
	add_section(e, &sh, ro, sizeof(ro), ELF_T_BYTE);
	sh = (GElf_Shdr){ .sh_name = shname[S_DEBUG], .sh_type = SHT_PROGBITS,
			  .sh_addralign = 1 };
	add_section(e, &sh, dbg, sizeof(dbg), ELF_T_BYTE);

	/* .symtab in the file's class: convert through gelf. */
	size_t symsz = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
	void *raw = calloc(n, class == ELFCLASS32 ? sizeof(Elf32_Sym) : sizeof(Elf64_Sym));
	sh = (GElf_Shdr){ .sh_name = shname[S_SYMTAB], .sh_type = SHT_SYMTAB, .sh_link = S_STRTAB,
			  .sh_info = (GElf_Word)nlocal, .sh_entsize = symsz, .sh_addralign = 8 };
	Elf_Scn *symscn = add_section(e, &sh, raw, n * (class == ELFCLASS32 ? sizeof(Elf32_Sym)
								   : sizeof(Elf64_Sym)),
				      ELF_T_SYM);
	Elf_Data *sd = elf_getdata(symscn, NULL);
	for (size_t i = 0; i < n; i++)
		assert_true(gelf_update_sym(sd, (int)i, &syms[i]));

	sh = (GElf_Shdr){ .sh_name = shname[S_STRTAB], .sh_type = SHT_STRTAB, .sh_addralign = 1 };
	add_section(e, &sh, strtab, strsz, ELF_T_BYTE);
	sh = (GElf_Shdr){ .sh_name = shname[S_SHSTRTAB], .sh_type = SHT_STRTAB,
			  .sh_addralign = 1 };
	add_section(e, &sh, shstr, sizeof(shstr), ELF_T_BYTE);
	eh.e_shstrndx = S_SHSTRTAB;
	assert_true(gelf_update_ehdr(e, &eh));
	assert_true(elf_update(e, ELF_C_WRITE) > 0);
	elf_end(e);
	close(fd);
	free(raw);
	return path;
}

static void hex_of(const struct kw_symset *set, char *hex)
{
	struct kw_symhash h;
	symset_hash(set, &h);
	symhash_hex(&h, hex);
}

/* The hash by the definition, from the expected table: each symbol's
 * encoding hashed by itself, the hashes added modulo 2^128, the sum and
 * the count hashed. */
static void definition_hash(char *hex)
{
	uint64_t lo = 0, hi = 0;
	for (size_t i = 0; i < NWANT; i++) {
		unsigned char buf[256];
		size_t n = 0;
		for (int k = 0; k < 8; k++)
			buf[n++] = (unsigned char)(want[i].value >> (8 * k));
		for (int k = 0; k < 8; k++)
			buf[n++] = (unsigned char)(want[i].size >> (8 * k));
		buf[n++] = (unsigned char)want[i].type;
		buf[n++] = (unsigned char)want[i].bind;
		memcpy(buf + n, want[i].name, strlen(want[i].name) + 1);
		n += strlen(want[i].name) + 1;
		memcpy(buf + n, want[i].section, strlen(want[i].section) + 1);
		n += strlen(want[i].section) + 1;
		XXH128_hash_t h = XXH3_128bits(buf, n);
		uint64_t old = lo;
		lo += h.low64;
		hi += h.high64 + (lo < old);
	}
	unsigned char fin[24];
	uint64_t count = NWANT;
	for (int k = 0; k < 8; k++) {
		fin[k] = (unsigned char)(lo >> (8 * k));
		fin[8 + k] = (unsigned char)(hi >> (8 * k));
		fin[16 + k] = (unsigned char)(count >> (8 * k));
	}
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(fin, sizeof(fin)));
	for (int i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", c.digest[i]);
}

static void check_crafted(const char *path, int width)
{
	struct kw_symset set;
	char *why = NULL, hex[KW_SYMHASH_HEX_LEN + 1], def[KW_SYMHASH_HEX_LEN + 1];
	assert_int_equal(symset_open(path, &set, &why), KW_SYMSET_OK);
	assert_int_equal(set.count, NWANT);
	assert_int_equal(set.addr_width, width);
	for (size_t i = 0; i < NWANT; i++) {
		struct kw_sym s;
		symset_get(&set, i, &s);
		assert_string_equal(s.name, want[i].name);
		assert_int_equal(s.value, want[i].value);
		assert_int_equal(s.size, want[i].size);
		assert_int_equal(s.type, want[i].type);
		assert_int_equal(s.bind, want[i].bind);
		assert_string_equal(s.section, want[i].section);
		assert_int_equal(s.letter, want[i].letter);
	}
	hex_of(&set, hex);
	definition_hash(def);
	assert_string_equal(hex, def);
	assert_string_equal(hex, known_answer);
	symset_close(&set);
	/* The hash-only path keeps no records: the same hash. */
	struct kw_symhash h;
	size_t count;
	assert_int_equal(symset_hash_file(path, &h, &count, &why), KW_SYMSET_OK);
	symhash_hex(&h, hex);
	assert_string_equal(hex, known_answer);
	assert_int_equal(count, NWANT);
}

static void test_canonical_order(void **state)
{
	(void)state;
	/* Each entry sorts before the next by exactly one key. */
	static const struct kw_sym order[] = {
		{ .name = "z", .value = 9, .section = "*UND*", .undefined = true },
		{ .name = "a", .value = 0, .section = "" },
		{ .name = "B", .value = 1, .section = "" },
		{ .name = "a", .value = 1, .section = "" },
		{ .name = "a", .value = 1, .size = 1, .section = "" },
		{ .name = "a", .value = 1, .size = 1, .type = 1, .section = "" },
		{ .name = "a", .value = 1, .size = 1, .type = 1, .bind = 1, .section = ".a" },
		{ .name = "a", .value = 1, .size = 1, .type = 1, .bind = 1, .section = ".b" },
		{ .name = "a\xff", .value = 1, .section = "" },
		{ .name = "a", .value = UINT64_MAX, .section = "" },
	};
	size_t n = sizeof(order) / sizeof(*order);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = symset_sym_cmp(&order[i], &order[j]);
			if (i < j)
				assert_true(c < 0);
			else if (i > j)
				assert_true(c > 0);
			else
				assert_int_equal(c, 0);
		}
}

static void test_known_answer_all_classes_and_orders(void **state)
{
	(void)state;
	char *p;
	check_crafted(p = write_crafted(ELFCLASS64, ELFDATA2LSB, EM_X86_64), 16);
	free(p);
	check_crafted(p = write_crafted(ELFCLASS64, ELFDATA2MSB, EM_PPC64), 16);
	free(p);
	check_crafted(p = write_crafted(ELFCLASS32, ELFDATA2LSB, EM_386), 8);
	free(p);
	check_crafted(p = write_crafted(ELFCLASS32, ELFDATA2MSB, EM_PPC), 8);
	free(p);
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct stat st;
	fstat(fileno(f), &st);
	unsigned char *b = malloc((size_t)st.st_size + 1);
	assert_int_equal(fread(b, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return b;
}

static void test_memory_equals_file(void **state)
{
	(void)state;
	char *p = write_crafted(ELFCLASS64, ELFDATA2MSB, EM_PPC64);
	size_t len;
	void *b = slurp(p, &len);
	struct kw_symset set;
	char *why = NULL, hex[KW_SYMHASH_HEX_LEN + 1];
	assert_int_equal(symset_open_memory(b, len, &set, &why), KW_SYMSET_OK);
	hex_of(&set, hex);
	assert_string_equal(hex, known_answer);
	symset_close(&set);
	free(b);
	free(p);
}

/* Every cut of a good file is refused, never hashed. */
static void test_truncated_never_ok(void **state)
{
	(void)state;
	char *p = write_crafted(ELFCLASS64, ELFDATA2LSB, EM_X86_64);
	size_t len;
	unsigned char *b = slurp(p, &len);
	for (size_t cut = 0; cut < len; cut++) {
		struct kw_symset set;
		char *why = NULL;
		void *copy = malloc(cut + 1);
		memcpy(copy, b, cut);
		enum kw_symset_status st = symset_open_memory(copy, cut, &set, &why);
		if (st == KW_SYMSET_OK) {
			/* Only a cut past every section and header may read: then
			 * it must read the same set. */
			char hex[KW_SYMHASH_HEX_LEN + 1];
			hex_of(&set, hex);
			assert_string_equal(hex, known_answer);
			symset_close(&set);
		} else {
			/* Every refusal names its cause. */
			assert_non_null(why);
			assert_true(why[0]);
			assert_null(strstr(why, "no error"));
			free(why);
		}
		free(copy);
	}
	free(b);
	free(p);
}

/* Patch one field of the crafted ELF64 LE file and expect BAD. */
static void expect_bad(unsigned char *b, size_t len, const char *fragment)
{
	struct kw_symset set;
	char *why = NULL;
	assert_int_equal(symset_open_memory(b, len, &set, &why), KW_SYMSET_BAD);
	if (!strstr(why, fragment))
		fail_msg("\"%s\" does not say \"%s\"", why, fragment);
	assert_null(strstr(why, "no error"));
	free(why);
	/* The same from a file, by the hash-only path. */
	char path[128];
	snprintf(path, sizeof(path), "%s/bad", tmpdir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	struct kw_symhash h;
	size_t count;
	assert_int_equal(symset_hash_file(path, &h, &count, &why), KW_SYMSET_BAD);
	if (!strstr(why, fragment))
		fail_msg("hash path: \"%s\" does not say \"%s\"", why, fragment);
	free(why);
}

static void test_corrupt_fields(void **state)
{
	(void)state;
	char *p = write_crafted(ELFCLASS64, ELFDATA2LSB, EM_X86_64);
	size_t len;
	unsigned char *orig = slurp(p, &len), *b = malloc(len);
	Elf64_Ehdr eh;
	memcpy(&eh, orig, sizeof(eh));
	Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh.e_shoff);

	memcpy(b, orig, len);
	((Elf64_Ehdr *)b)->e_shstrndx = 200;
	expect_bad(b, len, "string table index out of range");

	memcpy(b, orig, len);
	sh[S_SYMTAB].sh_link = 999;
	expect_bad(b, len, "string table index out of range");

	memcpy(b, orig, len);
	sh[S_TEXT].sh_name = 0x7fffffff;
	expect_bad(b, len, "name of section 1");

	memcpy(b, orig, len);
	((Elf64_Ehdr *)b)->e_shoff = len - 10;
	expect_bad(b, len, "truncated");

	/* A symbol's name and section index out of range. */
	memcpy(b, orig, len);
	Elf64_Sym *sym = (Elf64_Sym *)(b + sh[S_SYMTAB].sh_offset);
	sym[3].st_name = 0x7fffffff;
	expect_bad(b, len, "name is outside the string table");

	memcpy(b, orig, len);
	sym[3].st_shndx = 77;
	expect_bad(b, len, "section index out of range");

	memcpy(b, orig, len);
	sym[3].st_shndx = SHN_XINDEX;
	expect_bad(b, len, "SHN_XINDEX");

	memcpy(b, orig, len);
	sh[S_SYMTAB].sh_offset = len;
	expect_bad(b, len, "truncated");

	/* libelf's error was cleared before it was read: "no error". */
	memcpy(b, orig, len);
	sh[S_SYMTAB].sh_size -= 1;
	expect_bad(b, len, "is not a multiple of the entry size 24");

	memcpy(b, orig, len);
	sh[S_STRTAB].sh_size = 0;
	expect_bad(b, len, ".strtab is empty");

	memcpy(b, orig, len);
	sh[S_SYMTAB].sh_entsize = 16;
	expect_bad(b, len, "entry size 16, expected 24");

	memcpy(b, orig, len);
	sh[S_SHSTRTAB].sh_type = SHT_PROGBITS;
	expect_bad(b, len, "is not a string table");

	/* .strtab cut inside its last name: that name is unterminated. */
	memcpy(b, orig, len);
	sh[S_STRTAB].sh_size -= 1;
	expect_bad(b, len, "name is outside the string table");

	free(b);
	free(orig);
	free(p);
}

/* The cross-built fixtures (tests/fixtures/make-symset-elfs.sh). */
static const char *fixtures(void)
{
	static char dir[4096];
	if (!dir[0]) {
		const char *root = getenv("KW_ROOT") ? getenv("KW_ROOT") : ".";
		char cmd[8192];
		snprintf(dir, sizeof(dir), "%s/build/fixtures/symset", root);
		snprintf(cmd, sizeof(cmd), "%s/tests/fixtures/make-symset-elfs.sh %s >&2", root, dir);
		if (system(cmd))
			fail_msg("%s failed", cmd);
	}
	return dir;
}

static int fixture_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", fixtures(), name);
	if (access(out, R_OK) == 0)
		return 0;
	if (getenv("CI") && !strcmp(getenv("CI"), "true"))
		fail_msg("missing fixture %s (cross binutils not installed?)", out);
	return -1;
}

static void test_cross_endianness(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{ "prog-ppc64-be", "prog-ppc64-le" },
		{ "prog-aarch64-be", "prog-aarch64-le" },
	};
	int done = 0;
	for (size_t i = 0; i < 2; i++) {
		char pa[4200], pb[4200], ha[40], hb[40];
		struct kw_symset a, b;
		char *why = NULL;
		if (fixture_path(pa, sizeof(pa), pairs[i][0]) ||
		    fixture_path(pb, sizeof(pb), pairs[i][1]))
			continue;
		assert_int_equal(symset_open(pa, &a, &why), KW_SYMSET_OK);
		assert_int_equal(symset_open(pb, &b, &why), KW_SYMSET_OK);
		assert_true(a.count >= 10);
		assert_int_equal(a.count, b.count);
		hex_of(&a, ha);
		hex_of(&b, hb);
		assert_string_equal(ha, hb);
		/* Spot-check the big-endian read: the 0x1234 absolute symbol. */
		int found = 0;
		for (size_t k = 0; k < a.count; k++) {
			struct kw_sym s;
			symset_get(&a, k, &s);
			if (!strcmp(s.name, "magic")) {
				assert_int_equal(s.value, 0x1234);
				assert_int_equal(s.letter, 'A');
				found = 1;
			}
			if (!strcmp(s.name, "table"))
				assert_int_equal(s.size, 16);
		}
		assert_true(found);
		symset_close(&a);
		symset_close(&b);
		done++;
	}
	if (!done)
		skip();
}

/* Every neighbour in canonical order, by symset_sym_cmp; and nm's order. */
static void check_sorted(const struct kw_symset *set)
{
	for (size_t i = 1; i < set->count; i++) {
		struct kw_sym a, b;
		symset_get(set, i - 1, &a);
		symset_get(set, i, &b);
		if (symset_sym_cmp(&a, &b) > 0)
			fail_msg("canonical order: %s before %s", a.name, b.name);
		symset_get_nm(set, i - 1, &a);
		symset_get_nm(set, i, &b);
		if (a.undefined != b.undefined ? b.undefined
		    : a.undefined		? strcmp(a.name, b.name) > 0
		    : a.value != b.value	? a.value > b.value
						: strcmp(a.name, b.name) > 0)
			fail_msg("nm order: %s before %s", a.name, b.name);
	}
}

/* Long runs of one address (sorted on 8-byte name keys after the common
 * prefix): names that share the prefix, keys equal past it, names that
 * are prefixes of others. */
static void test_long_runs(void **state)
{
	(void)state;
	char *s, *o, *cmd;
	assert_true(asprintf(&s, "%s/runs.s", tmpdir) > 0);
	assert_true(asprintf(&o, "%s/runs.o", tmpdir) > 0);
	FILE *f = fopen(s, "w");
	assert_non_null(f);
	fputs("\t.data\n", f);
	static const char *const tails[] = { "", "a", "abcdefgh", "abcdefgh1", "abcdefgh2",
					     "abcdefgi", "abcdefg", "b", "A_", "zz" };
	for (int run = 0; run < 3; run++) {
		for (int i = 0; i < 40; i++)
			fprintf(f, "\t.globl __kstrtabns_%d_%s%d\n__kstrtabns_%d_%s%d:\n", run,
				tails[(i * 7) % 10], i / 10, run, tails[(i * 7) % 10], i / 10);
		fputs("\t.quad 0\n", f);
	}
	fclose(f);
	assert_true(asprintf(&cmd, "as -o %s %s", o, s) > 0);
	if (system(cmd))
		fail_msg("%s failed", cmd);
	struct kw_symset set;
	char *why = NULL;
	assert_int_equal(symset_open(o, &set, &why), KW_SYMSET_OK);
	assert_int_equal(set.count, 120);
	check_sorted(&set);
	symset_close(&set);
	free(cmd);
	free(s);
	free(o);
}

static void test_xindex(void **state)
{
	(void)state;
	char path[4200];
	if (fixture_path(path, sizeof(path), "xindex.o"))
		skip();
	struct kw_symset set;
	char *why = NULL;
	assert_int_equal(symset_open(path, &set, &why), KW_SYMSET_OK);
	assert_int_equal(set.count, 65300);
	size_t past = 0;
	for (size_t i = 0; i < set.count; i++) {
		struct kw_sym s;
		char section[32];
		symset_get(&set, i, &s);
		assert_int_equal(s.name[0], 'f');
		/* Each function is in its own section, named after it. */
		snprintf(section, sizeof(section), ".text.%s", s.name);
		assert_string_equal(s.section, section);
		assert_int_equal(s.letter, 'T');
		past += atoi(s.name + 1) >= 65280;
	}
	assert_int_equal(past, 20);
	check_sorted(&set);
	symset_close(&set);
}


/* The mappings of this process that name PATH. */
static int mapped(const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	char line[8192];
	int n = 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, path) != NULL;
	fclose(f);
	return n;
}

static int open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

/* A set keeps nothing of its file: no mapping, no descriptor; the file
 * may be cut or rewritten while the set is held (the fixed point
 * rewrites outputs between links), and the set still reads whole. */
static void test_nothing_of_the_file_kept(void **state)
{
	(void)state;
	char *p = write_crafted(ELFCLASS64, ELFDATA2LSB, EM_X86_64);
	int fds = open_fds();
	struct kw_symset set;
	char *why = NULL, hex[KW_SYMHASH_HEX_LEN + 1];
	assert_int_equal(symset_open(p, &set, &why), KW_SYMSET_OK);
	assert_int_equal(mapped(p), 0);
	assert_int_equal(open_fds(), fds);
	/* Cut to nothing, then garbage of another size. */
	assert_int_equal(truncate(p, 0), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("rewritten in place", f);
	fclose(f);
	size_t total = 0;
	for (size_t i = 0; i < set.count; i++) {
		struct kw_sym s;
		symset_get(&set, i, &s);
		total += strlen(s.name) + strlen(s.section);
		symset_get_nm(&set, i, &s);
		total += strlen(s.name);
	}
	assert_true(total > 0);
	hex_of(&set, hex);
	assert_string_equal(hex, known_answer);
	symset_close(&set);
	free(p);

	p = write_crafted(ELFCLASS32, ELFDATA2MSB, EM_PPC);
	struct kw_symhash h;
	size_t count;
	assert_int_equal(symset_hash_file(p, &h, &count, &why), KW_SYMSET_OK);
	assert_int_equal(count, NWANT);
	assert_int_equal(mapped(p), 0);
	assert_int_equal(open_fds(), fds);
	free(p);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char m[] = "symset blocked on a FIFO\n";
	ssize_t r = write(2, m, sizeof(m) - 1);
	(void)r;
	_exit(3);
}

/* A FIFO is refused without being opened: opening one for reading
 * blocks until a writer comes. The alarm turns a hang into a failure. */
static void test_fifo_not_opened(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	signal(SIGALRM, on_alarm);
	alarm(30);
	struct kw_symset set;
	struct kw_symhash h;
	size_t count;
	char *why = NULL;
	assert_int_equal(symset_open(path, &set, &why), KW_SYMSET_NOT_ELF);
	assert_string_equal(why, "not a regular file, not ELF");
	free(why);
	assert_int_equal(symset_hash_file(path, &h, &count, &why), KW_SYMSET_NOT_ELF);
	free(why);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	unlink(path);
}

/* Undefined symbols in nm's order are by name only; a common symbol's
 * value is its size, as BFD shows it; the canonical order is unchanged. */
/* A filter that drops the undefined, local and 'dup' symbols. */
static bool keep_some(void *ctx, char letter, const char *name)
{
	(*(int *)ctx)++;
	return letter != 'U' && letter != 'v' && !(letter >= 'a' && letter <= 'z') &&
	       strcmp(name, "dup");
}

/* The filtered open keeps exactly the symbols the filter accepts, in the
 * full set's nm order, and hashes as a set of those. */
static void test_nm_filtered(void **state)
{
	(void)state;
	char *p = write_crafted(ELFCLASS64, ELFDATA2LSB, EM_X86_64);
	struct kw_symset full, kept;
	char *why = NULL;
	int calls = 0;
	assert_int_equal(symset_open(p, &full, &why), KW_SYMSET_OK);
	assert_int_equal(symset_open_nm_filtered(p, keep_some, &calls, &kept, &why), KW_SYMSET_OK);
	assert_int_equal(calls, (int)full.count);
	size_t k = 0;
	for (size_t i = 0; i < full.count; i++) {
		struct kw_sym a, b;
		symset_get_nm(&full, i, &a);
		int dummy = 0;
		if (!keep_some(&dummy, a.letter, a.name))
			continue;
		assert_true(k < kept.count);
		symset_get_nm(&kept, k, &b);
		assert_string_equal(a.name, b.name);
		assert_int_equal(a.value, b.value);
		assert_int_equal(a.letter, b.letter);
		symset_get(&kept, k, &b);  /* the same order */
		assert_string_equal(a.name, b.name);
		k++;
	}
	assert_int_equal(k, kept.count);
	assert_true(kept.count > 0 && kept.count < full.count);
	symset_close(&kept);
	symset_close(&full);
	free(p);
}

static bool keep_all(void *ctx, char letter, const char *name)
{
	(void)ctx;
	(void)letter;
	(void)name;
	return true;
}

/* Does the file of TEXT (LEN bytes) hold the map text of SET? */
static bool map_equals(const struct kw_symset *set, const char *text, size_t len)
{
	char *path;
	assert_true(asprintf(&path, "%s/map", tmpdir) > 0);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	bool equal = len % 2;  /* either way: the call decides */
	char *why = NULL;
	assert_int_equal(symmap_set_equals_fd(set, fd, &equal, &why), 0);
	close(fd);
	unlink(path);
	free(path);
	return equal;
}

/* The Kbuild check's compare: a filtered set against its own map text
 * (both classes: 8 and 16 hex digits, undefined symbols' blank
 * addresses), and against that text with a byte changed, one missing or
 * one more, anywhere. */
static void test_map_equals_fd(void **state)
{
	(void)state;
	static const int classes[][3] = { { ELFCLASS64, ELFDATA2LSB, EM_X86_64 },
					   { ELFCLASS32, ELFDATA2MSB, EM_PPC } };
	for (size_t c = 0; c < sizeof(classes) / sizeof(*classes); c++) {
		char *p = write_crafted(classes[c][0], classes[c][1], (unsigned)classes[c][2]);
		struct kw_symset set;
		char *why = NULL;
		assert_int_equal(symset_open_nm_filtered(p, keep_all, NULL, &set, &why),
				 KW_SYMSET_OK);
		size_t len;
		char *text = symmap_text_of_set(&set, &len);
		assert_true(len > 0 && text[0] == ' ');  /* an undefined symbol first */
		assert_true(map_equals(&set, text, len));
		char *t = malloc(len + 1);
		for (size_t at = 0; at < len; at++) {
			memcpy(t, text, len);
			t[at] = t[at] == 'x' ? 'y' : 'x';
			assert_false(map_equals(&set, t, len));
			memcpy(t, text, at);
			memcpy(t + at, text + at + 1, len - at - 1);
			assert_false(map_equals(&set, t, len - 1));
		}
		memcpy(t, text, len);
		t[len] = '\n';
		assert_false(map_equals(&set, t, len + 1));
		assert_false(map_equals(&set, t, 0));
		free(t);
		free(text);
		symset_close(&set);
		free(p);
	}
}

static void test_nm_order(void **state)
{
	(void)state;
	char *p = write_crafted(ELFCLASS64, ELFDATA2LSB, EM_X86_64);
	size_t len;
	unsigned char *b = slurp(p, &len);
	Elf64_Ehdr eh;
	memcpy(&eh, b, sizeof(eh));
	Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh.e_shoff);
	Elf64_Sym *sym = (Elf64_Sym *)(b + sh[S_SYMTAB].sh_offset);
	const char *str = (const char *)b + sh[S_STRTAB].sh_offset;
	size_t nsym = sh[S_SYMTAB].sh_size / sizeof(*sym);
	for (size_t i = 0; i < nsym; i++)
		if (!strcmp(str + sym[i].st_name, "ext"))
			sym[i].st_value = 0x100;    /* as mold's U __FRAME_END__ */
	struct kw_symset set;
	char *why = NULL;
	assert_int_equal(symset_open_memory(b, len, &set, &why), KW_SYMSET_OK);
	struct kw_sym s;
	symset_get(&set, 0, &s);
	assert_string_equal(s.name, "maybe_obj");
	symset_get(&set, 1, &s);
	assert_string_equal(s.name, "ext");
	symset_get_nm(&set, 0, &s);
	assert_string_equal(s.name, "ext");
	symset_get_nm(&set, 1, &s);
	assert_string_equal(s.name, "maybe_obj");
	for (size_t i = 0; i < set.count; i++) {
		symset_get_nm(&set, i, &s);
		if (!strcmp(s.name, "comm"))
			assert_int_equal(s.value, 32);
		if (i > 1) {    /* defined: by value, then name */
			struct kw_sym prev;
			symset_get_nm(&set, i - 1, &prev);
			assert_true(prev.undefined || prev.value < s.value ||
				    (prev.value == s.value && strcmp(prev.name, s.name) <= 0));
		}
	}
	symset_close(&set);
	free(b);
	free(p);
}

/* An object with a linux_banner string, assembled. */
static char *banner_object(const char *banner)
{
	static int seq;
	char *s, *o, *cmd;
	assert_true(asprintf(&s, "%s/banner-%d.s", tmpdir, seq) > 0);
	assert_true(asprintf(&o, "%s/banner-%d.o", tmpdir, seq++) > 0);
	FILE *f = fopen(s, "w");
	assert_non_null(f);
	fprintf(f, "\t.section .rodata\n\t.globl linux_banner\n\t.type linux_banner, @object\n"
		   "linux_banner:\n\t.asciz \"%s\"\n\t.size linux_banner, %zu\n",
		banner, strlen(banner) + 1);
	fclose(f);
	assert_true(asprintf(&cmd, "as -o %s %s", o, s) > 0);
	if (system(cmd))
		fail_msg("%s failed", cmd);
	free(cmd);
	free(s);
	return o;
}

/* The banner's numbers are parsed with bounds: sscanf's %d wrapped
 * 4294967302 to 6. */
static void test_kernel_version_bounds(void **state)
{
	(void)state;
	static const struct {
		const char *banner;
		int rc, major, minor;
	} cases[] = {
		{ "Linux version 6.1.0 (kw@ci)", 0, 6, 1 },
		{ "Linux version 6.12.57", 0, 6, 12 },
		{ "Linux version 4294967302.3.0", -1, 0, 0 },
		{ "Linux version 6.99999999999", -1, 0, 0 },
		{ "Linux version 6.", -1, 0, 0 },
		{ "Linux version .1", -1, 0, 0 },
		{ "Linux 6.1", -1, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *o = banner_object(cases[i].banner);
		struct kw_symset set;
		char *why = NULL;
		int major = 0, minor = 0;
		assert_int_equal(symset_open(o, &set, &why), KW_SYMSET_OK);
		int rc = symset_kernel_version(&set, &major, &minor);
		if (rc != cases[i].rc)
			fail_msg("%s: %d, not %d (%d.%d)", cases[i].banner, rc, cases[i].rc, major,
				 minor);
		if (!rc) {
			assert_int_equal(major, cases[i].major);
			assert_int_equal(minor, cases[i].minor);
		}
		symset_close(&set);
		free(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_order),
		cmocka_unit_test(test_known_answer_all_classes_and_orders),
		cmocka_unit_test(test_memory_equals_file),
		cmocka_unit_test(test_truncated_never_ok),
		cmocka_unit_test(test_corrupt_fields),
		cmocka_unit_test(test_cross_endianness),
		cmocka_unit_test(test_xindex),
		cmocka_unit_test(test_long_runs),
		cmocka_unit_test(test_nothing_of_the_file_kept),
		cmocka_unit_test(test_fifo_not_opened),
		cmocka_unit_test(test_nm_order),
		cmocka_unit_test(test_nm_filtered),
		cmocka_unit_test(test_map_equals_fd),
		cmocka_unit_test(test_kernel_version_bounds),
	};
	return cmocka_run_group_tests_name("symset", tests, setup, teardown);
}
