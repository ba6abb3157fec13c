/* Symbol-set differences. Symbols are paired by name; a name that occurs
 * several times (static functions of different files) pairs its
 * occurrences in address order, and the surplus is added or removed.
 *
 * Sizes and addresses are any 64-bit values (a hostile or corrupt file can
 * say .size foo, 0xffffffffffffffff), so no arithmetic here is signed: a
 * row's delta is a 64-bit magnitude and a sign, the totals are 128-bit
 * sums, text prints them exactly and JSON clamps them visibly. */
#include "klinkwrap/symdiff.h"
#include "klinkwrap/json.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(json_int_t) >= sizeof(int64_t), "JSON integers hold int64_t");

static struct kw_u128 u128(uint64_t v)
{
	return (struct kw_u128){ 0, v };
}

static void u128_add(struct kw_u128 *s, uint64_t v)
{
	s->lo += v;
	s->hi += s->lo < v;    /* the carry; hi cannot wrap: < 2^64 addends */
}

static int u128_cmp(struct kw_u128 a, struct kw_u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return a.lo < b.lo ? -1 : a.lo > b.lo;
}

/* A - B, for A >= B. */
static struct kw_u128 u128_sub(struct kw_u128 a, struct kw_u128 b)
{
	return (struct kw_u128){ a.hi - b.hi - (a.lo < b.lo), a.lo - b.lo };
}

/* U - D as a magnitude and a sign. */
static struct kw_u128 net(struct kw_u128 up, struct kw_u128 down, bool *neg)
{
	*neg = u128_cmp(up, down) < 0;
	return *neg ? u128_sub(down, up) : u128_sub(up, down);
}

enum { DEC_MAX = 48 };  /* 2^128 has 39 digits; a sign and the NUL */

/* V in decimal, preceded by SIGN unless it is 0 or V is 0; the text is at
 * the end of BUF, and returned. */
static const char *dec(char buf[DEC_MAX], char sign, struct kw_u128 v)
{
	bool zero = !v.hi && !v.lo;
	uint32_t limb[4] = { (uint32_t)(v.hi >> 32), (uint32_t)v.hi, (uint32_t)(v.lo >> 32),
			     (uint32_t)v.lo };
	char *p = buf + DEC_MAX - 1;
	*p = '\0';
	for (;;) {
		/* Long division by 10^9, most significant limb first. */
		uint64_t rem = 0;
		for (int i = 0; i < 4; i++) {
			uint64_t cur = rem << 32 | limb[i];
			limb[i] = (uint32_t)(cur / 1000000000u);
			rem = cur % 1000000000u;
		}
		bool more = limb[0] | limb[1] | limb[2] | limb[3];
		for (int k = 0; more ? k < 9 : rem || k == 0; k++) {
			*--p = (char)('0' + rem % 10);
			rem /= 10;
		}
		if (!more)
			break;
	}
	if (sign && !zero)
		*--p = sign;
	return p;
}

/* A JSON integer: sign and magnitude when they fit in 64 bits signed, else
 * INT64_MAX or INT64_MIN with *SATURATED set. */
static json_t *jint(bool neg, struct kw_u128 mag, bool *saturated)
{
	const uint64_t lim = (uint64_t)INT64_MAX + neg;
	if (mag.hi || mag.lo > lim) {
		*saturated = true;
		return json_integer(neg ? INT64_MIN : INT64_MAX);
	}
	if (!neg)
		return json_integer((json_int_t)mag.lo);
	/* -(mag - 1) - 1: no overflow even for mag = 2^63. */
	return json_integer(mag.lo ? -(json_int_t)(mag.lo - 1) - 1 : 0);
}

static int by_name(const void *pa, const void *pb)
{
	const struct kw_sym *a = pa, *b = pb;
	int r = strcmp(a->name, b->name);
	return r ? r : symset_sym_cmp(a, b);
}

static struct kw_sym *by_name_list(const struct kw_symset *set)
{
	struct kw_sym *v = kw_calloc(set->count, sizeof(*v));  /* checks count * size */
	for (size_t i = 0; i < set->count; i++)
		symset_get(set, i, &v[i]);
	qsort(v, set->count, sizeof(*v), by_name);
	return v;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Largest effect first: size change (its magnitude, exact for any sizes),
 * then address shift (the distance, exact for any addresses), then name;
 * rows of one name (static functions of several files) by kind and
 * canonical order, so the order is total and the output reproducible. */
static int by_effect(const void *pa, const void *pb)
{
	const struct kw_symdiff_row *a = pa, *b = pb;
	if (a->stub != b->stub)
		return a->stub ? 1 : -1;
	if (a->size_change != b->size_change)
		return a->size_change > b->size_change ? -1 : 1;
	uint64_t ma = (a->kind & KW_SD_MOVED) ? absdiff(a->old.value, a->new.value) : 0;
	uint64_t mb = (b->kind & KW_SD_MOVED) ? absdiff(b->old.value, b->new.value) : 0;
	if (ma != mb)
		return ma > mb ? -1 : 1;
	int r = strcmp(a->name, b->name);
	if (r)
		return r;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	/* Same kind, so the same sides are present. */
	if (!(a->kind & KW_SD_ADDED) && (r = symset_sym_cmp(&a->old, &b->old)))
		return r;
	return (a->kind & KW_SD_REMOVED) ? 0 : symset_sym_cmp(&a->new, &b->new);
}

static void push(struct kw_symdiff *d, size_t *alloc, const struct kw_symdiff_row *row)
{
	if (d->n == *alloc) {
		if (*alloc > SIZE_MAX / 2 / sizeof(*d->rows))
			kw_die(KW_EXIT_SELF, "out of memory");
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
		d->grown += !r->shrank;
		d->shrunk += r->shrank;
	}
	u128_add(r->shrank ? &d->down : &d->up, r->size_change);
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
			r.size_change = r.old.size;
			r.shrank = r.old.size != 0;
		} else if (c > 0) {
			r.kind = KW_SD_ADDED;
			r.new = b[j++];
			r.name = r.new.name;
			r.size_change = r.new.size;
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
			r.shrank = r.new.size < r.old.size;
			r.size_change = absdiff(r.old.size, r.new.size);
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
	char ub[DEC_MAX], db[DEC_MAX], tb[DEC_MAX];
	bool neg;
	struct kw_u128 total = net(d->up, d->down, &neg);
	fprintf(out, "add/remove: %zu/%zu moved: %zu grow/shrink: %zu/%zu up/down: %s/%s (%s)\n",
		d->added, d->removed, d->moved, d->grown, d->shrunk, dec(ub, 0, d->up),
		dec(db, '-', d->down), dec(tb, neg ? '-' : 0, total));
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
	char oa[24] = "-", na[24] = "-", delta[DEC_MAX];
	if (!(r->kind & KW_SD_ADDED))
		snprintf(oa, sizeof(oa), "%0*" PRIx64, w, r->old.value);
	if (!(r->kind & KW_SD_REMOVED))
		snprintf(na, sizeof(na), "%0*" PRIx64, w, r->new.value);
	/* As %+9 would print it: +0 for no change. */
	const char *dt = dec(delta, r->shrank ? '-' : '+', u128(r->size_change));
	if (!r->size_change)
		dt = "+0";
	fprintf(out, "%s %-40s %*s %*s %8" PRIu64 " %8" PRIu64 " %9s\n", kind_tag(r->kind), r->name,
		w, oa, w, na, (r->kind & KW_SD_ADDED) ? 0 : r->old.size,
		(r->kind & KW_SD_REMOVED) ? 0 : r->new.size, dt);
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

static json_t *side(const struct kw_symdiff *d, const struct kw_sym *s, bool *saturated)
{
	char addr[24];
	snprintf(addr, sizeof(addr), "%0*" PRIx64, d->addr_width, s->value);
	return kwjson_check(json_pack("{s:s, s:o, s:s%, s:o}", "address", addr, "size",
				      jint(false, u128(s->size), saturated), "type", &s->letter,
				      (size_t)1, "section", kwjson_string(s->section)));
}

static json_t *jcount(size_t n)
{
	bool saturated = false;     /* a count of rows in memory always fits */
	return jint(false, u128(n), &saturated);
}

json_t *symdiff_json(const struct kw_symdiff *d)
{
	/* Every row is kept: names are lossless strings (json.h), and a
	 * failure to build one is fatal, never a dropped row. */
	json_t *rows = kwjson_check(json_array());
	for (size_t i = 0; i < d->n; i++) {
		const struct kw_symdiff_row *r = &d->rows[i];
		json_t *kinds = kwjson_check(json_array());
		static const char *const names[] = { "added", "removed", "moved", "resized",
						     "changed" };
		for (unsigned k = 0; k < 5; k++)
			if (r->kind & (1u << k))
				kwjson_append(kinds, json_string(names[k]));
		/* The members first, in sequence: they set the flag. */
		bool sat = false;
		json_t *old = (r->kind & KW_SD_ADDED) ? json_null() : side(d, &r->old, &sat);
		json_t *new = (r->kind & KW_SD_REMOVED) ? json_null() : side(d, &r->new, &sat);
		json_t *delta = jint(r->shrank, u128(r->size_change), &sat);
		kwjson_append(rows, json_pack("{s:o, s:o, s:b, s:o, s:o, s:o, s:b}", "name",
					      kwjson_string(r->name), "kind", kinds, "stub", r->stub,
					      "old", old, "new", new, "size_delta", delta, "saturated",
					      sat));
	}
	bool sat = false, neg;
	struct kw_u128 total = net(d->up, d->down, &neg);
	json_t *up = jint(false, d->up, &sat), *down = jint(false, d->down, &sat);
	json_t *tot = jint(neg, total, &sat);
	return kwjson_check(json_pack(
		"{s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}, s:o}",
			 "summary", "added", jcount(d->added), "removed", jcount(d->removed),
			 "moved", jcount(d->moved), "grown", jcount(d->grown), "shrunk",
			 jcount(d->shrunk), "changed", jcount(d->changed), "up", up, "down", down,
			 "total", tot, "stubs_added", jcount(d->stubs_added), "stubs_removed",
			 jcount(d->stubs_removed), "saturated", sat, "rows", rows));
}
