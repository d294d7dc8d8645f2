#include "api/fwroutes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/vpc_nft.h"

static struct fwroutes_answer answer_doc(json_t *doc)
{
	struct fwroutes_answer a = { .status = 200 };

	a.body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!a.body)
		return (struct fwroutes_answer){ 500, strdup("out of memory") };
	return a;
}

/* 400 for bad input, 409 for files changed since apply (the same command
 * works once the table is applied again), 500 otherwise. */
static struct fwroutes_answer answer_err(const struct bw_err *err, int rc)
{
	struct fwroutes_answer a;
	char line[1200];

	bw_err_format(err, line, sizeof(line));
	a.status = err->is_input ? 400 : rc == -ESTALE ? 409 : 500;
	a.body = strdup(line);
	return a;
}

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

/* Collects the engine's warnings for the answer. */
static void collect(void *ctx, const char *line)
{
	json_array_append_new(ctx, json_string(line));
}

typedef int engine_call(struct fwengine *e, const struct fwengine_opts *opts,
			struct strbuf *out, struct bw_err *err);

static struct fwroutes_answer run(struct fwengine *e, const char *default_state_dir,
				  const char *body, bool is_edit, bool is_revoke, engine_call *call)
{
	struct fwengine_opts opts;
	struct strbuf out = { 0 };
	struct bw_err err = { 0 };
	json_t *doc = NULL, *warnings = json_array();
	struct fwroutes_answer a;
	int rc = fwroutes_parse(body, is_edit, default_state_dir, &opts, &doc, &err);

	opts.is_revoke = is_revoke;
	if (rc == 0 && !warnings)
		rc = bw_errf(&err, -ENOMEM, "out of memory");
	if (rc == 0) {
		void (*old_warn)(void *, const char *) = e->warn;
		void *old_ctx = e->warn_ctx;

		e->warn = collect;
		e->warn_ctx = warnings;
		rc = call(e, &opts, &out, &err);
		e->warn = old_warn;
		e->warn_ctx = old_ctx;
	}
	if (rc == 0)
		a = answer_doc(json_pack("{s:s, s:O}", "output", out.buf ? out.buf : "",
					 "warnings", warnings));
	else
		a = answer_err(&err, rc);
	strbuf_free(&out);
	json_decref(warnings);
	json_decref(doc);
	return a;
}

struct fwroutes_answer fwroutes_apply(struct fwengine *e, const char *default_state_dir,
				      const char *body)
{
	return run(e, default_state_dir, body, false, false, fwengine_apply);
}

struct fwroutes_answer fwroutes_edit(struct fwengine *e, const char *default_state_dir,
				     const char *body, bool is_revoke)
{
	return run(e, default_state_dir, body, true, is_revoke, fwengine_edit);
}

struct fwroutes_answer fwroutes_status(struct fwengine *e, const char *default_state_dir,
				       const char *state_dir)
{
	struct bw_err err = { 0 };
	json_t *doc = NULL;

	if (!state_dir || !*state_dir)
		state_dir = default_state_dir;
	if (state_dir[0] != '/') {
		bw_err_input(&err, "state_dir must be an absolute path");
		return answer_err(&err, -EIO);
	}
	if (fwengine_status(e, state_dir, &doc, &err) < 0)
		return answer_err(&err, -EIO);
	return answer_doc(doc);
}

struct fwroutes_answer fwroutes_explain(struct fwengine *e, const char *packet, const char *aws,
					const char *vpc, const char *established)
{
	struct fwengine_opts opts = { .aws_dir = aws, .vpc_id = vpc && *vpc ? vpc : NULL };
	struct bw_err err = { 0 };
	json_t *doc = NULL;

	if (!packet || !*packet)
		bw_err_input(&err, "fw explain: ?packet= is required, e.g. "
			     "packet=tcp%%2010.0.1.5:40000%%20to%%2010.0.2.7:443");
	else if (!aws || aws[0] != '/')
		bw_err_input(&err, "fw explain: ?aws= must name a folder by absolute path");
	else if (established && strcmp(established, "1") != 0 && strcmp(established, "true") != 0 &&
		 strcmp(established, "0") != 0 && strcmp(established, "false") != 0)
		bw_err_input(&err, "fw explain: ?established= is 1 or 0");
	else
		fwengine_explain(e, &opts, packet,
				 established && (established[0] == '1' || established[0] == 't'),
				 &doc, &err);
	if (!doc)
		return answer_err(&err, -EIO);
	return answer_doc(doc);
}
