#include "host/rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

int rtnl_open(struct rtnl *nl, struct bw_err *err)
{
	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return bw_errf(err, -errno, "netlink: cannot open: %s", strerror(errno));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return bw_errf(err, -e, "netlink: cannot bind: %s", strerror(e));
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void rtnl_close(struct rtnl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int rtnl_talk(struct rtnl *nl, struct nlmsghdr *req,
	      int (*cb)(const struct nlmsghdr *nlh, void *data), void *data,
	      const char *what, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int rc;

	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return bw_errf(err, -errno, "netlink: %s: %s", what, strerror(errno));
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return bw_errf(err, -errno, "netlink: %s: %s", what, strerror(errno));
		rc = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, nl->portid, cb, data);
		if (rc == MNL_CB_ERROR)
			return bw_errf(err, -errno, "netlink: %s: %s", what, strerror(errno));
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

/* ---- reading ---------------------------------------------------------- */

struct default_route_search {
	int family;
	uint32_t best_metric;
	int best_oif;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int default_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct default_route_search *search = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	uint32_t table, metric = 0;
	int oif = 0;

	if (rtm->rtm_family != search->family || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (tb[RTA_PRIORITY])
		metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF]) {
		oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	} else if (tb[RTA_MULTIPATH]) {
		const struct rtnexthop *nh = mnl_attr_get_payload(tb[RTA_MULTIPATH]);

		if (mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >= sizeof(*nh))
			oif = nh->rtnh_ifindex;
	}
	if (oif > 0 && (search->best_oif == 0 || metric < search->best_metric)) {
		search->best_oif = oif;
		search->best_metric = metric;
	}
	return MNL_CB_OK;
}

int rtnl_default_route_ifname(struct rtnl *nl, int family, char *out,
			      struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct default_route_search search = { .family = family };
	int rc;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rc = rtnl_talk(nl, nlh, default_route_cb, &search, "reading routes", err);
	if (rc < 0)
		return rc;
	if (!search.best_oif || !if_indextoname((unsigned)search.best_oif, out))
		return bw_errf(err, -ENOENT, "no %s default route",
			       family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

struct addr_search {
	int family;
	int ifindex;
	bool found;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_search *search = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	if (ifa->ifa_family == search->family && (int)ifa->ifa_index == search->ifindex &&
	    ifa->ifa_scope == RT_SCOPE_UNIVERSE)
		search->found = true;
	return MNL_CB_OK;
}

int rtnl_has_global_addr(struct rtnl *nl, const char *ifname, int family,
			 bool *out, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	struct addr_search search = { .family = family };
	int rc;

	search.ifindex = (int)if_nametoindex(ifname);
	if (!search.ifindex)
		return bw_errf(err, -ENODEV, "interface %s: no such device", ifname);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	rc = rtnl_talk(nl, nlh, addr_cb, &search, "reading addresses", err);
	*out = search.found;
	return rc;
}

struct link_list {
	struct vec *names;
	const char *kind; /* only links of this kind ("bridge"), up or not */
	int rc;
};

static int link_kind_cb(const struct nlattr *attr, void *data)
{
	const char **kind = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		*kind = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const char **kind = data;

	if (mnl_attr_get_type(attr) == IFLA_LINKINFO &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
		mnl_attr_parse_nested(attr, link_kind_cb, kind);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *list = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct rtnl_ifname name;

	if (list->kind) {
		const char *kind = NULL;

		mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, &kind);
		if (!kind || strcmp(kind, list->kind) != 0)
			return MNL_CB_OK;
	} else if (!(ifi->ifi_flags & IFF_UP) || (ifi->ifi_flags & IFF_LOOPBACK)) {
		return MNL_CB_OK;
	}
	if (!if_indextoname((unsigned)ifi->ifi_index, name.name))
		return MNL_CB_OK;
	if (vec_push(list->names, &name) < 0)
		list->rc = -ENOMEM;
	return MNL_CB_OK;
}

static int list_links(struct rtnl *nl, const char *kind, struct vec *names, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct link_list list = { .names = names, .kind = kind };
	struct ifinfomsg *ifi;
	int rc;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	rc = rtnl_talk(nl, nlh, link_cb, &list, "reading links", err);
	if (rc == 0 && list.rc < 0)
		return bw_errf(err, list.rc, "out of memory");
	return rc;
}

int rtnl_list_up_links(struct rtnl *nl, struct vec *names, struct bw_err *err)
{
	return list_links(nl, NULL, names, err);
}

int rtnl_list_bridges(struct rtnl *nl, struct vec *names, struct bw_err *err)
{
	return list_links(nl, "bridge", names, err);
}

struct mac_search {
	uint8_t mac[ETH_ALEN];
	char *ifname;
	bool *is_found;
	int rank; /* of the link found: 2 a link of its own, 1 enslaved */
};

struct mac_attrs {
	const struct nlattr *addr;
	bool has_master;
	bool has_link;
	bool has_link_netns;
};

static int mac_attr_cb(const struct nlattr *attr, void *data)
{
	struct mac_attrs *attrs = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == IFLA_ADDRESS && mnl_attr_get_payload_len(attr) == ETH_ALEN)
		attrs->addr = attr;
	else if (type == IFLA_MASTER)
		attrs->has_master = true;
	else if (type == IFLA_LINK)
		attrs->has_link = true;
	else if (type == IFLA_LINK_NETNSID)
		attrs->has_link_netns = true;
	return MNL_CB_OK;
}

/* A VLAN, macvlan or bridge port carries the MAC of the link below or
 * beside it: the link itself wins over one enslaved (a bridge or bond
 * port), and a stacked link (IFLA_LINK to a link here: a VLAN, macvlan,
 * a veth whose peer is here) is never taken, even alone: it is not the
 * device, which may not have shown up yet. IFLA_LINK into another
 * namespace is a veth's peer, not a lower link here. */
static int mac_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mac_search *search = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct mac_attrs attrs = { 0 };
	char name[IF_NAMESIZE];
	int rank;

	mnl_attr_parse(nlh, sizeof(*ifi), mac_attr_cb, &attrs);
	if (!attrs.addr || memcmp(mnl_attr_get_payload(attrs.addr), search->mac, ETH_ALEN) != 0)
		return MNL_CB_OK;
	if (attrs.has_link && !attrs.has_link_netns)
		return MNL_CB_OK;
	rank = attrs.has_master ? 1 : 2;
	if (rank <= search->rank || !if_indextoname((unsigned)ifi->ifi_index, name))
		return MNL_CB_OK;
	memcpy(search->ifname, name, IF_NAMESIZE);
	search->rank = rank;
	*search->is_found = true;
	return MNL_CB_OK;
}

static int parse_mac(const char *text, uint8_t out[ETH_ALEN]);

int rtnl_link_by_mac(struct rtnl *nl, const char *mac, char *ifname, bool *is_found,
		     struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct mac_search search = { .ifname = ifname, .is_found = is_found };
	struct ifinfomsg *ifi;

	*is_found = false;
	if (parse_mac(mac, search.mac) < 0)
		return bw_err_input(err, "'%.40s' is not a MAC address", mac);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	return rtnl_talk(nl, nlh, mac_cb, &search, "reading links", err);
}

/* ---- building (the lab) ----------------------------------------------- */

/* "0a:1b:2c:3d:4e:5f" (either case) into six bytes. */
static int parse_mac(const char *text, uint8_t out[ETH_ALEN])
{
	unsigned v[ETH_ALEN];
	int used = 0;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &used) != ETH_ALEN || used != 17 || text[used] != '\0')
		return -EINVAL;
	for (int i = 0; i < ETH_ALEN; i++)
		out[i] = (uint8_t)v[i];
	return 0;
}

static struct nlmsghdr *new_request(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return nlh;
}

int rtnl_add_veth(struct rtnl *nl, const char *name, const char *mac, int ns_fd,
		  const char *peer_name, int peer_ns_fd, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[96];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *peer_ifi;
	uint8_t lladdr[ETH_ALEN];

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac) {
		if (parse_mac(mac, lladdr) < 0)
			return bw_errf(err, -EINVAL, "netlink: '%s' is not a MAC address", mac);
		mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(lladdr), lladdr);
	}
	if (ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ns_fd);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow an ifinfomsg of its own. */
	peer_ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
	peer_ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	if (peer_ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	snprintf(what, sizeof(what), "creating veth %s/%s", name, peer_name);
	return rtnl_talk(nl, nlh, NULL, NULL, what, err);
}

int rtnl_add_bridge(struct rtnl *nl, const char *name, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[64];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *linkinfo;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	snprintf(what, sizeof(what), "creating bridge %s", name);
	return rtnl_talk(nl, nlh, NULL, NULL, what, err);
}

int rtnl_link_up(struct rtnl *nl, const char *name, const char *master,
		 struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[64];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (master) {
		unsigned master_index = if_nametoindex(master);

		if (!master_index)
			return bw_errf(err, -ENODEV, "netlink: no bridge %s", master);
		mnl_attr_put_u32(nlh, IFLA_MASTER, master_index);
	}
	snprintf(what, sizeof(what), "setting %s up", name);
	return rtnl_talk(nl, nlh, NULL, NULL, what, err);
}

static int parse_addr(const char *text, unsigned char *addr, int *family)
{
	if (inet_pton(AF_INET, text, addr) == 1) {
		*family = AF_INET;
		return 4;
	}
	if (inet_pton(AF_INET6, text, addr) == 1) {
		*family = AF_INET6;
		return 16;
	}
	return -EINVAL;
}

int rtnl_add_addr(struct rtnl *nl, const char *ifname, const char *addr,
		  int prefix_len, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[96];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	unsigned char bytes[16];
	int family, len = parse_addr(addr, bytes, &family);
	unsigned ifindex = if_nametoindex(ifname);

	if (len < 0)
		return bw_errf(err, -EINVAL, "netlink: '%s' is not an address", addr);
	if (!ifindex)
		return bw_errf(err, -ENODEV, "netlink: no interface %s", ifname);
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix_len;
	ifa->ifa_index = ifindex;
	/* No duplicate address detection: the lab owns its whole network. */
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(nlh, IFA_LOCAL, (size_t)len, bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, (size_t)len, bytes);
	snprintf(what, sizeof(what), "adding %s/%d to %s", addr, prefix_len, ifname);
	return rtnl_talk(nl, nlh, NULL, NULL, what, err);
}

int rtnl_add_route(struct rtnl *nl, const char *dst, int prefix_len,
		   const char *gateway, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[128];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	unsigned char gw[16], dst_bytes[16];
	int family, dst_family, len = parse_addr(gateway, gw, &family);

	if (len < 0)
		return bw_errf(err, -EINVAL, "netlink: '%s' is not an address", gateway);
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)prefix_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (prefix_len > 0) {
		if (parse_addr(dst, dst_bytes, &dst_family) != len || dst_family != family)
			return bw_errf(err, -EINVAL, "netlink: '%s' is not an address of %s's family",
				       dst, gateway);
		mnl_attr_put(nlh, RTA_DST, (size_t)len, dst_bytes);
	}
	mnl_attr_put(nlh, RTA_GATEWAY, (size_t)len, gw);
	snprintf(what, sizeof(what), "adding route %s/%d via %s", dst, prefix_len, gateway);
	return rtnl_talk(nl, nlh, NULL, NULL, what, err);
}

int rtnl_add_default_route(struct rtnl *nl, const char *gateway, struct bw_err *err)
{
	return rtnl_add_route(nl, "default", 0, gateway, err);
}

int rtnl_add_fdb(struct rtnl *nl, const char *port, const char *mac, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[96];
	struct nlmsghdr *nlh = new_request(buf, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	unsigned ifindex = if_nametoindex(port);
	uint8_t lladdr[ETH_ALEN];

	if (parse_mac(mac, lladdr) < 0)
		return bw_errf(err, -EINVAL, "netlink: '%s' is not a MAC address", mac);
	if (!ifindex)
		return bw_errf(err, -ENODEV, "netlink: no interface %s", port);
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = (int)ifindex;
	ndm->ndm_state = NUD_NOARP; /* static: never ages, never moves */
	ndm->ndm_flags = NTF_MASTER;
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(lladdr), lladdr);
	snprintf(what, sizeof(what), "adding %s to the forwarding table of %s", mac, port);
	return rtnl_talk(nl, nlh, NULL, NULL, what, err);
}
