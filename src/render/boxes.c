#include "render/boxes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Cut points on one axis: the starts of pieces, sorted, unique. */
struct cuts {
	uint64_t *at;
	size_t n;
};

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int compare_a128(const void *a, const void *b)
{
	addr128 x = *(const addr128 *)a, y = *(const addr128 *)b;

	return x < y ? -1 : x > y;
}

static size_t unique_u64(uint64_t *v, size_t n)
{
	size_t m = 0;

	qsort(v, n, sizeof(*v), compare_u64);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

/* One piece of the a or b axis and the address pieces within it. */
struct slab {
	uint32_t lo, hi;
	struct vec addrs; /* struct box: only addr and verdict used */
};

static bool same_addrs(const struct vec *x, const struct vec *y)
{
	if (x->len != y->len)
		return false;
	for (size_t i = 0; i < x->len; i++) {
		const struct box *p = VEC_AT(x, struct box, i), *q = VEC_AT(y, struct box, i);

		if (p->addr_lo != q->addr_lo || p->addr_hi != q->addr_hi || p->verdict != q->verdict)
			return false;
	}
	return true;
}

/* The address pieces of one (a, b) cell: among the boxes that cover the
 * cell (indexes in order), the first covering each address piece wins. */
static int solve_cell(const struct box *boxes, const size_t *cover, size_t n_cover,
		      struct vec *addrs)
{
	addr128 *starts = malloc((2 * n_cover + 1) * sizeof(*starts));
	size_t n = 0, m = 0;

	if (!starts)
		return -ENOMEM;
	for (size_t i = 0; i < n_cover; i++) {
		const struct box *b = &boxes[cover[i]];

		starts[n++] = b->addr_lo;
		/* hi + 1 overflows only at the very top, where nothing follows. */
		if (b->addr_hi != ~(addr128)0)
			starts[n++] = b->addr_hi + 1;
	}
	qsort(starts, n, sizeof(*starts), compare_a128);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || starts[m - 1] != starts[i])
			starts[m++] = starts[i];
	for (size_t i = 0; i < m; i++) {
		addr128 lo = starts[i], hi = i + 1 < m ? starts[i + 1] - 1 : ~(addr128)0;
		const struct box *winner = NULL;

		for (size_t j = 0; j < n_cover && !winner; j++) {
			const struct box *b = &boxes[cover[j]];

			if (b->addr_lo <= lo && hi <= b->addr_hi)
				winner = b;
		}
		if (!winner)
			continue;
		if (addrs->len > 0) {
			struct box *last = VEC_AT(addrs, struct box, addrs->len - 1);

			if (last->verdict == winner->verdict && last->addr_hi + 1 == lo) {
				last->addr_hi = hi;
				continue;
			}
		}
		struct box piece = { .addr_lo = lo, .addr_hi = hi, .verdict = winner->verdict };

		if (vec_push(addrs, &piece) < 0) {
			free(starts);
			return -ENOMEM;
		}
	}
	free(starts);
	return 0;
}

/* Cut points of the boxes listed in idx on the a axis (is_a) or b axis. */
static int make_cuts(const struct box *boxes, const size_t *idx, size_t n, bool is_a,
		     struct cuts *cuts)
{
	cuts->at = malloc((2 * n + 1) * sizeof(*cuts->at));
	if (!cuts->at)
		return -ENOMEM;
	cuts->n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct box *b = &boxes[idx[i]];

		cuts->at[cuts->n++] = is_a ? b->a_lo : b->b_lo;
		cuts->at[cuts->n++] = (uint64_t)(is_a ? b->a_hi : b->b_hi) + 1;
	}
	cuts->n = unique_u64(cuts->at, cuts->n);
	return 0;
}

static void free_slabs(struct vec *slabs)
{
	for (size_t i = 0; i < slabs->len; i++)
		vec_free(&VEC_AT(slabs, struct slab, i)->addrs);
	vec_free(slabs);
}

/* Appends slab to slabs, or widens the last one when it is the next piece
 * and holds the same address pieces. Takes ownership of slab->addrs. */
static int push_slab(struct vec *slabs, struct slab *slab)
{
	if (slabs->len > 0) {
		struct slab *last = VEC_AT(slabs, struct slab, slabs->len - 1);

		if ((uint64_t)last->hi + 1 == slab->lo && same_addrs(&last->addrs, &slab->addrs)) {
			last->hi = slab->hi;
			vec_free(&slab->addrs);
			return 0;
		}
	}
	if (vec_push(slabs, slab) < 0) {
		vec_free(&slab->addrs);
		return -ENOMEM;
	}
	return 0;
}

/* The a-axis slabs of one b piece. */
static int solve_b_piece(const struct box *boxes, const size_t *in_b, size_t n_in_b,
			 size_t *scratch, struct vec *a_slabs)
{
	struct cuts a_cuts;
	int rc = make_cuts(boxes, in_b, n_in_b, true, &a_cuts);

	for (size_t i = 0; rc == 0 && i + 1 < a_cuts.n; i++) {
		uint32_t lo = (uint32_t)a_cuts.at[i], hi = (uint32_t)(a_cuts.at[i + 1] - 1);
		struct slab slab = { .lo = lo, .hi = hi, .addrs = VEC_INIT(struct box) };
		size_t n_cover = 0;

		for (size_t j = 0; j < n_in_b; j++) {
			const struct box *b = &boxes[in_b[j]];

			if (b->a_lo <= lo && hi <= b->a_hi)
				scratch[n_cover++] = in_b[j];
		}
		if (n_cover == 0)
			continue;
		rc = solve_cell(boxes, scratch, n_cover, &slab.addrs);
		if (rc == 0)
			rc = push_slab(a_slabs, &slab);
		else
			vec_free(&slab.addrs);
	}
	free(a_cuts.at);
	return rc;
}

static bool same_a_slabs(const struct vec *x, const struct vec *y)
{
	if (x->len != y->len)
		return false;
	for (size_t i = 0; i < x->len; i++) {
		const struct slab *p = VEC_AT(x, struct slab, i), *q = VEC_AT(y, struct slab, i);

		if (p->lo != q->lo || p->hi != q->hi || !same_addrs(&p->addrs, &q->addrs))
			return false;
	}
	return true;
}

struct b_piece {
	uint32_t lo, hi;
	struct vec a_slabs; /* struct slab */
};

static int emit(const struct vec *b_pieces, struct vec *out)
{
	for (size_t i = 0; i < b_pieces->len; i++) {
		const struct b_piece *bp = VEC_AT(b_pieces, struct b_piece, i);

		for (size_t j = 0; j < bp->a_slabs.len; j++) {
			const struct slab *slab = VEC_AT(&bp->a_slabs, struct slab, j);

			for (size_t k = 0; k < slab->addrs.len; k++) {
				struct box box = *VEC_AT(&slab->addrs, struct box, k);

				box.a_lo = slab->lo;
				box.a_hi = slab->hi;
				box.b_lo = bp->lo;
				box.b_hi = bp->hi;
				if (vec_push(out, &box) < 0)
					return -ENOMEM;
			}
		}
	}
	return 0;
}

int boxes_first_match(const struct box *boxes, size_t n, struct vec *out)
{
	struct vec b_pieces = VEC_INIT(struct b_piece);
	size_t *all = malloc((n + 1) * sizeof(*all));
	size_t *in_b = malloc((n + 1) * sizeof(*in_b));
	size_t *scratch = malloc((n + 1) * sizeof(*scratch));
	struct cuts b_cuts = { 0 };
	int rc = all && in_b && scratch ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < n; i++)
		all[i] = i;
	if (rc == 0)
		rc = make_cuts(boxes, all, n, false, &b_cuts);
	for (size_t i = 0; rc == 0 && i + 1 < b_cuts.n; i++) {
		struct b_piece bp = { .lo = (uint32_t)b_cuts.at[i],
				      .hi = (uint32_t)(b_cuts.at[i + 1] - 1),
				      .a_slabs = VEC_INIT(struct slab) };
		size_t n_in_b = 0;

		for (size_t j = 0; j < n; j++)
			if (boxes[j].b_lo <= bp.lo && bp.hi <= boxes[j].b_hi)
				in_b[n_in_b++] = j;
		if (n_in_b == 0)
			continue;
		rc = solve_b_piece(boxes, in_b, n_in_b, scratch, &bp.a_slabs);
		if (rc < 0) {
			free_slabs(&bp.a_slabs);
			break;
		}
		if (b_pieces.len > 0) {
			struct b_piece *last = VEC_AT(&b_pieces, struct b_piece, b_pieces.len - 1);

			if ((uint64_t)last->hi + 1 == bp.lo && same_a_slabs(&last->a_slabs, &bp.a_slabs)) {
				last->hi = bp.hi;
				free_slabs(&bp.a_slabs);
				continue;
			}
		}
		if (vec_push(&b_pieces, &bp) < 0) {
			free_slabs(&bp.a_slabs);
			rc = -ENOMEM;
		}
	}
	if (rc == 0)
		rc = emit(&b_pieces, out);
	for (size_t i = 0; i < b_pieces.len; i++)
		free_slabs(&VEC_AT(&b_pieces, struct b_piece, i)->a_slabs);
	vec_free(&b_pieces);
	free(b_cuts.at);
	free(all);
	free(in_b);
	free(scratch);
	return rc;
}
