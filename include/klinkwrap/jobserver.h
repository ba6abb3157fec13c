/* A client of the GNU make jobserver, as make 4.3 (inherited pipe fds)
 * and make 4.4 (named fifo) define it. Tokens are taken without waiting,
 * and every byte read is written back exactly; the implicit slot is never
 * written. The shared pipe's file status flags are never changed: reads
 * go through a private, non-blocking file description. */
#ifndef KLINKWRAP_JOBSERVER_H
#define KLINKWRAP_JOBSERVER_H

#include <stdbool.h>
#include <stddef.h>

enum kw_js_style {
	KW_JS_NONE,     /* no --jobserver-auth= in MAKEFLAGS */
	KW_JS_PIPE,     /* R,W: inherited pipe fds (make 4.3) */
	KW_JS_FIFO,     /* fifo:PATH (make 4.4) */
	KW_JS_DISABLED, /* negative fds: make gave this recipe no jobserver */
	KW_JS_UNKNOWN,  /* any other form */
};

/* What MAKEFLAGS says. */
struct kw_makeflags {
	enum kw_js_style style;
	int rfd, wfd;       /* KW_JS_PIPE and KW_JS_DISABLED */
	char *fifo;         /* KW_JS_FIFO: the path (malloc'd) */
	char *auth;         /* the winning --jobserver-auth= value (malloc'd), or NULL */
	unsigned long jobs; /* N of the last -jN; 0 when absent or unlimited */
	bool dry_run;       /* 'n' in the first word */
};

/* Parse MAKEFLAGS (NULL counts as empty). The last --jobserver-auth= or
 * --jobserver-fds= wins. A -jN whose N is out of range (past ULONG_MAX)
 * counts as an unknown N. Never fails. */
void jobserver_parse(const char *makeflags, struct kw_makeflags *out);
void jobserver_makeflags_release(struct kw_makeflags *mf);
const char *jobserver_style_name(enum kw_js_style style);

struct kw_jobserver {
	struct kw_makeflags mf;
	int rfd;          /* private read description (non-blocking, close-on-exec), or -1 */
	int wfd;          /* where tokens go back, or -1 */
	bool owns_wfd;    /* wfd is ours to close (fifo style) */
	/* Why a jobserver that MAKEFLAGS names cannot be used ("the read fd 3
	 * from MAKEFLAGS is closed"; malloc'd), and whether marking the
	 * recipe '+' is the cure (closed or bad fds, negative fds). */
	char *problem;
	bool plus_helps;
	/* The bytes taken, to be written back exactly: kept apart from this
	 * struct (which may live on a caller's stack), where the exit-time
	 * give-back finds every connection still open. */
	struct kw_js_tokens *tokens;
	size_t peak;      /* the most tokens held at once since connecting */
};

/* Connect to the jobserver MAKEFLAGS names. Returns true when tokens can
 * be taken. When the jobserver exists but cannot be used (closed fds, not
 * pipes, a missing fifo, negative fds, an unknown style), js->problem
 * says why. A dry run takes no tokens and has no problem. Never blocks. */
bool jobserver_open(struct kw_jobserver *js, const char *makeflags);

/* jobserver_open in two steps. init parses MAKEFLAGS (jobserver_present
 * answers, js->mf is filled) without checking or opening any fd: no
 * problem is recorded and no token can be taken, as a link that will take
 * none needs. connect then does the rest of jobserver_open (once; later
 * calls return the first answer). Release with jobserver_close. */
void jobserver_init(struct kw_jobserver *js, const char *makeflags);
bool jobserver_connect(struct kw_jobserver *js);

/* The warning for a jobserver with a problem, as a link that needs the
 * jobserver prints it after "klinkwrap: warning: " ("jobserver
 * unavailable: CAUSE; running with one slot: add '+' to the parent make
 * rule"); malloc'd, or NULL when there is no problem. jobserver-info
 * shows the same text. */
char *jobserver_unusable_warning(const struct kw_jobserver *js);

/* Is a parallel make in charge (a jobserver, usable or not)? Then the
 * link owns exactly one slot plus the tokens it takes. */
bool jobserver_present(const struct kw_jobserver *js);

/* Tokens held now. */
size_t jobserver_held(const struct kw_jobserver *js);

/* Take up to MAX free tokens without waiting. Returns how many were
 * taken (0 when none are free or the jobserver is not usable). */
size_t jobserver_take(struct kw_jobserver *js, size_t max);

/* Wait up to SECONDS until TOTAL tokens are held, taking each as it comes
 * free. Returns early when a signal arrives. Returns true when TOTAL are
 * held. */
bool jobserver_collect(struct kw_jobserver *js, size_t total, double seconds);

/* Write every held byte back. Returns 0, or -1 after reporting the
 * tokens that could not be returned. */
int jobserver_give_back(struct kw_jobserver *js);

/* Give back what is held, close what klinkwrap opened, free. Tokens still
 * held at exit() are given back as well, for every connection open then
 * (any number of them). */
void jobserver_close(struct kw_jobserver *js);

/* The descriptor that becomes readable when a token may be free, or -1. */
int jobserver_poll_fd(const struct kw_jobserver *js);

#endif
