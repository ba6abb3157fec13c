/* Link classes: serial links (vmlinux and its kallsyms passes, by output
 * name) and plain ones; the lock that keeps serial links of one build
 * tree from overlapping. */
#ifndef KLINKWRAP_CLASSIFY_H
#define KLINKWRAP_CLASSIFY_H

#include <stdbool.h>

enum kw_link_class { KW_CLASS_PLAIN, KW_CLASS_SERIAL };

/* The lock file serial links take in their output's directory. */
#define KW_SERIAL_LOCK ".klinkwrap-serial.lock"

/* Classify OUTPUT by its file name (the part after the last '/') against
 * PATTERNS, comma-separated shell globs ("vmlinux,.tmp_vmlinux*"). */
enum kw_link_class classify_output(const char *output, const char *patterns);
const char *classify_name(enum kw_link_class cls);

/* Take the serial lock for OUTPUT's directory, waiting as long as another
 * serial link holds it; *WAITED gets the seconds spent waiting. The lock
 * is per process and counted: a process that holds it already (a caller
 * holding it across a sequence of links: check, regenerate, relink) gets
 * it again at once, and it is released by the last classify_unlock.
 * Returns the lock's fd (close-on-exec), or -1 after a warning when the
 * lock file cannot be used (the link then runs unlocked): it is opened
 * without following a symbolic link, and a lock file that is not a
 * regular file is refused. */
int classify_lock(const char *output, double *waited);
/* Release one classify_lock (fd -1: nothing to do). */
void classify_unlock(int fd);

#endif
