/* klinkwrap [OPTIONS] LINKER ARGS..., and the masquerade form. */
#include "klinkwrap/cli.h"
#include "klinkwrap/commands.h"
#include "klinkwrap/config.h"
#include "klinkwrap/link.h"
#include "klinkwrap/util.h"

#include <stdio.h>

int cmd_wrap(int argc, char *argv[])
{
	struct kw_config cfg;
	struct kw_cli cli;
	int rc;

	/* A bad KLINKWRAP_* value is recorded, not fatal: the command line
	 * may override it, and --help, --show-config and passthrough calls
	 * never fail on it (the link checks with config_validate). */
	config_init(&cfg);
	config_load_env(&cfg);
	if ((rc = cli_parse(argc, argv, &cfg, &cli)) != 0) {
		config_release(&cfg);
		return rc;
	}
	switch (cli.action) {
	case KW_CLI_HELP:
		cli_usage(stdout);
		break;
	case KW_CLI_VERSION:
		cli_version(stdout);
		break;
	case KW_CLI_SHOW_CONFIG:
		config_show(&cfg, stdout);
		break;
	case KW_CLI_RUN:
		if (cli.first_operand >= argc) {
			kw_error("no linker given (usage: klinkwrap [OPTIONS] LINKER ARGS...; "
				 "see 'klinkwrap --help')");
			rc = KW_EXIT_SELF;
			break;
		}
		rc = link_run(&cfg, argc - cli.first_operand, argv + cli.first_operand);
		if (rc == KW_EXIT_NOT_FOUND || rc == KW_EXIT_CANNOT_EXEC)
			cli_note_linker_word(&cli, argv);
		break;
	}
	config_release(&cfg);
	if (fflush(stdout) || ferror(stdout)) {
		kw_error("writing to standard output failed");
		return KW_EXIT_SELF;
	}
	return rc;
}

int cmd_masquerade(int argc, char *argv[])
{
	/* Every argument is the linker's: settings come from the environment. */
	struct kw_config cfg;
	config_init(&cfg);
	config_load_env(&cfg);
	/* Search PATH for the bare name, which the linker also gets as its
	 * argv[0] (lld picks its flavour from the basename). */
	argv[0] = (char *)kw_basename(argv[0]);
	int rc = link_run(&cfg, argc, argv);
	config_release(&cfg);
	return rc;
}
