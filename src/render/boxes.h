/* Disjoint boxes for nftables interval sets and maps.
 *
 * nftables refuses overlapping elements in a concatenated interval set,
 * and security-group rules and ACL entries overlap all the time. A box is
 * an address range times a range on two more axes (protocol and port, or
 * ICMP type and code). boxes_first_match() cuts the space the boxes cover
 * into disjoint boxes, each carrying the verdict of the first input box
 * (lowest index) covering it, and merges neighbours with equal verdicts.
 * A union is a first match where every verdict is the same. Pure. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "util/vec.h"

typedef unsigned __int128 addr128;

struct box {
	addr128 addr_lo, addr_hi; /* IPv4 in the low 32 bits */
	uint32_t a_lo, a_hi;      /* protocol, or ICMP type */
	uint32_t b_lo, b_hi;      /* port, or ICMP code */
	int verdict;              /* the caller's meaning; copied to the output */
};

/* Appends to out (struct box) disjoint boxes covering exactly what boxes
 * (n of them, in priority order) cover. Output is sorted by b, then a,
 * then address, so the same input always gives the same bytes. Returns 0
 * or -ENOMEM. */
int boxes_first_match(const struct box *boxes, size_t n, struct vec *out);
