#include "render/vpc_nft_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const struct family_names vnft_families[2] = {
	{ AF_INET, "v4", "ip", "icmp", VPC_PROTO_ICMP },
	{ AF_INET6, "v6", "ip6", "icmpv6", VPC_PROTO_ICMPV6 },
};

/* ---- addresses ------------------------------------------------------- */

addr128 vnft_to_a128(const uint8_t *bytes, int family)
{
	addr128 v = 0;

	for (size_t i = 0; i < cidr_addr_len(family); i++)
		v = (v << 8) | bytes[i];
	return v;
}

void vnft_cidr_range(const struct cidr *c, addr128 *lo, addr128 *hi)
{
	uint8_t first[16], last[16];

	cidr_bounds(c, first, last);
	*lo = vnft_to_a128(first, c->family);
	*hi = vnft_to_a128(last, c->family);
}

/* The address as nft prints it into out (INET6_ADDRSTRLEN bytes at
 * least); returns its length. IPv4 by hand: inet_ntop and a "%s" through
 * vsnprintf were a fifth of rendering 10,000 instances. */
static size_t format_addr(addr128 v, int family, char *out, size_t out_size)
{
	uint8_t bytes[16];
	size_t len = cidr_addr_len(family);

	if (family == AF_INET) {
		char *p = out;

		for (int shift = 24; shift >= 0; shift -= 8) {
			unsigned octet = (unsigned)(v >> shift) & 0xff;

			if (octet >= 100)
				*p++ = (char)('0' + octet / 100);
			if (octet >= 10)
				*p++ = (char)('0' + octet / 10 % 10);
			*p++ = (char)('0' + octet % 10);
			if (shift > 0)
				*p++ = '.';
		}
		*p = '\0';
		return (size_t)(p - out);
	}
	for (size_t i = len; i-- > 0;) {
		bytes[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	inet_ntop(family, bytes, out, (socklen_t)out_size);
	return strlen(out);
}

/* "10.0.0.0/8", "10.0.0.5", or "10.0.0.5-10.0.0.9". */
void vnft_add_range(struct strbuf *sb, addr128 lo, addr128 hi, int family)
{
	int bits = (int)cidr_addr_len(family) * 8;
	char text[2 * INET6_ADDRSTRLEN + 2];
	addr128 size = hi - lo;
	size_t n = format_addr(lo, family, text, INET6_ADDRSTRLEN);

	if (lo == hi) {
		strbuf_add(sb, text, n);
		return;
	}
	/* A range is a prefix when its size is a power of two and lo is aligned. */
	if ((size & (size + 1)) == 0 && (lo & size) == 0) {
		int host_bits = 0;

		while (host_bits < bits && ((size >> host_bits) & 1))
			host_bits++;
		n += (size_t)snprintf(text + n, sizeof(text) - n, "/%d", bits - host_bits);
		strbuf_add(sb, text, n);
		return;
	}
	text[n++] = '-';
	n += format_addr(hi, family, text + n, INET6_ADDRSTRLEN);
	strbuf_add(sb, text, n);
}

void vnft_add_size(struct strbuf *sb, size_t n)
{
	if (n > 0)
		strbuf_addf(sb, "\t\tsize %zu\n", 2 * n);
}

void vnft_add_interval(struct strbuf *sb, uint32_t lo, uint32_t hi)
{
	if (lo == hi)
		strbuf_addf(sb, "%u", lo);
	else
		strbuf_addf(sb, "%u-%u", lo, hi);
}

void vnft_add_elements(struct strbuf *sb, const struct vec *boxes, enum set_kind kind,
			 int family, const char *verdict_allow, const char *verdict_deny)
{
	for (size_t i = 0; i < boxes->len; i++) {
		const struct box *b = VEC_AT(boxes, struct box, i);

		strbuf_addf(sb, "%s", i ? ",\n\t\t\t     " : "");
		vnft_add_range(sb, b->addr_lo, b->addr_hi, family);
		if (kind != KIND_ALL) {
			strbuf_addf(sb, " . ");
			vnft_add_interval(sb, b->a_lo, b->a_hi);
		}
		if (kind == KIND_PORTS || kind == KIND_ICMP) {
			strbuf_addf(sb, " . ");
			vnft_add_interval(sb, b->b_lo, b->b_hi);
		}
		if (verdict_allow)
			strbuf_addf(sb, " : %s", b->verdict ? verdict_allow : verdict_deny);
	}
}

const char *vnft_dir_name(enum vpc_dir dir)
{
	return dir == VPC_INGRESS ? "in" : "out";
}

/* The typeof of a set or map: peer . protocol . port, and so on. */
void vnft_add_typeof(struct strbuf *sb, enum set_kind kind, const struct family_names *f,
		       const char *addr_field)
{
	strbuf_addf(sb, "%s %s", f->ip, addr_field);
	if (kind == KIND_PORTS)
		strbuf_addf(sb, " . meta l4proto . th dport");
	else if (kind == KIND_ICMP)
		strbuf_addf(sb, " . %s type . %s code", f->icmp, f->icmp);
	else if (kind == KIND_PROTO)
		strbuf_addf(sb, " . meta l4proto");
}

bool vnft_mac_is_valid(const char *mac)
{
	for (int i = 0; i < 17; i++) {
		char c = mac[i];

		if (i % 3 == 2 ? c != ':' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return mac[17] == '\0';
}

static int range_cmp(const void *a, const void *b)
{
	const struct vnft_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* An ENI's addresses and prefixes of one family, sorted, overlaps merged
 * (an interval set refuses overlapping elements). */
int vnft_eni_ranges(const struct vpc_eni *eni, int family, struct vec *out)
{
	size_t n = 0;

	for (size_t a = 0; a < eni->addrs.len; a++) {
		const struct cidr *addr = VEC_AT(&eni->addrs, struct cidr, a);
		struct vnft_range r;

		if (addr->family != family)
			continue;
		vnft_cidr_range(addr, &r.lo, &r.hi);
		if (vec_push(out, &r) < 0)
			return -ENOMEM;
	}
	if (out->len > 1)
		qsort(out->items, out->len, sizeof(struct vnft_range), range_cmp);
	for (size_t i = 0; i < out->len; i++) {
		const struct vnft_range *r = VEC_AT(out, struct vnft_range, i);
		struct vnft_range *last = n > 0 ? VEC_AT(out, struct vnft_range, n - 1) : NULL;

		if (last && r->lo <= last->hi) {
			if (r->hi > last->hi)
				last->hi = r->hi;
			continue;
		}
		*VEC_AT(out, struct vnft_range, n++) = *r;
	}
	out->len = n;
	return 0;
}
