/* The bodies of POST /fw/apply, /fw/authorize and /fw/revoke
 * (src/api/fwrequest.c): the options of the fw subcommand, strictly. */
#include "unit.h"

#include <string.h>

#include <jansson.h>

#include "api/fwrequest.h"

static int parse(const char *body, bool is_edit, struct fwengine_opts *opts, struct bw_err *err)
{
	json_t *doc = NULL;
	int rc;

	memset(err, 0, sizeof(*err));
	rc = fwroutes_parse(body, is_edit, "/run/bulwark", opts, &doc, err);
	json_decref(doc);
	return rc;
}

static void test_apply_body_takes_every_option(void **state)
{
	struct fwengine_opts opts;
	struct bw_err err;
	json_t *doc = NULL;

	(void)state;
	assert_int_equal(fwroutes_parse("{\"aws\": \"/srv/aws\", \"vpc\": \"vpc-1\", \"require\": true, "
					"\"dry_run\": true, \"save\": true, \"ct_mark_bits\": 4278190080}",
					false, "/run/bulwark", &opts, &doc, &err), 0);
	assert_string_equal(opts.aws_dir, "/srv/aws");
	assert_string_equal(opts.vpc_id, "vpc-1");
	assert_string_equal(opts.state_dir, "/run/bulwark");
	assert_true(opts.is_required && opts.is_dry_run && opts.is_saved);
	assert_int_equal(opts.ct_mark_mask, 0xff000000u);
	json_decref(doc);
}

static void test_unknown_key_is_refused_by_name(void **state)
{
	struct fwengine_opts opts;
	struct bw_err err;

	(void)state;
	assert_true(parse("{\"aws\": \"/a\", \"GroupId\": \"sg-1\"}", false, &opts, &err) < 0);
	assert_true(err.is_input);
	assert_non_null(strstr(err.msg, "GroupId"));
}

static void test_relative_folder_is_refused(void **state)
{
	struct fwengine_opts opts;
	struct bw_err err;

	(void)state;
	assert_true(parse("{\"aws\": \"aws\"}", false, &opts, &err) < 0);
	assert_true(parse("{\"aws\": \"/a\", \"state_dir\": \"run\"}", false, &opts, &err) < 0);
	assert_true(err.is_input);
}

static void test_mask_not_one_run_of_bits_is_refused(void **state)
{
	struct fwengine_opts opts;
	struct bw_err err;

	(void)state;
	assert_true(parse("{\"aws\": \"/a\", \"ct_mark_bits\": 5}", false, &opts, &err) < 0);
	assert_non_null(strstr(err.msg, "ct_mark_bits"));
}

static void test_edit_permissions_as_a_list_become_their_text(void **state)
{
	struct fwengine_opts opts;
	struct bw_err err;
	json_t *doc = NULL, *perms;

	(void)state;
	assert_int_equal(fwroutes_parse("{\"aws\": \"/a\", \"GroupId\": \"sg-1\", \"direction\": "
					"\"egress\", \"IpPermissions\": [{\"IpProtocol\": \"-1\"}]}",
					true, "/run/bulwark", &opts, &doc, &err), 0);
	assert_int_equal(opts.dir, VPC_EGRESS);
	assert_string_equal(opts.group_id, "sg-1");
	perms = json_loads(opts.permissions, 0, NULL);
	assert_non_null(perms);
	assert_int_equal(json_array_size(perms), 1);
	json_decref(perms);
	json_decref(doc);
}

static void test_edit_without_group_or_permissions_is_refused(void **state)
{
	struct fwengine_opts opts;
	struct bw_err err;

	(void)state;
	assert_true(parse("{\"aws\": \"/a\", \"IpPermissions\": []}", true, &opts, &err) < 0);
	assert_non_null(strstr(err.msg, "GroupId"));
	assert_true(parse("{\"aws\": \"/a\", \"GroupId\": \"sg-1\"}", true, &opts, &err) < 0);
	assert_non_null(strstr(err.msg, "IpPermissions"));
}

static void test_edit_direction_other_than_ingress_or_egress_is_refused(void **state)
{
	struct fwengine_opts opts;
	struct bw_err err;

	(void)state;
	assert_true(parse("{\"aws\": \"/a\", \"GroupId\": \"sg-1\", \"IpPermissions\": [], "
			  "\"direction\": \"up\"}", true, &opts, &err) < 0);
	assert_non_null(strstr(err.msg, "direction"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_body_takes_every_option),
		cmocka_unit_test(test_unknown_key_is_refused_by_name),
		cmocka_unit_test(test_relative_folder_is_refused),
		cmocka_unit_test(test_mask_not_one_run_of_bits_is_refused),
		cmocka_unit_test(test_edit_permissions_as_a_list_become_their_text),
		cmocka_unit_test(test_edit_without_group_or_permissions_is_refused),
		cmocka_unit_test(test_edit_direction_other_than_ingress_or_egress_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
