/* EC2 describe-* replies to the AWS CLI's JSON: each action's shape,
 * pages, and what is refused. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws/describe.h"

#define NS " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""

/* Converts xml as action what and checks it is the JSON want. */
static void expect(enum aws_describe what, const char *xml, const char *want_json)
{
	json_t *page = NULL, *want = json_loads(want_json, 0, NULL);
	char *token = NULL, *got;
	struct bw_err err;

	assert_non_null(want);
	if (aws_describe_page(what, xml, strlen(xml), &page, &token, &err) != 0)
		fail_msg("%s", err.msg);
	if (!json_equal(page, want)) {
		got = json_dumps(page, JSON_SORT_KEYS);
		fail_msg("got %s", got);
	}
	assert_null(token);
	json_decref(page);
	json_decref(want);
}

static int convert(enum aws_describe what, const char *xml, json_t **page, char **token,
		   struct bw_err *err)
{
	return aws_describe_page(what, xml, strlen(xml), page, token, err);
}

static void test_security_groups_as_the_cli_prints_them(void **state)
{
	(void)state;
	expect(AWS_DESCRIBE_SECURITY_GROUPS,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<DescribeSecurityGroupsResponse" NS "><requestId>r</requestId>"
	       "<securityGroupInfo><item><ownerId>123456789012</ownerId>"
	       "<groupId>sg-0a1b2c3d4e5f60011</groupId><groupName>web</groupName>"
	       "<groupDescription>web servers</groupDescription><vpcId>vpc-0a1b2c3d4e5f60000</vpcId>"
	       "<ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort>"
	       "<toPort>443</toPort><groups><item><userId>123456789012</userId>"
	       "<groupId>sg-0a1b2c3d4e5f60012</groupId></item></groups>"
	       "<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp><description>all</description></item></ipRanges>"
	       "<ipv6Ranges/><prefixListIds><item><prefixListId>pl-0a1b2c3d4e5f60041</prefixListId>"
	       "</item></prefixListIds></item></ipPermissions>"
	       "<ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/>"
	       "<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges>"
	       "<ipv6Ranges><item><cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges><prefixListIds/>"
	       "</item></ipPermissionsEgress><tagSet/></item></securityGroupInfo>"
	       "</DescribeSecurityGroupsResponse>",
	       "{\"SecurityGroups\": [{\"OwnerId\": \"123456789012\", "
	       "\"GroupId\": \"sg-0a1b2c3d4e5f60011\", \"GroupName\": \"web\", "
	       "\"Description\": \"web servers\", \"VpcId\": \"vpc-0a1b2c3d4e5f60000\", "
	       "\"IpPermissions\": [{\"IpProtocol\": \"tcp\", \"FromPort\": 443, \"ToPort\": 443, "
	       "\"UserIdGroupPairs\": [{\"UserId\": \"123456789012\", \"GroupId\": \"sg-0a1b2c3d4e5f60012\"}], "
	       "\"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\", \"Description\": \"all\"}], "
	       "\"Ipv6Ranges\": [], \"PrefixListIds\": [{\"PrefixListId\": \"pl-0a1b2c3d4e5f60041\"}]}], "
	       "\"IpPermissionsEgress\": [{\"IpProtocol\": \"-1\", \"UserIdGroupPairs\": [], "
	       "\"IpRanges\": [{\"CidrIp\": \"0.0.0.0/0\"}], \"Ipv6Ranges\": [{\"CidrIpv6\": \"::/0\"}], "
	       "\"PrefixListIds\": []}], \"Tags\": []}]}");
}

static void test_network_acls_as_the_cli_prints_them(void **state)
{
	(void)state;
	expect(AWS_DESCRIBE_NETWORK_ACLS,
	       "<DescribeNetworkAclsResponse" NS "><requestId>r</requestId><networkAclSet><item>"
	       "<networkAclId>acl-0a1b2c3d4e5f60031</networkAclId><vpcId>vpc-0a1b2c3d4e5f60000</vpcId>"
	       "<default>true</default><entrySet><item><ruleNumber>100</ruleNumber>"
	       "<protocol>6</protocol><ruleAction>allow</ruleAction><egress>false</egress>"
	       "<cidrBlock>10.0.0.0/16</cidrBlock><portRange><from>22</from><to>22</to></portRange>"
	       "</item><item><ruleNumber>32767</ruleNumber><protocol>1</protocol>"
	       "<ruleAction>deny</ruleAction><egress>true</egress><ipv6CidrBlock>::/0</ipv6CidrBlock>"
	       "<icmpTypeCode><code>-1</code><type>-1</type></icmpTypeCode></item></entrySet>"
	       "<associationSet><item><networkAclAssociationId>aclassoc-0a1b2c3d</networkAclAssociationId>"
	       "<networkAclId>acl-0a1b2c3d4e5f60031</networkAclId><subnetId>subnet-0a1b2c3d4e5f60001</subnetId>"
	       "</item></associationSet><tagSet><item><key>Name</key><value>main</value></item></tagSet>"
	       "<ownerId>123456789012</ownerId></item></networkAclSet></DescribeNetworkAclsResponse>",
	       "{\"NetworkAcls\": [{\"NetworkAclId\": \"acl-0a1b2c3d4e5f60031\", "
	       "\"VpcId\": \"vpc-0a1b2c3d4e5f60000\", \"IsDefault\": true, \"Entries\": ["
	       "{\"RuleNumber\": 100, \"Protocol\": \"6\", \"RuleAction\": \"allow\", \"Egress\": false, "
	       "\"CidrBlock\": \"10.0.0.0/16\", \"PortRange\": {\"From\": 22, \"To\": 22}}, "
	       "{\"RuleNumber\": 32767, \"Protocol\": \"1\", \"RuleAction\": \"deny\", \"Egress\": true, "
	       "\"Ipv6CidrBlock\": \"::/0\", \"IcmpTypeCode\": {\"Code\": -1, \"Type\": -1}}], "
	       "\"Associations\": [{\"NetworkAclAssociationId\": \"aclassoc-0a1b2c3d\", "
	       "\"NetworkAclId\": \"acl-0a1b2c3d4e5f60031\", \"SubnetId\": \"subnet-0a1b2c3d4e5f60001\"}], "
	       "\"Tags\": [{\"Key\": \"Name\", \"Value\": \"main\"}], \"OwnerId\": \"123456789012\"}]}");
}

static void test_subnets_and_vpcs_as_the_cli_prints_them(void **state)
{
	(void)state;
	expect(AWS_DESCRIBE_SUBNETS,
	       "<DescribeSubnetsResponse" NS "><subnetSet><item><subnetId>subnet-0a1b2c3d4e5f60001</subnetId>"
	       "<state>available</state><vpcId>vpc-0a1b2c3d4e5f60000</vpcId><cidrBlock>10.0.1.0/24</cidrBlock>"
	       "<ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>fd00:10:0:1::/64</ipv6CidrBlock>"
	       "<associationId>subnet-cidr-assoc-1</associationId><ipv6CidrBlockState><state>associated</state>"
	       "</ipv6CidrBlockState></item></ipv6CidrBlockAssociationSet>"
	       "<availableIpAddressCount>251</availableIpAddressCount><defaultForAz>false</defaultForAz>"
	       "<ipv6Native>false</ipv6Native><privateDnsNameOptionsOnLaunch><hostnameType>ip-name"
	       "</hostnameType></privateDnsNameOptionsOnLaunch></item></subnetSet></DescribeSubnetsResponse>",
	       "{\"Subnets\": [{\"SubnetId\": \"subnet-0a1b2c3d4e5f60001\", \"State\": \"available\", "
	       "\"VpcId\": \"vpc-0a1b2c3d4e5f60000\", \"CidrBlock\": \"10.0.1.0/24\", "
	       "\"Ipv6CidrBlockAssociationSet\": [{\"Ipv6CidrBlock\": \"fd00:10:0:1::/64\", "
	       "\"AssociationId\": \"subnet-cidr-assoc-1\", \"Ipv6CidrBlockState\": {\"State\": \"associated\"}}], "
	       "\"AvailableIpAddressCount\": 251, \"DefaultForAz\": false, \"Ipv6Native\": false}]}");
	expect(AWS_DESCRIBE_VPCS,
	       "<DescribeVpcsResponse" NS "><vpcSet><item><vpcId>vpc-0a1b2c3d4e5f60000</vpcId>"
	       "<cidrBlock>10.0.0.0/16</cidrBlock><cidrBlockAssociationSet><item>"
	       "<cidrBlock>10.0.0.0/16</cidrBlock><cidrBlockState><state>associated</state></cidrBlockState>"
	       "</item></cidrBlockAssociationSet><isDefault>false</isDefault></item></vpcSet>"
	       "</DescribeVpcsResponse>",
	       "{\"Vpcs\": [{\"VpcId\": \"vpc-0a1b2c3d4e5f60000\", \"CidrBlock\": \"10.0.0.0/16\", "
	       "\"CidrBlockAssociationSet\": [{\"CidrBlock\": \"10.0.0.0/16\", "
	       "\"CidrBlockState\": {\"State\": \"associated\"}}], \"IsDefault\": false}]}");
}

static void test_instances_as_the_cli_prints_them(void **state)
{
	(void)state;
	expect(AWS_DESCRIBE_INSTANCES,
	       "<DescribeInstancesResponse" NS "><reservationSet><item><reservationId>r-1</reservationId>"
	       "<ownerId>123456789012</ownerId><groupSet/><instancesSet><item>"
	       "<instanceId>i-0a1b2c3d4e5f60051</instanceId><instanceState><code>16</code>"
	       "<name>running</name></instanceState><amiLaunchIndex>0</amiLaunchIndex>"
	       "<placement><availabilityZone>us-east-1a</availabilityZone><tenancy>default</tenancy>"
	       "</placement><groupSet><item><groupId>sg-0a1b2c3d4e5f60011</groupId>"
	       "<groupName>web</groupName></item></groupSet><networkInterfaceSet><item>"
	       "<networkInterfaceId>eni-0a1b2c3d4e5f60061</networkInterfaceId>"
	       "<macAddress>0a:1b:2c:3d:4e:51</macAddress><sourceDestCheck>true</sourceDestCheck>"
	       "<attachment><attachmentId>eni-attach-1</attachmentId><deviceIndex>0</deviceIndex>"
	       "<status>attached</status><attachTime>2026-11-23T05:00:00.000Z</attachTime></attachment>"
	       "<privateIpAddressesSet><item><privateIpAddress>10.0.1.10</privateIpAddress>"
	       "<primary>true</primary></item></privateIpAddressesSet>"
	       "<ipv6AddressesSet><item><ipv6Address>fd00:10:0:1::10</ipv6Address></item></ipv6AddressesSet>"
	       "<ipv4PrefixSet><item><ipv4Prefix>10.0.1.64/28</ipv4Prefix></item></ipv4PrefixSet>"
	       "</item></networkInterfaceSet></item></instancesSet></item></reservationSet>"
	       "</DescribeInstancesResponse>",
	       "{\"Reservations\": [{\"ReservationId\": \"r-1\", \"OwnerId\": \"123456789012\", "
	       "\"Groups\": [], \"Instances\": [{\"InstanceId\": \"i-0a1b2c3d4e5f60051\", "
	       "\"State\": {\"Code\": 16, \"Name\": \"running\"}, \"AmiLaunchIndex\": 0, "
	       "\"Placement\": {\"AvailabilityZone\": \"us-east-1a\", \"Tenancy\": \"default\"}, "
	       "\"SecurityGroups\": [{\"GroupId\": \"sg-0a1b2c3d4e5f60011\", \"GroupName\": \"web\"}], "
	       "\"NetworkInterfaces\": [{\"NetworkInterfaceId\": \"eni-0a1b2c3d4e5f60061\", "
	       "\"MacAddress\": \"0a:1b:2c:3d:4e:51\", \"SourceDestCheck\": true, "
	       "\"Attachment\": {\"AttachmentId\": \"eni-attach-1\", \"DeviceIndex\": 0, \"Status\": \"attached\"}, "
	       "\"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.10\", \"Primary\": true}], "
	       "\"Ipv6Addresses\": [{\"Ipv6Address\": \"fd00:10:0:1::10\"}], "
	       "\"Ipv4Prefixes\": [{\"Ipv4Prefix\": \"10.0.1.64/28\"}]}]}]}]}");
}

static void test_network_interfaces_and_prefix_lists_as_the_cli_prints_them(void **state)
{
	(void)state;
	expect(AWS_DESCRIBE_NETWORK_INTERFACES,
	       "<DescribeNetworkInterfacesResponse" NS "><networkInterfaceSet><item>"
	       "<networkInterfaceId>eni-0a1b2c3d4e5f60071</networkInterfaceId>"
	       "<requesterManaged>true</requesterManaged><status>in-use</status>"
	       "<attachment><instanceOwnerId>amazon-elb</instanceOwnerId><deviceIndex>1</deviceIndex>"
	       "<status>attached</status></attachment><tagSet><item><key>k</key><value>v</value></item>"
	       "</tagSet><groupSet><item><groupId>sg-0a1b2c3d4e5f60011</groupId></item></groupSet>"
	       "</item></networkInterfaceSet></DescribeNetworkInterfacesResponse>",
	       "{\"NetworkInterfaces\": [{\"NetworkInterfaceId\": \"eni-0a1b2c3d4e5f60071\", "
	       "\"RequesterManaged\": true, \"Status\": \"in-use\", \"Attachment\": "
	       "{\"InstanceOwnerId\": \"amazon-elb\", \"DeviceIndex\": 1, \"Status\": \"attached\"}, "
	       "\"TagSet\": [{\"Key\": \"k\", \"Value\": \"v\"}], "
	       "\"Groups\": [{\"GroupId\": \"sg-0a1b2c3d4e5f60011\"}]}]}");
	expect(AWS_DESCRIBE_PREFIX_LIST_ENTRIES,
	       "<GetManagedPrefixListEntriesResponse" NS "><entrySet><item><cidr>192.0.2.0/24</cidr>"
	       "<description>office</description></item><item><cidr>198.51.100.7/32</cidr></item>"
	       "</entrySet></GetManagedPrefixListEntriesResponse>",
	       "{\"Entries\": [{\"Cidr\": \"192.0.2.0/24\", \"Description\": \"office\"}, "
	       "{\"Cidr\": \"198.51.100.7/32\"}]}");
}

static void test_next_token_is_returned_and_left_out_of_the_page(void **state)
{
	const char *xml = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-0a1b2c3d4e5f60000</vpcId>"
			  "</item></vpcSet><nextToken>tok+/=</nextToken></DescribeVpcsResponse>";
	struct bw_err err;
	json_t *page;
	char *token;

	(void)state;
	assert_int_equal(convert(AWS_DESCRIBE_VPCS, xml, &page, &token, &err), 0);
	assert_string_equal(token, "tok+/=");
	assert_null(json_object_get(page, "NextToken"));
	assert_int_equal(json_array_size(json_object_get(page, "Vpcs")), 1);
	free(token);
	json_decref(page);
}

static void test_a_page_without_its_list_is_an_empty_list(void **state)
{
	(void)state;
	expect(AWS_DESCRIBE_SECURITY_GROUPS,
	       "<DescribeSecurityGroupsResponse><requestId>r</requestId></DescribeSecurityGroupsResponse>",
	       "{\"SecurityGroups\": []}");
}

static void test_elements_not_in_the_model_are_skipped(void **state)
{
	(void)state;
	expect(AWS_DESCRIBE_VPCS,
	       "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-0a1b2c3d4e5f60000</vpcId>"
	       "<brandNew><item><deep>1</deep></item></brandNew><alsoNew>x</alsoNew></item></vpcSet>"
	       "</DescribeVpcsResponse>",
	       "{\"Vpcs\": [{\"VpcId\": \"vpc-0a1b2c3d4e5f60000\"}]}");
}

/* refused: the reply is an error naming why. */
static void refused(enum aws_describe what, const char *xml, const char *why)
{
	struct bw_err err;
	json_t *page = (json_t *)1;
	char *token = (char *)1;

	assert_int_equal(convert(what, xml, &page, &token, &err), -EPROTO);
	assert_null(page);
	assert_null(token);
	if (!strstr(err.msg, why))
		fail_msg("'%s' does not say '%s'", err.msg, why);
}

static void test_a_port_that_is_no_integer_is_refused(void **state)
{
	(void)state;
	refused(AWS_DESCRIBE_SECURITY_GROUPS,
		"<DescribeSecurityGroupsResponse><securityGroupInfo><item><ipPermissions><item>"
		"<fromPort>80x</fromPort></item></ipPermissions></item></securityGroupInfo>"
		"</DescribeSecurityGroupsResponse>",
		"ec2 DescribeSecurityGroups: reply line 1: <fromPort> is not an integer");
}

static void test_a_boolean_that_is_neither_true_nor_false_is_refused(void **state)
{
	(void)state;
	refused(AWS_DESCRIBE_NETWORK_ACLS,
		"<DescribeNetworkAclsResponse><networkAclSet><item><default>yes</default></item>"
		"</networkAclSet></DescribeNetworkAclsResponse>", "<default> is neither true nor false");
}

static void test_a_member_twice_is_refused(void **state)
{
	(void)state;
	refused(AWS_DESCRIBE_VPCS,
		"<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId><vpcId>vpc-2</vpcId></item>"
		"</vpcSet></DescribeVpcsResponse>", "<vpcId> twice");
}

static void test_another_actions_reply_is_refused(void **state)
{
	(void)state;
	refused(AWS_DESCRIBE_SUBNETS, "<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>",
		"the reply is <DescribeVpcsResponse>, not this action's");
}

static void test_a_list_holding_other_than_items_is_refused(void **state)
{
	(void)state;
	refused(AWS_DESCRIBE_VPCS, "<DescribeVpcsResponse><vpcSet><vpc/></vpcSet></DescribeVpcsResponse>",
		"<vpc> in a list (only <item>)");
}

static void test_malformed_xml_and_doctype_are_refused(void **state)
{
	(void)state;
	refused(AWS_DESCRIBE_VPCS, "<DescribeVpcsResponse><vpcSet>", "malformed XML reply at line 1");
	refused(AWS_DESCRIBE_VPCS,
		"<!DOCTYPE x [<!ENTITY a \"b\">]><DescribeVpcsResponse/>", "a DOCTYPE");
}

static void test_pages_merge_and_sort_by_id(void **state)
{
	const char *one = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-0000000b</vpcId></item>"
			  "</vpcSet><nextToken>t</nextToken></DescribeVpcsResponse>";
	const char *two = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-0000000a</vpcId></item>"
			  "</vpcSet></DescribeVpcsResponse>";
	json_t *all, *page, *want;
	struct bw_err err;
	char *token;

	(void)state;
	assert_int_equal(convert(AWS_DESCRIBE_VPCS, one, &all, &token, &err), 0);
	free(token);
	assert_int_equal(convert(AWS_DESCRIBE_VPCS, two, &page, &token, &err), 0);
	assert_null(token);
	assert_int_equal(aws_describe_merge(AWS_DESCRIBE_VPCS, all, page, &err), 0);
	aws_describe_sort(AWS_DESCRIBE_VPCS, all);
	want = json_loads("{\"Vpcs\": [{\"VpcId\": \"vpc-0000000a\"}, {\"VpcId\": \"vpc-0000000b\"}]}",
			  0, NULL);
	assert_true(json_equal(all, want));
	json_decref(want);
	json_decref(page);
	json_decref(all);
}

static void test_each_action_names_its_file_and_list(void **state)
{
	(void)state;
	assert_string_equal(aws_describe_info(AWS_DESCRIBE_SECURITY_GROUPS)->file,
			    "security-groups.json");
	assert_string_equal(aws_describe_info(AWS_DESCRIBE_INSTANCES)->list_key, "Reservations");
	assert_int_equal(aws_describe_info(AWS_DESCRIBE_PREFIX_LIST_ENTRIES)->max_results, 100);
	assert_null(aws_describe_info(AWS_DESCRIBE_N));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_security_groups_as_the_cli_prints_them),
		cmocka_unit_test(test_network_acls_as_the_cli_prints_them),
		cmocka_unit_test(test_subnets_and_vpcs_as_the_cli_prints_them),
		cmocka_unit_test(test_instances_as_the_cli_prints_them),
		cmocka_unit_test(test_network_interfaces_and_prefix_lists_as_the_cli_prints_them),
		cmocka_unit_test(test_next_token_is_returned_and_left_out_of_the_page),
		cmocka_unit_test(test_a_page_without_its_list_is_an_empty_list),
		cmocka_unit_test(test_elements_not_in_the_model_are_skipped),
		cmocka_unit_test(test_a_port_that_is_no_integer_is_refused),
		cmocka_unit_test(test_a_boolean_that_is_neither_true_nor_false_is_refused),
		cmocka_unit_test(test_a_member_twice_is_refused),
		cmocka_unit_test(test_another_actions_reply_is_refused),
		cmocka_unit_test(test_a_list_holding_other_than_items_is_refused),
		cmocka_unit_test(test_malformed_xml_and_doctype_are_refused),
		cmocka_unit_test(test_pages_merge_and_sort_by_id),
		cmocka_unit_test(test_each_action_names_its_file_and_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
