#include "host/natapply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "host/natobserve.h"
#include "host/natstate.h"
#include "host/nft.h"
#include "host/sysctl.h"
#include "render/nat_nft.h"

static int verify(const struct nat_plan *plan, struct bw_err *err)
{
	struct nat_observed seen = { 0 };
	json_t *listing = NULL;
	int rc = nft_list_table_json("inet", NAT_NFT_TABLE, &listing, err);

	if (rc < 0)
		return rc;
	nat_observe_ruleset(listing, &seen);
	json_decref(listing);
	if (plan->does_masquerade_ipv4 &&
	    (!seen.ipv4.is_present || strcmp(seen.ipv4.oifname, plan->interface) != 0))
		return bw_errf(err, -EIO, "after loading, no IPv4 masquerade rule on %s is in place",
			       plan->interface);
	if (plan->does_masquerade_ipv6 &&
	    (!seen.ipv6.is_present || strcmp(seen.ipv6.oifname, plan->interface) != 0))
		return bw_errf(err, -EIO, "after loading, no IPv6 masquerade rule on %s is in place",
			       plan->interface);
	return 0;
}

/* Puts the table back as it was before this run: the earlier ruleset, or
 * no table. */
static void restore_table(const char *previous_table)
{
	struct bw_err ignored;
	char *text;

	if (!previous_table) {
		nft_apply(NAT_NFT_DELETE, false, &ignored);
		return;
	}
	if (asprintf(&text, "%s%s", NAT_NFT_DELETE, previous_table) < 0)
		return;
	nft_apply(text, false, &ignored);
	free(text);
}

/* Both directions start the same: an empty result, the record read. */
static int load_record(const char *root, const char *state_dir, struct natapply_result *result,
		       struct nat_state *state, bool *has_state, struct bw_err *err)
{
	memset(result, 0, sizeof(*result));
	result->gone = (struct vec)VEC_INIT(struct knob);
	natstate_init(state);
	return natstate_load(root, state_dir, state, has_state, err);
}

int natapply_up(const char *root, const char *state_dir, const struct nat_plan *plan,
		struct natapply_result *result, struct bw_err *err)
{
	struct nat_state state;
	struct vec undo = VEC_INIT(struct knob);
	char *previous_table = NULL;
	bool has_state;
	int rc;

	rc = load_record(root, state_dir, result, &state, &has_state, err);
	if (rc < 0)
		goto out;
	if (has_state)
		snprintf(result->previous_interface, sizeof(result->previous_interface), "%s",
			 state.interface);
	rc = nft_list_table_text("inet", NAT_NFT_TABLE, &previous_table, err);
	if (rc < 0)
		goto out;
	rc = nft_apply(plan->ruleset, false, err);
	if (rc < 0)
		goto out;
	rc = knobs_apply(root, &plan->knobs, &undo, err);
	if (rc == 0)
		rc = verify(plan, err);
	if (rc == 0 && knobs_merge(&state.saved_knobs, &undo) < 0)
		rc = bw_errf(err, -ENOMEM, "out of memory");
	if (rc == 0) {
		snprintf(state.interface, sizeof(state.interface), "%s", plan->interface);
		rc = natstate_save(root, state_dir, &state, err);
	}
	if (rc < 0) {
		struct bw_err ignored;

		knobs_restore(root, &undo, &ignored);
		restore_table(previous_table);
	}
out:
	free(previous_table);
	vec_free(&undo);
	natstate_free(&state);
	return rc;
}

int natapply_down(const char *root, const char *state_dir, struct natapply_result *result,
		  struct bw_err *err)
{
	struct nat_state state;
	bool has_state;
	int rc;

	rc = load_record(root, state_dir, result, &state, &has_state, err);
	if (rc < 0)
		goto out;
	rc = nft_apply(NAT_NFT_DELETE, false, err);
	if (rc < 0 || !has_state)
		goto out;
	result->had_state = true;
	rc = knobs_restore_present(root, &state.saved_knobs, &result->gone, err);
	if (rc < 0)
		goto out;
	rc = natstate_remove(root, state_dir, err);
	if (rc == 0)
		result->n_restored = state.saved_knobs.len - result->gone.len;
out:
	natstate_free(&state);
	return rc;
}

void natapply_result_free(struct natapply_result *result)
{
	vec_free(&result->gone);
}
