/* Disjoint boxes: checked point by point against a brute-force first match
 * on random inputs (small, large, and shaped like group references), for
 * first-match order, and for the merging that keeps sets small. */
#include "unit.h"

#include <stdlib.h>

#include "render/boxes.h"

#define ADDRS 24
#define AS 6
#define BS 6

/* The verdict of the first box covering a point, or -1. */
static int brute(const struct box *boxes, size_t n, unsigned addr, unsigned a, unsigned b)
{
	for (size_t i = 0; i < n; i++)
		if (boxes[i].addr_lo <= addr && addr <= boxes[i].addr_hi && boxes[i].a_lo <= a &&
		    a <= boxes[i].a_hi && boxes[i].b_lo <= b && b <= boxes[i].b_hi)
			return boxes[i].verdict;
	return -1;
}

/* Solves in and checks every point of the n_addrs x n_as x n_bs space:
 * at most one output box covers it, with the brute-force verdict. */
static void check_against_brute_force(const struct box *in, size_t n, unsigned n_addrs,
				      unsigned n_as, unsigned n_bs, int round)
{
	struct vec out = VEC_INIT(struct box);

	assert_int_equal(boxes_first_match(in, n, &out), 0);
	for (unsigned addr = 0; addr < n_addrs; addr++)
		for (unsigned a = 0; a < n_as; a++)
			for (unsigned b = 0; b < n_bs; b++) {
				int want = brute(in, n, addr, a, b);
				int covering = 0, got = -1;

				for (size_t k = 0; k < out.len; k++) {
					const struct box *o = VEC_AT(&out, struct box, k);

					if (o->addr_lo <= addr && addr <= o->addr_hi && o->a_lo <= a &&
					    a <= o->a_hi && o->b_lo <= b && b <= o->b_hi) {
						covering++;
						got = o->verdict;
					}
				}
				if (covering > 1)
					fail_msg("round %d: point %u.%u.%u in %d output boxes", round,
						 addr, a, b, covering);
				if (got != want)
					fail_msg("round %d: point %u.%u.%u: got %d, want %d", round,
						 addr, a, b, got, want);
			}
	/* Merged: no two neighbours on the address axis with equal verdicts. */
	for (size_t k = 1; k < out.len; k++) {
		const struct box *p = VEC_AT(&out, struct box, k - 1), *q = VEC_AT(&out, struct box, k);

		if (p->a_lo == q->a_lo && p->a_hi == q->a_hi && p->b_lo == q->b_lo &&
		    p->b_hi == q->b_hi && p->addr_hi + 1 == q->addr_lo && p->verdict == q->verdict)
			fail_msg("round %d: output boxes %zu and %zu should be one", round, k - 1, k);
	}
	vec_free(&out);
}

static void random_range(unsigned bound, unsigned *seed, uint32_t *lo, uint32_t *hi)
{
	unsigned x = (unsigned)rand_r(seed) % bound, y = (unsigned)rand_r(seed) % bound;

	*lo = x < y ? x : y;
	*hi = x < y ? y : x;
}

static void random_box(struct box *box, unsigned n_addrs, unsigned n_as, unsigned n_bs,
		       unsigned *seed)
{
	uint32_t lo, hi;

	random_range(n_addrs, seed, &lo, &hi);
	box->addr_lo = lo;
	box->addr_hi = hi;
	random_range(n_as, seed, &box->a_lo, &box->a_hi);
	random_range(n_bs, seed, &box->b_lo, &box->b_hi);
	box->verdict = rand_r(seed) % 3;
}

static void test_output_matches_brute_force_first_match(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 300; round++) {
		struct box in[12];
		size_t n = 1 + (size_t)rand_r(&seed) % 12;

		for (size_t i = 0; i < n; i++)
			random_box(&in[i], ADDRS, AS, BS, &seed);
		check_against_brute_force(in, n, ADDRS, AS, BS, round);
	}
}

static void test_large_random_inputs_match_brute_force(void **state)
{
	enum { N = 300, N_ADDRS = 200, N_AS = 4, N_BS = 5 };
	unsigned seed = 777;
	struct box *in = malloc(N * sizeof(*in));

	(void)state;
	assert_non_null(in);
	for (int round = 0; round < 20; round++) {
		size_t n = 50 + (size_t)rand_r(&seed) % (N - 50);

		for (size_t i = 0; i < n; i++)
			random_box(&in[i], N_ADDRS, N_AS, N_BS, &seed);
		check_against_brute_force(in, n, N_ADDRS, N_AS, N_BS, round);
	}
	free(in);
}

/* A rule naming a group gives one box per member address, all alike but
 * for the address; several such rules and a few ranges, verdicts mixed. */
static void test_many_single_addresses_with_equal_other_axes_match_brute_force(void **state)
{
	enum { N = 600, N_ADDRS = 256, N_AS = 3, N_BS = 4 };
	unsigned seed = 4242;
	struct box *in = malloc(N * sizeof(*in));

	(void)state;
	assert_non_null(in);
	for (int round = 0; round < 20; round++) {
		size_t n = 0;

		while (n < N - 150) {
			struct box rule;
			size_t members = 1 + (size_t)rand_r(&seed) % 150;

			random_box(&rule, N_ADDRS, N_AS, N_BS, &seed);
			if (rand_r(&seed) % 3 == 0) {
				in[n++] = rule;
				continue;
			}
			for (size_t m = 0; m < members; m++) {
				in[n] = rule;
				in[n].addr_lo = in[n].addr_hi = (unsigned)rand_r(&seed) % N_ADDRS;
				n++;
			}
		}
		check_against_brute_force(in, n, N_ADDRS, N_AS, N_BS, round);
	}
	free(in);
}

static void test_the_first_box_covering_an_address_wins(void **state)
{
	/* A deny for 5..9 ahead of an allow for 0..20, then the same boxes
	 * the other way round: the allow hides the deny. */
	struct box deny = { .addr_lo = 5, .addr_hi = 9, .a_lo = 6, .a_hi = 6, .b_lo = 80, .b_hi = 80, .verdict = 0 };
	struct box allow = { .addr_lo = 0, .addr_hi = 20, .a_lo = 6, .a_hi = 6, .b_lo = 80, .b_hi = 80, .verdict = 1 };
	struct box deny_first[] = { deny, allow }, allow_first[] = { allow, deny };
	struct vec out = VEC_INIT(struct box);

	(void)state;
	assert_int_equal(boxes_first_match(deny_first, 2, &out), 0);
	assert_int_equal(out.len, 3);
	assert_true(VEC_AT(&out, struct box, 0)->addr_hi == 4);
	assert_int_equal(VEC_AT(&out, struct box, 0)->verdict, 1);
	assert_true(VEC_AT(&out, struct box, 1)->addr_lo == 5);
	assert_true(VEC_AT(&out, struct box, 1)->addr_hi == 9);
	assert_int_equal(VEC_AT(&out, struct box, 1)->verdict, 0);
	assert_true(VEC_AT(&out, struct box, 2)->addr_lo == 10);
	assert_int_equal(VEC_AT(&out, struct box, 2)->verdict, 1);
	vec_free(&out);
	assert_int_equal(boxes_first_match(allow_first, 2, &out), 0);
	assert_int_equal(out.len, 1);
	assert_true(VEC_AT(&out, struct box, 0)->addr_lo == 0);
	assert_true(VEC_AT(&out, struct box, 0)->addr_hi == 20);
	assert_int_equal(VEC_AT(&out, struct box, 0)->verdict, 1);
	vec_free(&out);
}

static void test_neighbouring_single_addresses_merge_into_one_range(void **state)
{
	struct box in[100];
	struct vec out = VEC_INIT(struct box);

	(void)state;
	/* Members 10..109 of a group, listed out of order. */
	for (unsigned i = 0; i < 100; i++)
		in[i] = (struct box){ .addr_lo = 10 + (i * 37) % 100, .addr_hi = 10 + (i * 37) % 100,
				      .a_lo = 6, .a_hi = 6, .b_lo = 443, .b_hi = 443, .verdict = 1 };
	assert_int_equal(boxes_first_match(in, 100, &out), 0);
	assert_int_equal(out.len, 1);
	assert_true(VEC_AT(&out, struct box, 0)->addr_lo == 10);
	assert_true(VEC_AT(&out, struct box, 0)->addr_hi == 109);
	vec_free(&out);
}

static void test_overlapping_rules_become_disjoint_merged_elements(void **state)
{
	/* 0.0.0.0/0:443 beside 10.0.0.0/8:443 and 10.0.0.0/8:80: the /8 is
	 * inside the /0 on 443, so 443 is one element and 80 another. */
	struct box in[] = {
		{ .addr_lo = 0, .addr_hi = 0xffffffff, .a_lo = 6, .a_hi = 6, .b_lo = 443, .b_hi = 443, .verdict = 1 },
		{ .addr_lo = 0x0a000000, .addr_hi = 0x0affffff, .a_lo = 6, .a_hi = 6, .b_lo = 443, .b_hi = 443, .verdict = 1 },
		{ .addr_lo = 0x0a000000, .addr_hi = 0x0affffff, .a_lo = 6, .a_hi = 6, .b_lo = 80, .b_hi = 80, .verdict = 1 },
	};
	struct vec out = VEC_INIT(struct box);

	(void)state;
	assert_int_equal(boxes_first_match(in, 3, &out), 0);
	assert_int_equal(out.len, 2);
	assert_int_equal(VEC_AT(&out, struct box, 0)->b_lo, 80);
	assert_true(VEC_AT(&out, struct box, 1)->addr_lo == 0);
	assert_true(VEC_AT(&out, struct box, 1)->addr_hi == 0xffffffff);
	vec_free(&out);
}

static void test_adjacent_ports_with_the_same_addresses_merge(void **state)
{
	struct box in[] = {
		{ .addr_lo = 5, .addr_hi = 9, .a_lo = 6, .a_hi = 6, .b_lo = 1000, .b_hi = 1999, .verdict = 1 },
		{ .addr_lo = 5, .addr_hi = 9, .a_lo = 6, .a_hi = 6, .b_lo = 2000, .b_hi = 2999, .verdict = 1 },
		{ .addr_lo = 10, .addr_hi = 20, .a_lo = 6, .a_hi = 6, .b_lo = 1000, .b_hi = 2999, .verdict = 1 },
	};
	struct vec out = VEC_INIT(struct box);

	(void)state;
	assert_int_equal(boxes_first_match(in, 3, &out), 0);
	assert_int_equal(out.len, 1);
	assert_true(VEC_AT(&out, struct box, 0)->addr_lo == 5);
	assert_true(VEC_AT(&out, struct box, 0)->addr_hi == 20);
	assert_int_equal(VEC_AT(&out, struct box, 0)->b_lo, 1000);
	assert_int_equal(VEC_AT(&out, struct box, 0)->b_hi, 2999);
	vec_free(&out);
}

static void test_the_whole_ipv6_space_does_not_overflow(void **state)
{
	struct box in[] = {
		{ .addr_lo = 0, .addr_hi = ~(addr128)0, .a_lo = 0, .a_hi = 255, .b_lo = 0, .b_hi = 65535, .verdict = 2 },
	};
	struct vec out = VEC_INIT(struct box);

	(void)state;
	assert_int_equal(boxes_first_match(in, 1, &out), 0);
	assert_int_equal(out.len, 1);
	assert_true(VEC_AT(&out, struct box, 0)->addr_hi == ~(addr128)0);
	assert_int_equal(VEC_AT(&out, struct box, 0)->b_hi, 65535);
	vec_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_matches_brute_force_first_match),
		cmocka_unit_test(test_large_random_inputs_match_brute_force),
		cmocka_unit_test(test_many_single_addresses_with_equal_other_axes_match_brute_force),
		cmocka_unit_test(test_the_first_box_covering_an_address_wins),
		cmocka_unit_test(test_neighbouring_single_addresses_merge_into_one_range),
		cmocka_unit_test(test_overlapping_rules_become_disjoint_merged_elements),
		cmocka_unit_test(test_adjacent_ports_with_the_same_addresses_merge),
		cmocka_unit_test(test_the_whole_ipv6_space_does_not_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
