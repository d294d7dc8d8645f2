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

int fsroot_join(char *out, size_t out_size, const char *dir, const char *name,
		struct bw_err *err)
{
	int n = snprintf(out, out_size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= out_size)
		return bw_errf(err, -ENAMETOOLONG, "%.200s/%.200s: path too long", dir, name);
	return 0;
}

int fsroot_read(const char *root, const char *path, char *out, size_t out_size,
		struct bw_err *err)
{
	char full[PATH_MAX];
	size_t len = 0;
	int fd;

	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s%.200s: path too long", root ? root : "",
			       path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bw_errf(err, -errno, "cannot read %s: %s", full, strerror(errno));
	/* Until end of file: procfs may hand a value over in pieces. One byte
	 * more than fits is read to tell a whole value from a cut one. */
	for (;;) {
		char extra = '\0';
		ssize_t n = len + 1 < out_size ? read(fd, out + len, out_size - 1 - len) :
						 read(fd, &extra, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return bw_errf(err, -e, "cannot read %s: %s", full, strerror(e));
		}
		if (n == 0)
			break;
		/* Past the buffer only the newlines stripped below may follow. */
		if (len + 1 >= out_size && extra != '\n') {
			close(fd);
			return bw_errf(err, -EOVERFLOW, "cannot read %s: its value is longer than %zu bytes",
				       full, out_size - 1);
		}
		if (len + 1 < out_size)
			len += (size_t)n;
	}
	close(fd);
	out[len] = '\0';
	while (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
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
		return bw_errf(err, -ENAMETOOLONG, "%.200s%.200s: path too long", root ? root : "",
			       path);
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

int fsroot_make_dir(const char *root, const char *path, char *full, size_t full_size,
		    struct bw_err *err)
{
	char with_slash[PATH_MAX];
	int rc;

	if (fsroot_path(root, path, full, full_size) < 0 ||
	    snprintf(with_slash, sizeof(with_slash), "%s/", full) >= (int)sizeof(with_slash))
		return bw_errf(err, -ENAMETOOLONG, "%.200s: path too long", path);
	rc = make_parents(with_slash);
	return rc < 0 ? bw_errf(err, rc, "cannot make %s: %s", full, strerror(-rc)) : 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates a temporary beside full that nobody else holds: O_EXCL so an
 * existing file or symlink at the name is never opened, O_NOFOLLOW so
 * a symlink is not followed even then; a taken name tries the next. */
static int open_temporary(const char *full, char *tmp, size_t tmp_size, mode_t mode)
{
	const char *slash = strrchr(full, '/');
	int dir_len = slash ? (int)(slash - full + 1) : 0;

	for (unsigned attempt = 0; attempt < 64; attempt++) {
		int n = snprintf(tmp, tmp_size, "%.*s.%s.%ld.%u.tmp", dir_len, full,
				 full + dir_len, (long)getpid(), attempt);
		int fd;

		if (n < 0 || (size_t)n >= tmp_size)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

static int sync_folder(const char *full)
{
	char folder[PATH_MAX];
	const char *slash = strrchr(full, '/');
	int fd, rc = 0;

	if (!slash)
		snprintf(folder, sizeof(folder), ".");
	else if (slash == full)
		snprintf(folder, sizeof(folder), "/");
	else
		snprintf(folder, sizeof(folder), "%.*s", (int)(slash - full), full);
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int fsroot_replace(const char *root, const char *path, const char *content,
		   struct bw_err *err)
{
	char full[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	mode_t mode = 0644;
	int fd, rc;

	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s%.200s: path too long", root ? root : "",
			       path);
	rc = make_parents(full);
	if (rc < 0)
		return bw_errf(err, rc, "cannot create the folder of %s: %s", full,
			       strerror(-rc));
	/* The new file keeps the permissions of the one it replaces. */
	if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	fd = open_temporary(full, tmp, sizeof(tmp), mode);
	if (fd == -ENAMETOOLONG)
		return bw_errf(err, fd, "%s: path too long for a temporary beside it", full);
	if (fd < 0)
		return bw_errf(err, fd, "cannot create a temporary beside %s: %s", full,
			       strerror(-fd));
	/* Why fchmod: open's mode passes through the umask. */
	rc = fchmod(fd, mode) < 0 ? -errno : 0;
	if (rc == 0)
		rc = write_all(fd, content, strlen(content));
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return bw_errf(err, rc, "cannot write %s: %s", tmp, strerror(-rc));
	}
	if (rename(tmp, full) < 0) {
		rc = -errno;
		unlink(tmp);
		return bw_errf(err, rc, "cannot replace %s: %s", full, strerror(-rc));
	}
	/* The rename itself is durable only once the folder is. */
	rc = sync_folder(full);
	if (rc < 0)
		return bw_errf(err, rc, "cannot sync the folder of %s: %s", full, strerror(-rc));
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
		return bw_errf(err, -ENAMETOOLONG, "%.200s%.200s: path too long", root ? root : "",
			       path);
	if (unlink(full) < 0 && errno != ENOENT)
		return bw_errf(err, -errno, "cannot remove %s: %s", full, strerror(errno));
	return 0;
}

/* The buffer grows from the file's size (or 64 KiB), not max_bytes up
 * front: 256 MiB a file of JSON was most of `fw apply`'s heap. */
int fsroot_slurp(const char *path, size_t max_bytes, char **out, size_t *out_len,
		 struct bw_err *err)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	size_t n = 0, cap = (size_t)64 * 1024;
	char *buf = NULL;
	int e = 0;

	if (!f)
		return bw_errf(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	for (;;) {
		char *grown;

		cap = cap > max_bytes + 1 ? max_bytes + 1 : cap;
		grown = realloc(buf, cap + 1);
		if (!grown) {
			e = ENOMEM;
			break;
		}
		buf = grown;
		n += fread(buf + n, 1, cap - n, f);
		if (ferror(f)) {
			e = errno ? errno : EIO;
			break;
		}
		if (n < cap || cap > max_bytes)
			break;
		cap *= 2;
	}
	fclose(f);
	if (e) {
		free(buf);
		return e == ENOMEM ? bw_errf(err, -ENOMEM, "out of memory") :
			bw_errf(err, -e, "%s: %s", path, strerror(e));
	}
	if (n > max_bytes) {
		free(buf);
		return bw_err_at(err, path, 0, 0, "file is larger than %zu bytes", max_bytes);
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

int fsroot_replace_json(const char *root, const char *path, json_t *doc, size_t flags,
			struct bw_err *err)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | flags) : NULL;
	int rc;

	json_decref(doc);
	if (!text)
		return bw_errf(err, -ENOMEM, "out of memory");
	rc = fsroot_replace(root, path, text, err);
	free(text);
	return rc;
}
