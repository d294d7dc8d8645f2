/* The kernel knobs the NAT gateway sets: forwarding, redirects, reverse
 * path filtering and the tuning keys of the configuration. Pure. */
#pragma once
#include <stdbool.h>

#include "model/nat.h"
#include "util/vec.h"

/* Appends struct knob writes, in the order they should be made. Returns 0
 * or -ENOMEM. */
int nat_knobs_render(const struct nat_config *config, const char *interface,
		     bool is_ipv6_on, struct vec *writes);
