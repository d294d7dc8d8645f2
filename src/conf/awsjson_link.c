/* Once every file is read: choosing one VPC, then resolving ids between
 * files and the checks that span them. */
#include "conf/awsjson_util.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The groups sorted by id, for lookups by id in ten thousand ENIs and
 * the rules: vpc_find_sg reads the groups one by one. */
struct sg_index {
	const char *id;
	int sg;
};

static int compare_sg_index(const void *a, const void *b)
{
	return strcmp(((const struct sg_index *)a)->id, ((const struct sg_index *)b)->id);
}

static int index_sgs(const struct vpc_model *model, struct vec *index)
{
	for (size_t i = 0; i < model->sgs.len; i++) {
		struct sg_index item = { VEC_AT(&model->sgs, struct vpc_sg, i)->id, (int)i };

		if (vec_push(index, &item) < 0)
			return -ENOMEM;
	}
	if (index->len > 0)
		qsort(index->items, index->len, sizeof(struct sg_index), compare_sg_index);
	return 0;
}

/* The group's index in model->sgs, or -1. */
static int find_sg(const struct vec *index, const char *id)
{
	struct sg_index key = { id, -1 };
	const struct sg_index *found = index->len == 0 ? NULL :
		bsearch(&key, index->items, index->len, sizeof(struct sg_index), compare_sg_index);

	return found ? found->sg : -1;
}

static int link_rules(struct vpc_model *model, const struct vec *sgs, struct vec *warnings,
		      struct awsjson_where *w)
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
				rule->peer = find_sg(sgs, rule->peer_id);
				if (rule->peer < 0) {
					struct awsjson_warning warning;

					if (model->vpc_id[0])
						snprintf(warning.text, sizeof(warning.text),
							 "%.140s: group %.24s is not in %.24s (a group of another VPC never matches); the rule matches no address",
							 w->what, rule->peer_id, model->vpc_id);
					else
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

/* ---- one VPC ---------------------------------------------------------- */

static int add_vpc_id(struct vec *ids, const char *id)
{
	struct vpc_id item;

	if (!id[0])
		return 0;
	for (size_t i = 0; i < ids->len; i++)
		if (strcmp(VEC_AT(ids, struct vpc_id, i)->id, id) == 0)
			return 0;
	snprintf(item.id, sizeof(item.id), "%s", id);
	return vec_push(ids, &item);
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(((const struct vpc_id *)a)->id, ((const struct vpc_id *)b)->id);
}

/* The VPCs the objects name, sorted; those of vpcs.json when none does. */
static int named_vpcs(const struct vpc_model *model, struct vec *ids)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < model->sgs.len; i++)
		rc = add_vpc_id(ids, VEC_AT(&model->sgs, struct vpc_sg, i)->vpc_id);
	for (size_t i = 0; rc == 0 && i < model->nacls.len; i++)
		rc = add_vpc_id(ids, VEC_AT(&model->nacls, struct vpc_nacl, i)->vpc_id);
	for (size_t i = 0; rc == 0 && i < model->subnets.len; i++)
		rc = add_vpc_id(ids, VEC_AT(&model->subnets, struct vpc_subnet, i)->vpc_id);
	for (size_t i = 0; rc == 0 && i < model->enis.len; i++)
		rc = add_vpc_id(ids, VEC_AT(&model->enis, struct vpc_eni, i)->vpc_id);
	for (size_t i = 0; rc == 0 && ids->len == 0 && i < model->vpcs.len; i++)
		rc = add_vpc_id(ids, VEC_AT(&model->vpcs, struct vpc_vpc, i)->id);
	if (rc == 0 && ids->len > 1)
		qsort(ids->items, ids->len, sizeof(struct vpc_id), compare_ids);
	return rc;
}

static void list_ids(const struct vec *ids, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ids->len && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "",
				 VEC_AT(ids, struct vpc_id, i)->id);

		used += n > 0 ? (size_t)n : 0;
	}
}

static bool is_kept(const char *vpc_id, const char *chosen)
{
	return !vpc_id[0] || !chosen[0] || strcmp(vpc_id, chosen) == 0;
}

/* Drops from items (each starting with its id, then vpc_id at vpc_offset)
 * those of other VPCs, freeing them with drop. */
static void keep_vpc(struct vec *items, size_t vpc_offset, const char *chosen,
		     void (*drop)(void *item))
{
	size_t kept = 0;

	for (size_t i = 0; i < items->len; i++) {
		char *item = (char *)items->items + i * items->item_size;

		if (!is_kept(item + vpc_offset, chosen)) {
			drop(item);
			continue;
		}
		if (kept != i)
			memcpy((char *)items->items + kept * items->item_size, item, items->item_size);
		kept++;
	}
	items->len = kept;
}

static void drop_sg(void *item)
{
	vec_free(&((struct vpc_sg *)item)->rules);
}

static void drop_nacl(void *item)
{
	vec_free(&((struct vpc_nacl *)item)->entries);
	vec_free(&((struct vpc_nacl *)item)->subnet_ids);
}

static void drop_nothing(void *item)
{
	(void)item;
}

static void drop_eni(void *item)
{
	vec_free(&((struct vpc_eni *)item)->addrs);
	vec_free(&((struct vpc_eni *)item)->group_ids);
	vec_free(&((struct vpc_eni *)item)->groups);
}

static void drop_vpc(void *item)
{
	vec_free(&((struct vpc_vpc *)item)->cidrs);
}

int awsjson_select_vpc(struct vpc_model *model, const char *vpc_id, struct bw_err *err)
{
	struct vec ids = VEC_INIT(struct vpc_id);
	char chosen[VPC_ID_MAX] = "", names[400];
	int rc = 0;

	if (vpc_id && !awsjson_is_id(vpc_id, "vpc-"))
		return bw_err_input(err, "'%.64s' is not a VPC id (vpc-<8 to 17 hex digits>)", vpc_id);
	/* Subnet ids are unique in a region: an ENI without VpcId is in its subnet's VPC. */
	for (size_t i = 0; i < model->enis.len; i++) {
		struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, i);
		int subnet = eni->vpc_id[0] ? -1 : vpc_find_subnet(model, eni->subnet_id);

		if (subnet >= 0)
			memcpy(eni->vpc_id, VEC_AT(&model->subnets, struct vpc_subnet, subnet)->vpc_id,
			       VPC_ID_MAX);
	}
	if (named_vpcs(model, &ids) < 0) {
		vec_free(&ids);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	list_ids(&ids, names, sizeof(names));
	if (!vpc_id && ids.len > 1) {
		rc = bw_err_input(err, "the files hold %zu VPCs (%s): choose one with --vpc", ids.len,
				  names);
	} else if (!vpc_id && ids.len == 1) {
		memcpy(chosen, VEC_AT(&ids, struct vpc_id, 0)->id, VPC_ID_MAX);
	} else if (vpc_id) {
		bool is_found = ids.len == 0; /* no object names a VPC: all are vpc_id's */

		for (size_t i = 0; i < ids.len; i++)
			is_found |= strcmp(VEC_AT(&ids, struct vpc_id, i)->id, vpc_id) == 0;
		if (!is_found)
			rc = bw_err_input(err, "the files hold no %s (they hold %s)", vpc_id, names);
		snprintf(chosen, sizeof(chosen), "%s", vpc_id);
	}
	vec_free(&ids);
	if (rc < 0)
		return rc;
	keep_vpc(&model->sgs, offsetof(struct vpc_sg, vpc_id), chosen, drop_sg);
	keep_vpc(&model->nacls, offsetof(struct vpc_nacl, vpc_id), chosen, drop_nacl);
	keep_vpc(&model->subnets, offsetof(struct vpc_subnet, vpc_id), chosen, drop_nothing);
	keep_vpc(&model->enis, offsetof(struct vpc_eni, vpc_id), chosen, drop_eni);
	/* vpcs.json lists every VPC of the region, and its ranges say which
	 * addresses are the VPC's own: only the chosen one's count. */
	keep_vpc(&model->vpcs, 0, chosen[0] ? chosen : "-", drop_vpc);
	memcpy(model->vpc_id, chosen, VPC_ID_MAX);
	return 0;
}

/* ---- linking ---------------------------------------------------------- */

/* Whether range holds all of inner (an address or a delegated prefix). */
static bool holds(const struct cidr *range, const struct cidr *inner)
{
	return range->prefix_len <= inner->prefix_len && cidr_contains(range, inner);
}

static uint32_t v4_value(const struct cidr *c)
{
	return (uint32_t)c->addr[0] << 24 | (uint32_t)c->addr[1] << 16 | (uint32_t)c->addr[2] << 8 |
	       c->addr[3];
}

/* Whether inner (held by the IPv4 range) takes one of the addresses AWS
 * keeps in every subnet: the first four (network, router, DNS, future)
 * and the last. An ENI at the VPC's +2 would be taken for the resolver,
 * which nothing filters. */
static bool takes_reserved_v4(const struct cidr *range, const struct cidr *inner)
{
	uint32_t size = range->prefix_len ? 1u << (32 - range->prefix_len) : 0;
	uint32_t first = v4_value(inner) - v4_value(range);
	uint32_t span = inner->prefix_len ? 1u << (32 - inner->prefix_len) : 0;

	return first < 4 || (size && first + span == size);
}

static int link_enis(struct vpc_model *model, const struct vec *sgs, struct awsjson_where *w)
{
	for (size_t i = 0; i < model->enis.len; i++) {
		struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, i);
		const struct vpc_subnet *subnet;

		w->filename = awsjson_eni_file(eni);
		snprintf(w->what, sizeof(w->what), "%s%s%s", eni->instance_id,
			 eni->instance_id[0] ? " " : "", eni->id);
		eni->subnet = vpc_find_subnet(model, eni->subnet_id);
		if (eni->subnet < 0)
			return awsjson_bad(w, "subnet %s is not one of %s's in subnets.json",
					   eni->subnet_id, model->vpc_id[0] ? model->vpc_id : "the VPC");
		subnet = VEC_AT(&model->subnets, struct vpc_subnet, eni->subnet);
		/* AWS gives an ENI addresses of its subnet; the ACLs are found by
		 * address, so one outside would be judged by the wrong ACL. */
		for (size_t j = 0; j < eni->addrs.len; j++) {
			const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, j);

			if (!(subnet->has_v4 && holds(&subnet->v4, addr)) &&
			    !(subnet->has_v6 && holds(&subnet->v6, addr)))
				return awsjson_bad(w, "address %s is outside its subnet %s", addr->text,
						   subnet->id);
			if (addr->family == AF_INET && takes_reserved_v4(&subnet->v4, addr))
				return awsjson_bad(w, "address %s is one AWS reserves in subnet %s "
						   "(its first four and its last)", addr->text,
						   subnet->id);
		}
		eni->groups.len = 0;
		for (size_t j = 0; j < eni->group_ids.len; j++) {
			const char *id = VEC_AT(&eni->group_ids, struct vpc_id, j)->id;
			int group = find_sg(sgs, id);

			if (group < 0)
				return awsjson_bad(w, "security group %s is not in security-groups.json",
						   id);
			if (vec_push(&eni->groups, &group) < 0)
				return awsjson_oom(w);
		}
	}
	return 0;
}

/* Each subnet's ACL: the one associated with it, or else, as in AWS, its
 * VPC's default ACL (a filtered or hand-made file may omit the implicit
 * associations AWS lists under the default ACL). */
static int link_acls(struct vpc_model *model, struct awsjson_where *w)
{
	int default_acl = -1;

	w->filename = "network-acls.json";
	for (size_t i = 0; i < model->nacls.len; i++) {
		const struct vpc_nacl *acl = VEC_AT(&model->nacls, struct vpc_nacl, i);

		snprintf(w->what, sizeof(w->what), "%s", acl->id);
		if (acl->is_default && default_acl >= 0)
			return awsjson_bad(w, "a second default ACL (IsDefault) in the VPC, with %s",
					   VEC_AT(&model->nacls, struct vpc_nacl, default_acl)->id);
		if (acl->is_default)
			default_acl = (int)i;
		for (size_t j = 0; j < acl->subnet_ids.len; j++) {
			const char *id = VEC_AT(&acl->subnet_ids, struct vpc_id, j)->id;
			int subnet = vpc_find_subnet(model, id);

			if (subnet < 0)
				return awsjson_bad(w, "associated subnet %s is not in subnets.json", id);
			if (VEC_AT(&model->subnets, struct vpc_subnet, subnet)->nacl >= 0)
				return awsjson_bad(w, "subnet %s is associated with two ACLs", id);
			VEC_AT(&model->subnets, struct vpc_subnet, subnet)->nacl = (int)i;
		}
	}
	for (size_t i = 0; i < model->subnets.len; i++) {
		struct vpc_subnet *subnet = VEC_AT(&model->subnets, struct vpc_subnet, i);

		if (subnet->nacl < 0)
			subnet->nacl = default_acl;
		/* AWS has no such subnet: every VPC has a default ACL. Judging
		 * its traffic by no ACL at all would let through what an ACL
		 * of the real VPC denies. */
		if (subnet->nacl < 0) {
			w->filename = "network-acls.json";
			snprintf(w->what, sizeof(w->what), "%s", subnet->id);
			return awsjson_bad(w, "no network ACL: no association and no default ACL "
					   "(IsDefault) of its VPC");
		}
	}
	return 0;
}

int awsjson_link(struct vpc_model *model, struct vec *warnings, struct bw_err *err)
{
	struct awsjson_where w = { .filename = "", .err = err };
	struct vec sgs = VEC_INIT(struct sg_index);
	int rc = 0;

	if (!model->vpc_id[0])
		rc = awsjson_select_vpc(model, NULL, err);
	if (rc == 0 && index_sgs(model, &sgs) < 0)
		rc = awsjson_oom(&w);
	if (rc == 0)
		rc = awsjson_check_subnets(model, err);
	if (rc == 0)
		rc = link_enis(model, &sgs, &w);
	if (rc == 0)
		rc = awsjson_check_enis(model, err);
	if (rc == 0)
		rc = link_acls(model, &w);
	if (rc == 0) {
		w.filename = "security-groups.json";
		rc = link_rules(model, &sgs, warnings, &w);
	}
	vec_free(&sgs);
	return rc;
}
