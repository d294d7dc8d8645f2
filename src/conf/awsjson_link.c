/* Resolving ids between files once every file is read. */
#include "conf/awsjson_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int link_rules(struct vpc_model *model, struct vec *warnings, struct awsjson_where *w)
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
					return awsjson_bad(w, "prefix list %s: no prefix-lists/%s.json",
						   rule->peer_id, rule->peer_id);
			} else if (rule->peer_kind == VPC_PEER_GROUP) {
				rule->peer = vpc_find_sg(model, rule->peer_id);
				if (rule->peer < 0) {
					struct awsjson_warning warning;

					snprintf(warning.text, sizeof(warning.text),
						 "%s: group %s is not in security-groups.json; the rule matches no address",
						 w->what, rule->peer_id);
					if (vec_push(warnings, &warning) < 0)
						return awsjson_oom(w);
				}
			}
		}
	}
	return 0;
}

int awsjson_link(struct vpc_model *model, struct vec *warnings, struct bw_err *err)
{
	struct awsjson_where w = { .filename = "", .err = err };
	int rc;

	for (size_t i = 0; i < model->enis.len; i++) {
		struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, i);

		w.filename = "instances.json";
		snprintf(w.what, sizeof(w.what), "%s %s", eni->instance_id, eni->id);
		eni->subnet = vpc_find_subnet(model, eni->subnet_id);
		if (eni->subnet < 0)
			return awsjson_bad(&w, "subnet %s is not in subnets.json", eni->subnet_id);
		/* AWS gives an ENI addresses of its subnet; the ACLs are found by
		 * address, so one outside would be judged by the wrong ACL. */
		for (size_t j = 0; j < eni->addrs.len; j++) {
			const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, j);
			const struct vpc_subnet *subnet =
				VEC_AT(&model->subnets, struct vpc_subnet, eni->subnet);

			if (!cidr_contains(&subnet->v4, addr) &&
			    !(subnet->has_v6 && cidr_contains(&subnet->v6, addr)))
				return awsjson_bad(&w, "address %s is outside its subnet %s", addr->text,
					   subnet->id);
		}
		eni->groups.len = 0;
		for (size_t j = 0; j < eni->group_ids.len; j++) {
			const char *id = VEC_AT(&eni->group_ids, struct vpc_id, j)->id;
			int group = vpc_find_sg(model, id);

			if (group < 0)
				return awsjson_bad(&w, "security group %s is not in security-groups.json", id);
			if (vec_push(&eni->groups, &group) < 0)
				return awsjson_oom(&w);
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
				return awsjson_bad(&w, "associated subnet %s is not in subnets.json", id);
			if (VEC_AT(&model->subnets, struct vpc_subnet, subnet)->nacl >= 0)
				return awsjson_bad(&w, "subnet %s is associated with two ACLs", id);
			VEC_AT(&model->subnets, struct vpc_subnet, subnet)->nacl = (int)i;
		}
	}
	w.filename = "security-groups.json";
	rc = link_rules(model, warnings, &w);
	return rc;
}
