/* Serial/plain classification and the serial-link lock. */
#include "klinkwrap/classify.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

enum kw_link_class classify_output(const char *output, const char *patterns)
{
	const char *name = kw_basename(output);
	char *list = kw_strdup(patterns);
	enum kw_link_class cls = KW_CLASS_PLAIN;
	for (char *p = list, *glob; (glob = strsep(&p, ",")) != NULL;) {
		if (*glob && !fnmatch(glob, name, 0)) {
			cls = KW_CLASS_SERIAL;
			break;
		}
	}
	free(list);
	return cls;
}

const char *classify_name(enum kw_link_class cls)
{
	return cls == KW_CLASS_SERIAL ? "serial" : "plain";
}

int classify_lock(const char *output, double *waited)
{
	const char *name = kw_basename(output);
	char *path = name == output
		? kw_strdup(KW_SERIAL_LOCK)
		: kw_asprintf("%.*s/%s", (int)(name - output - 1), output, KW_SERIAL_LOCK);
	if (name != output && name - output == 1) { /* "/vmlinux" */
		free(path);
		path = kw_strdup("/" KW_SERIAL_LOCK);
	}
	*waited = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		kw_warn("cannot open the serial-link lock %s: %s; linking unlocked", path,
			strerror(errno));
		free(path);
		return -1;
	}
	double start = kw_monotonic();
	int rc;
	while ((rc = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
		;
	*waited = kw_monotonic() - start;
	if (rc < 0) {
		kw_warn("cannot lock %s: %s; linking unlocked", path, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

void classify_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
