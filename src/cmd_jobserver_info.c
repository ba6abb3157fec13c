/* klinkwrap jobserver-info: what a link would see of make's jobserver. */
#include "klinkwrap/commands.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/jobserver.h"
#include "klinkwrap/slots.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define USAGE "[--format=text|json]"

struct info {
	const char *makeflags;
	const struct kw_makeflags *mf;
	bool usable;
	long free_tokens;   /* -1: not counted */
	char *warning;      /* the warning an --exclusive serial link would print, or NULL */
};

static void print_text(const struct info *in)
{
	const struct kw_makeflags *mf = in->mf;
	printf("MAKEFLAGS:   %s\n", in->makeflags ? in->makeflags : "(unset)");
	printf("style:       %s\n", jobserver_style_name(mf->style));
	if (mf->style == KW_JS_FIFO)
		printf("fifo:        %s\n", mf->fifo);
	else if (mf->style == KW_JS_PIPE || mf->style == KW_JS_DISABLED)
		printf("fds:         %d,%d\n", mf->rfd, mf->wfd);
	else if (mf->auth)
		printf("auth:        %s\n", mf->auth);
	if (mf->jobs)
		printf("jobs:        %lu\n", mf->jobs);
	else
		printf("jobs:        %s\n", mf->style == KW_JS_NONE ? "-" : "unknown");
	printf("dry run:     %s\n", mf->dry_run ? "yes" : "no");
	printf("usable:      %s\n", in->usable ? "yes" : "no");
	if (in->free_tokens >= 0)
		printf("free tokens: %ld\n", in->free_tokens);
	else
		printf("free tokens: -\n");
	printf("warning:     %s\n", in->warning ? in->warning : "(none)");
}

static void print_json(const struct info *in)
{
	const struct kw_makeflags *mf = in->mf;
	json_t *o = json_object();
	json_object_set_new(o, "makeflags", in->makeflags ? json_string(in->makeflags) : json_null());
	json_object_set_new(o, "style", json_string(jobserver_style_name(mf->style)));
	json_object_set_new(o, "auth", mf->auth ? json_string(mf->auth) : json_null());
	json_object_set_new(o, "fifo", mf->fifo ? json_string(mf->fifo) : json_null());
	if (mf->style == KW_JS_PIPE || mf->style == KW_JS_DISABLED)
		json_object_set_new(o, "fds", json_pack("[ii]", mf->rfd, mf->wfd));
	else
		json_object_set_new(o, "fds", json_null());
	json_object_set_new(o, "jobs", mf->jobs ? json_integer((json_int_t)mf->jobs) : json_null());
	json_object_set_new(o, "dry_run", json_boolean(mf->dry_run));
	json_object_set_new(o, "usable", json_boolean(in->usable));
	json_object_set_new(o, "free_tokens",
			    in->free_tokens >= 0 ? json_integer(in->free_tokens) : json_null());
	json_object_set_new(o, "warning", in->warning ? json_string(in->warning) : json_null());
	subcmd_print_json(o);
}

int cmd_jobserver_info(int argc, char *argv[])
{
	enum kw_format format = KW_FORMAT_TEXT;
	for (int i = 1; i < argc; i++) {
		int r = subcmd_format_arg(argv[0], argv[i], &format);
		if (r < 0)
			return KW_EXIT_SELF;
		if (r == 0) {
			char *msg = kw_asprintf("unexpected argument '%s'", argv[i]);
			int rc = subcmd_usage_error(KW_EXIT_SELF, argv[0], USAGE, msg);
			free(msg);
			return rc;
		}
	}

	/* Connect only where a link would (a thread-capable one, or an
	 * --exclusive serial one under the KLINKWRAP_* settings); a bad
	 * setting is the link's error to report, not this report's. */
	struct kw_config cfg;
	config_init(&cfg);
	(void)config_load_env(&cfg);
	struct kw_jobserver js;
	struct info in = { .makeflags = getenv("MAKEFLAGS"), .free_tokens = -1 };
	jobserver_init(&js, in.makeflags);
	if (slots_would_connect(&cfg, &js, config_flag(&cfg, KW_OPT_EXCLUSIVE)))
		in.usable = jobserver_connect(&js);
	config_release(&cfg);
	in.mf = &js.mf;
	if (in.usable) {
		/* Taken and given back at once; a signal in between waits until
		 * they are back, then ends klinkwrap. */
		exec_signals_catch();
		in.free_tokens = (long)jobserver_take(&js, SIZE_MAX);
		jobserver_give_back(&js);
		int sig = exec_signals_release();
		if (sig) {
			jobserver_close(&js);
			exec_exit_like(W_EXITCODE(0, sig));
		}
	}
	/* The text an --exclusive serial link prints, the one link that
	 * warns: built by the same code. */
	char *warning = jobserver_unusable_warning(&js);
	if (warning)
		in.warning = kw_asprintf("klinkwrap: warning: %s", warning);
	free(warning);

	if (format == KW_FORMAT_JSON)
		print_json(&in);
	else
		print_text(&in);
	free(in.warning);
	jobserver_close(&js);
	return subcmd_finish(0, KW_EXIT_SELF);
}
