/* bw-peer: a tiny TCP/UDP endpoint for the netns tests and the demo.
 *
 *   bw-peer serve tcp|udp PORT [COUNT]   answer COUNT clients (default 1, 0: no end)
 *                                        with the address each came from
 *   bw-peer ask tcp|udp ADDR PORT [SPORT] print what the server answered
 *
 * The server's answer is the source address it saw, so a test can check
 * what the far side of a NAT sees. A client gives up after BW_PEER_WAIT_MS
 * (default 5000) without an answer, a server waits for ever. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void set_timeout(int fd)
{
	const char *wait = getenv("BW_PEER_WAIT_MS");
	long ms = wait ? atol(wait) : 5000;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void addr_text(const struct sockaddr_storage *ss, char *out, size_t out_size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		/* An IPv4 client of a dual-stack socket arrives mapped. */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof(host));
		else
			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host, sizeof(host));
	}
	snprintf(out, out_size, "%s\n", host);
}

static int serve(int is_tcp, int port, int count)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				    .sin6_addr = IN6ADDR_ANY_INIT };
	int fd = socket(AF_INET6, is_tcp ? SOCK_STREAM : SOCK_DGRAM, 0), off = 0, on = 1;

	if (fd < 0)
		return perror("socket"), 1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (void *)&any, sizeof(any)) < 0 || (is_tcp && listen(fd, 8) < 0))
		return perror("bind"), 1;
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; count == 0 || i < count; i++) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		char buf[64], answer[64];

		if (is_tcp) {
			int conn = accept(fd, (void *)&from, &from_len);

			if (conn < 0)
				return perror("accept"), 1;
			set_timeout(conn);
			addr_text(&from, answer, sizeof(answer));
			if (write(conn, answer, strlen(answer)) < 0)
				perror("write");
			close(conn);
		} else {
			if (recvfrom(fd, buf, sizeof(buf), 0, (void *)&from, &from_len) < 0)
				return perror("recvfrom"), 1;
			addr_text(&from, answer, sizeof(answer));
			sendto(fd, answer, strlen(answer), 0, (void *)&from, from_len);
		}
		fputs(answer, stdout);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int ask(int is_tcp, const char *host, const char *port, const char *sport)
{
	struct addrinfo hints = { .ai_socktype = is_tcp ? SOCK_STREAM : SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	char buf[128];
	ssize_t n;
	int fd;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return fprintf(stderr, "bw-peer: bad address %s %s\n", host, port), 2;
	fd = socket(ai->ai_family, ai->ai_socktype, 0);
	if (fd < 0)
		return perror("socket"), 1;
	set_timeout(fd);
	if (sport) {
		struct sockaddr_storage local = { .ss_family = (sa_family_t)ai->ai_family };
		int on = 1;

		/* Port at the same offset in sockaddr_in and sockaddr_in6. */
		((struct sockaddr_in *)&local)->sin_port = htons((uint16_t)atoi(sport));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, (void *)&local, ai->ai_family == AF_INET ? sizeof(struct sockaddr_in) :
			 sizeof(struct sockaddr_in6)) < 0)
			return perror("bind"), 1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		return perror("connect"), 1;
	freeaddrinfo(ai);
	if (!is_tcp && send(fd, "?\n", 2, 0) < 0)
		return perror("send"), 1;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return fprintf(stderr, "bw-peer: no answer\n"), 1;
	buf[n] = '\0';
	fputs(buf, stdout);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "serve") == 0)
		return serve(strcmp(argv[2], "tcp") == 0, atoi(argv[3]),
			     argc > 4 ? atoi(argv[4]) : 1);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "ask") == 0)
		return ask(strcmp(argv[2], "tcp") == 0, argv[3], argv[4], argc == 6 ? argv[5] : NULL);
	fprintf(stderr, "usage: bw-peer serve tcp|udp PORT [COUNT] | ask tcp|udp ADDR PORT [SPORT]\n");
	return 2;
}
