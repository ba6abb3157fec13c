/* mksysmap's filters for 6.1 and 6.12, and the linker stub names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "klinkwrap/sysmap.h"

struct row {
	char letter;
	const char *name;
	int keep61, keep612;
};

static void test_filters(void **state)
{
	(void)state;
	static const struct row rows[] = {
		{ 'T', "start_kernel", 1, 1 },
		{ 't', "local_fn", 1, 1 },
		{ 'W', "weak_fn", 1, 1 },
		{ 'A', "phys_startup_32", 1, 1 },
		{ 'a', "local_abs", 0, 0 },
		{ 'N', "debug", 0, 0 },
		{ 'U', "undef", 0, 0 },
		{ 'w', "local_weak", 0, 0 },
		{ 'v', "weak_undef_object", 1, 1 },
		{ 't', "$x", 0, 0 },
		{ 't', "$d.12", 0, 0 },
		{ 't', ".Ltmp1", 0, 0 },
		{ 'r', "__crc_printk", 0, 0 },
		{ 'r', "__kstrtab_printk", 0, 0 },
		{ 'r', "__kstrtabns_printk", 0, 0 },
		{ 't', "L0", 0, 0 },
		{ 't', "L01", 1, 1 },
		{ 't', "__efistub_memcpy", 1, 0 },
		{ 't', "__pi_$x", 1, 0 },
		{ 't', "__pi_.L1", 1, 0 },
		{ 't', "__pi_memcpy", 1, 1 },
		{ 't', "__kvm_nvhe_$d", 1, 0 },
		{ 't', "__kvm_nvhe_.Lx", 1, 0 },
		{ 't', "__AArch64ADRPThunk_foo", 1, 0 },
		{ 't', "__ARMV7PILongThunk_bar", 1, 0 },
		{ 't', "__Thunk_x", 1, 0 },
		{ 't', "__a_b_Thunk_x", 1, 1 },    /* '_' is not [[:alnum:]] */
		{ 'r', "__kcfi_typeid_foo", 1, 0 },
		{ 'r', "__kvm_nvhe___kcfi_typeid_foo", 1, 0 },
		{ 'r', "__pi___kcfi_typeid_foo", 1, 0 },
		{ 't', "foo_from_arm", 1, 0 },
		{ 't', "foo_from_thumb", 1, 0 },
		{ 't', "foo_veneer", 1, 0 },
		{ 't', "foo_veneer_x", 1, 1 },
		{ 'D', "_SDA_BASE_", 1, 0 },
		{ 'D', "_SDA2_BASE_", 1, 0 },
		{ 't', "00000018.plt_branch.far", 1, 0 },
		{ 't', "0000001c.long_branch.foo+0", 1, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const struct row *r = &rows[i];
		if (sysmap_keep(KW_SYSMAP_6_1, r->letter, r->name) != r->keep61)
			fail_msg("6.1: %c %s", r->letter, r->name);
		if (sysmap_keep(KW_SYSMAP_6_12, r->letter, r->name) != r->keep612)
			fail_msg("6.12: %c %s", r->letter, r->name);
	}
}

/* The filters as first transcribed, one pattern after another: the
 * reference for sysmap_keep's dispatch on the first bytes. */
static bool ref_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool ref_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static bool ref_stub(const char *name)
{
	if (ref_prefix(name, "__"))
		for (const char *p = name + 2;; p++) {
			if (ref_prefix(p, "Thunk_"))
				return true;
			if (!isalnum((unsigned char)*p))
				break;
		}
	return ref_suffix(name, "_from_arm") || ref_suffix(name, "_from_thumb") ||
	       ref_suffix(name, "_veneer") || strstr(name, ".long_branch.") ||
	       strstr(name, ".plt_branch.");
}

static bool ref_keep(enum kw_sysmap_rules rules, char letter, const char *name)
{
	static const char *const p61[] = {
		"$", ".L", "__crc_", "__kstrtab_", "__kstrtabns_", NULL,
	};
	static const char *const p612[] = {
		"$", ".L", "__efistub_", "__pi_$", "__pi_.L", "__kvm_nvhe_$", "__kvm_nvhe_.L",
		"__kcfi_typeid_", "__kvm_nvhe___kcfi_typeid_", "__pi___kcfi_typeid_", "__crc_",
		"__kstrtab_", "__kstrtabns_", NULL,
	};
	if (letter && strchr("aNUw", letter))
		return false;
	for (const char *const *l = rules == KW_SYSMAP_6_1 ? p61 : p612; *l; l++)
		if (ref_prefix(name, *l))
			return false;
	if (rules == KW_SYSMAP_6_1)
		return strcmp(name, "L0");
	return !ref_stub(name) && strcmp(name, "L0") && strcmp(name, "_SDA_BASE_") &&
	       strcmp(name, "_SDA2_BASE_");
}

/* Every pattern, every prefix of it, with and without text around it,
 * against the reference, for both rule sets and a few letters. */
static void test_filters_reference(void **state)
{
	(void)state;
	static const char *const parts[] = {
		"$", ".L", "__crc_", "__kstrtab_", "__kstrtabns_", "L0", "__efistub_", "__pi_$",
		"__pi_.L", "__kvm_nvhe_$", "__kvm_nvhe_.L", "__kcfi_typeid_",
		"__kvm_nvhe___kcfi_typeid_", "__pi___kcfi_typeid_", "_SDA_BASE_", "_SDA2_BASE_",
		"__AArch64ADRPThunk_", "__Thunk_", "__a_Thunk_", "_from_arm", "_from_thumb",
		"_veneer", ".long_branch.", ".plt_branch.", "__long_branch_", "__plt_", "x", "",
	};
	static const char *const around[] = { "", "x", "_", ".", "0", "T", "__", "$" };
	static const char letters[] = { 'T', 't', 'a', 'N', 'U', 'w', 'W', 'r', '\0' };
	size_t n = sizeof(parts) / sizeof(*parts), na = sizeof(around) / sizeof(*around);
	char name[128];
	for (size_t i = 0; i < n; i++)
		for (size_t cut = 0; cut <= strlen(parts[i]); cut++)
			for (size_t a = 0; a < na; a++)
				for (size_t b = 0; b < na; b++)
					for (size_t j = 0; j < n; j++) {
						snprintf(name, sizeof(name), "%s%.*s%s%s", around[a],
							 (int)cut, parts[i], around[b], parts[j]);
						/* The letters do not depend on the name. */
						size_t nl = j == n - 1 ? sizeof(letters) : 1;
						for (size_t l = 0; l < nl; l++)
							for (int r = KW_SYSMAP_6_1; r <= KW_SYSMAP_6_12;
							     r++)
								if (sysmap_keep(r, letters[l], name) !=
								    ref_keep(r, letters[l], name))
									fail_msg("%s: '%c' %s",
										 r == KW_SYSMAP_6_1
											 ? "6.1"
											 : "6.12",
										 letters[l], name);
						if (sysmap_is_stub(name) != ref_stub(name))
							fail_msg("stub: %s", name);
					}
}

static void test_rules_words(void **state)
{
	(void)state;
	enum kw_sysmap_rules r;
	assert_int_equal(sysmap_parse_rules("6.1", &r), 0);
	assert_int_equal(r, KW_SYSMAP_6_1);
	assert_int_equal(sysmap_parse_rules("6.12", &r), 0);
	assert_int_equal(r, KW_SYSMAP_6_12);
	assert_int_equal(sysmap_parse_rules("auto", &r), 0);
	assert_int_equal(r, KW_SYSMAP_AUTO);
	assert_int_equal(sysmap_parse_rules("5.10", &r), -1);
	assert_string_equal(sysmap_rules_name(KW_SYSMAP_6_12), "6.12");
}

static void test_stub_names(void **state)
{
	(void)state;
	assert_true(sysmap_is_stub("00000018.plt_branch.far"));
	assert_true(sysmap_is_stub("0000001c.long_branch.foo+0"));
	assert_true(sysmap_is_stub("__AArch64ADRPThunk_foo"));
	/* A retpoline thunk is the compiler's, not a linker stub. */
	assert_false(sysmap_is_stub("__x86_indirect_thunk_rax"));
	assert_false(sysmap_is_stub("__x86_indirect_Thunk_rax"));
	assert_true(sysmap_is_stub("__ARMV7PILongThunk_bar"));
	assert_true(sysmap_is_stub("bar_veneer"));
	assert_false(sysmap_is_stub("start_kernel"));
	assert_false(sysmap_is_stub("veneer_table"));
	assert_false(sysmap_is_stub("x__Thunk_y"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_filters_reference),
		cmocka_unit_test(test_rules_words),
		cmocka_unit_test(test_stub_names),
	};
	return cmocka_run_group_tests_name("sysmap", tests, NULL, NULL);
}
