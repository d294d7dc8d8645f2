/* Compliance reports (CIS Bottlerocket, CIS Kubernetes worker node, FIPS)
 * in the format Bottlerocket's `apiclient report` prints, judged from the
 * live host under a root prefix. The one entry point the CLI and the API
 * server call is report_generate(). */
#pragma once
#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "util/err.h"

enum report_kind {
	REPORT_CIS,     /* CIS Bottlerocket Benchmark v1.0.0 */
	REPORT_CIS_K8S, /* CIS Kubernetes Benchmark (Worker Node) */
	REPORT_FIPS,    /* FIPS Security Policy */
};

enum report_format { REPORT_TEXT, REPORT_JSON };

enum report_status { REPORT_PASS, REPORT_FAIL, REPORT_SKIP };

struct report_options {
	enum report_kind kind;
	int level;                  /* 1 or 2 (FIPS ignores it and prints 1) */
	enum report_format format;
	const char *benchmark;      /* cis-k8s: "v1.11.1" (NULL) or "v1.8.0" */
	const char *exceptions_dir; /* NULL: /etc/bulwark/exceptions.d under root */
	const char *kubelet_config; /* NULL: the first of the EKS/Bottlerocket paths */
	const json_t *ruleset;      /* NULL: the live ruleset ("list ruleset"); tests
				     * pass libnftables JSON ({"nftables": [...]}) */
	const struct timespec *now; /* NULL: the clock */
	char **fixes;               /* text: when not NULL, set to one malloc'd
				     * "*  <id> <fix>" line a FAIL ("" when none),
				     * owned by the caller; NULL on error */
};

struct report_summary {
	int total, passed, failed, skipped;
	enum report_status status; /* PASS: at least one PASS and no FAIL */
	char why_all_skip[512];    /* when status is SKIP: why nothing could run */
};

/* Judges the host under root (every file, /proc and /sys path goes through
 * it) and writes the report. *out is malloc'd text (ends in a newline;
 * JSON is one line), owned by the caller. A check that cannot be performed
 * is SKIP with its reason, never an error: the report is always written.
 * Errors are bad options (input) or an unreadable exceptions folder. */
int report_generate(const char *root, const struct report_options *options, char **out,
		    struct report_summary *summary, struct bw_err *err);

/* "cis" / "cis-k8s" / "fips" (and the API's type=bottlerocket|kubernetes
 * through the server) to a kind. Returns 0 or -EINVAL. */
int report_kind_from_name(const char *name, enum report_kind *kind);

const char *report_status_name(enum report_status status);
