/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp as a receiver of data out of order, one wire-level scenario
 * each (the harness of tcp_fixture.c: the real stack, a fake clock):
 * the SACK blocks of RFC 2018 §4 (the latest arrival's block first
 * however many are held, then the blocks the last ACK reported), hole
 * repairs deep in the out-of-order list taken (the walk starts where the
 * last repair went), and RFC 2883 D-SACK for duplicates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <rte_mbuf.h>

#include "tcp_fixture.h"
#include "tcp_inlines.h"

static const char pay[16] = "0123456789abcdef";

/* The peer sends len (<= 16) bytes at seq, acknowledging what it has. */
static void
seg_at(struct h *h, uint32_t seq, uint32_t len)
{
	h_inject(h, TCP_ACK, seq, h->p_ack, 65535, NULL, pay, len);
}

/* The last segment dp sent (the others drained). */
static const struct h_out *
last_out(struct h *h)
{
	const struct h_out *r = NULL;

	assert_true(h_pending(h) > 0);
	while (h_pending(h) > 0)
		r = h_pop(h);
	return r;
}

static void
block_is(const struct h_out *r, unsigned int i, uint32_t left, uint32_t right)
{
	assert_true(r->seg.nsack > i);
	assert_int_equal(r->seg.sack[i].left, left);
	assert_int_equal(r->seg.sack[i].right, right);
}

/* Runs of 10 bytes at b + 20 i + 10, holes of 10 at b + 20 i: n of
 * them held, each one an append at the list's tail. */
static void
hold_runs(struct h *h, uint32_t b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		seg_at(h, b + 20 * i + 10, 10);
		h_forget(h);
	}
	assert_int_equal(h_conn(h)->cold.ooo_segs, n);
}

/* (a) More held runs than an ACK may walk (TCP_SACK_WALK_MAX, 64): the
 * ACK for an arrival at the tail still reports that arrival's block
 * first (RFC 2018 §4), then the run before it (the last ACK's). */
static void
test_tcp_rcv_sack_latest_first_past_walk(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	uint32_t b;

	(void)state;
	h_open_passive(h);
	b = h->p_seq;
	hold_runs(h, b, 70);
	seg_at(h, b + 20 * 70 + 10, 10);
	r = last_out(h);
	assert_int_equal(r->seg.ack, b);
	assert_int_equal(r->seg.nsack, 3);       /* beside timestamps */
	block_is(r, 0, b + 20 * 70 + 10, b + 20 * 70 + 20);
	block_is(r, 1, b + 20 * 69 + 10, b + 20 * 69 + 20);
	/* one joined to the tail's run: the whole run, found without a walk */
	seg_at(h, b + 20 * 71, 10);
	r = last_out(h);
	block_is(r, 0, b + 20 * 70 + 10, b + 20 * 71 + 10);
	block_is(r, 1, b + 20 * 69 + 10, b + 20 * 69 + 20);
	h_free(h);
}

/* (b) RFC 2018 §4: "repeating the most recently reported SACK blocks":
 * three runs arriving A, B, C (in sequence order) are reported C, B, A;
 * a fourth, D, below all of them: D, C, B. */
static void
test_tcp_rcv_sack_repeats_recent(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	uint32_t b;

	(void)state;
	h_open_passive(h);
	b = h->p_seq;
	seg_at(h, b + 20, 4);                    /* A */
	r = last_out(h);
	assert_int_equal(r->seg.nsack, 1);
	block_is(r, 0, b + 20, b + 24);
	seg_at(h, b + 30, 4);                    /* B */
	r = last_out(h);
	assert_int_equal(r->seg.nsack, 2);
	block_is(r, 0, b + 30, b + 34);
	block_is(r, 1, b + 20, b + 24);
	seg_at(h, b + 40, 4);                    /* C */
	r = last_out(h);
	assert_int_equal(r->seg.nsack, 3);
	block_is(r, 0, b + 40, b + 44);
	block_is(r, 1, b + 30, b + 34);
	block_is(r, 2, b + 20, b + 24);
	seg_at(h, b + 10, 4);                    /* D */
	r = last_out(h);
	assert_int_equal(r->seg.nsack, 3);
	block_is(r, 0, b + 10, b + 14);
	block_is(r, 1, b + 40, b + 44);
	block_is(r, 2, b + 30, b + 34);
	/* A grows: its block first, then D's and C's (the last ACK's) */
	seg_at(h, b + 24, 4);
	r = last_out(h);
	block_is(r, 0, b + 20, b + 28);
	block_is(r, 1, b + 10, b + 14);
	block_is(r, 2, b + 40, b + 44);
	h_free(h);
}

/* (c) The first hole's repair lost, the sender repairs the others
 * lowest first (RFC 6675 NextSeg()): each repair lands ever deeper in
 * the out-of-order list (two mbufs a repaired hole), past the 64
 * entries a walk from the head may look at; none is dropped, each
 * ACK's first block is the whole run it joined, and the first hole's
 * repair delivers everything. */
static void
test_tcp_rcv_deep_repair_taken(void **state)
{
	struct h *h = h_new(NULL);
	struct tcp_conn *c;
	const struct h_out *r;
	uint32_t b;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	b = h->p_seq;
	hold_runs(h, b, 80);
	for (unsigned int i = 1; i < 80; i++) {
		seg_at(h, b + 20 * i, 10);
		r = last_out(h);
		assert_int_equal(h->ts->ctr[TCP_CTR_OOO_WALK_DROP], 0);
		block_is(r, 0, b + 10, b + 20 * i + 20);
		h_forget(h);
	}
	assert_int_equal(c->cold.ooo_segs, 80 + 79);
	assert_int_equal(c->cold.ooo_bytes, (80 + 79) * 10);
	seg_at(h, b, 10);
	assert_int_equal(c->rcv_nxt, b + 20 * 80);
	assert_null(c->ooo_head);
	assert_int_equal(last_out(h)->seg.ack, b + 20 * 80);
	h_free(h);
}

/* The insertion hint follows the mbufs: forgotten when the hole below
 * fills and its mbuf goes to the in-order queue, moved when a segment
 * replaces it; the bytes come out in order. */
static void
test_tcp_rcv_hint_follows(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	struct tcp_conn *c;
	struct rte_mbuf *m;
	uint32_t b, n = 0;
	int got;

	(void)state;
	h_open_passive(h);
	c = h_conn(h);
	b = h->p_seq;
	hold_runs(h, b, 3);                      /* 10-20, 30-40, 50-60 */
	/* (the first into the empty list; tail appends leave it) */
	assert_int_equal(c->cold.ooo_hint->hash.usr, b + 10);
	seg_at(h, b + 20, 10);                   /* a repair: the hint */
	assert_non_null(c->cold.ooo_hint);
	assert_int_equal(c->cold.ooo_hint->hash.usr, b + 20);
	seg_at(h, b + 28, 4);                    /* held already: kept */
	assert_int_equal(c->cold.ooo_hint->hash.usr, b + 20);
	h_forget(h);
	seg_at(h, b + 29, 12);                   /* [30, 41) replaces 30-40 */
	assert_int_equal(c->cold.ooo_hint->hash.usr, b + 30);
	assert_int_equal(c->cold.ooo_hint->data_len, 11);
	r = last_out(h);
	block_is(r, 0, b + 29, b + 40);          /* D-SACK */
	block_is(r, 1, b + 10, b + 41);
	seg_at(h, b, 10);                        /* pulls up to 41 */
	assert_int_equal(c->rcv_nxt, b + 41);
	assert_null(c->cold.ooo_hint);
	seg_at(h, b + 44, 2);                    /* below the tail's run */
	r = last_out(h);
	block_is(r, 0, b + 44, b + 46);
	block_is(r, 1, b + 50, b + 60);
	seg_at(h, b + 46, 4);                    /* joins it */
	block_is(last_out(h), 0, b + 44, b + 60);
	assert_int_equal(c->cold.ooo_tail_left, b + 44);
	seg_at(h, b + 41, 3);
	assert_int_equal(c->rcv_nxt, b + 60);
	assert_null(c->ooo_head);
	while ((got = tcp_recv(h->ts, h->id, &m, 1u << 20)) > 0) {
		n += (uint32_t)got;
		rte_pktmbuf_free(m);
	}
	assert_int_equal(n, 60);
	h_free(h);
}

/* (d) RFC 2883: a duplicate gets an immediate ACK whose first SACK block
 * is the duplicate range, wholly below RCV.NXT, partly, or of data held
 * out of order (then the block holding it follows); reported once. */
static void
test_tcp_rcv_dsack(void **state)
{
	struct h *h = h_new(NULL);
	const struct h_out *r;
	uint64_t sent;
	uint32_t b;

	(void)state;
	h_open_passive(h);
	b = h->p_seq;
	seg_at(h, b, 8);
	h_advance(h, 500);                       /* (the delayed ACK) */
	h_forget(h);
	assert_int_equal(h_conn(h)->rcv_nxt, b + 8);

	seg_at(h, b, 8);                         /* wholly below RCV.NXT */
	r = last_out(h);
	assert_int_equal(r->seg.ack, b + 8);
	assert_int_equal(r->seg.nsack, 1);
	block_is(r, 0, b, b + 8);

	seg_at(h, b + 4, 8);                     /* its first half below */
	r = last_out(h);
	assert_int_equal(r->seg.ack, b + 12);
	assert_int_equal(r->seg.nsack, 1);
	block_is(r, 0, b + 4, b + 8);

	seg_at(h, b + 20, 4);                    /* held out of order ... */
	r = last_out(h);
	assert_int_equal(r->seg.nsack, 1);
	block_is(r, 0, b + 20, b + 24);
	seg_at(h, b + 20, 4);                    /* ... and again */
	r = last_out(h);
	assert_int_equal(r->seg.ack, b + 12);
	assert_int_equal(r->seg.nsack, 2);
	block_is(r, 0, b + 20, b + 24);          /* D-SACK */
	block_is(r, 1, b + 20, b + 24);          /* the block holding it */
	sent = h->ts->ctr[TCP_CTR_DSACK_SENT];
	assert_int_equal(sent, 3);

	seg_at(h, b + 30, 4);                    /* the next ACK: no D-SACK */
	r = last_out(h);
	assert_int_equal(r->seg.nsack, 2);
	block_is(r, 0, b + 30, b + 34);
	block_is(r, 1, b + 20, b + 24);
	assert_int_equal(h->ts->ctr[TCP_CTR_DSACK_SENT], sent);

	/* a retransmission overlapping held data, arriving in order: the
	 * held part it carried again is reported */
	seg_at(h, b + 12, 10);                   /* [12, 22): 20-22 held */
	r = last_out(h);
	assert_int_equal(r->seg.ack, b + 24);
	block_is(r, 0, b + 20, b + 22);
	block_is(r, 1, b + 30, b + 34);
	h_free(h);

	/* without SACK-permitted: no blocks at all */
	h = h_new(NULL);
	h->p_nosack = true;
	h_open_passive(h);
	b = h->p_seq;
	seg_at(h, b, 8);
	h_advance(h, 500);
	h_forget(h);
	seg_at(h, b, 8);
	r = last_out(h);
	assert_int_equal(r->seg.nsack, 0);
	assert_int_equal(h->ts->ctr[TCP_CTR_DSACK_SENT], 0);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_rcv_sack_latest_first_past_walk),
		cmocka_unit_test(test_tcp_rcv_sack_repeats_recent),
		cmocka_unit_test(test_tcp_rcv_deep_repair_taken),
		cmocka_unit_test(test_tcp_rcv_hint_follows),
		cmocka_unit_test(test_tcp_rcv_dsack),
	};

	h_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
