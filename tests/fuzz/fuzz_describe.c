/* libFuzzer target: EC2 describe-* replies (XML) to the AWS CLI's JSON.
 * The first byte picks the action; every page also merges and sorts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "aws/describe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum aws_describe what;
	struct bw_err err;
	json_t *page = NULL, *all = NULL;
	char *token = NULL;

	if (size < 1)
		return 0;
	what = (enum aws_describe)(data[0] % AWS_DESCRIBE_N);
	if (aws_describe_page(what, (const char *)data + 1, size - 1, &page, &token, &err) == 0) {
		all = json_deep_copy(page);
		if (all && aws_describe_merge(what, all, page, &err) == 0)
			aws_describe_sort(what, all);
		free(token);
	}
	json_decref(all);
	json_decref(page);
	return 0;
}
