/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICE on a call's RTP terminations (FEATURE.md "ICE"). Our side is always
 * a lite agent (RFC 8445 section 2.5; dp answers the peer's checks,
 * dp/rtp/FEATURE.md "ICE"): a=ice-lite at session level, our ufrag and pwd
 * per termination (cp/agw makes them), host candidates on the address and
 * ports the SDP gives that side, a=end-of-candidates. What decides where
 * our ICE goes, as rtpengine's ng flags say it (its daemon/call.c's
 * __ice_offer()):
 *
 *   - towards an offer's receiver: none with ICE=remove; ours with
 *     ICE=force (or optional, here the same: the sender's candidates are
 *     never passed on); otherwise (ICE=default, or no ICE key) ours when
 *     the sender's section had ICE, or, once the receiver answered, when
 *     it does ICE with us now. Its termination does ICE from the offer on
 *     (an answerer may check as soon as it has the offer) until its answer
 *     says it does not (no ICE, or a lite agent);
 *   - towards the offerer, in the answer: ours when its offer had ICE
 *     (not from a lite agent: two lite agents make no checks, RFC 8445
 *     section 6.1.1, and media go to the default candidates as without
 *     ICE) and neither the offer's reject-ICE nor the answer's ICE=remove
 *     says no; its termination does ICE from that answer on (before it,
 *     the offerer cannot check: it has not our credentials), with the
 *     offerer's ufrag, and a restart when its credentials changed from
 *     those it gave before (RFC 8839 section 4.4.1.1.1): our new ones go
 *     in that answer. An answer never carries ICE to an offerer that
 *     offered none (RFC 8839 section 4.3.2; rtpengine writes its own under
 *     ICE=force).
 *
 * The sender's ICE lines in a relayed section are always removed
 * (ng_call.c's rewrite): its candidates passed on would let the media go
 * around the gateway.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agw/cp_agw.h"
#include "ng_internal.h"
#include "tp_siphash.h"

int
ng_ice_peer_of(const struct cp_ng *g, const struct ng_sdp_media *md, struct ng_ice_peer *pe,
	       char *err, size_t errlen)
{
	const struct sdp_ice *ice = &md->m.ice;
	size_t n = strnlen(ice->ufrag, sizeof(ice->ufrag));

	memset(pe, 0, sizeof(*pe));
	if (!md->relay || ice->ufrag[0] == '\0' || ice->pwd[0] == '\0')
		return 0;
	pe->creds = true;
	pe->lite = md->ice_lite;
	pe->on = !md->ice_lite;
	/* (lib/sdp took 4..256 ice-chars; dp keeps the peer's ufrag to 32:
	 * refused before anything changes, in cp/agw's words) */
	if (n > IPC_ICE_UFRAG_MAX) {
		snprintf(err, errlen, "The a=ice-ufrag of %zu characters (line %u): RFC 8839 allows "
			 "4 to 256, this gateway takes 4 to %u", n, ice->ufrag_line,
			 IPC_ICE_UFRAG_MAX);
		return -EINVAL;
	}
	memcpy(pe->ufrag, ice->ufrag, n);
	pe->pwd_h = tp_siphash24(g->hkey, ice->pwd, strnlen(ice->pwd, sizeof(ice->pwd)));
	return 0;
}

/* Side `side`'s ICE: on (our credentials made if it had none) or off;
 * restart: both ours new (RFC 8445 section 9); peer_ufrag (on): the
 * peer's ("": not known yet). */
static int
ice_set(struct cp_ng *g, struct ng_stream *st, unsigned int side, bool on, bool restart,
	const char *peer_ufrag, char *err, size_t errlen)
{
	struct cp_agw_rtp_mod m;
	char e[200];
	int rc;

	memset(&m, 0, sizeof(m));
	m.ice_set = true;
	m.ice_mode = on ? IPC_RTP_ICE_LITE : IPC_RTP_ICE_OFF;
	m.ice_restart = on && restart;
	m.ice_peer_ufrag = on ? peer_ufrag : NULL;
	rc = cp_agw_modify(g->cp, &g->who, st->ctx, side,
			   &(struct cp_agw_mod){ .kind = CP_AGW_KIND_RTP, .rtp = m }, e, sizeof(e));
	if (rc < 0)
		snprintf(err, errlen, "ICE not changed: %s", e);
	return rc;
}

/* The context went (the operator, dp) while the request was acted on. */
static int
gone(char *err, size_t errlen)
{
	snprintf(err, errlen, "Media context gone: released");
	return -ENOENT;
}

static bool
ice_on(const struct cp_agw_ctx *x, unsigned int side)
{
	return x->rtp.term[side].ice.mode != IPC_RTP_ICE_OFF;
}

/* Does the termination hold ufrag as the peer's? */
static bool
peer_is(const struct cp_agw_ctx *x, unsigned int side, const char *ufrag)
{
	const struct ipc_rtp_ice *ice = &x->rtp.term[side].ice;

	return ice->peer_ufrag_len == strlen(ufrag) &&
	       memcmp(ice->peer_ufrag, ufrag, ice->peer_ufrag_len) == 0;
}

bool
ng_ice_to(const struct ng_stream *st, const struct cp_agw_ctx *x, unsigned int p,
	  const struct ng_req *r, const struct ng_ice_peer *sender)
{
	if (r->flags & NG_F_ICE_REMOVE)
		return false;
	if (r->flags & NG_F_ICE_FORCE)
		return true;
	/* (rtpengine's default: the sender's choice passed on to a receiver
	 * not heard yet; one that answered keeps what it does) */
	if (x != NULL && st->answered)
		return ice_on(x, p);
	return sender->creds;
}

/* Our ICE lines for side s of st's context, as r writes them: the
 * credentials its termination holds, host candidates on o's address and
 * ports (component 2 on our RTCP port unless RTCP is muxed there: RFC 8445
 * section 5.1.1.1), all of them (a=end-of-candidates, RFC 8840 section
 * 8.2); o->webrtc points at them in l (zeroed by the caller: our
 * DTLS-SRTP lines may go there too). */
static int
lines_of(struct cp_ng *g, const struct ng_stream *st, unsigned int s, const struct ng_req *r,
	 struct ng_sdp_out_media *o, struct ng_webrtc_lines *l, char *err, size_t errlen)
{
	const struct cp_agw_ctx *x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	const struct ipc_rtp_term *t = x != NULL ? &x->rtp.term[s] : NULL;
	int n;

	if (t == NULL || t->ice.ufrag_len == 0 || t->ice.pwd_len == 0) {
		snprintf(err, errlen, "No ICE credentials for termination %u", s);
		return -EIO;
	}
	memcpy(l->ufrag, t->ice.ufrag, t->ice.ufrag_len);
	memcpy(l->pwd, t->ice.pwd, t->ice.pwd_len);
	n = sdp_host_candidates(o->family, o->ip, o->port,
				(t->flags & IPC_RTP_F_MUX) ? 0 : t->rtcp_port, 65535, l->cand);
	if (n < 0) {
		snprintf(err, errlen, "No ICE candidate for termination %u", s);
		return n;
	}
	l->ours.ufrag = l->ufrag;
	l->ours.pwd = l->pwd;
	l->ours.ice_options = (r->flags & NG_F_TRICKLE_ICE) ? SDP_ICE_OPT_TRICKLE : 0;
	l->ours.cand = l->cand;
	l->ours.ncand = (unsigned int)n;
	l->ours.end_of_candidates = true;
	o->webrtc = &l->ours;
	return 0;
}

int
ng_ice_offer(struct cp_ng *g, struct ng_stream *st, unsigned int o, const struct ng_req *r,
	     const struct ng_ice_peer *sender, struct ng_sdp_out_media *out,
	     struct ng_webrtc_lines *l, char *err, size_t errlen)
{
	unsigned int p = 1u - o;
	struct cp_agw_ctx *x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	bool to_p;
	int rc = 0;

	if (x == NULL)
		return gone(err, errlen);
	/* what the sender says of its own, for the answer to apply */
	st->ice_pend = sender->on && !(r->flags & NG_F_ICE_REJECT);
	memcpy(st->ice_pend_ufrag, sender->ufrag, sizeof(st->ice_pend_ufrag));
	st->ice_pend_pwd_h = sender->pwd_h;
	/* (a BUNDLE member receiver does no ICE of its own: its section
	 * carries its owner's lines, ng_bundle_out()) */
	if (st->bdl_role == NG_BDL_MEMBER && st->bdl_side == p)
		return 0;
	/* towards the receiver: ours on its termination now (it may check
	 * as soon as it has the offer); one that has not answered yet stops
	 * now when not offered ICE any more, one that answered at its answer */
	to_p = ng_ice_to(st, x, p, r, sender);
	if (to_p && !ice_on(x, p))
		rc = ice_set(g, st, p, true, false, "", err, errlen);
	else if (!to_p && ice_on(x, p) && !st->answered)
		rc = ice_set(g, st, p, false, false, NULL, err, errlen);
	if (rc < 0 || !to_p)
		return rc;
	return lines_of(g, st, p, r, out, l, err, errlen);
}

int
ng_ice_answer(struct cp_ng *g, struct ng_stream *st, unsigned int o, const struct ng_req *r,
	      const struct ng_ice_peer *answerer, struct ng_sdp_out_media *out,
	      struct ng_webrtc_lines *l, char *err, size_t errlen)
{
	unsigned int p = 1u - o;
	struct cp_agw_ctx *x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	bool to_o;
	int rc = 0;

	if (x == NULL)
		return gone(err, errlen);
	/* the answerer: it does ICE with us when we offered it ours and it
	 * answers with its own (a branch answering after another: its
	 * ufrag); otherwise its termination latches as without ICE. Its pwd
	 * keys nothing of a lite agent's (dp checks under ours) */
	if (ice_on(x, p) && !answerer->on)
		rc = ice_set(g, st, p, false, false, NULL, err, errlen);
	else if (ice_on(x, p) && !peer_is(x, p, answerer->ufrag))
		rc = ice_set(g, st, p, true, false, answerer->ufrag, err, errlen);
	if (rc < 0)
		return rc;
	st->ice_had[p] = answerer->on;
	memcpy(st->ice_ufrag[p], answerer->ufrag, sizeof(st->ice_ufrag[p]));
	st->ice_pwd_h[p] = answerer->pwd_h;
	/* the offerer: ours in this answer when its offer asked ICE and the
	 * answer does not remove it */
	x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	if (x == NULL)
		return gone(err, errlen);
	to_o = st->ice_pend && !(r->flags & NG_F_ICE_REMOVE);
	if (to_o && !ice_on(x, o))
		rc = ice_set(g, st, o, true, false, st->ice_pend_ufrag, err, errlen);
	else if (to_o && st->ice_had[o] &&
		 (strcmp(st->ice_ufrag[o], st->ice_pend_ufrag) != 0 ||
		  st->ice_pwd_h[o] != st->ice_pend_pwd_h))
		/* RFC 8839 section 4.4.1.1.1: new credentials of the offerer's
		 * are an ICE restart; ours change too (RFC 8445 section 9),
		 * dp keeping the pair until a check under them nominates */
		rc = ice_set(g, st, o, true, true, st->ice_pend_ufrag, err, errlen);
	else if (to_o && !peer_is(x, o, st->ice_pend_ufrag))
		rc = ice_set(g, st, o, true, false, st->ice_pend_ufrag, err, errlen);
	else if (!to_o && ice_on(x, o))
		rc = ice_set(g, st, o, false, false, NULL, err, errlen);
	if (rc < 0)
		return rc;
	st->ice_had[o] = st->ice_pend;
	memcpy(st->ice_ufrag[o], st->ice_pend_ufrag, sizeof(st->ice_ufrag[o]));
	st->ice_pwd_h[o] = st->ice_pend_pwd_h;
	return to_o ? lines_of(g, st, o, r, out, l, err, errlen) : 0;
}
