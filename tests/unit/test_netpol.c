/* NetworkPolicy YAML from the example VPC, pinned by a golden file. */
#include "unit.h"

#include "examples.h"

#include "render/netpol.h"

static void test_example_policies_match_golden_file(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml;

	(void)state;
	load_examples(&model);
	yaml = netpol_render(&model, "default", &notes);
	assert_non_null(yaml);
	golden_check(GOLDEN_DIR "/netpol/example.yaml", yaml);
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
}

static void test_what_cannot_be_expressed_is_named(void **state)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml;

	(void)state;
	load_examples(&model);
	yaml = netpol_render(&model, "prod", &notes);
	/* ICMP rules: web's two, app's egress echo, db's ingress. */
	assert_int_equal(notes.len, 5);
	assert_non_null(strstr(VEC_AT(&notes, struct netpol_note, 0)->text,
			       "i-0a1b2c3d4e5f60051: left out sg-0a1b2c3d4e5f60011 ingress permission 3 (icmp type 8)"));
	assert_non_null(strstr(yaml, "  namespace: prod\n"));
	/* The database group allows no egress: the policy denies it all. */
	assert_non_null(strstr(yaml, "bulwark.io/instance: i-0a1b2c3d4e5f60054\n"));
	assert_non_null(strstr(strstr(yaml, "name: i-0a1b2c3d4e5f60054"), "  egress: []\n"));
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_policies_match_golden_file),
		cmocka_unit_test(test_what_cannot_be_expressed_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
