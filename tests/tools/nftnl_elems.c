/* bw-nftnl-elems: loads the elements of a rendered ruleset through
 * host/nftnl_elems.c, for tests/netns/nftnl_elems.sh and by hand.
 *
 *   bw-nftnl-elems load FILE [MAX]   every set's and map's elements of
 *                                    FILE (its tables declared, their
 *                                    sets empty), at most MAX elements a
 *                                    transaction (default: all in one)
 *   bw-nftnl-elems staged FILE [MAX] FILE onto a namespace without its
 *                                    tables, as fw apply would: its
 *                                    declarations and base chains through
 *                                    libnftables, its elements through
 *                                    libnftnl; prints the transactions
 *   bw-nftnl-elems check FILE        whether every set can be encoded
 * Exit 0; 1 when the kernel or the socket refused; 2 for an element nft
 * would refuse; 3 for a form the loader does not encode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fsroot.h"
#include "host/nftnl_elems.h"
#include "render/nftobj.h"

/* The whole file, NUL-terminated; NULL (said on stderr) when unreadable. */
static char *slurp(const char *path)
{
	struct bw_err err;
	char *text;
	size_t len;

	if (fsroot_slurp(path, (size_t)1 << 31, &text, &len, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return NULL;
	}
	return text;
}

static int exit_code(int rc)
{
	return rc == -EOPNOTSUPP ? 3 : rc == -EINVAL ? 2 : 1;
}

int main(int argc, char **argv)
{
	struct nftobj_ruleset rs = { .tables = VEC_INIT(struct nftobj_table) };
	struct bw_err err = { 0 };
	char line[600];
	char *text;
	int rc;

	size_t max = argc > 3 ? strtoul(argv[3], NULL, 10) : (size_t)-1, n_txns = 0, n_total = 0;

	if (argc < 3 || (strcmp(argv[1], "load") != 0 && strcmp(argv[1], "check") != 0 &&
			 strcmp(argv[1], "staged") != 0)) {
		fprintf(stderr, "usage: bw-nftnl-elems load|staged|check FILE [MAX]\n");
		return 2;
	}
	text = slurp(argv[2]);
	if (!text) {
		fprintf(stderr, "bw-nftnl-elems: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	rc = nftobj_parse(text, &rs, &err);
	free(text);
	if (rc == 0 && strcmp(argv[1], "check") == 0)
		rc = nftnl_elems_check(&rs, &err);
	else if (rc == 0 && strcmp(argv[1], "staged") == 0)
		rc = nftnl_elems_load_staged(&rs, max, &n_txns, &n_total, &err);
	else if (rc == 0)
		rc = nftnl_elems_load(&rs, max, &n_txns, &err);
	if (rc == 0 && strcmp(argv[1], "check") != 0)
		printf("%zu transactions\n", n_txns);
	nftobj_free(&rs);
	if (rc < 0) {
		bw_err_format(&err, line, sizeof(line));
		fprintf(stderr, "bw-nftnl-elems: %s\n", line);
		return exit_code(rc);
	}
	return 0;
}
