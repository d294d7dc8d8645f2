/* libFuzzer target: what bulwark get, set and apply take from the command
 * line (apply's sources, set --json, get's prefixes, --confirm-within).
 * The first byte picks the reader; the rest is its text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/client_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum client_source_kind kind;
	char out[4096];
	struct bw_err err;
	json_t *tree = NULL;
	char *text;
	long seconds;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		client_source(text, &kind, out, sizeof(out), &err);
		break;
	case 1:
		if (client_json_settings(text, &tree, &err) == 0) {
			json_t *copy = json_deep_copy(tree);

			client_merge(copy, tree);
			json_decref(copy);
		}
		json_decref(tree);
		break;
	case 2:
		client_settings_prefix(text, out, sizeof(out), &err);
		break;
	default:
		client_seconds(text, &seconds, &err);
		break;
	}
	free(text);
	return 0;
}
