/* libFuzzer target: the keypair form (settings_from_keypairs). Each input
 * line is one pair; any tree it returns must pass validation, build a plan
 * and render a host firewall. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/settings.h"
#include "render/host_nft.h"

#define MAX_PAIRS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *save = NULL;
	const char *pairs[MAX_PAIRS];
	size_t n = 0;
	json_t *tree = NULL;
	struct bw_err err;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *line = strtok_r(text, "\n", &save); line && n < MAX_PAIRS;
	     line = strtok_r(NULL, "\n", &save))
		pairs[n++] = line;
	if (settings_from_keypairs(pairs, n, &tree, &err) == 0) {
		struct settings_plan plan;
		struct strbuf out = { 0 };

		if (settings_validate(tree, false, &err) != 0)
			abort();
		settings_plan_init(&plan);
		if (settings_plan_build(tree, &plan, &err) != 0)
			abort();
		host_nft_render(&plan.host_fw, &out);
		strbuf_free(&out);
		settings_plan_free(&plan);
		json_decref(tree);
	}
	free(text);
	return 0;
}
