/* EC2 Query API replies through expat, flattened to path/text leaves. */
#include "aws/xml.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "util/strbuf.h"

struct xml_walk {
	XML_Parser parser;
	struct aws_xml_doc *doc;
	char *path;          /* the open elements, '/'-joined */
	size_t path_len;
	size_t path_cap;
	size_t starts[AWS_XML_MAX_DEPTH + 1]; /* path_len at each open element */
	int depth;
	struct strbuf text;  /* the current element's text */
	bool has_child;      /* the current element held an element */
	const char *why;     /* set when the walk stopped itself */
};

void aws_xml_init(struct aws_xml_doc *doc)
{
	*doc = (struct aws_xml_doc){ .leaves = VEC_INIT(struct aws_xml_leaf) };
}

void aws_xml_free(struct aws_xml_doc *doc)
{
	for (size_t i = 0; i < doc->leaves.len; i++) {
		struct aws_xml_leaf *leaf = VEC_AT(&doc->leaves, struct aws_xml_leaf, i);

		free(leaf->path);
		free(leaf->text);
	}
	vec_free(&doc->leaves);
}

static void stop(struct xml_walk *walk, const char *why)
{
	if (!walk->why)
		walk->why = why;
	XML_StopParser(walk->parser, XML_FALSE);
}

static void on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_walk *walk = data;
	size_t n = strlen(name);

	(void)attrs;
	if (walk->depth >= AWS_XML_MAX_DEPTH) {
		stop(walk, "elements nested too deep");
		return;
	}
	if (walk->depth == 0)
		snprintf(walk->doc->root, sizeof(walk->doc->root), "%s", name);
	if (walk->path_len + n + 2 > walk->path_cap) {
		size_t cap = (walk->path_len + n + 2) * 2;
		char *grown = realloc(walk->path, cap);

		if (!grown) {
			stop(walk, "out of memory");
			return;
		}
		walk->path = grown;
		walk->path_cap = cap;
	}
	walk->starts[walk->depth++] = walk->path_len;
	if (walk->path_len)
		walk->path[walk->path_len++] = '/';
	memcpy(walk->path + walk->path_len, name, n + 1);
	walk->path_len += n;
	strbuf_free(&walk->text);
	walk->has_child = false;
}

static char *trimmed(const char *s, size_t len)
{
	while (len && strchr(" \t\r\n", s[0])) {
		s++;
		len--;
	}
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	return strndup(s, len);
}

static void on_end(void *data, const XML_Char *name)
{
	struct xml_walk *walk = data;

	(void)name;
	if (!walk->has_child) {
		struct aws_xml_leaf leaf = { 0 };

		if (walk->doc->leaves.len >= AWS_XML_MAX_LEAVES) {
			stop(walk, "too many elements");
			return;
		}
		leaf.path = strdup(walk->path);
		leaf.text = trimmed(walk->text.buf ? walk->text.buf : "", walk->text.len);
		if (walk->text.failed || !leaf.path || !leaf.text ||
		    vec_push(&walk->doc->leaves, &leaf) < 0) {
			free(leaf.path);
			free(leaf.text);
			stop(walk, "out of memory");
			return;
		}
	}
	strbuf_free(&walk->text);
	walk->path_len = walk->starts[--walk->depth];
	walk->path[walk->path_len] = '\0';
	/* The parent now holds an element: it is not a leaf. */
	walk->has_child = true;
}

static void on_text(void *data, const XML_Char *s, int len)
{
	struct xml_walk *walk = data;

	if (walk->depth > 0 && !walk->has_child)
		strbuf_add(&walk->text, s, (size_t)len);
}

/* A DOCTYPE could declare entities; EC2 never sends one. */
static void on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(data, "a DOCTYPE (EC2 replies have none)");
}

int aws_xml_parse(const char *text, size_t len, struct aws_xml_doc *doc,
		  struct bw_err *err)
{
	struct xml_walk walk = { .doc = doc };
	int rc = 0;

	if (len > AWS_XML_MAX_BYTES)
		return bw_errf(err, -EINVAL, "reply of %zu bytes, more than %zu", len,
			       AWS_XML_MAX_BYTES);
	if (len > INT32_MAX)
		return bw_errf(err, -EINVAL, "reply too large");
	walk.parser = XML_ParserCreate("UTF-8");
	if (!walk.parser)
		return bw_errf(err, -ENOMEM, "out of memory");
	XML_SetUserData(walk.parser, &walk);
	XML_SetElementHandler(walk.parser, on_start, on_end);
	XML_SetCharacterDataHandler(walk.parser, on_text);
	XML_SetStartDoctypeDeclHandler(walk.parser, on_doctype);
	if (XML_Parse(walk.parser, text, (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (walk.why)
			rc = bw_errf(err, -EINVAL, "malformed XML reply at line %lu: %s",
				     (unsigned long)XML_GetCurrentLineNumber(walk.parser), walk.why);
		else
			rc = bw_errf(err, -EINVAL, "malformed XML reply at line %lu column %lu: %s",
				     (unsigned long)XML_GetCurrentLineNumber(walk.parser),
				     (unsigned long)XML_GetCurrentColumnNumber(walk.parser) + 1,
				     XML_ErrorString(XML_GetErrorCode(walk.parser)));
	}
	XML_ParserFree(walk.parser);
	free(walk.path);
	strbuf_free(&walk.text);
	return rc;
}

const char *aws_xml_get(const struct aws_xml_doc *doc, const char *path)
{
	for (size_t i = 0; i < doc->leaves.len; i++) {
		const struct aws_xml_leaf *leaf = VEC_AT(&doc->leaves, struct aws_xml_leaf, i);

		if (strcmp(leaf->path, path) == 0)
			return leaf->text;
	}
	return NULL;
}

bool aws_xml_error(const struct aws_xml_doc *doc, const char **code, const char **message)
{
	const char *c = aws_xml_get(doc, "Response/Errors/Error/Code");
	const char *m = aws_xml_get(doc, "Response/Errors/Error/Message");

	/* Some EC2-compatible endpoints answer with a bare <ErrorResponse>. */
	if (!c)
		c = aws_xml_get(doc, "ErrorResponse/Error/Code");
	if (!m)
		m = aws_xml_get(doc, "ErrorResponse/Error/Message");
	if (!c && !m)
		return false;
	*code = c ? c : "";
	*message = m ? m : "";
	return true;
}

void aws_xml_one_line(const char *text, size_t max_len, char *out, size_t out_size)
{
	size_t n = 0;

	if (out_size == 0)
		return;
	for (; *text && n < max_len && n + 1 < out_size; text++) {
		bool is_control = (unsigned char)*text < 0x20 || *text == 0x7f;

		out[n++] = *text;
		if (is_control)
			out[n - 1] = ' ';
	}
	if (*text && n + 4 <= out_size) {
		/* Do not leave half a UTF-8 sequence before the cut. */
		while (n && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n && (unsigned char)out[n - 1] >= 0xc0)
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}
