/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's rules for one termination, every door's (agw_term_check(),
 * the C API's before anything goes to dp): what each TCP and TLS role
 * needs, agw.peers for a remote, dp's addresses and routes for a local
 * one, the server ports of agw.ports, DSCP and policing, and the
 * fingerprints (RFC 8122) a TLS leg's peer is trusted by; and what a
 * modify may change of who takes a leg (it narrows only).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../cp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "certfp.h"
#include "cp_agw.h"
#include "ipc.h"
#include "tp_conf.h"

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

static unsigned int
alen(uint8_t family)
{
	return family == 6 ? 16u : 4u;
}

/* ip is an address of one of dp's ports (the configuration's). */
static bool
addr_is_ours(const struct tp_conf *conf, uint8_t family, const uint8_t *ip)
{
	for (unsigned int i = 0; i < conf->dp.nports; i++) {
		const struct tp_conf_port *p = &conf->dp.ports[i];

		if (family == 4 ? p->has_ip4 && memcmp(p->ip4, ip, 4) == 0 :
		    p->has_ip6 && memcmp(p->ip6, ip, 16) == 0)
			return true;
	}
	return false;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i + 8 <= plen; i += 8)
		if (a[i / 8] != b[i / 8])
			return false;
	if (i < plen) {
		uint8_t m = (uint8_t)(0xffu << (8 - (plen - i)));

		return (a[i / 8] & m) == (b[i / 8] & m);
	}
	return true;
}

bool
cp_agw_route_src(const struct tp_conf *conf, uint8_t family, const uint8_t *ip, uint8_t *out)
{
	const struct tp_conf_port *gw = NULL;

	for (unsigned int i = 0; i < conf->dp.nports; i++) {
		const struct tp_conf_port *p = &conf->dp.ports[i];

		if (family == 4 && p->has_ip4) {
			if (prefix_match(p->ip4, ip, p->plen4)) {
				memcpy(out, p->ip4, 4);
				return true;
			}
			if (p->has_gw4 && gw == NULL)
				gw = p;
		} else if (family == 6 && p->has_ip6) {
			if (prefix_match(p->ip6, ip, p->plen6)) {
				memcpy(out, p->ip6, 16);
				return true;
			}
			if (p->has_gw6 && gw == NULL)
				gw = p;
		}
	}
	if (gw == NULL)
		return false;
	memcpy(out, family == 4 ? gw->ip4 : gw->ip6, alen(family));
	return true;
}

int
agw_term_check(struct cp_ctx *cp, unsigned int i, struct ipc_agw_term *t, bool accept_any,
	       char *err, size_t errlen)
{
	const struct tp_conf *conf = cp->conf;
	char rs[64];

	if (t->tcp_role != IPC_AGW_TCP_CLIENT && t->tcp_role != IPC_AGW_TCP_SERVER)
		ERR("leg %u: \"tcp\" must be \"client\" or \"server\"", i);
	if (t->tls_role > IPC_AGW_TLS_SERVER)
		ERR("leg %u: \"tls\" must be \"none\", \"server\" or \"client\"", i);
	if (t->tls_role != IPC_AGW_TLS_NONE && !conf->tls.enabled)
		ERR("leg %u: TLS legs need the tls group in the configuration", i);
	if (t->remote.family != 0) {
		/* agw.peers, for either role: a client leg's remote is where
		 * dp connects from its own addresses (an internal host named
		 * in a hostile SDP), a server leg's the only peer it takes */
		struct cp_addr in = { .family = t->remote.family, .port = t->remote.port };
		enum cp_policy_verdict pv;

		cp_api_addr_str(&t->remote, t->remote.port != 0, rs, sizeof(rs));
		if (cp->agw->policy == NULL)
			ERR("leg %u: agw.peers is not in force (cp could not build it)", i);
		memcpy(in.ip, t->remote.ip, 16);
		if (in.port == 0)
			in.port = 9;    /* (a server's peer from any port: the address is judged) */
		pv = cp_policy_check(cp->agw->policy, &in, NULL);
		if (pv != CP_POLICY_ACCEPT) {
			cp->agw->stats[CP_AGW_STAT_REMOTE_REFUSED]++;
			snprintf(err, errlen, "leg %u: remote %s is refused by agw.peers: %s", i, rs,
				 cp_policy_verdict_describe(pv));
			return -EACCES;
		}
	}
	if (t->tcp_role == IPC_AGW_TCP_SERVER) {
		if (t->local.family == 0)
			ERR("leg %u: a server leg needs \"local\": the address (and port) to "
			    "accept on", i);
		if (t->local.port != 0 && (t->local.port < cp->agw->port_min ||
					   t->local.port > cp->agw->port_max))
			ERR("leg %u: port %u is outside agw.ports [%u, %u]", i, t->local.port,
			    cp->agw->port_min, cp->agw->port_max);
		if (t->remote.family != 0 && t->remote.family != t->local.family)
			ERR("leg %u: remote and local are of different families", i);
	} else {
		if (t->remote.family == 0 || t->remote.port == 0)
			ERR("leg %u: a client leg needs \"remote\": the address and port to "
			    "connect to", i);
		if (t->local.family != 0 && t->local.port != 0)
			ERR("leg %u: a client leg's local port is dp's to pick (one that steers "
			    "the replies to its worker): give the address only", i);
		if (t->local.family != 0 && t->local.family != t->remote.family)
			ERR("leg %u: remote and local are of different families", i);
		if (t->local.family == 0) {
			t->local.family = t->remote.family;  /* address: dp's route */
			if (!cp_agw_route_src(conf, t->remote.family, t->remote.ip, t->local.ip))
				ERR("leg %u: no route to the remote address", i);
		}
	}
	if (!addr_is_ours(conf, t->local.family, t->local.ip)) {
		char a[64];

		cp_api_addr_str(&t->local, false, a, sizeof(a));
		ERR("leg %u: %s is not an address of dp's ports", i, a);
	}
	if (t->dscp > IPC_AGW_DSCP_MAX)
		ERR("leg %u: DSCP %u is not a code point (0 to %u)", i, t->dscp, IPC_AGW_DSCP_MAX);
	if (t->pol_rate != 0 && t->pol_burst == 0)
		ERR("leg %u: policing at %u bytes a second needs a burst size", i, t->pol_rate);
	if (t->pol_rate == 0)
		t->pol_burst = 0;
	if (t->nfp > IPC_AGW_FP_MAX)
		ERR("leg %u: %u fingerprints, at most %u", i, t->nfp, IPC_AGW_FP_MAX);
	for (unsigned int k = 0; k < t->nfp; k++) {
		static const uint8_t fp_len[5] = { 0, 20, 32, 48, 64 };

		if (t->fp[k].alg < 1 || t->fp[k].alg > 4 || t->fp[k].len != fp_len[t->fp[k].alg])
			ERR("leg %u: fingerprint %u: not sha-1, sha-256, sha-384 or sha-512 of "
			    "its length", i, k + 1);
	}
	if (t->nfp > 0 && t->tls_role != IPC_AGW_TLS_NONE && !conf->agw.allow_sha1) {
		struct certfp got[IPC_AGW_FP_MAX];

		for (unsigned int k = 0; k < t->nfp; k++) {
			memset(&got[k], 0, sizeof(got[k]));
			got[k].alg = t->fp[k].alg;
			got[k].len = t->fp[k].len;
			memcpy(got[k].md, t->fp[k].md, sizeof(got[k].md));
		}
		/* dp judges the strongest hash signalled only (RFC 8122 §5) and
		 * refuses sha-1 as that hash unless allowed: say so now, not at
		 * the handshake */
		if (certfp_strongest(got, t->nfp) == CERTFP_SHA1)
			ERR("leg %u: only sha-1 fingerprints given, and agw.allow_sha1 is off "
			    "(sha-1 is too weak to trust the peer by): give the peer's sha-256, "
			    "sha-384 or sha-512 a=fingerprint as SDP signalled it, or set "
			    "agw.allow_sha1 = true in the configuration", i);
	}
	/* A plain server leg is taken by the first connection it accepts:
	 * without the peer's address that is whoever connects first (port
	 * scans find agw.ports), spliced into the other leg's stream. */
	if (t->tcp_role == IPC_AGW_TCP_SERVER && t->tls_role == IPC_AGW_TLS_NONE &&
	    t->remote.family == 0 && !accept_any)
		ERR("leg %u: a server leg without TLS needs \"remote\": the address the "
		    "controller observed for the peer (behind a NAT, the NAT's; with its port "
		    "when known), since the first connection from anywhere else would take the "
		    "leg; give \"accept_any\": true to accept any peer knowingly", i);
	if (accept_any && (t->tcp_role != IPC_AGW_TCP_SERVER || t->tls_role != IPC_AGW_TLS_NONE ||
			   t->remote.family != 0))
		ERR("leg %u: \"accept_any\" is for a server leg without TLS and without "
		    "\"remote\" only (a TLS leg is taken by the signalled certificate)", i);
	if (t->tls_role != IPC_AGW_TLS_NONE && t->nfp == 0)
		ERR("leg %u: a TLS leg needs the peer's certificate fingerprint(s) signalled in "
		    "SDP (RFC 8122): the peer is trusted by them only", i);
	if (t->tls_role == IPC_AGW_TLS_NONE && t->nfp != 0)
		ERR("leg %u: fingerprints given for a leg without TLS", i);
	if (t->cred != 0 && t->tls_role == IPC_AGW_TLS_NONE)
		ERR("leg %u: a certificate given for a leg without TLS", i);
	if (t->cred > conf->agw.ncerts)
		ERR("leg %u: certificate %u is not in agw.certificates", i, t->cred);
	return 0;
}

static bool
addr_same(const struct ipc_addr *a, const struct ipc_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       (a->family == 0 || memcmp(a->ip, b->ip, alen(a->family)) == 0);
}

static bool
fp_held(const struct ipc_agw_term *t, const struct ipc_agw_fp *fp)
{
	for (unsigned int k = 0; k < t->nfp; k++)
		if (t->fp[k].alg == fp->alg && t->fp[k].len == fp->len &&
		    memcmp(t->fp[k].md, fp->md, fp->len) == 0)
			return true;
	return false;
}

int
agw_mod_check(unsigned int i, const struct ipc_agw_term *cur, uint8_t state,
	      const struct ipc_agw_term *n, char *err, size_t errlen)
{
	bool fp_same = n->nfp == cur->nfp;

	/* A Modify that brought a fingerprint of its own would let its
	 * sender's certificate take a waiting TLS leg (the other leg's
	 * stream spliced to it): the peer's fingerprints are the Add's, a
	 * Modify keeps or drops them (Subtract and Add for another peer). */
	for (unsigned int k = 0; k < n->nfp; k++) {
		if (!fp_held(cur, &n->fp[k])) {
			snprintf(err, errlen, "leg %u: fingerprint %u was not signalled when the "
				 "termination was added: a modify keeps or drops the peer's "
				 "fingerprints, it does not bring others (subtract the leg and "
				 "add another for another peer)", i, k + 1);
			return -EPERM;
		}
		fp_same = fp_same && fp_held(n, &cur->fp[k]);
	}
	/* Once a connection took a TLS leg, its peer is the one whose
	 * certificate matched: a new remote or fingerprints would describe
	 * another peer than the one spliced. */
	if (cur->tls_role != IPC_AGW_TLS_NONE && state != CP_AGW_LEG_WAITING &&
	    (!addr_same(&cur->remote, &n->remote) || !fp_same)) {
		snprintf(err, errlen, "leg %u: its TLS peer connected and proved to be the "
			 "signalled one: its remote and fingerprints stay as they are", i);
		return -EPERM;
	}
	return 0;
}
