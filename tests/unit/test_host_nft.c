/* Table inet bulwark_host, pinned byte for byte by golden files under
 * tests/golden/host/ (tests/netns/golden_loads.sh has the kernel check
 * each one). */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "golden.h"

#include "model/settings.h"
#include "render/host_nft.h"

struct golden_case {
	const char *name;
	const char *settings; /* JSON under "settings" */
};

static const struct golden_case cases[] = {
	{ "disabled", "{}" },
	{ "enabled_defaults", "{\"firewall\": {\"host\": {\"enabled\": true}}}" },
	{ "server",
	  "{\"firewall\": {\"host\": {\"enabled\": true, \"allow-tcp\": [443, 22, 80],"
	  " \"allow-udp\": [53, 123], \"allow-icmp\": true}}}" },
	{ "locked_router",
	  "{\"firewall\": {\"host\": {\"enabled\": true, \"allow-tcp\": [22],"
	  " \"allow-outbound\": false, \"allow-forward\": true}}}" },
	{ "cis_level_2", "{\"hardening\": {\"profile\": \"cis-level-2\"}}" },
	/* tests/netns/host_fw.sh and host_fw_ndp.sh send it real packets. */
	{ "icmp_echo",
	  "{\"firewall\": {\"host\": {\"enabled\": true, \"allow-tcp\": [22],"
	  " \"allow-icmp\": [\"echo-request\"]}}}" },
	/* Every name allow-icmp takes: golden_loads.sh has nft parse them. */
	{ "icmp_every_name",
	  "{\"firewall\": {\"host\": {\"enabled\": true, \"allow-icmp\": ["
	  "\"echo-reply\", \"destination-unreachable\", \"source-quench\", \"redirect\","
	  " \"echo-request\", \"router-advertisement\", \"router-solicitation\","
	  " \"time-exceeded\", \"parameter-problem\", \"timestamp-request\","
	  " \"timestamp-reply\", \"info-request\", \"info-reply\", \"address-mask-request\","
	  " \"address-mask-reply\", \"packet-too-big\", \"mld-listener-query\","
	  " \"mld-listener-report\", \"mld-listener-done\", \"mld-listener-reduction\","
	  " \"nd-router-solicit\", \"nd-router-advert\", \"nd-neighbor-solicit\","
	  " \"nd-neighbor-advert\", \"nd-redirect\", \"router-renumbering\","
	  " \"ind-neighbor-solicit\", \"ind-neighbor-advert\", \"mld2-listener-report\"]}}}" },
};

static char *render_settings(const char *text)
{
	json_error_t jerr;
	json_t *tree = json_loads(text, 0, &jerr);
	struct settings_plan plan;
	struct strbuf out = { 0 };
	struct bw_err err;
	char *ruleset;

	assert_non_null(tree);
	settings_plan_init(&plan);
	if (settings_plan_build(tree, &plan, &err) != 0)
		fail_msg("%s: %s", text, err.msg);
	host_nft_render(&plan.host_fw, &out);
	ruleset = strbuf_take(&out);
	assert_non_null(ruleset);
	settings_plan_free(&plan);
	json_decref(tree);
	return ruleset;
}

static void test_rendered_rulesets_match_golden_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512];
		char *ruleset = render_settings(cases[i].settings);

		snprintf(path, sizeof(path), GOLDEN_DIR "/host/%s.nft", cases[i].name);
		golden_check(path, ruleset);
		free(ruleset);
	}
}

static void test_rendering_is_deterministic(void **state)
{
	char *first = render_settings(cases[2].settings);
	char *second = render_settings(cases[2].settings);

	(void)state;
	assert_string_equal(first, second);
	free(first);
	free(second);
}

static void test_disabled_only_deletes_the_table(void **state)
{
	char *ruleset = render_settings("{\"firewall\": {\"host\": {\"enabled\": false, \"allow-tcp\": [22]}}}");

	(void)state;
	/* The add makes the delete harmless when the table is absent. */
	assert_string_equal(ruleset, "add table inet bulwark_host\ndelete table inet bulwark_host\n");
	free(ruleset);
}

static void test_enabled_replaces_the_table_in_one_transaction(void **state)
{
	char *ruleset = render_settings(cases[1].settings);

	(void)state;
	assert_true(strncmp(ruleset,
			    "add table inet bulwark_host\ndelete table inet bulwark_host\ntable inet bulwark_host {\n",
			    strlen("add table inet bulwark_host\ndelete table inet bulwark_host\ntable inet bulwark_host {\n")) == 0);
	assert_null(strstr(ruleset, "flush ruleset"));
	free(ruleset);
}

static void test_every_hook_drops_by_policy(void **state)
{
	char *ruleset = render_settings(cases[3].settings);

	(void)state;
	assert_non_null(strstr(ruleset, "type filter hook input priority filter; policy drop;"));
	assert_non_null(strstr(ruleset, "type filter hook forward priority filter; policy drop;"));
	assert_non_null(strstr(ruleset, "type filter hook output priority filter; policy drop;"));
	free(ruleset);
}

static void test_loopback_accepted_before_spoofed_loopback_dropped(void **state)
{
	char *ruleset = render_settings(cases[1].settings);
	const char *lo = strstr(ruleset, "iif \"lo\" accept");
	const char *v4 = strstr(ruleset, "ip saddr 127.0.0.0/8 counter name denied_input drop");
	const char *v6 = strstr(ruleset, "ip6 saddr ::1 counter name denied_input drop");

	(void)state;
	assert_non_null(lo);
	assert_non_null(v4);
	assert_non_null(v6);
	assert_true(lo < v4 && lo < v6);
	assert_non_null(strstr(ruleset, "oif \"lo\" accept"));
	free(ruleset);
}

static void test_neighbour_discovery_passes_without_icmp(void **state)
{
	char *ruleset = render_settings(cases[1].settings);

	(void)state;
	assert_null(strstr(ruleset, "meta l4proto { icmp, ipv6-icmp } accept"));
	assert_non_null(strstr(ruleset, "nd-neighbor-solicit, nd-neighbor-advert"));
	free(ruleset);
}

static void test_icmp_accepted_when_allowed(void **state)
{
	char *ruleset = render_settings(cases[2].settings);

	(void)state;
	assert_non_null(strstr(ruleset, "meta l4proto { icmp, ipv6-icmp } accept"));
	free(ruleset);
}

static void test_icmp_list_is_one_rule_a_family_in_type_order(void **state)
{
	char *ruleset = render_settings("{\"firewall\": {\"host\": {\"enabled\": true, \"allow-icmp\":"
					" [\"timestamp-request\", \"echo-request\", \"packet-too-big\"]}}}");

	(void)state;
	assert_non_null(strstr(ruleset, "\t\ticmp type { echo-request, timestamp-request } accept\n"));
	assert_non_null(strstr(ruleset, "\t\ticmpv6 type { packet-too-big, echo-request } accept\n"));
	assert_null(strstr(ruleset, "meta l4proto { icmp, ipv6-icmp }"));
	/* After the spoofed-loopback, invalid-state and port rules, in input only. */
	assert_true(strstr(ruleset, "ct state invalid counter name denied_input drop") <
		    strstr(ruleset, "icmp type { echo-request"));
	assert_true(strstr(ruleset, "icmp type { echo-request") < strstr(ruleset, "chain forward {"));
	free(ruleset);
}

static void test_icmp_list_of_one_family_renders_only_that_family(void **state)
{
	char *ruleset = render_settings("{\"firewall\": {\"host\": {\"enabled\": true, \"allow-icmp\":"
					" [\"timestamp-request\"]}}}");

	(void)state;
	assert_non_null(strstr(ruleset, "\t\ticmp type { timestamp-request } accept\n"));
	assert_null(strstr(ruleset, "icmpv6 type { echo"));
	assert_null(strstr(ruleset, "icmpv6 type { timestamp"));
	free(ruleset);
}

static void test_empty_icmp_list_accepts_no_icmp(void **state)
{
	char *empty = render_settings("{\"firewall\": {\"host\": {\"enabled\": true, \"allow-icmp\": []}}}");
	char *none = render_settings(cases[1].settings);

	(void)state;
	/* The same table as without the key: neighbour discovery and MLD only. */
	assert_string_equal(empty, none);
	assert_null(strstr(empty, "icmp type"));
	free(empty);
	free(none);
}

static void test_ports_are_sets_in_order(void **state)
{
	char *ruleset = render_settings(cases[2].settings);

	(void)state;
	assert_non_null(strstr(ruleset, "elements = { 22, 80, 443 }"));
	assert_non_null(strstr(ruleset, "elements = { 53, 123 }"));
	assert_non_null(strstr(ruleset, "tcp dport @allow_tcp accept"));
	assert_non_null(strstr(ruleset, "udp dport @allow_udp accept"));
	free(ruleset);
}

static void test_new_outbound_only_when_allowed(void **state)
{
	char *open = render_settings(cases[1].settings);
	char *locked = render_settings(cases[3].settings);

	(void)state;
	assert_non_null(strstr(open, "ct state new accept"));
	assert_null(strstr(locked, "ct state new accept"));
	free(open);
	free(locked);
}

static void test_forward_accepted_only_when_allowed(void **state)
{
	char *closed = render_settings(cases[1].settings);
	char *router = render_settings(cases[3].settings);
	const char *fwd;

	(void)state;
	fwd = strstr(closed, "chain forward {");
	assert_non_null(fwd);
	assert_null(strstr(fwd, "\t\taccept\n"));
	fwd = strstr(router, "chain forward {");
	assert_non_null(fwd);
	assert_non_null(strstr(fwd, "\t\taccept\n"));
	free(closed);
	free(router);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rendered_rulesets_match_golden_files),
		cmocka_unit_test(test_rendering_is_deterministic),
		cmocka_unit_test(test_disabled_only_deletes_the_table),
		cmocka_unit_test(test_enabled_replaces_the_table_in_one_transaction),
		cmocka_unit_test(test_every_hook_drops_by_policy),
		cmocka_unit_test(test_loopback_accepted_before_spoofed_loopback_dropped),
		cmocka_unit_test(test_neighbour_discovery_passes_without_icmp),
		cmocka_unit_test(test_icmp_accepted_when_allowed),
		cmocka_unit_test(test_icmp_list_is_one_rule_a_family_in_type_order),
		cmocka_unit_test(test_icmp_list_of_one_family_renders_only_that_family),
		cmocka_unit_test(test_empty_icmp_list_accepts_no_icmp),
		cmocka_unit_test(test_ports_are_sets_in_order),
		cmocka_unit_test(test_new_outbound_only_when_allowed),
		cmocka_unit_test(test_forward_accepted_only_when_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
