/* IMDSv2 client. */
#include "aws/imds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "aws/http.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static bool is_retryable(long status)
{
	return status == 0 || status == 429 || status >= 500;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One exchange with IMDS, tried again with doubling backoff (0.1 s up to
 * 2 s) while a try can begin within the budget (20 s): a boot race where
 * IMDS refuses connections for a while is ridden out, in bounded time. On
 * failure, *why says how many tries over how long: "3 tries in 0.7 s". */
static int exchange(struct aws_imds *imds, const char *method, const char *path,
		    const struct curl_slist *headers, struct aws_http_reply *reply,
		    char *why, size_t why_size, struct bw_err *err)
{
	const long budget_ms = aws_http_env_ms(AWS_IMDS_BUDGET_ENV, AWS_IMDS_BUDGET_MS, 500,
					       AWS_IMDS_BUDGET_MS);
	const long start_ms = now_ms();
	long backoff_ms = AWS_IMDS_BACKOFF_MS;
	char url[512];

	*reply = (struct aws_http_reply){ 0 };
	if (snprintf(url, sizeof(url), "%s%s", imds->base, path) >= (int)sizeof(url))
		return bw_errf(err, -ENAMETOOLONG, "imds: URL too long");
	for (int attempt = 1;; attempt++) {
		struct aws_http_request rq = {
			.method = method, .url = url, .headers = headers,
			.timeout_ms = AWS_IMDS_TIMEOUT_MS, .is_local = true,
		};
		int rc = aws_http_do(&rq, reply, err);
		long spent_ms;

		if (rc == 0 && !is_retryable(reply->status))
			return 0;
		if (rc == 0)
			rc = bw_errf(err, -EIO, "HTTP %ld", reply->status);
		aws_http_reply_free(reply);
		spent_ms = now_ms() - start_ms;
		if (spent_ms + backoff_ms >= budget_ms) {
			snprintf(why, why_size, "%d %s in %.1f s", attempt,
				 attempt == 1 ? "try" : "tries", (double)spent_ms / 1000);
			return rc;
		}
		aws_http_backoff(backoff_ms);
		backoff_ms = backoff_ms * 2 > AWS_IMDS_BACKOFF_MAX_MS ? AWS_IMDS_BACKOFF_MAX_MS :
									   backoff_ms * 2;
	}
}

static int fetch_token(struct aws_imds *imds, struct bw_err *err)
{
	struct curl_slist *headers = curl_slist_append(NULL,
		"X-aws-ec2-metadata-token-ttl-seconds: " STRINGIFY(AWS_IMDS_TOKEN_TTL_S));
	struct aws_http_reply reply;
	char tries[48] = "";
	int rc;

	if (!headers)
		return bw_errf(err, -ENOMEM, "out of memory");
	rc = exchange(imds, "PUT", "/latest/api/token", headers, &reply, tries, sizeof(tries),
		      err);
	curl_slist_free_all(headers);
	if (rc < 0) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		return bw_errf(err, rc, "imds %s: no session token after %s: %s", imds->base,
			       tries, why);
	}
	if (reply.status != 200 || reply.len == 0 || reply.len >= sizeof(imds->token) ||
	    strpbrk(reply.body, "\r\n")) {
		rc = bw_errf(err, -EIO, "imds %s: the token request was answered with HTTP %ld%s",
			     imds->base, reply.status,
			     reply.status == 200 ? " and no usable token" : "");
		aws_http_reply_free(&reply);
		return rc;
	}
	snprintf(imds->token, sizeof(imds->token), "%s", reply.body);
	explicit_bzero(reply.body, reply.len);
	aws_http_reply_free(&reply);
	return 0;
}

int aws_imds_open(struct aws_imds *imds, struct bw_err *err)
{
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	size_t n;

	*imds = (struct aws_imds){ 0 };
	if (!base || !base[0])
		base = AWS_IMDS_DEFAULT;
	if (strncmp(base, "http://", 7) != 0)
		return bw_err_input(err, "AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http:// URL, not '%.80s'",
				    base);
	n = strlen(base);
	while (n > 7 && base[n - 1] == '/')
		n--;
	if (n >= sizeof(imds->base))
		return bw_err_input(err, "AWS_EC2_METADATA_SERVICE_ENDPOINT is too long");
	memcpy(imds->base, base, n);
	imds->base[n] = '\0';
	return fetch_token(imds, err);
}

void aws_imds_close(struct aws_imds *imds)
{
	explicit_bzero(imds->token, sizeof(imds->token));
}

int aws_imds_get(struct aws_imds *imds, const char *path, char *out, size_t out_size,
		 struct bw_err *err)
{
	char header[sizeof(imds->token) + 64];
	char full[384], tries[48] = "";
	struct curl_slist *headers;
	struct aws_http_reply reply;
	int rc;

	if (snprintf(full, sizeof(full), "/latest/%s", path) >= (int)sizeof(full))
		return bw_errf(err, -ENAMETOOLONG, "imds: path too long");
	for (int round = 0; round < 2; round++) {
		snprintf(header, sizeof(header), "X-aws-ec2-metadata-token: %s", imds->token);
		headers = curl_slist_append(NULL, header);
		explicit_bzero(header, sizeof(header));
		if (!headers)
			return bw_errf(err, -ENOMEM, "out of memory");
		rc = exchange(imds, "GET", full, headers, &reply, tries, sizeof(tries), err);
		curl_slist_free_all(headers);
		if (rc < 0) {
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			return bw_errf(err, rc, "imds %s: %s after %s: %s", imds->base, path, tries,
				       why);
		}
		/* An expired token: a new one, once. */
		if (reply.status == 401 && round == 0) {
			aws_http_reply_free(&reply);
			rc = fetch_token(imds, err);
			if (rc < 0)
				return rc;
			continue;
		}
		break;
	}
	if (reply.status == 404)
		rc = bw_errf(err, -ENOENT, "imds %s: %s: not found", imds->base, path);
	else if (reply.status != 200)
		rc = bw_errf(err, -EIO, "imds %s: %s: HTTP %ld", imds->base, path, reply.status);
	else if (reply.len >= out_size || strlen(reply.body) != reply.len)
		rc = bw_errf(err, -EOVERFLOW, "imds %s: %s: answer longer than %zu bytes or not text",
			     imds->base, path, out_size - 1);
	else
		memcpy(out, reply.body, reply.len + 1);
	if (reply.body)
		explicit_bzero(reply.body, reply.len);
	aws_http_reply_free(&reply);
	return rc;
}

static int get_checked(struct aws_imds *imds, const char *path, char *out, size_t size,
		       bool (*is_ok)(const char *), const char *what, struct bw_err *err)
{
	int rc = aws_imds_get(imds, path, out, size, err);

	if (rc < 0)
		return rc;
	if (!is_ok(out))
		return bw_errf(err, -EPROTO, "imds %s: %s: '%.40s' is not %s", imds->base, path,
			       out, what);
	return 0;
}

static bool is_instance_id(const char *s)
{
	return aws_is_id(s, "i-");
}

static bool is_eni_id(const char *s)
{
	return aws_is_id(s, "eni-");
}

static bool is_region(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 33 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int aws_imds_eni_of_mac(struct aws_imds *imds, const char *mac, char *out, size_t out_size,
			struct bw_err *err)
{
	char path[128];

	snprintf(path, sizeof(path), "meta-data/network/interfaces/macs/%s/interface-id", mac);
	return get_checked(imds, path, out, out_size, is_eni_id, "an interface id", err);
}

int aws_imds_instance(struct aws_imds *imds, struct aws_instance *out, struct bw_err *err)
{
	int rc;

	*out = (struct aws_instance){ 0 };
	rc = get_checked(imds, "meta-data/instance-id", out->instance_id,
			 sizeof(out->instance_id), is_instance_id, "an instance id", err);
	if (rc == 0)
		rc = get_checked(imds, "meta-data/placement/region", out->region,
				 sizeof(out->region), is_region, "a region", err);
	if (rc == 0)
		rc = get_checked(imds, "meta-data/mac", out->mac, sizeof(out->mac), aws_is_mac,
				 "a MAC address", err);
	if (rc == 0)
		rc = aws_imds_eni_of_mac(imds, out->mac, out->eni_id, sizeof(out->eni_id), err);
	return rc;
}
