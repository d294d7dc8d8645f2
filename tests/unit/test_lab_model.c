/* The lab's topology is consistent: every name it uses is defined. */
#include "unit.h"

#include <arpa/inet.h>
#include <string.h>

#include "model/lab.h"
#include "model/lab_vpc.h"

static bool is_node(const struct lab_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].name, name) == 0)
			return true;
	return false;
}

static bool node_has_if(const struct lab_topology *t, const char *node, const char *ifname)
{
	for (size_t i = 0; i < t->n_veths; i++)
		if ((strcmp(t->veths[i].node, node) == 0 && strcmp(t->veths[i].ifname, ifname) == 0) ||
		    (strcmp(t->veths[i].peer_node, node) == 0 &&
		     strcmp(t->veths[i].peer_ifname, ifname) == 0))
			return true;
	return false;
}

static void test_every_link_address_and_route_names_a_real_node(void **state)
{
	const struct lab_topology *t = lab_topology();
	unsigned char buf[16];

	(void)state;
	for (size_t i = 0; i < t->n_veths; i++) {
		assert_true(is_node(t, t->veths[i].node));
		assert_true(is_node(t, t->veths[i].peer_node));
	}
	for (size_t i = 0; i < t->n_addrs; i++) {
		assert_true(node_has_if(t, t->addrs[i].node, t->addrs[i].ifname));
		assert_true(inet_pton(AF_INET, t->addrs[i].addr, buf) == 1 ||
			    inet_pton(AF_INET6, t->addrs[i].addr, buf) == 1);
	}
	for (size_t i = 0; i < t->n_ports; i++)
		assert_true(node_has_if(t, t->ports[i].node, t->ports[i].port));
	for (size_t i = 0; i < t->n_routes; i++)
		assert_true(is_node(t, t->routes[i].node));
	assert_true(is_node(t, t->nat_node));
}

static void test_the_internet_host_has_no_route_to_private_ranges(void **state)
{
	const struct lab_topology *t = lab_topology();

	(void)state;
	/* Otherwise a reply would reach a private instance without NAT. */
	for (size_t i = 0; i < t->n_routes; i++)
		assert_string_not_equal(t->routes[i].node, "inet");
}

static void test_prefixes_are_short_lowercase_names(void **state)
{
	(void)state;
	assert_true(lab_prefix_is_valid("bwlab"));
	assert_true(lab_prefix_is_valid("t12345"));
	assert_false(lab_prefix_is_valid(""));
	assert_false(lab_prefix_is_valid("a/b"));
	assert_false(lab_prefix_is_valid("UPPER"));
	assert_false(lab_prefix_is_valid("thirteenchars"));
}

/* lab up --aws: each host's interface has its ENI's MAC and the router's
 * bridge a static entry for it on the host's port; an IPv6-only subnet
 * gets no IPv4 router address or route. */
static void test_vpc_lab_hosts_carry_their_enis_macs(void **state)
{
	struct vpc_model model;
	struct vpc_subnet subnet = { .id = "subnet-0a01", .has_v6 = true, .nacl = -1 };
	struct vpc_eni eni = { .id = "eni-0a01", .instance_id = "i-0a01",
			       .mac = "0a:00:00:00:00:01", .is_source_dest_checked = true };
	struct cidr addr;
	struct lab_vpc lab;
	char why[64];

	(void)state;
	vpc_model_init(&model);
	assert_int_equal(cidr_parse("fd00:10:0:1::/64", false, &subnet.v6, why, sizeof(why)), 0);
	vec_push(&model.subnets, &subnet);
	eni.addrs = (struct vec)VEC_INIT(struct cidr);
	eni.group_ids = (struct vec)VEC_INIT(struct vpc_id);
	eni.groups = (struct vec)VEC_INIT(int);
	assert_int_equal(cidr_parse("fd00:10:0:1::10", true, &addr, why, sizeof(why)), 0);
	vec_push(&eni.addrs, &addr);
	vec_push(&model.enis, &eni);
	assert_int_equal(lab_vpc_build(&model, &lab), 0);
	assert_int_equal(lab.topo.n_ports, 1);
	assert_string_equal(lab.topo.ports[0].mac, "0a:00:00:00:00:01");
	for (size_t i = 0; i < lab.topo.n_veths; i++)
		if (strcmp(lab.topo.veths[i].node, "i-0a01") == 0)
			assert_string_equal(lab.topo.veths[i].mac, "0a:00:00:00:00:01");
	for (size_t i = 0; i < lab.topo.n_addrs; i++)
		assert_null(strchr(lab.topo.addrs[i].addr, '.') &&
			    strcmp(lab.topo.addrs[i].node, "vpc") == 0 &&
			    strcmp(lab.topo.addrs[i].ifname, "s0") == 0 ? "v4" : NULL);
	for (size_t i = 0; i < lab.topo.n_routes; i++)
		assert_null(strchr(lab.topo.routes[i].gateway, '.') &&
			    strcmp(lab.topo.routes[i].node, "i-0a01") == 0 ? "v4" : NULL);
	lab_vpc_free(&lab);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_link_address_and_route_names_a_real_node),
		cmocka_unit_test(test_the_internet_host_has_no_route_to_private_ranges),
		cmocka_unit_test(test_prefixes_are_short_lowercase_names),
		cmocka_unit_test(test_vpc_lab_hosts_carry_their_enis_macs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
