/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp-li's delivery figures for cp (li_st.h; docs/design/li.md §2.4,
 * §3.4; issue 70): what each destination's connection and each task's
 * PDUs came to since the last report, told to cp as lib/ipc LI_STATUS at
 * most once a second and only when something moved.
 *
 * - Who writes what: tp-li alone writes the tables and the outbox's head;
 *   worker 0 alone reads the outbox (its tail) and sends to cp, since it
 *   alone may produce into its ring to cp (lib/ipc's rings are single
 *   producer). The outbox holds a whole report at its largest
 *   (LI_ST_TASKS tasks), so a report goes whole or waits a second.
 * - Bounded: LI_ST_DESTS destinations, LI_ST_TASKS tasks a second; past
 *   them a figure goes to dp's totals only (li_counters.def).
 * - Counts are deltas: cp adds them up. A destination's state is sent as
 *   it is; a new cp (li_st_resend()) is told every one again.
 * - Secrecy (§2.6): nothing here logs or counts by task or destination
 *   anywhere but in these messages to cp, which answers them over X1 only.
 */
#include <string.h>

#include "li_pdu.h"
#include "li_st.h"

/* The XID's place in a PDU (TS 103 221-2 §5.2: version 2, type 2, header
 * length 4, payload length 4, format 2, direction 2). */
#define PDU_XID_OFF 16u

static int
addr_eq(const struct ipc_addr *a, const struct ipc_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

int
li_st_dest(struct li_ctx *lc, const struct ipc_addr *a)
{
	struct li_st *s = &lc->st;
	int fr = -1;

	for (unsigned int i = 0; i < LI_ST_DESTS; i++) {
		if (!s->dest[i].used) {
			if (fr < 0)
				fr = (int)i;
			continue;
		}
		if (addr_eq(&s->dest[i].s.addr, a))
			return (int)i;
	}
	if (fr < 0)
		return -1;
	memset(&s->dest[fr], 0, sizeof(s->dest[fr]));
	s->dest[fr].used = 1;
	s->dest[fr].s.addr.family = a->family;
	s->dest[fr].s.addr.port = a->port;
	memcpy(s->dest[fr].s.addr.ip, a->ip, a->family == 4 ? 4 : 16);
	return fr;
}

void
li_st_state(struct li_ctx *lc, int i, uint8_t state, uint8_t fault)
{
	struct li_st_dest *d;

	if (i < 0)
		return;
	d = &lc->st.dest[i];
	d->conn = state != IPC_LI_CONN_NONE;
	if (state == IPC_LI_CONN_FAILED) {
		d->s.fault = fault;
		d->s.failures++;
	}
	if (d->s.state != state || state == IPC_LI_CONN_FAILED)
		d->dirty = 1;
	d->s.state = state;
}

static uint32_t
xid_hash(const uint8_t xid[16])
{
	uint64_t a, b;

	memcpy(&a, xid, 8);
	memcpy(&b, xid + 8, 8);
	a ^= b * 0x9e3779b97f4a7c15ull;
	a ^= a >> 29;
	return (uint32_t)(a * 0xbf58476d1ce4e5b9ull >> 40);
}

/* Task xid's entry (found, else taken), or NULL (LI_ST_TASKS this second). */
static struct ipc_li_task_st *
task_of(struct li_ctx *lc, const uint8_t xid[16])
{
	struct li_st *s = &lc->st;
	uint32_t h = xid_hash(xid);

	for (uint32_t k = 0; k < LI_ST_HASH; k++) {
		uint16_t *slot = &s->hash[(h + k) & (LI_ST_HASH - 1)];
		struct ipc_li_task_st *t;

		if (*slot == 0) {
			if (s->ntask >= LI_ST_TASKS)
				return NULL;
			t = &s->task[s->ntask++];
			memcpy(t->xid, xid, 16);
			*slot = (uint16_t)s->ntask;
			return t;
		}
		t = &s->task[*slot - 1];
		if (memcmp(t->xid, xid, 16) == 0)
			return t;
	}
	return NULL;
}

void
li_st_delivered(struct li_ctx *lc, int i, uint16_t type, const uint8_t xid[16])
{
	struct ipc_li_task_st *t = task_of(lc, xid);

	if (t != NULL) {
		if (type == LI_PDU_X2)
			t->x2_delivered++;
		else
			t->x3_delivered++;
	}
	if (i >= 0) {
		lc->st.dest[i].s.delivered++;
		lc->st.dest[i].dirty = 1;
	}
}

void
li_st_lost(struct li_ctx *lc, int i, uint16_t type, const uint8_t xid[16], enum li_st_why why)
{
	struct ipc_li_task_st *t = task_of(lc, xid);

	if (t != NULL) {
		if (type == LI_PDU_X2)
			t->x2_lost++;
		else
			t->x3_lost++;
	}
	if (i >= 0) {
		struct li_st_dest *d = &lc->st.dest[i];

		if (why == LI_ST_DOWN)
			d->s.dropped_down++;
		else if (why == LI_ST_FULL)
			d->s.dropped_full++;
		else
			d->s.dropped_lost++;
		d->dirty = 1;
	}
}

void
li_st_seen(struct li_ctx *lc, const uint8_t xid[16], uint64_t us)
{
	struct ipc_li_task_st *t = task_of(lc, xid);

	if (t != NULL && us > t->last_us)
		t->last_us = us;
}

void
li_st_resend(struct li_ctx *lc)
{
	__atomic_store_n(&lc->st.resend, 1, __ATOMIC_RELEASE);
}

/* The figures told: counts back to 0, the tasks forgotten, a destination
 * no connection names given back. */
static void
st_clear(struct li_st *s)
{
	for (unsigned int i = 0; i < LI_ST_DESTS; i++) {
		struct li_st_dest *d = &s->dest[i];

		if (!d->used)
			continue;
		d->dirty = 0;
		d->s.delivered = d->s.dropped_down = d->s.dropped_full = 0;
		d->s.dropped_lost = d->s.failures = 0;
		if (!d->conn)
			memset(d, 0, sizeof(*d));
	}
	memset(s->task, 0, (size_t)s->ntask * sizeof(s->task[0]));
	s->ntask = 0;
	memset(s->hash, 0, sizeof(s->hash));
}

unsigned int
li_st_tick(struct li_ctx *lc, uint64_t now)
{
	struct li_st *s = &lc->st;
	uint32_t tail, nd = 0, msgs, di = 0, ti = 0;
	unsigned int n = 0;

	if (now < s->next_ms)
		return 0;
	s->next_ms = now + LI_ST_EVERY_MS;
	if (__atomic_exchange_n(&s->resend, 0, __ATOMIC_ACQ_REL))
		for (unsigned int i = 0; i < LI_ST_DESTS; i++)
			if (s->dest[i].used)
				s->dest[i].dirty = 1;
	for (unsigned int i = 0; i < LI_ST_DESTS; i++)
		nd += s->dest[i].used && s->dest[i].dirty;
	if (nd == 0 && s->ntask == 0)
		return 0;
	msgs = (nd + IPC_LI_ST_DESTS - 1) / IPC_LI_ST_DESTS;
	if ((s->ntask + IPC_LI_ST_TASKS - 1) / IPC_LI_ST_TASKS > msgs)
		msgs = (s->ntask + IPC_LI_ST_TASKS - 1) / IPC_LI_ST_TASKS;
	tail = __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE);
	if (LI_ST_OUT - (s->head - tail) < msgs)
		return 0;               /* worker 0 behind (no cp): next second */
	for (; n < msgs; n++) {
		struct ipc_li_status *m = &s->q[(s->head + n) % LI_ST_OUT];

		memset(m, 0, sizeof(*m));
		for (; di < LI_ST_DESTS && m->ndest < IPC_LI_ST_DESTS; di++)
			if (s->dest[di].used && s->dest[di].dirty)
				m->dest[m->ndest++] = s->dest[di].s;
		while (ti < s->ntask && m->ntask < IPC_LI_ST_TASKS)
			m->task[m->ntask++] = s->task[ti++];
	}
	__atomic_store_n(&s->head, s->head + n, __ATOMIC_RELEASE);
	st_clear(s);
	return n;
}

int
li_st_peek(struct li_ctx *lc, struct ipc_msg *m)
{
	struct li_st *s = &lc->st;
	uint32_t head = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);

	if (head == s->tail)
		return 0;
	memset(&m->h, 0, sizeof(m->h));
	m->h.kind = IPC_LI_STATUS;
	m->h.body_len = sizeof(struct ipc_li_status);
	memcpy(m->body, &s->q[s->tail % LI_ST_OUT], sizeof(struct ipc_li_status));
	return 1;
}

void
li_st_drained(struct li_ctx *lc)
{
	struct li_st *s = &lc->st;

	memset(&s->q[s->tail % LI_ST_OUT], 0, sizeof(s->q[0]));
	__atomic_store_n(&s->tail, s->tail + 1, __ATOMIC_RELEASE);
}
