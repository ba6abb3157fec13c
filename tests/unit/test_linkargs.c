/* Output detection, informational calls, the argument grammar and
 * response-file parsing. */
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

/* The grammar's reading of a command line, one token per word read:
 * "@w" an input, "?w" an unknown option, "NAME" an option without
 * argument, "NAME=VALUE" one with it, "NAME!" one whose argument is
 * missing. */
static const char *grammar_of(int argc, char *argv[])
{
	static char out[1024];
	size_t len = 0;
	struct kw_linkword w;
	out[0] = '\0';
	for (size_t i = 0; i < (size_t)argc; i += w.nwords) {
		linkargs_word(argv, (size_t)argc, i, &w);
		assert_true(w.nwords == 1 || w.nwords == 2);
		if (w.kind == KW_WORD_INPUT)
			len += (size_t)snprintf(out + len, sizeof(out) - len, " @%s", argv[i]);
		else if (w.kind == KW_WORD_UNKNOWN)
			len += (size_t)snprintf(out + len, sizeof(out) - len, " ?%s", argv[i]);
		else if (w.missing_value)
			len += (size_t)snprintf(out + len, sizeof(out) - len, " %s!", w.name);
		else if (w.value)
			len += (size_t)snprintf(out + len, sizeof(out) - len, " %s=%s", w.name, w.value);
		else
			len += (size_t)snprintf(out + len, sizeof(out) - len, " %s", w.name);
		assert_true(len < sizeof(out));
	}
	return out[0] ? out + 1 : out;
}

#define GRAMMAR(...) ({ char *a_[] = { __VA_ARGS__ }; \
			grammar_of((int)(sizeof(a_) / sizeof(*a_)), a_); })

static void test_grammar_forms(void **state)
{
	(void)state;
	/* Joined and separate arguments, one dash or two. */
	assert_string_equal(GRAMMAR("-Lx", "-L", "y", "--library-path=z", "--library-path", "w"),
			    "L=x L=y library-path=z library-path=w");
	assert_string_equal(GRAMMAR("-lc", "-l", "m", "-l:libx.a", "--library=z", "-library", "q"),
			    "l=c l=m l=:libx.a library=z library=q");
	assert_string_equal(GRAMMAR("-Tk.lds", "-T", "k.lds", "--script=k.lds", "-script", "k.lds",
				    "-dT", "d.lds", "--default-script=d.lds"),
			    "T=k.lds T=k.lds script=k.lds script=k.lds dT=d.lds default-script=d.lds");
	/* -Ttext and its kin are options of their own, not -T text. */
	assert_string_equal(GRAMMAR("-Ttext", "0x100", "-Tdata=0x200", "--Tbss", "0x300",
				    "-Ttext-segment=0x400"),
			    "Ttext=0x100 Tdata=0x200 Tbss=0x300 Ttext-segment=0x400");
	/* Arguments that look like files are never inputs. */
	assert_string_equal(GRAMMAR("-Map", "x.map", "-soname", "libx.so", "-h", "liby.so",
				    "-rpath", "/opt", "-rpath-link", "/o2", "--version-script", "v.map",
				    "--dynamic-linker", "/lib/ld.so", "-e", "main", "-u", "sym",
				    "-y", "sym", "-z", "now", "-znow", "-m", "elf_i386", "-melf_i386",
				    "--defsym", "a=1", "--section-start", ".t=0x1", "-plugin", "p.so",
				    "-plugin-opt", "o", "--sysroot", "/sr", "--sysroot=/sr2",
				    "--just-symbols", "j.o", "-R", "r.o", "-Y", "/y", "-F", "f.so",
				    "-f", "g.so", "-A", "arch", "-b", "binary", "-G", "8", "-I", "/ld",
				    "-P", "audit", "-O", "1", "-O2", "-a", "shared", "-c", "mri",
				    "a.o"),
			    "Map=x.map soname=libx.so h=liby.so rpath=/opt rpath-link=/o2 "
			    "version-script=v.map dynamic-linker=/lib/ld.so e=main u=sym y=sym "
			    "z=now z=now m=elf_i386 m=elf_i386 defsym=a=1 section-start=.t=0x1 "
			    "plugin=p.so plugin-opt=o sysroot=/sr sysroot=/sr2 just-symbols=j.o "
			    "R=r.o Y=/y F=f.so f=g.so A=arch b=binary G=8 I=/ld P=audit O=1 O=2 "
			    "a=shared c=mri @a.o");
	/* -T takes the next word whatever it is: no "-T -o" misparse. */
	assert_string_equal(GRAMMAR("-T", "-o", "x.o"), "T=-o @x.o");
	assert_string_equal(GRAMMAR("-Map", "-o", "out"), "Map=-o @out");
	/* Flags, one dash or two; groups. */
	assert_string_equal(GRAMMAR("-static", "--Bstatic", "-Bdynamic", "-dn", "-dy",
				    "-call_shared", "-non_shared", "-(", "a.a", "-)",
				    "--start-group", "--end-group", "--whole-archive",
				    "-no-whole-archive", "--as-needed", "-shared", "-nostdlib",
				    "--push-state", "--pop-state", "-r", "-s", "-S", "-t", "-E",
				    "-x", "-X", "-N", "-n", "-M", "-q", "-d", "-dc", "-dp"),
			    "static Bstatic Bdynamic dn dy call_shared non_shared ( @a.a ) "
			    "start-group end-group whole-archive no-whole-archive as-needed shared "
			    "nostdlib push-state pop-state r s S t E x X N n M q d dc dp");
	/* Optional arguments are joined with '=' only. */
	assert_string_equal(GRAMMAR("--build-id", "a.o", "--build-id=sha1", "--verbose", "b.o",
				    "--demangle=gnu-v3", "--threads=4", "--unique", "c.o"),
			    "build-id @a.o build-id=sha1 verbose @b.o demangle=gnu-v3 threads=4 "
			    "unique @c.o");
	/* lld and mold. */
	assert_string_equal(GRAMMAR("--lto-O2", "-mllvm", "-x", "--thread-count", "4",
				    "--icf=all", "--start-lib", "l.o", "--end-lib", "-flavor", "gnu"),
			    "lto-O=2 mllvm=-x thread-count=4 icf=all start-lib @l.o end-lib "
			    "flavor=gnu");
	/* -oX is -o X: long options starting with 'o' need two dashes. */
	assert_string_equal(GRAMMAR("-omagic", "--omagic", "--oformat", "binary", "-oformat"),
			    "o=magic omagic oformat=binary o=format");
	assert_string_equal(GRAMMAR("--outp", "x", "--output", "y", "--output=z"),
			    "output=x output=y output=z");
	/* Not understood: abbreviations, bundled flags, unknown options,
	 * an argument to a flag, a lone dash. */
	assert_string_equal(GRAMMAR("--whole", "-rs", "--frobnicate", "--gc-sections=x", "-", "k.o"),
			    "?--whole ?-rs ?--frobnicate ?--gc-sections=x ?- @k.o");
	/* A missing argument. */
	assert_string_equal(GRAMMAR("a.o", "-L"), "@a.o L!");
	assert_string_equal(GRAMMAR("--script"), "script!");
}

static void test_grammar_roles(void **state)
{
	(void)state;
	static const struct { const char *word; enum kw_linkopt_role role; } cases[] = {
		{ "-o", KW_OPT_OUTPUT }, { "-lx", KW_OPT_LIBRARY }, { "-Lx", KW_OPT_LIBDIR },
		{ "-Tx", KW_OPT_SCRIPT }, { "--default-script=x", KW_OPT_SCRIPT },
		{ "--version-script=x", KW_OPT_AUX_SCRIPT }, { "--dynamic-list=x", KW_OPT_AUX_SCRIPT },
		{ "-Rx", KW_OPT_JUST_SYMBOLS }, { "-static", KW_OPT_STATIC },
		{ "-Bdynamic", KW_OPT_DYNAMIC }, { "--push-state", KW_OPT_PUSH_STATE },
		{ "--pop-state", KW_OPT_POP_STATE }, { "-(", KW_OPT_GROUP_START },
		{ "--end-group", KW_OPT_GROUP_END }, { "--whole-archive", KW_OPT_WHOLE_ARCHIVE },
		{ "--no-whole-archive", KW_OPT_NO_WHOLE_ARCHIVE }, { "-bbinary", KW_OPT_FORMAT },
		{ "--sysroot=/", KW_OPT_SYSROOT }, { "-mx", KW_OPT_EMULATION },
		{ "-nostdlib", KW_OPT_NOSTDLIB }, { "-cx", KW_OPT_UNMODELLED },
		{ "-Yx", KW_OPT_UNMODELLED }, { "--version", KW_OPT_INFO }, { "-v", KW_OPT_INFO },
		{ "-Map=x", KW_OPT_OTHER }, { "--gc-sections", KW_OPT_OTHER },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *argv[] = { (char *)cases[i].word, "next" };
		struct kw_linkword w;
		linkargs_word(argv, 2, 0, &w);
		assert_int_equal(w.kind, KW_WORD_OPTION);
		assert_int_equal(w.role, cases[i].role);
	}
}

static void test_output_uses_grammar(void **state)
{
	(void)state;
	/* An option's argument is never the output, and -o after it is. */
	assert_string_equal(OUTPUT("-T", "-o", "x.o"), "(none)");
	assert_string_equal(OUTPUT("-T", "-o", "x.o", "-o", "out"), "out");
	assert_string_equal(OUTPUT("-Map", "-o", "-o", "vmlinux"), "vmlinux");
	/* The argument of another option is not informational either. */
	char *argv[] = { "-soname", "-v", "-o", "x" };
	struct kw_linkargs la;
	char *why;
	assert_int_equal(linkargs_analyze(4, argv, &la, &why), 0);
	assert_false(la.informational);
	assert_string_equal(la.output, "x");
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
		cmocka_unit_test(test_grammar_forms),
		cmocka_unit_test(test_grammar_roles),
		cmocka_unit_test(test_output_uses_grammar),
		cmocka_unit_test(test_split_response),
		cmocka_unit_test(test_response_files),
	};
	return cmocka_run_group_tests_name("linkargs", tests, NULL, NULL);
}
