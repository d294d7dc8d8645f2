/* The VPC ruleset: pinned byte for byte by a golden file rendered from
 * examples/aws, plus the properties that keep it safe to load. */
#include "unit.h"

#include "golden.h"
#include "examples.h"

#include "render/vpc_nft.h"

static const struct vpc_nft_opts test_nft_opts = { .generation = 1,
						   .ct_mark_mask = VPC_CT_DEFAULT_MASK };

static void test_example_ruleset_matches_golden_file(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
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
	first = vpc_nft_render(&a, &test_nft_opts);
	second = vpc_nft_render(&b, &test_nft_opts);
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
	update = vpc_nft_render_sg_update(&model, 1, NULL);
	assert_non_null(update);
	assert_non_null(strstr(update, "flush set inet bulwark_vpc sg1_in_ports_v4\n"));
	assert_non_null(strstr(update, "add element inet bulwark_vpc sg1_in_ports_v4 { 10.0.1.0/28 . 6 . 22,"));
	assert_null(strstr(update, "sg0_"));
	assert_null(strstr(update, "table"));
	free(update);
	vpc_model_free(&model);
}

static void test_a_change_that_keeps_the_sets_only_refills_them(void **state)
{
	struct vpc_model model;
	struct vpc_sg previous;
	struct sg_rule extra;
	char *update;

	(void)state;
	load_examples(&model);
	/* Before: sg-web with one more TCP rule, so the same sets exist. */
	previous = *VEC_AT(&model.sgs, struct vpc_sg, 0);
	previous.rules = (struct vec)VEC_INIT(struct sg_rule);
	for (size_t i = 0; i < VEC_AT(&model.sgs, struct vpc_sg, 0)->rules.len; i++)
		vec_push(&previous.rules, VEC_AT(&VEC_AT(&model.sgs, struct vpc_sg, 0)->rules, struct sg_rule, i));
	extra = *VEC_AT(&previous.rules, struct sg_rule, 0);
	extra.traffic.port_from = extra.traffic.port_to = 8080;
	vec_push(&previous.rules, &extra);
	update = vpc_nft_render_sg_update(&model, 0, &previous);
	assert_non_null(update);
	assert_null(strstr(update, "add set"));
	assert_null(strstr(update, "chain"));
	assert_non_null(strstr(update, "flush set inet bulwark_vpc sg0_in_ports_v4\n"));
	assert_null(strstr(update, "sg0_in_proto_v4")); /* empty before and after */
	free(update);
	vec_free(&previous.rules);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_ruleset_matches_golden_file),
		cmocka_unit_test(test_rendering_is_deterministic),
		cmocka_unit_test(test_set_update_refills_only_one_groups_sets),
		cmocka_unit_test(test_a_change_that_keeps_the_sets_only_refills_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
