/* The server's /fw routes: a request's body or query in, a status and a
 * JSON body (an error line for 4xx/5xx) out, on the server's engine
 * (host/fwengine.h), which keeps the model between requests.
 *   POST /fw/apply      {"aws": DIR, "vpc", "state_dir", "ct_mark_bits",
 *                        "require", "dry_run", "save"}
 *   POST /fw/authorize  {"aws": DIR, "GroupId": SG, "IpPermissions": [..]
 *   POST /fw/revoke      (or the same as a JSON string), "direction":
 *                        "ingress"|"egress" (default ingress), "vpc",
 *                        "state_dir", "dry_run"}
 *      → 200 {"output": what `bulwark fw` prints, "warnings": [lines]}
 *   GET /fw/status?state_dir=      → fw status --json's document
 *   GET /fw/explain?packet=&aws=&vpc=&established=1
 *                                  → fw explain --json's document */
#pragma once
#include <stdbool.h>

#include "host/fwengine.h"

struct fwroutes_answer {
	unsigned status;
	char *body; /* owned by the caller */
};

/* default_state_dir: the server's own (--state-dir). */
struct fwroutes_answer fwroutes_apply(struct fwengine *e, const char *default_state_dir,
				      const char *body);
struct fwroutes_answer fwroutes_edit(struct fwengine *e, const char *default_state_dir,
				     const char *body, bool is_revoke);
struct fwroutes_answer fwroutes_status(struct fwengine *e, const char *default_state_dir,
				       const char *state_dir);
struct fwroutes_answer fwroutes_explain(struct fwengine *e, const char *packet, const char *aws,
					const char *vpc, const char *established);
