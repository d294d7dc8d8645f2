/* subnets.json. */
#include "conf/awsjson_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int awsjson_parse_subnets(const char *text, size_t len, const char *filename,
			  struct vpc_model *model, struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	json_t *doc = NULL, *subnets = NULL, *item = NULL;
	size_t i;
	int rc = awsjson_load(text, len, &w, &doc);

	if (rc < 0)
		return rc;
	rc = awsjson_get_array(doc, "Subnets", true, &w, &subnets);
	json_array_foreach(rc == 0 ? subnets : NULL, i, item) {
		struct vpc_subnet subnet = { .nacl = -1, .has_v4 = true };
		json_t *assocs = NULL, *assoc = NULL;
		const char *cidr;
		size_t j;

		snprintf(w.what, sizeof(w.what), "subnet %zu", i + 1);
		rc = awsjson_get_id(item, "SubnetId", "subnet-", &w, subnet.id);
		snprintf(w.what, sizeof(w.what), "%s", subnet.id);
		if (rc == 0 && vpc_find_subnet(model, subnet.id) >= 0)
			rc = awsjson_bad(&w, "listed twice");
		if (rc == 0)
			rc = awsjson_get_string(item, "CidrBlock", &w, &cidr);
		if (rc == 0)
			rc = awsjson_parse_cidr(cidr, AF_INET, &w, &subnet.v4);
		if (rc == 0)
			rc = awsjson_get_array(item, "Ipv6CidrBlockAssociationSet", false, &w, &assocs);
		json_array_foreach(rc == 0 ? assocs : NULL, j, assoc) {
			const char *state = json_string_value(json_object_get(
				json_object_get(assoc, "Ipv6CidrBlockState"), "State"));

			if (state && strcmp(state, "associated") != 0)
				continue;
			rc = awsjson_get_string(assoc, "Ipv6CidrBlock", &w, &cidr);
			if (rc == 0)
				rc = awsjson_parse_cidr(cidr, AF_INET6, &w, &subnet.v6);
			if (rc < 0)
				break;
			subnet.has_v6 = true;
		}
		for (size_t k = 0; rc == 0 && k < model->subnets.len; k++) {
			const struct vpc_subnet *o = VEC_AT(&model->subnets, struct vpc_subnet, k);

			if (cidr_contains(&o->v4, &subnet.v4) || cidr_contains(&subnet.v4, &o->v4))
				rc = awsjson_bad(&w, "%s overlaps %s of %s", subnet.v4.text, o->v4.text, o->id);
		}
		if (rc == 0 && vec_push(&model->subnets, &subnet) < 0)
			rc = awsjson_oom(&w);
		if (rc < 0)
			break;
	}
	json_decref(doc);
	return rc;
}
