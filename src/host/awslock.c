#include "host/awslock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int awslock_acquire(const char *dir, int *lock_fd, struct bw_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*lock_fd = -1;
	if (fd < 0)
		return bw_errf(err, -errno, "cannot open %s to lock it: %s", dir, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(fd);
		return bw_errf(err, -e, "cannot lock %s: %s", dir, strerror(e));
	}
	*lock_fd = fd;
	return 0;
}

void awslock_release(int lock_fd)
{
	/* Closing the only descriptor of the open file drops the flock. */
	if (lock_fd >= 0)
		close(lock_fd);
}
