/* Reads the host for the compliance reports: files, modes and owners,
 * folders, /proc/modules. Every path goes under root ("" is the host). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "util/err.h"
#include "util/vec.h"

/* Reads root/path whole (at most max_bytes) into a malloc'd, NUL-ended
 * buffer the caller frees. */
int hostread_file(const char *root, const char *path, size_t max_bytes, char **out,
		  struct bw_err *err);

/* stat(2) of root/path (following symlinks). Returns 0 or -errno. */
int hostread_stat(const char *root, const char *path, struct stat *st);

struct hostread_name {
	char s[256];
};

/* The names in folder root/dir that end in suffix ("" any), regular files
 * only, sorted; a vec of struct hostread_name. A missing folder is an
 * empty list. */
int hostread_list(const char *root, const char *dir, const char *suffix, struct vec *names,
		  struct bw_err *err);

/* Walks root/dir; the first regular file whose mode grants 'other' any
 * permission, as a path under the host ("" when none). A missing folder
 * has none. */
int hostread_find_other_perms(const char *root, const char *dir, char *found,
			      size_t found_size, struct bw_err *err);

/* Whether a module of that name is loaded (the first word of a line of
 * /proc/modules). */
int hostread_module_loaded(const char *root, const char *name, bool *is_loaded,
			   struct bw_err *err);
