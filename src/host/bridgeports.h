/* Where each ENI attaches: the static entries of the bridges' forwarding
 * tables in the current network namespace. An operator (or `bulwark lab`)
 * installs one for each ENI's MAC on the bridge port the ENI is plugged
 * into (`bridge fdb add MAC dev PORT master static`); bulwark then binds
 * the ENI to that port (render/vpc_nft.h). */
#pragma once
#include "render/vpc_nft.h"
#include "util/err.h"
#include "util/vec.h"

/* Appends a struct vpc_port (MAC lowercase) for each static or permanent
 * entry of a bridge port (entries of the bridge device itself left out),
 * in the kernel's order. Returns 0 or a negative errno. */
int bridgeports_read(struct vec *ports, struct bw_err *err);
