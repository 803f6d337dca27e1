/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN in the worker (RFC 8656): the client listener and the relayed
 * ports. Binding requests are answered here (RFC 8489 §7.3.1); the
 * control requests (Allocate, Refresh, CreatePermission, ChannelBind) go
 * to cp over the worker's ring, and what cp decides comes back on the
 * other ring: installs first, then the response to send. Send and Data
 * indications, ChannelData both ways and peer datagrams never leave the
 * worker: the payload stays in its mbuf and only the headers in front of
 * it are rewritten. Relayed payloads are not read at all: the UDP
 * checksum of the datagram that brought one is carried into the datagram
 * that takes it on (net_udp_region_sum(), RFC 1624), so the relay does
 * not verify what it does not look at and damage stays detectable by the
 * receiver; STUN messages, which dp does read, are verified first.
 *
 * Tables, per worker, sized at start: the allocation slots and the client
 * 5-tuple hash (tp_conf_worker_allocs() entries, with an extendable bucket
 * table so that an insert never fails below that), and for the peer side
 * one slot table per relayed address indexed by port. A peer datagram
 * finds its allocation with one table read: the network layer already
 * knows which relayed address it was sent to (the port's own address
 * compared first, then one 32-bit or two 64-bit compares per relayed
 * address), and (address, port) indexes the table.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net_crc.h>

#include "../dp.h"
#include "../net/net.h"
#include "ipc.h"
#include "nonce.h"
#include "stun.h"
#include "tp_conf.h"
#include "turn.h"
#include "turn_inlines.h"

/* ---- set-up ------------------------------------------------------------- */

static uint16_t
relay_owner(const struct dp_ctx *ctx, uint16_t port)
{
	const struct dp_turn_conf *tc = &ctx->turn;
	uint32_t span = (uint32_t)tc->relay_max - tc->relay_min + 1;
	uint32_t chunk = (span + ctx->nworkers - 1) / ctx->nworkers;

	return (uint16_t)((port - tc->relay_min) / chunk);
}

int
turn_init(struct dp_ctx *ctx)
{
	const struct dp_turn_conf *tc = &ctx->turn;
	uint8_t addrs[TP_CONF_MAX_RELAY][16];
	uint32_t cap = tp_conf_worker_allocs(ctx->conf);
	uint32_t n4 = tp_conf_relay_addrs(ctx->conf, 4, addrs, NULL);
	uint32_t n6 = tp_conf_relay_addrs(ctx->conf, 6, addrs, NULL);
	uint32_t span = (uint32_t)tc->relay_max - tc->relay_min + 1;
	size_t bytes = 0;
	int rc;

	if (!tc->enabled)
		return 0;
	/* The fastest CRC-32 this CPU has (AVX-512, else SSE4.2 with
	 * PCLMULQDQ, else a table): FINGERPRINT checks. */
	rte_net_crc_set_alg(RTE_NET_CRC_AVX512);
	if (turn_key_hash_selfcheck() < 0) {
		fprintf(stderr, "turnpike-dp: internal error: the allocation key's "
			"hash differs from rte_hash_crc()\n");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];
		struct turn_worker *t = &w->turn;

		rc = turn_worker_tables(w, cap, n4 + n6, span, &bytes);
		if (rc < 0) {
			fprintf(stderr, "turnpike-dp: worker %u: no memory for %u "
				"allocations (%zu bytes each; cp.quota_total %u over %u "
				"worker(s)): reserve more hugepages or lower "
				"cp.quota_total\n", i, cap,
				sizeof(struct turn_alloc) + sizeof(struct turn_alloc_cold),
				ctx->conf->cp.quota_total, ctx->nworkers);
			return rc;
		}
		t->relay_span = span;
		t->relay_min = tc->relay_min;
		t->relay_base6 = (uint8_t)n4;
		t->rings = ipc_worker(&ctx->ipc, i);
		/* cp has not been seen serving: the grace starts now */
		t->cp_serving = false;
		t->cp_down_since_ms = ipc_monotonic_ms();
		t->cp_grace_ms = (uint64_t)ctx->conf->turn.cp_grace_s * 1000u;
	}
	printf("turnpike-dp: TURN table: %u allocations per worker (cp.quota_total "
	       "%u over %u worker(s)), %.1f MiB per worker (%zu-byte hot and %zu-byte "
	       "cold slots); "
	       "relayed on %u IPv4 and %u IPv6 address(es) x %u port(s)\n", cap,
	       ctx->conf->cp.quota_total, ctx->nworkers,
	       (double)bytes / (1024.0 * 1024.0), sizeof(struct turn_alloc),
	       sizeof(struct turn_alloc_cold), n4, n6,
	       span);
	rc = dp_udp_register(ctx, tc->listen_port, turn_client_input, NULL,
			     DP_OWNER_FLOW, false);
	if (rc < 0) {
		fprintf(stderr, "turnpike-dp: cannot listen for TURN on UDP %u: %s\n",
			tc->listen_port, strerror(-rc));
		return rc;
	}
	dp_udp_set_flags(ctx, tc->listen_port, DP_UDP_DEFER_CKSUM);
	for (uint32_t p = tc->relay_min; p <= tc->relay_max; p++) {
		rc = dp_udp_register(ctx, (uint16_t)p, turn_peer_input, NULL,
				     relay_owner(ctx, (uint16_t)p), true);
		if (rc < 0) {
			fprintf(stderr, "turnpike-dp: relay port %u is taken: %s\n", p,
				strerror(-rc));
			return rc;
		}
		dp_udp_set_flags(ctx, (uint16_t)p, DP_UDP_DEFER_CKSUM);
	}
	return 0;
}

void
turn_free(struct dp_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];

		if (w == NULL)
			continue;
		rte_hash_free(w->turn.by_tuple);
		rte_free(w->turn.allocs);
		rte_free(w->turn.cold);
		rte_free(w->turn.by_relay);
		rte_free(w->turn.live.slot);
		rte_free(w->turn.live.pos);
		rte_free(w->turn.admit);
		nonce_ctx_fini(&w->turn.nonce);
		memset(&w->turn, 0, sizeof(w->turn));
	}
}

/* ---- ahead of a burst ---------------------------------------------------- */

/* Allocations per worker from which turn_prefetch_burst() pays: 4096
 * hot parts are 1.25 MiB, most of an L2 that also holds the packets. */
#define TURN_PREFETCH_MIN_ALLOCS 4096u

/*
 * With many allocations every relayed packet misses the cache several
 * times (the hash bucket, its key, the allocation's lines), and handled
 * one packet after another those misses queue. So before a burst is
 * handled, find what its TURN packets will look up and ask for it: the
 * client tuples of ChannelData in one bulk lookup (which overlaps its own
 * misses), the allocations behind relayed ports from their slots, and
 * every allocation's lines. Only plain IPv4/UDP is looked at; anything
 * else (and anything malformed) is left to the normal path, which checks
 * everything again: a hint is never trusted.
 */
void
turn_prefetch_burst(struct dp_worker *w, const struct dp_port *port,
		    struct rte_mbuf **pkts, uint16_t n)
{
	struct turn_worker *t = &w->turn;
	const struct dp_ctx *ctx = w->ctx;
	union turn_keyu keys[DP_BURST * 2];
	const void *kp[DP_BURST * 2];
	hash_sig_t sig[DP_BURST * 2];
	int32_t pos[DP_BURST * 2];
	unsigned int nk = 0;

	/* Measured (perf/RESULTS.md): with 1000 allocations, all in L2,
	 * the pass costs some 15 cycles a packet and saves nothing; at 100k
	 * it saves hundreds. It starts where the hot parts outgrow L2. */
	if (t->rings == NULL || t->nallocs < TURN_PREFETCH_MIN_ALLOCS)
		return;
	/* Every head at once: another core wrote them. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], const uint8_t *));
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		const uint8_t *ip = f + RTE_ETHER_HDR_LEN, *u;
		const struct dp_udp_listener *l;
		uint16_t dport;

		if (unlikely(rte_pktmbuf_data_len(pkts[i]) < RTE_ETHER_HDR_LEN + 20 + 8 + 4))
			continue;
		if (f[12] == 0x81 && f[13] == 0x00)
			ip += 4;
		if (ip[-2] != 0x08 || ip[-1] != 0x00 || ip[0] != 0x45 || ip[9] != 17)
			continue;
		u = ip + 20;
		dport = (uint16_t)(u[2] << 8 | u[3]);
		l = &ctx->udp[dport];
		if (l->flags & DP_UDP_RELAYED) {
			bool own;
			int idx;
			struct turn_alloc *a;

			if (l->owner != w->id || !dp_local4(port, ip + 16, &own, &idx) ||
			    idx < 0)
				continue;
			a = turn_alloc_by_relay(t, turn_relay_tbl(t, NET_AF_IPV4, (unsigned int)idx),
					   dport);
			if (a != NULL)
				turn_alloc_prefetch(a);
		} else if (dport == ctx->turn.listen_port && (u[8] & 0xc0u) == 0x40u) {
			uint16_t sport = (uint16_t)(u[0] << 8 | u[1]);

			if (!port->rss && dp_flow_owner(ctx, NET_AF_IPV4, ip + 12, ip + 16,
							sport, dport, 17) != w->id)
				continue;
			sig[nk] = turn_key_from(&keys[nk], NET_AF_IPV4, port->index, ip + 12,
					   sport, dport);
			kp[nk] = &keys[nk];
			nk++;
		}
	}
	if (nk == 0)
		return;
	if (rte_hash_lookup_with_hash_bulk(t->by_tuple, kp, sig, nk, pos) < 0)
		return;
	for (unsigned int i = 0; i < nk; i++)
		if (pos[i] >= 0)
			turn_alloc_prefetch(&t->allocs[pos[i]]);
}

/* ---- from the client ---------------------------------------------------- */

static void
to_peer(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
	const struct ipc_addr *peer, const struct turn_carry *cy)
{
	const struct ipc_addr *rel = turn_relayed_for(a, peer->family);
	const struct turn_perm *perm = turn_perm_get(&w->turn, a, peer->family, peer->ip,
						w->turn.now_ms);
	uint16_t len = (uint16_t)rte_pktmbuf_pkt_len(m);

	if (rel == NULL || perm == NULL) {
		a->stats[TURN_STAT_DROP_NO_PERMISSION]++;
		rte_pktmbuf_free(m);
		return;
	}
	a->stats[TURN_STAT_PKTS_TO_PEER]++;
	a->stats[TURN_STAT_BYTES_TO_PEER] += len;
	if (unlikely(perm->hairpin)) {
		turn_hairpin_out(w, a, m, rel, peer, cy);
		return;
	}
	turn_udp_out(w, m, peer->family, rel->ip, a->relay_port, peer->ip, peer->port,
		cy);
}

static void
client_chdata(struct dp_worker *w, struct rte_mbuf *m,
	      const struct dp_udp_meta *meta, const uint8_t *p)
{
	struct turn_worker *t = &w->turn;
	union turn_keyu k;
	struct turn_alloc *a;
	const struct turn_chan *c;
	struct chdata cd;
	struct turn_carry cy;

	a = turn_alloc_by_tuple(t, &k, turn_key_from(&k, meta->family, meta->in_port,
					   meta->src, meta->src_port,
					   meta->dst_port));
	/* RFC 8656 §12.6: no allocation, bad framing, unbound or reserved
	 * channel: discard silently. */
	if (a == NULL || chdata_decode(p, meta->payload_len, &cd) < 0) {
		t->ctr[TURN_STAT_DROP_MALFORMED]++;
		rte_pktmbuf_free(m);
		return;
	}
	a->stats[TURN_STAT_PKTS_FROM_CLIENT]++;
	a->stats[TURN_STAT_BYTES_FROM_CLIENT] += meta->payload_len;
	/* Only channels cp bound are found; reserved numbers never are. */
	c = turn_chan_by_number(t, a, cd.channel, t->now_ms);
	if (c == NULL) {
		a->stats[TURN_STAT_DROP_NO_CHANNEL]++;
		rte_pktmbuf_free(m);
		return;
	}
	turn_carry_from(&cy, m, meta, CHDATA_HDR_LEN, cd.len);
	rte_pktmbuf_adj(m, (uint16_t)(meta->payload_off + CHDATA_HDR_LEN));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - cd.len));
	to_peer(w, a, m, &c->peer, &cy);
}

static void
client_send_indication(struct dp_worker *w, struct rte_mbuf *m,
		       const struct dp_udp_meta *meta, const struct stun_msg *msg)
{
	struct turn_worker *t = &w->turn;
	const struct stun_attr *pa, *da;
	struct turn_alloc *a;
	union turn_keyu k;
	struct stun_addr sa;
	struct ipc_addr peer;
	struct turn_carry cy;

	a = turn_alloc_by_tuple(t, &k, turn_key_from(&k, meta->family, meta->in_port,
					   meta->src, meta->src_port,
					   meta->dst_port));
	pa = stun_msg_find(msg, STUN_ATTR_XOR_PEER_ADDRESS);
	da = stun_msg_find(msg, STUN_ATTR_DATA);
	/* RFC 8656 §11.2: without an allocation, XOR-PEER-ADDRESS or DATA:
	 * discard. DONT-FRAGMENT is honoured as every relayed IPv4 packet
	 * leaves with DF set. */
	if (a == NULL || pa == NULL || da == NULL ||
	    stun_attr_get_addr(msg, pa, &sa) < 0) {
		t->ctr[TURN_STAT_DROP_MALFORMED]++;
		rte_pktmbuf_free(m);
		return;
	}
	a->stats[TURN_STAT_PKTS_FROM_CLIENT]++;
	a->stats[TURN_STAT_BYTES_FROM_CLIENT] += meta->payload_len;
	memset(&peer, 0, sizeof(peer));
	peer.family = turn_net_af(sa.family);
	peer.port = sa.port;
	memcpy(peer.ip, sa.ip, 16);
	/* Port 0 is never a destination (RFC 768 reserves it; a datagram to
	 * it was seen on the peers' wire): dropped and counted. ChannelBind
	 * to it is refused by cp, so no channel leads there. */
	if (unlikely(peer.port == 0)) {
		t->peer_port0++;
		rte_pktmbuf_free(m);
		return;
	}
	turn_carry_from(&cy, m, meta, (uint16_t)(da->value - msg->buf), da->len);
	rte_pktmbuf_adj(m, (uint16_t)(meta->payload_off +
				      (da->value - msg->buf)));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - da->len));
	to_peer(w, a, m, &peer, &cy);
}

static void
answer_binding(struct dp_worker *w, const struct dp_udp_meta *meta,
	       const struct stun_msg *msg)
{
	uint8_t buf[128];
	struct stun_builder b;
	struct stun_addr xa;
	int n;

	memset(&xa, 0, sizeof(xa));
	xa.family = turn_stun_af(meta->family);
	xa.port = meta->src_port;
	memcpy(xa.ip, meta->src, 16);
	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_SUCCESS),
			msg->tid);
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &xa);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, w->ctx->turn.software);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n > 0)
		turn_send_stun(w, meta->family, meta->dst, meta->dst_port, meta->src,
			  meta->src_port, buf, (uint16_t)n);
}

static void
answer_error(struct dp_worker *w, const struct dp_udp_meta *meta,
	     const struct stun_msg *msg, uint16_t code)
{
	uint8_t buf[256];
	int n = stun_build_error_response(buf, sizeof(buf), msg, code,
					  w->ctx->turn.software);

	if (n > 0)
		turn_send_stun(w, meta->family, meta->dst, meta->dst_port, meta->src,
			  meta->src_port, buf, (uint16_t)n);
}

/*
 * RFC 8489 §9.2.4, first check: a request without MESSAGE-INTEGRITY(-SHA256)
 * is answered 401 with REALM and a fresh NONCE. dp answers it itself, with
 * cp's key, realm and SOFTWARE (the block cp published: lib/nonce builds
 * cp's challenges too, byte for byte), within the source's challenge
 * budget: a 401 is some three times the size of a bare Allocate, and a
 * spoofed flood would aim them at its victim. The nonce proves return
 * routability when it comes back (turn_admit_lane()).
 */
static void
answer_challenge(struct dp_worker *w, const struct dp_udp_meta *meta,
		 const struct stun_msg *msg, const struct stun_addr *from)
{
	struct turn_worker *t = &w->turn;
	uint8_t buf[1024];
	int n;

	_Static_assert(sizeof(buf) >= NONCE_CHALLENGE_MAX, "a challenge fits");
	if (!turn_admit_challenge(t->admit, meta->family, meta->src, t->now_ms))
		return;         /* counted; silence, as cp's limiter */
	n = nonce_challenge_build(&t->nonce, STUN_ERR_UNAUTHENTICATED, msg->method,
				  msg->tid, from, STUN_TRANSPORT_UDP,
				  t->now_ms / 1000u, buf, sizeof(buf));
	if (n > 0)
		turn_send_stun(w, meta->family, meta->dst, meta->dst_port, meta->src,
			  meta->src_port, buf, (uint16_t)n);
}

static void
tuple_from_meta(struct ipc_tuple *tu, const struct dp_udp_meta *meta)
{
	memset(tu, 0, sizeof(*tu));
	tu->transport = 17;
	tu->in_port = meta->in_port;
	tu->client.family = meta->family;
	tu->client.port = meta->src_port;
	memcpy(tu->client.ip, meta->src, 16);
	tu->server.family = meta->family;
	tu->server.port = meta->dst_port;
	memcpy(tu->server.ip, meta->dst, 16);
}

/*
 * Pass a control request to cp; never block. While cp is not serving
 * (starting, restarting, gone) the request is dropped and counted, so that
 * the client's retransmission meets a cp that is back, for up to
 * turn.cp_grace; past that, 500, and the client can go elsewhere. A full
 * ring is a burst cp has not caught up with yet (every client of a box
 * retransmitting into a cp that just came back): the request is dropped as
 * a congested link would drop it, and its retransmission, half a second
 * later and more, finds room. (A 500 there made such clients give up.)
 */
static void
to_cp(struct dp_worker *w, const struct dp_udp_meta *meta,
      const struct stun_msg *msg)
{
	struct turn_worker *t = &w->turn;
	static _Thread_local struct ipc_msg out;

	if (unlikely(!t->cp_serving)) {
		if (t->cp_checked_ms - t->cp_down_since_ms < t->cp_grace_ms) {
			t->cp_wait++;
			return;
		}
		t->cp_gone++;
		answer_error(w, meta, msg, STUN_ERR_SERVER_ERROR);
		return;
	}
	{
		union turn_keyu k;
		bool existing = turn_alloc_by_tuple(t, &k, turn_key_from(&k, meta->family,
					meta->in_port, meta->src, meta->src_port,
					meta->dst_port)) != NULL;
		struct stun_addr from;
		enum turn_lane lane;

		from.family = turn_stun_af(meta->family);
		from.port = meta->src_port;
		memcpy(from.ip, meta->src, 16);
		/* Nonces expire on CLOCK_MONOTONIC seconds, as cp's do. */
		lane = turn_admit_lane(t->admit, t->nonce_ok ? &t->nonce : NULL, msg,
				       existing, &from, STUN_TRANSPORT_UDP,
				       t->now_ms / 1000u);
		if (lane == TURN_LANE_CHALLENGE) {
			answer_challenge(w, meta, msg, &from);
			return;
		}
		if (!turn_admit(t->admit, lane, meta->family, meta->src,
				ipc_ring_count(&t->rings->to_cp), t->now_ms))
			return;         /* counted; the client retransmits */
	}
	memset(&out.h, 0, sizeof(out.h));
	out.h.kind = IPC_REQUEST;
	out.h.worker = (uint16_t)w->id;
	out.h.seq = t->to_cp_seq++;
	tuple_from_meta(&out.h.tuple, meta);
	if (msg->len > sizeof(out.body)) {
		answer_error(w, meta, msg, STUN_ERR_BAD_REQUEST);
		return;
	}
	out.h.body_len = (uint16_t)msg->len;
	memcpy(out.body, msg->buf, msg->len);
	if (ipc_ring_enqueue(&t->rings->to_cp, &out) < 0) {
		t->ipc_full++;
		return;
	}
	t->ipc_out++;
	/* cp dozing on its doorbell: wake it (a system call, only then) */
	if (ipc_cp_ring(w->ctx->ipc.shm))
		t->cp_rung++;
}

/*
 * RFC 8489 §14.7: a message whose FINGERPRINT does not match is not STUN,
 * and is discarded. dp checks the messages it acts on itself (Binding
 * requests, Send indications) with DPDK's CRC-32 (PCLMULQDQ: some 60
 * cycles for 156 bytes, where zlib's takes 680); cp checks the requests
 * it is handed. Messages without FINGERPRINT pass.
 */
static inline bool
fingerprint_ok(const struct stun_msg *msg)
{
	const struct stun_attr *fp = stun_msg_find(msg, STUN_ATTR_FINGERPRINT);
	uint32_t want;

	if (likely(fp == NULL))
		return true;
	want = (uint32_t)fp->value[0] << 24 | (uint32_t)fp->value[1] << 16 |
	       (uint32_t)fp->value[2] << 8 | fp->value[3];
	/* FINGERPRINT is last (lib/stun refuses anything after it), so the
	 * header's length already covers it: the CRC is over the bytes
	 * before it, as they are. */
	return (rte_net_crc_calc(msg->buf, fp->offset, RTE_NET_CRC32_ETH) ^
		STUN_FINGERPRINT_XOR) == want;
}

void
turn_client_input(struct dp_worker *w, struct rte_mbuf *m,
		  const struct dp_udp_meta *meta, void *arg)
{
	struct turn_worker *t = &w->turn;
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						   meta->payload_off);
	struct stun_msg msg;
	struct stun_parse_error err;

	(void)arg;
	if (meta->payload_len >= 1 && (p[0] & 0xc0u) == 0x40u) {
		client_chdata(w, m, meta, p);
		return;
	}
	/* What dp reads and acts on must be what the client sent. */
	if (!dp_udp_cksum_verify(m, meta)) {
		dp_drop_pkt(w, m, DP_DROP_UDP_MALFORMED);
		return;
	}
	if (stun_msg_parse(&msg, p, meta->payload_len, &err) < 0) {
		/* A request we can frame gets a 400; anything else is dropped.
		 * Both are counted. */
		t->stun_malformed++;
		if (meta->payload_len >= STUN_HDR_LEN && (p[0] & 0xc0u) == 0 &&
		    stun_type_class((uint16_t)((p[0] << 8) | p[1])) ==
			    STUN_CLASS_REQUEST &&
		    ((uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		     (uint32_t)p[6] << 8 | p[7]) == STUN_MAGIC_COOKIE) {
			struct stun_msg hdr_only;

			memset(&hdr_only, 0, sizeof(hdr_only));
			hdr_only.method = stun_type_method((uint16_t)((p[0] << 8) | p[1]));
			hdr_only.tid = p + 8;
			answer_error(w, meta, &hdr_only, STUN_ERR_BAD_REQUEST);
		}
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(!fingerprint_ok(&msg))) {
		t->stun_bad_fingerprint++;
		rte_pktmbuf_free(m);
		return;
	}
	switch (msg.cls) {
	case STUN_CLASS_REQUEST:
		switch (msg.method) {
		case STUN_METHOD_BINDING:
			t->binding_requests++;
			answer_binding(w, meta, &msg);
			break;
		case STUN_METHOD_ALLOCATE:
		case STUN_METHOD_REFRESH:
		case STUN_METHOD_CREATE_PERMISSION:
		case STUN_METHOD_CHANNEL_BIND:
			to_cp(w, meta, &msg);
			break;
		default:
			answer_error(w, meta, &msg, STUN_ERR_BAD_REQUEST);
			break;
		}
		break;
	case STUN_CLASS_INDICATION:
		if (msg.method == STUN_METHOD_SEND) {
			client_send_indication(w, m, meta, &msg);
			return;
		}
		if (msg.method == STUN_METHOD_BINDING)
			t->binding_indications++;
		break;
	default:
		break;
	}
	rte_pktmbuf_free(m);
}

