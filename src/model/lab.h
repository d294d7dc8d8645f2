/* The lab's network: a VPC on one machine, as data. Each node is a network
 * namespace named <prefix>-<node>.
 *
 *   inet (203.0.113.1, 2001:db8:113::1)      the "internet" host
 *     | eth0
 *     | eth0  203.0.113.10, 2001:db8:113::10 (public side)
 *   nat   the NAT gateway (bulwark nat up)
 *     | eth1  10.0.1.1, fd00:10:1::1         (private subnet's router)
 *   vpc   bridge br-private: the private subnet 10.0.1.0/24, fd00:10:1::/64
 *     |            |
 *     a (.11)      b (.12)                   private instances
 *
 * The internet host has no route to the private ranges: a reply reaches a
 * private instance only if the gateway masqueraded the request. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define LAB_DEFAULT_PREFIX "bwlab"
#define LAB_PREFIX_MAX 12

struct lab_node {
	const char *name;
	const char *role;
};

struct lab_veth {
	const char *node, *ifname;
	const char *peer_node, *peer_ifname;
	const char *mac; /* ifname's MAC ("0a:1b:.."), or NULL: the kernel's */
};

struct lab_bridge_port {
	const char *node, *bridge, *port;
	const char *mac; /* a static forwarding entry for this MAC on the port, or NULL */
};

struct lab_addr {
	const char *node, *ifname, *addr;
	int prefix_len;
};

struct lab_route {
	const char *node, *dst;
	int prefix_len; /* 0: default route */
	const char *gateway;
};

struct lab_topology {
	const struct lab_node *nodes;
	size_t n_nodes;
	const struct lab_veth *veths;
	size_t n_veths;
	const char *const *bridges; /* "node/bridge" */
	size_t n_bridges;
	const struct lab_bridge_port *ports;
	size_t n_ports;
	const struct lab_addr *addrs;
	size_t n_addrs;
	const struct lab_route *routes;
	size_t n_routes;
	const char *nat_node;      /* runs the NAT gateway, or NULL */
	const char *nat_config;    /* its configuration, fck-nat syntax */
	const char *router_node;   /* forwards between subnets, or NULL */
	const char *fw_node;       /* enforces the VPC's groups and ACLs, or NULL */
};

const struct lab_topology *lab_topology(void);

/* Whether prefix is usable: 1 to LAB_PREFIX_MAX of [a-z0-9]. */
bool lab_prefix_is_valid(const char *prefix);
