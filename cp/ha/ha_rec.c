/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mirror's records on the wire (docs/design/ha.md §1.4, slices 5
 * and 7): an allocation whole, or its tombstone, and a gateway RTP
 * context whole (its keys among it: a secret), or its tombstone, as the
 * active box's cp sends them in the link's batches. An RTP context is
 * held, after its lengths, to lib/ipc's rules for the RTP_STATE a dp
 * would send of it (ipc_msg_check()): one list of rules, dp's. The format is ours, big-endian, one field
 * after another, variable parts counted first (relayed addresses, the
 * OAuth keys, the name, the bindings), so that a REST user's allocation
 * with a permission and a channel is about 200 bytes, not STATE_ALLOC's
 * 776. The record comes from the peer (authenticated, but a bug or a
 * different build there must not become one here): decoding checks each
 * length against what is left and each value against its range, and
 * takes only the one encoding ha_rec_encode() writes (pads and unused
 * fields 0), so a decoded record encodes back to the same bytes (the fuzz
 * target's promise).
 */
#include <errno.h>
#include <string.h>

#include "ha_rec.h"
#include "ipc.h"

/* Channel numbers: RFC 8656 §12's 0x4000-0x4FFF, or RFC 5766 §11's
 * 0x4000-0x7FFE, which a box whose turn.channels is "rfc5766" binds (the
 * signature, §3.1, makes both boxes of a pair take the same). The record
 * carries the widest: what the active box bound, the standby binds. */
#define CHAN_MIN 0x4000u
#define CHAN_MAX 0x7ffeu
#define REC_FLAGS (IPC_ALLOC_F_TCP | IPC_ALLOC_F_MOBILE)

_Static_assert(HA_REC_MAX <= UINT16_MAX, "a record's length is a u16");

/* ---- writing ---------------------------------------------------------- */

struct wr {
	uint8_t *p;
	size_t n, cap;
	bool full;
};

static void
put(struct wr *w, const void *v, size_t n)
{
	if (w->full || w->cap - w->n < n) {
		w->full = true;
		return;
	}
	memcpy(w->p + w->n, v, n);
	w->n += n;
}

static void
put_u8(struct wr *w, uint8_t v)
{
	put(w, &v, 1);
}

static void
put_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void
put_u32(struct wr *w, uint32_t v)
{
	put_u16(w, (uint16_t)(v >> 16));
	put_u16(w, (uint16_t)v);
}

static void
put_u64(struct wr *w, uint64_t v)
{
	put_u32(w, (uint32_t)(v >> 32));
	put_u32(w, (uint32_t)v);
}

/* family, port, then 4 or 16 bytes of ip */
static void
put_addr(struct wr *w, const struct ipc_addr *a)
{
	put_u8(w, a->family);
	put_u16(w, a->port);
	put(w, a->ip, a->family == 4 ? 4 : 16);
}

/* ---- reading ---------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t n, at;
	bool bad;
};

static void
get(struct rd *r, void *v, size_t n)
{
	if (r->bad || r->n - r->at < n) {
		r->bad = true;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->at, n);
	r->at += n;
}

static uint8_t
get_u8(struct rd *r)
{
	uint8_t v;

	get(r, &v, 1);
	return v;
}

static uint16_t
get_u16(struct rd *r)
{
	uint8_t b[2];

	get(r, b, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
get_u32(struct rd *r)
{
	uint32_t hi = get_u16(r);

	return hi << 16 | get_u16(r);
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t hi = get_u32(r);

	return hi << 32 | get_u32(r);
}

static void
get_addr(struct rd *r, struct ipc_addr *a)
{
	a->family = get_u8(r);
	a->port = get_u16(r);
	if (a->family != 4 && a->family != 6) {
		r->bad = true;
		return;
	}
	get(r, a->ip, a->family == 4 ? 4 : 16);
}

/* ---- the rules both sides keep ------------------------------------------ */

/* Only what is used is checked and written (a permission's peer over IPv4
 * is 4 bytes of ip; the relayed addresses past nrelayed, the bindings past
 * nbinds, a key past key_len, pads: not at all); decode leaves the rest 0. */
static bool
addr_ok(const struct ipc_addr *a)
{
	return a->family == 4 || a->family == 6;
}

static bool
tuple_ok(const struct ipc_tuple *t)
{
	return (t->transport == 6 || t->transport == 17) && addr_ok(&t->client) &&
	       addr_ok(&t->server);
}

/* An RTP context held to lib/ipc's rules for RTP_STATE (dp's own: every
 * field a receiver acts on in range, every pad and octet past a length 0),
 * as the context's worker (its id's) would send it; its label of no NUL. */
static bool
rtp_ok(const struct ha_rec *r)
{
	static struct ipc_msg m;
	const struct ha_rec_rtp *x = &r->rtp;

	if (r->id == 0 || x->label_len > HA_REC_LABEL_MAX ||
	    memchr(x->label, 0, x->label_len) != NULL)
		return false;
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_RTP_STATE;
	m.h.worker = (uint16_t)ipc_conn_worker(r->id);
	m.h.alloc_id = r->id;
	m.h.body_len = sizeof(x->s);
	memcpy(m.body, &x->s, sizeof(x->s));
	return ipc_conn_worker(r->id) < IPC_MAX_WORKERS && ipc_msg_check(&m, IPC_DP2CP) == 0;
}

/* What decode refuses, encode refuses too: one list of rules. */
static bool
rec_ok(const struct ha_rec *r)
{
	if (r->type == HA_REC_WALK_START || r->type == HA_REC_WALK_END)
		return true;
	if (r->type == HA_REC_RTP)
		return rtp_ok(r);
	if (r->type == HA_REC_RTP_END)
		return r->id != 0;
	if (r->id == 0 || !tuple_ok(&r->tuple))
		return false;
	if (r->type == HA_REC_ALLOC_END)
		return true;
	if (r->type != HA_REC_ALLOC)
		return false;
	if (r->worker >= IPC_MAX_WORKERS || (r->flags & ~REC_FLAGS) != 0)
		return false;
	if (r->nrelayed < 1 || r->nrelayed > 2)
		return false;
	for (unsigned int i = 0; i < r->nrelayed; i++) {
		if (!addr_ok(&r->relayed[i]))
			return false;
	}
	if (r->fwd ? r->fwd_worker >= IPC_MAX_WORKERS : r->fwd_worker != 0)
		return false;
	for (unsigned int i = 0; i < 2; i++) {
		if (r->oauth[i].key_len > HA_REC_KEY_MAX)
			return false;
	}
	if (r->user_len > HA_REC_USER_MAX || r->nbinds > HA_REC_BINDS_MAX)
		return false;
	for (unsigned int i = 0; i < r->nbinds; i++) {
		const struct ha_rec_bind *b = &r->binds[i];

		if (!addr_ok(&b->peer))
			return false;
		if (b->channel != 0 && (b->channel < CHAN_MIN || b->channel > CHAN_MAX))
			return false;
	}
	return true;
}

/* ---- the record ---------------------------------------------------------- */

static void
put_tuple(struct wr *w, const struct ipc_tuple *t)
{
	put_u8(w, t->transport);
	put_u8(w, t->in_port);
	put_u64(w, t->conn_id);
	put_addr(w, &t->client);
	put_addr(w, &t->server);
}

static void
get_tuple(struct rd *r, struct ipc_tuple *t)
{
	t->transport = get_u8(r);
	t->in_port = get_u8(r);
	t->conn_id = get_u64(r);
	get_addr(r, &t->client);
	get_addr(r, &t->server);
}

/* ---- an RTP context (slice 7) ------------------------------------------------- */

/* An address that may be none: its family alone (0), else as put_addr(). */
static void
put_addr0(struct wr *w, const struct ipc_addr *a)
{
	if (a->family == 0)
		put_u8(w, 0);
	else
		put_addr(w, a);
}

static void
get_addr0(struct rd *r, struct ipc_addr *a)
{
	if (r->bad || r->at >= r->n) {
		r->bad = true;
		return;
	}
	if (r->p[r->at] == 0) {
		r->at++;
		return;
	}
	get_addr(r, a);
}

static void
put_streams(struct wr *w, const struct ipc_srtp_stream *s, uint8_t n)
{
	put_u8(w, n);
	for (unsigned int i = 0; i < n && i < IPC_SRTP_SSRCS; i++) {
		put_u32(w, s[i].ssrc);
		put_u32(w, s[i].roc);
		put_u16(w, s[i].seq);
	}
}

static uint8_t
get_streams(struct rd *r, struct ipc_srtp_stream *s)
{
	uint8_t n = get_u8(r);

	if (n > IPC_SRTP_SSRCS) {
		r->bad = true;
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		s[i].ssrc = get_u32(r);
		s[i].roc = get_u32(r);
		s[i].seq = get_u16(r);
	}
	return n;
}

/* One direction's SRTP key: a secret (only over the link). suite 0: none
 * (every field 0, lib/ipc's rule). */
static void
put_key(struct wr *w, const struct ipc_srtp_key *k)
{
	put_u8(w, k->suite);
	if (k->suite == 0)
		return;
	put_u8(w, k->key_len);
	put_u8(w, k->mki_len);
	put_u16(w, k->window);
	put_u32(w, k->srtcp_index);
	put_u32(w, k->mki);
	put_streams(w, k->stream, k->nstreams);
	put(w, k->key, k->key_len <= IPC_SRTP_KEY_MAX ? k->key_len : IPC_SRTP_KEY_MAX);
}

static void
get_key(struct rd *r, struct ipc_srtp_key *k)
{
	k->suite = get_u8(r);
	if (k->suite == 0)
		return;
	k->key_len = get_u8(r);
	k->mki_len = get_u8(r);
	k->window = get_u16(r);
	k->srtcp_index = get_u32(r);
	k->mki = get_u32(r);
	k->nstreams = get_streams(r, k->stream);
	if (k->key_len > IPC_SRTP_KEY_MAX) {
		r->bad = true;
		return;
	}
	get(r, k->key, k->key_len);
}

static void
put_pos(struct wr *w, const struct ipc_srtp_pos *p)
{
	put_streams(w, p->stream, p->nstreams);
	put_u32(w, p->srtcp_index);
}

static void
get_pos(struct rd *r, struct ipc_srtp_pos *p)
{
	p->nstreams = get_streams(r, p->stream);
	p->srtcp_index = get_u32(r);
}

/* A termination whole (profile 0: an empty slot, nothing more), then the
 * figures that carry it on (the latches, ICE's consent, INACTIVE, the
 * SRTP positions). */
static void
put_term(struct wr *w, const struct ipc_rtp_term *t, const struct ipc_rtp_stats *st)
{
	put_u8(w, t->profile);
	if (t->profile == IPC_RTP_NONE)
		return;
	put_u8(w, t->mode);
	put_u8(w, t->flags);
	put_u8(w, t->dscp);
	put_u16(w, t->serial);
	put_u8(w, t->gm_plen);
	put_u8(w, t->door);
	put_u8(w, t->tenant);
	put_u8(w, t->latch);
	put_u16(w, t->rtcp_port);
	put_u16(w, t->remote_rtcp);
	put_u32(w, t->clock_hz);
	put_u32(w, t->inact_ms);
	put_u32(w, t->pol_rate);
	put_u32(w, t->pol_burst);
	put_u16(w, t->gm_port_lo);
	put_u16(w, t->gm_port_hi);
	put_addr0(w, &t->local);
	put_addr0(w, &t->remote);
	put_addr0(w, &t->gm_addr);
	put(w, t->memo, IPC_RTP_MEMO_LEN);
	put_key(w, &t->srtp_rx);
	put_key(w, &t->srtp_tx);
	put_u8(w, t->ice.mode);
	if (t->ice.mode != IPC_RTP_ICE_OFF) {
		put_u8(w, t->ice.ufrag_len);
		put_u8(w, t->ice.pwd_len);
		put_u8(w, t->ice.peer_ufrag_len);
		put(w, t->ice.ufrag, t->ice.ufrag_len);
		put(w, t->ice.pwd, t->ice.pwd_len);
		put(w, t->ice.peer_ufrag, t->ice.peer_ufrag_len);
		put_addr0(w, &t->ice.nominated);
	}
	put_u8(w, t->dtls.role);
	if (t->dtls.role != IPC_RTP_DTLS_NONE) {
		put_u8(w, t->dtls.nfp);
		put_u8(w, t->dtls.profiles);
		put_u8(w, t->dtls.flags);
		put_u16(w, t->dtls.cert_gen);
		put_u32(w, t->dtls.assoc);
		put(w, t->dtls.tls_id, IPC_RTP_DTLS_ID_LEN);
		put(w, t->dtls.peer_tls_id, IPC_RTP_DTLS_PEER_ID_LEN);
		for (unsigned int i = 0; i < t->dtls.nfp && i < IPC_RTP_DTLS_FP_MAX; i++) {
			put_u8(w, t->dtls.fp[i].alg);
			put_u8(w, t->dtls.fp[i].len);
			put(w, t->dtls.fp[i].md, t->dtls.fp[i].len);
		}
	}
	put_u8(w, t->bundle.role);
	if (t->bundle.role != IPC_RTP_BUNDLE_NONE) {
		put_u64(w, t->bundle.owner);
		put_u8(w, t->bundle.owner_term);
		put_u8(w, t->bundle.mid_ext);
		put_u8(w, t->bundle.mid_len);
		put_u8(w, t->bundle.nssrc);
		put(w, t->bundle.mid, t->bundle.mid_len);
		for (unsigned int i = 0; i < t->bundle.nssrc && i < IPC_RTP_BUNDLE_SSRCS; i++)
			put_u32(w, t->bundle.ssrc[i]);
		put(w, t->bundle.pt, sizeof(t->bundle.pt));
	}
	put_u8(w, st->latched);
	put_u8(w, st->ice);
	put_u8(w, st->inactive);
	put_addr0(w, &st->rtp_src);
	put_addr0(w, &st->rtcp_src);
	put_pos(w, &st->srtp_rx);
	put_pos(w, &st->srtp_tx);
}

static void
get_term(struct rd *r, struct ipc_rtp_term *t, struct ipc_rtp_stats *st)
{
	t->profile = get_u8(r);
	if (t->profile == IPC_RTP_NONE)
		return;
	t->mode = get_u8(r);
	t->flags = get_u8(r);
	t->dscp = get_u8(r);
	t->serial = get_u16(r);
	t->gm_plen = get_u8(r);
	t->door = get_u8(r);
	t->tenant = get_u8(r);
	t->latch = get_u8(r);
	t->rtcp_port = get_u16(r);
	t->remote_rtcp = get_u16(r);
	t->clock_hz = get_u32(r);
	t->inact_ms = get_u32(r);
	t->pol_rate = get_u32(r);
	t->pol_burst = get_u32(r);
	t->gm_port_lo = get_u16(r);
	t->gm_port_hi = get_u16(r);
	get_addr0(r, &t->local);
	get_addr0(r, &t->remote);
	get_addr0(r, &t->gm_addr);
	get(r, t->memo, IPC_RTP_MEMO_LEN);
	get_key(r, &t->srtp_rx);
	get_key(r, &t->srtp_tx);
	t->ice.mode = get_u8(r);
	if (t->ice.mode != IPC_RTP_ICE_OFF) {
		t->ice.ufrag_len = get_u8(r);
		t->ice.pwd_len = get_u8(r);
		t->ice.peer_ufrag_len = get_u8(r);
		if (t->ice.ufrag_len > IPC_ICE_UFRAG_MAX || t->ice.pwd_len > IPC_ICE_PWD_MAX ||
		    t->ice.peer_ufrag_len > IPC_ICE_UFRAG_MAX) {
			r->bad = true;
			return;
		}
		get(r, t->ice.ufrag, t->ice.ufrag_len);
		get(r, t->ice.pwd, t->ice.pwd_len);
		get(r, t->ice.peer_ufrag, t->ice.peer_ufrag_len);
		get_addr0(r, &t->ice.nominated);
	}
	t->dtls.role = get_u8(r);
	if (t->dtls.role != IPC_RTP_DTLS_NONE) {
		t->dtls.nfp = get_u8(r);
		t->dtls.profiles = get_u8(r);
		t->dtls.flags = get_u8(r);
		t->dtls.cert_gen = get_u16(r);
		t->dtls.assoc = get_u32(r);
		get(r, t->dtls.tls_id, IPC_RTP_DTLS_ID_LEN);
		get(r, t->dtls.peer_tls_id, IPC_RTP_DTLS_PEER_ID_LEN);
		if (t->dtls.nfp > IPC_RTP_DTLS_FP_MAX) {
			r->bad = true;
			return;
		}
		for (unsigned int i = 0; i < t->dtls.nfp; i++) {
			t->dtls.fp[i].alg = get_u8(r);
			t->dtls.fp[i].len = get_u8(r);
			if (t->dtls.fp[i].len > IPC_AGW_FP_LEN) {
				r->bad = true;
				return;
			}
			get(r, t->dtls.fp[i].md, t->dtls.fp[i].len);
		}
	}
	t->bundle.role = get_u8(r);
	if (t->bundle.role != IPC_RTP_BUNDLE_NONE) {
		t->bundle.owner = get_u64(r);
		t->bundle.owner_term = get_u8(r);
		t->bundle.mid_ext = get_u8(r);
		t->bundle.mid_len = get_u8(r);
		t->bundle.nssrc = get_u8(r);
		if (t->bundle.mid_len > IPC_RTP_MID_MAX || t->bundle.nssrc > IPC_RTP_BUNDLE_SSRCS) {
			r->bad = true;
			return;
		}
		get(r, t->bundle.mid, t->bundle.mid_len);
		for (unsigned int i = 0; i < t->bundle.nssrc; i++)
			t->bundle.ssrc[i] = get_u32(r);
		get(r, t->bundle.pt, sizeof(t->bundle.pt));
	}
	st->latched = get_u8(r);
	st->ice = get_u8(r);
	st->inactive = get_u8(r);
	get_addr0(r, &st->rtp_src);
	get_addr0(r, &st->rtcp_src);
	get_pos(r, &st->srtp_rx);
	get_pos(r, &st->srtp_tx);
}

static void
put_rtp(struct wr *w, const struct ha_rec_rtp *x)
{
	put_u64(w, x->age_ms);
	put_u8(w, x->label_len);
	put(w, x->label, x->label_len);
	for (unsigned int i = 0; i < 2; i++)
		put_term(w, &x->s.ctx.term[i], &x->s.st[i]);
}

static void
get_rtp(struct rd *r, struct ha_rec_rtp *x)
{
	x->age_ms = get_u64(r);
	x->label_len = get_u8(r);
	if (x->label_len > HA_REC_LABEL_MAX) {
		r->bad = true;
		return;
	}
	get(r, x->label, x->label_len);
	for (unsigned int i = 0; i < 2 && !r->bad; i++)
		get_term(r, &x->s.ctx.term[i], &x->s.st[i]);
}

int
ha_rec_encode(const struct ha_rec *r, uint8_t *buf, size_t cap)
{
	struct wr w = { .p = buf, .cap = cap };

	if (!rec_ok(r))
		return -EINVAL;
	put_u8(&w, r->type);
	put_u16(&w, 0);               /* the length, below */
	if (r->type == HA_REC_ALLOC || r->type == HA_REC_ALLOC_END) {
		put_u64(&w, r->id);
		put_tuple(&w, &r->tuple);
	}
	if (r->type == HA_REC_RTP || r->type == HA_REC_RTP_END)
		put_u64(&w, r->id);
	if (r->type == HA_REC_RTP)
		put_rtp(&w, &r->rtp);
	if (r->type == HA_REC_ALLOC) {
		put_u16(&w, r->worker);
		put_u16(&w, r->flags);
		put_u16(&w, r->pwalg);
		put_u8(&w, r->tenant);
		put_u8(&w, r->nrelayed);
		for (unsigned int i = 0; i < r->nrelayed; i++)
			put_addr(&w, &r->relayed[i]);
		put_u32(&w, r->left_ms);
		put_u64(&w, r->age_ms);
		put_u32(&w, r->max_bps);
		put_u32(&w, r->max_bps_burst);
		put(&w, r->tid, HA_REC_TID_LEN);
		put_u16(&w, r->mob_gen);
		put_u8(&w, r->fwd ? 1 : 0);
		put_u16(&w, r->fwd_worker);
		for (unsigned int i = 0; i < 2; i++) {
			const struct ha_rec_oauth *o = &r->oauth[i];

			put_u8(&w, o->key_len);
			if (o->key_len == 0)
				continue;
			put_u8(&w, o->kid);
			put_u8(&w, o->as);
			put_u64(&w, o->expiry);
			put(&w, o->key, o->key_len);
		}
		put_u16(&w, r->user_len);
		put(&w, r->user, r->user_len);
		put_u8(&w, r->nbinds);
		for (unsigned int i = 0; i < r->nbinds; i++) {
			put_addr(&w, &r->binds[i].peer);
			put_u16(&w, r->binds[i].channel);
			put_u32(&w, r->binds[i].left_ms);
		}
	}
	if (w.full || w.n > HA_REC_MAX)
		return w.full ? -E2BIG : -EINVAL;
	buf[1] = (uint8_t)(w.n >> 8);
	buf[2] = (uint8_t)w.n;
	return (int)w.n;
}

int
ha_rec_decode(const uint8_t *p, size_t n, struct ha_rec *r)
{
	struct rd rd = { .p = p, .n = n };
	size_t len;

	memset(r, 0, sizeof(*r));
	if (n < HA_REC_HDR)
		return -EINVAL;
	len = (size_t)p[1] << 8 | p[2];
	if (len < HA_REC_HDR || len > n || len > HA_REC_MAX)
		return -EINVAL;
	rd.n = len;                   /* nothing of the next record is read */
	r->type = get_u8(&rd);
	(void)get_u16(&rd);
	if (r->type == HA_REC_ALLOC || r->type == HA_REC_ALLOC_END) {
		r->id = get_u64(&rd);
		get_tuple(&rd, &r->tuple);
	}
	if (r->type == HA_REC_RTP || r->type == HA_REC_RTP_END)
		r->id = get_u64(&rd);
	if (r->type == HA_REC_RTP) {
		get_rtp(&rd, &r->rtp);
	} else if (r->type == HA_REC_ALLOC) {
		r->worker = get_u16(&rd);
		r->flags = get_u16(&rd);
		r->pwalg = get_u16(&rd);
		r->tenant = get_u8(&rd);
		r->nrelayed = get_u8(&rd);
		if (r->nrelayed < 1 || r->nrelayed > 2)
			goto bad;
		for (unsigned int i = 0; i < r->nrelayed; i++)
			get_addr(&rd, &r->relayed[i]);
		r->left_ms = get_u32(&rd);
		r->age_ms = get_u64(&rd);
		r->max_bps = get_u32(&rd);
		r->max_bps_burst = get_u32(&rd);
		get(&rd, r->tid, HA_REC_TID_LEN);
		r->mob_gen = get_u16(&rd);
		switch (get_u8(&rd)) {
		case 0: r->fwd = false; break;
		case 1: r->fwd = true; break;
		default: goto bad;
		}
		r->fwd_worker = get_u16(&rd);
		for (unsigned int i = 0; i < 2; i++) {
			struct ha_rec_oauth *o = &r->oauth[i];

			o->key_len = get_u8(&rd);
			if (o->key_len == 0)
				continue;
			if (o->key_len > HA_REC_KEY_MAX)
				goto bad;
			o->kid = get_u8(&rd);
			o->as = get_u8(&rd);
			o->expiry = get_u64(&rd);
			get(&rd, o->key, o->key_len);
		}
		r->user_len = get_u16(&rd);
		if (r->user_len > HA_REC_USER_MAX)
			goto bad;
		get(&rd, r->user, r->user_len);
		r->nbinds = get_u8(&rd);
		if (r->nbinds > HA_REC_BINDS_MAX)
			goto bad;
		for (unsigned int i = 0; i < r->nbinds; i++) {
			get_addr(&rd, &r->binds[i].peer);
			r->binds[i].channel = get_u16(&rd);
			r->binds[i].left_ms = get_u32(&rd);
		}
	} else if (r->type != HA_REC_ALLOC_END && r->type != HA_REC_WALK_START &&
		   r->type != HA_REC_WALK_END && r->type != HA_REC_RTP_END) {
		goto bad;
	}
	/* every byte of the length used, and no value out of its range */
	if (rd.bad || rd.at != len || !rec_ok(r))
		goto bad;
	return (int)len;
bad:
	memset(r, 0, sizeof(*r));
	return -EINVAL;
}
