/* bw-nftobj: prints what render/nftobj.c makes of rendered rulesets, for
 * tests/netns/nftobj.sh and by hand.
 *
 *   bw-nftobj delta FROM TO   the one transaction turning FROM into TO
 *                             (nothing when they are equal); the number
 *                             of changed objects on stderr
 *   bw-nftobj staged FILE N   the transactions loading FILE onto an empty
 *                             host, at most N elements each, every one
 *                             followed by the line NFTOBJ_END
 * Exit 0, 1 on failure, 3 when the change cannot be loaded as edits
 * (-EOPNOTSUPP: the caller replaces the tables). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fsroot.h"
#include "render/nftobj.h"

#define END_LINE "# NFTOBJ_END\n"

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

static int load(const char *path, struct nftobj_ruleset *rs)
{
	struct bw_err err;
	char line[600];
	char *text = slurp(path);
	int rc;

	if (!text) {
		fprintf(stderr, "bw-nftobj: %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = nftobj_parse(text, rs, &err);
	free(text);
	if (rc < 0) {
		bw_err_format(&err, line, sizeof(line));
		fprintf(stderr, "bw-nftobj: %s: %s\n", path, line);
	}
	return rc;
}

static int fail(int rc, const struct bw_err *err)
{
	char line[600];

	bw_err_format(err, line, sizeof(line));
	fprintf(stderr, "bw-nftobj: %s\n", line);
	return rc == -EOPNOTSUPP ? 3 : 1;
}

static int delta(const char *from_path, const char *to_path)
{
	struct nftobj_ruleset from, to;
	struct bw_err err;
	char *txn = NULL;
	size_t n_changed = 0;
	int rc;

	if (load(from_path, &from) < 0)
		return 1;
	if (load(to_path, &to) < 0) {
		nftobj_free(&from);
		return 1;
	}
	rc = nftobj_delta(&from, &to, &txn, &n_changed, &err);
	nftobj_free(&from);
	nftobj_free(&to);
	if (rc < 0)
		return fail(rc, &err);
	fputs(txn, stdout);
	fprintf(stderr, "%zu changed\n", n_changed);
	free(txn);
	return 0;
}

static int staged(const char *path, const char *count)
{
	struct nftobj_ruleset rs;
	struct vec txns;
	struct bw_err err;
	char *end;
	unsigned long n = strtoul(count, &end, 10);
	int rc;

	if (*end || n == 0) {
		fprintf(stderr, "bw-nftobj: bad count %s\n", count);
		return 2;
	}
	if (load(path, &rs) < 0)
		return 1;
	rc = nftobj_staged(&rs, n, &txns, &err);
	nftobj_free(&rs);
	if (rc < 0)
		return fail(rc, &err);
	for (size_t i = 0; i < txns.len; i++) {
		char *txn = *VEC_AT(&txns, char *, i);

		fputs(txn, stdout);
		fputs(END_LINE, stdout);
		free(txn);
	}
	vec_free(&txns);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "delta"))
		return delta(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "staged"))
		return staged(argv[2], argv[3]);
	fprintf(stderr, "usage: bw-nftobj delta FROM TO | bw-nftobj staged FILE N\n");
	return 2;
}
