#include "host/netproxy.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>

#include "host/fsroot.h"

int netproxy_write(const char *root, const char *https_proxy, const char *no_proxy,
		   struct bw_err *err)
{
	json_t *doc;

	if (!https_proxy[0] && !no_proxy[0]) {
		if (!fsroot_exists(root, NETPROXY_PATH))
			return 0;
		return fsroot_remove(root, NETPROXY_PATH, err);
	}
	doc = json_pack("{s:s, s:s}", "https-proxy", https_proxy, "no-proxy", no_proxy);
	if (!doc)
		return bw_errf(err, -ENOMEM, "out of memory");
	return fsroot_replace_json(root, NETPROXY_PATH, doc, JSON_SORT_KEYS, err);
}

/* A variable the record sets, and whether the environment bulwark started
 * with gave it (either spelling): then it is the user's and always wins. */
struct proxy_var {
	const char *lower, *upper, *key;
	bool is_seen, is_given;
};

static struct proxy_var vars[] = {
	{ "https_proxy", "HTTPS_PROXY", "https-proxy", false, false },
	{ "no_proxy", "NO_PROXY", "no-proxy", false, false },
};

/* The record's value (NULL or "": none) into the variable, unless the
 * user gave it: what an earlier load set is replaced or taken out. */
static int set_from_record(struct proxy_var *var, const char *value)
{
	if (!var->is_seen) {
		var->is_given = getenv(var->lower) || getenv(var->upper);
		var->is_seen = true;
	}
	if (var->is_given)
		return 0;
	if (!value || !value[0])
		return unsetenv(var->lower) < 0 ? -errno : 0;
	return setenv(var->lower, value, 1) < 0 ? -errno : 0;
}

int netproxy_load(const char *root, struct bw_err *err)
{
	char path[4096];
	json_error_t jerr;
	json_t *doc = NULL;
	int rc = 0;

	if (fsroot_exists(root, NETPROXY_PATH)) {
		if (fsroot_path(root, NETPROXY_PATH, path, sizeof(path)) < 0)
			return bw_errf(err, -ENAMETOOLONG, "%s: path too long", NETPROXY_PATH);
		doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(doc)) {
			json_decref(doc);
			return bw_errf(err, -EINVAL, "%s: not a proxy record: %s", path, jerr.text);
		}
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]) && rc == 0; i++)
		rc = set_from_record(&vars[i],
				     json_string_value(json_object_get(doc, vars[i].key)));
	json_decref(doc);
	if (rc < 0)
		return bw_errf(err, rc, "setting the proxy from %s", NETPROXY_PATH);
	return 0;
}
