/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's decisions on the requests dp passes on (RFC 8656 §7–§12):
 * Allocate, Refresh, CreatePermission and ChannelBind, each in the order
 * the RFC gives, after authentication (cp/auth); peer policy on every
 * peer address; drain and full-box answers. The table, the relayed
 * addresses, reservations and quotas they use are alloc.c's
 * (alloc_internal.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "alloc_internal.h"
#include "stun.h"
#include "tp_conf.h"
#include "tp_log.h"

/* ---- responses ---------------------------------------------------------- */

void
reply_error(struct req_ctx *r, uint16_t code, const struct stun_addr *aerr_for)
{
	(void)aerr_for;
	reply_error_why(r, code, NULL);
}

/* The same, with a reason phrase of its own (RFC 8489 §14.8) where the
 * code alone leaves a client or an operator guessing which rule refused
 * (NULL: the code's standard phrase). */
void
reply_error_why(struct req_ctx *r, uint16_t code, const char *why)
{
	uint8_t buf[512];
	struct stun_builder b;

	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(r->req->method, STUN_CLASS_ERROR), r->req->tid);
	stun_build_error(&b, code, why);
	if (code == STUN_ERR_UNKNOWN_ATTRIBUTE && r->req->nunknown > 0)
		stun_build_u16list(&b, STUN_ATTR_UNKNOWN_ATTRIBUTES, r->req->unknown,
				   r->req->nunknown);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, r->cp->conf->turn.software);
	if (r->auth.key_len > 0)
		cp_auth_sign(&b, &r->auth);
	stun_build_fingerprint(&b);
	r->cp->stats[CP_STAT_ERRORS]++;
	cp_count_error(r->cp, code);
	tp_log(TP_LOG_DEBUG, "request (method 0x%03x, worker %u): error %u",
	       r->req->method, r->worker, code);
	cpa_send_response(r->cp, r->worker, &r->msg->h.tuple, buf, stun_build_finish(&b));
}

/*
 * RFC 8489 §10 (ALTERNATE-SERVER mechanism), RFC 8656 §7.2: 300 Try
 * Alternate naming an alternate of the request's family (§14.15: "The IP
 * address family MUST be identical to that of the source IP address of
 * the request"), signed with the request's key, which the client has
 * proven (so it can tell our redirect from a forged one). false: none of
 * that family, nothing sent.
 */
static bool
reply_alternate(struct req_ctx *r, const struct stun_addr *alts, unsigned int n)
{
	struct cp_ctx *cp = r->cp;
	const struct stun_addr *alt = NULL;
	uint8_t fam = r->msg->h.tuple.client.family == NET_AF4 ? STUN_AF_IPV4 :
							     STUN_AF_IPV6;
	struct stun_builder b;
	uint8_t buf[512];

	/* The alternates (cp.alternates, the cluster's boxes) are other boxes'
	 * own addresses, the default tenant's: a tenant's client sent there
	 * would meet another realm and users. It gets the error instead. */
	if (r->tenant != 0)
		return false;
	for (unsigned int i = 0; i < n && alt == NULL; i++)
		if (alts[i].family == fam)
			alt = &alts[i];
	if (alt == NULL)
		return false;
	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(r->req->method, STUN_CLASS_ERROR), r->req->tid);
	stun_build_error(&b, STUN_ERR_TRY_ALTERNATE, NULL);
	stun_build_addr(&b, STUN_ATTR_ALTERNATE_SERVER, alt);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, cp->conf->turn.software);
	if (r->auth.key_len > 0)
		cp_auth_sign(&b, &r->auth);
	stun_build_fingerprint(&b);
	cp->stats[CP_STAT_ERRORS]++;
	cp->stats[CP_STAT_REDIRECTED]++;
	cp_count_error(cp, STUN_ERR_TRY_ALTERNATE);
	cpa_send_response(cp, r->worker, &r->msg->h.tuple, buf, stun_build_finish(&b));
	return true;
}

/* The box drains (turnpikectl drain): 300 with an alternate, or 508. */
static bool
drain_answer(struct req_ctx *r)
{
	struct cp_ctx *cp = r->cp;

	if (!cp->draining)
		return false;
	if (!reply_alternate(r, cp->drain_alt, cp->ndrain_alt)) {
		cp->stats[CP_STAT_DRAIN_REFUSED]++;
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
	}
	return true;
}

/* The box is full (its quota_total, a worker's share, the ports): with
 * cp.alternates, 300 to one of them; else the code the caller names. */
static void
full_answer(struct req_ctx *r, uint16_t code)
{
	if (!reply_alternate(r, r->cp->full_alt, r->cp->nfull_alt))
		reply_error(r, code, NULL);
}

/* Start a success response; the caller adds attributes and finishes. */
void
reply_begin(struct req_ctx *r, struct stun_builder *b, uint8_t *buf, size_t cap)
{
	stun_build_init(b, buf, cap, stun_msg_type(r->req->method, STUN_CLASS_SUCCESS),
			r->req->tid);
}

void
reply_finish(struct req_ctx *r, struct stun_builder *b)
{
	stun_build_str(b, STUN_ATTR_SOFTWARE, r->cp->conf->turn.software);
	cp_auth_sign(b, &r->auth);
	stun_build_fingerprint(b);
	cpa_send_response(r->cp, r->worker, &r->msg->h.tuple, b->buf, stun_build_finish(b));
}

static bool
alloc_has_family(const struct cp_alloc *a, uint8_t family)
{
	for (unsigned int i = 0; i < a->nrelayed; i++)
		if (a->relayed[i].family == family)
			return true;
	return false;
}

/* ---- Allocate (RFC 8656 §7.2) ------------------------------------------- */

static uint32_t
granted_lifetime(const struct req_ctx *r)
{
	const struct cp_ctx *cp = r->cp;
	const struct stun_attr *la = stun_msg_find(r->req, STUN_ATTR_LIFETIME);
	uint32_t want = cp->conf->cp.lifetime_default_s, max = cp->conf->cp.lifetime_max_s;

	if (la != NULL)
		stun_attr_get_u32(la, &want);
	if (want > max)
		want = max;
	/* §7.2: a request below the default gets the default. */
	if (want < cp->conf->cp.lifetime_default_s)
		want = cp->conf->cp.lifetime_default_s;
	/* RFC 7635 §9: "The lifetime provided by the TURN server in the
	 * Allocate and Refresh responses MUST be less than or equal to the
	 * lifetime of the token": of the token that authorized this
	 * request (its own, or the kept one whose key signed it), to its
	 * end and oauth.tolerance after (below the default if need be; at
	 * least a second: the verdict took it, so it has not ended) */
	if (r->auth.oauth != 0) {
		uint32_t left = cp_auth_oauth_left(cp->auth, r->auth.oauth_expiry,
						   cp->wall_ms / 1000u);

		if (want > left)
			want = left > 0 ? left : 1;
	}
	return want;
}

static void
send_allocate_success(struct req_ctx *r, struct cp_alloc *a, uint64_t token,
		      uint16_t addr_err_family)
{
	uint8_t buf[512];
	struct stun_builder b;
	struct stun_addr sa;
	uint64_t left = a->expires_ms > r->cp->now_ms ?
		(a->expires_ms - r->cp->now_ms + 500) / 1000 : 0;

	reply_begin(r, &b, buf, sizeof(buf));
	for (unsigned int i = 0; i < a->nrelayed; i++) {
		cpa_stun_from_ipc(&sa, &a->relayed[i]);
		stun_build_addr(&b, STUN_ATTR_XOR_RELAYED_ADDRESS, &sa);
	}
	if (addr_err_family != 0)
		stun_build_addr_error(&b, addr_err_family,
				      STUN_ERR_ADDRESS_FAMILY_NOT_SUPPORTED, NULL);
	stun_build_u32(&b, STUN_ATTR_LIFETIME, (uint32_t)left);
	if (token != 0) {
		uint8_t t[8];

		memcpy(t, &token, 8);
		stun_build_attr(&b, STUN_ATTR_RESERVATION_TOKEN, t, 8);
	}
	cpa_stun_from_ipc(&sa, &a->tuple.client);
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &sa);
	cpa_mob_add_ticket(r, &b, a);        /* RFC 8016 §3.1 */
	reply_finish(r, &b);
	tp_log(TP_LOG_DEBUG, "allocation %llu (worker %u): granted, lifetime %llu s, "
	       "%u relayed address(es), port %u", (unsigned long long)a->id,
	       a->worker, (unsigned long long)left, a->nrelayed, a->relay_port);
}

static void
do_allocate(struct req_ctx *r)
{
	struct cp_ctx *cp = r->cp;
	const struct stun_msg *req = r->req;
	const struct stun_attr *rt = stun_msg_find(req, STUN_ATTR_REQUESTED_TRANSPORT);
	const struct stun_attr *raf = stun_msg_find(req, STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
	const struct stun_attr *aaf = stun_msg_find(req, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY);
	const struct stun_attr *ep = stun_msg_find(req, STUN_ATTR_EVEN_PORT);
	const struct stun_attr *tok = stun_msg_find(req, STUN_ATTR_RESERVATION_TOKEN);
	struct cp_alloc *a = cpa_alloc_by_tuple(cp, &r->msg->h.tuple);
	struct cp_reservation *held = NULL, *rv = NULL;
	const struct cp_user *u;
	uint8_t proto = 0, fam = STUN_AF_IPV4, addfam = 0;
	uint8_t fams[2], idx[2] = { 0, 0 };
	uint64_t masks[2] = { 0, 0 };
	unsigned int nfams = 0;
	uint16_t port = 0, addr_err = 0;
	uint32_t quota_user;
	uint64_t token = 0;
	bool reserve = false, mobile = false;
	uint16_t mob_code;
	/* whom it is counted and named under: the username, or the name a
	 * token's client goes by (RFC 7635: its mac_key, not the kid every
	 * client of its authorization server shares) */
	char client[CP_OAUTH_CLIENT_MAX + 1];
	const char *user = r->auth.username;
	size_t user_len = r->auth.username_len;

	/* §7.2 step 2: the 5-tuple is taken. A retransmission of the request
	 * that made it gets the same success again (§7.2, last paragraph),
	 * with the RESERVATION-TOKEN while the reservation is held: a client
	 * whose first answer was lost learns it only here. (An allocation of
	 * another tenant on the same client address and port, reached at
	 * another of the box's addresses, is never answered for: 437.) */
	if (a != NULL) {
		if (a->tenant == r->tenant && memcmp(a->tid, req->tid, CP_TID_LEN) == 0)
			send_allocate_success(r, a, cpa_reserv_token_of(cp, a->id), 0);
		else
			reply_error(r, STUN_ERR_ALLOCATION_MISMATCH, NULL);
		return;
	}
	/* step 3 */
	if (rt == NULL || stun_attr_get_transport(rt, &proto) < 0) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	if (proto == STUN_TRANSPORT_TCP) {
		/* RFC 6062 §5.1 */
		uint16_t code = cpa_tcp_allocate_check(r);

		if (code != 0) {
			reply_error(r, code, NULL);
			return;
		}
	} else if (proto != STUN_TRANSPORT_UDP) {
		reply_error(r, STUN_ERR_UNSUPPORTED_TRANSPORT, NULL);
		return;
	}
	/* RFC 8016 §3.1: an empty MOBILITY-TICKET asks for mobility */
	mob_code = cpa_mob_allocate_check(r, &mobile);
	if (mob_code != 0) {
		reply_error(r, mob_code, NULL);
		return;
	}
	/* step 4: DONT-FRAGMENT is honoured: dp sets DF on every IPv4
	 * packet it relays (RFC 8656 §14: DF set when asked for). */
	/* step 5 */
	if (tok != NULL) {
		if (ep != NULL || raf != NULL || aaf != NULL) {
			reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
			return;
		}
		/* 0, unknown, used, expired, another worker's or another
		 * tenant's: 508 */
		memcpy(&token, tok->value, 8);
		held = cpa_reserv_find(cp, token, r->worker, r->tenant);
		if (held == NULL) {
			reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
			return;
		}
		/* The reserved transport address: its port, family and
		 * address; the reservation is used up on success only. */
		port = held->port;
		idx[0] = held->relay_idx;
		fam = held->family == NET_AF6 ? STUN_AF_IPV6 : STUN_AF_IPV4;
		token = 0;
	}
	/* step 6 */
	if (raf != NULL && aaf != NULL) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	/* step 7 */
	if (raf != NULL) {
		stun_attr_get_family(raf, &fam);
		if (fam != STUN_AF_IPV4 && fam != STUN_AF_IPV6) {
			reply_error(r, STUN_ERR_ADDRESS_FAMILY_NOT_SUPPORTED, NULL);
			return;
		}
	}
	/* A family the tenant has no relayed address of (none at all on the
	 * box, or its pool holds none): §7.2 step 7, "if the allocation of
	 * the requested address family is disabled by local policy", 440.
	 * Not 508: that is for a server that has run out of something it
	 * has (ports, its capacity), and a client may try 508 again later;
	 * a tenant's pool of that family stays empty until the operator
	 * changes the configuration, and 440 tells the client to ask for
	 * the other family (a dual-stack client falls back at once). */
	masks[nfams] = cpa_tenant_mask(cp, r->tenant, fam == STUN_AF_IPV4 ? NET_AF4 : NET_AF6);
	if (masks[nfams] == 0) {
		reply_error(r, STUN_ERR_ADDRESS_FAMILY_NOT_SUPPORTED, NULL);
		return;
	}
	fams[nfams++] = fam == STUN_AF_IPV4 ? NET_AF4 : NET_AF6;
	/* step 8 */
	if (ep != NULL) {
		bool rbit = false;

		stun_attr_get_even_port(ep, &rbit);
		if (rbit && aaf != NULL) {
			reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
			return;
		}
		reserve = rbit;
	}
	/* step 9 */
	if (aaf != NULL) {
		stun_attr_get_family(aaf, &addfam);
		if (addfam != STUN_AF_IPV6) {
			reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
			return;
		}
		masks[nfams] = cpa_tenant_mask(cp, r->tenant, NET_AF6);
		if (masks[nfams] != 0)
			fams[nfams++] = NET_AF6;
		else
			addr_err = STUN_AF_IPV6;   /* partial: success + ADDRESS-ERROR-CODE */
	}
	/* step 11 (ahead of the quotas: a draining box takes nothing new
	 * whatever they say): 300 Try Alternate, or 508. */
	if (drain_answer(r))
		return;
	if (r->auth.oauth != 0) {
		int n = cp_auth_oauth_client(cp->auth, &r->auth, client, sizeof(client));

		if (n < 0) {
			reply_error(r, STUN_ERR_SERVER_ERROR, NULL);
			return;
		}
		user = client;
		user_len = (size_t)n;
	}
	/* step 10: quotas (per username, and in total). A username counts
	 * from its first allocation on: nothing is recorded for a request
	 * that is refused. */
	switch (cpa_quota_across(cp, r->worker, r->msg, r->tenant, user, user_len)) {
	case CP_ALLOC_QUOTA_WAIT:    /* counted across boxes: handled again */
		return;
	case CP_ALLOC_QUOTA_REFUSE:
		cp->stats[CP_STAT_QUOTA_REFUSED]++;
		reply_error(r, STUN_ERR_ALLOCATION_QUOTA_REACHED, NULL);
		return;
	default:
		break;
	}
	/* A user is (tenant, name), counted against its tenant's
	 * quota_user; the tenant's allocations against its quota_total
	 * (486: that tenant is full, not the box, so no alternate). The
	 * default tenant's are cp.quota_user and the box's total below. */
	u = cpa_user_find(cp, r->tenant, user, user_len);
	quota_user = r->tenant == 0 ? cp->conf->cp.quota_user :
		     cp->conf->tenants.t[r->tenant - 1].quota_user;
	if (quota_user && u != NULL && u->n >= quota_user) {
		cp->stats[CP_STAT_QUOTA_REFUSED]++;
		reply_error(r, STUN_ERR_ALLOCATION_QUOTA_REACHED, NULL);
		return;
	}
	if (r->tenant != 0 &&
	    cp->alloc->tenant_allocs[r->tenant] >= cp->conf->tenants.t[r->tenant - 1].quota_total) {
		cp->stats[CP_STAT_QUOTA_REFUSED]++;
		reply_error_why(r, STUN_ERR_ALLOCATION_QUOTA_REACHED, "Tenant Quota Reached");
		return;
	}
	/* The box is full: another server may have room (cp.alternates). */
	if (cp->alloc->nallocs >= cp->alloc->max_allocs) {
		cp->stats[CP_STAT_QUOTA_REFUSED]++;
		full_answer(r, STUN_ERR_ALLOCATION_QUOTA_REACHED);
		return;
	}
	/* 508: no more than the worker's dp table holds, and a free
	 * (address, port) pair in its share of the range. */
	if (r->worker >= IPC_MAX_WORKERS ||
	    cp->alloc->worker_allocs[r->worker] >= cp->alloc->worker_cap) {
		full_answer(r, STUN_ERR_INSUFFICIENT_CAPACITY);
		return;
	}
	/* §7.2 step 8: R=1 asks for port + 1 as well; when cp cannot hold
	 * it, the request cannot be satisfied (508), rather than succeed
	 * without the reservation it asked for. */
	if (reserve) {
		rv = cpa_reserv_free_slot(cp);
		token = rv != NULL ? cpa_reserv_new_token(cp) : 0;
		if (token == 0) {
			reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
			return;
		}
	}
	if (held == NULL)
		port = cpa_port_pick(cp, r->worker, fams, masks, nfams, ep != NULL, reserve, idx);
	if (port == 0 || idx[0] >= cp->alloc->nrelay[cpa_fam_i(fams[0])]) {
		full_answer(r, STUN_ERR_INSUFFICIENT_CAPACITY);
		return;
	}
	/* The username whole: cp/auth took at most CP_AUTH_NAME_MAX
	 * (TP_USERNAME_MAX) bytes, which IPC_USER_MAX holds (alloc_types.h).
	 * A token's client's name is its limit's too (tp_conf_max_bps():
	 * no user's, so its tenant's or turn.max_bps; a token claims no
	 * rate), and what dp keeps: a restarted cp knows the client by it. */
	a = cpa_alloc_new(cp, &r->msg->h.tuple, (uint16_t)r->worker, 0, user, user_len);
	if (a == NULL) {
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
		return;
	}
	if (held != NULL)
		cpa_reserv_end(cp, held);   /* its port now belongs to the allocation */
	cpa_oauth_made(r, a);                      /* (RFC 7635; none otherwise) */
	memcpy(a->tid, req->tid, CP_TID_LEN);
	a->tcp = proto == STUN_TRANSPORT_TCP;
	a->mobile = mobile;
	a->relay_port = port;
	a->nrelayed = (uint8_t)nfams;
	for (unsigned int i = 0; i < nfams; i++) {
		a->relayed[i].family = fams[i];
		a->relayed[i].port = port;
		memcpy(a->relayed[i].ip, cp->alloc->relay_ip[cpa_fam_i(fams[i])][idx[i]],
		       fams[i] == NET_AF4 ? 4 : 16);
		a->relay_idx[i] = idx[i];
	}
	cpa_alloc_ports_set(cp, a, true);
	/* §7.2 step 8, R=1: hold port + 1 at the same address for 30 s. */
	if (rv != NULL) {
		rv->used = true;
		rv->token = token;
		rv->alloc_id = a->id;
		rv->port = (uint16_t)(port + 1);
		rv->worker = (uint16_t)r->worker;
		rv->family = fams[0];
		rv->relay_idx = idx[0];
		rv->tenant = (uint8_t)r->tenant;
		rv->expires_ms = cp->now_ms + 30000u;
		cpa_port_set(cp, cpa_fam_i(rv->family), rv->relay_idx, rv->port, true);
		tw_add(&cp->wheel, &rv->timer, cpa_ms_to_tick(cp, rv->expires_ms));
	}
	a->expires_ms = cp->now_ms + (uint64_t)granted_lifetime(r) * 1000u;
	cpa_alloc_arm(cp, a);
	cpa_send_alloc(cp, a, IPC_ALLOC_ADD);
	send_allocate_success(r, a, token, addr_err);
	cp->stats[CP_STAT_ALLOCATE_OK]++;
}

/* ---- whose requests an allocation answers (RFC 8656 §5, RFC 7635) ----- */

/* An Allocate that a token authorized (RFC 7635): the session (kid, key,
 * authorization server, end) and, apart, the same as what it was made
 * with; none otherwise. */
void
cpa_oauth_made(const struct req_ctx *r, struct cp_alloc *a)
{
	cp_auth_session_of(&r->auth, &a->oauth[CPA_OAUTH_SESSION]);
	a->oauth[CPA_OAUTH_MADE] = a->oauth[CPA_OAUTH_SESSION];
}

/* Does the request's key (its token's mac_key, or the session key it was
 * checked with) equal s's? */
static bool
key_is(const struct req_ctx *r, const struct cp_auth_session *s)
{
	return s->key_len > 0 && r->auth.key_len == s->key_len &&
	       CRYPTO_memcmp(r->auth.key, s->key, s->key_len) == 0;
}

bool
cpa_oauth_maker(const struct req_ctx *r, const struct cp_alloc *a)
{
	return r->auth.oauth != 0 && key_is(r, &a->oauth[CPA_OAUTH_MADE]);
}

/* A Refresh that keeps its allocation (LIFETIME absent or not 0): what
 * a new token may do (RFC 7635 §9), and nothing else may. */
bool
cpa_renewal(const struct req_ctx *r)
{
	const struct stun_attr *la = stun_msg_find(r->req, STUN_ATTR_LIFETIME);
	uint32_t want = 1;

	if (r->req->method != STUN_METHOD_REFRESH)
		return false;
	if (la != NULL)
		stun_attr_get_u32(la, &want);
	return want != 0;
}

/*
 * A token allocation a restarted cp took back from dp has no keys (cp
 * alone had them), but its name is its client's (cp_auth_oauth_client():
 * the authorization server and a hash of the mac_key it was made with).
 * A token of that key names the same: its client is back, and the token
 * gives the allocation its keys again (as its session and as what it was
 * made with). true when r's token did.
 */
bool
cpa_oauth_reclaim(const struct req_ctx *r, struct cp_alloc *a)
{
	char client[CP_OAUTH_CLIENT_MAX + 1];
	int n;

	if (cpa_oauth_alloc(a) || r->auth.oauth != 1)
		return false;
	n = cp_auth_oauth_client(r->cp->auth, &r->auth, client, sizeof(client));
	if (n < 0 || (size_t)n != a->user->len || memcmp(client, a->user->name, (size_t)n) != 0)
		return false;
	cpa_oauth_made(r, a);
	return true;
}

/*
 * Is r from a's own client (RFC 8656 §5: "the same credentials as those
 * used to create the allocation", else 441)?
 *
 * - Made with a long-term credential (a user's, a REST one): the same
 *   username, and no token (a kid that happens to be a user's name is
 *   not that user).
 * - Made with an access token (RFC 7635): a token's kid names only the
 *   key of its authorization server, which every client of that server
 *   shares; what is the client's own is its mac_key. So: the session's
 *   key (the request signed with it, or a token carrying it) or the key
 *   it was made with. A new token (another mac_key) is taken only to
 *   renew (a Refresh that keeps the allocation: RFC 7635 §9, "The client
 *   MUST use the new token to refresh existing allocations"), and only
 *   from a's own authorization server (do_refresh() then makes it the
 *   session); a delete, a CreatePermission, a ChannelBind, an RFC 6062
 *   Connect or ConnectionBind under another token is refused. Without
 *   this, any holder of a token of the same server, sending from the
 *   client's 5-tuple with the nonce it saw, replaced the allocation's key
 *   with its own: then deleted it, opened permissions to its peers, or
 *   moved it to itself with the ticket it saw (mobility.c).
 *
 * A token allocation a restarted cp took back from dp has no key (cp alone
 * had them): the token it was made with takes it back (cpa_oauth_reclaim());
 * no other token is its client.
 */
bool
cpa_own_client(const struct req_ctx *r, struct cp_alloc *a, bool renew)
{
	const struct cp_auth_session *s = &a->oauth[CPA_OAUTH_SESSION];

	if (!cpa_oauth_alloc(a))
		return cpa_oauth_reclaim(r, a) ||
		       (r->auth.oauth == 0 && a->user->len == r->auth.username_len &&
			memcmp(a->user->name, r->auth.username, a->user->len) == 0);
	if (r->auth.oauth == 0)
		return false;
	if (key_is(r, s) || cpa_oauth_maker(r, a))
		return true;
	return renew && r->auth.oauth == 1 && r->auth.oauth_as != 0 &&
	       r->auth.oauth_as == s->as;
}

/* Requests other than Allocate need the allocation of their 5-tuple, made
 * by the same client (RFC 8656 §5: 437, 441; cpa_own_client()). A user is
 * (tenant, name): an allocation of another tenant (the same client address
 * and port, another of the box's addresses reached) is none of this
 * request's, 437. */
struct cp_alloc *
need_alloc(struct req_ctx *r)
{
	struct cp_alloc *a = cpa_alloc_by_tuple(r->cp, &r->msg->h.tuple);

	if (a == NULL || a->tenant != r->tenant) {
		reply_error(r, STUN_ERR_ALLOCATION_MISMATCH, NULL);
		return NULL;
	}
	if (!cpa_own_client(r, a, cpa_renewal(r))) {
		reply_error(r, STUN_ERR_WRONG_CREDENTIALS, NULL);
		return NULL;
	}
	return a;
}

/* ---- Refresh (§8.2) ----------------------------------------------------- */

static void
do_refresh(struct req_ctx *r)
{
	struct cp_ctx *cp = r->cp;
	const struct stun_attr *la = stun_msg_find(r->req, STUN_ATTR_LIFETIME);
	const struct stun_attr *raf = stun_msg_find(r->req, STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
	const struct stun_attr *mt = stun_msg_find(r->req, STUN_ATTR_MOBILITY_TICKET);
	/* RFC 8016 §3.2: with a ticket, the allocation is the ticket's
	 * (moved here from the client's old 5-tuple) */
	struct cp_alloc *a = mt != NULL ? cpa_mob_refresh(r, mt) : need_alloc(r);
	uint32_t want = 1;
	uint8_t buf[256];
	struct stun_builder b;

	if (a == NULL)
		return;
	if (raf != NULL) {
		uint8_t fam = 0;

		stun_attr_get_family(raf, &fam);
		if (!alloc_has_family(a, fam == STUN_AF_IPV4 ? NET_AF4 : NET_AF6)) {
			reply_error(r, STUN_ERR_PEER_ADDRESS_FAMILY_MISMATCH, NULL);
			return;
		}
	}
	if (la != NULL)
		stun_attr_get_u32(la, &want);
	reply_begin(r, &b, buf, sizeof(buf));
	if (la != NULL && want == 0) {
		stun_build_u32(&b, STUN_ATTR_LIFETIME, 0);
		cpa_send_alloc(cp, a, IPC_ALLOC_DEL);
		cpa_alloc_free(cp, a, CP_ALLOC_R_CLIENT);
	} else {
		uint32_t g = granted_lifetime(r);

		/* RFC 7635 §9: a token that renewed it (need_alloc() took
		 * it: its own, or a new one of its authorization server) is
		 * the session from now on */
		if (r->auth.oauth == 1)
			cp_auth_session_of(&r->auth, &a->oauth[CPA_OAUTH_SESSION]);
		a->expires_ms = cp->now_ms + (uint64_t)g * 1000u;
		cpa_alloc_arm(cp, a);
		cpa_send_alloc(cp, a, IPC_ALLOC_LIFE);
		stun_build_u32(&b, STUN_ATTR_LIFETIME, g);
		cpa_mob_add_ticket(r, &b, a);
	}
	cp->stats[CP_STAT_REFRESH_OK]++;
	reply_finish(r, &b);
}

/* ---- permissions and channels (§9, §10, §12) --------------------------- */

/* The peer policy that judges tenant t's allocations: its own (its peers
 * group), else cp.peers'; and whether relay to relay is on for it. */
static const struct cp_policy *
tenant_policy(const struct cp_ctx *cp, unsigned int t)
{
	if (t != 0 && t <= TP_CONF_MAX_TENANTS && cp->tenant_policy[t - 1] != NULL)
		return cp->tenant_policy[t - 1];
	return cp->policy;
}

static bool
tenant_relay_to_relay(const struct cp_ctx *cp, unsigned int t)
{
	/* (a tenant without a peers group follows cp.peers', as a reload
	 * leaves it now, not the copy the file's load made) */
	if (t != 0 && t <= cp->conf->tenants.n && cp->conf->tenants.t[t - 1].has_peers)
		return cp->conf->tenants.t[t - 1].allow_relay_to_relay;
	return cp->conf->cp.allow_relay_to_relay;
}

/*
 * Relay to relay: a peer that is one of our relayed addresses
 * (the policy says "own-relayed", after the deny list and canonical forms
 * had their say) is allowed when allow_relay_to_relay is on (cp.peers',
 * or the tenant's peers') and an allocation holds that relayed transport
 * address: an allocation at that IP for a permission (RFC 8656 §9: the
 * port does not matter), the (IP, port) pair for a channel. A port merely
 * reserved (EVEN-PORT) is no allocation yet. dp delivers such datagrams
 * inside the box.
 *
 * With tenants, relay to relay stays within tenant t: a relayed address
 * outside t's pool stays refused like any own address (no allow list
 * opens it: own addresses are judged first), and for a permission t must
 * have an allocation at that address. Tenants with
 * their own relay lists are separated exactly; the default tenant and the
 * tenants without a list share the unclaimed addresses, and there a
 * channel's (IP, port) is checked as held, not as held by t (cp keeps no
 * index from relayed transport address to allocation). A permission there
 * opens the IP only, as RFC 8656 §9 permissions do, and traffic through it
 * reaches another tenant's allocation only if that one permits this
 * relayed address as well.
 */
static bool
relay_peer_ok(const struct cp_ctx *cp, unsigned int t, const struct cp_addr *peer,
	      bool any_port)
{
	uint8_t fam = peer->family == 4 ? NET_AF4 : NET_AF6;
	uint8_t idx = cpa_relay_index(cp, fam, peer->ip);

	if (!tenant_relay_to_relay(cp, t) || idx == CP_RELAY_NONE)
		return false;
	if (cp->conf->tenants.n > 0) {
		if (!((cpa_tenant_mask(cp, t, fam) >> idx) & 1u))
			return false;
		if (any_port)
			return cp->alloc->tenant_at[t][cpa_fam_i(fam)][idx] > 0;
	}
	if (any_port) {
		/* some allocation (or reservation) at that address */
		for (unsigned int w = 0; w < cp->nworkers && w < IPC_MAX_WORKERS; w++)
			if (cp->alloc->share_used[cpa_fam_i(fam)][idx][w] > 0)
				return true;
		return false;
	}
	if (!cpa_port_used(cp, cpa_fam_i(fam), idx, peer->port))
		return false;
	for (unsigned int i = 0; i < CP_MAX_RESERV; i++) {
		const struct cp_reservation *rv = &cp->alloc->reserv[i];

		if (rv->used && rv->port == peer->port && rv->family == fam &&
		    rv->relay_idx == idx)
			return false;
	}
	return true;
}

/*
 * The peer policy's word on peer (family NET_AF4 or NET_AF6; a permission's,
 * any_port, by its IP) for allocation a: its tenant's policy (or
 * cp.peers'), relay to relay within the tenant, a family a relays. The one
 * rule for a binding, whether a client asks for it (CreatePermission,
 * ChannelBind) or the pair's mirror brings it (cp_alloc_mirror_put()).
 * 0 with canon the peer's canonical form; STUN_ERR_BAD_REQUEST (a
 * channel to port 0), STUN_ERR_FORBIDDEN (refused by policy: counted
 * policy_refused) or STUN_ERR_PEER_ADDRESS_FAMILY_MISMATCH.
 */
uint16_t
cpa_peer_judge(struct cp_ctx *cp, const struct cp_alloc *a, const struct ipc_addr *peer,
	       bool any_port, struct ipc_addr *canon)
{
	struct cp_addr in, out;
	enum cp_policy_verdict v;

	/* A channel leads to a transport address, and port 0 is none (RFC
	 * 768): ChannelBind to it is 400, as a malformed peer address is.
	 * (dp drops Send indications to it.) */
	if (!any_port && peer->port == 0)
		return STUN_ERR_BAD_REQUEST;
	memset(&in, 0, sizeof(in));
	in.family = peer->family == NET_AF4 ? 4 : 6;
	/* RFC 8656 §9: a permission is for an IP address; the port of
	 * CreatePermission's XOR-PEER-ADDRESS is ignored (often 0). */
	in.port = any_port && peer->port == 0 ? 1 : peer->port;
	memcpy(in.ip, peer->ip, 16);
	v = cp_policy_check(tenant_policy(cp, a->tenant), &in, &out);
	if (v == CP_POLICY_OWN_RELAYED && relay_peer_ok(cp, a->tenant, &out, any_port))
		v = CP_POLICY_ACCEPT;
	if (v != CP_POLICY_ACCEPT) {
		cp->stats[CP_STAT_POLICY_REFUSED]++;
		return STUN_ERR_FORBIDDEN;
	}
	memset(canon, 0, sizeof(*canon));
	canon->family = out.family;
	canon->port = out.port;
	memcpy(canon->ip, out.ip, 16);
	/* §10.2 / §12.2: the peer must be of a family we relayed. */
	if (!alloc_has_family(a, canon->family))
		return STUN_ERR_PEER_ADDRESS_FAMILY_MISMATCH;
	return 0;
}

/* The peer address of attr as policy sees it (cpa_peer_judge()), or a
 * refusal code. */
uint16_t
peer_check(struct req_ctx *r, const struct cp_alloc *a,
	   const struct stun_attr *attr, bool any_port, struct ipc_addr *canon)
{
	struct stun_addr sa;
	struct ipc_addr peer;

	if (stun_attr_get_addr(r->req, attr, &sa) < 0)
		return STUN_ERR_BAD_REQUEST;
	memset(&peer, 0, sizeof(peer));
	peer.family = sa.family == STUN_AF_IPV4 ? NET_AF4 : NET_AF6;
	peer.port = sa.port;
	memcpy(peer.ip, sa.ip, 16);
	return cpa_peer_judge(r->cp, a, &peer, any_port, canon);
}

/* Install (or refresh) the permission for peer's IP (§9: 300 s) and tell
 * dp; 0, or -ENOMEM when a new one finds no memory. */
static int
perm_install(struct cp_ctx *cp, struct cp_alloc *a, const struct ipc_addr *peer)
{
	int i = cpa_bind_find(a, peer, false);
	struct cp_alloc_ev ev = { .type = CP_ALLOC_EV_BIND, .a = a, .renewed = i >= 0 };

	if (i < 0)
		i = cpa_bind_add(a, peer, 0);
	if (i < 0)
		return i;
	a->binds[i].expires_ms = cp->now_ms + (uint64_t)cp->conf->cp.perm_lifetime_s * 1000u;
	cpa_send_binding(cp, a, IPC_PERM_ADD, &a->binds[i].peer, 0, a->binds[i].expires_ms);
	ev.peer = &a->binds[i].peer;
	cpa_observers(cp, &ev);
	return 0;
}

static void
do_create_permission(struct req_ctx *r)
{
	struct cp_ctx *cp = r->cp;
	struct cp_alloc *a = need_alloc(r);
	const struct stun_attr *pa;
	struct ipc_addr peers[CP_MAX_PERMS];
	unsigned int n = 0, have;
	uint8_t buf[256];
	struct stun_builder b;

	if (a == NULL)
		return;
	pa = stun_msg_find(r->req, STUN_ATTR_XOR_PEER_ADDRESS);
	if (pa == NULL) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	/* Judge every address before installing any (§10.2: all or none). */
	for (; pa != NULL; pa = stun_msg_find_next(r->req, pa)) {
		uint16_t code;

		if (n == CP_MAX_PERMS) {
			reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
			return;
		}
		code = peer_check(r, a, pa, true, &peers[n]);
		if (code != 0) {
			reply_error(r, code, NULL);
			return;
		}
		n++;
	}
	/* new ones (a peer given twice counts once) */
	have = a->nperms;
	for (unsigned int i = 0; i < n; i++) {
		bool seen = cpa_bind_find(a, &peers[i], false) >= 0;

		for (unsigned int j = 0; j < i && !seen; j++)
			seen = peers[j].family == peers[i].family &&
			       memcmp(peers[j].ip, peers[i].ip, 16) == 0;
		have += !seen;
	}
	if (have > CP_MAX_PERMS) {
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
		return;
	}
	/* (Without memory for a new one: 508, and those installed before it
	 * stay, valid permissions all.) */
	for (unsigned int i = 0; i < n; i++)
		if (perm_install(cp, a, &peers[i]) < 0) {
			reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
			cpa_alloc_arm(cp, a);
			return;
		}
	cpa_alloc_arm(cp, a);
	cp->stats[CP_STAT_PERMISSION_OK]++;
	reply_begin(r, &b, buf, sizeof(buf));
	reply_finish(r, &b);
}

static void
do_channel_bind(struct req_ctx *r)
{
	struct cp_ctx *cp = r->cp;
	struct cp_alloc *a = need_alloc(r);
	const struct stun_attr *ca, *pa;
	struct ipc_addr peer;
	uint16_t ch = 0, code;
	uint8_t buf[256];
	struct stun_builder b;
	int same, by_peer, slot;

	if (a == NULL)
		return;
	/* RFC 6062 §5: no channels on a TCP allocation (its data goes on
	 * connections of its own) */
	if (a->tcp) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	ca = stun_msg_find(r->req, STUN_ATTR_CHANNEL_NUMBER);
	pa = stun_msg_find(r->req, STUN_ATTR_XOR_PEER_ADDRESS);
	/* §12.2: both present, number in 0x4000..0x4FFF (the default,
	 * turn.channels "rfc8656"; up to 0x7FFE only when configured for
	 * RFC 5766 clients, "rfc5766") */
	if (ca == NULL || pa == NULL || stun_attr_get_channel(ca, &ch) < 0) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	/* (its own phrase: coturn's turnutils_uclient draws from
	 * 0x4000-0x7FFF, and 0x7FFF is reserved, RFC 5766 §11) */
	if (ch < CHDATA_CHANNEL_MIN || ch > cp->conf->turn.channel_max) {
		reply_error_why(r, STUN_ERR_BAD_REQUEST, "Channel Number Out Of Range");
		return;
	}
	code = peer_check(r, a, pa, false, &peer);
	if (code != 0) {
		reply_error(r, code, NULL);
		return;
	}
	same = cpa_chan_find(a, ch);
	by_peer = cpa_bind_find(a, &peer, true);
	/* the number bound to another peer, or the peer to another number:
	 * 400, saying which (a client that picks its numbers at random, as
	 * coturn's turnutils_uclient does from 0x4000-0x7FFF, hits the first
	 * once in 16,384 second bindings: the phrase tells that apart from a
	 * server fault) */
	if (by_peer != same) {
		reply_error_why(r, STUN_ERR_BAD_REQUEST, same >= 0 ?
				"Channel Number Bound To Another Peer" :
				"Peer Bound To Another Channel Number");
		return;
	}
	/* §12.2: the binding installs the permission as well. Both need room
	 * before either is taken: a 508 leaves nothing behind. */
	if ((same < 0 && (int)(a->nbinds - a->nperms) >= CP_MAX_CHANNELS) ||
	    (cpa_bind_find(a, &peer, false) < 0 && a->nperms >= CP_MAX_PERMS)) {
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
		return;
	}
	slot = same >= 0 ? same : cpa_bind_add(a, &peer, ch);
	if (slot < 0) {
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
		return;
	}
	a->binds[slot].expires_ms = cp->now_ms + (uint64_t)cp->conf->cp.chan_lifetime_s * 1000u;
	/* §12.2: binding also installs or refreshes the permission (install
	 * first: dp relays for the channel only with it). */
	if (perm_install(cp, a, &peer) < 0) {
		if (same < 0)
			cpa_bind_del(a, (unsigned int)slot);
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
		return;
	}
	slot = cpa_chan_find(a, ch);   /* (the array may have moved) */
	cpa_send_binding(cp, a, IPC_CHAN_ADD, &a->binds[slot].peer, ch,
		     a->binds[slot].expires_ms);
	cpa_observers(cp, &(struct cp_alloc_ev){ .type = CP_ALLOC_EV_BIND, .a = a,
		      .peer = &a->binds[slot].peer, .channel = ch, .renewed = same >= 0 });
	cpa_alloc_arm(cp, a);
	cp->stats[CP_STAT_CHANNEL_OK]++;
	reply_begin(r, &b, buf, sizeof(buf));
	reply_finish(r, &b);
}

/* ---- a request from dp -------------------------------------------------- */

void
cpa_handle_request(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	const struct cp_auth_session *sess = NULL;
	struct stun_msg req;
	struct req_ctx r;

	cp->stats[CP_STAT_REQUESTS]++;
	/* Not before cp is ready: while it takes dp's state back, an
	 * Allocate could be given a 5-tuple whose allocation is still on its
	 * way. dp holds requests back until cp is ready, so this is one that
	 * slipped in as cp started; the client sends it again. */
	if (!cp->ready) {
		cp->stats[CP_STAT_NOT_READY_DROPPED]++;
		return;
	}
	if (stun_msg_parse(&req, msg->body, msg->h.body_len, NULL) < 0 ||
	    req.cls != STUN_CLASS_REQUEST)
		return;   /* dp parsed it already: not reachable from a client */
	/* RFC 8489 §6.3, §14.7: a message whose FINGERPRINT does not match
	 * is discarded. dp checks every STUN message before it acts on it or
	 * passes it on (dp/turn/turn.c fingerprint_ok(), DPDK's CRC-32), so
	 * cp does not check again: zlib's CRC cost 370 ns a request here,
	 * a quarter of a dropped challenge's whole cost under a flood
	 * (perf/RESULTS.md). FINGERPRINT is no security check: whoever
	 * writes the ring can write a matching one. */
	memset(&r, 0, sizeof(r));
	r.cp = cp;
	r.worker = w;
	r.msg = msg;
	r.req = &req;
	r.tenant = cpa_tenant_of(cp, &msg->h.tuple);
	cpa_stun_from_ipc(&r.from.addr, &msg->h.tuple.client);
	r.from.transport = msg->h.tuple.transport;
	r.from.tenant = (uint8_t)r.tenant;     /* cp/auth's realm, users, nonces */

	/* RFC 7635: the keys access tokens gave this 5-tuple's allocation
	 * (its session's, the one it was made with), for its requests that
	 * do not bring one */
	if (cp_auth_oauth_on(cp->auth, r.tenant)) {
		const struct cp_alloc *sa = cpa_alloc_by_tuple(cp, &msg->h.tuple);

		if (sa != NULL && sa->tenant == r.tenant && cpa_oauth_alloc(sa))
			sess = sa->oauth;
	}
	/* Nonces age on the monotonic clock; REST usernames carry a Unix
	 * time, and the wall clock is meant there. */
	if (cp_auth_check_session(cp->auth, &req, &r.from, cp->now_ms / 1000u,
				  cp->wall_ms / 1000u, sess, sess != NULL ? 2u : 0u,
				  &r.auth) != 0) {
		uint8_t buf[NONCE_CHALLENGE_MAX];
		int n;

		if (r.auth.reason < CP_AUTH_REASON__COUNT)
			cp->auth_refused[r.auth.reason]++;

		if (r.auth.code != STUN_ERR_BAD_REQUEST &&
		    !cp_auth_challenge_allowed(cp->auth, &r.from, cp->now_ms)) {
			cp->stats[CP_STAT_CHALLENGES_DROPPED]++;
			return;
		}
		n = cp_auth_build_challenge(cp->auth, &req, &r.auth, &r.from,
					    cp->now_ms / 1000u, buf, sizeof(buf));
		cp->stats[CP_STAT_CHALLENGES]++;
		cp_count_error(cp, r.auth.code);
		cpa_send_response(cp, w, &msg->h.tuple, buf, n);
		return;
	}
	/* RFC 8489 §6.3 (RFC 5389 §7.3): "Once the authentication checks
	 * are done", unknown comprehension-required attributes: 420, signed
	 * like any answer to an authenticated request. (It was checked
	 * first: an unauthenticated probe got 420 instead of 401, and such
	 * requests went past dp's challenge to cp.) */
	/* ACCESS-TOKEN (0x001B) is comprehension-required: where RFC 7635
	 * is off (no oauth group, or a tenant's address) we do not
	 * understand it, and say so like any other (§6.3), to a request
	 * that authenticated otherwise. */
	if (!cp_auth_oauth_on(cp->auth, r.tenant) &&
	    stun_msg_find(&req, STUN_ATTR_ACCESS_TOKEN) != NULL &&
	    req.nunknown < STUN_MAX_UNKNOWN)
		req.unknown[req.nunknown++] = STUN_ATTR_ACCESS_TOKEN;
	if (req.nunknown > 0) {
		reply_error(&r, STUN_ERR_UNKNOWN_ATTRIBUTE, NULL);
		return;
	}
	switch (req.method) {
	case STUN_METHOD_ALLOCATE:
		do_allocate(&r);
		break;
	case STUN_METHOD_REFRESH:
		do_refresh(&r);
		break;
	case STUN_METHOD_CREATE_PERMISSION:
		do_create_permission(&r);
		break;
	case STUN_METHOD_CHANNEL_BIND:
		do_channel_bind(&r);
		break;
	case STUN_METHOD_CONNECT:
		cpa_tcp_connect(&r);
		break;
	case STUN_METHOD_CONNECTION_BIND:
		cpa_tcp_bind(&r);
		break;
	default:
		reply_error(&r, STUN_ERR_BAD_REQUEST, NULL);
		break;
	}
}
