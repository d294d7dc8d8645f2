/* The NAT ruleset, pinned byte for byte by golden files: each case is a
 * configuration under tests/golden/nat/ and what the host decided. */
#include "unit.h"

#include "golden.h"

#include "conf/natconf.h"
#include "render/nat_nft.h"

struct golden_case {
	const char *name;
	const char *interface;
	bool is_ipv6_on;
	const char *flowtable_devices[3];
};

static const struct golden_case cases[] = {
	{ "default", "eth0", false, { 0 } },
	{ "dual_stack", "ens5", true, { 0 } },
	{ "sources_random", "eth0", true, { 0 } },
	{ "sources_ipv4_only", "eth0", true, { 0 } },
	{ "flowtable", "eth0", true, { "eth0", "eth1" } },
};

static char *render_case(const struct golden_case *c)
{
	char path[512];
	char *text, *ruleset;
	struct nat_config config;
	struct vec warnings = VEC_INIT(struct natconf_warning);
	struct bw_err err;
	struct nat_nft_host host = {
		.public_interface = c->interface,
		.is_ipv4_on = true,
		.is_ipv6_on = c->is_ipv6_on,
		.flowtable_devices = c->flowtable_devices,
	};

	while (host.n_flowtable_devices < 3 && c->flowtable_devices[host.n_flowtable_devices])
		host.n_flowtable_devices++;
	host.use_flowtable = host.n_flowtable_devices > 0;
	snprintf(path, sizeof(path), GOLDEN_DIR "/nat/%s.conf", c->name);
	text = golden_read(path);
	assert_non_null(text);
	nat_config_init(&config);
	if (natconf_parse(text, strlen(text), path, &config, &warnings, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	ruleset = nat_nft_render(&config, &host);
	assert_non_null(ruleset);
	nat_config_free(&config);
	vec_free(&warnings);
	free(text);
	return ruleset;
}

static void test_rendered_rulesets_match_golden_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512];
		char *ruleset = render_case(&cases[i]);

		snprintf(path, sizeof(path), GOLDEN_DIR "/nat/%s.nft", cases[i].name);
		golden_check(path, ruleset);
		free(ruleset);
	}
}

static void test_rendering_is_deterministic(void **state)
{
	char *first = render_case(&cases[2]);
	char *second = render_case(&cases[2]);

	(void)state;
	assert_string_equal(first, second);
	free(first);
	free(second);
}

static void test_ruleset_replaces_only_its_own_table(void **state)
{
	char *ruleset = render_case(&cases[1]);

	(void)state;
	/* add + delete + define: one transaction, whether or not it existed. */
	assert_ptr_equal(strstr(ruleset, "add table inet bulwark_nat\n"
				"delete table inet bulwark_nat\n"
				"table inet bulwark_nat {\n"), ruleset);
	assert_null(strstr(ruleset, "flush ruleset"));
	free(ruleset);
}

static void test_without_flowtable_no_forward_chain_is_rendered(void **state)
{
	(void)state;
	/* A forward chain costs every forwarded packet; NAT needs none. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *ruleset = render_case(&cases[i]);
		bool has_forward = strstr(ruleset, "hook forward") != NULL;

		assert_int_equal(has_forward, cases[i].flowtable_devices[0] != NULL);
		free(ruleset);
	}
}

static void test_flowtable_forward_chain_only_offloads(void **state)
{
	char *ruleset = render_case(&cases[4]);
	const char *chain = strstr(ruleset, "\tchain forward {\n");

	(void)state;
	assert_non_null(chain);
	assert_string_equal(chain, "\tchain forward {\n"
			    "\t\ttype filter hook forward priority filter; policy accept;\n"
			    "\t\tmeta l4proto { tcp, udp } flow add @fastpath\n"
			    "\t}\n}\n");
	free(ruleset);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rendered_rulesets_match_golden_files),
		cmocka_unit_test(test_rendering_is_deterministic),
		cmocka_unit_test(test_ruleset_replaces_only_its_own_table),
		cmocka_unit_test(test_without_flowtable_no_forward_chain_is_rendered),
		cmocka_unit_test(test_flowtable_forward_chain_only_offloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
