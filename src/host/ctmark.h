/* bulwark's bits of the conntrack mark (see render/vpc_nft.h: the
 * generation of the ruleset that judged a flow's ACLs). */
#pragma once
#include <stdint.h>

#include "util/err.h"

/* Clears the bits of mask from the mark of every conntrack entry of the
 * current network namespace, through ctnetlink, leaving the other bits
 * (other programs' marks: CNIs use them) as they are. For when the
 * generation wraps: a flow judged long ago under the number about to be
 * used again must be judged afresh, not taken for judged by the new
 * ruleset. Entries that end meanwhile are skipped. */
int ctmark_clear(uint32_t mask, struct bw_err *err);
