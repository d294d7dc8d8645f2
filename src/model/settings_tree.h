/* Operations on settings trees and their dotted key names, shared by the
 * datastore, the API and the CLI. A key name is dotted segments; a segment
 * holding a dot or a quote is written in double quotes:
 * settings.kernel.sysctl."net.ipv4.ip_forward". Pure: no I/O. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define SETTINGS_MAX_SEGMENTS 16

/* Splits a dotted key name into segments (quotes removed). Each segment is
 * a malloc'd string in segments[] (free with settings_key_free). An empty
 * segment, an unclosed quote or more than SETTINGS_MAX_SEGMENTS is an
 * input error naming the key. */
int settings_key_parse(const char *name, char *segments[SETTINGS_MAX_SEGMENTS],
		       size_t *n_segments, struct bw_err *err);
void settings_key_free(char *segments[SETTINGS_MAX_SEGMENTS], size_t n_segments);

/* Deep-merges patch into into: objects merge key by key, anything else
 * replaces (a null too: pending transactions keep it, see below).
 * Returns 0 or -ENOMEM. */
int settings_merge(json_t *into, const json_t *patch);

/* As settings_merge(), for what commits: a null in patch takes the key
 * out of into, and a table left empty goes too. */
int settings_patch(json_t *into, const json_t *patch);

/* A write (patch) under a table the pending transaction takes out (a
 * null) would be lost in the merge: an input error naming the table. */
int settings_takes_out_under(const json_t *pending, const json_t *patch, struct bw_err *err);

/* A deep copy of tree without its null members, nor the tables only
 * nulls filled. NULL when out of memory. */
json_t *settings_without_nulls(const json_t *tree);

/* The full dotted names ("settings.…") of the leaves whose values differ
 * between old and new, or that one holds and the other does not: a
 * sorted JSON array of strings. NULL when out of memory. */
json_t *settings_changed_keys(const json_t *old_tree, const json_t *new_tree);

/* What committing pending onto live answers, as Bottlerocket's commit:
 * the full names of every leaf pending sets (even to its live value),
 * and of every live leaf a null in pending takes out (the leaves, not the
 * table: {"nat": null} lists settings.nat.enabled, …). A null that takes
 * out nothing live adds nothing. Sorted, unique; NULL when out of memory. */
json_t *settings_commit_keys(const json_t *live, const json_t *pending);

/* The leaves of a settings tree named by the full key names in keys
 * ("settings.kernel.lockdown"); names that match no leaf (a subtree's,
 * as in Bottlerocket) add nothing. */
json_t *settings_select_keys(const json_t *settings, const char *const *keys, size_t n_keys);

/* The part whose full dotted name starts with prefix ("settings.kern"
 * matches settings.kernel…); "" is everything. */
json_t *settings_select_prefix(const json_t *settings, const char *prefix);
