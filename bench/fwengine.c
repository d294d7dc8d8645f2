/* bw-fwengine: the server's edit path in-process, without the kernel: an
 * engine that keeps its model (as `bulwark serve` does) edits one group of
 * a folder of AWS CLI output, authorize then revoke, N times, and prints
 * the first edit (the folder read), the median of the others (the answer)
 * and of the file writes after them (fwengine_flush), and the resident
 * memory holding the model. No table is live (the record is in a fresh
 * folder), so nothing reaches the kernel: the kernel's share is
 * bw-nfttime's.
 *
 *   bw-fwengine AWSDIR STATEDIR [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/fwengine.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static long status_kb(const char *key)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			kb = strtol(line + strlen(key) + 1, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	const char *rule = "[{\"IpProtocol\": \"tcp\", \"FromPort\": 7000, \"ToPort\": 7000, "
			   "\"IpRanges\": [{\"CidrIp\": \"198.51.100.0/24\"}]}]";
	struct fwengine e;
	struct bw_err err;
	int n = argc > 3 ? atoi(argv[3]) : 11;
	double first = 0, *edit, *flush;

	if (argc < 3 || n < 2) {
		fprintf(stderr, "usage: bw-fwengine AWSDIR STATEDIR [N]\n");
		return 2;
	}
	edit = calloc((size_t)n, sizeof(double));
	flush = calloc((size_t)n, sizeof(double));
	if (!edit || !flush)
		return 1;
	fwengine_init(&e, "", true);
	for (int i = 0; i < n; i++) {
		struct fwengine_opts opts = { .aws_dir = argv[1], .state_dir = argv[2],
					      .group_id = "sg-00000000000000007",
					      .permissions = rule, .dir = VPC_INGRESS,
					      .is_revoke = i % 2 == 1 };
		struct strbuf out = { 0 };
		double t0 = now_ms(), t1, t2;

		if (fwengine_edit(&e, &opts, &out, &err) < 0) {
			fprintf(stderr, "bw-fwengine: %s\n", err.msg);
			return 1;
		}
		t1 = now_ms();
		fwengine_flush(&e);
		t2 = now_ms();
		strbuf_free(&out);
		if (i == 0)
			first = t1 - t0;
		edit[i] = t1 - t0;
		flush[i] = t2 - t1;
	}
	qsort(edit + 1, (size_t)n - 1, sizeof(double), cmp);
	qsort(flush + 1, (size_t)n - 1, sizeof(double), cmp);
	printf("first_edit_ms %.1f\nedit_ms %.2f\nflush_ms %.1f\nrss_mb %ld\npeak_mb %ld\n", first,
	       edit[1 + (n - 1) / 2], flush[1 + (n - 1) / 2], status_kb("VmRSS:") / 1024,
	       status_kb("VmHWM:") / 1024);
	fwengine_free(&e);
	free(edit);
	free(flush);
	return 0;
}
