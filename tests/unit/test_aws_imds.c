/* What IMDS answers, checked, and the EC2 request body. */
#include "unit.h"

#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aws/creds.h"
#include "aws/ec2.h"
#include "aws/imds.h"

static void test_role_credentials_are_read(void **state)
{
	const char *json = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAX\","
			   "\"SecretAccessKey\":\"s3cr3t/+=\",\"Token\":\"tok==\"}";
	struct aws_creds creds = { 0 };
	struct bw_err err;

	(void)state;
	assert_int_equal(aws_creds_from_imds_json(json, strlen(json), &creds, &err), 0);
	assert_string_equal(creds.access_key_id, "ASIAX");
	assert_string_equal(creds.secret_access_key, "s3cr3t/+=");
	assert_string_equal(creds.session_token, "tok==");
	aws_creds_wipe(&creds);
	assert_int_equal(creds.secret_access_key[0], 0);
}

static void test_role_failure_code_is_refused(void **state)
{
	const char *json = "{\"Code\":\"AssumeRoleUnauthorizedAccess\"}";
	struct aws_creds creds = { 0 };
	struct bw_err err;

	(void)state;
	assert_int_equal(aws_creds_from_imds_json(json, strlen(json), &creds, &err), -EACCES);
	assert_non_null(strstr(err.msg, "AssumeRoleUnauthorizedAccess"));
}

static void test_secret_never_appears_in_errors(void **state)
{
	const char *json = "{\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"top secret\"}";
	struct aws_creds creds = { 0 };
	struct bw_err err;

	(void)state;
	assert_int_equal(aws_creds_from_imds_json(json, strlen(json), &creds, &err), -EINVAL);
	assert_null(strstr(err.msg, "top secret"));
	assert_non_null(strstr(err.msg, "SecretAccessKey"));
}

static void test_environment_keys_come_first(void **state)
{
	struct aws_creds creds;
	struct bw_err err;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
	setenv("AWS_SESSION_TOKEN", "tokenenv", 1);
	assert_int_equal(aws_creds_find(NULL, &creds, &err), 0);
	assert_string_equal(creds.access_key_id, "AKIDENV");
	assert_string_equal(creds.session_token, "tokenenv");
	assert_string_equal(creds.source, "environment");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_int_equal(aws_creds_find(NULL, &creds, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "AWS_SECRET_ACCESS_KEY is not"));
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SESSION_TOKEN");
}

static void test_macs_and_ids_are_checked(void **state)
{
	(void)state;
	assert_true(aws_is_mac("0a:1b:2c:3d:4e:5f"));
	assert_false(aws_is_mac("0A:1B:2C:3D:4E:5F"));
	assert_false(aws_is_mac("0a:1b:2c:3d:4e:5"));
	assert_false(aws_is_mac("0a-1b-2c-3d-4e-5f"));
	assert_true(aws_is_id("eni-0123abcd", "eni-"));
	assert_true(aws_is_id("i-0123456789abcdef0", "i-"));
	assert_false(aws_is_id("eni-0123abc", "eni-"));
	assert_false(aws_is_id("eni-0123abcd/../", "eni-"));
}

static void test_request_body_is_percent_encoded(void **state)
{
	const struct aws_param params[] = {
		{ "NetworkInterfaceId", "eni-1" }, { "Description", "a b&c=d/é~" },
	};
	char *body = aws_ec2_body("ModifyNetworkInterfaceAttribute", params, 2);

	(void)state;
	assert_string_equal(body, "Action=ModifyNetworkInterfaceAttribute&Version=2016-11-15"
				  "&NetworkInterfaceId=eni-1&Description=a%20b%26c%3Dd%2F%C3%A9~");
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_credentials_are_read),
		cmocka_unit_test(test_role_failure_code_is_refused),
		cmocka_unit_test(test_secret_never_appears_in_errors),
		cmocka_unit_test(test_environment_keys_come_first),
		cmocka_unit_test(test_macs_and_ids_are_checked),
		cmocka_unit_test(test_request_body_is_percent_encoded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
