/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sdp_rtp_derive(): what one RTP termination of the access gateway needs
 * from its Local and Remote: addresses and ports, RTCP's port or mux (RFC
 * 3605, RFC 5761), the directions, and for SRTP the a=crypto line taken
 * (RFC 4568 section 5.1.2) with the peer's key and our answer's line; and
 * sdp_rtp_clock(), a medium's RTP clock. See sdp.h and FEATURE.md ("One
 * RTP termination"); the sides' rules both derivers apply are
 * sdp_side.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp_internal.h"

/* An RTP proto under audio, video or text (with SDP_RTP_TAKE_DTLS, a
 * DTLS-SRTP one too). */
static int
check_rtp_media(const struct sdp *d, unsigned int who, unsigned int flags,
		struct sdp_error *err)
{
	const struct sdp_media *m = &d->media;
	int rc;

	if ((rc = sdp_has_media(d, who, err)) < 0)
		return rc;
	if (!sdp_proto_rtp(m->proto) &&
	    !((flags & SDP_RTP_TAKE_DTLS) && sdp_proto_dtls((enum sdp_proto)m->proto)))
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
			    "%s: proto %s is not RTP/AVP, RTP/AVPF, RTP/SAVP or RTP/SAVPF%s",
			    sdp_side_name[who], m->proto_str, (flags & SDP_RTP_TAKE_DTLS) ?
			    " (nor UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF)" : "");
	if (!sdp_media_rtp(m->type))
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
			    "%s: m=%s over %s: audio, video or text is taken", sdp_side_name[who],
			    m->media_str, m->proto_str);
	return 0;
}

/* RFC 5761 section 4: on one port, RTCP's packet types 192..223 sit where
 * an RTP packet with the marker bit and payload type 64..95 would. */
static bool
pt_collides(const struct sdp_media *m)
{
	for (unsigned int i = 0; m != NULL && i < m->npt; i++)
		if (m->pt[i] >= 64 && m->pt[i] <= 95)
			return true;
	return false;
}

/* A Local line of suite s the gateway can use (NULL if none). */
static const struct sdp_crypto *
local_line(const struct sdp_media *lm, unsigned int s)
{
	for (unsigned int i = 0; i < lm->ncrypto; i++)
		if (lm->crypto[i].suite == s && lm->crypto[i].unusable == NULL)
			return &lm->crypto[i];
	return NULL;
}

/* Why Remote's line c is not taken: its own reason, the gateway's SRTP,
 * or Local's choice. NULL: taken. */
static const char *
refusal(const struct sdp_crypto *c, const struct sdp_media *lm, unsigned int suites)
{
	if (c->unusable != NULL)
		return c->unusable;
	if (!(suites & SDP_SUITE_BIT(c->suite)))
		return "a suite the gateway's SRTP does not offer";
	if (lm != NULL && !lm->crypto_choose && lm->ncrypto > 0 && local_line(lm, c->suite) == NULL)
		return "a suite Local does not allow";
	return NULL;
}

/* Remote's $ anywhere in a=crypto: CHOOSE is ours. */
static int
remote_crypto_choose(const struct sdp_media *rm, struct sdp_error *err)
{
	if (rm->crypto_choose)
		return sdp_remote_choose(err, SDP_E_CRYPTO, rm->line, "a=crypto:$");
	for (unsigned int i = 0; i < rm->ncrypto; i++)
		if (rm->crypto[i].tag_choose || rm->crypto[i].key_choose)
			return sdp_remote_choose(err, SDP_E_CRYPTO, rm->crypto[i].line,
						 "a=crypto has $");
	return 0;
}

static int
derive_srtp(const struct sdp_media *lm, const struct sdp_media *rm, unsigned int suites,
	    struct sdp_rtp_term *t, struct sdp_error *err)
{
	const struct sdp_crypto *mine = NULL;
	int rc;

	if (lm != NULL && !lm->crypto_choose && lm->ncrypto > 0) {
		/* Local names its suites: one at least must be of use */
		unsigned int ok = 0;

		for (unsigned int i = 0; i < lm->ncrypto; i++)
			ok += lm->crypto[i].unusable == NULL &&
			      (suites & SDP_SUITE_BIT(lm->crypto[i].suite));
		if (ok == 0)
			return sdp_fail(err, SDP_E_CRYPTO_SUITE, lm->crypto[0].line, -ENOTSUP,
				    "none of Local's %u a=crypto lines is taken; the first (a=crypto:"
				    "%u %s): %s", lm->ncrypto, lm->crypto[0].tag,
				    lm->crypto[0].suite_str,
				    lm->crypto[0].unusable != NULL ? lm->crypto[0].unusable :
				    "a suite the gateway's SRTP does not offer");
	}
	if (rm == NULL) {
		/* we offer: Local's first line with a key gives ours */
		for (unsigned int i = 0; lm != NULL && i < lm->ncrypto && mine == NULL; i++)
			if (lm->crypto[i].unusable == NULL && lm->crypto[i].key_len > 0 &&
			    (suites & SDP_SUITE_BIT(lm->crypto[i].suite)))
				mine = &lm->crypto[i];
		t->key_choose = mine == NULL;
		if (mine != NULL)
			t->ours = *mine;
		t->why_crypto = mine != NULL ? "no Remote yet: Local's first line with a key is ours" :
			 "no Remote yet: our offer's keys are ours to make";
		return 0;
	}
	if ((rc = remote_crypto_choose(rm, err)) < 0)
		return rc;
	if (rm->ncrypto == 0)
		return sdp_fail(err, SDP_E_NO_CRYPTO, rm->line, -EINVAL,
			    "Remote is %s without a=crypto: no key to decrypt with (RFC 4568)",
			    rm->proto_str);
	/* RFC 4568 section 5.1.2: the answerer takes one line it supports,
	 * in the offer's order of preference, and answers with its tag */
	for (unsigned int i = 0; i < rm->ncrypto; i++) {
		const struct sdp_crypto *c = &rm->crypto[i];

		if (refusal(c, lm, suites) != NULL)
			continue;
		t->peer = *c;
		t->ours.tag = c->tag;
		t->ours.suite = c->suite;
		memcpy(t->ours.suite_str, c->suite_str, sizeof(t->ours.suite_str));
		mine = lm != NULL ? local_line(lm, c->suite) : NULL;
		if (mine != NULL && mine->key_len > 0) {
			memcpy(t->ours.key, mine->key, sizeof(t->ours.key));
			t->ours.key_len = mine->key_len;
			t->ours.lifetime = mine->lifetime;
			t->ours.mki = mine->mki;
			t->ours.mki_len = mine->mki_len;
			t->ours.wsh = mine->wsh;
		}
		t->key_choose = t->ours.key_len == 0;
		t->why_crypto = i == 0 ? "Remote's first a=crypto line" :
			 "the first of Remote's a=crypto lines the gateway takes (RFC 4568 "
			 "section 5.1.2)";
		return 0;
	}
	return sdp_fail(err, SDP_E_CRYPTO_SUITE, rm->crypto[0].line, -ENOTSUP,
		    "none of Remote's %u a=crypto lines is taken; the first (a=crypto:%u %s): %s",
		    rm->ncrypto, rm->crypto[0].tag, rm->crypto[0].suite_str,
		    refusal(&rm->crypto[0], lm, suites));
}

int
sdp_rtp_derive(const struct sdp *local, const struct sdp *remote, unsigned int suites,
	       struct sdp_rtp_term *out, struct sdp_error *err)
{
	return sdp_rtp_derive_flags(local, remote, suites, 0, out, err);
}

int
sdp_rtp_derive_flags(const struct sdp *local, const struct sdp *remote, unsigned int suites,
		     unsigned int flags, struct sdp_rtp_term *out, struct sdp_error *err)
{
	const struct sdp_media *lm = local != NULL ? &local->media : NULL;
	const struct sdp_media *rm = remote != NULL ? &remote->media : NULL;
	struct sdp_side ls, rs;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sdp_pair_given(local, remote, err)) < 0)
		goto out_zero;
	if ((flags & ~SDP_RTP_TAKE_DTLS) != 0) {
		rc = sdp_fail(err, SDP_E_PROTO, 0, -EINVAL, "sdp_rtp_derive_flags: flags %#x",
			      flags);
		goto out_zero;
	}
	if (suites == 0)
		suites = SDP_SUITES_ALL;
	if ((local != NULL && (rc = check_rtp_media(local, 0, flags, err)) < 0) ||
	    (remote != NULL && (rc = check_rtp_media(remote, 1, flags, err)) < 0))
		goto out_zero;
	if (lm != NULL && rm != NULL && (lm->proto != rm->proto || lm->type != rm->type)) {
		rc = sdp_fail(err, SDP_E_PROTO_MISMATCH, 0, -EINVAL,
			  "Local is m=%s %s, Remote m=%s %s: one termination carries one stream",
			  lm->media_str, lm->proto_str, rm->media_str, rm->proto_str);
		goto out_zero;
	}
	out->proto = (rm != NULL ? rm : lm)->proto;
	out->media = (rm != NULL ? rm : lm)->type;
	out->srtp = sdp_proto_srtp(out->proto);
	out->dtls = sdp_proto_dtls((enum sdp_proto)out->proto);
	out->local_dir = lm != NULL ? lm->dir : SDP_DIR_NONE;
	out->remote_dir = rm != NULL ? rm->dir : SDP_DIR_NONE;

	/* RFC 5761 section 5.1.1: muxed when both ends say so; the one side
	 * given says it alone (Local: what we offer; Remote: we take it) */
	out->rtcp_mux = (lm == NULL || lm->rtcp_mux) && (rm == NULL || rm->rtcp_mux);
	if (out->rtcp_mux && (pt_collides(lm) || pt_collides(rm))) {
		out->rtcp_mux = false;
		out->why_mux = "a payload type in 64..95 would collide with RTCP on one port (RFC 5761 "
			   "section 4): RTCP keeps its own port";
	}

	rc = sdp_local_side(lm, &ls, err);
	if (rc < 0)
		goto out_zero;
	out->local_addr_choose = ls.addr_choose;
	out->local_port_choose = ls.port_choose;
	out->local_family = ls.family;
	out->local_port = ls.port;
	memcpy(out->local_ip, ls.ip, 16);
	if (lm != NULL && !lm->rtcp_choose)
		out->local_rtcp_port = lm->rtcp_port;
	if (!out->rtcp_mux && out->local_port == 65535 && out->local_rtcp_port == 0) {
		rc = sdp_fail(err, SDP_E_PORT, lm->line, -EINVAL,
			  "Local's port 65535 leaves no port + 1 for RTCP: give a=rtcp or a=rtcp-mux");
		goto out_zero;
	}

	if (rm != NULL) {
		out->remote_known = true;
		rc = sdp_remote_side(rm, ls.family, &rs, err);
		if (rc < 0)
			goto out_zero;
		out->remote_family = rs.family;
		out->remote_port = rs.port;
		memcpy(out->remote_ip, rs.ip, 16);
		memcpy(out->remote_rtcp_ip, rs.ip, 16);
		/* RFC 3605 section 2.1: a=rtcp's port (and address), else RTP's + 1 */
		if (out->rtcp_mux) {
			out->remote_rtcp_port = rs.port;
		} else if (rm->rtcp_choose) {
			rc = sdp_remote_choose(err, SDP_E_REMOTE_PORT, rm->rtcp_line, "a=rtcp:$");
			goto out_zero;
		} else if (rm->rtcp_port != 0) {
			out->remote_rtcp_port = rm->rtcp_port;
		} else if (rs.port == 65535) {
			rc = sdp_fail(err, SDP_E_REMOTE_PORT, rm->line, -EINVAL,
				  "Remote's port 65535 leaves no port + 1 for RTCP and there is no "
				  "a=rtcp");
			goto out_zero;
		} else {
			out->remote_rtcp_port = (uint16_t)(rs.port + 1);
		}
		if (!out->rtcp_mux && rm->rtcp_addr.kind != SDP_ADDR_NONE) {
			const struct sdp_addr *a = &rm->rtcp_addr;

			if ((rc = sdp_remote_ip(a, "a=rtcp", err)) < 0)
				goto out_zero;
			if (a->family != rs.family) {
				rc = sdp_fail(err, SDP_E_ADDRESS, rm->rtcp_line, -EINVAL,
					  "Remote's a=rtcp address is IP%c, its c= IP%c: one leg has "
					  "one family", a->family == AF_INET ? '4' : '6',
					  rs.family == AF_INET ? '4' : '6');
				goto out_zero;
			}
			memcpy(out->remote_rtcp_ip, a->ip, 16);
		}
	}
	if (out->srtp && (rc = derive_srtp(lm, rm, suites, out, err)) < 0)
		goto out_zero;
	return 0;

out_zero:
	explicit_bzero(out, sizeof(*out));
	return rc;
}

/* The media clock of the first payload type (jitter's units): its
 * a=rtpmap's rate, else RFC 3551's for the static ones that are not 8000
 * (0: 8000, dp's default). */
uint32_t
sdp_rtp_clock(const struct sdp_media *md)
{
	const char *s = md->codec;
	unsigned int pt;

	if (md->npt == 0)
		return 0;
	pt = md->pt[0];
	while (s != NULL && *s != '\0') {
		unsigned int p, rate;
		char name[64];

		if (sscanf(s, "a=rtpmap:%u %63[^/]/%u", &p, name, &rate) == 3 && p == pt &&
		    rate >= 1000u && rate <= 192000u)
			return rate == 8000u ? 0 : rate;
		s = strstr(s, "\r\n");
		if (s != NULL)
			s += 2;
	}
	/* RFC 3551 table 4/5: L16 (10, 11) 44100, MPA (14) and the video ones
	 * 90000; G722 (9) is 8000 by its RTP clock */
	if (pt == 10 || pt == 11)
		return 44100u;
	if (pt == 14 || (pt >= 25 && pt <= 34))
		return 90000u;
	return 0;
}
