/* User data as Bottlerocket takes it: a TOML or JSON document whose
 * top-level "settings" table holds settings. Pure: the caller reads the
 * bytes (file, stdin, https). */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* The settings tree of one document: JSON when its first non-blank byte
 * is '{', TOML otherwise. A document without a top-level "settings" table
 * is an input error; other top-level tables are an input error too (bulwark
 * has no services or configuration files to set). Not validated against
 * the schema: the caller runs settings_validate(). Sets *out (caller decrefs). */
int userdata_parse(const char *name, const char *text, size_t len, json_t **out,
		   struct bw_err *err);

/* Where a document (as userdata_parse took it) writes the key at path
 * (full, from the top: {"settings", "kernel", "lockdown"}): the line and
 * column of the deepest part of it the document names (in TOML, that
 * part's own segment; in JSON, the opening quote of its name). False when
 * not even path[0] is found. Parses the document again: for errors. */
bool userdata_key_position(const char *text, size_t len, const char *const *path, size_t n,
			   int *line, int *col);
