/* libFuzzer target: what IMDS answers (a role's credentials as JSON, ids,
 * MAC addresses). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/creds.h"
#include "aws/imds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_creds creds = { 0 };
	struct bw_err err;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	aws_is_mac(text);
	aws_is_id(text, "eni-");
	aws_creds_from_imds_json((const char *)data, size, &creds, &err);
	aws_creds_wipe(&creds);
	free(text);
	return 0;
}
