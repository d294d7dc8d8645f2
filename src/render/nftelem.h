/* A set's or map's elements, as bulwark prints them, turned into the
 * netlink elements nft itself sends for them (checked against
 * `nft --debug=netlink` by tests/netns/nftnl_elems.sh), so that
 * host/nftnl_elems.c can load them without libnftables parsing text:
 *   - key fields in network order; in a concatenation each field padded
 *     to 4 bytes; an interface name 16 bytes, NUL-padded;
 *   - a concatenated interval set (pipapo): every element a key and a
 *     key end (the last value of each field's range);
 *   - any other interval set (rbtree): the intervals sorted, each a start
 *     element and an end element (last + 1, flagged interval end), none
 *     when the interval reaches the top of the key space (the start then
 *     carries nft's "open interval" flag in its user data); an end
 *     element at 0 first unless the first interval starts at 0; with
 *     auto-merge, overlapping and adjacent intervals merged first, and
 *     without, overlapping ones refused as nft refuses them;
 *   - a verdict map's data: the verdict code and, for jump and goto, the
 *     chain.
 * Declarations and element forms bulwark does not print (timeouts,
 * counters, named protocols, wildcard interface names, data other than
 * verdicts...) are -EOPNOTSUPP: the caller loads that set as text.
 * Pure: text in, bytes out. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/vec.h"

#define NFTELEM_MAX_FIELDS 16 /* NFT_REG32_COUNT */
#define NFTELEM_KEY_MAX 64    /* NFT_REG32_COUNT * 4 bytes */

enum nftelem_field {
	NFTELEM_IPV4,   /* 4 bytes */
	NFTELEM_IPV6,   /* 16 bytes */
	NFTELEM_MAC,    /* 6 bytes */
	NFTELEM_IFNAME, /* 16 bytes, a quoted name */
	NFTELEM_U8,     /* 1 byte: a protocol number, an ICMP type or code */
	NFTELEM_PORT,   /* 2 bytes, big-endian */
};

struct nftelem_layout {
	enum nftelem_field fields[NFTELEM_MAX_FIELDS];
	size_t n_fields;
	size_t key_len;     /* the set's key length in bytes */
	bool is_interval;   /* flags interval */
	bool is_auto_merge;
	bool is_verdict_map; /* `: verdict` */
};

/* One netlink set element. */
struct nftelem {
	uint8_t key[NFTELEM_KEY_MAX];
	uint8_t key_end[NFTELEM_KEY_MAX]; /* when has_key_end */
	bool has_key_end;                 /* NFTA_SET_ELEM_KEY_END (pipapo) */
	bool is_interval_end;             /* NFT_SET_ELEM_INTERVAL_END */
	bool is_open;      /* user data NFTNL_UDATA_SET_ELEM_FLAGS = INTERVAL_OPEN */
	bool has_verdict;  /* NFTA_SET_ELEM_DATA {NFTA_DATA_VERDICT} */
	int32_t verdict;   /* NF_ACCEPT, NF_DROP, NFT_CONTINUE, NFT_RETURN, NFT_JUMP, NFT_GOTO */
	const char *chain; /* jump/goto target, chain_len bytes inside the item text */
	size_t chain_len;
	size_t item;       /* index of the element text it comes from */
};

/* Reads a set's declaration lines (nftobj's header: `typeof …` or
 * `type …`, then `flags interval`, `auto-merge`, `size N`). `name` only
 * names the set in errors. */
int nftelem_layout_parse(const char *name, const char *header, struct nftelem_layout *out,
			 struct bw_err *err);

/* Encodes items[0..n) (element texts as printed: "10.0.0.0/8 . 6 . 80-90",
 * "10.1.0.10 : jump sg0_in", "\"v0\" . 0a:00:00:00:00:01") as the
 * elements nft sends for them, appended to out (struct vec of struct
 * nftelem; chain points into items). -EINVAL naming the set and the
 * element for text nft would refuse, -EOPNOTSUPP for a form this module
 * does not encode; out is left as it was on failure. For an interval
 * set without concatenation the n items must be all that is added to
 * the set in its transaction (the end element at 0 and auto-merge look
 * at them together). */
int nftelem_encode(const char *name, const struct nftelem_layout *layout,
		   const char *const *items, size_t n, struct vec *out, struct bw_err *err);
