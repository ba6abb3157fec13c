/* klinkwrap repro --jobs=J1,J2[,...] [--runs=N] [--load=N] [--keep]
 *                [--workdir=DIR] [--format=text|json] -- BUILD-COMMAND
 * Run one build at several -j levels, each in a fresh output directory
 * with its own link log, and report which runs part ways with the first
 * and at which link. Exit 0 all agree, 1 some diverge, 2 trouble. */
#include "klinkwrap/commands.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/json.h"
#include "klinkwrap/link.h"
#include "klinkwrap/linklog.h"
#include "klinkwrap/logdiff.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAIL_LINES 15

struct run {
	unsigned number;       /* 1-based, in the order they ran */
	unsigned long jobs;
	char *label;           /* "run-03-j8" */
	char *outdir, *log, *snapdir, *output;
	struct kw_strvec argv; /* what ran, substituted */
	char *rerun;           /* the shell command that reruns it */
	int exit_code;         /* the build's, as a shell reports it */
	double elapsed;
	size_t links;
	bool log_ok;
	char *log_error;
	struct kw_linklog_file file;
	/* Compared with the reference run. */
	bool compared, differs;
	struct kw_logdiff diff;
};

/* The busy processes of --load, stopped on every way out. */
static pid_t *load_pids;
static size_t load_count;

static void load_stop(void)
{
	for (size_t i = 0; i < load_count; i++)
		if (load_pids[i] > 0)
			kill(load_pids[i], SIGKILL);
	for (size_t i = 0; i < load_count; i++)
		if (load_pids[i] > 0)
			while (waitpid(load_pids[i], NULL, 0) < 0 && errno == EINTR)
				;
	load_count = 0;
}

static void load_start(unsigned long n)
{
	static bool registered;
	if (!registered) {
		atexit(load_stop); /* kw_die and every exit() */
		registered = true;
	}
	load_pids = kw_realloc(load_pids, (n ? n : 1) * sizeof(*load_pids));
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			kw_warn("repro: --load: cannot start a busy process: %s", strerror(errno));
			break;
		}
		if (pid == 0) {
			/* Dies with repro, even when repro is killed outright. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			for (volatile unsigned long spin = 0;; spin++)
				;
		}
		load_pids[load_count++] = pid;
	}
}

static char *substitute(const char *word, unsigned long jobs, const char *outdir)
{
	char *out = kw_strdup("");
	const char *p = word;
	while (*p) {
		const char *rep = NULL;
		size_t skip = 0;
		char num[24];
		if (!strncmp(p, "{jobs}", 6)) {
			snprintf(num, sizeof(num), "%lu", jobs);
			rep = num;
			skip = 6;
		} else if (!strncmp(p, "{outdir}", 8)) {
			rep = outdir;
			skip = 8;
		}
		char *next = rep ? kw_asprintf("%s%s", out, rep) : kw_asprintf("%s%c", out, *p);
		free(out);
		out = next;
		p += rep ? skip : 1;
	}
	return out;
}

static char *shell_quote(const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%",
			    *p))
			plain = false;
	if (plain)
		return kw_strdup(s);
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *q = kw_malloc(n + 1), *o = q;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return q;
}

static int parse_jobs(const char *text, unsigned long **out, size_t *n)
{
	const char *p = text;
	*n = 0;
	*out = NULL;
	while (*p) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || errno || !v || v > 100000 || (*end && *end != ','))
			return -1;
		*out = kw_realloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = v;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return -1;
	}
	return *n ? 0 : -1;
}

static int parse_count(const char *text, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (!*text || *end || errno || v > max || text[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

static void remove_tree(const char *dir)
{
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
		kw_warn("repro: cannot remove %s: %s", dir, strerror(errno));
}

/* Progress while a build runs: its label and elapsed time, rewritten in
 * place on a terminal, every 30 s otherwise. */
struct progress {
	int fd;
	const struct run *run;
	unsigned total;
	double start;
	bool tty;
	unsigned ticks;
};

static void progress_tick(void *arg)
{
	struct progress *p = arg;
	uint64_t expirations;
	if (read(p->fd, &expirations, sizeof(expirations)) < 0)
		return;
	p->ticks++;
	double t = kw_monotonic() - p->start;
	if (p->tty)
		fprintf(stderr, "\rklinkwrap: repro: run %u/%u (-j%lu) %.0f s ", p->run->number,
			p->total, p->run->jobs, t);
	else if (p->ticks % 30 == 0)
		fprintf(stderr, "klinkwrap: repro: run %u/%u (-j%lu) still building after %.0f s\n",
			p->run->number, p->total, p->run->jobs, t);
}

/* Run the build of R. Returns 0, or the signal that stopped repro. */
static int run_build(struct run *r, unsigned total, unsigned long load)
{
	char *log_env = kw_asprintf("KLINKWRAP_LOG=%s", r->log);
	char *snap_env = kw_asprintf("KLINKWRAP_SNAPSHOT_DIR=%s", r->snapdir);
	/* The build's links are wrapped as usual: no outer klinkwrap watches
	 * them, and the build's make is its own (-j{jobs}), not ours. */
	const char *env[] = { log_env, snap_env, KW_WRAPPED_ENV, "MAKEFLAGS", "MFLAGS",
			      "MAKELEVEL", NULL };
	struct kw_child child = KW_CHILD_INIT;
	struct progress prog = { .run = r, .total = total, .tty = isatty(2) };
	struct itimerspec every_second = { { 1, 0 }, { 1, 0 } };

	fprintf(stderr, "klinkwrap: repro: run %u/%u (-j%lu): %s\n", r->number, total, r->jobs,
		r->rerun);
	if (mkdir(r->outdir, 0777) && errno != EEXIST)
		kw_die(KW_CMP_TROUBLE, "repro: cannot create %s: %s", r->outdir, strerror(errno));
	child.path = NULL;
	child.argv = r->argv.v;
	child.env = env;
	child.stdout_file = r->output;
	prog.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (prog.fd >= 0)
		timerfd_settime(prog.fd, 0, &every_second, NULL);

	load_start(load);
	prog.start = kw_monotonic();
	int rc = exec_start(&child);
	if (!rc && exec_wait_watching(&child, prog.fd, progress_tick, &prog))
		rc = KW_EXIT_SELF;
	r->elapsed = kw_monotonic() - prog.start;
	load_stop();
	if (prog.fd >= 0)
		close(prog.fd);
	if (prog.tty && prog.ticks)
		fputc('\n', stderr);
	r->exit_code = rc ? rc : exec_exit_code(child.status);
	free(log_env);
	free(snap_env);
	return child.signal_received;
}

static void read_log(struct run *r)
{
	char *why = NULL;
	if (access(r->log, F_OK)) {
		r->log_error = kw_strdup("no link was logged: the build never ran klinkwrap "
					 "(check LD, e.g. LD=\"klinkwrap ld\")");
		return;
	}
	if (linklog_read(r->log, &r->file, &why)) {
		r->log_error = why;
		return;
	}
	r->links = json_array_size(r->file.records);
	if (!r->links) {
		r->log_error = kw_strdup("no link was logged: the build never ran klinkwrap "
					 "(check LD, e.g. LD=\"klinkwrap ld\")");
		linklog_file_release(&r->file);
		return;
	}
	r->log_ok = true;
}

static void print_tail(FILE *out, const char *path)
{
	FILE *f = fopen(path, "re");
	char *lines[TAIL_LINES] = { 0 };
	char *line = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return;
	while (getline(&line, &cap, f) >= 0) {
		free(lines[n % TAIL_LINES]);
		lines[n % TAIL_LINES] = kw_strdup(line);
		n++;
	}
	free(line);
	fclose(f);
	size_t first = n > TAIL_LINES ? n - TAIL_LINES : 0;
	for (size_t i = first; i < n; i++) {
		const char *l = lines[i % TAIL_LINES];
		fprintf(out, "    | %s%s", l, l[strlen(l) - 1] == '\n' ? "" : "\n");
	}
	for (size_t i = 0; i < TAIL_LINES; i++)
		free(lines[i]);
}

static char *tail_text(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return kw_strdup("");
	print_tail(mem, path);
	fclose(mem);
	return buf ? buf : kw_strdup("");
}

static const char *verdict(const struct run *r, const struct run *ref)
{
	if (!r->log_ok)
		return r->exit_code ? "failed" : "no-links";
	if (r->exit_code)
		return "failed";
	if (r == ref)
		return "reference";
	return r->differs ? "different" : "same";
}

int cmd_repro(int argc, char *argv[])
{
	const char *jobs_arg = NULL, *runs_arg = NULL, *load_arg = NULL, *workdir_arg = NULL;
	const char *format_arg = NULL;
	bool keep = false;
	const struct subcmd_option options[] = {
		{ "jobs", SUBCMD_REQUIRED_VALUE, &jobs_arg, NULL },
		{ "runs", SUBCMD_REQUIRED_VALUE, &runs_arg, NULL },
		{ "load", SUBCMD_REQUIRED_VALUE, &load_arg, NULL },
		{ "keep", SUBCMD_NO_VALUE, NULL, &keep },
		{ "workdir", SUBCMD_REQUIRED_VALUE, &workdir_arg, NULL },
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "repro",
		.usage = "--jobs=J1,J2[,...] [--runs=N] [--load=N] [--keep] [--workdir=DIR] "
			 "[--format=text|json] -- BUILD-COMMAND",
		.help = "Run BUILD-COMMAND once per -j level (N times each, interleaved), each in\n"
			"a fresh {outdir} with its own link log, and report the runs that diverge\n"
			"from the first and their first divergent link. {jobs} and {outdir} are\n"
			"substituted; one word is run by sh -c. Exit 0 all agree, 1 some diverge,\n"
			"2 trouble (all builds failed, a build that logged no link).\n",
		.options = options,
	};
	enum kw_format format = KW_FORMAT_TEXT;
	unsigned long *levels = NULL, runs = 1, load = 0;
	size_t nlevels = 0;
	int rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		return rc;
	if (subcmd_format(&sc, format_arg, &format))
		return KW_EXIT_SELF;
	if (!jobs_arg || parse_jobs(jobs_arg, &levels, &nlevels)) {
		free(levels);
		return subcmd_usage_error(&sc, "--jobs: expected J1,J2,... (positive numbers)");
	}
	if (runs_arg && (parse_count(runs_arg, 1000, &runs) || !runs)) {
		free(levels);
		return subcmd_usage_error(&sc, "--runs: expected a number from 1 to 1000");
	}
	if (load_arg && parse_count(load_arg, 1024, &load)) {
		free(levels);
		return subcmd_usage_error(&sc, "--load: expected a number from 0 to 1024");
	}
	if (nlevels * runs < 2) {
		free(levels);
		return subcmd_usage_error(&sc, "at least two runs are needed (two -j levels, or --runs)");
	}
	if (!sc.noperands) {
		free(levels);
		return subcmd_usage_error(&sc, "no build command given after --");
	}

	/* The work directory: the user's, or a new one under $TMPDIR. */
	char *workdir;
	if (workdir_arg) {
		if (mkdir(workdir_arg, 0777) && errno != EEXIST)
			kw_die(KW_CMP_TROUBLE, "repro: cannot create %s: %s", workdir_arg,
			       strerror(errno));
		workdir = realpath(workdir_arg, NULL);
	} else {
		const char *tmp = getenv("TMPDIR");
		char *templ = kw_asprintf("%s/klinkwrap-repro.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		workdir = mkdtemp(templ) ? realpath(templ, NULL) : NULL;
		free(templ);
	}
	if (!workdir)
		kw_die(KW_CMP_TROUBLE, "repro: no work directory: %s", strerror(errno));

	size_t nruns = nlevels * runs;
	struct run *r = kw_calloc(nruns, sizeof(*r));
	for (size_t i = 0; i < nruns; i++) {
		/* Interleaved: every level once, then again, so drift of the
		 * machine spreads over all of them. */
		struct run *x = &r[i];
		x->number = (unsigned)i + 1;
		x->jobs = levels[i % nlevels];
		x->label = kw_asprintf("run-%02u-j%lu", x->number, x->jobs);
		x->outdir = kw_asprintf("%s/%s", workdir, x->label);
		x->log = kw_asprintf("%s/%s.log", workdir, x->label);
		x->snapdir = kw_asprintf("%s/%s.snapshots", workdir, x->label);
		x->output = kw_asprintf("%s/%s.out", workdir, x->label);
		bool shell = sc.noperands == 1;
		if (shell) {
			char *cmd = substitute(sc.operands[0], x->jobs, x->outdir);
			kw_strvec_push(&x->argv, "sh");
			kw_strvec_push(&x->argv, "-c");
			kw_strvec_push_owned(&x->argv, kw_asprintf("exec 2>&1; %s", cmd));
			free(cmd);
		} else {
			kw_strvec_push(&x->argv, "sh");
			kw_strvec_push(&x->argv, "-c");
			kw_strvec_push(&x->argv, "exec 2>&1; exec \"$@\"");
			kw_strvec_push(&x->argv, "sh");
			for (int k = 0; k < sc.noperands; k++)
				kw_strvec_push_owned(&x->argv, substitute(sc.operands[k], x->jobs,
									  x->outdir));
		}
		/* The command that reruns this build by hand, log included. */
		char *q_log = shell_quote(x->log), *q_snap = shell_quote(x->snapdir);
		char *rerun = kw_asprintf("KLINKWRAP_LOG=%s KLINKWRAP_SNAPSHOT_DIR=%s", q_log, q_snap);
		free(q_log);
		free(q_snap);
		for (int k = 0; k < sc.noperands; k++) {
			char *w = substitute(sc.operands[k], x->jobs, x->outdir);
			char *qw = shell_quote(w);
			char *q = shell ? kw_asprintf("sh -c %s", qw) : kw_strdup(qw);
			free(qw);
			char *next = kw_asprintf("%s %s", rerun, q);
			free(rerun);
			free(q);
			free(w);
			rerun = next;
		}
		x->rerun = rerun;
	}
	free(levels);

	int sig = 0;
	for (size_t i = 0; i < nruns && !sig; i++) {
		sig = run_build(&r[i], (unsigned)nruns, load);
		if (sig)
			break;
		fprintf(stderr, "klinkwrap: repro: run %u/%zu (-j%lu) exited %d after %.1f s\n",
			r[i].number, nruns, r[i].jobs, r[i].exit_code, r[i].elapsed);
	}
	if (sig) {
		load_stop();
		kw_error("repro: stopped by signal %d; logs and trees are in %s", sig, workdir);
		signal(sig, SIG_DFL);
		raise(sig);
		return 128 + sig;
	}

	/* Compare every run with the first one that built and logged. */
	struct run *ref = NULL;
	size_t succeeded = 0, failed = 0, nolinks = 0, different = 0;
	for (size_t i = 0; i < nruns; i++) {
		read_log(&r[i]);
		if (!r[i].exit_code && !r[i].log_ok)
			nolinks++;
		if (r[i].exit_code)
			failed++;
		else if (r[i].log_ok)
			succeeded++;
		if (!ref && !r[i].exit_code && r[i].log_ok)
			ref = &r[i];
	}
	for (size_t i = 0; i < nruns; i++) {
		if (!ref || &r[i] == ref || r[i].exit_code || !r[i].log_ok)
			continue;
		logdiff_compute(&ref->file, ref->outdir, &r[i].file, r[i].outdir, &r[i].diff);
		r[i].compared = true;
		r[i].differs = r[i].diff.ndiffs > 0;
		different += r[i].differs;
	}
	/* A failed build is a divergence only beside builds that succeed. */
	int result = nolinks || !succeeded ? KW_CMP_TROUBLE
		   : different || failed ? KW_CMP_DIFFERENT : KW_CMP_SAME;

	if (format == KW_FORMAT_JSON) {
		json_t *top = kwjson_check(json_object());
		json_t *list = kwjson_check(json_array());
		kwjson_set(top, "workdir", kwjson_string(workdir));
		kwjson_set(top, "result", json_string(result == KW_CMP_SAME ? "same"
						       : result == KW_CMP_DIFFERENT ? "different"
										    : "trouble"));
		for (size_t i = 0; i < nruns; i++) {
			json_t *o = kwjson_check(json_object());
			kwjson_set(o, "run", json_integer(r[i].number));
			kwjson_set(o, "jobs", json_integer((json_int_t)r[i].jobs));
			kwjson_set(o, "status", json_string(verdict(&r[i], ref)));
			kwjson_set(o, "exit", json_integer(r[i].exit_code));
			kwjson_set(o, "elapsed", json_real(r[i].elapsed));
			kwjson_set(o, "links", json_integer((json_int_t)r[i].links));
			kwjson_set(o, "outdir", kwjson_string(r[i].outdir));
			kwjson_set(o, "log", kwjson_string(r[i].log));
			kwjson_set(o, "output", kwjson_string(r[i].output));
			kwjson_set(o, "rerun", kwjson_string(r[i].rerun));
			kwjson_set(o, "log_error", r[i].log_error ? kwjson_string(r[i].log_error)
								  : json_null());
			if (r[i].exit_code) {
				char *tail = tail_text(r[i].output);
				kwjson_set(o, "output_tail", kwjson_string(tail));
				free(tail);
			}
			if (r[i].compared) {
				json_t *d = logdiff_json(&r[i].diff);
				kwjson_set(o, "first_divergence",
					   json_incref(json_object_get(d, "first")));
				json_decref(d);
			}
			kwjson_append(list, o);
		}
		kwjson_set(top, "runs", list);
		subcmd_print_json(top);
	} else {
		printf("repro: %zu runs in %s\n", nruns, workdir);
		for (size_t i = 0; i < nruns; i++) {
			struct run *x = &r[i];
			printf("%s: -j%lu, exit %d, %zu links, %.1f s: %s\n", x->label, x->jobs,
			       x->exit_code, x->links, x->elapsed, verdict(x, ref));
			if (x->log_error && !x->exit_code)
				printf("  %s\n", x->log_error);
			if (x->exit_code) {
				printf("  the build failed; the end of its output (%s):\n", x->output);
				print_tail(stdout, x->output);
			}
			if (x->differs) {
				char *s = logdiff_first_summary(&x->diff);
				printf("  first divergent link: %s\n", s);
				printf("  details: klinkwrap log diff --root-a=%s --root-b=%s %s %s\n",
				       ref->outdir, x->outdir, ref->log, x->log);
				free(s);
			}
			printf("  rerun: %s\n", x->rerun);
		}
		printf("%s\n", result == KW_CMP_SAME ? "result: all runs agree"
		       : result == KW_CMP_DIFFERENT ? "result: some runs diverge from the first"
						    : "result: trouble (see above)");
	}

	for (size_t i = 0; i < nruns; i++) {
		if (!keep)
			remove_tree(r[i].outdir);
		if (r[i].compared)
			logdiff_release(&r[i].diff);
		if (r[i].log_ok)
			linklog_file_release(&r[i].file);
		free(r[i].label);
		free(r[i].outdir);
		free(r[i].log);
		free(r[i].snapdir);
		free(r[i].output);
		free(r[i].rerun);
		free(r[i].log_error);
		kw_strvec_clear(&r[i].argv);
	}
	free(r);
	free(workdir);
	return subcmd_finish(result, KW_CMP_TROUBLE);
}
