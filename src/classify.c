/* Serial/plain classification and the serial-link lock. */
#include "klinkwrap/classify.h"
#include "klinkwrap/util.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

/* The serial locks this process holds, by directory: taking one again
 * must not wait for itself (flock locks belong to the open description,
 * and a second open would be a second description). */
struct held_lock {
	dev_t dev;
	ino_t ino;
	int fd;
	unsigned refs;
};
static struct held_lock *held;
static size_t nheld, held_alloc;

static struct held_lock *held_by_dir(const struct stat *dir)
{
	for (size_t i = 0; i < nheld; i++)
		if (held[i].dev == dir->st_dev && held[i].ino == dir->st_ino)
			return &held[i];
	return NULL;
}

/* Open the lock file at PATH, refusing what is not a regular file: a
 * symbolic link (O_NOFOLLOW: the link's target is never created or
 * locked), a fifo or a device (O_NONBLOCK: opening never hangs). */
static int open_lock_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0666);
	if (fd < 0 && errno == ELOOP) {
		kw_warn("the serial-link lock %s is a symbolic link; refusing it, linking unlocked",
			path);
		return -1;
	}
	if (fd < 0) {
		kw_warn("cannot open the serial-link lock %s: %s; linking unlocked", path,
			strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		kw_warn("the serial-link lock %s is not a regular file; refusing it, linking "
			"unlocked", path);
		close(fd);
		return -1;
	}
	return fd;
}

int classify_lock(const char *output, double *waited)
{
	const char *name = kw_basename(output);
	char *dir = name == output ? kw_strdup(".")
		: name - output == 1 ? kw_strdup("/") /* "/vmlinux" */
		: kw_strndup(output, (size_t)(name - output - 1));
	char *path = kw_asprintf("%s/%s", dir, KW_SERIAL_LOCK);
	struct stat dst;
	bool known = !stat(dir, &dst);
	int fd = -1;
	*waited = 0;

	struct held_lock *h = known ? held_by_dir(&dst) : NULL;
	if (h) {
		h->refs++;
		fd = h->fd;
		goto out;
	}
	if ((fd = open_lock_file(path)) < 0)
		goto out;
	double start = kw_monotonic();
	int rc;
	while ((rc = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
		;
	*waited = kw_monotonic() - start;
	if (rc < 0) {
		kw_warn("cannot lock %s: %s; linking unlocked", path, strerror(errno));
		close(fd);
		fd = -1;
		goto out;
	}
	if (known) {
		if (nheld == held_alloc) {
			held_alloc = held_alloc ? 2 * held_alloc : 4;
			held = kw_realloc(held, held_alloc * sizeof(*held));
		}
		held[nheld++] = (struct held_lock){ dst.st_dev, dst.st_ino, fd, 1 };
	}
out:
	free(path);
	free(dir);
	return fd;
}

void classify_unlock(int fd)
{
	if (fd < 0)
		return;
	for (size_t i = 0; i < nheld; i++) {
		if (held[i].fd != fd)
			continue;
		if (--held[i].refs)
			return;
		held[i] = held[--nheld];
		break;
	}
	close(fd);
}
