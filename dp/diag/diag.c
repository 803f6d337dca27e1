/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The diagnostics, as one of dp's modules (dp_module.h): what tests and
 * an operator use to see dp answer without TURN. On UDP
 * (dp.diag_echo_port), an echo that answers "worker N: " and the payload.
 * On TCP (dp.diag_tcp_echo_port), an application that sends back every
 * mbuf it reads, by reference, and shuts its side when the peer does; it
 * reads only while the send queue has room, so a peer that does not read
 * its echo sees our receive window close (backpressure end to end). The
 * same echo runs on the diagnostic active open (dp.diag_tcp_connect):
 * worker 0 connects at start and again, backed off, while refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_random.h>

#include "dp.h"
#include "dp_module.h"
#include "dp_tcp.h"
#include "diag.h"
#include "net/flow.h"
#include "tcp.h"

/* ---- UDP ---- */

static void
diag_udp_echo(struct dp_worker *w, struct rte_mbuf *m,
	      const struct dp_udp_meta *meta, void *arg)
{
	uint8_t buf[2048];
	int n;
	uint16_t plen = meta->payload_len;

	(void)arg;
	n = snprintf((char *)buf, sizeof(buf), "worker %u: ", w->id);
	if (plen > sizeof(buf) - (size_t)n)
		plen = (uint16_t)(sizeof(buf) - (size_t)n);
	memcpy(buf + n, rte_pktmbuf_mtod_offset(m, const uint8_t *,
						 meta->payload_off), plen);
	dp_udp_send(w, meta->family, meta->dst, meta->dst_port, meta->src,
		    meta->src_port, buf, (uint16_t)(n + plen));
	rte_pktmbuf_free(m);
}

/* ---- TCP: the echo ---- */

static int
echo_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	(void)ts;
	(void)id;
	*carg = larg;
	return 0;
}

static void
echo_pump(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct rte_mbuf *m;
	int n;

	(void)arg;
	for (;;) {
		uint32_t room = tcp_send_space(ts, id);

		if (room < 2048)
			return;          /* writable() comes back */
		n = tcp_recv(ts, id, &m, room - 2048 + 1);
		if (n == 0) {
			tcp_shutdown(ts, id);
			return;
		}
		if (n < 0)
			return;
		if (tcp_send(ts, id, m) < 0) {
			rte_pktmbuf_free(m);
			tcp_abort(ts, id);
			return;
		}
	}
}

static void
echo_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	(void)ts;
	(void)id;
	(void)arg;
	(void)why;
}

static const struct tcp_app_ops echo_ops = {
	.accept = echo_accept,
	.readable = echo_pump,
	.writable = echo_pump,
	.closed = echo_closed,
};

/* ---- the diagnostic active open (dp.diag_tcp_connect) ---- */

#define DIAG_BACKOFF_MIN_MS 100u
#define DIAG_BACKOFF_MAX_MS 2000u
#define DIAG_SPORT_LO 32768u          /* Linux's ephemeral range */
#define DIAG_SPORT_HI 60999u

static void
diag_retry(struct dp_worker *w)
{
	w->tcp_diag.next_ms = w->now_ms + w->tcp_diag.backoff_ms;
	if (w->tcp_diag.backoff_ms < DIAG_BACKOFF_MAX_MS)
		w->tcp_diag.backoff_ms *= 2;
	w->ctr[DP_CTR_TCP_DIAG_RETRY]++;
}

/*
 * One attempt: the route gives the port and our address on it, the
 * source port is one whose replies reach this worker (dp_flow_pick_sport(),
 * from a random start so that a retry is a new 4-tuple). No route or no
 * slot: try again later.
 */
static void
diag_connect(struct dp_worker *w)
{
	const struct tp_conf_dp *d = &w->ctx->conf->dp;
	uint8_t family = d->diag_tcp_connect_family == 4 ? TCP_AF_IPV4 : TCP_AF_IPV6;
	const uint16_t span = DIAG_SPORT_HI - DIAG_SPORT_LO + 1;
	struct dp_port *port;
	const uint8_t *nh, *src;
	uint16_t sport;
	tcp_id_t id;

	w->tcp_diag.next_ms = 0;
	w->ctr[DP_CTR_TCP_DIAG_CONNECT]++;
	if (dp_route(w->ctx, family, d->diag_tcp_connect_addr, &port, &nh) < 0)
		goto retry;
	src = dp_port_src(port, family);
	if (dp_flow_pick_sport(&port->steer, family, src, d->diag_tcp_connect_addr,
			       d->diag_tcp_connect_port, 6, DIAG_SPORT_LO,
			       DIAG_SPORT_HI,
			       (uint16_t)(DIAG_SPORT_LO + rte_rand() % span), w->id,
			       &sport) < 0 ||
	    tcp_connect(w->tcp, family, src, sport, d->diag_tcp_connect_addr,
			d->diag_tcp_connect_port, w->tcp_diag.app, w, &id) < 0)
		goto retry;
	w->tcp_diag.id = id;
	w->tcp_diag.connecting = true;
	return;
retry:
	diag_retry(w);
}

static void
diag_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct dp_worker *w = arg;

	w->tcp_diag.connecting = false;
	echo_pump(ts, id, arg);
}

/* An attempt that ended before it connected (refused, SYN retries spent)
 * is tried again, backed off. Once connected, the connection is the
 * test's: it ends there. */
static void
diag_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct dp_worker *w = arg;

	(void)ts;
	(void)why;
	if (w->tcp_diag.connecting && id == w->tcp_diag.id) {
		w->tcp_diag.connecting = false;
		diag_retry(w);
	}
}

static const struct tcp_app_ops diag_connect_ops = {
	.accept = echo_accept,           /* required; never listened on */
	.connected = diag_connected,
	.readable = echo_pump,
	.writable = echo_pump,
	.closed = diag_closed,
};

/* Worker 0 registers the active open's application and its first attempt
 * (at the first poll: ports come after workers). */
static int
diag_connect_init(struct dp_worker *w)
{
	int app;

	if (w->ctx->conf->dp.diag_tcp_connect_family == 0 || w->id != 0)
		return 0;
	app = tcp_app_register(w->tcp, &diag_connect_ops);
	if (app < 0)
		return app;
	w->tcp_diag.app = app;
	w->tcp_diag.backoff_ms = DIAG_BACKOFF_MIN_MS;
	w->tcp_diag.next_ms = 1;
	return 0;
}

/* The active open's next attempt: due once a millisecond at most (its
 * backoff is in milliseconds), from the stack's modules' poll. */
static unsigned int
diag_poll(struct dp_worker *w, uint64_t now_ms)
{
	if (w->tcp_diag.next_ms == 0 || now_ms < w->tcp_diag.next_ms)
		return 0;
	diag_connect(w);
	return 1;
}

static const struct dp_tcp_mod diag_mod = {
	.name = "diag", .cls = DP_TCP_MOD_OWNER, .poll = diag_poll,
};

/* With each worker's stack: the echo's application and listener, and
 * worker 0's active open. */
static int
diag_create(struct dp_worker *w)
{
	const struct tp_conf_dp *d = &w->ctx->conf->dp;
	int app;

	if (w->tcp == NULL || (d->diag_tcp_echo_port == 0 && d->diag_tcp_connect_family == 0))
		return 0;
	app = tcp_app_register(w->tcp, &echo_ops);
	if (app < 0 || (d->diag_tcp_echo_port != 0 &&
			tcp_listen(w->tcp, 0, d->diag_tcp_echo_port, app, NULL) < 0) ||
	    diag_connect_init(w) < 0) {
		tp_log(TP_LOG_ERR, "worker %u: cannot set up the diagnostic TCP echo\n", w->id);
		return -ENOMEM;
	}
	if (d->diag_tcp_connect_family != 0 && w->id == 0)
		(void)dp_tcp_mod_add(w, &diag_mod);
	return 0;
}

static int
diag_setup(struct dp_ctx *ctx)
{
	uint16_t port = ctx->conf->dp.diag_echo_port;

	if (port == 0)
		return 0;
	if (dp_udp_register(ctx, port, diag_udp_echo, NULL, NULL, DP_OWNER_FLOW, false) < 0) {
		tp_log(TP_LOG_ERR, "cannot register the diagnostic echo on UDP port %u\n",
		       port);
		return -EADDRINUSE;
	}
	return 1;
}

const struct dp_module diag_module = {
	.name = "diag",
	.create = diag_create,
	.setup = diag_setup,
};
