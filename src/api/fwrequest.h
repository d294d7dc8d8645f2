/* The body of POST /fw/apply, /fw/authorize and /fw/revoke (see
 * api/fwroutes.h), read strictly: known keys only, each of its type, the
 * folders absolute. Pure. */
#pragma once
#include <stdbool.h>

#include <jansson.h>

#include "host/fwengine.h"
#include "util/err.h"

/* Parses body into opts (its strings point into *doc, which the caller
 * decrefs, even on failure); is_edit takes GroupId, IpPermissions (a list
 * or its JSON text) and direction. */
int fwroutes_parse(const char *body, bool is_edit, const char *default_state_dir,
		   struct fwengine_opts *opts, json_t **doc, struct bw_err *err);
