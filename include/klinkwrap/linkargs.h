/* What a linker command line asks for: its output file, whether it is an
 * informational call (--version, -v, --help), with @response files
 * expanded by GNU ld's (libiberty's) rules. The argv itself is never
 * changed: this is analysis only. */
#ifndef KLINKWRAP_LINKARGS_H
#define KLINKWRAP_LINKARGS_H

#include <stdbool.h>
#include "klinkwrap/util.h"

struct kw_linkargs {
	/* argv with every readable @file replaced by its words, recursively. */
	struct kw_strvec words;
	/* The output file named by the last -o F, -oF, --output=F or
	 * --output F; NULL when there is none. */
	const char *output;
	/* --version, -v, -V, --help: the linker only reports something. */
	bool informational;
};

/* Analyse ARGV[0..ARGC) (the linker's arguments, without its name).
 * Returns 0, or -1 with *why (malloc'd) when the arguments cannot be read
 * (response files nested too deeply). */
int linkargs_analyze(int argc, char *const argv[], struct kw_linkargs *out, char **why);
void linkargs_release(struct kw_linkargs *la);

/* Split the text of a response file into words, as libiberty's buildargv
 * does: whitespace separates, '...' and "..." quote, backslash escapes the
 * next character everywhere. Appends to OUT. */
void linkargs_split_response(const char *text, struct kw_strvec *out);

#endif
