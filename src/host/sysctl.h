/* Kernel knobs (/proc/sys, /sys/module parameters) written as one unit:
 * either every write lands or the ones that did are put back. */
#pragma once
#include <jansson.h>

#include "model/knob.h"
#include "util/err.h"
#include "util/vec.h"


/* Writes each knob of writes (a vec of struct knob) under root, in order,
 * appending the value each replaced to undo (a vec of struct knob). On
 * failure, puts back what this call wrote and returns the error. */
int knobs_apply(const char *root, const struct vec *writes, struct vec *undo,
		struct bw_err *err);

/* Adds to saved the knobs of more that saved does not hold yet: saved keeps
 * what was there before bulwark first wrote each knob. */
int knobs_merge(struct vec *saved, const struct vec *more);

/* [{"path": …, "value": …}, …] of a vec of struct knob; NULL when out
 * of memory. */
json_t *knobs_to_json(const struct vec *knobs);

/* Writes saved values back, last first. Carries on past failures and
 * returns the first one. */
int knobs_restore(const char *root, const struct vec *saved, struct bw_err *err);

/* knobs_restore(), except that a per-link knob (/proc/sys/net/<family>/conf/<link>/…,
 * not all or default) whose link is gone is skipped and added to gone (a
 * vec of struct knob): an ENI moved to another instance, a container's
 * veth. */
int knobs_restore_present(const char *root, const struct vec *saved, struct vec *gone,
			  struct bw_err *err);

/* Whether path is a per-link knob under /proc/sys/net/<family>/conf/<link>/. */
bool knob_is_per_link(const char *path);
