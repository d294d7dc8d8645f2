#include "host/awsfingerprint.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fnv.h"
#include "util/vec.h"


static const char *const top_files[] = {
	"instances.json",	 "network-acls.json", "network-interfaces.json",
	"security-groups.json", "subnets.json",	     "vpcs.json",
};

static void fnv(uint64_t *h, const void *data, size_t len)
{
	*h = fnv1a64(*h, data, len);
}

/* The name, then a tag: present with its length and bytes, or absent.
 * Lengths keep one file's end from passing for the next one's start. */
static int hash_file(uint64_t *h, const char *dir, const char *name, struct bw_err *err)
{
	char path[PATH_MAX], buf[65536];
	uint64_t len = 0;
	uint64_t body = FNV1A64_OFFSET;
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd;

	if (n < 0 || (size_t)n >= sizeof(path))
		return bw_errf(err, -ENAMETOOLONG, "%.200s/%.200s: path too long", dir, name);
	fnv(h, name, strlen(name) + 1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fnv(h, "-", 1);
		return 0;
	}
	if (fd < 0)
		return bw_errf(err, -errno, "cannot read %s: %s", path, strerror(errno));
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			close(fd);
			return bw_errf(err, -e, "cannot read %s: %s", path, strerror(e));
		}
		if (got == 0)
			break;
		fnv(&body, buf, (size_t)got);
		len += (uint64_t)got;
	}
	close(fd);
	fnv(h, "+", 1);
	fnv(h, &len, sizeof(len));
	fnv(h, &body, sizeof(body));
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_prefix_list_file(const char *name)
{
	size_t len = strlen(name);

	return strncmp(name, "pl-", 3) == 0 && len >= 8 && strcmp(name + len - 5, ".json") == 0;
}

int awsdir_fingerprint(const char *dir, char out[17], struct bw_err *err)
{
	uint64_t h = FNV1A64_OFFSET;
	char folder[PATH_MAX], name[NAME_MAX + 16];
	struct vec names = VEC_INIT(char *);
	struct dirent *entry;
	DIR *d;
	int rc = 0, n;

	for (size_t i = 0; i < sizeof(top_files) / sizeof(top_files[0]) && rc == 0; i++)
		rc = hash_file(&h, dir, top_files[i], err);
	if (rc < 0)
		return rc;
	n = snprintf(folder, sizeof(folder), "%s/prefix-lists", dir);
	if (n < 0 || (size_t)n >= sizeof(folder))
		return bw_errf(err, -ENAMETOOLONG, "%.200s/prefix-lists: path too long", dir);
	d = opendir(folder);
	if (!d && errno != ENOENT)
		return bw_errf(err, -errno, "cannot read %s: %s", folder, strerror(errno));
	while (d && (entry = readdir(d))) {
		char *copy;

		if (!is_prefix_list_file(entry->d_name))
			continue;
		copy = strdup(entry->d_name);
		if (!copy || vec_push(&names, &copy) < 0) {
			free(copy);
			rc = bw_errf(err, -ENOMEM, "out of memory");
			break;
		}
	}
	if (d)
		closedir(d);
	/* readdir's order is the file system's: sort for a stable hash. */
	if (rc == 0 && names.len > 0)
		qsort(names.items, names.len, sizeof(char *), compare_names);
	for (size_t i = 0; i < names.len && rc == 0; i++) {
		snprintf(name, sizeof(name), "prefix-lists/%s", *VEC_AT(&names, char *, i));
		rc = hash_file(&h, dir, name, err);
	}
	for (size_t i = 0; i < names.len; i++)
		free(*VEC_AT(&names, char *, i));
	vec_free(&names);
	if (rc == 0)
		snprintf(out, 17, "%016" PRIx64, h);
	return rc;
}

int awsdir_check_fingerprint(const char *dir, const char *recorded, struct bw_err *err)
{
	char now[17];
	int rc = awsdir_fingerprint(dir, now, err);

	if (rc < 0)
		return rc;
	if (strcmp(now, recorded) != 0)
		return bw_errf(err, -ESTALE, "the files in %.300s changed since fw apply: run fw apply first",
			       dir);
	return 0;
}
