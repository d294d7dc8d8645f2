/* IPv4 and IPv6 address ranges, parsed strictly: AWS canonicalises CIDRs
 * (host bits zero), so a range with host bits set is an error that says
 * what was meant. Pure. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cidr {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* network address, host bits zero */
	uint8_t prefix_len;
	char text[64];       /* canonical text, e.g. "10.0.0.0/8" */
};

/* Parses "addr/len" (or a bare address when is_host_allowed: /32, /128).
 * On error returns -EINVAL and writes one line to why. */
int cidr_parse(const char *text, bool is_host_allowed, struct cidr *out,
	       char *why, size_t why_size);

/* Parses a bare address into a full-length range. */
int cidr_parse_addr(const char *text, struct cidr *out);

/* Whether range contains addr (a full-length cidr of the same family). */
bool cidr_contains(const struct cidr *range, const struct cidr *addr);

/* The first and last address of a range (16 bytes each; IPv4 in the first 4). */
void cidr_bounds(const struct cidr *range, uint8_t first[16], uint8_t last[16]);

/* Address length in bytes for family: 4 or 16. */
size_t cidr_addr_len(int family);
