/* A strict TOML 1.0 reader. The document is checked as UTF-8 and its CRLF
 * line ends read as LF first (as TOML allows a parser to); then one pass of
 * recursive descent builds the jansson tree. Which tables may still be
 * opened or extended follows TOML 1.0 as Python's tomllib reads it:
 * - a [header] or [[header]] marks its table "explicit": it cannot be
 *   opened by a [header] again, nor extended by dotted keys;
 * - dotted keys mark the tables they create explicit once the next header
 *   is reached (so one section may go on adding to them);
 * - inline tables and arrays written as values are frozen, with all they hold.
 * Those two marks live in a small map keyed by the jansson node. */
#include "conf/toml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/vec.h"

/* The deepest nesting of tables and arrays, the document's own table
 * counting as one (as JSON nests them). Deeper documents would only serve
 * to exhaust a stack, here or in whoever walks the tree. */
#define TOML_MAX_DEPTH 64

enum {
	MARK_EXPLICIT = 1,
	MARK_FROZEN = 2,
};

struct marks {
	const json_t **nodes;
	unsigned char *bits;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

/* Where one key was written: the table it is in (a node of the tree) and
 * its name, at line:col. */
struct where_item {
	const json_t *table;
	char *key;
	size_t at; /* the offset, while parsing */
	int line;
	int col;
};

struct toml_where {
	struct vec items; /* struct where_item, in the order keys were met */
};

struct parser {
	const char *name;
	const char *s; /* the document, CRLF read as LF */
	size_t len;
	size_t pos;
	struct bw_err *err;
	struct marks marks;
	struct vec pending; /* json_t *: tables dotted keys made in this section */
	int table_depth;    /* of the table the current section fills */
	char section[256];  /* its name, for errors; "" at the top */
	struct toml_where *where; /* NULL: positions not recorded */
};

/* One key, split into its segments. */
struct key {
	char *seg[TOML_MAX_DEPTH];
	size_t seg_at[TOML_MAX_DEPTH]; /* where each segment starts */
	size_t n;
	size_t at; /* where it starts, for errors */
};

static size_t mark_slot(const struct marks *m, const json_t *node)
{
	size_t h = (size_t)(uintptr_t)node;

	h ^= h >> 17;
	h *= (size_t)0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
		if (m->nodes[i] == node || !m->nodes[i])
			return i;
}

static unsigned mark_get(const struct marks *m, const json_t *node)
{
	size_t i;

	if (!node || m->cap == 0)
		return 0;
	i = mark_slot(m, node);
	return m->nodes[i] ? m->bits[i] : 0;
}

static int mark_add(struct marks *m, const json_t *node, unsigned bits)
{
	size_t i;

	if (m->len * 2 >= m->cap) {
		struct marks grown = { 0 };

		grown.cap = m->cap ? m->cap * 2 : 64;
		grown.nodes = calloc(grown.cap, sizeof(const json_t *));
		grown.bits = calloc(grown.cap, sizeof(*grown.bits));
		if (!grown.nodes || !grown.bits) {
			free(grown.nodes);
			free(grown.bits);
			return -ENOMEM;
		}
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->nodes[j])
				continue;
			i = mark_slot(&grown, m->nodes[j]);
			grown.nodes[i] = m->nodes[j];
			grown.bits[i] = m->bits[j];
			grown.len++;
		}
		free(m->nodes);
		free(m->bits);
		*m = grown;
	}
	i = mark_slot(m, node);
	if (!m->nodes[i]) {
		m->nodes[i] = node;
		m->len++;
	}
	m->bits[i] |= (unsigned char)bits;
	return 0;
}

static void marks_free(struct marks *m)
{
	free(m->nodes);
	free(m->bits);
	memset(m, 0, sizeof(*m));
}

/* An input error at byte offset at: line and column (in characters). */
static int fail_at(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
	char msg[400];
	int line = 1, col = 1;
	va_list ap;

	if (at > p->len)
		at = p->len;
	for (size_t i = 0; i < at; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)p->s[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bw_err_at(p->err, p->name, line, col, "%s", msg);
}

static int nomem(struct parser *p)
{
	return bw_errf(p->err, -ENOMEM, "%s: out of memory", p->name);
}

/* Records that key was written in table at offset at, when positions
 * are asked for (line and column are found once parsing is done). Returns
 * 0 or -ENOMEM (err filled). */
static int where_add(struct parser *p, const json_t *table, const char *key, size_t at)
{
	struct where_item item = { .table = table, .at = at };

	if (!p->where)
		return 0;
	item.key = strdup(key);
	if (!item.key || vec_push(&p->where->items, &item) < 0) {
		free(item.key);
		return nomem(p);
	}
	return 0;
}

static int cmp_item_at(const void *a, const void *b)
{
	const struct where_item *x = *(const struct where_item *const *)a;
	const struct where_item *y = *(const struct where_item *const *)b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Turns the recorded offsets into lines and columns, in one pass over the
 * text (the items sorted by offset). Returns 0 or -ENOMEM. */
static int where_resolve(struct parser *p)
{
	struct toml_where *w = p->where;
	struct where_item **order;
	size_t pos = 0;
	int line = 1, col = 1;

	if (!w || w->items.len == 0)
		return 0;
	order = calloc(w->items.len, sizeof(struct where_item *));
	if (!order)
		return nomem(p);
	for (size_t i = 0; i < w->items.len; i++)
		order[i] = VEC_AT(&w->items, struct where_item, i);
	qsort(order, w->items.len, sizeof(struct where_item *), cmp_item_at);
	for (size_t i = 0; i < w->items.len; i++) {
		for (; pos < order[i]->at && pos < p->len; pos++) {
			if (p->s[pos] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)p->s[pos] & 0xc0) != 0x80) {
				col++;
			}
		}
		order[i]->line = line;
		order[i]->col = col;
	}
	free(order);
	return 0;
}

static int peek_at(const struct parser *p, size_t i)
{
	return i < p->len ? (unsigned char)p->s[i] : -1;
}

static int peek(const struct parser *p)
{
	return peek_at(p, p->pos);
}

static bool starts_with(const struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	return p->len - p->pos >= n && memcmp(p->s + p->pos, lit, n) == 0;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_bare(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '-';
}

static bool is_control(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

/* Describes the character at i for an error ("'x'", "a tab", "end of file"). */
static const char *what_at(const struct parser *p, size_t i, char buf[16])
{
	int c = peek_at(p, i);

	if (c < 0)
		return "end of file";
	if (c == '\n')
		return "end of line";
	if (c == '\t')
		return "a tab";
	if (c == '\r')
		return "a carriage return";
	if (c >= 0x80) {
		/* The document is valid UTF-8: show the whole character. */
		size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		snprintf(buf, 16, "'%.*s'", (int)n, p->s + i);
	} else if (c < 0x20 || c == 0x7f) {
		snprintf(buf, 16, "byte 0x%02x", (unsigned)c);
	} else {
		snprintf(buf, 16, "'%c'", c);
	}
	return buf;
}

static void skip_ws(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		p->pos++;
}

/* A comment runs to the end of the line; control characters are refused. */
static int skip_comment(struct parser *p)
{
	if (peek(p) != '#')
		return 0;
	for (p->pos++; p->pos < p->len && p->s[p->pos] != '\n'; p->pos++) {
		int c = peek(p);

		if (is_control(c) && c != '\t')
			return fail_at(p, p->pos, "control character 0x%02x in a comment",
				       (unsigned)c);
	}
	return 0;
}

/* Whitespace, newlines and comments, as arrays allow between values. */
static int skip_array_space(struct parser *p)
{
	for (;;) {
		int rc;

		while (peek(p) == ' ' || peek(p) == '\t' || peek(p) == '\n')
			p->pos++;
		if (peek(p) != '#')
			return 0;
		rc = skip_comment(p);
		if (rc < 0)
			return rc;
	}
}

static void key_free(struct key *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->seg[i]);
	k->n = 0;
}

/* The key as it would be written, for errors. */
static void key_show(const struct key *k, size_t n, char *out, size_t size)
{
	struct strbuf sb = { 0 };
	char *s;

	for (size_t i = 0; i < n; i++) {
		const char *seg = k->seg[i];
		bool is_plain = seg[0] != '\0';

		for (const char *c = seg; *c; c++)
			if (!is_bare((unsigned char)*c))
				is_plain = false;
		strbuf_addf(&sb, is_plain ? "%s%s" : "%s\"%s\"", i ? "." : "", seg);
	}
	s = strbuf_take(&sb);
	snprintf(out, size, "%s", s ? s : "?");
	free(s);
}

/* Appends code point cp as UTF-8. */
static void add_utf8(struct strbuf *sb, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_add(sb, b, n);
}

/* One escape of a basic string, p->pos on the backslash. */
static int parse_escape(struct parser *p, struct strbuf *sb, bool is_multiline)
{
	size_t at = p->pos;
	int c = peek_at(p, p->pos + 1);
	const char *plain = NULL;
	char buf[16];
	int n_hex = 0;

	switch (c) {
	case 'b': plain = "\b"; break;
	case 't': plain = "\t"; break;
	case 'n': plain = "\n"; break;
	case 'f': plain = "\f"; break;
	case 'r': plain = "\r"; break;
	case '"': plain = "\""; break;
	case '\\': plain = "\\"; break;
	case 'u': n_hex = 4; break;
	case 'U': n_hex = 8; break;
	default: break;
	}
	if (plain) {
		strbuf_add(sb, plain, 1);
		p->pos += 2;
		return 0;
	}
	if (n_hex) {
		uint32_t cp = 0;

		p->pos += 2;
		for (int i = 0; i < n_hex; i++) {
			int h = peek(p);

			if (!is_hex(h))
				return fail_at(p, at, "\\%c needs %d hexadecimal digits", c,
					       n_hex);
			cp = cp * 16 + (uint32_t)(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
			p->pos++;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return fail_at(p, at,
				       "\\%c%0*X is not a Unicode scalar value (a surrogate or above 10FFFF)",
				       c, n_hex, (unsigned)cp);
		add_utf8(sb, cp);
		return 0;
	}
	if (is_multiline && (c == ' ' || c == '\t' || c == '\n')) {
		/* A line-ending backslash: drop it, the newline and every
		 * space and newline that follows. */
		size_t i = p->pos + 1;

		while (peek_at(p, i) == ' ' || peek_at(p, i) == '\t')
			i++;
		if (peek_at(p, i) != '\n')
			return fail_at(p, at, "a backslash followed by spaces must end the line");
		while (peek_at(p, i) == ' ' || peek_at(p, i) == '\t' || peek_at(p, i) == '\n')
			i++;
		p->pos = i;
		return 0;
	}
	if (c < 0)
		return fail_at(p, at, "unterminated string");
	if (c > 0x20 && c < 0x7f)
		return fail_at(p, at, "invalid escape \\%c", c);
	return fail_at(p, at, "invalid escape: a backslash followed by %s",
		       what_at(p, p->pos + 1, buf));
}

/* A string of any of the four kinds, p->pos on its first quote. Sets
 * *out (malloc'd, may hold NULs from \u0000) and *out_len. */
static int parse_string(struct parser *p, char **out, size_t *out_len, bool is_key)
{
	size_t at = p->pos;
	char quote = p->s[p->pos];
	bool is_literal = quote == '\'';
	bool is_multiline = p->len - p->pos >= 3 && p->s[p->pos + 1] == quote &&
			    p->s[p->pos + 2] == quote;
	struct strbuf sb = { 0 };
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (is_multiline && is_key)
		return fail_at(p, at, "a key cannot be a multi-line string");
	if (is_multiline) {
		p->pos += 3;
		if (peek(p) == '\n') /* a newline right after the quotes is dropped */
			p->pos++;
	} else {
		p->pos++;
	}
	for (;;) {
		int c = peek(p);

		if (c < 0 || (c == '\n' && !is_multiline)) {
			rc = fail_at(p, at, "unterminated string");
			goto out;
		}
		if (c == quote) {
			if (!is_multiline) {
				p->pos++;
				break;
			}
			if (starts_with(p, is_literal ? "'''" : "\"\"\"")) {
				/* Up to two more quotes belong to the string. */
				p->pos += 3;
				for (int extra = 0; extra < 2 && peek(p) == quote; extra++) {
					strbuf_add(&sb, &quote, 1);
					p->pos++;
				}
				break;
			}
			strbuf_add(&sb, &quote, 1);
			p->pos++;
			continue;
		}
		if (c == '\\' && !is_literal) {
			rc = parse_escape(p, &sb, is_multiline);
			if (rc < 0)
				goto out;
			continue;
		}
		if (is_control(c) && c != '\t' && c != '\n') {
			rc = fail_at(p, p->pos, "control character 0x%02x in a string (escape it)",
				     (unsigned)c);
			goto out;
		}
		strbuf_add(&sb, p->s + p->pos, 1);
		p->pos++;
	}
	*out_len = sb.len;
	*out = strbuf_take(&sb);
	if (!*out)
		return nomem(p);
	return 0;
out:
	strbuf_free(&sb);
	return rc;
}

/* A dotted key: bare, "basic" or 'literal' segments, spaces around dots. */
static int parse_key(struct parser *p, struct key *k)
{
	char buf[16];

	k->n = 0;
	k->at = p->pos;
	for (;;) {
		size_t at = p->pos;
		int c = peek(p);
		char *seg;
		size_t len;

		if (k->n == TOML_MAX_DEPTH) {
			key_free(k);
			return fail_at(p, at, "a key of more than %d parts", TOML_MAX_DEPTH);
		}
		if (c == '"' || c == '\'') {
			int rc = parse_string(p, &seg, &len, true);

			if (rc < 0 || !seg) {
				key_free(k);
				return rc < 0 ? rc : nomem(p);
			}
			if (memchr(seg, '\0', len)) {
				free(seg);
				key_free(k);
				return fail_at(p, at, "a key may not hold U+0000");
			}
		} else if (is_bare(c)) {
			while (is_bare(peek(p)))
				p->pos++;
			seg = strndup(p->s + at, p->pos - at);
			if (!seg) {
				key_free(k);
				return nomem(p);
			}
		} else {
			key_free(k);
			return fail_at(p, at, "expected a key, found %s", what_at(p, at, buf));
		}
		k->seg_at[k->n] = at;
		k->seg[k->n++] = seg;
		skip_ws(p);
		if (peek(p) != '.')
			return 0;
		p->pos++;
		skip_ws(p);
	}
}

/* After a value: only a space, a comment, a newline, a comma or a closing
 * bracket may follow. Names what is wrong when something else does. */
static int check_value_end(struct parser *p, size_t at, const char *what)
{
	int c = peek(p);

	if (c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '#' || c == ',' || c == ']' ||
	    c == '}')
		return 0;
	if (c == '\r')
		return fail_at(p, p->pos, "a carriage return without a line feed");
	return fail_at(p, at, "invalid %s", what);
}

/* Digits with single underscores between them: [0-9](_?[0-9])* in base. */
static size_t scan_digits(const struct parser *p, size_t i, bool (*is_ok)(int))
{
	if (!is_ok(peek_at(p, i)))
		return i;
	i++;
	for (;;) {
		if (is_ok(peek_at(p, i)))
			i++;
		else if (peek_at(p, i) == '_' && is_ok(peek_at(p, i + 1)))
			i += 2;
		else
			return i;
	}
}

static bool is_oct(int c)
{
	return c >= '0' && c <= '7';
}

static bool is_bin(int c)
{
	return c == '0' || c == '1';
}

static int parse_number(struct parser *p, json_t **out)
{
	size_t at = p->pos;
	size_t i = at, end;
	bool is_negative = false, is_float = false;
	uint64_t v = 0, limit = INT64_MAX;
	int base = 10;

	if (peek_at(p, i) == '0' &&
	    (peek_at(p, i + 1) == 'x' || peek_at(p, i + 1) == 'o' || peek_at(p, i + 1) == 'b')) {
		int kind = peek_at(p, i + 1);

		base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
		end = scan_digits(p, i + 2, kind == 'x' ? is_hex : kind == 'o' ? is_oct : is_bin);
		if (end == i + 2)
			return fail_at(p, at, "0%c needs digits", kind);
		i += 2;
	} else {
		if (peek_at(p, i) == '+' || peek_at(p, i) == '-') {
			is_negative = peek_at(p, i) == '-';
			i++;
		}
		if (!is_digit(peek_at(p, i)))
			return fail_at(p, at, "invalid value");
		if (peek_at(p, i) == '0') {
			end = i + 1;
			if (is_digit(peek_at(p, end)) || peek_at(p, end) == '_')
				return fail_at(p, at, "invalid number: leading zeros are not allowed");
		} else {
			end = scan_digits(p, i, is_digit);
		}
		if (peek_at(p, end) == '.' && is_digit(peek_at(p, end + 1))) {
			end = scan_digits(p, end + 1, is_digit);
			is_float = true;
		}
		if (peek_at(p, end) == 'e' || peek_at(p, end) == 'E') {
			size_t e = end + 1;

			if (peek_at(p, e) == '+' || peek_at(p, e) == '-')
				e++;
			if (is_digit(peek_at(p, e))) {
				end = scan_digits(p, e, is_digit);
				is_float = true;
			}
		}
	}
	p->pos = end;
	if (check_value_end(p, at, "number") < 0)
		return -EINVAL;
	if (is_float) {
		struct strbuf sb = { 0 };
		char *text, *stop;
		double d;

		for (size_t j = at; j < end; j++)
			if (p->s[j] != '_')
				strbuf_add(&sb, p->s + j, 1);
		text = strbuf_take(&sb);
		if (!text)
			return nomem(p);
		d = strtod(text, &stop);
		free(text);
		if (!isfinite(d))
			return fail_at(p, at, "float out of range (JSON has no infinity)");
		*out = json_real(d);
		return *out ? 0 : nomem(p);
	}
	if (is_negative)
		limit = (uint64_t)INT64_MAX + 1;
	for (size_t j = i; j < end; j++) {
		int c = (unsigned char)p->s[j];
		unsigned d;

		if (c == '_')
			continue;
		d = (unsigned)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
		if (v > (limit - d) / (uint64_t)base)
			return fail_at(p, at, "integer out of the 64-bit range");
		v = v * (uint64_t)base + d;
	}
	/* -v when v is 2^63 is INT64_MIN; computed without overflowing. */
	if (!is_negative)
		*out = json_integer((json_int_t)v);
	else
		*out = json_integer(v == 0 ? 0 : -(json_int_t)(v - 1) - 1);
	return *out ? 0 : nomem(p);
}

/* Two digits at i into *v when they are within [lo, hi]. */
static bool two_digits(const struct parser *p, size_t i, int lo, int hi, int *v)
{
	int a = peek_at(p, i), b = peek_at(p, i + 1);

	if (!is_digit(a) || !is_digit(b))
		return false;
	*v = (a - '0') * 10 + (b - '0');
	return *v >= lo && *v <= hi;
}

/* HH:MM:SS(.fraction)? at i; returns its end, or 0 when it is not one. */
static size_t scan_time(const struct parser *p, size_t i)
{
	int v;

	if (!two_digits(p, i, 0, 23, &v) || peek_at(p, i + 2) != ':' ||
	    !two_digits(p, i + 3, 0, 59, &v) || peek_at(p, i + 5) != ':' ||
	    !two_digits(p, i + 6, 0, 59, &v))
		return 0;
	i += 8;
	if (peek_at(p, i) == '.' && is_digit(peek_at(p, i + 1))) {
		i++;
		while (is_digit(peek_at(p, i)))
			i++;
	}
	return i;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A date, date-time or time: the text in RFC 3339 form (a 'T' between
 * date and time, an upper-case 'Z'). Returns 1 when one was read, 0 when
 * the text is not one (it may be a number), or an error. */
static int parse_datetime(struct parser *p, json_t **out)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t at = p->pos;
	size_t i = at, end;
	char text[96];
	int year, month, day, v;
	size_t n;

	if (is_digit(peek_at(p, i)) && is_digit(peek_at(p, i + 1)) && peek_at(p, i + 2) == ':') {
		end = scan_time(p, i);
		if (!end)
			return fail_at(p, at, "invalid time (HH:MM:SS, hours 00-23, minutes and seconds 00-59)");
	} else {
		for (int k = 0; k < 4; k++)
			if (!is_digit(peek_at(p, i + (size_t)k)))
				return 0;
		if (peek_at(p, i + 4) != '-')
			return 0;
		year = (p->s[i] - '0') * 1000 + (p->s[i + 1] - '0') * 100 + (p->s[i + 2] - '0') * 10 +
		       (p->s[i + 3] - '0');
		if (!two_digits(p, i + 5, 1, 12, &month) || peek_at(p, i + 7) != '-' ||
		    !two_digits(p, i + 8, 1, 31, &day))
			return fail_at(p, at, "invalid date (YYYY-MM-DD)");
		if (day > days[month - 1] + (month == 2 && is_leap(year)))
			return fail_at(p, at, "invalid date: %04d-%02d has no day %02d", year, month,
				       day);
		end = i + 10;
		if (peek_at(p, end) == 'T' || peek_at(p, end) == 't' || peek_at(p, end) == ' ') {
			size_t t = scan_time(p, end + 1);

			if (t) {
				end = t;
				if (peek_at(p, end) == 'Z' || peek_at(p, end) == 'z') {
					end++;
				} else if ((peek_at(p, end) == '+' || peek_at(p, end) == '-') &&
					   two_digits(p, end + 1, 0, 23, &v) &&
					   peek_at(p, end + 3) == ':' &&
					   two_digits(p, end + 4, 0, 59, &v)) {
					end += 6;
				}
			}
		}
	}
	p->pos = end;
	if (check_value_end(p, at, "date-time") < 0)
		return -EINVAL;
	n = end - at;
	if (n >= sizeof(text))
		return fail_at(p, at, "date-time too long");
	memcpy(text, p->s + at, n);
	text[n] = '\0';
	if (n > 10 && text[4] == '-' && (text[10] == 't' || text[10] == ' '))
		text[10] = 'T';
	if (text[n - 1] == 'z')
		text[n - 1] = 'Z';
	*out = json_string(text);
	return *out ? 1 : nomem(p);
}

static int parse_value(struct parser *p, int depth, json_t **out);

static int parse_array(struct parser *p, int depth, json_t **out)
{
	size_t at = p->pos;
	json_t *array = json_array();
	char buf[16];
	int rc;

	if (!array)
		return nomem(p);
	p->pos++;
	for (;;) {
		json_t *item;

		rc = skip_array_space(p);
		if (rc < 0)
			goto fail;
		if (peek(p) == ']')
			break;
		if (peek(p) < 0) {
			rc = fail_at(p, at, "unclosed array");
			goto fail;
		}
		rc = parse_value(p, depth + 1, &item);
		if (rc < 0)
			goto fail;
		if (json_array_append_new(array, item) < 0) {
			rc = nomem(p);
			goto fail;
		}
		rc = skip_array_space(p);
		if (rc < 0)
			goto fail;
		if (peek(p) == ']')
			break;
		if (peek(p) != ',') {
			rc = peek(p) < 0 ? fail_at(p, at, "unclosed array")
					 : fail_at(p, p->pos, "expected ',' or ']' in an array, found %s",
						   what_at(p, p->pos, buf));
			goto fail;
		}
		p->pos++;
	}
	p->pos++;
	*out = array;
	return 0;
fail:
	json_decref(array);
	return rc;
}

/* The full name of k's first n parts, for errors: in a section, with the
 * section's name before it. */
static void show_path(const struct parser *p, const struct key *k, size_t n, bool is_section,
		      char *out, size_t size)
{
	char rel[256];

	key_show(k, n, rel, sizeof(rel));
	if (is_section && p->section[0])
		snprintf(out, size, "%s.%s", p->section, rel);
	else
		snprintf(out, size, "%s", rel);
}

/* Places value at key k under table: the tables of the dotted part are
 * created or extended (never through a frozen one, never through one a
 * header made when is_section says so), the last part must be new. */
static int put_dotted(struct parser *p, json_t *table, struct key *k, json_t *value,
		      bool is_section)
{
	char shown[520];
	json_t *cur = table;

	if (k->n == 0)
		return fail_at(p, k->at, "expected a key");
	for (size_t i = 0; i + 1 < k->n; i++) {
		json_t *child = json_object_get(cur, k->seg[i]);
		unsigned bits = mark_get(&p->marks, child);

		if (bits & MARK_FROZEN) {
			show_path(p, k, i + 1, is_section, shown, sizeof(shown));
			return fail_at(p, k->at, "%s is an inline table or array: it cannot be extended",
				       shown);
		}
		if (is_section && (bits & MARK_EXPLICIT)) {
			show_path(p, k, i + 1, is_section, shown, sizeof(shown));
			return fail_at(p, k->at,
				       "table %s is defined by a header: dotted keys cannot add to it",
				       shown);
		}
		if (!child) {
			child = json_object();
			if (!child || json_object_set_new(cur, k->seg[i], child) < 0)
				return nomem(p);
			if (where_add(p, cur, k->seg[i], k->seg_at[i]) < 0)
				return -ENOMEM;
		} else if (!json_is_object(child)) {
			show_path(p, k, i + 1, is_section, shown, sizeof(shown));
			return fail_at(p, k->at, "%s is already a value, not a table", shown);
		}
		if (is_section && vec_push(&p->pending, &child) < 0)
			return nomem(p);
		cur = child;
	}
	if (json_object_get(cur, k->seg[k->n - 1])) {
		show_path(p, k, k->n, is_section, shown, sizeof(shown));
		return fail_at(p, k->at, "%s is defined twice", shown);
	}
	if ((json_is_object(value) || json_is_array(value)) &&
	    mark_add(&p->marks, value, MARK_FROZEN) < 0)
		return nomem(p);
	json_incref(value);
	if (json_object_set_new(cur, k->seg[k->n - 1], value) < 0)
		return nomem(p);
	return where_add(p, cur, k->seg[k->n - 1], k->seg_at[k->n - 1]);
}

/* key = value: the key, the '=' and the value (not what follows it). */
static int parse_keyval(struct parser *p, int depth, struct key *k, json_t **value)
{
	char buf[16];
	int rc;

	rc = parse_key(p, k);
	if (rc < 0)
		return rc;
	if (depth + (int)k->n > TOML_MAX_DEPTH) {
		key_free(k);
		return fail_at(p, k->at, "nested deeper than %d levels", TOML_MAX_DEPTH);
	}
	if (peek(p) != '=') {
		key_free(k);
		return fail_at(p, p->pos, "expected '=' after a key, found %s",
			       what_at(p, p->pos, buf));
	}
	p->pos++;
	skip_ws(p);
	rc = parse_value(p, depth + (int)k->n, value);
	if (rc < 0)
		key_free(k);
	return rc;
}

/* { k = v, … } on one line, no trailing comma; frozen once closed. */
static int parse_inline_table(struct parser *p, int depth, json_t **out)
{
	json_t *table = json_object();
	char buf[16];
	int rc = 0;

	if (!table)
		return nomem(p);
	p->pos++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		*out = table;
		return 0;
	}
	for (;;) {
		struct key k = { 0 };
		json_t *value = NULL;

		rc = parse_keyval(p, depth, &k, &value);
		if (rc < 0)
			goto fail;
		rc = put_dotted(p, table, &k, value, false);
		json_decref(value);
		key_free(&k);
		if (rc < 0)
			goto fail;
		skip_ws(p);
		if (peek(p) == '}')
			break;
		if (peek(p) != ',') {
			rc = fail_at(p, p->pos,
				     "expected ',' or '}' in an inline table, found %s (an inline table stays on one line)",
				     what_at(p, p->pos, buf));
			goto fail;
		}
		p->pos++;
		skip_ws(p);
		if (peek(p) == '}') {
			rc = fail_at(p, p->pos, "trailing comma in an inline table");
			goto fail;
		}
	}
	p->pos++;
	*out = table;
	return 0;
fail:
	json_decref(table);
	return rc;
}

static int parse_value(struct parser *p, int depth, json_t **out)
{
	size_t at = p->pos;
	int c = peek(p), rc;
	char buf[16];

	*out = NULL;
	if ((c == '[' || c == '{') && depth + 1 > TOML_MAX_DEPTH)
		return fail_at(p, at, "nested deeper than %d levels", TOML_MAX_DEPTH);
	if (c == '"' || c == '\'') {
		char *s;
		size_t len;

		rc = parse_string(p, &s, &len, false);
		if (rc < 0)
			return rc;
		*out = json_stringn(s, len);
		free(s);
		return *out ? 0 : nomem(p);
	}
	if (c == '[')
		return parse_array(p, depth, out);
	if (c == '{')
		return parse_inline_table(p, depth, out);
	if (starts_with(p, "true") || starts_with(p, "false")) {
		bool is_true = c == 't';

		p->pos += is_true ? 4 : 5;
		if (check_value_end(p, at, "boolean") < 0)
			return -EINVAL;
		*out = json_boolean(is_true);
		return 0;
	}
	if (is_digit(c)) {
		rc = parse_datetime(p, out);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	if (starts_with(p, "inf") || starts_with(p, "nan") || starts_with(p, "+inf") ||
	    starts_with(p, "-inf") || starts_with(p, "+nan") || starts_with(p, "-nan"))
		return fail_at(p, at, "inf and nan have no JSON form");
	if (is_digit(c) || c == '+' || c == '-')
		return parse_number(p, out);
	if (c < 0 || c == '\n' || c == '#')
		return fail_at(p, at, "expected a value, found %s", what_at(p, at, buf));
	return fail_at(p, at, "invalid value (strings need quotes)");
}

/* Marks the tables dotted keys made in the section that just ended. */
static int close_section(struct parser *p)
{
	for (size_t i = 0; i < p->pending.len; i++)
		if (mark_add(&p->marks, *VEC_AT(&p->pending, json_t *, i), MARK_EXPLICIT) < 0)
			return nomem(p);
	p->pending.len = 0;
	return 0;
}

/* [a.b] or [[a.b]]: sets *table to the table the section fills. */
static int parse_header(struct parser *p, json_t *root, json_t **table)
{
	bool is_array = starts_with(p, "[[");
	char shown[256], buf[16];
	json_t *cur = root, *child;
	struct key k;
	int depth = 0, rc;
	unsigned bits;

	rc = close_section(p);
	if (rc < 0)
		return rc;
	p->pos += is_array ? 2 : 1;
	skip_ws(p);
	rc = parse_key(p, &k);
	if (rc < 0)
		return rc;
	if (!starts_with(p, is_array ? "]]" : "]")) {
		rc = fail_at(p, p->pos, "expected '%s' to close the header, found %s",
			     is_array ? "]]" : "]", what_at(p, p->pos, buf));
		goto out;
	}
	p->pos += is_array ? 2 : 1;
	for (size_t i = 0; i < k.n; i++) {
		bool is_last = i + 1 == k.n;

		child = json_object_get(cur, k.seg[i]);
		bits = mark_get(&p->marks, child);
		key_show(&k, i + 1, shown, sizeof(shown));
		if (bits & MARK_FROZEN) {
			rc = fail_at(p, k.at, "%s is an inline table or array: it cannot be extended",
				     shown);
			goto out;
		}
		if (is_last && !is_array && json_is_array(child)) {
			rc = fail_at(p, k.at, "%s is an array of tables, not a table", shown);
			goto out;
		}
		if (is_last && !is_array && (bits & MARK_EXPLICIT)) {
			rc = fail_at(p, k.at, "table %s is already defined", shown);
			goto out;
		}
		if (!child) {
			child = is_last && is_array ? json_array() : json_object();
			if (!child || json_object_set_new(cur, k.seg[i], child) < 0 ||
			    (is_last && mark_add(&p->marks, child, MARK_EXPLICIT) < 0)) {
				rc = nomem(p);
				goto out;
			}
			rc = where_add(p, cur, k.seg[i], k.seg_at[i]);
			if (rc < 0)
				goto out;
		} else if (is_last && is_array && !json_is_array(child)) {
			rc = fail_at(p, k.at, "%s is already a table, not an array of tables", shown);
			goto out;
		} else if (is_last && !is_array) {
			if (!json_is_object(child)) {
				rc = fail_at(p, k.at, "%s is already a value, not a table", shown);
				goto out;
			}
			if (mark_add(&p->marks, child, MARK_EXPLICIT) < 0) {
				rc = nomem(p);
				goto out;
			}
		}
		depth++;
		if (json_is_array(child)) {
			/* An array of tables: the section goes on in its last table. */
			json_t *item = NULL;

			if (is_last) {
				item = json_object();
				if (!item || json_array_append_new(child, item) < 0) {
					rc = nomem(p);
					goto out;
				}
			} else if (json_array_size(child) > 0) {
				item = json_array_get(child, json_array_size(child) - 1);
			}
			if (!json_is_object(item)) {
				rc = fail_at(p, k.at, "%s is already a value, not a table", shown);
				goto out;
			}
			child = item;
			depth++;
		} else if (!json_is_object(child)) {
			rc = fail_at(p, k.at, "%s is already a value, not a table", shown);
			goto out;
		}
		cur = child;
	}
	if (depth + 1 > TOML_MAX_DEPTH) {
		rc = fail_at(p, k.at, "nested deeper than %d levels", TOML_MAX_DEPTH);
		goto out;
	}
	p->table_depth = depth;
	key_show(&k, k.n, p->section, sizeof(p->section));
	*table = cur;
out:
	key_free(&k);
	return rc;
}

/* The end of a statement: spaces, a comment, then a newline or the end. */
static int end_statement(struct parser *p)
{
	char buf[16];
	int rc;

	skip_ws(p);
	rc = skip_comment(p);
	if (rc < 0)
		return rc;
	if (peek(p) < 0)
		return 0;
	if (peek(p) != '\n')
		return fail_at(p, p->pos, "expected the end of the line, found %s",
			       what_at(p, p->pos, buf));
	p->pos++;
	return 0;
}

static int parse_document(struct parser *p, json_t *root)
{
	json_t *table = root;
	char buf[16];
	int rc;

	for (;;) {
		int c;

		skip_ws(p);
		c = peek(p);
		if (c < 0)
			return 0;
		if (c == '\n') {
			p->pos++;
			continue;
		}
		if (c == '[') {
			rc = parse_header(p, root, &table);
		} else if (c == '"' || c == '\'' || is_bare(c)) {
			struct key k = { 0 };
			json_t *value = NULL;

			rc = parse_keyval(p, p->table_depth, &k, &value);
			if (rc == 0) {
				rc = put_dotted(p, table, &k, value, true);
				json_decref(value);
				key_free(&k);
			}
		} else if (c == '#') {
			rc = 0;
		} else {
			rc = fail_at(p, p->pos, "expected a key or a [table], found %s",
				     what_at(p, p->pos, buf));
		}
		if (rc < 0)
			return rc;
		rc = end_statement(p);
		if (rc < 0)
			return rc;
	}
}

/* The offset of the first byte that is not valid UTF-8 (overlong forms,
 * surrogates and code points past 10FFFF included), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t j = 2; j <= n; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return i;
		i += n + 1;
	}
	return len;
}

static int parse(const char *name, const char *text, size_t len, json_t **out,
		 struct toml_where *where, struct bw_err *err)
{
	struct parser p = { .name = name, .err = err, .pending = VEC_INIT(json_t *), .where = where };
	char *copy;
	size_t n = 0, bad;
	json_t *root;
	int rc;

	*out = NULL;
	if (len > (size_t)TOML_MAX_BYTES)
		return bw_err_at(err, name, 0, 0, "larger than %d bytes", TOML_MAX_BYTES);
	copy = malloc(len + 1);
	if (!copy)
		return bw_errf(err, -ENOMEM, "%s: out of memory", name);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		copy[n++] = text[i];
	}
	copy[n] = '\0';
	p.s = copy;
	p.len = n;
	/* Some editors start a file with one; it is invisible in an error. */
	if (n >= 3 && memcmp(copy, "\xef\xbb\xbf", 3) == 0) {
		rc = fail_at(&p, 0, "a byte order mark (U+FEFF) before the first key: save the "
			     "file without it");
		free(copy);
		return rc;
	}
	bad = utf8_invalid_at((const unsigned char *)copy, n);
	if (bad < n) {
		rc = fail_at(&p, bad, "invalid UTF-8");
		free(copy);
		return rc;
	}
	root = json_object();
	rc = root ? parse_document(&p, root) : nomem(&p);
	if (rc == 0)
		rc = where_resolve(&p);
	marks_free(&p.marks);
	vec_free(&p.pending);
	free(copy);
	if (rc < 0) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

int toml_parse(const char *name, const char *text, size_t len, json_t **out,
	       struct bw_err *err)
{
	return parse(name, text, len, out, NULL, err);
}

int toml_parse_where(const char *name, const char *text, size_t len, json_t **out,
		     struct toml_where **where, struct bw_err *err)
{
	struct toml_where *w = calloc(1, sizeof(*w));
	int rc;

	*where = NULL;
	if (!w)
		return bw_errf(err, -ENOMEM, "%s: out of memory", name);
	w->items = (struct vec)VEC_INIT(struct where_item);
	rc = parse(name, text, len, out, w, err);
	if (rc < 0) {
		toml_where_free(w);
		return rc;
	}
	*where = w;
	return 0;
}

bool toml_where_find(const struct toml_where *where, const json_t *table, const char *key,
		     int *line, int *col)
{
	for (size_t i = 0; where && i < where->items.len; i++) {
		const struct where_item *item = VEC_AT(&where->items, struct where_item, i);

		if (item->table == table && strcmp(item->key, key) == 0) {
			*line = item->line;
			*col = item->col;
			return true;
		}
	}
	return false;
}

void toml_where_free(struct toml_where *where)
{
	if (!where)
		return;
	for (size_t i = 0; i < where->items.len; i++)
		free(VEC_AT(&where->items, struct where_item, i)->key);
	vec_free(&where->items);
	free(where);
}
