/* The Kbuild-mode check of the final link in isolation: kbuild_check_syms
 * on an existing vmlinux and its last .syms, ROUNDS times, and the median
 * time of one check. Each round runs in a fresh process (this program
 * again, "-1"), as the check runs once in a fresh klinkwrap: a loop in one
 * process would reuse the heap the first round faulted in, and hide the
 * page faults that are much of the check's cost.
 *
 * Usage: kbuild-check VMLINUX SYMS 6.1|6.12 [ROUNDS]
 *        kbuild-check -1 VMLINUX SYMS 6.1|6.12   (one check; prints ms) */
#include "klinkwrap/kbuild.h"
#include "klinkwrap/sysmap.h"
#include "klinkwrap/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static const char *const results[] = { "equals", "differs from", "cannot read", "bad output" };

static int once(const char *vmlinux, const char *syms, enum kw_sysmap_rules rules)
{
	char *why = NULL;
	size_t nkept = 0;
	double start = kw_monotonic();
	enum kw_kbuild_check r = kbuild_check_syms(vmlinux, syms, rules, &nkept, &why);
	double ms = (kw_monotonic() - start) * 1e3;
	printf("%.4f %zu %d\n", ms, nkept, (int)r);
	if (why)
		fprintf(stderr, "kbuild-check: %s\n", why);
	free(why);
	return r == KW_KBUILD_EQUAL || r == KW_KBUILD_DIFFERS ? 0 : 2;
}

int main(int argc, char *argv[])
{
	enum kw_sysmap_rules rules;
	if (argc == 5 && !strcmp(argv[1], "-1") && !sysmap_parse_rules(argv[4], &rules))
		return once(argv[2], argv[3], rules);
	if (argc < 4 || argc > 5 || sysmap_parse_rules(argv[3], &rules) || rules == KW_SYSMAP_AUTO) {
		fprintf(stderr, "usage: kbuild-check VMLINUX SYMS 6.1|6.12 [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 4 ? atoi(argv[4]) : 50;
	if (rounds < 1)
		rounds = 1;
	double *t = kw_calloc((size_t)rounds, sizeof(*t));
	size_t nkept = 0;
	int result = 0;
	for (int i = 0; i < rounds; i++) {
		int fd[2];
		if (pipe(fd))
			kw_die(2, "pipe");
		pid_t pid = fork();
		if (pid == 0) {
			dup2(fd[1], 1);
			close(fd[0]);
			close(fd[1]);
			execl("/proc/self/exe", argv[0], "-1", argv[1], argv[2], argv[3], (char *)NULL);
			_exit(127);
		}
		close(fd[1]);
		FILE *f = fdopen(fd[0], "r");
		int status;
		if (!f || fscanf(f, "%lf %zu %d", &t[i], &nkept, &result) != 3)
			kw_die(2, "round %d: no result", i);
		fclose(f);
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			kw_die(2, "round %d failed", i);
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
	printf("%s: System.map %s %s (%zu symbols): median %.3f ms, min %.3f, max %.3f "
	       "(%d fresh processes)\n",
	       argv[1], results[result], argv[2], nkept, t[rounds / 2], t[0], t[rounds - 1],
	       rounds);
	free(t);
	return 0;
}
