/* Finding the real linker: by path, or as the next match on PATH that is
 * not klinkwrap itself (compared by device and inode, so symlinks and
 * hardlinks of klinkwrap are skipped alike), with a
 * guard against klinkwrap running itself in a loop. */
#ifndef KLINKWRAP_LOCATE_H
#define KLINKWRAP_LOCATE_H

/* The environment variable counting nested klinkwrap invocations. */
#define KW_DEPTH_ENV "KLINKWRAP_NESTING"
/* More nested klinkwraps than this is an exec loop. */
#define KW_DEPTH_MAX 8

/* Resolve NAME (a path when it holds a '/', else a PATH search) to the
 * program to run. Returns 0 with *path (malloc'd), or an exit status
 * (KW_EXIT_NOT_FOUND, KW_EXIT_CANNOT_EXEC) after printing why. */
int locate_linker(const char *name, char **path);

/* Count this process in KW_DEPTH_ENV, once however many links it runs.
 * Returns 0, or KW_EXIT_NOT_FOUND after printing the exec-loop error for
 * NAME (the same answer on every call). klinkwrap's own environment is
 * not changed: the count goes only to the linkers it runs
 * (locate_linker_env), not to helper commands, whose links are new ones. */
int locate_enter(const char *name);

/* "KLINKWRAP_NESTING=N" (N: this process's depth plus one) for the
 * environment of a linker child or exec; valid after locate_enter. */
const char *locate_depth_setting(void);

/* Is BASENAME klinkwrap's own name (and not a masquerade name)? */
int locate_is_own_name(const char *basename);

#endif
