/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our side's WebRTC lines, written through the bounded writer (struct
 * sdp_wbuf) for sdp_rtp_write() and for a caller writing a description of
 * its own (cp/ng's rewrite): ICE's credentials, options and candidates
 * (RFC 8839), our fingerprints and setup role (RFC 8122, RFC 8842), the
 * tls-id, the mid, and at session level a=ice-lite and a=group:BUNDLE.
 * Each value is held to the grammar sdp_parse_webrtc.c reads, before
 * anything is written: what is written reads back the same.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp_internal.h"

static bool
str_ok(const char *s, size_t min, size_t max, bool (*ok)(const char *, size_t))
{
	size_t n = s != NULL ? strnlen(s, max + 1) : 0;

	return s != NULL && n >= min && n <= max && ok(s, n);
}

static bool
mid_ok(const char *s)
{
	return str_ok(s, 1, SDP_MID_MAX - 1, sdp_token);
}

static bool
candidate_ok(const struct sdp_candidate *c)
{
	return c != NULL && str_ok(c->foundation, 1, 32, sdp_ice_chars) && c->component >= 1 &&
	       c->component <= 256 &&
	       (c->transport == SDP_TRANSPORT_UDP || c->transport == SDP_TRANSPORT_TCP) &&
	       c->priority >= 1 && c->priority <= 0x7fffffffu && c->type >= SDP_CAND_HOST &&
	       c->type <= SDP_CAND_RELAY && c->addr.kind == SDP_ADDR_IP &&
	       (c->addr.family == AF_INET || c->addr.family == AF_INET6) &&
	       (c->raddr.kind == SDP_ADDR_NONE ||
		(c->raddr.kind == SDP_ADDR_IP &&
		 (c->raddr.family == AF_INET || c->raddr.family == AF_INET6))) &&
	       c->tcptype <= SDP_TCPTYPE_SO &&
	       (c->tcptype == SDP_TCPTYPE_NONE || c->transport == SDP_TRANSPORT_TCP);
}

/* c checked by candidate_ok(). */
static void
put_candidate(struct sdp_wbuf *w, const struct sdp_candidate *c)
{
	char addr[INET6_ADDRSTRLEN], raddr[INET6_ADDRSTRLEN];

	inet_ntop(c->addr.family, c->addr.ip, addr, sizeof(addr));
	sdp_put(w, "a=candidate:%s %u %s %u %s %u typ %s", c->foundation, c->component,
		c->transport == SDP_TRANSPORT_UDP ? "UDP" : "TCP", c->priority, addr, c->port,
		sdp_cand_type_names[c->type]);
	if (c->raddr.kind == SDP_ADDR_IP) {
		inet_ntop(c->raddr.family, c->raddr.ip, raddr, sizeof(raddr));
		sdp_put(w, " raddr %s rport %u", raddr, c->rport);
	}
	if (c->tcptype != SDP_TCPTYPE_NONE)
		sdp_put(w, " tcptype %s", sdp_tcptype_names[c->tcptype]);
	sdp_put(w, "\r\n");
}

int
sdp_candidate_put(struct sdp_wbuf *w, const struct sdp_candidate *c)
{
	if (w == NULL || !candidate_ok(c))
		return -EINVAL;
	put_candidate(w, c);
	return 0;
}

static bool
ours_ok(const struct sdp_webrtc_ours *o)
{
	bool ice = o->ufrag != NULL || o->pwd != NULL;

	if (ice && (!str_ok(o->ufrag, 4, 256, sdp_ice_chars) ||
		    !str_ok(o->pwd, 22, 256, sdp_ice_chars)))
		return false;
	if ((o->ice_options & ~(SDP_ICE_OPT_TRICKLE | SDP_ICE_OPT_ICE2 |
				SDP_ICE_OPT_RENOMINATION)) != 0 ||
	    (o->ice_options != 0 && !ice) || (o->ncand > 0 && !ice) ||
	    (o->end_of_candidates && !ice) || o->ncand > SDP_CAND_MAX ||
	    (o->ncand > 0 && o->cand == NULL) || o->nfp > SDP_FP_MAX ||
	    (o->nfp > 0 && o->fp == NULL) ||
	    (o->setup != SDP_SETUP_NONE && o->setup != SDP_SETUP_ACTIVE &&
	     o->setup != SDP_SETUP_PASSIVE && o->setup != SDP_SETUP_ACTPASS) ||
	    (o->tls_id != NULL && !str_ok(o->tls_id, 20, 255, sdp_tls_id_ok)) ||
	    (o->mid != NULL && !mid_ok(o->mid)))
		return false;
	for (unsigned int i = 0; i < o->ncand; i++)
		if (!candidate_ok(&o->cand[i]))
			return false;
	return true;
}

int
sdp_webrtc_put(struct sdp_wbuf *w, const struct sdp_webrtc_ours *o)
{
	char fp[SDP_FP_MAX][CERTFP_STR_MAX];

	if (w == NULL || o == NULL || !ours_ok(o))
		return -EINVAL;
	for (unsigned int i = 0; i < o->nfp; i++)
		if (certfp_format(&o->fp[i], fp[i], sizeof(fp[i])) < 0)
			return -EINVAL;
	if (o->ufrag != NULL) {
		sdp_put(w, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", o->ufrag, o->pwd);
		if (o->ice_options != 0) {
			static const struct {
				unsigned int bit;
				const char *tag;
			} opt[] = { { SDP_ICE_OPT_TRICKLE, "trickle" }, { SDP_ICE_OPT_ICE2, "ice2" },
				    { SDP_ICE_OPT_RENOMINATION, "renomination" } };
			const char *sep = "";

			sdp_put(w, "a=ice-options:");
			for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
				if ((o->ice_options & opt[i].bit) != 0) {
					sdp_put(w, "%s%s", sep, opt[i].tag);
					sep = " ";
				}
			sdp_put(w, "\r\n");
		}
	}
	for (unsigned int i = 0; i < o->nfp; i++)
		sdp_put(w, "a=fingerprint:%s\r\n", fp[i]);
	if (o->setup != SDP_SETUP_NONE)
		sdp_put(w, "a=setup:%s\r\n", sdp_setup_names[o->setup]);
	if (o->tls_id != NULL)
		sdp_put(w, "a=tls-id:%s\r\n", o->tls_id);
	if (o->mid != NULL)
		sdp_put(w, "a=mid:%s\r\n", o->mid);
	for (unsigned int i = 0; i < o->ncand; i++)
		put_candidate(w, &o->cand[i]);
	if (o->end_of_candidates)
		sdp_put(w, "a=end-of-candidates\r\n");
	return 0;
}

int
sdp_session_webrtc_put(struct sdp_wbuf *w, bool ice_lite, const struct sdp_group *g)
{
	if (w == NULL)
		return -EINVAL;
	if (g != NULL) {
		if (g->ntag < 1 || g->ntag > SDP_SECTIONS_MAX)
			return -EINVAL;
		for (unsigned int i = 0; i < g->ntag; i++) {
			if (!mid_ok(g->tag[i]))
				return -EINVAL;
			for (unsigned int k = 0; k < i; k++)
				if (strcmp(g->tag[k], g->tag[i]) == 0)
					return -EINVAL;
		}
	}
	if (ice_lite)
		sdp_put(w, "a=ice-lite\r\n");
	if (g != NULL) {
		sdp_put(w, "a=group:BUNDLE");
		for (unsigned int i = 0; i < g->ntag; i++)
			sdp_put(w, " %s", g->tag[i]);
		sdp_put(w, "\r\n");
	}
	return 0;
}
