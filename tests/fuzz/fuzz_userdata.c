/* libFuzzer target: user data (TOML or JSON with a top-level settings
 * table), and the key selections the API makes from what it gives. */
#include <stddef.h>
#include <stdint.h>

#include "conf/userdata.h"
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

		if (all && settings_merge(all, settings) == 0 && !json_equal(all, settings))
			__builtin_trap();
		json_decref(picked);
		json_decref(under);
		json_decref(all);
		json_decref(settings);
	}
	return 0;
}
