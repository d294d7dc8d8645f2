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
#include "model/vpc.h"

#define VPC_NFT_TABLE "bulwark_vpc"

/* The ct mark bits bulwark uses to keep a flow's ACL verdict (the low 16
 * bits are left to others): one bit per direction, and the generation of
 * the ruleset that judged it. */
#define VPC_CT_ORIGINAL 0x80000000u
#define VPC_CT_REPLY 0x40000000u
#define VPC_CT_GEN_MASK 0x3fff0000u
#define VPC_CT_GEN_SHIFT 16
#define VPC_CT_MASK 0xffff0000u
#define VPC_CT_GENERATIONS 16384u /* generations cycle through 1 .. 16383 */

/* The whole ruleset, replacing the table in one transaction. generation
 * (1 to 16383) must differ from the loaded ruleset's whenever the ACLs may
 * have changed. Caller frees; NULL when out of memory. */
char *vpc_nft_render(const struct vpc_model *model, unsigned generation);

/* A transaction that changes only security group sg in a loaded table
 * after its rules changed. previous is the group as the loaded table has
 * it (NULL: unknown). When the same sets are non-empty before and after,
 * only those sets are emptied and refilled; otherwise each of the group's
 * sets is made sure of and refilled and its chains' lookups rewritten.
 * Caller frees. */
char *vpc_nft_render_sg_update(const struct vpc_model *model, int sg,
			       const struct vpc_sg *previous);

#define VPC_NFT_DELETE "add table inet " VPC_NFT_TABLE "\ndelete table inet " VPC_NFT_TABLE "\n"
