/* Running the linker: a narrow spawn/wait API that forwards SIGINT,
 * SIGTERM and SIGHUP to the child and reproduces its fate in klinkwrap. */
#ifndef KLINKWRAP_EXEC_H
#define KLINKWRAP_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

struct kw_child {
	pid_t pid;
	int status;          /* wait status, once waited for */
	int signal_received; /* last of SIGINT/SIGTERM/SIGHUP klinkwrap got, or 0 */
};

/* Catch SIGINT, SIGTERM and SIGHUP instead of dying of them: each is
 * recorded, and passed on to the child while one runs. SIGPIPE is caught
 * too, and only noted: a write to a broken pipe fails with EPIPE instead
 * (klinkwrap still ends as the linker ended). Used around the time
 * klinkwrap holds something it must give back (jobserver tokens). Calls
 * nest with exec_signals_release; signals klinkwrap inherited as ignored
 * stay ignored, and the linker gets the dispositions klinkwrap inherited
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

/* Start PATH with ARGV and klinkwrap's environment, stdio, process group
 * and signal mask. SIGCHLD is set to its default first (an inherited
 * "ignore" would make the linker's exit status unknowable), so the linker
 * inherits the default. From here until exec_wait returns, SIGINT, SIGTERM and SIGHUP
 * sent to klinkwrap are passed on to the child. If one of them was
 * caught before (exec_signals_catch), the child is not started: the
 * call returns 0 with child->pid -1 and child->status saying it died of
 * that signal. Returns 0, or the exit status for a program that could
 * not be run (126, 127) after printing why. */
int exec_start(struct kw_child *child, const char *path, char *const argv[]);

/* Wait for the child; fills child->status. Returns 0, or -1 if waiting
 * failed (reported). */
int exec_wait(struct kw_child *child);

/* exec_wait, calling READY(ARG) each time FD (>= 0) becomes readable
 * while the child runs. */
int exec_wait_watching(struct kw_child *child, int fd, void (*ready)(void *arg), void *arg);

/* The wait status as a shell would report it: the exit code, or
 * 128 + signal number. */
int exec_exit_code(int status);

/* End klinkwrap the way the child ended: the same exit code, or death by
 * the same signal (without a core dump of klinkwrap). */
_Noreturn void exec_exit_like(int status);

/* Replace klinkwrap by PATH (informational calls: nothing to do after).
 * Returns only on failure, with the exit status (126, 127) after printing
 * why. */
int exec_replace(const char *path, char *const argv[]);

/* The exit status for a failed exec with ERR (ENOENT: 127, else 126). */
int exec_errno_status(int err);

#endif
