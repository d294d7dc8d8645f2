/* libFuzzer target: API request bodies and query lists (src/api/request.c).
 * The first byte picks the parser, the rest is the body. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_err err;
	json_t *out = NULL;
	char *text;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		api_request_settings((const char *)data + 1, size - 1, &out, &err);
		break;
	case 1:
		api_request_keypairs((const char *)data + 1, size - 1, &out, &err);
		break;
	default:
		/* A query value is a C string. */
		text = strndup((const char *)data + 1, size - 1);
		if (text)
			api_request_list("keys", text, &out, &err);
		free(text);
		break;
	}
	json_decref(out);
	return 0;
}
