/* A group as it was before an edit, for the renderer to change only what
 * the edit changed in a loaded table. Pure. */
#pragma once
#include <jansson.h>

#include "model/vpc.h"

/* A copy of group_id's object in doc (security-groups.json), or NULL.
 * Caller decrefs. */
json_t *sgbefore_copy(const json_t *doc, const char *group_id);

/* Parses group (a copy from sgbefore_copy) into before (initialised by the
 * caller, who frees it), with its references resolved against after (the
 * model after the edit: the same groups and prefix lists). Returns the
 * group, or NULL when it cannot tell (the renderer then rewrites all of
 * the group's sets). */
const struct vpc_sg *sgbefore_parse(const json_t *group, const struct vpc_model *after,
				    struct vpc_model *before);
