/* The model's os part: os-release read as Bottlerocket's
 * BottlerocketRelease fields, and GET /?prefix= selection of them. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "api/osinfo.h"

static void assert_json_text(json_t *got, const char *want)
{
	char *text = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	json_decref(got);
}

static json_t *from(const char *text)
{
	return osinfo_from_release(text, text ? strlen(text) : 0, "x86_64", "0.1.0");
}

static void test_fields_come_from_os_release(void **state)
{
	(void)state;
	assert_json_text(from("NAME=\"Debian GNU/Linux\"\n"
			      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
			      "# VERSION_ID=11\n"
			      "VERSION_ID=\"12\"\n"
			      "ID=debian\n"),
			 "{\"arch\":\"x86_64\",\"build_id\":\"0.1.0\","
			 "\"pretty_name\":\"Debian GNU/Linux 12 (bookworm)\","
			 "\"variant_id\":\"debian\",\"version_id\":\"12\"}");
}

static void test_variant_and_build_ids_win_when_given(void **state)
{
	(void)state;
	assert_json_text(from("ID=bottlerocket\nVARIANT_ID=aws-k8s-1.29\nVERSION_ID=1.20.0\n"
			      "BUILD_ID=a1b2c3d4\nPRETTY_NAME=\"Bottlerocket OS 1.20.0 (aws-k8s-1.29)\"\n"),
			 "{\"arch\":\"x86_64\",\"build_id\":\"a1b2c3d4\","
			 "\"pretty_name\":\"Bottlerocket OS 1.20.0 (aws-k8s-1.29)\","
			 "\"variant_id\":\"aws-k8s-1.29\",\"version_id\":\"1.20.0\"}");
}

static void test_no_os_release_gives_the_defaults(void **state)
{
	(void)state;
	assert_json_text(from(NULL), "{\"arch\":\"x86_64\",\"build_id\":\"0.1.0\","
				     "\"pretty_name\":\"Linux\",\"variant_id\":\"linux\","
				     "\"version_id\":\"\"}");
}

static void test_quotes_and_escapes_are_read_as_a_shell_would(void **state)
{
	json_t *os = from("PRETTY_NAME=\"say \\\"hi\\\" \\\\ \\$x\"\nID='my-os'\n"
			  "VERSION_ID=3.1   \nVERSION_ID=3.2\n");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(os, "pretty_name")),
			    "say \"hi\" \\ $x");
	assert_string_equal(json_string_value(json_object_get(os, "variant_id")), "my-os");
	/* The last assignment wins, blanks after a bare value dropped. */
	assert_string_equal(json_string_value(json_object_get(os, "version_id")), "3.2");
	json_decref(os);
}

static void test_a_value_that_is_not_utf8_keeps_the_default(void **state)
{
	json_t *os = from("PRETTY_NAME=\"\xff\xfe\"\n");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(os, "pretty_name")), "Linux");
	json_decref(os);
}

static void test_select_follows_bottlerockets_prefixes(void **state)
{
	json_t *os = from("ID=debian\nVERSION_ID=12\n");
	json_t *all = osinfo_select(os, "os"), *short_prefix = osinfo_select(os, "o");

	(void)state;
	/* A prefix of "os." is all of it. */
	assert_true(json_equal(all, os));
	assert_true(json_equal(short_prefix, os));
	assert_json_text(osinfo_select(os, "os.ver"), "{\"version_id\":\"12\"}");
	assert_json_text(osinfo_select(os, "os.nothing"), "{}");
	assert_null(osinfo_select(os, "settings.kernel"));
	assert_null(osinfo_select(os, "osx"));
	json_decref(all);
	json_decref(short_prefix);
	json_decref(os);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_come_from_os_release),
		cmocka_unit_test(test_variant_and_build_ids_win_when_given),
		cmocka_unit_test(test_no_os_release_gives_the_defaults),
		cmocka_unit_test(test_quotes_and_escapes_are_read_as_a_shell_would),
		cmocka_unit_test(test_a_value_that_is_not_utf8_keeps_the_default),
		cmocka_unit_test(test_select_follows_bottlerockets_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
