/* Signal catching around a link and waiting with a watched fd (the parts
 * of exec that keep jobserver tokens safe). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klinkwrap/exec.h"
#include "klinkwrap/util.h"

/* exec_start of PATH with ARGV and no other option. */
static int start(struct kw_child *child, const char *path, char **argv)
{
	*child = (struct kw_child)KW_CHILD_INIT;
	child->path = path;
	child->argv = argv;
	return exec_start(child);
}

static void test_caught_before_start(void **state)
{
	(void)state;
	struct kw_child child;
	char *argv[] = { "/bin/true", NULL };
	exec_signals_catch();
	raise(SIGTERM); /* recorded, not fatal */
	assert_int_equal(start(&child, "/bin/true", argv), 0);
	assert_int_equal(child.pid, -1);
	assert_true(WIFSIGNALED(child.status));
	assert_int_equal(WTERMSIG(child.status), SIGTERM);
	assert_int_equal(exec_wait(&child), 0);
	assert_int_equal(WTERMSIG(child.status), SIGTERM);
	assert_int_equal(child.signal_received, SIGTERM);
	/* Reported once, through the status. */
	assert_int_equal(exec_signals_release(), 0);
	struct sigaction sa;
	sigaction(SIGTERM, NULL, &sa);
	assert_true(sa.sa_handler == SIG_DFL);
}

static void test_caught_after_child(void **state)
{
	(void)state;
	struct kw_child child;
	char *argv[] = { "/bin/true", NULL };
	exec_signals_catch();
	assert_int_equal(start(&child, "/bin/true", argv), 0);
	assert_int_equal(exec_wait(&child), 0);
	assert_true(WIFEXITED(child.status));
	/* Still caught: exec_wait undid only its own catch. */
	raise(SIGHUP);
	assert_int_equal(exec_signals_release(), SIGHUP);
	assert_int_equal(exec_signals_release(), 0); /* unbalanced: harmless */
}

static void test_ignored_stays_ignored(void **state)
{
	(void)state;
	struct sigaction sa;
	signal(SIGINT, SIG_IGN);
	exec_signals_catch();
	sigaction(SIGINT, NULL, &sa);
	assert_true(sa.sa_handler == SIG_IGN);
	exec_signals_release();
	signal(SIGINT, SIG_DFL);
}

/* A parent that ignores SIGCHLD must not cost the linker's status. */
static void test_sigchld_ignored(void **state)
{
	(void)state;
	struct kw_child child;
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	signal(SIGCHLD, SIG_IGN);
	int started = start(&child, "/bin/sh", argv);
	int waited = started ? -2 : exec_wait(&child);
	signal(SIGCHLD, SIG_DFL);
	assert_int_equal(started, 0);
	assert_int_equal(waited, 0);
	assert_true(WIFEXITED(child.status));
	assert_int_equal(WEXITSTATUS(child.status), 3);
}

/* The child gets klinkwrap's mask as it was, and klinkwrap keeps it. */
static void test_mask_kept(void **state)
{
	(void)state;
	sigset_t block, before, after;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &before);
	/* grep, not sh (dash clears its mask), with its stdout in a file. */
	FILE *out = tmpfile();
	assert_non_null(out);
	int saved_stdout = dup(1);
	fflush(stdout);
	dup2(fileno(out), 1);
	char *argv[] = { "grep", "SigBlk", "/proc/self/status", NULL };
	struct kw_child child;
	exec_signals_catch();
	int started = start(&child, "/bin/grep", argv);
	int waited = started ? -2 : exec_wait(&child);
	exec_signals_release();
	dup2(saved_stdout, 1);
	close(saved_stdout);
	sigprocmask(SIG_SETMASK, &before, &after);
	assert_int_equal(started, 0);
	assert_int_equal(waited, 0);
	assert_true(WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0);

	/* klinkwrap's own mask is back as it was. */
	assert_true(sigismember(&after, SIGTERM));
	assert_true(sigismember(&after, SIGHUP));
	assert_true(sigismember(&after, SIGUSR1));
	assert_false(sigismember(&after, SIGINT));

	/* The child's: bit N-1 for signal N. */
	char line[128];
	unsigned long long blk = 0;
	rewind(out);
	assert_non_null(fgets(line, sizeof(line), out));
	assert_int_equal(sscanf(line, "SigBlk: %llx", &blk), 1);
	fclose(out);
	for (int sig = 1; sig < 32; sig++)
		assert_int_equal(!!(blk & (1ULL << (sig - 1))), sigismember(&after, sig));
}

/* SIGPIPE while caught: the write fails with EPIPE, nothing dies, and the
 * default comes back with the release; an inherited "ignore" stays. */
static void test_sigpipe(void **state)
{
	(void)state;
	int p[2];
	struct sigaction sa;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	exec_signals_catch();
	errno = 0;
	assert_int_equal(write(p[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	assert_true(exec_sigpipe_caught());
	/* Not a signal to end by: klinkwrap ends as the linker did. */
	assert_int_equal(exec_signals_release(), 0);
	sigaction(SIGPIPE, NULL, &sa);
	assert_true(sa.sa_handler == SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	exec_signals_catch();
	sigaction(SIGPIPE, NULL, &sa);
	assert_true(sa.sa_handler == SIG_IGN);
	exec_signals_release();
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

static int readies;
static int watched_fd;

static void on_ready(void *arg)
{
	(void)arg;
	char c;
	if (read(watched_fd, &c, 1) == 1)
		readies++;
}

static void test_wait_watching(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	watched_fd = p[0];
	char cmd[64];
	/* The child writes two bytes with a pause between, then exits 3. */
	snprintf(cmd, sizeof(cmd), "printf x >&%d; sleep 0.1; printf y >&%d; exit 3", p[1], p[1]);
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct kw_child child;
	assert_int_equal(start(&child, "/bin/sh", argv), 0);
	assert_int_equal(exec_wait_watching(&child, p[0], on_ready, NULL), 0);
	assert_true(WIFEXITED(child.status));
	assert_int_equal(WEXITSTATUS(child.status), 3);
	assert_int_equal(readies, 2);
	close(p[0]);
	close(p[1]);
}

/* The whole file, or "" (static buffer). */
static const char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The options a helper command needs: environment additions and
 * removals for this child only, a working directory, stdin from a file,
 * stdout to a file (relative to klinkwrap's cwd, not the child's). */
static void test_child_options(void **state)
{
	(void)state;
	char dir[] = "/tmp/kwexXXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[64], in[64], out[64];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	FILE *f = fopen(in, "w");
	fputs("from stdin\n", f);
	fclose(f);
	setenv("KW_TEST_GONE", "parent", 1);
	setenv("KW_TEST_CHANGED", "parent", 1);

	const char *env[] = { "KW_TEST_ADDED=1", "KW_TEST_CHANGED=child", "KW_TEST_GONE", NULL };
	char *argv[] = { "sh", "-c",
			 "read line; echo \"$line|$KW_TEST_ADDED|$KW_TEST_CHANGED|${KW_TEST_GONE-unset}|$PWD\"",
			 NULL };
	struct kw_child child = KW_CHILD_INIT;
	child.argv = argv; /* path NULL: found on PATH */
	child.env = env;
	child.dir = sub;
	child.stdin_file = in;
	child.stdout_file = out;
	assert_int_equal(exec_run(&child), 0);
	assert_true(WIFEXITED(child.status) && WEXITSTATUS(child.status) == 0);
	char want[160];
	snprintf(want, sizeof(want), "from stdin|1|child|unset|%s\n", sub);
	assert_string_equal(slurp(out), want);
	/* klinkwrap's own environment is unchanged. */
	assert_string_equal(getenv("KW_TEST_GONE"), "parent");
	assert_string_equal(getenv("KW_TEST_CHANGED"), "parent");
	assert_null(getenv("KW_TEST_ADDED"));
	unsetenv("KW_TEST_GONE");
	unsetenv("KW_TEST_CHANGED");

	/* stdout truncated on the next run. */
	char *short_argv[] = { "/bin/echo", "x", NULL };
	child = (struct kw_child)KW_CHILD_INIT;
	child.path = "/bin/echo";
	child.argv = short_argv;
	child.stdout_file = out;
	assert_int_equal(exec_run(&child), 0);
	assert_string_equal(slurp(out), "x\n");

	/* A redirection that cannot be opened: klinkwrap's failure, nothing runs. */
	char bad[80];
	snprintf(bad, sizeof(bad), "%s/no/such/dir/out", dir);
	child = (struct kw_child)KW_CHILD_INIT;
	child.path = "/bin/echo";
	child.argv = short_argv;
	child.stdout_file = bad;
	child.quiet = true;
	assert_int_equal(exec_run(&child), KW_EXIT_SELF);
	assert_int_equal(child.start_errno, ENOENT);
	assert_int_equal(child.pid, -1);

	unlink(in);
	unlink(out);
	rmdir(sub);
	rmdir(dir);
}

/* A program that cannot be started: 127/126 with one message, or none
 * when quiet (a probe that may fail). */
static void test_start_failure_quiet(void **state)
{
	(void)state;
	char *argv[] = { "no-such-program-xyz", NULL };
	FILE *err = tmpfile();
	int saved = dup(2);
	fflush(stderr);
	dup2(fileno(err), 2);
	struct kw_child child = KW_CHILD_INIT;
	child.argv = argv;
	child.quiet = true;
	int quiet_rc = exec_run(&child);
	int quiet_errno = child.start_errno;
	long after_quiet = ftell(err);
	child = (struct kw_child)KW_CHILD_INIT;
	child.path = "/nonexistent/ld";
	child.argv = argv;
	int loud_rc = exec_start(&child);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(quiet_rc, 127);
	assert_int_equal(quiet_errno, ENOENT);
	assert_int_equal(after_quiet, 0);
	assert_int_equal(loud_rc, 127);
	char msg[128] = "";
	rewind(err);
	assert_non_null(fgets(msg, sizeof(msg), err));
	assert_string_equal(msg, "klinkwrap: /nonexistent/ld: cannot execute: No such file or "
			    "directory\n");
	assert_null(fgets(msg, sizeof(msg), err));
	fclose(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caught_before_start),
		cmocka_unit_test(test_caught_after_child),
		cmocka_unit_test(test_ignored_stays_ignored),
		cmocka_unit_test(test_wait_watching),
		cmocka_unit_test(test_sigchld_ignored),
		cmocka_unit_test(test_mask_kept),
		cmocka_unit_test(test_sigpipe),
		cmocka_unit_test(test_child_options),
		cmocka_unit_test(test_start_failure_quiet),
	};
	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
