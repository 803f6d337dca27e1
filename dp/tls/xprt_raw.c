/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The raw transport (tls.h's dp_xprt_raw): a stream connection's
 * operations straight to dp/tcp, for the connections without TLS (TURN
 * over TCP, RFC 6062's data connections, the AGW's plain legs).
 *
 * It lives in dp/tls, beside the TLS transport, because it is one of the
 * two implementations of the transport ops table that tls.h declares
 * (HAProxy's raw_sock.c beside ssl_sock.c): the layer between dp/tcp and
 * the stream applications. tls_conn_start() hands it out for a leg
 * without TLS, so it cannot sit above dp/tls; and dp/tcp knows no
 * transport above it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "tcp.h"
#include "tls.h"

static int
raw_rcv_buf(struct dp_worker *w, uint64_t id, struct rte_mbuf **out, uint32_t max)
{
	return tcp_recv(w->tcp, id, out, max);
}

static int
raw_snd_buf(struct dp_worker *w, uint64_t id, struct rte_mbuf *m)
{
	return tcp_send(w->tcp, id, m);
}

static void
raw_writable(struct dp_worker *w, uint64_t id)
{
	(void)w;
	(void)id;
}

static int
raw_shutdown(struct dp_worker *w, uint64_t id)
{
	return tcp_shutdown(w->tcp, id);
}

static int
raw_close(struct dp_worker *w, uint64_t id)
{
	return tcp_close(w->tcp, id);
}

static int
raw_abort(struct dp_worker *w, uint64_t id)
{
	return tcp_abort(w->tcp, id);
}

static void
raw_gone(struct dp_worker *w, uint64_t id)
{
	(void)w;
	(void)id;
}

/* A raw connection never fails beyond dp/tcp's own reasons, never ends
 * with anything but FIN, never wakes its owner itself (dp/tcp's
 * readable() does), and has no version. */
static int
raw_why(struct dp_worker *w, uint64_t id, char *buf, size_t size)
{
	(void)w;
	(void)id;
	if (size > 0)
		buf[0] = '\0';
	return TLS_FAIL_NONE;
}

static bool
raw_no(struct dp_worker *w, uint64_t id)
{
	(void)w;
	(void)id;
	return false;
}

static int
raw_version(struct dp_worker *w, uint64_t id)
{
	(void)w;
	(void)id;
	return 0;
}

static void
raw_subscribe(struct dp_worker *w, uint64_t id, dp_xprt_wake_fn wake, void *arg)
{
	(void)w;
	(void)id;
	(void)wake;
	(void)arg;
}

const struct dp_xprt_ops dp_xprt_raw = {
	.name = "tcp",
	.flags = 0,
	.rcv_buf = raw_rcv_buf,
	.snd_buf = raw_snd_buf,
	.writable = raw_writable,
	.shutdown = raw_shutdown,
	.close = raw_close,
	.abort = raw_abort,
	.gone = raw_gone,
	.first_timeout = raw_gone,
	.why = raw_why,
	.eof_clean = raw_no,
	.wakes = raw_no,
	.version = raw_version,
	.subscribe = raw_subscribe,
};
