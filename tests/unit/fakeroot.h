/* A fake host root in a temporary folder, for code that takes --root. */
#pragma once
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void fakeroot_mkdirs(const char *path)
{
	char copy[1024];

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(copy, 0755);
		*p = '/';
	}
}

/* Creates root/path holding value (and a newline, as /proc/sys prints). */
static inline void fakeroot_put(const char *root, const char *path, const char *value)
{
	char full[1024];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	fakeroot_mkdirs(full);
	f = fopen(full, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", value);
	fclose(f);
}

/* Reads root/path without its trailing newline into a static buffer. */
static inline const char *fakeroot_get(const char *root, const char *path)
{
	static char value[256];
	char full[1024];
	FILE *f;
	size_t n;

	snprintf(full, sizeof(full), "%s%s", root, path);
	f = fopen(full, "r");
	if (!f)
		return NULL;
	n = fread(value, 1, sizeof(value) - 1, f);
	fclose(f);
	value[n] = '\0';
	while (n > 0 && value[n - 1] == '\n')
		value[--n] = '\0';
	return value;
}

static inline char *fakeroot_new(void)
{
	char tmpl[] = "/tmp/bulwark-root.XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return strdup(dir);
}

static inline void fakeroot_free(char *root)
{
	char cmd[1100];

	/* Tests only: the folder is ours and under /tmp. */
	if (strncmp(root, "/tmp/bulwark-root.", 18) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", root);
	}
	free(root);
}
