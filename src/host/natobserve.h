/* Reads the NAT gateway back from the host: what `nat status` shows and
 * what `nat up` verifies before it says done. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"

/* A NAT chain sees only the first packet of each flow (later packets
 * follow the conntrack entry), so a masquerade rule's counter counts the
 * connections it masqueraded: packets is that number, bytes their first
 * packets' size. Traffic in flight is conntrack's count. */
struct nat_masquerade_seen {
	bool is_present;
	char oifname[IF_NAMESIZE];
	uint64_t packets; /* = connections masqueraded since the rule loaded */
	uint64_t bytes;
};

struct nat_observed {
	bool has_table;
	struct nat_masquerade_seen ipv4;
	struct nat_masquerade_seen ipv6;
	bool has_flowtable;
	int ipv4_forwarding; /* -1 when unreadable */
	int ipv6_forwarding;
	long long conntrack_count; /* flows tracked now, in this namespace; -1 when unreadable */
	long long conntrack_max;
};

/* Finds the masquerade rules in a libnftables JSON listing of the table
 * (NULL: no table). Pure. */
void nat_observe_ruleset(const json_t *listing, struct nat_observed *seen);

/* Reads the table and the knobs under root. */
int nat_observe(const char *root, struct nat_observed *seen, struct bw_err *err);
