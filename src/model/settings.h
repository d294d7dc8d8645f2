/* Settings: the Bottlerocket-style key tree, its schema, the hardening
 * profiles, and the plan the appliers carry out. A settings tree is a
 * jansson object holding what sits under "settings" (so
 * {"kernel": {"lockdown": "integrity"}} is the key settings.kernel.lockdown).
 * Pure: no I/O. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/nat.h"
#include "model/settings_tree.h"
#include "util/err.h"
#include "util/vec.h"

/* Checks a settings tree: every key known, every value of its key's type
 * and range. The first problem is an input error naming the dotted key
 * ("settings.kernel.lockdown: must be none, integrity or confidentiality").
 * With is_user_write, read-only keys (settings.security.fips-mode) are
 * refused ("settings.security.fips-mode: read-only: ..."). */
int settings_validate(const json_t *settings, bool is_user_write, struct bw_err *err);

/* Where in the tree settings_validate_at found its problem: the path of
 * the key at fault, relative to settings (n 0: the tree itself). The
 * segments are borrowed from the tree (or are static). */
struct settings_where {
	const char *segs[SETTINGS_MAX_SEGMENTS];
	size_t n;
};

/* As settings_validate, and *where (when not NULL) gets the key at fault,
 * so a caller holding the document can say where it was written. */
int settings_validate_at(const json_t *settings, bool is_user_write, struct settings_where *where,
			 struct bw_err *err);

/* The keypair form ("kernel.lockdown=integrity", with or without the
 * "settings." prefix, quoted segments as in kernel.sysctl."net.ipv4.ip_forward"):
 * a settings tree, each value given its key's type from the schema
 * (a sysctl stays the string "1"; modules."x".allowed=false is a boolean).
 * Sets *out (caller decrefs). An unknown key or a bad value is an input
 * error naming the pair. */
int settings_from_keypairs(const char *const *pairs, size_t n_pairs, json_t **out,
			   struct bw_err *err);

enum settings_lockdown {
	SETTINGS_LOCKDOWN_UNSET = 0, /* leave the kernel as it is */
	SETTINGS_LOCKDOWN_NONE,
	SETTINGS_LOCKDOWN_INTEGRITY,
	SETTINGS_LOCKDOWN_CONFIDENTIALITY,
};

/* The dotted key that asked for a step, for errors ("settings.kernel.sysctl.\"fs.suid_dumpable\"",
 * or "settings.hardening.profile" when the profile expanded it). */
#define SETTINGS_KEY_MAX 320

struct settings_sysctl {
	char name[128]; /* "net.ipv4.ip_forward" */
	char value[256];
	char key[SETTINGS_KEY_MAX];
};

struct settings_module {
	char name[64];
	bool is_allowed;
	char key[SETTINGS_KEY_MAX];
};

/* settings.firewall.host: table inet bulwark_host. */
struct host_fw_config {
	bool is_enabled;
	struct vec tcp_ports;     /* uint16_t, sorted, unique: accepted inbound */
	struct vec udp_ports;     /* uint16_t, sorted, unique */
	bool is_icmp_allowed;     /* every inbound ICMP and ICMPv6 type (allow-icmp = true) */
	/* allow-icmp as a list: the types accepted inbound, by number (a
	 * name valid in both families sets both). */
	bool icmp_types[256];
	bool icmpv6_types[256];
	bool is_outbound_allowed; /* new connections from the host (default true) */
	bool is_forward_allowed;  /* forwarded traffic (a NAT or router host) */
};

/* What the host should look like: the profile expanded, explicit keys
 * winning over it. Every vec sorted by name, names unique. */
struct settings_plan {
	struct vec sysctls; /* struct settings_sysctl */
	struct vec modules; /* struct settings_module */
	enum settings_lockdown lockdown;
	char lockdown_key[SETTINGS_KEY_MAX];
	/* The level is the live settings' own, not a change being applied:
	 * one below the running kernel's waits for the next boot (lockdown
	 * only rises) instead of failing every other change. */
	bool is_lockdown_for_next_boot;
	struct host_fw_config host_fw;
	bool has_nat; /* settings.nat.enabled */
	struct nat_config nat;
	char https_proxy[1024]; /* "" none */
	char no_proxy[4096];    /* comma-separated, "" none */
};

void settings_plan_init(struct settings_plan *plan);
void settings_plan_free(struct settings_plan *plan);

/* nft's name for an ICMP (is_v6 false) or ICMPv6 type number, as
 * `nft describe icmp type` / `icmpv6 type` print it; NULL when nft has
 * none. The names allow-icmp takes are exactly these (and nft's alias
 * mld-listener-reduction). */
const char *settings_icmp_type_name(bool is_v6, uint8_t type);

/* The plan of a validated settings tree. */
int settings_plan_build(const json_t *settings, struct settings_plan *plan, struct bw_err *err);
