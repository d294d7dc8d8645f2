/* Golden files: compare rendered bytes with a stored file, or rewrite the
 * file when BULWARK_UPDATE_GOLDEN=1 (`make golden`; review the diff). */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *golden_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static inline void golden_check(const char *path, const char *actual)
{
	const char *update = getenv("BULWARK_UPDATE_GOLDEN");
	char *expected;

	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fputs(actual, f);
		fclose(f);
		return;
	}
	expected = golden_read(path);
	if (!expected)
		fail_msg("missing golden file %s (run make golden)", path);
	if (strcmp(expected, actual) != 0) {
		print_error("golden %s differs; got:\n%s", path, actual);
		free(expected);
		fail();
	}
	free(expected);
}
