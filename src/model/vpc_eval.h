/* Judges one packet against the VPC model the way AWS does: the source
 * ENI's egress rules AND the destination ENI's ingress rules (each the
 * union over the ENI's groups), AND, when the packet crosses a subnet
 * boundary, the source subnet's outbound ACL AND the destination subnet's
 * inbound ACL (first match by rule number). Pure; `fw explain` prints it
 * and the netns tests compare it with what the kernel did. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "model/vpc.h"

struct vpc_packet {
	int proto;          /* 6, 17, 1, 58 or another number */
	struct cidr src;    /* full-length addresses of one family */
	struct cidr dst;
	uint16_t sport, dport;
	int icmp_type, icmp_code;
};

struct vpc_step {
	bool is_allowed;
	char text[480];
};

struct vpc_explanation {
	bool is_allowed;
	int n_steps;
	struct vpc_step steps[4];
};

/* "tcp 10.0.1.5:40000 > 10.0.2.7:443", "udp [fd00::1]:53 > [fd00::2]:53",
 * "icmp 10.0.1.5 > 10.0.2.7 type 8 code 0", "47 10.0.1.5 > 10.0.2.7". */
int vpc_packet_parse(const char *text, struct vpc_packet *out, char *why, size_t why_size);

/* With is_established the packet belongs to a tracked flow: security
 * groups pass it (they are stateful), ACLs still judge it. */
void vpc_explain(const struct vpc_model *model, const struct vpc_packet *packet,
		 bool is_established, struct vpc_explanation *out);
