/* Messages, exit statuses and checked allocation shared by every module. */
#ifndef KLINKWRAP_UTIL_H
#define KLINKWRAP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit statuses of klinkwrap itself (doc/DESIGN.md, "Exit status"). */
enum {
	KW_EXIT_NOT_CONVERGED = 124, /* the fixed point was not reached */
	KW_EXIT_SELF = 125,          /* usage, configuration, I/O */
	KW_EXIT_CANNOT_EXEC = 126,   /* the linker exists but cannot run */
	KW_EXIT_NOT_FOUND = 127,     /* the linker was not found */
};

/* Comparison commands (symdiff, log diff): 0 same, 1 different, 2 trouble. */
enum { KW_CMP_SAME = 0, KW_CMP_DIFFERENT = 1, KW_CMP_TROUBLE = 2 };

/* "klinkwrap: MESSAGE\n" on stderr. */
void kw_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "klinkwrap: warning: MESSAGE\n" on stderr. */
void kw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "klinkwrap: MESSAGE\n", then exit(status). */
_Noreturn void kw_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Allocation that cannot fail: out of memory is klinkwrap's own failure
 * (exit 125) with a message, never a NULL dereference. */
void *kw_malloc(size_t size);
void *kw_calloc(size_t count, size_t size);
void *kw_realloc(void *ptr, size_t size);
char *kw_strdup(const char *s);
char *kw_strndup(const char *s, size_t n);
/* printf into a new string. */
char *kw_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NULL-terminated vector of owned strings. */
struct kw_strvec {
	char **v;     /* v[n] == NULL */
	size_t n;
	size_t alloc;
};
void kw_strvec_push(struct kw_strvec *sv, const char *s);
void kw_strvec_push_owned(struct kw_strvec *sv, char *s);
void kw_strvec_clear(struct kw_strvec *sv);

/* The last component of PATH (the text after its last '/'). */
const char *kw_basename(const char *path);
/* Does S end with SUFFIX? */
bool kw_has_suffix(const char *s, const char *suffix);

/* CLOCK_MONOTONIC in seconds: durations and ordering of events. */
double kw_monotonic(void);

/* The name the program was invoked as, for messages ("klinkwrap"). */
extern const char *kw_progname;

#endif
