/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_echo: the kernel's side of perf/run's TCP benchmarks, what dp's
 * diagnostic TCP echo (dp.diag_tcp_echo_port) is on dp's stack: every
 * byte read is sent back, and the connection is shut down when the peer
 * shuts its side. One thread, epoll, non-blocking sockets, 64 KB reads;
 * run pinned to the core being measured. Usage: tcp_echo [ADDR] PORT.
 * A client that does not read its echo fills our send buffer: we stop
 * reading it until it drains (EPOLLOUT), as dp's echo does.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (64 * 1024)

/* One read buffer for all; a connection gets a buffer of its own only
 * when the kernel would not take all it read (its send buffer full):
 * the rest waits there for EPOLLOUT. A connection costs no 64 KB to set
 * up, so the benchmark of new connections measures the kernel. */
static char rbuf[BUF];

struct conn {
	int fd;
	size_t off, len;           /* bytes of buf still to send */
	char *buf;                 /* NULL: nothing waits */
};

static void
drop(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->buf);
	free(c);
}

/* Read and echo until EAGAIN; 1 when the connection is finished. */
static int
pump(int ep, struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };

	for (;;) {
		ssize_t n;

		while (c->off < c->len) {
			n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno != EAGAIN)
					return 1;
				ev.events = EPOLLOUT;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				return 0;
			}
			c->off += (size_t)n;
		}
		c->off = c->len = 0;
		n = recv(c->fd, rbuf, BUF, 0);
		if (n == 0) {
			shutdown(c->fd, SHUT_WR);
			return 1;      /* the peer gets our FIN: close */
		}
		if (n < 0) {
			if (errno != EAGAIN)
				return 1;
			ev.events = EPOLLIN;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			return 0;
		}
		{
			ssize_t w = send(c->fd, rbuf, (size_t)n, MSG_NOSIGNAL);

			if (w < 0 && errno != EAGAIN)
				return 1;
			if (w < 0)
				w = 0;
			if (w < n) {
				/* the rest waits for room */
				if (c->buf == NULL && (c->buf = malloc(BUF)) == NULL)
					return 1;
				memcpy(c->buf, rbuf + w, (size_t)(n - w));
				c->off = 0;
				c->len = (size_t)(n - w);
			}
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev, evs[256];
	int one = 1, lfd, ep;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: tcp_echo [ADDR] PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sa.sin_port = htons((uint16_t)atoi(argv[argc - 1]));
	if (argc == 3 && inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "tcp_echo: bad address %s\n", argv[1]);
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4096) < 0) {
		perror("tcp_echo: listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("tcp_echo: listening on port %s\n", argv[argc - 1]);
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == NULL) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof(*c));
					if (c == NULL) {
						close(fd);
						continue;
					}
					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if (pump(ep, c))
				drop(ep, c);
		}
	}
}
