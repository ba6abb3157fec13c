/* Symbol-set differences. Symbols are paired by name; a name that occurs
 * several times (static functions of different files) pairs its
 * occurrences in address order, and the surplus is added or removed. */
#include "klinkwrap/symdiff.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *pa, const void *pb)
{
	const struct kw_sym *a = pa, *b = pb;
	int r = strcmp(a->name, b->name);
	return r ? r : symset_sym_cmp(a, b);
}

static struct kw_sym *by_name_list(const struct kw_symset *set)
{
	struct kw_sym *v = kw_malloc(set->count * sizeof(*v));
	for (size_t i = 0; i < set->count; i++)
		symset_get(set, i, &v[i]);
	qsort(v, set->count, sizeof(*v), by_name);
	return v;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Largest effect first: size change, then address shift, then name. */
static int by_effect(const void *pa, const void *pb)
{
	const struct kw_symdiff_row *a = pa, *b = pb;
	if (a->stub != b->stub)
		return a->stub ? 1 : -1;
	uint64_t da = a->size_delta < 0 ? -(uint64_t)a->size_delta : (uint64_t)a->size_delta;
	uint64_t db = b->size_delta < 0 ? -(uint64_t)b->size_delta : (uint64_t)b->size_delta;
	if (da != db)
		return da > db ? -1 : 1;
	uint64_t ma = (a->kind & KW_SD_MOVED) ? absdiff(a->old.value, a->new.value) : 0;
	uint64_t mb = (b->kind & KW_SD_MOVED) ? absdiff(b->old.value, b->new.value) : 0;
	if (ma != mb)
		return ma > mb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void push(struct kw_symdiff *d, size_t *alloc, const struct kw_symdiff_row *row)
{
	if (d->n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		d->rows = kw_realloc(d->rows, *alloc * sizeof(*d->rows));
	}
	d->rows[d->n++] = *row;
}

static void account(struct kw_symdiff *d, const struct kw_symdiff_row *r)
{
	if (r->kind & KW_SD_ADDED) {
		d->added++;
		d->stubs_added += r->stub;
	}
	if (r->kind & KW_SD_REMOVED) {
		d->removed++;
		d->stubs_removed += r->stub;
	}
	d->moved += !!(r->kind & KW_SD_MOVED);
	d->changed += !!(r->kind & KW_SD_CHANGED);
	if (r->kind & KW_SD_RESIZED) {
		d->grown += r->size_delta > 0;
		d->shrunk += r->size_delta < 0;
	}
	if (r->size_delta > 0)
		d->up += (uint64_t)r->size_delta;
	else
		d->down += -(uint64_t)r->size_delta;
}

void symdiff_compute(const struct kw_symset *old, const struct kw_symset *new,
		     struct kw_symdiff *out)
{
	memset(out, 0, sizeof(*out));
	out->addr_width = new->addr_width > old->addr_width ? new->addr_width : old->addr_width;
	struct kw_sym *a = by_name_list(old), *b = by_name_list(new);
	size_t i = 0, j = 0, alloc = 0;
	while (i < old->count || j < new->count) {
		struct kw_symdiff_row r = { 0 };
		int c = i == old->count ? 1 : j == new->count ? -1 : strcmp(a[i].name, b[j].name);
		if (c < 0) {
			r.kind = KW_SD_REMOVED;
			r.old = a[i++];
			r.name = r.old.name;
			r.size_delta = -(int64_t)r.old.size;
		} else if (c > 0) {
			r.kind = KW_SD_ADDED;
			r.new = b[j++];
			r.name = r.new.name;
			r.size_delta = (int64_t)r.new.size;
		} else {
			r.old = a[i++];
			r.new = b[j++];
			r.name = r.new.name;
			if (r.old.value != r.new.value || r.old.undefined != r.new.undefined)
				r.kind |= KW_SD_MOVED;
			if (r.old.size != r.new.size)
				r.kind |= KW_SD_RESIZED;
			if (r.old.type != r.new.type || r.old.bind != r.new.bind ||
			    strcmp(r.old.section, r.new.section))
				r.kind |= KW_SD_CHANGED;
			r.size_delta = (int64_t)(r.new.size - r.old.size);
			if (!r.kind)
				continue;
		}
		r.stub = sysmap_is_stub(r.name);
		account(out, &r);
		push(out, &alloc, &r);
	}
	free(a);
	free(b);
	if (out->n)
		qsort(out->rows, out->n, sizeof(*out->rows), by_effect);
}

void symdiff_release(struct kw_symdiff *d)
{
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

void symdiff_summary(const struct kw_symdiff *d, FILE *out)
{
	fprintf(out, "add/remove: %zu/%zu moved: %zu grow/shrink: %zu/%zu up/down: %" PRIu64
		"/%" PRId64 " (%" PRId64 ")\n",
		d->added, d->removed, d->moved, d->grown, d->shrunk, d->up, -(int64_t)d->down,
		(int64_t)(d->up - d->down));
}

static const char *kind_tag(unsigned kind)
{
	if (kind & KW_SD_ADDED)
		return "[A]";
	if (kind & KW_SD_REMOVED)
		return "[D]";
	if (kind & KW_SD_RESIZED)
		return "[S]";
	if (kind & KW_SD_MOVED)
		return "[M]";
	return "[C]";
}

static void print_row(const struct kw_symdiff *d, const struct kw_symdiff_row *r, FILE *out)
{
	int w = d->addr_width;
	char oa[24] = "-", na[24] = "-";
	if (!(r->kind & KW_SD_ADDED))
		snprintf(oa, sizeof(oa), "%0*" PRIx64, w, r->old.value);
	if (!(r->kind & KW_SD_REMOVED))
		snprintf(na, sizeof(na), "%0*" PRIx64, w, r->new.value);
	fprintf(out, "%s %-40s %*s %*s %8" PRIu64 " %8" PRIu64 " %+9" PRId64 "\n", kind_tag(r->kind),
		r->name, w, oa, w, na, (r->kind & KW_SD_ADDED) ? 0 : r->old.size,
		(r->kind & KW_SD_REMOVED) ? 0 : r->new.size, r->size_delta);
}

void symdiff_print(const struct kw_symdiff *d, FILE *out)
{
	symdiff_summary(d, out);
	if (d->stubs_added || d->stubs_removed)
		fprintf(out, "linker stubs/thunks: %zu added, %zu removed "
			"(*.long_branch.*, *.plt_branch.*, __*Thunk_*, *_veneer, ...)\n",
			d->stubs_added, d->stubs_removed);
	if (!d->n)
		return;
	fprintf(out, "%-3s %-40s %*s %*s %8s %8s %9s\n", "", "symbol", d->addr_width, "old",
		d->addr_width, "new", "old-size", "new-size", "delta");
	bool stubs = false;
	for (size_t i = 0; i < d->n; i++) {
		if (d->rows[i].stub && !stubs) {
			fprintf(out, "linker stubs and thunks:\n");
			stubs = true;
		}
		print_row(d, &d->rows[i], out);
	}
}

static json_t *side(const struct kw_symdiff *d, const struct kw_sym *s)
{
	char addr[24];
	snprintf(addr, sizeof(addr), "%0*" PRIx64, d->addr_width, s->value);
	return json_pack("{s:s, s:I, s:s%, s:s}", "address", addr, "size", (json_int_t)s->size,
			 "type", &s->letter, (size_t)1, "section", s->section);
}

json_t *symdiff_json(const struct kw_symdiff *d)
{
	json_t *rows = json_array();
	for (size_t i = 0; i < d->n; i++) {
		const struct kw_symdiff_row *r = &d->rows[i];
		json_t *kinds = json_array();
		static const char *const names[] = { "added", "removed", "moved", "resized",
						     "changed" };
		for (unsigned k = 0; k < 5; k++)
			if (r->kind & (1u << k))
				json_array_append_new(kinds, json_string(names[k]));
		json_array_append_new(rows, json_pack(
			"{s:s, s:o, s:b, s:o, s:o, s:I}", "name", r->name, "kind", kinds, "stub",
			r->stub, "old", (r->kind & KW_SD_ADDED) ? json_null() : side(d, &r->old),
			"new", (r->kind & KW_SD_REMOVED) ? json_null() : side(d, &r->new),
			"size_delta", (json_int_t)r->size_delta));
	}
	return json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
			 "summary", "added", (json_int_t)d->added, "removed",
			 (json_int_t)d->removed, "moved", (json_int_t)d->moved, "grown",
			 (json_int_t)d->grown, "shrunk", (json_int_t)d->shrunk, "changed",
			 (json_int_t)d->changed, "up", (json_int_t)d->up, "down",
			 (json_int_t)d->down, "total", (json_int_t)(d->up - d->down),
			 "stubs_added", (json_int_t)d->stubs_added, "stubs_removed",
			 (json_int_t)d->stubs_removed, "rows", rows);
}
