/* A security group's update (vpc_nft_render_sg_update(), as
 * render/nftobj.c's nftobj_delta() prints it) loaded straight through
 * libnftnl: libnftables 1.0.6 fetches every chain and set of the host
 * before it flushes a chain and adds its rules (at 10,000 instances
 * about 1,700 chains and 1,600 sets, ~28 ms a call); this sends only the
 * update.
 *
 * The rules are encoded as nft 1.0.6 sends them (its implicit
 * `meta nfproto` and `meta l4proto` dependencies, registers, byte order,
 * an `icmp type N icmp code M` merged into one load), checked against
 * `nft --debug=netlink` by tests/unit/test_nftnl_rules.c and, listing
 * the tables loaded both ways, by tests/netns/nftnl_rules.sh.
 *
 * What it reads (anything else is -EOPNOTSUPP, nothing sent):
 *   flush chain|set inet T N        delete chain|set inet T N
 *   add chain inet T N              add set inet T N { … elements … }
 *     (a set flushed earlier in the same transaction and not deleted
 *     since exists with this declaration: only its elements are sent;
 *     any other is declared too, when its declaration is `type
 *     ipv4_addr|ipv6_addr` [`flags interval`] [`size N`], as a group's
 *     member set is)
 *   table inet T { chain N { rules } … }   (regular chains only)
 * and these rules, as render/vpc_nft_sg.c prints them:
 *   ip|ip6 saddr|daddr . meta l4proto . th dport @S accept
 *   ip saddr|daddr . icmp type . icmp code @S accept (ip6, icmpv6)
 *   [meta l4proto V [th dport V]] ip|ip6 saddr|daddr @S accept
 *   icmp type V [icmp code V] ip saddr|daddr @S accept (ip6, icmpv6)
 * where V is a number or a range N-M. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/vec.h"

/* One netlink batch: BEGIN, the messages, END. */
struct nftnl_rules_batch {
	char *buf;
	size_t len, cap;
	struct vec msgs; /* struct nftnl_rules_msg */
	uint32_t seq0;   /* the BEGIN's sequence number; message i has seq0 + 1 + i */
};

struct nftnl_rules_msg {
	size_t offset;  /* in buf */
	char what[160]; /* the statement it comes from, for errors */
};

/* Encodes txn into *b (zeroed by the caller; free with
 * nftnl_rules_batch_free() whatever the result). Pure: no syscalls.
 * Returns 0, -EOPNOTSUPP (a statement this module does not encode:
 * load txn through libnftables), or -ENOMEM. */
int nftnl_rules_encode(const char *txn, struct nftnl_rules_batch *b, struct bw_err *err);
void nftnl_rules_batch_free(struct nftnl_rules_batch *b);

/* Loads txn as one netlink transaction, every message acknowledged: all
 * of it or none. Returns 0 (also for an empty txn), or:
 *   -EOPNOTSUPP  a statement this module does not encode, nothing sent:
 *                the caller loads txn through libnftables;
 *   -errno       the kernel refused the transaction (one line naming
 *                the statement and, from the kernel's extended ack, why),
 *                or a socket error; nothing changed. */
int nftnl_rules_load(const char *txn, struct bw_err *err);

/* A netfilter netlink socket kept between loads. Closing one makes the
 * kernel first finish freeing what earlier commits replaced (the
 * NETLINK_URELEASE notifier flushes nf_tables' destroy work: at 10,000
 * instances ~10 ms after a chain update), so a caller that answers
 * someone keeps it, and closes it after answering or on exit. */
struct nftnl_rules_conn;

/* As nftnl_rules_load(), on *conn (opened when NULL; closed and set to
 * NULL when the socket itself failed, kept when the kernel refused). */
int nftnl_rules_load_on(struct nftnl_rules_conn **conn, const char *txn, struct bw_err *err);
void nftnl_rules_close(struct nftnl_rules_conn **conn);
