/* The lab's topology is consistent: every name it uses is defined. */
#include "unit.h"

#include <arpa/inet.h>
#include <string.h>

#include "model/lab.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_link_address_and_route_names_a_real_node),
		cmocka_unit_test(test_the_internet_host_has_no_route_to_private_ranges),
		cmocka_unit_test(test_prefixes_are_short_lowercase_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
