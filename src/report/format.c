/* The report as Bottlerocket prints it (bloodhound's text and JSON
 * writers), plus bulwark's Exceptions section and fixes. Pure. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report/format.h"
#include "util/strbuf.h"

const char *report_status_name(enum report_status status)
{
	return status == REPORT_PASS ? "PASS" : status == REPORT_FAIL ? "FAIL" : "SKIP";
}

void report_format_time(const struct timespec *ts, char *out, size_t size)
{
	struct tm tm;
	time_t sec = ts->tv_sec;
	long ns = ts->tv_nsec;
	char date[32];

	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	/* chrono's Debug: no fraction, or 3, 6 or 9 digits, the fewest that
	 * hold the nanoseconds exactly. */
	if (ns == 0)
		snprintf(out, size, "%sZ", date);
	else if (ns % 1000000 == 0)
		snprintf(out, size, "%s.%03ldZ", date, ns / 1000000);
	else if (ns % 1000 == 0)
		snprintf(out, size, "%s.%06ldZ", date, ns / 1000);
	else
		snprintf(out, size, "%s.%09ldZ", date, ns);
}

static enum report_status shown_status(const struct check_run *run)
{
	return run->has_exception ? run->exception_status : run->res.status;
}

void report_summarise(const struct check_run *runs, size_t n, struct report_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->status = REPORT_SKIP;
	for (size_t i = 0; i < n; i++) {
		sum->total++;
		switch (shown_status(&runs[i])) {
		case REPORT_FAIL:
			sum->failed++;
			sum->status = REPORT_FAIL;
			break;
		case REPORT_PASS:
			sum->passed++;
			if (sum->status == REPORT_SKIP)
				sum->status = REPORT_PASS;
			break;
		case REPORT_SKIP:
			sum->skipped++;
			break;
		}
	}
}

char *report_format_text(const struct report_meta *meta, const struct check_run *runs,
			 size_t n, const struct report_summary *sum)
{
	struct strbuf sb = { 0 };
	bool has_exceptions = false;

	strbuf_addf(&sb, "%-17s%s\n", "Benchmark name:", meta->name);
	strbuf_addf(&sb, "%-17s%s\n", "Version:", meta->version);
	strbuf_addf(&sb, "%-17s%s\n", "Reference:", meta->url);
	strbuf_addf(&sb, "%-17s%d\n", "Benchmark level:", meta->level);
	strbuf_addf(&sb, "%-17s%s\n\n", "Start time:", meta->timestamp);
	for (size_t i = 0; i < n; i++) {
		const struct check_run *r = &runs[i];

		strbuf_addf(&sb, "[%s] %-9s %s (%s)\n", report_status_name(shown_status(r)),
			    r->def.id, r->def.title,
			    r->has_exception ? "Exception" : r->def.is_manual ? "Manual" : "Automatic");
		has_exceptions |= r->has_exception;
	}
	strbuf_addf(&sb, "\n%-17s%d\n", "Passed:", sum->passed);
	strbuf_addf(&sb, "%-17s%d\n", "Failed:", sum->failed);
	strbuf_addf(&sb, "%-17s%d\n", "Skipped:", sum->skipped);
	strbuf_addf(&sb, "%-17s%d\n\n", "Total checks:", sum->total);
	strbuf_addf(&sb, "Compliance check result: %s\n", report_status_name(sum->status));
	if (has_exceptions) {
		strbuf_addf(&sb, "\nExceptions:\n");
		for (size_t i = 0; i < n; i++)
			if (runs[i].has_exception)
				strbuf_addf(&sb, "*  %s %s\n", runs[i].def.id, runs[i].exception_reason);
	}
	return strbuf_take(&sb);
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or the
 * length of its longest valid prefix negated (at least -1) when it is not
 * one: the "maximal subpart" that Rust's from_utf8_lossy replaces by one
 * U+FFFD. */
static int utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return -1;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n || s[i] < lo || s[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

char *report_utf8_lossy(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text);
	struct strbuf sb = { 0 };

	strbuf_add(&sb, "", 0);
	while (n > 0) {
		int len = utf8_sequence(s, n);

		if (len > 0) {
			strbuf_add(&sb, (const char *)s, (size_t)len);
		} else {
			strbuf_add(&sb, "\xef\xbf\xbd", 3);
			len = -len;
		}
		s += len;
		n -= (size_t)len;
	}
	return strbuf_take(&sb);
}

const char *report_fix_text(const struct check_run *run)
{
	if (run->has_exception || run->res.status != REPORT_FAIL)
		return NULL;
	return run->res.fix[0] ? run->res.fix : REPORT_NO_FIX;
}

char *report_format_fixes(const struct check_run *runs, size_t n)
{
	struct strbuf sb = { 0 };

	strbuf_add(&sb, "", 0);
	for (size_t i = 0; i < n; i++) {
		const char *fix = report_fix_text(&runs[i]);

		if (fix)
			strbuf_addf(&sb, "*  %s %s\n", runs[i].def.id, fix);
	}
	return strbuf_take(&sb);
}

/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD. */
static json_t *lossy_string(const char *text)
{
	char *valid = report_utf8_lossy(text);
	json_t *str = valid ? json_string(valid) : NULL;

	free(valid);
	return str;
}

/* Sets key to value (stolen); a NULL value or a failed set marks *is_ok
 * false rather than dropping the key silently. */
static void set(json_t *obj, const char *key, json_t *value, bool *is_ok)
{
	if (!value || json_object_set_new(obj, key, value) < 0)
		*is_ok = false;
}

char *report_format_json(const struct report_meta *meta, const struct check_run *runs,
			 size_t n, const struct report_summary *sum)
{
	json_t *doc = json_object();
	json_t *results = json_object();
	char *text = NULL, *line = NULL;
	bool is_ok = doc && results;

	if (!is_ok) {
		json_decref(doc);
		json_decref(results);
		return NULL;
	}
	set(doc, "level", json_integer(meta->level), &is_ok);
	set(doc, "total", json_integer(sum->total), &is_ok);
	set(doc, "passed", json_integer(sum->passed), &is_ok);
	set(doc, "skipped", json_integer(sum->skipped), &is_ok);
	set(doc, "failed", json_integer(sum->failed), &is_ok);
	set(doc, "status", lossy_string(report_status_name(sum->status)), &is_ok);
	set(doc, "timestamp", lossy_string(meta->timestamp), &is_ok);
	set(doc, "name", lossy_string(meta->name), &is_ok);
	set(doc, "version", lossy_string(meta->version), &is_ok);
	set(doc, "url", lossy_string(meta->url), &is_ok);
	for (size_t i = 0; i < n && is_ok; i++) {
		const struct check_run *r = &runs[i];
		json_t *c = json_object();
		const char *fix;

		if (!c) {
			is_ok = false;
			break;
		}
		set(c, "name", lossy_string(r->def.name), &is_ok);
		set(c, "id", lossy_string(r->def.id), &is_ok);
		set(c, "level", json_integer(r->def.level), &is_ok);
		set(c, "title", lossy_string(r->def.title), &is_ok);
		set(c, "mode", json_string(r->def.is_manual ? "Manual" : "Automatic"), &is_ok);
		if (r->has_exception)
			set(c, "status",
			    json_pack("{s:s}", "OVERRIDE", report_status_name(r->exception_status)),
			    &is_ok);
		else
			set(c, "status", json_string(report_status_name(r->res.status)), &is_ok);
		set(c, "error", lossy_string(r->res.error), &is_ok);
		if (r->has_exception) {
			set(c, "override_reason", lossy_string(r->exception_reason), &is_ok);
			if (r->exception_reference[0])
				set(c, "override_reference", lossy_string(r->exception_reference),
				    &is_ok);
		}
		fix = report_fix_text(r);
		if (fix)
			set(c, "fix", lossy_string(fix), &is_ok);
		/* the key is the check's fixed ASCII name */
		set(results, r->def.name, c, &is_ok);
	}
	if (is_ok) {
		set(doc, "results", results, &is_ok);
		results = NULL;
	}
	if (is_ok)
		text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(results);
	json_decref(doc);
	if (text) {
		struct strbuf sb = { 0 };

		strbuf_addf(&sb, "%s\n", text);
		line = strbuf_take(&sb);
	}
	free(text);
	return line;
}
