/* Settings trees and their dotted key names. A tree's leaves are the values
 * that are not objects (arrays are leaves, as Bottlerocket stores a list as
 * one value); a leaf's full name is "settings." and its path, each segment
 * quoted when it holds anything outside [A-Za-z0-9_-]. */
#include "model/settings_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/settings.h"
#include "util/strbuf.h"

static bool is_bare_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

void settings_key_free(char *segments[SETTINGS_MAX_SEGMENTS], size_t n_segments)
{
	for (size_t i = 0; i < n_segments && i < SETTINGS_MAX_SEGMENTS; i++) {
		free(segments[i]);
		segments[i] = NULL;
	}
}

/* Reads one segment of name at *pos (quoted or bare) into a new string. */
static int parse_segment(const char *name, size_t *pos, char **out, struct bw_err *err)
{
	struct strbuf sb = { 0 };
	size_t i = *pos;

	*out = NULL;
	if (name[i] == '"') {
		i++;
		for (;;) {
			unsigned char c = (unsigned char)name[i];

			if (c == '\0') {
				strbuf_free(&sb);
				return bw_err_input(err, "%s: unclosed quote in key", name);
			}
			if (c == '"')
				break;
			if (c == '\\') {
				c = (unsigned char)name[i + 1];
				if (c != '"' && c != '\\') {
					strbuf_free(&sb);
					return bw_err_input(err,
							    "%s: only \\\" and \\\\ may be escaped in a quoted key segment",
							    name);
				}
				i++;
			} else if (c < 0x20 || c == 0x7f) {
				strbuf_free(&sb);
				return bw_err_input(err, "%s: control character in key", name);
			}
			strbuf_add(&sb, (const char *)&name[i], 1);
			i++;
		}
		i++; /* the closing quote */
		if (name[i] != '\0' && name[i] != '.') {
			strbuf_free(&sb);
			return bw_err_input(err, "%s: a quoted key segment must end at a dot", name);
		}
		if (sb.len == 0) {
			strbuf_free(&sb);
			return bw_err_input(err, "%s: empty key segment", name);
		}
	} else {
		size_t start = i;

		/* '/' as Bottlerocket allows it in key names. */
		while (is_bare_char((unsigned char)name[i]) || name[i] == '/')
			i++;
		if (name[i] != '\0' && name[i] != '.') {
			unsigned char c = (unsigned char)name[i];

			if (c == '"')
				return bw_err_input(err, "%s: a quote may only open a key segment",
						    name);
			if (c >= 0x20 && c < 0x7f)
				return bw_err_input(err,
						    "%s: invalid character '%c' in key (quote the segment)",
						    name, c);
			return bw_err_input(err, "%s: invalid byte 0x%02x in key (quote the segment)",
					    name, c);
		}
		if (i == start)
			return bw_err_input(err, "%s: empty key segment", name);
		strbuf_add(&sb, name + start, i - start);
	}
	*out = strbuf_take(&sb);
	if (!*out)
		return bw_errf(err, -ENOMEM, "key %s: out of memory", name);
	*pos = i;
	return 0;
}

int settings_key_parse(const char *name, char *segments[SETTINGS_MAX_SEGMENTS],
		       size_t *n_segments, struct bw_err *err)
{
	size_t pos = 0, n = 0;
	int rc;

	*n_segments = 0;
	if (name[0] == '\0')
		return bw_err_input(err, "empty key name");
	for (;;) {
		if (n == SETTINGS_MAX_SEGMENTS) {
			settings_key_free(segments, n);
			return bw_err_input(err, "%s: more than %d key segments", name,
					    SETTINGS_MAX_SEGMENTS);
		}
		rc = parse_segment(name, &pos, &segments[n], err);
		if (rc < 0) {
			settings_key_free(segments, n);
			return rc;
		}
		n++;
		if (name[pos] == '\0')
			break;
		pos++; /* the dot */
		if (name[pos] == '\0') {
			settings_key_free(segments, n);
			return bw_err_input(err, "%s: key ends with a dot", name);
		}
	}
	*n_segments = n;
	return 0;
}

/* Appends one segment to a dotted name, quoted when it needs to be. */
static void add_segment(struct strbuf *sb, const char *segment)
{
	bool is_bare = segment[0] != '\0';

	for (const char *p = segment; *p; p++)
		if (!is_bare_char((unsigned char)*p))
			is_bare = false;
	if (sb->len > 0)
		strbuf_add(sb, ".", 1);
	if (is_bare) {
		strbuf_add(sb, segment, strlen(segment));
	} else {
		strbuf_add(sb, "\"", 1);
		for (const char *p = segment; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_add(sb, "\\", 1);
			strbuf_add(sb, p, 1);
		}
		strbuf_add(sb, "\"", 1);
	}
	/* strbuf_add leaves room for, but does not write, the terminator. */
	if (!sb->failed)
		sb->buf[sb->len] = '\0';
}

/* A deep copy of tree without its nulls, and without the tables only
 * nulls filled ({"sysctl": {"a": null}} is nothing to add; an empty table
 * written as such stays). NULL when out of memory. */
static json_t *copy_what_stays(const json_t *tree)
{
	const char *key;
	json_t *value, *out;

	if (!json_is_object(tree))
		return json_deep_copy(tree);
	out = json_object();
	json_object_foreach ((json_t *)tree, key, value) {
		json_t *copy;

		if (!out)
			return NULL;
		if (json_is_null(value))
			continue;
		copy = copy_what_stays(value);
		if (!copy) {
			json_decref(out);
			return NULL;
		}
		if (json_is_object(value) && json_object_size(value) > 0 &&
		    json_object_size(copy) == 0) {
			json_decref(copy);
			continue;
		}
		if (json_object_set_new(out, key, copy) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int settings_patch(json_t *into, const json_t *patch)
{
	const char *key;
	json_t *value;

	if (!json_is_object(into) || !json_is_object(patch))
		return -EINVAL;
	json_object_foreach ((json_t *)patch, key, value) {
		json_t *have = json_object_get(into, key);

		if (json_is_null(value)) {
			json_object_del(into, key);
			continue;
		}
		if (json_is_object(value) && json_is_object(have)) {
			int rc = settings_patch(have, value);

			if (rc < 0)
				return rc;
			/* A table whose keys all went goes too. */
			if (json_object_size(have) == 0)
				json_object_del(into, key);
			continue;
		}
		/* A key new here: a table the nulls under it leave empty is not added. */
		value = copy_what_stays(value);
		if (!value || json_object_set_new(into, key, value) < 0)
			return -ENOMEM;
		if (json_is_object(value) && json_object_size(value) == 0)
			json_object_del(into, key);
	}
	return 0;
}

/* pending's null at a table patch writes into, as a dotted key. */
static bool find_taken_out(const json_t *pending, const json_t *patch, char *key,
			   size_t key_size, size_t len)
{
	const char *name;
	json_t *value;

	json_object_foreach ((json_t *)patch, name, value) {
		const json_t *have = json_object_get(pending, name);
		int n = snprintf(key + len, key_size - len, "%s%s", len ? "." : "", name);

		if (n < 0 || (size_t)n >= key_size - len)
			continue;
		if (json_is_null(have) && json_is_object(value))
			return true;
		if (json_is_object(have) && json_is_object(value) &&
		    find_taken_out(have, value, key, key_size, len + (size_t)n))
			return true;
	}
	key[len] = '\0';
	return false;
}

int settings_takes_out_under(const json_t *pending, const json_t *patch, struct bw_err *err)
{
	char key[SETTINGS_KEY_MAX] = "";

	if (!json_is_object(pending) || !json_is_object(patch) ||
	    !find_taken_out(pending, patch, key, sizeof(key), 0))
		return 0;
	return bw_err_input(err, "settings.%s: this transaction takes it out; commit that first, "
			    "then set keys under it", key);
}

json_t *settings_without_nulls(const json_t *tree)
{
	return copy_what_stays(tree);
}

int settings_merge(json_t *into, const json_t *patch)
{
	const char *key;
	json_t *value;

	if (!json_is_object(into) || !json_is_object(patch))
		return -EINVAL;
	/* jansson's iterators take a mutable object; patch is only read. */
	json_object_foreach ((json_t *)patch, key, value) {
		json_t *have = json_object_get(into, key);

		if (json_is_object(value) && json_is_object(have)) {
			int rc = settings_merge(have, value);

			if (rc < 0)
				return rc;
			continue;
		}
		if (json_object_set_new(into, key, json_deep_copy(value)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Every leaf of a tree as {"full name": value} (values borrowed by
 * reference count). Returns 0 or -ENOMEM. */
static int flatten(const json_t *node, struct strbuf *name, json_t *leaves)
{
	const char *key;
	json_t *value;

	json_object_foreach ((json_t *)node, key, value) {
		size_t len = name->len;
		int rc = 0;

		add_segment(name, key);
		if (name->failed)
			return -ENOMEM;
		if (json_is_object(value))
			rc = flatten(value, name, leaves);
		else if (json_object_set(leaves, name->buf, value) < 0)
			rc = -ENOMEM;
		name->len = len;
		name->buf[len] = '\0';
		if (rc < 0)
			return rc;
	}
	return 0;
}

static json_t *leaves_of(const json_t *tree)
{
	struct strbuf name = { 0 };
	json_t *leaves = json_object();
	int rc;

	if (!leaves)
		return NULL;
	strbuf_add(&name, "settings", strlen("settings"));
	rc = name.failed ? -ENOMEM : 0;
	if (rc == 0 && json_is_object(tree))
		rc = flatten(tree, &name, leaves);
	strbuf_free(&name);
	if (rc < 0) {
		json_decref(leaves);
		return NULL;
	}
	return leaves;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the names of a's leaves that b lacks or holds a different value for. */
static void add_differing(const json_t *a, const json_t *b, const char **names, size_t *n)
{
	const char *key;
	json_t *value;

	json_object_foreach ((json_t *)a, key, value) {
		const json_t *other = json_object_get(b, key);

		if (other && json_equal(value, other))
			continue;
		names[(*n)++] = key;
	}
}

json_t *settings_changed_keys(const json_t *old_tree, const json_t *new_tree)
{
	json_t *old_leaves = leaves_of(old_tree), *new_leaves = leaves_of(new_tree);
	json_t *out = NULL;
	const char **names = NULL;
	size_t n = 0;

	if (!old_leaves || !new_leaves)
		goto out;
	names = calloc(json_object_size(old_leaves) + json_object_size(new_leaves) + 1,
		       sizeof(*names));
	if (!names)
		goto out;
	add_differing(old_leaves, new_leaves, names, &n);
	/* Names in new_leaves that differ and that old_leaves holds too are
	 * already counted; only those old lacks are added. */
	{
		const char *key;
		json_t *value;

		json_object_foreach (new_leaves, key, value) {
			if (!json_object_get(old_leaves, key))
				names[n++] = key;
		}
	}
	qsort(names, n, sizeof(*names), cmp_names);
	out = json_array();
	for (size_t i = 0; out && i < n; i++) {
		if (json_array_append_new(out, json_string(names[i])) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
out:
	free(names);
	json_decref(old_leaves);
	json_decref(new_leaves);
	return out;
}

json_t *settings_commit_keys(const json_t *live, const json_t *pending)
{
	json_t *after = json_deep_copy(live), *changed = NULL, *set = leaves_of(pending);
	json_t *out = NULL;
	const char **names = NULL;
	const char *key;
	json_t *value;
	size_t index, n = 0;

	if (!after || !set || settings_patch(after, pending) < 0)
		goto out;
	/* What the commit changes: removed leaves included, values already
	 * live not. */
	changed = settings_changed_keys(live, after);
	if (!changed)
		goto out;
	names = calloc(json_array_size(changed) + json_object_size(set) + 1, sizeof(*names));
	if (!names)
		goto out;
	json_array_foreach (changed, index, value)
		names[n++] = json_string_value(value);
	/* Every value set, as Bottlerocket lists it, even one already live. */
	json_object_foreach (set, key, value)
		if (!json_is_null(value))
			names[n++] = key;
	qsort(names, n, sizeof(*names), cmp_names);
	out = json_array();
	for (size_t i = 0; out && i < n; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		if (json_array_append_new(out, json_string(names[i])) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
out:
	free(names);
	json_decref(changed);
	json_decref(set);
	json_decref(after);
	return out;
}

/* Sets a copy of value at path segs[0..n) of out, creating objects on the
 * way and merging with what is there. */
static int put_path(json_t *out, const char *const *segs, size_t n, const json_t *value)
{
	json_t *patch = json_deep_copy(value);
	int rc;

	for (size_t i = n; patch && i-- > 0;) {
		json_t *wrap = json_object();

		if (!wrap || json_object_set_new(wrap, segs[i], patch) < 0) {
			json_decref(wrap);
			patch = NULL;
			break;
		}
		patch = wrap;
	}
	if (!patch)
		return -ENOMEM;
	rc = settings_merge(out, patch);
	json_decref(patch);
	return rc;
}

json_t *settings_select_keys(const json_t *settings, const char *const *keys, size_t n_keys)
{
	json_t *out = json_object();

	for (size_t k = 0; out && k < n_keys; k++) {
		char *segs[SETTINGS_MAX_SEGMENTS];
		size_t n_segs = 0;
		struct bw_err err;
		const json_t *node = settings;

		/* A name that is not a key matches nothing, as a key nobody set. */
		if (settings_key_parse(keys[k], segs, &n_segs, &err) < 0)
			continue;
		if (n_segs < 2 || strcmp(segs[0], "settings") != 0)
			node = NULL;
		for (size_t i = 1; node && i < n_segs; i++)
			node = json_is_object(node) ? json_object_get(node, segs[i]) : NULL;
		/* Keys are leaves, as Bottlerocket's data keys: the name of a
		 * subtree matches nothing (?prefix= is for subtrees). */
		if (json_is_object(node))
			node = NULL;
		if (node && put_path(out, (const char *const *)segs + 1, n_segs - 1, node) < 0) {
			json_decref(out);
			out = NULL;
		}
		settings_key_free(segs, n_segs);
	}
	return out;
}

#define SELECT_MAX_DEPTH 64

/* Copies the leaves of node whose full names start with prefix into out. */
static int select_prefix(const json_t *node, struct strbuf *name, const char **path,
			 size_t depth, const char *prefix, json_t *out)
{
	size_t prefix_len = strlen(prefix);
	const char *key;
	json_t *value;

	json_object_foreach ((json_t *)node, key, value) {
		size_t len = name->len;
		int rc = 0;

		add_segment(name, key);
		if (name->failed)
			return -ENOMEM;
		path[depth] = key;
		if (json_is_object(value)) {
			/* Leaves below share this name as their start: walk on while
			 * the two can still agree. */
			size_t n = name->len < prefix_len ? name->len : prefix_len;

			if (strncmp(name->buf, prefix, n) == 0) {
				/* No key name reaches deeper than this. */
				if (depth + 1 < SELECT_MAX_DEPTH)
					rc = select_prefix(value, name, path, depth + 1, prefix,
							   out);
			}
		} else if (strncmp(name->buf, prefix, prefix_len) == 0) {
			rc = put_path(out, path, depth + 1, value);
		}
		name->len = len;
		name->buf[len] = '\0';
		if (rc < 0)
			return rc;
	}
	return 0;
}

json_t *settings_select_prefix(const json_t *settings, const char *prefix)
{
	static const char whole[] = "settings.";
	struct strbuf name = { 0 };
	const char *path[SELECT_MAX_DEPTH];
	json_t *out = json_object();
	int rc;

	if (!out || !json_is_object(settings))
		return out;
	/* As Bottlerocket's apiserver: a prefix of "settings." ("", "se") asks
	 * for everything; one that neither starts "settings." nor leads to it
	 * matches nothing. */
	if (strncmp(whole, prefix, strlen(prefix)) == 0)
		prefix = whole;
	else if (strncmp(prefix, whole, strlen(whole)) != 0)
		return out;
	strbuf_add(&name, "settings", strlen("settings"));
	rc = name.failed ? -ENOMEM : select_prefix(settings, &name, path, 0, prefix, out);
	strbuf_free(&name);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}
