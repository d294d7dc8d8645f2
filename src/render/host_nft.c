#include "render/host_nft.h"

#include <inttypes.h>

#define TABLE "inet bulwark_host"

static void render_ports(struct strbuf *out, const char *name, const struct vec *ports)
{
	strbuf_addf(out, "\tset %s {\n\t\ttype inet_service\n", name);
	if (ports->len > 0) {
		strbuf_addf(out, "\t\telements = { ");
		for (size_t i = 0; i < ports->len; i++)
			strbuf_addf(out, "%s%" PRIu16, i ? ", " : "",
				    *VEC_AT(ports, uint16_t, i));
		strbuf_addf(out, " }\n");
	}
	strbuf_addf(out, "\t}\n\n");
}

/* Neighbour discovery is IPv6's ARP: without neighbour solicitations and
 * advertisements no IPv6 address on the link resolves, and without router
 * advertisements SLAAC addresses and the default route expire. conntrack
 * does not track these messages (they are "untracked", never "new" or
 * "established"), so they need their own rule in each direction whether
 * or not ICMP is allowed. Hop limit 255 proves they were not routed from
 * off the link (RFC 4861); MLD (hop limit 1) keeps multicast, and so
 * solicited-node addresses, working behind snooping switches. */
static void render_ndp(struct strbuf *out)
{
	strbuf_addf(out,
		    "\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept\n"
		    "\t\ticmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } ip6 hoplimit 1 accept\n");
}

/* allow-icmp's list: one rule a family, the types by nft's names in
 * number order. */
static void render_icmp_types(struct strbuf *out, bool is_v6, const bool types[256])
{
	bool is_first = true;

	for (int type = 0; type < 256; type++) {
		const char *name;

		if (!types[type])
			continue;
		name = settings_icmp_type_name(is_v6, (uint8_t)type);
		if (!name)
			continue; /* the model only sets types nft names */
		strbuf_addf(out, "%s%s", is_first ? (is_v6 ? "\t\ticmpv6 type { " : "\t\ticmp type { ") : ", ",
			    name);
		is_first = false;
	}
	if (!is_first)
		strbuf_addf(out, " } accept\n");
}

static void render_input(const struct host_fw_config *fw, struct strbuf *out)
{
	strbuf_addf(out,
		    "\tchain input {\n"
		    "\t\ttype filter hook input priority filter; policy drop;\n"
		    "\t\tiif \"lo\" accept\n"
		    /* Loopback addresses arriving on a real interface are spoofed. */
		    "\t\tip saddr 127.0.0.0/8 counter name denied_input drop\n"
		    "\t\tip6 saddr ::1 counter name denied_input drop\n"
		    "\t\tct state established,related accept\n"
		    "\t\tct state invalid counter name denied_input drop\n");
	render_ndp(out);
	/* A DHCPv6 reply comes from the server's link-local address to ours,
	 * while the solicit went to ff02::1:2: conntrack does not match it. */
	strbuf_addf(out, "\t\tip6 saddr fe80::/10 udp sport 547 udp dport 546 accept\n");
	if (fw->tcp_ports.len > 0)
		strbuf_addf(out, "\t\ttcp dport @allow_tcp accept\n");
	if (fw->udp_ports.len > 0)
		strbuf_addf(out, "\t\tudp dport @allow_udp accept\n");
	if (fw->is_icmp_allowed) {
		strbuf_addf(out, "\t\tmeta l4proto { icmp, ipv6-icmp } accept\n");
	} else {
		render_icmp_types(out, false, fw->icmp_types);
		render_icmp_types(out, true, fw->icmpv6_types);
	}
	strbuf_addf(out, "\t\tcounter name denied_input\n\t}\n\n");
}

static void render_forward(const struct host_fw_config *fw, struct strbuf *out)
{
	strbuf_addf(out, "\tchain forward {\n"
			 "\t\ttype filter hook forward priority filter; policy drop;\n");
	if (fw->is_forward_allowed)
		strbuf_addf(out, "\t\tct state invalid counter name denied_forward drop\n"
				 "\t\taccept\n");
	else
		strbuf_addf(out, "\t\tcounter name denied_forward\n");
	strbuf_addf(out, "\t}\n\n");
}

static void render_output(const struct host_fw_config *fw, struct strbuf *out)
{
	strbuf_addf(out,
		    "\tchain output {\n"
		    "\t\ttype filter hook output priority filter; policy drop;\n"
		    "\t\toif \"lo\" accept\n"
		    "\t\tct state established,related accept\n"
		    "\t\tct state invalid counter name denied_output drop\n");
	render_ndp(out);
	if (fw->is_outbound_allowed)
		strbuf_addf(out, "\t\tct state new accept\n");
	strbuf_addf(out, "\t\tcounter name denied_output\n\t}\n");
}

void host_nft_render(const struct host_fw_config *fw, struct strbuf *out)
{
	strbuf_addf(out, "add table " TABLE "\ndelete table " TABLE "\n");
	if (!fw->is_enabled)
		return;
	/* Each chain ends in a counter rule before its drop policy, so a
	 * denial shows as a named counter moving. */
	strbuf_addf(out, "table " TABLE " {\n"
			 "\tcounter denied_input {\n\t}\n\n"
			 "\tcounter denied_forward {\n\t}\n\n"
			 "\tcounter denied_output {\n\t}\n\n");
	render_ports(out, "allow_tcp", &fw->tcp_ports);
	render_ports(out, "allow_udp", &fw->udp_ports);
	render_input(fw, out);
	render_forward(fw, out);
	render_output(fw, out);
	strbuf_addf(out, "}\n");
}
