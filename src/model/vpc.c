#include "model/vpc.h"

#include <stdio.h>
#include <string.h>

void vpc_model_init(struct vpc_model *model)
{
	model->sgs = (struct vec)VEC_INIT(struct vpc_sg);
	model->nacls = (struct vec)VEC_INIT(struct vpc_nacl);
	model->subnets = (struct vec)VEC_INIT(struct vpc_subnet);
	model->enis = (struct vec)VEC_INIT(struct vpc_eni);
	model->prefix_lists = (struct vec)VEC_INIT(struct vpc_prefix_list);
	model->vpcs = (struct vec)VEC_INIT(struct vpc_vpc);
	model->vpc_id[0] = '\0';
}

void vpc_model_free(struct vpc_model *model)
{
	for (size_t i = 0; i < model->sgs.len; i++)
		vec_free(&VEC_AT(&model->sgs, struct vpc_sg, i)->rules);
	for (size_t i = 0; i < model->nacls.len; i++) {
		vec_free(&VEC_AT(&model->nacls, struct vpc_nacl, i)->entries);
		vec_free(&VEC_AT(&model->nacls, struct vpc_nacl, i)->subnet_ids);
	}
	for (size_t i = 0; i < model->enis.len; i++) {
		vec_free(&VEC_AT(&model->enis, struct vpc_eni, i)->addrs);
		vec_free(&VEC_AT(&model->enis, struct vpc_eni, i)->groups);
		vec_free(&VEC_AT(&model->enis, struct vpc_eni, i)->group_ids);
	}
	for (size_t i = 0; i < model->prefix_lists.len; i++)
		vec_free(&VEC_AT(&model->prefix_lists, struct vpc_prefix_list, i)->cidrs);
	vec_free(&model->sgs);
	vec_free(&model->nacls);
	vec_free(&model->subnets);
	vec_free(&model->enis);
	vec_free(&model->prefix_lists);
	for (size_t i = 0; i < model->vpcs.len; i++)
		vec_free(&VEC_AT(&model->vpcs, struct vpc_vpc, i)->cidrs);
	vec_free(&model->vpcs);
}

/* Every item type starts with its id. */
static int find_by_id(const struct vec *items, const char *id)
{
	for (size_t i = 0; i < items->len; i++)
		if (strcmp((const char *)items->items + i * items->item_size, id) == 0)
			return (int)i;
	return -1;
}

int vpc_find_sg(const struct vpc_model *model, const char *id)
{
	return find_by_id(&model->sgs, id);
}

int vpc_find_subnet(const struct vpc_model *model, const char *id)
{
	return find_by_id(&model->subnets, id);
}

int vpc_find_prefix_list(const struct vpc_model *model, const char *id)
{
	return find_by_id(&model->prefix_lists, id);
}

int vpc_find_eni_by_addr(const struct vpc_model *model, const struct cidr *addr)
{
	for (size_t i = 0; i < model->enis.len; i++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, i);

		for (size_t j = 0; j < eni->addrs.len; j++) {
			const struct cidr *a = VEC_AT(&eni->addrs, struct cidr, j);

			/* a may be a delegated prefix: every address in it is the ENI's. */
			if (a->prefix_len <= addr->prefix_len && cidr_contains(a, addr))
				return (int)i;
		}
	}
	return -1;
}

int vpc_find_subnet_by_addr(const struct vpc_model *model, const struct cidr *addr)
{
	for (size_t i = 0; i < model->subnets.len; i++) {
		const struct vpc_subnet *s = VEC_AT(&model->subnets, struct vpc_subnet, i);

		if ((s->has_v4 && cidr_contains(&s->v4, addr)) ||
		    (s->has_v6 && cidr_contains(&s->v6, addr)))
			return (int)i;
	}
	return -1;
}

static bool is_icmp(int proto)
{
	return proto == VPC_PROTO_ICMP || proto == VPC_PROTO_ICMPV6;
}

bool vpc_traffic_matches(const struct vpc_traffic *t, int proto, uint16_t dport,
			 int icmp_type, int icmp_code)
{
	if (t->proto == VPC_PROTO_ALL)
		return true;
	if (t->proto != proto)
		return false;
	if (proto == VPC_PROTO_TCP || proto == VPC_PROTO_UDP)
		return dport >= t->port_from && dport <= t->port_to;
	if (is_icmp(proto))
		return (t->icmp_type == -1 || t->icmp_type == icmp_type) &&
		       (t->icmp_code == -1 || t->icmp_code == icmp_code);
	return true;
}

void vpc_traffic_format(const struct vpc_traffic *t, char *out, size_t out_size)
{
	const char *name = t->proto == VPC_PROTO_TCP ? "tcp" :
			   t->proto == VPC_PROTO_UDP ? "udp" :
			   t->proto == VPC_PROTO_ICMP ? "icmp" :
			   t->proto == VPC_PROTO_ICMPV6 ? "icmpv6" : NULL;

	if (t->proto == VPC_PROTO_ALL)
		snprintf(out, out_size, "all traffic");
	else if (!name)
		snprintf(out, out_size, "protocol %d", t->proto);
	else if (!is_icmp(t->proto) && t->port_from == 0 && t->port_to == 65535)
		snprintf(out, out_size, "%s all ports", name);
	else if (!is_icmp(t->proto) && t->port_from == t->port_to)
		snprintf(out, out_size, "%s %u", name, t->port_from);
	else if (!is_icmp(t->proto))
		snprintf(out, out_size, "%s %u-%u", name, t->port_from, t->port_to);
	else if (t->icmp_type == -1)
		snprintf(out, out_size, "%s all types", name);
	else if (t->icmp_code == -1)
		snprintf(out, out_size, "%s type %d", name, t->icmp_type);
	else
		snprintf(out, out_size, "%s type %d code %d", name, t->icmp_type, t->icmp_code);
}
