/* The link log: render a link record as one JSON line, append it whole,
 * keep snapshots of serial links' symbol lists, and read logs back. */
#include "klinkwrap/linklog.h"
#include "klinkwrap/classify.h"
#include "klinkwrap/jobserver.h"
#include "klinkwrap/json.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/threads.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>
/* Header only, as in symset.c: klinkwrap loads no libxxhash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

static void hex_of(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

unsigned linklog_kallsyms_pass(const char *output)
{
	static const char *const prefixes[] = { ".tmp_vmlinux.kallsyms", ".tmp_vmlinux" };
	const char *name;
	if (!output)
		return 0;
	name = kw_basename(output);
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		size_t len = strlen(prefixes[i]);
		const char *p = name + len;
		unsigned long n;
		char *end;
		if (strncmp(name, prefixes[i], len) || *p < '0' || *p > '9')
			continue;
		errno = 0;
		n = strtoul(p, &end, 10);
		if (*end || errno || n > 1000)
			continue;
		return (unsigned)n;
	}
	return 0;
}

void linklog_argv_hash(char *const argv[], size_t n, char out[33])
{
	XXH3_state_t *st = XXH3_createState();
	XXH128_canonical_t c;
	if (!st)
		kw_die(KW_EXIT_SELF, "out of memory");
	XXH3_128bits_reset(st);
	for (size_t i = 0; i < n; i++)
		XXH3_128bits_update(st, argv[i], strlen(argv[i]) + 1);
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(st));
	XXH3_freeState(st);
	hex_of(c.digest, 16, out);
}

/* What was read of an input's content, into its record. */
static void take_content(struct kw_linklog_input *in, const struct kw_input_content *c)
{
	in->err = c->err;
	in->size = c->size;
	in->mtime = c->mtime;
	memcpy(in->hash, c->hash, sizeof(in->hash));
	in->changed = false;
}

int linklog_hash_file(const char *path, struct kw_linklog_input *in)
{
	struct kw_input_content c;
	int rc = inputs_hash_file(path, &c);
	take_content(in, &c);
	return rc;
}

/* Each input of LIST, its content as the listing hashed it or, from a
 * list made without hashing, hashed now. */
static void hash_inputs(struct kw_linklog_link *l, const struct kw_inputs *list)
{
	l->nin = list->n;
	l->in = kw_calloc(list->n ? list->n : 1, sizeof(*l->in));
	for (size_t i = 0; i < list->n; i++) {
		struct kw_linklog_input *in = &l->in[i];
		in->path = kw_strdup(list->v[i].path);
		in->kind = list->v[i].kind;
		if (list->hashed)
			take_content(in, &list->v[i].content);
		else
			linklog_hash_file(in->path, in);
	}
}

/* Does --log-inputs select a link of class CLS? */
static bool inputs_selected(const struct kw_config *cfg, enum kw_link_class cls)
{
	const char *which = config_text(cfg, KW_OPT_LOG_INPUTS);
	if (!strcmp(which, "all"))
		return true;
	if (!strcmp(which, "none"))
		return false;
	return cls == KW_CLASS_SERIAL;
}

static json_t *render_inputs(const struct kw_linklog_link *l);

static bool check_inputs_after(struct kw_linklog_link *l);

/* The inputs' part of the record, encoded by a second thread while the
 * linker runs: for hundreds of inputs it is most of the record (about
 * 100 bytes each), and the main thread only waits for the linker
 * meanwhile. (Stat'ing the inputs again in that thread while the main one
 * hashes the output was slower than doing it after, on the main thread:
 * 0.56 against 0.48 ms for 400 inputs; system calls in two threads do
 * not overlap on this VM.) */
struct kw_linklog_early {
	pthread_t tid;
	bool running;
	const struct kw_linklog_link *l;
	/* The "inputs" array as JSON, or NULL: written into a buffer the
	 * main thread allocated (freeing the other thread's memory cost the
	 * main one 0.37 M instructions of glibc's arena work). */
	char *text;
	size_t cap;
};

static void *encode_inputs(void *arg)
{
	struct kw_linklog_early *e = arg;
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	json_t *a = render_inputs(e->l);
	size_t need = json_dumpb(a, e->text, e->cap - 1, flags);
	if (need && need < e->cap) {
		e->text[need] = '\0';
	} else {
		free(e->text); /* too small a guess, or it failed: no early text */
		e->text = NULL;
	}
	json_decref(a);
	return NULL;
}

/* Start FN in a thread that takes no signals: they are the main thread's
 * (exec.c forwards them to the linker, and a signal blocked while the
 * linker starts must wait for its pid, not be taken by this thread). */
static bool start_quiet_thread(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	bool started = !pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

static void early_start(struct kw_linklog_link *l)
{
	enum { EARLY_MIN = 32 }; /* a few inputs are not worth a thread */
	if (l->nin < EARLY_MIN)
		return;
	struct kw_linklog_early *e = kw_calloc(1, sizeof(*e));
	e->l = l;
	/* A generous guess: an input's object is about 110 bytes beside its
	 * path, whose bytes may need escaping. */
	e->cap = 256;
	for (size_t i = 0; i < l->nin; i++)
		e->cap += 160 + 2 * strlen(l->in[i].path);
	e->text = kw_malloc(e->cap);
	e->running = start_quiet_thread(&e->tid, encode_inputs, e);
	if (!e->running) {
		free(e->text);
		e->text = NULL;
	}
	l->early = e; /* without the thread, it is all done in linklog_end */
}

/* Wait for the second thread, then stat the inputs again (it reads
 * them); the early text (taken), or NULL when an input changed (the
 * record says so: encoded again) or there is none. */
static char *early_finish(struct kw_linklog_link *l)
{
	struct kw_linklog_early *e = l->early;
	if (!e)
		return NULL;
	if (e->running)
		pthread_join(e->tid, NULL);
	char *text = e->text;
	if (check_inputs_after(l)) {
		free(text); /* a race caught: encoded again, with it */
		text = NULL;
	}
	free(e);
	l->early = NULL;
	return text;
}

void linklog_begin(struct kw_linklog_link *l, const struct kw_config *cfg, char *const argv[],
		   const char *linker_path, const struct kw_linkargs *args)
{
	memset(l, 0, sizeof(*l));
	l->enabled = *config_text(cfg, KW_OPT_LOG) != '\0';
	l->argv_given = argv;
	if (!l->enabled)
		return;
	enum kw_link_class cls = args->output
		? classify_output(args->output, config_text(cfg, KW_OPT_SERIAL)) : KW_CLASS_PLAIN;
	l->inputs_logged = inputs_selected(cfg, cls);
	if (!l->inputs_logged)
		return;
	double start = kw_monotonic();
	inputs_list_hashed(args->words.v, args->words.n, linker_path,
			   threads_linker_kind(linker_path, argv[0]), &l->listed);
	hash_inputs(l, &l->listed);
	l->inputs_hashed_before = true;
	early_start(l);
	l->begin_time = kw_monotonic() - start;
}

/* Compare each input's size and mtime with what was hashed. Did any
 * change? */
static bool check_inputs_after(struct kw_linklog_link *l)
{
	bool any = false;
	for (size_t i = 0; i < l->nin; i++) {
		struct kw_linklog_input *in = &l->in[i];
		struct stat st;
		if (stat(in->path, &st)) {
			in->changed = !in->err; /* it went away while the link ran */
		} else if (!in->err) {
			in->changed = (uint64_t)st.st_size != in->size ||
				      st.st_mtim.tv_sec != in->mtime.tv_sec ||
				      st.st_mtim.tv_nsec != in->mtime.tv_nsec;
		}
		any |= in->changed;
	}
	return any;
}

/* PATH with "." and empty components removed and "x/.." folded, as text:
 * logs compare paths of other machines, so nothing is resolved on disk. */
static char *normalize(const char *path)
{
	size_t len = strlen(path), o = 0, depth = 0;
	char *out = kw_malloc(len + 2);
	size_t *starts = kw_malloc((len / 2 + 2) * sizeof(*starts));
	bool absolute = path[0] == '/';
	const char *p = path;
	if (absolute)
		out[o++] = '/';
	while (*p) {
		size_t n = strcspn(p, "/");
		bool dot = n == 1 && p[0] == '.';
		bool dotdot = n == 2 && p[0] == '.' && p[1] == '.';
		if (n == 0 || dot) {
			/* nothing */
		} else if (dotdot && depth) {
			o = starts[--depth]; /* drop the previous component */
			if (o > (absolute ? 1u : 0u))
				o--;     /* and its separator */
		} else if (dotdot && absolute) {
			/* "/.." is "/" */
		} else {
			if (o && out[o - 1] != '/')
				out[o++] = '/';
			if (!dotdot) /* a leading ".." stays, and is never folded */
				starts[depth++] = o;
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	free(starts);
	if (!o)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

char *linklog_path_join(const char *dir, const char *path)
{
	if (path[0] == '/' || !dir || !*dir)
		return normalize(path);
	char *joined = kw_asprintf("%s/%s", dir, path);
	char *n = normalize(joined);
	free(joined);
	return n;
}

char *linklog_path_relative(const char *root, const char *path)
{
	size_t len = strlen(root);
	if (!strcmp(root, "/"))
		return kw_strdup(path[0] == '/' && path[1] ? path + 1 : path);
	if (!strncmp(path, root, len) && path[len] == '/')
		return kw_strdup(path + len + 1);
	if (!strcmp(path, root))
		return kw_strdup(".");
	return kw_strdup(path);
}

static json_t *json_hex(const unsigned char *b, size_t n)
{
	char hex[2 * 16 + 1];
	hex_of(b, n, hex);
	return json_string(hex);
}

/* An errno's text for the record: the same on every machine (logs are
 * compared across them, so not the locale's), and safe in the second
 * thread, which strerror is not. */
static const char *error_text(int err)
{
	const char *d = strerrordesc_np(err);
	return d ? d : "unknown error";
}

static json_t *render_inputs(const struct kw_linklog_link *l)
{
	json_t *list = kwjson_check(json_array());
	for (size_t i = 0; i < l->nin; i++) {
		const struct kw_linklog_input *in = &l->in[i];
		json_t *o = kwjson_check(json_object());
		kwjson_set(o, "path", kwjson_string(in->path));
		kwjson_set(o, "kind", json_string(inputs_kind_name(in->kind)));
		if (in->err) {
			kwjson_set(o, "error", json_string(in->err == KW_LINKLOG_NOT_REGULAR
								    ? "not a regular file"
								    : error_text(in->err)));
		} else {
			kwjson_set(o, "size", json_integer((json_int_t)in->size));
			kwjson_set(o, "hash", json_hex(in->hash, 16));
		}
		kwjson_set(o, "changed", json_boolean(in->changed));
		kwjson_append(list, o);
	}
	return list;
}

/* The thread options klinkwrap put into what ran: the words of RAN that
 * GIVEN lacks (they are inserted as one run, slots.h). */
static json_t *render_thread_args(char *const given[], const struct kw_strvec *ran)
{
	json_t *list = kwjson_check(json_array());
	size_t ng = 0, i = 0;
	if (!given)
		return list;
	while (given[ng])
		ng++;
	if (ran->n <= ng)
		return list;
	while (i < ng && !strcmp(given[i], ran->v[i]))
		i++;
	for (size_t k = i; k < i + (ran->n - ng); k++)
		kwjson_append(list, kwjson_string(ran->v[k]));
	return list;
}

static const char *sym_status_name(enum kw_symset_status s)
{
	switch (s) {
	case KW_SYMSET_OK: return "ok";
	case KW_SYMSET_NO_SYMTAB: return "no-symtab";
	case KW_SYMSET_NOT_ELF: return "not-elf";
	case KW_SYMSET_BAD: return "bad";
	}
	return "?";
}

static json_t *uint_or_null(unsigned long v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

/* The fields every record starts with: the version and kind, when
 * (T, CLOCK_REALTIME; now when zero), where, and the output. */
static json_t *render_common(const char *kind, struct timespec t, const char *output)
{
	json_t *o = kwjson_check(json_object());
	char when[64], host[256] = "";
	struct tm tm;
	struct utsname un;
	char *cwd = getcwd(NULL, 0);
	const char *makelevel = getenv("MAKELEVEL");

	if (!t.tv_sec && !t.tv_nsec)
		clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06ldZ", t.tv_nsec / 1000);
	if (!uname(&un))
		snprintf(host, sizeof(host), "%s", un.nodename);

	kwjson_set(o, "v", json_integer(KW_LINKLOG_VERSION));
	kwjson_set(o, "kind", json_string(kind));
	kwjson_set(o, "time", json_string(when));
	kwjson_set(o, "start", json_real((double)t.tv_sec + t.tv_nsec / 1e9));
	kwjson_set(o, "host", kwjson_string(host));
	kwjson_set(o, "pid", json_integer((json_int_t)getpid()));
	kwjson_set(o, "cwd", cwd ? kwjson_string(cwd) : json_null());
	if (makelevel && *makelevel)
		kwjson_set(o, "makelevel", json_integer(strtol(makelevel, NULL, 10)));
	else
		kwjson_set(o, "makelevel", json_null());

	/* The output. */
	if (output) {
		char *abs = linklog_path_join(cwd, output);
		char *rel = cwd ? linklog_path_relative(cwd, abs) : kw_strdup(abs);
		kwjson_set(o, "output", kwjson_string(output));
		kwjson_set(o, "output_rel", kwjson_string(rel));
		free(abs);
		free(rel);
	} else {
		kwjson_set(o, "output", json_null());
		kwjson_set(o, "output_rel", json_null());
	}
	free(cwd);
	return o;
}

/* The placeholder of the inputs encoded early: a key of ours followed by
 * null, which no string of the record can contain unescaped. */
#define EARLY_SLOT "\"inputs\":null"

/* The record; with EARLY, "inputs" is EARLY_SLOT, for the text encoded
 * while the link ran. */
static json_t *render_record(const struct kw_linklog_link *l, const struct kw_config *cfg,
			     const struct kw_link_record *rec, const char *snapshot, bool early)
{
	json_t *o = render_common("link", rec->start_time, rec->output);
	double load[3] = { 0, 0, 0 };

	kwjson_set(o, "class", json_string(classify_name(rec->cls)));
	kwjson_set(o, "pass", uint_or_null(linklog_kallsyms_pass(rec->output)));
	kwjson_set(o, "fixpoint_pass", uint_or_null(l->fixpoint_pass));

	/* The command. */
	size_t ng = 0;
	while (l->argv_given && l->argv_given[ng])
		ng++;
	char argv_hash[33];
	linklog_argv_hash(ng ? l->argv_given + 1 : NULL, ng ? ng - 1 : 0, argv_hash);
	kwjson_set(o, "linker", rec->linker ? kwjson_string(rec->linker) : json_null());
	kwjson_set(o, "linker_kind", json_string(threads_linker_name(rec->kind)));
	kwjson_set(o, "argv_hash", json_string(argv_hash));
	kwjson_set(o, "thread_args", render_thread_args(l->argv_given, &rec->argv));
	if (config_flag(cfg, KW_OPT_LOG_ARGV)) {
		json_t *argv = kwjson_check(json_array());
		for (size_t i = 0; i < ng; i++)
			kwjson_append(argv, kwjson_string(l->argv_given[i]));
		kwjson_set(o, "argv", argv);
	}

	/* The inputs. */
	if (l->inputs_logged) {
		const struct kw_inputs *list = l->inputs_hashed_before ? &l->listed : &rec->inputs;
		kwjson_set(o, "inputs", early ? json_null() : render_inputs(l));
		kwjson_set(o, "inputs_incomplete", json_boolean(list->incomplete));
		kwjson_set(o, "inputs_why",
				    list->why ? kwjson_string(list->why) : json_null());
		kwjson_set(o, "inputs_hashed",
				    json_string(l->inputs_hashed_before ? "before" : "after"));
	}

	/* The outcome. */
	kwjson_set(o, "exit", json_integer(rec->exit_code));
	kwjson_set(o, "signal", json_integer(rec->signal));
	kwjson_set(o, "started", json_boolean(rec->started));
	if (rec->symhashed) {
		kwjson_set(o, "sym_status", json_string(sym_status_name(rec->sym_status)));
		if (rec->sym_status == KW_SYMSET_OK) {
			kwjson_set(o, "symhash", json_hex(rec->symhash.b, 16));
			kwjson_set(o, "symcount", json_integer((json_int_t)rec->symcount));
		}
	}
	if (!json_object_get(o, "symhash")) {
		if (!rec->symhashed)
			kwjson_set(o, "sym_status", json_null());
		kwjson_set(o, "symhash", json_null());
		kwjson_set(o, "symcount", json_null());
	}
	kwjson_set(o, "snapshot", snapshot ? kwjson_string(snapshot) : json_null());

	/* Time and resources. */
	unsigned long jobs = rec->jobs;
	if (!jobs) {
		struct kw_makeflags mf;
		jobserver_parse(getenv("MAKEFLAGS"), &mf);
		jobs = mf.jobs;
		jobserver_makeflags_release(&mf);
	}
	kwjson_set(o, "wall", json_real(rec->wall));
	kwjson_set(o, "lock_wait", json_real(rec->lock_wait));
	kwjson_set(o, "token_wait", json_real(rec->token_wait));
	kwjson_set(o, "threads", json_integer((json_int_t)rec->threads));
	kwjson_set(o, "jobs", uint_or_null(jobs));
	if (getloadavg(load, 3) == 3)
		kwjson_set(o, "load", json_pack("[f,f,f]", load[0], load[1], load[2]));
	else
		kwjson_set(o, "load", json_null());
	return o;
}

json_t *linklog_render(const struct kw_linklog_link *l, const struct kw_config *cfg,
		       const struct kw_link_record *rec, const char *snapshot)
{
	return render_record(l, cfg, rec, snapshot, false);
}

/* The record's line: EARLY (taken), when not NULL, is the inputs array
 * encoded while the link ran, spliced in at its slot. */
static char *record_line(const struct kw_linklog_link *l, const struct kw_config *cfg,
			 const struct kw_link_record *rec, const char *snapshot, char *early)
{
	json_t *o = render_record(l, cfg, rec, snapshot, early != NULL);
	char *line = kwjson_line(o), *slot;
	json_decref(o);
	if (!early)
		return line;
	slot = strstr(line, EARLY_SLOT);
	if (!slot || strstr(slot + 1, EARLY_SLOT)) {
		/* Cannot happen (see EARLY_SLOT): encode it all again. */
		free(line);
		free(early);
		return record_line(l, cfg, rec, snapshot, NULL);
	}
	size_t head = (size_t)(slot - line) + strlen("\"inputs\":");
	size_t tail = strlen(slot + strlen(EARLY_SLOT)), mid = strlen(early);
	char *whole = kw_malloc(head + mid + tail + 1);
	memcpy(whole, line, head);
	memcpy(whole + head, early, mid);
	memcpy(whole + head + mid, slot + strlen(EARLY_SLOT), tail + 1);
	free(line);
	free(early);
	return whole;
}

int linklog_append_line(const char *path, const char *line, size_t len, char **why)
{
	struct stat st;
	off_t before = -1;
	size_t done = 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		*why = kw_asprintf("cannot open: %s", strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			/* A file system without locks: the one write below still
			 * lands whole up to PIPE_BUF on most, so go on. */
			break;
		}
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		before = st.st_size;
	while (done < len) {
		ssize_t n = write(fd, line + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;
			/* No torn line: cut the file back to where this record
			 * began (we hold the lock, so nobody wrote after it). */
			if (done && before >= 0 && ftruncate(fd, before))
				*why = kw_asprintf("%s after %zu of %zu bytes, and cutting the "
						   "partial record off failed: %s", strerror(err),
						   done, len, strerror(errno));
			else
				*why = kw_asprintf("%s", strerror(err));
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	if (close(fd)) {
		*why = kw_asprintf("%s", strerror(errno));
		return -1;
	}
	return 0;
}

static int mkdir_p(const char *dir)
{
	char *p = kw_strdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

int linklog_write_snapshot(const char *dir, const char *output, const struct kw_symhash *known,
			   char **snapshot, char **why)
{
	struct kw_symset set = { 0 };
	struct kw_symhash h;
	char hex[KW_SYMHASH_HEX_LEN + 1];
	char *absdir, *final, *tmp;
	bool opened = false;
	FILE *f;
	int rc = -1;

	*snapshot = NULL;
	if (mkdir_p(dir) || !(absdir = realpath(dir, NULL))) {
		*why = kw_asprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (known) {
		/* Named by the hash the link already computed: a set kept
		 * before costs one access(). */
		symhash_hex(known, hex);
		final = kw_asprintf("%s/%s.syms", absdir, hex);
		if (!access(final, F_OK)) {
			rc = 0;
			goto done;
		}
		free(final);
	}
	if (symset_open(output, &set, why) != KW_SYMSET_OK) {
		free(absdir);
		return -1;
	}
	opened = true;
	symset_hash(&set, &h);
	symhash_hex(&h, hex);
	final = kw_asprintf("%s/%s.syms", absdir, hex);
	if (!access(final, F_OK)) {
		rc = 0; /* the same set was kept before */
		goto done;
	}
	tmp = kw_asprintf("%s/.%s.syms.%ld.tmp", absdir, hex, (long)getpid());
	if (!(f = fopen(tmp, "we"))) {
		*why = kw_asprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		goto done;
	}
	/* nm -n -S style: address, size, type letter, name. */
	for (size_t i = 0; i < set.count; i++) {
		struct kw_sym s;
		symset_get(&set, i, &s);
		if (s.undefined)
			fprintf(f, "%*s %*s %c %s\n", set.addr_width, "", set.addr_width, "",
				s.letter, s.name);
		else
			fprintf(f, "%0*" PRIx64 " %0*" PRIx64 " %c %s\n", set.addr_width, s.value,
				set.addr_width, s.size, s.letter, s.name);
	}
	if (ferror(f) | fclose(f) || rename(tmp, final)) {
		*why = kw_asprintf("%s: %s", final, strerror(errno));
		unlink(tmp);
		free(tmp);
		goto done;
	}
	free(tmp);
	rc = 0;
done:
	if (!rc)
		*snapshot = kw_strdup(final);
	free(final);
	free(absdir);
	if (opened)
		symset_close(&set);
	return rc;
}

/* Append LINE (taken) to LOG; a failure is one warning on "WHAT OUTPUT".
 * Was it written? */
static bool append_line(const char *log, char *line, const char *what, const char *output)
{
	char *why = NULL;
	bool written = !linklog_append_line(log, line, strlen(line), &why);
	if (!written) {
		kw_warn("link log %s: %s %s not written: %s", log, what, output, why);
		free(why);
	}
	free(line);
	return written;
}

static void release_link(struct kw_linklog_link *l)
{
	free(early_finish(l));
	for (size_t i = 0; i < l->nin; i++)
		free(l->in[i].path);
	free(l->in);
	inputs_release(&l->listed);
	l->in = NULL;
	l->nin = 0;
}

void linklog_end(struct kw_linklog_link *l, const struct kw_config *cfg,
		 const struct kw_link_record *rec)
{
	const char *log = config_text(cfg, KW_OPT_LOG);
	const char *snapdir = config_text(cfg, KW_OPT_SNAPSHOT_DIR);
	char *snapshot = NULL, *why = NULL;

	if (!*log) {
		release_link(l);
		return;
	}
	l->enabled = true;
	double end_start = kw_monotonic();
	char *early = NULL;
	if (l->early) {
		early = early_finish(l); /* the inputs stat'ed again, too */
	} else if (l->inputs_hashed_before) {
		check_inputs_after(l);
	} else if ((l->inputs_logged = inputs_selected(cfg, rec->cls))) {
		/* No linklog_begin for this link (once() ends the log of a
		 * link that could not start without one). After a begin this
		 * is not reached: begin and slots_begin classify the output
		 * alike, and link_run's record has no input list of its own. */
		hash_inputs(l, &rec->inputs);
	}

	if (*snapdir && rec->cls == KW_CLASS_SERIAL && rec->exit_code == 0 && rec->output &&
	    rec->symhashed && rec->sym_status == KW_SYMSET_OK &&
	    linklog_write_snapshot(snapdir, rec->output, &rec->symhash, &snapshot, &why)) {
		kw_warn("snapshot of %s in %s not written: %s", rec->output, snapdir, why);
		free(why);
		why = NULL;
	}

	char *line = record_line(l, cfg, rec, snapshot, early);
	size_t len = strlen(line);
	bool written = append_line(log, line, "record of",
				   rec->output ? rec->output : "(no output)");
	free(snapshot);
	/* What the log costs a link beside the link itself (bench/README.md). */
	if (config_flag(cfg, KW_OPT_VERBOSE)) {
		char before[96];
		if (l->inputs_hashed_before)
			snprintf(before, sizeof(before), "%zu input(s) hashed in %.3f ms before the link",
				 l->nin, l->begin_time * 1e3);
		else if (l->inputs_logged)
			snprintf(before, sizeof(before), "%zu input(s) hashed after the link", l->nin);
		else
			snprintf(before, sizeof(before), "no input hashed (--log-inputs=%s)",
				 config_text(cfg, KW_OPT_LOG_INPUTS));
		kw_error("%s: link log: %s, a record of %zu bytes %s in %.3f ms after it",
			 rec->output ? rec->output : "(no output)", before, len,
			 written ? "written" : "not written", (kw_monotonic() - end_start) * 1e3);
	}
	release_link(l);
}

void linklog_regen_begin(struct kw_linklog_regen *r)
{
	clock_gettime(CLOCK_REALTIME, &r->start_time);
	r->start_mono = kw_monotonic();
}

void linklog_regen_ran(struct kw_linklog_regen *r, const struct kw_child *child, int rc)
{
	r->wall = kw_monotonic() - r->start_mono;
	r->started = child->pid > 0;
	if (rc) {
		/* It could not be run (126, 127), or waiting failed. */
		r->exit_code = rc;
		r->signal = 0;
	} else {
		r->exit_code = exec_exit_code(child->status);
		r->signal = WIFSIGNALED(child->status) ? WTERMSIG(child->status) : 0;
	}
}

json_t *linklog_render_regen(const struct kw_linklog_regen *r)
{
	json_t *o = render_common("regen", r->start_time, r->output);
	json_t *argv = kwjson_check(json_array());
	for (size_t i = 0; r->argv && r->argv[i]; i++)
		kwjson_append(argv, kwjson_string(r->argv[i]));
	kwjson_set(o, "by", json_string(r->by));
	kwjson_set(o, "fixpoint_pass", json_integer((json_int_t)r->fixpoint_pass));
	kwjson_set(o, "command", argv);
	kwjson_set(o, "object", r->object ? kwjson_string(r->object) : json_null());
	kwjson_set(o, "exit", json_integer(r->exit_code));
	kwjson_set(o, "signal", json_integer(r->signal));
	kwjson_set(o, "started", json_boolean(r->started));
	kwjson_set(o, "padded", r->padded < 0 ? json_null() : json_integer(r->padded));
	kwjson_set(o, "wall", json_real(r->wall));
	return o;
}

void linklog_regen_end(const struct kw_linklog_regen *r, const struct kw_config *cfg)
{
	const char *log = config_text(cfg, KW_OPT_LOG);
	if (!*log)
		return;
	json_t *o = linklog_render_regen(r);
	append_line(log, kwjson_line(o), "regeneration record of",
		    r->output ? r->output : "(no output)");
	json_decref(o);
}

/* Reading. */

void linklog_file_release(struct kw_linklog_file *f)
{
	json_decref(f->records);
	json_decref(f->regens);
	json_decref(f->all);
	memset(f, 0, sizeof(*f));
}

bool linklog_is_regen(const json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	return kind && !strcmp(kind, "regen");
}

/* The fields readers need, per kind. */
static bool has_required(const json_t *o, bool regen, const char **missing)
{
	static const char *const link[] = { "cwd", "output", "output_rel", "class", "exit",
					     "argv_hash", "wall", "start", NULL };
	static const char *const step[] = { "cwd", "output", "output_rel", "fixpoint_pass",
					     "command", "exit", "signal", "wall", "start", NULL };
	for (const char *const *k = regen ? step : link; *k; k++) {
		if (!json_object_get(o, *k)) {
			*missing = *k;
			return false;
		}
	}
	return true;
}

/* Check the record O of line LINE: NULL when it is one, else why not
 * (malloc'd). *REGEN says its kind. */
static char *check_record(const char *path, size_t line, const json_t *o, bool *regen)
{
	const json_t *v = json_object_get(o, "v"), *kind = json_object_get(o, "kind");
	const char *missing;
	if (!json_is_integer(v))
		return kw_asprintf("%s: line %zu has no format version (\"v\"): not a "
				   "klinkwrap link log", path, line);
	json_int_t version = json_integer_value(v);
	if (version < KW_LINKLOG_VERSION_OLDEST || version > KW_LINKLOG_VERSION)
		return kw_asprintf("%s: line %zu is link log format version %" JSON_INTEGER_FORMAT
				   "; this klinkwrap reads versions %d to %d%s", path, line,
				   version, KW_LINKLOG_VERSION_OLDEST, KW_LINKLOG_VERSION,
				   version > KW_LINKLOG_VERSION
				   ? " (a newer klinkwrap wrote it: read it with that one)" : "");
	/* Version 1 knew links only, and had no "kind". */
	*regen = false;
	if (version >= 2) {
		const char *k = json_string_value(kind);
		if (!k || (strcmp(k, "link") && strcmp(k, "regen")))
			return kw_asprintf("%s: line %zu: a format version %" JSON_INTEGER_FORMAT
					   " record of unknown kind (\"kind\" must be \"link\" or "
					   "\"regen\")", path, line, version);
		*regen = !strcmp(k, "regen");
	}
	if (!has_required(o, *regen, &missing))
		return kw_asprintf("%s: line %zu lacks \"%s\": a damaged link log record", path,
				   line, missing);
	return NULL;
}

int linklog_read(const char *path, struct kw_linklog_file *out, char **why)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(out, 0, sizeof(*out));
	if (!f) {
		*why = kw_asprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	out->records = kwjson_check(json_array());
	out->regens = kwjson_check(json_array());
	out->all = kwjson_check(json_array());
	while ((len = getline(&line, &cap, f)) >= 0) {
		json_error_t err;
		json_t *o;
		bool regen = false;
		out->lines++;
		if (len == 0 || line[len - 1] != '\n') {
			*why = kw_asprintf("%s: line %zu is truncated (no newline at its end: the "
					   "log was cut short)", path, out->lines);
			goto fail;
		}
		o = json_loadb(line, (size_t)len - 1, 0, &err);
		if (!o || !json_is_object(o)) {
			*why = kw_asprintf("%s: line %zu is not a link log record (%s): not a "
					   "klinkwrap link log, or a damaged one", path, out->lines,
					   o ? "not a JSON object" : err.text);
			json_decref(o);
			goto fail;
		}
		if ((*why = check_record(path, out->lines, o, &regen))) {
			json_decref(o);
			goto fail;
		}
		kwjson_append(regen ? out->regens : out->records, json_incref(o));
		kwjson_append(out->all, o);
	}
	if (ferror(f)) {
		*why = kw_asprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	free(line);
	fclose(f);
	return 0;
fail:
	free(line);
	fclose(f);
	linklog_file_release(out);
	return -1;
}

const char *linklog_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

char *linklog_path(const json_t *rec, const char *key)
{
	return kwjson_decode(json_object_get(rec, key), NULL);
}

double linklog_num(const json_t *rec, const char *key)
{
	return json_number_value(json_object_get(rec, key));
}

/* WORD quoted for a shell when it needs it. Malloc'd. */
static char *shell_word(const char *word)
{
	if (*word && !word[strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./=:,+-@%")])
		return kw_strdup(word);
	char *q = kw_strdup("'");
	for (const char *p = word; *p; p++) {
		char *more = *p == '\'' ? kw_asprintf("%s'\\''", q) : kw_asprintf("%s%c", q, *p);
		free(q);
		q = more;
	}
	char *done = kw_asprintf("%s'", q);
	free(q);
	return done;
}

/* A regeneration record's command, its words shell-quoted. Malloc'd. */
char *linklog_regen_command(const json_t *rec)
{
	char *cmd = kw_strdup("");
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(rec, "command"), i, w) {
		char *word = kwjson_decode(w, NULL);
		char *q = shell_word(word ? word : "?");
		char *more = kw_asprintf("%s%s%s", cmd, i ? " " : "", q);
		free(word);
		free(q);
		free(cmd);
		cmd = more;
	}
	return cmd;
}
