#include "render/vpc_nft.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "render/boxes.h"
#include "util/strbuf.h"

enum set_kind { KIND_PORTS, KIND_ICMP, KIND_PROTO, KIND_ALL, N_KINDS };

static const char *const kind_names[N_KINDS] = { "ports", "icmp", "proto", "all" };

struct family_names {
	int family;
	const char *suffix;   /* v4 / v6 */
	const char *ip;       /* ip / ip6 */
	const char *icmp;     /* icmp / icmpv6 */
	int icmp_proto;
};

static const struct family_names families[2] = {
	{ AF_INET, "v4", "ip", "icmp", VPC_PROTO_ICMP },
	{ AF_INET6, "v6", "ip6", "icmpv6", VPC_PROTO_ICMPV6 },
};

/* ---- addresses ------------------------------------------------------- */

static addr128 to_a128(const uint8_t *bytes, int family)
{
	addr128 v = 0;

	for (size_t i = 0; i < cidr_addr_len(family); i++)
		v = (v << 8) | bytes[i];
	return v;
}

static void cidr_range(const struct cidr *c, addr128 *lo, addr128 *hi)
{
	uint8_t first[16], last[16];

	cidr_bounds(c, first, last);
	*lo = to_a128(first, c->family);
	*hi = to_a128(last, c->family);
}

static void format_addr(addr128 v, int family, char *out, size_t out_size)
{
	uint8_t bytes[16];
	size_t len = cidr_addr_len(family);

	for (size_t i = len; i-- > 0;) {
		bytes[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	inet_ntop(family, bytes, out, (socklen_t)out_size);
}

/* "10.0.0.0/8", "10.0.0.5", or "10.0.0.5-10.0.0.9". */
static void add_range(struct strbuf *sb, addr128 lo, addr128 hi, int family)
{
	int bits = (int)cidr_addr_len(family) * 8;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	addr128 size = hi - lo;

	format_addr(lo, family, a, sizeof(a));
	if (lo == hi) {
		strbuf_addf(sb, "%s", a);
		return;
	}
	/* A range is a prefix when its size is a power of two and lo is aligned. */
	if ((size & (size + 1)) == 0 && (lo & size) == 0) {
		int host_bits = 0;

		while (host_bits < bits && ((size >> host_bits) & 1))
			host_bits++;
		strbuf_addf(sb, "%s/%d", a, bits - host_bits);
		return;
	}
	format_addr(hi, family, b, sizeof(b));
	strbuf_addf(sb, "%s-%s", a, b);
}

static void add_interval(struct strbuf *sb, uint32_t lo, uint32_t hi)
{
	if (lo == hi)
		strbuf_addf(sb, "%u", lo);
	else
		strbuf_addf(sb, "%u-%u", lo, hi);
}

/* ---- security groups ------------------------------------------------- */

static bool eni_in_group(const struct vpc_eni *eni, int group)
{
	for (size_t i = 0; i < eni->groups.len; i++)
		if (*VEC_AT(&eni->groups, int, i) == group)
			return true;
	return false;
}

/* The kind of set a rule lands in, for one family. */
static enum set_kind rule_kind(const struct vpc_traffic *t, const struct family_names *f)
{
	if (t->proto == VPC_PROTO_ALL)
		return KIND_ALL;
	if (t->proto == VPC_PROTO_TCP || t->proto == VPC_PROTO_UDP)
		return KIND_PORTS;
	if (t->proto == f->icmp_proto)
		return KIND_ICMP;
	return KIND_PROTO;
}

static int push_peer_box(struct vec *boxes, addr128 lo, addr128 hi, const struct vpc_traffic *t,
			 enum set_kind kind)
{
	struct box box = { .addr_lo = lo, .addr_hi = hi, .verdict = 1 };

	switch (kind) {
	case KIND_PORTS:
		box.a_lo = box.a_hi = (uint32_t)t->proto;
		box.b_lo = t->port_from;
		box.b_hi = t->port_to;
		break;
	case KIND_ICMP:
		box.a_lo = t->icmp_type < 0 ? 0 : (uint32_t)t->icmp_type;
		box.a_hi = t->icmp_type < 0 ? 255 : (uint32_t)t->icmp_type;
		box.b_lo = t->icmp_code < 0 ? 0 : (uint32_t)t->icmp_code;
		box.b_hi = t->icmp_code < 0 ? 255 : (uint32_t)t->icmp_code;
		break;
	case KIND_PROTO:
		box.a_lo = box.a_hi = (uint32_t)t->proto;
		break;
	default:
		break;
	}
	return vec_push(boxes, &box);
}

/* The boxes of one set: every rule of the group's direction that lands in
 * kind, once for each address range its peer means in this family. */
static int sg_boxes(const struct vpc_model *model, const struct vpc_sg *sg, enum vpc_dir dir,
		    enum set_kind kind, const struct family_names *f, struct vec *boxes)
{
	int rc = 0;

	for (size_t r = 0; rc == 0 && r < sg->rules.len; r++) {
		const struct sg_rule *rule = VEC_AT(&sg->rules, struct sg_rule, r);
		addr128 lo, hi;

		if (rule->dir != dir || rule_kind(&rule->traffic, f) != kind)
			continue;
		if (rule->peer_kind == VPC_PEER_CIDR) {
			if (rule->cidr.family != f->family)
				continue;
			cidr_range(&rule->cidr, &lo, &hi);
			rc = push_peer_box(boxes, lo, hi, &rule->traffic, kind);
		} else if (rule->peer_kind == VPC_PEER_GROUP && rule->peer >= 0) {
			for (size_t e = 0; rc == 0 && e < model->enis.len; e++) {
				const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

				if (!eni_in_group(eni, rule->peer))
					continue;
				for (size_t a = 0; rc == 0 && a < eni->addrs.len; a++) {
					const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, a);

					if (addr->family != f->family)
						continue;
					lo = to_a128(addr->addr, addr->family);
					rc = push_peer_box(boxes, lo, lo, &rule->traffic, kind);
				}
			}
		} else if (rule->peer_kind == VPC_PEER_PREFIX_LIST && rule->peer >= 0) {
			const struct vpc_prefix_list *list =
				VEC_AT(&model->prefix_lists, struct vpc_prefix_list, rule->peer);

			for (size_t c = 0; rc == 0 && c < list->cidrs.len; c++) {
				const struct cidr *cidr = VEC_AT(&list->cidrs, struct cidr, c);

				if (cidr->family != f->family)
					continue;
				cidr_range(cidr, &lo, &hi);
				rc = push_peer_box(boxes, lo, hi, &rule->traffic, kind);
			}
		}
	}
	return rc;
}

static void add_elements(struct strbuf *sb, const struct vec *boxes, enum set_kind kind,
			 int family, const char *verdict_allow, const char *verdict_deny)
{
	for (size_t i = 0; i < boxes->len; i++) {
		const struct box *b = VEC_AT(boxes, struct box, i);

		strbuf_addf(sb, "%s", i ? ",\n\t\t\t     " : "");
		add_range(sb, b->addr_lo, b->addr_hi, family);
		if (kind != KIND_ALL) {
			strbuf_addf(sb, " . ");
			add_interval(sb, b->a_lo, b->a_hi);
		}
		if (kind == KIND_PORTS || kind == KIND_ICMP) {
			strbuf_addf(sb, " . ");
			add_interval(sb, b->b_lo, b->b_hi);
		}
		if (verdict_allow)
			strbuf_addf(sb, " : %s", b->verdict ? verdict_allow : verdict_deny);
	}
}

static const char *dir_name(enum vpc_dir dir)
{
	return dir == VPC_INGRESS ? "in" : "out";
}

/* The typeof of a set or map: peer . protocol . port, and so on. */
static void add_typeof(struct strbuf *sb, enum set_kind kind, const struct family_names *f,
		       const char *addr_field)
{
	strbuf_addf(sb, "%s %s", f->ip, addr_field);
	if (kind == KIND_PORTS)
		strbuf_addf(sb, " . meta l4proto . th dport");
	else if (kind == KIND_ICMP)
		strbuf_addf(sb, " . %s type . %s code", f->icmp, f->icmp);
	else if (kind == KIND_PROTO)
		strbuf_addf(sb, " . meta l4proto");
}

/* The disjoint elements of each of a group's sets. */
struct sg_sets {
	struct vec elements[2][2][N_KINDS]; /* [dir][family][kind], struct box */
};

static void sg_sets_free(struct sg_sets *sets)
{
	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++)
			for (int k = 0; k < N_KINDS; k++)
				vec_free(&sets->elements[d][f][k]);
}

/* The sets of group sg (whose rules may differ from the model's: the
 * group as it was before a change). */
static int sg_sets_build(const struct vpc_model *model, const struct vpc_sg *sg,
			 struct sg_sets *sets)
{
	int rc = 0;

	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++)
			for (int k = 0; k < N_KINDS; k++)
				sets->elements[d][f][k] = (struct vec)VEC_INIT(struct box);
	for (int d = 0; rc == 0 && d < 2; d++) {
		for (int f = 0; rc == 0 && f < 2; f++) {
			for (int k = 0; rc == 0 && k < N_KINDS; k++) {
				struct vec in = VEC_INIT(struct box);

				rc = sg_boxes(model, sg, (enum vpc_dir)d, (enum set_kind)k, &families[f], &in);
				if (rc == 0)
					rc = boxes_first_match(in.items, in.len, &sets->elements[d][f][k]);
				vec_free(&in);
			}
		}
	}
	if (rc < 0)
		sg_sets_free(sets);
	return rc;
}

static void set_name(char *out, size_t size, int sg, int dir, int family, int kind)
{
	snprintf(out, size, "sg%d_%s_%s_%s", sg, dir_name((enum vpc_dir)dir), kind_names[kind],
		 families[family].suffix);
}

static void add_set_declaration(struct strbuf *sb, const char *indent, int dir, int family,
				int kind)
{
	strbuf_addf(sb, "%stypeof ", indent);
	add_typeof(sb, (enum set_kind)kind, &families[family], dir == VPC_INGRESS ? "saddr" : "daddr");
	strbuf_addf(sb, "\n%sflags interval\n", indent);
}

/* Empty sets are left out, and so are their lookups: fewer objects to
 * load, and no lookup a packet would pay for nothing. */
static void render_sg_sets(struct strbuf *sb, int sg, const struct sg_sets *sets)
{
	for (int d = 0; d < 2; d++) {
		for (int f = 0; f < 2; f++) {
			for (int k = 0; k < N_KINDS; k++) {
				const struct vec *elements = &sets->elements[d][f][k];
				char name[64];

				if (elements->len == 0)
					continue;
				set_name(name, sizeof(name), sg, d, f, k);
				strbuf_addf(sb, "\tset %s {\n", name);
				add_set_declaration(sb, "\t\t", d, f, k);
				strbuf_addf(sb, "\t\telements = { ");
				add_elements(sb, elements, (enum set_kind)k, families[f].family, NULL, NULL);
				strbuf_addf(sb, " }\n\t}\n\n");
			}
		}
	}
}

/* The lookups of one chain, as lines with the given prefix (a tab inside
 * a table, or "add rule inet TABLE CHAIN " in an update). */
static void render_sg_lookups(struct strbuf *sb, const char *prefix, int sg, enum vpc_dir dir,
			      const struct sg_sets *sets)
{
	for (int f = 0; f < 2; f++) {
		for (int k = 0; k < N_KINDS; k++) {
			char name[64];

			if (sets->elements[dir][f][k].len == 0)
				continue;
			set_name(name, sizeof(name), sg, dir, f, k);
			strbuf_addf(sb, "%s", prefix);
			add_typeof(sb, (enum set_kind)k, &families[f],
				   dir == VPC_INGRESS ? "saddr" : "daddr");
			strbuf_addf(sb, " @%s accept\n", name);
		}
	}
}

static void render_sg_chain(struct strbuf *sb, const struct vpc_model *model, int sg,
			    enum vpc_dir dir, const struct sg_sets *sets)
{
	strbuf_addf(sb, "\t# %s %s\n", VEC_AT(&model->sgs, struct vpc_sg, sg)->id,
		    dir == VPC_INGRESS ? "ingress" : "egress");
	strbuf_addf(sb, "\tchain sg%d_%s {\n", sg, dir_name(dir));
	render_sg_lookups(sb, "\t\t", sg, dir, sets);
	strbuf_addf(sb, "\t}\n\n");
}

/* ---- group sets and ENI dispatch ------------------------------------- */

/* The distinct lists of groups ENIs have; eni_set[e] is ENI e's. */
struct group_sets {
	const struct vpc_eni **first_eni; /* a representative per set */
	size_t n;
	size_t *eni_set;
};

static bool same_groups(const struct vpc_eni *x, const struct vpc_eni *y)
{
	if (x->groups.len != y->groups.len)
		return false;
	return memcmp(x->groups.items, y->groups.items, x->groups.len * sizeof(int)) == 0;
}

static int find_group_sets(const struct vpc_model *model, struct group_sets *gs)
{
	gs->n = 0;
	gs->first_eni = calloc(model->enis.len + 1, sizeof(const struct vpc_eni *));
	gs->eni_set = calloc(model->enis.len + 1, sizeof(*gs->eni_set));
	if (!gs->first_eni || !gs->eni_set)
		return -1;
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
		size_t k = 0;

		while (k < gs->n && !same_groups(gs->first_eni[k], eni))
			k++;
		if (k == gs->n)
			gs->first_eni[gs->n++] = eni;
		gs->eni_set[e] = k;
	}
	return 0;
}

static void render_group_set_chains(struct strbuf *sb, const struct group_sets *gs)
{
	for (size_t k = 0; k < gs->n; k++) {
		for (int dir = 0; dir < 2; dir++) {
			const struct vpc_eni *eni = gs->first_eni[k];

			strbuf_addf(sb, "\tchain gs%zu_%s {\n", k, dir_name((enum vpc_dir)dir));
			for (size_t g = 0; g < eni->groups.len; g++)
				strbuf_addf(sb, "\t\tjump sg%d_%s\n", *VEC_AT(&eni->groups, int, g),
					    dir_name((enum vpc_dir)dir));
			strbuf_addf(sb, "\t\tdrop\n\t}\n\n");
		}
	}
}

static void render_eni_maps(struct strbuf *sb, const struct vpc_model *model,
			    const struct group_sets *gs)
{
	for (int dir = 0; dir < 2; dir++) {
		for (int fi = 0; fi < 2; fi++) {
			const struct family_names *f = &families[fi];
			const char *sep = "";

			strbuf_addf(sb, "\tmap eni_%s_%s {\n\t\ttypeof %s %s : verdict\n",
				    dir_name((enum vpc_dir)dir), f->suffix, f->ip,
				    dir == VPC_INGRESS ? "daddr" : "saddr");
			for (size_t e = 0; e < model->enis.len; e++) {
				const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

				for (size_t a = 0; a < eni->addrs.len; a++) {
					const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, a);
					char text[INET6_ADDRSTRLEN];

					if (addr->family != f->family)
						continue;
					inet_ntop(addr->family, addr->addr, text, sizeof(text));
					strbuf_addf(sb, "%s%s : goto gs%zu_%s", *sep ? ",\n\t\t\t     " :
						    "\t\telements = { ", text, gs->eni_set[e],
						    dir_name((enum vpc_dir)dir));
					sep = ",";
				}
			}
			strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
		}
	}
}

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
		cidr_range(&e->cidr, &box.addr_lo, &box.addr_hi);
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
			const struct family_names *f = &families[fi];

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
				add_typeof(sb, as_set_kind[kind], f, egress ? "daddr" : "saddr");
				strbuf_addf(sb, " : verdict\n\t\tflags interval\n");
				if (out.len) {
					strbuf_addf(sb, "\t\telements = { ");
					add_elements(sb, &out, as_set_kind[kind], f->family, "return",
						     "drop");
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
			strbuf_addf(sb, "\t\tip %s %s return\n", remote, subnet->v4.text);
			if (subnet->has_v6)
				strbuf_addf(sb, "\t\tip6 %s %s return\n", remote, subnet->v6.text);
			for (int fi = 0; fi < 2; fi++) {
				const struct family_names *f = &families[fi];

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
			const struct family_names *f = &families[fi];
			const char *sep = "";

			strbuf_addf(sb, "\tmap subnet_%s_%s {\n\t\ttypeof %s %s : verdict\n\t\tflags interval\n",
				    egress ? "out" : "in", f->suffix, f->ip, egress ? "saddr" : "daddr");
			for (size_t s = 0; s < model->subnets.len; s++) {
				const struct vpc_subnet *subnet = VEC_AT(&model->subnets, struct vpc_subnet, s);
				const struct cidr *range = fi ? &subnet->v6 : &subnet->v4;

				if (subnet->nacl < 0 || (fi && !subnet->has_v6))
					continue;
				strbuf_addf(sb, "%s%s : jump subnet%zu_%s", *sep ? ",\n\t\t\t     " :
					    "\t\telements = { ", range->text, s, egress ? "out" : "in");
				sep = ",";
			}
			strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
		}
	}
}

/* Neighbour discovery is the VPC's own business in AWS (as ARP is, which
 * never meets these hooks): bridged between instances of a subnet, it
 * must pass whatever the groups and ACLs say. */
#define ND_ACCEPT "\t\ticmpv6 type { nd-router-solicit, nd-router-advert, " \
		  "nd-neighbor-solicit, nd-neighbor-advert } accept\n"

/* ACLs are stateless: every packet is judged. But every packet of one
 * direction of a tracked flow carries the same addresses, protocol and
 * port (or ICMP type and code), the only fields an ACL reads, so it gets
 * the verdict the direction's first packet got. That verdict is kept in
 * the flow's ct mark, under this ruleset's generation: a new ruleset has a
 * new generation and judges every flow afresh (an ACL change cuts a flow
 * at once, as in AWS). Related packets (ICMP errors) are always judged. */
static int lowest_bit(uint32_t mask)
{
	return __builtin_ctz(mask);
}

bool vpc_ct_mask_is_valid(uint32_t mask)
{
	int bits = __builtin_popcount(mask);
	uint32_t run;

	if (mask == 0 || bits < VPC_CT_MIN_BITS || bits > VPC_CT_MAX_BITS)
		return false;
	run = mask >> lowest_bit(mask);
	return (run & (run + 1)) == 0;
}

unsigned vpc_ct_generations(uint32_t mask)
{
	return (1u << (__builtin_popcount(mask) - 2)) - 1;
}

static void render_nacl_chain(struct strbuf *sb, const struct vpc_nft_opts *opts)
{
	uint32_t mask = opts->ct_mark_mask;
	int shift = lowest_bit(mask);
	uint32_t original = 1u << (31 - __builtin_clz(mask));
	uint32_t reply = original >> 1;
	uint32_t gen_mask = mask & ~(original | reply);
	uint32_t gen = ((uint32_t)opts->generation << shift) & gen_mask;

	strbuf_addf(sb,
		"\tchain nacl {\n"
		"\t\ttype filter hook forward priority filter - 10; policy accept;\n"
		"\t\tct state established ct direction original ct mark & 0x%08x == 0x%08x accept\n"
		"\t\tct state established ct direction reply ct mark & 0x%08x == 0x%08x accept\n"
		ND_ACCEPT
		"\t\tip saddr vmap @subnet_out_v4\n"
		"\t\tip6 saddr vmap @subnet_out_v6\n"
		"\t\tip daddr vmap @subnet_in_v4\n"
		"\t\tip6 daddr vmap @subnet_in_v6\n"
		"\t\tct state new,established ct mark & 0x%08x != 0x%08x ct mark set ct mark & 0x%08x | 0x%08x\n"
		"\t\tct state new,established ct direction original ct mark set ct mark | 0x%08x\n"
		"\t\tct state new,established ct direction reply ct mark set ct mark | 0x%08x\n"
		"\t}\n\n",
		original | gen_mask, original | gen,
		reply | gen_mask, reply | gen,
		gen_mask, gen, ~mask, gen,
		original, reply);
}

static void render_base_chains(struct strbuf *sb, const struct vpc_nft_opts *opts)
{
	render_nacl_chain(sb, opts);
	strbuf_addf(sb,
		"\tchain sg_egress {\n"
		"\t\ttype filter hook forward priority filter; policy accept;\n"
		"\t\tct state established,related accept\n"
		ND_ACCEPT
		"\t\tip saddr vmap @eni_out_v4\n"
		"\t\tip6 saddr vmap @eni_out_v6\n"
		"\t}\n\n"
		"\tchain sg_ingress {\n"
		"\t\ttype filter hook forward priority filter + 10; policy accept;\n"
		"\t\tct state established,related accept\n"
		ND_ACCEPT
		"\t\tip daddr vmap @eni_in_v4\n"
		"\t\tip6 daddr vmap @eni_in_v6\n"
		"\t}\n");
}

char *vpc_nft_render(const struct vpc_model *model, const struct vpc_nft_opts *opts)
{
	struct strbuf sb = { 0 };
	struct group_sets gs = { 0 };
	int rc = find_group_sets(model, &gs);

	strbuf_addf(&sb, VPC_NFT_DELETE "table inet " VPC_NFT_TABLE " {\n");
	for (size_t i = 0; rc == 0 && i < model->sgs.len; i++) {
		struct sg_sets sets;

		rc = sg_sets_build(model, VEC_AT(&model->sgs, struct vpc_sg, i), &sets);
		if (rc < 0)
			break;
		render_sg_sets(&sb, (int)i, &sets);
		render_sg_chain(&sb, model, (int)i, VPC_INGRESS, &sets);
		render_sg_chain(&sb, model, (int)i, VPC_EGRESS, &sets);
		sg_sets_free(&sets);
	}
	if (rc == 0) {
		render_group_set_chains(&sb, &gs);
		render_eni_maps(&sb, model, &gs);
	}
	for (size_t i = 0; rc == 0 && i < model->nacls.len; i++) {
		strbuf_addf(&sb, "\t# %s\n", VEC_AT(&model->nacls, struct vpc_nacl, i)->id);
		rc = render_acl_maps(&sb, model, (int)i);
	}
	if (rc == 0) {
		render_subnet_chains(&sb, model);
		render_subnet_maps(&sb, model);
		render_base_chains(&sb, opts);
	}
	strbuf_addf(&sb, "}\n");
	free(gs.first_eni);
	free(gs.eni_set);
	if (rc < 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_take(&sb);
}

static bool same_boxes(const struct vec *a, const struct vec *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		const struct box *x = VEC_AT(a, struct box, i), *y = VEC_AT(b, struct box, i);

		if (x->addr_lo != y->addr_lo || x->addr_hi != y->addr_hi || x->a_lo != y->a_lo ||
		    x->a_hi != y->a_hi || x->b_lo != y->b_lo || x->b_hi != y->b_hi ||
		    x->verdict != y->verdict)
			return false;
	}
	return true;
}

/* Whether the same sets are non-empty in both: then the loaded chains
 * already look up exactly these sets. */
static bool same_set_shape(const struct sg_sets *a, const struct sg_sets *b)
{
	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++)
			for (int k = 0; k < N_KINDS; k++)
				if ((a->elements[d][f][k].len == 0) != (b->elements[d][f][k].len == 0))
					return false;
	return true;
}

char *vpc_nft_render_sg_update(const struct vpc_model *model, int sg,
			       const struct vpc_sg *previous)
{
	struct strbuf sb = { 0 };
	struct sg_sets sets, before = { 0 };
	bool is_same_shape = false;

	if (sg_sets_build(model, VEC_AT(&model->sgs, struct vpc_sg, sg), &sets) < 0)
		return NULL;
	if (previous) {
		if (sg_sets_build(model, previous, &before) < 0) {
			sg_sets_free(&sets);
			return NULL;
		}
		is_same_shape = same_set_shape(&sets, &before);
	}
	for (int d = 0; d < 2; d++) {
		char prefix[96];

		for (int f = 0; f < 2; f++) {
			for (int k = 0; k < N_KINDS; k++) {
				const struct vec *elements = &sets.elements[d][f][k];
				char name[64];

				set_name(name, sizeof(name), sg, d, f, k);
				/* The same sets as before: refill those that changed. */
				if (is_same_shape && (elements->len == 0 ||
						      same_boxes(elements, &before.elements[d][f][k])))
					continue;
				/* Otherwise make sure of each (add is a no-op for a set
				 * that exists), empty it and refill it. */
				if (!is_same_shape) {
					strbuf_addf(&sb, "add set inet " VPC_NFT_TABLE " %s { typeof ", name);
					add_typeof(&sb, (enum set_kind)k, &families[f],
						   d == VPC_INGRESS ? "saddr" : "daddr");
					strbuf_addf(&sb, "; flags interval; }\n");
				}
				strbuf_addf(&sb, "flush set inet " VPC_NFT_TABLE " %s\n", name);
				if (elements->len == 0)
					continue;
				strbuf_addf(&sb, "add element inet " VPC_NFT_TABLE " %s { ", name);
				add_elements(&sb, elements, (enum set_kind)k, families[f].family, NULL, NULL);
				strbuf_addf(&sb, " }\n");
			}
		}
		if (is_same_shape)
			continue;
		snprintf(prefix, sizeof(prefix), "add rule inet " VPC_NFT_TABLE " sg%d_%s ", sg,
			 dir_name((enum vpc_dir)d));
		strbuf_addf(&sb, "flush chain inet " VPC_NFT_TABLE " sg%d_%s\n", sg,
			    dir_name((enum vpc_dir)d));
		render_sg_lookups(&sb, prefix, sg, (enum vpc_dir)d, &sets);
	}
	sg_sets_free(&sets);
	if (previous)
		sg_sets_free(&before);
	return strbuf_take(&sb);
}
