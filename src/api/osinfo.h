/* The "os" part of the model (GET / and GET /os), as Bottlerocket's
 * BottlerocketRelease: pretty_name, variant_id, version_id, build_id and
 * arch, filled from the host's os-release(5) text. Pure: the caller reads
 * the file and uname. */
#pragma once
#include <jansson.h>
#include <stddef.h>

/* The os object of an os-release text (NULL or "" when the host has none):
 *   pretty_name  PRETTY_NAME, else "Linux" (os-release(5)'s default)
 *   variant_id   VARIANT_ID, else ID, else "linux"
 *   version_id   VERSION_ID, else "" (a rolling release has none)
 *   build_id     BUILD_ID, else version (bulwark's own)
 *   arch         machine, as uname(2) says it (x86_64, aarch64)
 * Values quoted as os-release allows ("…" with \ escapes, '…') are
 * unquoted; a value that is not UTF-8 is left out (the default stands).
 * NULL when out of memory. */
json_t *osinfo_from_release(const char *text, size_t len, const char *machine,
			    const char *version);

/* The fields of os a prefix asks for, as Bottlerocket's apiserver answers
 * GET /?prefix=: a prefix "os." starts with ("o", "os", "os.") asks for
 * every field; "os.FIELD…" for the fields whose names start with
 * FIELD…; any other prefix is not about os: NULL. Out of memory: NULL too. */
json_t *osinfo_select(const json_t *os, const char *prefix);
