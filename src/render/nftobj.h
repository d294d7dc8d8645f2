/* bulwark's own rendered rulesets as objects, so a change loads as what
 * changed and a large ruleset can load in parts:
 *   - nftobj_delta(): the one transaction that turns a kernel holding one
 *     render into another (fw apply over its own live table, fw sync,
 *     an authorize or revoke): only changed sets, maps and chains, each
 *     refilled whole, elements given in the set's declaration (libnftables
 *     1.0.6 lists every set's elements before an `add element`: at 10,000
 *     instances 118 ms, against 7 ms for the same elements declared);
 *   - nftobj_staged(): a ruleset onto a host without its tables, as
 *     several transactions of bounded size that hook nothing until the
 *     last one adds the base chains (libnftables holds about 1 KB an
 *     element while it loads: 222,000 elements in one call took 243 MB).
 * It reads only what bulwark's renderers print (tables as blocks, one
 * statement a line, `elements = { … }` possibly over several lines);
 * anything else is an error, and the caller loads the ruleset whole.
 * Pure: text in, text out. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/vec.h"

enum nftobj_kind { NFTOBJ_SET, NFTOBJ_MAP, NFTOBJ_COUNTER, NFTOBJ_CHAIN };

struct nftobj {
	enum nftobj_kind kind;
	char *name;
	/* The declaration's lines before any elements or rules, as printed
	 * (a base chain's `type … hook … priority …; policy …;`, a set's
	 * typeof/type, flags, size), "" when none. Owned. */
	char *header;
	/* A set's or map's elements, one string each as printed
	 * ("10.0.0.0/8 . 6 . 443", "10.1.0.10 : jump sg0_in"); a chain's
	 * rules, one string each. Owned (struct vec of char *). */
	struct vec items;
	bool is_base_chain; /* a chain whose header hooks it */
};

struct nftobj_table {
	char *family; /* "inet", "bridge" */
	char *name;
	struct vec objs; /* struct nftobj, in the order printed */
};

struct nftobj_ruleset {
	struct vec tables; /* struct nftobj_table */
};

/* Reads a render (as vpc_nft_render() and its bridge table print it,
 * `add table` / `delete table` lines included and ignored). */
int nftobj_parse(const char *text, struct nftobj_ruleset *out, struct bw_err *err);
void nftobj_free(struct nftobj_ruleset *rs);

/* The transaction that turns a kernel holding exactly `from` into `to`:
 * changed or removed chains flushed, changed or removed sets and maps
 * flushed, removed objects deleted, then new objects declared and changed
 * ones refilled (sets and maps as `add set|map … { …; elements = { … } }`
 * commands, chains and counters in one block per table). A set or map
 * whose declaration changed (its `size` follows its elements) is deleted
 * and declared again, and the chains whose rules look it up are reloaded;
 * a base chain's policy changes in place; a counter keeps its count.
 * *txn is "" when nothing differs (*n_changed 0). Returns -EOPNOTSUPP
 * when the difference cannot be loaded as edits (a table added or
 * removed, a base chain's hook, type or priority changed, a chain turned
 * base or regular): the caller replaces the tables whole. Caller frees
 * *txn. */
int nftobj_delta(const struct nftobj_ruleset *from, const struct nftobj_ruleset *to,
		 char **txn, size_t *n_changed, struct bw_err *err);

/* What an edit's transaction (nftobj_delta(before, after), as
 * vpc_nft_render_sg_update_blocks() gives) did to a kernel holding rs:
 * the objects of before are gone from rs, those of after are in it as
 * after has them (in place of one of the same name, else at the end of
 * its table). A table of before or after that rs lacks is an error, and
 * rs is then not to be used. */
int nftobj_overlay(struct nftobj_ruleset *rs, const char *before, const char *after,
		   struct bw_err *err);

/* `rs` onto a host that has none of its tables, as transactions to load
 * in order (struct vec of char *, caller frees each and the vec):
 * the first declares every table with its sets, maps, counters and
 * regular chains (rules included); then the elements, at most
 * max_elements a transaction; the last adds the base chains, so no packet
 * meets the tables before they are whole. A caller whose later step fails
 * deletes the tables (nothing was hooked). */
int nftobj_staged(const struct nftobj_ruleset *rs, size_t max_elements, struct vec *txns,
		  struct bw_err *err);
