#include "host/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Makes /run/netns a shared mount, as iproute2 does, so namespaces mounted
 * here are seen from other mount namespaces too. */
static int prepare_dir(struct bw_err *err)
{
	if (mkdir("/run", 0755) < 0 && errno != EEXIST)
		return bw_errf(err, -errno, "cannot create /run: %s", strerror(errno));
	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return bw_errf(err, -errno, "cannot create " NETNS_DIR ": %s", strerror(errno));
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return bw_errf(err, -errno, "cannot share " NETNS_DIR ": %s", strerror(errno));
	if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return bw_errf(err, -errno, "cannot share " NETNS_DIR ": %s", strerror(errno));
	return 0;
}

static int ns_path(const char *name, char *out, size_t out_size, struct bw_err *err)
{
	int n;

	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return bw_err_input(err, "'%s' is not a namespace name", name);
	n = snprintf(out, out_size, NETNS_DIR "/%s", name);
	if (n < 0 || (size_t)n >= out_size)
		return bw_err_input(err, "namespace name '%s' is too long", name);
	return 0;
}

int netns_create(const char *name, struct bw_err *err)
{
	char path[PATH_MAX];
	int fd, saved_fd = -1, rc;

	rc = ns_path(name, path, sizeof(path), err);
	if (rc == 0)
		rc = prepare_dir(err);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return bw_errf(err, -errno, "cannot create %s: %s", path, strerror(errno));
	close(fd);
	saved_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved_fd < 0) {
		rc = bw_errf(err, -errno, "cannot open /proc/self/ns/net: %s", strerror(errno));
		goto fail;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		rc = bw_errf(err, -errno, "cannot create a network namespace: %s",
			     strerror(errno));
		goto fail;
	}
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
		rc = bw_errf(err, -errno, "cannot mount the namespace on %s: %s", path,
			     strerror(errno));
	if (setns(saved_fd, CLONE_NEWNET) < 0 && rc == 0)
		rc = bw_errf(err, -errno, "cannot return to the first namespace: %s",
			     strerror(errno));
	if (rc == 0) {
		close(saved_fd);
		return 0;
	}
fail:
	if (saved_fd >= 0)
		close(saved_fd);
	umount2(path, MNT_DETACH);
	unlink(path);
	return rc;
}

int netns_delete(const char *name, struct bw_err *err)
{
	char path[PATH_MAX];
	int rc = ns_path(name, path, sizeof(path), err);

	if (rc < 0)
		return rc;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return bw_errf(err, -errno, "cannot unmount %s: %s", path, strerror(errno));
	if (unlink(path) < 0 && errno != ENOENT)
		return bw_errf(err, -errno, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int netns_open(const char *name, struct bw_err *err)
{
	char path[PATH_MAX];
	int rc = ns_path(name, path, sizeof(path), err);
	int fd;

	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bw_errf(err, -errno, "namespace %s: %s", name, strerror(errno));
	return fd;
}

int netns_list(const char *prefix, struct vec *names, struct bw_err *err)
{
	DIR *dir = opendir(NETNS_DIR);
	struct dirent *entry;
	int rc = 0;

	if (!dir)
		return errno == ENOENT ? 0 :
		       bw_errf(err, -errno, "cannot read " NETNS_DIR ": %s", strerror(errno));
	while ((entry = readdir(dir))) {
		struct netns_name item;

		if (strncmp(entry->d_name, prefix, strlen(prefix)) != 0 ||
		    strlen(entry->d_name) >= sizeof(item.name))
			continue;
		memcpy(item.name, entry->d_name, strlen(entry->d_name) + 1);
		if (vec_push(names, &item) < 0) {
			rc = bw_errf(err, -ENOMEM, "out of memory");
			break;
		}
	}
	closedir(dir);
	return rc;
}

int netns_enter(int ns_fd, int *saved_fd, struct bw_err *err)
{
	*saved_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved_fd < 0)
		return bw_errf(err, -errno, "cannot open /proc/self/ns/net: %s", strerror(errno));
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		int e = errno;

		close(*saved_fd);
		*saved_fd = -1;
		return bw_errf(err, -e, "cannot enter the namespace: %s", strerror(e));
	}
	return 0;
}

int netns_leave(int saved_fd, struct bw_err *err)
{
	int rc = 0;

	if (setns(saved_fd, CLONE_NEWNET) < 0)
		rc = bw_errf(err, -errno, "cannot return to the first namespace: %s",
			     strerror(errno));
	close(saved_fd);
	return rc;
}
