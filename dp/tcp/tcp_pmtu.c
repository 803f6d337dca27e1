/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp path MTU: ICMP's word on it (RFC 1191, RFC 8201, checked as RFC
 * 5927 says), packetization-layer discovery when no ICMP comes (RFC 4821,
 * RFC 8899's TCP part, as Linux's tcp_mtu_probing=1), a per-destination
 * memory of what was found, and the port's MSS clamp.
 *
 * The MSS a connection sends (c->mss) changes during its life: segments
 * are cut from the send queue at send time (tcp_output.c copies any
 * range of it), so a new MSS holds for new data and for retransmissions
 * of what was queued before alike; nothing in the queue is re-split.
 *
 * ICMP: the quoted segment must be one of ours in flight (its 4-tuple a
 * connection's, its sequence in [SND.UNA, SND.MAX)): a blind attacker
 * must guess both to make a connection slower, and never below the
 * floor (536 IPv4, 1220 IPv6). The MSS only goes down by ICMP; what was
 * in flight is sent again in the new size at once, not counted as
 * congestion (Linux's tcp_simple_retransmit): cwnd stays.
 *
 * What is remembered is kept for the remote address and port, not the
 * address alone (Linux's route cache): behind one address (a carrier's
 * NAT) many subscribers connect, each from its own port, and any of
 * them can forge an ICMP quoting its own connection (it knows the
 * sequence). Keyed by the address, that lowered every neighbour's MSS
 * for conf.pmtu_expires; keyed by address and port, it lowers the
 * quoted connection's and a later one from the same mapping, or to the
 * same peer service (dp's active opens), where the cache pays.
 *
 * PLPMTUD: a black hole is two RTOs in a row with at least a full
 * segment in flight: the MSS drops to conf.base_mss (then halves at each
 * second RTO after, down to the floor), and the size that failed becomes
 * the top of a binary search. Probes of (MSS + top) / 2 go when there is
 * data to fill them and more behind (so that their loss shows as
 * duplicate ACKs): acknowledged, the MSS rises to it; lost (the first
 * hole at the probe, or an RTO over it), the top comes down to it and
 * the probe's bytes alone go again in the current size, not as
 * congestion.
 * The search ends when the two are within TCP_PMTU_PROBE_STEP.
 */
#include <string.h>

#include "tcp_private.h"
#include "tp_siphash.h"

/* A search narrower than this is done (Linux's tcp_probe_threshold is 8
 * bytes of MTU; fewer probes here, each costing a possible loss). */
#define TCP_PMTU_PROBE_STEP 32u

uint16_t
tcp_pmtu_floor(bool v6)
{
	return v6 ? TCP_MSS_FLOOR6 : TCP_MSS_FLOOR4;
}

/* The entry for addr:port (addr 4 or 16 bytes by family), key[] the
 * address as the table keeps it (16 bytes, an IPv4 one zero-padded),
 * then the port and the family. */
static struct tcp_pmtu_ent *
cache_ent(struct tcp_stack *ts, uint8_t family, const uint8_t *addr, uint16_t port,
	  uint8_t key[19])
{
	memset(key, 0, 19);
	memcpy(key, addr, family == TCP_AF_IPV6 ? 16 : 4);
	key[16] = (uint8_t)(port >> 8);
	key[17] = (uint8_t)port;
	key[18] = family;
	return &ts->pmtu[(uint32_t)tp_siphash24(ts->isn_key, key, 19) & (TCP_PMTU_CACHE - 1)];
}

uint16_t
tcp_pmtu_lookup(struct tcp_stack *ts, uint8_t family, const uint8_t *raddr, uint16_t rport)
{
	uint8_t key[19];
	const struct tcp_pmtu_ent *e = cache_ent(ts, family, raddr, rport, key);

	if (e->family != family || e->port != rport || memcmp(e->addr, key, 16) != 0 ||
	    e->expires <= ts->now)
		return 0;
	return e->mss;
}

void
tcp_pmtu_store(struct tcp_stack *ts, uint8_t family, const uint8_t *raddr, uint16_t rport,
	       uint16_t mss)
{
	uint8_t key[19];
	struct tcp_pmtu_ent *e = cache_ent(ts, family, raddr, rport, key);

	memcpy(e->addr, key, 16);
	e->family = family;
	e->port = rport;
	e->mss = mss;
	e->expires = ts->now + ts->conf.pmtu_expires;
}

uint16_t
tcp_mss_ours(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr)
{
	uint16_t mss = family == TCP_AF_IPV6 ? ts->conf.mss6 : ts->conf.mss4;
	uint16_t clamp = ts->conf.mss_clamp != NULL ?
			 ts->conf.mss_clamp(ts->conf.mss_clamp_arg, family, laddr) : 0;

	if (clamp != 0 && clamp < mss)
		mss = clamp;
	return mss;
}

void
tcp_pmtu_conn_mss(struct tcp_stack *ts, struct tcp_conn *c, uint32_t peer, bool count)
{
	uint8_t family = (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4;
	uint16_t ours = tcp_mss_ours(ts, family, c->laddr);
	uint16_t cached = tcp_pmtu_lookup(ts, family, c->raddr, c->rport);
	uint32_t mss = peer < ours ? peer : ours;

	c->cold.adv_mss = ours;
	if (cached != 0 && cached < mss) {
		mss = cached;
		if (count)
			ts->ctr[TCP_CTR_PMTU_CACHE_HIT]++;
	}
	c->mss = (uint16_t)mss;
}

/* Send again what is in flight, in the current MSS, from SND.UNA: the
 * duplicate ACKs the copies cause start no recovery (recover), cwnd and
 * ssthresh stay (the loss was the path's size, not congestion). */
static void
simple_rexmit(struct tcp_conn *c)
{
	c->recover = c->snd_max;
	c->flags &= ~(TCP_CF_RECOVERY | TCP_CF_SACK_RECOV);
	c->dupacks = 0;
	c->snd_nxt = c->snd_una;
}

static uint32_t
probe_end(const struct tcp_conn *c)
{
	return c->cold.probe_seq + c->cold.probe_mss -
	       ((c->flags & TCP_CF_TS) ? TCP_OPT_TS_LEN : 0);
}

/* The search is over: what passes is remembered for the destination. */
static void
search_check_done(struct tcp_stack *ts, struct tcp_conn *c)
{
	if (c->cold.mss_hi != 0 && c->cold.mss_hi <= c->mss + TCP_PMTU_PROBE_STEP) {
		c->cold.mss_hi = 0;
		tcp_pmtu_store(ts, (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4,
			       c->raddr, c->rport, c->mss);
	}
}

static void
probe_failed(struct tcp_stack *ts, struct tcp_conn *c)
{
	ts->ctr[TCP_CTR_PMTU_PROBES_LOST]++;
	c->cold.mss_hi = c->cold.probe_mss;
	c->cold.probe_mss = 0;
	search_check_done(ts, c);
}

/* RFC 1191 §7's plateaus, for a router that says no MTU. */
static uint32_t
plateau_below(uint32_t len)
{
	static const uint16_t plateau[] = { 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508,
					    296, 68 };

	for (unsigned int i = 0; i < sizeof(plateau) / sizeof(plateau[0]); i++)
		if (plateau[i] < len)
			return plateau[i];
	return 68;
}

void
tcp_icmp_input(struct tcp_stack *ts, uint8_t family, uint8_t type, uint8_t code,
	       uint32_t mtu, const uint8_t *inner, size_t ilen)
{
	bool v6 = family == TCP_AF_IPV6;
	size_t l3 = v6 ? 40u : ilen > 0 ? (size_t)(inner[0] & 0x0fu) * 4u : 0u;
	const uint8_t *src, *dst, *th;
	uint32_t seq, mss, floor = tcp_pmtu_floor(v6);
	uint8_t laddr[16] = { 0 }, raddr[16] = { 0 };
	struct tcp_conn *c;

	/* Only "fragmentation needed" and "packet too big" concern TCP
	 * here; the others are soft errors (RFC 1122 §4.2.3.9, RFC 5461). */
	if (v6 ? type != 2 : (type != 3 || code != 4))
		return;
	if (ilen < l3 + 8 || (!v6 && (l3 < 20 || inner[9] != 6)) || (v6 && inner[6] != 6)) {
		ts->ctr[TCP_CTR_PMTU_ICMP_IGNORED]++;
		return;
	}
	src = inner + (v6 ? 8 : 12);
	dst = inner + (v6 ? 24 : 16);
	memcpy(laddr, src, v6 ? 16 : 4);
	memcpy(raddr, dst, v6 ? 16 : 4);
	th = inner + l3;
	seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	c = tcp_conn_lookup(ts, family, laddr, (uint16_t)(th[0] << 8 | th[1]), raddr,
			    (uint16_t)(th[2] << 8 | th[3]));
	/* RFC 5927 §4.1: a segment of ours that is in flight */
	if (c == NULL || c->state == TCP_ST_TIME_WAIT || c->state == TCP_ST_CLOSED ||
	    !tcp_seq_in(seq, c->snd_una, c->snd_max)) {
		ts->ctr[TCP_CTR_PMTU_ICMP_IGNORED]++;
		return;
	}
	if (!v6) {
		uint32_t tot = (uint32_t)inner[2] << 8 | inner[3];

		/* RFC 1191 §7: no next-hop MTU (an old router), or one not
		 * below what it quotes: the next plateau down */
		if (mtu == 0 || mtu >= tot)
			mtu = plateau_below(tot);
	}
	mss = mtu > (v6 ? 60u : 40u) ? mtu - (v6 ? 60u : 40u) : 0;
	if (mss < floor)
		mss = floor;
	if (mss < c->mss) {
		ts->ctr[TCP_CTR_PMTU_LOWERED]++;
		c->mss = (uint16_t)mss;
		c->cold.mss_hi = 0;           /* the path said: no search above */
		c->cold.probe_mss = 0;
		tcp_pmtu_store(ts, family, raddr, c->rport, (uint16_t)mss);
	} else if (c->cold.probe_mss != 0 && mss < c->cold.probe_mss &&
		   tcp_seq_in(seq, c->cold.probe_seq, probe_end(c))) {
		probe_failed(ts, c);
	} else {
		return;                       /* never raised by ICMP */
	}
	if (tcp_state_synced(c->state) && c->snd_una != c->snd_max) {
		simple_rexmit(c);
		tcp_output(ts, c);
	}
}

void
tcp_pmtu_acked(struct tcp_stack *ts, struct tcp_conn *c)
{
	if (c->cold.probe_mss == 0 || tcp_seq_lt(c->snd_una, probe_end(c)))
		return;
	ts->ctr[TCP_CTR_PMTU_PROBES_OK]++;
	if (c->cold.probe_mss > c->mss)
		c->mss = c->cold.probe_mss;
	c->cold.probe_mss = 0;
	if (c->cold.mss_hi != 0 && c->cold.mss_hi <= c->mss + TCP_PMTU_PROBE_STEP)
		search_check_done(ts, c);
	else
		tcp_pmtu_store(ts, (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4,
			       c->raddr, c->rport, c->mss);
}

bool
tcp_pmtu_probe_lost(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t end, smss = tcp_smss(c), seq;

	if (c->cold.probe_mss == 0)
		return false;
	end = probe_end(c);
	/* The probe is the hole: the first unacknowledged byte, and (with
	 * SACK) the peer holds what followed it. Else a hole before it
	 * (recovery resends it in the current size, so its ACK would prove
	 * nothing) or duplicate ACKs that say nothing of it: no verdict. */
	if (c->snd_una != c->cold.probe_seq ||
	    ((c->flags & TCP_CF_SACK) &&
	     (c->cold.sb_n == 0 || tcp_seq_lt(c->cold.sb[0].left, end)))) {
		c->cold.probe_mss = 0;
		return false;
	}
	probe_failed(ts, c);
	/* Only the probe's bytes go again, in the current size: what
	 * followed it arrived (sending it again would bring duplicate ACKs
	 * that look like a loss); the duplicate ACKs still on their way
	 * start no recovery (recover). cwnd and ssthresh stay. */
	c->recover = c->snd_max;
	c->dupacks = 0;
	for (seq = c->snd_una; tcp_seq_lt(seq, end); seq += smss)
		if (tcp_xmit(ts, c, seq, end - seq < smss ? end - seq : smss, TCP_ACK) < 0)
			break;
	return true;
}

void
tcp_pmtu_rto(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t floor = tcp_pmtu_floor((c->flags & TCP_CF_V6) != 0), mss;

	if (c->cold.probe_mss != 0) {
		if (tcp_seq_in(c->snd_una, c->cold.probe_seq, probe_end(c)))
			probe_failed(ts, c);
		else
			c->cold.probe_mss = 0;
		return;               /* this RTO was the probe's */
	}
	/* RFC 4821 §7.7 (Linux: tcp_mtu_probing()): full segments that
	 * keep vanishing while ACKs came before */
	if (!ts->conf.mtu_probing || c->rxtshift < 2 || (c->rxtshift & 1) != 0 ||
	    c->snd_max - c->snd_una <= tcp_smss(c) || c->mss <= floor)
		return;
	mss = c->mss > ts->conf.base_mss ? ts->conf.base_mss : c->mss / 2u;
	if (mss < floor)
		mss = floor;
	if (mss >= c->mss)
		return;
	ts->ctr[TCP_CTR_PMTU_BLACKHOLE]++;
	if (c->cold.mss_bh < 255)
		c->cold.mss_bh++;
	c->cold.mss_hi = c->mss;
	c->mss = (uint16_t)mss;
}

uint32_t
tcp_pmtu_probe_len(struct tcp_stack *ts, struct tcp_conn *c, uint32_t avail, uint32_t usable)
{
	uint32_t opt = (c->flags & TCP_CF_TS) ? TCP_OPT_TS_LEN : 0, p, len;

	if (c->cold.mss_hi == 0 || c->cold.probe_mss != 0 || !ts->conf.mtu_probing ||
	    (c->flags & TCP_CF_RECOVERY) || c->rxtshift != 0 || c->snd_nxt != c->snd_max)
		return 0;
	p = ((uint32_t)c->mss + c->cold.mss_hi) / 2u;
	if (p <= c->mss)
		return 0;
	len = p - opt;
	/* data to fill it and three segments behind it: its loss shows as
	 * duplicate ACKs, not as an RTO */
	if (avail < len + 3u * tcp_smss(c) || usable < len)
		return 0;
	ts->ctr[TCP_CTR_PMTU_PROBES]++;
	c->cold.probe_mss = (uint16_t)p;
	c->cold.probe_seq = c->snd_nxt;
	return len;
}
