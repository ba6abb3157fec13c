/* The input files of a link: the command line read by the shared
 * argument grammar (linkargs.h), -l resolved as the linker resolves it,
 * thin archives opened to their member names, linker scripts read for the
 * files they name. */
#include "klinkwrap/inputs.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
/* Header only, as in symset.c: klinkwrap loads no libxxhash, and the
 * hash loop is inlined. */
#define XXH_INLINE_ALL
#include <xxhash.h>

extern char **environ;

/* INCLUDE inside INCLUDE must end somewhere (ld itself stops at 10). */
#define SCRIPT_DEPTH_MAX 16
/* Bytes that tell the kinds of input apart: ar magic, ELF e_type. */
#define MAGIC_LEN 20

struct lister {
	struct kw_inputs *out;
	const char *linker;
	enum kw_linker_kind kind;
	size_t alloc;
	/* Open-addressing set of indices into out->v by path, so that a
	 * vmlinux.a of tens of thousands of members stays linear. */
	size_t *slots;
	size_t nslots;
	/* How -l is resolved. */
	struct kw_strvec ldirs;       /* -L, in order */
	struct kw_strvec scriptdirs;  /* SEARCH_DIR of the scripts */
	struct kw_strvec sysdirs;     /* the linker's own */
	bool sys_asked;
	const char *sysroot;
	const char *emulation;
	bool nostdlib;
	bool is_static;
	bool *states;                 /* --push-state stack of is_static */
	size_t nstates;
	bool raw;                     /* -b binary: inputs are raw data */
	bool hash;                    /* inputs_list_hashed: hash each file opened */
	bool *done;                   /* with hash: out->v[i].content is filled */
	int depth;
	struct kw_strvec dir_scripts; /* scripts read for SEARCH_DIR already */
};

static void incomplete(struct lister *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void incomplete(struct lister *l, const char *fmt, ...)
{
	l->out->incomplete = true;
	if (l->out->why)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&l->out->why, fmt, ap) < 0)
		kw_die(KW_EXIT_SELF, "out of memory");
	va_end(ap);
}

static size_t slot_of(const struct lister *l, const char *path)
{
	size_t mask = l->nslots - 1;
	size_t s = (size_t)XXH3_64bits(path, strlen(path)) & mask;
	while (l->slots[s] != KW_INPUT_TOP && strcmp(l->out->v[l->slots[s]].path, path))
		s = (s + 1) & mask;
	return s;
}

/* Is PATH in the list already? */
static bool listed(const struct lister *l, const char *path)
{
	return l->nslots && l->slots[slot_of(l, path)] != KW_INPUT_TOP;
}

static void grow_set(struct lister *l)
{
	size_t old = l->nslots, *olds = l->slots;
	l->nslots = old ? old * 2 : 256;
	l->slots = kw_malloc(l->nslots * sizeof(*l->slots));
	memset(l->slots, 0xff, l->nslots * sizeof(*l->slots));
	for (size_t i = 0; i < l->out->n; i++)
		l->slots[slot_of(l, l->out->v[i].path)] = i;
	free(olds);
}

/* Append PATH (taken) unless it is listed already. Returns its index and
 * whether it is new. */
static size_t add(struct lister *l, char *path, enum kw_input_kind kind, size_t parent,
		  bool *fresh)
{
	struct kw_inputs *o = l->out;
	if ((o->n + 1) * 2 > l->nslots)
		grow_set(l);
	size_t s = slot_of(l, path);
	if (l->slots[s] != KW_INPUT_TOP) {
		free(path);
		*fresh = false;
		return l->slots[s];
	}
	if (o->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 64;
		o->v = kw_realloc(o->v, l->alloc * sizeof(*o->v));
		if (l->hash)
			l->done = kw_realloc(l->done, l->alloc * sizeof(*l->done));
	}
	o->v[o->n] = (struct kw_input){ .path = path, .kind = kind, .parent = parent };
	if (l->hash)
		l->done[o->n] = false;
	l->slots[s] = o->n;
	*fresh = true;
	return o->n++;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A search directory as the linker reads it: "=DIR" and "$SYSROOT/DIR"
 * are under the sysroot. */
static char *search_dir(const struct lister *l, const char *dir)
{
	const char *root = l->sysroot ? l->sysroot : "";
	if (dir[0] == '=')
		return kw_asprintf("%s%s", root, dir + 1);
	if (!strncmp(dir, "$SYSROOT", 8))
		return kw_asprintf("%s%s", root, dir + 8);
	return kw_strdup(dir);
}

/* GNU ld's own search directories for this emulation and sysroot, the
 * SEARCH_DIR lines of its default script (`ld --verbose`). Asked once,
 * and only when a -l is not in the -L directories. */
static void ask_sysdirs(struct lister *l)
{
	if (l->sys_asked)
		return;
	l->sys_asked = true;
	if (l->kind != KW_LINKER_BFD) {
		/* lld and mold have no search path of their own; gold's and an
		 * unknown linker's are not known here. */
		return;
	}
	struct kw_strvec argv = { 0 };
	kw_strvec_push(&argv, l->linker);
	kw_strvec_push(&argv, "--verbose");
	if (l->emulation) {
		kw_strvec_push(&argv, "-m");
		kw_strvec_push(&argv, l->emulation);
	}
	if (l->sysroot)
		kw_strvec_push_owned(&argv, kw_asprintf("--sysroot=%s", l->sysroot));

	int fds[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	if (pipe2(fds, O_CLOEXEC)) {
		incomplete(l, "cannot ask %s for its search path: %s", l->linker, strerror(errno));
		kw_strvec_clear(&argv);
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawn(&pid, l->linker, &fa, NULL, argv.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	kw_strvec_clear(&argv);
	if (rc) {
		close(fds[0]);
		incomplete(l, "cannot ask %s for its search path: %s", l->linker, strerror(rc));
		return;
	}
	size_t len = 0, cap = 16384;
	char *text = kw_malloc(cap);
	ssize_t got;
	while ((got = read(fds[0], text + len, cap - len - 1)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)got;
		if (cap - len < 2)
			text = kw_realloc(text, cap *= 2);
	}
	text[len] = '\0';
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	size_t found = 0;
	for (const char *p = text; (p = strstr(p, "SEARCH_DIR(\"")) != NULL;) {
		p += 12;
		const char *end = strchr(p, '"');
		if (!end)
			break;
		char *dir = kw_strndup(p, (size_t)(end - p));
		kw_strvec_push_owned(&l->sysdirs, search_dir(l, dir));
		free(dir);
		found++;
		p = end;
	}
	free(text);
	if (!found)
		incomplete(l, "%s --verbose printed no SEARCH_DIR", l->linker);
}

/* Find NAME in DIRS; NULL when it is in none. */
static char *search_in(const struct kw_strvec *dirs, const char *name)
{
	for (size_t i = 0; i < dirs->n; i++) {
		char *p = kw_asprintf("%s/%s", dirs->v[i], name);
		if (exists(p))
			return p;
		free(p);
	}
	return NULL;
}

/* A file name searched the way -l searches (-L, SEARCH_DIR, the
 * linker's own), for -l:FILE and for names a script gives. */
static char *search_file(struct lister *l, const char *name)
{
	/* -nostdlib: GNU ld then ignores the scripts' SEARCH_DIRs too. */
	char *p = search_in(&l->ldirs, name);
	if (!p && !l->nostdlib)
		p = search_in(&l->scriptdirs, name);
	if (!p && !l->nostdlib) {
		ask_sysdirs(l);
		p = search_in(&l->sysdirs, name);
	}
	return p;
}

/* -lNAME: per directory, libNAME.so then libNAME.a (only .a under
 * -Bstatic); -l:FILE: FILE. NULL when not found. */
static char *resolve_lib(struct lister *l, const char *name)
{
	if (name[0] == ':')
		return search_file(l, name + 1);
	char *so = kw_asprintf("lib%s.so", name), *a = kw_asprintf("lib%s.a", name);
	char *p = NULL;
	const struct kw_strvec *lists[] = { &l->ldirs, &l->scriptdirs, &l->sysdirs };
	for (size_t k = 0; k < 3 && !p; k++) {
		if (k > 0 && l->nostdlib)
			break;
		if (k == 2)
			ask_sysdirs(l);
		for (size_t i = 0; i < lists[k]->n && !p; i++) {
			p = kw_asprintf("%s/%s", lists[k]->v[i], so);
			if (l->is_static || !exists(p)) {
				free(p);
				p = kw_asprintf("%s/%s", lists[k]->v[i], a);
				if (!exists(p)) {
					free(p);
					p = NULL;
				}
			}
		}
	}
	free(so);
	free(a);
	return p;
}

static void add_file(struct lister *l, char *path, size_t parent);

static void add_library(struct lister *l, const char *name, size_t parent)
{
	char *p = resolve_lib(l, name);
	if (!p) {
		/* GNU ld's path was asked, lld and mold have none; gold's and an
		 * unknown linker's are not known. */
		if (l->kind == KW_LINKER_BFD || l->kind == KW_LINKER_LLD ||
		    l->kind == KW_LINKER_MOLD || l->nostdlib)
			incomplete(l, "cannot find -l%s", name);
		else
			incomplete(l, "-l%s is in no -L directory, and the linker's own "
				   "search path is not known", name);
		return;
	}
	add_file(l, p, parent);
}

/* Read all of PATH, a regular file; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *lenp)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	size_t len = 0, cap = 8192;
	char *buf = kw_malloc(cap);
	ssize_t got;
	while ((got = read(fd, buf + len, cap - len - 1)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return NULL;
		}
		len += (size_t)got;
		if (cap - len < 2)
			buf = kw_realloc(buf, cap *= 2);
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* ---- Linker scripts: only the commands that name files. ---- */

struct lexer {
	const char *p, *end;
	char tok[4096];
	bool quoted;
};

/* The next token into lx->tok: a punctuation character, a quoted string
 * or a run of name characters. False at the end. */
static bool next_token(struct lexer *lx)
{
	for (;;) {
		while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' ||
					   *lx->p == '\r' || *lx->p == '\f' || *lx->p == '\v'))
			lx->p++;
		if (lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '*') {
			const char *c = strstr(lx->p + 2, "*/");
			lx->p = c ? c + 2 : lx->end;
			continue;
		}
		break;
	}
	if (lx->p >= lx->end)
		return false;
	size_t n = 0;
	lx->quoted = false;
	if (*lx->p == '"') {
		lx->quoted = true;
		lx->p++;
		while (lx->p < lx->end && *lx->p != '"') {
			if (n < sizeof(lx->tok) - 1)
				lx->tok[n++] = *lx->p;
			lx->p++;
		}
		if (lx->p < lx->end)
			lx->p++;
	} else if (strchr("(),;{}", *lx->p)) {
		lx->tok[n++] = *lx->p++;
	} else {
		while (lx->p < lx->end && !strchr(" \t\n\r\f\v(),;{}\"", *lx->p) &&
		       !(lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '*')) {
			if (n < sizeof(lx->tok) - 1)
				lx->tok[n++] = *lx->p;
			lx->p++;
		}
	}
	lx->tok[n] = '\0';
	return true;
}

static bool is_punct(const struct lexer *lx, char c)
{
	return !lx->quoted && lx->tok[0] == c && !lx->tok[1];
}

static void parse_script(struct lister *l, const char *path, size_t self, bool only_dirs);

/* Is PATH in SEEN? If not, it is now. */
static bool seen_before(struct kw_strvec *seen, const char *path)
{
	for (size_t i = 0; i < seen->n; i++)
		if (!strcmp(seen->v[i], path))
			return true;
	kw_strvec_push(seen, path);
	return false;
}

/* SEARCH_DIR(DIR): -T scripts are read for these before any -l is
 * resolved, and again for their files; count each directory once. */
static void add_script_dir(struct lister *l, const char *dir)
{
	char *d = search_dir(l, dir);
	for (size_t i = 0; i < l->scriptdirs.n; i++) {
		if (!strcmp(l->scriptdirs.v[i], d)) {
			free(d);
			return;
		}
	}
	kw_strvec_push_owned(&l->scriptdirs, d);
}

/* The relative NAME in the directory of SCRIPT, if it is there. */
static char *beside(const char *script, const char *name)
{
	const char *slash = strrchr(script, '/');
	if (!slash)
		return NULL;
	char *p = kw_asprintf("%.*s/%s", (int)(slash - script), script, name);
	if (exists(p))
		return p;
	free(p);
	return NULL;
}

/* An absolute NAME in a script that lies inside the sysroot means the
 * sysroot's file (a cross toolchain's libc.so names /lib/libc.so.6). */
static char *in_sysroot(const struct lister *l, const char *script, const char *name)
{
	if (!l->sysroot || !*l->sysroot)
		return NULL;
	size_t len = strlen(l->sysroot);
	while (len > 1 && l->sysroot[len - 1] == '/')
		len--;
	if (strncmp(script, l->sysroot, len) || (script[len] != '/' && script[len]))
		return NULL;
	char *p = kw_asprintf("%.*s%s", (int)len, l->sysroot, name);
	if (exists(p))
		return p;
	free(p);
	return NULL;
}

/* A file a script names: "=F" under the sysroot; an absolute F under the
 * sysroot when the script is in it; a relative F first in
 * the script's own directory (GNU ld 2.40, gold and lld look there before
 * the cwd; mold 1.10 does not); F as given if it exists; else, when
 * relative, searched like -l:F. */
static void script_file(struct lister *l, const char *script, const char *name, size_t self)
{
	char *p;
	if (name[0] == '=')
		p = kw_asprintf("%s%s", l->sysroot ? l->sysroot : "", name + 1);
	else if (name[0] == '/' && (p = in_sysroot(l, script, name)) != NULL)
		;
	else if (name[0] != '/' && l->kind != KW_LINKER_MOLD && (p = beside(script, name)) != NULL)
		;
	else if (exists(name))
		p = kw_strdup(name);
	else if (name[0] != '/' && (p = search_file(l, name)) != NULL)
		;
	else {
		incomplete(l, "%s: cannot find %s", script, name);
		return;
	}
	add_file(l, p, self);
}

/* INPUT(...), GROUP(...), AS_NEEDED(...): names, -lNAME, nested lists. */
static void file_list(struct lister *l, struct lexer *lx, const char *script, size_t self,
		      bool only_dirs)
{
	int nest = 1;
	while (nest > 0 && next_token(lx)) {
		if (is_punct(lx, '('))
			nest++;
		else if (is_punct(lx, ')'))
			nest--;
		else if (is_punct(lx, ',') || (!lx->quoted && !strcmp(lx->tok, "AS_NEEDED")))
			;
		else if (only_dirs)
			;
		else if (!lx->quoted && lx->tok[0] == '-' && lx->tok[1] == 'l')
			add_library(l, lx->tok + 2, self);
		else
			script_file(l, script, lx->tok, self);
	}
}

/* Read the script PATH (listed at index SELF): its SEARCH_DIRs always,
 * the files it names unless ONLY_DIRS. */
static void parse_script(struct lister *l, const char *path, size_t self, bool only_dirs)
{
	size_t len;
	char *text = slurp(path, &len);
	if (!text) {
		if (!only_dirs)
			incomplete(l, "%s: cannot read the linker script", path);
		return;
	}
	if (++l->depth > SCRIPT_DEPTH_MAX) {
		incomplete(l, "%s: scripts included more than %d deep", path, SCRIPT_DEPTH_MAX);
		free(text);
		l->depth--;
		return;
	}
	/* Copied: add_file may move l->out->v, and PATH may point into it. */
	char *script = kw_strdup(path);
	struct lexer lx = { .p = text, .end = text + len };
	while (next_token(&lx)) {
		if (lx.quoted)
			continue;
		bool list = !strcmp(lx.tok, "INPUT") || !strcmp(lx.tok, "GROUP");
		bool one = !strcmp(lx.tok, "STARTUP") || !strcmp(lx.tok, "SEARCH_DIR");
		bool dir = !strcmp(lx.tok, "SEARCH_DIR");
		if (!strcmp(lx.tok, "INCLUDE")) {
			if (!next_token(&lx))
				break;
			char *inc = exists(lx.tok) ? kw_strdup(lx.tok) : search_file(l, lx.tok);
			if (!inc) {
				if (!only_dirs)
					incomplete(l, "%s: cannot find INCLUDE %s", script, lx.tok);
				continue;
			}
			/* A script included again names nothing new: reading it
			 * again would only multiply the work (twice per level). */
			if (only_dirs) {
				if (!seen_before(&l->dir_scripts, inc))
					parse_script(l, inc, self, true);
				free(inc);
				continue;
			}
			bool fresh;
			size_t at = add(l, inc, KW_INPUT_SCRIPT, self, &fresh);
			if (fresh)
				parse_script(l, l->out->v[at].path, at, false);
			continue;
		}
		if (!list && !one)
			continue;
		if (!next_token(&lx))
			break;
		if (!is_punct(&lx, '('))
			continue;
		if (list) {
			file_list(l, &lx, script, self, only_dirs);
			continue;
		}
		if (!next_token(&lx) || is_punct(&lx, ')'))
			continue;
		if (dir)
			add_script_dir(l, lx.tok);
		else if (!dir && !only_dirs)
			script_file(l, script, lx.tok, self);
	}
	free(script);
	free(text);
	l->depth--;
}

/* ---- Thin archives: the member names, never the members. ---- */

/* The decimal field F[0..LEN) of an ar header; -1 if it is none. */
static long long ar_number(const char *f, size_t len)
{
	long long v = 0;
	size_t i = 0;
	while (i < len && f[i] == ' ')
		i++;
	if (i == len || f[i] < '0' || f[i] > '9')
		return -1;
	for (; i < len && f[i] >= '0' && f[i] <= '9'; i++) {
		if (v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (f[i] - '0');
	}
	return v;
}

/* List the members of the thin archive at index SELF, whose file is open
 * on FD: the ar headers follow each other with no member data between
 * them, only the symbol table and the long-name table are stored. */
static void thin_members(struct lister *l, int fd, size_t self)
{
	const char *apath = l->out->v[self].path;
	char *archive = kw_strdup(apath);
	const char *slash = strrchr(archive, '/');
	size_t dirlen = slash ? (size_t)(slash - archive) + 1 : 0;
	struct stat st;
	char *buf = NULL;
	const char *names = NULL;
	size_t nameslen = 0;

	if (fstat(fd, &st) || st.st_size < 8) {
		incomplete(l, "%s: cannot read the thin archive", archive);
		goto out;
	}
	/* The symbol tables can be megabytes: skip them with pread rather
	 * than reading them. */
	off_t off = 8;
	char hdr[60];
	for (;;) {
		if (off + 60 > st.st_size) {
			off = st.st_size;
			break;
		}
		if (pread(fd, hdr, 60, off) != 60 || hdr[58] != '`' || hdr[59] != '\n') {
			incomplete(l, "%s: bad archive header at %lld", archive, (long long)off);
			goto out;
		}
		long long size = ar_number(hdr + 48, 10);
		bool symtab = !memcmp(hdr, "/ ", 2) || !memcmp(hdr, "/SYM64/ ", 8);
		if (!symtab || size < 0)
			break;
		off += 60 + size + (size & 1);
	}
	size_t len = (size_t)(st.st_size - off);
	buf = kw_malloc(len + 1);
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, off + (off_t)got);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			incomplete(l, "%s: cannot read the thin archive", archive);
			goto out;
		}
		got += (size_t)r;
	}
	for (size_t pos = 0; pos + 60 <= len;) {
		const char *h = buf + pos;
		if (h[58] != '`' || h[59] != '\n') {
			incomplete(l, "%s: bad archive header at %lld", archive,
				   (long long)off + (long long)pos);
			goto out;
		}
		long long size = ar_number(h + 48, 10);
		if (size < 0) {
			incomplete(l, "%s: bad member size", archive);
			goto out;
		}
		pos += 60;
		const char *name;
		size_t namelen;
		if (!memcmp(h, "// ", 3)) {
			/* The long-name table is stored in the archive. */
			if ((unsigned long long)size > len - pos) {
				incomplete(l, "%s: truncated name table", archive);
				goto out;
			}
			names = buf + pos;
			nameslen = (size_t)size;
			pos += (size_t)size + ((size_t)size & 1);
			continue;
		}
		if (!memcmp(h, "/ ", 2) || !memcmp(h, "/SYM64/ ", 8)) {
			if ((unsigned long long)size > len - pos)
				break;
			pos += (size_t)size + ((size_t)size & 1);
			continue;
		}
		if (h[0] == '/') {
			long long at = ar_number(h + 1, 15);
			if (at < 0 || !names || (unsigned long long)at >= nameslen) {
				incomplete(l, "%s: member name out of the name table", archive);
				goto out;
			}
			name = names + at;
			const char *e = memchr(name, '\n', nameslen - (size_t)at);
			namelen = e ? (size_t)(e - name) : nameslen - (size_t)at;
		} else {
			name = h;
			const char *e = memchr(h, '/', 16);
			namelen = e ? (size_t)(e - h) : 16;
		}
		while (namelen && (name[namelen - 1] == '/' || name[namelen - 1] == ' '))
			namelen--;
		if (!namelen)
			continue;
		/* Names are relative to the archive's directory. */
		char *member = name[0] == '/' ? kw_strndup(name, namelen)
			: kw_asprintf("%.*s%.*s", (int)dirlen, archive, (int)namelen, name);
		bool fresh;
		add(l, member, KW_INPUT_MEMBER, self, &fresh);
	}
out:
	free(buf);
	free(archive);
}

/* ---- Content ---- */

/* Large enough that hashing is bound by the page cache, not by syscalls;
 * one buffer and one hash state for the whole process (a link hashes
 * hundreds of small files: a fresh buffer each was a mmap, page faults
 * and a munmap per file). */
#define HASH_CHUNK (256u << 10)
static unsigned char *hash_buf;
static XXH3_state_t *hash_state;

/* Hash the regular file open on FD into *C (c->err says what failed),
 * and copy its first bytes (up to HEADLEN) into HEAD. Returns the number
 * of bytes put into HEAD, or -1 when FD is not a regular file or cannot
 * be stat'ed. */
static ssize_t hash_fd(int fd, struct kw_input_content *c, unsigned char *head, size_t headlen)
{
	struct stat st;
	XXH128_canonical_t canon;
	ssize_t headgot = 0;
	memset(c, 0, sizeof(*c));
	if (!hash_state && !(hash_state = XXH3_createState()))
		kw_die(KW_EXIT_SELF, "out of memory");
	if (!hash_buf)
		hash_buf = kw_malloc(HASH_CHUNK);
	if (fstat(fd, &st)) {
		c->err = errno;
		return -1;
	}
	c->mtime = st.st_mtim;
	if (!S_ISREG(st.st_mode)) {
		c->err = KW_INPUT_NOT_REGULAR;
		return -1;
	}
	XXH3_128bits_reset(hash_state);
	for (;;) {
		ssize_t got = read(fd, hash_buf, HASH_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			c->err = errno;
			break;
		}
		if (got == 0)
			break;
		if (c->size < headlen) {
			size_t take = headlen - (size_t)c->size;
			if (take > (size_t)got)
				take = (size_t)got;
			memcpy(head + c->size, hash_buf, take);
			headgot += (ssize_t)take;
		}
		XXH3_128bits_update(hash_state, hash_buf, (size_t)got);
		c->size += (uint64_t)got;
		/* The size fstat gave, read: no read for the end of file, and
		 * no endless read of a file that grows meanwhile (caught by the
		 * size and time compared after the link). */
		if (c->size >= (uint64_t)st.st_size)
			break;
	}
	XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(hash_state));
	memcpy(c->hash, canon.digest, 16);
	return headgot;
}

int inputs_hash_file(const char *path, struct kw_input_content *c)
{
	/* O_NONBLOCK: opening a fifo named as an input must not hang the
	 * link; it is not read at all. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		memset(c, 0, sizeof(*c));
		c->err = errno;
		return -1;
	}
	hash_fd(fd, c, NULL, 0);
	close(fd);
	return c->err ? -1 : 0;
}

/* ---- Files ---- */

/* Add the input file PATH (taken), telling its kind from its first
 * bytes, and what it names: a thin archive's members, a script's files. */
static void add_file(struct lister *l, char *path, size_t parent)
{
	unsigned char m[MAGIC_LEN];
	ssize_t got = -1;
	struct kw_input_content content;
	bool hashed = false;
	if (listed(l, path)) {
		free(path); /* nothing new: no need to open it again */
		return;
	}
	/* O_NONBLOCK: a FIFO must not block the listing, and pread (which
	 * fails on pipes and ttys) never takes bytes the linker will read. */
	int fd = l->raw ? -1 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0 && l->hash) {
		/* The content is read once, for the hash; the magic is its
		 * first bytes. */
		got = hash_fd(fd, &content, m, sizeof(m));
		hashed = true;
		if (got < 0)
			got = pread(fd, m, sizeof(m), 0);
	} else if (fd >= 0) {
		got = pread(fd, m, sizeof(m), 0);
	}
	enum kw_input_kind kind = KW_INPUT_OBJECT;
	bool thin = false, script = false;
	if (got >= 8 && !memcmp(m, "!<arch>\n", 8)) {
		kind = KW_INPUT_ARCHIVE;
	} else if (got >= 8 && !memcmp(m, "!<thin>\n", 8)) {
		kind = KW_INPUT_ARCHIVE;
		thin = true;
	} else if (got >= 18 && !memcmp(m, "\177ELF", 4)) {
		unsigned type = m[5] == 2 ? (unsigned)m[16] << 8 | m[17] : (unsigned)m[17] << 8 | m[16];
		kind = type == 3 ? KW_INPUT_SHARED : KW_INPUT_OBJECT;
	} else if (got > 0 && !memchr(m, '\0', (size_t)got)) {
		/* Not a format the linker knows by its magic: GNU ld, lld and
		 * mold then read it as a linker script (libc.so is one). */
		kind = KW_INPUT_SCRIPT;
		script = true;
	}
	/* A missing or unreadable file stays listed as named: the linker
	 * will report it. */
	bool fresh;
	size_t at = add(l, path, kind, parent, &fresh);
	if (fresh && hashed) {
		l->out->v[at].content = content;
		l->done[at] = true;
	}
	if (fresh && thin)
		thin_members(l, fd, at);
	if (fd >= 0)
		close(fd);
	if (fresh && script)
		parse_script(l, l->out->v[at].path, at, false);
}

/* The -T script at WORD: listed, read for the files it names. */
static void add_script(struct lister *l, const char *name)
{
	char *p = exists(name) ? kw_strdup(name) : NULL;
	if (!p && name[0] != '/')
		p = search_file(l, name);
	if (!p)
		p = kw_strdup(name); /* the linker will report it */
	bool fresh;
	size_t at = add(l, p, KW_INPUT_SCRIPT, KW_INPUT_TOP, &fresh);
	if (fresh)
		parse_script(l, l->out->v[at].path, at, false);
}

/* First pass: what the search for libraries depends on, which the
 * linkers take from the whole command line before opening anything. */
static void collect(struct lister *l, char *const words[], size_t n)
{
	struct kw_linkword w;
	for (size_t i = 0; i < n; i += w.nwords) {
		linkargs_word(words, n, i, &w);
		if (w.kind == KW_WORD_UNKNOWN) {
			incomplete(l, "option not understood: %s", words[i]);
			continue;
		}
		if (w.kind != KW_WORD_OPTION)
			continue;
		if (w.missing_value) {
			incomplete(l, "%s needs an argument", words[i]);
			continue;
		}
		switch (w.role) {
		case KW_OPT_LIBDIR:
			kw_strvec_push_owned(&l->ldirs, search_dir(l, w.value));
			break;
		case KW_OPT_SYSROOT:
			l->sysroot = w.value;
			break;
		case KW_OPT_EMULATION:
			l->emulation = w.value;
			break;
		case KW_OPT_NOSTDLIB:
			l->nostdlib = true;
			break;
		case KW_OPT_UNMODELLED:
			incomplete(l, "%s: not modelled by the input list", words[i]);
			break;
		default:
			break;
		}
	}
	/* -L=DIR needs the sysroot, which may come later. */
	if (l->sysroot) {
		struct kw_strvec fixed = { 0 };
		for (size_t i = 0; i < n; i += w.nwords) {
			linkargs_word(words, n, i, &w);
			if (w.kind == KW_WORD_OPTION && w.role == KW_OPT_LIBDIR && w.value)
				kw_strvec_push_owned(&fixed, search_dir(l, w.value));
		}
		kw_strvec_clear(&l->ldirs);
		l->ldirs = fixed;
	}
	/* The -T scripts' SEARCH_DIRs count for every -l. */
	for (size_t i = 0; i < n; i += w.nwords) {
		linkargs_word(words, n, i, &w);
		if (w.kind == KW_WORD_OPTION && w.role == KW_OPT_SCRIPT && w.value) {
			char *p = exists(w.value) ? kw_strdup(w.value) : search_in(&l->ldirs, w.value);
			if (p && !seen_before(&l->dir_scripts, p))
				parse_script(l, p, KW_INPUT_TOP, true);
			free(p);
		}
	}
}

static void list_inputs(char *const words[], size_t n, const char *linker_path,
		 enum kw_linker_kind kind, bool hash, struct kw_inputs *out)
{
	memset(out, 0, sizeof(*out));
	struct lister l = { .out = out, .linker = linker_path, .kind = kind, .hash = hash };
	collect(&l, words, n);

	struct kw_linkword w;
	bool maybe_argument = false;
	for (size_t i = 0; i < n; i += w.nwords) {
		linkargs_word(words, n, i, &w);
		if (w.kind == KW_WORD_INPUT) {
			/* The word after an option not understood may be its
			 * argument: never guess it is a file (the list is
			 * incomplete already, which says it may miss one). */
			if (!maybe_argument)
				add_file(&l, kw_strdup(words[i]), KW_INPUT_TOP);
			maybe_argument = false;
			continue;
		}
		maybe_argument = w.kind == KW_WORD_UNKNOWN && !strchr(words[i], '=');
		if (w.kind != KW_WORD_OPTION || w.missing_value)
			continue;
		switch (w.role) {
		case KW_OPT_LIBRARY:
			add_library(&l, w.value, KW_INPUT_TOP);
			break;
		case KW_OPT_SCRIPT:
			add_script(&l, w.value);
			break;
		case KW_OPT_AUX_SCRIPT: {
			bool fresh;
			add(&l, kw_strdup(w.value), KW_INPUT_SCRIPT, KW_INPUT_TOP, &fresh);
			break;
		}
		case KW_OPT_JUST_SYMBOLS:
			/* -R DIR is GNU ld's -rpath DIR. */
			if (!(w.name[0] == 'R' && !w.name[1] && is_dir(w.value)))
				add_file(&l, kw_strdup(w.value), KW_INPUT_TOP);
			break;
		case KW_OPT_STATIC:
			l.is_static = true;
			break;
		case KW_OPT_DYNAMIC:
			l.is_static = false;
			break;
		case KW_OPT_PUSH_STATE:
			l.states = kw_realloc(l.states, (l.nstates + 1) * sizeof(*l.states));
			l.states[l.nstates++] = l.is_static;
			break;
		case KW_OPT_POP_STATE:
			if (l.nstates)
				l.is_static = l.states[--l.nstates];
			break;
		case KW_OPT_FORMAT:
			l.raw = !strcmp(w.value, "binary");
			break;
		default:
			break;
		}
	}
	/* The directories -l searched, for the record. */
	for (size_t i = 0; i < l.ldirs.n; i++)
		kw_strvec_push(&out->libdirs, l.ldirs.v[i]);
	for (size_t i = 0; i < l.scriptdirs.n; i++)
		kw_strvec_push(&out->libdirs, l.scriptdirs.v[i]);
	for (size_t i = 0; i < l.sysdirs.n; i++)
		kw_strvec_push(&out->libdirs, l.sysdirs.v[i]);
	kw_strvec_clear(&l.ldirs);
	kw_strvec_clear(&l.scriptdirs);
	kw_strvec_clear(&l.sysdirs);
	kw_strvec_clear(&l.dir_scripts);
	/* What the listing did not open: thin archives' members, scripts,
	 * files named after -b binary. */
	for (size_t i = 0; hash && i < out->n; i++)
		if (!l.done[i])
			inputs_hash_file(out->v[i].path, &out->v[i].content);
	out->hashed = hash;
	free(l.done);
	free(l.slots);
	free(l.states);
}

void inputs_list(char *const words[], size_t n, const char *linker_path,
		 enum kw_linker_kind kind, struct kw_inputs *out)
{
	list_inputs(words, n, linker_path, kind, false, out);
}

void inputs_list_hashed(char *const words[], size_t n, const char *linker_path,
			enum kw_linker_kind kind, struct kw_inputs *out)
{
	list_inputs(words, n, linker_path, kind, true, out);
}

void inputs_release(struct kw_inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->v[i].path);
	free(in->v);
	free(in->why);
	kw_strvec_clear(&in->libdirs);
	memset(in, 0, sizeof(*in));
}

void inputs_copy(const struct kw_inputs *from, struct kw_inputs *to)
{
	memset(to, 0, sizeof(*to));
	to->v = kw_calloc(from->n ? from->n : 1, sizeof(*to->v));
	for (size_t i = 0; i < from->n; i++) {
		to->v[i] = from->v[i];
		to->v[i].path = kw_strdup(from->v[i].path);
	}
	to->n = from->n;
	to->incomplete = from->incomplete;
	to->hashed = from->hashed;
	to->why = from->why ? kw_strdup(from->why) : NULL;
	for (size_t i = 0; i < from->libdirs.n; i++)
		kw_strvec_push(&to->libdirs, from->libdirs.v[i]);
}

const char *inputs_kind_name(enum kw_input_kind kind)
{
	switch (kind) {
	case KW_INPUT_OBJECT: return "object";
	case KW_INPUT_ARCHIVE: return "archive";
	case KW_INPUT_MEMBER: return "member";
	case KW_INPUT_SHARED: return "shared";
	case KW_INPUT_SCRIPT: return "script";
	}
	return "?";
}
