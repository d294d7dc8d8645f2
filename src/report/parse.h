/* The pure parts of the reports: readers of what the host holds (kubelet
 * config, modprobe configuration, exception files) and the judge of an
 * nftables ruleset. No I/O; each reader has a fuzz target. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "report/report.h"
#include "util/err.h"

#define KUBELET_CONFIG_MAX (1u << 20)

/* A kubelet (or kube-proxy) configuration, YAML or JSON, as a JSON tree:
 * mappings become objects, sequences arrays; plain scalars true/false,
 * integers and null take their type, everything else is a string. One
 * document; anchors and aliases are refused. Sets *out (caller decrefs). */
int kubelet_parse(const char *text, size_t len, const char *file, json_t **out,
		  struct bw_err *err);

/* The command of the first `install <module> …` line in one modprobe
 * configuration file's text ('-' and '_' alike in names, comments and
 * backslash continuations as modprobe.d(5) reads them), into cmd ("" none).
 * Returns true when found. */
bool modprobe_find_install(const char *text, const char *module, char *cmd,
			   size_t cmd_size);

/* Whether an install command disables the module: /bin/true (what
 * bloodhound wants) or /bin/false, with or without plain arguments, and
 * nothing the shell would run after it (; & | ` $ ( ) < >). */
bool modprobe_is_disabling(const char *cmd);

/* Storage= of journald.conf text as systemd reads it: only inside
 * [Journal], comments (# ;) and blank lines skipped, whitespace around key
 * and value trimmed, backslash continuations joined, the last assignment
 * winning; an empty value resets to "auto", an unknown one is ignored.
 * storage keeps its value when text assigns nothing. */
void journald_storage(const char *text, char *storage, size_t size);

struct report_exception {
	enum report_status status; /* an unknown status is SKIP */
	char reason[1024];
	char reference[1024]; /* "" when absent */
};

/* One exception file: {"status": "PASS|FAIL|SKIP", "reason": "…",
 * "reference": "…"} (reference optional). Input errors name file. */
int exception_parse(const char *text, size_t len, const char *file,
		    struct report_exception *out, struct bw_err *err);

/* The firewall as nftables holds it (libnftables JSON of "list ruleset"),
 * judged for one address family (4 or 6) across every table: ip/ip6 and
 * inet tables both see the family's packets. */
struct nft_verdicts {
	bool is_drop[3];           /* by hook: input, forward, output: a base
				    * chain with policy drop */
	bool has_input_loopback;   /* accept iif lo, then drop the loopback
				    * source from elsewhere, in one input chain */
	bool has_output_loopback;  /* accept oif lo on an output chain */
	bool has_established[3];   /* ct state established accepted, by hook */
	int n_base_chains[3];
};

void nft_judge(const json_t *ruleset, int family, struct nft_verdicts *out);

extern const char *const nft_hook_names[3];
