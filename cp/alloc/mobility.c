/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8016 (Mobility with TURN) in cp: the MOBILITY-TICKET of an Allocate
 * and of a Refresh, and the move of an allocation to a client's new
 * 5-tuple. The tickets are mob_ticket.c's; dp moves its table entry when
 * told (ALLOC_MOVE, dp/turn/turn_table.c turn_alloc_move()), and a new
 * tuple that reaches another worker is forwarded from there (FWD_ADD,
 * dp/turn/turn_fwd.c).
 *
 * Answers (the codes RFC 8016 §3.1-§3.2 and RFC 8656 §5 give):
 * - turn.mobility off, a client on TCP or TLS, an RFC 6062 allocation, a
 *   new DTLS session on another dp worker than the allocation's, or a new
 *   5-tuple on a worker whose forwards are IPC_FWD_MAX already: 405;
 * - a MOBILITY-TICKET with a value in an Allocate, or one that is no
 *   ticket of ours (length, alphabet, seal): 400;
 * - a ticket of no live allocation, of an allocation of another tenant,
 *   or of an earlier generation (a ticket the allocation was already
 *   moved with): 437, as for any request without its allocation;
 * - a ticket of another user's allocation: 441 (§3.2: the request must
 *   carry the credentials the allocation was made with; for one an
 *   access token made, RFC 7635, that token's mac_key, not its kid).
 * Each is counted (cp's stats, mobility_*); none leaves state behind.
 */
#include <errno.h>
#include <string.h>

#include "alloc_internal.h"
#include "stun.h"
#include "tp_conf.h"
#include "tp_log.h"

/* A key seals for a day; tickets it sealed open for a day more (the
 * previous key). A mobile allocation's every Refresh answer carries a
 * ticket under the current key, so a client that refreshes holds an
 * openable one. */
#define MOB_ROTATE_MS (24ull * 3600u * 1000u)

static void
keys_age(struct cp_ctx *cp)
{
	struct cp_allocs *al = cp->alloc;

	if (cp->now_ms - al->mob_rotated_ms < MOB_ROTATE_MS)
		return;
	if (cp_mob_keys_rotate(&al->mob) == 0)
		al->mob_rotated_ms = cp->now_ms;
}

static void
forbidden(struct req_ctx *r, const char *why)
{
	r->cp->stats[CP_STAT_MOBILITY_FORBIDDEN]++;
	reply_error_why(r, STUN_ERR_MOBILITY_FORBIDDEN, why);
}

/* RFC 8016 §3.1: an Allocate asking for mobility (an empty
 * MOBILITY-TICKET). 0 with *mobile set (or not: no such attribute), or
 * the error code to answer. */
uint16_t
cpa_mob_allocate_check(struct req_ctx *r, bool *mobile)
{
	const struct stun_attr *mt = stun_msg_find(r->req, STUN_ATTR_MOBILITY_TICKET);
	const struct stun_attr *rt = stun_msg_find(r->req, STUN_ATTR_REQUESTED_TRANSPORT);
	uint8_t proto = 0;

	*mobile = false;
	if (mt == NULL)
		return 0;
	if (mt->len != 0) {
		r->cp->stats[CP_STAT_MOBILITY_TICKET_BAD]++;
		return STUN_ERR_BAD_REQUEST;
	}
	if (rt != NULL)
		stun_attr_get_transport(rt, &proto);
	/* Over TCP or TLS the connection is the allocation's life: a new
	 * address is a new connection, and mobility is for UDP and DTLS
	 * (RFC 8016 §1). An RFC 6062 allocation is a TCP client's. */
	if (!r->cp->conf->turn.mobility || !r->cp->alloc->mob_ok ||
	    r->msg->h.tuple.transport != STUN_TRANSPORT_UDP || proto == STUN_TRANSPORT_TCP) {
		r->cp->stats[CP_STAT_MOBILITY_FORBIDDEN]++;
		return STUN_ERR_MOBILITY_FORBIDDEN;
	}
	*mobile = true;
	return 0;
}

/* The ticket of a mobile allocation, in a success answer (Allocate,
 * every Refresh): the same for the same generation, so a retransmitted
 * answer carries what the first one did. */
void
cpa_mob_add_ticket(struct req_ctx *r, struct stun_builder *b, const struct cp_alloc *a)
{
	char t[CP_MOB_TICKET_LEN];

	if (!a->mobile || !r->cp->alloc->mob_ok)
		return;
	keys_age(r->cp);
	if (cp_mob_ticket_seal(&r->cp->alloc->mob, a->id, a->mob_gen, t) == 0)
		stun_build_attr(b, STUN_ATTR_MOBILITY_TICKET, (const uint8_t *)t, sizeof(t));
}

/* "The credentials the allocation was made with" (RFC 8016 §3.2), for a
 * move to another 5-tuple. For one an access token made (RFC 7635) the
 * USERNAME is the kid, which names the authorization server's key and is
 * shared by every client it issues tokens to: what is the allocation's
 * own is the mac_key of the token that made it, which no later request
 * replaces (requests.c cpa_oauth_made()). Not the session's key: a
 * renewal with another token of the same server replaces that one, so
 * anyone holding such a token who could send one Refresh from the
 * client's 5-tuple (with the nonce and the ticket it saw go by in the
 * clear) made the session its own and then moved the allocation to
 * itself. A token allocation a restarted cp took back has no key: the
 * token it was made with gives them back (cpa_oauth_reclaim()). */
static bool
same_user(const struct req_ctx *r, struct cp_alloc *a)
{
	if (cpa_oauth_alloc(a) || cpa_oauth_reclaim(r, a))
		return cpa_oauth_maker(r, a);
	/* (nor is a token whose kid happens to be a user's name that user) */
	return r->auth.oauth == 0 && a->user->len == r->auth.username_len &&
	       memcmp(a->user->name, r->auth.username, a->user->len) == 0;
}

/*
 * RFC 8016 §3.2: a Refresh with a MOBILITY-TICKET (authenticated by the
 * caller, as every request). Its allocation, moved here when the request
 * came from another 5-tuple, for the caller to refresh as any; NULL when
 * answered (an error).
 *
 * From the allocation's own 5-tuple, a ticket of its current generation
 * or the one before is the client's retransmission of the Refresh that
 * moved it (coturn's client sends it twice) or a client that sends its
 * ticket every time: refreshed, answered with the current ticket.
 */
struct cp_alloc *
cpa_mob_refresh(struct req_ctx *r, const struct stun_attr *ticket)
{
	struct cp_ctx *cp = r->cp;
	struct cp_alloc *a, *here;
	uint64_t id = 0;
	uint16_t gen = 0;
	int rc;

	if (!cp->conf->turn.mobility || !cp->alloc->mob_ok) {
		forbidden(r, NULL);
		return NULL;
	}
	if (r->msg->h.tuple.transport != STUN_TRANSPORT_UDP) {
		forbidden(r, "Mobility over UDP only");
		return NULL;
	}
	keys_age(cp);
	rc = cp_mob_ticket_open(&cp->alloc->mob, ticket->value, ticket->len, &id, &gen);
	if (rc < 0) {
		cp->stats[CP_STAT_MOBILITY_TICKET_BAD]++;
		reply_error_why(r, STUN_ERR_BAD_REQUEST, "Bad Mobility Ticket");
		return NULL;
	}
	a = cpa_alloc_by_id(cp, id);
	if (a == NULL || !a->mobile || a->tenant != r->tenant) {
		cp->stats[CP_STAT_MOBILITY_TICKET_STALE]++;
		reply_error(r, STUN_ERR_ALLOCATION_MISMATCH, NULL);
		return NULL;
	}
	/* From its own 5-tuple: a plain Refresh, whose client is judged as
	 * any Refresh's (a renewal may bring a new token of its
	 * authorization server, RFC 7635 §9) */
	here = cpa_alloc_by_tuple(cp, &r->msg->h.tuple);
	if (here == a && (gen == a->mob_gen || (uint16_t)(gen + 1u) == a->mob_gen)) {
		if (!cpa_own_client(r, a, cpa_renewal(r))) {
			reply_error(r, STUN_ERR_WRONG_CREDENTIALS, NULL);
			return NULL;
		}
		return a;
	}
	/* A move: the credentials it was made with, or 441 */
	if (!same_user(r, a)) {
		reply_error(r, STUN_ERR_WRONG_CREDENTIALS, NULL);
		return NULL;
	}
	if (here != NULL) {
		cp->stats[CP_STAT_MOBILITY_TICKET_STALE]++;
		reply_error(r, STUN_ERR_ALLOCATION_MISMATCH, NULL);
		return NULL;
	}
	/* A ticket the allocation was moved with already: whoever holds the
	 * old one (the client's old address, or a copy) does not take it
	 * back. */
	if (gen != a->mob_gen) {
		cp->stats[CP_STAT_MOBILITY_TICKET_STALE]++;
		reply_error(r, STUN_ERR_ALLOCATION_MISMATCH, NULL);
		return NULL;
	}
	/* The allocation lives on its relayed port's worker (lib/steer);
	 * the new 5-tuple's packets reach the worker its flow hash (or the
	 * NIC's RSS) picks, the request's. There the allocation stays, and
	 * that worker hands the tuple's packets to it (a forward,
	 * cpa_alloc_move()): for a plain UDP tuple, while that worker's
	 * table has room. A DTLS session is its worker's, where the
	 * allocation is not: refused, counted, nothing moves. */
	if (a->worker != r->worker &&
	    (r->msg->h.tuple.conn_id != 0 || !cpa_fwd_room(cp, a, r->worker))) {
		cp->stats[CP_STAT_MOBILITY_OTHER_WORKER]++;
		forbidden(r, "Mobility Forbidden: new address on another worker");
		return NULL;
	}
	if (a->tcp || a->tuple.transport != STUN_TRANSPORT_UDP) {
		forbidden(r, NULL);
		return NULL;
	}
	/* What do_refresh() would refuse after the move is refused before
	 * it: a request answered with an error moves nothing. */
	{
		const struct stun_attr *raf = stun_msg_find(r->req,
						STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
		uint8_t fam = 0;
		bool has = false;

		if (raf != NULL) {
			stun_attr_get_family(raf, &fam);
			for (unsigned int i = 0; i < a->nrelayed; i++)
				has |= a->relayed[i].family ==
				       (fam == STUN_AF_IPV4 ? NET_AF4 : NET_AF6);
			if (!has) {
				reply_error(r, STUN_ERR_PEER_ADDRESS_FAMILY_MISMATCH, NULL);
				return NULL;
			}
		}
	}
	/* a full ring to dp: no answer, as dp drops a request it cannot
	 * pass on; the client's retransmission moves it */
	if (cpa_alloc_move(cp, a, &r->msg->h.tuple, r->worker) < 0)
		return NULL;
	a->mob_gen++;
	cp->stats[CP_STAT_MOBILITY_MOVES]++;
	tp_log(TP_LOG_DEBUG, "allocation %llu (worker %u): moved to a new client 5-tuple "
	       "(RFC 8016, generation %u)", (unsigned long long)a->id, a->worker,
	       (unsigned int)a->mob_gen);
	return a;
}
