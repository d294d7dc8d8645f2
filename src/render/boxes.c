#include "render/boxes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* How this stays near-linear in the number of boxes: the boxes that share
 * their a and b ranges (a rule naming a group gives one box per member
 * address, alike but for the address) are taken together as one rectangle
 * of the a-b plane, so the a and b axes are cut at rule boundaries only.
 * Within each (a, b) cell, the address axis is solved by one sweep in
 * address order that keeps the boxes covering the current address in a
 * heap by priority: O(n log n) for the n boxes covering the cell. */

#define ADDR_MAX (~(addr128)0)

/* A box as the address sweep sees it. */
struct item {
	addr128 lo, hi;
	size_t priority; /* its index in the input: lower wins */
	int verdict;
};

/* The boxes that share one a range and one b range. */
struct rect {
	uint32_t a_lo, a_hi, b_lo, b_hi;
	size_t first, n; /* their items: rect_items[first .. first + n) */
};

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

static int compare_item_lo(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->priority < y->priority ? -1 : x->priority > y->priority;
}

/* Input indexes ordered by a range, then b range, then index. */
struct keyed {
	uint32_t a_lo, a_hi, b_lo, b_hi;
	size_t index;
};

static int compare_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->a_lo != y->a_lo)
		return x->a_lo < y->a_lo ? -1 : 1;
	if (x->a_hi != y->a_hi)
		return x->a_hi < y->a_hi ? -1 : 1;
	if (x->b_lo != y->b_lo)
		return x->b_lo < y->b_lo ? -1 : 1;
	if (x->b_hi != y->b_hi)
		return x->b_hi < y->b_hi ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
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

/* ---- the address axis of one cell -------------------------------------- */

/* A binary min-heap of items by priority. */
struct heap {
	const struct item **at;
	size_t n;
};

static void heap_push(struct heap *h, const struct item *it)
{
	size_t i = h->n++;

	while (i > 0 && h->at[(i - 1) / 2]->priority > it->priority) {
		h->at[i] = h->at[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->at[i] = it;
}

static void heap_pop(struct heap *h)
{
	const struct item *last = h->at[--h->n];
	size_t i = 0;

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && h->at[child + 1]->priority < h->at[child]->priority)
			child++;
		if (h->at[child]->priority >= last->priority)
			break;
		h->at[i] = h->at[child];
		i = child;
	}
	if (h->n > 0)
		h->at[i] = last;
}

/* Appends [lo, hi] with verdict to addrs, or widens the last piece when it
 * ends just before lo with the same verdict. */
static int push_piece(struct vec *addrs, addr128 lo, addr128 hi, int verdict)
{
	struct box piece = { .addr_lo = lo, .addr_hi = hi, .verdict = verdict };

	if (addrs->len > 0) {
		struct box *last = VEC_AT(addrs, struct box, addrs->len - 1);

		if (last->verdict == verdict && last->addr_hi + 1 == lo) {
			last->addr_hi = hi;
			return 0;
		}
	}
	return vec_push(addrs, &piece);
}

/* The address pieces of one (a, b) cell, given the items covering it:
 * each address goes to the covering item of lowest priority. The winner
 * changes only where it ends or where another item starts, so the sweep
 * steps from one such point to the next. Sorts items. */
static int solve_cell(struct item *items, size_t n, struct heap *heap, struct vec *addrs)
{
	size_t next = 0;
	addr128 pos;

	qsort(items, n, sizeof(*items), compare_item_lo);
	heap->n = 0;
	pos = n > 0 ? items[0].lo : 0;
	while (next < n || heap->n > 0) {
		const struct item *top;
		addr128 end;

		while (next < n && items[next].lo <= pos)
			heap_push(heap, &items[next++]);
		/* Items below the top that ended stay until they surface. */
		while (heap->n > 0 && heap->at[0]->hi < pos)
			heap_pop(heap);
		if (heap->n == 0) {
			if (next == n)
				break;
			pos = items[next].lo;
			continue;
		}
		top = heap->at[0];
		end = top->hi;
		if (next < n && items[next].lo - 1 < end)
			end = items[next].lo - 1;
		if (push_piece(addrs, pos, end, top->verdict) < 0)
			return -ENOMEM;
		if (end == ADDR_MAX)
			break;
		pos = end + 1;
	}
	return 0;
}

/* ---- the a and b axes ---------------------------------------------------- */

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

/* Cut points of the rects listed in idx on the a axis (is_a) or b axis. */
static int make_cuts(const struct rect *rects, const size_t *idx, size_t n, bool is_a,
		     struct cuts *cuts)
{
	cuts->at = malloc((2 * n + 1) * sizeof(*cuts->at));
	if (!cuts->at)
		return -ENOMEM;
	cuts->n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rect *r = &rects[idx[i]];

		cuts->at[cuts->n++] = is_a ? r->a_lo : r->b_lo;
		cuts->at[cuts->n++] = (uint64_t)(is_a ? r->a_hi : r->b_hi) + 1;
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

/* What the solver works with: the rects and scratch space sized for all
 * the input's items. */
struct solver {
	const struct rect *rects;
	const struct item *rect_items;
	size_t *in_a;      /* rects covering the current a piece */
	struct item *cell; /* the items of the current cell */
	struct heap heap;
};

/* The a-axis slabs of one b piece, whose covering rects are in_b. */
static int solve_b_piece(struct solver *s, const size_t *in_b, size_t n_in_b,
			 struct vec *a_slabs)
{
	struct cuts a_cuts;
	int rc = make_cuts(s->rects, in_b, n_in_b, true, &a_cuts);

	for (size_t i = 0; rc == 0 && i + 1 < a_cuts.n; i++) {
		uint32_t lo = (uint32_t)a_cuts.at[i], hi = (uint32_t)(a_cuts.at[i + 1] - 1);
		struct slab slab = { .lo = lo, .hi = hi, .addrs = VEC_INIT(struct box) };
		size_t n_cell = 0;

		for (size_t j = 0; j < n_in_b; j++) {
			const struct rect *r = &s->rects[in_b[j]];

			if (r->a_lo <= lo && hi <= r->a_hi) {
				memcpy(&s->cell[n_cell], &s->rect_items[r->first],
				       r->n * sizeof(*s->cell));
				n_cell += r->n;
			}
		}
		if (n_cell == 0)
			continue;
		rc = solve_cell(s->cell, n_cell, &s->heap, &slab.addrs);
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

/* Groups the input into rects; rect_items holds their items, rect by rect. */
static int make_rects(const struct box *boxes, size_t n, struct rect *rects, size_t *n_rects,
		      struct item *rect_items)
{
	struct keyed *keys = malloc((n + 1) * sizeof(*keys));

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct keyed){ boxes[i].a_lo, boxes[i].a_hi, boxes[i].b_lo,
					  boxes[i].b_hi, i };
	qsort(keys, n, sizeof(*keys), compare_keyed);
	*n_rects = 0;
	for (size_t i = 0; i < n; i++) {
		const struct box *b = &boxes[keys[i].index];
		struct rect *last = *n_rects ? &rects[*n_rects - 1] : NULL;

		if (!last || last->a_lo != b->a_lo || last->a_hi != b->a_hi ||
		    last->b_lo != b->b_lo || last->b_hi != b->b_hi) {
			last = &rects[(*n_rects)++];
			*last = (struct rect){ b->a_lo, b->a_hi, b->b_lo, b->b_hi, i, 0 };
		}
		last->n++;
		rect_items[i] = (struct item){ b->addr_lo, b->addr_hi, keys[i].index, b->verdict };
	}
	free(keys);
	return 0;
}

int boxes_first_match(const struct box *boxes, size_t n, struct vec *out)
{
	struct vec b_pieces = VEC_INIT(struct b_piece);
	struct rect *rects = malloc((n + 1) * sizeof(*rects));
	struct item *rect_items = malloc((n + 1) * sizeof(*rect_items));
	size_t *all = malloc((n + 1) * sizeof(*all));
	size_t *in_b = malloc((n + 1) * sizeof(*in_b));
	struct solver s = { .rects = rects, .rect_items = rect_items,
			    .cell = malloc((n + 1) * sizeof(*s.cell)),
			    .heap.at = malloc((n + 1) * sizeof(const struct item *)) };
	struct cuts b_cuts = { 0 };
	size_t n_rects = 0;
	int rc = rects && rect_items && all && in_b && s.cell && s.heap.at ? 0 : -ENOMEM;

	if (rc == 0)
		rc = make_rects(boxes, n, rects, &n_rects, rect_items);
	for (size_t i = 0; rc == 0 && i < n_rects; i++)
		all[i] = i;
	if (rc == 0)
		rc = make_cuts(rects, all, n_rects, false, &b_cuts);
	for (size_t i = 0; rc == 0 && i + 1 < b_cuts.n; i++) {
		struct b_piece bp = { .lo = (uint32_t)b_cuts.at[i],
				      .hi = (uint32_t)(b_cuts.at[i + 1] - 1),
				      .a_slabs = VEC_INIT(struct slab) };
		size_t n_in_b = 0;

		for (size_t j = 0; j < n_rects; j++)
			if (rects[j].b_lo <= bp.lo && bp.hi <= rects[j].b_hi)
				in_b[n_in_b++] = j;
		if (n_in_b == 0)
			continue;
		rc = solve_b_piece(&s, in_b, n_in_b, &bp.a_slabs);
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
	free(rects);
	free(rect_items);
	free(all);
	free(in_b);
	free(s.cell);
	free(s.heap.at);
	return rc;
}
