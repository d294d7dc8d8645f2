/* A fingerprint of the AWS CLI output in an --aws folder, recorded when
 * `fw apply` loads a table, so an edit can tell whether the live table
 * still matches the files (an edit against changed files would patch
 * the wrong groups). */
#pragma once
#include "util/err.h"

/* 64-bit FNV-1a over the names and contents of security-groups.json,
 * network-acls.json, subnets.json, instances.json,
 * network-interfaces.json, vpcs.json and prefix-lists/pl-…json (sorted by
 * name; a missing file counts as missing, so one appearing changes the
 * fingerprint), as 16 lowercase hex digits and a NUL. */
int awsdir_fingerprint(const char *dir, char out[17], struct bw_err *err);

/* 0 when dir's fingerprint is recorded (what the live table was rendered
 * from); otherwise -ESTALE and "the files in DIR changed since fw apply:
 * run fw apply first" (also when nothing was recorded: "" cannot vouch
 * for the files). A runtime condition, not bad input: the same command
 * succeeds once the table is re-applied, so callers exit 1. */
int awsdir_check_fingerprint(const char *dir, const char *recorded, struct bw_err *err);
