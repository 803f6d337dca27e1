/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN over TCP (RFC 8656 §3.1, §12.5): the application that dp/tcp runs
 * on turn.listen_tcp. It cuts each connection's byte stream into STUN
 * messages and ChannelData frames and hands each, in an mbuf of its own,
 * to TURN's two entries (turn_client_stun(), turn_client_chdata()) with
 * the connection in turn_from; TURN answers and relays through
 * turn_stream_ops, whose writes land here (tcp_send()).
 *
 * Framing works on the received mbufs themselves, with no buffer per
 * connection: a frame that fills a received segment exactly (one
 * ChannelData per segment, the usual case) is handed on in that mbuf, no
 * copy; frames that share a segment, or span two, are copied into a fresh
 * one. Only a frame still being gathered holds an mbuf, so an idle
 * connection costs its TCB and the 32 bytes here. Small frames to a
 * client within one burst go out gathered into one mbuf (TURN_TCP_GATHER_MAX).
 *
 * Bad input closes the connection (RST) and is counted, nothing else is
 * touched: a first byte that is neither STUN nor ChannelData, a STUN
 * length that is not a multiple of 4 or a wrong magic cookie, a frame
 * larger than an mbuf holds, and no complete STUN message within
 * turn.tcp_first_message seconds of connecting. A connection that has no
 * allocation turn.tcp_allocate_timeout seconds after it opened (and at
 * each such span after) is reset too: a STUN header is cheap, and over
 * TLS an idle connection holds some 34 KB of OpenSSL's. dp/tcp's
 * per-source limit (turn.tcp_per_source, an IPv6 /64 one source) and SYN
 * cookies take care of connection floods, and TURN's share of the
 * connection table (dp.tcp_reserve) keeps room for the others' uses.
 *
 * A connection that closes, for whatever reason, takes its allocation
 * with it, and cp hears of it (turn_stream_gone()).
 *
 * TURN over TLS (turn.listen_tls) is the same application over the TLS
 * transport (dp/tls): every read, write, close and abort goes through the
 * connection's transport operations (raw or TLS), chosen at accept; the
 * framing sees plaintext. The first-message deadline then covers the
 * handshake too (a truncated ClientHello and silence, a half-open
 * handshake).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "../dp.h"
#include "dp_ctrs.h"
#include "dp_tcp.h"
#include "ipc.h"
#include "net/net.h"
#include "session/session.h"
#include "stun.h"
#include "tcp.h"
#include "tls.h"
#include "tp_common.h"
#include "turn.h"
#include "turn_tcp.h"

#define TURN_TCP_FIRST_FIFO_MIN 64u

/* What the TURN application keeps of a connection (by its slot). */
struct turn_tcp_conn {
	uint64_t id;              /* the connection's id; 0: slot unused */
	struct rte_mbuf *pf;      /* a frame being gathered, or NULL */
	struct rte_mbuf *out;     /* frames to send, gathered in this burst */
	uint8_t flags;            /* TURN_TCP_* */
	uint8_t in_port;          /* dp port index of its local address */
	uint16_t pad;
	uint32_t pf_ms;           /* now_ms (low bits) when pf began */
};

#define TURN_TCP_GREETED 0x1u           /* a complete STUN message arrived */
#define TURN_TCP_PENDING 0x2u           /* out is in the worker's pending list */
#define TURN_TCP_TLS     0x4u           /* over TLS (dp_xprt_tls), else raw */
/* RFC 6062 §5.4: a ConnectionBind went to cp; the connection is not read
 * until cp answers (a success makes it a data connection: what follows
 * the request is the client's data, not TURN), and pf holds the bytes
 * that came after the request, unparsed. At most TURN_TCP_BIND_MS: then
 * it is reset (reset_bind_unanswered). */
#define TURN_TCP_BINDING 0x8u
#define TURN_TCP_BIND_MS 10000u

/* The connection's transport. */
static inline const struct dp_xprt_ops *
turn_tcp_xp(const struct turn_tcp_conn *tc)
{
	return (tc->flags & TURN_TCP_TLS) ? &dp_xprt_tls : &dp_xprt_raw;
}

/* The owner of TURN's connections' sessions (dp/session). */
static const struct dp_session_ops turn_tcp_session_ops;

/* Frames up to this long are gathered into one mbuf per connection and
 * burst (the first frame's own mbuf, its tailroom): a peer's small
 * datagrams would otherwise each hold an mbuf in the send queue until
 * acknowledged, so that a client that reads slowly could take a worker's
 * pool with a few hundred kilobytes of payload. */
#define TURN_TCP_GATHER_MAX 1024u
/* A send queue under this many bytes keeps up (turn_tcp_flush()). */
#define TURN_TCP_KEEP_UP 4096u

/* Connections that have not sent a STUN message yet, oldest first: their
 * deadline is the same span after their accept, so a FIFO is in order. */
struct turn_tcp_due {
	uint64_t id;
	uint64_t due_ms;
};

struct turn_tcp_worker {
	struct turn_tcp_conn *conns;    /* max_conns */
	uint32_t max_conns;
	struct turn_tcp_due *fifo;      /* fifo_cap, a power of two */
	uint32_t fifo_cap;
	uint32_t fifo_head, fifo_tail;
	/* RFC 6062: connections holding on a ConnectionBind, oldest first
	 * (the same span each: a FIFO is in order); one still holding at its
	 * deadline (cp's answer lost, the peer connection gone) is reset */
	struct turn_tcp_due *bind_fifo; /* fifo_cap */
	uint32_t bind_head, bind_tail;
	/* every connection's allocation deadline, oldest first (the same
	 * span each); one that has its allocation goes round again */
	struct turn_tcp_due *alloc_fifo; /* fifo_cap */
	uint32_t alloc_head, alloc_tail;
	uint32_t alloc_ms;        /* turn.tcp_allocate_timeout; 0: none */
	uint32_t first_ms;
	uint16_t frame_max;       /* largest frame an mbuf holds */
	int app;
	int app_tls;
	uint32_t *pend;           /* slots with frames gathered (TURN_TCP_PENDING) */
	uint32_t npend;
	bool pool_low;            /* the worker's pool under a quarter */
	uint64_t pool_checked_ms; /* when pool_low was last computed */
	uint64_t scanned_ms;      /* the last sweep for stalled frames */
	uint64_t ctr[TURN_TCP_CTR__COUNT];
};

static const char *const turn_tcp_ctr_names[TURN_TCP_CTR__COUNT] = {
#define TURN_TCP_CTR(n, s, h) [TURN_TCP_CTR_##n] = s,
#include "turn_tcp_counters.def"
#undef TURN_TCP_CTR
};


static inline struct turn_tcp_worker *
turn_tcp_of(struct dp_worker *w)
{
	return w->turn_tcp;
}

static struct turn_tcp_conn *
turn_tcp_conn(struct turn_tcp_worker *tcw, uint64_t id)
{
	uint32_t slot = ipc_conn_slot(id);

	if (slot >= tcw->max_conns || tcw->conns[slot].id != id)
		return NULL;
	return &tcw->conns[slot];
}

/* Where a connection's messages come from, as TURN keys them. */
static bool
turn_tcp_from(struct dp_worker *w, uint64_t id, const struct turn_tcp_conn *tc,
	      struct turn_from *f)
{
	const struct tcp_conn *c = tcp_conn_get(w->tcp, id);

	if (c == NULL)
		return false;
	memset(f, 0, sizeof(*f));
	f->transport = STUN_TRANSPORT_TCP;
	f->family = (c->flags & TCP_CF_V6) ? NET_AF_IPV6 : NET_AF_IPV4;
	f->in_port = tc->in_port;
	f->src_port = c->rport;
	f->dst_port = c->lport;
	f->conn_id = id;
	memcpy(f->src, c->raddr, 16);
	memcpy(f->dst, c->laddr, 16);
	return true;
}

static uint32_t
ipc_reason_of(enum tcp_reason why)
{
	switch (why) {
	case TCP_REASON_RESET:
	case TCP_REASON_REFUSED:
		return IPC_CONN_RESET;
	case TCP_REASON_SYN_TIMEOUT:
		return IPC_CONN_TIMEOUT;
	case TCP_REASON_LOCAL_ABORT:
		return IPC_CONN_ABORTED;
	default:
		return tcp_reason_gave_up(why) ? IPC_CONN_TIMEOUT : IPC_CONN_CLOSED;
	}
}

/* The end of a connection for TURN: its allocation and its state here
 * (the TCB must still be there: called before tcp_abort()/tcp_close(),
 * or from closed()). */
static void
turn_tcp_forget(struct dp_worker *w, struct turn_tcp_conn *tc, uint32_t reason)
{
	struct turn_from f;

	if (turn_tcp_from(w, tc->id, tc, &f))
		turn_stream_gone(w, &f, reason, (tc->flags & TURN_TCP_GREETED) != 0);
	rte_pktmbuf_free(tc->pf);
	rte_pktmbuf_free(tc->out);
	tc->pf = NULL;
	tc->out = NULL;
	session_close(w, tc->id);
	tc->id = 0;
	/* TURN_TCP_PENDING stays until the flush passes the slot (its list
	 * entry is still there; a new connection in the slot is then
	 * flushed too, harmlessly) */
	tc->flags &= TURN_TCP_PENDING;
}

/* More of a connection's bytes behind those turn_tcp_hold_rest() held. */
static void
turn_tcp_hold_more(struct turn_tcp_conn *tc, struct rte_mbuf *chain)
{
	struct rte_mbuf *t;

	if (tc->pf == NULL) {
		tc->pf = chain;
		return;
	}
	for (t = tc->pf; t->next != NULL; t = t->next)
		;
	t->next = chain;
}

/* Bad input: reset the connection, count why. */
static void
turn_tcp_kill(struct dp_worker *w, struct turn_tcp_conn *tc, enum turn_tcp_ctr why)
{
	const struct dp_xprt_ops *xp = turn_tcp_xp(tc);
	uint64_t id = tc->id;

	turn_tcp_of(w)->ctr[why]++;
	turn_tcp_forget(w, tc, IPC_CONN_ABORTED);
	xp->abort(w, id);
}

static void turn_tcp_alloc_check(struct dp_worker *w, struct turn_tcp_worker *tcw,
				 const struct turn_tcp_due *d);

/* ---- writes: turn_stream_io ---------------------------------------- */

/* The connection's gathered frames to its send queue (all or nothing:
 * when the queue is full they are dropped, counted, as a datagram would
 * be). */
static void
turn_tcp_push(struct dp_worker *w, struct turn_tcp_conn *tc)
{
	struct rte_mbuf *m = tc->out;
	int rc;

	if (m == NULL)
		return;
	tc->out = NULL;
	rc = turn_tcp_xp(tc)->snd_buf(w, tc->id, m);
	if (rc < 0) {
		rte_pktmbuf_free(m);
		turn_tcp_of(w)->ctr[rc == -EAGAIN ? TURN_TCP_CTR_SEND_FULL :
				    TURN_TCP_CTR_SEND_GONE]++;
	}
}

/* m (one frame, consumed) to the connection: gathered with the burst's
 * other small frames, or, when large, sent after them. */
static int
turn_tcp_out(struct dp_worker *w, uint64_t id, struct rte_mbuf *m)
{
	struct turn_tcp_worker *tcw = turn_tcp_of(w);
	struct turn_tcp_conn *tc = turn_tcp_conn(tcw, id);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	int rc;

	if (tc == NULL) {
		rte_pktmbuf_free(m);
		tcw->ctr[TURN_TCP_CTR_SEND_GONE]++;
		return -ENOTCONN;
	}
	if (unlikely(tcw->pool_low)) {
		const struct tcp_conn *c = tcp_conn_get(w->tcp, id);

		if (c != NULL && c->snd_queued >= TURN_TCP_KEEP_UP) {
			rte_pktmbuf_free(m);
			tcw->ctr[TURN_TCP_CTR_POOL_LOW]++;
			return -ENOBUFS;
		}
	}
	/* Over TLS each frame is a record of its own: a client that reads a
	 * record's first message and then waits for its socket to become
	 * readable again (coturn's turnutils_uclient -S does) would never
	 * see the frames gathered behind it in the same record, buffered in
	 * its OpenSSL (turn_tls lost a few messages a run that way). */
	if (len <= TURN_TCP_GATHER_MAX && m->nb_segs == 1 && !(tc->flags & TURN_TCP_TLS)) {
		struct rte_mbuf *o = tc->out;

		if (o != NULL && rte_pktmbuf_tailroom(o) >= len) {
			memcpy(rte_pktmbuf_append(o, (uint16_t)len),
			       rte_pktmbuf_mtod(m, const void *), len);
			rte_pktmbuf_free(m);
			tcw->ctr[TURN_TCP_CTR_GATHERED]++;
			return 0;
		}
		turn_tcp_push(w, tc);
		/* this frame's mbuf gathers the next ones (a direct mbuf of
		 * ours; a clone's data is shared and must not grow) */
		if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1) {
			tc->out = m;
			if (!(tc->flags & TURN_TCP_PENDING)) {
				tc->flags |= TURN_TCP_PENDING;
				tcw->pend[tcw->npend++] = ipc_conn_slot(id);
			}
			return 0;
		}
	} else {
		turn_tcp_push(w, tc);
	}
	rc = turn_tcp_xp(tc)->snd_buf(w, id, m);
	if (rc < 0) {
		rte_pktmbuf_free(m);
		tcw->ctr[rc == -EAGAIN ? TURN_TCP_CTR_SEND_FULL : TURN_TCP_CTR_SEND_GONE]++;
		return rc;
	}
	return 0;
}

static int
turn_tcp_write(struct dp_worker *w, uint64_t id, const uint8_t *buf, uint16_t len)
{
	struct rte_mbuf *m = dp_alloc(w);
	uint8_t *p;

	if (m == NULL)
		return -ENOBUFS;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	memcpy(p, buf, len);
	return turn_tcp_out(w, id, m);
}

static int
turn_tcp_write_mbuf(struct dp_worker *w, uint64_t id, struct rte_mbuf *m)
{
	return turn_tcp_out(w, id, m);
}

/*
 * At the end of a burst, each connection's gathered frames go to its send
 * queue if that is nearly empty (the client keeps up: nothing would be
 * gained by waiting). A connection whose queue still holds data keeps
 * gathering into the same mbuf across bursts until it is full, as Nagle
 * would: its new bytes could not leave before the queued ones anyway, and
 * its queue is then made of full mbufs, a bounded number however small
 * the datagrams. Also once a burst: whether the worker's pool runs low
 * (a quarter left), in which case frames to clients that do not keep up
 * are dropped (counted) rather than queued, so that slow readers cannot
 * take the mbufs everyone else's packets arrive in.
 */
void
turn_tcp_flush(struct dp_worker *w)
{
	struct turn_tcp_worker *tcw = w->turn_tcp;
	uint32_t keep = 0;

	if (tcw == NULL || tcw->npend == 0)
		return;
	for (uint32_t i = 0; i < tcw->npend; i++) {
		uint32_t slot = tcw->pend[i];
		struct turn_tcp_conn *tc = &tcw->conns[slot];
		const struct tcp_conn *c;

		if (tc->id == 0 || tc->out == NULL) {
			tc->flags &= (uint8_t)~TURN_TCP_PENDING;
			continue;
		}
		c = tcp_conn_get(w->tcp, tc->id);
		if (c != NULL && c->snd_queued >= TURN_TCP_KEEP_UP &&
		    rte_pktmbuf_tailroom(tc->out) >= 64u) {
			tcw->pend[keep++] = slot;        /* still gathering */
			continue;
		}
		tc->flags &= (uint8_t)~TURN_TCP_PENDING;
		turn_tcp_push(w, tc);
	}
	tcw->npend = keep;
}

static bool
turn_tcp_live(struct dp_worker *w, uint64_t id)
{
	int st;

	if (w->tcp == NULL || turn_tcp_of(w) == NULL || turn_tcp_conn(turn_tcp_of(w), id) == NULL)
		return false;
	st = tcp_conn_state(w->tcp, id);
	return st == TCP_ST_ESTABLISHED;
}

static const struct turn_stream_io turn_tcp_io = {
	.write = turn_tcp_write,
	.write_mbuf = turn_tcp_write_mbuf,
	.live = turn_tcp_live,
	.answered = turn_tcp_answered,
};

/* ---- framing ------------------------------------------------------------ */

/* Frames are cut by lib/stun's rule (stun_frame_len(): STUN, or ChannelData
 * padded to 4, RFC 8656 §12.5), from mbufs rather than a flat buffer. */

/* tc's ConnectionBind went to cp: its deadline (the FIFO holds as many as
 * there are connections twice over; when full, the oldest goes early). */
static void turn_tcp_kill(struct dp_worker *w, struct turn_tcp_conn *tc, enum turn_tcp_ctr why);

static void
turn_tcp_bind_due(struct dp_worker *w, struct turn_tcp_worker *tcw, struct turn_tcp_conn *tc)
{
	struct turn_tcp_due *d;

	if (tcw->bind_head - tcw->bind_tail == tcw->fifo_cap) {
		struct turn_tcp_due *old = &tcw->bind_fifo[tcw->bind_tail++ & (tcw->fifo_cap - 1u)];
		struct turn_tcp_conn *oc = turn_tcp_conn(tcw, old->id);

		if (oc != NULL && (oc->flags & TURN_TCP_BINDING))
			turn_tcp_kill(w, oc, TURN_TCP_CTR_BIND_UNANSWERED);
	}
	d = &tcw->bind_fifo[tcw->bind_head++ & (tcw->fifo_cap - 1u)];
	d->id = tc->id;
	d->due_ms = w->now_ms + TURN_TCP_BIND_MS;
}

/* A complete frame (wire bytes at m's data start, msg_len of them for
 * TURN, no more than frame_max): to STUN or ChannelData; consumes m. */
static void
turn_tcp_dispatch(struct dp_worker *w, struct turn_tcp_worker *tcw, struct turn_tcp_conn *tc,
		  struct rte_mbuf *m, uint32_t msg_len)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	struct turn_from f;
	struct turn_in in = { .m = m, .udp = NULL, .off = 0, .len = (uint16_t)msg_len };

	if (!turn_tcp_from(w, tc->id, tc, &f)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (stun_demux_first_byte(p[0]) == STUN_FRAME_STUN) {
		/* RFC 6062 §5.4: a ConnectionBind that went to cp holds the
		 * connection until cp answers it */
		bool cbind = tp_rd16(p) == stun_msg_type(STUN_METHOD_CONNECTION_BIND,
							 STUN_CLASS_REQUEST);

		/* RFC 8489 §5: the magic cookie (the header's length was
		 * checked when the frame was cut) */
		if (tp_rd32(p + 4) != STUN_MAGIC_COOKIE) {
			rte_pktmbuf_free(m);
			turn_tcp_kill(w, tc, TURN_TCP_CTR_BAD_FRAME);
			return;
		}
		tc->flags |= TURN_TCP_GREETED;
		tcw->ctr[TURN_TCP_CTR_STUN]++;
		if (turn_client_stun(w, &f, &in) && cbind) {  /* (m is gone) */
			tc->flags |= TURN_TCP_BINDING;
			turn_tcp_bind_due(w, tcw, tc);
		}
	} else {
		tcw->ctr[TURN_TCP_CTR_CHDATA]++;
		turn_client_chdata(w, &f, &in);
	}
}

/* A new mbuf holding nothing yet, for a frame of up to frame_max bytes. */
static struct rte_mbuf *
turn_tcp_frame_mbuf(struct dp_worker *w)
{
	return dp_alloc(w);
}

/* A ConnectionBind was dispatched (TURN_TCP_BINDING): the rest of seg (from
 * p, left bytes) is held unparsed in pf; reading stops. */
static void
turn_tcp_hold_rest(struct dp_worker *w, struct turn_tcp_conn *tc, struct rte_mbuf *seg,
		   const uint8_t *p, uint32_t left)
{
	tc->pf_ms = (uint32_t)w->now_ms;    /* (the pool watch's clock) */
	if (left == 0) {
		rte_pktmbuf_free(seg);
		return;
	}
	rte_pktmbuf_adj(seg, (uint16_t)(p - rte_pktmbuf_mtod(seg, const uint8_t *)));
	seg->pkt_len = seg->data_len;
	seg->nb_segs = 1;
	seg->next = NULL;
	tc->pf = seg;
}

/*
 * The bytes of one received segment (one mbuf; consumed): frames cut
 * from it, the partial one gathered in tc->pf. Returns false when the
 * connection was reset (bad input), or is waiting for cp's answer to a
 * ConnectionBind (TURN_TCP_BINDING, the rest held): stop reading it.
 */
static bool
turn_tcp_segment(struct dp_worker *w, struct turn_tcp_worker *tcw, struct turn_tcp_conn *tc,
		 struct rte_mbuf *seg)
{
	const uint8_t *p = rte_pktmbuf_mtod(seg, const uint8_t *);
	uint32_t left = seg->data_len;
	uint32_t msg_len = 0;

	while (left > 0) {
		struct rte_mbuf *pf = tc->pf;
		uint32_t flen, take;
		uint8_t *dst;

		if (pf == NULL && left >= 4u) {
			flen = stun_frame_len(p, &msg_len);
			if (flen == 0 || flen > tcw->frame_max) {
				rte_pktmbuf_free(seg);
				turn_tcp_kill(w, tc, flen == 0 ? TURN_TCP_CTR_BAD_FRAME :
					      TURN_TCP_CTR_TOO_BIG);
				return false;
			}
			if (flen == left && RTE_MBUF_DIRECT(seg) &&
			    rte_mbuf_refcnt_read(seg) == 1) {
				/* The rest of the segment is the frame (all
				 * of it, usually): no copy. */
				seg->pkt_len = seg->data_len;
				seg->nb_segs = 1;
				seg->next = NULL;
				rte_pktmbuf_adj(seg, (uint16_t)(seg->data_len - left));
				tcw->ctr[TURN_TCP_CTR_ZERO_COPY]++;
				turn_tcp_dispatch(w, tcw, tc, seg, msg_len);
				return tc->id != 0 && !(tc->flags & TURN_TCP_BINDING);
			}
			if (flen <= left) {
				struct rte_mbuf *m = turn_tcp_frame_mbuf(w);

				if (m == NULL) {
					/* no mbuf: the frame is lost, the
					 * stream stays in step */
					w->drop[DP_DROP_NO_MBUF]++;
				} else {
					memcpy(rte_pktmbuf_append(m, (uint16_t)flen), p, flen);
					turn_tcp_dispatch(w, tcw, tc, m, msg_len);
					if (tc->id == 0) {
						rte_pktmbuf_free(seg);
						return false;
					}
				}
				p += flen;
				left -= flen;
				if (tc->flags & TURN_TCP_BINDING) {
					turn_tcp_hold_rest(w, tc, seg, p, left);
					return false;
				}
				continue;
			}
		}
		/* Gather: the header first (4 bytes), then the rest. */
		if (pf == NULL) {
			tc->pf_ms = (uint32_t)w->now_ms;
			pf = tc->pf = turn_tcp_frame_mbuf(w);
			if (pf == NULL) {
				/* no mbuf to keep the partial frame in: the
				 * stream would lose step; reset it */
				rte_pktmbuf_free(seg);
				turn_tcp_kill(w, tc, TURN_TCP_CTR_NO_MBUF);
				return false;
			}
		}
		if (pf->data_len < 4u) {
			take = RTE_MIN(4u - pf->data_len, left);
		} else {
			flen = stun_frame_len(rte_pktmbuf_mtod(pf, const uint8_t *), &msg_len);
			take = RTE_MIN(flen - pf->data_len, left);
		}
		dst = (uint8_t *)rte_pktmbuf_append(pf, (uint16_t)take);
		memcpy(dst, p, take);
		p += take;
		left -= take;
		if (pf->data_len < 4u)
			continue;
		flen = stun_frame_len(rte_pktmbuf_mtod(pf, const uint8_t *), &msg_len);
		if (flen == 0 || flen > tcw->frame_max) {
			rte_pktmbuf_free(seg);
			turn_tcp_kill(w, tc, flen == 0 ? TURN_TCP_CTR_BAD_FRAME :
				      TURN_TCP_CTR_TOO_BIG);
			return false;
		}
		if (pf->data_len == flen) {
			tc->pf = NULL;
			turn_tcp_dispatch(w, tcw, tc, pf, msg_len);
			if (tc->id == 0) {
				rte_pktmbuf_free(seg);
				return false;
			}
			if (tc->flags & TURN_TCP_BINDING) {
				turn_tcp_hold_rest(w, tc, seg, p, left);
				return false;
			}
		}
	}
	rte_pktmbuf_free(seg);
	return true;
}

/*
 * What was read behind a ConnectionBind (the rest of its segment, held in
 * pf, then next: the rest of the read) while cp answers. Over raw TCP it
 * goes back to TCP's receive queue (tcp_unread()): under the connection's
 * window and the stack's cap while it waits, and under the allocation's
 * budget once bound (tcp_conn_set_budget() counts what is queued). Over
 * TLS it is plaintext TCP cannot take back: held here, counted
 * (bind_held_bytes), at most one read's worth (the first message is read
 * alone: turn_tcp_first_want()).
 */
static void
turn_tcp_bind_rest(struct dp_worker *w, struct turn_tcp_worker *tcw, struct turn_tcp_conn *tc,
		   struct rte_mbuf *next)
{
	struct rte_mbuf *back = tc->pf, *t;

	if (tc->flags & TURN_TCP_TLS) {
		if (next != NULL)
			turn_tcp_hold_more(tc, next);
		for (t = tc->pf; t != NULL; t = t->next)
			tcw->ctr[TURN_TCP_CTR_BIND_HELD] += t->data_len;
		return;
	}
	tc->pf = NULL;
	if (back != NULL)
		back->next = next;
	else
		back = next;
	if (back != NULL && tcp_unread(w->tcp, tc->id, back) < 0) {
		rte_pktmbuf_free(back);
		turn_tcp_kill(w, tc, TURN_TCP_CTR_BIND_UNANSWERED);
	}
}

/* A chain of received segments (consumed), one at a time: false when the
 * connection was reset or waits on a ConnectionBind (what is left held). */
static bool
turn_tcp_chain(struct dp_worker *w, struct turn_tcp_worker *tcw, struct turn_tcp_conn *tc,
	       struct rte_mbuf *m)
{
	struct rte_mbuf *next;

	for (; m != NULL; m = next) {
		next = m->next;
		m->next = NULL;
		if (!turn_tcp_segment(w, tcw, tc, m)) {
			if (tc->id != 0 && (tc->flags & TURN_TCP_BINDING))
				turn_tcp_bind_rest(w, tcw, tc, next);
			else
				rte_pktmbuf_free(next);
			return false;
		}
	}
	return true;
}

/* ---- the application's callbacks ------------------------------------- */

/* The access port whose own address, or a tenant's TURN address on
 * which, is laddr, or -1. */
static int
turn_tcp_access_port(const struct dp_ctx *ctx, const struct tcp_conn *c)
{
	for (unsigned int i = 0; i < ctx->nports; i++) {
		const struct dp_port *p = &ctx->ports[i];

		if (!(p->roles & TP_ROLE_ACCESS))
			continue;
		if (dp_port_turn_addr(p, (c->flags & TCP_CF_V6) ? NET_AF_IPV6 : NET_AF_IPV4,
				      c->laddr))
			return (int)i;
	}
	return -1;
}

/* Connection id's allocation deadline (the FIFO holds two pools of
 * connections: when full, its oldest entry goes early, as the first
 * message's FIFO does). */
static void
turn_tcp_alloc_due(struct dp_worker *w, struct turn_tcp_worker *tcw, uint64_t id)
{
	struct turn_tcp_due *d;

	if (tcw->alloc_head - tcw->alloc_tail == tcw->fifo_cap)
		turn_tcp_alloc_check(w, tcw,
				     &tcw->alloc_fifo[tcw->alloc_tail++ & (tcw->fifo_cap - 1u)]);
	d = &tcw->alloc_fifo[tcw->alloc_head++ & (tcw->fifo_cap - 1u)];
	d->id = id;
	d->due_ms = w->now_ms + tcw->alloc_ms;
}

/* A connection's allocation deadline came (d, taken off the FIFO): reset
 * without one (a data connection RFC 6062 bound is the relay's now and
 * not found here), round again with one. */
static void
turn_tcp_alloc_check(struct dp_worker *w, struct turn_tcp_worker *tcw, const struct turn_tcp_due *d)
{
	struct turn_tcp_conn *tc = turn_tcp_conn(tcw, d->id);
	struct turn_from f;

	if (tc == NULL)
		return;
	/* (a ConnectionBind's answer pending: judged again later) */
	if ((tc->flags & TURN_TCP_BINDING) ||
	    (turn_tcp_from(w, tc->id, tc, &f) && turn_stream_has_alloc(w, &f))) {
		turn_tcp_alloc_due(w, tcw, tc->id);
		return;
	}
	turn_tcp_kill(w, tc, TURN_TCP_CTR_NO_ALLOC);
}

static int
turn_tcp_accept_on(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg, bool tls)
{
	struct dp_worker *w = larg;
	struct turn_tcp_worker *tcw = turn_tcp_of(w);
	const struct tcp_conn *c = tcp_conn_get(ts, id);
	uint32_t slot = ipc_conn_slot(id);
	struct turn_tcp_conn *tc;
	struct turn_tcp_due *d;
	int port;

	if (c == NULL || slot >= tcw->max_conns)
		return -EINVAL;
	/* TURN's TCP listens on the access ports' own addresses and the
	 * tenants' TURN addresses only (not on relayed addresses, not on
	 * the core side). */
	port = turn_tcp_access_port(w->ctx, c);
	if (port < 0) {
		tcw->ctr[TURN_TCP_CTR_NOT_ACCESS]++;
		return -EADDRNOTAVAIL;
	}
	tc = &tcw->conns[slot];
	if (tc->id != 0)          /* a slot reused without closed(): stale */
		turn_tcp_forget(w, tc, IPC_CONN_CLOSED);
	tc->id = id;
	tc->pf = NULL;
	tc->out = NULL;
	tc->flags &= TURN_TCP_PENDING;
	tc->in_port = (uint8_t)port;
	if (tls) {
		if (tls_conn_attach(w, id) < 0) {
			tc->id = 0;
			return -EINVAL;
		}
		tc->flags |= TURN_TCP_TLS;
	}
	/* (TLS's resumed reads come through it, and it moves to RFC 6062's
	 * relay with a bound data connection: turn_tcp_take()) */
	session_open(w, id, turn_tcp_xp(tc), &turn_tcp_session_ops, w);
	/* The first message's deadline. The FIFO holds as many entries as
	 * two pools of connections; when a flood of short connections fills
	 * it, the oldest entry goes early: if its connection is still
	 * silent, it is the one to reset. */
	if (tcw->fifo_head - tcw->fifo_tail == tcw->fifo_cap) {
		struct turn_tcp_due *old = &tcw->fifo[tcw->fifo_tail++ & (tcw->fifo_cap - 1u)];
		struct turn_tcp_conn *oc = turn_tcp_conn(tcw, old->id);

		if (oc != NULL && !(oc->flags & TURN_TCP_GREETED))
			turn_tcp_kill(w, oc, TURN_TCP_CTR_FIRST_EVICTED);
	}
	d = &tcw->fifo[tcw->fifo_head++ & (tcw->fifo_cap - 1u)];
	d->id = id;
	d->due_ms = w->now_ms + tcw->first_ms;
	if (tcw->alloc_ms != 0)
		turn_tcp_alloc_due(w, tcw, id);
	/* a client gone silent behind a NAT (its data connection too, once
	 * bound: the setting stays with the connection) */
	dp_tcp_keepalive(w, id, &w->ctx->conf->turn.tcp_keepalive);
	tcw->ctr[TURN_TCP_CTR_ACCEPTED]++;
	*carg = w;
	return 0;
}

static int
turn_tcp_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	return turn_tcp_accept_on(ts, id, larg, carg, false);
}

static int
turn_tcp_accept_tls(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	return turn_tcp_accept_on(ts, id, larg, carg, true);
}

/*
 * What to read of a connection before its first STUN message is whole:
 * that message's bytes, no more. RFC 6062's data connection sends its
 * ConnectionBind first and its data right behind it, often in one
 * segment: read on, that data would wait for cp's answer here, outside
 * every bound (the window reopened behind it); left in TCP (or TLS), it
 * stays under the connection's window and, once bound, the allocation's
 * budget (tcp_conn_set_budget() takes what is queued).
 */
static uint32_t
turn_tcp_first_want(const struct turn_tcp_worker *tcw, const struct turn_tcp_conn *tc)
{
	uint32_t flen, msg_len;

	if (tc->pf == NULL || tc->pf->data_len < 4u)
		return 4u - (tc->pf != NULL ? tc->pf->data_len : 0u);
	flen = stun_frame_len(rte_pktmbuf_mtod(tc->pf, const uint8_t *), &msg_len);
	if (flen == 0 || flen > tcw->frame_max || flen <= tc->pf->data_len)
		return 4u;                /* (turn_tcp_segment() resets it) */
	return flen - tc->pf->data_len;
}

static void
turn_tcp_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct dp_worker *w = arg;
	struct turn_tcp_worker *tcw = turn_tcp_of(w);
	struct turn_tcp_conn *tc = turn_tcp_conn(tcw, id);
	struct rte_mbuf *m;
	int n;

	(void)ts;
	if (tc == NULL)
		return;
	for (;;) {
		if (tc->flags & TURN_TCP_BINDING)
			return;           /* cp's answer first (turn_tcp_answered()) */
		n = turn_tcp_xp(tc)->rcv_buf(w, id, &m,
					     (tc->flags & TURN_TCP_GREETED) ? UINT32_MAX :
					     turn_tcp_first_want(tcw, tc));
		if (n == -EAGAIN)
			return;
		if (n == -EPROTO) {
			/* the transport failed (TLS: counted by reason) */
			turn_tcp_kill(w, tc, TURN_TCP_CTR_TRANSPORT);
			return;
		}
		if (n <= 0) {
			/* The client's FIN (or the connection is gone): it
			 * is done with TURN; the allocation goes, and our
			 * side closes after what is queued. */
			tcw->ctr[TURN_TCP_CTR_CLIENT_EOF]++;
			if (n == 0) {
				const struct dp_xprt_ops *xp = turn_tcp_xp(tc);

				turn_tcp_forget(w, tc, IPC_CONN_CLOSED);
				xp->close(w, id);
			}
			return;
		}
		if (!turn_tcp_chain(w, tcw, tc, m))
			return;
	}
}

static void
turn_tcp_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct dp_worker *w = arg;
	struct turn_tcp_worker *tcw = turn_tcp_of(w);
	struct turn_tcp_conn *tc = turn_tcp_conn(tcw, id);

	(void)ts;
	tcw->ctr[TURN_TCP_CTR_CLOSED]++;
	if (tc != NULL) {
		const struct dp_xprt_ops *xp = turn_tcp_xp(tc);

		turn_tcp_forget(w, tc, ipc_reason_of(why));
		xp->gone(w, id);
	}
}

static void
turn_tcp_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct dp_worker *w = arg;
	struct turn_tcp_conn *tc = turn_tcp_conn(turn_tcp_of(w), id);

	(void)ts;
	if (tc != NULL)
		turn_tcp_xp(tc)->writable(w, id);
}

/* dp/tls resumed a connection whose read waited for the offload (the
 * session's wake-up: a data connection that RFC 6062 bound has the
 * relay's session owner now, and never comes here). */
static void
turn_tcp_tls_ready(struct dp_worker *w, uint64_t id, void *arg)
{
	(void)arg;
	turn_tcp_readable(w->tcp, id, w);
}

static const struct dp_session_ops turn_tcp_session_ops = {
	.name = "turn",
	.ready = turn_tcp_tls_ready,
};

/* ---- RFC 6062: a ConnectionBind's connection ------------------------- */

int
turn_tcp_answered(struct dp_worker *w, uint64_t id)
{
	struct turn_tcp_worker *tcw = turn_tcp_of(w);
	struct turn_tcp_conn *tc = tcw != NULL ? turn_tcp_conn(tcw, id) : NULL;
	struct rte_mbuf *held;

	if (tc == NULL || !(tc->flags & TURN_TCP_BINDING))
		return 0;
	/* not bound (a challenge, an error): TURN again, from the bytes
	 * held on */
	tc->flags &= (uint8_t)~TURN_TCP_BINDING;
	held = tc->pf;
	tc->pf = NULL;
	if (held != NULL && !turn_tcp_chain(w, tcw, tc, held))
		return 0;
	turn_tcp_readable(w->tcp, id, w);
	return 0;
}

int
turn_tcp_take(struct dp_worker *w, uint64_t id, const struct dp_xprt_ops **xp,
	      struct rte_mbuf **held)
{
	struct turn_tcp_worker *tcw = turn_tcp_of(w);
	struct turn_tcp_conn *tc = tcw != NULL ? turn_tcp_conn(tcw, id) : NULL;

	int st = tc != NULL ? tcp_conn_state(w->tcp, id) : -ENOTCONN;

	/* (CLOSE_WAIT: a client that half-closed after its request) */
	if (tc == NULL || !(tc->flags & TURN_TCP_BINDING) ||
	    (st != TCP_ST_ESTABLISHED && st != TCP_ST_CLOSE_WAIT))
		return -ENOENT;
	turn_tcp_push(w, tc);           /* answers gathered before, then cp's */
	*xp = turn_tcp_xp(tc);
	*held = tc->pf;
	tc->pf = NULL;
	tc->id = 0;
	tc->flags &= TURN_TCP_PENDING;
	tcw->ctr[TURN_TCP_CTR_BOUND]++;
	return 0;
}

static const struct tcp_app_ops turn_tcp_ops = {
	.accept = turn_tcp_accept,
	.readable = turn_tcp_readable,
	.closed = turn_tcp_closed,
};

static const struct tcp_app_ops turn_tcp_tls_ops = {
	.accept = turn_tcp_accept_tls,
	.readable = turn_tcp_readable,
	.writable = turn_tcp_writable,
	.closed = turn_tcp_closed,
};

/* ---- set-up, timers, statistics -------------------------------------- */

static unsigned int
turn_tcp_mod_poll(struct dp_worker *w, uint64_t now_ms)
{
	turn_tcp_poll(w, now_ms);
	return 0;
}

static const struct dp_tcp_mod turn_tcp_mod = {
	.name = "turn_tcp", .cls = DP_TCP_MOD_OWNER, .poll = turn_tcp_mod_poll,
	.free = turn_tcp_free,
};

int
turn_tcp_init(struct dp_worker *w)
{
	const struct tp_conf *conf = w->ctx->conf;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct turn_tcp_worker *tcw;
	uint32_t cap = TURN_TCP_FIRST_FIFO_MIN;
	int rc;

	if (w->tcp == NULL || conf->turn.nlisten_tcp + conf->turn.nlisten_tls == 0)
		return 0;
	tcw = rte_zmalloc_socket("tcp_turn", sizeof(*tcw), 64, socket);
	if (tcw == NULL)
		return -ENOMEM;
	tcw->max_conns = conf->dp.tcp_max_conns;
	while (cap < 2u * tcw->max_conns)
		cap <<= 1;
	tcw->fifo_cap = cap;
	tcw->first_ms = conf->turn.tcp_first_message_s * 1000u;
	tcw->alloc_ms = conf->turn.tcp_allocate_timeout_s * 1000u;
	tcw->frame_max = (uint16_t)RTE_MIN((uint32_t)UINT16_MAX,
					   (uint32_t)rte_pktmbuf_data_room_size(w->pool) -
					   RTE_PKTMBUF_HEADROOM);
	tcw->conns = rte_zmalloc_socket("tcp_turn_conns",
					(size_t)tcw->max_conns * sizeof(*tcw->conns), 64, socket);
	tcw->fifo = rte_zmalloc_socket("tcp_turn_fifo", (size_t)cap * sizeof(*tcw->fifo),
				       64, socket);
	tcw->bind_fifo = rte_zmalloc_socket("tcp_turn_bind_fifo",
					    (size_t)cap * sizeof(*tcw->bind_fifo), 64, socket);
	tcw->alloc_fifo = rte_zmalloc_socket("tcp_turn_alloc_fifo",
					     (size_t)cap * sizeof(*tcw->alloc_fifo), 64, socket);
	tcw->pend = rte_zmalloc_socket("tcp_turn_pend",
				       (size_t)tcw->max_conns * sizeof(*tcw->pend), 64, socket);
	w->turn_tcp = tcw;
	(void)dp_tcp_mod_add(w, &turn_tcp_mod);
	if (tcw->conns == NULL || tcw->fifo == NULL || tcw->pend == NULL ||
	    tcw->bind_fifo == NULL || tcw->alloc_fifo == NULL)
		goto nomem;
	if (turn_stream_attach(w, &turn_tcp_io, tcw->max_conns) < 0 ||
	    session_worker_init(w, tcw->max_conns) < 0)
		goto nomem;
	tcw->app = tcp_app_register(w->tcp, &turn_tcp_ops);
	if (tcw->app < 0) {
		tp_log(TP_LOG_ERR, "worker %u: no room for TURN's TCP "
			"application\n", w->id);
		return tcw->app;
	}
	if ((rc = dp_tcp_use(w, tcw->app, DP_TCP_USE_TURN)) < 0)
		return rc;
	for (unsigned int i = 0; i < conf->turn.nlisten_tcp; i++) {
		rc = tcp_listen(w->tcp, 0, conf->turn.listen_tcp[i], tcw->app, w);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "%s: turn.listen_tcp: cannot listen "
				"on TCP %u: %s\n", conf->path, conf->turn.listen_tcp[i],
				rc == -EADDRINUSE ? "the port is taken (dp.diag_tcp_echo_port?)" :
				strerror(-rc));
			return rc;
		}
	}
	if (conf->turn.nlisten_tls == 0)
		return 0;
	rc = tls_worker_init(w, conf, tcw->max_conns);
	if (rc < 0)
		return rc;
	tcw->app_tls = tcp_app_register(w->tcp, &turn_tcp_tls_ops);
	if (tcw->app_tls < 0) {
		tp_log(TP_LOG_ERR, "worker %u: no room for TURN's TLS "
			"application\n", w->id);
		return tcw->app_tls;
	}
	if ((rc = dp_tcp_use(w, tcw->app_tls, DP_TCP_USE_TURN)) < 0)
		return rc;
	for (unsigned int i = 0; i < conf->turn.nlisten_tls; i++) {
		rc = tcp_listen(w->tcp, 0, conf->turn.listen_tls[i], tcw->app_tls, w);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "%s:%d: turn.listen_tls: cannot listen "
				"on TCP %u: %s\n", conf->path, conf->turn.listen_tls_line,
				conf->turn.listen_tls[i],
				rc == -EADDRINUSE ? "the port is taken (dp.diag_tcp_echo_port?)" :
				strerror(-rc));
			return rc;
		}
	}
	return 0;
nomem:
	tp_log(TP_LOG_ERR, "worker %u: no memory for %u TURN-over-TCP "
		"connections (dp.tcp_max_conns)\n", w->id, tcw->max_conns);
	return -ENOMEM;
}

void
turn_tcp_free(struct dp_worker *w)
{
	struct turn_tcp_worker *tcw = w->turn_tcp;

	tls_worker_free(w);
	session_worker_free(w);
	if (tcw == NULL)
		return;
	if (tcw->conns != NULL)
		for (uint32_t i = 0; i < tcw->max_conns; i++) {
			rte_pktmbuf_free(tcw->conns[i].pf);
			rte_pktmbuf_free(tcw->conns[i].out);
		}
	rte_free(tcw->conns);
	rte_free(tcw->pend);
	rte_free(tcw->fifo);
	rte_free(tcw->bind_fifo);
	rte_free(tcw->alloc_fifo);
	rte_free(tcw);
	w->turn_tcp = NULL;
}

/*
 * A frame being gathered holds an mbuf until its last byte comes: a
 * client that starts frames and never finishes them, on many connections,
 * could hold as many mbufs as it has connections. While the pool is low
 * (checked once a millisecond), once a second, connections whose frame
 * has been incomplete for over TURN_TCP_STALLED_MS are reset, counted. Nothing
 * is paid while the pool is not low.
 */
#define TURN_TCP_STALLED_MS 2000u

static void
turn_tcp_pool_watch(struct dp_worker *w, struct turn_tcp_worker *tcw, uint64_t now_ms)
{
	if (now_ms == tcw->pool_checked_ms)
		return;
	tcw->pool_checked_ms = now_ms;
	tcw->pool_low = rte_mempool_avail_count(w->pool) < w->pool->size / 4u;
	if (!tcw->pool_low || now_ms < tcw->scanned_ms + 1000u)
		return;
	tcw->scanned_ms = now_ms;
	for (uint32_t i = 0; i < tcw->max_conns; i++) {
		struct turn_tcp_conn *tc = &tcw->conns[i];

		if (tc->id != 0 && tc->pf != NULL &&
		    (uint32_t)now_ms - tc->pf_ms > TURN_TCP_STALLED_MS)
			turn_tcp_kill(w, tc, TURN_TCP_CTR_STALLED);
	}
}

void
turn_tcp_poll(struct dp_worker *w, uint64_t now_ms)
{
	struct turn_tcp_worker *tcw = w->turn_tcp;

	if (tcw == NULL)
		return;
	turn_tcp_pool_watch(w, tcw, now_ms);
	while (tcw->bind_head != tcw->bind_tail) {
		struct turn_tcp_due *d = &tcw->bind_fifo[tcw->bind_tail & (tcw->fifo_cap - 1u)];
		struct turn_tcp_conn *tc;

		if (d->due_ms > now_ms)
			break;
		tcw->bind_tail++;
		tc = turn_tcp_conn(tcw, d->id);
		if (tc != NULL && (tc->flags & TURN_TCP_BINDING))
			turn_tcp_kill(w, tc, TURN_TCP_CTR_BIND_UNANSWERED);
	}
	while (tcw->alloc_head != tcw->alloc_tail) {
		struct turn_tcp_due d = tcw->alloc_fifo[tcw->alloc_tail & (tcw->fifo_cap - 1u)];

		if (d.due_ms > now_ms)
			break;
		tcw->alloc_tail++;
		turn_tcp_alloc_check(w, tcw, &d);   /* (may push to the FIFO again) */
	}
	while (tcw->fifo_head != tcw->fifo_tail) {
		struct turn_tcp_due *d = &tcw->fifo[tcw->fifo_tail & (tcw->fifo_cap - 1u)];
		struct turn_tcp_conn *tc;

		if (d->due_ms > now_ms)
			break;
		tcw->fifo_tail++;
		tc = turn_tcp_conn(tcw, d->id);
		if (tc != NULL && !(tc->flags & TURN_TCP_GREETED)) {
			turn_tcp_xp(tc)->first_timeout(w, d->id);
			turn_tcp_kill(w, tc, TURN_TCP_CTR_FIRST_TIMEOUT);
		}
	}
}

static void
turn_tcp_values(const struct dp_worker *w, uint64_t *out)
{
	const struct turn_tcp_worker *tcw = w->turn_tcp;

	for (unsigned int i = 0; i < TURN_TCP_CTR__COUNT; i++)
		out[i] = tcw != NULL ? tcw->ctr[i] : 0;
}

static const struct dp_ctrs_desc turn_tcp_desc[TURN_TCP_CTR__COUNT] = {
#define TURN_TCP_CTR(n, s, h) [TURN_TCP_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "turn_tcp_counters.def"
#undef TURN_TCP_CTR
};

const struct dp_ctrs_family turn_tcp_ctrs = {
	.name = "turn_tcp", .prefix = "turn_",
	.help = "TURN over TCP and TLS (turn_tcp_counters.def): connections, frames, resets by reason",
	.desc = turn_tcp_desc, .n = TURN_TCP_CTR__COUNT, .values = turn_tcp_values,
};

void
turn_tcp_stats(const struct dp_worker *w, FILE *out)
{
	const struct turn_tcp_worker *tcw = w->turn_tcp;

	if (tcw == NULL)
		return;
	fprintf(out, "tcp_turn worker=%u", w->id);
	for (unsigned int i = 0; i < TURN_TCP_CTR__COUNT; i++)
		fprintf(out, " %s=%" PRIu64, turn_tcp_ctr_names[i], tcw->ctr[i]);
	fprintf(out, " conn_events_waiting=%u conn_events_sent=%" PRIu64
		" conn_events_lost=%" PRIu64 " conn_events_dropped=%" PRIu64
		" allocs_closed=%" PRIu64 "\n",
		ipc_backlog_count(&w->turn->conn_events), w->turn->conn_events.sent,
		w->turn->conn_events.lost, w->turn->conn_events_dropped,
		w->turn->stream_allocs_closed);
}
