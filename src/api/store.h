/* The datastore: live settings, pending settings per named transaction,
 * and the journal of an apply in progress, in one JSON file replaced
 * atomically (temporary, fsync, rename, fsync of the folder): killed at
 * any instant it holds the old state or the new one, never a mix. One
 * process at a time holds it (flock on a lock file beside it). */
#pragma once
#include <jansson.h>

#include "util/err.h"

struct store;

/* The datastore file is read whole; a bigger one is refused, and a write
 * that would make it bigger fails (never a file the next open refuses). */
#define STORE_MAX_BYTES ((size_t)16 * 1024 * 1024)
/* Transaction names: Bottlerocket takes any string; ours are 1 to
 * STORE_TX_MAX characters of letters, digits, '-', '_', '.', ':' and '@'. */
#define STORE_TX_MAX 64

/* 0, or an input error naming the bad transaction name. */
int store_tx_check(const char *tx, struct bw_err *err);

/* Opens (creating it, mode 0700, when missing) the datastore folder dir
 * and takes its lock; a second opener gets an error naming the holder's
 * folder. */
int store_open(const char *dir, struct store **out, struct bw_err *err);
void store_close(struct store *store);

/* The live settings tree ({} when nothing was committed). Borrowed. */
const json_t *store_live(const struct store *store);
/* The pending settings of transaction tx; NULL when it has none. Borrowed. */
const json_t *store_pending(const struct store *store, const char *tx);
/* The names of the transactions with pending settings: a sorted array. */
json_t *store_tx_names(const struct store *store);

/* Merges patch (a validated settings tree) into tx's pending settings. */
int store_set(struct store *store, const char *tx, const json_t *patch, struct bw_err *err);
/* Drops tx's pending settings; *deleted_keys (may be NULL) gets their full names. */
int store_tx_delete(struct store *store, const char *tx, json_t **deleted_keys,
		    struct bw_err *err);
/* Live becomes live merged with tx's pending settings, and tx is dropped,
 * in one write. *changed_keys gets the full names whose values changed
 * (an empty array when nothing was pending or nothing changed). */
int store_commit(struct store *store, const char *tx, json_t **changed_keys,
		 struct bw_err *err);
/* The live tree tx's commit would produce, without writing. Caller decrefs. */
json_t *store_preview(const struct store *store, const char *tx);
/* Replaces the live tree wholesale (a rollback). Takes live. */
int store_replace_live(struct store *store, json_t *live, struct bw_err *err);

/* The journal: what a restart needs to finish or undo an apply that was
 * in progress (an object the caller shapes), written atomically with the
 * rest. NULL clears it. Takes journal. */
int store_set_journal(struct store *store, json_t *journal, struct bw_err *err);
const json_t *store_journal(const struct store *store);
