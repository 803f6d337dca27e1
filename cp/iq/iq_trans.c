/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's transactions (iq_trans.h). Received requests live in a ring in
 * arrival order, so that expiry and eviction both take the oldest, with
 * an open-addressed hash (linear probing, deletion by backward shift) of
 * (peer, tid) into it, keyed at random. Our requests in flight are few (a ServiceChange, a
 * burst of Notifies): a small array scanned.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "iq_trans.h"
#include "tp_siphash.h"

struct iq_in {
	uint32_t tid;
	uint8_t peer;
	uint8_t state;                /* enum iq_in_state */
	bool acked;
	uint8_t pad;
	uint64_t t_ms;                /* arrival; then the reply's time */
	uint8_t *reply;               /* malloc'd, NULL once acked */
	size_t len;
};

struct iq_out {
	uint32_t tid;
	uint8_t peer;
	bool used;
	uint8_t pendings;             /* Pendings heard for it */
	uint8_t pad;
	uint64_t cookie;
	uint64_t next_ms;             /* the next repeat */
	uint64_t give_up_ms;
	uint32_t interval_ms;
	uint32_t pad2;
	uint8_t *msg;
	size_t len;
};

/* Keyed (SipHash): the controller picks the ids, and with a known
 * function it could pick ids that all probe one run of slots. */
static uint32_t
hash_of(const struct iq_trans *t, unsigned int peer, uint32_t tid)
{
	return (uint32_t)tp_siphash24_12(t->hash_key, (uint64_t)peer << 32 | tid, 0);
}

int
iq_trans_init(struct iq_trans *t, uint32_t cap, uint32_t out_cap)
{
	memset(t, 0, sizeof(*t));
	if (cap < 16 || (cap & (cap - 1)) != 0 || out_cap == 0)
		return -EINVAL;
	t->in = calloc(cap, sizeof(*t->in));
	t->in_hash = calloc((size_t)cap * 2, sizeof(*t->in_hash));
	t->out = calloc(out_cap, sizeof(*t->out));
	if (t->in == NULL || t->in_hash == NULL || t->out == NULL) {
		iq_trans_fini(t);
		return -ENOMEM;
	}
	if (getrandom(t->hash_key, sizeof(t->hash_key), 0) != (ssize_t)sizeof(t->hash_key)) {
		iq_trans_fini(t);
		return -EIO;
	}
	t->in_cap = cap;
	t->hash_mask = cap * 2 - 1;
	t->out_cap = out_cap;
	t->next_tid = 1;
	t->give_up_ms = IQ_OUT_GIVE_UP_MS;
	return 0;
}

void
iq_trans_fini(struct iq_trans *t)
{
	if (t->in != NULL)
		for (uint32_t i = 0; i < t->in_cap; i++)
			free(t->in[i].reply);
	if (t->out != NULL)
		for (uint32_t i = 0; i < t->out_cap; i++)
			free(t->out[i].msg);
	free(t->in);
	free(t->in_hash);
	free(t->out);
	memset(t, 0, sizeof(*t));
}

/* ---- received requests -------------------------------------------------- */

/* The hash slot holding (peer, tid), or the empty slot where it would go. */
static uint32_t
slot_of(const struct iq_trans *t, unsigned int peer, uint32_t tid, bool *found)
{
	uint32_t h = hash_of(t, peer, tid) & t->hash_mask;

	for (;;) {
		uint32_t v = t->in_hash[h];

		if (v == 0) {
			*found = false;
			return h;
		}
		if (t->in[v - 1].tid == tid && t->in[v - 1].peer == peer) {
			*found = true;
			return h;
		}
		h = (h + 1) & t->hash_mask;
	}
}

/* Remove hash slot h, shifting back the entries after it that probed
 * past it, so that every lookup still finds its entry. */
static void
hash_del(struct iq_trans *t, uint32_t h)
{
	uint32_t j = h;

	t->in_hash[h] = 0;
	for (;;) {
		uint32_t v, home;

		j = (j + 1) & t->hash_mask;
		v = t->in_hash[j];
		if (v == 0)
			return;
		home = hash_of(t, t->in[v - 1].peer, t->in[v - 1].tid) & t->hash_mask;
		/* j's entry may move to h if its home is not in (h, j] */
		if (((j - home) & t->hash_mask) >= ((j - h) & t->hash_mask)) {
			t->in_hash[h] = v;
			t->in_hash[j] = 0;
			h = j;
		}
	}
}

/* Forget the oldest entry. */
static void
in_pop(struct iq_trans *t)
{
	struct iq_in *e = &t->in[t->in_head];
	bool found;
	uint32_t h = slot_of(t, e->peer, e->tid, &found);

	if (found)
		hash_del(t, h);
	free(e->reply);
	memset(e, 0, sizeof(*e));
	t->in_head = (t->in_head + 1) & (t->in_cap - 1);
	t->in_n--;
}

static struct iq_in *
in_find(struct iq_trans *t, unsigned int peer, uint32_t tid)
{
	bool found;
	uint32_t h = slot_of(t, peer, tid, &found);

	return found ? &t->in[t->in_hash[h] - 1] : NULL;
}

void
iq_in_expire(struct iq_trans *t, uint64_t now_ms)
{
	while (t->in_n > 0) {
		const struct iq_in *e = &t->in[t->in_head];

		/* an executing request is never forgotten by age: its reply
		 * must still find it */
		if (e->state == IQ_IN_EXECUTING || now_ms - e->t_ms < IQ_LONG_TIMER_MS)
			return;
		in_pop(t);
	}
}

enum iq_in_state
iq_in_seen(struct iq_trans *t, unsigned int peer, uint32_t tid, uint64_t now_ms,
	   const uint8_t **reply, size_t *len)
{
	struct iq_in *e;

	iq_in_expire(t, now_ms);
	e = in_find(t, peer, tid);
	if (e == NULL)
		return IQ_IN_NEW;
	if (e->state == IQ_IN_EXECUTING) {
		t->st.in_repeat_pending++;
		return IQ_IN_EXECUTING;
	}
	t->st.in_repeat_replied++;
	*reply = e->reply;
	*len = e->reply != NULL ? e->len : 0;
	return IQ_IN_REPLIED;
}

int
iq_in_begin(struct iq_trans *t, unsigned int peer, uint32_t tid, uint64_t now_ms)
{
	struct iq_in *e;
	bool found;
	uint32_t h, idx;

	if (in_find(t, peer, tid) != NULL)
		return -EEXIST;
	if (t->in_n == t->in_cap) {
		/* full within LONG-TIMER: the oldest goes early (a repeat of it
		 * would run again); counted, the operator sizes by it */
		in_pop(t);
		t->st.in_evicted++;
	}
	idx = (t->in_head + t->in_n) & (t->in_cap - 1);
	e = &t->in[idx];
	memset(e, 0, sizeof(*e));
	e->tid = tid;
	e->peer = (uint8_t)peer;
	e->state = IQ_IN_EXECUTING;
	e->t_ms = now_ms;
	h = slot_of(t, peer, tid, &found);
	t->in_hash[h] = idx + 1;
	t->in_n++;
	t->st.in_new++;
	return 0;
}

int
iq_in_reply(struct iq_trans *t, unsigned int peer, uint32_t tid, const uint8_t *reply,
	    size_t len, uint64_t now_ms)
{
	struct iq_in *e = in_find(t, peer, tid);

	if (e == NULL)
		return -ENOENT;
	e->state = IQ_IN_REPLIED;
	e->t_ms = now_ms;
	free(e->reply);
	e->reply = malloc(len > 0 ? len : 1);
	if (e->reply == NULL) {
		/* it ran: a repeat must not run it again; it gets no answer
		 * (as after an ack) and the controller's own timer ends it */
		e->len = 0;
		return -ENOMEM;
	}
	memcpy(e->reply, reply, len);
	e->len = len;
	return 0;
}

/* A reply the controller acknowledged: no longer kept for its repeats
 * (1), or nothing to do (0). */
static unsigned int
ack_one(struct iq_in *e)
{
	if (e->state != IQ_IN_REPLIED || e->acked)
		return 0;
	free(e->reply);
	e->reply = NULL;
	e->len = 0;
	e->acked = true;
	return 1;
}

unsigned int
iq_in_ack(struct iq_trans *t, unsigned int peer, uint32_t first, uint32_t last)
{
	unsigned int n = 0;

	if (last < first)
		return 0;
	/* a narrow range (the usual: one id) through the hash; a wide one
	 * (ResponseAck{1-4000000000}) by one walk of what is remembered */
	if (last - first < IQ_ACK_NARROW) {
		for (uint64_t id = first; id <= last; id++) {
			bool found;
			uint32_t h = slot_of(t, peer, (uint32_t)id, &found);
			struct iq_in *e;

			if (!found)
				continue;
			e = &t->in[t->in_hash[h] - 1];
			n += ack_one(e);
		}
		t->st.in_acked += n;
		return n;
	}
	for (uint32_t i = 0; i < t->in_n; i++) {
		struct iq_in *e = &t->in[(t->in_head + i) & (t->in_cap - 1)];

		if (e->peer == peer && e->tid >= first && e->tid <= last)
			n += ack_one(e);
	}
	t->st.in_acked += n;
	return n;
}

/* ---- our requests ------------------------------------------------------- */

uint32_t
iq_out_tid(struct iq_trans *t)
{
	uint32_t tid = t->next_tid++;

	if (t->next_tid == 0)
		t->next_tid = 1;
	return tid;
}

int
iq_out_add(struct iq_trans *t, unsigned int peer, uint32_t tid, const uint8_t *msg,
	   size_t len, uint64_t cookie, uint64_t now_ms)
{
	struct iq_out *o = NULL;

	for (uint32_t i = 0; i < t->out_cap && o == NULL; i++)
		if (!t->out[i].used)
			o = &t->out[i];
	if (o == NULL)
		return -ENOSPC;
	o->msg = malloc(len > 0 ? len : 1);
	if (o->msg == NULL)
		return -ENOMEM;
	memcpy(o->msg, msg, len);
	o->len = len;
	o->used = true;
	o->tid = tid;
	o->peer = (uint8_t)peer;
	o->cookie = cookie;
	o->pendings = 0;
	o->interval_ms = IQ_OUT_FIRST_MS;
	o->next_ms = now_ms + IQ_OUT_FIRST_MS;
	o->give_up_ms = now_ms + t->give_up_ms;
	t->out_n++;
	t->st.out_sent++;
	return 0;
}

static struct iq_out *
out_find(struct iq_trans *t, unsigned int peer, uint32_t tid)
{
	for (uint32_t i = 0; i < t->out_cap; i++)
		if (t->out[i].used && t->out[i].tid == tid && t->out[i].peer == peer)
			return &t->out[i];
	return NULL;
}

static void
out_free(struct iq_trans *t, struct iq_out *o)
{
	free(o->msg);
	memset(o, 0, sizeof(*o));
	t->out_n--;
}

bool
iq_out_reply(struct iq_trans *t, unsigned int peer, uint32_t tid, uint64_t *cookie)
{
	struct iq_out *o = out_find(t, peer, tid);

	if (o == NULL)
		return false;
	*cookie = o->cookie;
	out_free(t, o);
	t->st.out_replied++;
	return true;
}

bool
iq_out_pending(struct iq_trans *t, unsigned int peer, uint32_t tid, uint64_t now_ms)
{
	struct iq_out *o = out_find(t, peer, tid);

	if (o == NULL)
		return false;
	/* the controller works on it: stop repeating for the longest
	 * interval, and give it the whole give-up time again from now, a
	 * bounded number of times (H.248.1's MGCOriginatedPendingLimit: a
	 * controller that only ever says Pending is as good as gone) */
	if (o->pendings >= IQ_OUT_PENDING_LIMIT)
		return false;
	o->pendings++;
	o->interval_ms = IQ_OUT_CEIL_MS;
	o->next_ms = now_ms + IQ_OUT_CEIL_MS;
	o->give_up_ms = now_ms + t->give_up_ms;
	t->st.out_pending++;
	return true;
}

uint32_t
iq_out_due(struct iq_trans *t, uint64_t now_ms,
	   void (*resend)(void *arg, unsigned int peer, const uint8_t *msg, size_t len),
	   void (*gave_up)(void *arg, unsigned int peer, uint32_t tid, uint64_t cookie),
	   void *arg)
{
	uint64_t next = UINT64_MAX;

	for (uint32_t i = 0; i < t->out_cap; i++) {
		struct iq_out *o = &t->out[i];

		if (!o->used)
			continue;
		if (now_ms >= o->give_up_ms) {
			unsigned int peer = o->peer;
			uint32_t tid = o->tid;
			uint64_t cookie = o->cookie;

			out_free(t, o);
			t->st.out_gave_up++;
			gave_up(arg, peer, tid, cookie);
			continue;
		}
		if (now_ms >= o->next_ms) {
			resend(arg, o->peer, o->msg, o->len);
			t->st.out_resent++;
			o->interval_ms = o->interval_ms * 2 > IQ_OUT_CEIL_MS ?
					 IQ_OUT_CEIL_MS : o->interval_ms * 2;
			o->next_ms = now_ms + o->interval_ms;
		}
		if (o->next_ms < next)
			next = o->next_ms;
		if (o->give_up_ms < next)
			next = o->give_up_ms;
	}
	return next == UINT64_MAX ? UINT32_MAX :
	       next - now_ms > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)(next - now_ms);
}

void
iq_out_drop_peer(struct iq_trans *t, unsigned int peer,
		 void (*gave_up)(void *arg, unsigned int peer, uint32_t tid, uint64_t cookie),
		 void *arg)
{
	for (uint32_t i = 0; i < t->out_cap; i++) {
		struct iq_out *o = &t->out[i];
		uint32_t tid;
		uint64_t cookie;

		if (!o->used || o->peer != peer)
			continue;
		tid = o->tid;
		cookie = o->cookie;
		out_free(t, o);
		t->st.out_gave_up++;
		gave_up(arg, peer, tid, cookie);
	}
}
