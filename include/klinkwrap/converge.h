/* The fixed point of a self-referential link: link, compare the symbol
 * set with the previous link's, regenerate, relink, until two consecutive
 * links have the same set, a cycle shows, or the passes run out. The loop
 * knows nothing of linkers or commands: its caller links and regenerates
 * (the generic `converge` subcommand, Kbuild mode), so it is the same
 * loop for both and can be driven by a test. */
#ifndef KLINKWRAP_CONVERGE_H
#define KLINKWRAP_CONVERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <stdio.h>
#include "klinkwrap/exec.h"
#include "klinkwrap/symmap.h"

struct kw_converge_steps {
	void *ctx;
	/* Link pass PASS and fill *MAP with the set to compare (the caller
	 * picks whole or mksysmap-filtered). Returns 0, or the status to end
	 * with (the linker's own, or 125): the loop stops there. */
	int (*link)(void *ctx, unsigned pass, struct kw_symmap *map);
	/* Regenerate the inputs from pass PASS's output. Returns 0, or the
	 * status to end with. */
	int (*regen)(void *ctx, unsigned pass);
};

struct kw_converge_opts {
	unsigned max_links;      /* links the loop may run (>= 1) */
	unsigned first_pass;     /* the number of its first link (1; Kbuild: after the kernel's) */
	/* A cycle does not stop the loop (the caller pads the regenerated
	 * file, so a later pass can still settle). */
	bool padding;
	/* The set of the link before the first one (Kbuild mode: the last
	 * pass's .syms), or NULL. It counts as pass first_pass - 1. */
	const struct kw_symmap *before;
};

enum kw_converge_outcome {
	KW_CONVERGED,          /* two consecutive sets are equal */
	KW_CONVERGE_CYCLE,     /* a set came back that is not the previous one */
	KW_CONVERGE_EXHAUSTED, /* max_links linked, still changing */
	KW_CONVERGE_FAILED,    /* a link or a regeneration failed: status */
};

struct kw_converge_pass {
	unsigned number;
	size_t count;            /* symbols compared */
	size_t stubs;            /* of which linker stubs and thunks */
	struct kw_symhash hash;
};

struct kw_converge_result {
	enum kw_converge_outcome outcome;
	int status;              /* KW_CONVERGE_FAILED: the status to end with */
	bool failed_in_regen;    /* ...and it was the regeneration */
	unsigned links;          /* links run by the loop */
	/* Every pass compared, the one before included (number first_pass - 1). */
	struct kw_converge_pass *passes;
	size_t npasses;
	/* KW_CONVERGE_CYCLE (and, with padding, the first cycle seen): pass
	 * cycle_to has the set of pass cycle_from; the period is their
	 * distance. 0 when none was seen. */
	unsigned cycle_from, cycle_to;
	/* The sets of the last two passes compared (prev empty when only one). */
	struct kw_symmap last, prev;
	bool have_prev;
	/* The set of the loop's first link (for what appeared since). */
	struct kw_symmap first;
	bool have_first;
};

/* Run the loop. Always fills *RES (release with converge_result_release). */
void converge_run(const struct kw_converge_opts *opts, const struct kw_converge_steps *steps,
		  struct kw_converge_result *res);
void converge_result_release(struct kw_converge_result *res);

/* The exit status for RES: 0 converged, 124 not, else the failure's. */
int converge_exit_status(const struct kw_converge_result *res);

/* The report of a loop that did not converge (text): what ended it (the
 * cycle with its period and the passes that repeat, or the passes running
 * out), the symbol count per pass, the linker stubs and thunks that
 * appeared since the first link, by name, and the symdiff of the last two
 * passes (stubs grouped), with the oscillation signature named. */
void converge_report(const struct kw_converge_result *res, FILE *out);
/* The same facts as JSON (also for a converged loop). */
json_t *converge_json(const struct kw_converge_result *res);

/* One line on what changed from OLD to NEW ("2 added (2 linker stubs:
 * 0000001c.plt_branch.callee_1, ...), 3 moved"), for Kbuild mode's
 * stderr line. malloc'd. */
char *converge_change_summary(const struct kw_symmap *old, const struct kw_symmap *new);

/* Progress, as Kbuild prints its own: "  TAG     WHAT (pass N)" on OUT
 * (standard output; standard error when standard output carries JSON),
 * flushed; nothing when OUT is NULL (--quiet, make -s). */
void converge_progress(FILE *out, const char *tag, const char *what, unsigned pass);

/* Run CHILD, a regeneration step, to its end (exec_run): a SIGINT,
 * SIGTERM or SIGHUP sent to klinkwrap meanwhile is passed on to it and it
 * is waited for, so it never runs on unwatched; *SIGNAL then says which
 * (0: none), and the caller, once it has cleaned up, ends by it
 * (exec_exit_like(*SIGNAL)). Returns exec_run's value. */
int converge_run_step(struct kw_child *child, int *signal);

/* Is make running silently (-s: an 's' in the first word of MAKEFLAGS,
 * when that word is not an option)? Progress lines stay away then. */
bool converge_make_silent(void);

#endif
