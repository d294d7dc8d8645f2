#include "api/fwroutes.h"
#include "api/fwrequest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>


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
