/* host/nftnl_elems.c: set elements as one netlink batch through libnftnl
 * (see nftnl_elems.h). */
#include "host/nftnl_elems.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "host/nft.h"
#include "render/nftelem.h"

/* A NEWSETELEM message's elements stay well under the 64 KB a netlink
 * attribute (their nest) can hold. */
#define MSG_PAYLOAD_MAX 32768
#define MSG_ROOM (MSG_PAYLOAD_MAX + 4096)

struct msg {
	size_t offset;    /* in the batch */
	size_t part;
	size_t first_rec; /* index in batch.items of its first element */
	size_t n_elems;
};

struct batch {
	char *buf;
	size_t len, cap;
	struct vec msgs;  /* struct msg */
	struct vec items; /* uint32_t: each element's item index in its part */
	uint32_t seq0;
};

static int family_of(const char *name, uint16_t *out)
{
	static const struct {
		const char *name;
		uint16_t family;
	} families[] = {
		{ "inet", NFPROTO_INET }, { "bridge", NFPROTO_BRIDGE }, { "ip", NFPROTO_IPV4 },
		{ "ip6", NFPROTO_IPV6 },  { "arp", NFPROTO_ARP },       { "netdev", NFPROTO_NETDEV },
	};

	for (size_t i = 0; i < sizeof(families) / sizeof(*families); i++) {
		if (strcmp(name, families[i].name) == 0) {
			*out = families[i].family;
			return 0;
		}
	}
	return -EOPNOTSUPP;
}

static int reserve(struct batch *b, size_t room, struct bw_err *err)
{
	size_t cap = b->cap ? b->cap : 65536;
	char *grown;

	if (b->cap - b->len >= room)
		return 0;
	while (cap - b->len < room)
		cap *= 2;
	grown = realloc(b->buf, cap);
	if (!grown)
		return bw_errf(err, -ENOMEM, "nftnl: out of memory");
	/* Netlink attributes leave padding bytes: keep them zero. */
	memset(grown + b->cap, 0, cap - b->cap);
	b->buf = grown;
	b->cap = cap;
	return 0;
}

size_t nftnl_elem_msg_size(const struct nftelem *e, size_t key_len)
{
	size_t key = 4 + 4 + (key_len + 3) / 4 * 4;

	return 4 + key + (e->has_key_end ? key : 0) + (e->is_interval_end ? 8 : 0) +
	       (e->has_verdict ? 4 + 4 + 8 + 4 + (e->chain_len + 4) / 4 * 4 : 0) +
	       (e->is_open ? 4 + 8 : 0);
}

struct nftnl_set_elem *nftnl_elem_make(const struct nftelem *e, size_t key_len,
				       const struct nftnl_udata_buf *open_flag)
{
	struct nftnl_set_elem *ne = nftnl_set_elem_alloc();
	char chain[NFT_CHAIN_MAXNAMELEN];
	int rc = 0;

	if (!ne)
		return NULL;
	rc |= nftnl_set_elem_set(ne, NFTNL_SET_ELEM_KEY, e->key, (uint32_t)key_len);
	if (e->has_key_end)
		rc |= nftnl_set_elem_set(ne, NFTNL_SET_ELEM_KEY_END, e->key_end, (uint32_t)key_len);
	if (e->is_interval_end)
		nftnl_set_elem_set_u32(ne, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
	if (e->has_verdict) {
		nftnl_set_elem_set_u32(ne, NFTNL_SET_ELEM_VERDICT, (uint32_t)e->verdict);
		if (e->chain && e->chain_len < sizeof(chain)) {
			memcpy(chain, e->chain, e->chain_len);
			chain[e->chain_len] = '\0';
			rc |= nftnl_set_elem_set_str(ne, NFTNL_SET_ELEM_CHAIN, chain);
		}
	}
	if (e->is_open)
		rc |= nftnl_set_elem_set(ne, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(open_flag),
					 nftnl_udata_buf_len(open_flag));
	if (rc != 0) {
		nftnl_set_elem_free(ne);
		return NULL;
	}
	return ne;
}

/* Appends the NEWSETELEM messages of one part's encoded elements. */
static int add_messages(struct batch *b, size_t part_i, const struct nftnl_elems_part *part,
			uint16_t family, const struct vec *elems, size_t key_len,
			const struct nftnl_udata_buf *open_flag, struct bw_err *err)
{
	size_t i = 0;

	while (i < elems->len) {
		struct nftnl_set *s = nftnl_set_alloc();
		struct msg m = { .part = part_i, .first_rec = b->items.len };
		size_t bytes = 0;
		struct nlmsghdr *nlh;
		int rc;

		if (!s)
			return bw_errf(err, -ENOMEM, "nftnl: out of memory");
		if (nftnl_set_set_str(s, NFTNL_SET_TABLE, part->table) < 0 ||
		    nftnl_set_set_str(s, NFTNL_SET_NAME, part->set->name) < 0) {
			nftnl_set_free(s);
			return bw_errf(err, -ENOMEM, "nftnl: out of memory");
		}
		while (i < elems->len) {
			const struct nftelem *e = VEC_AT(elems, struct nftelem, i);
			size_t size = nftnl_elem_msg_size(e, key_len);
			struct nftnl_set_elem *ne;
			uint32_t item = (uint32_t)e->item;

			if (m.n_elems > 0 && bytes + size > MSG_PAYLOAD_MAX)
				break;
			ne = nftnl_elem_make(e, key_len, open_flag);
			if (!ne || vec_push(&b->items, &item) < 0) {
				nftnl_set_elem_free(ne);
				nftnl_set_free(s);
				return bw_errf(err, -ENOMEM, "nftnl: out of memory");
			}
			nftnl_set_elem_add(s, ne);
			bytes += size;
			m.n_elems++;
			i++;
		}
		rc = reserve(b, MSG_ROOM, err);
		if (rc < 0) {
			nftnl_set_free(s);
			return rc;
		}
		m.offset = b->len;
		/* NLM_F_CREATE without NLM_F_EXCL, as nft's `add element`: an
		 * element already there identically is no error. */
		nlh = nftnl_nlmsg_build_hdr(b->buf + b->len, NFT_MSG_NEWSETELEM, family,
					    NLM_F_CREATE | NLM_F_ACK,
					    b->seq0 + 1 + (uint32_t)b->msgs.len);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		b->len += nlh->nlmsg_len;
		if (vec_push(&b->msgs, &m) < 0)
			return bw_errf(err, -ENOMEM, "nftnl: out of memory");
	}
	return 0;
}

static void part_name(const struct nftnl_elems_part *p, char *out, size_t size)
{
	snprintf(out, size, "%s %s %s", p->family, p->table, p->set->name);
}

/* Encodes every part into the batch; nothing is sent. */
static int build(struct batch *b, const struct nftnl_elems_part *parts, size_t n_parts,
		 struct bw_err *err)
{
	struct nftnl_udata_buf *open_flag = nftnl_udata_buf_alloc(16);
	struct vec elems = VEC_INIT(struct nftelem);
	int rc = 0;

	if (!open_flag || !nftnl_udata_put_u32(open_flag, NFTNL_UDATA_SET_ELEM_FLAGS,
					       NFTNL_SET_ELEM_F_INTERVAL_OPEN)) {
		rc = bw_errf(err, -ENOMEM, "nftnl: out of memory");
		goto out;
	}
	rc = reserve(b, MSG_ROOM, err);
	if (rc < 0 || !b->buf)
		goto out;
	b->len = nftnl_batch_begin(b->buf, b->seq0)->nlmsg_len;
	for (size_t i = 0; rc == 0 && i < n_parts; i++) {
		const struct nftnl_elems_part *p = &parts[i];
		struct nftelem_layout layout;
		char name[300];
		uint16_t family;

		part_name(p, name, sizeof(name));
		if (family_of(p->family, &family) < 0) {
			rc = bw_errf(err, -EOPNOTSUPP, "set %s: unknown family", name);
			break;
		}
		if ((p->set->kind != NFTOBJ_SET && p->set->kind != NFTOBJ_MAP) ||
		    p->first > p->set->items.len || p->count > p->set->items.len - p->first) {
			rc = bw_errf(err, -EINVAL, "set %s: no such elements", name);
			break;
		}
		rc = nftelem_layout_parse(name, p->set->header, &layout, err);
		if (rc == 0 && layout.is_auto_merge && (p->first != 0 || p->count != p->set->items.len))
			rc = bw_errf(err, -EINVAL, "set %s: an auto-merge set is loaded whole", name);
		elems.len = 0;
		if (rc == 0)
			rc = nftelem_encode(name, &layout,
					    (const char *const *)p->set->items.items + p->first, p->count,
					    &elems, err);
		if (rc == 0)
			rc = add_messages(b, i, p, family, &elems, layout.key_len, open_flag, err);
	}
	if (rc == 0)
		rc = reserve(b, 64, err);
	if (rc == 0) {
		struct nlmsghdr *end = nftnl_batch_end(b->buf + b->len,
						       b->seq0 + 1 + (uint32_t)b->msgs.len);

		b->len += end->nlmsg_len;
	}
out:
	vec_free(&elems);
	if (open_flag)
		nftnl_udata_buf_free(open_flag);
	return rc;
}

struct ack {
	size_t n_acks;
	bool has_error;
	bool is_batch_error; /* the kernel refused the batch itself */
	int error;           /* negative errno */
	size_t msg;          /* which message failed */
	uint32_t bad_offset; /* NLMSGERR_ATTR_OFFS, 0 when none */
	char reason[200];    /* NLMSGERR_ATTR_MSG */
};

static void read_ack(const struct batch *b, const struct nlmsghdr *nlh, struct ack *a)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	uint32_t seq = nlh->nlmsg_seq;
	const struct nlattr *attr;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return;
	if (e->error == 0) {
		a->n_acks++;
		return;
	}
	if (seq > b->seq0 && seq <= b->seq0 + b->msgs.len)
		a->n_acks++;
	if (a->has_error)
		return;
	a->has_error = true;
	a->error = e->error;
	a->is_batch_error = seq <= b->seq0 || seq > b->seq0 + b->msgs.len;
	a->msg = a->is_batch_error ? 0 : seq - b->seq0 - 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(attr, nlh, sizeof(*e)) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			a->bad_offset = mnl_attr_get_u32(attr);
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(a->reason, sizeof(a->reason), "%s", mnl_attr_get_str(attr));
	}
}

/* Which element of a message the kernel's bad-attribute offset points
 * at, or SIZE_MAX. */
static size_t bad_element(const struct batch *b, const struct msg *m, uint32_t offset)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(b->buf + m->offset);
	const struct nlattr *attr, *el;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		size_t k = 0;

		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, attr) {
			if ((size_t)((const char *)el - (const char *)nlh) == offset)
				return k < m->n_elems ? k : SIZE_MAX;
			k++;
		}
	}
	return SIZE_MAX;
}

static int refused(const struct batch *b, const struct nftnl_elems_part *parts,
		   const struct ack *a, struct bw_err *err)
{
	const struct msg *m;
	const struct nftnl_elems_part *p;
	char name[300];
	size_t k;
	const char *why = a->reason[0] ? a->reason : "";

	if (a->is_batch_error)
		return bw_errf(err, a->error, "nftnl: the kernel refused the transaction: %s%s%s",
			       strerror(-a->error), why[0] ? ": " : "", why);
	m = VEC_AT(&b->msgs, struct msg, a->msg);
	p = &parts[m->part];
	part_name(p, name, sizeof(name));
	k = a->bad_offset ? bad_element(b, m, a->bad_offset) : SIZE_MAX;
	if (k != SIZE_MAX) {
		uint32_t item = *VEC_AT(&b->items, uint32_t, m->first_rec + k);
		const char *text = *VEC_AT(&p->set->items, char *, p->first + item);

		return bw_errf(err, a->error, "set %s: element `%.100s`: %s%s%s", name, text,
			       strerror(-a->error), why[0] ? ": " : "", why);
	}
	return bw_errf(err, a->error, "set %s: %s%s%s", name, strerror(-a->error),
		       why[0] ? ": " : "", why);
}

static int set_buffer(int fd, int force, int plain, size_t size)
{
	int v = size > INT32_MAX / 2 ? INT32_MAX / 2 : (int)size;

	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

/* Sends the batch and reads every answer. The kernel handles a batch
 * while the sender is in sendmsg(), so every answer is queued when it
 * returns: read without waiting. */
static int talk(const struct batch *b, const struct nftnl_elems_part *parts, struct bw_err *err)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	struct ack a = { 0 };
	int one = 1, rc = 0, fd;

	if (!nl)
		return bw_errf(err, -errno, "nftnl: netlink socket: %s", strerror(errno));
	fd = mnl_socket_get_fd(nl);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, b->len + 4096) < 0 ||
	    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, b->msgs.len * 1024 + 65536) < 0) {
		rc = bw_errf(err, -errno, "nftnl: netlink socket: %s", strerror(errno));
		goto out;
	}
	if (mnl_socket_sendto(nl, b->buf, b->len) < 0) {
		rc = bw_errf(err, -errno, "nftnl: sending %zu bytes: %s", b->len, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int left = (int)n;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			rc = bw_errf(err, -errno, "nftnl: reading the kernel's answers: %s",
				     strerror(errno));
			goto out;
		}
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_type == NLMSG_ERROR)
				read_ack(b, nlh, &a);
	}
	if (a.has_error)
		rc = refused(b, parts, &a, err);
	else if (a.n_acks != b->msgs.len)
		rc = bw_errf(err, -EPROTO, "nftnl: the kernel answered %zu of %zu messages",
			     a.n_acks, b->msgs.len);
out:
	mnl_socket_close(nl);
	return rc;
}

int nftnl_elems_add(const struct nftnl_elems_part *parts, size_t n_parts, struct bw_err *err)
{
	struct batch b = { .msgs = VEC_INIT(struct msg), .items = VEC_INIT(uint32_t), .seq0 = 1 };
	int rc = build(&b, parts, n_parts, err);

	if (rc == 0 && b.msgs.len > 0)
		rc = talk(&b, parts, err);
	free(b.buf);
	vec_free(&b.msgs);
	vec_free(&b.items);
	return rc;
}

static bool is_setlike(const struct nftobj *o)
{
	return o->kind == NFTOBJ_SET || o->kind == NFTOBJ_MAP;
}

int nftnl_elems_check(const struct nftobj_ruleset *rs, struct bw_err *err)
{
	struct vec elems = VEC_INIT(struct nftelem);
	int rc = 0;

	for (size_t t = 0; rc == 0 && t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);

		for (size_t k = 0; rc == 0 && k < tb->objs.len; k++) {
			const struct nftobj *o = VEC_AT(&tb->objs, struct nftobj, k);
			struct nftelem_layout layout;

			if (!is_setlike(o))
				continue;
			rc = nftelem_layout_parse(o->name, o->header, &layout, err);
			elems.len = 0;
			if (rc == 0)
				rc = nftelem_encode(o->name, &layout, (const char *const *)o->items.items,
						    o->items.len, &elems, err);
		}
	}
	vec_free(&elems);
	return rc;
}

/* Sends rs's elements in transactions of at most max_elements (a set
 * never split), or with is_counting only counts those transactions. */
static int load_groups(const struct nftobj_ruleset *rs, size_t max_elements, bool is_counting,
		       size_t *n_txns, struct bw_err *err)
{
	struct vec parts = VEC_INIT(struct nftnl_elems_part);
	size_t used = 0;
	int rc = 0;

	if (max_elements == 0)
		return bw_errf(err, -EINVAL, "nftnl: transactions of 0 elements");
	for (size_t t = 0; rc == 0 && t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);

		for (size_t k = 0; rc == 0 && k < tb->objs.len; k++) {
			const struct nftobj *o = VEC_AT(&tb->objs, struct nftobj, k);
			struct nftnl_elems_part p = { tb->family, tb->name, o, 0, o->items.len };

			if (!is_setlike(o) || o->items.len == 0)
				continue;
			if (used > 0 && used + o->items.len > max_elements) {
				rc = is_counting ? 0 : nftnl_elems_add(parts.items, parts.len, err);
				*n_txns += rc == 0;
				parts.len = 0;
				used = 0;
			}
			if (rc == 0 && vec_push(&parts, &p) < 0)
				rc = bw_errf(err, -ENOMEM, "nftnl: out of memory");
			used += o->items.len;
		}
	}
	if (rc == 0 && parts.len > 0) {
		rc = is_counting ? 0 : nftnl_elems_add(parts.items, parts.len, err);
		*n_txns += rc == 0;
	}
	vec_free(&parts);
	return rc;
}

int nftnl_elems_load(const struct nftobj_ruleset *rs, size_t max_elements, size_t *n_txns,
		      struct bw_err *err)
{
	return load_groups(rs, max_elements, false, n_txns, err);
}

/* rs without elements (shallow: the strings stay rs's). */
static int without_elements(const struct nftobj_ruleset *rs, struct nftobj_ruleset *out)
{
	*out = (struct nftobj_ruleset){ .tables = VEC_INIT(struct nftobj_table) };
	for (size_t t = 0; t < rs->tables.len; t++) {
		struct nftobj_table tb = *VEC_AT(&rs->tables, struct nftobj_table, t);
		const struct vec objs = tb.objs;

		tb.objs = (struct vec)VEC_INIT(struct nftobj);
		for (size_t k = 0; k < objs.len; k++) {
			struct nftobj o = *VEC_AT(&objs, struct nftobj, k);

			if (is_setlike(&o))
				o.items.len = 0;
			if (vec_push(&tb.objs, &o) < 0) {
				vec_free(&tb.objs);
				return -ENOMEM;
			}
		}
		if (vec_push(&out->tables, &tb) < 0) {
			vec_free(&tb.objs);
			return -ENOMEM;
		}
	}
	return 0;
}

static void free_shallow(struct nftobj_ruleset *rs)
{
	for (size_t t = 0; t < rs->tables.len; t++)
		vec_free(&VEC_AT(&rs->tables, struct nftobj_table, t)->objs);
	vec_free(&rs->tables);
}

int nftnl_tables_delete(const struct nftobj_ruleset *rs, struct bw_err *err)
{
	int rc = 0;

	for (size_t t = 0; t < rs->tables.len; t++) {
		const struct nftobj_table *tb = VEC_AT(&rs->tables, struct nftobj_table, t);
		struct bw_err why;
		bool exists = true;
		uint16_t family;
		char cmd[600];
		int one = family_of(tb->family, &family);

		if (one == 0)
			one = nft_table_exists((uint8_t)family, tb->name, &exists, &why);
		else
			bw_errf(&why, one, "unknown family %s", tb->family);
		snprintf(cmd, sizeof(cmd), "delete table %s %s\n", tb->family, tb->name);
		if (one == 0 && exists)
			one = nft_apply(cmd, false, &why);
		/* Every table is tried; the first failure is told. */
		if (one < 0 && rc == 0)
			rc = bw_errf(err, one, "table %s %s: %.400s", tb->family, tb->name, why.msg);
	}
	return rc;
}

int nftnl_elems_load_staged(const struct nftobj_ruleset *rs, size_t max_elements, size_t *n_txns,
			    size_t *n_total, struct bw_err *err)
{
	struct nftobj_ruleset bare;
	struct vec txns = VEC_INIT(char *);
	int rc;

	*n_txns = 0;
	*n_total = 0;
	rc = nftnl_elems_check(rs, err);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EOPNOTSUPP;
	rc = without_elements(rs, &bare);
	if (rc == 0)
		rc = nftobj_staged(&bare, 1, &txns, err);
	else
		rc = bw_errf(err, rc, "nftnl: out of memory");
	free_shallow(&bare);
	/* [declarations] or [declarations, base chains]. */
	if (rc == 0 && (txns.len < 1 || txns.len > 2))
		rc = bw_errf(err, -EPROTO, "nftnl: %zu parts without elements", txns.len);
	if (rc == 0)
		rc = load_groups(rs, max_elements, true, n_total, err);
	if (rc == 0) {
		*n_total += txns.len;
		rc = nft_apply(*VEC_AT(&txns, char *, 0), false, err);
	}
	if (rc == 0) {
		(*n_txns)++;
		rc = nftnl_elems_load(rs, max_elements, n_txns, err);
		if (rc == 0 && txns.len == 2)
			rc = nft_apply(*VEC_AT(&txns, char *, 1), false, err);
		if (rc == 0 && txns.len == 2)
			(*n_txns)++;
		if (rc < 0) {
			struct bw_err ignored;

			/* The caller looks at what is left and says so. */
			nftnl_tables_delete(rs, &ignored);
		}
	}
	for (size_t i = 0; i < txns.len; i++)
		free(*VEC_AT(&txns, char *, i));
	vec_free(&txns);
	return rc;
}
