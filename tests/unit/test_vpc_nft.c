/* The VPC ruleset: pinned byte for byte by a golden file rendered from
 * examples/aws, plus the properties that keep it safe to load. */
#include "unit.h"

#include "golden.h"
#include "examples.h"

#include "render/nftobj.h"
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
	assert_null(strstr(update, "chain"));
	assert_non_null(strstr(update, "flush set inet bulwark_vpc sg0_in_ports_v4\n"));
	/* Refilled as declared elements: `add element` has libnftables
	 * list every set's elements first. */
	assert_non_null(strstr(update, "elements = { 0.0.0.0/0 . 6 . 80,"));
	assert_null(strstr(update, "add element"));
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
				    "\t\tsize 2\n\t\telements = { 10.0.1.10 }\n"));
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
	assert_non_null(strstr(update, "add set inet bulwark_vpc sg0_members_v4 {\n\ttype ipv4_addr\n"
				 "\tsize 2\n\telements = { 10.0.1.10 }\n}\n"));
	assert_non_null(strstr(update, "flush chain inet bulwark_vpc sg1_in\n"));
	assert_non_null(strstr(update, "\t\tmeta l4proto 6 th dport 8080 ip saddr @sg0_members_v4 "
				 "accept\n"));
	assert_null(strstr(update, "add element"));
	free(update);
	vec_free(&previous.rules);
	vpc_model_free(&model);
}

static void test_an_update_that_stops_naming_a_group_deletes_its_member_set(void **state)
{
	struct vpc_model model;
	struct vpc_sg previous;
	struct vec rules;
	char *update;

	(void)state;
	load_examples(&model);
	/* Before: sg-app as the files have it (naming sg-web and sg-db);
	 * after: without those rules. No other group names sg-web or sg-db. */
	previous = group_variant(&model, 1, NULL);
	rules = VEC_AT(&model.sgs, struct vpc_sg, 1)->rules;
	VEC_AT(&model.sgs, struct vpc_sg, 1)->rules = previous.rules;
	previous.rules = rules;
	update = vpc_nft_render_sg_update(&model, 1, &previous);
	assert_non_null(update);
	assert_non_null(strstr(update, "flush chain inet bulwark_vpc sg1_in\n"));
	assert_non_null(strstr(update, "delete set inet bulwark_vpc sg0_members_v4\n"));
	assert_non_null(strstr(update, "delete set inet bulwark_vpc sg2_members_v4\n"));
	/* The chains that looked the sets up are emptied first. */
	assert_true(strstr(update, "flush chain inet bulwark_vpc sg1_in\n") <
		    strstr(update, "delete set inet bulwark_vpc sg0_members_v4\n"));
	assert_null(strstr(update, "sg1_members"));
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

/* The ruleset a kernel holds after an update, as nftobj_overlay() works
 * it out from the render before and the update's blocks, is the render of
 * the edited model: what the next fw apply's delta starts from. */
static void check_overlay_is_the_edited_render(struct vpc_model *model, int sg,
					       struct vpc_sg *previous)
{
	struct nftobj_ruleset live = { 0 }, want = { 0 };
	struct vec rules = VEC_AT(&model->sgs, struct vpc_sg, sg)->rules;
	char *before_render, *after_render, *update, *before, *after, *txn;
	size_t n_changed = 99;
	struct bw_err err;

	/* The render of the model with the group as it was. */
	VEC_AT(&model->sgs, struct vpc_sg, sg)->rules = previous->rules;
	before_render = vpc_nft_render(model, &test_nft_opts);
	VEC_AT(&model->sgs, struct vpc_sg, sg)->rules = rules;
	after_render = vpc_nft_render(model, &test_nft_opts);
	update = vpc_nft_render_sg_update_blocks(model, sg, previous, &before, &after);
	assert_non_null(update);
	assert_non_null(before);
	assert_non_null(after);
	assert_int_equal(nftobj_parse(before_render, &live, &err), 0);
	assert_int_equal(nftobj_overlay(&live, before, after, &err), 0);
	assert_int_equal(nftobj_parse(after_render, &want, &err), 0);
	assert_int_equal(nftobj_delta(&live, &want, &txn, &n_changed, &err), 0);
	if (n_changed)
		fail_msg("the overlay differs from the edited render by:\n%s", txn);
	free(txn);
	nftobj_free(&want);
	nftobj_free(&live);
	free(before);
	free(after);
	free(update);
	free(before_render);
	free(after_render);
}

static void test_an_update_overlaid_on_the_render_is_the_edited_render(void **state)
{
	struct vpc_model model;
	struct vpc_sg previous;
	struct vec rules;
	struct sg_rule extra;

	(void)state;
	load_examples(&model);
	/* A group named for the first time: its member set comes. */
	previous = group_variant(&model, 1, NULL);
	check_overlay_is_the_edited_render(&model, 1, &previous);
	/* No longer named: the member sets go. */
	rules = VEC_AT(&model.sgs, struct vpc_sg, 1)->rules;
	VEC_AT(&model.sgs, struct vpc_sg, 1)->rules = previous.rules;
	previous.rules = rules;
	check_overlay_is_the_edited_render(&model, 1, &previous);
	rules = VEC_AT(&model.sgs, struct vpc_sg, 1)->rules;
	VEC_AT(&model.sgs, struct vpc_sg, 1)->rules = previous.rules;
	vec_free(&rules);
	/* A rule less: the sets refilled. */
	extra = *VEC_AT(&VEC_AT(&model.sgs, struct vpc_sg, 1)->rules, struct sg_rule, 3);
	extra.traffic.port_from = extra.traffic.port_to = 2222;
	previous = group_variant(&model, 1, &extra);
	check_overlay_is_the_edited_render(&model, 1, &previous);
	vec_free(&previous.rules);
	vpc_model_free(&model);
}

/* ---- hand-made models ---- */

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
	struct sg_rule ssh_from_members = { .dir = VPC_INGRESS, .peer_kind = VPC_PEER_GROUP,
					    .peer = 0, .traffic = { .proto = VPC_PROTO_TCP,
								    .port_from = 22, .port_to = 22 } };
	struct vpc_vpc vpc = { .id = "vpc-0a01" };
	char why[128];

	vpc_model_init(model);
	snprintf(model->vpc_id, sizeof(model->vpc_id), "vpc-0a01");
	vpc.cidrs = (struct vec)VEC_INIT(struct cidr);
	add_cidr(&vpc.cidrs, "10.0.0.0/16");
	add_cidr(&vpc.cidrs, "100.64.0.0/24");
	add_cidr(&vpc.cidrs, "fd00:10::/56");
	assert_int_equal(vec_push(&model->vpcs, &vpc), 0);
	assert_int_equal(cidr_parse("10.0.1.0/24", false, &subnet.v4, why, sizeof(why)), 0);
	assert_int_equal(cidr_parse("fd00:10:0:1::/64", false, &subnet.v6, why, sizeof(why)), 0);
	assert_int_equal(vec_push(&model->subnets, &subnet), 0);
	assert_int_equal(cidr_parse("0.0.0.0/0", false, &all.cidr, why, sizeof(why)), 0);
	sg.rules = (struct vec)VEC_INIT(struct sg_rule);
	assert_int_equal(vec_push(&sg.rules, &all), 0);
	assert_int_equal(vec_push(&sg.rules, &ssh_from_members), 0);
	assert_int_equal(vec_push(&model->sgs, &sg), 0);
	add_eni(model, "eni-0a01", "0a:00:00:00:00:01", true,
		(const char *const[]){ "10.0.1.10", "fd00:10:0:1::10", "10.0.1.32/28",
				       "10.0.1.36", NULL });
	add_eni(model, "eni-0a02", "0a:00:00:00:00:02", false,
		(const char *const[]){ "10.0.1.20", NULL });
	add_eni(model, "eni-0a03", "", true, (const char *const[]){ "10.0.1.30", NULL });
	add_eni(model, "eni-0a04", "0a:00:00:00:00:01", true,
		(const char *const[]){ "10.0.1.60", NULL });
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
	assert_non_null(strstr(ruleset, "\tset unchecked_macs {\n\t\ttypeof ether saddr\n"
				       "\t\tsize 2\n\t\telements = { 0a:00:00:00:00:02 }\n"));
	assert_non_null(strstr(ruleset, "\t\tether saddr @checked_macs goto checked_source\n"
				       "\t\tether saddr @unchecked_macs accept\n"));
	assert_non_null(strstr(ruleset, "\tset checked_macs {\n\t\ttypeof ether daddr\n"
				       "\t\tsize 4\n\t\telements = { 0a:00:00:00:00:01,"));
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
	assert_non_null(strstr(unbound, "elements = { 10.0.1.30,\n\t\t\t     10.0.1.60 }"));
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

static void test_inet_table_of_a_handmade_model_matches_golden_file(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(ruleset);
	golden_check(GOLDEN_DIR "/vpc/handmade.nft", ruleset);
	free(ruleset);
	vpc_model_free(&model);
}

static void test_delegated_prefix_makes_the_eni_maps_intervals(void **state)
{
	struct vpc_model model;
	char *ruleset, *map;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	map = strstr(ruleset, "map eni_out_v4 {");
	assert_non_null(map);
	assert_non_null(strstr(map, "typeof ip saddr : verdict\n\t\tflags interval\n"));
	assert_non_null(strstr(map, "10.0.1.32/28 : goto gs0_out"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_a_group_reference_means_its_members_prefixes(void **state)
{
	struct vpc_model model;
	char *ruleset, *set;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	/* The group's member set holds the prefix; the rule looks it up. */
	set = strstr(ruleset, "set sg0_members_v4 {");
	assert_non_null(set);
	assert_non_null(strstr(set, "\t\tflags interval\n"));
	assert_non_null(strstr(set, "10.0.1.32/28"));
	assert_non_null(strstr(ruleset, "meta l4proto 6 th dport 22 ip saddr @sg0_members_v4 accept"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_aws_services_and_the_vpc_resolver_are_never_filtered(void **state)
{
	struct vpc_model model;
	char *ruleset, *set, *chain;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	set = strstr(ruleset, "set aws_services_v4 {");
	assert_non_null(set);
	assert_non_null(strstr(set, "169.254.169.254"));
	/* The resolver is at the primary range + 2 only, as AWS documents. */
	assert_non_null(strstr(set, "10.0.0.2 }"));
	assert_null(strstr(set, "100.64.0.2"));
	assert_non_null(strstr(ruleset, "fd00:ec2::253"));
	for (const char *name = "chain nacl {"; name; name = strcmp(name, "chain nacl {") == 0 ?
	     "chain sg_egress {" : strcmp(name, "chain sg_egress {") == 0 ? "chain sg_ingress {" : NULL) {
		chain = strstr(ruleset, name);
		assert_non_null(chain);
		assert_true(strstr(chain, "ip saddr @aws_services_v4 accept") <
			    strstr(chain, " vmap @"));
	}
	free(ruleset);
	vpc_model_free(&model);
}

static void test_an_unchecked_eni_is_judged_by_its_groups_by_mac_and_next_hop(void **state)
{
	struct vpc_model model;
	char *ruleset, *egress, *ingress;

	(void)state;
	build_bridge_model(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(strstr(ruleset, "map unchecked_out_mac {\n\t\ttypeof ether saddr : verdict\n"
				       "\t\tsize 2\n\t\telements = { 0a:00:00:00:00:02 : goto gs0_out }"));
	assert_non_null(strstr(ruleset, "map unchecked_in_nexthop_v4 {\n\t\ttypeof rt ip nexthop : "
				       "verdict\n\t\tflags interval\n\t\telements = { 10.0.1.20 : goto gs0_in }"));
	/* Before the address maps: the ENI forwards others' addresses. */
	egress = strstr(ruleset, "chain sg_egress {");
	assert_true(strstr(egress, "ether saddr vmap @unchecked_out_mac") <
		    strstr(egress, "ip saddr vmap @eni_out_v4"));
	ingress = strstr(ruleset, "chain sg_ingress {");
	assert_true(strstr(ingress, "rt ip nexthop vmap @unchecked_in_nexthop_v4") <
		    strstr(ingress, "ip daddr vmap @eni_in_v4"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_all_checked_enis_render_no_mac_dispatch(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_null(strstr(ruleset, "unchecked_"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_an_ipv6_only_subnet_has_no_ipv4_dispatch(void **state)
{
	struct vpc_model model;
	struct vpc_subnet *subnet;
	char *ruleset, text[128];

	(void)state;
	load_examples(&model);
	subnet = VEC_AT(&model.subnets, struct vpc_subnet, 0);
	subnet->has_v4 = false;
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	snprintf(text, sizeof(text), "ip saddr %s return", subnet->v4.text);
	assert_null(strstr(ruleset, text));
	snprintf(text, sizeof(text), "%s : jump", subnet->v4.text);
	assert_null(strstr(ruleset, text));
	snprintf(text, sizeof(text), "%s : jump", subnet->v6.text);
	assert_non_null(strstr(ruleset, text));
	free(ruleset);
	vpc_model_free(&model);
}

/* An ACL is judged by a map on the remote address alone, cut where the
 * entries' CIDRs start and end, then by small protocol and port maps of
 * the entries covering that piece (in the examples, acl1 inbound allows
 * tcp 5432 from 10.0.2.0/25 and denies everything from outside
 * 10.0.0.0/16). A piece every entry judges alike gets its verdict at
 * once. */
static void test_an_acl_is_judged_by_address_piece_then_port(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(strstr(ruleset, "\tmap acl1_in_v4 {\n\t\ttypeof ip saddr : verdict\n"));
	assert_non_null(strstr(ruleset, "0.0.0.0-9.255.255.255 : goto denied_acl_inbound,\n"));
	assert_non_null(strstr(ruleset, "10.0.2.0/25 : goto acl1_in_v4_1,\n"));
	assert_non_null(strstr(ruleset, "10.1.0.0-255.255.255.255 : goto denied_acl_inbound }"));
	assert_non_null(strstr(ruleset, "\tchain acl1_in_v4_1 {\n\t\ttcp dport 5432 return\n"
					"\t\ttcp dport 0-65535 goto denied_acl_inbound\n"));
	assert_non_null(strstr(ruleset, "elements = { 0.0.0.0/0 : return }"));
	assert_null(strstr(ruleset, "addr . meta l4proto . th dport : verdict"));
	free(ruleset);
	vpc_model_free(&model);
}

/* Replaces the first ACL's entries with IPv4 inbound ones from anywhere:
 * {proto, port_from, port_to, is_allow} in rule order. */
static void set_inbound_entries(struct vpc_model *model, const int (*entries)[4], size_t n)
{
	struct vpc_nacl *acl = VEC_AT(&model->nacls, struct vpc_nacl, 0);
	char why[100];

	acl->entries.len = 0;
	for (size_t i = 0; i < n; i++) {
		struct nacl_entry e = {
			.rule_number = (int)(i + 1) * 100, .is_allow = entries[i][3] != 0,
			.traffic = { .proto = entries[i][0], .port_from = (uint16_t)entries[i][1],
				     .port_to = (uint16_t)entries[i][2], .icmp_type = -1,
				     .icmp_code = -1 },
		};

		assert_int_equal(cidr_parse("0.0.0.0/0", false, &e.cidr, why, sizeof(why)), 0);
		assert_int_equal(vec_push(&acl->entries, &e), 0);
	}
}

static void test_a_judgement_of_few_pieces_is_plain_rules_without_a_last_return(void **state)
{
	static const int entries[][4] = {
		{ VPC_PROTO_TCP, 2000, 2999, 0 },
		{ VPC_PROTO_ALL, 0, 65535, 1 },
	};
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	set_inbound_entries(&model, entries, 2);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(strstr(ruleset, "\tchain acl0_in_v4_0 {\n"
					"\t\ttcp dport 2000-2999 goto denied_acl_inbound\n"
					"\t\ttcp dport 0-65535 return\n"
					"\t\tudp dport 0-65535 return\n"
					"\t\ticmp type 0-255 icmp code 0-255 return\n"
					"\t\tmeta l4proto 6 goto denied_acl_inbound\n\t}\n"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_a_judgement_of_many_pieces_stays_a_verdict_map(void **state)
{
	static const int entries[][4] = {
		{ VPC_PROTO_TCP, 22, 22, 1 },
		{ VPC_PROTO_TCP, 80, 80, 1 },
		{ VPC_PROTO_TCP, 443, 443, 1 },
		{ VPC_PROTO_ALL, 0, 65535, 0 },
	};
	struct vpc_model model;
	char *ruleset;

	(void)state;
	load_examples(&model);
	set_inbound_entries(&model, entries, 4);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(strstr(ruleset, "\tchain acl0_in_v4_0 {\n"
					"\t\ttcp dport vmap { 0-21 : goto denied_acl_inbound, "
					"22 : return, 23-79 : goto denied_acl_inbound, 80 : return, "
					"81-442 : goto denied_acl_inbound, 443 : return, "
					"444-65535 : goto denied_acl_inbound }\n"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_acl_digest_follows_the_acls_and_subnets_only(void **state)
{
	struct vpc_model model;
	uint64_t before, after_sg, after_acl;

	(void)state;
	load_examples(&model);
	before = vpc_nft_acl_digest(&model);
	assert_int_equal(before, vpc_nft_acl_digest(&model));
	VEC_AT(&VEC_AT(&model.sgs, struct vpc_sg, 0)->rules, struct sg_rule, 0)->traffic.port_to++;
	after_sg = vpc_nft_acl_digest(&model);
	assert_int_equal(before, after_sg);
	VEC_AT(&VEC_AT(&model.nacls, struct vpc_nacl, 0)->entries, struct nacl_entry, 0)->is_allow ^= 1;
	after_acl = vpc_nft_acl_digest(&model);
	assert_int_not_equal(before, after_acl);
	vpc_model_free(&model);
}

/* db1 of the example with its check off: its subnet's ACLs are found by
 * its MAC (what it sends) and by its address as the route's next hop or
 * its MAC (what it receives), and the cached verdicts' generation must
 * change with that. */
static void test_an_unchecked_enis_subnet_acls_judge_what_it_forwards(void **state)
{
	struct vpc_model model;
	uint64_t before, after;
	struct vpc_eni *db1 = NULL;
	char *ruleset;

	(void)state;
	load_examples(&model);
	before = vpc_nft_acl_digest(&model);
	for (size_t e = 0; e < model.enis.len; e++)
		if (strcmp(VEC_AT(&model.enis, struct vpc_eni, e)->id, "eni-0a1b2c3d4e5f60054") == 0)
			db1 = VEC_AT(&model.enis, struct vpc_eni, e);
	assert_non_null(db1);
	db1->is_source_dest_checked = false;
	after = vpc_nft_acl_digest(&model);
	assert_int_not_equal(before, after);
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(ruleset);
	assert_non_null(strstr(ruleset, "\t\telements = { 0a:00:00:00:00:36 : goto subnet2_out_unchecked }\n"));
	assert_non_null(strstr(ruleset, "\tset acl_unchecked_mac {\n\t\ttypeof ether daddr\n"
					"\t\tsize 2\n\t\telements = { 0a:00:00:00:00:36 }\n"));
	assert_non_null(strstr(ruleset, "\t\telements = { 10.0.3.30 : goto subnet2_in }\n"));
	assert_non_null(strstr(ruleset, "\tchain subnet2_out_unchecked {\n"
					"\t\tether daddr @acl_unchecked_mac return\n\t\tjump subnet2_out\n"
					"\t\tip daddr 10.0.3.0/24 return\n\t\tgoto acl_in\n\t}\n"));
	assert_non_null(strstr(ruleset, "accept\n\t\tjump acl_out\n\t\tct state new,established"));
	/* The base chain dispatches through acl_out and acl_in only. */
	assert_null(strstr(strstr(ruleset, "\tchain nacl {"), "ip saddr vmap @subnet_out_v4"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_an_eni_without_groups_is_not_filtered_by_groups(void **state)
{
	struct vpc_model model;
	struct vpc_eni *nat_gateway;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	/* eni-0a05 stands for a NAT gateway's ENI: no group at all. */
	nat_gateway = VEC_AT(&model.enis, struct vpc_eni, 4);
	nat_gateway->groups.len = 0;
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_non_null(strstr(ruleset, "10.0.1.50 : accept"));
	assert_null(strstr(ruleset, "10.0.1.50 : goto"));
	assert_non_null(strstr(ruleset, "chain gs0_in {\n\t\tjump sg0_in\n\t\tcounter name "
				       "denied_sg_ingress drop"));
	free(ruleset);
	vpc_model_free(&model);
}

/* Gives ENI e the groups 1 then 0 (a second group, sg-0a02, added). */
static void give_two_groups(struct vpc_model *model, size_t e)
{
	struct vpc_sg sg = { .id = "sg-0a02" };
	struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
	int second = 0;

	if (model->sgs.len < 2) {
		sg.rules = (struct vec)VEC_INIT(struct sg_rule);
		assert_int_equal(vec_push(&model->sgs, &sg), 0);
	}
	*VEC_AT(&eni->groups, int, 0) = 1;
	assert_int_equal(vec_push(&eni->groups, &second), 0);
}

static void test_an_eni_with_its_own_list_of_groups_goes_through_slot_maps(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	give_two_groups(&model, 2); /* eni-0a03, 10.0.1.30: checked */
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	/* Its last group's tail chain looks up its other groups, then jumps
	 * to the last. */
	assert_non_null(strstr(ruleset, "10.0.1.30 : goto tail_sg0_out_v4"));
	assert_non_null(strstr(ruleset, "map slot1_out_v4 {\n\t\ttypeof ip saddr : verdict\n"
				       "\t\tflags interval\n\t\telements = { 10.0.1.30 : jump sg1_out }"));
	assert_null(strstr(ruleset, "slot2_"));
	assert_non_null(strstr(ruleset, "chain slots_in_v4 {\n\t\tip daddr vmap @slot1_in_v4\n\t}"));
	assert_non_null(strstr(ruleset, "chain tail_sg0_in_v4 {\n\t\tjump slots_in_v4\n"
				       "\t\tjump sg0_in\n"
				       "\t\tcounter name denied_sg_ingress drop\n\t}"));
	/* Its ENI has no IPv6 address: no slots there. */
	assert_null(strstr(ruleset, "slots_in_v6"));
	free(ruleset);
	vpc_model_free(&model);
}

static void test_an_unchecked_eni_with_several_groups_has_a_chain_of_its_list(void **state)
{
	struct vpc_model model;
	char *ruleset;

	(void)state;
	build_bridge_model(&model);
	give_two_groups(&model, 1); /* eni-0a02, 10.0.1.20: unchecked */
	ruleset = vpc_nft_render(&model, &test_nft_opts);
	assert_null(strstr(ruleset, "slot1_"));
	assert_non_null(strstr(ruleset, "0a:00:00:00:00:02 : goto gs1_out"));
	assert_non_null(strstr(ruleset, "10.0.1.20 : goto gs1_in"));
	assert_non_null(strstr(ruleset, "chain gs1_in {\n\t\tjump sg1_in\n\t\tjump sg0_in\n"
				       "\t\tcounter name denied_sg_ingress drop\n\t}"));
	free(ruleset);
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
		cmocka_unit_test(test_an_update_overlaid_on_the_render_is_the_edited_render),
		cmocka_unit_test(test_an_update_that_names_a_new_group_fills_its_member_set),
		cmocka_unit_test(test_an_update_that_stops_naming_a_group_deletes_its_member_set),
		cmocka_unit_test(test_an_update_leaves_the_member_sets_it_named_before),
		cmocka_unit_test(test_bridge_table_matches_golden_file),
		cmocka_unit_test(test_bridge_table_does_not_depend_on_port_order),
		cmocka_unit_test(test_unchecked_eni_sends_from_any_address),
		cmocka_unit_test(test_delegated_prefix_is_one_element_with_the_addresses_inside_it_merged),
		cmocka_unit_test(test_an_eni_bound_less_than_fully_is_noted),
		cmocka_unit_test(test_a_mac_with_no_port_is_bound_by_mac_only),
		cmocka_unit_test(test_an_eni_without_a_mac_lets_unknown_macs_send_its_addresses),
		cmocka_unit_test(test_both_tables_load_in_one_transaction),
		cmocka_unit_test(test_inet_table_of_a_handmade_model_matches_golden_file),
		cmocka_unit_test(test_delegated_prefix_makes_the_eni_maps_intervals),
		cmocka_unit_test(test_a_group_reference_means_its_members_prefixes),
		cmocka_unit_test(test_aws_services_and_the_vpc_resolver_are_never_filtered),
		cmocka_unit_test(test_an_unchecked_eni_is_judged_by_its_groups_by_mac_and_next_hop),
		cmocka_unit_test(test_all_checked_enis_render_no_mac_dispatch),
		cmocka_unit_test(test_an_ipv6_only_subnet_has_no_ipv4_dispatch),
		cmocka_unit_test(test_an_acl_is_judged_by_address_piece_then_port),
		cmocka_unit_test(test_a_judgement_of_few_pieces_is_plain_rules_without_a_last_return),
		cmocka_unit_test(test_a_judgement_of_many_pieces_stays_a_verdict_map),
		cmocka_unit_test(test_acl_digest_follows_the_acls_and_subnets_only),
		cmocka_unit_test(test_an_unchecked_enis_subnet_acls_judge_what_it_forwards),
		cmocka_unit_test(test_an_eni_without_groups_is_not_filtered_by_groups),
		cmocka_unit_test(test_an_eni_with_its_own_list_of_groups_goes_through_slot_maps),
		cmocka_unit_test(test_an_unchecked_eni_with_several_groups_has_a_chain_of_its_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
