/* EC2 Query API client. */
#include "aws/ec2.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "aws/http.h"
#include "util/strbuf.h"

static void add_encoded(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			strbuf_add(sb, (const char *)&c, 1);
		else
			strbuf_addf(sb, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

char *aws_ec2_body(const char *action, const struct aws_param *params, size_t n_params)
{
	struct strbuf sb = { 0 };

	strbuf_addf(&sb, "Action=");
	add_encoded(&sb, action);
	strbuf_addf(&sb, "&Version=%s", AWS_EC2_API_VERSION);
	for (size_t i = 0; i < n_params; i++) {
		strbuf_add(&sb, "&", 1);
		add_encoded(&sb, params[i].name);
		strbuf_add(&sb, "=", 1);
		add_encoded(&sb, params[i].value);
	}
	return strbuf_take(&sb);
}

static bool is_throttling(const char *code)
{
	static const char *const codes[] = {
		"RequestLimitExceeded", "Throttling", "ThrottlingException",
		"InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable",
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

/* One try: 0 with reply parsed, -EAGAIN when worth another try (err
 * filled), another error when not. */
static int try_once(struct aws_ec2 *ec2, const char *action, const char *body,
		    const struct curl_slist *headers, struct aws_xml_doc *reply,
		    struct aws_http_reply *keep, struct bw_err *err)
{
	char sigv4[96];
	struct aws_http_request rq = {
		.method = "POST", .url = ec2->endpoint.url, .headers = headers, .body = body,
		.timeout_ms = aws_http_env_ms(AWS_EC2_TIMEOUT_ENV, AWS_EC2_TIMEOUT_MS, 100,
					      AWS_EC2_TIMEOUT_MS),
		.sigv4 = sigv4,
		.user = ec2->creds->access_key_id, .password = ec2->creds->secret_access_key,
	};
	struct aws_http_reply http;
	const char *code, *message;
	struct bw_err xml_err;
	int rc;

	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:ec2", ec2->region);
	ec2->n_calls++;
	rc = aws_http_do(&rq, &http, err);
	if (rc < 0) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		bw_errf(err, rc, "ec2 %s: %s: %s", action, ec2->endpoint.url, why);
		return rc == -EFBIG ? rc : -EAGAIN;
	}
	aws_xml_init(reply);
	rc = aws_xml_parse(http.body, http.len, reply, &xml_err);
	if (rc < 0 && http.status != 200) {
		bw_errf(err, -EIO, "ec2 %s: HTTP %ld without an EC2 error reply", action,
			http.status);
		rc = http.status >= 500 || http.status == 429 ? -EAGAIN : -EIO;
	} else if (rc < 0) {
		bw_errf(err, -EPROTO, "ec2 %s: %s", action, xml_err.msg);
		rc = -EPROTO;
	} else if (aws_xml_error(reply, &code, &message)) {
		char safe_code[AWS_EC2_CODE_MAX + 4], safe_message[AWS_EC2_MESSAGE_MAX + 4];

		/* The reply's text goes into one error line. */
		aws_xml_one_line(code, AWS_EC2_CODE_MAX, safe_code, sizeof(safe_code));
		aws_xml_one_line(message, AWS_EC2_MESSAGE_MAX, safe_message, sizeof(safe_message));
		snprintf(ec2->last_code, sizeof(ec2->last_code), "%s", safe_code);
		bw_errf(err, -EIO, "ec2 %s: %s: %s", action, safe_code[0] ? safe_code : "(no code)",
			safe_message[0] ? safe_message : "(no message)");
		rc = is_throttling(code) || http.status >= 500 ? -EAGAIN : -EIO;
	} else if (http.status != 200) {
		bw_errf(err, -EIO, "ec2 %s: HTTP %ld without an error reply", action, http.status);
		rc = http.status >= 500 || http.status == 429 ? -EAGAIN : -EIO;
	}
	if (rc < 0)
		aws_xml_free(reply);
	if (rc == 0 && keep) {
		*keep = http;
		http = (struct aws_http_reply){ 0 };
	}
	aws_http_reply_free(&http);
	return rc;
}

static int call(struct aws_ec2 *ec2, const char *action, const struct aws_param *params,
		size_t n_params, struct aws_xml_doc *reply, struct aws_http_reply *keep,
		struct bw_err *err)
{
	struct curl_slist *headers = NULL;
	char *token_header = NULL;
	char *body = aws_ec2_body(action, params, n_params);
	long backoff_ms = 200;
	int rc = -ENOMEM;

	ec2->last_code[0] = '\0';
	if (!body)
		return bw_errf(err, -ENOMEM, "out of memory");
	headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
	if (ec2->creds->session_token[0]) {
		if (asprintf(&token_header, "X-Amz-Security-Token: %s",
			     ec2->creds->session_token) < 0)
			token_header = NULL;
		struct curl_slist *more = token_header && headers ?
			curl_slist_append(headers, token_header) : NULL;

		if (!more)
			curl_slist_free_all(headers);
		headers = more;
	}
	if (!headers) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (int attempt = 1; attempt <= AWS_EC2_ATTEMPTS; attempt++) {
		rc = try_once(ec2, action, body, headers, reply, keep, err);
		if (rc != -EAGAIN)
			break;
		if (attempt < AWS_EC2_ATTEMPTS) {
			aws_http_backoff(backoff_ms);
			backoff_ms *= 2;
		} else {
			rc = -EIO;
		}
	}
out:
	if (token_header) {
		explicit_bzero(token_header, strlen(token_header));
		free(token_header);
	}
	curl_slist_free_all(headers);
	free(body);
	return rc;
}

int aws_ec2_call(struct aws_ec2 *ec2, const char *action, const struct aws_param *params,
		 size_t n_params, struct aws_xml_doc *reply, struct bw_err *err)
{
	return call(ec2, action, params, n_params, reply, NULL, err);
}

int aws_ec2_call_raw(struct aws_ec2 *ec2, const char *action, const struct aws_param *params,
		     size_t n_params, char **body, size_t *len, struct bw_err *err)
{
	struct aws_http_reply kept = { 0 };
	struct aws_xml_doc reply;
	int rc = call(ec2, action, params, n_params, &reply, &kept, err);

	if (rc < 0)
		return rc;
	aws_xml_free(&reply);
	*body = kept.body;
	*len = kept.len;
	return 0;
}
