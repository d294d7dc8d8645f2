/* The NAT gateway's configuration, as read from a fck-nat / pelotech-nat
 * file. Plain data: no I/O. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/cidr.h"
#include "util/vec.h"

enum nat_tristate { NAT_AUTO = 0, NAT_ON, NAT_OFF };


/* A value that may be absent. */
struct nat_opt_u32 {
	bool is_set;
	uint32_t value;
	int line; /* where it was set, for messages */
};

struct nat_config {
	char interface[IF_NAMESIZE]; /* "" = device of the IPv4 default route */

	/* Need the EC2 integration; kept so `up` can refuse them by name. */
	char eni_id[32];
	int eni_id_line;
	char eip_id[32];
	int eip_id_line;
	bool cwagent_enabled;
	int cwagent_enabled_line;
	char cwagent_cfg_param_name[2048];
	int cwagent_cfg_param_name_line;

	bool has_port_range;
	uint16_t port_range_low;
	uint16_t port_range_high;

	struct nat_opt_u32 nf_conntrack_max;
	struct nat_opt_u32 nf_conntrack_buckets;
	struct nat_opt_u32 nf_conntrack_tcp_timeout_established;
	struct nat_opt_u32 tcp_keepalive_time;
	struct nat_opt_u32 tcp_max_syn_backlog;

	enum nat_tristate fips_endpoints; /* pelotech-nat: auto, true, false */

	struct vec source_cidrs;          /* struct cidr; empty = all sources */
	bool masquerade_fully_random;
	bool flowtable;
	enum nat_tristate ipv6;
};

void nat_config_init(struct nat_config *config);
void nat_config_free(struct nat_config *config);
/* Counts the source CIDRs of one family. */
size_t nat_config_count_cidrs(const struct nat_config *config, int family);

/* Whether name is an interface name bulwark accepts: 1 to 15 of letters,
 * digits, '.', '-', '_' (it lands in nftables strings and /proc/sys paths). */
bool nat_ifname_is_valid(const char *name);
