/* The checks of each report: a table of {name, id, level, title, mode,
 * judge}, each judge deciding from the host as bloodhound's checker does. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "report/report.h"

#define CHECK_TEXT_MAX 1024

struct check_result {
	enum report_status status;
	char error[CHECK_TEXT_MAX];
	char fix[CHECK_TEXT_MAX]; /* the `bulwark set …` command, "" when none */
};

/* What the judges read: the root, and what was read once for all. */
struct check_host {
	const char *root;
	const json_t *ruleset;   /* libnftables JSON, NULL when unreadable */
	char ruleset_why[512];   /* why the ruleset is NULL */
	const char *kubelet_config;
	const char *benchmark;   /* cis-k8s version */
};

struct check_def {
	const char *name;  /* "br01030100" */
	const char *id;    /* "1.3.1" */
	int level;
	const char *title;
	bool is_manual;
	void (*judge)(const struct check_host *host, struct check_result *res);
};

/* A check as it ran (its definition may have been picked at run time:
 * 4.1.3 is Manual when kube-proxy has no config file). */
struct check_run {
	struct check_def def;
	struct check_result res;
	bool has_exception;
	enum report_status exception_status;
	char exception_reason[CHECK_TEXT_MAX];
	char exception_reference[CHECK_TEXT_MAX];
};

/* The checks of a report, in name order; *n set. For cis-k8s, host
 * decides the benchmark version and which checks are Manual. */
const struct check_def *cis_checks(size_t *n);
size_t cis_k8s_checks(const struct check_host *host, struct check_def *out, size_t max);
const struct check_def *fips_checks(size_t *n);

/* Result helpers: formatted reason, status set. */
void check_pass(struct check_result *res);
void check_fail(struct check_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void check_skip(struct check_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void check_fix(struct check_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define CHECK_MANUAL_TEXT "Manual check, see benchmark for audit details."

/* Shared judges. */
/* Every sysctl of names must read exactly value: PASS; one that differs:
 * FAIL with fail_msg and what was read; one unreadable: SKIP with
 * skip_msg. A FAIL's fix sets every name. */
void judge_sysctls(const struct check_host *host, struct check_result *res,
		   const char *const *names, size_t n_names, const char *value,
		   const char *skip_msg, const char *fail_msg);
/* The file's permission bits must have none of mask. */
void judge_file_not_mode(const struct check_host *host, const char *path, unsigned mask,
			 struct check_result *res);
void judge_file_root_owned(const struct check_host *host, const char *path,
			   struct check_result *res);

/* err's message with the root prefix taken out of the paths it names, so
 * a report under --root names host paths. Valid until the next call in
 * the same thread. */
const char *check_why(const struct check_host *host, const struct bw_err *err);
