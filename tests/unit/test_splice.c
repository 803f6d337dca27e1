/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/splice over the fake transport (fake_xprt.h): two connections as the
 * legs, the owner's ops recorded. Bytes go both ways byte-exact and in
 * order whatever pieces the transport reads them in; a leg is not read
 * while its partner has no room (and is read again on its writable), nor
 * past hold_max while its partner is not up; a stream's end goes on as the
 * other's shutdown after its bytes, and both ends close both legs; a
 * reset, a timeout, a refused connect, a failed send, a TLS failure end
 * both legs with the cause each should say; the counters say what
 * happened; no mbuf is left behind (the pool counted, ASan's leak check).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "fake_xprt.h"
#include "splice.h"
#include "tls.h"

static const uint8_t L4[4] = { 10, 0, 0, 1 };
static const uint8_t R4[4] = { 10, 0, 0, 2 };

struct fix {
	struct dp_ctx ctx;
	struct dp_worker *w;
	struct splice_worker sw;
	struct splice sp;
	uint64_t a, b;                /* leg 0's and leg 1's connections */
	unsigned int mbufs0;
};

/* What the owner heard, in order. */
static struct {
	unsigned int ndown, ndone;
	unsigned int down_leg[4];
	uint8_t down_why[4];
	/* whether the leg's connection was still there at leg_down */
	bool down_conn_live[4];
} own;

static void
own_leg_down(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	struct fx_conn *c = fx_get(sp->leg[i].id);

	(void)w;
	assert_true(own.ndown < 4);
	assert_int_equal(own.ndone, 0);
	own.down_leg[own.ndown] = i;
	own.down_why[own.ndown] = sp->leg[i].why;
	own.down_conn_live[own.ndown] = c == NULL || (c->aborts == 0 && c->closes == 0);
	own.ndown++;
}

static void
own_done(struct dp_worker *w, struct splice *sp)
{
	(void)w;
	(void)sp;
	own.ndone++;
}

static const struct splice_ops own_ops = {
	.leg_down = own_leg_down,
	.done = own_done,
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fx_init();
	f->w = fx_worker_new(&f->ctx);
	f->w->splice = &f->sw;
	f->mbufs0 = fx_mbufs_in_use();
	memset(&own, 0, sizeof(own));
	f->a = fx_conn_new(1, 4, L4, 5000, R4, 40001);
	f->b = fx_conn_new(2, 4, L4, 5001, R4, 40002);
	splice_init(&f->sp, &own_ops, 4096);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	/* what a leg held and never delivered is the owner's to free (the
	 * agw and tcprelay do so at their end) */
	rte_pktmbuf_free(f->sp.leg[0].pend);
	rte_pktmbuf_free(f->sp.leg[1].pend);
	fx_reset();
	fx_worker_free(f->w);
	free(f);
	return 0;
}

/* Nothing of the pool is held: what the legs read went to the other's
 * send path (copied out by the fake) or was freed. */
static void
no_leak(const struct fix *f)
{
	assert_int_equal(fx_mbufs_in_use(), f->mbufs0);
}

static void
open_both(struct fix *f)
{
	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_raw);
	splice_leg_open(f->w, &f->sp, 1, f->b, &dp_xprt_raw);
	assert_int_equal(f->sp.leg[0].state, SPLICE_LEG_UP);
	assert_int_equal(f->sp.leg[1].state, SPLICE_LEG_UP);
}

/* ---- bytes ------------------------------------------------------------------ */

static void
test_splice_bytes_both_ways(void **state)
{
	struct fix *f = *state;
	static uint8_t ab[20000], ba[7001];

	fx_pattern(ab, sizeof(ab), 1);
	fx_pattern(ba, sizeof(ba), 99);
	open_both(f);
	/* leg 0's peer's bytes come in small pieces (many mbufs a read) */
	fx_get(f->a)->rd_seg = 100;
	fx_peer_send(f->a, ab, sizeof(ab));
	splice_readable(f->w, &f->sp, 0);
	fx_tx_is(f->b, ab, sizeof(ab));
	/* the other way, in odd pieces and reads */
	fx_get(f->b)->rd_seg = 333;
	fx_get(f->b)->rd_max = 1000;
	fx_peer_send(f->b, ba, sizeof(ba));
	splice_readable(f->w, &f->sp, 1);
	fx_tx_is(f->a, ba, sizeof(ba));
	/* nothing more comes from an empty leg */
	splice_readable(f->w, &f->sp, 0);
	splice_readable(f->w, &f->sp, 1);
	assert_int_equal(fx_get(f->a)->tx_len, 0);
	assert_int_equal(fx_get(f->b)->tx_len, 0);

	assert_int_equal(f->sw.ctr[SPLICE_CTR_BYTES_IN], sizeof(ab) + sizeof(ba));
	assert_int_equal(f->sw.ctr[SPLICE_CTR_BYTES_OUT], sizeof(ab) + sizeof(ba));
	/* by reference: every mbuf read was handed on (200 + 8 reads of
	 * 1000 in 4 pieces, the last 1 byte) */
	assert_int_equal(f->sw.ctr[SPLICE_CTR_MBUFS_BY_REF], 200u + 7u * 4u + 1u);
	assert_int_equal(f->sp.leg[0].bytes_in, sizeof(ab));
	assert_int_equal(f->sp.leg[1].bytes_out, sizeof(ab));
	assert_int_equal(f->sp.leg[1].bytes_in, sizeof(ba));
	assert_int_equal(f->sp.leg[0].bytes_out, sizeof(ba));
	assert_int_equal(f->sw.ctr[SPLICE_CTR_STALL_ROOM], 0);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_HELD_BYTES], 0);
	assert_int_equal(own.ndown, 0);
	assert_int_equal(own.ndone, 0);
	no_leak(f);
}

/* The transport says -EAGAIN with bytes waiting (TLS without a whole
 * record, say): nothing moves, nothing ends, and the bytes go later. */
static void
test_splice_eagain_waits(void **state)
{
	struct fix *f = *state;
	uint8_t d[3000];

	fx_pattern(d, sizeof(d), 5);
	open_both(f);
	fx_peer_send(f->a, d, sizeof(d));
	fx_get(f->a)->rx_err = -EAGAIN;
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(fx_get(f->b)->tx_len, 0);
	assert_int_equal(f->sp.leg[0].state, SPLICE_LEG_UP);
	fx_get(f->a)->rx_err = 0;
	splice_readable(f->w, &f->sp, 0);
	fx_tx_is(f->b, d, sizeof(d));
	assert_int_equal(own.ndown, 0);
	no_leak(f);
}

/* ---- flow control ----------------------------------------------------------- */

/* Leg 1 takes 3000 bytes, then nothing: leg 0 is read that far and no
 * further (its bytes stay with its transport, where TCP's window closes),
 * and is read again on leg 1's writable, in order. */
static void
test_splice_backpressure(void **state)
{
	struct fix *f = *state;
	static uint8_t d[20000];
	unsigned int reads;

	fx_pattern(d, sizeof(d), 3);
	open_both(f);
	fx_get(f->a)->rd_seg = 1000;
	fx_get(f->b)->room = 3000;
	fx_peer_send(f->a, d, sizeof(d));
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(fx_get(f->b)->tx_len, 3000);
	/* not read beyond what leg 1 took (nothing held for it) */
	assert_int_equal(fx_get(f->a)->rx_len - fx_get(f->a)->rx_off, sizeof(d) - 3000u);
	assert_null(f->sp.leg[0].pend);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_STALL_ROOM], 1);
	assert_true(f->sp.leg[0].flags & SPLICE_LF_STALLED);
	/* more readable()s while leg 1 is full read nothing */
	reads = fx_get(f->a)->reads;
	splice_readable(f->w, &f->sp, 0);
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(fx_get(f->a)->reads, reads);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_STALL_ROOM], 1);   /* (one stall) */

	/* room again, and leg 1's writable: the rest goes, in order */
	fx_get(f->b)->room = FX_ROOM_DEFAULT;
	splice_writable(f->w, &f->sp, 1);
	assert_int_equal(fx_get(f->b)->writables, 1);   /* (its transport flushes) */
	fx_tx_is(f->b, d, sizeof(d));
	assert_int_equal(f->sw.ctr[SPLICE_CTR_RESUMED], 1);
	assert_false(f->sp.leg[0].flags & SPLICE_LF_STALLED);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_BYTES_OUT], sizeof(d));
	no_leak(f);
}

/* The send path takes less than dp/tcp said it had room for (a TLS
 * record's overhead): the read waits in the pend (one read's worth, the
 * leg not read on) and goes first when room comes back. */
static void
test_splice_backpressure_pend(void **state)
{
	struct fix *f = *state;
	static uint8_t d[12000];

	fx_pattern(d, sizeof(d), 11);
	open_both(f);
	fx_get(f->a)->rd_seg = 1500;
	fx_get(f->b)->space = 2500;      /* (over SPLICE_MIN_ROOM) */
	fx_get(f->b)->room = 2000;
	fx_peer_send(f->a, d, sizeof(d));
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(fx_get(f->b)->tx_len, 0);
	assert_int_equal(f->sp.leg[0].pend_bytes, 2500);
	assert_int_equal(fx_get(f->a)->rx_len - fx_get(f->a)->rx_off, sizeof(d) - 2500u);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_STALL_ROOM], 1);
	fx_get(f->b)->space = 0;
	fx_get(f->b)->room = 100000;
	splice_writable(f->w, &f->sp, 1);
	fx_tx_is(f->b, d, sizeof(d));
	assert_int_equal(f->sp.leg[0].pend_bytes, 0);
	no_leak(f);
}

/* Before leg 1 is up, leg 0's bytes are held up to hold_max, then leg 0
 * is not read; once leg 1 is up, all of them go, in order. */
static void
test_splice_hold_until_up(void **state)
{
	struct fix *f = *state;
	static uint8_t d[10000];

	fx_pattern(d, sizeof(d), 21);
	splice_leg_connecting(&f->sp, 1, f->b);
	fx_get(f->b)->state = TCP_ST_SYN_SENT;
	fx_peer_send(f->a, d, sizeof(d));
	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_raw);
	assert_int_equal(f->sp.leg[0].pend_bytes, 4096);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_HELD_BYTES], 4096);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_STALL_HOLD], 1);
	assert_int_equal(fx_get(f->a)->rx_len - fx_get(f->a)->rx_off, sizeof(d) - 4096u);
	assert_int_equal(fx_get(f->b)->sends, 0);
	/* more bytes told of: still held at hold_max */
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(f->sp.leg[0].pend_bytes, 4096);

	/* leg 1 connected */
	splice_leg_open(f->w, &f->sp, 1, f->b, &dp_xprt_raw);
	fx_tx_is(f->b, d, sizeof(d));
	assert_int_equal(f->sw.ctr[SPLICE_CTR_RESUMED], 1);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_BYTES_OUT], sizeof(d));
	no_leak(f);
}

/* ---- ends -------------------------------------------------------------------- */

/* A half-close each way: leg 0's stream ends after its bytes, which go on
 * to leg 1 and then its shutdown (FIN); leg 1 goes on sending to leg 0
 * until its own end; then both legs are closed, once, named by the stream
 * that ended first. */
static void
test_splice_half_close(void **state)
{
	struct fix *f = *state;
	uint8_t d0[777], d1[2000], d2[55];

	fx_pattern(d0, sizeof(d0), 31);
	fx_pattern(d1, sizeof(d1), 41);
	fx_pattern(d2, sizeof(d2), 51);
	open_both(f);
	fx_peer_send(f->a, d0, sizeof(d0));
	fx_peer_eof(f->a);
	splice_readable(f->w, &f->sp, 0);
	fx_tx_is(f->b, d0, sizeof(d0));
	assert_int_equal(fx_get(f->b)->shutdowns, 1);
	assert_int_equal(fx_get(f->a)->shutdowns, 0);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_FIN_FORWARDED], 1);
	assert_int_equal(own.ndown, 0);
	/* the other direction still flows */
	fx_peer_send(f->b, d1, sizeof(d1));
	splice_readable(f->w, &f->sp, 1);
	fx_tx_is(f->a, d1, sizeof(d1));
	/* a readable() on the ended leg does not forward its end twice */
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(fx_get(f->b)->shutdowns, 1);
	/* leg 1's last bytes, then its end */
	fx_peer_send(f->b, d2, sizeof(d2));
	fx_peer_eof(f->b);
	splice_readable(f->w, &f->sp, 1);
	fx_tx_is(f->a, d2, sizeof(d2));
	assert_int_equal(fx_get(f->a)->shutdowns, 1);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_FIN_FORWARDED], 2);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_DUPLEX_CLOSES], 1);
	/* both closed (not reset), leg 0 first: its stream ended first */
	assert_int_equal(fx_get(f->a)->closes, 1);
	assert_int_equal(fx_get(f->b)->closes, 1);
	assert_int_equal(fx_get(f->a)->aborts + fx_get(f->b)->aborts, 0);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_leg[0], 0);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_FIN);
	assert_int_equal(own.down_leg[1], 1);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_FIN);
	assert_true(own.down_conn_live[0] && own.down_conn_live[1]);
	assert_int_equal(own.ndone, 1);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_FIN);
	assert_int_equal(f->sp.why_leg, 0);
	assert_int_equal(f->sw.leg_end[SPLICE_CAUSE_FIN], 2);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_ABORTS], 0);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_DROPPED_BYTES], 0);
	no_leak(f);
}

/* A leg whose TCP ended normally (both FINs: leg 1's stream ended and
 * went on as leg 0's FIN, and leg 0's peer answered with its last bytes
 * and FIN) before those bytes were read: they are read inside closed()
 * and go on, then its end; the splice is done, named by leg 1 (its stream
 * ended first). */
static void
test_splice_closed_normal_reads_rest(void **state)
{
	struct fix *f = *state;
	uint8_t d[4000];

	fx_pattern(d, sizeof(d), 61);
	open_both(f);
	fx_peer_eof(f->b);
	splice_readable(f->w, &f->sp, 1);
	assert_int_equal(fx_get(f->a)->shutdowns, 1);
	fx_peer_send(f->a, d, sizeof(d));
	fx_peer_eof(f->a);
	splice_closed(f->w, &f->sp, 0, TCP_REASON_NORMAL);
	fx_tx_is(f->b, d, sizeof(d));
	assert_int_equal(fx_get(f->b)->shutdowns, 1);
	assert_int_equal(fx_get(f->a)->gones, 1);        /* dp/tcp ended it */
	assert_int_equal(fx_get(f->a)->closes, 0);       /* (gone: not closed again) */
	assert_int_equal(fx_get(f->b)->closes, 1);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_FIN);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_FIN);
	assert_int_equal(own.ndone, 1);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_FIN);
	assert_int_equal(f->sp.why_leg, 1);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_DUPLEX_CLOSES], 1);
	no_leak(f);
}

/* A leg whose TCP ended normally with its stream not read to its end
 * (the transport cannot say more: -EAGAIN, and nothing will wake it):
 * RST, the other reset. */
static void
test_splice_closed_normal_unread(void **state)
{
	struct fix *f = *state;

	open_both(f);
	fx_get(f->a)->rx_err = -EAGAIN;
	splice_closed(f->w, &f->sp, 0, TCP_REASON_NORMAL);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_RST);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_int_equal(fx_get(f->a)->gones, 1);
	assert_int_equal(fx_get(f->b)->aborts, 1);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

/* A TLS leg whose TCP ended normally while its last records were still
 * being decrypted (its transport says -EAGAIN and that it will wake the
 * leg): dp/tcp keeps the connection, the leg is read on when its
 * transport is ready, to its end, and the kept connection is freed. */
static void
test_splice_read_after_close(void **state)
{
	struct fix *f = *state;
	uint8_t d[1500];

	fx_pattern(d, sizeof(d), 111);
	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_tls);
	splice_leg_up(f->w, &f->sp, 0, 13);
	splice_leg_open(f->w, &f->sp, 1, f->b, &dp_xprt_raw);
	fx_peer_eof(f->b);
	splice_readable(f->w, &f->sp, 1);
	assert_int_equal(fx_get(f->a)->shutdowns, 1);
	fx_get(f->a)->rx_err = -EAGAIN;
	fx_get(f->a)->wakes = true;
	fx_get(f->a)->keep_rc = 0;
	splice_closed(f->w, &f->sp, 0, TCP_REASON_NORMAL);
	assert_true(fx_get(f->a)->kept);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_READ_AFTER_CLOSE], 1);
	assert_int_equal(own.ndown, 0);
	/* its transport is ready: the rest, then its end */
	fx_get(f->a)->rx_err = 0;
	fx_peer_send(f->a, d, sizeof(d));
	fx_peer_eof(f->a);
	splice_ready(f->w, &f->sp, 0);
	fx_tx_is(f->b, d, sizeof(d));
	assert_int_equal(fx_get(f->b)->shutdowns, 1);
	assert_int_equal(fx_get(f->a)->gones, 1);
	assert_int_equal(fx_get(f->a)->closes, 1);       /* (dp/tcp frees the kept one) */
	assert_int_equal(fx_get(f->b)->closes, 1);
	assert_int_equal(own.ndone, 1);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_FIN);
	assert_int_equal(f->sp.why_leg, 1);
	no_leak(f);
}

/* The same, but the transport will not wake it: the leg cannot be read
 * to its end, RST, the other reset. */
static void
test_splice_read_after_close_no_wake(void **state)
{
	struct fix *f = *state;

	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_tls);
	splice_leg_up(f->w, &f->sp, 0, 13);
	splice_leg_open(f->w, &f->sp, 1, f->b, &dp_xprt_raw);
	fx_get(f->a)->rx_err = -EAGAIN;
	fx_get(f->a)->keep_rc = 0;
	splice_closed(f->w, &f->sp, 0, TCP_REASON_NORMAL);
	assert_false(fx_get(f->a)->kept);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_RST);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_int_equal(fx_get(f->b)->aborts, 1);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

/* dp/tcp ends a leg abnormally: that leg is forgotten (its TCP is gone),
 * the other reset, each with its cause; what either held is dropped. */
static void
run_closed(struct fix *f, unsigned int leg, enum tcp_reason why, uint8_t want)
{
	uint64_t id = leg == 0 ? f->a : f->b, other = leg == 0 ? f->b : f->a;
	uint8_t d[3000];

	fx_pattern(d, sizeof(d), 71);
	open_both(f);
	/* leg 0 has bytes leg 1 cannot take yet (dp/tcp said room for
	 * 2100, the send path then took less) */
	fx_get(f->b)->space = 2100;
	fx_get(f->b)->room = 2000;
	fx_get(f->a)->rd_seg = 1000;
	fx_peer_send(f->a, d, sizeof(d));
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(f->sp.leg[0].pend_bytes, 2100);
	splice_closed(f->w, &f->sp, leg, why);
	assert_int_equal(fx_get(id)->gones, 1);
	assert_int_equal(fx_get(id)->aborts, 0);
	assert_int_equal(fx_get(other)->aborts, 1);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_leg[0], leg);
	assert_int_equal(own.down_why[0], want);
	assert_int_equal(own.down_leg[1], leg ^ 1u);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_true(own.down_conn_live[1]);               /* told before its reset */
	assert_int_equal(own.ndone, 1);
	assert_int_equal(f->sp.why, want);
	assert_int_equal(f->sp.why_leg, leg);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_ABORTS], 1);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_DROPPED_BYTES], 2100);
	assert_int_equal(f->sw.leg_end[want], 1);
	assert_int_equal(f->sw.leg_end[SPLICE_CAUSE_OTHER_LEG], 1);
	assert_null(f->sp.leg[0].pend);
	/* nothing more happens on an ended splice */
	splice_readable(f->w, &f->sp, leg ^ 1u);
	splice_closed(f->w, &f->sp, leg ^ 1u, TCP_REASON_LOCAL_ABORT);
	assert_int_equal(own.ndone, 1);
	assert_int_equal(own.ndown, 2);
	no_leak(f);
}

static void
test_splice_closed_reset(void **state)
{
	run_closed(*state, 0, TCP_REASON_RESET, SPLICE_CAUSE_RST);
}

static void
test_splice_closed_timeout(void **state)
{
	run_closed(*state, 1, TCP_REASON_TIMEOUT, SPLICE_CAUSE_TIMEOUT);
}

static void
test_splice_closed_keepalive(void **state)
{
	run_closed(*state, 1, TCP_REASON_KEEPALIVE, SPLICE_CAUSE_TIMEOUT);
}

/* RFC 5482's user timeout (dp.tcp_user_timeout) ending a leg: a timeout
 * too, not a reset */
static void
test_splice_closed_user_timeout(void **state)
{
	run_closed(*state, 1, TCP_REASON_USER_TIMEOUT, SPLICE_CAUSE_TIMEOUT);
}

/* A client leg's connect refused: CONNECT_FAILED, the other reset. */
static void
test_splice_connect_refused(void **state)
{
	struct fix *f = *state;

	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_raw);
	splice_leg_connecting(&f->sp, 1, f->b);
	splice_closed(f->w, &f->sp, 1, TCP_REASON_REFUSED);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_leg[0], 1);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_CONNECT_FAILED);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_int_equal(fx_get(f->a)->aborts, 1);
	assert_int_equal(fx_get(f->b)->gones, 0);        /* (no transport yet) */
	assert_int_equal(fx_get(f->b)->aborts, 0);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_CONNECT_FAILED);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

/* Leg 1's send path fails for good: leg 1 ends (RST: a raw leg's
 * failure), leg 0 is reset (OTHER_LEG), its read bytes dropped. */
static void
test_splice_send_fails(void **state)
{
	struct fix *f = *state;
	uint8_t d[2500];

	fx_pattern(d, sizeof(d), 81);
	open_both(f);
	fx_get(f->b)->snd_err = -EPIPE;
	fx_peer_send(f->a, d, sizeof(d));
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_SEND_FAILED], 1);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_leg[0], 1);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_RST);
	assert_int_equal(own.down_leg[1], 0);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_int_equal(fx_get(f->a)->aborts, 1);
	assert_int_equal(fx_get(f->b)->aborts, 1);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_DROPPED_BYTES], sizeof(d));
	assert_int_equal(f->sp.why, SPLICE_CAUSE_RST);
	assert_int_equal(f->sp.why_leg, 1);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

/* A raw leg's transport failing (-EPROTO from rcv_buf): RST, the other
 * reset. */
static void
test_splice_rcv_fails_raw(void **state)
{
	struct fix *f = *state;

	open_both(f);
	fx_get(f->b)->rx_err = -EPROTO;
	splice_readable(f->w, &f->sp, 1);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_leg[0], 1);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_RST);
	assert_int_equal(fx_get(f->b)->aborts, 1);
	assert_int_equal(fx_get(f->a)->aborts, 1);
	assert_int_equal(f->sp.why_leg, 1);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

/* TLS legs: up only when the owner says the handshake is done (bytes for
 * it held meanwhile); a handshake that fails is TLS_HANDSHAKE, an alert
 * after it TLS_ALERT. */
static void
test_splice_tls_handshake_then_bytes(void **state)
{
	struct fix *f = *state;
	uint8_t d[3000];

	fx_pattern(d, sizeof(d), 91);
	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_raw);
	splice_leg_open(f->w, &f->sp, 1, f->b, &dp_xprt_tls);
	assert_int_equal(f->sp.leg[1].state, SPLICE_LEG_HANDSHAKE);
	fx_peer_send(f->a, d, sizeof(d));
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(fx_get(f->b)->sends, 0);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_HELD_BYTES], sizeof(d));
	splice_leg_up(f->w, &f->sp, 1, 13);
	assert_int_equal(f->sp.leg[1].tls_version, 13);
	fx_tx_is(f->b, d, sizeof(d));
	/* then the peer's fatal alert */
	fx_get(f->b)->rx_err = -EPROTO;
	fx_get(f->b)->tls_why = TLS_FAIL_PEER_ALERT;
	splice_readable(f->w, &f->sp, 1);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_TLS_ALERT);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_TLS_ALERT);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

static void
test_splice_tls_handshake_fails(void **state)
{
	struct fix *f = *state;

	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_raw);
	splice_leg_open(f->w, &f->sp, 1, f->b, &dp_xprt_tls);
	fx_get(f->b)->rx_err = -EPROTO;
	fx_get(f->b)->tls_why = TLS_FAIL_FP_MISMATCH;
	splice_leg_hs_failed(f->w, &f->sp, 1);
	assert_int_equal(own.down_leg[0], 1);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_TLS_HANDSHAKE);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_int_equal(fx_get(f->b)->aborts, 1);
	assert_int_equal(fx_get(f->a)->aborts, 1);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

/* A TLS leg's end with close_notify names the splice CLOSE_NOTIFY. */
static void
test_splice_tls_close_notify(void **state)
{
	struct fix *f = *state;

	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_tls);
	splice_leg_up(f->w, &f->sp, 0, 12);
	splice_leg_open(f->w, &f->sp, 1, f->b, &dp_xprt_raw);
	fx_get(f->a)->notified = true;
	fx_peer_eof(f->a);
	splice_readable(f->w, &f->sp, 0);
	assert_int_equal(fx_get(f->b)->shutdowns, 1);
	fx_peer_eof(f->b);
	splice_readable(f->w, &f->sp, 1);
	assert_int_equal(own.ndone, 1);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_CLOSE_NOTIFY);
	assert_int_equal(f->sp.why_leg, 0);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_CLOSE_NOTIFY);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_FIN);
	no_leak(f);
}

/* The owner fails a leg (a TLS start refused): that cause, the other
 * reset. */
static void
test_splice_owner_fails_leg(void **state)
{
	struct fix *f = *state;

	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_raw);
	splice_leg_fail(f->w, &f->sp, 1, SPLICE_CAUSE_NO_MEMORY);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_leg[0], 1);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_NO_MEMORY);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_OTHER_LEG);
	assert_int_equal(fx_get(f->a)->aborts, 1);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_NO_MEMORY);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

/* The owner releases the splice: legs that are up are closed (not
 * reset), one still connecting reset, held bytes dropped; the cause is
 * the owner's, of no leg. */
static void
test_splice_release(void **state)
{
	struct fix *f = *state;
	uint8_t d[1000];

	fx_pattern(d, sizeof(d), 101);
	splice_leg_connecting(&f->sp, 1, f->b);
	fx_peer_send(f->a, d, sizeof(d));
	splice_leg_open(f->w, &f->sp, 0, f->a, &dp_xprt_raw);
	assert_int_equal(f->sp.leg[0].pend_bytes, sizeof(d));
	splice_release(f->w, &f->sp, SPLICE_CAUSE_RELEASED);
	assert_int_equal(fx_get(f->a)->closes, 1);
	assert_int_equal(fx_get(f->a)->aborts, 0);
	assert_int_equal(fx_get(f->b)->aborts, 1);
	assert_int_equal(own.ndown, 2);
	assert_int_equal(own.down_why[0], SPLICE_CAUSE_RELEASED);
	assert_int_equal(own.down_why[1], SPLICE_CAUSE_RELEASED);
	assert_int_equal(f->sp.why, SPLICE_CAUSE_RELEASED);
	assert_int_equal(f->sp.why_leg, SPLICE_LEG_NONE);
	assert_int_equal(f->sw.ctr[SPLICE_CTR_DROPPED_BYTES], sizeof(d));
	assert_int_equal(f->sw.ctr[SPLICE_CTR_ABORTS], 0);
	assert_int_equal(own.ndone, 1);
	no_leak(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_splice_bytes_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_eagain_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_backpressure_pend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_hold_until_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_half_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_closed_normal_reads_rest,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_closed_normal_unread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_read_after_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_read_after_close_no_wake, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_splice_closed_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_closed_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_closed_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_closed_user_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_connect_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_send_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_rcv_fails_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_tls_handshake_then_bytes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_tls_handshake_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_tls_close_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_owner_fails_leg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splice_release, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
