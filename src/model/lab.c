#include "model/lab.h"

#include <string.h>

#define N(array) (sizeof(array) / sizeof((array)[0]))

static const struct lab_node nodes[] = {
	{ "inet", "internet host" },
	{ "nat", "NAT gateway" },
	{ "vpc", "private subnet switch" },
	{ "a", "private instance" },
	{ "b", "private instance" },
};

static const struct lab_veth veths[] = {
	{ "inet", "eth0", "nat", "eth0", NULL },
	{ "nat", "eth1", "vpc", "nat", NULL },
	{ "a", "eth0", "vpc", "a", NULL },
	{ "b", "eth0", "vpc", "b", NULL },
};

static const char *const bridges[] = { "vpc/br-private" };

static const struct lab_bridge_port ports[] = {
	{ "vpc", "br-private", "nat", NULL },
	{ "vpc", "br-private", "a", NULL },
	{ "vpc", "br-private", "b", NULL },
};

static const struct lab_addr addrs[] = {
	{ "inet", "eth0", "203.0.113.1", 24 },
	{ "inet", "eth0", "2001:db8:113::1", 64 },
	{ "nat", "eth0", "203.0.113.10", 24 },
	{ "nat", "eth0", "2001:db8:113::10", 64 },
	{ "nat", "eth1", "10.0.1.1", 24 },
	{ "nat", "eth1", "fd00:10:1::1", 64 },
	{ "a", "eth0", "10.0.1.11", 24 },
	{ "a", "eth0", "fd00:10:1::11", 64 },
	{ "b", "eth0", "10.0.1.12", 24 },
	{ "b", "eth0", "fd00:10:1::12", 64 },
};

static const struct lab_route routes[] = {
	{ "nat", "default", 0, "203.0.113.1" },
	{ "nat", "default", 0, "2001:db8:113::1" },
	{ "a", "default", 0, "10.0.1.1" },
	{ "a", "default", 0, "fd00:10:1::1" },
	{ "b", "default", 0, "10.0.1.1" },
	{ "b", "default", 0, "fd00:10:1::1" },
};

static const struct lab_topology topology = {
	.nodes = nodes, .n_nodes = N(nodes),
	.veths = veths, .n_veths = N(veths),
	.bridges = bridges, .n_bridges = N(bridges),
	.ports = ports, .n_ports = N(ports),
	.addrs = addrs, .n_addrs = N(addrs),
	.routes = routes, .n_routes = N(routes),
	.nat_node = "nat",
	.nat_config = "# written by bulwark lab up\ninterface=eth0\nipv6=on\n",
};

const struct lab_topology *lab_topology(void)
{
	return &topology;
}

bool lab_prefix_is_valid(const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 0 || n > LAB_PREFIX_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((prefix[i] >= 'a' && prefix[i] <= 'z') || (prefix[i] >= '0' && prefix[i] <= '9')))
			return false;
	return true;
}
