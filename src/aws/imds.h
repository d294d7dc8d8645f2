/* The EC2 instance metadata service, IMDSv2: a session token first (PUT
 * with a TTL header), then GETs carrying it. Each exchange is retried with
 * backoff for a bounded time. AWS_EC2_METADATA_SERVICE_ENDPOINT moves it,
 * as in the AWS SDKs. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define AWS_IMDS_DEFAULT "http://169.254.169.254"
#define AWS_IMDS_TOKEN_TTL_S 300
#define AWS_IMDS_BUDGET_MS 20000  /* each exchange: tries begun within 20 s */
#define AWS_IMDS_BACKOFF_MS 100   /* the first wait between tries, doubling */
#define AWS_IMDS_BACKOFF_MAX_MS 2000
#define AWS_IMDS_TIMEOUT_MS 2000  /* each try */
/* For tests only: a shorter budget, 500 ms to 20 s. */
#define AWS_IMDS_BUDGET_ENV "BULWARK_IMDS_BUDGET_MS"

struct aws_imds {
	char base[256];  /* no trailing '/' */
	char token[256]; /* secret: never printed */
};

struct aws_instance {
	char instance_id[32];
	char region[40];
	char mac[18];       /* the primary interface's, lower case */
	char eni_id[32];    /* the primary interface's */
};

/* Takes the endpoint from the environment (or the default) and gets a
 * token. */
int aws_imds_open(struct aws_imds *imds, struct bw_err *err);
void aws_imds_close(struct aws_imds *imds);

/* GETs /latest/<path> into out. A path IMDS does not have is -ENOENT. */
int aws_imds_get(struct aws_imds *imds, const char *path, char *out, size_t out_size,
		 struct bw_err *err);

/* Instance id, region, primary MAC and its interface id, each checked. */
int aws_imds_instance(struct aws_imds *imds, struct aws_instance *out, struct bw_err *err);

/* The interface id IMDS gives for a MAC attached to this instance. */
int aws_imds_eni_of_mac(struct aws_imds *imds, const char *mac, char *out, size_t out_size,
			struct bw_err *err);

/* Whether text is a MAC address "0a:1b:2c:3d:4e:5f" (lower-case hex). */
bool aws_is_mac(const char *text);
/* Whether text is prefix + 8 or 17 lower-case hex digits. */
bool aws_is_id(const char *text, const char *prefix);
