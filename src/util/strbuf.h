/* An append-only string builder. The caller owns buf after strbuf_take(). */
#pragma once
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	int failed; /* set once an allocation failed; later appends do nothing */
};

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends len bytes of s: no formatting, for large pieces. */
void strbuf_add(struct strbuf *sb, const char *s, size_t len);
/* Returns the string (never NULL unless allocation failed) and resets sb. */
char *strbuf_take(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
