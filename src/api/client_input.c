#include "api/client_input.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes in into out; a NUL byte or a bad escape is an error. */
static int url_path_decode(const char *source, const char *in, char *out, size_t size,
			   struct bw_err *err)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return bw_err_input(err, "%s: bad percent escape in the path", source);
			c = hi * 16 + lo;
			p += 2;
		}
		if (n + 1 >= size)
			return bw_err_input(err, "%s: path too long", source);
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

int client_source(const char *source, enum client_source_kind *kind, char *path,
		  size_t path_size, struct bw_err *err)
{
	const char *colon = strstr(source, "://");

	path[0] = '\0';
	if (!source[0])
		return bw_err_input(err, "apply: an empty source (give a file, a URL or -)");
	if (strcmp(source, "-") == 0) {
		*kind = CLIENT_SOURCE_STDIN;
		return 0;
	}
	if (strncasecmp(source, "https://", 8) == 0) {
		*kind = CLIENT_SOURCE_HTTPS;
		return 0;
	}
	if (strncasecmp(source, "file://", 7) == 0) {
		const char *rest = source + 7;

		if (strncasecmp(rest, "localhost/", 10) == 0)
			rest += 9;
		if (rest[0] != '/')
			return bw_err_input(err, "%s: a file URL names a local path (file:///PATH)",
					    source);
		*kind = CLIENT_SOURCE_FILE;
		return url_path_decode(source, rest, path, path_size, err);
	}
	/* "scheme://" with a scheme-shaped word: a URL bulwark does not fetch. */
	if (colon && colon > source && strspn(source, "abcdefghijklmnopqrstuvwxyz"
					       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") ==
						  (size_t)(colon - source))
		return bw_err_input(err, "%s: only https:// and file:// URLs are read", source);
	if (strlen(source) >= path_size)
		return bw_err_input(err, "%.60s...: path too long", source);
	*kind = CLIENT_SOURCE_FILE;
	snprintf(path, path_size, "%s", source);
	return 0;
}

int client_json_settings(const char *text, json_t **out, struct bw_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *inner;

	*out = NULL;
	if (!doc)
		return bw_err_at(err, "--json", jerr.line, jerr.column, "%s", jerr.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return bw_err_input(err, "--json: must be a JSON object");
	}
	inner = json_object_get(doc, "settings");
	if (inner) {
		if (!json_is_object(inner)) {
			json_decref(doc);
			return bw_err_input(err, "--json: \"settings\" must be an object");
		}
		json_incref(inner);
		json_object_del(doc, "settings");
		/* As apiclient: keys inside "settings" win over their twins outside. */
		if (json_object_update(doc, inner) != 0) {
			json_decref(inner);
			json_decref(doc);
			return bw_errf(err, -ENOMEM, "out of memory");
		}
		json_decref(inner);
	}
	*out = doc;
	return 0;
}

int client_settings_prefix(const char *prefix, char *out, size_t size, struct bw_err *err)
{
	int n;

	if (!prefix[0])
		return bw_err_input(err, "get: an empty prefix");
	/* The model's other part, as apiclient get os asks for it. */
	if (strncmp(prefix, "settings", 8) == 0 || strcmp(prefix, "os") == 0 ||
	    strncmp(prefix, "os.", 3) == 0)
		n = snprintf(out, size, "%s", prefix);
	else
		n = snprintf(out, size, "settings.%s", prefix);
	if (n < 0 || (size_t)n >= size)
		return bw_err_input(err, "get: prefix too long: %.60s...", prefix);
	return 0;
}

void client_merge(json_t *into, const json_t *from)
{
	const char *key;
	json_t *value;

	/* jansson's iteration macros take a non-const object; nothing is changed. */
	json_object_foreach((json_t *)from, key, value) {
		json_t *mine = json_object_get(into, key);

		if (json_is_object(mine) && json_is_object(value))
			client_merge(mine, value);
		else
			json_object_set_new(into, key, json_deep_copy(value));
	}
}

int client_seconds(const char *text, long *seconds, struct bw_err *err)
{
	long value = 0;

	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || value > 604800)
			return bw_err_input(err, "--confirm-within %s: a whole number of seconds, "
					    "1 to 604800 (7 days)", text);
		value = value * 10 + (*p - '0');
	}
	if (!text[0] || value < 1 || value > 604800 || text[0] == '0')
		return bw_err_input(err, "--confirm-within %s: a whole number of seconds, "
				    "1 to 604800 (7 days)", text);
	*seconds = value;
	return 0;
}

void client_tx_name(const char *what, const unsigned char random[16], char *out, size_t size)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char tail[17];

	/* 62 letters and digits: the modulo bias of a byte does not matter for a name. */
	for (int i = 0; i < 16; i++)
		tail[i] = alnum[random[i] % (sizeof(alnum) - 1)];
	tail[16] = '\0';
	snprintf(out, size, "bulwark-%s-%s", what, tail);
}
