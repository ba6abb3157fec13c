/* Configuration precedence: command line > environment > default. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klinkwrap/cli.h"
#include "klinkwrap/config.h"
#include "klinkwrap/util.h"

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < KW_OPT__COUNT; i++)
		unsetenv(config_option((enum kw_option)i)->env);
	return 0;
}

static void test_defaults(void **state)
{
	(void)state;
	struct kw_config cfg;
	config_init(&cfg);
	config_load_env(&cfg);
	assert_int_equal(config_validate(&cfg), 0);
	for (int i = 0; i < KW_OPT__COUNT; i++)
		assert_int_equal(cfg.s[i].source, KW_SRC_DEFAULT);
	assert_false(config_flag(&cfg, KW_OPT_VERBOSE));
	config_release(&cfg);
}

/* Every row's environment twin is KLINKWRAP_ + its name, upper case with
 * underscores, so users can derive one from the other. */
static void test_env_names(void **state)
{
	(void)state;
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		const struct kw_option_info *o = config_option((enum kw_option)i);
		char want[128] = "KLINKWRAP_";
		size_t n = strlen(want);
		for (const char *p = o->name; *p && n < sizeof(want) - 1; p++)
			want[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
		want[n] = '\0';
		assert_string_equal(o->env, want);
		assert_int_equal(config_lookup(o->name), i);
	}
	assert_int_equal(config_lookup("no-such-option"), -1);
}

static void test_precedence(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_cli cli;

	setenv("KLINKWRAP_VERBOSE", "yes", 1);
	config_init(&cfg);
	config_load_env(&cfg);
	assert_int_equal(config_validate(&cfg), 0);
	assert_true(config_flag(&cfg, KW_OPT_VERBOSE));
	assert_int_equal(cfg.s[KW_OPT_VERBOSE].source, KW_SRC_ENV);

	char *argv[] = { "klinkwrap", "--no-verbose", "ld", "--verbose", NULL };
	assert_int_equal(cli_parse(4, argv, &cfg, &cli), 0);
	assert_false(config_flag(&cfg, KW_OPT_VERBOSE));
	assert_int_equal(cfg.s[KW_OPT_VERBOSE].source, KW_SRC_CMDLINE);
	/* Options stop at the linker: its --verbose is the linker's. */
	assert_int_equal(cli.first_operand, 2);
	assert_int_equal(cli.action, KW_CLI_RUN);
	config_release(&cfg);

	/* An empty variable counts as unset. */
	setenv("KLINKWRAP_VERBOSE", "", 1);
	config_init(&cfg);
	config_load_env(&cfg);
	assert_int_equal(config_validate(&cfg), 0);
	assert_int_equal(cfg.s[KW_OPT_VERBOSE].source, KW_SRC_DEFAULT);
	config_release(&cfg);
	unsetenv("KLINKWRAP_VERBOSE");
}

static void test_bad_values(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_cli cli;

	/* A bad environment value is recorded, not fatal at load time: the
	 * setting keeps its default until config_validate refuses it. */
	setenv("KLINKWRAP_VERBOSE", "maybe", 1);
	config_init(&cfg);
	config_load_env(&cfg);
	assert_false(config_flag(&cfg, KW_OPT_VERBOSE));
	assert_string_equal(cfg.bad[KW_OPT_VERBOSE].value, "maybe");
	assert_non_null(strstr(cfg.bad[KW_OPT_VERBOSE].why, "expected yes or no"));
	assert_int_equal(config_validate(&cfg), -1);
	config_release(&cfg);
	unsetenv("KLINKWRAP_VERBOSE");

	char *bad[][3] = {
		{ "klinkwrap", "--verbose=maybe", "ld" },
		{ "klinkwrap", "--no-verbose=yes", "ld" },
		{ "klinkwrap", "--frobnicate", "ld" },
		{ "klinkwrap", "-x", "ld" },
		{ "klinkwrap", "-", "ld" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		config_init(&cfg);
		assert_int_equal(cli_parse(3, bad[i], &cfg, &cli), KW_EXIT_SELF);
		config_release(&cfg);
	}
}

/* Issue 8 item 3: a bad environment value that the command line
 * overrides is no error; one that stays in effect is, and --show-config
 * shows it with why. */
static void test_bad_env_overridden(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_cli cli;
	setenv("KLINKWRAP_THREADS", "banana", 1);
	setenv("KLINKWRAP_EXCLUSIVE_WAIT", "99999", 1);
	config_init(&cfg);
	config_load_env(&cfg);
	assert_int_equal(config_validate(&cfg), -1);
	char *argv[] = { "klinkwrap", "--threads=4", "--exclusive-wait", "5", "ld", NULL };
	assert_int_equal(cli_parse(5, argv, &cfg, &cli), 0);
	assert_int_equal(config_validate(&cfg), 0);
	assert_int_equal(config_number(&cfg, KW_OPT_THREADS), 4);
	assert_int_equal(config_number(&cfg, KW_OPT_EXCLUSIVE_WAIT), 5);
	/* The separate value is recorded for the linker-not-found note. */
	assert_int_equal(cli.split_value, 3);
	assert_string_equal(cli.split_option, "exclusive-wait");
	assert_int_equal(cli.first_operand, 4);
	config_release(&cfg);

	config_init(&cfg);
	config_load_env(&cfg);
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	assert_non_null(f);
	config_show(&cfg, f);
	fclose(f);
	assert_non_null(strstr(buf, "threads"));
	assert_non_null(strstr(buf, "= banana  (environment KLINKWRAP_THREADS: bad value: "
				    "expected auto|off|N (N from 1 to 1024), got 'banana'"));
	assert_non_null(strstr(buf, "= 99999  (environment KLINKWRAP_EXCLUSIVE_WAIT: bad value: "
				    "expected a number from 0 to 3600"));
	config_release(&cfg);
	unsetenv("KLINKWRAP_THREADS");
	unsetenv("KLINKWRAP_EXCLUSIVE_WAIT");
}

/* Issue 8 item 6: every range error names its range. */
static void test_range_errors(void **state)
{
	(void)state;
	struct kw_config cfg;
	char *why;
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, KW_OPT_THREADS, "0", KW_SRC_CMDLINE, &why), -1);
	assert_string_equal(why, "expected auto|off|N (N from 1 to 1024), got '0'");
	free(why);
	assert_int_equal(config_set(&cfg, KW_OPT_THREADS, "1025", KW_SRC_CMDLINE, &why), -1);
	assert_non_null(strstr(why, "from 1 to 1024"));
	free(why);
	assert_int_equal(config_set(&cfg, KW_OPT_EXCLUSIVE_WAIT, "3601", KW_SRC_CMDLINE, &why), -1);
	assert_string_equal(why, "expected a number from 0 to 3600, got '3601'");
	free(why);
	config_release(&cfg);
}

/* Issue 8 item 5: getopt_long's rule. A required value takes both
 * forms; a boolean (optional value) only --opt=VALUE and never eats the
 * next word. */
static void test_value_forms(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_cli cli;
	config_init(&cfg);
	char *sep[] = { "klinkwrap", "--serial", "vmlinux.o", "ld", NULL };
	assert_int_equal(cli_parse(4, sep, &cfg, &cli), 0);
	assert_string_equal(config_text(&cfg, KW_OPT_SERIAL), "vmlinux.o");
	assert_int_equal(cli.first_operand, 3);
	char *eq[] = { "klinkwrap", "--serial=a", "ld", NULL };
	assert_int_equal(cli_parse(3, eq, &cfg, &cli), 0);
	assert_string_equal(config_text(&cfg, KW_OPT_SERIAL), "a");
	assert_int_equal(cli.split_value, 0);
	char *boolean[] = { "klinkwrap", "--verbose", "no", NULL };
	assert_int_equal(cli_parse(3, boolean, &cfg, &cli), 0);
	assert_true(config_flag(&cfg, KW_OPT_VERBOSE));
	assert_int_equal(cli.first_operand, 2);
	char *missing[] = { "klinkwrap", "--threads", NULL };
	assert_int_equal(cli_parse(2, missing, &cfg, &cli), KW_EXIT_SELF);
	config_release(&cfg);
}

static void test_values_by_type(void **state)
{
	(void)state;
	struct kw_config cfg;
	char *why;
	config_init(&cfg);
	/* Booleans accept the usual spellings and are shown normalised. */
	const char *yes[] = { "yes", "on", "TRUE", "1" }, *no[] = { "no", "Off", "false", "0" };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(config_set(&cfg, KW_OPT_VERBOSE, yes[i], KW_SRC_ENV, &why), 0);
		assert_true(config_flag(&cfg, KW_OPT_VERBOSE));
		assert_string_equal(config_text(&cfg, KW_OPT_VERBOSE), "yes");
		assert_int_equal(config_set(&cfg, KW_OPT_VERBOSE, no[i], KW_SRC_ENV, &why), 0);
		assert_false(config_flag(&cfg, KW_OPT_VERBOSE));
		assert_string_equal(config_text(&cfg, KW_OPT_VERBOSE), "no");
	}
	/* Every option of every type accepts its own default. */
	for (int i = 0; i < KW_OPT__COUNT; i++) {
		const struct kw_option_info *o = config_option((enum kw_option)i);
		assert_int_equal(config_set(&cfg, (enum kw_option)i, o->def, KW_SRC_CMDLINE, &why), 0);
		/* Numbers out of range are refused. */
		if (o->type == KW_T_UINT) {
			char *big = kw_asprintf("%lu0", o->max);
			assert_int_equal(config_set(&cfg, (enum kw_option)i, big, KW_SRC_CMDLINE, &why), -1);
			assert_non_null(why);
			free(why);
			free(big);
			assert_int_equal(config_set(&cfg, (enum kw_option)i, "-1", KW_SRC_CMDLINE, &why), -1);
			free(why);
		}
	}
	config_release(&cfg);
}

static void test_actions(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_cli cli;
	char *help[] = { "klinkwrap", "--help", NULL };
	char *show[] = { "klinkwrap", "--verbose", "--show-config", NULL };
	char *dashdash[] = { "klinkwrap", "--", "--weird-linker-name", NULL };
	config_init(&cfg);
	assert_int_equal(cli_parse(2, help, &cfg, &cli), 0);
	assert_int_equal(cli.action, KW_CLI_HELP);
	assert_int_equal(cli_parse(3, show, &cfg, &cli), 0);
	assert_int_equal(cli.action, KW_CLI_SHOW_CONFIG);
	assert_true(config_flag(&cfg, KW_OPT_VERBOSE));
	assert_int_equal(cli_parse(3, dashdash, &cfg, &cli), 0);
	assert_int_equal(cli.first_operand, 2);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_env_names, setup),
		cmocka_unit_test_setup(test_precedence, setup),
		cmocka_unit_test_setup(test_bad_values, setup),
		cmocka_unit_test_setup(test_values_by_type, setup),
		cmocka_unit_test_setup(test_bad_env_overridden, setup),
		cmocka_unit_test_setup(test_range_errors, setup),
		cmocka_unit_test_setup(test_value_forms, setup),
		cmocka_unit_test_setup(test_actions, setup),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
