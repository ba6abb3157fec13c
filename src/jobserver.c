/* GNU make jobserver client. Models: rust-lang/jobserver-rs (src/unix.rs)
 * and the kernel's scripts/jobserver-exec. */
#include "klinkwrap/jobserver.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- MAKEFLAGS ---- */

/* The next whitespace-separated word of *P (backslash escapes the next
 * character, as make writes MAKEFLAGS), malloc'd; NULL at the end. */
static char *next_word(const char **p)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	char *word = kw_malloc(strlen(s) + 1);
	size_t n = 0;
	for (; *s && *s != ' ' && *s != '\t' && *s != '\n'; s++) {
		if (*s == '\\' && s[1])
			s++;
		word[n++] = *s;
	}
	word[n] = '\0';
	*p = s;
	return word;
}

/* A whole decimal int (sign allowed); -1 when TEXT is not one. */
static int parse_int(const char *text, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || *end || errno || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static void parse_auth(const char *auth, struct kw_makeflags *out)
{
	free(out->fifo);
	out->fifo = NULL;
	out->rfd = out->wfd = -1;
	free(out->auth);
	out->auth = kw_strdup(auth);

	if (!strncmp(auth, "fifo:", 5) && auth[5]) {
		out->style = KW_JS_FIFO;
		out->fifo = kw_strdup(auth + 5);
		return;
	}
	const char *comma = strchr(auth, ',');
	char *left = comma ? kw_strndup(auth, (size_t)(comma - auth)) : NULL;
	int r, w;
	if (left && !parse_int(left, &r) && !parse_int(comma + 1, &w)) {
		out->rfd = r;
		out->wfd = w;
		out->style = r < 0 || w < 0 ? KW_JS_DISABLED : KW_JS_PIPE;
	} else {
		out->style = KW_JS_UNKNOWN;
	}
	free(left);
}

/* -jN, -j (unlimited) */
static void parse_jobs(const char *word, struct kw_makeflags *out)
{
	char *end;
	const char *n = word + 2;
	if (!*n) {
		out->jobs = 0;
		return;
	}
	errno = 0;
	unsigned long v = strtoul(n, &end, 10);
	if (*n >= '0' && *n <= '9' && !*end)
		out->jobs = errno == ERANGE ? 0 : v; /* past ULONG_MAX: not a count to wait for */
}

void jobserver_parse(const char *makeflags, struct kw_makeflags *out)
{
	memset(out, 0, sizeof(*out));
	out->rfd = out->wfd = -1;
	const char *p = makeflags ? makeflags : "";
	char *w;
	for (bool first = true; (w = next_word(&p)) != NULL; first = false) {
		if (!strcmp(w, "--")) {
			/* Variable definitions follow. */
			free(w);
			break;
		}
		if (first && w[0] != '-')
			out->dry_run = strchr(w, 'n') != NULL;
		else if (!strncmp(w, "--jobserver-auth=", 17))
			parse_auth(w + 17, out);
		else if (!strncmp(w, "--jobserver-fds=", 16))
			parse_auth(w + 16, out);
		else if (!strncmp(w, "-j", 2))
			parse_jobs(w, out);
		free(w);
	}
}

void jobserver_makeflags_release(struct kw_makeflags *mf)
{
	free(mf->fifo);
	free(mf->auth);
	mf->fifo = mf->auth = NULL;
}

const char *jobserver_style_name(enum kw_js_style style)
{
	switch (style) {
	case KW_JS_NONE: return "none";
	case KW_JS_PIPE: return "pipe";
	case KW_JS_FIFO: return "fifo";
	case KW_JS_DISABLED: return "disabled";
	case KW_JS_UNKNOWN: return "unknown";
	}
	return "?";
}

/* ---- exit safety ---- */

/* The tokens of one connection, on a list of every open one, so that
 * tokens held when exit() runs (kw_die, a failure deep in a report) still
 * go back, however many connections a process opened. */
struct kw_js_tokens {
	int wfd;
	char *bytes;
	size_t n, alloc;
	struct kw_js_tokens *next, **prevp;
};
static struct kw_js_tokens *open_list;

static int write_back(struct kw_js_tokens *t);

static void give_back_at_exit(void)
{
	for (struct kw_js_tokens *t = open_list; t; t = t->next)
		write_back(t);
}

static void track(struct kw_jobserver *js)
{
	static bool registered;
	if (!registered) {
		atexit(give_back_at_exit);
		registered = true;
	}
	struct kw_js_tokens *t = kw_calloc(1, sizeof(*t));
	t->wfd = js->wfd;
	t->next = open_list;
	t->prevp = &open_list;
	if (open_list)
		open_list->prevp = &t->next;
	open_list = t;
	js->tokens = t;
}

static void untrack(struct kw_jobserver *js)
{
	struct kw_js_tokens *t = js->tokens;
	if (!t)
		return;
	*t->prevp = t->next;
	if (t->next)
		t->next->prevp = t->prevp;
	free(t->bytes);
	free(t);
	js->tokens = NULL;
}

/* ---- connecting ---- */

static bool fail(struct kw_jobserver *js, char *why)
{
	js->problem = why;
	return false;
}

/* Why FD cannot be the jobserver's pipe end that is opened for ACCMODE
 * (O_RDONLY or O_WRONLY), or NULL. */
static char *check_pipe_fd(int fd, int accmode, const char *what)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return kw_asprintf("the %s fd %d from MAKEFLAGS is closed", what, fd);
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode))
		return kw_asprintf("the %s fd %d from MAKEFLAGS is not a pipe", what, fd);
	if ((fl & O_ACCMODE) != accmode && (fl & O_ACCMODE) != O_RDWR)
		return kw_asprintf("the %s fd %d from MAKEFLAGS is not open for %s", what, fd,
				   accmode == O_RDONLY ? "reading" : "writing");
	return NULL;
}

/* A private description of the pipe end FD, so that O_NONBLOCK is ours
 * alone (Linux: /dev/fd/N reopens the pipe, not the description). When
 * that is impossible, a close-on-exec duplicate, but only if make already
 * made the shared description non-blocking; else -1. */
static int private_reader(int fd)
{
	char path[32];
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	int r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r >= 0)
		return r;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || !(fl & O_NONBLOCK))
		return -1;
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

static bool open_pipe(struct kw_jobserver *js)
{
	int r = js->mf.rfd, w = js->mf.wfd;
	char *why = check_pipe_fd(r, O_RDONLY, "read");
	if (!why)
		why = check_pipe_fd(w, O_WRONLY, "write");
	if (why) {
		js->plus_helps = true;
		return fail(js, why);
	}
	struct stat rs, ws;
	if (fstat(r, &rs) || fstat(w, &ws) || rs.st_ino != ws.st_ino || rs.st_dev != ws.st_dev) {
		js->plus_helps = true;
		return fail(js, kw_asprintf("fds %d and %d from MAKEFLAGS are not the two ends of "
					    "one pipe", r, w));
	}
	js->rfd = private_reader(r);
	if (js->rfd < 0)
		return fail(js, kw_asprintf("cannot open /dev/fd/%d for a private description, and "
					    "make's is blocking", r));
	js->wfd = w;
	return true;
}

static bool open_fifo(struct kw_jobserver *js)
{
	const char *path = js->mf.fifo;
	/* Read-write: never blocks in open, and never sees end-of-file. */
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(js, kw_asprintf("cannot open the jobserver fifo %s: %s", path,
					    strerror(errno)));
	struct stat st;
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return fail(js, kw_asprintf("the jobserver fifo %s is not a fifo", path));
	}
	js->rfd = js->wfd = fd;
	js->owns_wfd = true;
	return true;
}

void jobserver_init(struct kw_jobserver *js, const char *makeflags)
{
	memset(js, 0, sizeof(*js));
	js->rfd = js->wfd = -1;
	jobserver_parse(makeflags, &js->mf);
}

bool jobserver_open(struct kw_jobserver *js, const char *makeflags)
{
	jobserver_init(js, makeflags);
	return jobserver_connect(js);
}

bool jobserver_connect(struct kw_jobserver *js)
{
	bool ok = false;
	if (js->rfd >= 0 || js->problem)
		return js->rfd >= 0;
	switch (js->mf.style) {
	case KW_JS_NONE:
		return false;
	case KW_JS_DISABLED:
		js->plus_helps = true;
		return fail(js, kw_asprintf("make passed no jobserver (--jobserver-auth=%s)",
					    js->mf.auth));
	case KW_JS_UNKNOWN:
		return fail(js, kw_asprintf("unrecognised --jobserver-auth=%s in MAKEFLAGS",
					    js->mf.auth));
	case KW_JS_PIPE:
		if (js->mf.dry_run)
			return false;
		ok = open_pipe(js);
		break;
	case KW_JS_FIFO:
		if (js->mf.dry_run)
			return false;
		ok = open_fifo(js);
		break;
	}
	if (ok)
		track(js);
	return ok;
}

char *jobserver_unusable_warning(const struct kw_jobserver *js)
{
	if (!js->problem)
		return NULL;
	return kw_asprintf("jobserver unavailable: %s; running with one slot%s", js->problem,
			   js->plus_helps ? ": add '+' to the parent make rule" : "");
}

bool jobserver_present(const struct kw_jobserver *js)
{
	return js->mf.style != KW_JS_NONE;
}

int jobserver_poll_fd(const struct kw_jobserver *js)
{
	return js->rfd;
}

/* ---- tokens ---- */

size_t jobserver_held(const struct kw_jobserver *js)
{
	return js->tokens ? js->tokens->n : 0;
}

size_t jobserver_take(struct kw_jobserver *js, size_t max)
{
	struct kw_js_tokens *t = js->tokens;
	size_t taken = 0;
	if (js->rfd < 0 || !t)
		return 0;
	while (taken < max) {
		char buf[64];
		size_t want = max - taken < sizeof(buf) ? max - taken : sizeof(buf);
		ssize_t n = read(js->rfd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EAGAIN: none free (or a sibling was quicker); 0: make is gone */
		if (t->n + (size_t)n > t->alloc) {
			t->alloc = (t->n + (size_t)n) * 2;
			t->bytes = kw_realloc(t->bytes, t->alloc);
		}
		memcpy(t->bytes + t->n, buf, (size_t)n);
		t->n += (size_t)n;
		taken += (size_t)n;
	}
	if (t->n > js->peak)
		js->peak = t->n;
	return taken;
}

bool jobserver_collect(struct kw_jobserver *js, size_t total, double seconds)
{
	double deadline = kw_monotonic() + seconds;
	if (js->rfd < 0)
		return false;
	for (;;) {
		if (jobserver_held(js) < total)
			jobserver_take(js, SIZE_MAX);
		if (jobserver_held(js) >= total)
			return true;
		double left = deadline - kw_monotonic();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = js->rfd, .events = POLLIN };
		int n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n < 0 && errno == EINTR)
			return false; /* a signal: the caller acts on it */
		if (n < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL) && !(p.revents & POLLIN)))
			return false;
	}
}

/* Wait until FD can take a write (make may have made it non-blocking). */
static void wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
}

static int write_back(struct kw_js_tokens *t)
{
	while (t->n) {
		errno = 0;
		ssize_t n = write(t->wfd, t->bytes, t->n);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			wait_writable(t->wfd);
			continue;
		}
		if (n <= 0) {
			/* A write of 0 bytes sets no errno: say so, not a stale one. */
			kw_error("cannot give %zu jobserver token(s) back to make: %s", t->n,
				 n < 0 ? strerror(errno) : "the write wrote nothing");
			t->n = 0;
			return -1;
		}
		/* Bytes go back in the order they came, byte for byte. */
		memmove(t->bytes, t->bytes + n, t->n - (size_t)n);
		t->n -= (size_t)n;
	}
	return 0;
}

int jobserver_give_back(struct kw_jobserver *js)
{
	return js->tokens ? write_back(js->tokens) : 0;
}

void jobserver_close(struct kw_jobserver *js)
{
	jobserver_give_back(js);
	untrack(js);
	if (js->rfd >= 0 && js->rfd != js->wfd)
		close(js->rfd);
	if (js->owns_wfd && js->wfd >= 0)
		close(js->wfd);
	js->rfd = js->wfd = -1;
	free(js->problem);
	js->problem = NULL;
	js->plus_helps = false;
	jobserver_makeflags_release(&js->mf);
}
