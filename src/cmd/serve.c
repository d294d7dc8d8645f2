/* bulwark serve: the settings API on a Unix socket (src/api/server.c). */
#include <stdio.h>
#include <string.h>

#include "api/server.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"

static void log_line(const char *line)
{
	cmd_note("serve: %s", line);
}

/* One place given by several options (the first is taken when none
 * is): given more than once, the values must agree. */
static int one_of(const char *const *names, const char *const *values, size_t n,
		  const char *fallback, const char **out, struct bw_err *err)
{
	size_t first = n;

	for (size_t i = 0; i < n; i++) {
		if (!values[i])
			continue;
		if (first == n) {
			first = i;
		} else if (strcmp(values[i], values[first]) != 0) {
			return bw_err_input(err, "serve: %s %s and %s %s differ: give one", names[first],
					    values[first], names[i], values[i]);
		}
	}
	*out = first < n ? values[first] : fallback;
	return 0;
}

static int serve_run(const struct cli_call *call, struct bw_err *err)
{
	/* -s before the command moves the socket for serve as for the clients. */
	const char *const socket_names[] = { "-s", "--socket-path", "--socket" };
	const char *const socket_values[] = { call->globals->socket_path,
					      cli_value(call, "socket-path"),
					      cli_value(call, "socket") };
	const char *const store_names[] = { "--datastore-path", "--datastore" };
	const char *const store_values[] = { cli_value(call, "datastore-path"),
					     cli_value(call, "datastore") };
	struct api_server_config config = {
		.group = cli_value(call, "group") ?: API_GROUP,
		.root = call->globals->root,
		.state_dir = cli_value(call, "state-dir") ?: BW_STATE_DIR,
		.log = log_line,
	};
	int rc;

	rc = one_of(socket_names, socket_values, 3, API_SOCKET_PATH, &config.socket_path, err);
	if (rc == 0)
		rc = one_of(store_names, store_values, 2, API_DATASTORE_DIR, &config.datastore_dir,
			    err);
	if (rc)
		return rc;
	/* Lines reach the journal as they are written. */
	setvbuf(stderr, NULL, _IOLBF, 0);
	return api_server_run(&config, err);
}

static const struct cli_option serve_options[] = {
	{ "socket-path", 's', "PATH", "the Unix socket to serve on (default " API_SOCKET_PATH
				      "; 'bulwark -s PATH serve' too; given twice, the paths must "
				      "be the same)" },
	{ "socket", 0, "PATH", "the same as --socket-path" },
	{ "datastore-path", 0, "DIR", "the datastore (default " API_DATASTORE_DIR ")" },
	{ "datastore", 0, "DIR", "the same as --datastore-path (given both, the same folder)" },
	{ "group", 0, "NAME", "the socket's group: its members may call the API (default " API_GROUP
			      ")" },
	{ "state-dir", 0, "DIR", "where nat keeps its record (default " BW_STATE_DIR ")" },
	{ 0 },
};

static const struct cli_sub serve_subs[] = {
	{ "", serve_run, "socket-path,socket,datastore-path,datastore,group,state-dir", NULL, 0, 0,
	  false,
	  "serve the settings API; at start, bring the host to the live settings (a change "
	  "killed mid-way is finished or rolled back first)" },
	{ 0 },
};

const struct cli_command cmd_serve = {
	.name = "serve",
	.summary = "the settings API on a Unix socket (as Bottlerocket's apiserver)",
	.options = serve_options,
	.subs = serve_subs,
	.description = "HTTP/1.1 on a Unix socket, mode 0660, group bulwark (--group): root and the group's "
		       "members may call it, others get 403. Routes as Bottlerocket's apiserver: "
		       "GET / (the whole model: settings and os), GET /os, GET and PATCH /settings, PATCH /settings/keypair, GET and DELETE "
		       "/tx, GET /tx/list, POST /tx/commit, /tx/commit_and_apply "
		       "(?confirm_within=SECONDS), /tx/confirm and /tx/apply; GET /report, "
		       "/report/cis?type=&level=&format= and /report/fips?format=; the firewall "
		       "kept in memory: POST /fw/apply, /fw/authorize, /fw/revoke, GET /fw/status, "
		       "/fw/explain?packet=. Ready for systemd "
		       "(Type=notify) once the host holds the live settings; socket activation "
		       "is taken.",
};
