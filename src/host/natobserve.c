#include "host/natobserve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fsroot.h"
#include "host/nft.h"
#include "render/nat_nft.h"

/* The right-hand side of a "meta KEY" match in a rule's expressions. */
static const char *meta_match(const json_t *exprs, const char *key)
{
	size_t i;
	const json_t *expr;

	json_array_foreach(exprs, i, expr) {
		const json_t *match = json_object_get(expr, "match");
		const json_t *meta = json_object_get(json_object_get(match, "left"), "meta");

		if (meta && json_is_string(json_object_get(match, "right")) &&
		    strcmp(json_string_value(json_object_get(meta, "key")) ?: "", key) == 0)
			return json_string_value(json_object_get(match, "right"));
	}
	return NULL;
}

static void read_rule(const json_t *rule, struct nat_observed *seen)
{
	const json_t *exprs = json_object_get(rule, "expr");
	const json_t *expr, *counter = NULL;
	bool is_masquerade = false;
	struct nat_masquerade_seen *slot;
	const char *nfproto, *oifname;
	size_t i;

	json_array_foreach(exprs, i, expr) {
		if (json_object_get(expr, "masquerade"))
			is_masquerade = true;
		if (json_object_get(expr, "counter"))
			counter = json_object_get(expr, "counter");
	}
	if (!is_masquerade)
		return;
	nfproto = meta_match(exprs, "nfproto");
	oifname = meta_match(exprs, "oifname");
	/* nft prints "meta nfproto ipv4" away when the payload implies it. */
	if (!nfproto) {
		json_array_foreach(exprs, i, expr) {
			const json_t *payload = json_object_get(
				json_object_get(json_object_get(expr, "match"), "left"), "payload");
			const char *proto = json_string_value(json_object_get(payload, "protocol"));

			if (proto && strcmp(proto, "ip") == 0)
				nfproto = "ipv4";
			else if (proto && strcmp(proto, "ip6") == 0)
				nfproto = "ipv6";
		}
	}
	if (!nfproto || !oifname)
		return;
	slot = strcmp(nfproto, "ipv4") == 0 ? &seen->ipv4 :
	       strcmp(nfproto, "ipv6") == 0 ? &seen->ipv6 : NULL;
	if (!slot)
		return;
	slot->is_present = true;
	snprintf(slot->oifname, sizeof(slot->oifname), "%s", oifname);
	if (counter) {
		slot->packets += (uint64_t)json_integer_value(json_object_get(counter, "packets"));
		slot->bytes += (uint64_t)json_integer_value(json_object_get(counter, "bytes"));
	}
}

void nat_observe_ruleset(const json_t *listing, struct nat_observed *seen)
{
	const json_t *item;
	size_t i;

	seen->has_table = false;
	memset(&seen->ipv4, 0, sizeof(seen->ipv4));
	memset(&seen->ipv6, 0, sizeof(seen->ipv6));
	seen->has_flowtable = false;
	json_array_foreach(json_object_get(listing, "nftables"), i, item) {
		const json_t *table = json_object_get(item, "table");
		const json_t *rule = json_object_get(item, "rule");

		if (table && strcmp(json_string_value(json_object_get(table, "name")) ?: "",
				    NAT_NFT_TABLE) == 0)
			seen->has_table = true;
		if (json_object_get(item, "flowtable"))
			seen->has_flowtable = true;
		if (rule && strcmp(json_string_value(json_object_get(rule, "chain")) ?: "",
				   "postrouting") == 0)
			read_rule(rule, seen);
	}
}

static long long read_number(const char *root, const char *path)
{
	char text[64], *end;
	struct bw_err err;
	long long value;

	if (fsroot_read(root, path, text, sizeof(text), &err) < 0)
		return -1;
	value = strtoll(text, &end, 10);
	return end == text ? -1 : value;
}

int nat_observe(const char *root, struct nat_observed *seen, struct bw_err *err)
{
	json_t *listing = NULL;
	int rc = nft_list_table_json("inet", NAT_NFT_TABLE, &listing, err);

	if (rc < 0)
		return rc;
	nat_observe_ruleset(listing, seen);
	json_decref(listing);
	seen->ipv4_forwarding = (int)read_number(root, "/proc/sys/net/ipv4/ip_forward");
	seen->ipv6_forwarding = (int)read_number(root, "/proc/sys/net/ipv6/conf/all/forwarding");
	seen->conntrack_count = read_number(root, "/proc/sys/net/netfilter/nf_conntrack_count");
	seen->conntrack_max = read_number(root, "/proc/sys/net/netfilter/nf_conntrack_max");
	return 0;
}
