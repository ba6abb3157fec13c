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

#include "klinkwrap/config.h"
#include "klinkwrap/json.h"
#include "klinkwrap/linkargs.h"
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

static const char *good2 =
	"{\"v\":2,\"kind\":\"link\",\"start\":1.5,\"cwd\":\"/b\",\"output\":\"vmlinux\","
	"\"output_rel\":\"vmlinux\",\"class\":\"serial\",\"exit\":0,\"argv_hash\":\"00\","
	"\"wall\":0.25}\n";
static const char *regen2 =
	"{\"v\":2,\"kind\":\"regen\",\"start\":1.8,\"cwd\":\"/b\",\"output\":\"vmlinux\","
	"\"output_rel\":\"vmlinux\",\"fixpoint_pass\":4,\"command\":[\"sh\",\"x.sh\"],\"exit\":0,"
	"\"signal\":0,\"wall\":0.5}\n";

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
		/* Every line in all, each in records or regens by its kind. */
		assert_int_equal(json_array_size(f.all), f.lines);
		assert_int_equal(json_array_size(f.records) + json_array_size(f.regens), f.lines);
		size_t i;
		json_t *r;
		json_array_foreach(f.regens, i, r)
			assert_true(linklog_is_regen(r));
		json_array_foreach(f.records, i, r)
			assert_false(linklog_is_regen(r));
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
	read_expect("{\"v\":3,\"cwd\":\"/\"}\n", -1,
		    "format version 3; this klinkwrap reads versions 1 to 2 (a newer klinkwrap");
	read_expect("{\"v\":0,\"cwd\":\"/\"}\n", -1, "format version 0; this klinkwrap reads");
	read_expect("{\"v\":1,\"cwd\":\"/\"}\n", -1, "lacks");
	/* Version 2: links and regeneration steps, told by "kind". */
	read_expect(good2, 0, NULL);
	read_expect(regen2, 0, NULL);
	char *mixed = kw_asprintf("%s%s%s%s", good, good2, regen2, good2);
	read_expect(mixed, 0, NULL);
	read_expect("{\"v\":2,\"kind\":\"link\",\"cwd\":\"/\"}\n", -1, "lacks");
	read_expect("{\"v\":2,\"kind\":\"regen\",\"cwd\":\"/\"}\n", -1, "lacks");
	/* A version 2 record without its kind, or of a kind not known. */
	char *nokind = kw_strdup(good2);
	memcpy(strstr(nokind, "\"kind\""), "\"xind\"", 6);
	read_expect(nokind, -1, "line 1: a format version 2 record of unknown kind");
	read_expect("{\"v\":2,\"kind\":\"relink\"}\n", -1, "of unknown kind");
	free(mixed);
	free(nokind);
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


/* linklog_end on a record made by hand: inputs hashed "before", one of
 * them rewritten "during the link", one a fifo; the line it appends. */
static void test_end_changed_input(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *log = kw_asprintf("%s/log", dir);
	char *a = kw_asprintf("%s/a.o", dir), *b = kw_asprintf("%s/b.o", dir);
	char *fifo = kw_asprintf("%s/fifo", dir);
	write_file(a, "stable");
	write_file(b, "before");
	assert_int_equal(mkfifo(fifo, 0600), 0);

	struct kw_config cfg;
	char *why = NULL;
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, KW_OPT_LOG, log, KW_SRC_CMDLINE, &why), 0);
	assert_int_equal(config_set(&cfg, KW_OPT_LOG_ARGV, "yes", KW_SRC_CMDLINE, &why), 0);

	char *argv[] = { "ld", "-o", "vmlinux", a, b, fifo, NULL };
	struct kw_linklog_link l;
	memset(&l, 0, sizeof(l));
	l.enabled = true;
	l.argv_given = argv;
	l.fixpoint_pass = 2;
	l.inputs_logged = l.inputs_hashed_before = true;
	l.nin = 3;
	l.in = kw_calloc(3, sizeof(*l.in));
	const char *paths[] = { a, b, fifo };
	for (int i = 0; i < 3; i++) {
		l.in[i].path = kw_strdup(paths[i]);
		l.in[i].kind = KW_INPUT_OBJECT;
		linklog_hash_file(paths[i], &l.in[i]);
	}
	assert_int_equal(l.in[2].err, KW_LINKLOG_NOT_REGULAR);
	write_file(b, "after, and longer"); /* the race */

	struct kw_link_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.output = "vmlinux";
	rec.cls = KW_CLASS_SERIAL;
	rec.linker = "/usr/bin/ld";
	rec.kind = KW_LINKER_BFD;
	for (int i = 0; argv[i]; i++)
		kw_strvec_push(&rec.argv, argv[i]);
	rec.wall = 0.5;
	rec.lock_wait = 0.25;
	rec.started = true;
	linklog_end(&l, &cfg, &rec);
	assert_null(l.in);

	struct kw_linklog_file f;
	assert_int_equal(linklog_read(log, &f, &why), 0);
	assert_int_equal(json_array_size(f.records), 1);
	json_t *r = json_array_get(f.records, 0);
	json_t *in = json_object_get(r, "inputs");
	assert_int_equal(json_array_size(in), 3);
	assert_false(json_is_true(json_object_get(json_array_get(in, 0), "changed")));
	assert_true(json_is_true(json_object_get(json_array_get(in, 1), "changed")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(in, 0), "size")), 6);
	assert_string_equal(linklog_str(json_array_get(in, 2), "error"), "not a regular file");
	assert_string_equal(linklog_str(r, "inputs_hashed"), "before");
	assert_string_equal(linklog_str(r, "class"), "serial");
	assert_int_equal(json_integer_value(json_object_get(r, "fixpoint_pass")), 2);
	assert_true(json_is_null(json_object_get(r, "pass")));
	assert_true(json_is_null(json_object_get(r, "symhash")));
	assert_int_equal(json_array_size(json_object_get(r, "argv")), 6);
	assert_int_equal(json_array_size(json_object_get(r, "thread_args")), 0);
	assert_true(linklog_num(r, "lock_wait") == 0.25);
	linklog_file_release(&f);

	kw_strvec_clear(&rec.argv);
	config_release(&cfg);
	unlink(a);
	unlink(b);
	unlink(fifo);
	unlink(log);
	rmdir(dir);
	free(a);
	free(b);
	free(fifo);
	free(log);
	free(dir);
}

/* A link of NIN inputs through linklog_begin and linklog_end, input
 * RACED (or none, -1) rewritten while "the linker runs": the record's inputs are the files' own
 * sizes and hashes (hashed alone by linklog_hash_file), in order, and
 * only the raced one is flagged. Long lists are encoded by a second
 * thread while the link runs; short ones and the raced one are not. */
static void end_to_end(size_t nin, long raced, const char *stem)
{
	char *dir = tmpdir();
	char *log = kw_asprintf("%s/log", dir);
	char **argv = kw_calloc(nin + 4, sizeof(*argv));
	argv[0] = "ld";
	argv[1] = "-o";
	argv[2] = kw_asprintf("%s/out", dir);
	for (size_t i = 0; i < nin; i++) {
		argv[3 + i] = kw_asprintf("%s/%s%zu.o", dir, stem, i);
		FILE *f = fopen(argv[3 + i], "w");
		assert_non_null(f);
		/* A NUL: an object, not read as a linker script. */
		fprintf(f, "%c input %zu \"quoted\" %s", 0, i, i % 3 ? "x" : "longer");
		assert_int_equal(fclose(f), 0);
	}
	struct kw_config cfg;
	char *why = NULL;
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, KW_OPT_LOG, log, KW_SRC_CMDLINE, &why), 0);
	assert_int_equal(config_set(&cfg, KW_OPT_LOG_INPUTS, "all", KW_SRC_CMDLINE, &why), 0);
	struct kw_linkargs args;
	assert_int_equal(linkargs_analyze((int)nin + 2, argv + 1, &args, &why), 0);

	struct kw_linklog_link l;
	linklog_begin(&l, &cfg, argv, "/usr/bin/ld", &args);
	assert_true(l.inputs_hashed_before);
	if (raced >= 0) /* another size: seen whatever the clock's grain */
		write_file(argv[3 + raced], "rewritten while the link ran");
	struct kw_link_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.output = argv[2];
	rec.cls = KW_CLASS_PLAIN;
	rec.linker = "/usr/bin/ld";
	rec.kind = KW_LINKER_BFD;
	for (size_t i = 0; argv[i]; i++)
		kw_strvec_push(&rec.argv, argv[i]);
	rec.started = true;
	linklog_end(&l, &cfg, &rec);

	struct kw_linklog_file f;
	assert_int_equal(linklog_read(log, &f, &why), 0);
	assert_int_equal(json_array_size(f.records), 1);
	json_t *r = json_array_get(f.records, 0);
	json_t *in = json_object_get(r, "inputs");
	assert_int_equal(json_array_size(in), nin);
	for (size_t i = 0; i < nin; i++) {
		json_t *o = json_array_get(in, i);
		struct kw_linklog_input want;
		char hex[33];
		memset(&want, 0, sizeof(want));
		assert_string_equal(linklog_str(o, "path"), argv[3 + i]);
		assert_string_equal(linklog_str(o, "kind"), "object");
		assert_int_equal(json_is_true(json_object_get(o, "changed")), (long)i == raced);
		if ((long)i == raced)
			continue; /* its hash is of the file before the race */
		assert_int_equal(linklog_hash_file(argv[3 + i], &want), 0);
		for (int k = 0; k < 16; k++)
			snprintf(hex + 2 * k, 3, "%02x", want.hash[k]);
		assert_int_equal(json_integer_value(json_object_get(o, "size")), want.size);
		assert_string_equal(linklog_str(o, "hash"), hex);
	}
	assert_string_equal(linklog_str(r, "output"), argv[2]);
	assert_string_equal(linklog_str(r, "inputs_hashed"), "before");
	linklog_file_release(&f);

	linkargs_release(&args);
	kw_strvec_clear(&rec.argv);
	config_release(&cfg);
	for (size_t i = 0; i < nin; i++) {
		unlink(argv[3 + i]);
		free(argv[3 + i]);
	}
	free(argv[2]);
	free(argv);
	unlink(log);
	rmdir(dir);
	free(log);
	free(dir);
}

static void test_end_to_end(void **state)
{
	(void)state;
	end_to_end(3, -1, "m");   /* encoded after the link */
	end_to_end(200, -1, "m"); /* encoded while it runs */
	end_to_end(200, 57, "m"); /* the race: encoded again */
	end_to_end(200, 0, "m");
	end_to_end(5, 4, "m");
	/* Names whose escapes (\u0001, 6 bytes each) outgrow the thread's
	 * buffer: encoded after the link instead, the same record. */
	char stem[61];
	memset(stem, '\x01', 60);
	stem[60] = '\0';
	end_to_end(40, -1, stem);
}

/* The thread options klinkwrap inserted are recorded apart, and the argv
 * hash is over the arguments as given. */
static void test_render_thread_args(void **state)
{
	(void)state;
	struct kw_config cfg;
	char *why = NULL;
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, KW_OPT_LOG, "/dev/null", KW_SRC_CMDLINE, &why), 0);
	char *given[] = { "ld.lld", "-o", "app", "a.o", NULL };
	struct kw_linklog_link l;
	memset(&l, 0, sizeof(l));
	l.argv_given = given;
	struct kw_link_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.output = "app";
	const char *ran[] = { "ld.lld", "--threads=3", "-o", "app", "a.o" };
	for (int i = 0; i < 5; i++)
		kw_strvec_push(&rec.argv, ran[i]);
	json_t *r = linklog_render(&l, &cfg, &rec, NULL);
	json_t *ta = json_object_get(r, "thread_args");
	assert_int_equal(json_array_size(ta), 1);
	assert_string_equal(json_string_value(json_array_get(ta, 0)), "--threads=3");
	char hash[33];
	linklog_argv_hash(given + 1, 3, hash);
	assert_string_equal(linklog_str(r, "argv_hash"), hash);
	assert_string_equal(linklog_str(r, "output_rel"), "app");
	assert_int_equal(json_integer_value(json_object_get(r, "v")), KW_LINKLOG_VERSION);
	json_decref(r);
	kw_strvec_clear(&rec.argv);
	config_release(&cfg);
}

/* A regeneration step's record: the common fields, its own, and none of
 * a link's (so that a reader keyed on them does not take it for one). */
static void test_render_regen(void **state)
{
	(void)state;
	char *argv[] = { "sh", "-c", "printf '%s' x", NULL };
	struct kw_linklog_regen r = {
		.by = "converge", .output = "out", .fixpoint_pass = 3, .argv = argv,
		.object = "table.o", .padded = 1,
	};
	struct kw_child child = KW_CHILD_INIT;
	linklog_regen_begin(&r);
	child.pid = 1;
	child.status = 9; /* killed by SIGKILL */
	linklog_regen_ran(&r, &child, 0);
	json_t *o = linklog_render_regen(&r);
	assert_int_equal(json_integer_value(json_object_get(o, "v")), KW_LINKLOG_VERSION);
	assert_true(linklog_is_regen(o));
	assert_string_equal(linklog_str(o, "by"), "converge");
	assert_string_equal(linklog_str(o, "output_rel"), "out");
	assert_int_equal(json_integer_value(json_object_get(o, "fixpoint_pass")), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "exit")), 137);
	assert_int_equal(json_integer_value(json_object_get(o, "signal")), 9);
	assert_true(json_is_true(json_object_get(o, "started")));
	assert_int_equal(json_integer_value(json_object_get(o, "padded")), 1);
	assert_string_equal(linklog_str(o, "object"), "table.o");
	assert_true(linklog_num(o, "wall") >= 0);
	assert_non_null(json_object_get(o, "makelevel"));
	assert_non_null(json_object_get(o, "host"));
	const char *not_here[] = { "class", "argv_hash", "linker", "symhash", "argv" };
	for (size_t i = 0; i < 5; i++)
		assert_null(json_object_get(o, not_here[i]));
	char *cmd = linklog_regen_command(o);
	assert_string_equal(cmd, "sh -c 'printf '\\''%s'\\'' x'");
	free(cmd);
	json_decref(o);
	/* Not started: the status exec gave, no signal; no padding: null. */
	child.pid = -1;
	r.padded = -1;
	linklog_regen_ran(&r, &child, 127);
	o = linklog_render_regen(&r);
	assert_int_equal(json_integer_value(json_object_get(o, "exit")), 127);
	assert_int_equal(json_integer_value(json_object_get(o, "signal")), 0);
	assert_false(json_is_true(json_object_get(o, "started")));
	assert_true(json_is_null(json_object_get(o, "padded")));
	json_decref(o);
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
		cmocka_unit_test(test_end_changed_input),
		cmocka_unit_test(test_end_to_end),
		cmocka_unit_test(test_render_thread_args),
		cmocka_unit_test(test_render_regen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
