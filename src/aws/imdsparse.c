/* What IMDS answers, checked: ids, MAC addresses and a role's credentials.
 * Pure: no I/O. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aws/creds.h"
#include "aws/imds.h"

bool aws_is_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		bool is_hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');

		if (i % 3 == 2 ? s[i] != ':' : !is_hex)
			return false;
	}
	return true;
}

bool aws_is_id(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix), n;

	if (strncmp(s, prefix, plen) != 0)
		return false;
	s += plen;
	n = strlen(s);
	if (n != 8 && n != 17)
		return false;
	return strspn(s, "0123456789abcdef") == n;
}

void aws_creds_wipe(struct aws_creds *creds)
{
	explicit_bzero(creds, sizeof(*creds));
}

/* A key may hold only printable ASCII without blanks: it goes into a
 * header and the signing key. */
static bool is_token_text(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return false;
	return true;
}

int aws_secret_copy(char *out, size_t size, const char *value, const char *name,
		       struct bw_err *err)
{
	size_t n = strlen(value);

	/* The value itself is never put into a message. */
	if (n == 0 || n >= size)
		return bw_errf(err, -EINVAL, "%s is empty or longer than %zu characters", name,
			       size - 1);
	if (!is_token_text(value))
		return bw_errf(err, -EINVAL, "%s holds characters a key cannot have", name);
	memcpy(out, value, n + 1);
	return 0;
}

int aws_creds_from_imds_json(const char *text, size_t len, struct aws_creds *creds,
			     struct bw_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	const char *code = NULL, *key = NULL, *secret = NULL, *token = NULL;
	int rc;

	if (!doc)
		return bw_errf(err, -EPROTO, "the role's credentials are not JSON (line %d)",
			       jerr.line);
	if (json_unpack(doc, "{s?s, s?s, s?s, s?s}", "Code", &code, "AccessKeyId", &key,
			"SecretAccessKey", &secret, "Token", &token) < 0) {
		rc = bw_errf(err, -EPROTO, "the role's credentials hold a field of the wrong type");
		goto out;
	}
	if (code && strcmp(code, "Success") != 0) {
		rc = bw_errf(err, -EACCES, "the role's credentials: Code is '%.40s', not Success",
			     code);
		goto out;
	}
	if (!key || !secret) {
		rc = bw_errf(err, -EPROTO, "the role's credentials lack AccessKeyId or SecretAccessKey");
		goto out;
	}
	rc = aws_secret_copy(creds->access_key_id, sizeof(creds->access_key_id), key,
			 "the role's AccessKeyId", err);
	if (rc == 0)
		rc = aws_secret_copy(creds->secret_access_key, sizeof(creds->secret_access_key),
				 secret, "the role's SecretAccessKey", err);
	if (rc == 0 && token)
		rc = aws_secret_copy(creds->session_token, sizeof(creds->session_token), token,
				 "the role's Token", err);
out:
	json_decref(doc);
	return rc;
}
