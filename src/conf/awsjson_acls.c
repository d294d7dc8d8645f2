/* network-acls.json: entries in rule order, ending in AWS's deny-all, and
 * the subnets each ACL governs. */
#include "conf/awsjson_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The entries AWS adds to every ACL and shows as rule 32767 (IPv4) and
 * 32768 (IPv6): deny everything else. */
static bool is_default_deny(const struct nacl_entry *e)
{
	return !e->is_allow && e->traffic.proto == VPC_PROTO_ALL && e->cidr.prefix_len == 0 &&
	       ((e->rule_number == 32767 && e->cidr.family == AF_INET) ||
		(e->rule_number == 32768 && e->cidr.family == AF_INET6));
}

static int parse_entry(json_t *item, struct vpc_nacl *acl, struct awsjson_where *w)
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
		return awsjson_bad(w, "must be an object");
	if ((rc = awsjson_get_int(item, "RuleNumber", w, &number)) < 0)
		return rc;
	if (!json_is_boolean(egress))
		return awsjson_bad(w, "rule %lld: Egress must be true or false", number);
	entry.is_egress = json_is_true(egress);
	snprintf(w->what, sizeof(w->what), "%s %s rule %lld", acl->id,
		 entry.is_egress ? "outbound" : "inbound", number);
	if (number < 1 || number > 32768)
		return awsjson_bad(w, "rule number out of range (1 to 32766)");
	entry.rule_number = (int)number;
	if ((rc = awsjson_get_string(item, "RuleAction", w, &action)) < 0)
		return rc;
	if (strcmp(action, "allow") != 0 && strcmp(action, "deny") != 0)
		return awsjson_bad(w, "RuleAction '%.16s' is not allow or deny", action);
	entry.is_allow = strcmp(action, "allow") == 0;
	if ((rc = awsjson_get_string(item, "Protocol", w, &proto_text)) < 0 ||
	    (rc = awsjson_parse_proto(proto_text, w, &entry.traffic.proto)) < 0)
		return rc;
	if (!cidr4 == !cidr6)
		return awsjson_bad(w, "needs one of CidrBlock and Ipv6CidrBlock");
	if (cidr4 && !json_is_string(cidr4))
		return awsjson_bad(w, "CidrBlock must be a string");
	if (cidr6 && !json_is_string(cidr6))
		return awsjson_bad(w, "Ipv6CidrBlock must be a string");
	rc = cidr4 ? awsjson_parse_cidr(json_string_value(cidr4), AF_INET, w, &entry.cidr) :
		     awsjson_parse_cidr(json_string_value(cidr6), AF_INET6, w, &entry.cidr);
	if (rc < 0)
		return rc;
	range = json_object_get(item, "PortRange");
	icmp = json_object_get(item, "IcmpTypeCode");
	if (awsjson_has_ports(entry.traffic.proto) && range) {
		if ((rc = awsjson_get_int(range, "From", w, &from)) < 0 ||
		    (rc = awsjson_get_int(range, "To", w, &to)) < 0)
			return rc;
		is_present = true;
	} else if (awsjson_is_icmp(entry.traffic.proto) && icmp) {
		if ((rc = awsjson_get_int(icmp, "Type", w, &from)) < 0 ||
		    (rc = awsjson_get_int(icmp, "Code", w, &to)) < 0)
			return rc;
		is_present = true;
	}
	rc = awsjson_set_ports_or_icmp(&entry.traffic, is_present, from, to, w, "PortRange.From",
			       "PortRange.To");
	if (rc < 0)
		return rc;
	if (number >= 32767 && !is_default_deny(&entry))
		return awsjson_bad(w, "rule numbers 32767 and 32768 are reserved for the default deny (*)");
	for (size_t i = 0; i < acl->entries.len; i++) {
		const struct nacl_entry *other = VEC_AT(&acl->entries, struct nacl_entry, i);

		if (other->is_egress == entry.is_egress && other->rule_number == entry.rule_number)
			return awsjson_bad(w, "rule number used twice in this direction");
	}
	return vec_push(&acl->entries, &entry) < 0 ? awsjson_oom(w) : 0;
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
static int add_default_denies(struct vpc_nacl *acl, struct awsjson_where *w)
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
				return awsjson_oom(w);
		}
	}
	qsort(acl->entries.items, acl->entries.len, sizeof(struct nacl_entry), compare_entries);
	return 0;
}

int awsjson_read_network_acls(json_t *doc, const char *filename, struct vpc_model *model,
			      struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	json_t *acls = NULL, *item = NULL;
	size_t i;
	int rc = awsjson_get_array(doc, "NetworkAcls", true, &w, &acls);

	json_array_foreach(rc == 0 ? acls : NULL, i, item) {
		struct vpc_nacl acl = { .entries = VEC_INIT(struct nacl_entry),
					.subnet_ids = VEC_INIT(struct vpc_id) };
		json_t *entries = NULL, *assocs = NULL, *sub = NULL;
		size_t j;

		snprintf(w.what, sizeof(w.what), "network ACL %zu", i + 1);
		rc = awsjson_get_id(item, "NetworkAclId", "acl-", &w, acl.id);
		snprintf(w.what, sizeof(w.what), "%s", acl.id);
		for (size_t k = 0; rc == 0 && k < model->nacls.len; k++)
			if (strcmp(VEC_AT(&model->nacls, struct vpc_nacl, k)->id, acl.id) == 0)
				rc = awsjson_bad(&w, "listed twice");
		if (rc == 0)
			rc = awsjson_get_opt_id(item, "VpcId", "vpc-", &w, acl.vpc_id);
		if (rc == 0)
			rc = awsjson_get_opt_bool(item, "IsDefault", false, &w, &acl.is_default);
		if (rc == 0)
			rc = awsjson_get_array(item, "Entries", false, &w, &entries);
		json_array_foreach(rc == 0 ? entries : NULL, j, sub) {
			rc = parse_entry(sub, &acl, &w);
			if (rc < 0)
				break;
		}
		snprintf(w.what, sizeof(w.what), "%s", acl.id);
		if (rc == 0)
			rc = awsjson_get_array(item, "Associations", false, &w, &assocs);
		json_array_foreach(rc == 0 ? assocs : NULL, j, sub) {
			struct vpc_id subnet, owner = { "" };

			rc = awsjson_get_id(sub, "SubnetId", "subnet-", &w, subnet.id);
			/* describe-network-acls repeats the ACL's id in each of its
			 * associations: another is a file put together wrongly. */
			if (rc == 0)
				rc = awsjson_get_opt_id(sub, "NetworkAclId", "acl-", &w, owner.id);
			if (rc == 0 && owner.id[0] && strcmp(owner.id, acl.id) != 0)
				rc = awsjson_bad(&w, "association of %s names %s", subnet.id, owner.id);
			if (rc == 0 && vec_push(&acl.subnet_ids, &subnet) < 0)
				rc = awsjson_oom(&w);
			if (rc < 0)
				break;
		}
		if (rc == 0)
			rc = add_default_denies(&acl, &w);
		if (rc == 0 && vec_push(&model->nacls, &acl) < 0)
			rc = awsjson_oom(&w);
		if (rc < 0) {
			vec_free(&acl.entries);
			vec_free(&acl.subnet_ids);
			break;
		}
	}
	return rc;
}

int awsjson_parse_network_acls(const char *text, size_t len, const char *filename,
			       struct vpc_model *model, struct bw_err *err)
{
	return awsjson_parse_with(awsjson_read_network_acls, text, len, filename, model, err);
}
