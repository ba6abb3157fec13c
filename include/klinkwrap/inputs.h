/* The input files of a link, read from its command line by the argument
 * grammar GNU ld, gold, lld and mold share (linkargs.h): objects,
 * archives and the members of thin archives, shared objects, linker
 * scripts, in the order the linker meets them. Listing reads only what
 * tells the files apart and names further files: the first bytes of each
 * input (its magic), the headers and name table of thin archives, and the
 * text of linker scripts; where a -l is not found in the -L directories,
 * it asks GNU ld once for its own search path. */
#ifndef KLINKWRAP_INPUTS_H
#define KLINKWRAP_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "klinkwrap/threads.h"
#include "klinkwrap/util.h"

enum kw_input_kind {
	KW_INPUT_OBJECT,   /* a relocatable object (or any file named as input) */
	KW_INPUT_ARCHIVE,  /* an archive, regular or thin */
	KW_INPUT_MEMBER,   /* a member of a thin archive (a file on disk; an
	                    * archive nested in it is listed, not opened) */
	KW_INPUT_SHARED,   /* a shared object */
	KW_INPUT_SCRIPT,   /* a linker script (-T, or a script given as input),
	                    * or a file of the same family the link reads
	                    * (--version-script, --dynamic-list, ...) */
};

/* kw_input.parent of an input named on the command line. */
#define KW_INPUT_TOP ((size_t)-1)

/* What inputs_list_hashed read of an input before the link. */
struct kw_input_content {
	int err;                /* errno when it could not be read, else 0, or: */
#define KW_INPUT_NOT_REGULAR (-1) /* a fifo, a device: never read */
	uint64_t size;          /* bytes hashed */
	struct timespec mtime;  /* when it was opened */
	unsigned char hash[16]; /* XXH3-128 of the content, canonical byte order */
};

struct kw_input {
	char *path;        /* as the linker opens it (relative to the cwd, or absolute) */
	enum kw_input_kind kind;
	/* Who named it: for a KW_INPUT_MEMBER the index in kw_inputs.v of its
	 * thin archive; for a file a script names (INPUT, GROUP, INCLUDE)
	 * that script's index; KW_INPUT_TOP for the command line's own. */
	size_t parent;
	struct kw_input_content content; /* with inputs_list_hashed only */
};

struct kw_inputs {
	struct kw_input *v;  /* in the order the linker meets them, no repeats */
	size_t n;
	bool incomplete;     /* an argument was not understood: the list may miss files */
	bool hashed;         /* every kw_input.content is filled (inputs_list_hashed) */
	char *why;           /* the first reason it may be incomplete (malloc'd), or NULL */
	/* The directories -l searches, in search order: every -L, the
	 * scripts' SEARCH_DIRs, then the linker's own, present only when a -l
	 * was in none of the others and the linker (GNU ld) was asked. */
	struct kw_strvec libdirs;
};

/* List the inputs of a link: WORDS[0..N) are the linker's arguments with
 * response files expanded (kw_linkargs.words), LINKER_PATH and KIND the
 * linker that will run (its own search path resolves -l for GNU ld).
 * Paths are relative to the current directory, where the linker runs.
 * Never fails: what cannot be listed makes the list incomplete. */
void inputs_list(char *const words[], size_t n, const char *linker_path,
		 enum kw_linker_kind kind, struct kw_inputs *out);
/* The same list, and each input's content hashed (kw_input.content) as
 * it is opened for its magic: one open per file, which is most of what
 * hashing hundreds of small objects costs. */
void inputs_list_hashed(char *const words[], size_t n, const char *linker_path,
			enum kw_linker_kind kind, struct kw_inputs *out);
/* Hash the file PATH into *C. Reads with read(2), never mmap, so a file
 * truncated under us is an error, not a SIGBUS; a file that is not
 * regular (a fifo) is opened without blocking and not read. Not
 * thread-safe (one buffer per process). Returns 0, or -1 with c->err. */
int inputs_hash_file(const char *path, struct kw_input_content *c);
void inputs_release(struct kw_inputs *in);
/* A deep copy of FROM into TO (cheaper than listing again: no file is
 * opened). */
void inputs_copy(const struct kw_inputs *from, struct kw_inputs *to);
const char *inputs_kind_name(enum kw_input_kind kind);

#endif
