/* The AWS CLI JSON reader: what it takes from each file, and one clear
 * error for every kind of bad input, naming the group or ACL and rule. */
#include <errno.h>

#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/awsjson.h"
#include "host/awsdir.h"

#include "fakeroot.h"

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
	assert_non_null(strstr(err.msg, "subnet subnet-12345678 is not one of the VPC's in subnets.json"));
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

/* The ENI's address is subnet's n-th (10.0.1.0/24 + n), or a prefix. */
static int link_with_address(const char *addr, const char *prefix, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	char instances[1024];
	const char *subnets = "{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"CidrBlock\": \"10.0.1.0/24\"}]}";
	const char *groups = "{\"SecurityGroups\": [{\"GroupId\": \"sg-12345678\"}]}";
	const char *acls = "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-12345678\", \"IsDefault\": true, \"Entries\": []}]}";
	int rc;

	snprintf(instances, sizeof(instances),
		 "{\"Reservations\": [{\"Instances\": [{\"InstanceId\": \"i-12345678\","
		 " \"State\": {\"Name\": \"running\"}, \"NetworkInterfaces\": [{"
		 " \"NetworkInterfaceId\": \"eni-12345678\", \"SubnetId\": \"subnet-12345678\","
		 " \"Groups\": [{\"GroupId\": \"sg-12345678\"}],"
		 " \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"%s\"}]%s%s%s}]}]}]}",
		 addr, prefix ? ", \"Ipv4Prefixes\": [{\"Ipv4Prefix\": \"" : "", prefix ? prefix : "",
		 prefix ? "\"}]" : "");
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_subnets(subnets, strlen(subnets), "s", &model, err), 0);
	assert_int_equal(parse_sgs(&model, groups, err), 0);
	assert_int_equal(awsjson_parse_instances(instances, strlen(instances), "i", &model, err), 0);
	assert_int_equal(awsjson_parse_network_acls(acls, strlen(acls), "a", &model, err), 0);
	rc = awsjson_link(&model, &warnings, err);
	vec_free(&warnings);
	vpc_model_free(&model);
	return rc;
}

static void test_an_address_aws_reserves_is_refused(void **state)
{
	static const char *const reserved[] = { "10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3",
						"10.0.1.255" };
	struct bw_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		assert_int_equal(link_with_address(reserved[i], NULL, &err), -22);
		assert_non_null(strstr(err.msg, "is one AWS reserves in subnet subnet-12345678"));
	}
	assert_int_equal(link_with_address("10.0.1.4", NULL, &err), 0);
	assert_int_equal(link_with_address("10.0.1.254", NULL, &err), 0);
	/* A delegated prefix takes every address in it. */
	assert_int_equal(link_with_address("10.0.1.20", "10.0.1.240/28", &err), -22);
	assert_int_equal(link_with_address("10.0.1.20", "10.0.1.0/28", &err), -22);
	assert_int_equal(link_with_address("10.0.1.20", "10.0.1.32/28", &err), 0);
}

/* ---- one VPC, every ENI, default ACLs, IPv6-only subnets -------------- */

#define VPC_A "vpc-0a1b2c3d4e5f60000"
#define VPC_B "vpc-0f1e2d3c4b5a69999"
#define TWO_VPCS GOLDEN_DIR "/../aws/two-vpcs"

/* What a test feeds the reader; NULL files are left out, but for the
 * ACLs: a test that names none gets one default ACL (every VPC has one). */
struct files {
	const char *vpcs, *subnets, *groups, *acls, *instances, *enis;
};

static const char a_default_acl[] =
	"{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-0000000d\", \"IsDefault\": true, \"Entries\": []}]}";

static int load_files(const struct files *f, const char *vpc_id, struct vpc_model *model,
		      struct vec *warnings, struct bw_err *err)
{
	const char *texts[] = { f->vpcs, f->subnets, f->groups, f->acls ?: a_default_acl,
				f->instances, f->enis };
	int (*const parsers[])(const char *, size_t, const char *, struct vpc_model *,
			       struct bw_err *) = {
		awsjson_parse_vpcs, awsjson_parse_subnets, awsjson_parse_security_groups,
		awsjson_parse_network_acls, awsjson_parse_instances,
		awsjson_parse_network_interfaces,
	};
	static const char *const names[] = { "vpcs.json", "subnets.json", "security-groups.json",
					     "network-acls.json", "instances.json",
					     "network-interfaces.json" };
	int rc = 0;

	vpc_model_init(model);
	for (size_t i = 0; rc == 0 && i < 6; i++)
		if (texts[i])
			rc = parsers[i](texts[i], strlen(texts[i]), names[i], model, err);
	if (rc == 0)
		rc = awsjson_select_vpc(model, vpc_id, err);
	if (rc == 0)
		rc = awsjson_link(model, warnings, err);
	return rc;
}

static const char one_subnet[] =
	"{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"VpcId\": \"" VPC_A "\","
	" \"CidrBlock\": \"10.0.1.0/24\", \"Ipv6CidrBlockAssociationSet\": [{"
	" \"Ipv6CidrBlock\": \"fd00:0:0:1::/64\", \"Ipv6CidrBlockState\": {\"State\": \"associated\"}}]}]}";
static const char one_group[] =
	"{\"SecurityGroups\": [{\"GroupId\": \"sg-12345678\", \"VpcId\": \"" VPC_A "\"}]}";

/* instances.json with one running instance and one ENI: fields is the
 * ENI's JSON after its id, subnet and group. */
static void one_instance(char *out, size_t size, const char *instance_extra, const char *fields)
{
	snprintf(out, size,
		 "{\"Reservations\": [{\"Instances\": [{\"InstanceId\": \"i-12345678\","
		 " \"State\": {\"Name\": \"running\"}%s, \"NetworkInterfaces\": [{"
		 " \"NetworkInterfaceId\": \"eni-12345678\", \"SubnetId\": \"subnet-12345678\","
		 " \"Groups\": [{\"GroupId\": \"sg-12345678\"}]%s}]}]}]}", instance_extra, fields);
}

/* network-interfaces.json with one ENI of subnet-12345678. */
static void one_interface(char *out, size_t size, const char *id, const char *fields)
{
	snprintf(out, size,
		 "{\"NetworkInterfaces\": [{\"NetworkInterfaceId\": \"%s\","
		 " \"SubnetId\": \"subnet-12345678\", \"Status\": \"in-use\"%s}]}", id, fields);
}

static void test_several_vpcs_without_vpc_is_an_input_error_naming_them(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(awsdir_load(TWO_VPCS, NULL, &model, &warnings, &err), -22);
	assert_true(err.is_input);
	assert_string_equal(err.msg, "the files hold 2 VPCs (" VPC_A ", " VPC_B
			    "): choose one with --vpc");
	vec_free(&warnings);
	vpc_model_free(&model);
}

/* A folder of valid empty files but for those named in bad (comma-separated). */
static char *folder_with_bad(const char *bad)
{
	static const char *const files[][2] = {
		{ "/subnets.json", "{\"Subnets\": []}" },
		{ "/security-groups.json", "{\"SecurityGroups\": []}" },
		{ "/network-acls.json", "{\"NetworkAcls\": []}" },
		{ "/instances.json", "{\"Reservations\": []}" },
		{ "/prefix-lists/pl-0123456789abcdef0.json", "{\"Entries\": []}" },
	};
	char *dir = fakeroot_new();

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *name = strrchr(files[i][0], '/') + 1;

		fakeroot_put(dir, files[i][0], strstr(bad, name) ? "{" : files[i][1]);
	}
	return dir;
}

static void assert_error_names(const char *bad, const char *file)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err = { 0 };
	char *dir = folder_with_bad(bad);

	vpc_model_init(&model);
	assert_int_equal(awsdir_load(dir, NULL, &model, &warnings, &err), -EINVAL);
	assert_true(err.is_input);
	assert_non_null(strstr(err.file, file));
	vec_free(&warnings);
	vpc_model_free(&model);
	fakeroot_free(dir);
}

/* The ENIs are read on a thread of their own: the error is still the
 * first file's in the order subnets, groups, ACLs, ENIs, prefix lists. */
static void test_of_two_bad_files_the_error_names_the_one_read_first(void **state)
{
	(void)state;
	assert_error_names("security-groups.json instances.json", "/security-groups.json");
	assert_error_names("instances.json pl-0123456789abcdef0.json", "/instances.json");
	assert_error_names("network-acls.json instances.json", "/network-acls.json");
	assert_error_names("pl-0123456789abcdef0.json", "/prefix-lists/pl-0123456789abcdef0.json");
}

static void test_chosen_vpc_keeps_only_its_objects(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(TWO_VPCS, VPC_B, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(model.vpc_id, VPC_B);
	assert_int_equal(model.sgs.len, 1);
	assert_int_equal(model.nacls.len, 1);
	/* Both VPCs use 10.0.1.0/24 and 10.0.1.10: fine, one at a time. */
	assert_int_equal(model.subnets.len, 2);
	assert_int_equal(model.enis.len, 2); /* the instance and a Lambda ENI */
	assert_int_equal(model.vpcs.len, 1);
	assert_string_equal(VEC_AT(&model.vpcs, struct vpc_vpc, 0)->id, VPC_B);
	for (size_t i = 0; i < model.enis.len; i++)
		assert_string_equal(VEC_AT(&model.enis, struct vpc_eni, i)->vpc_id, VPC_B);
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_a_vpc_not_in_the_files_is_an_input_error(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(awsdir_load(TWO_VPCS, "vpc-0123456789abcdef0", &model, &warnings, &err),
			 -22);
	assert_true(err.is_input);
	assert_non_null(strstr(err.msg, "the files hold no vpc-0123456789abcdef0 (they hold " VPC_A));
	vpc_model_free(&model);
	vpc_model_init(&model);
	assert_int_equal(awsdir_load(TWO_VPCS, "vpc-0123; flush ruleset", &model, &warnings, &err),
			 -22);
	assert_non_null(strstr(err.msg, "is not a VPC id"));
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_a_reference_to_another_vpcs_group_matches_nothing(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct sg_rule *rule;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(TWO_VPCS, VPC_A, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(model.sgs.len, 1);
	rule = VEC_AT(&VEC_AT(&model.sgs, struct vpc_sg, 0)->rules, struct sg_rule, 0);
	assert_string_equal(rule->peer_id, "sg-0f1e2d3c4b5a69911");
	assert_int_equal(rule->peer, -1);
	assert_int_equal(warnings.len, 1);
	assert_non_null(strstr(VEC_AT(&warnings, struct awsjson_warning, 0)->text,
			       "group sg-0f1e2d3c4b5a69911 is not in " VPC_A
			       " (a group of another VPC never matches)"));
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_objects_without_vpc_id_belong_to_the_only_vpc(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	char instances[1024];
	const struct files f = {
		.subnets = one_subnet,
		.groups = "{\"SecurityGroups\": [{\"GroupId\": \"sg-12345678\"}]}",
		.acls = "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-12345678\", \"IsDefault\": true,"
			" \"Entries\": []}]}",
		.instances = instances,
	};

	(void)state;
	one_instance(instances, sizeof(instances), "",
		     ", \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.5\"}]");
	if (load_files(&f, NULL, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(model.vpc_id, VPC_A);
	assert_int_equal(model.sgs.len, 1);
	assert_int_equal(model.nacls.len, 1);
	/* The ENI has no VpcId, neither has its instance: it is in its subnet's VPC. */
	assert_string_equal(VEC_AT(&model.enis, struct vpc_eni, 0)->vpc_id, VPC_A);
	vpc_model_free(&model);
	/* A hand-made folder naming no VPC at all loads as one, and --vpc names it. */
	{
		const struct files plain = {
			.subnets = "{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"CidrBlock\": \"10.0.1.0/24\"}]}",
			.groups = f.groups,
		};

		assert_int_equal(load_files(&plain, NULL, &model, &warnings, &err), 0);
		assert_string_equal(model.vpc_id, "");
		vpc_model_free(&model);
		assert_int_equal(load_files(&plain, VPC_B, &model, &warnings, &err), 0);
		assert_string_equal(model.vpc_id, VPC_B);
		assert_int_equal(model.subnets.len, 1);
		vpc_model_free(&model);
	}
	vec_free(&warnings);
}

static void test_default_acl_governs_unassociated_subnet(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(TWO_VPCS, VPC_A, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(model.nacls.len, 1);
	assert_true(VEC_AT(&model.nacls, struct vpc_nacl, 0)->is_default);
	assert_int_equal(VEC_AT(&model.nacls, struct vpc_nacl, 0)->subnet_ids.len, 0);
	for (size_t i = 0; i < model.subnets.len; i++)
		assert_int_equal(VEC_AT(&model.subnets, struct vpc_subnet, i)->nacl, 0);
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_subnet_without_acl_or_default_acl_is_refused(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct files f = {
		.subnets = one_subnet,
		.acls = "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-12345678\", \"IsDefault\": false,"
			" \"Entries\": []}]}",
	};

	(void)state;
	assert_int_equal(load_files(&f, NULL, &model, &warnings, &err), -EINVAL);
	assert_true(err.is_input);
	assert_non_null(strstr(err.msg, "subnet-12345678: no network ACL"));
	vpc_model_free(&model);
	vec_free(&warnings);
}

static void test_two_default_acls_in_one_vpc_are_refused(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct files f = {
		.subnets = one_subnet,
		.acls = "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-12345678\", \"IsDefault\": true},"
			" {\"NetworkAclId\": \"acl-12345679\", \"IsDefault\": true}]}",
	};

	(void)state;
	assert_int_equal(load_files(&f, NULL, &model, &warnings, &err), -22);
	assert_non_null(strstr(err.msg, "acl-12345679: a second default ACL"));
	vpc_model_free(&model);
	vec_free(&warnings);
}

static void test_ipv6_only_subnet_loads(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct vpc_subnet *subnet;
	struct cidr addr;
	int index;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(TWO_VPCS, VPC_A, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	index = vpc_find_subnet(&model, "subnet-0a1b2c3d4e5f60002");
	assert_true(index >= 0);
	subnet = VEC_AT(&model.subnets, struct vpc_subnet, index);
	assert_false(subnet->has_v4);
	assert_true(subnet->has_v6);
	assert_string_equal(subnet->v6.text, "2600:1f18:aaaa:bb02::/64");
	assert_int_equal(cidr_parse_addr("2600:1f18:aaaa:bb02::52", &addr), 0);
	assert_int_equal(vpc_find_subnet_by_addr(&model, &addr), index);
	/* A zeroed v4 range must not catch IPv4 addresses. */
	assert_int_equal(cidr_parse_addr("0.0.0.1", &addr), 0);
	assert_int_equal(vpc_find_subnet_by_addr(&model, &addr), -1);
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void assert_subnets_fail(const char *subnets, const char *what)
{
	struct vpc_model model;
	struct bw_err err;

	vpc_model_init(&model);
	if (awsjson_parse_subnets(subnets, strlen(subnets), "subnets.json", &model, &err) == 0)
		fail_msg("accepted: %s", subnets);
	if (!strstr(err.msg, what))
		fail_msg("for %s: got '%s', want ...%s...", subnets, err.msg, what);
	vpc_model_free(&model);
}

static void test_ipv6_only_subnet_must_be_consistent(void **state)
{
	(void)state;
	assert_subnets_fail("{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"Ipv6Native\": true}]}",
			    "needs an associated Ipv6CidrBlock");
	assert_subnets_fail("{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"Ipv6Native\": true,"
			    " \"CidrBlock\": \"10.0.0.0/24\"}]}", "Ipv6Native is true but a CidrBlock");
	assert_subnets_fail("{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\"}]}",
			    "CidrBlock must be a string");
	assert_subnets_fail("{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"Ipv6Native\": \"yes\"}]}",
			    "Ipv6Native must be true or false");
	assert_subnets_fail("{\"Subnets\": [{\"SubnetId\": \"subnet-12345678\", \"CidrBlock\": \"10.0.0.0/24\","
			    " \"Ipv6CidrBlockAssociationSet\": [{\"Ipv6CidrBlock\": \"fd00::/64\"},"
			    " {\"Ipv6CidrBlock\": \"fd01::/64\"}]}]}", "more than one associated IPv6 range");
}

static void test_overlapping_subnets_of_one_vpc_are_refused(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct files f = {
		.subnets = "{\"Subnets\": ["
			   "{\"SubnetId\": \"subnet-12345678\", \"Ipv6Native\": true, \"Ipv6CidrBlockAssociationSet\": [{\"Ipv6CidrBlock\": \"fd00::/64\"}]},"
			   "{\"SubnetId\": \"subnet-12345679\", \"Ipv6Native\": true, \"Ipv6CidrBlockAssociationSet\": [{\"Ipv6CidrBlock\": \"fd00::/56\"}]}]}",
	};

	(void)state;
	assert_int_equal(load_files(&f, NULL, &model, &warnings, &err), -22);
	assert_non_null(strstr(err.msg, "subnet-12345679: fd00::/56 overlaps fd00::/64 of subnet-12345678"));
	vpc_model_free(&model);
	vec_free(&warnings);
}

static void test_prefix_delegation_addresses_belong_to_eni(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	struct cidr addr;
	int eni;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(TWO_VPCS, VPC_A, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cidr_parse_addr("10.0.1.45", &addr), 0); /* in 10.0.1.32/28 */
	eni = vpc_find_eni_by_addr(&model, &addr);
	assert_true(eni >= 0);
	assert_string_equal(VEC_AT(&model.enis, struct vpc_eni, eni)->id, "eni-0a1b2c3d4e5f60051");
	assert_int_equal(cidr_parse_addr("10.0.1.48", &addr), 0); /* just past it */
	assert_int_equal(vpc_find_eni_by_addr(&model, &addr), -1);
	assert_int_equal(cidr_parse_addr("2600:1f18:aaaa:bb02:1000::77", &addr), 0);
	eni = vpc_find_eni_by_addr(&model, &addr);
	assert_true(eni >= 0);
	assert_string_equal(VEC_AT(&model.enis, struct vpc_eni, eni)->id, "eni-0a1b2c3d4e5f60052");
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_an_enis_error_names_the_file_it_is_read_from(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	char enis[1024];
	const struct files f = { .subnets = one_subnet, .groups = one_group, .enis = enis };

	(void)state;
	/* An instance's ENI that only describe-network-interfaces lists. */
	one_interface(enis, sizeof(enis), "eni-abcdef01",
		      ", \"Attachment\": {\"InstanceId\": \"i-0000000000000abcd\"}, \"Groups\": [],"
		      " \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.9.9\"}]");
	assert_int_equal(load_files(&f, NULL, &model, &warnings, &err), -22);
	assert_non_null(strstr(err.msg, "outside its subnet"));
	assert_string_equal(err.file, "network-interfaces.json");
	vpc_model_free(&model);
	vec_free(&warnings);
}

static void test_an_association_naming_another_acl_is_refused(void **state)
{
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(parse_acls(&model, "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-12345678\","
				    " \"Entries\": [], \"Associations\": [{\"SubnetId\": \"subnet-12345678\","
				    " \"NetworkAclId\": \"acl-87654321\"}]}]}", &err), -22);
	assert_non_null(strstr(err.msg, "association of subnet-12345678 names acl-87654321"));
	vpc_model_free(&model);
	vpc_model_init(&model);
	assert_int_equal(parse_acls(&model, "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-12345678\","
				    " \"Entries\": [], \"Associations\": [{\"SubnetId\": \"subnet-12345678\","
				    " \"NetworkAclId\": \"acl-12345678\"}]}]}", &err), 0);
	vpc_model_free(&model);
}

static void test_a_vpc_cidr_block_that_is_not_a_string_is_refused(void **state)
{
	static const char vpcs[] =
		"{\"Vpcs\": [{\"VpcId\": \"vpc-12345678\", \"CidrBlock\": -1,"
		" \"CidrBlockAssociationSet\": [{\"CidrBlock\": \"10.0.0.0/16\","
		" \"CidrBlockState\": {\"State\": \"associated\"}}]}]}";
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_vpcs(vpcs, strlen(vpcs), "vpcs.json", &model, &err), -22);
	assert_non_null(strstr(err.msg, "CidrBlock must be a string"));
	vpc_model_free(&model);
}

static void test_an_address_in_another_enis_prefix_is_refused(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	char instances[1024], enis[1024];
	const struct files f = { .subnets = one_subnet, .groups = one_group,
				 .instances = instances, .enis = enis };

	(void)state;
	one_instance(instances, sizeof(instances), "",
		     ", \"Ipv4Prefixes\": [{\"Ipv4Prefix\": \"10.0.1.32/28\"}]");
	one_interface(enis, sizeof(enis), "eni-abcdef01",
		      ", \"Groups\": [], \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.40\"}]");
	assert_int_equal(load_files(&f, NULL, &model, &warnings, &err), -22);
	assert_non_null(strstr(err.msg, "address 10.0.1.40/32 is also eni-12345678's (10.0.1.32/28)"));
	vpc_model_free(&model);
	/* A prefix with host bits set is a mistake, not a range. */
	one_instance(instances, sizeof(instances), "",
		     ", \"Ipv4Prefixes\": [{\"Ipv4Prefix\": \"10.0.1.33/28\"}]");
	assert_int_equal(load_files(&(struct files){ .instances = instances }, NULL, &model,
				    &warnings, &err), -22);
	assert_non_null(strstr(err.msg, "did you mean 10.0.1.32/28?"));
	vpc_model_free(&model);
	vec_free(&warnings);
}

static void test_requester_managed_eni_is_group_member(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct vpc_eni *eni;
	struct cidr addr;
	int index;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(TWO_VPCS, VPC_A, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cidr_parse_addr("10.0.1.71", &addr), 0);
	index = vpc_find_eni_by_addr(&model, &addr);
	assert_true(index >= 0);
	eni = VEC_AT(&model.enis, struct vpc_eni, index);
	assert_string_equal(eni->id, "eni-0a1b2c3d4e5f60071");
	assert_string_equal(eni->instance_id, "");
	assert_int_equal(eni->groups.len, 1);
	assert_int_equal(*VEC_AT(&eni->groups, int, 0), vpc_find_sg(&model, "sg-0a1b2c3d4e5f60011"));
	/* The detached ENI (Status available) carries no traffic: left out. */
	assert_int_equal(cidr_parse_addr("10.0.1.72", &addr), 0);
	assert_int_equal(vpc_find_eni_by_addr(&model, &addr), -1);
	/* Two instance ENIs and the RDS one; the instance's ENI once. */
	assert_int_equal(model.enis.len, 3);
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_eni_in_both_files_is_one_eni(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	char instances[1024], enis[1024];
	const struct files f = { .subnets = one_subnet, .groups = one_group,
				 .instances = instances, .enis = enis };
	const struct vpc_eni *eni;

	(void)state;
	/* Each file says what the other leaves out; either may come first. */
	one_instance(instances, sizeof(instances), "",
		     ", \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.5\"}]");
	one_interface(enis, sizeof(enis), "eni-12345678",
		      ", \"Groups\": [{\"GroupId\": \"sg-12345678\"}], \"MacAddress\": \"0a:1b:2c:3d:4e:5f\","
		      " \"Attachment\": {\"InstanceId\": \"i-12345678\"}, \"VpcId\": \"" VPC_A "\","
		      " \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.5\"}]");
	for (int order = 0; order < 2; order++) {
		struct files g = f;

		if (order) {
			vpc_model_init(&model);
			assert_int_equal(awsjson_parse_network_interfaces(enis, strlen(enis), "n", &model, &err), 0);
			g.enis = NULL;
			assert_int_equal(awsjson_parse_instances(instances, strlen(instances), "i", &model, &err), 0);
			g.instances = NULL;
			assert_int_equal(awsjson_parse_subnets(one_subnet, strlen(one_subnet), "s", &model, &err), 0);
			assert_int_equal(awsjson_parse_security_groups(one_group, strlen(one_group), "g", &model, &err), 0);
			assert_int_equal(awsjson_parse_network_acls(a_default_acl, strlen(a_default_acl), "a", &model, &err), 0);
			assert_int_equal(awsjson_link(&model, &warnings, &err), 0);
		} else if (load_files(&g, NULL, &model, &warnings, &err) != 0) {
			fail_msg("%s", err.msg);
		}
		assert_int_equal(model.enis.len, 1);
		eni = VEC_AT(&model.enis, struct vpc_eni, 0);
		assert_string_equal(eni->instance_id, "i-12345678");
		assert_string_equal(eni->mac, "0a:1b:2c:3d:4e:5f");
		assert_string_equal(eni->vpc_id, VPC_A);
		assert_int_equal(eni->addrs.len, 1);
		vpc_model_free(&model);
	}
	vec_free(&warnings);
}

static void assert_merge_fails(const char *instance_fields, const char *interface_fields,
			       const char *what)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	char instances[1024], enis[1024];
	const struct files f = { .subnets = one_subnet, .groups = one_group,
				 .instances = instances, .enis = enis };

	one_instance(instances, sizeof(instances), "", instance_fields);
	one_interface(enis, sizeof(enis), "eni-12345678", interface_fields);
	if (load_files(&f, NULL, &model, &warnings, &err) == 0)
		fail_msg("accepted: %s against %s", interface_fields, instance_fields);
	assert_string_equal(err.file, "network-interfaces.json");
	if (!strstr(err.msg, what) || !strstr(err.msg, "eni-12345678: instances.json gives it"))
		fail_msg("got '%s', want ...%s...", err.msg, what);
	vpc_model_free(&model);
	vec_free(&warnings);
}

static void test_files_disagreeing_on_an_eni_are_refused(void **state)
{
	(void)state;
	assert_merge_fails(", \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.5\"}]",
			   ", \"Groups\": [{\"GroupId\": \"sg-12345678\"}],"
			   " \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.6\"}]",
			   "other addresses or prefixes");
	assert_merge_fails(", \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.5\"}]",
			   ", \"Groups\": [{\"GroupId\": \"sg-12345678\"}],"
			   " \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.5\"}],"
			   " \"Ipv4Prefixes\": [{\"Ipv4Prefix\": \"10.0.1.16/28\"}]",
			   "other addresses or prefixes");
	assert_merge_fails("", ", \"Groups\": [{\"GroupId\": \"sg-12345679\"}]",
			   "other security groups");
	assert_merge_fails(", \"SourceDestCheck\": false",
			   ", \"Groups\": [{\"GroupId\": \"sg-12345678\"}]",
			   "SourceDestCheck false, this file true");
	assert_merge_fails(", \"MacAddress\": \"0a:00:00:00:00:01\"",
			   ", \"Groups\": [{\"GroupId\": \"sg-12345678\"}], \"MacAddress\": \"0a:00:00:00:00:02\"",
			   "MacAddress 0a:00:00:00:00:01, this file 0a:00:00:00:00:02");
	assert_merge_fails("", ", \"Groups\": [{\"GroupId\": \"sg-12345678\"}],"
			   " \"Attachment\": {\"InstanceId\": \"i-87654321\"}",
			   "instance i-12345678, this file i-87654321");
}

static void test_an_eni_listed_twice_in_one_file_is_refused(void **state)
{
	struct vpc_model model;
	struct bw_err err;
	const char *enis =
		"{\"NetworkInterfaces\": ["
		"{\"NetworkInterfaceId\": \"eni-12345678\", \"SubnetId\": \"subnet-12345678\", \"Groups\": []},"
		"{\"NetworkInterfaceId\": \"eni-12345678\", \"SubnetId\": \"subnet-12345678\", \"Groups\": []}]}";

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_network_interfaces(enis, strlen(enis), "n", &model, &err), -22);
	assert_non_null(strstr(err.msg, "eni-12345678: listed twice"));
	vpc_model_free(&model);
}

static void test_mac_is_validated(void **state)
{
	static const char *const bad_macs[] = { "0a:1b:2c:3d:4e", "0a:1b:2c:3d:4e:5f:60",
						"0a-1b-2c-3d-4e-5f", "0a:1b:2c:3d:4e:5g",
						"0a:1b:2c:3d:4e:5", "", "0a:1b:2c:3d:4e:5f; x" };
	struct vpc_model model;
	struct bw_err err;
	char json[1024], fields[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		snprintf(fields, sizeof(fields), ", \"Groups\": [], \"MacAddress\": \"%s\"", bad_macs[i]);
		one_interface(json, sizeof(json), "eni-12345678", fields);
		vpc_model_init(&model);
		if (awsjson_parse_network_interfaces(json, strlen(json), "n", &model, &err) == 0)
			fail_msg("accepted MacAddress '%s'", bad_macs[i]);
		assert_non_null(strstr(err.msg, "is not six hex pairs joined by ':'"));
		vpc_model_free(&model);
	}
	one_interface(json, sizeof(json), "eni-12345678",
		      ", \"Groups\": [], \"MacAddress\": \"0A:1b:2C:3D:4E:5F\"");
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_network_interfaces(json, strlen(json), "n", &model, &err), 0);
	assert_string_equal(VEC_AT(&model.enis, struct vpc_eni, 0)->mac, "0a:1b:2c:3d:4e:5f");
	vpc_model_free(&model);
	/* Without one (a hand-made file), the ENI has none. */
	one_interface(json, sizeof(json), "eni-12345678", ", \"Groups\": []");
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_network_interfaces(json, strlen(json), "n", &model, &err), 0);
	assert_string_equal(VEC_AT(&model.enis, struct vpc_eni, 0)->mac, "");
	vpc_model_free(&model);
}

static void test_a_mac_on_two_enis_is_refused(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct files f = {
		.subnets = one_subnet,
		.enis = "{\"NetworkInterfaces\": ["
			"{\"NetworkInterfaceId\": \"eni-12345678\", \"SubnetId\": \"subnet-12345678\", \"Groups\": [],"
			" \"MacAddress\": \"0a:00:00:00:00:01\"},"
			"{\"NetworkInterfaceId\": \"eni-12345679\", \"SubnetId\": \"subnet-12345678\", \"Groups\": [],"
			" \"MacAddress\": \"0A:00:00:00:00:01\"}]}",
	};

	(void)state;
	assert_int_equal(load_files(&f, NULL, &model, &warnings, &err), -22);
	assert_non_null(strstr(err.msg, "eni-12345679: MacAddress 0a:00:00:00:00:01 is also eni-12345678's"));
	vpc_model_free(&model);
	vec_free(&warnings);
}

static void test_source_dest_check_of_the_eni_wins_over_the_instance(void **state)
{
	static const struct {
		const char *instance, *eni;
		bool is_checked;
	} cases[] = {
		{ "", "", true }, /* AWS's default */
		{ ", \"SourceDestCheck\": false", "", false },
		{ ", \"SourceDestCheck\": false", ", \"SourceDestCheck\": true", true },
		{ ", \"SourceDestCheck\": true", ", \"SourceDestCheck\": false", false },
	};
	struct vpc_model model;
	struct bw_err err;
	char json[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		one_instance(json, sizeof(json), cases[i].instance, cases[i].eni);
		vpc_model_init(&model);
		assert_int_equal(awsjson_parse_instances(json, strlen(json), "i", &model, &err), 0);
		assert_int_equal(VEC_AT(&model.enis, struct vpc_eni, 0)->is_source_dest_checked,
				 cases[i].is_checked);
		vpc_model_free(&model);
	}
	one_instance(json, sizeof(json), "", ", \"SourceDestCheck\": \"no\"");
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_instances(json, strlen(json), "i", &model, &err), -22);
	assert_non_null(strstr(err.msg, "SourceDestCheck must be true or false"));
	vpc_model_free(&model);
}

static void test_vpcs_keep_their_associated_ranges(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;
	const struct vpc_vpc *vpc;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(TWO_VPCS, VPC_A, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(model.vpcs.len, 1);
	vpc = VEC_AT(&model.vpcs, struct vpc_vpc, 0);
	assert_string_equal(vpc->id, VPC_A);
	/* 10.1.0.0/16 is disassociated: not the VPC's any more. */
	assert_int_equal(vpc->cidrs.len, 2);
	assert_string_equal(VEC_AT(&vpc->cidrs, struct cidr, 0)->text, "10.0.0.0/16");
	assert_string_equal(VEC_AT(&vpc->cidrs, struct cidr, 1)->text, "2600:1f18:aaaa:bb00::/56");
	vec_free(&warnings);
	vpc_model_free(&model);
}

static void test_a_vpc_with_only_its_primary_cidr_block_loads(void **state)
{
	struct vpc_model model;
	struct bw_err err;
	const char *vpcs = "{\"Vpcs\": [{\"VpcId\": \"" VPC_A "\", \"CidrBlock\": \"10.0.0.0/16\"}]}";

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(awsjson_parse_vpcs(vpcs, strlen(vpcs), "vpcs.json", &model, &err), 0);
	assert_int_equal(VEC_AT(&model.vpcs, struct vpc_vpc, 0)->cidrs.len, 1);
	assert_int_equal(awsjson_parse_vpcs(vpcs, strlen(vpcs), "vpcs.json", &model, &err), -22);
	assert_non_null(strstr(err.msg, "listed twice"));
	vpc_model_free(&model);
}

static void test_the_example_folder_is_one_vpc(void **state)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model;
	struct bw_err err;

	(void)state;
	vpc_model_init(&model);
	if (awsdir_load(EXAMPLES_DIR "/aws", NULL, &model, &warnings, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(model.vpc_id, VPC_A);
	assert_int_equal(model.vpcs.len, 1);
	/* Four instances' ENIs, once each though both files list them, and RDS's. */
	assert_int_equal(model.enis.len, 5);
	assert_int_equal(warnings.len, 0);
	for (size_t i = 0; i < model.enis.len; i++)
		assert_int_equal(strlen(VEC_AT(&model.enis, struct vpc_eni, i)->mac), 17);
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
		cmocka_unit_test(test_an_address_aws_reserves_is_refused),
		cmocka_unit_test(test_several_vpcs_without_vpc_is_an_input_error_naming_them),
		cmocka_unit_test(test_of_two_bad_files_the_error_names_the_one_read_first),
		cmocka_unit_test(test_chosen_vpc_keeps_only_its_objects),
		cmocka_unit_test(test_a_vpc_not_in_the_files_is_an_input_error),
		cmocka_unit_test(test_a_reference_to_another_vpcs_group_matches_nothing),
		cmocka_unit_test(test_objects_without_vpc_id_belong_to_the_only_vpc),
		cmocka_unit_test(test_default_acl_governs_unassociated_subnet),
		cmocka_unit_test(test_subnet_without_acl_or_default_acl_is_refused),
		cmocka_unit_test(test_two_default_acls_in_one_vpc_are_refused),
		cmocka_unit_test(test_ipv6_only_subnet_loads),
		cmocka_unit_test(test_ipv6_only_subnet_must_be_consistent),
		cmocka_unit_test(test_overlapping_subnets_of_one_vpc_are_refused),
		cmocka_unit_test(test_prefix_delegation_addresses_belong_to_eni),
		cmocka_unit_test(test_an_address_in_another_enis_prefix_is_refused),
		cmocka_unit_test(test_an_association_naming_another_acl_is_refused),
		cmocka_unit_test(test_a_vpc_cidr_block_that_is_not_a_string_is_refused),
		cmocka_unit_test(test_an_enis_error_names_the_file_it_is_read_from),
		cmocka_unit_test(test_requester_managed_eni_is_group_member),
		cmocka_unit_test(test_eni_in_both_files_is_one_eni),
		cmocka_unit_test(test_files_disagreeing_on_an_eni_are_refused),
		cmocka_unit_test(test_an_eni_listed_twice_in_one_file_is_refused),
		cmocka_unit_test(test_mac_is_validated),
		cmocka_unit_test(test_a_mac_on_two_enis_is_refused),
		cmocka_unit_test(test_source_dest_check_of_the_eni_wins_over_the_instance),
		cmocka_unit_test(test_vpcs_keep_their_associated_ranges),
		cmocka_unit_test(test_a_vpc_with_only_its_primary_cidr_block_loads),
		cmocka_unit_test(test_the_example_folder_is_one_vpc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
