#include "api/server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <systemd/sd-daemon.h>

#include "api/fwroutes.h"
#include "api/osinfo.h"
#include "api/request.h"
#include "api/store.h"
#include "host/fsroot.h"
#include "host/settings_apply.h"
#include "model/settings.h"
#include "model/settings_tree.h"
#include "report/report.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "unknown"
#endif

#define PEER_GROUPS_MAX 256
/* os-release is a few lines; a bigger file is not read. */
#define OS_RELEASE_MAX ((size_t)64 * 1024)
#define CONFIRM_MAX_SECONDS (7L * 24 * 3600)
#define ROLLBACK_RETRY_MS 5000
/* How long edits must pause before their file is written. */
#define FW_WRITE_IDLE_MS 50
#define START_RETRY_FIRST_MS 1000
#define START_RETRY_MAX_MS 60000

struct api_server {
	const struct api_server_config *config;
	struct settings_host host;
	struct store *store;
	gid_t gid;
	json_t *saved;   /* the journal's "saved" (owned) */
	json_t *confirm; /* the journal's "confirm", NULL when none (owned) */
	uint64_t confirm_deadline_ms; /* CLOCK_MONOTONIC */
	struct fwengine fw; /* the firewall's model, kept between requests */
	char start_failure[512];      /* why the start's converge failed, "" if not */
	/* While the host does not hold the live settings (a start before the
	 * network is up: NAT has no default route yet), converging is tried
	 * again at retry_at_ms (CLOCK_MONOTONIC; 0: not), each wait twice
	 * the last up to START_RETRY_MAX_MS. */
	uint64_t retry_at_ms;
	unsigned retry_delay_ms;
};

/* What a handler answers: a status, and a body (owned) that is JSON for
 * 2xx and one error line otherwise. */
struct reply {
	unsigned int status;
	char *body;
	const char *allow; /* 405: the methods the route takes */
	const char *content_type; /* NULL: JSON for 2xx, plain text otherwise */
};

struct request {
	char *body;
	size_t len;
	bool is_too_large;
	bool is_checked;
};

static void note(struct api_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct api_server *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (s->config->log)
		s->config->log(line);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct reply reply_json(unsigned int status, json_t *doc)
{
	struct reply r = { .status = status };

	r.body = doc ? json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(doc);
	if (doc && !r.body)
		return (struct reply){ .status = 500, .body = strdup("out of memory") };
	return r;
}

static struct reply reply_text(unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct reply reply_text(unsigned int status, const char *fmt, ...)
{
	struct reply r = { .status = status };
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&r.body, fmt, ap) < 0)
		r.body = NULL;
	va_end(ap);
	return r;
}

/* An error as the body: 400 for bad input, else the status given. */
static struct reply reply_err(const struct bw_err *err, unsigned int status)
{
	char line[1200];

	bw_err_format(err, line, sizeof(line));
	return reply_text(err->is_input ? 400 : status, "%s", line);
}

/* ---- the journal ---------------------------------------------------- */

/* Writes the journal: saved, the confirm record, and applying when given. */
static int journal_write(struct api_server *s, const json_t *applying, struct bw_err *err)
{
	json_t *journal = json_object();

	if (!journal)
		return bw_errf(err, -ENOMEM, "out of memory");
	json_object_set_new(journal, "saved", json_deep_copy(s->saved));
	if (applying)
		json_object_set_new(journal, "applying", json_deep_copy(applying));
	if (s->confirm)
		json_object_set_new(journal, "confirm", json_deep_copy(s->confirm));
	return store_set_journal(s->store, journal, err);
}

/* Adds to saved the host's values of the knobs tree's plan names. */
static int prepare_for(struct api_server *s, const json_t *tree, struct bw_err *err)
{
	struct settings_plan plan;
	int rc;

	settings_plan_init(&plan);
	rc = settings_plan_build(tree, &plan, err);
	if (rc == 0)
		rc = settings_host_prepare_way_back(&s->host, &plan, s->saved, err);
	settings_plan_free(&plan);
	return rc;
}

/* A denied module that is loaded stays loaded (unloading it would pull it
 * from under its users): the modprobe.d rule stops the next load only. */
static void warn_loaded_denied(struct api_server *s, const struct settings_plan *plan)
{
	struct strbuf names = { 0 };
	struct bw_err err = { 0 };
	char *text;

	if (settings_host_loaded_denied(&s->host, plan, &names, &err) < 0) {
		note(s, "warning: %s", err.msg);
	} else if (names.len) {
		text = strbuf_take(&names);
		note(s, "warning: denied but loaded until reboot or rmmod: %s", text ? text : "");
		free(text);
	}
	strbuf_free(&names);
}

static const json_t *lockdown_of(const json_t *tree)
{
	return json_object_get(json_object_get(tree, "kernel"), "lockdown");
}

/* Whether tree's kernel.lockdown is the live settings' (committed
 * before, for the next boot if the kernel is higher now). */
static bool is_live_lockdown(struct api_server *s, const json_t *tree)
{
	const json_t *want = lockdown_of(tree), *live = lockdown_of(store_live(s->store));

	return want && live && json_equal(want, live);
}

/* Brings the host to tree's plan: the knobs it names saved (and the
 * journal written) before any changes. is_committed: tree is the live
 * settings (see settings_host_converge). */
static int converge_to(struct api_server *s, const json_t *tree, const json_t *applying,
		       bool is_committed, struct bw_err *err)
{
	struct settings_plan plan;
	int rc;

	settings_plan_init(&plan);
	rc = settings_plan_build(tree, &plan, err);
	plan.is_lockdown_for_next_boot = is_committed || is_live_lockdown(s, tree);
	/* A change is refused before the host changes when it names a knob
	 * the host lacks; the committed settings are converged to all the
	 * same, every other step done (the failure then named). */
	if (rc == 0)
		rc = is_committed ? settings_host_prepare_way_back(&s->host, &plan, s->saved, err) :
				    settings_host_prepare(&s->host, &plan, s->saved, err);
	if (rc == 0)
		rc = journal_write(s, applying, err);
	if (rc == 0)
		rc = settings_host_converge(&s->host, &plan, s->saved, is_committed, err);
	if (rc == 0)
		warn_loaded_denied(s, &plan);
	settings_plan_free(&plan);
	return rc;
}

/* Converges to the live settings (after a failure, or as asked), the
 * journal's record of what was saved kept current. When that fails, the
 * journal keeps applying (NULL: none), so the next start tries again. */
static int converge_live(struct api_server *s, const json_t *applying, struct bw_err *err)
{
	json_t *live = json_deep_copy(store_live(s->store));
	struct bw_err werr = { 0 };
	int rc;

	if (!live)
		return bw_errf(err, -ENOMEM, "out of memory");
	rc = converge_to(s, live, NULL, true, err);
	json_decref(live);
	/* saved shrank as knobs were put back: recorded even on failure. */
	if (journal_write(s, rc < 0 ? applying : NULL, &werr) < 0 && rc == 0)
		*err = werr, rc = -EIO;
	return rc;
}

/* The host holds the live settings (again): no retry, systemd told. */
static void host_holds_live(struct api_server *s)
{
	if (s->start_failure[0])
		sd_notify(0, "STATUS=serving the settings API");
	s->start_failure[0] = '\0';
	s->retry_at_ms = 0;
}

/* The host refused the live settings: told to systemd, converged again
 * later (START_RETRY_*), why logged once. */
static void host_refuses_live(struct api_server *s, const char *why)
{
	if (strcmp(why, s->start_failure) != 0) {
		snprintf(s->start_failure, sizeof(s->start_failure), "%s", why);
		sd_notifyf(0, "STATUS=serving; the host refused a live setting: %s", why);
	}
	if (!s->retry_at_ms) {
		s->retry_delay_ms = START_RETRY_FIRST_MS;
		s->retry_at_ms = now_ms() + s->retry_delay_ms;
	}
}

/* Puts back, in the datastore, the live settings from before an
 * unconfirmed change; the caller converges the host to them. */
static int roll_back_unconfirmed(struct api_server *s, struct bw_err *err)
{
	json_t *previous = json_deep_copy(json_object_get(s->confirm, "previous"));
	int rc;

	if (!previous)
		return bw_errf(err, -EINVAL, "the confirmation record has no previous settings");
	rc = store_replace_live(s->store, previous, err);
	if (rc < 0)
		return rc;
	json_decref(s->confirm);
	s->confirm = NULL;
	s->confirm_deadline_ms = 0;
	return journal_write(s, NULL, err);
}

/* ---- routes ------------------------------------------------------------ */

struct call {
	struct api_server *s;
	struct MHD_Connection *conn;
	const char *body;
	size_t len;
};

static const char *query(const struct call *c, const char *name)
{
	return MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *tx_name(const struct call *c)
{
	const char *tx = query(c, "tx");

	return tx && *tx ? tx : "default";
}

/* The live settings as read: with security.fips-mode, never stored,
 * from the kernel (true when fips_enabled is "1"; no file: false).
 * NULL when out of memory. */
static json_t *live_as_read(const struct api_server *s)
{
	struct bw_err ignored = { 0 };
	char fips[16] = "";
	json_t *live = json_deep_copy(store_live(s->store));
	json_t *security;

	if (!live)
		return NULL;
	if (fsroot_read(s->host.root, "/proc/sys/crypto/fips_enabled", fips, sizeof(fips),
			&ignored) < 0)
		fips[0] = '\0';
	security = json_object_get(live, "security");
	if (!json_is_object(security)) {
		security = json_object();
		if (json_object_set_new(live, "security", security) < 0) {
			json_decref(live);
			return NULL;
		}
	}
	if (json_object_set_new(security, "fips-mode", json_boolean(strcmp(fips, "1") == 0)) < 0) {
		json_decref(live);
		return NULL;
	}
	return live;
}

static struct reply get_settings_of(const struct call *c, const json_t *live)
{
	const char *keys = query(c, "keys"), *prefix = query(c, "prefix");
	struct bw_err err = { 0 };
	json_t *list = NULL, *out;

	if (keys) {
		const char **names;
		size_t n;

		if (api_request_list("keys", keys, &list, &err) < 0)
			return reply_err(&err, 400);
		n = json_array_size(list);
		names = calloc(n, sizeof(*names));
		if (!names) {
			json_decref(list);
			return reply_text(500, "out of memory");
		}
		for (size_t i = 0; i < n; i++)
			names[i] = json_string_value(json_array_get(list, i));
		out = settings_select_keys(live, names, n);
		free(names);
		json_decref(list);
		return out ? reply_json(200, out) : reply_text(500, "out of memory");
	}
	if (prefix) {
		char *full = NULL;

		if (!*prefix)
			return reply_text(400, "prefix: expected a key prefix, got nothing");
		/* As Bottlerocket: under /settings the "settings." is implied. */
		if (strncmp(prefix, "settings", 8) != 0) {
			if (asprintf(&full, "settings.%s", prefix) < 0)
				return reply_text(500, "out of memory");
			prefix = full;
		}
		out = settings_select_prefix(live, prefix);
		free(full);
		return out ? reply_json(200, out) : reply_text(500, "out of memory");
	}
	return reply_json(200, json_deep_copy(live));
}

static struct reply get_settings(const struct call *c)
{
	json_t *live_owned = live_as_read(c->s);
	struct reply r;

	if (!live_owned)
		return reply_text(500, "out of memory");
	r = get_settings_of(c, live_owned);
	json_decref(live_owned);
	return r;
}

/* The "os" of the model (api/osinfo.h): the os-release under the root
 * (/etc/os-release, else /usr/lib/os-release, as os-release(5) says),
 * uname's machine, bulwark's version. NULL when out of memory. */
static json_t *os_as_read(const struct api_server *s)
{
	static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
	struct utsname uts;
	char *text = NULL;
	size_t len = 0;
	json_t *os;

	for (size_t i = 0; !text && i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct bw_err ignored = { 0 };
		char full[4096];

		if (fsroot_path(s->host.root, paths[i], full, sizeof(full)) < 0 ||
		    fsroot_slurp(full, OS_RELEASE_MAX, &text, &len, &ignored) < 0)
			text = NULL;
	}
	if (uname(&uts) < 0)
		snprintf(uts.machine, sizeof(uts.machine), "unknown");
	os = osinfo_from_release(text, len, uts.machine, BULWARK_VERSION);
	free(text);
	return os;
}

/* GET /: the whole model, {"os": {...}, "settings": {...}}; with
 * ?prefix=, as Bottlerocket's get_model_prefix: each part the prefix can
 * match (settings only when something matched, os when the prefix is
 * about os at all). */
static struct reply get_model(const struct call *c)
{
	const char *prefix = query(c, "prefix");
	json_t *live, *settings, *os, *model;

	if (prefix && !*prefix)
		return reply_text(400, "prefix: expected a key prefix, got nothing");
	live = live_as_read(c->s);
	os = os_as_read(c->s);
	model = json_object();
	if (!live || !os || !model) {
		json_decref(live);
		json_decref(os);
		json_decref(model);
		return reply_text(500, "out of memory");
	}
	if (!prefix) {
		json_object_set(model, "settings", live);
		json_object_set(model, "os", os);
	} else {
		json_t *os_part = osinfo_select(os, prefix);

		settings = settings_select_prefix(live, prefix);
		if (json_object_size(settings) > 0)
			json_object_set(model, "settings", settings);
		if (os_part)
			json_object_set(model, "os", os_part);
		json_decref(settings);
		json_decref(os_part);
	}
	json_decref(live);
	json_decref(os);
	return reply_json(200, model);
}

/* GET /os: the os part alone; ?prefix= implies "os." (as Bottlerocket). */
static struct reply get_os(const struct call *c)
{
	const char *prefix = query(c, "prefix");
	char *full = NULL;
	json_t *os, *out;

	if (prefix && !*prefix)
		return reply_text(400, "prefix: expected a key prefix, got nothing");
	os = os_as_read(c->s);
	if (!os)
		return reply_text(500, "out of memory");
	if (!prefix)
		return reply_json(200, os);
	if (strncmp(prefix, "os", 2) != 0) {
		if (asprintf(&full, "os.%s", prefix) < 0) {
			json_decref(os);
			return reply_text(500, "out of memory");
		}
		prefix = full;
	}
	out = osinfo_select(os, prefix);
	free(full);
	json_decref(os);
	return reply_json(200, out ? out : json_object());
}

static struct reply patch(const struct call *c, bool is_keypair)
{
	struct bw_err err = { 0 };
	json_t *tree = NULL;
	int rc;

	rc = is_keypair ? api_request_keypairs(c->body, c->len, &tree, &err) :
			  api_request_settings(c->body, c->len, &tree, &err);
	if (rc < 0)
		return reply_err(&err, 400);
	rc = store_set(c->s->store, tx_name(c), tree, &err);
	json_decref(tree);
	if (rc < 0)
		return reply_err(&err, 500);
	return (struct reply){ .status = 204 };
}

static struct reply patch_settings(const struct call *c)
{
	return patch(c, false);
}

static struct reply patch_keypair(const struct call *c)
{
	return patch(c, true);
}

static struct reply get_tx(const struct call *c)
{
	const json_t *pending = store_pending(c->s->store, tx_name(c));

	return reply_json(200, pending ? json_deep_copy(pending) : json_object());
}

static struct reply delete_tx(const struct call *c)
{
	struct bw_err err = { 0 };
	json_t *deleted = NULL;

	if (store_tx_delete(c->s->store, tx_name(c), &deleted, &err) < 0)
		return reply_err(&err, 500);
	return reply_json(200, deleted ? deleted : json_array());
}

static struct reply get_tx_list(const struct call *c)
{
	json_t *names = store_tx_names(c->s->store);

	return names ? reply_json(200, names) : reply_text(500, "out of memory");
}

static struct reply refuse_while_unconfirmed(const struct call *c)
{
	uint64_t now = now_ms();

	/* Past the deadline the loop is about to roll back (or retrying). */
	if (now >= c->s->confirm_deadline_ms)
		return reply_text(409, "a change was not confirmed in time and is being rolled back");
	return reply_text(409, "a change awaits confirmation (POST /tx/confirm) or its rollback in %" PRIu64
			       " s",
			  (c->s->confirm_deadline_ms - now + 999) / 1000);
}

/* What a commit of tx answers, as Bottlerocket's: the full names of the
 * leaves it sets (even to values already live) and of the live leaves its
 * nulls take out, sorted (an empty array when none). NULL when out of memory. */
static json_t *pending_keys(const struct api_server *s, const char *tx)
{
	const json_t *pending = store_pending(s->store, tx);

	return pending ? settings_commit_keys(store_live(s->store), pending) : json_array();
}

/* Whether tx holds a leaf to commit (a value or a null): a transaction
 * of empty tables has nothing pending, as one never written. */
static bool has_pending(const struct api_server *s, const char *tx)
{
	const json_t *pending = store_pending(s->store, tx);
	json_t *none = pending ? json_object() : NULL;
	json_t *leaves = none ? settings_changed_keys(none, pending) : NULL;
	bool has = json_array_size(leaves) > 0;

	json_decref(leaves);
	json_decref(none);
	return has;
}

static struct reply commit(const struct call *c)
{
	struct bw_err err = { 0 };
	json_t *changed = NULL;
	json_t *keys;

	if (c->s->confirm)
		return refuse_while_unconfirmed(c);
	if (!has_pending(c->s, tx_name(c)))
		return reply_text(422, "Unable to commit: no pending settings in transaction '%s'",
				  tx_name(c));
	keys = pending_keys(c->s, tx_name(c));
	if (!keys)
		return reply_text(500, "out of memory");
	if (store_commit(c->s->store, tx_name(c), &changed, &err) < 0) {
		json_decref(keys);
		return reply_err(&err, 500);
	}
	json_decref(changed);
	return reply_json(200, keys);
}

/* The seconds of ?confirm_within=, 0 when absent. */
static int confirm_within(const struct call *c, long *seconds, struct bw_err *err)
{
	const char *text = query(c, "confirm_within");
	char *end;

	*seconds = 0;
	if (!text)
		return 0;
	errno = 0;
	*seconds = strtol(text, &end, 10);
	if (!*text || *end || errno || *seconds < 1 || *seconds > CONFIRM_MAX_SECONDS)
		return bw_err_input(err, "confirm_within: expected seconds from 1 to %ld, got '%s'",
				    CONFIRM_MAX_SECONDS, text);
	return 0;
}

/* Whether new_tree asks for a kernel.lockdown stricter than old_tree's
 * (a level the kernel cannot be brought back from without a reboot). */
static bool raises_lockdown(const json_t *old_tree, const json_t *new_tree)
{
	static const char *const levels[] = { "none", "integrity", "confidentiality" };
	const char *was = json_string_value(json_object_get(json_object_get(old_tree, "kernel"),
							    "lockdown"));
	const char *will = json_string_value(json_object_get(json_object_get(new_tree, "kernel"),
							     "lockdown"));
	int was_level = 0, will_level = 0;

	for (int i = 0; i < 3; i++) {
		if (was && strcmp(was, levels[i]) == 0)
			was_level = i;
		if (will && strcmp(will, levels[i]) == 0)
			will_level = i;
	}
	return will_level > was_level;
}

/* After a failed change: converges back to the live settings and answers
 * err, and also why converging back failed, if it did (the journal then
 * keeps applying, so the next start tries again). */
static struct reply reply_back_failed(struct api_server *s, const json_t *applying,
				      const struct bw_err *err)
{
	struct bw_err back_err = { 0 };
	char line[1200], back_line[1200];

	if (converge_live(s, applying, &back_err) == 0) {
		host_holds_live(s);
		return reply_err(err, 500);
	}
	note(s, "converging back to the live settings failed too: %s", back_err.msg);
	host_refuses_live(s, back_err.msg);
	bw_err_format(err, line, sizeof(line));
	bw_err_format(&back_err, back_line, sizeof(back_line));
	return reply_text(500, "%s; converging back failed too: %s", line, back_line);
}

/* Applies first and commits only what applied: the host converges to the
 * transaction's preview; on failure it converges back to the live plan and
 * the transaction stays pending. */
static struct reply commit_and_apply(const struct call *c)
{
	struct api_server *s = c->s;
	const char *tx = tx_name(c);
	struct bw_err err = { 0 };
	json_t *previous = NULL, *preview = NULL, *changed = NULL, *applying = NULL;
	json_t *keys = NULL;
	struct reply r;
	long seconds;
	int rc;

	if (s->confirm)
		return refuse_while_unconfirmed(c);
	if (confirm_within(c, &seconds, &err) < 0)
		return reply_err(&err, 400);
	if (!has_pending(s, tx))
		return reply_text(422, "Unable to commit: no pending settings in transaction '%s'", tx);
	keys = pending_keys(s, tx);
	previous = json_deep_copy(store_live(s->store));
	preview = store_preview(s->store, tx);
	changed = previous && preview ? settings_changed_keys(previous, preview) : NULL;
	if (!changed || !keys) {
		r = reply_text(500, "out of memory");
		goto out;
	}
	if (json_array_size(changed) == 0) {
		/* As a plain commit: the transaction is spent, nothing changes
		 * on the host; the answer is the pending keys. */
		json_decref(changed);
		changed = NULL;
		if (store_commit(s->store, tx, &changed, &err) < 0)
			r = reply_err(&err, 500);
		else
			r = reply_json(200, keys), keys = NULL;
		goto out;
	}
	if (settings_validate(preview, false, &err) < 0) {
		r = reply_err(&err, 400);
		goto out;
	}
	if (seconds && raises_lockdown(previous, preview)) {
		r = reply_text(400, "settings.kernel.lockdown: raising it cannot be rolled back (only a "
				    "reboot lowers it), so it cannot await confirmation: commit it "
				    "without confirm_within");
		goto out;
	}
	applying = json_pack("{s:s, s:O}", "tx", tx, "previous", previous);
	if (!applying) {
		r = reply_text(500, "out of memory");
		goto out;
	}
	if (seconds)
		json_object_set_new(applying, "confirm_within", json_integer(seconds));
	/* The live plan's knobs are saved too, so the way back is known even
	 * for knobs only the live settings name. */
	rc = prepare_for(s, previous, &err);
	if (rc == 0)
		rc = converge_to(s, preview, applying, false, &err);
	if (rc < 0) {
		note(s, "commit_and_apply of '%s' failed, converging back: %s", tx, err.msg);
		r = reply_back_failed(s, applying, &err);
		goto out;
	}
	json_decref(changed);
	changed = NULL;
	rc = store_commit(s->store, tx, &changed, &err);
	if (rc < 0) {
		note(s, "commit of '%s' failed after applying, converging back: %s", tx, err.msg);
		r = reply_back_failed(s, applying, &err);
		goto out;
	}
	if (seconds) {
		s->confirm = json_pack("{s:O, s:I}", "previous", previous, "deadline",
				       (json_int_t)time(NULL) + seconds);
		s->confirm_deadline_ms = now_ms() + (uint64_t)seconds * 1000;
	}
	if (journal_write(s, NULL, &err) < 0)
		note(s, "journal: %s", err.msg);
	note(s, "committed and applied '%s' (%zu key%s changed)%s", tx, json_array_size(changed),
	     json_array_size(changed) == 1 ? "" : "s",
	     seconds ? ", awaiting confirmation" : "");
	/* The host holds the whole of the live settings now. */
	host_holds_live(s);
	r = reply_json(200, keys);
	keys = NULL;
out:
	json_decref(keys);
	json_decref(applying);
	json_decref(changed);
	json_decref(preview);
	json_decref(previous);
	return r;
}

static struct reply apply(const struct call *c)
{
	const char *keys = query(c, "keys");
	struct bw_err err = { 0 };
	json_t *list = NULL;

	/* Every knob converges (it is idempotent); the keys are only checked. */
	if (keys && api_request_list("keys", keys, &list, &err) < 0)
		return reply_err(&err, 400);
	json_decref(list);
	if (converge_live(c->s, NULL, &err) < 0)
		return reply_err(&err, 500);
	return (struct reply){ .status = 204 };
}

static struct reply confirm(const struct call *c)
{
	struct bw_err err = { 0 };

	if (!c->s->confirm)
		return reply_text(422, "no change awaits confirmation");
	/* A confirmation that comes late does not keep the change: the
	 * deadline is the promise the rollback made. */
	if (now_ms() >= c->s->confirm_deadline_ms)
		return reply_text(409, "too late: the change was not confirmed in time and is being "
				       "rolled back");
	json_decref(c->s->confirm);
	c->s->confirm = NULL;
	c->s->confirm_deadline_ms = 0;
	if (journal_write(c->s, NULL, &err) < 0)
		return reply_err(&err, 500);
	note(c->s, "the change was confirmed");
	return (struct reply){ .status = 204 };
}

/* ---- /fw: the firewall on its model in memory (api/fwroutes.h) ---------- */

static void fw_note(void *ctx, const char *line)
{
	note(ctx, "%s", line);
}

static struct reply fw_reply(struct fwroutes_answer a)
{
	return (struct reply){ .status = a.status, .body = a.body };
}

static struct reply fw_apply(const struct call *c)
{
	return fw_reply(fwroutes_apply(&c->s->fw, c->s->config->state_dir, c->body));
}

static struct reply fw_authorize(const struct call *c)
{
	return fw_reply(fwroutes_edit(&c->s->fw, c->s->config->state_dir, c->body, false));
}

static struct reply fw_revoke(const struct call *c)
{
	return fw_reply(fwroutes_edit(&c->s->fw, c->s->config->state_dir, c->body, true));
}

static struct reply fw_status(const struct call *c)
{
	return fw_reply(fwroutes_status(&c->s->fw, c->s->config->state_dir,
					query(c, "state_dir")));
}

static struct reply fw_explain(const struct call *c)
{
	return fw_reply(fwroutes_explain(&c->s->fw, query(c, "packet"), query(c, "aws"),
					 query(c, "vpc"), query(c, "established")));
}

/* GET /report: the reports served, as the apiserver lists them. */
static struct reply list_reports(const struct call *c)
{
	(void)c;
	return reply_json(200, json_pack("[{s:s,s:s},{s:s,s:s}]", "name", "cis", "description",
					 "CIS Bottlerocket Benchmark", "name", "fips",
					 "description", "FIPS Security Policy"));
}

/* The report `bulwark report` prints for the server's root, typed
 * "application/text" as the apiserver types it (JSON too). Where every
 * check is SKIP, bloodhound fails and the apiserver answers 500; this is
 * 200 with the report. Level and format as bloodhound's -l and -f, but
 * only 1|2 and text|json: anything else is 400. */
static struct reply report(const struct call *c, enum report_kind kind)
{
	const char *level = query(c, "level"), *format = query(c, "format");
	struct report_options o = { .kind = kind, .level = 1, .format = REPORT_TEXT };
	struct report_summary sum;
	struct bw_err err = { 0 };
	struct reply r = { .status = 200, .content_type = "application/text" };

	if (kind != REPORT_FIPS && level) {
		if (strcmp(level, "1") != 0 && strcmp(level, "2") != 0)
			return reply_text(400, "level: must be 1 or 2, not '%.32s'", level);
		o.level = level[0] - '0';
	}
	if (format && strcasecmp(format, "json") == 0)
		o.format = REPORT_JSON;
	else if (format && strcasecmp(format, "text") != 0)
		return reply_text(400, "format: invalid format, options are 'text' or 'json'");
	if (report_generate(c->s->config->root, &o, &r.body, &sum, &err) < 0)
		return reply_err(&err, 500);
	if (sum.status == REPORT_SKIP)
		note(c->s, "report: every check SKIP: %s", sum.why_all_skip);
	return r;
}

/* GET /report/cis?type=bottlerocket|kubernetes (default bottlerocket). */
static struct reply get_cis_report(const struct call *c)
{
	const char *type = query(c, "type");
	enum report_kind kind = REPORT_CIS;

	if (type && strcmp(type, "kubernetes") == 0)
		kind = REPORT_CIS_K8S;
	else if (type && strcmp(type, "bottlerocket") != 0)
		return reply_text(400, "type: must be bottlerocket or kubernetes, not '%.32s'", type);
	return report(c, kind);
}

static struct reply get_fips_report(const struct call *c)
{
	return report(c, REPORT_FIPS);
}

struct route {
	const char *path;
	const char *method;
	struct reply (*handle)(const struct call *c);
	bool has_body;
};

static const struct route routes[] = {
	{ "/", "GET", get_model, false },
	{ "/os", "GET", get_os, false },
	{ "/settings", "GET", get_settings, false },
	{ "/settings", "PATCH", patch_settings, true },
	{ "/settings/keypair", "PATCH", patch_keypair, true },
	{ "/tx", "GET", get_tx, false },
	{ "/tx", "DELETE", delete_tx, false },
	{ "/tx/list", "GET", get_tx_list, false },
	{ "/tx/commit", "POST", commit, false },
	{ "/tx/commit_and_apply", "POST", commit_and_apply, false },
	{ "/tx/apply", "POST", apply, false },
	{ "/tx/confirm", "POST", confirm, false },
	{ "/fw/apply", "POST", fw_apply, true },
	{ "/fw/authorize", "POST", fw_authorize, true },
	{ "/fw/revoke", "POST", fw_revoke, true },
	{ "/fw/status", "GET", fw_status, false },
	{ "/fw/explain", "GET", fw_explain, false },
	{ "/report", "GET", list_reports, false },
	{ "/report/cis", "GET", get_cis_report, false },
	{ "/report/fips", "GET", get_fips_report, false },
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* The route for path and method; NULL with *allow naming the methods the
 * path takes (NULL when the path is unknown). */
static const struct route *find_route(const char *path, const char *method, const char **allow)
{
	*allow = NULL;
	for (size_t i = 0; i < N_ROUTES; i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		if (strcmp(routes[i].method, method) == 0)
			return &routes[i];
		/* Each path takes at most two methods: "GET, DELETE" or "GET, PATCH". */
		if (!*allow)
			*allow = routes[i].method;
		else if (strcmp(routes[i].path, "/tx") == 0)
			*allow = "GET, DELETE";
		else
			*allow = "GET, PATCH";
	}
	return NULL;
}

/* ---- the peer ---------------------------------------------------------- */

static bool in_group_list(const gid_t *groups, size_t n, gid_t gid)
{
	for (size_t i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Root, or the socket's group as the peer's primary or a supplementary
 * group (SO_PEERGROUPS; the user database when the kernel lacks it). */
static bool is_peer_allowed(const struct api_server *s, int fd, uid_t *uid_out)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[PEER_GROUPS_MAX];
	socklen_t glen = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	*uid_out = cred.uid;
	if (cred.uid == 0 || cred.gid == s->gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		return in_group_list(groups, glen / sizeof(gid_t), s->gid);
	if (errno == ERANGE && glen > sizeof(groups)) {
		/* More groups than fit: glen is now the length they need. */
		gid_t *all = malloc(glen);
		bool is_in = all && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, all, &glen) == 0 &&
			     in_group_list(all, glen / sizeof(gid_t), s->gid);

		free(all);
		return is_in;
	}
	if (errno == ENOPROTOOPT) {
		struct passwd *pw = getpwuid(cred.uid);
		int n = PEER_GROUPS_MAX;

		if (pw && getgrouplist(pw->pw_name, cred.gid, groups, &n) >= 0)
			return in_group_list(groups, (size_t)n, s->gid);
	}
	return false;
}

/* ---- libmicrohttpd glue --------------------------------------------------- */

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct reply *r)
{
	struct MHD_Response *response;
	enum MHD_Result ret;
	size_t len = r->body ? strlen(r->body) : 0;

	response = MHD_create_response_from_buffer(len, r->body ? r->body : (char *)"",
						   MHD_RESPMEM_MUST_COPY);
	free(r->body);
	r->body = NULL;
	if (!response)
		return MHD_NO;
	if (len)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
					r->content_type ? r->content_type :
					r->status < 300 ? "application/json" :
							  "text/plain; charset=utf-8");
	if (r->allow)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, r->allow);
	ret = MHD_queue_response(conn, r->status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct api_server *s = cls;
	struct request *req = *con_cls;
	const struct route *route;
	const char *allow;
	struct call c;
	struct reply r;

	(void)version;
	route = find_route(url, method, &allow);
	if (!req) {
		const union MHD_ConnectionInfo *info =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const char *length;
		uid_t uid = (uid_t)-1;

		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*con_cls = req;
		/* Answered before the body is read: the client sees the refusal
		 * and the body is never taken in. */
		if (!info || !is_peer_allowed(s, info->connect_fd, &uid)) {
			r = reply_text(403, "permission denied: uid %d is neither root nor in group %s",
				       (int)uid, s->config->group);
			return send_reply(conn, &r);
		}
		if (!route) {
			r = allow ? reply_text(405, "%s takes %s, not %s", url, allow, method) :
				    reply_text(404, "no such route: %s", url);
			r.allow = allow;
			return send_reply(conn, &r);
		}
		length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (length && strtoull(length, NULL, 10) > API_BODY_MAX) {
			r = reply_text(413, "request body: larger than %zu bytes", API_BODY_MAX);
			return send_reply(conn, &r);
		}
		req->is_checked = true;
		return MHD_YES;
	}
	if (!req->is_checked)
		return MHD_NO;
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		/* Read on, keep nothing: the answer is 413 once the body ends. */
		if (!req->is_too_large && (req->len + n > API_BODY_MAX || !route->has_body)) {
			req->is_too_large = route->has_body;
			free(req->body);
			req->body = NULL;
			req->len = 0;
		}
		if (!req->is_too_large && route->has_body) {
			char *grown = realloc(req->body, req->len + n + 1);

			if (!grown)
				return MHD_NO;
			memcpy(grown + req->len, upload_data, n);
			req->body = grown;
			req->len += n;
			req->body[req->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->is_too_large) {
		r = reply_text(413, "request body: larger than %zu bytes", API_BODY_MAX);
		return send_reply(conn, &r);
	}
	c = (struct call){ .s = s, .conn = conn, .body = req->body ? req->body : "", .len = req->len };
	{
		struct bw_err err = { 0 };

		r = store_tx_check(tx_name(&c), &err) < 0 ? reply_err(&err, 400) : route->handle(&c);
	}
	return send_reply(conn, &r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	struct request *req = *con_cls;

	(void)cls, (void)conn, (void)code;
	if (req)
		free(req->body);
	free(req);
	*con_cls = NULL;
}

/* ---- the socket ----------------------------------------------------------- */

static int set_path(struct sockaddr_un *addr, const char *path, struct bw_err *err)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path))
		return bw_err_input(err, "%s: a socket path must be under %zu bytes", path,
				    sizeof(addr->sun_path));
	memcpy(addr->sun_path, path, strlen(path) + 1);
	return 0;
}

/* Refuses a live socket (something answers on it); removes a stale one. */
static int clear_old_socket(const char *path, const struct sockaddr_un *addr, struct bw_err *err)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : bw_errf(err, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return bw_errf(err, -EEXIST, "%s: exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bw_errf(err, -errno, "socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (rc == 0)
		return bw_errf(err, -EADDRINUSE, "%s: another server answers on it", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return bw_errf(err, -errno, "%s: removing the stale socket: %s", path, strerror(errno));
	return 0;
}

static int bind_socket(const char *path, gid_t gid, int *out, struct bw_err *err)
{
	struct sockaddr_un addr;
	char dir[sizeof(addr.sun_path)];
	char *slash;
	mode_t old_mask;
	int fd, rc;

	rc = set_path(&addr, path, err);
	if (rc < 0)
		return rc;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return bw_errf(err, -errno, "%s: %s", dir, strerror(errno));
	}
	rc = clear_old_socket(path, &addr, err);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return bw_errf(err, -errno, "socket: %s", strerror(errno));
	/* Never reachable by others, not even between bind and chmod. */
	old_mask = umask(0177);
	rc = bind(fd, (const struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (rc < 0) {
		rc = bw_errf(err, -errno, "%s: bind: %s", path, strerror(errno));
		goto fail;
	}
	if (chown(path, (uid_t)-1, gid) < 0 || chmod(path, 0660) < 0) {
		rc = bw_errf(err, -errno, "%s: setting group and mode: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	if (listen(fd, SOMAXCONN) < 0) {
		rc = bw_errf(err, -errno, "%s: listen: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	*out = fd;
	return 0;
fail:
	close(fd);
	return rc;
}

/* ---- start, loop, stop ------------------------------------------------------ */

/* Finishes or undoes a change the last run was killed in, then converges
 * the host to the live settings (a failure there is logged: the server
 * still serves, so it can be fixed). */
static int recover(struct api_server *s, struct bw_err *err)
{
	const json_t *journal = store_journal(s->store);
	const json_t *applying = json_object_get(journal, "applying");
	const json_t *confirm = json_object_get(journal, "confirm");
	json_t *saved = json_object_get(journal, "saved");
	struct bw_err cerr = { 0 };
	json_t *retry = NULL;
	int rc;

	s->saved = json_is_object(saved) ? json_deep_copy(saved) : json_object();
	if (!s->saved)
		return bw_errf(err, -ENOMEM, "out of memory");
	if (json_is_object(confirm)) {
		s->confirm = json_deep_copy(confirm);
	} else if (json_is_object(applying) && json_object_get(applying, "confirm_within") &&
		   !json_equal(json_object_get(applying, "previous"), store_live(s->store))) {
		/* Killed between the commit and recording the confirmation. */
		s->confirm = json_pack("{s:O}", "previous", json_object_get(applying, "previous"));
	}
	if (s->confirm) {
		note(s, "a change awaited confirmation when bulwark stopped: rolling it back");
		rc = roll_back_unconfirmed(s, err);
	} else {
		if (applying)
			note(s, "an apply was in progress when bulwark stopped: converging to the "
				"live settings");
		/* Kept (a copy: the journal write frees it) for a failure below. */
		retry = json_deep_copy(applying);
		rc = journal_write(s, NULL, err);
	}
	if (rc < 0) {
		json_decref(retry);
		return rc;
	}
	rc = converge_live(s, retry, &cerr);
	json_decref(retry);
	if (rc < 0) {
		note(s, "the host could not be brought to the live settings: %s (trying again "
			"while it cannot)", cerr.msg);
		snprintf(s->start_failure, sizeof(s->start_failure), "%s", cerr.msg);
		s->retry_delay_ms = START_RETRY_FIRST_MS;
		s->retry_at_ms = now_ms() + s->retry_delay_ms;
	}
	return 0;
}

static int resolve_group(const char *name, gid_t *gid, struct bw_err *err)
{
	struct group *gr = getgrnam(name);

	if (!gr)
		return bw_err_input(err,
				    "group '%s' does not exist (create it, e.g. systemd-sysusers, or "
				    "pass --group NAME)",
				    name);
	*gid = gr->gr_gid;
	return 0;
}

static int signal_fd(sigset_t *old, struct bw_err *err)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, old) < 0)
		return bw_errf(err, -errno, "sigprocmask: %s", strerror(errno));
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return bw_errf(err, -errno, "signalfd: %s", strerror(errno));
	return fd;
}

/* The host refused the live settings at start: tried again (a change
 * awaiting confirmation converges on its own). */
static void retry_start(struct api_server *s)
{
	struct bw_err err = { 0 };

	if (s->confirm) {
		s->retry_at_ms = 0;
		return;
	}
	if (converge_live(s, NULL, &err) == 0) {
		note(s, "the host now holds the live settings");
		host_holds_live(s);
		return;
	}
	/* Told once a reason, not at every try. */
	if (strcmp(err.msg, s->start_failure) != 0) {
		note(s, "the host still refuses the live settings: %s", err.msg);
		snprintf(s->start_failure, sizeof(s->start_failure), "%s", err.msg);
	}
	s->retry_delay_ms = s->retry_delay_ms * 2 > START_RETRY_MAX_MS ? START_RETRY_MAX_MS :
									  s->retry_delay_ms * 2;
	s->retry_at_ms = now_ms() + s->retry_delay_ms;
}

static int serve_loop(struct api_server *s, struct MHD_Daemon *daemon, int sig_fd,
		      struct bw_err *err)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);

	if (!info)
		return bw_errf(err, -EIO, "libmicrohttpd: no epoll descriptor");
	for (;;) {
		struct pollfd fds[2] = { { .fd = info->epoll_fd, .events = POLLIN },
					 { .fd = sig_fd, .events = POLLIN } };
		MHD_UNSIGNED_LONG_LONG mhd_timeout;
		int timeout = -1, n_ready;

		if (MHD_get_timeout(daemon, &mhd_timeout) == MHD_YES)
			timeout = mhd_timeout > INT32_MAX ? INT32_MAX : (int)mhd_timeout;
		if (s->confirm) {
			uint64_t now = now_ms();
			uint64_t left = s->confirm_deadline_ms > now ? s->confirm_deadline_ms - now : 0;

			if (timeout < 0 || left < (uint64_t)timeout)
				timeout = (int)left;
		}
		/* Edits in a row share one write of the file, once they pause. */
		if (s->fw.has_pending && (timeout < 0 || timeout > FW_WRITE_IDLE_MS))
			timeout = FW_WRITE_IDLE_MS;
		if (s->retry_at_ms) {
			uint64_t now = now_ms();
			uint64_t left = s->retry_at_ms > now ? s->retry_at_ms - now : 0;

			if (timeout < 0 || left < (uint64_t)timeout)
				timeout = (int)left;
		}
		n_ready = poll(fds, 2, timeout);
		if (n_ready < 0 && errno != EINTR)
			return bw_errf(err, -errno, "poll: %s", strerror(errno));
		if (n_ready == 0)
			fwengine_flush(&s->fw);
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				note(s, "signal %u: stopping", si.ssi_signo);
				return 0;
			}
		}
		MHD_run(daemon);
		if (s->retry_at_ms && now_ms() >= s->retry_at_ms)
			retry_start(s);
		if (s->confirm && now_ms() >= s->confirm_deadline_ms) {
			struct bw_err rerr = { 0 };

			note(s, "the change was not confirmed in time: rolling it back");
			if (roll_back_unconfirmed(s, &rerr) < 0) {
				/* The datastore refused: tried again later, not in a spin. */
				note(s, "rollback: %s (trying again in %d s)", rerr.msg,
				     ROLLBACK_RETRY_MS / 1000);
				s->confirm_deadline_ms = now_ms() + ROLLBACK_RETRY_MS;
			} else if (converge_live(s, NULL, &rerr) < 0) {
				note(s, "rollback: %s", rerr.msg);
				host_refuses_live(s, rerr.msg);
			} else {
				host_holds_live(s);
			}
		}
	}
}

int api_server_run(const struct api_server_config *config, struct bw_err *err)
{
	struct api_server s = { .config = config,
				.host = { .root = config->root, .nat_state_dir = config->state_dir } };
	struct MHD_Daemon *daemon = NULL;
	bool is_bound = false;
	int listen_fd = -1, sig_fd = -1, n_fds = 0, rc;
	sigset_t old_mask;

	fwengine_init(&s.fw, config->root, true);
	s.fw.warn = fw_note;
	s.fw.warn_ctx = &s;

	rc = resolve_group(config->group, &s.gid, err);
	if (rc < 0)
		return rc;
	sig_fd = signal_fd(&old_mask, err);
	if (sig_fd < 0)
		return sig_fd;
	rc = store_open(config->datastore_dir, &s.store, err);
	if (rc < 0)
		goto out;
	n_fds = sd_listen_fds(1);
	if (n_fds > 1) {
		rc = bw_errf(err, -EINVAL, "systemd passed %d sockets, expected one", n_fds);
		goto out;
	}
	if (n_fds == 1) {
		listen_fd = SD_LISTEN_FDS_START;
	} else {
		rc = bind_socket(config->socket_path, s.gid, &listen_fd, err);
		if (rc < 0)
			goto out;
		is_bound = true;
	}
	/* Before serving: the host brought to the datastore's word. */
	rc = recover(&s, err);
	if (rc < 0)
		goto out;
	/* The firewall a kill left mid-edit agrees with its files again. */
	{
		struct bw_err ferr = { 0 };

		if (fwengine_resume(&s.fw, config->state_dir, &ferr) < 0)
			note(&s, "fw: the recorded folder could not be applied again: %s", ferr.msg);
	}
	daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, &s,
				  MHD_OPTION_LISTEN_SOCKET, listen_fd,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
				  MHD_OPTION_END);
	if (!daemon) {
		rc = bw_errf(err, -EIO, "libmicrohttpd could not start on %s", config->socket_path);
		goto out;
	}
	note(&s, "serving on %s", n_fds == 1 ? "the socket systemd passed" : config->socket_path);
	/* READY=1 even when the host refused a live setting: the API must stay
	 * reachable to fix it; STATUS= says what failed. */
	if (s.start_failure[0])
		sd_notifyf(0, "READY=1\nSTATUS=serving; the host refused a live setting: %s",
			   s.start_failure);
	else
		sd_notify(0, "READY=1\nSTATUS=serving the settings API");
	rc = serve_loop(&s, daemon, sig_fd, err);
	sd_notify(0, "STOPPING=1");
out:
	if (daemon)
		MHD_stop_daemon(daemon);
	if (listen_fd >= 0 && n_fds != 1)
		close(listen_fd);
	if (is_bound)
		unlink(config->socket_path);
	if (s.store)
		store_close(s.store);
	json_decref(s.saved);
	json_decref(s.confirm);
	fwengine_free(&s.fw);
	close(sig_fd);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return rc;
}
