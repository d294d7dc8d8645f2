/* Reader for fck-nat / pelotech-nat configuration files.
 *
 * The files are shell fragments that fck-nat sources, so the reader accepts
 * exactly the plain assignments a shell would (key=value, quoting, export,
 * comments) and rejects anything a shell would have to evaluate. */
#pragma once
#include <stddef.h>

#include "model/nat.h"
#include "util/err.h"
#include "util/vec.h"

#define NATCONF_MAX_BYTES ((size_t)1024 * 1024)

struct natconf_warning {
	char text[320]; /* "file:line:col: what" */
};

/* Parses text (len bytes, need not be NUL-terminated) into config, which the
 * caller has initialised with nat_config_init(). Unknown keys append one
 * warning each to warnings (a vec of struct natconf_warning). Returns 0, or
 * -EINVAL with err filled at file:line:col. */
int natconf_parse(const char *text, size_t len, const char *filename,
		  struct nat_config *config, struct vec *warnings,
		  struct bw_err *err);
