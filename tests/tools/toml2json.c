/* Reads TOML documents (or, with --userdata, user data) from files and
 * prints one line per file: its JSON with sorted keys, or "error: <what>".
 * The differential test compares these against Python's tomllib. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/toml.h"
#include "conf/userdata.h"

static int convert(const char *path, int is_userdata)
{
	struct bw_err err = { 0 };
	char line[1024];
	char *text = NULL, *s;
	size_t len = 0, cap = 0, n;
	json_t *doc;
	FILE *f;
	int rc;

	f = fopen(path, "rb");
	if (!f)
		return perror(path), 1;
	do {
		if (len + 65536 > cap) {
			char *grown;

			cap = len + 65536;
			grown = realloc(text, cap);
			if (!grown)
				return free(text), fclose(f), 1;
			text = grown;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (is_userdata)
		rc = userdata_parse(path, text, len, &doc, &err);
	else
		rc = toml_parse(path, text, len, &doc, &err);
	free(text);
	if (rc < 0) {
		bw_err_format(&err, line, sizeof(line));
		printf("error: %s\n", line);
		return 0;
	}
	s = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(doc);
	if (!s)
		return 1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int main(int argc, char **argv)
{
	int is_userdata = argc > 1 && strcmp(argv[1], "--userdata") == 0;
	int failed = 0;

	if (argc < 2 + is_userdata)
		return fprintf(stderr, "usage: toml2json [--userdata] FILE...\n"), 2;
	for (int i = 1 + is_userdata; i < argc; i++)
		failed |= convert(argv[i], is_userdata);
	return failed;
}
