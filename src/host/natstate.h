/* What `nat up` changed, kept under the state folder so `nat down` can put
 * the host back: the interface and each knob's value before bulwark. */
#pragma once
#include <net/if.h>
#include <stdbool.h>

#include "util/err.h"
#include "util/vec.h"

struct nat_state {
	char interface[IF_NAMESIZE];
	struct vec saved_knobs; /* struct knob: values before bulwark */
};

void natstate_init(struct nat_state *state);
void natstate_free(struct nat_state *state);

/* Loads the state under root + state_dir; *exists says whether there was one. */
int natstate_load(const char *root, const char *state_dir, struct nat_state *state,
		  bool *exists, struct bw_err *err);
int natstate_save(const char *root, const char *state_dir,
		  const struct nat_state *state, struct bw_err *err);
int natstate_remove(const char *root, const char *state_dir, struct bw_err *err);
