/* The VPC ruleset: pinned byte for byte by a golden file rendered from
 * examples/aws, plus the properties that keep it safe to load. */
#include "unit.h"

#include "golden.h"

#include "conf/awsjson.h"
#include "render/vpc_nft.h"

static void load_examples(struct vpc_model *model)
{
	static const char *const files[] = { "subnets.json", "security-groups.json",
					     "network-acls.json", "instances.json",
					     "prefix-lists/pl-0a1b2c3d4e5f60041.json" };
	int (*const parsers[])(const char *, size_t, const char *, struct vpc_model *,
			       struct bw_err *) = {
		awsjson_parse_subnets, awsjson_parse_security_groups,
		awsjson_parse_network_acls, awsjson_parse_instances, NULL,
	};
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct bw_err err;

	vpc_model_init(model);
	for (size_t i = 0; i < 5; i++) {
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

static void test_example_ruleset_matches_golden_file(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	ruleset = vpc_nft_render(&model);
	assert_non_null(ruleset);
	golden_check(GOLDEN_DIR "/vpc/example.nft", ruleset);
	free(ruleset);
	vpc_model_free(&model);
}

static void test_rendering_is_deterministic(void **state)
{
	struct vpc_model a, b;
	char *first, *second;

	(void)state;
	load_examples(&a);
	load_examples(&b);
	first = vpc_nft_render(&a);
	second = vpc_nft_render(&b);
	assert_string_equal(first, second);
	free(first);
	free(second);
	vpc_model_free(&a);
	vpc_model_free(&b);
}

static void test_set_update_refills_only_one_groups_sets(void **state)
{
	struct vpc_model model;
	char *update;

	(void)state;
	load_examples(&model);
	update = vpc_nft_render_sg_sets(&model, 1);
	assert_non_null(update);
	assert_non_null(strstr(update, "flush set inet bulwark_vpc sg1_in_ports_v4\n"));
	assert_non_null(strstr(update, "add element inet bulwark_vpc sg1_in_ports_v4 { 10.0.1.0/28 . 6 . 22,"));
	assert_null(strstr(update, "sg0_"));
	assert_null(strstr(update, "table"));
	free(update);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_ruleset_matches_golden_file),
		cmocka_unit_test(test_rendering_is_deterministic),
		cmocka_unit_test(test_set_update_refills_only_one_groups_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
