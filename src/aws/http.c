/* HTTP through libcurl for IMDS and EC2. */
#include "aws/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "unknown"
#endif

struct sink {
	char *buf;
	size_t len;
	size_t cap;
	bool is_too_big;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *sink = userdata;
	size_t n = size * nmemb;

	if (sink->len + n + 1 > AWS_HTTP_MAX_REPLY) {
		sink->is_too_big = true;
		return 0;
	}
	if (sink->len + n + 1 > sink->cap) {
		size_t cap = (sink->len + n + 1) * 2;
		char *grown = realloc(sink->buf, cap);

		if (!grown)
			return 0;
		sink->buf = grown;
		sink->cap = cap;
	}
	memcpy(sink->buf + sink->len, data, n);
	sink->len += n;
	sink->buf[sink->len] = '\0';
	return n;
}

void aws_http_reply_free(struct aws_http_reply *reply)
{
	free(reply->body);
	*reply = (struct aws_http_reply){ 0 };
}

long aws_http_env_ms(const char *name, long dflt, long lo, long hi)
{
	const char *v = getenv(name);
	char *end;
	long ms;

	if (!v || !v[0])
		return dflt;
	errno = 0;
	ms = strtol(v, &end, 10);
	if (errno || *end || ms < lo || ms > hi)
		return dflt;
	return ms;
}

void aws_http_backoff(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int setup(CURL *curl, const struct aws_http_request *rq, struct sink *sink)
{
	const char *ca = getenv("AWS_CA_BUNDLE");
	CURLcode c = CURLE_OK;

	c |= curl_easy_setopt(curl, CURLOPT_URL, rq->url);
	c |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	c |= curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
	c |= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			      rq->timeout_ms < 2000 ? rq->timeout_ms : 2000L);
	c |= curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	c |= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	c |= curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	c |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, rq->is_local ? "http" : "https");
	c |= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	c |= curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
	c |= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, rq->method);
	c |= curl_easy_setopt(curl, CURLOPT_USERAGENT, "bulwark/" BULWARK_VERSION);
	if (rq->headers)
		c |= curl_easy_setopt(curl, CURLOPT_HTTPHEADER, rq->headers);
	/* The instance's own metadata service is never behind a proxy; for
	 * the EC2 API libcurl honours https_proxy and no_proxy. */
	if (rq->is_local)
		c |= curl_easy_setopt(curl, CURLOPT_PROXY, "");
	if (ca && ca[0] && !rq->is_local)
		c |= curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
	if (rq->body) {
		c |= curl_easy_setopt(curl, CURLOPT_POSTFIELDS, rq->body);
		c |= curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
	} else if (strcmp(rq->method, "PUT") == 0) {
		c |= curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
		c |= curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (rq->sigv4) {
		c |= curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, rq->sigv4);
		c |= curl_easy_setopt(curl, CURLOPT_USERNAME, rq->user);
		c |= curl_easy_setopt(curl, CURLOPT_PASSWORD, rq->password);
	}
	return c == CURLE_OK ? 0 : -EINVAL;
}

int aws_http_do(const struct aws_http_request *request, struct aws_http_reply *reply,
		struct bw_err *err)
{
	static bool is_initialised;
	struct sink sink = { 0 };
	CURL *curl;
	CURLcode code;
	int rc = 0;

	*reply = (struct aws_http_reply){ 0 };
	if (!is_initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return bw_errf(err, -EIO, "libcurl would not start");
		is_initialised = true;
	}
	curl = curl_easy_init();
	if (!curl)
		return bw_errf(err, -ENOMEM, "out of memory");
	if (setup(curl, request, &sink) < 0) {
		rc = bw_errf(err, -ENOTSUP, "this libcurl lacks an option bulwark needs (SigV4 and protocol limits need 7.85 or later)");
		goto out;
	}
	code = curl_easy_perform(curl);
	if (code != CURLE_OK) {
		if (sink.is_too_big)
			rc = bw_errf(err, -EFBIG, "reply larger than %zu bytes", AWS_HTTP_MAX_REPLY);
		else
			rc = bw_errf(err, code == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO,
				     "%s", curl_easy_strerror(code));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
	reply->body = sink.buf ? sink.buf : strdup("");
	reply->len = sink.len;
	sink.buf = NULL;
	if (!reply->body)
		rc = bw_errf(err, -ENOMEM, "out of memory");
out:
	free(sink.buf);
	curl_easy_cleanup(curl);
	return rc;
}
