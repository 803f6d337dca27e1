/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sdp_derive(): what one TCP leg of the access gateway (MSRP or BFCP, over
 * TCP or TLS) needs from its Local and Remote: the TCP role by RFC 4145's
 * offer/answer rules (and so the TLS role, RFC 8122: the end that connects
 * is the TLS client), the peer's fingerprints, the addresses. See sdp.h and
 * FEATURE.md ("One termination"); the sides' rules both derivers apply are
 * sdp_side.c's.
 */
#include <errno.h>
#include <string.h>

#include "sdp_internal.h"

/* A TCP proto under its media type: MSRP under m=message, BFCP under
 * m=application. */
static int
check_media(const struct sdp *d, unsigned int who, struct sdp_error *err)
{
	const struct sdp_media *m = &d->media;
	int rc;

	if ((rc = sdp_has_media(d, who, err)) < 0)
		return rc;
	if (sdp_proto_media(m->proto) == SDP_MEDIA_OTHER)
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP,
			    "%s: proto %s is not TCP/MSRP, TCP/TLS/MSRP, TCP/BFCP or TCP/TLS/BFCP",
			    sdp_side_name[who], m->proto_str);
	if (sdp_proto_media(m->proto) != m->type)
		return sdp_fail(err, SDP_E_PROTO, m->line, -ENOTSUP, "%s: %s under m=%s (it is m=%s)",
			    sdp_side_name[who], m->proto_str, m->media_str,
			    sdp_media_names[sdp_proto_media(m->proto)]);
	return 0;
}

/* RFC 4145 section 4.1: which of Local's explicit roles a Remote's setup
 * allows (active answers passive or actpass, passive answers active or
 * actpass, holdconn answers anything; holdconn is answered by holdconn). */
static bool
setup_fits(uint8_t ours, uint8_t theirs)
{
	switch (theirs) {
	case SDP_SETUP_NONE:
	case SDP_SETUP_ACTPASS:
	case SDP_SETUP_CHOOSE:
		return true;
	case SDP_SETUP_ACTIVE:
		return ours == SDP_SETUP_PASSIVE || ours == SDP_SETUP_HOLDCONN;
	case SDP_SETUP_PASSIVE:
		return ours == SDP_SETUP_ACTIVE || ours == SDP_SETUP_HOLDCONN;
	case SDP_SETUP_HOLDCONN:
		return ours == SDP_SETUP_HOLDCONN;
	default:
		return false;
	}
}

static int
derive_role(const struct sdp_media *lm, const struct sdp_media *rm, unsigned int flags,
	    struct sdp_term *t, struct sdp_error *err)
{
	uint8_t ls = lm != NULL ? lm->setup : SDP_SETUP_NONE;
	uint8_t rs = rm != NULL ? rm->setup : SDP_SETUP_NONE;
	bool prefer_client = (flags & SDP_PREFER_CLIENT) != 0;

	if (ls == SDP_SETUP_ACTIVE || ls == SDP_SETUP_PASSIVE || ls == SDP_SETUP_HOLDCONN) {
		if (!setup_fits(ls, rs))
			return sdp_fail(err, SDP_E_ROLE_CONFLICT, 0, -EINVAL,
				    "Local's a=setup:%s (line %u) does not answer Remote's "
				    "a=setup:%s (line %u) (RFC 4145 section 4.1)",
				    sdp_setup_names[ls], lm->setup_line, sdp_setup_names[rs], rm->setup_line);
		t->role = ls == SDP_SETUP_ACTIVE ? SDP_ROLE_CLIENT :
			  ls == SDP_SETUP_PASSIVE ? SDP_ROLE_SERVER : SDP_ROLE_NONE;
		t->why_role = ls == SDP_SETUP_ACTIVE ? "Local's a=setup:active: the controller has "
						       "us connect" :
			      ls == SDP_SETUP_PASSIVE ? "Local's a=setup:passive: the controller has "
							"us accept" :
			      "Local's a=setup:holdconn: no connection yet";
		return 0;
	}
	switch (rs) {
	case SDP_SETUP_ACTIVE:
		t->role = SDP_ROLE_SERVER;
		t->why_role = "Remote's a=setup:active: the peer connects, we accept (RFC 4145)";
		return 0;
	case SDP_SETUP_PASSIVE:
		t->role = SDP_ROLE_CLIENT;
		t->why_role = "Remote's a=setup:passive: the peer accepts, we connect (RFC 4145)";
		return 0;
	case SDP_SETUP_HOLDCONN:
		t->role = SDP_ROLE_NONE;
		t->why_role = "Remote's a=setup:holdconn: no connection yet (RFC 4145)";
		return 0;
	case SDP_SETUP_ACTPASS:
	case SDP_SETUP_CHOOSE:
		t->role = prefer_client ? SDP_ROLE_CLIENT : SDP_ROLE_SERVER;
		t->why_role = prefer_client ?
			      "Remote's a=setup:actpass leaves it to us: active, as configured" :
			      "Remote's a=setup:actpass leaves it to us: passive, the gateway at the "
			      "access edge is reachable where a UE behind NAT is not";
		return 0;
	default:
		break;
	}
	if (rm == NULL) {
		t->role = prefer_client ? SDP_ROLE_CLIENT : SDP_ROLE_SERVER;
		t->why_role = prefer_client ?
			      "no Remote yet and Local leaves it to us: active, as configured" :
			      "no Remote yet and Local leaves it to us: passive, the gateway at the "
			      "access edge is reachable where a UE behind NAT is not";
		return 0;
	}
	/* RFC 4145 section 4.1: without a=setup the offerer is active and
	 * the answerer passive; only the caller knows which Remote was. */
	if (flags & SDP_REMOTE_OFFER) {
		t->role = SDP_ROLE_SERVER;
		t->why_role = "Remote, the offer, has no a=setup: active by default, we accept "
			      "(RFC 4145)";
		return 0;
	}
	if (flags & SDP_REMOTE_ANSWER) {
		t->role = SDP_ROLE_CLIENT;
		t->why_role = "Remote, the answer, has no a=setup: passive by default, we connect "
			      "(RFC 4145)";
		return 0;
	}
	return sdp_fail(err, SDP_E_SETUP_MISSING, 0, -EINVAL,
		    "Remote has no a=setup and Local none that decides: RFC 4145's default "
		    "depends on which was the offer");
}

int
sdp_derive(const struct sdp *local, const struct sdp *remote, unsigned int flags,
	   struct sdp_term *out, struct sdp_error *err)
{
	const struct sdp_media *lm = local != NULL ? &local->media : NULL;
	const struct sdp_media *rm = remote != NULL ? &remote->media : NULL;
	struct sdp_side ls, rs;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sdp_pair_given(local, remote, err)) < 0)
		goto out_zero;
	if ((flags & ~(SDP_PREFER_CLIENT | SDP_REMOTE_OFFER | SDP_REMOTE_ANSWER)) != 0 ||
	    ((flags & SDP_REMOTE_OFFER) && (flags & SDP_REMOTE_ANSWER))) {
		rc = sdp_fail(err, SDP_E_SETUP_MISSING, 0, -EINVAL, "flags 0x%x are not valid", flags);
		goto out_zero;
	}
	if ((local != NULL && (rc = check_media(local, 0, err)) < 0) ||
	    (remote != NULL && (rc = check_media(remote, 1, err)) < 0))
		goto out_zero;
	if (lm != NULL && rm != NULL && lm->proto != rm->proto) {
		rc = sdp_fail(err, SDP_E_PROTO_MISMATCH, 0, -EINVAL,
			  "Local is %s, Remote %s: one leg has one transport", lm->proto_str,
			  rm->proto_str);
		goto out_zero;
	}
	out->proto = (rm != NULL ? rm : lm)->proto;
	out->media = sdp_proto_media(out->proto);
	out->tls = sdp_proto_tls(out->proto);
	rc = derive_role(lm, rm, flags, out, err);
	if (rc < 0)
		goto out_zero;
	out->connection = rm != NULL && rm->connection != SDP_CONNECTION_NONE ? rm->connection :
			  lm != NULL && lm->connection != SDP_CONNECTION_NONE ? lm->connection :
			  SDP_CONNECTION_NEW;

	/* our side: `$` or nothing is ours to pick */
	if (lm != NULL)
		out->fp_asked = lm->fp_choose;
	rc = sdp_local_side(lm, &ls, err);
	if (rc < 0)
		goto out_zero;
	out->local_addr_choose = ls.addr_choose;
	out->local_port_choose = ls.port_choose;
	out->local_family = ls.family;
	out->local_port = ls.port;
	memcpy(out->local_ip, ls.ip, 16);

	if (rm == NULL)
		return 0;
	out->remote_known = true;
	rc = sdp_remote_side(rm, ls.family, &rs, err);
	if (rc < 0)
		goto out_zero;
	out->remote_family = rs.family;
	memcpy(out->remote_ip, rs.ip, 16);
	/* the peer's port is where we connect; an active peer's (port 9 by
	 * RFC 4145's advice) is not the port it connects from */
	out->remote_port = out->role == SDP_ROLE_SERVER ? 0 : rm->port;
	if (out->tls) {
		if (rm->nfp == 0) {
			rc = sdp_fail(err, SDP_E_NO_FINGERPRINT, rm->line, -EINVAL,
				  "Remote is %s without a=fingerprint: the peer's certificate could "
				  "not be checked (RFC 8122)", rm->proto_str);
			goto out_zero;
		}
		out->nfp = rm->nfp;
		memcpy(out->fp, rm->fp, sizeof(out->fp));
	}
	return 0;

out_zero:
	memset(out, 0, sizeof(*out));
	return rc;
}
