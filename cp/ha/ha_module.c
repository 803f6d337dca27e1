/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha as a module of turnpike-cp (issue 69; FEATURE.md): with an ha
 * group, the pair's role machine started from the segment once cp/agw
 * and cp/alloc are set up (later slices mirror them; nothing calls cp/ha),
 * the link to the peer's cp (its key read from ha.key_file, its listener
 * opened at set-up, before privileges go), the lease asked of the
 * cluster's Redis and the link served from the loop, its part of status
 * ("ha": role, pair, token, lease, peer) and of the metrics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cp.h"
#include "cluster/cluster.h"
#include "cp_ctrs.h"
#include "cp_module.h"
#include "cluster/cluster_secret.h"
#include "ha.h"
#include "ha_link.h"
#include "ha_mirror.h"
#include "agw/cp_agw_rtp.h"
#include "api/api_cmd.h"
#include "tp_conf.h"
#include "tp_log.h"

#define HA_ST_role(ha) (&(ha)->role.st)
#define HA_ST_link(ha) ha_link_stats((ha)->link)
#define HA_ST_mirror(ha) mirror_stats(ha)

static const struct ha_mirror_stats no_mirror;

/* (no turn group: no mirror, its counters zero) */
static const struct ha_mirror_stats *
mirror_stats(const struct cp_ha *ha)
{
	return ha->mirror != NULL ? ha_mirror_stats(ha->mirror) : &no_mirror;
}

static const struct cp_ctrs_desc ha_desc[] = {
#define HA_CTR(s, f, h) { #f, CP_CTRS_COUNTER, 0, h },
#include "ha_ctrs.def"
#undef HA_CTR
};

static void
ha_values(const struct cp_ctx *cp, uint64_t *out)
{
	const struct cp_ha *ha = cp->ha;
	unsigned int i = 0;

	if (ha == NULL)
		return;
#define HA_CTR(s, f, h) out[i++] = HA_ST_##s(ha)->f;
#include "ha_ctrs.def"
#undef HA_CTR
}

/* (shown by the module's own hooks, inside its part) */
static const struct cp_ctrs_family ha_ctrs = {
	.name = "ha",
	.prefix = "",
	.metric = "turnpike_ha_",
	.desc = ha_desc,
	.n = sizeof(ha_desc) / sizeof(ha_desc[0]),
	.values = ha_values,
};

static void
ha_fini(struct cp_ctx *cp)
{
	if (cp->ha == NULL)
		return;
	ha_mirror_free(cp->ha->mirror);
	ha_link_free(cp->ha->link);
	free(cp->ha);
	cp->ha = NULL;
}

/*
 * A box that is not active holds no RTP context of its own (§3.5): one it
 * relayed before it stepped down (a switchover, fenced) or that its dp
 * gave back to a cp started as the standby becomes a held one, as the
 * peer's are, and leaves its dp (cp_agw_rtp_mirror_yield()): the peer's
 * records replace it, and the role back here gives dp the positions the
 * peer reached past the bound, not those this dp stood at (an SRTP index
 * twice under a key). At each step down, then each heartbeat (a dp's
 * contexts given back after). Each is held at once: an RTP_DEL the ring
 * has no room for waits in cp/agw's backlog, sent from the loop before
 * anything else to that worker (docs/design/ha.md §4, S3).
 */
static void
ha_yield(struct cp_ha *ha, uint64_t now_ms)
{
	struct cp_ctx *cp = ha->cp;
	unsigned int n;
	uint32_t wait;

	if (ha->mirror == NULL)
		return;
	ha->next_yield_ms = now_ms + cp->conf->ha.heartbeat_ms;
	n = cp_agw_rtp_mirror_yield(cp);
	if (n == 0)
		return;
	wait = cp_agw_rtp_mirror_yield_pending(cp);
	tp_log(TP_LOG_INFO, "ha: not active: %u RTP context%s of this box's held as the "
	       "peer's (out of dp%s; the peer's records replace %s)", n, n == 1 ? "" : "s",
	       wait > 0 ? ", some RTP_DELs waiting for room in the ring to dp" : "",
	       n == 1 ? "it" : "them");
}

void
ha_sync(struct cp_ha *ha)
{
	struct cp_ctx *cp = ha->cp;
	bool active = ha->role.state == HA_ACTIVE;
	bool took = active && cp->ha_standby;
	bool left = !active && !cp->ha_standby;

	cp->ha_standby = !active;
	if (left)
		ha_yield(ha, cp->now_ms);
	if (took && ha->mirror != NULL) {
		/* (slice 7: the gateway's mirrored contexts to this dp, each
		 * SRTP send stream past the mirror's bound) */
		uint32_t wait = cp_agw_rtp_mirror_yield_pending(cp);
		unsigned int n = ha_mirror_takeover(ha->mirror, cp->conf->ha.bound_ms);

		if (n > 0)
			tp_log(TP_LOG_INFO, "ha: took over %u RTP context%s from the mirror, SRTP "
			       "send streams %u packets past their mirrored positions", n,
			       n == 1 ? "" : "s", ha_mirror_srtp_ahead(cp->conf->ha.bound_ms));
		/* (S3: a role back before the step-down's RTP_DELs left; each
		 * such context is taken as held, its RTP_ADD behind them) */
		if (wait > 0)
			tp_log(TP_LOG_NOTICE, "ha: active again with %u RTP_DEL%s of the "
			       "step-down still waiting for room in the ring to dp: %s first, "
			       "then %s context%s at the held positions past the bound",
			       wait, wait == 1 ? "" : "s", wait == 1 ? "it goes" : "they go",
			       wait == 1 ? "its" : "their", wait == 1 ? "" : "s");
	}
	if (active && ha->id_token != ha->role.token && ha->role.token != 0 &&
	    ha->role.token < (1ull << (64 - HA_ID_SHIFT - 1))) {
		ha->id_token = ha->role.token;
		cp_alloc_id_floor(cp, ha->role.token << HA_ID_SHIFT);
	}
}

/* The peer's heartbeat, to the role machine. */
static void
heard(void *arg, const struct ha_peer_hb *hb, uint64_t now_ms)
{
	struct cp_ha *ha = arg;

	ha_role_peer(&ha->role, hb, now_ms);
	ha_sync(ha);
	if (hb->role == HA_ACTIVE && hb->vouch_asked && ha->role.state != HA_ACTIVE &&
	    ha_role_vouches(&ha->role))
		/* the active peer asks for our word: given at once (its
		 * deadline is its renews' until it comes) */
		ha_link_hb_soon(ha->link);
}

/* A switchover's message of the peer's (ha_switch.c). */
static void
sw_in(void *arg, unsigned int step, uint64_t token, uint64_t nonce, const char *why,
      uint64_t now_ms)
{
	struct cp_ha *ha = arg;

	ha_switch_heard(ha, step, token, nonce, why, now_ms);
	ha_sync(ha);
}

/* A batch of the peer's (the link dropped one of a lower token): a
 * standby's mirror takes it; an active box takes none (two actives are
 * the role machine's to settle, not the records'). */
static int
batch_in(void *arg, uint64_t token, uint64_t seq, const uint8_t *p, size_t n)
{
	struct cp_ha *ha = arg;

	(void)token;
	(void)seq;
	if (ha->mirror != NULL && ha->role.state != HA_ACTIVE)
		return ha_mirror_batch(ha->mirror, p, n, ha->cp->now_ms);
	return 0;
}

/* The mirror's batches onto the link under this box's token. */
static int
batch_out(void *arg, const void *p, size_t n, uint64_t now_ms)
{
	struct cp_ha *ha = arg;

	return ha_link_send_batch(ha->link, ha->role.token, p, n, now_ms);
}

/* The link: its key from ha.key_file (checked as cluster.password_file:
 * root's or cp.user's, mode 0600; 64 to 128 hex digits), the signature of
 * this configuration, the listener. */
static int
open_link(struct cp_ctx *cp, struct cp_ha *ha, char *err, size_t errlen)
{
	const struct tp_conf_ha *conf = &cp->conf->ha;
	struct ha_link_hooks hooks = {
		.heard = heard, .batch = batch_in, .sw = sw_in, .arg = ha,
	};
	char text[CL_SECRET_MAX], why[256];
	uint8_t key[HA_LINK_KEY_MAX];
	struct ha_link_conf lc;
	struct ha_sig sig;
	uid_t owner = geteuid();
	size_t tl = 0;
	int kl;

	if (cp->conf->cp.user[0] != '\0') {
		if (tp_conf_resolve_user(cp->conf, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s", why);
			return -EINVAL;
		}
		owner = (uid_t)cp->conf->cp.user_uid;
	}
	if (cl_read_secret(conf->key_file, owner, text, &tl, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s:%d: ha.key_file %s", cp->conf->path, conf->key_file_line,
			 why);
		return -EINVAL;
	}
	kl = ha_key_parse(text, tl, key, sizeof(key));
	OPENSSL_cleanse(text, sizeof(text));
	if (kl < 0) {
		snprintf(err, errlen, "%s:%d: ha.key_file %s must hold the link's key as %u to %u "
			 "hex digits (openssl rand -hex 32)", cp->conf->path, conf->key_file_line,
			 conf->key_file, 2 * HA_LINK_KEY_MIN, 2 * HA_LINK_KEY_MAX);
		return -EINVAL;
	}
	ha_sig_make(cp->conf, &sig);
	lc = (struct ha_link_conf){
		.pair = conf->pair, .key = key, .key_len = (size_t)kl, .box = ha->box,
		.lease_ms = conf->lease_ms, .heartbeat_ms = conf->heartbeat_ms, .sig = &sig,
		.listen = conf->listen, .peer = conf->peer,
	};
	ha->link = ha_link_create(&lc, &hooks, err, errlen);
	OPENSSL_cleanse(key, sizeof(key));
	return ha->link != NULL ? 0 : -errno;
}

static int
ha_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_ha *conf = &cp->conf->ha;
	struct ha_role_conf rc = { .lease_ms = conf->lease_ms,
				   .heartbeat_ms = conf->heartbeat_ms, .mode = conf->role };
	struct cp_ha *ha;
	char what[128];

	if (!conf->enabled)
		return 0;
	if (cp->cluster == NULL || cp->seg.shm == NULL) {
		snprintf(err, errlen, "ha needs the cluster's Redis (the lease) and the segment");
		return -EINVAL;
	}
	ha = calloc(1, sizeof(*ha));
	if (ha == NULL) {
		snprintf(err, errlen, "ha: out of memory");
		return -ENOMEM;
	}
	ha->cp = cp;
	snprintf(ha->box, sizeof(ha->box), "%s", cp->conf->cluster.box);
	snprintf(what, sizeof(what), "ha:%s:lease", conf->pair);
	if (cp_cluster_key(cp, what, ha->lease_key, sizeof(ha->lease_key)) < 0)
		goto out_long;
	snprintf(what, sizeof(what), "ha:%s:token", conf->pair);
	if (cp_cluster_key(cp, what, ha->token_key, sizeof(ha->token_key)) < 0)
		goto out_long;
	if (open_link(cp, ha, err, errlen) < 0) {
		free(ha);
		return -EINVAL;
	}
	if (cp_alloc_capacity(cp) > 0 &&
	    (ha->mirror = ha_mirror_create(cp, batch_out, ha)) == NULL) {
		snprintf(err, errlen, "ha: the allocations' mirror: %s", strerror(errno));
		ha_link_free(ha->link);
		free(ha);
		return -ENOMEM;
	}
	cp->ha = ha;
	tp_log(TP_LOG_INFO, "ha: box %s of pair %s, lease %u ms in %s, link on %s to %s, "
	       "ha.role \"%s\"", ha->box, conf->pair, conf->lease_ms, ha->lease_key,
	       conf->listen, conf->peer,
	       conf->role == TP_HA_ROLE_STANDBY ? "standby" :
	       conf->role == TP_HA_ROLE_ACTIVE ? "active" : "auto");
	ha_role_start(&ha->role, &rc, &cp->seg.shm->ha, cp->now_ms);
	ha_sync(ha);
	return 0;
out_long:
	free(ha);
	snprintf(err, errlen, "ha: the lease's key for pair %s is too long", conf->pair);
	return -ENAMETOOLONG;
}

/* The lease's turn, once a millisecond: cheap when nothing is due. */
static unsigned int
ha_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct cp_ha *ha = cp->ha;
	struct ha_self me;

	if (ha == NULL)
		return 0;
	ha_lease_step(ha, now_ms);
	ha_sync(ha);
	me.role = ha->role.state;
	me.token = ha->role.token;
	me.floor = ha->role.token_verified;
	me.no_vouch = !ha_role_vouches(&ha->role);
	me.ask_vouch = ha_role_asks_vouch(&ha->role, now_ms);
	if (me.ask_vouch && !ha->asked_vouch)
		/* a renew late: the peer asked now, not a heartbeat later (its
		 * word must come back before the renews' deadline) */
		ha_link_hb_soon(ha->link);
	ha->asked_vouch = me.ask_vouch;
	ha_link_serve(ha->link, &me, now_ms);
	ha_switch_step(ha, now_ms);
	if ((ha->role.state == HA_ACTIVE) != ha->was_active) {
		/* the peer hears a new role at once, not a heartbeat later (a
		 * switchover waits for it) */
		ha_link_hb_soon(ha->link);
	}
	if (ha->mirror != NULL) {
		bool up = ha_link_up(ha->link);

		/* a new link, or a box that turns active with the link up (a
		 * switchover: the peer holds what it made, some of it not
		 * mirrorable, ended with its dp's connections): everything
		 * again, and what the peer holds beyond it goes */
		if ((up && !ha->link_was_up) ||
		    (up && ha->role.state == HA_ACTIVE && !ha->was_active))
			ha_mirror_link_up(ha->mirror);
		ha->link_was_up = up;
		if (ha->role.state != HA_ACTIVE) {
			if (now_ms >= ha->next_yield_ms)
				ha_yield(ha, now_ms);
			ha_mirror_forget(ha->mirror);
		} else if (up && now_ms >= ha->next_flush_ms) {
			ha->next_flush_ms = now_ms + cp->conf->ha.heartbeat_ms;
			ha_mirror_flush(ha->mirror, now_ms);
		}
	}
	ha->was_active = ha->role.state == HA_ACTIVE;
	return 0;
}

/* The mirrored allocations as status counts them: those the mirror sends
 * (UDP clients' without RFC 6062 relaying: cp_alloc_mirrorable()) that
 * this box holds. On the standby every one it holds came from the
 * mirror; on the active box, what the peer holds once the lag is 0. A
 * walk, as the operator's status is asked: no running sum to keep. */
static uint64_t
mirrored_allocs(const struct cp_ctx *cp)
{
	struct cp_ctx *c = (struct cp_ctx *)(uintptr_t)cp;
	uint32_t cur = 0;
	uint64_t n = 0;
	struct cp_alloc *a;

	while ((a = cp_alloc_next(c, &cur)) != NULL)
		if (cp_alloc_mirrorable(&a->tuple, a->tcp))
			n++;
	return n;
}

/* The gateway's RTP contexts as status counts them: every one this box
 * holds (the mirror carries them all; the standby's are all the peer's,
 * held for a takeover). A walk, as mirrored_allocs(). */
static uint64_t
mirrored_ctxs(const struct cp_ctx *cp)
{
	uint32_t cur = 0;
	uint64_t id, n = 0;

	while (cp_agw_rtp_mirror_next(cp, &cur, &id) == 0)
		n++;
	return n;
}

/* `ha.switchover` (turnpikectl ha switchover): the answer held until the
 * peer is heard active, or the switchover failed (ha_switch.c). */
static int
cmd_switchover(void *ctx, struct json_object *req, struct json_object *resp,
	       const char **error)
{
	struct cp_ctx *cp = ctx;
	struct ha_link_view v;
	const char *why;
	uint64_t token;
	int rc;

	(void)req;
	if (cp->ha == NULL) {
		*error = "no ha group: this box is not one of a pair";
		return -ENOTSUP;
	}
	token = cp_api_hold(cp->api);
	rc = ha_switch_start(cp->ha, token, cp->now_ms, &why);
	if (rc < 0) {
		cp_api_release(cp->api, token, NULL);   /* (from the handler: taken back) */
		*error = cp_api_err(cp, "%s", why);
		return rc;
	}
	ha_link_view(cp->ha->link, cp->now_ms, &v);
	json_object_object_add(resp, "from", json_object_new_string(cp->ha->box));
	json_object_object_add(resp, "to", json_object_new_string(v.peer_box));
	json_object_object_add(resp, "token", json_object_new_int64((int64_t)cp->ha->role.token));
	return 0;
}

static int
ha_commands(struct cp_ctx *cp)
{
	static const struct cp_api_cmd_def cmds[] = {
		{ "ha.switchover", cmd_switchover },
	};

	return cp_api_cmds(cp, cmds, sizeof(cmds) / sizeof(cmds[0]));
}

/* status's "ha": the role and why, the pair, the token, the lease. */
static void
ha_status(const struct cp_ctx *cp, struct json_object *resp)
{
	const struct cp_ha *ha = cp->ha;
	const struct ha_role *r;
	struct json_object *o, *l, *p, *m, *s;
	struct ha_link_view v;
	uint64_t now = cp->now_ms;

	if (ha == NULL)
		return;
	r = &ha->role;
	o = json_object_new_object();
	/* role: "active" or "standby" (issue 69's names, for scripts); state:
	 * the machine's own, "fenced" (the lease lost, passive) and
	 * "starting" among them; yielding: dp passive in a switchover */
	json_object_object_add(o, "role", json_object_new_string(
		r->state == HA_ACTIVE && r->yield == HA_YIELD_NONE ? "active" : "standby"));
	json_object_object_add(o, "state", json_object_new_string(ha_state_name(r->state)));
	if (r->state == HA_ACTIVE && r->yield != HA_YIELD_NONE)
		json_object_object_add(o, "yielding", json_object_new_boolean(true));
	json_object_object_add(o, "why", json_object_new_string(r->why));
	json_object_object_add(o, "pair", json_object_new_string(cp->conf->ha.pair));
	json_object_object_add(o, "box", json_object_new_string(ha->box));
	json_object_object_add(o, "token", json_object_new_int64((int64_t)r->token));
	l = json_object_new_object();
	json_object_object_add(l, "key", json_object_new_string(ha->lease_key));
	json_object_object_add(l, "lease_ms", json_object_new_int64(r->lease_ms));
	json_object_object_add(l, "held", json_object_new_boolean(r->state == HA_ACTIVE));
	if (r->state == HA_ACTIVE) {
		json_object_object_add(l, "fence_in_ms", json_object_new_int64(
			r->fence_at_ms > now ? (int64_t)(r->fence_at_ms - now) : 0));
		if (r->renewed_ms > 0)
			json_object_object_add(l, "renewed_ms_ago",
					       json_object_new_int64((int64_t)(now - r->renewed_ms)));
	} else if (r->holder[0] != '\0') {
		json_object_object_add(l, "holder", json_object_new_string(r->holder));
	}
	json_object_object_add(l, "redis", json_object_new_string(ha->redis_silent ?
								   "silent" : "answering"));
	json_object_object_add(o, "lease", l);
	ha_link_view(ha->link, now, &v);
	p = json_object_new_object();
	json_object_object_add(p, "address", json_object_new_string(cp->conf->ha.peer));
	json_object_object_add(p, "connected", json_object_new_boolean(v.up));
	if (v.up) {
		json_object_object_add(p, "box", json_object_new_string(v.peer_box));
		json_object_object_add(p, "role", json_object_new_string(
			ha_state_name(v.peer_role)));
		json_object_object_add(p, "token", json_object_new_int64((int64_t)v.peer_token));
		json_object_object_add(p, "heard_ms_ago",
				       json_object_new_int64((int64_t)v.heard_ms_ago));
		json_object_object_add(p, "rtt_ms", json_object_new_int64(v.rtt_ms));
		json_object_object_add(p, "clock_offset_ms", json_object_new_int64(v.clock_off_ms));
	}
	if (v.refusal[0] != '\0')
		json_object_object_add(p, "last_refusal", json_object_new_string(v.refusal));
	json_object_object_add(o, "peer", p);
	json_object_object_add(o, "lag_ms", json_object_new_int64((int64_t)v.lag_ms));
	m = json_object_new_object();
	json_object_object_add(m, "allocations", json_object_new_int64(
		(int64_t)mirrored_allocs(cp)));
	json_object_object_add(m, "contexts", json_object_new_int64((int64_t)mirrored_ctxs(cp)));
	json_object_object_add(o, "mirrored", m);
	{
		/* the last takeover's install of the mirrored RTP contexts
		 * into this dp (perf/ha_ctx_scale, RESULTS.md T46): ms
		 * from the role turning active to the last RTP_ADD in a ring,
		 * to dp holding them all; null until reached */
		uint32_t tn;
		int64_t sent, inst;

		if (cp_agw_rtp_takeover_figures(cp, &tn, &sent, &inst) == 0) {
			struct json_object *t = json_object_new_object();

			json_object_object_add(t, "contexts", json_object_new_int64(tn));
			json_object_object_add(t, "sent_ms", sent >= 0 ?
					       json_object_new_int64(sent) : NULL);
			json_object_object_add(t, "installed_ms", inst >= 0 ?
					       json_object_new_int64(inst) : NULL);
			json_object_object_add(o, "takeover", t);
		}
	}
	s = json_object_new_object();
	json_object_object_add(s, "under_way", json_object_new_boolean(
		ha->sw.step != HA_SW_IDLE));
	if (ha->sw.last[0] != '\0')
		json_object_object_add(s, "last", json_object_new_string(ha->sw.last));
	if (ha->sw.last_gap_ms > 0)
		json_object_object_add(s, "last_gap_ms", json_object_new_int64(ha->sw.last_gap_ms));
	json_object_object_add(o, "switchover", s);
	cp_ctrs_json(cp, &ha_ctrs, o);
	json_object_object_add(resp, "ha", o);
}

static void
ha_metrics(const struct cp_ctx *cp, FILE *f)
{
	const struct cp_ha *ha = cp->ha;
	struct ha_link_view v;

	if (ha == NULL)
		return;
	ha_link_view(ha->link, cp->now_ms, &v);
	cp_ctrs_one(f, "turnpike_ha_active", "gauge",
		    "1 while this box holds the pair's lease (dp relays)",
		    ha->role.state == HA_ACTIVE);
	cp_ctrs_one(f, "turnpike_ha_peer_connected", "gauge",
		    "1 while the link to the peer's cp is up (its hello passed)",
		    ha_link_up(ha->link));
	cp_ctrs_one(f, "turnpike_ha_lag_ms", "gauge",
		    "The mirror's lag: the age of the oldest batch the peer has not acknowledged (ms)",
		    v.lag_ms);
	cp_ctrs_one(f, "turnpike_ha_mirrored_allocations", "gauge",
		    "Allocations this box holds that the mirror carries (the standby's: all)",
		    mirrored_allocs(cp));
	cp_ctrs_one(f, "turnpike_ha_token", "gauge",
		    "The lease's fencing token: this box's when active, the highest seen when not",
		    ha->role.token);
	cp_ctrs_metrics(cp, &ha_ctrs, f);
}

/* After agw (what later slices mirror is set up); nothing calls it. */
const struct cp_module cp_ha_module = {
	.name = "ha",
	.setup = ha_setup,
	.fini = ha_fini,
	.serve = ha_serve,
	.commands = ha_commands,
	.ctrs = &ha_ctrs,
	.status = ha_status,
	.status_rank = 41,
	.metrics = ha_metrics,
	.metrics_rank = CP_METRICS_ALLOCATIONS,
};
