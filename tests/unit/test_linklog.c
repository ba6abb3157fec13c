/* The link log: pass names, argv hash, paths, input hashing, whole
 * appends under concurrency and on a full device, reading logs back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "klinkwrap/linklog.h"
#include "klinkwrap/util.h"

static char *tmpdir(void)
{
	char *dir = kw_strdup("/tmp/kwllXXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_kallsyms_pass(void **state)
{
	(void)state;
	assert_int_equal(linklog_kallsyms_pass(".tmp_vmlinux.kallsyms1"), 1);
	assert_int_equal(linklog_kallsyms_pass("o/.tmp_vmlinux.kallsyms3"), 3);
	assert_int_equal(linklog_kallsyms_pass(".tmp_vmlinux2"), 2);
	assert_int_equal(linklog_kallsyms_pass("vmlinux"), 0);
	assert_int_equal(linklog_kallsyms_pass(".tmp_vmlinux.kallsyms"), 0);
	assert_int_equal(linklog_kallsyms_pass(".tmp_vmlinux1.o"), 0);
	assert_int_equal(linklog_kallsyms_pass(".tmp_vmlinux.kallsyms2.o"), 0);
	assert_int_equal(linklog_kallsyms_pass(NULL), 0);
}

static void test_argv_hash(void **state)
{
	(void)state;
	char *a[] = { "-o", "x", "a.o", NULL };
	char *b[] = { "-ox", "a.o", NULL };  /* the same bytes, other words */
	char ha[33], hb[33], ha2[33];
	linklog_argv_hash(a, 3, ha);
	linklog_argv_hash(b, 2, hb);
	linklog_argv_hash(a, 3, ha2);
	assert_int_equal(strlen(ha), 32);
	assert_string_equal(ha, ha2);
	assert_string_not_equal(ha, hb);
	/* The definition: XXH3-128 of each argument with its NUL. */
	char bytes[] = "-o\0x\0a.o";
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(bytes, sizeof(bytes)));
	char hex[33];
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", c.digest[i]);
	assert_string_equal(ha, hex);
}

static void check_join(const char *dir, const char *path, const char *want)
{
	char *got = linklog_path_join(dir, path);
	assert_string_equal(got, want);
	free(got);
}

static void test_paths(void **state)
{
	(void)state;
	check_join("/b/o", "vmlinux", "/b/o/vmlinux");
	check_join("/b/o", "./arch//x86/../x86/lib/lib.a", "/b/o/arch/x86/lib/lib.a");
	check_join("/b/o", "/usr/lib/x.o", "/usr/lib/x.o");
	check_join("/b/o/", "../p/q", "/b/p/q");
	check_join("/", "../../x", "/x");
	check_join(NULL, "../../a/./b/..", "../../a");
	check_join(NULL, "a/..", ".");
	char *r = linklog_path_relative("/b/o", "/b/o/init/main.o");
	assert_string_equal(r, "init/main.o");
	free(r);
	r = linklog_path_relative("/b/o", "/b/other/x.o");
	assert_string_equal(r, "/b/other/x.o");
	free(r);
	r = linklog_path_relative("/", "/x/y");
	assert_string_equal(r, "x/y");
	free(r);
}

static void test_hash_file(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *path = kw_asprintf("%s/in.o", dir);
	/* Larger than one read chunk, so the hash is streamed. */
	size_t n = (3u << 20) + 17;
	char *data = kw_malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7);
	FILE *f = fopen(path, "w");
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);

	struct kw_linklog_input in = { 0 };
	assert_int_equal(linklog_hash_file(path, &in), 0);
	assert_int_equal(in.err, 0);
	assert_int_equal(in.size, n);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(data, n));
	assert_memory_equal(in.hash, c.digest, 16);

	char *missing = kw_asprintf("%s/none.o", dir);
	assert_int_equal(linklog_hash_file(missing, &in), -1);
	assert_int_equal(in.err, ENOENT);
	unlink(path);
	rmdir(dir);
	free(missing);
	free(path);
	free(data);
	free(dir);
}

/* Every line of PATH: how many, and that each is whole. */
static size_t count_whole_lines(const char *path, size_t want_len, char fill)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0, lines = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		assert_int_equal((size_t)len, want_len);
		assert_int_equal(line[len - 1], '\n');
		/* One writer's bytes only: "<digit>" then its fill. */
		for (ssize_t i = 2; i < len - 1; i++)
			assert_int_equal(line[i], fill ? fill : line[1]);
		lines++;
	}
	free(line);
	fclose(f);
	return lines;
}

static void test_concurrent_appends(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *log = kw_asprintf("%s/links.jsonl", dir);
	/* 50 writers, each a record of 200 KiB: far above PIPE_BUF and a pipe
	 * buffer, so one write() is not atomic by itself; the lock is. */
	enum { WRITERS = 50, LEN = 200 * 1024 };
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char *line = malloc(LEN);
			char *why = NULL;
			line[0] = '#';
			memset(line + 1, 'A' + w % 26, LEN - 2);
			line[LEN - 1] = '\n';
			_exit(linklog_append_line(log, line, LEN, &why) ? 1 : 0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(count_whole_lines(log, LEN, 0), WRITERS);
	unlink(log);
	rmdir(dir);
	free(log);
	free(dir);
}

static void test_append_failures(void **state)
{
	(void)state;
	char *why = NULL;
	/* A full device: the record is refused whole, with the reason. */
	assert_int_equal(linklog_append_line("/dev/full", "{}\n", 3, &why), -1);
	assert_non_null(strstr(why, strerror(ENOSPC)));
	free(why);
	why = NULL;
	/* A directory, and a missing one, are not logs. */
	char *dir = tmpdir();
	assert_int_equal(linklog_append_line(dir, "{}\n", 3, &why), -1);
	assert_non_null(strstr(why, "cannot open"));
	free(why);
	why = NULL;
	char *deep = kw_asprintf("%s/no/such/log", dir);
	assert_int_equal(linklog_append_line(deep, "{}\n", 3, &why), -1);
	free(why);
	rmdir(dir);
	free(deep);
	free(dir);
}

static const char *good =
	"{\"v\":1,\"start\":1.5,\"cwd\":\"/b\",\"output\":\"vmlinux\",\"output_rel\":\"vmlinux\","
	"\"class\":\"serial\",\"exit\":0,\"argv_hash\":\"00\",\"wall\":0.25}\n";

static void read_expect(const char *text, int rc, const char *why_part)
{
	char *dir = tmpdir();
	char *path = kw_asprintf("%s/log", dir);
	struct kw_linklog_file f;
	char *why = NULL;
	write_file(path, text);
	assert_int_equal(linklog_read(path, &f, &why), rc);
	if (rc) {
		assert_non_null(why);
		if (!strstr(why, why_part))
			fail_msg("'%s' not in '%s'", why_part, why);
		assert_null(f.records);
		free(why);
	} else {
		assert_non_null(f.records);
		linklog_file_release(&f);
	}
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

static void test_read(void **state)
{
	(void)state;
	char *two = kw_asprintf("%s%s", good, good);
	read_expect(two, 0, NULL);
	read_expect("", 0, NULL);
	/* Cut in the middle of its last record. */
	char *cut = kw_strndup(two, strlen(two) - 20);
	read_expect(cut, -1, "line 2 is truncated");
	/* Whole JSON but no newline: still cut short. */
	char *nonl = kw_strndup(good, strlen(good) - 1);
	read_expect(nonl, -1, "line 1 is truncated");
	read_expect("hello world\n", -1, "line 1 is not a link log record");
	read_expect("[1,2]\n", -1, "not a JSON object");
	read_expect("{\"x\":1}\n", -1, "no format version");
	read_expect("{\"v\":2,\"cwd\":\"/\"}\n", -1, "format version 2; this klinkwrap reads version 1");
	read_expect("{\"v\":1,\"cwd\":\"/\"}\n", -1, "lacks");
	char *missing = kw_asprintf("/tmp/kw-no-such-log-%ld", (long)getpid());
	struct kw_linklog_file f;
	char *why = NULL;
	assert_int_equal(linklog_read(missing, &f, &why), -1);
	assert_non_null(strstr(why, strerror(ENOENT)));
	free(why);
	free(missing);
	free(two);
	free(cut);
	free(nonl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms_pass),
		cmocka_unit_test(test_argv_hash),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_hash_file),
		cmocka_unit_test(test_concurrent_appends),
		cmocka_unit_test(test_append_failures),
		cmocka_unit_test(test_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
