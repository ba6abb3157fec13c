/* The input list: kinds from magic, -l resolution, thin archives, linker
 * scripts, and what makes a list incomplete. Each test works in a fresh
 * directory it makes the current one, since paths are listed as the
 * linker opens them, relative to its working directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klinkwrap/inputs.h"
#include "klinkwrap/util.h"

static char topdir[4096];
static char workdir[64];

static int enter(void **state)
{
	(void)state;
	assert_non_null(getcwd(topdir, sizeof(topdir)));
	strcpy(workdir, "/tmp/kw-inputs-XXXXXX");
	assert_non_null(mkdtemp(workdir));
	assert_int_equal(chdir(workdir), 0);
	return 0;
}

static int leave(void **state)
{
	(void)state;
	assert_int_equal(chdir(topdir), 0);
	char *cmd = kw_asprintf("rm -rf '%s'", workdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	char *dir = kw_strdup(path), *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		char *cmd = kw_asprintf("mkdir -p '%s'", dir);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	free(dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void write_text(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

/* The first 20 bytes of an ELF file of TYPE (1 relocatable, 3 shared),
 * little- or big-endian: all the listing reads. */
static void write_elf(const char *path, unsigned type, bool big)
{
	unsigned char h[64] = { 0x7f, 'E', 'L', 'F', 2, big ? 2 : 1, 1 };
	h[16] = big ? 0 : (unsigned char)type;
	h[17] = big ? (unsigned char)type : 0;
	write_bytes(path, h, sizeof(h));
}

/* One ar header: NAME padded to 16, SIZE in its field. */
static size_t ar_header(char *at, const char *name, size_t size)
{
	char h[61];
	snprintf(h, sizeof(h), "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0", "644", size);
	memcpy(at, h, 60);
	return 60;
}

/* A thin archive as GNU ar writes it: symbol table, long-name table,
 * one header per member and no member data. NAMES are "/"-terminated
 * entries of the name table; SHORT names go in the header itself. */
static void write_thin(const char *path, const char *const long_names[], size_t nlong,
		       const char *const short_names[], size_t nshort, bool sym64)
{
	char buf[8192];
	size_t len = 0;
	memcpy(buf, "!<thin>\n", 8);
	len = 8;
	/* A symbol table of odd size, to exercise the padding. */
	len += ar_header(buf + len, sym64 ? "/SYM64/" : "/", 7);
	memcpy(buf + len, "\0\0\0\0sy\0", 7);
	len += 8;
	char table[2048];
	size_t tlen = 0, offsets[16];
	for (size_t i = 0; i < nlong; i++) {
		offsets[i] = tlen;
		tlen += (size_t)sprintf(table + tlen, "%s/\n", long_names[i]);
	}
	if (nlong) {
		len += ar_header(buf + len, "//", tlen);
		memcpy(buf + len, table, tlen);
		len += tlen + (tlen & 1);
	}
	for (size_t i = 0; i < nlong; i++) {
		char name[17];
		snprintf(name, sizeof(name), "/%zu", offsets[i]);
		len += ar_header(buf + len, name, 1000 + i);
	}
	for (size_t i = 0; i < nshort; i++) {
		char name[17];
		snprintf(name, sizeof(name), "%s/", short_names[i]);
		len += ar_header(buf + len, name, 10);
	}
	write_bytes(path, buf, len);
}

/* The list of ARGV as "kind:path" words joined by spaces, members and
 * script-named files as "kind<PARENT:path". */
static char *listing(struct kw_inputs *in, enum kw_linker_kind kind, const char *linker,
		     int argc, char *argv[])
{
	inputs_list(argv, (size_t)argc, linker, kind, in);
	/* The hashed listing is the same list, each file hashed as
	 * inputs_hash_file hashes it alone. */
	struct kw_inputs h;
	inputs_list_hashed(argv, (size_t)argc, linker, kind, &h);
	assert_false(in->hashed);
	assert_true(h.hashed);
	assert_int_equal(h.n, in->n);
	assert_int_equal(h.incomplete, in->incomplete);
	for (size_t i = 0; i < in->n; i++) {
		struct kw_input_content c;
		assert_string_equal(h.v[i].path, in->v[i].path);
		assert_int_equal(h.v[i].kind, in->v[i].kind);
		assert_int_equal(h.v[i].parent, in->v[i].parent);
		inputs_hash_file(in->v[i].path, &c);
		assert_int_equal(h.v[i].content.err, c.err);
		assert_int_equal(h.v[i].content.size, c.size);
		assert_memory_equal(h.v[i].content.hash, c.hash, sizeof(c.hash));
	}
	inputs_release(&h);
	size_t cap = 1, len = 0;
	for (size_t i = 0; i < in->n; i++)
		cap += strlen(in->v[i].path) + 32;
	char *s = kw_malloc(cap);
	s[0] = '\0';
	for (size_t i = 0; i < in->n; i++) {
		const struct kw_input *x = &in->v[i];
		if (x->parent == KW_INPUT_TOP)
			len += (size_t)sprintf(s + len, "%s%s:%s", len ? " " : "",
					       inputs_kind_name(x->kind), x->path);
		else
			len += (size_t)sprintf(s + len, "%s%s<%zu:%s", len ? " " : "",
					       inputs_kind_name(x->kind), x->parent, x->path);
	}
	return s;
}

#define LIST(in, kind, linker, ...) ({ char *a_[] = { __VA_ARGS__ }; \
	listing(in, kind, linker, (int)(sizeof(a_) / sizeof(*a_)), a_); })

static void expect(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void test_kinds_and_order(void **state)
{
	(void)state;
	struct kw_inputs in;
	write_elf("a.o", 1, false);
	write_elf("b.o", 1, true);
	write_elf("libs.so", 3, false);
	write_elf("big.so", 3, true);
	write_text("reg.a", "!<arch>\n");
	write_text("vers.map", "{ global: *; };\n");
	/* Inputs in command-line order, options' arguments never listed,
	 * repeats dropped, a missing file listed as named (the linker will
	 * say it is missing) and not a reason to be incomplete. */
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "-o", "out", "a.o", "-Map", "a.map",
		    "--start-group", "reg.a", "libs.so", "--end-group", "b.o", "a.o", "big.so",
		    "--version-script", "vers.map", "missing.o", "-e", "main"),
	       "object:a.o archive:reg.a shared:libs.so object:b.o shared:big.so "
	       "script:vers.map object:missing.o");
	assert_false(in.incomplete);
	assert_null(in.why);
	assert_int_equal(in.libdirs.n, 0);
	inputs_release(&in);

	/* Under -b binary the inputs are raw data: never read as scripts. */
	write_text("blob.txt", "INPUT(a.o)\n");
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "-b", "binary", "blob.txt"),
	       "object:blob.txt");
	inputs_release(&in);
	/* Binary content of no known format is no script either. */
	write_bytes("odd.bin", "BC\xc0\xde\0\0INPUT(a.o)", 16);
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "odd.bin"), "object:odd.bin");
	assert_false(in.incomplete);
	inputs_release(&in);
	/* A FIFO is listed without blocking and without reading from it. */
	assert_int_equal(mkfifo("fifo", 0600), 0);
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "fifo", "a.o"), "object:fifo object:a.o");
	inputs_release(&in);
	/* -R DIR is an rpath, -R FILE an input (just symbols). */
	assert_int_equal(mkdir("rdir", 0755), 0);
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "-R", "rdir", "-Ra.o", "--just-symbols=b.o"),
	       "object:a.o object:b.o");
	inputs_release(&in);
}

static void test_libraries(void **state)
{
	(void)state;
	struct kw_inputs in;
	write_elf("d1/libfoo.so", 3, false);
	write_text("d1/libfoo.a", "!<arch>\n");
	write_text("d2/libbar.a", "!<arch>\n");
	write_elf("d2/libfoo.so", 3, false);
	write_elf("d2/x.o", 1, false);

	/* Per directory .so before .a; every -L counts, also one after the
	 * -l; -Bstatic takes .a only; --pop-state restores -Bdynamic. */
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "-lbar", "-Ld1", "-lfoo", "-Bstatic",
		    "-l", "foo", "-Bdynamic", "--push-state", "-static", "-lfoo", "--pop-state",
		    "--library=foo", "-l:x.o", "-L", "d2"),
	       "archive:d2/libbar.a shared:d1/libfoo.so archive:d1/libfoo.a object:d2/x.o");
	assert_false(in.incomplete);
	assert_int_equal(in.libdirs.n, 2);
	assert_string_equal(in.libdirs.v[0], "d1");
	assert_string_equal(in.libdirs.v[1], "d2");
	inputs_release(&in);

	/* lld and mold have no search path of their own: not found is
	 * incomplete, and nothing is run to ask (the linker is /bin/false). */
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "a.o", "-lnothere", "-Ld1", "-lfoo"),
	       "object:a.o shared:d1/libfoo.so");
	assert_true(in.incomplete);
	assert_string_equal(in.why, "cannot find -lnothere");
	inputs_release(&in);

	/* --sysroot and -L=DIR. */
	expect(LIST(&in, KW_LINKER_MOLD, "/bin/false", "-L=/d2", "-lbar", "--sysroot", "."),
	       "archive:./d2/libbar.a");
	assert_false(in.incomplete);
	inputs_release(&in);
}

static void test_gnu_ld_search_path(void **state)
{
	(void)state;
	struct kw_inputs in;
	if (access("/usr/bin/ld", X_OK))
		skip();
	/* Not in -L: GNU ld's own SEARCH_DIRs (ld --verbose) find libc. */
	char *got = LIST(&in, KW_LINKER_BFD, "/usr/bin/ld", "-lc");
	assert_false(in.incomplete);
	assert_true(in.libdirs.n > 1);
	assert_non_null(strstr(got, "libc.so"));
	free(got);
	inputs_release(&in);
	/* Only when needed: no -l, no question (ld would have added dirs). */
	write_elf("a.o", 1, false);
	expect(LIST(&in, KW_LINKER_BFD, "/usr/bin/ld", "a.o"), "object:a.o");
	assert_int_equal(in.libdirs.n, 0);
	inputs_release(&in);
	/* -nostdlib: -L only. */
	expect(LIST(&in, KW_LINKER_BFD, "/usr/bin/ld", "-nostdlib", "-lc"), "");
	assert_true(in.incomplete);
	assert_int_equal(in.libdirs.n, 0);
	inputs_release(&in);
	/* A linker that prints no SEARCH_DIR makes the list incomplete. */
	expect(LIST(&in, KW_LINKER_BFD, "/bin/true", "-lc"), "");
	assert_true(in.incomplete);
	assert_non_null(strstr(in.why, "SEARCH_DIR"));
	inputs_release(&in);
}

static void test_thin_archives(void **state)
{
	(void)state;
	struct kw_inputs in;
	const char *longs[] = { "a.o", "deep/b.o", "/abs/c.o" };
	const char *shorts[] = { "s.o" };
	write_thin("sub/thin.a", longs, 3, shorts, 1, false);
	write_thin("t64.a", longs, 1, NULL, 0, true);
	/* Members after their archive, relative to the archive's directory
	 * (absolute names stay), listed once even if named twice. */
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "--whole-archive", "sub/thin.a",
		    "--no-whole-archive", "t64.a", "sub/thin.a", "sub/a.o"),
	       "archive:sub/thin.a member<0:sub/a.o member<0:sub/deep/b.o member<0:/abs/c.o "
	       "member<0:sub/s.o archive:t64.a member<5:a.o");
	assert_false(in.incomplete);
	inputs_release(&in);

	/* Broken archives make the list incomplete, never crash. */
	char bad[8 + 60 + 4] = "!<thin>\n";
	ar_header(bad + 8, "/999", 5);
	write_bytes("bad.a", bad, 8 + 60);
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "bad.a"), "archive:bad.a");
	assert_true(in.incomplete);
	assert_non_null(strstr(in.why, "name table"));
	inputs_release(&in);
	ar_header(bad + 8, "x.o/", 5);
	bad[8 + 58] = 'X';
	write_bytes("bad2.a", bad, 8 + 60);
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "bad2.a"), "archive:bad2.a");
	assert_true(in.incomplete);
	assert_non_null(strstr(in.why, "bad archive header"));
	inputs_release(&in);
	/* A symbol table longer than the file. */
	ar_header(bad + 8, "/", 999999);
	write_bytes("bad3.a", bad, 8 + 60);
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "bad3.a"), "archive:bad3.a");
	inputs_release(&in);
	/* Only the magic: an empty thin archive. */
	write_text("empty.a", "!<thin>\n");
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "empty.a"), "archive:empty.a");
	assert_false(in.incomplete);
	inputs_release(&in);
}

static void test_scripts(void **state)
{
	(void)state;
	struct kw_inputs in;
	write_elf("a.o", 1, false);
	write_elf("b.o", 1, false);
	write_elf("lib/c.so", 3, false);
	write_elf("lib/libd.so", 3, false);
	write_elf("lib/e.o", 1, false);
	write_elf("sdir/libs.so", 3, false);
	write_text("inc.lds", "INPUT(b.o)\n");
	/* A script given as input, as libc.so is: listed, then the files it
	 * names, searched in cwd then the library path; comments, quotes,
	 * commas and AS_NEEDED understood; other commands ignored. */
	write_text("libx.so", "/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\n"
		   "GROUP ( a.o , \"lib/c.so\" AS_NEEDED ( -ld e.o ) )\n"
		   "INCLUDE inc.lds\nSECTIONS { .text : { *(.text) } }\n");
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "-Llib", "libx.so", "b.o"),
	       "script:libx.so object<0:a.o shared<0:lib/c.so shared<0:lib/libd.so "
	       "object<0:lib/e.o script<0:inc.lds object<5:b.o");
	assert_false(in.incomplete);
	inputs_release(&in);

	/* -T scripts: listed at their place, their SEARCH_DIR counts for
	 * every -l (also one before the -T), their INPUT files listed. */
	write_text("k.lds", "SEARCH_DIR(sdir)\nINPUT(a.o)\nSECTIONS { }\n");
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "-ls", "--script=k.lds", "b.o"),
	       "shared:sdir/libs.so script:k.lds object<1:a.o object:b.o");
	assert_false(in.incomplete);
	assert_int_equal(in.libdirs.n, 1);
	inputs_release(&in);
	/* -nostdlib: the scripts' SEARCH_DIRs do not count either. */
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "-nostdlib", "-ls", "--script=k.lds", "b.o"),
	       "script:k.lds object<0:a.o object:b.o");
	assert_true(in.incomplete);
	assert_string_equal(in.why, "cannot find -ls");
	inputs_release(&in);

	/* A relative name is looked for beside the script first (GNU ld,
	 * gold, lld), then in the cwd; mold looks in the cwd only. */
	write_elf("sd/b.o", 1, false);
	write_text("sd/libs.so", "INPUT(b.o)\n");
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "sd/libs.so"), "script:sd/libs.so object<0:sd/b.o");
	inputs_release(&in);
	expect(LIST(&in, KW_LINKER_MOLD, "/bin/false", "sd/libs.so"), "script:sd/libs.so object<0:b.o");
	inputs_release(&in);

	/* Inside the sysroot, a script's absolute names are the sysroot's. */
	char *sysroot = kw_asprintf("%s/sr", workdir);
	write_elf("sr/lib/libz.so.1", 3, false);
	write_text("sr/usr/lib/libz.so", "GROUP ( /lib/libz.so.1 )\n");
	char *lz = LIST(&in, KW_LINKER_BFD, "/bin/false", "--sysroot", sysroot, "-L=/usr/lib", "-lz");
	char *want = kw_asprintf("script:%s/usr/lib/libz.so shared<0:%s/lib/libz.so.1", sysroot, sysroot);
	expect(lz, want);
	assert_false(in.incomplete);
	inputs_release(&in);
	free(want);
	free(sysroot);

	/* A file a script names that is nowhere: incomplete. */
	write_text("broken.lds", "INPUT(nowhere.o)\n");
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "-T", "broken.lds"), "script:broken.lds");
	assert_true(in.incomplete);
	assert_non_null(strstr(in.why, "nowhere.o"));
	inputs_release(&in);

	/* INCLUDE of itself ends. */
	write_text("loop.lds", "INCLUDE loop.lds\nINPUT(a.o)\n");
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "-Tloop.lds"),
	       "script:loop.lds object<0:a.o");
	inputs_release(&in);
	/* Included twice per level, 16 levels deep: read once, not 2^16
	 * times (found by fuzzing). */
	write_text("twice.lds", "INCLUDE twice.lds INCLUDE twice.lds INPUT(a.o)\n");
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "-T", "twice.lds", "twice.lds"),
	       "script:twice.lds object<0:a.o");
	inputs_release(&in);
	write_text("l1.lds", "INCLUDE l2.lds\n");
	write_text("l2.lds", "INCLUDE l1.lds\n");
	expect(LIST(&in, KW_LINKER_LLD, "/bin/false", "-Tl1.lds"), "script:l1.lds script<0:l2.lds");
	inputs_release(&in);
}

static void test_incomplete(void **state)
{
	(void)state;
	struct kw_inputs in;
	write_elf("a.o", 1, false);
	write_elf("b.o", 1, false);
	/* An option not understood: the first reason is kept, the rest is
	 * still listed, except a word right after it, which may be its
	 * argument (never guessed to be a file); "--x=y" has its argument. */
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "a.o", "--frobnicate", "-rs", "b.o",
		    "a2.o", "--frob=x", "b2.o"),
	       "object:a.o object:a2.o object:b2.o");
	assert_true(in.incomplete);
	assert_string_equal(in.why, "option not understood: --frobnicate");
	inputs_release(&in);
	/* gold: a -l in no -L directory may be in gold's own path. */
	expect(LIST(&in, KW_LINKER_GOLD, "/bin/false", "-lnothere"), "");
	assert_true(in.incomplete);
	assert_non_null(strstr(in.why, "search path is not known"));
	inputs_release(&in);
	/* An MRI script is not read. */
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "-c", "x.mri", "a.o"), "object:a.o");
	assert_true(in.incomplete);
	assert_non_null(strstr(in.why, "not modelled"));
	inputs_release(&in);
	/* A trailing option without its argument. */
	expect(LIST(&in, KW_LINKER_BFD, "/bin/false", "a.o", "-L"), "object:a.o");
	assert_true(in.incomplete);
	assert_string_equal(in.why, "-L needs an argument");
	inputs_release(&in);
	/* Nothing at all. */
	inputs_list(NULL, 0, "/bin/false", KW_LINKER_BFD, &in);
	assert_int_equal(in.n, 0);
	assert_false(in.incomplete);
	inputs_release(&in);
}

static void test_many_members(void **state)
{
	(void)state;
	/* 3,000 members: the repeat check must stay linear, every member
	 * once, in order. */
	enum { N = 3000 };
	size_t cap = 8 + N * 80 + 64 * 1024;
	char *buf = kw_malloc(cap), *table = kw_malloc(N * 16);
	size_t len = 8, tlen = 0;
	memcpy(buf, "!<thin>\n", 8);
	size_t *off = kw_malloc(N * sizeof(*off));
	for (size_t i = 0; i < N; i++) {
		off[i] = tlen;
		tlen += (size_t)sprintf(table + tlen, "d/m%zu.o/\n", i);
	}
	len += ar_header(buf + len, "//", tlen);
	memcpy(buf + len, table, tlen);
	len += tlen + (tlen & 1);
	for (size_t i = 0; i < N; i++) {
		char name[17];
		snprintf(name, sizeof(name), "/%zu", off[i]);
		len += ar_header(buf + len, name, 1);
	}
	write_bytes("big.a", buf, len);
	struct kw_inputs in;
	char *argv[] = { "big.a", "big.a", "d/m7.o" };
	inputs_list(argv, 3, "/bin/false", KW_LINKER_BFD, &in);
	assert_int_equal(in.n, N + 1);
	assert_false(in.incomplete);
	for (size_t i = 0; i < N; i++) {
		char want[32];
		snprintf(want, sizeof(want), "d/m%zu.o", i);
		assert_string_equal(in.v[i + 1].path, want);
		assert_int_equal(in.v[i + 1].parent, 0);
	}
	inputs_release(&in);
	free(buf);
	free(table);
	free(off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kinds_and_order, enter, leave),
		cmocka_unit_test_setup_teardown(test_libraries, enter, leave),
		cmocka_unit_test_setup_teardown(test_gnu_ld_search_path, enter, leave),
		cmocka_unit_test_setup_teardown(test_thin_archives, enter, leave),
		cmocka_unit_test_setup_teardown(test_scripts, enter, leave),
		cmocka_unit_test_setup_teardown(test_incomplete, enter, leave),
		cmocka_unit_test_setup_teardown(test_many_members, enter, leave),
	};
	return cmocka_run_group_tests_name("inputs", tests, NULL, NULL);
}
