/* authorize-security-group-ingress/egress and revoke-…, as the AWS CLI
 * takes them (--group-id, --ip-permissions JSON), applied to the document
 * describe-security-groups printed. Pure: JSON in, JSON out. */
#pragma once
#include <stdbool.h>

#include <jansson.h>

#include "model/vpc.h"
#include "util/err.h"

/* Changes doc (the whole security-groups.json) in place. Authorize adds
 * each peer of each permission, refusing one that is already there (as EC2
 * does: InvalidPermission.Duplicate); revoke removes each, refusing one
 * that is not there (InvalidPermission.NotFound), and drops permissions
 * left with no peer. permissions_text is validated as strictly as the
 * file itself. */
int sgedit_apply(json_t *doc, const char *group_id, enum vpc_dir dir, bool is_revoke,
		 const char *permissions_text, struct bw_err *err);
