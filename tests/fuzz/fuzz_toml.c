/* libFuzzer target: the TOML reader. Whatever it accepts must be a tree
 * jansson can write out, and settings_tree must walk it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf/toml.h"
#include "model/settings_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_err err;
	json_t *doc = NULL;

	if (toml_parse("fuzz.toml", (const char *)data, size, &doc, &err) == 0) {
		char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_ENCODE_ANY);
		json_t *keys = settings_changed_keys(NULL, doc);

		if (!text || !keys)
			abort();
		free(text);
		json_decref(keys);
		json_decref(doc);
	}
	return 0;
}
