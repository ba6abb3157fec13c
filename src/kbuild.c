/* Kbuild mode: check the final vmlinux link as link-vmlinux.sh will, and
 * repair it through the fixed-point loop with the per-generation scripts
 * of kbuild-integration/. */
#include "klinkwrap/kbuild.h"
#include "klinkwrap/classify.h"
#include "klinkwrap/converge.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/link.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/linklog.h"
#include "klinkwrap/pad.h"
#include "klinkwrap/symdiff.h"
#include "klinkwrap/symmap.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum kw_kbuild_mode kbuild_mode(const struct kw_config *cfg)
{
	const char *m = config_text(cfg, KW_OPT_KBUILD);
	if (!strcmp(m, "off"))
		return KW_KBUILD_OFF;
	if (!strcmp(m, "check"))
		return KW_KBUILD_CHECK;
	return KW_KBUILD_REPAIR;
}

bool kbuild_wants(const struct kw_config *cfg, const char *output, char *const words[],
		  size_t n)
{
	if (!output || kbuild_mode(cfg) == KW_KBUILD_OFF)
		return false;
	const char *base = kw_basename(output);
	if (strcmp(base, "vmlinux") && strcmp(base, "vmlinux.unstripped"))
		return false;
	struct kw_kbuild_pass pass;
	bool found = kbuild_find_pass(words, n, NULL, &pass);
	kbuild_pass_release(&pass);
	return found;
}

/* Does S, from P on, hold one or more digits and then SUFFIX exactly?
 * Sets *N to the digits' value. */
static bool digits_then(const char *p, const char *suffix, unsigned *n)
{
	const char *q = p;
	unsigned long v = 0;
	while (*q >= '0' && *q <= '9') {
		v = v * 10 + (unsigned long)(*q - '0');
		if (v > 1000)
			return false;
		q++;
	}
	if (q == p || strcmp(q, suffix))
		return false;
	*n = (unsigned)v;
	return true;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* 1: scripts/mksysmap is a sed script (6.4 on), 0: a shell script, -1:
 * unknown (no tree). */
static int mksysmap_is_sed(const char *srctree)
{
	if (!srctree || !*srctree)
		return -1;
	char *path = kw_asprintf("%s/scripts/mksysmap", srctree);
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return -1;
	char line[64] = "";
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return strstr(line, "sed") != NULL;
}

bool kbuild_find_pass(char *const words[], size_t n, const char *srctree,
		      struct kw_kbuild_pass *out)
{
	memset(out, 0, sizeof(*out));
	const char *found = NULL;
	bool new_naming = false;
	unsigned number = 0;
	/* The last one wins: Kbuild puts the table last on the line. */
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		if (w[0] == '-')
			continue;
		const char *b = kw_basename(w);
		unsigned k;
		if (!strncmp(b, ".tmp_vmlinux.kallsyms", 21) && digits_then(b + 21, ".o", &k)) {
			found = w;
			new_naming = false;
			number = k;
		} else if (!strncmp(b, ".tmp_vmlinux", 12) && digits_then(b + 12, ".kallsyms.o", &k)) {
			found = w;
			new_naming = true;
			number = k;
		}
	}
	if (!found)
		return false;
	out->object = kw_strdup(found);
	out->number = number;
	size_t dirlen = (size_t)(kw_basename(found) - found);
	if (new_naming)
		out->syms = kw_asprintf("%.*s.tmp_vmlinux%u.syms", (int)dirlen, found, number);
	else
		out->syms = kw_asprintf("%.*s.syms", (int)(strlen(found) - 2), found);
	if (!srctree)
		srctree = getenv("srctree");
	int sed = mksysmap_is_sed(srctree);
	const char *gen;
	if (!new_naming && !exists(out->syms))
		gen = "5.x"; /* its check compares .tmp_System.map; no .syms */
	else if (!new_naming && sed != 1)
		gen = "6.1";
	else if (new_naming && sed != 0)
		gen = "6.12";
	else
		gen = "unknown";
	out->generation = kw_strdup(gen);
	out->rules = !strcmp(gen, "6.1") ? KW_SYSMAP_6_1 : KW_SYSMAP_6_12;
	return true;
}

void kbuild_pass_release(struct kw_kbuild_pass *pass)
{
	free(pass->object);
	free(pass->syms);
	free(pass->generation);
	memset(pass, 0, sizeof(*pass));
}

static bool is_script_dir(const char *dir)
{
	char *lib = kw_asprintf("%s/regen-lib.sh", dir);
	bool ok = exists(lib);
	free(lib);
	return ok;
}

char *kbuild_script_dir(void)
{
	const char *env = getenv("KLINKWRAP_KBUILD_DIR");
	if (env && *env)
		return kw_strdup(env);
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return NULL;
	self[len] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	/* Installed (PREFIX/bin -> PREFIX/share), the source tree's root
	 * (./klinkwrap), a variant build (build/VARIANT/klinkwrap). */
	static const char *const rel[] = {
		"../share/klinkwrap/kbuild-integration",
		"kbuild-integration",
		"../../kbuild-integration",
	};
	for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
		char *dir = kw_asprintf("%s/%s", self, rel[i]);
		if (is_script_dir(dir))
			return dir;
		free(dir);
	}
	return NULL;
}

struct kbuild_ctx {
	const struct kw_config *cfg;
	char **argv;
	const char *output;
	struct kw_kbuild_pass pass;
	char *script;
	char *table_source;       /* the .S the script writes, for progress */
	FILE *progress;           /* NULL under make -s */
	bool verbose;             /* V=1 */
	unsigned first_pass;
	struct kw_symmap *first_map; /* the kernel's final link, already made */
	int last_status;          /* wait status of the last link */
	bool padding;
	struct kw_pad pad;
};

static bool keep_for_sysmap(void *ctx, char letter, const char *name)
{
	return sysmap_keep(*(const enum kw_sysmap_rules *)ctx, letter, name);
}

enum kw_kbuild_check kbuild_check_syms(const char *output, const char *syms,
				       enum kw_sysmap_rules rules, size_t *nkept, char **why)
{
	int fd = open(syms, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = kw_strdup(strerror(errno));
		return KW_KBUILD_NO_SYMS;
	}
	/* Only what mksysmap keeps, in nm -n's order, compared line by line
	 * as made: the common case ends here, and reads, sorts and writes
	 * no more than that. */
	struct kw_symset kept;
	if (symset_open_nm_filtered(output, keep_for_sysmap, &rules, &kept, why) != KW_SYMSET_OK) {
		close(fd);
		return KW_KBUILD_BAD_OUTPUT;
	}
	*nkept = kept.count;
	bool equal = false;
	int rc = symmap_set_equals_fd(&kept, fd, &equal, why);
	symset_close(&kept);
	close(fd);
	if (rc)
		return KW_KBUILD_NO_SYMS;
	return equal ? KW_KBUILD_EQUAL : KW_KBUILD_DIFFERS;
}

static int vmlinux_map(const char *output, enum kw_sysmap_rules rules, struct kw_symmap *map)
{
	struct kw_symset set;
	char *why = NULL;
	if (symset_open(output, &set, &why) != KW_SYMSET_OK) {
		kw_error("%s: %s", output, why);
		free(why);
		return KW_EXIT_SELF;
	}
	symmap_from_set(&set, true, rules, map);
	symset_close(&set);
	return 0;
}

static int kbuild_link(void *ctx, unsigned pass, struct kw_symmap *map)
{
	struct kbuild_ctx *k = ctx;
	if (pass == k->first_pass) {
		/* The kernel's own final link, made and read already. */
		symmap_copy(k->first_map, map);
		return 0;
	}
	converge_progress(k->progress, "LD", k->output, pass);
	struct kw_link_record rec;
	struct kw_linklog_link log;
	int rc = link_once_logged(k->cfg, k->argv, &log, &rec);
	/* klinkwrap's relinks go to the log (--log) with their pass numbers. */
	log.fixpoint_pass = pass;
	linklog_end(&log, k->cfg, &rec);
	k->last_status = rec.status;
	if (!rc && !(WIFEXITED(rec.status) && WEXITSTATUS(rec.status) == 0))
		rc = rec.exit_code ? rec.exit_code : 1;
	link_record_release(&rec);
	if (rc)
		return rc;
	return vmlinux_map(k->output, k->pass.rules, map);
}

/* Run the script after pass PASS; *LR gets what happened (the log's
 * record). */
static int run_regen(struct kbuild_ctx *k, unsigned pass, struct kw_linklog_regen *lr)
{
	struct kw_child child = KW_CHILD_INIT;
	child.path = "/bin/sh";
	child.argv = lr->argv;
	/* A signal to klinkwrap goes to the script (which leaves every file
	 * old or new), then klinkwrap ends by it. */
	int sig;
	linklog_regen_begin(lr);
	int rc = converge_run_step(&child, &sig);
	linklog_regen_ran(lr, &child, rc);
	if (sig) {
		linklog_regen_end(lr, k->cfg);
		exec_exit_like(sig); /* a wait status of death by SIG */
	}
	if (rc) {
		kw_error("%s: the regeneration script could not be run: %s", k->output, k->script);
		return KW_EXIT_SELF;
	}
	if (!WIFEXITED(child.status) || WEXITSTATUS(child.status)) {
		kw_error("%s: regenerating %s failed (%s %d): sh %s %s %s", k->output,
			 k->pass.object, WIFSIGNALED(child.status) ? "signal" : "exit",
			 WIFSIGNALED(child.status) ? WTERMSIG(child.status)
						   : WEXITSTATUS(child.status),
			 k->script, k->output, k->pass.object);
		return KW_EXIT_SELF;
	}
	if (k->padding) {
		int padded = pad_apply(&k->pad, pass);
		if (padded < 0)
			return KW_EXIT_SELF;
		lr->padded = padded;
		if (padded)
			converge_progress(k->progress, "PAD", k->pass.object, pass + 1);
	}
	return 0;
}

static int kbuild_regen(void *ctx, unsigned pass)
{
	struct kbuild_ctx *k = ctx;
	converge_progress(k->progress, "KSYMS", k->table_source, pass + 1);
	if (k->verbose && k->progress)
		fprintf(k->progress, "  sh %s %s %s\n", k->script, k->output, k->pass.object);
	char *const argv[] = { "sh", k->script, (char *)k->output, k->pass.object, NULL };
	/* The step is a record of the log (--log), between the links. */
	struct kw_linklog_regen lr = {
		.by = "kbuild",
		.output = k->output,
		.fixpoint_pass = pass + 1,
		.argv = argv,
		.object = k->pass.object,
		.padded = k->padding ? 0 : -1,
	};
	int rc = run_regen(k, pass, &lr);
	linklog_regen_end(&lr, k->cfg);
	return rc;
}

/* "klinkwrap: OUTPUT: ..." on why nothing is done for this kernel. */
static void cannot_repair(const struct kw_kbuild_pass *p, const char *output, const char *why)
{
	kw_warn("%s: kernel generation %s (%s): cannot repair this kernel generation (%s); "
		"linked as is", output, p->generation, kw_basename(p->object), why);
}

int kbuild_run(const struct kw_config *cfg, char *argv[])
{
	struct kw_linkargs la;
	char *why = NULL;
	int argc = 0;
	while (argv[argc])
		argc++;
	if (linkargs_analyze(argc - 1, argv + 1, &la, &why)) {
		kw_error("%s", why);
		free(why);
		linkargs_release(&la);
		return KW_EXIT_SELF;
	}
	enum kw_kbuild_mode mode = kbuild_mode(cfg);
	struct kbuild_ctx k = {
		.cfg = cfg,
		.argv = argv,
		.output = la.output,
		.progress = converge_make_silent() ? NULL : stdout,
		.verbose = getenv("KBUILD_VERBOSE") && !strcmp(getenv("KBUILD_VERBOSE"), "1"),
	};
	/* Check, regenerate and relink under one hold of the serial lock. */
	int lock_fd = -1;
	if (classify_output(la.output, config_text(cfg, KW_OPT_SERIAL)) == KW_CLASS_SERIAL) {
		double waited;
		lock_fd = classify_lock(la.output, &waited);
	}
	struct kw_link_record rec;
	struct kw_linklog_link log;
	int rc = link_once_logged(cfg, argv, &log, &rec);
	k.last_status = rec.status;
	if (!rc && config_flag(cfg, KW_OPT_VERBOSE)) {
		char *line = link_record_summary(&rec);
		kw_error("%s", line);
		free(line);
	}
	linklog_end(&log, cfg, &rec);
	bool linked = !rc && WIFEXITED(rec.status) && WEXITSTATUS(rec.status) == 0;
	link_record_release(&rec);
	struct kw_symmap before = { 0 }, first = { 0 };
	bool have_before = false, have_first = false;
	if (rc || !linked)
		goto end;
	if (!kbuild_find_pass(la.words.v, la.words.n, NULL, &k.pass))
		goto end; /* cannot happen after kbuild_wants; nothing to check */
	if (strcmp(k.pass.generation, "6.1") && strcmp(k.pass.generation, "6.12")) {
		cannot_repair(&k.pass, la.output,
			      !strcmp(k.pass.generation, "5.x")
				      ? "its check compares .tmp_System.map, no .syms beside the table"
				      : "naming and scripts/mksysmap do not match a known one");
		goto end;
	}

	/* The check the kernel will make: mksysmap of vmlinux, byte for byte
	 * against the last pass's .syms. */
	double check_start = kw_monotonic();
	size_t nkept;
	enum kw_kbuild_check check =
		kbuild_check_syms(la.output, k.pass.syms, k.pass.rules, &nkept, &why);
	if (check == KW_KBUILD_NO_SYMS) {
		kw_warn("%s: %s: %s; not checked", la.output, k.pass.syms, why);
		free(why);
		goto end;
	}
	if (check == KW_KBUILD_BAD_OUTPUT) {
		kw_error("%s: %s", la.output, why);
		free(why);
		rc = KW_EXIT_SELF;
		goto end;
	}
	bool consistent = check == KW_KBUILD_EQUAL;
	/* What the check costs beside the link (bench/README.md). */
	if (config_flag(cfg, KW_OPT_VERBOSE))
		kw_error("%s: kallsyms check: System.map %s %s (%zu symbols) in %.3f ms", la.output,
			 consistent ? "equals" : "differs from", k.pass.syms, nkept,
			 (kw_monotonic() - check_start) * 1e3);
	if (consistent)
		goto end;
	if ((rc = vmlinux_map(la.output, k.pass.rules, &first)))
		goto end;
	have_first = true;
	if (symmap_read(k.pass.syms, &before, &why)) {
		kw_error("%s: %s", k.pass.syms, why);
		free(why);
		rc = KW_EXIT_SELF;
		goto end;
	}
	have_before = true;
	char *change = converge_change_summary(&before, &first);
	if (mode == KW_KBUILD_CHECK) {
		kw_error("%s: inconsistent kallsyms data: System.map will differ from %s (%s); "
			 "--kbuild=check: not repaired", la.output, k.pass.syms, change);
		struct kw_symdiff d;
		symdiff_compute_syms(before.v, before.n, first.v, first.n, first.addr_width, &d);
		symdiff_print(&d, stderr);
		symdiff_release(&d);
		free(change);
		rc = KW_EXIT_NOT_CONVERGED;
		goto end;
	}

	char *dir = kbuild_script_dir();
	k.script = dir ? kw_asprintf("%s/regen-%s.sh", dir, k.pass.generation) : NULL;
	free(dir);
	if (!k.script || !exists(k.script)) {
		kw_error("%s: inconsistent kallsyms data (%s), and no regeneration script for "
			 "kernel generation %s (%s; set KLINKWRAP_KBUILD_DIR)", la.output, change,
			 k.pass.generation, k.script ? k.script : "no kbuild-integration directory");
		free(change);
		rc = KW_EXIT_NOT_CONVERGED;
		goto end;
	}
	/* X.o -> X.S in both namings. */
	k.table_source = kw_asprintf("%.*s.S", (int)(strlen(k.pass.object) - 2), k.pass.object);
	k.first_pass = k.pass.number + 1;
	k.first_map = &first;
	k.padding = config_flag(cfg, KW_OPT_PAD);
	if (k.padding) {
		pad_init(&k.pad, k.pass.object, argv[0]);
		if (pad_apply(&k.pad, 0) < 0) {
			pad_release(&k.pad);
			free(change);
			rc = KW_EXIT_SELF;
			goto end;
		}
	}
	struct kw_converge_opts opts = {
		.max_links = 1 + (unsigned)config_number(cfg, KW_OPT_MAX_PASSES),
		.first_pass = k.first_pass,
		.padding = k.padding,
		.before = &before,
	};
	struct kw_converge_steps steps = { &k, kbuild_link, kbuild_regen };
	struct kw_converge_result res;
	converge_run(&opts, &steps, &res);
	if (k.padding)
		pad_release(&k.pad);
	unsigned relinks = res.links ? res.links - 1 : 0;
	if (res.outcome == KW_CONVERGED) {
		/* Never silent, even under make -s. */
		kw_error("%s: the kernel's kallsyms passes ran out (System.map would have differed "
			 "from %s: %s); klinkwrap regenerated %s and added %u relink%s: "
			 "consistent at pass %u", la.output, k.pass.syms, change, k.pass.object,
			 relinks, relinks == 1 ? "" : "s", k.first_pass + relinks);
		rc = 0;
	} else if (res.outcome == KW_CONVERGE_FAILED) {
		rc = res.status;
		if (!res.failed_in_regen && k.last_status) {
			free(change);
			converge_result_release(&res);
			classify_unlock(lock_fd);
			exec_exit_like(k.last_status);
		}
	} else {
		converge_report(&res, stderr);
		kw_error("%s: inconsistent kallsyms data after %u relink%s by klinkwrap (first: %s); "
			 "giving up", la.output, relinks, relinks == 1 ? "" : "s", change);
		rc = KW_EXIT_NOT_CONVERGED;
	}
	free(change);
	converge_result_release(&res);
	goto end;

end:
	classify_unlock(lock_fd);
	if (have_before)
		symmap_release(&before);
	if (have_first)
		symmap_release(&first);
	kbuild_pass_release(&k.pass);
	free(k.script);
	free(k.table_source);
	linkargs_release(&la);
	if (rc)
		return rc;
	exec_exit_like(k.last_status);
}
