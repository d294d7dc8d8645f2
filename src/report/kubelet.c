/* Kubelet and kube-proxy configuration (YAML or JSON) as a JSON tree,
 * through libyaml's event parser. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "report/parse.h"

#define KUBELET_DEPTH_MAX 64

struct kparse {
	yaml_parser_t parser;
	const char *file;
	struct bw_err *err;
};

static int fail_at(struct kparse *kp, const yaml_mark_t *mark, const char *what)
{
	return bw_err_at(kp->err, kp->file, (int)mark->line + 1, (int)mark->column + 1, "%s", what);
}

static int next_event(struct kparse *kp, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&kp->parser, ev)) {
		const char *what = kp->parser.problem ? kp->parser.problem : "unreadable YAML";

		return fail_at(kp, &kp->parser.problem_mark, what);
	}
	return 0;
}

static bool is_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s || strlen(s) > 18)
		return false;
	return strspn(s, "0123456789") == strlen(s);
}

static json_t *scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	bool is_plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

	if (strlen(v) != ev->data.scalar.length)
		return NULL; /* NUL inside */
	if (is_plain) {
		if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
			return json_true();
		if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
			return json_false();
		if (!*v || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL") ||
		    !strcmp(v, "~"))
			return json_null();
		if (is_int(v))
			return json_integer(strtoll(v, NULL, 10));
	}
	return json_stringn(v, ev->data.scalar.length);
}

static int node(struct kparse *kp, yaml_event_t *ev, int depth, json_t **out);

static int collection(struct kparse *kp, bool is_map, int depth, json_t **out)
{
	json_t *c = is_map ? json_object() : json_array();
	int rc = 0;

	if (!c)
		return bw_errf(kp->err, -ENOMEM, "out of memory");
	for (;;) {
		yaml_event_t ev;
		json_t *key = NULL, *value = NULL;

		rc = next_event(kp, &ev);
		if (rc < 0)
			break;
		if (ev.type == (is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT)) {
			yaml_event_delete(&ev);
			break;
		}
		rc = node(kp, &ev, depth + 1, is_map ? &key : &value);
		if (rc < 0)
			break;
		if (is_map) {
			if (!json_is_string(key)) {
				/* Keys the checks read are strings; a key of any other
				 * type (true, 10) keeps its text. */
				if (json_is_integer(key) || json_is_boolean(key) || json_is_null(key)) {
					char *text = json_dumps(key, JSON_ENCODE_ANY);

					json_decref(key);
					key = text ? json_string(text) : NULL;
					free(text);
				} else {
					json_decref(key);
					key = NULL;
				}
				if (!key) {
					rc = bw_err_at(kp->err, kp->file, 0, 0, "a mapping key must be a scalar");
					break;
				}
			}
			rc = next_event(kp, &ev);
			if (rc == 0)
				rc = node(kp, &ev, depth + 1, &value);
			if (rc == 0 && json_object_get(c, json_string_value(key)))
				rc = bw_err_at(kp->err, kp->file, 0, 0, "duplicate key \"%.64s\"",
					       json_string_value(key));
			if (rc < 0)
				json_decref(value);
			/* set_new takes value, even when it fails */
			else if (json_object_set_new(c, json_string_value(key), value) < 0)
				rc = bw_errf(kp->err, -ENOMEM, "out of memory");
			json_decref(key);
			if (rc < 0)
				break;
		} else if (json_array_append_new(c, value) < 0) {
			rc = bw_errf(kp->err, -ENOMEM, "out of memory");
			break;
		}
	}
	if (rc < 0) {
		json_decref(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* Builds the node ev starts; takes ev. */
static int node(struct kparse *kp, yaml_event_t *ev, int depth, json_t **out)
{
	yaml_mark_t mark = ev->start_mark;
	int rc = 0;

	*out = NULL;
	if (depth > KUBELET_DEPTH_MAX) {
		yaml_event_delete(ev);
		return fail_at(kp, &mark, "nested too deep");
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		*out = scalar(ev);
		if (!*out)
			rc = fail_at(kp, &mark, "a scalar holds a NUL byte");
		break;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT: {
		bool is_map = ev->type == YAML_MAPPING_START_EVENT;

		yaml_event_delete(ev);
		return collection(kp, is_map, depth, out);
	}
	case YAML_ALIAS_EVENT:
		rc = fail_at(kp, &mark, "aliases are not accepted");
		break;
	default:
		rc = fail_at(kp, &mark, "unexpected YAML structure");
		break;
	}
	yaml_event_delete(ev);
	return rc;
}

int kubelet_parse(const char *text, size_t len, const char *file, json_t **out,
		  struct bw_err *err)
{
	struct kparse kp = { .file = file, .err = err };
	json_t *doc = NULL;
	yaml_event_t ev;
	int rc;

	*out = NULL;
	if (len > KUBELET_CONFIG_MAX)
		return bw_err_at(err, file, 0, 0, "larger than %u bytes", KUBELET_CONFIG_MAX);
	if (!yaml_parser_initialize(&kp.parser))
		return bw_errf(err, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&kp.parser, (const unsigned char *)text, len);
	/* stream start, document start, the node, document end, stream end */
	rc = next_event(&kp, &ev);
	if (rc == 0) {
		yaml_event_delete(&ev);
		rc = next_event(&kp, &ev);
	}
	if (rc == 0 && ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		rc = bw_err_at(err, file, 1, 1, "empty configuration");
	} else if (rc == 0) {
		yaml_event_delete(&ev);
		rc = next_event(&kp, &ev);
		if (rc == 0)
			rc = node(&kp, &ev, 0, &doc);
		if (rc == 0)
			rc = next_event(&kp, &ev);
		if (rc == 0) {
			yaml_event_delete(&ev);
			rc = next_event(&kp, &ev);
		}
		if (rc == 0) {
			if (ev.type != YAML_STREAM_END_EVENT)
				rc = fail_at(&kp, &ev.start_mark, "more than one YAML document");
			yaml_event_delete(&ev);
		}
	}
	yaml_parser_delete(&kp.parser);
	if (rc == 0 && !json_is_object(doc))
		rc = bw_err_at(err, file, 1, 1, "a configuration is a mapping");
	if (rc < 0) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return 0;
}
