/* render/nftobj.c: bulwark's renders as objects, the transaction between
 * two of them, and a render in parts (tests/netns/nftobj.sh loads them). */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

#include "render/nftobj.h"

#define EXAMPLE GOLDEN_DIR "/vpc/example.nft"
#define BRIDGE GOLDEN_DIR "/vpc/bridge.nft"

static char *read_golden(const char *path)
{
	char *text = golden_read(path);

	assert_non_null(text);
	return text;
}

/* text with its one occurrence of `old` replaced by `new`. */
static char *edited(const char *text, const char *old, const char *new)
{
	const char *at = strstr(text, old);
	size_t head, len;
	char *out;

	if (!at)
		fail_msg("`%s` is not in the text", old);
	assert_null(strstr(at + 1, old));
	head = (size_t)(at - text);
	len = strlen(text) - strlen(old) + strlen(new);
	out = malloc(len + 1);
	assert_non_null(out);
	memcpy(out, text, head);
	strcpy(out + head, new);
	strcat(out, at + strlen(old));
	return out;
}

static void parse_ok(const char *text, struct nftobj_ruleset *rs)
{
	struct bw_err err;

	if (nftobj_parse(text, rs, &err) != 0)
		fail_msg("parse: %d:%d: %s", err.line, err.col, err.msg);
}

static const struct nftobj *find(const struct nftobj_ruleset *rs, const char *family,
				 const char *table, const char *name)
{
	for (size_t t = 0; t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);

		if (strcmp(tb->family, family) || strcmp(tb->name, table))
			continue;
		for (size_t i = 0; i < tb->objs.len; i++) {
			const struct nftobj *o = VEC_AT(&tb->objs, struct nftobj, i);

			if (!strcmp(o->name, name))
				return o;
		}
	}
	fail_msg("no %s in table %s %s", name, family, table);
	return NULL;
}

static const char *item(const struct nftobj *o, size_t i)
{
	assert_true(i < o->items.len);
	return *VEC_AT(&o->items, char *, i);
}

/* The delta between two texts, which must succeed. */
static char *delta_of(const char *from_text, const char *to_text, size_t *n_changed)
{
	struct nftobj_ruleset from, to;
	struct bw_err err;
	char *txn = NULL;

	parse_ok(from_text, &from);
	parse_ok(to_text, &to);
	if (nftobj_delta(&from, &to, &txn, n_changed, &err) != 0)
		fail_msg("delta: %s", err.msg);
	nftobj_free(&from);
	nftobj_free(&to);
	assert_non_null(txn);
	return txn;
}

static int delta_rc(const char *from_text, const char *to_text)
{
	struct nftobj_ruleset from, to;
	struct bw_err err;
	char *txn = (char *)"untouched";
	size_t n_changed = 99;
	int rc;

	parse_ok(from_text, &from);
	parse_ok(to_text, &to);
	rc = nftobj_delta(&from, &to, &txn, &n_changed, &err);
	nftobj_free(&from);
	nftobj_free(&to);
	assert_null(txn);
	assert_int_equal(n_changed, 0);
	return rc;
}

static void test_golden_renders_parse_into_their_objects(void **state)
{
	char *text = read_golden(EXAMPLE);
	struct nftobj_ruleset rs;
	const struct nftobj *o;

	(void)state;
	parse_ok(text, &rs);
	assert_int_equal(rs.tables.len, 1);
	o = find(&rs, "inet", "bulwark_vpc", "denied_sg_egress");
	assert_int_equal(o->kind, NFTOBJ_COUNTER);
	assert_string_equal(o->header, "");
	o = find(&rs, "inet", "bulwark_vpc", "sg1_members_v4");
	assert_int_equal(o->kind, NFTOBJ_SET);
	assert_string_equal(o->header, "type ipv4_addr\nsize 4");
	assert_int_equal(o->items.len, 2);
	assert_string_equal(item(o, 0), "10.0.2.20");
	assert_string_equal(item(o, 1), "10.0.2.200");
	o = find(&rs, "inet", "bulwark_vpc", "eni_in_v4");
	assert_int_equal(o->kind, NFTOBJ_MAP);
	assert_int_equal(o->items.len, 5);
	assert_string_equal(item(o, 0), "10.0.1.10 : goto tail_sg3_in_v4");
	o = find(&rs, "inet", "bulwark_vpc", "aws_services_v4");
	assert_int_equal(o->items.len, 7);
	assert_string_equal(item(o, 6), "10.0.0.2");
	o = find(&rs, "inet", "bulwark_vpc", "sg_ingress");
	assert_int_equal(o->kind, NFTOBJ_CHAIN);
	assert_true(o->is_base_chain);
	assert_string_equal(o->header, "type filter hook forward priority filter + 10; policy accept;");
	assert_int_equal(o->items.len, 8);
	assert_string_equal(item(o, 7), "ip6 daddr vmap @eni_in_v6");
	o = find(&rs, "inet", "bulwark_vpc", "acl1_in_v4_1");
	assert_false(o->is_base_chain);
	assert_string_equal(o->header, "");
	assert_string_equal(item(o, 0), "tcp dport 5432 return");
	assert_string_equal(item(o, 1), "tcp dport 0-65535 goto denied_acl_inbound");
	nftobj_free(&rs);
	free(text);
}

static void test_quoted_elements_and_empty_sets_parse(void **state)
{
	char *text = read_golden(BRIDGE);
	struct nftobj_ruleset rs;
	const struct nftobj *o;

	(void)state;
	parse_ok(text, &rs);
	o = find(&rs, "bridge", "bulwark_vpc", "port_mac");
	assert_string_equal(item(o, 0), "\"v0\" . 0a:00:00:00:00:01");
	assert_string_equal(item(o, 1), "\"v1\" . 0a:00:00:00:00:02");
	o = find(&rs, "bridge", "bulwark_vpc", "unbound_v6");
	assert_string_equal(o->header, "typeof ip6 saddr\nflags interval\nauto-merge");
	assert_int_equal(o->items.len, 0);
	nftobj_free(&rs);
	free(text);
}

static void test_every_golden_ruleset_but_flowtables_parses(void **state)
{
	static const char *const files[] = { "vpc/example.nft", "vpc/bridge.nft", "vpc/handmade.nft",
					     "host/cis_level_2.nft", "host/server.nft", "nat/default.nft" };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		char *text;
		struct nftobj_ruleset rs;

		snprintf(path, sizeof(path), GOLDEN_DIR "/%s", files[i]);
		text = read_golden(path);
		parse_ok(text, &rs);
		assert_true(rs.tables.len >= 1);
		nftobj_free(&rs);
		free(text);
	}
}

static void test_unchanged_render_gives_an_empty_transaction(void **state)
{
	char *text = read_golden(EXAMPLE);
	size_t n_changed = 99;
	char *txn = delta_of(text, text, &n_changed);

	(void)state;
	assert_string_equal(txn, "");
	assert_int_equal(n_changed, 0);
	free(txn);
	free(text);
}

static void test_element_order_is_no_change(void **state)
{
	char *text = read_golden(EXAMPLE);
	char *swapped = edited(text, "{ 10.0.2.20,\n\t\t\t     10.0.2.200 }",
			       "{ 10.0.2.200,\n\t\t\t     10.0.2.20 }");
	size_t n_changed = 99;
	char *txn = delta_of(text, swapped, &n_changed);

	(void)state;
	assert_string_equal(txn, "");
	assert_int_equal(n_changed, 0);
	free(txn);
	free(swapped);
	free(text);
}

static void test_one_element_changed_refills_only_that_set(void **state)
{
	char *text = read_golden(EXAMPLE);
	char *to = edited(text, "elements = { 10.0.0.2 . 17 . 53 }",
			  "elements = { 10.0.0.2 . 17 . 53,\n\t\t\t     10.0.0.3 . 17 . 53 }");
	size_t n_changed = 0;
	char *txn = delta_of(text, to, &n_changed);

	(void)state;
	assert_string_equal(txn, "flush set inet bulwark_vpc sg1_out_ports_v4\n"
				 "add set inet bulwark_vpc sg1_out_ports_v4 {\n"
				 "\ttypeof ip daddr . meta l4proto . th dport\n"
				 "\tflags interval\n"
				 "\telements = { 10.0.0.2 . 17 . 53,\n"
				 "\t\t     10.0.0.3 . 17 . 53 }\n"
				 "}\n");
	assert_int_equal(n_changed, 1);
	free(txn);
	free(to);
	free(text);
}

static void test_changed_rule_refills_only_that_chain(void **state)
{
	char *text = read_golden(EXAMPLE);
	char *to = edited(text, "meta l4proto 6 th dport 5432 ip daddr @sg2_members_v4 accept",
			  "meta l4proto 6 th dport 5433 ip daddr @sg2_members_v4 accept");
	size_t n_changed = 0;
	char *txn = delta_of(text, to, &n_changed);

	(void)state;
	assert_string_equal(txn, "flush chain inet bulwark_vpc sg1_out\n"
				 "table inet bulwark_vpc {\n"
				 "\tchain sg1_out {\n"
				 "\t\tip daddr . meta l4proto . th dport @sg1_out_ports_v4 accept\n"
				 "\t\tip daddr . icmp type . icmp code @sg1_out_icmp_v4 accept\n"
				 "\t\tmeta l4proto 6 th dport 5433 ip daddr @sg2_members_v4 accept\n"
				 "\t}\n"
				 "}\n");
	assert_int_equal(n_changed, 1);
	free(txn);
	free(to);
	free(text);
}

#define SMALL_FROM                     \
	"table inet t {\n"             \
	"\tcounter c {\n"              \
	"\t}\n"                        \
	"\tset s {\n"                  \
	"\t\ttype ipv4_addr\n"         \
	"\t\telements = { 10.0.0.1 }\n" \
	"\t}\n"                        \
	"\tchain base {\n"             \
	"\t\ttype filter hook forward priority filter; policy accept;\n" \
	"\t\tip daddr vmap @m\n"       \
	"\t}\n"                        \
	"\tmap m {\n"                  \
	"\t\ttypeof ip daddr : verdict\n" \
	"\t\telements = { 10.0.0.1 : jump a }\n" \
	"\t}\n"                        \
	"\tchain a {\n"                \
	"\t\tip saddr @s accept\n"     \
	"\t}\n"                        \
	"}\n"

#define SMALL_TO                       \
	"table inet t {\n"             \
	"\tcounter c {\n"              \
	"\t}\n"                        \
	"\tcounter c2 {\n"             \
	"\t}\n"                        \
	"\tset s {\n"                  \
	"\t\ttype ipv4_addr\n"         \
	"\t\telements = { 10.0.0.1 }\n" \
	"\t}\n"                        \
	"\tset s2 {\n"                 \
	"\t\ttype ipv4_addr\n"         \
	"\t}\n"                        \
	"\tchain base {\n"             \
	"\t\ttype filter hook forward priority filter; policy accept;\n" \
	"\t\tip daddr vmap @m\n"       \
	"\t}\n"                        \
	"\tmap m {\n"                  \
	"\t\ttypeof ip daddr : verdict\n" \
	"\t\telements = { 10.0.0.1 : jump a, 10.0.0.2 : jump b }\n" \
	"\t}\n"                        \
	"\tchain a {\n"                \
	"\t\tip saddr @s accept\n"     \
	"\t}\n"                        \
	"\tchain b {\n"                \
	"\t\tip saddr @s2 counter name c2 drop\n" \
	"\t}\n"                        \
	"}\n"

static void test_added_objects_are_declared_before_use(void **state)
{
	size_t n_changed = 0;
	char *txn = delta_of(SMALL_FROM, SMALL_TO, &n_changed);

	(void)state;
	/* chain b exists before the map element that jumps to it; its rule
	 * (which needs set s2 and counter c2) comes last. */
	assert_string_equal(txn, "flush map inet t m\n"
				 "add chain inet t b\n"
				 "add set inet t s2 {\n"
				 "\ttype ipv4_addr\n"
				 "}\n"
				 "add map inet t m {\n"
				 "\ttypeof ip daddr : verdict\n"
				 "\telements = { 10.0.0.1 : jump a,\n"
				 "\t\t     10.0.0.2 : jump b }\n"
				 "}\n"
				 "table inet t {\n"
				 "\tcounter c2 {\n"
				 "\t}\n"
				 "\tchain b {\n"
				 "\t\tip saddr @s2 counter name c2 drop\n"
				 "\t}\n"
				 "}\n");
	assert_int_equal(n_changed, 4);
	free(txn);
}

static void test_removed_objects_are_emptied_then_deleted(void **state)
{
	size_t n_changed = 0;
	char *txn = delta_of(SMALL_TO, SMALL_FROM, &n_changed);

	(void)state;
	/* The map element jumping to b goes before b, b's rule before s2
	 * and c2. */
	assert_string_equal(txn, "flush chain inet t b\n"
				 "flush set inet t s2\n"
				 "flush map inet t m\n"
				 "delete chain inet t b\n"
				 "delete set inet t s2\n"
				 "delete counter inet t c2\n"
				 "add map inet t m {\n"
				 "\ttypeof ip daddr : verdict\n"
				 "\telements = { 10.0.0.1 : jump a }\n"
				 "}\n");
	assert_int_equal(n_changed, 4);
	free(txn);
}

static void test_changed_declaration_replaces_the_set_and_reloads_its_users(void **state)
{
	char *text = read_golden(EXAMPLE);
	char *to = edited(text, "\t\ttype ipv4_addr\n\t\tsize 4\n\t\telements = { 10.0.2.20,",
			  "\t\ttype ipv4_addr\n\t\tsize 8\n\t\telements = { 10.0.2.20,");
	size_t n_changed = 0;
	char *txn = delta_of(text, to, &n_changed);

	(void)state;
	/* sg2_in looks the set up: the kernel deletes no set a rule uses. */
	assert_string_equal(txn, "flush chain inet bulwark_vpc sg2_in\n"
				 "flush set inet bulwark_vpc sg1_members_v4\n"
				 "delete set inet bulwark_vpc sg1_members_v4\n"
				 "add set inet bulwark_vpc sg1_members_v4 {\n"
				 "\ttype ipv4_addr\n"
				 "\tsize 8\n"
				 "\telements = { 10.0.2.20,\n"
				 "\t\t     10.0.2.200 }\n"
				 "}\n"
				 "table inet bulwark_vpc {\n"
				 "\tchain sg2_in {\n"
				 "\t\tip saddr . icmp type . icmp code @sg2_in_icmp_v4 accept\n"
				 "\t\tmeta l4proto 6 th dport 5432 ip saddr @sg1_members_v4 accept\n"
				 "\t\tmeta l4proto 6 th dport 5432 ip6 saddr @sg1_members_v6 accept\n"
				 "\t}\n"
				 "}\n");
	assert_int_equal(n_changed, 2);
	free(txn);
	free(to);
	free(text);
}

static void test_base_chain_policy_change_reloads_the_chain(void **state)
{
	char *to = edited(SMALL_FROM, "policy accept;", "policy drop;");
	size_t n_changed = 0;
	char *txn = delta_of(SMALL_FROM, to, &n_changed);

	(void)state;
	assert_string_equal(txn, "flush chain inet t base\n"
				 "table inet t {\n"
				 "\tchain base {\n"
				 "\t\ttype filter hook forward priority filter; policy drop;\n"
				 "\t\tip daddr vmap @m\n"
				 "\t}\n"
				 "}\n");
	assert_int_equal(n_changed, 1);
	free(txn);
	free(to);
}

static void test_base_chain_priority_change_is_not_supported(void **state)
{
	char *text = read_golden(EXAMPLE);
	char *to = edited(text, "priority filter + 10;", "priority filter + 20;");

	(void)state;
	assert_int_equal(delta_rc(text, to), -EOPNOTSUPP);
	free(to);
	free(text);
}

static void test_base_chain_hook_change_is_not_supported(void **state)
{
	char *to = edited(SMALL_FROM, "hook forward", "hook input");

	(void)state;
	assert_int_equal(delta_rc(SMALL_FROM, to), -EOPNOTSUPP);
	free(to);
}

static void test_regular_chain_becoming_base_is_not_supported(void **state)
{
	char *to = edited(SMALL_FROM, "\tchain a {\n",
			  "\tchain a {\n\t\ttype filter hook input priority filter; policy accept;\n");

	(void)state;
	assert_int_equal(delta_rc(SMALL_FROM, to), -EOPNOTSUPP);
	free(to);
}

static void test_table_added_or_removed_is_not_supported(void **state)
{
	char *example = read_golden(EXAMPLE);
	char *bridge = read_golden(BRIDGE);
	size_t len = strlen(example) + strlen(bridge) + 1;
	char *both = malloc(len);

	(void)state;
	assert_non_null(both);
	snprintf(both, len, "%s%s", example, bridge);
	assert_int_equal(delta_rc(example, both), -EOPNOTSUPP);
	assert_int_equal(delta_rc(both, example), -EOPNOTSUPP);
	assert_int_equal(delta_rc(example, bridge), -EOPNOTSUPP);
	free(both);
	free(bridge);
	free(example);
}

static void test_counter_is_kept_whatever_its_header(void **state)
{
	char *to = edited(SMALL_FROM, "\tcounter c {\n", "\tcounter c {\n\t\tpackets 0 bytes 0\n");
	size_t n_changed = 99;
	char *txn = delta_of(SMALL_FROM, to, &n_changed);

	(void)state;
	assert_string_equal(txn, "");
	assert_int_equal(n_changed, 0);
	free(txn);
	free(to);
}

static void expect_parse_error(const char *text, int line, int col, const char *what)
{
	struct nftobj_ruleset rs;
	struct bw_err err;
	char formatted[600];

	assert_int_equal(nftobj_parse(text, &rs, &err), -EINVAL);
	bw_err_format(&err, formatted, sizeof(formatted));
	if (err.line != line || err.col != col || !strstr(err.msg, what) || !err.is_input)
		fail_msg("want %d:%d %s, got %s", line, col, what, formatted);
	assert_non_null(strstr(formatted, ":"));
}

static void test_malformed_text_is_an_error_naming_line_and_column(void **state)
{
	(void)state;
	expect_parse_error("table inet t {\n\tset s {\n\t\ttype ipv4_addr\n"
			   "\t\telements = { 1.1.1.1,, 2.2.2.2 }\n\t}\n}\n",
			   4, 24, "empty element");
	expect_parse_error("table inet t {\n\tflowtable f {\n\t}\n}\n", 2, 2, "unsupported object");
	expect_parse_error("table inet t {\n\tchain c {\n\t\tip saddr { 1.1.1.1 accept\n\t}\n}\n", 3, 28,
			   "unbalanced");
	expect_parse_error("table inet t {\n\tset s {\n\t\ttype ipv4_addr\n", 2, 1, "not closed");
	expect_parse_error("flush ruleset\n", 1, 1, "expected `table");
	expect_parse_error("table inet t {\n\tset s {\n\t\telements = { 1.1.1.1 } x\n\t}\n}\n", 3, 26,
			   "after elements");
	expect_parse_error("table inet t {\n}\ntable inet t {\n}\n", 3, 1, "declared twice");
	expect_parse_error("table inet t {\n\tset s {\n\t\telements = { \"a, b }\n\t}\n}\n", 3, 23,
			   "unterminated string");
	expect_parse_error("table inet t {\n\tchain c$ {\n\t}\n}\n", 2, 8, "bad name");
}

static void test_duplicate_object_is_an_error_in_a_delta(void **state)
{
	const char *text = "table inet t {\n\tset s {\n\t\ttype ipv4_addr\n\t}\n"
			   "\tmap s {\n\t\ttype ipv4_addr : verdict\n\t}\n}\n";
	struct nftobj_ruleset rs;
	struct bw_err err;
	char *txn = NULL;
	size_t n_changed = 0;

	(void)state;
	parse_ok(text, &rs);
	assert_int_equal(nftobj_delta(&rs, &rs, &txn, &n_changed, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "declared twice"));
	assert_null(txn);
	nftobj_free(&rs);
}

/* Elements in a transaction: the items of every `elements = { … }`. */
static size_t count_elements(const char *txn)
{
	size_t n = 0;

	for (const char *at = strstr(txn, "elements = { "); at; at = strstr(at + 1, "elements = { ")) {
		const char *end = strchr(at, '}');

		n++;
		for (const char *c = strchr(at, ','); c && c < end; c = strchr(c + 1, ','))
			n++;
	}
	return n;
}

static void free_txns(struct vec *txns)
{
	for (size_t i = 0; i < txns->len; i++)
		free(*VEC_AT(txns, char *, i));
	vec_free(txns);
}

static void test_staged_parts_are_bounded_and_hook_last(void **state)
{
	char *text = read_golden(EXAMPLE);
	struct nftobj_ruleset rs;
	struct vec txns;
	struct bw_err err;
	size_t total = 0;
	const char *first, *last;

	(void)state;
	parse_ok(text, &rs);
	assert_int_equal(nftobj_staged(&rs, 3, &txns, &err), 0);
	assert_true(txns.len > 3);
	first = *VEC_AT(&txns, char *, 0);
	last = *VEC_AT(&txns, char *, txns.len - 1);
	/* Declarations and regular chains first, nothing hooked, no elements. */
	assert_non_null(strstr(first, "table inet bulwark_vpc {\n"));
	assert_non_null(strstr(first, "\tchain sg1_in {\n\t\tip saddr . meta l4proto"));
	assert_non_null(strstr(first, "\tmap eni_in_v4 {\n\t\ttypeof ip daddr : verdict\n\t\tsize 10\n\t}\n"));
	assert_null(strstr(first, " hook "));
	assert_int_equal(count_elements(first), 0);
	for (size_t i = 1; i + 1 < txns.len; i++) {
		const char *txn = *VEC_AT(&txns, char *, i);
		size_t n = count_elements(txn);

		assert_null(strstr(txn, " hook "));
		assert_true(n >= 1 && n <= 3);
		total += n;
	}
	/* Every element once, and the base chains whole at the end. */
	assert_int_equal(total, 74);
	assert_non_null(strstr(last, "\tchain sg_ingress {\n\t\ttype filter hook forward priority filter + 10;"));
	assert_non_null(strstr(last, "\tchain nacl {\n"));
	assert_int_equal(count_elements(last), 0);
	free_txns(&txns);
	nftobj_free(&rs);
	free(text);
}

static void test_staged_splits_a_large_set(void **state)
{
	char *text = read_golden(EXAMPLE);
	struct nftobj_ruleset rs;
	struct vec txns;
	struct bw_err err;

	(void)state;
	parse_ok(text, &rs);
	assert_int_equal(nftobj_staged(&rs, 2, &txns, &err), 0);
	/* eni_in_v4's five elements in three parts, each declaring the map. */
	for (size_t i = 0, seen = 0; i < txns.len; i++) {
		const char *txn = *VEC_AT(&txns, char *, i);
		const char *at = strstr(txn, "add map inet bulwark_vpc eni_in_v4 {\n\ttypeof ip daddr : verdict\n"
					     "\tsize 10\n\telements = { ");

		if (at)
			seen++;
		if (i + 1 == txns.len)
			assert_int_equal(seen, 3);
	}
	free_txns(&txns);
	nftobj_free(&rs);
	free(text);
}

static void test_staged_keeps_auto_merge_sets_whole(void **state)
{
	char *text = read_golden(BRIDGE);
	struct nftobj_ruleset rs;
	struct vec txns;
	struct bw_err err;
	bool is_found = false;

	(void)state;
	parse_ok(text, &rs);
	assert_int_equal(nftobj_staged(&rs, 1, &txns, &err), 0);
	for (size_t i = 0; i < txns.len; i++) {
		const char *txn = *VEC_AT(&txns, char *, i);

		if (strstr(txn, "add set bridge bulwark_vpc claimed_v4 {")) {
			assert_false(is_found);
			is_found = true;
			assert_int_equal(count_elements(txn), 4);
		}
	}
	assert_true(is_found);
	free_txns(&txns);
	nftobj_free(&rs);
	free(text);
}

static void test_overlay_takes_an_edit_only_over_what_it_met(void **state)
{
	const char *base = "table inet t {\n\tset s {\n\t\ttype ipv4_addr\n"
			   "\t\telements = { 10.0.0.1, 10.0.0.2 }\n\t}\n"
			   "\tchain c {\n\t\tip saddr @s accept\n\t}\n}\n";
	const char *before = "table inet t {\n\tset s {\n\t\ttype ipv4_addr\n"
			     "\t\telements = { 10.0.0.2, 10.0.0.1 }\n\t}\n}\n";
	const char *after = "table inet t {\n\tset s {\n\t\ttype ipv4_addr\n"
			    "\t\telements = { 10.0.0.3 }\n\t}\n"
			    "\tset n {\n\t\ttype ipv4_addr\n\t}\n}\n";
	const char *stale = "table inet t {\n\tset s {\n\t\ttype ipv4_addr\n"
			    "\t\telements = { 10.0.0.9 }\n\t}\n}\n";
	const char *adds_c = "table inet t {\n\tchain c {\n\t}\n}\n";
	struct nftobj_ruleset rs = { 0 };
	const struct nftobj *s_obj;
	struct bw_err err;

	(void)state;
	parse_ok(base, &rs);
	/* As met (elements in any order): s refilled, n added. */
	assert_int_equal(nftobj_overlay(&rs, before, after, &err), 0);
	s_obj = find(&rs, "inet", "t", "s");
	assert_non_null(s_obj);
	assert_int_equal(s_obj->items.len, 1);
	assert_string_equal(*VEC_AT(&s_obj->items, char *, 0), "10.0.0.3");
	assert_non_null(find(&rs, "inet", "t", "n"));
	nftobj_free(&rs);
	/* The edit met another s than the ruleset holds: refused. */
	parse_ok(base, &rs);
	assert_int_equal(nftobj_overlay(&rs, stale, after, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "set s is not as the edit met it"));
	nftobj_free(&rs);
	/* The edit adds what is there already: refused. */
	parse_ok(base, &rs);
	assert_int_equal(nftobj_overlay(&rs, "", adds_c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "chain c is there already"));
	nftobj_free(&rs);
}

static void test_staged_parts_of_zero_elements_is_an_error(void **state)
{
	struct nftobj_ruleset rs;
	struct vec txns;
	struct bw_err err;

	(void)state;
	parse_ok(SMALL_FROM, &rs);
	assert_int_equal(nftobj_staged(&rs, 0, &txns, &err), -EINVAL);
	assert_int_equal(txns.len, 0);
	nftobj_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_renders_parse_into_their_objects),
		cmocka_unit_test(test_quoted_elements_and_empty_sets_parse),
		cmocka_unit_test(test_every_golden_ruleset_but_flowtables_parses),
		cmocka_unit_test(test_unchanged_render_gives_an_empty_transaction),
		cmocka_unit_test(test_element_order_is_no_change),
		cmocka_unit_test(test_one_element_changed_refills_only_that_set),
		cmocka_unit_test(test_changed_rule_refills_only_that_chain),
		cmocka_unit_test(test_added_objects_are_declared_before_use),
		cmocka_unit_test(test_removed_objects_are_emptied_then_deleted),
		cmocka_unit_test(test_changed_declaration_replaces_the_set_and_reloads_its_users),
		cmocka_unit_test(test_base_chain_policy_change_reloads_the_chain),
		cmocka_unit_test(test_base_chain_priority_change_is_not_supported),
		cmocka_unit_test(test_base_chain_hook_change_is_not_supported),
		cmocka_unit_test(test_regular_chain_becoming_base_is_not_supported),
		cmocka_unit_test(test_table_added_or_removed_is_not_supported),
		cmocka_unit_test(test_counter_is_kept_whatever_its_header),
		cmocka_unit_test(test_malformed_text_is_an_error_naming_line_and_column),
		cmocka_unit_test(test_duplicate_object_is_an_error_in_a_delta),
		cmocka_unit_test(test_overlay_takes_an_edit_only_over_what_it_met),
		cmocka_unit_test(test_staged_parts_are_bounded_and_hook_last),
		cmocka_unit_test(test_staged_splits_a_large_set),
		cmocka_unit_test(test_staged_keeps_auto_merge_sets_whole),
		cmocka_unit_test(test_staged_parts_of_zero_elements_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
