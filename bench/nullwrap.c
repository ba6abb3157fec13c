/* The floor of any wrapper, for bench-wrap.sh: run argv[1..] from PATH,
 * wait, end as it ended. What klinkwrap adds beyond this is its own work;
 * this much is the price of one more process. */
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	pid_t pid;
	int st;
	if (argc < 2 || posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ))
		return 127;
	if (waitpid(pid, &st, 0) < 0)
		return 126;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
