/* klinkwrap log show [--format=text|json|trace] FILE
 * klinkwrap log diff [--format=text|json] [--root-a=DIR] [--root-b=DIR] A B
 * Reading link logs: a summary (or a Chrome trace) of one, and the first
 * link where two builds part ways. */
#include "klinkwrap/commands.h"
#include "klinkwrap/json.h"
#include "klinkwrap/linklog.h"
#include "klinkwrap/logdiff.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum show_format { SHOW_TEXT, SHOW_JSON, SHOW_TRACE };

struct totals {
	size_t links, serial, failed;
	double link_time, token_wait, lock_wait;
	/* Regeneration steps, counted apart: link_time is the links' alone. */
	size_t regens, regen_failed;
	double regen_time;
};

static bool is_serial(const json_t *rec)
{
	const char *cls = linklog_str(rec, "class");
	return cls && !strcmp(cls, "serial");
}

static long long int_or(const json_t *rec, const char *key, long long dflt)
{
	const json_t *v = json_object_get(rec, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

/* "12 inputs", "12 inputs (incomplete), 1 changed", "inputs not logged" */
static char *inputs_note(const json_t *rec)
{
	const json_t *in = json_object_get(rec, "inputs");
	size_t changed = 0, i;
	json_t *e;
	if (!json_is_array(in))
		return kw_strdup("inputs not logged");
	json_array_foreach(in, i, e)
		changed += json_is_true(json_object_get(e, "changed"));
	char *note = kw_asprintf("%zu inputs%s", json_array_size(in),
				 json_is_true(json_object_get(rec, "inputs_incomplete"))
				 ? " (incomplete)" : "");
	if (changed) {
		char *more = kw_asprintf("%s, %zu changed during the link", note, changed);
		free(note);
		note = more;
	}
	return note;
}

static void add_totals(struct totals *t, const json_t *rec)
{
	if (linklog_is_regen(rec)) {
		t->regens++;
		t->regen_failed += int_or(rec, "exit", 0) != 0;
		t->regen_time += linklog_num(rec, "wall");
		return;
	}
	t->links++;
	t->serial += is_serial(rec);
	t->failed += int_or(rec, "exit", 0) != 0;
	t->link_time += linklog_num(rec, "wall");
	t->token_wait += linklog_num(rec, "token_wait");
	t->lock_wait += linklog_num(rec, "lock_wait");
}

#define NONE SIZE_MAX

/* Are A and B records of one klinkwrap process for one output? */
static bool same_process(const json_t *a, const json_t *b)
{
	return json_equal(json_object_get(a, "pid"), json_object_get(b, "pid")) &&
	       json_equal(json_object_get(a, "host"), json_object_get(b, "host")) &&
	       json_equal(json_object_get(a, "output_rel"), json_object_get(b, "output_rel"));
}

/* For each record of ALL (N of them, file order): when it is a
 * regeneration step, the index of the link it follows (the last link
 * before it of the same process and output), else NONE. */
static size_t *regen_parents(const json_t *all, size_t n)
{
	size_t *parent = kw_malloc((n ? n : 1) * sizeof(*parent));
	for (size_t k = 0; k < n; k++) {
		const json_t *rec = json_array_get(all, k);
		parent[k] = NONE;
		if (!linklog_is_regen(rec))
			continue;
		for (size_t j = k; j-- > 0;) {
			const json_t *p = json_array_get(all, j);
			if (!same_process(p, rec))
				continue;
			if (!linklog_is_regen(p))
				parent[k] = j;
			break;
		}
	}
	return parent;
}

/* "  regen for fixed-point pass 2: sh -c ./regen  exit 0  wall 0.004 s
 * object table.o  padded 1 section"; OUTPUT first for a step whose link
 * is not in the log. */
static void print_regen(const json_t *rec, bool under_link)
{
	char *cmd = linklog_regen_command(rec);
	char *object = linklog_path(rec, "object");
	long long exit = int_or(rec, "exit", -1), sig = int_or(rec, "signal", 0);
	const json_t *padded = json_object_get(rec, "padded");
	if (!under_link) {
		char *out = linklog_path(rec, "output");
		printf("%s", out ? out : "(no output)");
		free(out);
	}
	printf("  regen for fixed-point pass %lld: %s  ", int_or(rec, "fixpoint_pass", 0), cmd);
	if (!json_is_true(json_object_get(rec, "started")))
		printf("not started (exit %lld)", exit);
	else if (sig)
		printf("signal %lld (exit %lld)", sig, exit);
	else
		printf("exit %lld", exit);
	printf("  wall %.3f s", linklog_num(rec, "wall"));
	if (object)
		printf("  object %s", object);
	if (json_is_integer(padded))
		printf("  padded %lld section%s", (long long)json_integer_value(padded),
		       json_integer_value(padded) == 1 ? "" : "s");
	putchar('\n');
	free(object);
	free(cmd);
}

static void show_text(const struct kw_linklog_file *f)
{
	struct totals t = { 0 };
	size_t n = json_array_size(f->all), nregen = 0, i;
	size_t *parent = regen_parents(f->all, n);
	size_t *regens = kw_malloc((n ? n : 1) * sizeof(*regens));
	bool *followed = kw_calloc(n ? n : 1, sizeof(*followed));
	json_t *rec;
	for (i = 0; i < n; i++) {
		if (parent[i] != NONE)
			followed[parent[i]] = true;
		if (linklog_is_regen(json_array_get(f->all, i)))
			regens[nregen++] = i;
	}
	json_array_foreach(f->all, i, rec) {
		add_totals(&t, rec);
		if (linklog_is_regen(rec)) {
			if (parent[i] == NONE)
				print_regen(rec, false);
			continue;
		}
		long long pass = int_or(rec, "pass", 0), fix = int_or(rec, "fixpoint_pass", 0);
		/* Serial links, and the links of a fixed point. */
		if (!is_serial(rec) && !fix && !followed[i])
			continue;
		char *out = linklog_path(rec, "output");
		char *inputs = inputs_note(rec);
		char passes[64] = "";
		if (pass)
			snprintf(passes, sizeof(passes), "  pass %lld", pass);
		if (fix)
			snprintf(passes + strlen(passes), sizeof(passes) - strlen(passes),
				 "  fixed-point pass %lld", fix);
		const char *hash = linklog_str(rec, "symhash");
		printf("%s%s  %s  exit %lld  symhash %s (%lld symbols)  wall %.3f s  "
		       "lock %.3f s  tokens %.3f s\n",
		       out ? out : "(no output)", passes, inputs, int_or(rec, "exit", -1),
		       hash ? hash : "-", int_or(rec, "symcount", 0), linklog_num(rec, "wall"),
		       linklog_num(rec, "lock_wait"), linklog_num(rec, "token_wait"));
		free(out);
		free(inputs);
		for (size_t r = 0; followed[i] && r < nregen; r++)
			if (parent[regens[r]] == i)
				print_regen(json_array_get(f->all, regens[r]), true);
	}
	printf("%zu links (%zu serial), %zu failed, link time %.3f s, waiting for tokens %.3f s, "
	       "for locks %.3f s\n", t.links, t.serial, t.failed, t.link_time, t.token_wait,
	       t.lock_wait);
	if (t.regens)
		printf("%zu regeneration step%s, %zu failed, regeneration time %.3f s (not in the "
		       "link time)\n", t.regens, t.regens == 1 ? "" : "s", t.regen_failed,
		       t.regen_time);
	free(parent);
	free(regens);
	free(followed);
}

static void show_json(const char *file, const struct kw_linklog_file *f)
{
	struct totals t = { 0 };
	json_t *serial = kwjson_check(json_array());
	size_t i;
	json_t *rec;
	json_t *regens = kwjson_check(json_array());
	json_array_foreach(f->all, i, rec) {
		add_totals(&t, rec);
		if (linklog_is_regen(rec))
			kwjson_append(regens, json_deep_copy(rec));
		else if (is_serial(rec))
			kwjson_append(serial, json_deep_copy(rec));
	}
	json_t *top = kwjson_check(json_object());
	kwjson_set(top, "file", kwjson_string(file));
	kwjson_set(top, "serial", serial);
	kwjson_set(top, "regens", regens);
	json_t *totals = kwjson_check(json_pack("{s:I, s:I, s:I, s:f, s:f, s:f}", "links",
						(json_int_t)t.links, "serial", (json_int_t)t.serial,
						"failed", (json_int_t)t.failed, "link_time",
						t.link_time, "token_wait", t.token_wait, "lock_wait",
						t.lock_wait));
	kwjson_set(totals, "regens", json_integer((json_int_t)t.regens));
	kwjson_set(totals, "regen_failed", json_integer((json_int_t)t.regen_failed));
	kwjson_set(totals, "regen_time", json_real(t.regen_time));
	kwjson_set(top, "totals", totals);
	subcmd_print_json(top);
}

/* The trace: one complete ("X") event per link from the start of its
 * waits to the linker's end, with the lock wait, the token wait and the
 * linker's run nested inside, and one per regeneration step, on the first
 * track (tid) free at its start: overlapping links go to different
 * tracks, and no two events of one track overlap. A fixed point's links
 * and regeneration steps (one process, one after the other) take one
 * track together, from its first link to its last. Times are whole
 * microseconds from the first event. */
struct span {
	const json_t *rec;
	bool regen;
	long long begin, lock_end, tokens_end, end; /* microseconds since the epoch */
	size_t order;
	size_t unit;  /* the first record of its track's group (its own index: alone) */
};

static long long usec(double seconds)
{
	double us = seconds * 1e6; /* rounded to the nearest, without libm */
	return (long long)(us >= 0 ? us + 0.5 : us - 0.5);
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static json_t *event(const char *name, const char *cat, long long ts, long long dur, size_t tid,
		     json_t *args)
{
	json_t *e = kwjson_check(json_object());
	kwjson_set(e, "name", kwjson_string(name)); /* paths need not be UTF-8 */
	kwjson_set(e, "cat", kwjson_string(cat));
	kwjson_set(e, "ph", kwjson_string("X"));
	kwjson_set(e, "ts", json_integer((json_int_t)ts));
	kwjson_set(e, "dur", json_integer((json_int_t)dur));
	kwjson_set(e, "pid", json_integer(1));
	kwjson_set(e, "tid", json_integer((json_int_t)tid));
	if (args)
		kwjson_set(e, "args", args);
	return e;
}

/* Group each regeneration step with the link before it and the link
 * after it (the same process and output), and keep the group's members
 * in order: the clocks of the start (realtime) and of the wall time
 * (monotonic) may disagree by a microsecond, never the order. */
static void group_steps(struct span *s, size_t n, const size_t *parent)
{
	size_t *last = kw_malloc((n ? n : 1) * sizeof(*last)); /* per unit: its last member */
	for (size_t k = 0; k < n; k++) {
		s[k].unit = k;
		last[k] = k;
	}
	for (size_t k = 0; k < n; k++) {
		if (!s[k].regen || parent[k] == NONE)
			continue;
		s[k].unit = s[parent[k]].unit;
		for (size_t q = k + 1; q < n; q++) {
			if (!same_process(s[q].rec, s[k].rec))
				continue;
			if (!s[q].regen)
				s[q].unit = s[k].unit;
			break;
		}
	}
	for (size_t k = 0; k < n; k++) {
		size_t u = s[k].unit;
		if (u == k)
			continue;
		struct span *prev = &s[last[u]];
		if (s[k].regen) {
			if (s[k].begin < prev->end)
				s[k].begin = prev->end;
			if (s[k].end < s[k].begin)
				s[k].end = s[k].begin;
		} else if (s[k].begin < prev->end) {
			prev->end = prev->begin > s[k].begin ? prev->begin : s[k].begin;
			long long shift = prev->end - s[k].begin;
			s[k].begin += shift;
			s[k].lock_end += shift;
			s[k].tokens_end += shift;
			s[k].end += shift;
		}
		last[u] = k;
	}
	free(last);
}

static json_t *regen_args(const json_t *rec)
{
	char *cwd = linklog_path(rec, "cwd");
	json_t *args = kwjson_check(json_object());
	kwjson_set(args, "exit", json_integer((json_int_t)int_or(rec, "exit", -1)));
	kwjson_set(args, "signal", json_integer((json_int_t)int_or(rec, "signal", 0)));
	kwjson_set(args, "wall", json_real(linklog_num(rec, "wall")));
	kwjson_set(args, "cwd", cwd ? kwjson_string(cwd) : json_null());
	const char *keys[] = { "fixpoint_pass", "command", "object", "padded" };
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
		const json_t *v = json_object_get(rec, keys[k]);
		kwjson_set(args, keys[k], v ? json_deep_copy(v) : json_null());
	}
	free(cwd);
	return args;
}

static void show_trace(const struct kw_linklog_file *f)
{
	size_t n = json_array_size(f->all), i, ntracks = 0;
	struct span *s = kw_calloc(n ? n : 1, sizeof(*s));
	long long *track_end = kw_calloc(n ? n : 1, sizeof(*track_end));
	long long *unit_begin = kw_calloc(n ? n : 1, sizeof(*unit_begin));
	long long *unit_end = kw_calloc(n ? n : 1, sizeof(*unit_end));
	size_t *unit_tid = kw_calloc(n ? n : 1, sizeof(*unit_tid));
	size_t *parent = regen_parents(f->all, n);
	json_t *events = kwjson_check(json_array());
	json_t *rec;

	json_array_foreach(f->all, i, rec) {
		double start = linklog_num(rec, "start"), wall = linklog_num(rec, "wall");
		double lock = linklog_num(rec, "lock_wait"), tokens = linklog_num(rec, "token_wait");
		s[i].rec = rec;
		s[i].order = i;
		s[i].regen = linklog_is_regen(rec);
		s[i].tokens_end = usec(start);
		s[i].end = s[i].tokens_end + usec(wall);
		s[i].lock_end = s[i].tokens_end - usec(tokens);
		s[i].begin = s[i].lock_end - usec(lock);
	}
	group_steps(s, n, parent);
	/* A group's extent, then tracks by group, in order of their start. */
	for (i = 0; i < n; i++) {
		size_t u = s[i].unit;
		if (u == i || s[i].begin < unit_begin[u])
			unit_begin[u] = s[i].begin;
		if (u == i || s[i].end > unit_end[u])
			unit_end[u] = s[i].end;
	}
	qsort(s, n, sizeof(*s), span_cmp);
	long long base = n ? s[0].begin : 0;
	for (i = 0; i < n; i++) {
		size_t u = s[i].unit;
		if (u != s[i].order)
			continue; /* a later member: its group has a track */
		size_t tid = 0;
		while (tid < ntracks && track_end[tid] > unit_begin[u])
			tid++;
		if (tid == ntracks)
			ntracks++;
		track_end[tid] = unit_end[u];
		unit_tid[u] = tid + 1;
	}
	for (i = 0; i < n; i++) {
		size_t tid = unit_tid[s[i].unit];
		if (s[i].regen) {
			char name[64];
			snprintf(name, sizeof(name), "regen for pass %lld",
				 int_or(s[i].rec, "fixpoint_pass", 0));
			kwjson_append(events, event(name, "regen", s[i].begin - base,
						    s[i].end - s[i].begin, tid, regen_args(s[i].rec)));
			continue;
		}
		char *out = linklog_path(s[i].rec, "output_rel");
		const char *cls = linklog_str(s[i].rec, "class");
		char *cwd = linklog_path(s[i].rec, "cwd");
		json_t *args = kwjson_check(json_pack("{s:I, s:s?, s:f}", "exit",
						      (json_int_t)int_or(s[i].rec, "exit", -1),
						      "symhash", linklog_str(s[i].rec, "symhash"),
						      "wall", linklog_num(s[i].rec, "wall")));
		const json_t *pass = json_object_get(s[i].rec, "pass");
		kwjson_set(args, "cwd", cwd ? kwjson_string(cwd) : json_null());
		kwjson_set(args, "pass", pass ? json_deep_copy(pass) : json_null());
		const char *name = out ? out : "(no output)";
		kwjson_append(events, event(name, cls ? cls : "link", s[i].begin - base,
					    s[i].end - s[i].begin, tid, args));
		if (s[i].lock_end > s[i].begin)
			kwjson_append(events, event("lock wait", "wait", s[i].begin - base,
						    s[i].lock_end - s[i].begin, tid, NULL));
		if (s[i].tokens_end > s[i].lock_end)
			kwjson_append(events, event("token wait", "wait", s[i].lock_end - base,
						    s[i].tokens_end - s[i].lock_end, tid, NULL));
		char *linker = linklog_path(s[i].rec, "linker");
		kwjson_append(events, event(linker ? kw_basename(linker) : "linker", "run",
					    s[i].tokens_end - base, s[i].end - s[i].tokens_end,
					    tid, NULL));
		free(linker);
		free(out);
		free(cwd);
	}
	json_t *top = kwjson_check(json_pack("{s:o, s:s}", "traceEvents", events,
					     "displayTimeUnit", "ms"));
	subcmd_print_json(top);
	free(s);
	free(track_end);
	free(unit_begin);
	free(unit_end);
	free(unit_tid);
	free(parent);
}

static int log_show(int argc, char *argv[])
{
	const char *format_arg = NULL;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "log show",
		.usage = "[--format=text|json|trace] FILE",
		.help = "Summarise a link log: one line per serial link and per fixed-point link,\n"
			"each regeneration step under the link it follows, then totals over all\n"
			"links (and apart, over the steps); --format=trace writes the Chrome trace\n"
			"event format (Perfetto, chrome://tracing). Exit 0, or 2 for a log that\n"
			"cannot be read.\n",
		.options = options,
	};
	enum show_format format = SHOW_TEXT;
	int rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		return rc;
	if (format_arg && !strcmp(format_arg, "trace")) {
		format = SHOW_TRACE;
	} else if (format_arg) {
		enum kw_format f = KW_FORMAT_TEXT;
		if (subcmd_format(&sc, format_arg, &f))
			return KW_EXIT_SELF;
		format = f == KW_FORMAT_JSON ? SHOW_JSON : SHOW_TEXT;
	}
	if (sc.noperands != 1)
		return subcmd_usage_error(&sc, sc.noperands ? "one log only" : "no log given");

	struct kw_linklog_file f;
	char *why = NULL;
	if (linklog_read(sc.operands[0], &f, &why)) {
		kw_error("log show: %s", why);
		free(why);
		return KW_CMP_TROUBLE;
	}
	if (format == SHOW_TRACE)
		show_trace(&f);
	else if (format == SHOW_JSON)
		show_json(sc.operands[0], &f);
	else
		show_text(&f);
	linklog_file_release(&f);
	return subcmd_finish(0, KW_CMP_TROUBLE);
}

static int log_diff(int argc, char *argv[])
{
	const char *format_arg = NULL, *root_a = NULL, *root_b = NULL;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ "root-a", SUBCMD_REQUIRED_VALUE, &root_a, NULL },
		{ "root-b", SUBCMD_REQUIRED_VALUE, &root_b, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "log diff",
		.usage = "[--format=text|json] [--root-a=DIR] [--root-b=DIR] A B",
		.help = "Align two link logs link by link (output path relative to each log's\n"
			"root, then the order of links to the same output) and name the first\n"
			"link that diverges, and why; regeneration steps are compared after the\n"
			"links, by output and pass. Exit 0 same, 1 different, 2 trouble.\n",
		.options = options,
	};
	enum kw_format format = KW_FORMAT_TEXT;
	int rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		return rc;
	if (subcmd_format(&sc, format_arg, &format))
		return KW_EXIT_SELF;
	if (sc.noperands != 2)
		return subcmd_usage_error(&sc, sc.noperands > 2 ? "two logs only" : "two logs needed");

	struct kw_linklog_file f[2];
	for (int k = 0; k < 2; k++) {
		char *why = NULL;
		if (linklog_read(sc.operands[k], &f[k], &why)) {
			kw_error("log diff: %s", why);
			free(why);
			if (k)
				linklog_file_release(&f[0]);
			return KW_CMP_TROUBLE;
		}
	}
	struct kw_logdiff d;
	logdiff_compute(&f[0], root_a, &f[1], root_b, &d);
	rc = d.ndiffs ? KW_CMP_DIFFERENT : KW_CMP_SAME;
	if (format == KW_FORMAT_JSON) {
		json_t *top = logdiff_json(&d);
		kwjson_set(top, "a", kwjson_string(sc.operands[0]));
		kwjson_set(top, "b", kwjson_string(sc.operands[1]));
		subcmd_print_json(top);
	} else {
		printf("A: %s\nB: %s\n", sc.operands[0], sc.operands[1]);
		logdiff_print(&d, stdout);
	}
	logdiff_release(&d);
	linklog_file_release(&f[0]);
	linklog_file_release(&f[1]);
	return subcmd_finish(rc, KW_CMP_TROUBLE);
}

int cmd_log(int argc, char *argv[])
{
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return log_show(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "diff"))
		return log_diff(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		printf("usage: klinkwrap log show [--format=text|json|trace] FILE\n"
		       "       klinkwrap log diff [--format=text|json] [--root-a=DIR] [--root-b=DIR] A B\n");
		return subcmd_finish(0, KW_EXIT_SELF);
	}
	kw_error("log: expected 'show' or 'diff'%s%s (usage: klinkwrap log show|diff ...)",
		 argc >= 2 ? ", not " : "", argc >= 2 ? argv[1] : "");
	return KW_EXIT_SELF;
}
