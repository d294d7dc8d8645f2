/* The VPC ruleset: pinned byte for byte by a golden file rendered from
 * examples/aws, plus the properties that keep it safe to load. */
#include "unit.h"

#include "golden.h"
#include "examples.h"

#include "render/vpc_nft.h"

static const struct vpc_nft_opts test_nft_opts = { .generation = 1,
						   .ct_mark_mask = VPC_CT_DEFAULT_MASK };

static void test_example_ruleset_matches_golden_file(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(ruleset);
	golden_check(GOLDEN_DIR "/vpc/example.nft", ruleset);
	free(ruleset);
	vpc_model_free(&model);
}

static void test_rendering_is_deterministic(void **state)
{
	struct vpc_model a, b;
	char *first, *second;

	(void)state;
	load_examples(&a);
	load_examples(&b);
	first = vpc_nft_render(&a, &test_nft_opts);
	second = vpc_nft_render(&b, &test_nft_opts);
	assert_string_equal(first, second);
	free(first);
	free(second);
	vpc_model_free(&a);
	vpc_model_free(&b);
}

static void test_set_update_refills_only_one_groups_sets(void **state)
{
	struct vpc_model model;
	char *update;

	(void)state;
	load_examples(&model);
	update = vpc_nft_render_sg_update(&model, 1, NULL);
	assert_non_null(update);
	assert_non_null(strstr(update, "flush set inet bulwark_vpc sg1_in_ports_v4\n"));
	assert_non_null(strstr(update, "add element inet bulwark_vpc sg1_in_ports_v4 { 10.0.1.0/28 . 6 . 22 }"));
	assert_null(strstr(update, "sg0_in"));
	assert_null(strstr(update, "sg0_out"));
	assert_null(strstr(update, "table"));
	free(update);
	vpc_model_free(&model);
}

static void test_a_change_that_keeps_the_sets_only_refills_them(void **state)
{
	struct vpc_model model;
	struct vpc_sg previous;
	struct sg_rule extra;
	char *update;

	(void)state;
	load_examples(&model);
	/* Before: sg-web with one more TCP rule, so the same sets exist. */
	previous = *VEC_AT(&model.sgs, struct vpc_sg, 0);
	previous.rules = (struct vec)VEC_INIT(struct sg_rule);
	for (size_t i = 0; i < VEC_AT(&model.sgs, struct vpc_sg, 0)->rules.len; i++)
		vec_push(&previous.rules, VEC_AT(&VEC_AT(&model.sgs, struct vpc_sg, 0)->rules, struct sg_rule, i));
	extra = *VEC_AT(&previous.rules, struct sg_rule, 0);
	extra.traffic.port_from = extra.traffic.port_to = 8080;
	vec_push(&previous.rules, &extra);
	update = vpc_nft_render_sg_update(&model, 0, &previous);
	assert_non_null(update);
	assert_null(strstr(update, "add set"));
	assert_null(strstr(update, "chain"));
	assert_non_null(strstr(update, "flush set inet bulwark_vpc sg0_in_ports_v4\n"));
	assert_null(strstr(update, "sg0_in_proto_v4")); /* empty before and after */
	free(update);
	vec_free(&previous.rules);
	vpc_model_free(&model);
}


/* A copy of group sg's rules without those naming a group (what == NULL)
 * or with one more rule (what). Caller frees .rules. */
static struct vpc_sg group_variant(const struct vpc_model *model, int sg, const struct sg_rule *extra)
{
	const struct vpc_sg *group = VEC_AT(&model->sgs, struct vpc_sg, sg);
	struct vpc_sg copy = *group;

	copy.rules = (struct vec)VEC_INIT(struct sg_rule);
	for (size_t i = 0; i < group->rules.len; i++) {
		const struct sg_rule *rule = VEC_AT(&group->rules, struct sg_rule, i);

		if (extra || rule->peer_kind != VPC_PEER_GROUP)
			assert_int_equal(vec_push(&copy.rules, rule), 0);
	}
	if (extra)
		assert_int_equal(vec_push(&copy.rules, extra), 0);
	return copy;
}

static void test_a_rule_naming_a_group_looks_up_its_member_set(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(ruleset);
	/* sg-web's one member (10.0.1.10, fd00:10:0:1::10), once, and the
	 * lookup of sg-app's rule naming sg-web for TCP 8080. */
	assert_non_null(strstr(ruleset, "\tset sg0_members_v4 {\n\t\ttype ipv4_addr\n"
				    "\t\telements = { 10.0.1.10 }\n"));
	assert_non_null(strstr(ruleset, "\t\tmeta l4proto 6 th dport 8080 ip saddr @sg0_members_v4 "
				    "accept\n"));
	assert_non_null(strstr(ruleset, "\t\tmeta l4proto 6 th dport 8080 ip6 saddr @sg0_members_v6 "
				    "accept\n"));
	assert_null(strstr(ruleset, "10.0.1.10 . 6 . 8080"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_an_update_that_names_a_new_group_fills_its_member_set(void **state)
{
	struct vpc_model model;
	struct vpc_sg previous;
	char *update;

	(void)state;
	load_examples(&model);
	/* Before: sg-app without its rule naming sg-web. */
	previous = group_variant(&model, 1, NULL);
	update = vpc_nft_render_sg_update(&model, 1, &previous);
	assert_non_null(update);
	assert_non_null(strstr(update, "add set inet bulwark_vpc sg0_members_v4 { type ipv4_addr; }\n"
				 "flush set inet bulwark_vpc sg0_members_v4\n"
				 "add element inet bulwark_vpc sg0_members_v4 { 10.0.1.10 }\n"));
	assert_non_null(strstr(update, "flush chain inet bulwark_vpc sg1_in\n"));
	assert_non_null(strstr(update, "add rule inet bulwark_vpc sg1_in meta l4proto 6 th dport 8080 "
				 "ip saddr @sg0_members_v4 accept\n"));
	free(update);
	vec_free(&previous.rules);
	vpc_model_free(&model);
}

static void test_an_update_leaves_the_member_sets_it_named_before(void **state)
{
	struct vpc_model model;
	struct vpc_sg previous;
	struct sg_rule extra;
	char *update;

	(void)state;
	load_examples(&model);
	/* Before: sg-app with one more UDP rule; the same groups named. */
	extra = *VEC_AT(&VEC_AT(&model.sgs, struct vpc_sg, 1)->rules, struct sg_rule, 3);
	assert_int_equal(extra.peer_kind, VPC_PEER_CIDR);
	extra.traffic.port_from = extra.traffic.port_to = 2222;
	previous = group_variant(&model, 1, &extra);
	update = vpc_nft_render_sg_update(&model, 1, &previous);
	assert_non_null(update);
	assert_null(strstr(update, "members"));
	assert_null(strstr(update, "chain"));
	free(update);
	vec_free(&previous.rules);
	vpc_model_free(&model);
}

/* ---- hand-made models ---- */

/* n ENIs in the example's first subnet with the groups listed (-1 ends). */
static void add_enis_with_groups(struct vpc_model *model, size_t n, const int *groups)
{
	for (size_t i = 0; i < n; i++) {
		struct vpc_eni eni = { .subnet = 0, .is_source_dest_checked = true };
		struct cidr addr;
		char text[32], why[128];

		snprintf(eni.id, sizeof(eni.id), "eni-%04zx", 0x100 + i);
		eni.addrs = (struct vec)VEC_INIT(struct cidr);
		eni.group_ids = (struct vec)VEC_INIT(struct vpc_id);
		eni.groups = (struct vec)VEC_INIT(int);
		snprintf(text, sizeof(text), "10.9.%zu.%zu", i / 200, 10 + i % 200);
		assert_int_equal(cidr_parse(text, true, &addr, why, sizeof(why)), 0);
		assert_int_equal(vec_push(&eni.addrs, &addr), 0);
		for (const int *g = groups; *g >= 0; g++)
			assert_int_equal(vec_push(&eni.groups, g), 0);
		assert_int_equal(vec_push(&model->enis, &eni), 0);
	}
}

static void test_a_list_of_groups_few_enis_share_goes_through_one_map_a_group(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	add_enis_with_groups(&model, 2, (const int[]){ 2, 0, 1, -1 });
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(ruleset);
	assert_non_null(strstr(ruleset, "10.9.0.10 : jump sg2_in"));
	assert_non_null(strstr(ruleset, "\tmap eni2_in_v4 {\n\t\ttypeof ip daddr : verdict\n"));
	assert_non_null(strstr(ruleset, "10.9.0.11 : jump sg0_in"));
	assert_non_null(strstr(ruleset, "\tmap eni3_in_v4 {\n\t\ttypeof ip daddr : verdict\n"
				    "\t\telements = { 10.9.0.10 : goto end_sg1_in,\n"));
	assert_non_null(strstr(ruleset, "\tchain end_sg1_in {\n\t\tjump sg1_in\n\t\tdrop\n\t}\n"));
	assert_non_null(strstr(ruleset, "\t\tip daddr vmap @eni_in_v4\n\t\tip daddr vmap @eni2_in_v4\n"
				    "\t\tip daddr vmap @eni3_in_v4\n"));
	assert_null(strstr(ruleset, "chain gs"));
	/* Neighbours: one range, so an interval set. */
	assert_non_null(strstr(ruleset, "\tset sg2_members_v4 {\n\t\ttype ipv4_addr\n"
				    "\t\tflags interval\n\t\telements = { 10.0.3.30,\n"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_a_list_of_groups_many_enis_share_gets_its_own_chain(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	add_enis_with_groups(&model, 20, (const int[]){ 2, 0, 1, -1 });
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(ruleset);
	assert_non_null(strstr(ruleset, "\tchain gs0_in {\n\t\tjump sg2_in\n\t\tjump sg0_in\n"
				    "\t\tjump sg1_in\n\t\tdrop\n\t}\n"));
	assert_non_null(strstr(ruleset, "10.9.0.29 : goto gs0_in"));
	/* Only the first map holds them. */
	assert_null(strstr(ruleset, "10.9.0.29 : jump"));
	assert_null(strstr(ruleset, "eni3_in_v4"));
	free(ruleset);
	vpc_model_free(&model);
}

static void add_cidr(struct vec *v, const char *text)
{
	struct cidr c;
	char why[128];

	assert_int_equal(cidr_parse(text, true, &c, why, sizeof(why)), 0);
	assert_int_equal(vec_push(v, &c), 0);
}

/* An ENI in subnet 0 of group 0 with the given MAC and addresses
 * (NULL-terminated; "/len" marks a delegated prefix). */
static void add_eni(struct vpc_model *model, const char *id, const char *mac, bool is_checked,
		    const char *const *addrs)
{
	struct vpc_eni eni = { .subnet = 0, .is_source_dest_checked = is_checked };
	int group = 0;

	snprintf(eni.id, sizeof(eni.id), "%s", id);
	snprintf(eni.instance_id, sizeof(eni.instance_id), "i-%s", id + 4);
	snprintf(eni.mac, sizeof(eni.mac), "%s", mac);
	eni.addrs = (struct vec)VEC_INIT(struct cidr);
	eni.group_ids = (struct vec)VEC_INIT(struct vpc_id);
	eni.groups = (struct vec)VEC_INIT(int);
	for (size_t i = 0; addrs[i]; i++)
		add_cidr(&eni.addrs, addrs[i]);
	assert_int_equal(vec_push(&eni.groups, &group), 0);
	assert_int_equal(vec_push(&model->enis, &eni), 0);
}

/* One subnet, one group that allows all egress, and ENIs bound in every
 * way there is: fully (a, with a delegated prefix), unchecked (nat), by
 * MAC only (e: no port), not at all (c: no MAC; d: a's MAC again). */
static void build_bridge_model(struct vpc_model *model)
{
	struct vpc_subnet subnet = { .id = "subnet-0a01", .has_v4 = true, .has_v6 = true,
				     .nacl = -1 };
	struct vpc_sg sg = { .id = "sg-0a01" };
	struct sg_rule all = { .dir = VPC_EGRESS, .peer_kind = VPC_PEER_CIDR,
			       .traffic = { .proto = VPC_PROTO_ALL, .port_to = 65535,
					    .icmp_type = -1, .icmp_code = -1 } };
	char why[128];

	vpc_model_init(model);
	assert_int_equal(cidr_parse("10.0.1.0/24", false, &subnet.v4, why, sizeof(why)), 0);
	assert_int_equal(cidr_parse("fd00:10:0:1::/64", false, &subnet.v6, why, sizeof(why)), 0);
	assert_int_equal(vec_push(&model->subnets, &subnet), 0);
	assert_int_equal(cidr_parse("0.0.0.0/0", false, &all.cidr, why, sizeof(why)), 0);
	sg.rules = (struct vec)VEC_INIT(struct sg_rule);
	assert_int_equal(vec_push(&sg.rules, &all), 0);
	assert_int_equal(vec_push(&model->sgs, &sg), 0);
	add_eni(model, "eni-0a01", "0a:00:00:00:00:01", true,
		(const char *const[]){ "10.0.1.10", "fd00:10:0:1::10", "10.0.1.32/28",
				       "10.0.1.36", NULL });
	add_eni(model, "eni-0a02", "0a:00:00:00:00:02", false,
		(const char *const[]){ "10.0.1.20", NULL });
	add_eni(model, "eni-0a03", "", true, (const char *const[]){ "10.0.1.30", NULL });
	add_eni(model, "eni-0a04", "0a:00:00:00:00:01", true,
		(const char *const[]){ "10.0.1.40", NULL });
	add_eni(model, "eni-0a05", "0a:00:00:00:00:05", true,
		(const char *const[]){ "10.0.1.50", "fd00:10:0:1:5::/80", NULL });
}

/* What the kernel's bridge lists, in no particular order, with a port for
 * an unknown MAC and one whose name could not be quoted. */
static const struct vpc_port test_ports[] = {
	{ "0a:00:00:00:00:02", "v1" },
	{ "0a:00:00:00:00:09", "v9" },
	{ "0a:00:00:00:00:01", "v0" },
	{ "0a:00:00:00:00:01", "v\"x" },
	{ "0a:00:00:00:00:01", "v0" },
};
#define N_TEST_PORTS (sizeof(test_ports) / sizeof(test_ports[0]))

static void test_bridge_table_matches_golden_file(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render_bridge(&model, test_ports, N_TEST_PORTS);
	assert_non_null(ruleset);
	golden_check(GOLDEN_DIR "/vpc/bridge.nft", ruleset);
	free(ruleset);
	vpc_model_free(&model);
}

static void test_bridge_table_does_not_depend_on_port_order(void **state)
{
	struct vpc_model model;
	struct vpc_port reversed[N_TEST_PORTS];
	char *first, *second;

	(void)state;
	build_bridge_model(&model);
	for (size_t i = 0; i < N_TEST_PORTS; i++)
		reversed[i] = test_ports[N_TEST_PORTS - 1 - i];
	first = vpc_nft_render_bridge(&model, test_ports, N_TEST_PORTS);
	second = vpc_nft_render_bridge(&model, reversed, N_TEST_PORTS);
	assert_string_equal(first, second);
	free(first);
	free(second);
	vpc_model_free(&model);
}

static void test_unchecked_eni_sends_from_any_address(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render_bridge(&model, test_ports, N_TEST_PORTS);
	assert_non_null(strstr(ruleset, "0a:00:00:00:00:02 : accept"));
	assert_non_null(strstr(ruleset, "0a:00:00:00:00:01 : goto checked_source"));
	/* Not a destination to check, and no source element of its own. */
	assert_null(strstr(ruleset, "0a:00:00:00:00:02 . "));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_delegated_prefix_is_one_element_with_the_addresses_inside_it_merged(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render_bridge(&model, test_ports, N_TEST_PORTS);
	assert_non_null(strstr(ruleset, "0a:00:00:00:00:01 . 10.0.1.32/28"));
	assert_null(strstr(ruleset, "10.0.1.36"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_an_eni_bound_less_than_fully_is_noted(void **state)
{
	struct vpc_model model;
	struct vec notes = VEC_INIT(struct vpc_bind_note);
	char line[256];

	(void)state;
	build_bridge_model(&model);
	assert_int_equal(vpc_nft_bind_notes(&model, test_ports, N_TEST_PORTS, &notes), 0);
	assert_int_equal(notes.len, 3);
	assert_int_equal(VEC_AT(&notes, struct vpc_bind_note, 0)->eni, 2);
	assert_int_equal(VEC_AT(&notes, struct vpc_bind_note, 0)->kind, VPC_BIND_NO_MAC);
	assert_int_equal(VEC_AT(&notes, struct vpc_bind_note, 1)->kind, VPC_BIND_SHARED_MAC);
	assert_int_equal(VEC_AT(&notes, struct vpc_bind_note, 2)->kind, VPC_BIND_MAC_ONLY);
	vpc_nft_bind_note_format(&model, VEC_AT(&notes, struct vpc_bind_note, 0), line, sizeof(line));
	assert_string_equal(line, "eni-0a03 (no MAC): no MAC address in the input: "
			    "its source and destination are not checked");
	vec_free(&notes);
	vpc_model_free(&model);
}

static void test_a_mac_with_no_port_is_bound_by_mac_only(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render_bridge(&model, NULL, 0);
	assert_null(strstr(ruleset, "srcdst_wrong_port drop"));
	assert_non_null(strstr(ruleset, "0a:00:00:00:00:05 . 10.0.1.50"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_an_eni_without_a_mac_lets_unknown_macs_send_its_addresses(void **state)
{
	struct vpc_model model;
	char *ruleset, *unbound;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render_bridge(&model, test_ports, N_TEST_PORTS);
	unbound = strstr(ruleset, "set unbound_v4 {");
	assert_non_null(unbound);
	/* c has no MAC; d shares a's: neither can be told from a stranger. */
	assert_non_null(strstr(unbound, "elements = { 10.0.1.30,\n\t\t\t     10.0.1.40 }"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_both_tables_load_in_one_transaction(void **state)
{
	struct vpc_model model;
	char *all;

	(void)state;
	load_examples(&model);
	all = vpc_nft_render_all(&model, &test_nft_opts, NULL, 0);
	assert_non_null(all);
	assert_non_null(strstr(all, "table inet bulwark_vpc {"));
	assert_non_null(strstr(all, "table bridge bulwark_vpc {"));
	assert_non_null(strstr(VPC_NFT_DELETE, "delete table bridge bulwark_vpc"));
	free(all);
	vpc_model_free(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_ruleset_matches_golden_file),
		cmocka_unit_test(test_rendering_is_deterministic),
		cmocka_unit_test(test_set_update_refills_only_one_groups_sets),
		cmocka_unit_test(test_a_change_that_keeps_the_sets_only_refills_them),
		cmocka_unit_test(test_a_rule_naming_a_group_looks_up_its_member_set),
		cmocka_unit_test(test_an_update_that_names_a_new_group_fills_its_member_set),
		cmocka_unit_test(test_an_update_leaves_the_member_sets_it_named_before),
		cmocka_unit_test(test_a_list_of_groups_few_enis_share_goes_through_one_map_a_group),
		cmocka_unit_test(test_a_list_of_groups_many_enis_share_gets_its_own_chain),
		cmocka_unit_test(test_bridge_table_matches_golden_file),
		cmocka_unit_test(test_bridge_table_does_not_depend_on_port_order),
		cmocka_unit_test(test_unchecked_eni_sends_from_any_address),
		cmocka_unit_test(test_delegated_prefix_is_one_element_with_the_addresses_inside_it_merged),
		cmocka_unit_test(test_an_eni_bound_less_than_fully_is_noted),
		cmocka_unit_test(test_a_mac_with_no_port_is_bound_by_mac_only),
		cmocka_unit_test(test_an_eni_without_a_mac_lets_unknown_macs_send_its_addresses),
		cmocka_unit_test(test_both_tables_load_in_one_transaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
