/* bulwark fw: AWS security groups and network ACLs, enforced with nftables.
 * A thin shell: the readers (conf/), the model (model/), the renderer
 * (render/) and the host (host/) do the work; this file orders the steps
 * and prints. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "api/client.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "cmd/fwsync.h"
#include "conf/awsjson.h"
#include "host/awsdir.h"
#include "host/fwengine.h"
#include "host/fwstate.h"
#include "host/nft.h"
#include "host/sysctl.h"
#include "model/vpc_eval.h"
#include "render/netpol.h"
#include "render/vpc_nft.h"
#include "util/strbuf.h"

struct fw_opts {
	const char *aws_dir;
	const char *vpc_id; /* --vpc; NULL: the only VPC in the files */
	const char *k8s_namespace;
	const char *group_id;
	const char *permissions;
	const char *state_dir;
	uint32_t ct_mark_mask; /* 0: as recorded, else the default */
	bool is_established;
	bool is_required;
	bool is_json;
	bool is_dry_run;
	bool is_saved;
	bool is_alone;      /* never through a server (the lab's own calls) */
	const char *sub;    /* the subcommand's name */
	int packet_argc;    /* explain: the packet's words */
	char **packet_argv;
};

static void warn_line(void *ctx, const char *line)
{
	(void)ctx;
	cmd_warn("%s", line);
}

static struct fwengine_opts engine_opts(const struct fw_opts *opts)
{
	return (struct fwengine_opts){
		.aws_dir = opts->aws_dir,
		.vpc_id = opts->vpc_id,
		.state_dir = opts->state_dir,
		.ct_mark_mask = opts->ct_mark_mask,
		.is_required = opts->is_required,
		.is_dry_run = opts->is_dry_run,
		.is_saved = opts->is_saved,
		.group_id = opts->group_id,
		.permissions = opts->permissions,
		.dir = opts->sub && strstr(opts->sub, "egress") ? VPC_EGRESS : VPC_INGRESS,
		.is_revoke = opts->sub && strncmp(opts->sub, "revoke", 6) == 0,
	};
}

/* ---- through the server, when one answers -------------------------------- */

/* Sends the request to `bulwark serve` when it answers on the socket (the
 * real host only: a server has its own root). *is_served false: nothing
 * answered, the command works alone. */
static int via_server(const struct bw_globals *globals, bool is_alone, const char *method,
		      const char *target, json_t *body, json_t **answer, bool *is_served,
		      struct bw_err *err)
{
	struct api_reply reply = { 0 };
	char *text = NULL;
	int rc;

	*is_served = false;
	*answer = NULL;
	if (globals->root[0] || is_alone) {
		json_decref(body);
		return 0;
	}
	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		json_decref(body);
		return bw_errf(err, -ENOMEM, "out of memory");
	}
	json_decref(body);
	rc = api_request(api_socket_path(NULL), method, target, text, &reply, err);
	free(text);
	if (rc == -ECONNREFUSED && reply.status == 0) {
		api_reply_free(&reply);
		memset(err, 0, sizeof(*err));
		return 0;
	}
	*is_served = true;
	if (rc == 0 && !(*answer = json_loadb(reply.body ? reply.body : "", reply.len, 0, NULL)))
		rc = bw_errf(err, -EPROTO, "the server's answer is not JSON");
	api_reply_free(&reply);
	return rc;
}

/* The body every folder-reading call sends: the folder by absolute path
 * (the server runs elsewhere) and the options. */
static json_t *folder_body(const struct fw_opts *opts)
{
	char aws[PATH_MAX];

	if (opts->aws_dir && !realpath(opts->aws_dir, aws))
		snprintf(aws, sizeof(aws), "%s", opts->aws_dir);
	return json_pack("{s:s?, s:s?, s:s, s:b, s:b, s:b, s:I}", "aws",
			 opts->aws_dir ? aws : NULL, "vpc", opts->vpc_id, "state_dir",
			 opts->state_dir, "dry_run", opts->is_dry_run, "require", opts->is_required,
			 "save", opts->is_saved, "ct_mark_bits", (json_int_t)opts->ct_mark_mask);
}

/* Prints the server's {"output", "warnings"} as the command alone would. */
static void print_served(const json_t *answer)
{
	const json_t *warnings = json_object_get(answer, "warnings");
	const char *output = json_string_value(json_object_get(answer, "output"));

	for (size_t i = 0; i < json_array_size(warnings); i++)
		cmd_warn("%s", json_string_value(json_array_get(warnings, i)) ?: "");
	if (output)
		fputs(output, stdout);
}

typedef int engine_call(struct fwengine *e, const struct fwengine_opts *opts,
			struct strbuf *out, struct bw_err *err);

/* Runs call on an engine of this command alone and prints what it says. */
static int run_alone(const struct bw_globals *globals, const struct fw_opts *opts,
		     engine_call *call, struct bw_err *err)
{
	struct fwengine e;
	struct fwengine_opts eopts = engine_opts(opts);
	struct strbuf out = { 0 };
	int rc;

	fwengine_init(&e, globals->root, false);
	e.warn = warn_line;
	rc = call(&e, &eopts, &out, err);
	if (out.len)
		fwrite(out.buf, 1, out.len, stdout);
	strbuf_free(&out);
	fwengine_free(&e);
	return rc;
}

/* ---- explain, render, netpol: the model alone ---------------------------- */

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

static void print_explanation(const json_t *doc)
{
	const json_t *steps = json_object_get(doc, "steps");

	printf("%s\n", json_string_value(json_object_get(doc, "verdict")) ?: "deny");
	for (size_t i = 0; i < json_array_size(steps); i++)
		printf("  %s\n",
		       json_string_value(json_object_get(json_array_get(steps, i), "text")) ?: "");
	if (json_array_size(steps) == 0)
		printf("  neither end is an ENI or in a subnet of the model\n");
	if (json_string_value(json_object_get(doc, "assumes")))
		printf("  %s\n", json_string_value(json_object_get(doc, "assumes")));
}

static int fw_explain(const struct bw_globals *globals, const struct fw_opts *opts,
		      struct bw_err *err)
{
	struct fwengine_opts eopts = engine_opts(opts);
	struct vpc_packet packet;
	struct strbuf words = { 0 };
	char reason[240];
	json_t *doc = NULL;
	bool is_served = false;
	char *packet_text, *target = NULL;
	int rc;

	if (vpc_packet_parse_argv(opts->packet_argc, opts->packet_argv, &packet, reason,
				  sizeof(reason)) < 0)
		return bw_err_input(err, "fw explain: %s", reason);
	for (int i = 0; i < opts->packet_argc; i++)
		strbuf_addf(&words, "%s%s", i ? " " : "", opts->packet_argv[i]);
	packet_text = strbuf_take(&words);
	if (!packet_text)
		return bw_errf(err, -ENOMEM, "out of memory");
	{
		json_t *q = folder_body(opts);
		char *e_aws = api_escape(json_string_value(json_object_get(q, "aws")) ?: "");
		char *e_packet = api_escape(packet_text);
		char *e_vpc = api_escape(opts->vpc_id ?: "");

		if (e_aws && e_packet && e_vpc &&
		    asprintf(&target, "/fw/explain?packet=%s&aws=%s%s%s%s", e_packet, e_aws,
			     opts->vpc_id ? "&vpc=" : "", opts->vpc_id ? e_vpc : "",
			     opts->is_established ? "&established=1" : "") < 0)
			target = NULL;
		free(e_aws), free(e_packet), free(e_vpc);
		json_decref(q);
	}
	rc = target ? via_server(globals, opts->is_alone, "GET", target, NULL, &doc, &is_served, err) :
		      bw_errf(err, -ENOMEM, "out of memory");
	if (rc == 0 && !is_served) {
		struct fwengine e;

		fwengine_init(&e, globals->root, false);
		e.warn = warn_line;
		rc = fwengine_explain(&e, &eopts, packet_text, opts->is_established, &doc, err);
		fwengine_free(&e);
	}
	if (rc == 0 && opts->is_json)
		cmd_print_json(json_incref(doc));
	else if (rc == 0)
		print_explanation(doc);
	json_decref(doc);
	free(target);
	free(packet_text);
	return rc;
}

static int fw_render(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	struct fwengine e;
	struct fwengine_opts eopts = engine_opts(opts);
	char *ruleset = NULL;
	unsigned generation;
	int rc;

	/* What the files say, whatever is loaded: generation 1. */
	fwengine_init(&e, globals->root, false);
	e.warn = warn_line;
	rc = fwengine_render(&e, &eopts, false, &ruleset, &generation, err);
	if (rc == 0)
		fputs(ruleset, stdout);
	free(ruleset);
	fwengine_free(&e);
	return rc;
}

static int fw_netpol(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	struct vec notes = VEC_INIT(struct netpol_note);
	struct vpc_model model;
	char *text = NULL;
	int rc;

	(void)globals;
	if (!netpol_namespace_is_valid(opts->k8s_namespace))
		return bw_err_input(err, "fw netpol: --namespace '%.80s' is not a DNS-1123 label "
				    "(1 to 63 of a-z, 0-9 and '-', starting and ending with a "
				    "letter or digit)", opts->k8s_namespace);
	vpc_model_init(&model);
	rc = load_model(opts, &model, err);
	if (rc == 0)
		rc = netpol_render(&model, opts->k8s_namespace, opts->is_json, &text, &notes, err);
	if (rc == 0)
		fputs(text, stdout);
	for (size_t i = 0; i < notes.len; i++)
		cmd_warn("%s", VEC_AT(&notes, struct netpol_note, i)->text);
	free(text);
	vec_free(&notes);
	vpc_model_free(&model);
	return rc;
}

/* ---- apply, check, delete ------------------------------------------------ */

static int fw_apply(const struct bw_globals *globals, const struct fw_opts *opts,
		    struct bw_err *err)
{
	json_t *answer = NULL;
	bool is_served = false;
	int rc = via_server(globals, opts->is_alone, "POST", "/fw/apply", folder_body(opts), &answer, &is_served,
			    err);

	if (rc == 0 && is_served)
		print_served(answer);
	json_decref(answer);
	if (rc < 0 || is_served)
		return rc;
	return run_alone(globals, opts, fwengine_apply, err);
}

/* fw reapply: what `fw apply --save` recorded, loaded again (at boot). */
static int fw_reapply(const struct bw_globals *globals, const struct fw_opts *opts,
		      struct bw_err *err)
{
	struct fw_state saved;
	struct fw_opts again = *opts;
	bool has_saved;
	int rc;

	fwstate_init(&saved);
	rc = fwstate_read(globals->root, FW_SAVE_DIR, &saved, &has_saved, err);
	if (rc == 0 && !has_saved)
		rc = bw_errf(err, -ENOENT, "fw reapply: nothing saved (fw apply --save records "
			     "it in " FW_SAVE_DIR "/" FWSTATE_NAME ")");
	if (rc == 0) {
		again.aws_dir = saved.aws_dir;
		again.vpc_id = saved.vpc_id[0] ? saved.vpc_id : NULL;
		again.ct_mark_mask = saved.ct_mark_mask;
		again.is_required = true;
		rc = fw_apply(globals, &again, err);
	}
	fwstate_free(&saved);
	return rc;
}

static int fw_check(const struct bw_globals *globals, const struct fw_opts *opts,
		    struct bw_err *err)
{
	struct fwengine e;
	struct fwengine_opts eopts = engine_opts(opts);
	char *ruleset = NULL;
	unsigned generation = 0;
	int rc;

	fwengine_init(&e, globals->root, false);
	e.warn = warn_line;
	rc = fwengine_render(&e, &eopts, true, &ruleset, &generation, err);
	if (rc == 0 && !nft_has_permission())
		rc = bw_errf(err, -EPERM, "fw check: no CAP_NET_ADMIN: the kernel cannot be asked");
	if (rc == 0)
		rc = nft_apply(ruleset, true, err);
	if (rc == 0 && opts->is_json)
		cmd_print_json(json_pack("{s:b, s:I, s:I}", "accepted", 1, "bytes",
					 (json_int_t)strlen(ruleset), "generation",
					 (json_int_t)generation));
	else if (rc == 0)
		printf("fw: the kernel accepts the ruleset (%zu bytes)\n", strlen(ruleset));
	free(ruleset);
	fwengine_free(&e);
	return rc;
}

static int fw_delete(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	return run_alone(globals, opts, fwengine_delete, err);
}

/* ---- status ---------------------------------------------------------------- */

static const char *str_or_dash(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key)) ?: "-";
}

static void print_status(const json_t *doc)
{
	const json_t *tables = json_object_get(doc, "tables"), *drops = json_object_get(doc, "drops");
	bool has_inet = json_is_true(json_object_get(tables, "inet"));
	bool has_bridge = json_is_true(json_object_get(tables, "bridge"));
	json_int_t generation = json_integer_value(json_object_get(doc, "generation"));
	void *iter;

	printf("%-18s %s\n", "mode", str_or_dash(doc, "mode"));
	if (json_object_get(doc, "since_load"))
		printf("%-18s %s\n", "since the load", str_or_dash(doc, "since_load"));
	printf("%-18s %s\n", "from", str_or_dash(doc, "aws"));
	printf("%-18s %s\n", "vpc", str_or_dash(doc, "vpc"));
	if (generation)
		printf("%-18s %u (ct mark bits 0x%08x)\n", "generation", (unsigned)generation,
		       (uint32_t)json_integer_value(json_object_get(doc, "ct_mark_mask")));
	printf("%-18s %s%s%s\n", "tables", has_inet ? "inet " VPC_NFT_TABLE : "",
	       has_inet && has_bridge ? ", " : "",
	       has_bridge ? "bridge " VPC_NFT_TABLE : has_inet ? "" : "absent");
	if (has_inet) {
		printf("%-18s %" JSON_INTEGER_FORMAT "\n", "eni addresses",
		       json_integer_value(json_object_get(doc, "eni_addresses")));
		printf("%-18s %" JSON_INTEGER_FORMAT "\n", "security groups",
		       json_integer_value(json_object_get(doc, "security_groups")));
	}
	if (json_object_size(drops))
		printf("dropped, by what decided it:\n");
	for (iter = json_object_iter((json_t *)drops); iter;
	     iter = json_object_iter_next((json_t *)drops, iter))
		printf("  %-28s %" JSON_INTEGER_FORMAT " packets\n", json_object_iter_key(iter),
		       json_integer_value(json_object_iter_value(iter)));
}

static int fw_status(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	char *e_state = api_escape(opts->state_dir), *target = NULL;
	json_t *doc = NULL;
	bool is_served = false;
	int rc;

	if (e_state && asprintf(&target, "/fw/status?state_dir=%s", e_state) < 0)
		target = NULL;
	free(e_state);
	rc = target ? via_server(globals, opts->is_alone, "GET", target, NULL, &doc, &is_served, err) :
		      bw_errf(err, -ENOMEM, "out of memory");
	free(target);
	if (rc == 0 && !is_served) {
		struct fwengine e;

		fwengine_init(&e, globals->root, false);
		rc = fwengine_status(&e, opts->state_dir, &doc, err);
		fwengine_free(&e);
	}
	/* The counters in the kernel's order, as the command alone prints them. */
	if (rc == 0 && opts->is_json)
		cmd_print_json(json_incref(doc));
	else if (rc == 0)
		print_status(doc);
	json_decref(doc);
	return rc;
}

/* ---- authorize-*, revoke-* --------------------------------------------------- */

/* authorize-* and revoke-*: the file and the live sets change together or
 * neither does. */
static int fw_edit(const struct bw_globals *globals, const struct fw_opts *opts,
		   struct bw_err *err)
{
	struct fwengine_opts eopts = engine_opts(opts);
	json_t *body = folder_body(opts), *answer = NULL;
	bool is_served = false;
	int rc;

	if (!opts->aws_dir || !opts->group_id || !opts->permissions) {
		json_decref(body);
		return bw_err_input(err, "fw: --aws, --group-id and --ip-permissions are required");
	}
	if (body) {
		json_object_set_new(body, "GroupId", json_string(opts->group_id));
		json_object_set_new(body, "IpPermissions", json_string(opts->permissions));
		json_object_set_new(body, "direction",
				    json_string(eopts.dir == VPC_INGRESS ? "ingress" : "egress"));
	}
	rc = via_server(globals, opts->is_alone, "POST", eopts.is_revoke ? "/fw/revoke" : "/fw/authorize", body,
			&answer, &is_served, err);
	if (rc == 0 && is_served)
		print_served(answer);
	json_decref(answer);
	if (rc < 0 || is_served)
		return rc;
	return run_alone(globals, opts, fwengine_edit, err);
}

int cmd_fw_apply(const struct bw_globals *globals, const char *aws_dir, const char *vpc_id,
		 const char *state_dir, struct bw_err *err)
{
	struct fw_opts opts = { .aws_dir = aws_dir, .vpc_id = vpc_id, .state_dir = state_dir,
				.is_required = true, .is_alone = true };

	return fw_apply(globals, &opts, err);
}

int cmd_fw_status(const struct bw_globals *globals, const char *state_dir, struct bw_err *err)
{
	struct fw_opts opts = { .state_dir = state_dir, .is_alone = true };

	return fw_status(globals, &opts, err);
}

/* fw sync (cmd/fwsync.c) loads the folder it keeps as fw apply --aws would. */
static int sync_apply(const struct bw_globals *globals, const char *dir, const char *vpc_id,
		      const char *state_dir, bool is_dry_run, struct bw_err *err)
{
	struct fw_opts opts = { .aws_dir = dir, .vpc_id = vpc_id, .state_dir = state_dir,
				.is_dry_run = is_dry_run, .is_required = true, .sub = "sync" };

	return fw_apply(globals, &opts, err);
}

static int run_sync(const struct cli_call *call, struct bw_err *err)
{
	return fwsync_run(call, sync_apply, err);
}

static const struct cli_option fw_options[] = {
	{ "aws", 'a', "DIR", "the output of aws ec2 describe-security-groups, -network-acls, "
			      "-subnets, -instances, -network-interfaces, -vpcs (*.json) and "
			      "prefix-lists/pl-*.json" },
	{ "vpc", 0, "VPC", "the VPC to enforce when the files hold several (vpc-...); "
			   "(sync) the VPC to read from EC2, default the host's own, from IMDS" },
	{ "state-dir", 0, "DIR", "where apply records what it did (default " BW_STATE_DIR ")" },
	{ "ct-mark-bits", 0, "MASK", "the ct mark bits bulwark may use, one run of 4 to 16 "
				     "bits (default 0xff000000)" },
	{ "require", 0, NULL, "fail (exit 1) rather than fall back to metadata-only" },
	{ "dry-run", 'n', NULL, "print the transaction; change nothing" },
	{ "save", 0, NULL, "(apply) also record it in " FW_SAVE_DIR " for fw reapply at boot; "
			   "(delete) forget that record" },
	{ "json", 'j', NULL, "one JSON document" },
	{ "established", 0, NULL, "the packet belongs to a tracked flow" },
	{ "group-id", 0, "SG", "the security group to change (sg-...)" },
	{ "ip-permissions", 0, "JSON", "the permissions, as the AWS CLI takes them" },
	{ "namespace", 0, "NS", "the Kubernetes namespace (default: default)" },
	{ "interval", 0, "SECONDS", "(sync) sync again every SECONDS until SIGTERM" },
	{ 0 },
};

/* The options every subcommand that reads the files honours. */
#define FW_MODEL "!aws,vpc"

/* Reads the options into fw_opts; validates what needs it. */
static int take_opts(const struct cli_call *call, struct fw_opts *opts, struct bw_err *err)
{
	const char *mask = cli_value(call, "ct-mark-bits");
	struct stat st;

	*opts = (struct fw_opts){
		.aws_dir = cli_value(call, "aws"),
		.vpc_id = cli_value(call, "vpc"),
		.k8s_namespace = cli_value(call, "namespace") ?: "default",
		.group_id = cli_value(call, "group-id"),
		.permissions = cli_value(call, "ip-permissions"),
		.state_dir = cli_value(call, "state-dir") ?: BW_STATE_DIR,
		.ct_mark_mask = 0,
		.is_established = cli_flag(call, "established"),
		.is_required = cli_flag(call, "require"),
		.is_json = cli_flag(call, "json"),
		.is_dry_run = cli_flag(call, "dry-run"),
		.is_saved = cli_flag(call, "save"),
		.sub = call->sub->name,
		.packet_argc = call->argc,
		.packet_argv = call->argv,
	};
	if (opts->state_dir[0] != '/')
		return bw_err_input(err, "fw: --state-dir must be an absolute path");
	errno = 0;
	if (opts->aws_dir && (stat(opts->aws_dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		return bw_err_input(err, "fw: --aws %.200s: %s", opts->aws_dir,
				    errno ? strerror(errno) : "not a folder");
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

typedef int fw_handler(const struct bw_globals *globals, const struct fw_opts *opts,
		       struct bw_err *err);

static const struct {
	const char *sub;
	fw_handler *handler;
} fw_handlers[] = {
	{ "render", fw_render },	     { "check", fw_check },
	{ "apply", fw_apply },		     { "reapply", fw_reapply },
	{ "delete", fw_delete },	     { "status", fw_status },
	{ "explain", fw_explain },	     { "netpol", fw_netpol },
	{ "authorize-ingress", fw_edit },   { "authorize-egress", fw_edit },
	{ "revoke-ingress", fw_edit },	     { "revoke-egress", fw_edit },
};

/* Every fw subcommand: its options read and checked, then its handler. */
static int run_fw(const struct cli_call *call, struct bw_err *err)
{
	struct fw_opts opts;
	int rc = take_opts(call, &opts, err);

	for (size_t i = 0; rc == 0 && i < sizeof(fw_handlers) / sizeof(fw_handlers[0]); i++)
		if (strcmp(fw_handlers[i].sub, call->sub->name) == 0)
			return fw_handlers[i].handler(call->globals, &opts, err);
	return rc ?: bw_errf(err, -ENOSYS, "fw %s: no handler", call->sub->name);
}

#define FW_EDIT_OPTIONS FW_MODEL ",!group-id,!ip-permissions,state-dir,dry-run"

static const struct cli_sub fw_subs[] = {
	{ "render", run_fw, FW_MODEL ",ct-mark-bits", NULL, 0, 0, false,
	  "print the ruleset (tables inet and bridge " VPC_NFT_TABLE ")" },
	{ "check", run_fw, FW_MODEL ",ct-mark-bits,json", NULL, 0, 0, false,
	  "have the kernel check the ruleset; change nothing" },
	{ "apply", run_fw, FW_MODEL ",state-dir,ct-mark-bits,require,dry-run,save", NULL, 0,
	  0, false, "load the ruleset: what changed, or in parts onto an empty host, or whole "
		    "(--dry-run: print it and what would "
		    "change, change nothing)" },
	{ "reapply", run_fw, "state-dir", NULL, 0, 0, false,
	  "load again what fw apply --save recorded (the boot unit runs it)" },
	{ "delete", run_fw, "state-dir,dry-run,save", NULL, 0, 0, false,
	  "remove the tables and put the bridge knobs back as they were" },
	{ "status", run_fw, "state-dir,json", NULL, 0, 0, false,
	  "enforcing, metadata-only or off, and what is loaded" },
	{ "explain", run_fw, FW_MODEL ",established,json", "PACKET...", 1, -1, false,
	  "the verdict for one packet and what decided it, e.g. "
	  "tcp 10.0.1.5:40000 to 10.0.2.7:443" },
	{ "authorize-ingress", run_fw, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "add ingress permissions to a group: the file and the live sets change together" },
	{ "authorize-egress", run_fw, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "add egress permissions to a group" },
	{ "revoke-ingress", run_fw, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "remove ingress permissions from a group" },
	{ "revoke-egress", run_fw, FW_EDIT_OPTIONS, NULL, 0, 0, false,
	  "remove egress permissions from a group" },
	{ "sync", run_sync, "vpc,interval,state-dir,dry-run", NULL, 0, 0, false,
	  "read the VPC's groups, ACLs, subnets and ENIs from the EC2 API and load what "
	  "changed (--vpc, else the host's own VPC from IMDS)" },
	{ "netpol", run_fw, FW_MODEL ",namespace,json", NULL, 0, 0, false,
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
