/* Reading masquerade rules and counters back from nftables' JSON. */
#include "unit.h"

#include <string.h>

#include "host/natobserve.h"

/* What `nft -j list table inet bulwark_nat` printed for a dual-stack
 * gateway with source ranges (the IPv4 rule's nfproto is implied). */
static const char listing_text[] =
	"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}},"
	"{\"table\": {\"family\": \"inet\", \"name\": \"bulwark_nat\", \"handle\": 7}},"
	"{\"chain\": {\"family\": \"inet\", \"table\": \"bulwark_nat\", \"name\": \"postrouting\"}},"
	"{\"rule\": {\"family\": \"inet\", \"table\": \"bulwark_nat\", \"chain\": \"postrouting\","
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oifname\"}}, \"right\": \"eth0\"}},"
	" {\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}},"
	"  \"right\": {\"set\": [{\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 8}}]}}},"
	" {\"counter\": {\"packets\": 12, \"bytes\": 1008}}, {\"masquerade\": {\"flags\": \"fully-random\"}}]}},"
	"{\"rule\": {\"family\": \"inet\", \"table\": \"bulwark_nat\", \"chain\": \"postrouting\","
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"nfproto\"}}, \"right\": \"ipv6\"}},"
	" {\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oifname\"}}, \"right\": \"eth0\"}},"
	" {\"counter\": {\"packets\": 3, \"bytes\": 312}}, {\"masquerade\": null}]}}]}";

static void test_masquerade_rules_and_counters_are_found(void **state)
{
	json_error_t jerr;
	json_t *listing = json_loads(listing_text, 0, &jerr);
	struct nat_observed seen;

	(void)state;
	assert_non_null(listing);
	nat_observe_ruleset(listing, &seen);
	assert_true(seen.has_table);
	assert_true(seen.ipv4.is_present);
	assert_string_equal(seen.ipv4.oifname, "eth0");
	assert_int_equal(seen.ipv4.packets, 12);
	assert_int_equal(seen.ipv4.bytes, 1008);
	assert_true(seen.ipv6.is_present);
	assert_int_equal(seen.ipv6.packets, 3);
	assert_false(seen.has_flowtable);
	json_decref(listing);
}

static void test_no_table_means_nothing_present(void **state)
{
	struct nat_observed seen;

	(void)state;
	memset(&seen, 0xff, sizeof(seen));
	nat_observe_ruleset(NULL, &seen);
	assert_false(seen.has_table);
	assert_false(seen.ipv4.is_present);
	assert_false(seen.ipv6.is_present);
}

static void test_a_rule_without_masquerade_is_not_counted(void **state)
{
	json_t *listing = json_loads(
		"{\"nftables\": [{\"table\": {\"name\": \"bulwark_nat\"}},"
		"{\"rule\": {\"chain\": \"postrouting\", \"expr\": [{\"match\": {\"left\":"
		" {\"meta\": {\"key\": \"oifname\"}}, \"right\": \"eth0\"}}, {\"accept\": null}]}}]}",
		0, NULL);
	struct nat_observed seen;

	(void)state;
	nat_observe_ruleset(listing, &seen);
	assert_true(seen.has_table);
	assert_false(seen.ipv4.is_present);
	json_decref(listing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masquerade_rules_and_counters_are_found),
		cmocka_unit_test(test_no_table_means_nothing_present),
		cmocka_unit_test(test_a_rule_without_masquerade_is_not_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
