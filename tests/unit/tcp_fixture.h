/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp/tcp unit tests' harness: a real EAL without hugepages and a
 * small mbuf pool, a real timer wheel on a fake millisecond clock, a
 * stack whose output is captured (each emitted segment's checksum is
 * verified with the harness's own sum, then parsed), an application that
 * records its callbacks, and a "peer" that writes segments byte by byte.
 * Local end 10.0.0.1:3478, peer 10.0.0.2:40000 unless a test says so.
 */
#ifndef TCP_FIXTURE_H
#define TCP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp.h"
#include "tw.h"

#define H_MAX_OUT 256
#define H_LPORT 3478
#define H_RPORT 40000

struct h_out {
	struct tcp_seg seg;
	uint8_t payload[2048];
	uint8_t family;
	uint8_t ds;                  /* the DS field the stack gave */
};

struct h_event {
	int accepts, connecteds, readables, writables, closeds;
	enum tcp_reason last_reason;
	tcp_id_t last_id;
	bool refuse;                 /* accept() refuses */
	bool close_in_readable;      /* readable() calls tcp_close() */
	bool read_in_closed;         /* closed() reads what is left: */
	int closed_read;             /* its bytes, or the first error */
	int closed_read_end;         /* what the read after them said */
	bool keep_in_closed;         /* closed() calls tcp_keep_readable() */
	int keep_rc;                 /* what it said */
	bool close_after_keep;       /* ... then tcp_close() there */
	struct rte_mbuf *send_in_readable;   /* readable() sends it (once) */
};

struct h {
	struct tw_wheel wheel;
	struct tcp_stack *ts;
	uint64_t now;
	int app;
	struct h_event ev;
	unsigned int nout, head;     /* captured, next to pop */
	struct h_out out[H_MAX_OUT];
	uint8_t laddr[16], raddr[16];
	uint8_t family;
	uint16_t lport, rport;       /* the connection's ports */
	/* the peer's view */
	uint32_t p_seq;              /* next sequence the peer sends */
	uint32_t p_ack;              /* what the peer acknowledges */
	uint32_t p_tsval;
	uint16_t p_wnd;
	bool p_ts;                   /* the peer sends timestamps */
	bool p_nosack;               /* the peer's SYN offers no SACK */
	tcp_id_t id;                 /* the connection under test */
	struct rte_mbuf *last_in;
	unsigned int mbufs_at_start; /* in use when the harness was made */    /* the last mbuf given to tcp_input() */
};

/* The recording application's callbacks (h->app's; a test may register
 * them again as a second application). */
extern const struct tcp_app_ops h_app_ops;

/* Start the EAL (once per process) and the pool. */
void h_eal_init(void);
struct rte_mempool *h_pool(void);

/* A harness with conf (NULL: defaults) at t = 1000 ms, listening on
 * H_LPORT. Fixed ISN key so runs repeat. */
struct h *h_new(const struct tcp_conf *conf);
void h_free(struct h *h);
void h_conf(struct tcp_conf *conf);

/* Move the clock by ms and run the wheel. */
void h_advance(struct h *h, uint64_t ms);

/* Inject a segment from the peer. opts may be NULL (then, if h->p_ts,
 * a timestamp option with h->p_tsval and TSecr = the last TSval we
 * sent). */
void h_inject(struct h *h, uint8_t flags, uint32_t seq, uint32_t ack,
	      uint16_t wnd, const struct tcp_opts_out *opts,
	      const void *payload, uint32_t len);
/* Inject raw bytes as a segment (checksum computed unless bad_cksum). */
void h_inject_raw(struct h *h, const uint8_t *seg, uint32_t len, bool bad_cksum);
/* The peer sends len bytes of data at p_seq (ACK p_ack), advancing p_seq. */
void h_send_data(struct h *h, const void *data, uint32_t len);
/* The peer acknowledges ack (p_ack = ack) with window wnd. */
void h_ack(struct h *h, uint32_t ack, uint16_t wnd);
/* The peer acknowledges ack with n SACK blocks (lr: left, right pairs),
 * timestamps as usual, its window p_wnd. */
void h_sack(struct h *h, uint32_t ack, unsigned int n, const uint32_t *lr);

/* Captured segments: how many are waiting, and the next one (fails the
 * test if none). */
unsigned int h_pending(const struct h *h);
const struct h_out *h_pop(struct h *h);
void h_drain(struct h *h);
/* h_drain(), and the capture starts again at out[0] (for tests that make
 * more than H_MAX_OUT segments). */
void h_forget(struct h *h);
uint32_t h_last_tsval(const struct h *h);

/* Passive handshake with MSS 1460, WS 7, TS: returns with the
 * connection ESTABLISHED, accepted, h->id set; the SYN-ACK checked. */
void h_open_passive(struct h *h);
/* Active open to the peer with the same options. */
void h_open_active(struct h *h);

/* An mbuf holding len bytes (pattern byte b + i). */
struct rte_mbuf *h_mbuf(uint32_t len, uint8_t b);

struct tcp_conn *h_conn(struct h *h);

/* Our SMSS on c: the MSS less the timestamp option. */
uint32_t h_smss(const struct tcp_conn *c);
/* One full segment (h_smss()) of pattern byte b, sent now. */
void h_send_seg(struct h *h, uint8_t b);
/* A passive open (MSS 1460, WS 0, TS, SACK) whose handshake takes rtt ms,
 * then one segment acked after rtt: SRTT and RACK.min_RTT are rtt.
 * Returns with nothing in flight and nothing captured. */
struct h *h_open_rtt(const struct tcp_conf *conf, uint32_t rtt);

#endif /* TCP_FIXTURE_H */
