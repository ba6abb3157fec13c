/* One wrapped link as a value: link_once runs it to completion and fills
 * a record with everything known about it, and the process goes on (the
 * fixed point and the link log run and record many links in one
 * process). link_run is the wrapper's whole job: link_once, the --verbose
 * summary rendered from the record, and ending as the linker ended.
 * doc/DESIGN.md shows where the record goes. */
#ifndef KLINKWRAP_LINK_H
#define KLINKWRAP_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "klinkwrap/classify.h"
#include "klinkwrap/config.h"
#include "klinkwrap/inputs.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/threads.h"
#include "klinkwrap/util.h"

/* Set in the environment of the linker that klinkwrap runs (and of no
 * other child) to klinkwrap's pid: a klinkwrap started as that linker
 * (another copy, through a masquerade directory) runs the real linker as
 * is, since the outer one holds the lock, the tokens and the threads. */
#define KW_WRAPPED_ENV "KLINKWRAP_WRAPPED"

struct kw_link_record {
	/* What ran. */
	char *linker;              /* the linker's path (malloc'd) */
	enum kw_linker_kind kind;
	struct kw_strvec argv;     /* as it ran: argv[0] as given, thread options included */
	char *output;              /* the output file as named (malloc'd), or NULL */
	enum kw_link_class cls;
	struct kw_inputs inputs;   /* the input files (inputs.h), from the command
				      * line; none in link_run's record */

	/* How it ended. */
	bool started;              /* the linker process ran */
	int start_failure;         /* 0, or 126/127/125 when it could not be started */
	int status;                /* how klinkwrap ends for this link, as a wait status:
				    * the linker's, or death by a signal that came while
				    * no linker ran, or W_EXITCODE(start_failure, 0) */
	int exit_code;             /* status as a shell reports it (128 + signal) */
	int signal;                /* the signal that ended the link, or 0 */

	/* When. */
	struct timespec start_time; /* CLOCK_REALTIME when the linker started (for logs) */
	double start, end;         /* CLOCK_MONOTONIC seconds: the linker's start and reap */
	double wall;               /* end - start */
	double lock_wait;          /* seconds waiting for the serial lock */
	double token_wait;         /* seconds waiting for tokens (--exclusive-wait) */

	/* The serial lock and the jobserver. */
	bool locked;               /* a serial link that held its directory's lock */
	bool jobserver;            /* a make jobserver was in charge (usable or not) */
	bool jobserver_usable;     /* ...and klinkwrap connected to it */
	unsigned long jobs;        /* N of make's -jN; 0 unknown */
	size_t tokens_peak;        /* the most tokens held at once */
	unsigned long threads;     /* threads given to the linker; 0: its own choice */
	bool exclusive;            /* exclusive mode held every free token */
	bool exclusive_all_held;   /* ...and at some point every token of -jN */
	double exclusive_all_held_at; /* CLOCK_MONOTONIC seconds, or 0 */

	/* The symbol set of the output (successful links with --symhash). */
	bool symhashed;            /* tried: the output exists and is not stdout */
	enum kw_symset_status sym_status;
	struct kw_symhash symhash; /* sym_status KW_SYMSET_OK */
	size_t symcount;
};

/* Run the link ARGV (argv[0]: the linker, a name or a path; the rest: its
 * arguments, unchanged) under CFG to completion, and fill *REC. The
 * process is counted once for the exec-loop guard, however many links it
 * runs. A serial link takes its directory's lock, which is counted per
 * process (classify_lock): a caller that holds it across a sequence of
 * links keeps it throughout. Informational calls and calls without an
 * output run too (link_run hands those over with exec instead). Progress
 * lines of --verbose are printed as things happen; the summary is
 * link_record_summary. Returns 0 when the link's fate is in REC->status
 * (the linker ran, or a signal stopped it); else klinkwrap's exit status
 * (125, 126, 127) after a message, with REC filled as far as known. Every
 * token is back and the lock released (down to the caller's hold) when
 * it returns. CFG is taken as checked: the caller runs config_validate
 * once before its first link. The passthrough decisions (informational
 * calls, KW_WRAPPED_ENV) are link_run's, not link_once's. Release REC with
 * link_record_release. */
int link_once(const struct kw_config *cfg, char *const argv[], struct kw_link_record *rec);

struct kw_linklog_link;
/* link_once with the link log's view of the link begun first
 * (linklog_begin: with --log, the inputs hashed before the linker
 * starts); the caller ends it with linklog_end
 * after setting what only it knows (the fixed-point pass). LOG is usable
 * by linklog_end whatever the outcome. */
int link_once_logged(const struct kw_config *cfg, char *const argv[],
		     struct kw_linklog_link *log, struct kw_link_record *rec);
void link_record_release(struct kw_link_record *rec);

/* The --verbose summary line of a link that ran, without the "klinkwrap: "
 * prefix ("vmlinux: /usr/bin/ld exited 0 after 0.512 s, symhash HASH (N
 * symbols)"); malloc'd. */
char *link_record_summary(const struct kw_link_record *rec);

/* The wrapper: ARGV[0..ARGC) as link_once, except that the record has
 * no input list (the link log makes its own when it records the link's
 * inputs; nothing else reads it). Informational calls, calls without an output file and links
 * already wrapped by an outer klinkwrap are handed over with exec.
 * Returns an exit status for klinkwrap's own failures; for a link that
 * ran, klinkwrap ends as the linker ended and does not return. */
int link_run(const struct kw_config *cfg, int argc, char *argv[]);

#endif
