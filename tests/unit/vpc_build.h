/* Small VPC models built by hand, for tests of what judges or renders
 * them: the helpers fill struct vpc_model as the reader and linker would. */
#pragma once
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "model/vpc.h"

static inline struct cidr range(const char *text)
{
	struct cidr c;
	char why[120];

	if (cidr_parse(text, true, &c, why, sizeof(why)) != 0)
		fail_msg("%s: %s", text, why);
	return c;
}

static inline int add_subnet(struct vpc_model *m, const char *id, const char *v4,
			     const char *v6, int nacl)
{
	struct vpc_subnet s = { .nacl = nacl };

	snprintf(s.id, sizeof(s.id), "%s", id);
	snprintf(s.vpc_id, sizeof(s.vpc_id), "vpc-0000000000000000a");
	s.has_v4 = v4 != NULL;
	if (v4)
		s.v4 = range(v4);
	s.has_v6 = v6 != NULL;
	if (v6)
		s.v6 = range(v6);
	assert_int_equal(vec_push(&m->subnets, &s), 0);
	return (int)m->subnets.len - 1;
}

static inline int add_sg(struct vpc_model *m, const char *id)
{
	struct vpc_sg sg = { .rules = VEC_INIT(struct sg_rule) };

	snprintf(sg.id, sizeof(sg.id), "%s", id);
	assert_int_equal(vec_push(&m->sgs, &sg), 0);
	return (int)m->sgs.len - 1;
}

/* A rule on proto (VPC_PROTO_ALL or tcp/udp with a port) from or to peer:
 * a CIDR, or the id of a group of the model. */
static inline void add_rule(struct vpc_model *m, int sg, enum vpc_dir dir, int proto,
			    int port, const char *peer)
{
	struct vpc_sg *group = VEC_AT(&m->sgs, struct vpc_sg, sg);
	struct sg_rule r = {
		.dir = dir,
		.traffic = { .proto = proto, .port_from = (uint16_t)(port < 0 ? 0 : port),
			     .port_to = (uint16_t)(port < 0 ? 65535 : port),
			     .icmp_type = -1, .icmp_code = -1 },
	};

	r.permission = 1;
	for (size_t i = 0; i < group->rules.len; i++)
		r.permission += VEC_AT(&group->rules, struct sg_rule, i)->dir == dir;
	if (strncmp(peer, "sg-", 3) == 0) {
		r.peer_kind = VPC_PEER_GROUP;
		r.peer = vpc_find_sg(m, peer);
		snprintf(r.peer_id, sizeof(r.peer_id), "%s", peer);
	} else {
		r.peer_kind = VPC_PEER_CIDR;
		r.cidr = range(peer);
		r.peer = -1;
	}
	assert_int_equal(vec_push(&group->rules, &r), 0);
}

/* An ENI with up to three addresses or delegated prefixes and one group. */
static inline int add_eni(struct vpc_model *m, const char *id, const char *instance_id,
			  int subnet, int sg, const char *a1, const char *a2, const char *a3)
{
	struct vpc_eni eni = { .addrs = VEC_INIT(struct cidr), .group_ids = VEC_INIT(struct vpc_id),
			       .groups = VEC_INIT(int), .subnet = subnet,
			       .is_source_dest_checked = true };
	const char *addrs[] = { a1, a2, a3 };

	snprintf(eni.id, sizeof(eni.id), "%s", id);
	snprintf(eni.instance_id, sizeof(eni.instance_id), "%s", instance_id);
	snprintf(eni.subnet_id, sizeof(eni.subnet_id), "%s",
		 VEC_AT(&m->subnets, struct vpc_subnet, subnet)->id);
	for (size_t i = 0; i < 3; i++) {
		struct cidr c;

		if (!addrs[i])
			continue;
		c = range(addrs[i]);
		assert_int_equal(vec_push(&eni.addrs, &c), 0);
	}
	if (sg >= 0) {
		struct vpc_id gid;

		snprintf(gid.id, sizeof(gid.id), "%s", VEC_AT(&m->sgs, struct vpc_sg, sg)->id);
		assert_int_equal(vec_push(&eni.group_ids, &gid), 0);
		assert_int_equal(vec_push(&eni.groups, &sg), 0);
	}
	assert_int_equal(vec_push(&m->enis, &eni), 0);
	return (int)m->enis.len - 1;
}

/* An ACL whose entries in each direction are one rule (allow or deny all
 * from/to cidr at rule 100) and the default deny. */
static inline int add_nacl(struct vpc_model *m, const char *id, bool is_allow,
			   const char *cidr)
{
	struct vpc_nacl acl = { .entries = VEC_INIT(struct nacl_entry),
				.subnet_ids = VEC_INIT(struct vpc_id) };

	snprintf(acl.id, sizeof(acl.id), "%s", id);
	for (int egress = 0; egress < 2; egress++) {
		struct nacl_entry e = { .rule_number = 100, .is_egress = egress, .is_allow = is_allow,
					.traffic = { .proto = VPC_PROTO_ALL, .port_to = 65535,
						     .icmp_type = -1, .icmp_code = -1 },
					.cidr = range(cidr) };
		struct nacl_entry star = e;

		star.rule_number = 32767; /* the "*" entry */
		star.is_allow = false;
		star.cidr = range(strchr(cidr, ':') ? "::/0" : "0.0.0.0/0");
		assert_int_equal(vec_push(&acl.entries, &e), 0);
		assert_int_equal(vec_push(&acl.entries, &star), 0);
	}
	assert_int_equal(vec_push(&m->nacls, &acl), 0);
	return (int)m->nacls.len - 1;
}

static inline void add_vpc(struct vpc_model *m, const char *id, const char *c1, const char *c2)
{
	struct vpc_vpc vpc = { .cidrs = VEC_INIT(struct cidr) };
	const char *cidrs[] = { c1, c2 };

	snprintf(vpc.id, sizeof(vpc.id), "%s", id);
	for (size_t i = 0; i < 2; i++) {
		struct cidr c;

		if (!cidrs[i])
			continue;
		c = range(cidrs[i]);
		assert_int_equal(vec_push(&vpc.cidrs, &c), 0);
	}
	assert_int_equal(vec_push(&m->vpcs, &vpc), 0);
}

