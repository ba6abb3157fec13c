/* The wrapped link. */
#include "klinkwrap/link.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/locate.h"
#include "klinkwrap/util.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

/* What one link is and how it went; grows as features report on links. */
struct link {
	const struct kw_config *cfg;
	char **argv;            /* as given; argv[0] is the linker's name */
	const char *path;       /* the linker that runs */
	struct kw_linkargs args;
	struct kw_child child;
	double start, end;      /* CLOCK_MONOTONIC seconds */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run the linker to completion. Returns 0 when it ran (whatever its exit
 * status), else klinkwrap's exit status. */
static int run_linker(struct link *l)
{
	int rc;
	l->start = now();
	if ((rc = exec_start(&l->child, l->path, l->argv)) != 0)
		return rc;
	if (exec_wait(&l->child))
		return KW_EXIT_SELF;
	l->end = now();
	return 0;
}

/* Report on a link that ran. */
static void after_link(struct link *l)
{
	if (config_flag(l->cfg, KW_OPT_VERBOSE))
		kw_error("%s: %s exited %d after %.3f s", l->args.output, l->path,
			 exec_exit_code(l->child.status), l->end - l->start);
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

	rc = run_linker(&l);
	if (!rc)
		after_link(&l);
	linkargs_release(&l.args);
	free(path);
	if (rc)
		return rc;
	exec_exit_like(l.child.status);
}
