/* libFuzzer target: the fck-nat / pelotech-nat configuration reader. */
#include <stddef.h>
#include <stdint.h>

#include "conf/natconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vec warnings = VEC_INIT(struct natconf_warning);
	struct nat_config config;
	struct bw_err err;

	nat_config_init(&config);
	natconf_parse((const char *)data, size, "fuzz.conf", &config, &warnings, &err);
	vec_free(&warnings);
	nat_config_free(&config);
	return 0;
}
