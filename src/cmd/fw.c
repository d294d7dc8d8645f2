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

#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "cmd/fwsync.h"
#include "conf/awsjson.h"
#include "conf/sgbefore.h"
#include "conf/sgedit.h"
#include "host/awsdir.h"
#include "host/awsfingerprint.h"
#include "host/awslock.h"
#include "host/bridgeports.h"
#include "host/brnf.h"
#include "host/ctmark.h"
#include "host/fsroot.h"
#include "host/fwobserve.h"
#include "host/fwstate.h"
#include "host/nft.h"
#include "host/sysctl.h"
#include "model/vpc_eval.h"
#include "render/netpol.h"
#include "render/vpc_nft.h"
#include "util/fnv.h"

/* Where `fw apply --save` records what `fw reapply` loads at boot. */
#define FW_SAVE_DIR "/var/lib/bulwark"

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
	const char *sub;    /* the subcommand's name */
	int packet_argc;    /* explain: the packet's words */
	char **packet_argv;
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

static int read_state(const char *root, const char *state_dir, struct fw_state *state,
		      bool *exists, struct bw_err *err)
{
	fwstate_init(state);
	return fwstate_read(root, state_dir, state, exists, err);
}

/* ---- explain, render, netpol: the model alone ---------------------------- */

static int fw_explain(const struct bw_globals *globals, const struct fw_opts *opts,
		      struct bw_err *err)
{
	struct vpc_model model;
	struct vpc_packet packet;
	struct vpc_explanation why;
	char reason[240];
	int rc;

	(void)globals;
	if (vpc_packet_parse_argv(opts->packet_argc, opts->packet_argv, &packet, reason,
				  sizeof(reason)) < 0)
		return bw_err_input(err, "fw explain: %s", reason);
	vpc_model_init(&model);
	rc = load_model(opts, &model, err);
	if (rc == 0)
		vpc_explain(&model, &packet, opts->is_established, &why);
	if (rc == 0 && opts->is_json) {
		json_t *doc = vpc_explanation_json(&packet, &why);

		rc = doc ? 0 : bw_errf(err, -ENOMEM, "out of memory");
		if (doc)
			cmd_print_json(doc);
	} else if (rc == 0) {
		printf("%s\n", why.is_allowed ? "allow" : "deny");
		for (int i = 0; i < why.n_steps; i++)
			printf("  %s\n", why.steps[i].text);
		if (why.n_steps == 0)
			printf("  neither end is an ENI or in a subnet of the model\n");
	}
	vpc_model_free(&model);
	return rc;
}

/* How many ENIs of one kind of note are named one by one; the rest are
 * counted (a VPC of thousands would otherwise print thousands of lines). */
#define BIND_NOTES_NAMED 3

/* The ports ENIs attach to, from the bridges' static entries; where there
 * are bridges, ENIs bound less than fully are named in a few warnings. */
static int read_ports(const struct vpc_model *model, struct vec *ports, struct bw_err *err)
{
	struct vec notes = VEC_INIT(struct vpc_bind_note);
	size_t n_of_kind[3] = { 0 };
	bool has_bridges = false;
	int rc = bridgeports_read(ports, err);

	/* Without a bridge no frame is bridged: there is nothing to bind. */
	if (rc == 0)
		rc = brnf_has_bridges(&has_bridges, err);
	if (rc == 0 && has_bridges && vpc_nft_bind_notes(model, ports->items, ports->len, &notes) < 0)
		rc = bw_errf(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < notes.len; i++) {
		const struct vpc_bind_note *note = VEC_AT(&notes, struct vpc_bind_note, i);
		char line[320];

		if (note->kind > 2 || n_of_kind[note->kind]++ >= BIND_NOTES_NAMED)
			continue;
		vpc_nft_bind_note_format(model, note, line, sizeof(line));
		cmd_warn("%s", line);
	}
	for (int k = 0; k < 3; k++)
		if (n_of_kind[k] > BIND_NOTES_NAMED)
			cmd_warn("... and %zu more ENIs bound the same way", n_of_kind[k] - BIND_NOTES_NAMED);
	vec_free(&notes);
	return rc;
}

/* What apply would load: both tables in one transaction. */
struct fw_plan {
	struct vpc_model model;
	struct vec ports; /* struct vpc_port */
	struct vpc_nft_opts nft;
	uint64_t acl_digest;
	char *ruleset;
};

static void plan_free(struct fw_plan *plan)
{
	vpc_model_free(&plan->model);
	vec_free(&plan->ports);
	free(plan->ruleset);
}

/* Reads the files and the ports, and renders with the generation the
 * recorded state calls for: the same as the loaded table's while the ACLs
 * are the same (re-applying keeps every flow's cached ACL verdict), the
 * next one otherwise. */
static int plan_build(const struct fw_opts *opts, const struct fw_state *last, bool has_last,
		      struct fw_plan *plan, struct bw_err *err)
{
	int rc;

	vpc_model_init(&plan->model);
	plan->ports = (struct vec)VEC_INIT(struct vpc_port);
	plan->ruleset = NULL;
	plan->nft.ct_mark_mask = opts->ct_mark_mask ?:
		(has_last && last->ct_mark_mask ? last->ct_mark_mask : VPC_CT_DEFAULT_MASK);
	rc = load_model(opts, &plan->model, err);
	if (rc == 0)
		rc = read_ports(&plan->model, &plan->ports, err);
	if (rc < 0)
		return rc;
	plan->acl_digest = vpc_nft_acl_digest(&plan->model);
	if (has_last && last->generation && last->ct_mark_mask == plan->nft.ct_mark_mask &&
	    last->acl_digest == plan->acl_digest && plan->acl_digest &&
	    last->generation <= vpc_ct_generations(plan->nft.ct_mark_mask))
		plan->nft.generation = last->generation;
	else
		plan->nft.generation = has_last ? last->generation %
			vpc_ct_generations(plan->nft.ct_mark_mask) + 1 : 1;
	plan->ruleset = vpc_nft_render_all(&plan->model, &plan->nft, plan->ports.items,
					   plan->ports.len);
	return plan->ruleset ? 0 : bw_errf(err, -ENOMEM, "out of memory");
}

static int fw_render(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	struct fw_plan plan = { 0 };
	struct fw_state none;
	int rc;

	/* What the files say, whatever is loaded: generation 1. */
	(void)globals;
	fwstate_init(&none);
	rc = plan_build(opts, &none, false, &plan, err);
	if (rc == 0)
		fputs(plan.ruleset, stdout);
	plan_free(&plan);
	fwstate_free(&none);
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

/* Fills the record of what plan loads, from what; written once it has
 * loaded. Everything that can fail is done here, before the host
 * changes. */
static int prepare_record(const struct fw_opts *opts, const struct fw_plan *plan,
			  const char *mode, struct fw_state *state, struct bw_err *err)
{
	char aws[PATH_MAX];
	int rc;

	/* Kept by absolute path: edits and reapply may run from anywhere. */
	if (!realpath(opts->aws_dir, aws))
		return bw_errf(err, -errno, "%s: %s", opts->aws_dir, strerror(errno));
	rc = awsdir_fingerprint(aws, state->fingerprint, err);
	if (rc < 0)
		return rc;
	snprintf(state->mode, sizeof(state->mode), "%s", mode);
	snprintf(state->aws_dir, sizeof(state->aws_dir), "%s", aws);
	snprintf(state->vpc_id, sizeof(state->vpc_id), "%s", plan->model.vpc_id);
	state->generation = plan->nft.generation;
	state->ct_mark_mask = plan->nft.ct_mark_mask;
	state->acl_digest = plan->acl_digest;
	state->ruleset_digest = fnv1a64(FNV1A64_OFFSET, plan->ruleset, strlen(plan->ruleset));
	state->nft_generation = 0;
	return 0;
}

static int write_record(const struct bw_globals *globals, const struct fw_opts *opts,
			const struct fw_state *state, struct bw_err *err)
{
	int rc = fwstate_write(globals->root, opts->state_dir, state, err);

	if (rc == 0 && opts->is_saved)
		rc = fwstate_write(globals->root, FW_SAVE_DIR, state, err);
	return rc;
}

/* Whether the loaded tables are exactly what plan would load: the record
 * says they were loaded from the same transaction, and the kernel's
 * ruleset generation says no transaction of anyone's came since. */
static bool is_unchanged(const struct fw_state *last, bool has_last, const struct fw_plan *plan)
{
	struct bw_err ignored;
	uint32_t now;

	if (!has_last || !plan->ruleset || strcmp(last->mode, "enforcing") != 0 ||
	    !last->nft_generation ||
	    last->ruleset_digest != fnv1a64(FNV1A64_OFFSET, plan->ruleset, strlen(plan->ruleset)))
		return false;
	return nft_ruleset_generation(&now, &ignored) == 0 && now == last->nft_generation;
}

/* The model, once rendered and recorded, is not needed: freed before
 * libnftables makes the command's peak of memory. */
static void plan_drop_model(struct fw_plan *plan)
{
	vpc_model_free(&plan->model);
	vpc_model_init(&plan->model);
}

static void print_dry_run(const struct fw_state *last, bool has_last, const struct fw_plan *plan)
{
	printf("generation %u%s\n", plan->nft.generation,
	       has_last && last->generation == plan->nft.generation ?
		       " (unchanged: flows keep their ACL verdicts)" :
		       " (flows are judged by the ACLs afresh)");
	printf("would load (the kernel checked it):\n%s", plan->ruleset);
}

/* Both tables are there, as the kernel lists them. */
static int verify_loaded(struct bw_err *err)
{
	bool has_inet, has_bridge;
	int rc = fwobserve_tables(&has_inet, &has_bridge, err);

	if (rc == 0 && !(has_inet && has_bridge))
		rc = bw_errf(err, -EIO, "the kernel took the transaction but lists no table "
			     "%s " VPC_NFT_TABLE, has_inet ? "bridge" : "inet");
	return rc;
}

/* Loads plan, with the marks of a recycled generation cleared first. The
 * bridge knobs are already on. On failure nothing was loaded. */
static int load_plan(const struct fw_state *last, bool has_last, const struct fw_plan *plan,
		     struct bw_err *err)
{
	uint32_t old_mask = has_last ? last->ct_mark_mask : 0;
	bool is_new_generation = !has_last || last->generation != plan->nft.generation;
	int rc = 0;

	/* A generation number comes back after a full cycle: flows still
	 * marked with it from then are cleared first, so none passes the
	 * ACLs on a verdict of an older ruleset (every later number is used
	 * once a cycle, after this clear). A mask moved: the old bits are
	 * bulwark's no more. */
	if (is_new_generation && plan->nft.generation == 1 && has_last && last->generation)
		rc = ctmark_clear(plan->nft.ct_mark_mask, err);
	if (rc == 0 && old_mask && old_mask != plan->nft.ct_mark_mask)
		rc = ctmark_clear(old_mask, err);
	if (rc == 0)
		rc = nft_apply(plan->ruleset, false, err);
	return rc;
}

/* Without CAP_NET_ADMIN (asked of the kernel: capget, not guessed from an
 * error) this host cannot enforce: metadata-only, unless --require. */
static int apply_without_permission(const struct bw_globals *globals,
				    const struct fw_opts *opts, struct fw_plan *plan,
				    struct fw_state *state, struct bw_err *err)
{
	int rc;

	if (opts->is_dry_run) {
		printf("%s", plan->ruleset);
		cmd_warn("no CAP_NET_ADMIN: the kernel did not check this ruleset");
		return 0;
	}
	if (opts->is_required)
		return bw_errf(err, -EPERM, "fw apply: no CAP_NET_ADMIN: this host cannot enforce");
	cmd_warn("no CAP_NET_ADMIN: this host cannot enforce: metadata-only");
	rc = prepare_record(opts, plan, "metadata-only", state, err);
	return rc ?: write_record(globals, opts, state, err);
}

static int fw_apply(const struct bw_globals *globals, const struct fw_opts *opts,
		    struct bw_err *err)
{
	struct vec undo = VEC_INIT(struct knob);
	struct fw_state state, record;
	struct fw_plan plan = { 0 };
	bool has_state = false, is_loaded = false;
	int lock_fd = -1;
	int rc = 0;

	fwstate_init(&state);
	fwstate_init(&record);
	/* No edit may land between reading the files and recording their
	 * fingerprint, nor between reading the record and writing it. */
	if (opts->aws_dir)
		rc = awslock_acquire(opts->aws_dir, &lock_fd, err);
	if (rc == 0)
		rc = read_state(globals->root, opts->state_dir, &state, &has_state, err);
	if (rc == 0)
		rc = plan_build(opts, &state, has_state, &plan, err);
	if (rc < 0)
		goto out;
	if (!nft_has_permission()) {
		rc = apply_without_permission(globals, opts, &plan, &state, err);
		goto out;
	}
	if (opts->is_dry_run) {
		plan_drop_model(&plan);
		rc = brnf_enable(globals->root, true, &undo, err) ?:
			nft_apply(plan.ruleset, true, err);
		if (rc == 0)
			print_dry_run(&state, has_state, &plan);
		goto out;
	}
	/* The record, the bridge knobs, then the tables: a failure before the
	 * load puts the knobs back and leaves the tables as they were. */
	rc = knobs_merge(&record.saved_knobs, &state.saved_knobs) < 0 ?
		bw_errf(err, -ENOMEM, "out of memory") :
		prepare_record(opts, &plan, "enforcing", &record, err);
	plan_drop_model(&plan);
	if (rc == 0)
		rc = brnf_enable(globals->root, false, &undo, err);
	if (rc == 0 && knobs_merge(&record.saved_knobs, &undo) < 0)
		rc = bw_errf(err, -ENOMEM, "out of memory");
	if (rc == 0 && is_unchanged(&state, has_state, &plan)) {
		record.nft_generation = state.nft_generation;
		rc = write_record(globals, opts, &record, err);
		if (rc == 0)
			printf("fw: unchanged (generation %u): nothing loaded\n", plan.nft.generation);
		goto out;
	}
	if (rc == 0)
		rc = load_plan(&state, has_state, &plan, err);
	is_loaded = rc == 0;
	if (rc == 0)
		rc = verify_loaded(err);
	if (rc == 0)
		rc = nft_ruleset_generation(&record.nft_generation, err);
	if (rc == 0)
		rc = write_record(globals, opts, &record, err);
	if (rc == 0)
		printf("fw: enforcing (tables inet and bridge " VPC_NFT_TABLE "), generation %u\n",
		       plan.nft.generation);
	if (rc < 0 && is_loaded) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		bw_errf(err, rc, "the tables are loaded, but %.400s", why);
	}
out:
	/* Once loaded, the tables need the knobs: they stay, and the error
	 * says what is missing. */
	if (rc < 0 && !is_loaded) {
		struct bw_err ignored;

		knobs_restore(globals->root, &undo, &ignored);
	}
	vec_free(&undo);
	awslock_release(lock_fd);
	plan_free(&plan);
	fwstate_free(&record);
	fwstate_free(&state);
	return rc;
}

/* fw reapply: what `fw apply --save` recorded, loaded again (at boot). */
static int fw_reapply(const struct bw_globals *globals, const struct fw_opts *opts,
		      struct bw_err *err)
{
	struct fw_state saved;
	struct fw_opts again = *opts;
	bool has_saved;
	int rc = read_state(globals->root, FW_SAVE_DIR, &saved, &has_saved, err);

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
	struct fw_state last;
	struct fw_plan plan = { 0 };
	bool has_last;
	int rc = read_state(globals->root, opts->state_dir, &last, &has_last, err);

	if (rc == 0)
		rc = plan_build(opts, &last, has_last, &plan, err);
	if (rc == 0 && !nft_has_permission())
		rc = bw_errf(err, -EPERM, "fw check: no CAP_NET_ADMIN: the kernel cannot be asked");
	if (rc == 0)
		rc = nft_apply(plan.ruleset, true, err);
	if (rc == 0 && opts->is_json)
		cmd_print_json(json_pack("{s:b, s:I, s:I}", "accepted", 1, "bytes",
					 (json_int_t)strlen(plan.ruleset), "generation",
					 (json_int_t)plan.nft.generation));
	else if (rc == 0)
		printf("fw: the kernel accepts the ruleset (%zu bytes)\n", strlen(plan.ruleset));
	plan_free(&plan);
	fwstate_free(&last);
	return rc;
}

static int fw_delete(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	struct fw_state state;
	bool has_state;
	int rc = read_state(globals->root, opts->state_dir, &state, &has_state, err);

	if (rc < 0)
		goto out;
	if (opts->is_dry_run) {
		for (size_t i = 0; i < state.saved_knobs.len; i++) {
			const struct knob *knob = VEC_AT(&state.saved_knobs, struct knob, i);

			printf("would write %s -> %s\n", knob->path, knob->value);
		}
		printf("would load:\n%s", VPC_NFT_DELETE);
		goto out;
	}
	rc = nft_apply(VPC_NFT_DELETE, false, err);
	if (rc == 0)
		rc = knobs_restore(globals->root, &state.saved_knobs, err);
	/* The record stays, with its generation and mask: flows marked by the
	 * deleted table are judged afresh by the next one. */
	if (rc == 0) {
		state.saved_knobs.len = 0;
		state.ruleset_digest = 0;
		state.nft_generation = 0;
		snprintf(state.mode, sizeof(state.mode), "off");
		rc = fwstate_write(globals->root, opts->state_dir, &state, err);
	}
	if (rc == 0 && opts->is_saved && fsroot_exists(globals->root, FW_SAVE_DIR "/" FWSTATE_NAME))
		rc = fsroot_remove(globals->root, FW_SAVE_DIR "/" FWSTATE_NAME, err);
	if (rc == 0)
		printf("fw: deleted\n");
out:
	fwstate_free(&state);
	return rc;
}

/* ---- status ---------------------------------------------------------------- */

static int fw_status(const struct bw_globals *globals, const struct fw_opts *opts,
		     struct bw_err *err)
{
	struct fw_loaded loaded = { 0 };
	struct fw_state state;
	const char *mode = "off";
	char bypass[160] = "", mode_text[240];
	bool has_state;
	int rc = read_state(globals->root, opts->state_dir, &state, &has_state, err);

	if (rc == 0 && nft_has_permission())
		rc = fwobserve_read(&loaded, err);
	if (rc < 0)
		goto out;
	if (has_state)
		mode = state.mode;
	/* Never report what the kernel does not show. */
	if (strcmp(mode, "enforcing") == 0 && !(loaded.has_inet && loaded.has_bridge))
		mode = "enforcing, but the tables are gone";
	if (rc == 0 && strcmp(mode, "enforcing") == 0)
		rc = brnf_check(globals->root, bypass, sizeof(bypass), err);
	if (rc < 0)
		goto out;
	if (bypass[0]) {
		snprintf(mode_text, sizeof(mode_text),
			 "enforcing, but bridged traffic bypasses the groups (%s)", bypass);
		mode = mode_text;
	}
	if (opts->is_json) {
		json_t *counters = json_object();

		for (size_t i = 0; counters && i < loaded.n_counters; i++)
			json_object_set_new(counters, loaded.counters[i].name,
					    json_integer((json_int_t)loaded.counters[i].packets));
		cmd_print_json(json_pack(
			"{s:s, s:s?, s:s?, s:I, s:s?, s:{s:b, s:b}, s:I, s:I, s:o*}", "mode", mode,
			"aws", has_state && state.aws_dir[0] ? state.aws_dir : NULL, "vpc",
			has_state && state.vpc_id[0] ? state.vpc_id : NULL, "generation",
			(json_int_t)(has_state ? state.generation : 0), "fingerprint",
			has_state && state.fingerprint[0] ? state.fingerprint : NULL, "tables",
			"inet", loaded.has_inet, "bridge", loaded.has_bridge, "eni_addresses",
			(json_int_t)loaded.n_eni_addrs, "security_groups",
			(json_int_t)loaded.n_groups, "drops", counters));
		goto out;
	}
	printf("%-18s %s\n", "mode", mode);
	printf("%-18s %s\n", "from", has_state && state.aws_dir[0] ? state.aws_dir : "-");
	printf("%-18s %s\n", "vpc", has_state && state.vpc_id[0] ? state.vpc_id : "-");
	if (has_state && state.generation)
		printf("%-18s %u (ct mark bits 0x%08x)\n", "generation", state.generation,
		       state.ct_mark_mask);
	printf("%-18s %s%s%s\n", "tables", loaded.has_inet ? "inet " VPC_NFT_TABLE : "",
	       loaded.has_inet && loaded.has_bridge ? ", " : "",
	       loaded.has_bridge ? "bridge " VPC_NFT_TABLE :
	       loaded.has_inet ? "" : "absent");
	if (loaded.has_inet) {
		printf("%-18s %zu\n", "eni addresses", loaded.n_eni_addrs);
		printf("%-18s %zu\n", "security groups", loaded.n_groups);
	}
	if (loaded.n_counters)
		printf("dropped, by what decided it:\n");
	for (size_t i = 0; i < loaded.n_counters; i++)
		printf("  %-28s %" PRIu64 " packets\n", loaded.counters[i].name,
		       loaded.counters[i].packets);
out:
	fwstate_free(&state);
	return rc;
}

/* ---- authorize-*, revoke-* --------------------------------------------------- */

/* Whether the live tables were rendered from the files in aws_dir: only
 * then do an edit's sets belong in them. */
static bool is_live_for(const struct fw_state *state, bool has_state, const char *aws_dir)
{
	char aws[PATH_MAX];

	return has_state && strcmp(state->mode, "enforcing") == 0 && realpath(aws_dir, aws) &&
	       strcmp(aws, state->aws_dir) == 0;
}

/* Puts the live group back as the files on disk (unchanged, under the
 * lock) still have it, after the file could not be written. */
static void undo_live_edit(const struct fw_opts *opts, const struct vpc_sg *after)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model before;
	struct bw_err ignored;
	char *reverse = NULL;
	int sg;

	vpc_model_init(&before);
	if (awsdir_load(opts->aws_dir, opts->vpc_id, &before, &warnings, &ignored) == 0 &&
	    (sg = vpc_find_sg(&before, opts->group_id)) >= 0)
		reverse = vpc_nft_render_sg_update(&before, sg, after);
	if (!reverse || nft_apply(reverse, false, &ignored) < 0)
		cmd_warn("the live sets of %s could not be put back: run fw apply", opts->group_id);
	free(reverse);
	vec_free(&warnings);
	vpc_model_free(&before);
}

/* The record follows the files: the next edit checks against it. */
static void record_edit(const struct bw_globals *globals, const struct fw_opts *opts,
			struct fw_state *state)
{
	struct bw_err err;

	/* The live table is no longer the transaction apply recorded. */
	state->ruleset_digest = 0;
	state->nft_generation = 0;
	if (awsdir_fingerprint(state->aws_dir, state->fingerprint, &err) < 0 ||
	    fwstate_write(globals->root, opts->state_dir, state, &err) < 0)
		cmd_warn("the change landed, but the record of it did not (%s): run fw apply",
			 err.msg);
}

/* authorize-* and revoke-*: the file and the live sets change together or
 * neither does. */
static int fw_edit(const struct bw_globals *globals, const struct fw_opts *opts,
		   struct bw_err *err)
{
	enum vpc_dir dir = strstr(opts->sub, "ingress") ? VPC_INGRESS : VPC_EGRESS;
	bool is_revoke = strncmp(opts->sub, "revoke", 6) == 0;
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	struct vpc_model model, before;
	struct fw_state state;
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *doc = NULL, *original = NULL;
	bool has_state = false, is_live = false, is_live_vpc = false;
	char *text = NULL, *update = NULL;
	int rc, sg = -1, lock_fd = -1, n;

	if (!opts->aws_dir || !opts->group_id || !opts->permissions)
		return bw_err_input(err, "fw: --aws, --group-id and --ip-permissions are required");
	n = snprintf(path, sizeof(path), "%s/security-groups.json", opts->aws_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return bw_errf(err, -ENAMETOOLONG, "%.200s/security-groups.json: path too long",
			       opts->aws_dir);
	vpc_model_init(&model);
	vpc_model_init(&before);
	/* Read (the record too), change and write back under the folder's
	 * lock: concurrent edits each land, none lost, each checked against
	 * the record the one before it left. */
	fwstate_init(&state);
	rc = awslock_acquire(opts->aws_dir, &lock_fd, err);
	if (rc == 0)
		rc = read_state(globals->root, opts->state_dir, &state, &has_state, err);
	is_live = rc == 0 && is_live_for(&state, has_state, opts->aws_dir);
	/* The live sets are found by the group's place in the files the table
	 * was rendered from: files changed since would refill the wrong one. */
	if (rc == 0 && is_live)
		rc = awsdir_check_fingerprint(opts->aws_dir, state.fingerprint, err);
	if (rc == 0 && !(doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)))
		rc = bw_err_at(err, path, jerr.line, jerr.column, "%s", jerr.text);
	if (rc == 0) {
		original = sgbefore_copy(doc, opts->group_id);
		rc = sgedit_apply(doc, opts->group_id, dir, is_revoke, opts->permissions, err);
	}
	if (rc == 0 && !(text = json_dumps(doc, JSON_INDENT(4))))
		rc = bw_errf(err, -ENOMEM, "out of memory");
	/* The edited file must still be a valid model as a whole. */
	if (rc == 0)
		rc = awsdir_load_with_groups(opts->aws_dir, opts->vpc_id, text, &model, &warnings,
					     err);
	if (rc == 0 && (sg = vpc_find_sg(&model, opts->group_id)) < 0)
		rc = bw_err_input(err, "fw: %s is not a group of the selected VPC", opts->group_id);
	/* The live sets are the loaded VPC's: a group of another VPC in the
	 * same files changes in the file alone (its index would name another
	 * group's sets). */
	is_live_vpc = is_live && rc == 0 && strcmp(model.vpc_id, state.vpc_id) == 0;
	if (rc == 0 &&
	    !(update = vpc_nft_render_sg_update(&model, sg, sgbefore_parse(original, &model,
									   &before))))
		rc = bw_errf(err, -ENOMEM, "out of memory");
	if (rc < 0)
		goto out;
	if (opts->is_dry_run) {
		/* The change checked and shown; nothing written. */
		printf("%s", update);
		goto out;
	}
	/* Live first: if the kernel refuses, the file stays as it was; if the
	 * file cannot be written, the live sets go back. */
	if (is_live_vpc)
		rc = nft_apply(update, false, err);
	if (rc == 0) {
		rc = fsroot_replace("", path, text, err);
		if (rc < 0 && is_live_vpc)
			undo_live_edit(opts, VEC_AT(&model.sgs, struct vpc_sg, sg));
	}
	if (rc == 0 && is_live)
		record_edit(globals, opts, &state);
	if (rc == 0)
		printf("fw: %s %s %s; %s\n", is_revoke ? "revoked" : "authorized",
		       dir == VPC_INGRESS ? "ingress" : "egress", opts->group_id,
		       is_live_vpc ? "live sets updated" :
		       is_live ? "not in the loaded VPC: the file alone" : "no live table to update");
out:
	awslock_release(lock_fd);
	fwstate_free(&state);
	json_decref(original);
	json_decref(doc);
	vpc_model_free(&before);
	free(text);
	free(update);
	vec_free(&warnings);
	vpc_model_free(&model);
	return rc;
}

int cmd_fw_apply(const struct bw_globals *globals, const char *aws_dir, const char *vpc_id,
		 const char *state_dir, struct bw_err *err)
{
	struct fw_opts opts = { .aws_dir = aws_dir, .vpc_id = vpc_id, .state_dir = state_dir,
				.is_required = true };

	return fw_apply(globals, &opts, err);
}

int cmd_fw_status(const struct bw_globals *globals, const char *state_dir, struct bw_err *err)
{
	struct fw_opts opts = { .state_dir = state_dir };

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
	{ "vpc", 0, "VPC", "the VPC to enforce when the files hold several (vpc-...)" },
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
	  0, false, "load the ruleset in one transaction (--dry-run: print it and what would "
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
