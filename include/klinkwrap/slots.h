/* What one link holds while it runs: the serial lock, jobserver tokens
 * (threads for the linker; every free token in exclusive mode), and the
 * argv with the thread options. Every token taken is given back on every
 * way out: slots_end, exit(), and SIGINT/SIGTERM/SIGHUP, which are caught
 * from slots_begin to slots_end, and SIGPIPE, which never ends the link. */
#ifndef KLINKWRAP_SLOTS_H
#define KLINKWRAP_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include "klinkwrap/classify.h"
#include "klinkwrap/config.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/jobserver.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/threads.h"

struct kw_slots {
	const char *output;
	bool verbose;
	enum kw_link_class cls;
	int lock_fd;            /* serial lock, or -1 */
	double lock_wait;       /* seconds spent waiting for it */
	struct kw_jobserver js;
	enum kw_linker_kind kind;
	unsigned long threads;  /* given to the linker; 0: left to the linker */
	size_t tokens;          /* tokens taken for those threads */
	bool exclusive;         /* holding every free token while the link runs */
	bool all_held;          /* exclusive, and every token is ours */
	struct kw_strvec argv;  /* what runs: the original argv plus thread options */
};

/* Before the link of ARGS->output by the linker at PATH (ARGV as given):
 * classify; connect to the jobserver only when tokens would be taken (a
 * thread-capable linker given threads, or an exclusive serial link),
 * warning once when it cannot be used; lock a serial link (after
 * connecting, before any token); take tokens for threads and, in
 * exclusive mode, every free one. The thread options go after argv[0],
 * or after a driver-mode word (lld's -flavor gnu); none for mold -run or
 * lld's other flavours. From here on SIGPIPE only fails the write that
 * raised it (exec_sigpipe_survive). Never waits for a token. */
void slots_begin(struct kw_slots *s, const struct kw_config *cfg, const char *path,
		 const struct kw_linkargs *args, char *const argv[]);

/* The argv to run. */
char *const *slots_argv(const struct kw_slots *s);

/* exec_wait, taking every token that comes free in exclusive mode. */
int slots_wait(struct kw_slots *s, struct kw_child *child);

/* Give every token back, unlock, stop catching signals. Returns a signal
 * that arrived while no linker ran, or 0: the caller should end by it. */
int slots_end(struct kw_slots *s);

#endif
