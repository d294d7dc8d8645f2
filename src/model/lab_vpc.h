/* A lab built from a VPC model (`bulwark lab up --aws DIR`): the host
 * that routes and enforces ("vpc", a bridge per subnet with the VPC
 * router's address, .1 and ::1), one namespace per ENI (named by its
 * instance id; an instance's further ENIs by their own id) with its
 * addresses, and an internet host (203.0.113.1, 2001:db8:113::1) reached
 * through the router. Pure: it only builds data. */
#pragma once
#include "model/lab.h"
#include "model/vpc.h"
#include "util/vec.h"

struct lab_vpc {
	struct lab_topology topo; /* points into the vectors below */
	struct vec strings;       /* char *, owned */
	struct vec nodes, veths, bridges, ports, addrs, routes;
};

/* Returns 0 or -ENOMEM; lab_vpc_free() either way. */
int lab_vpc_build(const struct vpc_model *model, struct lab_vpc *lab);
void lab_vpc_free(struct lab_vpc *lab);
