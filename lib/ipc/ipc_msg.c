/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a receiver checks in a message before it acts on it. dp (root)
 * and cp (an unprivileged user, cp.user) share writable memory, so each
 * reads what the other wrote as it would read the network: a kind it does
 * not know, a length that is not what the kind carries, a family that is
 * neither 4 nor 6, a count that would index past an array, is refused
 * here, once, in one function both sides call (ipc_msg_check()), and
 * counted by the caller. Pure: no state, no side effect; fuzzed by
 * tests/fuzz/fuzz_ipc_msg.c.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ipc.h"

/* Where the body starts, and every struct a body carries, keep 8-byte
 * fields aligned (the accessors cast). */
_Static_assert(offsetof(struct ipc_msg, body) % 8 == 0, "body alignment");
_Static_assert(sizeof(struct ipc_alloc) % 8 == 0, "ipc_alloc size");
_Static_assert(sizeof(struct ipc_binding) % 8 == 0, "ipc_binding size");
_Static_assert(sizeof(struct ipc_alloc_stats) % 8 == 0, "ipc_alloc_stats size");
_Static_assert(sizeof(struct ipc_alloc_end) % 8 == 0, "ipc_alloc_end size");
_Static_assert(sizeof(struct ipc_conn_event) % 8 == 0, "ipc_conn_event size");
_Static_assert(sizeof(struct ipc_conn_event) <= IPC_EVENT_BODY_MAX, "event body");
_Static_assert(sizeof(struct ipc_tls_tickets) % 8 == 0, "ipc_tls_tickets size");
_Static_assert(sizeof(struct ipc_tls_psk) % 8 == 0, "ipc_tls_psk size");
_Static_assert(sizeof(struct ipc_tls_psk_sync) % 8 == 0, "ipc_tls_psk_sync size");
_Static_assert(sizeof(struct ipc_tls_tickets) <= sizeof(((struct ipc_msg *)0)->body),
	       "ticket keys fit a message");
_Static_assert(sizeof(struct ipc_tls_psk) <= sizeof(((struct ipc_msg *)0)->body),
	       "a PSK fits a message");
_Static_assert(sizeof(struct ipc_agw_ctx) % 8 == 0, "ipc_agw_ctx size");
_Static_assert(sizeof(struct ipc_agw_event) % 8 == 0, "ipc_agw_event size");
_Static_assert(sizeof(struct ipc_agw_state) % 8 == 0, "ipc_agw_state size");
_Static_assert(sizeof(struct ipc_agw_mod) % 8 == 0, "ipc_agw_mod size");
_Static_assert(sizeof(struct ipc_agw_state) <= sizeof(((struct ipc_msg *)0)->body),
	       "a context's state fits a message");
_Static_assert(sizeof(struct ipc_agw_ctx) <= sizeof(((struct ipc_msg *)0)->body),
	       "a context fits a message");
_Static_assert(sizeof(struct ipc_srtp_key) % 8 == 0, "ipc_srtp_key size");
_Static_assert(sizeof(struct ipc_srtp_pos) % 8 == 0, "ipc_srtp_pos size");
_Static_assert(sizeof(struct ipc_rtp_term) % 8 == 0, "ipc_rtp_term size");
_Static_assert(sizeof(struct ipc_rtp_mod) % 8 == 0, "ipc_rtp_mod size");
_Static_assert(sizeof(struct ipc_rtp_stats) % 8 == 0, "ipc_rtp_stats size");
_Static_assert(offsetof(struct ipc_rtp_event, st) % 8 == 0, "ipc_rtp_event's statistics");
_Static_assert(sizeof(struct ipc_rtp_event) % 8 == 0, "ipc_rtp_event size");
_Static_assert(sizeof(struct ipc_rtp_state) % 8 == 0, "ipc_rtp_state size");
_Static_assert(sizeof(struct ipc_rtp_stats_msg) % 8 == 0, "ipc_rtp_stats_msg size");
_Static_assert(sizeof(struct ipc_rtp_event) <= sizeof(((struct ipc_msg *)0)->body),
	       "an RTP event fits a message");
_Static_assert(sizeof(struct ipc_rtp_state) <= sizeof(((struct ipc_msg *)0)->body),
	       "an RTP context's state fits a message");
_Static_assert(sizeof(struct ipc_rtp_dtls) % 8 == 0, "ipc_rtp_dtls size");
_Static_assert(sizeof(struct ipc_rtp_bundle) == 56, "ipc_rtp_bundle size");
/* RTP_STATE is the largest body a context's terminations grow: two of
 * them and their figures, and what is left of 1,968 octets for what a
 * termination gains next (issue 68's BUNDLE left 64, DTLS-SRTP's tls-ids
 * 16) */
_Static_assert(sizeof(struct ipc_rtp_state) + 16 <= sizeof(((struct ipc_msg *)0)->body),
	       "RTP_STATE keeps 16 octets spare");
_Static_assert(sizeof(struct ipc_rtp_dtls_ev) % 8 == 0, "ipc_rtp_dtls_ev size");
_Static_assert(offsetof(struct ipc_rtp_dtls_ev, rx) % 4 == 0, "ipc_rtp_dtls_ev's keys");
_Static_assert(sizeof(struct ipc_dtls_cert) % 8 == 0, "ipc_dtls_cert size");
_Static_assert(sizeof(struct ipc_rtp_dtls_ev) <= sizeof(((struct ipc_msg *)0)->body),
	       "a DTLS-SRTP outcome fits a message");

/* RFC 8489 §5: the STUN header. */
#define STUN_HDR          20u
#define STUN_COOKIE       0x2112A442u
/* RFC 8489 §5: class bits C1 (0x0100) and C0 (0x0010) of the type. */
#define STUN_CLASS_MASK   0x0110u
#define STUN_CLASS_REQ    0x0000u
/* RFC 8656 §12: channel numbers; RFC 5766 §11 allowed up to 0x7FFE, which
 * turn.channels = "rfc5766" still accepts, so the contract does too. */
#define CHANNEL_MIN       0x4000u
#define CHANNEL_MAX       0x7FFEu

enum ipc_dir
ipc_kind_dir(uint16_t kind)
{
	switch (kind) {
#define IPC_KIND(e, v, name, dir) case v: return IPC_##dir;
#include "ipc_kinds.def"
#undef IPC_KIND
	default:
		return (enum ipc_dir)0;
	}
}

static bool
family_ok(uint8_t family)
{
	return family == 4 || family == 6;
}

/* The 5-tuple of a message about a client, on the ring of worker: UDP
 * has no connection, or is a DTLS session (its slot says so); a stream's
 * connection or a DTLS session belongs to that worker (a message about
 * another worker's is on the wrong ring). */
static bool
tuple_ok(const struct ipc_tuple *t, uint16_t worker)
{
	if (t->transport == 17) {
		if (t->conn_id != 0 &&
		    (!(ipc_conn_slot(t->conn_id) & IPC_CONN_SLOT_DTLS) ||
		     ipc_conn_gen(t->conn_id) == 0 || ipc_conn_worker(t->conn_id) != worker))
			return false;
	} else if (t->transport != 6 || ipc_conn_gen(t->conn_id) == 0 ||
		   ipc_conn_worker(t->conn_id) != worker) {
		return false;
	}
	return family_ok(t->client.family) && t->server.family == t->client.family;
}

/* One whole STUN message, a request (dp -> cp) or a response (cp -> dp:
 * or an indication, RFC 6062's ConnectionAttempt): RFC 8489 §5 framing,
 * as lib/stun's parser wants it. */
static bool
stun_ok(const uint8_t *b, size_t len, bool response)
{
	uint16_t type, hlen;
	uint32_t cookie;

	if (len < STUN_HDR || (b[0] & 0xc0u) != 0)
		return false;
	type = (uint16_t)(b[0] << 8 | b[1]);
	hlen = (uint16_t)(b[2] << 8 | b[3]);
	cookie = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
		 (uint32_t)b[6] << 8 | b[7];
	if (cookie != STUN_COOKIE || (hlen & 3u) != 0 || hlen + STUN_HDR != len)
		return false;
	if (response)
		return (type & STUN_CLASS_MASK) != STUN_CLASS_REQ;
	return (type & STUN_CLASS_MASK) == STUN_CLASS_REQ;
}

static bool
alloc_ok(const struct ipc_alloc *a)
{
	if (a->nrelayed < 1 || a->nrelayed > 2 || a->key_len > IPC_KEY_MAX ||
	    a->user_len > IPC_USER_MAX || (a->max_bps == 0 && a->max_bps_burst != 0))
		return false;
	for (unsigned int i = 0; i < a->nrelayed; i++)
		if (!family_ok(a->relayed[i].family))
			return false;
	/* RFC 8656 §7.2: a dual allocation is one address of each family. */
	return a->nrelayed == 1 || a->relayed[0].family != a->relayed[1].family;
}

/* ALLOC_TAP's body: on with 1..IPC_LI_DESTS destinations (an address of
 * family 4 or 6 and a port each, the rest of the array 0), or off with
 * every field 0; padding 0. */
static bool
tap_ok(const struct ipc_alloc_tap *t)
{
	static const struct ipc_addr zero;

	if (t->pad != 0 || t->pad2 != 0 || t->on > 1 || t->ndest > IPC_LI_DESTS ||
	    (t->on == 1) != (t->ndest > 0))
		return false;
	if (t->on == 0) {
		static const uint8_t z[16];

		if (t->correlation != 0 || memcmp(t->xid, z, sizeof(z)) != 0)
			return false;
	}
	for (unsigned int i = 0; i < IPC_LI_DESTS; i++) {
		const struct ipc_addr *d = &t->dest[i];

		if (i >= t->ndest ? memcmp(d, &zero, sizeof(*d)) != 0 :
		    !family_ok(d->family) || d->pad != 0 || d->port == 0)
			return false;
	}
	return true;
}

/* LI_X2's body: len what body_len leaves after the fixed part, 8 bytes
 * at least (the event's header), 1..IPC_LI_DESTS destinations as
 * ALLOC_TAP's, a direction of table 5.2.6-1 (1..5), nanoseconds under a
 * second. */
static bool
x2_ok(const struct ipc_li_x2 *x, size_t body_len)
{
	static const struct ipc_addr zero;

	if (body_len < offsetof(struct ipc_li_x2, payload) ||
	    x->len != body_len - offsetof(struct ipc_li_x2, payload) || x->len < 8 ||
	    x->len > IPC_LI_X2_MAX ||
	    x->ndest < 1 || x->ndest > IPC_LI_DESTS || x->dir < 1 || x->dir > 5 ||
	    x->ts_nsec >= 1000000000u)
		return false;
	for (unsigned int i = 0; i < IPC_LI_DESTS; i++) {
		const struct ipc_addr *d = &x->dest[i];

		if (i >= x->ndest ? memcmp(d, &zero, sizeof(*d)) != 0 :
		    !family_ok(d->family) || d->pad != 0 || d->port == 0)
			return false;
	}
	return true;
}

/* A task entry of LI_STATUS as dp writes them: counts up to
 * IPC_LI_COUNT_MAX (cp adds them into int64 answers), a time up to
 * IPC_LI_LAST_US_MAX, its XID not an earlier entry's (tp-li keeps one
 * entry a task). */
static bool
li_task_st_ok(const struct ipc_li_status *x, unsigned int i)
{
	const struct ipc_li_task_st *t = &x->task[i];

	if (t->x2_delivered > IPC_LI_COUNT_MAX || t->x2_lost > IPC_LI_COUNT_MAX ||
	    t->x3_delivered > IPC_LI_COUNT_MAX || t->x3_lost > IPC_LI_COUNT_MAX ||
	    t->last_us > IPC_LI_LAST_US_MAX)
		return false;
	for (unsigned int k = 0; k < i; k++)
		if (memcmp(x->task[k].xid, t->xid, sizeof(t->xid)) == 0)
			return false;
	return true;
}

/* LI_STATUS's body: 0..IPC_LI_ST_DESTS destinations (family 4 or 6, a
 * port, a known state and fault, counts up to IPC_LI_COUNT_MAX, padding
 * 0), 0..IPC_LI_ST_TASKS tasks (li_task_st_ok()), at least one of either;
 * every entry past the counts 0, and the padding. */
static bool
li_status_ok(const struct ipc_li_status *x)
{
	static const struct ipc_li_dest_st zd;
	static const struct ipc_li_task_st zt;
	static const uint8_t z[sizeof(x->pad)];

	if (x->ndest > IPC_LI_ST_DESTS || x->ntask > IPC_LI_ST_TASKS ||
	    x->ndest + x->ntask == 0 || memcmp(x->pad, z, sizeof(z)) != 0)
		return false;
	for (unsigned int i = 0; i < IPC_LI_ST_DESTS; i++) {
		const struct ipc_li_dest_st *d = &x->dest[i];

		if (i >= x->ndest ? memcmp(d, &zd, sizeof(*d)) != 0 :
		    !family_ok(d->addr.family) || d->addr.pad != 0 || d->addr.port == 0 ||
		    d->state > IPC_LI_CONN_STATE_MAX || d->fault > IPC_LI_FAULT_MAX ||
		    d->pad != 0 || d->delivered > IPC_LI_COUNT_MAX ||
		    d->dropped_down > IPC_LI_COUNT_MAX || d->dropped_full > IPC_LI_COUNT_MAX ||
		    d->dropped_lost > IPC_LI_COUNT_MAX || d->failures > IPC_LI_COUNT_MAX)
			return false;
	}
	for (unsigned int i = 0; i < IPC_LI_ST_TASKS; i++)
		if (i >= x->ntask ? memcmp(&x->task[i], &zt, sizeof(zt)) != 0 :
		    !li_task_st_ok(x, i))
			return false;
	return true;
}

/* RTP_TAP's: ALLOC_TAP's rules, a termination 0 or 1 (0 when off),
 * padding 0. */
static bool
rtp_tap_ok(const struct ipc_rtp_tap *t)
{
	static const uint8_t z[sizeof(t->pad)];

	return tap_ok(&t->tap) && t->term <= 1 && (t->tap.on || t->term == 0) &&
	       memcmp(t->pad, z, sizeof(z)) == 0;
}

/* AGW_TAP's: ALLOC_TAP's rules, a leg 0 or 1 (0 when off), padding 0. */
static bool
agw_tap_ok(const struct ipc_agw_tap *t)
{
	static const uint8_t z[sizeof(t->pad)];

	return tap_ok(&t->tap) && t->leg <= 1 && (t->tap.on || t->leg == 0) &&
	       memcmp(t->pad, z, sizeof(z)) == 0;
}

static bool
end_ok(const struct ipc_alloc_end *e)
{
	if (e->nrelayed < 1 || e->nrelayed > 2 || e->user_len > IPC_USER_MAX ||
	    e->reason < 1 || e->reason > IPC_END_REASON_MAX)
		return false;
	for (unsigned int i = 0; i < e->nrelayed; i++)
		if (!family_ok(e->relayed[i].family))
			return false;
	return e->nrelayed == 1 || e->relayed[0].family != e->relayed[1].family;
}

/* chan: true for CHAN_*, false for PERM_*; STATE_ALLOC carries both. */
static bool
binding_ok(const struct ipc_binding *b, bool perm, bool chan)
{
	if (!family_ok(b->peer.family))
		return false;
	if (b->channel == 0)
		return perm;
	return chan && b->channel >= CHANNEL_MIN && b->channel <= CHANNEL_MAX;
}

/* RFC 8446 §B.4: the TLS 1.3 suites a PSK may be bound to. */
static bool
psk_ok(const struct ipc_tls_psk *p, bool add)
{
	if (p->id_len < 1 || p->id_len > IPC_TLS_PSK_ID_MAX)
		return false;
	if (!add)
		return p->key_len == 0 && p->cipher == 0;
	return p->key_len >= IPC_TLS_PSK_KEY_MIN && p->key_len <= IPC_TLS_PSK_KEY_MAX &&
	       p->cipher >= 0x1301 && p->cipher <= 0x1303;
}

/* An AGW context's id: a connection id's layout, of the ring's worker. */
static bool
agw_id_ok(uint64_t id, uint16_t worker)
{
	return ipc_conn_gen(id) != 0 && ipc_conn_worker(id) == worker;
}

/* One termination of AGW_ADD: roles known, fingerprints valid and there
 * exactly when TLS is, addresses of family 4 or 6 with the ports the TCP
 * role needs. */
static bool
agw_term_ok(const struct ipc_agw_term *t)
{
	static const uint8_t fp_len[5] = { 0, 20, 32, 48, 64 };

	if (t->tcp_role != IPC_AGW_TCP_CLIENT && t->tcp_role != IPC_AGW_TCP_SERVER)
		return false;
	if (t->tls_role > IPC_AGW_TLS_SERVER || t->nfp > IPC_AGW_FP_MAX ||
	    (t->tls_role != IPC_AGW_TLS_NONE) != (t->nfp > 0) || t->dscp > IPC_AGW_DSCP_MAX ||
	    (t->pol_rate != 0 && t->pol_burst == 0))
		return false;
	for (unsigned int i = 0; i < t->nfp; i++)
		if (t->fp[i].alg < 1 || t->fp[i].alg > 4 || t->fp[i].len != fp_len[t->fp[i].alg])
			return false;
	if (!family_ok(t->local.family))
		return false;
	if (t->tcp_role == IPC_AGW_TCP_SERVER)
		return t->local.port != 0 &&
		       (t->remote.family == 0 || t->remote.family == t->local.family);
	return t->remote.family == t->local.family && t->remote.port != 0;
}

/* A leg slot of a context: a termination, or empty (tcp_role 0 and
 * nothing else said of it). */
static bool
agw_slot_ok(const struct ipc_agw_term *t)
{
	if (t->tcp_role == IPC_AGW_TCP_NONE)
		return t->tls_role == IPC_AGW_TLS_NONE && t->nfp == 0 && t->local.family == 0 &&
		       t->remote.family == 0 && t->dscp == 0 && t->pol_rate == 0;
	return agw_term_ok(t);
}

static bool
agw_mod_ok(const struct ipc_agw_mod *x)
{
	if (x->leg > 1)
		return false;
	switch (x->op) {
	case IPC_AGW_ADD_LEG:
	case IPC_AGW_MOD_LEG:
		return agw_term_ok(&x->term);
	case IPC_AGW_SUB_LEG:
		return x->term.tcp_role == IPC_AGW_TCP_NONE;
	default:
		return false;
	}
}

static bool
agw_event_ok(const struct ipc_agw_event *e)
{
	if (e->type < IPC_AGW_EV_LEG_UP || e->type > IPC_AGW_EV_MAX ||
	    e->cause > IPC_AGW_CAUSE_MAX || e->detail_len >= IPC_AGW_DETAIL_MAX ||
	    e->detail[e->detail_len] != '\0')
		return false;
	if (e->type == IPC_AGW_EV_RELEASED)
		return e->leg <= 1 || e->leg == IPC_AGW_LEG_NONE;
	return e->leg <= 1;
}

unsigned int
ipc_srtp_key_len(unsigned int suite)
{
	/* RFC 3711, RFC 6188 (AES-192, AES-256), RFC 7714 (GCM): master key
	 * || master salt, by lib/sdp's enum sdp_suite */
	static const uint8_t len[IPC_SRTP_SUITE_MAX + 1] = { 0, 30, 30, 38, 38, 46, 46, 28, 44 };

	return suite <= IPC_SRTP_SUITE_MAX ? len[suite] : 0u;
}

/* Where a key's (or a position's) n streams stand: each SSRC once, every
 * stream past n all zero (ipc_types.h). dp follows each SSRC it is given
 * as its own stream and reports each; cp sends back what dp reported. */
static bool
srtp_streams_ok(const struct ipc_srtp_stream *s, unsigned int n)
{
	static const struct ipc_srtp_stream zero;

	if (n > IPC_SRTP_SSRCS)
		return false;
	for (unsigned int i = 0; i < IPC_SRTP_SSRCS; i++) {
		if (i >= n) {
			if (memcmp(&s[i], &zero, sizeof(zero)) != 0)
				return false;
			continue;
		}
		if (s[i].pad != 0)
			return false;
		for (unsigned int j = 0; j < i; j++)
			if (s[j].ssrc == s[i].ssrc)
				return false;
	}
	return true;
}

/* One direction's SRTP key (ipc_types.h lists the rules). */
static bool
srtp_key_ok(const struct ipc_srtp_key *k)
{
	unsigned int klen = ipc_srtp_key_len(k->suite);

	if (klen == 0 || k->key_len != klen || k->mki_len > IPC_SRTP_MKI_MAX ||
	    (k->mki_len < 4 && (k->mki >> (8u * k->mki_len)) != 0) ||
	    (k->window != 0 && (k->window < 64 || k->window > 32767)) ||
	    (k->srtcp_index & 0x80000000u) != 0 || k->pad != 0 || k->pad2[0] != 0 ||
	    k->pad2[1] != 0 || !srtp_streams_ok(k->stream, k->nstreams))
		return false;
	for (unsigned int i = klen; i < IPC_SRTP_KEY_MAX; i++)
		if (k->key[i] != 0)
			return false;
	return true;
}

static bool
srtp_key_zero(const struct ipc_srtp_key *k)
{
	static const struct ipc_srtp_key zero;

	return memcmp(k, &zero, sizeof(zero)) == 0;
}

/* A fingerprint (RFC 8122) as lib/certfp's: alg 1..4 (sha-1, -256, -384,
 * -512), len its digest's, every octet past it and the pad 0. */
static bool
fp_ok(const struct ipc_agw_fp *f)
{
	static const uint8_t fp_len[5] = { 0, 20, 32, 48, 64 };

	if (f->alg < 1 || f->alg > 4 || f->len != fp_len[f->alg])
		return false;
	for (unsigned int i = f->len; i < IPC_AGW_FP_LEN; i++)
		if (f->md[i] != 0)
			return false;
	for (unsigned int i = 0; i < sizeof(f->pad); i++)
		if (f->pad[i] != 0)
			return false;
	return true;
}

static bool
fp_zero(const struct ipc_agw_fp *f)
{
	static const struct ipc_agw_fp zero;

	return memcmp(f, &zero, sizeof(zero)) == 0;
}

/* n octets of ice-chars (RFC 8839 §5.4: ALPHA, DIGIT, "+", "/"), then
 * nothing but 0 up to max. */
static bool
ice_chars_ok(const char *s, unsigned int n, unsigned int max)
{
	for (unsigned int i = 0; i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i >= n) {
			if (ch != 0)
				return false;
		} else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || ch == '+' || ch == '/')) {
			return false;
		}
	}
	return true;
}

/* A termination's ICE (ipc_types.h): none, all zero; or a lite agent's
 * credentials within their bounds, of ice-chars, the peer's ufrag absent
 * or within them too, a nominated pair of none or local's family with a
 * port (may_nominate: RTP_ADD's and RTP_STATE's only). */
static bool
rtp_ice_ok(const struct ipc_rtp_ice *x, uint8_t family, bool may_nominate)
{
	static const struct ipc_rtp_ice zero;
	static const struct ipc_addr none;

	if (x->mode == IPC_RTP_ICE_OFF)
		return memcmp(x, &zero, sizeof(zero)) == 0;
	if (x->mode > IPC_RTP_ICE_MAX || x->ufrag_len < IPC_ICE_UFRAG_MIN ||
	    x->ufrag_len > IPC_ICE_UFRAG_MAX || x->pwd_len < IPC_ICE_PWD_MIN ||
	    x->pwd_len > IPC_ICE_PWD_MAX ||
	    (x->peer_ufrag_len != 0 && (x->peer_ufrag_len < IPC_ICE_UFRAG_MIN ||
					x->peer_ufrag_len > IPC_ICE_UFRAG_MAX)))
		return false;
	for (unsigned int i = 0; i < sizeof(x->pad); i++)
		if (x->pad[i] != 0)
			return false;
	for (unsigned int i = 0; i < sizeof(x->pad2); i++)
		if (x->pad2[i] != 0)
			return false;
	if (!ice_chars_ok(x->ufrag, x->ufrag_len, IPC_ICE_UFRAG_MAX) ||
	    !ice_chars_ok(x->pwd, x->pwd_len, IPC_ICE_PWD_MAX) ||
	    !ice_chars_ok(x->peer_ufrag, x->peer_ufrag_len, IPC_ICE_UFRAG_MAX))
		return false;
	if (x->nominated.family == 0)
		return memcmp(&x->nominated, &none, sizeof(none)) == 0;
	return may_nominate && x->nominated.family == family && x->nominated.port != 0 &&
	       x->nominated.pad == 0;
}

/* A termination's DTLS-SRTP (ipc_types.h): none, all zero; or a role
 * on an SRTP termination with rtcp-mux (DTLS on the RTP flow only), its
 * fingerprints 1..IPC_RTP_DTLS_FP_MAX valid ones (0 with EITHER, and
 * only then), zero past them, profiles and flags known, every pad 0; its
 * keys valid with IPC_RTP_DTLS_F_KEYS, all zero without. */
static bool
rtp_dtls_ok(const struct ipc_rtp_term *t)
{
	static const struct ipc_rtp_dtls zero;
	const struct ipc_rtp_dtls *d = &t->dtls;

	if (d->role == IPC_RTP_DTLS_NONE)
		return memcmp(d, &zero, sizeof(zero)) == 0;
	if (d->role > IPC_RTP_DTLS_ROLE_MAX || d->nfp > IPC_RTP_DTLS_FP_MAX ||
	    (d->nfp == 0) != (d->role == IPC_RTP_DTLS_EITHER) || d->profiles == 0 ||
	    (d->profiles & ~IPC_RTP_DTLS_P_ALL) != 0 || (d->flags & ~IPC_RTP_DTLS_F_ALL) != 0 ||
	    d->pad != 0 || d->pad2 != 0 ||
	    (t->profile != IPC_RTP_SAVP && t->profile != IPC_RTP_SAVPF) ||
	    !(t->flags & IPC_RTP_F_MUX))
		return false;
	for (unsigned int i = 0; i < IPC_RTP_DTLS_FP_MAX; i++)
		if (i < d->nfp ? !fp_ok(&d->fp[i]) : !fp_zero(&d->fp[i]))
			return false;
	if (d->flags & IPC_RTP_DTLS_F_KEYS)
		return srtp_key_ok(&t->srtp_rx) && srtp_key_ok(&t->srtp_tx);
	return srtp_key_zero(&t->srtp_rx) && srtp_key_zero(&t->srtp_tx);
}

/* RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39
 * / %x41-5A / %x5E-7E (what a=mid's identification-tag is, RFC 5888 §4) */
bool
ipc_token_char(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d ||
	       c == 0x2e || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ||
	       (c >= 0x5e && c <= 0x7e);
}

/* A MEMBER's SRTP key: all zero (the owner's handshake keys the group),
 * or a key's suite, length and positions with every key octet 0 (the
 * group's key is the owner's; the positions are the member's own). */
static bool
bundle_key_ok(const struct ipc_srtp_key *k)
{
	if (srtp_key_zero(k))
		return true;
	if (!srtp_key_ok(k))
		return false;
	for (unsigned int i = 0; i < IPC_SRTP_KEY_MAX; i++)
		if (k->key[i] != 0)
			return false;
	return true;
}

/* A termination's BUNDLE (ipc_types.h): none, all zero; or an owner or a
 * member with rtcp-mux (RFC 9143 §9.3), a mid of 1..IPC_RTP_MID_MAX
 * token chars, its signalled SSRCs distinct, every pad and every octet
 * past a length 0; an owner names no owner; a member names another
 * context of worker's (h's) and no MID extension, and has none of what
 * the owner's transport is: no address or port, no remote, no ICE, no
 * DTLS, no latching or gm, no key octet. */
static bool
rtp_bundle_ok(const struct ipc_rtp_term *t, const struct ipc_msg_hdr *h)
{
	static const struct ipc_rtp_bundle zero;
	static const struct ipc_rtp_ice ice_zero;
	static const struct ipc_rtp_dtls dtls_zero;
	static const struct ipc_addr none;
	const struct ipc_rtp_bundle *b = &t->bundle;

	if (b->role == IPC_RTP_BUNDLE_NONE)
		return memcmp(b, &zero, sizeof(zero)) == 0;
	if (b->role > IPC_RTP_BUNDLE_ROLE_MAX || !(t->flags & IPC_RTP_F_MUX) ||
	    b->mid_len < 1 || b->mid_len > IPC_RTP_MID_MAX || b->nssrc > IPC_RTP_BUNDLE_SSRCS ||
	    b->pad[0] != 0 || b->pad[1] != 0 || b->pad[2] != 0)
		return false;
	for (unsigned int i = 0; i < IPC_RTP_MID_MAX; i++)
		if (i < b->mid_len ? !ipc_token_char((unsigned char)b->mid[i]) : b->mid[i] != 0)
			return false;
	for (unsigned int i = 0; i < IPC_RTP_BUNDLE_SSRCS; i++)
		if (i >= b->nssrc ? b->ssrc[i] != 0 : i > 0 && b->ssrc[0] == b->ssrc[i])
			return false;
	if (b->role == IPC_RTP_BUNDLE_OWNER)
		return b->owner == 0 && b->owner_term == 0;
	/* a MEMBER */
	if (!agw_id_ok(b->owner, h->worker) || b->owner == h->alloc_id || b->owner_term > 1 ||
	    b->mid_ext != 0)
		return false;
	if (memcmp(&t->local, &none, sizeof(none)) != 0 ||
	    memcmp(&t->remote, &none, sizeof(none)) != 0 || t->remote_rtcp != 0 ||
	    memcmp(&t->ice, &ice_zero, sizeof(ice_zero)) != 0 ||
	    memcmp(&t->dtls, &dtls_zero, sizeof(dtls_zero)) != 0 || t->latch != 0 ||
	    memcmp(&t->gm_addr, &none, sizeof(none)) != 0 || t->gm_plen != 0 ||
	    t->gm_port_lo != 0 || t->gm_port_hi != 0)
		return false;
	if (t->profile == IPC_RTP_SAVP || t->profile == IPC_RTP_SAVPF)
		return bundle_key_ok(&t->srtp_rx) && bundle_key_ok(&t->srtp_tx);
	return srtp_key_zero(&t->srtp_rx) && srtp_key_zero(&t->srtp_tx);
}

/* An RTP termination slot (RTP_ADD, RTP_STATE, RTP_MOD of h): empty (every
 * byte 0), or a termination whose every field a receiver acts on is in
 * range (ipc.h lists them). */
static bool
rtp_term_ok(const struct ipc_rtp_term *t, const struct ipc_msg_hdr *h, bool may_be_empty,
	    bool may_nominate)
{
	static const struct ipc_rtp_term zero;
	unsigned int bits;

	if (t->profile == IPC_RTP_NONE)
		return may_be_empty && memcmp(t, &zero, sizeof(zero)) == 0;
	if (!rtp_bundle_ok(t, h))
		return false;
	if (t->bundle.role == IPC_RTP_BUNDLE_MEMBER)
		/* (its keys, ports and addresses were rtp_bundle_ok()'s) */
		return t->profile <= IPC_RTP_PROFILE_MAX && t->mode <= IPC_RTP_MODE_MAX &&
		       (t->flags & ~IPC_RTP_F_MASK) == 0 && t->dscp <= IPC_RTP_DSCP_MAX &&
		       t->rtcp_port == 0 && (t->pol_rate == 0 || t->pol_burst != 0);
	/* SAVP, SAVPF: a valid key both ways (DTLS-SRTP: its rules); AVP,
	 * AVPF: none at all (a key that would be ignored is a mistake of
	 * cp's, not to be carried) */
	if (!rtp_dtls_ok(t))
		return false;
	if (t->dtls.role != IPC_RTP_DTLS_NONE) {
		/* (rtp_dtls_ok() held the keys to its rules) */
	} else if (t->profile == IPC_RTP_SAVP || t->profile == IPC_RTP_SAVPF) {
		if (!srtp_key_ok(&t->srtp_rx) || !srtp_key_ok(&t->srtp_tx))
			return false;
	} else if (!srtp_key_zero(&t->srtp_rx) || !srtp_key_zero(&t->srtp_tx)) {
		return false;
	}
	if (t->profile > IPC_RTP_PROFILE_MAX || t->mode > IPC_RTP_MODE_MAX ||
	    (t->flags & ~IPC_RTP_F_MASK) != 0 || t->dscp > IPC_RTP_DSCP_MAX ||
	    (t->latch & IPC_RTP_LATCH_POLICY) > IPC_RTP_LATCH_MAX ||
	    (t->latch & ~(IPC_RTP_LATCH_POLICY | IPC_RTP_LATCH_SIGNALLED)) != 0 ||
	    !family_ok(t->local.family) || t->local.port == 0)
		return false;
	if (t->flags & IPC_RTP_F_MUX) {
		if (t->rtcp_port != 0)
			return false;
	} else if (t->rtcp_port == 0 || t->rtcp_port == t->local.port) {
		return false;
	}
	if (t->remote.family == 0 ? t->remote.port != 0 : t->remote.family != t->local.family)
		return false;
	if (!rtp_ice_ok(&t->ice, t->local.family, may_nominate))
		return false;
	bits = t->local.family == 4 ? 32u : 128u;
	if (t->gm_addr.family == 0 ? t->gm_plen != 0 :
	    t->gm_addr.family != t->local.family || t->gm_plen > bits)
		return false;
	return t->gm_port_lo <= t->gm_port_hi && (t->pol_rate == 0 || t->pol_burst != 0);
}

static bool
rtp_mod_ok(const struct ipc_rtp_mod *x, const struct ipc_msg_hdr *h)
{
	if (x->term > 1)
		return false;
	switch (x->op) {
	case IPC_RTP_ADD_TERM:
	case IPC_RTP_MOD_TERM:
		return rtp_term_ok(&x->t, h, false, false);
	case IPC_RTP_SUB_TERM:
		return rtp_term_ok(&x->t, h, true, false) && x->t.profile == IPC_RTP_NONE;
	default:
		return false;
	}
}

/* A direction's SRTP position (in the statistics): what cp may give a
 * restarted dp back in a key, so held to a key's rules. */
static bool
srtp_pos_ok(const struct ipc_srtp_pos *p)
{
	return (p->srtcp_index & 0x80000000u) == 0 && p->pad[0] == 0 && p->pad[1] == 0 &&
	       p->pad[2] == 0 && srtp_streams_ok(p->stream, p->nstreams);
}

static bool
rtp_stats_ok(const struct ipc_rtp_stats *st)
{
	return st->latched <= (IPC_RTP_LATCHED_RTP | IPC_RTP_LATCHED_RTCP) &&
	       st->ice <= (IPC_RTP_ICE_ON | IPC_RTP_ICE_LOST) && st->pad[0] == 0 &&
	       st->pad[1] == 0 && st->pad[2] == 0 &&
	       srtp_pos_ok(&st->srtp_rx) && srtp_pos_ok(&st->srtp_tx) &&
	       (st->rtp_src.family == 0 || family_ok(st->rtp_src.family)) &&
	       (st->rtcp_src.family == 0 || family_ok(st->rtcp_src.family));
}

static bool
rtp_event_ok(const struct ipc_rtp_event *e)
{
	if (e->type < IPC_RTP_EV_LATCHED || e->type > IPC_RTP_EV_MAX ||
	    e->cause > IPC_AGW_CAUSE_MAX || e->detail_len >= IPC_RTP_DETAIL_MAX ||
	    e->detail[e->detail_len] != '\0' || !rtp_stats_ok(&e->st[0]) ||
	    !rtp_stats_ok(&e->st[1]))
		return false;
	if ((e->type == IPC_RTP_EV_LATCHED || e->type == IPC_RTP_EV_NOMINATED ||
	     e->type == IPC_RTP_EV_CONSENT_LOST || e->type == IPC_RTP_EV_CONSENT_REGAINED) &&
	    (!family_ok(e->addr.family) || e->addr.port == 0 || e->rtcp > 1))
		return false;
	if ((e->type == IPC_RTP_EV_SSRC_CLASH) != (e->count != 0) ||
	    (e->type != IPC_RTP_EV_SSRC_CLASH && e->ssrc != 0))
		return false;
	if (e->type == IPC_RTP_EV_RELEASED)
		return e->term == IPC_RTP_TERM_NONE;
	return e->term <= 1;
}

/* RTP_DTLS's body (ipc_types.h): a known state and term, FAILED with a
 * reason and no other with one, a role of CLIENT or SERVER (FAILED: or
 * none), a fingerprint index within IPC_RTP_DTLS_FP_MAX, UP with valid
 * keys and no other with any, a peer of family 0 (all zero), 4 or 6,
 * the digest seen none or valid, cipher and detail NUL-terminated with
 * nothing after, every pad 0. */
static bool
rtp_dtls_ev_ok(const struct ipc_rtp_dtls_ev *e)
{
	static const struct ipc_addr none;
	size_t n;

	if (e->term > 1 || e->state < IPC_RTP_DTLS_UP || e->state > IPC_RTP_DTLS_STATE_MAX ||
	    e->role > IPC_RTP_DTLS_SERVER ||
	    (e->role == IPC_RTP_DTLS_NONE && e->state != IPC_RTP_DTLS_FAILED) ||
	    (e->state == IPC_RTP_DTLS_FAILED) != (e->why != 0) ||
	    e->why > IPC_RTP_DTLS_WHY_MAX || e->matched < -1 ||
	    e->matched >= (int)IPC_RTP_DTLS_FP_MAX || e->pad != 0 ||
	    e->detail_len >= IPC_RTP_DETAIL_MAX || e->detail[e->detail_len] != '\0')
		return false;
	if (e->peer.family == 0 ? memcmp(&e->peer, &none, sizeof(none)) != 0 :
	    !family_ok(e->peer.family) || e->peer.pad != 0)
		return false;
	if (!fp_zero(&e->seen) && !fp_ok(&e->seen))
		return false;
	if (e->state == IPC_RTP_DTLS_UP ? !srtp_key_ok(&e->rx) || !srtp_key_ok(&e->tx) :
	    !srtp_key_zero(&e->rx) || !srtp_key_zero(&e->tx))
		return false;
	n = strnlen(e->cipher, sizeof(e->cipher));
	if (n == sizeof(e->cipher))
		return false;
	for (size_t i = n; i < sizeof(e->cipher); i++)
		if (e->cipher[i] != 0)
			return false;
	for (size_t i = e->detail_len; i < sizeof(e->detail); i++)
		if (e->detail[i] != 0)
			return false;
	return true;
}

/* DTLS_CERT's body: 1..IPC_AGW_FP_MAX valid fingerprints, zero after,
 * pads 0. */
static bool
dtls_cert_ok(const struct ipc_dtls_cert *c)
{
	if (c->nfp < 1 || c->nfp > IPC_AGW_FP_MAX)
		return false;
	for (unsigned int i = 0; i < sizeof(c->pad); i++)
		if (c->pad[i] != 0)
			return false;
	for (unsigned int i = 0; i < IPC_AGW_FP_MAX; i++)
		if (i < c->nfp ? !fp_ok(&c->fp[i]) : !fp_zero(&c->fp[i]))
			return false;
	return true;
}

/* A peer connection's id: of the ring's worker, generation not 0. */
static bool
conn_of(uint64_t id, uint16_t worker)
{
	return ipc_conn_gen(id) != 0 && ipc_conn_worker(id) == worker;
}

/* TCP_CONNECT, TCP_BIND, TCP_CLOSE (RFC 6062). */
static bool
tcp_conn_ok(const struct ipc_msg *m)
{
	const struct ipc_msg_hdr *h = &m->h;
	const struct ipc_tcp_conn *c = (const void *)m->body;
	size_t len = h->body_len;

	if (len < sizeof(*c) || h->alloc_id == 0 || c->cid == 0)
		return false;
	switch (h->kind) {
	case IPC_TCP_CONNECT:
		return len == sizeof(*c) && c->peer == 0 && family_ok(c->addr.family) &&
		       c->addr.port != 0 && tuple_ok(&h->tuple, h->worker) &&
		       h->tuple.transport == 6;
	case IPC_TCP_BIND:
		/* the data connection may be another worker's: only its
		 * form is checked here, the worker holding it checks it is
		 * one of its own */
		return len == sizeof(*c) + c->resp_len && c->ok <= 1 &&
		       conn_of(c->peer, h->worker) && h->tuple.transport == 6 &&
		       ipc_conn_gen(h->tuple.conn_id) != 0 &&
		       family_ok(h->tuple.client.family) &&
		       h->tuple.server.family == h->tuple.client.family &&
		       stun_ok(m->body + sizeof(*c), c->resp_len, true);
	default:                           /* TCP_CLOSE, TCP_NAME */
		return len == sizeof(*c) && conn_of(c->peer, h->worker);
	}
}

static bool
tcp_event_ok(const struct ipc_msg *m)
{
	const struct ipc_tcp_event *e = (const void *)m->body;

	if (m->h.body_len != sizeof(*e) || m->h.alloc_id == 0 || e->type < 1 ||
	    e->type > IPC_TCP_EV_MAX || !family_ok(e->addr.family))
		return false;
	if (e->type == IPC_TCP_EV_FAILED)
		return e->cid != 0 && e->peer == 0 && e->reason >= 1 &&
		       e->reason <= IPC_CONN_REASON_MAX;
	if (e->type == IPC_TCP_EV_GONE && (e->reason < 1 || e->reason > IPC_CONN_REASON_MAX))
		return false;
	/* a peer connection moves to its data connection's worker at the
	 * bind (dp/tcprelay): from then on another worker reports it */
	if (ipc_conn_gen(e->peer) == 0)
		return false;
	switch (e->type) {
	case IPC_TCP_EV_INCOMING:
		return e->cid == 0;        /* cp gives it one */
	case IPC_TCP_EV_BOUND:
		return e->cid != 0 && ipc_conn_gen(e->data) != 0;
	case IPC_TCP_EV_CONNECTED:
		return e->cid != 0;
	default:
		return true;               /* GONE: cid 0 before a bind */
	}
}

int
ipc_msg_check(const struct ipc_msg *m, enum ipc_dir dir)
{
	const struct ipc_msg_hdr *h = &m->h;
	size_t len = h->body_len;
	bool ok;

	if (len > sizeof(m->body) || h->worker >= IPC_MAX_WORKERS ||
	    ipc_kind_dir(h->kind) != dir)
		return -EBADMSG;
	switch (h->kind) {
	case IPC_REQUEST:
	case IPC_RESPONSE:
		ok = tuple_ok(&h->tuple, h->worker) &&
		     stun_ok(m->body, len, h->kind == IPC_RESPONSE);
		break;
	case IPC_ALLOC_ADD:
		ok = len == sizeof(struct ipc_alloc) && h->alloc_id != 0 &&
		     tuple_ok(&h->tuple, h->worker) && alloc_ok(ipc_msg_alloc(m));
		break;
	case IPC_STATE_ALLOC:
		ok = len >= sizeof(struct ipc_alloc) &&
		     (len - sizeof(struct ipc_alloc)) % sizeof(struct ipc_binding) == 0 &&
		     h->alloc_id != 0 && tuple_ok(&h->tuple, h->worker) &&
		     alloc_ok(ipc_msg_alloc(m));
		for (unsigned int i = 0, n = ok ? ipc_msg_nbindings(m) : 0; i < n; i++)
			if (!binding_ok(ipc_msg_binding(m, i), true, true))
				ok = false;
		break;
	case IPC_ALLOC_DEL:
		ok = len == 0 && h->alloc_id != 0 && tuple_ok(&h->tuple, h->worker);
		break;
	case IPC_ALLOC_LIFE:
		ok = len == sizeof(uint64_t) && h->alloc_id != 0 && tuple_ok(&h->tuple, h->worker);
		break;
	case IPC_ALLOC_TAP:
		ok = len == sizeof(struct ipc_alloc_tap) && h->alloc_id != 0 &&
		     tuple_ok(&h->tuple, h->worker) &&
		     tap_ok((const struct ipc_alloc_tap *)(const void *)m->body);
		break;
	case IPC_LI_X2:
		/* (a session's event: its worker's ring, no tuple needed) */
		ok = h->alloc_id != 0 && len >= offsetof(struct ipc_li_x2, payload) &&
		     x2_ok((const struct ipc_li_x2 *)(const void *)m->body, len);
		break;
	case IPC_ALLOC_MOVE: {
		/* (only UDP moves: a stream's allocation is its connection's) */
		const struct ipc_tuple *to = (const void *)m->body;

		ok = len == sizeof(*to) && h->alloc_id != 0 && h->tuple.transport == 17 &&
		     to->transport == 17 && tuple_ok(&h->tuple, h->worker) &&
		     tuple_ok(to, h->worker);
		break;
	}
	case IPC_FWD_ADD:
	case IPC_FWD_DEL: {
		/* a plain UDP client's (a DTLS session is its worker's) */
		const struct ipc_fwd *f = (const void *)m->body;

		ok = h->alloc_id != 0 && h->tuple.transport == 17 && h->tuple.conn_id == 0 &&
		     tuple_ok(&h->tuple, h->worker) &&
		     (h->kind == IPC_FWD_DEL ? len == 0 :
		      len == sizeof(*f) && f->owner < IPC_MAX_WORKERS && f->owner != h->worker &&
		      f->pad[0] == 0 && f->pad[1] == 0 && f->pad[2] == 0);
		break;
	}
	case IPC_PERM_ADD:
	case IPC_PERM_DEL:
	case IPC_CHAN_ADD:
	case IPC_CHAN_DEL: {
		bool chan = h->kind == IPC_CHAN_ADD || h->kind == IPC_CHAN_DEL;

		ok = len == sizeof(struct ipc_binding) && h->alloc_id != 0 &&
		     tuple_ok(&h->tuple, h->worker) && binding_ok(ipc_msg_binding(m, 0), !chan, chan);
		break;
	}
	case IPC_STATS:
		ok = len % sizeof(struct ipc_alloc_stats) == 0;
		break;
	case IPC_STATS_FINAL:
		ok = len == sizeof(struct ipc_alloc_stats) && h->alloc_id != 0;
		break;
	case IPC_ALLOC_END: {
		const struct ipc_alloc_end *e = (const void *)m->body;

		ok = len == sizeof(*e) && h->alloc_id != 0 && tuple_ok(&h->tuple, h->worker) &&
		     end_ok(e);
		break;
	}
	case IPC_CONN_DOWN: {
		const struct ipc_conn_event *ev = (const void *)m->body;

		ok = len == sizeof(struct ipc_conn_event) && h->tuple.conn_id != 0 &&
		     tuple_ok(&h->tuple, h->worker) && ev->reason >= 1 &&
		     ev->reason <= IPC_CONN_REASON_MAX;
		break;
	}
	case IPC_TLS_TICKETS: {
		const struct ipc_tls_tickets *tk = (const void *)m->body;

		ok = len == sizeof(*tk) && tk->nkeys >= 1 && tk->nkeys <= IPC_TLS_TICKET_KEYS;
		break;
	}
	case IPC_TLS_PSK_ADD:
	case IPC_TLS_PSK_DEL:
		ok = len == sizeof(struct ipc_tls_psk) &&
		     psk_ok((const void *)m->body, h->kind == IPC_TLS_PSK_ADD);
		break;
	case IPC_TLS_PSK_SYNC: {
		const struct ipc_tls_psk_sync *ps = (const void *)m->body;

		ok = len == sizeof(*ps) &&
		     (ps->phase == IPC_TLS_PSK_BEGIN || ps->phase == IPC_TLS_PSK_END);
		break;
	}
	case IPC_AGW_ADD: {
		const struct ipc_agw_ctx *x = (const void *)m->body;

		ok = len == sizeof(*x) && agw_id_ok(h->alloc_id, h->worker) &&
		     agw_slot_ok(&x->term[0]) && agw_slot_ok(&x->term[1]);
		break;
	}
	case IPC_AGW_MOD:
		ok = len == sizeof(struct ipc_agw_mod) && agw_id_ok(h->alloc_id, h->worker) &&
		     agw_mod_ok((const void *)m->body);
		break;
	case IPC_AGW_DEL:
		ok = len == 0 && agw_id_ok(h->alloc_id, h->worker);
		break;
	case IPC_AGW_TAP:
		ok = len == sizeof(struct ipc_agw_tap) && agw_id_ok(h->alloc_id, h->worker) &&
		     agw_tap_ok((const struct ipc_agw_tap *)(const void *)m->body);
		break;
	case IPC_AGW_STATE: {
		const struct ipc_agw_state *x = (const void *)m->body;

		ok = len == sizeof(*x) && agw_id_ok(h->alloc_id, h->worker) &&
		     agw_slot_ok(&x->ctx.term[0]) && agw_slot_ok(&x->ctx.term[1]) &&
		     x->leg[0].state <= 2 && x->leg[1].state <= 2;
		break;
	}
	case IPC_AGW_EVENT:
		ok = len == sizeof(struct ipc_agw_event) && agw_id_ok(h->alloc_id, h->worker) &&
		     agw_event_ok((const void *)m->body);
		break;
	case IPC_RTP_ADD: {
		const struct ipc_rtp_ctx *x = (const void *)m->body;

		ok = len == sizeof(*x) && agw_id_ok(h->alloc_id, h->worker) &&
		     rtp_term_ok(&x->term[0], h, true, true) && rtp_term_ok(&x->term[1], h, true, true);
		break;
	}
	case IPC_RTP_MOD:
		ok = len == sizeof(struct ipc_rtp_mod) && agw_id_ok(h->alloc_id, h->worker) &&
		     rtp_mod_ok((const void *)m->body, h);
		break;
	case IPC_RTP_DEL:
		ok = len == 0 && agw_id_ok(h->alloc_id, h->worker);
		break;
	case IPC_RTP_STATS_REQ:
		ok = len == sizeof(struct ipc_rtp_stats_req) && agw_id_ok(h->alloc_id, h->worker);
		break;
	case IPC_RTP_TAP:
		ok = len == sizeof(struct ipc_rtp_tap) && agw_id_ok(h->alloc_id, h->worker) &&
		     rtp_tap_ok((const struct ipc_rtp_tap *)(const void *)m->body);
		break;
	case IPC_RTP_STATS: {
		const struct ipc_rtp_stats_msg *x = (const void *)m->body;

		ok = len == sizeof(*x) && agw_id_ok(h->alloc_id, h->worker) && x->found <= 1 &&
		     rtp_stats_ok(&x->st[0]) && rtp_stats_ok(&x->st[1]);
		break;
	}
	case IPC_RTP_STATE: {
		const struct ipc_rtp_state *x = (const void *)m->body;

		ok = len == sizeof(*x) && agw_id_ok(h->alloc_id, h->worker) &&
		     rtp_term_ok(&x->ctx.term[0], h, true, true) &&
		     rtp_term_ok(&x->ctx.term[1], h, true, true) && rtp_stats_ok(&x->st[0]) && rtp_stats_ok(&x->st[1]);
		break;
	}
	case IPC_RTP_EVENT:
		ok = len == sizeof(struct ipc_rtp_event) && agw_id_ok(h->alloc_id, h->worker) &&
		     rtp_event_ok((const void *)m->body);
		break;
	case IPC_RTP_DTLS:
		ok = len == sizeof(struct ipc_rtp_dtls_ev) && agw_id_ok(h->alloc_id, h->worker) &&
		     rtp_dtls_ev_ok((const void *)m->body);
		break;
	case IPC_LI_STATUS:
		/* (tp-li's, through worker 0: no allocation, no tuple) */
		ok = len == sizeof(struct ipc_li_status) && h->worker == 0 && h->alloc_id == 0 &&
		     li_status_ok((const void *)m->body);
		break;
	case IPC_DTLS_CERT:
		ok = len == sizeof(struct ipc_dtls_cert) && h->worker == 0 &&
		     dtls_cert_ok((const void *)m->body);
		break;
	case IPC_TCP_CONNECT:
	case IPC_TCP_BIND:
	case IPC_TCP_CLOSE:
	case IPC_TCP_NAME:
		ok = tcp_conn_ok(m);
		break;
	case IPC_TCP_EVENT:
		ok = tcp_event_ok(m);
		break;
	case IPC_TCP_STATE: {
		const struct ipc_tcp_event *e = (const void *)m->body;

		/* a connection as it stands: up and waiting, bound, or up
		 * and never named */
		ok = tcp_event_ok(m) && (e->type == IPC_TCP_EV_CONNECTED ||
					 e->type == IPC_TCP_EV_BOUND ||
					 e->type == IPC_TCP_EV_INCOMING);
		break;
	}
	case IPC_STATE_DONE:
	case IPC_SYNC:
	case IPC_STATS_REQ:
	case IPC_TLS_RELOAD:
	case IPC_FENCE:
	case IPC_FENCE_DONE:
		ok = len == 0;
		break;
	default:
		ok = false;
		break;
	}
	return ok ? 0 : -EBADMSG;
}
