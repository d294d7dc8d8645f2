/* bw-runstat: runs a command and prints its wall time and the peak
 * resident memory of it and its descendants, for bench/fw.
 *
 *   bw-runstat COMMAND [ARGS...]
 *
 * Prints "WALL_MS MAXRSS_KB" on stderr (the command's own output goes
 * where it goes) and exits with the command's status. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec start, end;
	struct rusage usage;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: bw-runstat COMMAND [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = fork();
	if (pid < 0) {
		perror("bw-runstat: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("bw-runstat: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &usage) < 0) {
		perror("bw-runstat: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	/* ru_maxrss of a waited-for child: the largest of it and its own
	 * waited-for children (ip netns exec execs in place). */
	fprintf(stderr, "%.0f %ld\n",
		(double)(end.tv_sec - start.tv_sec) * 1e3 + (double)(end.tv_nsec - start.tv_nsec) / 1e6,
		usage.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
