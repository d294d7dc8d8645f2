#include "host/hostread.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fsroot.h"

int hostread_file(const char *root, const char *path, size_t max_bytes, char **out,
		  struct bw_err *err)
{
	char full[PATH_MAX];
	size_t len = 0;

	*out = NULL;
	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s: path too long", path);
	return fsroot_slurp(full, max_bytes, out, &len, err);
}

int hostread_stat(const char *root, const char *path, struct stat *st)
{
	char full[PATH_MAX];

	if (fsroot_path(root, path, full, sizeof(full)) < 0)
		return -ENAMETOOLONG;
	return stat(full, st) < 0 ? -errno : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int hostread_list(const char *root, const char *dir, const char *suffix, struct vec *names,
		  struct bw_err *err)
{
	char full[PATH_MAX];
	struct dirent *de;
	size_t suffix_len = strlen(suffix);
	DIR *d;

	if (fsroot_path(root, dir, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s: path too long", dir);
	d = opendir(full);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 :
		       bw_errf(err, -errno, "cannot list %s: %s", full, strerror(errno));
	while ((de = readdir(d))) {
		struct hostread_name name = { 0 };
		char path[PATH_MAX];
		size_t len = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' || len < suffix_len || len >= sizeof(name.s) ||
		    strcmp(de->d_name + len - suffix_len, suffix) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", full, de->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		memcpy(name.s, de->d_name, len);
		if (vec_push(names, &name) < 0) {
			closedir(d);
			return bw_errf(err, -ENOMEM, "out of memory");
		}
	}
	closedir(d);
	if (names->len > 1)
		qsort(names->items, names->len, names->item_size, cmp_names);
	return 0;
}

/* Depth-first; depth bounded so a loop of bind mounts cannot run away. */
static int walk(const char *full, size_t root_len, int depth, char *found, size_t found_size)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > 32)
		return 0;
	d = opendir(full);
	if (!d)
		return 0;
	while (!found[0] && (de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", full, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk(path, root_len, depth + 1, found, found_size);
		else if (S_ISREG(st.st_mode) && (st.st_mode & 07))
			snprintf(found, found_size, "%s", path + root_len);
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc;
}

int hostread_find_other_perms(const char *root, const char *dir, char *found,
			      size_t found_size, struct bw_err *err)
{
	char full[PATH_MAX];

	found[0] = '\0';
	if (fsroot_path(root, dir, full, sizeof(full)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%.200s: path too long", dir);
	return walk(full, strlen(full) - strlen(dir), 0, found, found_size);
}

int hostread_module_loaded(const char *root, const char *name, bool *is_loaded,
			   struct bw_err *err)
{
	char *text = NULL;
	size_t name_len = strlen(name);
	int rc = hostread_file(root, "/proc/modules", 4u << 20, &text, err);

	*is_loaded = false;
	if (rc < 0)
		return rc;
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, name, name_len) == 0 &&
		    (line[name_len] == ' ' || line[name_len] == '\t')) {
			*is_loaded = true;
			break;
		}
	}
	free(text);
	return 0;
}
