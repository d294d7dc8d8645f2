/* libFuzzer target: modprobe.d install lines, journald.conf's Storage=, and the firewall judge on
 * whatever JSON the input holds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char cmd[256], storage[16] = "auto";
	json_t *doc;
	struct nft_verdicts v;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (modprobe_find_install(text, "udf", cmd, sizeof(cmd)))
		modprobe_is_disabling(cmd);
	journald_storage(text, storage, sizeof(storage));
	doc = json_loadb((const char *)data, size, 0, NULL);
	if (doc) {
		nft_judge(doc, 4, &v);
		nft_judge(doc, 6, &v);
		json_decref(doc);
	}
	free(text);
	return 0;
}
