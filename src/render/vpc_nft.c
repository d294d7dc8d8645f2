#include "render/vpc_nft.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "render/vpc_nft_int.h"

#include "model/vpc_eval.h"

/* What AWS never filters: the instance metadata service, Amazon DNS and
 * Time Sync (and their Nitro IPv6 forms), the ECS task metadata endpoint,
 * Windows license activation, and the VPC's own DNS resolver
 * at the base of each of its IPv4 ranges plus two. Neither groups nor
 * ACLs judge traffic to or from them. */
static int render_aws_services(struct strbuf *sb, const struct vpc_model *model)
{
	struct vec addrs = VEC_INIT(struct cidr);

	/* The evaluator's list, so fw explain and the kernel agree. */
	if (vpc_never_filtered_addrs(model, &addrs) < 0) {
		vec_free(&addrs);
		return -1;
	}
	for (int fi = 0; fi < 2; fi++) {
		const char *sep = "";

		strbuf_addf(sb, "\tset aws_services_%s {\n\t\ttypeof %s daddr\n\t\telements = { ",
			    fi ? "v6" : "v4", fi ? "ip6" : "ip");
		for (size_t i = 0; i < addrs.len; i++) {
			const struct cidr *addr = VEC_AT(&addrs, struct cidr, i);
			char text[INET6_ADDRSTRLEN];

			if ((addr->family == AF_INET6) != (fi == 1))
				continue;
			inet_ntop(addr->family, addr->addr, text, sizeof(text));
			strbuf_addf(sb, "%s%s", sep, text);
			sep = ", ";
		}
		strbuf_addf(sb, " }\n\t}\n\n");
	}
	vec_free(&addrs);
	return 0;
}

/* Traffic to the services, and their replies. A packet that only claims
 * a service's address as its source starts no exempt flow: it is judged
 * like any other. */
#define AWS_SERVICES_ACCEPT "\t\tip daddr @aws_services_v4 accept\n" \
			    "\t\tip6 daddr @aws_services_v6 accept\n" \
			    "\t\tct direction reply ip saddr @aws_services_v4 accept\n" \
			    "\t\tct direction reply ip6 saddr @aws_services_v6 accept\n"

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

static void render_nacl_chain(struct strbuf *sb, const struct vpc_model *model,
			      const struct vpc_nft_opts *opts)
{
	/* With an unchecked ENI, the ACLs of the subnets of the ENIs the
	 * packet leaves and enters (vpc_nft_acl.c); else of its addresses. */
	const char *dispatch = vnft_has_unchecked(model) ? "\t\tjump acl_out\n" :
		"\t\tip saddr vmap @subnet_out_v4\n"
		"\t\tip6 saddr vmap @subnet_out_v6\n"
		"\t\tip daddr vmap @subnet_in_v4\n"
		"\t\tip6 daddr vmap @subnet_in_v6\n";
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
		AWS_SERVICES_ACCEPT
		"%s"
		"\t\tct state new,established ct mark & 0x%08x != 0x%08x ct mark set ct mark & 0x%08x | 0x%08x\n"
		"\t\tct state new,established ct direction original ct mark set ct mark | 0x%08x\n"
		"\t\tct state new,established ct direction reply ct mark set ct mark | 0x%08x\n"
		"\t}\n\n",
		original | gen_mask, original | gen,
		reply | gen_mask, reply | gen, dispatch,
		gen_mask, gen, ~mask, gen,
		original, reply);
}

static void render_base_chains(struct strbuf *sb, const struct vpc_model *model,
			       const struct vpc_nft_opts *opts)
{
	bool has_unchecked = vnft_has_unchecked(model);

	render_nacl_chain(sb, model, opts);
	strbuf_addf(sb,
		"\tchain sg_egress {\n"
		"\t\ttype filter hook forward priority filter; policy accept;\n"
		"\t\tct state established,related accept\n"
		ND_ACCEPT
		AWS_SERVICES_ACCEPT);
	if (has_unchecked)
		strbuf_addf(sb, "\t\tether saddr vmap @unchecked_out_mac\n");
	strbuf_addf(sb,
		"\t\tip saddr vmap @eni_out_v4\n"
		"\t\tip6 saddr vmap @eni_out_v6\n"
		"\t}\n\n"
		"\tchain sg_ingress {\n"
		"\t\ttype filter hook forward priority filter + 10; policy accept;\n"
		"\t\tct state established,related accept\n"
		ND_ACCEPT
		AWS_SERVICES_ACCEPT);
	if (has_unchecked)
		strbuf_addf(sb,
			"\t\tether daddr vmap @unchecked_in_mac\n"
			"\t\trt ip nexthop vmap @unchecked_in_nexthop_v4\n"
			"\t\trt ip6 nexthop vmap @unchecked_in_nexthop_v6\n");
	strbuf_addf(sb,
		"\t\tip daddr vmap @eni_in_v4\n"
		"\t\tip6 daddr vmap @eni_in_v6\n"
		"\t}\n");
}

char *vpc_nft_render(const struct vpc_model *model, const struct vpc_nft_opts *opts)
{
	struct strbuf sb = { 0 };
	int rc;

	strbuf_addf(&sb, VPC_NFT_INET_DELETE "table inet " VPC_NFT_TABLE " {\n");
	/* Every drop is counted by what decided it: `fw status` shows them,
	 * and the tests prove a denial by a counter moving. */
	strbuf_addf(&sb, "\tcounter " VPC_NFT_DENIED_SG_OUT " {\n\t}\n\n"
			 "\tcounter " VPC_NFT_DENIED_SG_IN " {\n\t}\n\n"
			 "\tcounter " VPC_NFT_DENIED_ACL_OUT " {\n\t}\n\n"
			 "\tcounter " VPC_NFT_DENIED_ACL_IN " {\n\t}\n\n"
			 "\tchain " VPC_NFT_DENIED_ACL_OUT " {\n\t\tcounter name " VPC_NFT_DENIED_ACL_OUT
			 " drop\n\t}\n\n"
			 "\tchain " VPC_NFT_DENIED_ACL_IN " {\n\t\tcounter name " VPC_NFT_DENIED_ACL_IN
			 " drop\n\t}\n\n");
	rc = vnft_render_sgs(&sb, model);
	if (rc == 0)
		rc = vnft_render_acls(&sb, model);
	if (rc == 0)
		rc = render_aws_services(&sb, model);
	if (rc == 0)
		render_base_chains(&sb, model, opts);
	strbuf_addf(&sb, "}\n");
	if (rc < 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_take(&sb);
}
