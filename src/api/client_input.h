/* What the settings commands send, shaped from what the user typed: pure
 * (no I/O), so each rule is unit tested. */
#pragma once
#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

enum client_source_kind {
	CLIENT_SOURCE_STDIN, /* "-" */
	CLIENT_SOURCE_FILE,  /* a path, or file:///path (file://localhost/path) */
	CLIENT_SOURCE_HTTPS, /* https://... */
};

/* Where one source of `bulwark apply` is. For a file, path gets the path
 * (a file:// URL percent-decoded). Other URL schemes, a file:// URL naming
 * another host, and an empty source are input errors. */
int client_source(const char *source, enum client_source_kind *kind, char *path,
		  size_t path_size, struct bw_err *err);

/* `set --json TEXT`: a JSON object; an outer "settings" object is taken
 * off, as apiclient does (its other keys stay beside the settings'). Sets
 * *out (caller decrefs). */
int client_json_settings(const char *text, json_t **out, struct bw_err *err);

/* The full prefix `get PREFIX` asks GET /?prefix= for: "settings." put
 * in front unless the prefix starts with "settings" or names the model's
 * os part ("os", "os.arch"), as apiclient get os asks for it. An empty
 * prefix is an input error. */
int client_settings_prefix(const char *prefix, char *out, size_t size, struct bw_err *err);

/* Merges from into into, as apiclient merges the answers of several
 * prefixes: objects key by key, recursively; anything else (arrays too)
 * replaced by from's. Borrows from. */
void client_merge(json_t *into, const json_t *from);

/* --confirm-within: a whole number of seconds, 1 to 604800. */
int client_seconds(const char *text, long *seconds, struct bw_err *err);

/* A transaction name of its own for one call: "bulwark-WHAT-" and 16
 * letters and digits drawn from random (16 bytes). */
void client_tx_name(const char *what, const unsigned char random[16], char *out, size_t size);
