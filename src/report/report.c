/* Runs a report's checks against the host and writes the report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/fsroot.h"
#include "host/hostread.h"
#include "host/nft.h"
#include "report/format.h"
#include "report/parse.h"
#include "report/report.h"

#define REPORT_MAX_CHECKS 40
#define EXCEPTIONS_DIR "/etc/bulwark/exceptions.d"

int report_kind_from_name(const char *name, enum report_kind *kind)
{
	if (strcmp(name, "cis") == 0 || strcmp(name, "bottlerocket") == 0)
		*kind = REPORT_CIS;
	else if (strcmp(name, "cis-k8s") == 0 || strcmp(name, "kubernetes") == 0)
		*kind = REPORT_CIS_K8S;
	else if (strcmp(name, "fips") == 0)
		*kind = REPORT_FIPS;
	else
		return -EINVAL;
	return 0;
}

static bool is_regular(const char *root, const char *path)
{
	char full[1024];
	struct stat st;

	return fsroot_path(root, path, full, sizeof(full)) == 0 && stat(full, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

static bool is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The exception for a check, if its file is there. An exceptions folder
 * given on the command line is read as is; the default one under root. */
static int load_exception(const char *root, const struct report_options *o,
			  struct check_run *run, struct bw_err *err)
{
	char path[1024];
	struct report_exception ex = { .status = REPORT_SKIP };
	char *text = NULL;
	const char *dir = o->exceptions_dir ? o->exceptions_dir : EXCEPTIONS_DIR;
	const char *prefix = o->exceptions_dir ? "" : root;
	int rc;

	if (snprintf(path, sizeof(path), "%s/%s.json", dir, run->def.name) >= (int)sizeof(path))
		return bw_err_input(err, "--exceptions %.200s: path too long", dir);
	if (!fsroot_exists(prefix, path))
		return 0;
	/* a folder or an unreadable file where the exception should be is
	 * the operator's mistake (exit 2), not a report to write anyway */
	if (!is_regular(prefix, path))
		return bw_err_input(err, "exception %.400s: not a regular file", path);
	rc = hostread_file(prefix, path, 64u << 10, &text, err);
	if (rc < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err->msg);
		return bw_err_input(err, "exception %.200s: %.280s", path, why);
	}
	rc = exception_parse(text, strlen(text), path, &ex, err);
	free(text);
	if (rc < 0)
		return rc;
	run->has_exception = true;
	run->exception_status = ex.status;
	snprintf(run->exception_reason, sizeof(run->exception_reason), "%s", ex.reason);
	snprintf(run->exception_reference, sizeof(run->exception_reference), "%s", ex.reference);
	return 0;
}

static void read_ruleset(const struct report_options *o, struct check_host *host,
			 json_t **owned)
{
	struct bw_err err = { 0 };

	*owned = NULL;
	if (o->ruleset) {
		host->ruleset = o->ruleset;
		return;
	}
	if (!nft_has_permission()) {
		snprintf(host->ruleset_why, sizeof(host->ruleset_why),
			 "reading the nftables ruleset needs CAP_NET_ADMIN");
		return;
	}
	if (nft_list_json("list ruleset", owned, &err) < 0) {
		snprintf(host->ruleset_why, sizeof(host->ruleset_why), "%s", err.msg);
		return;
	}
	if (!*owned)
		*owned = json_pack("{s:[]}", "nftables");
	host->ruleset = *owned;
}

static void why_all_skip(const struct check_run *runs, size_t n, struct report_summary *sum)
{
	for (size_t i = 0; i < n; i++)
		if (!runs[i].def.is_manual && runs[i].res.error[0]) {
			snprintf(sum->why_all_skip, sizeof(sum->why_all_skip),
				 "no check could run (%s %s: %.400s)", runs[i].def.id,
				 runs[i].def.name, runs[i].res.error);
			return;
		}
	snprintf(sum->why_all_skip, sizeof(sum->why_all_skip),
		 "no check could run: every check at this level is Manual");
}

int report_generate(const char *root, const struct report_options *o, char **out,
		    struct report_summary *summary, struct bw_err *err)
{
	struct check_host host = { .root = root ? root : "", .kubelet_config = o->kubelet_config };
	struct check_def k8s[REPORT_MAX_CHECKS];
	const struct check_def *defs;
	struct check_run *runs;
	struct report_meta meta = { 0 };
	struct timespec now;
	json_t *owned_ruleset = NULL;
	size_t n_defs = 0, n = 0;
	int rc = 0;

	*out = NULL;
	if (o->fixes)
		*o->fixes = NULL;
	memset(summary, 0, sizeof(*summary));
	if (o->kind != REPORT_FIPS && o->level != 1 && o->level != 2)
		return bw_err_input(err, "level must be 1 or 2");
	host.benchmark = o->benchmark ? o->benchmark : "v1.11.1";
	if (o->kind == REPORT_CIS_K8S && strcmp(host.benchmark, "v1.11.1") != 0 &&
	    strcmp(host.benchmark, "v1.8.0") != 0)
		return bw_err_input(err, "benchmark must be v1.11.1 or v1.8.0");
	/* judging a root that is not there would mix in this host's own
	 * firewall and report a host that does not exist */
	if (host.root[0] && !is_directory(host.root))
		return bw_err_input(err, "--root %.400s: not a directory", host.root);
	if (o->kubelet_config && o->kubelet_config[0] != '/')
		return bw_err_input(err, "--kubelet-config %.400s: must be an absolute path (on the "
				    "host, under --root)", o->kubelet_config);
	if (o->exceptions_dir && !is_directory(o->exceptions_dir))
		return bw_err_input(err, "--exceptions %.400s: not a directory", o->exceptions_dir);
	meta.level = o->kind == REPORT_FIPS ? 1 : o->level;
	switch (o->kind) {
	case REPORT_CIS:
		defs = cis_checks(&n_defs);
		meta.name = "CIS Bottlerocket Benchmark";
		meta.version = "v1.0.0";
		meta.url = "https://www.cisecurity.org/benchmark/bottlerocket";
		break;
	case REPORT_CIS_K8S:
		n_defs = cis_k8s_checks(&host, k8s, REPORT_MAX_CHECKS);
		defs = k8s;
		meta.name = "CIS Kubernetes Benchmark (Worker Node)";
		meta.version = host.benchmark;
		meta.url = "https://www.cisecurity.org/benchmark/kubernetes";
		break;
	default:
		defs = fips_checks(&n_defs);
		meta.name = "FIPS Security Policy";
		meta.version = "v1.0.0";
		meta.url = "https://csrc.nist.gov/";
		break;
	}
	if (o->now)
		now = *o->now;
	else
		clock_gettime(CLOCK_REALTIME, &now);
	report_format_time(&now, meta.timestamp, sizeof(meta.timestamp));
	runs = calloc(n_defs ? n_defs : 1, sizeof(*runs));
	if (!runs)
		return bw_errf(err, -ENOMEM, "out of memory");
	if (o->kind == REPORT_CIS)
		read_ruleset(o, &host, &owned_ruleset);
	for (size_t i = 0; i < n_defs; i++) {
		if (defs[i].level > meta.level)
			continue;
		runs[n].def = defs[i];
		runs[n].res.status = REPORT_SKIP;
		defs[i].judge(&host, &runs[n].res);
		rc = load_exception(host.root, o, &runs[n], err);
		if (rc < 0)
			goto out;
		n++;
	}
	report_summarise(runs, n, summary);
	if (summary->status == REPORT_SKIP)
		why_all_skip(runs, n, summary);
	*out = o->format == REPORT_JSON ? report_format_json(&meta, runs, n, summary) :
					  report_format_text(&meta, runs, n, summary);
	if (!*out)
		rc = bw_errf(err, -ENOMEM, "out of memory");
	if (rc == 0 && o->fixes && o->format == REPORT_TEXT) {
		*o->fixes = report_format_fixes(runs, n);
		if (!*o->fixes) {
			free(*out);
			*out = NULL;
			rc = bw_errf(err, -ENOMEM, "out of memory");
		}
	}
out:
	json_decref(owned_ruleset);
	free(runs);
	return rc;
}
