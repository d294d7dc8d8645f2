/* Which EC2 endpoint to call, and why. Pure: the caller reads the
 * environment and the kernel and passes what it found. */
#pragma once
#include <stdbool.h>

#include "model/nat.h"
#include "util/err.h"

struct aws_endpoint_input {
	const char *region;       /* from IMDS or AWS_REGION */
	enum nat_tristate fips;   /* fips_endpoints: auto, true, false */
	bool is_kernel_fips;      /* /proc/sys/crypto/fips_enabled is 1 */
	bool is_env_fips;         /* AWS_USE_FIPS_ENDPOINT=true */
	const char *url_ec2;      /* AWS_ENDPOINT_URL_EC2, or NULL */
	const char *url_all;      /* AWS_ENDPOINT_URL, or NULL */
};

struct aws_endpoint {
	char url[512];  /* https://ec2.us-east-1.amazonaws.com */
	bool is_fips;   /* the endpoint is a FIPS one */
	char why[256];  /* one line: why this endpoint */
};

/* Whether region has an ec2-fips.<region> endpoint (the US and Canadian
 * commercial regions), or its regular endpoint is FIPS (us-gov-*). */
bool aws_region_has_fips(const char *region);

/* Whether region is a plausible region name (a-z, 0-9, '-'; 1 to 32). */
bool aws_region_is_valid(const char *region);

/* Chooses: AWS_ENDPOINT_URL_EC2, then AWS_ENDPOINT_URL, then the FIPS
 * endpoint when fips is true, or auto and the kernel or the environment
 * asks for FIPS and the region has one, else the regular endpoint.
 * fips=true in a region without a FIPS endpoint is an error (-ENOTSUP). */
int aws_endpoint_choose(const struct aws_endpoint_input *in, struct aws_endpoint *out,
			struct bw_err *err);
