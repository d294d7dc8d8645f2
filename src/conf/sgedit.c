#include "conf/sgedit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/awsjson.h"

/* The lists of peers a permission holds, and the key of each peer. */
static const struct {
	const char *list;
	const char *key;
} peer_lists[] = {
	{ "IpRanges", "CidrIp" },
	{ "Ipv6Ranges", "CidrIpv6" },
	{ "UserIdGroupPairs", "GroupId" },
	{ "PrefixListIds", "PrefixListId" },
};

#define N_PEER_LISTS (sizeof(peer_lists) / sizeof(peer_lists[0]))

static bool same_int(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return !a && !b;
	return json_integer_value(a) == json_integer_value(b);
}

/* Two permissions are the same rule shape when protocol and ports agree. */
static bool same_shape(const json_t *a, const json_t *b)
{
	const char *pa = json_string_value(json_object_get(a, "IpProtocol"));
	const char *pb = json_string_value(json_object_get(b, "IpProtocol"));

	return pa && pb && strcmp(pa, pb) == 0 &&
	       same_int(json_object_get(a, "FromPort"), json_object_get(b, "FromPort")) &&
	       same_int(json_object_get(a, "ToPort"), json_object_get(b, "ToPort"));
}

static json_t *find_peer(json_t *list, const char *key, const char *value, size_t *index)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item) {
		const char *v = json_string_value(json_object_get(item, key));

		if (v && strcmp(v, value) == 0) {
			*index = i;
			return item;
		}
	}
	return NULL;
}

static int edit_peers(json_t *target, const json_t *change, bool is_revoke,
		      const char *group_id, struct bw_err *err)
{
	for (size_t l = 0; l < N_PEER_LISTS; l++) {
		json_t *changes = json_object_get(change, peer_lists[l].list);
		json_t *list = json_object_get(target, peer_lists[l].list);
		json_t *peer;
		size_t i, at;

		if (!list) {
			list = json_array();
			json_object_set_new(target, peer_lists[l].list, list);
		}
		json_array_foreach(changes, i, peer) {
			const char *value = json_string_value(json_object_get(peer, peer_lists[l].key));

			if (!value)
				continue;
			if (is_revoke) {
				if (!find_peer(list, peer_lists[l].key, value, &at))
					return bw_err_input(err, "%s: no such rule to revoke (%s %s)",
							    group_id, peer_lists[l].key, value);
				json_array_remove(list, at);
			} else {
				if (find_peer(list, peer_lists[l].key, value, &at))
					return bw_err_input(err, "%s: the rule already exists (%s %s)",
							    group_id, peer_lists[l].key, value);
				json_array_append(list, peer);
			}
		}
	}
	return 0;
}

static bool has_peers(const json_t *permission)
{
	for (size_t l = 0; l < N_PEER_LISTS; l++)
		if (json_array_size(json_object_get(permission, peer_lists[l].list)) > 0)
			return true;
	return false;
}

/* The permissions must pass the reader: wrap them in a group and parse. */
static int validate(const char *group_id, json_t *permissions, struct bw_err *err)
{
	json_t *wrapper = json_pack("{s:[{s:s, s:O}]}", "SecurityGroups", "GroupId", group_id,
				    "IpPermissions", permissions);
	char *text = json_dumps(wrapper, 0);
	struct vpc_model model;
	int rc;

	json_decref(wrapper);
	if (!text)
		return bw_errf(err, -ENOMEM, "out of memory");
	vpc_model_init(&model);
	rc = awsjson_parse_security_groups(text, strlen(text), "--ip-permissions", &model, err);
	vpc_model_free(&model);
	free(text);
	return rc;
}

int sgedit_apply(json_t *doc, const char *group_id, enum vpc_dir dir, bool is_revoke,
		 const char *permissions_text, struct bw_err *err)
{
	const char *list_key = dir == VPC_INGRESS ? "IpPermissions" : "IpPermissionsEgress";
	json_t *permissions, *groups, *group = NULL, *item, *list, *change;
	json_error_t jerr;
	size_t i;
	int rc;

	if (!awsjson_is_id(group_id, "sg-"))
		return bw_err_input(err, "--group-id '%.64s' is not a security group id", group_id);
	permissions = json_loads(permissions_text, JSON_REJECT_DUPLICATES, &jerr);
	if (!permissions)
		return bw_err_at(err, "--ip-permissions", jerr.line, jerr.column, "%s", jerr.text);
	if (!json_is_array(permissions) || json_array_size(permissions) == 0) {
		json_decref(permissions);
		return bw_err_input(err, "--ip-permissions must be a non-empty JSON array");
	}
	rc = validate(group_id, permissions, err);
	groups = json_object_get(doc, "SecurityGroups");
	json_array_foreach(rc == 0 ? groups : NULL, i, item) {
		const char *id = json_string_value(json_object_get(item, "GroupId"));

		if (id && strcmp(id, group_id) == 0)
			group = item;
	}
	if (rc == 0 && !group)
		rc = bw_err_input(err, "%s is not in security-groups.json", group_id);
	list = group ? json_object_get(group, list_key) : NULL;
	if (rc == 0 && !list) {
		list = json_array();
		json_object_set_new(group, list_key, list);
	}
	json_array_foreach(rc == 0 ? permissions : NULL, i, change) {
		json_t *target = NULL, *existing;
		size_t j;

		json_array_foreach(list, j, existing)
			if (same_shape(existing, change))
				target = existing;
		if (!target && is_revoke) {
			rc = bw_err_input(err, "%s: no %s permission of that protocol and ports to revoke",
					  group_id, dir == VPC_INGRESS ? "ingress" : "egress");
			break;
		}
		if (!target) {
			/* A new shape: start it with no peers, then add them. */
			target = json_deep_copy(change);
			for (size_t l = 0; l < N_PEER_LISTS; l++)
				json_object_set_new(target, peer_lists[l].list, json_array());
			json_array_append_new(list, target);
		}
		rc = edit_peers(target, change, is_revoke, group_id, err);
		if (rc < 0)
			break;
	}
	/* A permission with no peer left is no rule at all. */
	for (i = json_array_size(list); rc == 0 && i-- > 0;)
		if (!has_peers(json_array_get(list, i)))
			json_array_remove(list, i);
	json_decref(permissions);
	return rc;
}
