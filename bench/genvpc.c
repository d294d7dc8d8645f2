/* genvpc: writes a large VPC as the AWS CLI prints it, for bench/fw.
 *
 *   genvpc DIR [INSTANCES [GROUPS_PER_INSTANCE [RULES_PER_GROUP]]]
 *
 * Defaults: 2000 instances, 3 groups each from a pool of 200, 60 rules a
 * group; 4 subnets (10.1.0.0/20 ... 10.1.48.0/20) with an ACL of 20
 * entries a direction. Instances 0 and 1 (10.1.0.10 in subnet 0 and
 * 10.1.16.10 in subnet 1) share group 0, which allows TCP 5201-5210 and
 * ICMP from 10.0.0.0/8: the bench's traffic runs between them. Seeded, so
 * every run writes the same files.
 *
 * It also writes naive.nft: the same policy as the flat list other tools
 * render (each ACL entry a rule judged on every packet, each group rule a
 * rule in one chain, group 0 last), for comparison. Its semantics are not
 * AWS's; its cost is what is measured. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

static json_t *ranges(const char *cidr)
{
	return json_pack("[{s:s}]", "CidrIp", cidr);
}

static json_t *permission(const char *proto, int from, int to, json_t *ip_ranges,
			  json_t *group_pairs)
{
	json_t *p = json_pack("{s:s, s:o, s:[], s:[], s:o}", "IpProtocol", proto, "IpRanges",
			      ip_ranges ? ip_ranges : json_array(), "Ipv6Ranges", "PrefixListIds",
			      "UserIdGroupPairs", group_pairs ? group_pairs : json_array());

	if (from >= -1) {
		json_object_set_new(p, "FromPort", json_integer(from));
		json_object_set_new(p, "ToPort", json_integer(to));
	}
	return p;
}

/* A random rule of the kind real groups hold. */
static json_t *random_rule(unsigned n_groups)
{
	static const int ports[] = { 22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9000, 9200 };
	char cidr[32], group[32];
	unsigned kind = next(10);
	int port = ports[next(10)] + (int)next(3) * 1000;

	switch (next(4)) {
	case 0:
		snprintf(cidr, sizeof(cidr), "10.%u.0.0/16", next(256));
		break;
	case 1:
		snprintf(cidr, sizeof(cidr), "10.%u.%u.0/24", next(256), next(256));
		break;
	case 2:
		snprintf(cidr, sizeof(cidr), "172.%u.0.0/16", 16 + next(16));
		break;
	default:
		snprintf(cidr, sizeof(cidr), "192.168.%u.%u/32", next(256), next(256));
		break;
	}
	if (kind < 6)
		return permission("tcp", port, port, ranges(cidr), NULL);
	if (kind == 6)
		return permission("tcp", port, port + (int)next(100), ranges(cidr), NULL);
	if (kind == 7)
		return permission("udp", port, port, ranges(cidr), NULL);
	if (kind == 8)
		return permission("icmp", 8, -1, ranges(cidr), NULL);
	id(group, sizeof(group), "sg-", next(n_groups));
	return permission("tcp", port, port, NULL, json_pack("[{s:s}]", "GroupId", group));
}

static void naive_match(FILE *f, const char *addr_side, json_t *perm)
{
	const char *proto = json_string_value(json_object_get(perm, "IpProtocol"));
	json_t *from = json_object_get(perm, "FromPort"), *to = json_object_get(perm, "ToPort");

	(void)addr_side;
	if (strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0)
		fprintf(f, " %s dport %lld-%lld", proto, json_integer_value(from), json_integer_value(to));
	else if (strcmp(proto, "icmp") == 0)
		fprintf(f, " meta l4proto icmp");
}

static int write_naive(const char *dir, json_t *sgs, json_t *acls, json_t *subnets,
		       json_t **members)
{
	char path[4096];
	size_t n_groups = json_array_size(sgs);
	FILE *f;

	snprintf(path, sizeof(path), "%s/naive.nft", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "add table inet naive\ndelete table inet naive\ntable inet naive {\n");
	for (size_t g = 0; g < n_groups; g++) {
		json_t *addr;
		size_t i;

		fprintf(f, "\tset m%zu {\n\t\ttype ipv4_addr\n", g);
		json_array_foreach(members[g], i, addr)
			fprintf(f, "%s%s", i ? ", " : "\t\telements = { ", json_string_value(addr));
		fprintf(f, "%s\t}\n", json_array_size(members[g]) ? " }\n" : "");
	}
	fprintf(f, "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
	for (size_t a = 0; a < json_array_size(acls); a++) {
		json_t *acl = json_array_get(acls, a), *entry;
		const char *subnet = json_string_value(json_object_get(json_array_get(subnets, a), "CidrBlock"));
		size_t i;

		json_array_foreach(json_object_get(acl, "Entries"), i, entry) {
			bool is_egress = json_is_true(json_object_get(entry, "Egress"));
			json_t *range = json_object_get(entry, "PortRange");

			fprintf(f, "\t\tip %s %s ip %s %s", is_egress ? "saddr" : "daddr", subnet,
				is_egress ? "daddr" : "saddr",
				json_string_value(json_object_get(entry, "CidrBlock")));
			if (range)
				fprintf(f, " tcp dport %lld-%lld", json_integer_value(json_object_get(range, "From")),
					json_integer_value(json_object_get(range, "To")));
			fprintf(f, " %s\n", strcmp(json_string_value(json_object_get(entry, "RuleAction")),
						   "deny") == 0 ? "drop" : "counter");
		}
	}
	fprintf(f, "\t\tct state established,related accept\n");
	for (size_t g = n_groups; g-- > 0;) {
		json_t *perm;
		size_t i;

		json_array_foreach(json_object_get(json_array_get(sgs, g), "IpPermissions"), i, perm) {
			json_t *cidr = json_object_get(json_array_get(json_object_get(perm, "IpRanges"), 0), "CidrIp");
			json_t *pair = json_array_get(json_object_get(perm, "UserIdGroupPairs"), 0);

			fprintf(f, "\t\tip daddr @m%zu", g);
			if (cidr)
				fprintf(f, " ip saddr %s", json_string_value(cidr));
			else if (pair)
				fprintf(f, " ip saddr @m%lu", strtoul(json_string_value(json_object_get(pair, "GroupId")) + 3, NULL, 16));
			naive_match(f, "saddr", perm);
			fprintf(f, " accept\n");
		}
		fprintf(f, "\t\tip saddr @m%zu accept\n", g);
	}
	fprintf(f, "\t}\n}\n");
	return fclose(f);
}

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

int main(int argc, char **argv)
{
	unsigned n_instances = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	unsigned per_instance = argc > 3 ? (unsigned)atoi(argv[3]) : 3;
	unsigned n_rules = argc > 4 ? (unsigned)atoi(argv[4]) : 60;
	unsigned n_groups = 200, n_subnets = 4;
	json_t *sgs = json_array(), *subnets = json_array(), *acls = json_array();
	json_t *reservations = json_array();
	json_t **members;
	char buf[64], buf2[64];

	if (argc < 2) {
		fprintf(stderr, "usage: genvpc DIR [INSTANCES [GROUPS_PER_INSTANCE [RULES_PER_GROUP]]]\n");
		return 2;
	}
	members = calloc(n_groups, sizeof(*members));
	for (unsigned g = 0; g < n_groups; g++) {
		json_t *in = json_array();

		members[g] = json_array();
		if (g == 0) {
			json_array_append_new(in, permission("tcp", 5201, 5210, ranges("10.0.0.0/8"), NULL));
			json_array_append_new(in, permission("icmp", -1, -1, ranges("10.0.0.0/8"), NULL));
		}
		while (json_array_size(in) < n_rules)
			json_array_append_new(in, random_rule(n_groups));
		id(buf, sizeof(buf), "sg-", g);
		json_array_append_new(sgs, json_pack("{s:s, s:s, s:o, s:[o]}", "GroupId", buf,
			"GroupName", buf, "IpPermissions", in, "IpPermissionsEgress",
			permission("-1", -2, 0, ranges("0.0.0.0/0"), NULL)));
	}
	for (unsigned s = 0; s < n_subnets; s++) {
		json_t *entries = json_array();

		id(buf, sizeof(buf), "subnet-", s);
		snprintf(buf2, sizeof(buf2), "10.1.%u.0/20", s * 16);
		json_array_append_new(subnets, json_pack("{s:s, s:s, s:[]}", "SubnetId", buf,
			"CidrBlock", buf2, "Ipv6CidrBlockAssociationSet"));
		for (int egress = 0; egress < 2; egress++) {
			for (int e = 0; e < 19; e++) {
				snprintf(buf2, sizeof(buf2), "172.%u.%u.0/24", 16 + next(16), next(256));
				json_array_append_new(entries, json_pack(
					"{s:i, s:b, s:s, s:s, s:s, s:{s:i, s:i}}", "RuleNumber", 10 + e * 10,
					"Egress", egress, "RuleAction", e % 3 ? "deny" : "allow",
					"Protocol", "6", "CidrBlock", buf2, "PortRange", "From",
					1000 * e, "To", 1000 * e + 999));
			}
			json_array_append_new(entries, json_pack("{s:i, s:b, s:s, s:s, s:s}",
				"RuleNumber", 1000, "Egress", egress, "RuleAction", "allow",
				"Protocol", "-1", "CidrBlock", "0.0.0.0/0"));
		}
		id(buf2, sizeof(buf2), "acl-", s);
		json_array_append_new(acls, json_pack("{s:s, s:o, s:[{s:s}]}", "NetworkAclId", buf2,
			"Entries", entries, "Associations", "SubnetId", buf));
	}
	for (unsigned i = 0; i < n_instances; i++) {
		unsigned subnet = i < 2 ? i : next(n_subnets);
		json_t *groups = json_array();
		char addr[32], eni[64];

		/* Instances 0 and 1 carry the bench's traffic. */
		snprintf(addr, sizeof(addr), "10.1.%u.%u", subnet * 16 + 1 + i / 240, 10 + i % 240);
		if (i < 2)
			snprintf(addr, sizeof(addr), "10.1.%u.10", subnet * 16);
		for (unsigned k = 0; k < per_instance; k++) {
			unsigned group = k == 0 && i < 2 ? 0 : 1 + next(n_groups - 1);

			id(buf, sizeof(buf), "sg-", group);
			json_array_append_new(groups, json_pack("{s:s}", "GroupId", buf));
			json_array_append_new(members[group], json_string(addr));
		}
		id(buf, sizeof(buf), "subnet-", subnet);
		id(eni, sizeof(eni), "eni-", i);
		id(buf2, sizeof(buf2), "i-", i);
		json_array_append_new(reservations, json_pack(
			"{s:[{s:s, s:{s:s}, s:[{s:s, s:s, s:[{s:s}], s:o}]}]}", "Instances",
			"InstanceId", buf2, "State", "Name", "running", "NetworkInterfaces",
			"NetworkInterfaceId", eni, "SubnetId", buf, "PrivateIpAddresses",
			"PrivateIpAddress", addr, "Groups", groups));
	}
	if (write_naive(argv[1], sgs, acls, subnets, members) < 0) {
		fprintf(stderr, "genvpc: cannot write naive.nft\n");
		return 1;
	}
	if (write(argv[1], "security-groups.json", json_pack("{s:o}", "SecurityGroups", sgs)) < 0 ||
	    write(argv[1], "subnets.json", json_pack("{s:o}", "Subnets", subnets)) < 0 ||
	    write(argv[1], "network-acls.json", json_pack("{s:o}", "NetworkAcls", acls)) < 0 ||
	    write(argv[1], "instances.json", json_pack("{s:o}", "Reservations", reservations)) < 0)
		return 1;
	return 0;
}
