/* bulwark lab: a VPC on one machine, in network namespaces. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "conf/awsjson.h"
#include "host/awsdir.h"
#include "host/fsroot.h"
#include "host/netns.h"
#include "host/rtnl.h"
#include "model/lab.h"
#include "model/lab_vpc.h"

struct lab_ctx {
	const struct bw_globals *globals;
	const struct lab_topology *topo;
	const char *prefix;
	char state_dir[128];    /* the gateway's state, on the real host */
	char aws_dir[PATH_MAX]; /* an --aws lab's model; "" for the NAT lab */
	char vpc_id[VPC_ID_MAX]; /* its --vpc; "" for the only one */
	struct vpc_model model;
	struct lab_vpc vpc;     /* an --aws lab's topology */
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
		if (strcmp(t->ports[i].node, node) == 0) {
			rc = rtnl_link_up(&nl, t->ports[i].port, t->ports[i].bridge, err);
			if (rc == 0 && t->ports[i].mac)
				rc = rtnl_add_fdb(&nl, t->ports[i].port, t->ports[i].mac, err);
		}
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

static int enable_forwarding(const struct lab_ctx *lab, const char *node, struct bw_err *err)
{
	int rc = fsroot_write_knob("", "/proc/sys/net/ipv4/ip_forward", "1", err);

	(void)lab;
	(void)node;
	return rc == 0 ? fsroot_write_knob("", "/proc/sys/net/ipv6/conf/all/forwarding", "1", err) : rc;
}

static int start_fw(const struct lab_ctx *lab, const char *node, struct bw_err *err)
{
	(void)node;
	return cmd_fw_apply(lab->globals, lab->aws_dir, lab->vpc_id[0] ? lab->vpc_id : NULL,
			    lab->state_dir, err);
}

static int show_fw(const struct lab_ctx *lab, const char *node, struct bw_err *err)
{
	(void)node;
	return cmd_fw_status(lab->globals, lab->state_dir, err);
}

/* An --aws lab remembers its model's folder, so status and exec know its
 * nodes. */
static int load_topology(struct lab_ctx *lab, struct bw_err *err)
{
	struct vec warnings = VEC_INIT(struct awsjson_warning);
	char path[256];
	json_t *state;
	const char *aws, *vpc;
	int rc;

	if (!lab->aws_dir[0]) {
		snprintf(path, sizeof(path), "%s/lab.json", lab->state_dir);
		state = json_load_file(path, 0, NULL);
		aws = json_string_value(json_object_get(state, "aws"));
		vpc = json_string_value(json_object_get(state, "vpc"));
		if (aws && strlen(aws) < sizeof(lab->aws_dir))
			snprintf(lab->aws_dir, sizeof(lab->aws_dir), "%s", aws);
		if (vpc && strlen(vpc) < sizeof(lab->vpc_id))
			snprintf(lab->vpc_id, sizeof(lab->vpc_id), "%s", vpc);
		json_decref(state);
	}
	if (!lab->aws_dir[0]) {
		lab->topo = lab_topology();
		return 0;
	}
	rc = awsdir_load(lab->aws_dir, lab->vpc_id[0] ? lab->vpc_id : NULL, &lab->model,
			 &warnings, err);
	for (size_t i = 0; i < warnings.len; i++)
		cmd_warn("%s", VEC_AT(&warnings, struct awsjson_warning, i)->text);
	vec_free(&warnings);
	if (rc == 0 && lab_vpc_build(&lab->model, &lab->vpc) < 0)
		rc = bw_errf(err, -ENOMEM, "out of memory");
	lab->topo = &lab->vpc.topo;
	return rc;
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
	/* What the lab's gateway recorded went with its namespace. */
	static const char *const files[] = { "nat.conf", "nat.json", "fw.json", "fw.nft", "lab.json" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(config_path, sizeof(config_path), "%s/%s", lab->state_dir, files[i]);
		unlink(config_path);
	}
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
			rc = rtnl_add_veth(&nl, t->veths[i].ifname, t->veths[i].mac, fd,
					   t->veths[i].peer_ifname, peer_fd, err);
		if (fd >= 0)
			close(fd);
		if (peer_fd >= 0)
			close(peer_fd);
	}
	if (nl.sock)
		rtnl_close(&nl);
	for (size_t i = 0; rc == 0 && i < t->n_nodes; i++)
		rc = in_node(lab, t->nodes[i].name, configure_node, err);
	if (rc == 0 && t->router_node)
		rc = in_node(lab, t->router_node, enable_forwarding, err);
	if (rc == 0 && t->nat_node) {
		snprintf(config_path, sizeof(config_path), "%s/nat.conf", lab->state_dir);
		rc = fsroot_replace("", config_path, t->nat_config, err);
		if (rc == 0)
			rc = in_node(lab, t->nat_node, start_nat, err);
	}
	if (rc == 0 && t->fw_node) {
		json_t *state = json_pack("{s:s, s:s?}", "aws", lab->aws_dir, "vpc",
					  lab->vpc_id[0] ? lab->vpc_id : NULL);
		char *text = json_dumps(state, 0);

		snprintf(config_path, sizeof(config_path), "%s/lab.json", lab->state_dir);
		rc = text ? fsroot_replace("", config_path, text, err) :
			    bw_errf(err, -ENOMEM, "out of memory");
		free(text);
		json_decref(state);
		if (rc == 0)
			rc = in_node(lab, t->fw_node, start_fw, err);
	}
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

static bool node_is_there(const struct lab_ctx *lab, const char *node, char *name, size_t size)
{
	char path[PATH_MAX];

	ns_name(lab, node, name, size);
	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	return access(path, F_OK) == 0;
}

static int lab_status_json(const struct lab_ctx *lab, struct bw_err *err)
{
	const struct lab_topology *t = lab->topo;
	json_t *nodes = json_array(), *doc;

	for (size_t i = 0; nodes && i < t->n_nodes; i++) {
		char name[NETNS_NAME_MAX];
		bool is_there = node_is_there(lab, t->nodes[i].name, name, sizeof(name));
		json_t *addrs = json_array();

		for (size_t j = 0; addrs && j < t->n_addrs; j++) {
			char text[80];

			if (strcmp(t->addrs[j].node, t->nodes[i].name) != 0)
				continue;
			snprintf(text, sizeof(text), "%s/%d", t->addrs[j].addr, t->addrs[j].prefix_len);
			json_array_append_new(addrs, json_string(text));
		}
		json_array_append_new(nodes, json_pack("{s:s, s:s?, s:b, s:s, s:o*}", "node",
						       t->nodes[i].name, "namespace",
						       is_there ? name : NULL, "present", is_there,
						       "role", t->nodes[i].role, "addresses", addrs));
	}
	doc = json_pack("{s:s, s:s?, s:o*}", "prefix", lab->prefix, "aws",
			lab->aws_dir[0] ? lab->aws_dir : NULL, "nodes", nodes);
	if (!doc)
		return bw_errf(err, -ENOMEM, "out of memory");
	cmd_print_json(doc);
	return 0;
}

static int lab_status(const struct lab_ctx *lab, bool is_json, struct bw_err *err)
{
	const struct lab_topology *t = lab->topo;
	const char *gateway = t->nat_node ? t->nat_node : t->fw_node;
	bool is_gateway_there = false;

	if (is_json)
		return lab_status_json(lab, err);
	printf("%-20s %-30s %-22s %s\n", "node", "namespace", "role", "addresses");
	for (size_t i = 0; i < t->n_nodes; i++) {
		char name[NETNS_NAME_MAX];
		bool is_there = node_is_there(lab, t->nodes[i].name, name, sizeof(name));
		bool has_addr = false;

		if (is_there && gateway && strcmp(t->nodes[i].name, gateway) == 0)
			is_gateway_there = true;
		printf("%-20s %-30s %-22s", t->nodes[i].name, is_there ? name : "(absent)",
		       t->nodes[i].role);
		for (size_t j = 0; j < t->n_addrs; j++) {
			if (strcmp(t->addrs[j].node, t->nodes[i].name) != 0)
				continue;
			printf(" %s/%d", t->addrs[j].addr, t->addrs[j].prefix_len);
			has_addr = true;
		}
		printf("%s\n", has_addr ? "" : " -");
	}
	if (!is_gateway_there)
		return 0;
	printf("\n%s (%s-%s):\n", t->nat_node ? "gateway" : "enforcing", lab->prefix, gateway);
	fflush(stdout);
	return in_node(lab, gateway, t->nat_node ? show_nat : show_fw, err);
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
		return bw_err_input(err, "lab exec: no node '%s' (see bulwark lab status)", argv[0]);
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

static const struct cli_option lab_options[] = {
	{ "prefix", 0, "P", "namespace names start with P- (default " LAB_DEFAULT_PREFIX
			     "; a-z, 0-9, at most 12)" },
	{ "aws", 0, "DIR", "build the VPC that AWS CLI output describes (see bulwark fw --help)" },
	{ "vpc", 0, "VPC", "the VPC to build when the files hold several" },
	{ "json", 'j', NULL, "one JSON document" },
	{ 0 },
};

static int lab_run(const struct cli_call *call, struct bw_err *err)
{
	struct lab_ctx lab = { .globals = call->globals,
			       .prefix = cli_value(call, "prefix") ?: LAB_DEFAULT_PREFIX };
	const char *sub = call->sub->name, *aws = cli_value(call, "aws");
	const char *vpc = cli_value(call, "vpc");
	int rc;

	if (!lab_prefix_is_valid(lab.prefix))
		return bw_err_input(err, "lab: prefix '%s' is not 1 to %d of a-z, 0-9",
				    lab.prefix, LAB_PREFIX_MAX);
	snprintf(lab.state_dir, sizeof(lab.state_dir), BW_STATE_DIR "/lab-%s", lab.prefix);
	/* Kept by absolute path: later commands may run from anywhere. */
	if (vpc && strlen(vpc) >= sizeof(lab.vpc_id))
		return bw_err_input(err, "lab: --vpc '%.60s' is not a VPC id", vpc);
	if (vpc)
		snprintf(lab.vpc_id, sizeof(lab.vpc_id), "%s", vpc);
	if (vpc && !aws)
		return bw_err_input(err, "lab up: --vpc goes with --aws");
	if (aws && !realpath(aws, lab.aws_dir))
		return bw_err_input(err, "lab: --aws %s: %s", aws, strerror(errno));
	vpc_model_init(&lab.model);
	rc = strcmp(sub, "down") == 0 ? 0 : load_topology(&lab, err);
	if (rc == 0 && strcmp(sub, "exec") == 0)
		rc = lab_exec(&lab, call->argc, call->argv, err);
	else if (rc == 0 && strcmp(sub, "up") == 0)
		rc = lab_up(&lab, err);
	else if (rc == 0 && strcmp(sub, "down") == 0 && (rc = lab_down(&lab, err)) == 0)
		printf("lab %s: down\n", lab.prefix);
	else if (rc == 0 && strcmp(sub, "status") == 0)
		rc = lab_status(&lab, cli_flag(call, "json"), err);
	lab_vpc_free(&lab.vpc);
	vpc_model_free(&lab.model);
	return rc;
}

static const struct cli_sub lab_subs[] = {
	{ "up", lab_run, "prefix,aws,vpc", NULL, 0, 0, false,
	  "build the lab: a NAT gateway before a private subnet, or with --aws DIR the VPC "
	  "of that AWS CLI output, enforced by bulwark fw" },
	{ "down", lab_run, "prefix", NULL, 0, 0, false, "remove every namespace of the lab" },
	{ "status", lab_run, "prefix,json", NULL, 0, 0, false,
	  "the lab's nodes, their addresses, and what the gateway enforces" },
	{ "exec", lab_run, "prefix", "NODE [--] COMMAND...", 2, -1, true,
	  "run a command inside a node (in an --aws lab the nodes are vpc, inet and each "
	  "instance's id)" },
	{ 0 },
};

const struct cli_command cmd_lab = {
	.name = "lab",
	.summary = "a VPC in network namespaces: up, down, status, exec",
	.options = lab_options,
	.subs = lab_subs,
	.description = "A VPC on one machine, built through netlink: one network namespace "
		       "per node, named P-node.",
};
