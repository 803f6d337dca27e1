/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP contexts (agw_rtp_ops; cp_agw_rtp.h): each termination's address,
 * ports and our SRTP keys, the RTP_ADD, RTP_MOD, RTP_DEL and
 * RTP_STATS_REQ that install and change them in dp, what dp says back
 * (RTP_EVENT applied, logged and told to the observers, RTP_STATS, a
 * restarted cp's RTP_STATE) and a restarted dp's contexts installed
 * again (BUNDLE owners before their members). agw_rtp_render.c shows
 * them; agw_rtp_bundle.c judges a termination's BUNDLE and keeps each
 * owner's members, which the releases and restarts here follow.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "../cp.h"
#include "../cp_dp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"
#include "steer.h"
#include "tp_conf.h"

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)

/* The master key || salt octets of lib/sdp's suites (enum sdp_suite, RFC
 * 4568 section 6.2, RFC 6188, RFC 7714): 0 for a suite cp does not know.
 * (Kept here so that cp/agw needs lib/sdp's numbers, not its code.) */
static unsigned int
suite_key_len(uint8_t suite)
{
	static const uint8_t len[] = { 0, 30, 30, 38, 38, 46, 46, 28, 44 };

	return suite < sizeof(len) ? len[suite] : 0u;
}

/*
 * What a restarted dp is given of an SRTP stream is where cp last heard it
 * stood (c->rtp.st's positions): dp's ROC guess (RFC 3711 section 3.3.1) takes
 * it on only within 2^15 packets of it, its replay windows start there,
 * and the SRTCP index it sends must not go back. So each SRTP context's
 * figures are asked for again before its busiest stream (RTP or RTCP, in
 * or out) can have moved CP_AGW_RTP_POS_PKTS packets since, at its last
 * rate, within [CP_AGW_RTP_POS_MIN_MS, CP_AGW_RTP_POS_MAX_MS]; one that
 * moved nothing, in CP_AGW_RTP_POS_IDLE_MS (a stream may start at any
 * rate). A G.711 call is asked every 20 s: 5,000 requests a second at
 * 100,000 calls. A few slots a loop turn, no answer awaited (RTP_STATS
 * applies what comes). The SRTCP index dp sends goes on
 * CP_AGW_RTP_SRTCP_AHEAD past the last heard: more than a stream sends
 * between two asks at its rate.
 */
#define CP_AGW_RTP_POS_PKTS    1024u
#define CP_AGW_RTP_POS_MIN_MS  1000u
#define CP_AGW_RTP_POS_MAX_MS  60000u
#define CP_AGW_RTP_POS_IDLE_MS 10000u
#define CP_AGW_RTP_POS_VISIT   64u
#define CP_AGW_RTP_SRTCP_AHEAD 4096u

static inline uint64_t
u64_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static bool
is_srtp(uint8_t profile)
{
	return profile == IPC_RTP_SAVP || profile == IPC_RTP_SAVPF;
}

static struct agw_rtp_state *
rtp_of(const struct cp_ctx *cp)
{
	return cp->agw != NULL ? cp->agw->rtp : NULL;
}

/* The RTP contexts' table. */
static struct cp_agw_table *
tab_of(const struct cp_ctx *cp)
{
	return &cp->agw->tab[CP_AGW_KIND_RTP];
}

/* RTP context id (NULL: none, or another kind's id). */
static struct cp_agw_ctx *
ctx_of_id(const struct cp_ctx *cp, uint64_t id)
{
	return agw_kind_of_id(id) == CP_AGW_KIND_RTP ? agw_ctx_of_id(cp->agw, id) : NULL;
}

/* Termination t's secrets (and the rest of it) gone from memory. */
static void
term_wipe(struct ipc_rtp_term *t)
{
	explicit_bzero(t, sizeof(*t));
}

/* ---- dp's addresses and the ports taken on each ------------------------------------ */

static unsigned int
alen(uint8_t family)
{
	return family == 6 ? 16u : 4u;
}

static int
addr_find(const struct agw_rtp_state *r, uint8_t family, const uint8_t *ip)
{
	for (unsigned int i = 0; i < r->naddr; i++)
		if (r->addr[i].family == family && memcmp(r->addr[i].ip, ip, alen(family)) == 0)
			return (int)i;
	return -1;
}

static void
addr_add(struct agw_rtp_state *r, uint8_t family, const uint8_t *ip, unsigned int port, bool relayed)
{
	struct agw_rtp_addr *a;

	if (addr_find(r, family, ip) >= 0 || r->naddr == AGW_RTP_ADDRS)
		return;
	a = &r->addr[r->naddr++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->ip, ip, alen(family));
	a->port = (uint8_t)port;
	a->relayed = relayed;
}

/* dp's own: the ports' addresses and their relayed ones, as dp/rtp's
 * address table has them (a termination on any other is refused). */
static void
addr_table(struct agw_rtp_state *r, const struct tp_conf *conf)
{
	for (unsigned int p = 0; p < conf->dp.nports; p++) {
		const struct tp_conf_port *port = &conf->dp.ports[p];

		if (port->has_ip4)
			addr_add(r, 4, port->ip4, p, false);
		for (unsigned int i = 0; i < port->nrelay4; i++)
			addr_add(r, 4, port->relay4[i], p, true);
		if (port->has_ip6)
			addr_add(r, 6, port->ip6, p, false);
		for (unsigned int i = 0; i < port->nrelay6; i++)
			addr_add(r, 6, port->relay6[i], p, true);
	}
}

static bool
port_used(const struct agw_rtp_state *r, unsigned int aidx, uint16_t p)
{
	uint32_t b = (uint32_t)(p - r->port_min);

	return (r->used[(size_t)aidx * r->words + b / 64] >> (b % 64)) & 1u;
}

static void
port_set(struct agw_rtp_state *r, unsigned int aidx, uint16_t p, bool used)
{
	uint32_t b = (uint32_t)(p - r->port_min);
	uint64_t *w = &r->used[(size_t)aidx * r->words + b / 64];

	uint32_t o, none = 0, *n;

	if (p < r->port_min || p > r->port_max)
		return;
	o = steer_relay_owner(r->port_min, r->port_max, r->nworkers, p);
	n = o < r->nworkers ? &r->nused[(size_t)aidx * r->nworkers + o] : &none;
	if (used && !(*w & (1ull << (b % 64)))) {
		*w |= 1ull << (b % 64);
		(*n)++;
	} else if (!used && (*w & (1ull << (b % 64)))) {
		*w &= ~(1ull << (b % 64));
		(*n)--;
	}
}

/* Termination t's ports (on its address aidx) taken or free. */
static void
term_ports(struct agw_rtp_state *r, unsigned int aidx, const struct ipc_rtp_term *t, bool used)
{
	if (t->profile == IPC_RTP_NONE)
		return;
	port_set(r, aidx, t->local.port, used);
	if (!(t->flags & IPC_RTP_F_MUX))
		port_set(r, aidx, t->rtcp_port, used);
}

/* Is p (and its RTCP port q, 0 with rtcp-mux) free on aidx, in w's share? */
static bool
ports_free(const struct agw_rtp_state *r, unsigned int aidx, unsigned int w, uint16_t p, uint16_t q)
{
	uint16_t lo, hi;

	if (!steer_relay_share(r->port_min, r->port_max, r->nworkers, w, &lo, &hi))
		return false;
	if (p < lo || p > hi || port_used(r, aidx, p))
		return false;
	return q == 0 || (q >= lo && q <= hi && q != p && !port_used(r, aidx, q));
}

/* An even free port of w's share on aidx, and the next one free too
 * without rtcp-mux (RFC 3550 section 11), from a random start (a port
 * guessed is one a stranger sends to first). */
static int
pick_ports(const struct agw_rtp_state *r, unsigned int aidx, unsigned int w, bool mux,
	   uint16_t *p, uint16_t *q)
{
	uint16_t lo, hi;
	uint32_t span, start;

	if (!steer_relay_share(r->port_min, r->port_max, r->nworkers, w, &lo, &hi))
		return -ENOSPC;
	span = (uint32_t)hi - lo + 1u;
	if (span - r->nused[(size_t)aidx * r->nworkers + w] < (mux ? 1u : 2u))
		return -ENOSPC;
	if (getrandom(&start, sizeof(start), 0) != (ssize_t)sizeof(start))
		return -EAGAIN;
	start %= span;
	for (uint32_t k = 0; k < span; k++) {
		uint16_t c = (uint16_t)(lo + (start + k) % span);

		if (c % 2u != 0)
			continue;
		if (ports_free(r, aidx, w, c, mux ? 0 : (uint16_t)(c + 1u))) {
			*p = c;
			*q = mux ? 0 : (uint16_t)(c + 1u);
			return 0;
		}
	}
	return -ENOSPC;
}

/* ---- set-up -------------------------------------------------------------------------- */

static void stats_msg(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
static void rtp_fini(struct cp_ctx *cp);

/* From agw.media_ports and agw.media_contexts (none: no RTP contexts, its
 * table without slots): dp's addresses, the ports' bitmaps, its table;
 * RTP_STATS, DTLS_CERT and RTP_DTLS taken (agw_rtp_dtls.c the last two). */
static int
rtp_init(struct cp_ctx *cp)
{
	const struct tp_conf *conf = cp->conf;
	struct agw_rtp_state *r;
	int rc;

	if (cp->agw == NULL || conf->agw.media_min == 0)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->nworkers = cp->nworkers;
	r->port_min = conf->agw.media_min;
	r->port_max = conf->agw.media_max;
	r->readd_next = SIZE_MAX;
	r->next_req = 1;
	if (agw_rtp_keys_init(r) < 0) {
		free(r);
		return -EIO;
	}
	addr_table(r, conf);
	r->words = ((uint32_t)r->port_max - r->port_min + 1u + 63u) / 64u;
	r->used = calloc((size_t)(r->naddr > 0 ? r->naddr : 1u) * r->words, sizeof(*r->used));
	r->nused = calloc((size_t)(r->naddr > 0 ? r->naddr : 1u) * r->nworkers,
			  sizeof(*r->nused));
	r->ydel = calloc((size_t)r->nworkers * (conf->agw.media_contexts > 0 ?
						 conf->agw.media_contexts : 1u), sizeof(*r->ydel));
	if (r->used == NULL || r->nused == NULL || r->ydel == NULL ||
	    agw_table_init(tab_of(cp), r->nworkers, conf->agw.media_contexts) < 0) {
		agw_rtp_keys_fini(r);
		free(r->used);
		free(r->nused);
		free(r->ydel);
		free(r);
		return -ENOMEM;
	}
	cp->agw->rtp = r;
	if ((rc = cp_dp_on_kind(cp, IPC_RTP_STATS, stats_msg)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_DTLS_CERT, agw_rtp_dtls_cert_msg)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_RTP_DTLS, agw_rtp_dtls_msg)) < 0) {
		rtp_fini(cp);
		return rc;
	}
	return 0;
}

static void
rtp_fini(struct cp_ctx *cp)
{
	struct agw_rtp_state *r = rtp_of(cp);

	if (r == NULL)
		return;
	/* (our keys, and the remotes', go with the table) */
	agw_table_fini(tab_of(cp), r->nworkers);
	agw_rtp_keys_fini(r);
	free(r->used);
	free(r->nused);
	free(r->ydel);
	free(r);
	cp->agw->rtp = NULL;
}

/* ---- figures ---------------------------------------------------------------------------- */


/* dp's figures d over what dp had before its restart (b): the counts
 * added, the rest dp's now (or b's where dp has nothing yet). */
static void
stats_sum(struct ipc_rtp_stats *out, const struct ipc_rtp_stats *b, const struct ipc_rtp_stats *d)
{
	struct ipc_rtp_stats s = *d;

#define ADD(f) s.f = b->f + d->f
	ADD(rtp_in); ADD(rtp_in_octets); ADD(rtp_out); ADD(rtp_out_octets);
	ADD(rtcp_in); ADD(rtcp_in_octets); ADD(rtcp_out); ADD(rtcp_out_octets);
	ADD(lost); ADD(expected); ADD(drop_stranger); ADD(drop_malformed); ADD(drop_policed);
	ADD(drop_mode); ADD(drop_no_dest); ADD(srtp_fail); ADD(ice_checks); ADD(ice_refused);
#undef ADD
	if (d->heard_ms == 0)
		s.heard_ms = b->heard_ms;
	if (d->ice_consent_ms == 0)
		s.ice_consent_ms = b->ice_consent_ms;
	if (d->ssrc == 0) {
		s.ssrc = b->ssrc;
		s.ext_max_seq = b->ext_max_seq;
		s.jitter = b->jitter;
		s.jitter_us = b->jitter_us;
	}
	/* (an SRTP direction a restarted dp has not moved yet stands where
	 * it stood) */
	if (d->srtp_rx.nstreams == 0 && d->srtp_rx.srtcp_index == 0)
		s.srtp_rx = b->srtp_rx;
	if (d->srtp_tx.nstreams == 0 && d->srtp_tx.srtcp_index == 0)
		s.srtp_tx = b->srtp_tx;
	*out = s;
}

/* No agw group, no agw.media_ports; dp running without RTP terminations
 * (dp: that asked too). */
static int
rtp_ready(struct cp_ctx *cp, bool dp, char *err, size_t errlen)
{
	if (!dp && rtp_of(cp) == NULL)
		ERR(-ENODEV, "no RTP contexts in turnpike-cp's configuration (agw.media_ports)");
	if (!dp)
		return 0;
	if (cp->agw == NULL)
		ERR(-ENODEV, "no agw group in turnpike-cp's configuration");
	if (cp->agw->rtp == NULL)
		ERR(-ENODEV, "no agw.media_ports in turnpike-cp's configuration: no RTP contexts");
	if (!(ipc_peer_caps(cp->seg.shm, false, cp->now_ms) & IPC_CAP_RTP))
		ERR(-ENODEV, "turnpike-dp does not run, or runs without RTP terminations "
		    "(agw.media_ports)");
	return 0;
}

/* ---- one termination: its form, its address, its ports, its keys ---------------------- */

/* remote judged by agw.peers (an internal host named in a hostile SDP is
 * where dp would send media from its own addresses). */
static int
remote_allowed(struct cp_ctx *cp, unsigned int i, const struct ipc_addr *remote, char *err,
	       size_t errlen)
{
	struct cp_addr in = { .family = remote->family, .port = remote->port };
	enum cp_policy_verdict pv;
	char rs[64];

	if (remote->family == 0)
		return 0;
	if (cp->agw->policy == NULL)
		ERR(-EACCES, "termination %u: agw.peers is not in force (cp could not build it)", i);
	memcpy(in.ip, remote->ip, 16);
	if (in.port == 0)
		in.port = 9;
	pv = cp_policy_check(cp->agw->policy, &in, NULL);
	if (pv != CP_POLICY_ACCEPT) {
		cp->agw->stats[CP_AGW_STAT_REMOTE_REFUSED]++;
		cp_api_addr_str(remote, remote->port != 0, rs, sizeof(rs));
		ERR(-EACCES, "termination %u: remote %s is refused by agw.peers: %s", i, rs,
		    cp_policy_verdict_describe(pv));
	}
	return 0;
}

static int
key_check(unsigned int i, const char *which, const struct ipc_srtp_key *k, bool ours, char *err,
	  size_t errlen)
{
	unsigned int len = suite_key_len(k->suite);

	if (len == 0)
		ERR(-EINVAL, "termination %u: %s SRTP suite %u is not one cp knows", i, which,
		    k->suite);
	if (k->mki_len > IPC_SRTP_MKI_MAX)
		ERR(-EINVAL, "termination %u: %s MKI of %u octets (at most %u)", i, which,
		    k->mki_len, IPC_SRTP_MKI_MAX);
	if (!(ours && k->key_len == 0) && k->key_len != len)
		ERR(-EINVAL, "termination %u: %s key of %u octets, the suite's is %u", i, which,
		    k->key_len, len);
	return 0;
}

/*
 * Termination i as the door gave it (spec) into t, checked, with the
 * addresses it may take (cand, *ncand: the door's, or by side), and what
 * cp keeps of its DTLS-SRTP (*dst), for a context of door and tenant
 * (self: its id, 0 at a create; other: its other termination, NULL
 * none). Ports and keys come later (term_place(), keys_make()). A BUNDLE
 * member (*owner its owner's context, else NULL) takes no address, port,
 * key or ICE: its owner's transport is the group's (agw_rtp_bundle.c).
 */
static int
term_form(struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_spec *spec,
	  unsigned int door, unsigned int tenant, uint64_t self,
	  const struct ipc_rtp_term *other, struct ipc_rtp_term *t, uint8_t *cand,
	  unsigned int *ncand, struct cp_agw_rtp_dtls_st *dst, struct cp_agw_ctx **owner,
	  char *err, size_t errlen)
{
	const struct tp_conf *conf = cp->conf;
	struct agw_rtp_state *r = cp->agw->rtp;
	uint8_t ip[16], zero[16] = { 0 };
	unsigned int bits;
	int rc, a;

	*t = spec->term;
	t->serial = 0;
	t->door = t->tenant = 0;
	t->pad2 = 0;
	*ncand = 0;
	if (t->profile < IPC_RTP_AVP || t->profile > IPC_RTP_PROFILE_MAX)
		ERR(-EINVAL, "termination %u: the profile must be RTP/AVP, RTP/AVPF, RTP/SAVP or "
		    "RTP/SAVPF", i);
	if (t->mode > IPC_RTP_MODE_MAX || (t->flags & ~IPC_RTP_F_MASK) != 0)
		ERR(-EINVAL, "termination %u: an unknown mode or flag", i);
	if (!cp_agw_rtp_latch_ok(t->latch))
		ERR(-EINVAL, "termination %u: latch %#x is not a policy", i, t->latch);
	if (t->dscp > IPC_RTP_DSCP_MAX)
		ERR(-EINVAL, "termination %u: dscp %u (0 to %u)", i, t->dscp, IPC_RTP_DSCP_MAX);
	if (t->remote.family != 0 && t->remote.family != 4 && t->remote.family != 6)
		ERR(-EINVAL, "termination %u: the remote's family must be 4 or 6", i);
	if (t->local.family == 0)
		t->local.family = t->remote.family != 0 ? t->remote.family : 4;
	if (t->local.family != 4 && t->local.family != 6)
		ERR(-EINVAL, "termination %u: the local family must be 4 or 6", i);
	if (t->remote.family != 0 && t->remote.family != t->local.family)
		ERR(-EINVAL, "termination %u: an IPv%u remote for an IPv%u local address", i,
		    t->remote.family, t->local.family);
	if (t->remote.family == 0 && t->remote.port != 0)
		ERR(-EINVAL, "termination %u: a remote port without its address", i);
	bits = alen(t->local.family) * 8u;
	if (t->gm_addr.family != 0 && (t->gm_addr.family != t->local.family || t->gm_plen > bits))
		ERR(-EINVAL, "termination %u: gm's address must be of the termination's family, its "
		    "prefix at most %u bits", i, bits);
	if (t->gm_addr.family == 0 && t->gm_plen != 0)
		ERR(-EINVAL, "termination %u: a gm prefix length without its address", i);
	if (t->gm_port_lo > t->gm_port_hi)
		ERR(-EINVAL, "termination %u: gm's port range %u-%u is empty", i, t->gm_port_lo,
		    t->gm_port_hi);
	if (t->pol_rate == 0 && t->pol_burst != 0)
		ERR(-EINVAL, "termination %u: a policing burst without its rate", i);
	if (t->pol_rate != 0 && t->pol_burst == 0)
		ERR(-EINVAL, "termination %u: a policing rate needs its burst", i);
	if ((t->flags & IPC_RTP_F_MUX) && t->rtcp_port != 0)
		ERR(-EINVAL, "termination %u: an RTCP port with rtcp-mux", i);
	if (t->rtcp_port != 0 && t->local.port == 0)
		ERR(-EINVAL, "termination %u: an RTCP port without the RTP port", i);
	if ((rc = agw_rtp_bundle_form(cp, i, spec, door, tenant, self, other, t, owner, err,
				      errlen)) < 0)
		return rc;
	if (agw_rtp_is_member(t))
		return 0;
	/* (DTLS-SRTP first: its keys are the handshake's, none given) */
	if ((rc = agw_rtp_dtls_form(cp, i, &spec->dtls, t, dst, err, errlen)) < 0)
		return rc;
	if (is_srtp(t->profile) && t->dtls.role == IPC_RTP_DTLS_NONE) {
		if ((rc = key_check(i, "the remote's", &t->srtp_rx, false, err, errlen)) < 0 ||
		    (rc = key_check(i, "our", &t->srtp_tx, true, err, errlen)) < 0)
			return rc;
	} else if (t->srtp_rx.suite != 0 || t->srtp_tx.suite != 0 || t->srtp_rx.key_len != 0 ||
		   t->srtp_tx.key_len != 0) {
		ERR(-EINVAL, "termination %u: SRTP keys for a profile without SRTP (RTP/AVP, "
		    "RTP/AVPF)", i);
	}
	if ((rc = agw_rtp_ice_form(i, &t->ice, err, errlen)) < 0)
		return rc;
	if ((rc = remote_allowed(cp, i, &t->remote, err, errlen)) < 0)
		return rc;
	/* the addresses it may take */
	if (memcmp(t->local.ip, zero, alen(t->local.family)) != 0) {
		a = addr_find(r, t->local.family, t->local.ip);
		if (a < 0)
			ERR(-EINVAL, "termination %u: local address is not one of dp's (a port's "
			    "own, or relay_ipv4/relay_ipv6)", i);
		cand[(*ncand)++] = (uint8_t)a;
		return 0;
	}
	if (spec->side == CP_AGW_RTP_SIDE_CORE) {
		for (unsigned int k = 0; k < r->naddr; k++) {
			const struct agw_rtp_addr *x = &r->addr[k];

			if (x->family == t->local.family &&
			    (conf->dp.ports[x->port].roles & TP_ROLE_CORE) &&
			    (x->relayed || (t->local.family == 4 ? conf->dp.ports[x->port].nrelay4 :
					    conf->dp.ports[x->port].nrelay6) == 0))
				cand[(*ncand)++] = (uint8_t)k;
		}
	} else if (spec->side == CP_AGW_RTP_SIDE_ROUTE && t->remote.family != 0 &&
		   cp_agw_route_src(conf, t->remote.family, t->remote.ip, ip)) {
		a = addr_find(r, t->local.family, ip);
		if (a >= 0)
			cand[(*ncand)++] = (uint8_t)a;
	} else if (spec->side > CP_AGW_RTP_SIDE_CORE) {
		ERR(-EINVAL, "termination %u: side %u is not route, access or core", i, spec->side);
	}
	if (*ncand == 0) {
		for (unsigned int k = 0; k < r->naddr && *ncand == 0; k++) {
			const struct agw_rtp_addr *x = &r->addr[k];

			if (x->family == t->local.family && !x->relayed &&
			    (conf->dp.ports[x->port].roles & TP_ROLE_ACCESS))
				cand[(*ncand)++] = (uint8_t)k;
		}
	}
	if (*ncand == 0)
		ERR(-EINVAL, "termination %u: dp has no IPv%u address for it", i, t->local.family);
	/* the port's own address first, then its relayed ones: one address's
	 * share of agw.media_ports holds a few tens of thousands of
	 * terminations, a box's contexts need more (dp answers for each) */
	if (!r->addr[cand[0]].relayed)
		for (unsigned int k = 0; k < r->naddr; k++) {
			const struct agw_rtp_addr *x = &r->addr[k];

			if (x->relayed && x->family == t->local.family &&
			    x->port == r->addr[cand[0]].port && *ncand < AGW_RTP_ADDRS)
				cand[(*ncand)++] = (uint8_t)k;
		}
	return 0;
}

/* t's address and ports on worker w (its ports then taken; *aidx its
 * address): the door's port, or cp's pick, on the first candidate that
 * has them. 0, -EBUSY (the door's port taken), -ENOSPC, -EINVAL. */
static int
term_place(struct agw_rtp_state *r, unsigned int w, struct ipc_rtp_term *t, const uint8_t *cand,
	   unsigned int ncand, uint8_t *aidx)
{
	bool mux = (t->flags & IPC_RTP_F_MUX) != 0;
	int rc = -ENOSPC;

	for (unsigned int k = 0; k < ncand; k++) {
		uint16_t p = t->local.port, q = mux ? 0 : t->rtcp_port;

		if (p != 0) {
			if (q == 0 && !mux)
				q = (uint16_t)(p + 1u);
			if (steer_relay_owner(r->port_min, r->port_max, r->nworkers, p) != w ||
			    (q != 0 && steer_relay_owner(r->port_min, r->port_max, r->nworkers, q) != w))
				return -EINVAL;
			if (!ports_free(r, cand[k], w, p, q)) {
				rc = -EBUSY;
				continue;
			}
		} else if (pick_ports(r, cand[k], w, mux, &p, &q) < 0) {
			continue;
		}
		t->local.port = p;
		t->rtcp_port = q;
		memset(t->local.ip, 0, sizeof(t->local.ip));
		memcpy(t->local.ip, r->addr[cand[k]].ip, alen(t->local.family));
		*aidx = cand[k];
		term_ports(r, cand[k], t, true);
		return 0;
	}
	return rc;
}

/* Our key for t, when the door left it to cp (getrandom(): the kernel's
 * CSPRNG). */
static int
keys_make(struct agw_rtp_state *r, struct ipc_rtp_term *t)
{
	struct ipc_srtp_key *k = &t->srtp_tx;
	unsigned int len;

	/* (DTLS-SRTP's come from its handshake, a BUNDLE member's are its
	 * owner's) */
	if (!is_srtp(t->profile) || k->key_len != 0 || t->dtls.role != IPC_RTP_DTLS_NONE ||
	    agw_rtp_is_member(t))
		return 0;
	len = suite_key_len(k->suite);
	if (getrandom(k->key, len, 0) != (ssize_t)len)
		return -EAGAIN;
	k->key_len = (uint8_t)len;
	r->stats[AGW_RTP_KEYS_MADE]++;
	return 0;
}

/* May termination t be slot term of context c, the other as it is (fresh:
 * the slot whose termination t replaces, 2: none)? The keys rule's
 * answer (agw_rtp_keys_check()). */
static int
keys_with(struct agw_rtp_state *r, const struct cp_agw_ctx *c, unsigned int term,
	  const struct ipc_rtp_term *t, unsigned int fresh, char *err, size_t errlen)
{
	struct ipc_rtp_term next[2];
	int rc;

	next[term] = *t;
	next[term ^ 1u] = c->rtp.term[term ^ 1u];
	rc = agw_rtp_keys_check(r, c, fresh, next, err, errlen);
	explicit_bzero(next, sizeof(next));
	return rc;
}

/* ---- the operations ------------------------------------------------------------------ */

/* Places both terminations of x on worker w (ports taken; aidx theirs):
 * 0, or the first's error with nothing taken. */
static int
place_both(struct agw_rtp_state *r, unsigned int w, struct ipc_rtp_ctx *x,
	   uint8_t cand[2][AGW_RTP_ADDRS], const unsigned int ncand[2], uint8_t aidx[2])
{
	struct ipc_rtp_term keep[2];
	int rc;

	memcpy(keep, x->term, sizeof(keep));
	for (unsigned int i = 0; i < 2; i++) {
		/* (a BUNDLE member has no port: its owner's) */
		if (x->term[i].profile == IPC_RTP_NONE || agw_rtp_is_member(&x->term[i]))
			continue;
		rc = term_place(r, w, &x->term[i], cand[i], ncand[i], &aidx[i]);
		if (rc < 0) {
			if (i == 1 && x->term[0].profile != IPC_RTP_NONE)
				term_ports(r, aidx[0], &x->term[0], false);
			memcpy(x->term, keep, sizeof(keep));
			explicit_bzero(keep, sizeof(keep));
			return rc;
		}
	}
	explicit_bzero(keep, sizeof(keep));
	return 0;
}

static int
rtp_create(struct cp_ctx *cp, const struct cp_agw_spec spec[2], uint32_t setup_ms,
	   const char *label, enum cp_agw_door door, unsigned int tenant, struct cp_agw_ctx **out,
	   char *err, size_t errlen)
{
	struct agw_rtp_state *r;
	struct cp_agw_table *tab;
	struct cp_agw_ctx *c;
	struct ipc_rtp_ctx x;
	struct cp_agw_rtp_dtls_st dst[2];
	struct cp_agw_ctx *bo[2] = { NULL, NULL };
	uint8_t cand[2][AGW_RTP_ADDRS], aidx[2] = { 0, 0 };
	unsigned int ncand[2] = { 0, 0 }, owner = STEER_NONE;
	bool tried[IPC_MAX_WORKERS] = { false };
	uint32_t slot = 0;
	uint64_t id;
	bool emergency, over = false;
	int rc = -ENOSPC;

	(void)setup_ms;
	r = cp->agw->rtp;
	tab = tab_of(cp);
	if (tenant > cp->conf->tenants.n) {
		r->stats[AGW_RTP_REFUSED]++;
		ERR(-EINVAL, "tenant %u is not one of the %u configured", tenant,
		    cp->conf->tenants.n);
	}
	if (label != NULL && strlen(label) >= sizeof(c->label)) {
		r->stats[AGW_RTP_REFUSED]++;
		ERR(-EINVAL, "\"label\" is longer than %zu bytes", sizeof(c->label) - 1);
	}
	if (spec[0].rtp.term.profile != IPC_RTP_NONE && spec[1].rtp.term.profile != IPC_RTP_NONE &&
	    spec[0].rtp.bundle.mid[0] != '\0' && spec[1].rtp.bundle.mid[0] != '\0') {
		r->stats[AGW_RTP_REFUSED]++;
		ERR(-EINVAL, "both terminations in BUNDLE: one bundled termination a context (the "
		    "peer's side)");
	}
	agw_rtp_bundle_sync(cp);
	memset(&x, 0, sizeof(x));
	memset(dst, 0, sizeof(dst));
	for (unsigned int i = 0; i < 2; i++) {
		if (spec[i].rtp.term.profile == IPC_RTP_NONE)
			continue;
		rc = term_form(cp, i, &spec[i].rtp, door, tenant, 0, NULL, &x.term[i], cand[i],
			       &ncand[i], &dst[i], &bo[i], err, errlen);
		if (rc < 0) {
			r->stats[AGW_RTP_REFUSED]++;
			explicit_bzero(&x, sizeof(x));
			return rc;
		}
	}
	if ((rc = agw_rtp_keys_check(r, NULL, 2, x.term, err, errlen)) < 0) {
		r->stats[AGW_RTP_REFUSED]++;
		explicit_bzero(&x, sizeof(x));
		return rc;
	}
	/* TS 23.334 §8: an emergency context is never refused for a quota a
	 * normal one would hit; up to agw.quota.emergency of a door's past
	 * them at once, so a controller that marks everything emergency
	 * cannot take every slot */
	emergency = spec[0].rtp.emergency || spec[1].rtp.emergency;
	if ((rc = agw_quota_check(cp, door, tenant, err, errlen)) < 0) {
		if (!emergency || r->emergency_over[door] >= cp->conf->agw.quota.emergency) {
			explicit_bzero(&x, sizeof(x));
			return rc;
		}
		over = true;
	}
	/* The worker: the one whose share holds a port the door fixed, else
	 * the least loaded that has a free slot and the ports. */
	for (unsigned int i = 0; i < 2; i++) {
		uint16_t p = x.term[i].local.port;
		unsigned int o;

		if (x.term[i].profile == IPC_RTP_NONE || p == 0)
			continue;
		o = steer_relay_owner(r->port_min, r->port_max, r->nworkers, p);
		if (o == STEER_NONE || (owner != STEER_NONE && o != owner)) {
			explicit_bzero(&x, sizeof(x));
			r->stats[AGW_RTP_REFUSED]++;
			ERR(-EINVAL, "termination %u: port %u is %s", i, p, o == STEER_NONE ?
			    "outside agw.media_ports" : "in another worker's share of "
			    "agw.media_ports than the other termination's (one context lives in "
			    "one worker)");
		}
		owner = o;
	}
	/* a BUNDLE member's context lives on its owner's worker (dp finds the
	 * owner by its id there; the id says which) */
	for (unsigned int i = 0; i < 2; i++) {
		if (bo[i] == NULL)
			continue;
		if (owner != STEER_NONE && owner != bo[i]->worker) {
			explicit_bzero(&x, sizeof(x));
			r->stats[AGW_RTP_REFUSED]++;
			ERR(-EINVAL, "termination %u: its port is in worker %u's share of "
			    "agw.media_ports, its BUNDLE owner lives in worker %u (a group lives in "
			    "one worker)", i ^ 1u, owner, bo[i]->worker);
		}
		owner = bo[i]->worker;
	}
	rc = -ENOSPC;
	for (unsigned int n = 0; n < r->nworkers; n++) {
		unsigned int w = owner;

		if (owner == STEER_NONE) {
			for (unsigned int k = 0; k < r->nworkers; k++)
				if (!tried[k] && tab->nctx[k] < tab->per_worker &&
				    (w == STEER_NONE || tab->nctx[k] < tab->nctx[w]))
					w = k;
			if (w == STEER_NONE)
				break;
			tried[w] = true;
		} else if (tab->nctx[w] >= tab->per_worker) {
			break;
		}
		rc = place_both(r, w, &x, cand, ncand, aidx);
		if (rc == 0) {
			owner = w;
			break;
		}
		if (owner != STEER_NONE || rc == -EBUSY || rc == -EINVAL)
			break;
	}
	if (rc < 0) {
		explicit_bzero(&x, sizeof(x));
		r->stats[AGW_RTP_REFUSED]++;
		if (rc == -EBUSY)
			ERR(-EBUSY, "a port given is taken by another termination");
		if (rc == -EINVAL)
			ERR(-EINVAL, "the RTCP port given is in another worker's share than its RTP "
			    "port");
		ERR(-ENOSPC, "no worker has a free RTP context slot (agw.media_contexts %u per "
		    "worker) and free ports of agw.media_ports %u-%u", tab->per_worker, r->port_min,
		    r->port_max);
	}
	(void)agw_slot_find(tab, owner, &slot);
	for (unsigned int i = 0, n = 0; i < 2; i++) {
		if (x.term[i].profile == IPC_RTP_NONE)
			continue;
		x.term[i].serial = (uint16_t)++n;
		x.term[i].door = (uint8_t)door;
		x.term[i].tenant = (uint8_t)tenant;
		if (keys_make(r, &x.term[i]) < 0 || agw_rtp_ice_make(r, &x.term[i].ice) < 0)
			rc = -EAGAIN;
	}
	id = agw_id_next(cp->agw, CP_AGW_KIND_RTP, owner, slot);
	if (rc == 0)
		rc = agw_send(cp, owner, IPC_RTP_ADD, id, &x, sizeof(x));
	if (rc < 0) {
		for (unsigned int i = 0; i < 2; i++)
			term_ports(r, aidx[i], &x.term[i], false);
		explicit_bzero(&x, sizeof(x));
		r->stats[AGW_RTP_REFUSED]++;
		if (rc == -EINVAL)
			ERR(-EINVAL, "a termination is not one dp takes (lib/ipc's rules)");
		if (rc == -EAGAIN)
			ERR(-EAGAIN, "no random octets for our SRTP key or ICE credentials: try "
			    "again");
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", owner);
	}
	c = agw_ctx_take(cp->agw, id, door, tenant, label, cp->wall_ms);
	c->state = CP_AGW_LIVE;
	c->rtp.emergency = (uint8_t)(emergency ? (over ? 2 : 1) : 0);
	if (over)
		r->emergency_over[door]++;
	c->rtp.created_ms = cp->now_ms;
	memcpy(c->rtp.term, x.term, sizeof(c->rtp.term));
	memcpy(c->rtp.dtls, dst, sizeof(c->rtp.dtls));
	explicit_bzero(&x, sizeof(x));
	agw_rtp_keys_keep(r, c);
	for (unsigned int i = 0; i < 2; i++) {
		c->rtp.aidx[i] = aidx[i];
		if (c->rtp.term[i].serial > c->serial_next)
			c->serial_next = c->rtp.term[i].serial;
		if (bo[i] != NULL)
			agw_rtp_bundle_join(bo[i], c->id);
	}
	r->stats[AGW_RTP_CREATED]++;
	if (out != NULL)
		*out = c;
	return 0;
}

static int
rtp_add(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int term, const struct cp_agw_spec *spec,
	uint32_t setup_ms, unsigned int *got, char *err, size_t errlen)
{
	struct agw_rtp_state *r = cp->agw->rtp;
	uint64_t id = c->id;
	struct ipc_rtp_mod x;
	struct cp_agw_rtp_dtls_st dst;
	struct cp_agw_ctx *bo = NULL;
	uint8_t cand[AGW_RTP_ADDRS], aidx = 0;
	unsigned int ncand = 0;
	int rc;

	(void)setup_ms;
	agw_rtp_bundle_sync(cp);
	memset(&x, 0, sizeof(x));
	x.op = IPC_RTP_ADD_TERM;
	x.term = (uint8_t)term;
	if ((rc = term_form(cp, term, &spec->rtp, c->door, c->tenant, c->id,
			    &c->rtp.term[term ^ 1u], &x.t, cand, &ncand, &dst, &bo, err,
			    errlen)) < 0 ||
	    (rc = keys_with(r, c, term, &x.t, 2, err, errlen)) < 0) {
		explicit_bzero(&x, sizeof(x));
		return rc;
	}
	if (bo != NULL && bo->worker != c->worker) {
		explicit_bzero(&x, sizeof(x));
		ERR(-EINVAL, "termination %u: context %" PRIu64 " lives in worker %u, its BUNDLE "
		    "owner in worker %u: a group lives in one worker (create the section's context "
		    "with its bundle)", term, id, c->worker, bo->worker);
	}
	/* (a BUNDLE member has no port: its owner's) */
	rc = bo != NULL ? 0 : term_place(r, c->worker, &x.t, cand, ncand, &aidx);
	if (rc < 0) {
		explicit_bzero(&x, sizeof(x));
		if (rc == -EBUSY)
			ERR(-EBUSY, "termination %u: its port is taken by another termination", term);
		if (rc == -EINVAL)
			ERR(-EINVAL, "termination %u: its port is not in worker %u's share of "
			    "agw.media_ports, where context %" PRIu64 " lives", term, c->worker, id);
		ERR(-ENOSPC, "worker %u's share of agw.media_ports has no free ports", c->worker);
	}
	x.t.serial = agw_serial_peek(c);
	x.t.door = c->door;
	x.t.tenant = c->tenant;
	if ((rc = keys_make(r, &x.t)) == 0 && (rc = agw_rtp_ice_make(r, &x.t.ice)) == 0)
		rc = agw_send(cp, c->worker, IPC_RTP_MOD, c->id, &x, sizeof(x));
	if (rc < 0) {
		term_ports(r, aidx, &x.t, false);
		explicit_bzero(&x, sizeof(x));
		if (rc == -EINVAL)
			ERR(-EINVAL, "termination %u is not one dp takes (lib/ipc's rules)", term);
		if (rc == -EAGAIN)
			ERR(-EAGAIN, "no random octets for our SRTP key or ICE credentials: try "
			    "again");
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	}
	(void)agw_serial_next(c);
	c->rtp.term[term] = x.t;
	c->rtp.dtls[term] = dst;
	agw_rtp_keys_keep(r, c);
	c->rtp.aidx[term] = aidx;
	if (bo != NULL)
		agw_rtp_bundle_join(bo, c->id);
	c->rtp.inactive[term] = 0;
	memset(&c->rtp.st[term], 0, sizeof(c->rtp.st[term]));
	memset(&c->rtp.base[term], 0, sizeof(c->rtp.base[term]));
	explicit_bzero(&x, sizeof(x));
	r->stats[AGW_RTP_TERMS_ADDED]++;
	if (got != NULL)
		*got = term;
	return 0;
}

static bool
key_same(const struct ipc_srtp_key *a, const struct ipc_srtp_key *b)
{
	return a->suite == b->suite && a->key_len == b->key_len && a->mki_len == b->mki_len &&
	       a->mki == b->mki && memcmp(a->key, b->key, a->key_len) == 0;
}

static int
rtp_modify(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int term, const struct cp_agw_mod *mod,
	   char *err, size_t errlen)
{
	const struct cp_agw_rtp_mod *m = &mod->rtp;
	struct cp_agw_rtp_dtls_st dst = c->rtp.dtls[term];
	struct ipc_rtp_term *t;
	struct ipc_rtp_mod x;
	unsigned int bits;
	int rc;

	memset(&x, 0, sizeof(x));
	x.op = IPC_RTP_MOD_TERM;
	x.term = (uint8_t)term;
	x.t = c->rtp.term[term];
	t = &x.t;
	bits = alen(t->local.family) * 8u;
#define BAD(...) do { explicit_bzero(&x, sizeof(x)); ERR(-EINVAL, __VA_ARGS__); } while (0)
	if (agw_rtp_is_member(t) &&
	    (m->remote != NULL || m->remote_rtcp_set || m->latch_set || m->gm_set || m->ice_set ||
	     m->ice_restart || m->ice_ufrag != NULL || m->ice_pwd != NULL ||
	     m->ice_peer_ufrag != NULL || m->dtls != NULL || m->srtp_rx != NULL ||
	     m->srtp_rx_new != NULL))
		BAD("termination %u is a BUNDLE member: its remote, latching, gm, ICE, DTLS-SRTP "
		    "and keys are its owner's (modify the owner's)", term);
	/* (a DTLS-SRTP termination's keys are its association's: a new one
	 * comes from a new association, RFC 8842) */
	if (t->dtls.role != IPC_RTP_DTLS_NONE && (m->srtp_rx != NULL || m->srtp_rx_new != NULL))
		BAD("termination %u does DTLS-SRTP: its keys come from the handshake, not SDP's "
		    "a=crypto (a new association: a new fingerprint or tls-id)", term);
	if (m->srtp_rx_new != NULL && (m->srtp_rx != NULL || t->srtp_rx.suite == 0))
		BAD("termination %u: a new SRTP key for a termination without SRTP, or with "
		    "srtp_rx", term);
	if (m->srtp_rx != NULL && !key_same(m->srtp_rx, &c->rtp.term[term].srtp_rx)) {
		explicit_bzero(&x, sizeof(x));
		ERR(-EOPNOTSUPP, "termination %u: a new SRTP key is a rekey (srtp_rx_new)", term);
	}
	if (m->srtp_rx_new != NULL) {
		const struct ipc_srtp_key *k = m->srtp_rx_new;

		if ((rc = key_check(term, "the remote's new", k, false, err, errlen)) < 0) {
			explicit_bzero(&x, sizeof(x));
			return rc;
		}
		/* the key held under another suite or MKI is no new key: dp's
		 * new context starts SRTCP's replay window empty, so every
		 * SRTCP packet sent under it would be taken again */
		if (k->key_len == t->srtp_rx.key_len &&
		    memcmp(k->key, t->srtp_rx.key, k->key_len) == 0)
			BAD("termination %u: the remote's new SRTP key is the one it holds",
			    term);
		/* dp takes the position from the context it replaces */
		memset(&t->srtp_rx, 0, sizeof(t->srtp_rx));
		t->srtp_rx.suite = k->suite;
		t->srtp_rx.key_len = k->key_len;
		t->srtp_rx.mki_len = k->mki_len;
		t->srtp_rx.mki = k->mki;
		t->srtp_rx.window = k->window;
		memcpy(t->srtp_rx.key, k->key, k->key_len);
	}
	if (m->remote != NULL) {
		if (m->remote->family != 0 && m->remote->family != t->local.family)
			BAD("termination %u: an IPv%u remote for an IPv%u termination", term,
			    m->remote->family, t->local.family);
		if ((rc = remote_allowed(cp, term, m->remote, err, errlen)) < 0) {
			explicit_bzero(&x, sizeof(x));
			return rc;
		}
		t->remote = *m->remote;
	}
	if (m->remote_rtcp_set)
		t->remote_rtcp = m->remote_rtcp;
	if (m->mode_set) {
		if (m->mode > IPC_RTP_MODE_MAX)
			BAD("termination %u: mode %u is not one", term, m->mode);
		t->mode = m->mode;
	}
	if (m->latch_set) {
		if (!cp_agw_rtp_latch_ok(m->latch))
			BAD("termination %u: latch %#x is not a policy", term, m->latch);
		t->latch = m->latch;
	}
	if (m->rsize_set)
		t->flags = (uint8_t)(m->rsize ? t->flags | IPC_RTP_F_RSIZE : t->flags & ~IPC_RTP_F_RSIZE);
	if (m->gm_set) {
		if ((m->gm_addr.family != 0 && (m->gm_addr.family != t->local.family ||
						m->gm_plen > bits)) ||
		    (m->gm_addr.family == 0 && m->gm_plen != 0) || m->gm_port_lo > m->gm_port_hi)
			BAD("termination %u: gm's address, prefix or port range is not one", term);
		t->gm_addr = m->gm_addr;
		t->gm_plen = m->gm_plen;
		t->gm_port_lo = m->gm_port_lo;
		t->gm_port_hi = m->gm_port_hi;
	}
	if (m->dscp_set) {
		if (m->dscp > IPC_RTP_DSCP_MAX)
			BAD("termination %u: dscp %u (0 to %u)", term, m->dscp, IPC_RTP_DSCP_MAX);
		t->dscp = m->dscp;
	}
	if (m->pol_set) {
		if ((m->pol_rate == 0) != (m->pol_burst == 0))
			BAD("termination %u: policing takes a rate and its burst (or neither)", term);
		t->pol_rate = m->pol_rate;
		t->pol_burst = m->pol_burst;
	}
	if (m->inact_set)
		t->inact_ms = m->inact_ms;
	if (m->clock_set)
		t->clock_hz = m->clock_hz;
	if (m->memo != NULL)
		memcpy(t->memo, m->memo, sizeof(t->memo));
#undef BAD
	if (m->bundle != NULL) {
		agw_rtp_bundle_sync(cp);
		if ((rc = agw_rtp_bundle_modify(cp, c, term, m->bundle, t, err, errlen)) < 0) {
			explicit_bzero(&x, sizeof(x));
			return rc;
		}
	}
	if ((rc = agw_rtp_ice_modify(cp->agw->rtp, term, &t->ice, m, err, errlen)) < 0 ||
	    (m->dtls != NULL &&
	     (rc = agw_rtp_dtls_modify(cp, term, m->dtls, t, &dst, err, errlen)) < 0)) {
		explicit_bzero(&x, sizeof(x));
		return rc;
	}
	if ((rc = keys_with(cp->agw->rtp, c, term, &x.t, 2, err, errlen)) < 0) {
		explicit_bzero(&x, sizeof(x));
		return rc;
	}
	if ((rc = agw_send(cp, c->worker, IPC_RTP_MOD, c->id, &x, sizeof(x))) < 0) {
		explicit_bzero(&x, sizeof(x));
		if (rc == -EINVAL)
			ERR(-EINVAL, "termination %u as modified is not one dp takes (lib/ipc's "
			    "rules)", term);
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	}
	c->rtp.term[term] = x.t;
	c->rtp.dtls[term] = dst;
	explicit_bzero(&x, sizeof(x));
	agw_rtp_keys_keep(cp->agw->rtp, c);
	cp->agw->rtp->stats[AGW_RTP_TERMS_MODIFIED]++;
	return 0;
}

/* Slot i of c empty: its ports free, its keys wiped; what the records
 * name it by kept in c->rtp.gone[i]. */
static void
slot_clear(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int i)
{
	struct agw_rtp_state *r = cp->agw->rtp;
	struct cp_agw_rtp_gone *g = &c->rtp.gone[i];

	/* (a BUNDLE member leaves its owner's group with it) */
	agw_rtp_bundle_leave(cp, c, i);
	if (c->rtp.term[i].profile != IPC_RTP_NONE) {
		memset(g, 0, sizeof(*g));
		g->serial = c->rtp.term[i].serial;
		g->profile = c->rtp.term[i].profile;
		g->flags = c->rtp.term[i].flags;
		g->rtcp_port = c->rtp.term[i].rtcp_port;
		g->local = c->rtp.term[i].local;
		g->remote = c->rtp.term[i].remote;
		memcpy(g->memo, c->rtp.term[i].memo, sizeof(g->memo));
		if (c->rtp.term[i].dtls.role != IPC_RTP_DTLS_NONE)
			g->dtls_profile = c->rtp.dtls[i].profile != 0 ? c->rtp.dtls[i].profile :
					  CP_AGW_RTP_DTLS_NO_PROFILE;
	}
	term_ports(r, c->rtp.aidx[i], &c->rtp.term[i], false);
	term_wipe(&c->rtp.term[i]);
	memset(&c->rtp.dtls[i], 0, sizeof(c->rtp.dtls[i]));
	c->rtp.inactive[i] = 0;
	c->rtp.aidx[i] = 0;
}

static int
rtp_subtract(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int term, char *err, size_t errlen)
{
	struct agw_rtp_state *r = cp->agw->rtp;
	struct ipc_rtp_mod x;
	uint64_t ids[CP_AGW_RTP_BUNDLE_MAX];
	unsigned int n;

	agw_rtp_bundle_sync(cp);
	/* (a subtract is the termination's alone: the members' sections are
	 * their contexts', which a subtract does not end; dp would leave
	 * them without a transport) */
	if (c->rtp.term[term].bundle.role == IPC_RTP_BUNDLE_OWNER &&
	    (n = agw_rtp_bundle_live(cp, c, ids)) > 0)
		ERR(-EBUSY, "termination %u of context %" PRIu64 " carries the BUNDLE transport of "
		    "%u member%s (context %" PRIu64 "%s): release them first, or the context", term,
		    c->id, n, n == 1 ? "" : "s", ids[0], n > 1 ? ", ..." : "");
	memset(&x, 0, sizeof(x));
	x.op = IPC_RTP_SUB_TERM;
	x.term = (uint8_t)term;
	if (agw_send(cp, c->worker, IPC_RTP_MOD, c->id, &x, sizeof(x)) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	/* The slot is empty at once (dp frees the ports before it takes
	 * anything after this message); SUBTRACTED names it by its serial
	 * and gets what dp counted before a restart added. */
	c->rtp.sub_term = (uint8_t)term;
	c->rtp.sub_serial = c->rtp.term[term].serial;
	c->rtp.sub_base = c->rtp.base[term];
	slot_clear(cp, c, term);
	memset(&c->rtp.base[term], 0, sizeof(c->rtp.base[term]));
	if (c->rtp.term[term ^ 1u].profile == IPC_RTP_NONE)
		c->state = CP_AGW_RELEASING;        /* (dp releases it: RELEASED comes) */
	r->stats[AGW_RTP_TERMS_SUBTRACTED]++;
	return 0;
}

/* c, not in a restarted dp yet (readd), given to it now: 0, -EAGAIN. */
static int
readd_now(struct cp_ctx *cp, struct cp_agw_ctx *c)
{
	if (!c->rtp.readd)
		return 0;
	if (agw_send(cp, c->worker, IPC_RTP_ADD, c->id, c->rtp.term, sizeof(c->rtp.term)) < 0)
		return -EAGAIN;
	c->rtp.readd = 0;
	return 0;
}

/*
 * A context released. A BUNDLE owner's live members are released first,
 * in the one worker's ring before the owner's RTP_DEL, so dp never holds
 * a member without its transport. Released, not refused: each door's
 * release ends media whatever order its controller asks in (ng's delete
 * ends a call's every stream, as rtpengine's does, and a bundled call's
 * sections are on the owner's transport; an Iq Subtract of a context's
 * last termination; the operator's agw release; dp's own RELEASED of an
 * owner, ctx_released()), each expects it done, and members without a
 * transport carry nothing. A controller that releases the members first
 * (cp/ng's call_free()) finds none left here. A member not in a
 * restarted dp yet is given to it first (RELEASED then comes from dp,
 * with its figures), its owner before it.
 */
static int
rtp_release(struct cp_ctx *cp, struct cp_agw_ctx *c, char *err, size_t errlen)
{
	uint64_t ids[CP_AGW_RTP_BUNDLE_MAX];
	unsigned int n;
	int rc;

	agw_rtp_bundle_sync(cp);
	for (unsigned int i = 0; i < 2 && c->rtp.readd; i++) {
		struct cp_agw_ctx *oc = agw_rtp_bundle_owner_of(cp, &c->rtp.term[i]);

		if (oc != NULL && readd_now(cp, oc) < 0)
			ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	}
	if (readd_now(cp, c) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	n = agw_rtp_bundle_live(cp, c, ids);
	for (unsigned int k = 0; k < n; k++) {
		struct cp_agw_ctx *m = ctx_of_id(cp, ids[k]);

		if (m != NULL && (rc = rtp_release(cp, m, err, errlen)) < 0)
			return rc;
	}
	if (agw_send(cp, c->worker, IPC_RTP_DEL, c->id, NULL, 0) < 0)
		ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
	c->state = CP_AGW_RELEASING;
	return 0;
}

/* When c's figures are due again: its busiest direction's packets over
 * the time since they were last asked for (pkts since, over ms). */
uint64_t
agw_rtp_pos_due(uint64_t st_ms, uint64_t pkts, uint64_t ms)
{
	uint64_t gap = CP_AGW_RTP_POS_IDLE_MS;

	if (pkts != 0 && ms != 0) {
		gap = (uint64_t)CP_AGW_RTP_POS_PKTS * ms / pkts;
		if (gap < CP_AGW_RTP_POS_MIN_MS)
			gap = CP_AGW_RTP_POS_MIN_MS;
		if (gap > CP_AGW_RTP_POS_MAX_MS)
			gap = CP_AGW_RTP_POS_MAX_MS;
	}
	return st_ms + gap;
}

/* ---- statistics on request ------------------------------------------------------------ */

int
cp_agw_rtp_stats(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		 cp_agw_rtp_stats_fn fn, void *arg, uint32_t *req, char *err, size_t errlen)
{
	struct agw_rtp_state *r;
	struct cp_agw_ctx *c;
	struct ipc_rtp_stats_req q;
	struct agw_rtp_req *e = NULL;

	if (rtp_of(cp) == NULL)
		ERR(-ENODEV, "no RTP contexts in turnpike-cp's configuration (agw.media_ports)");
	r = cp->agw->rtp;
	c = ctx_of_id(cp, id);
	if (c == NULL || !cp_agw_caller_sees(who, c))
		ERR(-ENOENT, "no context %" PRIu64 " (released already?)", id);
	if (fn != NULL) {
		for (unsigned int k = 0; k < CP_AGW_RTP_STATS_PENDING && e == NULL; k++)
			if (r->req[k].req == 0)
				e = &r->req[k];
		if (e == NULL)
			ERR(-ENOSPC, "%u statistics requests wait already: use the last figures",
			    CP_AGW_RTP_STATS_PENDING);
	}
	memset(&q, 0, sizeof(q));
	/* one request a context in flight: another caller's waits on it, so
	 * a flood of audits puts one message a context in dp's ring */
	for (unsigned int k = 0; k < CP_AGW_RTP_STATS_PENDING && q.req == 0; k++)
		if (r->req[k].req != 0 && r->req[k].id == id)
			q.req = r->req[k].wire;
	if (q.req == 0) {
		q.req = fn != NULL ? r->next_req : 0;
		if (!c->rtp.readd &&
		    agw_send(cp, c->worker, IPC_RTP_STATS_REQ, c->id, &q, sizeof(q)) < 0)
			ERR(-EAGAIN, "the ring to dp's worker %u is full: try again", c->worker);
		r->stats[AGW_RTP_STATS_ASKED]++;
	}
	if (fn == NULL)
		return 0;
	e->req = r->next_req;
	e->wire = q.req;
	e->id = id;
	e->fn = fn;
	e->arg = arg;
	/* (one not in dp yet, after dp's restart, is answered by the timeout
	 * with what cp knows) */
	e->deadline_ms = cp->now_ms + (c->rtp.readd ? 0 : CP_AGW_RTP_STATS_MS);
	if (++r->next_req == 0)
		r->next_req = 1;
	if (req != NULL)
		*req = e->req;
	return 0;
}

int
cp_agw_rtp_keys_check(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		      unsigned int term, const struct ipc_rtp_term *t, char *err, size_t errlen)
{
	struct cp_agw_ctx *c;

	if (rtp_of(cp) == NULL)
		ERR(-ENODEV, "no RTP contexts in turnpike-cp's configuration (agw.media_ports)");
	c = ctx_of_id(cp, id);
	if (c == NULL || !cp_agw_caller_sees(who, c))
		ERR(-ENOENT, "no context %" PRIu64 " (released already?)", id);
	if (term > 1)
		ERR(-EINVAL, "termination %u: a context's terminations are 0 and 1", term);
	return keys_with(cp->agw->rtp, c, term, t, term, err, errlen);
}

void
cp_agw_rtp_stats_cancel(struct cp_ctx *cp, uint32_t req)
{
	struct agw_rtp_state *r = rtp_of(cp);

	if (r == NULL || req == 0)
		return;
	for (unsigned int k = 0; k < CP_AGW_RTP_STATS_PENDING; k++)
		if (r->req[k].req == req)
			memset(&r->req[k], 0, sizeof(r->req[k]));
}

/* Request k answered: rc, st (NULL: zeros). Freed first, so that its fn
 * may ask again. */
static void
req_answer(struct cp_ctx *cp, unsigned int k, int rc, const struct ipc_rtp_stats *st)
{
	struct agw_rtp_state *r = rtp_of(cp);
	struct agw_rtp_req e = r->req[k];
	struct ipc_rtp_stats zero[2];

	memset(&r->req[k], 0, sizeof(r->req[k]));
	memset(zero, 0, sizeof(zero));
	e.fn(cp, e.id, rc, st != NULL ? st : zero, e.arg);
}

/* Every request of context id (0: all) answered with rc. */
static void
reqs_end(struct cp_ctx *cp, uint64_t id, int rc, const struct ipc_rtp_stats *st)
{
	struct agw_rtp_state *r = rtp_of(cp);

	for (unsigned int k = 0; k < CP_AGW_RTP_STATS_PENDING; k++) {
		const struct cp_agw_ctx *c;

		if (r->req[k].req == 0 || (id != 0 && r->req[k].id != id))
			continue;
		c = st == NULL ? ctx_of_id(cp, r->req[k].id) : NULL;
		req_answer(cp, k, rc, st != NULL ? st : c != NULL ? c->rtp.st : NULL);
	}
}

/* An RTP_STATS from worker w: the figures, a request's answer. */
static void
stats_msg(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct agw_rtp_state *r = rtp_of(cp);
	const struct ipc_rtp_stats_msg *s = (const void *)msg->body;
	struct cp_agw_ctx *c;

	(void)w;
	if (r == NULL)
		return;
	c = ctx_of_id(cp, msg->h.alloc_id);
	if (c != NULL && agw_rtp_not_dps(c))
		c = NULL;                     /* (the old dp's figures: the peer's are newer) */
	if (c != NULL && s->found) {
		uint64_t moved = 0;

		for (unsigned int i = 0; i < 2; i++) {
			const struct ipc_rtp_stats o = c->rtp.st[i];

			if (c->rtp.term[i].profile == IPC_RTP_NONE ||
			    s->st[i].serial != c->rtp.term[i].serial)
				continue;
			stats_sum(&c->rtp.st[i], &c->rtp.base[i], &s->st[i]);
			moved = u64_max(moved, c->rtp.st[i].rtp_in - o.rtp_in);
			moved = u64_max(moved, c->rtp.st[i].rtp_out - o.rtp_out);
			moved = u64_max(moved, c->rtp.st[i].rtcp_in - o.rtcp_in);
			moved = u64_max(moved, c->rtp.st[i].rtcp_out - o.rtcp_out);
		}
		c->rtp.pos_due_ms = agw_rtp_pos_due(cp->now_ms, moved,
						c->rtp.st_ms != 0 ? cp->now_ms - c->rtp.st_ms : 0);
		c->rtp.st_ms = cp->now_ms;
	}
	if (s->req == 0)
		return;
	for (unsigned int k = 0; k < CP_AGW_RTP_STATS_PENDING; k++)
		if (r->req[k].req != 0 && r->req[k].wire == s->req &&
		    r->req[k].id == msg->h.alloc_id)
			req_answer(cp, k, s->found && c != NULL ? 0 : -ENOENT,
				   c != NULL ? c->rtp.st : NULL);
}

/* ---- the event log ---------------------------------------------------------------------- */

/* Event e of context id (c: it, NULL when this cp does not know it) into
 * the log: the latched source, the silence, each termination's octets. */
static void
log_rtp(struct cp_ctx *cp, uint64_t id, const struct cp_agw_ctx *c,
	const struct ipc_rtp_event *e)
{
	struct cp_agw_event *l = agw_log_line(cp, CP_AGW_KIND_RTP, id, c);

	l->rtcp = e->rtcp;
	l->silent_ms = e->silent_ms;
	l->e.type = e->type;
	l->e.leg = e->term;
	l->e.cause = e->cause;
	l->e.serial = e->serial;
	if (e->type == IPC_RTP_EV_LATCHED || e->type == IPC_RTP_EV_NOMINATED ||
	    e->type == IPC_RTP_EV_CONSENT_LOST || e->type == IPC_RTP_EV_CONSENT_REGAINED)
		l->e.remote = e->addr;
	for (unsigned int i = 0; i < 2; i++) {
		l->e.bytes_in[i] = e->st[i].rtp_in_octets + e->st[i].rtcp_in_octets;
		l->e.bytes_out[i] = e->st[i].rtp_out_octets + e->st[i].rtcp_out_octets;
	}
	snprintf(l->e.detail, sizeof(l->e.detail), "%s", e->detail);
	l->e.detail_len = (uint16_t)strlen(l->e.detail);
}

/* ---- what dp says ----------------------------------------------------------------------- */

static void
ctx_free(struct cp_ctx *cp, struct cp_agw_ctx *c)
{
	struct agw_rtp_state *r = rtp_of(cp);

	for (unsigned int i = 0; i < 2; i++)
		slot_clear(cp, c, i);
	if (c->rtp.emergency == 2 && c->door < CP_AGW_DOORS && r->emergency_over[c->door] > 0)
		r->emergency_over[c->door]--;
	agw_ctx_put(cp->agw, c);
	explicit_bzero(c, sizeof(*c));
}

/* c ends (RELEASED e, its figures counted over restarts already): the
 * log, the slot freed, the requests answered, the observers told. */
static void
ctx_released(struct cp_ctx *cp, struct cp_agw_ctx *c, const struct ipc_rtp_event *e)
{
	struct agw_rtp_state *r = rtp_of(cp);
	struct cp_agw_ctx was = *c;
	uint64_t ids[CP_AGW_RTP_BUNDLE_MAX], id = c->id;
	unsigned int n;

	agw_rtp_bundle_sync(cp);
	n = agw_rtp_bundle_live(cp, c, ids);
	r->stats[AGW_RTP_RELEASED]++;
	r->released_by[e->cause <= IPC_AGW_CAUSE_MAX ? e->cause : 0]++;
	if (e->cause == IPC_AGW_SETUP_FAILED)
		r->stats[AGW_RTP_SETUP_FAILED]++;
	tp_log(TP_LOG_INFO, "agw: RTP context %" PRIu64 " released: %s%s%s\n", c->id,
	       ipc_agw_cause_name(e->cause), e->detail[0] ? ": " : "", e->detail);
	memcpy(was.rtp.st, e->st, sizeof(was.rtp.st));
	ctx_free(cp, c);
	reqs_end(cp, was.id, -ENOENT, was.rtp.st);
	agw_tell(cp, &was, e);
	explicit_bzero(&was, sizeof(was));
	/* a BUNDLE owner ended under live members (dp refused it, or a cp
	 * that did not release them first): they have no transport left */
	for (unsigned int k = 0; k < n; k++) {
		struct cp_agw_ctx *m = ctx_of_id(cp, ids[k]);
		char why[160];

		if (m != NULL && m->state != CP_AGW_RELEASING &&
		    rtp_release(cp, m, why, sizeof(why)) < 0)
			tp_log(TP_LOG_WARNING, "agw: RTP context %" PRIu64 ", a BUNDLE member of "
			       "context %" PRIu64 " that ended, not released: %s\n", ids[k], id,
			       why);
	}
}

/* The observers heard e, a SUBTRACTED of the termination c->rtp.gone[]
 * describes: a RELEASED that follows no longer names it (cp/acct wrote
 * its record). */
static void
gone_heard(struct cp_agw_ctx *c, const struct ipc_rtp_event *e)
{
	if (e->type == IPC_RTP_EV_SUBTRACTED && e->term <= 1 &&
	    c->rtp.gone[e->term].serial == e->serial)
		c->rtp.gone[e->term].serial = 0;
}

/* An RTP_EVENT from worker w: applied to its context (the termination of
 * that serial only), logged, told to the observers. */
static void
rtp_dp_event(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct agw_rtp_state *r = rtp_of(cp);
	struct ipc_rtp_event e = *(const struct ipc_rtp_event *)(const void *)msg->body;
	struct cp_agw_ctx *c;
	unsigned int t = e.term;
	bool cur;

	(void)w;
	if (r == NULL)
		return;
	e.detail[IPC_RTP_DETAIL_MAX - 1] = '\0';
	c = ctx_of_id(cp, msg->h.alloc_id);
	if (c == NULL) {
		log_rtp(cp, msg->h.alloc_id, NULL, &e);
		r->stats[AGW_RTP_EVENTS_UNKNOWN]++;
		return;
	}
	if (agw_rtp_not_dps(c)) {
		/* (the dp this box stepped down with, before its RELEASED of
		 * the yield: the context is the peer's, cp_agw_rtp_mirror_yield()) */
		if (e.type == IPC_RTP_EV_RELEASED && c->rtp.yielded > 0)
			c->rtp.yielded--;
		r->stats[AGW_RTP_EVENTS_STALE]++;
		return;
	}
	/* figures counted over dp's restarts: the slot's termination's base,
	 * or the one subtracted's */
	for (unsigned int i = 0; i < 2; i++) {
		if (c->rtp.term[i].profile != IPC_RTP_NONE &&
		    e.st[i].serial == c->rtp.term[i].serial && e.st[i].serial != 0)
			stats_sum(&e.st[i], &c->rtp.base[i], &e.st[i]);
		else if (c->rtp.sub_serial != 0 && i == c->rtp.sub_term &&
			 e.st[i].serial == c->rtp.sub_serial)
			stats_sum(&e.st[i], &c->rtp.sub_base, &e.st[i]);
	}
	log_rtp(cp, c->id, c, &e);
	if (e.type == IPC_RTP_EV_RELEASED) {
		ctx_released(cp, c, &e);
		return;
	}
	cur = t <= 1 && c->rtp.term[t].profile != IPC_RTP_NONE && c->rtp.term[t].serial == e.serial;
	if (!cur) {
		/* of a termination subtracted since: the observers hear it
		 * (its figures), the slot is not its */
		if (e.type == IPC_RTP_EV_SUBTRACTED && e.serial == c->rtp.sub_serial)
			c->rtp.sub_serial = 0;
		else
			r->stats[AGW_RTP_EVENTS_STALE]++;
		agw_tell(cp, c, &e);
		gone_heard(c, &e);
		return;
	}
	switch (e.type) {
	case IPC_RTP_EV_LATCHED:
	case IPC_RTP_EV_NOMINATED:
		/* (ICE's nomination is its latch: the pair's remote, where dp
		 * sends; a new pair has consent) */
		if (e.rtcp) {
			c->rtp.st[t].rtcp_src = e.addr;
			c->rtp.st[t].latched |= IPC_RTP_LATCHED_RTCP;
		} else {
			c->rtp.st[t].rtp_src = e.addr;
			c->rtp.st[t].latched |= IPC_RTP_LATCHED_RTP;
		}
		if (e.type == IPC_RTP_EV_NOMINATED) {
			if (!e.rtcp)
				c->rtp.st[t].ice &= (uint8_t)~IPC_RTP_ICE_LOST;
			r->stats[AGW_RTP_NOMINATED]++;
			break;
		}
		c->rtp.inactive[t] = 0;
		r->stats[AGW_RTP_LATCHED]++;
		break;
	case IPC_RTP_EV_CONSENT_LOST:
		if (!e.rtcp)
			c->rtp.st[t].ice |= IPC_RTP_ICE_LOST;
		r->stats[AGW_RTP_CONSENT_LOST]++;
		r->consent_lost[c->door < CP_AGW_DOORS ? c->door : 0]
			       [c->tenant <= TP_CONF_MAX_TENANTS ? c->tenant : 0]++;
		break;
	case IPC_RTP_EV_CONSENT_REGAINED:
		if (!e.rtcp)
			c->rtp.st[t].ice &= (uint8_t)~IPC_RTP_ICE_LOST;
		r->stats[AGW_RTP_CONSENT_REGAINED]++;
		break;
	case IPC_RTP_EV_INACTIVE:
		c->rtp.inactive[t] = 1;
		r->stats[AGW_RTP_INACTIVE]++;
		break;
	case IPC_RTP_EV_SSRC_CLASH:
		/* (a controller's doing: the core side sends an SSRC another
		 * section of the browser's group has; once a context in the
		 * log, the rest counted) */
		if (c->rtp.ssrc_clashes[0] == 0 && c->rtp.ssrc_clashes[1] == 0)
			tp_log(TP_LOG_WARNING, "agw: RTP context %" PRIu64 " termination %u: dp "
			       "refuses its RTP to the peer of SSRC %08" PRIx32 ": another section of "
			       "its BUNDLE group holds it (RFC 3711 section 9.1; counted from now, "
			       "not logged again)\n", c->id, t, e.ssrc);
		c->rtp.ssrc_clashes[t] = c->rtp.ssrc_clashes[t] > UINT32_MAX - e.count ?
					 UINT32_MAX : c->rtp.ssrc_clashes[t] + e.count;
		c->rtp.clash_ssrc[t] = e.ssrc;
		r->stats[AGW_RTP_BDL_CLASH_EVENTS]++;
		r->stats[AGW_RTP_BDL_CLASHES] += e.count;
		break;
	case IPC_RTP_EV_SUBTRACTED:
		/* (dp could not install a termination added: the slot is
		 * empty again) */
		c->rtp.st[t] = e.st[t];
		slot_clear(cp, c, t);
		memset(&c->rtp.base[t], 0, sizeof(c->rtp.base[t]));
		break;
	default:
		break;
	}
	agw_tell(cp, c, &e);
	gone_heard(c, &e);
}

/* An RTP_STATE from worker w (this cp's SYNC): a context dp holds, taken
 * back with its door, tenant, serials, keys, figures and latches. */
static void
rtp_dp_state(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct agw_rtp_state *r = rtp_of(cp);
	const struct ipc_rtp_state *x = (const void *)msg->body;
	uint64_t id = msg->h.alloc_id;
	struct cp_agw_ctx *c = r != NULL ? agw_state_slot(cp->agw, CP_AGW_KIND_RTP, w, id) : NULL;
	unsigned int door, tenant;

	if (c == NULL) {
		if (r != NULL)
			r->stats[AGW_RTP_EVENTS_UNKNOWN]++;
		return;
	}
	if (c->id == id)
		return;
	if (c->id != 0)
		ctx_free(cp, c);
	memset(c, 0, sizeof(*c));
	c->state = CP_AGW_LIVE;
	c->rtp.created_ms = cp->now_ms;
	memcpy(c->rtp.term, x->ctx.term, sizeof(c->rtp.term));
	memcpy(c->rtp.st, x->st, sizeof(c->rtp.st));
	c->rtp.st_ms = cp->now_ms;
	/* (a pair nominated before dp's last restart is dp's now: the
	 * figures say which) */
	memset(&c->rtp.term[0].ice.nominated, 0, sizeof(c->rtp.term[0].ice.nominated));
	memset(&c->rtp.term[1].ice.nominated, 0, sizeof(c->rtp.term[1].ice.nominated));
	door = c->rtp.term[0].profile != IPC_RTP_NONE ? c->rtp.term[0].door : c->rtp.term[1].door;
	tenant = c->rtp.term[0].profile != IPC_RTP_NONE ? c->rtp.term[0].tenant :
							  c->rtp.term[1].tenant;
	if (tenant > cp->conf->tenants.n)
		tenant = 0;
	for (unsigned int i = 0; i < 2; i++) {
		int a;

		if (c->rtp.term[i].profile == IPC_RTP_NONE)
			continue;
		if (c->rtp.term[i].serial > c->serial_next)
			c->serial_next = c->rtp.term[i].serial;
		a = addr_find(r, c->rtp.term[i].local.family, c->rtp.term[i].local.ip);
		c->rtp.aidx[i] = (uint8_t)(a >= 0 ? a : 0);
		if (a >= 0)
			term_ports(r, (unsigned int)a, &c->rtp.term[i], true);
		c->rtp.inactive[i] = x->st[i].inactive;
		agw_rtp_dtls_restored(&c->rtp.term[i], &c->rtp.dtls[i]);
		/* (BUNDLE: the owners' members[] rebuilt before they are read,
		 * whatever order dp gives the group's contexts in) */
		if (c->rtp.term[i].bundle.role != IPC_RTP_BUNDLE_NONE)
			r->bundle_dirty = true;
	}
	/* (what it used before is this cp's no longer: those dp holds) */
	agw_rtp_keys_keep(r, c);
	/* (created: when this cp learnt of it) */
	agw_ctx_restored(cp->agw, c, id, door, tenant, cp->wall_ms);
	r->stats[AGW_RTP_RESTORED]++;
}

/*
 * A send direction's positions where the dp they are given to starts
 * (IPC_SRTP_POS_LAG past each: dp/rtp/FEATURE.md "SRTP"). That dp
 * protects from there at once (its sequence numbers shifted), before
 * cp hears of it: should it end before then too, the next one starts
 * past these, not again where it did (RFC 3711 §9.1: an index twice).
 */
static void
pos_ahead(struct ipc_srtp_pos *p)
{
	for (unsigned int k = 0; k < p->nstreams && k < IPC_SRTP_SSRCS; k++) {
		uint64_t at = (uint64_t)p->stream[k].roc << 16 | p->stream[k].seq;

		at = at > 0xffffffffffffull - IPC_SRTP_POS_LAG ? 0xffffffffffffull :
		     at + IPC_SRTP_POS_LAG;
		p->stream[k].roc = (uint32_t)(at >> 16);
		p->stream[k].seq = (uint16_t)at;
	}
}

/* Term i of c's SRTP keys for a restarted dp: each stream where cp last
 * heard it, cp's own send positions moved past where that dp starts
 * (pos_ahead()), and our SRTCP index on past what dp may have sent since. */
static void
keys_carry(struct cp_agw_ctx *c, unsigned int i)
{
	struct ipc_rtp_term *t = &c->rtp.term[i];
	const struct ipc_rtp_stats *s = &c->rtp.st[i];

	cp_agw_rtp_key_at(&t->srtp_rx, &s->srtp_rx, true);
	cp_agw_rtp_key_at(&t->srtp_tx, &s->srtp_tx, true);
	pos_ahead(&c->rtp.st[i].srtp_tx);
	pos_ahead(&c->rtp.base[i].srtp_tx);
	/* (SRTCP that dp sent since cp last heard must not have its index
	 * used again: a keystream twice) */
	if (t->srtp_tx.suite != 0)
		t->srtp_tx.srtcp_index = t->srtp_tx.srtcp_index <
			(1u << 31) - 1u - CP_AGW_RTP_SRTCP_AHEAD ?
			t->srtp_tx.srtcp_index + CP_AGW_RTP_SRTCP_AHEAD : (1u << 31) - 1u;
}

/* c to be given to a dp that does not hold it (a restarted dp, or this
 * box's after a takeover): its figures kept as the base, media back to
 * the source last latched (ICE: the pair nominated), its keys at the
 * positions cp last heard, our send streams past them (keys_carry()). */
static void
readd_prepare(struct cp_agw_ctx *c)
{
	c->rtp.sub_serial = 0;
	for (unsigned int i = 0; i < 2; i++) {
		struct ipc_rtp_term *t = &c->rtp.term[i];
		const struct ipc_rtp_stats *s = &c->rtp.st[i];

		if (t->profile == IPC_RTP_NONE)
			continue;
		c->rtp.base[i] = *s;
		/* (a BUNDLE member's transport is its owner's: its keys
		 * are made below, once every owner's are as given) */
		if (agw_rtp_is_member(t))
			continue;
		if (t->dtls.role != IPC_RTP_DTLS_NONE &&
		    c->rtp.dtls[i].state != IPC_RTP_DTLS_UP &&
		    (t->dtls.flags & IPC_RTP_DTLS_F_KEYS)) {
			/* the keys are an association's before the one
			 * signalled last, which has not come up (RFC
			 * 8842: the peer handshakes for it): the new dp
			 * does, without them */
			explicit_bzero(&t->srtp_rx, sizeof(t->srtp_rx));
			explicit_bzero(&t->srtp_tx, sizeof(t->srtp_tx));
			t->dtls.flags &= (uint8_t)~IPC_RTP_DTLS_F_KEYS;
		}
		if (t->ice.mode != IPC_RTP_ICE_OFF) {
			/* ICE: the pair the peer nominated, where media go
			 * at once, its consent from the new dp's install
			 * (the peer's next check renews it); not one whose
			 * consent was lost */
			memset(&t->ice.nominated, 0, sizeof(t->ice.nominated));
			if ((s->latched & IPC_RTP_LATCHED_RTP) && !(s->ice & IPC_RTP_ICE_LOST) &&
			    s->rtp_src.family == t->local.family && s->rtp_src.port != 0) {
				t->ice.nominated = s->rtp_src;
				t->ice.nominated.pad = 0;
			}
		} else if ((s->latched & IPC_RTP_LATCHED_RTP) &&
			   s->rtp_src.family == t->local.family) {
			/* media flows back at once to the source last
			 * latched */
			t->remote = s->rtp_src;
			t->remote_rtcp = 0;
			if (!(t->flags & IPC_RTP_F_MUX) &&
			    (s->latched & IPC_RTP_LATCHED_RTCP) &&
			    s->rtcp_src.family == t->local.family &&
			    memcmp(s->rtcp_src.ip, s->rtp_src.ip, 16) == 0)
				t->remote_rtcp = s->rtcp_src.port;
		}
		keys_carry(c, i);
	}
	c->rtp.readd = 1;
}

/* BUNDLE members of contexts readd_prepare() took: keyed as their owners. */
static void
readd_members(struct cp_ctx *cp)
{
	struct agw_rtp_state *r = rtp_of(cp);
	size_t n = (size_t)r->nworkers * tab_of(cp)->per_worker;

	/* BUNDLE members: the group's key as its owner will have it in the
	 * new dp (a DTLS-SRTP owner's handshake, a rekey since, none: all
	 * zero), at the member's own positions (dp keys the member's SRTP
	 * with the owner's octets from where it stood) */
	for (size_t k = 0; k < n; k++) {
		struct cp_agw_ctx *c = &tab_of(cp)->ctx[k];

		for (unsigned int i = 0; i < 2 && c->id != 0 && c->rtp.readd; i++) {
			struct ipc_rtp_term *t = &c->rtp.term[i];
			const struct cp_agw_ctx *oc = agw_rtp_bundle_owner_of(cp, t);

			if (!agw_rtp_is_member(t))
				continue;
			if (oc != NULL)
				agw_rtp_bundle_keys(&oc->rtp.term[t->bundle.owner_term], t);
			keys_carry(c, i);
		}
	}
}

/* dp restarted: every context is to be installed again (paced by
 * rtp_serve() as the rings to dp have room), one being released is
 * released. */
static void
rtp_dp_restart(struct cp_ctx *cp)
{
	struct agw_rtp_state *r = rtp_of(cp);
	size_t n;

	if (r == NULL)
		return;
	reqs_end(cp, 0, -ETIMEDOUT, NULL);
	/* (the yield's RTP_DELs: the new dp holds none of those contexts) */
	r->nydel = 0;
	memset(r->ydue, 0, sizeof(r->ydue));
	if (tab_of(cp)->total == 0)
		return;
	agw_rtp_bundle_sync(cp);
	n = (size_t)r->nworkers * tab_of(cp)->per_worker;
	for (size_t k = 0; k < n; k++) {
		struct cp_agw_ctx *c = &tab_of(cp)->ctx[k];

		if (c->id == 0)
			continue;
		if (c->state == CP_AGW_RELEASING) {
			/* (it was ending: it ended with the dp that held it) */
			struct ipc_rtp_event e;

			memset(&e, 0, sizeof(e));
			e.type = IPC_RTP_EV_RELEASED;
			e.term = IPC_RTP_TERM_NONE;
			e.cause = IPC_AGW_DP_RESTART;
			memcpy(e.st, c->rtp.st, sizeof(e.st));
			e.detail_len = (uint16_t)snprintf(e.detail, sizeof(e.detail),
							  "turnpike-dp restarted while it ended");
			log_rtp(cp, c->id, c, &e);
			ctx_released(cp, c, &e);
			continue;
		}
		c->rtp.yielded = 0;       /* (that dp's RELEASED will never come) */
		if (c->rtp.mirror)
			continue;         /* (the peer's, held for a takeover: not dp's) */
		readd_prepare(c);
	}
	readd_members(cp);
	r->readd_next = 0;
	r->readd_pass = 0;
}

/* The yield's backlog for worker w sent as the ring has room, in its
 * order (docs/design/ha.md §4 S3): RTP_DELs sent. */
static unsigned int
yield_flush(struct cp_ctx *cp, unsigned int w)
{
	struct agw_rtp_state *r = rtp_of(cp);
	unsigned int sent = 0;
	bool full = false;
	size_t j = 0;

	for (size_t k = 0; k < r->nydel; k++) {
		uint64_t id = r->ydel[k];
		struct cp_agw_ctx *c;
		int rc;

		if (ipc_conn_worker(id) != w || full) {
			r->ydel[j++] = id;
			continue;
		}
		rc = agw_send_now(cp, w, IPC_RTP_DEL, id, NULL, 0);
		if (rc == -ENOBUFS) {
			full = true;              /* (the next loop goes on) */
			r->ydel[j++] = id;
			continue;
		}
		r->ydue[w]--;
		if (rc == 0) {
			sent++;
			continue;
		}
		/* (refused before it left, a fault of cp's that cp_dp logged:
		 * no RELEASED will come of it) */
		c = ctx_of_id(cp, id);
		if (c != NULL && c->rtp.yielded > 0)
			c->rtp.yielded--;
	}
	r->nydel = j;
	return sent;
}

static unsigned int
yield_flush_all(struct cp_ctx *cp)
{
	struct agw_rtp_state *r = rtp_of(cp);
	unsigned int sent = 0;

	for (unsigned int w = 0; r->nydel > 0 && w < r->nworkers && w < IPC_MAX_WORKERS; w++)
		if (r->ydue[w] > 0)
			sent += yield_flush(cp, w);
	return sent;
}

uint32_t
agw_rtp_yield_flush(struct cp_ctx *cp, unsigned int w)
{
	struct agw_rtp_state *r = rtp_of(cp);

	if (r == NULL || w >= IPC_MAX_WORKERS || r->ydue[w] == 0)
		return 0;
	(void)yield_flush(cp, w);
	return r->ydue[w];
}

static bool
has_srtp(const struct cp_agw_ctx *c)
{
	return is_srtp(c->rtp.term[0].profile) || is_srtp(c->rtp.term[1].profile);
}

static unsigned int
pos_refresh(struct cp_ctx *cp, struct agw_rtp_state *r, uint64_t now_ms)
{
	size_t n = (size_t)r->nworkers * tab_of(cp)->per_worker;
	unsigned int sent = 0;

	if (n == 0)
		return 0;
	for (unsigned int v = 0; v < CP_AGW_RTP_POS_VISIT; v++) {
		struct cp_agw_ctx *c = &tab_of(cp)->ctx[r->pos_next];
		struct ipc_rtp_stats_req q;

		r->pos_next = r->pos_next + 1 < n ? r->pos_next + 1 : 0;
		if (c->id == 0 || c->rtp.readd || c->rtp.mirror || c->state == CP_AGW_RELEASING ||
		    !has_srtp(c) || now_ms < c->rtp.pos_due_ms)
			continue;
		memset(&q, 0, sizeof(q));
		if (agw_send(cp, c->worker, IPC_RTP_STATS_REQ, c->id, &q, sizeof(q)) < 0)
			break;
		/* (due again in a while even when no answer comes) */
		c->rtp.pos_due_ms = now_ms + CP_AGW_RTP_POS_MIN_MS;
		r->stats[AGW_RTP_POS_ASKED]++;
		sent++;
	}
	return sent;
}

/* The takeover's install held by dp (a FENCE behind its RTP_ADDs). */
static void
take_held(struct cp_ctx *cp, void *arg, int rc)
{
	struct agw_rtp_state *r = rtp_of(cp);

	(void)arg;
	if (r != NULL && rc == 0 && r->take.sent_ms >= 0)
		r->take.installed_ms = (int64_t)(cp->now_ms - r->take.at_ms);
}

/* The takeover's last RTP_ADD in a ring: the time, and a FENCE's wait. */
static void
take_sent(struct cp_ctx *cp, struct agw_rtp_state *r)
{
	r->take.sending = false;
	r->take.sent_ms = (int64_t)(cp->now_ms - r->take.at_ms);
	if (cp_agw_when_held(cp, r->take.since, take_held, NULL) == 0)
		r->take.installed_ms = r->take.sent_ms;   /* (nothing dp may not hold) */
}

/* The loop's share: a step-down's RTP_DELs that waited for room, requests
 * past their time, a restarted dp's contexts installed again, the SRTP
 * positions asked. Work done. */
static unsigned int
rtp_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct agw_rtp_state *r = rtp_of(cp);
	unsigned int done = 0;

	if (r == NULL)
		return 0;
	done += yield_flush_all(cp);
	agw_rtp_bundle_sync(cp);
	for (unsigned int k = 0; k < CP_AGW_RTP_STATS_PENDING; k++)
		if (r->req[k].req != 0 && r->req[k].deadline_ms <= now_ms) {
			const struct cp_agw_ctx *c = ctx_of_id(cp, r->req[k].id);

			r->stats[AGW_RTP_STATS_TIMEOUT]++;
			req_answer(cp, k, -ETIMEDOUT, c != NULL ? c->rtp.st : NULL);
			done++;
		}
	/* a restarted dp's contexts, as the rings have room, once it runs
	 * with RTP terminations; the SRTP positions asked of a dp that runs */
	if (!(ipc_peer_caps(cp->seg.shm, false, now_ms) & IPC_CAP_RTP))
		return done;
	done += pos_refresh(cp, r, now_ms);
	if (r->readd_next == SIZE_MAX)
		return done;
	/* two passes: owners and unbundled contexts, then BUNDLE members
	 * (dp refuses a member whose owner it does not hold; one worker's
	 * ring keeps the order) */
	for (; r->readd_pass < 2; r->readd_pass++, r->readd_next = 0) {
		for (size_t n = (size_t)r->nworkers * tab_of(cp)->per_worker; r->readd_next < n;
		     r->readd_next++) {
			struct cp_agw_ctx *c = &tab_of(cp)->ctx[r->readd_next];

			if (c->id == 0 || !c->rtp.readd ||
			    (agw_rtp_is_member(&c->rtp.term[0]) ||
			     agw_rtp_is_member(&c->rtp.term[1])) != (r->readd_pass == 1))
				continue;
			if (agw_send(cp, c->worker, IPC_RTP_ADD, c->id, c->rtp.term,
				       sizeof(c->rtp.term)) == -ENOBUFS)
				return done;          /* (the next loop goes on) */
			c->rtp.readd = 0;
			r->stats[AGW_RTP_READDED]++;
			done++;
		}
	}
	r->readd_next = SIZE_MAX;
	if (r->take.sending)
		take_sent(cp, r);
	return done;
}

/* ---- the pair's mirror (cp/ha, docs/design/ha.md §1.4, §3.5; slice 7) ---------------- */

uint32_t
cp_agw_rtp_mirror_cap(const struct cp_ctx *cp)
{
	const struct agw_rtp_state *r = rtp_of(cp);

	return r != NULL ? (uint32_t)(r->nworkers * tab_of(cp)->per_worker) : 0;
}

int
cp_agw_rtp_mirror_index(const struct cp_ctx *cp, uint64_t id)
{
	const struct cp_agw_ctx *c = rtp_of(cp) != NULL ? ctx_of_id(cp, id) : NULL;

	if (c == NULL)
		return -ENOENT;
	return (int)(c - tab_of(cp)->ctx);
}

int
cp_agw_rtp_mirror_get(const struct cp_ctx *cp, uint32_t index, struct cp_agw_rtp_mirror *out)
{
	const struct cp_agw_ctx *c;

	memset(out, 0, sizeof(*out));
	if (index >= cp_agw_rtp_mirror_cap(cp))
		return -ENOENT;
	c = &tab_of(cp)->ctx[index];
	if (c->id == 0 || c->state == CP_AGW_RELEASING || c->rtp.mirror)
		return -ENOENT;
	out->id = c->id;
	out->age_ms = cp->now_ms > c->rtp.created_ms ? cp->now_ms - c->rtp.created_ms : 0;
	snprintf(out->label, sizeof(out->label), "%s", c->label);
	memcpy(out->s.ctx.term, c->rtp.term, sizeof(out->s.ctx.term));
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_stats *st = &c->rtp.st[i];
		struct ipc_rtp_stats *o = &out->s.st[i];

		if (c->rtp.term[i].profile == IPC_RTP_NONE)
			continue;
		o->latched = st->latched;
		o->ice = st->ice;
		o->inactive = c->rtp.inactive[i];
		o->rtp_src = st->rtp_src;
		o->rtcp_src = st->rtcp_src;
		o->srtp_rx = st->srtp_rx;
		o->srtp_tx = st->srtp_tx;
	}
	return 0;
}

int
cp_agw_rtp_mirror_next(const struct cp_ctx *cp, uint32_t *cur, uint64_t *id)
{
	uint32_t n = cp_agw_rtp_mirror_cap(cp);

	for (; *cur < n; (*cur)++) {
		const struct cp_agw_ctx *c = &tab_of(cp)->ctx[*cur];

		if (c->id != 0) {
			*id = c->id;
			(*cur)++;
			return 0;
		}
	}
	return -ENOENT;
}

uint32_t
cp_agw_rtp_mirror_held(const struct cp_ctx *cp)
{
	uint32_t n = cp_agw_rtp_mirror_cap(cp), held = 0;

	for (uint32_t k = 0; k < n; k++)
		held += tab_of(cp)->ctx[k].id != 0 && tab_of(cp)->ctx[k].rtp.mirror;
	return held;
}

/* A source (a latch, a nominated pair) or remote of the peer's that this
 * box's agw.peers refuses: dropped, as a door's would be refused. */
static bool
mirror_addr_refused(struct cp_ctx *cp, unsigned int i, const struct ipc_addr *a)
{
	char err[160];

	return a->family != 0 && remote_allowed(cp, i, a, err, sizeof(err)) < 0;
}

int
cp_agw_rtp_mirror_put(struct cp_ctx *cp, const struct cp_agw_rtp_mirror *m)
{
	struct agw_rtp_state *r = rtp_of(cp);
	unsigned int w = ipc_conn_worker(m->id), door = CP_AGW_DOORS, tenant = 0;
	struct cp_agw_ctx *c;
	int aidx[2] = { -1, -1 };
	uint8_t yielded;

	if (r == NULL || tab_of(cp)->per_worker == 0)
		return -ENODEV;
	c = agw_state_slot(cp->agw, CP_AGW_KIND_RTP, w, m->id);
	if (c == NULL)
		return -EINVAL;               /* another table's shape, or a TCP id */
	if (c->id != 0 && !c->rtp.mirror)
		return -EBUSY;                /* this box's own */
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_term *t = &m->s.ctx.term[i];
		uint16_t lo, hi;

		if (t->profile == IPC_RTP_NONE)
			continue;
		/* one door and tenant for the context, both known here */
		if (t->door >= CP_AGW_DOORS || t->tenant > cp->conf->tenants.n ||
		    (door != CP_AGW_DOORS && (t->door != door || t->tenant != tenant)))
			return -EINVAL;
		door = t->door;
		tenant = t->tenant;
		if (agw_rtp_is_member(t))
			continue;             /* (no address or port: its owner's) */
		aidx[i] = addr_find(r, t->local.family, t->local.ip);
		if (aidx[i] < 0 ||
		    !steer_relay_share(r->port_min, r->port_max, r->nworkers, w, &lo, &hi) ||
		    t->local.port < lo || t->local.port > hi ||
		    (!(t->flags & IPC_RTP_F_MUX) && (t->rtcp_port < lo || t->rtcp_port > hi)))
			return -EINVAL;       /* not this box's address, or another worker's port */
	}
	if (door == CP_AGW_DOORS)
		return -EINVAL;               /* no termination at all: dp holds none such */
	/* the one held replaced whole: its ports free first, then each of the
	 * record's must be free (another context's is a shape this box's
	 * table cannot hold) */
	/* (an RTP_DEL of this box's yield still unanswered: its RELEASED
	 * is still to be taken quietly) */
	yielded = c->id == m->id ? c->rtp.yielded : 0;
	if (c->id != 0)
		ctx_free(cp, c);
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_term *t = &m->s.ctx.term[i];

		if (aidx[i] < 0)
			continue;
		if (port_used(r, (unsigned int)aidx[i], t->local.port) ||
		    (!(t->flags & IPC_RTP_F_MUX) && port_used(r, (unsigned int)aidx[i], t->rtcp_port)) ||
		    (i == 1 && aidx[0] == aidx[1] &&
		     (t->local.port == m->s.ctx.term[0].local.port ||
		      (t->rtcp_port != 0 && t->rtcp_port == m->s.ctx.term[0].rtcp_port))))
			return -EINVAL;
	}
	memset(c, 0, sizeof(*c));
	c->state = CP_AGW_LIVE;
	c->rtp.mirror = 1;
	c->rtp.yielded = yielded;
	c->rtp.created_ms = cp->now_ms > m->age_ms ? cp->now_ms - m->age_ms : 0;
	memcpy(c->rtp.term, m->s.ctx.term, sizeof(c->rtp.term));
	c->rtp.st_ms = cp->now_ms;
	for (unsigned int i = 0; i < 2; i++) {
		struct ipc_rtp_term *t = &c->rtp.term[i];
		struct ipc_rtp_stats *st = &c->rtp.st[i];

		if (t->profile == IPC_RTP_NONE)
			continue;
		st->latched = m->s.st[i].latched;
		st->ice = m->s.st[i].ice;
		st->rtp_src = m->s.st[i].rtp_src;
		st->rtcp_src = m->s.st[i].rtcp_src;
		st->srtp_rx = m->s.st[i].srtp_rx;
		st->srtp_tx = m->s.st[i].srtp_tx;
		c->rtp.inactive[i] = m->s.st[i].inactive;
		/* this box's agw.peers judges the peer's addresses as it judges
		 * a door's: one it refuses is dropped, the rest kept */
		if (mirror_addr_refused(cp, i, &t->remote)) {
			memset(&t->remote, 0, sizeof(t->remote));
			t->remote_rtcp = 0;
		}
		if (mirror_addr_refused(cp, i, &st->rtp_src) ||
		    mirror_addr_refused(cp, i, &st->rtcp_src)) {
			st->latched = 0;
			memset(&st->rtp_src, 0, sizeof(st->rtp_src));
			memset(&st->rtcp_src, 0, sizeof(st->rtcp_src));
		}
		memset(&t->ice.nominated, 0, sizeof(t->ice.nominated));
		if (t->serial > c->serial_next)
			c->serial_next = t->serial;
		if (aidx[i] >= 0) {
			c->rtp.aidx[i] = (uint8_t)aidx[i];
			term_ports(r, (unsigned int)aidx[i], t, true);
		}
		agw_rtp_dtls_restored(t, &c->rtp.dtls[i]);
		if (t->bundle.role != IPC_RTP_BUNDLE_NONE)
			r->bundle_dirty = true;
	}
	agw_rtp_keys_keep(r, c);
	agw_ctx_restored(cp->agw, c, m->id, door, tenant,
			 cp->wall_ms > m->age_ms ? cp->wall_ms - m->age_ms : 0);
	snprintf(c->label, sizeof(c->label), "%s", m->label);
	return 0;
}

int
cp_agw_rtp_mirror_del(struct cp_ctx *cp, uint64_t id)
{
	struct cp_agw_ctx *c = rtp_of(cp) != NULL ? ctx_of_id(cp, id) : NULL;

	if (c == NULL)
		return -ENOENT;
	if (!c->rtp.mirror)
		return -EBUSY;
	ctx_free(cp, c);
	return 0;
}

/* A send direction's positions ahead packets on (the mirror's bound). */
static void
pos_plus(struct ipc_srtp_pos *p, uint32_t ahead)
{
	for (unsigned int k = 0; k < p->nstreams && k < IPC_SRTP_SSRCS; k++) {
		uint64_t at = (uint64_t)p->stream[k].roc << 16 | p->stream[k].seq;

		at = at > 0xffffffffffffull - ahead ? 0xffffffffffffull : at + ahead;
		p->stream[k].roc = (uint32_t)(at >> 16);
		p->stream[k].seq = (uint16_t)at;
	}
	if (p->srtcp_index != 0)
		p->srtcp_index = p->srtcp_index < (1u << 31) - 1u - ahead ?
				 p->srtcp_index + ahead : (1u << 31) - 1u;
}

unsigned int
cp_agw_rtp_mirror_takeover(struct cp_ctx *cp, uint32_t ahead)
{
	struct agw_rtp_state *r = rtp_of(cp);
	uint32_t n = cp_agw_rtp_mirror_cap(cp);
	unsigned int taken = 0;

	if (r == NULL)
		return 0;
	agw_rtp_bundle_sync(cp);
	for (uint32_t k = 0; k < n; k++) {
		struct cp_agw_ctx *c = &tab_of(cp)->ctx[k];

		if (c->id == 0 || !c->rtp.mirror)
			continue;
		c->rtp.mirror = 0;
		/* (what the box before protected since it last told its cp,
		 * which the mirror carried within its bound: past it, then as
		 * a restarted dp's, keys_carry()) */
		for (unsigned int i = 0; i < 2; i++) {
			pos_plus(&c->rtp.st[i].srtp_tx, ahead);
			if (c->rtp.term[i].srtp_tx.suite != 0 && c->rtp.st[i].srtp_tx.srtcp_index == 0)
				c->rtp.st[i].srtp_tx.srtcp_index = ahead;
		}
		readd_prepare(c);
		taken++;
	}
	if (taken == 0)
		return 0;
	readd_members(cp);
	r->readd_next = 0;
	r->readd_pass = 0;
	r->take.at_ms = cp->now_ms;
	r->take.since = cp_agw_changes(cp);
	r->take.n = taken;
	r->take.sent_ms = -1;
	r->take.installed_ms = -1;
	r->take.sending = true;
	return taken;
}

int
cp_agw_rtp_takeover_figures(const struct cp_ctx *cp, uint32_t *n, int64_t *sent_ms,
			    int64_t *installed_ms)
{
	const struct agw_rtp_state *r = rtp_of(cp);

	if (r == NULL || r->take.n == 0)
		return -ENOENT;
	*n = r->take.n;
	*sent_ms = r->take.sent_ms;
	*installed_ms = r->take.installed_ms;
	return 0;
}

/*
 * Held at once, its RTP_DEL in the backlog (docs/design/ha.md §4 S3).
 * Before, a context whose RTP_DEL found the ring full stayed this box's
 * own until the next heartbeat: the peer's records over it were refused
 * (-EBUSY), and a role back here meanwhile went on from its dp's stale
 * SRTP positions (an index twice under a key). Now the context is the
 * peer's from the step-down whatever the ring: the peer's records
 * replace it, and a role back before the ring drains takes it as a
 * takeover takes any held one (cp_agw_rtp_mirror_takeover(): the
 * positions mirrored, or cp's last, past the bound), its RTP_ADD behind
 * the RTP_DEL in the worker's ring (agw_send() sends the backlog first).
 * Chosen over keeping the role from a box with a backlog: no wait on a
 * ring, no say in cp/ha's role machine or switchover, and a takeover is
 * never held up by its own dp's ring.
 */
unsigned int
cp_agw_rtp_mirror_yield(struct cp_ctx *cp)
{
	struct agw_rtp_state *r = rtp_of(cp);
	uint32_t n = cp_agw_rtp_mirror_cap(cp);
	unsigned int yielded = 0;

	if (r == NULL)
		return 0;
	agw_rtp_bundle_sync(cp);
	/* BUNDLE members first, then the rest (one worker's ring keeps the
	 * order: dp never holds a member without its owner) */
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (uint32_t k = 0; k < n; k++) {
			struct cp_agw_ctx *c = &tab_of(cp)->ctx[k];

			if (c->id == 0 || c->rtp.mirror || c->state == CP_AGW_RELEASING ||
			    (agw_rtp_is_member(&c->rtp.term[0]) ||
			     agw_rtp_is_member(&c->rtp.term[1])) != (pass == 0))
				continue;
			/* (one a restarted dp has not been given yet is in no dp) */
			if (!c->rtp.readd) {
				/* (the id's worker is the slot's: c->worker's) */
				unsigned int w = ipc_conn_worker(c->id);

				if (r->nydel >= n || w >= IPC_MAX_WORKERS)
					continue;     /* (cannot be: one a slot) */
				r->ydel[r->nydel++] = c->id;
				r->ydue[w]++;
				/* (what dp says of it until the RELEASED is the
				 * stale one's, even once it is this box's again) */
				if (c->rtp.yielded < UINT8_MAX)
					c->rtp.yielded++;
			}
			c->rtp.readd = 0;
			c->rtp.mirror = 1;
			yielded++;
		}
	}
	(void)yield_flush_all(cp);
	return yielded;
}

uint32_t
cp_agw_rtp_mirror_yield_pending(const struct cp_ctx *cp)
{
	const struct agw_rtp_state *r = rtp_of(cp);

	return r != NULL ? (uint32_t)r->nydel : 0;
}

bool
cp_agw_rtp_mirror_quiet(const struct cp_ctx *cp, uint64_t id)
{
	const struct cp_agw_ctx *c = rtp_of(cp) != NULL ? ctx_of_id(cp, id) : NULL;

	return c != NULL && agw_rtp_not_dps(c);
}

#undef ERR

static bool
rtp_slot_empty(const struct cp_agw_ctx *c, unsigned int term)
{
	return c->rtp.term[term].profile == IPC_RTP_NONE;
}

const struct agw_kind_ops agw_rtp_ops = {
	.name = "rtp",
	.slot = "termination",
	.slot_taken = "termination %u of context %" PRIu64 " is there: subtract it first",
	.slot_none = "termination %u of context %" PRIu64 " is not there",
	.ipc_event = IPC_RTP_EVENT,
	.ipc_state = IPC_RTP_STATE,
	.init = rtp_init,
	.fini = rtp_fini,
	.ready = rtp_ready,
	.slot_empty = rtp_slot_empty,
	.create = rtp_create,
	.add = rtp_add,
	.modify = rtp_modify,
	.subtract = rtp_subtract,
	.release = rtp_release,
	.dp_event = rtp_dp_event,
	.dp_state = rtp_dp_state,
	.dp_restart = rtp_dp_restart,
	.serve = rtp_serve,
	.json = agw_rtp_json,
	.ev_name = agw_rtp_ev_name,
	.event_json = agw_rtp_event_json,
	.status = agw_rtp_status,
	.metrics = agw_rtp_metrics,
};
