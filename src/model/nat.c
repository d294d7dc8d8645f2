#include "model/nat.h"

#include <string.h>

void nat_config_init(struct nat_config *config)
{
	memset(config, 0, sizeof(*config));
	config->source_cidrs = (struct vec)VEC_INIT(struct cidr);
	config->fips_endpoints = NAT_AUTO;
	config->ipv6 = NAT_AUTO;
}

void nat_config_free(struct nat_config *config)
{
	vec_free(&config->source_cidrs);
}

size_t nat_config_count_cidrs(const struct nat_config *config, int family)
{
	size_t count = 0;

	for (size_t i = 0; i < config->source_cidrs.len; i++)
		if (VEC_AT(&config->source_cidrs, struct cidr, i)->family == family)
			count++;
	return count;
}

bool nat_ifname_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IF_NAMESIZE || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}
