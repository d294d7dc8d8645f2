#include "render/vpc_nft_int.h"

#include <string.h>

#include "util/fnv.h"

#include <stdlib.h>

/* ---- network ACLs ---------------------------------------------------- */

enum acl_kind { ACL_PORTS, ACL_ICMP, ACL_OTHER, N_ACL_KINDS };

static const char *const acl_kind_names[N_ACL_KINDS] = { "ports", "icmp", "other" };

static int acl_boxes(const struct vpc_nacl *acl, bool is_egress, enum acl_kind kind,
		     const struct family_names *f, struct vec *boxes)
{
	for (size_t i = 0; i < acl->entries.len; i++) {
		const struct nacl_entry *e = VEC_AT(&acl->entries, struct nacl_entry, i);
		const struct vpc_traffic *t = &e->traffic;
		struct box box = { .verdict = e->is_allow };
		int protos[2], n_protos = 0;

		if (e->is_egress != is_egress || e->cidr.family != f->family)
			continue;
		vnft_cidr_range(&e->cidr, &box.addr_lo, &box.addr_hi);
		if (kind == ACL_PORTS) {
			if (t->proto == VPC_PROTO_ALL) {
				protos[n_protos++] = VPC_PROTO_TCP;
				protos[n_protos++] = VPC_PROTO_UDP;
			} else if (t->proto == VPC_PROTO_TCP || t->proto == VPC_PROTO_UDP) {
				protos[n_protos++] = t->proto;
			}
			box.b_lo = t->port_from;
			box.b_hi = t->port_to;
			for (int p = 0; p < n_protos; p++) {
				box.a_lo = box.a_hi = (uint32_t)protos[p];
				if (vec_push(boxes, &box) < 0)
					return -1;
			}
			continue;
		}
		if (kind == ACL_ICMP) {
			if (t->proto != VPC_PROTO_ALL && t->proto != f->icmp_proto)
				continue;
			box.a_lo = t->icmp_type < 0 ? 0 : (uint32_t)t->icmp_type;
			box.a_hi = t->icmp_type < 0 ? 255 : (uint32_t)t->icmp_type;
			box.b_lo = t->icmp_code < 0 ? 0 : (uint32_t)t->icmp_code;
			box.b_hi = t->icmp_code < 0 ? 255 : (uint32_t)t->icmp_code;
		} else {
			box.a_lo = t->proto == VPC_PROTO_ALL ? 0 : (uint32_t)t->proto;
			box.a_hi = t->proto == VPC_PROTO_ALL ? 255 : (uint32_t)t->proto;
		}
		if (vec_push(boxes, &box) < 0)
			return -1;
	}
	return 0;
}

static int render_acl_maps(struct strbuf *sb, const struct vpc_model *model, int acl_index)
{
	const struct vpc_nacl *acl = VEC_AT(&model->nacls, struct vpc_nacl, acl_index);
	static const enum set_kind as_set_kind[N_ACL_KINDS] = { KIND_PORTS, KIND_ICMP, KIND_PROTO };

	for (int egress = 0; egress < 2; egress++) {
		for (int fi = 0; fi < 2; fi++) {
			const struct family_names *f = &vnft_families[fi];

			for (int kind = 0; kind < N_ACL_KINDS; kind++) {
				struct vec in = VEC_INIT(struct box), out = VEC_INIT(struct box);
				int rc = acl_boxes(acl, egress, (enum acl_kind)kind, f, &in);

				if (rc == 0)
					rc = boxes_first_match(in.items, in.len, &out);
				if (rc < 0) {
					vec_free(&in);
					vec_free(&out);
					return -1;
				}
				strbuf_addf(sb, "\tmap acl%d_%s_%s_%s {\n\t\ttypeof ", acl_index,
					    egress ? "out" : "in", acl_kind_names[kind], f->suffix);
				vnft_add_typeof(sb, as_set_kind[kind], f, egress ? "daddr" : "saddr");
				strbuf_addf(sb, " : verdict\n\t\tflags interval\n");
				if (out.len) {
					strbuf_addf(sb, "\t\telements = { ");
					vnft_add_elements(sb, &out, as_set_kind[kind], f->family, "return",
							  egress ? "goto " VPC_NFT_DENIED_ACL_OUT :
								   "goto " VPC_NFT_DENIED_ACL_IN);
					strbuf_addf(sb, " }\n");
				}
				strbuf_addf(sb, "\t}\n\n");
				vec_free(&in);
				vec_free(&out);
			}
		}
	}
	return 0;
}

static void render_subnet_chains(struct strbuf *sb, const struct vpc_model *model)
{
	for (size_t s = 0; s < model->subnets.len; s++) {
		const struct vpc_subnet *subnet = VEC_AT(&model->subnets, struct vpc_subnet, s);

		if (subnet->nacl < 0)
			continue;
		for (int egress = 0; egress < 2; egress++) {
			/* Outbound judges the destination; inbound the source. */
			const char *remote = egress ? "daddr" : "saddr";
			const char *dir = egress ? "out" : "in";

			strbuf_addf(sb, "\t# %s %s\n\tchain subnet%zu_%s {\n", subnet->id,
				    egress ? "outbound" : "inbound", s, dir);
			/* Within a subnet, ACLs do not apply. */
			if (subnet->has_v4)
				strbuf_addf(sb, "\t\tip %s %s return\n", remote, subnet->v4.text);
			if (subnet->has_v6)
				strbuf_addf(sb, "\t\tip6 %s %s return\n", remote, subnet->v6.text);
			for (int fi = 0; fi < 2; fi++) {
				const struct family_names *f = &vnft_families[fi];

				strbuf_addf(sb, "\t\t%s %s . meta l4proto . th dport vmap @acl%d_%s_ports_%s\n",
					    f->ip, remote, subnet->nacl, dir, f->suffix);
				strbuf_addf(sb, "\t\t%s %s . %s type . %s code vmap @acl%d_%s_icmp_%s\n",
					    f->ip, remote, f->icmp, f->icmp, subnet->nacl, dir, f->suffix);
				strbuf_addf(sb, "\t\t%s %s . meta l4proto vmap @acl%d_%s_other_%s\n",
					    f->ip, remote, subnet->nacl, dir, f->suffix);
			}
			strbuf_addf(sb, "\t}\n\n");
		}
	}
}

static void render_subnet_maps(struct strbuf *sb, const struct vpc_model *model)
{
	for (int egress = 0; egress < 2; egress++) {
		for (int fi = 0; fi < 2; fi++) {
			const struct family_names *f = &vnft_families[fi];
			const char *sep = "";

			strbuf_addf(sb, "\tmap subnet_%s_%s {\n\t\ttypeof %s %s : verdict\n\t\tflags interval\n",
				    egress ? "out" : "in", f->suffix, f->ip, egress ? "saddr" : "daddr");
			for (size_t s = 0; s < model->subnets.len; s++) {
				const struct vpc_subnet *subnet = VEC_AT(&model->subnets, struct vpc_subnet, s);
				const struct cidr *range = fi ? &subnet->v6 : &subnet->v4;

				if (subnet->nacl < 0 || (fi ? !subnet->has_v6 : !subnet->has_v4))
					continue;
				strbuf_addf(sb, "%s%s : jump subnet%zu_%s", *sep ? ",\n\t\t\t     " :
					    "\t\telements = { ", range->text, s, egress ? "out" : "in");
				sep = ",";
			}
			strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
		}
	}
}

/* Each ACL's maps, the subnets' chains and the maps from an address to
 * its subnet's chain. */
int vnft_render_acls(struct strbuf *sb, const struct vpc_model *model)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < model->nacls.len; i++) {
		strbuf_addf(sb, "\t# %s\n", VEC_AT(&model->nacls, struct vpc_nacl, i)->id);
		rc = render_acl_maps(sb, model, (int)i);
	}
	if (rc == 0) {
		render_subnet_chains(sb, model);
		render_subnet_maps(sb, model);
	}
	return rc;
}

uint64_t vpc_nft_acl_digest(const struct vpc_model *model)
{
	struct strbuf sb = { 0 };
	uint64_t hash;
	char *text;

	/* Out of memory: a digest no ruleset has, so the caller re-judges. */
	if (vnft_render_acls(&sb, model) < 0 || !(text = strbuf_take(&sb))) {
		strbuf_free(&sb);
		return 0;
	}
	hash = fnv1a64(FNV1A64_OFFSET, text, strlen(text));
	free(text);
	return hash;
}
