/* Routing netlink: read routes, addresses and links, and build links for
 * the lab. Each socket talks to the network namespace it was opened in. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/vec.h"

struct mnl_socket;

struct rtnl {
	struct mnl_socket *sock;
	uint32_t seq;
	uint32_t portid;
};

struct rtnl_ifname {
	char name[IF_NAMESIZE];
};

int rtnl_open(struct rtnl *nl, struct bw_err *err);

struct nlmsghdr;
/* Sends req and reads replies until it is acknowledged or the dump is
 * done, passing each message to cb (a libmnl mnl_cb_t; NULL: none
 * expected). what names the request in errors. */
int rtnl_talk(struct rtnl *nl, struct nlmsghdr *req,
	      int (*cb)(const struct nlmsghdr *nlh, void *data), void *data,
	      const char *what, struct bw_err *err);
void rtnl_close(struct rtnl *nl);

/* The device of the main table's default route of family (lowest metric).
 * Returns -ENOENT when there is none. */
int rtnl_default_route_ifname(struct rtnl *nl, int family, char *out,
			      struct bw_err *err);

/* Whether ifname has an address of family with global scope. */
int rtnl_has_global_addr(struct rtnl *nl, const char *ifname, int family,
			 bool *out, struct bw_err *err);

/* Appends the names of links that are up, loopback excluded, to names (a
 * vec of struct rtnl_ifname). */
int rtnl_list_up_links(struct rtnl *nl, struct vec *names, struct bw_err *err);
/* The name of the link whose address is mac ("0a:1b:2c:3d:4e:5f"), a
 * device of its own (a link stacked on another here never is);
 * *is_found false when none has it. */
int rtnl_link_by_mac(struct rtnl *nl, const char *mac, char *ifname, bool *is_found,
		     struct bw_err *err);
/* Appends the names of the bridges, up or not. */
int rtnl_list_bridges(struct rtnl *nl, struct vec *names, struct bw_err *err);

/* A veth pair; each end is moved to the namespace of its fd (-1: stays).
 * mac ("0a:1b:2c:3d:4e:5f") is name's address; NULL: the kernel's. */
int rtnl_add_veth(struct rtnl *nl, const char *name, const char *mac, int ns_fd,
		  const char *peer_name, int peer_ns_fd, struct bw_err *err);
int rtnl_add_bridge(struct rtnl *nl, const char *name, struct bw_err *err);
/* Sets a link up, and its master when master is not NULL. */
int rtnl_link_up(struct rtnl *nl, const char *name, const char *master,
		 struct bw_err *err);
/* Adds addr/prefix_len (text) to ifname; IPv6 without duplicate detection. */
int rtnl_add_addr(struct rtnl *nl, const char *ifname, const char *addr,
		  int prefix_len, struct bw_err *err);
/* Adds a default route of the gateway's family through gateway. */
int rtnl_add_default_route(struct rtnl *nl, const char *gateway, struct bw_err *err);
/* Adds a route to dst/prefix_len through gateway. */
int rtnl_add_route(struct rtnl *nl, const char *dst, int prefix_len,
		   const char *gateway, struct bw_err *err);
/* A static entry for mac on bridge port port (NUD_NOARP, NTF_MASTER): the
 * bridge sends frames for mac only there, and bulwark binds the ENI with
 * that MAC to the port (host/bridgeports.h). */
int rtnl_add_fdb(struct rtnl *nl, const char *port, const char *mac, struct bw_err *err);
