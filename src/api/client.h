/* The client side of the settings API: HTTP/1.1 to `bulwark serve` over
 * its Unix socket, and the fetch of user data over https, both through
 * libcurl. Host code (it opens sockets); the pure helpers that shape what
 * is sent are in api/client_input.h. */
#pragma once
#include <stddef.h>

#include "util/err.h"

#define API_SOCKET_DEFAULT "/run/bulwark/api.sock"
#define API_SOCKET_ENV "BULWARK_SOCKET"
/* The most a reply or a fetched document may hold (the server's own limit
 * on a request body). */
#define API_BODY_MAX ((size_t)1 << 20)

/* The socket to talk to: option when given, else $BULWARK_SOCKET when set
 * and not empty, else API_SOCKET_DEFAULT. */
const char *api_socket_path(const char *option);

/* A 2xx answer. body is NUL-terminated (caller frees with api_reply_free). */
struct api_reply {
	long status;
	char *body;
	size_t len;
};
void api_reply_free(struct api_reply *reply);

/* Sends method target (path and query: "/settings?tx=x") with body (NULL:
 * none; sent as application/json) to the server on socket_path. A 2xx
 * answer fills *reply (NULL: dropped) and returns 0. No server answering
 * is a runtime error naming the socket and suggesting `bulwark serve`. An
 * error status is the server's first line, an input error (exit 2) for
 * 400, 404, 413 and 422, a runtime error otherwise; reply->status still
 * tells the status (0 when nothing answered) and reply->body is NULL. */
int api_request(const char *socket_path, const char *method, const char *target,
		const char *body, struct api_reply *reply, struct bw_err *err);

/* Fetches an https URL: TLS verified, the proxy environment (https_proxy,
 * no_proxy) honoured, redirects followed to https only, at most max_bytes.
 * Sets *out (NUL-terminated, caller frees) and *out_len. */
int api_fetch_https(const char *url, size_t max_bytes, char **out, size_t *out_len,
		    struct bw_err *err);

/* s percent-encoded for a query value. Caller frees; NULL when out of memory. */
char *api_escape(const char *s);
