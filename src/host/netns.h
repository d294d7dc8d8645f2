/* Named network namespaces, kept as iproute2 keeps them (a bind mount of
 * the namespace under /run/netns/NAME), so `ip netns exec` sees them too. */
#pragma once
#include "util/err.h"
#include "util/vec.h"

#define NETNS_DIR "/run/netns"
#define NETNS_NAME_MAX 64

struct netns_name {
	char name[NETNS_NAME_MAX];
};

int netns_create(const char *name, struct bw_err *err);
/* Deletes the name; the namespace itself goes when its last user does. */
int netns_delete(const char *name, struct bw_err *err);
/* Opens the namespace; returns an fd or a negative errno. */
int netns_open(const char *name, struct bw_err *err);
/* Appends the names that start with prefix to names (struct netns_name). */
int netns_list(const char *prefix, struct vec *names, struct bw_err *err);

/* Moves the calling thread into the namespace of ns_fd. *saved_fd keeps
 * the one it was in, for netns_leave(). */
int netns_enter(int ns_fd, int *saved_fd, struct bw_err *err);
/* Goes back to the saved namespace and closes saved_fd. */
int netns_leave(int saved_fd, struct bw_err *err);
