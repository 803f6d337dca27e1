/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake stream transport and a fake dp/tcp at link level, for the unit
 * tests of the stream modules above dp/tls (splice, the TURN-over-TCP
 * adapter, tcprelay, agw). They compile the module's .c into the test and
 * link this file in place of dp/tcp, dp/tls's TLS transport and the few dp
 * functions they call, so that the module is driven only through what it
 * registers (dp/tcp's application callbacks, dp_cp's handlers, the
 * splice's owner ops) and observed through what it does to connections.
 *
 * Each connection is an entry here (a real struct tcp_conn for the
 * addresses the modules read, plus two byte queues):
 * - rx: what the peer sent and the module has not read. rcv_buf gives at
 *   most max bytes (and rd_max, when set), as a chain of mbufs of rd_seg
 *   bytes each (0: as full as an mbuf), then 0 once rx_eof is set and all
 *   was read, else -EAGAIN; rx_err (when not 0) is returned instead.
 * - tx: what the module sent. snd_buf is all or nothing, as dp/tcp's:
 *   -EAGAIN when the chain is longer than room, snd_err (when not 0)
 *   instead; a taken chain is checked (its length and count in the head),
 *   copied and freed. tcp_send_space() says room, or space when set (what
 *   dp/tcp says of its queue and what the send path then takes may differ:
 *   TLS records' overhead).
 * - what was done to it: shutdowns, closes (xp->close or tcp_close),
 *   aborts, gones, writables (xp->writable), first_timeouts, unreads
 *   (tcp_unread() puts bytes back in front of rx). A read, a send or a
 *   close after the module closed, aborted or forgot the connection, a
 *   send after its shutdown, or a second abort fails the test.
 *
 * dp_xprt_tls is this transport. dp_xprt_raw is dp/tls/xprt_raw.c's own,
 * over these connections through the fake dp/tcp (tcp_recv(), tcp_send(),
 * tcp_shutdown(), tcp_close(), tcp_abort()), with what it hands to nobody
 * (writable, gone, first_timeout, subscribe) counted all the same: the
 * tests link with --wrap=dp_xprt_raw (fake_xprt.c). The TLS one (flags
 * DP_XPRT_F_HANDSHAKE | DP_XPRT_F_RECORDS) answers why, eof_clean, wakes
 * and version (and tls_conn_why() ...) from the connection's knobs, keeps
 * its subscriber (subscribe(), what session_open() sets) for
 * fx_tls_wake(), and a TLS leg's callbacks (tls_conn_start()'s) for
 * fx_tls_handshake().
 *
 * The fake stack keeps the registered applications and listens;
 * fx_accept(), fx_readable() ... call an application's callbacks as dp/tcp
 * would, with the worker's (zeroed) struct tcp_stack whose out_arg is the
 * worker. Everything runs on a real EAL without hugepages with a
 * small mbuf pool; fx_mbufs_in_use() lets a test see that nothing leaked.
 */
#ifndef FAKE_XPRT_H
#define FAKE_XPRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "tcp.h"
#include "tls.h"

#define FX_MAX_CONNS 256u         /* slots 1..255 (0 is never an id's); active
				   * opens take them from the top */
#define FX_ROOM_DEFAULT (1u << 20)

struct fx_conn {
	uint64_t id;                  /* 0: unused */
	struct tcp_conn *tc;          /* what tcp_conn_get() gives */
	/* receive side */
	uint8_t *rx;
	size_t rx_len, rx_off, rx_cap;
	bool rx_eof;
	int rx_err;
	uint32_t rd_seg, rd_max;
	/* send side */
	uint8_t *tx;
	size_t tx_len, tx_cap;
	uint32_t room;
	uint32_t space;               /* tcp_send_space() says this when not 0
				       * (else room): dp/tcp's room and what the
				       * send path then takes may differ */
	int snd_err;
	/* what the module did */
	unsigned int reads, sends, shutdowns, closes, aborts, gones, writables,
		     first_timeouts, unreads;
	bool kept;                    /* tcp_keep_readable() took it */
	/* TLS answers */
	int tls_why;                  /* enum tls_fail */
	bool notified, wakes;
	int version;
	int keep_rc;                  /* what tcp_keep_readable() says */
	/* a TLS leg's callbacks (tls_conn_start()'s params) */
	const struct tls_leg_ops *leg_ops;
	void *leg_arg;
	/* who the TLS transport wakes (its subscribe(), as dp/tls keeps it:
	 * a leg's ops->ready until a subscriber is set; NULL: nobody) */
	dp_xprt_wake_fn wake;
	void *wake_arg;
	unsigned int subscribes;      /* subscribe() calls, any transport */
	int state;                    /* enum tcp_state (tcp_conn_state()) */
	/* active opens: where it goes */
	bool active;
};

/* A call of tcp_connect()/dp_tcp_connect_from(). */
struct fx_connect {
	uint64_t id;
	uint8_t family;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	int app;
	void *arg;
};

/* Start the EAL (once a process) and the pool; forget every connection. */
void fx_init(void);
struct rte_mempool *fx_pool(void);
unsigned int fx_mbufs_in_use(void);
/* All connections gone (their queues freed). */
void fx_reset(void);

/* A worker on ctx (zeroed; id 0, the pool, a fake stack whose out_arg is
 * the worker, now_ms from CLOCK_MONOTONIC). */
struct dp_worker *fx_worker_new(struct dp_ctx *ctx);
void fx_worker_free(struct dp_worker *w);

/* A connection in slot (1..FX_MAX_CONNS-1) from raddr:rport to
 * laddr:lport, family 4 or 6, ESTABLISHED. Its id. */
uint64_t fx_conn_new(uint32_t slot, uint8_t family, const uint8_t *laddr, uint16_t lport,
		     const uint8_t *raddr, uint16_t rport);
struct fx_conn *fx_get(uint64_t id);
/* The connection's end (dp/tcp freed it): tcp_conn_get() says NULL. */
void fx_conn_end(uint64_t id);

/* The peer sends n bytes; the peer's FIN. */
void fx_peer_send(uint64_t id, const void *buf, size_t n);
void fx_peer_eof(uint64_t id);
/* What the module sent, taken (at most max bytes; returns how many). */
size_t fx_take_tx(uint64_t id, uint8_t *buf, size_t max);
/* All the module sent on id and the test has not taken is exactly n
 * bytes, want's; taken. */
void fx_tx_is(uint64_t id, const uint8_t *want, size_t n);
/* n bytes from seed that differ by where they stand: a byte lost, doubled
 * or moved, even by a multiple of 256 (up to 64 KiB), shows. */
void fx_pattern(uint8_t *buf, size_t n, uint8_t seed);

/* Applications registered (tcp_app_register()) and their callbacks, as
 * dp/tcp calls them. fx_accept() returns the application's answer and,
 * on 0, keeps the connection's argument. */
const struct tcp_app_ops *fx_app(int app);
int fx_napps(void);
int fx_accept(int app, uint64_t id, void *larg);
void fx_connected(uint64_t id);
void fx_readable(uint64_t id);
void fx_writable(uint64_t id);
void fx_closed(uint64_t id, enum tcp_reason why);
/* The listener of port (its application, its argument), or -1. */
int fx_listener(uint16_t port, void **larg);

/* dp/tls tells a TLS leg its handshake's end (why: TLS_FAIL_NONE, or why
 * it failed; the connection's tls_why is set to it). */
void fx_tls_handshake(struct dp_worker *w, uint64_t id, enum tls_fail why);
/* dp/tls resumes a parked operation of id (tls_poll()): it wakes the
 * connection's subscriber (its session), as the real transport does;
 * the test fails when nobody subscribed. */
void fx_tls_wake(struct dp_worker *w, uint64_t id);

/* The last active opens (tcp_connect(), dp_tcp_connect_from()). */
unsigned int fx_nconnects(void);
const struct fx_connect *fx_connect_at(unsigned int i);
/* Active opens fail with this (0: they succeed). */
void fx_connect_fail(int rc);

/*
 * cp's end of the worker's link (lib/ipc's real rings in heap memory, a
 * segment header with cp serving, its capabilities caps): what dp_cp.c's
 * dispatch reads from, and where the module's events go. fx_cp_send()
 * checks a message as cp's would be and puts it in the ring to dp (the
 * test then calls dp_cp_poll()); fx_cp_recv() takes the next message dp
 * sent (false: none), keeping cp's heartbeat fresh at w->now_ms first.
 */
struct ipc_msg;
void fx_cp_attach(struct dp_worker *w, uint64_t caps);
void fx_cp_detach(struct dp_worker *w);
void fx_cp_send(struct dp_worker *w, struct ipc_msg *m);
void fx_cp_beat(struct dp_worker *w);
/* A restarted cp's SYNC (sync_id) sent (the test's dp_cp_poll() takes
 * it); the worker's TSC rate set to 1 MHz, so that
 * dp_cp_sync_step(w, 1000 * k) makes step k (DP_CP_SYNC_GAP_US apart). */
void fx_cp_sync(struct dp_worker *w, uint64_t sync_id);
bool fx_cp_recv(struct dp_worker *w, struct ipc_msg *m);
/* The module's poll, as the worker loop runs it (agw_poll(),
 * tcprelay_poll()). fx_cp_event() runs it at w->now_ms with cp beating
 * (a module sends only to a cp that serves); then the next message to cp
 * is of kind and alloc_id, and n bytes of its body are copied to body.
 * fx_cp_no_event(): the same, and there is no message. */
typedef unsigned int (*fx_poll_fn)(struct dp_worker *w, uint64_t now_ms);
void fx_cp_event(struct dp_worker *w, fx_poll_fn poll, uint16_t kind, uint64_t alloc_id,
		 void *body, size_t n);
void fx_cp_no_event(struct dp_worker *w, fx_poll_fn poll);

/* w's counter published as name (prefix and name, as cp shows it) by one
 * of the n families the module registers with dp's counters registry
 * (dp/dp_ctrs.h); the test fails when none has it. */
struct dp_ctrs_family;
uint64_t fx_ctr(const struct dp_worker *w, const struct dp_ctrs_family *const *fams,
		unsigned int n, const char *name);

#endif /* FAKE_XPRT_H */
