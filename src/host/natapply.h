/* The NAT brought up from a plan and taken down again: shared by `nat up`
 * / `nat down` and the settings (settings.nat.*). */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "cmd/natplan.h"
#include "util/err.h"

struct natapply_result {
	char previous_interface[IF_NAMESIZE]; /* up: where nat was up before, "" if down */
	bool had_state;                       /* down: there was a record to restore */
	size_t n_restored;                    /* down: knobs put back */
	struct vec gone;                      /* down: knobs of links gone since up
					       * (struct knob); natapply_result_free */
};

void natapply_result_free(struct natapply_result *result);

/* Loads plan's table (the table first: masquerade loads nf_conntrack,
 * whose knobs do not exist before), writes its knobs, checks that
 * masquerading is in place and records under root + state_dir what each
 * knob held before bulwark. On failure the table and knobs are as they
 * were. The caller has had the kernel check plan->ruleset. */
int natapply_up(const char *root, const char *state_dir, const struct nat_plan *plan,
		struct natapply_result *result, struct bw_err *err);

/* Deletes the table, puts every recorded knob back and removes the record. */
int natapply_down(const char *root, const char *state_dir, struct natapply_result *result,
		  struct bw_err *err);
