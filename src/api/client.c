#include "api/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "unknown"
#endif

const char *api_socket_path(const char *option)
{
	const char *env = getenv(API_SOCKET_ENV);

	if (option)
		return option;
	return env && *env ? env : API_SOCKET_DEFAULT;
}

void api_reply_free(struct api_reply *reply)
{
	if (!reply)
		return;
	free(reply->body);
	reply->body = NULL;
	reply->len = 0;
}

/* A body being received, refused past max bytes. */
struct sink {
	char *data;
	size_t len, max;
	bool is_over;
};

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct sink *sink = user;
	size_t n = size * nmemb;
	char *grown;

	if (n > sink->max - sink->len) {
		sink->is_over = true;
		return 0;
	}
	grown = realloc(sink->data, sink->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + sink->len, ptr, n);
	sink->data = grown;
	sink->len += n;
	sink->data[sink->len] = '\0';
	return n;
}

/* The first line of a server's error body, without trailing blanks. */
static void first_line(const char *body, size_t len, char *out, size_t size)
{
	size_t n = 0;

	while (body && n < len && body[n] != '\n' && body[n] != '\r')
		n++;
	while (n > 0 && (body[n - 1] == ' ' || body[n - 1] == '\t'))
		n--;
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), body ? body : "");
}

static bool is_input_status(long status)
{
	return status == 400 || status == 404 || status == 413 || status == 422;
}

/* Refused by the socket's mode: say whose it is and its mode, so the
 * caller knows which group to join (the server's --group, not always
 * bulwark). */
static int access_error(const char *socket_path, long os_errno, struct bw_err *err)
{
	struct stat st;
	struct group *gr;
	char group[64];

	if (stat(socket_path, &st) < 0)
		return bw_errf(err, -EACCES, "cannot connect to %s: %s (and cannot look at it: %s; "
			       "a folder on the way is closed to you?)",
			       socket_path, strerror((int)os_errno), strerror(errno));
	gr = getgrgid(st.st_gid);
	if (gr)
		snprintf(group, sizeof(group), "%s", gr->gr_name);
	else
		snprintf(group, sizeof(group), "%u", (unsigned)st.st_gid);
	if (st.st_mode & S_IWGRP)
		return bw_errf(err, -EACCES, "cannot connect to %s: %s (mode %04o, group %s: "
			       "root and the members of %s may)", socket_path,
			       strerror((int)os_errno), (unsigned)(st.st_mode & 07777), group, group);
	return bw_errf(err, -EACCES, "cannot connect to %s: %s (mode %04o, group %s)",
		       socket_path, strerror((int)os_errno), (unsigned)(st.st_mode & 07777), group);
}

static int connect_error(const char *socket_path, long os_errno, struct bw_err *err)
{
	if (os_errno == EACCES || os_errno == EPERM)
		return access_error(socket_path, os_errno, err);
	return bw_errf(err, -ECONNREFUSED, "no server answers on %s%s%s (start it with 'bulwark serve')",
		       socket_path, os_errno ? ": " : "", os_errno ? strerror((int)os_errno) : "");
}

int api_request(const char *socket_path, const char *method, const char *target,
		const char *body, struct api_reply *reply, struct bw_err *err)
{
	struct sink sink = { .max = API_BODY_MAX };
	struct curl_slist *headers = NULL;
	char url[4096], line[400];
	long status = 0, os_errno = 0;
	CURLcode code;
	CURL *curl;
	int rc = 0;

	if (reply)
		*reply = (struct api_reply){ 0 };
	if (strlen(socket_path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
		return bw_err_input(err, "%s: a socket path is at most %zu bytes", socket_path,
				    sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
	if (strlen(target) + sizeof("http://localhost") > sizeof(url))
		return bw_err_input(err, "request too long: %.60s...", target);
	snprintf(url, sizeof(url), "http://localhost%s", target);
	curl = curl_easy_init();
	if (!curl)
		return bw_errf(err, -ENOMEM, "libcurl: cannot start a request");
	headers = curl_slist_append(headers, "Content-Type: application/json");
	/* No "Expect: 100-continue" round trip for a local request. */
	if (headers)
		headers = curl_slist_append(headers, "Expect:");
	if (!headers) {
		rc = bw_errf(err, -ENOMEM, "out of memory");
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
	/* The socket is local: a proxy from the environment must not apply. */
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "bulwark/" BULWARK_VERSION);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	} else if (strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);

	code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (reply)
		reply->status = status;
	if (code == CURLE_COULDNT_CONNECT || (code != CURLE_OK && status == 0 &&
					      (os_errno == ENOENT || os_errno == ECONNREFUSED))) {
		rc = connect_error(socket_path, os_errno, err);
		goto out;
	}
	if (code == CURLE_WRITE_ERROR && sink.is_over) {
		rc = bw_errf(err, -EFBIG, "%s %s: the server's answer is over %zu bytes", method,
			     target, sink.max);
		goto out;
	}
	if (code != CURLE_OK) {
		rc = bw_errf(err, -EIO, "%s %s on %s: %s", method, target, socket_path,
			     curl_easy_strerror(code));
		goto out;
	}
	if (status < 200 || status > 299) {
		first_line(sink.data, sink.len, line, sizeof(line));
		if (!line[0])
			snprintf(line, sizeof(line), "%s %s: HTTP %ld", method, target, status);
		rc = is_input_status(status) ? bw_err_input(err, "%s", line) :
					       bw_errf(err, -EIO, "%s", line);
		goto out;
	}
	if (reply) {
		reply->body = sink.data ? sink.data : strdup("");
		reply->len = sink.len;
		sink.data = NULL;
		if (!reply->body)
			rc = bw_errf(err, -ENOMEM, "out of memory");
	}
out:
	free(sink.data);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return rc;
}

int api_fetch_https(const char *url, size_t max_bytes, char **out, size_t *out_len,
		    struct bw_err *err)
{
	struct sink sink = { .max = max_bytes };
	char curl_error[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode code;
	CURL *curl;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	curl = curl_easy_init();
	if (!curl)
		return bw_errf(err, -ENOMEM, "libcurl: cannot start a request");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	/* https only, redirects included; certificates and names checked. The
	 * proxy environment (https_proxy, no_proxy) is libcurl's default. */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A peer that stalls for a minute is given up on. */
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "bulwark/" BULWARK_VERSION);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);

	code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (code == CURLE_FILESIZE_EXCEEDED || (code == CURLE_WRITE_ERROR && sink.is_over)) {
		rc = bw_err_input(err, "%s: over %zu bytes", url, max_bytes);
	} else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
		rc = bw_err_input(err, "%s: only https:// is fetched", url);
	} else if (code != CURLE_OK) {
		rc = bw_errf(err, -EIO, "%s: %s", url,
			     curl_error[0] ? curl_error : curl_easy_strerror(code));
	} else if (status < 200 || status > 299) {
		rc = bw_errf(err, -EIO, "%s: HTTP %ld", url, status);
	} else {
		*out = sink.data ? sink.data : strdup("");
		*out_len = sink.len;
		sink.data = NULL;
		if (!*out)
			rc = bw_errf(err, -ENOMEM, "out of memory");
	}
	free(sink.data);
	curl_easy_cleanup(curl);
	return rc;
}

char *api_escape(const char *s)
{
	char *escaped = curl_easy_escape(NULL, s, 0), *copy;

	if (!escaped)
		return NULL;
	copy = strdup(escaped);
	curl_free(escaped);
	return copy;
}
