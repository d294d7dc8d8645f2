/* libFuzzer target: render/nftobj.c, the reader of bulwark's rendered
 * rulesets and what it makes of them. An input holding a line "%%" is two
 * rulesets, a delta is taken between them and the second overlaid on the
 * first as an edit would be; any input is also compared
 * with itself (which must change nothing) and loaded in parts. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/nftobj.h"

static void free_txns(struct vec *txns)
{
	for (size_t i = 0; i < txns->len; i++)
		free(*VEC_AT(txns, char *, i));
	vec_free(txns);
}

static void exercise(const char *text, size_t max_elements)
{
	struct nftobj_ruleset rs;
	struct vec txns;
	struct bw_err err;
	char *txn = NULL;
	size_t n_changed = 0;
	int rc;

	if (nftobj_parse(text, &rs, &err) != 0)
		return;
	rc = nftobj_delta(&rs, &rs, &txn, &n_changed, &err);
	/* Equal rulesets: nothing to do, or an object declared twice. */
	if ((rc == 0 && (txn[0] || n_changed)) || (rc != 0 && rc != -EINVAL))
		abort();
	free(txn);
	if (nftobj_staged(&rs, max_elements, &txns, &err) == 0)
		free_txns(&txns);
	nftobj_free(&rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char *split;
	struct nftobj_ruleset from, to;
	struct bw_err err;
	char *txn = NULL;
	size_t n_changed;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	exercise(text, size % 5 + 1);
	split = strstr(text, "\n%%\n");
	if (split) {
		*split = '\0';
		if (nftobj_parse(text, &from, &err) == 0) {
			if (nftobj_parse(split + 4, &to, &err) == 0) {
				if (nftobj_delta(&from, &to, &txn, &n_changed, &err) == 0 &&
				    (txn[0] != '\0') != (n_changed > 0))
					abort();
				free(txn);
				nftobj_free(&to);
			}
			nftobj_free(&from);
		}
		/* The second overlaid on the first as an edit's after, the
		 * first its before: the result is a ruleset a delta reads
		 * (equal to itself). */
		if (nftobj_parse(text, &from, &err) == 0) {
			if (nftobj_overlay(&from, text, split + 4, &err) == 0 &&
			    nftobj_delta(&from, &from, &txn, &n_changed, &err) == 0) {
				if (n_changed)
					abort();
				free(txn);
			}
			nftobj_free(&from);
		}
	}
	free(text);
	return 0;
}
