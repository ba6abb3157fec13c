/* libFuzzer harness over the symbol-set reader and the differ: any bytes
 * either read as a set (then hashing, listing, the mksysmap filters and a
 * self-diff must not crash) or are refused with a reason. An input holding
 * SPLIT is two files, A before it and B after: A is diffed against B and B
 * against A, both printed as text and JSON, and the two diffs must mirror
 * each other and agree with their rows. Built by `make fuzz`; make-seeds.sh
 * writes such pairs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klinkwrap/symdiff.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/sysmap.h"

/* Keep in step with make-seeds.sh. */
#define SPLIT "\n--klinkwrap-fuzz-split--\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	if (!null)
		abort();
	return null;
}

/* Open SIZE bytes at DATA as a set in *SET, from a copy that is freed at
 * once (*COPY is left NULL): a set keeps nothing of its input, and ASan
 * reports any use of it afterwards. */
static bool open_set(const uint8_t *data, size_t size, struct kw_symset *set, void **copy)
{
	*copy = malloc(size ? size : 1);
	if (!*copy)
		abort();
	memcpy(*copy, data, size);
	char *why = NULL;
	if (symset_open_memory(*copy, size, set, &why) == KW_SYMSET_OK) {
		free(*copy);
		*copy = NULL;
		return true;
	}
	if (!why || !*why)     /* every refusal says why */
		abort();
	free(why);
	free(*copy);
	*copy = NULL;
	return false;
}

static void exercise(struct kw_symset *set)
{
	struct kw_symhash h;
	int major, minor;
	symset_hash(set, &h);
	for (size_t i = 0; i < set->count; i++) {
		struct kw_sym s;
		symset_get(set, i, &s);
		sysmap_keep(KW_SYSMAP_6_12, s.letter, s.name);
		sysmap_keep(KW_SYSMAP_6_1, s.letter, s.name);
		/* Touch every byte of the names: they must be terminated. */
		volatile size_t len = strlen(s.name) + strlen(s.section);
		(void)len;
	}
	symset_kernel_version(set, &major, &minor);
	struct kw_symdiff d;
	symdiff_compute(set, set, &d);
	if (d.n)        /* a set is the same as itself */
		abort();
	symdiff_release(&d);
}

static bool u128_eq(struct kw_u128 a, struct kw_u128 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

static void print_all(const struct kw_symdiff *d)
{
	symdiff_print(d, sink());
	json_t *j = symdiff_json(d);
	if (!j)
		abort();
	char *text = json_dumps(j, JSON_COMPACT);
	if (!text)
		abort();
	free(text);
	json_decref(j);
}

/* The totals are the rows' sums; the rows come largest change first
 * (stubs last); every row says what changed. */
static void check_rows(const struct kw_symdiff *d)
{
	struct kw_u128 up = { 0, 0 }, down = { 0, 0 };
	for (size_t i = 0; i < d->n; i++) {
		const struct kw_symdiff_row *r = &d->rows[i];
		struct kw_u128 *t = r->shrank ? &down : &up;
		t->lo += r->size_change;
		t->hi += t->lo < r->size_change;
		if (!r->kind || (r->shrank && !r->size_change))
			abort();
		if (i && r->stub == d->rows[i - 1].stub &&
		    r->size_change > d->rows[i - 1].size_change)
			abort();
		if (i && d->rows[i - 1].stub && !r->stub)
			abort();
	}
	if (!u128_eq(up, d->up) || !u128_eq(down, d->down))
		abort();
}

static void diff_pair(struct kw_symset *a, struct kw_symset *b)
{
	struct kw_symdiff ab, ba;
	symdiff_compute(a, b, &ab);
	symdiff_compute(b, a, &ba);
	check_rows(&ab);
	check_rows(&ba);
	/* B from A is A from B backwards. */
	if (ab.n != ba.n || ab.added != ba.removed || ab.removed != ba.added ||
	    ab.moved != ba.moved || ab.changed != ba.changed || ab.grown != ba.shrunk ||
	    ab.shrunk != ba.grown || ab.stubs_added != ba.stubs_removed ||
	    !u128_eq(ab.up, ba.down) || !u128_eq(ab.down, ba.up))
		abort();
	print_all(&ab);
	print_all(&ba);
	symdiff_release(&ab);
	symdiff_release(&ba);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memmem(data, size, SPLIT, sizeof(SPLIT) - 1);
	size_t asize = sep ? (size_t)(sep - data) : size;
	struct kw_symset a, b;
	void *acopy, *bcopy;
	bool aok = open_set(data, asize, &a, &acopy);
	if (aok)
		exercise(&a);
	if (sep) {
		const uint8_t *bdata = sep + sizeof(SPLIT) - 1;
		if (open_set(bdata, size - (size_t)(bdata - data), &b, &bcopy)) {
			exercise(&b);
			if (aok)
				diff_pair(&a, &b);
			symset_close(&b);
			free(bcopy);
		}
	}
	if (aok) {
		symset_close(&a);
		free(acopy);
	}
	return 0;
}
