#include "host/netproxy.h"

#include <errno.h>
#include <jansson.h>
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

static int set_unless_given(const char *lower, const char *upper, const char *value)
{
	if (!value || !value[0] || getenv(lower) || getenv(upper))
		return 0;
	return setenv(lower, value, 0) < 0 ? -errno : 0;
}

int netproxy_load(const char *root, struct bw_err *err)
{
	char path[4096];
	json_error_t jerr;
	json_t *doc;
	int rc;

	if (!fsroot_exists(root, NETPROXY_PATH))
		return 0;
	if (fsroot_path(root, NETPROXY_PATH, path, sizeof(path)) < 0)
		return bw_errf(err, -ENAMETOOLONG, "%s: path too long", NETPROXY_PATH);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return bw_errf(err, -EINVAL, "%s: not a proxy record: %s", path, jerr.text);
	}
	rc = set_unless_given("https_proxy", "HTTPS_PROXY",
			      json_string_value(json_object_get(doc, "https-proxy")));
	if (rc == 0)
		rc = set_unless_given("no_proxy", "NO_PROXY",
				      json_string_value(json_object_get(doc, "no-proxy")));
	json_decref(doc);
	if (rc < 0)
		return bw_errf(err, rc, "setting the proxy from %s", path);
	return 0;
}
