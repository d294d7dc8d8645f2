/* bulwark fw: AWS security groups and network ACLs, enforced with nftables. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "conf/awsjson.h"
#include "conf/sgedit.h"
#include "host/awsdir.h"
#include "host/bridgeports.h"
#include "host/fsroot.h"
#include "host/nft.h"
#include "model/vpc_eval.h"
#include "render/netpol.h"
#include "render/vpc_nft.h"

#define FW_STATE_NAME "fw.json"

static const char usage[] =
	"usage: bulwark fw <command> --aws DIR [options]\n"
	"\n"
	"  render             print the ruleset (table inet bulwark_vpc)\n"
	"  check              have the kernel check the ruleset; change nothing\n"
	"  apply              load it in one transaction (--require: fail rather\n"
	"                     than fall back to metadata-only)\n"
	"  delete             remove the table\n"
	"  status [--json]    enforcing, metadata-only or off, and what is loaded\n"
	"  authorize-ingress, authorize-egress, revoke-ingress, revoke-egress\n"
	"      --group-id SG --ip-permissions JSON   as the AWS CLI takes them: update\n"
	"                     security-groups.json and the live sets in one transaction\n"
	"  netpol [--namespace NS]   Kubernetes NetworkPolicy YAML, one per instance\n"
	"  explain 'PACKET'   the verdict for one packet and what decided it, e.g.\n"
	"                     'tcp 10.0.1.5:40000 > 10.0.2.7:443', 'icmp 10.0.1.5 > 10.0.3.30'\n"
	"\n"
	"Options:\n"
	"  --aws DIR          the output of aws ec2 describe-security-groups,\n"
	"                     describe-network-acls, describe-subnets, describe-instances\n"
	"                     (security-groups.json, network-acls.json, subnets.json,\n"
	"                     instances.json) and prefix-lists/pl-*.json\n"
	"  --established      (explain) the packet belongs to a tracked flow\n"
	"  --require          (apply) exit 1 when the host cannot enforce\n"
	"  --json             (status) one JSON document\n"
	"  --state-dir DIR    where apply records what it did (default /run/bulwark)\n"
	"  --dry-run          (authorize-*, revoke-*) print the incremental\n"
	"                     transaction; change neither the file nor the host\n";

struct fw_opts {
	const char *aws_dir;
	const char *k8s_namespace;
	const char *group_id;
	const char *permissions;
	const char *state_dir;
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
	rc = awsdir_load(opts->aws_dir, model, &warnings, err);
	for (size_t i = 0; i < warnings.len; i++)
		cmd_warn("%s", VEC_AT(&warnings, struct awsjson_warning, i)->text);
	vec_free(&warnings);
	return rc;
}

static int fw_explain(const struct fw_opts *opts, const char *packet_text, struct bw_err *err)
{
	struct vpc_model model;
	struct vpc_packet packet;
	struct vpc_explanation why;
	char reason[200];
	int rc;

	if (vpc_packet_parse(packet_text, &packet, reason, sizeof(reason)) < 0)
		return bw_err_input(err, "fw explain: %s", reason);
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
						 .ct_mark_mask = VPC_CT_DEFAULT_MASK };

		struct vec ports = VEC_INIT(struct vpc_port);

		/* Where each ENI attaches; none known: bound by MAC only. */
		if (bridgeports_read(&ports, err) < 0)
			ports.len = 0;
		*ruleset = vpc_nft_render_all(&model, &nft_opts, ports.items, ports.len);
		vec_free(&ports);
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

/* Whether a failed nftables call means this host cannot enforce at all
 * (no nf_tables, no CAP_NET_ADMIN) rather than a bad ruleset. */
static bool is_unavailable(const struct bw_err *err)
{
	return strstr(err->msg, "Operation not permitted") ||
	       strstr(err->msg, "Protocol not supported") ||
	       strstr(err->msg, "Address family not supported");
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
static int enable_bridge_hooks(const char *root, struct bw_err *err)
{
	static const char *const knobs[] = {
		"/proc/sys/net/bridge/bridge-nf-call-iptables",
		"/proc/sys/net/bridge/bridge-nf-call-ip6tables",
	};

	for (size_t i = 0; i < 2; i++) {
		int rc;

		if (!fsroot_exists(root, knobs[i]))
			continue;
		rc = fsroot_write_knob(root, knobs[i], "1", err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int fw_apply(const struct bw_globals *globals, const struct fw_opts *opts,
		    bool is_dry_run, struct bw_err *err)
{
	unsigned generation = next_generation(globals->root, opts);
	char *ruleset;
	int rc = render_ruleset(opts, generation, &ruleset, err);

	if (rc < 0)
		return rc;
	/* One transaction: the kernel checks it whole, so a real apply needs
	 * no dry run first; it lands entirely or not at all. */
	rc = nft_has_permission() ? nft_apply(ruleset, is_dry_run, err) :
		bw_errf(err, -EPERM, "no CAP_NET_ADMIN: Operation not permitted");
	if (rc < 0 && is_unavailable(err) && !is_dry_run) {
		if (opts->is_required)
			goto out;
		cmd_warn("this host cannot enforce (%s): metadata-only", err->msg);
		rc = write_state(globals->root, opts, "metadata-only", generation, err);
		goto out;
	}
	if (rc < 0 || is_dry_run) {
		if (rc == 0)
			printf("fw: the kernel accepts the ruleset (%zu bytes)\n", strlen(ruleset));
		goto out;
	}
	rc = enable_bridge_hooks(globals->root, err);
	if (rc == 0)
		rc = write_state(globals->root, opts, "enforcing", generation, err);
	if (rc == 0)
		printf("fw: enforcing (table inet " VPC_NFT_TABLE ")\n");
out:
	free(ruleset);
	return rc;
}

static int fw_delete(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	int rc = nft_apply(VPC_NFT_DELETE, false, err);

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

	if (rc < 0 && !is_unavailable(err))
		return rc;
	rc = 0;
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
		rc = awsdir_load_with_groups(opts->aws_dir, text, &model, &warnings, err);
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
	struct fw_opts opts = { .aws_dir = aws_dir, .state_dir = state_dir, .is_required = true };

	return fw_apply(globals, &opts, false, err);
}

int cmd_fw_status(const struct bw_globals *globals, const char *state_dir, struct bw_err *err)
{
	struct fw_opts opts = { .state_dir = state_dir };

	return fw_status(globals, &opts, err);
}

int cmd_fw(int argc, char **argv, const struct bw_globals *globals, struct bw_err *err)
{
	static const struct option options[] = {
		{ "aws", required_argument, NULL, 'a' },
		{ "established", no_argument, NULL, 'e' },
		{ "require", no_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "group-id", required_argument, NULL, 'g' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "ip-permissions", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct fw_opts opts = { .state_dir = BW_STATE_DIR, .k8s_namespace = "default" };
	const char *sub;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			opts.aws_dir = optarg;
			break;
		case 'e':
			opts.is_established = true;
			break;
		case 'r':
			opts.is_required = true;
			break;
		case 'g':
			opts.group_id = optarg;
			break;
		case 'N':
			opts.k8s_namespace = optarg;
			break;
		case 'p':
			opts.permissions = optarg;
			break;
		case 's':
			if (optarg[0] != '/')
				return bw_err_input(err, "fw: --state-dir must be an absolute path");
			opts.state_dir = optarg;
			break;
		case 'j':
			opts.is_json = true;
			break;
		case 'n':
			opts.is_dry_run = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return bw_err_input(err, "fw: bad option (see 'bulwark fw --help')");
		}
	}
	if (optind >= argc)
		return bw_err_input(err, "fw: expected a command (see 'bulwark fw --help')");
	sub = argv[optind];
	if (strcmp(sub, "explain") == 0) {
		if (optind + 2 != argc)
			return bw_err_input(err, "fw explain: expected one packet, e.g. 'tcp 10.0.1.5:40000 > 10.0.2.7:443'");
		return fw_explain(&opts, argv[optind + 1], err);
	}
	if (optind + 1 != argc)
		return bw_err_input(err, "fw %s: unexpected argument '%s'", sub, argv[optind + 1]);
	if (strcmp(sub, "render") == 0)
		return fw_render(&opts, err);
	if (strcmp(sub, "netpol") == 0)
		return fw_netpol(&opts, err);
	if (strcmp(sub, "check") == 0)
		return fw_apply(globals, &opts, true, err);
	if (strcmp(sub, "apply") == 0)
		return fw_apply(globals, &opts, false, err);
	if (strcmp(sub, "delete") == 0)
		return fw_delete(globals, &opts, err);
	if (strcmp(sub, "status") == 0)
		return fw_status(globals, &opts, err);
	if (strcmp(sub, "authorize-ingress") == 0)
		return fw_edit(globals, &opts, VPC_INGRESS, false, err);
	if (strcmp(sub, "authorize-egress") == 0)
		return fw_edit(globals, &opts, VPC_EGRESS, false, err);
	if (strcmp(sub, "revoke-ingress") == 0)
		return fw_edit(globals, &opts, VPC_INGRESS, true, err);
	if (strcmp(sub, "revoke-egress") == 0)
		return fw_edit(globals, &opts, VPC_EGRESS, true, err);
	if (strcmp(sub, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	return bw_err_input(err, "fw: unknown command '%s' (see 'bulwark fw --help')", sub);
}
