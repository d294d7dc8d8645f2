/* instances.json: each running instance's network interfaces. */
#include "conf/awsjson_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int parse_eni(json_t *item, const char *instance_id, struct vpc_model *model,
		     struct awsjson_where *w)
{
	struct vpc_eni eni = { .subnet = -1, .is_source_dest_checked = true, .addrs = VEC_INIT(struct cidr),
			       .group_ids = VEC_INIT(struct vpc_id), .groups = VEC_INIT(int) };
	json_t *addrs = NULL, *addrs6 = NULL, *groups = NULL, *sub = NULL;
	size_t i;
	int rc;

	memcpy(eni.instance_id, instance_id, strlen(instance_id) + 1);
	rc = awsjson_get_id(item, "NetworkInterfaceId", "eni-", w, eni.id);
	if (rc == 0) {
		snprintf(w->what, sizeof(w->what), "%s %s", instance_id, eni.id);
		rc = awsjson_get_id(item, "SubnetId", "subnet-", w, eni.subnet_id);
	}
	if (rc == 0)
		rc = awsjson_get_array(item, "PrivateIpAddresses", true, w, &addrs);
	json_array_foreach(rc == 0 ? addrs : NULL, i, sub) {
		const char *text;
		struct cidr addr;

		rc = awsjson_get_string(sub, "PrivateIpAddress", w, &text);
		if (rc == 0 && (cidr_parse_addr(text, &addr) < 0 || addr.family != AF_INET))
			rc = awsjson_bad(w, "'%.64s' is not an IPv4 address", text);
		if (rc == 0 && vec_push(&eni.addrs, &addr) < 0)
			rc = awsjson_oom(w);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = awsjson_get_array(item, "Ipv6Addresses", false, w, &addrs6);
	json_array_foreach(rc == 0 ? addrs6 : NULL, i, sub) {
		const char *text;
		struct cidr addr;

		rc = awsjson_get_string(sub, "Ipv6Address", w, &text);
		if (rc == 0 && (cidr_parse_addr(text, &addr) < 0 || addr.family != AF_INET6))
			rc = awsjson_bad(w, "'%.64s' is not an IPv6 address", text);
		if (rc == 0 && vec_push(&eni.addrs, &addr) < 0)
			rc = awsjson_oom(w);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = awsjson_get_array(item, "Groups", true, w, &groups);
	json_array_foreach(rc == 0 ? groups : NULL, i, sub) {
		struct vpc_id group;

		rc = awsjson_get_id(sub, "GroupId", "sg-", w, group.id);
		if (rc == 0 && vec_push(&eni.group_ids, &group) < 0)
			rc = awsjson_oom(w);
		if (rc < 0)
			break;
	}
	for (size_t j = 0; rc == 0 && j < eni.addrs.len; j++)
		if (vpc_find_eni_by_addr(model, VEC_AT(&eni.addrs, struct cidr, j)) >= 0)
			rc = awsjson_bad(w, "address %s belongs to another interface too",
				 VEC_AT(&eni.addrs, struct cidr, j)->text);
	if (rc == 0 && vec_push(&model->enis, &eni) < 0)
		rc = awsjson_oom(w);
	if (rc < 0) {
		vec_free(&eni.addrs);
		vec_free(&eni.group_ids);
		vec_free(&eni.groups);
	}
	return rc;
}

int awsjson_parse_instances(const char *text, size_t len, const char *filename,
			    struct vpc_model *model, struct bw_err *err)
{
	struct awsjson_where w = { .filename = filename, .err = err };
	json_t *doc = NULL, *reservations = NULL, *reservation = NULL;
	size_t i;
	int rc = awsjson_load(text, len, &w, &doc);

	if (rc < 0)
		return rc;
	rc = awsjson_get_array(doc, "Reservations", true, &w, &reservations);
	json_array_foreach(rc == 0 ? reservations : NULL, i, reservation) {
		json_t *instances = NULL, *instance = NULL;
		size_t j;

		snprintf(w.what, sizeof(w.what), "reservation %zu", i + 1);
		rc = awsjson_get_array(reservation, "Instances", true, &w, &instances);
		json_array_foreach(rc == 0 ? instances : NULL, j, instance) {
			const char *state = json_string_value(json_object_get(
				json_object_get(instance, "State"), "Name"));
			char instance_id[VPC_ID_MAX];
			json_t *enis = NULL, *eni = NULL;
			size_t k;

			snprintf(w.what, sizeof(w.what), "reservation %zu instance %zu", i + 1, j + 1);
			rc = awsjson_get_id(instance, "InstanceId", "i-", &w, instance_id);
			if (rc < 0)
				break;
			/* Only running instances have traffic to judge. */
			if (!state || strcmp(state, "running") != 0)
				continue;
			snprintf(w.what, sizeof(w.what), "%s", instance_id);
			rc = awsjson_get_array(instance, "NetworkInterfaces", true, &w, &enis);
			json_array_foreach(rc == 0 ? enis : NULL, k, eni) {
				rc = parse_eni(eni, instance_id, model, &w);
				if (rc < 0)
					break;
			}
			if (rc < 0)
				break;
		}
		if (rc < 0)
			break;
	}
	json_decref(doc);
	return rc;
}
