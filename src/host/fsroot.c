#include "host/fsroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsroot_path(const char *root, const char *path, char *out, size_t out_size)
{
	int n;

	if (!root || strcmp(root, "/") == 0)
		root = "";
	n = snprintf(out, out_size, "%s%s", root, path);
	return n < 0 || (size_t)n >= out_size ? -ENAMETOOLONG : 0;
}

int fsroot_read(const char *root, const char *path, char *out, size_t out_size,
		struct bw_err *err)
{
	char full[PATH_MAX];
	ssize_t n;
	int fd;

	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%s: path too long", path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bw_errf(err, -errno, "cannot read %s: %s", full, strerror(errno));
	n = read(fd, out, out_size - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return bw_errf(err, -e, "cannot read %s: %s", full, strerror(e));
	}
	close(fd);
	out[n] = '\0';
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return 0;
}

int fsroot_write_knob(const char *root, const char *path, const char *value,
		      struct bw_err *err)
{
	char full[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%s: path too long", path);
	/* O_TRUNC as a shell's ">" does: procfs ignores it, a fake root needs it. */
	fd = open(full, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return bw_errf(err, -errno, "cannot write %s: %s", full, strerror(errno));
	n = write(fd, value, len);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return bw_errf(err, -e, "cannot write '%s' to %s: %s", value, full,
			       strerror(e));
	}
	if (close(fd) < 0)
		return bw_errf(err, -errno, "cannot write '%s' to %s: %s", value, full,
			       strerror(errno));
	return 0;
}

static int make_parents(char *full)
{
	for (char *slash = strchr(full + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			*slash = '/';
			return -e;
		}
		*slash = '/';
	}
	return 0;
}

int fsroot_replace(const char *root, const char *path, const char *content,
		   struct bw_err *err)
{
	char full[PATH_MAX], tmp[PATH_MAX + 8];
	size_t len = strlen(content);
	ssize_t n;
	int fd, rc;

	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%s: path too long", path);
	rc = make_parents(full);
	if (rc < 0)
		return bw_errf(err, rc, "cannot create the folder of %s: %s", full,
			       strerror(-rc));
	snprintf(tmp, sizeof(tmp), "%s.tmp", full);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return bw_errf(err, -errno, "cannot write %s: %s", tmp, strerror(errno));
	n = write(fd, content, len);
	if (n < 0 || (size_t)n != len || fsync(fd) < 0) {
		int e = n < 0 || (size_t)n == len ? errno : EIO;

		close(fd);
		unlink(tmp);
		return bw_errf(err, -e, "cannot write %s: %s", tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, full) < 0) {
		int e = errno;

		unlink(tmp);
		return bw_errf(err, -e, "cannot replace %s: %s", full, strerror(e));
	}
	return 0;
}

bool fsroot_exists(const char *root, const char *path)
{
	char full[PATH_MAX];

	return fsroot_path(root, path, full, sizeof(full)) == 0 &&
	       access(full, F_OK) == 0;
}

int fsroot_remove(const char *root, const char *path, struct bw_err *err)
{
	char full[PATH_MAX];

	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%s: path too long", path);
	if (unlink(full) < 0 && errno != ENOENT)
		return bw_errf(err, -errno, "cannot remove %s: %s", full, strerror(errno));
	return 0;
}

int fsroot_slurp(const char *path, size_t max_bytes, char **out, size_t *out_len,
		 struct bw_err *err)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return bw_errf(err, -errno, "%s: %s", path, strerror(errno));
	buf = malloc(max_bytes + 1);
	if (!buf) {
		fclose(f);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	n = fread(buf, 1, max_bytes + 1, f);
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		return bw_errf(err, -e, "%s: %s", path, strerror(e));
	}
	fclose(f);
	if (n > max_bytes) {
		free(buf);
		return bw_err_at(err, path, 0, 0, "file is larger than %zu bytes", max_bytes);
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}
