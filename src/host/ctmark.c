#include "host/ctmark.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "util/vec.h"

#define CTMARK_TUPLE_MAX 512

/* What an update needs to find one entry again. */
struct ct_entry {
	uint8_t family;
	uint16_t tuple_len;
	uint8_t tuple[CTMARK_TUPLE_MAX]; /* CTA_TUPLE_ORIG's payload */
	bool has_zone;
	uint16_t zone_be;
};

struct dump {
	uint32_t mask;
	struct vec *entries;
	int rc;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, CTA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[CTA_MAX + 1] = { 0 };
	struct dump *dump = data;
	struct ct_entry entry = { .family = nfg->nfgen_family };
	uint32_t mark;

	if (mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, tb) < 0 || !tb[CTA_MARK] ||
	    !tb[CTA_TUPLE_ORIG] || mnl_attr_get_payload_len(tb[CTA_MARK]) < 4)
		return MNL_CB_OK;
	mark = ntohl(mnl_attr_get_u32(tb[CTA_MARK]));
	if ((mark & dump->mask) == 0)
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(tb[CTA_TUPLE_ORIG]) > CTMARK_TUPLE_MAX) {
		dump->rc = -EMSGSIZE;
		return MNL_CB_ERROR;
	}
	entry.tuple_len = (uint16_t)mnl_attr_get_payload_len(tb[CTA_TUPLE_ORIG]);
	memcpy(entry.tuple, mnl_attr_get_payload(tb[CTA_TUPLE_ORIG]), entry.tuple_len);
	if (tb[CTA_ZONE] && mnl_attr_get_payload_len(tb[CTA_ZONE]) >= 2) {
		entry.has_zone = true;
		entry.zone_be = mnl_attr_get_u16(tb[CTA_ZONE]);
	}
	if (vec_push(dump->entries, &entry) < 0) {
		dump->rc = -ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *put_header(char *buf, uint16_t type, uint16_t flags, uint8_t family,
				   uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* Sends nlh and reads until the request is done; cb sees dumped entries. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	uint32_t portid = mnl_socket_get_portid(nl);
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static int clear_one(struct mnl_socket *nl, const struct ct_entry *entry, uint32_t mask,
		     uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* No NLM_F_CREATE: only an entry that exists is changed. */
	struct nlmsghdr *nlh = put_header(buf, IPCTNL_MSG_CT_NEW, NLM_F_ACK, entry->family, seq);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	int rc;

	memcpy(mnl_nlmsg_get_payload_tail(nlh), entry->tuple, entry->tuple_len);
	nlh->nlmsg_len += MNL_ALIGN(entry->tuple_len);
	mnl_attr_nest_end(nlh, nest);
	if (entry->has_zone)
		mnl_attr_put_u16(nlh, CTA_ZONE, entry->zone_be);
	/* Why the mask: the kernel computes (mark & ~MARK_MASK) ^ MARK, so
	 * the bits outside mask are kept as they are at that moment, even if
	 * another program changed them since the dump. */
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0));
	mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(mask));
	rc = talk(nl, nlh, NULL, NULL);
	return rc == -ENOENT ? 0 : rc;
}

int ctmark_clear(uint32_t mask, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct vec entries = VEC_INIT(struct ct_entry);
	struct dump dump = { .mask = mask, .entries = &entries };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh;
	int rc;

	if (!nl)
		return bw_errf(err, -errno, "cannot open ctnetlink: %s", strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = bw_errf(err, -errno, "cannot open ctnetlink: %s", strerror(errno));
		goto out;
	}
	/* AF_UNSPEC: IPv4 and IPv6 entries alike. */
	nlh = put_header(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC, seq);
	rc = talk(nl, nlh, entry_cb, &dump);
	if (dump.rc < 0)
		rc = dump.rc;
	if (rc < 0) {
		bw_errf(err, rc, "cannot list conntrack entries: %s", strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < entries.len; i++) {
		rc = clear_one(nl, VEC_AT(&entries, struct ct_entry, i), mask, ++seq);
		if (rc < 0) {
			bw_errf(err, rc, "cannot clear the ct mark bits 0x%08x of a conntrack entry: %s",
				mask, strerror(-rc));
			goto out;
		}
	}
out:
	vec_free(&entries);
	mnl_socket_close(nl);
	return rc;
}
