/* authorize-* / revoke-*: duplicates and missing rules as EC2 decides them. */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "conf/sgedit.h"

#define SG "sg-0a1b2c3d4e5f60011"

/* One group: tcp 80 from 0.0.0.0/0 and 2001:db8::/32; all traffic out. */
static const char base_doc[] =
	"{\"SecurityGroups\": [{\"GroupId\": \"" SG "\", \"IpPermissions\": ["
	"{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
	" \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\", \"Description\": \"web\"}],"
	" \"Ipv6Ranges\": [{\"CidrIpv6\": \"2001:db8::/32\"}],"
	" \"PrefixListIds\": [], \"UserIdGroupPairs\": []}],"
	" \"IpPermissionsEgress\": [{\"IpProtocol\": \"-1\","
	" \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}], \"Ipv6Ranges\": [],"
	" \"PrefixListIds\": [], \"UserIdGroupPairs\": []}]}]}";

static json_t *load_doc(void)
{
	json_t *doc = json_loads(base_doc, 0, NULL);

	assert_non_null(doc);
	return doc;
}

static int edit(json_t *doc, enum vpc_dir dir, bool is_revoke, const char *perms,
		struct bw_err *err)
{
	return sgedit_apply(doc, SG, dir, is_revoke, perms, err);
}

static json_t *list_of(json_t *doc, const char *key)
{
	return json_object_get(json_array_get(json_object_get(doc, "SecurityGroups"), 0), key);
}

static void assert_unchanged(json_t *doc)
{
	json_t *base = json_loads(base_doc, 0, NULL);

	assert_true(json_equal(doc, base));
	json_decref(base);
}

static void test_authorize_adds_a_new_permission(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 443, \"ToPort\": 443,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]", &err), 0);
	assert_int_equal(json_array_size(list_of(doc, "IpPermissions")), 2);
	json_decref(doc);
}

static void test_authorize_adds_a_peer_to_the_permission_of_the_same_shape(void **state)
{
	json_t *doc = load_doc();
	json_t *ranges;
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]", &err), 0);
	assert_int_equal(json_array_size(list_of(doc, "IpPermissions")), 1);
	ranges = json_object_get(json_array_get(list_of(doc, "IpPermissions"), 0), "IpRanges");
	assert_int_equal(json_array_size(ranges), 2);
	json_decref(doc);
}

static void test_protocol_number_6_is_tcp(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"6\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidPermission.Duplicate"));
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_protocol_names_are_case_insensitive(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, true,
			      "[{\"IpProtocol\": \"TCP\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]", &err), 0);
	json_decref(doc);
}

static void test_new_permission_is_stored_with_the_protocol_name(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;
	const char *proto;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"17\", \"FromPort\": 53, \"ToPort\": 53,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]", &err), 0);
	proto = json_string_value(json_object_get(json_array_get(list_of(doc, "IpPermissions"), 1),
						  "IpProtocol"));
	assert_string_equal(proto, "udp");
	json_decref(doc);
}

static void test_all_traffic_ignores_ports(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_EGRESS, false,
			      "[{\"IpProtocol\": \"-1\", \"FromPort\": 0, \"ToPort\": 65535,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidPermission.Duplicate"));
	assert_int_equal(edit(doc, VPC_EGRESS, true,
			      "[{\"IpProtocol\": \"-1\", \"FromPort\": 22, \"ToPort\": 22,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]", &err), 0);
	assert_int_equal(json_array_size(list_of(doc, "IpPermissionsEgress")), 0);
	json_decref(doc);
}

static void test_other_protocol_numbers_drop_their_ports(void **state)
{
	json_t *doc = load_doc();
	json_t *perm;
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"47\", \"FromPort\": 1, \"ToPort\": 2,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]", &err), 0);
	perm = json_array_get(list_of(doc, "IpPermissions"), 1);
	assert_null(json_object_get(perm, "FromPort"));
	assert_null(json_object_get(perm, "ToPort"));
	json_decref(doc);
}

static void test_ipv6_ranges_compare_as_addresses(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"Ipv6Ranges\": [{\"CidrIpv6\": \"2001:DB8:0::/32\"}]}]", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidPermission.Duplicate"));
	json_decref(doc);
}

static void test_host_bits_are_cleared_as_ec2_does(void **state)
{
	json_t *doc = load_doc();
	json_t *ranges;
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.1.2.3/8\"}]}]", &err), 0);
	ranges = json_object_get(json_array_get(list_of(doc, "IpPermissions"), 1), "IpRanges");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ranges, 0), "CidrIp")),
			    "10.0.0.0/8");
	json_decref(doc);
}

static void test_one_existing_peer_refuses_the_whole_request(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}, {\"CidrIp\": \"0.0.0.0/0\"}]}]",
			      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "0.0.0.0/0 already exists"));
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_the_same_rule_twice_in_a_request_is_refused(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 9, \"ToPort\": 9,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}, {\"CidrIp\": \"10.9.0.0/8\"}]}]",
			      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidParameterValue"));
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_revoke_of_a_missing_rule_is_not_found(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, true,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 81, \"ToPort\": 81,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidPermission.NotFound"));
	json_decref(doc);
}

static void test_revoke_with_one_missing_rule_revokes_nothing(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, true,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}, {\"CidrIp\": \"10.0.0.0/8\"}]}]",
			      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "10.0.0.0/8"));
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_revoke_ignores_descriptions(void **state)
{
	json_t *doc = load_doc();
	json_t *ranges;
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, true,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\", \"Description\": \"other\"}]}]",
			      &err), 0);
	ranges = json_object_get(json_array_get(list_of(doc, "IpPermissions"), 0), "IpRanges");
	assert_int_equal(json_array_size(ranges), 0);
	json_decref(doc);
}

static void test_revoking_the_last_peer_drops_the_permission(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, true,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 80, \"ToPort\": 80,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}],"
			      " \"Ipv6Ranges\": [{\"CidrIpv6\": \"2001:db8::/32\"}]}]", &err), 0);
	assert_int_equal(json_array_size(list_of(doc, "IpPermissions")), 0);
	json_decref(doc);
}

static void test_icmpv6_without_ports_is_every_type(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"icmpv6\", \"Ipv6Ranges\": [{\"CidrIpv6\": \"::/0\"}]}]",
			      &err), 0);
	assert_int_equal(edit(doc, VPC_INGRESS, true,
			      "[{\"IpProtocol\": \"58\", \"FromPort\": -1, \"ToPort\": -1,"
			      " \"Ipv6Ranges\": [{\"CidrIpv6\": \"::/0\"}]}]", &err), 0);
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_icmp_without_ports_is_icmp_minus_one(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"icmp\", \"FromPort\": -1, \"ToPort\": -1,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]", &err), 0);
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"1\", \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]",
			      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidPermission.Duplicate"));
	json_decref(doc);
}

static void test_group_peers_compare_by_group_id(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;
	const char *pair = "[{\"IpProtocol\": \"tcp\", \"FromPort\": 5432, \"ToPort\": 5432,"
			   " \"UserIdGroupPairs\": [{\"GroupId\": \"sg-0a1b2c3d4e5f60012\"}]}]";

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false, pair, &err), 0);
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 5432, \"ToPort\": 5432,"
			      " \"UserIdGroupPairs\": [{\"GroupId\": \"sg-0a1b2c3d4e5f60012\","
			      " \"UserId\": \"111122223333\"}]}]", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidPermission.Duplicate"));
	json_decref(doc);
}

static void test_unknown_group_is_invalid_group_not_found(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(sgedit_apply(doc, "sg-99999999", VPC_INGRESS, false,
				      "[{\"IpProtocol\": \"-1\", \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]",
				      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidGroup.NotFound"));
	json_decref(doc);
}

static void test_bad_permissions_are_refused_by_the_reader(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 1, \"ToPort\": 70000,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}]}]", &err), -EINVAL);
	assert_int_equal(edit(doc, VPC_INGRESS, false, "[]", &err), -EINVAL);
	assert_int_equal(edit(doc, VPC_INGRESS, false, "[{\"IpProtocol\": \"sctp\"}]", &err),
			 -EINVAL);
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_all_is_all_traffic_as_minus_one(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	/* The egress -1 rule is there: "all" is the same rule. */
	assert_int_equal(edit(doc, VPC_EGRESS, false,
			      "[{\"IpProtocol\": \"all\", \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]",
			      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "InvalidPermission.Duplicate"));
	/* Authorized as "all", revoked as -1: gone. */
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"ALL\", \"IpRanges\": [{\"CidrIp\": \"10.9.0.0/16\"}]}]",
			      &err), 0);
	assert_int_equal(edit(doc, VPC_INGRESS, true,
			      "[{\"IpProtocol\": \"-1\", \"IpRanges\": [{\"CidrIp\": \"10.9.0.0/16\"}]}]",
			      &err), 0);
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_a_permission_without_a_peer_is_refused(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 26, \"ToPort\": 26}]", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "names no peer"));
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 26, \"ToPort\": 26,"
			      " \"IpRanges\": []}]", &err), -EINVAL);
	assert_unchanged(doc);
	json_decref(doc);
}

static void test_unknown_members_are_refused_as_the_cli_does(void **state)
{
	json_t *doc = load_doc();
	struct bw_err err;

	(void)state;
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 27, \"ToPort\": 27,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}], \"Bogus\": 1}]", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "unknown parameter in IpPermissions[0]: \"Bogus\""));
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 27, \"ToPort\": 27,"
			      " \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\", \"Cidr\": \"x\"}]}]", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "IpPermissions[0].IpRanges[0]: \"Cidr\""));
	/* Descriptions and the pair's other members are EC2's own. */
	assert_int_equal(edit(doc, VPC_INGRESS, false,
			      "[{\"IpProtocol\": \"tcp\", \"FromPort\": 27, \"ToPort\": 27,"
			      " \"IpRanges\": [{\"CidrIp\": \"10.1.0.0/16\", \"Description\": \"x\"}],"
			      " \"UserIdGroupPairs\": [{\"GroupId\": \"" SG "\", \"UserId\": \"123456789012\"}]}]",
			      &err), 0);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authorize_adds_a_new_permission),
		cmocka_unit_test(test_authorize_adds_a_peer_to_the_permission_of_the_same_shape),
		cmocka_unit_test(test_protocol_number_6_is_tcp),
		cmocka_unit_test(test_protocol_names_are_case_insensitive),
		cmocka_unit_test(test_new_permission_is_stored_with_the_protocol_name),
		cmocka_unit_test(test_all_traffic_ignores_ports),
		cmocka_unit_test(test_other_protocol_numbers_drop_their_ports),
		cmocka_unit_test(test_ipv6_ranges_compare_as_addresses),
		cmocka_unit_test(test_host_bits_are_cleared_as_ec2_does),
		cmocka_unit_test(test_one_existing_peer_refuses_the_whole_request),
		cmocka_unit_test(test_the_same_rule_twice_in_a_request_is_refused),
		cmocka_unit_test(test_revoke_of_a_missing_rule_is_not_found),
		cmocka_unit_test(test_revoke_with_one_missing_rule_revokes_nothing),
		cmocka_unit_test(test_revoke_ignores_descriptions),
		cmocka_unit_test(test_revoking_the_last_peer_drops_the_permission),
		cmocka_unit_test(test_icmpv6_without_ports_is_every_type),
		cmocka_unit_test(test_icmp_without_ports_is_icmp_minus_one),
		cmocka_unit_test(test_group_peers_compare_by_group_id),
		cmocka_unit_test(test_unknown_group_is_invalid_group_not_found),
		cmocka_unit_test(test_bad_permissions_are_refused_by_the_reader),
		cmocka_unit_test(test_all_is_all_traffic_as_minus_one),
		cmocka_unit_test(test_a_permission_without_a_peer_is_refused),
		cmocka_unit_test(test_unknown_members_are_refused_as_the_cli_does),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
