/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BUNDLE on a call (RFC 9143; FEATURE.md "BUNDLE"): bundle=accept on a
 * browser's bundled offer takes its group onto one transport of ours.
 * Each section stays one context; the offerer's termination of the
 * group's first relayed section (in the group's order) is cp/agw's OWNER
 * (its port, ICE, DTLS-SRTP are the group's), the others' are MEMBERs of
 * it (no port, ICE, DTLS or key of their own). What is here:
 *   - the plan, before anything is made (ng_bundle_plan()): which of an
 *     offer's sections are bundled and how, turnpike's rules for a group
 *     it bundles (ng_sdp_bundle_check()), rtcp-mux (RFC 9143 section 9.3),
 *     a section of the group that is not RTP refused (port 0), a
 *     bundle-only one (port 0, "max-bundle") a member,
 *     what v1 does not do refused (an unbundled termination made a
 *     group's, a bundled call unbundled, the owner's section dropped, a
 *     second group);
 *   - a section's BUNDLE as cp/agw takes it (ng_bundle_of());
 *   - what the bundled side hears (ng_bundle_out()): our a=group:BUNDLE,
 *     every bundled section on the owner's address and port with the
 *     owner's ICE and DTLS-SRTP lines (a browser refuses a bundled
 *     section without them), its a=mid, a=rtcp-mux; no MID a=extmap
 *     (dp inserts no MID: a browser that negotiated the extension
 *     would drop our media, struct ng_sdp_out_media's bundled).
 * The other side hears each section on its own port, the group's lines
 * gone (ng_sdp.c's unbundle), as rtpengine 10.5 relays a bundled offer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ng_internal.h"

static bool
is_mid(const struct ng_sdp_media *md, const char *mid)
{
	return md->mid[0] != '\0' && strcmp(md->mid, mid) == 0;
}

/* The plan of group gi of the offer (g->sdp) from side o into pl: its
 * relayed sections, the first of them with a port in the group's order
 * the owner, the others (bundle-only ones of port 0 too) members; one not
 * RTP refused. A section of the call's already keeps its role (a
 * re-offer: members modified in place, a new section a new member).
 * 1: the group has an owner, 0: none (nothing of it bundled), or -errno
 * with err (the refusals of ng_bundle_plan()). */
static int
plan_group(const struct cp_ng *g, const struct ng_call *c, unsigned int had, unsigned int gi,
	   unsigned int o, const struct ng_req *r, struct ng_bundle_plan *pl, char *err,
	   size_t errlen)
{
	const struct ng_sdp *d = g->sdp;
	const struct sdp_group *gr = &d->group[gi];
	int owner = -1;

	/* (the sections with a port first, the owner among them; then the
	 * bundle-only ones, port 0: members, RFC 9143 section 7.2) */
	for (unsigned int pass = 0; pass < 2; pass++)
	for (unsigned int t = 0; t < gr->ntag; t++) {
		const struct ng_sdp_media *md = NULL;
		const struct ng_stream *st;
		unsigned int i;
		bool only;

		for (i = 0; i < d->nmedia; i++)
			if (d->media[i].bundle == gi + 1 && is_mid(&d->media[i], gr->tag[t])) {
				md = &d->media[i];
				break;
			}
		only = md != NULL && md->relay && md->m.port == 0 && md->m.bundle_only;
		if (pass == 1 && !(only && owner >= 0))
			continue;
		/* (not RTP, port 0, past lib/sdp's limits: not bundled, the
		 * section goes as ng_sdp_may_pass() says) */
		if (pass == 0 && md != NULL && i < had && c->s[i].ctx != 0 &&
		    c->s[i].bdl_role == NG_BDL_OWNER && c->s[i].bdl_side == o &&
		    (!md->relay || md->m.port == 0)) {
			snprintf(err, errlen, "Not unbundled: mid %s's section (line %u) is the BUNDLE "
				 "group's transport: it does not end while the group lasts (not done "
				 "here)", md->mid, md->first_line + 1u);
			return -EOPNOTSUPP;
		}
		/* (a data channel: turnpike bundles RTP only; it is answered
		 * port 0, RFC 9143 section 7.3.3, whatever ng.pass_through) */
		if (pass == 0 && md != NULL && !md->rtp && !md->off) {
			pl->refuse[i] = 1;
			continue;
		}
		if (pass == 0 && (md == NULL || !md->relay || md->m.port == 0))
			continue;
		if (!md->m.rtcp_mux || (r->flags & NG_F_MUX_REJECT)) {
			snprintf(err, errlen, "Not bundled: mid %s's section (line %u) %s: a BUNDLE "
				 "group's RTP and RTCP share its transport (RFC 9143 section 9.3)",
				 md->mid, md->m.line, md->m.rtcp_mux ? "under rtcp-mux-reject" :
				 "has no a=rtcp-mux");
			return -EINVAL;
		}
		st = &c->s[i];
		if (i < had && st->ctx != 0) {
			bool first = owner < 0;

			if (st->bdl_role == NG_BDL_NONE || st->bdl_side != o) {
				snprintf(err, errlen, "Not bundled: mid %s's section (line %u) was "
					 "relayed unbundled before: its termination is not made a "
					 "BUNDLE group's in place (its ICE, DTLS-SRTP and SRTP would "
					 "start again)", md->mid, md->m.line);
				return -EOPNOTSUPP;
			}
			if (first != (st->bdl_role == NG_BDL_OWNER) ||
			    (!first && st->bdl_owner != (unsigned int)owner)) {
				snprintf(err, errlen, "Not bundled: mid %s's section (line %u) %s the "
					 "group's first before: a group's transport stays its own "
					 "(RFC 9143 section 7.2)", md->mid, md->m.line,
					 first ? "was not" : "was");
				return -EOPNOTSUPP;
			}
			/* (refused here, before the streams' bdl_ext change:
			 * cp/agw's modify would refuse it after) */
			if (st->bdl_ext != sdp_extmap_id(&md->m, SDP_EXT_MID)) {
				snprintf(err, errlen, "Not bundled: mid %s's section (line %u) gives "
					 "the MID header extension id %u, the group's is %u: it "
					 "stays while the group lasts (dp demultiplexes on it; not "
					 "done here)", md->mid, md->m.line,
					 sdp_extmap_id(&md->m, SDP_EXT_MID), st->bdl_ext);
				return -EOPNOTSUPP;
			}
		}
		if (owner < 0) {
			owner = (int)i;
			pl->role[i] = NG_BDL_OWNER;
		} else {
			pl->role[i] = NG_BDL_MEMBER;
			pl->owner[i] = (uint8_t)owner;
		}
		pl->ext[i] = (uint8_t)sdp_extmap_id(&md->m, SDP_EXT_MID);
	}
	return owner >= 0;
}

int
ng_bundle_plan(const struct cp_ng *g, const struct ng_call *c, unsigned int had, unsigned int o,
	       const struct ng_req *r, struct ng_bundle_plan *pl, char *err, size_t errlen)
{
	const struct ng_sdp *d = g->sdp;
	struct sdp_error se;
	unsigned int groups = 0;
	int rc, side = -1;

	memset(pl, 0, sizeof(*pl));
	for (unsigned int i = 0; i < had; i++)
		if (c->s[i].ctx != 0 && c->s[i].bdl_role != NG_BDL_NONE)
			side = c->s[i].bdl_side;
	if (side >= 0 && (unsigned int)side != o)
		return 0;       /* (the other side's offer: its sections are not bundled) */
	if (!(r->flags & NG_F_BUNDLE_ACCEPT)) {
		if (side < 0)
			return 0;
		snprintf(err, errlen, "Not unbundled: the call's media are bundled "
			 "(bundle=accept), and a re-offer without bundle=accept would give each "
			 "section a transport of its own, which is not done here");
		return -EOPNOTSUPP;
	}
	if ((rc = ng_sdp_bundle_check(d, &se)) < 0) {
		snprintf(err, errlen, "Not bundled: %s", se.msg);
		return rc;
	}
	for (unsigned int gi = 0; gi < d->ngroup; gi++) {
		struct ng_bundle_plan one;

		memset(&one, 0, sizeof(one));
		rc = plan_group(g, c, had, gi, o, r, &one, err, errlen);
		if (rc < 0)
			return rc;
		for (unsigned int i = 0; i < NG_SDP_MEDIA_MAX; i++)
			pl->refuse[i] |= one.refuse[i];
		if (rc == 0)
			continue;
		if (++groups > 1) {
			snprintf(err, errlen, "Not bundled: a second BUNDLE group (line %u): one a "
				 "call here", d->group[gi].line);
			return -EOPNOTSUPP;
		}
		memcpy(pl->role, one.role, sizeof(pl->role));
		memcpy(pl->owner, one.owner, sizeof(pl->owner));
		memcpy(pl->ext, one.ext, sizeof(pl->ext));
	}
	/* what was bundled stays so: a member's section may end (port 0,
	 * its context with it), the owner's not (its transport is the
	 * group's), none may leave the group for a transport of its own */
	for (unsigned int i = 0; i < had && i < d->nmedia; i++) {
		const struct ng_stream *st = &c->s[i];
		const struct ng_sdp_media *md = &d->media[i];

		if (st->ctx == 0 || st->bdl_role == NG_BDL_NONE || pl->role[i] != NG_BDL_NONE)
			continue;
		if ((!md->relay || md->m.port == 0) && st->bdl_role == NG_BDL_MEMBER)
			continue;
		snprintf(err, errlen, "Not unbundled: mid %s's section (line %u) %s",
			 st->mid[o], d->media[i].first_line + 1u,
			 st->bdl_role == NG_BDL_OWNER && (!md->relay || md->m.port == 0) ?
			 "is the BUNDLE group's transport: it does not end while the group lasts "
			 "(not done here)" :
			 "was bundled: a transport of its own is not done here");
		return -EOPNOTSUPP;
	}
	return 0;
}

int
ng_bundle_owner_ends(const struct cp_ng *g, const struct ng_call *c, unsigned int had,
		     char *err, size_t errlen)
{
	const struct ng_sdp *d = g->sdp;

	for (unsigned int i = 0; i < had && i < d->nmedia; i++) {
		const struct ng_sdp_media *md = &d->media[i];
		unsigned int live = 0;

		if (c->s[i].ctx == 0 || c->s[i].bdl_role != NG_BDL_OWNER ||
		    (md->relay && md->m.port != 0))
			continue;
		for (unsigned int k = 0; k < c->nstreams; k++)
			live += k != i && c->s[k].ctx != 0 && c->s[k].bdl_role == NG_BDL_MEMBER &&
				c->s[k].bdl_owner == i;
		if (live == 0)
			continue;
		snprintf(err, errlen, "Not ended: the section of line %u (the bundled side's mid "
			 "%s) is the BUNDLE group's transport: it does not end while the group has "
			 "other sections (not done here)", md->first_line + 1u,
			 c->s[i].mid[c->s[i].bdl_side]);
		return -EOPNOTSUPP;
	}
	return 0;
}

void
ng_bundle_of(const struct ng_call *c, const struct ng_stream *st, const struct ng_sdp_media *md,
	     struct cp_agw_rtp_bundle *b)
{
	const char *mid = md->mid[0] != '\0' ? md->mid : st->mid[st->bdl_side];

	memset(b, 0, sizeof(*b));
	snprintf(b->mid, sizeof(b->mid), "%s", mid);
	if (st->bdl_role == NG_BDL_OWNER) {
		b->mid_ext = st->bdl_ext;
	} else {
		b->with = c->s[st->bdl_owner].ctx;
		b->with_term = st->bdl_side;
	}
	for (unsigned int k = 0; k < md->m.npt; k++)
		if (md->m.pt[k] < 128)
			b->pt[md->m.pt[k] / 8u] |= (uint8_t)(1u << (md->m.pt[k] % 8u));
	/* (a section of more, a simulcast's, signals none: dp learns them
	 * from its MID, cp/agw takes two) */
	if (md->m.nssrc <= IPC_RTP_BUNDLE_SSRCS) {
		b->nssrc = md->m.nssrc;
		for (unsigned int k = 0; k < md->m.nssrc; k++)
			b->ssrc[k] = md->m.ssrc[k];
	}
}

void
ng_bundle_out(const struct cp_ng *g, const struct ng_call *c, unsigned int s,
	      struct ng_sdp_rewrite *rw, struct ng_webrtc_lines *il, struct sdp_group *grp)
{
	const struct ng_sdp *d = g->sdp;
	int owner = -1;

	memset(grp, 0, sizeof(*grp));
	for (unsigned int i = 0; i < rw->nmedia && i < c->nstreams; i++)
		if (c->s[i].ctx != 0 && c->s[i].bdl_role == NG_BDL_OWNER && c->s[i].bdl_side == s &&
		    !rw->media[i].keep)
			owner = (int)i;
	if (owner < 0)
		return;
	/* the owner's mid first: its transport is the group's (the answer's
	 * first mid tags it, RFC 9143 section 7.3.1) */
	for (unsigned int pass = 0; pass < 2; pass++)
		for (unsigned int i = 0; i < rw->nmedia && i < c->nstreams; i++) {
			const struct ng_stream *st = &c->s[i];
			struct ng_sdp_out_media *out = &rw->media[i];
			const struct ng_sdp_out_media *oo = &rw->media[owner];

			if (st->ctx == 0 || st->bdl_side != s || out->keep ||
			    (pass == 0) != (i == (unsigned int)owner) ||
			    (st->bdl_role != NG_BDL_OWNER && st->bdl_owner != owner))
				continue;
			snprintf(grp->tag[grp->ntag++], sizeof(grp->tag[0]), "%s", st->mid[s]);
			out->rtcp_mux = true;
			out->rtcp_mux_only = true;
			out->bundled = true;
			if (pass == 0) {
				/* (the group names it: a section its SDP gave no
				 * a=mid, the other side's offer, gets ours) */
				if (d->media[i].mid[0] == '\0') {
					il[i].ours.mid = st->mid[s];
					out->webrtc = &il[i].ours;
				}
				continue;
			}
			/* a member: the owner's transport, ICE and DTLS-SRTP lines
			 * repeated (pointing into the owner's il[]), its own mid */
			out->family = oo->family;
			memcpy(out->ip, oo->ip, sizeof(out->ip));
			out->port = oo->port;
			out->rtcp_port = 0;
			out->crypto = oo->crypto;
			out->ncrypto = oo->ncrypto;
			if (oo->webrtc != NULL)
				il[i].ours = *oo->webrtc;
			else
				memset(&il[i].ours, 0, sizeof(il[i].ours));
			il[i].ours.mid = d->media[i].mid[0] == '\0' ? st->mid[s] : NULL;
			out->webrtc = oo->webrtc != NULL || il[i].ours.mid != NULL ? &il[i].ours :
				      NULL;
		}
	if (grp->ntag > 0)
		rw->group = grp;
}
