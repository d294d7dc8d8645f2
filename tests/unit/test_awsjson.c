/* The AWS CLI JSON reader: what it takes from each file, and one clear
 * error for every kind of bad input, naming the group or ACL and rule. */
#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/awsjson.h"

static int parse_sgs(struct vpc_model *model, const char *json, struct bw_err *err)
{
	return awsjson_parse_security_groups(json, strlen(json), "security-groups.json", model, err);
}

static int parse_acls(struct vpc_model *model, const char *json, struct bw_err *err)
{
	return awsjson_parse_network_acls(json, strlen(json), "network-acls.json", model, err);
}

/* One group with one ingress permission (its JSON text). */
static int one_permission(const char *permission, struct bw_err *err)
{
	char json[2048];
	struct vpc_model model;
	int rc;

	snprintf(json, sizeof(json),
		 "{\"SecurityGroups\": [{\"GroupId\": \"sg-0123456789abcdef0\","
		 " \"IpPermissions\": [%s], \"IpPermissionsEgress\": []}]}", permission);
	vpc_model_init(&model);
	rc = parse_sgs(&model, json, err);
	vpc_model_free(&model);
	return rc;
}

static void assert_permission_fails(const char *permission, const char *what)
{
	struct bw_err err;

	if (one_permission(permission, &err) == 0)
		fail_msg("accepted: %s", permission);
	assert_true(err.is_input);
	assert_string_equal(err.file, "security-groups.json");
	if (!strstr(err.msg, "sg-0123456789abcdef0 ingress permission 1: ") || !strstr(err.msg, what))
		fail_msg("for %s: got '%s', want ...%s...", permission, err.msg, what);
}

static void test_permissions_become_one_rule_per_peer(void **state)
{
	struct vpc_model model;
	struct bw_err err;
	const struct vpc_sg *sg;
	const struct sg_rule *r;

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(parse_sgs(&model,
		"{\"SecurityGroups\": [{\"GroupId\": \"sg-0123456789abcdef0\", \"GroupName\": \"x\","
		" \"IpPermissions\": [{\"IpProtocol\": \"tcp\", \"FromPort\": 443, \"ToPort\": 443,"
		"  \"IpRanges\": [{\"CidrIp\": \"10.0.0.0/8\"}], \"Ipv6Ranges\": [{\"CidrIpv6\": \"::/0\"}],"
		"  \"UserIdGroupPairs\": [{\"GroupId\": \"sg-00000000\"}],"
		"  \"PrefixListIds\": [{\"PrefixListId\": \"pl-12345678\"}]}],"
		" \"IpPermissionsEgress\": [{\"IpProtocol\": \"-1\", \"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}]}]}]}",
		&err), 0);
	assert_int_equal(model.sgs.len, 1);
	sg = VEC_AT(&model.sgs, struct vpc_sg, 0);
	assert_string_equal(sg->id, "sg-0123456789abcdef0");
	assert_int_equal(sg->rules.len, 5);
	r = VEC_AT(&sg->rules, struct sg_rule, 0);
	assert_int_equal(r->dir, VPC_INGRESS);
	assert_int_equal(r->traffic.proto, VPC_PROTO_TCP);
	assert_int_equal(r->traffic.port_from, 443);
	assert_string_equal(r->cidr.text, "10.0.0.0/8");
	assert_int_equal(VEC_AT(&sg->rules, struct sg_rule, 1)->cidr.family, AF_INET6);
	assert_int_equal(VEC_AT(&sg->rules, struct sg_rule, 2)->peer_kind, VPC_PEER_GROUP);
	assert_string_equal(VEC_AT(&sg->rules, struct sg_rule, 3)->peer_id, "pl-12345678");
	r = VEC_AT(&sg->rules, struct sg_rule, 4);
	assert_int_equal(r->dir, VPC_EGRESS);
	assert_int_equal(r->traffic.proto, VPC_PROTO_ALL);
	vpc_model_free(&model);
}

static void test_protocols_and_their_ports(void **state)
{
	struct bw_err err;

	(void)state;
	assert_int_equal(one_permission("{\"IpProtocol\": \"udp\", \"FromPort\": 1024, \"ToPort\": 65535}", &err), 0);
	assert_int_equal(one_permission("{\"IpProtocol\": \"icmp\", \"FromPort\": 8, \"ToPort\": -1}", &err), 0);
	assert_int_equal(one_permission("{\"IpProtocol\": \"icmpv6\", \"FromPort\": -1, \"ToPort\": -1}", &err), 0);
	assert_int_equal(one_permission("{\"IpProtocol\": \"50\"}", &err), 0);
	/* -1 means every port whatever the ports say, as AWS documents. */
	assert_int_equal(one_permission("{\"IpProtocol\": \"-1\", \"FromPort\": 22, \"ToPort\": 22}", &err), 0);
}

static void test_bad_permissions_are_named(void **state)
{
	(void)state;
	assert_permission_fails("{\"IpProtocol\": \"tcpp\", \"FromPort\": 1, \"ToPort\": 2}",
				"unknown protocol 'tcpp'");
	assert_permission_fails("{\"IpProtocol\": \"256\"}", "unknown protocol '256'");
	assert_permission_fails("{\"IpProtocol\": \"tcp\", \"FromPort\": 1, \"ToPort\": 70000}",
				"out of range (0 to 65535)");
	assert_permission_fails("{\"IpProtocol\": \"tcp\", \"FromPort\": 90, \"ToPort\": 80}",
				"backwards");
	assert_permission_fails("{\"IpProtocol\": \"tcp\"}", "FromPort and ToPort are required");
	assert_permission_fails("{\"IpProtocol\": \"icmp\", \"FromPort\": -1, \"ToPort\": 3}",
				"ICMP type -1 (all types) with code 3");
	assert_permission_fails("{\"IpProtocol\": \"icmp\", \"FromPort\": 300, \"ToPort\": -1}",
				"ICMP type 300 is out of range");
	assert_permission_fails("{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,"
				" \"IpRanges\": [{\"CidrIp\": \"10.0.0.1/8\"}]}",
				"did you mean 10.0.0.0/8? (AWS stores ranges canonical)");
	assert_permission_fails("{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,"
				" \"IpRanges\": [{\"CidrIp\": \"::/0\"}]}", "not an IPv4 range");
	assert_permission_fails("{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,"
				" \"IpRanges\": [{\"CidrIp\": \"10.0.0.0\"}]}", "no prefix length");
	assert_permission_fails("{\"IpProtocol\": \"tcp\", \"FromPort\": \"22\", \"ToPort\": 22}",
				"whole numbers");
}

static void test_no_string_reaches_the_ruleset_unvalidated(void **state)
{
	static const char *const hostile = "; flush ruleset";
	char text[512];
	struct bw_err err;
	struct vpc_model model;

	(void)state;
	snprintf(text, sizeof(text), "{\"IpProtocol\": \"%s\"}", hostile);
	assert_permission_fails(text, "unknown protocol");
	snprintf(text, sizeof(text), "{\"IpProtocol\": \"tcp\", \"FromPort\": 1, \"ToPort\": 1,"
		 " \"IpRanges\": [{\"CidrIp\": \"%s\"}]}", hostile);
	assert_permission_fails(text, "not an IPv4 or IPv6 address range");
	snprintf(text, sizeof(text), "{\"IpProtocol\": \"tcp\", \"FromPort\": 1, \"ToPort\": 1,"
		 " \"UserIdGroupPairs\": [{\"GroupId\": \"sg-1234%s\"}]}", hostile);
	assert_permission_fails(text, "is not an id of the form sg-");
	snprintf(text, sizeof(text), "{\"IpProtocol\": \"tcp\", \"FromPort\": 1, \"ToPort\": 1,"
		 " \"PrefixListIds\": [{\"PrefixListId\": \"pl-12345678\\\"}\"}]}");
	assert_permission_fails(text, "is not an id of the form pl-");
	vpc_model_init(&model);
	assert_int_equal(parse_sgs(&model, "{\"SecurityGroups\": [{\"GroupId\": \"sg-0123456789abcdef0; flush ruleset\"}]}",
				   &err), -22);
	assert_non_null(strstr(err.msg, "GroupId"));
	assert_int_equal(awsjson_parse_subnets("{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"CidrBlock\": \"10.0.0.0/24 } flush ruleset\"}]}",
					       90, "subnets.json", &model, &err), -22);
	vpc_model_free(&model);
}

static void test_json_syntax_errors_have_line_and_column(void **state)
{
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(parse_sgs(&model, "{\"SecurityGroups\": [\n  {\"GroupId\": }\n]}", &err), -22);
	assert_int_equal(err.line, 2);
	assert_true(err.col > 0);
	assert_int_equal(parse_sgs(&model, "{\"SecurityGroups\": {}}", &err), -22);
	assert_non_null(strstr(err.msg, "SecurityGroups must be an array"));
	assert_int_equal(parse_sgs(&model, "{\"SecurityGroups\": [], \"SecurityGroups\": []}", &err), -22);
	vpc_model_free(&model);
}

static const char acl_head[] = "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-0123456789abcdef0\", \"Entries\": [";

static int acl_entries(const char *entries, struct vpc_model *model, struct bw_err *err)
{
	char json[4096];

	snprintf(json, sizeof(json), "%s%s]}]}", acl_head, entries);
	return parse_acls(model, json, err);
}

static void assert_acl_fails(const char *entries, const char *what)
{
	struct vpc_model model;
	struct bw_err err;

	vpc_model_init(&model);
	if (acl_entries(entries, &model, &err) == 0)
		fail_msg("accepted: %s", entries);
	if (!strstr(err.msg, what))
		fail_msg("for %s: got '%s', want ...%s...", entries, err.msg, what);
	vpc_model_free(&model);
}

#define ENTRY(number, egress, extra) \
	"{\"RuleNumber\": " #number ", \"Egress\": " #egress ", \"RuleAction\": \"allow\"," extra "}"

static void test_acl_entries_are_sorted_and_end_in_deny(void **state)
{
	struct vpc_model model;
	struct bw_err err;
	const struct vpc_nacl *acl;

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(acl_entries(
		ENTRY(200, false, "\"Protocol\": \"6\", \"CidrBlock\": \"10.0.0.0/8\", \"PortRange\": {\"From\": 22, \"To\": 22}") ","
		ENTRY(100, false, "\"Protocol\": \"1\", \"CidrBlock\": \"10.0.0.0/8\", \"IcmpTypeCode\": {\"Type\": 8, \"Code\": -1}"),
		&model, &err), 0);
	acl = VEC_AT(&model.nacls, struct vpc_nacl, 0);
	/* Two given, and AWS's four * entries, which the file left out. */
	assert_int_equal(acl->entries.len, 6);
	assert_int_equal(VEC_AT(&acl->entries, struct nacl_entry, 0)->rule_number, 100);
	assert_int_equal(VEC_AT(&acl->entries, struct nacl_entry, 0)->traffic.icmp_type, 8);
	assert_int_equal(VEC_AT(&acl->entries, struct nacl_entry, 1)->rule_number, 200);
	assert_int_equal(VEC_AT(&acl->entries, struct nacl_entry, 2)->rule_number, 32767);
	assert_false(VEC_AT(&acl->entries, struct nacl_entry, 2)->is_allow);
	assert_int_equal(VEC_AT(&acl->entries, struct nacl_entry, 3)->rule_number, 32768);
	assert_true(VEC_AT(&acl->entries, struct nacl_entry, 4)->is_egress);
	vpc_model_free(&model);
}

static void test_bad_acl_entries_are_named(void **state)
{
	(void)state;
	assert_acl_fails(ENTRY(100, true, "\"Protocol\": \"-1\", \"CidrBlock\": \"0.0.0.0/0\"") ","
			 ENTRY(100, true, "\"Protocol\": \"-1\", \"Ipv6CidrBlock\": \"::/0\""),
			 "acl-0123456789abcdef0 outbound rule 100: rule number used twice");
	assert_acl_fails(ENTRY(32767, false, "\"Protocol\": \"-1\", \"CidrBlock\": \"0.0.0.0/0\""),
			 "inbound rule 32767: rule numbers 32767 and 32768 are reserved");
	assert_acl_fails(ENTRY(0, false, "\"Protocol\": \"-1\", \"CidrBlock\": \"0.0.0.0/0\""),
			 "rule 0: rule number out of range");
	assert_acl_fails(ENTRY(100, false, "\"Protocol\": \"6\", \"CidrBlock\": \"10.0.0.0/8\", \"PortRange\": {\"From\": 0, \"To\": 99999}"),
			 "inbound rule 100: port 0-99999 is out of range");
	assert_acl_fails(ENTRY(100, false, "\"Protocol\": \"1\", \"CidrBlock\": \"10.0.0.0/8\", \"IcmpTypeCode\": {\"Type\": -1, \"Code\": 0}"),
			 "ICMP type -1 (all types) with code 0");
	assert_acl_fails(ENTRY(100, false, "\"Protocol\": \"gre\", \"CidrBlock\": \"10.0.0.0/8\""),
			 "unknown protocol 'gre'");
	assert_acl_fails(ENTRY(100, false, "\"Protocol\": \"-1\", \"CidrBlock\": \"10.0.0.0/8\", \"Ipv6CidrBlock\": \"::/0\""),
			 "needs one of CidrBlock and Ipv6CidrBlock");
	assert_acl_fails(ENTRY(100, false, "\"Protocol\": \"-1\", \"CidrBlock\": \"10.1.0.0/8\""),
			 "did you mean 10.0.0.0/8?");
	assert_acl_fails("{\"RuleNumber\": 100, \"Egress\": false, \"RuleAction\": \"maybe\", \"Protocol\": \"-1\", \"CidrBlock\": \"10.0.0.0/8\"}",
			 "RuleAction 'maybe' is not allow or deny");
}

static void test_only_running_instances_count(void **state)
{
	struct vpc_model model;
	struct bw_err err;
	const char *json =
		"{\"Reservations\": [{\"Instances\": ["
		"{\"InstanceId\": \"i-0123456789abcdef0\", \"State\": {\"Name\": \"running\"},"
		" \"NetworkInterfaces\": [{\"NetworkInterfaceId\": \"eni-0123456789abcdef0\","
		"  \"SubnetId\": \"subnet-12345678\", \"Groups\": [{\"GroupId\": \"sg-12345678\"}],"
		"  \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.5\"}, {\"PrivateIpAddress\": \"10.0.1.6\"}],"
		"  \"Ipv6Addresses\": [{\"Ipv6Address\": \"fd00::5\"}]}]},"
		"{\"InstanceId\": \"i-0123456789abcdef1\", \"State\": {\"Name\": \"terminated\"},"
		" \"NetworkInterfaces\": []}]}]}";

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_instances(json, strlen(json), "instances.json", &model, &err), 0);
	assert_int_equal(model.enis.len, 1);
	assert_int_equal(VEC_AT(&model.enis, struct vpc_eni, 0)->addrs.len, 3);
	assert_string_equal(VEC_AT(&model.enis, struct vpc_eni, 0)->instance_id, "i-0123456789abcdef0");
	/* Linking needs the subnet and the group. */
	assert_int_equal(awsjson_link(&model, &(struct vec)VEC_INIT(struct awsjson_warning), &err), -22);
	assert_non_null(strstr(err.msg, "subnet subnet-12345678 is not in subnets.json"));
	vpc_model_free(&model);
}

static void test_the_shipped_examples_load(void **state)
{
	static const char *const files[] = { "subnets.json", "security-groups.json",
					     "network-acls.json", "instances.json" };
	int (*const parsers[])(const char *, size_t, const char *, struct vpc_model *,
			       struct bw_err *) = {
		awsjson_parse_subnets, awsjson_parse_security_groups,
		awsjson_parse_network_acls, awsjson_parse_instances,
	};
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	for (size_t i = 0; i < 4; i++) {
		char path[512], text[65536];
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), EXAMPLES_DIR "/aws/%s", files[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		n = fread(text, 1, sizeof(text), f);
		fclose(f);
		if (parsers[i](text, n, path, &model, &err) != 0)
			fail_msg("%s: %s", path, err.msg);
	}
	{
		const char *pl = "{\"Entries\": [{\"Cidr\": \"10.0.1.0/28\"}]}";

		assert_int_equal(awsjson_parse_prefix_list(pl, strlen(pl), "pl.json",
							   "pl-0a1b2c3d4e5f60041", &model, &err), 0);
	}
	assert_int_equal(awsjson_link(&model, &warnings, &err), 0);
	assert_int_equal(model.sgs.len, 4);
	assert_int_equal(model.nacls.len, 2);
	assert_int_equal(model.subnets.len, 3);
	assert_int_equal(model.enis.len, 4); /* the stopped instance is left out */
	assert_int_equal(warnings.len, 0);
	assert_int_equal(VEC_AT(&model.subnets, struct vpc_subnet, 2)->nacl, 1);
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_an_address_outside_its_subnet_is_refused(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const char *subnets = "{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"CidrBlock\": \"10.0.1.0/24\"}]}";
	const char *groups = "{\"SecurityGroups\": [{\"GroupId\": \"sg-12345678\"}]}";
	const char *instances =
		"{\"Reservations\": [{\"Instances\": [{\"InstanceId\": \"i-12345678\","
		" \"State\": {\"Name\": \"running\"}, \"NetworkInterfaces\": [{"
		" \"NetworkInterfaceId\": \"eni-12345678\", \"SubnetId\": \"subnet-12345678\","
		" \"Groups\": [{\"GroupId\": \"sg-12345678\"}],"
		" \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.2.5\"}]}]}]}]}";

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_subnets(subnets, strlen(subnets), "s", &model, &err), 0);
	assert_int_equal(parse_sgs(&model, groups, &err), 0);
	assert_int_equal(awsjson_parse_instances(instances, strlen(instances), "i", &model, &err), 0);
	assert_int_equal(awsjson_link(&model, &warnings, &err), -22);
	assert_non_null(strstr(err.msg, "address 10.0.2.5/32 is outside its subnet subnet-12345678"));
	vec_free(&warnings);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permissions_become_one_rule_per_peer),
		cmocka_unit_test(test_protocols_and_their_ports),
		cmocka_unit_test(test_bad_permissions_are_named),
		cmocka_unit_test(test_no_string_reaches_the_ruleset_unvalidated),
		cmocka_unit_test(test_json_syntax_errors_have_line_and_column),
		cmocka_unit_test(test_acl_entries_are_sorted_and_end_in_deny),
		cmocka_unit_test(test_bad_acl_entries_are_named),
		cmocka_unit_test(test_only_running_instances_count),
		cmocka_unit_test(test_the_shipped_examples_load),
		cmocka_unit_test(test_an_address_outside_its_subnet_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
