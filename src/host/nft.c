#include "host/nft.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>

static void ctx_freep(struct nft_ctx **ctx)
{
	if (*ctx)
		nft_ctx_free(*ctx);
}

#define NFT_CTX_AUTO __attribute__((cleanup(ctx_freep))) struct nft_ctx

/* The first line of libnftables' error output that says what went wrong. */
static void first_error_line(const char *errors, char *out, size_t out_size)
{
	const char *found = errors ? strstr(errors, "Error: ") : NULL;
	const char *end;

	if (!found) {
		snprintf(out, out_size, "%s", errors && *errors ? errors : "unknown error");
		end = strchr(out, '\n');
		if (end)
			out[end - out] = '\0';
		return;
	}
	found += strlen("Error: ");
	end = strchr(found, '\n');
	snprintf(out, out_size, "%.*s", end ? (int)(end - found) : (int)strlen(found),
		 found);
}

static struct nft_ctx *open_ctx(bool is_dry_run, unsigned output_flags)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!ctx)
		return NULL;
	nft_ctx_set_dry_run(ctx, is_dry_run);
	nft_ctx_output_set_flags(ctx, output_flags);
	if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
		nft_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Runs ruleset in a context of its own, left in *ctx for the caller to
 * release (NULL when none was made). */
static int run_in_new_ctx(const char *ruleset, bool is_dry_run, struct nft_ctx **ctx,
			  struct bw_err *err)
{
	char why[400];

	*ctx = NULL;
	/* Nothing to change: no transaction at all (libnftables would still
	 * fetch its cache and the kernel count a generation). */
	if (ruleset[strspn(ruleset, " \t\n")] == '\0')
		return 0;
	*ctx = open_ctx(is_dry_run, 0);
	if (!*ctx)
		return bw_errf(err, -ENOMEM, "nftables: cannot create a context");
	if (nft_run_cmd_from_buffer(*ctx, ruleset) != 0) {
		first_error_line(nft_ctx_get_error_buffer(*ctx), why, sizeof(why));
		return bw_errf(err, -EIO, "nftables %s: %s",
			       is_dry_run ? "check" : "transaction", why);
	}
	return 0;
}

int nft_apply(const char *ruleset, bool is_dry_run, struct bw_err *err)
{
	struct nft_ctx *ctx;
	int rc = run_in_new_ctx(ruleset, is_dry_run, &ctx, err);

	nft_release(&ctx);
	return rc;
}

int nft_apply_release_later(const char *ruleset, struct nft_ctx **spent, struct bw_err *err)
{
	int rc;

	nft_release(spent);
	rc = run_in_new_ctx(ruleset, false, spent, err);
	if (rc < 0)
		nft_release(spent);
	return rc;
}

void nft_release(struct nft_ctx **spent)
{
	if (*spent)
		nft_ctx_free(*spent);
	*spent = NULL;
}

static int list_cmd(const char *cmd, unsigned flags, char **out, struct bw_err *err)
{
	NFT_CTX_AUTO *ctx = open_ctx(false, flags);
	char why[400];
	const char *errors;

	*out = NULL;
	if (!ctx)
		return bw_errf(err, -ENOMEM, "nftables: cannot create a context");
	if (nft_run_cmd_from_buffer(ctx, cmd) != 0) {
		errors = nft_ctx_get_error_buffer(ctx);
		/* A missing table is an answer, not a failure. */
		if (errors && strstr(errors, "No such file or directory"))
			return 0;
		first_error_line(errors, why, sizeof(why));
		return bw_errf(err, -EIO, "nftables: %s: %s", cmd, why);
	}
	*out = strdup(nft_ctx_get_output_buffer(ctx));
	return *out ? 0 : bw_errf(err, -ENOMEM, "out of memory");
}

static int list_table(const char *family, const char *table, unsigned flags,
		      char **out, struct bw_err *err)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "list table %s %s", family, table);
	return list_cmd(cmd, flags, out, err);
}

int nft_list_json(const char *cmd, json_t **out, struct bw_err *err)
{
	char *text = NULL;
	json_error_t jerr;
	int rc = list_cmd(cmd, NFT_CTX_OUTPUT_JSON, &text, err);

	*out = NULL;
	if (rc < 0 || !text)
		return rc;
	*out = json_loads(text, 0, &jerr);
	free(text);
	if (!*out)
		return bw_errf(err, -EIO, "nftables: unreadable JSON listing: %s", jerr.text);
	return 0;
}

int nft_list_table_json(const char *family, const char *table, json_t **out,
			struct bw_err *err)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "list table %s %s", family, table);
	return nft_list_json(cmd, out, err);
}

int nft_list_table_text(const char *family, const char *table, char **out,
			struct bw_err *err)
{
	return list_table(family, table, 0, out, err);
}

bool nft_kernel_has_flowtables(void)
{
	struct bw_err err;

	return nft_apply("table inet bulwark_probe {\n"
			 "\tflowtable probe { hook ingress priority filter; devices = { \"lo\" } }\n"
			 "}\n", true, &err) == 0;
}

bool nft_has_permission(void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &header, data) < 0)
		return false;
	return data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

static int gen_attr_cb(const struct nlattr *attr, void *data)
{
	uint32_t *gen = data;

	if (mnl_attr_get_type(attr) == NFTA_GEN_ID && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		*gen = ntohl(mnl_attr_get_u32(attr));
	return MNL_CB_OK;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_attr_cb, data);
	return MNL_CB_OK;
}

/* The socket the generation is asked on, kept (closing a netfilter
 * socket waits for the kernel to free what the last commit replaced: at
 * 10,000 instances ~10 ms) for the network namespace whose cookie is
 * gen_netns; reopened when the process moved to another. */
static struct mnl_socket *gen_sock;
static uint64_t gen_netns;
static uint32_t gen_seq;

static void gen_sock_close(void)
{
	if (gen_sock)
		mnl_socket_close(gen_sock);
	gen_sock = NULL;
}

static int ruleset_generation(uint64_t netns, uint32_t *generation, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	uint32_t portid, seq;
	ssize_t n;

	*generation = 0;
	if (gen_sock && gen_netns != netns)
		gen_sock_close();
	if (!gen_sock) {
		gen_sock = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
		if (!gen_sock)
			return bw_errf(err, -errno, "nftables: netlink: %s", strerror(errno));
		if (mnl_socket_bind(gen_sock, 0, MNL_SOCKET_AUTOPID) < 0) {
			int e = errno;

			gen_sock_close();
			return bw_errf(err, -e, "nftables: netlink: %s", strerror(e));
		}
		gen_netns = netns;
	}
	seq = ++gen_seq;
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	portid = mnl_socket_get_portid(gen_sock);
	if (mnl_socket_sendto(gen_sock, nlh, nlh->nlmsg_len) < 0 ||
	    (n = mnl_socket_recvfrom(gen_sock, buf, sizeof(buf))) < 0 ||
	    mnl_cb_run(buf, (size_t)n, seq, portid, gen_cb, generation) < 0) {
		int e = errno;

		/* Whatever is left on it unread: a fresh one next time. */
		gen_sock_close();
		return bw_errf(err, -e, "nftables: asking the ruleset's generation: %s",
			       strerror(e));
	}
	return 0;
}

/* SO_NETNS_COOKIE (Linux 5.14): the namespace's 64-bit cookie. */
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static int netns_cookie(uint64_t *cookie, struct bw_err *err)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct stat st;
	int rc = 0;

	if (fd < 0)
		return bw_errf(err, -errno, "socket: %s", strerror(errno));
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0)
		rc = -errno;
	close(fd);
	if (rc != -ENOPROTOOPT)
		return rc < 0 ? bw_errf(err, rc, "the network namespace's cookie: %s",
					strerror(-rc)) : 0;
	/* Before Linux 5.14: the namespace's inode, which a later namespace
	 * may reuse once this one is gone (the top bit tells the two apart). */
	if (stat("/proc/self/ns/net", &st) < 0)
		return bw_errf(err, -errno, "/proc/self/ns/net: %s", strerror(errno));
	*cookie = (1ull << 63) | (((uint64_t)st.st_dev << 32) ^ (uint64_t)st.st_ino);
	return 0;
}

static int boot_id(char *out, size_t size, struct bw_err *err)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int rc = 0;

	if (!f)
		return bw_errf(err, -errno, "/proc/sys/kernel/random/boot_id: %s", strerror(errno));
	if (!fgets(out, (int)size, f) || strlen(out) < NFT_BOOT_ID_LEN)
		rc = bw_errf(err, -EIO, "/proc/sys/kernel/random/boot_id: unreadable");
	else
		out[NFT_BOOT_ID_LEN] = '\0';
	fclose(f);
	return rc;
}

int nft_ruleset_stamp(struct nft_stamp *stamp, struct bw_err *err)
{
	char id[NFT_BOOT_ID_LEN + 8];
	int rc;

	memset(stamp, 0, sizeof(*stamp));
	rc = boot_id(id, sizeof(id), err);
	if (rc == 0)
		rc = netns_cookie(&stamp->netns_cookie, err);
	if (rc == 0)
		rc = ruleset_generation(stamp->netns_cookie, &stamp->generation, err);
	if (rc == 0)
		memcpy(stamp->boot_id, id, sizeof(stamp->boot_id));
	else
		memset(stamp, 0, sizeof(*stamp));
	return rc;
}

bool nft_stamp_equal(const struct nft_stamp *a, const struct nft_stamp *b)
{
	return a->boot_id[0] && a->netns_cookie && a->generation &&
	       strcmp(a->boot_id, b->boot_id) == 0 && a->netns_cookie == b->netns_cookie &&
	       a->generation == b->generation;
}

/* The table's handle, from a NEWTABLE reply; 0 when it has none. */
static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	uint64_t *handle = data;
	const struct nlattr *attr;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWTABLE)
		return MNL_CB_OK;
	*handle = 0;
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) == NFTA_TABLE_HANDLE &&
		    mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
			*handle = be64toh(mnl_attr_get_u64(attr));
	}
	/* A table the kernel gave no handle still exists. */
	if (*handle == 0)
		*handle = UINT64_MAX;
	return MNL_CB_OK;
}

int nft_table_exists(uint8_t family, const char *name, bool *exists, struct bw_err *err)
{
	uint64_t handle;
	int rc = nft_table_handle(family, name, &handle, err);

	*exists = rc == 0 && handle != 0;
	return rc;
}

int nft_table_handle(uint8_t family, const char *name, uint64_t *handle, struct bw_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	uint32_t portid, seq = 1;
	int rc = 0, cb = MNL_CB_OK;

	*handle = 0;
	if (!nl)
		return bw_errf(err, -errno, "nftables: netlink: %s", strerror(errno));
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, name);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = bw_errf(err, -errno, "nftables: asking for table %s: %s", name,
			     strerror(errno));
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	/* The table, then the acknowledgement; or an error alone. */
	while (cb > MNL_CB_STOP) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		cb = n < 0 ? MNL_CB_ERROR : mnl_cb_run(buf, (size_t)n, seq, portid, table_cb, handle);
	}
	if (cb == MNL_CB_ERROR && errno == ENOENT)
		*handle = 0;
	else if (cb == MNL_CB_ERROR)
		rc = bw_errf(err, -errno, "nftables: asking for table %s: %s", name,
			     strerror(errno));
out:
	mnl_socket_close(nl);
	return rc;
}
