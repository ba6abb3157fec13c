/* Dispatch: masquerade name, subcommand, or the wrapper. */
#include "klinkwrap/commands.h"
#include "klinkwrap/locate.h"
#include "klinkwrap/util.h"

#include <string.h>

struct subcommand {
	const char *name;
	int (*run)(int argc, char *argv[]);
};

/* Reserved words in the first position (doc/DESIGN.md, "Subcommands"); a NULL
 * entry is reserved but not built yet. */
static const struct subcommand subcommands[] = {
	{ "symhash", cmd_symhash },
	{ "syms", cmd_syms },
	{ "symdiff", cmd_symdiff },
	{ "converge", cmd_converge },
	{ "log", cmd_log },
	{ "repro", cmd_repro },
	{ "jobserver-info", cmd_jobserver_info },
};

int main(int argc, char *argv[])
{
	if (argc < 1 || !argv[0])
		kw_die(KW_EXIT_SELF, "no program name in argv");

	if (!locate_is_own_name(kw_basename(argv[0])))
		return cmd_masquerade(argc, argv);

	if (argc > 1) {
		for (size_t i = 0; i < sizeof(subcommands) / sizeof(*subcommands); i++) {
			if (strcmp(argv[1], subcommands[i].name))
				continue;
			if (!subcommands[i].run)
				kw_die(KW_EXIT_SELF, "'%s' is reserved for a subcommand that this "
				       "version does not have yet", argv[1]);
			return subcommands[i].run(argc - 1, argv + 1);
		}
	}
	return cmd_wrap(argc, argv);
}
