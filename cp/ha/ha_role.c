/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pair's role machine (docs/design/ha.md §3.2): which box may relay.
 * A lease in the cluster's Redis says it (ha_lease.c asks; this file only
 * hears the answers), with a fencing token that only grows; the segment's
 * HA block (struct ipc_ha) tells dp, which goes passive by itself at the
 * block's deadline. The rules:
 *
 * - ACTIVE renews every lease/4; each renew answered moves the deadline to
 *   its send time + lease - guard: Redis expires the key no earlier than
 *   lease after it was sent, so dp stops at least guard before the peer
 *   can take the key.
 * - A renew answered with another holder fences at once. A peer's
 *   heartbeat with a token above ours is its word, not the lease's: it
 *   asks Redis at once (a renew) and fences only on that answer, or at
 *   the deadline (docs/design/ha.md §4 S16: one heartbeat made both boxes
 *   passive before).
 * - Redis silent: the deadline moves on only by the peer's word. Once a
 *   renew is late (none answered for renew + renew/4), the active box's
 *   heartbeats ask for that word (vouch_asked); a standby peer's heartbeat
 *   echoes the send time of our latest ACTIVE heartbeat it heard, and for
 *   one that asked it promises not to ask for the lease until a lease
 *   after it heard it, so (echo + lease - guard) is as safe a deadline as
 *   a renew's. Only the echo of a heartbeat that asked moves the deadline:
 *   otherwise it stays the renews', a guard before the key's expiry, and
 *   the standby may take the key as it expires. Lost both: fenced at the
 *   deadline (an isolated box cannot tell its isolation from the peer's
 *   takeover).
 * - STANDBY (and FENCED) ask for the lease only after miss_ms (three
 *   heartbeats) without an active peer's heartbeat, past any promise, and
 *   only Redis gives it (the key absent), so with Redis away nobody
 *   changes role. Refused, Redis says the key's PTTL and the next acquire
 *   is sent as it expires (+ HA_PTTL_MARGIN_MS; a PTTL over the lease is
 *   clamped to it, counted): the takeover lands at the key's expiry, not
 *   a lease after the last heartbeat (docs/design/ha.md §3.5). A peer
 *   heard active past the lease Redis last named (its answer + lease) is
 *   asked after in Redis (a probe, which reads only): a holder named, all
 *   is well until a lease later; none, the peer's "active" holds no
 *   lease, so this box stops vouching for it (its heartbeats echo
 *   nothing) and asks for the lease a lease later: the peer, if it really
 *   relays on our word alone, is fenced at its deadline first.
 *
 * Nothing here sends, reads a socket or a clock: the caller gives now.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "ha.h"
#include "ipc.h"
#include "tp_conf_types.h"
#include "tp_log.h"

#define HA_GUARD_MIN_MS 100u
#define HA_TAKE_RETRY_MS 20u          /* a handed-over lease still held: ask again */
/* an acquire refused is sent again this long after the key's PTTL: the
 * answer's arrival is already past Redis' reading, so the next acquire
 * cannot arrive before the expiry; the margin covers the expiry's
 * rounding (Redis expires a key on access at ms resolution) */
#define HA_PTTL_MARGIN_MS 5u

const char *
ha_state_name(enum ha_state s)
{
	switch (s) {
	case HA_STANDBY: return "standby";
	case HA_ACTIVE: return "active";
	case HA_FENCED: return "fenced";
	default: return "starting";
	}
}

static void
seg_write(struct ha_role *r)
{
	if (r->seg == NULL)
		return;
	if (r->state == HA_ACTIVE && r->yield == HA_YIELD_NONE)
		ipc_ha_set(r->seg, IPC_HA_ACTIVE, r->token, r->fence_at_ms);
	else if (r->state == HA_ACTIVE)
		/* a switchover's hold: the lease ours, dp passive */
		ipc_ha_set(r->seg, IPC_HA_FENCED, r->token, 0);
	else
		ipc_ha_set(r->seg, r->state == HA_FENCED ? IPC_HA_FENCED : IPC_HA_STANDBY,
			   r->token, 0);
}

/* A new role, said in the log and in status (why, one sentence). */
static void
become(struct ha_role *r, enum ha_state s, uint64_t now_ms, const char *why)
{
	enum ha_state was = r->state;

	if (s == HA_FENCED && was == HA_ACTIVE)
		r->st.fenced++;
	if (s == HA_ACTIVE)
		r->active_since_ms = now_ms;
	r->state = s;
	r->yield = HA_YIELD_NONE;     /* a switchover's hold ends with the role */
	if (s == HA_ACTIVE)
		r->take_until_ms = 0;
	r->asking = HA_ASK_NONE;      /* what was asked was for the old role */
	r->claimed = 0;               /* a claim, a doubt: of the old role */
	r->doubt_since_ms = 0;
	r->seq++;
	r->next_ask_ms = now_ms;
	snprintf(r->why, sizeof(r->why), "%s", why);
	seg_write(r);
	tp_log(s == HA_FENCED ? TP_LOG_WARNING : TP_LOG_NOTICE,
	       "ha: %s -> %s (token %" PRIu64 "): %s", ha_state_name(was), ha_state_name(s),
	       r->token, why);
}

void
ha_role_start(struct ha_role *r, const struct ha_role_conf *c, struct ipc_ha *seg,
	      uint64_t now_ms)
{
	uint64_t fence;
	uint32_t role;

	memset(r, 0, sizeof(*r));
	r->lease_ms = c->lease_ms;
	r->guard_ms = c->lease_ms / 10 > HA_GUARD_MIN_MS ? c->lease_ms / 10 : HA_GUARD_MIN_MS;
	r->renew_ms = c->lease_ms / 4;
	r->miss_ms = c->heartbeat_ms != 0 && 3 * c->heartbeat_ms < c->lease_ms / 2 ?
		     3 * c->heartbeat_ms : c->heartbeat_ms != 0 ? c->lease_ms / 2 : c->lease_ms;
	r->mode = c->mode;
	r->seg = seg;
	r->state = HA_STARTING;
	r->quiet_since_ms = now_ms;
	/* a predecessor of this cp may have vouched for the peer (its
	 * promise: no ask before a lease after the heartbeat it heard): a
	 * lease of listening first, in every mode. "active" asked at once
	 * and broke that promise: two active boxes for up to a lease (issue
	 * 69); it still needs no quiet spell of its own (asks as the lease
	 * ends unless an active peer is heard meanwhile) */
	r->ask_not_before_ms = now_ms + c->lease_ms;
	if (c->mode == TP_HA_ROLE_ACTIVE && now_ms >= c->lease_ms)
		r->quiet_since_ms = now_ms - c->lease_ms;
	role = seg != NULL ? atomic_load(&seg->role) : IPC_HA_STANDBY;
	fence = seg != NULL ? atomic_load(&seg->fence_at_ms) : 0;
	r->token = seg != NULL ? atomic_load(&seg->token) : 0;
	if (role == IPC_HA_ACTIVE && fence > now_ms && c->mode != TP_HA_ROLE_STANDBY) {
		/* a cp restarted on the active box: dp relays on until the
		 * deadline cp's predecessor wrote; renew now */
		r->fence_at_ms = fence;
		r->token_verified = r->token;   /* this box's own lease */
		become(r, HA_ACTIVE, now_ms, "the segment says this box is active (cp "
		       "restarted): renewing its lease");
		return;
	}
	become(r, HA_STANDBY, now_ms, c->mode == TP_HA_ROLE_STANDBY ?
	       "ha.role is \"standby\": this box never takes the lease" :
	       "started: listening for the peer before asking for the lease");
}

enum ha_ask
ha_role_due(struct ha_role *r, uint64_t now_ms)
{
	char why[160];

	if (r->state == HA_ACTIVE && now_ms >= r->fence_at_ms) {
		snprintf(why, sizeof(why), "the lease's deadline passed: no renew answered "
			 "since %" PRIu64 " ms ago and no word of the peer", r->renewed_ms > 0 ?
			 now_ms - r->renewed_ms : now_ms - r->active_since_ms);
		become(r, HA_FENCED, now_ms, why);
	}
	if (r->asking != HA_ASK_NONE) {
		/* the cluster's link drops an answer it gave up on without a
		 * word: an ask unanswered for lease - guard is given up. Not
		 * sooner: Redis may have done it (an acquire's INCR and SET),
		 * and its answer, late with a round trip over renew_ms, must
		 * still count; given up and asked again at once, every late
		 * answer was dropped, and an acquire Redis did left the key
		 * held by this box without its knowing (issue 69). Past lease
		 * - guard a renew's answer moves no deadline anyway. */
		if (now_ms - r->asked_ms < r->lease_ms - r->guard_ms)
			return HA_ASK_NONE;
		r->st.lease_unanswered++;
		r->asking = HA_ASK_NONE;
		r->seq++;
	}
	if (now_ms < r->next_ask_ms)
		return HA_ASK_NONE;
	if (r->state == HA_ACTIVE)
		/* (a renew while the lease is let go would write it again) */
		return r->yield == HA_YIELD_RELEASING ? HA_ASK_NONE : HA_ASK_RENEW;
	if (r->mode == TP_HA_ROLE_STANDBY || r->state == HA_STARTING)
		return HA_ASK_NONE;
	/* the peer handed its role over (it let the lease go first: a
	 * switchover, ha_role_take()); or no active peer heard for miss_ms and
	 * no promise of ours binds (an acquire refused said when the key
	 * expires: next_ask_ms); or Redis held no lease for the "active" peer,
	 * and this box stopped vouching for it a lease ago */
	if (now_ms < r->take_until_ms ||
	    (now_ms - r->quiet_since_ms >= r->miss_ms && now_ms >= r->ask_not_before_ms) ||
	    (r->doubt_since_ms != 0 && now_ms - r->doubt_since_ms >= r->lease_ms))
		return HA_ASK_ACQUIRE;
	/* an active peer heard within a lease: it holds the lease, or will
	 * renew it; never ask for it over the peer, but past the lease Redis
	 * last named, ask Redis whether the peer's word holds */
	if (r->peer_active_ms != 0 && now_ms - r->peer_active_ms < r->lease_ms &&
	    r->doubt_since_ms == 0 && now_ms >= r->lease_known_until_ms)
		return HA_ASK_PROBE;
	return HA_ASK_NONE;
}

bool
ha_role_vouches(const struct ha_role *r)
{
	return r->doubt_since_ms == 0;
}

/* No renew answered for renew + renew/4 since the last answered one was
 * sent: Redis silent to this box, whose heartbeats ask for the peer's
 * word. renewed_ms only grows, so a heartbeat sent at e asked for it if
 * e >= renewed_ms + this now (ha_role_peer()). */
static uint64_t
vouch_from(const struct ha_role *r)
{
	return r->renewed_ms + r->renew_ms + r->renew_ms / 4;
}

bool
ha_role_asks_vouch(const struct ha_role *r, uint64_t now_ms)
{
	return r->state == HA_ACTIVE && now_ms >= vouch_from(r);
}

uint32_t
ha_role_asked(struct ha_role *r, enum ha_ask ask, uint64_t now_ms)
{
	r->asking = ask;
	r->asked_ms = now_ms;
	r->next_ask_ms = now_ms + r->renew_ms;
	return ++r->seq;
}

/* "BOX:TOKEN": the token (0 when the form is other). */
static uint64_t
holder_token(const char *h)
{
	const char *c = strrchr(h, ':');
	uint64_t t = 0;

	if (c == NULL || c[1] == '\0')
		return 0;
	for (c++; *c != '\0'; c++) {
		if (*c < '0' || *c > '9' || t > UINT64_MAX / 10 - 1)
			return 0;
		t = t * 10 + (uint64_t)(*c - '0');
	}
	return t;
}

static void
heard_holder(struct ha_role *r, const struct ha_lease_ans *a)
{
	uint64_t t = a->token != 0 ? a->token : holder_token(a->holder);

	if (t > r->token && r->state != HA_ACTIVE)
		r->token = t;
	if (t > r->token_verified)
		r->token_verified = t;    /* Redis named it */
	if (strcmp(r->holder, a->holder) != 0) {
		snprintf(r->holder, sizeof(r->holder), "%s", a->holder);
		r->told_holder = false;
	}
}

void
ha_role_answer(struct ha_role *r, uint32_t seq, const struct ha_lease_ans *a, uint64_t now_ms)
{
	enum ha_ask asked = r->asking;
	uint64_t sent = r->asked_ms, fence;
	char why[200];

	if (asked == HA_ASK_NONE || seq != r->seq)
		return;                   /* given up on, or for another role */
	r->asking = HA_ASK_NONE;
	if (!a->answered) {
		r->st.lease_unanswered++;
		return;
	}
	fence = sent + r->lease_ms - r->guard_ms;
	if (asked == HA_ASK_PROBE) {
		if (a->held || r->state == HA_ACTIVE)
			return;               /* (the probe never says held) */
		if (a->token != 0 || a->holder[0] != '\0') {
			/* a holder: the key lives until a lease after it was
			 * read at most; ask again then */
			heard_holder(r, a);
			r->lease_known_until_ms = now_ms + r->lease_ms;
			return;
		}
		if (r->peer_active_ms == 0 || now_ms - r->peer_active_ms >= r->lease_ms ||
		    r->doubt_since_ms != 0)
			return;               /* the peer quiet meanwhile: the usual rule */
		r->doubt_since_ms = now_ms;
		r->st.peer_unheld++;
		tp_log(TP_LOG_WARNING, "ha: the peer says it is active, but Redis holds no lease: "
		       "this box vouches for it no more and asks for the lease in %u ms unless "
		       "a holder appears", r->lease_ms);
		return;
	}
	if (asked == HA_ASK_ACQUIRE) {
		if (a->held) {
			r->st.acquired++;
			r->token = a->token;
			if (a->token > r->token_verified)
				r->token_verified = a->token;
			r->fence_at_ms = fence;
			r->renewed_ms = sent;
			r->holder[0] = '\0';
			if (now_ms < r->take_until_ms) {
				r->st.switch_in++;
				snprintf(why, sizeof(why), "took the lease: the peer handed its "
					 "role over (a switchover)");
			} else {
				snprintf(why, sizeof(why), "took the lease (no active peer heard "
					 "for %u ms, the key was free)", r->lease_ms);
			}
			become(r, HA_ACTIVE, now_ms, why);
			r->next_ask_ms = sent + r->renew_ms;
			return;
		}
		r->st.acquire_refused++;
		heard_holder(r, a);
		r->lease_known_until_ms = now_ms + r->lease_ms;
		if (r->doubt_since_ms != 0) {
			/* a holder after all (the peer's renew came back):
			 * vouch again */
			r->doubt_since_ms = 0;
			tp_log(TP_LOG_NOTICE, "ha: Redis names %s as the lease's holder again: this "
			       "box vouches for the peer again",
			       a->holder[0] != '\0' ? a->holder : "a holder");
		}
		if (now_ms < r->take_until_ms) {
			/* handed over, yet held: the peer's delete not seen yet,
			 * or a third box; soon again while the window lasts */
			r->next_ask_ms = now_ms + HA_TAKE_RETRY_MS;
		} else if (a->has_pttl) {
			/* ask again as the key expires (Redis' relative PTTL,
			 * from its reading, which was before now): bounded by
			 * the lease, a longer one (or a key without expiry,
			 * -1) is no renew of ours: a hostile or broken writer */
			uint64_t wait = (uint64_t)a->pttl_ms;

			if (a->pttl_ms == -2) {
				/* the key gone between the script's GET and
				 * PTTL (a Redis that expires within a script):
				 * it is free now, ask again at once, not a
				 * lease later (issue 69) */
				r->next_ask_ms = now_ms;
			} else if (a->pttl_ms < 0 || a->pttl_ms > (int64_t)r->lease_ms) {
				r->st.pttl_clamped++;
				tp_log(TP_LOG_WARNING, "ha: Redis gives the lease held by %s a "
				       "PTTL of %" PRId64 " ms, over ha.lease_ms (%u): asking "
				       "again a lease later", a->holder[0] != '\0' ?
				       a->holder : "another box", a->pttl_ms, r->lease_ms);
				wait = r->lease_ms;
			}
			if (a->pttl_ms != -2)
				r->next_ask_ms = now_ms + wait + HA_PTTL_MARGIN_MS;
		}
		if (!r->told_holder) {
			r->told_holder = true;
			tp_log(r->mode == TP_HA_ROLE_ACTIVE ? TP_LOG_WARNING : TP_LOG_INFO,
			       "ha: the lease is held by %s%s: this box stays passive",
			       a->holder[0] != '\0' ? a->holder : "another box",
			       r->mode == TP_HA_ROLE_ACTIVE ? " (ha.role \"active\" was asked: "
			       "the other box started first)" : "");
		}
		if (r->state == HA_FENCED) {
			snprintf(why, sizeof(why), "the lease is held by %s", a->holder);
			become(r, HA_STANDBY, now_ms, why);
		}
		return;
	}
	/* a renew */
	if (r->state != HA_ACTIVE)
		return;
	if (a->held && a->token == r->token) {
		r->st.renewed++;
		r->renewed_ms = sent;
		if (r->claimed > r->token && sent >= r->claimed_ms) {
			tp_log(TP_LOG_NOTICE, "ha: Redis says the lease is still this box's (token %"
			       PRIu64 "): the peer's token %" PRIu64 " was its word only", r->token,
			       r->claimed);
			r->claimed_ms = UINT64_MAX;   /* said: the same claim is not asked again */
		}
		if (fence > r->fence_at_ms) {
			r->fence_at_ms = fence;
			seg_write(r);
		}
		return;
	}
	heard_holder(r, a);
	snprintf(why, sizeof(why), "the lease is held by %s, not by this box (token %"
		 PRIu64 "): fenced at once", a->holder[0] != '\0' ? a->holder : "another box",
		 r->token);
	if (holder_token(a->holder) > r->token)
		r->token = holder_token(a->holder);
	if (holder_token(a->holder) > r->token_verified)
		r->token_verified = holder_token(a->holder);
	r->told_holder = true;
	become(r, HA_FENCED, now_ms, why);
}

/* An active box hears a token above its own from the peer: the peer's word
 * (the link is authenticated, but a peer broken, stale or holding the key
 * can say anything), so Redis is asked at once (a renew) and only its
 * answer naming another holder fences, or the deadline, which no word of
 * this peer's moves meanwhile. */
static void
claim(struct ha_role *r, const struct ha_peer_hb *hb, uint64_t now_ms)
{
	if (hb->token <= r->claimed)
		return;                   /* asked already */
	r->claimed = hb->token;
	r->claimed_ms = now_ms;
	r->st.token_claims++;
	tp_log(TP_LOG_WARNING, "ha: the peer (%s) says token %" PRIu64 ", above this box's %"
	       PRIu64 ": asking Redis now; fenced if it names another holder, else at the "
	       "deadline (in %" PRIu64 " ms) unless renewed", ha_state_name(hb->role), hb->token,
	       r->token, r->fence_at_ms > now_ms ? r->fence_at_ms - now_ms : 0);
	/* a renew at once, unless one is out (its answer is as good: sent
	 * before the claim, it still fences if the key is not ours) or the
	 * lease is being let go (a switchover's, which renews no more) */
	if (r->asking == HA_ASK_NONE && r->yield != HA_YIELD_RELEASING)
		r->next_ask_ms = now_ms;
}

void
ha_role_peer(struct ha_role *r, const struct ha_peer_hb *hb, uint64_t now_ms)
{
	uint64_t fence;

	if (hb->role == HA_ACTIVE) {
		r->quiet_since_ms = now_ms;
		r->peer_active_ms = now_ms;
		/* it asked for our word and we give it (our next heartbeat
		 * echoes this one): no lease asked before a lease from now */
		if (hb->vouch_asked && r->state != HA_ACTIVE && ha_role_vouches(r) &&
		    now_ms + r->lease_ms > r->ask_not_before_ms)
			r->ask_not_before_ms = now_ms + r->lease_ms;
	}
	if (r->state != HA_ACTIVE) {
		if (hb->token > r->token)
			r->token = hb->token;
		if (hb->role == HA_ACTIVE && r->state == HA_FENCED)
			become(r, HA_STANDBY, now_ms, "the peer is active");
		return;
	}
	if (hb->token > r->token) {
		claim(r, hb, now_ms);
		return;                   /* (and no vouch in the same breath) */
	}
	/* a standby's word: it heard our active heartbeat sent at echo_ms
	 * (our clock), so it asks for no lease before echo + lease; only if
	 * that heartbeat asked for it (sent late in a renew, vouch_from()):
	 * otherwise the standby may take the key as it expires, and the
	 * deadline must stay the renews' */
	if ((hb->role != HA_STANDBY && hb->role != HA_FENCED) || hb->echo_ms < r->active_since_ms ||
	    hb->echo_ms > now_ms || hb->echo_ms <= r->vouched_ms || hb->echo_ms < vouch_from(r))
		return;
	r->vouched_ms = hb->echo_ms;
	fence = hb->echo_ms + r->lease_ms - r->guard_ms;
	if (fence > r->fence_at_ms) {
		r->st.vouched++;
		r->fence_at_ms = fence;
		seg_write(r);
	}
}

int
ha_role_yield(struct ha_role *r, enum ha_yield y)
{
	if (r->state != HA_ACTIVE)
		return -EINVAL;
	if (r->yield == y)
		return 0;
	tp_log(TP_LOG_NOTICE, "ha: switchover: %s", y == HA_YIELD_PASSIVE ? "dp passive, "
	       "the lease kept while the mirror drains" : y == HA_YIELD_RELEASING ?
	       "letting the lease go" : "abandoned: dp active again");
	r->yield = y;
	seg_write(r);
	return 0;
}

void
ha_role_released(struct ha_role *r, uint64_t now_ms, const char *why)
{
	if (r->state != HA_ACTIVE)
		return;
	r->st.switch_out++;
	/* the peer takes the lease now: listen a lease for it before asking
	 * (if it never does, this box asks again then) */
	r->quiet_since_ms = now_ms;
	r->ask_not_before_ms = now_ms + r->lease_ms;
	r->fence_at_ms = 0;
	become(r, HA_STANDBY, now_ms, why);
}

int
ha_role_take(struct ha_role *r, uint64_t now_ms)
{
	if (r->mode == TP_HA_ROLE_STANDBY)
		return -EPERM;
	if (r->state != HA_STANDBY && r->state != HA_FENCED)
		return -EALREADY;
	/* what was asked (an acquire refused by the peer's key) goes: ask
	 * now, over the active heartbeats still in flight */
	r->asking = HA_ASK_NONE;
	r->seq++;
	r->next_ask_ms = now_ms;
	r->take_until_ms = now_ms + r->lease_ms;
	return 0;
}
