/* User data as Bottlerocket takes it: TOML or JSON, one top-level
 * "settings" table, whose contents come back. */
#include "unit.h"

#include <string.h>

#include "conf/toml.h"
#include "conf/userdata.h"

static void assert_settings(const char *text, const char *want)
{
	struct bw_err err = { 0 };
	json_error_t jerr;
	json_t *got = NULL, *w = json_loads(want, 0, &jerr);

	if (!w)
		fail_msg("bad test JSON %s: %s", want, jerr.text);
	if (userdata_parse("user-data", text, strlen(text), &got, &err) != 0)
		fail_msg("refused %s: %d:%d: %s", text, err.line, err.col, err.msg);
	if (!json_equal(got, w)) {
		char *s = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);

		fail_msg("%s gave %s, want %s", text, s, want);
	}
	json_decref(got);
	json_decref(w);
}

static void assert_refused(const char *text, int line, int col, const char *what)
{
	struct bw_err err = { 0 };
	json_t *got = NULL;

	if (userdata_parse("user-data", text, strlen(text), &got, &err) == 0)
		fail_msg("accepted: %s", text);
	assert_null(got);
	assert_true(err.is_input);
	assert_string_equal(err.file, "user-data");
	if (err.line != line || err.col != col || !strstr(err.msg, what))
		fail_msg("for %s: got %d:%d: %s; want %d:%d: ...%s...", text, err.line, err.col,
			 err.msg, line, col, what);
}

static void test_toml_user_data_gives_its_settings(void **state)
{
	(void)state;
	assert_settings("[settings.kernel]\nlockdown = \"integrity\"\n"
			"[settings.kernel.sysctl]\n\"net.ipv4.ip_forward\" = \"1\"\n",
			"{\"kernel\":{\"lockdown\":\"integrity\","
			"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}");
	assert_settings("settings.hardening.profile = \"cis-level-1\"\n",
			"{\"hardening\":{\"profile\":\"cis-level-1\"}}");
	assert_settings("[settings]\n", "{}");
}

static void test_json_user_data_when_it_starts_with_a_brace(void **state)
{
	(void)state;
	assert_settings("{\"settings\": {\"kernel\": {\"lockdown\": \"none\"}}}",
			"{\"kernel\":{\"lockdown\":\"none\"}}");
	assert_settings(" \r\n\t{\"settings\": {}}\n", "{}");
}

static void test_json_errors_have_a_position(void **state)
{
	(void)state;
	assert_refused("{\"settings\": {\"a\": }}", 1, 20, "");
	assert_refused("{\"settings\": {}}\n{}", 2, 1, "end of file expected");
}

static void test_json_duplicate_keys_refused(void **state)
{
	(void)state;
	assert_refused("{\"settings\": {\"a\": 1, \"a\": 2}}", 1, 25, "duplicate object key");
}

static void test_toml_errors_pass_through(void **state)
{
	(void)state;
	assert_refused("[settings]\na = 1\na = 2\n", 3, 1, "a is defined twice");
	assert_refused("settings = [", 1, 12, "unclosed array");
}

static void test_missing_settings_refused(void **state)
{
	(void)state;
	assert_refused("", 0, 0, "no top-level \"settings\" table");
	assert_refused("{}", 0, 0, "no top-level \"settings\" table");
}

static void test_other_top_level_tables_refused(void **state)
{
	(void)state;
	/* At the key's line and column. */
	assert_refused("[settings]\n[services.x]\n", 2, 2, "top-level \"services\"");
	assert_refused("motd = \"hi\"\n[settings]\n", 1, 1, "top-level \"motd\"");
	assert_refused("{\"settings\": {}, \"configuration-files\": {}}", 1, 18,
		       "top-level \"configuration-files\"");
}

static void test_settings_must_be_a_table(void **state)
{
	(void)state;
	assert_refused("settings = 1\n", 1, 1, "\"settings\" must be a table");
	assert_refused("{\"settings\": [1]}", 1, 2, "\"settings\" must be a table");
	assert_refused("[1, 2]", 1, 3, "expected ']' to close the header");
}

static void test_size_limited_for_json_too(void **state)
{
	size_t len = (size_t)TOML_MAX_BYTES + 1;
	char *big = test_malloc(len);
	struct bw_err err = { 0 };
	json_t *got = NULL;

	(void)state;
	memset(big, ' ', len);
	big[0] = '{';
	assert_int_equal(userdata_parse("user-data", big, len, &got, &err), -22);
	assert_non_null(strstr(err.msg, "larger than"));
	test_free(big);
}

/* Asserts where text writes the key at the dotted path ("settings.kernel"). */
static void assert_key_at(const char *text, const char *dotted, int line, int col)
{
	const char *path[8];
	char copy[256], *save = NULL;
	size_t n = 0;
	int got_line = 0, got_col = 0;

	snprintf(copy, sizeof(copy), "%s", dotted);
	for (char *seg = strtok_r(copy, "/", &save); seg && n < 8; seg = strtok_r(NULL, "/", &save))
		path[n++] = seg;
	if (!userdata_key_position(text, strlen(text), path, n, &got_line, &got_col))
		fail_msg("%s: %s not found", text, dotted);
	if (got_line != line || got_col != col)
		fail_msg("%s: %s at %d:%d, want %d:%d", text, dotted, got_line, got_col, line, col);
}

static void test_toml_keys_are_found_where_written(void **state)
{
	static const char doc[] = "# user data\r\n"
				  "[settings.kernel]\r\n"
				  "lockdown = \"bogus\"\r\n"
				  "sysctl.\"fs.suid_dumpable\" = 1\r\n"
				  "[settings]\r\n"
				  "nat = { enabled = true, interface = \"é x\" }\r\n"
				  "firewall.host.allow-tcp = [70000]\r\n";

	(void)state;
	assert_key_at(doc, "settings", 2, 2);
	assert_key_at(doc, "settings/kernel", 2, 11);
	assert_key_at(doc, "settings/kernel/lockdown", 3, 1);
	assert_key_at(doc, "settings/kernel/sysctl/fs.suid_dumpable", 4, 8);
	assert_key_at(doc, "settings/nat/interface", 6, 25);
	assert_key_at(doc, "settings/firewall/host/allow-tcp", 7, 15);
	/* A key the document does not write: its deepest part that it does. */
	assert_key_at(doc, "settings/kernel/modules/udf", 2, 11);
}

static void test_json_keys_are_found_where_written(void **state)
{
	static const char doc[] = "{\"motd\": \"{\\\"settings\\\": 1}\",\n"
				  " \"settings\": {\"firewall\": {\"host\": {\"allow-tcp\": [1, [2, {\"x\": \"}\"}], 3]}},\n"
				  "  \"kern\\u0065l\": {\"lockdown\": \"b\u00e9\", \"sysctl\": {\"a.b\": 1}},\n"
				  "  \"network\": {\"no-proxy\": true, \"https-proxy\": 5}}}";

	(void)state;
	assert_key_at(doc, "settings", 2, 2);
	assert_key_at(doc, "settings/firewall/host/allow-tcp", 2, 37);
	/* A name written with an escape is the same name. */
	assert_key_at(doc, "settings/kernel", 3, 3);
	assert_key_at(doc, "settings/kernel/sysctl/a.b", 3, 48);
	assert_key_at(doc, "settings/network/https-proxy", 4, 33);
}

static void test_a_key_not_written_at_all_has_no_position(void **state)
{
	const char *path[] = { "settings" };
	int line = 0, col = 0;

	(void)state;
	assert_false(userdata_key_position("{\"other\": {}}", 14, path, 1, &line, &col));
	assert_false(userdata_key_position("[other]\n", 8, path, 1, &line, &col));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toml_user_data_gives_its_settings),
		cmocka_unit_test(test_json_user_data_when_it_starts_with_a_brace),
		cmocka_unit_test(test_json_errors_have_a_position),
		cmocka_unit_test(test_json_duplicate_keys_refused),
		cmocka_unit_test(test_toml_errors_pass_through),
		cmocka_unit_test(test_missing_settings_refused),
		cmocka_unit_test(test_other_top_level_tables_refused),
		cmocka_unit_test(test_settings_must_be_a_table),
		cmocka_unit_test(test_size_limited_for_json_too),
		cmocka_unit_test(test_toml_keys_are_found_where_written),
		cmocka_unit_test(test_json_keys_are_found_where_written),
		cmocka_unit_test(test_a_key_not_written_at_all_has_no_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
