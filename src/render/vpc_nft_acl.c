#include "render/vpc_nft_int.h"

#include <string.h>
#include <sys/socket.h>

#include "util/fnv.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- network ACLs ---------------------------------------------------- */

static addr128 addr_top(const struct family_names *f)
{
	return f->family == AF_INET ? (addr128)UINT32_MAX : ~(addr128)0;
}

enum acl_kind { ACL_PORTS, ACL_ICMP, ACL_OTHER, N_ACL_KINDS };

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

/* An ACL direction and family is judged in two steps: a map from the
 * remote address to a chain for its piece of the address space (the
 * pieces are cut where an entry's CIDR starts or ends, so every entry
 * covers a piece whole or not at all), then in that chain small maps on
 * protocol and port (or ICMP type and code) holding the first match of
 * the entries covering the piece. One lookup on a concatenation of
 * address ranges and port ranges was the slowest thing a flow's first
 * packet met: the kernel expands each range of each field into prefixes
 * and the lookup walks them all. Pieces with the same verdicts share a
 * chain. */

static int compare_addr(const void *a, const void *b)
{
	addr128 x = *(const addr128 *)a, y = *(const addr128 *)b;

	return x < y ? -1 : x > y;
}

/* The starts of the pieces: 0, and where each entry's CIDR starts or
 * ends, sorted and unique. */
static int acl_cuts(const struct vpc_nacl *acl, bool is_egress, const struct family_names *f,
		    struct vec *cuts)
{
	addr128 zero = 0;
	size_t m = 0;

	if (vec_push(cuts, &zero) < 0)
		return -1;
	for (size_t i = 0; i < acl->entries.len; i++) {
		const struct nacl_entry *e = VEC_AT(&acl->entries, struct nacl_entry, i);
		addr128 lo, hi, next;

		if (e->is_egress != is_egress || e->cidr.family != f->family)
			continue;
		vnft_cidr_range(&e->cidr, &lo, &hi);
		next = hi + 1;
		if (vec_push(cuts, &lo) < 0 || (next > hi && next <= addr_top(f) && vec_push(cuts, &next) < 0))
			return -1;
	}
	qsort(cuts->items, cuts->len, sizeof(addr128), compare_addr);
	for (size_t i = 0; i < cuts->len; i++)
		if (m == 0 || *VEC_AT(cuts, addr128, m - 1) != *VEC_AT(cuts, addr128, i))
			*VEC_AT(cuts, addr128, m++) = *VEC_AT(cuts, addr128, i);
	cuts->len = m;
	return 0;
}

/* A judgement of at most this many lines is written as plain rules. */
enum { MAX_JUDGEMENT_RULES = 3 };

/* "field_a A [field_b B] verdict": one element as a rule. */
static void add_rule(struct strbuf *sb, const char *field_a, const char *field_b,
		     uint32_t a_lo, uint32_t a_hi, const struct box *e, const char *verdict)
{
	strbuf_addf(sb, "\t\t%s ", field_a);
	vnft_add_interval(sb, a_lo, a_hi);
	if (field_b) {
		strbuf_addf(sb, " %s ", field_b);
		vnft_add_interval(sb, e->b_lo, e->b_hi);
	}
	strbuf_addf(sb, " %s\n", verdict);
}

/* One judgement of a piece's chain: plain rules when a few do, else a
 * verdict map. An anonymous map costs the kernel far more to load than
 * a rule (the commit walks its whole transaction to bind each one, and
 * names each among all the table's sets), and a packet pays no more for
 * two or three range compares than for a map lookup. Elements (sorted,
 * disjoint) that cover one span without a gap take a rule for each
 * element of the rarer verdict, then one for the span with the other.
 * field_b NULL: one field. */
static void add_judgement(struct strbuf *sb, const char *field_a, const char *field_b,
			  const struct box *elems, size_t n, const char *deny)
{
	bool is_span = field_b == NULL;
	size_t n_allow = 0;

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		n_allow += elems[i].verdict != 0;
		if (i > 0 && (elems[i - 1].a_hi == UINT32_MAX || elems[i].a_lo != elems[i - 1].a_hi + 1))
			is_span = false;
	}
	if (is_span) {
		bool is_rest_allow = n_allow * 2 >= n;
		size_t n_rare = is_rest_allow ? n - n_allow : n_allow;

		if (n_rare + 1 <= MAX_JUDGEMENT_RULES) {
			for (size_t i = 0; i < n; i++)
				if ((elems[i].verdict != 0) != is_rest_allow)
					add_rule(sb, field_a, NULL, elems[i].a_lo, elems[i].a_hi, &elems[i],
						 is_rest_allow ? deny : "return");
			add_rule(sb, field_a, NULL, elems[0].a_lo, elems[n - 1].a_hi, &elems[0],
				 is_rest_allow ? "return" : deny);
			return;
		}
	} else if (n <= MAX_JUDGEMENT_RULES) {
		for (size_t i = 0; i < n; i++)
			add_rule(sb, field_a, field_b, elems[i].a_lo, elems[i].a_hi, &elems[i],
				 elems[i].verdict ? "return" : deny);
		return;
	}
	strbuf_addf(sb, "\t\t%s%s%s vmap { ", field_a, field_b ? " . " : "", field_b ? field_b : "");
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(sb, "%s", i ? ", " : "");
		vnft_add_interval(sb, elems[i].a_lo, elems[i].a_hi);
		if (field_b) {
			strbuf_addf(sb, " . ");
			vnft_add_interval(sb, elems[i].b_lo, elems[i].b_hi);
		}
		strbuf_addf(sb, " : %s", elems[i].verdict ? "return" : deny);
	}
	strbuf_addf(sb, " }\n");
}

/* The ports of proto in out (sorted by port, then protocol) as elements
 * keyed on the port alone (in a_lo/a_hi), neighbours alike merged. */
static int port_elements(const struct vec *out, uint32_t proto, struct vec *elems)
{
	for (size_t i = 0; i < out->len; i++) {
		const struct box *b = VEC_AT(out, struct box, i);
		struct box *last = elems->len ? VEC_AT(elems, struct box, elems->len - 1) : NULL;
		struct box e = { .a_lo = b->b_lo, .a_hi = b->b_hi, .verdict = b->verdict };

		if (b->a_lo > proto || proto > b->a_hi)
			continue;
		if (last && last->verdict == b->verdict && last->a_hi != UINT32_MAX &&
		    b->b_lo == last->a_hi + 1)
			last->a_hi = b->b_hi;
		else if (vec_push(elems, &e) < 0)
			return -1;
	}
	return 0;
}

/* The lines of the chain of the piece starting at lo: for each kind, the
 * first match of the entries covering the piece, keyed without the
 * address. */
static int render_piece(struct strbuf *sb, const struct vpc_nacl *acl, bool is_egress,
			const struct family_names *f, addr128 lo)
{
	const char *deny = is_egress ? "goto " VPC_NFT_DENIED_ACL_OUT : "goto " VPC_NFT_DENIED_ACL_IN;
	char type[16], code[16];

	snprintf(type, sizeof(type), "%s type", f->icmp);
	snprintf(code, sizeof(code), "%s code", f->icmp);
	for (int kind = 0; kind < N_ACL_KINDS; kind++) {
		struct vec in = VEC_INIT(struct box), out = VEC_INIT(struct box);
		struct vec elems = VEC_INIT(struct box);
		size_t m = 0;
		int rc = acl_boxes(acl, is_egress, (enum acl_kind)kind, f, &in);

		/* The entries covering the piece, their address left out. */
		for (size_t i = 0; rc == 0 && i < in.len; i++) {
			struct box *b = VEC_AT(&in, struct box, i);

			if (b->addr_lo <= lo && lo <= b->addr_hi) {
				b->addr_lo = b->addr_hi = 0;
				*VEC_AT(&in, struct box, m++) = *b;
			}
		}
		in.len = m;
		if (rc == 0)
			rc = boxes_first_match(in.items, in.len, &out);
		if (rc == 0 && kind == ACL_PORTS) {
			/* The protocol is exact here: one judgement a protocol. */
			rc = port_elements(&out, VPC_PROTO_TCP, &elems);
			if (rc == 0)
				add_judgement(sb, "tcp dport", NULL, elems.items, elems.len, deny);
			elems.len = 0;
			if (rc == 0)
				rc = port_elements(&out, VPC_PROTO_UDP, &elems);
			if (rc == 0)
				add_judgement(sb, "udp dport", NULL, elems.items, elems.len, deny);
		} else if (rc == 0) {
			add_judgement(sb, kind == ACL_ICMP ? type : "meta l4proto",
				      kind == ACL_ICMP ? code : NULL, out.items, out.len, deny);
		}
		vec_free(&in);
		vec_free(&out);
		vec_free(&elems);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* One direction and family of an ACL: its pieces' chains, then the map
 * from an address to its piece's chain. */
/* The lines of a piece whose every packet gets verdict: the map then
 * holds that verdict itself, one lookup fewer. */
static char *uniform_body(const struct family_names *f, const char *verdict)
{
	struct strbuf sb = { 0 };

	strbuf_addf(&sb, "\t\ttcp dport 0-65535 %s\n\t\tudp dport 0-65535 %s\n"
			 "\t\t%s type 0-255 %s code 0-255 %s\n\t\tmeta l4proto 0-255 %s\n",
		    verdict, verdict, f->icmp, f->icmp, verdict, verdict);
	return strbuf_take(&sb);
}

/* The length of a piece's lines without the "return" rules that end
 * them: the chain returns when it ends anyway. */
static size_t without_last_returns(const char *text)
{
	static const char suffix[] = " return\n";
	size_t len = strlen(text);

	while (len >= sizeof(suffix) - 1 &&
	       memcmp(text + len - (sizeof(suffix) - 1), suffix, sizeof(suffix) - 1) == 0) {
		const char *start = text + len - 1;

		while (start > text && start[-1] != '\n')
			start--;
		len = (size_t)(start - text);
	}
	return len;
}

/* bodies[] of render_acl_dir: what the pieces with these lines map to. */
enum { BODY_ALLOW, BODY_DENY, BODY_NONE, N_FIXED_BODIES };

/* One direction and family of an ACL: its pieces' chains, then the map
 * from an address to its piece's chain. */
static int render_acl_dir(struct strbuf *sb, const struct vpc_nacl *acl, int acl_index,
			  bool is_egress, const struct family_names *f)
{
	const char *dir = is_egress ? "out" : "in";
	const char *deny = is_egress ? "goto " VPC_NFT_DENIED_ACL_OUT : "goto " VPC_NFT_DENIED_ACL_IN;
	struct vec cuts = VEC_INIT(addr128);
	char **bodies = NULL;
	size_t *body_of = NULL, n_bodies = 0;
	const char *sep = "";
	int rc = acl_cuts(acl, is_egress, f, &cuts);

	if (rc == 0) {
		bodies = calloc(cuts.len + N_FIXED_BODIES, sizeof(*bodies));
		body_of = calloc(cuts.len + 1, sizeof(*body_of));
		if (!bodies || !body_of || !(bodies[BODY_ALLOW] = uniform_body(f, "return")) ||
		    !(bodies[BODY_DENY] = uniform_body(f, deny)) || !(bodies[BODY_NONE] = strdup("")))
			rc = -1;
		n_bodies = N_FIXED_BODIES;
	}
	/* Each piece's lines; the same lines, the same chain. */
	for (size_t i = 0; rc == 0 && i < cuts.len; i++) {
		struct strbuf body = { 0 };
		char *text;
		size_t c = 0;

		rc = render_piece(&body, acl, is_egress, f, *VEC_AT(&cuts, addr128, i));
		text = rc == 0 ? strbuf_take(&body) : NULL;
		strbuf_free(&body);
		if (!text) {
			rc = -1;
			break;
		}
		while (c < n_bodies && strcmp(bodies[c], text) != 0)
			c++;
		if (c < n_bodies) {
			free(text);
		} else {
			bodies[n_bodies++] = text;
			strbuf_addf(sb, "\tchain acl%d_%s_%s_%zu {\n%.*s\t}\n\n", acl_index, dir,
				    f->suffix, c - N_FIXED_BODIES, (int)without_last_returns(text), text);
		}
		body_of[i] = c;
	}
	if (rc == 0) {
		strbuf_addf(sb, "\tmap acl%d_%s_%s {\n\t\ttypeof %s %s : verdict\n\t\tflags interval\n",
			    acl_index, dir, f->suffix, f->ip, is_egress ? "daddr" : "saddr");
		/* Neighbouring pieces alike are one element; a piece no entry
		 * covers is left out: no verdict. */
		for (size_t i = 0; i < cuts.len; i++) {
			size_t j = i, c = body_of[i];

			while (j + 1 < cuts.len && body_of[j + 1] == c)
				j++;
			if (c != BODY_NONE) {
				strbuf_addf(sb, "%s", *sep ? ",\n\t\t\t     " : "\t\telements = { ");
				vnft_add_range(sb, *VEC_AT(&cuts, addr128, i),
					       j + 1 < cuts.len ? *VEC_AT(&cuts, addr128, j + 1) - 1 :
								  addr_top(f),
					       f->family);
				if (c == BODY_ALLOW || c == BODY_DENY)
					strbuf_addf(sb, " : %s", c == BODY_ALLOW ? "return" : deny);
				else
					strbuf_addf(sb, " : goto acl%d_%s_%s_%zu", acl_index, dir,
						    f->suffix, c - N_FIXED_BODIES);
				sep = ",";
			}
			i = j;
		}
		strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
	}
	for (size_t c = 0; bodies && c < n_bodies; c++)
		free(bodies[c]);
	free(bodies);
	free(body_of);
	vec_free(&cuts);
	return rc;
}

static int render_acl_maps(struct strbuf *sb, const struct vpc_model *model, int acl_index)
{
	const struct vpc_nacl *acl = VEC_AT(&model->nacls, struct vpc_nacl, acl_index);

	for (int egress = 0; egress < 2; egress++)
		for (int fi = 0; fi < 2; fi++)
			if (render_acl_dir(sb, acl, acl_index, egress, &vnft_families[fi]) < 0)
				return -1;
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
			/* The piece's chain ends the judgement (goto). */
			for (int fi = 0; fi < 2; fi++)
				strbuf_addf(sb, "\t\t%s %s vmap @acl%d_%s_%s\n", vnft_families[fi].ip,
					    remote, subnet->nacl, dir, vnft_families[fi].suffix);
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

/* ---- the subnet of the ENI a packet leaves or enters ------------------
 *
 * AWS judges a packet by the ACLs of the subnet of the ENI it leaves from
 * and of the ENI it is delivered to. For an ENI with the source/
 * destination check on, that is the subnet of the packet's address; an
 * ENI with the check off (a NAT instance, a router appliance) sends and
 * receives for other addresses. What it sends is found by its MAC (the
 * frame's source, bridged or routed; the bridge table binds the MAC to
 * its port), what it receives routed by the route's next hop, as the sg
 * chains find it; a frame bridged to its MAC stays in its subnet, where no
 * ACL judges. Only with such an ENI do chains acl_out and acl_in stand
 * between the base chain and the maps by address: a packet's cost stays a
 * few lookups. */

/* The unchecked ENIs that may stand for their subnet's ACLs by MAC. */
static bool is_mac_dispatched(const struct vpc_model *model, size_t e)
{
	const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

	return !eni->is_source_dest_checked && eni->subnet >= 0 &&
	       (size_t)eni->subnet < model->subnets.len && vnft_has_own_mac(model, e);
}

/* What a packet delivered to an ENI of subnet s meets: its inbound ACL. */
static void in_verdict(const struct vpc_model *model, int s, char *out, size_t out_size)
{
	if (VEC_AT(&model->subnets, struct vpc_subnet, s)->nacl < 0)
		snprintf(out, out_size, "return");
	else
		snprintf(out, out_size, "goto subnet%d_in", s);
}

/* Their MACs. A frame to one is bridged (a routed packet still carries
 * the frame the router received, addressed to the router): it stays in
 * the ENI's subnet, where no ACL judges it. */
static void render_unchecked_mac_set(struct strbuf *sb, const struct vpc_model *model)
{
	const char *sep = "";
	size_t n = 0;

	for (size_t e = 0; e < model->enis.len; e++)
		n += is_mac_dispatched(model, e);
	strbuf_addf(sb, "\tset acl_unchecked_mac {\n\t\ttypeof ether daddr\n");
	vnft_add_size(sb, n);
	for (size_t e = 0; e < model->enis.len; e++) {
		if (!is_mac_dispatched(model, e))
			continue;
		strbuf_addf(sb, "%s%s", *sep ? ", " : "\t\telements = { ",
			    VEC_AT(&model->enis, struct vpc_eni, e)->mac);
		sep = ",";
	}
	strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
}

struct subnet_range {
	addr128 lo, hi;
	int subnet;
};

static int compare_subnet_range(const void *a, const void *b)
{
	const struct subnet_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->subnet < y->subnet ? -1 : x->subnet > y->subnet;
}

/* The unchecked ENIs' addresses and prefixes of family as next hops,
 * each to its ENI's subnet; an address two ENIs claim goes to the first
 * in address order (an interval map refuses overlaps). */
static int render_in_nexthop_map(struct strbuf *sb, const struct vpc_model *model,
				 const struct family_names *f)
{
	struct vec ranges = VEC_INIT(struct subnet_range), one = VEC_INIT(struct vnft_range);
	const char *sep = "";
	size_t m = 0;
	int rc = 0;

	for (size_t e = 0; rc == 0 && e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

		if (eni->is_source_dest_checked || eni->subnet < 0 ||
		    (size_t)eni->subnet >= model->subnets.len)
			continue;
		one.len = 0;
		rc = vnft_eni_ranges(eni, f->family, &one);
		for (size_t i = 0; rc == 0 && i < one.len; i++) {
			const struct vnft_range *r = VEC_AT(&one, struct vnft_range, i);
			struct subnet_range sr = { .lo = r->lo, .hi = r->hi, .subnet = eni->subnet };

			rc = vec_push(&ranges, &sr);
		}
	}
	vec_free(&one);
	if (rc < 0) {
		vec_free(&ranges);
		return -1;
	}
	if (ranges.len > 1)
		qsort(ranges.items, ranges.len, sizeof(struct subnet_range), compare_subnet_range);
	for (size_t i = 0; i < ranges.len; i++) {
		const struct subnet_range *r = VEC_AT(&ranges, struct subnet_range, i);

		if (m == 0 || VEC_AT(&ranges, struct subnet_range, m - 1)->hi < r->lo)
			*VEC_AT(&ranges, struct subnet_range, m++) = *r;
	}
	ranges.len = m;
	strbuf_addf(sb, "\tmap acl_in_nexthop_%s {\n\t\ttypeof rt %s nexthop : verdict\n"
			"\t\tflags interval\n", f->suffix, f->ip);
	for (size_t i = 0; i < ranges.len; i++) {
		const struct subnet_range *r = VEC_AT(&ranges, struct subnet_range, i);
		char verdict[40];

		in_verdict(model, r->subnet, verdict, sizeof(verdict));
		strbuf_addf(sb, "%s", *sep ? ",\n\t\t\t     " : "\t\telements = { ");
		vnft_add_range(sb, r->lo, r->hi, f->family);
		strbuf_addf(sb, " : %s", verdict);
		sep = ",";
	}
	strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
	vec_free(&ranges);
	return 0;
}

/* Sent by an unchecked ENI of subnet s: its outbound ACL, then, unless the
 * packet stays in the subnet (no ACL judges it there), the receiver's
 * inbound ACL. */
static void render_out_unchecked_chains(struct strbuf *sb, const struct vpc_model *model,
					const bool *has_mac)
{
	for (size_t s = 0; s < model->subnets.len; s++) {
		const struct vpc_subnet *subnet = VEC_AT(&model->subnets, struct vpc_subnet, s);

		if (!has_mac[s])
			continue;
		strbuf_addf(sb, "\t# %s outbound, sent by an ENI with the check off\n"
				"\tchain subnet%zu_out_unchecked {\n"
				"\t\tether daddr @acl_unchecked_mac return\n", subnet->id, s);
		if (subnet->nacl >= 0)
			strbuf_addf(sb, "\t\tjump subnet%zu_out\n", s);
		if (subnet->has_v4)
			strbuf_addf(sb, "\t\tip daddr %s return\n", subnet->v4.text);
		if (subnet->has_v6)
			strbuf_addf(sb, "\t\tip6 daddr %s return\n", subnet->v6.text);
		strbuf_addf(sb, "\t\tgoto acl_in\n\t}\n\n");
	}
}

static void render_out_mac_map(struct strbuf *sb, const struct vpc_model *model)
{
	const char *sep = "";
	size_t n = 0;

	for (size_t e = 0; e < model->enis.len; e++)
		n += is_mac_dispatched(model, e);
	strbuf_addf(sb, "\tmap acl_out_mac {\n\t\ttypeof ether saddr : verdict\n");
	vnft_add_size(sb, n);
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

		if (!is_mac_dispatched(model, e))
			continue;
		strbuf_addf(sb, "%s%s : goto subnet%d_out_unchecked",
			    *sep ? ",\n\t\t\t     " : "\t\telements = { ", eni->mac, eni->subnet);
		sep = ",";
	}
	strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
}

/* acl_out (the base chain jumps to it) ends in acl_in; a chain of a
 * subnet returns to the base chain, which then caches the verdict. Each
 * object comes after those it names. */
static int render_unchecked_dispatch(struct strbuf *sb, const struct vpc_model *model)
{
	bool *has_mac = calloc(model->subnets.len + 1, sizeof(*has_mac));

	if (!has_mac)
		return -1;
	for (size_t e = 0; e < model->enis.len; e++)
		if (is_mac_dispatched(model, e))
			has_mac[VEC_AT(&model->enis, struct vpc_eni, e)->subnet] = true;
	render_unchecked_mac_set(sb, model);
	for (int fi = 0; fi < 2; fi++) {
		if (render_in_nexthop_map(sb, model, &vnft_families[fi]) < 0) {
			free(has_mac);
			return -1;
		}
	}
	strbuf_addf(sb, "\tchain acl_in {\n"
			"\t\trt ip nexthop vmap @acl_in_nexthop_v4\n"
			"\t\trt ip6 nexthop vmap @acl_in_nexthop_v6\n"
			"\t\tip daddr vmap @subnet_in_v4\n"
			"\t\tip6 daddr vmap @subnet_in_v6\n"
			"\t}\n\n");
	render_out_unchecked_chains(sb, model, has_mac);
	render_out_mac_map(sb, model);
	strbuf_addf(sb, "\tchain acl_out {\n"
			"\t\tether saddr vmap @acl_out_mac\n"
			"\t\tether daddr @acl_unchecked_mac return\n"
			"\t\tip saddr vmap @subnet_out_v4\n"
			"\t\tip6 saddr vmap @subnet_out_v6\n"
			"\t\tgoto acl_in\n"
			"\t}\n\n");
	free(has_mac);
	return 0;
}

/* Each ACL's maps, the subnets' chains and the maps from an address to
 * its subnet's chain; with an unchecked ENI, the dispatch by its MAC and
 * next hop. */
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
		if (vnft_has_unchecked(model))
			rc = render_unchecked_dispatch(sb, model);
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
