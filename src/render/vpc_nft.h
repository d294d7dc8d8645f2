/* Renders a VPC model as nftables table inet bulwark_vpc.
 *
 * Three base chains on the forward hook, each an AND with the others
 * (accept ends only its own base chain):
 *   nacl        (filter - 10)  stateless: source subnet's outbound ACL,
 *                              destination subnet's inbound ACL, each a
 *                              jump through an interval map by address
 *                              and one verdict-map lookup per protocol
 *                              class (first match compiled into disjoint
 *                              intervals);
 *   sg_egress   (filter)       stateful: tracked flows pass; else the
 *                              source ENI's groups, by a verdict map on the
 *                              address to the chain of its group set;
 *   sg_ingress  (filter + 10)  the same for the destination ENI.
 * Each security group is a chain of set lookups (peer . protocol . port,
 * peer . ICMP type . code, peer . protocol, peer), so a packet's cost does
 * not grow with the number of instances or rules. Names in the ruleset are
 * indexes; ids appear only in comments, and only after the reader
 * validated them. Pure and deterministic. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "model/vpc.h"

#define VPC_NFT_TABLE "bulwark_vpc"

/* A flow's ACL verdict is kept in ct mark bits bulwark owns (others, CNIs
 * among them, use ct mark too): one contiguous run of bits, the top one
 * for the original direction, the next for the reply, the rest the
 * generation of the ruleset that judged it (0: not judged). */
#define VPC_CT_DEFAULT_MASK 0xff000000u
#define VPC_CT_MIN_BITS 3
#define VPC_CT_MAX_BITS 16

struct vpc_nft_opts {
	unsigned generation;   /* 1 .. vpc_ct_generations(ct_mark_mask) */
	uint32_t ct_mark_mask; /* vpc_ct_mask_is_valid() */
};

/* Whether mask is one run of VPC_CT_MIN_BITS to VPC_CT_MAX_BITS bits. */
bool vpc_ct_mask_is_valid(uint32_t mask);
/* How many distinct non-zero generations mask holds. */
unsigned vpc_ct_generations(uint32_t mask);

/* The whole ruleset, replacing the table in one transaction. The
 * generation must differ from the loaded ruleset's whenever the ACLs may
 * have changed. Caller frees; NULL when out of memory. */
char *vpc_nft_render(const struct vpc_model *model, const struct vpc_nft_opts *opts);

/* A transaction that changes only security group sg in a loaded table
 * after its rules changed. previous is the group as the loaded table has
 * it (NULL: unknown). When the same sets are non-empty before and after,
 * only those sets are emptied and refilled; otherwise each of the group's
 * sets is made sure of and refilled and its chains' lookups rewritten.
 * Caller frees. */
char *vpc_nft_render_sg_update(const struct vpc_model *model, int sg,
			       const struct vpc_sg *previous);

#define VPC_NFT_DELETE "add table inet " VPC_NFT_TABLE "\ndelete table inet " VPC_NFT_TABLE "\n"
