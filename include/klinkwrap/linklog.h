/* The link log: one JSON line per link, appended atomically to the file
 * --log names, rendered from the link record; the snapshots of serial
 * links' symbol lists; and reading a log back (log show, log diff, repro).
 * The format, its version and every field are documented in
 * doc/klinkwrap.1, "LINK LOG". */
#ifndef KLINKWRAP_LINKLOG_H
#define KLINKWRAP_LINKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <jansson.h>
#include "klinkwrap/config.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/inputs.h"
#include "klinkwrap/link.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/symset.h"

/* The format version in every record ("v"). Any change of the format
 * changes it. Readers take every version from KW_LINKLOG_VERSION_OLDEST
 * to this one (a log may mix them: each line is read by its own) and
 * refuse others. Version 2 added "kind" and the regeneration records. */
#define KW_LINKLOG_VERSION 2
#define KW_LINKLOG_VERSION_OLDEST 1

/* One input as the log saw it before the link, and after. */
struct kw_linklog_input {
	char *path;               /* as the linker opens it */
	enum kw_input_kind kind;
	int err;                  /* errno when it could not be read, else 0, or: */
#define KW_LINKLOG_NOT_REGULAR KW_INPUT_NOT_REGULAR /* a fifo, a device: never read */
	uint64_t size;            /* bytes hashed */
	struct timespec mtime;    /* before the link */
	unsigned char hash[16];   /* XXH3-128 of the content, canonical byte order */
	bool changed;             /* size or mtime differed after the link */
};

/* What the log keeps of one link between linklog_begin and linklog_end. */
struct kw_linklog_link {
	bool enabled;             /* --log is set */
	char *const *argv_given;  /* the linker's argv as given (borrowed) */
	unsigned fixpoint_pass;   /* 0, or the fixed-point pass when klinkwrap
				   * relinks (set by the caller that relinks) */
	bool inputs_logged;       /* --log-inputs selected this link */
	bool inputs_hashed_before; /* hashed before the link (linklog_begin) */
	double begin_time;        /* seconds linklog_begin took (--verbose) */
	struct kw_inputs listed;  /* the inputs linklog_begin listed */
	struct kw_linklog_input *in;
	size_t nin;
	/* The "inputs" array, encoded by a thread while the linker runs
	 * (linklog_begin), so that linklog_end has only the rest to encode. */
	struct kw_linklog_early *early;
};

/* Before a link: note ARGV (borrowed until linklog_end) and, when
 * --log-inputs selects the link, list its inputs from ARGS (the analysed
 * arguments of the linker at LINKER_PATH) and hash each, so that the hash
 * is of what the linker is about to read; their part of the record is
 * then encoded in a second thread while the link runs. Does nothing
 * without --log. */
void linklog_begin(struct kw_linklog_link *l, const struct kw_config *cfg, char *const argv[],
		   const char *linker_path, const struct kw_linkargs *args);

/* After the link REC: check the inputs' size and mtime again (a change is
 * a race caught in the act), write the snapshot of a serial link's symbol
 * list with --snapshot-dir, and append the record to the log. A caller
 * without linklog_begin (L zeroed but for argv_given and fixpoint_pass)
 * gets the inputs of REC hashed now. Never fails: a log or snapshot that
 * cannot be written is one warning. Releases what L holds. */
void linklog_end(struct kw_linklog_link *l, const struct kw_config *cfg,
		 const struct kw_link_record *rec);

/* One regeneration step of a fixed point (converge --regen, Kbuild
 * mode's regen-GEN.sh), logged as a record of kind "regen" between the
 * links it sits between. The caller fills what it runs, calls
 * linklog_regen_begin before it runs and linklog_regen_ran after, sets
 * padded, and writes it with linklog_regen_end. */
struct kw_linklog_regen {
	const char *by;           /* "converge" or "kbuild" */
	const char *output;       /* the output it regenerates the inputs of */
	unsigned fixpoint_pass;   /* the pass whose link it prepares (as the
				   * progress line says) */
	char *const *argv;        /* the command as run, NULL-ended */
	const char *object;       /* the object it regenerates, or NULL */
	int padded;               /* -1: no padding; else sections padded after it */
	/* Filled by linklog_regen_begin and linklog_regen_ran. */
	struct timespec start_time; /* CLOCK_REALTIME */
	double start_mono;
	double wall;
	bool started;
	int exit_code;            /* as a shell reports it (126, 127: not started) */
	int signal;               /* the signal that ended it, or 0 */
};

void linklog_regen_begin(struct kw_linklog_regen *r);
/* CHILD has run (converge_run_step, exec_run), RC what that returned. */
void linklog_regen_ran(struct kw_linklog_regen *r, const struct kw_child *child, int rc);
/* Append the record to the log (--log); nothing without it. Never fails:
 * a log that cannot be written is one warning. */
void linklog_regen_end(const struct kw_linklog_regen *r, const struct kw_config *cfg);
/* The record of R as JSON (the log's line, before encoding). */
json_t *linklog_render_regen(const struct kw_linklog_regen *r);

/* The pieces, for tests and readers. */

/* The kallsyms pass in an output's file name: .tmp_vmlinux.kallsymsN
 * (5.x, 6.1) and .tmp_vmlinuxN (6.12) give N; 0 for any other name. */
unsigned linklog_kallsyms_pass(const char *output);

/* XXH3-128 of ARGV[0..n) (each argument followed by a NUL byte) as 32 hex
 * digits and a NUL. */
void linklog_argv_hash(char *const argv[], size_t n, char out[33]);

/* Hash the file PATH: its size, mtime and content hash into *IN (path and
 * kind untouched), as inputs_hash_file does. Returns 0, or -1 with
 * in->err. */
int linklog_hash_file(const char *path, struct kw_linklog_input *in);

/* The record of REC and L as JSON (the log's line, before encoding). */
json_t *linklog_render(const struct kw_linklog_link *l, const struct kw_config *cfg,
		       const struct kw_link_record *rec, const char *snapshot);

/* Append LINE (LEN bytes, ending in '\n') to the file PATH as one whole
 * record: O_APPEND, an exclusive flock around the writes, and on a failed
 * or short write the file is cut back to where the record began, so no
 * torn line stays. Returns 0, or -1 with *WHY (malloc'd). */
int linklog_append_line(const char *path, const char *line, size_t len, char **why);

/* Write the canonical symbol list of the ELF file OUTPUT into DIR as
 * HASH.syms (HASH its symbol hash in hex), unless that file exists
 * (deduplicated); through a temporary file and rename, so a snapshot is
 * whole or absent. KNOWN, when not NULL, is OUTPUT's symbol hash already
 * computed, so that a kept set is found without reading OUTPUT again.
 * *SNAPSHOT gets the absolute path (malloc'd). Returns 0, or -1 with *WHY. */
int linklog_write_snapshot(const char *dir, const char *output, const struct kw_symhash *known,
			   char **snapshot, char **why);

/* DIR/PATH (PATH alone when absolute) with "." and empty components
 * dropped and "x/.." folded, lexically: logs come from other machines, so
 * nothing is resolved on disk. Malloc'd. */
char *linklog_path_join(const char *dir, const char *path);
/* PATH relative to ROOT when it lies under it (both normalised), else
 * PATH itself. Malloc'd. */
char *linklog_path_relative(const char *root, const char *path);

/* A log read back: its records, validated. */
struct kw_linklog_file {
	json_t *records;          /* the link records, in file order */
	json_t *regens;           /* the regeneration records, in file order */
	json_t *all;              /* both, in file order (the same objects) */
	size_t lines;
};

/* Read the log PATH. Every line must be a JSON object of a format version
 * this reader knows with the fields readers need for its kind, and the
 * last line must end with a newline. Returns 0, or -1 with *WHY
 * (malloc'd) naming the line and what is wrong: truncated, not JSON, an
 * unknown version or kind. Release with linklog_file_release. */
int linklog_read(const char *path, struct kw_linklog_file *out, char **why);
void linklog_file_release(struct kw_linklog_file *f);

/* Helpers over a read record (NULL or 0 when absent). */
/* Is REC a regeneration record (else a link)? */
bool linklog_is_regen(const json_t *rec);
const char *linklog_str(const json_t *rec, const char *key);
/* A path field decoded from the lossless scheme (malloc'd), or NULL. */
char *linklog_path(const json_t *rec, const char *key);
double linklog_num(const json_t *rec, const char *key);
/* A regeneration record's command: its argv, words shell-quoted where
 * they need it, joined by spaces. Malloc'd. */
char *linklog_regen_command(const json_t *rec);

#endif
