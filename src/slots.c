/* The resources one link holds. */
#include "klinkwrap/slots.h"
#include "klinkwrap/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void warn_unusable(const struct kw_jobserver *js)
{
	static bool warned;
	if (js->problem && !warned) {
		kw_warn("jobserver unavailable: %s", js->problem);
		warned = true;
	}
}

/* The most threads to give: --threads=N, else the N of -jN (the CPUs
 * when make did not say), never more than the CPUs. */
static unsigned long thread_cap(const struct kw_config *cfg, const struct kw_jobserver *js)
{
	if (strcmp(config_text(cfg, KW_OPT_THREADS), "auto"))
		return config_number(cfg, KW_OPT_THREADS);
	unsigned long cpus = threads_cpus();
	unsigned long jobs = js->mf.jobs ? js->mf.jobs : cpus;
	return jobs < cpus ? jobs : cpus;
}

/* Take tokens for threads and append the options that ask for them. */
static void provision_threads(struct kw_slots *s, const struct kw_config *cfg, const char *path,
			      const struct kw_linkargs *args, const char *name)
{
	s->kind = threads_linker_kind(path, name);
	if (!strcmp(config_text(cfg, KW_OPT_THREADS), "off") || !threads_supported(s->kind) ||
	    !jobserver_present(&s->js) || threads_user_set(args->words.v, args->words.n))
		return;
	unsigned long cap = thread_cap(cfg, &s->js);
	s->tokens = cap > 1 ? jobserver_take(&s->js, cap - 1) : 0;
	s->threads = s->tokens + 1;
	threads_push_args(s->kind, s->threads, &s->argv);
}

/* Every token make has but the implicit slot; 0 when -jN is unknown. */
static size_t all_tokens(const struct kw_slots *s)
{
	return s->js.mf.jobs > 1 ? (size_t)s->js.mf.jobs - 1 : 0;
}

/* Say when the link holds every token: from then on nothing else runs. */
static void note_all_held(struct kw_slots *s)
{
	if (s->verbose && !s->all_held && all_tokens(s) && s->js.nheld >= all_tokens(s)) {
		s->all_held = true;
		kw_error("%s: jobserver: exclusive: holding all %zu token(s); t=%.6f", s->output,
			 s->js.nheld, kw_monotonic());
	}
}

/* Take every free token; with WAIT seconds, wait that long for all of
 * them (bounded, so two exclusive links cannot deadlock). */
static void begin_exclusive(struct kw_slots *s, unsigned long wait)
{
	s->exclusive = true;
	if (wait && all_tokens(s)) {
		double start = kw_monotonic();
		bool all = jobserver_collect(&s->js, all_tokens(s), (double)wait);
		if (!all && s->verbose)
			kw_error("%s: jobserver: exclusive: %zu of %zu token(s) after %.3f s; starting "
				 "anyway", s->output, s->js.nheld, all_tokens(s), kw_monotonic() - start);
	} else {
		jobserver_take(&s->js, SIZE_MAX);
	}
	note_all_held(s);
}

static void report_holding(const struct kw_slots *s)
{
	char threads[64];
	if (s->threads)
		snprintf(threads, sizeof(threads), "%s gets %lu thread(s)",
			 threads_linker_name(s->kind), s->threads);
	else
		snprintf(threads, sizeof(threads), "threads left to %s", threads_linker_name(s->kind));
	kw_error("%s: jobserver: holding %zu token(s), %s%s; t=%.6f", s->output, s->js.nheld,
		 threads, s->exclusive ? ", exclusive" : "", kw_monotonic());
}

void slots_begin(struct kw_slots *s, const struct kw_config *cfg, const char *path,
		 const struct kw_linkargs *args, char *const argv[])
{
	memset(s, 0, sizeof(*s));
	s->output = args->output;
	s->verbose = config_flag(cfg, KW_OPT_VERBOSE);
	s->lock_fd = -1;
	s->cls = classify_output(args->output, config_text(cfg, KW_OPT_SERIAL));
	if (s->cls == KW_CLASS_SERIAL) {
		s->lock_fd = classify_lock(args->output, &s->lock_wait);
		if (s->verbose)
			kw_error("%s: serial link: lock taken after %.3f s", s->output, s->lock_wait);
	}

	/* From the first token on, a signal must not end klinkwrap before
	 * the tokens are back. */
	exec_signals_catch();
	jobserver_open(&s->js, getenv("MAKEFLAGS"));
	warn_unusable(&s->js);
	/* argv[0], then the thread options, then the user's arguments. */
	kw_strvec_push(&s->argv, argv[0]);
	provision_threads(s, cfg, path, args, argv[0]);
	for (char *const *a = argv + 1; *a; a++)
		kw_strvec_push(&s->argv, *a);

	if (s->cls == KW_CLASS_SERIAL && config_flag(cfg, KW_OPT_EXCLUSIVE) &&
	    jobserver_poll_fd(&s->js) >= 0)
		begin_exclusive(s, config_number(cfg, KW_OPT_EXCLUSIVE_WAIT));
	if (s->verbose && jobserver_present(&s->js))
		report_holding(s);
}

char *const *slots_argv(const struct kw_slots *s)
{
	return s->argv.v;
}

static void take_all(void *arg)
{
	struct kw_slots *s = arg;
	jobserver_take(&s->js, SIZE_MAX);
	note_all_held(s);
}

int slots_wait(struct kw_slots *s, struct kw_child *child)
{
	if (s->exclusive)
		return exec_wait_watching(child, jobserver_poll_fd(&s->js), take_all, s);
	return exec_wait(child);
}

int slots_end(struct kw_slots *s)
{
	/* Said before the write, so that a sibling's "holding" line for the
	 * same token always comes later. */
	if (s->verbose && jobserver_present(&s->js))
		kw_error("%s: jobserver: giving back %zu token(s); t=%.6f", s->output,
			 s->js.nheld, kw_monotonic());
	jobserver_close(&s->js);
	classify_unlock(s->lock_fd);
	s->lock_fd = -1;
	kw_strvec_clear(&s->argv);
	return exec_signals_release();
}
