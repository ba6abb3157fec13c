/* The jobserver client: MAKEFLAGS parsing, token conservation on real
 * pipes and fifos, and the shared pipe's flags left alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klinkwrap/jobserver.h"
#include "klinkwrap/util.h"

/* A write() that writes nothing on one fd, as no pipe does but the
 * client must not misreport: it takes the place of libc's for the library
 * linked into this test. */
static int zero_write_fd = -1;

ssize_t write(int fd, const void *buf, size_t n)
{
	if (fd == zero_write_fd && n > 0)
		return 0;
	return syscall(SYS_write, fd, buf, n);
}

static void parse(const char *flags, struct kw_makeflags *mf)
{
	jobserver_parse(flags, mf);
}

static void test_parse_styles(void **state)
{
	(void)state;
	struct kw_makeflags mf;

	parse(" -j4 --jobserver-auth=3,4", &mf);
	assert_int_equal(mf.style, KW_JS_PIPE);
	assert_int_equal(mf.rfd, 3);
	assert_int_equal(mf.wfd, 4);
	assert_int_equal(mf.jobs, 4);
	assert_false(mf.dry_run);
	jobserver_makeflags_release(&mf);

	parse("-j8 --jobserver-auth=fifo:/tmp/GMfifo123", &mf);
	assert_int_equal(mf.style, KW_JS_FIFO);
	assert_string_equal(mf.fifo, "/tmp/GMfifo123");
	assert_int_equal(mf.jobs, 8);
	jobserver_makeflags_release(&mf);

	/* The last one wins: make 4.4 appends -2,-2 for non-recursive children. */
	parse(" -j4 --jobserver-auth=fifo:/tmp/x --jobserver-auth=-2,-2", &mf);
	assert_int_equal(mf.style, KW_JS_DISABLED);
	assert_null(mf.fifo);
	jobserver_makeflags_release(&mf);
	parse(" -j4 --jobserver-auth=-2,-2 --jobserver-auth=5,6", &mf);
	assert_int_equal(mf.style, KW_JS_PIPE);
	assert_int_equal(mf.rfd, 5);
	jobserver_makeflags_release(&mf);

	/* Pre-4.2 spelling. */
	parse("-j2 --jobserver-fds=7,8", &mf);
	assert_int_equal(mf.style, KW_JS_PIPE);
	assert_int_equal(mf.wfd, 8);
	jobserver_makeflags_release(&mf);
}

static void test_parse_odd_input(void **state)
{
	(void)state;
	static const char *const unknown[] = {
		"--jobserver-auth=", "--jobserver-auth=3", "--jobserver-auth=3,",
		"--jobserver-auth=,4", "--jobserver-auth=a,b", "--jobserver-auth=fifo:",
		"--jobserver-auth=sem:gmake_semaphore", "--jobserver-auth=3,4x",
		"--jobserver-auth=99999999999,1",
	};
	struct kw_makeflags mf;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++) {
		parse(unknown[i], &mf);
		assert_int_equal(mf.style, KW_JS_UNKNOWN);
		jobserver_makeflags_release(&mf);
	}
	parse(NULL, &mf);
	assert_int_equal(mf.style, KW_JS_NONE);
	parse("", &mf);
	assert_int_equal(mf.style, KW_JS_NONE);
	parse("   ", &mf);
	assert_int_equal(mf.style, KW_JS_NONE);
	/* Plain -j: unlimited, no jobserver. */
	parse("-j", &mf);
	assert_int_equal(mf.style, KW_JS_NONE);
	assert_int_equal(mf.jobs, 0);
	/* A -jN past ULONG_MAX is no count (exclusive mode would wait for
	 * tokens that cannot exist); the largest one is. */
	parse("-j99999999999999999999999 --jobserver-auth=3,4", &mf);
	assert_int_equal(mf.jobs, 0);
	jobserver_makeflags_release(&mf);
	parse("-j18446744073709551615", &mf);
	assert_int_equal(mf.jobs, ULONG_MAX);
	/* Variable definitions after "--" are not flags. */
	parse(" -j3 -- X=--jobserver-auth=5,6", &mf);
	assert_int_equal(mf.style, KW_JS_NONE);
	assert_int_equal(mf.jobs, 3);
}

static void test_parse_dry_run(void **state)
{
	(void)state;
	struct kw_makeflags mf;
	parse("n -j4 --jobserver-auth=3,4", &mf);
	assert_true(mf.dry_run);
	jobserver_makeflags_release(&mf);
	parse("kns -j4 --jobserver-auth=3,4", &mf);
	assert_true(mf.dry_run);
	jobserver_makeflags_release(&mf);
	parse("ks -j4 --jobserver-auth=3,4", &mf);
	assert_false(mf.dry_run);
	jobserver_makeflags_release(&mf);
	/* Only the first word holds the letters. */
	parse(" -j4 --jobserver-auth=3,4 n", &mf);
	assert_false(mf.dry_run);
	jobserver_makeflags_release(&mf);
}

/* A jobserver pipe preloaded with TOKENS; MAKEFLAGS for it in FLAGS. */
static void make_pipe(int fds[2], const char *tokens, char *flags, size_t len)
{
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], tokens, strlen(tokens)), (ssize_t)strlen(tokens));
	snprintf(flags, len, " -j%zu --jobserver-auth=%d,%d", strlen(tokens) + 1, fds[0], fds[1]);
}

/* Everything in the pipe now, read without disturbing its flags. */
static char *drain(int rfd)
{
	static char buf[256];
	int fl = fcntl(rfd, F_GETFL);
	fcntl(rfd, F_SETFL, fl | O_NONBLOCK);
	ssize_t n = read(rfd, buf, sizeof(buf) - 1);
	fcntl(rfd, F_SETFL, fl);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_pipe_tokens_exact(void **state)
{
	(void)state;
	int fds[2];
	char flags[64];
	make_pipe(fds, "ab|+c", flags, sizeof(flags));
	int rfl = fcntl(fds[0], F_GETFL), wfl = fcntl(fds[1], F_GETFL);

	struct kw_jobserver js;
	assert_true(jobserver_open(&js, flags));
	assert_null(js.problem);
	assert_int_equal(js.mf.jobs, 6);
	assert_int_equal(jobserver_take(&js, 2), 2);
	assert_int_equal(jobserver_take(&js, SIZE_MAX), 3);
	assert_int_equal(jobserver_take(&js, SIZE_MAX), 0); /* none left: no wait */
	/* Our reads were non-blocking; make's description was not touched. */
	assert_int_equal(fcntl(fds[0], F_GETFL), rfl);
	assert_int_equal(fcntl(fds[1], F_GETFL), wfl);
	assert_true(fcntl(jobserver_poll_fd(&js), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(jobserver_give_back(&js), 0);
	jobserver_close(&js);

	assert_string_equal(drain(fds[0]), "ab|+c");
	/* make's fds stay open for the linker. */
	assert_true(fcntl(fds[0], F_GETFD) >= 0);
	assert_true(fcntl(fds[1], F_GETFD) >= 0);
	close(fds[0]);
	close(fds[1]);
}

/* Tokens held when the process exits (kw_die, exit) still go back. */
static void test_exit_gives_back(void **state)
{
	(void)state;
	int fds[2];
	char flags[64];
	make_pipe(fds, "xyz", flags, sizeof(flags));
	pid_t pid = fork();
	if (pid == 0) {
		struct kw_jobserver js;
		if (!jobserver_open(&js, flags) || jobserver_take(&js, 10) != 3)
			_exit(99);
		kw_die(7, "dying with tokens held");
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	assert_string_equal(drain(fds[0]), "xyz");
	close(fds[0]);
	close(fds[1]);
}

/* Tokens of every connection still open at exit go back, however many
 * (the registry had room for four). */
static void test_exit_gives_back_many(void **state)
{
	(void)state;
	enum { N = 12 };
	int fds[N][2];
	char flags[N][64];
	for (int i = 0; i < N; i++)
		make_pipe(fds[i], "ab", flags[i], sizeof(flags[i]));
	pid_t pid = fork();
	if (pid == 0) {
		struct kw_jobserver js[N];
		for (int i = 0; i < N; i++)
			if (!jobserver_open(&js[i], flags[i]) || jobserver_take(&js[i], 10) != 2)
				_exit(99);
		kw_die(7, "dying with tokens of %d jobservers held", N);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	for (int i = 0; i < N; i++) {
		assert_string_equal(drain(fds[i][0]), "ab");
		close(fds[i][0]);
		close(fds[i][1]);
	}
}

/* A write of 0 bytes while giving back: reported as such, not with
 * whatever errno held before. */
static void test_zero_write(void **state)
{
	(void)state;
	int fds[2];
	char flags[64];
	make_pipe(fds, "xy", flags, sizeof(flags));
	struct kw_jobserver js;
	assert_true(jobserver_open(&js, flags));
	assert_int_equal(jobserver_take(&js, 10), 2);
	FILE *err = tmpfile();
	int saved = dup(2);
	dup2(fileno(err), 2);
	zero_write_fd = fds[1];
	errno = ENOENT; /* stale */
	int rc = jobserver_give_back(&js);
	zero_write_fd = -1;
	dup2(saved, 2);
	close(saved);
	assert_int_equal(rc, -1);
	char msg[256] = "";
	rewind(err);
	assert_non_null(fgets(msg, sizeof(msg), err));
	fclose(err);
	assert_string_equal(msg, "klinkwrap: cannot give 2 jobserver token(s) back to make: the "
			    "write wrote nothing\n");
	jobserver_close(&js);
	close(fds[0]);
	close(fds[1]);
}

static void test_unusable_fds(void **state)
{
	(void)state;
	struct kw_jobserver js;

	/* Closed fds: the recipe was not marked '+'. */
	assert_false(jobserver_open(&js, " -j4 --jobserver-auth=200,201"));
	assert_non_null(js.problem);
	assert_non_null(strstr(js.problem, "closed"));
	char *warning = jobserver_unusable_warning(&js);
	assert_string_equal(warning, "jobserver unavailable: the read fd 200 from MAKEFLAGS is "
			    "closed; running with one slot: add '+' to the parent make rule");
	free(warning);
	assert_true(jobserver_present(&js));
	assert_int_equal(jobserver_take(&js, 5), 0);
	jobserver_close(&js);

	/* Open, but not pipes. */
	int fd = open("/dev/null", O_RDWR);
	char flags[64];
	snprintf(flags, sizeof(flags), " -j4 --jobserver-auth=%d,%d", fd, fd);
	assert_false(jobserver_open(&js, flags));
	assert_non_null(strstr(js.problem, "not a pipe"));
	jobserver_close(&js);
	close(fd);

	/* Two different pipes. */
	int a[2], b[2];
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	snprintf(flags, sizeof(flags), " -j4 --jobserver-auth=%d,%d", a[0], b[1]);
	assert_false(jobserver_open(&js, flags));
	assert_non_null(strstr(js.problem, "not the two ends of one pipe"));
	jobserver_close(&js);
	/* Ends swapped. */
	snprintf(flags, sizeof(flags), " -j4 --jobserver-auth=%d,%d", a[1], a[0]);
	assert_false(jobserver_open(&js, flags));
	assert_non_null(strstr(js.problem, "not open for"));
	jobserver_close(&js);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);

	/* Negative fds, unknown style. */
	assert_false(jobserver_open(&js, " -j4 --jobserver-auth=-2,-2"));
	assert_non_null(strstr(js.problem, "no jobserver"));
	warning = jobserver_unusable_warning(&js);
	assert_non_null(strstr(warning, "; running with one slot: add '+' to the parent make rule"));
	free(warning);
	jobserver_close(&js);
	assert_false(jobserver_open(&js, " -j4 --jobserver-auth=sem:x"));
	assert_non_null(strstr(js.problem, "unrecognised"));
	/* '+' would not help there. */
	warning = jobserver_unusable_warning(&js);
	assert_string_equal(warning, "jobserver unavailable: unrecognised --jobserver-auth=sem:x "
			    "in MAKEFLAGS; running with one slot");
	free(warning);
	jobserver_close(&js);

	/* No jobserver at all, and a dry run: no problem, no tokens. */
	assert_false(jobserver_open(&js, "-k"));
	assert_null(js.problem);
	assert_null(jobserver_unusable_warning(&js));
	assert_false(jobserver_present(&js));
	jobserver_close(&js);
	assert_false(jobserver_open(&js, "n -j4 --jobserver-auth=3,4"));
	assert_null(js.problem);
	jobserver_close(&js);
}

/* init parses without touching an fd (a link that takes no token says
 * nothing); connect then checks, once. */
static void test_init_then_connect(void **state)
{
	(void)state;
	struct kw_jobserver js;
	jobserver_init(&js, " -j4 --jobserver-auth=200,201");
	assert_true(jobserver_present(&js));
	assert_int_equal(js.mf.jobs, 4);
	assert_null(js.problem);
	assert_int_equal(jobserver_poll_fd(&js), -1);
	assert_int_equal(jobserver_take(&js, 5), 0);
	assert_false(jobserver_connect(&js));
	assert_non_null(strstr(js.problem, "fd 200 from MAKEFLAGS is closed"));
	char *first = js.problem;
	assert_false(jobserver_connect(&js));
	assert_ptr_equal(js.problem, first);
	jobserver_close(&js);

	int p[2];
	char flags[64];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "xy", 2), 2);
	snprintf(flags, sizeof(flags), " -j3 --jobserver-auth=%d,%d", p[0], p[1]);
	jobserver_init(&js, flags);
	assert_int_equal(jobserver_take(&js, 5), 0);
	assert_true(jobserver_connect(&js));
	int fd = jobserver_poll_fd(&js);
	assert_true(jobserver_connect(&js));
	assert_int_equal(jobserver_poll_fd(&js), fd);
	assert_int_equal(jobserver_take(&js, 5), 2);
	jobserver_close(&js);
	char back[4];
	assert_int_equal(read(p[0], back, sizeof(back)), 2);
	assert_memory_equal(back, "xy", 2);
	close(p[0]);
	close(p[1]);
}

static void test_fifo(void **state)
{
	(void)state;
	char dir[] = "/tmp/kwjsXXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], flags[128];
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* The server keeps it open, as make 4.4 does. */
	int server = open(path, O_RDWR | O_NONBLOCK);
	assert_true(server >= 0);
	assert_int_equal(write(server, "\x01Z+", 3), 3);
	snprintf(flags, sizeof(flags), "-j4 --jobserver-auth=fifo:%s", path);

	struct kw_jobserver js;
	assert_true(jobserver_open(&js, flags));
	assert_true(fcntl(jobserver_poll_fd(&js), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(jobserver_take(&js, SIZE_MAX), 3);
	assert_int_equal(jobserver_take(&js, SIZE_MAX), 0);
	jobserver_close(&js);
	assert_string_equal(drain(server), "\x01Z+");

	/* A path that is not a fifo, and one that is gone. */
	unlink(path);
	close(server);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_false(jobserver_open(&js, flags));
	assert_non_null(js.problem);
	jobserver_close(&js);
	rmdir(path);
	assert_false(jobserver_open(&js, flags));
	assert_non_null(strstr(js.problem, "No such file"));
	jobserver_close(&js);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_styles),
		cmocka_unit_test(test_parse_odd_input),
		cmocka_unit_test(test_parse_dry_run),
		cmocka_unit_test(test_pipe_tokens_exact),
		cmocka_unit_test(test_exit_gives_back),
		cmocka_unit_test(test_exit_gives_back_many),
		cmocka_unit_test(test_zero_write),
		cmocka_unit_test(test_unusable_fds),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_init_then_connect),
	};
	return cmocka_run_group_tests_name("jobserver", tests, NULL, NULL);
}
