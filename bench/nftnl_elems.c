/* bw-nftnl-bench: the elements of a render loaded through libnftables
 * text (nftobj_staged()'s element parts) against host/nftnl_elems.c, in
 * this process's network namespace (run it in a fresh one: it loads and
 * deletes the render's tables). Each load runs in a child of its own,
 * after the declarations (nftobj_staged()'s first part): wall time, the
 * child's user and system CPU, and its peak memory above what it held
 * before the load. Then the same for the whole staged load onto an
 * empty namespace (declarations, elements, base chains: what fw apply
 * does on a host without its tables), text parts of MAX_ELEMENTS
 * elements against nftnl_elems_load_staged(). Best of ROUNDS by wall
 * time, interleaved.
 *
 *   bw-nftnl-bench FILE [ROUNDS [MAX_ELEMENTS]] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "host/fsroot.h"
#include "host/nftnl_elems.h"
#include "render/nftobj.h"

struct result {
	double wall_ms, user_ms, sys_ms, peak_mb;
	int rc;
};

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

static int run_text(const char *text)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc;

	if (!ctx)
		return -1;
	rc = nft_run_cmd_from_buffer(ctx, text);
	nft_ctx_free(ctx);
	return rc;
}

/* kB from a "Name:   123 kB" line of /proc/self/status. */
static long status_kb(const char *name)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, strlen(name)) == 0)
			kb = strtol(line + strlen(name), NULL, 10);
	fclose(f);
	return kb;
}

static double ms(const struct timeval *tv)
{
	return (double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3;
}

enum method { TEXT_ELEMENTS, NFTNL_ELEMENTS, TEXT_STAGED, NFTNL_STAGED, N_METHODS };

static const char *const method_names[N_METHODS] = {
	"elements, text", "elements, nftnl", "staged load, text", "staged load, nftnl",
};

static void measure(const struct nftobj_ruleset *rs, const struct vec *txns, enum method m,
		    size_t max, struct result *out)
{
	struct timespec t0, t1;
	struct rusage r0, r1;
	struct bw_err err = { 0 };
	long rss0;
	FILE *f;

	if (m == TEXT_ELEMENTS || m == NFTNL_ELEMENTS)
		out->rc = run_text(*VEC_AT(txns, char *, 0));
	if (out->rc != 0)
		return;
	f = fopen("/proc/self/clear_refs", "w");
	if (f) {
		fputs("5", f); /* resets VmHWM to VmRSS */
		fclose(f);
	}
	rss0 = status_kb("VmRSS:");
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (m == NFTNL_ELEMENTS || m == NFTNL_STAGED) {
		size_t n_txns = 0, n_total = 0;

		out->rc = m == NFTNL_ELEMENTS ? nftnl_elems_load(rs, max, &n_txns, &err)
					      : nftnl_elems_load_staged(rs, max, &n_txns, &n_total, &err);
		if (out->rc < 0)
			fprintf(stderr, "bw-nftnl-bench: %s\n", err.msg);
	} else {
		/* The element parts, or every part. */
		size_t first = m == TEXT_STAGED ? 0 : 1, end = m == TEXT_STAGED ? txns->len : txns->len - 1;

		for (size_t i = first; out->rc == 0 && i < end; i++)
			out->rc = run_text(*VEC_AT(txns, char *, i));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &r1);
	out->wall_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	out->user_ms = ms(&r1.ru_utime) - ms(&r0.ru_utime);
	out->sys_ms = ms(&r1.ru_stime) - ms(&r0.ru_stime);
	out->peak_mb = (double)(status_kb("VmHWM:") - rss0) / 1024.0;
}

static int in_child(const struct nftobj_ruleset *rs, const struct vec *txns, enum method m,
		    size_t max, struct result *out)
{
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct result r = { 0 };

		close(fds[0]);
		measure(rs, txns, m, max, &r);
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], out, sizeof(*out)) != (ssize_t)sizeof(*out))
		out->rc = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return out->rc;
}

static int delete_tables(const struct nftobj_ruleset *rs)
{
	char cmd[300];
	int rc = 0;

	for (size_t t = 0; t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);

		snprintf(cmd, sizeof(cmd), "delete table %s %s", tb->family, tb->name);
		rc |= run_text(cmd);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct nftobj_ruleset rs = { .tables = VEC_INIT(struct nftobj_table) };
	struct result best[N_METHODS];
	struct vec txns;
	struct bw_err err = { 0 };
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	size_t max = argc > 3 ? strtoul(argv[3], NULL, 10) : 50000;
	size_t n_elems = 0;
	char *text;

	if (argc < 2 || rounds < 1) {
		fprintf(stderr, "usage: bw-nftnl-bench FILE [ROUNDS [MAX_ELEMENTS]]\n");
		return 2;
	}
	text = slurp(argv[1]);
	if (!text || nftobj_parse(text, &rs, &err) < 0 || nftobj_staged(&rs, max, &txns, &err) < 0) {
		fprintf(stderr, "bw-nftnl-bench: %s: %s\n", argv[1], text ? err.msg : strerror(errno));
		return 1;
	}
	free(text);
	for (size_t t = 0; t < rs.tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs.tables, struct nftobj_table, t);

		for (size_t k = 0; k < tb->objs.len; k++) {
			const struct nftobj *o = VEC_AT(&tb->objs, struct nftobj, k);

			if (o->kind == NFTOBJ_SET || o->kind == NFTOBJ_MAP)
				n_elems += o->items.len;
		}
	}
	for (int m = 0; m < N_METHODS; m++)
		best[m] = (struct result){ .wall_ms = 1e18 };
	for (int r = 0; r < rounds; r++) {
		for (int m = 0; m < N_METHODS; m++) {
			struct result res = { 0 };

			if (in_child(&rs, &txns, (enum method)m, max, &res) != 0 ||
			    delete_tables(&rs) != 0) {
				fprintf(stderr, "bw-nftnl-bench: round %d, %s failed\n", r + 1,
					method_names[m]);
				return 1;
			}
			if (res.wall_ms < best[m].wall_ms)
				best[m] = res;
		}
	}
	printf("%zu elements, text parts of at most %zu (%zu transactions in all), best of %d\n",
	       n_elems, max, txns.len, rounds);
	printf("%-20s %9s %9s %9s %9s\n", "load", "wall ms", "user ms", "sys ms", "peak MB");
	for (int m = 0; m < N_METHODS; m++) {
		printf("%-20s %9.1f %9.1f %9.1f %9.1f\n", method_names[m], best[m].wall_ms,
		       best[m].user_ms, best[m].sys_ms, best[m].peak_mb);
		if (m % 2 == 1)
			printf("%-20s %9.2f %9.2f %9.2f %9.2f\n", "  ratio nftnl/text",
			       best[m].wall_ms / best[m - 1].wall_ms, best[m].user_ms / best[m - 1].user_ms,
			       best[m].sys_ms / best[m - 1].sys_ms, best[m].peak_mb / best[m - 1].peak_mb);
	}
	for (size_t i = 0; i < txns.len; i++)
		free(*VEC_AT(&txns, char *, i));
	vec_free(&txns);
	nftobj_free(&rs);
	return 0;
}
