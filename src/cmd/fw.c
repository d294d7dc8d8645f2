/* bulwark fw: AWS security groups and network ACLs, enforced with nftables. */
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "conf/awsjson.h"
#include "conf/sgedit.h"
#include "host/awsdir.h"
#include "host/fsroot.h"
#include "host/nft.h"
#include "host/rtnl.h"
#include "model/vpc_eval.h"
#include "render/netpol.h"
#include "render/vpc_nft.h"
#include "util/strbuf.h"

#define FW_STATE_NAME "fw.json"

struct fw_opts {
	const char *aws_dir;
	const char *vpc_id; /* --vpc; NULL: the only VPC in the files */
	const char *k8s_namespace;
	const char *group_id;
	const char *permissions;
	const char *state_dir;
	uint32_t ct_mark_mask;
	bool is_established;
	bool is_required;
	bool is_json;
	bool is_dry_run;
};

static int load_model(const struct fw_opts *opts, struct vpc_model *model, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	int rc;

	if (!opts->aws_dir)
		return bw_err_input(err, "fw: --aws DIR is required");
	rc = awsdir_load(opts->aws_dir, opts->vpc_id, model, &warnings, err);
	for (size_t i = 0; i < warnings.len; i++)
		cmd_warn("%s", VEC_AT(&warnings, struct awsjson_warning, i)->text);
	vec_free(&warnings);
	return rc;
}

/* The packet may come as one word or several (an unquoted '>' would be
 * a redirection: '->' and 'to' are accepted too). */
static int fw_explain(const struct fw_opts *opts, int argc, char **argv, struct bw_err *err)
{
	struct vpc_model model;
	struct vpc_packet packet;
	struct vpc_explanation why;
	struct strbuf text = { 0 };
	char reason[200];
	int rc;

	for (int i = 0; i < argc; i++)
		strbuf_addf(&text, "%s%s", i ? " " : "", argv[i]);
	rc = text.buf ? vpc_packet_parse(text.buf, &packet, reason, sizeof(reason)) : -ENOMEM;
	strbuf_free(&text);
	if (rc < 0)
		return bw_err_input(err, "fw explain: %s", rc == -ENOMEM ? "out of memory" : reason);
	vpc_model_init(&model);
	rc = load_model(opts, &model, err);
	if (rc == 0) {
		vpc_explain(&model, &packet, opts->is_established, &why);
		printf("%s\n", why.is_allowed ? "allow" : "deny");
		for (int i = 0; i < why.n_steps; i++)
			printf("  %s\n", why.steps[i].text);
		if (why.n_steps == 0)
			printf("  neither end is an instance or in a subnet of the model\n");
	}
	vpc_model_free(&model);
	return rc;
}

static int render_ruleset(const struct fw_opts *opts, unsigned generation, char **ruleset,
			  struct bw_err *err)
{
	struct vpc_model model;
	int rc;

	*ruleset = NULL;
	vpc_model_init(&model);
	rc = load_model(opts, &model, err);
	if (rc == 0) {
		struct vpc_nft_opts nft_opts = { .generation = generation,
						 .ct_mark_mask = opts->ct_mark_mask };

		*ruleset = vpc_nft_render(&model, &nft_opts);
		if (!*ruleset)
			rc = bw_errf(err, -ENOMEM, "out of memory");
	}
	vpc_model_free(&model);
	return rc;
}

static int fw_render(const struct fw_opts *opts, struct bw_err *err)
{
	char *ruleset;
	int rc = render_ruleset(opts, 1, &ruleset, err);

	if (rc == 0)
		fputs(ruleset, stdout);
	free(ruleset);
	return rc;
}

static void state_path(const struct fw_opts *opts, char *out, size_t out_size)
{
	snprintf(out, out_size, "%s/" FW_STATE_NAME, opts->state_dir);
}

static json_t *read_state(const char *root, const struct fw_opts *opts)
{
	char path[4096], full[4096];

	state_path(opts, path, sizeof(path));
	fsroot_path(root, path, full, sizeof(full));
	return json_load_file(full, 0, NULL);
}

/* The generation the next ruleset gets: one more than the last one's, so
 * flows judged by an earlier ruleset are judged again. */
static unsigned next_generation(const char *root, const struct fw_opts *opts)
{
	json_t *state = read_state(root, opts);
	json_int_t last = json_integer_value(json_object_get(state, "generation"));

	json_decref(state);
	return (unsigned)(last % vpc_ct_generations(VPC_CT_DEFAULT_MASK)) + 1;
}

static int write_state(const char *root, const struct fw_opts *opts, const char *mode,
		       unsigned generation, struct bw_err *err)
{
	json_t *doc = json_pack("{s:s, s:s?, s:I}", "mode", mode, "aws", opts->aws_dir,
				"generation", (json_int_t)generation);
	char *text = json_dumps(doc, JSON_INDENT(2));
	char path[4096];
	int rc;

	state_path(opts, path, sizeof(path));
	rc = text ? fsroot_replace(root, path, text, err) : bw_errf(err, -ENOMEM, "out of memory");

	free(text);
	json_decref(doc);
	return rc;
}

/* br_netfilter hands bridged IPv4 and IPv6 to the inet forward hook, where
 * the rules are, only when these are on (per network namespace). */
static const char *const bridge_knobs[] = {
	"/proc/sys/net/bridge/bridge-nf-call-iptables",
	"/proc/sys/net/bridge/bridge-nf-call-ip6tables",
};

#define N_BRIDGE_KNOBS (sizeof(bridge_knobs) / sizeof(bridge_knobs[0]))

/* The bridges of this network namespace: traffic bridged through them
 * meets the groups only through br_netfilter. */
static int find_bridges(struct vec *bridges, struct bw_err *err)
{
	struct rtnl nl;
	int rc = rtnl_open(&nl, err);

	if (rc < 0)
		return rc;
	rc = rtnl_list_bridges(&nl, bridges, err);
	rtnl_close(&nl);
	return rc;
}

/* Puts back what enable_bridge_hooks() found ("" : it did not touch). */
static void restore_bridge_hooks(const char *root, char old_values[N_BRIDGE_KNOBS][32])
{
	for (size_t i = 0; i < N_BRIDGE_KNOBS; i++) {
		struct bw_err ignored;

		if (old_values[i][0])
			fsroot_write_knob(root, bridge_knobs[i], old_values[i], &ignored);
	}
}

/* Switches br_netfilter's hooks on where bridges would otherwise carry
 * traffic past the groups. Fails, changing nothing, when they cannot be. */
static int enable_bridge_hooks(const char *root, bool is_dry_run,
			       char old_values[N_BRIDGE_KNOBS][32], struct bw_err *err)
{
	struct vec bridges = VEC_INIT(struct rtnl_ifname);
	int rc = find_bridges(&bridges, err);

	if (rc < 0 || bridges.len == 0)
		goto out;
	for (size_t i = 0; i < N_BRIDGE_KNOBS; i++) {
		if (fsroot_exists(root, bridge_knobs[i]))
			continue;
		rc = bw_errf(err, -ENOENT, "bridge %s would carry traffic past the groups: %s is "
			     "missing (load br_netfilter)",
			     VEC_AT(&bridges, struct rtnl_ifname, 0)->name, bridge_knobs[i]);
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < N_BRIDGE_KNOBS; i++)
		rc = fsroot_read(root, bridge_knobs[i], old_values[i], 32, err);
	for (size_t i = 0; rc == 0 && i < N_BRIDGE_KNOBS; i++) {
		if (is_dry_run)
			printf("would write %s %s -> 1\n", bridge_knobs[i], old_values[i]);
		else
			rc = fsroot_write_knob(root, bridge_knobs[i], "1", err);
	}
	if (rc < 0 && !is_dry_run)
		restore_bridge_hooks(root, old_values);
out:
	vec_free(&bridges);
	return rc;
}

/* Loads the ruleset, or with is_dry_run has the kernel check it. Without
 * CAP_NET_ADMIN (asked of the kernel, not guessed from an error) the host
 * cannot enforce: metadata-only unless --require. Any other refusal is
 * the kernel's reason, exit 1. */
static int fw_load(const struct bw_globals *globals, const struct fw_opts *opts,
		   const char *ruleset, unsigned generation, struct bw_err *err)
{
	char old_knobs[N_BRIDGE_KNOBS][32] = { { 0 } };
	int rc;

	if (!nft_has_permission()) {
		if (opts->is_dry_run) {
			printf("%s", ruleset);
			cmd_warn("no CAP_NET_ADMIN: the kernel did not check this ruleset");
			return 0;
		}
		if (opts->is_required)
			return bw_errf(err, -EPERM, "fw apply: no CAP_NET_ADMIN: this host "
				       "cannot enforce");
		cmd_warn("no CAP_NET_ADMIN: this host cannot enforce: metadata-only");
		return write_state(globals->root, opts, "metadata-only", generation, err);
	}
	rc = enable_bridge_hooks(globals->root, opts->is_dry_run, old_knobs, err);
	if (rc < 0)
		return rc;
	rc = nft_apply(ruleset, opts->is_dry_run, err);
	if (rc < 0) {
		if (!opts->is_dry_run)
			restore_bridge_hooks(globals->root, old_knobs);
		return rc;
	}
	if (opts->is_dry_run) {
		printf("would load (the kernel checked it):\n%s", ruleset);
		return 0;
	}
	rc = write_state(globals->root, opts, "enforcing", generation, err);
	if (rc == 0)
		printf("fw: enforcing (table inet " VPC_NFT_TABLE ")\n");
	return rc;
}

static int fw_apply(const struct bw_globals *globals, const struct fw_opts *opts,
		    struct bw_err *err)
{
	unsigned generation = next_generation(globals->root, opts);
	char *ruleset;
	int rc = render_ruleset(opts, generation, &ruleset, err);

	if (rc == 0)
		rc = fw_load(globals, opts, ruleset, generation, err);
	free(ruleset);
	return rc;
}

static int fw_check(const struct bw_globals *globals, const struct fw_opts *opts,
		    struct bw_err *err)
{
	char *ruleset;
	int rc = render_ruleset(opts, next_generation(globals->root, opts), &ruleset, err);

	if (rc == 0 && !nft_has_permission())
		rc = bw_errf(err, -EPERM, "fw check: no CAP_NET_ADMIN: the kernel cannot be asked");
	if (rc == 0)
		rc = nft_apply(ruleset, true, err);
	if (rc == 0 && opts->is_json)
		cmd_print_json(json_pack("{s:b, s:I}", "accepted", 1, "bytes",
					 (json_int_t)strlen(ruleset)));
	else if (rc == 0)
		printf("fw: the kernel accepts the ruleset (%zu bytes)\n", strlen(ruleset));
	free(ruleset);
	return rc;
}

static int fw_delete(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	int rc;

	if (opts->is_dry_run) {
		printf("would load:\n%s", VPC_NFT_DELETE);
		return 0;
	}
	rc = nft_apply(VPC_NFT_DELETE, false, err);
	/* Kept, with its generation: marks of old flows stay stale. */
	if (rc == 0)
		rc = write_state(globals->root, opts, "off", next_generation(globals->root, opts),
				 err);
	if (rc == 0)
		printf("fw: deleted\n");
	return rc;
}

/* Counts what the loaded table holds: ENI addresses and group chains. */
static void count_loaded(const json_t *listing, size_t *n_eni_addrs, size_t *n_groups)
{
	const json_t *item;
	size_t i;

	*n_eni_addrs = *n_groups = 0;
	json_array_foreach(json_object_get(listing, "nftables"), i, item) {
		const json_t *map = json_object_get(item, "map");
		const json_t *chain = json_object_get(item, "chain");
		const char *name;

		name = json_string_value(json_object_get(map, "name"));
		if (name && strncmp(name, "eni_out_", 8) == 0)
			*n_eni_addrs += json_array_size(json_object_get(map, "elem"));
		name = json_string_value(json_object_get(chain, "name"));
		if (name && strncmp(name, "sg", 2) == 0 && strstr(name, "_in") &&
		    !json_object_get(chain, "hook"))
			(*n_groups)++;
	}
}

static int fw_status(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	json_t *state, *listing = NULL;
	const char *mode = "off", *aws = NULL;
	size_t n_addrs = 0, n_groups = 0;
	int rc = nft_has_permission() ?
		nft_list_table_json("inet", VPC_NFT_TABLE, &listing, err) : 0;

	if (rc < 0)
		return rc;
	state = read_state(globals->root, opts);
	if (state) {
		mode = json_string_value(json_object_get(state, "mode")) ?: "off";
		aws = json_string_value(json_object_get(state, "aws"));
	}
	if (strcmp(mode, "enforcing") == 0 && !listing)
		mode = "enforcing, but the table is gone";
	if (listing)
		count_loaded(listing, &n_addrs, &n_groups);
	if (opts->is_json) {
		json_t *doc = json_pack("{s:s, s:s?, s:b, s:I, s:I}", "mode", mode, "aws", aws,
					"table", listing != NULL, "eni_addresses", (json_int_t)n_addrs,
					"security_groups", (json_int_t)n_groups);

		cmd_print_json(doc);
	} else {
		printf("%-16s %s\n", "mode", mode);
		printf("%-16s %s\n", "from", aws ? aws : "-");
		printf("%-16s %s\n", "table", listing ? "inet " VPC_NFT_TABLE : "absent");
		if (listing) {
			printf("%-16s %zu\n", "eni addresses", n_addrs);
			printf("%-16s %zu\n", "security groups", n_groups);
		}
	}
	json_decref(state);
	json_decref(listing);
	return rc;
}

static int fw_netpol(const struct fw_opts *opts, struct bw_err *err)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *yaml = NULL;
	int rc;

	vpc_model_init(&model);
	rc = load_model(opts, &model, err);
	if (rc == 0) {
		yaml = netpol_render(&model, opts->k8s_namespace, &notes);
		rc = yaml ? 0 : bw_errf(err, -ENOMEM, "out of memory");
	}
	if (rc == 0)
		fputs(yaml, stdout);
	for (size_t i = 0; i < notes.len; i++)
		cmd_warn("%s", VEC_AT(&notes, struct netpol_note, i)->text);
	free(yaml);
	vec_free(&notes);
	vpc_model_free(&model);
	return rc;
}

static bool is_enforcing(const char *root, const struct fw_opts *opts)
{
	json_t *state = read_state(root, opts);
	const char *mode;
	bool is_on;

	mode = json_string_value(json_object_get(state, "mode"));
	is_on = mode && strcmp(mode, "enforcing") == 0;
	json_decref(state);
	return is_on;
}

/* A copy of group_id's object in security-groups.json, or NULL. */
static json_t *copy_group(const json_t *doc, const char *group_id)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(doc, "SecurityGroups"), i, item) {
		const char *id = json_string_value(json_object_get(item, "GroupId"));

		if (id && strcmp(id, group_id) == 0)
			return json_deep_copy(item);
	}
	return NULL;
}

/* The group as it was before an edit (its JSON object), its references
 * resolved against the model after it (the same groups and prefix lists),
 * in before (which the caller frees). Returns NULL when it cannot tell. */
static const struct vpc_sg *group_before(json_t *group, const struct vpc_model *after,
					 struct vpc_model *before)
{
	json_t *wrapper;
	struct bw_err err;
	struct vpc_sg *sg;
	char *text;
	int rc;

	if (!group)
		return NULL;
	wrapper = json_pack("{s:[O]}", "SecurityGroups", group);
	text = json_dumps(wrapper, 0);
	json_decref(wrapper);
	rc = text ? awsjson_parse_security_groups(text, strlen(text), "", before, &err) : -ENOMEM;
	free(text);
	if (rc < 0 || before->sgs.len != 1)
		return NULL;
	sg = VEC_AT(&before->sgs, struct vpc_sg, 0);
	for (size_t r = 0; r < sg->rules.len; r++) {
		struct sg_rule *rule = VEC_AT(&sg->rules, struct sg_rule, r);

		if (rule->peer_kind == VPC_PEER_GROUP)
			rule->peer = vpc_find_sg(after, rule->peer_id);
		else if (rule->peer_kind == VPC_PEER_PREFIX_LIST)
			rule->peer = vpc_find_prefix_list(after, rule->peer_id);
	}
	return sg;
}

/* authorize-* and revoke-*: the file and the live sets change together. */
static int fw_edit(const struct bw_globals *globals, const struct fw_opts *opts,
		   enum vpc_dir dir, bool is_revoke, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model, before;
	char path[4096];
	json_error_t jerr;
	json_t *doc, *original;
	bool is_live;
	char *text = NULL, *update = NULL;
	int rc, sg;

	if (!opts->aws_dir || !opts->group_id || !opts->permissions)
		return bw_err_input(err, "fw: --aws, --group-id and --ip-permissions are required");
	snprintf(path, sizeof(path), "%s/security-groups.json", opts->aws_dir);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return bw_err_at(err, path, jerr.line, jerr.column, "%s", jerr.text);
	vpc_model_init(&model);
	vpc_model_init(&before);
	original = copy_group(doc, opts->group_id);
	rc = sgedit_apply(doc, opts->group_id, dir, is_revoke, opts->permissions, err);
	if (rc == 0) {
		text = json_dumps(doc, JSON_INDENT(4));
		rc = text ? 0 : bw_errf(err, -ENOMEM, "out of memory");
	}
	/* The edited file must still be a valid model as a whole. */
	if (rc == 0)
		rc = awsdir_load_with_groups(opts->aws_dir, opts->vpc_id, text, &model, &warnings,
					     err);
	sg = rc == 0 ? vpc_find_sg(&model, opts->group_id) : -1;
	if (rc == 0) {
		update = vpc_nft_render_sg_update(&model, sg,
						  group_before(original, &model, &before));
		rc = update ? 0 : bw_errf(err, -ENOMEM, "out of memory");
	}
	/* What `fw apply` recorded says whether a table is live: cheaper than
	 * listing a table of thousands of objects. */
	is_live = is_enforcing(globals->root, opts);
	if (rc == 0 && opts->is_dry_run) {
		/* The change checked and shown; nothing written. */
		printf("%s", update);
		goto out;
	}
	/* Live first: if the kernel refuses, the file stays as it was. */
	if (rc == 0 && is_live && (rc = nft_apply(update, false, err)) < 0) {
		char why[sizeof(err->msg)];

		/* The change is made against what the files said before it. */
		snprintf(why, sizeof(why), "%s", err->msg);
		bw_errf(err, rc, "%.400s (if the files changed since fw apply, apply them first)", why);
	}
	if (rc == 0)
		rc = fsroot_replace("", path, text, err);
	if (rc == 0)
		printf("fw: %s %s %s; %s\n", is_revoke ? "revoked" : "authorized",
		       dir == VPC_INGRESS ? "ingress" : "egress", opts->group_id,
		       is_live ? "live sets updated" : "no live table to update");
out:
	json_decref(original);
	json_decref(doc);
	vpc_model_free(&before);
	free(text);
	free(update);
	vec_free(&warnings);
	vpc_model_free(&model);
	return rc;
}

int cmd_fw_apply(const struct bw_globals *globals, const char *aws_dir, const char *state_dir,
		 struct bw_err *err)
{
	struct fw_opts opts = { .aws_dir = aws_dir, .state_dir = state_dir, .is_required = true,
				.ct_mark_mask = VPC_CT_DEFAULT_MASK };

	return fw_apply(globals, &opts, err);
}

int cmd_fw_status(const struct bw_globals *globals, const char *state_dir, struct bw_err *err)
{
	struct fw_opts opts = { .state_dir = state_dir };

	return fw_status(globals, &opts, err);
}


/* ---- the command line ------------------------------------------------ */

static const struct cli_option fw_options[] = {
	{ "aws", 'a', "DIR", "the output of aws ec2 describe-security-groups, -network-acls, "
			      "-subnets, -instances, -network-interfaces, -vpcs (*.json) and "
			      "prefix-lists/pl-*.json" },
	{ "vpc", 0, "VPC", "the VPC to enforce when the files hold several (vpc-...)" },
	{ "state-dir", 0, "DIR", "where apply records what it did (default " BW_STATE_DIR ")" },
	{ "ct-mark-bits", 0, "MASK", "the ct mark bits bulwark may use, one run of 3 to 16 "
				     "bits (default 0xff000000)" },
	{ "require", 0, NULL, "fail (exit 1) rather than fall back to metadata-only" },
	{ "dry-run", 'n', NULL, "print the transaction; change nothing" },
	{ "json", 'j', NULL, "one JSON document" },
	{ "established", 0, NULL, "the packet belongs to a tracked flow" },
	{ "group-id", 0, "SG", "the security group to change (sg-...)" },
	{ "ip-permissions", 0, "JSON", "the permissions, as the AWS CLI takes them" },
	{ "namespace", 0, "NS", "the Kubernetes namespace (default: default)" },
	{ 0 },
};

/* The options every subcommand that reads the files honours. */
#define FW_MODEL "aws,vpc"

/* Reads the options into fw_opts; validates what needs it. */
static int take_opts(const struct cli_call *call, struct fw_opts *opts, struct bw_err *err)
{
	const char *mask = cli_value(call, "ct-mark-bits");

	*opts = (struct fw_opts){
		.aws_dir = cli_value(call, "aws"),
		.vpc_id = cli_value(call, "vpc"),
		.k8s_namespace = cli_value(call, "namespace") ?: "default",
		.group_id = cli_value(call, "group-id"),
		.permissions = cli_value(call, "ip-permissions"),
		.state_dir = cli_value(call, "state-dir") ?: BW_STATE_DIR,
		.ct_mark_mask = VPC_CT_DEFAULT_MASK,
		.is_established = cli_flag(call, "established"),
		.is_required = cli_flag(call, "require"),
		.is_json = cli_flag(call, "json"),
		.is_dry_run = cli_flag(call, "dry-run"),
	};
	if (opts->state_dir[0] != '/')
		return bw_err_input(err, "fw: --state-dir must be an absolute path");
	if (mask) {
		char *end;
		unsigned long value;

		errno = 0;
		value = strtoul(mask, &end, 0);
		if (errno || *end || end == mask || value > UINT32_MAX ||
		    !vpc_ct_mask_is_valid((uint32_t)value))
			return bw_err_input(err, "fw: --ct-mark-bits '%s' is not one run of %d to %d "
					    "bits (e.g. 0xff000000)", mask, VPC_CT_MIN_BITS,
					    VPC_CT_MAX_BITS);
		opts->ct_mark_mask = (uint32_t)value;
	}
	return 0;
}

static int run_render(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?: fw_render(&opts, err);
}

static int run_check(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?: fw_check(call->globals, &opts, err);
}

static int run_apply(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?: fw_apply(call->globals, &opts, err);
}

static int run_delete(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?: fw_delete(call->globals, &opts, err);
}

static int run_status(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?: fw_status(call->globals, &opts, err);
}

static int run_explain(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?: fw_explain(&opts, call->argc, call->argv, err);
}

static int run_netpol(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?: fw_netpol(&opts, err);
}

static int run_edit(const struct cli_call *call, struct bw_err *err)
{
	const char *sub = call->sub->name;
	struct fw_opts opts;

	return take_opts(call, &opts, err) ?:
		fw_edit(call->globals, &opts, strstr(sub, "ingress") ? VPC_INGRESS : VPC_EGRESS,
			strncmp(sub, "revoke", 6) == 0, err);
}

#define FW_EDIT_OPTIONS FW_MODEL ",group-id,ip-permissions,state-dir,dry-run"

static const struct cli_sub fw_subs[] = {
	{ "render", run_render, FW_MODEL ",ct-mark-bits", NULL, 0, 0, false,
	  "print the ruleset (tables inet and bridge " VPC_NFT_TABLE ")" },
	{ "check", run_check, FW_MODEL ",ct-mark-bits,json", NULL, 0, 0, false,
	  "have the kernel check the ruleset; change nothing" },
	{ "apply", run_apply, FW_MODEL ",state-dir,ct-mark-bits,require,dry-run", NULL, 0, 0,
	  false, "load the ruleset in one transaction (--dry-run: print it and what would "
		 "change, change nothing)" },
	{ "delete", run_delete, "state-dir,dry-run", NULL, 0, 0, false,
	  "remove the tables and put the bridge knobs back as they were" },
	{ "status", run_status, "state-dir,json", NULL, 0, 0, false,
	  "enforcing, metadata-only or off, and what is loaded" },
	{ "explain", run_explain, FW_MODEL ",established,json", "PACKET...", 1, -1, false,
	  "the verdict for one packet and what decided it, e.g. "
	  "tcp 10.0.1.5:40000 to 10.0.2.7:443" },
	{ "authorize-ingress", run_edit, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "add ingress permissions to a group: the file and the live sets change together" },
	{ "authorize-egress", run_edit, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "add egress permissions to a group" },
	{ "revoke-ingress", run_edit, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "remove ingress permissions from a group" },
	{ "revoke-egress", run_edit, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "remove egress permissions from a group" },
	{ "netpol", run_netpol, FW_MODEL ",namespace,json", NULL, 0, 0, false,
	  "Kubernetes NetworkPolicies, one per instance (YAML; --json: JSON)" },
	{ 0 },
};

const struct cli_command cmd_fw = {
	.name = "fw",
	.summary = "AWS security groups and network ACLs, enforced with nftables",
	.options = fw_options,
	.subs = fw_subs,
	.description = "Enforces the security groups and network ACLs that the AWS CLI's "
		       "describe-* output holds, with AWS's semantics, on the host that routes "
		       "and bridges between the subnets.",
};
