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

/* ---- relay to relay (issue 18) ------------------------------------------ */

/*
 * m holds an IP packet (at its data start) addressed to one of our own
 * relayed addresses: give it to the worker that owns dst_port as if it had
 * arrived on the port the relayed addresses live on, through the hand-off
 * ring (this worker's own too). It never goes to the wire, and everything
 * that judges a peer's datagram (the receiving allocation's permission for
 * the sender's relayed address, its channel to it) is what judges it.
 */
static void
loop_in(struct dp_worker *w, struct rte_mbuf *m, uint8_t family, uint16_t dst_port)
{
	struct turn_worker *t = &w->turn;
	struct dp_port *port = t->relay_port[family == NET_AF_IPV6];
	struct rte_ether_hdr *eh;
	unsigned int owner = w->ctx->udp[dst_port].owner;

	if (unlikely(port == NULL)) {
		/* found on first use: the ports come up after turn_init() */
		for (unsigned int k = 0; k < w->ctx->nports && port == NULL; k++)
			if (family == NET_AF_IPV4 ? w->ctx->ports[k].nrelay4 > 0 :
						    w->ctx->ports[k].nrelay6 > 0)
				port = &w->ctx->ports[k];
		t->relay_port[family == NET_AF_IPV6] = port;
	}

	if (unlikely(port == NULL || owner >= w->ctx->nworkers)) {
		t->hairpin_refused++;
		rte_pktmbuf_free(m);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (unlikely(eh == NULL)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	rte_ether_addr_copy(&port->mac, &eh->dst_addr);
	rte_ether_addr_copy(&port->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(family == NET_AF_IPV4 ? RTE_ETHER_TYPE_IPV4 :
					  RTE_ETHER_TYPE_IPV6);
	if (port->vlan != 0) {
		/* the port's input expects its tag */
		struct rte_vlan_hdr *vh;
		uint8_t *q = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(*vh));

		if (unlikely(q == NULL)) {
			dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
			return;
		}
		memmove(q, q + sizeof(*vh), 12);
		eh = (struct rte_ether_hdr *)q;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh = (struct rte_vlan_hdr *)(eh + 1);
		vh->vlan_tci = rte_cpu_to_be_16(port->vlan);
		vh->eth_proto = rte_cpu_to_be_16(family == NET_AF_IPV4 ?
						 RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	}
	m->port = port->port_id;
	m->ol_flags = 0;             /* nothing verified: input checks all */
	m->packet_type = 0;
	dp_handoff(w, owner, m, DP_HANDOFF_FLOW);
}

/*
 * A datagram from allocation a to peer, which is one of our relayed
 * addresses: the UDP datagram it would have been on the wire, its
 * checksum computed (no NIC will), looped in. Only to a relayed port: a
 * client may not reach dp's other listeners (TURN itself, the diagnostic
 * echo) from inside the relay.
 */
static void
hairpin_out(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
	    const struct ipc_addr *rel, const struct ipc_addr *peer,
	    const struct turn_carry *cy)
{
	struct turn_worker *t = &w->turn;
	uint16_t plen = (uint16_t)rte_pktmbuf_pkt_len(m), c;
	uint32_t sum;
	uint8_t *p, *u;

	if (unlikely((w->ctx->udp[peer->port].flags & DP_UDP_RELAYED) == 0)) {
		t->hairpin_refused++;
		rte_pktmbuf_free(m);
		return;
	}
	sum = cy != NULL && cy->ok ? cy->sum :
		net_sum16(rte_pktmbuf_mtod(m, const uint8_t *), plen, 0);
	p = turn_udp_ip_hdrs(w, m, peer->family, rel->ip, a->relay_port, peer->ip, peer->port);
	if (p == NULL)
		return;
	u = p + (peer->family == NET_AF_IPV4 ? 20 : 40);
	c = net_udp_cksum_with(peer->family, rel->ip, peer->ip, a->relay_port, peer->port,
			       (uint16_t)(plen + 8), sum);
	u[6] = (uint8_t)(c >> 8);
	u[7] = (uint8_t)c;
	t->hairpin++;
	loop_in(w, m, peer->family, peer->port);
}

/*
 * A looped-in datagram (from one of our relayed addresses) found no
 * allocation on its relayed port: the sender gets what the wire would
 * give it, a port unreachable from the address it sent to (RFC 8656
 * §11.5: relayed to its client as a Data indication with ICMP), looped in
 * to the worker that owns the sender's relayed port. Rate-limited as
 * every ICMP error dp sends.
 */
static void
hairpin_unreach(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta)
{
	struct turn_worker *t = &w->turn;
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->l3_off);
	uint16_t l3_len = (uint16_t)(rte_pktmbuf_pkt_len(m) - meta->l3_off);
	struct rte_mbuf *r;
	size_t n;

	if (!net_ratelimit_allow(&w->icmp_rl, rte_rdtsc())) {
		w->drop[DP_DROP_ICMP_RATE]++;
		return;
	}
	r = dp_alloc(w);
	if (r == NULL) {
		w->drop[DP_DROP_NO_MBUF]++;
		return;
	}
	n = meta->family == NET_AF_IPV4 ?
		icmp4_build_unreach(rte_pktmbuf_mtod(r, uint8_t *), rte_pktmbuf_tailroom(r),
				    meta->dst, 3, l3, l3_len) :
		icmp6_build_unreach(rte_pktmbuf_mtod(r, uint8_t *), rte_pktmbuf_tailroom(r),
				    meta->dst, 4, l3, l3_len);
	if (n == 0) {
		rte_pktmbuf_free(r);
		return;
	}
	rte_pktmbuf_append(r, (uint16_t)n);
	t->hairpin_unreach++;
	/* to the owner of the sender's relayed port, the quoted source */
	loop_in(w, r, meta->family, meta->src_port);
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
		hairpin_out(w, a, m, rel, peer, cy);
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

/* ---- from peers --------------------------------------------------------- */

static void
to_client_data_indication(struct dp_worker *w, struct turn_alloc *a,
			  struct rte_mbuf *m, const struct dp_udp_meta *meta)
{
	uint16_t dlen = meta->payload_len, pad = (uint16_t)((4 - (dlen & 3u)) & 3u);
	uint16_t alen = meta->family == NET_AF_IPV4 ? 8 : 20;
	uint16_t pre = (uint16_t)(STUN_HDR_LEN + 4 + alen + 4);
	uint8_t *h, *tail, tid[STUN_TID_LEN];
	struct stun_builder b;
	struct stun_addr pa;
	struct turn_carry cy;

	/* Build the STUN header and XOR-PEER-ADDRESS in a small builder,
	 * then place them in front of the payload: DATA's value is the
	 * datagram as it arrived. */
	uint8_t head[STUN_HDR_LEN + 4 + 20];
	for (unsigned int i = 0; i < STUN_TID_LEN; i++)
		tid[i] = (uint8_t)rte_rand();
	memset(&pa, 0, sizeof(pa));
	pa.family = turn_stun_af(meta->family);
	pa.port = meta->src_port;
	memcpy(pa.ip, meta->src, 16);
	stun_build_init(&b, head, sizeof(head),
			stun_msg_type(STUN_METHOD_DATA, STUN_CLASS_INDICATION), tid);
	stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &pa);
	if (stun_build_finish(&b) < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	turn_carry_from(&cy, m, meta, 0, dlen);
	rte_pktmbuf_adj(m, meta->payload_off);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - dlen));
	h = (uint8_t *)rte_pktmbuf_prepend(m, pre);
	tail = pad ? (uint8_t *)rte_pktmbuf_append(m, pad) : NULL;
	if (h == NULL || (pad && tail == NULL)) {
		dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
		return;
	}
	memcpy(h, head, STUN_HDR_LEN + 4 + alen);
	h[STUN_HDR_LEN + 4 + alen] = STUN_ATTR_DATA >> 8;
	h[STUN_HDR_LEN + 4 + alen + 1] = STUN_ATTR_DATA & 0xff;
	h[STUN_HDR_LEN + 4 + alen + 2] = (uint8_t)(dlen >> 8);
	h[STUN_HDR_LEN + 4 + alen + 3] = (uint8_t)dlen;
	if (pad)
		memset(tail, 0, pad);
	{
		uint16_t mlen = (uint16_t)(pre - STUN_HDR_LEN + dlen + pad);

		h[2] = (uint8_t)(mlen >> 8);
		h[3] = (uint8_t)mlen;
	}
	cy.sum += net_sum16(h, pre, 0);        /* the head goes in the sum */
	a->stats[TURN_STAT_PKTS_TO_CLIENT]++;
	a->stats[TURN_STAT_BYTES_TO_CLIENT] += rte_pktmbuf_pkt_len(m);
	turn_udp_out(w, m, a->client.family, a->server.ip, a->server.port,
		a->client.ip, a->client.port, &cy);
}

void
turn_peer_input(struct dp_worker *w, struct rte_mbuf *m,
		const struct dp_udp_meta *meta, void *arg)
{
	struct turn_worker *t = &w->turn;
	/* dp_udp_input() gives relayed ports only datagrams sent to a
	 * relayed address: meta->relay_idx is its index. */
	struct turn_alloc *a = turn_alloc_by_relay(t, turn_relay_tbl(t, meta->family,
						   (unsigned int)meta->relay_idx),
					      meta->dst_port);
	const struct turn_chan *c;
	uint16_t dlen = meta->payload_len;
	struct turn_carry cy;

	(void)arg;
	if (a == NULL) {
		/* From one of our relayed addresses: a relay-to-relay datagram
		 * to an allocation that is gone. Its sender is told. */
		if (unlikely(turn_relay_index(w->ctx, meta->family, meta->src) >= 0))
			hairpin_unreach(w, m, meta);
		dp_drop_pkt(w, m, DP_DROP_UDP_NO_LISTENER);
		return;
	}
	a->stats[TURN_STAT_PKTS_FROM_PEER]++;
	a->stats[TURN_STAT_BYTES_FROM_PEER] += dlen;
	/* RFC 8656 §10: permissions are by peer IP only. */
	if (!turn_perm_ok(t, a, meta->family, meta->src, t->now_ms)) {
		a->stats[TURN_STAT_DROP_NO_PERMISSION]++;
		rte_pktmbuf_free(m);
		return;
	}
	c = turn_chan_by_peer(t, a, meta->family, meta->src, meta->src_port, t->now_ms);
	if (c == NULL) {
		to_client_data_indication(w, a, m, meta);
		return;
	}
	/* RFC 8656 §12.5: ChannelData; over UDP no padding needed. */
	turn_carry_from(&cy, m, meta, 0, dlen);
	cy.sum += (uint32_t)c->channel + dlen;  /* the ChannelData head */
	rte_pktmbuf_adj(m, meta->payload_off);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - dlen));
	{
		uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m, CHDATA_HDR_LEN);

		if (h == NULL) {
			dp_drop_pkt(w, m, DP_DROP_NO_MBUF);
			return;
		}
		chdata_encode_hdr(h, c->channel, dlen, false);
	}
	a->stats[TURN_STAT_PKTS_TO_CLIENT]++;
	a->stats[TURN_STAT_BYTES_TO_CLIENT] += (uint64_t)dlen + CHDATA_HDR_LEN;
	turn_udp_out(w, m, a->client.family, a->server.ip, a->server.port,
		a->client.ip, a->client.port, &cy);
}

/* ---- ICMP errors about relayed datagrams (RFC 8656 §11.5) -------------- */

void
turn_icmp_input(struct dp_worker *w, uint8_t family, const uint8_t *outer_src,
		uint8_t type, uint8_t code, uint32_t error_data,
		const uint8_t *inner, size_t inner_len)
{
	struct turn_worker *t = &w->turn;
	size_t l3 = family == NET_AF_IPV4 ? (size_t)(inner[0] & 0x0fu) * 4u : 40u;
	const uint8_t *src = family == NET_AF_IPV4 ? inner + 12 : inner + 8;
	const uint8_t *dst = family == NET_AF_IPV4 ? inner + 16 : inner + 24;
	uint8_t proto = family == NET_AF_IPV4 ? inner[9] : inner[6];
	const struct ipc_addr *rel;
	struct turn_alloc *a;
	struct stun_builder b;
	struct stun_addr pa;
	uint8_t buf[128], tid[STUN_TID_LEN];
	uint16_t sport, dport;
	int n, idx;

	/* The quote must hold the IP header and the UDP ports we sent. */
	if (inner_len < l3 + 4 || proto != 17)
		return;
	sport = (uint16_t)((inner[l3] << 8) | inner[l3 + 1]);
	dport = (uint16_t)((inner[l3 + 2] << 8) | inner[l3 + 3]);
	/* The quoted source is one of our relayed transport addresses. */
	idx = turn_relay_index(w->ctx, family, src);
	if (idx < 0 || sport < t->relay_min ||
	    (uint32_t)(sport - t->relay_min) >= t->relay_span)
		return;
	a = turn_alloc_by_relay(t, turn_relay_tbl(t, family, (unsigned int)idx), sport);
	if (a == NULL)
		return;
	rel = turn_relayed_for(a, family);
	/* Ours, and (§11.5) the permission is checked on the inner
	 * destination, the peer the datagram went to. */
	if (rel == NULL || memcmp(rel->ip, src, family == NET_AF_IPV4 ? 4 : 16) != 0 ||
	    !turn_perm_ok(t, a, family, dst, t->now_ms))
		return;
	/*
	 * Who may say so. "Port unreachable" (ICMPv4 3/3, ICMPv6 1/4) comes
	 * from the host the datagram went to, and only from it: one from
	 * another source is forged (it would make the client drop a working
	 * peer, an ICE candidate pair say) and is dropped, counted. Errors
	 * that routers on the path send (time exceeded, fragmentation
	 * needed / packet too big, net or host unreachable) come from other
	 * addresses by nature and are relayed whoever sent them.
	 */
	if (((family == NET_AF_IPV4 && type == 3 && code == 3) ||
	     (family == NET_AF_IPV6 && type == 1 && code == 4)) &&
	    !turn_ip_eq(family, outer_src, dst)) {
		t->icmp_forged++;
		return;
	}
	for (unsigned int i = 0; i < STUN_TID_LEN; i++)
		tid[i] = (uint8_t)rte_rand();
	memset(&pa, 0, sizeof(pa));
	pa.family = turn_stun_af(family);
	pa.port = dport;
	memcpy(pa.ip, dst, family == NET_AF_IPV4 ? 4 : 16);
	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(STUN_METHOD_DATA, STUN_CLASS_INDICATION), tid);
	stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &pa);
	stun_build_icmp(&b, type, code, error_data);
	n = stun_build_finish(&b);
	if (n > 0) {
		a->stats[TURN_STAT_PKTS_TO_CLIENT]++;
		a->stats[TURN_STAT_BYTES_TO_CLIENT] += (uint64_t)n;
		turn_send_stun(w, a->client.family, a->server.ip, a->server.port,
			  a->client.ip, a->client.port, buf, (uint16_t)n);
	}
}

