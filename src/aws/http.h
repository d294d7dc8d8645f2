/* One HTTP exchange through libcurl, for IMDS and the EC2 API. TLS is
 * always verified (AWS_CA_BUNDLE names another CA file, as in the AWS
 * SDKs); redirects are never followed; nothing is ever printed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define AWS_HTTP_MAX_REPLY ((size_t)8 * 1024 * 1024)

struct curl_slist;

struct aws_http_request {
	const char *method;          /* "GET", "PUT", "POST" */
	const char *url;
	const struct curl_slist *headers;
	const char *body;            /* NULL: none */
	long timeout_ms;             /* the whole exchange */
	bool is_local;               /* IMDS: plain http, never through a proxy */
	/* SigV4 (CURLOPT_AWS_SIGV4) when sigv4 is not NULL: "aws:amz:REGION:ec2". */
	const char *sigv4;
	const char *user;            /* access key id */
	const char *password;        /* secret access key */
};

struct aws_http_reply {
	long status;  /* 0: no reply */
	char *body;   /* owned, NUL-terminated */
	size_t len;
};

void aws_http_reply_free(struct aws_http_reply *reply);

/* Performs the request. A transport failure (no connection, timeout, TLS)
 * returns -EIO (-ETIMEDOUT for a timeout) with err naming what failed;
 * any HTTP status is a success for this function. */
int aws_http_do(const struct aws_http_request *request, struct aws_http_reply *reply,
		struct bw_err *err);

/* The milliseconds the environment variable name asks for, when it is a
 * whole number from lo to hi; else dflt. For tests only (README). */
long aws_http_env_ms(const char *name, long dflt, long lo, long hi);

/* Sleeps ms milliseconds: the backoff between retries. */
void aws_http_backoff(long ms);
