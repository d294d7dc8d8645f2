/* bw-boxes: how boxes_first_match() scales with member addresses.
 *
 *   bw-boxes [ADDRESSES...]     (default 16384 32768 65536)
 *
 * One security group's set as the renderer builds it: 40 rules with CIDR
 * peers on random ports, and 3 rules whose peer is a group of ADDRESSES
 * members (one box per member address and rule, as a group reference
 * gives), the members scattered over a /12 so that some are neighbours.
 * Prints the best of 3 runs for each size and, beside it, the time per
 * address as a ratio to the first size's: near 1.0 is linear, 2.0 at
 * twice the addresses is quadratic. Seeded: the same input every run. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "render/boxes.h"

static unsigned long long rng = 88172645463325252ull;

static unsigned next(unsigned bound)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % bound);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static struct box rule_box(addr128 lo, addr128 hi, uint32_t proto, uint32_t port_from,
			   uint32_t port_to)
{
	return (struct box){ .addr_lo = lo, .addr_hi = hi, .a_lo = proto, .a_hi = proto,
			     .b_lo = port_from, .b_hi = port_to, .verdict = 1 };
}

/* The boxes of one set with n_addrs group members; caller frees. */
static struct box *make_input(size_t n_addrs, size_t *n_out)
{
	static const uint32_t ports[] = { 22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9000, 9200 };
	size_t n = 0, cap = 40 + 3 * n_addrs;
	struct box *in = malloc(cap * sizeof(*in));
	uint32_t *members = malloc(n_addrs * sizeof(*members));
	uint8_t *taken = calloc(1u << 20, 1);

	if (!in || !members || !taken) {
		fprintf(stderr, "bw-boxes: out of memory\n");
		exit(1);
	}
	for (int r = 0; r < 40; r++) {
		uint32_t port = ports[next(10)] + 1000 * next(3);
		uint32_t prefix = 8 + next(17), base = 0x0a000000u | (next(1u << 24) & ~(~0u >> prefix));
		addr128 lo = base, hi = base | (~0u >> prefix);

		in[n++] = rule_box(lo, hi, 6, port, port + (r % 7 == 0 ? next(100) : 0));
	}
	for (size_t i = 0; i < n_addrs; i++) {
		uint32_t host;

		do
			host = next(1u << 20);
		while (taken[host]);
		taken[host] = 1;
		members[i] = 0x0a000000u | host; /* 10.0.0.0/12 */
	}
	for (int r = 0; r < 3; r++) {
		uint32_t port = ports[2 + 2 * r]; /* 443, 5432, 8080 */

		for (size_t i = 0; i < n_addrs; i++)
			in[n++] = rule_box(members[i], members[i], 6, port, port);
	}
	free(members);
	free(taken);
	*n_out = n;
	return in;
}

int main(int argc, char **argv)
{
	static const size_t defaults[] = { 16384, 32768, 65536 };
	size_t n_sizes = argc > 1 ? (size_t)argc - 1 : 3;
	double first_per_addr = 0;

	printf("boxes_first_match: one set, 40 CIDR rules + 3 rules naming a group of N members\n");
	printf("%10s %10s %12s %12s %14s\n", "addresses", "boxes", "elements", "best (ms)",
	       "per addr ratio");
	for (size_t s = 0; s < n_sizes; s++) {
		size_t n_addrs = argc > 1 ? strtoul(argv[s + 1], NULL, 10) : defaults[s];
		size_t n, n_elements = 0;
		struct box *in;
		double best = 0, per_addr;

		rng = 88172645463325252ull;
		in = make_input(n_addrs, &n);
		for (int run = 0; run < 3; run++) {
			struct vec out = VEC_INIT(struct box);
			double t0 = now_ms(), ms;

			if (boxes_first_match(in, n, &out) < 0) {
				fprintf(stderr, "bw-boxes: out of memory\n");
				return 1;
			}
			ms = now_ms() - t0;
			if (run == 0 || ms < best)
				best = ms;
			n_elements = out.len;
			vec_free(&out);
		}
		per_addr = best / (double)n_addrs;
		if (s == 0)
			first_per_addr = per_addr;
		printf("%10zu %10zu %12zu %12.1f %14.2f\n", n_addrs, n, n_elements, best,
		       per_addr / first_per_addr);
		free(in);
	}
	printf("(ratio: time per address over the first size's; 1.0 is linear, "
	       "doubling per doubling is quadratic)\n");
	return 0;
}
