#include "host/bridgeports.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "host/rtnl.h"

struct fdb_dump {
	struct vec *ports;
	int rc;
};

static int neigh_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, NDA_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int fdb_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fdb_dump *dump = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	const uint8_t *mac;
	struct vpc_port port = { 0 };

	if (ndm->ndm_family != AF_BRIDGE || !(ndm->ndm_state & (NUD_NOARP | NUD_PERMANENT)))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, tb);
	/* On a port of a bridge: the entry names its bridge, and is not the
	 * bridge device's own. */
	if (!tb[NDA_MASTER] || !tb[NDA_LLADDR] || mnl_attr_get_payload_len(tb[NDA_LLADDR]) != ETH_ALEN ||
	    mnl_attr_get_u32(tb[NDA_MASTER]) == (uint32_t)ndm->ndm_ifindex)
		return MNL_CB_OK;
	if (!if_indextoname((unsigned)ndm->ndm_ifindex, port.ifname))
		return MNL_CB_OK;
	mac = mnl_attr_get_payload(tb[NDA_LLADDR]);
	snprintf(port.mac, sizeof(port.mac), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	if (vec_push(dump->ports, &port) < 0)
		dump->rc = -ENOMEM;
	return MNL_CB_OK;
}

int bridgeports_read(struct vec *ports, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fdb_dump dump = { ports, 0 };
	struct ndmsg *ndm;
	struct rtnl nl;
	int rc = rtnl_open(&nl, err);

	if (rc < 0)
		return rc;
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	rc = rtnl_talk(&nl, nlh, fdb_cb, &dump, "reading the bridges' forwarding tables", err);
	rtnl_close(&nl);
	if (rc == 0 && dump.rc < 0)
		return bw_errf(err, dump.rc, "out of memory");
	return rc;
}
