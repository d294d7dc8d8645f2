#include "host/fwengine.h"

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/netfilter.h>

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
#include "host/nftnl_elems.h"
#include "host/nftnl_rules.h"
#include "host/sysctl.h"
#include "model/vpc_eval.h"
#include "render/nftobj.h"
#include "render/vpc_nft.h"
#include "util/fnv.h"

static void warn(const struct fwengine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(const struct fwengine *e, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!e->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	e->warn(e->warn_ctx, line);
}

void fwengine_init(struct fwengine *e, const char *root, bool keeps_model)
{
	*e = (struct fwengine){ .root = root, .keeps_model = keeps_model,
				.pending.locks = FW_LOCKS_NONE };
	vpc_model_init(&e->model);
}

static void forget_model(struct fwengine *e)
{
	vpc_model_free(&e->model);
	vpc_model_init(&e->model);
	json_decref(e->groups);
	e->groups = NULL;
	e->has_model = false;
	e->aws_dir[0] = '\0';
}

void fwengine_free(struct fwengine *e)
{
	fwengine_flush(e);
	forget_model(e);
	nftnl_rules_close(&e->nftnl_conn);
}

/* ---- the files, as the engine last saw them ------------------------------ */

static uint64_t stat_mix(uint64_t h, const char *path)
{
	struct stat st;
	char line[PATH_MAX + 128];
	int n;

	if (stat(path, &st) == 0)
		n = snprintf(line, sizeof(line), "%s %llu %lld %lld.%09ld %lld.%09ld\n", path,
			     (unsigned long long)st.st_ino, (long long)st.st_size,
			     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			     (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	else
		n = snprintf(line, sizeof(line), "%s -\n", path);
	return fnv1a64(h, line, n > 0 && (size_t)n < sizeof(line) ? (size_t)n : strlen(line));
}

/* The folder's files by name, inode, size and times: what changes when
 * anyone writes one (a rename onto it too). Cheap: a few stats and one
 * listing of prefix-lists/. */
static uint64_t files_signature(const char *dir)
{
	static const char *const names[] = {
		"security-groups.json", "network-acls.json", "subnets.json", "instances.json",
		"network-interfaces.json", "vpcs.json", "prefix-lists",
	};
	char path[PATH_MAX + 64];
	uint64_t h = FNV1A64_OFFSET;
	DIR *d;
	const struct dirent *ent;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		h = stat_mix(h, path);
	}
	snprintf(path, sizeof(path), "%s/prefix-lists", dir);
	d = opendir(path);
	while (d && (ent = readdir(d))) {
		if (ent->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/prefix-lists/%s", dir, ent->d_name);
		h = stat_mix(h, path);
	}
	if (d)
		closedir(d);
	return h;
}

/* Whether the model in memory is dir's (a realpath) with selection vpc_id,
 * and the files are as the engine left them. */
static bool has_model_of(const struct fwengine *e, const char *dir, const char *vpc_id)
{
	return e->has_model && strcmp(e->aws_dir, dir) == 0 &&
	       strcmp(e->vpc_sel, vpc_id ? vpc_id : "") == 0 && files_signature(dir) == e->files_sig;
}

/* Keeps model and groups (taking both) as dir's. */
static void keep_model(struct fwengine *e, const char *dir, const char *vpc_id,
		       struct vpc_model *model, json_t *groups)
{
	forget_model(e);
	e->model = *model;
	vpc_model_init(model);
	e->groups = groups;
	snprintf(e->aws_dir, sizeof(e->aws_dir), "%s", dir);
	snprintf(e->vpc_sel, sizeof(e->vpc_sel), "%s", vpc_id ? vpc_id : "");
	e->files_sig = files_signature(dir);
	e->has_model = true;
	/* What reading the folder took beyond the model goes back to the
	 * system: a server holds the model, not the reading's peak. */
	malloc_trim(0);
}

static int load_model(const struct fwengine *e, const char *aws_dir, const char *vpc_id,
		      struct vpc_model *model, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	int rc;

	if (!aws_dir)
		return bw_err_input(err, "fw: --aws DIR is required");
	rc = awsdir_load(aws_dir, vpc_id, model, &warnings, err);
	for (size_t i = 0; i < warnings.len; i++)
		warn(e, "%s", VEC_AT(&warnings, struct awsjson_warning, i)->text);
	vec_free(&warnings);
	return rc;
}

static json_t *load_groups(const char *aws_dir, struct bw_err *err)
{
	char path[PATH_MAX + 32];
	json_error_t jerr;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/security-groups.json", aws_dir);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		bw_err_at(err, path, jerr.line, jerr.column, "%s", jerr.text);
	return doc;
}

static int read_state(const char *root, const char *state_dir, struct fw_state *state,
		      bool *exists, struct bw_err *err)
{
	fwstate_init(state);
	return fwstate_read(root, state_dir, state, exists, err);
}

/* ---- apply --------------------------------------------------------------- */

/* How many ENIs of one kind of note are named one by one; the rest are
 * counted (a VPC of thousands would otherwise print thousands of lines). */
#define BIND_NOTES_NAMED 3

/* The ports ENIs attach to, from the bridges' static entries; where there
 * are bridges, ENIs bound less than fully are named in a few warnings. */
static int read_ports(const struct fwengine *e, const struct vpc_model *model, struct vec *ports,
		      struct bw_err *err)
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
		warn(e, "%s", line);
	}
	for (int k = 0; k < 3; k++)
		if (n_of_kind[k] > BIND_NOTES_NAMED)
			warn(e, "... and %zu more ENIs bound the same way", n_of_kind[k] - BIND_NOTES_NAMED);
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
static int plan_build(const struct fwengine *e, const struct fwengine_opts *opts,
		      const struct fw_state *last, bool has_last, struct fw_plan *plan,
		      struct bw_err *err)
{
	int rc;

	vpc_model_init(&plan->model);
	plan->ports = (struct vec)VEC_INIT(struct vpc_port);
	plan->ruleset = NULL;
	plan->nft.ct_mark_mask = opts->ct_mark_mask ?:
		(has_last && last->ct_mark_mask ? last->ct_mark_mask : VPC_CT_DEFAULT_MASK);
	rc = load_model(e, opts->aws_dir, opts->vpc_id, &plan->model, err);
	if (rc == 0)
		rc = read_ports(e, &plan->model, &plan->ports, err);
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

/* Fills the record of what plan loads, from what; written once it has
 * loaded. Everything that can fail is done here, before the host
 * changes. */
static int prepare_record(const struct fwengine_opts *opts, const struct fw_plan *plan,
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
	memset(&state->loaded_stamp, 0, sizeof(state->loaded_stamp));
	return 0;
}

static int write_record(const struct fwengine *e, const struct fwengine_opts *opts,
			const struct fw_state *state, struct bw_err *err)
{
	int rc = fwstate_write(e->root, opts->state_dir, state, err);

	if (rc == 0 && opts->is_saved)
		rc = fwstate_write(e->root, FW_SAVE_DIR, state, err);
	return rc;
}

/* Puts back the record a failed load replaced by its "loading" one. */
static void restore_record(const struct fwengine *e, const char *state_dir,
			   const struct fw_state *before, bool has_before)
{
	struct bw_err ignored;

	if ((has_before ? fwstate_write(e->root, state_dir, before, &ignored) :
			  fwstate_remove(e->root, state_dir, &ignored)) < 0)
		warn(e, "%s: the record of the failed load stays: run fw apply", ignored.msg);
}

/* The record of a load about to begin (mode "loading", no kept render):
 * it becomes "enforcing" once the load is done and verified. */
static int write_loading(const struct fwengine *e, const char *state_dir,
			 const struct fw_state *record, struct bw_err *err)
{
	struct fw_state loading = *record;

	snprintf(loading.mode, sizeof(loading.mode), "loading");
	loading.ruleset_digest = 0;
	return fwstate_write(e->root, state_dir, &loading, err);
}

/* Whether the kernel still holds exactly what the record says was loaded:
 * the same boot, network namespace and ruleset generation (not one
 * transaction of anyone's since), and both tables there. */
static bool is_as_recorded(const struct fw_state *last, bool has_last, struct nft_stamp *now)
{
	struct bw_err ignored;

	memset(now, 0, sizeof(*now));
	return has_last && strcmp(last->mode, "enforcing") == 0 && last->ruleset_digest &&
	       nft_ruleset_stamp(now, &ignored) == 0 && nft_stamp_equal(&last->loaded_stamp, now);
}

static int verify_loaded(struct fw_state *rec, struct bw_err *err);

/* Whether the loaded tables are exactly what plan would load. */
static bool is_unchanged(const struct fw_state *last, bool has_last, const struct fw_plan *plan)
{
	struct nft_stamp now;
	struct bw_err ignored;

	return plan->ruleset && has_last && last->edits.len == 0 &&
	       is_as_recorded(last, has_last, &now) &&
	       last->ruleset_digest == fnv1a64(FNV1A64_OFFSET, plan->ruleset, strlen(plan->ruleset)) &&
	       verify_loaded(NULL, &ignored) == 0;
}

/* The model, once rendered and recorded, is kept by a server (with the
 * groups' document, read after the files' fingerprint under the same
 * lock); a command frees it before libnftables makes its peak of memory. */
static void plan_drop_model(struct fwengine *e, const struct fwengine_opts *opts,
			    struct fw_plan *plan)
{
	struct bw_err ignored;
	char aws[PATH_MAX];
	json_t *groups;

	if (e->keeps_model && realpath(opts->aws_dir, aws) &&
	    (groups = load_groups(opts->aws_dir, &ignored)))
		keep_model(e, aws, opts->vpc_id, &plan->model, groups);
	vpc_model_free(&plan->model);
	vpc_model_init(&plan->model);
}

static void print_dry_run(struct strbuf *out, const struct fw_state *last, bool has_last,
			  const struct fw_plan *plan)
{
	strbuf_addf(out, "generation %u%s\n", plan->nft.generation,
		    has_last && last->generation == plan->nft.generation ?
			    " (unchanged: flows keep their ACL verdicts)" :
			    " (flows are judged by the ACLs afresh)");
	strbuf_addf(out, "would load (the kernel checked it):\n");
	strbuf_add(out, plan->ruleset, strlen(plan->ruleset));
}

/* Both tables are there, as the kernel lists them; their handles go in
 * rec (when given), for later commands to tell them from tables another
 * load made since. */
static int verify_loaded(struct fw_state *rec, struct bw_err *err)
{
	uint64_t inet_handle, bridge_handle;
	int rc = fwobserve_table_handles(&inet_handle, &bridge_handle, err);

	if (rc == 0 && !(inet_handle && bridge_handle))
		rc = bw_errf(err, -EIO, "the kernel took the transaction but lists no table "
			     "%s " VPC_NFT_TABLE, inet_handle ? "bridge" : "inet");
	if (rc == 0 && rec) {
		rec->inet_handle = inet_handle;
		rec->bridge_handle = bridge_handle;
	}
	return rc;
}

/* Whether the tables loaded are the ones rec's load made (not made again
 * by another load since: a whole load gives them new handles). */
static bool is_same_tables(const struct fw_state *rec)
{
	uint64_t inet_handle, bridge_handle;
	struct bw_err ignored;

	return rec->inet_handle && rec->bridge_handle &&
	       fwobserve_table_handles(&inet_handle, &bridge_handle, &ignored) == 0 &&
	       inet_handle == rec->inet_handle && bridge_handle == rec->bridge_handle;
}

/* How many set or map elements a staged load puts in one transaction:
 * libnftables holds about 1 KB an element while it loads one. */
#define STAGED_MAX_ELEMENTS 50000

/* The ruleset last loaded, when the kernel still holds exactly it (the
 * record's stamp, *now) and it was kept (the kept file's digest is the
 * record's). NULL when in doubt. Caller frees. */
static char *loaded_render(const struct fwengine *e, const char *state_dir,
			   const struct fw_state *last, bool has_last, struct nft_stamp *now)
{
	char *text = NULL;

	if (is_as_recorded(last, has_last, now))
		fwstate_read_render(e->root, state_dir, last->ruleset_digest, &text);
	return text;
}

/* The stamp after n_commits transactions of ours since before, or zeroed
 * when it is not: another program committed in between (the tables may
 * hold its change too), and no later apply may trust them as recorded. */
static void stamp_after(const struct nft_stamp *before, size_t n_commits,
			struct nft_stamp *after)
{
	struct nft_stamp expected = *before;
	struct bw_err ignored;

	expected.generation += (uint32_t)n_commits;
	if (nft_ruleset_stamp(after, &ignored) < 0 || !nft_stamp_equal(&expected, after))
		memset(after, 0, sizeof(*after));
}

/* Loads only what changed from the ruleset the kernel holds (from, with
 * the edits since overlaid: struct fw_edit) to plan's, in one
 * transaction. -EOPNOTSUPP: it cannot, the caller loads
 * whole (a difference nftobj does not load as edits, or the kernel
 * refused the edits: whole, it reports the reason). */
static int load_delta(const char *from, const struct vec *edits, const char *to,
		      size_t *n_changed, struct bw_err *err)
{
	struct nftobj_ruleset a = { 0 }, b = { 0 };
	struct bw_err ignored;
	char *txn = NULL;
	int rc = nftobj_parse(from, &a, &ignored);

	/* The tables as the edits since left them. */
	for (size_t i = 0; rc == 0 && i < edits->len; i++) {
		const struct fw_edit *ed = VEC_AT(edits, struct fw_edit, i);

		rc = nftobj_overlay(&a, ed->before, ed->after, &ignored);
	}
	if (rc == 0) {
		rc = nftobj_parse(to, &b, &ignored);
		if (rc == 0)
			rc = nftobj_delta(&a, &b, &txn, n_changed, &ignored);
		nftobj_free(&b);
		nftobj_free(&a);
	}
	if (rc == 0 && *n_changed > 0 && nft_apply(txn, false, &ignored) < 0)
		rc = -EOPNOTSUPP;
	free(txn);
	if (rc == -ENOMEM)
		return bw_errf(err, rc, "out of memory");
	return rc < 0 ? -EOPNOTSUPP : 0;
}

static bool has_no_tables(void);

/* After part i of n failed (the tables it loaded deleted, or tried):
 * the error names the part and what is left. */
static void name_failed_part(int rc, size_t i, size_t n, struct bw_err *err)
{
	char why[sizeof(err->msg)];

	snprintf(why, sizeof(why), "%s", err->msg);
	bw_errf(err, rc, "part %zu of %zu: %.400s; %s", i, n, why,
		has_no_tables() ? "nothing loaded" :
				  "the parts loaded could not all be removed: run fw delete");
}

/* Loads ruleset onto a host without bulwark's tables in parts of
 * bounded size, base chains last (nothing hooked until the tables are
 * whole); *n_parts: the transactions committed. *n_parts 0 and 0: it
 * cannot be staged, the caller loads whole. A part the kernel refuses:
 * the tables are deleted, the error is its. */
static int load_staged(const char *ruleset, size_t *n_parts, struct bw_err *err)
{
	struct nftobj_ruleset rs = { 0 };
	struct vec txns = VEC_INIT(char *);
	struct bw_err ignored;
	int rc = nftobj_parse(ruleset, &rs, &ignored);

	*n_parts = 0;
	/* The elements straight through libnftnl where it encodes them all
	 * (at 10,000 instances 0.7 s where text parts took 1.1 s). */
	if (rc == 0) {
		size_t n_total;

		rc = nftnl_elems_load_staged(&rs, STAGED_MAX_ELEMENTS, n_parts, &n_total, err);
		if (rc != -EOPNOTSUPP) {
			nftobj_free(&rs);
			if (rc < 0 && n_total > 1)
				name_failed_part(rc, *n_parts + 1, n_total, err);
			return rc;
		}
		*n_parts = 0;
		rc = nftobj_staged(&rs, STAGED_MAX_ELEMENTS, &txns, &ignored);
	}
	if (rc == -ENOMEM)
		rc = bw_errf(err, rc, "out of memory");
	else if (rc < 0)
		rc = 0; /* whole, then */
	for (size_t i = 0; rc == 0 && i < txns.len; i++) {
		char **txn = VEC_AT(&txns, char *, i);

		rc = nft_apply(*txn, false, err);
		/* What libnftables held for this part goes back first. */
		free(*txn);
		*txn = NULL;
		malloc_trim(0);
		if (rc == 0)
			(*n_parts)++;
		if (rc < 0 && i > 0)
			nftnl_tables_delete(&rs, &ignored);
		if (rc < 0 && txns.len > 1)
			name_failed_part(rc, i + 1, txns.len, err);
	}
	nftobj_free(&rs);
	for (size_t i = 0; i < txns.len; i++)
		free(*VEC_AT(&txns, char *, i));
	vec_free(&txns);
	return rc;
}

/* Whether neither of bulwark's tables is loaded. */
static bool has_no_tables(void)
{
	struct bw_err ignored;
	bool has_inet = true, has_bridge = true;

	return nft_table_exists(NFPROTO_INET, VPC_NFT_TABLE, &has_inet, &ignored) == 0 &&
	       nft_table_exists(NFPROTO_BRIDGE, VPC_NFT_TABLE, &has_bridge, &ignored) == 0 &&
	       !has_inet && !has_bridge;
}

/* Loads plan's ruleset: what changed over the ruleset the kernel holds
 * when that is bulwark's last (known exactly), in parts onto a host
 * without the tables, else whole in one transaction. how says which;
 * *loaded is the kernel's stamp right after, zeroed when another
 * program's transaction may have come between (the next apply then
 * loads whole). When a delta or parts were loaded and another program
 * committed in between, the tables are then replaced whole. On failure,
 * *has_changed says whether the tables changed all the same (a delta or
 * parts that stayed loaded before a later step failed). */
static int load_ruleset(const struct fwengine *e, const char *state_dir,
			const struct fw_state *last, bool has_last, const struct fw_plan *plan,
			char *how, size_t how_size, struct nft_stamp *loaded, bool *has_changed,
			struct bw_err *err)
{
	struct nft_stamp before;
	struct bw_err ignored;
	char *from = loaded_render(e, state_dir, last, has_last, &before);
	size_t n = 0;
	int rc;

	memset(loaded, 0, sizeof(*loaded));
	*has_changed = false;
	if (from) {
		rc = load_delta(from, &last->edits, plan->ruleset, &n, err);
		free(from);
		if (rc == 0) {
			*has_changed = n > 0;
			stamp_after(&before, n > 0, loaded);
			if (n > 0)
				snprintf(how, how_size, "%zu objects changed", n);
			else
				snprintf(how, how_size, "nothing: the tables held it already");
			if (loaded->generation)
				return 0;
		} else if (rc != -EOPNOTSUPP) {
			return rc;
		} else {
			warn(e, "the changes alone were not loaded: the ruleset is loaded whole");
		}
	} else if (has_no_tables()) {
		nft_ruleset_stamp(&before, &ignored);
		rc = load_staged(plan->ruleset, &n, err);
		if (rc < 0) {
			*has_changed = !has_no_tables();
			return rc;
		}
		if (n > 0) {
			*has_changed = true;
			stamp_after(&before, n, loaded);
			snprintf(how, how_size, "in %zu parts", n);
			if (loaded->generation)
				return 0;
		}
	}
	/* Here too after a delta or parts another program's commit came
	 * between: what they met is unknown, the tables are replaced. */
	snprintf(how, how_size, "whole");
	nft_ruleset_stamp(&before, &ignored);
	rc = nft_apply(plan->ruleset, false, err);
	if (rc == 0)
		stamp_after(&before, 1, loaded);
	return rc;
}

/* Loads plan, with the marks of a recycled generation cleared first. The
 * bridge knobs are already on. On failure nothing was loaded. */
static int load_plan(const struct fwengine *e, const char *state_dir,
		     const struct fw_state *last, bool has_last, const struct fw_plan *plan,
		     char *how, size_t how_size, struct nft_stamp *loaded, bool *has_changed,
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
		rc = load_ruleset(e, state_dir, last, has_last, plan, how, how_size, loaded,
				  has_changed, err);
	return rc;
}

/* The state folder's lock, then the --aws folder's: none for the second
 * when it is the state folder itself (a second flock of the same process
 * would wait on the first forever). */
static int locks_take(const struct fwengine *e, const char *state_dir, const char *aws_dir,
		      struct fw_locks *locks, struct bw_err *err)
{
	char state_full[PATH_MAX], state_real[PATH_MAX], aws_real[PATH_MAX];
	int rc = state_dir ? fwstate_lock(e->root, state_dir, &locks->state_fd, err) : 0;

	if (rc < 0 || !aws_dir)
		return rc;
	if (state_dir && fsroot_path(e->root, state_dir, state_full, sizeof(state_full)) == 0 &&
	    realpath(state_full, state_real) && realpath(aws_dir, aws_real) &&
	    strcmp(state_real, aws_real) == 0)
		return 0;
	return awslock_acquire(aws_dir, &locks->aws_fd, err);
}

static void locks_release(struct fw_locks *locks)
{
	awslock_release(locks->aws_fd);
	awslock_release(locks->state_fd);
	locks->aws_fd = -1;
	locks->state_fd = -1;
}

/* Without CAP_NET_ADMIN (asked of the kernel: capget, not guessed from an
 * error) this host cannot enforce: metadata-only, unless --require. */
static int apply_without_permission(struct fwengine *e, const struct fwengine_opts *opts,
				    struct fw_plan *plan, struct fw_state *state,
				    struct strbuf *out, struct bw_err *err)
{
	int rc;

	if (opts->is_dry_run) {
		strbuf_add(out, plan->ruleset, strlen(plan->ruleset));
		warn(e, "no CAP_NET_ADMIN: the kernel did not check this ruleset");
		return 0;
	}
	if (opts->is_required)
		return bw_errf(err, -EPERM, "fw apply: no CAP_NET_ADMIN: this host cannot enforce");
	warn(e, "no CAP_NET_ADMIN: this host cannot enforce: metadata-only");
	rc = prepare_record(opts, plan, "metadata-only", state, err);
	return rc ?: write_record(e, opts, state, err);
}

int fwengine_apply(struct fwengine *e, const struct fwengine_opts *opts, struct strbuf *out,
		   struct bw_err *err)
{
	struct vec undo = VEC_INIT(struct knob);
	struct fw_state state, record;
	struct fw_plan plan = { 0 };
	struct bw_err ignored;
	bool has_state = false, is_loaded = false, is_loading = false;
	bool has_changed = false, is_partial = false;
	char how[64] = "";
	struct fw_locks locks = FW_LOCKS_NONE;
	int rc = 0;

	fwengine_flush(e);
	fwstate_init(&state);
	fwstate_init(&record);
	/* No edit may land between reading the files and recording their
	 * fingerprint, nor another command between reading the record,
	 * loading and writing it. */
	/* A dry run writes no record: the state folder is left as it is. */
	rc = locks_take(e, opts->is_dry_run ? NULL : opts->state_dir, opts->aws_dir, &locks, err);
	if (rc == 0)
		rc = read_state(e->root, opts->state_dir, &state, &has_state, err);
	if (rc == 0)
		rc = plan_build(e, opts, &state, has_state, &plan, err);
	if (rc < 0)
		goto out;
	if (!nft_has_permission()) {
		rc = apply_without_permission(e, opts, &plan, &state, out, err);
		goto out;
	}
	if (opts->is_dry_run) {
		vpc_model_free(&plan.model);
		vpc_model_init(&plan.model);
		rc = brnf_enable(e->root, true, &undo, err) ?: nft_apply(plan.ruleset, true, err);
		if (rc == 0)
			print_dry_run(out, &state, has_state, &plan);
		goto out;
	}
	/* The record, the bridge knobs, then the tables: a failure before the
	 * load puts the knobs back and leaves the tables as they were. */
	rc = knobs_merge(&record.saved_knobs, &state.saved_knobs) < 0 ?
		bw_errf(err, -ENOMEM, "out of memory") :
		prepare_record(opts, &plan, "enforcing", &record, err);
	if (rc == 0)
		plan_drop_model(e, opts, &plan);
	if (rc == 0)
		rc = brnf_enable(e->root, false, &undo, err);
	if (rc == 0 && knobs_merge(&record.saved_knobs, &undo) < 0)
		rc = bw_errf(err, -ENOMEM, "out of memory");
	if (rc == 0 && is_unchanged(&state, has_state, &plan)) {
		record.loaded_stamp = state.loaded_stamp;
		rc = verify_loaded(&record, err) ?: write_record(e, opts, &record, err);
		if (rc == 0)
			strbuf_addf(out, "fw: unchanged (generation %u): nothing loaded\n",
				    plan.nft.generation);
		goto out;
	}
	/* A load cut short (killed between the parts of a staged load) is
	 * told by the record: never "enforcing" over tables half there. */
	if (rc == 0)
		rc = write_loading(e, opts->state_dir, &record, err);
	is_loading = rc == 0;
	if (rc == 0)
		rc = load_plan(e, opts->state_dir, &state, has_state, &plan, how, sizeof(how),
			       &record.loaded_stamp, &has_changed, err);
	is_loaded = rc == 0;
	/* Part of it stayed loaded: the record says "loading" still, the
	 * knobs stay, and the next apply loads whole. */
	if (rc < 0 && has_changed) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		bw_errf(err, rc, "%.400s; the tables changed, but not as asked: run fw apply", why);
		is_loaded = is_partial = true;
	}
	if (rc == 0)
		rc = verify_loaded(&record, err);
	/* The ruleset the record's digest is of, for the next apply's delta;
	 * a file that cannot be written only costs it a whole load. */
	if (rc == 0 && fwstate_write_render(e->root, opts->state_dir, plan.ruleset, &ignored) < 0)
		fwstate_forget_render(e->root, opts->state_dir);
	if (rc == 0)
		rc = write_record(e, opts, &record, err);
	if (rc == 0)
		strbuf_addf(out, "fw: enforcing (tables inet and bridge " VPC_NFT_TABLE
			    "), generation %u; loaded %s\n", plan.nft.generation, how);
	if (rc < 0 && is_loaded && !is_partial) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		bw_errf(err, rc, "the tables are loaded, but %.400s", why);
	}
out:
	/* Once loaded, the tables need the knobs: they stay, and the error
	 * says what is missing. */
	if (rc < 0 && !is_loaded)
		knobs_restore(e->root, &undo, &ignored);
	/* Nothing loaded: the record goes back to what it said before. */
	if (rc < 0 && !is_loaded && is_loading)
		restore_record(e, opts->state_dir, &state, has_state);
	if (rc < 0 && !is_loaded)
		forget_model(e);
	vec_free(&undo);
	locks_release(&locks);
	plan_free(&plan);
	fwstate_free(&record);
	fwstate_free(&state);
	/* A server keeps the model, not the ruleset's and libnftables' peak:
	 * the heap they freed goes back to the system. */
	if (e->keeps_model)
		malloc_trim(0);
	return rc;
}

int fwengine_resume(struct fwengine *e, const char *state_dir, struct bw_err *err)
{
	struct strbuf out = { 0 };
	struct fw_state state;
	struct fwengine_opts opts = { .state_dir = state_dir };
	bool has_state;
	int rc = read_state(e->root, state_dir, &state, &has_state, err);

	/* A load cut short is taken up again, as one that ended. */
	if (rc == 0 && has_state &&
	    (strcmp(state.mode, "enforcing") == 0 || strcmp(state.mode, "loading") == 0) &&
	    state.aws_dir[0]) {
		opts.aws_dir = state.aws_dir;
		opts.vpc_id = state.vpc_id[0] ? state.vpc_id : NULL;
		opts.ct_mark_mask = state.ct_mark_mask;
		opts.is_required = true;
		rc = fwengine_apply(e, &opts, &out, err);
		if (rc == 0 && out.buf)
			warn(e, "%.*s", (int)(out.len && out.buf[out.len - 1] == '\n' ? out.len - 1 :
					      out.len), out.buf);
	}
	strbuf_free(&out);
	fwstate_free(&state);
	return rc;
}

int fwengine_delete(struct fwengine *e, const struct fwengine_opts *opts, struct strbuf *out,
		    struct bw_err *err)
{
	struct fw_locks locks = FW_LOCKS_NONE;
	struct fw_state state;
	bool has_state;
	int rc;

	fwengine_flush(e);
	fwstate_init(&state);
	/* Not while an apply or an edit reads, loads and records. */
	rc = opts->is_dry_run ? 0 : locks_take(e, opts->state_dir, NULL, &locks, err);
	if (rc == 0)
		rc = read_state(e->root, opts->state_dir, &state, &has_state, err);
	if (rc < 0)
		goto out;
	if (opts->is_dry_run) {
		for (size_t i = 0; i < state.saved_knobs.len; i++) {
			const struct knob *knob = VEC_AT(&state.saved_knobs, struct knob, i);

			strbuf_addf(out, "would write %s -> %s\n", knob->path, knob->value);
		}
		strbuf_addf(out, "would load:\n%s", VPC_NFT_DELETE);
		goto out;
	}
	rc = nft_apply(VPC_NFT_DELETE, false, err);
	if (rc == 0)
		rc = knobs_restore(e->root, &state.saved_knobs, err);
	/* The record stays, with its generation and mask: flows marked by the
	 * deleted table are judged afresh by the next one. */
	if (rc == 0) {
		state.saved_knobs.len = 0;
		state.ruleset_digest = 0;
		memset(&state.loaded_stamp, 0, sizeof(state.loaded_stamp));
		fwstate_forget_edits(&state);
		snprintf(state.mode, sizeof(state.mode), "off");
		rc = fwstate_write(e->root, opts->state_dir, &state, err);
	}
	if (rc == 0)
		fwstate_forget_render(e->root, opts->state_dir);
	if (rc == 0 && opts->is_saved && fsroot_exists(e->root, FW_SAVE_DIR "/" FWSTATE_NAME))
		rc = fsroot_remove(e->root, FW_SAVE_DIR "/" FWSTATE_NAME, err);
	if (rc == 0)
		strbuf_addf(out, "fw: deleted\n");
out:
	locks_release(&locks);
	fwstate_free(&state);
	return rc;
}

/* ---- authorize-*, revoke-* ----------------------------------------------- */

/* Whether the live tables were rendered from the files in aws (a
 * realpath): only then do an edit's sets belong in them. */
static bool is_live_for(const struct fw_state *state, bool has_state, const char *aws)
{
	return has_state && strcmp(state->mode, "enforcing") == 0 &&
	       strcmp(aws, state->aws_dir) == 0;
}

/* The record follows the files: the next edit checks against it. */
static void record_edit(struct fwengine *e, const char *state_dir, struct fw_state *state)
{
	struct bw_err err;

	if (awsdir_fingerprint(state->aws_dir, state->fingerprint, &err) < 0 ||
	    fwstate_write(e->root, state_dir, state, &err) < 0)
		warn(e, "the change landed, but the record of it did not (%s): run fw apply",
		     err.msg);
}

/* Replaces group_id's object in doc by group (a reference taken). */
static void put_group(json_t *doc, const char *group_id, json_t *group)
{
	json_t *groups = json_object_get(doc, "SecurityGroups"), *item;
	size_t i;

	json_array_foreach(groups, i, item) {
		const char *id = json_string_value(json_object_get(item, "GroupId"));

		if (id && strcmp(id, group_id) == 0) {
			json_array_set(groups, i, group);
			return;
		}
	}
}

/* An authorize may name only groups and prefix lists the files hold, as
 * EC2 refuses one it does not know (InvalidGroup.NotFound); a group of
 * another VPC in the files is taken, and matches nothing here. Only what
 * the edit adds is judged: permissions the group had before stay. */
static int check_new_peers(const struct fwengine *e, const struct vpc_sg *now,
			   const struct vpc_sg *prev, json_t *doc, const char *group_id,
			   struct bw_err *err)
{
	for (size_t r = 0; r < now->rules.len; r++) {
		const struct sg_rule *rule = VEC_AT(&now->rules, struct sg_rule, r);
		bool had = false;

		if ((rule->peer_kind != VPC_PEER_GROUP && rule->peer_kind != VPC_PEER_PREFIX_LIST) ||
		    rule->peer >= 0)
			continue;
		for (size_t p = 0; prev && p < prev->rules.len && !had; p++) {
			const struct sg_rule *old = VEC_AT(&prev->rules, struct sg_rule, p);

			had = old->peer_kind == rule->peer_kind && strcmp(old->peer_id, rule->peer_id) == 0;
		}
		if (had)
			continue;
		if (rule->peer_kind == VPC_PEER_GROUP && sgedit_find_group(doc, rule->peer_id)) {
			warn(e, "%s: %s is a group of another VPC: it matches nothing here", group_id,
			     rule->peer_id);
			continue;
		}
		return bw_err_input(err, "fw: %s: permission names %s, which the files do not hold",
				    group_id, rule->peer_id);
	}
	return 0;
}

/* An edit on the model in memory: the edited group alone is parsed and
 * linked, and swapped into the model. *prev_rules takes the group's
 * rules from before (for the caller to swap back or free). */
static int edit_in_memory(struct fwengine *e, const struct fwengine_opts *opts, int *sg,
			  struct vec *prev_rules, struct bw_err *err)
{
	struct vpc_model parsed;
	const struct vpc_sg *now;
	struct vpc_sg *live;
	json_t *group = sgbefore_copy(e->groups, opts->group_id);
	int rc = 0;

	*sg = vpc_find_sg(&e->model, opts->group_id);
	if (*sg < 0) {
		json_decref(group);
		return bw_err_input(err, "fw: %s is not a group of the selected VPC",
				    opts->group_id);
	}
	vpc_model_init(&parsed);
	now = sgbefore_parse(group, &e->model, &parsed);
	if (!now)
		rc = bw_err_input(err, "fw: %s: the edited group does not parse", opts->group_id);
	if (rc == 0) {
		live = VEC_AT(&e->model.sgs, struct vpc_sg, *sg);
		*prev_rules = live->rules;
		live->rules = VEC_AT(&parsed.sgs, struct vpc_sg, 0)->rules;
		VEC_AT(&parsed.sgs, struct vpc_sg, 0)->rules = (struct vec)VEC_INIT(struct sg_rule);
	}
	json_decref(group);
	vpc_model_free(&parsed);
	return rc;
}

/* An edit read from the files (a command alone, or a server whose model
 * is not the folder's): the edited document linked as a whole. */
static int edit_from_files(const struct fwengine *e, const struct fwengine_opts *opts,
			   json_t *doc, struct vpc_model *model, int *sg, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	char *text = json_dumps(doc, JSON_INDENT(4));
	int rc;

	(void)e;
	if (!text)
		return bw_errf(err, -ENOMEM, "out of memory");
	/* The edited file must still be a valid model as a whole. */
	rc = awsdir_load_with_groups(opts->aws_dir, opts->vpc_id, text, model, &warnings, err);
	if (rc == 0 && (*sg = vpc_find_sg(model, opts->group_id)) < 0)
		rc = bw_err_input(err, "fw: %s is not a group of the selected VPC", opts->group_id);
	free(text);
	vec_free(&warnings);
	return rc;
}

void fwengine_flush(struct fwengine *e)
{
	struct bw_err err = { 0 };
	char state_dir[PATH_MAX];
	char *text;
	int rc;

	nft_release(&e->nft_spent);
	if (!e->has_pending)
		return;
	e->has_pending = false;
	text = json_dumps(e->groups, JSON_INDENT(4));
	rc = text ? fsroot_replace("", e->pending.path, text, &err) :
		    bw_errf(&err, -ENOMEM, "out of memory");
	free(text);
	if (rc == 0 && e->pending.is_live)
		record_edit(e, e->pending.state_dir, &e->pending.state);
	if (rc == 0 && e->has_model)
		e->files_sig = files_signature(e->aws_dir);
	locks_release(&e->pending.locks);
	fwstate_free(&e->pending.state);
	if (rc < 0) {
		/* The kernel has edits the files lack: it is brought back to
		 * the files, as at a start after a kill. */
		warn(e, "%s: the edits since the last write are undone: the files are applied "
		     "again", err.msg);
		snprintf(state_dir, sizeof(state_dir), "%s", e->pending.state_dir);
		forget_model(e);
		if (fwengine_resume(e, state_dir, &err) < 0)
			warn(e, "%s: run fw apply", err.msg);
	}
}

/* Commits an edit's update to the live tables and keeps in rec what it
 * did (the blocks, taken), so that the next apply's delta starts from
 * there: only when the kernel held exactly what rec records just before,
 * and nothing but the update came after. Else rec no longer vouches for
 * the tables (the next apply loads whole). A server releases
 * libnftables' cache after its answer. */
static int commit_edit(struct fwengine *e, struct fw_state *rec, const char *update,
		       char **blk_before, char **blk_after, struct bw_err *err)
{
	struct nft_stamp pre;
	bool is_recorded = is_as_recorded(rec, true, &pre);
	bool is_tracked = *blk_before && *blk_after && is_recorded;
	int rc;

	/* Someone committed since the record's load: the update names the
	 * sets of the render it recorded, which another load (another state
	 * folder's, other files) would have replaced by its own: then it
	 * would refill another group's. */
	if (!is_recorded && !is_same_tables(rec))
		return bw_errf(err, -ESTALE, rec->inet_handle ?
			"fw: the live tables are not the ones this state folder loaded (another "
			"load replaced them since): run fw apply" :
			"fw: other transactions came since this state folder's load, and its "
			"record cannot tell its tables from another load's: run fw apply");
	/* Straight through libnftnl where it encodes the update: libnftables
	 * would first fetch every chain and set (at 10,000 instances ~8 ms of
	 * a chain update's ~25). */
	rc = nftnl_rules_load_on(&e->nftnl_conn, update, err);

	if (rc == -EOPNOTSUPP)
		rc = e->keeps_model ? nft_apply_release_later(update, &e->nft_spent, err) :
				      nft_apply(update, false, err);

	if (rc < 0)
		return rc;
	if (is_tracked)
		stamp_after(&pre, update[strspn(update, " \t\n")] != '\0', &rec->loaded_stamp);
	is_tracked = is_tracked && rec->loaded_stamp.generation &&
		     fwstate_add_edit(rec, *blk_before, *blk_after);
	if (!is_tracked) {
		free(*blk_before);
		free(*blk_after);
	}
	*blk_before = *blk_after = NULL;
	if (!is_tracked) {
		rec->ruleset_digest = 0;
		memset(&rec->loaded_stamp, 0, sizeof(rec->loaded_stamp));
		fwstate_forget_edits(rec);
	}
	return 0;
}

/* A server's edit once the kernel has it: the model kept, the file and
 * the record left to fwengine_flush(), the lock held until then (edits in
 * a row each add to the one write). Takes state and the lock. */
static int edit_then_defer(struct fwengine *e, const struct fwengine_opts *opts,
			   const char *aws, const char *path, const char *update,
			   char **blk_before, char **blk_after,
			   struct fw_state *state, struct fw_locks *locks, bool is_live, bool is_live_vpc,
			   bool is_cached, struct vpc_model *fresh, json_t *doc, struct bw_err *err)
{
	/* Edits in a row: the record they add to is the pending one. */
	struct fw_state *rec = e->has_pending ? &e->pending.state : state;
	int rc = is_live_vpc ? commit_edit(e, rec, update, blk_before, blk_after, err) : 0;

	if (rc < 0)
		return rc;
	if (!is_cached)
		keep_model(e, aws, opts->vpc_id, fresh, json_incref(doc));
	if (e->has_pending)
		return 0;
	e->pending.locks = *locks;
	*locks = (struct fw_locks)FW_LOCKS_NONE;
	snprintf(e->pending.path, sizeof(e->pending.path), "%s", path);
	snprintf(e->pending.state_dir, sizeof(e->pending.state_dir), "%s", opts->state_dir);
	e->pending.state = *state;
	fwstate_init(state);
	e->pending.is_live = is_live;
	e->has_pending = true;
	return 0;
}

/* Puts the live group back as the files on disk (unchanged, under the
 * lock) still have it, after the file could not be written. */
static void undo_live_from_files(const struct fwengine *e, const struct fwengine_opts *opts,
				 const struct vpc_sg *after)
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
		warn(e, "the live sets of %s could not be put back: run fw apply", opts->group_id);
	free(reverse);
	vec_free(&warnings);
	vpc_model_free(&before);
}

int fwengine_edit(struct fwengine *e, const struct fwengine_opts *opts, struct strbuf *out,
		  struct bw_err *err)
{
	struct vpc_model fresh, before;
	struct vpc_model *model = &fresh;
	struct vec prev_rules = VEC_INIT(struct sg_rule);
	struct fw_state state;
	char path[PATH_MAX], aws[PATH_MAX];
	json_t *doc = NULL, *original = NULL;
	bool has_state = false, is_live = false, is_live_vpc = false, is_cached = false;
	bool is_swapped = false;
	char *text = NULL, *update = NULL, *blk_before = NULL, *blk_after = NULL;
	const struct vpc_sg *prev = NULL;
	struct fw_locks locks = FW_LOCKS_NONE;
	int rc, sg = -1, n;

	if (!opts->aws_dir || !opts->group_id || !opts->permissions)
		return bw_err_input(err, "fw: --aws, --group-id and --ip-permissions are required");
	n = snprintf(path, sizeof(path), "%s/security-groups.json", opts->aws_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return bw_errf(err, -ENAMETOOLONG, "%.200s/security-groups.json: path too long",
			       opts->aws_dir);
	if (!realpath(opts->aws_dir, aws))
		return bw_err_input(err, "fw: --aws %.200s: %s", opts->aws_dir, strerror(errno));
	/* Edits of the same folder in a row share one write. */
	if (e->has_pending && (!has_model_of(e, aws, opts->vpc_id) ||
			       strcmp(e->pending.state_dir, opts->state_dir) != 0))
		fwengine_flush(e);
	vpc_model_init(&fresh);
	vpc_model_init(&before);
	/* Read (the record too), change and write back under the folder's
	 * lock: concurrent edits each land, none lost, each checked against
	 * the record the one before it left. */
	fwstate_init(&state);
	rc = e->has_pending ? 0 :
			      locks_take(e, opts->is_dry_run ? NULL : opts->state_dir, opts->aws_dir,
					 &locks, err);
	/* Edits in a row: the record is the pending one (the file is behind
	 * it until the flush); its lists stay the pending record's. */
	if (rc == 0 && e->has_pending) {
		state = e->pending.state;
		state.saved_knobs = (struct vec)VEC_INIT(struct knob);
		state.edits = (struct vec)VEC_INIT(struct fw_edit);
		has_state = true;
	} else if (rc == 0) {
		rc = read_state(e->root, opts->state_dir, &state, &has_state, err);
	}
	is_live = rc == 0 && is_live_for(&state, has_state, aws);
	is_cached = rc == 0 && has_model_of(e, aws, opts->vpc_id);
	/* The live sets are found by the group's place in the files the table
	 * was rendered from: files changed since would refill the wrong one.
	 * The model in memory was read or written by this engine with the
	 * record's fingerprint, and the files are unchanged since. */
	if (rc == 0 && is_live && !is_cached)
		rc = awsdir_check_fingerprint(opts->aws_dir, state.fingerprint, err);
	if (rc == 0 && is_cached)
		doc = json_incref(e->groups);
	else if (rc == 0 && !(doc = load_groups(opts->aws_dir, err)))
		rc = -EINVAL;
	if (rc == 0) {
		original = sgbefore_copy(doc, opts->group_id);
		rc = sgedit_apply(doc, opts->group_id, opts->dir, opts->is_revoke, opts->permissions,
				  err);
	}
	if (rc == 0 && is_cached) {
		model = &e->model;
		rc = edit_in_memory(e, opts, &sg, &prev_rules, err);
		is_swapped = rc == 0;
		if (rc < 0)
			put_group(doc, opts->group_id, original);
	} else if (rc == 0) {
		rc = edit_from_files(e, opts, doc, &fresh, &sg, err);
	}
	/* The live sets are the loaded VPC's: a group of another VPC in the
	 * same files changes in the file alone (its index would name another
	 * group's sets). */
	is_live_vpc = is_live && rc == 0 && strcmp(model->vpc_id, state.vpc_id) == 0;
	if (rc == 0) {
		prev = sgbefore_parse(original, model, &before);
		if (!opts->is_revoke)
			rc = check_new_peers(e, VEC_AT(&model->sgs, struct vpc_sg, sg), prev, doc,
					     opts->group_id, err);
	}
	if (rc == 0 && !(update = vpc_nft_render_sg_update_blocks(model, sg, prev, &blk_before,
								     &blk_after)))
		rc = bw_errf(err, -ENOMEM, "out of memory");
	if (rc < 0 || opts->is_dry_run) {
		/* The change checked and shown; nothing written. */
		if (rc == 0 && update)
			strbuf_add(out, update, strlen(update));
		goto undo;
	}
	if (e->keeps_model) {
		rc = edit_then_defer(e, opts, aws, path, update, &blk_before, &blk_after, &state,
				     &locks, is_live,
				     is_live_vpc, is_cached, &fresh, doc, err);
		if (rc < 0)
			goto undo;
		goto done;
	}
	if (!(text = json_dumps(doc, JSON_INDENT(4)))) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto undo;
	}
	/* Live first: if the kernel refuses, the file stays as it was; if the
	 * file cannot be written, the live sets go back. */
	if (is_live_vpc)
		rc = commit_edit(e, &state, update, &blk_before, &blk_after, err);
	if (rc == 0) {
		rc = fsroot_replace("", path, text, err);
		if (rc < 0 && is_live_vpc)
			undo_live_from_files(e, opts, VEC_AT(&model->sgs, struct vpc_sg, sg));
	}
	if (rc < 0)
		goto undo;
	if (is_live)
		record_edit(e, opts->state_dir, &state);
done:
	strbuf_addf(out, "fw: %s %s %s; %s\n", opts->is_revoke ? "revoked" : "authorized",
		    opts->dir == VPC_INGRESS ? "ingress" : "egress", opts->group_id,
		    is_live_vpc ? "live sets updated" :
		    is_live ? "not in the loaded VPC: the file alone" : "no live table to update");
	goto out;
undo:
	/* Nothing written: the model in memory and its document as before. */
	if (is_swapped) {
		struct vpc_sg *live = VEC_AT(&e->model.sgs, struct vpc_sg, sg);
		struct vec tmp = live->rules;

		live->rules = prev_rules;
		prev_rules = tmp;
	}
	if (is_cached && original && sg >= 0)
		put_group(doc, opts->group_id, original);
out:
	locks_release(&locks);
	fwstate_free(&state);
	json_decref(original);
	json_decref(doc);
	vec_free(&prev_rules);
	vpc_model_free(&before);
	free(text);
	free(update);
	free(blk_before);
	free(blk_after);
	vpc_model_free(&fresh);
	return rc;
}

/* ---- status, explain ------------------------------------------------------ */

int fwengine_status(struct fwengine *e, const char *state_dir, json_t **doc, struct bw_err *err)
{
	struct fw_loaded loaded = { 0 };
	struct fw_state state;
	const char *mode = "off", *since = NULL;
	char bypass[160] = "", mode_text[240];
	bool has_state;
	json_t *counters;
	int rc = read_state(e->root, state_dir, &state, &has_state, err);

	*doc = NULL;
	fwengine_flush(e);
	if (rc == 0 && nft_has_permission())
		rc = fwobserve_read(&loaded, err);
	if (rc < 0)
		goto out;
	if (has_state)
		mode = state.mode;
	/* Never report what the kernel does not show. */
	if (strcmp(mode, "enforcing") == 0 && !(loaded.has_inet && loaded.has_bridge))
		mode = "enforcing, but the tables are gone";
	if (strcmp(mode, "loading") == 0)
		mode = "loading: a load began and did not end (run fw apply)";
	/* The stamp says whether anyone committed since the load, the
	 * handles whether the tables are still the ones it made. */
	if (strcmp(mode, "enforcing") == 0) {
		struct nft_stamp now;

		if (is_as_recorded(&state, has_state, &now))
			since = "nothing committed (the kernel's ruleset generation is the one recorded)";
		else if (!state.inet_handle || state.inet_handle != loaded.inet_handle ||
			 state.bridge_handle != loaded.bridge_handle)
			mode = "enforcing no more: the tables are not the ones this state folder "
			       "loaded (another load replaced them; run fw apply)";
		else
			since = "other transactions came: the tables are the ones loaded, what is in "
				"them not checked (fw apply loads what differs)";
	}
	if (strcmp(mode, "enforcing") == 0)
		rc = brnf_check(e->root, bypass, sizeof(bypass), err);
	if (rc < 0)
		goto out;
	if (bypass[0]) {
		snprintf(mode_text, sizeof(mode_text),
			 "enforcing, but bridged traffic bypasses the groups (%s)", bypass);
		mode = mode_text;
	}
	counters = json_object();
	for (size_t i = 0; counters && i < loaded.n_counters; i++)
		json_object_set_new(counters, loaded.counters[i].name,
				    json_integer((json_int_t)loaded.counters[i].packets));
	*doc = json_pack(
		"{s:s, s:s?, s:s?, s:s?, s:I, s:I, s:s?, s:{s:b, s:b}, s:I, s:I, s:o*}", "mode", mode,
		"since_load", since,
		"aws", has_state && state.aws_dir[0] ? state.aws_dir : NULL, "vpc",
		has_state && state.vpc_id[0] ? state.vpc_id : NULL, "generation",
		(json_int_t)(has_state ? state.generation : 0), "ct_mark_mask",
		(json_int_t)(has_state ? state.ct_mark_mask : 0), "fingerprint",
		has_state && state.fingerprint[0] ? state.fingerprint : NULL, "tables", "inet",
		loaded.has_inet, "bridge", loaded.has_bridge, "eni_addresses",
		(json_int_t)loaded.n_eni_addrs, "security_groups", (json_int_t)loaded.n_groups,
		"drops", counters);
	if (!*doc)
		rc = bw_errf(err, -ENOMEM, "out of memory");
out:
	fwstate_free(&state);
	return rc;
}

int fwengine_explain(struct fwengine *e, const struct fwengine_opts *opts, const char *packet,
		     bool is_established, json_t **doc, struct bw_err *err)
{
	struct vpc_model model;
	struct vpc_packet parsed;
	struct vpc_explanation why;
	char reason[240], aws[PATH_MAX];
	const struct vpc_model *use = &model;
	int rc = 0;

	*doc = NULL;
	fwengine_flush(e);
	if (vpc_packet_parse(packet, &parsed, reason, sizeof(reason)) < 0)
		return bw_err_input(err, "fw explain: %s", reason);
	if (!opts->aws_dir)
		return bw_err_input(err, "fw: --aws DIR is required");
	vpc_model_init(&model);
	if (realpath(opts->aws_dir, aws) && has_model_of(e, aws, opts->vpc_id))
		use = &e->model;
	else
		rc = load_model(e, opts->aws_dir, opts->vpc_id, &model, err);
	if (rc == 0) {
		vpc_explain(use, &parsed, is_established, &why);
		*doc = vpc_explanation_json(&parsed, &why);
		if (!*doc)
			rc = bw_errf(err, -ENOMEM, "out of memory");
	}
	vpc_model_free(&model);
	return rc;
}

int fwengine_render(struct fwengine *e, const struct fwengine_opts *opts, bool is_as_recorded,
		    char **ruleset, unsigned *generation, struct bw_err *err)
{
	struct fw_state last;
	struct fw_plan plan = { 0 };
	bool has_last = false;
	int rc = 0;

	*ruleset = NULL;
	fwstate_init(&last);
	if (is_as_recorded)
		rc = fwstate_read(e->root, opts->state_dir, &last, &has_last, err);
	if (rc == 0)
		rc = plan_build(e, opts, &last, has_last, &plan, err);
	if (rc == 0) {
		*ruleset = plan.ruleset;
		*generation = plan.nft.generation;
		plan.ruleset = NULL;
	}
	plan_free(&plan);
	fwstate_free(&last);
	return rc;
}
