/* fw explain's evaluator: the verdict and the rule or entry named for each
 * step, on the example VPC and on small models built here by hand; what
 * AWS never filters; the strict packet syntax; the JSON form. */
#include "unit.h"

#include <sys/socket.h>

#include "examples.h"
#include "vpc_build.h"

#include "model/vpc_eval.h"

/* ---- helpers --------------------------------------------------------- */

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

/* The packet must be refused with a reason that contains want. */
static void assert_refused(const char *text, const char *want)
{
	struct vpc_packet p;
	char why[200] = "";

	if (vpc_packet_parse(text, &p, why, sizeof(why)) != -22)
		fail_msg("'%s' was accepted", text);
	if (!strstr(why, want))
		fail_msg("'%s': got '%s', want ...%s...", text, why, want);
}

static void parse_ok(const char *text, struct vpc_packet *p)
{
	char why[200];

	if (vpc_packet_parse(text, p, why, sizeof(why)) != 0)
		fail_msg("'%s': %s", text, why);
}

/* One subnet 10.0.1.0/24 + fd00:1::/64 with an ACL that allows all, one
 * instance 10.0.1.10 / fd00:1::10 in a group with no rules at all: every
 * packet to or from it that is judged is denied. */
static void closed_model(struct vpc_model *m)
{
	int acl, subnet, sg;

	vpc_model_init(m);
	acl = add_nacl(m, "acl-0000000000000000a", true, "0.0.0.0/0");
	subnet = add_subnet(m, "subnet-0000000000000000a", "10.0.1.0/24", "fd00:1::/64", acl);
	sg = add_sg(m, "sg-0000000000000000a");
	add_eni(m, "eni-0000000000000000a", "i-0000000000000000a", subnet, sg, "10.0.1.10",
		"fd00:1::10", NULL);
	add_vpc(m, "vpc-0000000000000000a", "10.0.0.0/16", NULL);
}

static void assert_never_filtered(const struct vpc_explanation *why, const char *service)
{
	assert_true(why->is_allowed);
	assert_int_equal(why->n_steps, 1);
	assert_int_equal(why->steps[0].kind, VPC_STEP_NOT_FILTERED);
	if (!strstr(why->steps[0].text, service))
		fail_msg("got '%s', want ...%s...", why->steps[0].text, service);
}

/* ---- packet syntax --------------------------------------------------- */

static void test_packets_parse_in_every_form(void **state)
{
	struct vpc_packet p;

	(void)state;
	parse_ok("tcp 10.0.1.5:40000 > 10.0.2.7:443", &p);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 443);
	parse_ok("udp [fd00::1]:53 > [fd00::2]:5353", &p);
	assert_int_equal(p.dst.family, AF_INET6);
	assert_int_equal(p.dport, 5353);
	parse_ok("icmp 10.0.1.5 > 10.0.2.7 type 3 code 4", &p);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 4);
	parse_ok("icmpv6 fd00::1 > fd00::2", &p);
	assert_int_equal(p.icmp_type, 128); /* an echo request, as ping sends */
	parse_ok("icmpv6 [fd00::1] > [fd00::2] type 1 code 0", &p);
	assert_int_equal(p.icmp_type, 1);
	parse_ok("47 10.0.1.5 > 10.0.2.7", &p);
	assert_int_equal(p.proto, 47);
	parse_ok("  TCP\t10.0.1.5:0 >  10.0.2.7:65535  ", &p);
	assert_int_equal(p.dport, 65535);
}

static void test_arrow_and_to_separate_ends(void **state)
{
	struct vpc_packet p;

	(void)state;
	parse_ok("tcp 10.0.1.5:4000 -> 10.0.2.7:443", &p);
	assert_int_equal(p.sport, 4000);
	assert_int_equal(p.dport, 443);
	parse_ok("tcp 10.0.1.5:4000 to 10.0.2.7:443", &p);
	assert_int_equal(p.dport, 443);
	assert_string_equal(p.dst.text, "10.0.2.7/32");
}

static void test_packet_words_parse_like_one_string(void **state)
{
	char *words[] = { "tcp", "10.0.1.5:4000", "to", "10.0.2.7:443" };
	char *mixed[] = { "icmp 10.0.1.5", "->", "10.0.2.7 type", "3", "code 1" };
	char *extra[] = { "tcp", "10.0.1.5:4000", "to", "10.0.2.7:443", "now" };
	struct vpc_packet p;
	char why[200];

	(void)state;
	assert_int_equal(vpc_packet_parse_argv(4, words, &p, why, sizeof(why)), 0);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.dport, 443);
	assert_int_equal(vpc_packet_parse_argv(5, mixed, &p, why, sizeof(why)), 0);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 1);
	assert_int_equal(vpc_packet_parse_argv(5, extra, &p, why, sizeof(why)), -22);
	assert_non_null(strstr(why, "unexpected 'now' after the packet"));
}

static void test_unquoted_redirection_gets_a_hint(void **state)
{
	/* `fw explain tcp 10.0.1.5:1 > 10.0.2.7:2`: the shell ate '> DST'. */
	char *cut[] = { "tcp", "10.0.1.5:1" };
	char *arrow_cut[] = { "tcp", "10.0.1.5:1", "-" };
	struct vpc_packet p;
	char why[300];

	(void)state;
	assert_int_equal(vpc_packet_parse_argv(2, cut, &p, why, sizeof(why)), -22);
	assert_non_null(strstr(why, "the shell takes '>' as a redirection"));
	assert_int_equal(vpc_packet_parse_argv(3, arrow_cut, &p, why, sizeof(why)), -22);
	assert_non_null(strstr(why, "write 'to'"));
}

static void test_code_with_trailing_garbage_is_an_error(void **state)
{
	(void)state;
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 3 code 3x", "code '3x' is not a number 0 to 255");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 3x", "type '3x' is not a number");
}

static void test_signed_numbers_are_an_error(void **state)
{
	(void)state;
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type +1", "type '+1' is not a number");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 3 code -1", "code '-1' is not a number");
	assert_refused("tcp 10.0.1.5:+1 > 10.0.2.7:443", "the port is not a number");
	assert_refused("+6 10.0.1.5:1 > 10.0.2.7:443", "unknown protocol '+6'");
}

static void test_leading_zeros_are_an_error(void **state)
{
	(void)state;
	assert_refused("tcp 10.0.1.5:01 > 10.0.2.7:443", "the port is not a number");
	assert_refused("06 10.0.1.5:1 > 10.0.2.7:443", "unknown protocol '06'");
}

static void test_out_of_range_numbers_are_an_error(void **state)
{
	(void)state;
	assert_refused("tcp 10.0.1.5:1 > 10.0.2.7:65536", "the port is not a number 0 to 65535");
	assert_refused("tcp 10.0.1.5:99999999999999999999 > 10.0.2.7:1", "the port is not a number");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 256", "type '256' is not a number 0 to 255");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 3 code 256", "code '256'");
	assert_refused("256 10.0.1.5 > 10.0.2.7", "unknown protocol '256'");
}

static void test_trailing_words_are_an_error(void **state)
{
	(void)state;
	assert_refused("tcp 10.0.1.5:1 > 10.0.2.7:443 please", "unexpected 'please' after the packet");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 3 code 1 more", "unexpected 'more'");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 3 kode 1", "unexpected 'kode'");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type", "'type' needs a number");
	assert_refused("icmp 10.0.1.5 > 10.0.2.7 type 3 code", "'code' needs a number");
}

static void test_type_on_other_protocols_is_an_error(void **state)
{
	(void)state;
	assert_refused("tcp 10.0.1.5:1 > 10.0.2.7:1 type 3", "tcp has no ICMP type");
	assert_refused("47 10.0.1.5 > 10.0.2.7 type 3", "protocol 47 has no ICMP type");
}

static void test_ports_on_icmp_are_an_error(void **state)
{
	(void)state;
	assert_refused("icmp 10.0.1.5:1 > 10.0.2.7", "icmp has no ports (after the addresses: 'type T [code C]')");
	assert_refused("icmpv6 [fd00::1]:1 > fd00::2", "icmpv6 has no ports");
	assert_refused("47 10.0.1.5 > 10.0.2.7:1", "protocol 47 has no ports");
}

static void test_tcp_and_udp_need_ports(void **state)
{
	(void)state;
	assert_refused("tcp 10.0.1.5 > 10.0.2.7:443", "tcp needs ADDRESS:PORT");
	assert_refused("udp fd00::1:53 > [fd00::2]:53", "udp needs ADDRESS:PORT ([ADDRESS]:PORT for IPv6)");
	assert_refused("6 10.0.1.5 > 10.0.2.7:443", "tcp needs ADDRESS:PORT");
	assert_refused("tcp 10.0.1.5: > 10.0.2.7:443", "the port is not a number");
}

static void test_icmp_between_ipv6_addresses_is_an_error(void **state)
{
	(void)state;
	assert_refused("icmp fd00::1 > fd00::2", "icmp (protocol 1) between IPv6 addresses: write icmpv6");
	assert_refused("1 fd00::1 > fd00::2 type 128", "between IPv6 addresses");
}

static void test_icmpv6_between_ipv4_addresses_is_an_error(void **state)
{
	(void)state;
	assert_refused("icmpv6 10.0.1.5 > 10.0.2.7", "icmpv6 (protocol 58) between IPv4 addresses: write icmp");
	assert_refused("58 10.0.1.5 > 10.0.2.7", "between IPv4 addresses");
}

static void test_mixed_families_are_an_error(void **state)
{
	(void)state;
	assert_refused("tcp 10.0.1.5:1 > [fd00::1]:2", "different families");
	assert_refused("47 fd00::1 > 10.0.2.7", "different families");
}

static void test_bad_addresses_and_shapes_say_why(void **state)
{
	(void)state;
	assert_refused("sctpp 10.0.1.5 > 10.0.2.7", "unknown protocol 'sctpp'");
	assert_refused("tcp 10.0.1.5:1 10.0.2.7:1", "expected 'PROTO SRC > DST'");
	assert_refused("tcp 10.0.1.5:1 => 10.0.2.7:1", "'=>' where '>', '->' or 'to' was expected");
	assert_refused("tcp 10.0.1.300:1 > 10.0.2.7:1", "'10.0.1.300:1' is not an IPv4 or IPv6 address");
	assert_refused("tcp [10.0.1.5]:1 > 10.0.2.7:1", "brackets are for IPv6 addresses");
	assert_refused("tcp 10.0.1.0/24:1 > 10.0.2.7:1", "is not an IPv4 or IPv6 address");
	assert_refused("", "expected 'PROTO SRC > DST'");
}

static void test_reasons_are_one_printable_line(void **state)
{
	struct vpc_packet p;
	char why[200];

	(void)state;
	assert_int_equal(vpc_packet_parse("tcp 10.0.1.5:1 > 10.0.2.7:1 \x1b[2J\x7f", &p, why, sizeof(why)), -22);
	for (const char *c = why; *c; c++)
		if (*c < ' ' || *c == 0x7f)
			fail_msg("control character in '%s'", why);
	assert_non_null(strstr(why, "unexpected '?[2J?'"));
}

/* ---- the example VPC ------------------------------------------------- */

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

/* An ENI with the check off may forward a packet to or from an address
 * no ENI has; the packet's text names no route, so explain says what it
 * assumes (and only then). */
static void test_an_end_no_eni_has_with_an_unchecked_eni_is_an_assumption(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;
	struct vpc_packet p;
	json_t *doc;

	(void)state;
	load_examples(&model);
	why = explain(&model, "icmp 10.0.2.200 to 10.0.9.9", false);
	assert_string_equal(why.assumes, "");
	for (size_t e = 0; e < model.enis.len; e++) {
		struct vpc_eni *eni = VEC_AT(&model.enis, struct vpc_eni, e);

		if (strcmp(eni->id, "eni-0a1b2c3d4e5f60054") == 0)
			eni->is_source_dest_checked = false;
	}
	why = explain(&model, "icmp 10.0.2.200 to 10.0.3.30", false);
	assert_string_equal(why.assumes, "");
	why = explain(&model, "icmp 10.0.2.200 to 10.0.9.9", false);
	assert_non_null(strstr(why.assumes, "assumes no ENI with the source/destination check off "
				     "(eni-0a1b2c3d4e5f60054) receives it"));
	why = explain(&model, "icmp 10.0.9.9 to 10.0.2.200", true);
	assert_non_null(strstr(why.assumes, ") sends it"));
	parse_ok("icmp 10.0.9.9 to 10.0.2.200", &p);
	vpc_explain(&model, &p, true, &why);
	doc = vpc_explanation_json(&p, &why);
	assert_string_equal(json_string_value(json_object_get(doc, "assumes")), why.assumes);
	json_decref(doc);
	parse_ok("icmp 10.0.1.10 to 10.0.2.200", &p);
	vpc_explain(&model, &p, false, &why);
	doc = vpc_explanation_json(&p, &why);
	assert_null(json_object_get(doc, "assumes"));
	json_decref(doc);
	vpc_model_free(&model);
}

/* ---- what AWS never filters ------------------------------------------ */

static void test_metadata_service_is_never_filtered(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	why = explain(&model, "tcp 10.0.1.10:40000 > 169.254.169.254:80", false);
	assert_never_filtered(&why, "to 169.254.169.254: not filtered: security groups and network "
			      "ACLs never judge traffic to or from the EC2 instance metadata service");
	assert_int_equal(why.steps[0].dir, VPC_EGRESS);
	/* Without the exemption the instance's empty group denies the same
	 * packet to any other address. */
	assert_false(explain(&model, "tcp 10.0.1.10:40000 > 169.254.169.249:80", false).is_allowed);
	vpc_model_free(&model);
}

static void test_ecs_task_metadata_and_windows_activation_are_never_filtered(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	why = explain(&model, "tcp 10.0.1.10:40000 > 169.254.170.2:80", false);
	assert_never_filtered(&why, "to 169.254.170.2: not filtered: security groups and network "
			      "ACLs never judge traffic to or from the Amazon ECS task metadata endpoint");
	why = explain(&model, "tcp 10.0.1.10:40000 > 169.254.169.251:1688", false);
	assert_true(why.is_allowed);
	vpc_model_free(&model);
}

static void test_replies_of_aws_services_are_never_filtered(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	why = explain(&model, "tcp 169.254.169.254:80 > 10.0.1.10:40000", true);
	assert_never_filtered(&why, "from 169.254.169.254");
	assert_int_equal(why.steps[0].dir, VPC_INGRESS);
	vpc_model_free(&model);
}

static void test_a_new_packet_claiming_a_service_source_is_judged(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	/* Forged: only a reply in a flow to the service is exempt. */
	why = explain(&model, "tcp 169.254.169.254:80 > 10.0.1.10:22", false);
	assert_false(why.is_allowed);
	assert_int_not_equal(why.steps[0].kind, VPC_STEP_NOT_FILTERED);
	vpc_model_free(&model);
}

static void test_amazon_dns_and_time_sync_are_never_filtered(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	why = explain(&model, "udp 10.0.1.10:40000 > 169.254.169.253:53", false);
	assert_never_filtered(&why, "the Amazon DNS server");
	why = explain(&model, "udp 10.0.1.10:40000 > 169.254.169.123:123", false);
	assert_never_filtered(&why, "the Amazon Time Sync Service");
	vpc_model_free(&model);
}

static void test_nitro_ipv6_services_are_never_filtered(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	why = explain(&model, "tcp [fd00:1::10]:40000 > [fd00:ec2::254]:80", false);
	assert_never_filtered(&why, "instance metadata service");
	why = explain(&model, "udp [fd00:1::10]:40000 > [fd00:ec2::253]:53", false);
	assert_never_filtered(&why, "Amazon DNS server");
	why = explain(&model, "udp [fd00:1::10]:40000 > [fd00:ec2::123]:123", false);
	assert_never_filtered(&why, "Time Sync");
	assert_false(explain(&model, "udp [fd00:1::10]:40000 > [fd00:ec2::1]:53", false).is_allowed);
	vpc_model_free(&model);
}

static void test_vpc_dns_resolver_is_never_filtered(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	why = explain(&model, "udp 10.0.1.10:40000 > 10.0.0.2:53", false);
	assert_never_filtered(&why, "the Amazon DNS server (Route 53 Resolver) of vpc-0000000000000000a, "
			      "at its primary range 10.0.0.0/16 plus two");
	assert_false(explain(&model, "udp 10.0.1.10:40000 > 10.0.0.3:53", false).is_allowed);
	vpc_model_free(&model);
}

static void test_secondary_range_plus_two_is_filtered(void **state)
{
	struct vpc_model model;

	(void)state;
	closed_model(&model);
	/* AWS answers at the primary range's +2 only. */
	add_vpc(&model, "vpc-0000000000000000b", "10.8.0.0/16", "10.9.0.0/16");
	assert_true(explain(&model, "udp 10.0.1.10:40000 > 10.8.0.2:53", false).is_allowed);
	assert_false(explain(&model, "udp 10.0.1.10:40000 > 10.9.0.2:53", false).is_allowed);
	vpc_model_free(&model);
}

static void test_resolver_of_an_unselected_vpc_is_filtered(void **state)
{
	struct vpc_model model;

	(void)state;
	closed_model(&model);
	add_vpc(&model, "vpc-0000000000000000b", "10.8.0.0/16", NULL);
	snprintf(model.vpc_id, sizeof(model.vpc_id), "vpc-0000000000000000a");
	assert_true(explain(&model, "udp 10.0.1.10:40000 > 10.0.0.2:53", false).is_allowed);
	assert_false(explain(&model, "udp 10.0.1.10:40000 > 10.8.0.2:53", false).is_allowed);
	vpc_model_free(&model);
}

static void test_without_vpc_ranges_no_resolver_is_assumed(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	closed_model(&model);
	vec_free(&VEC_AT(&model.vpcs, struct vpc_vpc, 0)->cidrs);
	vec_free(&model.vpcs);
	why = explain(&model, "udp 10.0.1.10:40000 > 10.0.0.2:53", false);
	assert_false(why.is_allowed);
	assert_int_equal(why.n_steps, 2); /* the subnet's outbound ACL, the group */
	assert_int_equal(why.steps[1].kind, VPC_STEP_SECURITY_GROUP);
	vpc_model_free(&model);
}

static void test_never_filtered_addresses_are_listed_for_renderers(void **state)
{
	struct vec addrs = VEC_INIT(struct cidr);
	struct vpc_model model;
	bool has_resolver = false;

	(void)state;
	closed_model(&model);
	add_vpc(&model, "vpc-0000000000000000b", "10.8.0.0/16", "10.9.0.0/16");
	assert_int_equal(vpc_never_filtered_addrs(&model, &addrs), 0);
	assert_int_equal(addrs.len, 11); /* nine services, two primary ranges' +2 */
	for (size_t i = 0; i < addrs.len; i++) {
		const char *text = VEC_AT(&addrs, struct cidr, i)->text;

		has_resolver |= strcmp(text, "10.8.0.2/32") == 0;
		assert_string_not_equal(text, "10.9.0.2/32");
	}
	assert_true(has_resolver);
	vec_free(&addrs);
	vpc_model_free(&model);
}

/* ---- every ENI ------------------------------------------------------- */

/* app (10.0.2.0/24, sg-app) may reach sg-db on 5432; the database subnet
 * 10.0.3.0/24 holds an RDS ENI (no instance) and an instance whose ENI has
 * a delegated prefix 10.0.3.32/28, both in sg-db, which admits sg-app. */
static void members_model(struct vpc_model *m)
{
	int acl, app_subnet, db_subnet, app, db;

	vpc_model_init(m);
	acl = add_nacl(m, "acl-0000000000000000a", true, "10.0.0.0/16");
	app_subnet = add_subnet(m, "subnet-0000000000000000a", "10.0.2.0/24", NULL, acl);
	db_subnet = add_subnet(m, "subnet-0000000000000000b", "10.0.3.0/24", NULL, acl);
	app = add_sg(m, "sg-000000000000000a1");
	db = add_sg(m, "sg-000000000000000d1");
	add_rule(m, app, VPC_EGRESS, VPC_PROTO_TCP, 5432, "sg-000000000000000d1");
	add_rule(m, db, VPC_INGRESS, VPC_PROTO_TCP, 5432, "sg-000000000000000a1");
	add_rule(m, db, VPC_EGRESS, VPC_PROTO_TCP, 5432, "sg-000000000000000d1");
	add_eni(m, "eni-000000000000000a1", "i-000000000000000a1", app_subnet, app, "10.0.2.20",
		NULL, NULL);
	add_eni(m, "eni-000000000000000d1", "", db_subnet, db, "10.0.3.10", NULL, NULL);
	add_eni(m, "eni-000000000000000d2", "i-000000000000000d2", db_subnet, db, "10.0.3.20",
		"10.0.3.32/28", NULL);
}

static void test_eni_without_instance_is_judged_by_its_groups(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	members_model(&model);
	why = explain(&model, "tcp 10.0.2.20:40000 > 10.0.3.10:5432", false);
	assert_true(why.is_allowed);
	assert_int_equal(why.n_steps, 4);
	assert_string_equal(why.steps[3].text,
			    "ingress of eni-000000000000000d1: allowed by sg-000000000000000d1 "
			    "ingress permission 1 (tcp 5432 from sg-000000000000000a1)");
	assert_string_equal(why.steps[3].instance_id, "");
	why = explain(&model, "tcp 10.0.2.20:40000 > 10.0.3.10:22", false);
	assert_false(why.is_allowed);
	assert_non_null(strstr(why.steps[3].text, "ingress of eni-000000000000000d1: denied"));
	vpc_model_free(&model);
}

/* The step whose text starts with prefix, or NULL. */
static const struct vpc_step *step_starting(const struct vpc_explanation *why, const char *prefix)
{
	for (int i = 0; i < why->n_steps; i++)
		if (strncmp(why->steps[i].text, prefix, strlen(prefix)) == 0)
			return &why->steps[i];
	return NULL;
}

static void test_eni_without_groups_is_not_filtered_by_groups(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;
	const struct vpc_step *step;

	(void)state;
	members_model(&model);
	/* A NAT gateway's ENI: no group at all. */
	add_eni(&model, "eni-000000000000000e1", "", 1, -1, "10.0.3.50", NULL, NULL);
	why = explain(&model, "tcp 10.0.3.50:40000 > 10.0.2.20:22", false);
	step = step_starting(&why, "egress of eni-000000000000000e1");
	assert_non_null(step);
	assert_string_equal(step->text, "egress of eni-000000000000000e1: not filtered: "
			    "it has no security group");
	assert_true(step->is_allowed);
	why = explain(&model, "tcp 10.0.3.20:40000 > 10.0.3.50:5432", false);
	step = step_starting(&why, "ingress of eni-000000000000000e1");
	assert_non_null(step);
	assert_true(step->is_allowed);
	/* The sender's own groups still judge its side. */
	assert_false(why.is_allowed);
	vpc_model_free(&model);
}

static void test_eni_without_instance_is_a_group_member(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	members_model(&model);
	/* The instance in sg-db reaches the RDS ENI through sg-db's egress to
	 * sg-db: the RDS ENI is a member. */
	why = explain(&model, "tcp 10.0.3.20:40000 > 10.0.3.10:5432", false);
	assert_int_equal(why.n_steps, 2);
	assert_true(why.steps[0].is_allowed);
	assert_non_null(strstr(why.steps[0].text, "egress permission 1 (tcp 5432 to sg-000000000000000d1)"));
	vpc_model_free(&model);
}

static void test_delegated_prefix_address_is_a_group_member_for_references(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	members_model(&model);
	/* 10.0.3.40 is in eni-d2's delegated prefix: a member of sg-db, which
	 * the RDS ENI's egress names. */
	why = explain(&model, "tcp 10.0.3.10:40000 > 10.0.3.40:5432", false);
	assert_true(why.steps[0].is_allowed);
	assert_non_null(strstr(why.steps[0].text, "egress of eni-000000000000000d1: allowed"));
	why = explain(&model, "tcp 10.0.3.10:40000 > 10.0.3.48:5432", false);
	assert_false(why.steps[0].is_allowed); /* past the /28 */
	vpc_model_free(&model);
}

static void test_ipv6_only_subnet_is_judged_by_its_acl(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;
	int acl, v6_subnet, sg;

	(void)state;
	closed_model(&model);
	acl = add_nacl(&model, "acl-0000000000000000b", false, "::/0");
	v6_subnet = add_subnet(&model, "subnet-0000000000000000c", NULL, "fd00:6::/64", acl);
	sg = add_sg(&model, "sg-0000000000000000b");
	add_rule(&model, sg, VPC_INGRESS, VPC_PROTO_ALL, -1, "::/0");
	add_eni(&model, "eni-0000000000000000c", "i-0000000000000000c", v6_subnet, sg,
		"fd00:6::10", NULL, NULL);
	why = explain(&model, "tcp [2001:db8::1]:40000 > [fd00:6::10]:22", false);
	assert_false(why.is_allowed);
	assert_int_equal(why.n_steps, 2);
	assert_string_equal(why.steps[0].text, "inbound of subnet-0000000000000000c: denied by "
			    "acl-0000000000000000b inbound rule 100 (all traffic from ::/0)");
	assert_true(why.steps[1].is_allowed);
	/* An IPv4 address is in no IPv6-only subnet. */
	why = explain(&model, "tcp 10.0.1.10:40000 > 203.0.113.5:22", false);
	assert_int_equal(why.n_steps, 2); /* 10.0.1.10's outbound ACL and egress */
	vpc_model_free(&model);
}

static void test_delegated_prefix_address_is_judged_by_its_enis_groups(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	members_model(&model);
	/* 10.0.3.40 is in eni-d2's delegated prefix 10.0.3.32/28. */
	why = explain(&model, "tcp 10.0.2.20:40000 > 10.0.3.40:5432", false);
	assert_true(why.is_allowed);
	assert_int_equal(why.n_steps, 4);
	assert_string_equal(why.steps[3].text,
			    "ingress of eni-000000000000000d2 (i-000000000000000d2): allowed by "
			    "sg-000000000000000d1 ingress permission 1 (tcp 5432 from sg-000000000000000a1)");
	why = explain(&model, "tcp 10.0.3.40:40000 > 10.0.2.20:22", false);
	assert_false(why.is_allowed);
	assert_non_null(strstr(why.steps[1].text,
			       "egress of eni-000000000000000d2 (i-000000000000000d2): denied"));
	vpc_model_free(&model);
}

static void test_example_rds_eni_is_reached_through_its_group(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	load_examples(&model);
	why = explain(&model, "tcp 10.0.2.20:40000 > 10.0.3.40:5432", false);
	assert_true(why.is_allowed);
	assert_int_equal(why.n_steps, 4);
	assert_non_null(strstr(why.steps[3].text, "ingress of eni-"));
	assert_string_equal(why.steps[3].instance_id, "");
	vpc_model_free(&model);
}

static void test_example_vpc_resolver_comes_from_vpcs_json(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;

	(void)state;
	load_examples(&model);
	/* db's group allows no egress at all. */
	why = explain(&model, "udp 10.0.3.30:40000 > 10.0.0.2:53", false);
	assert_never_filtered(&why, "at its primary range 10.0.0.0/16 plus two");
	assert_false(explain(&model, "udp 10.0.3.30:40000 > 10.0.0.3:53", false).is_allowed);
	vpc_model_free(&model);
}

/* ---- JSON ------------------------------------------------------------ */

static void test_json_names_the_deciding_group_and_acl_rule(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;
	struct vpc_packet p;
	json_t *doc, *steps;

	(void)state;
	load_examples(&model);
	parse_ok("tcp 10.0.2.200:40000 > 10.0.3.30:5432", &p);
	vpc_explain(&model, &p, false, &why);
	doc = vpc_explanation_json(&p, &why);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "deny");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "packet"), "dst")),
			    "10.0.3.30");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "packet"), "dport")),
			 5432);
	steps = json_object_get(doc, "steps");
	assert_int_equal(json_array_size(steps), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 1), "kind")),
			    "security-group");
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 1), "direction")),
			    "egress");
	assert_true(json_is_true(json_object_get(json_array_get(steps, 1), "allowed")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 2), "kind")), "acl");
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 2), "acl")),
			    "acl-0a1b2c3d4e5f60032");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(steps, 2), "rule_number")), 90);
	assert_true(json_is_false(json_object_get(json_array_get(steps, 2), "allowed")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 2), "text")),
			    why.steps[2].text);
	json_decref(doc);
	vpc_model_free(&model);
}

static void test_json_of_a_denial_by_no_rule_has_no_group(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;
	struct vpc_packet p;
	json_t *doc, *step;

	(void)state;
	closed_model(&model);
	parse_ok("udp 10.0.1.10:40000 > 10.0.0.3:53", &p);
	vpc_explain(&model, &p, false, &why);
	doc = vpc_explanation_json(&p, &why);
	step = json_array_get(json_object_get(doc, "steps"), 1); /* 0: the outbound ACL */
	assert_string_equal(json_string_value(json_object_get(step, "eni")), "eni-0000000000000000a");
	assert_string_equal(json_string_value(json_object_get(step, "instance")), "i-0000000000000000a");
	assert_true(json_is_null(json_object_get(step, "group")));
	assert_true(json_is_null(json_object_get(step, "permission")));
	json_decref(doc);
	vpc_model_free(&model);
}

static void test_json_of_never_filtered_names_the_service(void **state)
{
	struct vpc_model model;
	struct vpc_explanation why;
	struct vpc_packet p;
	json_t *doc, *step;

	(void)state;
	closed_model(&model);
	parse_ok("icmp 10.0.1.10 -> 169.254.169.123", &p);
	vpc_explain(&model, &p, false, &why);
	doc = vpc_explanation_json(&p, &why);
	assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "allow");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "packet"), "icmp_type")), 8);
	step = json_array_get(json_object_get(doc, "steps"), 0);
	assert_string_equal(json_string_value(json_object_get(step, "kind")), "not-filtered");
	assert_string_equal(json_string_value(json_object_get(step, "address")), "169.254.169.123");
	assert_string_equal(json_string_value(json_object_get(step, "service")),
			    "the Amazon Time Sync Service");
	json_decref(doc);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packets_parse_in_every_form),
		cmocka_unit_test(test_arrow_and_to_separate_ends),
		cmocka_unit_test(test_packet_words_parse_like_one_string),
		cmocka_unit_test(test_unquoted_redirection_gets_a_hint),
		cmocka_unit_test(test_code_with_trailing_garbage_is_an_error),
		cmocka_unit_test(test_signed_numbers_are_an_error),
		cmocka_unit_test(test_leading_zeros_are_an_error),
		cmocka_unit_test(test_out_of_range_numbers_are_an_error),
		cmocka_unit_test(test_trailing_words_are_an_error),
		cmocka_unit_test(test_type_on_other_protocols_is_an_error),
		cmocka_unit_test(test_ports_on_icmp_are_an_error),
		cmocka_unit_test(test_tcp_and_udp_need_ports),
		cmocka_unit_test(test_icmp_between_ipv6_addresses_is_an_error),
		cmocka_unit_test(test_icmpv6_between_ipv4_addresses_is_an_error),
		cmocka_unit_test(test_mixed_families_are_an_error),
		cmocka_unit_test(test_bad_addresses_and_shapes_say_why),
		cmocka_unit_test(test_reasons_are_one_printable_line),
		cmocka_unit_test(test_each_step_names_what_decided_it),
		cmocka_unit_test(test_within_a_subnet_only_groups_judge),
		cmocka_unit_test(test_replies_pass_groups_but_meet_acls),
		cmocka_unit_test(test_outside_every_subnet_only_the_instance_side_judges),
		cmocka_unit_test(test_an_end_no_eni_has_with_an_unchecked_eni_is_an_assumption),
		cmocka_unit_test(test_metadata_service_is_never_filtered),
		cmocka_unit_test(test_ecs_task_metadata_and_windows_activation_are_never_filtered),
		cmocka_unit_test(test_replies_of_aws_services_are_never_filtered),
		cmocka_unit_test(test_a_new_packet_claiming_a_service_source_is_judged),
		cmocka_unit_test(test_amazon_dns_and_time_sync_are_never_filtered),
		cmocka_unit_test(test_nitro_ipv6_services_are_never_filtered),
		cmocka_unit_test(test_vpc_dns_resolver_is_never_filtered),
		cmocka_unit_test(test_secondary_range_plus_two_is_filtered),
		cmocka_unit_test(test_resolver_of_an_unselected_vpc_is_filtered),
		cmocka_unit_test(test_without_vpc_ranges_no_resolver_is_assumed),
		cmocka_unit_test(test_never_filtered_addresses_are_listed_for_renderers),
		cmocka_unit_test(test_eni_without_instance_is_judged_by_its_groups),
		cmocka_unit_test(test_eni_without_instance_is_a_group_member),
		cmocka_unit_test(test_eni_without_groups_is_not_filtered_by_groups),
		cmocka_unit_test(test_delegated_prefix_address_is_a_group_member_for_references),
		cmocka_unit_test(test_ipv6_only_subnet_is_judged_by_its_acl),
		cmocka_unit_test(test_delegated_prefix_address_is_judged_by_its_enis_groups),
		cmocka_unit_test(test_example_rds_eni_is_reached_through_its_group),
		cmocka_unit_test(test_example_vpc_resolver_comes_from_vpcs_json),
		cmocka_unit_test(test_json_names_the_deciding_group_and_acl_rule),
		cmocka_unit_test(test_json_of_a_denial_by_no_rule_has_no_group),
		cmocka_unit_test(test_json_of_never_filtered_names_the_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
