/* The subcommands' one option parser: getopt_long's value rule, options
 * before and after operands until "--", --help, usage errors 125, and the
 * wrapper's settings for subcommands that take them (converge). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "klinkwrap/config.h"
#include "klinkwrap/subcmd.h"
#include "klinkwrap/util.h"

static const char *format, *sysmap;
static bool sysmap_seen, quiet;

static const struct subcmd_option options[] = {
	{ "format", SUBCMD_REQUIRED_VALUE, &format, NULL },
	{ "sysmap", SUBCMD_OPTIONAL_VALUE, &sysmap, &sysmap_seen },
	{ "quiet", SUBCMD_NO_VALUE, NULL, &quiet },
	{ NULL, 0, NULL, NULL },
};

static struct subcmd sc;

static int setup(void **state)
{
	(void)state;
	format = sysmap = NULL;
	sysmap_seen = quiet = false;
	sc = (struct subcmd){ .name = "t", .usage = "[OPTIONS] FILE...", .help = "help\n",
			      .options = options };
	return 0;
}

/* The operands point into the argument vector: it outlives each call. */
static char *args[16];

static int parse(char *first, ...)
{
	va_list ap;
	int n = 0;
	args[n++] = "t";
	va_start(ap, first);
	for (char *a = first; a; a = va_arg(ap, char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	return subcmd_parse(&sc, n, args);
}
#define PARSE(...) parse(__VA_ARGS__, (char *)NULL)

static void test_value_forms(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--format=json", "a"), SUBCMD_GO_ON);
	assert_string_equal(format, "json");
	assert_int_equal(sc.noperands, 1);
	assert_string_equal(sc.operands[0], "a");

	/* A required value may be the next word, whatever it looks like. */
	setup(NULL);
	assert_int_equal(PARSE("a", "--format", "-x", "b"), SUBCMD_GO_ON);
	assert_string_equal(format, "-x");
	assert_int_equal(sc.noperands, 2);
	assert_string_equal(sc.operands[0], "a");
	assert_string_equal(sc.operands[1], "b");
	assert_null(sc.operands[2]);

	/* An optional value is never the next word. */
	setup(NULL);
	assert_int_equal(PARSE("--sysmap", "6.1"), SUBCMD_GO_ON);
	assert_true(sysmap_seen);
	assert_null(sysmap);
	assert_int_equal(sc.noperands, 1);
	assert_string_equal(sc.operands[0], "6.1");
	setup(NULL);
	assert_int_equal(PARSE("f", "--sysmap=6.12"), SUBCMD_GO_ON);
	assert_string_equal(sysmap, "6.12");

	/* The last one given wins. */
	setup(NULL);
	assert_int_equal(PARSE("--format=text", "f", "--format=json", "--quiet"), SUBCMD_GO_ON);
	assert_string_equal(format, "json");
	assert_true(quiet);
}

static void test_dashdash_and_operands(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--quiet", "--", "--format=json", "-", "--help"), SUBCMD_GO_ON);
	assert_null(format);
	assert_int_equal(sc.noperands, 3);
	assert_string_equal(sc.operands[0], "--format=json");
	assert_string_equal(sc.operands[1], "-");
	assert_string_equal(sc.operands[2], "--help");
	assert_int_equal(sc.dashdash, 0);
	setup(NULL);
	assert_int_equal(PARSE("a", "b", "--", "c"), SUBCMD_GO_ON);
	assert_int_equal(sc.dashdash, 2);
	setup(NULL);
	assert_int_equal(PARSE("a", "b"), SUBCMD_GO_ON);
	assert_int_equal(sc.dashdash, 2);
	setup(NULL);
	assert_int_equal(PARSE("-"), SUBCMD_GO_ON);
	assert_int_equal(sc.noperands, 1);
}

static void test_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--bogus", "f"), KW_EXIT_SELF);
	assert_int_equal(PARSE("f", "--format"), KW_EXIT_SELF);
	assert_int_equal(PARSE("--quiet=yes"), KW_EXIT_SELF);
	assert_int_equal(PARSE("-q"), KW_EXIT_SELF);
	assert_int_equal(PARSE("--form=json"), KW_EXIT_SELF);    /* no abbreviations */
	assert_int_equal(PARSE("--verbose"), KW_EXIT_SELF);      /* no wrapper settings */
	enum kw_format f = KW_FORMAT_TEXT;
	assert_int_equal(subcmd_format(&sc, "xml", &f), KW_EXIT_SELF);
	assert_int_equal(subcmd_format(&sc, NULL, &f), 0);
	assert_int_equal(f, KW_FORMAT_TEXT);
	assert_int_equal(subcmd_format(&sc, "json", &f), 0);
	assert_int_equal(f, KW_FORMAT_JSON);
}

static void test_help(void **state)
{
	(void)state;
	assert_int_equal(PARSE("f", "--help"), 0);
}

/* converge: unknown --options go to the wrapper's settings. */
static void test_wrapper_settings(void **state)
{
	(void)state;
	struct kw_config cfg;
	config_init(&cfg);
	sc.config = &cfg;
	assert_int_equal(PARSE("--threads", "4", "--no-verbose", "--format=json", "--", "ld",
			       "-o", "x"), SUBCMD_GO_ON);
	assert_int_equal(config_number(&cfg, KW_OPT_THREADS), 4);
	assert_int_equal(cfg.s[KW_OPT_THREADS].source, KW_SRC_CMDLINE);
	assert_string_equal(format, "json");
	assert_int_equal(sc.noperands, 3);
	assert_string_equal(sc.operands[0], "ld");
	assert_int_equal(sc.dashdash, 0);
	assert_int_equal(PARSE("--threads=0"), KW_EXIT_SELF);
	assert_int_equal(PARSE("--bogus"), KW_EXIT_SELF);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_value_forms, setup),
		cmocka_unit_test_setup(test_dashdash_and_operands, setup),
		cmocka_unit_test_setup(test_usage_errors, setup),
		cmocka_unit_test_setup(test_help, setup),
		cmocka_unit_test_setup(test_wrapper_settings, setup),
	};
	return cmocka_run_group_tests_name("subcmd", tests, NULL, NULL);
}
