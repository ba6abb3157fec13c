/* The resources one link holds. */
#include "klinkwrap/slots.h"
#include "klinkwrap/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An exclusive serial link needs the jobserver: say once per process
 * that it cannot have it. */
static void warn_unusable(const struct kw_jobserver *js)
{
	static bool warned;
	char *warning = jobserver_unusable_warning(js);
	if (warning && !warned) {
		kw_warn("%s", warning);
		warned = true;
	}
	free(warning);
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

bool slots_would_connect(const struct kw_config *cfg, const struct kw_jobserver *js,
			 bool exclusive_serial)
{
	return exclusive_serial ||
	       (strcmp(config_text(cfg, KW_OPT_THREADS), "off") && thread_cap(cfg, js) > 1);
}

/* Where the linker would take thread options in ARGV (threads.h), or 0
 * when it gets none: a linker without threads, --threads=off, a thread
 * option of the user's, or a driver mode that takes none. */
static size_t thread_slot(const struct kw_slots *s, const struct kw_config *cfg,
			  const struct kw_linkargs *args, char *const argv[])
{
	if (!strcmp(config_text(cfg, KW_OPT_THREADS), "off") || !threads_supported(s->kind) ||
	    threads_user_set(args->words.v, args->words.n))
		return 0;
	return threads_insert_at(s->kind, argv);
}

/* Take tokens for up to CAP threads; the options that ask for them go in
 * at AT. */
static void provision_threads(struct kw_slots *s, unsigned long cap, size_t at)
{
	/* Without a jobserver, or with one that cannot be used, klinkwrap
	 * knows nothing of free slots: the linker's own choice stands. */
	if (!at || !jobserver_present(&s->js) || s->js.problem)
		return;
	s->tokens = cap > 1 ? jobserver_take(&s->js, cap - 1) : 0;
	s->threads = s->tokens + 1;
}

/* Every token make has but the implicit slot; 0 when -jN is unknown. */
static size_t all_tokens(const struct kw_slots *s)
{
	return s->js.mf.jobs > 1 ? (size_t)s->js.mf.jobs - 1 : 0;
}

/* Say when the link holds every token: from then on nothing else runs. */
static void note_all_held(struct kw_slots *s)
{
	if (!s->all_held && all_tokens(s) && jobserver_held(&s->js) >= all_tokens(s)) {
		s->all_held = true;
		s->all_held_at = kw_monotonic();
		if (s->verbose)
			kw_error("%s: jobserver: exclusive: holding all %zu token(s); t=%.6f",
				 s->output, jobserver_held(&s->js), s->all_held_at);
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
		s->token_wait = kw_monotonic() - start;
		if (!all && s->verbose)
			kw_error("%s: jobserver: exclusive: %zu of %zu token(s) after %.3f s; starting "
				 "anyway", s->output, jobserver_held(&s->js), all_tokens(s),
				 s->token_wait);
	} else {
		jobserver_take(&s->js, SIZE_MAX);
	}
	note_all_held(s);
}

/* The token lines are for a link under a jobserver it can use (or a dry
 * run, which takes none); an unusable one was reported once already. */
static bool reports_tokens(const struct kw_slots *s)
{
	return jobserver_present(&s->js) && !s->js.problem;
}

static void report_holding(const struct kw_slots *s)
{
	char threads[64];
	if (s->threads)
		snprintf(threads, sizeof(threads), "%s gets %lu thread(s)",
			 threads_linker_name(s->kind), s->threads);
	else
		snprintf(threads, sizeof(threads), "threads left to %s", threads_linker_name(s->kind));
	kw_error("%s: jobserver: holding %zu token(s), %s%s; t=%.6f", s->output,
		 jobserver_held(&s->js),
		 threads, s->exclusive ? ", exclusive" : "", kw_monotonic());
}

void slots_begin(struct kw_slots *s, const struct kw_config *cfg, enum kw_linker_kind kind,
		 const struct kw_linkargs *args, char *const argv[])
{
	memset(s, 0, sizeof(*s));
	/* A stderr nobody reads must not end the link early (tokens held)
	 * or late (klinkwrap ends as the linker ended). */
	exec_sigpipe_survive();
	s->output = args->output;
	s->verbose = config_flag(cfg, KW_OPT_VERBOSE);
	s->lock_fd = -1;
	s->cls = classify_output(args->output, config_text(cfg, KW_OPT_SERIAL));
	s->kind = kind;
	size_t at = thread_slot(s, cfg, args, argv);
	bool exclusive = s->cls == KW_CLASS_SERIAL && config_flag(cfg, KW_OPT_EXCLUSIVE);

	/* Connect, and warn about a jobserver that cannot be used, only when
	 * tokens would be taken: a link that takes none (bfd, a user's thread
	 * option, --threads=off or 1) has nothing to say about it. Connecting
	 * comes before the serial lock, so that the lock's fd never takes the
	 * number of a closed jobserver fd; tokens come only after the lock. */
	jobserver_init(&s->js, getenv("MAKEFLAGS"));
	s->js_present = jobserver_present(&s->js);
	s->jobs = s->js.mf.jobs;
	unsigned long cap = thread_cap(cfg, &s->js);
	if (at ? slots_would_connect(cfg, &s->js, exclusive) : exclusive) {
		s->js_usable = jobserver_connect(&s->js);
		if (exclusive)
			warn_unusable(&s->js);
		else if (s->js.problem && s->verbose)
			kw_error("%s: jobserver unavailable: %s; threads left to %s", s->output,
				 s->js.problem, threads_linker_name(s->kind));
	}
	if (s->cls == KW_CLASS_SERIAL) {
		s->lock_fd = classify_lock(args->output, &s->lock_wait);
		s->locked = s->lock_fd >= 0;
		if (s->verbose && s->locked) /* else the warning said why not */
			kw_error("%s: serial link: lock taken after %.3f s", s->output, s->lock_wait);
	}

	/* From the first token on, a signal must not end klinkwrap before
	 * the tokens are back. */
	exec_signals_catch();
	provision_threads(s, cap, at);
	/* The user's arguments with the thread options at AT (after argv[0],
	 * or after a driver-mode word). */
	size_t i = 0;
	for (; argv[i] && (i < at || !s->threads); i++)
		kw_strvec_push(&s->argv, argv[i]);
	if (s->threads)
		threads_push_args(s->kind, s->threads, &s->argv);
	for (; argv[i]; i++)
		kw_strvec_push(&s->argv, argv[i]);

	if (exclusive && jobserver_poll_fd(&s->js) >= 0)
		begin_exclusive(s, config_number(cfg, KW_OPT_EXCLUSIVE_WAIT));
	if (s->verbose && reports_tokens(s))
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
	if (s->verbose && reports_tokens(s))
		kw_error("%s: jobserver: giving back %zu token(s); t=%.6f", s->output,
			 jobserver_held(&s->js), kw_monotonic());
	s->peak = s->js.peak;
	jobserver_close(&s->js);
	classify_unlock(s->lock_fd);
	s->lock_fd = -1;
	return exec_signals_release();
}

void slots_release(struct kw_slots *s)
{
	kw_strvec_clear(&s->argv);
}
