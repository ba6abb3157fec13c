/* Test driver: print the input list klinkwrap computes for a link, so
 * that the bats suites can compare it with what the linker itself reports
 * (--trace). Not a test by itself (tests/run-tests runs only test_*).
 *
 *     list_inputs [--repeat=N] [--hashed] LINKER [LINKER-ARGS...]
 *
 * LINKER is found as klinkwrap finds it (a path, or PATH); the arguments
 * go through the same response-file expansion as a wrapped link. Prints
 * one line per input, "INDEX<TAB>KIND<TAB>PARENT<TAB>PATH" (PARENT is the
 * index of the thin archive or script that named it, or "-"), then
 * "libdir<TAB>DIR" for each directory -l searched, and last
 * "incomplete<TAB>WHY" when the list may miss files. Exit 0, or 125 when
 * the arguments cannot be read. --repeat=N (for bench/) lists N times
 * and reports the mean wall and CPU time of one inputs_list on stderr
 * (--repeat=1: one call in a fresh process, as a link makes it);
 * --hashed times inputs_list_hashed instead (the link log's listing). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "klinkwrap/inputs.h"
#include "klinkwrap/linkargs.h"
#include "klinkwrap/locate.h"
#include "klinkwrap/threads.h"
#include "klinkwrap/util.h"

int main(int argc, char *argv[])
{
	struct kw_linkargs la;
	struct kw_inputs in;
	char *path, *why;
	int rc;
	long repeat = 1;
	bool hashed = false, timed = false;

	if (argc > 1 && !strncmp(argv[1], "--repeat=", 9)) {
		repeat = strtol(argv[1] + 9, NULL, 10);
		timed = true;
		argv++;
		argc--;
	}
	if (argc > 1 && !strcmp(argv[1], "--hashed")) {
		hashed = true;
		argv++;
		argc--;
	}
	void (*list)(char *const[], size_t, const char *, enum kw_linker_kind,
		     struct kw_inputs *) = hashed ? inputs_list_hashed : inputs_list;
	if (argc < 2 || repeat < 1) {
		fprintf(stderr, "usage: list_inputs [--repeat=N] [--hashed] LINKER [LINKER-ARGS...]\n");
		return KW_EXIT_SELF;
	}
	if ((rc = locate_linker(argv[1], &path)) != 0)
		return rc;
	if (linkargs_analyze(argc - 2, argv + 2, &la, &why)) {
		fprintf(stderr, "list_inputs: %s\n", why);
		free(why);
		free(path);
		return KW_EXIT_SELF;
	}
	enum kw_linker_kind kind = threads_linker_kind(path, argv[1]);
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	double start = kw_monotonic();
	for (long r = 1; r < repeat; r++) {
		list(la.words.v, la.words.n, path, kind, &in);
		inputs_release(&in);
	}
	list(la.words.v, la.words.n, path, kind, &in);
	if (timed) {
		double wall = kw_monotonic() - start;
		getrusage(RUSAGE_SELF, &ru1);
		/* CPU time too: on a shared machine it moves less than wall time. */
		double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
			     (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
			     (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
			     (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
		fprintf(stderr, "%s: %.1f us per call, %.1f us CPU (%ld calls, %zu inputs)\n",
			hashed ? "inputs_list_hashed" : "inputs_list", wall * 1e6 / (double)repeat,
			cpu * 1e6 / (double)repeat, repeat, in.n);
	}
	for (size_t i = 0; i < in.n; i++) {
		if (in.v[i].parent == KW_INPUT_TOP)
			printf("%zu\t%s\t-\t%s\n", i, inputs_kind_name(in.v[i].kind), in.v[i].path);
		else
			printf("%zu\t%s\t%zu\t%s\n", i, inputs_kind_name(in.v[i].kind),
			       in.v[i].parent, in.v[i].path);
	}
	for (size_t i = 0; i < in.libdirs.n; i++)
		printf("libdir\t%s\n", in.libdirs.v[i]);
	if (in.incomplete)
		printf("incomplete\t%s\n", in.why);
	inputs_release(&in);
	linkargs_release(&la);
	free(path);
	return 0;
}
