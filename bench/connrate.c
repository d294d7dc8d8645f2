/* bw-connrate: new TCP connections a second to a bw-peer server, for
 * bench/fw (security groups cost on a flow's first packet only).
 *
 *   bw-connrate ADDR PORT SECONDS */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct timeval two_seconds = { .tv_sec = 2 };
	struct linger no_time_wait = { .l_onoff = 1, .l_linger = 0 };
	struct timespec start;
	struct addrinfo *ai;
	double duration;
	long count = 0;

	if (argc != 4 || getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
		fprintf(stderr, "usage: bw-connrate ADDR PORT SECONDS\n");
		return 2;
	}
	duration = atof(argv[3]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (seconds_since(&start) < duration) {
		int fd = socket(ai->ai_family, SOCK_STREAM, 0);
		char buf[64];

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof(two_seconds));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof(two_seconds));
		/* Reset on close: no TIME_WAIT, so source ports do not run out. */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_time_wait, sizeof(no_time_wait));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 || recv(fd, buf, sizeof(buf), 0) <= 0) {
			fprintf(stderr, "bw-connrate: connection %ld failed\n", count);
			return 1;
		}
		close(fd);
		count++;
	}
	printf("%.0f\n", (double)count / seconds_since(&start));
	freeaddrinfo(ai);
	return 0;
}
