/* User data as Bottlerocket takes it: TOML, or JSON when it starts with '{',
 * holding one top-level "settings" table. */
#include "conf/userdata.h"

#include <errno.h>
#include <string.h>

#include "conf/toml.h"

static int parse_json(const char *name, const char *text, size_t len, json_t **out,
		      struct bw_err *err)
{
	json_error_t jerr;

	/* As with TOML, a key given twice is a mistake, not a last-one-wins. */
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return bw_err_at(err, name, jerr.line > 0 ? jerr.line : 0,
				 jerr.column > 0 ? jerr.column : 0, "%s", jerr.text);
	return 0;
}

int userdata_parse(const char *name, const char *text, size_t len, json_t **out,
		   struct bw_err *err)
{
	json_t *doc = NULL, *settings;
	const char *key;
	json_t *value;
	size_t i = 0;
	int rc;

	*out = NULL;
	if (len > (size_t)TOML_MAX_BYTES)
		return bw_err_at(err, name, 0, 0, "larger than %d bytes", TOML_MAX_BYTES);
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{')
		rc = parse_json(name, text, len, &doc, err);
	else
		rc = toml_parse(name, text, len, &doc, err);
	if (rc < 0)
		return rc;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return bw_err_at(err, name, 0, 0, "user data must be a table holding \"settings\"");
	}
	json_object_foreach (doc, key, value) {
		if (strcmp(key, "settings") != 0) {
			rc = bw_err_at(err, name, 0, 0,
				       "top-level \"%s\": bulwark takes only a \"settings\" table", key);
			json_decref(doc);
			return rc;
		}
	}
	settings = json_object_get(doc, "settings");
	if (!json_is_object(settings)) {
		rc = bw_err_at(err, name, 0, 0, "%s",
			       settings ? "\"settings\" must be a table, not a value"
					: "no top-level \"settings\" table");
		json_decref(doc);
		return rc;
	}
	*out = json_incref(settings);
	json_decref(doc);
	return 0;
}
