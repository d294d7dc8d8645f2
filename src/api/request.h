/* What an API request carries, parsed and checked before the datastore
 * sees it: the bodies of PATCH /settings and PATCH /settings/keypair, and
 * the comma-separated lists of the query (?keys=). Pure: no I/O, so the
 * fuzz target runs it on any bytes. */
#pragma once
#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

/* Bodies above this are refused (413) while they are read. */
#define API_BODY_MAX ((size_t)1024 * 1024)

/* A PATCH /settings body: a JSON object holding a settings tree
 * ({"kernel": {"lockdown": "integrity"}}; {"settings": {...}} is taken
 * too), checked with settings_validate(…, true). Sets *out (caller
 * decrefs). Bad JSON or a bad setting is an input error. */
int api_request_settings(const char *body, size_t len, json_t **out, struct bw_err *err);

/* A PATCH /settings/keypair body: {"request_payload": ["k=v", …]}, the
 * pairs as settings_from_keypairs takes them, checked the same way. */
int api_request_keypairs(const char *body, size_t len, json_t **out, struct bw_err *err);

/* The items of a comma-separated query value (?keys=a,b) as a JSON array
 * of strings; an empty value or an empty item is an input error naming
 * the query key. Sets *out (caller decrefs). */
int api_request_list(const char *name, const char *value, json_t **out, struct bw_err *err);
