/* render/nftelem.c: element text → the netlink elements nft sends. The
 * expected bytes are what `nft --debug=netlink` 1.0.6 sent for the same
 * sets (tests/netns/nftnl_elems.sh checks the kernel ends up the same). */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "golden.h"

#include "render/nftelem.h"
#include "render/nftobj.h"

struct encoded {
	struct nftelem_layout layout;
	struct vec elems;
	struct bw_err err;
	int rc;
};

static struct encoded encode(const char *header, const char *const *items, size_t n)
{
	struct encoded e = { .elems = VEC_INIT(struct nftelem) };

	e.rc = nftelem_layout_parse("s", header, &e.layout, &e.err);
	if (e.rc == 0)
		e.rc = nftelem_encode("s", &e.layout, items, n, &e.elems, &e.err);
	return e;
}

#define ENCODE(header, ...)                                                         \
	encode(header, (const char *const[]){ __VA_ARGS__ },                        \
	       sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static const struct nftelem *at(const struct encoded *e, size_t i)
{
	assert_true(i < e->elems.len);
	return VEC_AT(&e->elems, struct nftelem, i);
}

static void hex(const uint8_t *bytes, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", bytes[i]);
}

/* Asserts element i's key (and key end, when given) in hex. */
static void assert_key(const struct encoded *e, size_t i, const char *key, const char *key_end)
{
	char got[2 * NFTELEM_KEY_MAX + 1];

	hex(at(e, i)->key, e->layout.key_len, got);
	assert_string_equal(got, key);
	assert_int_equal(at(e, i)->has_key_end, key_end != NULL);
	if (key_end) {
		hex(at(e, i)->key_end, e->layout.key_len, got);
		assert_string_equal(got, key_end);
	}
}

static void assert_start(const struct encoded *e, size_t i, const char *key, bool is_open)
{
	assert_key(e, i, key, NULL);
	assert_false(at(e, i)->is_interval_end);
	assert_int_equal(at(e, i)->is_open, is_open);
}

static void assert_end(const struct encoded *e, size_t i, const char *key)
{
	assert_key(e, i, key, NULL);
	assert_true(at(e, i)->is_interval_end);
	assert_false(at(e, i)->is_open);
	assert_false(at(e, i)->has_verdict);
}

static void assert_refused(struct encoded *e, int rc, const char *words)
{
	assert_int_equal(e->rc, rc);
	if (!strstr(e->err.msg, words))
		fail_msg("`%s` does not say `%s`", e->err.msg, words);
	assert_int_equal(e->elems.len, 0);
	vec_free(&e->elems);
}

static void test_interval_set_starts_with_an_end_at_zero_then_sorted_starts_and_ends(void **state)
{
	struct encoded e = ENCODE("type ipv4_addr\nflags interval", "10.1.44.127-10.1.44.128",
				  "10.0.1.10", "10.0.1.32/28");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.layout.key_len, 4);
	assert_int_equal(e.elems.len, 7);
	assert_end(&e, 0, "00000000");
	assert_start(&e, 1, "0a00010a", false);
	assert_int_equal(at(&e, 1)->item, 1);
	assert_end(&e, 2, "0a00010b");
	assert_start(&e, 3, "0a000120", false);
	assert_end(&e, 4, "0a000130");
	assert_start(&e, 5, "0a012c7f", false);
	assert_int_equal(at(&e, 5)->item, 0);
	assert_end(&e, 6, "0a012c81");
	vec_free(&e.elems);
}

static void test_interval_from_zero_has_no_end_at_zero(void **state)
{
	struct encoded e = ENCODE("typeof ip daddr\nflags interval", "255.255.255.0/24",
				  "0.0.0.0-1.2.3.4");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.elems.len, 3);
	assert_start(&e, 0, "00000000", false);
	assert_end(&e, 1, "01020305");
	/* Up to the top of the key space: no end, flagged open. */
	assert_start(&e, 2, "ffffff00", true);
	vec_free(&e.elems);
}

static void test_whole_address_space_is_one_open_element(void **state)
{
	struct encoded v4 = ENCODE("typeof ip daddr\nflags interval", "0.0.0.0/0");
	struct encoded v6 = ENCODE("typeof ip6 saddr : verdict\nflags interval",
				   "::/0 : goto denied_acl_inbound");

	(void)state;
	assert_int_equal(v4.rc, 0);
	assert_int_equal(v4.elems.len, 1);
	assert_start(&v4, 0, "00000000", true);
	assert_int_equal(v6.rc, 0);
	assert_int_equal(v6.elems.len, 1);
	assert_start(&v6, 0, "00000000000000000000000000000000", true);
	assert_int_equal(at(&v6, 0)->verdict, NFT_GOTO);
	vec_free(&v4.elems);
	vec_free(&v6.elems);
}

static void test_single_top_address_gets_an_end_at_zero_and_is_open(void **state)
{
	struct encoded e = ENCODE("typeof ip saddr\nflags interval", "255.255.255.255");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.elems.len, 2);
	assert_end(&e, 0, "00000000");
	assert_start(&e, 1, "ffffffff", true);
	vec_free(&e.elems);
}

static void test_auto_merge_joins_overlapping_and_adjacent_intervals(void **state)
{
	struct encoded e = ENCODE("typeof ip saddr\nflags interval\nauto-merge", "10.0.0.1",
				  "10.0.0.2", "10.0.0.0/8", "11.0.0.0/8");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.elems.len, 3);
	assert_end(&e, 0, "00000000");
	assert_start(&e, 1, "0a000000", false);
	assert_end(&e, 2, "0c000000");
	vec_free(&e.elems);
}

static void test_adjacent_intervals_without_auto_merge_stay_apart(void **state)
{
	struct encoded e = ENCODE("type ipv4_addr\nflags interval", "10.0.0.1", "10.0.0.2",
				  "10.0.0.3-10.0.0.5");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.elems.len, 7);
	assert_end(&e, 2, "0a000002");
	assert_start(&e, 3, "0a000002", false);
	assert_end(&e, 6, "0a000006");
	vec_free(&e.elems);
}

static void test_overlap_without_auto_merge_is_refused_naming_set_and_element(void **state)
{
	struct encoded e = ENCODE("typeof ip daddr : verdict\nflags interval",
				  "10.1.0.10 : jump x", "0.0.0.0/0 : return");

	(void)state;
	assert_refused(&e, -EINVAL, "set s: element `10.1.0.10 : jump x`: overlaps");
}

static void test_concatenated_interval_pads_fields_and_sends_a_key_end(void **state)
{
	struct encoded e = ENCODE("typeof ip saddr . meta l4proto . th dport\nflags interval",
				  "10.0.0.0/16 . 6 . 80", "10.1.0.1 . 17 . 100-200",
				  "0.0.0.0/0 . 6 . 0-65535");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.layout.key_len, 12);
	assert_int_equal(e.elems.len, 3); /* given order, no end elements */
	assert_key(&e, 0, "0a000000" "06000000" "00500000", "0a00ffff" "06000000" "00500000");
	assert_key(&e, 1, "0a010001" "11000000" "00640000", "0a010001" "11000000" "00c80000");
	assert_key(&e, 2, "00000000" "06000000" "00000000", "ffffffff" "06000000" "ffff0000");
	assert_false(at(&e, 0)->is_interval_end);
	assert_false(at(&e, 2)->is_open);
	vec_free(&e.elems);
}

static void test_icmpv6_type_and_code_ranges_concatenate(void **state)
{
	struct encoded e = ENCODE("typeof ip6 saddr . icmpv6 type . icmpv6 code\nflags interval",
				  "fd00:10::/56 . 128 . 0-255", "::/0 . 0-7 . 3");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.layout.key_len, 24);
	assert_key(&e, 0, "fd000010000000000000000000000000" "80000000" "00000000",
		   "fd000010000000ffffffffffffffffff" "80000000" "ff000000");
	assert_key(&e, 1, "00000000000000000000000000000000" "00000000" "03000000",
		   "ffffffffffffffffffffffffffffffff" "07000000" "03000000");
	vec_free(&e.elems);
}

static void test_mac_and_address_concatenation_in_an_interval_set(void **state)
{
	struct encoded e = ENCODE("typeof ether saddr . ip saddr\nflags interval",
				  "0a:00:00:00:00:01 . 10.0.1.32/28");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_key(&e, 0, "0a0000000001" "0000" "0a000120", "0a0000000001" "0000" "0a00012f");
	vec_free(&e.elems);
}

static void test_interface_name_is_sixteen_bytes_nul_padded(void **state)
{
	struct encoded e = ENCODE("typeof iifname . ether saddr", "\"v0\" . 0a:00:00:00:00:01");
	struct encoded alone = ENCODE("typeof iifname", "\"averyveryverylo\"");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.layout.key_len, 24);
	assert_key(&e, 0, "76300000000000000000000000000000" "0a0000000001" "0000", NULL);
	assert_int_equal(alone.rc, 0);
	assert_key(&alone, 0, "617665727976657279766572796c6f00", NULL);
	vec_free(&e.elems);
	vec_free(&alone.elems);
}

static void test_hash_set_keeps_order_and_the_field_length(void **state)
{
	struct encoded e = ENCODE("typeof ether saddr\nsize 4", "0a:00:00:00:00:05",
				  "0A:00:00:00:00:01");
	struct encoded v6 = ENCODE("typeof ip6 daddr", "fd00:ec2::254");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.layout.key_len, 6);
	assert_int_equal(e.elems.len, 2);
	assert_key(&e, 0, "0a0000000005", NULL);
	assert_key(&e, 1, "0a0000000001", NULL);
	assert_false(at(&e, 0)->is_interval_end);
	assert_int_equal(v6.rc, 0);
	assert_key(&v6, 0, "fd000ec2000000000000000000000254", NULL);
	vec_free(&e.elems);
	vec_free(&v6.elems);
}

static void test_verdict_map_carries_codes_and_chains(void **state)
{
	struct encoded e = ENCODE("typeof ip saddr : verdict", "10.0.0.1 : goto x",
				  "10.0.0.2 : accept", "10.0.0.3 : drop", "10.0.0.4 : continue",
				  "10.0.0.5 : jump sg0_in", "10.0.0.6 : return");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_true(e.layout.is_verdict_map);
	assert_int_equal(at(&e, 0)->verdict, NFT_GOTO);
	assert_int_equal(at(&e, 0)->chain_len, 1);
	assert_memory_equal(at(&e, 0)->chain, "x", 1);
	assert_int_equal(at(&e, 1)->verdict, NF_ACCEPT);
	assert_null(at(&e, 1)->chain);
	assert_int_equal(at(&e, 2)->verdict, NF_DROP);
	assert_int_equal(at(&e, 3)->verdict, NFT_CONTINUE);
	assert_int_equal(at(&e, 4)->verdict, NFT_JUMP);
	assert_memory_equal(at(&e, 4)->chain, "sg0_in", 6);
	assert_int_equal(at(&e, 5)->verdict, NFT_RETURN);
	vec_free(&e.elems);
}

static void test_interval_map_end_elements_carry_no_verdict(void **state)
{
	struct encoded e = ENCODE("typeof ip daddr : verdict\nflags interval",
				  "10.1.0.10 : jump x");

	(void)state;
	assert_int_equal(e.rc, 0);
	assert_int_equal(e.elems.len, 3);
	assert_end(&e, 0, "00000000");
	assert_start(&e, 1, "0a01000a", false);
	assert_true(at(&e, 1)->has_verdict);
	assert_end(&e, 2, "0a01000b");
	vec_free(&e.elems);
}

static void test_range_in_a_set_without_interval_is_refused(void **state)
{
	struct encoded e = ENCODE("typeof ip daddr", "10.0.0.0/8");

	(void)state;
	assert_refused(&e, -EINVAL, "without `flags interval`");
}

static void test_declarations_not_encoded_are_not_supported(void **state)
{
	static const char *const headers[] = {
		"typeof ip dscp",
		"typeof ip saddr : ip daddr",
		"type ipv4_addr\nflags interval,timeout",
		"typeof ip saddr\ntimeout 1m",
		"typeof ip saddr\ncounter",
		"typeof iifname\nflags interval",
		"flags interval",
		"typeof ip saddr : verdict\nflags interval\nauto-merge",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(headers) / sizeof(*headers); i++) {
		struct nftelem_layout l;
		struct bw_err err;

		if (nftelem_layout_parse("s", headers[i], &l, &err) != -EOPNOTSUPP)
			fail_msg("`%s` was not refused as unsupported", headers[i]);
		assert_non_null(strstr(err.msg, "set s"));
	}
}

static void test_element_forms_not_encoded_are_not_supported(void **state)
{
	struct encoded named = ENCODE("typeof ip saddr . meta l4proto . th dport\nflags interval",
				      "10.0.0.0/8 . tcp . 80");
	struct encoded wildcard = ENCODE("typeof iifname", "\"eth*\"");
	struct encoded data = ENCODE("typeof ip saddr : verdict", "10.0.0.1 : queue");

	(void)state;
	assert_refused(&named, -EOPNOTSUPP, "`10.0.0.0/8 . tcp . 80`");
	assert_refused(&wildcard, -EOPNOTSUPP, "interface name");
	assert_refused(&data, -EOPNOTSUPP, "verdict");
}

static void test_malformed_elements_are_refused_naming_the_element(void **state)
{
	static const char *const bad_v4[] = {
		"10.0.0.256", "10.0.0.1/33", "10.0.1.33/28", "10.0.0.2-10.0.0.1", "10.0.0.0/08",
		" 10.0.0.1", "10.0.0.1 ", "10.0.0.1 . 6", "10.0.0.1 : accept", "",
	};
	static const char *const bad_ports[] = {
		"10.0.0.1 . 6 . 65536", "10.0.0.1 . 256 . 80", "10.0.0.1 . 6 . 080",
		"10.0.0.1 . 6 . 90-80", "10.0.0.1 . 6", "10.0.0.1 . 6 . 80 . 1", "10.0.0.1 . 6 . -1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad_v4) / sizeof(*bad_v4); i++) {
		struct encoded e = ENCODE("typeof ip saddr\nflags interval", bad_v4[i]);

		if (e.rc != -EINVAL || !strstr(e.err.msg, "set s: element `"))
			fail_msg("`%s`: %d %s", bad_v4[i], e.rc, e.err.msg);
		vec_free(&e.elems);
	}
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(*bad_ports); i++) {
		struct encoded e = ENCODE("typeof ip saddr . meta l4proto . th dport\nflags interval",
					  bad_ports[i]);

		if (e.rc != -EINVAL || !strstr(e.err.msg, bad_ports[i]))
			fail_msg("`%s`: %d %s", bad_ports[i], e.rc, e.err.msg);
		vec_free(&e.elems);
	}
}

static void test_failed_encoding_leaves_the_output_as_it_was(void **state)
{
	struct encoded e = ENCODE("typeof ip saddr . meta l4proto . th dport\nflags interval",
				  "10.0.0.1 . 6 . 80", "10.0.0.1 . 6 . 99999");

	(void)state;
	assert_refused(&e, -EINVAL, "99999");
}

static void test_every_set_of_the_golden_renders_encodes(void **state)
{
	static const char *const files[] = {
		GOLDEN_DIR "/vpc/example.nft",
		GOLDEN_DIR "/vpc/bridge.nft",
		GOLDEN_DIR "/vpc/handmade.nft",
	};

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		struct nftobj_ruleset rs;
		struct bw_err err;
		char *text = golden_read(files[f]);
		size_t n_sets = 0;

		assert_non_null(text);
		assert_int_equal(nftobj_parse(text, &rs, &err), 0);
		for (size_t t = 0; t < rs.tables.len; t++) {
			const struct nftobj_table *tb = VEC_AT(&rs.tables, struct nftobj_table, t);

			for (size_t k = 0; k < tb->objs.len; k++) {
				const struct nftobj *o = VEC_AT(&tb->objs, struct nftobj, k);
				struct encoded e;

				if (o->kind != NFTOBJ_SET && o->kind != NFTOBJ_MAP)
					continue;
				e = encode(o->header, (const char *const *)o->items.items, o->items.len);
				if (e.rc != 0)
					fail_msg("%s: %s", files[f], e.err.msg);
				assert_true(e.elems.len >= o->items.len || e.layout.is_auto_merge);
				vec_free(&e.elems);
				n_sets++;
			}
		}
		assert_true(n_sets > 5);
		nftobj_free(&rs);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_set_starts_with_an_end_at_zero_then_sorted_starts_and_ends),
		cmocka_unit_test(test_interval_from_zero_has_no_end_at_zero),
		cmocka_unit_test(test_whole_address_space_is_one_open_element),
		cmocka_unit_test(test_single_top_address_gets_an_end_at_zero_and_is_open),
		cmocka_unit_test(test_auto_merge_joins_overlapping_and_adjacent_intervals),
		cmocka_unit_test(test_adjacent_intervals_without_auto_merge_stay_apart),
		cmocka_unit_test(test_overlap_without_auto_merge_is_refused_naming_set_and_element),
		cmocka_unit_test(test_concatenated_interval_pads_fields_and_sends_a_key_end),
		cmocka_unit_test(test_icmpv6_type_and_code_ranges_concatenate),
		cmocka_unit_test(test_mac_and_address_concatenation_in_an_interval_set),
		cmocka_unit_test(test_interface_name_is_sixteen_bytes_nul_padded),
		cmocka_unit_test(test_hash_set_keeps_order_and_the_field_length),
		cmocka_unit_test(test_verdict_map_carries_codes_and_chains),
		cmocka_unit_test(test_interval_map_end_elements_carry_no_verdict),
		cmocka_unit_test(test_range_in_a_set_without_interval_is_refused),
		cmocka_unit_test(test_declarations_not_encoded_are_not_supported),
		cmocka_unit_test(test_element_forms_not_encoded_are_not_supported),
		cmocka_unit_test(test_malformed_elements_are_refused_naming_the_element),
		cmocka_unit_test(test_failed_encoding_leaves_the_output_as_it_was),
		cmocka_unit_test(test_every_set_of_the_golden_renders_encodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
