/* The settings API: HTTP/1.1 on a Unix socket (libmicrohttpd), routes and
 * answers as Bottlerocket's apiserver, the peer checked with SO_PEERCRED
 * (root or a member of the socket's group, else 403). One thread: requests,
 * the confirmation deadline and signals are served in turn, so the
 * datastore and the host see one change at a time.
 *
 * The datastore's journal is shaped here:
 *   {"saved": {...},      knobs' values from before bulwark first changed
 *                         them (settings_apply.h), kept for good;
 *    "applying": {"tx": T, "previous": LIVE, "confirm_within": S},
 *                         present while the host converges to a commit;
 *    "confirm": {"previous": LIVE, "deadline": UNIX_SECONDS}}
 *                         present while a change awaits POST /tx/confirm.
 * At start an "applying" or "confirm" record means bulwark was killed mid
 * change: an unconfirmed change is rolled back in the datastore; then the
 * host converges to the live settings, before READY=1. */
#pragma once
#include <stdbool.h>

#include "util/err.h"

#define API_SOCKET_PATH "/run/bulwark/api.sock"
#define API_DATASTORE_DIR "/var/lib/bulwark/datastore"
#define API_GROUP "bulwark"

struct api_server_config {
	const char *socket_path;   /* bound here unless systemd passes a socket */
	const char *datastore_dir;
	const char *group;         /* the socket's group; its members may call */
	const char *root;          /* host root for the appliers ("" the real host) */
	const char *state_dir;     /* where nat keeps its record (under root) */
	/* One line for the log (stderr, the journal under systemd). */
	void (*log)(const char *line);
};

/* Serves until SIGTERM or SIGINT. Returns 0 after a clean stop, or an
 * error when it could not start (socket in use, no such group, datastore
 * locked). */
int api_server_run(const struct api_server_config *config, struct bw_err *err);
