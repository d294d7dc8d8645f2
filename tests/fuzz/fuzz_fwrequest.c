/* libFuzzer target: the bodies of POST /fw/apply, /fw/authorize and
 * /fw/revoke (src/api/fwrequest.c). The first byte picks apply or edit. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/fwrequest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwengine_opts opts;
	struct bw_err err;
	json_t *doc = NULL;
	char *text;

	if (size < 1)
		return 0;
	text = strndup((const char *)data + 1, size - 1);
	if (!text)
		return 0;
	fwroutes_parse(text, data[0] & 1, "/run/bulwark", &opts, &doc, &err);
	json_decref(doc);
	free(text);
	return 0;
}
