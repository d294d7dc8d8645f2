/* EC2 describe-* replies (XML) turned into the JSON the AWS CLI prints for
 * the same call (capitalised keys, lists, numbers and booleans typed as
 * the EC2 API model says), so `fw sync` feeds the same readers
 * (conf/awsjson.h) as `fw apply --aws DIR`. Pure: no I/O.
 *
 * Elements the tables here do not name are skipped (EC2 adds fields over
 * time); the ones named are checked: an integer must be one, a boolean
 * "true" or "false", no member twice. */
#pragma once
#include <stddef.h>

#include <jansson.h>

#include "util/err.h"

enum aws_describe {
	AWS_DESCRIBE_VPCS,
	AWS_DESCRIBE_SUBNETS,
	AWS_DESCRIBE_SECURITY_GROUPS,
	AWS_DESCRIBE_NETWORK_ACLS,
	AWS_DESCRIBE_INSTANCES,
	AWS_DESCRIBE_NETWORK_INTERFACES,
	AWS_DESCRIBE_PREFIX_LIST_ENTRIES, /* GetManagedPrefixListEntries */
	AWS_DESCRIBE_N,
};

struct aws_describe_info {
	const char *action;   /* "DescribeSecurityGroups" */
	const char *file;     /* what --aws DIR calls it: "security-groups.json" */
	const char *list_key; /* the reply's list: "SecurityGroups" */
	const char *id_key;   /* what its items are sorted by: "GroupId" */
	int max_results;      /* the most EC2 takes as MaxResults */
};

const struct aws_describe_info *aws_describe_info(enum aws_describe what);

/* One page: *page is {list_key: [...]} (owned by the caller), and
 * *next_token the reply's NextToken (malloc'd) or NULL on the last page.
 * A reply of another action, malformed XML or a value of the wrong type
 * is -EPROTO with err naming the element. */
int aws_describe_page(enum aws_describe what, const char *xml, size_t len, json_t **page,
		      char **next_token, struct bw_err *err);

/* Appends page's items to all's (both {list_key: [...]}). */
int aws_describe_merge(enum aws_describe what, json_t *all, const json_t *page,
		       struct bw_err *err);

/* Sorts all's items by their id, so the same VPC gives the same bytes
 * whatever order or pages EC2 answered in. */
void aws_describe_sort(enum aws_describe what, json_t *all);
