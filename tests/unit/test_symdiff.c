/* symdiff on sizes and addresses at the ends of the 64-bit range: deltas
 * that need 65 bits, totals past 2^64, the int64 boundary of the JSON
 * output (exact up to it, clamped and flagged beyond), the order of rows
 * and the mirror of a diff. The sets are tiny ELF64 objects built here in
 * memory. Under the sanitizer build any signed overflow fails the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klinkwrap/symdiff.h"
#include "klinkwrap/symset.h"

#define MAX_SYMS 8
#define U64_MAX UINT64_C(0xffffffffffffffff)
#define TWO63 UINT64_C(0x8000000000000000)

struct s {
	const char *name;
	uint64_t value, size;
};

struct set {
	struct kw_symset set;
	void *buf;
};

/* An ELF64 little-endian relocatable with global data symbols in .data:
 * sections null, .data, .symtab, .strtab, .shstrtab. */
static void build(struct set *out, const struct s *syms, size_t n)
{
	static const char shstr[] = "\0.data\0.symtab\0.strtab\0.shstrtab";
	char strtab[256] = "";
	size_t strsz = 1;
	Elf64_Sym sym[MAX_SYMS + 1];
	assert_true(n <= MAX_SYMS);
	memset(sym, 0, sizeof(sym));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(syms[i].name) + 1;
		assert_true(strsz + len <= sizeof(strtab));
		memcpy(strtab + strsz, syms[i].name, len);
		sym[i + 1] = (Elf64_Sym){ .st_name = (Elf64_Word)strsz,
					  .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
					  .st_shndx = 1, .st_value = syms[i].value,
					  .st_size = syms[i].size };
		strsz += len;
	}
	size_t off_data = sizeof(Elf64_Ehdr), off_sym = off_data + 8;
	size_t off_str = off_sym + (n + 1) * sizeof(Elf64_Sym), off_shstr = off_str + strsz;
	size_t off_sh = (off_shstr + sizeof(shstr) + 7) & ~(size_t)7;
	size_t total = off_sh + 5 * sizeof(Elf64_Shdr);
	unsigned char *b = calloc(1, total);
	assert_non_null(b);

	Elf64_Ehdr eh = { .e_type = ET_REL, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_shoff = off_sh, .e_ehsize = sizeof(Elf64_Ehdr),
			  .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = 5, .e_shstrndx = 4 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(b, &eh, sizeof(eh));
	memcpy(b + off_sym, sym, (n + 1) * sizeof(Elf64_Sym));
	memcpy(b + off_str, strtab, strsz);
	memcpy(b + off_shstr, shstr, sizeof(shstr));
	Elf64_Shdr sh[5] = {
		{ 0 },
		{ .sh_name = 1, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
		  .sh_offset = off_data, .sh_size = 8, .sh_addralign = 1 },
		{ .sh_name = 7, .sh_type = SHT_SYMTAB, .sh_offset = off_sym,
		  .sh_size = (n + 1) * sizeof(Elf64_Sym), .sh_link = 3, .sh_info = 1,
		  .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) },
		{ .sh_name = 15, .sh_type = SHT_STRTAB, .sh_offset = off_str, .sh_size = strsz,
		  .sh_addralign = 1 },
		{ .sh_name = 23, .sh_type = SHT_STRTAB, .sh_offset = off_shstr,
		  .sh_size = sizeof(shstr), .sh_addralign = 1 },
	};
	memcpy(b + off_sh, sh, sizeof(sh));

	char *why = NULL;
	enum kw_symset_status st = symset_open_memory(b, total, &out->set, &why);
	if (st != KW_SYMSET_OK)
		fail_msg("crafted object refused: %s", why ? why : "?");
	assert_int_equal(out->set.count, n);
	out->buf = b;
}

static void release(struct set *s)
{
	symset_close(&s->set);
	free(s->buf);
}

static char *summary_of(const struct kw_symdiff *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	symdiff_summary(d, f);
	fclose(f);
	return text;
}

static json_int_t jget(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static bool jsat(json_t *obj)
{
	json_t *v = json_object_get(obj, "saturated");
	assert_true(json_is_boolean(v));
	return json_is_true(v);
}

/* DIFF from OLD to NEW, each N symbols. */
static void diff(const struct s *old, size_t nold, const struct s *new, size_t nnew,
		 struct set *a, struct set *b, struct kw_symdiff *d)
{
	build(a, old, nold);
	build(b, new, nnew);
	symdiff_compute(&a->set, &b->set, d);
}

static void test_int64_boundary(void **state)
{
	(void)state;
	struct set a, b;
	struct kw_symdiff d;
	/* 2^63 - 1 removed: the largest exact value, nothing saturated. */
	const struct s max[] = { { "x", 0, (uint64_t)INT64_MAX } };
	diff(max, 1, NULL, 0, &a, &b, &d);
	assert_int_equal(d.n, 1);
	assert_true(d.rows[0].shrank);
	assert_true(d.rows[0].size_change == (uint64_t)INT64_MAX);
	json_t *j = symdiff_json(&d);
	json_t *sum = json_object_get(j, "summary");
	json_t *row = json_array_get(json_object_get(j, "rows"), 0);
	assert_true(jget(sum, "down") == INT64_MAX && jget(sum, "total") == -INT64_MAX);
	assert_true(jget(row, "size_delta") == -INT64_MAX);
	assert_false(jsat(sum));
	assert_false(jsat(row));
	json_decref(j);
	char *text = summary_of(&d);
	assert_string_equal(text, "add/remove: 0/1 moved: 0 grow/shrink: 0/0 up/down: "
				  "0/-9223372036854775807 (-9223372036854775807)\n");
	free(text);
	symdiff_release(&d);
	release(&a);
	release(&b);

	/* 2^63 removed: -2^63 is exact in JSON, +2^63 (down, the size) not. */
	const struct s big[] = { { "x", 0, TWO63 } };
	diff(big, 1, NULL, 0, &a, &b, &d);
	assert_true(d.rows[0].shrank && d.rows[0].size_change == TWO63);
	assert_true(d.up.hi == 0 && d.up.lo == 0 && d.down.hi == 0 && d.down.lo == TWO63);
	j = symdiff_json(&d);
	sum = json_object_get(j, "summary");
	row = json_array_get(json_object_get(j, "rows"), 0);
	assert_true(jget(sum, "total") == INT64_MIN);
	assert_true(jget(sum, "down") == INT64_MAX);    /* clamped */
	assert_true(jget(row, "size_delta") == INT64_MIN);
	assert_true(jget(json_object_get(row, "old"), "size") == INT64_MAX);   /* clamped */
	assert_true(jsat(sum));
	assert_true(jsat(row));
	json_decref(j);
	symdiff_release(&d);
	release(&a);
	release(&b);

	/* ... and added: +2^63 is clamped. */
	diff(NULL, 0, big, 1, &a, &b, &d);
	assert_false(d.rows[0].shrank);
	j = symdiff_json(&d);
	row = json_array_get(json_object_get(j, "rows"), 0);
	assert_true(jget(row, "size_delta") == INT64_MAX);
	assert_true(jsat(row));
	json_decref(j);
	text = summary_of(&d);
	assert_string_equal(text, "add/remove: 1/0 moved: 0 grow/shrink: 0/0 up/down: "
				  "9223372036854775808/0 (9223372036854775808)\n");
	free(text);
	symdiff_release(&d);
	release(&a);
	release(&b);
}

static void test_totals_past_2_64_and_mirror(void **state)
{
	(void)state;
	const struct s old[] = { { "grow", 0, 1 }, { "shrink", 0, U64_MAX }, { "same", 0, 8 } };
	const struct s new[] = { { "grow", 0, U64_MAX }, { "shrink", 0, 0 }, { "same", 0, 8 },
				 { "h1", 0, U64_MAX }, { "h2", 0, U64_MAX } };
	struct set a, b;
	struct kw_symdiff d, r;
	diff(old, 3, new, 5, &a, &b, &d);
	symdiff_compute(&b.set, &a.set, &r);
	/* up = (2^64 - 2) + 2 (2^64 - 1) = 3 * 2^64 - 4; down = 2^64 - 1. */
	assert_true(d.up.hi == 2 && d.up.lo == U64_MAX - 3);
	assert_true(d.down.hi == 0 && d.down.lo == U64_MAX);
	assert_true(r.up.hi == d.down.hi && r.up.lo == d.down.lo);
	assert_true(r.down.hi == d.up.hi && r.down.lo == d.up.lo);
	assert_int_equal(d.grown, 1);
	assert_int_equal(d.shrunk, 1);
	assert_int_equal(r.grown, 1);
	assert_int_equal(r.shrunk, 1);
	char *text = summary_of(&d);
	/* 3 * 2^64 - 4 = 55340232221128654844; minus 2^64 - 1. */
	assert_string_equal(text, "add/remove: 2/0 moved: 0 grow/shrink: 1/1 up/down: "
				  "55340232221128654844/-18446744073709551615 "
				  "(36893488147419103229)\n");
	free(text);
	text = summary_of(&r);
	assert_string_equal(text, "add/remove: 0/2 moved: 0 grow/shrink: 1/1 up/down: "
				  "18446744073709551615/-55340232221128654844 "
				  "(-36893488147419103229)\n");
	free(text);
	/* Largest change first: the 2^64 - 1 ones (by name), then grow's
	 * 2^64 - 2. */
	assert_int_equal(d.n, 4);
	assert_string_equal(d.rows[0].name, "h1");
	assert_string_equal(d.rows[1].name, "h2");
	assert_string_equal(d.rows[2].name, "shrink");
	assert_true(d.rows[2].shrank && d.rows[2].size_change == U64_MAX);
	assert_string_equal(d.rows[3].name, "grow");
	assert_true(!d.rows[3].shrank && d.rows[3].size_change == U64_MAX - 1);
	json_t *j = symdiff_json(&d);
	json_t *sum = json_object_get(j, "summary");
	assert_true(jget(sum, "up") == INT64_MAX && jget(sum, "total") == INT64_MAX);
	assert_true(jsat(sum));
	json_decref(j);
	symdiff_release(&d);
	symdiff_release(&r);
	release(&a);
	release(&b);
}

static void test_moves_and_duplicates_in_order(void **state)
{
	(void)state;
	/* Moves across the whole address range, and two removed statics of
	 * one name: a total, reproducible order. */
	const struct s old[] = { { "far", 0, 0 }, { "near", 0x1000, 0 }, { "back", U64_MAX, 0 },
				 { "dup", 0x20, 4 }, { "dup", 0x10, 4 } };
	const struct s new[] = { { "far", U64_MAX, 0 }, { "near", 0x1008, 0 }, { "back", 0, 0 } };
	struct set a, b;
	struct kw_symdiff d;
	diff(old, 5, new, 3, &a, &b, &d);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.moved, 3);
	assert_string_equal(d.rows[0].name, "dup");
	assert_true(d.rows[0].old.value == 0x10);
	assert_string_equal(d.rows[1].name, "dup");
	assert_true(d.rows[1].old.value == 0x20);
	assert_string_equal(d.rows[2].name, "back");     /* distance 2^64 - 1, by name */
	assert_string_equal(d.rows[3].name, "far");
	assert_string_equal(d.rows[4].name, "near");
	char *text = summary_of(&d);
	assert_string_equal(text, "add/remove: 0/2 moved: 3 grow/shrink: 0/0 up/down: 0/-8 (-8)\n");
	free(text);
	symdiff_release(&d);
	release(&a);
	release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int64_boundary),
		cmocka_unit_test(test_totals_past_2_64_and_mirror),
		cmocka_unit_test(test_moves_and_duplicates_in_order),
	};
	return cmocka_run_group_tests_name("symdiff", tests, NULL, NULL);
}
