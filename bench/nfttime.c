/* bw-nfttime: loads an nftables file through libnftables in this process
 * and prints how long the call took, in milliseconds: the cost of a
 * transaction without the cost of starting a program.
 *
 *   bw-nfttime FILE [--check] */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nftables/libnftables.h>

int main(int argc, char **argv)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	struct timespec start, end;
	int rc;

	if (argc < 2 || !ctx) {
		fprintf(stderr, "usage: bw-nfttime FILE [--check]\n");
		return 2;
	}
	nft_ctx_set_dry_run(ctx, argc > 2 && strcmp(argv[2], "--check") == 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = nft_run_cmd_from_filename(ctx, argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &end);
	nft_ctx_free(ctx);
	if (rc != 0)
		return 1;
	printf("%.1f\n", (double)(end.tv_sec - start.tv_sec) * 1e3 +
			 (double)(end.tv_nsec - start.tv_nsec) / 1e6);
	return 0;
}
