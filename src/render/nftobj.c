#include "render/nftobj.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/fnv.h"
#include "util/strbuf.h"

/* Errors name the text as "render:LINE:COL". */
#define SRC "render"

/* ---- parsing ---- */

struct parser {
	struct nftobj_ruleset *rs;
	struct bw_err *err;
	int line;
	bool in_table;
	bool in_obj;
	bool in_elements;
	/* Inside elements = { … }: the element being read, brace depth. */
	struct strbuf item;
	int depth;
	int open_line; /* where the open table, object or elements began */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '/';
}

static bool is_name(const char *s, size_t len)
{
	if (len == 0 || len > 256 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
				       s[0] == '_'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

/* Splits a trimmed line into at most max words separated by blanks.
 * Returns the number of words, max + 1 when there are more. */
static size_t split_words(const char *s, size_t len, const char **w, size_t *wl, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		if (n == max)
			return max + 1;
		w[n] = s + i;
		while (i < len && !is_blank(s[i]))
			i++;
		wl[n] = (size_t)(s + i - w[n]);
		n++;
	}
	return n;
}

static bool word_is(const char *w, size_t wl, const char *lit)
{
	return wl == strlen(lit) && memcmp(w, lit, wl) == 0;
}

static char *dup_span(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	if (out) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

static void obj_free(struct nftobj *o)
{
	free(o->name);
	free(o->header);
	for (size_t i = 0; i < o->items.len; i++)
		free(*VEC_AT(&o->items, char *, i));
	vec_free(&o->items);
}

static void table_free(struct nftobj_table *t)
{
	free(t->family);
	free(t->name);
	for (size_t i = 0; i < t->objs.len; i++)
		obj_free(VEC_AT(&t->objs, struct nftobj, i));
	vec_free(&t->objs);
}

void nftobj_free(struct nftobj_ruleset *rs)
{
	for (size_t i = 0; i < rs->tables.len; i++)
		table_free(VEC_AT(&rs->tables, struct nftobj_table, i));
	vec_free(&rs->tables);
}

static struct nftobj_table *cur_table(struct parser *p)
{
	return VEC_AT(&p->rs->tables, struct nftobj_table, p->rs->tables.len - 1);
}

static struct nftobj *cur_obj(struct parser *p)
{
	struct nftobj_table *t = cur_table(p);

	return VEC_AT(&t->objs, struct nftobj, t->objs.len - 1);
}

static int oom(struct parser *p)
{
	return bw_errf(p->err, -ENOMEM, "nftobj: out of memory");
}

static int push_string(struct parser *p, struct vec *v, const char *s, size_t len)
{
	char *copy = dup_span(s, len);

	if (!copy || vec_push(v, &copy) < 0) {
		free(copy);
		return oom(p);
	}
	return 0;
}

/* Appends a line to a newline-separated header. */
static int header_add(struct parser *p, char **header, const char *s, size_t len)
{
	size_t old = strlen(*header);
	char *grown = realloc(*header, old + len + 2);

	if (!grown)
		return oom(p);
	if (old)
		grown[old++] = '\n';
	memcpy(grown + old, s, len);
	grown[old + len] = '\0';
	*header = grown;
	return 0;
}

static int parse_top(struct parser *p, const char *s, size_t len, int col)
{
	const char *w[5];
	size_t wl[5];
	size_t n = split_words(s, len, w, wl, 4);
	struct nftobj_table t = { .objs = VEC_INIT(struct nftobj) };

	if (n == 3 && (word_is(w[0], wl[0], "add") || word_is(w[0], wl[0], "delete")) &&
	    word_is(w[1], wl[1], "table"))
		return bw_err_at(p->err, SRC, p->line, col, "expected `%.*s table FAMILY NAME`",
				 (int)wl[0], w[0]);
	if (n == 4 && (word_is(w[0], wl[0], "add") || word_is(w[0], wl[0], "delete")) &&
	    word_is(w[1], wl[1], "table")) {
		if (!is_name(w[2], wl[2]) || !is_name(w[3], wl[3]))
			return bw_err_at(p->err, SRC, p->line, col, "bad table name");
		return 0;
	}
	if (n != 4 || !word_is(w[0], wl[0], "table") || !word_is(w[3], wl[3], "{"))
		return bw_err_at(p->err, SRC, p->line, col, "expected `table FAMILY NAME {`");
	if (!is_name(w[1], wl[1]) || !is_name(w[2], wl[2]))
		return bw_err_at(p->err, SRC, p->line, (int)(w[1] - s) + col, "bad table name");
	for (size_t i = 0; i < p->rs->tables.len; i++) {
		const struct nftobj_table *o = VEC_AT(&p->rs->tables, struct nftobj_table, i);

		if (word_is(w[1], wl[1], o->family) && word_is(w[2], wl[2], o->name))
			return bw_err_at(p->err, SRC, p->line, col, "table %s %s declared twice",
					 o->family, o->name);
	}
	t.family = dup_span(w[1], wl[1]);
	t.name = dup_span(w[2], wl[2]);
	if (!t.family || !t.name || vec_push(&p->rs->tables, &t) < 0) {
		table_free(&t);
		return oom(p);
	}
	p->in_table = true;
	p->open_line = p->line;
	return 0;
}

static int parse_in_table(struct parser *p, const char *s, size_t len, int col)
{
	const char *w[4];
	size_t wl[4];
	size_t n = split_words(s, len, w, wl, 3);
	struct nftobj o = { .items = VEC_INIT(char *) };
	struct nftobj_table *t = cur_table(p);

	if (n == 1 && word_is(w[0], wl[0], "}")) {
		p->in_table = false;
		return 0;
	}
	if (n != 3 || !word_is(w[2], wl[2], "{"))
		return bw_err_at(p->err, SRC, p->line, col,
				 "expected `counter|set|map|chain NAME {` or `}`");
	if (word_is(w[0], wl[0], "set"))
		o.kind = NFTOBJ_SET;
	else if (word_is(w[0], wl[0], "map"))
		o.kind = NFTOBJ_MAP;
	else if (word_is(w[0], wl[0], "counter"))
		o.kind = NFTOBJ_COUNTER;
	else if (word_is(w[0], wl[0], "chain"))
		o.kind = NFTOBJ_CHAIN;
	else
		return bw_err_at(p->err, SRC, p->line, col, "unsupported object `%.*s`",
				 (int)wl[0], w[0]);
	if (!is_name(w[1], wl[1]))
		return bw_err_at(p->err, SRC, p->line, (int)(w[1] - s) + col, "bad name");
	o.name = dup_span(w[1], wl[1]);
	o.header = dup_span("", 0);
	if (!o.name || !o.header || vec_push(&t->objs, &o) < 0) {
		obj_free(&o);
		return oom(p);
	}
	p->in_obj = true;
	p->open_line = p->line;
	return 0;
}

static int push_item(struct parser *p, int col)
{
	struct strbuf *sb = &p->item;
	size_t a = 0, b = sb->len;
	int rc;

	if (sb->failed)
		return oom(p);
	while (a < b && is_blank(sb->buf[a]))
		a++;
	while (b > a && is_blank(sb->buf[b - 1]))
		b--;
	if (a == b)
		return bw_err_at(p->err, SRC, p->line, col, "empty element");
	rc = push_string(p, &cur_obj(p)->items, sb->buf + a, b - a);
	sb->len = 0;
	return rc;
}

/* Reads elements from s (after `elements = {` or a continuation line)
 * up to the closing brace. */
static int parse_elements(struct parser *p, const char *s, size_t len, int col)
{
	bool is_quoted = false;
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '"') {
			is_quoted = !is_quoted;
			continue;
		}
		if (is_quoted)
			continue;
		if (c == '#')
			return bw_err_at(p->err, SRC, p->line, col + (int)i,
					 "comment inside elements");
		if (c == '{') {
			p->depth++;
		} else if (c == '}' && p->depth > 0) {
			p->depth--;
		} else if (c == ',' && p->depth == 0) {
			strbuf_add(&p->item, s + start, i - start);
			if (push_item(p, col + (int)i) < 0)
				return -EINVAL;
			start = i + 1;
		} else if (c == '}') {
			bool is_empty = true;

			strbuf_add(&p->item, s + start, i - start);
			for (size_t k = 0; k < p->item.len; k++)
				is_empty = is_empty && is_blank(p->item.buf[k]);
			if (is_empty && cur_obj(p)->items.len == 0)
				p->item.len = 0;
			else if (push_item(p, col + (int)i) < 0)
				return -EINVAL;
			for (size_t k = i + 1; k < len; k++)
				if (!is_blank(s[k]))
					return bw_err_at(p->err, SRC, p->line, col + (int)k,
							 "unexpected text after elements");
			p->in_elements = false;
			return 0;
		}
	}
	if (is_quoted)
		return bw_err_at(p->err, SRC, p->line, col + (int)len, "unterminated string");
	strbuf_add(&p->item, s + start, len - start);
	strbuf_add(&p->item, " ", 1);
	return 0;
}

/* Whether a line's braces and quotes balance, so that it can be printed
 * back as one statement. Returns the offending offset or -1. */
static long unbalanced_at(const char *s, size_t len)
{
	bool is_quoted = false;
	long depth = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			is_quoted = !is_quoted;
		else if (!is_quoted && s[i] == '{')
			depth++;
		else if (!is_quoted && s[i] == '}' && --depth < 0)
			return (long)i;
	}
	return is_quoted || depth ? (long)len : -1;
}

static int parse_in_obj(struct parser *p, const char *s, size_t len, int col)
{
	struct nftobj *o = cur_obj(p);
	long bad;

	if (len == 1 && s[0] == '}') {
		p->in_obj = false;
		return 0;
	}
	if ((o->kind == NFTOBJ_SET || o->kind == NFTOBJ_MAP) && len >= 8 &&
	    memcmp(s, "elements", 8) == 0) {
		size_t i = 8;

		while (i < len && is_blank(s[i]))
			i++;
		if (i < len && s[i] == '=')
			i++;
		else
			return bw_err_at(p->err, SRC, p->line, col + (int)i, "expected `=`");
		while (i < len && is_blank(s[i]))
			i++;
		if (i < len && s[i] == '{')
			i++;
		else
			return bw_err_at(p->err, SRC, p->line, col + (int)i, "expected `{`");
		if (o->items.len > 0)
			return bw_err_at(p->err, SRC, p->line, col, "elements given twice");
		p->in_elements = true;
		p->depth = 0;
		p->item.len = 0;
		p->open_line = p->line;
		return parse_elements(p, s + i, len - i, col + (int)i);
	}
	bad = unbalanced_at(s, len);
	if (bad >= 0)
		return bw_err_at(p->err, SRC, p->line, col + (int)bad, "unbalanced braces or quotes");
	if (o->kind == NFTOBJ_CHAIN) {
		if (o->items.len == 0 && !o->header[0] && len > 5 && memcmp(s, "type ", 5) == 0) {
			o->is_base_chain = memmem(s, len, " hook ", 6) != NULL;
			return header_add(p, &o->header, s, len);
		}
		return push_string(p, &o->items, s, len);
	}
	if (memchr(s, '{', len) || memchr(s, '}', len))
		return bw_err_at(p->err, SRC, p->line, col, "unexpected brace in a declaration");
	if (o->items.len > 0)
		return bw_err_at(p->err, SRC, p->line, col, "declaration after the elements");
	return header_add(p, &o->header, s, len);
}

int nftobj_parse(const char *text, struct nftobj_ruleset *out, struct bw_err *err)
{
	struct parser p = { .rs = out, .err = err };
	const char *s = text;
	int rc = 0;

	out->tables = (struct vec)VEC_INIT(struct nftobj_table);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		size_t a = 0, b = len;
		int col;

		p.line++;
		while (a < b && is_blank(s[a]))
			a++;
		while (b > a && is_blank(s[b - 1]))
			b--;
		col = (int)a + 1;
		if (p.in_elements)
			rc = parse_elements(&p, s + a, b - a, col);
		else if (a == b || s[a] == '#')
			rc = 0;
		else if (p.in_obj)
			rc = parse_in_obj(&p, s + a, b - a, col);
		else if (p.in_table)
			rc = parse_in_table(&p, s + a, b - a, col);
		else
			rc = parse_top(&p, s + a, b - a, col);
		if (rc < 0)
			break;
		s += len + (nl ? 1 : 0);
	}
	if (rc == 0 && (p.in_table || p.in_obj || p.in_elements))
		rc = bw_err_at(err, SRC, p.open_line, 1, "%s opened here is not closed",
			       p.in_elements ? "elements" : p.in_obj ? "object" : "table");
	strbuf_free(&p.item);
	if (rc < 0)
		nftobj_free(out);
	return rc;
}

/* ---- comparing ---- */

/* sets and maps share one namespace in a table, chains and counters
 * each have their own. */
static int obj_ns(enum nftobj_kind kind)
{
	return kind == NFTOBJ_MAP ? NFTOBJ_SET : (int)kind;
}

static const char *kind_word(enum nftobj_kind kind)
{
	static const char *const words[] = { "set", "map", "counter", "chain" };

	return words[kind];
}

/* An open-addressed hash of a table's objects by namespace and name. */
struct objindex {
	size_t *slots; /* index + 1, 0 when free */
	size_t mask;
	const struct vec *objs;
};

static uint64_t obj_hash(int ns, const char *name, size_t len)
{
	unsigned char n = (unsigned char)ns;

	return fnv1a64(fnv1a64(FNV1A64_OFFSET, &n, 1), name, len);
}

static size_t index_find(const struct objindex *ix, int ns, const char *name, size_t len)
{
	size_t i = (size_t)obj_hash(ns, name, len) & ix->mask;

	for (; ix->slots[i]; i = (i + 1) & ix->mask) {
		const struct nftobj *o = VEC_AT(ix->objs, struct nftobj, ix->slots[i] - 1);

		if (obj_ns(o->kind) == ns && strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return ix->slots[i];
	}
	return 0;
}

static int index_build(struct objindex *ix, const struct nftobj_table *t, struct bw_err *err)
{
	size_t cap = 16;

	while (cap < 2 * t->objs.len + 2)
		cap *= 2;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (!ix->slots)
		return bw_errf(err, -ENOMEM, "nftobj: out of memory");
	ix->mask = cap - 1;
	ix->objs = &t->objs;
	for (size_t k = 0; k < t->objs.len; k++) {
		const struct nftobj *o = VEC_AT(&t->objs, struct nftobj, k);
		size_t len = strlen(o->name);
		size_t i = (size_t)obj_hash(obj_ns(o->kind), o->name, len) & ix->mask;

		if (index_find(ix, obj_ns(o->kind), o->name, len))
			return bw_err_input(err, "table %s %s: %s %s declared twice", t->family,
					    t->name, kind_word(o->kind), o->name);
		while (ix->slots[i])
			i = (i + 1) & ix->mask;
		ix->slots[i] = k + 1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A set's elements are a set: their order does not matter to the kernel. */
static int items_equal(const struct vec *a, const struct vec *b, bool is_ordered, bool *equal)
{
	char **sa = NULL, **sb = NULL;
	size_t i = 0;

	*equal = a->len == b->len;
	if (!*equal)
		return 0;
	while (i < a->len && strcmp(*VEC_AT(a, char *, i), *VEC_AT(b, char *, i)) == 0)
		i++;
	if (i == a->len || is_ordered) {
		*equal = i == a->len;
		return 0;
	}
	sa = malloc(a->len * sizeof(*sa));
	sb = malloc(b->len * sizeof(*sb));
	if (!sa || !sb) {
		free(sa);
		free(sb);
		return -ENOMEM;
	}
	memcpy(sa, a->items, a->len * sizeof(*sa));
	memcpy(sb, b->items, b->len * sizeof(*sb));
	qsort(sa, a->len, sizeof(*sa), cmp_str);
	qsort(sb, b->len, sizeof(*sb), cmp_str);
	for (i = 0; i < a->len && *equal; i++)
		*equal = strcmp(sa[i], sb[i]) == 0;
	free(sa);
	free(sb);
	return 0;
}

/* A base chain's header without its `policy …;`, which can change in place. */
static bool same_hook(const char *a, const char *b)
{
	const char *pa = strstr(a, "policy ");
	const char *pb = strstr(b, "policy ");
	size_t la = pa ? (size_t)(pa - a) : strlen(a);
	size_t lb = pb ? (size_t)(pb - b) : strlen(b);

	while (la > 0 && is_blank(a[la - 1]))
		la--;
	while (lb > 0 && is_blank(b[lb - 1]))
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}


/* What becomes of an object of `to`, and of one of `from`. */
enum change { SAME, ADDED, REFILLED, REPLACED };
enum fate { KEPT, FLUSHED, DELETED };

struct table_delta {
	const struct nftobj_table *from, *to;
	unsigned char *change; /* enum change, per object of `to` */
	unsigned char *fate;   /* enum fate, per object of `from` */
	size_t n_changed;
};

static const struct nftobj *from_obj(const struct table_delta *d, size_t k)
{
	return VEC_AT(&d->from->objs, struct nftobj, k);
}

static const struct nftobj *to_obj(const struct table_delta *d, size_t k)
{
	return VEC_AT(&d->to->objs, struct nftobj, k);
}

static bool is_setlike(const struct nftobj *o)
{
	return o->kind == NFTOBJ_SET || o->kind == NFTOBJ_MAP;
}

/* Rules of unchanged chains that look up a set about to be deleted and
 * declared again must be loaded again too: the kernel deletes no set
 * that a rule still uses. */
static void refill_users(struct table_delta *d, const struct objindex *from_ix,
			 const struct objindex *to_ix)
{
	for (size_t k = 0; k < d->to->objs.len; k++) {
		const struct nftobj *c = to_obj(d, k);

		if (c->kind != NFTOBJ_CHAIN || d->change[k] != SAME)
			continue;
		for (size_t r = 0; r < c->items.len && d->change[k] == SAME; r++) {
			const char *at = *VEC_AT(&c->items, char *, r);

			while ((at = strchr(at, '@'))) {
				size_t len = 0, pos;

				at++;
				while (is_name_char(at[len]))
					len++;
				pos = index_find(to_ix, NFTOBJ_SET, at, len);
				if (pos && d->change[pos - 1] == REPLACED) {
					d->change[k] = REFILLED;
					pos = index_find(from_ix, NFTOBJ_CHAIN, c->name, strlen(c->name));
					d->fate[pos - 1] = FLUSHED;
					d->n_changed++;
					break;
				}
			}
		}
	}
}

static int compare_obj(const struct table_delta *d, const struct nftobj *f, const struct nftobj *o,
		       enum change *change, struct bw_err *err)
{
	bool equal = true;
	int rc = 0;

	*change = SAME;
	if (o->kind == NFTOBJ_COUNTER)
		return 0; /* a counter is its name: the kernel keeps counting */
	if (o->kind == NFTOBJ_CHAIN) {
		if (f->is_base_chain != o->is_base_chain ||
		    (o->is_base_chain && !same_hook(f->header, o->header)))
			return bw_errf(err, -EOPNOTSUPP,
				       "nftobj: table %s %s: chain %s changes its hook, type or priority",
				       d->to->family, d->to->name, o->name);
		if (strcmp(f->header, o->header) != 0)
			*change = REFILLED;
		else
			rc = items_equal(&f->items, &o->items, true, &equal);
	} else if (f->kind != o->kind || strcmp(f->header, o->header) != 0) {
		*change = REPLACED;
	} else {
		rc = items_equal(&f->items, &o->items, false, &equal);
	}
	if (rc < 0)
		return bw_errf(err, -ENOMEM, "nftobj: out of memory");
	if (!equal)
		*change = REFILLED;
	return 0;
}

static int diff_table(struct table_delta *d, struct bw_err *err)
{
	struct objindex from_ix = { 0 }, to_ix = { 0 };
	bool has_replaced = false;
	int rc;

	d->change = calloc(d->to->objs.len + 1, 1);
	d->fate = calloc(d->from->objs.len + 1, 1);
	if (!d->change || !d->fate)
		return bw_errf(err, -ENOMEM, "nftobj: out of memory");
	rc = index_build(&from_ix, d->from, err);
	if (rc == 0)
		rc = index_build(&to_ix, d->to, err);
	for (size_t k = 0; rc == 0 && k < d->to->objs.len; k++) {
		const struct nftobj *o = to_obj(d, k);
		size_t pos = index_find(&from_ix, obj_ns(o->kind), o->name, strlen(o->name));
		enum change c = ADDED;

		if (pos)
			rc = compare_obj(d, from_obj(d, pos - 1), o, &c, err);
		d->change[k] = (unsigned char)c;
		if (pos && c == REFILLED)
			d->fate[pos - 1] = FLUSHED;
		if (pos && c == REPLACED)
			d->fate[pos - 1] = DELETED;
		has_replaced = has_replaced || c == REPLACED;
		if (c != SAME)
			d->n_changed++;
	}
	for (size_t k = 0; rc == 0 && k < d->from->objs.len; k++) {
		const struct nftobj *f = from_obj(d, k);

		if (!index_find(&to_ix, obj_ns(f->kind), f->name, strlen(f->name))) {
			d->fate[k] = DELETED;
			d->n_changed++;
		}
	}
	if (rc == 0 && has_replaced)
		refill_users(d, &from_ix, &to_ix);
	free(from_ix.slots);
	free(to_ix.slots);
	return rc;
}

/* ---- printing ---- */

static void add_lines(struct strbuf *sb, const char *text, const char *indent)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		strbuf_add(sb, indent, strlen(indent));
		strbuf_add(sb, text, len);
		strbuf_add(sb, "\n", 1);
		text += len + (nl ? 1 : 0);
	}
}

static void add_elements(struct strbuf *sb, const struct vec *items, size_t from, size_t to,
			 const char *indent)
{
	if (from >= to)
		return;
	strbuf_addf(sb, "%selements = { ", indent);
	for (size_t i = from; i < to; i++) {
		const char *s = *VEC_AT(items, char *, i);

		if (i > from)
			strbuf_addf(sb, ",\n%s\t     ", indent);
		strbuf_add(sb, s, strlen(s));
	}
	strbuf_add(sb, " }\n", 3);
}

/* `add set|map F T N { declaration; elements = { items[from..to) } }`:
 * the command form, because a table block that declares an auto-merge
 * set makes libnftables 1.0.6 fetch the elements of every set on the
 * host first (1,567 requests at 10,000 instances, against 4). */
static void add_set_cmd(struct strbuf *sb, const struct nftobj_table *t, const struct nftobj *o,
			size_t from, size_t to)
{
	strbuf_addf(sb, "add %s %s %s %s {\n", kind_word(o->kind), t->family, t->name, o->name);
	add_lines(sb, o->header, "\t");
	add_elements(sb, &o->items, from, to, "\t");
	strbuf_add(sb, "}\n", 2);
}

/* An object inside a table block, with its rules or elements or not. */
static void add_obj_block(struct strbuf *sb, const struct nftobj *o, bool has_items)
{
	strbuf_addf(sb, "\t%s %s {\n", kind_word(o->kind), o->name);
	add_lines(sb, o->header, "\t\t");
	if (o->kind == NFTOBJ_CHAIN) {
		for (size_t i = 0; has_items && i < o->items.len; i++)
			add_lines(sb, *VEC_AT(&o->items, char *, i), "\t\t");
	} else if (has_items) {
		add_elements(sb, &o->items, 0, o->items.len, "\t\t");
	}
	strbuf_add(sb, "\t}\n", 3);
}

static void add_objcmd(struct strbuf *sb, const char *verb, const struct nftobj_table *t,
		       const struct nftobj *o)
{
	strbuf_addf(sb, "%s %s %s %s %s\n", verb, kind_word(o->kind), t->family, t->name, o->name);
}

/* The transaction's order: rules and elements that refer to something
 * go before it goes (flush chains, then sets and maps); deletions (chains
 * before the sets and maps that could still hold a jump to them, then
 * counters); new chains declared before a map element jumps to them;
 * sets and maps with their elements; last, per table, a block with new
 * counters and the rules of new and changed chains. */
static void print_delta(struct strbuf *sb, const struct table_delta *d, size_t nd)
{
	static const enum nftobj_kind order[] = { NFTOBJ_CHAIN, NFTOBJ_SET, NFTOBJ_MAP };

	for (size_t pass = 0; pass < 3; pass++)
		for (size_t t = 0; t < nd; t++)
			for (size_t k = 0; k < d[t].from->objs.len; k++)
				if (from_obj(&d[t], k)->kind == order[pass] && d[t].fate[k] != KEPT)
					add_objcmd(sb, "flush", d[t].from, from_obj(&d[t], k));
	for (size_t pass = 0; pass < 3; pass++)
		for (size_t t = 0; t < nd; t++)
			for (size_t k = 0; k < d[t].from->objs.len; k++) {
				const struct nftobj *o = from_obj(&d[t], k);
				bool is_turn = pass == 0   ? o->kind == NFTOBJ_CHAIN
					       : pass == 1 ? is_setlike(o)
							   : o->kind == NFTOBJ_COUNTER;

				if (is_turn && d[t].fate[k] == DELETED)
					add_objcmd(sb, "delete", d[t].from, o);
			}
	for (size_t t = 0; t < nd; t++)
		for (size_t k = 0; k < d[t].to->objs.len; k++) {
			const struct nftobj *o = to_obj(&d[t], k);

			if (o->kind == NFTOBJ_CHAIN && !o->is_base_chain && d[t].change[k] == ADDED)
				add_objcmd(sb, "add", d[t].to, o);
		}
	for (size_t t = 0; t < nd; t++)
		for (size_t k = 0; k < d[t].to->objs.len; k++) {
			const struct nftobj *o = to_obj(&d[t], k);
			enum change c = d[t].change[k];

			if (is_setlike(o) && (c == ADDED || c == REPLACED || (c == REFILLED && o->items.len)))
				add_set_cmd(sb, d[t].to, o, 0, o->items.len);
		}
	for (size_t t = 0; t < nd; t++) {
		bool is_open = false;

		for (size_t k = 0; k < d[t].to->objs.len; k++) {
			const struct nftobj *o = to_obj(&d[t], k);

			if (is_setlike(o) || d[t].change[k] == SAME)
				continue;
			if (!is_open)
				strbuf_addf(sb, "table %s %s {\n", d[t].to->family, d[t].to->name);
			is_open = true;
			add_obj_block(sb, o, true);
		}
		if (is_open)
			strbuf_add(sb, "}\n", 2);
	}
}

static const struct nftobj_table *find_table(const struct nftobj_ruleset *rs,
					     const struct nftobj_table *like)
{
	for (size_t i = 0; i < rs->tables.len; i++) {
		const struct nftobj_table *t = VEC_AT(&rs->tables, struct nftobj_table, i);

		if (strcmp(t->family, like->family) == 0 && strcmp(t->name, like->name) == 0)
			return t;
	}
	return NULL;
}

static int take_text(struct strbuf *sb, char **out, struct bw_err *err)
{
	*out = strbuf_take(sb);
	if (!*out)
		*out = calloc(1, 1);
	if (!*out)
		return bw_errf(err, -ENOMEM, "nftobj: out of memory");
	return 0;
}

int nftobj_delta(const struct nftobj_ruleset *from, const struct nftobj_ruleset *to, char **txn,
		 size_t *n_changed, struct bw_err *err)
{
	struct table_delta *d = NULL;
	struct strbuf sb = { 0 };
	size_t nd = to->tables.len;
	int rc = 0;

	*txn = NULL;
	*n_changed = 0;
	for (size_t t = 0; t < from->tables.len; t++) {
		const struct nftobj_table *ft = VEC_AT(&from->tables, struct nftobj_table, t);

		if (!find_table(to, ft))
			return bw_errf(err, -EOPNOTSUPP, "nftobj: table %s %s is removed",
				       ft->family, ft->name);
	}
	d = calloc(nd + 1, sizeof(*d));
	if (!d)
		return bw_errf(err, -ENOMEM, "nftobj: out of memory");
	for (size_t t = 0; rc == 0 && t < nd; t++) {
		d[t].to = VEC_AT(&to->tables, struct nftobj_table, t);
		d[t].from = find_table(from, d[t].to);
		if (!d[t].from)
			rc = bw_errf(err, -EOPNOTSUPP, "nftobj: table %s %s is added",
				     d[t].to->family, d[t].to->name);
		else
			rc = diff_table(&d[t], err);
		if (rc == 0)
			*n_changed += d[t].n_changed;
	}
	if (rc == 0 && *n_changed > 0)
		print_delta(&sb, d, nd);
	for (size_t t = 0; t < nd; t++) {
		free(d[t].change);
		free(d[t].fate);
	}
	free(d);
	if (rc == 0)
		rc = take_text(&sb, txn, err);
	strbuf_free(&sb);
	if (rc < 0)
		*n_changed = 0;
	return rc;
}

/* ---- loading in parts ---- */

static bool is_auto_merge(const struct nftobj *o)
{
	const char *h = o->header;

	while ((h = strstr(h, "auto-merge"))) {
		if ((h == o->header || h[-1] == '\n') && (h[10] == '\0' || h[10] == '\n'))
			return true;
		h += 10;
	}
	return false;
}

static int push_txn(struct vec *txns, struct strbuf *sb, struct bw_err *err)
{
	char *txn = NULL;
	int rc = take_text(sb, &txn, err);

	if (rc == 0 && vec_push(txns, &txn) < 0) {
		free(txn);
		rc = bw_errf(err, -ENOMEM, "nftobj: out of memory");
	}
	return rc;
}

/* Elements in parts of at most max_elements, each part an `add set`
 * command (no table block: see add_set_cmd). An auto-merge set is never
 * split: libnftables merges adjacent ranges only among the elements it
 * is given, so a split one would list differently from a whole load. */
static int stage_elements(const struct nftobj_ruleset *rs, size_t max_elements, struct vec *txns,
			  struct bw_err *err)
{
	struct strbuf sb = { 0 };
	size_t used = 0;
	int rc = 0;

	for (size_t t = 0; rc == 0 && t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);

		for (size_t k = 0; rc == 0 && k < tb->objs.len; k++) {
			const struct nftobj *o = VEC_AT(&tb->objs, struct nftobj, k);
			bool is_whole = is_auto_merge(o);
			size_t i = 0;

			if (!is_setlike(o))
				continue;
			while (rc == 0 && i < o->items.len) {
				size_t take = o->items.len - i;

				if (is_whole && used > 0 && used + take > max_elements) {
					rc = push_txn(txns, &sb, err);
					used = 0;
					continue;
				}
				if (!is_whole && take > max_elements - used)
					take = max_elements - used;
				add_set_cmd(&sb, tb, o, i, i + take);
				i += take;
				used += take;
				if (used >= max_elements) {
					rc = push_txn(txns, &sb, err);
					used = 0;
				}
			}
		}
	}
	if (rc == 0 && used > 0)
		rc = push_txn(txns, &sb, err);
	strbuf_free(&sb);
	return rc;
}

/* One block per table holding the objects `pick` chooses. */
static void stage_blocks(struct strbuf *sb, const struct nftobj_ruleset *rs, bool is_base_part)
{
	for (size_t t = 0; t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);
		bool is_open = false;

		for (size_t k = 0; k < tb->objs.len; k++) {
			const struct nftobj *o = VEC_AT(&tb->objs, struct nftobj, k);

			if (is_base_part != o->is_base_chain)
				continue;
			if (!is_open)
				strbuf_addf(sb, "table %s %s {\n", tb->family, tb->name);
			is_open = true;
			add_obj_block(sb, o, o->kind == NFTOBJ_CHAIN);
		}
		if (!is_open && !is_base_part)
			strbuf_addf(sb, "table %s %s {\n", tb->family, tb->name);
		if (is_open || !is_base_part)
			strbuf_add(sb, "}\n", 2);
	}
}

int nftobj_staged(const struct nftobj_ruleset *rs, size_t max_elements, struct vec *txns,
		  struct bw_err *err)
{
	struct strbuf sb = { 0 };
	bool has_base = false;
	int rc;

	*txns = (struct vec)VEC_INIT(char *);
	if (max_elements == 0)
		return bw_errf(err, -EINVAL, "nftobj: parts of 0 elements");
	stage_blocks(&sb, rs, false);
	rc = push_txn(txns, &sb, err);
	if (rc == 0)
		rc = stage_elements(rs, max_elements, txns, err);
	for (size_t t = 0; t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);

		for (size_t k = 0; k < tb->objs.len; k++)
			has_base = has_base || VEC_AT(&tb->objs, struct nftobj, k)->is_base_chain;
	}
	if (rc == 0 && has_base) {
		stage_blocks(&sb, rs, true);
		rc = push_txn(txns, &sb, err);
	}
	strbuf_free(&sb);
	if (rc < 0) {
		for (size_t i = 0; i < txns->len; i++)
			free(*VEC_AT(txns, char *, i));
		vec_free(txns);
	}
	return rc;
}

/* Whether a and b are the same object: kind, declaration and items (a
 * set's in any order, a chain's in order). *rc: -ENOMEM when it could
 * not tell. */
static bool is_same_obj(const struct nftobj *a, const struct nftobj *b, int *rc)
{
	bool equal = false;

	if (a->kind != b->kind || a->is_base_chain != b->is_base_chain ||
	    strcmp(a->header, b->header) != 0)
		return false;
	if (a->kind == NFTOBJ_COUNTER)
		return true;
	*rc = items_equal(&a->items, &b->items, a->kind == NFTOBJ_CHAIN, &equal);
	return *rc == 0 && equal;
}

/* One table of an overlay: objs of `before` dead, those of `after` in. */
static int overlay_table(struct nftobj_table *t, const struct nftobj_table *before,
			 struct nftobj_table *after, struct bw_err *err)
{
	struct objindex ix = { 0 };
	bool *is_dead = calloc(t->objs.len + 1, sizeof(bool));
	struct vec kept = VEC_INIT(struct nftobj);
	int rc;

	if (!is_dead)
		return bw_errf(err, -ENOMEM, "nftobj: out of memory");
	rc = index_build(&ix, t, err);
	if (rc < 0) {
		free(ix.slots);
		free(is_dead);
		return rc;
	}

	/* The edit met exactly what rs holds: each object of before is in
	 * rs as before has it, and each that only after has is not in rs.
	 * Else the kernel holds something else than rs says (an edit made
	 * from files that changed under it): no overlay vouches for it. */
	for (size_t k = 0; rc == 0 && before && k < before->objs.len; k++) {
		const struct nftobj *o = VEC_AT(&before->objs, struct nftobj, k);
		size_t at = index_find(&ix, obj_ns(o->kind), o->name, strlen(o->name));

		if (!at || !is_same_obj(VEC_AT(&t->objs, struct nftobj, at - 1), o, &rc))
			rc = rc ?: bw_err_input(err, "nftobj: table %s %s: %s %s is not as the edit "
						"met it", t->family, t->name, kind_word(o->kind),
						o->name);
		else
			is_dead[at - 1] = true;
	}
	for (size_t k = 0; rc == 0 && after && k < after->objs.len; k++) {
		const struct nftobj *o = VEC_AT(&after->objs, struct nftobj, k);
		size_t at = index_find(&ix, obj_ns(o->kind), o->name, strlen(o->name));

		if (at && !is_dead[at - 1])
			rc = bw_err_input(err, "nftobj: table %s %s: %s %s is there already", t->family,
					  t->name, kind_word(o->kind), o->name);
	}
	for (size_t k = 0; rc == 0 && after && k < after->objs.len; k++) {
		struct nftobj *o = VEC_AT(&after->objs, struct nftobj, k);
		size_t at = index_find(&ix, obj_ns(o->kind), o->name, strlen(o->name));

		if (at) {
			/* In place: the object keeps its position. */
			obj_free(VEC_AT(&t->objs, struct nftobj, at - 1));
			*VEC_AT(&t->objs, struct nftobj, at - 1) = *o;
			is_dead[at - 1] = false;
		} else if (vec_push(&kept, o) < 0) {
			rc = bw_errf(err, -ENOMEM, "nftobj: out of memory");
			break;
		}
		/* Moved: the after table no longer owns it. */
		*o = (struct nftobj){ .items = VEC_INIT(char *) };
	}
	if (rc == 0) {
		struct vec objs = VEC_INIT(struct nftobj);

		for (size_t k = 0; rc == 0 && k < t->objs.len + kept.len; k++) {
			struct nftobj *o = k < t->objs.len ? VEC_AT(&t->objs, struct nftobj, k) :
							     VEC_AT(&kept, struct nftobj, k - t->objs.len);

			if (k < t->objs.len && is_dead[k])
				obj_free(o);
			else if (vec_push(&objs, o) < 0)
				rc = bw_errf(err, -ENOMEM, "nftobj: out of memory");
			if (rc == 0)
				*o = (struct nftobj){ .items = VEC_INIT(char *) };
		}
		/* Each is freed or moved (emptied); what out of memory left is
		 * freed here, with the table's objects. */
		for (size_t k = 0; k < t->objs.len; k++)
			obj_free(VEC_AT(&t->objs, struct nftobj, k));
		if (rc < 0) {
			for (size_t k = 0; k < objs.len; k++)
				obj_free(VEC_AT(&objs, struct nftobj, k));
			vec_free(&objs);
		}
		vec_free(&t->objs);
		t->objs = objs;
	}
	for (size_t k = 0; k < kept.len; k++)
		obj_free(VEC_AT(&kept, struct nftobj, k));
	vec_free(&kept);
	free(ix.slots);
	free(is_dead);
	return rc;
}

int nftobj_overlay(struct nftobj_ruleset *rs, const char *before, const char *after,
		   struct bw_err *err)
{
	struct nftobj_ruleset b = { 0 }, a = { 0 };
	int rc = nftobj_parse(before, &b, err);

	if (rc == 0)
		rc = nftobj_parse(after, &a, err);
	/* Every table either names must be one rs holds. */
	for (size_t i = 0; rc == 0 && i < b.tables.len + a.tables.len; i++) {
		const struct nftobj_table *like =
			i < b.tables.len ? VEC_AT(&b.tables, struct nftobj_table, i) :
					   VEC_AT(&a.tables, struct nftobj_table, i - b.tables.len);

		if (!find_table(rs, like))
			rc = bw_err_input(err, "nftobj: the edit names table %s %s, which the "
					  "ruleset lacks", like->family, like->name);
	}
	for (size_t i = 0; rc == 0 && i < rs->tables.len; i++) {
		struct nftobj_table *t = VEC_AT(&rs->tables, struct nftobj_table, i);
		const struct nftobj_table *in_before = find_table(&b, t);
		struct nftobj_table *in_after = (struct nftobj_table *)find_table(&a, t);

		if (in_before || in_after)
			rc = overlay_table(t, in_before, in_after, err);
	}
	nftobj_free(&a);
	nftobj_free(&b);
	return rc;
}
