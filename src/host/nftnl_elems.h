/* Set and map elements loaded straight through libnftnl: the elements of
 * sets already declared (through libnftables), encoded by
 * render/nftelem.c as nft itself would send them, without libnftables
 * parsing text (at 10,000 instances 222,000 elements, where libnftables
 * spends about 0.5 s and 1 KB an element).
 *
 * One call is one netlink transaction (BEGIN, NEWSETELEM messages, END),
 * every message acknowledged: all of it is loaded or none. */
#pragma once
#include <stddef.h>

#include "render/nftobj.h"
#include "util/err.h"

struct nftelem;
struct nftnl_set_elem;
struct nftnl_udata_buf;

/* One encoded element as libnftnl's element (NULL: out of memory, or a
 * verdict's chain name too long); open_flag: the user data nft gives an
 * interval left open. The caller frees it. */
struct nftnl_set_elem *nftnl_elem_make(const struct nftelem *e, size_t key_len,
				       const struct nftnl_udata_buf *open_flag);

/* An upper bound of the bytes e takes in a NEWSETELEM message. */
size_t nftnl_elem_msg_size(const struct nftelem *e, size_t key_len);

/* A set's elements items[first .. first + count) to add. */
struct nftnl_elems_part {
	const char *family; /* "inet", "bridge", "ip", "ip6", "arp", "netdev" */
	const char *table;
	const struct nftobj *set; /* NFTOBJ_SET or NFTOBJ_MAP, as nftobj_parse() read it */
	size_t first;
	size_t count;
};

/* Adds the parts' elements in one transaction. Each set must exist, and
 * a single-field interval set (as nft does for one `elements = { … }`,
 * its end element at 0, its auto-merge) is given in one part; an
 * auto-merge set whole, into an empty set.
 * Returns 0, or with nothing loaded:
 *   -EOPNOTSUPP  a declaration or element this loader does not encode
 *                (nothing sent: load those sets through libnftables);
 *   -EINVAL      an element nft would refuse too (named, with its set);
 *   -errno       the kernel's refusal (names the set and, from the
 *                kernel's extended ack, the element), or a socket error. */
int nftnl_elems_add(const struct nftnl_elems_part *parts, size_t n_parts, struct bw_err *err);

/* Whether every set and map of rs has a declaration and elements this
 * loader encodes (pure; -EOPNOTSUPP or -EINVAL naming the first that
 * does not). Lets a caller choose before it changes anything. */
int nftnl_elems_check(const struct nftobj_ruleset *rs, struct bw_err *err);

/* Every set's and map's elements of rs (its tables, sets and maps
 * declared and empty: nftobj_staged()'s first part), in transactions of
 * at most max_elements elements, a set never split across two (one
 * larger than max_elements goes alone); *n_txns counts the
 * transactions committed (added to). On failure the transactions
 * before the failed one stay loaded: the caller deletes the tables, as
 * it would after a failed part of nftobj_staged(). */
int nftnl_elems_load(const struct nftobj_ruleset *rs, size_t max_elements, size_t *n_txns,
		      struct bw_err *err);

/* rs onto a host holding none of its tables, elements through libnftnl:
 * nftobj_staged()'s declarations (every table, set and map declared
 * empty, counters, regular chains) through libnftables, then
 * nftnl_elems_load(rs, max_elements), then the base chains through
 * libnftables, so nothing hooks before the tables are whole. *n_txns:
 * the transactions committed, of *n_total. -EOPNOTSUPP with nothing loaded when a set
 * cannot be encoded (nftnl_elems_check()): load the text parts instead.
 * Any later failure deletes rs's tables (what could not be deleted stays:
 * the caller looks) and returns that error. */
int nftnl_elems_load_staged(const struct nftobj_ruleset *rs, size_t max_elements, size_t *n_txns,
			    size_t *n_total, struct bw_err *err);

/* Deletes each of rs's tables that is loaded; every one is tried, the
 * first failure is returned (named). */
int nftnl_tables_delete(const struct nftobj_ruleset *rs, struct bw_err *err);
