/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's RTP terminations (iq_rtp.h): one termination's Local, Remote
 * and packages onto struct ipc_rtp_term, our Local SDP back, the rtp and
 * nt statistics. The SDP is lib/sdp's to read and judge
 * (sdp_rtp_derive(), sdp_rtp_write()); what is decided here is H.248's:
 * the stream mode, the packages' values, the error codes.
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
		return H248_E_BAD_VALUE;
	default:
		return H248_E_SDP_SYNTAX;
	}
}

static bool
rtp_side(const struct sdp *s)
{
	return s->has_media && sdp_proto_rtp((enum sdp_proto)s->media.proto);
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
	if (sdp_rtp_derive(m->local ? &m->l : NULL, m->remote ? &m->r : NULL, suites, &st, &e) < 0) {
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

int
iq_rtp_answer(const struct iq_rtp_spec *spec, const struct ipc_rtp_term *t, uint64_t sess_id,
	      uint64_t sess_version, char *buf, size_t size)
{
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
	rc = sdp_rtp_write(&a, buf, size);
	explicit_bzero(&c, sizeof(c));
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
