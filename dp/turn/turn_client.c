/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side (RFC 8656): ChannelData (§12.4) and Send indications
 * (§11.2) relayed to the peer once the allocation's permission allows it;
 * Binding requests answered here (RFC 8489 §7.3.1); requests without
 * integrity answered 401 with dp's copy of cp's nonce maker (RFC 8489
 * §9.2.4), within a source's challenge budget; the control requests
 * (Allocate, Refresh, CreatePermission, ChannelBind) passed to cp over the
 * worker's ring, after admission (turn_admit.h), never blocking.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_net_crc.h>

#include "../dp.h"
#include "../dp_cp.h"
#include "../net/net.h"
#include "ipc.h"
#include "nonce.h"
#include "stun.h"
#include "turn.h"
#include "turn_inlines.h"

/* The stream adapter's entry (turn_stream.c); the UDP listener calls the
 * inline body directly (turn_udp.c). */
void
turn_client_chdata(struct dp_worker *w, const struct turn_from *from,
		   const struct turn_in *in)
{
	turn_client_chdata_inline(w, from, in);
}

static void
client_send_indication(struct dp_worker *w, const struct turn_from *from,
		       const struct turn_in *in, const struct stun_msg *msg)
{
	struct turn_worker *t = w->turn;
	struct rte_mbuf *m = in->m;
	const struct stun_attr *pa, *da;
	struct turn_alloc *a;
	union turn_keyu k;
	struct stun_addr sa;
	struct ipc_addr peer;
	struct turn_carry cy;

	a = turn_alloc_by_tuple(t, &k, turn_key_from(&k, from->transport, from->conn_id,
					   from->family, from->in_port,
					   from->src, from->src_port,
					   from->dst_port));
	pa = stun_msg_find(msg, STUN_ATTR_XOR_PEER_ADDRESS);
	da = stun_msg_find(msg, STUN_ATTR_DATA);
	/* RFC 8656 §11.2: without an allocation, XOR-PEER-ADDRESS or DATA:
	 * discard. DONT-FRAGMENT is honoured as every relayed IPv4 packet
	 * leaves with DF set. */
	if (a == NULL || pa == NULL || da == NULL || a->relay_tcp ||
	    stun_attr_get_addr(msg, pa, &sa) < 0) {
		t->ctr[TURN_STAT_DROP_MALFORMED]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(!turn_reached(t, from, a))) {
		rte_pktmbuf_free(m);
		return;
	}
	a->stats[TURN_STAT_PKTS_FROM_CLIENT]++;
	a->stats[TURN_STAT_BYTES_FROM_CLIENT] += in->len;
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
	turn_carry_from_in(&cy, from, in, (uint16_t)(da->value - msg->buf), da->len);
	rte_pktmbuf_adj(m, (uint16_t)(in->off +
				      (da->value - msg->buf)));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - da->len));
	turn_to_peer(w, a, m, &peer, &cy);
}

static void
answer_binding(struct dp_worker *w, const struct turn_from *from,
	       const struct stun_msg *msg)
{
	uint8_t buf[128];
	struct stun_builder b;
	struct stun_addr xa;
	int n;

	memset(&xa, 0, sizeof(xa));
	xa.family = turn_stun_af(from->family);
	xa.port = from->src_port;
	memcpy(xa.ip, from->src, 16);
	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_SUCCESS),
			msg->tid);
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &xa);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, w->ctx->turn->software);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n > 0)
		turn_reply(w, from, buf, (uint16_t)n);
}

static void
answer_error(struct dp_worker *w, const struct turn_from *from,
	     const struct stun_msg *msg, uint16_t code)
{
	uint8_t buf[256];
	int n = stun_build_error_response(buf, sizeof(buf), msg, code,
					  w->ctx->turn->software);

	if (n > 0)
		turn_reply(w, from, buf, (uint16_t)n);
}

/*
 * The nonce maker of the tenant whose address the request reached (the
 * server address: nothing the client picks), NULL while the worker has
 * no key from cp. A nonce made at one tenant's address is foreign at
 * another's and at the default's.
 */
static inline struct nonce_ctx *
turn_nonce_of(struct dp_worker *w, const struct turn_from *from)
{
	struct turn_worker *t = w->turn;
	unsigned int tenant;

	if (!t->nonce_ok)
		return NULL;
	tenant = dp_tenant_of(&w->ctx->ports[from->in_port], from->family, from->dst);
	if (likely(tenant == 0))
		return &t->nonce;
	return tenant <= t->ntnonce ? &t->tnonce[tenant - 1] : NULL;
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
answer_challenge(struct dp_worker *w, const struct turn_from *from,
		 const struct stun_msg *msg, const struct stun_addr *sa,
		 struct nonce_ctx *nc)
{
	struct turn_worker *t = w->turn;
	uint8_t buf[1024];
	int n;

	_Static_assert(sizeof(buf) >= NONCE_CHALLENGE_MAX, "a challenge fits");
	if (!turn_admit_challenge(t->admit, from->family, from->src, t->now_ms))
		return;         /* counted; silence, as cp's limiter */
	n = nonce_challenge_build(nc, STUN_ERR_UNAUTHENTICATED, msg->method,
				  msg->tid, sa, from->transport,
				  t->now_ms / 1000u, buf, sizeof(buf));
	if (n > 0)
		turn_reply(w, from, buf, (uint16_t)n);
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
static bool
to_cp(struct dp_worker *w, const struct turn_from *from,
      const struct stun_msg *msg)
{
	struct turn_worker *t = w->turn;
	static _Thread_local struct ipc_msg out;

	if (unlikely(!w->cp.serving)) {
		if (w->cp.checked_ms - w->cp.down_since_ms < w->cp.grace_ms) {
			t->cp_wait++;
			return false;
		}
		t->cp_gone++;
		answer_error(w, from, msg, STUN_ERR_SERVER_ERROR);
		return false;
	}
	{
		union turn_keyu k;
		bool existing = turn_alloc_by_tuple(t, &k, turn_key_from(&k, from->transport,
					from->conn_id, from->family,
					from->in_port, from->src, from->src_port,
					from->dst_port)) != NULL;
		struct nonce_ctx *nc = turn_nonce_of(w, from);
		struct stun_addr src;
		enum turn_lane lane;

		src.family = turn_stun_af(from->family);
		src.port = from->src_port;
		memcpy(src.ip, from->src, 16);
		/* Nonces expire on CLOCK_MONOTONIC seconds, as cp's do. */
		lane = turn_admit_lane(t->admit, nc, msg, existing, &src, from->transport,
				       t->now_ms / 1000u);
		if (lane == TURN_LANE_CHALLENGE) {
			answer_challenge(w, from, msg, &src, nc);
			return false;
		}
		if (!turn_admit(t->admit, lane, from->family, from->src,
				ipc_ring_count(&w->cp.rings->to_cp), t->now_ms))
			return false;         /* counted; the client retransmits */
	}
	memset(&out.h, 0, sizeof(out.h));
	out.h.kind = IPC_REQUEST;
	turn_tuple_from(&out.h.tuple, from);
	if (msg->len > sizeof(out.body)) {
		answer_error(w, from, msg, STUN_ERR_BAD_REQUEST);
		return false;
	}
	out.h.body_len = (uint16_t)msg->len;
	memcpy(out.body, msg->buf, msg->len);
	if (dp_cp_send(w, &out) < 0) {
		w->cp.ipc_full++;
		return false;
	}
	w->cp.ipc_out++;
	dp_cp_wake(w);
	return true;
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

bool
turn_client_stun(struct dp_worker *w, const struct turn_from *from,
		 const struct turn_in *in)
{
	struct turn_worker *t = w->turn;
	struct rte_mbuf *m = in->m;
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, in->off);
	struct stun_msg msg;
	struct stun_parse_error err;
	bool sent = false;

	if (stun_msg_parse(&msg, p, in->len, &err) < 0) {
		/* A request we can frame gets a 400; anything else is dropped.
		 * Both are counted. */
		t->stun_malformed++;
		if (turn_stun_is_framed_request(p, in->len)) {
			struct stun_msg hdr_only;

			memset(&hdr_only, 0, sizeof(hdr_only));
			hdr_only.method = stun_type_method((uint16_t)((p[0] << 8) | p[1]));
			hdr_only.tid = p + 8;
			answer_error(w, from, &hdr_only, STUN_ERR_BAD_REQUEST);
		}
		rte_pktmbuf_free(m);
		return false;
	}
	if (unlikely(!fingerprint_ok(&msg))) {
		t->stun_bad_fingerprint++;
		rte_pktmbuf_free(m);
		return false;
	}
	switch (msg.cls) {
	case STUN_CLASS_REQUEST:
		switch (msg.method) {
		case STUN_METHOD_BINDING:
			t->binding_requests++;
			answer_binding(w, from, &msg);
			break;
		case STUN_METHOD_ALLOCATE:
		case STUN_METHOD_REFRESH:
		case STUN_METHOD_CREATE_PERMISSION:
		case STUN_METHOD_CHANNEL_BIND:
		case STUN_METHOD_CONNECT:            /* RFC 6062 */
		case STUN_METHOD_CONNECTION_BIND:
			sent = to_cp(w, from, &msg);
			break;
		default:
			answer_error(w, from, &msg, STUN_ERR_BAD_REQUEST);
			break;
		}
		break;
	case STUN_CLASS_INDICATION:
		if (msg.method == STUN_METHOD_SEND) {
			client_send_indication(w, from, in, &msg);
			return false;
		}
		if (msg.method == STUN_METHOD_BINDING)
			t->binding_indications++;
		break;
	default:
		break;
	}
	rte_pktmbuf_free(m);
	return sent;
}

