/* klinkwrap converge [WRAPPER-OPTIONS] [--max-passes=N] [--pad=FILE]
 * [--sysmap[=RULES]] [--format=text|json] [--quiet] --regen=CMD --
 * LINKER ARGS...: the generic fixed point. Each pass is a full wrapped
 * link (link_once); CMD regenerates the link's inputs from its output. */
#include "klinkwrap/classify.h"
#include "klinkwrap/commands.h"
#include "klinkwrap/converge.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/json.h"
#include "klinkwrap/link.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/linklog.h"
#include "klinkwrap/pad.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE "[WRAPPER-OPTIONS] [--max-passes=N] [--pad=FILE] [--sysmap[=auto|6.1|6.12]] " \
	      "[--previous-map=MAP] [--format=text|json] [--quiet] --regen=CMD -- LINKER ARGS..."

struct generic {
	const struct kw_config *cfg;
	char **argv;              /* the link */
	const char *output;
	const char *regen;
	bool sysmap;
	enum kw_sysmap_rules rules;
	FILE *progress;           /* NULL: silent */
	char *prev_copy;          /* OUTPUT.klinkwrap-prev: the previous pass's output */
	bool have_prev_copy;
	struct kw_pad pad;        /* --pad=FILE */
	bool padding;
	int link_status;          /* wait status of a failed link */
};

/* Copy FROM to TO (through TO.tmp, renamed). Returns 0, or -1 reported. */
static int copy_file(const char *from, const char *to)
{
	char *tmp = kw_asprintf("%s.tmp", to);
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	if (in < 0) {
		kw_error("converge: %s: %s", from, strerror(errno));
		goto done;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		kw_error("converge: %s: %s", tmp, strerror(errno));
		goto done;
	}
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kw_error("converge: %s: %s", from, strerror(errno));
			goto done;
		}
		if (!n)
			break;
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				kw_error("converge: %s: %s", tmp, strerror(errno));
				goto done;
			}
			w += k;
		}
	}
	if (close(out)) {
		out = -1;
		kw_error("converge: %s: %s", tmp, strerror(errno));
		goto done;
	}
	out = -1;
	if (rename(tmp, to)) {
		kw_error("converge: %s: %s", to, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int generic_link(void *ctx, unsigned pass, struct kw_symmap *map)
{
	struct generic *g = ctx;
	converge_progress(g->progress, "LD", g->output, pass);
	struct kw_link_record rec;
	struct kw_linklog_link log;
	int rc = link_once_logged(g->cfg, g->argv, &log, &rec);
	/* Every pass is a link of the log (--log), with its pass number. */
	log.fixpoint_pass = pass;
	linklog_end(&log, g->cfg, &rec);
	if (!rc && !(WIFEXITED(rec.status) && WEXITSTATUS(rec.status) == 0)) {
		g->link_status = rec.status;
		rc = rec.exit_code ? rec.exit_code : 1;
	}
	link_record_release(&rec);
	if (rc)
		return rc;
	struct kw_symset set;
	char *why = NULL;
	if (symset_open(g->output, &set, &why) != KW_SYMSET_OK) {
		kw_error("converge: %s (pass %u): %s", g->output, pass, why);
		free(why);
		return KW_EXIT_SELF;
	}
	enum kw_sysmap_rules rules = g->rules;
	if (g->sysmap && rules == KW_SYSMAP_AUTO)
		rules = sysmap_detect(&set);
	symmap_from_set(&set, g->sysmap, rules, map);
	symset_close(&set);
	return 0;
}

/* Run CMD after pass PASS; *LR gets what happened (the log's record). */
static int run_regen(struct generic *g, unsigned pass, struct kw_linklog_regen *lr)
{
	char *env_pass = kw_asprintf("KLINKWRAP_PASS=%u", pass);
	char *env_out = kw_asprintf("KLINKWRAP_OUTPUT=%s", g->output);
	char *env_prev = kw_asprintf("KLINKWRAP_PREV_OUTPUT=%s",
				     g->have_prev_copy ? g->prev_copy : "");
	const char *env[] = { env_pass, env_out, env_prev, NULL };
	struct kw_child child = KW_CHILD_INIT;
	child.path = "/bin/sh";
	child.argv = lr->argv;
	child.env = env;
	int sig;
	linklog_regen_begin(lr);
	int rc = converge_run_step(&child, &sig);
	linklog_regen_ran(lr, &child, rc);
	free(env_pass);
	free(env_out);
	free(env_prev);
	if (sig) {
		if (g->have_prev_copy)
			unlink(g->prev_copy);
		linklog_regen_end(lr, g->cfg);
		exec_exit_like(sig); /* a wait status of death by SIG */
	}
	if (rc) {
		kw_error("converge: the regeneration command could not be run: %s", g->regen);
		return KW_EXIT_SELF;
	}
	if (!WIFEXITED(child.status) || WEXITSTATUS(child.status)) {
		if (WIFSIGNALED(child.status))
			kw_error("converge: the regeneration command died of signal %d (pass %u): %s",
				 WTERMSIG(child.status), pass, g->regen);
		else
			kw_error("converge: the regeneration command exited %d (pass %u): %s",
				 WEXITSTATUS(child.status), pass, g->regen);
		return KW_EXIT_SELF;
	}
	if (g->padding) {
		int padded = pad_apply(&g->pad, pass);
		if (padded < 0)
			return KW_EXIT_SELF;
		lr->padded = padded;
		if (padded)
			converge_progress(g->progress, "PAD", g->pad.file, pass + 1);
	}
	return 0;
}

static int generic_regen(void *ctx, unsigned pass)
{
	struct generic *g = ctx;
	converge_progress(g->progress, "REGEN", g->regen, pass + 1);
	char *const argv[] = { "sh", "-c", (char *)g->regen, NULL };
	/* The step is a record of the log (--log), between the links. */
	struct kw_linklog_regen lr = {
		.by = "converge",
		.output = g->output,
		.fixpoint_pass = pass + 1,
		.argv = argv,
		.object = g->padding ? g->pad.file : NULL,
		.padded = g->padding ? 0 : -1,
	};
	int rc = run_regen(g, pass, &lr);
	linklog_regen_end(&lr, g->cfg);
	if (rc)
		return rc;
	/* The next regeneration's KLINKWRAP_PREV_OUTPUT. */
	if (copy_file(g->output, g->prev_copy))
		return KW_EXIT_SELF;
	g->have_prev_copy = true;
	return 0;
}

int cmd_converge(int argc, char *argv[])
{
	const char *format_arg = NULL, *rules_arg = NULL, *regen = NULL, *pad_file = NULL,
		   *previous_map = NULL;
	bool sysmap = false, quiet = false;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ "sysmap", SUBCMD_OPTIONAL_VALUE, &rules_arg, &sysmap },
		{ "regen", SUBCMD_REQUIRED_VALUE, &regen, NULL },
		{ "pad", SUBCMD_REQUIRED_VALUE, &pad_file, NULL },
		{ "quiet", SUBCMD_NO_VALUE, NULL, &quiet },
		{ "previous-map", SUBCMD_REQUIRED_VALUE, &previous_map, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct kw_config cfg;
	config_init(&cfg);
	struct subcmd sc = {
		.name = "converge",
		.usage = USAGE,
		.help = "Link, run CMD to regenerate the inputs from the output, relink, until two\n"
			"consecutive links have the same symbol set (--sysmap: the same System.map).\n"
			"CMD runs with KLINKWRAP_PASS, KLINKWRAP_OUTPUT and KLINKWRAP_PREV_OUTPUT set.\n"
			"Exit 0 converged, 124 not (cycle or out of passes), 125 CMD failed, else the\n"
			"linker's status.\n",
		.options = options,
		.config = &cfg,
	};
	enum kw_format format = KW_FORMAT_TEXT;
	enum kw_sysmap_rules rules = KW_SYSMAP_AUTO;
	struct kw_symmap before;
	bool have_before = false;
	int rc;
	/* The environment first, so that the command line wins. */
	config_load_env(&cfg);
	rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		goto out;
	rc = KW_EXIT_SELF;
	if (subcmd_format(&sc, format_arg, &format))
		goto out;
	if (rules_arg && sysmap_parse_rules(rules_arg, &rules)) {
		rc = subcmd_usage_error(&sc, "--sysmap: expected auto, 6.1 or 6.12, got '%s'",
					rules_arg);
		goto out;
	}
	if (!regen || !*regen) {
		rc = subcmd_usage_error(&sc, "--regen=CMD is required");
		goto out;
	}
	if (sc.dashdash != 0 || sc.noperands < 1) {
		rc = subcmd_usage_error(&sc, sc.noperands && sc.dashdash != 0
						 ? "the link comes after '--' (unexpected '%s')"
						 : "no link command after '--'%s",
					sc.noperands && sc.dashdash != 0 ? sc.operands[0] : "");
		goto out;
	}
	if (config_validate(&cfg))
		goto out;
	/* --previous-map: the set of a link made before (a kernel's last
	 * kallsyms pass, as its .syms), so that the first link here is
	 * already a check and a loop that needs no more adds no link. */
	if (previous_map) {
		char *why = NULL;
		if (!sysmap || rules == KW_SYSMAP_AUTO) {
			rc = subcmd_usage_error(&sc, "--previous-map needs --sysmap=6.1 or --sysmap=6.12");
			goto out;
		}
		if (symmap_read(previous_map, &before, &why)) {
			kw_error("converge: %s: %s", previous_map, why);
			free(why);
			goto out;
		}
		have_before = true;
	}

	struct kw_linkargs la;
	char *why = NULL;
	if (linkargs_analyze(sc.noperands - 1, sc.operands + 1, &la, &why)) {
		kw_error("converge: %s", why);
		free(why);
		linkargs_release(&la);
		goto out;
	}
	if (!la.output || la.informational) {
		kw_error("converge: the link command names no output file (-o FILE)");
		linkargs_release(&la);
		goto out;
	}
	struct generic g = {
		.cfg = &cfg,
		.argv = sc.operands,
		.output = la.output,
		.regen = regen,
		.sysmap = sysmap,
		.rules = rules,
		.progress = quiet || converge_make_silent() ? NULL
			    : format == KW_FORMAT_JSON ? stderr : stdout,
		.prev_copy = kw_asprintf("%s.klinkwrap-prev", la.output),
	};
	if (pad_file) {
		pad_init(&g.pad, pad_file, sc.operands[0]);
		g.padding = true;
	}
	/* A serial output keeps its lock from the first link to the last. */
	int lock_fd = -1;
	if (classify_output(la.output, config_text(&cfg, KW_OPT_SERIAL)) == KW_CLASS_SERIAL) {
		double waited;
		lock_fd = classify_lock(la.output, &waited);
	}
	if (g.padding && pad_apply(&g.pad, 0) < 0) { /* the sizes the first link sees */
		pad_release(&g.pad);
		free(g.prev_copy);
		classify_unlock(lock_fd);
		linkargs_release(&la);
		goto out;
	}
	struct kw_converge_opts opts = {
		.max_links = (unsigned)config_number(&cfg, KW_OPT_MAX_PASSES),
		.first_pass = have_before ? 2 : 1,
		.padding = g.padding,
		.before = have_before ? &before : NULL,
	};
	struct kw_converge_steps steps = { &g, generic_link, generic_regen };
	struct kw_converge_result res;
	converge_run(&opts, &steps, &res);
	classify_unlock(lock_fd);
	unlink(g.prev_copy);
	free(g.prev_copy);
	if (g.padding)
		pad_release(&g.pad);

	if (res.outcome == KW_CONVERGE_FAILED && !res.failed_in_regen && g.link_status) {
		converge_result_release(&res);
		linkargs_release(&la);
		config_release(&cfg);
		exec_exit_like(g.link_status); /* the linker's own status */
	}
	rc = converge_exit_status(&res);
	if (format == KW_FORMAT_JSON) {
		json_t *top = converge_json(&res);
		kwjson_set(top, "output", kwjson_string(la.output));
		subcmd_print_json(top);
	} else if (res.outcome == KW_CONVERGE_CYCLE || res.outcome == KW_CONVERGE_EXHAUSTED) {
		converge_report(&res, stderr);
	} else if (res.outcome == KW_CONVERGED && config_flag(&cfg, KW_OPT_VERBOSE)) {
		kw_error("converge: %s: fixed point after %u link%s", la.output, res.links,
			 res.links == 1 ? "" : "s");
	}
	if (res.outcome == KW_CONVERGE_CYCLE || res.outcome == KW_CONVERGE_EXHAUSTED)
		kw_error("converge: %s is left from the last pass and is not consistent",
			 la.output);
	converge_result_release(&res);
	linkargs_release(&la);
	rc = subcmd_finish(rc, KW_EXIT_SELF);
out:
	if (have_before)
		symmap_release(&before);
	config_release(&cfg);
	return rc;
}
