/* User data as Bottlerocket takes it: a TOML or JSON document whose
 * top-level "settings" table holds settings. Pure: the caller reads the
 * bytes (file, stdin, https). */
#pragma once
#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

/* The settings tree of one document: JSON when its first non-blank byte
 * is '{', TOML otherwise. A document without a top-level "settings" table
 * is an input error; other top-level tables are an input error too (bulwark
 * has no services or configuration files to set). Not validated against
 * the schema: the caller runs settings_validate(). Sets *out (caller decrefs). */
int userdata_parse(const char *name, const char *text, size_t len, json_t **out,
		   struct bw_err *err);
