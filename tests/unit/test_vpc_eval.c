/* fw explain's evaluator on the example VPC: the verdict and the rule or
 * entry named for each step, and the packet syntax. */
#include "unit.h"

#include <sys/socket.h>

#include "examples.h"

#include "model/vpc_eval.h"

static struct vpc_explanation explain(const struct vpc_model *model, const char *text,
				      bool is_established)
{
	struct vpc_explanation why;
	struct vpc_packet packet;
	char reason[200];

	if (vpc_packet_parse(text, &packet, reason, sizeof(reason)) != 0)
		fail_msg("%s: %s", text, reason);
	vpc_explain(model, &packet, is_established, &why);
	return why;
}

static void test_packets_parse_in_every_form(void **state)
{
	struct vpc_packet p;
	char why[200];

	(void)state;
	assert_int_equal(vpc_packet_parse("tcp 10.0.1.5:40000 > 10.0.2.7:443", &p, why, sizeof(why)), 0);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 443);
	assert_int_equal(vpc_packet_parse("udp [fd00::1]:53 > [fd00::2]:5353", &p, why, sizeof(why)), 0);
	assert_int_equal(p.dst.family, AF_INET6);
	assert_int_equal(p.dport, 5353);
	assert_int_equal(vpc_packet_parse("icmp 10.0.1.5 > 10.0.2.7 type 3 code 4", &p, why, sizeof(why)), 0);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 4);
	assert_int_equal(vpc_packet_parse("icmpv6 fd00::1 > fd00::2", &p, why, sizeof(why)), 0);
	assert_int_equal(p.icmp_type, 128); /* an echo request, as ping sends */
	assert_int_equal(vpc_packet_parse("47 10.0.1.5 > 10.0.2.7", &p, why, sizeof(why)), 0);
	assert_int_equal(p.proto, 47);
}

static void test_bad_packets_say_why(void **state)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "tcp 10.0.1.5 > 10.0.2.7:443", "tcp and udp need addr:port" },
		{ "icmp 10.0.1.5:1 > 10.0.2.7", "no port for this protocol" },
		{ "tcp 10.0.1.5:1 > [fd00::1]:2", "different families" },
		{ "sctpp 10.0.1.5 > 10.0.2.7", "unknown protocol" },
		{ "tcp 10.0.1.5:70000 > 10.0.2.7:1", "not an address or address:port" },
		{ "tcp 10.0.1.5:1 10.0.2.7:1", "expected 'PROTO SRC > DST'" },
		{ "tcp 10.0.1.5:1 > 10.0.2.7:1 type 3", "only 'type T [code C]' (ICMP)" },
	};
	struct vpc_packet p;
	char why[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(vpc_packet_parse(cases[i].text, &p, why, sizeof(why)), -22);
		if (!strstr(why, cases[i].why))
			fail_msg("%s: got '%s', want ...%s...", cases[i].text, why, cases[i].why);
	}
}

static void test_each_step_names_what_decided_it(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	load_examples(&model);
	why = explain(&model, "tcp 10.0.2.200:40000 > 10.0.3.30:5432", false);
	assert_false(why.is_allowed);
	assert_int_equal(why.n_steps, 4);
	assert_true(why.steps[1].is_allowed); /* app's egress to sg-db */
	assert_false(why.steps[2].is_allowed);
	assert_non_null(strstr(why.steps[2].text, "denied by acl-0a1b2c3d4e5f60032 inbound rule 90"));
	assert_true(why.steps[3].is_allowed); /* db's ingress from sg-app */
	vpc_model_free(&model);
}

static void test_within_a_subnet_only_groups_judge(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	load_examples(&model);
	why = explain(&model, "tcp 10.0.2.20:40000 > 10.0.2.200:8080", false);
	assert_int_equal(why.n_steps, 2);
	assert_non_null(strstr(why.steps[0].text, "egress of eni-0a1b2c3d4e5f60052"));
	assert_non_null(strstr(why.steps[1].text, "denied, no rule of sg-0a1b2c3d4e5f60012 allows it"));
	vpc_model_free(&model);
}

static void test_replies_pass_groups_but_meet_acls(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	load_examples(&model);
	/* db has no egress rule, but a reply is part of a tracked flow. */
	why = explain(&model, "tcp 10.0.3.30:5432 > 10.0.2.20:40000", true);
	assert_true(why.is_allowed);
	assert_int_equal(why.n_steps, 2);
	/* ... and the ACL still judges it: port 1000 is below 1024-65535. */
	why = explain(&model, "tcp 10.0.3.30:5432 > 10.0.2.20:1000", true);
	assert_false(why.is_allowed);
	assert_non_null(strstr(why.steps[0].text, "rule * (default)"));
	vpc_model_free(&model);
}

static void test_outside_every_subnet_only_the_instance_side_judges(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	load_examples(&model);
	why = explain(&model, "tcp 203.0.113.9:40000 > 10.0.1.10:443", false);
	assert_true(why.is_allowed);
	assert_int_equal(why.n_steps, 2);
	assert_non_null(strstr(why.steps[1].text, "allowed by sg-0a1b2c3d4e5f60011 ingress permission 2 (tcp 443 from 0.0.0.0/0)"));
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packets_parse_in_every_form),
		cmocka_unit_test(test_bad_packets_say_why),
		cmocka_unit_test(test_each_step_names_what_decided_it),
		cmocka_unit_test(test_within_a_subnet_only_groups_judge),
		cmocka_unit_test(test_replies_pass_groups_but_meet_acls),
		cmocka_unit_test(test_outside_every_subnet_only_the_instance_side_judges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
