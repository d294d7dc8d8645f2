/* subnets.json and vpcs.json: the address ranges of subnets and VPCs. */
#include "conf/awsjson_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The ranges of an association set (set_key) that are associated now: a
 * range being added or removed (State "associating", "disassociated", ...)
 * holds no address yet, or no more. A missing state counts as associated. */
static int read_associated(json_t *item, const char *set_key, const char *cidr_key,
			   const char *state_key, int family, struct vec *out,
			   struct awsjson_where *w)
{
	json_t *assocs = NULL, *assoc = NULL;
	size_t j;
	int rc = awsjson_get_array(item, set_key, false, w, &assocs);

	json_array_foreach(rc == 0 ? assocs : NULL, j, assoc) {
		const char *state = json_string_value(
			json_object_get(json_object_get(assoc, state_key), "State"));
		const char *text;
		struct cidr cidr;

		if (state && strcmp(state, "associated") != 0)
			continue;
		rc = awsjson_get_string(assoc, cidr_key, w, &text);
		if (rc == 0)
			rc = awsjson_parse_cidr(text, family, w, &cidr);
		if (rc == 0 && vec_push(out, &cidr) < 0)
			rc = awsjson_oom(w);
		if (rc < 0)
			break;
	}
	return rc;
}

/* CidrBlock, or none for an IPv6-only subnet (Ipv6Native), and at most one
 * associated IPv6 range, as AWS allows. */
static int parse_subnet(json_t *item, struct vpc_subnet *subnet, struct awsjson_where *w)
{
	struct vec v6 = VEC_INIT(struct cidr);
	json_t *cidr4 = json_object_get(item, "CidrBlock");
	bool is_v6_only = false;
	int rc = awsjson_get_opt_id(item, "VpcId", "vpc-", w, subnet->vpc_id);

	if (rc == 0)
		rc = awsjson_get_opt_bool(item, "Ipv6Native", false, w, &is_v6_only);
	if (rc == 0 && is_v6_only && cidr4)
		rc = awsjson_bad(w, "Ipv6Native is true but a CidrBlock is given");
	else if (rc == 0 && !is_v6_only && !json_is_string(cidr4))
		rc = awsjson_bad(w, "CidrBlock must be a string (only an IPv6-only subnet, "
				 "Ipv6Native true, has none)");
	subnet->has_v4 = !is_v6_only;
	if (rc == 0 && subnet->has_v4)
		rc = awsjson_parse_cidr(json_string_value(cidr4), AF_INET, w, &subnet->v4);
	if (rc == 0)
		rc = read_associated(item, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock",
				     "Ipv6CidrBlockState", AF_INET6, &v6, w);
	if (rc == 0 && v6.len > 1)
		rc = awsjson_bad(w, "more than one associated IPv6 range (AWS allows one)");
	if (rc == 0 && is_v6_only && v6.len == 0)
		rc = awsjson_bad(w, "an IPv6-only subnet (Ipv6Native) needs an associated "
				 "Ipv6CidrBlock");
	if (rc == 0 && v6.len == 1) {
		subnet->v6 = *VEC_AT(&v6, struct cidr, 0);
		subnet->has_v6 = true;
	}
	vec_free(&v6);
	return rc;
}

/* Whether a and b (same family or not) share an address. */
static bool overlaps(const struct cidr *a, const struct cidr *b)
{
	return a->prefix_len <= b->prefix_len ? cidr_contains(a, b) : cidr_contains(b, a);
}

int awsjson_read_subnets(json_t *doc, const char *filename, struct vpc_model *model,
			 struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	json_t *subnets = NULL, *item = NULL;
	size_t i;
	int rc = awsjson_get_array(doc, "Subnets", true, &w, &subnets);

	json_array_foreach(rc == 0 ? subnets : NULL, i, item) {
		struct vpc_subnet subnet = { .nacl = -1 };

		snprintf(w.what, sizeof(w.what), "subnet %zu", i + 1);
		rc = awsjson_get_id(item, "SubnetId", "subnet-", &w, subnet.id);
		snprintf(w.what, sizeof(w.what), "%s", subnet.id);
		if (rc == 0 && vpc_find_subnet(model, subnet.id) >= 0)
			rc = awsjson_bad(&w, "listed twice");
		if (rc == 0)
			rc = parse_subnet(item, &subnet, &w);
		if (rc == 0 && vec_push(&model->subnets, &subnet) < 0)
			rc = awsjson_oom(&w);
		if (rc < 0)
			break;
	}
	return rc;
}

int awsjson_parse_subnets(const char *text, size_t len, const char *filename,
			  struct vpc_model *model, struct bw_err *err)
{
	return awsjson_parse_with(awsjson_read_subnets, text, len, filename, model, err);
}

int awsjson_check_subnets(const struct vpc_model *model, struct bw_err *err)
{
	struct awsjson_where w = { .filename = "subnets.json", .err = err };

	/* Subnets of one VPC never overlap; those of two VPCs may, which is
	 * why this waits until one VPC is chosen. */
	for (size_t i = 0; i < model->subnets.len; i++) {
		const struct vpc_subnet *s = VEC_AT(&model->subnets, struct vpc_subnet, i);

		snprintf(w.what, sizeof(w.what), "%s", s->id);
		for (size_t k = 0; k < i; k++) {
			const struct vpc_subnet *o = VEC_AT(&model->subnets, struct vpc_subnet, k);

			if (s->has_v4 && o->has_v4 && overlaps(&s->v4, &o->v4))
				return awsjson_bad(&w, "%s overlaps %s of %s", s->v4.text, o->v4.text,
						   o->id);
			if (s->has_v6 && o->has_v6 && overlaps(&s->v6, &o->v6))
				return awsjson_bad(&w, "%s overlaps %s of %s", s->v6.text, o->v6.text,
						   o->id);
		}
	}
	return 0;
}

int awsjson_read_vpcs(json_t *doc, const char *filename, struct vpc_model *model,
		      struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	json_t *vpcs = NULL, *item = NULL;
	size_t i;
	int rc = awsjson_get_array(doc, "Vpcs", true, &w, &vpcs);

	json_array_foreach(rc == 0 ? vpcs : NULL, i, item) {
		struct vpc_vpc vpc = { .cidrs = VEC_INIT(struct cidr) };
		json_t *primary = NULL;

		snprintf(w.what, sizeof(w.what), "VPC %zu", i + 1);
		rc = awsjson_get_id(item, "VpcId", "vpc-", &w, vpc.id);
		snprintf(w.what, sizeof(w.what), "%s", vpc.id);
		for (size_t k = 0; rc == 0 && k < model->vpcs.len; k++)
			if (strcmp(VEC_AT(&model->vpcs, struct vpc_vpc, k)->id, vpc.id) == 0)
				rc = awsjson_bad(&w, "listed twice");
		/* CidrBlock is the primary range; the association set repeats it
		 * with its state, and adds the secondary ones. */
		if (rc == 0)
			rc = read_associated(item, "CidrBlockAssociationSet", "CidrBlock",
					     "CidrBlockState", AF_INET, &vpc.cidrs, &w);
		primary = json_object_get(item, "CidrBlock");
		if (rc == 0 && primary && !json_is_string(primary))
			rc = awsjson_bad(&w, "CidrBlock must be a string");
		if (rc == 0 && primary && !json_object_get(item, "CidrBlockAssociationSet")) {
			struct cidr cidr;

			rc = json_is_string(primary) ?
				     awsjson_parse_cidr(json_string_value(primary), AF_INET, &w, &cidr) :
				     awsjson_bad(&w, "CidrBlock must be a string");
			if (rc == 0 && vec_push(&vpc.cidrs, &cidr) < 0)
				rc = awsjson_oom(&w);
		}
		/* The primary range first: the VPC's resolver is at its base + 2,
		 * whatever order the association set lists the ranges in. */
		if (rc == 0 && primary && json_is_string(primary)) {
			struct cidr cidr;

			rc = awsjson_parse_cidr(json_string_value(primary), AF_INET, &w, &cidr);
			for (size_t k = 1; rc == 0 && k < vpc.cidrs.len; k++) {
				struct cidr *at = VEC_AT(&vpc.cidrs, struct cidr, k);

				if (strcmp(at->text, cidr.text) == 0) {
					*at = *VEC_AT(&vpc.cidrs, struct cidr, 0);
					*VEC_AT(&vpc.cidrs, struct cidr, 0) = cidr;
				}
			}
		}
		if (rc == 0)
			rc = read_associated(item, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock",
					     "Ipv6CidrBlockState", AF_INET6, &vpc.cidrs, &w);
		if (rc == 0 && vec_push(&model->vpcs, &vpc) < 0)
			rc = awsjson_oom(&w);
		if (rc < 0) {
			vec_free(&vpc.cidrs);
			break;
		}
	}
	return rc;
}

int awsjson_parse_vpcs(const char *text, size_t len, const char *filename,
		       struct vpc_model *model, struct bw_err *err)
{
	return awsjson_parse_with(awsjson_read_vpcs, text, len, filename, model, err);
}
