/* EC2 describe-* replies to the AWS CLI's JSON. The tables follow the EC2
 * API model: each member's XML name (its locationName) and the name the
 * CLI prints; lists are <xSet><item>…</item></xSet>. */
#include "aws/describe.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "aws/xml.h"
#include "util/strbuf.h"

enum shape { STR, INT, BOOL, STRUCT, LIST };

struct member {
	const char *xml;
	const char *json;
	enum shape type;
	enum shape item;              /* LIST: its items' shape */
	const struct member *members; /* STRUCT, or LIST of STRUCT */
};

#define S(x, j) { x, j, STR, STR, NULL }
#define I(x, j) { x, j, INT, STR, NULL }
#define B(x, j) { x, j, BOOL, STR, NULL }
#define O(x, j, m) { x, j, STRUCT, STR, m }
#define L(x, j, m) { x, j, LIST, STRUCT, m }
#define END { NULL, NULL, STR, STR, NULL }

static const struct member tag[] = { S("key", "Key"), S("value", "Value"), END };
static const struct member group_ref[] = { S("groupId", "GroupId"),
					   S("groupName", "GroupName"), END };

/* DescribeSecurityGroups */
static const struct member ip_range[] = { S("cidrIp", "CidrIp"),
					  S("description", "Description"), END };
static const struct member ipv6_range[] = { S("cidrIpv6", "CidrIpv6"),
					    S("description", "Description"), END };
static const struct member prefix_list_id[] = { S("prefixListId", "PrefixListId"),
						S("description", "Description"), END };
static const struct member group_pair[] = {
	S("description", "Description"), S("userId", "UserId"), S("groupName", "GroupName"),
	S("groupId", "GroupId"), S("vpcId", "VpcId"),
	S("vpcPeeringConnectionId", "VpcPeeringConnectionId"),
	S("peeringStatus", "PeeringStatus"), END,
};
static const struct member permission[] = {
	S("ipProtocol", "IpProtocol"), I("fromPort", "FromPort"), I("toPort", "ToPort"),
	L("groups", "UserIdGroupPairs", group_pair), L("ipRanges", "IpRanges", ip_range),
	L("ipv6Ranges", "Ipv6Ranges", ipv6_range),
	L("prefixListIds", "PrefixListIds", prefix_list_id), END,
};
static const struct member security_group[] = {
	S("groupId", "GroupId"), L("ipPermissionsEgress", "IpPermissionsEgress", permission),
	L("tagSet", "Tags", tag), S("vpcId", "VpcId"),
	S("securityGroupArn", "SecurityGroupArn"), S("ownerId", "OwnerId"),
	S("groupName", "GroupName"), S("groupDescription", "Description"),
	L("ipPermissions", "IpPermissions", permission), END,
};

/* DescribeNetworkAcls */
static const struct member acl_association[] = {
	S("networkAclAssociationId", "NetworkAclAssociationId"),
	S("networkAclId", "NetworkAclId"), S("subnetId", "SubnetId"), END,
};
static const struct member icmp_type_code[] = { I("code", "Code"), I("type", "Type"), END };
static const struct member port_range[] = { I("from", "From"), I("to", "To"), END };
static const struct member acl_entry[] = {
	S("cidrBlock", "CidrBlock"), B("egress", "Egress"),
	O("icmpTypeCode", "IcmpTypeCode", icmp_type_code),
	S("ipv6CidrBlock", "Ipv6CidrBlock"), O("portRange", "PortRange", port_range),
	S("protocol", "Protocol"), S("ruleAction", "RuleAction"),
	I("ruleNumber", "RuleNumber"), END,
};
static const struct member network_acl[] = {
	L("associationSet", "Associations", acl_association),
	L("entrySet", "Entries", acl_entry), B("default", "IsDefault"),
	S("networkAclId", "NetworkAclId"), L("tagSet", "Tags", tag), S("vpcId", "VpcId"),
	S("ownerId", "OwnerId"), END,
};

/* DescribeSubnets, DescribeVpcs */
static const struct member cidr_state[] = { S("state", "State"),
					    S("statusMessage", "StatusMessage"), END };
static const struct member subnet_ipv6[] = {
	S("associationId", "AssociationId"), S("ipv6CidrBlock", "Ipv6CidrBlock"),
	O("ipv6CidrBlockState", "Ipv6CidrBlockState", cidr_state),
	S("ipv6AddressAttribute", "Ipv6AddressAttribute"), S("ipSource", "IpSource"), END,
};
static const struct member subnet[] = {
	S("availabilityZoneId", "AvailabilityZoneId"), S("ownerId", "OwnerId"),
	B("assignIpv6AddressOnCreation", "AssignIpv6AddressOnCreation"),
	L("ipv6CidrBlockAssociationSet", "Ipv6CidrBlockAssociationSet", subnet_ipv6),
	L("tagSet", "Tags", tag), S("subnetArn", "SubnetArn"), B("ipv6Native", "Ipv6Native"),
	S("subnetId", "SubnetId"), S("state", "State"), S("vpcId", "VpcId"),
	S("cidrBlock", "CidrBlock"), I("availableIpAddressCount", "AvailableIpAddressCount"),
	S("availabilityZone", "AvailabilityZone"), B("defaultForAz", "DefaultForAz"),
	B("mapPublicIpOnLaunch", "MapPublicIpOnLaunch"), END,
};
static const struct member vpc_ipv6[] = {
	S("associationId", "AssociationId"), S("ipv6CidrBlock", "Ipv6CidrBlock"),
	O("ipv6CidrBlockState", "Ipv6CidrBlockState", cidr_state),
	S("networkBorderGroup", "NetworkBorderGroup"), S("ipv6Pool", "Ipv6Pool"),
	S("ipv6AddressAttribute", "Ipv6AddressAttribute"), S("ipSource", "IpSource"), END,
};
static const struct member vpc_ipv4[] = {
	S("associationId", "AssociationId"), S("cidrBlock", "CidrBlock"),
	O("cidrBlockState", "CidrBlockState", cidr_state), END,
};
static const struct member vpc[] = {
	S("ownerId", "OwnerId"), S("instanceTenancy", "InstanceTenancy"),
	L("ipv6CidrBlockAssociationSet", "Ipv6CidrBlockAssociationSet", vpc_ipv6),
	L("cidrBlockAssociationSet", "CidrBlockAssociationSet", vpc_ipv4),
	B("isDefault", "IsDefault"), L("tagSet", "Tags", tag), S("vpcId", "VpcId"),
	S("state", "State"), S("cidrBlock", "CidrBlock"),
	S("dhcpOptionsId", "DhcpOptionsId"), END,
};

/* DescribeInstances, DescribeNetworkInterfaces */
static const struct member private_ip[] = {
	B("primary", "Primary"), S("privateIpAddress", "PrivateIpAddress"),
	S("privateDnsName", "PrivateDnsName"), END,
};
static const struct member ipv6_address[] = { S("ipv6Address", "Ipv6Address"),
					      B("isPrimaryIpv6", "IsPrimaryIpv6"), END };
static const struct member ipv4_prefix[] = { S("ipv4Prefix", "Ipv4Prefix"), END };
static const struct member ipv6_prefix[] = { S("ipv6Prefix", "Ipv6Prefix"), END };
static const struct member instance_attachment[] = {
	S("attachmentId", "AttachmentId"), B("deleteOnTermination", "DeleteOnTermination"),
	I("deviceIndex", "DeviceIndex"), S("status", "Status"),
	I("networkCardIndex", "NetworkCardIndex"), END,
};
static const struct member instance_eni[] = {
	O("attachment", "Attachment", instance_attachment), S("description", "Description"),
	L("groupSet", "Groups", group_ref),
	L("ipv6AddressesSet", "Ipv6Addresses", ipv6_address),
	S("macAddress", "MacAddress"), S("networkInterfaceId", "NetworkInterfaceId"),
	S("ownerId", "OwnerId"), S("privateIpAddress", "PrivateIpAddress"),
	L("privateIpAddressesSet", "PrivateIpAddresses", private_ip),
	B("sourceDestCheck", "SourceDestCheck"), S("status", "Status"),
	S("subnetId", "SubnetId"), S("vpcId", "VpcId"), S("interfaceType", "InterfaceType"),
	L("ipv4PrefixSet", "Ipv4Prefixes", ipv4_prefix),
	L("ipv6PrefixSet", "Ipv6Prefixes", ipv6_prefix), END,
};
static const struct member instance_state[] = { I("code", "Code"), S("name", "Name"), END };
static const struct member placement[] = { S("availabilityZone", "AvailabilityZone"),
					   S("tenancy", "Tenancy"), END };
static const struct member instance[] = {
	S("instanceId", "InstanceId"), S("imageId", "ImageId"),
	O("instanceState", "State", instance_state), I("amiLaunchIndex", "AmiLaunchIndex"),
	S("instanceType", "InstanceType"), O("placement", "Placement", placement),
	S("subnetId", "SubnetId"), S("vpcId", "VpcId"),
	S("privateIpAddress", "PrivateIpAddress"),
	L("networkInterfaceSet", "NetworkInterfaces", instance_eni),
	L("groupSet", "SecurityGroups", group_ref), B("sourceDestCheck", "SourceDestCheck"),
	L("tagSet", "Tags", tag), END,
};
static const struct member reservation[] = {
	S("reservationId", "ReservationId"), S("ownerId", "OwnerId"),
	S("requesterId", "RequesterId"), L("groupSet", "Groups", group_ref),
	L("instancesSet", "Instances", instance), END,
};
static const struct member eni_attachment[] = {
	S("attachmentId", "AttachmentId"), B("deleteOnTermination", "DeleteOnTermination"),
	I("deviceIndex", "DeviceIndex"), I("networkCardIndex", "NetworkCardIndex"),
	S("instanceId", "InstanceId"), S("instanceOwnerId", "InstanceOwnerId"),
	S("status", "Status"), END,
};
static const struct member network_interface[] = {
	O("attachment", "Attachment", eni_attachment),
	S("availabilityZone", "AvailabilityZone"), S("description", "Description"),
	L("groupSet", "Groups", group_ref), S("interfaceType", "InterfaceType"),
	L("ipv6AddressesSet", "Ipv6Addresses", ipv6_address), S("macAddress", "MacAddress"),
	S("networkInterfaceId", "NetworkInterfaceId"), S("ownerId", "OwnerId"),
	S("privateIpAddress", "PrivateIpAddress"),
	L("privateIpAddressesSet", "PrivateIpAddresses", private_ip),
	L("ipv4PrefixSet", "Ipv4Prefixes", ipv4_prefix),
	L("ipv6PrefixSet", "Ipv6Prefixes", ipv6_prefix), S("requesterId", "RequesterId"),
	B("requesterManaged", "RequesterManaged"), B("sourceDestCheck", "SourceDestCheck"),
	S("status", "Status"), S("subnetId", "SubnetId"), L("tagSet", "TagSet", tag),
	S("vpcId", "VpcId"), B("ipv6Native", "Ipv6Native"), S("ipv6Address", "Ipv6Address"),
	END,
};

/* GetManagedPrefixListEntries */
static const struct member prefix_list_entry[] = { S("cidr", "Cidr"),
						   S("description", "Description"), END };

/* Each reply: its list, then nextToken. */
static const struct member reply_vpcs[] = { L("vpcSet", "Vpcs", vpc), S("nextToken", "NextToken"),
					    END };
static const struct member reply_subnets[] = { L("subnetSet", "Subnets", subnet),
					       S("nextToken", "NextToken"), END };
static const struct member reply_groups[] = {
	L("securityGroupInfo", "SecurityGroups", security_group), S("nextToken", "NextToken"), END,
};
static const struct member reply_acls[] = { L("networkAclSet", "NetworkAcls", network_acl),
					    S("nextToken", "NextToken"), END };
static const struct member reply_instances[] = {
	L("reservationSet", "Reservations", reservation), S("nextToken", "NextToken"), END,
};
static const struct member reply_enis[] = {
	L("networkInterfaceSet", "NetworkInterfaces", network_interface),
	S("nextToken", "NextToken"), END,
};
static const struct member reply_entries[] = { L("entrySet", "Entries", prefix_list_entry),
					       S("nextToken", "NextToken"), END };

static const struct {
	struct aws_describe_info info;
	const struct member *reply;
} actions[AWS_DESCRIBE_N] = {
	[AWS_DESCRIBE_VPCS] = { { "DescribeVpcs", "vpcs.json", "Vpcs", "VpcId", 1000 },
				reply_vpcs },
	[AWS_DESCRIBE_SUBNETS] = { { "DescribeSubnets", "subnets.json", "Subnets", "SubnetId",
				     1000 }, reply_subnets },
	[AWS_DESCRIBE_SECURITY_GROUPS] = { { "DescribeSecurityGroups", "security-groups.json",
					     "SecurityGroups", "GroupId", 1000 }, reply_groups },
	[AWS_DESCRIBE_NETWORK_ACLS] = { { "DescribeNetworkAcls", "network-acls.json",
					  "NetworkAcls", "NetworkAclId", 1000 }, reply_acls },
	[AWS_DESCRIBE_INSTANCES] = { { "DescribeInstances", "instances.json", "Reservations",
				       "ReservationId", 1000 }, reply_instances },
	[AWS_DESCRIBE_NETWORK_INTERFACES] = { { "DescribeNetworkInterfaces",
						"network-interfaces.json", "NetworkInterfaces",
						"NetworkInterfaceId", 1000 }, reply_enis },
	[AWS_DESCRIBE_PREFIX_LIST_ENTRIES] = { { "GetManagedPrefixListEntries", NULL, "Entries",
						 "Cidr", 100 }, reply_entries },
};

const struct aws_describe_info *aws_describe_info(enum aws_describe what)
{
	return what < AWS_DESCRIBE_N ? &actions[what].info : NULL;
}

/* ---- the walk --------------------------------------------------------- */

struct frame {
	const struct member *m; /* NULL: a subtree skipped */
	bool is_item;           /* an <item> of a list: m is the list */
	json_t *value;          /* STRUCT: object, LIST: array; NULL for scalars */
	struct strbuf text;
	bool has_child;
};

struct walk {
	XML_Parser parser;
	const char *action;
	struct member root;
	struct frame frames[AWS_XML_MAX_DEPTH + 1];
	int depth;
	size_t n_values;
	char why[200];
};

static void stop(struct walk *w, const char *fmt, const char *name)
{
	if (!w->why[0])
		snprintf(w->why, sizeof(w->why), fmt, name);
	XML_StopParser(w->parser, XML_FALSE);
}

static const struct member *find(const struct member *members, const char *name)
{
	for (; members && members->xml; members++)
		if (strcmp(members->xml, name) == 0)
			return members;
	return NULL;
}

/* What a frame's element is: the member, or for a list's item the item's shape. */
static enum shape shape_of(const struct frame *f)
{
	return f->is_item ? f->m->item : f->m->type;
}

static void on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	struct walk *w = data;
	struct frame *parent = w->depth ? &w->frames[w->depth - 1] : NULL;
	struct frame f = { 0 };

	(void)attrs;
	if (w->depth >= AWS_XML_MAX_DEPTH) {
		stop(w, "elements nested too deep%s", "");
		return;
	}
	if (++w->n_values > AWS_XML_MAX_LEAVES) {
		stop(w, "too many elements%s", "");
		return;
	}
	if (!parent) {
		char want[96];

		snprintf(want, sizeof(want), "%sResponse", w->action);
		if (strcmp(name, want) != 0) {
			stop(w, "the reply is <%.80s>, not this action's", name);
			return;
		}
		f.m = &w->root;
	} else if (!parent->m) {
		f.m = NULL;
	} else {
		parent->has_child = true;
		switch (shape_of(parent)) {
		case LIST:
			if (strcmp(name, "item") != 0) {
				stop(w, "<%.80s> in a list (only <item>)", name);
				return;
			}
			f.m = parent->m;
			f.is_item = true;
			break;
		case STRUCT:
			f.m = find(parent->m->members, name);
			break;
		default:
			stop(w, "<%.80s> inside a value", name);
			return;
		}
	}
	if (f.m && shape_of(&f) == STRUCT)
		f.value = json_object();
	else if (f.m && shape_of(&f) == LIST)
		f.value = json_array();
	if (f.m && (shape_of(&f) == STRUCT || shape_of(&f) == LIST) && !f.value) {
		stop(w, "out of memory%s", "");
		return;
	}
	w->frames[w->depth++] = f;
}

static json_t *scalar(struct walk *w, const struct frame *f, const char *name)
{
	const char *text = f->text.buf ? f->text.buf : "";
	char *trim = NULL, *end;
	json_t *v = NULL;
	size_t len = f->text.len;

	while (len && strchr(" \t\r\n", text[0])) {
		text++;
		len--;
	}
	while (len && strchr(" \t\r\n", text[len - 1]))
		len--;
	trim = strndup(text, len);
	if (!trim) {
		stop(w, "out of memory%s", "");
		return NULL;
	}
	switch (shape_of(f)) {
	case INT: {
		long long n;

		errno = 0;
		n = strtoll(trim, &end, 10);
		if (!len || *end || errno)
			stop(w, "<%.80s> is not an integer", name);
		else
			v = json_integer(n);
		break;
	}
	case BOOL:
		if (strcmp(trim, "true") == 0 || strcmp(trim, "false") == 0)
			v = json_boolean(trim[0] == 't');
		else
			stop(w, "<%.80s> is neither true nor false", name);
		break;
	default:
		v = json_stringn(trim, len);
		if (!v)
			stop(w, "<%.80s> is not UTF-8 text", name);
		break;
	}
	free(trim);
	return v;
}

static void on_end(void *data, const XML_Char *name)
{
	struct walk *w = data;
	struct frame *f = &w->frames[w->depth - 1];
	struct frame *parent = w->depth > 1 ? &w->frames[w->depth - 2] : NULL;
	json_t *v = f->value;

	if (f->m && parent) {
		if (shape_of(f) != STRUCT && shape_of(f) != LIST)
			v = scalar(w, f, name);
		if (!v)
			goto out;
		if (f->is_item) {
			if (json_array_append_new(parent->value, v) < 0)
				stop(w, "out of memory%s", "");
		} else if (json_object_get(parent->value, f->m->json)) {
			json_decref(v);
			stop(w, "<%.80s> twice", name);
		} else if (json_object_set_new(parent->value, f->m->json, v) < 0) {
			stop(w, "out of memory%s", "");
		}
		f->value = NULL;
	}
out:
	strbuf_free(&f->text);
	/* The root's object stays in frames[0] for the caller. */
	if (parent) {
		json_decref(f->value);
		w->depth--;
	} else {
		w->depth = 0;
	}
}

static void on_text(void *data, const XML_Char *s, int len)
{
	struct walk *w = data;
	struct frame *f = w->depth ? &w->frames[w->depth - 1] : NULL;

	if (f && f->m && !f->has_child && shape_of(f) != STRUCT && shape_of(f) != LIST) {
		if (f->text.len + (size_t)len > AWS_XML_MAX_BYTES)
			stop(w, "a value too long%s", "");
		else
			strbuf_add(&f->text, s, (size_t)len);
	}
}

static void on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(data, "a DOCTYPE (EC2 replies have none)%s", "");
}

int aws_describe_page(enum aws_describe what, const char *xml, size_t len, json_t **page,
		      char **next_token, struct bw_err *err)
{
	struct walk *w;
	json_t *doc = NULL, *token;
	const char *action;
	int rc = 0;

	*page = NULL;
	*next_token = NULL;
	if (what >= AWS_DESCRIBE_N)
		return bw_errf(err, -EINVAL, "no such describe action");
	action = actions[what].info.action;
	if (len > AWS_XML_MAX_BYTES || len > INT32_MAX)
		return bw_errf(err, -EPROTO, "ec2 %s: reply of %zu bytes, more than %zu", action,
			       len, AWS_XML_MAX_BYTES);
	w = calloc(1, sizeof(*w));
	if (!w)
		return bw_errf(err, -ENOMEM, "out of memory");
	w->action = action;
	w->root = (struct member){ NULL, NULL, STRUCT, STR, actions[what].reply };
	w->parser = XML_ParserCreate("UTF-8");
	if (!w->parser) {
		free(w);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	XML_SetUserData(w->parser, w);
	XML_SetElementHandler(w->parser, on_start, on_end);
	XML_SetCharacterDataHandler(w->parser, on_text);
	XML_SetStartDoctypeDeclHandler(w->parser, on_doctype);
	if (XML_Parse(w->parser, xml, (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (w->why[0])
			rc = bw_errf(err, -EPROTO, "ec2 %s: reply line %lu: %s", action,
				     (unsigned long)XML_GetCurrentLineNumber(w->parser), w->why);
		else
			rc = bw_errf(err, -EPROTO, "ec2 %s: malformed XML reply at line %lu column %lu: %s",
				     action, (unsigned long)XML_GetCurrentLineNumber(w->parser),
				     (unsigned long)XML_GetCurrentColumnNumber(w->parser) + 1,
				     XML_ErrorString(XML_GetErrorCode(w->parser)));
	}
	doc = w->frames[0].value;
	/* A stopped walk leaves frames open: each owns its value. */
	for (int i = 1; i < w->depth; i++) {
		json_decref(w->frames[i].value);
		strbuf_free(&w->frames[i].text);
	}
	strbuf_free(&w->frames[0].text);
	XML_ParserFree(w->parser);
	free(w);
	if (rc == 0 && !doc)
		rc = bw_errf(err, -EPROTO, "ec2 %s: an empty reply", action);
	if (rc < 0) {
		json_decref(doc);
		return rc;
	}
	token = json_object_get(doc, "NextToken");
	if (token && json_string_length(token) > 0 &&
	    !(*next_token = strdup(json_string_value(token)))) {
		json_decref(doc);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	json_object_del(doc, "NextToken");
	/* A page with no items may leave the list's element out. */
	if (!json_object_get(doc, actions[what].info.list_key) &&
	    json_object_set_new(doc, actions[what].info.list_key, json_array()) < 0) {
		free(*next_token);
		*next_token = NULL;
		json_decref(doc);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	*page = doc;
	return 0;
}

int aws_describe_merge(enum aws_describe what, json_t *all, const json_t *page,
		       struct bw_err *err)
{
	const char *key = actions[what].info.list_key;
	json_t *to = json_object_get(all, key);
	json_t *from = json_object_get(page, key);

	if (!json_is_array(to) || !json_is_array(from))
		return bw_errf(err, -EINVAL, "ec2 %s: no %s list to merge", actions[what].info.action,
			       key);
	return json_array_extend(to, (json_t *)from) < 0 ? bw_errf(err, -ENOMEM, "out of memory")
							 : 0;
}

static int by_id(const void *a, const void *b, void *key)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, key));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, key));

	return strcmp(x ? x : "", y ? y : "");
}

void aws_describe_sort(enum aws_describe what, json_t *all)
{
	json_t *list = json_object_get(all, actions[what].info.list_key);
	size_t n = json_array_size(list);
	json_t **items;

	if (n < 2 || !(items = calloc(n, sizeof(json_t *))))
		return;
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(list, i));
	qsort_r(items, n, sizeof(json_t *), by_id, (void *)actions[what].info.id_key);
	json_array_clear(list);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, items[i]);
	free(items);
}
