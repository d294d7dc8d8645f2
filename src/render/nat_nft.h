/* Renders the NAT gateway's nftables ruleset: table inet bulwark_nat. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "model/nat.h"

#define NAT_NFT_TABLE "bulwark_nat"

/* What the renderer needs to know about the host, decided by the caller. */
struct nat_nft_host {
	const char *public_interface;
	bool is_ipv4_on;
	bool is_ipv6_on;
	bool use_flowtable;
	const char *const *flowtable_devices; /* with use_flowtable */
	size_t n_flowtable_devices;
};

/* Returns the ruleset text, replacing the table whole in one transaction
 * (add; delete; define), or NULL when out of memory. Caller frees. */
char *nat_nft_render(const struct nat_config *config,
		     const struct nat_nft_host *host);

/* The command that removes the table, whether or not it exists. */
#define NAT_NFT_DELETE "add table inet " NAT_NFT_TABLE "\ndelete table inet " NAT_NFT_TABLE "\n"
