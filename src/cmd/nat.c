/* bulwark nat: the NAT gateway, a drop-in for fck-nat and pelotech-nat. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "cmd/natec2.h"
#include "cmd/natplan.h"
#include "host/fsroot.h"
#include "host/natapply.h"
#include "host/natobserve.h"
#include "host/natstate.h"
#include "host/nft.h"
#include "host/sysctl.h"
#include "render/nat_nft.h"

struct nat_opts {
	enum natplan_ipv6 ipv6; /* render: what auto decides */
	const char *config_path;
	const char *state_dir;
	bool is_dry_run;
	bool is_json;
};

static void print_dry_run(const char *root, const struct nat_plan *plan)
{
	printf("would write:\n");
	for (size_t i = 0; i < plan->knobs.len; i++) {
		const struct knob *knob = VEC_AT(&plan->knobs, struct knob, i);
		char old[128];
		struct bw_err err;

		if (fsroot_read(root, knob->path, old, sizeof(old), &err) < 0)
			snprintf(old, sizeof(old), "(unreadable)");
		printf("  %-58s %s -> %s\n", knob->path, old, knob->value);
	}
	printf("would load (the kernel checked it):\n%s", plan->ruleset);
}

int cmd_nat_up(const struct bw_globals *globals, const char *config_path,
	       const char *state_dir, bool is_dry_run, struct bw_err *err)
{
	struct natapply_result result;
	struct nat_plan plan;
	struct natec2_result ec2 = { 0 };
	int rc;

	natplan_init(&plan);
	rc = natplan_build(globals->root, config_path, &plan, err);
	/* fck-nat turns rp_filter off on every interface, EC2 or not: the
	 * kernel uses max(all, link). */
	if (rc == 0)
		rc = natec2_rp_filter_knobs(globals->root, &plan.knobs, err);
	if (rc < 0)
		goto out;
	natec2_warn_nat64(globals->root);
	rc = nft_apply(plan.ruleset, true, err);
	if (rc < 0 || is_dry_run) {
		if (rc == 0)
			print_dry_run(globals->root, &plan);
		if (rc == 0 && natec2_is_wanted(&plan.config))
			natec2_print_dry_run(&plan.config);
		goto out;
	}
	if (natec2_is_wanted(&plan.config)) {
		struct natplan_request request = { .config_path = config_path };

		rc = natec2_prepare(globals->root, &request, &plan, &ec2, err);
		if (rc < 0)
			goto out;
	}
	rc = natapply_up(globals->root, state_dir, &plan, &result, err);
	natapply_result_free(&result);
	if (result.previous_interface[0] &&
	    strcmp(result.previous_interface, plan.interface) != 0)
		cmd_note("nat was up on %s; moving it to %s", result.previous_interface,
			 plan.interface);
	if (rc == 0 && natec2_is_wanted(&plan.config)) {
		natec2_cwagent(globals->root, &plan.config, &ec2);
		rc = natec2_save(globals->root, state_dir, &ec2, err);
		if (rc < 0) {
			struct natapply_result down;
			struct bw_err ignored;

			natapply_down(globals->root, state_dir, &down, &ignored);
			natapply_result_free(&down);
		}
	}
	/* A configuration without EC2 keys: the last EC2 record is stale. */
	if (rc == 0 && !natec2_is_wanted(&plan.config))
		rc = natec2_forget(globals->root, state_dir, err);
	if (rc < 0) {
		natec2_name_done(&ec2, err);
		goto out;
	}
	printf("nat: masquerading %s out of %s (table inet " NAT_NFT_TABLE "%s)\n",
	       plan.does_masquerade_ipv4 && plan.does_masquerade_ipv6 ? "IPv4 and IPv6" :
	       plan.does_masquerade_ipv6 ? "IPv6" : "IPv4",
	       plan.interface, plan.use_flowtable ? ", flowtable" : "");
	natec2_print_done(&ec2);
out:
	natplan_free(&plan);
	return rc;
}

static int nat_down(const struct bw_globals *globals, const struct nat_opts *opts,
		    struct bw_err *err)
{
	struct natapply_result result;
	int rc = natapply_down(globals->root, opts->state_dir, &result, err);

	for (size_t i = 0; i < result.gone.len; i++)
		cmd_note("%s not restored: its link is gone",
			 VEC_AT(&result.gone, struct knob, i)->path);
	natapply_result_free(&result);
	if (rc == 0)
		rc = natec2_forget(globals->root, opts->state_dir, err);
	if (rc == 0 && !result.had_state)
		printf("nat: down (no recorded knobs to restore)\n");
	else if (rc == 0)
		printf("nat: down; restored %zu knobs\n", result.n_restored);
	return rc;
}

static json_t *masquerade_json(const struct nat_masquerade_seen *seen)
{
	return json_pack("{s:b, s:s?, s:I, s:I, s:I}", "present", seen->is_present,
			 "interface", seen->is_present ? seen->oifname : NULL,
			 "connections", (json_int_t)seen->packets,
			 "packets", (json_int_t)seen->packets, "bytes", (json_int_t)seen->bytes);
}

static json_t *number_or_null(long long value)
{
	return value < 0 ? json_null() : json_integer(value);
}

static void print_masquerade(const char *label, const struct nat_masquerade_seen *seen)
{
	if (seen->is_present)
		printf("%-18s on %s, %" PRIu64 " connections masqueraded\n", label,
		       seen->oifname, seen->packets);
	else
		printf("%-18s absent\n", label);
}

static const char *on_off(int value)
{
	return value < 0 ? "unknown" : value ? "on" : "off";
}

int cmd_nat_status(const struct bw_globals *globals, const char *state_dir,
		   bool is_json, struct bw_err *err)
{
	struct nat_observed seen = { 0 };
	struct nat_state state;
	bool has_state;
	int rc;

	natstate_init(&state);
	rc = natstate_load(globals->root, state_dir, &state, &has_state, err);
	if (rc == 0)
		rc = nat_observe(globals->root, &seen, err);
	if (rc < 0)
		goto out;
	if (is_json) {
		json_t *doc = json_pack(
			"{s:s?, s:b, s:{s:b, s:b}, s:{s:o, s:o}, s:b, s:{s:o, s:o}}",
			"interface", has_state ? state.interface : NULL,
			"table", seen.has_table,
			"forwarding", "ipv4", seen.ipv4_forwarding > 0, "ipv6",
			seen.ipv6_forwarding > 0,
			"masquerade", "ipv4", masquerade_json(&seen.ipv4), "ipv6",
			masquerade_json(&seen.ipv6),
			"flowtable", seen.has_flowtable,
			"conntrack", "count", number_or_null(seen.conntrack_count), "max",
			number_or_null(seen.conntrack_max));

		natec2_status(globals->root, state_dir, doc);
		cmd_print_json(doc);
		goto out;
	}
	printf("%-18s %s\n", "state", seen.has_table ? "up" : "down");
	printf("%-18s %s\n", "interface", has_state ? state.interface : "-");
	printf("%-18s %s\n", "ipv4 forwarding", on_off(seen.ipv4_forwarding));
	printf("%-18s %s\n", "ipv6 forwarding", on_off(seen.ipv6_forwarding));
	print_masquerade("masquerade ipv4", &seen.ipv4);
	print_masquerade("masquerade ipv6", &seen.ipv6);
	printf("%-18s %s\n", "flowtable", seen.has_flowtable ? "on" : "off");
	if (seen.conntrack_count >= 0)
		printf("%-18s %lld flows tracked of %lld\n", "conntrack", seen.conntrack_count,
		       seen.conntrack_max);
	else
		printf("%-18s not loaded\n", "conntrack");
	natec2_status(globals->root, state_dir, NULL);
out:
	natstate_free(&state);
	return rc;
}

static int nat_render(const struct bw_globals *globals, const struct nat_opts *opts,
		      struct bw_err *err)
{
	struct natplan_request request = {
		.config_path = opts->config_path, .is_render_only = true, .ipv6 = opts->ipv6,
	};
	struct nat_plan plan;
	int rc;

	natplan_init(&plan);
	rc = natplan_build_for(globals->root, &request, &plan, err);
	if (rc == 0)
		fputs(plan.ruleset, stdout);
	natplan_free(&plan);
	return rc;
}

static const struct cli_option nat_options[] = {
	{ "config", 'c', "FILE", "configuration (default /etc/pelotech-nat.conf, then "
				 "/etc/fck-nat.conf, then built-in defaults)" },
	{ "state-dir", 0, "DIR", "where up records what down restores (default " BW_STATE_DIR ")" },
	{ "dry-run", 'n', NULL, "have the kernel check the ruleset, print each knob as old -> "
				"new; change nothing" },
	{ "json", 'j', NULL, "one JSON document" },
	{ "ipv6", 0, "on|off", "what ipv6=auto decides, for a machine that is not this one" },
	{ 0 },
};

static int take_opts(const struct cli_call *call, struct nat_opts *opts, struct bw_err *err)
{
	const char *ipv6 = cli_value(call, "ipv6");

	*opts = (struct nat_opts){
		.config_path = cli_value(call, "config"),
		.state_dir = cli_value(call, "state-dir") ?: BW_STATE_DIR,
		.is_dry_run = cli_flag(call, "dry-run"),
		.is_json = cli_flag(call, "json"),
	};
	if (opts->state_dir[0] != '/')
		return bw_err_input(err, "nat: --state-dir must be an absolute path");
	if (ipv6 && strcmp(ipv6, "on") != 0 && strcmp(ipv6, "off") != 0)
		return bw_err_input(err, "nat: --ipv6 takes on or off, not '%.40s'", ipv6);
	if (ipv6)
		opts->ipv6 = strcmp(ipv6, "on") == 0 ? NATPLAN_IPV6_ON : NATPLAN_IPV6_OFF;
	return 0;
}

static int run_up(const struct cli_call *call, struct bw_err *err)
{
	struct nat_opts opts;

	return take_opts(call, &opts, err) ?:
		cmd_nat_up(call->globals, opts.config_path, opts.state_dir, opts.is_dry_run, err);
}

static int run_down(const struct cli_call *call, struct bw_err *err)
{
	struct nat_opts opts;

	return take_opts(call, &opts, err) ?: nat_down(call->globals, &opts, err);
}

static int run_status(const struct cli_call *call, struct bw_err *err)
{
	struct nat_opts opts;

	return take_opts(call, &opts, err) ?:
		cmd_nat_status(call->globals, opts.state_dir, opts.is_json, err);
}

static int run_render(const struct cli_call *call, struct bw_err *err)
{
	struct nat_opts opts;

	return take_opts(call, &opts, err) ?: nat_render(call->globals, &opts, err);
}

static const struct cli_sub nat_subs[] = {
	{ "up", run_up, "config,state-dir,dry-run", NULL, 0, 0, false,
	  "on EC2, when asked, source/dest check off, attach eni_id, associate eip_id; "
	  "set forwarding and the tuning knobs, load table inet bulwark_nat (one "
	  "transaction), verify masquerading is in place" },
	{ "down", run_down, "state-dir", NULL, 0, 0, false,
	  "remove the table and put every knob back as it was" },
	{ "status", run_status, "state-dir,json", NULL, 0, 0, false,
	  "interface, forwarding, masquerade counters, conntrack use; on EC2 the instance, "
	  "region, credentials' source, EC2 endpoint and why, the primary ENI, the attached "
	  "ENI, the Elastic IP and the CloudWatch agent" },
	{ "render", run_render, "config,ipv6", NULL, 0, 0, false,
	  "print the ruleset up would load; works on any machine (the interface need not "
	  "exist here)" },
	{ 0 },
};

const struct cli_command cmd_nat = {
	.name = "nat",
	.summary = "NAT gateway: up, down, status, render (fck-nat compatible)",
	.options = nat_options,
	.subs = nat_subs,
	.description = "A drop-in for the fck-nat and pelotech-nat service: reads "
		       "/etc/pelotech-nat.conf, else /etc/fck-nat.conf, and masquerades what "
		       "leaves the public interface, with nftables, atomically.",
};
