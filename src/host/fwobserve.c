#include "host/fwobserve.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <linux/netfilter.h>

#include "host/nft.h"
#include "render/vpc_nft.h"

int fwobserve_tables(bool *has_inet, bool *has_bridge, struct bw_err *err)
{
	int rc = nft_table_exists(NFPROTO_INET, VPC_NFT_TABLE, has_inet, err);

	*has_bridge = false;
	return rc < 0 ? rc : nft_table_exists(NFPROTO_BRIDGE, VPC_NFT_TABLE, has_bridge, err);
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
	rc = fwobserve_tables(&out->has_inet, &out->has_bridge, err);
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
