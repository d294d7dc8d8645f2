/* bulwark lab: a VPC on one machine, in network namespaces. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "host/fsroot.h"
#include "host/netns.h"
#include "host/rtnl.h"
#include "model/lab.h"

static const char usage[] =
	"usage: bulwark lab [--prefix P] <up|down|status|exec NODE -- CMD...>\n"
	"\n"
	"  up       build the lab and start its NAT gateway\n"
	"  down     remove every namespace of the lab\n"
	"  status   the lab's nodes, their addresses, and the gateway's NAT\n"
	"  exec     run a command inside a node (inet, nat, vpc, a, b)\n"
	"\n"
	"Options:\n"
	"  --prefix P   namespace names start with P- (default " LAB_DEFAULT_PREFIX
	"; a-z, 0-9, at most 12)\n";

struct lab_ctx {
	const struct bw_globals *globals;
	const struct lab_topology *topo;
	const char *prefix;
	char state_dir[128]; /* the gateway's NAT state, on the real host */
};

static void ns_name(const struct lab_ctx *lab, const char *node, char *out, size_t out_size)
{
	snprintf(out, out_size, "%s-%s", lab->prefix, node);
}

static int open_node(const struct lab_ctx *lab, const char *node, struct bw_err *err)
{
	char name[NETNS_NAME_MAX];

	ns_name(lab, node, name, sizeof(name));
	return netns_open(name, err);
}

/* Runs fn inside the node's namespace. */
static int in_node(const struct lab_ctx *lab, const char *node,
		   int (*fn)(const struct lab_ctx *, const char *, struct bw_err *),
		   struct bw_err *err)
{
	int ns_fd = open_node(lab, node, err), saved_fd, rc;
	struct bw_err leave_err;

	if (ns_fd < 0)
		return ns_fd;
	rc = netns_enter(ns_fd, &saved_fd, err);
	close(ns_fd);
	if (rc < 0)
		return rc;
	rc = fn(lab, node, err);
	if (netns_leave(saved_fd, &leave_err) < 0 && rc == 0) {
		*err = leave_err;
		rc = -EIO;
	}
	return rc;
}

/* Inside a node: bridges, links up, addresses, routes. */
static int configure_node(const struct lab_ctx *lab, const char *node, struct bw_err *err)
{
	const struct lab_topology *t = lab->topo;
	struct rtnl nl;
	int rc = rtnl_open(&nl, err);

	if (rc < 0)
		return rc;
	rc = rtnl_link_up(&nl, "lo", NULL, err);
	for (size_t i = 0; rc == 0 && i < t->n_bridges; i++) {
		const char *slash = strchr(t->bridges[i], '/');

		if (strncmp(t->bridges[i], node, (size_t)(slash - t->bridges[i])) == 0 &&
		    strlen(node) == (size_t)(slash - t->bridges[i])) {
			rc = rtnl_add_bridge(&nl, slash + 1, err);
			if (rc == 0)
				rc = rtnl_link_up(&nl, slash + 1, NULL, err);
		}
	}
	for (size_t i = 0; rc == 0 && i < t->n_ports; i++)
		if (strcmp(t->ports[i].node, node) == 0)
			rc = rtnl_link_up(&nl, t->ports[i].port, t->ports[i].bridge, err);
	for (size_t i = 0; rc == 0 && i < t->n_veths; i++) {
		if (strcmp(t->veths[i].node, node) == 0)
			rc = rtnl_link_up(&nl, t->veths[i].ifname, NULL, err);
		if (rc == 0 && strcmp(t->veths[i].peer_node, node) == 0)
			rc = rtnl_link_up(&nl, t->veths[i].peer_ifname, NULL, err);
	}
	for (size_t i = 0; rc == 0 && i < t->n_addrs; i++)
		if (strcmp(t->addrs[i].node, node) == 0)
			rc = rtnl_add_addr(&nl, t->addrs[i].ifname, t->addrs[i].addr,
					   t->addrs[i].prefix_len, err);
	for (size_t i = 0; rc == 0 && i < t->n_routes; i++)
		if (strcmp(t->routes[i].node, node) == 0)
			rc = rtnl_add_route(&nl, t->routes[i].dst, t->routes[i].prefix_len,
					    t->routes[i].gateway, err);
	rtnl_close(&nl);
	return rc;
}

static int start_nat(const struct lab_ctx *lab, const char *node, struct bw_err *err)
{
	char config_path[PATH_MAX];

	(void)node;
	snprintf(config_path, sizeof(config_path), "%s/nat.conf", lab->state_dir);
	return cmd_nat_up(lab->globals, config_path, lab->state_dir, false, err);
}

static int show_nat(const struct lab_ctx *lab, const char *node, struct bw_err *err)
{
	(void)node;
	return cmd_nat_status(lab->globals, lab->state_dir, false, err);
}

static int lab_down(const struct lab_ctx *lab, struct bw_err *err)
{
	struct vec names = VEC_INIT(struct netns_name);
	char config_path[PATH_MAX];
	char prefix[LAB_PREFIX_MAX + 2];
	int rc;

	snprintf(prefix, sizeof(prefix), "%s-", lab->prefix);
	rc = netns_list(prefix, &names, err);
	for (size_t i = 0; rc == 0 && i < names.len; i++)
		rc = netns_delete(VEC_AT(&names, struct netns_name, i)->name, err);
	vec_free(&names);
	if (rc < 0)
		return rc;
	/* The gateway's namespace is gone, and its knobs with it. */
	snprintf(config_path, sizeof(config_path), "%s/nat.conf", lab->state_dir);
	unlink(config_path);
	snprintf(config_path, sizeof(config_path), "%s/nat.json", lab->state_dir);
	unlink(config_path);
	rmdir(lab->state_dir);
	return 0;
}

static int build(const struct lab_ctx *lab, struct bw_err *err)
{
	const struct lab_topology *t = lab->topo;
	char config_path[PATH_MAX];
	struct rtnl nl;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < t->n_nodes; i++) {
		char name[NETNS_NAME_MAX];

		ns_name(lab, t->nodes[i].name, name, sizeof(name));
		rc = netns_create(name, err);
	}
	if (rc < 0)
		return rc;
	/* Each veth is made here and its ends moved straight to their nodes. */
	rc = rtnl_open(&nl, err);
	for (size_t i = 0; rc == 0 && i < t->n_veths; i++) {
		int fd = open_node(lab, t->veths[i].node, err);
		int peer_fd = fd < 0 ? -1 : open_node(lab, t->veths[i].peer_node, err);

		rc = fd < 0 ? fd : peer_fd < 0 ? peer_fd : 0;
		if (rc == 0)
			rc = rtnl_add_veth(&nl, t->veths[i].ifname, fd, t->veths[i].peer_ifname,
					   peer_fd, err);
		if (fd >= 0)
			close(fd);
		if (peer_fd >= 0)
			close(peer_fd);
	}
	if (nl.sock)
		rtnl_close(&nl);
	for (size_t i = 0; rc == 0 && i < t->n_nodes; i++)
		rc = in_node(lab, t->nodes[i].name, configure_node, err);
	if (rc < 0)
		return rc;
	snprintf(config_path, sizeof(config_path), "%s/nat.conf", lab->state_dir);
	rc = fsroot_replace("", config_path, t->nat_config, err);
	if (rc == 0)
		rc = in_node(lab, t->nat_node, start_nat, err);
	return rc;
}

static int lab_up(const struct lab_ctx *lab, struct bw_err *err)
{
	struct vec names = VEC_INIT(struct netns_name);
	char prefix[LAB_PREFIX_MAX + 2];
	int rc;

	snprintf(prefix, sizeof(prefix), "%s-", lab->prefix);
	rc = netns_list(prefix, &names, err);
	if (rc == 0 && names.len > 0)
		rc = bw_errf(err, -EEXIST, "lab %s is already up (%s exists); 'bulwark lab down' first",
			     lab->prefix, VEC_AT(&names, struct netns_name, 0)->name);
	vec_free(&names);
	if (rc < 0)
		return rc;
	rc = build(lab, err);
	if (rc < 0) {
		struct bw_err down_err;

		/* Never leave half a lab behind. */
		lab_down(lab, &down_err);
		return rc;
	}
	printf("lab %s: up (%zu namespaces %s-*)\n", lab->prefix, lab->topo->n_nodes,
	       lab->prefix);
	return 0;
}

static int lab_status(const struct lab_ctx *lab, struct bw_err *err)
{
	const struct lab_topology *t = lab->topo;
	bool is_nat_there = false;

	printf("%-5s %-18s %-22s %s\n", "node", "namespace", "role", "addresses");
	for (size_t i = 0; i < t->n_nodes; i++) {
		char name[NETNS_NAME_MAX], path[PATH_MAX];
		bool is_there;

		ns_name(lab, t->nodes[i].name, name, sizeof(name));
		snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
		is_there = access(path, F_OK) == 0;
		if (is_there && strcmp(t->nodes[i].name, t->nat_node) == 0)
			is_nat_there = true;
		printf("%-5s %-18s %-22s", t->nodes[i].name, is_there ? name : "(absent)",
		       t->nodes[i].role);
		bool has_addr = false;

		for (size_t j = 0; j < t->n_addrs; j++) {
			if (strcmp(t->addrs[j].node, t->nodes[i].name) != 0)
				continue;
			printf(" %s/%d", t->addrs[j].addr, t->addrs[j].prefix_len);
			has_addr = true;
		}
		printf("%s\n", has_addr ? "" : " -");
	}
	if (!is_nat_there)
		return 0;
	printf("\ngateway (%s-%s):\n", lab->prefix, t->nat_node);
	fflush(stdout);
	return in_node(lab, t->nat_node, show_nat, err);
}

static int lab_exec(const struct lab_ctx *lab, int argc, char **argv, struct bw_err *err)
{
	const char *node;
	int ns_fd, saved_fd, rc;
	bool is_node = false;

	if (argc < 2)
		return bw_err_input(err, "lab exec: expected NODE -- COMMAND...");
	for (size_t i = 0; i < lab->topo->n_nodes; i++)
		if (strcmp(lab->topo->nodes[i].name, argv[0]) == 0)
			is_node = true;
	if (!is_node)
		return bw_err_input(err, "lab exec: no node '%s' (inet, nat, vpc, a, b)", argv[0]);
	node = argv[0];
	argv++;
	argc--;
	if (strcmp(argv[0], "--") == 0) {
		argv++;
		argc--;
	}
	if (argc < 1)
		return bw_err_input(err, "lab exec: no command");
	ns_fd = open_node(lab, node, err);
	if (ns_fd < 0)
		return ns_fd;
	rc = netns_enter(ns_fd, &saved_fd, err);
	close(ns_fd);
	if (rc < 0)
		return rc;
	close(saved_fd);
	fflush(stdout);
	execvp(argv[0], argv);
	return bw_errf(err, -errno, "lab exec: %s: %s", argv[0], strerror(errno));
}

int cmd_lab(int argc, char **argv, const struct bw_globals *globals, struct bw_err *err)
{
	static const struct option options[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct lab_ctx lab = { .globals = globals, .topo = lab_topology(),
			       .prefix = LAB_DEFAULT_PREFIX };
	const char *sub;
	int opt;

	/* '+': options end at the subcommand, so exec's command keeps its own. */
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			lab.prefix = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return bw_err_input(err, "lab: bad option (see 'bulwark lab --help')");
		}
	}
	if (!lab_prefix_is_valid(lab.prefix))
		return bw_err_input(err, "lab: prefix '%s' is not 1 to %d of a-z, 0-9",
				    lab.prefix, LAB_PREFIX_MAX);
	snprintf(lab.state_dir, sizeof(lab.state_dir), BW_STATE_DIR "/lab-%s", lab.prefix);
	if (optind >= argc)
		return bw_err_input(err, "lab: expected up, down, status or exec (see 'bulwark lab --help')");
	sub = argv[optind];
	if (strcmp(sub, "exec") == 0)
		return lab_exec(&lab, argc - optind - 1, argv + optind + 1, err);
	if (optind != argc - 1)
		return bw_err_input(err, "lab %s: unexpected argument '%s'", sub, argv[optind + 1]);
	if (strcmp(sub, "up") == 0)
		return lab_up(&lab, err);
	if (strcmp(sub, "down") == 0) {
		int rc = lab_down(&lab, err);

		if (rc == 0)
			printf("lab %s: down\n", lab.prefix);
		return rc;
	}
	if (strcmp(sub, "status") == 0)
		return lab_status(&lab, err);
	if (strcmp(sub, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	return bw_err_input(err, "lab: unknown subcommand '%s' (see 'bulwark lab --help')", sub);
}
