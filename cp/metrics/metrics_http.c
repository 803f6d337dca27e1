/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics: the Prometheus endpoint, libmicrohttpd without a thread of
 * its own. cp is one thread and takes no lock (cp.h): a scrape must read
 * its tables in its loop, not beside it. So the daemon runs in
 * "external" mode over epoll: cp polls the daemon's epoll descriptor with
 * its API socket and calls MHD_run(), which accepts, reads, calls the
 * handler (a snapshot and its rendering: a few hundred microseconds) and
 * writes what the socket takes, never waiting. At most
 * CP_METRICS_MAX_CONNS scrapers at once, each CP_METRICS_TIMEOUT_S to
 * finish: a stuck scraper costs a slot, not cp's loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "../cp.h"
#include "metrics.h"

#define CP_METRICS_MAX_CONNS 8
#define CP_METRICS_TIMEOUT_S 5

struct cp_metrics {
	struct cp_ctx *cp;
	struct MHD_Daemon *d;
	int fd;
	uint64_t scrapes;
};

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned int status, char *body, size_t len,
       enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size,
	void **con_cls)
{
	static char not_found[] = "not found\n", not_allowed[] = "method not allowed\n";
	static char ok[] = "ok\n";
	struct cp_metrics *m = cls;
	struct cp_metrics_snap *s;
	char *text;
	long n;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
			      strlen(not_allowed), MHD_RESPMEM_PERSISTENT, "text/plain");
	if (strcmp(url, "/") == 0)
		return answer(c, MHD_HTTP_OK, ok, strlen(ok), MHD_RESPMEM_PERSISTENT,
			      "text/plain");
	if (strcmp(url, "/metrics") != 0)
		return answer(c, MHD_HTTP_NOT_FOUND, not_found, strlen(not_found),
			      MHD_RESPMEM_PERSISTENT, "text/plain");
	s = malloc(sizeof(*s));
	if (s == NULL)
		return MHD_NO;
	cp_metrics_collect(m->cp, s);
	n = cp_metrics_render(s, m->cp->conf->turn.realm, &text);
	free(s);
	if (n < 0)
		return MHD_NO;
	m->scrapes++;
	return answer(c, MHD_HTTP_OK, text, (size_t)n, MHD_RESPMEM_MUST_FREE,
		      "text/plain; version=0.0.4; charset=utf-8");
}

/* "A.B.C.D:PORT" or "[v6]:PORT" into ss; 0 or -EINVAL. */
static int
parse_addr(const char *addr, struct sockaddr_storage *ss, bool *v6)
{
	char host[64];
	const char *colon;
	unsigned long port;
	char *end;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');

		if (rb == NULL || rb[1] != ':')
			return -EINVAL;
		hl = (size_t)(rb - addr - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr + 1, hl);
		colon = rb + 1;
		*v6 = true;
	} else {
		colon = strrchr(addr, ':');
		if (colon == NULL)
			return -EINVAL;
		hl = (size_t)(colon - addr);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr, hl);
		*v6 = false;
	}
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || colon[1] == '\0' || port == 0 || port > 65535)
		return -EINVAL;
	if (*v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 ? 0 : -EINVAL;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -EINVAL;
	}
}

struct cp_metrics *
cp_metrics_open(struct cp_ctx *cp, const char *addr, char *err, size_t errlen)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	struct cp_metrics *m;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	bool v6;

	if (parse_addr(addr, &ss, &v6) < 0) {
		snprintf(err, errlen, "cp.metrics '%s' is not an address like "
			 "\"127.0.0.1:9641\" or \"[::1]:9641\"", addr);
		errno = EINVAL;
		return NULL;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	m->cp = cp;
	m->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, m,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CP_METRICS_MAX_CONNS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CP_METRICS_TIMEOUT_S,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
				MHD_OPTION_END);
	if (m->d == NULL) {
		snprintf(err, errlen, "cannot serve metrics on %s (in use? not an "
			 "address of this host?)", addr);
		free(m);
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, errlen, "libmicrohttpd has no epoll descriptor");
		MHD_stop_daemon(m->d);
		free(m);
		errno = ENOTSUP;
		return NULL;
	}
	m->fd = info->epoll_fd;
	return m;
}

int
cp_metrics_fd(const struct cp_metrics *m)
{
	return m->fd;
}

uint64_t
cp_metrics_serve(struct cp_metrics *m)
{
	MHD_UNSIGNED_LONG_LONG t;

	MHD_run(m->d);
	/* libmicrohttpd may have work left that no descriptor will announce
	 * (a request read whole, an answer to queue, edge-triggered epoll):
	 * it says so with a timeout of 0. */
	if (MHD_get_timeout(m->d, &t) != MHD_YES || t > 1000)
		t = 1000;
	return (uint64_t)t;
}

uint64_t
cp_metrics_scrapes(const struct cp_metrics *m)
{
	return m->scrapes;
}

void
cp_metrics_close(struct cp_metrics *m)
{
	if (m == NULL)
		return;
	MHD_stop_daemon(m->d);
	free(m);
}
