/* Text and JSON of a report, pure. */
#pragma once
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "report/checks.h"

struct report_meta {
	const char *name, *version, *url;
	int level;
	char timestamp[64];
};

/* RFC 3339 UTC as chrono's Debug prints it ("2024-05-01T10:00:00.123Z"). */
void report_format_time(const struct timespec *ts, char *out, size_t size);

/* Counts and the overall status (PASS only with a PASS and no FAIL); an
 * exception counts as the status it sets. */
void report_summarise(const struct check_run *runs, size_t n, struct report_summary *sum);

/* malloc'd, NULL when out of memory. */
char *report_format_text(const struct report_meta *meta, const struct check_run *runs,
			 size_t n, const struct report_summary *sum);
char *report_format_json(const struct report_meta *meta, const struct check_run *runs,
			 size_t n, const struct report_summary *sum);

/* text with each invalid UTF-8 sequence replaced by U+FFFD, as Rust's
 * String::from_utf8_lossy does (malloc'd, NULL when out of memory). */
char *report_utf8_lossy(const char *text);

#define REPORT_NO_FIX "no bulwark setting fixes this"

/* The fix a check's run shows: the `bulwark set` command, REPORT_NO_FIX
 * for a FAIL no setting fixes, NULL when not a FAIL (or an exception). */
const char *report_fix_text(const struct check_run *run);

/* One "*  <id> <fix>" line a FAIL, "" when none (malloc'd, NULL when out
 * of memory). Text reports print these apart from the report (stderr), so
 * the report stays byte for byte what bloodhound prints. */
char *report_format_fixes(const struct check_run *runs, size_t n);
