/* br_netfilter's knobs: bridged IPv4 and IPv6 reach the inet forward hook,
 * where the groups and ACLs are, only when they are on (per network
 * namespace). Where bridges exist and the knobs cannot be switched on,
 * traffic inside a subnet would bypass the firewall: that is a failure,
 * never a warning. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/vec.h"

/* Whether this network namespace has a bridge. */
int brnf_has_bridges(bool *has_bridges, struct bw_err *err);

/* Where this namespace has bridges, says in why ("" when all is well)
 * which knob lets bridged traffic past the groups. */
int brnf_check(const char *root, char *why, size_t why_size, struct bw_err *err);

/* Switches the knobs on wherever br_netfilter is loaded; where it is not
 * and this namespace has a bridge, fails. Appends each
 * value it replaced to undo (a vec of struct knob). With is_dry_run it
 * prints what it would write and writes nothing. Fails, having put back
 * what it wrote, when a bridge exists and a knob is missing or refused. */
int brnf_enable(const char *root, bool is_dry_run, struct vec *undo, struct bw_err *err);
