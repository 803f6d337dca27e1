/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BUNDLE groups (RFC 9143), cp's part (cp_agw_rtp.h's rule; dp/rtp's
 * "BUNDLE" installs them): a door's bundle of a termination judged and
 * made lib/ipc's ipc_rtp_term.bundle (an OWNER of a group's transport,
 * or a MEMBER of another context's owner: its place, its keys' shape, no
 * transport of its own), the group's rules (one door and tenant,
 * rtcp-mux, a mid of the MID header extension's length, no mid, payload
 * type or signalled SSRC in two sections, at most CP_AGW_RTP_BUNDLE_MAX
 * sections), each owner's members (cp_agw_rtp.members[]: the order dp
 * is told things in rests on them: releases, a restarted dp) and a
 * restarted cp's rebuilding of them, and a termination's bundle as JSON.
 * agw_rtp.c calls it where a termination is made, leaves, or is given
 * to a restarted dp again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)

_Static_assert(CP_AGW_RTP_MID_STR > IPC_RTP_MID_MAX, "a door's mid holds a longer one");

static bool
is_srtp(const struct ipc_rtp_term *t)
{
	return t->profile == IPC_RTP_SAVP || t->profile == IPC_RTP_SAVPF;
}

static bool
pt_has(const uint8_t *pt, unsigned int n)
{
	return (pt[n / 8] >> (n % 8)) & 1u;
}

/* The RTP context of id (NULL: none, or another kind's). */
static struct cp_agw_ctx *
rtp_ctx(const struct cp_ctx *cp, uint64_t id)
{
	return id != 0 && agw_kind_of_id(id) == CP_AGW_KIND_RTP ? agw_ctx_of_id(cp->agw, id) : NULL;
}

/* Termination index of c that is in BUNDLE (-1: none; one a context). */
static int
bundled_term(const struct cp_agw_ctx *c)
{
	for (unsigned int i = 0; i < 2; i++)
		if (c->rtp.term[i].profile != IPC_RTP_NONE &&
		    c->rtp.term[i].bundle.role != IPC_RTP_BUNDLE_NONE)
			return (int)i;
	return -1;
}

struct cp_agw_ctx *
agw_rtp_bundle_owner_of(const struct cp_ctx *cp, const struct ipc_rtp_term *t)
{
	struct cp_agw_ctx *oc;

	if (!agw_rtp_is_member(t) || t->bundle.owner_term > 1)
		return NULL;
	oc = rtp_ctx(cp, t->bundle.owner);
	if (oc == NULL || oc->rtp.term[t->bundle.owner_term].profile == IPC_RTP_NONE ||
	    oc->rtp.term[t->bundle.owner_term].bundle.role != IPC_RTP_BUNDLE_OWNER)
		return NULL;
	return oc;
}

unsigned int
agw_rtp_bundle_live(const struct cp_ctx *cp, const struct cp_agw_ctx *c, uint64_t *ids)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < c->rtp.nmembers && k < CP_AGW_RTP_BUNDLE_MAX - 1; k++) {
		const struct cp_agw_ctx *m = rtp_ctx(cp, c->rtp.members[k]);

		if (m != NULL && m->state != CP_AGW_RELEASING)
			ids[n++] = m->id;
	}
	return n;
}

/* (group_clash() keeps a place for every member taken: a member releasing
 * counts until it has left) */
void
agw_rtp_bundle_join(struct cp_agw_ctx *owner, uint64_t id)
{
	for (unsigned int k = 0; k < owner->rtp.nmembers; k++)
		if (owner->rtp.members[k] == id)
			return;
	if (owner->rtp.nmembers < CP_AGW_RTP_BUNDLE_MAX - 1)
		owner->rtp.members[owner->rtp.nmembers++] = id;
}

void
agw_rtp_bundle_leave(struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int i)
{
	struct cp_agw_ctx *oc = agw_rtp_bundle_owner_of(cp, &c->rtp.term[i]);

	if (oc == NULL)
		return;
	for (unsigned int k = 0; k < oc->rtp.nmembers; k++)
		if (oc->rtp.members[k] == c->id) {
			memmove(&oc->rtp.members[k], &oc->rtp.members[k + 1],
				(oc->rtp.nmembers - k - 1u) * sizeof(oc->rtp.members[0]));
			oc->rtp.members[--oc->rtp.nmembers] = 0;
			return;
		}
}

void
agw_rtp_bundle_keys(const struct ipc_rtp_term *ot, struct ipc_rtp_term *t)
{
	const struct ipc_srtp_key *o[2] = { &ot->srtp_rx, &ot->srtp_tx };
	struct ipc_srtp_key *k[2] = { &t->srtp_rx, &t->srtp_tx };

	for (unsigned int j = 0; j < 2; j++) {
		explicit_bzero(k[j], sizeof(*k[j]));
		if (!is_srtp(t) || o[j]->key_len == 0)
			continue;
		k[j]->suite = o[j]->suite;
		k[j]->key_len = o[j]->key_len;
		k[j]->mki_len = o[j]->mki_len;
		k[j]->mki = o[j]->mki;
		k[j]->window = o[j]->window;
	}
}

/* What of the section x that would join owner oc's group (or change in
 * it: self, the context whose section x is, passed over; 0 none) is
 * another section's there already: its mid, a payload type, a signalled
 * SSRC (dp tells the sections apart by them); a 9th section (-ENOSPC,
 * joining only). 0, or -EINVAL with the sentence. */
static int
group_clash(struct cp_ctx *cp, unsigned int i, const struct cp_agw_ctx *oc, unsigned int ot,
	    const struct ipc_rtp_bundle *x, uint64_t self, char *err, size_t errlen)
{
	uint64_t ids[CP_AGW_RTP_BUNDLE_MAX];
	const struct ipc_rtp_term *s[CP_AGW_RTP_BUNDLE_MAX];
	unsigned int n = 0;

	ids[n] = oc->id;
	s[n++] = &oc->rtp.term[ot];
	n += agw_rtp_bundle_live(cp, oc, &ids[1]);
	for (unsigned int k = 1; k < n; k++) {
		const struct cp_agw_ctx *m = rtp_ctx(cp, ids[k]);
		int bt = bundled_term(m);

		s[k] = &m->rtp.term[bt >= 0 ? bt : 0];
	}
	for (unsigned int k = 0; k < n; k++) {
		const struct ipc_rtp_bundle *y = &s[k]->bundle;

		if (ids[k] == self)
			continue;
		if (y->mid_len == x->mid_len && memcmp(y->mid, x->mid, x->mid_len) == 0)
			ERR(-EINVAL, "termination %u: mid \"%.*s\" is context %" PRIu64 "'s section's "
			    "in its BUNDLE group already: a mid names one section (RFC 9143)", i,
			    (int)x->mid_len, x->mid, ids[k]);
		for (unsigned int p = 0; p < 128; p++)
			if (pt_has(x->pt, p) && pt_has(y->pt, p))
				ERR(-EINVAL, "termination %u: payload type %u is context %" PRIu64 "'s "
				    "section's too: a BUNDLE group's sections each have payload types "
				    "of their own here (dp and the peer tell them apart by it, RFC "
				    "9143 section 9.2)", i, p, ids[k]);
		for (unsigned int a = 0; a < x->nssrc; a++)
			for (unsigned int b = 0; b < y->nssrc; b++)
				if (x->ssrc[a] == y->ssrc[b])
					ERR(-EINVAL, "termination %u: SSRC %" PRIu32 " is context %"
					    PRIu64 "'s section's too: an SSRC is one section's in a "
					    "BUNDLE group (RFC 9143 section 9.2)", i, x->ssrc[a], ids[k]);
	}
	if (n == CP_AGW_RTP_BUNDLE_MAX && self == 0)
		ERR(-ENOSPC, "termination %u: context %" PRIu64 "'s BUNDLE group has %u sections "
		    "already (its owner's and %u members'), the most lib/sdp and dp take", i, oc->id,
		    CP_AGW_RTP_BUNDLE_MAX, CP_AGW_RTP_BUNDLE_MAX - 1u);
	/* a member being released keeps its place in members[] until dp's
	 * RELEASED (agw_rtp_bundle_leave()): counted, so that a member taken
	 * is always listed (agw_rtp_bundle_join() has room) and released with
	 * its owner */
	if (oc->rtp.nmembers >= CP_AGW_RTP_BUNDLE_MAX - 1u && self == 0)
		ERR(-ENOSPC, "termination %u: context %" PRIu64 "'s BUNDLE group has %u members, "
		    "one or more being released: its place is free once turnpike-dp has released "
		    "it", i, oc->id, (unsigned int)oc->rtp.nmembers);
	return 0;
}

/* A member's transport is its owner's: what a door gave of its own is
 * refused (a sentence each), what a door's defaults set is cleared. */
static int
member_bare(unsigned int i, const struct cp_agw_rtp_spec *spec, struct ipc_rtp_term *t,
	    char *err, size_t errlen)
{
	static const struct ipc_rtp_ice ice_zero;
	static const uint8_t zero[16];

	if (t->remote.family != 0 || t->remote_rtcp != 0 || t->local.port != 0 ||
	    t->rtcp_port != 0 || memcmp(t->local.ip, zero, sizeof(zero)) != 0)
		ERR(-EINVAL, "termination %u: a BUNDLE member has no address, port or remote of "
		    "its own: its owner's transport is the group's (RFC 9143)", i);
	if (t->gm_addr.family != 0 || t->gm_plen != 0 || t->gm_port_lo != 0 || t->gm_port_hi != 0)
		ERR(-EINVAL, "termination %u: a BUNDLE member has no gm of its own: its owner's "
		    "transport takes the group's packets", i);
	if (memcmp(&t->ice, &ice_zero, sizeof(ice_zero)) != 0)
		ERR(-EINVAL, "termination %u: a BUNDLE member has no ICE of its own: its owner's "
		    "is the group's (RFC 9143 section 7.1)", i);
	if (spec->dtls.setup != CP_AGW_DTLS_OFF)
		ERR(-EINVAL, "termination %u: a BUNDLE member has no DTLS-SRTP of its own: its "
		    "owner's association keys the group (RFC 9143 section 9.1)", i);
	if (t->srtp_rx.key_len != 0 || t->srtp_tx.key_len != 0)
		ERR(-EINVAL, "termination %u: a BUNDLE member has no SRTP key of its own: the "
		    "group's key is its owner's (one a=crypto, one DTLS association)", i);
	/* (the door's latching default: the owner latches for the group) */
	t->latch = 0;
	memset(&t->local, 0, sizeof(t->local));
	return 0;
}

int
agw_rtp_bundle_form(struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_spec *spec,
		    unsigned int door, unsigned int tenant, uint64_t self,
		    const struct ipc_rtp_term *other, struct ipc_rtp_term *t,
		    struct cp_agw_ctx **owner, char *err, size_t errlen)
{
	static const uint8_t none[16];
	const struct cp_agw_rtp_bundle *b = &spec->bundle;
	struct ipc_rtp_bundle *x = &t->bundle;
	size_t len = strnlen(b->mid, sizeof(b->mid));
	const struct ipc_rtp_term *ot;
	struct cp_agw_ctx *oc;
	int rc;

	*owner = NULL;
	memset(x, 0, sizeof(*x));
	if (len == 0) {
		if (b->with != 0 || b->mid_ext != 0 || b->nssrc != 0 ||
		    memcmp(b->pt, none, sizeof(none)) != 0)
			ERR(-EINVAL, "termination %u: BUNDLE without the section's mid", i);
		return 0;
	}
	if (len > IPC_RTP_MID_MAX)
		ERR(-EINVAL, "termination %u: a mid of %zu characters: the MID header extension "
		    "carries 1 to %u (RFC 8285 section 4.2), a longer one is not bundled here", i,
		    len, IPC_RTP_MID_MAX);
	for (size_t k = 0; k < len; k++)
		if (!ipc_token_char((unsigned char)b->mid[k]))
			ERR(-EINVAL, "termination %u: the mid is not a token (RFC 8866 section 9)", i);
	if (!(t->flags & IPC_RTP_F_MUX))
		ERR(-EINVAL, "termination %u: a BUNDLE section needs rtcp-mux (RFC 9143 section "
		    "9.3)", i);
	if (other != NULL && other->profile != IPC_RTP_NONE &&
	    other->bundle.role != IPC_RTP_BUNDLE_NONE)
		ERR(-EINVAL, "termination %u: the context's other termination is in BUNDLE: one "
		    "bundled termination a context (the peer's side)", i);
	if (b->nssrc > IPC_RTP_BUNDLE_SSRCS ||
	    (b->nssrc == 2 && b->ssrc[0] == b->ssrc[1]))
		ERR(-EINVAL, "termination %u: at most %u distinct signalled SSRCs (a=ssrc) a "
		    "BUNDLE section", i, IPC_RTP_BUNDLE_SSRCS);
	x->mid_len = (uint8_t)len;
	memcpy(x->mid, b->mid, len);
	x->nssrc = b->nssrc;
	for (unsigned int k = 0; k < b->nssrc; k++)
		x->ssrc[k] = b->ssrc[k];
	memcpy(x->pt, b->pt, sizeof(x->pt));
	if (b->with == 0) {
		x->role = IPC_RTP_BUNDLE_OWNER;
		x->mid_ext = b->mid_ext;
		return 0;
	}
	/* a MEMBER: its owner is its door's and tenant's, live, an owner
	 * with rtcp-mux; another door's or tenant's is answered as one that
	 * is not (as cp_agw_caller_sees() hides it: no oracle of the ids
	 * another tenant has live) */
	x->role = IPC_RTP_BUNDLE_MEMBER;
	if (b->with == self)
		ERR(-EINVAL, "termination %u: a section is not its own BUNDLE owner", i);
	oc = rtp_ctx(cp, b->with);
	if (oc == NULL || oc->door != door || oc->tenant != tenant)
		ERR(-ENOENT, "termination %u: its BUNDLE owner: no context %" PRIu64 " (released "
		    "already?)", i, b->with);
	if (oc->state == CP_AGW_RELEASING)
		ERR(-ESHUTDOWN, "termination %u: its BUNDLE owner, context %" PRIu64 ", is being "
		    "released", i, b->with);
	if (b->with_term > 1)
		ERR(-EINVAL, "termination %u: its BUNDLE owner's termination %u: a context's are 0 "
		    "and 1", i, b->with_term);
	ot = &oc->rtp.term[b->with_term];
	if (ot->profile == IPC_RTP_NONE)
		ERR(-ENOENT, "termination %u: its BUNDLE owner, context %" PRIu64 ", has no "
		    "termination %u", i, b->with, b->with_term);
	if (ot->bundle.role == IPC_RTP_BUNDLE_MEMBER)
		ERR(-EINVAL, "termination %u: termination %u of context %" PRIu64 " is a BUNDLE "
		    "member itself, not an owner: a group has one transport (RFC 9143)", i,
		    b->with_term, b->with);
	if (!(ot->flags & IPC_RTP_F_MUX))
		ERR(-EINVAL, "termination %u: its BUNDLE owner, termination %u of context %" PRIu64
		    ", has no rtcp-mux: RFC 9143 section 9.3 requires it", i, b->with_term, b->with);
	if (ot->bundle.role != IPC_RTP_BUNDLE_OWNER)
		ERR(-EINVAL, "termination %u: termination %u of context %" PRIu64 " is no BUNDLE "
		    "owner: a group's transport is made one at its create or add (a bundle with "
		    "no owner named), dp changes no termination's role in place", i, b->with_term,
		    b->with);
	if (b->mid_ext != 0 && b->mid_ext != ot->bundle.mid_ext)
		ERR(-EINVAL, "termination %u: MID extension id %u, its BUNDLE owner's is %u: one "
		    "transport, one id (RFC 8285, RFC 9143 section 9.2)", i, b->mid_ext,
		    ot->bundle.mid_ext);
	if (is_srtp(t) != is_srtp(ot))
		ERR(-EINVAL, "termination %u: SRTP on it and not on its BUNDLE owner, or the "
		    "reverse: a group's transport has one SRTP key", i);
	if ((rc = member_bare(i, spec, t, err, errlen)) < 0 ||
	    (rc = group_clash(cp, i, oc, b->with_term, x, 0, err, errlen)) < 0)
		return rc;
	x->owner = b->with;
	x->owner_term = b->with_term;
	agw_rtp_bundle_keys(ot, t);
	*owner = oc;
	return 0;
}

int
agw_rtp_bundle_modify(struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int i,
		      const struct cp_agw_rtp_bundle *b, struct ipc_rtp_term *t, char *err,
		      size_t errlen)
{
	struct ipc_rtp_bundle *x = &t->bundle, y;
	size_t len = strnlen(b->mid, sizeof(b->mid));
	const struct cp_agw_ctx *oc;
	unsigned int ot;

	if (x->role == IPC_RTP_BUNDLE_NONE)
		ERR(-EINVAL, "termination %u is in no BUNDLE group: joining one is a subtract and "
		    "an add", i);
	if (len != x->mid_len || memcmp(b->mid, x->mid, len) != 0 ||
	    (x->role == IPC_RTP_BUNDLE_OWNER ? b->with != 0 || b->mid_ext != x->mid_ext :
	     b->with != x->owner || b->with_term != x->owner_term))
		ERR(-EINVAL, "termination %u: its BUNDLE role, owner, mid and MID extension stay "
		    "(another is a subtract and an add: dp changes none in place)", i);
	if (b->nssrc > IPC_RTP_BUNDLE_SSRCS || (b->nssrc == 2 && b->ssrc[0] == b->ssrc[1]))
		ERR(-EINVAL, "termination %u: at most %u distinct signalled SSRCs (a=ssrc) a "
		    "BUNDLE section", i, IPC_RTP_BUNDLE_SSRCS);
	y = *x;
	memcpy(y.pt, b->pt, sizeof(y.pt));
	memset(y.ssrc, 0, sizeof(y.ssrc));
	y.nssrc = b->nssrc;
	for (unsigned int k = 0; k < b->nssrc; k++)
		y.ssrc[k] = b->ssrc[k];
	if (x->role == IPC_RTP_BUNDLE_OWNER) {
		oc = c;
		ot = i;
	} else {
		oc = agw_rtp_bundle_owner_of(cp, t);
		ot = x->owner_term;
	}
	if (oc != NULL) {
		int rc = group_clash(cp, i, oc, ot, &y, c->id, err, errlen);

		if (rc < 0)
			return rc;
	}
	*x = y;
	return 0;
}

void
agw_rtp_bundle_sync(struct cp_ctx *cp)
{
	struct agw_rtp_state *r = cp->agw != NULL ? cp->agw->rtp : NULL;
	const struct cp_agw_table *tab;
	size_t n;

	if (r == NULL || !r->bundle_dirty)
		return;
	r->bundle_dirty = false;
	tab = &cp->agw->tab[CP_AGW_KIND_RTP];
	n = (size_t)r->nworkers * tab->per_worker;
	for (size_t k = 0; k < n; k++) {
		tab->ctx[k].rtp.nmembers = 0;
		memset(tab->ctx[k].rtp.members, 0, sizeof(tab->ctx[k].rtp.members));
	}
	for (size_t k = 0; k < n; k++) {
		const struct cp_agw_ctx *c = &tab->ctx[k];
		int bt = c->id != 0 ? bundled_term(c) : -1;
		struct cp_agw_ctx *oc;

		if (bt < 0)
			continue;
		oc = agw_rtp_bundle_owner_of(cp, &c->rtp.term[bt]);
		if (oc != NULL)
			agw_rtp_bundle_join(oc, c->id);
	}
}

struct json_object *
agw_rtp_bundle_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int i)
{
	const struct ipc_rtp_term *t = &c->rtp.term[i];
	const struct ipc_rtp_bundle *b = &t->bundle;
	struct json_object *o, *a;
	char mid[IPC_RTP_MID_MAX + 1];

	if (t->profile == IPC_RTP_NONE || b->role == IPC_RTP_BUNDLE_NONE)
		return NULL;
	o = json_object_new_object();
	memcpy(mid, b->mid, b->mid_len);
	mid[b->mid_len] = '\0';
	json_object_object_add(o, "role", json_object_new_string(
				       b->role == IPC_RTP_BUNDLE_OWNER ? "owner" : "member"));
	json_object_object_add(o, "mid", json_object_new_string(mid));
	a = json_object_new_array();
	for (unsigned int p = 0; p < 128; p++)
		if (pt_has(b->pt, p))
			json_object_array_add(a, json_object_new_int((int)p));
	json_object_object_add(o, "pt", a);
	a = json_object_new_array();
	for (unsigned int k = 0; k < b->nssrc; k++)
		json_object_array_add(a, json_object_new_int64(b->ssrc[k]));
	json_object_object_add(o, "ssrc", a);
	/* RTP of this section's to the peer dp refused for an SSRC another
	 * section holds (SSRC_CLASH), the last such */
	json_object_object_add(o, "ssrc_clashes", json_object_new_int64(c->rtp.ssrc_clashes[i]));
	json_object_object_add(o, "clash_ssrc", c->rtp.ssrc_clashes[i] != 0 ?
			       json_object_new_int64(c->rtp.clash_ssrc[i]) : NULL);
	if (b->role == IPC_RTP_BUNDLE_OWNER) {
		json_object_object_add(o, "mid_ext", json_object_new_int(b->mid_ext));
		a = json_object_new_array();
		for (unsigned int k = 0; k < c->rtp.nmembers; k++)
			json_object_array_add(a, json_object_new_int64((int64_t)c->rtp.members[k]));
		json_object_object_add(o, "members", a);
	} else {
		/* (the owner's transport: what the Local SDP gives every
		 * bundled section, RFC 9143 section 7.3.1) */
		struct cp_agw_ctx *oc = agw_rtp_bundle_owner_of(cp, t);
		char s[64];

		json_object_object_add(o, "with", json_object_new_int64((int64_t)b->owner));
		json_object_object_add(o, "with_leg", json_object_new_int(b->owner_term));
		if (oc != NULL) {
			json_object_object_add(o, "mid_ext", json_object_new_int(
						       oc->rtp.term[b->owner_term].bundle.mid_ext));
			cp_api_addr_str(&oc->rtp.term[b->owner_term].local, true, s, sizeof(s));
			json_object_object_add(o, "transport", json_object_new_string(s));
		} else {
			json_object_object_add(o, "transport", NULL);
		}
	}
	return o;
}
