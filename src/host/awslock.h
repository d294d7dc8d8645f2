/* One writer at a time on an --aws folder: authorize-*, revoke-* and
 * apply read the files, change them and the live table, and must not
 * interleave (two edits at once would each write back what it read and
 * lose the other's rule). */
#pragma once
#include "util/err.h"

/* Blocks until this process holds an exclusive lock on dir (flock on the
 * folder itself, so nothing is created in it; renames inside the folder
 * keep the same folder). *lock_fd is what awslock_release() takes. */
int awslock_acquire(const char *dir, int *lock_fd, struct bw_err *err);

/* Gives the lock up (closing the descriptor); a negative fd is ignored. */
void awslock_release(int lock_fd);
