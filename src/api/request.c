#include "api/request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/settings.h"

#define KEYPAIRS_MAX 4096

static int load_object(const char *body, size_t len, json_t **out, struct bw_err *err)
{
	json_error_t jerr;
	json_t *doc;

	if (len > API_BODY_MAX)
		return bw_err_input(err, "request body: larger than %zu bytes", API_BODY_MAX);
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return bw_err_input(err, "request body:%d:%d: %s", jerr.line, jerr.column,
				    jerr.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return bw_err_input(err, "request body: expected a JSON object");
	}
	*out = doc;
	return 0;
}

int api_request_settings(const char *body, size_t len, json_t **out, struct bw_err *err)
{
	json_t *doc = NULL, *tree;
	int rc = load_object(body, len, &doc, err);

	if (rc < 0)
		return rc;
	/* No setting is named "settings": a body wrapped the way user data
	 * and GET / show it is unwrapped. */
	tree = json_object_get(doc, "settings");
	if (json_object_size(doc) == 1 && json_is_object(tree))
		json_incref(tree);
	else
		tree = json_incref(doc);
	json_decref(doc);
	rc = settings_validate(tree, true, err);
	if (rc < 0) {
		json_decref(tree);
		return rc;
	}
	*out = tree;
	return 0;
}

int api_request_keypairs(const char *body, size_t len, json_t **out, struct bw_err *err)
{
	json_t *doc = NULL, *payload, *tree = NULL;
	const char **pairs = NULL;
	size_t n;
	int rc = load_object(body, len, &doc, err);

	if (rc < 0)
		return rc;
	payload = json_object_get(doc, "request_payload");
	if (!json_is_array(payload) || json_object_size(doc) != 1) {
		rc = bw_err_input(err, "request body: expected {\"request_payload\": [\"key=value\", ...]}");
		goto out;
	}
	n = json_array_size(payload);
	if (n > KEYPAIRS_MAX) {
		rc = bw_err_input(err, "request_payload: more than %d pairs", KEYPAIRS_MAX);
		goto out;
	}
	pairs = calloc(n ? n : 1, sizeof(*pairs));
	if (!pairs) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *pair = json_array_get(payload, i);

		if (!json_is_string(pair) || strlen(json_string_value(pair)) != json_string_length(pair)) {
			rc = bw_err_input(err, "request_payload[%zu]: expected a \"key=value\" string", i);
			goto out;
		}
		pairs[i] = json_string_value(pair);
	}
	rc = settings_from_keypairs(pairs, n, &tree, err);
	if (rc < 0)
		goto out;
	rc = settings_validate(tree, true, err);
	if (rc < 0)
		goto out;
	*out = tree;
	tree = NULL;
out:
	json_decref(tree);
	free(pairs);
	json_decref(doc);
	return rc;
}

int api_request_list(const char *name, const char *value, json_t **out, struct bw_err *err)
{
	json_t *items = json_array();
	const char *p = value;

	if (!items)
		return bw_errf(err, -ENOMEM, "out of memory");
	if (!value || !*value) {
		json_decref(items);
		return bw_err_input(err, "%s: expected a comma-separated list, got nothing", name);
	}
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0) {
			json_decref(items);
			return bw_err_input(err, "%s: an empty item in '%s'", name, value);
		}
		json_t *item = json_stringn(p, n);

		if (!item) {
			json_decref(items);
			return bw_err_input(err, "%s: an item is not UTF-8", name);
		}
		if (json_array_append_new(items, item) < 0) {
			json_decref(items);
			return bw_errf(err, -ENOMEM, "out of memory");
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	*out = items;
	return 0;
}
