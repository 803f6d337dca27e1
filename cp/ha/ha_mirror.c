/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mirror of the TURN allocations (docs/design/ha.md §1.4, slice 5).
 *
 * The active box does not send each change as it happens: a change marks
 * its allocation dirty (a bit by its pool slot, and the slot once in a
 * FIFO), and each heartbeat the set is drained, each allocation read
 * whole as it is then (one idempotent upsert, however many changes it
 * had), into the link's batches. Memory is bounded by the pool, not by
 * the rate of changes. What marks: every message cp_dp_send() puts on a
 * ring about an allocation (cp_dp_tap(): install, lifetime, permissions,
 * channels, forwards, moves) and cp/alloc's observer (UP, LIFE; END,
 * which queues a tombstone: an end dp reported never goes through
 * cp_dp_send()). Ends are kept apart (id and tuple: the slot may be
 * reused before the flush), a bounded ring; a ring or FIFO that
 * overflows is answered by a walk again.
 *
 * On each new link the whole table goes again (the walk), between
 * WALK_START and WALK_END records: the standby marks stale what it holds
 * at START, each upsert clears its mark, and what is still stale at END
 * is removed (ends that went into a link that died). A link lost in the
 * middle of a walk is followed by a new walk on the next link, which
 * marks everything stale again: the standby's table equals the active's
 * after any whole walk.
 *
 * On the standby a record is applied through cp/alloc
 * (cp_alloc_mirror_put()/del(), over cpa_alloc_restore() and the
 * reinstall pass's install into its passive dp). Durations become this
 * host's CLOCK_MONOTONIC at apply.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "cp_dp.h"
#include "agw/cp_agw_rtp.h"
#include "ha_link.h"
#include "ha_mirror.h"
#include "ha_rec.h"

#define ENDS_MAX   4096u              /* tombstones waiting at most */
#define BATCH_MAX  (HA_LINK_MSG_MAX - 64u)   /* a batch's records (the link's header aside) */
#define FLUSH_BATCHES 16u             /* batches a flush sends at most */

struct ha_mirror {
	struct cp_ctx *cp;
	ha_mirror_send_fn send;
	void *arg;
	uint32_t cap;                 /* the pool's slots */
	/* the dirty set: a bit by slot, the id it was marked for, the FIFO */
	uint64_t *dirty;
	uint64_t *slot_id;
	uint32_t *fifo;
	uint32_t fifo_head, fifo_n;
	/* tombstones */
	struct {
		uint64_t id;
		struct ipc_tuple tuple;
	} *ends;
	uint32_t ends_head, ends_n;
	/* the walk (active): pending from a link's start to its WALK_END */
	bool walk, walk_started;
	uint32_t walk_cur;
	/* the standby's stale marks between WALK_START and WALK_END */
	uint64_t *stale;
	bool stale_on;
	/* the batch being filled, and one the link did not take yet */
	uint8_t *buf;
	size_t buf_n;
	bool pending;
	/* applying the peer's batch: what that sends to dp is no change of
	 * this box's own */
	bool applying;
	/* the gateway's RTP contexts (slice 7), the same by cp/agw's RTP
	 * slot (rcap 0: none): the dirty set, the tombstones (ids), the
	 * walk's cursor after the allocations', the standby's stale marks */
	uint32_t rcap;
	uint64_t *rdirty, *rstale, *rslot_id;
	uint32_t *rfifo;
	uint32_t rfifo_head, rfifo_n;
	uint64_t *rends;
	uint32_t rends_head, rends_n;
	uint32_t rwalk_cur;
	struct cp_agw_rtp_mirror rm;  /* one context read or applied (keys: wiped) */
	struct ha_mirror_stats st;
};

static void
bit_set(uint64_t *b, uint32_t i)
{
	b[i / 64] |= 1ull << (i % 64);
}

static void
bit_clear(uint64_t *b, uint32_t i)
{
	b[i / 64] &= ~(1ull << (i % 64));
}

static bool
bit_test(const uint64_t *b, uint32_t i)
{
	return (b[i / 64] >> (i % 64)) & 1u;
}

/* Everything again (the set lost something): the next flush walks. */
static void
overflow(struct ha_mirror *m)
{
	m->st.overflows++;
	memset(m->dirty, 0, (m->cap + 63u) / 64u * sizeof(uint64_t));
	m->fifo_n = 0;
	m->ends_n = 0;
	if (m->rcap > 0)
		memset(m->rdirty, 0, (m->rcap + 63u) / 64u * sizeof(uint64_t));
	m->rfifo_n = 0;
	m->rends_n = 0;
	m->walk = true;
	m->walk_started = false;
	m->walk_cur = 0;
	m->rwalk_cur = 0;
}

static void
mark(struct ha_mirror *m, const struct cp_alloc *a)
{
	uint32_t i = cp_alloc_slot(m->cp, a);

	if (i >= m->cap || !cp_alloc_mirrorable(&a->tuple, a->tcp))
		return;                   /* (a TCP, TLS or DTLS client's: not sent) */
	if (bit_test(m->dirty, i) && m->slot_id[i] == a->id)
		return;
	if (m->fifo_n == m->cap) {
		overflow(m);
		return;
	}
	bit_set(m->dirty, i);
	m->slot_id[i] = a->id;
	m->fifo[(m->fifo_head + m->fifo_n++) % m->cap] = i;
}

static void
end(struct ha_mirror *m, const struct cp_alloc *a)
{
	uint32_t i = cp_alloc_slot(m->cp, a), k;

	if (!cp_alloc_mirrorable(&a->tuple, a->tcp))
		return;                   /* never sent: no tombstone either */
	if (i < m->cap && bit_test(m->dirty, i) && m->slot_id[i] == a->id)
		bit_clear(m->dirty, i);
	if (m->ends_n == ENDS_MAX) {
		overflow(m);
		return;
	}
	k = (m->ends_head + m->ends_n++) % ENDS_MAX;
	m->ends[k].id = a->id;
	m->ends[k].tuple = a->tuple;
}

/* An RTP context changed (slice 7): marked by its slot, as an allocation. */
static void
rmark(struct ha_mirror *m, uint64_t id)
{
	int k = cp_agw_rtp_mirror_index(m->cp, id);
	uint32_t i;

	if (k < 0 || (uint32_t)k >= m->rcap)
		return;
	i = (uint32_t)k;
	if (bit_test(m->rdirty, i) && m->rslot_id[i] == id)
		return;
	if (m->rfifo_n == m->rcap) {
		overflow(m);
		return;
	}
	bit_set(m->rdirty, i);
	m->rslot_id[i] = id;
	m->rfifo[(m->rfifo_head + m->rfifo_n++) % m->rcap] = i;
}

/* An RTP context ended (RTP_DEL sent, or dp's RELEASED): its tombstone
 * (twice for one context is harmless: the standby holds it no more). */
static void
rend(struct ha_mirror *m, uint64_t id)
{
	if (m->rcap == 0)
		return;
	if (m->rends_n == ENDS_MAX) {
		overflow(m);
		return;
	}
	m->rends[(m->rends_head + m->rends_n++) % ENDS_MAX] = id;
}

/* cp_dp_tap()'s seen: what dp said of an RTP context (slice 7), after
 * cp/agw applied it: a latch, a nomination, a position, a handshake's
 * keys, a restarted cp's STATE mark it; RELEASED ends it. */
static void
tap_seen(struct cp_ctx *cp, void *arg, unsigned int w, const struct ipc_msg *msg)
{
	struct ha_mirror *m = arg;
	const struct ipc_rtp_event *e;

	(void)cp;
	(void)w;
	if (m->applying || m->rcap == 0)
		return;
	switch (msg->h.kind) {
	case IPC_RTP_EVENT:
		e = (const void *)msg->body;
		/* (a RELEASED cp/agw took quietly, a context this box yielded
		 * when it stepped down, ends nothing: it is still held) */
		if (e->type == IPC_RTP_EV_RELEASED) {
			if (cp_agw_rtp_mirror_index(m->cp, msg->h.alloc_id) < 0)
				rend(m, msg->h.alloc_id);
		} else {
			rmark(m, msg->h.alloc_id);
		}
		break;
	case IPC_RTP_STATS:
	case IPC_RTP_DTLS:
	case IPC_RTP_STATE:
		rmark(m, msg->h.alloc_id);
		break;
	default:
		break;
	}
}

/* cp_dp_tap()'s sent: a message about an allocation went to dp. */
static void
tap_sent(struct cp_ctx *cp, void *arg, unsigned int w, const struct ipc_msg *msg)
{
	struct ha_mirror *m = arg;
	const struct cp_alloc *a;

	(void)w;
	if (m->applying)
		return;
	switch (msg->h.kind) {
	case IPC_ALLOC_ADD:
	case IPC_ALLOC_LIFE:
	case IPC_PERM_ADD:
	case IPC_PERM_DEL:
	case IPC_CHAN_ADD:
	case IPC_CHAN_DEL:
	case IPC_ALLOC_MOVE:
	case IPC_FWD_ADD:
	case IPC_FWD_DEL:
		a = cp_alloc_find_id(cp, msg->h.alloc_id);
		if (a != NULL)
			mark(m, a);
		break;
	case IPC_RTP_ADD:
	case IPC_RTP_MOD:
		rmark(m, msg->h.alloc_id);
		break;
	case IPC_RTP_DEL:
		/* (a yield's, of a context still held here or this box's
		 * again after a takeover, its RTP_DEL sent late from the
		 * backlog: no end of it, docs/design/ha.md §4 S3; a context
		 * released after it ends by its RELEASED, tap_seen()) */
		if (!cp_agw_rtp_mirror_quiet(cp, msg->h.alloc_id))
			rend(m, msg->h.alloc_id);
		break;
	default:
		break;
	}
}

/* cp/alloc's observer: UP and LIFE mark, END queues the tombstone. */
static void
observed(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg)
{
	struct ha_mirror *m = arg;

	(void)cp;
	if (m->applying)
		return;
	switch (ev->type) {
	case CP_ALLOC_EV_UP:
	case CP_ALLOC_EV_LIFE:
		mark(m, ev->a);
		break;
	case CP_ALLOC_EV_END:
		end(m, ev->a);
		break;
	default:
		break;
	}
}

/* m and its arrays (the batch buffer wiped first: OAuth keys). */
static void
mirror_release(struct ha_mirror *m)
{
	if (m->buf != NULL)
		OPENSSL_cleanse(m->buf, BATCH_MAX);
	OPENSSL_cleanse(&m->rm, sizeof(m->rm));
	free(m->rdirty);
	free(m->rstale);
	free(m->rslot_id);
	free(m->rfifo);
	free(m->rends);
	free(m->dirty);
	free(m->stale);
	free(m->slot_id);
	free(m->fifo);
	free(m->ends);
	free(m->buf);
	free(m);
}

struct ha_mirror *
ha_mirror_create(struct cp_ctx *cp, ha_mirror_send_fn send, void *arg)
{
	struct ha_mirror *m;
	uint32_t cap = cp_alloc_capacity(cp);
	size_t words;
	int rc;

	if (cap == 0) {
		errno = ENOTSUP;
		return NULL;
	}
	words = (cap + 63u) / 64u;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->cp = cp;
	m->send = send;
	m->arg = arg;
	m->cap = cap;
	m->dirty = calloc(words, sizeof(uint64_t));
	m->stale = calloc(words, sizeof(uint64_t));
	m->slot_id = calloc(cap, sizeof(uint64_t));
	m->fifo = calloc(cap, sizeof(uint32_t));
	m->ends = calloc(ENDS_MAX, sizeof(*m->ends));
	m->buf = malloc(BATCH_MAX);
	if (m->dirty == NULL || m->stale == NULL || m->slot_id == NULL || m->fifo == NULL ||
	    m->ends == NULL || m->buf == NULL) {
		errno = ENOMEM;
		goto free_m;
	}
	m->rcap = cp_agw_rtp_mirror_cap(cp);
	if (m->rcap > 0) {
		size_t rwords = (m->rcap + 63u) / 64u;

		m->rdirty = calloc(rwords, sizeof(uint64_t));
		m->rstale = calloc(rwords, sizeof(uint64_t));
		m->rslot_id = calloc(m->rcap, sizeof(uint64_t));
		m->rfifo = calloc(m->rcap, sizeof(uint32_t));
		m->rends = calloc(ENDS_MAX, sizeof(uint64_t));
		if (m->rdirty == NULL || m->rstale == NULL || m->rslot_id == NULL ||
		    m->rfifo == NULL || m->rends == NULL) {
			errno = ENOMEM;
			goto free_m;
		}
	}
	if ((rc = cp_dp_tap(cp, tap_sent, tap_seen, m)) < 0) {
		errno = -rc;
		goto free_m;
	}
	if ((rc = cp_alloc_observe(cp, observed, m)) < 0) {
		errno = -rc;
		goto untap;
	}
	return m;
untap:
	(void)cp_dp_tap(cp, NULL, NULL, NULL);
free_m:
	mirror_release(m);
	return NULL;
}

void
ha_mirror_free(struct ha_mirror *m)
{
	if (m == NULL)
		return;
	cp_alloc_unobserve(m->cp, observed, m);
	(void)cp_dp_tap(m->cp, NULL, NULL, NULL);
	mirror_release(m);
}

void
ha_mirror_link_up(struct ha_mirror *m)
{
	/* what was in flight went with the old link */
	m->buf_n = 0;
	m->pending = false;
	m->walk = true;
	m->walk_started = false;
	m->walk_cur = 0;
	m->rwalk_cur = 0;
	m->st.walks++;
	/* (a standby's: a walk the old link began is no walk of this one;
	 * an END before this link's START removes nothing) */
	m->stale_on = false;
}

void
ha_mirror_forget(struct ha_mirror *m)
{
	/* (each loop turn of a standby: nothing to do is the common case;
	 * a dirty bit is never set without its slot in the FIFO) */
	if (m->fifo_n == 0 && m->ends_n == 0 && m->rfifo_n == 0 && m->rends_n == 0 && !m->walk &&
	    m->buf_n == 0 && !m->pending)
		return;
	memset(m->dirty, 0, (m->cap + 63u) / 64u * sizeof(uint64_t));
	if (m->rcap > 0)
		memset(m->rdirty, 0, (m->rcap + 63u) / 64u * sizeof(uint64_t));
	m->fifo_n = 0;
	m->ends_n = 0;
	m->rfifo_n = 0;
	m->rends_n = 0;
	m->buf_n = 0;
	m->pending = false;
	m->walk = false;
}

/* ---- the active box: records out ---------------------------------------- */

static uint32_t
left(uint64_t at, uint64_t now)
{
	uint64_t d = at > now ? at - now : 0;

	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void
rec_of(const struct cp_alloc *a, uint64_t now, struct ha_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->type = HA_REC_ALLOC;
	r->id = a->id;
	r->tuple = a->tuple;
	r->worker = a->worker;
	r->flags = (uint16_t)((a->tcp ? IPC_ALLOC_F_TCP : 0) | (a->mobile ? IPC_ALLOC_F_MOBILE : 0));
	r->nrelayed = a->nrelayed;
	r->tenant = a->tenant;
	for (unsigned int i = 0; i < a->nrelayed && i < 2; i++) {
		r->relayed[i] = a->relayed[i];
		r->relayed[i].port = a->relay_port;
	}
	r->left_ms = left(a->expires_ms, now);
	r->age_ms = now > a->created_ms ? now - a->created_ms : 0;
	r->max_bps = a->max_bps;
	r->max_bps_burst = a->max_bps_burst;
	memcpy(r->tid, a->tid, HA_REC_TID_LEN);
	r->mob_gen = a->mob_gen;
	r->fwd = a->fwd;
	r->fwd_worker = a->fwd ? a->fwd_worker : 0;
	for (unsigned int i = 0; i < 2; i++) {
		const struct cp_auth_session *s = &a->oauth[i];

		if (s->key_len == 0 || s->key_len > HA_REC_KEY_MAX)
			continue;
		r->oauth[i].key_len = s->key_len;
		r->oauth[i].kid = s->kid;
		r->oauth[i].as = s->as;
		r->oauth[i].expiry = s->expiry;
		memcpy(r->oauth[i].key, s->key, s->key_len);
	}
	r->user_len = a->user != NULL ? a->user->len : 0;
	if (r->user_len > HA_REC_USER_MAX)
		r->user_len = HA_REC_USER_MAX;
	if (r->user_len > 0)
		memcpy(r->user, a->user->name, r->user_len);
	for (unsigned int i = 0; i < a->nbinds && r->nbinds < HA_REC_BINDS_MAX; i++) {
		struct ha_rec_bind *b = &r->binds[r->nbinds++];

		b->peer = a->binds[i].peer;
		b->channel = a->binds[i].channel;
		b->left_ms = left(a->binds[i].expires_ms, now);
	}
}

/* RTP context at index as a record (false: none to send there, or not
 * the id marked). Its keys are in r and m->rm: the caller wipes both. */
static bool
rtp_rec_of(struct ha_mirror *m, uint32_t index, uint64_t id, struct ha_rec *r)
{
	size_t ll;

	if (cp_agw_rtp_mirror_get(m->cp, index, &m->rm) < 0 || (id != 0 && m->rm.id != id))
		return false;
	memset(r, 0, sizeof(*r));
	r->type = HA_REC_RTP;
	r->id = m->rm.id;
	r->rtp.age_ms = m->rm.age_ms;
	ll = strnlen(m->rm.label, sizeof(m->rm.label));
	r->rtp.label_len = (uint8_t)(ll > HA_REC_LABEL_MAX ? HA_REC_LABEL_MAX : ll);
	memcpy(r->rtp.label, m->rm.label, r->rtp.label_len);
	r->rtp.s = m->rm.s;
	OPENSSL_cleanse(&m->rm, sizeof(m->rm));
	return true;
}

/* The batch out; false: the link did not take it (kept for next time). */
static bool
ship(struct ha_mirror *m, uint64_t now)
{
	if (m->buf_n == 0)
		return true;
	if (m->send(m->arg, m->buf, m->buf_n, now) < 0) {
		m->pending = true;
		return false;
	}
	OPENSSL_cleanse(m->buf, m->buf_n);
	m->buf_n = 0;
	m->pending = false;
	return true;
}

/* r into the batch (the batch shipped first when full); false: no room
 * and the link is not taking batches. */
static bool
add(struct ha_mirror *m, const struct ha_rec *r, uint64_t now, unsigned int *batches)
{
	int n;

	if (BATCH_MAX - m->buf_n < HA_REC_MAX) {
		if (*batches >= FLUSH_BATCHES || !ship(m, now))
			return false;
		(*batches)++;
	}
	n = ha_rec_encode(r, m->buf + m->buf_n, BATCH_MAX - m->buf_n);
	if (n < 0) {
		m->st.records_refused++;      /* not ours to send: counted, skipped */
		return true;
	}
	m->buf_n += (size_t)n;
	if (r->type != HA_REC_WALK_START && r->type != HA_REC_WALK_END)
		m->st.records_sent++;
	return true;
}

unsigned int
ha_mirror_flush(struct ha_mirror *m, uint64_t now_ms)
{
	uint64_t before = m->st.records_sent;
	unsigned int batches = 0;
	struct ha_rec r;

	if (m->pending && !ship(m, now_ms))
		return 0;
	if (m->walk && !m->walk_started) {
		/* a walk's start begins a batch (the standby takes it nowhere
		 * else): what a flush cut short left in the buffer goes first */
		if (m->buf_n > 0) {
			if (batches >= FLUSH_BATCHES || !ship(m, now_ms))
				goto out;
			batches++;
		}
		memset(&r, 0, sizeof(r));
		r.type = HA_REC_WALK_START;
		if (!add(m, &r, now_ms, &batches))
			goto out;
		m->walk_started = true;
	}
	while (m->ends_n > 0) {
		memset(&r, 0, sizeof(r));
		r.type = HA_REC_ALLOC_END;
		r.id = m->ends[m->ends_head].id;
		r.tuple = m->ends[m->ends_head].tuple;
		if (!add(m, &r, now_ms, &batches))
			goto out;
		m->ends_head = (m->ends_head + 1) % ENDS_MAX;
		m->ends_n--;
	}
	while (m->rends_n > 0) {
		memset(&r, 0, sizeof(r));
		r.type = HA_REC_RTP_END;
		r.id = m->rends[m->rends_head];
		if (!add(m, &r, now_ms, &batches))
			goto out;
		m->rends_head = (m->rends_head + 1) % ENDS_MAX;
		m->rends_n--;
	}
	while (m->rfifo_n > 0) {
		uint32_t i = m->rfifo[m->rfifo_head];

		if (bit_test(m->rdirty, i)) {
			if (rtp_rec_of(m, i, m->rslot_id[i], &r) && !add(m, &r, now_ms, &batches))
				goto out;
			bit_clear(m->rdirty, i);
		}
		m->rfifo_head = (m->rfifo_head + 1) % m->rcap;
		m->rfifo_n--;
	}
	while (m->fifo_n > 0) {
		uint32_t i = m->fifo[m->fifo_head];
		uint32_t cur = i;
		struct cp_alloc *a;

		if (bit_test(m->dirty, i)) {
			a = cp_alloc_next(m->cp, &cur);
			if (a != NULL && cp_alloc_slot(m->cp, a) == i && a->id == m->slot_id[i]) {
				rec_of(a, now_ms, &r);
				if (!add(m, &r, now_ms, &batches))
					goto out;
			}
			bit_clear(m->dirty, i);
		}
		m->fifo_head = (m->fifo_head + 1) % m->cap;
		m->fifo_n--;
	}
	while (m->walk) {
		uint32_t at = m->walk_cur;
		struct cp_alloc *a = cp_alloc_next(m->cp, &m->walk_cur);

		if (a == NULL) {
			/* the RTP contexts after the allocations */
			uint32_t rat = m->rwalk_cur;
			uint64_t id;

			if (m->rcap > 0 && cp_agw_rtp_mirror_next(m->cp, &m->rwalk_cur, &id) == 0) {
				if (rtp_rec_of(m, m->rwalk_cur - 1u, id, &r) &&
				    !add(m, &r, now_ms, &batches)) {
					m->rwalk_cur = rat;       /* this one, next time */
					goto out;
				}
				continue;
			}
			memset(&r, 0, sizeof(r));
			r.type = HA_REC_WALK_END;
			if (!add(m, &r, now_ms, &batches)) {
				m->walk_cur = at;
				goto out;
			}
			m->walk = false;
			m->walk_cur = 0;
			m->rwalk_cur = 0;
			break;
		}
		if (!cp_alloc_mirrorable(&a->tuple, a->tcp))
			continue;
		rec_of(a, now_ms, &r);
		if (!add(m, &r, now_ms, &batches)) {
			m->walk_cur = at;     /* this one, next time */
			goto out;
		}
	}
	(void)ship(m, now_ms);
out:
	OPENSSL_cleanse(&r, sizeof(r));
	return (unsigned int)(m->st.records_sent - before);
}

/* ---- the standby: records in ------------------------------------------- */

static int
apply(struct ha_mirror *m, const struct ha_rec *r, uint64_t now)
{
	static struct ipc_alloc ia;
	struct ipc_binding binds[HA_REC_BINDS_MAX];
	struct cp_alloc_mirror am;
	struct cp_alloc *a;
	unsigned int refused = 0;
	int rc;

	memset(&ia, 0, sizeof(ia));
	ia.nrelayed = r->nrelayed;
	ia.pwalg = r->pwalg;
	ia.flags = r->flags;
	ia.relayed[0] = r->relayed[0];
	ia.relayed[1] = r->relayed[1];
	ia.expires_ms = now + r->left_ms;
	ia.created_ms = r->age_ms < now ? now - r->age_ms : 0;
	ia.max_bps = r->max_bps;
	ia.max_bps_burst = r->max_bps_burst;
	ia.user_len = r->user_len;
	memcpy(ia.username, r->user, r->user_len);
	memset(binds, 0, sizeof(binds));
	for (unsigned int i = 0; i < r->nbinds; i++) {
		binds[i].peer = r->binds[i].peer;
		binds[i].channel = r->binds[i].channel;
		binds[i].expires_ms = now + r->binds[i].left_ms;
	}
	memset(&am, 0, sizeof(am));
	am.worker = r->worker;
	am.tuple = r->tuple;
	am.id = r->id;
	am.ia = &ia;
	am.binds = binds;
	am.nbinds = r->nbinds;
	for (unsigned int i = 0; i < 2; i++) {
		am.oauth[i].key_len = r->oauth[i].key_len;
		am.oauth[i].kid = r->oauth[i].kid;
		am.oauth[i].as = r->oauth[i].as;
		am.oauth[i].expiry = r->oauth[i].expiry;
		memcpy(am.oauth[i].key, r->oauth[i].key, sizeof(am.oauth[i].key));
	}
	memcpy(am.tid, r->tid, sizeof(am.tid));
	am.mob_gen = r->mob_gen;
	am.fwd = r->fwd;
	am.fwd_worker = r->fwd_worker;
	rc = cp_alloc_mirror_put(m->cp, &am, &refused);
	m->st.binds_refused += refused;
	OPENSSL_cleanse(am.oauth, sizeof(am.oauth));
	if (rc < 0)
		return rc;
	a = cp_alloc_find_id(m->cp, r->id);
	if (a != NULL && cp_alloc_slot(m->cp, a) < m->cap)
		bit_clear(m->stale, cp_alloc_slot(m->cp, a));
	return 0;
}

/* An RTP context of the peer's, held for a takeover (cp/agw's rules:
 * cp_agw_rtp_mirror_put()): 0, or its error. */
static int
apply_rtp(struct ha_mirror *m, const struct ha_rec *r)
{
	int rc, k;

	memset(&m->rm, 0, sizeof(m->rm));
	m->rm.id = r->id;
	m->rm.age_ms = r->rtp.age_ms;
	memcpy(m->rm.label, r->rtp.label, r->rtp.label_len);
	m->rm.s = r->rtp.s;
	rc = cp_agw_rtp_mirror_put(m->cp, &m->rm);
	OPENSSL_cleanse(&m->rm, sizeof(m->rm));
	if (rc == 0 && (k = cp_agw_rtp_mirror_index(m->cp, r->id)) >= 0 && (uint32_t)k < m->rcap)
		bit_clear(m->rstale, (uint32_t)k);
	return rc;
}

static void
walk_start(struct ha_mirror *m)
{
	struct cp_alloc *a;
	uint32_t cur = 0;
	uint64_t id;

	memset(m->stale, 0, (m->cap + 63u) / 64u * sizeof(uint64_t));
	while ((a = cp_alloc_next(m->cp, &cur)) != NULL)
		bit_set(m->stale, cp_alloc_slot(m->cp, a));
	if (m->rcap > 0) {
		memset(m->rstale, 0, (m->rcap + 63u) / 64u * sizeof(uint64_t));
		cur = 0;
		while (cp_agw_rtp_mirror_next(m->cp, &cur, &id) == 0)
			bit_set(m->rstale, cur - 1u);
	}
	m->stale_on = true;
}

static void
walk_end(struct ha_mirror *m)
{
	struct cp_alloc *a;
	uint32_t cur = 0;
	uint64_t id;

	if (!m->stale_on)
		return;           /* an END without its START (a new link): nothing known */
	while ((a = cp_alloc_next(m->cp, &cur)) != NULL) {
		uint32_t i = cp_alloc_slot(m->cp, a);

		if (bit_test(m->stale, i)) {
			bit_clear(m->stale, i);
			(void)cp_alloc_mirror_del(m->cp, a->id);
			m->st.stale_removed++;
		}
	}
	cur = 0;
	while (m->rcap > 0 && cp_agw_rtp_mirror_next(m->cp, &cur, &id) == 0) {
		if (!bit_test(m->rstale, cur - 1u))
			continue;
		bit_clear(m->rstale, cur - 1u);
		if (cp_agw_rtp_mirror_del(m->cp, id) == 0)
			m->st.stale_removed++;
	}
	m->stale_on = false;
}

int
ha_mirror_batch(struct ha_mirror *m, const uint8_t *p, size_t n, uint64_t now_ms)
{
	static struct ha_rec r;
	size_t at = 0;
	int rc = 0;

	m->applying = true;
	while (at < n) {
		int k = ha_rec_decode(p + at, n - at, &r);

		/* a walk's start only as a batch's first record (where the
		 * active box puts it): one later would mark stale, and its
		 * END remove, what the same batch just brought */
		if (k < 0 || (r.type == HA_REC_WALK_START && at != 0)) {
			m->st.records_refused++;
			rc = -EINVAL;
			break;
		}
		at += (size_t)k;
		switch (r.type) {
		case HA_REC_WALK_START:
			walk_start(m);
			break;
		case HA_REC_WALK_END:
			walk_end(m);
			break;
		case HA_REC_ALLOC_END:
			(void)cp_alloc_mirror_del(m->cp, r.id);
			m->st.records_applied++;
			break;
		case HA_REC_RTP_END:
			(void)cp_agw_rtp_mirror_del(m->cp, r.id);
			m->st.records_applied++;
			break;
		default:
			k = r.type == HA_REC_RTP ? apply_rtp(m, &r) : apply(m, &r, now_ms);
			if (k == 0) {
				m->st.records_applied++;
				break;
			}
			m->st.records_refused++;
			/* a record this box forbids (its shape, its addresses)
			 * refuses the batch; one it has no room for does not */
			if (k == -EINVAL)
				rc = -EINVAL;
			break;
		}
		if (rc < 0)
			break;
	}
	m->applying = false;
	OPENSSL_cleanse(&r, sizeof(r));
	return rc;
}

uint32_t
ha_mirror_srtp_ahead(uint32_t bound_ms)
{
	uint64_t n = (uint64_t)bound_ms * HA_SRTP_PPS / 1000u;

	return n > HA_SRTP_AHEAD_MAX ? HA_SRTP_AHEAD_MAX : (uint32_t)n;
}

unsigned int
ha_mirror_takeover(struct ha_mirror *m, uint32_t bound_ms)
{
	unsigned int n;

	/* (a walk the old link began is none of this box's any more) */
	m->stale_on = false;
	n = cp_agw_rtp_mirror_takeover(m->cp, ha_mirror_srtp_ahead(bound_ms));
	m->st.rtp_taken += n;
	return n;
}

bool
ha_mirror_idle(const struct ha_mirror *m)
{
	return !m->pending && m->buf_n == 0 && !m->walk && m->ends_n == 0 && m->fifo_n == 0 &&
	       m->rfifo_n == 0 && m->rends_n == 0;
}

const struct ha_mirror_stats *
ha_mirror_stats(const struct ha_mirror *m)
{
	return &m->st;
}
