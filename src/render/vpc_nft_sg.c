#include "render/vpc_nft_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/nftobj.h"

static const char *const kind_names[N_KINDS] = { "ports", "icmp", "proto", "all" };

/* ---- security groups ------------------------------------------------- */

/* What a rule naming a group as its peer matches: the addresses and
 * prefixes of the group's members, merged into ranges. One set a group
 * and family, shared by every rule that names the group, rather than the
 * members repeated in each such rule's sets: at 10,000 instances those
 * copies were most of the elements, of the load time and of the memory. */
struct group_members {
	struct vec ranges[2]; /* [family]: struct box, address axis only */
};

static void members_free(struct group_members *members, size_t n)
{
	for (size_t g = 0; members && g < n; g++)
		for (int f = 0; f < 2; f++)
			vec_free(&members[g].ranges[f]);
	free(members);
}

/* The members of every group (is_wanted NULL) or of those is_wanted
 * marks, in one pass over the ENIs; the others are left empty. */
static int members_build(const struct vpc_model *model, const bool *is_wanted,
			 struct group_members **out)
{
	size_t n = model->sgs.len;
	struct group_members *raw = calloc(n + 1, sizeof(*raw));
	struct group_members *members = calloc(n + 1, sizeof(*members));
	int rc = raw && members ? 0 : -1;

	for (size_t g = 0; g < n; g++)
		for (int f = 0; f < 2; f++)
			if (rc == 0)
				raw[g].ranges[f] = members[g].ranges[f] = (struct vec)VEC_INIT(struct box);
	for (size_t e = 0; rc == 0 && e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

		for (size_t i = 0; rc == 0 && i < eni->groups.len; i++) {
			int g = *VEC_AT(&eni->groups, int, i);

			if (is_wanted && !is_wanted[g])
				continue;
			for (size_t a = 0; rc == 0 && a < eni->addrs.len; a++) {
				const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, a);
				struct box box = { .verdict = 1 };

				vnft_cidr_range(addr, &box.addr_lo, &box.addr_hi);
				rc = vec_push(&raw[g].ranges[addr->family == AF_INET6], &box);
			}
		}
	}
	for (size_t g = 0; rc == 0 && g < n; g++)
		for (int f = 0; rc == 0 && f < 2; f++)
			rc = boxes_first_match(raw[g].ranges[f].items, raw[g].ranges[f].len,
					       &members[g].ranges[f]);
	members_free(raw, n);
	if (rc < 0) {
		members_free(members, n);
		return -1;
	}
	*out = members;
	return 0;
}

static void members_set_name(char *out, size_t size, int group, int family)
{
	snprintf(out, size, "sg%d_members_%s", group, vnft_families[family].suffix);
}

static const char *const addr_types[2] = { "ipv4_addr", "ipv6_addr" };

/* A member set of single addresses is a hash: half the elements on the
 * wire of an interval set (which sends both ends), and cheaper to load. */
static const char *members_flags(const struct vec *ranges, bool is_inline)
{
	for (size_t i = 0; i < ranges->len; i++) {
		const struct box *b = VEC_AT(ranges, struct box, i);

		if (b->addr_lo != b->addr_hi)
			return is_inline ? " flags interval;" : "\t\tflags interval\n";
	}
	return "";
}

/* The member sets of the groups that rules name, ahead of the chains
 * that look them up. */
static void mark_named_groups(const struct vpc_sg *sg, size_t n_groups, bool *is_wanted)
{
	for (size_t r = 0; r < sg->rules.len; r++) {
		const struct sg_rule *rule = VEC_AT(&sg->rules, struct sg_rule, r);

		if (rule->peer_kind == VPC_PEER_GROUP && rule->peer >= 0 &&
		    (size_t)rule->peer < n_groups)
			is_wanted[rule->peer] = true;
	}
}

/* The member sets of the groups is_named marks (those with members). */
static void render_named_members_sets(struct strbuf *sb, const struct vpc_model *model,
				      const struct group_members *members, const bool *is_named)
{
	for (size_t g = 0; g < model->sgs.len; g++) {
		for (int f = 0; f < 2; f++) {
			const char *flags;
			char name[64];

			if (!is_named[g] || members[g].ranges[f].len == 0)
				continue;
			members_set_name(name, sizeof(name), (int)g, f);
			flags = members_flags(&members[g].ranges[f], false);
			strbuf_addf(sb, "\t# the members of %s\n\tset %s {\n\t\ttype %s\n%s",
				    VEC_AT(&model->sgs, struct vpc_sg, g)->id, name, addr_types[f], flags);
			if (!*flags)
				vnft_add_size(sb, members[g].ranges[f].len);
			strbuf_addf(sb, "\t\telements = { ");
			vnft_add_elements(sb, &members[g].ranges[f], KIND_ALL,
					  vnft_families[f].family, NULL, NULL);
			strbuf_addf(sb, " }\n\t}\n\n");
		}
	}
}

static void render_members_sets(struct strbuf *sb, const struct vpc_model *model,
				const struct group_members *members)
{
	bool *is_named = calloc(model->sgs.len + 1, sizeof(*is_named));

	if (!is_named) {
		sb->failed = 1;
		return;
	}
	for (size_t g = 0; g < model->sgs.len; g++)
		mark_named_groups(VEC_AT(&model->sgs, struct vpc_sg, g), model->sgs.len, is_named);
	render_named_members_sets(sb, model, members, is_named);
	free(is_named);
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
 * kind, once for each address range its peer means in this family; the
 * rules naming a group go to refs instead. */
static int sg_boxes(const struct vpc_model *model, const struct group_members *members,
		    const struct vpc_sg *sg, enum vpc_dir dir, enum set_kind kind,
		    const struct family_names *f, struct vec *boxes, struct vec *refs)
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
			vnft_cidr_range(&rule->cidr, &lo, &hi);
			rc = push_peer_box(boxes, lo, hi, &rule->traffic, kind);
		} else if (rule->peer_kind == VPC_PEER_GROUP && rule->peer >= 0) {
			/* The address axis holds the group named: one lookup of
			 * its member set a group named (an empty one matches
			 * nothing). */
			if (members[rule->peer].ranges[f->family == AF_INET6].len > 0)
				rc = push_peer_box(refs, (addr128)rule->peer, (addr128)rule->peer,
						   &rule->traffic, kind);
		} else if (rule->peer_kind == VPC_PEER_PREFIX_LIST && rule->peer >= 0) {
			const struct vpc_prefix_list *list =
				VEC_AT(&model->prefix_lists, struct vpc_prefix_list, rule->peer);

			for (size_t c = 0; rc == 0 && c < list->cidrs.len; c++) {
				const struct cidr *cidr = VEC_AT(&list->cidrs, struct cidr, c);

				if (cidr->family != f->family)
					continue;
				vnft_cidr_range(cidr, &lo, &hi);
				rc = push_peer_box(boxes, lo, hi, &rule->traffic, kind);
			}
		}
	}
	return rc;
}

/* The disjoint elements of each of a group's sets. */
struct sg_sets {
	struct vec elements[2][2][N_KINDS]; /* [dir][family][kind], struct box */
	struct vec refs[2][2][N_KINDS];     /* the same for rules naming a group:
					     * the address axis is the group */
};

static void sg_sets_free(struct sg_sets *sets)
{
	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++)
			for (int k = 0; k < N_KINDS; k++) {
				vec_free(&sets->elements[d][f][k]);
				vec_free(&sets->refs[d][f][k]);
			}
}

/* The sets of group sg (whose rules may differ from the model's: the
 * group as it was before a change). */
static int sg_sets_build(const struct vpc_model *model, const struct group_members *members,
			 const struct vpc_sg *sg, struct sg_sets *sets)
{
	int rc = 0;

	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++)
			for (int k = 0; k < N_KINDS; k++) {
				sets->elements[d][f][k] = (struct vec)VEC_INIT(struct box);
				sets->refs[d][f][k] = (struct vec)VEC_INIT(struct box);
			}
	for (int d = 0; rc == 0 && d < 2; d++) {
		for (int f = 0; rc == 0 && f < 2; f++) {
			for (int k = 0; rc == 0 && k < N_KINDS; k++) {
				struct vec in = VEC_INIT(struct box), refs = VEC_INIT(struct box);

				rc = sg_boxes(model, members, sg, (enum vpc_dir)d, (enum set_kind)k,
					      &vnft_families[f], &in, &refs);
				if (rc == 0)
					rc = boxes_first_match(in.items, in.len, &sets->elements[d][f][k]);
				if (rc == 0)
					rc = boxes_first_match(refs.items, refs.len, &sets->refs[d][f][k]);
				vec_free(&in);
				vec_free(&refs);
			}
		}
	}
	if (rc < 0)
		sg_sets_free(sets);
	return rc;
}

static void set_name(char *out, size_t size, int sg, int dir, int family, int kind)
{
	snprintf(out, size, "sg%d_%s_%s_%s", sg, vnft_dir_name((enum vpc_dir)dir), kind_names[kind],
		 vnft_families[family].suffix);
}

static void add_set_declaration(struct strbuf *sb, const char *indent, int dir, int family,
				int kind)
{
	strbuf_addf(sb, "%stypeof ", indent);
	vnft_add_typeof(sb, (enum set_kind)kind, &vnft_families[family],
			dir == VPC_INGRESS ? "saddr" : "daddr");
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
				vnft_add_elements(sb, elements, (enum set_kind)k, vnft_families[f].family,
					  NULL, NULL);
				strbuf_addf(sb, " }\n\t}\n\n");
			}
		}
	}
}

/* The smallest group at or after *group that refs name, if any. */
static bool next_ref_group(const struct vec *refs, addr128 *group)
{
	bool is_found = false;
	addr128 best = 0;

	for (size_t i = 0; i < refs->len; i++) {
		const struct box *b = VEC_AT(refs, struct box, i);
		addr128 at = b->addr_lo > *group ? b->addr_lo : *group;

		if (b->addr_hi >= *group && (!is_found || at < best)) {
			best = at;
			is_found = true;
		}
	}
	*group = best;
	return is_found;
}

/* The rules naming groups, of one family and kind: for each group named,
 * a rule for each piece of the traffic they allow, matched before the
 * lookup of its member set (the cheap test first). Plain matches, not an
 * anonymous set: the kernel walks the whole transaction each time a rule
 * binds an anonymous set, which at 10,000 instances took seconds. */
static void render_ref_lookups(struct strbuf *sb, const char *prefix, enum vpc_dir dir, int f,
			       enum set_kind kind, const struct vec *refs)
{
	const struct family_names *fam = &vnft_families[f];
	addr128 group = 0;

	for (; next_ref_group(refs, &group); group++) {
		char name[64];

		members_set_name(name, sizeof(name), (int)group, f);
		for (size_t i = 0; i < refs->len; i++) {
			const struct box *b = VEC_AT(refs, struct box, i);

			if (b->addr_lo > group || b->addr_hi < group)
				continue;
			strbuf_addf(sb, "%s", prefix);
			if (kind == KIND_PORTS || kind == KIND_PROTO) {
				strbuf_addf(sb, "meta l4proto ");
				vnft_add_interval(sb, b->a_lo, b->a_hi);
				strbuf_addf(sb, " ");
			}
			if (kind == KIND_PORTS && (b->b_lo > 0 || b->b_hi < 65535)) {
				strbuf_addf(sb, "th dport ");
				vnft_add_interval(sb, b->b_lo, b->b_hi);
				strbuf_addf(sb, " ");
			}
			if (kind == KIND_ICMP) {
				/* The type alone says the protocol. */
				strbuf_addf(sb, "%s type ", fam->icmp);
				vnft_add_interval(sb, b->a_lo, b->a_hi);
				strbuf_addf(sb, " ");
				if (b->b_lo > 0 || b->b_hi < 255) {
					strbuf_addf(sb, "%s code ", fam->icmp);
					vnft_add_interval(sb, b->b_lo, b->b_hi);
					strbuf_addf(sb, " ");
				}
			}
			strbuf_addf(sb, "%s %s @%s accept\n", fam->ip,
				    dir == VPC_INGRESS ? "saddr" : "daddr", name);
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
			vnft_add_typeof(sb, (enum set_kind)k, &vnft_families[f],
				   dir == VPC_INGRESS ? "saddr" : "daddr");
			strbuf_addf(sb, " @%s accept\n", name);
		}
	}
	for (int f = 0; f < 2; f++)
		for (int k = 0; k < N_KINDS; k++)
			render_ref_lookups(sb, prefix, dir, f, (enum set_kind)k, &sets->refs[dir][f][k]);
}

static void render_sg_chain(struct strbuf *sb, const struct vpc_model *model, int sg,
			    enum vpc_dir dir, const struct sg_sets *sets)
{
	strbuf_addf(sb, "\t# %s %s\n", VEC_AT(&model->sgs, struct vpc_sg, sg)->id,
		    dir == VPC_INGRESS ? "ingress" : "egress");
	strbuf_addf(sb, "\tchain sg%d_%s {\n", sg, vnft_dir_name(dir));
	render_sg_lookups(sb, "\t\t", sg, dir, sets);
	strbuf_addf(sb, "\t}\n\n");
}

/* ---- group sets and ENI dispatch ------------------------------------- */

/* A packet from (to) an ENI passes its groups when one of them allows it,
 * else it is dropped and counted. The base chain's map eni_DIR_vF keyed
 * by the ENI's addresses sends it:
 *  - accept, for an ENI with no group (AWS's groups do not filter it);
 *  - to the chain of its list of groups (gsN_DIR: jump each group's
 *    chain, then count and drop) when the list has one group, when many
 *    ENIs share it, or when an ENI without the source/destination check
 *    has it (its MAC and next hop maps send there too);
 *  - otherwise to tail_sgN_DIR_vF, N its last group: a jump to
 *    slots_DIR_vF, whose k-th lookup of the same address in map
 *    slotK_DIR_vF jumps to the ENI's k-th group's chain, then a jump to
 *    N's, then count and drop (a slot map fewer than lists have groups:
 *    40,000 elements fewer at 10,000 instances, for a chain a group).
 *    One chain holds the slot lookups: the kernel's check of the jumps
 *    walks a vmap's elements for each chain looking it up, and a
 *    lookup in each tail chain cost a second at 10,000 instances.
 * Chains and rules cost the kernel and nft far more to load than map
 * elements: 10,000 instances with random lists of 3 groups needed 20,000
 * chains and 80,000 rules, and get map elements instead. Either way a
 * packet costs a lookup or a jump a group. */

/* The distinct lists of groups ENIs have; eni_set[e] is ENI e's. */
struct group_sets {
	const struct vpc_eni **first_eni; /* a representative per set */
	size_t n;
	size_t *eni_set;
	size_t *n_enis; /* per set: how many ENIs have it */
	size_t *chain;  /* per set: its chain's number, or SIZE_MAX (slots) */
	size_t n_chains;
	/* [family]: each ENI's addresses and prefixes as text, each ending
	 * in a NUL, ENI e's from start[e] to start[e + 1]: formatted once,
	 * not once a map (at 10,000 instances a tenth of the render). */
	struct strbuf addrs[2];
	size_t *start[2];
};

static bool same_groups(const struct vpc_eni *x, const struct vpc_eni *y)
{
	if (x->groups.len != y->groups.len)
		return false;
	/* No groups: no items to compare (memcmp of NULL is undefined). */
	return x->groups.len == 0 ||
	       memcmp(x->groups.items, y->groups.items, x->groups.len * sizeof(int)) == 0;
}

/* ENIs ordered by their list of groups, then by where they are. */
static int compare_group_lists(const void *a, const void *b)
{
	const struct vpc_eni *x = *(const struct vpc_eni *const *)a;
	const struct vpc_eni *y = *(const struct vpc_eni *const *)b;
	size_t n = x->groups.len < y->groups.len ? x->groups.len : y->groups.len;

	for (size_t i = 0; i < n; i++) {
		int p = *VEC_AT(&x->groups, int, i), q = *VEC_AT(&y->groups, int, i);

		if (p != q)
			return p < q ? -1 : 1;
	}
	if (x->groups.len != y->groups.len)
		return x->groups.len < y->groups.len ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Which lists get a chain. One of g groups costs about as much to load
 * as 2 (g + 2) map elements (a rule several elements, a chain a few); its
 * ENIs save g slot elements each. */
static void choose_chains(const struct vpc_model *model, struct group_sets *gs)
{
	bool *is_unchecked = calloc(gs->n + 1, sizeof(*is_unchecked));

	for (size_t e = 0; is_unchecked && e < model->enis.len; e++)
		if (!VEC_AT(&model->enis, struct vpc_eni, e)->is_source_dest_checked)
			is_unchecked[gs->eni_set[e]] = true;
	gs->n_chains = 0;
	for (size_t k = 0; k < gs->n; k++) {
		size_t g = gs->first_eni[k]->groups.len;
		/* Without the map of flags, every list gets a chain. */
		bool is_chained = !is_unchecked || is_unchecked[k] || g == 1 ||
				  gs->n_enis[k] * g > 2 * (g + 2);

		gs->chain[k] = g > 0 && is_chained ? gs->n_chains++ : SIZE_MAX;
	}
	free(is_unchecked);
}

/* Lists are numbered in the order of their first ENI. Sorting the ENIs by
 * list finds them in O(n log n); comparing each ENI with every list found
 * before was quadratic (10,000 instances: 50 million comparisons). */
static int find_group_sets(const struct vpc_model *model, struct group_sets *gs)
{
	const struct vpc_eni *enis = model->enis.items;
	size_t n = model->enis.len;
	const struct vpc_eni **order = calloc(n + 1, sizeof(const struct vpc_eni *));
	size_t *leader = calloc(n + 1, sizeof(*leader)); /* the first ENI of e's list */

	gs->n = 0;
	gs->first_eni = calloc(n + 1, sizeof(const struct vpc_eni *));
	gs->eni_set = calloc(n + 1, sizeof(*gs->eni_set));
	gs->n_enis = calloc(n + 1, sizeof(*gs->n_enis));
	gs->chain = calloc(n + 1, sizeof(*gs->chain));
	if (!order || !leader || !gs->first_eni || !gs->eni_set || !gs->n_enis || !gs->chain) {
		free(order);
		free(leader);
		return -1;
	}
	for (size_t e = 0; e < n; e++)
		order[e] = &enis[e];
	qsort(order, n, sizeof(const struct vpc_eni *), compare_group_lists);
	for (size_t i = 0, first = 0; i < n; i++) {
		if (!same_groups(order[first], order[i]))
			first = i;
		leader[order[i] - enis] = (size_t)(order[first] - enis);
	}
	for (size_t e = 0; e < n; e++) {
		if (leader[e] == e)
			gs->first_eni[gs->n++] = &enis[e];
		/* A leader comes first: its list has its number already. */
		gs->eni_set[e] = leader[e] == e ? gs->n - 1 : gs->eni_set[leader[e]];
		gs->n_enis[gs->eni_set[e]]++;
	}
	choose_chains(model, gs);
	free(order);
	free(leader);
	return 0;
}

static void group_sets_free(struct group_sets *gs)
{
	free(gs->first_eni);
	free(gs->eni_set);
	free(gs->n_enis);
	free(gs->chain);
	for (int fi = 0; fi < 2; fi++) {
		strbuf_free(&gs->addrs[fi]);
		free(gs->start[fi]);
	}
}

static int format_addrs(const struct vpc_model *model, struct group_sets *gs)
{
	int rc = 0;

	for (int fi = 0; rc == 0 && fi < 2; fi++) {
		gs->start[fi] = calloc(model->enis.len + 1, sizeof(size_t));
		rc = gs->start[fi] ? 0 : -1;
		for (size_t e = 0; rc == 0 && e < model->enis.len; e++) {
			struct vec ranges = VEC_INIT(struct vnft_range);

			gs->start[fi][e] = gs->addrs[fi].len;
			rc = vnft_eni_ranges(VEC_AT(&model->enis, struct vpc_eni, e),
					     vnft_families[fi].family, &ranges);
			for (size_t i = 0; rc == 0 && i < ranges.len; i++) {
				const struct vnft_range *r = VEC_AT(&ranges, struct vnft_range, i);

				vnft_add_range(&gs->addrs[fi], r->lo, r->hi, vnft_families[fi].family);
				strbuf_add(&gs->addrs[fi], "", 1);
			}
			vec_free(&ranges);
		}
		if (rc == 0)
			gs->start[fi][model->enis.len] = gs->addrs[fi].len;
		if (gs->addrs[fi].failed)
			rc = -1;
	}
	return rc;
}

static const char *denied_counter(int dir)
{
	return dir == VPC_INGRESS ? VPC_NFT_DENIED_SG_IN : VPC_NFT_DENIED_SG_OUT;
}

static void render_group_set_chains(struct strbuf *sb, const struct group_sets *gs)
{
	for (size_t k = 0; k < gs->n; k++) {
		for (int dir = 0; gs->chain[k] != SIZE_MAX && dir < 2; dir++) {
			const struct vpc_eni *eni = gs->first_eni[k];

			strbuf_addf(sb, "\tchain gs%zu_%s {\n", gs->chain[k],
				    vnft_dir_name((enum vpc_dir)dir));
			for (size_t g = 0; g < eni->groups.len; g++)
				strbuf_addf(sb, "\t\tjump sg%d_%s\n", *VEC_AT(&eni->groups, int, g),
					    vnft_dir_name((enum vpc_dir)dir));
			strbuf_addf(sb, "\t\tcounter name %s drop\n\t}\n\n", denied_counter(dir));
		}
	}
}

/* What ENI e's entry in a map sends to: slot 0 is the dispatch (by
 * address, MAC or next hop), slot k the jump to its k-th group, for all
 * but its last (its tail chain's own); "" for none. */
static void eni_verdict(const struct group_sets *gs, const struct vpc_eni *eni, size_t e,
			size_t slot, enum vpc_dir dir, int fi, char *out, size_t size)
{
	const char *d = vnft_dir_name(dir);
	size_t chain = gs->chain[gs->eni_set[e]], g = eni->groups.len;

	*out = '\0';
	if (slot == 0 && g == 0)
		snprintf(out, size, "accept");
	else if (slot == 0 && chain != SIZE_MAX)
		snprintf(out, size, "goto gs%zu_%s", chain, d);
	else if (slot == 0)
		snprintf(out, size, "goto tail_sg%d_%s_%s", *VEC_AT(&eni->groups, int, g - 1), d,
			 vnft_families[fi].suffix);
	else if (chain == SIZE_MAX && slot < g)
		snprintf(out, size, "jump sg%d_%s", *VEC_AT(&eni->groups, int, slot - 1), d);
}

/* Whether an ENI of the model has a delegated prefix of family: then the
 * maps keyed by its addresses need intervals (a plain map is cheaper). */
static bool has_prefix(const struct vpc_model *model, int family)
{
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

		for (size_t a = 0; a < eni->addrs.len; a++) {
			const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, a);

			if (addr->family == family &&
			    addr->prefix_len < cidr_addr_len(family) * 8)
				return true;
		}
	}
	return false;
}

/* Which ENIs a map holds. */
enum eni_filter { ENIS_ALL, ENIS_UNCHECKED };

static bool eni_passes(const struct vpc_eni *eni, enum eni_filter filter)
{
	return filter == ENIS_ALL || !eni->is_source_dest_checked;
}

/* map NAME { typeof FIELD : verdict; elements = { address : VERDICT } }
 * over the addresses of family fi of the ENIs filter lets through, with
 * each ENI's verdict for slot (those with none left out). */
static int render_addr_map(struct strbuf *sb, const struct vpc_model *model,
			   const struct group_sets *gs, const char *name, const char *field, int fi,
			   enum vpc_dir dir, enum eni_filter filter, size_t slot)
{
	const struct family_names *f = &vnft_families[fi];
	bool is_interval = has_prefix(model, f->family);
	const char *sep = "";
	size_t n = 0;

	strbuf_addf(sb, "\tmap %s {\n\t\ttypeof %s : verdict\n%s", name, field,
		    is_interval ? "\t\tflags interval\n" : "");
	for (size_t e = 0; !is_interval && e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
		const char *text = gs->addrs[fi].buf;
		char verdict[64];

		eni_verdict(gs, eni, e, slot, dir, fi, verdict, sizeof(verdict));
		if (!eni_passes(eni, filter) || !*verdict)
			continue;
		for (size_t at = gs->start[fi][e]; at < gs->start[fi][e + 1];
		     at += strlen(text + at) + 1)
			n++;
	}
	vnft_add_size(sb, n);
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
		const char *text = gs->addrs[fi].buf;
		char verdict[64];

		eni_verdict(gs, eni, e, slot, dir, fi, verdict, sizeof(verdict));
		if (!eni_passes(eni, filter) || !*verdict)
			continue;
		for (size_t at = gs->start[fi][e]; at < gs->start[fi][e + 1];
		     at += strlen(text + at) + 1) {
			strbuf_addf(sb, "%s%s : %s", *sep ? ",\n\t\t\t     " : "\t\telements = { ",
				    text + at, verdict);
			sep = ",";
		}
	}
	strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
	return 0;
}

/* For each group, how many slots the slotted ENIs of family whose last
 * group it is look up first (SIZE_MAX: none, no tail chain); returns the
 * most. */
static size_t count_slots(const struct vpc_model *model, const struct group_sets *gs, int family,
			  size_t *tail)
{
	size_t n = 0;

	for (size_t g = 0; g < model->sgs.len; g++)
		tail[g] = SIZE_MAX;
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
		bool has_family = false;
		int last;

		for (size_t a = 0; a < eni->addrs.len; a++)
			has_family |= VEC_AT(&eni->addrs, struct cidr, a)->family == family;
		if (!has_family || gs->chain[gs->eni_set[e]] != SIZE_MAX || eni->groups.len < 2)
			continue;
		last = *VEC_AT(&eni->groups, int, eni->groups.len - 1);
		if (tail[last] == SIZE_MAX || tail[last] < eni->groups.len - 1)
			tail[last] = eni->groups.len - 1;
		if (eni->groups.len - 1 > n)
			n = eni->groups.len - 1;
	}
	return n;
}

/* The slot maps of a direction and family, the chain looking them up,
 * and the tail chains: tail_sgN_DIR_vF, for the ENIs whose last group is
 * N, jumps to their other groups through the slots, then to N, then
 * drops. */
static int render_slots(struct strbuf *sb, const struct vpc_model *model,
			const struct group_sets *gs, enum vpc_dir dir, int fi)
{
	const struct family_names *f = &vnft_families[fi];
	const char *d = vnft_dir_name(dir), *key = dir == VPC_INGRESS ? "daddr" : "saddr";
	size_t *tail = calloc(model->sgs.len + 1, sizeof(*tail));
	size_t n;
	int rc = 0;

	if (!tail)
		return -1;
	n = count_slots(model, gs, f->family, tail);
	for (size_t slot = 1; rc == 0 && slot <= n; slot++) {
		char name[32], field[32];

		snprintf(name, sizeof(name), "slot%zu_%s_%s", slot, d, f->suffix);
		snprintf(field, sizeof(field), "%s %s", f->ip, key);
		rc = render_addr_map(sb, model, gs, name, field, fi, dir, ENIS_ALL, slot);
	}
	if (rc == 0 && n > 0) {
		strbuf_addf(sb, "\tchain slots_%s_%s {\n", d, f->suffix);
		for (size_t slot = 1; slot <= n; slot++)
			strbuf_addf(sb, "\t\t%s %s vmap @slot%zu_%s_%s\n", f->ip, key, slot, d,
				    f->suffix);
		strbuf_addf(sb, "\t}\n\n");
	}
	for (size_t g = 0; rc == 0 && g < model->sgs.len; g++) {
		if (tail[g] == SIZE_MAX)
			continue;
		strbuf_addf(sb, "\tchain tail_sg%zu_%s_%s {\n\t\tjump slots_%s_%s\n"
			    "\t\tjump sg%zu_%s\n\t\tcounter name %s drop\n\t}\n\n", g, d, f->suffix,
			    d, f->suffix, g, d, denied_counter(dir));
	}
	free(tail);
	return rc;
}

static int render_eni_maps(struct strbuf *sb, const struct vpc_model *model,
			   const struct group_sets *gs)
{
	int rc = 0;

	for (int dir = 0; rc == 0 && dir < 2; dir++) {
		for (int fi = 0; rc == 0 && fi < 2; fi++) {
			const struct family_names *f = &vnft_families[fi];
			char name[32], field[32];

			rc = render_slots(sb, model, gs, (enum vpc_dir)dir, fi);
			snprintf(name, sizeof(name), "eni_%s_%s", vnft_dir_name((enum vpc_dir)dir),
				 f->suffix);
			snprintf(field, sizeof(field), "%s %s", f->ip,
				 dir == VPC_INGRESS ? "daddr" : "saddr");
			if (rc == 0)
				rc = render_addr_map(sb, model, gs, name, field, fi, (enum vpc_dir)dir,
						     ENIS_ALL, 0);
		}
	}
	return rc;
}

bool vnft_has_own_mac(const struct vpc_model *model, size_t e)
{
	const char *mac = VEC_AT(&model->enis, struct vpc_eni, e)->mac;

	if (!vnft_mac_is_valid(mac))
		return false;
	for (size_t k = 0; k < e; k++)
		if (strcmp(VEC_AT(&model->enis, struct vpc_eni, k)->mac, mac) == 0)
			return false;
	return true;
}

static void render_mac_map(struct strbuf *sb, const struct vpc_model *model,
			   const struct group_sets *gs, enum vpc_dir dir)
{
	const char *sep = "";
	size_t n = 0;

	strbuf_addf(sb, "\tmap unchecked_%s_mac {\n\t\ttypeof ether %s : verdict\n",
		    vnft_dir_name(dir), dir == VPC_INGRESS ? "daddr" : "saddr");
	for (size_t e = 0; e < model->enis.len; e++)
		n += !VEC_AT(&model->enis, struct vpc_eni, e)->is_source_dest_checked &&
		     vnft_has_own_mac(model, e);
	vnft_add_size(sb, n);
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

		if (eni->is_source_dest_checked || !vnft_has_own_mac(model, e))
			continue;
		char verdict[64];

		/* An unchecked ENI's list has a chain (or none is needed). */
		eni_verdict(gs, eni, e, 0, dir, 0, verdict, sizeof(verdict));
		strbuf_addf(sb, "%s%s : %s", *sep ? ",\n\t\t\t     " : "\t\telements = { ",
			    eni->mac, verdict);
		sep = ",";
	}
	strbuf_addf(sb, "%s\t}\n\n", *sep ? " }\n" : "");
}

bool vnft_has_unchecked(const struct vpc_model *model)
{
	for (size_t e = 0; e < model->enis.len; e++)
		if (!VEC_AT(&model->enis, struct vpc_eni, e)->is_source_dest_checked)
			return true;
	return false;
}

/* An ENI with the source/destination check off sends and receives for
 * other addresses; AWS judges that traffic by its own groups. What it
 * sends is known by its MAC (the frame's source, bridged or routed:
 * the bridge table binds the MAC to its port); what it receives by its
 * MAC when bridged, by the route's next hop when routed. */
static int render_unchecked_maps(struct strbuf *sb, const struct vpc_model *model,
				 const struct group_sets *gs)
{
	int rc = 0;

	render_mac_map(sb, model, gs, VPC_EGRESS);
	render_mac_map(sb, model, gs, VPC_INGRESS);
	for (int fi = 0; rc == 0 && fi < 2; fi++) {
		char name[32], field[32];

		snprintf(name, sizeof(name), "unchecked_in_nexthop_%s", vnft_families[fi].suffix);
		snprintf(field, sizeof(field), "rt %s nexthop", vnft_families[fi].ip);
		rc = render_addr_map(sb, model, gs, name, field, fi, VPC_INGRESS, ENIS_UNCHECKED,
				     0);
	}
	return rc;
}

/* Each group's sets and chains, the chains of the distinct lists of
 * groups, and the maps from an ENI's address to its list's chain. */
int vnft_render_sgs(struct strbuf *sb, const struct vpc_model *model)
{
	struct group_sets gs = { 0 };
	struct group_members *members = NULL;
	int rc = find_group_sets(model, &gs);

	if (rc == 0)
		rc = format_addrs(model, &gs);
	if (rc == 0)
		rc = members_build(model, NULL, &members);
	if (rc == 0)
		render_members_sets(sb, model, members);
	for (size_t i = 0; rc == 0 && i < model->sgs.len; i++) {
		struct sg_sets sets;

		rc = sg_sets_build(model, members, VEC_AT(&model->sgs, struct vpc_sg, i), &sets);
		if (rc < 0)
			break;
		render_sg_sets(sb, (int)i, &sets);
		render_sg_chain(sb, model, (int)i, VPC_INGRESS, &sets);
		render_sg_chain(sb, model, (int)i, VPC_EGRESS, &sets);
		sg_sets_free(&sets);
	}
	if (rc == 0) {
		render_group_set_chains(sb, &gs);
		rc = render_eni_maps(sb, model, &gs);
		if (rc == 0 && vnft_has_unchecked(model))
			rc = render_unchecked_maps(sb, model, &gs);
	}
	members_free(members, model->sgs.len);
	group_sets_free(&gs);
	return rc;
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

/* Whether the same sets are non-empty in both and the same groups are
 * named for the same traffic: then the loaded chains already hold exactly
 * these lookups. */
static bool same_set_shape(const struct sg_sets *a, const struct sg_sets *b)
{
	for (int d = 0; d < 2; d++)
		for (int f = 0; f < 2; f++)
			for (int k = 0; k < N_KINDS; k++)
				if ((a->elements[d][f][k].len == 0) != (b->elements[d][f][k].len == 0) ||
				    !same_boxes(&a->refs[d][f][k], &b->refs[d][f][k]))
					return false;
	return true;
}

/* Whether any of refs[dir][f][*] names group. */
static bool names_group(const struct sg_sets *sets, int f, int group)
{
	for (int d = 0; d < 2; d++)
		for (int k = 0; k < N_KINDS; k++)
			for (size_t i = 0; i < sets->refs[d][f][k].len; i++) {
				const struct box *b = VEC_AT(&sets->refs[d][f][k], struct box, i);

				if (b->addr_lo <= (addr128)group && (addr128)group <= b->addr_hi)
					return true;
			}
	return false;
}

/* The member sets of the groups the new rules name and the loaded ones
 * did not (before NULL: unknown), which the table may lack: made sure of
 * and filled. */
static void render_new_members_sets(struct strbuf *sb, const struct vpc_model *model,
				    const struct group_members *members,
				    const struct sg_sets *sets, const struct sg_sets *before)
{
	for (size_t g = 0; g < model->sgs.len; g++) {
		for (int f = 0; f < 2; f++) {
			char name[64];

			if (!names_group(sets, f, (int)g) || (before && names_group(before, f, (int)g)))
				continue;
			members_set_name(name, sizeof(name), (int)g, f);
			strbuf_addf(sb, "add set inet " VPC_NFT_TABLE " %s { type %s;%s }\n"
				    "flush set inet " VPC_NFT_TABLE " %s\n"
				    "add element inet " VPC_NFT_TABLE " %s { ", name, addr_types[f],
				    members_flags(&members[g].ranges[f], true), name, name);
			vnft_add_elements(sb, &members[g].ranges[f], KIND_ALL, vnft_families[f].family,
					  NULL, NULL);
			strbuf_addf(sb, " }\n");
		}
	}
}

/* The edits of group sg's sets and chains, in place (previous NULL, or
 * an edit nftobj cannot turn into a delta). */
static char *render_sg_edits(const struct vpc_model *model, int sg, const struct vpc_sg *previous)
{
	struct strbuf sb = { 0 };
	bool *is_wanted;
	int rc;
	struct sg_sets sets, before = { 0 };
	struct group_members *members;
	bool is_same_shape = false;

	/* Only the groups the rules name, now or before: an edit costs the
	 * group's rules, not the VPC's ENIs times its groups. */
	is_wanted = calloc(model->sgs.len + 1, sizeof(*is_wanted));
	if (!is_wanted)
		return NULL;
	mark_named_groups(VEC_AT(&model->sgs, struct vpc_sg, sg), model->sgs.len, is_wanted);
	if (previous)
		mark_named_groups(previous, model->sgs.len, is_wanted);
	rc = members_build(model, is_wanted, &members);
	free(is_wanted);
	if (rc < 0)
		return NULL;
	if (sg_sets_build(model, members, VEC_AT(&model->sgs, struct vpc_sg, sg), &sets) < 0) {
		members_free(members, model->sgs.len);
		return NULL;
	}
	if (previous) {
		if (sg_sets_build(model, members, previous, &before) < 0) {
			sg_sets_free(&sets);
			members_free(members, model->sgs.len);
			return NULL;
		}
		is_same_shape = same_set_shape(&sets, &before);
	}
	if (!is_same_shape)
		render_new_members_sets(&sb, model, members, &sets, previous ? &before : NULL);
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
					vnft_add_typeof(&sb, (enum set_kind)k, &vnft_families[f],
						   d == VPC_INGRESS ? "saddr" : "daddr");
					strbuf_addf(&sb, "; flags interval; }\n");
				}
				strbuf_addf(&sb, "flush set inet " VPC_NFT_TABLE " %s\n", name);
				if (elements->len == 0)
					continue;
				strbuf_addf(&sb, "add element inet " VPC_NFT_TABLE " %s { ", name);
				vnft_add_elements(&sb, elements, (enum set_kind)k, vnft_families[f].family,
					  NULL, NULL);
				strbuf_addf(&sb, " }\n");
			}
		}
		if (is_same_shape)
			continue;
		snprintf(prefix, sizeof(prefix), "add rule inet " VPC_NFT_TABLE " sg%d_%s ", sg,
			 vnft_dir_name((enum vpc_dir)d));
		strbuf_addf(&sb, "flush chain inet " VPC_NFT_TABLE " sg%d_%s\n", sg,
			    vnft_dir_name((enum vpc_dir)d));
		render_sg_lookups(&sb, prefix, sg, (enum vpc_dir)d, &sets);
	}
	sg_sets_free(&sets);
	if (previous)
		sg_sets_free(&before);
	members_free(members, model->sgs.len);
	return strbuf_take(&sb);
}

/* Group sg's part of the table as the whole render prints it, with the
 * rules given: the member sets is_named marks, the group's sets, its
 * chains. */
static void render_sg_block(struct strbuf *sb, const struct vpc_model *model,
			    const struct group_members *members, const bool *is_named, int sg,
			    const struct sg_sets *sets)
{
	strbuf_addf(sb, "table inet " VPC_NFT_TABLE " {\n");
	render_named_members_sets(sb, model, members, is_named);
	render_sg_sets(sb, sg, sets);
	render_sg_chain(sb, model, sg, VPC_INGRESS, sets);
	render_sg_chain(sb, model, sg, VPC_EGRESS, sets);
	strbuf_addf(sb, "}\n");
}

/* Group sg's part of the table before (rules previous) and after (the
 * model's), each as the whole render would print it. The member sets in
 * each are those some group names then: a set the other groups name is
 * in both (unchanged), one only previous named goes, one only the new
 * rules name comes. */
static int render_sg_blocks(const struct vpc_model *model, int sg, const struct vpc_sg *previous,
			    char **before_text, char **after_text)
{
	size_t n = model->sgs.len;
	bool *named_before = calloc(n + 1, sizeof(bool)), *named_after = calloc(n + 1, sizeof(bool));
	bool *by_others = calloc(n + 1, sizeof(bool)), *is_wanted = calloc(n + 1, sizeof(bool));
	struct group_members *members = NULL;
	struct sg_sets sets, before;
	struct strbuf a = { 0 }, b = { 0 };
	int rc = named_before && named_after && by_others && is_wanted ? 0 : -1;

	*before_text = *after_text = NULL;
	for (size_t g = 0; rc == 0 && g < n; g++)
		if ((int)g != sg)
			mark_named_groups(VEC_AT(&model->sgs, struct vpc_sg, g), n, by_others);
	/* Only the member sets this group names, before or after, can come
	 * or go: an edit costs the groups it names, not the VPC's. */
	if (rc == 0) {
		mark_named_groups(previous, n, named_before);
		mark_named_groups(VEC_AT(&model->sgs, struct vpc_sg, sg), n, named_after);
		for (size_t g = 0; g < n; g++) {
			is_wanted[g] = named_before[g] || named_after[g];
			named_before[g] = is_wanted[g] && (named_before[g] || by_others[g]);
			named_after[g] = is_wanted[g] && (named_after[g] || by_others[g]);
		}
		rc = members_build(model, is_wanted, &members);
	}
	if (rc == 0)
		rc = sg_sets_build(model, members, VEC_AT(&model->sgs, struct vpc_sg, sg), &sets);
	if (rc == 0) {
		rc = sg_sets_build(model, members, previous, &before);
		if (rc < 0)
			sg_sets_free(&sets);
	}
	if (rc == 0) {
		render_sg_block(&b, model, members, named_before, sg, &before);
		render_sg_block(&a, model, members, named_after, sg, &sets);
		sg_sets_free(&sets);
		sg_sets_free(&before);
		*before_text = strbuf_take(&b);
		*after_text = strbuf_take(&a);
		if (!*before_text || !*after_text)
			rc = -1;
	}
	if (members)
		members_free(members, n);
	free(named_before);
	free(named_after);
	free(by_others);
	free(is_wanted);
	if (rc < 0) {
		free(*before_text);
		free(*after_text);
		*before_text = *after_text = NULL;
	}
	return rc;
}

char *vpc_nft_render_sg_update_blocks(const struct vpc_model *model, int sg,
				      const struct vpc_sg *previous, char **before, char **after)
{
	struct nftobj_ruleset from = { 0 }, to = { 0 };
	struct bw_err err;
	char *before_text, *after_text, *txn = NULL;
	size_t n_changed = 0;
	int rc;

	*before = *after = NULL;
	if (!previous)
		return render_sg_edits(model, sg, previous);
	if (render_sg_blocks(model, sg, previous, &before_text, &after_text) < 0)
		return NULL;
	rc = nftobj_parse(before_text, &from, &err);
	if (rc == 0) {
		rc = nftobj_parse(after_text, &to, &err);
		if (rc == 0)
			rc = nftobj_delta(&from, &to, &txn, &n_changed, &err);
		nftobj_free(&to);
		nftobj_free(&from);
	}
	if (rc == 0) {
		*before = before_text;
		*after = after_text;
		return txn;
	}
	free(before_text);
	free(after_text);
	if (rc == -ENOMEM)
		return NULL;
	/* What nftobj cannot load as a delta is edited in place. */
	return render_sg_edits(model, sg, previous);
}

char *vpc_nft_render_sg_update(const struct vpc_model *model, int sg,
			       const struct vpc_sg *previous)
{
	char *before, *after;
	char *txn = vpc_nft_render_sg_update_blocks(model, sg, previous, &before, &after);

	free(before);
	free(after);
	return txn;
}
