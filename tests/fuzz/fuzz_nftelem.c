/* libFuzzer target: render/nftelem.c, a set's declaration and its
 * element texts turned into netlink elements. The input is the
 * declaration's lines, a line "%%", then one element a line. Checks what
 * must hold of any encoding: items named exist, a key end never below
 * its key, an interval set's starts strictly increasing, a failure
 * leaving the output as it was and saying which set. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/nftelem.h"

#define MAX_ITEMS 256

static void check(const struct nftelem_layout *l, const struct vec *out, size_t n)
{
	const uint8_t *last = NULL;

	for (size_t i = 0; i < out->len; i++) {
		const struct nftelem *e = VEC_AT(out, struct nftelem, i);

		if (e->item >= n || (e->has_key_end && memcmp(e->key, e->key_end, l->key_len) > 0))
			abort();
		if (l->is_interval && l->n_fields == 1 && !e->is_interval_end) {
			if (last && memcmp(last, e->key, l->key_len) >= 0)
				abort();
			last = e->key;
		}
		if (e->has_verdict && (e->verdict == -3 || e->verdict == -4) && !e->chain_len)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char *items[MAX_ITEMS];
	struct vec out = VEC_INIT(struct nftelem);
	struct nftelem_layout layout;
	struct bw_err err;
	char *split, *s;
	size_t n = 0;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	split = strstr(text, "\n%%\n");
	if (!split)
		goto out;
	*split = '\0';
	if (nftelem_layout_parse("s", text, &layout, &err) != 0)
		goto out;
	for (s = split + 4; *s && n < MAX_ITEMS; n++) {
		char *nl = strchr(s, '\n');

		items[n] = s;
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	rc = nftelem_encode("s", &layout, items, n, &out, &err);
	if (rc == 0)
		check(&layout, &out, n);
	else if ((rc != -EINVAL && rc != -EOPNOTSUPP && rc != -ENOMEM) || out.len != 0 ||
		 strncmp(err.msg, "set s", 5) != 0)
		abort();
out:
	vec_free(&out);
	free(text);
	return 0;
}
