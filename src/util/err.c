#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_msg(struct bw_err *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int bw_errf(struct bw_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	set_msg(err, fmt, ap);
	va_end(ap);
	return code;
}

int bw_err_at(struct bw_err *err, const char *file, int line, int col,
	      const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	set_msg(err, fmt, ap);
	va_end(ap);
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->col = col;
	err->is_input = true;
	return -EINVAL;
}

int bw_err_input(struct bw_err *err, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	set_msg(err, fmt, ap);
	va_end(ap);
	err->is_input = true;
	return -EINVAL;
}

void bw_err_format(const struct bw_err *err, char *out, int out_size)
{
	if (err->file[0] && err->line > 0)
		snprintf(out, (size_t)out_size, "%s:%d:%d: %s", err->file,
			 err->line, err->col, err->msg);
	else if (err->file[0])
		snprintf(out, (size_t)out_size, "%s: %s", err->file, err->msg);
	else
		snprintf(out, (size_t)out_size, "%s", err->msg);
}
