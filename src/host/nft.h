/* nftables through libnftables: one transaction per call. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"

/* Runs ruleset text as one transaction. With is_dry_run the kernel checks
 * it and nothing is committed. Blank text is no transaction at all. */
int nft_apply(const char *ruleset, bool is_dry_run, struct bw_err *err);

struct nft_ctx;

/* As nft_apply(), but the context, and the cache libnftables fetched into
 * it (at 10,000 instances releasing it costs more than the transaction),
 * is kept in *spent (a context already there released first) for
 * nft_release() once the caller has answered. */
int nft_apply_release_later(const char *ruleset, struct nft_ctx **spent, struct bw_err *err);
void nft_release(struct nft_ctx **spent);

/* Lists one table as libnftables JSON ({"nftables": [...]}). Sets *out to
 * NULL (and returns 0) when the table does not exist. Caller decrefs. */
int nft_list_table_json(const char *family, const char *table, json_t **out,
			struct bw_err *err);

/* Runs a list command ("list tables", "list counters table …") with JSON
 * output. Sets *out to NULL (and returns 0) when what it names does not
 * exist. Caller decrefs. */
int nft_list_json(const char *cmd, json_t **out, struct bw_err *err);

/* Lists one table as ruleset text that nft_apply() can load again.
 * Sets *out to NULL when the table does not exist. Caller frees. */
int nft_list_table_text(const char *family, const char *table, char **out,
			struct bw_err *err);

/* Whether this process may change nftables at all (CAP_NET_ADMIN in its
 * effective set). Asked first: libnftables prints to stderr on EPERM. */
bool nft_has_permission(void);

/* Which ruleset the kernel holds, told apart from any other a later look
 * could meet: the boot, this network namespace (its cookie: never reused
 * within a boot, where inode numbers are) and the ruleset's generation
 * (the kernel adds one with every transaction any program commits in the
 * namespace). Two equal stamps: not one transaction came between. */
#define NFT_BOOT_ID_LEN 36
struct nft_stamp {
	char boot_id[NFT_BOOT_ID_LEN + 1]; /* "" unknown */
	uint64_t netns_cookie;             /* 0 unknown */
	uint32_t generation;
};

int nft_ruleset_stamp(struct nft_stamp *stamp, struct bw_err *err);

/* Whether a and b are both known and the same. */
bool nft_stamp_equal(const struct nft_stamp *a, const struct nft_stamp *b);

/* Whether table name of family (NFPROTO_INET, NFPROTO_BRIDGE...) is
 * loaded: one request for the table, where listing the tables through
 * libnftables fetched every set's elements (at 10,000 instances a fifth
 * of `fw apply`). */
int nft_table_exists(uint8_t family, const char *name, bool *exists, struct bw_err *err);

/* The kernel's handle of table name of family, 0 when it is not loaded.
 * The kernel numbers each table it makes from one counter of the network
 * namespace, so a table deleted and made again (a whole load) has another
 * handle, and edits of its contents keep it. */
int nft_table_handle(uint8_t family, const char *name, uint64_t *handle, struct bw_err *err);

/* Whether the running kernel accepts flowtables (a dry-run probe). */
bool nft_kernel_has_flowtables(void);
