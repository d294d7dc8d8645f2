#include "model/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

size_t cidr_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static void set_text(struct cidr *c)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->addr, addr, sizeof(addr));
	snprintf(c->text, sizeof(c->text), "%s/%u", addr, c->prefix_len);
}

int cidr_parse_addr(const char *text, struct cidr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->addr) == 1) {
		out->family = AF_INET;
		out->prefix_len = 32;
	} else if (inet_pton(AF_INET6, text, out->addr) == 1) {
		out->family = AF_INET6;
		out->prefix_len = 128;
	} else {
		return -EINVAL;
	}
	set_text(out);
	return 0;
}

int cidr_parse(const char *text, bool is_host_allowed, struct cidr *out,
	       char *why, size_t why_size)
{
	char addr_text[64];
	const char *slash = strchr(text, '/');
	size_t addr_len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long prefix_len;
	uint8_t masked[16];
	int max_len;

	if (addr_len == 0 || addr_len >= sizeof(addr_text)) {
		snprintf(why, why_size, "'%.64s' is not an address range", text);
		return -EINVAL;
	}
	memcpy(addr_text, text, addr_len);
	addr_text[addr_len] = '\0';
	if (cidr_parse_addr(addr_text, out) < 0) {
		snprintf(why, why_size, "'%.64s' is not an IPv4 or IPv6 address range", text);
		return -EINVAL;
	}
	max_len = out->prefix_len;
	prefix_len = (unsigned long)max_len;
	if (!slash && !is_host_allowed) {
		snprintf(why, why_size, "'%.64s' has no prefix length (/N)", text);
		return -EINVAL;
	}
	if (slash) {
		char *end;

		if (slash[1] < '0' || slash[1] > '9') {
			snprintf(why, why_size, "'%.64s' has no prefix length after '/'", text);
			return -EINVAL;
		}
		prefix_len = strtoul(slash + 1, &end, 10);
		if (*end || prefix_len > (unsigned long)max_len) {
			snprintf(why, why_size, "'%.64s' has a prefix length that is not 0 to %d",
				 text, max_len);
			return -EINVAL;
		}
	}
	out->prefix_len = (uint8_t)prefix_len;
	memcpy(masked, out->addr, sizeof(masked));
	for (int bit = (int)prefix_len; bit < max_len; bit++)
		masked[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	if (memcmp(masked, out->addr, (size_t)max_len / 8) != 0) {
		char canon[INET6_ADDRSTRLEN];

		inet_ntop(out->family, masked, canon, sizeof(canon));
		snprintf(why, why_size, "'%.64s' has host bits set; did you mean %s/%lu?",
			 text, canon, prefix_len);
		return -EINVAL;
	}
	set_text(out);
	return 0;
}

void cidr_bounds(const struct cidr *range, uint8_t first[16], uint8_t last[16])
{
	int max_len = (int)cidr_addr_len(range->family) * 8;

	memset(first, 0, 16);
	memset(last, 0, 16);
	memcpy(first, range->addr, cidr_addr_len(range->family));
	memcpy(last, range->addr, cidr_addr_len(range->family));
	for (int bit = range->prefix_len; bit < max_len; bit++)
		last[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
}

bool cidr_contains(const struct cidr *range, const struct cidr *addr)
{
	int full = range->prefix_len / 8, rest = range->prefix_len % 8;

	if (range->family != addr->family)
		return false;
	if (memcmp(range->addr, addr->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((range->addr[full] ^ addr->addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}
