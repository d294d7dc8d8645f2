/* bw-nftnl-rules: loads a security group's update transaction through
 * host/nftnl_rules.c, for tests/netns/nftnl_rules.sh and by hand.
 *
 *   bw-nftnl-rules load FILE       one transaction through libnftnl
 *   bw-nftnl-rules loads FILE...   each in turn, on one socket kept between
 *                                  them; says which loaded, goes on after
 *                                  a refusal
 *   bw-nftnl-rules nft FILE        the same through libnftables
 *   bw-nftnl-rules dump FILE       the messages it would send, the rules'
 *                                  expressions as `nft --debug=netlink`
 *                                  prints them (nothing sent)
 *   bw-nftnl-rules time FILE N [PAUSE_MS]
 *                                  loads FILE N times each way, in turns,
 *                                  PAUSE_MS apart (the kernel frees what a
 *                                  commit replaced after it returns: calls
 *                                  back to back wait for that), and prints
 *                                  the mean ms per call
 * Exit 0; 1 when the kernel or the socket refused; 3 for a statement the
 * loader does not encode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "host/nft.h"
#include "host/nftnl_rules.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 65536) {
			char *grown = realloc(buf, cap = cap * 2 + 65536);

			if (!grown) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int dump(const char *text, struct bw_err *err)
{
	struct nftnl_rules_batch b = { 0 };
	int rc = nftnl_rules_encode(text, &b, err);

	for (size_t i = 0; rc == 0 && i < b.msgs.len; i++) {
		const struct nftnl_rules_msg *m = VEC_AT(&b.msgs, struct nftnl_rules_msg, i);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(b.buf + m->offset);
		int type = NFNL_MSG_TYPE(nlh->nlmsg_type);
		char buf[4096];

		printf("%d %s\n", type, m->what);
		if (type == NFT_MSG_NEWRULE) {
			struct nftnl_rule *r = nftnl_rule_alloc();

			if (r && nftnl_rule_nlmsg_parse(nlh, r) == 0) {
				nftnl_rule_snprintf(buf, sizeof(buf), r, NFTNL_OUTPUT_DEFAULT, 0);
				printf("%s\n", buf);
			}
			nftnl_rule_free(r);
		}
	}
	nftnl_rules_batch_free(&b);
	return rc;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* libnftables as fwengine calls it (nft_apply_release_later(): the
 * context, its cache and its socket freed after the answer, not timed),
 * then nftnl_rules_load_on() on a socket kept between calls, in turns. */
static int time_both(const char *text, long n, long pause_ms, struct bw_err *err)
{
	struct timespec pause = { pause_ms / 1000, pause_ms % 1000 * 1000000 };
	struct nftnl_rules_conn *conn = NULL;
	struct nft_ctx *spent = NULL;
	double nft_ms = 0, nl_ms = 0;
	int rc = 0;

	for (long i = 0; rc == 0 && i < n; i++) {
		double t0, t1;

		nanosleep(&pause, NULL);
		t0 = now_ms();
		rc = nft_apply_release_later(text, &spent, err);
		t1 = now_ms();
		nft_ms += t1 - t0;
		nft_release(&spent);
		nanosleep(&pause, NULL);
		t1 = now_ms();
		if (rc == 0)
			rc = nftnl_rules_load_on(&conn, text, err);
		nl_ms += now_ms() - t1;
	}
	nftnl_rules_close(&conn);
	if (rc == 0)
		printf("%ld calls: libnftables %.2f ms/call, nftnl_rules %.2f ms/call\n", n,
		       nft_ms / (double)n, nl_ms / (double)n);
	return rc;
}

static int loads(char **paths, int n)
{
	struct nftnl_rules_conn *conn = NULL;
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct bw_err err = { 0 };
		char *text = slurp(paths[i]);
		char line[600];
		int one;

		if (!text) {
			fprintf(stderr, "bw-nftnl-rules: %s: %s\n", paths[i], strerror(errno));
			rc = -EIO;
			continue;
		}
		one = nftnl_rules_load_on(&conn, text, &err);
		free(text);
		if (one < 0) {
			bw_err_format(&err, line, sizeof(line));
			printf("%s: %s\n", paths[i], line);
			rc = rc ?: one;
		} else {
			printf("%s: loaded\n", paths[i]);
		}
	}
	nftnl_rules_close(&conn);
	return rc == -EOPNOTSUPP ? 3 : rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct bw_err err = { 0 };
	char line[600];
	char *text;
	int rc;

	if (argc >= 3 && strcmp(argv[1], "loads") == 0)
		return loads(argv + 2, argc - 2);
	if (argc < 3 || (strcmp(argv[1], "load") != 0 && strcmp(argv[1], "nft") != 0 &&
			 strcmp(argv[1], "dump") != 0 && strcmp(argv[1], "time") != 0) ||
	    (strcmp(argv[1], "time") == 0 && argc < 4)) {
		fprintf(stderr, "usage: bw-nftnl-rules load|nft|dump FILE, loads FILE..., time FILE N [PAUSE_MS]\n");
		return 2;
	}
	text = slurp(argv[2]);
	if (!text) {
		fprintf(stderr, "bw-nftnl-rules: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "load") == 0)
		rc = nftnl_rules_load(text, &err);
	else if (strcmp(argv[1], "nft") == 0)
		rc = nft_apply(text, false, &err);
	else if (strcmp(argv[1], "dump") == 0)
		rc = dump(text, &err);
	else
		rc = time_both(text, strtol(argv[3], NULL, 10), argc > 4 ? strtol(argv[4], NULL, 10) : 0,
			       &err);
	free(text);
	if (rc < 0) {
		bw_err_format(&err, line, sizeof(line));
		fprintf(stderr, "bw-nftnl-rules: %s\n", line);
		return rc == -EOPNOTSUPP ? 3 : 1;
	}
	return 0;
}
