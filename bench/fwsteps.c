/* bw-fwsteps: the steps of `fw apply`, each timed alone in this process,
 * for bench/fw.
 *
 *   bw-fwsteps DIR [--load]
 *
 * Prints one "name value" line each: parse_ms (read the --aws folder and
 * link the model), render_ms (the ruleset text of both tables, inet and
 * bridge, as `fw apply` loads them; no bridge ports), bytes, and what the
 * transaction holds (tables, chains, rules, sets, maps, elements);
 * with --load, load_ms: the transaction loaded through libnftables (the
 * table replaced whole, as `fw apply` does). Each step is the best of 3. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/awsjson.h"
#include "host/awsdir.h"
#include "host/nft.h"
#include "render/vpc_nft.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

struct counts {
	size_t chains, rules, sets, maps, elements;
};

/* Counts the objects of ruleset text as bulwark renders it: one statement
 * a line inside chains, elements separated by commas inside braces. */
static void count_objects(const char *text, struct counts *c)
{
	enum { OUTSIDE, IN_CHAIN, IN_SET } where = OUTSIDE;
	bool in_elements = false;

	memset(c, 0, sizeof(*c));
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *s = line;

		while (*s == '\t' || *s == ' ')
			s++;
		if (in_elements || strncmp(s, "elements = {", 12) == 0) {
			const char *from = in_elements ? s : s + 12;

			if (!in_elements && from < line + len)
				c->elements++;
			in_elements = true;
			for (const char *p = from; p < line + len; p++) {
				if (*p == ',')
					c->elements++;
				if (*p == '}')
					in_elements = false;
			}
		} else if (strncmp(s, "chain ", 6) == 0) {
			c->chains++;
			where = IN_CHAIN;
		} else if (strncmp(s, "set ", 4) == 0) {
			c->sets++;
			where = IN_SET;
		} else if (strncmp(s, "map ", 4) == 0) {
			c->maps++;
			where = IN_SET;
		} else if (*s == '}') {
			where = OUTSIDE;
		} else if (where == IN_CHAIN && *s && *s != '#' && strncmp(s, "type ", 5) != 0) {
			c->rules++;
		}
		line += len + (end ? 1 : 0);
	}
}

int main(int argc, char **argv)
{
	bool is_load = argc > 2 && strcmp(argv[2], "--load") == 0;
	struct vpc_nft_opts opts = { .generation = 1, .ct_mark_mask = VPC_CT_DEFAULT_MASK };
	double parse_ms = 0, render_ms = 0, load_ms = 0;
	char *ruleset = NULL;
	struct counts c;

	if (argc < 2) {
		fprintf(stderr, "usage: bw-fwsteps DIR [--load]\n");
		return 2;
	}
	for (int run = 0; run < 3; run++) {
		struct vec warnings = VEC_INIT(struct awsjson_warning);
		struct vpc_model model;
		struct bw_err err = { 0 };
		double t0 = now_ms(), t1, t2;

		vpc_model_init(&model);
		if (awsdir_load(argv[1], NULL, &model, &warnings, &err) < 0) {
			fprintf(stderr, "bw-fwsteps: %s\n", err.msg);
			return 1;
		}
		t1 = now_ms();
		free(ruleset);
		ruleset = vpc_nft_render_all(&model, &opts, NULL, 0);
		t2 = now_ms();
		if (!ruleset) {
			fprintf(stderr, "bw-fwsteps: out of memory\n");
			return 1;
		}
		if (run == 0 || t1 - t0 < parse_ms)
			parse_ms = t1 - t0;
		if (run == 0 || t2 - t1 < render_ms)
			render_ms = t2 - t1;
		vpc_model_free(&model);
		vec_free(&warnings);
	}
	for (int run = 0; is_load && run < 3; run++) {
		struct bw_err err = { 0 };
		double t0;

		if (nft_apply(VPC_NFT_DELETE, false, &err) < 0) {
			fprintf(stderr, "bw-fwsteps: %s\n", err.msg);
			return 1;
		}
		t0 = now_ms();
		if (nft_apply(ruleset, false, &err) < 0) {
			fprintf(stderr, "bw-fwsteps: %s\n", err.msg);
			return 1;
		}
		if (run == 0 || now_ms() - t0 < load_ms)
			load_ms = now_ms() - t0;
	}
	count_objects(ruleset, &c);
	printf("parse_ms %.0f\nrender_ms %.0f\n", parse_ms, render_ms);
	if (is_load)
		printf("load_ms %.0f\n", load_ms);
	printf("bytes %zu\nchains %zu\nrules %zu\nsets %zu\nmaps %zu\nelements %zu\n",
	       strlen(ruleset), c.chains, c.rules, c.sets, c.maps, c.elements);
	free(ruleset);
	return 0;
}
