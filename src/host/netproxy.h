/* The proxy settings.network.https-proxy and no-proxy give bulwark's own
 * HTTP (the EC2 API, https user data): the settings appliers keep them in
 * NETPROXY_PATH, and every bulwark command reads them at start. The
 * environment's https_proxy / no_proxy win, as for any libcurl program. */
#pragma once
#include <stddef.h>

#include "util/err.h"

#define NETPROXY_PATH "/run/bulwark/proxy.json"

/* Writes the record under root, or removes it when both are "". */
int netproxy_write(const char *root, const char *https_proxy, const char *no_proxy,
		   struct bw_err *err);

/* Sets https_proxy and no_proxy in this process's environment from the
 * record under root, each only where the environment bulwark started with
 * had neither spelling (the user's wins). Called again (a long-running
 * process, after the settings changed the record), it replaces what it set
 * before, or takes it out when the record no longer has it. No record: none.
 * A damaged record is an error naming it. Not thread-safe (setenv). */
int netproxy_load(const char *root, struct bw_err *err);
