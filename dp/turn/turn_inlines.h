/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's fast-path helpers, inline: building and looking up the
 * allocation key, permissions and channels (hot part first, then cold),
 * the relayed address of a family, and putting UDP/IP headers in front of
 * a relayed payload with its checksum carried (RFC 1624). Every one of
 * them is on the per-packet path of more than one file (client side, peer
 * side, hairpin), and perf builds have no LTO: a static function moved to
 * another .c would become a call.
 */
#ifndef DP_TURN_INLINES_H
#define DP_TURN_INLINES_H

#include <string.h>

#include <emmintrin.h>

#include <rte_hash_crc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "../dp.h"
#include "../net/net.h"
#include "stun.h"
#include "turn_internal.h"

/* The first word of the key of a tuple (turn_key_from()'s w0). */
static inline uint64_t
turn_key0(uint8_t transport, uint8_t family, uint8_t in_port, uint16_t cport,
	  uint16_t sport)
{
	return (uint64_t)family | (uint64_t)in_port << 8 | (uint64_t)cport << 16 |
	       (uint64_t)sport << 32 | (uint64_t)transport << 48;
}

/*
 * Build the key in registers and store it with two 16-byte stores, and
 * hash the register values: written field by field, the key would be
 * read back by the CRC (8-byte loads) and rte_hash's compare (16-byte
 * loads) across narrower stores, which the store buffer cannot forward:
 * a stall of a dozen cycles each time. The hash is rte_hash_crc() of the
 * key (what rte_hash computes itself on add), in the same word order.
 */
static inline uint32_t
turn_key_from(union turn_keyu *k, uint8_t transport, uint64_t conn_id,
	      uint8_t family, uint8_t in_port, const uint8_t *cip, uint16_t cport,
	      uint16_t sport)
{
	uint64_t w0 = turn_key0(transport, family, in_port, cport, sport);
	uint64_t w1 = 0, w2 = 0, w3 = conn_id;
	uint32_t h;

	if (family == NET_AF_IPV4) {
		uint32_t a;

		memcpy(&a, cip, 4);
		w1 = a;
	} else {
		memcpy(&w1, cip, 8);
		memcpy(&w2, cip + 8, 8);
	}
	k->v[0] = (turn_u64x2){ w0, w1 };
	k->v[1] = (turn_u64x2){ w2, w3 };
	h = rte_hash_crc_8byte(w0, 0);
	h = rte_hash_crc_8byte(w1, h);
	h = rte_hash_crc_8byte(w2, h);
	return rte_hash_crc_8byte(w3, h);
}

/* Address equality with the length known at compile time, so that it is
 * one or two loads, never a call. */
static inline bool
turn_ip_eq(uint8_t family, const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2];
	uint32_t u, v;

	if (family == NET_AF_IPV4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		return u == v;
	}
	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

static inline uint8_t
turn_stun_af(uint8_t family)
{
	return family == NET_AF_IPV4 ? STUN_AF_IPV4 : STUN_AF_IPV6;
}

static inline uint8_t
turn_net_af(uint8_t stun_family)
{
	return stun_family == STUN_AF_IPV4 ? NET_AF_IPV4 : NET_AF_IPV6;
}

/* The sum of the payload at payload_off + skip (len bytes) of the
 * datagram meta describes, from its checksum (net/cksum_relay.c). */
static inline void
turn_carry_from(struct turn_carry *c, const struct rte_mbuf *m,
	   const struct dp_udp_meta *meta, uint16_t skip, uint16_t len)
{
	const uint8_t *udp = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						     meta->payload_off - 8);

	c->sum = 0;
	c->ok = net_udp_region_sum(meta->family, meta->src, meta->dst, udp,
				   (uint16_t)(8 + skip), len, &c->sum);
}

/* The same for a client's message (in->udp: its datagram's UDP header;
 * NULL on streams, where nothing is carried: the sum is made at output). */
static inline void
turn_carry_from_in(struct turn_carry *c, const struct turn_from *from,
		   const struct turn_in *in, uint16_t skip, uint16_t len)
{
	c->sum = 0;
	c->ok = in->udp != NULL &&
		net_udp_region_sum(from->family, from->src, from->dst, in->udp,
				   (uint16_t)(8 + skip), len, &c->sum);
}

/* Keep len bytes of m's data from off on (off + len within it): what
 * rte_pktmbuf_adj() and rte_pktmbuf_trim() do, in three stores for the
 * one-segment mbuf every datagram is (their checks were some 15
 * instructions a relayed packet). */
static inline void
turn_mbuf_keep(struct rte_mbuf *m, uint16_t off, uint16_t len)
{
	RTE_ASSERT((uint32_t)off + len <= rte_pktmbuf_pkt_len(m));
	if (likely(m->nb_segs == 1)) {
		m->data_off = (uint16_t)(m->data_off + off);
		m->data_len = len;
		m->pkt_len = len;
		return;
	}
	rte_pktmbuf_adj(m, off);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - len));
}

/* Put UDP and IP headers in front of m's data (a UDP payload); returns
 * the IP header, or NULL (m freed, counted) without headroom. */
static inline uint8_t *
turn_udp_ip_hdrs(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
	    const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport)
{
	uint16_t plen = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint16_t l3 = family == NET_AF_IPV4 ? 20 : 40;
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)(l3 + 8));
	uint8_t *u;

	if (unlikely(p == NULL)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return NULL;
	}
	u = p + l3;
	{
		/* ports, length, checksum 0: two stores, not eight */
		uint16_t h[4] = { NET_NATIVE16(sport), NET_NATIVE16(dport),
				  NET_NATIVE16(plen + 8), 0 };

		memcpy(u, h, 8);
	}
	if (family == NET_AF_IPV4)
		ipv4_build_hdr(p, src, dst, 17, 64, (uint16_t)(l3 + 8 + plen));
	else
		ipv6_build_hdr(p, src, dst, 17, 64, (uint16_t)(plen + 8));
	return p;
}

/*
 * m's data is a UDP payload: put UDP and IP headers in front of it (in the
 * headroom the received headers left), checksum, and send. With a carry
 * the checksum is final here (the payload is not read); without one the
 * NIC or dp_ip_output() sums the whole datagram.
 */
static inline void
turn_udp_out(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
	const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
	const struct turn_carry *cy)
{
	uint16_t plen = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t *p = turn_udp_ip_hdrs(w, m, family, src, sport, dst, dport);
	uint8_t *u;

	if (unlikely(p == NULL))
		return;
	u = p + (family == NET_AF_IPV4 ? 20 : 40);
	if (cy != NULL && cy->ok) {
		uint16_t c = net_udp_cksum_with(family, src, dst, sport, dport,
						(uint16_t)(plen + 8), cy->sum);

		u[6] = (uint8_t)(c >> 8);
		u[7] = (uint8_t)c;
		dp_udp_cksum_done(m, family);
	} else {
		dp_udp_cksum_offer(m, family);
	}
	dp_ip_output(w, m, family, dst);
}

/* Overflow block id (1-based) of the worker's pool. */
static inline struct turn_ovf *
turn_ovf_block(const struct turn_worker *t, uint32_t id)
{
	id--;
	return &t->ovf.chunk[id / TURN_OVF_CHUNK][id % TURN_OVF_CHUNK];
}

/* Permission and channel i of a (i below its count), hot or in an
 * overflow block. */
static inline struct turn_perm *
turn_perm_at(const struct turn_worker *t, struct turn_alloc *a, unsigned int i)
{
	if (likely(i < TURN_HOT_BINDINGS))
		return &a->perms[i];
	i -= TURN_HOT_BINDINGS;
	return &turn_ovf_block(t, a->ovf[i / TURN_OVF_BINDINGS])->perms[i % TURN_OVF_BINDINGS];
}

static inline struct turn_chan *
turn_chan_at(const struct turn_worker *t, struct turn_alloc *a, unsigned int i)
{
	if (likely(i < TURN_HOT_BINDINGS))
		return &a->chans[i];
	i -= TURN_HOT_BINDINGS;
	return &turn_ovf_block(t, a->ovf[i / TURN_OVF_BINDINGS])->chans[i % TURN_OVF_BINDINGS];
}

/* Whether a connection id is a DTLS session's (lib/ipc's slot bit). */
static inline bool
turn_conn_dtls(uint64_t conn_id)
{
	return ((uint32_t)(conn_id >> IPC_CONN_SLOT_SHIFT) & IPC_CONN_SLOT_DTLS) != 0;
}

/* The client's transport of a: a stream exactly when it has a
 * connection that is not a DTLS session (lib/ipc's contract: plain UDP
 * tuples carry conn_id 0, DTLS ones a session's id, stream ones a
 * connection's). */
static inline uint8_t
turn_alloc_transport(const struct turn_alloc *a)
{
	return a->conn_id != 0 && !turn_conn_dtls(a->conn_id) ? STUN_TRANSPORT_TCP :
	       STUN_TRANSPORT_UDP;
}

/* Is k a's key? Its first word is kept (a->key0); the address and the
 * connection are a's own fields, read as turn_key_from() lays them out. */
static inline bool
turn_key_is(const union turn_keyu *k, const struct turn_alloc *a)
{
	uint64_t w1 = 0, w2 = 0;

	if ((uint8_t)a->key0 == NET_AF_IPV4) {
		uint32_t x;

		memcpy(&x, a->client.ip, 4);
		w1 = x;
	} else {
		memcpy(&w1, a->client.ip, 8);
		memcpy(&w2, a->client.ip + 8, 8);
	}
	return ((a->key0 ^ k->q[0]) | (w1 ^ k->q[1]) | (w2 ^ k->q[2]) |
		(a->conn_id ^ k->q[3])) == 0;
}

/* Keep a's key0 as its fields say, with in_port the dp port index its
 * client uses (after any of the client, the port, the server's port or
 * conn_id change: install, move, a test's own). */
static inline void
turn_alloc_key_set(struct turn_alloc *a, uint8_t in_port)
{
	a->key0 = turn_key0(turn_alloc_transport(a), a->client.family, in_port,
			    a->client.port, a->server.port);
}

/* a's tap gone (ALLOC_TAP off, its removal, a reinstall): the task
 * wiped (it is LI data). Inline: the table's files call it, and need
 * nothing else of turn_li.c. */
static inline void
turn_li_untap(struct turn_worker *t, struct turn_alloc *a)
{
	if (!a->tap)
		return;
	a->tap = 0;
	t->ntaps--;
	explicit_bzero(&t->taps[a - t->allocs], sizeof(*t->taps));
}

/* The dp port index a's client uses (in its key0: turn_key0()). */
static inline uint8_t
turn_alloc_in_port(const struct turn_alloc *a)
{
	return (uint8_t)(a->key0 >> 8);
}

/* The lanes of bucket b whose tag is tag (bits 0-6). */
static inline unsigned int
turn_tt_match(const struct turn_tt_bucket *b, uint32_t tag)
{
	__m128i x = _mm_set1_epi32((int)tag);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(const void *)b->tag), x);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(const void *)(b->tag + 4)),
				     x);

	return ((unsigned int)_mm_movemask_ps(_mm_castsi128_ps(lo)) |
		(unsigned int)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4) & 0x7fu;
}

static inline uint32_t
turn_tt_tag(uint32_t hash)
{
	return hash != 0 ? hash : 1u;
}

/* The slot of key k (hash: turn_key_from()'s), -1 when none. (A run of
 * buckets that all passed entries on could go round the whole table:
 * never more than every bucket once.) */
static inline int
turn_tt_lookup(const struct turn_worker *t, const union turn_keyu *k, uint32_t hash)
{
	uint32_t tag = turn_tt_tag(hash), bi = hash & t->tt.mask;

	for (uint32_t left = t->tt.mask + 1; left > 0; left--) {
		const struct turn_tt_bucket *b = &t->tt.b[bi];

		for (unsigned int m = turn_tt_match(b, tag); m != 0; m &= m - 1) {
			uint32_t slot = b->slot[__builtin_ctz(m)];

			if (turn_key_is(k, &t->allocs[slot]))
				return (int)slot;
		}
		if (b->tag[TURN_TT_LANES] == 0)
			return -1;
		bi = (bi + 1) & t->tt.mask;
	}
	return -1;
}

static inline struct turn_alloc *
turn_alloc_by_tuple(struct turn_worker *t, const union turn_keyu *k, uint32_t hash)
{
	int pos = turn_tt_lookup(t, k, hash);

	return pos < 0 ? NULL : &t->allocs[pos];
}

/* The by_relay table of relayed address idx of family. */
static inline unsigned int
turn_relay_tbl(const struct turn_worker *t, uint8_t family, unsigned int idx)
{
	return family == NET_AF_IPV4 ? idx : t->relay_base6 + idx;
}

/* The slot of relayed port in table tbl (port within the range). */
static inline uint32_t *
turn_relay_slot(struct turn_worker *t, unsigned int tbl, uint16_t port)
{
	return &t->by_relay[tbl * t->relay_span + (uint32_t)(port - t->relay_min)];
}

static inline struct turn_alloc *
turn_alloc_by_relay(struct turn_worker *t, unsigned int tbl, uint16_t port)
{
	uint32_t s = *turn_relay_slot(t, tbl, port);

	return s == 0 ? NULL : &t->allocs[s - 1];
}

/* The live permission of a for ip, or NULL. */
static inline const struct turn_perm *
turn_perm_get(const struct turn_worker *t, struct turn_alloc *a, uint8_t family,
	 const uint8_t *ip, uint64_t now_ms)
{
	for (unsigned int i = 0; i < a->nperms; i++) {
		const struct turn_perm *p = turn_perm_at(t, a, i);

		if (p->family == family && turn_ip_eq(family, p->ip, ip))
			return p->expires_ms > now_ms ? p : NULL;
	}
	return NULL;
}

static inline bool
turn_perm_ok(const struct turn_worker *t, struct turn_alloc *a, uint8_t family,
	const uint8_t *ip, uint64_t now_ms)
{
	return turn_perm_get(t, a, family, ip, now_ms) != NULL;
}

static inline const struct turn_chan *
turn_chan_by_number(const struct turn_worker *t, struct turn_alloc *a, uint16_t ch,
	       uint64_t now_ms)
{
	for (unsigned int i = 0; i < a->nchans; i++) {
		const struct turn_chan *c = turn_chan_at(t, a, i);

		if (c->channel == ch)
			return c->expires_ms > now_ms ? c : NULL;
	}
	return NULL;
}

static inline const struct turn_chan *
turn_chan_by_peer(const struct turn_worker *t, struct turn_alloc *a, uint8_t family,
	     const uint8_t *ip, uint16_t port, uint64_t now_ms)
{
	for (unsigned int i = 0; i < a->nchans; i++) {
		const struct turn_chan *c = turn_chan_at(t, a, i);

		if (c->peer.port == port && c->peer.family == family &&
		    turn_ip_eq(family, c->peer.ip, ip))
			return c->expires_ms > now_ms ? c : NULL;
	}
	return NULL;
}

/* The relayed address of the allocation in family (its port is
 * a->relay_port), or NULL. */
static inline const struct ipc_addr *
turn_relayed_for(const struct turn_worker *t, const struct turn_alloc *a, uint8_t family)
{
	for (unsigned int i = 0; i < a->nrelayed; i++) {
		const struct ipc_addr *r = &t->relay_addr[a->relay_tbl[i]];

		if (r->family == family)
			return r;
	}
	return NULL;
}

/* The lines of an allocation that relaying reads and writes: 0 (the
 * client, the keys), 1 (the counters), 3 and 4 (the hot bindings); not 2,
 * which only a drop or a control message reads. */
static inline void
turn_alloc_prefetch(const struct turn_alloc *a)
{
	const uint8_t *p = (const uint8_t *)a;

	rte_prefetch0(p);
	rte_prefetch0(p + RTE_CACHE_LINE_SIZE);
	rte_prefetch0(p + 3 * RTE_CACHE_LINE_SIZE);
	rte_prefetch0(p + 4 * RTE_CACHE_LINE_SIZE);
}

/*
 * RFC 8656 §12.4: put the ChannelData head (channel, length dlen; the
 * layout chdata_encode_hdr() writes, inline here) in front of m's data,
 * dlen bytes, and with pad (§12.5: stream transports) 0-3 zero bytes
 * after it to a multiple of 4. Returns the frame's length, 0 when m has
 * no room for it (m is then the caller's to free).
 */
static inline uint16_t
turn_chdata_wrap(struct rte_mbuf *m, uint16_t channel, uint16_t dlen, bool pad)
{
	uint16_t padlen = pad ? (uint16_t)((4u - (dlen & 3u)) & 3u) : 0;
	uint8_t *h;

	if (padlen != 0) {
		uint8_t *tail = (uint8_t *)rte_pktmbuf_append(m, padlen);

		if (tail == NULL)
			return 0;
		memset(tail, 0, padlen);
	}
	h = (uint8_t *)rte_pktmbuf_prepend(m, CHDATA_HDR_LEN);
	if (h == NULL)
		return 0;
	{
		/* one store, not four byte stores and their shifts */
		uint16_t hd[2] = { NET_NATIVE16(channel), NET_NATIVE16(dlen) };

		memcpy(h, hd, CHDATA_HDR_LEN);
	}
	return (uint16_t)(CHDATA_HDR_LEN + dlen + padlen);
}

/* chdata_decode() (lib/stun, RFC 8656 §12.4, §12.6: the same rules),
 * inline: the call was some 23 instructions a ChannelData. */
static inline int
turn_chdata_decode(const uint8_t *buf, size_t len, struct chdata *out)
{
	uint16_t ch, dlen;

	if (len < CHDATA_HDR_LEN)
		return -1;
	ch = (uint16_t)((buf[0] << 8) | buf[1]);
	dlen = (uint16_t)((buf[2] << 8) | buf[3]);
	if (ch < CHDATA_CHANNEL_MIN || ch > CHDATA_FRAMED_MAX)
		return -1;
	/* §12.6: shorter than 4 + Length is discarded; so is more than the
	 * 3 bytes that padding can explain. */
	if (len < CHDATA_HDR_LEN + (size_t)dlen || len - CHDATA_HDR_LEN - dlen > 3)
		return -1;
	out->channel = ch;
	out->len = dlen;
	out->data = buf + CHDATA_HDR_LEN;
	return 0;
}

/* ---- transports -------------------------------------------------------- */

/* The ops of a transport (17 or 6; ipc_msg_check() and the adapters allow
 * no other; 17 with a connection is a DTLS session), NULL for any other. */
static inline const struct turn_xport_ops *
turn_xport(uint8_t transport, uint64_t conn_id)
{
	return transport == STUN_TRANSPORT_UDP ?
	       (conn_id == 0 ? &turn_udp_ops : &turn_dtls_ops) :
	       transport == STUN_TRANSPORT_TCP ? &turn_stream_ops : NULL;
}

/* A STUN message back to where from came from (copied from buf). UDP by
 * a direct call; a transport without an adapter is counted. */
static inline void
turn_reply(struct dp_worker *w, const struct turn_from *from, const uint8_t *buf,
	   uint16_t len)
{
	const struct turn_xport_ops *x;

	if (likely(from->transport == STUN_TRANSPORT_UDP && from->conn_id == 0)) {
		turn_udp_reply(w, from, buf, len);
		return;
	}
	x = turn_xport(from->transport, from->conn_id);
	if (x == NULL) {
		w->turn->xport_none++;
		return;
	}
	x->reply(w, from, buf, len);
}



/* Where a's client is, as a reply needs it. */
static inline void
turn_from_alloc(struct turn_from *f, const struct turn_alloc *a)
{
	f->transport = turn_alloc_transport(a);
	f->family = a->client.family;
	f->in_port = turn_alloc_in_port(a);
	f->pad = 0;
	f->src_port = a->client.port;
	f->dst_port = a->server.port;
	f->conn_id = a->conn_id;
	memcpy(f->src, a->client.ip, 16);
	memcpy(f->dst, a->server.ip, 16);
}

/* The tuple cp keys a client by, from where it is. */
static inline void
turn_tuple_from(struct ipc_tuple *tu, const struct turn_from *from)
{
	memset(tu, 0, sizeof(*tu));
	tu->transport = from->transport;
	tu->conn_id = from->conn_id;
	tu->in_port = from->in_port;
	tu->client.family = from->family;
	tu->client.port = from->src_port;
	memcpy(tu->client.ip, from->src, 16);
	tu->server.family = from->family;
	tu->server.port = from->dst_port;
	memcpy(tu->server.ip, from->dst, 16);
}

/* Where the client of a tuple from cp is. */
static inline void
turn_from_tuple(struct turn_from *f, const struct ipc_tuple *tu)
{
	f->transport = tu->transport;
	f->family = tu->client.family;
	f->in_port = tu->in_port;
	f->pad = 0;
	f->src_port = tu->client.port;
	f->dst_port = tu->server.port;
	f->conn_id = tu->conn_id;
	memcpy(f->src, tu->client.ip, 16);
	memcpy(f->dst, tu->server.ip, 16);
}

/* Relayed data to a's client: m's data is the ChannelData or Data
 * indication, cy NULL or its carried sum. UDP inline, as it always was;
 * a transport without an adapter is counted. Consumes m. */
static inline void
turn_to_client(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
	       const struct turn_carry *cy)
{
	const struct turn_xport_ops *x;

	if (likely(a->conn_id == 0)) {
		turn_udp_out(w, m, a->client.family, a->server.ip, a->server.port,
			     a->client.ip, a->client.port, cy);
		return;
	}
	x = turn_xport(turn_alloc_transport(a), a->conn_id);
	if (x == NULL) {
		w->turn->xport_none++;
		rte_pktmbuf_free(m);
		return;
	}
	x->to_client(w, a, m, cy);
}

/*
 * Is a's bandwidth limit spent for len more payload bytes in direction
 * dir (counted then)? Datagrams are whole: one that the bucket cannot
 * hold whole is dropped, and the bucket never goes into debt. The
 * caller tests t->bw first, so that a worker with no limit pays one
 * branch; an allocation without one on a worker with some pays a read
 * of its slot's line.
 */
static inline bool
turn_bw_over(struct turn_worker *t, const struct turn_alloc *a, enum turn_bw_dir dir,
	     uint32_t len)
{
	struct turn_bw *b = &t->bw[a - t->allocs];
	struct police *p = &b->pol[dir];

	if (p->rate == 0)
		return false;
	police_refill(p, t->now_ms);
	if (police_allow(p) < len) {
		b->drops[dir]++;
		return true;
	}
	police_take(p, len);
	return false;
}

static inline void
turn_to_peer(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
	     const struct ipc_addr *peer, const struct turn_carry *cy)
{
	struct turn_worker *t = w->turn;
	const struct ipc_addr *rel = turn_relayed_for(t, a, peer->family);
	const struct turn_perm *perm = turn_perm_get(t, a, peer->family, peer->ip, t->now_ms);
	uint16_t len = (uint16_t)rte_pktmbuf_pkt_len(m);

	if (rel == NULL || perm == NULL) {
		a->stats[TURN_STAT_DROP_NO_PERMISSION]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(t->bw != NULL) && turn_bw_over(t, a, TURN_BW_TO_PEER, len)) {
		dp_drop_pkt(w, m, DP_DROP_TURN_POLICED);
		return;
	}
	a->stats[TURN_STAT_PKTS_TO_PEER]++;
	a->stats[TURN_STAT_BYTES_TO_PEER] += len;
	/* lawful interception: the datagram from the target, as it leaves
	 * the relayed address for the peer */
	if (unlikely(a->tap))
		turn_li_copy(w, a, m, 0, len, peer->family, rel->ip, a->relay_port, peer->ip,
			     peer->port, TURN_LI_FROM_TARGET);
	if (unlikely(perm->hairpin)) {
		turn_hairpin_out(w, a, m, rel, peer, cy);
		return;
	}
	turn_udp_out(w, m, peer->family, rel->ip, a->relay_port, peer->ip, peer->port,
		cy);
}

/*
 * ChannelData from a client (RFC 8656 §12.4) relayed to the peer bound to
 * its channel. Inline: the UDP listener (turn_udp.c) is its hot caller,
 * and a call into another file here, plus the turn_from its caller must
 * then build in memory, cost 10-15 cycles a packet (perf/run --ab,
 * inline against a call); streams call turn_client_chdata().
 */
/*
 * Did a client's datagram reach its allocation's address? The tables are
 * keyed by the client's transport address and our port, not our address:
 * on a box without tenants each port has one TURN address a family, so
 * that is the 5-tuple. With tenants the address decides the tenant, and
 * data sent to tenant B's address (or the default's) from the source of
 * an allocation made at A is not A's to relay (RFC 8656's 5-tuple; a NAT
 * that maps by destination gives two subscribers one source).
 */
static inline bool
turn_reached_at(struct turn_worker *t, uint8_t family, const uint8_t *dst,
		const struct turn_alloc *a)
{
	if (likely(t->ntnonce == 0))
		return true;
	if (memcmp(dst, a->server.ip, family == NET_AF_IPV4 ? 4 : 16) == 0)
		return true;
	t->drop_other_address++;
	return false;
}

static inline bool
turn_reached(struct turn_worker *t, const struct turn_from *from,
	     const struct turn_alloc *a)
{
	return turn_reached_at(t, from->family, from->dst, a);
}

/*
 * The body of turn_client_chdata_inline(), with where the message came
 * from (a turn_from's fields) and the message (m; udp: its datagram's UDP
 * header, NULL on streams; off, len: a turn_in's) as scalars: the UDP
 * listener passes its meta's fields and builds neither struct in memory
 * (their stores were some 20 instructions a ChannelData).
 */
static inline void
turn_chdata_relay(struct dp_worker *w, struct rte_mbuf *m, uint8_t transport,
		  uint64_t conn_id, uint8_t family, uint8_t in_port, const uint8_t *src,
		  const uint8_t *dst, uint16_t sport, uint16_t dport, const uint8_t *udp,
		  uint16_t off, uint16_t len)
{
	struct turn_worker *t = w->turn;
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	union turn_keyu k;
	struct turn_alloc *a;
	const struct turn_chan *c;
	struct chdata cd;
	struct turn_carry cy;
	uint32_t h = turn_key_from(&k, transport, conn_id, family, in_port, src, sport, dport);

	a = turn_alloc_by_tuple(t, &k, h);
	/* RFC 8656 §12.6: no allocation, bad framing, unbound or reserved
	 * channel: discard silently. No allocation here may be one that
	 * lives on another worker (RFC 8016 across workers: a plain UDP
	 * client's only). */
	if (a == NULL || turn_chdata_decode(p, len, &cd) < 0) {
		/* (the key by value: its address taken, it would live in
		 * memory on the hit path too) */
		if (a == NULL && transport == STUN_TRANSPORT_UDP && conn_id == 0 &&
		    turn_fwd_pass_v(w, m, k.v[0], k.v[1]))
			return;
		t->ctr[TURN_STAT_DROP_MALFORMED]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(!turn_reached_at(t, family, dst, a))) {
		rte_pktmbuf_free(m);
		return;
	}
	a->stats[TURN_STAT_PKTS_FROM_CLIENT]++;
	a->stats[TURN_STAT_BYTES_FROM_CLIENT] += len;
	/* Only channels cp bound are found; reserved numbers never are. */
	c = turn_chan_by_number(t, a, cd.channel, t->now_ms);
	if (c == NULL) {
		a->stats[TURN_STAT_DROP_NO_CHANNEL]++;
		rte_pktmbuf_free(m);
		return;
	}
	/* turn_carry_from_in()'s */
	cy.sum = 0;
	cy.ok = udp != NULL &&
		net_udp_region_sum(family, src, dst, udp, (uint16_t)(8 + CHDATA_HDR_LEN),
				   cd.len, &cy.sum);
	turn_mbuf_keep(m, (uint16_t)(off + CHDATA_HDR_LEN), cd.len);
	turn_to_peer(w, a, m, &c->peer, &cy);
}

static inline void
turn_client_chdata_inline(struct dp_worker *w, const struct turn_from *from,
			  const struct turn_in *in)
{
	turn_chdata_relay(w, in->m, from->transport, from->conn_id, from->family,
			  from->in_port, from->src, from->dst, from->src_port, from->dst_port,
			  in->udp, in->off, in->len);
}

#endif /* DP_TURN_INLINES_H */
