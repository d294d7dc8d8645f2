/* What bulwark get, set and apply send, shaped from what the user typed. */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include "api/client_input.h"

static void test_dash_is_stdin(void **state)
{
	enum client_source_kind kind;
	char path[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_source("-", &kind, path, sizeof(path), &err), 0);
	assert_int_equal(kind, CLIENT_SOURCE_STDIN);
}

static void test_plain_path_is_a_file(void **state)
{
	enum client_source_kind kind;
	char path[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_source("dir/user-data.toml", &kind, path, sizeof(path), &err), 0);
	assert_int_equal(kind, CLIENT_SOURCE_FILE);
	assert_string_equal(path, "dir/user-data.toml");
}

static void test_file_url_gives_its_decoded_path(void **state)
{
	enum client_source_kind kind;
	char path[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_source("file:///etc/a%20b.toml", &kind, path, sizeof(path), &err), 0);
	assert_int_equal(kind, CLIENT_SOURCE_FILE);
	assert_string_equal(path, "/etc/a b.toml");
	assert_int_equal(client_source("file://localhost/x", &kind, path, sizeof(path), &err), 0);
	assert_string_equal(path, "/x");
}

static void test_file_url_of_another_host_is_refused(void **state)
{
	enum client_source_kind kind;
	char path[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_source("file://host/x", &kind, path, sizeof(path), &err), -EINVAL);
	assert_true(err.is_input);
}

static void test_file_url_with_a_nul_escape_is_refused(void **state)
{
	enum client_source_kind kind;
	char path[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_source("file:///a%00b", &kind, path, sizeof(path), &err), -EINVAL);
	assert_int_equal(client_source("file:///a%zz", &kind, path, sizeof(path), &err), -EINVAL);
}

static void test_https_is_fetched(void **state)
{
	enum client_source_kind kind;
	char path[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_source("https://example.com/u", &kind, path, sizeof(path), &err), 0);
	assert_int_equal(kind, CLIENT_SOURCE_HTTPS);
}

static void test_plain_http_and_other_schemes_are_refused(void **state)
{
	enum client_source_kind kind;
	char path[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_source("http://example.com/u", &kind, path, sizeof(path), &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "only https:// and file://"));
	assert_int_equal(client_source("s3://bucket/u", &kind, path, sizeof(path), &err), -EINVAL);
	assert_int_equal(client_source("", &kind, path, sizeof(path), &err), -EINVAL);
}

static void test_json_settings_layer_is_taken_off(void **state)
{
	json_t *tree = NULL;
	struct bw_err err;

	(void)state;
	assert_int_equal(client_json_settings("{\"settings\": {\"kernel\": {\"lockdown\": \"none\"}}}",
					      &tree, &err), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(tree, "kernel"),
							      "lockdown")), "none");
	assert_null(json_object_get(tree, "settings"));
	json_decref(tree);
}

static void test_json_without_settings_layer_is_kept(void **state)
{
	json_t *tree = NULL;
	struct bw_err err;

	(void)state;
	assert_int_equal(client_json_settings("{\"kernel\": {}}", &tree, &err), 0);
	assert_non_null(json_object_get(tree, "kernel"));
	json_decref(tree);
}

static void test_json_not_an_object_is_refused(void **state)
{
	json_t *tree = NULL;
	struct bw_err err;

	(void)state;
	assert_int_equal(client_json_settings("[1]", &tree, &err), -EINVAL);
	assert_int_equal(client_json_settings("{\"settings\": 1}", &tree, &err), -EINVAL);
	assert_null(tree);
}

static void test_json_syntax_error_has_a_position(void **state)
{
	json_t *tree = NULL;
	struct bw_err err;

	(void)state;
	assert_int_equal(client_json_settings("{\"a\":\n  }", &tree, &err), -EINVAL);
	assert_string_equal(err.file, "--json");
	assert_int_equal(err.line, 2);
}

static void test_json_duplicate_keys_are_refused(void **state)
{
	json_t *tree = NULL;
	struct bw_err err;

	(void)state;
	assert_int_equal(client_json_settings("{\"a\": 1, \"a\": 2}", &tree, &err), -EINVAL);
}

static void test_prefix_gets_settings_in_front(void **state)
{
	char out[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_settings_prefix("kernel.lockdown", out, sizeof(out), &err), 0);
	assert_string_equal(out, "settings.kernel.lockdown");
	assert_int_equal(client_settings_prefix("settings.kernel", out, sizeof(out), &err), 0);
	assert_string_equal(out, "settings.kernel");
	assert_int_equal(client_settings_prefix("settings", out, sizeof(out), &err), 0);
	assert_string_equal(out, "settings");
}

static void test_os_prefixes_name_the_models_os_part(void **state)
{
	char out[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_settings_prefix("os", out, sizeof(out), &err), 0);
	assert_string_equal(out, "os");
	assert_int_equal(client_settings_prefix("os.arch", out, sizeof(out), &err), 0);
	assert_string_equal(out, "os.arch");
	/* Only os itself: a setting's prefix that starts with the letters is one. */
	assert_int_equal(client_settings_prefix("osx", out, sizeof(out), &err), 0);
	assert_string_equal(out, "settings.osx");
}

static void test_empty_prefix_is_refused(void **state)
{
	char out[64];
	struct bw_err err;

	(void)state;
	assert_int_equal(client_settings_prefix("", out, sizeof(out), &err), -EINVAL);
	assert_true(err.is_input);
}

static void test_merge_joins_objects_and_replaces_the_rest(void **state)
{
	json_t *into = json_loads("{\"s\": {\"a\": 1, \"k\": {\"x\": 1}, \"l\": [1, 2]}}", 0, NULL);
	json_t *from = json_loads("{\"s\": {\"b\": 2, \"k\": {\"y\": 2}, \"l\": [3]}}", 0, NULL);
	json_t *want = json_loads("{\"s\": {\"a\": 1, \"b\": 2, \"k\": {\"x\": 1, \"y\": 2}, "
				  "\"l\": [3]}}", 0, NULL);

	(void)state;
	client_merge(into, from);
	assert_true(json_equal(into, want));
	json_decref(into);
	json_decref(from);
	json_decref(want);
}

static void test_seconds_take_a_whole_number_in_range(void **state)
{
	struct bw_err err;
	long s = 0;

	(void)state;
	assert_int_equal(client_seconds("30", &s, &err), 0);
	assert_int_equal(s, 30);
	assert_int_equal(client_seconds("604800", &s, &err), 0);
	assert_int_equal(client_seconds("0", &s, &err), -EINVAL);
	assert_int_equal(client_seconds("604801", &s, &err), -EINVAL);
	assert_int_equal(client_seconds("99999999999999999999", &s, &err), -EINVAL);
	assert_int_equal(client_seconds("-5", &s, &err), -EINVAL);
	assert_int_equal(client_seconds("5s", &s, &err), -EINVAL);
	assert_int_equal(client_seconds("", &s, &err), -EINVAL);
	assert_int_equal(client_seconds("030", &s, &err), -EINVAL);
}

static void test_tx_name_is_letters_and_digits(void **state)
{
	unsigned char random[16];
	char name[64];

	(void)state;
	for (int i = 0; i < 16; i++)
		random[i] = (unsigned char)(i * 17 + 250);
	client_tx_name("set", random, name, sizeof(name));
	assert_int_equal(strncmp(name, "bulwark-set-", 12), 0);
	assert_int_equal(strlen(name), 12 + 16);
	for (const char *p = name + 12; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dash_is_stdin),
		cmocka_unit_test(test_plain_path_is_a_file),
		cmocka_unit_test(test_file_url_gives_its_decoded_path),
		cmocka_unit_test(test_file_url_of_another_host_is_refused),
		cmocka_unit_test(test_file_url_with_a_nul_escape_is_refused),
		cmocka_unit_test(test_https_is_fetched),
		cmocka_unit_test(test_plain_http_and_other_schemes_are_refused),
		cmocka_unit_test(test_json_settings_layer_is_taken_off),
		cmocka_unit_test(test_json_without_settings_layer_is_kept),
		cmocka_unit_test(test_json_not_an_object_is_refused),
		cmocka_unit_test(test_json_syntax_error_has_a_position),
		cmocka_unit_test(test_json_duplicate_keys_are_refused),
		cmocka_unit_test(test_prefix_gets_settings_in_front),
		cmocka_unit_test(test_os_prefixes_name_the_models_os_part),
		cmocka_unit_test(test_empty_prefix_is_refused),
		cmocka_unit_test(test_merge_joins_objects_and_replaces_the_rest),
		cmocka_unit_test(test_seconds_take_a_whole_number_in_range),
		cmocka_unit_test(test_tx_name_is_letters_and_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
