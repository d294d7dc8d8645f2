/* render/nftelem.c: element text as bulwark prints it → the netlink
 * elements nft sends (see nftelem.h). */
#include "render/nftelem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "util/hex.h"

#define IFNAME_LEN 16 /* IFNAMSIZ: the key holds the name NUL-padded */
#define CHAIN_MAX 255 /* NFT_CHAIN_MAXNAMELEN - 1 */

static size_t field_len(enum nftelem_field f)
{
	switch (f) {
	case NFTELEM_IPV4:
		return 4;
	case NFTELEM_IPV6:
		return 16;
	case NFTELEM_MAC:
		return 6;
	case NFTELEM_IFNAME:
		return IFNAME_LEN;
	case NFTELEM_U8:
		return 1;
	case NFTELEM_PORT:
		return 2;
	}
	return 0;
}

static bool span_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* ---- declarations ---- */

struct expr_name {
	const char *name;
	enum nftelem_field field;
};

/* The typeof expressions and the type names bulwark prints, and a few of
 * the same width and byte order. */
static const struct expr_name typeof_exprs[] = {
	{ "ip saddr", NFTELEM_IPV4 },        { "ip daddr", NFTELEM_IPV4 },
	{ "rt ip nexthop", NFTELEM_IPV4 },   { "ip6 saddr", NFTELEM_IPV6 },
	{ "ip6 daddr", NFTELEM_IPV6 },       { "rt ip6 nexthop", NFTELEM_IPV6 },
	{ "ether saddr", NFTELEM_MAC },      { "ether daddr", NFTELEM_MAC },
	{ "iifname", NFTELEM_IFNAME },       { "oifname", NFTELEM_IFNAME },
	{ "meta iifname", NFTELEM_IFNAME },  { "meta oifname", NFTELEM_IFNAME },
	{ "meta l4proto", NFTELEM_U8 },      { "ip protocol", NFTELEM_U8 },
	{ "icmp type", NFTELEM_U8 },         { "icmp code", NFTELEM_U8 },
	{ "icmpv6 type", NFTELEM_U8 },       { "icmpv6 code", NFTELEM_U8 },
	{ "th dport", NFTELEM_PORT },        { "th sport", NFTELEM_PORT },
	{ "tcp dport", NFTELEM_PORT },       { "tcp sport", NFTELEM_PORT },
	{ "udp dport", NFTELEM_PORT },       { "udp sport", NFTELEM_PORT },
};

static const struct expr_name type_names[] = {
	{ "ipv4_addr", NFTELEM_IPV4 }, { "ipv6_addr", NFTELEM_IPV6 },
	{ "ether_addr", NFTELEM_MAC }, { "ifname", NFTELEM_IFNAME },
	{ "inet_proto", NFTELEM_U8 },  { "inet_service", NFTELEM_PORT },
};

static int lookup_field(const struct expr_name *table, size_t n, const char *s, size_t len,
			enum nftelem_field *out)
{
	for (size_t i = 0; i < n; i++) {
		if (span_is(s, len, table[i].name)) {
			*out = table[i].field;
			return 0;
		}
	}
	return -EOPNOTSUPP;
}

/* `typeof a . b : verdict` or `type x . y : verdict` after its keyword. */
static int parse_key_decl(const char *name, const char *s, size_t len, bool is_typeof,
			  struct nftelem_layout *l, struct bw_err *err)
{
	const char *colon = memmem(s, len, " : ", 3);
	size_t key_len = colon ? (size_t)(colon - s) : len;

	if (colon) {
		const char *data = colon + 3;

		if (!span_is(data, len - key_len - 3, "verdict"))
			return bw_errf(err, -EOPNOTSUPP, "set %s: map data `%.*s` is not a verdict",
				       name, (int)(len - key_len - 3), data);
		l->is_verdict_map = true;
	}
	while (key_len > 0) {
		const char *dot = memmem(s, key_len, " . ", 3);
		size_t part = dot ? (size_t)(dot - s) : key_len;
		enum nftelem_field f;
		int rc = is_typeof ? lookup_field(typeof_exprs, sizeof(typeof_exprs) / sizeof(*typeof_exprs),
						  s, part, &f)
				   : lookup_field(type_names, sizeof(type_names) / sizeof(*type_names), s,
						  part, &f);

		if (rc < 0)
			return bw_errf(err, rc, "set %s: key `%.*s` is not one this loader encodes",
				       name, (int)part, s);
		if (l->n_fields == NFTELEM_MAX_FIELDS)
			return bw_errf(err, -EOPNOTSUPP, "set %s: too many key fields", name);
		l->fields[l->n_fields++] = f;
		if (!dot)
			break;
		s += part + 3;
		key_len -= part + 3;
		if (key_len == 0)
			return bw_errf(err, -EOPNOTSUPP, "set %s: key ends with ` . `", name);
	}
	if (l->n_fields == 0)
		return bw_errf(err, -EOPNOTSUPP, "set %s: no key", name);
	return 0;
}

static bool is_number(const char *s, size_t len)
{
	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int nftelem_layout_parse(const char *name, const char *header, struct nftelem_layout *out,
			 struct bw_err *err)
{
	const char *s = header;
	bool has_key = false;

	*out = (struct nftelem_layout){ 0 };
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		bool is_typeof = len > 7 && memcmp(s, "typeof ", 7) == 0;
		bool is_type = !is_typeof && len > 5 && memcmp(s, "type ", 5) == 0;
		int rc = 0;

		if ((is_typeof || is_type) && !has_key)
			rc = parse_key_decl(name, s + (is_typeof ? 7 : 5), len - (is_typeof ? 7 : 5),
					    is_typeof, out, err);
		else if (span_is(s, len, "flags interval"))
			out->is_interval = true;
		else if (span_is(s, len, "auto-merge"))
			out->is_auto_merge = true;
		else if (span_is(s, len, "policy memory") || span_is(s, len, "policy performance") ||
			 (len > 5 && memcmp(s, "size ", 5) == 0 && is_number(s + 5, len - 5)))
			;
		else if (len > 0)
			rc = bw_errf(err, -EOPNOTSUPP, "set %s: declaration `%.*s` is not one this "
				     "loader encodes", name, (int)(len > 80 ? 80 : len), s);
		if (rc < 0)
			return rc;
		has_key = has_key || is_typeof || is_type;
		s += len + (nl ? 1 : 0);
	}
	if (!has_key)
		return bw_errf(err, -EOPNOTSUPP, "set %s: no `type` or `typeof`", name);
	if (out->is_auto_merge && (!out->is_interval || out->is_verdict_map || out->n_fields > 1))
		return bw_errf(err, -EOPNOTSUPP, "set %s: auto-merge beyond a set of intervals", name);
	for (size_t i = 0; i < out->n_fields; i++) {
		size_t flen = field_len(out->fields[i]);

		/* An interface name in an interval set is a wildcard for nft. */
		if (out->fields[i] == NFTELEM_IFNAME && out->is_interval)
			return bw_errf(err, -EOPNOTSUPP, "set %s: interface names in an interval set",
				       name);
		out->key_len += out->n_fields == 1 ? flen : (flen + 3) / 4 * 4;
	}
	return 0;
}

/* ---- values ---- */

struct parse {
	const char *set;
	const char *item;
	struct bw_err *err;
};

static int bad(const struct parse *p, int code, const char *what)
{
	size_t len = strlen(p->item);

	return bw_errf(p->err, code, "set %s: element `%.*s%s`: %s", p->set,
		       (int)(len > 100 ? 100 : len), p->item, len > 100 ? "…" : "", what);
}

/* A decimal number without sign or leading zero, at most max. */
static bool parse_uint(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static bool parse_addr(int af, const char *s, size_t len, uint8_t *out)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(af, buf, out) == 1;
}

static bool parse_mac(const char *s, size_t len, uint8_t *out)
{
	if (len != 17)
		return false;
	for (size_t i = 0; i < 6; i++) {
		int hi = hex_digit(s[i * 3]), lo = hex_digit(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool parse_ifname(const char *s, size_t len, uint8_t *out)
{
	if (len < 3 || len - 2 >= IFNAME_LEN || s[0] != '"' || s[len - 1] != '"')
		return false;
	for (size_t i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* `*` is nft's wildcard; quotes and backslashes its escapes. */
		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '*')
			return false;
	}
	memset(out, 0, IFNAME_LEN);
	memcpy(out, s + 1, len - 2);
	return true;
}

/* One key field's text as its first and last value, each flen bytes.
 * Ranges (`a-b`) and prefixes (`a/n`) only when is_range_ok. */
static int parse_field(const struct parse *p, enum nftelem_field f, const char *s, size_t len,
		       bool is_range_ok, uint8_t *lo, uint8_t *hi)
{
	size_t flen = field_len(f);
	const char *slash = memchr(s, '/', len);
	const char *dash = memchr(s, '-', len);
	size_t first_len = slash ? (size_t)(slash - s) : dash ? (size_t)(dash - s) : len;
	unsigned long a, b;

	if ((slash || dash) && !is_range_ok)
		return bad(p, -EINVAL, "a range or prefix in a set without `flags interval`");
	switch (f) {
	case NFTELEM_IPV4:
	case NFTELEM_IPV6: {
		int af = f == NFTELEM_IPV4 ? AF_INET : AF_INET6;

		if (slash && dash)
			return bad(p, -EINVAL, "a prefix and a range in one field");
		if (!parse_addr(af, s, first_len, lo))
			return bad(p, -EINVAL, "not an address");
		if (slash) {
			unsigned long bits;

			if (!parse_uint(slash + 1, len - first_len - 1, flen * 8, &bits))
				return bad(p, -EINVAL, "not a prefix length");
			memcpy(hi, lo, flen);
			for (size_t i = 0; i < flen; i++) {
				size_t keep = bits > i * 8 ? bits - i * 8 : 0;
				uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);

				if (lo[i] & (uint8_t)~mask)
					return bad(p, -EINVAL, "bits set past the prefix length");
				hi[i] = (uint8_t)(lo[i] | (uint8_t)~mask);
			}
		} else if (dash) {
			if (!parse_addr(af, dash + 1, len - first_len - 1, hi))
				return bad(p, -EINVAL, "not an address range");
			if (memcmp(lo, hi, flen) > 0)
				return bad(p, -EINVAL, "a range that ends before it starts");
		} else {
			memcpy(hi, lo, flen);
		}
		return 0;
	}
	case NFTELEM_MAC:
		if (!parse_mac(s, len, lo))
			return bad(p, -EINVAL, "not a MAC address");
		memcpy(hi, lo, flen);
		return 0;
	case NFTELEM_IFNAME:
		if (!parse_ifname(s, len, lo))
			return bad(p, -EOPNOTSUPP, "not a plain quoted interface name");
		memcpy(hi, lo, flen);
		return 0;
	case NFTELEM_U8:
	case NFTELEM_PORT: {
		unsigned long max = f == NFTELEM_U8 ? 0xff : 0xffff;

		if (slash)
			return bad(p, -EINVAL, "a prefix on a number");
		if (first_len > 0 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
			return bad(p, -EOPNOTSUPP, "a name where this loader encodes numbers");
		if (!parse_uint(s, first_len, max, &a))
			return bad(p, -EINVAL, "not a number in range");
		b = a;
		if (dash && !parse_uint(dash + 1, len - first_len - 1, max, &b))
			return bad(p, -EINVAL, "not a number range");
		if (b < a)
			return bad(p, -EINVAL, "a range that ends before it starts");
		if (f == NFTELEM_U8) {
			lo[0] = (uint8_t)a;
			hi[0] = (uint8_t)b;
		} else {
			lo[0] = (uint8_t)(a >> 8);
			lo[1] = (uint8_t)a;
			hi[0] = (uint8_t)(b >> 8);
			hi[1] = (uint8_t)b;
		}
		return 0;
	}
	}
	return bad(p, -EOPNOTSUPP, "unknown field");
}

static bool is_chain_char(char c, bool is_first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	return !is_first && ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/');
}

static int parse_verdict(const struct parse *p, const char *s, struct nftelem *e)
{
	static const struct {
		const char *word;
		int32_t code;
	} plain[] = {
		{ "accept", NF_ACCEPT },
		{ "drop", NF_DROP },
		{ "continue", NFT_CONTINUE },
		{ "return", NFT_RETURN },
	};
	size_t len = strlen(s);

	e->has_verdict = true;
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++) {
		if (span_is(s, len, plain[i].word)) {
			e->verdict = plain[i].code;
			return 0;
		}
	}
	if (len > 5 && (memcmp(s, "jump ", 5) == 0 || memcmp(s, "goto ", 5) == 0)) {
		e->verdict = s[0] == 'j' ? NFT_JUMP : NFT_GOTO;
		e->chain = s + 5;
		e->chain_len = len - 5;
		if (e->chain_len > CHAIN_MAX)
			return bad(p, -EINVAL, "chain name too long");
		for (size_t i = 0; i < e->chain_len; i++)
			if (!is_chain_char(e->chain[i], i == 0))
				return bad(p, -EOPNOTSUPP, "not a plain chain name");
		return 0;
	}
	return bad(p, -EOPNOTSUPP, "not a verdict this loader encodes");
}

/* One element's key as first and last values (each key_len bytes: the
 * concatenation, fields padded) and its verdict. */
static int parse_item(const struct parse *p, const struct nftelem_layout *l, uint8_t *lo,
		      uint8_t *hi, struct nftelem *e)
{
	const char *s = p->item;
	const char *colon = strstr(s, " : ");
	size_t key_len = colon ? (size_t)(colon - s) : strlen(s);
	size_t off = 0;
	int rc;

	if (colon && !l->is_verdict_map)
		return bad(p, -EINVAL, "data in a set");
	if (!colon && l->is_verdict_map)
		return bad(p, -EINVAL, "no verdict in a map");
	if (colon && (rc = parse_verdict(p, colon + 3, e)) < 0)
		return rc;
	memset(lo, 0, NFTELEM_KEY_MAX);
	memset(hi, 0, NFTELEM_KEY_MAX);
	for (size_t i = 0; i < l->n_fields; i++) {
		const char *dot = memmem(s, key_len, " . ", 3);
		size_t part = dot ? (size_t)(dot - s) : key_len;
		size_t flen = field_len(l->fields[i]);

		if ((i + 1 < l->n_fields) != (dot != NULL))
			return bad(p, -EINVAL, "not as many values as the key has fields");
		rc = parse_field(p, l->fields[i], s, part, l->is_interval, lo + off, hi + off);
		if (rc < 0)
			return rc;
		off += l->n_fields == 1 ? flen : (flen + 3) / 4 * 4;
		if (dot) {
			s += part + 3;
			key_len -= part + 3;
		}
	}
	return 0;
}

/* ---- elements ---- */

struct interval {
	uint8_t lo[NFTELEM_KEY_MAX];
	uint8_t hi[NFTELEM_KEY_MAX];
	size_t key_len; /* for the comparison: qsort takes no context */
	struct nftelem data; /* verdict and item */
};

static int cmp_interval(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;
	int c = memcmp(x->lo, y->lo, x->key_len);

	if (c != 0)
		return c;
	return x->data.item < y->data.item ? -1 : x->data.item > y->data.item;
}

/* hi + 1 into out; false when hi is the top of the key space. */
static bool next_key(const uint8_t *hi, size_t len, uint8_t *out)
{
	memcpy(out, hi, len);
	for (size_t i = len; i-- > 0;) {
		if (++out[i] != 0)
			return true;
	}
	return false;
}

/* A single-field interval set as nft sends it (rbtree): sorted, merged
 * (auto-merge) or refused when overlapping, an end element at 0 unless
 * the first interval starts there, then start and end of each. */
static int encode_rbtree(const struct parse *p0, const char *const *items,
			 const struct nftelem_layout *l, struct interval *iv, size_t n,
			 struct vec *out)
{
	static const uint8_t zero[NFTELEM_KEY_MAX];
	size_t kl = l->key_len, m = 0;

	if (n == 0 || !iv)
		return 0;
	qsort(iv, n, sizeof(*iv), cmp_interval);
	for (size_t i = 0; i < n; i++) {
		if (m > 0) {
			struct interval *last = &iv[m - 1];
			uint8_t next[NFTELEM_KEY_MAX];
			bool has_next = next_key(last->hi, kl, next);
			bool overlaps = memcmp(iv[i].lo, last->hi, kl) <= 0;
			bool touches = has_next && memcmp(iv[i].lo, next, kl) == 0;

			if (overlaps && !l->is_auto_merge) {
				struct parse p = *p0;

				p.item = items[iv[i].data.item];
				return bad(&p, -EINVAL, "overlaps another element (conflicting intervals)");
			}
			if (l->is_auto_merge && (overlaps || touches)) {
				if (memcmp(iv[i].hi, last->hi, kl) > 0)
					memcpy(last->hi, iv[i].hi, kl);
				continue;
			}
		}
		if (m != i)
			iv[m] = iv[i];
		m++;
	}
	if (m > 0 && memcmp(iv[0].lo, zero, kl) != 0) {
		struct nftelem e = { .is_interval_end = true, .item = iv[0].data.item };

		if (vec_push(out, &e) < 0)
			return bw_errf(p0->err, -ENOMEM, "nftelem: out of memory");
	}
	for (size_t i = 0; i < m; i++) {
		struct nftelem start = iv[i].data;
		struct nftelem end = { .is_interval_end = true, .item = iv[i].data.item };
		bool has_end = next_key(iv[i].hi, kl, end.key);

		memcpy(start.key, iv[i].lo, kl);
		start.is_open = !has_end;
		if (vec_push(out, &start) < 0 || (has_end && vec_push(out, &end) < 0))
			return bw_errf(p0->err, -ENOMEM, "nftelem: out of memory");
	}
	return 0;
}

int nftelem_encode(const char *name, const struct nftelem_layout *layout,
		   const char *const *items, size_t n, struct vec *out, struct bw_err *err)
{
	bool is_rbtree = layout->is_interval && layout->n_fields == 1;
	bool is_pipapo = layout->is_interval && layout->n_fields > 1;
	size_t old_len = out->len;
	struct interval *iv = NULL;
	uint8_t lo[NFTELEM_KEY_MAX], hi[NFTELEM_KEY_MAX];
	int rc = 0;

	if (out->item_size != sizeof(struct nftelem))
		return bw_errf(err, -EINVAL, "nftelem: wrong vector");
	if (is_rbtree && n > 0) {
		iv = calloc(n, sizeof(*iv));
		if (!iv)
			return bw_errf(err, -ENOMEM, "nftelem: out of memory");
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct parse p = { .set = name, .item = items[i], .err = err };
		struct nftelem e = { .item = i };

		rc = parse_item(&p, layout, lo, hi, &e);
		if (rc < 0)
			break;
		if (is_rbtree) {
			memcpy(iv[i].lo, lo, layout->key_len);
			memcpy(iv[i].hi, hi, layout->key_len);
			iv[i].key_len = layout->key_len;
			iv[i].data = e;
			continue;
		}
		memcpy(e.key, lo, layout->key_len);
		if (is_pipapo) {
			memcpy(e.key_end, hi, layout->key_len);
			e.has_key_end = true;
		}
		if (vec_push(out, &e) < 0)
			rc = bw_errf(err, -ENOMEM, "nftelem: out of memory");
	}
	if (rc == 0 && is_rbtree)
		rc = encode_rbtree(&(struct parse){ .set = name, .err = err }, items, layout, iv, n, out);
	free(iv);
	if (rc < 0)
		out->len = old_len;
	return rc;
}
