/* One wrapped linker invocation: locate the linker, run it, report. */
#ifndef KLINKWRAP_LINK_H
#define KLINKWRAP_LINK_H

#include "klinkwrap/config.h"

/* Run the linker ARGV[0] (a name or a path) with ARGV[1..ARGC) unchanged.
 * Informational calls and calls without an output file are handed over
 * with exec. Returns an exit status for klinkwrap's own failures; for a
 * link that ran, klinkwrap ends as the linker ended and does not return. */
int link_run(const struct kw_config *cfg, int argc, char *argv[]);

#endif
