/* Disjoint boxes: checked point by point against a brute-force first match
 * on small random inputs, and for the merging that keeps sets small. */
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

static void random_box(struct box *box, unsigned *seed)
{
	unsigned x = (unsigned)rand_r(seed) % ADDRS, y = (unsigned)rand_r(seed) % ADDRS;
	unsigned a1 = (unsigned)rand_r(seed) % AS, a2 = (unsigned)rand_r(seed) % AS;
	unsigned b1 = (unsigned)rand_r(seed) % BS, b2 = (unsigned)rand_r(seed) % BS;

	box->addr_lo = x < y ? x : y;
	box->addr_hi = x < y ? y : x;
	box->a_lo = a1 < a2 ? a1 : a2;
	box->a_hi = a1 < a2 ? a2 : a1;
	box->b_lo = b1 < b2 ? b1 : b2;
	box->b_hi = b1 < b2 ? b2 : b1;
	box->verdict = rand_r(seed) % 3;
}

static void test_output_matches_brute_force_first_match(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 300; round++) {
		struct box in[12];
		size_t n = 1 + (size_t)rand_r(&seed) % 12;
		struct vec out = VEC_INIT(struct box);

		for (size_t i = 0; i < n; i++)
			random_box(&in[i], &seed);
		assert_int_equal(boxes_first_match(in, n, &out), 0);
		for (unsigned addr = 0; addr < ADDRS; addr++)
			for (unsigned a = 0; a < AS; a++)
				for (unsigned b = 0; b < BS; b++) {
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
						fail_msg("round %d: point %u.%u.%u in %d output boxes",
							 round, addr, a, b, covering);
					if (got != want)
						fail_msg("round %d: point %u.%u.%u: got %d, want %d",
							 round, addr, a, b, got, want);
				}
		vec_free(&out);
	}
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
		cmocka_unit_test(test_overlapping_rules_become_disjoint_merged_elements),
		cmocka_unit_test(test_adjacent_ports_with_the_same_addresses_merge),
		cmocka_unit_test(test_the_whole_ipv6_space_does_not_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
