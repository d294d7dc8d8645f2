/* Renders a VPC model as Kubernetes NetworkPolicies: one per instance, for
 * clusters where the instances are pods. YAML (a stream of documents,
 * written by libyaml) or JSON (one v1 List).
 *
 * The pods are selected by label: bulwark.io/instance=<instance id>, and
 * group membership is a label per group, sg.bulwark.io/<group id>=member,
 * so a rule that references a group selects its members. ENIs that no
 * instance owns (RDS, ELB, Lambda, endpoints) are not pods: they get no
 * policy, but stand in the others' rules as ipBlocks of their addresses
 * beside the group's podSelector. Each group rule becomes one ingress or
 * egress entry (their union is the policy). What a NetworkPolicy cannot
 * say is left out and named, in the policy's bulwark.io/left-out
 * annotation (YAML written by a library carries no comments) and in notes:
 * ICMP and protocols other than TCP, UDP and SCTP, references to groups or
 * prefix lists not in the input, and network ACLs (stateless and per
 * subnet). Pure and deterministic. */
#pragma once
#include <stdbool.h>

#include "model/vpc.h"
#include "util/err.h"
#include "util/vec.h"

struct netpol_note {
	char text[384];
};

/* Whether ns is a DNS-1123 label, as Kubernetes requires of a namespace:
 * 1 to 63 characters of a-z, 0-9 and '-', starting and ending with a
 * letter or digit. */
bool netpol_namespace_is_valid(const char *ns);

/* Sets *out to the policies (caller frees) and appends what they could not
 * express to notes (struct netpol_note), one per rule. Returns 0, -EINVAL
 * (an input error: the namespace is not a DNS-1123 label) or -ENOMEM. */
int netpol_render(const struct vpc_model *model, const char *k8s_namespace, bool is_json,
		  char **out, struct vec *notes, struct bw_err *err);
