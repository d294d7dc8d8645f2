#include "model/lab_vpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A string the topology points to, kept until lab_vpc_free(). */
static const char *keep(struct lab_vpc *lab, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *keep(struct lab_vpc *lab, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if (vec_push(&lab->strings, &text) < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The VPC router's address in a subnet: the network address plus one. */
static const char *router_addr(struct lab_vpc *lab, const struct cidr *subnet)
{
	uint8_t addr[16];
	char text[INET6_ADDRSTRLEN];

	memcpy(addr, subnet->addr, sizeof(addr));
	addr[cidr_addr_len(subnet->family) - 1] |= 1;
	inet_ntop(subnet->family, addr, text, sizeof(text));
	return keep(lab, "%s", text);
}

static int add_addr(struct lab_vpc *lab, const char *node, const char *ifname,
		    const char *addr, int prefix_len)
{
	struct lab_addr a = { node, ifname, addr, prefix_len };

	return node && ifname && addr ? vec_push(&lab->addrs, &a) : -ENOMEM;
}

static int add_default_route(struct lab_vpc *lab, const char *node, const char *gateway)
{
	struct lab_route r = { node, "default", 0, gateway };

	return node && gateway ? vec_push(&lab->routes, &r) : -ENOMEM;
}

/* The name of an ENI's node: its instance's id for the first ENI of the
 * instance, its own id for the others and for ENIs no instance owns. */
static const char *eni_node_name(struct lab_vpc *lab, const struct vpc_model *model, size_t e)
{
	const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);

	if (!eni->instance_id[0]) /* an RDS, ELB, Lambda or endpoint ENI */
		return keep(lab, "%s", eni->id);
	for (size_t k = 0; k < e; k++)
		if (strcmp(VEC_AT(&model->enis, struct vpc_eni, k)->instance_id, eni->instance_id) == 0)
			return keep(lab, "%s", eni->id);
	return keep(lab, "%s", eni->instance_id);
}

static int add_subnets(struct lab_vpc *lab, const struct vpc_model *model)
{
	int rc = 0;

	for (size_t s = 0; rc == 0 && s < model->subnets.len; s++) {
		const struct vpc_subnet *subnet = VEC_AT(&model->subnets, struct vpc_subnet, s);
		const char *bridge = keep(lab, "vpc/s%zu", s);
		const char *name = keep(lab, "s%zu", s);

		rc = bridge && name ? vec_push(&lab->bridges, &bridge) : -ENOMEM;
		if (rc == 0 && subnet->has_v4)
			rc = add_addr(lab, "vpc", name, router_addr(lab, &subnet->v4),
				      subnet->v4.prefix_len);
		if (rc == 0 && subnet->has_v6)
			rc = add_addr(lab, "vpc", name, router_addr(lab, &subnet->v6),
				      subnet->v6.prefix_len);
	}
	return rc;
}

static int add_eni(struct lab_vpc *lab, const struct vpc_model *model, size_t e)
{
	const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
	const struct vpc_subnet *subnet = VEC_AT(&model->subnets, struct vpc_subnet, eni->subnet);
	struct lab_node node = { eni_node_name(lab, model, e), "instance" };
	/* The host's interface has its ENI's MAC, and the router's bridge
	 * sends that MAC only to its port: what `fw apply` binds the ENI to. */
	const char *mac = eni->mac[0] ? keep(lab, "%s", eni->mac) : NULL;
	struct lab_veth veth = { node.name, "eth0", "vpc", keep(lab, "v%zu", e), mac };
	struct lab_bridge_port port = { "vpc", keep(lab, "s%d", eni->subnet), veth.peer_ifname,
					mac };
	int rc = 0;

	if (!node.name || !veth.peer_ifname || !port.bridge || (eni->mac[0] && !mac))
		return -ENOMEM;
	if (vec_push(&lab->nodes, &node) < 0 || vec_push(&lab->veths, &veth) < 0 ||
	    vec_push(&lab->ports, &port) < 0)
		return -ENOMEM;
	for (size_t a = 0; a < eni->addrs.len; a++) {
		const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, a);
		char text[INET6_ADDRSTRLEN];
		int prefix_len = addr->family == AF_INET ?
				 (subnet->has_v4 ? subnet->v4.prefix_len : 32) :
				 subnet->has_v6 ? subnet->v6.prefix_len : 128;

		/* A delegated prefix: the host uses its first address. */
		inet_ntop(addr->family, addr->addr, text, sizeof(text));
		rc = add_addr(lab, node.name, "eth0", keep(lab, "%s", text), prefix_len);
		if (rc < 0)
			return rc;
	}
	if (subnet->has_v4)
		rc = add_default_route(lab, node.name, router_addr(lab, &subnet->v4));
	/* An IPv6 route needs an IPv6 address on the link. */
	for (size_t a = 0; rc == 0 && subnet->has_v6 && a < eni->addrs.len; a++)
		if (VEC_AT(&eni->addrs, struct cidr, a)->family == AF_INET6) {
			rc = add_default_route(lab, node.name, router_addr(lab, &subnet->v6));
			break;
		}
	return rc;
}

int lab_vpc_build(const struct vpc_model *model, struct lab_vpc *lab)
{
	static const struct lab_node fixed[] = {
		{ "vpc", "VPC router, enforces" },
		{ "inet", "internet host" },
	};
	struct lab_veth uplink = { "inet", "eth0", "vpc", "inet", NULL };
	int rc = 0;

	memset(lab, 0, sizeof(*lab));
	lab->strings = (struct vec)VEC_INIT(char *);
	lab->nodes = (struct vec)VEC_INIT(struct lab_node);
	lab->veths = (struct vec)VEC_INIT(struct lab_veth);
	lab->bridges = (struct vec)VEC_INIT(const char *);
	lab->ports = (struct vec)VEC_INIT(struct lab_bridge_port);
	lab->addrs = (struct vec)VEC_INIT(struct lab_addr);
	lab->routes = (struct vec)VEC_INIT(struct lab_route);
	for (size_t i = 0; rc == 0 && i < 2; i++)
		rc = vec_push(&lab->nodes, &fixed[i]);
	if (rc == 0)
		rc = vec_push(&lab->veths, &uplink);
	if (rc == 0)
		rc = add_subnets(lab, model);
	if (rc == 0)
		rc = add_addr(lab, "vpc", "inet", "203.0.113.254", 24);
	if (rc == 0)
		rc = add_addr(lab, "vpc", "inet", "2001:db8:113::fe", 64);
	if (rc == 0)
		rc = add_addr(lab, "inet", "eth0", "203.0.113.1", 24);
	if (rc == 0)
		rc = add_addr(lab, "inet", "eth0", "2001:db8:113::1", 64);
	if (rc == 0)
		rc = add_default_route(lab, "inet", "203.0.113.254");
	if (rc == 0)
		rc = add_default_route(lab, "inet", "2001:db8:113::fe");
	for (size_t e = 0; rc == 0 && e < model->enis.len; e++)
		rc = add_eni(lab, model, e);
	if (rc < 0)
		return -ENOMEM;
	lab->topo = (struct lab_topology){
		.nodes = lab->nodes.items, .n_nodes = lab->nodes.len,
		.veths = lab->veths.items, .n_veths = lab->veths.len,
		.bridges = lab->bridges.items, .n_bridges = lab->bridges.len,
		.ports = lab->ports.items, .n_ports = lab->ports.len,
		.addrs = lab->addrs.items, .n_addrs = lab->addrs.len,
		.routes = lab->routes.items, .n_routes = lab->routes.len,
		.router_node = "vpc",
		.fw_node = "vpc",
	};
	return 0;
}

void lab_vpc_free(struct lab_vpc *lab)
{
	for (size_t i = 0; i < lab->strings.len; i++)
		free(*VEC_AT(&lab->strings, char *, i));
	vec_free(&lab->strings);
	vec_free(&lab->nodes);
	vec_free(&lab->veths);
	vec_free(&lab->bridges);
	vec_free(&lab->ports);
	vec_free(&lab->addrs);
	vec_free(&lab->routes);
}
