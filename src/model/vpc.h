/* A VPC's security groups, network ACLs, subnets and instances, as the AWS
 * CLI's describe-* JSON gives them, resolved into plain data. No I/O.
 * Ids are validated by the reader (prefix and lowercase hex) before they
 * land here; names and descriptions are never kept. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "model/cidr.h"
#include "util/vec.h"

#define VPC_ID_MAX 48

enum vpc_dir { VPC_INGRESS = 0, VPC_EGRESS = 1 };

enum {
	VPC_PROTO_ALL = -1,
	VPC_PROTO_ICMP = 1,
	VPC_PROTO_TCP = 6,
	VPC_PROTO_UDP = 17,
	VPC_PROTO_ICMPV6 = 58,
};

/* What a rule matches besides addresses. */
struct vpc_traffic {
	int proto;          /* VPC_PROTO_ALL, or 0 to 255 */
	uint16_t port_from; /* TCP and UDP: destination ports; else 0 */
	uint16_t port_to;   /* else 65535 */
	int icmp_type;      /* ICMP and ICMPv6: -1 is any type */
	int icmp_code;      /* -1 is any code */
};

struct vpc_id {
	char id[VPC_ID_MAX];
};

enum vpc_peer_kind { VPC_PEER_CIDR, VPC_PEER_GROUP, VPC_PEER_PREFIX_LIST };

struct sg_rule {
	enum vpc_dir dir;
	struct vpc_traffic traffic;
	enum vpc_peer_kind peer_kind;
	struct cidr cidr;          /* VPC_PEER_CIDR */
	int peer;                  /* group or prefix list index; -1 if not in the input */
	char peer_id[VPC_ID_MAX];  /* group or prefix list id */
	int permission;            /* 1-based item of IpPermissions(Egress) */
};

struct vpc_sg {
	char id[VPC_ID_MAX];
	char vpc_id[VPC_ID_MAX];
	struct vec rules; /* struct sg_rule */
};

struct nacl_entry {
	int rule_number;
	bool is_egress;
	bool is_allow;
	struct vpc_traffic traffic;
	struct cidr cidr;
};

struct vpc_nacl {
	char id[VPC_ID_MAX];
	char vpc_id[VPC_ID_MAX];
	bool is_default;       /* IsDefault: governs subnets with no association */
	struct vec entries;    /* struct nacl_entry, by direction then rule number */
	struct vec subnet_ids; /* struct vpc_id: the association */
};

struct vpc_subnet {
	char id[VPC_ID_MAX];
	char vpc_id[VPC_ID_MAX];
	bool has_v4;      /* false for an IPv6-only subnet (Ipv6Native) */
	struct cidr v4;
	bool has_v6;
	struct cidr v6;
	int nacl; /* index into nacls; its VPC's default ACL when none is
		   * associated in the input; -1 when there is neither */
};

#define VPC_MAC_LEN 18 /* "0a:1b:2c:3d:4e:5f" and its NUL */

struct vpc_eni {
	char id[VPC_ID_MAX];
	char instance_id[VPC_ID_MAX]; /* "" when no instance owns it (RDS, ELB,
				       * Lambda, VPC endpoint ENIs) */
	char subnet_id[VPC_ID_MAX];
	char vpc_id[VPC_ID_MAX];
	char mac[VPC_MAC_LEN];        /* MacAddress, lowercase; "" when the input
				       * has none (then it cannot be bound) */
	bool is_source_dest_checked;  /* SourceDestCheck (AWS's default: true) */
	bool is_interface_only;       /* read from describe-network-interfaces
				       * and not from describe-instances */
	int subnet;           /* index into subnets, once linked */
	struct vec addrs;     /* struct cidr: its addresses (full-length) and
			       * delegated prefixes (Ipv4Prefixes, Ipv6Prefixes) */
	struct vec group_ids; /* struct vpc_id, as read */
	struct vec groups;    /* int: indexes into sgs, once linked */
};

struct vpc_prefix_list {
	char id[VPC_ID_MAX];
	struct vec cidrs; /* struct cidr */
};

/* A VPC's own ranges (describe-vpcs): its DNS resolver is at the base of
 * each IPv4 range plus two. */
struct vpc_vpc {
	char id[VPC_ID_MAX];
	struct vec cidrs; /* struct cidr, associated IPv4 and IPv6 ranges */
};

struct vpc_model {
	char vpc_id[VPC_ID_MAX];  /* the one VPC the model holds, once selected */
	struct vec vpcs;          /* struct vpc_vpc, from vpcs.json when present */
	struct vec sgs;           /* struct vpc_sg */
	struct vec nacls;         /* struct vpc_nacl */
	struct vec subnets;       /* struct vpc_subnet */
	struct vec enis;          /* struct vpc_eni */
	struct vec prefix_lists;  /* struct vpc_prefix_list */
};

void vpc_model_init(struct vpc_model *model);
void vpc_model_free(struct vpc_model *model);

int vpc_find_sg(const struct vpc_model *model, const char *id);
int vpc_find_subnet(const struct vpc_model *model, const char *id);
int vpc_find_prefix_list(const struct vpc_model *model, const char *id);

/* The ENI whose addresses or prefixes hold addr, or -1. */
int vpc_find_eni_by_addr(const struct vpc_model *model, const struct cidr *addr);
/* The subnet whose range holds addr, or -1. */
int vpc_find_subnet_by_addr(const struct vpc_model *model, const struct cidr *addr);

/* Whether traffic t matches a packet's protocol and port or ICMP type/code. */
bool vpc_traffic_matches(const struct vpc_traffic *t, int proto, uint16_t dport,
			 int icmp_type, int icmp_code);

/* "tcp 443", "udp 1024-65535", "icmp type 8", "all traffic", "proto 50". */
void vpc_traffic_format(const struct vpc_traffic *t, char *out, size_t out_size);
