/* authorize-security-group-ingress/egress and revoke-…, as the AWS CLI
 * takes them (--group-id, --ip-permissions JSON), applied to the document
 * describe-security-groups printed. Pure: JSON in, JSON out.
 *
 * EC2's rules, followed here:
 * - a permission is split into one rule per peer (each CIDR, IPv6 CIDR,
 *   group and prefix list of it); rules are compared after normalising:
 *   protocol numbers 6, 17, 1, 58 are tcp, udp, icmp, icmpv6 and names
 *   are case-insensitive (stored lower case, as describe prints them);
 *   -1 and any other protocol number mean every port (FromPort/ToPort are
 *   dropped); icmp and icmpv6 without ports are every type and code
 *   (-1/-1);
 *   CIDRs compare as addresses, and host bits are cleared as EC2 does
 *   (10.0.0.1/8 is stored as 10.0.0.0/8); descriptions do not count;
 * - the same rule twice in one request: InvalidParameterValue;
 * - authorize: if any rule of the request is already there, the whole
 *   request fails with InvalidPermission.Duplicate and nothing is added;
 * - revoke: if any rule of the request is not there, the whole request
 *   fails with InvalidPermission.NotFound and nothing is removed (EC2's
 *   documented behaviour in a non-default VPC; in a default VPC EC2
 *   instead revokes the rest and lists the unknown ones in
 *   UnknownIpPermissions, which a firewall should not copy silently);
 * - an unknown group: InvalidGroup.NotFound.
 * Every error names EC2's error code. */
#pragma once
#include <stdbool.h>

#include <jansson.h>

#include "model/vpc.h"
#include "util/err.h"

/* group_id's object in doc (security-groups.json), or NULL. Borrowed. */
json_t *sgedit_find_group(const json_t *doc, const char *group_id);

/* Changes doc (the whole security-groups.json) in place; on error doc is
 * left exactly as it was. permissions_text is validated as strictly as
 * the file itself (after normalising). */
int sgedit_apply(json_t *doc, const char *group_id, enum vpc_dir dir, bool is_revoke,
		 const char *permissions_text, struct bw_err *err);
