/* Renders a VPC model as Kubernetes NetworkPolicy YAML: one policy per
 * running instance, for clusters where the instances are pods.
 *
 * The pods are selected by label: bulwark.io/instance=<instance id>, and
 * group membership is a label per group, sg.bulwark.io/<group id>=member,
 * so a rule that references a group selects its members. Each group rule
 * becomes one ingress or egress entry (their union is the policy). What a
 * NetworkPolicy cannot say is left out with a comment naming it: ICMP and
 * protocols other than TCP, UDP and SCTP, and network ACLs (stateless and
 * per subnet). Pure and deterministic. */
#pragma once
#include "model/vpc.h"
#include "util/vec.h"

struct netpol_note {
	char text[320];
};

/* Returns the YAML (caller frees), appending what it could not express to
 * notes (struct netpol_note). NULL when out of memory. */
char *netpol_render(const struct vpc_model *model, const char *k8s_namespace,
		    struct vec *notes);
