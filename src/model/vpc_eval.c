#include "model/vpc_eval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- packets --------------------------------------------------------- */

/* "addr", "addr:port" (IPv4) or "[addr]:port" (IPv6). */
static int parse_endpoint(const char *text, bool has_port, struct cidr *addr,
			  uint16_t *port, char *why, size_t why_size)
{
	char host[64];
	const char *port_text = NULL;
	size_t n;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || (size_t)(close - text - 1) >= sizeof(host))
			goto bad;
		n = (size_t)(close - text - 1);
		memcpy(host, text + 1, n);
		host[n] = '\0';
		if (close[1] == ':')
			port_text = close + 2;
		else if (close[1])
			goto bad;
	} else {
		const char *colon = strchr(text, ':');

		/* More than one colon: a bare IPv6 address. */
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;
		n = colon ? (size_t)(colon - text) : strlen(text);
		if (n >= sizeof(host))
			goto bad;
		memcpy(host, text, n);
		host[n] = '\0';
		if (colon)
			port_text = colon + 1;
	}
	if (cidr_parse_addr(host, addr) < 0)
		goto bad;
	*port = 0;
	if (has_port != (port_text != NULL)) {
		snprintf(why, why_size, "'%.64s': %s", text,
			 has_port ? "tcp and udp need addr:port" : "no port for this protocol");
		return -EINVAL;
	}
	if (port_text) {
		char *end;
		unsigned long value = strtoul(port_text, &end, 10);

		if (!*port_text || *end || value > 65535)
			goto bad;
		*port = (uint16_t)value;
	}
	return 0;
bad:
	snprintf(why, why_size, "'%.64s' is not an address or address:port", text);
	return -EINVAL;
}

int vpc_packet_parse(const char *text, struct vpc_packet *out, char *why, size_t why_size)
{
	char proto[16], src[80], dst[80], arrow[4], key1[8] = "", key2[8] = "";
	int val1 = -1, val2 = -1, n;
	bool has_ports;

	memset(out, 0, sizeof(*out));
	out->icmp_type = out->icmp_code = -1;
	n = sscanf(text, "%15s %79s %3s %79s %7s %d %7s %d", proto, src, arrow, dst, key1,
		   &val1, key2, &val2);
	if (n < 4 || strcmp(arrow, ">") != 0) {
		snprintf(why, why_size, "expected 'PROTO SRC > DST', e.g. 'tcp 10.0.1.5:40000 > 10.0.2.7:443'");
		return -EINVAL;
	}
	if (strcmp(proto, "tcp") == 0)
		out->proto = VPC_PROTO_TCP;
	else if (strcmp(proto, "udp") == 0)
		out->proto = VPC_PROTO_UDP;
	else if (strcmp(proto, "icmp") == 0)
		out->proto = VPC_PROTO_ICMP;
	else if (strcmp(proto, "icmpv6") == 0)
		out->proto = VPC_PROTO_ICMPV6;
	else {
		char *end;
		long value = strtol(proto, &end, 10);

		if (*end || value < 0 || value > 255) {
			snprintf(why, why_size, "unknown protocol '%s'", proto);
			return -EINVAL;
		}
		out->proto = (int)value;
	}
	has_ports = out->proto == VPC_PROTO_TCP || out->proto == VPC_PROTO_UDP;
	if (parse_endpoint(src, has_ports, &out->src, &out->sport, why, why_size) < 0 ||
	    parse_endpoint(dst, has_ports, &out->dst, &out->dport, why, why_size) < 0)
		return -EINVAL;
	if (out->src.family != out->dst.family) {
		snprintf(why, why_size, "source and destination are of different families");
		return -EINVAL;
	}
	if (n > 4) {
		bool is_icmp = out->proto == VPC_PROTO_ICMP || out->proto == VPC_PROTO_ICMPV6;

		if (!is_icmp || strcmp(key1, "type") != 0 || n == 5 || val1 < 0 || val1 > 255 ||
		    (n > 6 && (strcmp(key2, "code") != 0 || n == 7 || val2 < 0 || val2 > 255))) {
			snprintf(why, why_size, "after the addresses only 'type T [code C]' (ICMP)");
			return -EINVAL;
		}
		out->icmp_type = val1;
		out->icmp_code = n > 6 ? val2 : 0;
	} else if (out->proto == VPC_PROTO_ICMP || out->proto == VPC_PROTO_ICMPV6) {
		/* Echo request, what ping sends. */
		out->icmp_type = out->proto == VPC_PROTO_ICMP ? 8 : 128;
		out->icmp_code = 0;
	}
	return 0;
}

/* ---- security groups ------------------------------------------------- */

static bool eni_has_addr(const struct vpc_eni *eni, const struct cidr *addr)
{
	for (size_t i = 0; i < eni->addrs.len; i++) {
		const struct cidr *a = VEC_AT(&eni->addrs, struct cidr, i);

		if (a->family == addr->family &&
		    memcmp(a->addr, addr->addr, cidr_addr_len(a->family)) == 0)
			return true;
	}
	return false;
}

static bool eni_in_group(const struct vpc_eni *eni, int group)
{
	for (size_t i = 0; i < eni->groups.len; i++)
		if (*VEC_AT(&eni->groups, int, i) == group)
			return true;
	return false;
}

/* Whether a rule's peer (range, group members, prefix list) holds addr. */
static bool peer_matches(const struct vpc_model *model, const struct sg_rule *rule,
			 const struct cidr *addr)
{
	switch (rule->peer_kind) {
	case VPC_PEER_CIDR:
		return cidr_contains(&rule->cidr, addr);
	case VPC_PEER_GROUP:
		if (rule->peer < 0)
			return false;
		for (size_t i = 0; i < model->enis.len; i++) {
			const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, i);

			if (eni_in_group(eni, rule->peer) && eni_has_addr(eni, addr))
				return true;
		}
		return false;
	case VPC_PEER_PREFIX_LIST: {
		const struct vpc_prefix_list *list;

		if (rule->peer < 0)
			return false;
		list = VEC_AT(&model->prefix_lists, struct vpc_prefix_list, rule->peer);
		for (size_t i = 0; i < list->cidrs.len; i++)
			if (cidr_contains(VEC_AT(&list->cidrs, struct cidr, i), addr))
				return true;
		return false;
	}
	}
	return false;
}

static void format_peer(const struct sg_rule *rule, char *out, size_t out_size)
{
	if (rule->peer_kind == VPC_PEER_CIDR)
		snprintf(out, out_size, "%s", rule->cidr.text);
	else
		snprintf(out, out_size, "%s", rule->peer_id);
}

static void judge_sg(const struct vpc_model *model, const struct vpc_eni *eni,
		     enum vpc_dir dir, const struct vpc_packet *p, struct vpc_step *step)
{
	const struct cidr *remote = dir == VPC_EGRESS ? &p->dst : &p->src;
	const char *dir_name = dir == VPC_EGRESS ? "egress" : "ingress";
	char groups[200] = "";
	size_t used = 0;

	for (size_t g = 0; g < eni->groups.len; g++) {
		const struct vpc_sg *sg = VEC_AT(&model->sgs, struct vpc_sg, *VEC_AT(&eni->groups, int, g));

		used += (size_t)snprintf(groups + used, used < sizeof(groups) ? sizeof(groups) - used : 0,
					 "%s%s", g ? ", " : "", sg->id);
		if (used >= sizeof(groups))
			used = sizeof(groups) - 1;
		for (size_t r = 0; r < sg->rules.len; r++) {
			const struct sg_rule *rule = VEC_AT(&sg->rules, struct sg_rule, r);
			char traffic[64], peer[64];

			if (rule->dir != dir ||
			    !vpc_traffic_matches(&rule->traffic, p->proto, p->dport, p->icmp_type,
						 p->icmp_code) ||
			    !peer_matches(model, rule, remote))
				continue;
			vpc_traffic_format(&rule->traffic, traffic, sizeof(traffic));
			format_peer(rule, peer, sizeof(peer));
			step->is_allowed = true;
			snprintf(step->text, sizeof(step->text),
				 "%s of %s (%s): allowed by %s %s permission %d (%s %s %s)", dir_name,
				 eni->id, eni->instance_id, sg->id, dir_name, rule->permission,
				 traffic, dir == VPC_EGRESS ? "to" : "from", peer);
			return;
		}
	}
	step->is_allowed = false;
	snprintf(step->text, sizeof(step->text), "%s of %s (%s): denied, no rule of %s allows it",
		 dir_name, eni->id, eni->instance_id, groups[0] ? groups : "its (no) groups");
}

/* ---- network ACLs ---------------------------------------------------- */

static void judge_nacl(const struct vpc_model *model, const struct vpc_subnet *subnet,
		       bool is_egress, const struct vpc_packet *p, struct vpc_step *step)
{
	const struct cidr *remote = is_egress ? &p->dst : &p->src;
	const char *dir_name = is_egress ? "outbound" : "inbound";
	const struct vpc_nacl *acl;

	if (subnet->nacl < 0) {
		/* Every AWS subnet has an ACL; an input without one is open. */
		step->is_allowed = true;
		snprintf(step->text, sizeof(step->text), "%s of %s: no network ACL is associated",
			 dir_name, subnet->id);
		return;
	}
	acl = VEC_AT(&model->nacls, struct vpc_nacl, subnet->nacl);
	for (size_t i = 0; i < acl->entries.len; i++) {
		const struct nacl_entry *e = VEC_AT(&acl->entries, struct nacl_entry, i);
		char traffic[64];

		if (e->is_egress != is_egress || !cidr_contains(&e->cidr, remote) ||
		    !vpc_traffic_matches(&e->traffic, p->proto, p->dport, p->icmp_type,
					 p->icmp_code))
			continue;
		vpc_traffic_format(&e->traffic, traffic, sizeof(traffic));
		step->is_allowed = e->is_allow;
		if (e->rule_number >= 32767)
			snprintf(step->text, sizeof(step->text), "%s of %s: denied by %s %s rule * (default)",
				 dir_name, subnet->id, acl->id, dir_name);
		else
			snprintf(step->text, sizeof(step->text),
				 "%s of %s: %s by %s %s rule %d (%s %s %s)", dir_name, subnet->id,
				 e->is_allow ? "allowed" : "denied", acl->id, dir_name, e->rule_number,
				 traffic, is_egress ? "to" : "from", e->cidr.text);
		return;
	}
	step->is_allowed = false;
	snprintf(step->text, sizeof(step->text), "%s of %s: denied by %s (no rule matches)",
		 dir_name, subnet->id, acl->id);
}

/* The subnet an address is in: its ENI's, else the one whose range holds it. */
static int subnet_of(const struct vpc_model *model, int eni, const struct cidr *addr)
{
	if (eni >= 0)
		return VEC_AT(&model->enis, struct vpc_eni, eni)->subnet;
	return vpc_find_subnet_by_addr(model, addr);
}

void vpc_explain(const struct vpc_model *model, const struct vpc_packet *p,
		 bool is_established, struct vpc_explanation *out)
{
	int src_eni = vpc_find_eni_by_addr(model, &p->src);
	int dst_eni = vpc_find_eni_by_addr(model, &p->dst);
	int src_subnet = subnet_of(model, src_eni, &p->src);
	int dst_subnet = subnet_of(model, dst_eni, &p->dst);
	bool crosses = src_subnet != dst_subnet;

	memset(out, 0, sizeof(*out));
	out->is_allowed = true;
	if (crosses && src_subnet >= 0)
		judge_nacl(model, VEC_AT(&model->subnets, struct vpc_subnet, src_subnet), true, p,
			   &out->steps[out->n_steps++]);
	if (src_eni >= 0 && !is_established)
		judge_sg(model, VEC_AT(&model->enis, struct vpc_eni, src_eni), VPC_EGRESS, p,
			 &out->steps[out->n_steps++]);
	if (crosses && dst_subnet >= 0)
		judge_nacl(model, VEC_AT(&model->subnets, struct vpc_subnet, dst_subnet), false, p,
			   &out->steps[out->n_steps++]);
	if (dst_eni >= 0 && !is_established)
		judge_sg(model, VEC_AT(&model->enis, struct vpc_eni, dst_eni), VPC_INGRESS, p,
			 &out->steps[out->n_steps++]);
	for (int i = 0; i < out->n_steps; i++)
		if (!out->steps[i].is_allowed)
			out->is_allowed = false;
}
