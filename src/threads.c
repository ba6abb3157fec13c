/* Linker recognition and thread options. */
#include "klinkwrap/threads.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Classify one file name: "lld", "ld.lld", "mold", "ld.mold",
 * "x86_64-linux-gnu-ld.gold", "ld.bfd", "ld", with version suffixes
 * ("lld-14") allowed on lld. */
static enum kw_linker_kind kind_of_name(const char *b)
{
	if (!strcmp(b, "lld") || !strncmp(b, "lld-", 4) || kw_has_suffix(b, "ld.lld") ||
	    strstr(b, "ld.lld-"))
		return KW_LINKER_LLD;
	if (!strcmp(b, "mold") || kw_has_suffix(b, "ld.mold"))
		return KW_LINKER_MOLD;
	if (!strcmp(b, "gold") || kw_has_suffix(b, "ld.gold"))
		return KW_LINKER_GOLD;
	if (kw_has_suffix(b, "ld.bfd") || !strcmp(b, "ld") || kw_has_suffix(b, "-ld"))
		return KW_LINKER_BFD;
	return KW_LINKER_OTHER;
}

enum kw_linker_kind threads_linker_kind(const char *path, const char *name)
{
	char real[PATH_MAX];
	const char *file = realpath(path, real) ? real : path;
	enum kw_linker_kind kind = kind_of_name(kw_basename(file));
	if (kind == KW_LINKER_LLD) {
		/* lld's other flavours spell threads differently. */
		const char *n = kw_basename(name);
		if (strstr(n, "lld-link") || strstr(n, "ld64") || strstr(n, "wasm-ld"))
			return KW_LINKER_OTHER;
	}
	return kind;
}

const char *threads_linker_name(enum kw_linker_kind kind)
{
	switch (kind) {
	case KW_LINKER_BFD: return "bfd";
	case KW_LINKER_LLD: return "lld";
	case KW_LINKER_MOLD: return "mold";
	case KW_LINKER_GOLD: return "gold";
	case KW_LINKER_OTHER: break;
	}
	return "other";
}

bool threads_supported(enum kw_linker_kind kind)
{
	return kind == KW_LINKER_LLD || kind == KW_LINKER_MOLD || kind == KW_LINKER_GOLD;
}

/* One word: an option that sets or disables threads, with one or two
 * dashes. */
static bool is_thread_option(const char *w)
{
	if (w[0] != '-')
		return false;
	w += w[1] == '-' ? 2 : 1;
	return !strcmp(w, "threads") || !strncmp(w, "threads=", 8) ||
	       !strcmp(w, "no-threads") || !strncmp(w, "thread-count", 12);
}

bool threads_user_set(char *const words[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_thread_option(words[i]))
			return true;
	return false;
}

static bool is_word(const char *w, const char *name)
{
	return w && w[0] == '-' && !strcmp(w + (w[1] == '-' ? 2 : 1), name);
}

size_t threads_insert_at(enum kw_linker_kind kind, char *const argv[])
{
	const char *first = argv[0] ? argv[1] : NULL;
	if (kind == KW_LINKER_LLD && is_word(first, "flavor"))
		return argv[2] && !strcmp(argv[2], "gnu") ? 3 : 0;
	if (kind == KW_LINKER_MOLD && is_word(first, "run"))
		return 0;
	return 1;
}

void threads_push_args(enum kw_linker_kind kind, unsigned long n, struct kw_strvec *out)
{
	switch (kind) {
	case KW_LINKER_LLD:
		kw_strvec_push_owned(out, kw_asprintf("--threads=%lu", n));
		break;
	case KW_LINKER_MOLD:
		kw_strvec_push_owned(out, kw_asprintf("--thread-count=%lu", n));
		break;
	case KW_LINKER_GOLD:
		kw_strvec_push(out, "--threads");
		kw_strvec_push_owned(out, kw_asprintf("--thread-count=%lu", n));
		break;
	default:
		break;
	}
}

unsigned long threads_cpus(void)
{
	cpu_set_t set;
	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return (unsigned long)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned long)n : 1;
}
