#include "host/brnf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/fsroot.h"
#include "host/rtnl.h"
#include "host/sysctl.h"
#include "model/knob.h"

static const char *const knob_paths[] = {
	"/proc/sys/net/bridge/bridge-nf-call-iptables",
	"/proc/sys/net/bridge/bridge-nf-call-ip6tables",
};

#define N_KNOBS (sizeof(knob_paths) / sizeof(knob_paths[0]))

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

int brnf_has_bridges(bool *has_bridges, struct bw_err *err)
{
	struct vec bridges = VEC_INIT(struct rtnl_ifname);
	int rc = find_bridges(&bridges, err);

	*has_bridges = bridges.len > 0;
	vec_free(&bridges);
	return rc;
}

int brnf_enable(const char *root, bool is_dry_run, struct vec *undo, struct bw_err *err)
{
	struct vec bridges = VEC_INIT(struct rtnl_ifname);
	struct vec writes = VEC_INIT(struct knob);
	int rc = find_bridges(&bridges, err);

	if (rc < 0)
		goto out;
	/* Switched on wherever br_netfilter is loaded, bridges or not: a
	 * bridge made after apply (at boot, say) is covered too. */
	for (size_t i = 0; rc == 0 && i < N_KNOBS; i++) {
		struct knob knob;

		if (!fsroot_exists(root, knob_paths[i])) {
			if (bridges.len == 0)
				continue;
			rc = bw_errf(err, -ENOENT, "bridge %s would carry traffic past the groups: "
				     "%s is missing (load br_netfilter)",
				     VEC_AT(&bridges, struct rtnl_ifname, 0)->name, knob_paths[i]);
			break;
		}
		snprintf(knob.path, sizeof(knob.path), "%s", knob_paths[i]);
		snprintf(knob.value, sizeof(knob.value), "1");
		if (vec_push(&writes, &knob) < 0)
			rc = bw_errf(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == 0 && is_dry_run && i < writes.len; i++) {
		const struct knob *knob = VEC_AT(&writes, struct knob, i);
		char old[32];

		rc = fsroot_read(root, knob->path, old, sizeof(old), err);
		if (rc == 0)
			printf("would write %s %s -> %s\n", knob->path, old, knob->value);
	}
	if (rc == 0 && !is_dry_run)
		rc = knobs_apply(root, &writes, undo, err);
out:
	vec_free(&writes);
	vec_free(&bridges);
	return rc;
}

int brnf_check(const char *root, char *why, size_t why_size, struct bw_err *err)
{
	bool has_bridges;
	int rc = brnf_has_bridges(&has_bridges, err);

	why[0] = '\0';
	for (size_t i = 0; rc == 0 && has_bridges && !why[0] && i < N_KNOBS; i++) {
		char value[32];

		if (!fsroot_exists(root, knob_paths[i]))
			snprintf(why, why_size, "%s is missing", knob_paths[i]);
		else if ((rc = fsroot_read(root, knob_paths[i], value, sizeof(value), err)) == 0 &&
			 strcmp(value, "1") != 0)
			snprintf(why, why_size, "%s is %s", knob_paths[i], value);
	}
	return rc;
}
