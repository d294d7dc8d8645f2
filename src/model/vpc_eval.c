#include "model/vpc_eval.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* ---- packets --------------------------------------------------------- */

#define PACKET_WORDS_MAX 8 /* PROTO SRC > DST type T code C */
#define PACKET_WORD_LEN 80

struct words {
	int n;
	char w[PACKET_WORDS_MAX][PACKET_WORD_LEN];
	char extra[PACKET_WORD_LEN]; /* the first word beyond the grammar */
};

static const char usage[] = "expected 'PROTO SRC > DST', e.g. 'tcp 10.0.1.5:40000 > 10.0.2.7:443' "
			    "('->' or 'to' also separate them)";

/* A word as it can be shown in a one-line message: printable, truncated. */
static void show(const char *word, char *out, size_t out_size)
{
	size_t i = 0;

	for (; word[i] && i + 1 < out_size && i < 40; i++) {
		bool is_printable = word[i] > ' ' && word[i] < 0x7f;

		out[i] = '?';
		if (is_printable)
			out[i] = word[i];
	}
	out[i] = '\0';
	if (word[i])
		snprintf(out + i, out_size - i, "...");
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Splits text at blanks, appending to words. */
static int split_words(const char *text, struct words *words, char *why, size_t why_size)
{
	while (*text) {
		const char *start;
		size_t len;
		char *dest;

		while (is_blank(*text))
			text++;
		if (!*text)
			break;
		start = text;
		while (*text && !is_blank(*text))
			text++;
		len = (size_t)(text - start);
		if (words->n < PACKET_WORDS_MAX) {
			dest = words->w[words->n];
		} else if (words->n == PACKET_WORDS_MAX) {
			dest = words->extra;
		} else {
			words->n++;
			continue;
		}
		if (len >= PACKET_WORD_LEN) {
			char shown[48];

			memcpy(words->extra, start, PACKET_WORD_LEN - 1);
			words->extra[PACKET_WORD_LEN - 1] = '\0';
			show(words->extra, shown, sizeof(shown));
			snprintf(why, why_size, "'%s' is too long for an address, port or number",
				 shown);
			return -EINVAL;
		}
		memcpy(dest, start, len);
		dest[len] = '\0';
		words->n++;
	}
	return 0;
}

/* A decimal number 0..max: digits only, no sign, no leading zero. */
static int parse_number(const char *text, unsigned max, unsigned *out)
{
	unsigned long value = 0;

	if (!*text || (text[0] == '0' && text[1]))
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		value = value * 10 + (unsigned long)(*p - '0');
		if (value > max)
			return -EINVAL;
	}
	*out = (unsigned)value;
	return 0;
}

static int parse_proto(const char *word, int *proto, char *why, size_t why_size)
{
	static const struct { const char *name; int proto; } names[] = {
		{ "tcp", VPC_PROTO_TCP }, { "udp", VPC_PROTO_UDP },
		{ "icmp", VPC_PROTO_ICMP }, { "icmpv6", VPC_PROTO_ICMPV6 },
	};
	unsigned value;
	char shown[48];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(word, names[i].name) == 0) {
			*proto = names[i].proto;
			return 0;
		}
	}
	if (parse_number(word, 255, &value) == 0) {
		*proto = (int)value;
		return 0;
	}
	show(word, shown, sizeof(shown));
	snprintf(why, why_size, "unknown protocol '%s' (tcp, udp, icmp, icmpv6 or a number 0 to 255)",
		 shown);
	return -EINVAL;
}

static const char *proto_label(int proto, char *buf, size_t buf_size)
{
	switch (proto) {
	case VPC_PROTO_TCP: return "tcp";
	case VPC_PROTO_UDP: return "udp";
	case VPC_PROTO_ICMP: return "icmp";
	case VPC_PROTO_ICMPV6: return "icmpv6";
	default:
		snprintf(buf, buf_size, "protocol %d", proto);
		return buf;
	}
}

/* "addr", "addr:port" (IPv4), "addr" or "[addr]" or "[addr]:port" (IPv6). */
static int parse_endpoint(const char *word, int proto, struct cidr *addr, uint16_t *port,
			  char *why, size_t why_size)
{
	bool has_ports = proto == VPC_PROTO_TCP || proto == VPC_PROTO_UDP;
	char host[PACKET_WORD_LEN], shown[48], label[24];
	const char *port_text = NULL;
	bool is_bracketed = word[0] == '[';
	unsigned value;
	size_t n;

	show(word, shown, sizeof(shown));
	if (is_bracketed) {
		const char *close = strchr(word, ']');

		if (!close)
			goto bad_addr;
		n = (size_t)(close - word - 1);
		memcpy(host, word + 1, n);
		host[n] = '\0';
		if (close[1] == ':')
			port_text = close + 2;
		else if (close[1])
			goto bad_addr;
	} else {
		const char *colon = strchr(word, ':');

		/* More than one colon: a bare IPv6 address, which takes no port. */
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;
		n = colon ? (size_t)(colon - word) : strlen(word);
		memcpy(host, word, n);
		host[n] = '\0';
		if (colon)
			port_text = colon + 1;
	}
	if (cidr_parse_addr(host, addr) < 0)
		goto bad_addr;
	if (is_bracketed && addr->family != AF_INET6) {
		snprintf(why, why_size, "'%s': brackets are for IPv6 addresses", shown);
		return -EINVAL;
	}
	*port = 0;
	if (has_ports && !port_text) {
		snprintf(why, why_size, "'%s': %s needs ADDRESS:PORT ([ADDRESS]:PORT for IPv6)", shown,
			 proto_label(proto, label, sizeof(label)));
		return -EINVAL;
	}
	if (!has_ports && port_text) {
		snprintf(why, why_size, "'%s': %s has no ports%s", shown,
			 proto_label(proto, label, sizeof(label)),
			 proto == VPC_PROTO_ICMP || proto == VPC_PROTO_ICMPV6 ?
			 " (after the addresses: 'type T [code C]')" : "");
		return -EINVAL;
	}
	if (port_text) {
		if (parse_number(port_text, 65535, &value) < 0) {
			snprintf(why, why_size, "'%s': the port is not a number 0 to 65535", shown);
			return -EINVAL;
		}
		*port = (uint16_t)value;
	}
	return 0;
bad_addr:
	snprintf(why, why_size, "'%s' is not an IPv4 or IPv6 address%s", shown,
		 has_ports ? " with a port (ADDRESS:PORT, [ADDRESS]:PORT)" : "");
	return -EINVAL;
}

/* "type T [code C]" after the addresses, ICMP only. */
static int parse_icmp_words(const struct words *words, struct vpc_packet *out, char *why,
			    size_t why_size)
{
	bool is_icmp = out->proto == VPC_PROTO_ICMP || out->proto == VPC_PROTO_ICMPV6;
	char shown[48], label[24];
	unsigned value;

	if (words->n == 4) {
		if (is_icmp) {
			/* Echo request, what ping sends. */
			out->icmp_type = out->proto == VPC_PROTO_ICMP ? 8 : 128;
			out->icmp_code = 0;
		}
		return 0;
	}
	if (!is_icmp || strcmp(words->w[4], "type") != 0) {
		show(words->w[4], shown, sizeof(shown));
		snprintf(why, why_size, "unexpected '%s' after the packet%s", shown,
			 is_icmp ? " (only 'type T [code C]')" : "");
		if (!is_icmp && strcmp(words->w[4], "type") == 0)
			snprintf(why, why_size, "%s has no ICMP type",
				 proto_label(out->proto, label, sizeof(label)));
		return -EINVAL;
	}
	if (words->n < 6) {
		snprintf(why, why_size, "'type' needs a number 0 to 255");
		return -EINVAL;
	}
	if (parse_number(words->w[5], 255, &value) < 0) {
		show(words->w[5], shown, sizeof(shown));
		snprintf(why, why_size, "type '%s' is not a number 0 to 255", shown);
		return -EINVAL;
	}
	out->icmp_type = (int)value;
	out->icmp_code = 0;
	if (words->n == 6)
		return 0;
	if (strcmp(words->w[6], "code") != 0) {
		show(words->w[6], shown, sizeof(shown));
		snprintf(why, why_size, "unexpected '%s' after the packet (only 'type T [code C]')",
			 shown);
		return -EINVAL;
	}
	if (words->n < 8) {
		snprintf(why, why_size, "'code' needs a number 0 to 255");
		return -EINVAL;
	}
	if (parse_number(words->w[7], 255, &value) < 0) {
		show(words->w[7], shown, sizeof(shown));
		snprintf(why, why_size, "code '%s' is not a number 0 to 255", shown);
		return -EINVAL;
	}
	out->icmp_code = (int)value;
	if (words->n > PACKET_WORDS_MAX) {
		show(words->extra, shown, sizeof(shown));
		snprintf(why, why_size, "unexpected '%s' after the packet", shown);
		return -EINVAL;
	}
	return 0;
}

static bool is_separator(const char *word)
{
	return strcmp(word, ">") == 0 || strcmp(word, "->") == 0 || strcmp(word, "to") == 0;
}

static int parse_words(const struct words *words, struct vpc_packet *out, char *why,
		       size_t why_size)
{
	char shown[48];

	memset(out, 0, sizeof(*out));
	out->icmp_type = out->icmp_code = -1;
	if (words->n < 4) {
		/* Unquoted, the shell takes '>' (also the one in '->') as a
		 * redirection: the packet arrives cut after SRC, or after '-'. */
		if (words->n == 2 || (words->n == 3 && strcmp(words->w[2], "-") == 0))
			snprintf(why, why_size, "%s; unquoted, the shell takes '>' as a redirection: "
				 "quote the packet or write 'to'", usage);
		else
			snprintf(why, why_size, "%s", usage);
		return -EINVAL;
	}
	if (!is_separator(words->w[2])) {
		show(words->w[2], shown, sizeof(shown));
		snprintf(why, why_size, "'%s' where '>', '->' or 'to' was expected; %s", shown, usage);
		return -EINVAL;
	}
	if (parse_proto(words->w[0], &out->proto, why, why_size) < 0 ||
	    parse_endpoint(words->w[1], out->proto, &out->src, &out->sport, why, why_size) < 0 ||
	    parse_endpoint(words->w[3], out->proto, &out->dst, &out->dport, why, why_size) < 0)
		return -EINVAL;
	if (out->src.family != out->dst.family) {
		snprintf(why, why_size, "source and destination are of different families (IPv4 and IPv6)");
		return -EINVAL;
	}
	/* ICMP (1) does not carry IPv6 nor ICMPv6 (58) IPv4: AWS rules for one
	 * never match the other, so a guess would explain a packet that cannot be. */
	if (out->proto == VPC_PROTO_ICMP && out->src.family == AF_INET6) {
		snprintf(why, why_size, "icmp (protocol 1) between IPv6 addresses: write icmpv6");
		return -EINVAL;
	}
	if (out->proto == VPC_PROTO_ICMPV6 && out->src.family == AF_INET) {
		snprintf(why, why_size, "icmpv6 (protocol 58) between IPv4 addresses: write icmp");
		return -EINVAL;
	}
	return parse_icmp_words(words, out, why, why_size);
}

int vpc_packet_parse(const char *text, struct vpc_packet *out, char *why, size_t why_size)
{
	struct words words = { 0 };

	memset(out, 0, sizeof(*out));
	if (split_words(text, &words, why, why_size) < 0)
		return -EINVAL;
	return parse_words(&words, out, why, why_size);
}

int vpc_packet_parse_argv(int argc, char *const *argv, struct vpc_packet *out, char *why,
			  size_t why_size)
{
	struct words words = { 0 };

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < argc; i++)
		if (split_words(argv[i], &words, why, why_size) < 0)
			return -EINVAL;
	return parse_words(&words, out, why, why_size);
}

/* ---- what AWS never filters -------------------------------------------- */

static const struct {
	const char *addr;
	const char *service;
} link_local_services[] = {
	{ "169.254.169.254", "the EC2 instance metadata service" },
	{ "fd00:ec2::254", "the EC2 instance metadata service" },
	{ "169.254.169.253", "the Amazon DNS server (Route 53 Resolver)" },
	{ "fd00:ec2::253", "the Amazon DNS server (Route 53 Resolver)" },
	{ "169.254.169.123", "the Amazon Time Sync Service" },
	{ "fd00:ec2::123", "the Amazon Time Sync Service" },
	{ "169.254.170.2", "the Amazon ECS task metadata endpoint" },
	{ "169.254.169.250", "Windows license activation (KMS)" },
	{ "169.254.169.251", "Windows license activation (KMS)" },
};

static bool same_addr(const struct cidr *a, const struct cidr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, cidr_addr_len(a->family)) == 0;
}

/* The VPC's own resolver: the base of its primary IPv4 range plus two.
 * AWS documents it there (and at 169.254.169.253) only, not at the other
 * associated ranges' +2. Returns false when the range is too small. */
static bool vpc_resolver_addr(const struct vpc_vpc *vpc, struct cidr *out, const struct cidr **range)
{
	for (size_t i = 0; i < vpc->cidrs.len; i++) {
		const struct cidr *c = VEC_AT(&vpc->cidrs, struct cidr, i);
		char text[INET_ADDRSTRLEN];
		uint8_t addr[4];
		unsigned last;

		if (c->family != AF_INET)
			continue;
		if (c->prefix_len > 30)
			return false;
		memcpy(addr, c->addr, 4);
		last = (unsigned)addr[3] + 2; /* host bits are zero: no carry */
		addr[3] = (uint8_t)last;
		inet_ntop(AF_INET, addr, text, sizeof(text));
		if (cidr_parse_addr(text, out) < 0)
			return false;
		*range = c;
		return true;
	}
	return false;
}

static bool is_selected_vpc(const struct vpc_model *model, const struct vpc_vpc *vpc)
{
	return model->vpc_id[0] == '\0' || strcmp(model->vpc_id, vpc->id) == 0;
}

bool vpc_is_never_filtered(const struct vpc_model *model, const struct cidr *addr,
			   char *service, size_t service_size)
{
	for (size_t i = 0; i < sizeof(link_local_services) / sizeof(link_local_services[0]); i++) {
		struct cidr known;

		if (cidr_parse_addr(link_local_services[i].addr, &known) == 0 &&
		    same_addr(&known, addr)) {
			snprintf(service, service_size, "%s", link_local_services[i].service);
			return true;
		}
	}
	for (size_t i = 0; i < model->vpcs.len; i++) {
		const struct vpc_vpc *vpc = VEC_AT(&model->vpcs, struct vpc_vpc, i);
		const struct cidr *range;
		struct cidr resolver;

		if (is_selected_vpc(model, vpc) && vpc_resolver_addr(vpc, &resolver, &range) &&
		    same_addr(&resolver, addr)) {
			snprintf(service, service_size,
				 "the Amazon DNS server (Route 53 Resolver) of %s, at its primary range %s plus two",
				 vpc->id, range->text);
			return true;
		}
	}
	return false;
}

int vpc_never_filtered_addrs(const struct vpc_model *model, struct vec *out)
{
	for (size_t i = 0; i < sizeof(link_local_services) / sizeof(link_local_services[0]); i++) {
		struct cidr known;

		if (cidr_parse_addr(link_local_services[i].addr, &known) == 0 &&
		    vec_push(out, &known) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < model->vpcs.len; i++) {
		const struct vpc_vpc *vpc = VEC_AT(&model->vpcs, struct vpc_vpc, i);
		const struct cidr *range;
		struct cidr resolver;

		if (is_selected_vpc(model, vpc) && vpc_resolver_addr(vpc, &resolver, &range) &&
		    vec_push(out, &resolver) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- security groups ------------------------------------------------- */

/* Its addresses and its delegated prefixes: every address in a prefix is
 * the ENI's. */
static bool eni_has_addr(const struct vpc_eni *eni, const struct cidr *addr)
{
	for (size_t i = 0; i < eni->addrs.len; i++)
		if (cidr_contains(VEC_AT(&eni->addrs, struct cidr, i), addr))
			return true;
	return false;
}

static bool eni_in_group(const struct vpc_eni *eni, int group)
{
	for (size_t i = 0; i < eni->groups.len; i++)
		if (*VEC_AT(&eni->groups, int, i) == group)
			return true;
	return false;
}

/* Whether a rule's peer (range, group members, prefix list) holds addr.
 * Members are every ENI of the group, an instance's or not (RDS, ELB). */
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
	char groups[200] = "", who[2 * VPC_ID_MAX + 4];
	size_t used = 0;

	step->kind = VPC_STEP_SECURITY_GROUP;
	step->dir = dir;
	snprintf(step->where, sizeof(step->where), "%s", eni->id);
	snprintf(step->instance_id, sizeof(step->instance_id), "%s", eni->instance_id);
	/* An ENI no instance owns (RDS, ELB, Lambda) is named alone. */
	if (eni->instance_id[0])
		snprintf(who, sizeof(who), "%s (%s)", eni->id, eni->instance_id);
	else
		snprintf(who, sizeof(who), "%s", eni->id);
	/* A NAT gateway's ENI (and some load balancers') has no group: AWS's
	 * groups do not filter it. */
	if (eni->groups.len == 0) {
		step->is_allowed = true;
		snprintf(step->text, sizeof(step->text),
			 "%s of %s: not filtered: it has no security group", dir_name, who);
		return;
	}
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
			snprintf(step->decider, sizeof(step->decider), "%s", sg->id);
			step->rule = rule->permission;
			snprintf(step->text, sizeof(step->text),
				 "%s of %s: allowed by %s %s permission %d (%s %s %s)", dir_name, who,
				 sg->id, dir_name, rule->permission, traffic,
				 dir == VPC_EGRESS ? "to" : "from", peer);
			return;
		}
	}
	step->is_allowed = false;
	snprintf(step->text, sizeof(step->text), "%s of %s: denied, no rule of %s allows it",
		 dir_name, who, groups[0] ? groups : "its (no) groups");
}

/* ---- network ACLs ---------------------------------------------------- */

static void judge_nacl(const struct vpc_model *model, const struct vpc_subnet *subnet,
		       bool is_egress, const struct vpc_packet *p, struct vpc_step *step)
{
	const struct cidr *remote = is_egress ? &p->dst : &p->src;
	const char *dir_name = is_egress ? "outbound" : "inbound";
	const struct vpc_nacl *acl;

	step->kind = VPC_STEP_ACL;
	step->dir = is_egress ? VPC_EGRESS : VPC_INGRESS;
	snprintf(step->where, sizeof(step->where), "%s", subnet->id);
	if (subnet->nacl < 0) {
		/* Every AWS subnet has an ACL; an input without one is open. */
		step->is_allowed = true;
		snprintf(step->text, sizeof(step->text), "%s of %s: no network ACL is associated",
			 dir_name, subnet->id);
		return;
	}
	acl = VEC_AT(&model->nacls, struct vpc_nacl, subnet->nacl);
	snprintf(step->decider, sizeof(step->decider), "%s", acl->id);
	for (size_t i = 0; i < acl->entries.len; i++) {
		const struct nacl_entry *e = VEC_AT(&acl->entries, struct nacl_entry, i);
		char traffic[64];

		if (e->is_egress != is_egress || !cidr_contains(&e->cidr, remote) ||
		    !vpc_traffic_matches(&e->traffic, p->proto, p->dport, p->icmp_type,
					 p->icmp_code))
			continue;
		vpc_traffic_format(&e->traffic, traffic, sizeof(traffic));
		step->is_allowed = e->is_allow;
		step->rule = e->rule_number;
		if (e->rule_number >= VPC_ACL_DEFAULT_RULE)
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
	if (eni >= 0 && VEC_AT(&model->enis, struct vpc_eni, eni)->subnet >= 0)
		return VEC_AT(&model->enis, struct vpc_eni, eni)->subnet;
	return vpc_find_subnet_by_addr(model, addr);
}

static void addr_text(const struct cidr *addr, char *out, size_t out_size)
{
	char text[INET6_ADDRSTRLEN] = "?";

	inet_ntop(addr->family, addr->addr, text, sizeof(text));
	snprintf(out, out_size, "%s", text);
}

/* One step when either end is a service AWS never filters. */
static bool explain_never_filtered(const struct vpc_model *model, const struct vpc_packet *p,
				   bool is_established,
				   struct vpc_explanation *out)
{
	struct vpc_step *step = &out->steps[0];
	bool is_to = vpc_is_never_filtered(model, &p->dst, step->service, sizeof(step->service));
	char where[INET6_ADDRSTRLEN];

	/* From a service: only a reply in a flow to it (a packet that merely
	 * claims the address is judged like any other). */
	if (!is_to && !(is_established &&
			vpc_is_never_filtered(model, &p->src, step->service, sizeof(step->service))))
		return false;
	addr_text(is_to ? &p->dst : &p->src, where, sizeof(where));
	step->kind = VPC_STEP_NOT_FILTERED;
	step->dir = is_to ? VPC_EGRESS : VPC_INGRESS;
	step->is_allowed = true;
	snprintf(step->where, sizeof(step->where), "%s", where);
	snprintf(step->text, sizeof(step->text),
		 "%s %s: not filtered: security groups and network ACLs never judge traffic to or from %s",
		 is_to ? "to" : "from", where, step->service);
	out->n_steps = 1;
	out->is_allowed = true;
	return true;
}

/* The packet's text names addresses, not the ENIs it passes: an end that
 * is no ENI's address may be an unchecked ENI's forwarding, which AWS
 * (and the kernel's table, by MAC and next hop) judges by that ENI's
 * groups and its subnet's ACLs. Said, with the ENIs, when it may matter. */
static void note_unchecked(const struct vpc_model *model, int src_eni, int dst_eni,
			   struct vpc_explanation *out)
{
	char enis[200] = "";
	size_t n = 0, len = 0;

	if (src_eni >= 0 && dst_eni >= 0)
		return;
	for (size_t e = 0; e < model->enis.len; e++) {
		const struct vpc_eni *eni = VEC_AT(&model->enis, struct vpc_eni, e);
		int w;

		if (eni->is_source_dest_checked)
			continue;
		if (n++ == 3) {
			snprintf(enis + len, sizeof(enis) - len, ", ...");
			break;
		}
		w = snprintf(enis + len, sizeof(enis) - len, "%s%s", len ? ", " : "", eni->id);
		if (w > 0 && (size_t)w < sizeof(enis) - len)
			len += (size_t)w;
	}
	if (n == 0)
		return;
	snprintf(out->assumes, sizeof(out->assumes),
		 "assumes no ENI with the source/destination check off (%s) %s it (the packet "
		 "names no route): through one, that ENI's groups and its subnet's network ACL "
		 "judge it", enis, src_eni < 0 && dst_eni < 0 ? "sends or receives" :
		 src_eni < 0 ? "sends" : "receives");
}

void vpc_explain(const struct vpc_model *model, const struct vpc_packet *p,
		 bool is_established, struct vpc_explanation *out)
{
	int src_eni, dst_eni, src_subnet, dst_subnet;
	bool crosses;

	memset(out, 0, sizeof(*out));
	if (explain_never_filtered(model, p, is_established, out))
		return;
	src_eni = vpc_find_eni_by_addr(model, &p->src);
	dst_eni = vpc_find_eni_by_addr(model, &p->dst);
	src_subnet = subnet_of(model, src_eni, &p->src);
	dst_subnet = subnet_of(model, dst_eni, &p->dst);
	crosses = src_subnet != dst_subnet;
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
	note_unchecked(model, src_eni, dst_eni, out);
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *id_or_null(const char *id)
{
	return id[0] ? json_string(id) : json_null();
}

static json_t *packet_json(const struct vpc_packet *p)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], label[24];
	bool has_ports = p->proto == VPC_PROTO_TCP || p->proto == VPC_PROTO_UDP;
	bool is_icmp = p->proto == VPC_PROTO_ICMP || p->proto == VPC_PROTO_ICMPV6;
	const char *name = proto_label(p->proto, label, sizeof(label));
	json_t *obj;

	addr_text(&p->src, src, sizeof(src));
	addr_text(&p->dst, dst, sizeof(dst));
	obj = json_pack("{s:i, s:s?, s:s, s:s}", "protocol", p->proto,
			"protocol_name", name == label ? NULL : name, "src", src, "dst", dst);
	if (obj && has_ports &&
	    (json_object_set_new(obj, "sport", json_integer(p->sport)) < 0 ||
	     json_object_set_new(obj, "dport", json_integer(p->dport)) < 0))
		goto fail;
	if (obj && is_icmp &&
	    (json_object_set_new(obj, "icmp_type", json_integer(p->icmp_type)) < 0 ||
	     json_object_set_new(obj, "icmp_code", json_integer(p->icmp_code)) < 0))
		goto fail;
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

static json_t *step_json(const struct vpc_step *s)
{
	const char *direction = s->dir == VPC_EGRESS ? "egress" : "ingress";

	switch (s->kind) {
	case VPC_STEP_SECURITY_GROUP:
		return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:s}", "kind", "security-group",
				 "direction", direction, "eni", s->where,
				 "instance", id_or_null(s->instance_id), "group", id_or_null(s->decider),
				 "permission", s->rule > 0 ? json_integer(s->rule) : json_null(),
				 "allowed", s->is_allowed, "text", s->text);
	case VPC_STEP_ACL:
		return json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:s}", "kind", "acl",
				 "direction", direction, "subnet", s->where, "acl", id_or_null(s->decider),
				 "rule_number", s->rule > 0 ? json_integer(s->rule) : json_null(),
				 "allowed", s->is_allowed, "text", s->text);
	case VPC_STEP_NOT_FILTERED:
		return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "kind", "not-filtered",
				 "direction", direction, "address", s->where, "service", s->service,
				 "allowed", s->is_allowed, "text", s->text);
	}
	return NULL;
}

json_t *vpc_explanation_json(const struct vpc_packet *packet, const struct vpc_explanation *why)
{
	json_t *steps = json_array();
	json_t *obj;

	for (int i = 0; steps && i < why->n_steps; i++) {
		json_t *step = step_json(&why->steps[i]);

		if (!step || json_array_append_new(steps, step) < 0) {
			json_decref(steps);
			return NULL;
		}
	}
	if (!steps)
		return NULL;
	obj = json_pack("{s:o?, s:s, s:o, s:s*}", "packet", packet_json(packet), "verdict",
			why->is_allowed ? "allow" : "deny", "steps", steps, "assumes",
			why->assumes[0] ? why->assumes : NULL);
	return obj;
}
