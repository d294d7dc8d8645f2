/* libFuzzer target: the kubelet / kube-proxy configuration reader (YAML or JSON). */
#include <stddef.h>
#include <stdint.h>

#include "report/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_err err;
	json_t *doc = NULL;

	if (kubelet_parse((const char *)data, size, "fuzz.yaml", &doc, &err) == 0)
		json_decref(doc);
	return 0;
}
