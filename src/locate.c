/* Finding the real linker. */
#include "klinkwrap/locate.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int locate_is_own_name(const char *basename)
{
	return !strncmp(basename, "klinkwrap", 9);
}

/* Compare files, not names: a symlink, a hardlink or a bind mount of
 * klinkwrap is klinkwrap too. */
static bool is_self(const char *candidate)
{
	static struct stat self;
	static int state; /* 0 unknown, 1 known, -1 unknown for good */
	struct stat st;
	if (!state)
		state = stat("/proc/self/exe", &self) ? -1 : 1;
	if (state < 0 || stat(candidate, &st))
		return false; /* without /proc, the nesting guard still stops a loop */
	return st.st_dev == self.st_dev && st.st_ino == self.st_ino;
}

int locate_linker(const char *name, char **path)
{
	*path = NULL;
	if (!*name) {
		kw_error("empty linker name");
		return KW_EXIT_NOT_FOUND;
	}
	if (strchr(name, '/')) {
		/* Run as given; exec reports what is wrong with it. */
		*path = kw_strdup(name);
		return 0;
	}

	const char *env = getenv("PATH");
	char *dirs = kw_strdup(env && *env ? env : "/usr/local/bin:/usr/bin:/bin");
	bool skipped_self = false;
	char *not_executable = NULL;

	/* An empty PATH element means the current directory. */
	for (char *p = dirs, *dir; (dir = strsep(&p, ":")) != NULL;) {
		char *cand = kw_asprintf("%s/%s", *dir ? dir : ".", name);
		struct stat st;
		if (stat(cand, &st) || !S_ISREG(st.st_mode)) {
			free(cand);
			continue;
		}
		if (access(cand, X_OK)) {
			if (!not_executable)
				not_executable = cand;
			else
				free(cand);
			continue;
		}
		if (is_self(cand)) {
			skipped_self = true;
			free(cand);
			continue;
		}
		free(dirs);
		free(not_executable);
		*path = cand;
		return 0;
	}
	free(dirs);

	if (not_executable) {
		kw_error("%s: cannot execute %s: %s", name, not_executable, strerror(EACCES));
		free(not_executable);
		return KW_EXIT_CANNOT_EXEC;
	}
	if (skipped_self)
		kw_error("%s: no real linker on PATH: every '%s' found is klinkwrap itself; "
			 "put the directory of the real linker on PATH after klinkwrap's",
			 name, name);
	else
		kw_error("%s: linker not found on PATH", name);
	return KW_EXIT_NOT_FOUND;
}

static long depth = -1;          /* this process's, once counted */
static char depth_setting[48];

int locate_enter(const char *name)
{
	if (depth < 0) {
		const char *v = getenv(KW_DEPTH_ENV);
		char *end;
		depth = v && *v ? strtol(v, &end, 10) : 0;
		if (v && *v && (*end || depth < 0))
			depth = 0;
		snprintf(depth_setting, sizeof(depth_setting), "%s=%ld", KW_DEPTH_ENV,
			 depth < KW_DEPTH_MAX ? depth + 1 : depth);
	}
	if (depth >= KW_DEPTH_MAX) {
		kw_error("%s: exec loop: klinkwrap is running itself (%ld nested klinkwraps); "
			 "the '%s' found on PATH is another copy of klinkwrap: put the real "
			 "linker on PATH after klinkwrap's directory",
			 name, depth, name);
		return KW_EXIT_NOT_FOUND;
	}
	return 0;
}

const char *locate_depth_setting(void)
{
	return depth_setting;
}
