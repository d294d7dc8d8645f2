/* What `nat up` does on EC2 when the configuration asks: source/dest
 * check off on the primary ENI and the static ENI attached (eni_id), the
 * Elastic IP associated (eip_id), the CloudWatch agent started
 * (cwagent_enabled). Recorded under the state folder for `nat status`. */
#pragma once
#include <net/if.h>
#include <stdbool.h>

#include <jansson.h>

#include "model/nat.h"
#include "util/err.h"
#include "util/vec.h"

#define NATEC2_STATE_FILE "ec2.json"
#define NATEC2_ATTACH_WAIT_MS 90000 /* retrying AttachNetworkInterface while InUse */
#define NATEC2_LINK_WAIT_MS 30000   /* for IMDS to list the ENI, then for its link */
/* For tests only: shorter bounds for those two waits, 100 ms and up. */
#define NATEC2_ATTACH_WAIT_ENV "BULWARK_ENI_ATTACH_WAIT_MS"
#define NATEC2_LINK_WAIT_ENV "BULWARK_ENI_LINK_WAIT_MS"
#define NATEC2_CWAGENT_WAIT_S 60 /* for the agent control to finish */
#define NATEC2_JOOL "/usr/local/bin/jool"
#define NATEC2_CWAGENT_CTL "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl"

struct natec2_result {
	char instance_id[32];
	char region[40];
	char primary_eni[32];
	char primary_mac[18];
	char endpoint_url[512];
	char endpoint_why[256];
	bool is_endpoint_fips;
	char creds_source[160];
	char eni_id[32];          /* "" when no eni_id */
	char eni_mac[18];
	char eni_link[IF_NAMESIZE];
	char attachment_id[64];
	bool was_attached;        /* the ENI was already on this instance */
	char eip_id[32];          /* "" when no eip_id */
	char association_id[64];
	char cwagent[160];        /* what became of the agent */
	char done_on_ec2[400];    /* the EC2 changes made, for error lines */
};

/* Whether the configuration asks for anything on EC2. */
bool natec2_is_wanted(const struct nat_config *config);

struct nat_plan;

/* For nat up, before the host changes: natec2_up(), then, when an ENI was
 * attached, the plan built again (a new link for the flowtable) and
 * rp_filter 0 on every interface added to its knobs. */
struct natplan_request;

int natec2_prepare(const char *root, const struct natplan_request *request,
		   struct nat_plan *plan, struct natec2_result *out, struct bw_err *err);

/* nat status: the recorded EC2 facts, as lines or into doc as "ec2". */
void natec2_status(const char *root, const char *state_dir, json_t *doc);

/* Prints what natec2_up would do; contacts nothing. */
void natec2_print_dry_run(const struct nat_config *config);

/* Does the EC2 steps. On failure the error names the EC2 changes already
 * made (they cannot be taken back by bulwark: another instance may own
 * them by now). */
int natec2_up(const char *root, const struct nat_config *config, struct natec2_result *out,
	      struct bw_err *err);

/* Adds to knobs rp_filter=0 for every interface of /proc/sys/net/ipv4/conf
 * under root (all, default and each link, the attached ENI included) that
 * knobs does not set yet. */
int natec2_rp_filter_knobs(const char *root, struct vec *knobs, struct bw_err *err);

/* Starts the CloudWatch agent when cwagent_enabled and
 * cwagent_cfg_param_name ask (fck-nat: both non-empty); a warning, never a
 * failure, when it is not installed or does not start. */
void natec2_cwagent(const char *root, const struct nat_config *config,
		    struct natec2_result *out);

/* Records result as <state_dir>/ec2.json under root; loads it back (NULL
 * when absent). */
int natec2_save(const char *root, const char *state_dir, const struct natec2_result *result,
		struct bw_err *err);
json_t *natec2_load(const char *root, const char *state_dir);
int natec2_forget(const char *root, const char *state_dir, struct bw_err *err);

/* A warning when Jool is installed under root (fck-nat's nat64 images
 * run NAT64 then): bulwark does not, and must not drop it silently. */
void natec2_warn_nat64(const char *root);

/* Prints what natec2_up did, after nat up's own line. */
void natec2_print_done(const struct natec2_result *result);

/* Appends "; on EC2 already: ..." to err when result made EC2 changes. */
void natec2_name_done(const struct natec2_result *result, struct bw_err *err);
