/* Child processes: one options struct for every program klinkwrap runs
 * (the linker, and the helper commands of later features: nm, a kallsyms
 * script writing X.S, $CC -c), a narrow start/wait API that forwards
 * SIGINT, SIGTERM and SIGHUP to the child, and ending klinkwrap as the
 * child ended. Modelled on git's run-command.h: the caller fills the
 * options, exec_start reports a failure once (unless asked to be quiet),
 * and the outcome lands in the same struct. */
#ifndef KLINKWRAP_EXEC_H
#define KLINKWRAP_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

struct kw_child {
	/* What to run, set by the caller (KW_CHILD_INIT, then the fields). */
	const char *path;     /* the program; NULL: search argv[0] on PATH */
	char *const *argv;    /* argv[0] is the name the program sees */
	/* Changes to klinkwrap's environment for this child only, NULL-ended:
	 * "NAME=VALUE" sets, a bare "NAME" removes. NULL: none. */
	const char *const *env;
	const char *dir;      /* working directory, or NULL for klinkwrap's */
	/* Redirections, or NULL to inherit klinkwrap's. Paths are relative to
	 * klinkwrap's working directory (not DIR); stdout_file is created or
	 * truncated (0666 before the umask). */
	const char *stdin_file;
	const char *stdout_file;
	bool quiet;           /* no message when it cannot be started */

	/* What happened, filled by exec_start and exec_wait. */
	pid_t pid;            /* -1 when it never started */
	int status;           /* wait status, once waited for */
	int signal_received;  /* last of SIGINT/SIGTERM/SIGHUP klinkwrap got, or 0 */
	int start_errno;      /* why it could not be started, or 0 */
};

#define KW_CHILD_INIT { .pid = -1 }

/* Catch SIGINT, SIGTERM and SIGHUP instead of dying of them: each is
 * recorded, and passed on to the child while one runs. SIGPIPE is caught
 * too, and only noted: a write to a broken pipe fails with EPIPE instead
 * (klinkwrap still ends as the linker ended). Used around the time
 * klinkwrap holds something it must give back (jobserver tokens). Calls
 * nest with exec_signals_release; signals klinkwrap inherited as ignored
 * stay ignored, and the child gets the dispositions klinkwrap inherited
 * (caught ones are reset to the default at exec). */
void exec_signals_catch(void);

/* From now on (past exec_signals_release too), SIGPIPE only turns the
 * write that raised it into EPIPE, as in exec_signals_catch. For a
 * wrapped link, whose own writes are messages on stderr: a reader of
 * stderr that went away must not change how klinkwrap ends. Programs
 * started later still get the default (or an inherited "ignore"). */
void exec_sigpipe_survive(void);

/* Was SIGPIPE caught (and so turned into EPIPE) since klinkwrap started? */
bool exec_sigpipe_caught(void);

/* Undo one exec_signals_catch. Returns the last signal caught while no
 * child ran (so nobody acted on it), or 0: the caller should end by it
 * once it has given back what it holds. */
int exec_signals_release(void);

/* Start CHILD as its options say, with klinkwrap's stdio (unless
 * redirected), process group and signal mask. SIGCHLD is set to its
 * default first (an inherited "ignore" would make the child's exit status
 * unknowable), so the child inherits the default. From here until
 * exec_wait returns, SIGINT, SIGTERM and SIGHUP sent to klinkwrap are
 * passed on to the child. If one of them was caught before
 * (exec_signals_catch), the child is not started: the call returns 0
 * with child->pid -1 and child->status saying it died of that signal.
 * Returns 0, or the exit status for a program that could not be started
 * (126, 127; KW_EXIT_SELF when a redirection cannot be opened) after
 * printing why unless child->quiet; child->start_errno says why. A
 * signal caught while the start failed is in child->signal_received
 * (and, with exec_signals_catch around, returned by its release). */
int exec_start(struct kw_child *child);

/* Wait for the child; fills child->status. Returns 0, or -1 if waiting
 * failed (reported). A child that never started keeps its status. */
int exec_wait(struct kw_child *child);

/* exec_wait, calling READY(ARG) each time FD (>= 0) becomes readable
 * while the child runs. */
int exec_wait_watching(struct kw_child *child, int fd, void (*ready)(void *arg), void *arg);

/* exec_start and exec_wait: the helper commands' way. Returns 0 when the
 * child ran (its fate in child->status), else as exec_start (or
 * KW_EXIT_SELF when waiting failed). */
int exec_run(struct kw_child *child);

/* The wait status as a shell would report it: the exit code, or
 * 128 + signal number. */
int exec_exit_code(int status);

/* End klinkwrap the way the child ended: the same exit code, or death by
 * the same signal (without a core dump of klinkwrap). */
_Noreturn void exec_exit_like(int status);

/* Replace klinkwrap by CHILD (informational calls: nothing to do after);
 * path, argv, env and dir are used, redirections are not. Returns only on
 * failure, with the exit status (126, 127) after printing why unless
 * child->quiet. */
int exec_replace(struct kw_child *child);

/* The exit status for a failed exec with ERR (ENOENT: 127, else 126). */
int exec_errno_status(int err);

#endif
