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
	bool is_interface_here; /* the public interface exists on this machine */
	char *ruleset;     /* owned */
	struct vec knobs;  /* struct knob to write */
};

void natplan_init(struct nat_plan *plan);
void natplan_free(struct nat_plan *plan);

/* What ipv6=auto means when the plan is only rendered. */
enum natplan_ipv6 {
	NATPLAN_IPV6_FROM_HOST = 0, /* as up decides: the interface's global IPv6 address */
	NATPLAN_IPV6_ON,            /* nat render --ipv6 on */
	NATPLAN_IPV6_OFF,           /* nat render --ipv6 off */
};

struct natplan_request {
	const char *config_path; /* NULL: the fck-nat / pelotech-nat files under root */
	/* nat render, like pfctl -n: works on any machine. The interface need
	 * not exist here; what the host would decide and cannot be asked is
	 * assumed, each assumption named in a note on stderr. */
	bool is_render_only;
	enum natplan_ipv6 ipv6;  /* with is_render_only */
	/* Settings (settings.nat.*): this configuration, copied, instead of
	 * any file. */
	const struct nat_config *config;
};

/* Reads the configuration (the request's file, else the fck-nat /
 * pelotech-nat files under root, else defaults) and decides against the
 * live host, or for a render as far as the host can tell. */
int natplan_build_for(const char *root, const struct natplan_request *request,
		      struct nat_plan *plan, struct bw_err *err);

/* natplan_build_for() for `nat up`: everything decided against this host. */
int natplan_build(const char *root, const char *config_path, struct nat_plan *plan,
		  struct bw_err *err);
