/* Table inet bulwark_host: the host's own firewall (settings.firewall.host).
 * Pure: text only. */
#pragma once
#include "model/settings.h"
#include "util/strbuf.h"

/* The transaction that loads the table (add; delete; table { … }) when
 * fw->is_enabled, or deletes it when not (a delete of a missing table is
 * made harmless with the add-first idiom). */
void host_nft_render(const struct host_fw_config *fw, struct strbuf *out);
