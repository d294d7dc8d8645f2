#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	size_t cap = sb->cap ? sb->cap : 256;
	char *grown;

	if (need <= sb->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	grown = realloc(sb->buf, cap);
	if (!grown) {
		sb->failed = 1;
		return -1;
	}
	sb->buf = grown;
	sb->cap = cap;
	return 0;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->failed)
		return;
	/* Into the room left first: formatting twice was most of the cost
	 * of rendering a large ruleset. */
	va_start(ap, fmt);
	n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, sb->buf ? sb->cap - sb->len : 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && sb->buf && (size_t)n < sb->cap - sb->len) {
		sb->len += (size_t)n;
		return;
	}
	if (n < 0 || reserve(sb, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_add(struct strbuf *sb, const char *s, size_t len)
{
	if (sb->failed || reserve(sb, len) < 0)
		return;
	memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
}

char *strbuf_take(struct strbuf *sb)
{
	char *out;

	if (sb->failed) {
		strbuf_free(sb);
		return NULL;
	}
	if (reserve(sb, 0) < 0)
		return NULL;
	out = sb->buf;
	out[sb->len] = '\0';
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return out;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->failed = 0;
}
