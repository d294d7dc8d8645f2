#include "render/nat_knobs.h"

#include <errno.h>
#include <stdio.h>

#include "model/knob.h"

static int add(struct vec *writes, const char *value, const char *path_fmt,
	       const char *arg)
{
	struct knob knob;

	snprintf(knob.path, sizeof(knob.path), path_fmt, arg);
	snprintf(knob.value, sizeof(knob.value), "%s", value);
	return vec_push(writes, &knob);
}

static int add_u32(struct vec *writes, const struct nat_opt_u32 *opt, const char *path)
{
	char value[16];

	if (!opt->is_set)
		return 0;
	snprintf(value, sizeof(value), "%u", opt->value);
	return add(writes, value, "%s", path);
}

int nat_knobs_render(const struct nat_config *config, const char *interface,
		     bool is_ipv6_on, struct vec *writes)
{
	int rc = 0;

	rc |= add(writes, "1", "%s", "/proc/sys/net/ipv4/ip_forward");
	if (is_ipv6_on) {
		rc |= add(writes, "1", "%s", "/proc/sys/net/ipv6/conf/all/forwarding");
		/* With forwarding on, the kernel ignores router advertisements
		 * unless accept_ra is 2, and the public interface would lose
		 * its IPv6 default route when the learned one expires. */
		rc |= add(writes, "2", "/proc/sys/net/ipv6/conf/%s/accept_ra", interface);
	}
	/* A NAT instance forwards out of the interface it received on; ICMP
	 * redirects would tell instances to bypass it. */
	rc |= add(writes, "0", "%s", "/proc/sys/net/ipv4/conf/all/send_redirects");
	rc |= add(writes, "0", "/proc/sys/net/ipv4/conf/%s/send_redirects", interface);
	/* Replies may come back on another interface than the one a flow left. */
	rc |= add(writes, "0", "%s", "/proc/sys/net/ipv4/conf/all/rp_filter");
	rc |= add(writes, "0", "/proc/sys/net/ipv4/conf/%s/rp_filter", interface);
	if (config->has_port_range) {
		char range[16];

		snprintf(range, sizeof(range), "%u %u", config->port_range_low,
			 config->port_range_high);
		rc |= add(writes, range, "%s", "/proc/sys/net/ipv4/ip_local_port_range");
	}
	rc |= add_u32(writes, &config->nf_conntrack_max,
		      "/proc/sys/net/netfilter/nf_conntrack_max");
	rc |= add_u32(writes, &config->nf_conntrack_buckets,
		      "/sys/module/nf_conntrack/parameters/hashsize");
	rc |= add_u32(writes, &config->nf_conntrack_tcp_timeout_established,
		      "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established");
	rc |= add_u32(writes, &config->tcp_keepalive_time,
		      "/proc/sys/net/ipv4/tcp_keepalive_time");
	rc |= add_u32(writes, &config->tcp_max_syn_backlog,
		      "/proc/sys/net/ipv4/tcp_max_syn_backlog");
	return rc ? -ENOMEM : 0;
}
