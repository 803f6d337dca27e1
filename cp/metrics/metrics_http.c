/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics: the Prometheus endpoint, libmicrohttpd without a thread of
 * its own. cp is one thread and takes no lock (cp.h): a scrape must read
 * its tables in its loop, not beside it. So the daemon runs in
 * "external" mode over epoll: cp polls the daemon's epoll descriptor with
 * its API socket and calls MHD_run(), which accepts, reads, calls the
 * handler and writes what the socket takes, never waiting. At most
 * CP_METRICS_MAX_CONNS scrapers at once, CP_METRICS_PER_IP of them from
 * one address; a silent one is dropped after CP_METRICS_TIMEOUT_S, and
 * one that dribbles its request (a byte now and then resets
 * libmicrohttpd's timeout of silence) after CP_METRICS_HEADER_MS without
 * a whole one: slow clients from an allowed source cost a slot each for
 * a few seconds, never the endpoint, and never cp's loop.
 *
 * What a scrape costs the loop is bounded whoever scrapes and however
 * often: the text is made (a snapshot, O(workers), and its rendering)
 * at most once every CP_METRICS_CACHE_MS, into one libmicrohttpd
 * response that every scrape until then queues as it is. libmicrohttpd
 * counts the response's references: a slow scraper still sending the
 * text before keeps it alive after a new one replaces it here. A source
 * outside cp.metrics_allow is closed in the accept callback, before a
 * byte is read from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "../cp.h"
#include "metrics.h"
#include "tp_conf.h"

#define CP_METRICS_TIMEOUT_S 5

/* A connection's wait for a whole request (libmicrohttpd's socket
 * context): since it connected or was last answered. */
struct cp_metrics_conn {
	struct MHD_Connection *c;     /* NULL: the slot is free */
	int fd;
	bool in_request;              /* its request is whole: no deadline */
	bool cut;                     /* shut down at its deadline */
	uint64_t wait_ms;             /* cp->now_ms when the wait began */
};

struct cp_metrics {
	struct cp_ctx *cp;
	struct MHD_Daemon *d;
	int fd;
	uint64_t scrapes;
	uint64_t refused;
	uint64_t builds;
	struct MHD_Response *text;    /* the exposition; NULL before the first */
	uint64_t text_ms;             /* cp->now_ms when it was made */
	struct cp_metrics_allow allow;
	/* one a connection libmicrohttpd holds (it holds at most this many) */
	struct cp_metrics_conn conns[CP_METRICS_MAX_CONNS];
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

/* A new text from the numbers now, in place of the one before (which
 * stays with the connections still sending it). 0, or -ENOMEM with the
 * text before kept. */
static int
build(struct cp_metrics *m)
{
	struct cp_metrics_snap *s = malloc(sizeof(*s));
	struct MHD_Response *r;
	char *text;
	long n;

	if (s == NULL)
		return -ENOMEM;
	cp_metrics_collect(m->cp, s);
	n = cp_metrics_render(m->cp, s, m->cp->conf->turn.realm, &text);
	free(s);
	if (n < 0)
		return -ENOMEM;
	r = MHD_create_response_from_buffer((size_t)n, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return -ENOMEM;
	}
	if (MHD_add_response_header(r, "Content-Type",
				    "text/plain; version=0.0.4; charset=utf-8") != MHD_YES) {
		MHD_destroy_response(r);
		return -ENOMEM;
	}
	if (m->text != NULL)
		MHD_destroy_response(m->text);
	m->text = r;
	m->text_ms = m->cp->now_ms;
	m->builds++;
	return 0;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size,
	void **con_cls)
{
	static char not_found[] = "not found\n", not_allowed[] = "method not allowed\n";
	static char ok[] = "ok\n";
	struct cp_metrics *m = cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct cp_metrics_conn *mc = ci != NULL ? ci->socket_context : NULL;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	/* the request line and headers are in: the deadline is met */
	if (mc != NULL)
		mc->in_request = true;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
			      strlen(not_allowed), MHD_RESPMEM_PERSISTENT, "text/plain");
	if (strcmp(url, "/") == 0)
		return answer(c, MHD_HTTP_OK, ok, strlen(ok), MHD_RESPMEM_PERSISTENT,
			      "text/plain");
	if (strcmp(url, "/metrics") != 0)
		return answer(c, MHD_HTTP_NOT_FOUND, not_found, strlen(not_found),
			      MHD_RESPMEM_PERSISTENT, "text/plain");
	/* (cp's clock never goes back: a text is never from the future) */
	if ((m->text == NULL || m->cp->now_ms - m->text_ms >= CP_METRICS_CACHE_MS) &&
	    build(m) < 0 && m->text == NULL)
		return MHD_NO;
	m->scrapes++;
	return MHD_queue_response(c, MHD_HTTP_OK, m->text);
}

/* libmicrohttpd's accept policy: a source outside cp.metrics_allow is
 * closed before anything is read from it. */
static enum MHD_Result
accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct cp_metrics *m = cls;

	if (cp_metrics_allowed(&m->allow, addr, len))
		return MHD_YES;
	m->refused++;
	return MHD_NO;
}

/* A connection opened or closed: its slot in m->conns taken or freed. */
static void
conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
	    enum MHD_ConnectionNotificationCode toe)
{
	struct cp_metrics *m = cls;
	struct cp_metrics_conn *mc = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (mc != NULL)
			mc->c = NULL;
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	for (unsigned int i = 0; i < CP_METRICS_MAX_CONNS && ci != NULL; i++) {
		mc = &m->conns[i];
		if (mc->c != NULL)
			continue;
		mc->c = c;
		mc->fd = ci->connect_fd;
		mc->in_request = false;
		mc->cut = false;
		mc->wait_ms = m->cp->now_ms;
		*socket_context = mc;
		return;
	}
}

/* A request answered (or given up): the next one's wait begins. */
static void
request_done(void *cls, struct MHD_Connection *c, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct cp_metrics *m = cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct cp_metrics_conn *mc = ci != NULL ? ci->socket_context : NULL;

	(void)con_cls;
	(void)toe;
	if (mc != NULL) {
		mc->in_request = false;
		mc->wait_ms = m->cp->now_ms;
	}
}

/*
 * Connections whose request is not whole CP_METRICS_HEADER_MS after their
 * wait began are shut down (libmicrohttpd then reads their end and closes
 * them: the descriptor stays its own). Returns in how many ms the next
 * deadline falls (UINT64_MAX: none).
 */
static uint64_t
cut_slow(struct cp_metrics *m)
{
	uint64_t now = m->cp->now_ms, next = UINT64_MAX;

	for (unsigned int i = 0; i < CP_METRICS_MAX_CONNS; i++) {
		struct cp_metrics_conn *mc = &m->conns[i];
		uint64_t due;

		if (mc->c == NULL || mc->in_request || mc->cut)
			continue;
		due = mc->wait_ms + CP_METRICS_HEADER_MS;
		if (now >= due) {
			shutdown(mc->fd, SHUT_RDWR);
			mc->cut = true;
			next = 0;
		} else if (due - now < next) {
			next = due - now;
		}
	}
	return next;
}

struct cp_metrics *
cp_metrics_open(struct cp_ctx *cp, const char *addr,
		const struct cp_metrics_allow *allow, char *err, size_t errlen)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	struct cp_metrics *m;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (tp_conf_hostport_parse(addr, &ss, NULL) == 0) {
		snprintf(err, errlen, "cp.metrics '%s' is not an address like "
			 "\"127.0.0.1:9641\" or \"[::1]:9641\"", addr);
		errno = EINVAL;
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	m->cp = cp;
	cp_metrics_set_allow(m, allow);
	m->d = MHD_start_daemon(flags, 0, accept_policy, m, handler, m,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CP_METRICS_MAX_CONNS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)CP_METRICS_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CP_METRICS_TIMEOUT_S,
				MHD_OPTION_NOTIFY_CONNECTION, conn_notify, m,
				MHD_OPTION_NOTIFY_COMPLETED, request_done, m,
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
	uint64_t due;

	MHD_run(m->d);
	due = cut_slow(m);
	/* libmicrohttpd may have work left that no descriptor will announce
	 * (a request read whole, an answer to queue, edge-triggered epoll):
	 * it says so with a timeout of 0. */
	if (MHD_get_timeout(m->d, &t) != MHD_YES || t > 1000)
		t = 1000;
	return (uint64_t)t < due ? (uint64_t)t : due;
}

uint64_t
cp_metrics_scrapes(const struct cp_metrics *m)
{
	return m->scrapes;
}

void
cp_metrics_set_allow(struct cp_metrics *m, const struct cp_metrics_allow *allow)
{
	if (allow != NULL && allow->n <= CP_METRICS_ALLOW_MAX)
		m->allow = *allow;
	else
		memset(&m->allow, 0, sizeof(m->allow));
}

uint64_t
cp_metrics_refused(const struct cp_metrics *m)
{
	return m->refused;
}

uint64_t
cp_metrics_builds(const struct cp_metrics *m)
{
	return m->builds;
}

void
cp_metrics_close(struct cp_metrics *m)
{
	if (m == NULL)
		return;
	/* (the connections' references go with the daemon, ours after) */
	MHD_stop_daemon(m->d);
	if (m->text != NULL)
		MHD_destroy_response(m->text);
	free(m);
}
