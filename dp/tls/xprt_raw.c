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

const struct dp_xprt_ops dp_xprt_raw = {
	.name = "tcp",
	.rcv_buf = raw_rcv_buf,
	.snd_buf = raw_snd_buf,
	.writable = raw_writable,
	.shutdown = raw_shutdown,
	.close = raw_close,
	.abort = raw_abort,
	.gone = raw_gone,
	.first_timeout = raw_gone,
};
