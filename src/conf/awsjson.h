/* Reader for what `aws ec2 describe-security-groups`, `describe-network-acls`,
 * `describe-subnets`, `describe-instances` and
 * `get-managed-prefix-list-entries` print. Strict: every id is checked for
 * its form, every CIDR for being canonical, every port and ICMP field for
 * range; the first problem is one error naming the file, the group or ACL
 * id and the rule. Pure: the caller reads the files. */
#pragma once
#include <stddef.h>

#include "model/vpc.h"
#include "util/err.h"
#include "util/vec.h"

#define AWSJSON_MAX_BYTES ((size_t)256 * 1024 * 1024)

struct awsjson_warning {
	char text[320];
};

/* Each appends what one file holds to model (initialised by the caller). */
int awsjson_parse_security_groups(const char *text, size_t len, const char *filename,
				  struct vpc_model *model, struct bw_err *err);
int awsjson_parse_network_acls(const char *text, size_t len, const char *filename,
			       struct vpc_model *model, struct bw_err *err);
int awsjson_parse_subnets(const char *text, size_t len, const char *filename,
			  struct vpc_model *model, struct bw_err *err);
/* Running instances only; each network interface becomes an ENI. */
int awsjson_parse_instances(const char *text, size_t len, const char *filename,
			    struct vpc_model *model, struct bw_err *err);
/* One prefix list's entries; id comes from the file name (pl-*.json). */
int awsjson_parse_prefix_list(const char *text, size_t len, const char *filename,
			      const char *id, struct vpc_model *model, struct bw_err *err);

/* Resolves references between files: ENIs to subnets and groups, rules to
 * referenced groups and prefix lists, subnets to their ACL. Appends a
 * warning (struct awsjson_warning) for each group a rule references that
 * the input does not hold (it has no members here). */
int awsjson_link(struct vpc_model *model, struct vec *warnings, struct bw_err *err);

/* Whether s is prefix followed by 8 to 17 lowercase hex digits. */
bool awsjson_is_id(const char *s, const char *prefix);
