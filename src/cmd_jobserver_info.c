/* klinkwrap jobserver-info: what a link would see of make's jobserver. */
#include "klinkwrap/commands.h"
#include "klinkwrap/exec.h"
#include "klinkwrap/jobserver.h"
#include "klinkwrap/json.h"
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

/* A string that may hold any bytes (MAKEFLAGS, paths): lossless, or null. */
static json_t *jstr(const char *s)
{
	return s ? kwjson_string(s) : json_null();
}

static void print_json(const struct info *in)
{
	const struct kw_makeflags *mf = in->mf;
	json_t *o = kwjson_check(json_object());
	kwjson_set(o, "makeflags", jstr(in->makeflags));
	kwjson_set(o, "style", json_string(jobserver_style_name(mf->style)));
	kwjson_set(o, "auth", jstr(mf->auth));
	kwjson_set(o, "fifo", jstr(mf->fifo));
	if (mf->style == KW_JS_PIPE || mf->style == KW_JS_DISABLED)
		kwjson_set(o, "fds", json_pack("[ii]", mf->rfd, mf->wfd));
	else
		kwjson_set(o, "fds", json_null());
	kwjson_set(o, "jobs", mf->jobs ? json_integer((json_int_t)mf->jobs) : json_null());
	kwjson_set(o, "dry_run", json_boolean(mf->dry_run));
	kwjson_set(o, "usable", json_boolean(in->usable));
	kwjson_set(o, "free_tokens", in->free_tokens >= 0 ? json_integer(in->free_tokens) : json_null());
	kwjson_set(o, "warning", jstr(in->warning));
	subcmd_print_json(o);
}

int cmd_jobserver_info(int argc, char *argv[])
{
	const char *format_arg = NULL;
	const struct subcmd_option options[] = {
		{ "format", SUBCMD_REQUIRED_VALUE, &format_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct subcmd sc = {
		.name = "jobserver-info",
		.usage = USAGE,
		.help = "Print what a link sees of make's jobserver (run it from a '+' recipe).\n",
		.options = options,
	};
	enum kw_format format = KW_FORMAT_TEXT;
	int rc = subcmd_parse(&sc, argc, argv);
	if (rc != SUBCMD_GO_ON)
		return rc;
	if (subcmd_format(&sc, format_arg, &format))
		return KW_EXIT_SELF;
	if (sc.noperands)
		return subcmd_usage_error(&sc, "unexpected argument '%s'", sc.operands[0]);

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
