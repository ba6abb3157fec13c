/* One link as a value: the record link_once fills, and many links in one
 * process (the exec-loop guard, the serial lock held across links, every
 * token back, no fd or mapping left). Real linkers (GNU ld, ld.lld) on
 * objects compiled here; the jobserver cases run this driver again as a
 * '+' recipe of a real make -j4 ("--in-make"), whose checks end it with
 * a message and exit 1 when one fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "klinkwrap/classify.h"
#include "klinkwrap/config.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/inputs.h"
#include "klinkwrap/jobserver.h"
#include "klinkwrap/link.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/locate.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/threads.h"
#include "klinkwrap/util.h"

static char self[PATH_MAX];   /* this driver, for make's recipes */
static char dir[64];          /* the test's directory: objects, outputs */

/* ---- a posix_spawn that fails while a signal arrives ---- */

/* The window the wrapper must not lose a signal in: klinkwrap is asked
 * to stop while the linker's exec fails. This definition takes the
 * place of libc's for the library linked into this driver. */
static int spawn_fail_signal;

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	if (spawn_fail_signal) {
		kill(getpid(), spawn_fail_signal); /* blocked now: pending */
		return ENOENT;
	}
	int (*real)(pid_t *, const char *, const posix_spawn_file_actions_t *,
		    const posix_spawnattr_t *, char *const[], char *const[]);
	*(void **)&real = dlsym(RTLD_NEXT, "posix_spawn");
	return real(pid, path, actions, attr, argv, envp);
}

/* ---- helpers ---- */

static char *path_in(const char *name)
{
	return kw_asprintf("%s/%s", dir, name);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd;
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		abort();
	}
	free(cmd);
}

static bool have(const char *prog)
{
	char *cmd = kw_asprintf("command -v %s >/dev/null 2>&1", prog);
	bool ok = system(cmd) == 0;
	free(cmd);
	return ok;
}

static void config_with(struct kw_config *cfg, const char *const *settings)
{
	config_init(cfg);
	for (; settings && *settings; settings += 2) {
		char *why = NULL;
		int id = config_lookup(settings[0]);
		if (id < 0 || config_set(cfg, (enum kw_option)id, settings[1], KW_SRC_CMDLINE, &why)) {
			fprintf(stderr, "bad setting %s=%s: %s\n", settings[0], settings[1],
				why ? why : "unknown");
			abort();
		}
	}
}

static size_t count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Does /proc/self/maps name a file under the test's directory? */
static bool maps_name_dir(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, dir) != NULL;
	fclose(f);
	return found;
}

/* Can another process take the serial lock of DIR2's outputs now? */
static bool lock_free(const char *dir2)
{
	char *lock = kw_asprintf("%s/" KW_SERIAL_LOCK, dir2);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(lock, O_RDWR);
		_exit(fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB) ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	free(lock);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool argv_equal(char *const *a, char *const *b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return false;
	return !*a && !*b;
}

static double realtime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the record of one link ---- */

static void test_plain_ld_record(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	unsetenv("MAKEFLAGS");
	char *out = path_in("plain"), *m = path_in("main.o"), *h = path_in("helper.o");
	char *argv[] = { "ld", "-o", out, "-e", "main", m, h, NULL };
	double before = realtime();
	assert_int_equal(link_once(&cfg, argv, &rec), 0);
	double after = realtime();

	assert_true(rec.linker[0] == '/' && kw_has_suffix(rec.linker, "/ld"));
	assert_int_equal(rec.kind, threads_linker_kind(rec.linker, "ld"));
	assert_true(argv_equal(rec.argv.v, argv));
	assert_string_equal(rec.output, out);
	assert_int_equal(rec.cls, KW_CLASS_PLAIN);
	/* The input list is the one inputs_list gives for these words. */
	struct kw_inputs want;
	inputs_list(argv + 1, 6, rec.linker, rec.kind, &want);
	assert_int_equal(rec.inputs.n, want.n);
	assert_int_equal(rec.inputs.incomplete, want.incomplete);
	for (size_t i = 0; i < want.n; i++)
		assert_string_equal(rec.inputs.v[i].path, want.v[i].path);
	inputs_release(&want);

	assert_true(rec.started);
	assert_int_equal(rec.start_failure, 0);
	assert_true(WIFEXITED(rec.status) && WEXITSTATUS(rec.status) == 0);
	assert_int_equal(rec.exit_code, 0);
	assert_int_equal(rec.signal, 0);
	double t0 = (double)rec.start_time.tv_sec + rec.start_time.tv_nsec / 1e9;
	assert_true(t0 >= before - 0.001 && t0 <= after + 0.001);
	assert_true(rec.end > rec.start);
	assert_true(rec.wall > 0 && rec.wall == rec.end - rec.start);
	assert_true(rec.lock_wait == 0 && rec.token_wait == 0);
	assert_false(rec.locked);
	assert_false(rec.jobserver);
	assert_false(rec.jobserver_usable);
	assert_int_equal(rec.jobs, 0);
	assert_int_equal(rec.tokens_peak, 0);
	assert_int_equal(rec.threads, 0);
	assert_false(rec.exclusive);
	assert_false(rec.exclusive_all_held);

	assert_true(rec.symhashed);
	assert_int_equal(rec.sym_status, KW_SYMSET_OK);
	struct kw_symhash hash;
	size_t count;
	char *why = NULL;
	assert_int_equal(symset_hash_file(out, &hash, &count, &why), KW_SYMSET_OK);
	assert_memory_equal(rec.symhash.b, hash.b, sizeof(hash.b));
	assert_int_equal(rec.symcount, count);
	assert_true(count > 0);

	/* The summary line renders from the record. */
	char hex[KW_SYMHASH_HEX_LEN + 1], *line = link_record_summary(&rec);
	symhash_hex(&hash, hex);
	char *expect = kw_asprintf("%s: %s exited 0 after %.3f s, symhash %s (%zu symbols)", out,
				   rec.linker, rec.wall, hex, count);
	assert_string_equal(line, expect);
	free(line);
	free(expect);
	link_record_release(&rec);
	config_release(&cfg);
	free(out); free(m); free(h);
}

static void test_failing_link_record(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	char *out = path_in("bad"), *b = path_in("bad.o");
	char *argv[] = { "ld", "-o", out, "-e", "main", b, NULL };
	assert_int_equal(link_once(&cfg, argv, &rec), 0);
	assert_true(rec.started);
	assert_int_equal(rec.start_failure, 0);
	assert_true(WIFEXITED(rec.status));
	assert_int_equal(rec.exit_code, WEXITSTATUS(rec.status));
	assert_true(rec.exit_code != 0);
	assert_int_equal(rec.signal, 0);
	assert_false(rec.symhashed);
	link_record_release(&rec);

	/* A linker that cannot be found: klinkwrap's status, recorded. */
	char *missing[] = { "no-such-linker-xyz", "-o", out, b, NULL };
	assert_int_equal(link_once(&cfg, missing, &rec), KW_EXIT_NOT_FOUND);
	assert_false(rec.started);
	assert_int_equal(rec.start_failure, KW_EXIT_NOT_FOUND);
	assert_int_equal(rec.exit_code, KW_EXIT_NOT_FOUND);
	link_record_release(&rec);
	config_release(&cfg);
	free(out); free(b);
}

static void test_killed_link_record(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	char *ld = path_in("kill-ld"), *out = path_in("killed");
	sh("printf '#!/bin/sh\\nkill -KILL $$\\n' >%s && chmod +x %s", ld, ld);
	char *argv[] = { ld, "-o", out, NULL };
	assert_int_equal(link_once(&cfg, argv, &rec), 0);
	assert_true(rec.started);
	assert_true(WIFSIGNALED(rec.status));
	assert_int_equal(rec.signal, SIGKILL);
	assert_int_equal(rec.exit_code, 128 + SIGKILL);
	assert_false(rec.symhashed);
	assert_string_equal(rec.linker, ld);
	link_record_release(&rec);
	config_release(&cfg);
	free(ld); free(out);
}

/* A signal that arrives while the linker's exec fails ends the link by
 * that signal, not by 127, and link_run dies of it. */
static void test_signal_while_exec_fails(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	char *out = path_in("never");
	char *argv[] = { "/bin/true", "-o", out, NULL };
	spawn_fail_signal = SIGTERM;
	int rc = link_once(&cfg, argv, &rec);
	spawn_fail_signal = 0;
	assert_int_equal(rc, 0);
	assert_false(rec.started);
	assert_int_equal(rec.start_failure, KW_EXIT_NOT_FOUND);
	assert_true(WIFSIGNALED(rec.status));
	assert_int_equal(rec.signal, SIGTERM);
	link_record_release(&rec);

	pid_t pid = fork();
	if (pid == 0) {
		spawn_fail_signal = SIGTERM;
		_exit(link_run(&cfg, 3, argv));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	config_release(&cfg);
	free(out);
}

/* The marker and the nesting count go to the linker only: not into
 * klinkwrap's own environment, so not to helper commands. */
static void test_marker_only_for_the_linker(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	char *ld = path_in("env-ld"), *out = path_in("env-out"), *seen = path_in("env.linker");
	char *helper_seen = path_in("env.helper");
	sh("printf '#!/bin/sh\\nenv >%s\\n' >%s && chmod +x %s", seen, ld, ld);
	char *argv[] = { ld, "-o", out, NULL };
	assert_int_equal(link_once(&cfg, argv, &rec), 0);
	assert_int_equal(rec.exit_code, 0);
	link_record_release(&rec);

	char *marker = kw_asprintf("%s=%ld", KW_WRAPPED_ENV, (long)getpid());
	char *cmd = kw_asprintf("grep -qx '%s' %s && grep -qx '%s' %s", marker, seen,
				locate_depth_setting(), seen);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_null(getenv(KW_WRAPPED_ENV));

	/* A helper command run after the link gets neither. */
	char *env_argv[] = { "env", NULL };
	struct kw_child child = KW_CHILD_INIT;
	child.argv = env_argv;
	child.stdout_file = helper_seen;
	assert_int_equal(exec_run(&child), 0);
	assert_true(WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0);
	cmd = kw_asprintf("grep -q '^%s=' %s", KW_WRAPPED_ENV, helper_seen);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);
	free(marker);
	config_release(&cfg);
	free(ld); free(out); free(seen); free(helper_seen);
}

/* The process counts once for the exec-loop guard: ten links at depth 7
 * all run (each used to count one more, and the second was "a loop").
 * In a fresh process ("--depth-test"), which has not counted itself. */
static int depth_test(void)
{
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	char *m = path_in("main.o"), *h = path_in("helper.o"), *out = path_in("deep");
	char *argv[] = { "ld", "-o", out, "-e", "main", m, h, NULL };
	for (int i = 0; i < 10; i++) {
		if (link_once(&cfg, argv, &rec) || rec.exit_code)
			return 10 + i;
		link_record_release(&rec);
	}
	config_release(&cfg);
	free(m); free(h); free(out);
	return strcmp(locate_depth_setting(), KW_DEPTH_ENV "=8") ? 2 : 0;
}

static void test_depth_counted_once(void **state)
{
	(void)state;
	const char *env[] = { KW_DEPTH_ENV "=7", NULL };
	char *argv[] = { self, "--depth-test", dir, NULL };
	struct kw_child child = KW_CHILD_INIT;
	child.path = self;
	child.argv = argv;
	child.env = env;
	assert_int_equal(exec_run(&child), 0);
	assert_true(WIFEXITED(child.status));
	assert_int_equal(WEXITSTATUS(child.status), 0);
}

/* ---- under a real make -j4 ---- */

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			exit(1);                                                      \
		}                                                                     \
	} while (0)

/* A threaded lld link alone under make -j4: the free tokens as threads. */
static void in_make_lld(void)
{
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	char *out = path_in("threaded"), *m = path_in("main.o"), *h = path_in("helper.o");
	char *argv[] = { "ld.lld", "-o", out, "-e", "main", m, h, NULL };
	CHECK(link_once(&cfg, argv, &rec) == 0);
	unsigned long cpus = threads_cpus(), want = cpus < 4 ? cpus : 4;
	CHECK(rec.exit_code == 0 && rec.started);
	CHECK(rec.kind == KW_LINKER_LLD);
	CHECK(rec.jobserver && rec.jobserver_usable);
	CHECK(rec.jobs == 4);
	CHECK(rec.threads == want);
	CHECK(rec.tokens_peak == want - 1);
	char *opt = kw_asprintf("--threads=%lu", want);
	CHECK(rec.argv.n == 8 && !strcmp(rec.argv.v[1], opt));
	CHECK(!strcmp(rec.argv.v[0], "ld.lld") && argv_equal(rec.argv.v + 2, argv + 1));
	CHECK(!rec.exclusive && !rec.locked && rec.cls == KW_CLASS_PLAIN);
	CHECK(rec.symhashed && rec.sym_status == KW_SYMSET_OK && rec.symcount > 0);
	free(opt);
	link_record_release(&rec);
	config_release(&cfg);
	free(out); free(m); free(h);
}

/* An exclusive serial link alone under make -j4 gets every token. */
static void in_make_exclusive(void)
{
	static const char *const settings[] = { "exclusive", "yes", "exclusive-wait", "10", NULL };
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, settings);
	char *out = path_in("vmlinux"), *m = path_in("main.o"), *h = path_in("helper.o");
	char *argv[] = { "ld", "-o", out, "-e", "main", m, h, NULL };
	CHECK(link_once(&cfg, argv, &rec) == 0);
	CHECK(rec.exit_code == 0);
	CHECK(rec.cls == KW_CLASS_SERIAL && rec.locked && rec.lock_wait >= 0);
	CHECK(rec.exclusive && rec.exclusive_all_held);
	CHECK(rec.exclusive_all_held_at > 0 && rec.exclusive_all_held_at <= rec.start);
	CHECK(rec.tokens_peak == 3);
	CHECK(rec.token_wait >= 0 && rec.token_wait < 10);
	CHECK(rec.threads == 0 && rec.kind == KW_LINKER_BFD);
	CHECK(rec.jobserver_usable && rec.jobs == 4);
	CHECK(argv_equal(rec.argv.v, argv));
	link_record_release(&rec);
	config_release(&cfg);
	free(out); free(m); free(h);
}

/* 64 links in a row, the serial lock held by the caller throughout. */
static void in_make_64(void)
{
	struct kw_config cfg;
	struct kw_link_record rec;
	config_with(&cfg, NULL);
	char *loop = path_in("loop"), *m = path_in("main.o"), *h = path_in("helper.o");
	mkdir(loop, 0777);
	char *first = kw_asprintf("%s/vmlinux", loop);
	size_t fds = count_fds();
	double waited;
	int lock = classify_lock(first, &waited);
	CHECK(lock >= 0 && !lock_free(loop));
	for (int i = 0; i < 64; i++) {
		char *out = kw_asprintf("%s/.tmp_vmlinux%d", loop, i);
		char *argv[] = { i % 2 ? "ld" : "ld.lld", "-o", out, "-e", "main", m, h, NULL };
		CHECK(link_once(&cfg, argv, &rec) == 0);
		CHECK(rec.exit_code == 0 && rec.cls == KW_CLASS_SERIAL && rec.locked);
		CHECK(rec.symhashed && rec.sym_status == KW_SYMSET_OK);
		CHECK(!lock_free(loop));
		link_record_release(&rec);
		free(out);
	}
	classify_unlock(lock);
	CHECK(lock_free(loop));
	CHECK(count_fds() == fds);
	CHECK(!maps_name_dir());
	config_release(&cfg);
	free(loop); free(m); free(h); free(first);
}

static int run_in_make(void)
{
	in_make_lld();
	in_make_exclusive();
	in_make_64();
	return 0;
}

/* "tokens=N": the free tokens of make's jobserver, taken and given back. */
static int count_tokens(void)
{
	struct kw_jobserver js;
	size_t n = jobserver_open(&js, getenv("MAKEFLAGS")) ? jobserver_take(&js, SIZE_MAX) : 0;
	jobserver_close(&js);
	printf("tokens=%zu\n", n);
	return 0;
}

static void test_under_make(void **state)
{
	(void)state;
	if (!have("make") || !have("ld.lld")) {
		/* A missing prerequisite is a broken set-up under CI, never a skip. */
		const char *ci = getenv("CI");
		if (ci && !strcmp(ci, "true"))
			fail_msg("make or ld.lld missing (CI=true: failing, not skipping)");
		skip();
	}
	char *mk = path_in("Makefile"), *log = path_in("make.log");
	FILE *f = fopen(mk, "w");
	assert_non_null(f);
	fprintf(f, "all: count\nlinks:\n\t+@$(DRIVER) --in-make $(DIR)\n"
		   "count: links\n\t+@$(DRIVER) --count-tokens\n");
	fclose(f);
	char *cmd = kw_asprintf("make -j4 DRIVER='%s' DIR='%s' >make.log 2>&1", self, dir);
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct kw_child child = KW_CHILD_INIT;
	child.argv = argv;
	child.dir = dir;
	unsetenv("MAKEFLAGS");
	unsetenv("MFLAGS");
	unsetenv("MAKELEVEL");
	assert_int_equal(exec_run(&child), 0);
	char *show = kw_asprintf("cat %s >&2", log);
	if (!WIFEXITED(child.status) || WEXITSTATUS(child.status))
		assert_int_equal(system(show), 0);
	assert_true(WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0);
	/* Every token is back: make saw none lost, and all 3 are free. */
	char *grep = kw_asprintf("grep -q INTERNAL %s", log);
	assert_int_not_equal(system(grep), 0);
	free(grep);
	grep = kw_asprintf("grep -qx tokens=3 %s", log);
	assert_int_equal(system(grep), 0);
	free(grep);
	free(show); free(cmd); free(mk); free(log);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kwlinkXXXXXX");
	if (!mkdtemp(dir))
		return -1;
	sh("cd %s && printf 'extern int helper(int);\\nint counter = 3;\\n"
	   "int main(void) { return helper(counter) - 9; }\\n' >main.c && "
	   "printf 'static int square(int x) { return x * x; }\\n"
	   "int helper(int x) { return square(x); }\\n' >helper.c && "
	   "printf 'int main(void) { return missing_function(); }\\n' >bad.c && "
	   "cc -c main.c helper.c && cc -w -c bad.c", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", dir);
	return 0;
}

int main(int argc, char *argv[])
{
	if (!realpath("/proc/self/exe", self))
		return 99;
	if (argc == 3 && !strcmp(argv[1], "--in-make")) {
		snprintf(dir, sizeof(dir), "%s", argv[2]);
		return run_in_make();
	}
	if (argc == 3 && !strcmp(argv[1], "--depth-test")) {
		snprintf(dir, sizeof(dir), "%s", argv[2]);
		return depth_test();
	}
	if (argc == 2 && !strcmp(argv[1], "--count-tokens"))
		return count_tokens();

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ld_record),
		cmocka_unit_test(test_failing_link_record),
		cmocka_unit_test(test_killed_link_record),
		cmocka_unit_test(test_signal_while_exec_fails),
		cmocka_unit_test(test_marker_only_for_the_linker),
		cmocka_unit_test(test_depth_counted_once),
		cmocka_unit_test(test_under_make),
	};
	return cmocka_run_group_tests_name("link", tests, setup, teardown);
}
