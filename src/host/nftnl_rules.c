/* host/nftnl_rules.c: a security group's update as one netlink batch
 * through libnftnl (see nftnl_rules.h). */
#include "host/nftnl_rules.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "host/nftnl_elems.h"
#include "render/nftelem.h"
#include "render/nftobj.h"
#include "util/strbuf.h"

/* A message's payload stays well under what one netlink message holds
 * (a rule here is a few hundred bytes; elements are cut at this size). */
#define MSG_PAYLOAD_MAX 32768
#define MSG_ROOM (MSG_PAYLOAD_MAX + 4096)
#define MAX_WORDS 16

static int oom(struct bw_err *err)
{
	return bw_errf(err, -ENOMEM, "nftnl: out of memory");
}

static int unsupported(struct bw_err *err, int line, const char *what, const char *s, size_t len)
{
	return bw_errf(err, -EOPNOTSUPP, "nftnl: line %d: %s: `%.*s`", line, what,
		       (int)(len > 120 ? 120 : len), s);
}

static int reserve(struct nftnl_rules_batch *b, size_t room, struct bw_err *err)
{
	size_t cap = b->cap ? b->cap : 65536;
	char *grown;

	if (b->cap - b->len >= room)
		return 0;
	while (cap - b->len < room)
		cap *= 2;
	grown = realloc(b->buf, cap);
	if (!grown)
		return oom(err);
	/* Netlink attributes leave padding bytes: keep them zero. */
	memset(grown + b->cap, 0, cap - b->cap);
	b->buf = grown;
	b->cap = cap;
	return 0;
}

/* Starts the next message of the batch: its header, at b->len. */
static struct nlmsghdr *msg_start(struct nftnl_rules_batch *b, uint16_t type, uint16_t flags,
				  const char *what, struct bw_err *err)
{
	struct nftnl_rules_msg m = { .offset = b->len };

	if (reserve(b, MSG_ROOM, err) < 0)
		return NULL;
	snprintf(m.what, sizeof(m.what), "%.159s", what);
	if (vec_push(&b->msgs, &m) < 0) {
		oom(err);
		return NULL;
	}
	return nftnl_nlmsg_build_hdr(b->buf + b->len, type, NFPROTO_INET, flags | NLM_F_ACK,
				     b->seq0 + (uint32_t)b->msgs.len);
}

static void msg_end(struct nftnl_rules_batch *b, const struct nlmsghdr *nlh)
{
	b->len += nlh->nlmsg_len;
}

/* ---- words ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name(const char *s, size_t len)
{
	if (len == 0 || len >= NFT_NAME_MAXLEN ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

struct words {
	const char *w[MAX_WORDS];
	size_t len[MAX_WORDS];
	size_t n; /* MAX_WORDS + 1 when there are more */
};

static void split(const char *s, size_t len, struct words *out)
{
	size_t i = 0;

	out->n = 0;
	while (i < len) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		if (out->n == MAX_WORDS) {
			out->n = MAX_WORDS + 1;
			return;
		}
		out->w[out->n] = s + i;
		while (i < len && !is_blank(s[i]))
			i++;
		out->len[out->n] = (size_t)(s + i - out->w[out->n]);
		out->n++;
	}
}

static bool is_word(const struct words *ws, size_t i, const char *lit)
{
	return i < ws->n && ws->len[i] == strlen(lit) && memcmp(ws->w[i], lit, ws->len[i]) == 0;
}

/* Copies word i, a name, into out (NFT_NAME_MAXLEN bytes). */
static bool name_at(const struct words *ws, size_t i, char *out)
{
	if (i >= ws->n || !is_name(ws->w[i], ws->len[i]))
		return false;
	memcpy(out, ws->w[i], ws->len[i]);
	out[ws->len[i]] = '\0';
	return true;
}

/* ---- rules ---- */

enum field_kind { F_L4PROTO, F_DPORT, F_ICMP_TYPE, F_ICMP_CODE, F_ADDR };

struct field {
	const char *w1, *w2;
	enum field_kind kind;
	int family; /* 4, 6, or 0 for either */
	uint32_t offset, len;
	uint32_t max;
};

static const struct field fields[] = {
	{ "meta", "l4proto", F_L4PROTO, 0, 0, 1, 255 },
	{ "th", "dport", F_DPORT, 0, 2, 2, 65535 },
	{ "icmp", "type", F_ICMP_TYPE, 4, 0, 1, 255 },
	{ "icmp", "code", F_ICMP_CODE, 4, 1, 1, 255 },
	{ "icmpv6", "type", F_ICMP_TYPE, 6, 0, 1, 255 },
	{ "icmpv6", "code", F_ICMP_CODE, 6, 1, 1, 255 },
	{ "ip", "saddr", F_ADDR, 4, 12, 4, 0 },
	{ "ip", "daddr", F_ADDR, 4, 16, 4, 0 },
	{ "ip6", "saddr", F_ADDR, 6, 8, 16, 0 },
	{ "ip6", "daddr", F_ADDR, 6, 24, 16, 0 },
};

static const struct field *field_at(const struct words *ws, size_t i)
{
	for (size_t k = 0; k < sizeof(fields) / sizeof(*fields); k++)
		if (is_word(ws, i, fields[k].w1) && is_word(ws, i + 1, fields[k].w2))
			return &fields[k];
	return NULL;
}

struct value {
	uint32_t lo, hi;
};

static bool parse_number(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	*out = v;
	return v <= max;
}

/* "N" or "N-M" with N < M. */
static bool parse_value(const struct words *ws, size_t i, uint32_t max, struct value *out)
{
	const char *s, *dash;
	size_t len;

	if (i >= ws->n)
		return false;
	s = ws->w[i];
	len = ws->len[i];
	dash = memchr(s, '-', len);
	if (!dash) {
		if (!parse_number(s, len, max, &out->lo))
			return false;
		out->hi = out->lo;
		return true;
	}
	return parse_number(s, (size_t)(dash - s), max, &out->lo) &&
	       parse_number(dash + 1, len - (size_t)(dash - s) - 1, max, &out->hi) &&
	       out->lo < out->hi;
}

/* The register nft 1.0.6 names for the 32-bit register at index idx:
 * the 128-bit register when idx falls on one (netlink_put_register()). */
static uint32_t reg_at(uint32_t idx)
{
	return idx % 4 == 0 ? NFT_REG_1 + idx / 4 : NFT_REG32_00 + idx;
}

static void be_bytes(uint32_t v, uint32_t len, uint8_t *out)
{
	for (uint32_t i = 0; i < len; i++)
		out[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
}

static int push_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int add_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
	return push_expr(r, e);
}

static int add_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		       uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return push_expr(r, e);
}

static int add_cmp(struct nftnl_rule *r, uint32_t op, uint32_t v, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");
	uint8_t data[4];

	be_bytes(v, len, data);
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		if (nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len) < 0) {
			nftnl_expr_free(e);
			e = NULL;
		}
	}
	return push_expr(r, e);
}

/* A value or a range against register 1: nft 1.0.6 sends a range as
 * two comparisons. */
static int add_match(struct nftnl_rule *r, const struct value *v, uint32_t len)
{
	if (v->lo == v->hi)
		return add_cmp(r, NFT_CMP_EQ, v->lo, len);
	return add_cmp(r, NFT_CMP_GTE, v->lo, len) ?: add_cmp(r, NFT_CMP_LTE, v->hi, len);
}

/* nft's implicit dependency of an ip or ip6 match in an inet table. */
static int add_nfproto(struct nftnl_rule *r, int family)
{
	return add_meta(r, NFT_META_NFPROTO, NFT_REG_1) ?:
	       add_cmp(r, NFT_CMP_EQ, family == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6, 1);
}

/* nft's implicit dependency of an icmp or icmpv6 match. */
static int add_icmp_proto(struct nftnl_rule *r, int family)
{
	return add_meta(r, NFT_META_L4PROTO, NFT_REG_1) ?:
	       add_cmp(r, NFT_CMP_EQ, family == 4 ? 1 : 58, 1);
}

static int add_lookup(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set) < 0) {
			nftnl_expr_free(e);
			e = NULL;
		}
	}
	return push_expr(r, e);
}

static int add_accept(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	}
	return push_expr(r, e);
}

/* `meta l4proto` inside a concatenation: nft 1.0.6 loads it and turns
 * it with a byteorder of length 1, size 2. */
static int add_concat_l4proto(struct nftnl_rule *r, uint32_t reg)
{
	struct nftnl_expr *e;
	int rc = add_meta(r, NFT_META_L4PROTO, reg);

	if (rc < 0)
		return rc;
	e = nftnl_expr_alloc("byteorder");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
	}
	return push_expr(r, e);
}

/* `ADDR . F1 . F2 @set accept`: (meta l4proto, th dport) or (icmp type,
 * icmp code) of the address's family. */
static int encode_concat(struct nftnl_rule *r, const struct words *ws, const char *set)
{
	const struct field *addr = field_at(ws, 0), *f1 = field_at(ws, 3), *f2 = field_at(ws, 6);
	bool is_ports, is_icmp;
	uint32_t idx;
	int rc;

	if (ws->n != 10 || !addr || !f1 || !f2 || !is_word(ws, 2, ".") || !is_word(ws, 5, "."))
		return -EOPNOTSUPP;
	is_ports = f1->kind == F_L4PROTO && f2->kind == F_DPORT;
	is_icmp = f1->kind == F_ICMP_TYPE && f2->kind == F_ICMP_CODE &&
		  f1->family == addr->family && f2->family == addr->family;
	if (addr->kind != F_ADDR || !(is_ports || is_icmp))
		return -EOPNOTSUPP;
	rc = add_nfproto(r, addr->family);
	if (rc == 0 && is_icmp)
		rc = add_icmp_proto(r, addr->family);
	if (rc == 0)
		rc = add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, addr->offset, addr->len, NFT_REG_1);
	idx = addr->len / 4;
	if (rc == 0)
		rc = is_ports ? add_concat_l4proto(r, reg_at(idx))
			      : add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, f1->offset, f1->len,
					    reg_at(idx));
	if (rc == 0)
		rc = add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, f2->offset, f2->len,
				 reg_at(idx + 1));
	return rc ?: add_lookup(r, set) ?: add_accept(r);
}

/* `[MATCH VALUE …] ADDR @set accept`, the matches in the orders the
 * renderer prints: meta l4proto [th dport], or icmp type [icmp code]. */
static int encode_matches(struct nftnl_rule *r, const struct words *ws, const char *set)
{
	const struct field *m[3], *addr;
	struct value v[3];
	size_t n_m = (ws->n - 4) / 3;
	int family = 0; /* what nfproto the rule has matched so far */
	int rc = 0;

	if (ws->n < 4 || (ws->n - 4) % 3 != 0 || n_m > 2)
		return -EOPNOTSUPP;
	addr = field_at(ws, ws->n - 4);
	if (!addr || addr->kind != F_ADDR)
		return -EOPNOTSUPP;
	for (size_t i = 0; i < n_m; i++) {
		m[i] = field_at(ws, 3 * i);
		if (!m[i] || m[i]->kind == F_ADDR || !parse_value(ws, 3 * i + 2, m[i]->max, &v[i]))
			return -EOPNOTSUPP;
	}
	if (n_m >= 1 && m[0]->kind != F_L4PROTO && m[0]->kind != F_ICMP_TYPE)
		return -EOPNOTSUPP;
	if (n_m == 2 && !(m[0]->kind == F_L4PROTO && m[1]->kind == F_DPORT) &&
	    !(m[0]->kind == F_ICMP_TYPE && m[1]->kind == F_ICMP_CODE && m[0]->family == m[1]->family))
		return -EOPNOTSUPP;
	if (n_m >= 1 && m[0]->kind == F_ICMP_TYPE && m[0]->family != addr->family)
		return -EOPNOTSUPP;
	for (size_t i = 0; rc == 0 && i < n_m; i++) {
		const struct field *f = m[i];

		if (f->kind == F_L4PROTO) {
			rc = add_meta(r, NFT_META_L4PROTO, NFT_REG_1) ?: add_match(r, &v[i], 1);
			continue;
		}
		if (f->kind == F_ICMP_TYPE) {
			rc = add_nfproto(r, f->family) ?: add_icmp_proto(r, f->family);
			family = f->family;
		}
		if (rc < 0)
			break;
		/* nft merges adjacent payload matches of single values into one
		 * load: `icmp type 8 icmp code 0` is a 2-byte compare. */
		if (f->kind == F_ICMP_TYPE && i + 1 < n_m && v[i].lo == v[i].hi &&
		    v[i + 1].lo == v[i + 1].hi) {
			rc = add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1) ?:
			     add_cmp(r, NFT_CMP_EQ, v[i].lo << 8 | v[i + 1].lo, 2);
			i++;
			continue;
		}
		rc = add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, f->offset, f->len, NFT_REG_1) ?:
		     add_match(r, &v[i], f->len);
	}
	if (rc == 0 && family != addr->family)
		rc = add_nfproto(r, addr->family);
	if (rc == 0)
		rc = add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, addr->offset, addr->len, NFT_REG_1);
	return rc ?: add_lookup(r, set) ?: add_accept(r);
}

/* One rule's expressions into r: -EOPNOTSUPP for a rule of another
 * shape, -ENOMEM. */
static int encode_rule(struct nftnl_rule *r, const char *text)
{
	struct words ws;
	char set[NFT_NAME_MAXLEN];
	bool is_concat = false;

	split(text, strlen(text), &ws);
	if (ws.n < 4 || ws.n > MAX_WORDS || !is_word(&ws, ws.n - 1, "accept") ||
	    ws.len[ws.n - 2] < 2 || ws.w[ws.n - 2][0] != '@' ||
	    !is_name(ws.w[ws.n - 2] + 1, ws.len[ws.n - 2] - 1))
		return -EOPNOTSUPP;
	memcpy(set, ws.w[ws.n - 2] + 1, ws.len[ws.n - 2] - 1);
	set[ws.len[ws.n - 2] - 1] = '\0';
	for (size_t i = 0; i < ws.n; i++)
		is_concat = is_concat || is_word(&ws, i, ".");
	return is_concat ? encode_concat(r, &ws, set) : encode_matches(r, &ws, set);
}

/* ---- statements ---- */

/* What the transaction did so far. */
struct flushed {
	struct vec names;     /* the sets flushed ("table\0name" each, char *) */
	uint32_t last_set_id; /* NFTA_SET_ID of the last set declared */
};

static bool was_flushed(const struct flushed *f, const char *table, const char *name)
{
	for (size_t i = 0; i < f->names.len; i++) {
		const char *s = *VEC_AT(&f->names, char *, i);

		if (strcmp(s, table) == 0 && strcmp(s + strlen(s) + 1, name) == 0)
			return true;
	}
	return false;
}

/* A set deleted: an `add set` of its name after this declares it anew. */
static void forget_flushed(struct flushed *f, const char *table, const char *name)
{
	for (size_t i = 0; i < f->names.len; i++) {
		char **s = VEC_AT(&f->names, char *, i);

		if (strcmp(*s, table) == 0 && strcmp(*s + strlen(*s) + 1, name) == 0) {
			free(*s);
			*s = *VEC_AT(&f->names, char *, f->names.len - 1);
			f->names.len--;
			return;
		}
	}
}

static int note_flushed(struct flushed *f, const char *table, const char *name)
{
	size_t a = strlen(table) + 1, b = strlen(name) + 1;
	char *s = malloc(a + b);

	if (!s)
		return -ENOMEM;
	memcpy(s, table, a);
	memcpy(s + a, name, b);
	if (vec_push(&f->names, &s) < 0) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

/* `flush|delete chain|set inet T N`, `add chain inet T N`. */
static int encode_simple(struct nftnl_rules_batch *b, const struct words *ws, const char *line,
			 size_t line_len, struct flushed *fl, struct bw_err *err)
{
	char table[NFT_NAME_MAXLEN], name[NFT_NAME_MAXLEN], what[160];
	bool is_chain = is_word(ws, 1, "chain"), is_flush = is_word(ws, 0, "flush");
	bool is_add = is_word(ws, 0, "add");
	struct nlmsghdr *nlh;
	uint16_t type;

	if (ws->n != 5 || !(is_chain || is_word(ws, 1, "set")) || !is_word(ws, 2, "inet") ||
	    !name_at(ws, 3, table) || !name_at(ws, 4, name) || (is_add && !is_chain))
		return -EOPNOTSUPP;
	snprintf(what, sizeof(what), "%.*s", (int)(line_len > 150 ? 150 : line_len), line);
	if (is_chain)
		type = is_add ? NFT_MSG_NEWCHAIN : is_flush ? NFT_MSG_DELRULE : NFT_MSG_DELCHAIN;
	else
		type = is_flush ? NFT_MSG_DELSETELEM : NFT_MSG_DELSET;
	nlh = msg_start(b, type, is_add ? NLM_F_CREATE : 0, what, err);
	if (!nlh)
		return -ENOMEM;
	if (is_chain && is_flush) {
		struct nftnl_rule *r = nftnl_rule_alloc();

		if (!r || nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table) < 0 ||
		    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, name) < 0) {
			nftnl_rule_free(r);
			return oom(err);
		}
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
	} else if (is_chain) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
		    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name) < 0) {
			nftnl_chain_free(c);
			return oom(err);
		}
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nftnl_chain_free(c);
	} else {
		struct nftnl_set *s = nftnl_set_alloc();

		if (!s || nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
		    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
			nftnl_set_free(s);
			return oom(err);
		}
		if (is_flush)
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
		else
			nftnl_set_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		if (is_flush && note_flushed(fl, table, name) < 0)
			return oom(err);
		if (!is_flush)
			forget_flushed(fl, table, name);
	}
	msg_end(b, nlh);
	return 0;
}

/* The NEWSETELEM messages of a set's encoded elements. */
static int add_elem_messages(struct nftnl_rules_batch *b, const char *table, const char *set,
			     uint32_t set_id, const struct vec *elems, size_t key_len,
			     const char *what, struct bw_err *err)
{
	struct nftnl_udata_buf *open_flag = nftnl_udata_buf_alloc(16);
	size_t i = 0;
	int rc = 0;

	if (!open_flag || !nftnl_udata_put_u32(open_flag, NFTNL_UDATA_SET_ELEM_FLAGS,
					       NFTNL_SET_ELEM_F_INTERVAL_OPEN))
		rc = oom(err);
	while (rc == 0 && i < elems->len) {
		struct nftnl_set *s = nftnl_set_alloc();
		size_t bytes = 0, n = 0;
		struct nlmsghdr *nlh;

		if (!s || nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
		    nftnl_set_set_str(s, NFTNL_SET_NAME, set) < 0) {
			nftnl_set_free(s);
			rc = oom(err);
			break;
		}
		/* A set declared in this transaction: named by its id too, as
		 * nft does. */
		if (set_id)
			nftnl_set_set_u32(s, NFTNL_SET_ID, set_id);
		while (rc == 0 && i < elems->len) {
			const struct nftelem *e = VEC_AT(elems, struct nftelem, i);
			size_t size = nftnl_elem_msg_size(e, key_len);
			struct nftnl_set_elem *ne;

			if (n > 0 && bytes + size > MSG_PAYLOAD_MAX)
				break;
			ne = nftnl_elem_make(e, key_len, open_flag);
			if (!ne) {
				rc = oom(err);
				break;
			}
			nftnl_set_elem_add(s, ne);
			bytes += size;
			n++;
			i++;
		}
		/* NLM_F_CREATE without NLM_F_EXCL, as nft's `add element`. */
		nlh = rc == 0 ? msg_start(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, what, err) : NULL;
		if (nlh) {
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
			msg_end(b, nlh);
		} else if (rc == 0) {
			rc = -ENOMEM;
		}
		nftnl_set_free(s);
	}
	if (open_flag)
		nftnl_udata_buf_free(open_flag);
	return rc;
}

/* A declaration nft sends without the user data of typeof expressions:
 * `type ipv4_addr` or `type ipv6_addr`, then `flags interval`, `size N`
 * (bulwark's member sets). */
struct plain_decl {
	uint32_t key_type, key_len, flags, size;
};

static bool parse_plain_decl(const char *header, struct plain_decl *d)
{
	const char *s = header;
	bool has_type = false, has_flags = false, has_size = false;

	*d = (struct plain_decl){ 0 };
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		struct words ws;

		split(s, len, &ws);
		if (!has_type && ws.n == 2 && is_word(&ws, 0, "type") &&
		    (is_word(&ws, 1, "ipv4_addr") || is_word(&ws, 1, "ipv6_addr"))) {
			bool is_v4 = is_word(&ws, 1, "ipv4_addr");

			d->key_type = is_v4 ? 7 : 8; /* nft's TYPE_IPADDR, TYPE_IP6ADDR */
			d->key_len = is_v4 ? 4 : 16;
			has_type = true;
		} else if (has_type && !has_flags && !has_size && ws.n == 2 &&
			   is_word(&ws, 0, "flags") && is_word(&ws, 1, "interval")) {
			d->flags = NFT_SET_INTERVAL;
			has_flags = true;
		} else if (has_type && !has_size && ws.n == 2 && is_word(&ws, 0, "size")) {
			uint64_t v = 0;

			for (size_t i = 0; i < ws.len[1]; i++) {
				if (ws.w[1][i] < '0' || ws.w[1][i] > '9' || (i == 0 && ws.w[1][0] == '0'))
					return false;
				v = v * 10 + (uint64_t)(ws.w[1][i] - '0');
				if (v > UINT32_MAX)
					return false;
			}
			if (ws.len[1] == 0 || v == 0)
				return false;
			d->size = (uint32_t)v;
			has_size = true;
		} else if (ws.n != 0) {
			return false;
		}
		s += len + (nl ? 1 : 0);
	}
	return has_type;
}

/* NEWSET for a plain declaration, as nft 1.0.6 sends it: flags, key type
 * and length, an id, the size as a description, and the key's byte order
 * (big endian) as user data. */
static int add_newset(struct nftnl_rules_batch *b, const char *table, const char *name,
		      const struct plain_decl *d, uint32_t set_id, const char *what,
		      struct bw_err *err)
{
	struct nftnl_udata_buf *udata = nftnl_udata_buf_alloc(16);
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh = NULL;
	int rc = 0;

	/* NFTNL_UDATA_SET_KEYBYTEORDER: nft's BYTEORDER_BIG_ENDIAN (2). */
	if (!udata || !s || !nftnl_udata_put_u32(udata, NFTNL_UDATA_SET_KEYBYTEORDER, 2) ||
	    nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0 ||
	    nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(udata),
			       nftnl_udata_buf_len(udata)) < 0)
		rc = oom(err);
	if (rc == 0) {
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, d->flags);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, d->key_type);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, d->key_len);
		nftnl_set_set_u32(s, NFTNL_SET_ID, set_id);
		if (d->size)
			nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, d->size);
		nlh = msg_start(b, NFT_MSG_NEWSET, NLM_F_CREATE, what, err);
		rc = nlh ? 0 : -ENOMEM;
	}
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		msg_end(b, nlh);
	}
	if (s)
		nftnl_set_free(s);
	if (udata)
		nftnl_udata_buf_free(udata);
	return rc;
}

/* `add set inet T N { declaration; elements = { … } }` over lines
 * [body, body + body_len). A set this transaction flushed exists with
 * this declaration (nftobj_delta() deletes and declares again a set
 * whose declaration changed): only its elements. Any other is declared
 * too, when its declaration is plain (struct plain_decl). */
static int encode_set_cmd(struct nftnl_rules_batch *b, const char *table, const char *name,
			  const char *body, size_t body_len, struct flushed *fl, int line,
			  struct bw_err *err)
{
	struct nftobj_ruleset rs;
	struct strbuf sb = { 0 };
	struct vec elems = VEC_INIT(struct nftelem);
	struct nftelem_layout layout;
	struct plain_decl decl = { 0 };
	const struct nftobj_table *t;
	const struct nftobj *o;
	bool is_refill = was_flushed(fl, table, name);
	uint32_t set_id = 0;
	char what[160];
	int rc;

	strbuf_addf(&sb, "table inet %s {\n\tset %s {\n", table, name);
	strbuf_add(&sb, body, body_len);
	strbuf_addf(&sb, "\n\t}\n}\n");
	if (sb.failed) {
		strbuf_free(&sb);
		return oom(err);
	}
	rc = nftobj_parse(sb.buf, &rs, err);
	strbuf_free(&sb);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EOPNOTSUPP;
	t = VEC_AT(&rs.tables, struct nftobj_table, 0);
	o = rs.tables.len == 1 && t->objs.len == 1 ? VEC_AT(&t->objs, struct nftobj, 0) : NULL;
	if (!o || o->kind != NFTOBJ_SET) {
		rc = bw_errf(err, -EOPNOTSUPP, "nftnl: line %d: set %s: unexpected body", line, name);
		goto out;
	}
	if (!is_refill && !parse_plain_decl(o->header, &decl)) {
		rc = bw_errf(err, -EOPNOTSUPP,
			     "nftnl: line %d: set %s: a declaration of another shape", line, name);
		goto out;
	}
	snprintf(what, sizeof(what), "set inet %.40s %.100s", table, name);
	rc = nftelem_layout_parse(name, o->header, &layout, err);
	if (rc == 0)
		rc = nftelem_encode(name, &layout, (const char *const *)o->items.items, o->items.len,
				    &elems, err);
	if (rc != 0) {
		rc = rc == -ENOMEM ? rc : -EOPNOTSUPP;
		goto out;
	}
	if (!is_refill) {
		set_id = ++fl->last_set_id;
		rc = add_newset(b, table, name, &decl, set_id, what, err);
	}
	if (rc == 0)
		rc = add_elem_messages(b, table, name, set_id, &elems, layout.key_len, what, err);
out:
	vec_free(&elems);
	nftobj_free(&rs);
	return rc;
}

static int encode_chain_rules(struct nftnl_rules_batch *b, const char *table,
			      const struct nftobj *o, struct bw_err *err)
{
	for (size_t i = 0; i < o->items.len; i++) {
		const char *text = *VEC_AT(&o->items, char *, i);
		struct nftnl_rule *r = nftnl_rule_alloc();
		struct nlmsghdr *nlh;
		char what[160];
		int rc;

		if (!r || nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table) < 0 ||
		    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, o->name) < 0) {
			nftnl_rule_free(r);
			return oom(err);
		}
		rc = encode_rule(r, text);
		if (rc < 0) {
			nftnl_rule_free(r);
			if (rc == -ENOMEM)
				return oom(err);
			return bw_errf(err, rc, "nftnl: chain %s: a rule of another shape: `%.120s`",
				       o->name, text);
		}
		snprintf(what, sizeof(what), "chain inet %.20s %.30s: rule `%.80s`", table, o->name, text);
		/* Appended, as nft's `add rule` (without NLM_F_APPEND the
		 * kernel puts the rule first). */
		nlh = msg_start(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, what, err);
		if (!nlh) {
			nftnl_rule_free(r);
			return -ENOMEM;
		}
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
		msg_end(b, nlh);
	}
	return 0;
}

/* `table inet T { chain N { rules } … }`, as nft expands it: the table,
 * every chain (no-ops when they exist), then each chain's rules. */
static int encode_table_block(struct nftnl_rules_batch *b, const char *table, const char *block,
			      int line, struct bw_err *err)
{
	struct nftobj_ruleset rs;
	const struct nftobj_table *t;
	struct nlmsghdr *nlh;
	char what[160];
	int rc = nftobj_parse(block, &rs, err);

	if (rc < 0)
		return rc == -ENOMEM ? rc : -EOPNOTSUPP;
	t = VEC_AT(&rs.tables, struct nftobj_table, 0);
	if (rs.tables.len != 1) {
		rc = bw_errf(err, -EOPNOTSUPP, "nftnl: line %d: unexpected table block", line);
		goto out;
	}
	for (size_t i = 0; i < t->objs.len; i++) {
		const struct nftobj *o = VEC_AT(&t->objs, struct nftobj, i);

		if (o->kind != NFTOBJ_CHAIN || o->is_base_chain || o->header[0]) {
			rc = bw_errf(err, -EOPNOTSUPP,
				     "nftnl: line %d: %s %s: only regular chains are encoded", line,
				     o->kind == NFTOBJ_CHAIN ? "chain" : "object", o->name);
			goto out;
		}
	}
	snprintf(what, sizeof(what), "table inet %.100s", table);
	nlh = msg_start(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, what, err);
	if (!nlh) {
		rc = -ENOMEM;
		goto out;
	}
	{
		struct nftnl_table *nt = nftnl_table_alloc();

		if (!nt || nftnl_table_set_str(nt, NFTNL_TABLE_NAME, table) < 0) {
			nftnl_table_free(nt);
			rc = oom(err);
			goto out;
		}
		nftnl_table_set_u32(nt, NFTNL_TABLE_FLAGS, 0);
		nftnl_table_nlmsg_build_payload(nlh, nt);
		nftnl_table_free(nt);
		msg_end(b, nlh);
	}
	for (size_t i = 0; rc == 0 && i < t->objs.len; i++) {
		const struct nftobj *o = VEC_AT(&t->objs, struct nftobj, i);
		struct nftnl_chain *c = nftnl_chain_alloc();

		snprintf(what, sizeof(what), "chain inet %.40s %.100s", table, o->name);
		nlh = c ? msg_start(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, what, err) : NULL;
		if (!nlh || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
		    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, o->name) < 0) {
			nftnl_chain_free(c);
			rc = oom(err);
			break;
		}
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nftnl_chain_free(c);
		msg_end(b, nlh);
	}
	for (size_t i = 0; rc == 0 && i < t->objs.len; i++)
		rc = encode_chain_rules(b, table, VEC_AT(&t->objs, struct nftobj, i), err);
out:
	nftobj_free(&rs);
	return rc;
}

/* The lines of a block opened on the line before s: up to the line
 * that closes it (a line that is only `}` at depth 0), which *end is
 * set past. Returns the block's length, or -1 when it is not closed. */
static long block_span(const char *s, const char **end, int *line)
{
	const char *p = s;
	int depth = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t a = 0, z = len;

		(*line)++;
		while (a < z && is_blank(p[a]))
			a++;
		while (z > a && is_blank(p[z - 1]))
			z--;
		if (z - a == 1 && p[a] == '}' && depth == 0) {
			*end = p + len + (nl ? 1 : 0);
			return (long)(p - s);
		}
		if (z - a == 1 && p[a] == '}')
			depth--;
		else if (z > a && p[z - 1] == '{')
			depth++;
		p += len + (nl ? 1 : 0);
	}
	return -1;
}

void nftnl_rules_batch_free(struct nftnl_rules_batch *b)
{
	free(b->buf);
	vec_free(&b->msgs);
	*b = (struct nftnl_rules_batch){ 0 };
}

int nftnl_rules_encode(const char *txn, struct nftnl_rules_batch *b, struct bw_err *err)
{
	struct flushed fl = { .names = VEC_INIT(char *) };
	const char *s = txn;
	int line = 0, rc;

	err->msg[0] = '\0';
	b->msgs = (struct vec)VEC_INIT(struct nftnl_rules_msg);
	if (b->seq0 == 0)
		b->seq0 = 1;
	rc = reserve(b, MSG_ROOM, err);
	if (rc == 0)
		b->len = nftnl_batch_begin(b->buf, b->seq0)->nlmsg_len;
	while (rc == 0 && *s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		const char *next = s + len + (nl ? 1 : 0);
		char table[NFT_NAME_MAXLEN], name[NFT_NAME_MAXLEN];
		size_t a = 0, z = len;
		struct words ws;

		line++;
		while (a < z && is_blank(s[a]))
			a++;
		while (z > a && is_blank(s[z - 1]))
			z--;
		if (a == z || s[a] == '#') {
			s = next;
			continue;
		}
		split(s + a, z - a, &ws);
		if (ws.n == 4 && is_word(&ws, 0, "table") && is_word(&ws, 1, "inet") &&
		    name_at(&ws, 2, table) && is_word(&ws, 3, "{")) {
			const char *end;
			int first = line;
			long span = block_span(next, &end, &line);
			char *block;

			if (span < 0) {
				rc = unsupported(err, first, "an unclosed table", s + a, z - a);
				break;
			}
			block = malloc((size_t)(end - s) + 1);
			if (!block) {
				rc = oom(err);
				break;
			}
			memcpy(block, s, (size_t)(end - s));
			block[end - s] = '\0';
			rc = encode_table_block(b, table, block, first, err);
			free(block);
			if (rc == -EOPNOTSUPP && !err->msg[0])
				rc = unsupported(err, first, "a table block of another shape", s + a,
						 z - a);
			s = end;
			continue;
		}
		if (ws.n == 6 && is_word(&ws, 0, "add") && is_word(&ws, 1, "set") &&
		    is_word(&ws, 2, "inet") && name_at(&ws, 3, table) && name_at(&ws, 4, name) &&
		    is_word(&ws, 5, "{")) {
			const char *end;
			int first = line;
			long span = block_span(next, &end, &line);

			if (span < 0) {
				rc = unsupported(err, first, "an unclosed set", s + a, z - a);
				break;
			}
			rc = encode_set_cmd(b, table, name, next, (size_t)span, &fl, first, err);
			s = end;
			continue;
		}
		if (is_word(&ws, 0, "flush") || is_word(&ws, 0, "delete") || is_word(&ws, 0, "add")) {
			rc = encode_simple(b, &ws, s + a, z - a, &fl, err);
			s = next;
			if (rc != -EOPNOTSUPP)
				continue;
		}
		rc = unsupported(err, line, "a statement of another shape", s + a, z - a);
	}
	for (size_t i = 0; i < fl.names.len; i++)
		free(*VEC_AT(&fl.names, char *, i));
	vec_free(&fl.names);
	if (rc == 0)
		rc = reserve(b, 64, err);
	if (rc == 0) {
		struct nlmsghdr *end = nftnl_batch_end(b->buf + b->len,
						       b->seq0 + 1 + (uint32_t)b->msgs.len);

		b->len += end->nlmsg_len;
	}
	return rc;
}

/* ---- the kernel ---- */

struct ack {
	size_t n_acks;
	bool has_error;
	bool is_batch_error;
	int error;
	size_t msg;
	char reason[200];
};

static void read_ack(const struct nftnl_rules_batch *b, const struct nlmsghdr *nlh, struct ack *a)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	uint32_t seq = nlh->nlmsg_seq;
	const struct nlattr *attr;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || seq < b->seq0 ||
	    seq > b->seq0 + b->msgs.len + 1)
		return;
	if (seq > b->seq0 && seq <= b->seq0 + b->msgs.len)
		a->n_acks++;
	if (e->error == 0)
		return;
	if (a->has_error)
		return;
	a->has_error = true;
	a->error = e->error;
	a->is_batch_error = seq <= b->seq0 || seq > b->seq0 + b->msgs.len;
	a->msg = a->is_batch_error ? 0 : seq - b->seq0 - 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(attr, nlh, sizeof(*e)) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(a->reason, sizeof(a->reason), "%s", mnl_attr_get_str(attr));
	}
}

static int set_buffer(int fd, int force, int plain, size_t size)
{
	int v = size > INT32_MAX / 2 ? INT32_MAX / 2 : (int)size;

	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

struct nftnl_rules_conn {
	struct mnl_socket *nl;
	uint32_t seq; /* the next batch's first sequence number */
};

void nftnl_rules_close(struct nftnl_rules_conn **conn)
{
	if (*conn) {
		mnl_socket_close((*conn)->nl);
		free(*conn);
	}
	*conn = NULL;
}

static int conn_open(struct nftnl_rules_conn **out, struct bw_err *err)
{
	struct nftnl_rules_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c) {
		oom(err);
		return -ENOMEM;
	}
	c->seq = 1;
	c->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!c->nl) {
		free(c);
		return bw_errf(err, -errno, "nftnl: netlink socket: %s", strerror(errno));
	}
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(c->nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(c->nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0) {
		int rc = bw_errf(err, -errno, "nftnl: netlink socket: %s", strerror(errno));

		nftnl_rules_close(&c);
		return rc;
	}
	*out = c;
	return 0;
}

/* Sends the batch and reads every answer. The kernel handles a batch
 * while the sender is in sendmsg(), so every answer is queued when it
 * returns: read without waiting. Answers left from an earlier batch on
 * the same socket are dropped first. */
static int talk(struct nftnl_rules_conn *c, const struct nftnl_rules_batch *b, bool *is_broken,
		struct bw_err *err)
{
	int fd = mnl_socket_get_fd(c->nl);
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	struct ack a = { 0 };

	*is_broken = true;
	while (recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
		;
	if (set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, b->len + 4096) < 0 ||
	    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, b->msgs.len * 1024 + 65536) < 0)
		return bw_errf(err, -errno, "nftnl: netlink socket: %s", strerror(errno));
	if (mnl_socket_sendto(c->nl, b->buf, b->len) < 0)
		return bw_errf(err, -errno, "nftnl: sending %zu bytes: %s", b->len, strerror(errno));
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int left = (int)n;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return bw_errf(err, -errno, "nftnl: reading the kernel's answers: %s",
				       strerror(errno));
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_type == NLMSG_ERROR)
				read_ack(b, nlh, &a);
	}
	*is_broken = false;
	if (a.has_error && a.is_batch_error)
		return bw_errf(err, a.error, "nftnl: the kernel refused the transaction: %s%s%s",
			       strerror(-a.error), a.reason[0] ? ": " : "", a.reason);
	if (a.has_error)
		return bw_errf(err, a.error, "nftnl: %s: %s%s%s",
			       VEC_AT(&b->msgs, struct nftnl_rules_msg, a.msg)->what,
			       strerror(-a.error), a.reason[0] ? ": " : "", a.reason);
	*is_broken = a.n_acks != b->msgs.len;
	if (*is_broken)
		return bw_errf(err, -EPROTO, "nftnl: the kernel answered %zu of %zu messages",
			       a.n_acks, b->msgs.len);
	return 0;
}

int nftnl_rules_load_on(struct nftnl_rules_conn **conn, const char *txn, struct bw_err *err)
{
	struct nftnl_rules_batch b = { 0 };
	int rc;

	b.seq0 = *conn ? (*conn)->seq : 1;
	rc = nftnl_rules_encode(txn, &b, err);
	if (rc == 0 && b.msgs.len > 0 && !*conn)
		rc = conn_open(conn, err);
	if (rc == 0 && b.msgs.len > 0 && *conn) {
		/* Past this batch's BEGIN, messages and END; kept below 2^31. */
		(*conn)->seq = b.seq0 + (uint32_t)b.msgs.len + 2 > INT32_MAX
				       ? 1
				       : b.seq0 + (uint32_t)b.msgs.len + 2;
		bool is_broken;

		rc = talk(*conn, &b, &is_broken, err);
		/* A socket that failed is not used again; the kernel's refusal
		 * leaves it as good as it was. */
		if (is_broken)
			nftnl_rules_close(conn);
	}
	nftnl_rules_batch_free(&b);
	return rc;
}

int nftnl_rules_load(const char *txn, struct bw_err *err)
{
	struct nftnl_rules_conn *conn = NULL;
	int rc = nftnl_rules_load_on(&conn, txn, err);

	nftnl_rules_close(&conn);
	return rc;
}
