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
 * serial link holds it; *WAITED gets the seconds spent waiting. Returns
 * the lock's fd (close-on-exec), or -1 after a warning when the lock file
 * cannot be used (the link then runs unlocked). */
int classify_lock(const char *output, double *waited);
/* Release the lock (fd -1: nothing to do). */
void classify_unlock(int fd);

#endif
