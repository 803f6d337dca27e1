/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's RTP terminations (iq_rtp.h): one termination's Local, Remote
 * and packages onto struct ipc_rtp_term, our Local SDP back, the rtp and
 * nt statistics. The SDP is lib/sdp's to read and judge
 * (sdp_rtp_derive_flags(), sdp_rtp_write()); what is decided here is
 * H.248's: the stream mode, the packages' values, the error codes, and
 * for WebRTC what the SDP says of ICE and DTLS-SRTP in the terms cp/agw's
 * rule takes (cp_agw_rtp.h's struct cp_agw_rtp_dtls, as cp/ng's
 * ng_dtls.c reads it; the rule itself is cp/agw's), and a Modify's ICE
 * against the termination as it is (iq_rtp_mod_ice(): a restart, and
 * cp/agw's RFC 8842 renew for a peer without a=tls-id).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "iq_rtp.h"
#include "agw/cp_agw_rtp_key.h"

static int __attribute__((format(printf, 3, 4)))
fail(struct iq_fail *f, unsigned int code, const char *fmt, ...)
{
	va_list ap;

	f->code = code;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return -1;
}

unsigned int
iq_sdp_code(enum sdp_err e)
{
	/* TS 29.334 §5.17: an unsupported value is 449 with the value in the
	 * text; what cannot be read at all is the SDP's syntax (474) */
	switch (e) {
	case SDP_E_NO_MEDIA:
	case SDP_E_SETUP_MISSING:
	case SDP_E_NO_FINGERPRINT:
	case SDP_E_NO_CRYPTO:
		return H248_E_INFO_MISSING;
	case SDP_E_PROTO:
	case SDP_E_PROTO_MISMATCH:
	case SDP_E_MEDIA_COUNT:
		return H248_E_MEDIA_TYPE;
	case SDP_E_ROLE_CONFLICT:
		return H248_E_CONFLICT;
	case SDP_E_FP_HASH:
	case SDP_E_FP_COUNT:
	case SDP_E_ALTERNATIVE:
	case SDP_E_ADDRESS:
	case SDP_E_REMOTE_PORT:
	case SDP_E_PORT_ZERO:
	case SDP_E_CRYPTO_COUNT:
	case SDP_E_CRYPTO_SUITE:
	case SDP_E_SIZE:
	case SDP_E_LINES:
	case SDP_E_DTLS_SETUP:
	case SDP_E_FP_WEAK:
		return H248_E_BAD_VALUE;
	default:
		return H248_E_SDP_SYNTAX;
	}
}

/* (DTLS-SRTP's protos are RTP's, keyed by a handshake) */
static bool
rtp_side(const struct sdp *s)
{
	return s->has_media && (sdp_proto_rtp((enum sdp_proto)s->media.proto) ||
				sdp_proto_dtls((enum sdp_proto)s->media.proto));
}

bool
iq_rtp_media(const struct iq_media *m)
{
	return (m->local && rtp_side(&m->l)) || (m->remote && rtp_side(&m->r));
}

uint8_t
iq_rtp_mode_of(unsigned int tok)
{
	switch (tok) {
	case H248_TOK_SENDONLY:
		return IPC_RTP_MODE_SEND;
	case H248_TOK_RECVONLY:
		return IPC_RTP_MODE_RECV;
	case H248_TOK_INACTIVE:
		return 0;
	default:
		return IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	}
}

/* Our side's direction as Local says it (what the controller asks of us:
 * a=sendonly, we send). */
static uint8_t
mode_of_local(uint8_t dir)
{
	switch (dir) {
	case SDP_DIR_SENDONLY:
		return IPC_RTP_MODE_SEND;
	case SDP_DIR_RECVONLY:
		return IPC_RTP_MODE_RECV;
	case SDP_DIR_INACTIVE:
		return 0;
	default:
		return IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	}
}

/* The peer's direction (Remote's a=sendonly: it sends and takes nothing,
 * so we only take from it; RFC 3264 §6.1). */
static uint8_t
mode_of_remote(uint8_t dir)
{
	switch (dir) {
	case SDP_DIR_SENDONLY:
		return IPC_RTP_MODE_RECV;
	case SDP_DIR_RECVONLY:
		return IPC_RTP_MODE_SEND;
	case SDP_DIR_INACTIVE:
		return 0;
	default:
		return IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	}
}

static enum sdp_dir
dir_of_mode(uint8_t mode)
{
	switch (mode & (IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV)) {
	case IPC_RTP_MODE_SEND:
		return SDP_DIR_SENDONLY;
	case IPC_RTP_MODE_RECV:
		return SDP_DIR_RECVONLY;
	case 0:
		return SDP_DIR_INACTIVE;
	default:
		return SDP_DIR_SENDRECV;
	}
}

static void
addr_set(struct ipc_addr *a, uint8_t af, const uint8_t *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = af == AF_INET6 ? 6 : 4;
	memcpy(a->ip, ip, a->family == 6 ? 16 : 4);
	a->port = port;
}

/* H.248.43's gate on what may be heard (and latch): gm/saf ON, the
 * address of gm/sam (else Remote's c=), all of it; gm/spf ON, the port
 * of gm/spr (else Remote's); OFF or absent, any. */
static int
gm_of(const struct iq_media *m, const struct sdp_rtp_term *st, struct ipc_rtp_term *t,
      struct iq_fail *f)
{
	uint8_t fam = t->local.family;

	if (m->saf_set && m->saf) {
		if (m->sam_fam != 0) {
			if (m->sam_fam != fam)
				return fail(f, H248_E_CONFLICT, "gm/sam is of another address family "
					    "than the termination");
			t->gm_addr.family = fam;
			memcpy(t->gm_addr.ip, m->sam, 16);
		} else if (st->remote_known) {
			t->gm_addr = t->remote;
			t->gm_addr.port = 0;
		} else {
			return fail(f, H248_E_INFO_MISSING, "gm/saf ON: the address to filter on "
				    "is needed (gm/sam or Remote's c=)");
		}
		t->gm_plen = fam == 6 ? 128 : 32;
	}
	if (m->spf_set && m->spf) {
		uint16_t p = m->spr != 0 ? m->spr : st->remote_known ? st->remote_port : 0;

		if (p == 0)
			return fail(f, H248_E_INFO_MISSING, "gm/spf ON: the port to filter on is "
				    "needed (gm/spr or Remote's port)");
		t->gm_port_lo = t->gm_port_hi = p;
	}
	return 0;
}

/* ICE (RFC 8445 §2.5, TS 23.334 §6.2.17.1: the gateway is a lite agent):
 * on with a Remote that does ICE (its ufrag and pwd, not a lite agent: two
 * lite agents make no checks, RFC 8445 §6.1.1, and media go to the
 * default candidates as without ICE), or, with no Remote yet, when Local
 * asks for ours (a=ice-lite, or our ufrag); Local's ufrag and pwd, when
 * given, are ours (cp/agw checks them), else cp/agw makes them. */
static int
ice_of(const struct iq_media *m, struct iq_rtp_spec *out, struct iq_fail *f)
{
	struct ipc_rtp_ice *ice = &out->term.ice;
	const struct sdp_ice *li = m->local ? &m->l.media.ice : NULL;
	size_t n;

	if (m->remote) {
		const struct sdp_ice *ri = &m->r.media.ice;

		out->ice_peer = ri->ufrag[0] != '\0' && ri->pwd[0] != '\0' && !m->r.ice_lite;
		out->ice = out->ice_peer;
		if (out->ice) {
			n = strnlen(ri->ufrag, sizeof(ri->ufrag));
			if (n > IPC_ICE_UFRAG_MAX)
				return fail(f, H248_E_BAD_VALUE, "Remote's a=ice-ufrag of %zu "
					    "characters: RFC 8839 allows 4 to 256, this gateway takes "
					    "4 to %u", n, IPC_ICE_UFRAG_MAX);
			memcpy(ice->peer_ufrag, ri->ufrag, n);
			ice->peer_ufrag_len = (uint8_t)n;
		}
	} else {
		out->ice = m->local && (m->l.ice_lite || li->ufrag[0] != '\0');
	}
	if (!out->ice)
		return 0;
	ice->mode = IPC_RTP_ICE_LITE;
	if (li != NULL && li->ufrag[0] != '\0') {
		size_t pl = strnlen(li->pwd, sizeof(li->pwd));

		n = strnlen(li->ufrag, sizeof(li->ufrag));
		if (n > IPC_ICE_UFRAG_MAX || pl > IPC_ICE_PWD_MAX)
			return fail(f, H248_E_BAD_VALUE, "Local's a=ice-ufrag and a=ice-pwd: this "
				    "gateway's are 4 to %u and 22 to %u characters",
				    IPC_ICE_UFRAG_MAX, IPC_ICE_PWD_MAX);
		memcpy(ice->ufrag, li->ufrag, n);
		ice->ufrag_len = (uint8_t)n;
		memcpy(ice->pwd, li->pwd, pl);
		ice->pwd_len = (uint8_t)pl;
	}
	return 0;
}

/* A DTLS-SRTP termination's setup (RFC 4145 §4, RFC 5763 §5, RFC 8842 §5;
 * TS 23.334 §6.2.10.5): Remote's a=setup, Local's (when active or
 * passive) the controller's choice of our role; the peer's fingerprints
 * (RFC 8122 §5, judged by sdp_dtls_fp() as cp/ng does; the sha-1 rule is
 * cp/agw's) and tls-id. Without Remote we offer (actpass), or a Modify's
 * Local repeats ours. Local's a=fingerprint and a=tls-id are not read:
 * ours are the gateway's (a controller repeating our Local is taken).
 * Under another proto, DTLS-SRTP's lines are refused. */
static int
dtls_of(const struct iq_media *m, const struct sdp_rtp_term *st, struct cp_agw_rtp_dtls *d,
	struct iq_fail *f)
{
	const struct sdp_media *lm = m->local ? &m->l.media : NULL;
	const struct sdp_media *rm = m->remote ? &m->r.media : NULL;
	uint8_t ls = lm != NULL ? lm->setup : SDP_SETUP_NONE;
	struct sdp_error e;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!st->dtls) {
		for (unsigned int k = 0; k < 2; k++) {
			const struct sdp_media *x = k == 0 ? lm : rm;

			if (x != NULL && (x->nfp > 0 || x->tls_id[0] != '\0'))
				return fail(f, H248_E_BAD_VALUE, "%s's a=%s under %s: DTLS-SRTP is "
					    "UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF (RFC 5764 section "
					    "8)", k == 0 ? "Local" : "Remote",
					    x->nfp > 0 ? "fingerprint" : "tls-id", x->proto_str);
		}
		return 0;
	}
	if (rm == NULL) {
		/* RFC 5763 §5: the offerer says actpass (an Add's Local saying
		 * active or passive: iq_cmd.c's 449) */
		d->setup = CP_AGW_DTLS_OFFER;
		return 0;
	}
	switch (rm->setup) {
	case SDP_SETUP_ACTPASS:
		if (ls == SDP_SETUP_ACTPASS)
			return fail(f, H248_E_BAD_VALUE, "Local's a=setup:actpass answering Remote's "
				    "actpass: the answerer picks active or passive (RFC 5763 "
				    "section 5)");
		d->setup = CP_AGW_DTLS_PEER_ACTPASS;
		d->passive = ls == SDP_SETUP_PASSIVE;
		break;
	case SDP_SETUP_ACTIVE:
		if (ls == SDP_SETUP_ACTIVE)
			return fail(f, H248_E_CONFLICT, "Local and Remote both a=setup:active: one "
				    "DTLS end is the client (RFC 4145 section 4)");
		d->setup = CP_AGW_DTLS_PEER_ACTIVE;
		break;
	case SDP_SETUP_PASSIVE:
		if (ls == SDP_SETUP_PASSIVE)
			return fail(f, H248_E_CONFLICT, "Local and Remote both a=setup:passive: one "
				    "DTLS end is the client (RFC 4145 section 4)");
		d->setup = CP_AGW_DTLS_PEER_PASSIVE;
		break;
	case SDP_SETUP_NONE:
		return fail(f, H248_E_INFO_MISSING, "Remote's %s section has no a=setup (RFC 8842 "
			    "section 5: DTLS-SRTP's roles are signalled)", rm->proto_str);
	default:
		/* (holdconn lib/sdp refused already; `$` is Local's only) */
		return fail(f, H248_E_BAD_VALUE, "Remote's a=setup:%s on a %s section (RFC 8842 "
			    "section 5.2)", sdp_setup_name((enum sdp_setup)rm->setup),
			    rm->proto_str);
	}
	rc = sdp_dtls_fp(rm, true, &e);
	if (rc < 0) {
		memset(d, 0, sizeof(*d));
		return fail(f, iq_sdp_code(e.code), "Remote: %s", e.msg);
	}
	d->nfp = rm->nfp > IPC_AGW_FP_MAX ? IPC_AGW_FP_MAX : rm->nfp;
	for (unsigned int k = 0; k < d->nfp; k++) {
		d->fp[k].alg = rm->fp[k].alg;
		d->fp[k].len = rm->fp[k].len;
		memcpy(d->fp[k].md, rm->fp[k].md, rm->fp[k].len);
	}
	snprintf(d->tls_id, sizeof(d->tls_id), "%s", rm->tls_id);
	return 0;
}

int
iq_rtp_spec(const struct iq_media *m, const struct iq_rtp_ev *ev, unsigned int suites,
	    struct iq_rtp_spec *out, struct iq_fail *f)
{
	struct ipc_rtp_term *t = &out->term;
	struct sdp_rtp_term st;
	struct sdp_error e;
	const struct sdp_media *lm = m->local ? &m->l.media : NULL;
	const struct sdp_media *rm = m->remote ? &m->r.media : NULL;
	uint8_t af, mode;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!m->local && !m->remote) {
		fail(f, H248_E_NO_LOCAL_REMOTE, "Missing Remote or Local Descriptor: an RTP "
		     "termination needs its SDP");
		goto out;
	}
	if (sdp_rtp_derive_flags(m->local ? &m->l : NULL, m->remote ? &m->r : NULL, suites,
				 SDP_RTP_TAKE_DTLS, &st, &e) < 0) {
		fail(f, iq_sdp_code(e.code), "%s", e.msg);
		goto out;
	}
	switch (st.proto) {
	case SDP_PROTO_RTP_AVP:
		t->profile = IPC_RTP_AVP;
		break;
	case SDP_PROTO_RTP_AVPF:
		t->profile = IPC_RTP_AVPF;
		break;
	case SDP_PROTO_RTP_SAVP:
	case SDP_PROTO_UDP_TLS_RTP_SAVP:
		/* (DTLS-SRTP's are SRTP's, keyed by the handshake) */
		t->profile = IPC_RTP_SAVP;
		break;
	default:
		t->profile = IPC_RTP_SAVPF;
		break;
	}
	out->media = st.media;
	out->proto = st.proto;
	out->remote_known = st.remote_known;
	out->addr_choose = st.local_addr_choose;
	out->port_choose = st.local_port_choose;
	af = st.local_family != 0 ? st.local_family : st.remote_family != 0 ? st.remote_family :
	     AF_INET;
	if (st.remote_family != 0 && st.remote_family != af) {
		fail(f, H248_E_CONFLICT, "Local and Remote are of different address families");
		goto out;
	}
	/* ours: an address and ports the controller fixed, else cp/agw's
	 * (local all zero, port 0) */
	memset(&t->local, 0, sizeof(t->local));
	t->local.family = af == AF_INET6 ? 6 : 4;
	if (!st.local_addr_choose)
		memcpy(t->local.ip, st.local_ip, 16);
	if (!st.local_port_choose && st.local_port != 0) {
		if (st.local_port == 65535u && !st.rtcp_mux) {
			fail(f, H248_E_BAD_VALUE, "Local's port 65535 leaves no RTCP port");
			goto out;
		}
		t->local.port = st.local_port;
		t->rtcp_port = st.rtcp_mux ? 0 : st.local_rtcp_port != 0 ? st.local_rtcp_port :
			       (uint16_t)(st.local_port + 1u);
	}
	if (st.rtcp_mux)
		t->flags |= IPC_RTP_F_MUX;
	/* H.248.57: RTCP is passed through, never made nor taken here; "no
	 * RTCP resources" fits a muxed termination only (a pair's RTCP port
	 * is part of what dp installs) */
	if (m->rtcpa_set && !m->rtcpa && !st.rtcp_mux) {
		fail(f, H248_E_BAD_VALUE, "rtcph/rtcpa OFF: RTCP is passed through on its own port; "
		     "without rtcp-mux that port cannot be left out");
		goto out;
	}
	if (st.remote_known) {
		addr_set(&t->remote, st.remote_family, st.remote_ip, st.remote_port);
		if (!st.rtcp_mux) {
			if (memcmp(st.remote_rtcp_ip, st.remote_ip, 16) != 0) {
				fail(f, H248_E_BAD_VALUE, "a=rtcp with an address other than c='s is "
				     "not supported");
				goto out;
			}
			t->remote_rtcp = st.remote_rtcp_port;
		}
	}
	/* the stream mode: LocalControl's, narrowed by what either side's
	 * SDP says (an a=sendonly peer takes nothing) */
	mode = m->mode_set ? iq_rtp_mode_of(m->mode) : IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	mode &= mode_of_local(st.local_dir);
	if (st.remote_known)
		mode &= mode_of_remote(st.remote_dir);
	t->mode = mode;
	out->dir_said = m->mode_set || st.local_dir != SDP_DIR_NONE ||
			(st.remote_known && st.remote_dir != SDP_DIR_NONE);
	if (m->latch_set && m->latch)
		t->latch = IQ_RTP_LATCH;
	if (gm_of(m, &st, t, f) < 0)
		goto out;
	if (m->dscp_set)
		t->dscp = m->dscp;
	if (m->pol_set && m->pol) {
		if (!m->sdr_set) {
			fail(f, H248_E_INFO_MISSING, "tman/pol ON needs tman/sdr (policing from the "
			     "SDP's bandwidth is not supported)");
			goto out;
		}
		t->pol_rate = m->sdr;
		t->pol_burst = m->mbs_set ? m->mbs :
			       m->sdr / 4u > IQ_RTP_MBS_MIN ? m->sdr / 4u : IQ_RTP_MBS_MIN;
	}
	if (ev != NULL)
		t->inact_ms = ev->inact_ms;
	if (ice_of(m, out, f) < 0 || dtls_of(m, &st, &out->dtls, f) < 0)
		goto out;
	out->local_setup = lm != NULL ? lm->setup : SDP_SETUP_NONE;
	if (m->remote)
		snprintf(out->mid, sizeof(out->mid), "%s", m->r.media.mid);
	/* the answer repeats the controller's formats and codec lines, else
	 * the peer's (the gateway does not transcode) */
	{
		const struct sdp_media *src = lm != NULL && (lm->npt > 0 || lm->codec[0] != '\0') ?
					      lm : rm != NULL ? rm : lm;

		snprintf(out->fmt, sizeof(out->fmt), "%s", src->fmt);
		snprintf(out->codec, sizeof(out->codec), "%s", src->codec);
		t->clock_hz = sdp_rtp_clock(src);
	}
	if (st.srtp) {
		const struct sdp_crypto *ours = &st.ours;

		if (st.remote_known)
			cp_agw_rtp_key_of(&t->srtp_rx, &st.peer);
		if (ours->suite == SDP_SUITE_OTHER) {
			/* our offer, its suite ours to pick: the one every SDES
			 * peer has (RFC 4568 §6.2.1's mandatory one) */
			t->srtp_tx.suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80;
			out->tag = 1;
			out->key_choose = true;
		} else {
			cp_agw_rtp_key_of(&t->srtp_tx, ours);
			out->tag = ours->tag_choose ? 1 : ours->tag;
			out->lifetime = ours->lifetime;
			out->key_choose = st.key_choose || ours->key_len == 0;
			if (out->key_choose) {
				t->srtp_tx.key_len = 0;
				memset(t->srtp_tx.key, 0, sizeof(t->srtp_tx.key));
			}
		}
	}
	rc = 0;
out:
	/* (st held the peer's and perhaps our keys) */
	explicit_bzero(&st, sizeof(st));
	if (rc < 0)
		explicit_bzero(out, sizeof(*out));
	return rc;
}

/* Our ICE lines (t's credentials, host candidates on t's address and
 * ports) and DTLS-SRTP's (d) into w's strings; 0, or -EINVAL. */
struct webrtc_lines {
	struct sdp_webrtc_ours o;
	char ufrag[IPC_ICE_UFRAG_MAX + 1];
	char pwd[IPC_ICE_PWD_MAX + 1];
	struct sdp_candidate cand[2];
	struct certfp fp;
	char tls_id[33];
};

static int
webrtc_of(const struct iq_rtp_spec *spec, const struct ipc_rtp_term *t,
	  const struct iq_rtp_dtls_ours *d, struct webrtc_lines *w)
{
	int n;

	memset(w, 0, sizeof(*w));
	if (t->ice.mode != IPC_RTP_ICE_OFF) {
		if (t->ice.ufrag_len == 0 || t->ice.ufrag_len > IPC_ICE_UFRAG_MAX ||
		    t->ice.pwd_len == 0 || t->ice.pwd_len > IPC_ICE_PWD_MAX)
			return -EINVAL;
		memcpy(w->ufrag, t->ice.ufrag, t->ice.ufrag_len);
		memcpy(w->pwd, t->ice.pwd, t->ice.pwd_len);
		/* RFC 8445 §5.1.1.1: component 2 on our RTCP port unless muxed */
		n = sdp_host_candidates(t->local.family == 6 ? AF_INET6 : AF_INET, t->local.ip,
					t->local.port, (t->flags & IPC_RTP_F_MUX) ? 0 : t->rtcp_port,
					65535, w->cand);
		if (n < 0)
			return n;
		w->o.ufrag = w->ufrag;
		w->o.pwd = w->pwd;
		w->o.cand = w->cand;
		w->o.ncand = (unsigned int)n;
		w->o.end_of_candidates = true;
	}
	if (spec->dtls.setup != CP_AGW_DTLS_OFF) {
		if (d == NULL || d->fp.alg == 0)
			return -EINVAL;
		w->fp = d->fp;
		w->o.fp = &w->fp;
		w->o.nfp = 1;
		w->o.setup = d->setup;
		snprintf(w->tls_id, sizeof(w->tls_id), "%s", d->tls_id);
		w->o.tls_id = w->tls_id[0] != '\0' ? w->tls_id : NULL;
	}
	w->o.mid = spec->mid[0] != '\0' ? spec->mid : NULL;
	return 0;
}

int
iq_rtp_answer(const struct iq_rtp_spec *spec, const struct ipc_rtp_term *t,
	      const struct iq_rtp_dtls_ours *d, uint64_t sess_id, uint64_t sess_version,
	      char *buf, size_t size)
{
	struct webrtc_lines w;
	struct sdp_crypto c;
	struct sdp_rtp_answer a = {
		.family = t->local.family == 6 ? AF_INET6 : AF_INET,
		.media = spec->media,
		.proto = spec->proto,
		.dir = spec->dir_said ? dir_of_mode(t->mode) : SDP_DIR_NONE,
		.rtcp_mux = (t->flags & IPC_RTP_F_MUX) != 0,
		.port = t->local.port,
		.rtcp_port = (t->flags & IPC_RTP_F_MUX) ? 0 : t->rtcp_port,
		.sess_id = sess_id,
		.sess_version = sess_version,
		.fmt = spec->fmt,
		.attrs = spec->codec[0] != '\0' ? spec->codec : NULL,
	};
	int rc;

	memcpy(a.ip, t->local.ip, 16);
	memset(&c, 0, sizeof(c));
	if (sdp_proto_srtp((enum sdp_proto)spec->proto)) {
		if (t->srtp_tx.key_len == 0 ||
		    t->srtp_tx.key_len != sdp_suite_key_len((enum sdp_suite)t->srtp_tx.suite))
			return -EINVAL;
		c.tag = spec->tag;
		c.suite = t->srtp_tx.suite;
		c.key_len = t->srtp_tx.key_len;
		memcpy(c.key, t->srtp_tx.key, t->srtp_tx.key_len);
		c.mki_len = t->srtp_tx.mki_len;
		c.mki = t->srtp_tx.mki;
		c.lifetime = spec->lifetime;
		snprintf(c.suite_str, sizeof(c.suite_str), "%s",
			 sdp_suite_name((enum sdp_suite)c.suite));
		a.crypto = &c;
		a.ncrypto = 1;
	}
	rc = webrtc_of(spec, t, d, &w);
	if (rc == 0) {
		if (w.o.ufrag != NULL || w.o.fp != NULL || w.o.mid != NULL)
			a.webrtc = &w.o;
		a.ice_lite = w.o.ufrag != NULL;
		rc = sdp_rtp_write(&a, buf, size);
	}
	explicit_bzero(&c, sizeof(c));
	explicit_bzero(&w, sizeof(w));
	return rc;
}

void
iq_rtp_stats_write(struct h248_w *w, const struct ipc_rtp_stats *st, uint64_t dur_ms)
{
	char v[24];

	snprintf(v, sizeof(v), "%" PRIu64, st->rtp_in_octets + st->rtcp_in_octets);
	h248_w_item_name(w, "nt/or", '=', v);
	snprintf(v, sizeof(v), "%" PRIu64, st->rtp_out_octets + st->rtcp_out_octets);
	h248_w_item_name(w, "nt/os", '=', v);
	snprintf(v, sizeof(v), "%" PRIu64, dur_ms);
	h248_w_item_name(w, "nt/dur", '=', v);
	snprintf(v, sizeof(v), "%" PRIu64, st->rtp_in);
	h248_w_item_name(w, "rtp/pr", '=', v);
	snprintf(v, sizeof(v), "%" PRIu64, st->rtp_out);
	h248_w_item_name(w, "rtp/ps", '=', v);
	/* (duplicates make RFC 3550's count negative: none lost) */
	snprintf(v, sizeof(v), "%" PRId64, st->lost > 0 ? st->lost : 0);
	h248_w_item_name(w, "rtp/pl", '=', v);
	snprintf(v, sizeof(v), "%" PRIu32, st->jitter_us / 1000u);
	h248_w_item_name(w, "rtp/jit", '=', v);
}

bool
iq_rtp_mod_ice(const struct ipc_rtp_term *cur, struct iq_rtp_spec *rs,
	       struct cp_agw_rtp_mod *qm, char *peer_ufrag)
{
	const struct ipc_rtp_ice *now = &rs->term.ice;
	bool ice_new = false;

	memset(peer_ufrag, 0, IPC_ICE_UFRAG_MAX + 1);
	memcpy(peer_ufrag, now->peer_ufrag, now->peer_ufrag_len);
	if (cur->ice.mode != IPC_RTP_ICE_OFF && !rs->ice_peer) {
		qm->ice_set = true;
		qm->ice_mode = IPC_RTP_ICE_OFF;
	} else if (cur->ice.mode == IPC_RTP_ICE_OFF && rs->ice_peer) {
		qm->ice_set = true;
		qm->ice_mode = IPC_RTP_ICE_LITE;
		qm->ice_peer_ufrag = peer_ufrag;
		ice_new = true;
	} else if (rs->ice_peer && (cur->ice.peer_ufrag_len != now->peer_ufrag_len ||
				    memcmp(cur->ice.peer_ufrag, now->peer_ufrag,
					   now->peer_ufrag_len) != 0)) {
		qm->ice_peer_ufrag = peer_ufrag;
		qm->ice_restart = cur->ice.peer_ufrag_len != 0;
		ice_new = qm->ice_restart;
	}
	/* (the DTLS-SRTP qm carries is rs's, the caller's to change) */
	if (qm->dtls == &rs->dtls && rs->ice_peer)
		cp_agw_rtp_dtls_renew(&rs->dtls, cur->ice.peer_ufrag, cur->ice.peer_ufrag_len,
				      now->peer_ufrag, now->peer_ufrag_len, false);
	return ice_new;
}
