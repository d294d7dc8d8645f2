/* libFuzzer target: user data (TOML or JSON with a top-level settings
 * table), the key selections the API makes from what it gives, and where
 * the document writes its keys (every key it holds is found). */
#include <stddef.h>
#include <stdint.h>

#include "conf/userdata.h"
#include "model/settings.h"
#include "model/settings_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "settings.kernel.lockdown",
					    "settings.kernel.sysctl.\"net.ipv4.ip_forward\"" };
	struct bw_err err;
	json_t *settings = NULL;

	if (userdata_parse("fuzz", (const char *)data, size, &settings, &err) == 0) {
		json_t *all = json_object();
		json_t *picked = settings_select_keys(settings, keys, 2);
		json_t *under = settings_select_prefix(settings, "settings.kernel");

		struct settings_where where;
		const char *key;
		json_t *value;

		if (all && settings_merge(all, settings) == 0 && !json_equal(all, settings))
			__builtin_trap();
		json_object_foreach (settings, key, value) {
			const char *path[] = { "settings", key };
			int line = 0, col = 0;

			if (!userdata_key_position((const char *)data, size, path, 2, &line, &col) ||
			    line < 1 || col < 1)
				__builtin_trap();
		}
		if (settings_validate_at(settings, true, &where, &err) < 0) {
			const char *path[1 + SETTINGS_MAX_SEGMENTS] = { "settings" };
			int line, col;

			for (size_t i = 0; i < where.n; i++)
				path[i + 1] = where.segs[i];
			(void)userdata_key_position((const char *)data, size, path, where.n + 1, &line,
						    &col);
		}
		json_decref(picked);
		json_decref(under);
		json_decref(all);
		json_decref(settings);
	}
	return 0;
}
