/* Accepted risks: one JSON file per check, named by the check's name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/parse.h"

#define EXCEPTION_MAX (64u << 10)

int exception_parse(const char *text, size_t len, const char *file,
		    struct report_exception *out, struct bw_err *err)
{
	json_error_t jerr;
	json_t *doc, *status, *reason, *reference;
	const char *key;
	json_t *value;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->status = REPORT_SKIP;
	if (len > EXCEPTION_MAX)
		return bw_err_at(err, file, 0, 0, "larger than %u bytes", EXCEPTION_MAX);
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return bw_err_at(err, file, jerr.line, jerr.column, "%s", jerr.text);
	if (!json_is_object(doc)) {
		rc = bw_err_at(err, file, 1, 1, "an exception is a JSON object");
		goto out;
	}
	json_object_foreach(doc, key, value) {
		if (strcmp(key, "status") != 0 && strcmp(key, "reason") != 0 &&
		    strcmp(key, "reference") != 0) {
			rc = bw_err_at(err, file, 0, 0, "unknown key \"%.64s\" (status, reason, reference)",
				       key);
			goto out;
		}
	}
	status = json_object_get(doc, "status");
	reason = json_object_get(doc, "reason");
	reference = json_object_get(doc, "reference");
	if (!json_is_string(status) || !json_is_string(reason)) {
		rc = bw_err_at(err, file, 0, 0, "\"status\" and \"reason\" must be strings");
		goto out;
	}
	if (reference && !json_is_string(reference)) {
		rc = bw_err_at(err, file, 0, 0, "\"reference\" must be a string");
		goto out;
	}
	if (json_string_length(reason) == 0 || json_string_length(reason) >= sizeof(out->reason) ||
	    (reference && json_string_length(reference) >= sizeof(out->reference)) ||
	    strlen(json_string_value(reason)) != json_string_length(reason)) {
		rc = bw_err_at(err, file, 0, 0, "\"reason\" must be 1 to %zu bytes without NUL",
			       sizeof(out->reason) - 1);
		goto out;
	}
	if (strcmp(json_string_value(status), "PASS") == 0)
		out->status = REPORT_PASS;
	else if (strcmp(json_string_value(status), "FAIL") == 0)
		out->status = REPORT_FAIL;
	snprintf(out->reason, sizeof(out->reason), "%s", json_string_value(reason));
	/* One line a reason in the text report. */
	for (char *c = out->reason; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	if (reference)
		snprintf(out->reference, sizeof(out->reference), "%s", json_string_value(reference));
out:
	json_decref(doc);
	return rc;
}
