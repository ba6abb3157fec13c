/* Spawning and waiting for child processes. */
#include "klinkwrap/exec.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };
#define NFORWARDED (sizeof(forwarded) / sizeof(*forwarded))

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t last_signal;
static volatile sig_atomic_t undelivered; /* caught while no child ran */
static volatile sig_atomic_t pipe_caught;
static int catch_depth;
static struct sigaction saved[NFORWARDED];
static struct sigaction saved_pipe;

static void forward(int sig)
{
	int saved_errno = errno;
	last_signal = sig;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	else
		undelivered = sig;
	errno = saved_errno;
}

/* SIGPIPE while something must be given back: the write that raised it
 * fails with EPIPE instead, and klinkwrap carries on (a --verbose line to
 * a stderr nobody reads must not lose tokens). Not passed on: the linker
 * meets its own broken pipes. */
static void note_pipe(int sig)
{
	(void)sig;
	pipe_caught = 1;
}

static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(set, forwarded[i]);
}

void exec_signals_catch(void)
{
	if (catch_depth++)
		return;
	last_signal = 0;
	undelivered = 0;
	for (size_t i = 0; i < NFORWARDED; i++) {
		struct sigaction sa = { .sa_handler = forward };
		forwarded_set(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(forwarded[i], NULL, &saved[i]);
		/* An inherited "ignore" (a background job of a shell) stays. */
		if (saved[i].sa_handler != SIG_IGN)
			sigaction(forwarded[i], &sa, NULL);
	}
	sigaction(SIGPIPE, NULL, &saved_pipe);
	exec_sigpipe_survive();
}

void exec_sigpipe_survive(void)
{
	/* Caught handlers are reset at exec, so the linker still gets the
	 * default SIGPIPE (or an inherited "ignore", which stays). */
	struct sigaction old, sa = { .sa_handler = note_pipe, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, NULL, &old);
	if (old.sa_handler != SIG_IGN)
		sigaction(SIGPIPE, &sa, NULL);
}

bool exec_sigpipe_caught(void)
{
	return pipe_caught;
}

int exec_signals_release(void)
{
	int sig = undelivered;
	if (catch_depth <= 0 || --catch_depth > 0)
		return sig;
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &saved[i], NULL);
	sigaction(SIGPIPE, &saved_pipe, NULL);
	undelivered = 0;
	return sig;
}

int exec_errno_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? KW_EXIT_NOT_FOUND : KW_EXIT_CANNOT_EXEC;
}

/* klinkwrap's environment with CHANGES applied ("NAME=VALUE" sets, a
 * bare "NAME" removes), as a new array of borrowed strings (free only the
 * array), or environ itself when there are none. */
static char **child_environ(const char *const *changes)
{
	if (!changes || !*changes)
		return environ;
	size_t n = 0, nchanges = 0;
	while (environ[n])
		n++;
	while (changes[nchanges])
		nchanges++;
	char **env = kw_calloc(n + nchanges + 1, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool changed = false;
		for (size_t c = 0; c < nchanges && !changed; c++) {
			size_t len = strcspn(changes[c], "=");
			changed = !strncmp(environ[i], changes[c], len) && environ[i][len] == '=';
		}
		if (!changed)
			env[k++] = environ[i];
	}
	for (size_t c = 0; c < nchanges; c++)
		if (strchr(changes[c], '='))
			env[k++] = (char *)changes[c];
	env[k] = NULL;
	return env;
}

static void free_environ(char **env)
{
	if (env != environ)
		free(env);
}

/* Open a redirection target; -1 after reporting (unless quiet). */
static int open_redirect(const struct kw_child *child, const char *file, int flags)
{
	int fd = open(file, flags | O_CLOEXEC, 0666);
	if (fd < 0 && !child->quiet)
		kw_error("%s: cannot open for %s: %s", file,
			 (flags & O_ACCMODE) == O_RDONLY ? "reading" : "writing", strerror(errno));
	return fd;
}

static const char *child_name(const struct kw_child *child)
{
	return child->path ? child->path : child->argv[0];
}

int exec_start(struct kw_child *child)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t actions;
	sigset_t all, original;
	int err, in = -1, out = -1;

	child->pid = -1;
	child->status = 0;
	child->signal_received = 0;
	child->start_errno = 0;

	if (child->stdin_file && (in = open_redirect(child, child->stdin_file, O_RDONLY)) < 0) {
		child->start_errno = errno;
		return KW_EXIT_SELF;
	}
	if (child->stdout_file &&
	    (out = open_redirect(child, child->stdout_file, O_WRONLY | O_CREAT | O_TRUNC)) < 0) {
		child->start_errno = errno;
		if (in >= 0)
			close(in);
		return KW_EXIT_SELF;
	}

	/* An inherited SIGCHLD "ignore" (or SA_NOCLDWAIT) would reap the
	 * child behind klinkwrap's back and lose its exit status. The child
	 * inherits the default too, as under make, which resets it. */
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, NULL);

	exec_signals_catch();
	/* Block the forwarded signals while the child starts, so none is
	 * lost between spawn and recording its pid; the child starts with
	 * klinkwrap's original mask, as it is, and klinkwrap gets it back. */
	forwarded_set(&all);
	sigprocmask(SIG_BLOCK, &all, &original);

	if (undelivered) {
		/* Asked to stop before the child started: it never will. */
		child->status = W_EXITCODE(0, undelivered);
		child->signal_received = undelivered;
		undelivered = 0;
		sigprocmask(SIG_SETMASK, &original, NULL);
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		return 0;
	}

	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &original);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawn_file_actions_init(&actions);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&actions, in, 0);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&actions, out, 1);
	/* After the redirections, which are relative to klinkwrap's cwd. */
	if (child->dir)
		posix_spawn_file_actions_addchdir_np(&actions, child->dir);
	char **env = child_environ(child->env);
	pid_t pid;
	if (child->path)
		err = posix_spawn(&pid, child->path, &actions, &attr, child->argv, env);
	else
		err = posix_spawnp(&pid, child->argv[0], &actions, &attr, child->argv, env);
	free_environ(env);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);

	if (err) {
		/* Unblock while still catching: a signal that came during the
		 * failed start is recorded, not lost (nor fatal before the
		 * caller gave back what it holds). */
		sigprocmask(SIG_SETMASK, &original, NULL);
		child->signal_received = undelivered;
		child->start_errno = err;
		exec_signals_release();
		if (!child->quiet)
			kw_error("%s: cannot execute: %s", child_name(child), strerror(err));
		return exec_errno_status(err);
	}
	child->pid = pid;
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &original, NULL);
	return 0;
}

/* Has the child exited? Leaves it unreaped, so that its pid cannot be
 * reused while the signal handler may still send to it. 1 yes, 0 not
 * yet (HANG false, or a signal came), -1 error. */
static int exited(pid_t pid, bool hang)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | (hang ? 0 : WNOHANG)) < 0)
		return errno == EINTR ? 0 : -1;
	return si.si_pid != 0;
}

/* Wait until the child exits, calling READY whenever FD is readable.
 * Watches the child with a pidfd, or by polling every 20 ms where there
 * is none. Returns 0, or -1 on error. */
static int wait_polling(pid_t pid, int fd, void (*ready)(void *), void *arg)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
	int r;
	while ((r = exited(pid, false)) == 0) {
		int n = poll(p, 2, pidfd >= 0 ? -1 : 20);
		if (n < 0 && errno != EINTR)
			p[0].fd = -1;
		if (n <= 0)
			continue;
		if (p[0].revents & POLLIN)
			ready(arg);
		else if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			p[0].fd = -1; /* nothing more will come from there */
	}
	int saved_errno = errno;
	if (pidfd >= 0)
		close(pidfd);
	errno = saved_errno;
	return r < 0 ? -1 : 0;
}

int exec_wait_watching(struct kw_child *child, int fd, void (*ready)(void *arg), void *arg)
{
	int status = child->status; /* a child never started keeps its status */
	int r = 0;
	if (child->pid > 0 && fd >= 0 && ready)
		r = wait_polling(child->pid, fd, ready, arg);
	else if (child->pid > 0)
		while ((r = exited(child->pid, true)) == 0)
			;
	int err = errno;

	/* The child is a zombie now: forward no more, then reap it. */
	child_pid = 0;
	if (r >= 0 && child->pid > 0 && waitpid(child->pid, &status, 0) < 0) {
		r = -1;
		err = errno;
	}
	if (!child->signal_received)
		child->signal_received = last_signal;
	exec_signals_release();

	if (r < 0) {
		kw_error("waiting for %s (pid %d): %s", child_name(child), (int)child->pid,
			 strerror(err));
		return -1;
	}
	child->status = status;
	return 0;
}

int exec_wait(struct kw_child *child)
{
	return exec_wait_watching(child, -1, NULL, NULL);
}

int exec_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return KW_EXIT_SELF;
}

void exec_exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		/* The linker already dumped its core if it was going to. */
		struct rlimit none = { 0, 0 };
		setrlimit(RLIMIT_CORE, &none);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		/* A signal whose default is to be ignored, or stop: exit as a
		 * shell reports it. */
	}
	exit(exec_exit_code(status));
}

int exec_run(struct kw_child *child)
{
	int rc = exec_start(child);
	if (rc)
		return rc;
	return exec_wait(child) ? KW_EXIT_SELF : 0;
}

int exec_replace(struct kw_child *child)
{
	int err;
	child->start_errno = 0;
	if (child->dir && chdir(child->dir)) {
		err = errno;
	} else {
		char **env = child_environ(child->env);
		if (child->path)
			execve(child->path, child->argv, env);
		else
			execvpe(child->argv[0], child->argv, env);
		err = errno;
		free_environ(env);
	}
	child->start_errno = err;
	if (!child->quiet)
		kw_error("%s: cannot execute: %s", child_name(child), strerror(err));
	return exec_errno_status(err);
}
