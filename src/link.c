/* The wrapped link. */
#include "klinkwrap/link.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/locate.h"
#include "klinkwrap/slots.h"
#include "klinkwrap/symset.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* What one link is and how it went; grows as features report on links. */
struct link {
	const struct kw_config *cfg;
	char **argv;            /* as given; argv[0] is the linker's name */
	const char *path;       /* the linker that runs */
	struct kw_linkargs args;
	struct kw_child child;
	struct kw_slots slots;  /* lock, tokens and threads while it runs */
	double start, end;      /* CLOCK_MONOTONIC seconds */
	/* The output's symbol set (symset.h), for a successful link with
	 * --symhash: sym_status is KW_SYMSET_OK with the hash and count, or
	 * why there is none. */
	bool symhashed;
	enum kw_symset_status sym_status;
	struct kw_symhash symhash;
	size_t symcount;
};

/* Run the linker to completion. Returns 0 when it ran (whatever its exit
 * status), else klinkwrap's exit status. */
static int run_linker(struct link *l)
{
	int rc, sig;
	slots_begin(&l->slots, l->cfg, l->path, &l->args, l->argv);
	l->start = kw_monotonic();
	rc = exec_start(&l->child, l->path, slots_argv(&l->slots));
	if (!rc && slots_wait(&l->slots, &l->child))
		rc = KW_EXIT_SELF;
	l->end = kw_monotonic();
	/* Tokens go back before anything else can end klinkwrap. */
	if ((sig = slots_end(&l->slots)) != 0 && !rc && !WIFSIGNALED(l->child.status))
		l->child.status = W_EXITCODE(0, sig); /* end by the signal nobody acted on */
	return rc;
}

/* Report on a link that ran. */
static void after_link(struct link *l)
{
	char *why = NULL, note[80] = "";
	int code = exec_exit_code(l->child.status);

	if (code == 0 && config_flag(l->cfg, KW_OPT_SYMHASH)) {
		l->symhashed = true;
		l->sym_status = symset_hash_file(l->args.output, &l->symhash, &l->symcount, &why);
	}
	if (l->symhashed && l->sym_status == KW_SYMSET_OK) {
		char hex[KW_SYMHASH_HEX_LEN + 1];
		symhash_hex(&l->symhash, hex);
		snprintf(note, sizeof(note), ", symhash %s (%zu symbols)", hex, l->symcount);
	} else if (l->symhashed && l->sym_status == KW_SYMSET_NO_SYMTAB) {
		/* Stripped: recorded as such, not an error. A non-ELF output
		 * (--oformat binary, a map) is simply skipped. */
		snprintf(note, sizeof(note), ", no .symtab");
	} else if (l->symhashed && l->sym_status == KW_SYMSET_BAD) {
		kw_warn("%s: cannot hash the symbol set: %s", l->args.output, why);
	}
	free(why);
	if (config_flag(l->cfg, KW_OPT_VERBOSE))
		kw_error("%s: %s exited %d after %.3f s%s", l->args.output, l->path, code,
			 l->end - l->start, note);
}

int link_run(const struct kw_config *cfg, int argc, char *argv[])
{
	struct link l = { .cfg = cfg, .argv = argv };
	char *path, *why;
	int rc;

	if ((rc = locate_enter(argv[0])) != 0)
		return rc;
	if ((rc = locate_linker(argv[0], &path)) != 0)
		return rc;
	l.path = path;

	if (linkargs_analyze(argc - 1, argv + 1, &l.args, &why)) {
		kw_warn("%s; running the linker unwatched", why);
		free(why);
		linkargs_release(&l.args);
		rc = exec_replace(path, argv);
		free(path);
		return rc;
	}
	if (l.args.informational || !l.args.output) {
		/* Probes (ld-version.sh, ld-option) see the real linker. */
		linkargs_release(&l.args);
		rc = exec_replace(path, argv);
		free(path);
		return rc;
	}

	/* A real link: every setting in effect must be valid. */
	if (config_validate(cfg)) {
		linkargs_release(&l.args);
		free(path);
		return KW_EXIT_SELF;
	}
	rc = run_linker(&l);
	if (!rc)
		after_link(&l);
	linkargs_release(&l.args);
	free(path);
	if (rc)
		return rc;
	exec_exit_like(l.child.status);
}
