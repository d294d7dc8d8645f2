/* Files of the host, under a root prefix ("" or "/" is the real host;
 * tests pass a temporary folder that fakes one). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/err.h"

/* Joins root and an absolute path. Returns 0 or -ENAMETOOLONG. */
int fsroot_path(const char *root, const char *path, char *out, size_t out_size);

/* Makes root + path a folder, with its parents (0755); *full is the
 * joined path. */
int fsroot_make_dir(const char *root, const char *path, char *full, size_t full_size,
		    struct bw_err *err);

/* dir + "/" + name into out; a result that does not fit is an error
 * (-ENAMETOOLONG) naming the path, never a silently shorter path. */
int fsroot_join(char *out, size_t out_size, const char *dir, const char *name,
		struct bw_err *err);

/* Reads a small file whole, without its trailing newline; a value that
 * does not fit out is an error (-EOVERFLOW), never cut short. */
int fsroot_read(const char *root, const char *path, char *out, size_t out_size,
		struct bw_err *err);

/* Writes value to an existing file (a /proc/sys or /sys knob) in one write. */
int fsroot_write_knob(const char *root, const char *path, const char *value,
		      struct bw_err *err);

/* Writes doc as indented JSON (json_dumps flags added) with
 * fsroot_replace; takes doc, even on failure. */
int fsroot_replace_json(const char *root, const char *path, json_t *doc, size_t flags,
			struct bw_err *err);

/* Replaces a regular file atomically, creating its folder: a temporary of
 * a name nobody holds in the same folder (O_EXCL, never through a
 * symlink), written whole, fsync'd, renamed over the file, then the
 * folder fsync'd. The new file keeps the old one's permission bits. On
 * failure the temporary is removed and the file is as it was. */
int fsroot_replace(const char *root, const char *path, const char *content,
		   struct bw_err *err);

bool fsroot_exists(const char *root, const char *path);
int fsroot_remove(const char *root, const char *path, struct bw_err *err);

/* Reads a whole file of at most max_bytes into a malloc'd buffer. */
int fsroot_slurp(const char *path, size_t max_bytes, char **out, size_t *out_len,
		 struct bw_err *err);
