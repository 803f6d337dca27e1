/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/splice: two TCP legs of one worker, each through its transport
 * operations (dp/tls's struct dp_xprt_ops, raw or TLS), the bytes of each
 * given to the other. A layer above the transports, beside TURN's stream
 * adapter (dp/README.md "How a stream flows"): the access gateway's
 * contexts use it (dp/agw), RFC 6062's data connections can.
 *
 * - Bytes by reference: what a leg's rcv_buf gives (received TCP segments
 *   for a raw leg, OpenSSL's plaintext mbufs for a TLS one) goes to the
 *   other leg's snd_buf as it is; nothing is copied here.
 * - Flow control end to end: a leg is read only while the other leg's
 *   send queue has room (tcp_send_space()); when it has none, reading
 *   stops, the leg's TCP window closes and its sender waits; the other
 *   leg's writable() restarts it. What a leg held for its partner is at
 *   most one read's worth then.
 * - Before the other leg is up (its connect, its TLS handshake), a leg's
 *   bytes are held, at most hold_max, then not read (TCP's window again),
 *   and delivered once it is up.
 * - The end of a stream (FIN, TLS close_notify) is passed on after its
 *   bytes as the end of the other (FIN, close_notify then FIN): a duplex
 *   close, each direction on its own; once both have ended, both legs are
 *   closed (their TCP finishes the exchange). A reset, a timeout, a TLS
 *   failure or a failed connect on one leg resets the other at once.
 *
 * Calls: the owner (dp/agw, dp/tcprelay) runs dp/tcp's application, its
 * connections' sessions (dp/session: the transport's wake-ups) and dp/tls's
 * leg callbacks, and passes each on here. Why a leg ended is the splice's
 * own enum splice_cause, which each owner maps to its own. Every function takes the worker and
 * the splice; callbacks that come from inside a transport operation the
 * splice made only mark the splice, and the outermost call does the work
 * (no re-entry into a transport's rcv_buf).
 */
#ifndef DP_SPLICE_H
#define DP_SPLICE_H

#include <stdint.h>

#include "splice_types.h"
#include "tcp_types.h"

/* A splice with both legs waiting; hold_max: see above. */
void splice_init(struct splice *sp, const struct splice_ops *ops, uint32_t hold_max);

/* Leg i's active open is under way on connection id (its connected()
 * follows: splice_leg_open(); or its closed(): splice_closed()). */
void splice_leg_connecting(struct splice *sp, unsigned int i, uint64_t id);

/* Leg i has its TCP connection id (accepted, or connected) and its
 * transport xp (tls_conn_start()'s): up at once when the transport has no
 * handshake of its own (DP_XPRT_F_HANDSHAKE), else when the owner says so
 * (splice_leg_up()). The leg's session (dp/session) is the owner's to
 * open; the splice closes it when the leg ends. */
void splice_leg_open(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t id,
		     const struct dp_xprt_ops *xp);

/* Leg i takes connection id whose TLS handshake its owner ran to its end
 * outside the splice (xp: &dp_xprt_tls; tls_version 12 or 13): the leg is
 * up at once. What the owner's last read gave goes first: n > 0 bytes in
 * m (the splice owns m), n == 0 the end of the stream, n < 0 nothing. */
void splice_leg_adopt(struct dp_worker *w, struct splice *sp, unsigned int i, uint64_t id,
		      const struct dp_xprt_ops *xp, uint8_t tls_version, struct rte_mbuf *m,
		      int n);

/* Leg i's TLS handshake is done (tls_version 12 or 13); from the leg's
 * handshake callback. */
void splice_leg_up(struct dp_worker *w, struct splice *sp, unsigned int i,
		   uint8_t tls_version);

/* Leg i's handshake failed (its handshake callback): its next read says
 * so, and the splice ends it (SPLICE_CAUSE_TLS_HANDSHAKE) and the other. */
void splice_leg_hs_failed(struct dp_worker *w, struct splice *sp, unsigned int i);

/* dp/tcp's (and dp/tls's) events of leg i's connection. */
void splice_readable(struct dp_worker *w, struct splice *sp, unsigned int i);
void splice_writable(struct dp_worker *w, struct splice *sp, unsigned int i);
/* A parked TLS operation of leg i may go on (its ready callback). */
void splice_ready(struct dp_worker *w, struct splice *sp, unsigned int i);
/* dp/tcp ended leg i's connection (its closed() callback, reason why). */
void splice_closed(struct dp_worker *w, struct splice *sp, unsigned int i,
		   enum tcp_reason why);

/*
 * Police what leg i's peer sends (H.248.53 tman's sdr and mbs): at most
 * burst bytes at once and rate bytes a second over time are read from it
 * (a TLS leg's plaintext: what the splice moves); rate 0: no policing.
 * Over TCP nothing is dropped (that would cut the stream): the leg is not
 * read while its bucket is empty, its receive window closes and its peer
 * slows; the owner's police_wait() hears when to give it
 * splice_police_due(). On a leg live or not: a live one keeps what its
 * bucket holds (a change of rate grants no new burst), one that was not
 * policed starts full; the setting stays with the slot until
 * splice_leg_sub() empties it.
 */
void splice_leg_police(struct dp_worker *w, struct splice *sp, unsigned int i, uint32_t rate,
		       uint32_t burst);
/* police_wait()'s time came for leg i: it is read again as its bucket
 * allows. */
void splice_police_due(struct dp_worker *w, struct splice *sp, unsigned int i);

/* The owner ends leg i for cause (a connect that could not start, a TLS
 * start refused): it is reset, and so is the other (SPLICE_CAUSE_OTHER_LEG). */
void splice_leg_fail(struct dp_worker *w, struct splice *sp, unsigned int i,
		     enum splice_cause cause);

/* The owner takes leg i out (cause: the controller's): it is closed when
 * up, reset otherwise, and its slot is empty again (SPLICE_LEG_WAIT, id 0)
 * for a later leg; the other leg is held as for a partner not up
 * (hold_max), its end passed on to the next leg. leg_down is called for
 * leg i (its bytes still there); done() is not, unless the other leg had
 * ended or could take nothing more (then the splice is released). Not
 * from inside a splice callback. */
void splice_leg_sub(struct dp_worker *w, struct splice *sp, unsigned int i,
		    enum splice_cause cause);

/* The owner ends the splice (the controller, its setup time): legs that
 * are up are closed (TLS close_notify, FIN; unread bytes reset, as TCP
 * does), the others reset or forgotten; both with cause. */
void splice_release(struct dp_worker *w, struct splice *sp, enum splice_cause cause);

/* The leg whose connection is id, or -1. */
static inline int
splice_leg_of(const struct splice *sp, uint64_t id)
{
	if (id != 0 && sp->leg[0].id == id)
		return 0;
	if (id != 0 && sp->leg[1].id == id)
		return 1;
	return -1;
}

/* Names of the counters; they and the legs' ends by cause for cp
 * (dp_ctrs.h; the worker's splice, w->splice, 0 without one). */
const char *splice_ctr_name(unsigned int i);
struct dp_ctrs_family;
extern const struct dp_ctrs_family splice_ctrs, splice_end_ctrs;
/* Splice as one of dp's modules (dp_module.h): its counters (its ends'
 * are listed by the gateway's module, where cp shows them). */
struct dp_module;
extern const struct dp_module splice_module;

#endif /* DP_SPLICE_H */
