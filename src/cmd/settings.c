/* bulwark get, set, apply, confirm: the settings API's client, as
 * Bottlerocket's apiclient behaves, talking to `bulwark serve` on its
 * Unix socket. Input is parsed and validated here first, so a bad key or
 * file is reported (exit 2) before anything is sent. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/client.h"
#include "api/client_input.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "conf/userdata.h"
#include "host/fsroot.h"
#include "model/settings.h"

#define TX_NAME_MAX 64

static void json_free(json_t **doc)
{
	json_decref(*doc);
}

static void str_free(char **s)
{
	free(*s);
}

#define AUTO_JSON __attribute__((cleanup(json_free))) json_t *
#define AUTO_STR __attribute__((cleanup(str_free))) char *

static const char *socket_of(const struct cli_call *call)
{
	return api_socket_path(cli_value(call, "socket-path"));
}

/* Prints doc as apiclient does: two-space indents, keys sorted. */
static int print_pretty(const json_t *doc, struct bw_err *err)
{
	AUTO_STR text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (!text)
		return bw_errf(err, -ENOMEM, "out of memory");
	printf("%s\n", text);
	return 0;
}

/* GET target, its JSON answer in *out. */
static int get_json(const char *socket, const char *target, json_t **out, struct bw_err *err)
{
	struct api_reply reply;
	json_error_t jerr;
	int rc = api_request(socket, "GET", target, NULL, &reply, err);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_loadb(reply.body, reply.len, JSON_DECODE_ANY, &jerr);
	api_reply_free(&reply);
	if (!*out)
		return bw_errf(err, -EPROTO, "GET %s: the server's answer is not JSON: %s", target,
			       jerr.text);
	return 0;
}

/* The model under one prefix (NULL for all of it) as GET /?prefix=
 * answers it, {"settings": {...}, "os": {...}} with the parts that
 * matched, {} when nothing did (as apiclient prints it). */
static int get_prefix(const char *socket, const char *prefix, json_t **out, struct bw_err *err)
{
	char full[1024], target[4096];
	AUTO_STR escaped = NULL;
	int rc;

	*out = NULL;
	if (prefix) {
		rc = client_settings_prefix(prefix, full, sizeof(full), err);
		if (rc)
			return rc;
		escaped = api_escape(full);
		if (!escaped)
			return bw_errf(err, -ENOMEM, "out of memory");
		snprintf(target, sizeof(target), "/?prefix=%s", escaped);
	} else {
		snprintf(target, sizeof(target), "/");
	}
	rc = get_json(socket, target, out, err);
	if (rc)
		return rc;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return bw_errf(err, -EPROTO, "GET %s: the server's answer is not an object", target);
	}
	return 0;
}

static int run_get(const struct cli_call *call, struct bw_err *err)
{
	const char *socket = socket_of(call);
	AUTO_JSON merged = NULL;
	int n_uris = 0, rc;

	for (int i = 0; i < call->argc; i++)
		n_uris += call->argv[i][0] == '/';
	if (n_uris > 1 || (n_uris && call->argc > 1))
		return bw_err_input(err, "get: prefixes or one /URI, not both");
	/* apiclient get /URI: that answer, whatever it is. */
	if (n_uris)
		return get_json(socket, call->argv[0], &merged, err) ?: print_pretty(merged, err);
	if (call->argc == 0)
		return get_prefix(socket, NULL, &merged, err) ?: print_pretty(merged, err);
	/* Every prefix is checked before anything is asked. */
	for (int i = 0; i < call->argc; i++) {
		char full[1024];

		rc = client_settings_prefix(call->argv[i], full, sizeof(full), err);
		if (rc)
			return rc;
	}
	for (int i = 0; i < call->argc; i++) {
		json_t *one;

		rc = get_prefix(socket, call->argv[i], &one, err);
		if (rc)
			return rc;
		if (!merged) {
			merged = one;
			continue;
		}
		client_merge(merged, one);
		json_decref(one);
	}
	return print_pretty(merged, err);
}

static int new_tx_name(const char *what, char *out, size_t size, struct bw_err *err)
{
	unsigned char random[16];

	if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random))
		return bw_errf(err, -errno, "getrandom: %s", strerror(errno));
	client_tx_name(what, random, out, size);
	return 0;
}

/* PATCH path?tx=tx with body. */
static int patch(const char *socket, const char *path, const char *tx, const json_t *body,
		 struct bw_err *err)
{
	AUTO_STR text = json_dumps(body, JSON_COMPACT);
	char target[256];

	if (!text)
		return bw_errf(err, -ENOMEM, "out of memory");
	snprintf(target, sizeof(target), "%s?tx=%s", path, tx);
	return api_request(socket, "PATCH", target, text, NULL, err);
}

/* Commits and applies tx; on failure its pending settings are dropped
 * (best effort) so no stray transaction stays behind. */
static int commit_and_apply(const char *socket, const char *tx, long confirm_within_s,
			    struct bw_err *err)
{
	char target[256];
	int rc;

	if (confirm_within_s > 0)
		snprintf(target, sizeof(target), "/tx/commit_and_apply?tx=%s&confirm_within=%ld",
			 tx, confirm_within_s);
	else
		snprintf(target, sizeof(target), "/tx/commit_and_apply?tx=%s", tx);
	rc = api_request(socket, "POST", target, NULL, NULL, err);
	if (rc)
		return rc;
	if (confirm_within_s > 0)
		cmd_note("applied: run 'bulwark confirm' within %ld s, or it is rolled back",
			 confirm_within_s);
	return 0;
}

/* Drops tx's pending settings after a failed step (best effort: err is
 * the failure's, and no server answering changes nothing). */
static void drop_tx(const char *socket, const char *tx)
{
	struct bw_err ignored = { 0 };
	char target[256];

	snprintf(target, sizeof(target), "/tx?tx=%s", tx);
	api_request(socket, "DELETE", target, NULL, NULL, &ignored);
}

static int confirm_within(const struct cli_call *call, long *seconds, struct bw_err *err)
{
	const char *text = cli_value(call, "confirm-within");

	*seconds = 0;
	return text ? client_seconds(text, seconds, err) : 0;
}

/* The settings tree of set's key=value operands, checked. */
static int keypairs_tree(const struct cli_call *call, json_t **tree, struct bw_err *err)
{
	for (int i = 0; i < call->argc; i++)
		if (!strchr(call->argv[i], '='))
			return bw_err_input(err, "set: '%.80s' is not key=value", call->argv[i]);
	return settings_from_keypairs((const char *const *)call->argv, (size_t)call->argc, tree,
				      err);
}

static int run_set(const struct cli_call *call, struct bw_err *err)
{
	const char *socket = socket_of(call), *json_text = cli_value(call, "json");
	AUTO_JSON tree = NULL;
	AUTO_JSON body = NULL;
	char tx[TX_NAME_MAX];
	long seconds;
	int rc;

	if (json_text && call->argc > 0)
		return bw_err_input(err, "set: key=value pairs or --json, not both");
	if (!json_text && call->argc == 0)
		return bw_err_input(err, "set: expected KEY=VALUE... or --json JSON (see "
				    "'bulwark set --help')");
	rc = confirm_within(call, &seconds, err);
	if (rc == 0)
		rc = json_text ? client_json_settings(json_text, &tree, err) :
				 keypairs_tree(call, &tree, err);
	if (rc == 0)
		rc = settings_validate(tree, true, err);
	if (rc == 0 && !json_text) {
		/* Sent in the keypair form, as apiclient sends it. */
		json_t *pairs = json_array();

		body = json_pack("{s:o}", "request_payload", pairs);
		for (int i = 0; body && i < call->argc; i++)
			json_array_append_new(pairs, json_string(call->argv[i]));
		if (!body)
			rc = bw_errf(err, -ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = new_tx_name("set", tx, sizeof(tx), err);
	if (rc)
		return rc;
	rc = json_text ? patch(socket, "/settings", tx, tree, err) :
			 patch(socket, "/settings/keypair", tx, body, err);
	if (rc == 0)
		rc = commit_and_apply(socket, tx, seconds, err);
	if (rc)
		drop_tx(socket, tx);
	return rc;
}

/* One document of apply: where it came from and its checked settings. */
struct apply_doc {
	const char *name; /* as given; "<stdin>" for - */
	json_t *settings;
};

/* Reads, parses and checks one source of apply. */
static int read_doc(const char *source, struct apply_doc *doc, struct bw_err *err)
{
	enum client_source_kind kind;
	struct settings_where where;
	char path[4096];
	AUTO_STR text = NULL;
	size_t len = 0;
	int rc;

	doc->name = strcmp(source, "-") == 0 ? "<stdin>" : source;
	rc = client_source(source, &kind, path, sizeof(path), err);
	if (rc)
		return rc;
	if (kind == CLIENT_SOURCE_HTTPS)
		rc = api_fetch_https(source, API_BODY_MAX, &text, &len, err);
	else
		rc = fsroot_slurp(kind == CLIENT_SOURCE_STDIN ? "/dev/stdin" : path, API_BODY_MAX,
				  &text, &len, err);
	/* A file that is not there or not a file is the user's mistake. */
	if (rc == -ENOENT || rc == -EISDIR || rc == -ENOTDIR)
		err->is_input = true;
	if (rc)
		return rc;
	if (memchr(text, '\0', len))
		return bw_err_at(err, doc->name, 0, 0, "holds a NUL byte");
	rc = userdata_parse(doc->name, text, len, &doc->settings, err);
	if (rc)
		return rc;
	rc = settings_validate_at(doc->settings, true, &where, err);
	/* The schema's error names the key; in front, where the document
	 * writes it. */
	if (rc && err->is_input) {
		const char *path[1 + SETTINGS_MAX_SEGMENTS] = { "settings" };
		int line = 0, col = 0;

		for (size_t i = 0; i < where.n; i++)
			path[i + 1] = where.segs[i];
		if (!userdata_key_position(text, len, path, where.n + 1, &line, &col))
			line = col = 0;
		snprintf(err->file, sizeof(err->file), "%s", doc->name);
		err->line = line;
		err->col = col;
	}
	return rc;
}

static int run_apply(const struct cli_call *call, struct bw_err *err)
{
	static char *const from_stdin[] = { (char *)"-" };
	char *const *sources = call->argc ? call->argv : from_stdin;
	size_t n = call->argc ? (size_t)call->argc : 1;
	const char *socket = socket_of(call);
	struct apply_doc *docs;
	char tx[TX_NAME_MAX];
	int rc, n_stdin = 0;
	long seconds;

	for (size_t i = 0; i < n; i++)
		n_stdin += strcmp(sources[i], "-") == 0;
	if (n_stdin > 1)
		return bw_err_input(err, "apply: - (stdin) given more than once");
	rc = confirm_within(call, &seconds, err);
	if (rc)
		return rc;
	docs = calloc(n, sizeof(*docs));
	if (!docs)
		return bw_errf(err, -ENOMEM, "out of memory");
	/* Every document read and checked before the first is sent. */
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = read_doc(sources[i], &docs[i], err);
	if (rc == 0)
		rc = new_tx_name("apply", tx, sizeof(tx), err);
	/* Several documents, one transaction: later ones win where they overlap. */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = patch(socket, "/settings", tx, docs[i].settings, err);
		if (rc && err->is_input && !err->file[0])
			snprintf(err->file, sizeof(err->file), "%s", docs[i].name);
		if (rc)
			drop_tx(socket, tx);
	}
	if (rc == 0) {
		rc = commit_and_apply(socket, tx, seconds, err);
		if (rc)
			drop_tx(socket, tx);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i].settings);
	free(docs);
	return rc;
}

static int run_confirm(const struct cli_call *call, struct bw_err *err)
{
	return api_request(socket_of(call), "POST", "/tx/confirm", NULL, NULL, err);
}

#define SOCKET_OPTION                                                                     \
	{ "socket-path", 's', "PATH",                                                     \
	  "the server's socket (default $" API_SOCKET_ENV ", else " API_SOCKET_DEFAULT ")" }
#define CONFIRM_OPTION                                                                    \
	{ "confirm-within", 0, "SECONDS",                                                 \
	  "roll the change back unless 'bulwark confirm' follows within SECONDS (1-604800)" }

static const struct cli_option get_options[] = { SOCKET_OPTION, { 0 } };
static const struct cli_option set_options[] = {
	SOCKET_OPTION,
	{ "json", 'j', "JSON", "the settings as one JSON object (an outer \"settings\" is "
			       "taken off)" },
	CONFIRM_OPTION,
	{ 0 },
};
static const struct cli_option apply_options[] = { SOCKET_OPTION, CONFIRM_OPTION, { 0 } };
static const struct cli_option confirm_options[] = { SOCKET_OPTION, { 0 } };

static const struct cli_sub get_subs[] = {
	{ "", run_get, "socket-path", "[PREFIX...|/URI]", 0, -1, false,
	  "print the live settings (and os facts) under each prefix (default: all) as one JSON "
	  "document" },
	{ 0 },
};
static const struct cli_sub set_subs[] = {
	{ "", run_set, "socket-path,json,confirm-within", "[KEY=VALUE...]", 0, -1, false,
	  "change settings in a transaction of their own, then commit and apply it" },
	{ 0 },
};
static const struct cli_sub apply_subs[] = {
	{ "", run_apply, "socket-path,confirm-within", "[FILE|file://PATH|https://URL|-]...", 0,
	  -1, false,
	  "apply user data (TOML or JSON with a top-level settings table) in one transaction" },
	{ 0 },
};
static const struct cli_sub confirm_subs[] = {
	{ "", run_confirm, "socket-path", NULL, 0, 0, false,
	  "keep the change that awaits confirmation (see --confirm-within)" },
	{ 0 },
};

const struct cli_command cmd_get = {
	.name = "get",
	.summary = "print settings (as apiclient get)",
	.options = get_options,
	.subs = get_subs,
	.description = "Prints the live settings under each PREFIX (\"settings.\" is implied: "
		       "kernel and settings.kernel are the same; os and os.FIELD name the host's "
		       "OS facts instead), merged into one JSON document; with no prefix, every "
		       "setting and the os facts. A /URI prints the server's answer to GET URI.",
};

const struct cli_command cmd_set = {
	.name = "set",
	.summary = "change settings (as apiclient set)",
	.options = set_options,
	.subs = set_subs,
	.description = "Sets KEY=VALUE pairs (kernel.lockdown=integrity, "
		       "kernel.sysctl.\"net.ipv4.ip_forward\"=1) or a --json object, checked "
		       "here first, then commits and applies them in a transaction of their own. "
		       "A change that cannot be applied is rolled back.",
};

const struct cli_command cmd_apply = {
	.name = "apply",
	.summary = "apply user data files (as apiclient apply)",
	.options = apply_options,
	.subs = apply_subs,
	.description = "Reads each source (a file, file://, https:// or - for stdin; stdin "
		       "when none is given; at most 1 MiB each), TOML or JSON with a top-level "
		       "settings table, checks all of them, then sends them in one transaction "
		       "and commits and applies it. Later documents win where they overlap.",
};

const struct cli_command cmd_confirm = {
	.name = "confirm",
	.summary = "keep a change made with --confirm-within",
	.options = confirm_options,
	.subs = confirm_subs,
	.description = "Confirms the change that awaits confirmation, so it is not rolled back.",
};
