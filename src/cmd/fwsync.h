/* bulwark fw sync: the security groups, network ACLs, subnets, ENIs, VPC
 * ranges and referenced prefix lists of one VPC, read from the EC2 API
 * (the same documents the AWS CLI's describe-* print, aws/describe.h),
 * kept under the state folder as an --aws folder ("sync/") and loaded
 * through fw apply's path: a round that finds nothing changed changes
 * nothing. With --interval, rounds repeat until SIGTERM or SIGINT; a
 * failed round (an API error, a page missing, a model that does not
 * read) leaves the loaded firewall and the folder as they were. */
#pragma once
#include <stdbool.h>

#include "cmd/cli.h"

#define FWSYNC_DIR "sync"          /* under --state-dir */
#define FWSYNC_MAX_PAGES 10000     /* of one action, in one round */
#define FWSYNC_MAX_INTERVAL_S 86400

/* fw apply of a folder (cmd/fw.c), with fw apply's record and its
 * "unchanged" check. */
typedef int fwsync_apply_fn(const struct bw_globals *globals, const char *dir,
			    const char *vpc_id, const char *state_dir, bool is_dry_run,
			    struct bw_err *err);

/* The whole subcommand: options, then one round or a round every --interval. */
int fwsync_run(const struct cli_call *call, fwsync_apply_fn *apply, struct bw_err *err);
