/* Configuration precedence: command line > environment > default. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
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
	assert_int_equal(config_load_env(&cfg), 0);
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
	assert_int_equal(config_load_env(&cfg), 0);
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
	assert_int_equal(config_load_env(&cfg), 0);
	assert_int_equal(cfg.s[KW_OPT_VERBOSE].source, KW_SRC_DEFAULT);
	config_release(&cfg);
	unsetenv("KLINKWRAP_VERBOSE");
}

static void test_bad_values(void **state)
{
	(void)state;
	struct kw_config cfg;
	struct kw_cli cli;

	setenv("KLINKWRAP_VERBOSE", "maybe", 1);
	config_init(&cfg);
	assert_int_equal(config_load_env(&cfg), -1);
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
		cmocka_unit_test_setup(test_actions, setup),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
