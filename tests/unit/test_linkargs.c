/* Output detection, informational calls and response-file parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "klinkwrap/linkargs.h"

static const char *output_of(int argc, char *const argv[])
{
	static char result[256];
	struct kw_linkargs la;
	char *why;
	assert_int_equal(linkargs_analyze(argc, argv, &la, &why), 0);
	snprintf(result, sizeof(result), "%s", la.output ? la.output : "(none)");
	linkargs_release(&la);
	return result;
}

#define OUTPUT(...) ({ char *a_[] = { __VA_ARGS__ }; \
		       output_of((int)(sizeof(a_) / sizeof(*a_)), a_); })

static void test_output_forms(void **state)
{
	(void)state;
	assert_string_equal(OUTPUT("-o", "vmlinux", "a.o"), "vmlinux");
	assert_string_equal(OUTPUT("-ovmlinux", "a.o"), "vmlinux");
	assert_string_equal(OUTPUT("--output=x.elf", "a.o"), "x.elf");
	assert_string_equal(OUTPUT("--output", "y.elf", "a.o"), "y.elf");
	assert_string_equal(OUTPUT("a.o", "b.o"), "(none)");
	/* The last one wins, as in ld. */
	assert_string_equal(OUTPUT("-o", "first", "--output=second"), "second");
	/* A trailing -o names nothing. */
	assert_string_equal(OUTPUT("a.o", "-o"), "(none)");
	/* --oformat is not --output; GNU ld reads -oformat as "-o format". */
	assert_string_equal(OUTPUT("--oformat", "binary", "a.o"), "(none)");
	assert_string_equal(OUTPUT("--oformat=binary", "-o", "img"), "img");
	assert_string_equal(OUTPUT("-oformat"), "format");
	/* GNU ld takes unambiguous abbreviations of --output (lld does not,
	 * and fails on them itself). */
	assert_string_equal(OUTPUT("--outp", "a1", "x.o"), "a1");
	assert_string_equal(OUTPUT("--outp=a2", "x.o"), "a2");
	assert_string_equal(OUTPUT("--outpu", "a3"), "a3");
	/* ld 2.40 reads "--ou" and "--out" as --out-implib, "--o" is
	 * ambiguous, and "--outputs" is no option of ld. */
	assert_string_equal(OUTPUT("--ou", "a4", "x.o"), "(none)");
	assert_string_equal(OUTPUT("--out=a5", "x.o"), "(none)");
	assert_string_equal(OUTPUT("--o", "a6"), "(none)");
	assert_string_equal(OUTPUT("--outputs=a7"), "(none)");
	/* The value of -o is taken whole, even when it looks like an option. */
	assert_string_equal(OUTPUT("-o", "-v"), "-v");
}

static void test_informational(void **state)
{
	(void)state;
	const char *const info[] = { "--version", "-v", "-V", "--help" };
	for (size_t i = 0; i < sizeof(info) / sizeof(*info); i++) {
		char *argv[] = { "-m", "elf_i386", (char *)info[i] };
		struct kw_linkargs la;
		char *why;
		assert_int_equal(linkargs_analyze(3, argv, &la, &why), 0);
		assert_true(la.informational);
		linkargs_release(&la);
	}
	char *argv[] = { "-o", "x", "--verbose", "a.o" };
	struct kw_linkargs la;
	char *why;
	assert_int_equal(linkargs_analyze(4, argv, &la, &why), 0);
	assert_false(la.informational);
	linkargs_release(&la);
}

static void check_split(const char *text, int n, ...)
{
	struct kw_strvec sv = { 0 };
	va_list ap;
	linkargs_split_response(text, &sv);
	assert_int_equal(sv.n, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(sv.v[i], va_arg(ap, const char *));
	va_end(ap);
	kw_strvec_clear(&sv);
}

static void test_split_response(void **state)
{
	(void)state;
	check_split("", 0);
	check_split(" \n\t ", 0);
	check_split("-o vmlinux\n a.o\tb.o", 4, "-o", "vmlinux", "a.o", "b.o");
	check_split("'a b' \"c d\"", 2, "a b", "c d");
	check_split("a\\ b c\\\\d", 2, "a b", "c\\d");
	/* Backslash escapes inside quotes too (libiberty's buildargv). */
	check_split("\"a\\\"b\" 'c\\'d'", 2, "a\"b", "c'd");
	check_split("x'y z'w", 1, "xy zw");
	check_split("'' \"\"", 2, "", "");
	check_split("trailing\\", 1, "trailing");
}

/* Write TEXT to a new file in DIR and return its "@path" word. */
static char *response_file(const char *dir, const char *name, const char *text)
{
	char *path = kw_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	char *word = kw_asprintf("@%s", path);
	free(path);
	return word;
}

static void test_response_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/kw-linkargs-XXXXXX";
	assert_non_null(mkdtemp(dir));

	char *inner = response_file(dir, "inner.rsp", "--output 'out dir/vm linux'\n");
	char *outer_text = kw_asprintf("-m elf_x86_64 %s a.o", inner);
	char *outer = response_file(dir, "outer.rsp", outer_text);
	assert_string_equal(OUTPUT("b.o", outer), "out dir/vm linux");

	/* A later -o on the command line wins over the response file's. */
	assert_string_equal(OUTPUT(outer, "-o", "final"), "final");

	/* An unreadable @file stays a literal word, as in libiberty. */
	assert_string_equal(OUTPUT("@/nonexistent/rsp", "-o", "x"), "x");
	struct kw_linkargs la;
	char *why;
	char *lit[] = { "@/nonexistent/rsp" };
	assert_int_equal(linkargs_analyze(1, lit, &la, &why), 0);
	assert_int_equal(la.words.n, 1);
	assert_string_equal(la.words.v[0], "@/nonexistent/rsp");
	linkargs_release(&la);

	/* A response file that includes itself is an error, not a hang. */
	char *selfpath = kw_asprintf("%s/self.rsp", dir);
	char *selftext = kw_asprintf("-o x @%s", selfpath);
	char *self = response_file(dir, "self.rsp", selftext);
	char *loop[] = { self };
	assert_int_equal(linkargs_analyze(1, loop, &la, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, "nested"));
	free(why);
	linkargs_release(&la);

	char *cmd = kw_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(inner);
	free(outer_text);
	free(outer);
	free(selfpath);
	free(selftext);
	free(self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_forms),
		cmocka_unit_test(test_informational),
		cmocka_unit_test(test_split_response),
		cmocka_unit_test(test_response_files),
	};
	return cmocka_run_group_tests_name("linkargs", tests, NULL, NULL);
}
