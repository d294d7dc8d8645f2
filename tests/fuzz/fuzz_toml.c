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

	struct toml_where *where = NULL;
	json_t *again = NULL;

	/* With positions, the same verdict and the same tree, and every
	 * top-level key found where it was written. */
	if (toml_parse_where("fuzz.toml", (const char *)data, size, &again, &where, &err) == 0) {
		const char *key;
		json_t *value;

		json_object_foreach (again, key, value) {
			int line = 0, col = 0;

			if (!toml_where_find(where, again, key, &line, &col) || line < 1 || col < 1)
				__builtin_trap();
		}
	}
	if (toml_parse("fuzz.toml", (const char *)data, size, &doc, &err) == 0) {
		if (!json_equal(doc, again))
			__builtin_trap();
		char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_ENCODE_ANY);
		json_t *keys = settings_changed_keys(NULL, doc);

		if (!text || !keys)
			abort();
		free(text);
		json_decref(keys);
		json_decref(doc);
	} else if (again) {
		__builtin_trap();
	}
	toml_where_free(where);
	json_decref(again);
	return 0;
}
