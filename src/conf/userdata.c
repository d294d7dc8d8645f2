/* User data as Bottlerocket takes it: TOML, or JSON when it starts with '{',
 * holding one top-level "settings" table. */
#include "conf/userdata.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "conf/toml.h"

static int parse_json(const char *name, const char *text, size_t len, json_t **out,
		      struct bw_err *err)
{
	json_error_t jerr;

	/* As with TOML, a key given twice is a mistake, not a last-one-wins. */
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return bw_err_at(err, name, jerr.line > 0 ? jerr.line : 0,
				 jerr.column > 0 ? jerr.column : 0, "%s", jerr.text);
	return 0;
}

/* ---- where a key was written ------------------------------------------ */

/* A scan over JSON text jansson has already accepted: only what finding
 * a key's offset needs (jansson keeps no positions of what it parsed). */
struct jscan {
	const char *s;
	size_t len;
	size_t pos;
};

static void js_blank(struct jscan *j)
{
	while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
				   j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
		j->pos++;
}

/* Past one string, pos at its opening quote; false when it never ends. */
static bool js_string(struct jscan *j)
{
	j->pos++;
	while (j->pos < j->len) {
		char c = j->s[j->pos++];

		if (c == '\\')
			j->pos++;
		else if (c == '"')
			return true;
	}
	return false;
}

static bool js_is_end(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' ||
	       c == ']' || c == '}' || c == '[' || c == '{' || c == '"';
}

/* Past one value (pos at its first byte); false at a premature end. */
static bool js_value(struct jscan *j)
{
	int depth = 0;

	do {
		char c;

		js_blank(j);
		if (j->pos >= j->len)
			return false;
		c = j->s[j->pos];
		if (c == '"') {
			if (!js_string(j))
				return false;
		} else if (c == '{' || c == '[') {
			depth++;
			j->pos++;
		} else if (c == '}' || c == ']') {
			depth--;
			j->pos++;
		} else if (c == ',' || c == ':') {
			j->pos++;
		} else {
			/* A number or a literal: at least one byte. */
			do
				j->pos++;
			while (j->pos < j->len && !js_is_end(j->s[j->pos]));
		}
	} while (depth > 0);
	return true;
}

/* Whether the string token s[at..end) decodes to key. */
static bool js_key_is(const struct jscan *j, size_t at, size_t end, const char *key)
{
	json_t *decoded = json_loadb(j->s + at, end - at, JSON_DECODE_ANY, NULL);
	bool is_same = json_is_string(decoded) && strcmp(json_string_value(decoded), key) == 0 &&
		       strlen(key) == json_string_length(decoded);

	json_decref(decoded);
	return is_same;
}

/* The offset of the deepest key of path[0..n) the JSON document names
 * (the opening quote of its name); false when not even path[0]. */
static bool json_key_offset(const char *text, size_t len, const char *const *path, size_t n,
			    size_t *offset)
{
	struct jscan j = { .s = text, .len = len };
	bool found = false;

	for (size_t level = 0; level < n; level++) {
		bool is_hit = false;

		js_blank(&j);
		if (j.pos >= j.len || j.s[j.pos] != '{')
			return found;
		j.pos++;
		for (;;) {
			size_t key_at;

			js_blank(&j);
			if (j.pos >= j.len || j.s[j.pos] != '"')
				return found; /* '}': not here */
			key_at = j.pos;
			if (!js_string(&j))
				return found;
			is_hit = js_key_is(&j, key_at, j.pos, path[level]);
			js_blank(&j);
			if (j.pos >= j.len || j.s[j.pos] != ':')
				return found;
			j.pos++;
			if (is_hit) {
				*offset = key_at;
				found = true;
				break;
			}
			if (!js_value(&j))
				return found;
			js_blank(&j);
			if (j.pos < j.len && j.s[j.pos] == ',')
				j.pos++;
		}
	}
	return found;
}

/* Line and column (in characters, both from 1) of a byte offset. */
static void line_col(const char *text, size_t offset, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static bool toml_key_position(const char *text, size_t len, const char *const *path, size_t n,
			      int *line, int *col)
{
	struct bw_err ignored = { 0 };
	struct toml_where *where = NULL;
	const json_t *table;
	json_t *doc = NULL;
	bool found = false;

	if (toml_parse_where("", text, len, &doc, &where, &ignored) < 0)
		return false;
	table = doc;
	for (size_t i = 0; i < n && json_is_object(table); i++) {
		if (!toml_where_find(where, table, path[i], line, col))
			break;
		found = true;
		table = json_object_get(table, path[i]);
	}
	toml_where_free(where);
	json_decref(doc);
	return found;
}

static bool is_json(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i < len && text[i] == '{';
}

bool userdata_key_position(const char *text, size_t len, const char *const *path, size_t n,
			   int *line, int *col)
{
	size_t offset;

	if (!is_json(text, len))
		return toml_key_position(text, len, path, n, line, col);
	if (!json_key_offset(text, len, path, n, &offset))
		return false;
	line_col(text, offset, line, col);
	return true;
}

/* An input error at the top-level key of the document (no position when
 * it cannot be found). */
static int fail_at_key(struct bw_err *err, const char *name, const char *text, size_t len,
		       const char *key, const char *what)
{
	int line = 0, col = 0;

	if (!userdata_key_position(text, len, &key, 1, &line, &col))
		line = col = 0;
	return bw_err_at(err, name, line, col, "%s", what);
}

int userdata_parse(const char *name, const char *text, size_t len, json_t **out,
		   struct bw_err *err)
{
	json_t *doc = NULL, *settings;
	const char *key;
	json_t *value;
	size_t i = 0;
	int rc;

	*out = NULL;
	if (len > (size_t)TOML_MAX_BYTES)
		return bw_err_at(err, name, 0, 0, "larger than %d bytes", TOML_MAX_BYTES);
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{')
		rc = parse_json(name, text, len, &doc, err);
	else
		rc = toml_parse(name, text, len, &doc, err);
	if (rc < 0)
		return rc;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return bw_err_at(err, name, 0, 0, "user data must be a table holding \"settings\"");
	}
	json_object_foreach (doc, key, value) {
		char what[400];

		if (strcmp(key, "settings") == 0)
			continue;
		snprintf(what, sizeof(what),
			 "top-level \"%.200s\": bulwark takes only a \"settings\" table", key);
		rc = fail_at_key(err, name, text, len, key, what);
		json_decref(doc);
		return rc;
	}
	settings = json_object_get(doc, "settings");
	if (!json_is_object(settings)) {
		rc = settings ? fail_at_key(err, name, text, len, "settings",
					    "\"settings\" must be a table, not a value") :
				bw_err_at(err, name, 0, 0, "no top-level \"settings\" table");
		json_decref(doc);
		return rc;
	}
	*out = json_incref(settings);
	json_decref(doc);
	return 0;
}
