/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The linger application: dp/tcp's application for connections whose
 * own application closed them while an operation was under way (or
 * their close_notify paused on the accelerator). It keeps them until
 * tls_settle() (tls_xprt.c) has sent what was accepted and the alert,
 * drops what the peer still sends, and resets those that wait past
 * TLS_LINGER_MS (tls_linger_expire(), from tls_poll()).
 */
#include <stdint.h>

#include <rte_common.h>

#include "dp.h"
#include "tcp.h"
#include "tls.h"
#include "tls_xprt_private.h"

/*
 * A close that finds an operation of its connection under way, or whose
 * close_notify pauses (the records on an accelerator), lingers: the
 * application is done with it, so its TCP connection is handed to the
 * linger app below, which takes nothing from it but its end, and
 * tls_settle() ends it once the write, then the alert, are out. Closed at
 * once, the write accepted before and the alert's record came back to an
 * orphan with no connection: a peer that closes cleanly heard a truncated
 * stream, without close_notify (RFC 8446 §6.1). Bounded: TLS_LINGER_MS,
 * then reset.
 */
static void
tls_linger_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	(void)arg;
	tls_drain(ts, id);
}

static void
tls_linger_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct dp_worker *w = arg;
	struct tls_conn *c = tls_conn_of(w, id);

	(void)ts;
	if (c != NULL && c->id == id && (c->x & TLS_X_LINGER))
		tls_settle(w, c);
}

static void
tls_linger_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct dp_worker *w = arg;
	struct tls_conn *c = tls_conn_of(w, id);

	(void)ts;
	(void)why;
	if (c != NULL && c->id == id)
		tls_release(w, c);        /* (an orphan while its job waits) */
}

static int
tls_linger_accept(struct tcp_stack *ts, tcp_id_t id, void *listen_arg, void **conn_arg)
{
	(void)ts;
	(void)id;
	(void)listen_arg;
	(void)conn_arg;
	return -1;                        /* (it never listens) */
}

static void
tls_linger_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	(void)ts;
	(void)id;
	(void)arg;                        /* (it takes established ones only) */
}

const struct tcp_app_ops tls_linger_ops = {
	.accept = tls_linger_accept,
	.connected = tls_linger_connected,
	.readable = tls_linger_readable,
	.writable = tls_linger_writable,
	.closed = tls_linger_closed,
};

/* Closes and shutdowns that waited past TLS_LINGER_MS (an accelerator that
 * does not answer, a peer that keeps its window shut): a close is reset,
 * its SSL an orphan while its job waits; a shutdown fails (its application
 * reads -EPROTO, and resets it). Once a second while any waits: a walk of
 * the worker's connections, cold. */
void __rte_noinline __rte_cold
tls_linger_expire(struct dp_worker *w)
{
	struct tls_worker *tw = w->tls;
	uint32_t now = (uint32_t)tw->now_ms;

	for (uint32_t i = 0; i < tw->max_conns && tw->nlinger > 0; i++) {
		struct tls_conn *c = &tw->conns[i];
		uint64_t id = c->id;

		if (id == 0 || !(c->x & (TLS_X_LINGER | TLS_X_SHUTPEND)) ||
		    (int32_t)(now - c->linger_until) < 0)
			continue;
		tw->ctr[TLS_CTR_LINGER_TIMEOUT]++;
		if (c->x & TLS_X_LINGER) {
			tls_release(w, c);
			tcp_abort(w->tcp, id);
		} else {
			/* a shutdown: its application still has it, and
			 * hears the failure at its next read (-EPROTO) */
			c->x &= (uint8_t)~TLS_X_SHUTPEND;
			tw->nlinger--;
			c->flags |= TLS_F_FATAL;
			tls_ready(w, c);
		}
	}
}
