/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A planned switchover (docs/design/ha.md §3.5, slice 9): the operator's
 * `turnpikectl ha switchover` on the active box hands the role to the
 * standby, losing nothing. The steps, each bounded:
 *
 *   ASK      the standby is asked whether it can take over (it cannot
 *            with ha.role "standby", or when active itself) while the
 *            mirror is flushed every turn until nothing is left to send and
 *            every batch is acknowledged (lag 0): most of the work, dp
 *            still relaying;
 *   FINAL    dp made passive (the segment says FENCED, the lease is kept
 *            and renewed: ha_role_yield()); what dp's last requests
 *            changed, and what it had on its rings to cp, is mirrored and
 *            acknowledged in turn;
 *   RELEASE  no renew sent any more; the lease deleted in Redis only
 *            while it is still "BOX:TOKEN" (a Lua compare-and-delete);
 *   PEER     answered deleted: this box is STANDBY, and the peer is told
 *            on the link to ask for the lease at once (GO); the switchover
 *            is done when the peer is heard active under a higher token.
 *
 * Every SWITCH message carries the ASK's nonce (random, drawn here): an
 * OK or NO is this ASK's only with it, a GO is honoured only by a standby
 * that said OK to that very ASK, within the bounds above, once; anything
 * else is dropped and counted (switch_stale). The link is authenticated
 * (the pair's PSK): what this guards against is the peer's own stale or
 * reordered message, a late OK of an ASK given up, a GO of another
 * switchover (docs/design/ha.md §4 S15). The standby says OK only where
 * it can take the role at once: STANDBY or FENCED (never STARTING, where
 * ha_role_take() refuses), ha.role not "standby", its dp running.
 *
 * The gap at the receivers runs from dp passive here to the peer's dp
 * active and its announcements heard: the final drain (a round trip on
 * the link), the delete's round trip to Redis, GO on the link, the
 * peer's acquire and its dp's next pass.
 *
 * Failing before RELEASE leaves this box active (dp active again): nothing
 * was handed over. The release unanswered leaves it active too (its renew
 * writes the key again if the delete took: the renew script restores a
 * key gone under a token not passed). After the release, a peer that
 * does not take the lease is replaced by the lease's own rule: whichever
 * box asks first after a lease of quiet takes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "cp.h"
#include "api/api.h"
#include "ha.h"
#include "ha_link.h"
#include "ha_mirror.h"
#include "ipc.h"
#include "tp_conf_types.h"
#include "tp_log.h"

#define HA_SW_DRAIN_MS  1000u         /* ASK: the peer's yes, lag 0 */
#define HA_SW_FINAL_MS  500u          /* FINAL: the last changes acknowledged */
#define HA_SW_SETTLE_MS 5u            /* FINAL: dp's rings to cp read meanwhile */
#define HA_SW_RELEASE_MS 500u         /* RELEASE: Redis' answer */
#define HA_SW_PEER_MS   900u          /* PEER: heard active (all within CP_API_HOLD_MS) */
/* The standby honours a GO this long after its OK: the active box's
 * whole bound from its ASK (which came before the OK) to its PEER step's
 * end; past it that box awaits no take, and the lease's own rule holds. */
#define HA_SW_GO_MS     (HA_SW_DRAIN_MS + HA_SW_FINAL_MS + HA_SW_RELEASE_MS + HA_SW_PEER_MS)

/* A switchover's nonce: 64 random bits, never 0 (the link refuses 0).
 * 0, or -EAGAIN when the kernel gives no randomness. */
static int
draw_nonce(uint64_t *nonce)
{
	for (int i = 0; i < 4; i++) {
		if (getrandom(nonce, sizeof(*nonce), GRND_NONBLOCK) != (ssize_t)sizeof(*nonce))
			return -EAGAIN;
		if (*nonce != 0)
			return 0;
	}
	return -EAGAIN;
}

static const char *
peer_name(const struct cp_ha *ha, char *buf, size_t size)
{
	struct ha_link_view v;

	ha_link_view(ha->link, ha->cp->now_ms, &v);
	snprintf(buf, size, "%s", v.up && v.peer_box[0] != '\0' ? v.peer_box : "the peer");
	return buf;
}

/* The end of a switchover: why NULL, done; else why it failed (said,
 * counted, the operator's answer that error). */
static void
finish(struct cp_ha *ha, const char *why, uint64_t now_ms)
{
	struct ha_switch *sw = &ha->sw;
	char peer[64];

	if (why != NULL) {
		ha->role.st.switch_failed++;
		/* (why may be a peer's NO, up to 200 bytes: cut to fit) */
		snprintf(sw->last, sizeof(sw->last), "failed: %.*s",
			 (int)(sizeof(sw->last) - sizeof("failed: ")), why);
		tp_log(TP_LOG_WARNING, "ha: switchover failed: %s", why);
	} else {
		sw->last_gap_ms = (int64_t)(now_ms - sw->fenced_ms);
		snprintf(sw->last, sizeof(sw->last), "handed to %s in %" PRIu64 " ms (dp "
			 "passive here to the peer heard active), %" PRIu64 " ms in all",
			 peer_name(ha, peer, sizeof(peer)), now_ms - sw->fenced_ms,
			 now_ms - sw->started_ms);
		tp_log(TP_LOG_NOTICE, "ha: switchover done: %s", sw->last);
	}
	sw->step = HA_SW_IDLE;
	if (sw->api_token != 0 && ha->cp->api != NULL)
		cp_api_release(ha->cp->api, sw->api_token, why);
	sw->api_token = 0;
}

/* Abandon before the lease went: dp active again, this box stays. */
static void
abandon(struct cp_ha *ha, const char *why, uint64_t now_ms)
{
	if (ha->role.state == HA_ACTIVE)
		(void)ha_role_yield(&ha->role, HA_YIELD_NONE);
	finish(ha, why, now_ms);
}

int
ha_switch_start(struct cp_ha *ha, uint64_t api_token, uint64_t now_ms, const char **why)
{
	static char buf[512];
	struct ha_switch *sw = &ha->sw;
	struct ha_link_view v;
	uint64_t nonce;

	ha_link_view(ha->link, now_ms, &v);
	*why = buf;
	if (sw->step != HA_SW_IDLE) {
		snprintf(buf, sizeof(buf), "a switchover is under way");
		return -EBUSY;
	}
	if (ha->role.state != HA_ACTIVE) {
		snprintf(buf, sizeof(buf), "this box (%s) is %s, not active: run it on the "
			 "active box%s%s", ha->box, ha_state_name(ha->role.state),
			 v.up && v.peer_role == HA_ACTIVE ? ", " : "",
			 v.up && v.peer_role == HA_ACTIVE ? v.peer_box : "");
		return -EINVAL;
	}
	if (!v.up) {
		snprintf(buf, sizeof(buf), "no link to the peer (ha.peer %s%s%s): no standby to "
			 "hand over to", ha->cp->conf->ha.peer, v.refusal[0] != '\0' ?
			 "; last refusal: " : "", v.refusal);
		return -ENOTCONN;
	}
	if (v.peer_role != HA_STANDBY && v.peer_role != HA_FENCED) {
		snprintf(buf, sizeof(buf), "the peer %s is %s, not standby", v.peer_box,
			 ha_state_name(v.peer_role));
		return -EINVAL;
	}
	if (draw_nonce(&nonce) < 0) {
		snprintf(buf, sizeof(buf), "no random nonce for the switchover (getrandom): "
			 "try again");
		return -EAGAIN;
	}
	if (ha_link_send_switch(ha->link, HA_SWMSG_ASK, ha->role.token, nonce, NULL) < 0) {
		snprintf(buf, sizeof(buf), "the link to %s takes nothing now (its send buffer "
			 "is full): try again", v.peer_box);
		return -EAGAIN;
	}
	memset(sw, 0, offsetof(struct ha_switch, last));
	sw->nonce = nonce;
	sw->step = HA_SW_ASK;
	sw->api_token = api_token;
	sw->started_ms = now_ms;
	sw->step_end_ms = now_ms + HA_SW_DRAIN_MS;
	sw->token = ha->role.token;
	tp_log(TP_LOG_NOTICE, "ha: switchover to %s begun (the operator's): draining the "
	       "mirror (lag %" PRIu64 " ms)", v.peer_box, v.lag_ms);
	return 0;
}

/* Everything this box changed is with the peer. */
static bool
drained(struct cp_ha *ha, uint64_t now_ms)
{
	if (ha->mirror != NULL) {
		ha_mirror_flush(ha->mirror, now_ms);
		if (!ha_mirror_idle(ha->mirror))
			return false;
	}
	return ha_link_acked(ha->link);
}

void
ha_switch_step(struct cp_ha *ha, uint64_t now_ms)
{
	struct ha_switch *sw = &ha->sw;
	struct ha_link_view v;
	char why[256], peer[64];

	if (sw->step == HA_SW_IDLE)
		return;
	ha_link_view(ha->link, now_ms, &v);
	if (sw->step != HA_SW_PEER) {
		if (ha->role.state != HA_ACTIVE) {
			finish(ha, "this box lost the lease meanwhile", now_ms);
			return;
		}
		if (!v.up) {
			abandon(ha, "the link to the peer went down: this box stays active", now_ms);
			return;
		}
	}
	switch (sw->step) {
	case HA_SW_ASK:
		if (drained(ha, now_ms) && sw->peer_ok) {
			(void)ha_role_yield(&ha->role, HA_YIELD_PASSIVE);
			sw->fenced_ms = now_ms;
			sw->step = HA_SW_FINAL;
			sw->step_end_ms = now_ms + HA_SW_FINAL_MS;
		} else if (now_ms >= sw->step_end_ms) {
			snprintf(why, sizeof(why), sw->peer_ok ? "the standby did not acknowledge "
				 "everything within %u ms (lag %" PRIu64 " ms): not switched" :
				 "the standby did not answer within %u ms: not switched",
				 HA_SW_DRAIN_MS, v.lag_ms);
			finish(ha, why, now_ms);
		}
		break;
	case HA_SW_FINAL:
		if (drained(ha, now_ms) && now_ms - sw->fenced_ms >= HA_SW_SETTLE_MS) {
			if (ha_lease_release(ha, ++sw->seq) < 0) {
				abandon(ha, "Redis is away: the lease cannot be let go; this box "
					"stays active", now_ms);
				return;
			}
			(void)ha_role_yield(&ha->role, HA_YIELD_RELEASING);
			sw->step = HA_SW_RELEASE;
			sw->step_end_ms = now_ms + HA_SW_RELEASE_MS;
		} else if (now_ms >= sw->step_end_ms) {
			snprintf(why, sizeof(why), "the standby did not acknowledge the last changes "
				 "within %u ms (lag %" PRIu64 " ms): this box stays active",
				 HA_SW_FINAL_MS, v.lag_ms);
			abandon(ha, why, now_ms);
		}
		break;
	case HA_SW_RELEASE:
		if (now_ms >= sw->step_end_ms) {
			sw->seq++;            /* its late answer is ignored */
			snprintf(why, sizeof(why), "Redis did not answer the lease's release "
				 "within %u ms: this box stays active", HA_SW_RELEASE_MS);
			abandon(ha, why, now_ms);
		}
		break;
	case HA_SW_PEER:
		if (v.up && v.peer_role == HA_ACTIVE && v.peer_token > sw->token) {
			finish(ha, NULL, now_ms);
		} else if (now_ms >= sw->step_end_ms) {
			snprintf(why, sizeof(why), "the lease was let go, but %s was not heard "
				 "active within %u ms: whichever box asks first after a lease takes it",
				 peer_name(ha, peer, sizeof(peer)), HA_SW_PEER_MS);
			finish(ha, why, now_ms);
		}
		break;
	default:
		break;
	}
}

void
ha_switch_released(struct cp_ha *ha, uint32_t seq, int res, uint64_t now_ms)
{
	struct ha_switch *sw = &ha->sw;
	char why[200], peer[64];

	if (sw->step != HA_SW_RELEASE || seq != sw->seq)
		return;
	if (res < 0) {
		abandon(ha, "Redis did not answer the lease's release: this box stays active",
			now_ms);
		return;
	}
	if (res == 0) {
		/* not ours: another holder, whom the next renew names (and
		 * fences this box) */
		abandon(ha, "the lease in Redis is not this box's any more", now_ms);
		return;
	}
	peer_name(ha, peer, sizeof(peer));
	snprintf(why, sizeof(why), "handed the role to %s (a switchover): the lease let go",
		 peer);
	ha_role_released(&ha->role, now_ms, why);
	ha_sync(ha);
	if (ha_link_send_switch(ha->link, HA_SWMSG_GO, sw->token, sw->nonce, NULL) < 0) {
		finish(ha, "the lease was let go, but the link went before the peer was told: "
		       "whichever box asks first after a lease takes it", now_ms);
		return;
	}
	ha_link_hb_soon(ha->link);
	sw->step = HA_SW_PEER;
	sw->step_end_ms = now_ms + HA_SW_PEER_MS;
}

/* A SWITCH message not for this switchover: dropped, counted, said (at
 * debug: a late OK after a timeout is expected, not news). */
static void
stale(struct cp_ha *ha, const char *what, uint64_t nonce)
{
	ha->role.st.switch_stale++;
	tp_log(TP_LOG_DEBUG, "ha: switchover: %s (nonce %016" PRIx64 ") dropped: not this "
	       "switchover's", what, nonce);
}

/* The standby's side of an ASK: can this box take over now? buf: why
 * not, "" when it can. */
static void
can_take(struct cp_ha *ha, uint64_t now_ms, char *buf, size_t size)
{
	const struct ha_role *r = &ha->role;

	buf[0] = '\0';
	if (r->mode == TP_HA_ROLE_STANDBY)
		snprintf(buf, size, "ha.role is \"standby\" on %s: it never takes the lease",
			 ha->box);
	else if (r->state == HA_ACTIVE)
		snprintf(buf, size, "%s is active itself", ha->box);
	else if (r->state != HA_STANDBY && r->state != HA_FENCED)
		snprintf(buf, size, "%s is %s: it cannot take the lease yet", ha->box,
			 ha_state_name(r->state));
	else if (ha->cp->seg.shm == NULL || !ipc_dp_running(ha->cp->seg.shm, now_ms))
		snprintf(buf, size, "the dp of %s is not running: it would relay nothing",
			 ha->box);
}

void
ha_switch_heard(struct cp_ha *ha, unsigned int step, uint64_t token, uint64_t nonce,
		const char *why, uint64_t now_ms)
{
	struct ha_switch *sw = &ha->sw;
	char buf[200];

	switch (step) {
	case HA_SWMSG_ASK:
		/* the standby's side: can this box take over? A new ASK
		 * replaces any earlier one: only its GO is honoured now */
		can_take(ha, now_ms, buf, sizeof(buf));
		sw->ok_nonce = 0;
		if (buf[0] != '\0') {
			tp_log(TP_LOG_WARNING, "ha: the peer asked for a switchover: refused: %s", buf);
			(void)ha_link_send_switch(ha->link, HA_SWMSG_NO, ha->role.token, nonce, buf);
			break;
		}
		if (ha_link_send_switch(ha->link, HA_SWMSG_OK, ha->role.token, nonce, NULL) == 0) {
			sw->ok_nonce = nonce;
			sw->ok_until_ms = now_ms + HA_SW_GO_MS;
		}
		break;
	case HA_SWMSG_OK:
	case HA_SWMSG_NO:
		if (sw->step != HA_SW_ASK || nonce != sw->nonce || sw->peer_ok) {
			/* late (an ASK given up), of another switchover, or a
			 * second answer: never this ASK's */
			stale(ha, step == HA_SWMSG_OK ? "an OK" : "a NO", nonce);
			break;
		}
		if (step == HA_SWMSG_OK) {
			sw->peer_ok = true;
			break;
		}
		snprintf(buf, sizeof(buf), "the peer refused: %s", why);
		finish(ha, buf, now_ms);
		break;
	case HA_SWMSG_GO:
		/* the peer let the lease go: ask for it now, if this box said
		 * OK to that very ASK, and in time */
		if (sw->ok_nonce == 0 || nonce != sw->ok_nonce || now_ms >= sw->ok_until_ms) {
			stale(ha, "a GO", nonce);
			tp_log(TP_LOG_WARNING, "ha: the peer said GO (token %" PRIu64 ") for a "
			       "switchover this box %s: ignored (the lease's own rule holds)", token,
			       sw->ok_nonce == 0 || nonce != sw->ok_nonce ? "did not say OK to" :
			       "said OK to too long ago");
			break;
		}
		sw->ok_nonce = 0;             /* once */
		if (ha_role_take(&ha->role, now_ms) < 0) {
			tp_log(TP_LOG_WARNING, "ha: the peer handed its role over (token %" PRIu64
			       "), but this box is %s%s", token, ha_state_name(ha->role.state),
			       ha->role.mode == TP_HA_ROLE_STANDBY ? " with ha.role \"standby\"" : "");
			break;
		}
		tp_log(TP_LOG_NOTICE, "ha: the peer handed its role over (token %" PRIu64 "): "
		       "asking for the lease now", token);
		break;
	default:
		break;
	}
}
