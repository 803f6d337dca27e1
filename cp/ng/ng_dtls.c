/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS-SRTP on a call's RTP terminations (FEATURE.md "DTLS-SRTP"; RFC
 * 5763, RFC 5764, RFC 8842). A side whose SDP says UDP/TLS/RTP/SAVP or
 * UDP/TLS/RTP/SAVPF gets its SRTP keys from a handshake with dp on its
 * termination's own port; cp/agw decides the roles and the association
 * from what the door read (cp/agw/cp_agw_rtp.h, struct cp_agw_rtp_dtls),
 * and this file is the door's part of it:
 *
 *   - what a sender's or an answerer's section says (ng_dtls_peer_of()):
 *     its a=setup (an offer's actpass, active or passive; an answer's
 *     active or passive), its a=fingerprint lines (every one, cp/agw
 *     keeps the strongest hash's; only sha-1 refused unless
 *     agw.allow_sha1, RFC 8122 section 5), its a=tls-id (RFC 8842
 *     section 4), and the request's DTLS=passive (rtpengine's: answer a
 *     peer's actpass passive). What the RFCs forbid or turnpike cannot
 *     carry is refused with ng's error before anything changes: no
 *     a=setup (RFC 8842 section 5 wants one), actpass in an answer (RFC
 *     5763 section 5: the answerer picks), holdconn (lib/sdp refuses it:
 *     RFC 8842 section 5.2), no rtcp-mux (dp's DTLS-SRTP runs on the RTP
 *     port only), DTLS=off on such a section (DTLS-SRTP is its only
 *     keying).
 *   - our lines to a side (ng_dtls_lines()): our certificate's fingerprint
 *     of the generation its termination was given (cp_agw_rtp_dtls_cert()),
 *     a=setup:actpass in every offer (RFC 5763 section 5; RFC 8842
 *     section 5.5's subsequent offers too, as browsers send them), our
 *     role in an answer (cp/agw's: active unless DTLS=passive, RFC 5763
 *     section 5), our a=tls-id. The hash: DTLS-fingerprint's, else the
 *     peer's strongest when it is sha-256 or stronger, else sha-256;
 *     chosen when the side is first given our fingerprint and kept (a
 *     digest under another hash reads as another certificate: a new
 *     association, RFC 8842 section 5).
 *   - query's DTLS of a termination (ng_dtls_query()).
 *
 * Re-offers: the door passes each side's SDP again (cp_agw_rtp_mod.dtls);
 * cp/agw keeps the association when its fingerprints and tls-id are the
 * same, ICE restart or not, and starts a new one otherwise. A peer that
 * gives no a=tls-id (RFC 5763's, before RFC 8842) says a new association
 * by its ICE restart (RFC 8842: a new ICE ufrag is one when there is no
 * tls-id): ng_dtls_renew(), unless no-tls-id.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "agw/cp_agw.h"
#include "bencode.h"
#include "cp.h"
#include "ng_internal.h"
#include "tp_conf.h"

int
ng_dtls_peer_of(const struct cp_ng *g, const struct ng_req *r, const struct ng_sdp_media *md,
		bool offer, struct cp_agw_rtp_dtls *d, char *err, size_t errlen)
{
	const struct sdp_media *m = &md->m;
	struct sdp_error se;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!md->relay || !sdp_proto_dtls((enum sdp_proto)m->proto))
		return 0;
	if (r->dtls == NG_DTLS_OFF) {
		snprintf(err, errlen, "DTLS=off, but the %s section of line %u has no keying but "
			 "DTLS-SRTP", m->proto_str, m->line);
		return -EINVAL;
	}
	if (!m->rtcp_mux || (offer && (r->flags & NG_F_MUX_REJECT))) {
		snprintf(err, errlen, "The %s section of line %u %s: turnpike's DTLS-SRTP runs on "
			 "one port (rtcp-mux, RFC 5761)", m->proto_str, m->line,
			 m->rtcp_mux ? "under rtcp-mux-reject" : "has no a=rtcp-mux");
		return -EINVAL;
	}
	switch (m->setup) {
	case SDP_SETUP_ACTPASS:
		if (!offer) {
			snprintf(err, errlen, "The answer's a=setup:actpass (line %u): the answerer "
				 "picks active or passive (RFC 5763 section 5)", m->setup_line);
			return -EINVAL;
		}
		d->setup = CP_AGW_DTLS_PEER_ACTPASS;
		break;
	case SDP_SETUP_ACTIVE:
		d->setup = CP_AGW_DTLS_PEER_ACTIVE;
		break;
	case SDP_SETUP_PASSIVE:
		d->setup = CP_AGW_DTLS_PEER_PASSIVE;
		break;
	case SDP_SETUP_NONE:
		snprintf(err, errlen, "The %s section of line %u has no a=setup (RFC 8842 section "
			 "5: DTLS-SRTP's roles are signalled)", m->proto_str, m->line);
		return -EINVAL;
	default:
		/* (holdconn: lib/sdp refused it already; `$` is H.248's) */
		snprintf(err, errlen, "a=setup:%s (line %u) on a %s section (RFC 8842 section 5.2)",
			 sdp_setup_name((enum sdp_setup)m->setup), m->setup_line, m->proto_str);
		return -EINVAL;
	}
	rc = sdp_dtls_fp(m, g->cp->conf->agw.allow_sha1, &se);
	if (rc < 0) {
		snprintf(err, errlen, "DTLS-SRTP refused: %s%s", se.msg, se.code == SDP_E_FP_WEAK ?
			 " (agw.allow_sha1)" : "");
		memset(d, 0, sizeof(*d));
		return rc;
	}
	d->passive = r->dtls == NG_DTLS_PASSIVE;
	d->nfp = m->nfp > IPC_AGW_FP_MAX ? IPC_AGW_FP_MAX : m->nfp;
	for (unsigned int i = 0; i < d->nfp; i++) {
		d->fp[i].alg = m->fp[i].alg;
		d->fp[i].len = m->fp[i].len;
		memcpy(d->fp[i].md, m->fp[i].md, m->fp[i].len);
	}
	snprintf(d->tls_id, sizeof(d->tls_id), "%s", m->tls_id);
	return 0;
}

void
ng_dtls_renew(const struct ng_stream *st, unsigned int s, const struct ng_req *r,
	      const struct ng_ice_peer *ice, struct cp_agw_rtp_dtls *d)
{
	if ((r->flags & NG_F_NO_TLS_ID) || !st->ice_had[s] || !ice->on)
		return;
	/* (an ICE restart as ng_ice.c tells one, RFC 8839 section 4.4.1.1.1:
	 * the ufrag or the pwd changed; cp/agw's rule for the rest) */
	cp_agw_rtp_dtls_renew(d, st->ice_ufrag[s], strlen(st->ice_ufrag[s]), ice->ufrag,
			      strlen(ice->ufrag), st->ice_pwd_h[s] != ice->pwd_h);
}

/* The hash of our fingerprint to side s: the side's own once given; else
 * DTLS-fingerprint's, the peer's strongest signalled when sha-256 or
 * stronger, sha-256. */
static uint8_t
fp_alg(struct ng_stream *st, unsigned int s, const struct ng_req *r,
       const struct cp_agw_rtp_dtls_st *ds)
{
	uint8_t alg = CERTFP_SHA256;

	if (st->fp_alg[s] != 0)
		return st->fp_alg[s];
	if (r->dtls_fp != 0) {
		alg = r->dtls_fp;
	} else {
		for (unsigned int i = 0; i < ds->peer_nfp && i < IPC_AGW_FP_MAX; i++)
			if (ds->peer_fp[i].alg > alg)
				alg = ds->peer_fp[i].alg;
	}
	st->fp_alg[s] = alg;
	return alg;
}

int
ng_dtls_lines(struct cp_ng *g, struct ng_stream *st, unsigned int s, const struct ng_req *r,
	      bool offer, struct ng_sdp_out_media *o, struct ng_webrtc_lines *l, char *err,
	      size_t errlen)
{
	const struct cp_agw_ctx *x = cp_agw_lookup(g->cp, &g->who, st->ctx);
	const struct cp_agw_rtp_dtls_st *ds;
	const struct ipc_dtls_cert *cert;
	uint16_t gen;
	uint8_t alg;

	if (x == NULL) {
		snprintf(err, errlen, "Media context gone: released");
		return -ENOENT;
	}
	ds = &x->rtp.dtls[s];
	if (ds->setup == 0) {
		snprintf(err, errlen, "No DTLS-SRTP on termination %u", s);
		return -EIO;
	}
	gen = x->rtp.term[s].dtls.cert_gen;
	cert = cp_agw_rtp_dtls_cert(g->cp, gen);
	if (cert == NULL) {
		snprintf(err, errlen, "Our DTLS certificate of generation %u is not known any more "
			 "(replaced twice since)", gen);
		return -ESTALE;
	}
	alg = fp_alg(st, s, r, ds);
	memset(&l->fp, 0, sizeof(l->fp));
	for (unsigned int i = 0; i < cert->nfp && i < IPC_AGW_FP_MAX; i++)
		if (cert->fp[i].alg == alg && cert->fp[i].len <= sizeof(l->fp.md)) {
			l->fp.alg = alg;
			l->fp.len = cert->fp[i].len;
			memcpy(l->fp.md, cert->fp[i].md, cert->fp[i].len);
		}
	if (l->fp.alg == 0) {
		snprintf(err, errlen, "Our DTLS certificate has no %s fingerprint",
			 certfp_alg_name((enum certfp_alg)alg) != NULL ?
			 certfp_alg_name((enum certfp_alg)alg) : "such");
		return -ENOTSUP;
	}
	l->ours.fp = &l->fp;
	l->ours.nfp = 1;
	if (offer)
		l->ours.setup = SDP_SETUP_ACTPASS;
	else if (ds->setup == CP_AGW_DTLS_OUR_ACTIVE)
		l->ours.setup = SDP_SETUP_ACTIVE;
	else if (ds->setup == CP_AGW_DTLS_OUR_PASSIVE)
		l->ours.setup = SDP_SETUP_PASSIVE;
	else {
		snprintf(err, errlen, "No DTLS role of ours on termination %u to answer with", s);
		return -EIO;
	}
	snprintf(l->tls_id, sizeof(l->tls_id), "%s", ds->tls_id);
	/* (no-tls-id: rtpengine's, for a peer that chokes on it) */
	l->ours.tls_id = l->tls_id[0] != '\0' && !(r->flags & NG_F_NO_TLS_ID) ? l->tls_id : NULL;
	o->webrtc = &l->ours;
	return 0;
}

static const char *
state_name(uint8_t state)
{
	switch (state) {
	case IPC_RTP_DTLS_UP: return "up";
	case IPC_RTP_DTLS_VERIFY_WAIT: return "verify-wait";
	case IPC_RTP_DTLS_FAILED: return "failed";
	default: return "waiting";
	}
}

void
ng_dtls_query(struct bc_w *w, const struct cp_agw_ctx *x, unsigned int s)
{
	const struct cp_agw_rtp_dtls_st *ds = &x->rtp.dtls[s];
	static const char *const setups[] = { "", "actpass", "active", "passive" };
	char ip[INET6_ADDRSTRLEN] = "";

	bc_w_str(w, "DTLS");
	bc_w_dict(w);
	bc_w_kstr(w, "setup", ds->setup < 4 ? setups[ds->setup] : "");
	bc_w_kstr(w, "state", state_name(ds->state));
	if (ds->role == IPC_RTP_DTLS_CLIENT || ds->role == IPC_RTP_DTLS_SERVER)
		bc_w_kstr(w, "role", ds->role == IPC_RTP_DTLS_CLIENT ? "client" : "server");
	if (ds->version == 0xfefd)
		bc_w_kstr(w, "version", "DTLSv1.2");
	if (ds->profile != 0)
		bc_w_kstr(w, "profile", cp_agw_rtp_dtls_profile_name(ds->profile));
	if (ds->cipher[0] != '\0')
		bc_w_kstrn(w, "cipher", ds->cipher, strnlen(ds->cipher, sizeof(ds->cipher)));
	if (ds->state == IPC_RTP_DTLS_UP)
		bc_w_kint(w, "fingerprint verified", ds->matched >= 0);
	if (ds->peer.family == 4 || ds->peer.family == 6) {
		inet_ntop(ds->peer.family == 6 ? AF_INET6 : AF_INET, ds->peer.ip, ip, sizeof(ip));
		bc_w_str(w, "peer");
		bc_w_dict(w);
		bc_w_kstr(w, "family", ds->peer.family == 6 ? "IPv6" : "IPv4");
		bc_w_kstr(w, "address", ip);
		bc_w_kint(w, "port", ds->peer.port);
		bc_w_close(w);
	}
	bc_w_kint(w, "handshakes", ds->handshakes);
	bc_w_kint(w, "failures", ds->failures);
	if (ds->state == IPC_RTP_DTLS_FAILED && ds->detail[0] != '\0')
		bc_w_kstrn(w, "reason", ds->detail, strnlen(ds->detail, sizeof(ds->detail)));
	bc_w_close(w);
}
