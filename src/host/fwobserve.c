#include "host/fwobserve.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <linux/netfilter.h>

#include "host/nft.h"
#include "render/vpc_nft.h"

int fwobserve_table_handles(uint64_t *inet_handle, uint64_t *bridge_handle, struct bw_err *err)
{
	int rc = nft_table_handle(NFPROTO_INET, VPC_NFT_TABLE, inet_handle, err);

	*bridge_handle = 0;
	return rc < 0 ? rc : nft_table_handle(NFPROTO_BRIDGE, VPC_NFT_TABLE, bridge_handle, err);
}

int fwobserve_tables(bool *has_inet, bool *has_bridge, struct bw_err *err)
{
	uint64_t inet_handle, bridge_handle;
	int rc = fwobserve_table_handles(&inet_handle, &bridge_handle, err);

	*has_inet = inet_handle != 0;
	*has_bridge = bridge_handle != 0;
	return rc;
}

/* ENI addresses (the elements of the egress dispatch maps) and group
 * chains (one ingress chain per group). */
static void count_inet(const json_t *listing, struct fw_loaded *out)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(listing, "nftables"), i, item) {
		const json_t *map = json_object_get(item, "map");
		const json_t *chain = json_object_get(item, "chain");
		const char *name;

		name = json_string_value(json_object_get(map, "name"));
		if (name && strncmp(name, "eni_out_", 8) == 0)
			out->n_eni_addrs += json_array_size(json_object_get(map, "elem"));
		name = json_string_value(json_object_get(chain, "name"));
		if (name && strncmp(name, "sg", 2) == 0 && strstr(name, "_in") &&
		    !json_object_get(chain, "hook"))
			out->n_groups++;
	}
}

static void read_counters(const json_t *listing, struct fw_loaded *out)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(listing, "nftables"), i, item) {
		const json_t *counter = json_object_get(item, "counter");
		const char *name = json_string_value(json_object_get(counter, "name"));
		struct fw_counter *c;

		if (!name || out->n_counters == FWOBSERVE_MAX_COUNTERS)
			continue;
		c = &out->counters[out->n_counters++];
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->packets = (uint64_t)json_integer_value(json_object_get(counter, "packets"));
	}
}

int fwobserve_read(struct fw_loaded *out, struct bw_err *err)
{
	json_t *listing = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = fwobserve_table_handles(&out->inet_handle, &out->bridge_handle, err);
	out->has_inet = out->inet_handle != 0;
	out->has_bridge = out->bridge_handle != 0;
	if (rc == 0 && out->has_inet)
		rc = nft_list_table_json("inet", VPC_NFT_TABLE, &listing, err);
	if (rc == 0 && listing)
		count_inet(listing, out);
	json_decref(listing);
	listing = NULL;
	if (rc == 0 && out->has_inet)
		rc = nft_list_json("list counters table inet " VPC_NFT_TABLE, &listing, err);
	if (rc == 0 && listing)
		read_counters(listing, out);
	json_decref(listing);
	listing = NULL;
	if (rc == 0 && out->has_bridge)
		rc = nft_list_json("list counters table bridge " VPC_NFT_TABLE, &listing, err);
	if (rc == 0 && listing)
		read_counters(listing, out);
	json_decref(listing);
	return rc;
}
