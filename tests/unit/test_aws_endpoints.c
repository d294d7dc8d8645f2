/* Which EC2 endpoint, and why: overrides, FIPS for each region class. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aws/endpoints.h"

static struct aws_endpoint choose(const char *region, enum nat_tristate fips, bool kernel,
				  bool env, int want_rc)
{
	struct aws_endpoint_input in = {
		.region = region, .fips = fips, .is_kernel_fips = kernel, .is_env_fips = env,
	};
	struct aws_endpoint out;
	struct bw_err err;

	assert_int_equal(aws_endpoint_choose(&in, &out, &err), want_rc);
	return out;
}

static void test_auto_without_fips_asked_is_regular(void **state)
{
	struct aws_endpoint e = choose("us-east-1", NAT_AUTO, false, false, 0);

	(void)state;
	assert_string_equal(e.url, "https://ec2.us-east-1.amazonaws.com");
	assert_false(e.is_fips);
	assert_non_null(strstr(e.why, "fips_endpoints=auto"));
}

static void test_auto_with_kernel_fips_uses_fips_endpoint(void **state)
{
	struct aws_endpoint e = choose("us-west-2", NAT_AUTO, true, false, 0);

	(void)state;
	assert_string_equal(e.url, "https://ec2-fips.us-west-2.amazonaws.com");
	assert_true(e.is_fips);
	assert_non_null(strstr(e.why, "kernel is in FIPS mode"));
}

static void test_auto_with_env_fips_uses_fips_endpoint(void **state)
{
	struct aws_endpoint e = choose("ca-west-1", NAT_AUTO, false, true, 0);

	(void)state;
	assert_string_equal(e.url, "https://ec2-fips.ca-west-1.amazonaws.com");
	assert_non_null(strstr(e.why, "AWS_USE_FIPS_ENDPOINT=true"));
}

static void test_every_fips_region_has_its_endpoint(void **state)
{
	static const char *const regions[] = {
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
	};

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		char want[128];
		struct aws_endpoint e = choose(regions[i], NAT_ON, false, false, 0);

		snprintf(want, sizeof(want), "https://ec2-fips.%s.amazonaws.com", regions[i]);
		assert_string_equal(e.url, want);
	}
}

static void test_auto_in_region_without_fips_is_regular_and_says_why(void **state)
{
	struct aws_endpoint e = choose("eu-west-1", NAT_AUTO, true, false, 0);

	(void)state;
	assert_string_equal(e.url, "https://ec2.eu-west-1.amazonaws.com");
	assert_false(e.is_fips);
	assert_non_null(strstr(e.why, "eu-west-1 has no FIPS endpoint"));
}

static void test_true_in_region_without_fips_is_an_error(void **state)
{
	struct aws_endpoint_input in = { .region = "eu-central-1", .fips = NAT_ON };
	struct aws_endpoint out;
	struct bw_err err;

	(void)state;
	assert_int_equal(aws_endpoint_choose(&in, &out, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "region eu-central-1 has no FIPS endpoint"));
}

static void test_govcloud_regular_endpoint_is_fips(void **state)
{
	struct aws_endpoint e = choose("us-gov-west-1", NAT_ON, false, false, 0);

	(void)state;
	assert_string_equal(e.url, "https://ec2.us-gov-west-1.amazonaws.com");
	assert_true(e.is_fips);
	assert_non_null(strstr(e.why, "regular endpoint is FIPS"));
	e = choose("us-gov-east-1", NAT_OFF, false, false, 0);
	assert_string_equal(e.url, "https://ec2.us-gov-east-1.amazonaws.com");
}

static void test_false_never_uses_fips(void **state)
{
	struct aws_endpoint e = choose("us-east-1", NAT_OFF, true, true, 0);

	(void)state;
	assert_string_equal(e.url, "https://ec2.us-east-1.amazonaws.com");
	assert_string_equal(e.why, "fips_endpoints=false");
}

static void test_china_regions_use_their_dns_suffix(void **state)
{
	struct aws_endpoint e = choose("cn-north-1", NAT_AUTO, false, false, 0);

	(void)state;
	assert_string_equal(e.url, "https://ec2.cn-north-1.amazonaws.com.cn");
}

static void test_ec2_override_wins_over_generic_and_fips(void **state)
{
	struct aws_endpoint_input in = {
		.region = "us-east-1", .fips = NAT_ON, .url_ec2 = "https://localhost:8443",
		.url_all = "https://other",
	};
	struct aws_endpoint out;
	struct bw_err err;

	(void)state;
	assert_int_equal(aws_endpoint_choose(&in, &out, &err), 0);
	assert_string_equal(out.url, "https://localhost:8443");
	assert_string_equal(out.why,
			    "AWS_ENDPOINT_URL_EC2 is set (fips_endpoints=true overridden by AWS_ENDPOINT_URL_EC2)");
	in.url_ec2 = NULL;
	assert_int_equal(aws_endpoint_choose(&in, &out, &err), 0);
	assert_string_equal(out.url, "https://other");
	assert_string_equal(out.why,
			    "AWS_ENDPOINT_URL is set (fips_endpoints=true overridden by AWS_ENDPOINT_URL)");
}

static void test_override_without_fips_forced_says_only_the_variable(void **state)
{
	struct aws_endpoint_input in = {
		.region = "us-east-1", .fips = NAT_AUTO, .url_ec2 = "https://localhost:8443",
	};
	struct aws_endpoint out;
	struct bw_err err;

	(void)state;
	assert_int_equal(aws_endpoint_choose(&in, &out, &err), 0);
	assert_string_equal(out.why, "AWS_ENDPOINT_URL_EC2 is set");
}

static void test_plain_http_override_is_refused(void **state)
{
	struct aws_endpoint_input in = { .region = "us-east-1", .url_ec2 = "http://localhost" };
	struct aws_endpoint out;
	struct bw_err err;

	(void)state;
	assert_int_equal(aws_endpoint_choose(&in, &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "must be an https:// URL"));
}

static void test_invalid_region_is_refused(void **state)
{
	(void)state;
	choose("us-east-1/../x", NAT_AUTO, false, false, -EINVAL);
	choose("", NAT_AUTO, false, false, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_without_fips_asked_is_regular),
		cmocka_unit_test(test_auto_with_kernel_fips_uses_fips_endpoint),
		cmocka_unit_test(test_auto_with_env_fips_uses_fips_endpoint),
		cmocka_unit_test(test_every_fips_region_has_its_endpoint),
		cmocka_unit_test(test_auto_in_region_without_fips_is_regular_and_says_why),
		cmocka_unit_test(test_true_in_region_without_fips_is_an_error),
		cmocka_unit_test(test_govcloud_regular_endpoint_is_fips),
		cmocka_unit_test(test_false_never_uses_fips),
		cmocka_unit_test(test_china_regions_use_their_dns_suffix),
		cmocka_unit_test(test_ec2_override_wins_over_generic_and_fips),
		cmocka_unit_test(test_override_without_fips_forced_says_only_the_variable),
		cmocka_unit_test(test_plain_http_override_is_refused),
		cmocka_unit_test(test_invalid_region_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
