/* bulwark report cis|cis-k8s|fips: the compliance reports Bottlerocket's
 * `apiclient report` prints, judged from this host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "report/report.h"

static const struct cli_option report_options[] = {
	{ "level", 'l', "1|2", "the benchmark level to check (default 1): level 2 adds its checks" },
	{ "format", 'f', "text|json", "text (default) or one line of JSON" },
	{ "strict", 0, NULL, "exit 1 when any check FAILs (for CI pipelines)" },
	{ "exceptions", 0, "DIR", "accepted risks, one <check name>.json a check (default "
				  "/etc/bulwark/exceptions.d under --root)" },
	{ "benchmark", 0, "VERSION", "v1.11.1 (default, as current Bottlerocket) or v1.8.0" },
	{ "kubelet-config", 0, "PATH", "the kubelet config (YAML or JSON) to judge instead of "
				       "the EKS and Bottlerocket paths" },
	{ 0 },
};

static int run(const struct cli_call *call, enum report_kind kind, struct bw_err *err)
{
	struct report_options o = { .kind = kind, .level = 1, .format = REPORT_TEXT };
	const char *level = cli_value(call, "level");
	const char *format = cli_value(call, "format");
	struct report_summary sum;
	char *text = NULL, *fixes = NULL;
	int rc;

	if (level) {
		if (strcmp(level, "1") != 0 && strcmp(level, "2") != 0)
			return bw_err_input(err, "--level: must be 1 or 2, not '%.32s'", level);
		o.level = level[0] - '0';
	}
	if (format) {
		if (strcasecmp(format, "json") == 0)
			o.format = REPORT_JSON;
		else if (strcasecmp(format, "text") != 0)
			return bw_err_input(err, "--format: invalid format, options are 'text' or 'json'");
	}
	o.exceptions_dir = cli_value(call, "exceptions");
	o.benchmark = cli_value(call, "benchmark");
	o.kubelet_config = cli_value(call, "kubelet-config");
	o.fixes = &fixes;
	rc = report_generate(call->globals->root, &o, &text, &sum, err);
	if (rc < 0)
		return rc;
	fputs(text, stdout);
	free(text);
	/* stdout stays bloodhound's report byte for byte; the fixes apart */
	if (fixes && fixes[0]) {
		fflush(stdout);
		fputs(fixes, stderr);
	}
	free(fixes);
	/* bloodhound exits 4 here; bulwark wrote the report, so 0, and says why. */
	if (sum.status == REPORT_SKIP)
		cmd_warn("%s", sum.why_all_skip);
	if (cli_flag(call, "strict") && sum.failed > 0)
		return bw_errf(err, -EPERM, "%d of %d checks FAIL (--strict)", sum.failed, sum.total);
	return 0;
}

static int run_cis(const struct cli_call *call, struct bw_err *err)
{
	return run(call, REPORT_CIS, err);
}

static int run_cis_k8s(const struct cli_call *call, struct bw_err *err)
{
	return run(call, REPORT_CIS_K8S, err);
}

static int run_fips(const struct cli_call *call, struct bw_err *err)
{
	return run(call, REPORT_FIPS, err);
}

static const struct cli_sub report_subs[] = {
	{ "cis", run_cis, "level,format,strict,exceptions", NULL, 0, 0, false,
	  "CIS Bottlerocket Benchmark v1.0.0 (28 checks, 15 at level 1)" },
	{ "cis-k8s", run_cis_k8s, "level,format,strict,exceptions,benchmark,kubelet-config", NULL, 0,
	  0, false, "CIS Kubernetes Benchmark, worker node (v1.11.1: 26 checks; v1.8.0: 23)" },
	{ "fips", run_fips, "format,strict,exceptions", NULL, 0, 0, false,
	  "FIPS Security Policy: FIPS mode, the kernel crypto module, self-tests" },
	{ 0 },
};

const struct cli_command cmd_report = {
	.name = "report",
	.summary = "compliance reports: cis, cis-k8s, fips (apiclient report's format)",
	.options = report_options,
	.subs = report_subs,
	.description = "Judges this host (or the one under --root) against a benchmark and "
		       "prints the report Bottlerocket's `apiclient report` prints. A check "
		       "that cannot be performed is SKIP with its reason; each FAIL is listed "
		       "on stderr (text) or in `fix` (JSON) with the `bulwark set` command "
		       "that fixes it, or \"" "no bulwark setting fixes this" "\". Exit 0 "
		       "whenever the report is written, even when every check is SKIP "
		       "(bloodhound exits 4 then; bulwark warns on stderr); with --strict, "
		       "exit 1 when any check FAILs.",
};
