#include "cmd/natplan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "conf/natconf.h"
#include "host/fsroot.h"
#include "host/nft.h"
#include "host/rtnl.h"
#include "model/knob.h"
#include "render/nat_knobs.h"
#include "render/nat_nft.h"

/* pelotech-nat's file wins over fck-nat's, as pelotech-nat reads them. */
static const char *const default_configs[] = {
	"/etc/pelotech-nat.conf",
	"/etc/fck-nat.conf",
};

void natplan_init(struct nat_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	nat_config_init(&plan->config);
	plan->knobs = (struct vec)VEC_INIT(struct knob);
}

void natplan_free(struct nat_plan *plan)
{
	nat_config_free(&plan->config);
	free(plan->ruleset);
	vec_free(&plan->knobs);
}

static int read_config(const char *root, const char *config_path,
		       struct nat_plan *plan, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct natconf_warning);
	char *text = NULL;
	size_t len;
	int rc;

	if (config_path) {
		snprintf(plan->config_name, sizeof(plan->config_name), "%s", config_path);
	} else {
		for (size_t i = 0; i < 2 && !plan->config_name[0]; i++)
			if (fsroot_exists(root, default_configs[i]))
				fsroot_path(root, default_configs[i], plan->config_name,
					    sizeof(plan->config_name));
		if (!plan->config_name[0]) {
			cmd_note("no %s or %s: running on defaults", default_configs[0],
				 default_configs[1]);
			return 0;
		}
	}
	rc = fsroot_slurp(plan->config_name, NATCONF_MAX_BYTES, &text, &len, err);
	if (rc < 0) {
		err->is_input = true; /* an unreadable configuration is bad input */
		return rc;
	}
	rc = natconf_parse(text, len, plan->config_name, &plan->config, &warnings, err);
	for (size_t i = 0; i < warnings.len; i++)
		cmd_warn("%s", VEC_AT(&warnings, struct natconf_warning, i)->text);
	vec_free(&warnings);
	free(text);
	return rc;
}

static int copy_config(const struct nat_config *from, struct nat_plan *plan,
		       struct bw_err *err)
{
	nat_config_free(&plan->config);
	plan->config = *from;
	plan->config.source_cidrs = (struct vec)VEC_INIT(struct cidr);
	for (size_t i = 0; i < from->source_cidrs.len; i++)
		if (vec_push(&plan->config.source_cidrs,
			     VEC_AT(&from->source_cidrs, struct cidr, i)) < 0)
			return bw_errf(err, -ENOMEM, "out of memory");
	snprintf(plan->config_name, sizeof(plan->config_name), "settings.nat");
	return 0;
}

static int decide_interface(struct rtnl *nl, const struct natplan_request *request,
			    struct nat_plan *plan, struct bw_err *err)
{
	int rc;

	if (plan->config.interface[0]) {
		snprintf(plan->interface, sizeof(plan->interface), "%s", plan->config.interface);
	} else {
		if (!nl)
			return bw_err_input(err, "no interface= in the configuration, and this machine's routes cannot be read to take it from; set interface=");
		rc = rtnl_default_route_ifname(nl, AF_INET, plan->interface, err);
		if (rc == -ENOENT && request->is_render_only)
			return bw_err_input(err, "no interface= in the configuration and no IPv4 default route on this machine to take it from; set interface= to render for another machine");
		if (rc == -ENOENT)
			return bw_errf(err, rc,
				       "no interface= in the configuration and no IPv4 default route to take it from");
		if (rc < 0)
			return rc;
		if (!nat_ifname_is_valid(plan->interface))
			return bw_errf(err, -EINVAL,
				       "the default route's device '%s' has an unusual name; set interface= explicitly",
				       plan->interface);
	}
	plan->is_interface_here = nl && if_nametoindex(plan->interface) != 0;
	if (!plan->is_interface_here && !request->is_render_only)
		return bw_errf(err, -ENODEV, "interface %s: no such device", plan->interface);
	return 0;
}

static const char *const ipv6_words[] = { "auto", "on", "off" };

static int decide_ipv6(struct rtnl *nl, const char *root,
		       const struct natplan_request *request, struct nat_plan *plan,
		       struct bw_err *err)
{
	bool has_global = false;
	int rc;

	if (request->is_render_only && request->ipv6 != NATPLAN_IPV6_FROM_HOST &&
	    plan->config.ipv6 != NAT_AUTO &&
	    (plan->config.ipv6 == NAT_ON) != (request->ipv6 == NATPLAN_IPV6_ON))
		cmd_note("ipv6=%s in %s decides; --ipv6 only decides what ipv6=auto would",
			 ipv6_words[plan->config.ipv6], plan->config_name);
	switch (plan->config.ipv6) {
	case NAT_OFF:
		plan->is_ipv6_on = false;
		return 0;
	case NAT_ON:
		if (!request->is_render_only && !fsroot_exists(root, "/proc/sys/net/ipv6"))
			return bw_errf(err, -EAFNOSUPPORT,
				       "ipv6=on but this kernel has IPv6 disabled");
		plan->is_ipv6_on = true;
		return 0;
	case NAT_AUTO:
		break;
	}
	if (request->is_render_only && request->ipv6 != NATPLAN_IPV6_FROM_HOST) {
		plan->is_ipv6_on = request->ipv6 == NATPLAN_IPV6_ON;
		return 0;
	}
	if (!plan->is_interface_here) {
		cmd_note("interface %s is not on this machine: ipv6=auto renders IPv4 only (--ipv6 on|off decides)",
			 plan->interface);
		plan->is_ipv6_on = false;
		return 0;
	}
	/* auto: IPv6 is on when the public interface has a global address. */
	if (!fsroot_exists(root, "/proc/sys/net/ipv6"))
		return 0;
	rc = rtnl_has_global_addr(nl, plan->interface, AF_INET6, &has_global, err);
	plan->is_ipv6_on = has_global;
	return rc;
}

/* The flowtable spans every interface that is up: flows enter on one and
 * leave on another, and a NAT instance may have one ENI or several. A
 * render for another machine lists its public interface alone and cannot
 * ask that machine's kernel; nor can a render without CAP_NET_ADMIN. */
static int render_ruleset(struct rtnl *nl, const struct natplan_request *request,
			  struct nat_plan *plan, struct bw_err *err)
{
	struct vec links = VEC_INIT(struct rtnl_ifname);
	const char **devices = NULL;
	const char *public_only[] = { plan->interface };
	bool can_ask_kernel = plan->is_interface_here &&
		(!request->is_render_only || nft_has_permission());
	struct nat_nft_host host = {
		.public_interface = plan->interface,
		.is_ipv4_on = true,
		.is_ipv6_on = plan->is_ipv6_on,
	};
	int rc = 0;

	if (!plan->config.flowtable) {
		/* no fast path */
	} else if (can_ask_kernel && !nft_kernel_has_flowtables()) {
		cmd_warn("flowtable=true, but this kernel has no nftables flowtables (CONFIG_NF_FLOW_TABLE); NAT runs without the fast path");
	} else if (!plan->is_interface_here) {
		cmd_note("flowtable: over %s alone, assuming its kernel has flowtables ('up' checks, and spans every interface that is up)",
			 plan->interface);
		host.flowtable_devices = public_only;
		host.n_flowtable_devices = 1;
		host.use_flowtable = true;
	} else {
		if (!can_ask_kernel)
			cmd_note("flowtable: assuming this kernel has flowtables (asking needs CAP_NET_ADMIN; 'up' checks)");
		rc = rtnl_list_up_links(nl, &links, err);
		if (rc < 0)
			goto out;
		devices = calloc(links.len + 1, sizeof(*devices));
		if (!devices) {
			rc = bw_errf(err, -ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < links.len; i++)
			if (nat_ifname_is_valid(VEC_AT(&links, struct rtnl_ifname, i)->name))
				devices[host.n_flowtable_devices++] =
					VEC_AT(&links, struct rtnl_ifname, i)->name;
		host.flowtable_devices = devices;
		host.use_flowtable = host.n_flowtable_devices > 0;
	}
	plan->use_flowtable = host.use_flowtable;
	plan->ruleset = nat_nft_render(&plan->config, &host);
	if (!plan->ruleset)
		rc = bw_errf(err, -ENOMEM, "out of memory");
out:
	free(devices);
	vec_free(&links);
	return rc;
}

int natplan_build_for(const char *root, const struct natplan_request *request,
		      struct nat_plan *plan, struct bw_err *err)
{
	struct rtnl nl = { 0 };
	bool has_nl;
	size_t n_v4, n_v6;
	int rc;

	rc = request->config ? copy_config(request->config, plan, err) :
			       read_config(root, request->config_path, plan, err);
	if (rc < 0)
		return rc;
	rc = rtnl_open(&nl, err);
	if (rc < 0 && !request->is_render_only)
		return rc;
	has_nl = rc == 0;
	rc = decide_interface(has_nl ? &nl : NULL, request, plan, err);
	if (rc == 0)
		rc = decide_ipv6(&nl, root, request, plan, err);
	if (rc < 0)
		goto out;
	n_v4 = nat_config_count_cidrs(&plan->config, AF_INET);
	n_v6 = nat_config_count_cidrs(&plan->config, AF_INET6);
	plan->does_masquerade_ipv4 = plan->config.source_cidrs.len == 0 || n_v4 > 0;
	plan->does_masquerade_ipv6 = plan->is_ipv6_on &&
		(plan->config.source_cidrs.len == 0 || n_v6 > 0);
	if (plan->is_ipv6_on && !plan->does_masquerade_ipv6)
		cmd_note("nat_source_cidrs lists no IPv6 range: IPv6 is forwarded but not masqueraded");
	if (!plan->does_masquerade_ipv4)
		cmd_note("nat_source_cidrs lists no IPv4 range: IPv4 is forwarded but not masqueraded");
	rc = render_ruleset(&nl, request, plan, err);
	if (rc < 0)
		goto out;
	if (nat_knobs_render(&plan->config, plan->interface, plan->is_ipv6_on,
			     &plan->knobs) < 0)
		rc = bw_errf(err, -ENOMEM, "out of memory");
out:
	if (has_nl)
		rtnl_close(&nl);
	return rc;
}

int natplan_build(const char *root, const char *config_path, struct nat_plan *plan,
		  struct bw_err *err)
{
	struct natplan_request request = { .config_path = config_path };

	return natplan_build_for(root, &request, plan, err);
}
