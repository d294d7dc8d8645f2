/* genvpc: writes a large VPC as the AWS CLI prints it, for bench/fw.
 *
 *   genvpc DIR [INSTANCES [GROUPS_PER_INSTANCE [RULES_PER_GROUP]]]
 *
 * Defaults: 2000 instances, each in 3 distinct groups from a pool of 200,
 * 60 rules a group (IPv4 and IPv6 ranges, and one in ten naming a group);
 * one VPC, 10.1.0.0/16 and 2001:db8:100::/56, with 40 dual-stack subnets
 * (10.1.0.0/22, 10.1.4.0/22, ... and 2001:db8:100:0::/64 ... :27::/64)
 * governed by 8 ACLs of 20 entries a direction and family, and a default
 * ACL. Every instance has one ENI with an IPv4 and an IPv6 address and a
 * MAC address (0a:00:00 and its number).
 *
 * Instances 0 and 1 carry the bench's traffic: 10.1.0.10 and
 * 2001:db8:100::a in subnet 0, 10.1.4.10 and 2001:db8:100:1::a in subnet
 * 1. Both are in group 0, which allows TCP 5201-5210 and ICMP from the
 * VPC's ranges. Seeded: every run writes the same files.
 *
 * Writes vpcs.json, subnets.json, network-acls.json, security-groups.json,
 * instances.json, and naive.nft: the same policy as the flat list other
 * tools render (each ACL entry a rule judged on every packet, each group
 * rule a rule in one chain, group 0 last), for comparison. Its semantics
 * are not AWS's; its cost is what is measured. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define N_GROUPS 200
#define N_SUBNETS 40
#define N_ACLS 8
#define VPC_ID "vpc-0000000000000b0a7"
#define VPC_V4 "10.1.0.0/16"
#define VPC_V6 "2001:db8:100::/56"

static unsigned long long rng = 88172645463325252ull;

static unsigned next(unsigned bound)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % bound);
}

static void id(char *out, size_t size, const char *prefix, unsigned n)
{
	snprintf(out, size, "%s%017x", prefix, n);
}

static bool is_v6(const char *cidr)
{
	return strchr(cidr, ':') != NULL;
}

/* An IpPermission with one peer: a CIDR of either family, or a group. */
static json_t *permission(const char *proto, int from, int to, const char *cidr,
			  const char *group)
{
	json_t *v4 = json_array(), *v6 = json_array(), *pairs = json_array();
	json_t *p;

	if (cidr && is_v6(cidr))
		json_array_append_new(v6, json_pack("{s:s}", "CidrIpv6", cidr));
	else if (cidr)
		json_array_append_new(v4, json_pack("{s:s}", "CidrIp", cidr));
	if (group)
		json_array_append_new(pairs, json_pack("{s:s, s:s}", "GroupId", group,
						       "UserId", "123456789012"));
	p = json_pack("{s:s, s:o, s:o, s:[], s:o}", "IpProtocol", proto, "IpRanges", v4,
		      "Ipv6Ranges", v6, "PrefixListIds", "UserIdGroupPairs", pairs);
	if (from >= -1) {
		json_object_set_new(p, "FromPort", json_integer(from));
		json_object_set_new(p, "ToPort", json_integer(to));
	}
	return p;
}

static void random_v4(char *out, size_t size)
{
	switch (next(4)) {
	case 0:
		snprintf(out, size, "10.%u.0.0/16", next(256));
		break;
	case 1:
		snprintf(out, size, "10.%u.%u.0/24", next(256), next(256));
		break;
	case 2:
		snprintf(out, size, "172.%u.0.0/16", 16 + next(16));
		break;
	default:
		snprintf(out, size, "192.168.%u.%u/32", next(256), next(256));
		break;
	}
}

static void random_v6(char *out, size_t size)
{
	switch (next(3)) {
	case 0:
		snprintf(out, size, "2001:db8:%x::/48", next(0x10000));
		break;
	case 1:
		snprintf(out, size, "2001:db8:%x:%x::/64", next(0x10000), next(0x10000));
		break;
	default:
		snprintf(out, size, "2001:db8:%x::%x/128", next(0x10000), next(0x10000));
		break;
	}
}

/* A random rule of the kind real groups hold: about two thirds IPv4
 * ranges, a quarter IPv6 ranges, one in ten naming a group. */
static json_t *random_rule(void)
{
	static const int ports[] = { 22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9000, 9200 };
	char cidr[64], group[32];
	unsigned kind = next(20);
	int port = ports[next(10)] + (int)next(3) * 1000;

	if (kind < 14)
		random_v4(cidr, sizeof(cidr));
	else
		random_v6(cidr, sizeof(cidr));
	id(group, sizeof(group), "sg-", next(N_GROUPS));
	switch (kind) {
	case 7:
	case 14:
		return permission("tcp", port, port + (int)next(100), cidr, NULL);
	case 8:
	case 15:
		return permission("udp", port, port, cidr, NULL);
	case 9:
		return permission("icmp", 8, -1, cidr, NULL);
	case 16:
		return permission("icmpv6", 128, -1, cidr, NULL);
	case 17:
	case 18:
		return permission("tcp", port, port, NULL, group);
	default:
		return permission("tcp", port, port, cidr, NULL);
	}
}

/* ---- the naive ruleset --------------------------------------------- */

struct members {
	json_t *v4, *v6; /* arrays of address strings */
};

static void naive_set(FILE *f, const char *name, const char *type, json_t *addrs)
{
	json_t *addr;
	size_t i;

	fprintf(f, "\tset %s {\n\t\ttype %s\n", name, type);
	json_array_foreach(addrs, i, addr)
		fprintf(f, "%s%s", i ? ", " : "\t\telements = { ", json_string_value(addr));
	fprintf(f, "%s\t}\n", json_array_size(addrs) ? " }\n" : "");
}

static void naive_traffic(FILE *f, json_t *perm, bool is_v6_rule)
{
	const char *proto = json_string_value(json_object_get(perm, "IpProtocol"));
	json_t *from = json_object_get(perm, "FromPort"), *to = json_object_get(perm, "ToPort");

	if (strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0)
		fprintf(f, " %s dport %lld-%lld", proto, json_integer_value(from),
			json_integer_value(to));
	else if (strcmp(proto, "icmp") == 0 || strcmp(proto, "icmpv6") == 0)
		fprintf(f, " meta l4proto %s", is_v6_rule ? "ipv6-icmp" : "icmp");
}

static void naive_acl_entry(FILE *f, json_t *entry, const char *subnet_v4, const char *subnet_v6)
{
	bool is_egress = json_is_true(json_object_get(entry, "Egress"));
	json_t *v4 = json_object_get(entry, "CidrBlock"), *range = json_object_get(entry, "PortRange");
	const char *ip = v4 ? "ip" : "ip6";

	fprintf(f, "\t\t%s %s %s %s %s %s", ip, is_egress ? "saddr" : "daddr",
		v4 ? subnet_v4 : subnet_v6, ip, is_egress ? "daddr" : "saddr",
		json_string_value(v4 ? v4 : json_object_get(entry, "Ipv6CidrBlock")));
	if (range)
		fprintf(f, " tcp dport %lld-%lld", json_integer_value(json_object_get(range, "From")),
			json_integer_value(json_object_get(range, "To")));
	fprintf(f, " %s\n", strcmp(json_string_value(json_object_get(entry, "RuleAction")), "deny") == 0
			       ? "drop" : "counter");
}

static int write_naive(const char *dir, json_t *sgs, json_t *acls, json_t *subnets,
		       const struct members *members)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/naive.nft", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "add table inet naive\ndelete table inet naive\ntable inet naive {\n");
	for (size_t g = 0; g < N_GROUPS; g++) {
		char name[32];

		snprintf(name, sizeof(name), "m%zu", g);
		naive_set(f, name, "ipv4_addr", members[g].v4);
		snprintf(name, sizeof(name), "m%zu_6", g);
		naive_set(f, name, "ipv6_addr", members[g].v6);
	}
	fprintf(f, "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
	for (size_t s = 0; s < json_array_size(subnets); s++) {
		json_t *subnet = json_array_get(subnets, s), *entry;
		json_t *acl = json_array_get(acls, s % N_ACLS);
		const char *v4 = json_string_value(json_object_get(subnet, "CidrBlock"));
		const char *v6 = json_string_value(json_object_get(json_array_get(
			json_object_get(subnet, "Ipv6CidrBlockAssociationSet"), 0), "Ipv6CidrBlock"));
		size_t i;

		json_array_foreach(json_object_get(acl, "Entries"), i, entry)
			naive_acl_entry(f, entry, v4, v6);
	}
	fprintf(f, "\t\tct state established,related accept\n");
	for (size_t g = N_GROUPS; g-- > 0;) {
		json_t *perm;
		size_t i;

		json_array_foreach(json_object_get(json_array_get(sgs, g), "IpPermissions"), i, perm) {
			json_t *v4 = json_array_get(json_object_get(perm, "IpRanges"), 0);
			json_t *v6 = json_array_get(json_object_get(perm, "Ipv6Ranges"), 0);
			json_t *pair = json_array_get(json_object_get(perm, "UserIdGroupPairs"), 0);

			if (v4 || pair) {
				fprintf(f, "\t\tip daddr @m%zu", g);
				if (v4)
					fprintf(f, " ip saddr %s", json_string_value(json_object_get(v4, "CidrIp")));
				else
					fprintf(f, " ip saddr @m%lu", strtoul(json_string_value(
						json_object_get(pair, "GroupId")) + 3, NULL, 16));
				naive_traffic(f, perm, false);
				fprintf(f, " accept\n");
			}
			if (v6 || pair) {
				fprintf(f, "\t\tip6 daddr @m%zu_6", g);
				if (v6)
					fprintf(f, " ip6 saddr %s", json_string_value(json_object_get(v6, "CidrIpv6")));
				else
					fprintf(f, " ip6 saddr @m%lu_6", strtoul(json_string_value(
						json_object_get(pair, "GroupId")) + 3, NULL, 16));
				naive_traffic(f, perm, true);
				fprintf(f, " accept\n");
			}
		}
		fprintf(f, "\t\tip saddr @m%zu accept\n\t\tip6 saddr @m%zu_6 accept\n", g, g);
	}
	fprintf(f, "\t}\n}\n");
	return fclose(f);
}

/* ---- the AWS files -------------------------------------------------- */

static int write(const char *dir, const char *name, json_t *doc)
{
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = json_dump_file(doc, path, JSON_INDENT(1));
	json_decref(doc);
	if (rc < 0)
		fprintf(stderr, "genvpc: cannot write %s\n", path);
	return rc;
}

static json_t *make_vpcs(void)
{
	return json_pack("{s:[{s:s, s:s, s:s, s:b, s:[{s:s, s:{s:s}}], s:[{s:s, s:{s:s}}]}]}",
		"Vpcs", "VpcId", VPC_ID, "CidrBlock", VPC_V4, "State", "available",
		"IsDefault", 0, "CidrBlockAssociationSet", "CidrBlock", VPC_V4, "CidrBlockState",
		"State", "associated", "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock", VPC_V6,
		"Ipv6CidrBlockState", "State", "associated");
}

static json_t *make_groups(unsigned n_rules)
{
	json_t *sgs = json_array();
	char name[32];

	for (unsigned g = 0; g < N_GROUPS; g++) {
		json_t *in = json_array(), *out = json_array();

		if (g == 0) {
			json_array_append_new(in, permission("tcp", 5201, 5210, VPC_V4, NULL));
			json_array_append_new(in, permission("tcp", 5201, 5210, VPC_V6, NULL));
			json_array_append_new(in, permission("icmp", -1, -1, VPC_V4, NULL));
			json_array_append_new(in, permission("icmpv6", -1, -1, VPC_V6, NULL));
		}
		while (json_array_size(in) < n_rules)
			json_array_append_new(in, random_rule());
		json_array_append_new(out, permission("-1", -2, 0, "0.0.0.0/0", NULL));
		json_array_append_new(out, permission("-1", -2, 0, "::/0", NULL));
		id(name, sizeof(name), "sg-", g);
		json_array_append_new(sgs, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "GroupId", name,
			"GroupName", name, "VpcId", VPC_ID, "Description", "bench",
			"IpPermissions", in, "IpPermissionsEgress", out));
	}
	return sgs;
}

static json_t *make_subnets(void)
{
	json_t *subnets = json_array();

	for (unsigned s = 0; s < N_SUBNETS; s++) {
		char subnet[32], v4[32], v6[64];

		id(subnet, sizeof(subnet), "subnet-", s);
		snprintf(v4, sizeof(v4), "10.1.%u.0/22", s * 4);
		snprintf(v6, sizeof(v6), "2001:db8:100:%x::/64", s);
		json_array_append_new(subnets, json_pack("{s:s, s:s, s:s, s:[{s:s, s:{s:s}}]}",
			"SubnetId", subnet, "VpcId", VPC_ID, "CidrBlock", v4,
			"Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock", v6, "Ipv6CidrBlockState",
			"State", "associated"));
	}
	return subnets;
}

static void add_acl_entries(json_t *entries, bool is_egress, bool is_ipv6)
{
	const char *key = is_ipv6 ? "Ipv6CidrBlock" : "CidrBlock";

	for (int e = 0; e < 19; e++) {
		char cidr[64];

		if (is_ipv6)
			snprintf(cidr, sizeof(cidr), "2001:db8:%x::/48", 0x8000 + next(0x8000));
		else
			snprintf(cidr, sizeof(cidr), "172.%u.%u.0/24", 16 + next(16), next(256));
		json_array_append_new(entries, json_pack("{s:i, s:b, s:s, s:s, s:s, s:{s:i, s:i}}",
			"RuleNumber", (is_ipv6 ? 500 : 10) + e * 10, "Egress", is_egress,
			"RuleAction", e % 3 ? "deny" : "allow", "Protocol", "6", key, cidr,
			"PortRange", "From", 1000 * e, "To", 1000 * e + 999));
	}
	json_array_append_new(entries, json_pack("{s:i, s:b, s:s, s:s, s:s}", "RuleNumber",
		is_ipv6 ? 1001 : 1000, "Egress", is_egress, "RuleAction", "allow", "Protocol", "-1",
		key, is_ipv6 ? "::/0" : "0.0.0.0/0"));
}

/* ACL a governs subnets a, a + 8, a + 16, ...; the default ACL (allow
 * everything, as AWS makes it) governs none here. */
static json_t *make_acls(void)
{
	json_t *acls = json_array();
	char acl_id[32], subnet[32];

	for (unsigned a = 0; a < N_ACLS; a++) {
		json_t *entries = json_array(), *assocs = json_array();

		for (int egress = 0; egress < 2; egress++) {
			add_acl_entries(entries, egress, false);
			add_acl_entries(entries, egress, true);
		}
		for (unsigned s = a; s < N_SUBNETS; s += N_ACLS) {
			id(subnet, sizeof(subnet), "subnet-", s);
			json_array_append_new(assocs, json_pack("{s:s}", "SubnetId", subnet));
		}
		id(acl_id, sizeof(acl_id), "acl-", a);
		json_array_append_new(acls, json_pack("{s:s, s:s, s:b, s:o, s:o}", "NetworkAclId",
			acl_id, "VpcId", VPC_ID, "IsDefault", 0, "Entries", entries,
			"Associations", assocs));
	}
	id(acl_id, sizeof(acl_id), "acl-", N_ACLS);
	json_array_append_new(acls, json_pack(
		"{s:s, s:s, s:b, s:[{s:i, s:b, s:s, s:s, s:s}, {s:i, s:b, s:s, s:s, s:s}], s:[]}",
		"NetworkAclId", acl_id, "VpcId", VPC_ID, "IsDefault", 1, "Entries",
		"RuleNumber", 100, "Egress", 0, "RuleAction", "allow", "Protocol", "-1",
		"CidrBlock", "0.0.0.0/0",
		"RuleNumber", 100, "Egress", 1, "RuleAction", "allow", "Protocol", "-1",
		"CidrBlock", "0.0.0.0/0", "Associations"));
	return acls;
}

/* Picks n_groups distinct groups for instance i into groups[]. */
static void pick_groups(unsigned i, unsigned n_groups, unsigned *groups)
{
	for (unsigned k = 0; k < n_groups; k++) {
		bool is_taken;

		do {
			groups[k] = k == 0 && i < 2 ? 0 : 1 + next(N_GROUPS - 1);
			is_taken = false;
			for (unsigned j = 0; j < k; j++)
				is_taken |= groups[j] == groups[k];
		} while (is_taken);
	}
}

static json_t *make_instances(unsigned n_instances, unsigned per_instance,
			      struct members *members)
{
	json_t *reservations = json_array();
	unsigned used[N_SUBNETS] = { 0 };
	unsigned *groups = calloc(per_instance + 1, sizeof(*groups));

	for (unsigned i = 0; i < n_instances; i++) {
		unsigned subnet = i < 2 ? i : next(N_SUBNETS), host = 10 + used[subnet]++;
		json_t *group_list = json_array();
		char v4[32], v6[64], mac[32], subnet_id[32], eni[32], instance[32], name[32];

		if (host > 1000) {
			fprintf(stderr, "genvpc: subnet %u is full\n", subnet);
			exit(1);
		}
		snprintf(v4, sizeof(v4), "10.1.%u.%u", subnet * 4 + host / 256, host % 256);
		snprintf(v6, sizeof(v6), "2001:db8:100:%x::%x", subnet, host);
		snprintf(mac, sizeof(mac), "0a:00:00:%02x:%02x:%02x", (i >> 16) & 0xff,
			 (i >> 8) & 0xff, i & 0xff);
		pick_groups(i, per_instance, groups);
		for (unsigned k = 0; k < per_instance; k++) {
			id(name, sizeof(name), "sg-", groups[k]);
			json_array_append_new(group_list, json_pack("{s:s, s:s}", "GroupId", name,
								    "GroupName", name));
			json_array_append_new(members[groups[k]].v4, json_string(v4));
			json_array_append_new(members[groups[k]].v6, json_string(v6));
		}
		id(subnet_id, sizeof(subnet_id), "subnet-", subnet);
		id(eni, sizeof(eni), "eni-", i);
		id(instance, sizeof(instance), "i-", i);
		json_array_append_new(reservations, json_pack(
			"{s:[{s:s, s:s, s:s, s:s, s:{s:s}, s:[{s:s, s:s, s:s, s:s, s:b, s:s, "
			"s:[{s:s, s:b}], s:[{s:s}], s:o}]}]}",
			"Instances", "InstanceId", instance, "SubnetId", subnet_id, "VpcId", VPC_ID,
			"PrivateIpAddress", v4, "State", "Name", "running", "NetworkInterfaces",
			"NetworkInterfaceId", eni, "SubnetId", subnet_id, "VpcId", VPC_ID,
			"MacAddress", mac, "SourceDestCheck", 1, "PrivateIpAddress", v4,
			"PrivateIpAddresses", "PrivateIpAddress", v4, "Primary", 1, "Ipv6Addresses",
			"Ipv6Address", v6, "Groups", group_list));
	}
	free(groups);
	return reservations;
}

int main(int argc, char **argv)
{
	unsigned n_instances = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	unsigned per_instance = argc > 3 ? (unsigned)atoi(argv[3]) : 3;
	unsigned n_rules = argc > 4 ? (unsigned)atoi(argv[4]) : 60;
	struct members members[N_GROUPS];
	json_t *sgs, *subnets, *acls, *reservations;
	int rc = 0;

	if (argc < 2 || n_instances < 2 || per_instance < 1 || per_instance > 5 ||
	    n_instances > 30000 || n_rules < 4) {
		fprintf(stderr, "usage: genvpc DIR [INSTANCES (2..30000) [GROUPS_PER_INSTANCE "
				"(1..5) [RULES_PER_GROUP (4..)]]]\n");
		return 2;
	}
	for (unsigned g = 0; g < N_GROUPS; g++)
		members[g] = (struct members){ json_array(), json_array() };
	sgs = make_groups(n_rules);
	subnets = make_subnets();
	acls = make_acls();
	reservations = make_instances(n_instances, per_instance, members);
	if (write_naive(argv[1], sgs, acls, subnets, members) < 0) {
		fprintf(stderr, "genvpc: cannot write naive.nft\n");
		rc = 1;
	}
	for (unsigned g = 0; g < N_GROUPS; g++) {
		json_decref(members[g].v4);
		json_decref(members[g].v6);
	}
	if (rc == 0 &&
	    (write(argv[1], "vpcs.json", make_vpcs()) < 0 ||
	     write(argv[1], "security-groups.json", json_pack("{s:o}", "SecurityGroups", sgs)) < 0 ||
	     write(argv[1], "subnets.json", json_pack("{s:o}", "Subnets", subnets)) < 0 ||
	     write(argv[1], "network-acls.json", json_pack("{s:o}", "NetworkAcls", acls)) < 0 ||
	     write(argv[1], "instances.json", json_pack("{s:o}", "Reservations", reservations)) < 0))
		return 1;
	if (rc != 0) {
		json_decref(sgs);
		json_decref(subnets);
		json_decref(acls);
		json_decref(reservations);
	}
	return rc;
}
