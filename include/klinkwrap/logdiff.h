/* Two link logs compared link by link: links are aligned by their output
 * path relative to each log's root and the order of the links to the same
 * output; the first link that diverges is named with its reason, and the
 * symbol differences where both records have snapshots. Used by
 * `log diff` and `repro`. */
#ifndef KLINKWRAP_LOGDIFF_H
#define KLINKWRAP_LOGDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "klinkwrap/linklog.h"

/* Why a link or a regeneration step differs, most telling first. The
 * first divergence is the first link with a reason before KW_LD_ARGV;
 * when there is none, the first regeneration step with another status or
 * in one log only; then the first link with a different command; then
 * the first regeneration step with a different command. */
enum kw_logdiff_reason {
	KW_LD_INPUTS,           /* an input differs: a race or nondeterminism upstream */
	KW_LD_NONDETERMINISTIC, /* identical inputs, another symbol set */
	KW_LD_OUTPUT,           /* another symbol set, inputs not comparable */
	KW_LD_EXIT,             /* it failed in one build */
	KW_LD_PASSES,           /* a kallsyms pass present in one build only */
	KW_LD_ONLY_A,           /* a link present in A only */
	KW_LD_ONLY_B,           /* ... in B only */
	KW_LD_ARGV,             /* the same inputs and output, another command */
	/* Regeneration steps (records of kind "regen"), aligned by output,
	 * fixed-point pass and order, after the links. */
	KW_LD_REGEN_STATUS,     /* another exit status or signal */
	KW_LD_REGEN_ONLY_A,     /* a step in A only */
	KW_LD_REGEN_ONLY_B,     /* ... in B only */
	KW_LD_REGEN_COMMAND,    /* the same status, another command */
};

/* An input that differs (NULL side: absent there). */
struct kw_logdiff_input {
	char *path;             /* relative to the root, as compared */
	const json_t *a, *b;    /* the inputs' objects in the records */
};

/* A link that differs, or a regeneration step (regen: a and b are
 * records of kind "regen"). */
struct kw_logdiff_link {
	char *output;           /* relative to the root */
	size_t occurrence;      /* 1 for the first link to that output (regen: the
				 * first step of that output and pass), ... */
	bool regen;
	unsigned pass;          /* regen: its fixed-point pass */
	const json_t *a, *b;    /* the records (NULL: absent) */
	enum kw_logdiff_reason reason;
	struct kw_logdiff_input *inputs; /* KW_LD_INPUTS */
	size_t ninputs;
	/* Every differing input is a version or timestamp object (Kbuild's
	 * init/version-timestamp.o, include/generated/compile.h, ...): the
	 * builds were not pinned (KBUILD_BUILD_TIMESTAMP and friends). */
	bool only_version_inputs;
	/* Inputs flagged as changed while the link ran, in either build. */
	size_t changed_a, changed_b;
};

struct kw_logdiff {
	char *root_a, *root_b;
	size_t links_a, links_b, aligned;
	size_t regens_a, regens_b, regens_aligned; /* regeneration steps */
	/* Links whose output lies outside the root (a probe writing a
	 * temporary file, as Kbuild's try-run does): not compared. */
	size_t outside_a, outside_b;
	unsigned passes_a, passes_b;  /* highest kallsyms pass in each */
	/* A's links in order, then B-only links in B's order, then the
	 * regeneration steps in the same way. */
	struct kw_logdiff_link *diffs;
	size_t ndiffs;
	size_t first;                 /* index into diffs; ndiffs when none */
};

/* The root of a log: the deepest directory that holds the working
 * directories of all its records ("/" for none). Malloc'd. */
char *logdiff_root(const struct kw_linklog_file *f);

/* Compare A and B; a NULL root is computed with logdiff_root. A and B
 * must outlive D. */
void logdiff_compute(const struct kw_linklog_file *a, const char *root_a,
		     const struct kw_linklog_file *b, const char *root_b, struct kw_logdiff *d);
void logdiff_release(struct kw_logdiff *d);

const char *logdiff_reason_name(enum kw_logdiff_reason r);

/* The report: the roots and counts, the first divergent link with its
 * reason, its inputs and the symbol differences from snapshots, then one
 * line per other differing link. */
void logdiff_print(const struct kw_logdiff *d, FILE *out);
json_t *logdiff_json(const struct kw_logdiff *d);
/* The first divergent link and its reason in one line, for repro's
 * report ("app: inputs differ: gen.o"); malloc'd; NULL when same. */
char *logdiff_first_summary(const struct kw_logdiff *d);

#endif
