/* FIPS Security Policy report: the three checks bloodhound runs
 * (bottlerocket-fips-checks). */
#include <string.h>

#include "host/fsroot.h"
#include "report/checks.h"

#define FIPS_NAME "Amazon Linux 2023 Kernel Cryptographic API"

static void fips01000000(const struct check_host *host, struct check_result *res)
{
	char got[64];
	struct bw_err err;

	if (fsroot_read(host->root, "/proc/sys/crypto/fips_enabled", got, sizeof(got), &err) < 0)
		check_skip(res, "/proc/sys/crypto/fips_enabled not found");
	else if (strcmp(got, "1") != 0)
		check_fail(res, "/proc/sys/crypto/fips_enabled != 1 (it is %s)", got);
	else
		check_pass(res);
}

static void fips01010000(const struct check_host *host, struct check_result *res)
{
	char got[256];
	struct bw_err err;

	if (fsroot_read(host->root, "/proc/sys/crypto/fips_name", got, sizeof(got), &err) < 0)
		check_skip(res, "/proc/sys/crypto/fips_name not found");
	else if (!strstr(got, FIPS_NAME))
		check_fail(res, "/proc/sys/crypto/fips_name != '" FIPS_NAME "' (it is '%s')", got);
	else
		check_pass(res);
}

static void fips01020000(const struct check_host *host, struct check_result *res)
{
	static const char *const markers[] = { "/etc/.fips-kernel-check-passed",
					       "/etc/.fips-module-check-passed" };

	for (size_t i = 0; i < 2; i++)
		if (!fsroot_exists(host->root, markers[i])) {
			check_fail(res, "%s not found", markers[i]);
			return;
		}
	check_pass(res);
}

static const struct check_def checks[] = {
	{ "fips01000000", "1.0", 0, "FIPS mode is enabled.", false, fips01000000 },
	{ "fips01010000", "1.1", 0, "FIPS module is " FIPS_NAME ".", false, fips01010000 },
	{ "fips01020000", "1.2", 0, "FIPS self-tests passed.", false, fips01020000 },
};

const struct check_def *fips_checks(size_t *n)
{
	*n = sizeof(checks) / sizeof(checks[0]);
	return checks;
}
