/* What every report's checks share: results and the common judges. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "host/fsroot.h"
#include "host/hostread.h"
#include "report/checks.h"

void check_pass(struct check_result *res)
{
	res->status = REPORT_PASS;
	res->error[0] = '\0';
}

void check_fail(struct check_result *res, const char *fmt, ...)
{
	va_list ap;

	res->status = REPORT_FAIL;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
}

void check_skip(struct check_result *res, const char *fmt, ...)
{
	va_list ap;

	res->status = REPORT_SKIP;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
}

void check_fix(struct check_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->fix, sizeof(res->fix), fmt, ap);
	va_end(ap);
}

void judge_sysctls(const struct check_host *host, struct check_result *res,
		   const char *const *names, size_t n_names, const char *value,
		   const char *skip_msg, const char *fail_msg)
{
	char seen[CHECK_TEXT_MAX] = "";
	size_t fix_len;
	bool is_wrong = false;

	for (size_t i = 0; i < n_names; i++) {
		char path[256] = "/proc/sys/";
		char got[256];
		struct bw_err err;
		size_t len = strlen(path);

		for (const char *c = names[i]; *c && len + 1 < sizeof(path); c++)
			path[len++] = (char)(*c == '.' ? '/' : *c);
		path[len] = '\0';
		if (fsroot_read(host->root, path, got, sizeof(got), &err) < 0) {
			check_skip(res, "%s (%s: %s)", skip_msg, names[i], check_why(host, &err));
			return;
		}
		if (strcmp(got, value) != 0) {
			size_t n = strlen(seen);

			snprintf(seen + n, sizeof(seen) - n, "%s%s = %s", n ? ", " : "", names[i], got);
			is_wrong = true;
		}
	}
	if (!is_wrong) {
		check_pass(res);
		return;
	}
	check_fail(res, "%s (%s)", fail_msg, seen);
	fix_len = (size_t)snprintf(res->fix, sizeof(res->fix), "bulwark set");
	for (size_t i = 0; i < n_names && fix_len < sizeof(res->fix); i++)
		fix_len += (size_t)snprintf(res->fix + fix_len, sizeof(res->fix) - fix_len,
					    " 'settings.kernel.sysctl.\"%s\"=%s'", names[i], value);
}

void judge_file_not_mode(const struct check_host *host, const char *path, unsigned mask,
			 struct check_result *res)
{
	struct stat st;

	if (hostread_stat(host->root, path, &st) < 0) {
		check_skip(res, "unable to inspect '%s'", path);
		return;
	}
	if (st.st_mode & 0777 & mask)
		check_fail(res, "file %s has extra permissions: 0x%o", path, st.st_mode & 0777);
	else
		check_pass(res);
}

void judge_file_root_owned(const struct check_host *host, const char *path,
			   struct check_result *res)
{
	struct stat st;

	if (hostread_stat(host->root, path, &st) < 0) {
		check_skip(res, "unable to get file metadata for '%s'", path);
		return;
	}
	if (st.st_uid != 0 || st.st_gid != 0)
		check_fail(res, "File owner is not root:root (%s is %u:%u)", path,
			   (unsigned)st.st_uid, (unsigned)st.st_gid);
	else
		check_pass(res);
}

const char *check_why(const struct check_host *host, const struct bw_err *err)
{
	static _Thread_local char buf[sizeof(err->msg)];
	size_t root_len = host->root ? strlen(host->root) : 0;
	size_t n = 0;

	if (root_len == 0 || strcmp(host->root, "/") == 0)
		return err->msg;
	for (const char *p = err->msg; *p && n + 1 < sizeof(buf);) {
		if (strncmp(p, host->root, root_len) == 0 && p[root_len] == '/') {
			p += root_len;
			continue;
		}
		buf[n++] = *p++;
	}
	buf[n] = '\0';
	return buf;
}
