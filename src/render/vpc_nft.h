/* Renders a VPC model as nftables table inet bulwark_vpc.
 *
 * Three base chains on the forward hook, each an AND with the others
 * (accept ends only its own base chain):
 *   nacl        (filter - 10)  stateless: source subnet's outbound ACL,
 *                              destination subnet's inbound ACL, each a
 *                              jump through an interval map by address
 *                              and one verdict-map lookup per protocol
 *                              class (first match compiled into disjoint
 *                              intervals); with an ENI whose
 *                              source/destination check is off, the
 *                              subnets are those of the ENIs the packet
 *                              leaves (by its MAC) and enters (by the
 *                              route's next hop), chains acl_out/acl_in;
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
#include <stddef.h>
#include <stdint.h>

#include "model/vpc.h"
#include "util/vec.h"

#define VPC_NFT_TABLE "bulwark_vpc"

/* The counters of table inet bulwark_vpc's drops, by what decided them. */
#define VPC_NFT_DENIED_SG_OUT "denied_sg_egress"
#define VPC_NFT_DENIED_SG_IN "denied_sg_ingress"
#define VPC_NFT_DENIED_ACL_OUT "denied_acl_outbound"
#define VPC_NFT_DENIED_ACL_IN "denied_acl_inbound"

/* A flow's ACL verdict is kept in ct mark bits bulwark owns (others, CNIs
 * among them, use ct mark too): one contiguous run of bits, the top one
 * for the original direction, the next for the reply, the rest the
 * generation of the ruleset that judged it (0: not judged). */
#define VPC_CT_DEFAULT_MASK 0xff000000u
#define VPC_CT_MIN_BITS 4 /* two for directions, two for at least three generations */
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

/* As vpc_nft_render_sg_update(), and what its transaction changes, as
 * render text: *before holds the objects it replaces or removes as the
 * loaded table has them, *after the objects as it leaves them (a render
 * with before's objects swapped for after's is the kernel's table after
 * it, see nftobj_overlay()); both NULL when the transaction edits in
 * place. Caller frees all three. */
char *vpc_nft_render_sg_update_blocks(const struct vpc_model *model, int sg,
				      const struct vpc_sg *previous, char **before, char **after);

/* A port binding: an ENI's MAC on the bridge port it attaches to (a static
 * FDB entry, see host/bridgeports.h). */
#define VPC_PORT_NAME_MAX 16
struct vpc_port {
	char mac[VPC_MAC_LEN];           /* lowercase, as struct vpc_eni's */
	char ifname[VPC_PORT_NAME_MAX];  /* the bridge port */
};

/* Table bridge bulwark_vpc: AWS's source/destination check, where the
 * sender's identity (the port it comes in on and its MAC) cannot be
 * forged. Ahead of the address-keyed lookups of table inet bulwark_vpc:
 *   prerouting  a bound port carries only its ENI's MAC, and a bound MAC
 *               comes in only on its port (srcdst_wrong_port); a checked
 *               ENI's MAC sends only from its addresses and prefixes
 *               (IPv6 link-local and :: for neighbour discovery and DHCP
 *               discovery excepted; ARP's sender address too:
 *               srcdst_spoofed_source); an unchecked ENI's MAC sends from
 *               any address; a MAC no ENI has may not claim an ENI's
 *               address (srcdst_spoofed_source), and sends IP or ARP only
 *               from the addresses of ENIs the model cannot bind (no MAC)
 *               (srcdst_unknown_mac); every frame that is not IPv4,
 *               IPv6 or ARP (an 802.1Q or 802.1ad tagged one too, whatever
 *               it carries) is dropped (srcdst_not_ip), from any MAC;
 *   forward,    a frame to a checked ENI's MAC carries one of its
 *   output      addresses as destination (srcdst_spoofed_destination);
 *               nothing but untagged IPv4, IPv6 or ARP (srcdst_not_ip);
 *   forward     no IP broadcast or multicast between ports but IPv6
 *               neighbour discovery and MLD (srcdst_broadcast).
 * Each drop counts in the named counter given. ports may be empty (then
 * every ENI is bound by MAC only). Caller frees; NULL when out of memory. */
char *vpc_nft_render_bridge(const struct vpc_model *model, const struct vpc_port *ports,
			    size_t n_ports);

/* Both tables, replaced in one transaction: what `fw apply` loads. */
char *vpc_nft_render_all(const struct vpc_model *model, const struct vpc_nft_opts *opts,
			 const struct vpc_port *ports, size_t n_ports);

/* Why an ENI is bound less than fully: for the caller to warn. */
enum vpc_bind_kind {
	VPC_BIND_NO_MAC,        /* no (valid) MAC: neither bound nor checked */
	VPC_BIND_SHARED_MAC,    /* an earlier ENI has its MAC: not bound */
	VPC_BIND_MAC_ONLY,      /* no port has its MAC: bound by MAC only */
};

struct vpc_bind_note {
	int eni; /* index into model->enis */
	enum vpc_bind_kind kind;
};

/* Appends a struct vpc_bind_note to notes for each ENI bound less than
 * fully, in ENI order. Returns 0 or -ENOMEM. */
int vpc_nft_bind_notes(const struct vpc_model *model, const struct vpc_port *ports,
		       size_t n_ports, struct vec *notes);
/* One line: "eni-…: no MAC address: its source and destination are not
 * checked". */
void vpc_nft_bind_note_format(const struct vpc_model *model, const struct vpc_bind_note *note,
			      char *out, size_t out_size);

/* A digest (FNV-1a) of what the ACL verdicts depend on: the ACL maps and
 * the subnet dispatch. While it stays the same, flows' cached verdicts
 * stay right and the generation need not change. */
uint64_t vpc_nft_acl_digest(const struct vpc_model *model);

#define VPC_NFT_BRIDGE_DELETE "add table bridge " VPC_NFT_TABLE "\ndelete table bridge " \
	VPC_NFT_TABLE "\n"
#define VPC_NFT_INET_DELETE "add table inet " VPC_NFT_TABLE "\ndelete table inet " VPC_NFT_TABLE "\n"
/* Deletes both tables. */
#define VPC_NFT_DELETE VPC_NFT_INET_DELETE VPC_NFT_BRIDGE_DELETE
