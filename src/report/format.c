/* The report as Bottlerocket prints it (bloodhound's text and JSON
 * writers), plus bulwark's Exceptions and Fixes sections. Pure. */
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
	bool has_exceptions = false, has_fixes = false;

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
		has_fixes |= !r->has_exception && r->res.status == REPORT_FAIL && r->res.fix[0];
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
	if (has_fixes) {
		strbuf_addf(&sb, "\nFixes:\n");
		for (size_t i = 0; i < n; i++)
			if (!runs[i].has_exception && runs[i].res.status == REPORT_FAIL &&
			    runs[i].res.fix[0])
				strbuf_addf(&sb, "*  %s %s\n", runs[i].def.id, runs[i].res.fix);
	}
	return strbuf_take(&sb);
}

char *report_format_json(const struct report_meta *meta, const struct check_run *runs,
			 size_t n, const struct report_summary *sum)
{
	json_t *doc = json_object();
	json_t *results = json_object();
	char *text, *line = NULL;

	json_object_set_new(doc, "level", json_integer(meta->level));
	json_object_set_new(doc, "total", json_integer(sum->total));
	json_object_set_new(doc, "passed", json_integer(sum->passed));
	json_object_set_new(doc, "skipped", json_integer(sum->skipped));
	json_object_set_new(doc, "failed", json_integer(sum->failed));
	json_object_set_new(doc, "status", json_string(report_status_name(sum->status)));
	json_object_set_new(doc, "timestamp", json_string(meta->timestamp));
	json_object_set_new(doc, "name", json_string(meta->name));
	json_object_set_new(doc, "version", json_string(meta->version));
	json_object_set_new(doc, "url", json_string(meta->url));
	for (size_t i = 0; i < n; i++) {
		const struct check_run *r = &runs[i];
		json_t *c = json_object();

		json_object_set_new(c, "name", json_string(r->def.name));
		json_object_set_new(c, "id", json_string(r->def.id));
		json_object_set_new(c, "level", json_integer(r->def.level));
		json_object_set_new(c, "title", json_string(r->def.title));
		json_object_set_new(c, "mode", json_string(r->def.is_manual ? "Manual" : "Automatic"));
		if (r->has_exception)
			json_object_set_new(c, "status",
					    json_pack("{s:s}", "OVERRIDE",
						      report_status_name(r->exception_status)));
		else
			json_object_set_new(c, "status", json_string(report_status_name(r->res.status)));
		json_object_set_new(c, "error", json_string(r->res.error));
		if (r->has_exception) {
			json_object_set_new(c, "override_reason", json_string(r->exception_reason));
			if (r->exception_reference[0])
				json_object_set_new(c, "override_reference",
						    json_string(r->exception_reference));
		}
		if (!r->has_exception && r->res.status == REPORT_FAIL && r->res.fix[0])
			json_object_set_new(c, "fix", json_string(r->res.fix));
		json_object_set_new(results, r->def.name, c);
	}
	json_object_set_new(doc, "results", results);
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text) {
		struct strbuf sb = { 0 };

		strbuf_addf(&sb, "%s\n", text);
		line = strbuf_take(&sb);
	}
	free(text);
	return line;
}
