#include "conf/sgedit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf/awsjson.h"
#include "model/cidr.h"
#include "util/vec.h"

/* The lists of peers a permission holds, and the key of each peer. */
static const struct {
	const char *list;
	const char *key;
	bool is_cidr;
} peer_lists[] = {
	{ "IpRanges", "CidrIp", true },
	{ "Ipv6Ranges", "CidrIpv6", true },
	{ "UserIdGroupPairs", "GroupId", false },
	{ "PrefixListIds", "PrefixListId", false },
};

#define N_PEER_LISTS (sizeof(peer_lists) / sizeof(peer_lists[0]))

/* One rule as EC2 counts them: a protocol, ports and one peer. */
struct rule_key {
	char proto[8];     /* normalised: tcp, udp, icmp, icmpv6, -1 or a number */
	bool has_ports;
	long long from, to;
	size_t list;       /* index in peer_lists */
	struct cidr cidr;  /* CIDR peers */
	char id[64];       /* group and prefix list peers */
	const json_t *peer; /* the peer object (normalised) */
};

/* ---- normalising ----------------------------------------------------- */

/* IpProtocol as describe-security-groups prints it; unknown text is left
 * for the reader to refuse. */
static void normalise_proto(const char *text, char *out, size_t out_size)
{
	static const struct { const char *name; int number; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
	};
	size_t len = strlen(text);
	char *end;
	long n;

	/* The reader takes "all" for all traffic, as the CLI's --protocol
	 * does; EC2 stores -1, and a revoke of -1 must find it. */
	if (strcasecmp(text, "all") == 0) {
		snprintf(out, out_size, "-1");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(text, names[i].name) == 0) {
			snprintf(out, out_size, "%s", names[i].name);
			return;
		}
	snprintf(out, out_size, "%s", text);
	if (len == 0 || len > 3 || text[0] < '0' || text[0] > '9')
		return;
	n = strtol(text, &end, 10);
	if (*end || n > 255)
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == names[i].number) {
			snprintf(out, out_size, "%s", names[i].name);
			return;
		}
	snprintf(out, out_size, "%d", (int)n); /* 0 to 255: fits */
}

static bool proto_has_ports(const char *proto)
{
	return strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0 ||
	       strcmp(proto, "icmp") == 0 || strcmp(proto, "icmpv6") == 0;
}

/* A range with host bits set becomes its network, as EC2 stores it;
 * anything unparsable is left for the reader to refuse. */
static void normalise_cidr(json_t *peer, const char *key)
{
	const char *text = json_string_value(json_object_get(peer, key));
	const char *slash;
	char addr_text[64], canon[INET6_ADDRSTRLEN], joined[96], why[160];
	struct cidr c;
	char *end;
	unsigned long len;
	size_t addr_len;

	if (!text || !(slash = strchr(text, '/')))
		return;
	addr_len = (size_t)(slash - text);
	if (addr_len == 0 || addr_len >= sizeof(addr_text) || slash[1] < '0' || slash[1] > '9')
		return;
	memcpy(addr_text, text, addr_len);
	addr_text[addr_len] = '\0';
	len = strtoul(slash + 1, &end, 10);
	if (*end || cidr_parse_addr(addr_text, &c) < 0 || len > c.prefix_len)
		return;
	for (unsigned long bit = len; bit < c.prefix_len; bit++)
		c.addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	inet_ntop(c.family, c.addr, canon, sizeof(canon));
	snprintf(joined, sizeof(joined), "%s/%lu", canon, len);
	if (cidr_parse(joined, false, &c, why, sizeof(why)) == 0)
		json_object_set_new(peer, key, json_string(c.text));
}

/* Rewrites one permission (an object the caller owns) into the form EC2
 * stores; shapes it cannot read are left for the reader to refuse. */
static void normalise_permission(json_t *perm)
{
	const char *text = json_string_value(json_object_get(perm, "IpProtocol"));
	char proto[8];

	if (!json_is_object(perm) || !text)
		return;
	normalise_proto(text, proto, sizeof(proto));
	json_object_set_new(perm, "IpProtocol", json_string(proto));
	/* Why: EC2 ignores ports for -1 and protocols other than these four. */
	if (!proto_has_ports(proto)) {
		json_object_del(perm, "FromPort");
		json_object_del(perm, "ToPort");
	} else if (strncmp(proto, "icmp", 4) == 0 && !json_object_get(perm, "FromPort") &&
		   !json_object_get(perm, "ToPort")) {
		/* No type and code: every type and code, as -1/-1 says. */
		json_object_set_new(perm, "FromPort", json_integer(-1));
		json_object_set_new(perm, "ToPort", json_integer(-1));
	}
	for (size_t l = 0; l < N_PEER_LISTS; l++) {
		json_t *list = json_object_get(perm, peer_lists[l].list), *peer;
		size_t i;

		if (!peer_lists[l].is_cidr)
			continue;
		json_array_foreach(list, i, peer) {
			normalise_cidr(peer, peer_lists[l].key);
		}
	}
}

/* ---- rules ----------------------------------------------------------- */

static bool same_shape(const struct rule_key *a, const struct rule_key *b)
{
	return strcmp(a->proto, b->proto) == 0 && a->has_ports == b->has_ports &&
	       (!a->has_ports || (a->from == b->from && a->to == b->to));
}

static bool same_rule(const struct rule_key *a, const struct rule_key *b)
{
	if (!same_shape(a, b) || a->list != b->list)
		return false;
	if (peer_lists[a->list].is_cidr)
		return a->cidr.family == b->cidr.family && a->cidr.prefix_len == b->cidr.prefix_len &&
		       memcmp(a->cidr.addr, b->cidr.addr, sizeof(a->cidr.addr)) == 0;
	return strcmp(a->id, b->id) == 0;
}

static void shape_of(const json_t *perm, struct rule_key *key)
{
	const json_t *from = json_object_get(perm, "FromPort");
	const json_t *to = json_object_get(perm, "ToPort");

	memset(key, 0, sizeof(*key));
	snprintf(key->proto, sizeof(key->proto), "%s",
		 json_string_value(json_object_get(perm, "IpProtocol")) ?: "");
	key->has_ports = json_is_integer(from) && json_is_integer(to);
	key->from = json_integer_value(from);
	key->to = json_integer_value(to);
}

/* The rule one peer of a permission (of shape shape) makes; false when
 * the peer cannot be read (the reader refuses those). */
static bool peer_key(const struct rule_key *shape, size_t l, const json_t *peer,
		     struct rule_key *key)
{
	const char *value = json_string_value(json_object_get(peer, peer_lists[l].key));
	char why[160];

	*key = *shape;
	key->list = l;
	key->peer = peer;
	if (!value)
		return false;
	if (peer_lists[l].is_cidr)
		return cidr_parse(value, false, &key->cidr, why, sizeof(why)) == 0;
	snprintf(key->id, sizeof(key->id), "%s", value);
	return true;
}

/* Appends one key per peer of a normalised permission. */
static int split_permission(const json_t *perm, struct vec *keys)
{
	struct rule_key shape, key;

	shape_of(perm, &shape);
	for (size_t l = 0; l < N_PEER_LISTS; l++) {
		const json_t *peer;
		size_t i;

		json_array_foreach(json_object_get(perm, peer_lists[l].list), i, peer) {
			if (peer_key(&shape, l, peer, &key) && vec_push(keys, &key) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static void describe(const struct rule_key *key, enum vpc_dir dir, char *out, size_t out_size)
{
	const char *peer = peer_lists[key->list].is_cidr ? key->cidr.text : key->id;
	const char *way = dir == VPC_INGRESS ? "from" : "to";

	if (strcmp(key->proto, "-1") == 0)
		snprintf(out, out_size, "all traffic %s %s", way, peer);
	else if (!key->has_ports)
		snprintf(out, out_size, "protocol %s %s %s", key->proto, way, peer);
	else if (strncmp(key->proto, "icmp", 4) == 0)
		snprintf(out, out_size, "%s type %lld code %lld %s %s", key->proto, key->from,
			 key->to, way, peer);
	else if (key->from == key->to)
		snprintf(out, out_size, "%s port %lld %s %s", key->proto, key->from, way, peer);
	else
		snprintf(out, out_size, "%s ports %lld-%lld %s %s", key->proto, key->from, key->to,
			 way, peer);
}

/* ---- the request ----------------------------------------------------- */

/* The permissions must pass the reader: wrap them in a group and parse. */
static int validate(const char *group_id, json_t *permissions, struct bw_err *err)
{
	json_t *wrapper = json_pack("{s:[{s:s, s:O}]}", "SecurityGroups", "GroupId", group_id,
				    "IpPermissions", permissions);
	char *text = wrapper ? json_dumps(wrapper, 0) : NULL;
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

static bool has_peers(const json_t *permission)
{
	for (size_t l = 0; l < N_PEER_LISTS; l++)
		if (json_array_size(json_object_get(permission, peer_lists[l].list)) > 0)
			return true;
	return false;
}

/* The members IpPermission and its peers have, as the AWS CLI's model
 * lists them: the CLI refuses any other before it sends a request. */
static const char *const permission_keys[] = { "IpProtocol", "FromPort", "ToPort", "IpRanges",
					       "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs",
					       NULL };
static const char *const range_keys[] = { "CidrIp", "Description", NULL };
static const char *const range6_keys[] = { "CidrIpv6", "Description", NULL };
static const char *const prefix_keys[] = { "PrefixListId", "Description", NULL };
static const char *const pair_keys[] = { "GroupId", "GroupName", "UserId", "VpcId",
					 "VpcPeeringConnectionId", "PeeringStatus",
					 "Description", NULL };

static bool is_one_of(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

/* An unknown member of obj (where names where it is): an input error. */
static int check_members(const json_t *obj, const char *const *keys, const char *where,
			 struct bw_err *err)
{
	const char *key;
	json_t *value;

	if (!json_is_object(obj))
		return bw_err_input(err, "--ip-permissions: %s is not an object", where);
	json_object_foreach((json_t *)obj, key, value) {
		if (!is_one_of(key, keys))
			return bw_err_input(err, "--ip-permissions: unknown parameter in %s: \"%.64s\"",
					    where, key);
	}
	return 0;
}

/* Each permission holds only what EC2's IpPermission does, and names a
 * source or destination: EC2 has no rule without one. */
static int check_shape(const json_t *permissions, struct bw_err *err)
{
	static const char *const *const peer_keys[] = { range_keys, range6_keys, pair_keys,
							 prefix_keys };
	char where[96];
	json_t *perm, *peer;
	size_t i, j;
	int rc = 0;

	json_array_foreach(permissions, i, perm) {
		snprintf(where, sizeof(where), "IpPermissions[%zu]", i);
		rc = check_members(perm, permission_keys, where, err);
		for (size_t l = 0; rc == 0 && l < N_PEER_LISTS; l++) {
			const json_t *list = json_object_get(perm, peer_lists[l].list);

			json_array_foreach(list, j, peer) {
				snprintf(where, sizeof(where), "IpPermissions[%zu].%s[%zu]", i,
					 peer_lists[l].list, j);
				rc = check_members(peer, peer_keys[l], where, err);
				if (rc < 0)
					break;
			}
		}
		if (rc == 0 && !has_peers(perm))
			rc = bw_err_input(err, "--ip-permissions: IpPermissions[%zu] names no peer "
					  "(IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs)", i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Reads, normalises and validates --ip-permissions. */
static int read_request(const char *group_id, const char *text, json_t **out,
			struct bw_err *err)
{
	json_error_t jerr;
	json_t *permissions = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *perm;
	size_t i;
	int rc;

	*out = NULL;
	if (!permissions)
		return bw_err_at(err, "--ip-permissions", jerr.line, jerr.column, "%s", jerr.text);
	if (!json_is_array(permissions) || json_array_size(permissions) == 0) {
		json_decref(permissions);
		return bw_err_input(err, "--ip-permissions must be a non-empty JSON array");
	}
	rc = check_shape(permissions, err);
	if (rc < 0) {
		json_decref(permissions);
		return rc;
	}
	json_array_foreach(permissions, i, perm) {
		normalise_permission(perm);
	}
	rc = validate(group_id, permissions, err);
	if (rc < 0) {
		json_decref(permissions);
		return rc;
	}
	*out = permissions;
	return 0;
}

json_t *sgedit_find_group(const json_t *doc, const char *group_id)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(doc, "SecurityGroups"), i, item) {
		const char *id = json_string_value(json_object_get(item, "GroupId"));

		if (id && strcmp(id, group_id) == 0)
			return item;
	}
	return NULL;
}

/* A normalised copy of each of the group's permissions, and their rules. */
static int existing_rules(json_t *list, json_t **copies, struct vec *keys)
{
	json_t *perm;
	size_t i;

	*copies = json_deep_copy(list);
	if (!*copies)
		return -ENOMEM;
	json_array_foreach(*copies, i, perm) {
		normalise_permission(perm);
		if (split_permission(perm, keys) < 0)
			return -ENOMEM;
	}
	return 0;
}

static const struct rule_key *find_rule(const struct vec *keys, const struct rule_key *want)
{
	for (size_t i = 0; i < keys->len; i++)
		if (same_rule(VEC_AT(keys, struct rule_key, i), want))
			return VEC_AT(keys, struct rule_key, i);
	return NULL;
}

static json_t *new_permission(const struct rule_key *shape)
{
	json_t *perm = json_pack("{s:s}", "IpProtocol", shape->proto);

	if (!perm)
		return NULL;
	if (shape->has_ports) {
		json_object_set_new(perm, "FromPort", json_integer(shape->from));
		json_object_set_new(perm, "ToPort", json_integer(shape->to));
	}
	for (size_t l = 0; l < N_PEER_LISTS; l++)
		json_object_set_new(perm, peer_lists[l].list, json_array());
	return perm;
}

/* The permission of list whose normalised shape is key's, or NULL. */
static json_t *find_shape(json_t *list, const struct rule_key *key)
{
	json_t *perm;
	size_t i;

	json_array_foreach(list, i, perm) {
		json_t *copy = json_deep_copy(perm);
		struct rule_key shape;

		if (!copy)
			return NULL;
		normalise_permission(copy);
		shape_of(copy, &shape);
		json_decref(copy);
		if (same_shape(&shape, key))
			return perm;
	}
	return NULL;
}

static int add_rule(json_t *list, const struct rule_key *key)
{
	json_t *perm = find_shape(list, key), *peers;

	if (!perm) {
		perm = new_permission(key);
		if (!perm || json_array_append_new(list, perm) < 0)
			return -ENOMEM;
	}
	peers = json_object_get(perm, peer_lists[key->list].list);
	if (!peers) {
		peers = json_array();
		if (json_object_set_new(perm, peer_lists[key->list].list, peers) < 0)
			return -ENOMEM;
	}
	return json_array_append_new(peers, json_deep_copy(key->peer)) < 0 ? -ENOMEM : 0;
}

/* Removes key's peer from the permission of list that holds it. */
static void remove_rule(json_t *list, const struct rule_key *key)
{
	json_t *perm;
	size_t i;

	json_array_foreach(list, i, perm) {
		/* Normalising keeps every peer at its index. */
		json_t *copy = json_deep_copy(perm), *peer;
		struct rule_key shape, have;
		size_t p;

		if (!copy)
			return;
		normalise_permission(copy);
		shape_of(copy, &shape);
		json_array_foreach(json_object_get(copy, peer_lists[key->list].list), p, peer) {
			if (same_shape(&shape, key) && peer_key(&shape, key->list, peer, &have) &&
			    same_rule(&have, key)) {
				json_array_remove(json_object_get(perm, peer_lists[key->list].list), p);
				json_decref(copy);
				return;
			}
		}
		json_decref(copy);
	}
}

/* Checks the whole request against the group before changing anything. */
static int check_request(const struct vec *want, const struct vec *have, const char *group_id,
			 enum vpc_dir dir, bool is_revoke, struct bw_err *err)
{
	char what[200];

	for (size_t i = 0; i < want->len; i++) {
		const struct rule_key *key = VEC_AT(want, struct rule_key, i);

		for (size_t j = 0; j < i; j++)
			if (same_rule(VEC_AT(want, struct rule_key, j), key)) {
				describe(key, dir, what, sizeof(what));
				return bw_err_input(err, "%s: InvalidParameterValue: the same permission must not appear multiple times (%s)",
						    group_id, what);
			}
		if (!is_revoke && find_rule(have, key)) {
			describe(key, dir, what, sizeof(what));
			return bw_err_input(err, "%s: InvalidPermission.Duplicate: the %s rule %s already exists",
					    group_id, dir == VPC_INGRESS ? "ingress" : "egress", what);
		}
		if (is_revoke && !find_rule(have, key)) {
			describe(key, dir, what, sizeof(what));
			return bw_err_input(err, "%s: InvalidPermission.NotFound: there is no %s rule %s to revoke",
					    group_id, dir == VPC_INGRESS ? "ingress" : "egress", what);
		}
	}
	return 0;
}

int sgedit_apply(json_t *doc, const char *group_id, enum vpc_dir dir, bool is_revoke,
		 const char *permissions_text, struct bw_err *err)
{
	const char *list_key = dir == VPC_INGRESS ? "IpPermissions" : "IpPermissionsEgress";
	struct vec want = VEC_INIT(struct rule_key), have = VEC_INIT(struct rule_key);
	json_t *request = NULL, *group, *list, *copies = NULL, *perm;
	size_t i;
	int rc;

	if (!awsjson_is_id(group_id, "sg-"))
		return bw_err_input(err, "--group-id '%.64s' is not a security group id", group_id);
	rc = read_request(group_id, permissions_text, &request, err);
	if (rc < 0)
		return rc;
	group = sgedit_find_group(doc, group_id);
	if (!group) {
		rc = bw_err_input(err, "InvalidGroup.NotFound: the security group '%s' is not in security-groups.json",
				  group_id);
		goto out;
	}
	list = json_object_get(group, list_key);
	if (list && !json_is_array(list)) {
		rc = bw_err_input(err, "%s: %s is not a list", group_id, list_key);
		goto out;
	}
	json_array_foreach(request, i, perm) {
		if (split_permission(perm, &want) < 0) {
			rc = bw_errf(err, -ENOMEM, "out of memory");
			goto out;
		}
	}
	if (list && existing_rules(list, &copies, &have) < 0) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = check_request(&want, &have, group_id, dir, is_revoke, err);
	if (rc < 0)
		goto out;
	/* From here on the request is known to apply whole. */
	if (!list) {
		list = json_array();
		json_object_set_new(group, list_key, list);
	}
	for (i = 0; i < want.len && rc == 0; i++) {
		const struct rule_key *key = VEC_AT(&want, struct rule_key, i);

		if (is_revoke)
			remove_rule(list, key);
		else if (add_rule(list, key) < 0)
			rc = bw_errf(err, -ENOMEM, "out of memory");
	}
	/* A permission with no peer left is no rule at all. */
	for (i = json_array_size(list); rc == 0 && i-- > 0;)
		if (!has_peers(json_array_get(list, i)))
			json_array_remove(list, i);
out:
	vec_free(&want);
	vec_free(&have);
	json_decref(copies);
	json_decref(request);
	return rc;
}
