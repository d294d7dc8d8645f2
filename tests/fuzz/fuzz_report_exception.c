/* libFuzzer target: an exception file (exceptions.d/<check>.json). */
#include <stddef.h>
#include <stdint.h>

#include "report/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_exception ex;
	struct bw_err err;

	exception_parse((const char *)data, size, "fuzz.json", &ex, &err);
	return 0;
}
