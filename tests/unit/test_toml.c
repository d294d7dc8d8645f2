/* The TOML reader: what each construct becomes, and where and how each
 * thing TOML 1.0 forbids is reported. (toml_differential.py compares whole
 * documents against Python's tomllib.) */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/toml.h"

/* Asserts text parses to the JSON want (compared as trees). */
static void assert_toml(const char *text, const char *want)
{
	struct bw_err err = { 0 };
	json_error_t jerr;
	json_t *got = NULL, *w = json_loads(want, JSON_DECODE_ANY, &jerr);

	if (!w)
		fail_msg("bad test JSON %s: %s", want, jerr.text);
	if (toml_parse("t.toml", text, strlen(text), &got, &err) != 0)
		fail_msg("refused %s: %d:%d: %s", text, err.line, err.col, err.msg);
	if (!json_equal(got, w)) {
		char *s = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);

		fail_msg("%s gave %s, want %s", text, s, want);
	}
	json_decref(got);
	json_decref(w);
}

/* Asserts text (len bytes) fails at line:col with a message holding what. */
static void assert_fails_n(const char *text, size_t len, int line, int col, const char *what)
{
	struct bw_err err = { 0 };
	json_t *got = NULL;
	int rc = toml_parse("t.toml", text, len, &got, &err);

	if (rc == 0)
		fail_msg("accepted: %s", text);
	assert_int_equal(rc, -22);
	assert_null(got);
	assert_true(err.is_input);
	assert_string_equal(err.file, "t.toml");
	if (err.line != line || err.col != col || !strstr(err.msg, what))
		fail_msg("for %s: got %d:%d: %s; want %d:%d: ...%s...", text, err.line, err.col,
			 err.msg, line, col, what);
}

static void assert_fails(const char *text, int line, int col, const char *what)
{
	assert_fails_n(text, strlen(text), line, col, what);
}

static void test_empty_document_is_an_empty_table(void **state)
{
	(void)state;
	assert_toml("", "{}");
	assert_toml("# nothing\n\n   \t\n", "{}");
}

static void test_keys_bare_quoted_and_dotted(void **state)
{
	(void)state;
	assert_toml("a-b_1 = 1\n\"x.y\" = 2\n'lit\\' = 3\n\"\" = 4\n",
		    "{\"a-b_1\":1,\"x.y\":2,\"lit\\\\\":3,\"\":4}");
	assert_toml("a . b.\"c.d\" = 1\na.e = 2\n", "{\"a\":{\"b\":{\"c.d\":1},\"e\":2}}");
	assert_toml("kernel.sysctl.\"net.ipv4.ip_forward\" = \"1\"\n",
		    "{\"kernel\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}");
}

static void test_basic_string_escapes(void **state)
{
	(void)state;
	assert_toml("a = \"\\b\\t\\n\\f\\r\\\"\\\\\"", "{\"a\":\"\\b\\t\\n\\f\\r\\\"\\\\\"}");
	assert_toml("a = \"\\u00e9\\U0001F600\"", "{\"a\":\"\\u00e9\\ud83d\\ude00\"}");
}

static void test_escapes_must_be_unicode_scalar_values(void **state)
{
	(void)state;
	assert_fails("a = \"\\uD800\"", 1, 6, "not a Unicode scalar value");
	assert_fails("a = \"x\\U00110000\"", 1, 7, "not a Unicode scalar value");
	assert_fails("a = \"\\u12\"", 1, 6, "needs 4 hexadecimal digits");
	assert_fails("a = \"\\x41\"", 1, 6, "invalid escape \\x");
}

static void test_multiline_strings(void **state)
{
	(void)state;
	assert_toml("a = \"\"\"\none\r\ntwo\"\"\"", "{\"a\":\"one\\ntwo\"}");
	assert_toml("a = \"\"\"fox \\\n\n    jumps\"\"\"", "{\"a\":\"fox jumps\"}");
	assert_toml("a = \"\"\"\"quoted\"\"\"\"\"", "{\"a\":\"\\\"quoted\\\"\\\"\"}");
	assert_toml("a = '''\nC:\\path\\'''", "{\"a\":\"C:\\\\path\\\\\"}");
	assert_toml("a = ''''x'''''", "{\"a\":\"'x''\"}");
	assert_fails("a = \"\"\"x\\ y\"\"\"", 1, 9, "must end the line");
	assert_fails("a = '''x", 1, 5, "unterminated string");
}

static void test_control_characters_refused(void **state)
{
	(void)state;
	assert_fails("a = \"x\x01\"", 1, 7, "control character 0x01");
	assert_fails("a = 'x\x7f'", 1, 7, "control character 0x7f");
	assert_fails("a = 1 # \x08\n", 1, 9, "in a comment");
	assert_fails("a = 1\rb = 2", 1, 6, "a carriage return");
	assert_fails_n("a = \"\0\"", 7, 1, 6, "control character 0x00");
}

static void test_invalid_utf8_refused(void **state)
{
	(void)state;
	assert_fails("a = 1\nb = \"\xc3\x28\"", 2, 6, "invalid UTF-8");
	assert_fails("a = \"\xed\xa0\x80\"", 1, 6, "invalid UTF-8");
	assert_fails("\xef\xbb\xbf" "a = 1", 1, 1, "a byte order mark (U+FEFF)");
}

static void test_integers_in_every_base(void **state)
{
	(void)state;
	assert_toml("a = +99\nb = -17\nc = 0\nd = 1_000\ne = 0xDEAD_beef\nf = 0o755\ng = 0b1101",
		    "{\"a\":99,\"b\":-17,\"c\":0,\"d\":1000,\"e\":3735928559,\"f\":493,\"g\":13}");
	assert_toml("a = 9223372036854775807\nb = -9223372036854775808",
		    "{\"a\":9223372036854775807,\"b\":-9223372036854775808}");
}

static void test_integer_rules(void **state)
{
	(void)state;
	assert_fails("a = 012", 1, 5, "leading zeros");
	assert_fails("a = 1__2", 1, 5, "invalid number");
	assert_fails("a = 1_", 1, 5, "invalid number");
	assert_fails("a = 0x", 1, 5, "0x needs digits");
	assert_fails("a = +0x1", 1, 5, "invalid number");
	assert_fails("a = 9223372036854775808", 1, 5, "64-bit range");
	assert_fails("a = -9223372036854775809", 1, 5, "64-bit range");
	assert_fails("a = 0x8000000000000000", 1, 5, "64-bit range");
}

static void test_floats(void **state)
{
	(void)state;
	assert_toml("a = 3.14\nb = -0.01\nc = 5e+22\nd = 1e06\ne = 6.626e-34\nf = 224_617.445_991",
		    "{\"a\":3.14,\"b\":-0.01,\"c\":5e22,\"d\":1e6,\"e\":6.626e-34,\"f\":224617.445991}");
	assert_fails("a = .5", 1, 5, "invalid value");
	assert_fails("a = 5.", 1, 5, "invalid number");
	assert_fails("a = 1.e5", 1, 5, "invalid number");
	assert_fails("a = 1e", 1, 5, "invalid number");
	assert_fails("a = 01.5", 1, 5, "leading zeros");
	assert_fails("a = 1e999", 1, 5, "out of range");
}

static void test_inf_and_nan_have_no_json_form(void **state)
{
	(void)state;
	assert_fails("a = inf", 1, 5, "inf and nan have no JSON form");
	assert_fails("a = [1.0, -nan]", 1, 11, "inf and nan have no JSON form");
	assert_fails("a = +inf", 1, 5, "no JSON form");
}

static void test_booleans(void **state)
{
	(void)state;
	assert_toml("a = true\nb = false", "{\"a\":true,\"b\":false}");
	assert_fails("a = True", 1, 5, "strings need quotes");
	assert_fails("a = truex", 1, 5, "invalid boolean");
}

static void test_datetimes_are_rfc3339_strings(void **state)
{
	(void)state;
	assert_toml("a = 1979-05-27 07:32:00z\nb = 1979-05-27t00:32:00.999-07:00\n"
		    "c = 1979-05-27T07:32:00\nd = 1979-05-27\ne = 07:32:00.5",
		    "{\"a\":\"1979-05-27T07:32:00Z\",\"b\":\"1979-05-27T00:32:00.999-07:00\","
		    "\"c\":\"1979-05-27T07:32:00\",\"d\":\"1979-05-27\",\"e\":\"07:32:00.5\"}");
	assert_toml("a = 2000-02-29", "{\"a\":\"2000-02-29\"}");
}

static void test_invalid_datetimes(void **state)
{
	(void)state;
	assert_fails("a = 1900-02-29", 1, 5, "has no day 29");
	assert_fails("a = 2023-13-01", 1, 5, "invalid date");
	assert_fails("a = 1979-05-27T24:00:00", 1, 5, "invalid date-time");
	assert_fails("a = 07:32", 1, 5, "invalid time");
	assert_fails("a = 1979-05-27T07:32:00+0100", 1, 5, "invalid date-time");
}

static void test_arrays(void **state)
{
	(void)state;
	assert_toml("a = [ 1, \"two\", [3.0], {x = 4}, ]",
		    "{\"a\":[1,\"two\",[3.0],{\"x\":4}]}");
	assert_toml("a = [\n  1, # one\n  # nothing\n  2\n]", "{\"a\":[1,2]}");
	assert_fails("a = [1,,2]", 1, 8, "invalid value");
	assert_fails("a = [1 2]", 1, 8, "expected ',' or ']'");
	assert_fails("a = [1,\n2", 1, 5, "unclosed array");
}

static void test_inline_tables(void **state)
{
	(void)state;
	assert_toml("a = { b = 1, c.d = \"x\", e = {} }",
		    "{\"a\":{\"b\":1,\"c\":{\"d\":\"x\"},\"e\":{}}}");
	assert_fails("a = { b = 1, }", 1, 14, "trailing comma");
	assert_fails("a = { b = 1\n}", 1, 12, "stays on one line");
	assert_fails("a = { b = 1, b = 2 }", 1, 14, "b is defined twice");
	assert_fails("a = { b = {}, b.c = 1 }", 1, 15, "cannot be extended");
}

static void test_inline_tables_are_immutable(void **state)
{
	(void)state;
	assert_fails("a = { b = 1 }\na.c = 2", 2, 1, "a is an inline table or array");
	assert_fails("a = { b = 1 }\n[a]", 2, 2, "cannot be extended");
	assert_fails("a = { b = {} }\n[a.b.c]", 2, 2, "cannot be extended");
	assert_fails("a = []\n[[a]]", 2, 3, "cannot be extended");
}

static void test_tables_and_sub_tables(void **state)
{
	(void)state;
	assert_toml("[a.b.c]\nx = 1\n[a]\ny = 2\n[a.\"b\".d]\n",
		    "{\"a\":{\"b\":{\"c\":{\"x\":1},\"d\":{}},\"y\":2}}");
	assert_toml("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true",
		    "{\"fruit\":{\"apple\":{\"color\":\"red\",\"texture\":{\"smooth\":true}}}}");
}

static void test_table_redefinitions_refused(void **state)
{
	(void)state;
	assert_fails("[a]\n[a]", 2, 2, "table a is already defined");
	assert_fails("[a.b]\nc = 1\n[a]\nb.d = 2", 4, 1, "table a.b is defined by a header");
	assert_fails("[fruit]\napple.color = 1\n[fruit.apple]", 3, 2,
		     "table fruit.apple is already defined");
	assert_fails("a = 1\n[a]", 2, 2, "a is already a value");
	assert_fails("a = 1\na = 2", 2, 1, "a is defined twice");
	assert_fails("a.b = 1\na.b.c = 2", 2, 1, "a.b is already a value");
}

static void test_arrays_of_tables(void **state)
{
	(void)state;
	assert_toml("[[p]]\nn = 1\n[p.q]\nx = 1\n[[p.r]]\n[[p]]\n[p.q]\nx = 2\n",
		    "{\"p\":[{\"n\":1,\"q\":{\"x\":1},\"r\":[{}]},{\"q\":{\"x\":2}}]}");
	assert_fails("[[a]]\n[a]", 2, 2, "a is an array of tables, not a table");
	assert_fails("[a]\n[[a]]", 2, 3, "a is already a table");
	assert_fails("[[a]]\n[a.b]\n[a.b]", 3, 2, "table a.b is already defined");
}

static void test_statements_end_at_the_line(void **state)
{
	(void)state;
	assert_fails("a = 1 b = 2", 1, 7, "expected the end of the line");
	assert_fails("[a] b = 1", 1, 5, "expected the end of the line");
	assert_fails("a = \"x\" \"y\"", 1, 9, "expected the end of the line");
	assert_fails("a\n", 1, 2, "expected '=' after a key, found end of line");
	assert_fails("a =\n", 1, 4, "expected a value, found end of line");
	assert_fails("é = 1", 1, 1, "found 'é'");
	assert_fails("x = 1\n  é = 1", 2, 3, "found 'é'");
}

static void test_headers_must_close(void **state)
{
	(void)state;
	assert_fails("[a", 1, 3, "expected ']' to close the header");
	assert_fails("[[a]", 1, 4, "expected ']]' to close the header");
	assert_fails("[]", 1, 2, "expected a key");
	assert_fails("[a.]", 1, 4, "expected a key");
}

static void test_document_size_is_limited(void **state)
{
	size_t len = (size_t)TOML_MAX_BYTES + 1;
	char *big = malloc(len);
	struct bw_err err = { 0 };
	json_t *got = NULL;

	(void)state;
	assert_non_null(big);
	memset(big, '\n', len);
	assert_int_equal(toml_parse("t.toml", big, len, &got, &err), -22);
	assert_non_null(strstr(err.msg, "larger than"));
	/* Exactly at the limit is fine. */
	assert_int_equal(toml_parse("t.toml", big, len - 1, &got, &err), 0);
	json_decref(got);
	free(big);
}

static void test_nesting_depth_is_limited(void **state)
{
	char text[8192];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "a = ");
	for (int i = 0; i < 64; i++)
		text[n++] = '[';
	for (int i = 0; i < 64; i++)
		text[n++] = ']';
	text[n] = '\0';
	assert_fails(text, 1, 68, "nested deeper than 64 levels");
	n = 0;
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "k.");
	snprintf(text + n, sizeof(text) - n, "k = 1");
	assert_fails(text, 1, 129, "a key of more than 64 parts");
}

static void test_input_need_not_be_nul_terminated(void **state)
{
	const char text[] = { 'a', '=', '1', '2' };
	struct bw_err err = { 0 };
	json_t *got = NULL;

	(void)state;
	assert_int_equal(toml_parse("t.toml", text, 3, &got, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(got, "a")), 1);
	json_decref(got);
}

static void assert_where(const struct toml_where *where, const json_t *table, const char *key,
			 int line, int col)
{
	int got_line = 0, got_col = 0;

	if (!toml_where_find(where, table, key, &got_line, &got_col))
		fail_msg("%s: not recorded", key);
	if (got_line != line || got_col != col)
		fail_msg("%s: at %d:%d, want %d:%d", key, got_line, got_col, line, col);
}

static void test_where_records_each_keys_line_and_column(void **state)
{
	static const char doc[] = "a.\"b.c\" = 1\n"
				  "[t]\n"
				  "  x = { y = 2 }\n"
				  "[[arr]]\n"
				  "z = \"é\"\n"
				  "[[arr]]\n"
				  "z = 3\n";
	struct toml_where *where = NULL;
	struct bw_err err = { 0 };
	json_t *root = NULL, *arr;
	int line, col;

	(void)state;
	assert_int_equal(toml_parse_where("t.toml", doc, strlen(doc), &root, &where, &err), 0);
	assert_where(where, root, "a", 1, 1);
	assert_where(where, json_object_get(root, "a"), "b.c", 1, 3);
	assert_where(where, root, "t", 2, 2);
	assert_where(where, json_object_get(root, "t"), "x", 3, 3);
	assert_where(where, json_object_get(json_object_get(root, "t"), "x"), "y", 3, 9);
	arr = json_object_get(root, "arr");
	assert_where(where, json_array_get(arr, 0), "z", 5, 1);
	assert_where(where, json_array_get(arr, 1), "z", 7, 1);
	assert_false(toml_where_find(where, root, "nothing", &line, &col));
	toml_where_free(where);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_document_is_an_empty_table),
		cmocka_unit_test(test_keys_bare_quoted_and_dotted),
		cmocka_unit_test(test_basic_string_escapes),
		cmocka_unit_test(test_escapes_must_be_unicode_scalar_values),
		cmocka_unit_test(test_multiline_strings),
		cmocka_unit_test(test_control_characters_refused),
		cmocka_unit_test(test_invalid_utf8_refused),
		cmocka_unit_test(test_integers_in_every_base),
		cmocka_unit_test(test_integer_rules),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_inf_and_nan_have_no_json_form),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_datetimes_are_rfc3339_strings),
		cmocka_unit_test(test_invalid_datetimes),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_inline_tables),
		cmocka_unit_test(test_inline_tables_are_immutable),
		cmocka_unit_test(test_tables_and_sub_tables),
		cmocka_unit_test(test_table_redefinitions_refused),
		cmocka_unit_test(test_arrays_of_tables),
		cmocka_unit_test(test_statements_end_at_the_line),
		cmocka_unit_test(test_headers_must_close),
		cmocka_unit_test(test_document_size_is_limited),
		cmocka_unit_test(test_nesting_depth_is_limited),
		cmocka_unit_test(test_input_need_not_be_nul_terminated),
		cmocka_unit_test(test_where_records_each_keys_line_and_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
