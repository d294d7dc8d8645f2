/* Reader for what `aws ec2 describe-security-groups`, `describe-network-acls`,
 * `describe-subnets`, `describe-instances`, `describe-network-interfaces`,
 * `describe-vpcs` and `get-managed-prefix-list-entries` print. Strict: every id is checked for
 * its form, every CIDR for being canonical, every port and ICMP field for
 * range; the first problem is one error naming the file, the group or ACL
 * id and the rule. Pure: the caller reads the files. */
#pragma once
#include <stddef.h>

#include <jansson.h>

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
/* Every ENI that is attached (Status other than "available"), requester-
 * managed ones included (instance_id ""). An ENI instances.json lists too
 * stays one ENI: the two files must agree on it (awsjson_enis.c says why);
 * either may be read first. */
int awsjson_parse_network_interfaces(const char *text, size_t len, const char *filename,
				     struct vpc_model *model, struct bw_err *err);
/* Each VPC's associated IPv4 and IPv6 ranges, into model->vpcs. */
int awsjson_parse_vpcs(const char *text, size_t len, const char *filename,
		       struct vpc_model *model, struct bw_err *err);
/* One prefix list's entries; id comes from the file name (pl-*.json). */
int awsjson_parse_prefix_list(const char *text, size_t len, const char *filename,
			      const char *id, struct vpc_model *model, struct bw_err *err);

/* The same readers on a document already loaded (awsjson_load_text),
 * which stays the caller's: awsdir drops the whole tree with its arena
 * instead of freeing it node by node. */
typedef int (*awsjson_read_fn)(json_t *doc, const char *filename, struct vpc_model *model,
			       struct bw_err *err);
/* The document of text, refusing duplicate keys and more than
 * AWSJSON_MAX_BYTES; errors name filename, line and column. */
int awsjson_load_text(const char *text, size_t len, const char *filename, json_t **out,
		      struct bw_err *err);
int awsjson_read_security_groups(json_t *doc, const char *filename, struct vpc_model *model,
				 struct bw_err *err);
int awsjson_read_network_acls(json_t *doc, const char *filename, struct vpc_model *model,
			      struct bw_err *err);
int awsjson_read_subnets(json_t *doc, const char *filename, struct vpc_model *model,
			 struct bw_err *err);
int awsjson_read_instances(json_t *doc, const char *filename, struct vpc_model *model,
			   struct bw_err *err);
int awsjson_read_network_interfaces(json_t *doc, const char *filename, struct vpc_model *model,
				    struct bw_err *err);
int awsjson_read_vpcs(json_t *doc, const char *filename, struct vpc_model *model,
		      struct bw_err *err);

/* Keeps one VPC's groups, ACLs, subnets, ENIs and ranges (prefix lists
 * are regional: all stay) and sets model->vpc_id. vpc_id NULL means the
 * only VPC the objects name; several is an input error naming them. An
 * object without VpcId (a hand-made file) belongs to whichever VPC is
 * kept; an ENI without one takes its subnet's. Run it once every file is
 * read, before awsjson_link. */
int awsjson_select_vpc(struct vpc_model *model, const char *vpc_id, struct bw_err *err);

/* Resolves references between files, within one VPC (awsjson_select_vpc
 * with NULL first, unless a VPC was selected): ENIs to subnets and
 * groups, rules to referenced groups and prefix lists, subnets to their
 * ACL or else their VPC's default ACL. Checks that subnets do not overlap
 * and that no address or MAC belongs to two ENIs. Appends a warning
 * (struct awsjson_warning) for each group a rule references that the
 * input does not hold (another VPC's, or a deleted one: it has no members
 * here). */
int awsjson_link(struct vpc_model *model, struct vec *warnings, struct bw_err *err);

/* Whether s is prefix followed by 8 to 17 lowercase hex digits. */
bool awsjson_is_id(const char *s, const char *prefix);
