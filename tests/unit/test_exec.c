/* Signal catching around a link and waiting with a watched fd (the parts
 * of exec that keep jobserver tokens safe). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klinkwrap/exec.h"

static void test_caught_before_start(void **state)
{
	(void)state;
	struct kw_child child;
	char *argv[] = { "/bin/true", NULL };
	exec_signals_catch();
	raise(SIGTERM); /* recorded, not fatal */
	assert_int_equal(exec_start(&child, "/bin/true", argv), 0);
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
	assert_int_equal(exec_start(&child, "/bin/true", argv), 0);
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
	assert_int_equal(exec_start(&child, "/bin/sh", argv), 0);
	assert_int_equal(exec_wait_watching(&child, p[0], on_ready, NULL), 0);
	assert_true(WIFEXITED(child.status));
	assert_int_equal(WEXITSTATUS(child.status), 3);
	assert_int_equal(readies, 2);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caught_before_start),
		cmocka_unit_test(test_caught_after_child),
		cmocka_unit_test(test_ignored_stays_ignored),
		cmocka_unit_test(test_wait_watching),
	};
	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
