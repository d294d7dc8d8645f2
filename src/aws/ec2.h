/* The EC2 Query API over HTTPS: form-encoded POSTs signed with SigV4 by
 * libcurl (CURLOPT_AWS_SIGV4), TLS always verified, https_proxy and
 * no_proxy honoured, XML replies through expat (aws/xml.h). */
#pragma once
#include <stddef.h>

#include "aws/creds.h"
#include "aws/endpoints.h"
#include "aws/xml.h"
#include "util/err.h"

#define AWS_EC2_API_VERSION "2016-11-15"
#define AWS_EC2_ATTEMPTS 4        /* throttling, 5xx, transport failures */
#define AWS_EC2_TIMEOUT_MS 15000  /* each try */
/* For tests only: a shorter timeout for each try, 100 ms to 15 s. */
#define AWS_EC2_TIMEOUT_ENV "BULWARK_EC2_TRY_TIMEOUT_MS"
#define AWS_EC2_CODE_MAX 60       /* bytes of an error reply's Code kept */
#define AWS_EC2_MESSAGE_MAX 300   /* bytes of its Message kept */

struct aws_ec2 {
	struct aws_endpoint endpoint;
	char region[40];
	const struct aws_creds *creds; /* borrowed */
	char last_code[64];            /* the last error reply's Code, "" when none */
	unsigned n_calls;              /* requests sent, retries included */
};

struct aws_param {
	const char *name;
	const char *value;
};

/* Calls action with params; on success reply holds the parsed answer
 * (the caller initialises and frees it). An error reply is one line,
 * "ec2 <Action>: <Code>: <Message>", its Code kept in ec2->last_code.
 * Throttling, HTTP 5xx and transport failures are retried with backoff
 * for a bounded time. */
int aws_ec2_call(struct aws_ec2 *ec2, const char *action, const struct aws_param *params,
		 size_t n_params, struct aws_xml_doc *reply, struct bw_err *err);

/* The same, keeping the reply's text whole (*body malloc'd, NUL-terminated,
 * the caller frees it) for a reader that needs the document's structure
 * (aws/describe.h): the leaves of aws_xml_doc lose where lists start. */
int aws_ec2_call_raw(struct aws_ec2 *ec2, const char *action, const struct aws_param *params,
		     size_t n_params, char **body, size_t *len, struct bw_err *err);

/* The body of a Query API request: Action, Version, then params,
 * percent-encoded as SigV4 wants (unreserved characters kept). Pure.
 * Returns a malloc'd string or NULL when out of memory. */
char *aws_ec2_body(const char *action, const struct aws_param *params, size_t n_params);
