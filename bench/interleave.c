/* Time commands as whole processes, interleaved: interleave RUNS CMD1 --
 * CMD2 [-- CMD3 ...]. Each round runs every command once (the order
 * rotates each round) with posix_spawn, its stdout and stderr on
 * /dev/null, and times it from the spawn to the end of waitpid. Prints per
 * command "median_ms paired" on its own line, where paired is the median
 * over rounds of the command's time divided by CMD1's time of the same
 * round (CMD1's own line has 1). A spawn from this small process costs
 * what make's does; a fork of a large interpreter (perl's system) adds
 * its own page-table copy and skews the difference between a wrapper and
 * the program it wraps. Any command that fails ends the run (exit 1). */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double run(char **argv, posix_spawn_file_actions_t *fa)
{
	pid_t pid;
	int st;
	double t = now();
	if (posix_spawnp(&pid, argv[0], fa, NULL, argv, environ)) {
		fprintf(stderr, "interleave: cannot run %s\n", argv[0]);
		exit(1);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "interleave: %s failed\n", argv[0]);
		exit(1);
	}
	return now() - t;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: interleave RUNS CMD1 -- CMD2 [-- CMD3 ...]\n");
		return 2;
	}
	char *end;
	long runs = strtol(argv[1], &end, 10);
	if (*end || runs < 1 || runs > 1000000) {
		fprintf(stderr, "interleave: RUNS must be a number from 1 to 1000000\n");
		return 2;
	}
	char **cmd[16];
	size_t ncmd = 0;
	cmd[ncmd++] = argv + 2;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--"))
			continue;
		argv[i] = NULL;
		if (ncmd == 16 || i + 1 >= argc) {
			fprintf(stderr, "interleave: at most 16 commands, none empty\n");
			return 2;
		}
		cmd[ncmd++] = argv + i + 1;
	}
	for (size_t c = 0; c < ncmd; c++)
		if (!cmd[c][0]) {
			fprintf(stderr, "interleave: an empty command\n");
			return 2;
		}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	double *t = calloc((size_t)runs * ncmd, sizeof(*t));
	double *r = calloc((size_t)runs, sizeof(*r));
	if (!t || !r) {
		fprintf(stderr, "interleave: out of memory\n");
		return 1;
	}
	for (int k = 0; k < runs; k++)
		for (size_t j = 0; j < ncmd; j++) {
			size_t c = (j + (size_t)k) % ncmd;
			t[c * (size_t)runs + (size_t)k] = run(cmd[c], &fa);
		}
	/* The ratios first: the medians sort the times in place. */
	double paired[16];
	for (size_t c = 0; c < ncmd; c++) {
		for (int k = 0; k < runs; k++)
			r[k] = t[c * (size_t)runs + (size_t)k] / t[(size_t)k];
		paired[c] = median(r, (size_t)runs);
	}
	for (size_t c = 0; c < ncmd; c++)
		printf("%.3f %.4f\n", median(t + c * (size_t)runs, (size_t)runs) * 1e3, paired[c]);
	return 0;
}
