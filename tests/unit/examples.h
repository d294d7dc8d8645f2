/* Loads examples/aws into a linked model, for tests of what renders it. */
#pragma once
#include <string.h>

#include "conf/awsjson.h"
#include "golden.h"

static inline void load_examples(struct vpc_model *model)
{
	static const char *const files[] = { "vpcs.json", "subnets.json", "security-groups.json",
					     "network-acls.json", "instances.json",
					     "network-interfaces.json",
					     "prefix-lists/pl-0a1b2c3d4e5f60041.json" };
	int (*const parsers[])(const char *, size_t, const char *, struct vpc_model *,
			       struct bw_err *) = {
		awsjson_parse_vpcs, awsjson_parse_subnets, awsjson_parse_security_groups,
		awsjson_parse_network_acls, awsjson_parse_instances,
		awsjson_parse_network_interfaces, NULL,
	};
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct bw_err err;

	vpc_model_init(model);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		char *text;
		int rc;

		snprintf(path, sizeof(path), EXAMPLES_DIR "/aws/%s", files[i]);
		text = golden_read(path);
		assert_non_null(text);
		rc = parsers[i] ? parsers[i](text, strlen(text), path, model, &err) :
			awsjson_parse_prefix_list(text, strlen(text), path, "pl-0a1b2c3d4e5f60041",
						  model, &err);
		if (rc != 0)
			fail_msg("%s: %s", path, err.msg);
		free(text);
	}
	assert_int_equal(awsjson_link(model, &warnings, &err), 0);
	vec_free(&warnings);
}
