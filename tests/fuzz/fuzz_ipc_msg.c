/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: one message as a receiver dequeues it from a ring.
 *
 * The input is the message's bytes: header (struct ipc_msg_hdr), then the
 * body. It is laid out in a heap buffer of exactly header + body_len bytes
 * (the header alone when body_len exceeds a body, which ipc_ring_dequeue()
 * never hands over and ipc_msg_check() must refuse unread), missing bytes
 * zero, so that ASan sees any read past what the message carries. Each
 * direction is checked; a message ipc_msg_check() passes is walked with
 * the accessors a receiver uses (the allocation, every binding of a
 * STATE_ALLOC, every STATS entry, the STUN bytes of a REQUEST/RESPONSE,
 * the keys of a TLS_TICKETS, the identity and key of a TLS_PSK_*)
 * and every value they give is read.
 *
 * Besides ASan and UBSan, the target aborts on a broken promise of ipc.h:
 * a passed message of the other direction, a body_len not what its kind
 * carries, an accessor pointing outside body_len, a field outside the
 * range the check claims, a verdict that changes on a second look.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR sizeof(struct ipc_msg_hdr)
#define BODY_MAX (IPC_MSG_SIZE - HDR)

/* Everything read is folded in here so that no read is elided. */
static volatile uint64_t sink;

static void
fold(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = sink;

	for (size_t i = 0; i < n; i++)
		h = h * 31u + b[i];
	sink = h;
}

/* p .. p + n lies within m's body_len. */
static void
within_body(const struct ipc_msg *m, const void *p, size_t n)
{
	const uint8_t *b = p;

	CHECK(b >= m->body);
	CHECK((size_t)(b - m->body) + n <= m->h.body_len);
}

/* The RTP terminations' kinds: no tuple, a context id. */
static bool
is_rtp(uint16_t kind)
{
	return kind == IPC_RTP_ADD || kind == IPC_RTP_MOD || kind == IPC_RTP_DEL ||
	       kind == IPC_RTP_STATS_REQ || kind == IPC_RTP_STATS || kind == IPC_RTP_STATE ||
	       kind == IPC_RTP_EVENT || kind == IPC_RTP_DTLS || kind == IPC_RTP_TAP;
}

/* An SRTP key that passed: what dp's SRTP reads is in range. */
static void
walk_srtp_key(const struct ipc_srtp_key *k, bool srtp)
{
	if (!srtp) {
		CHECK(k->suite == 0 && k->key_len == 0 && k->mki_len == 0 && k->nstreams == 0 &&
		      k->stream[0].roc == 0 && k->stream[0].ssrc == 0);
		for (unsigned int i = 0; i < IPC_SRTP_KEY_MAX; i++)
			CHECK(k->key[i] == 0);
		return;
	}
	CHECK(k->suite >= 1 && k->suite <= IPC_SRTP_SUITE_MAX);
	CHECK(k->key_len == ipc_srtp_key_len(k->suite) && k->key_len <= IPC_SRTP_KEY_MAX);
	CHECK(k->mki_len <= IPC_SRTP_MKI_MAX);
	CHECK(k->window == 0 || (k->window >= 64 && k->window <= 32767));
	CHECK(k->srtcp_index <= 0x7fffffffu);
	/* each SSRC once: dp follows each as a stream of its own */
	CHECK(k->nstreams <= IPC_SRTP_SSRCS);
	for (unsigned int i = 0; i < k->nstreams; i++)
		for (unsigned int j = 0; j < i; j++)
			CHECK(k->stream[i].ssrc != k->stream[j].ssrc);
	for (unsigned int i = k->key_len; i < IPC_SRTP_KEY_MAX; i++)
		CHECK(k->key[i] == 0);
	fold(k, sizeof(*k));
}

/* A termination's ICE that passed: what dp's responder compares and
 * hashes lies within its fields, of ice-chars (no ':' to split USERNAME
 * on), nothing past the lengths. */
static void
walk_rtp_ice(const struct ipc_rtp_ice *x, uint8_t family)
{
	const char *ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	CHECK(x->mode <= IPC_RTP_ICE_MAX);
	if (x->mode == IPC_RTP_ICE_OFF) {
		CHECK(x->ufrag_len == 0 && x->pwd_len == 0 && x->peer_ufrag_len == 0 &&
		      x->nominated.family == 0);
		return;
	}
	CHECK(x->ufrag_len >= IPC_ICE_UFRAG_MIN && x->ufrag_len <= IPC_ICE_UFRAG_MAX);
	CHECK(x->pwd_len >= IPC_ICE_PWD_MIN && x->pwd_len <= IPC_ICE_PWD_MAX);
	CHECK(x->peer_ufrag_len == 0 || (x->peer_ufrag_len >= IPC_ICE_UFRAG_MIN &&
					 x->peer_ufrag_len <= IPC_ICE_UFRAG_MAX));
	for (unsigned int i = 0; i < IPC_ICE_UFRAG_MAX; i++) {
		CHECK(i < x->ufrag_len ? x->ufrag[i] != 0 && strchr(ok, x->ufrag[i]) != NULL :
					 x->ufrag[i] == 0);
		CHECK(i < x->peer_ufrag_len ?
		      x->peer_ufrag[i] != 0 && strchr(ok, x->peer_ufrag[i]) != NULL :
		      x->peer_ufrag[i] == 0);
	}
	for (unsigned int i = 0; i < IPC_ICE_PWD_MAX; i++)
		CHECK(i < x->pwd_len ? x->pwd[i] != 0 && strchr(ok, x->pwd[i]) != NULL :
				       x->pwd[i] == 0);
	CHECK(x->nominated.family == 0 ? x->nominated.port == 0 :
	      x->nominated.family == family && x->nominated.port != 0);
}

/* A fingerprint that passed: what lib/certfp compares lies within md[]
 * (len the hash's), nothing past it. */
static void
walk_fp(const struct ipc_agw_fp *f)
{
	static const uint8_t fp_len[5] = { 0, 20, 32, 48, 64 };

	CHECK(f->alg >= 1 && f->alg <= 4 && f->len == fp_len[f->alg]);
	for (unsigned int i = f->len; i < IPC_AGW_FP_LEN; i++)
		CHECK(f->md[i] == 0);
	fold(f->md, f->len);
}

static void
walk_fp_zero(const struct ipc_agw_fp *f)
{
	CHECK(f->alg == 0 && f->len == 0);
	for (unsigned int i = 0; i < IPC_AGW_FP_LEN; i++)
		CHECK(f->md[i] == 0);
}

/* A termination's DTLS-SRTP that passed: dp/dtls_srtp's cfg_check()
 * would take it (a role, its fingerprints, profiles and flags in range)
 * on an SRTP termination with rtcp-mux; keys only flagged as its. */
static void
walk_rtp_dtls(const struct ipc_rtp_term *t)
{
	const struct ipc_rtp_dtls *d = &t->dtls;

	CHECK(d->role <= IPC_RTP_DTLS_ROLE_MAX);
	if (d->role == IPC_RTP_DTLS_NONE) {
		CHECK(d->nfp == 0 && d->profiles == 0 && d->flags == 0 && d->assoc == 0);
		for (unsigned int i = 0; i < IPC_RTP_DTLS_FP_MAX; i++)
			walk_fp_zero(&d->fp[i]);
		return;
	}
	CHECK(t->profile == IPC_RTP_SAVP || t->profile == IPC_RTP_SAVPF);
	CHECK(t->flags & IPC_RTP_F_MUX);
	CHECK(d->nfp <= IPC_RTP_DTLS_FP_MAX && (d->nfp == 0) == (d->role == IPC_RTP_DTLS_EITHER));
	CHECK(d->profiles != 0 && (d->profiles & ~IPC_RTP_DTLS_P_ALL) == 0);
	CHECK((d->flags & ~IPC_RTP_DTLS_F_ALL) == 0);
	for (unsigned int i = 0; i < IPC_RTP_DTLS_FP_MAX; i++) {
		if (i < d->nfp)
			walk_fp(&d->fp[i]);
		else
			walk_fp_zero(&d->fp[i]);
	}
}

/* A termination's BUNDLE that passed (h's message): its role, mid and
 * SSRCs within their bounds, rtcp-mux; an owner names no owner; a member
 * names another context of the ring's worker and has none of the
 * transport's fields (no address, port, remote, ICE, DTLS, latching, gm
 * or key octet). true for a member. */
static bool
walk_rtp_bundle(const struct ipc_rtp_term *t, const struct ipc_msg_hdr *h)
{
	const struct ipc_rtp_bundle *b = &t->bundle;

	CHECK(b->role <= IPC_RTP_BUNDLE_ROLE_MAX);
	if (b->role == IPC_RTP_BUNDLE_NONE) {
		CHECK(b->owner == 0 && b->owner_term == 0 && b->mid_ext == 0 && b->mid_len == 0 &&
		      b->nssrc == 0 && b->mid[0] == 0 && b->ssrc[0] == 0 && b->pt[0] == 0);
		return false;
	}
	CHECK(t->flags & IPC_RTP_F_MUX);
	CHECK(b->mid_len >= 1 && b->mid_len <= IPC_RTP_MID_MAX);
	for (unsigned int i = 0; i < IPC_RTP_MID_MAX; i++)
		CHECK(i < b->mid_len ? b->mid[i] > ' ' && b->mid[i] < 0x7f && b->mid[i] != ':'
				     : b->mid[i] == 0);
	CHECK(b->nssrc <= IPC_RTP_BUNDLE_SSRCS);
	CHECK(b->nssrc < 2 || b->ssrc[0] != b->ssrc[1]);
	fold(b->mid, b->mid_len);
	fold(b->pt, sizeof(b->pt));
	if (b->role == IPC_RTP_BUNDLE_OWNER) {
		CHECK(b->owner == 0 && b->owner_term == 0);
		return false;
	}
	CHECK(b->owner != h->alloc_id && ipc_conn_worker(b->owner) == h->worker &&
	      ipc_conn_gen(b->owner) != 0);
	CHECK(b->owner_term <= 1 && b->mid_ext == 0);
	CHECK(t->local.family == 0 && t->local.port == 0 && t->rtcp_port == 0);
	CHECK(t->remote.family == 0 && t->remote.port == 0 && t->remote_rtcp == 0);
	CHECK(t->ice.mode == IPC_RTP_ICE_OFF && t->dtls.role == IPC_RTP_DTLS_NONE);
	CHECK(t->latch == 0 && t->gm_addr.family == 0 && t->gm_plen == 0 &&
	      t->gm_port_lo == 0 && t->gm_port_hi == 0);
	for (unsigned int i = 0; i < IPC_SRTP_KEY_MAX; i++)
		CHECK(t->srtp_rx.key[i] == 0 && t->srtp_tx.key[i] == 0);
	if (t->profile != IPC_RTP_SAVP && t->profile != IPC_RTP_SAVPF)
		CHECK(t->srtp_rx.suite == 0 && t->srtp_tx.suite == 0);
	CHECK(t->srtp_rx.suite == 0 || t->srtp_rx.key_len == ipc_srtp_key_len(t->srtp_rx.suite));
	CHECK(t->srtp_tx.suite == 0 || t->srtp_tx.key_len == ipc_srtp_key_len(t->srtp_tx.suite));
	return true;
}

/* An RTP termination that passed (h's message): what dp acts on is in
 * range. */
static void
walk_rtp_term(const struct ipc_rtp_term *t, const struct ipc_msg_hdr *h, bool may_be_empty)
{
	if (t->profile == IPC_RTP_NONE) {
		CHECK(may_be_empty);
		CHECK(t->local.family == 0 && t->remote.family == 0 && t->flags == 0 &&
		      t->latch == 0 && t->pol_rate == 0 && t->inact_ms == 0 &&
		      t->bundle.role == 0);
		return;
	}
	if (walk_rtp_bundle(t, h)) {
		CHECK(t->profile <= IPC_RTP_PROFILE_MAX && t->mode <= IPC_RTP_MODE_MAX);
		CHECK((t->flags & ~IPC_RTP_F_MASK) == 0 && t->dscp <= IPC_RTP_DSCP_MAX);
		CHECK(t->pol_rate == 0 || t->pol_burst != 0);
		fold(t, sizeof(*t));
		return;
	}
	CHECK(t->profile <= IPC_RTP_PROFILE_MAX && t->mode <= IPC_RTP_MODE_MAX);
	CHECK((t->flags & ~IPC_RTP_F_MASK) == 0 && t->dscp <= IPC_RTP_DSCP_MAX);
	CHECK((t->latch & IPC_RTP_LATCH_POLICY) <= IPC_RTP_LATCH_MAX &&
	      (t->latch & ~(IPC_RTP_LATCH_POLICY | IPC_RTP_LATCH_SIGNALLED)) == 0);
	CHECK((t->local.family == 4 || t->local.family == 6) && t->local.port != 0);
	CHECK((t->flags & IPC_RTP_F_MUX) ? t->rtcp_port == 0
					 : t->rtcp_port != 0 && t->rtcp_port != t->local.port);
	CHECK(t->remote.family == 0 || t->remote.family == t->local.family);
	CHECK(t->gm_addr.family == 0 || t->gm_addr.family == t->local.family);
	CHECK(t->gm_plen <= (t->local.family == 4 ? 32 : 128));
	CHECK(t->gm_port_lo <= t->gm_port_hi);
	CHECK(t->pol_rate == 0 || t->pol_burst != 0);
	walk_rtp_dtls(t);
	/* (a DTLS termination's keys come from its handshake, or are flagged
	 * as the association's) */
	walk_srtp_key(&t->srtp_rx, (t->profile == IPC_RTP_SAVP || t->profile == IPC_RTP_SAVPF) &&
				   (t->dtls.role == IPC_RTP_DTLS_NONE ||
				    (t->dtls.flags & IPC_RTP_DTLS_F_KEYS)));
	walk_srtp_key(&t->srtp_tx, (t->profile == IPC_RTP_SAVP || t->profile == IPC_RTP_SAVPF) &&
				   (t->dtls.role == IPC_RTP_DTLS_NONE ||
				    (t->dtls.flags & IPC_RTP_DTLS_F_KEYS)));
	walk_rtp_ice(&t->ice, t->local.family);
	fold(t, sizeof(*t));
}

static void
walk_rtp_stats(const struct ipc_rtp_stats *st)
{
	CHECK(st->latched <= 3);
	CHECK(st->ice <= (IPC_RTP_ICE_ON | IPC_RTP_ICE_LOST));
	CHECK(st->rtp_src.family == 0 || st->rtp_src.family == 4 || st->rtp_src.family == 6);
	CHECK(st->rtcp_src.family == 0 || st->rtcp_src.family == 4 ||
	      st->rtcp_src.family == 6);
	fold(st, sizeof(*st));
}

static void
walk_addr(const struct ipc_addr *a)
{
	CHECK(a->family == 4 || a->family == 6);
	fold(a, sizeof(*a));
}

static void
walk_alloc(const struct ipc_msg *m)
{
	const struct ipc_alloc *a = ipc_msg_alloc(m);

	within_body(m, a, sizeof(*a));
	CHECK(a->nrelayed >= 1 && a->nrelayed <= 2);
	CHECK(a->key_len <= IPC_KEY_MAX && a->user_len <= IPC_USER_MAX);
	for (unsigned int i = 0; i < a->nrelayed; i++)
		walk_addr(&a->relayed[i]);
	fold(a->key, a->key_len);
	fold(a->username, a->user_len);
	fold(&a->expires_ms, sizeof(a->expires_ms));
}

static void
walk_bindings(const struct ipc_msg *m)
{
	unsigned int n = ipc_msg_nbindings(m);

	for (unsigned int i = 0; i < n; i++) {
		const struct ipc_binding *b = ipc_msg_binding(m, i);

		within_body(m, b, sizeof(*b));
		walk_addr(&b->peer);
		CHECK(b->channel == 0 || (b->channel >= 0x4000 && b->channel <= 0x7FFE));
		fold(&b->channel, sizeof(b->channel));
		fold(&b->expires_ms, sizeof(b->expires_ms));
	}
}

static void
walk(const struct ipc_msg *m, enum ipc_dir dir)
{
	size_t len = m->h.body_len;

	CHECK(ipc_kind_dir(m->h.kind) == dir);
	CHECK(len <= BODY_MAX);
	CHECK(m->h.worker < IPC_MAX_WORKERS);
	fold(ipc_kind_name(m->h.kind), 1);
	switch (m->h.kind) {
	case IPC_REQUEST:
	case IPC_RESPONSE:
		CHECK(len >= 20 && len % 4 == 0);
		CHECK((size_t)(m->body[2] << 8 | m->body[3]) + 20 == len);
		walk_addr(&m->h.tuple.client);
		walk_addr(&m->h.tuple.server);
		fold(m->body, len);
		break;
	case IPC_ALLOC_ADD:
		CHECK(len == sizeof(struct ipc_alloc));
		CHECK(ipc_msg_nbindings(m) == 0);
		walk_alloc(m);
		break;
	case IPC_STATE_ALLOC:
		CHECK(len >= sizeof(struct ipc_alloc));
		CHECK(sizeof(struct ipc_alloc) + ipc_msg_nbindings(m) *
		      sizeof(struct ipc_binding) == len);
		walk_alloc(m);
		walk_bindings(m);
		break;
	case IPC_PERM_ADD:
	case IPC_PERM_DEL:
	case IPC_CHAN_ADD:
	case IPC_CHAN_DEL:
		CHECK(ipc_msg_nbindings(m) == 1);
		CHECK((ipc_msg_binding(m, 0)->channel != 0) ==
		      (m->h.kind == IPC_CHAN_ADD || m->h.kind == IPC_CHAN_DEL));
		walk_bindings(m);
		break;
	case IPC_ALLOC_LIFE:
		CHECK(len == sizeof(uint64_t));
		fold(m->body, len);
		break;
	case IPC_ALLOC_TAP: {
		/* what dp's turn_li_tap() relies on: on with 1..IPC_LI_DESTS
		 * destinations of family 4 or 6 with a port, off all zero */
		const struct ipc_alloc_tap *t = (const void *)m->body;

		CHECK(len == sizeof(*t) && m->h.alloc_id != 0 && t->on <= 1);
		CHECK(t->on ? t->ndest >= 1 && t->ndest <= IPC_LI_DESTS :
		      t->ndest == 0 && t->correlation == 0);
		for (unsigned int i = 0; i < t->ndest; i++)
			CHECK((t->dest[i].family == 4 || t->dest[i].family == 6) &&
			      t->dest[i].port != 0);
		fold(t, sizeof(*t));
		break;
	}
	case IPC_LI_X2: {
		/* what dp's li_x2_put() relies on: a payload within the
		 * message and a slot's bound, 1..IPC_LI_DESTS destinations */
		const struct ipc_li_x2 *x = (const void *)m->body;

		CHECK(len >= offsetof(struct ipc_li_x2, payload) &&
		      x->len == len - offsetof(struct ipc_li_x2, payload) &&
		      x->len >= 8 && x->len <= IPC_LI_X2_MAX && m->h.alloc_id != 0);
		CHECK(x->ndest >= 1 && x->ndest <= IPC_LI_DESTS && x->dir >= 1 && x->dir <= 5);
		for (unsigned int i = 0; i < x->ndest; i++)
			CHECK((x->dest[i].family == 4 || x->dest[i].family == 6) &&
			      x->dest[i].port != 0);
		fold(x->payload, x->len);
		break;
	}
	case IPC_ALLOC_MOVE: {
		const struct ipc_tuple *to = (const void *)m->body;

		CHECK(len == sizeof(*to));
		CHECK(m->h.tuple.transport == 17 && to->transport == 17);
		walk_addr(&to->client);
		walk_addr(&to->server);
		break;
	}
	case IPC_FWD_ADD: {
		const struct ipc_fwd *f = (const void *)m->body;

		CHECK(len == sizeof(*f));
		CHECK(f->owner < IPC_MAX_WORKERS && f->owner != m->h.worker);
		CHECK(m->h.tuple.transport == 17 && m->h.tuple.conn_id == 0);
		fold(f, sizeof(*f));
		break;
	}
	case IPC_STATS:
		CHECK(ipc_msg_nstats(m) * sizeof(struct ipc_alloc_stats) == len);
		for (unsigned int i = 0; i < ipc_msg_nstats(m); i++) {
			const struct ipc_alloc_stats *s = ipc_msg_stats(m, i);

			within_body(m, s, sizeof(*s));
			fold(s, sizeof(*s));
		}
		break;
	case IPC_STATS_FINAL: {
		const struct ipc_alloc_stats *s = (const void *)m->body;

		CHECK(len == sizeof(*s) && m->h.alloc_id != 0);
		fold(s, sizeof(*s));
		break;
	}
	case IPC_ALLOC_END: {
		const struct ipc_alloc_end *e = (const void *)m->body;

		CHECK(len == sizeof(*e) && m->h.alloc_id != 0);
		CHECK(e->nrelayed >= 1 && e->nrelayed <= 2);
		CHECK(e->reason >= 1 && e->reason <= IPC_END_REASON_MAX);
		CHECK(e->user_len <= IPC_USER_MAX);
		for (unsigned int i = 0; i < e->nrelayed; i++)
			walk_addr(&e->relayed[i]);
		CHECK(e->nrelayed == 1 || e->relayed[0].family != e->relayed[1].family);
		fold(e->username, e->user_len);
		fold(e->c, sizeof(e->c));
		break;
	}
	case IPC_CONN_DOWN: {
		const struct ipc_conn_event *ev = (const void *)m->body;

		CHECK(len == sizeof(*ev));
		CHECK(ev->reason >= 1 && ev->reason <= IPC_CONN_REASON_MAX);
		/* a TCP connection's, or a DTLS session's (its slot says so) */
		CHECK(m->h.tuple.transport == 6 ||
		      (m->h.tuple.transport == 17 &&
		       (ipc_conn_slot(m->h.tuple.conn_id) & IPC_CONN_SLOT_DTLS)));
		fold(ev, sizeof(*ev));
		break;
	}
	case IPC_TLS_TICKETS: {
		const struct ipc_tls_tickets *tk = (const void *)m->body;

		CHECK(len == sizeof(*tk));
		CHECK(tk->nkeys >= 1 && tk->nkeys <= IPC_TLS_TICKET_KEYS);
		for (unsigned int i = 0; i < tk->nkeys; i++) {
			within_body(m, &tk->key[i], sizeof(tk->key[i]));
			fold(&tk->key[i], sizeof(tk->key[i]));
		}
		break;
	}
	case IPC_TLS_PSK_ADD:
	case IPC_TLS_PSK_DEL: {
		const struct ipc_tls_psk *p = (const void *)m->body;

		CHECK(len == sizeof(*p));
		CHECK(p->id_len >= 1 && p->id_len <= IPC_TLS_PSK_ID_MAX);
		if (m->h.kind == IPC_TLS_PSK_ADD)
			CHECK(p->key_len >= IPC_TLS_PSK_KEY_MIN &&
			      p->key_len <= IPC_TLS_PSK_KEY_MAX &&
			      p->cipher >= 0x1301 && p->cipher <= 0x1303);
		else
			CHECK(p->key_len == 0 && p->cipher == 0);
		fold(p->id, p->id_len);
		fold(p->key, p->key_len);
		break;
	}
	case IPC_TLS_PSK_SYNC: {
		const struct ipc_tls_psk_sync *ps = (const void *)m->body;

		CHECK(len == sizeof(*ps));
		CHECK(ps->phase == IPC_TLS_PSK_BEGIN || ps->phase == IPC_TLS_PSK_END);
		fold(ps, sizeof(*ps));
		break;
	}
	case IPC_AGW_ADD:
	case IPC_AGW_STATE: {
		const struct ipc_agw_ctx *x = (const void *)m->body;

		CHECK(len == (m->h.kind == IPC_AGW_ADD ? sizeof(struct ipc_agw_ctx)
						       : sizeof(struct ipc_agw_state)));
		for (unsigned int i = 0; i < 2; i++) {
			const struct ipc_agw_term *t = &x->term[i];

			if (t->tcp_role == IPC_AGW_TCP_NONE) {
				/* an empty slot: nothing else said of it */
				CHECK(t->tls_role == IPC_AGW_TLS_NONE && t->nfp == 0 &&
				      t->local.family == 0 && t->remote.family == 0);
				continue;
			}
			CHECK(t->tcp_role == IPC_AGW_TCP_CLIENT ||
			      t->tcp_role == IPC_AGW_TCP_SERVER);
			CHECK(t->nfp <= IPC_AGW_FP_MAX);
			CHECK((t->tls_role != IPC_AGW_TLS_NONE) == (t->nfp > 0));
			for (unsigned int k = 0; k < t->nfp; k++)
				CHECK(t->fp[k].len == 20 || t->fp[k].len == 32 ||
				      t->fp[k].len == 48 || t->fp[k].len == 64);
			CHECK(t->local.family == 4 || t->local.family == 6);
		}
		fold(x, len);
		break;
	}
	case IPC_AGW_MOD: {
		const struct ipc_agw_mod *x = (const void *)m->body;

		CHECK(len == sizeof(*x));
		CHECK(x->leg <= 1);
		CHECK(x->op >= IPC_AGW_ADD_LEG && x->op <= IPC_AGW_MOD_OP_MAX);
		if (x->op == IPC_AGW_SUB_LEG) {
			CHECK(x->term.tcp_role == IPC_AGW_TCP_NONE);
		} else {
			CHECK(x->term.tcp_role == IPC_AGW_TCP_CLIENT ||
			      x->term.tcp_role == IPC_AGW_TCP_SERVER);
			CHECK(x->term.nfp <= IPC_AGW_FP_MAX);
			CHECK((x->term.tls_role != IPC_AGW_TLS_NONE) == (x->term.nfp > 0));
			CHECK(x->term.local.family == 4 || x->term.local.family == 6);
		}
		fold(x, len);
		break;
	}
	case IPC_AGW_EVENT: {
		const struct ipc_agw_event *e = (const void *)m->body;

		CHECK(len == sizeof(*e));
		CHECK(e->type >= IPC_AGW_EV_LEG_UP && e->type <= IPC_AGW_EV_MAX);
		CHECK(e->detail_len < IPC_AGW_DETAIL_MAX && e->detail[e->detail_len] == '\0');
		CHECK(e->cause <= IPC_AGW_CAUSE_MAX);
		fold(e->detail, e->detail_len);
		break;
	}
	case IPC_RTP_ADD:
	case IPC_RTP_STATE: {
		const struct ipc_rtp_ctx *x = (const void *)m->body;

		CHECK(len == (m->h.kind == IPC_RTP_ADD ? sizeof(struct ipc_rtp_ctx)
						       : sizeof(struct ipc_rtp_state)));
		for (unsigned int i = 0; i < 2; i++)
			walk_rtp_term(&x->term[i], &m->h, true);
		if (m->h.kind == IPC_RTP_STATE)
			for (unsigned int i = 0; i < 2; i++)
				walk_rtp_stats(&((const struct ipc_rtp_state *)(const void *)
						 m->body)->st[i]);
		fold(x, len);
		break;
	}
	case IPC_RTP_MOD: {
		const struct ipc_rtp_mod *x = (const void *)m->body;

		CHECK(len == sizeof(*x));
		CHECK(x->term <= 1);
		CHECK(x->op >= IPC_RTP_ADD_TERM && x->op <= IPC_RTP_MOD_OP_MAX);
		walk_rtp_term(&x->t, &m->h, x->op == IPC_RTP_SUB_TERM);
		CHECK((x->op == IPC_RTP_SUB_TERM) == (x->t.profile == IPC_RTP_NONE));
		CHECK(x->t.ice.nominated.family == 0);
		fold(x, len);
		break;
	}
	case IPC_RTP_STATS_REQ:
		CHECK(len == sizeof(struct ipc_rtp_stats_req));
		fold(m->body, len);
		break;
	case IPC_RTP_TAP: {
		/* what dp's rtp_li_tap() relies on: ALLOC_TAP's, and the
		 * target's termination 0 or 1 */
		const struct ipc_rtp_tap *t = (const void *)m->body;

		CHECK(len == sizeof(*t) && t->tap.on <= 1 && t->term <= 1);
		CHECK(t->tap.on ? t->tap.ndest >= 1 && t->tap.ndest <= IPC_LI_DESTS :
		      t->tap.ndest == 0 && t->tap.correlation == 0 && t->term == 0);
		for (unsigned int i = 0; i < t->tap.ndest; i++)
			CHECK((t->tap.dest[i].family == 4 || t->tap.dest[i].family == 6) &&
			      t->tap.dest[i].port != 0);
		fold(t, sizeof(*t));
		break;
	}
	case IPC_AGW_TAP: {
		/* what dp's agw_li.c relies on: ALLOC_TAP's, and the target's
		 * leg 0 or 1 */
		const struct ipc_agw_tap *t = (const void *)m->body;

		CHECK(len == sizeof(*t) && t->tap.on <= 1 && t->leg <= 1);
		CHECK(t->tap.on ? t->tap.ndest >= 1 && t->tap.ndest <= IPC_LI_DESTS :
		      t->tap.ndest == 0 && t->tap.correlation == 0 && t->leg == 0);
		for (unsigned int i = 0; i < t->tap.ndest; i++)
			CHECK((t->tap.dest[i].family == 4 || t->tap.dest[i].family == 6) &&
			      t->tap.dest[i].port != 0);
		fold(t, sizeof(*t));
		break;
	}
	case IPC_RTP_STATS: {
		const struct ipc_rtp_stats_msg *x = (const void *)m->body;

		CHECK(len == sizeof(*x) && x->found <= 1);
		walk_rtp_stats(&x->st[0]);
		walk_rtp_stats(&x->st[1]);
		break;
	}
	case IPC_RTP_EVENT: {
		const struct ipc_rtp_event *e = (const void *)m->body;

		CHECK(len == sizeof(*e));
		CHECK(e->type >= IPC_RTP_EV_LATCHED && e->type <= IPC_RTP_EV_MAX);
		CHECK(e->cause <= IPC_AGW_CAUSE_MAX);
		CHECK(e->detail_len < IPC_RTP_DETAIL_MAX && e->detail[e->detail_len] == '\0');
		CHECK(e->type == IPC_RTP_EV_RELEASED ? e->term == IPC_RTP_TERM_NONE
						     : e->term <= 1);
		CHECK(e->type == IPC_RTP_EV_SSRC_CLASH ? e->count != 0
						       : e->count == 0 && e->ssrc == 0);
		if (e->type == IPC_RTP_EV_LATCHED || e->type == IPC_RTP_EV_NOMINATED ||
		    e->type == IPC_RTP_EV_CONSENT_LOST || e->type == IPC_RTP_EV_CONSENT_REGAINED) {
			CHECK(e->addr.family == 4 || e->addr.family == 6);
			CHECK(e->addr.port != 0 && e->rtcp <= 1);
		}
		walk_rtp_stats(&e->st[0]);
		walk_rtp_stats(&e->st[1]);
		fold(e->detail, e->detail_len);
		break;
	}
	case IPC_RTP_DTLS: {
		const struct ipc_rtp_dtls_ev *e = (const void *)m->body;

		CHECK(len == sizeof(*e) && e->term <= 1);
		CHECK(e->state >= IPC_RTP_DTLS_UP && e->state <= IPC_RTP_DTLS_STATE_MAX);
		CHECK(e->role <= IPC_RTP_DTLS_SERVER);
		CHECK((e->state == IPC_RTP_DTLS_FAILED) == (e->why != 0) &&
		      e->why <= IPC_RTP_DTLS_WHY_MAX);
		CHECK(e->matched >= -1 && e->matched < (int)IPC_RTP_DTLS_FP_MAX);
		CHECK(e->peer.family == 0 || e->peer.family == 4 || e->peer.family == 6);
		if (e->seen.alg != 0)
			walk_fp(&e->seen);
		else
			walk_fp_zero(&e->seen);
		walk_srtp_key(&e->rx, e->state == IPC_RTP_DTLS_UP);
		walk_srtp_key(&e->tx, e->state == IPC_RTP_DTLS_UP);
		CHECK(memchr(e->cipher, 0, sizeof(e->cipher)) != NULL);
		CHECK(e->detail_len < IPC_RTP_DETAIL_MAX && e->detail[e->detail_len] == '\0');
		fold(e->cipher, strlen(e->cipher));
		fold(e->detail, e->detail_len);
		break;
	}
	case IPC_LI_STATUS: {
		const struct ipc_li_status *x = (const void *)m->body;

		CHECK(len == sizeof(*x) && m->h.worker == 0 && m->h.alloc_id == 0);
		CHECK(x->ndest <= IPC_LI_ST_DESTS && x->ntask <= IPC_LI_ST_TASKS);
		for (unsigned int i = 0; i < x->ndest; i++)
			CHECK((x->dest[i].addr.family == 4 || x->dest[i].addr.family == 6) &&
			      x->dest[i].addr.port != 0 &&
			      x->dest[i].state <= IPC_LI_CONN_STATE_MAX &&
			      x->dest[i].fault <= IPC_LI_FAULT_MAX &&
			      x->dest[i].delivered <= IPC_LI_COUNT_MAX &&
			      x->dest[i].failures <= IPC_LI_COUNT_MAX);
		/* what cp adds up: counts int64, times under 2^32 s, a task once */
		for (unsigned int i = 0; i < x->ntask; i++) {
			const struct ipc_li_task_st *t = &x->task[i];

			CHECK(t->x2_delivered <= IPC_LI_COUNT_MAX &&
			      t->x3_delivered <= IPC_LI_COUNT_MAX &&
			      t->x2_lost <= IPC_LI_COUNT_MAX && t->x3_lost <= IPC_LI_COUNT_MAX &&
			      t->last_us <= IPC_LI_LAST_US_MAX);
			for (unsigned int k = 0; k < i; k++)
				CHECK(memcmp(x->task[k].xid, t->xid, sizeof(t->xid)) != 0);
		}
		break;
	}
	case IPC_DTLS_CERT: {
		const struct ipc_dtls_cert *c = (const void *)m->body;

		CHECK(len == sizeof(*c) && m->h.worker == 0);
		CHECK(c->nfp >= 1 && c->nfp <= IPC_AGW_FP_MAX);
		for (unsigned int i = 0; i < IPC_AGW_FP_MAX; i++) {
			if (i < c->nfp)
				walk_fp(&c->fp[i]);
			else
				walk_fp_zero(&c->fp[i]);
		}
		break;
	}
	case IPC_TCP_CONNECT:
	case IPC_TCP_BIND:
	case IPC_TCP_CLOSE:
	case IPC_TCP_NAME: {
		const struct ipc_tcp_conn *c = (const void *)m->body;

		CHECK(len >= sizeof(*c) && c->cid != 0 && m->h.alloc_id != 0);
		CHECK(len == sizeof(*c) + (m->h.kind == IPC_TCP_BIND ? c->resp_len : 0u));
		if (m->h.kind == IPC_TCP_CONNECT) {
			CHECK(c->peer == 0 && c->addr.port != 0);
			CHECK(c->addr.family == 4 || c->addr.family == 6);
			CHECK(m->h.tuple.transport == 6);
		} else {
			CHECK(ipc_conn_gen(c->peer) != 0 &&
			      ipc_conn_worker(c->peer) == m->h.worker);
		}
		if (m->h.kind == IPC_TCP_BIND) {
			CHECK(c->ok <= 1 && m->h.tuple.transport == 6 &&
			      ipc_conn_gen(m->h.tuple.conn_id) != 0);
			fold(m->body + sizeof(*c), c->resp_len);
		}
		fold(c, sizeof(*c));
		break;
	}
	case IPC_TCP_EVENT:
	case IPC_TCP_STATE: {
		const struct ipc_tcp_event *e = (const void *)m->body;

		CHECK(len == sizeof(*e) && m->h.alloc_id != 0);
		CHECK(e->type >= 1 && e->type <= IPC_TCP_EV_MAX);
		CHECK(e->addr.family == 4 || e->addr.family == 6);
		CHECK((e->type == IPC_TCP_EV_FAILED) == (e->peer == 0));
		if (e->type == IPC_TCP_EV_INCOMING)
			CHECK(e->cid == 0);
		if (e->type == IPC_TCP_EV_BOUND)
			CHECK(e->cid != 0 && ipc_conn_gen(e->data) != 0);
		if (e->type == IPC_TCP_EV_FAILED || e->type == IPC_TCP_EV_GONE)
			CHECK(e->reason >= 1 && e->reason <= IPC_CONN_REASON_MAX);
		if (m->h.kind == IPC_TCP_STATE)
			CHECK(e->type == IPC_TCP_EV_CONNECTED || e->type == IPC_TCP_EV_BOUND ||
			      e->type == IPC_TCP_EV_INCOMING);
		fold(e, sizeof(*e));
		break;
	}
	default:   /* ALLOC_DEL, STATE_DONE, SYNC, STATS_REQ, AGW_DEL, TLS_RELOAD, RTP_DEL,
		    * FWD_DEL, FENCE, FENCE_DONE */
		CHECK(len == 0);
		break;
	}
	if (m->h.kind == IPC_AGW_ADD || m->h.kind == IPC_AGW_DEL || m->h.kind == IPC_AGW_MOD ||
	    m->h.kind == IPC_AGW_STATE || m->h.kind == IPC_AGW_EVENT ||
	    m->h.kind == IPC_AGW_TAP || is_rtp(m->h.kind))
		CHECK(ipc_conn_gen(m->h.alloc_id) != 0 &&
		      ipc_conn_worker(m->h.alloc_id) == m->h.worker);
	if (m->h.kind != IPC_STATS && m->h.kind != IPC_STATS_FINAL &&
	    m->h.kind != IPC_STATE_DONE && m->h.kind != IPC_SYNC && m->h.kind != IPC_STATS_REQ &&
	    m->h.kind != IPC_TLS_RELOAD && m->h.kind != IPC_FENCE &&
	    m->h.kind != IPC_FENCE_DONE &&
	    m->h.kind != IPC_TLS_TICKETS && m->h.kind != IPC_TLS_PSK_ADD &&
	    m->h.kind != IPC_TLS_PSK_DEL && m->h.kind != IPC_TLS_PSK_SYNC &&
	    m->h.kind != IPC_AGW_ADD && m->h.kind != IPC_AGW_DEL &&
	    m->h.kind != IPC_AGW_STATE && m->h.kind != IPC_AGW_EVENT &&
	    m->h.kind != IPC_AGW_MOD && m->h.kind != IPC_AGW_TAP && !is_rtp(m->h.kind) &&
	    /* (DTLS_CERT is the process's certificate: no context, no tuple) */
	    m->h.kind != IPC_DTLS_CERT &&
	    /* (tp-li's figures: worker 0's, no tuple) */
	    m->h.kind != IPC_LI_STATUS &&
	    /* (an X2 event: its session's id, no tuple read) */
	    m->h.kind != IPC_LI_X2 &&
	    /* (a bind's data connection may be another worker's; a close's
	     * and an event's tuple is unused) */
	    m->h.kind != IPC_TCP_BIND && m->h.kind != IPC_TCP_CLOSE &&
	    m->h.kind != IPC_TCP_NAME && m->h.kind != IPC_TCP_EVENT &&
	    m->h.kind != IPC_TCP_STATE) {
		const struct ipc_tuple *t = &m->h.tuple;

		CHECK(t->transport == 17 || t->transport == 6);
		CHECK(t->client.family == t->server.family);
		/* UDP has no connection, unless a DTLS session's (its slot
		 * says so); a stream's or a session's is the ring's worker's. */
		if (t->transport == 17)
			CHECK(t->conn_id == 0 ||
			      ((ipc_conn_slot(t->conn_id) & IPC_CONN_SLOT_DTLS) &&
			       ipc_conn_gen(t->conn_id) != 0 &&
			       ipc_conn_worker(t->conn_id) == m->h.worker));
		else
			CHECK(ipc_conn_gen(t->conn_id) != 0 &&
			      ipc_conn_worker(t->conn_id) == m->h.worker);
		fold(&t->conn_id, sizeof(t->conn_id));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_msg_hdr h;
	struct ipc_msg *m;
	size_t body, have;

	memset(&h, 0, sizeof(h));
	memcpy(&h, data, size < HDR ? size : HDR);
	body = h.body_len <= BODY_MAX ? h.body_len : 0;
	m = calloc(1, HDR + body);
	if (m == NULL)
		return 0;
	memcpy(m, &h, HDR);
	have = size > HDR ? size - HDR : 0;
	memcpy(m->body, data + HDR, have < body ? have : body);

	for (int d = IPC_DP2CP; d <= IPC_CP2DP; d++) {
		int rc = ipc_msg_check(m, (enum ipc_dir)d);

		CHECK(rc == 0 || rc == -EBADMSG);
		CHECK(ipc_msg_check(m, (enum ipc_dir)d) == rc);
		if (rc == 0)
			walk(m, (enum ipc_dir)d);
	}
	free(m);
	return 0;
}
