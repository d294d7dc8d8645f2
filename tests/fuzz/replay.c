/* Runs a libFuzzer target over every file of the folders or files given,
 * so the seed corpus and every crash ever found replay under `make check`. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (!f)
		return perror(path), 1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return fprintf(stderr, "%s: cannot read\n", path), 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *dir;
		struct dirent *entry;

		if (stat(argv[i], &st) < 0)
			return perror(argv[i]), 1;
		if (!S_ISDIR(st.st_mode)) {
			failed |= replay_file(argv[i]);
			count++;
			continue;
		}
		dir = opendir(argv[i]);
		while (dir && (entry = readdir(dir))) {
			char path[4096];

			if (entry->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], entry->d_name);
			failed |= replay_file(path);
			count++;
		}
		if (dir)
			closedir(dir);
	}
	printf("replayed %d inputs\n", count);
	/* An empty corpus proves nothing. */
	return failed || count == 0;
}
