/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a caller of lib/sdp computes for a WebRTC leg from the model the
 * parser fills: our candidates' priority and foundation (RFC 8445 section
 * 5.1), our host candidates on a termination's address, the peer's
 * fingerprints a DTLS handshake is checked against (RFC 8122 section 5),
 * an RTP header extension's id (RFC 8285). Pure functions of their
 * arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp_internal.h"

uint32_t
sdp_ice_priority(enum sdp_cand_type type, uint16_t local_pref, unsigned int component)
{
	/* RFC 8445 section 5.1.2.2's recommended type preferences */
	static const uint8_t pref[SDP_CAND_RELAY + 1] = {
		[SDP_CAND_HOST] = 126, [SDP_CAND_PRFLX] = 110, [SDP_CAND_SRFLX] = 100,
		[SDP_CAND_RELAY] = 0,
	};

	if (type < SDP_CAND_HOST || type > SDP_CAND_RELAY || component < 1 || component > 256)
		return 0;
	return ((uint32_t)pref[type] << 24) + ((uint32_t)local_pref << 8) + (256u - component);
}

int
sdp_ice_foundation(enum sdp_cand_type type, enum sdp_cand_transport transport,
		   const struct sdp_addr *base, char out[SDP_FOUNDATION_MAX])
{
	/* FNV-1a over what section 5.1.1.3 names: the type, the base's
	 * address and the transport (no STUN or TURN server: ours are host
	 * candidates, or a caller's of one server) */
	uint32_t h = 2166136261u;
	uint8_t in[3 + 16];
	size_t n = 3;

	if (base == NULL || base->kind != SDP_ADDR_IP ||
	    (base->family != AF_INET && base->family != AF_INET6) || type < SDP_CAND_HOST ||
	    type > SDP_CAND_RELAY || transport < SDP_TRANSPORT_UDP || transport > SDP_TRANSPORT_TCP)
		return -EINVAL;
	in[0] = (uint8_t)type;
	in[1] = (uint8_t)transport;
	in[2] = base->family;
	memcpy(in + 3, base->ip, base->family == AF_INET ? 4 : 16);
	n += base->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		h ^= in[i];
		h *= 16777619u;
	}
	snprintf(out, SDP_FOUNDATION_MAX, "%u", h);
	return 0;
}

int
sdp_host_candidates(uint8_t family, const uint8_t *ip, uint16_t rtp_port, uint16_t rtcp_port,
		    uint16_t local_pref, struct sdp_candidate out[2])
{
	int n = rtcp_port != 0 ? 2 : 1;

	if ((family != AF_INET && family != AF_INET6) || ip == NULL || out == NULL)
		return -EINVAL;
	for (int k = 0; k < n; k++) {
		struct sdp_candidate *c = &out[k];

		memset(c, 0, sizeof(*c));
		c->type = SDP_CAND_HOST;
		c->transport = SDP_TRANSPORT_UDP;
		c->component = (uint16_t)(k + 1);
		c->port = k == 0 ? rtp_port : rtcp_port;
		c->addr.kind = SDP_ADDR_IP;
		c->addr.family = family;
		memcpy(c->addr.ip, ip, family == AF_INET ? 4 : 16);
		c->priority = sdp_ice_priority(SDP_CAND_HOST, local_pref, c->component);
		if (sdp_ice_foundation(SDP_CAND_HOST, SDP_TRANSPORT_UDP, &c->addr, c->foundation) < 0)
			return -EINVAL;
	}
	return n;
}

int
sdp_dtls_fp(const struct sdp_media *m, bool allow_sha1, struct sdp_error *err)
{
	int best = 0;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (m == NULL)
		return -EINVAL;
	if (!sdp_proto_dtls((enum sdp_proto)m->proto))
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
				"proto %s is not UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF", m->proto_str);
	for (unsigned int i = 0; i < m->nfp; i++)
		if (m->fp[i].alg > best)
			best = m->fp[i].alg;
	if (best == 0)
		return sdp_fail(err, SDP_E_NO_FINGERPRINT, m->line, -EINVAL,
				"a %s section without a=fingerprint: the peer's certificate could not "
				"be checked (RFC 8842 section 5.1)", m->proto_str);
	if (best == CERTFP_SHA1 && !allow_sha1)
		return sdp_fail(err, SDP_E_FP_WEAK, m->line, -ENOTSUP,
				"a %s section whose fingerprints are all sha-1: sha-1 is not allowed "
				"(RFC 8122 section 5 lets the verifier prefer a stronger hash)",
				m->proto_str);
	return best;
}

unsigned int
sdp_extmap_id(const struct sdp_media *m, const char *uri)
{
	for (unsigned int i = 0; m != NULL && uri != NULL && i < m->nextmap; i++)
		if (strcmp(m->extmap[i].uri, uri) == 0)
			return m->extmap[i].id;
	return 0;
}
