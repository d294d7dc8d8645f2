#include "api/osinfo.h"

#include <stdbool.h>
#include <string.h>

#define VALUE_MAX 256

/* One os-release value into out: "…" with \ escaping any character (as a
 * shell reads it), '…' as it is, or bare to the end of the line. */
static void unquote(const char *s, size_t len, char out[VALUE_MAX])
{
	size_t n = 0, i = 0;
	char quote = '\0';

	if (len > 0 && (s[0] == '"' || s[0] == '\'')) {
		quote = s[0];
		i++;
	}
	for (; i < len && n + 1 < VALUE_MAX; i++) {
		if (quote && s[i] == quote)
			break;
		if (quote == '"' && s[i] == '\\' && i + 1 < len)
			i++;
		out[n++] = s[i];
	}
	/* A bare value ends before trailing blanks. */
	while (!quote && n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
}

/* The value of key in text, into out; false when the text has none. The
 * last assignment wins, as a shell sourcing the file would have it. */
static bool release_value(const char *text, size_t len, const char *key, char out[VALUE_MAX])
{
	size_t key_len = strlen(key);
	bool found = false;

	for (size_t start = 0; start < len;) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *line = text + start;
		size_t line_len = end - start;

		while (line_len > 0 && (*line == ' ' || *line == '\t'))
			line++, line_len--;
		if (line_len > key_len && memcmp(line, key, key_len) == 0 && line[key_len] == '=') {
			unquote(line + key_len + 1, line_len - key_len - 1, out);
			found = true;
		}
		start = end + 1;
	}
	return found;
}

/* Sets name to the first of the keys text holds (a UTF-8 value), else to
 * fallback. Returns 0 or -1 when out of memory. */
static int set_field(json_t *os, const char *name, const char *text, size_t len,
		     const char *const *keys, const char *fallback)
{
	char value[VALUE_MAX];

	for (size_t i = 0; keys[i]; i++) {
		json_t *s;

		if (!text || !release_value(text, len, keys[i], value) || !value[0])
			continue;
		s = json_string(value);
		if (s)
			return json_object_set_new(os, name, s);
	}
	return json_object_set_new(os, name, json_string(fallback));
}

json_t *osinfo_from_release(const char *text, size_t len, const char *machine,
			    const char *version)
{
	static const char *const pretty[] = { "PRETTY_NAME", NULL };
	static const char *const variant[] = { "VARIANT_ID", "ID", NULL };
	static const char *const version_id[] = { "VERSION_ID", NULL };
	static const char *const build[] = { "BUILD_ID", NULL };
	json_t *os = json_object();

	if (!os || set_field(os, "pretty_name", text, len, pretty, "Linux") < 0 ||
	    set_field(os, "variant_id", text, len, variant, "linux") < 0 ||
	    set_field(os, "version_id", text, len, version_id, "") < 0 ||
	    set_field(os, "build_id", text, len, build, version) < 0 ||
	    json_object_set_new(os, "arch", json_string(machine)) < 0) {
		json_decref(os);
		return NULL;
	}
	return os;
}

json_t *osinfo_select(const json_t *os, const char *prefix)
{
	static const char whole[] = "os.";
	const char *field;
	const char *key;
	json_t *value, *out;

	/* As Bottlerocket's check_prefix: a prefix of "os." is all of it. */
	if (strncmp(whole, prefix, strlen(prefix)) == 0)
		field = "";
	else if (strncmp(prefix, whole, strlen(whole)) == 0)
		field = prefix + strlen(whole);
	else
		return NULL;
	out = json_object();
	json_object_foreach ((json_t *)os, key, value) {
		if (!out)
			break;
		if (strncmp(key, field, strlen(field)) == 0 && json_object_set(out, key, value) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	return out;
}
