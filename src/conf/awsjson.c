#include "conf/awsjson.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

/* Where a problem is: the file, and the object the error names. */
struct where {
	const char *filename;
	struct bw_err *err;
	char what[160]; /* "sg-0abc ingress permission 2", "acl-1 entry 100" */
};

static int bad(struct where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct where *w, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->what[0])
		return bw_err_at(w->err, w->filename, 0, 0, "%s: %s", w->what, msg);
	return bw_err_at(w->err, w->filename, 0, 0, "%s", msg);
}

static int oom(struct where *w)
{
	return bw_errf(w->err, -ENOMEM, "out of memory");
}

bool awsjson_is_id(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix), n;

	if (!s || strncmp(s, prefix, plen) != 0)
		return false;
	s += plen;
	n = strlen(s);
	if (n < 8 || n > 17)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int load(const char *text, size_t len, struct where *w, json_t **out)
{
	json_error_t jerr;

	*out = NULL;
	if (len > AWSJSON_MAX_BYTES)
		return bad(w, "larger than %zu bytes", AWSJSON_MAX_BYTES);
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return bw_err_at(w->err, w->filename, jerr.line, jerr.column, "%s", jerr.text);
	return 0;
}

/* The array under key; a missing key is an empty array when !is_required. */
static int get_array(json_t *obj, const char *key, bool is_required, struct where *w,
		     json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = v;
	if (!v && !is_required)
		return 0;
	if (!json_is_array(v))
		return bad(w, "%s must be an array", key);
	return 0;
}

static int get_string(json_t *obj, const char *key, struct where *w, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = "";
	if (!json_is_string(v))
		return bad(w, "%s must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int get_int(json_t *obj, const char *key, struct where *w, long long *out)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!json_is_integer(v))
		return bad(w, "%s must be a whole number", key);
	*out = json_integer_value(v);
	return 0;
}

static int copy_id(const char *id, const char *prefix, char *out, struct where *w,
		   const char *key)
{
	if (!awsjson_is_id(id, prefix))
		return bad(w, "%s '%.64s' is not an id of the form %s<8 to 17 hex digits>",
			   key, id ? id : "", prefix);
	memcpy(out, id, strlen(id) + 1);
	return 0;
}

static int get_id(json_t *obj, const char *key, const char *prefix, struct where *w,
		  char *out)
{
	const char *id;
	int rc = get_string(obj, key, w, &id);

	return rc < 0 ? rc : copy_id(id, prefix, out, w, key);
}

static int parse_cidr(const char *text, int family, struct where *w, struct cidr *out)
{
	char why[200];

	if (cidr_parse(text, false, out, why, sizeof(why)) < 0)
		return bad(w, "%s (AWS stores ranges canonical)", why);
	if (out->family != family)
		return bad(w, "'%.64s' is not an %s range", text,
			   family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

/* IpProtocol / Protocol: a name AWS uses or a number 0 to 255. */
static int parse_proto(const char *text, struct where *w, int *out)
{
	static const struct { const char *name; int proto; } names[] = {
		{ "-1", VPC_PROTO_ALL }, { "all", VPC_PROTO_ALL },
		{ "tcp", VPC_PROTO_TCP }, { "udp", VPC_PROTO_UDP },
		{ "icmp", VPC_PROTO_ICMP }, { "icmpv6", VPC_PROTO_ICMPV6 },
	};
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].proto;
			return 0;
		}
	n = strtol(text, &end, 10);
	if (!*text || *end || text[0] == '-' || text[0] == '+' || n > 255)
		return bad(w, "unknown protocol '%.32s' (tcp, udp, icmp, icmpv6, -1 or 0 to 255)",
			   text);
	*out = (int)n;
	return 0;
}

static bool is_icmp(int proto)
{
	return proto == VPC_PROTO_ICMP || proto == VPC_PROTO_ICMPV6;
}

static bool has_ports(int proto)
{
	return proto == VPC_PROTO_TCP || proto == VPC_PROTO_UDP;
}

/* Ports (TCP/UDP) or type and code (ICMP) from two numbers, as security
 * groups (FromPort/ToPort) and ACLs (PortRange, IcmpTypeCode) give them. */
static int set_ports_or_icmp(struct vpc_traffic *t, bool is_present, long long from,
			     long long to, struct where *w, const char *from_key,
			     const char *to_key)
{
	t->port_from = 0;
	t->port_to = 65535;
	t->icmp_type = -1;
	t->icmp_code = -1;
	if (has_ports(t->proto)) {
		if (!is_present)
			return bad(w, "%s and %s are required for tcp and udp", from_key, to_key);
		if (from < 0 || from > 65535 || to < 0 || to > 65535)
			return bad(w, "port %lld-%lld is out of range (0 to 65535)", from, to);
		if (from > to)
			return bad(w, "port range %lld-%lld is backwards", from, to);
		t->port_from = (uint16_t)from;
		t->port_to = (uint16_t)to;
	} else if (is_icmp(t->proto) && is_present) {
		if (from < -1 || from > 255)
			return bad(w, "ICMP type %lld is out of range (-1 to 255)", from);
		if (to < -1 || to > 255)
			return bad(w, "ICMP code %lld is out of range (-1 to 255)", to);
		if (from == -1 && to != -1)
			return bad(w, "ICMP type -1 (all types) with code %lld: a code needs a type", to);
		t->icmp_type = (int)from;
		t->icmp_code = (int)to;
	}
	return 0;
}

/* ---- security groups ------------------------------------------------- */

static int add_rule(struct vpc_sg *sg, const struct sg_rule *rule, struct where *w)
{
	return vec_push(&sg->rules, rule) < 0 ? oom(w) : 0;
}

static int parse_permission(json_t *perm, enum vpc_dir dir, int index, struct vpc_sg *sg,
			    struct where *w)
{
	struct sg_rule rule = { .dir = dir, .permission = index, .peer = -1 };
	json_t *ranges = NULL, *ranges6 = NULL, *pairs = NULL, *lists = NULL, *item = NULL;
	json_t *from_j = json_object_get(perm, "FromPort"), *to_j = json_object_get(perm, "ToPort");
	const char *proto_text;
	size_t i;
	int rc;

	snprintf(w->what, sizeof(w->what), "%s %s permission %d", sg->id,
		 dir == VPC_INGRESS ? "ingress" : "egress", index);
	if (!json_is_object(perm))
		return bad(w, "must be an object");
	rc = get_string(perm, "IpProtocol", w, &proto_text);
	if (rc == 0)
		rc = parse_proto(proto_text, w, &rule.traffic.proto);
	if (rc < 0)
		return rc;
	if ((from_j && !json_is_integer(from_j)) || (to_j && !json_is_integer(to_j)))
		return bad(w, "FromPort and ToPort must be whole numbers");
	if (is_icmp(rule.traffic.proto) && (!from_j) != (!to_j))
		return bad(w, "FromPort and ToPort go together");
	rc = set_ports_or_icmp(&rule.traffic, from_j && to_j, json_integer_value(from_j),
			       json_integer_value(to_j), w, "FromPort", "ToPort");
	if (rc < 0)
		return rc;
	if ((rc = get_array(perm, "IpRanges", false, w, &ranges)) < 0 ||
	    (rc = get_array(perm, "Ipv6Ranges", false, w, &ranges6)) < 0 ||
	    (rc = get_array(perm, "UserIdGroupPairs", false, w, &pairs)) < 0 ||
	    (rc = get_array(perm, "PrefixListIds", false, w, &lists)) < 0)
		return rc;
	rule.peer_kind = VPC_PEER_CIDR;
	json_array_foreach(ranges, i, item) {
		const char *text;

		if ((rc = get_string(item, "CidrIp", w, &text)) < 0 ||
		    (rc = parse_cidr(text, AF_INET, w, &rule.cidr)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	json_array_foreach(ranges6, i, item) {
		const char *text;

		if ((rc = get_string(item, "CidrIpv6", w, &text)) < 0 ||
		    (rc = parse_cidr(text, AF_INET6, w, &rule.cidr)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	memset(&rule.cidr, 0, sizeof(rule.cidr));
	rule.peer_kind = VPC_PEER_GROUP;
	json_array_foreach(pairs, i, item) {
		if ((rc = get_id(item, "GroupId", "sg-", w, rule.peer_id)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	rule.peer_kind = VPC_PEER_PREFIX_LIST;
	json_array_foreach(lists, i, item) {
		if ((rc = get_id(item, "PrefixListId", "pl-", w, rule.peer_id)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	return 0;
}

int awsjson_parse_security_groups(const char *text, size_t len, const char *filename,
				  struct vpc_model *model, struct bw_err *err)
{
	struct where w = { .filename = filename, .err = err };
	json_t *doc = NULL, *groups = NULL, *group = NULL;
	size_t i;
	int rc = load(text, len, &w, &doc);

	if (rc < 0)
		return rc;
	rc = get_array(doc, "SecurityGroups", true, &w, &groups);
	json_array_foreach(rc == 0 ? groups : NULL, i, group) {
		struct vpc_sg sg = { .rules = VEC_INIT(struct sg_rule) };
		json_t *perms = NULL, *perm = NULL;
		size_t j;

		snprintf(w.what, sizeof(w.what), "security group %zu", i + 1);
		rc = get_id(group, "GroupId", "sg-", &w, sg.id);
		if (rc == 0 && vpc_find_sg(model, sg.id) >= 0)
			rc = bad(&w, "%s is listed twice", sg.id);
		snprintf(w.what, sizeof(w.what), "%s", sg.id);
		if (rc == 0)
			rc = get_array(group, "IpPermissions", false, &w, &perms);
		json_array_foreach(rc == 0 ? perms : NULL, j, perm) {
			rc = parse_permission(perm, VPC_INGRESS, (int)j + 1, &sg, &w);
			if (rc < 0)
				break;
		}
		snprintf(w.what, sizeof(w.what), "%s", sg.id);
		if (rc == 0)
			rc = get_array(group, "IpPermissionsEgress", false, &w, &perms);
		json_array_foreach(rc == 0 ? perms : NULL, j, perm) {
			rc = parse_permission(perm, VPC_EGRESS, (int)j + 1, &sg, &w);
			if (rc < 0)
				break;
		}
		if (rc == 0 && vec_push(&model->sgs, &sg) < 0)
			rc = oom(&w);
		if (rc < 0) {
			vec_free(&sg.rules);
			break;
		}
	}
	json_decref(doc);
	return rc;
}

/* ---- network ACLs ---------------------------------------------------- */

/* The entries AWS adds to every ACL and shows as rule 32767 (IPv4) and
 * 32768 (IPv6): deny everything else. */
static bool is_default_deny(const struct nacl_entry *e)
{
	return !e->is_allow && e->traffic.proto == VPC_PROTO_ALL && e->cidr.prefix_len == 0 &&
	       ((e->rule_number == 32767 && e->cidr.family == AF_INET) ||
		(e->rule_number == 32768 && e->cidr.family == AF_INET6));
}

static int parse_entry(json_t *item, struct vpc_nacl *acl, struct where *w)
{
	struct nacl_entry entry = { 0 };
	json_t *egress = json_object_get(item, "Egress"), *range, *icmp;
	json_t *cidr4 = json_object_get(item, "CidrBlock");
	json_t *cidr6 = json_object_get(item, "Ipv6CidrBlock");
	const char *action, *proto_text;
	long long number, from = 0, to = 0;
	bool is_present = false;
	int rc;

	snprintf(w->what, sizeof(w->what), "%s entry", acl->id);
	if (!json_is_object(item))
		return bad(w, "must be an object");
	if ((rc = get_int(item, "RuleNumber", w, &number)) < 0)
		return rc;
	if (!json_is_boolean(egress))
		return bad(w, "rule %lld: Egress must be true or false", number);
	entry.is_egress = json_is_true(egress);
	snprintf(w->what, sizeof(w->what), "%s %s rule %lld", acl->id,
		 entry.is_egress ? "outbound" : "inbound", number);
	if (number < 1 || number > 32768)
		return bad(w, "rule number out of range (1 to 32766)");
	entry.rule_number = (int)number;
	if ((rc = get_string(item, "RuleAction", w, &action)) < 0)
		return rc;
	if (strcmp(action, "allow") != 0 && strcmp(action, "deny") != 0)
		return bad(w, "RuleAction '%.16s' is not allow or deny", action);
	entry.is_allow = strcmp(action, "allow") == 0;
	if ((rc = get_string(item, "Protocol", w, &proto_text)) < 0 ||
	    (rc = parse_proto(proto_text, w, &entry.traffic.proto)) < 0)
		return rc;
	if (!cidr4 == !cidr6)
		return bad(w, "needs one of CidrBlock and Ipv6CidrBlock");
	if (cidr4 && !json_is_string(cidr4))
		return bad(w, "CidrBlock must be a string");
	if (cidr6 && !json_is_string(cidr6))
		return bad(w, "Ipv6CidrBlock must be a string");
	rc = cidr4 ? parse_cidr(json_string_value(cidr4), AF_INET, w, &entry.cidr) :
		     parse_cidr(json_string_value(cidr6), AF_INET6, w, &entry.cidr);
	if (rc < 0)
		return rc;
	range = json_object_get(item, "PortRange");
	icmp = json_object_get(item, "IcmpTypeCode");
	if (has_ports(entry.traffic.proto) && range) {
		if ((rc = get_int(range, "From", w, &from)) < 0 ||
		    (rc = get_int(range, "To", w, &to)) < 0)
			return rc;
		is_present = true;
	} else if (is_icmp(entry.traffic.proto) && icmp) {
		if ((rc = get_int(icmp, "Type", w, &from)) < 0 ||
		    (rc = get_int(icmp, "Code", w, &to)) < 0)
			return rc;
		is_present = true;
	}
	rc = set_ports_or_icmp(&entry.traffic, is_present, from, to, w, "PortRange.From",
			       "PortRange.To");
	if (rc < 0)
		return rc;
	if (number >= 32767 && !is_default_deny(&entry))
		return bad(w, "rule numbers 32767 and 32768 are reserved for the default deny (*)");
	for (size_t i = 0; i < acl->entries.len; i++) {
		const struct nacl_entry *other = VEC_AT(&acl->entries, struct nacl_entry, i);

		if (other->is_egress == entry.is_egress && other->rule_number == entry.rule_number)
			return bad(w, "rule number used twice in this direction");
	}
	return vec_push(&acl->entries, &entry) < 0 ? oom(w) : 0;
}

static int compare_entries(const void *a, const void *b)
{
	const struct nacl_entry *x = a, *y = b;

	if (x->is_egress != y->is_egress)
		return x->is_egress ? 1 : -1;
	return x->rule_number - y->rule_number;
}

/* AWS always ends each direction with deny-all entries; an edited file may
 * lack them, and the ACL still denies what no rule allows. */
static int add_default_denies(struct vpc_nacl *acl, struct where *w)
{
	for (int egress = 0; egress < 2; egress++) {
		for (int family_v6 = 0; family_v6 < 2; family_v6++) {
			struct nacl_entry deny = {
				.rule_number = family_v6 ? 32768 : 32767,
				.is_egress = egress,
				.traffic = { .proto = VPC_PROTO_ALL, .port_to = 65535,
					     .icmp_type = -1, .icmp_code = -1 },
			};
			bool has = false;
			char why[64];

			cidr_parse(family_v6 ? "::/0" : "0.0.0.0/0", false, &deny.cidr, why,
				   sizeof(why));
			for (size_t i = 0; i < acl->entries.len; i++) {
				const struct nacl_entry *e = VEC_AT(&acl->entries, struct nacl_entry, i);

				if (e->is_egress == deny.is_egress && e->rule_number == deny.rule_number)
					has = true;
			}
			if (!has && vec_push(&acl->entries, &deny) < 0)
				return oom(w);
		}
	}
	qsort(acl->entries.items, acl->entries.len, sizeof(struct nacl_entry), compare_entries);
	return 0;
}

int awsjson_parse_network_acls(const char *text, size_t len, const char *filename,
			       struct vpc_model *model, struct bw_err *err)
{
	struct where w = { .filename = filename, .err = err };
	json_t *doc = NULL, *acls = NULL, *item = NULL;
	size_t i;
	int rc = load(text, len, &w, &doc);

	if (rc < 0)
		return rc;
	rc = get_array(doc, "NetworkAcls", true, &w, &acls);
	json_array_foreach(rc == 0 ? acls : NULL, i, item) {
		struct vpc_nacl acl = { .entries = VEC_INIT(struct nacl_entry),
					.subnet_ids = VEC_INIT(struct vpc_id) };
		json_t *entries = NULL, *assocs = NULL, *sub = NULL;
		size_t j;

		snprintf(w.what, sizeof(w.what), "network ACL %zu", i + 1);
		rc = get_id(item, "NetworkAclId", "acl-", &w, acl.id);
		snprintf(w.what, sizeof(w.what), "%s", acl.id);
		if (rc == 0)
			rc = get_array(item, "Entries", false, &w, &entries);
		json_array_foreach(rc == 0 ? entries : NULL, j, sub) {
			rc = parse_entry(sub, &acl, &w);
			if (rc < 0)
				break;
		}
		snprintf(w.what, sizeof(w.what), "%s", acl.id);
		if (rc == 0)
			rc = get_array(item, "Associations", false, &w, &assocs);
		json_array_foreach(rc == 0 ? assocs : NULL, j, sub) {
			struct vpc_id subnet;

			rc = get_id(sub, "SubnetId", "subnet-", &w, subnet.id);
			if (rc == 0 && vec_push(&acl.subnet_ids, &subnet) < 0)
				rc = oom(&w);
			if (rc < 0)
				break;
		}
		if (rc == 0)
			rc = add_default_denies(&acl, &w);
		if (rc == 0 && vec_push(&model->nacls, &acl) < 0)
			rc = oom(&w);
		if (rc < 0) {
			vec_free(&acl.entries);
			vec_free(&acl.subnet_ids);
			break;
		}
	}
	json_decref(doc);
	return rc;
}

/* ---- subnets --------------------------------------------------------- */

int awsjson_parse_subnets(const char *text, size_t len, const char *filename,
			  struct vpc_model *model, struct bw_err *err)
{
	struct where w = { .filename = filename, .err = err };
	json_t *doc = NULL, *subnets = NULL, *item = NULL;
	size_t i;
	int rc = load(text, len, &w, &doc);

	if (rc < 0)
		return rc;
	rc = get_array(doc, "Subnets", true, &w, &subnets);
	json_array_foreach(rc == 0 ? subnets : NULL, i, item) {
		struct vpc_subnet subnet = { .nacl = -1, .has_v4 = true };
		json_t *assocs = NULL, *assoc = NULL;
		const char *cidr;
		size_t j;

		snprintf(w.what, sizeof(w.what), "subnet %zu", i + 1);
		rc = get_id(item, "SubnetId", "subnet-", &w, subnet.id);
		snprintf(w.what, sizeof(w.what), "%s", subnet.id);
		if (rc == 0 && vpc_find_subnet(model, subnet.id) >= 0)
			rc = bad(&w, "listed twice");
		if (rc == 0)
			rc = get_string(item, "CidrBlock", &w, &cidr);
		if (rc == 0)
			rc = parse_cidr(cidr, AF_INET, &w, &subnet.v4);
		if (rc == 0)
			rc = get_array(item, "Ipv6CidrBlockAssociationSet", false, &w, &assocs);
		json_array_foreach(rc == 0 ? assocs : NULL, j, assoc) {
			const char *state = json_string_value(json_object_get(
				json_object_get(assoc, "Ipv6CidrBlockState"), "State"));

			if (state && strcmp(state, "associated") != 0)
				continue;
			rc = get_string(assoc, "Ipv6CidrBlock", &w, &cidr);
			if (rc == 0)
				rc = parse_cidr(cidr, AF_INET6, &w, &subnet.v6);
			if (rc < 0)
				break;
			subnet.has_v6 = true;
		}
		for (size_t k = 0; rc == 0 && k < model->subnets.len; k++) {
			const struct vpc_subnet *o = VEC_AT(&model->subnets, struct vpc_subnet, k);

			if (cidr_contains(&o->v4, &subnet.v4) || cidr_contains(&subnet.v4, &o->v4))
				rc = bad(&w, "%s overlaps %s of %s", subnet.v4.text, o->v4.text, o->id);
		}
		if (rc == 0 && vec_push(&model->subnets, &subnet) < 0)
			rc = oom(&w);
		if (rc < 0)
			break;
	}
	json_decref(doc);
	return rc;
}

/* ---- instances ------------------------------------------------------- */

static int parse_eni(json_t *item, const char *instance_id, struct vpc_model *model,
		     struct where *w)
{
	struct vpc_eni eni = { .subnet = -1, .is_source_dest_checked = true, .addrs = VEC_INIT(struct cidr),
			       .group_ids = VEC_INIT(struct vpc_id), .groups = VEC_INIT(int) };
	json_t *addrs = NULL, *addrs6 = NULL, *groups = NULL, *sub = NULL;
	size_t i;
	int rc;

	memcpy(eni.instance_id, instance_id, strlen(instance_id) + 1);
	rc = get_id(item, "NetworkInterfaceId", "eni-", w, eni.id);
	if (rc == 0) {
		snprintf(w->what, sizeof(w->what), "%s %s", instance_id, eni.id);
		rc = get_id(item, "SubnetId", "subnet-", w, eni.subnet_id);
	}
	if (rc == 0)
		rc = get_array(item, "PrivateIpAddresses", true, w, &addrs);
	json_array_foreach(rc == 0 ? addrs : NULL, i, sub) {
		const char *text;
		struct cidr addr;

		rc = get_string(sub, "PrivateIpAddress", w, &text);
		if (rc == 0 && (cidr_parse_addr(text, &addr) < 0 || addr.family != AF_INET))
			rc = bad(w, "'%.64s' is not an IPv4 address", text);
		if (rc == 0 && vec_push(&eni.addrs, &addr) < 0)
			rc = oom(w);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = get_array(item, "Ipv6Addresses", false, w, &addrs6);
	json_array_foreach(rc == 0 ? addrs6 : NULL, i, sub) {
		const char *text;
		struct cidr addr;

		rc = get_string(sub, "Ipv6Address", w, &text);
		if (rc == 0 && (cidr_parse_addr(text, &addr) < 0 || addr.family != AF_INET6))
			rc = bad(w, "'%.64s' is not an IPv6 address", text);
		if (rc == 0 && vec_push(&eni.addrs, &addr) < 0)
			rc = oom(w);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = get_array(item, "Groups", true, w, &groups);
	json_array_foreach(rc == 0 ? groups : NULL, i, sub) {
		struct vpc_id group;

		rc = get_id(sub, "GroupId", "sg-", w, group.id);
		if (rc == 0 && vec_push(&eni.group_ids, &group) < 0)
			rc = oom(w);
		if (rc < 0)
			break;
	}
	for (size_t j = 0; rc == 0 && j < eni.addrs.len; j++)
		if (vpc_find_eni_by_addr(model, VEC_AT(&eni.addrs, struct cidr, j)) >= 0)
			rc = bad(w, "address %s belongs to another interface too",
				 VEC_AT(&eni.addrs, struct cidr, j)->text);
	if (rc == 0 && vec_push(&model->enis, &eni) < 0)
		rc = oom(w);
	if (rc < 0) {
		vec_free(&eni.addrs);
		vec_free(&eni.group_ids);
		vec_free(&eni.groups);
	}
	return rc;
}

int awsjson_parse_instances(const char *text, size_t len, const char *filename,
			    struct vpc_model *model, struct bw_err *err)
{
	struct where w = { .filename = filename, .err = err };
	json_t *doc = NULL, *reservations = NULL, *reservation = NULL;
	size_t i;
	int rc = load(text, len, &w, &doc);

	if (rc < 0)
		return rc;
	rc = get_array(doc, "Reservations", true, &w, &reservations);
	json_array_foreach(rc == 0 ? reservations : NULL, i, reservation) {
		json_t *instances = NULL, *instance = NULL;
		size_t j;

		snprintf(w.what, sizeof(w.what), "reservation %zu", i + 1);
		rc = get_array(reservation, "Instances", true, &w, &instances);
		json_array_foreach(rc == 0 ? instances : NULL, j, instance) {
			const char *state = json_string_value(json_object_get(
				json_object_get(instance, "State"), "Name"));
			char instance_id[VPC_ID_MAX];
			json_t *enis = NULL, *eni = NULL;
			size_t k;

			snprintf(w.what, sizeof(w.what), "reservation %zu instance %zu", i + 1, j + 1);
			rc = get_id(instance, "InstanceId", "i-", &w, instance_id);
			if (rc < 0)
				break;
			/* Only running instances have traffic to judge. */
			if (!state || strcmp(state, "running") != 0)
				continue;
			snprintf(w.what, sizeof(w.what), "%s", instance_id);
			rc = get_array(instance, "NetworkInterfaces", true, &w, &enis);
			json_array_foreach(rc == 0 ? enis : NULL, k, eni) {
				rc = parse_eni(eni, instance_id, model, &w);
				if (rc < 0)
					break;
			}
			if (rc < 0)
				break;
		}
		if (rc < 0)
			break;
	}
	json_decref(doc);
	return rc;
}

/* ---- prefix lists ---------------------------------------------------- */

int awsjson_parse_prefix_list(const char *text, size_t len, const char *filename,
			      const char *id, struct vpc_model *model, struct bw_err *err)
{
	struct where w = { .filename = filename, .err = err };
	struct vpc_prefix_list list = { .cidrs = VEC_INIT(struct cidr) };
	json_t *doc = NULL, *entries = NULL, *item = NULL;
	size_t i;
	int rc = copy_id(id, "pl-", list.id, &w, "the file name");

	if (rc == 0 && vpc_find_prefix_list(model, id) >= 0)
		rc = bad(&w, "%s is listed twice", id);
	if (rc == 0)
		rc = load(text, len, &w, &doc);
	snprintf(w.what, sizeof(w.what), "%s", list.id);
	if (rc == 0)
		rc = get_array(doc, "Entries", true, &w, &entries);
	json_array_foreach(rc == 0 ? entries : NULL, i, item) {
		const char *cidr_text;
		struct cidr cidr;
		char why[200];

		rc = get_string(item, "Cidr", &w, &cidr_text);
		if (rc == 0 && cidr_parse(cidr_text, false, &cidr, why, sizeof(why)) < 0)
			rc = bad(&w, "%s (AWS stores ranges canonical)", why);
		if (rc == 0 && vec_push(&list.cidrs, &cidr) < 0)
			rc = oom(&w);
		if (rc < 0)
			break;
	}
	if (rc == 0 && vec_push(&model->prefix_lists, &list) < 0)
		rc = oom(&w);
	if (rc < 0)
		vec_free(&list.cidrs);
	json_decref(doc);
	return rc;
}

/* ---- linking --------------------------------------------------------- */

static int link_rules(struct vpc_model *model, struct vec *warnings, struct where *w)
{
	for (size_t i = 0; i < model->sgs.len; i++) {
		struct vpc_sg *sg = VEC_AT(&model->sgs, struct vpc_sg, i);

		for (size_t j = 0; j < sg->rules.len; j++) {
			struct sg_rule *rule = VEC_AT(&sg->rules, struct sg_rule, j);

			snprintf(w->what, sizeof(w->what), "%s %s permission %d", sg->id,
				 rule->dir == VPC_INGRESS ? "ingress" : "egress", rule->permission);
			if (rule->peer_kind == VPC_PEER_PREFIX_LIST) {
				rule->peer = vpc_find_prefix_list(model, rule->peer_id);
				if (rule->peer < 0)
					return bad(w, "prefix list %s: no prefix-lists/%s.json",
						   rule->peer_id, rule->peer_id);
			} else if (rule->peer_kind == VPC_PEER_GROUP) {
				rule->peer = vpc_find_sg(model, rule->peer_id);
				if (rule->peer < 0) {
					struct awsjson_warning warning;

					snprintf(warning.text, sizeof(warning.text),
						 "%s: group %s is not in security-groups.json; the rule matches no address",
						 w->what, rule->peer_id);
					if (vec_push(warnings, &warning) < 0)
						return oom(w);
				}
			}
		}
	}
	return 0;
}

int awsjson_link(struct vpc_model *model, struct vec *warnings, struct bw_err *err)
{
	struct where w = { .filename = "", .err = err };
	int rc;

	for (size_t i = 0; i < model->enis.len; i++) {
		struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, i);

		w.filename = "instances.json";
		snprintf(w.what, sizeof(w.what), "%s %s", eni->instance_id, eni->id);
		eni->subnet = vpc_find_subnet(model, eni->subnet_id);
		if (eni->subnet < 0)
			return bad(&w, "subnet %s is not in subnets.json", eni->subnet_id);
		/* AWS gives an ENI addresses of its subnet; the ACLs are found by
		 * address, so one outside would be judged by the wrong ACL. */
		for (size_t j = 0; j < eni->addrs.len; j++) {
			const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, j);
			const struct vpc_subnet *subnet =
				VEC_AT(&model->subnets, struct vpc_subnet, eni->subnet);

			if (!cidr_contains(&subnet->v4, addr) &&
			    !(subnet->has_v6 && cidr_contains(&subnet->v6, addr)))
				return bad(&w, "address %s is outside its subnet %s", addr->text,
					   subnet->id);
		}
		eni->groups.len = 0;
		for (size_t j = 0; j < eni->group_ids.len; j++) {
			const char *id = VEC_AT(&eni->group_ids, struct vpc_id, j)->id;
			int group = vpc_find_sg(model, id);

			if (group < 0)
				return bad(&w, "security group %s is not in security-groups.json", id);
			if (vec_push(&eni->groups, &group) < 0)
				return oom(&w);
		}
	}
	w.filename = "network-acls.json";
	for (size_t i = 0; i < model->nacls.len; i++) {
		const struct vpc_nacl *acl = VEC_AT(&model->nacls, struct vpc_nacl, i);

		for (size_t j = 0; j < acl->subnet_ids.len; j++) {
			const char *id = VEC_AT(&acl->subnet_ids, struct vpc_id, j)->id;
			int subnet = vpc_find_subnet(model, id);

			snprintf(w.what, sizeof(w.what), "%s", acl->id);
			if (subnet < 0)
				return bad(&w, "associated subnet %s is not in subnets.json", id);
			if (VEC_AT(&model->subnets, struct vpc_subnet, subnet)->nacl >= 0)
				return bad(&w, "subnet %s is associated with two ACLs", id);
			VEC_AT(&model->subnets, struct vpc_subnet, subnet)->nacl = (int)i;
		}
	}
	w.filename = "security-groups.json";
	rc = link_rules(model, warnings, &w);
	return rc;
}
