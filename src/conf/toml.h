/* A strict TOML 1.0 reader (there is no C TOML library in Debian): the
 * document as a jansson object. Tables and inline tables become objects,
 * arrays arrays, strings strings, integers integers, floats reals,
 * booleans booleans, date-times strings in their RFC 3339 form. Anything
 * TOML forbids (a key defined twice, a table redefined, a bad escape,
 * mixed newline forms…) is an input error at name:line:col. Size-limited. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define TOML_MAX_BYTES (1024 * 1024)

/* Parses len bytes of text (need not be NUL-terminated). name is the file
 * name used in errors. Sets *out (caller decrefs). */
int toml_parse(const char *name, const char *text, size_t len, json_t **out,
	       struct bw_err *err);

/* Where each key of a document was written (line and column of its own
 * segment: in `a.b = 1`, b is at column 3), for errors found after
 * parsing. */
struct toml_where;

/* As toml_parse, and *where records the keys' positions (caller frees it
 * with toml_where_free, and keeps *out alive while using it). */
int toml_parse_where(const char *name, const char *text, size_t len, json_t **out,
		     struct toml_where **where, struct bw_err *err);

/* The position of key in table (a node of the tree toml_parse_where
 * gave): where the document first named it. False when not recorded. */
bool toml_where_find(const struct toml_where *where, const json_t *table, const char *key,
		     int *line, int *col);
void toml_where_free(struct toml_where *where);
