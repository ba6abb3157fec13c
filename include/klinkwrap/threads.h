/* Thread counts for multi-threaded linkers: which linker a path really
 * is, whether the user already chose a thread count, and the options that
 * set one. */
#ifndef KLINKWRAP_THREADS_H
#define KLINKWRAP_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include "klinkwrap/util.h"

enum kw_linker_kind {
	KW_LINKER_OTHER,
	KW_LINKER_BFD,
	KW_LINKER_LLD,   /* --threads=N */
	KW_LINKER_MOLD,  /* --thread-count=N */
	KW_LINKER_GOLD,  /* --threads --thread-count=N */
};

/* The linker PATH is, from the file it resolves to (so `ld` symlinked to
 * mold is mold); NAME is the name it is invoked as, which picks lld's
 * flavour (only ELF lld takes --threads=N). */
enum kw_linker_kind threads_linker_kind(const char *path, const char *name);
const char *threads_linker_name(enum kw_linker_kind kind);

/* Does the linker take a thread count? */
bool threads_supported(enum kw_linker_kind kind);

/* Did the user set threads in WORDS (the expanded linker arguments):
 * --threads[=N], --no-threads, --thread-count[=N], --thread-count-*? */
bool threads_user_set(char *const words[], size_t n);

/* Where the thread options for KIND go in ARGV (the linker's name, then
 * its arguments as given), or 0 when they must not be given at all. A
 * driver-mode word must stay first: lld's `-flavor gnu` (or `--flavor`)
 * takes them after its value (index 3), lld's other flavours (link,
 * darwin, wasm) take none; mold's `-run`/`--run CMD...` runs a command,
 * not a link, and takes none. Otherwise index 1. */
size_t threads_insert_at(enum kw_linker_kind kind, char *const argv[]);

/* Append the options that give KIND N threads. */
void threads_push_args(enum kw_linker_kind kind, unsigned long n, struct kw_strvec *out);

/* CPUs klinkwrap may run on (affinity mask), at least 1. */
unsigned long threads_cpus(void);

#endif
