/* Internal to the vpc_nft renderer (vpc_nft*.c): the names and writers
 * its files share. Not for other modules. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "model/cidr.h"
#include "render/boxes.h"
#include "model/vpc.h"
#include "render/vpc_nft.h"
#include "util/strbuf.h"
#include "util/vec.h"

enum set_kind { KIND_PORTS, KIND_ICMP, KIND_PROTO, KIND_ALL, N_KINDS };

struct family_names {
	int family;
	const char *suffix;   /* v4 / v6 */
	const char *ip;       /* ip / ip6 */
	const char *icmp;     /* icmp / icmpv6 */
	int icmp_proto;
};

/* [0] IPv4, [1] IPv6. */
extern const struct family_names vnft_families[2];

/* ---- addresses and elements (vpc_nft_util.c) ---- */
addr128 vnft_to_a128(const uint8_t *bytes, int family);
void vnft_cidr_range(const struct cidr *c, addr128 *lo, addr128 *hi);
/* "10.0.0.0/8", "10.0.0.5", or "10.0.0.5-10.0.0.9". */
void vnft_add_range(struct strbuf *sb, addr128 lo, addr128 hi, int family);
void vnft_add_interval(struct strbuf *sb, uint32_t lo, uint32_t hi);
/* The elements of a set (verdict_allow NULL) or of a verdict map. */
void vnft_add_elements(struct strbuf *sb, const struct vec *boxes, enum set_kind kind,
		       int family, const char *verdict_allow, const char *verdict_deny);
const char *vnft_dir_name(enum vpc_dir dir);

/* "\t\tsize N\n" for a hash set or map about to get n elements (none
 * for an empty one): told its size, the kernel builds the hash table
 * once instead of growing it element by element (a third of the load of
 * a 100,000-element set). Twice n: room for what an edit may add. */
void vnft_add_size(struct strbuf *sb, size_t n);
struct vnft_range {
	addr128 lo, hi;
};

/* Appends an ENI's addresses and delegated prefixes of family to out (a
 * vec of struct vnft_range), sorted, overlaps merged (an interval set
 * refuses overlapping elements). Returns 0 or -ENOMEM. */
int vnft_eni_ranges(const struct vpc_eni *eni, int family, struct vec *out);
/* "0a:1b:2c:3d:4e:5f", lowercase (a MAC lands in the ruleset's text). */
bool vnft_mac_is_valid(const char *mac);
/* The typeof of a set or map: peer . protocol . port, and so on. */
void vnft_add_typeof(struct strbuf *sb, enum set_kind kind, const struct family_names *f,
		     const char *addr_field);

/* ---- the parts of the table ---- */
/* Security groups, group-set chains, ENI maps (vpc_nft_sg.c). */
int vnft_render_sgs(struct strbuf *sb, const struct vpc_model *model);
/* Whether an ENI has the source/destination check off: then the groups
 * are also dispatched by MAC and next hop (vpc_nft_sg.c). */
bool vnft_has_unchecked(const struct vpc_model *model);
/* Whether ENI e's MAC may stand for it: valid, and no earlier ENI has it
 * (the bridge table binds the first) (vpc_nft_sg.c). */
bool vnft_has_own_mac(const struct vpc_model *model, size_t e);
/* ACL maps, subnet chains and maps (vpc_nft_acl.c); with an unchecked
 * ENI, chains acl_out and acl_in that dispatch both directions. */
int vnft_render_acls(struct strbuf *sb, const struct vpc_model *model);
