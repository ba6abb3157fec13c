/* Symbol maps: owned copies of symbol lists, from a set or from map text. */
#include "klinkwrap/symmap.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* Header only, as in symset.c: klinkwrap loads no libxxhash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* A string pool grown by appending; entries record offsets until the pool
 * stops moving, then become pointers (fixup). */
struct pool {
	char *buf;
	size_t len, alloc;
};

static size_t pool_add(struct pool *p, const char *s, size_t n)
{
	if (n > SIZE_MAX - p->len - 1)
		kw_die(KW_EXIT_SELF, "out of memory");
	if (p->len + n + 1 > p->alloc) {
		size_t want = p->alloc ? p->alloc : 4096;
		while (want < p->len + n + 1) {
			if (want > SIZE_MAX / 2)
				kw_die(KW_EXIT_SELF, "out of memory");
			want *= 2;
		}
		p->buf = kw_realloc(p->buf, want);
		p->alloc = want;
	}
	size_t at = p->len;
	memcpy(p->buf + at, s, n);
	p->buf[at + n] = '\0';
	p->len += n + 1;
	return at;
}

/* Entries hold pool offsets (cast through uintptr_t) while being built. */
static void fixup(struct kw_symmap *m, struct pool *p)
{
	if (!p->buf)
		pool_add(p, "", 0);
	for (size_t i = 0; i < m->n; i++) {
		m->v[i].name = p->buf + (uintptr_t)m->v[i].name;
		m->v[i].section = p->buf + (uintptr_t)m->v[i].section;
	}
	m->pool = p->buf;
}

/* Two hex digits per byte value, from a table built at compile time. */
#define HEX_DIGIT(n) ((char)((n) < 10 ? '0' + (n) : 'a' - 10 + (n)))
#define HEX_PAIR(x) { HEX_DIGIT((x) >> 4), HEX_DIGIT((x) & 15) }
#define HEX_PAIRS4(x) HEX_PAIR(x), HEX_PAIR((x) + 1), HEX_PAIR((x) + 2), HEX_PAIR((x) + 3)
#define HEX_PAIRS16(x) HEX_PAIRS4(x), HEX_PAIRS4((x) + 4), HEX_PAIRS4((x) + 8), HEX_PAIRS4((x) + 12)
#define HEX_PAIRS64(x) HEX_PAIRS16(x), HEX_PAIRS16((x) + 16), HEX_PAIRS16((x) + 32), \
		       HEX_PAIRS16((x) + 48)
static const char hex_pairs[256][2] = {
	HEX_PAIRS64(0), HEX_PAIRS64(64), HEX_PAIRS64(128), HEX_PAIRS64(192),
};

/* The 8 lowercase hex digits of V at OUT: four table lookups, no loop
 * (a line per symbol of every final link goes through here). */
static inline __attribute__((always_inline)) void hex8(char *out, uint32_t v)
{
	memcpy(out, hex_pairs[v >> 24], 2);
	memcpy(out + 2, hex_pairs[(v >> 16) & 255], 2);
	memcpy(out + 4, hex_pairs[(v >> 8) & 255], 2);
	memcpy(out + 6, hex_pairs[v & 255], 2);
}

/* One map line, exactly as nm prints it: "%0*" PRIx64 " %c %s\n" (blank
 * address for an undefined symbol), written at OUT by hand: snprintf
 * was most of the time of the Kbuild-mode check. Returns the end. */
static char *map_line(char *out, int width, const struct kw_sym *s, size_t namelen)
{
	static const char hex[] = "0123456789abcdef";
	if (s->undefined) {
		memset(out, ' ', (size_t)width);
	} else if (width == 8 && s->value <= UINT32_MAX) {
		hex8(out, (uint32_t)s->value);
	} else if (width == 16) {
		hex8(out, (uint32_t)(s->value >> 32));
		hex8(out + 8, (uint32_t)s->value);
	} else {
		uint64_t v = s->value;
		int digits = v ? (64 - __builtin_clzll(v) + 3) / 4 : 1;
		int w = digits > width ? digits : width;
		for (int i = w - 1; i >= 0; i--, v >>= 4)
			out[i] = hex[v & 15];
		out += w - width;
	}
	out += width;
	*out++ = ' ';
	*out++ = s->letter;
	*out++ = ' ';
	memcpy(out, s->name, namelen);
	out += namelen;
	*out++ = '\n';
	return out;
}

char *symmap_text(const struct kw_symmap *map, size_t *len)
{
	/* The exact size first, then one buffer. */
	size_t total = 1;
	for (size_t i = 0; i < map->n; i++)
		total += (size_t)(map->addr_width > 16 ? map->addr_width : 16) + 4 +
			 strlen(map->v[i].name);
	char *buf = kw_malloc(total), *out = buf;
	for (size_t i = 0; i < map->n; i++)
		out = map_line(out, map->addr_width, &map->v[i], strlen(map->v[i].name));
	*out = '\0';
	*len = (size_t)(out - buf);
	return buf;
}

char *symmap_text_of_set(const struct kw_symset *set, size_t *len)
{
	size_t total = 1;
	struct kw_sym sym;
	for (size_t i = 0; i < set->count; i++) {
		symset_get_nm(set, i, &sym);
		total += (size_t)(set->addr_width > 16 ? set->addr_width : 16) + 4 + strlen(sym.name);
	}
	char *buf = kw_malloc(total), *out = buf;
	for (size_t i = 0; i < set->count; i++) {
		symset_get_nm(set, i, &sym);
		out = map_line(out, set->addr_width, &sym, strlen(sym.name));
	}
	*out = '\0';
	*len = (size_t)(out - buf);
	return buf;
}

/* The text read from a descriptor a chunk at a time: a buffer that stays
 * in the cache (and 4 fresh pages, not a file's worth: each costs about
 * 1.5 us on the VM of bench/README.md), no copy of a whole file. */
enum { CHUNK = 16 << 10 };
struct reader {
	int fd;
	char *buf;
	size_t at, len;         /* unread bytes: buf[at, len) */
	bool eof;
	int err;
};

/* At least WANT (at most CHUNK) unread bytes, or all that are left.
 * Returns how many there are. */
static size_t reader_fill(struct reader *r, size_t want)
{
	if (r->len - r->at >= want || r->eof)
		return r->len - r->at;
	memmove(r->buf, r->buf + r->at, r->len - r->at);
	r->len -= r->at;
	r->at = 0;
	while (r->len < want && !r->eof) {
		ssize_t n = read(r->fd, r->buf + r->len, CHUNK - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r->eof = true;
			r->err = n < 0 ? errno : 0;
			break;
		}
		r->len += (size_t)n;
	}
	return r->len - r->at;
}

/* Are the next N bytes P? Consumes what matched. */
static bool reader_expect(struct reader *r, const char *p, size_t n)
{
	while (n) {
		size_t have = reader_fill(r, n < CHUNK ? n : CHUNK);
		if (!have)
			return false;
		size_t k = have < n ? have : n;
		if (memcmp(r->buf + r->at, p, k))
			return false;
		r->at += k;
		p += k;
		n -= k;
	}
	return true;
}

int symmap_set_equals_fd(const struct kw_symset *set, int fd, bool *equal, char **why)
{
	struct reader r = { .fd = fd, .buf = kw_malloc(CHUNK) };
	enum { FAST = 256 };
	char fast[FAST], *line = fast;
	size_t cap = FAST, width = (size_t)(set->addr_width > 16 ? set->addr_width : 16);
	bool same = true;
	struct kw_sym sym;
	/* Line by line, up to the first difference: the lines of a
	 * consistent link are never kept. A defined symbol's line whose
	 * bytes are all buffered is compared in place (the address as one
	 * 8- or 16-byte compare, the name with no copy); any other goes
	 * through map_line. (glibc's strlen and memcmp beat comparing the
	 * name a word at a time.) */
	int w = set->addr_width;
	for (size_t i = 0; i < set->count && same; i++) {
		symset_get_nm_line(set, i, &sym);
		size_t namelen = strlen(sym.name), linelen = (size_t)w + 4 + namelen;
		if (!sym.undefined && (w == 16 || (w == 8 && sym.value <= UINT32_MAX)) &&
		    r.len - r.at >= linelen) {
			const char *q = r.buf + r.at;
			char addr[16];
			if (w == 8) {
				hex8(addr, (uint32_t)sym.value);
				same = !memcmp(q, addr, 8);
			} else {
				hex8(addr, (uint32_t)(sym.value >> 32));
				hex8(addr + 8, (uint32_t)sym.value);
				same = !memcmp(q, addr, 16);
			}
			q += w;
			same = same && q[0] == ' ' && q[1] == sym.letter && q[2] == ' ' &&
			       !memcmp(q + 3, sym.name, namelen) && q[3 + namelen] == '\n';
			r.at += linelen;
			continue;
		}
		if (width + 4 + namelen > cap) {
			cap = width + 4 + namelen;
			line = line == fast ? kw_malloc(cap) : kw_realloc(line, cap);
		}
		char *end = map_line(line, w, &sym, namelen);
		same = reader_expect(&r, line, (size_t)(end - line));
	}
	if (same)
		same = !reader_fill(&r, 1);     /* and nothing after */
	if (line != fast)
		free(line);
	free(r.buf);
	if (r.err) {
		*why = kw_strdup(strerror(r.err));
		return -1;
	}
	*equal = same;
	return 0;
}

static void hash_text(struct kw_symmap *m)
{
	size_t len;
	char *text = symmap_text(m, &len);
	XXH128_hash_t h = XXH3_128bits(text, len);
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, h);
	memcpy(m->hash.b, c.digest, sizeof(m->hash.b));
	free(text);
}

void symmap_from_set(const struct kw_symset *set, bool filter, enum kw_sysmap_rules rules,
		     struct kw_symmap *out)
{
	memset(out, 0, sizeof(*out));
	out->addr_width = set->addr_width;
	out->detailed = !filter;
	out->v = kw_calloc(set->count ? set->count : 1, sizeof(*out->v));
	struct pool p = { 0 };
	size_t empty = pool_add(&p, "", 0);
	for (size_t i = 0; i < set->count; i++) {
		struct kw_sym s;
		symset_get(set, i, &s);
		if (filter && !sysmap_keep(rules, s.letter, s.name))
			continue;
		struct kw_sym *d = &out->v[out->n++];
		*d = s;
		d->name = (const char *)(uintptr_t)pool_add(&p, s.name, strlen(s.name));
		if (filter) {
			/* A map line knows no more than this. */
			d->size = 0;
			d->type = d->bind = 0;
			d->section = (const char *)(uintptr_t)empty;
		} else {
			d->section = (const char *)(uintptr_t)pool_add(&p, s.section,
									 strlen(s.section));
		}
	}
	fixup(out, &p);
	if (filter)
		hash_text(out);
	else
		symset_hash(set, &out->hash);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse one line (without its newline) into *S (name as a pool offset).
 * Returns NULL, or what is wrong. *WIDTH is the address width seen so far
 * (0: none yet). */
static const char *parse_line(const char *line, size_t len, int *width, struct pool *p,
			      struct kw_sym *s)
{
	size_t i = 0, digits = 0;
	uint64_t value = 0;
	bool undefined = false;
	memset(s, 0, sizeof(*s));
	if (len && line[0] == ' ') {
		/* nm's undefined symbol: spaces where the address goes. */
		while (i < len && line[i] == ' ')
			i++;
		if (i < 2)
			return "expected ADDRESS TYPE NAME";
		digits = i - 1;
		i--;
		undefined = true;
	} else {
		for (; i < len && hexval((unsigned char)line[i]) >= 0; i++, digits++) {
			if (digits == 16)
				return "address longer than 16 hex digits";
			value = value << 4 | (uint64_t)hexval((unsigned char)line[i]);
		}
		if (!digits)
			return "expected a hexadecimal address";
	}
	if (*width && (int)digits != *width)
		return "address width differs from the lines before";
	if (digits > 16)
		return "address longer than 16 hex digits";
	if (i + 3 > len || line[i] != ' ' || line[i + 1] == ' ' || line[i + 2] != ' ')
		return "expected ADDRESS TYPE NAME";
	char letter = line[i + 1];
	if ((unsigned char)letter < 0x21 || (unsigned char)letter > 0x7e)
		return "the type is not a printable character";
	const char *name = line + i + 3;
	size_t nlen = len - i - 3;
	if (!nlen)
		return "no name";
	if (memchr(name, ' ', nlen) || memchr(name, '\t', nlen) || memchr(name, '\0', nlen))
		return "the name holds a space, tab or NUL";
	*width = (int)digits;
	s->value = value;
	s->letter = letter;
	s->undefined = undefined;
	s->name = (const char *)(uintptr_t)pool_add(p, name, nlen);
	return NULL;
}

int symmap_read(const char *path, struct kw_symmap *out, char **why)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (!f) {
		*why = kw_strdup(strerror(errno));
		return -1;
	}
	struct pool p = { 0 };
	size_t empty = pool_add(&p, "", 0), alloc = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int width = 0;
	const char *bad = NULL;
	while ((got = getline(&line, &cap, f)) >= 0) {
		lineno++;
		size_t len = (size_t)got;
		if (len && line[len - 1] == '\n')
			len--;
		if (out->n == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			out->v = kw_realloc(out->v, alloc * sizeof(*out->v));
		}
		struct kw_sym *s = &out->v[out->n];
		if ((bad = parse_line(line, len, &width, &p, s)))
			break;
		s->section = (const char *)(uintptr_t)empty;
		out->n++;
	}
	int err = ferror(f) ? errno : 0;
	free(line);
	fclose(f);
	if (bad || err) {
		*why = bad ? kw_asprintf("line %zu: not a System.map line (%s)", lineno, bad)
			   : kw_strdup(strerror(err));
		free(out->v);
		free(p.buf);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	if (!out->v)
		out->v = kw_calloc(1, sizeof(*out->v));
	out->addr_width = width ? width : 16;
	fixup(out, &p);
	hash_text(out);
	return 0;
}

bool symmap_equal(const struct kw_symmap *a, const struct kw_symmap *b)
{
	return a->n == b->n && a->detailed == b->detailed &&
	       !memcmp(a->hash.b, b->hash.b, sizeof(a->hash.b));
}

size_t symmap_stub_count(const struct kw_symmap *map)
{
	size_t n = 0;
	for (size_t i = 0; i < map->n; i++)
		n += sysmap_is_linker_stub(map->v[i].name);
	return n;
}

void symmap_copy(const struct kw_symmap *from, struct kw_symmap *out)
{
	*out = *from;
	out->v = kw_calloc(from->n ? from->n : 1, sizeof(*out->v));
	struct pool p = { 0 };
	for (size_t i = 0; i < from->n; i++) {
		out->v[i] = from->v[i];
		out->v[i].name = (const char *)(uintptr_t)pool_add(&p, from->v[i].name,
								   strlen(from->v[i].name));
		out->v[i].section = (const char *)(uintptr_t)pool_add(&p, from->v[i].section,
								      strlen(from->v[i].section));
	}
	fixup(out, &p);
}

void symmap_release(struct kw_symmap *map)
{
	free(map->v);
	free(map->pool);
	memset(map, 0, sizeof(*map));
}
