/* EC2 endpoint choice, FIPS rules included. */
#include "aws/endpoints.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Regions with an ec2-fips.<region>.amazonaws.com endpoint. */
static const char *const fips_regions[] = {
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
};

static bool is_gov(const char *region)
{
	return strncmp(region, "us-gov-", 7) == 0;
}

bool aws_region_is_valid(const char *region)
{
	size_t n = strlen(region);

	if (n == 0 || n > 32 || region[0] == '-')
		return false;
	for (const char *s = region; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

bool aws_region_has_fips(const char *region)
{
	if (is_gov(region))
		return true;
	for (size_t i = 0; i < sizeof(fips_regions) / sizeof(fips_regions[0]); i++)
		if (strcmp(region, fips_regions[i]) == 0)
			return true;
	return false;
}

static const char *dns_suffix(const char *region)
{
	return strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

static int override(const char *url, const char *name, bool is_fips_forced,
		    struct aws_endpoint *out, struct bw_err *err)
{
	if (strncmp(url, "https://", 8) != 0)
		return bw_err_input(err, "%s must be an https:// URL (TLS is always verified), not '%.80s'",
				    name, url);
	if (strlen(url) >= sizeof(out->url))
		return bw_err_input(err, "%s is longer than %zu characters", name,
				    sizeof(out->url) - 1);
	snprintf(out->url, sizeof(out->url), "%s", url);
	out->is_fips = false;
	if (is_fips_forced)
		snprintf(out->why, sizeof(out->why),
			 "%s is set (fips_endpoints=true overridden by %s)", name, name);
	else
		snprintf(out->why, sizeof(out->why), "%s is set", name);
	return 0;
}

int aws_endpoint_choose(const struct aws_endpoint_input *in, struct aws_endpoint *out,
			struct bw_err *err)
{
	const char *region = in->region;
	const char *asked = NULL;
	bool has_fips;

	*out = (struct aws_endpoint){ 0 };
	if (in->url_ec2 && in->url_ec2[0])
		return override(in->url_ec2, "AWS_ENDPOINT_URL_EC2", in->fips == NAT_ON, out, err);
	if (in->url_all && in->url_all[0])
		return override(in->url_all, "AWS_ENDPOINT_URL", in->fips == NAT_ON, out, err);
	if (!region || !aws_region_is_valid(region))
		return bw_errf(err, -EINVAL, "ec2: no valid region ('%.40s')", region ? region : "");
	has_fips = aws_region_has_fips(region);
	if (in->fips == NAT_ON)
		asked = "fips_endpoints=true";
	else if (in->fips == NAT_AUTO && in->is_kernel_fips)
		asked = "fips_endpoints=auto and the kernel is in FIPS mode";
	else if (in->fips == NAT_AUTO && in->is_env_fips)
		asked = "fips_endpoints=auto and AWS_USE_FIPS_ENDPOINT=true";
	if (in->fips == NAT_ON && !has_fips)
		return bw_errf(err, -ENOTSUP,
			       "fips_endpoints=true, but region %s has no FIPS endpoint for EC2 (only us-east-1, us-east-2, us-west-1, us-west-2, ca-central-1, ca-west-1 and us-gov-*)",
			       region);
	if (asked && is_gov(region)) {
		snprintf(out->url, sizeof(out->url), "https://ec2.%s.%s", region,
			 dns_suffix(region));
		out->is_fips = true;
		snprintf(out->why, sizeof(out->why), "%s; in %s the regular endpoint is FIPS",
			 asked, region);
		return 0;
	}
	if (asked && has_fips) {
		snprintf(out->url, sizeof(out->url), "https://ec2-fips.%s.%s", region,
			 dns_suffix(region));
		out->is_fips = true;
		snprintf(out->why, sizeof(out->why), "%s", asked);
		return 0;
	}
	snprintf(out->url, sizeof(out->url), "https://ec2.%s.%s", region, dns_suffix(region));
	out->is_fips = is_gov(region);
	if (asked)
		snprintf(out->why, sizeof(out->why), "%s, but %s has no FIPS endpoint", asked,
			 region);
	else if (in->fips == NAT_OFF)
		snprintf(out->why, sizeof(out->why), "fips_endpoints=false");
	else
		snprintf(out->why, sizeof(out->why),
			 "fips_endpoints=auto; neither the kernel nor AWS_USE_FIPS_ENDPOINT asks for FIPS");
	return 0;
}
