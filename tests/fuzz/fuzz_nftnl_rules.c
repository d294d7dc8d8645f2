/* libFuzzer target: host/nftnl_rules.c's reader and encoder (pure: the
 * batch is built, never sent), a security group's update transaction as
 * text. Checks what must hold of any input: 0, -EOPNOTSUPP or -ENOMEM
 * only, a failure saying why, every message within the batch, between
 * BEGIN and END, and every rule message one libnftnl reads back. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "host/nftnl_rules.h"

static void check(const struct nftnl_rules_batch *b)
{
	size_t end = 0;

	for (size_t i = 0; i < b->msgs.len; i++) {
		const struct nftnl_rules_msg *m = VEC_AT(&b->msgs, struct nftnl_rules_msg, i);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(b->buf + m->offset);

		if (m->offset < end || m->offset + sizeof(*nlh) > b->len ||
		    m->offset + nlh->nlmsg_len > b->len || !m->what[0])
			abort();
		end = m->offset + nlh->nlmsg_len;
		if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE) {
			struct nftnl_rule *r = nftnl_rule_alloc();

			if (r && nftnl_rule_nlmsg_parse(nlh, r) < 0)
				abort();
			nftnl_rule_free(r);
		}
	}
	if (end >= b->len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nftnl_rules_batch b = { 0 };
	struct bw_err err = { 0 };
	char *text = malloc(size + 1);
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = nftnl_rules_encode(text, &b, &err);
	if (rc == 0)
		check(&b);
	else if ((rc != -EOPNOTSUPP && rc != -ENOMEM) || !err.msg[0])
		abort();
	nftnl_rules_batch_free(&b);
	free(text);
	return 0;
}
