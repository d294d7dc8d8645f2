#include "api/fwrequest.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/vpc_nft.h"

static bool is_key(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

static int take_string(const json_t *doc, const char *key, const char **out, struct bw_err *err)
{
	const json_t *v = json_object_get(doc, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || !*json_string_value(v))
		return bw_err_input(err, "request body: \"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int take_bool(const json_t *doc, const char *key, bool *out, struct bw_err *err)
{
	const json_t *v = json_object_get(doc, key);

	*out = false;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bw_err_input(err, "request body: \"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

int fwroutes_parse(const char *body, bool is_edit, const char *default_state_dir,
		   struct fwengine_opts *opts, json_t **doc, struct bw_err *err)
{
	static const char *const apply_keys[] = { "aws", "vpc", "state_dir", "ct_mark_bits",
						  "require", "dry_run", "save", NULL };
	static const char *const edit_keys[] = { "aws", "vpc", "state_dir", "dry_run", "GroupId",
						 "IpPermissions", "direction", "require", "save",
						 "ct_mark_bits", NULL };
	const char *key, *direction = NULL;
	json_t *value, *perms;
	json_error_t jerr;
	int rc = 0;

	*opts = (struct fwengine_opts){ .dir = VPC_INGRESS };
	*doc = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
	if (!*doc)
		return bw_err_input(err, "request body:%d:%d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(*doc))
		return bw_err_input(err, "request body: not a JSON object");
	json_object_foreach(*doc, key, value) {
		if (!is_key(key, is_edit ? edit_keys : apply_keys))
			return bw_err_input(err, "request body: unknown key \"%.60s\"", key);
	}
	rc = take_string(*doc, "aws", &opts->aws_dir, err) ?:
	     take_string(*doc, "vpc", &opts->vpc_id, err) ?:
	     take_string(*doc, "state_dir", &opts->state_dir, err) ?:
	     take_bool(*doc, "require", &opts->is_required, err) ?:
	     take_bool(*doc, "dry_run", &opts->is_dry_run, err) ?:
	     take_bool(*doc, "save", &opts->is_saved, err);
	if (rc < 0)
		return rc;
	if (!opts->aws_dir || opts->aws_dir[0] != '/')
		return bw_err_input(err, "request body: \"aws\" must name a folder by absolute path");
	if (!opts->state_dir)
		opts->state_dir = default_state_dir;
	if (opts->state_dir[0] != '/')
		return bw_err_input(err, "request body: \"state_dir\" must be an absolute path");
	value = json_object_get(*doc, "ct_mark_bits");
	if (value) {
		json_int_t mask = json_integer_value(value);

		if (!json_is_integer(value) || mask < 0 || mask > UINT32_MAX ||
		    (mask && !vpc_ct_mask_is_valid((uint32_t)mask)))
			return bw_err_input(err, "request body: \"ct_mark_bits\" is not one run of %d "
					    "to %d bits (e.g. 4278190080 for 0xff000000)",
					    VPC_CT_MIN_BITS, VPC_CT_MAX_BITS);
		opts->ct_mark_mask = (uint32_t)mask;
	}
	if (!is_edit)
		return 0;
	rc = take_string(*doc, "GroupId", &opts->group_id, err) ?:
	     take_string(*doc, "direction", &direction, err);
	if (rc < 0)
		return rc;
	if (!opts->group_id)
		return bw_err_input(err, "request body: \"GroupId\" is required");
	if (direction && strcmp(direction, "egress") == 0)
		opts->dir = VPC_EGRESS;
	else if (direction && strcmp(direction, "ingress") != 0)
		return bw_err_input(err, "request body: \"direction\" is ingress or egress, not "
				    "\"%.40s\"", direction);
	perms = json_object_get(*doc, "IpPermissions");
	if (json_is_string(perms)) {
		opts->permissions = json_string_value(perms);
	} else if (json_is_array(perms)) {
		/* Kept in the document, so freed with it. */
		char *text = json_dumps(perms, JSON_COMPACT);

		if (!text)
			return bw_errf(err, -ENOMEM, "out of memory");
		json_object_set_new(*doc, "IpPermissions", json_string(text));
		free(text);
		opts->permissions = json_string_value(json_object_get(*doc, "IpPermissions"));
		if (!opts->permissions)
			return bw_errf(err, -ENOMEM, "out of memory");
	} else {
		return bw_err_input(err, "request body: \"IpPermissions\" is required: a list of "
				    "permissions, as the AWS CLI takes them");
	}
	return 0;
}

