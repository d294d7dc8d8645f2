/* Judges one packet against the VPC model the way AWS does: the source
 * ENI's egress rules AND the destination ENI's ingress rules (each the
 * union over the ENI's groups), AND, when the packet crosses a subnet
 * boundary, the source subnet's outbound ACL AND the destination subnet's
 * inbound ACL (first match by rule number). The ENIs are those of the
 * packet's addresses: an ENI with the check off forwarding it is not
 * known from the packet (struct vpc_explanation's assumes says so).
 * Traffic to or from the AWS
 * services that answer inside every VPC (instance metadata, Amazon DNS,
 * Time Sync) is never judged, as in AWS. Pure; `fw explain` prints it and
 * the netns tests compare it with what the kernel did. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/vpc.h"
#include "util/vec.h"

struct vpc_packet {
	int proto;          /* 6, 17, 1, 58 or another number */
	struct cidr src;    /* full-length addresses of one family */
	struct cidr dst;
	uint16_t sport, dport;
	int icmp_type, icmp_code;
};

enum vpc_step_kind {
	VPC_STEP_SECURITY_GROUP, /* an ENI's groups, one direction */
	VPC_STEP_ACL,            /* a subnet's network ACL, one direction */
	VPC_STEP_NOT_FILTERED,   /* an AWS service neither groups nor ACLs judge */
};

#define VPC_ACL_DEFAULT_RULE 32767 /* the "*" entry, as describe-network-acls numbers it */

struct vpc_step {
	enum vpc_step_kind kind;
	enum vpc_dir dir;               /* VPC_EGRESS: leaving the ENI or subnet */
	bool is_allowed;
	char where[VPC_ID_MAX];         /* the ENI (groups) or subnet (ACL) judged;
					 * the service's address (not filtered) */
	char instance_id[VPC_ID_MAX];   /* groups: the ENI's instance, "" when none */
	char decider[VPC_ID_MAX];       /* the group or ACL that decided, "" when
					 * none did (no rule of any group, no ACL) */
	int rule;                       /* its permission (1-based) or rule number
					 * (VPC_ACL_DEFAULT_RULE for "*"); 0 when none */
	char service[160];               /* not filtered: which AWS service */
	char text[480];                 /* one human line */
};

struct vpc_explanation {
	bool is_allowed;
	int n_steps;
	struct vpc_step steps[4];
	/* "" or what the judgement takes for granted that the packet's text
	 * cannot say: with an ENI whose source/destination check is off and an
	 * end that is no ENI's address, that no such ENI forwards the packet
	 * (routed through one, its groups and its subnet's ACLs judge it). */
	char assumes[480];
};

/* "tcp 10.0.1.5:40000 > 10.0.2.7:443", "udp [fd00::1]:53 -> [fd00::2]:53",
 * "icmp 10.0.1.5 to 10.0.2.7 type 8 code 0", "47 10.0.1.5 > 10.0.2.7".
 * The separator is '>', '->' or 'to'. Anything else (trailing words, ports
 * on a protocol without them, icmp between IPv6 addresses or icmpv6 between
 * IPv4 ones, numbers out of range or with signs, leading zeros or suffixes)
 * is -EINVAL with one line in why. ICMP without a type is an echo request. */
int vpc_packet_parse(const char *text, struct vpc_packet *out, char *why, size_t why_size);

/* The same packet given as command-line words, e.g. the argv of
 * `fw explain tcp 10.0.1.5:40000 to 10.0.2.7:443` after the options: each
 * word is split at blanks too, so one quoted word works as well. */
int vpc_packet_parse_argv(int argc, char *const *argv, struct vpc_packet *out, char *why,
			  size_t why_size);

/* Whether AWS leaves traffic to or from addr unfiltered: the instance
 * metadata service, Amazon DNS and Time Sync (169.254.169.254, .253, .123
 * and the Nitro IPv6 fd00:ec2::254, ::253, ::123), and the VPC's DNS
 * resolver at the base of its primary IPv4 range plus two (AWS answers
 * there only: a VPC's primary range is the first IPv4 range of its
 * struct vpc_vpc; with a selected VPC, only that VPC's). Names the service
 * in service when true. */
bool vpc_is_never_filtered(const struct vpc_model *model, const struct cidr *addr,
			   char *service, size_t service_size);

/* Appends every such address (struct cidr, full-length) to out, for a
 * renderer that must let them through. Returns 0 or -ENOMEM. */
int vpc_never_filtered_addrs(const struct vpc_model *model, struct vec *out);

/* With is_established the packet belongs to a tracked flow: security
 * groups pass it (they are stateful), ACLs still judge it. */
void vpc_explain(const struct vpc_model *model, const struct vpc_packet *packet,
		 bool is_established, struct vpc_explanation *out);

/* `fw explain --json`: {"packet": {...}, "verdict": "allow"|"deny",
 * "steps": [{"kind": "security-group"|"acl"|"not-filtered", "direction":
 * "egress"|"ingress", "allowed", "text", and per kind "eni", "instance",
 * "group", "permission" / "subnet", "acl", "rule_number" / "address",
 * "service"}], and "assumes" when the judgement assumes something, see
 * struct vpc_explanation}. Absent deciders are null. NULL when out of memory; the
 * caller owns the result (json_decref). */
json_t *vpc_explanation_json(const struct vpc_packet *packet,
			     const struct vpc_explanation *why);
