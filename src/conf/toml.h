/* A strict TOML 1.0 reader (there is no C TOML library in Debian): the
 * document as a jansson object. Tables and inline tables become objects,
 * arrays arrays, strings strings, integers integers, floats reals,
 * booleans booleans, date-times strings in their RFC 3339 form. Anything
 * TOML forbids (a key defined twice, a table redefined, a bad escape,
 * mixed newline forms…) is an input error at name:line:col. Size-limited. */
#pragma once
#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

#define TOML_MAX_BYTES (1024 * 1024)

/* Parses len bytes of text (need not be NUL-terminated). name is the file
 * name used in errors. Sets *out (caller decrefs). */
int toml_parse(const char *name, const char *text, size_t len, json_t **out,
	       struct bw_err *err);
