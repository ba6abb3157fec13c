/* The input files of a link, read from its command line by the argument
 * grammar GNU ld, gold, lld and mold share: objects, archives and the
 * members of thin archives, shared objects, linker scripts. Listing reads
 * no file contents beyond archive headers and, where a -l needs it, asks
 * GNU ld for its search path. */
#ifndef KLINKWRAP_INPUTS_H
#define KLINKWRAP_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include "klinkwrap/threads.h"

enum kw_input_kind {
	KW_INPUT_OBJECT,   /* a relocatable object (or any file named as input) */
	KW_INPUT_ARCHIVE,  /* an archive, regular or thin */
	KW_INPUT_MEMBER,   /* a member of a thin archive (a file on disk) */
	KW_INPUT_SHARED,   /* a shared object */
	KW_INPUT_SCRIPT,   /* a linker script (-T, or a script given as input) */
};

struct kw_input {
	char *path;        /* as the linker opens it (relative to the cwd, or absolute) */
	enum kw_input_kind kind;
};

struct kw_inputs {
	struct kw_input *v;  /* in the order the linker meets them, no repeats */
	size_t n;
	bool incomplete;     /* an argument was not understood: the list may miss files */
	char *why;           /* the first reason it may be incomplete (malloc'd), or NULL */
};

/* List the inputs of a link: WORDS[0..N) are the linker's arguments with
 * response files expanded (kw_linkargs.words), LINKER_PATH and KIND the
 * linker that will run (its own search path resolves -l for GNU ld).
 * Never fails: what cannot be listed makes the list incomplete. */
void inputs_list(char *const words[], size_t n, const char *linker_path,
		 enum kw_linker_kind kind, struct kw_inputs *out);
void inputs_release(struct kw_inputs *in);
const char *inputs_kind_name(enum kw_input_kind kind);

#endif
