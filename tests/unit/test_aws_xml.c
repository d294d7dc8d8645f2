/* EC2 Query API replies through expat: leaves, error replies, refusals. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aws/xml.h"

static int parse(const char *text, struct aws_xml_doc *doc, struct bw_err *err)
{
	aws_xml_init(doc);
	return aws_xml_parse(text, strlen(text), doc, err);
}

static void test_leaves_are_found_by_path(void **state)
{
	struct aws_xml_doc doc;
	struct bw_err err;

	(void)state;
	assert_int_equal(parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<AttachNetworkInterfaceResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
			       "  <requestId>ace8cd1e</requestId>\n"
			       "  <attachmentId> eni-attach-d94b09b0 </attachmentId>\n"
			       "</AttachNetworkInterfaceResponse>\n", &doc, &err), 0);
	assert_string_equal(doc.root, "AttachNetworkInterfaceResponse");
	assert_string_equal(aws_xml_get(&doc, "AttachNetworkInterfaceResponse/attachmentId"),
			    "eni-attach-d94b09b0");
	assert_null(aws_xml_get(&doc, "AttachNetworkInterfaceResponse"));
	aws_xml_free(&doc);
}

static void test_nested_items_keep_their_order(void **state)
{
	struct aws_xml_doc doc;
	struct bw_err err;

	(void)state;
	assert_int_equal(parse("<R><set><item><id>a</id><x><y>1</y></x></item>"
			       "<item><id>b</id><empty/></item></set></R>", &doc, &err), 0);
	assert_int_equal(doc.leaves.len, 4);
	assert_string_equal(VEC_AT(&doc.leaves, struct aws_xml_leaf, 1)->path, "R/set/item/x/y");
	assert_string_equal(VEC_AT(&doc.leaves, struct aws_xml_leaf, 2)->text, "b");
	assert_string_equal(VEC_AT(&doc.leaves, struct aws_xml_leaf, 3)->path, "R/set/item/empty");
	assert_string_equal(VEC_AT(&doc.leaves, struct aws_xml_leaf, 3)->text, "");
	aws_xml_free(&doc);
}

static void test_error_reply_gives_code_and_message(void **state)
{
	struct aws_xml_doc doc;
	struct bw_err err;
	const char *code, *message;

	(void)state;
	assert_int_equal(parse("<Response><Errors><Error><Code>InvalidNetworkInterface.InUse</Code>"
			       "<Message>Interface: [eni-1] in use.</Message></Error></Errors>"
			       "<RequestID>x</RequestID></Response>", &doc, &err), 0);
	assert_true(aws_xml_error(&doc, &code, &message));
	assert_string_equal(code, "InvalidNetworkInterface.InUse");
	assert_string_equal(message, "Interface: [eni-1] in use.");
	aws_xml_free(&doc);
}

static void test_success_reply_is_not_an_error(void **state)
{
	struct aws_xml_doc doc;
	struct bw_err err;
	const char *code, *message;

	(void)state;
	assert_int_equal(parse("<AssociateAddressResponse><return>true</return></AssociateAddressResponse>",
			       &doc, &err), 0);
	assert_false(aws_xml_error(&doc, &code, &message));
	aws_xml_free(&doc);
}

static void test_entities_are_decoded(void **state)
{
	struct aws_xml_doc doc;
	struct bw_err err;

	(void)state;
	assert_int_equal(parse("<a><m>a &lt;b&gt; &amp; &#233;</m></a>", &doc, &err), 0);
	assert_string_equal(aws_xml_get(&doc, "a/m"), "a <b> & \xc3\xa9");
	aws_xml_free(&doc);
}

static void test_malformed_xml_names_line_and_column(void **state)
{
	struct aws_xml_doc doc;
	struct bw_err err;

	(void)state;
	assert_int_equal(parse("<a>\n<b>x</a>", &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "malformed XML reply at line 2"));
	aws_xml_free(&doc);
}

static void test_doctype_is_refused(void **state)
{
	struct aws_xml_doc doc;
	struct bw_err err;

	(void)state;
	assert_int_equal(parse("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "DOCTYPE"));
	aws_xml_free(&doc);
}

static void test_deep_nesting_is_refused(void **state)
{
	char text[2000] = "";
	struct aws_xml_doc doc;
	struct bw_err err;

	(void)state;
	for (int i = 0; i < AWS_XML_MAX_DEPTH + 1; i++)
		strcat(text, "<a>");
	for (int i = 0; i < AWS_XML_MAX_DEPTH + 1; i++)
		strcat(text, "</a>");
	assert_int_equal(parse(text, &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nested too deep"));
	aws_xml_free(&doc);
}

#define AWS_EC2_TEST_CAP 100

static void test_one_line_replaces_control_characters(void **state)
{
	char out[64];

	(void)state;
	aws_xml_one_line("Bad\nthing\r\tand\x1b[31mred", 40, out, sizeof(out));
	assert_string_equal(out, "Bad thing  and [31mred");
}

static void test_one_line_caps_the_length(void **state)
{
	char text[1000], out[AWS_EC2_TEST_CAP + 4];

	(void)state;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	aws_xml_one_line(text, AWS_EC2_TEST_CAP, out, sizeof(out));
	assert_int_equal(strlen(out), AWS_EC2_TEST_CAP + 3);
	assert_string_equal(out + AWS_EC2_TEST_CAP, "...");
}

static void test_one_line_does_not_cut_a_utf8_sequence(void **state)
{
	char out[16];

	(void)state;
	/* "ab" then U+00E9 (2 bytes) cut after its first byte. */
	aws_xml_one_line("ab\xc3\xa9" "cd", 3, out, sizeof(out));
	assert_string_equal(out, "ab...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaves_are_found_by_path),
		cmocka_unit_test(test_nested_items_keep_their_order),
		cmocka_unit_test(test_error_reply_gives_code_and_message),
		cmocka_unit_test(test_success_reply_is_not_an_error),
		cmocka_unit_test(test_entities_are_decoded),
		cmocka_unit_test(test_malformed_xml_names_line_and_column),
		cmocka_unit_test(test_doctype_is_refused),
		cmocka_unit_test(test_deep_nesting_is_refused),
		cmocka_unit_test(test_one_line_replaces_control_characters),
		cmocka_unit_test(test_one_line_caps_the_length),
		cmocka_unit_test(test_one_line_does_not_cut_a_utf8_sequence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
