/* Messages and checked allocation. */
#include "klinkwrap/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *kw_progname = "klinkwrap";

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	/* One write per message, so lines of concurrent links do not mix. */
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "klinkwrap: %s", prefix);
	if (n < 0)
		return;
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	buf[len++] = '\n';
	fflush(stdout);
	fwrite(buf, 1, len, stderr);
	fflush(stderr);
}

void kw_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void kw_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void kw_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(status);
}

static void *checked(void *p)
{
	if (!p)
		kw_die(KW_EXIT_SELF, "out of memory");
	return p;
}

void *kw_malloc(size_t size) { return checked(malloc(size ? size : 1)); }
void *kw_calloc(size_t count, size_t size)
{
	return checked(calloc(count ? count : 1, size ? size : 1));
}
void *kw_realloc(void *ptr, size_t size) { return checked(realloc(ptr, size ? size : 1)); }
char *kw_strdup(const char *s) { return checked(strdup(s)); }
char *kw_strndup(const char *s, size_t n) { return checked(strndup(s, n)); }

char *kw_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (n < 0)
		kw_die(KW_EXIT_SELF, "out of memory");
	return out;
}

void kw_strvec_push_owned(struct kw_strvec *sv, char *s)
{
	if (sv->n + 2 > sv->alloc) {
		sv->alloc = sv->alloc ? sv->alloc * 2 : 8;
		sv->v = kw_realloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void kw_strvec_push(struct kw_strvec *sv, const char *s)
{
	kw_strvec_push_owned(sv, kw_strdup(s));
}

void kw_strvec_clear(struct kw_strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

double kw_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *kw_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

bool kw_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !memcmp(s + n - m, suffix, m);
}
