/* What one link holds while it runs: the serial lock, jobserver tokens
 * (threads for the linker; every free token in exclusive mode), and the
 * argv with the thread options. Every token taken is given back on every
 * way out: slots_end, exit(), and SIGINT/SIGTERM/SIGHUP, which are caught
 * from slots_begin to slots_end, and SIGPIPE, which never ends the link.
 *
 * The progress lines of --verbose (the serial lock, "holding N
 * token(s)", exclusive mode, "giving back") are printed here, when each
 * thing happens: tests and users act on them while the link runs. The
 * facts stay in the struct after slots_end, for the link's record. */
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
	int lock_fd;            /* serial lock while held, or -1 */
	bool locked;            /* a serial link that got its lock */
	double lock_wait;       /* seconds spent waiting for it */
	struct kw_jobserver js; /* open from slots_begin to slots_end */
	bool js_present;        /* a make jobserver was in charge (usable or not) */
	bool js_usable;         /* ...and tokens could be taken */
	unsigned long jobs;     /* N of make's -jN; 0 unknown */
	enum kw_linker_kind kind;
	unsigned long threads;  /* given to the linker; 0: left to the linker */
	size_t tokens;          /* tokens taken for those threads */
	size_t peak;            /* the most tokens held at once (at slots_end) */
	bool exclusive;         /* holding every free token while the link runs */
	bool all_held;          /* exclusive, and every token was ours */
	double all_held_at;     /* when that began (CLOCK_MONOTONIC s), or 0 */
	double token_wait;      /* seconds spent waiting for tokens (--exclusive-wait) */
	struct kw_strvec argv;  /* what runs: the original argv plus thread options */
};

/* Before the link of ARGS->output by a linker of KIND (threads.h; ARGV as
 * given):
 * classify; connect to the jobserver only when tokens would be taken (a
 * thread-capable linker given threads, or an exclusive serial link); lock
 * a serial link (after connecting, before any token); take tokens for
 * threads and, in exclusive mode, every free one. Where no usable
 * jobserver exists the linker's threads are left alone (klinkwrap knows
 * nothing of free slots there) and only --verbose says so; the warning
 * (jobserver_unusable_warning) is for an exclusive serial link, which
 * needs the jobserver, once per process. The thread options go after
 * argv[0], or after a driver-mode word (lld's -flavor gnu); none for mold
 * -run or lld's other flavours. From here on SIGPIPE only fails the write
 * that raised it (exec_sigpipe_survive). Never waits for a token, except
 * as --exclusive-wait says. */
void slots_begin(struct kw_slots *s, const struct kw_config *cfg, enum kw_linker_kind kind,
		 const struct kw_linkargs *args, char *const argv[]);

/* Would a link under CFG connect to the jobserver JS names (parsed with
 * jobserver_init)? A thread-capable linker connects when it could be
 * given more than one thread (--threads not off, the cap above 1), an
 * exclusive serial link (EXCLUSIVE_SERIAL) always. jobserver-info asks
 * the same question, so that it connects only where a link would. */
bool slots_would_connect(const struct kw_config *cfg, const struct kw_jobserver *js,
			 bool exclusive_serial);

/* The argv to run. */
char *const *slots_argv(const struct kw_slots *s);

/* exec_wait, taking every token that comes free in exclusive mode. */
int slots_wait(struct kw_slots *s, struct kw_child *child);

/* Give every token back, unlock, stop catching signals; the facts and the
 * argv stay. Returns a signal that arrived while no linker ran, or 0: the
 * caller should end by it. */
int slots_end(struct kw_slots *s);

/* Free what slots_end kept (the argv), unless the caller took it. */
void slots_release(struct kw_slots *s);

#endif
