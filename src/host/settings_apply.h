/* Brings the host to what a settings plan says, and back. The host's state
 * is a function of (plan, saved): every knob the plan names gets its
 * value; every knob bulwark once changed that the plan no longer names
 * gets back the value saved from before bulwark first touched it. So the
 * same call applies, rolls back (converge to the previous plan) and
 * recovers after a crash (converge to the live plan).
 *
 * saved is a JSON object the caller persists (in the datastore journal)
 * BEFORE calling settings_host_converge, so a crash mid-way can still put
 * things back. All paths go under root (tests pass a fake root). */
#pragma once
#include <stdbool.h>

#include <jansson.h>

#include "model/settings.h"
#include "util/err.h"
#include "util/strbuf.h"

struct settings_host {
	const char *root;          /* "" or "/" is the real host */
	const char *nat_state_dir; /* where `nat` keeps its record (/run/bulwark) */
};

/* Adds to saved the current value of every knob target names that saved
 * does not hold yet (sysctls, the modprobe.d file, the host firewall
 * table, the NAT). Reads only. */
int settings_host_prepare(const struct settings_host *host, const struct settings_plan *target,
			  json_t *saved, struct bw_err *err);

/* As settings_host_prepare(), for the live settings a change may have to
 * go back to: a sysctl this host lacks (committed without applying, or
 * gone with a kernel upgrade) has nothing to save and is passed over, so
 * a change that takes it out can still be made. */
int settings_host_prepare_way_back(const struct settings_host *host,
				   const struct settings_plan *live, json_t *saved,
				   struct bw_err *err);

/* Converges the host to target, in order: modules, sysctls, host
 * firewall, NAT, lockdown last (it cannot be lowered without a reboot).
 * Knobs saved holds that target does not name are put back and dropped
 * from saved. A failed step does not stop the others (the host firewall
 * still loads when a sysctl fails), except lockdown, raised only when all
 * else converged, or when target is_committed (the live settings, at boot
 * or converging back: nothing converges back from them). Returns the
 * first error, naming the key ("settings.kernel.sysctl.\"x\": /proc/sys/x:
 * …"); a caller trying a change converges to the previous plan. */
int settings_host_converge(const struct settings_host *host, const struct settings_plan *target,
			   json_t *saved, bool is_committed, struct bw_err *err);

/* The modules target denies that are loaded now (/proc/modules under
 * root), comma-separated into names, for the caller to warn about.
 * converge leaves them loaded: the modprobe.d file stops the next load,
 * while unloading one in use (a mounted udf, open SCTP sockets) would
 * fail or pull it from under its users; a reboot, or the operator's
 * rmmod, finishes the job, and the CIS report says so until then. */
int settings_host_loaded_denied(const struct settings_host *host,
				const struct settings_plan *target, struct strbuf *names,
				struct bw_err *err);
