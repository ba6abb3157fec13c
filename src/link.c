/* The wrapped link: one link as a value, and the wrapper around it. */
#include "klinkwrap/link.h"
#include "klinkwrap/kbuild.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/linklog.h"
#include "klinkwrap/locate.h"
#include "klinkwrap/slots.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t count_args(char *const argv[])
{
	size_t n = 0;
	while (argv[n])
		n++;
	return n;
}

/* Find the linker and read its arguments: what link_once and link_run
 * both need first. Returns 0, or klinkwrap's exit status after a message;
 * -1 (with *WHY) when the arguments cannot be read. */
static int prepare(char *const argv[], char **path, struct kw_linkargs *args, char **why)
{
	int rc;
	*path = NULL;
	*why = NULL;
	memset(args, 0, sizeof(*args));
	if ((rc = locate_enter(argv[0])) != 0 || (rc = locate_linker(argv[0], path)) != 0)
		return rc;
	if (linkargs_analyze((int)count_args(argv) - 1, argv + 1, args, why))
		return -1;
	return 0;
}

/* The environment changes for the linker klinkwrap runs: the nesting
 * count, and the marker that says an outer klinkwrap watches this link. */
static const char *const *linker_env(void)
{
	static char marker[48];
	static const char *env[3];
	snprintf(marker, sizeof(marker), "%s=%ld", KW_WRAPPED_ENV, (long)getpid());
	env[0] = locate_depth_setting();
	env[1] = marker;
	env[2] = NULL;
	return env;
}

/* Did the link write the file ST describes? Its time is the kernel's
 * coarse clock, which may lag the one read before the linker started by
 * a tick: a second of slack. */
static bool written_by(const struct stat *st, const struct kw_link_record *rec)
{
	return st->st_mtim.tv_sec >= rec->start_time.tv_sec - 1;
}

/* The output's symbol set, for a successful link. An output the linker
 * did not write although it exited 0 (-version, --target-help) is the
 * linker's business; so is "-o -", which lld and mold take as standard
 * output (GNU ld writes a file named "-": hashed when this link wrote
 * it). A fifo or a device (/dev/null) has no symbol set and must not be
 * opened for reading at all (a fifo would block). */
static void hash_output(const struct kw_config *cfg, struct kw_link_record *rec)
{
	struct stat st;
	char *why = NULL;
	if (rec->exit_code != 0 || !config_flag(cfg, KW_OPT_SYMHASH) || !rec->output)
		return;
	if (stat(rec->output, &st) ? errno == ENOENT : !S_ISREG(st.st_mode))
		return;
	if (!strcmp(rec->output, "-") && !written_by(&st, rec))
		return;
	rec->symhashed = true;
	rec->sym_status = symset_hash_file(rec->output, &rec->symhash, &rec->symcount, &why);
	if (rec->sym_status == KW_SYMSET_BAD)
		kw_warn("%s: cannot hash the symbol set: %s", rec->output, why);
	free(why);
}

/* Run the prepared link to completion into REC (which owns PATH from
 * here on). LOG, if not NULL, is the link log's view of this link, begun.
 * LIST: give the record its input list: the log's, when it made one (it
 * hashes the inputs first), else one made here. link_run has no reader
 * for it (one open per input saved). */
static int run_prepared(const struct kw_config *cfg, char *const argv[], char *path,
			const struct kw_linkargs *args, struct kw_linklog_link *log,
			bool list, struct kw_link_record *rec)
{
	const struct kw_inputs *listed = log && log->inputs_hashed_before ? &log->listed : NULL;
	struct kw_slots slots;
	struct kw_child child = KW_CHILD_INIT;
	bool watched = args->output && !args->informational;
	int rc, sig = 0;

	rec->linker = path;
	rec->output = args->output ? kw_strdup(args->output) : NULL;
	rec->kind = threads_linker_kind(path, argv[0]);
	if (list && listed)
		inputs_copy(listed, &rec->inputs);
	else if (list)
		inputs_list(args->words.v, args->words.n, path, rec->kind, &rec->inputs);

	if (watched) {
		slots_begin(&slots, cfg, rec->kind, args, argv);
		child.argv = slots_argv(&slots);
	} else {
		for (size_t i = 0; argv[i]; i++)
			kw_strvec_push(&rec->argv, argv[i]);
		child.argv = rec->argv.v;
	}
	child.path = path;
	child.env = linker_env();

	clock_gettime(CLOCK_REALTIME, &rec->start_time);
	rec->start = kw_monotonic();
	rc = exec_start(&child);
	if (!rc && (watched ? slots_wait(&slots, &child) : exec_wait(&child)))
		rc = KW_EXIT_SELF;
	rec->end = kw_monotonic();
	rec->wall = rec->end - rec->start;
	rec->started = child.pid > 0;

	if (watched) {
		/* Tokens go back before anything else can end klinkwrap. */
		sig = slots_end(&slots);
		rec->cls = slots.cls;
		rec->locked = slots.locked;
		rec->lock_wait = slots.lock_wait;
		rec->token_wait = slots.token_wait;
		rec->jobserver = slots.js_present;
		rec->jobserver_usable = slots.js_usable;
		rec->jobs = slots.jobs;
		rec->tokens_peak = slots.peak;
		rec->threads = slots.threads;
		rec->exclusive = slots.exclusive;
		rec->exclusive_all_held = slots.all_held;
		rec->exclusive_all_held_at = slots.all_held_at;
		rec->argv = slots.argv; /* the record owns what ran */
		memset(&slots.argv, 0, sizeof(slots.argv));
		slots_release(&slots);
	}
	if (!sig && rc && child.signal_received)
		sig = child.signal_received;

	if (rc && sig) {
		/* The start failed while a signal came: the signal is the
		 * link's end (nobody acted on it), not the 126/127. */
		rec->start_failure = rc;
		rec->status = W_EXITCODE(0, sig);
		rc = 0;
	} else if (rc) {
		rec->start_failure = rc;
		rec->status = W_EXITCODE(rc & 0xff, 0);
	} else {
		rec->status = child.status;
		if (sig && !WIFSIGNALED(rec->status))
			rec->status = W_EXITCODE(0, sig); /* end by the signal nobody acted on */
	}
	rec->exit_code = exec_exit_code(rec->status);
	rec->signal = WIFSIGNALED(rec->status) ? WTERMSIG(rec->status) : 0;
	if (!rc && rec->started)
		hash_output(cfg, rec);
	return rc;
}

/* link_once, and link_once_logged when LOG is not NULL. */
static int once(const struct kw_config *cfg, char *const argv[], struct kw_linklog_link *log,
		struct kw_link_record *rec)
{
	struct kw_linkargs args;
	char *path, *why;
	memset(rec, 0, sizeof(*rec));
	if (log) {
		memset(log, 0, sizeof(*log));
		log->argv_given = argv;
	}
	int rc = prepare(argv, &path, &args, &why);
	if (rc < 0) {
		kw_error("%s", why);
		free(why);
		rc = KW_EXIT_SELF;
	}
	if (rc) {
		free(path);
		linkargs_release(&args);
		rec->start_failure = rc;
		rec->status = W_EXITCODE(rc, 0);
		rec->exit_code = rc;
		return rc;
	}
	if (log)
		linklog_begin(log, cfg, argv, path, &args);
	rc = run_prepared(cfg, argv, path, &args, log, true, rec);
	linkargs_release(&args);
	return rc;
}

int link_once(const struct kw_config *cfg, char *const argv[], struct kw_link_record *rec)
{
	return once(cfg, argv, NULL, rec);
}

int link_once_logged(const struct kw_config *cfg, char *const argv[],
		     struct kw_linklog_link *log, struct kw_link_record *rec)
{
	return once(cfg, argv, log, rec);
}

void link_record_release(struct kw_link_record *rec)
{
	free(rec->linker);
	free(rec->output);
	kw_strvec_clear(&rec->argv);
	inputs_release(&rec->inputs);
	memset(rec, 0, sizeof(*rec));
}

char *link_record_summary(const struct kw_link_record *rec)
{
	char note[80] = "";
	if (rec->symhashed && rec->sym_status == KW_SYMSET_OK) {
		char hex[KW_SYMHASH_HEX_LEN + 1];
		symhash_hex(&rec->symhash, hex);
		snprintf(note, sizeof(note), ", symhash %s (%zu symbols)", hex, rec->symcount);
	} else if (rec->symhashed && rec->sym_status == KW_SYMSET_NO_SYMTAB) {
		/* Stripped: recorded as such, not an error. A non-ELF output
		 * (--oformat binary, a map) is simply skipped. */
		snprintf(note, sizeof(note), ", no .symtab");
	}
	return kw_asprintf("%s: %s exited %d after %.3f s%s",
			   rec->output ? rec->output : "(no output)", rec->linker, rec->exit_code,
			   rec->wall, note);
}

/* Hand the call over to the linker at PATH (its argv as given). */
static int pass_through(char *path, char *argv[])
{
	const char *env[] = { locate_depth_setting(), NULL };
	struct kw_child child = KW_CHILD_INIT;
	child.path = path;
	child.argv = argv;
	child.env = env;
	int rc = exec_replace(&child);
	free(path);
	return rc;
}

int link_run(const struct kw_config *cfg, int argc, char *argv[])
{
	struct kw_link_record rec;
	struct kw_linkargs args;
	char *path, *why;
	const char *outer;
	(void)argc; /* argv is NULL-terminated, as main's is */

	int rc = prepare(argv, &path, &args, &why);
	if (rc < 0) {
		kw_warn("%s; running the linker unwatched", why);
		free(why);
		linkargs_release(&args);
		return pass_through(path, argv);
	}
	if (rc) {
		free(path);
		linkargs_release(&args);
		return rc;
	}
	if (args.informational || !args.output) {
		/* Probes (ld-version.sh, ld-option) see the real linker. */
		linkargs_release(&args);
		return pass_through(path, argv);
	}
	if ((outer = getenv(KW_WRAPPED_ENV)) != NULL && *outer) {
		/* The outer klinkwrap holds the lock, the tokens and the
		 * threads, and watches this link. */
		if (config_flag(cfg, KW_OPT_VERBOSE))
			kw_error("%s: already wrapped by klinkwrap (pid %s): running %s as is",
				 args.output, outer, path);
		linkargs_release(&args);
		return pass_through(path, argv);
	}
	if (config_validate(cfg)) {
		free(path);
		linkargs_release(&args);
		return KW_EXIT_SELF;
	}
	if (kbuild_wants(cfg, args.output, args.words.v, args.words.n)) {
		/* The final vmlinux link: checked (and repaired) as Kbuild will check it. */
		free(path);
		linkargs_release(&args);
		return kbuild_run(cfg, argv);
	}

	struct kw_linklog_link log;
	linklog_begin(&log, cfg, argv, path, &args);
	memset(&rec, 0, sizeof(rec));
	/* No input list in the record: linklog_begin made (and hashed) the
	 * log's own if the log records this link's inputs, and nothing else
	 * here reads one. */
	rc = run_prepared(cfg, argv, path, &args, &log, false, &rec);
	linkargs_release(&args);
	if (!rc && config_flag(cfg, KW_OPT_VERBOSE)) {
		char *line = link_record_summary(&rec);
		kw_error("%s", line);
		free(line);
	}
	linklog_end(&log, cfg, &rec);
	int status = rec.status;
	link_record_release(&rec);
	if (rc)
		return rc;
	exec_exit_like(status);
}
