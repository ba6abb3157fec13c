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

/* Start PATH with ARGV and klinkwrap's environment, stdio and process
 * group. From here until exec_wait returns, SIGINT, SIGTERM and SIGHUP
 * sent to klinkwrap are passed on to the child. Returns 0, or the exit
 * status for a program that could not be run (126, 127) after printing
 * why. */
int exec_start(struct kw_child *child, const char *path, char *const argv[]);

/* Wait for the child; fills child->status. Returns 0, or -1 if waiting
 * failed (reported). */
int exec_wait(struct kw_child *child);

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
