/* libFuzzer target: EC2 Query API replies (XML) through expat. */
#include <stddef.h>
#include <stdint.h>

#include "aws/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_xml_doc doc;
	struct bw_err err;
	const char *code, *message;

	aws_xml_init(&doc);
	if (aws_xml_parse((const char *)data, size, &doc, &err) == 0) {
		aws_xml_get(&doc, "AttachNetworkInterfaceResponse/attachmentId");
		aws_xml_error(&doc, &code, &message);
	}
	aws_xml_free(&doc);
	return 0;
}
