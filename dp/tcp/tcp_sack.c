/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp SACK sender (RFC 6675 with RFC 2018's blocks): the scoreboard of
 * what the peer reported holding above SND.UNA, and the loss recovery it
 * drives: IsLost(), pipe (SetPipe()), NextSeg() rules 1-3 (rule 4, the
 * rescue retransmission, is left out; the RTO covers its case).
 *
 * The scoreboard is a few ranges in the TCB's cold part (TCP_SACK_SB),
 * sorted and merged, nothing allocated. Sequence numbers are compared as
 * offsets from SND.UNA: every range lies in [SND.UNA, SND.MAX), less than
 * 2^31 wide. Blocks are checked before they are believed (RFC 2018 §8
 * lets a sender ignore them): one reaching past SND.MAX or empty is
 * counted (drop_sack_block_bad) and ignored; one wholly below SND.UNA (a
 * D-SACK, RFC 2883, or a late ACK) is counted apart and ignored.
 *
 * Reneging (RFC 2018 §8, RFC 6675 §5.1): SACKed data stays in the send
 * queue until cumulatively acknowledged, and an RTO clears the
 * scoreboard, so data the peer dropped after SACKing it is sent again.
 */
#include "tcp_private.h"

static inline uint32_t
off(const struct tcp_conn *c, uint32_t seq)
{
	return seq - c->snd_una;
}

void
tcp_sack_clear(struct tcp_conn *c)
{
	c->cold.sb_n = 0;
}

/* Forget what SND.UNA (advanced to una) now covers. */
static void
sb_trim(struct tcp_conn *c, uint32_t una)
{
	struct tcp_conn_cold *k = &c->cold;
	unsigned int i = 0, j = 0;

	for (; i < k->sb_n; i++) {
		struct tcp_sack_block b = k->sb[i];

		if (tcp_seq_leq(b.right, una))
			continue;
		if (tcp_seq_lt(b.left, una))
			b.left = una;
		k->sb[j++] = b;
	}
	k->sb_n = (uint8_t)j;
}

void
tcp_sack_trim(struct tcp_conn *c)
{
	sb_trim(c, c->snd_una);
}

/* Add [l, r) (offsets from base, the ranges' lower bound); returns the
 * bytes newly covered. */
static uint32_t
sb_insert(struct tcp_stack *ts, struct tcp_conn *c, uint32_t base, uint32_t l,
	  uint32_t r)
{
	struct tcp_conn_cold *k = &c->cold;
	uint32_t in[TCP_SACK_SB + 1][2], out[TCP_SACK_SB + 1][2];
	uint32_t before = 0, after = 0;
	unsigned int n = 0, m = 0;

	for (unsigned int i = 0; i < k->sb_n; i++) {
		uint32_t bl = k->sb[i].left - base, br = k->sb[i].right - base;

		before += br - bl;
		if (n == i && l < bl) {          /* the new one goes first */
			in[n][0] = l;
			in[n++][1] = r;
		}
		in[n][0] = bl;
		in[n++][1] = br;
	}
	if (n == k->sb_n) {
		in[n][0] = l;
		in[n++][1] = r;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (m > 0 && in[i][0] <= out[m - 1][1]) {
			if (in[i][1] > out[m - 1][1])
				out[m - 1][1] = in[i][1];
			continue;
		}
		out[m][0] = in[i][0];
		out[m++][1] = in[i][1];
	}
	if (m > TCP_SACK_SB) {
		ts->ctr[TCP_CTR_SACK_SB_FULL]++;
		m = TCP_SACK_SB;                 /* the highest range is forgotten */
	}
	for (unsigned int i = 0; i < m; i++) {
		k->sb[i].left = base + out[i][0];
		k->sb[i].right = base + out[i][1];
		after += out[i][1] - out[i][0];
	}
	k->sb_n = (uint8_t)m;
	return after > before ? after - before : 0;
}

uint32_t
tcp_sack_update(struct tcp_stack *ts, struct tcp_conn *c, const struct tcp_seg *seg)
{
	/* The ACK's own cumulative point, when it is acceptable. */
	uint32_t una = tcp_seq_gt(seg->ack, c->snd_una) &&
		tcp_seq_leq(seg->ack, c->snd_max) ? seg->ack : c->snd_una;
	uint32_t added = 0;

	sb_trim(c, una);
	for (unsigned int i = 0; i < seg->nsack; i++) {
		uint32_t l = seg->sack[i].left, r = seg->sack[i].right;

		/* Empty, reversed, past what was sent, or older than any
		 * window: not a block of this connection. */
		if (!tcp_seq_lt(l, r) || tcp_seq_gt(r, c->snd_max) ||
		    tcp_seq_lt(l, c->snd_una - c->cold.max_snd_wnd)) {
			ts->ctr[TCP_CTR_SACK_BAD]++;
			continue;
		}
		if (tcp_seq_leq(r, una)) {
			ts->ctr[TCP_CTR_SACK_OLD]++;      /* D-SACK or late */
			continue;
		}
		if (tcp_seq_lt(l, una))
			l = una;
		added += sb_insert(ts, c, una, l - una, r - una);
	}
	return added;
}

/* RFC 6675 §4 IsLost(): unSACKed sequence numbers below the value
 * returned are lost (DupThresh = 3 ranges, or more than 2 SMSS SACKed,
 * above them); SND.UNA when none is. */
static uint32_t
lost_below_6675(const struct tcp_conn *c)
{
	const struct tcp_conn_cold *k = &c->cold;
	uint32_t bytes = 0;

	for (unsigned int i = k->sb_n; i > 0; i--) {
		bytes += k->sb[i - 1].right - k->sb[i - 1].left;
		if (k->sb_n - (i - 1) >= 3 || bytes > 2 * tcp_smss(c))
			return k->sb[i - 1].left;
	}
	return c->snd_una;
}

/* ... and below what RACK marked lost (RFC 8985, tcp_rack.c). */
static uint32_t
lost_below(const struct tcp_conn *c)
{
	return tcp_seq_max(lost_below_6675(c), tcp_rack_lost_end(c));
}

bool
tcp_sack_is_lost(const struct tcp_conn *c, uint32_t seq)
{
	return tcp_seq_lt(seq, lost_below(c));
}

/* Bytes in [SND.UNA, to) that are not SACKed. */
static uint32_t
unsacked_below(const struct tcp_conn *c, uint32_t to)
{
	uint32_t end = off(c, to), n = end;

	for (unsigned int i = 0; i < c->cold.sb_n; i++) {
		uint32_t l = off(c, c->cold.sb[i].left), r = off(c, c->cold.sb[i].right);

		if (l >= end)
			break;
		n -= (r < end ? r : end) - l;
	}
	return n;
}

/* seq within [SND.UNA, SND.MAX] */
static uint32_t
clamp_sent(const struct tcp_conn *c, uint32_t seq)
{
	if (tcp_seq_lt(seq, c->snd_una))
		return c->snd_una;
	return tcp_seq_gt(seq, c->snd_max) ? c->snd_max : seq;
}

/* RFC 6675 §4 SetPipe(): every unSACKed byte in flight counts once
 * unless lost, once more if it was sent again in this recovery. A
 * retransmission RACK found lost again (tcp_rack_relost()) counts as
 * not sent again until it goes once more: HighRxt was pulled back to
 * it, and what was sent again above the lost ones, [rl_end, rxt_hi),
 * still counts. */
uint32_t
tcp_sack_pipe(const struct tcp_conn *c)
{
	uint32_t hr = clamp_sent(c, c->cold.high_rxt);
	uint32_t pipe = unsacked_below(c, c->snd_max) - unsacked_below(c, lost_below(c)) +
			unsacked_below(c, hr);

	if (tcp_rack_relost(c)) {
		uint32_t from = tcp_seq_max(hr, clamp_sent(c, c->cold.rack.rl_end));
		uint32_t to = clamp_sent(c, c->cold.rack.rxt_hi);

		if (tcp_seq_lt(from, to))
			pipe += unsacked_below(c, to) - unsacked_below(c, from);
	}
	return pipe;
}

/* NextSeg()'s next byte s (an offset) past what RACK's lost-again range
 * holds: [s, *cap) is the rest of that range (cap UINT32_MAX: none), and
 * once s reaches it, the search resumes where HighRxt was before the
 * pull-back (tcp_rack_relost()). */
static uint32_t
relost_skip(const struct tcp_conn *c, uint32_t s, uint32_t *cap)
{
	if (*cap != UINT32_MAX && s >= *cap) {
		uint32_t hi = off(c, c->cold.rack.rxt_hi);

		*cap = UINT32_MAX;
		if (s < hi)
			s = hi;
	}
	return s;
}

/*
 * RFC 6675 §4 NextSeg() rule 1 (lost) or rule 3 (not lost, rule3): the
 * first unSACKed byte from max(HighRxt + 1, SND.UNA) below the highest
 * SACKed one; the segment runs to the next SACKed range, at most SMSS.
 * Retransmissions RACK found lost again go first, each within their
 * range (tcp_rack_relost()). Returns false when there is none.
 */
bool
tcp_sack_next_seg(const struct tcp_conn *c, bool rule3, uint32_t *seq, uint32_t *len)
{
	const struct tcp_conn_cold *k = &c->cold;
	uint32_t s, limit, smss = tcp_smss(c), cap = UINT32_MAX;

	if (k->sb_n == 0 && (rule3 || tcp_rack_lost_end(c) == c->snd_una))
		return false;
	s = tcp_seq_gt(k->high_rxt, c->snd_una) ? off(c, k->high_rxt) : 0;
	if (tcp_rack_relost(c)) {
		cap = off(c, clamp_sent(c, k->rack.rl_end));
		s = relost_skip(c, s, &cap);
	}
	limit = rule3 ? off(c, k->sb[k->sb_n - 1].left) : off(c, lost_below(c));
	for (unsigned int i = 0; i < k->sb_n; i++) {
		uint32_t l = off(c, k->sb[i].left), r = off(c, k->sb[i].right);

		if (r <= s)
			continue;
		if (l <= s) {
			s = relost_skip(c, r, &cap);
			continue;
		}
		/* s is not SACKed; the range i starts the next SACKed data. */
		if (s >= limit)
			return false;
		*seq = c->snd_una + s;
		*len = l - s < smss ? l - s : smss;
		if (cap != UINT32_MAX && *len > cap - s)
			*len = cap - s;
		return true;
	}
	/* Above the highest SACKed range: only what RACK marked lost. */
	if (!rule3 && s < limit) {
		*seq = c->snd_una + s;
		*len = limit - s < smss ? limit - s : smss;
		if (cap != UINT32_MAX && *len > cap - s)
			*len = cap - s;
		return true;
	}
	return false;
}
