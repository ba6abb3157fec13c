/* The floor under inputs_list for plain objects: open, read the first 20
 * bytes with pread, close, for every file named, REPEAT times; prints the
 * mean time of one pass. Whatever inputs_list costs above this is its
 * own work (grammar, repeat check, allocation).
 *
 *     magic-floor REPEAT FILE... */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	char m[20];
	long repeat = argc > 1 ? atol(argv[1]) : 0;
	if (repeat < 1 || argc < 3) {
		fprintf(stderr, "usage: magic-floor REPEAT FILE...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long r = 0; r < repeat; r++) {
		for (int i = 2; i < argc; i++) {
			int fd = open(argv[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
			if (fd < 0 || pread(fd, m, sizeof(m), 0) < 0)
				perror(argv[i]);
			if (fd >= 0)
				close(fd);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("open+pread+close floor: %.1f us per pass (%d files)\n",
	       ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 /
	       (double)repeat, argc - 2);
	return 0;
}
