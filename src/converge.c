/* The fixed-point loop and its report. */
#include "klinkwrap/converge.h"
#include "klinkwrap/json.h"
#include "klinkwrap/symdiff.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <stdlib.h>
#include <string.h>

static void add_pass(struct kw_converge_result *res, unsigned number, const struct kw_symmap *m)
{
	res->passes = kw_realloc(res->passes, (res->npasses + 1) * sizeof(*res->passes));
	struct kw_converge_pass *p = &res->passes[res->npasses++];
	p->number = number;
	p->count = m->n;
	p->stubs = symmap_stub_count(m);
	p->hash = m->hash;
}

/* The earliest pass before the previous one with the same set as the
 * last, or NULL. */
static const struct kw_converge_pass *seen_before(const struct kw_converge_result *res)
{
	if (res->npasses < 3)
		return NULL;
	const struct kw_converge_pass *last = &res->passes[res->npasses - 1];
	for (size_t i = 0; i + 2 < res->npasses; i++) {
		const struct kw_converge_pass *p = &res->passes[i];
		if (p->count == last->count && !memcmp(p->hash.b, last->hash.b, sizeof(p->hash.b)))
			return p;
	}
	return NULL;
}

void converge_run(const struct kw_converge_opts *opts, const struct kw_converge_steps *steps,
		  struct kw_converge_result *res)
{
	memset(res, 0, sizeof(*res));
	if (opts->before) {
		symmap_copy(opts->before, &res->last);
		add_pass(res, opts->first_pass - 1, opts->before);
	}
	bool have_last = opts->before != NULL;
	for (unsigned i = 0; i < opts->max_links; i++) {
		unsigned pass = opts->first_pass + i;
		struct kw_symmap cur;
		memset(&cur, 0, sizeof(cur));
		int rc = steps->link(steps->ctx, pass, &cur);
		if (rc) {
			symmap_release(&cur);
			res->outcome = KW_CONVERGE_FAILED;
			res->status = rc;
			return;
		}
		res->links++;
		add_pass(res, pass, &cur);
		if (!res->have_first) {
			symmap_copy(&cur, &res->first);
			res->have_first = true;
		}
		if (have_last) {
			if (res->have_prev)
				symmap_release(&res->prev);
			res->prev = res->last;
			res->have_prev = true;
		}
		res->last = cur;
		if (have_last && symmap_equal(&res->prev, &res->last)) {
			res->outcome = KW_CONVERGED;
			return;
		}
		have_last = true;
		const struct kw_converge_pass *again = seen_before(res);
		if (again && !res->cycle_to) {
			res->cycle_from = again->number;
			res->cycle_to = pass;
		}
		if (again && !opts->padding) {
			/* The same sets will come round again: more passes cannot help. */
			res->outcome = KW_CONVERGE_CYCLE;
			return;
		}
		if (i + 1 == opts->max_links)
			break;
		rc = steps->regen(steps->ctx, pass);
		if (rc) {
			res->outcome = KW_CONVERGE_FAILED;
			res->status = rc;
			res->failed_in_regen = true;
			return;
		}
	}
	res->outcome = KW_CONVERGE_EXHAUSTED;
}

void converge_result_release(struct kw_converge_result *res)
{
	free(res->passes);
	symmap_release(&res->last);
	if (res->have_prev)
		symmap_release(&res->prev);
	if (res->have_first)
		symmap_release(&res->first);
	memset(res, 0, sizeof(*res));
}

int converge_exit_status(const struct kw_converge_result *res)
{
	switch (res->outcome) {
	case KW_CONVERGED:
		return 0;
	case KW_CONVERGE_FAILED:
		return res->status;
	case KW_CONVERGE_CYCLE:
	case KW_CONVERGE_EXHAUSTED:
		break;
	}
	return KW_EXIT_NOT_CONVERGED;
}

static const char *outcome_name(enum kw_converge_outcome o)
{
	switch (o) {
	case KW_CONVERGED:
		return "converged";
	case KW_CONVERGE_CYCLE:
		return "cycle";
	case KW_CONVERGE_EXHAUSTED:
		return "out-of-passes";
	case KW_CONVERGE_FAILED:
		break;
	}
	return "failed";
}

static void last_diff(const struct kw_converge_result *res, struct kw_symdiff *d)
{
	symdiff_compute_syms(res->prev.v, res->prev.n, res->last.v, res->last.n,
			     res->last.addr_width, d);
}

void converge_report(const struct kw_converge_result *res, FILE *out)
{
	if (res->outcome == KW_CONVERGE_CYCLE) {
		unsigned period = res->cycle_to - res->cycle_from;
		fprintf(out, "klinkwrap: converge: cycle of period %u: pass %u has the symbol set "
			"of pass %u, so passes %u to %u repeat; more passes cannot help "
			"(--pad keeps the regenerated table from shrinking)\n",
			period, res->cycle_to, res->cycle_from, res->cycle_from, res->cycle_to - 1);
	} else if (res->outcome == KW_CONVERGE_EXHAUSTED) {
		fprintf(out, "klinkwrap: converge: no fixed point after %u link%s: the symbol set "
			"still changed in the last one\n", res->links, res->links == 1 ? "" : "s");
		if (res->cycle_to)
			fprintf(out, "klinkwrap: converge: (pass %u had the symbol set of pass %u: "
				"a cycle of period %u, padding did not settle it)\n",
				res->cycle_to, res->cycle_from, res->cycle_to - res->cycle_from);
	}
	fprintf(out, "klinkwrap: converge: symbols per pass:");
	for (size_t i = 0; i < res->npasses; i++)
		fprintf(out, "%s %u: %zu (%zu stub%s)", i ? "," : "", res->passes[i].number,
			res->passes[i].count, res->passes[i].stubs,
			res->passes[i].stubs == 1 ? "" : "s");
	fputc('\n', out);
	if (res->have_first && res->links > 1) {
		struct kw_symdiff since;
		symdiff_compute_syms(res->first.v, res->first.n, res->last.v, res->last.n,
				     res->last.addr_width, &since);
		if (since.stubs_added) {
			fprintf(out, "klinkwrap: converge: linker stubs and thunks added since "
				"pass %u (%zu):", res->passes[res->npasses - res->links].number,
				since.stubs_added);
			for (size_t i = 0; i < since.n; i++)
				if (since.rows[i].stub && (since.rows[i].kind & KW_SD_ADDED))
					fprintf(out, " %s", since.rows[i].name);
			fputc('\n', out);
		}
		symdiff_release(&since);
	}
	if (!res->have_prev)
		return;
	struct kw_symdiff d;
	last_diff(res, &d);
	fprintf(out, "klinkwrap: converge: from pass %u to pass %u:\n",
		res->passes[res->npasses - 2].number, res->passes[res->npasses - 1].number);
	symdiff_print(&d, out);
	if (symdiff_kallsyms_only(&d))
		fprintf(out, "klinkwrap: converge: only kallsyms_* symbols moved: the oscillation "
			"signature (the table's own size moves it); --pad=FILE (Kbuild mode: "
			"KLINKWRAP_PAD=1) keeps the table from shrinking\n");
	symdiff_release(&d);
}

json_t *converge_json(const struct kw_converge_result *res)
{
	json_t *passes = json_array();
	for (size_t i = 0; i < res->npasses; i++) {
		char hex[KW_SYMHASH_HEX_LEN + 1];
		symhash_hex(&res->passes[i].hash, hex);
		json_array_append_new(passes, json_pack("{s:I, s:I, s:I, s:s}", "pass",
							(json_int_t)res->passes[i].number,
							"symbols", (json_int_t)res->passes[i].count,
							"stubs", (json_int_t)res->passes[i].stubs,
							"symhash", hex));
	}
	json_t *top = json_pack("{s:s, s:b, s:I, s:o}", "outcome", outcome_name(res->outcome),
				"converged", res->outcome == KW_CONVERGED, "links",
				(json_int_t)res->links, "passes", passes);
	json_object_set_new(top, "exit_status", json_integer(converge_exit_status(res)));
	if (res->cycle_to)
		json_object_set_new(top, "cycle",
				    json_pack("{s:I, s:I, s:I}", "period",
					      (json_int_t)(res->cycle_to - res->cycle_from), "from",
					      (json_int_t)res->cycle_from, "to",
					      (json_int_t)res->cycle_to));
	else
		json_object_set_new(top, "cycle", json_null());
	json_t *since_list = json_array();
	if (res->have_first && res->links > 1) {
		struct kw_symdiff since;
		symdiff_compute_syms(res->first.v, res->first.n, res->last.v, res->last.n,
				     res->last.addr_width, &since);
		for (size_t i = 0; i < since.n; i++)
			if (since.rows[i].stub && (since.rows[i].kind & KW_SD_ADDED))
				json_array_append_new(since_list, kwjson_string(since.rows[i].name));
		symdiff_release(&since);
	}
	json_object_set_new(top, "stubs_added_since_first", since_list);
	if (res->have_prev && res->outcome != KW_CONVERGE_FAILED) {
		struct kw_symdiff d;
		last_diff(res, &d);
		json_t *diff = symdiff_json(&d);
		json_object_set_new(diff, "old_pass",
				    json_integer(res->passes[res->npasses - 2].number));
		json_object_set_new(diff, "new_pass",
				    json_integer(res->passes[res->npasses - 1].number));
		json_object_set_new(diff, "kallsyms_only", json_boolean(symdiff_kallsyms_only(&d)));
		json_object_set_new(top, "last_diff", diff);
		symdiff_release(&d);
	} else {
		json_object_set_new(top, "last_diff", json_null());
	}
	return top;
}

char *converge_change_summary(const struct kw_symmap *old, const struct kw_symmap *new)
{
	struct kw_symdiff d;
	symdiff_compute_syms(old->v, old->n, new->v, new->n, new->addr_width, &d);
	struct kw_strvec stubs = { 0 };
	size_t others_added = 0, others_removed = 0, shown = 0;
	for (size_t i = 0; i < d.n; i++) {
		const struct kw_symdiff_row *r = &d.rows[i];
		if (!(r->kind & (KW_SD_ADDED | KW_SD_REMOVED)))
			continue;
		if (!r->stub) {
			if (r->kind & KW_SD_ADDED)
				others_added++;
			else
				others_removed++;
			continue;
		}
		if (shown++ < 4)
			kw_strvec_push_owned(&stubs, kw_asprintf("%c%s",
								 r->kind & KW_SD_ADDED ? '+' : '-',
								 r->name));
	}
	char *list = kw_strdup("");
	for (size_t i = 0; i < stubs.n; i++) {
		char *next = kw_asprintf("%s%s%s", list, i ? " " : "", stubs.v[i]);
		free(list);
		list = next;
	}
	char *s = kw_asprintf("%zu linker stub%s added, %zu removed%s%s%s%s; %zu other symbol%s "
			      "added, %zu removed, %zu moved",
			      d.stubs_added, d.stubs_added == 1 ? "" : "s", d.stubs_removed,
			      shown ? " (" : "", list, shown > stubs.n ? " ..." : "",
			      shown ? ")" : "", others_added, others_added == 1 ? "" : "s",
			      others_removed, d.moved);
	if (symdiff_kallsyms_only(&d)) {
		char *t = kw_asprintf("%s (only kallsyms_* moved: the oscillation signature)", s);
		free(s);
		s = t;
	}
	free(list);
	kw_strvec_clear(&stubs);
	symdiff_release(&d);
	return s;
}

void converge_progress(FILE *out, const char *tag, const char *what, unsigned pass)
{
	if (!out)
		return;
	fprintf(out, "  %-7s %s (pass %u)\n", tag, what, pass);
	fflush(out);
}

bool converge_make_silent(void)
{
	const char *mf = getenv("MAKEFLAGS");
	if (!mf)
		return false;
	while (*mf == ' ')
		mf++;
	if (*mf == '-')
		return false;
	size_t len = strcspn(mf, " ");
	return memchr(mf, 's', len) != NULL;
}

int converge_run_step(struct kw_child *child, int *signal)
{
	exec_signals_catch();
	int rc = exec_run(child);
	int sig = exec_signals_release();
	*signal = sig ? sig : child->signal_received;
	return rc;
}
