/* Cost of taking and giving back jobserver tokens through klinkwrap's
 * client (jobserver.h), on a make-4.3-style pipe and a make-4.4 fifo:
 * ITERATIONS rounds of take(all free) + give_back, and the connect
 * (parse MAKEFLAGS, check the fds, open the private description) alone.
 * usage: jobserver-tokens FIFO-DIR ITERATIONS TOKENS */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "klinkwrap/jobserver.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rounds(const char *style, const char *flags, long iterations, int tokens)
{
	struct kw_jobserver js;
	double t = now();
	for (long i = 0; i < iterations / 10; i++) {
		jobserver_open(&js, flags);
		jobserver_close(&js);
	}
	double open_ns = (now() - t) / (double)(iterations / 10) * 1e9;

	if (!jobserver_open(&js, flags)) {
		fprintf(stderr, "%s: %s\n", style, js.problem ? js.problem : "no jobserver");
		exit(1);
	}
	t = now();
	for (long i = 0; i < iterations; i++) {
		if (jobserver_take(&js, 1) != 1) {
			fprintf(stderr, "%s: token missing\n", style);
			exit(1);
		}
		jobserver_give_back(&js);
	}
	double one_ns = (now() - t) / (double)iterations * 1e9;
	t = now();
	for (long i = 0; i < iterations; i++) {
		if (jobserver_take(&js, SIZE_MAX) != (size_t)tokens) {
			fprintf(stderr, "%s: tokens missing\n", style);
			exit(1);
		}
		jobserver_give_back(&js);
	}
	double all_ns = (now() - t) / (double)iterations * 1e9;
	jobserver_close(&js);
	printf("%-5s connect+close %7.0f ns | take 1 + give back %6.0f ns | take all %d (until "
	       "EAGAIN) + give back %6.0f ns\n", style, open_ns, one_ns, tokens, all_ns);
}

int main(int argc, char *argv[])
{
	if (argc != 4)
		return 2;
	long iterations = atol(argv[2]);
	int tokens = atoi(argv[3]);
	char flags[256], *bytes = malloc((size_t)tokens);
	memset(bytes, '+', (size_t)tokens);

	int p[2];
	if (pipe(p) || write(p[1], bytes, (size_t)tokens) != tokens)
		return 1;
	snprintf(flags, sizeof(flags), " -j%d --jobserver-auth=%d,%d", tokens + 1, p[0], p[1]);
	rounds("pipe", flags, iterations, tokens);

	char path[200];
	snprintf(path, sizeof(path), "%s/fifo", argv[1]);
	unlink(path);
	if (mkfifo(path, 0600))
		return 1;
	int server = open(path, O_RDWR);
	if (server < 0 || write(server, bytes, (size_t)tokens) != tokens)
		return 1;
	snprintf(flags, sizeof(flags), " -j%d --jobserver-auth=fifo:%s", tokens + 1, path);
	rounds("fifo", flags, iterations, tokens);
	unlink(path);
	free(bytes);
	return 0;
}
