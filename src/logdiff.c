/* Two link logs compared link by link. */
#include "klinkwrap/logdiff.h"
#include "klinkwrap/json.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A record with its place: the key it is aligned by. */
struct entry {
	char *key;          /* output relative to the root */
	unsigned pass;      /* a regeneration step's fixed-point pass; 0 for links */
	size_t occurrence;  /* 1-based among records of KEY and PASS, in file order */
	size_t index;       /* in the file */
	const json_t *rec;
	const json_t *partner; /* the aligned record of the other log, or NULL */
};

static char *decoded(const json_t *rec, const char *key)
{
	return linklog_path(rec, key);
}

char *logdiff_root(const struct kw_linklog_file *f)
{
	char *root = NULL;
	size_t i;
	json_t *rec;
	json_array_foreach(f->records, i, rec) {
		char *cwd = decoded(rec, "cwd");
		if (!cwd || cwd[0] != '/') {
			free(cwd);
			continue;
		}
		char *norm = linklog_path_join(NULL, cwd);
		free(cwd);
		if (!root) {
			root = norm;
			continue;
		}
		/* The longest common prefix that ends at a component. */
		size_t n = 0, last = 1;
		while (root[n] && root[n] == norm[n]) {
			n++;
			if (root[n] == '/' || (!root[n] && (norm[n] == '/' || !norm[n])))
				last = n;
		}
		if (!root[n] && (norm[n] == '/' || !norm[n]))
			last = n;
		root[last] = '\0';
		free(norm);
	}
	if (!root || !*root) {
		free(root);
		root = kw_strdup("/");
	}
	return root;
}

/* PATH (relative to the record's cwd, or absolute) relative to ROOT. */
static char *rooted(const json_t *rec, const char *root, const char *path)
{
	char *cwd = decoded(rec, "cwd");
	char *abs = linklog_path_join(cwd, path);
	char *rel = linklog_path_relative(root, abs);
	free(cwd);
	free(abs);
	return rel;
}

static int entry_place_cmp(const struct entry *a, const struct entry *b)
{
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->pass < b->pass ? -1 : a->pass > b->pass;
}

static int entry_key_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = entry_place_cmp(a, b);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int entry_match_cmp(const struct entry *a, const struct entry *b)
{
	int c = entry_place_cmp(a, b);
	if (c)
		return c;
	return a->occurrence < b->occurrence ? -1 : a->occurrence > b->occurrence;
}

static int entry_index_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* The entries of RECORDS (links, or regeneration steps), keyed and
 * numbered, sorted by key, pass and occurrence. */
static struct entry *entries_of(const json_t *records, const char *root, size_t *n,
			       size_t *outside)
{
	size_t cap = json_array_size(records), i;
	struct entry *e = kw_calloc(cap ? cap : 1, sizeof(*e));
	json_t *rec;
	*n = 0;
	json_array_foreach(records, i, rec) {
		char *out = decoded(rec, "output_rel");
		if (!out)
			continue; /* a link without an output aligns with nothing */
		e[*n].key = rooted(rec, root, out);
		free(out);
		if (e[*n].key[0] == '/') {
			/* Outside the build tree: a probe with a temporary
			 * output (Kbuild's try-run), named differently in
			 * every build, so nothing to align it with. */
			free(e[*n].key);
			(*outside)++;
			continue;
		}
		e[*n].index = i;
		e[*n].rec = rec;
		if (linklog_is_regen(rec))
			e[*n].pass = (unsigned)json_integer_value(json_object_get(rec, "fixpoint_pass"));
		(*n)++;
	}
	qsort(e, *n, sizeof(*e), entry_key_cmp);
	for (i = 0; i < *n; i++)
		e[i].occurrence = i && !entry_place_cmp(&e[i], &e[i - 1]) ? e[i - 1].occurrence + 1 : 1;
	return e;
}

/* Pair the entries of EA and EB (sorted by entries_of) with the same key,
 * pass and occurrence; returns how many pairs. Leaves both in file order. */
static size_t align(struct entry *ea, size_t na, struct entry *eb, size_t nb)
{
	size_t i = 0, j = 0, aligned = 0;
	while (i < na && j < nb) {
		int c = entry_match_cmp(&ea[i], &eb[j]);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			ea[i].partner = eb[j].rec;
			eb[j].partner = ea[i].rec;
			i++;
			j++;
			aligned++;
		}
	}
	qsort(ea, na, sizeof(*ea), entry_index_cmp);
	qsort(eb, nb, sizeof(*eb), entry_index_cmp);
	return aligned;
}

static const char *str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* An input's identity for comparison: hash and size, or its error. */
static bool same_input(const json_t *a, const json_t *b)
{
	return same_str(str(a, "hash"), str(b, "hash")) &&
	       json_equal(json_object_get(a, "size"), json_object_get(b, "size")) &&
	       same_str(str(a, "error"), str(b, "error"));
}

struct keyed_input {
	char *path;
	const json_t *in;
};

static int keyed_cmp(const void *x, const void *y)
{
	return strcmp(((const struct keyed_input *)x)->path, ((const struct keyed_input *)y)->path);
}

static struct keyed_input *keyed_inputs(const json_t *rec, const char *root, size_t *n,
					size_t *changed)
{
	const json_t *list = json_object_get(rec, "inputs");
	size_t i;
	json_t *in;
	struct keyed_input *k = kw_calloc(json_array_size(list) + 1, sizeof(*k));
	*n = 0;
	json_array_foreach(list, i, in) {
		char *path = decoded(in, "path");
		if (!path)
			continue;
		k[*n].path = rooted(rec, root, path);
		k[*n].in = in;
		(*n)++;
		*changed += json_is_true(json_object_get(in, "changed"));
		free(path);
	}
	qsort(k, *n, sizeof(*k), keyed_cmp);
	return k;
}

static bool version_object(const char *path)
{
	const char *base = kw_basename(path);
	return strstr(base, "version") || strstr(base, "timestamp") || !strcmp(base, "compile.h");
}

static void push_input(struct kw_logdiff_link *l, const char *path, const json_t *a,
		       const json_t *b)
{
	l->inputs = kw_realloc(l->inputs, (l->ninputs + 1) * sizeof(*l->inputs));
	l->inputs[l->ninputs].path = kw_strdup(path);
	l->inputs[l->ninputs].a = a;
	l->inputs[l->ninputs].b = b;
	l->ninputs++;
}

/* Compare the inputs of two aligned records into L. Returns whether both
 * logged complete input lists (so equal inputs mean equal inputs). */
static bool compare_inputs(struct kw_logdiff_link *l, const char *root_a, const char *root_b)
{
	if (!json_is_array(json_object_get(l->a, "inputs")) ||
	    !json_is_array(json_object_get(l->b, "inputs")))
		return false;
	size_t na, nb, i = 0, j = 0;
	struct keyed_input *ka = keyed_inputs(l->a, root_a, &na, &l->changed_a);
	struct keyed_input *kb = keyed_inputs(l->b, root_b, &nb, &l->changed_b);
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(ka[i].path, kb[j].path);
		if (c < 0) {
			push_input(l, ka[i].path, ka[i].in, NULL);
			i++;
		} else if (c > 0) {
			push_input(l, kb[j].path, NULL, kb[j].in);
			j++;
		} else {
			if (!same_input(ka[i].in, kb[j].in))
				push_input(l, ka[i].path, ka[i].in, kb[j].in);
			i++;
			j++;
		}
	}
	for (i = 0; i < na; i++)
		free(ka[i].path);
	for (j = 0; j < nb; j++)
		free(kb[j].path);
	free(ka);
	free(kb);
	l->only_version_inputs = l->ninputs > 0;
	for (i = 0; i < l->ninputs; i++)
		l->only_version_inputs &= version_object(l->inputs[i].path);
	return !json_is_true(json_object_get(l->a, "inputs_incomplete")) &&
	       !json_is_true(json_object_get(l->b, "inputs_incomplete"));
}

/* Does the aligned pair in L differ, and why? */
static bool classify_pair(struct kw_logdiff_link *l, const char *root_a, const char *root_b)
{
	bool complete = compare_inputs(l, root_a, root_b);
	if (l->ninputs) {
		l->reason = KW_LD_INPUTS;
		return true;
	}
	if (!json_equal(json_object_get(l->a, "exit"), json_object_get(l->b, "exit"))) {
		l->reason = KW_LD_EXIT;
		return true;
	}
	if (!same_str(str(l->a, "symhash"), str(l->b, "symhash"))) {
		l->reason = complete ? KW_LD_NONDETERMINISTIC : KW_LD_OUTPUT;
		return true;
	}
	if (!same_str(str(l->a, "argv_hash"), str(l->b, "argv_hash"))) {
		l->reason = KW_LD_ARGV;
		return true;
	}
	return false;
}

/* Does the aligned pair of regeneration steps in L differ, and why? */
static bool classify_regen_pair(struct kw_logdiff_link *l)
{
	if (!json_equal(json_object_get(l->a, "exit"), json_object_get(l->b, "exit")) ||
	    !json_equal(json_object_get(l->a, "signal"), json_object_get(l->b, "signal"))) {
		l->reason = KW_LD_REGEN_STATUS;
		return true;
	}
	if (!json_equal(json_object_get(l->a, "command"), json_object_get(l->b, "command"))) {
		l->reason = KW_LD_REGEN_COMMAND;
		return true;
	}
	return false;
}

static unsigned max_pass(const struct kw_linklog_file *f)
{
	unsigned m = 0;
	size_t i;
	json_t *rec;
	json_array_foreach(f->records, i, rec) {
		json_t *p = json_object_get(rec, "pass");
		if (json_is_integer(p) && json_integer_value(p) > (json_int_t)m)
			m = (unsigned)json_integer_value(p);
	}
	return m;
}

static void push_diff(struct kw_logdiff *d, const struct kw_logdiff_link *l)
{
	d->diffs = kw_realloc(d->diffs, (d->ndiffs + 1) * sizeof(*d->diffs));
	d->diffs[d->ndiffs++] = *l;
}

static void one_sided(struct kw_logdiff *d, const struct entry *e, bool in_a)
{
	struct kw_logdiff_link l = { 0 };
	l.output = kw_strdup(e->key);
	l.occurrence = e->occurrence;
	if (in_a)
		l.a = e->rec;
	else
		l.b = e->rec;
	l.regen = linklog_is_regen(e->rec);
	l.pass = e->pass;
	if (l.regen)
		l.reason = in_a ? KW_LD_REGEN_ONLY_A : KW_LD_REGEN_ONLY_B;
	else
		l.reason = json_is_integer(json_object_get(e->rec, "pass")) ? KW_LD_PASSES
			 : in_a ? KW_LD_ONLY_A : KW_LD_ONLY_B;
	push_diff(d, &l);
}

static void free_link(struct kw_logdiff_link *l)
{
	for (size_t k = 0; k < l->ninputs; k++)
		free(l->inputs[k].path);
	free(l->inputs);
	free(l->output);
}

/* Compare the aligned entries EA (of A) and EB (of B), both in file
 * order, into D: A's in order, then those B alone has. */
static void compare_entries(struct kw_logdiff *d, const struct entry *ea, size_t na,
			    const struct entry *eb, size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		if (!ea[i].partner) {
			one_sided(d, &ea[i], true);
			continue;
		}
		struct kw_logdiff_link l = { 0 };
		l.a = ea[i].rec;
		l.b = ea[i].partner;
		l.output = kw_strdup(ea[i].key);
		l.occurrence = ea[i].occurrence;
		l.regen = linklog_is_regen(l.a);
		l.pass = ea[i].pass;
		if (l.regen ? classify_regen_pair(&l) : classify_pair(&l, d->root_a, d->root_b))
			push_diff(d, &l);
		else
			free_link(&l);
	}
	for (size_t j = 0; j < nb; j++)
		if (!eb[j].partner)
			one_sided(d, &eb[j], false);
}

/* Which divergence is reported first: the lowest rank, the earliest. */
static int rank(const struct kw_logdiff_link *l)
{
	if (!l->regen)
		return l->reason == KW_LD_ARGV ? 2 : 0;
	return l->reason == KW_LD_REGEN_COMMAND ? 3 : 1;
}

static void free_entries(struct entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].key);
	free(e);
}

void logdiff_compute(const struct kw_linklog_file *a, const char *root_a,
		     const struct kw_linklog_file *b, const char *root_b, struct kw_logdiff *d)
{
	size_t na, nb, i;
	memset(d, 0, sizeof(*d));
	d->root_a = root_a ? linklog_path_join(NULL, root_a) : logdiff_root(a);
	d->root_b = root_b ? linklog_path_join(NULL, root_b) : logdiff_root(b);
	d->links_a = json_array_size(a->records);
	d->links_b = json_array_size(b->records);
	d->passes_a = max_pass(a);
	d->passes_b = max_pass(b);

	struct entry *ea = entries_of(a->records, d->root_a, &na, &d->outside_a);
	struct entry *eb = entries_of(b->records, d->root_b, &nb, &d->outside_b);
	d->aligned = align(ea, na, eb, nb);
	compare_entries(d, ea, na, eb, nb);
	free_entries(ea, na);
	free_entries(eb, nb);

	/* The regeneration steps, after the links (a step outside the root
	 * belongs to a link that is not compared either). */
	size_t outside = 0;
	d->regens_a = a->regens ? json_array_size(a->regens) : 0;
	d->regens_b = b->regens ? json_array_size(b->regens) : 0;
	ea = entries_of(a->regens, d->root_a, &na, &outside);
	eb = entries_of(b->regens, d->root_b, &nb, &outside);
	d->regens_aligned = align(ea, na, eb, nb);
	compare_entries(d, ea, na, eb, nb);
	free_entries(ea, na);
	free_entries(eb, nb);

	d->first = d->ndiffs;
	for (i = 0; i < d->ndiffs; i++)
		if (d->first == d->ndiffs || rank(&d->diffs[i]) < rank(&d->diffs[d->first]))
			d->first = i;
}

void logdiff_release(struct kw_logdiff *d)
{
	for (size_t i = 0; i < d->ndiffs; i++)
		free_link(&d->diffs[i]);
	free(d->diffs);
	free(d->root_a);
	free(d->root_b);
	memset(d, 0, sizeof(*d));
}

const char *logdiff_reason_name(enum kw_logdiff_reason r)
{
	switch (r) {
	case KW_LD_INPUTS: return "inputs";
	case KW_LD_NONDETERMINISTIC: return "nondeterministic";
	case KW_LD_OUTPUT: return "output";
	case KW_LD_EXIT: return "exit";
	case KW_LD_PASSES: return "passes";
	case KW_LD_ONLY_A: return "only-in-a";
	case KW_LD_ONLY_B: return "only-in-b";
	case KW_LD_ARGV: return "argv";
	case KW_LD_REGEN_STATUS: return "regen-status";
	case KW_LD_REGEN_ONLY_A: return "regen-only-in-a";
	case KW_LD_REGEN_ONLY_B: return "regen-only-in-b";
	case KW_LD_REGEN_COMMAND: return "regen-command";
	}
	return "?";
}

/* "exit 3", "signal 9 (exit 137)", "not started (exit 127)" of a
 * regeneration record. */
static char *regen_status(const json_t *rec)
{
	json_int_t exit = json_integer_value(json_object_get(rec, "exit"));
	json_int_t sig = json_integer_value(json_object_get(rec, "signal"));
	if (json_is_false(json_object_get(rec, "started")))
		return kw_asprintf("not started (exit %" JSON_INTEGER_FORMAT ")", exit);
	if (sig)
		return kw_asprintf("signal %" JSON_INTEGER_FORMAT " (exit %" JSON_INTEGER_FORMAT ")",
				   sig, exit);
	return kw_asprintf("exit %" JSON_INTEGER_FORMAT, exit);
}

static char *explanation(const struct kw_logdiff *d, const struct kw_logdiff_link *l)
{
	switch (l->reason) {
	case KW_LD_REGEN_STATUS: {
		char *sa = regen_status(l->a), *sb = regen_status(l->b);
		char *s = kw_asprintf("the regeneration step for fixed-point pass %u ended "
				      "differently: %s in A, %s in B", l->pass, sa, sb);
		free(sa);
		free(sb);
		return s;
	}
	case KW_LD_REGEN_ONLY_A:
	case KW_LD_REGEN_ONLY_B:
		return kw_asprintf("a regeneration step for fixed-point pass %u in %s only",
				   l->pass, l->reason == KW_LD_REGEN_ONLY_A ? "A" : "B");
	case KW_LD_REGEN_COMMAND:
		return kw_asprintf("the regeneration step for fixed-point pass %u ran another "
				   "command, with the same status", l->pass);
	case KW_LD_INPUTS:
		return kw_asprintf("%zu input%s differ: a race or nondeterminism upstream of this "
				   "link", l->ninputs, l->ninputs == 1 ? "" : "s");
	case KW_LD_NONDETERMINISTIC:
		return kw_strdup("identical inputs but a different output symbol set: a "
				 "nondeterministic link");
	case KW_LD_OUTPUT:
		return kw_strdup("a different output symbol set; the inputs were not recorded "
				 "completely in both logs, so the cause is unknown "
				 "(--log-inputs=all records them)");
	case KW_LD_EXIT:
		return kw_asprintf("exit %" JSON_INTEGER_FORMAT " in A, %" JSON_INTEGER_FORMAT
				   " in B", json_integer_value(json_object_get(l->a, "exit")),
				   json_integer_value(json_object_get(l->b, "exit")));
	case KW_LD_PASSES:
		return kw_asprintf("a different number of kallsyms passes: %u in A, %u in B",
				   d->passes_a, d->passes_b);
	case KW_LD_ONLY_A:
		return kw_strdup("a link in A only");
	case KW_LD_ONLY_B:
		return kw_strdup("a link in B only");
	case KW_LD_ARGV:
		return kw_strdup("the same inputs and output but a different command (argv hash)");
	}
	return kw_strdup("?");
}

#define VERSION_HINT "only version or timestamp objects differ: pin KBUILD_BUILD_TIMESTAMP, " \
	"KBUILD_BUILD_USER, KBUILD_BUILD_HOST and KBUILD_BUILD_VERSION to compare kernel builds"

/* Snapshots: "ADDRESS SIZE LETTER NAME" lines (undefined symbols with
 * blank address and size), as linklog_write_snapshot writes them. */
struct snap_sym {
	char *name;
	uint64_t addr, size;
	char letter;
};

static int snap_cmp(const void *x, const void *y)
{
	const struct snap_sym *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static struct snap_sym *snapshot_read(const char *path, size_t *n)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;
	struct snap_sym *v = NULL;
	*n = 0;
	if (!f)
		return NULL;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct snap_sym s = { 0 };
		char *p = line, *end;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		while (*p == ' ')
			p++;
		/* Defined: two hex fields first; undefined: the letter. */
		if (p[0] && p[1] == ' ') {
			s.letter = p[0];
			p += 2;
		} else {
			s.addr = strtoull(p, &end, 16);
			p = end;
			s.size = strtoull(p, &end, 16);
			p = end;
			while (*p == ' ')
				p++;
			s.letter = *p ? *p++ : '?';
			if (*p == ' ')
				p++;
		}
		s.name = kw_strdup(p);
		if (*n == alloc)
			v = kw_realloc(v, (alloc = alloc ? 2 * alloc : 256) * sizeof(*v));
		v[(*n)++] = s;
	}
	free(line);
	fclose(f);
	if (v)
		qsort(v, *n, sizeof(*v), snap_cmp);
	return v;
}

/* The symbol differences between the snapshots of L's records, as JSON
 * ({"added": [...], "removed": [...], "moved": [...]} with counts), or
 * NULL when either has none. */
static json_t *snapshot_diff(const struct kw_logdiff_link *l)
{
	char *pa = l->a ? linklog_path(l->a, "snapshot") : NULL;
	char *pb = l->b ? linklog_path(l->b, "snapshot") : NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	struct snap_sym *a = pa ? snapshot_read(pa, &na) : NULL;
	struct snap_sym *b = pb ? snapshot_read(pb, &nb) : NULL;
	json_t *out = NULL;
	if (!a || !b)
		goto done;
	json_t *added = kwjson_check(json_array()), *removed = kwjson_check(json_array());
	json_t *moved = kwjson_check(json_array());
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].name, b[j].name);
		if (c < 0) {
			kwjson_append(removed, kwjson_string(a[i++].name));
		} else if (c > 0) {
			kwjson_append(added, kwjson_string(b[j++].name));
		} else {
			if (a[i].addr != b[j].addr || a[i].size != b[j].size ||
			    a[i].letter != b[j].letter) {
				char from[40], to[40];
				snprintf(from, sizeof(from), "%" PRIx64 "+%" PRIx64, a[i].addr, a[i].size);
				snprintf(to, sizeof(to), "%" PRIx64 "+%" PRIx64, b[j].addr, b[j].size);
				json_t *m = kwjson_check(json_pack("{s:s, s:s}", "a", from, "b", to));
				kwjson_set(m, "name", kwjson_string(a[i].name));
				kwjson_append(moved, m);
			}
			i++;
			j++;
		}
	}
	out = kwjson_check(json_object());
	kwjson_set(out, "snapshot_a", kwjson_string(pa));
	kwjson_set(out, "snapshot_b", kwjson_string(pb));
	kwjson_set(out, "added", added);
	kwjson_set(out, "removed", removed);
	kwjson_set(out, "moved", moved);
done:
	for (i = 0; i < na; i++)
		free(a[i].name);
	for (j = 0; j < nb; j++)
		free(b[j].name);
	free(a);
	free(b);
	free(pa);
	free(pb);
	return out;
}

static json_t *input_side(const json_t *in)
{
	if (!in)
		return json_null();
	json_t *o = kwjson_check(json_object());
	const char *keys[] = { "size", "hash", "error", "changed" };
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
		json_t *v = json_object_get(in, keys[k]);
		if (v)
			kwjson_set(o, keys[k], json_deep_copy(v));
	}
	return o;
}

static json_t *field(const json_t *rec, const char *key)
{
	json_t *v = rec ? json_object_get(rec, key) : NULL;
	return v ? json_deep_copy(v) : json_null();
}

/* KEY_a and KEY_b: the field KEY of each side's record. */
static void set_sides(json_t *o, const struct kw_logdiff_link *l, const char *key)
{
	char ka[32], kb[32];
	snprintf(ka, sizeof(ka), "%s_a", key);
	snprintf(kb, sizeof(kb), "%s_b", key);
	kwjson_set(o, ka, field(l->a, key));
	kwjson_set(o, kb, field(l->b, key));
}

static json_t *link_json(const struct kw_logdiff *d, const struct kw_logdiff_link *l, bool first)
{
	json_t *o = kwjson_check(json_object());
	char *why = explanation(d, l);
	kwjson_set(o, "kind", json_string(l->regen ? "regen" : "link"));
	kwjson_set(o, "output", kwjson_string(l->output));
	kwjson_set(o, "occurrence", json_integer((json_int_t)l->occurrence));
	kwjson_set(o, "reason", json_string(logdiff_reason_name(l->reason)));
	kwjson_set(o, "explanation", kwjson_string(why));
	free(why);
	if (l->regen) {
		kwjson_set(o, "fixpoint_pass", json_integer((json_int_t)l->pass));
		const char *keys[] = { "exit", "signal", "command" };
		for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
			set_sides(o, l, keys[k]);
		return o;
	}
	json_t *inputs = kwjson_check(json_array());
	for (size_t k = 0; k < l->ninputs; k++) {
		json_t *in = kwjson_check(json_object());
		kwjson_set(in, "path", kwjson_string(l->inputs[k].path));
		kwjson_set(in, "a", input_side(l->inputs[k].a));
		kwjson_set(in, "b", input_side(l->inputs[k].b));
		kwjson_append(inputs, in);
	}
	kwjson_set(o, "inputs", inputs);
	kwjson_set(o, "only_version_inputs", json_boolean(l->only_version_inputs));
	kwjson_set(o, "changed_during_link_a", json_integer((json_int_t)l->changed_a));
	kwjson_set(o, "changed_during_link_b", json_integer((json_int_t)l->changed_b));
	const char *keys[] = { "exit", "symhash", "symcount", "argv_hash", "pass" };
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
		set_sides(o, l, keys[k]);
	if (first) {
		json_t *sd = snapshot_diff(l);
		kwjson_set(o, "symdiff", sd ? sd : json_null());
	}
	return o;
}

json_t *logdiff_json(const struct kw_logdiff *d)
{
	json_t *o = kwjson_check(json_object());
	kwjson_set(o, "same", json_boolean(!d->ndiffs));
	kwjson_set(o, "root_a", kwjson_string(d->root_a));
	kwjson_set(o, "root_b", kwjson_string(d->root_b));
	kwjson_set(o, "links_a", json_integer((json_int_t)d->links_a));
	kwjson_set(o, "links_b", json_integer((json_int_t)d->links_b));
	kwjson_set(o, "aligned", json_integer((json_int_t)d->aligned));
	kwjson_set(o, "regens_a", json_integer((json_int_t)d->regens_a));
	kwjson_set(o, "regens_b", json_integer((json_int_t)d->regens_b));
	kwjson_set(o, "regens_aligned", json_integer((json_int_t)d->regens_aligned));
	kwjson_set(o, "outside_a", json_integer((json_int_t)d->outside_a));
	kwjson_set(o, "outside_b", json_integer((json_int_t)d->outside_b));
	kwjson_set(o, "passes_a", json_integer(d->passes_a));
	kwjson_set(o, "passes_b", json_integer(d->passes_b));
	kwjson_set(o, "first", d->ndiffs ? link_json(d, &d->diffs[d->first], true) : json_null());
	json_t *all = kwjson_check(json_array());
	for (size_t i = 0; i < d->ndiffs; i++)
		kwjson_append(all, link_json(d, &d->diffs[i], false));
	kwjson_set(o, "differences", all);
	return o;
}

static void print_side(FILE *out, const char *side, const json_t *in)
{
	if (!in) {
		fprintf(out, "%s absent", side);
		return;
	}
	const char *hash = str(in, "hash"), *err = str(in, "error");
	if (err)
		fprintf(out, "%s unreadable (%s)", side, err);
	else
		fprintf(out, "%s %" JSON_INTEGER_FORMAT " bytes %.16s", side,
			json_integer_value(json_object_get(in, "size")), hash ? hash : "-");
	if (json_is_true(json_object_get(in, "changed")))
		fputs(" (changed while the link ran)", out);
}

static void print_names(FILE *out, const char *label, const json_t *list, size_t max)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		if (i == max) {
			fprintf(out, "      ... %zu more\n", json_array_size(list) - max);
			break;
		}
		char *name = kwjson_decode(json_is_object(v) && json_object_get(v, "name")
					   ? json_object_get(v, "name") : v, NULL);
		if (json_is_object(v) && json_object_get(v, "a"))
			fprintf(out, "    %s %s %s -> %s\n", label, name ? name : "?", str(v, "a"),
				str(v, "b"));
		else
			fprintf(out, "    %s %s\n", label, name ? name : "?");
		free(name);
	}
}

static void print_link(FILE *out, const struct kw_logdiff *d, const struct kw_logdiff_link *l,
		       bool detail)
{
	char *why = explanation(d, l);
	fprintf(out, "%s%s", !detail ? "  " : l->regen ? "first divergent regeneration step: "
		: "first divergent link: ", l->output);
	if (l->regen)
		fprintf(out, " (regeneration for fixed-point pass %u%s)", l->pass,
			l->occurrence > 1 ? ", again" : "");
	else if (l->occurrence > 1)
		fprintf(out, " (link %zu to it)", l->occurrence);
	fprintf(out, "%s%s\n", detail ? "\n  " : ": ", why);
	free(why);
	if (l->regen && detail) {
		char *ca = l->a ? linklog_regen_command(l->a) : NULL, *cb = l->b ? linklog_regen_command(l->b) : NULL;
		fprintf(out, "  command: A %s\n  command: B %s\n", ca ? ca : "-", cb ? cb : "-");
		free(ca);
		free(cb);
	}
	if (!detail || l->regen)
		return;
	for (size_t k = 0; k < l->ninputs; k++) {
		fprintf(out, "    %s: ", l->inputs[k].path);
		print_side(out, "A", l->inputs[k].a);
		fputs(", ", out);
		print_side(out, "B", l->inputs[k].b);
		fputc('\n', out);
	}
	if (l->only_version_inputs)
		fprintf(out, "  note: " VERSION_HINT "\n");
	if (l->changed_a || l->changed_b)
		fprintf(out, "  race caught in the act: inputs changed while the link ran "
			"(%zu in A, %zu in B)\n", l->changed_a, l->changed_b);
	if (l->a && l->b && !same_str(str(l->a, "symhash"), str(l->b, "symhash")))
		fprintf(out, "  symbol set: A %s, B %s\n", str(l->a, "symhash") ? str(l->a, "symhash")
			: "-", str(l->b, "symhash") ? str(l->b, "symhash") : "-");
	json_t *sd = snapshot_diff(l);
	if (sd) {
		json_t *added = json_object_get(sd, "added"), *removed = json_object_get(sd, "removed");
		json_t *moved = json_object_get(sd, "moved");
		fprintf(out, "  symbols (snapshots): add/remove: %zu/%zu moved: %zu\n",
			json_array_size(added), json_array_size(removed), json_array_size(moved));
		print_names(out, "+", added, 20);
		print_names(out, "-", removed, 20);
		print_names(out, "~", moved, 20);
		json_decref(sd);
	}
}

void logdiff_print(const struct kw_logdiff *d, FILE *out)
{
	fprintf(out, "roots: A %s, B %s\n", d->root_a, d->root_b);
	fprintf(out, "links: A %zu, B %zu, aligned %zu; kallsyms passes: A %u, B %u\n", d->links_a,
		d->links_b, d->aligned, d->passes_a, d->passes_b);
	if (d->regens_a || d->regens_b)
		fprintf(out, "regeneration steps: A %zu, B %zu, aligned %zu\n", d->regens_a,
			d->regens_b, d->regens_aligned);
	if (d->outside_a || d->outside_b)
		fprintf(out, "not compared: outputs outside the root (probes): A %zu, B %zu\n",
			d->outside_a, d->outside_b);
	if (!d->ndiffs) {
		fprintf(out, "same: every link has the same inputs, output symbol set, exit "
			"status and command%s\n", d->regens_a || d->regens_b
			? "; every regeneration step the same command and status" : "");
		return;
	}
	size_t steps = 0;
	for (size_t i = 0; i < d->ndiffs; i++)
		steps += d->diffs[i].regen;
	fprintf(out, "different: %zu link%s", d->ndiffs - steps, d->ndiffs - steps == 1 ? "" : "s");
	if (steps)
		fprintf(out, ", %zu regeneration step%s", steps, steps == 1 ? "" : "s");
	fputc('\n', out);
	print_link(out, d, &d->diffs[d->first], true);
	if (d->ndiffs > 1) {
		fprintf(out, "other %s:\n", steps ? "differences" : "differing links");
		for (size_t i = 0; i < d->ndiffs; i++)
			if (i != d->first)
				print_link(out, d, &d->diffs[i], false);
	}
}

char *logdiff_first_summary(const struct kw_logdiff *d)
{
	if (!d->ndiffs)
		return NULL;
	const struct kw_logdiff_link *l = &d->diffs[d->first];
	char *why = explanation(d, l);
	char *s;
	if (l->ninputs) {
		char *names = kw_strdup("");
		for (size_t k = 0; k < l->ninputs && k < 5; k++) {
			char *more = kw_asprintf("%s%s%s", names, k ? ", " : "", l->inputs[k].path);
			free(names);
			names = more;
		}
		s = kw_asprintf("%s: %s (%s%s)%s", l->output, why, names, l->ninputs > 5 ? ", ..." : "",
				l->only_version_inputs ? "; " VERSION_HINT : "");
		free(names);
	} else {
		s = kw_asprintf("%s: %s", l->output, why);
	}
	free(why);
	return s;
}
