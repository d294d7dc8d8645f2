/* EC2 Query API replies (XML), flattened. Pure: no I/O.
 *
 * Each element that holds text becomes one leaf: the names of the elements
 * from the root down, joined by '/', and the text, in document order. A
 * reply such as <AttachNetworkInterfaceResponse><attachmentId>eni-attach-1
 * </attachmentId>… gives "AttachNetworkInterfaceResponse/attachmentId". */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/vec.h"

#define AWS_XML_MAX_BYTES ((size_t)8 * 1024 * 1024)
#define AWS_XML_MAX_DEPTH 64
#define AWS_XML_MAX_LEAVES 200000

struct aws_xml_leaf {
	char *path; /* owned */
	char *text; /* owned, trimmed of surrounding white space */
};

struct aws_xml_doc {
	struct vec leaves; /* struct aws_xml_leaf */
	char root[128];    /* the root element's name */
};

void aws_xml_init(struct aws_xml_doc *doc);
void aws_xml_free(struct aws_xml_doc *doc);

/* Parses len bytes of XML into doc (initialised by the caller). A DOCTYPE,
 * more than AWS_XML_MAX_DEPTH levels or AWS_XML_MAX_LEAVES texts are
 * refused. Returns 0, or -EINVAL with err saying where and why. */
int aws_xml_parse(const char *text, size_t len, struct aws_xml_doc *doc,
		  struct bw_err *err);

/* The text of the first leaf at path, or NULL. */
const char *aws_xml_get(const struct aws_xml_doc *doc, const char *path);

/* Whether doc is an EC2 error reply (<Response><Errors><Error>…); *code
 * and *message point into doc (a missing one is ""). */
bool aws_xml_error(const struct aws_xml_doc *doc, const char **code, const char **message);

/* text made fit for a one-line error: each control character (a newline
 * included) becomes a space, and at most max_len bytes are kept, "..."
 * marking a cut. out_size must exceed max_len + 3. Pure. */
void aws_xml_one_line(const char *text, size_t max_len, char *out, size_t out_size);
