/* Spawning and waiting for the linker. */
#include "klinkwrap/exec.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };
#define NFORWARDED (sizeof(forwarded) / sizeof(*forwarded))

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t last_signal;
static struct sigaction saved[NFORWARDED];

static void forward(int sig)
{
	int saved_errno = errno;
	last_signal = sig;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	errno = saved_errno;
}

int exec_errno_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? KW_EXIT_NOT_FOUND : KW_EXIT_CANNOT_EXEC;
}

int exec_start(struct kw_child *child, const char *path, char *const argv[])
{
	posix_spawnattr_t attr;
	sigset_t all, empty;
	int err;

	child->pid = -1;
	child->status = 0;
	child->signal_received = 0;

	/* Block the forwarded signals while the child starts, so none is
	 * lost between spawn and recording its pid; the child starts with
	 * klinkwrap's original mask. */
	sigemptyset(&all);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&all, forwarded[i]);
	sigprocmask(SIG_BLOCK, &all, &empty);
	sigdelset(&empty, SIGINT);
	sigdelset(&empty, SIGTERM);
	sigdelset(&empty, SIGHUP);

	last_signal = 0;
	for (size_t i = 0; i < NFORWARDED; i++) {
		struct sigaction sa = { .sa_handler = forward };
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(forwarded[i], &sa, &saved[i]);
	}

	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &empty);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	pid_t pid;
	err = posix_spawn(&pid, path, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);

	if (err) {
		for (size_t i = 0; i < NFORWARDED; i++)
			sigaction(forwarded[i], &saved[i], NULL);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		kw_error("%s: cannot execute: %s", path, strerror(err));
		return exec_errno_status(err);
	}
	child->pid = pid;
	child_pid = pid;
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	return 0;
}

int exec_wait(struct kw_child *child)
{
	int status;
	pid_t r;
	do {
		r = waitpid(child->pid, &status, 0);
	} while (r < 0 && errno == EINTR);

	child_pid = 0;
	child->signal_received = last_signal;
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &saved[i], NULL);

	if (r < 0) {
		kw_error("waiting for the linker (pid %d): %s", (int)child->pid, strerror(errno));
		return -1;
	}
	child->status = status;
	return 0;
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

int exec_replace(const char *path, char *const argv[])
{
	execv(path, argv);
	int err = errno;
	kw_error("%s: cannot execute: %s", path, strerror(err));
	return exec_errno_status(err);
}
