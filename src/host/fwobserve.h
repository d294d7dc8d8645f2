/* What the kernel holds of bulwark's firewall: its tables, how many ENI
 * addresses and groups the inet table dispatches to, and its drop
 * counters (groups, ACLs, the source/destination check). Read back, never
 * assumed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define FWOBSERVE_MAX_COUNTERS 12

struct fw_counter {
	char name[48];
	uint64_t packets;
};

struct fw_loaded {
	bool has_inet;   /* table inet bulwark_vpc */
	bool has_bridge; /* table bridge bulwark_vpc */
	uint64_t inet_handle, bridge_handle; /* the kernel's handles of the two; 0 absent */
	size_t n_eni_addrs, n_groups;
	struct fw_counter counters[FWOBSERVE_MAX_COUNTERS];
	size_t n_counters;
};

/* Which of the two tables are loaded: one cheap listing of table names. */
int fwobserve_tables(bool *has_inet, bool *has_bridge, struct bw_err *err);

/* The kernel's handles of the two tables (nft_table_handle()), 0 for one
 * not loaded. */
int fwobserve_table_handles(uint64_t *inet_handle, uint64_t *bridge_handle, struct bw_err *err);

/* Everything above; lists the inet table whole (status only). */
int fwobserve_read(struct fw_loaded *out, struct bw_err *err);
