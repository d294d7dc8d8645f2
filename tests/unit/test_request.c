/* API request bodies and query lists (src/api/request.c): what reaches the
 * datastore is a validated settings tree, anything else is one line. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/request.h"

static json_t *settings_ok(const char *body)
{
	struct bw_err err = { 0 };
	json_t *tree = NULL;

	assert_int_equal(api_request_settings(body, strlen(body), &tree, &err), 0);
	return tree;
}

static void assert_settings_fails(const char *body, const char *what)
{
	struct bw_err err = { 0 };
	json_t *tree = NULL;

	assert_true(api_request_settings(body, strlen(body), &tree, &err) < 0);
	assert_true(err.is_input);
	assert_non_null(strstr(err.msg, what));
	assert_null(tree);
}

static void assert_tree(json_t *tree, const char *want)
{
	json_t *expected = json_loads(want, 0, NULL);

	assert_non_null(expected);
	assert_true(json_equal(tree, expected));
	json_decref(expected);
	json_decref(tree);
}

static void test_settings_body_is_the_tree(void **state)
{
	(void)state;
	assert_tree(settings_ok("{\"kernel\":{\"lockdown\":\"integrity\"}}"),
		    "{\"kernel\":{\"lockdown\":\"integrity\"}}");
}

static void test_settings_body_wrapped_in_settings_is_unwrapped(void **state)
{
	(void)state;
	assert_tree(settings_ok("{\"settings\":{\"kernel\":{\"lockdown\":\"none\"}}}"),
		    "{\"kernel\":{\"lockdown\":\"none\"}}");
}

static void test_settings_body_bad_json_names_line_and_column(void **state)
{
	(void)state;
	assert_settings_fails("{\"kernel\": ", "request body:1:");
}

static void test_settings_body_not_an_object_is_refused(void **state)
{
	(void)state;
	assert_settings_fails("[1]", "expected a JSON object");
}

static void test_settings_body_duplicate_key_is_refused(void **state)
{
	(void)state;
	assert_settings_fails("{\"kernel\":{},\"kernel\":{}}", "request body:");
}

static void test_settings_body_bad_value_names_the_key(void **state)
{
	(void)state;
	assert_settings_fails("{\"kernel\":{\"lockdown\":\"bogus\"}}", "settings.kernel.lockdown");
}

static void test_settings_body_read_only_key_is_refused(void **state)
{
	(void)state;
	assert_settings_fails("{\"security\":{\"fips-mode\":true}}", "read-only");
}

static void test_settings_body_over_the_limit_is_refused(void **state)
{
	struct bw_err err = { 0 };
	json_t *tree = NULL;

	(void)state;
	assert_true(api_request_settings("{}", API_BODY_MAX + 1, &tree, &err) < 0);
	assert_non_null(strstr(err.msg, "larger than"));
}

static void test_keypairs_become_a_tree(void **state)
{
	const char *body = "{\"request_payload\":[\"kernel.lockdown=integrity\","
			   "\"settings.kernel.sysctl.\\\"fs.suid_dumpable\\\"=0\"]}";
	struct bw_err err = { 0 };
	json_t *tree = NULL;

	(void)state;
	assert_int_equal(api_request_keypairs(body, strlen(body), &tree, &err), 0);
	assert_tree(tree, "{\"kernel\":{\"lockdown\":\"integrity\","
			  "\"sysctl\":{\"fs.suid_dumpable\":\"0\"}}}");
}

static void assert_keypairs_fail(const char *body, const char *what)
{
	struct bw_err err = { 0 };
	json_t *tree = NULL;

	assert_true(api_request_keypairs(body, strlen(body), &tree, &err) < 0);
	assert_true(err.is_input);
	assert_non_null(strstr(err.msg, what));
	assert_null(tree);
}

static void test_keypairs_other_shape_is_refused(void **state)
{
	(void)state;
	assert_keypairs_fail("{\"payload\":[]}", "request_payload");
	assert_keypairs_fail("{\"request_payload\":\"kernel.lockdown=none\"}", "request_payload");
}

static void test_keypairs_item_not_a_string_names_its_index(void **state)
{
	(void)state;
	assert_keypairs_fail("{\"request_payload\":[\"kernel.lockdown=none\",7]}",
			     "request_payload[1]");
}

static void test_keypairs_with_nul_are_refused(void **state)
{
	(void)state;
	/* jansson refuses \u0000 while parsing: a NUL never reaches a pair. */
	assert_keypairs_fail("{\"request_payload\":[\"kernel.lockdown=no\\u0000ne\"]}",
			     "request body:");
}

static void test_keypairs_bad_value_is_refused(void **state)
{
	(void)state;
	assert_keypairs_fail("{\"request_payload\":[\"kernel.lockdown=bogus\"]}", "lockdown");
}

static void test_list_splits_on_commas(void **state)
{
	struct bw_err err = { 0 };
	json_t *items = NULL;

	(void)state;
	assert_int_equal(api_request_list("keys", "a,b.\"c.d\"", &items, &err), 0);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_array_get(items, 0)), "a");
	assert_string_equal(json_string_value(json_array_get(items, 1)), "b.\"c.d\"");
	json_decref(items);
}

static void test_list_empty_or_with_empty_item_is_refused(void **state)
{
	struct bw_err err = { 0 };
	json_t *items = NULL;

	(void)state;
	assert_true(api_request_list("keys", "", &items, &err) < 0);
	assert_non_null(strstr(err.msg, "keys"));
	assert_true(api_request_list("keys", "a,,b", &items, &err) < 0);
	assert_true(api_request_list("keys", "a,", &items, &err) < 0);
	assert_null(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_body_is_the_tree),
		cmocka_unit_test(test_settings_body_wrapped_in_settings_is_unwrapped),
		cmocka_unit_test(test_settings_body_bad_json_names_line_and_column),
		cmocka_unit_test(test_settings_body_not_an_object_is_refused),
		cmocka_unit_test(test_settings_body_duplicate_key_is_refused),
		cmocka_unit_test(test_settings_body_bad_value_names_the_key),
		cmocka_unit_test(test_settings_body_read_only_key_is_refused),
		cmocka_unit_test(test_settings_body_over_the_limit_is_refused),
		cmocka_unit_test(test_keypairs_become_a_tree),
		cmocka_unit_test(test_keypairs_other_shape_is_refused),
		cmocka_unit_test(test_keypairs_item_not_a_string_names_its_index),
		cmocka_unit_test(test_keypairs_with_nul_are_refused),
		cmocka_unit_test(test_keypairs_bad_value_is_refused),
		cmocka_unit_test(test_list_splits_on_commas),
		cmocka_unit_test(test_list_empty_or_with_empty_item_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
