/* security-groups.json, and the prefix lists groups reference. */
#include "conf/awsjson_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int add_rule(struct vpc_sg *sg, const struct sg_rule *rule, struct awsjson_where *w)
{
	return vec_push(&sg->rules, rule) < 0 ? awsjson_oom(w) : 0;
}

static int parse_permission(json_t *perm, enum vpc_dir dir, int index, struct vpc_sg *sg,
			    struct awsjson_where *w)
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
		return awsjson_bad(w, "must be an object");
	rc = awsjson_get_string(perm, "IpProtocol", w, &proto_text);
	if (rc == 0)
		rc = awsjson_parse_proto(proto_text, w, &rule.traffic.proto);
	if (rc < 0)
		return rc;
	if ((from_j && !json_is_integer(from_j)) || (to_j && !json_is_integer(to_j)))
		return awsjson_bad(w, "FromPort and ToPort must be whole numbers");
	if (awsjson_is_icmp(rule.traffic.proto) && (!from_j) != (!to_j))
		return awsjson_bad(w, "FromPort and ToPort go together");
	rc = awsjson_set_ports_or_icmp(&rule.traffic, from_j && to_j, json_integer_value(from_j),
			       json_integer_value(to_j), w, "FromPort", "ToPort");
	if (rc < 0)
		return rc;
	if ((rc = awsjson_get_array(perm, "IpRanges", false, w, &ranges)) < 0 ||
	    (rc = awsjson_get_array(perm, "Ipv6Ranges", false, w, &ranges6)) < 0 ||
	    (rc = awsjson_get_array(perm, "UserIdGroupPairs", false, w, &pairs)) < 0 ||
	    (rc = awsjson_get_array(perm, "PrefixListIds", false, w, &lists)) < 0)
		return rc;
	rule.peer_kind = VPC_PEER_CIDR;
	json_array_foreach(ranges, i, item) {
		const char *text;

		if ((rc = awsjson_get_string(item, "CidrIp", w, &text)) < 0 ||
		    (rc = awsjson_parse_cidr(text, AF_INET, w, &rule.cidr)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	json_array_foreach(ranges6, i, item) {
		const char *text;

		if ((rc = awsjson_get_string(item, "CidrIpv6", w, &text)) < 0 ||
		    (rc = awsjson_parse_cidr(text, AF_INET6, w, &rule.cidr)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	memset(&rule.cidr, 0, sizeof(rule.cidr));
	rule.peer_kind = VPC_PEER_GROUP;
	json_array_foreach(pairs, i, item) {
		if ((rc = awsjson_get_id(item, "GroupId", "sg-", w, rule.peer_id)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	rule.peer_kind = VPC_PEER_PREFIX_LIST;
	json_array_foreach(lists, i, item) {
		if ((rc = awsjson_get_id(item, "PrefixListId", "pl-", w, rule.peer_id)) < 0 ||
		    (rc = add_rule(sg, &rule, w)) < 0)
			return rc;
	}
	return 0;
}

int awsjson_read_security_groups(json_t *doc, const char *filename, struct vpc_model *model,
				 struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	json_t *groups = NULL, *group = NULL;
	size_t i;
	int rc = awsjson_get_array(doc, "SecurityGroups", true, &w, &groups);

	json_array_foreach(rc == 0 ? groups : NULL, i, group) {
		struct vpc_sg sg = { .rules = VEC_INIT(struct sg_rule) };
		json_t *perms = NULL, *perm = NULL;
		size_t j;

		snprintf(w.what, sizeof(w.what), "security group %zu", i + 1);
		rc = awsjson_get_id(group, "GroupId", "sg-", &w, sg.id);
		if (rc == 0 && vpc_find_sg(model, sg.id) >= 0)
			rc = awsjson_bad(&w, "%s is listed twice", sg.id);
		snprintf(w.what, sizeof(w.what), "%s", sg.id);
		if (rc == 0)
			rc = awsjson_get_opt_id(group, "VpcId", "vpc-", &w, sg.vpc_id);
		if (rc == 0)
			rc = awsjson_get_array(group, "IpPermissions", false, &w, &perms);
		json_array_foreach(rc == 0 ? perms : NULL, j, perm) {
			rc = parse_permission(perm, VPC_INGRESS, (int)j + 1, &sg, &w);
			if (rc < 0)
				break;
		}
		snprintf(w.what, sizeof(w.what), "%s", sg.id);
		if (rc == 0)
			rc = awsjson_get_array(group, "IpPermissionsEgress", false, &w, &perms);
		json_array_foreach(rc == 0 ? perms : NULL, j, perm) {
			rc = parse_permission(perm, VPC_EGRESS, (int)j + 1, &sg, &w);
			if (rc < 0)
				break;
		}
		if (rc == 0 && vec_push(&model->sgs, &sg) < 0)
			rc = awsjson_oom(&w);
		if (rc < 0) {
			vec_free(&sg.rules);
			break;
		}
	}
	return rc;
}

int awsjson_parse_security_groups(const char *text, size_t len, const char *filename,
				  struct vpc_model *model, struct bw_err *err)
{
	return awsjson_parse_with(awsjson_read_security_groups, text, len, filename, model, err);
}

int awsjson_parse_prefix_list(const char *text, size_t len, const char *filename,
			      const char *id, struct vpc_model *model, struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	struct vpc_prefix_list list = { .cidrs = VEC_INIT(struct cidr) };
	json_t *doc = NULL, *entries = NULL, *item = NULL;
	size_t i;
	int rc = awsjson_copy_id(id, "pl-", list.id, &w, "the file name");

	if (rc == 0 && vpc_find_prefix_list(model, id) >= 0)
		rc = awsjson_bad(&w, "%s is listed twice", id);
	if (rc == 0)
		rc = awsjson_load(text, len, &w, &doc);
	snprintf(w.what, sizeof(w.what), "%s", list.id);
	if (rc == 0)
		rc = awsjson_get_array(doc, "Entries", true, &w, &entries);
	json_array_foreach(rc == 0 ? entries : NULL, i, item) {
		const char *cidr_text;
		struct cidr cidr;
		char why[200];

		rc = awsjson_get_string(item, "Cidr", &w, &cidr_text);
		if (rc == 0 && cidr_parse(cidr_text, false, &cidr, why, sizeof(why)) < 0)
			rc = awsjson_bad(&w, "%s (AWS stores ranges canonical)", why);
		if (rc == 0 && vec_push(&list.cidrs, &cidr) < 0)
			rc = awsjson_oom(&w);
		if (rc < 0)
			break;
	}
	if (rc == 0 && vec_push(&model->prefix_lists, &list) < 0)
		rc = awsjson_oom(&w);
	if (rc < 0)
		vec_free(&list.cidrs);
	json_decref(doc);
	return rc;
}
