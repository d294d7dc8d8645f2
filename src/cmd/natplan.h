/* What `nat up` would do on this host: the configuration read, the
 * interface and families decided, the ruleset and knobs rendered. */
#pragma once
#include <net/if.h>
#include <stdbool.h>

#include "model/nat.h"
#include "util/err.h"
#include "util/vec.h"

struct nat_plan {
	char config_name[4096]; /* the file read, or "" for defaults */
	struct nat_config config;
	char interface[IF_NAMESIZE];
	bool does_masquerade_ipv4;
	bool does_masquerade_ipv6;
	bool is_ipv6_on;
	bool use_flowtable;
	char *ruleset;     /* owned */
	struct vec knobs;  /* struct knob to write */
};

void natplan_init(struct nat_plan *plan);
void natplan_free(struct nat_plan *plan);

/* Reads the configuration (config_path, else the fck-nat / pelotech-nat
 * files under root, else defaults) and decides against the live host. */
int natplan_build(const char *root, const char *config_path, struct nat_plan *plan,
		  struct bw_err *err);

/* Fails, naming the key, when the configuration needs the EC2 integration. */
int natplan_refuse_ec2_keys(const struct nat_plan *plan, struct bw_err *err);
