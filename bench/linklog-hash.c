/* The input-hashing part of the link log in isolation: hash every file
 * named on standard input (one path a line, as `ld --trace` lists a link's
 * inputs) with linklog_hash_file, ROUNDS times, and print the median time
 * of one round and the bytes hashed. Files are in the page cache after the
 * first round, as they are for a link right after the build wrote them. */
#include "klinkwrap/linklog.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char *argv[])
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	struct kw_strvec paths = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len)
			kw_strvec_push(&paths, line);
	}
	free(line);
	if (rounds < 1 || !paths.n) {
		fprintf(stderr, "usage: linklog-hash [ROUNDS] <paths\n");
		return 2;
	}
	double *t = kw_calloc((size_t)rounds, sizeof(*t));
	unsigned long long bytes = 0;
	for (int r = 0; r < rounds; r++) {
		double start = kw_monotonic();
		bytes = 0;
		for (size_t i = 0; i < paths.n; i++) {
			struct kw_linklog_input in;
			memset(&in, 0, sizeof(in));
			if (linklog_hash_file(paths.v[i], &in) == 0)
				bytes += in.size;
		}
		t[r] = kw_monotonic() - start;
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
	printf("%zu files, %llu bytes, median %.3f ms per round (%d rounds), %.2f GB/s\n", paths.n,
	       bytes, t[rounds / 2] * 1e3, rounds, bytes / t[rounds / 2] / 1e9);
	free(t);
	kw_strvec_clear(&paths);
	return 0;
}
