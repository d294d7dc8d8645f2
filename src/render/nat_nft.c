#include "render/nat_nft.h"

#include <sys/socket.h>

#include "util/strbuf.h"

static void render_masquerade(struct strbuf *sb, const struct nat_config *config,
			      const struct nat_nft_host *host, int family)
{
	const char *nfproto = family == AF_INET ? "ipv4" : "ipv6";
	const char *saddr = family == AF_INET ? "ip saddr" : "ip6 saddr";
	size_t n_cidrs = nat_config_count_cidrs(config, family);
	const char *sep = "";

	strbuf_addf(sb, "\t\tmeta nfproto %s oifname \"%s\"", nfproto,
		    host->public_interface);
	if (n_cidrs > 0) {
		strbuf_addf(sb, " %s { ", saddr);
		for (size_t i = 0; i < config->source_cidrs.len; i++) {
			const struct cidr *cidr =
				VEC_AT(&config->source_cidrs, struct cidr, i);

			if (cidr->family != family)
				continue;
			strbuf_addf(sb, "%s%s", sep, cidr->text);
			sep = ", ";
		}
		strbuf_addf(sb, " }");
	}
	strbuf_addf(sb, " counter masquerade%s comment \"bulwark: masquerade %s\"\n",
		    config->masquerade_fully_random ? " fully-random" : "", nfproto);
}

char *nat_nft_render(const struct nat_config *config,
		     const struct nat_nft_host *host)
{
	struct strbuf sb = { 0 };
	bool has_sources = config->source_cidrs.len > 0;
	/* With nat_source_cidrs, a family without ranges is not masqueraded. */
	bool masq_v4 = host->is_ipv4_on &&
		(!has_sources || nat_config_count_cidrs(config, AF_INET) > 0);
	bool masq_v6 = host->is_ipv6_on &&
		(!has_sources || nat_config_count_cidrs(config, AF_INET6) > 0);

	strbuf_addf(&sb, "add table inet " NAT_NFT_TABLE "\n");
	strbuf_addf(&sb, "delete table inet " NAT_NFT_TABLE "\n");
	strbuf_addf(&sb, "table inet " NAT_NFT_TABLE " {\n");
	if (host->use_flowtable) {
		strbuf_addf(&sb, "\tflowtable fastpath {\n");
		strbuf_addf(&sb, "\t\thook ingress priority filter\n");
		strbuf_addf(&sb, "\t\tdevices = { ");
		for (size_t i = 0; i < host->n_flowtable_devices; i++)
			strbuf_addf(&sb, "%s\"%s\"", i ? ", " : "",
				    host->flowtable_devices[i]);
		strbuf_addf(&sb, " }\n\t}\n\n");
	}
	strbuf_addf(&sb, "\tchain postrouting {\n");
	strbuf_addf(&sb, "\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
	if (masq_v4)
		render_masquerade(&sb, config, host, AF_INET);
	if (masq_v6)
		render_masquerade(&sb, config, host, AF_INET6);
	strbuf_addf(&sb, "\t}\n");
	/* Only the flowtable needs a forward chain: any rule there costs every
	 * forwarded packet, while the NAT chain sees a flow's first packet only.
	 * Traffic is counted by the masquerade counters and conntrack. */
	if (host->use_flowtable) {
		strbuf_addf(&sb, "\n\tchain forward {\n");
		strbuf_addf(&sb, "\t\ttype filter hook forward priority filter; policy accept;\n");
		strbuf_addf(&sb, "\t\tmeta l4proto { tcp, udp } flow add @fastpath\n");
		strbuf_addf(&sb, "\t}\n");
	}
	strbuf_addf(&sb, "}\n");
	return strbuf_take(&sb);
}
