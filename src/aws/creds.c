/* Credentials for the EC2 API. */
#include "aws/creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int from_env(struct aws_creds *creds, struct bw_err *err)
{
	const char *token = getenv("AWS_SESSION_TOKEN");
	int rc;

	rc = aws_secret_copy(creds->access_key_id, sizeof(creds->access_key_id),
			 getenv("AWS_ACCESS_KEY_ID"), "AWS_ACCESS_KEY_ID", err);
	if (rc == 0 && !getenv("AWS_SECRET_ACCESS_KEY"))
		rc = bw_err_input(err, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	if (rc == 0)
		rc = aws_secret_copy(creds->secret_access_key, sizeof(creds->secret_access_key),
				 getenv("AWS_SECRET_ACCESS_KEY"), "AWS_SECRET_ACCESS_KEY", err);
	if (rc == 0 && token && token[0])
		rc = aws_secret_copy(creds->session_token, sizeof(creds->session_token), token,
				 "AWS_SESSION_TOKEN", err);
	snprintf(creds->source, sizeof(creds->source), "environment");
	return rc;
}

int aws_creds_find(struct aws_imds *imds, struct aws_creds *creds, struct bw_err *err)
{
	char role[128];
	char path[256];
	char *doc = NULL;
	const size_t doc_size = 16384;
	const char *env_key = getenv("AWS_ACCESS_KEY_ID");
	int rc;

	aws_creds_wipe(creds);
	if (env_key && env_key[0]) {
		rc = from_env(creds, err);
		goto out;
	}
	if (!imds)
		return bw_errf(err, -ENOENT, "no credentials: AWS_ACCESS_KEY_ID is not set and IMDS was not asked");
	rc = aws_imds_get(imds, "meta-data/iam/security-credentials/", role, sizeof(role), err);
	if (rc == -ENOENT)
		return bw_errf(err, -ENOENT,
			       "no credentials: AWS_ACCESS_KEY_ID is not set and the instance has no role");
	if (rc < 0)
		return rc;
	role[strcspn(role, "\r\n")] = '\0';
	if (!role[0] || strspn(role, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-") != strlen(role))
		return bw_errf(err, -EPROTO, "imds: the instance role's name is not a role name");
	snprintf(path, sizeof(path), "meta-data/iam/security-credentials/%s", role);
	doc = malloc(doc_size);
	if (!doc)
		return bw_errf(err, -ENOMEM, "out of memory");
	rc = aws_imds_get(imds, path, doc, doc_size, err);
	if (rc == 0)
		rc = aws_creds_from_imds_json(doc, strlen(doc), creds, err);
	snprintf(creds->source, sizeof(creds->source), "instance role %s", role);
	explicit_bzero(doc, doc_size);
	free(doc);
out:
	if (rc < 0)
		aws_creds_wipe(creds);
	return rc;
}
