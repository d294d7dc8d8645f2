/* host/nftnl_rules.c's encoding (pure: nothing is sent). The expected
 * expressions are what `nft --debug=netlink` 1.0.6 printed for the same
 * rules in an inet table (tests/netns/nftnl_rules.sh checks the kernel
 * ends up holding the same as after libnftables). */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "host/nftnl_rules.h"

static int msg_type(const struct nftnl_rules_batch *b, size_t i)
{
	const struct nftnl_rules_msg *m = VEC_AT(&b->msgs, struct nftnl_rules_msg, i);

	return NFNL_MSG_TYPE(((const struct nlmsghdr *)(b->buf + m->offset))->nlmsg_type);
}

static uint16_t msg_flags(const struct nftnl_rules_batch *b, size_t i)
{
	const struct nftnl_rules_msg *m = VEC_AT(&b->msgs, struct nftnl_rules_msg, i);

	return ((const struct nlmsghdr *)(b->buf + m->offset))->nlmsg_flags;
}

/* The expressions of the rule in message i, one "[ … ]" a line, as
 * nft --debug=netlink prints them. */
static void rule_exprs(const struct nftnl_rules_batch *b, size_t i, char *out, size_t size)
{
	const struct nftnl_rules_msg *m = VEC_AT(&b->msgs, struct nftnl_rules_msg, i);
	struct nftnl_rule *r = nftnl_rule_alloc();
	char buf[4096];
	const char *line;
	size_t len = 0;

	assert_non_null(r);
	assert_int_equal(msg_type(b, i), NFT_MSG_NEWRULE);
	assert_int_equal(nftnl_rule_nlmsg_parse((const struct nlmsghdr *)(b->buf + m->offset), r), 0);
	nftnl_rule_snprintf(buf, sizeof(buf), r, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(r);
	out[0] = '\0';
	for (line = strstr(buf, "  ["); line; line = strstr(line + 1, "\n  [")) {
		const char *start = line[0] == '\n' ? line + 3 : line + 2;
		const char *end = strchr(start, '\n');
		size_t n = end ? (size_t)(end - start) : strlen(start);

		assert_true(len + n + 2 < size);
		memcpy(out + len, start, n);
		len += n;
		out[len++] = '\n';
		out[len] = '\0';
	}
}

struct shape {
	const char *rule;
	const char *exprs;
};

/* Each shape render/vpc_nft_sg.c prints, as nft 1.0.6 sent it. */
static const struct shape shapes[] = {
	{ "ip saddr . meta l4proto . th dport @p4 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x00000002 ]\n"
	  "[ payload load 4b @ network header + 12 => reg 1 ]\n[ meta load l4proto => reg 9 ]\n"
	  "[ byteorder reg 9 = hton(reg 9, 2, 1) ]\n"
	  "[ payload load 2b @ transport header + 2 => reg 10 ]\n[ lookup reg 1 set p4 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "ip6 daddr . meta l4proto . th dport @p6 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x0000000a ]\n"
	  "[ payload load 16b @ network header + 24 => reg 1 ]\n[ meta load l4proto => reg 2 ]\n"
	  "[ byteorder reg 2 = hton(reg 2, 2, 1) ]\n"
	  "[ payload load 2b @ transport header + 2 => reg 13 ]\n[ lookup reg 1 set p6 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "ip saddr . icmp type . icmp code @i4 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x00000002 ]\n"
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x00000001 ]\n"
	  "[ payload load 4b @ network header + 12 => reg 1 ]\n"
	  "[ payload load 1b @ transport header + 0 => reg 9 ]\n"
	  "[ payload load 1b @ transport header + 1 => reg 10 ]\n[ lookup reg 1 set i4 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "ip6 saddr . icmpv6 type . icmpv6 code @i6 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x0000000a ]\n"
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x0000003a ]\n"
	  "[ payload load 16b @ network header + 8 => reg 1 ]\n"
	  "[ payload load 1b @ transport header + 0 => reg 2 ]\n"
	  "[ payload load 1b @ transport header + 1 => reg 13 ]\n[ lookup reg 1 set i6 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "ip daddr @s4 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x00000002 ]\n"
	  "[ payload load 4b @ network header + 16 => reg 1 ]\n[ lookup reg 1 set s4 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "meta l4proto 6 th dport 5555 ip saddr @s4 accept",
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x00000006 ]\n"
	  "[ payload load 2b @ transport header + 2 => reg 1 ]\n[ cmp eq reg 1 0x0000b315 ]\n"
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x00000002 ]\n"
	  "[ payload load 4b @ network header + 12 => reg 1 ]\n[ lookup reg 1 set s4 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "meta l4proto 17 th dport 1000-2000 ip6 saddr @s6 accept",
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x00000011 ]\n"
	  "[ payload load 2b @ transport header + 2 => reg 1 ]\n[ cmp gte reg 1 0x0000e803 ]\n"
	  "[ cmp lte reg 1 0x0000d007 ]\n[ meta load nfproto => reg 1 ]\n"
	  "[ cmp eq reg 1 0x0000000a ]\n[ payload load 16b @ network header + 8 => reg 1 ]\n"
	  "[ lookup reg 1 set s6 ]\n[ immediate reg 0 accept ]\n" },
	{ "meta l4proto 50-51 ip saddr @s4 accept",
	  "[ meta load l4proto => reg 1 ]\n[ cmp gte reg 1 0x00000032 ]\n"
	  "[ cmp lte reg 1 0x00000033 ]\n[ meta load nfproto => reg 1 ]\n"
	  "[ cmp eq reg 1 0x00000002 ]\n[ payload load 4b @ network header + 12 => reg 1 ]\n"
	  "[ lookup reg 1 set s4 ]\n[ immediate reg 0 accept ]\n" },
	/* A type and a code, both single values: one 2-byte load. */
	{ "icmp type 8 icmp code 0 ip saddr @s4 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x00000002 ]\n"
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x00000001 ]\n"
	  "[ payload load 2b @ transport header + 0 => reg 1 ]\n[ cmp eq reg 1 0x00000008 ]\n"
	  "[ payload load 4b @ network header + 12 => reg 1 ]\n[ lookup reg 1 set s4 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "icmp type 8 icmp code 0-5 ip saddr @s4 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x00000002 ]\n"
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x00000001 ]\n"
	  "[ payload load 1b @ transport header + 0 => reg 1 ]\n[ cmp eq reg 1 0x00000008 ]\n"
	  "[ payload load 1b @ transport header + 1 => reg 1 ]\n[ cmp gte reg 1 0x00000000 ]\n"
	  "[ cmp lte reg 1 0x00000005 ]\n[ payload load 4b @ network header + 12 => reg 1 ]\n"
	  "[ lookup reg 1 set s4 ]\n[ immediate reg 0 accept ]\n" },
	{ "icmpv6 type 1-4 icmpv6 code 3 ip6 daddr @s6 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x0000000a ]\n"
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x0000003a ]\n"
	  "[ payload load 1b @ transport header + 0 => reg 1 ]\n[ cmp gte reg 1 0x00000001 ]\n"
	  "[ cmp lte reg 1 0x00000004 ]\n[ payload load 1b @ transport header + 1 => reg 1 ]\n"
	  "[ cmp eq reg 1 0x00000003 ]\n[ payload load 16b @ network header + 24 => reg 1 ]\n"
	  "[ lookup reg 1 set s6 ]\n[ immediate reg 0 accept ]\n" },
	{ "icmpv6 type 128 ip6 saddr @s6 accept",
	  "[ meta load nfproto => reg 1 ]\n[ cmp eq reg 1 0x0000000a ]\n"
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x0000003a ]\n"
	  "[ payload load 1b @ transport header + 0 => reg 1 ]\n[ cmp eq reg 1 0x00000080 ]\n"
	  "[ payload load 16b @ network header + 8 => reg 1 ]\n[ lookup reg 1 set s6 ]\n"
	  "[ immediate reg 0 accept ]\n" },
	{ "meta l4proto 6 th dport 10444-65535 ip saddr @s4 accept",
	  "[ meta load l4proto => reg 1 ]\n[ cmp eq reg 1 0x00000006 ]\n"
	  "[ payload load 2b @ transport header + 2 => reg 1 ]\n[ cmp gte reg 1 0x0000cc28 ]\n"
	  "[ cmp lte reg 1 0x0000ffff ]\n[ meta load nfproto => reg 1 ]\n"
	  "[ cmp eq reg 1 0x00000002 ]\n[ payload load 4b @ network header + 12 => reg 1 ]\n"
	  "[ lookup reg 1 set s4 ]\n[ immediate reg 0 accept ]\n" },
};

static void test_rules_encode_as_nft_sends_them(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(*shapes); i++) {
		struct nftnl_rules_batch b = { 0 };
		struct bw_err err = { 0 };
		char txn[512], got[4096];

		snprintf(txn, sizeof(txn), "flush chain inet t c\ntable inet t {\n\tchain c {\n\t\t%s\n\t}\n}\n",
			 shapes[i].rule);
		assert_int_equal(nftnl_rules_encode(txn, &b, &err), 0);
		/* DELRULE, NEWTABLE, NEWCHAIN, NEWRULE */
		assert_int_equal(b.msgs.len, 4);
		rule_exprs(&b, 3, got, sizeof(got));
		if (strcmp(got, shapes[i].exprs) != 0)
			fail_msg("%s:\nwant\n%sgot\n%s", shapes[i].rule, shapes[i].exprs, got);
		nftnl_rules_batch_free(&b);
	}
}

static void test_a_revoke_flushes_deletes_then_adds_in_order(void **state)
{
	static const int want[] = { NFT_MSG_DELRULE,   NFT_MSG_DELSETELEM, NFT_MSG_DELSET,
				    NFT_MSG_NEWTABLE,  NFT_MSG_NEWCHAIN,   NFT_MSG_NEWCHAIN,
				    NFT_MSG_NEWRULE,   NFT_MSG_NEWRULE,    NFT_MSG_NEWRULE };
	struct nftnl_rules_batch b = { 0 };
	struct bw_err err = { 0 };

	(void)state;
	assert_int_equal(nftnl_rules_encode("flush chain inet t sg1_in\n"
					    "flush set inet t sg2_members_v4\n"
					    "delete set inet t sg2_members_v4\n"
					    "table inet t {\n"
					    "\tchain sg1_in {\n"
					    "\t\tip saddr @a accept\n"
					    "\t\tip saddr @b accept\n"
					    "\t}\n"
					    "\tchain sg1_out {\n"
					    "\t\tip daddr @c accept\n"
					    "\t}\n"
					    "}\n",
					    &b, &err),
			 0);
	assert_int_equal(b.msgs.len, sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < b.msgs.len; i++)
		assert_int_equal(msg_type(&b, i), want[i]);
	/* Rules appended, as `add rule` (without NLM_F_APPEND the kernel
	 * puts each first); tables and chains made sure of, never replaced. */
	assert_true(msg_flags(&b, 6) & NLM_F_APPEND);
	assert_true(msg_flags(&b, 6) & NLM_F_CREATE);
	assert_false(msg_flags(&b, 3) & (NLM_F_EXCL | NLM_F_REPLACE));
	assert_false(msg_flags(&b, 4) & (NLM_F_EXCL | NLM_F_REPLACE));
	for (size_t i = 0; i < b.msgs.len; i++)
		assert_true(msg_flags(&b, i) & NLM_F_ACK);
	assert_string_equal(VEC_AT(&b.msgs, struct nftnl_rules_msg, 7)->what,
			    "chain inet t sg1_in: rule `ip saddr @b accept`");
	nftnl_rules_batch_free(&b);
}

static void test_a_refilled_set_sends_only_its_elements(void **state)
{
	struct nftnl_rules_batch b = { 0 };
	struct bw_err err = { 0 };

	(void)state;
	assert_int_equal(nftnl_rules_encode("flush set inet t sg0_in_ports_v4\n"
					    "add set inet t sg0_in_ports_v4 {\n"
					    "\ttypeof ip saddr . meta l4proto . th dport\n"
					    "\tflags interval\n"
					    "\telements = { 10.0.0.0/8 . 6 . 22,\n"
					    "\t\t     10.1.0.1 . 17 . 53-54 }\n"
					    "}\n",
					    &b, &err),
			 0);
	assert_int_equal(b.msgs.len, 2);
	assert_int_equal(msg_type(&b, 0), NFT_MSG_DELSETELEM);
	assert_int_equal(msg_type(&b, 1), NFT_MSG_NEWSETELEM);
	nftnl_rules_batch_free(&b);
}

static void test_a_new_member_set_is_declared_as_nft_does(void **state)
{
	struct nftnl_rules_batch b = { 0 };
	struct bw_err err = { 0 };
	const struct nftnl_rules_msg *m;
	struct nftnl_set *s = nftnl_set_alloc();
	const uint8_t *udata;
	uint32_t udata_len;

	(void)state;
	assert_int_equal(nftnl_rules_encode("add set inet t sg3_members_v4 {\n"
					    "\ttype ipv4_addr\n"
					    "\tsize 2\n"
					    "\telements = { 10.0.0.1, 10.0.0.2 }\n"
					    "}\n"
					    "add set inet t sg3_members_v6 {\n"
					    "\ttype ipv6_addr\n"
					    "\tflags interval\n"
					    "\telements = { fd00::/64 }\n"
					    "}\n",
					    &b, &err),
			 0);
	assert_int_equal(b.msgs.len, 4);
	assert_int_equal(msg_type(&b, 0), NFT_MSG_NEWSET);
	assert_int_equal(msg_type(&b, 1), NFT_MSG_NEWSETELEM);
	assert_int_equal(msg_type(&b, 2), NFT_MSG_NEWSET);
	assert_int_equal(msg_type(&b, 3), NFT_MSG_NEWSETELEM);
	assert_false(msg_flags(&b, 0) & (NLM_F_EXCL | NLM_F_REPLACE));
	/* What nft 1.0.6 sent for `type ipv4_addr; size 2`. */
	m = VEC_AT(&b.msgs, struct nftnl_rules_msg, 0);
	assert_non_null(s);
	assert_int_equal(nftnl_set_nlmsg_parse((const struct nlmsghdr *)(b.buf + m->offset), s), 0);
	assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_NAME), "sg3_members_v4");
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), 0);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), 7);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 4);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_ID), 1);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 2);
	udata = nftnl_set_get_data(s, NFTNL_SET_USERDATA, &udata_len);
	assert_int_equal(udata_len, 6);
	assert_memory_equal(udata, "\x00\x04\x02\x00\x00\x00", 6);
	nftnl_set_free(s);
	/* `type ipv6_addr; flags interval`: no size, its own id. */
	s = nftnl_set_alloc();
	m = VEC_AT(&b.msgs, struct nftnl_rules_msg, 2);
	assert_int_equal(nftnl_set_nlmsg_parse((const struct nlmsghdr *)(b.buf + m->offset), s), 0);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), NFT_SET_INTERVAL);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), 8);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 16);
	assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_ID), 2);
	assert_false(nftnl_set_is_set(s, NFTNL_SET_DESC_SIZE));
	nftnl_set_free(s);
	nftnl_rules_batch_free(&b);
}

/* nftobj_delta() replaces a set whose declaration changed (a member
 * set's size): flushed, deleted, declared again. */
static void test_a_replaced_set_is_declared_again(void **state)
{
	static const int want[] = { NFT_MSG_DELSETELEM, NFT_MSG_DELSET, NFT_MSG_NEWSET,
				    NFT_MSG_NEWSETELEM };
	struct nftnl_rules_batch b = { 0 };
	struct bw_err err = { 0 };

	(void)state;
	assert_int_equal(nftnl_rules_encode("flush set inet t sg3_members_v4\n"
					    "delete set inet t sg3_members_v4\n"
					    "add set inet t sg3_members_v4 {\n"
					    "\ttype ipv4_addr\n"
					    "\tsize 3\n"
					    "\telements = { 10.0.0.1, 10.0.0.2, 10.0.0.3 }\n"
					    "}\n",
					    &b, &err),
			 0);
	assert_int_equal(b.msgs.len, sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < b.msgs.len; i++)
		assert_int_equal(msg_type(&b, i), want[i]);
	nftnl_rules_batch_free(&b);
}

static void test_an_empty_transaction_is_no_message(void **state)
{
	struct nftnl_rules_batch b = { 0 };
	struct bw_err err = { 0 };

	(void)state;
	assert_int_equal(nftnl_rules_encode("", &b, &err), 0);
	assert_int_equal(b.msgs.len, 0);
	nftnl_rules_batch_free(&b);
	assert_int_equal(nftnl_rules_load("\n# nothing\n", &err), 0);
}

static void test_other_shapes_are_not_supported(void **state)
{
	static const char *const txns[] = {
		/* sets declared anew other than with a plain type */
		"add set inet t s { type ipv4_addr; }\n",
		"add set inet t s {\n\ttypeof ip saddr . meta l4proto . th dport\n\tflags interval\n"
		"\telements = { 10.0.0.0/8 . 6 . 22 }\n}\n",
		"flush set inet t x\nadd set inet t s {\n\ttype ipv4_addr\n\tflags interval\n"
		"\tauto-merge\n\telements = { 10.0.0.1 }\n}\n",
		"add set inet t s {\n\ttype inet_service\n\telements = { 22 }\n}\n",
		"add set inet t s {\n\ttype ipv4_addr\n\tsize 0\n\telements = { 10.0.0.1 }\n}\n",
		"add set inet t s {\n\ttype ipv4_addr\n\ttimeout 1s\n\telements = { 10.0.0.1 }\n}\n",
		/* commands of other kinds or families */
		"add rule inet t c ip saddr @s accept\n",
		"flush map inet t m\n",
		"delete counter inet t n\n",
		"flush chain ip t c\n",
		"flush ruleset\n",
		"table ip t {\n\tchain c {\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\ttype filter hook forward priority 0; policy accept;\n\t}\n}\n",
		"table inet t {\n\tcounter n {\n\t}\n}\n",
		"table inet t {\n\tchain c {\n",
		/* rules of other shapes */
		"table inet t {\n\tchain c {\n\t\tip saddr @s drop\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tth dport 22 ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tmeta l4proto 1 icmp type 8 ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\ticmp type 8 ip6 saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\ticmp code 0 ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tmeta l4proto 256 ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tmeta l4proto 6 th dport 5-5 ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tmeta l4proto 6 th dport 9-5 ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tmeta l4proto 06 ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tmeta l4proto tcp ip saddr @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tip saddr 10.0.0.1 accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tip saddr . th dport . meta l4proto @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tip saddr . icmpv6 type . icmpv6 code @s accept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tjump sg0_in\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tcounter name n drop\n\t}\n}\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(txns) / sizeof(*txns); i++) {
		struct nftnl_rules_batch b = { 0 };
		struct bw_err err = { 0 };
		int rc = nftnl_rules_encode(txns[i], &b, &err);

		if (rc != -EOPNOTSUPP)
			fail_msg("%s: %d, want -EOPNOTSUPP", txns[i], rc);
		assert_true(err.msg[0] != '\0');
		nftnl_rules_batch_free(&b);
		/* The load refuses before it opens a socket. */
		assert_int_equal(nftnl_rules_load(txns[i], &err), -EOPNOTSUPP);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_encode_as_nft_sends_them),
		cmocka_unit_test(test_a_revoke_flushes_deletes_then_adds_in_order),
		cmocka_unit_test(test_a_refilled_set_sends_only_its_elements),
		cmocka_unit_test(test_a_new_member_set_is_declared_as_nft_does),
		cmocka_unit_test(test_a_replaced_set_is_declared_again),
		cmocka_unit_test(test_an_empty_transaction_is_no_message),
		cmocka_unit_test(test_other_shapes_are_not_supported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
