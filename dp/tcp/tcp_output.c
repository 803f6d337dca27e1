/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp output: building segments and deciding what to send.
 *
 * A segment is built in one mbuf from the stack's pool: the header with
 * its options, then the payload copied from the send queue (the queue
 * keeps the application's mbufs until they are acknowledged, so a
 * retransmission copies again). The checksum is computed here over the
 * pseudo-header (RFC 9293 §3.1), or with conf.cksum_offer only the
 * pseudo-header's part, left for the output to finish (the NIC's TX
 * offload); the segment goes to out->output().
 *
 * tcp_output() sends what the peer's window, the congestion window and
 * the queue allow, in segments of the effective MSS (RFC 9293 §3.7.1:
 * MSS less the timestamp option), avoiding silly windows on the sending
 * side (RFC 9293 §3.8.6.2.1; no Nagle delay: small writes go at once, as
 * with TCP_NODELAY, which TURN and media want), then the FIN once the
 * data before it is out, then a pure ACK if one is owed and nothing else
 * carried it.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "tcp_private.h"
#include "tp_siphash.h"

uint32_t
tcp_rcv_window(struct tcp_stack *ts, const struct tcp_conn *c)
{
	uint32_t held = c->rcv_queued + c->cold.ooo_bytes;
	uint32_t buf = tcp_rcv_buf_of(ts, c), seg_max = tcp_rcv_segs_of(ts, c);
	uint32_t space = held < buf ? buf - held : 0;
	uint64_t room = tcp_held_room(ts);
	uint32_t adv = tcp_rcv_adv_wnd(c);
	uint32_t max = (uint32_t)65535 << c->rcv_wscale;
	uint32_t segs = (uint32_t)c->cold.rcv_segs + c->cold.ooo_segs;

	/* The worker's cap over all its connections closes the window
	 * too (backpressure to every peer once the worker holds its cap). */
	if (room < space)
		space = (uint32_t)room;
	/* Room for as many full segments as mbufs may still be held. */
	if (segs >= seg_max)
		space = 0;
	else if (space >= (uint64_t)(seg_max - segs) * tcp_smss(c))   /* (no division) */
		space = (seg_max - segs) * tcp_smss(c);
	/* The application's budget over this connection's group (struct
	 * tcp_budget): a member's share of the room left, bytes and full
	 * segments for the mbufs (so that what all of them offered at once
	 * is one budget at most: the group never holds more than twice it,
	 * and nothing a window offered is dropped). A window it closes is
	 * reopened by the application (its wake). */
	if (c->cold.budget != NULL && space > 0) {
		uint32_t n = c->cold.budget->nconns > 0 ? c->cold.budget->nconns : 1;
		uint32_t broom = tcp_budget_room(c), mroom = tcp_budget_mbuf_room(c);

		if (broom != UINT32_MAX)
			broom /= n;
		if (mroom != UINT32_MAX && (uint64_t)(mroom / n) * tcp_smss(c) < broom)
			broom = (mroom / n) * tcp_smss(c);
		if (broom < space) {
			space = broom;
			if (space < c->mss)
				tcp_budget_limit(ts, c);
		}
	}

	/* RFC 9293 §3.8.6.2.2: receiver SWS avoidance, do not offer a
	 * sliver; and never move the right edge back (shrinking). */
	if (space < buf / 4 && space < c->mss)
		space = 0;
	if (space < adv)
		space = adv;
	return space > max ? max : space;
}

/*
 * The pseudo-header's sum (RFC 9293 §3.1 / RFC 8200 §8.1), folded, not
 * complemented, as rte_raw_cksum() would give over it in memory: its
 * 32-bit words as loaded, added in 64 bits and folded (RFC 1071's
 * parallel summation), without writing the pseudo-header out.
 */
static inline uint16_t
phdr_cksum(const struct tcp_conn *c, uint32_t len)
{
	uint32_t a[4], b[4];
	uint64_t s;

	if (c->flags & TCP_CF_V6) {
		memcpy(a, c->laddr, 16);
		memcpy(b, c->raddr, 16);
		s = (uint64_t)a[0] + a[1] + a[2] + a[3] + b[0] + b[1] + b[2] + b[3] +
		    rte_cpu_to_be_32(len) + rte_cpu_to_be_32(6);
	} else {
		memcpy(a, c->laddr, 4);
		memcpy(b, c->raddr, 4);
		s = (uint64_t)a[0] + b[0] + rte_cpu_to_be_32(6u << 16 | len);
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Pseudo-header plus segment: the checksum. */
static inline uint16_t
seg_cksum(const struct tcp_conn *c, const uint8_t *seg, uint32_t len)
{
	uint32_t sum = (uint32_t)phdr_cksum(c, len) + rte_raw_cksum(seg, len);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Copy len bytes of the send queue from sequence seq (at or above
 * snd_una), from the cursor when seq lies at or past it (new data, sent in
 * order), else from the head (a retransmission). Each mbuf copied from is
 * stamped for RACK (tcp_rack.c): now, and whether it was sent again. */
static void
copy_from_queue(struct tcp_conn *c, uint32_t seq, uint8_t *dst, uint32_t len,
		uint32_t now, bool rexmit)
{
	uint32_t head_seq = c->snd_una - c->snd_head_off;
	struct rte_mbuf *m = c->snd_head;
	uint32_t mseq = head_seq, off;

	if (c->cold.snd_cur != NULL && tcp_seq_geq(c->cold.snd_cur_seq, head_seq) &&
	    tcp_seq_leq(c->cold.snd_cur_seq, seq)) {
		m = c->cold.snd_cur;
		mseq = c->cold.snd_cur_seq;
	}
	while (m != NULL && seq - mseq >= m->data_len) {
		mseq += m->data_len;
		m = m->next;
	}
	off = seq - mseq;
	while (len > 0 && m != NULL) {
		uint32_t n = m->data_len - off;

		if (n > len)
			n = len;
		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		TCP_RACK_TS(m) = now;
		if (rexmit)
			TCP_RACK_MARK(m) |= TCP_RACK_M_REXMIT;
		else if (off == 0)
			TCP_RACK_MARK(m) = 0;
		dst += n;
		len -= n;
		/* an mbuf with data (n > 0) that holds this segment's bytes */
		c->cold.snd_cur = m;
		c->cold.snd_cur_seq = mseq;
		if (off + n < m->data_len)
			break;
		off = 0;
		mseq += m->data_len;
		m = m->next;
	}
}

/*
 * RFC 2018 §4: SACK blocks for what is held out of order, at most max.
 * The first holds the segment that arrived last (cold.sack_last); then
 * the blocks the last ACK reported (cold.sack_rep), those not already
 * included, so that each block goes out in several ACKs however many
 * are lost; then the others in sequence order. Contiguous held segments
 * make one block. RFC 2883 D-SACK: a duplicate the segment being
 * processed carried (ts->dsack) goes first, then the block holding it
 * when that is held (above RCV.NXT), then the rest as above.
 *
 * The list holds up to conf.ooo_max_segs mbufs, and an ACK goes for
 * every segment out of order, so the work an ACK does is bounded: the
 * block of the tail's run is known without a walk (cold.ooo_tail_left),
 * that of the last insert elsewhere by a walk on from it
 * (cold.ooo_hint, once an ACK); anything else is looked for among the
 * first TCP_SACK_WALK_MAX mbufs only (past them, a block may not be
 * reported, or only in part: the sender learns it once the holes below
 * close). At most four such walks an ACK: the hint's run, the runs of
 * the duplicate and of the latest arrival when neither is the tail's
 * or the hint's (rare), the fill in sequence order.
 */
#define TCP_SACK_WALK_MAX 64u

#define OOO_SEQ(m) ((m)->hash.usr)

static inline bool
sack_overlaps(const struct tcp_sack_block *a, const struct tcp_sack_block *b)
{
	return tcp_seq_lt(a->left, b->right) && tcp_seq_lt(b->left, a->right);
}

/* The hint's run, walked for once an ACK (right == left: not yet). */
struct sack_hint_run {
	struct tcp_sack_block run;
};

/* The run (block) of held data holding sequence p: from the tail's run
 * or the hint's without a look at the head; with head_walk, else among
 * the first TCP_SACK_WALK_MAX mbufs. */
static bool
sack_run_of(const struct tcp_conn *c, uint32_t p, bool head_walk,
	    struct sack_hint_run *hr, struct tcp_sack_block *r)
{
	const struct rte_mbuf *t = c->cold.ooo_tail, *h = c->cold.ooo_hint, *m;
	unsigned int walked = 0;
	bool open = false;

	if (c->ooo_head == NULL || t == NULL || tcp_seq_lt(p, c->rcv_nxt))
		return false;
	r->left = c->cold.ooo_tail_left;
	r->right = OOO_SEQ(t) + t->data_len;
	if (tcp_seq_geq(p, r->left))
		return tcp_seq_lt(p, r->right);
	if (h != NULL && tcp_seq_geq(p, c->cold.ooo_hint_left)) {
		if (hr->run.left == hr->run.right) {
			hr->run.left = c->cold.ooo_hint_left;
			hr->run.right = OOO_SEQ(h) + h->data_len;
			for (m = h->next; m != NULL && OOO_SEQ(m) == hr->run.right &&
			     ++walked <= TCP_SACK_WALK_MAX; m = m->next)
				hr->run.right += m->data_len;
		}
		*r = hr->run;
		if (tcp_seq_lt(p, r->right))
			return true;
	}
	if (!head_walk)
		return false;
	walked = 0;
	for (m = c->ooo_head; m != NULL && ++walked <= TCP_SACK_WALK_MAX; m = m->next) {
		if (open && OOO_SEQ(m) == r->right) {
			r->right += m->data_len;
			continue;
		}
		if (open && tcp_seq_in(p, r->left, r->right))
			return true;
		if (tcp_seq_lt(p, OOO_SEQ(m)))
			return false;            /* (in a hole) */
		r->left = OOO_SEQ(m);
		r->right = r->left + m->data_len;
		open = true;
	}
	return open && tcp_seq_in(p, r->left, r->right);
}

/* Appends blk to b[*n] unless it overlaps one there from b[from] on (a
 * D-SACK block before from may). */
static inline void
sack_add(struct tcp_sack_block *b, unsigned int *n, unsigned int from,
	 const struct tcp_sack_block *blk)
{
	if (blk->left == blk->right)
		return;
	for (unsigned int i = from; i < *n; i++)
		if (sack_overlaps(&b[i], blk))
			return;
	b[(*n)++] = *blk;
}

/* Fills b (at most max blocks); *dsack says whether b[0] is a D-SACK
 * block. */
static unsigned int
sack_blocks(const struct tcp_stack *ts, const struct tcp_conn *c,
	    struct tcp_sack_block *b, unsigned int max, bool *dsack)
{
	struct tcp_sack_block run = { 0, 0 };
	struct sack_hint_run hr = { { 0, 0 } };
	const struct rte_mbuf *m;
	unsigned int n = 0, from = 0, walked = 0;
	bool open = false;

	*dsack = ts->dsack_conn == c && ts->dsack.left != ts->dsack.right;
	if (*dsack) {
		b[n++] = ts->dsack;
		from = 1;
		if (n < max && sack_run_of(c, ts->dsack.left, true, &hr, &run))
			sack_add(b, &n, from, &run);
	}
	if (n < max && sack_run_of(c, c->cold.sack_last, true, &hr, &run))
		sack_add(b, &n, from, &run);
	for (unsigned int i = 0; i < TCP_SACK_REP && n < max; i++) {
		struct tcp_sack_block r = c->cold.sack_rep[i];

		if (r.left == r.right || tcp_seq_leq(r.right, c->rcv_nxt))
			continue;                /* (delivered since) */
		if (tcp_seq_lt(r.left, c->rcv_nxt))
			r.left = c->rcv_nxt;
		/* it may have grown (runs only grow, or leave at the head) */
		if (!sack_run_of(c, r.left, false, &hr, &run))
			run = r;
		sack_add(b, &n, from, &run);
	}
	for (m = c->ooo_head; n < max; m = m->next) {
		if (m != NULL && ++walked > TCP_SACK_WALK_MAX)
			m = NULL;
		if (m != NULL && open && OOO_SEQ(m) == run.right) {
			run.right += m->data_len;
			continue;
		}
		if (open)
			sack_add(b, &n, from, &run);
		if (m == NULL)
			break;
		run.left = OOO_SEQ(m);
		run.right = run.left + m->data_len;
		open = true;
	}
	return n;
}

void
tcp_stack_cksum_offer(struct tcp_stack *ts, bool on)
{
	ts->conf.cksum_offer = on;
}

static void
emit(struct tcp_stack *ts, struct tcp_conn *c, struct rte_mbuf *m,
     uint8_t *p, uint32_t seglen)
{
	uint16_t ck;

	if (__builtin_expect(ts->conf.cksum_offer, 0)) {
		/* the output finishes it: the NIC, or software for a port
		 * that cannot (the pseudo-header's sum in the field is what
		 * both start from) */
		ck = phdr_cksum(c, seglen);
		m->l4_len = (uint64_t)(p[12] >> 4) * 4u;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	} else {
		ck = seg_cksum(c, p, seglen);
	}
	memcpy(p + 16, &ck, 2);
	ts->ctr[TCP_CTR_SEG_OUT]++;
	ts->out->output(ts->out_arg, m, (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4,
			c->ds, c->laddr, c->raddr);
}

int
tcp_xmit(struct tcp_stack *ts, struct tcp_conn *c, uint32_t seq, uint32_t len,
	 uint8_t flags)
{
	struct tcp_opts_out o;
	struct rte_mbuf *m;
	uint32_t wnd, end;
	uint16_t field;
	uint8_t *p;
	size_t hl;

	m = rte_pktmbuf_alloc(ts->pool);
	if (m == NULL) {
		ts->ctr[TCP_CTR_NO_MBUF]++;
		return -ENOBUFS;
	}
	o.opts = 0;
	o.nsack = 0;
	if (flags & TCP_SYN) {
		bool synack = (flags & TCP_ACK) != 0;

		o.opts |= TCP_OPT_F_MSS;
		o.mss = c->cold.adv_mss != 0 ? c->cold.adv_mss :
			(c->flags & TCP_CF_V6) ? ts->conf.mss6 : ts->conf.mss4;
		/* RFC 7323 §2.2, §3.2: offer in a SYN; in a SYN-ACK only
		 * what the peer offered. */
		if (synack ? (c->flags & TCP_CF_WS) : ts->conf.wscale) {
			o.opts |= TCP_OPT_F_WS;
			o.wscale = c->rcv_wscale;
		}
		if (synack ? (c->flags & TCP_CF_TS) : ts->conf.timestamps)
			o.opts |= TCP_OPT_F_TS;
		if (synack ? (c->flags & TCP_CF_SACK) : ts->conf.sack)
			o.opts |= TCP_OPT_F_SACKOK;
	} else {
		if (c->flags & TCP_CF_TS)
			o.opts |= TCP_OPT_F_TS;
		if ((c->flags & TCP_CF_SACK) && (flags & TCP_ACK) &&
		    (c->ooo_head != NULL || ts->dsack_conn == c)) {
			bool dsack;
			unsigned int skip;

			/* 40 bytes of options: 3 blocks beside timestamps, else 4. */
			o.nsack = (uint8_t)sack_blocks(ts, c, o.sack,
						       (c->flags & TCP_CF_TS) ? 3 : 4, &dsack);
			/* Options and data within the MSS (RFC 9293 §3.7.1):
			 * a full data segment carries fewer blocks, or none;
			 * pure ACKs carry them all. */
			while (o.nsack > 0 && len + 4u + 8u * o.nsack >
			       (uint32_t)c->mss - ((c->flags & TCP_CF_TS) ? TCP_OPT_TS_LEN : 0))
				o.nsack--;
			skip = dsack ? 1 : 0;
			if (o.nsack > skip) {
				/* reported: repeated first in the next ACKs */
				for (unsigned int i = 0; i < TCP_SACK_REP; i++)
					c->cold.sack_rep[i] = i + skip < o.nsack ? o.sack[i + skip] :
							      (struct tcp_sack_block){ 0, 0 };
			}
			if (o.nsack > 0 && dsack) {
				ts->ctr[TCP_CTR_DSACK_SENT]++;
				ts->dsack_conn = NULL;   /* once */
			}
			if (o.nsack > 0)
				o.opts |= TCP_OPT_F_SACK;
		}
	}
	o.tsval = tcp_now32(ts) + c->ts_offset;
	o.tsecr = (flags & TCP_ACK) ? c->ts_recent : 0;

	wnd = tcp_rcv_window(ts, c);
	/* A window the worker's cap shut: listed, so that it is reopened
	 * when the cap has room (tcp_api.c: cap_reopen()) */
	tcp_cap_check(ts, c, wnd);
	if (flags & TCP_SYN)
		field = (uint16_t)(wnd > 65535 ? 65535 : wnd);  /* RFC 7323 §2.2 */
	else
		field = (uint16_t)(wnd >> c->rcv_wscale);
	hl = TCP_HDR_LEN + tcp_opts_len(&o);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(hl + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		ts->ctr[TCP_CTR_NO_MBUF]++;
		return -ENOBUFS;
	}
	tcp_seg_build(p, c->lport, c->rport, seq, (flags & TCP_ACK) ? c->rcv_nxt : 0,
		      flags, field, &o);
	if (len > 0)
		copy_from_queue(c, seq, p + hl, len, tcp_now32(ts), tcp_seq_lt(seq, c->snd_max));

	if (flags & TCP_ACK) {
		uint32_t edge = c->rcv_nxt + ((uint32_t)field << ((flags & TCP_SYN) ? 0 : c->rcv_wscale));

		if (tcp_seq_gt(edge, c->rcv_adv))
			c->rcv_adv = edge;
		c->last_ack_sent = c->rcv_nxt;
		c->flags &= ~(TCP_CF_ACK_NOW | TCP_CF_DELACK);
		c->ack_segs = 0;
		tcp_timer_clear(c, TCP_T_DELACK);
	}
	end = seq + len + ((flags & TCP_SYN) ? 1 : 0) + ((flags & TCP_FIN) ? 1 : 0);
	if (end != seq) {
		if (c->flags & TCP_CF_SACK_RECOV)
			c->cold.prr_out += len;          /* RFC 6937 prr_out */
		if (len > 0)
			c->cold.snd_last = tcp_now32(ts);
		if (tcp_seq_lt(seq, c->snd_max)) {
			/* Karn (RFC 6298 §3): no sample from a retransmission. */
			ts->ctr[TCP_CTR_RETRANS_SEGS]++;
			c->flags &= ~TCP_CF_RTT_TIMING;
		} else if (!(c->flags & (TCP_CF_TS | TCP_CF_RTT_TIMING))) {
			c->flags |= TCP_CF_RTT_TIMING;
			c->cold.rtt_seq = seq;
			c->cold.rtt_start = tcp_now32(ts);
		}
		if (tcp_seq_gt(end, c->snd_max))
			c->snd_max = end;
		if (!tcp_timer_armed(c, TCP_T_RXT) || c->snd_una == seq)
			tcp_timer_set(ts, c, TCP_T_RXT, tcp_rto_backoff(ts, c));
	}
	emit(ts, c, m, p, (uint32_t)(hl + len));
	return 0;
}

/* Pure ACKs (and RSTs, tcp_send_rst()) are numbered from SND.MAX, as
 * FreeBSD's: after an RTO SND.NXT is rewound to SND.UNA, below what the
 * peer may have received; a RST from there is outside its window (RFC
 * 5961 §3.2: dropped, the peer stays half-open) and an ACK from there
 * is not acceptable to it. SND.MAX is at most the peer's RCV.NXT plus
 * its window. */
void
tcp_send_ack(struct tcp_stack *ts, struct tcp_conn *c)
{
	tcp_xmit(ts, c, c->snd_max, 0, TCP_ACK);
}

/* conf.invalid_ratelimit: at most one ACK per interval answers segments
 * that carried nothing to take (Linux's tcp_oow_rate_limited()), so two
 * ends that disagree cannot ACK each other in a loop, and a blind
 * sender gets little out of us. A segment with data is answered
 * (retransmitted data whose ACK was lost wants its ACK now). Returns
 * true if an ACK may go (and counts it as sent). */
static bool
oow_ack_ok(struct tcp_stack *ts, struct tcp_conn *c, bool data)
{
	uint32_t now = tcp_now32(ts) | 1u;       /* (0: never) */

	if (data || ts->conf.invalid_ratelimit == 0)
		return true;
	if (c->cold.oow_ack_ms != 0 && now - c->cold.oow_ack_ms < ts->conf.invalid_ratelimit)
		return false;
	c->cold.oow_ack_ms = now;
	return true;
}

void
tcp_send_oow_ack(struct tcp_stack *ts, struct tcp_conn *c, bool data)
{
	if (!oow_ack_ok(ts, c, data)) {
		ts->ctr[TCP_CTR_OOW_ACK_LIMITED]++;
		return;
	}
	tcp_send_ack(ts, c);
}

/* The stack's budget for this second: drawn from [n/2, 3n/2) under the
 * ISN key, so that an off-path observer cannot learn how many challenge
 * ACKs others caused by counting its own (CVE-2016-5696). */
static uint32_t
chack_budget(const struct tcp_stack *ts, uint64_t sec)
{
	uint8_t buf[12];
	uint32_t n = ts->conf.challenge_acks, r;

	if (n == 0)
		return 0;
	memcpy(buf, &sec, 8);
	memcpy(buf + 8, "chak", 4);
	r = (uint32_t)tp_siphash24(ts->isn_key, buf, sizeof(buf));
	return n / 2 + (uint32_t)(((uint64_t)r * n) >> 32);
}

void
tcp_send_challenge_ack(struct tcp_stack *ts, struct tcp_conn *c, bool data)
{
	uint64_t sec = ts->now / 1000;

	/* RFC 5961 §7: per connection first (a peer's own RSTs and SYNs
	 * cost it one ACK per interval), then the stack's randomised
	 * budget. */
	if (!oow_ack_ok(ts, c, data)) {
		ts->ctr[TCP_CTR_CHACK_LIMITED]++;
		return;
	}
	if (sec != ts->chack_sec) {
		ts->chack_sec = sec;
		ts->chack_n = 0;
		ts->chack_lim = chack_budget(ts, sec);
	}
	if (ts->chack_n >= ts->chack_lim) {
		ts->ctr[TCP_CTR_CHACK_LIMITED]++;
		return;
	}
	ts->chack_n++;
	ts->ctr[TCP_CTR_CHALLENGE_ACK]++;
	tcp_send_ack(ts, c);
}

static void
send_bare(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
	  const uint8_t *raddr, uint16_t lport, uint16_t rport, uint32_t seq,
	  uint32_t ack, uint8_t flags)
{
	struct tcp_conn tmp;             /* only the addresses, family and DS field */
	struct rte_mbuf *m = rte_pktmbuf_alloc(ts->pool);
	uint8_t *p;

	if (m == NULL) {
		ts->ctr[TCP_CTR_NO_MBUF]++;
		return;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, TCP_HDR_LEN);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	tmp.flags = family == TCP_AF_IPV6 ? TCP_CF_V6 : 0;
	tmp.ds = 0;
	memset(tmp.laddr, 0, 16);
	memset(tmp.raddr, 0, 16);
	memcpy(tmp.laddr, laddr, family == TCP_AF_IPV6 ? 16 : 4);
	memcpy(tmp.raddr, raddr, family == TCP_AF_IPV6 ? 16 : 4);
	tcp_seg_build(p, lport, rport, seq, ack, flags, 0, NULL);
	ts->ctr[TCP_CTR_RST_OUT]++;
	emit(ts, &tmp, m, p, TCP_HDR_LEN);
}

void
tcp_send_rst(struct tcp_stack *ts, struct tcp_conn *c)
{
	send_bare(ts, (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4,
		  c->laddr, c->raddr, c->lport, c->rport, c->snd_max, 0, TCP_RST);
}

void
tcp_send_rst_reply(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
		   const uint8_t *raddr, const struct tcp_seg *seg)
{
	/* RFC 9293 §3.10.7.1: <SEQ=SEG.ACK><CTL=RST> when the segment
	 * had ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
	if (seg->flags & TCP_RST)
		return;
	if (seg->flags & TCP_ACK)
		send_bare(ts, family, laddr, raddr, seg->dport, seg->sport,
			  seg->ack, 0, TCP_RST);
	else
		send_bare(ts, family, laddr, raddr, seg->dport, seg->sport, 0,
			  seg->seq + seg->len + ((seg->flags & TCP_SYN) ? 1 : 0) +
			  ((seg->flags & TCP_FIN) ? 1 : 0), TCP_RST | TCP_ACK);
}

int
tcp_sack_rexmit(struct tcp_stack *ts, struct tcp_conn *c, uint32_t seq, uint32_t len)
{
	uint32_t data_end = c->snd_una + c->snd_queued;
	uint8_t flags = TCP_ACK;
	int rc;

	if ((c->flags & TCP_CF_FIN_QUEUED) && seq + len == data_end &&
	    tcp_seq_gt(c->snd_max, data_end))
		flags |= TCP_FIN;
	if (len == 0 && !(flags & TCP_FIN))
		return 0;
	rc = tcp_xmit(ts, c, seq, len, flags);
	if (rc == 0) {
		ts->ctr[TCP_CTR_SACK_RETRANS]++;
		if (tcp_seq_gt(seq + len, c->cold.high_rxt))
			c->cold.high_rxt = seq + len;
	}
	return rc;
}

/*
 * RFC 6675 §5 step (C), rules 1 and 3 of NextSeg(): send holes while
 * cwnd - pipe >= 1 SMSS. Rule 1 (lost data) goes before new data, rule 3
 * (what is not yet known lost) after it (rule3). Returns the room left
 * (cwnd - pipe).
 */
static uint32_t
sack_send_holes(struct tcp_stack *ts, struct tcp_conn *c, bool rule3)
{
	uint32_t pipe = tcp_sack_pipe(c), smss = tcp_smss(c), seq, len;

	while (c->cwnd >= pipe + smss && tcp_sack_next_seg(c, rule3, &seq, &len)) {
		if (tcp_sack_rexmit(ts, c, seq, len) < 0)
			break;
		pipe += len;
	}
	return c->cwnd > pipe ? c->cwnd - pipe : 0;
}

uint32_t
tcp_initial_window(const struct tcp_stack *ts, const struct tcp_conn *c)
{
	uint32_t mss = tcp_smss(c);

	return tcp_initial_segs(ts, mss) * mss;
}

/*
 * RFC 5681 §4.1 restart after idle: nothing in flight and nothing sent
 * for more than an RTO, the ACK clock is gone and cwnd says nothing of
 * the path now; as Linux's tcp_cwnd_restart(): halved for every RTO idle
 * down to min(IW, cwnd), ssthresh kept at 3/4 of the old cwnd at least
 * (slow start brings it back that far).
 */
static void
cwnd_restart(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t idle = tcp_now32(ts) - c->cold.snd_last, rto = c->rto ? c->rto : 1;
	uint32_t iw = tcp_initial_window(ts, c), cwnd = c->cwnd;
	uint32_t restart = iw < cwnd ? iw : cwnd;

	if (idle <= rto || c->snd_una != c->snd_max || (c->flags & TCP_CF_RECOVERY))
		return;
	if (c->ssthresh < cwnd - cwnd / 4)
		c->ssthresh = cwnd - cwnd / 4;
	while (idle > rto && cwnd > restart) {
		idle -= rto;
		cwnd >>= 1;
	}
	c->cwnd = cwnd > restart ? cwnd : restart;
	c->cold.snd_last = tcp_now32(ts);
	ts->ctr[TCP_CTR_CWND_RESTART]++;
}

/* force: send what the window allows even if small (the persist timer's
 * override of sender SWS avoidance, RFC 9293 §3.8.6.2.1). */
static void
output(struct tcp_stack *ts, struct tcp_conn *c, bool force)
{
	bool sent = false;

	if (c->flags & TCP_CF_DEAD)
		return;
	if (tcp_can_send_data(c->state)) {
		uint32_t emss = tcp_smss(c);
		uint32_t data_end = c->snd_una + c->snd_queued;
		uint32_t cwnd, wnd, right, room = 0, burst, nsent = 0;
		bool sack_recov = (c->flags & TCP_CF_SACK_RECOV) != 0;

		if (c->snd_una == c->snd_max && tcp_seq_lt(c->snd_nxt, data_end))
			cwnd_restart(ts, c);
		cwnd = c->cwnd;
		/* A burst limit per send opportunity (an ACK, a send, a
		 * timer): at most conf.max_burst segments (0: the initial
		 * window), at least what this ACK delivered plus one (an ACK
		 * clock never stops), so that a window that opened at once
		 * (the peer's, or cwnd after an application-limited spell)
		 * is not spent in one line-rate burst. The ACK's credit
		 * holds for what its input's callbacks send too (an echo, a
		 * relay writes from readable()). */
		burst = ts->conf.max_burst != 0 ? ts->conf.max_burst : tcp_initial_segs(ts, emss);
		if (ts->ack_conn == c && ts->ack_delivered >= (uint64_t)burst * emss)
			burst = ts->ack_delivered / emss + 1;

		/* RFC 3042 limited transmit: the first two duplicate ACKs
		 * each let one new segment go, cwnd itself unchanged. */
		if (!(c->flags & TCP_CF_RECOVERY) && c->dupacks > 0 && c->dupacks < 3)
			cwnd += c->dupacks * emss;
		wnd = c->snd_wnd < cwnd ? c->snd_wnd : cwnd;
		right = c->snd_una + wnd;
		if (sack_recov) {
			/* RFC 6675 §5 (C): lost holes first, then new data
			 * within cwnd - pipe and the peer's window. */
			room = sack_send_holes(ts, c, false);
			right = c->snd_nxt + room;
			if (tcp_seq_gt(right, c->snd_una + c->snd_wnd))
				right = c->snd_una + c->snd_wnd;
		}

		for (;;) {
			uint32_t avail = tcp_seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
			uint32_t usable = tcp_seq_lt(c->snd_nxt, right) ? right - c->snd_nxt : 0;
			uint32_t len = avail < usable ? avail : usable;
			uint32_t probe = sack_recov || c->cold.mss_hi == 0 ? 0 :
					 tcp_pmtu_probe_len(ts, c, avail, usable);
			bool fin;
			uint8_t flags = TCP_ACK;

			if (probe != 0)
				len = probe;
			else if (len > emss)
				len = emss;
			/* The FIN goes with (or after) the last byte, once. */
			fin = (c->flags & TCP_CF_FIN_QUEUED) && len == avail &&
			      tcp_seq_leq(c->snd_nxt + len, data_end) &&
			      (len > 0 || c->snd_nxt == data_end);
			if (len == 0 && !fin)
				break;
			if (nsent >= burst) {
				ts->ctr[TCP_CTR_BURST_LIMITED]++;
				break;
			}
			/* RFC 9293 §3.8.6.2.1: send a full segment, or all we
			 * have, or at least half the largest window seen. */
			if (len < emss && len < avail && len < c->cold.max_snd_wnd / 2 &&
			    !force)
				break;
			if (len > 0 && len == avail)
				flags |= TCP_PSH;
			if (fin)
				flags |= TCP_FIN;
			if (tcp_xmit(ts, c, c->snd_nxt, len, flags) < 0) {
				if (probe != 0)
					c->cold.probe_mss = 0;   /* not sent: no verdict */
				break;
			}
			c->snd_nxt += len + (fin ? 1 : 0);
			sent = true;
			nsent++;
			force = false;
			if (fin)
				break;
		}
		/* RFC 7661: a send that used half of cwnd or more (its
		 * pipeACK test; Linux's slow-start rule, cwnd below twice the
		 * window's largest flight) validates cwnd for this window, so
		 * that every ACK of it may grow cwnd (tcp_input.c), not only
		 * those that still find half of cwnd in flight: a flow that
		 * sends in bursts (a splice forwarding what another leg's
		 * burst brought) drains between them. */
		if ((sent || tcp_seq_lt(c->snd_nxt, data_end)) &&
		    2 * (uint64_t)tcp_flight(c) >= c->cwnd) {
			c->flags |= TCP_CF_CWND_LIM;
			c->cold.cwnd_usage_seq = c->snd_max;
		}
		/* NextSeg() rule 3: nothing new went, room is left. */
		if (sack_recov && !sent && room >= emss)
			sack_send_holes(ts, c, true);
		/* Data waiting and nothing in flight (a closed or small
		 * window, or no mbuf): the persist timer comes back to it
		 * (RFC 9293 §3.8.6.1), so nothing waits forever. */
		if (c->snd_una == c->snd_max && tcp_snd_waiting(c) &&
		    !tcp_timer_armed(c, TCP_T_RXT))
			tcp_timer_set(ts, c, TCP_T_RXT, tcp_rto_backoff(ts, c));
	}
	if (!sent && (c->flags & TCP_CF_ACK_NOW) && c->state != TCP_ST_CLOSED &&
	    c->state != TCP_ST_LISTEN && c->state != TCP_ST_SYN_SENT)
		tcp_send_ack(ts, c);
}

void
tcp_output(struct tcp_stack *ts, struct tcp_conn *c)
{
	output(ts, c, false);
	tcp_rack_schedule(ts, c);        /* RFC 8985 §7.2 (tcp_rack.c) */
}

void
tcp_output_force(struct tcp_stack *ts, struct tcp_conn *c)
{
	output(ts, c, true);
}

void
tcp_xmit_stateless(struct tcp_stack *ts, struct tcp_conn *t, uint8_t flags)
{
	struct tcp_opts_out o = { .opts = TCP_OPT_F_MSS, .mss = t->mss };
	struct rte_mbuf *m = rte_pktmbuf_alloc(ts->pool);
	uint32_t wnd = ts->conf.rcv_buf > 65535 ? 65535 : ts->conf.rcv_buf;
	uint8_t *p;
	size_t hl;

	if (m == NULL) {
		ts->ctr[TCP_CTR_NO_MBUF]++;
		return;
	}
	if (t->flags & TCP_CF_WS) {
		o.opts |= TCP_OPT_F_WS;
		o.wscale = t->rcv_wscale;
	}
	if (t->flags & TCP_CF_TS) {
		o.opts |= TCP_OPT_F_TS;
		o.tsval = tcp_now32(ts) + t->ts_offset;
		o.tsecr = t->ts_recent;
	}
	if (t->flags & TCP_CF_SACK)
		o.opts |= TCP_OPT_F_SACKOK;
	hl = TCP_HDR_LEN + tcp_opts_len(&o);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)hl);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	tcp_seg_build(p, t->lport, t->rport, t->iss, t->rcv_nxt, flags, (uint16_t)wnd, &o);
	emit(ts, t, m, p, (uint32_t)hl);
}
