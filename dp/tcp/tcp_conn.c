/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp connections: the per-worker stack, its pool of control blocks
 * and its connection table.
 *
 * The pool is an array of TCBs sized at creation (conf.max_conns) with a
 * stack of free slots: taking and giving back a TCB is O(1) and never
 * allocates. A slot's generation changes on every reuse, so the id
 * worker | slot | generation of a finished connection is recognised.
 *
 * The table is ours rather than rte_hash: open addressing with linear
 * probing over 8-byte entries (the tuple's hash and the slot), twice as
 * many entries as connections, deletion by backward shift (no
 * tombstones). A lookup is one SipHash of the tuple, then entries on one
 * or two cache lines, then the TCB's first line where the tuple is
 * compared; 16 bytes per connection. rte_hash would store a copy of the
 * 37-byte key and bucket metadata (about 3x the memory per connection),
 * needs EAL memory zones for its own allocation, and its lock-free
 * multi-writer machinery buys nothing for a table only its worker
 * touches. The hash is keyed per worker (SipHash-2-4), so a remote
 * cannot aim many tuples at one run of entries.
 *
 * TIME_WAIT connections are bounded (conf.max_time_wait) and kept in a
 * FIFO: when the bound is reached or the pool is empty, the oldest one is
 * recycled (RFC 9293 §3.6.1 allows giving up TIME_WAIT's protection; RFC
 * 7323 timestamps then reject old duplicates).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "tcp_private.h"
#include "tp_siphash.h"

/* The hot part of the TCB: what a segment touches, at most four lines. */
_Static_assert(offsetof(struct tcp_conn, cold) <= 256,
	       "the TCB's hot part exceeds 256 bytes (4 cache lines)");
_Static_assert(offsetof(struct tcp_conn, snd_nxt) == 64,
	       "line 0 of the TCB is not 64 bytes");
_Static_assert(offsetof(struct tcp_conn, irs) == 128,
	       "line 1 of the TCB is not 64 bytes");
_Static_assert(offsetof(struct tcp_conn, timer) == 192,
	       "line 2 of the TCB is not 64 bytes");
/* The cold part: path MTU's search, RACK-TLP's, PRR's, the timers' and
 * the blind-attack limits' state make it five lines, not three (a
 * connection 576 bytes, 448 without them). */
_Static_assert(sizeof(struct tcp_conn_cold) <= 320,
	       "the TCB's cold part exceeds five lines");

void
tcp_conf_defaults(struct tcp_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_conns = 1024;
	c->max_time_wait = 256;
	c->snd_buf = 256 * 1024;
	c->rcv_buf = 256 * 1024;
	c->ooo_max_segs = 256;
	c->rcv_max_segs = 1024;
	c->mss4 = 1460;
	c->mss6 = 1440;
	c->rto_init = 1000;          /* RFC 6298 §2.1 */
	c->rto_min = 200;            /* Linux's; RFC 6298 §2.4 suggests 1 s */
	c->rto_max = 60000;          /* RFC 6298 §2.5: at least 60 s */
	c->delack = 40;
	c->msl = 30000;              /* TIME_WAIT 60 s, as Linux */
	c->fin_wait2 = 60000;
	c->keep_idle = 0;
	c->keep_intvl = 75000;
	c->keep_cnt = 9;
	c->syn_retries = 5;
	c->retries = 15;
	c->user_timeout = 900000;    /* 15 min: Linux's tcp_retries2 = 15 lasts 924.6 s */
	c->orphan_timeout = 60000;   /* as fin_wait2 */
	c->syn_backlog = 1024;
	c->init_cwnd_segs = 0;
	c->challenge_acks = 1000;
	c->invalid_ratelimit = 500;  /* Linux's tcp_invalid_ratelimit */
	c->max_held = 64u << 20;     /* 64 MiB over all connections */
	c->mtu_probing = true;
	c->base_mss = 1024;          /* Linux's tcp_base_mss */
	c->pmtu_expires = 600000;    /* Linux's mtu_expires: 10 minutes */
	c->syn_cookies = true;
	c->timestamps = true;
	c->wscale = true;
	c->sack = true;              /* RFC 2018 receiver side: blocks sent */
	c->rack = true;              /* RFC 8985 */
	/* RFC 5682: off until measured on a path with delay spikes; on
	 * random loss (dp's impairment, 5%) it found no spurious RTO and
	 * cost a round trip on each real one (dp/tcp/FEATURE.md) */
	c->frto = false;
	c->socket = -1;              /* SOCKET_ID_ANY */
}

static inline uint32_t
rd_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

/* The table's hash: SipHash-2-4 under the table key over the tuple's
 * own bytes (local address, remote address, local port, remote port, the
 * ports big-endian), 12 for IPv4 (not the 36 of the 16-byte form: two
 * blocks to compress instead of five, and every segment asks for it),
 * without a buffer to fill for IPv4 (tp_siphash24_12(): the same value,
 * test_tcp_seg checks it). */
static inline uint32_t
tuple_hash(const struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
	   uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	if (family != TCP_AF_IPV6) {
		uint64_t m = (uint64_t)rd_le32(laddr) | (uint64_t)rd_le32(raddr) << 32;
		uint32_t tail = (uint32_t)(lport >> 8) | (uint32_t)(lport & 0xff) << 8 |
				(uint32_t)(rport >> 8) << 16 | (uint32_t)(rport & 0xff) << 24;

		return (uint32_t)tp_siphash24_12((const uint8_t *)ts->hash_key, m, tail) +
		       family;
	}
	return (uint32_t)tcp_tuple_hash((const uint8_t *)ts->hash_key, laddr, lport, raddr,
					rport) + family;
}

static bool
conn_match(const struct tcp_conn *c, uint8_t family, const uint8_t *laddr,
	   uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	return c->lport == lport && c->rport == rport &&
	       ((c->flags & TCP_CF_V6) != 0) == (family == TCP_AF_IPV6) &&
	       memcmp(c->raddr, raddr, 16) == 0 && memcmp(c->laddr, laddr, 16) == 0;
}

/* Addresses are kept as 16 bytes: IPv4 in the first 4, zeros after. */
static void
addr16(uint8_t out[16], uint8_t family, const uint8_t *a)
{
	memset(out, 0, 16);
	memcpy(out, a, family == TCP_AF_IPV6 ? 16 : 4);
}

struct tcp_conn *
tcp_conn_lookup(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
		uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	bool v6 = family == TCP_AF_IPV6;
	uint8_t la[16], ra[16];
	uint32_t h, i, l4 = 0, r4 = 0;

	/* IPv4, every segment's case: the addresses as they came, compared
	 * as words (a TCB keeps an IPv4 address in its first 4 bytes and
	 * zeros after); IPv6 in the TCB's 16-byte form. */
	if (likely(!v6)) {
		l4 = rd_le32(laddr);
		r4 = rd_le32(raddr);
		h = tuple_hash(ts, family, laddr, lport, raddr, rport);
	} else {
		addr16(la, family, laddr);
		addr16(ra, family, raddr);
		h = tuple_hash(ts, family, la, lport, ra, rport);
	}
	for (i = h & ts->table_mask;; i = (i + 1) & ts->table_mask) {
		const struct tcp_table_ent *e = &ts->table[i];
		struct tcp_conn *c;

		if (e->slot1 == 0)
			return NULL;
		if (e->hash != h)
			continue;
		c = &ts->conns[e->slot1 - 1];
		if (likely(!v6) ? c->lport == lport && c->rport == rport &&
				  !(c->flags & TCP_CF_V6) && rd_le32(c->raddr) == r4 &&
				  rd_le32(c->laddr) == l4 :
				  conn_match(c, family, la, lport, ra, rport))
			return c;
	}
}

static void
table_insert(struct tcp_stack *ts, uint32_t h, uint32_t slot)
{
	uint32_t i = h & ts->table_mask;

	while (ts->table[i].slot1 != 0)
		i = (i + 1) & ts->table_mask;
	ts->table[i].hash = h;
	ts->table[i].slot1 = slot + 1;
}

/* Backward-shift deletion (Knuth 6.4 Algorithm R): move later entries of
 * the run into the hole when their home is not between hole and them. */
static void
table_remove(struct tcp_stack *ts, uint32_t h, uint32_t slot)
{
	uint32_t mask = ts->table_mask, i = h & mask, j;

	while (ts->table[i].slot1 != slot + 1)
		i = (i + 1) & mask;
	for (j = i;;) {
		uint32_t home;

		ts->table[i].slot1 = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (ts->table[j].slot1 == 0)
				return;
			home = ts->table[j].hash & mask;
			/* Keep j where it is if home lies cyclically in (i, j]. */
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		ts->table[i] = ts->table[j];
		i = j;
	}
}

/*
 * Per-source counts: the same open addressing as the connection table,
 * keyed by the remote address (SipHash, so a remote cannot aim at one
 * run), deletion by backward shift. At most one entry per connection.
 */
static uint32_t
src_hash(const struct tcp_stack *ts, uint8_t family, const uint8_t *addr)
{
	return (uint32_t)tp_siphash24((const uint8_t *)ts->hash_key, addr, 16) + family;
}

/* What counts as one source: an IPv4 address; an IPv6 address's first
 * conf.src_prefix6 bits (one subscriber gets a /64 and picks any address
 * of it for each connection: counted per address, one /64 could fill the
 * table). */
static void
src_key(const struct tcp_stack *ts, uint8_t family, const uint8_t *addr, uint8_t out[16])
{
	unsigned int plen = ts->conf.src_prefix6;

	memcpy(out, addr, 16);
	if (family != TCP_AF_IPV6 || plen == 0 || plen >= 128)
		return;
	if (plen % 8 != 0)
		out[plen / 8] &= (uint8_t)(0xffu << (8 - plen % 8));
	memset(out + (plen + 7) / 8, 0, 16 - (plen + 7) / 8);
}

static struct tcp_src_ent *
src_find(struct tcp_stack *ts, uint8_t family, const uint8_t *addr, bool add)
{
	uint32_t i;

	for (i = src_hash(ts, family, addr) & ts->src_mask;; i = (i + 1) & ts->src_mask) {
		struct tcp_src_ent *e = &ts->src[i];

		if (e->family == 0) {
			if (!add)
				return NULL;
			memcpy(e->addr, addr, 16);
			e->family = family;
			e->count = 0;
			return e;
		}
		if (e->family == family && memcmp(e->addr, addr, 16) == 0)
			return e;
	}
}

static void
src_remove(struct tcp_stack *ts, struct tcp_src_ent *e)
{
	uint32_t mask = ts->src_mask, i = (uint32_t)(e - ts->src), j = i;

	for (;;) {
		uint32_t home;

		ts->src[i].family = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (ts->src[j].family == 0)
				return;
			home = src_hash(ts, ts->src[j].family, ts->src[j].addr) & mask;
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		ts->src[i] = ts->src[j];
		i = j;
	}
}

bool
tcp_src_take(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint8_t family = (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4;
	struct tcp_src_ent *e;
	uint8_t k[16];

	if (ts->src == NULL)
		return true;
	src_key(ts, family, c->raddr, k);
	e = src_find(ts, family, k, true);
	if (e->count >= ts->conf.max_per_source) {
		if (e->count == 0)
			src_remove(ts, e);
		ts->ctr[TCP_CTR_SRC_LIMIT]++;
		return false;
	}
	e->count++;
	c->flags |= TCP_CF_SRC_COUNTED;
	return true;
}

static void
src_give(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint8_t family = (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4;
	struct tcp_src_ent *e;
	uint8_t k[16];

	src_key(ts, family, c->raddr, k);
	e = src_find(ts, family, k, false);
	if (e != NULL && --e->count == 0)
		src_remove(ts, e);
}

uint32_t
tcp_src_count(struct tcp_stack *ts, uint8_t family, const uint8_t *addr)
{
	uint8_t a[16];
	const struct tcp_src_ent *e;

	if (ts->src == NULL)
		return 0;
	addr16(a, family, addr);
	src_key(ts, family, a, a);
	e = src_find(ts, family, a, false);
	return e != NULL ? e->count : 0;
}

static void
tw_unlink(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t prev = c->cold.tw_prev, next = c->cold.tw_next;

	if (prev != 0)
		ts->conns[prev - 1].cold.tw_next = next;
	else
		ts->tw_head = next;
	if (next != 0)
		ts->conns[next - 1].cold.tw_prev = prev;
	else
		ts->tw_tail = prev;
	c->cold.tw_prev = c->cold.tw_next = 0;
	ts->ntw--;
}

/* Windows the worker's cap shut: a FIFO, so that room coming back
 * reopens them (tcp_api.c: cap_reopen()), oldest first, without a walk over
 * every connection. */
void
tcp_cap_shut_add(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t s1 = tcp_conn_slot(ts, c) + 1;

	if (c->flags & TCP_CF_CAP_SHUT)
		return;
	c->flags |= TCP_CF_CAP_SHUT;
	c->cold.cap_prev = ts->cap_tail;
	c->cold.cap_next = 0;
	if (ts->cap_tail != 0)
		ts->conns[ts->cap_tail - 1].cold.cap_next = s1;
	else
		ts->cap_head = s1;
	ts->cap_tail = s1;
}

void
tcp_cap_shut_del(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t prev = c->cold.cap_prev, next = c->cold.cap_next;

	if (!(c->flags & TCP_CF_CAP_SHUT))
		return;
	if (prev != 0)
		ts->conns[prev - 1].cold.cap_next = next;
	else
		ts->cap_head = next;
	if (next != 0)
		ts->conns[next - 1].cold.cap_prev = prev;
	else
		ts->cap_tail = prev;
	c->cold.cap_prev = c->cold.cap_next = 0;
	c->flags &= ~TCP_CF_CAP_SHUT;
}

static void
tw_recycle_oldest(struct tcp_stack *ts)
{
	struct tcp_conn *old = &ts->conns[ts->tw_head - 1];

	ts->ctr[TCP_CTR_TW_RECYCLED]++;
	tcp_conn_end(ts, old, TCP_REASON_TIME_WAIT_RECYCLED);
}

void
tcp_tw_enter(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t s1 = tcp_conn_slot(ts, c) + 1;

	c->state = TCP_ST_TIME_WAIT;
	/* Nor against its use's share: it is recycled when a slot is
	 * wanted (tcp_conn_alloc()) */
	if (c->flags & TCP_CF_USE_COUNTED) {
		ts->use_count[c->use]--;
		c->flags &= ~TCP_CF_USE_COUNTED;
	}
	/* A connection in TIME_WAIT no longer counts against its remote
	 * address (conf.max_per_source): TIME_WAIT is bounded for the whole
	 * stack (conf.max_time_wait, the oldest recycled), and counting it
	 * per source refused a client behind one address (a NAT, a firewall
	 * that passes only 443) that opened and closed more connections
	 * within 2 MSL than it may hold at once. */
	if (c->flags & TCP_CF_SRC_COUNTED) {
		src_give(ts, c);
		c->flags &= ~TCP_CF_SRC_COUNTED;
	}
	tcp_timer_clear(c, TCP_T_RXT);
	tcp_timer_clear(c, TCP_T_DELACK);
	tcp_timer_set(ts, c, TCP_T_KEEP, 2 * ts->conf.msl);
	if (c->cold.tw_prev != 0 || ts->tw_head == s1)
		return;                  /* already there (a FIN again) */
	if (ts->ntw >= ts->conf.max_time_wait && ts->tw_head != 0)
		tw_recycle_oldest(ts);
	c->cold.tw_prev = ts->tw_tail;
	c->cold.tw_next = 0;
	if (ts->tw_tail != 0)
		ts->conns[ts->tw_tail - 1].cold.tw_next = s1;
	else
		ts->tw_head = s1;
	ts->tw_tail = s1;
	ts->ntw++;
}

/* Whether use may take a slot: what is free (TIME_WAIT included, it is
 * recycled) beyond what the other uses' reserves still lack. */
static bool
use_may_take(const struct tcp_stack *ts, unsigned int use)
{
	uint64_t owed = 0;

	if (ts->nfree == 0 && ts->ntw == 0)
		return true;              /* (no slot at all: pool_full counts it) */
	for (unsigned int u = 1; u < TCP_MAX_USES; u++)
		if (u != use && ts->use_count[u] < ts->use_reserve[u])
			owed += ts->use_reserve[u] - ts->use_count[u];
	return (uint64_t)ts->nfree + ts->ntw > owed;
}

/* A half-open connection (SYN_RCVD) takes no slot once what its use may
 * take is down to a sixteenth of the pool (RFC 4987 §3.6's "cookies
 * when short"): the rest is kept for handshakes that completed. */
bool
tcp_conn_pool_short(const struct tcp_stack *ts, uint8_t app)
{
	unsigned int use = app < TCP_MAX_APPS ? ts->app_use[app] : 0;
	uint64_t room = (uint64_t)ts->nfree + ts->ntw, owed = 0;

	for (unsigned int u = 1; u < TCP_MAX_USES; u++)
		if (u != use && ts->use_count[u] < ts->use_reserve[u])
			owed += ts->use_reserve[u] - ts->use_count[u];
	room = room > owed ? room - owed : 0;
	return room <= ts->conf.max_conns / 16u;
}

struct tcp_conn *
tcp_conn_alloc(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr,
	       uint16_t lport, const uint8_t *raddr, uint16_t rport, uint8_t app)
{
	unsigned int use = app < TCP_MAX_APPS ? ts->app_use[app] : 0;
	struct tcp_conn *c;
	uint32_t slot, gen;

	if (!use_may_take(ts, use)) {
		ts->ctr[TCP_CTR_USE_FULL]++;
		return NULL;
	}
	if (ts->nfree == 0 && ts->tw_head != 0)
		tw_recycle_oldest(ts);
	if (ts->nfree == 0) {
		ts->ctr[TCP_CTR_POOL_FULL]++;
		return NULL;
	}
	slot = ts->free_slots[--ts->nfree];
	c = &ts->conns[slot];
	gen = c->gen + 1;
	if (gen == 0)
		gen = 1;
	memset(c, 0, sizeof(*c));
	c->gen = gen;
	addr16(c->laddr, family, laddr);
	addr16(c->raddr, family, raddr);
	c->lport = lport;
	c->rport = rport;
	if (family == TCP_AF_IPV6)
		c->flags |= TCP_CF_V6;
	c->state = TCP_ST_CLOSED;
	c->cc = ts->cc_default;
	c->use = (uint8_t)use;
	c->flags |= TCP_CF_USE_COUNTED;
	ts->use_count[use]++;
	tw_timer_init(&c->timer, tcp_timer_fn, ts);
	table_insert(ts, tuple_hash(ts, family, c->laddr, lport, c->raddr, rport), slot);
	c->flags |= TCP_CF_IN_TABLE;
	ts->nconns++;
	return c;
}

void
tcp_budget_leave(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct tcp_budget *b = c->cold.budget;

	if (b == NULL)
		return;
	tcp_budget_sub(ts, c, c->snd_queued + c->rcv_queued + c->cold.ooo_bytes,
		       c->cold.snd_segs + c->cold.rcv_segs + c->cold.ooo_segs);
	c->cold.budget = NULL;
	/* its last member gone: the application may free it */
	if (--b->nconns == 0 && b->wake != NULL)
		b->wake(b);
}

void
tcp_stack_forget_budgets(struct tcp_stack *ts)
{
	for (uint32_t i = 0; i < ts->conf.max_conns; i++)
		ts->conns[i].cold.budget = NULL;
}

void
tcp_conn_flush(struct tcp_stack *ts, struct tcp_conn *c)
{
	struct rte_mbuf *m, *n;

	ts->held -= (uint64_t)c->snd_queued + c->rcv_queued + c->cold.ooo_bytes;
	tcp_budget_leave(ts, c);
	for (m = c->snd_head; m != NULL; m = n) {
		n = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
	for (m = c->rcv_head; m != NULL; m = n) {
		n = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
	for (m = c->ooo_head; m != NULL; m = n) {
		n = m->next;
		m->next = NULL;
		rte_pktmbuf_free_seg(m);
	}
	c->snd_head = c->snd_tail = c->rcv_head = c->rcv_tail = c->ooo_head = NULL;
	c->cold.ooo_tail = NULL;
	c->snd_queued = c->rcv_queued = c->cold.ooo_bytes = 0;
	c->cold.ooo_segs = 0;
	c->cold.rcv_segs = 0;
	c->cold.snd_segs = 0;
}

void
tcp_conn_unhash(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint8_t family = (c->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4;

	if (!(c->flags & TCP_CF_IN_TABLE))
		return;
	table_remove(ts, tuple_hash(ts, family, c->laddr, c->lport, c->raddr, c->rport),
		     tcp_conn_slot(ts, c));
	c->flags &= ~TCP_CF_IN_TABLE;
	ts->nconns--;
}

static void
conn_free(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t slot = tcp_conn_slot(ts, c);

	tw_del(ts->wheel, &c->timer);
	tcp_conn_flush(ts, c);
	if (c->cold.tw_prev != 0 || ts->tw_head == slot + 1)
		tw_unlink(ts, c);
	tcp_cap_shut_del(ts, c);
	if (c->flags & TCP_CF_SRC_COUNTED)
		src_give(ts, c);
	if (c->flags & TCP_CF_USE_COUNTED)
		ts->use_count[c->use]--;
	if ((c->flags & TCP_CF_SYN_QUEUED) && ts->listeners[c->listener].nsyn > 0)
		ts->listeners[c->listener].nsyn--;
	tcp_conn_unhash(ts, c);
	c->flags = 0;
	c->state = TCP_ST_CLOSED;
	c->gen++;                        /* every old id is stale now */
	if (c->gen == 0)
		c->gen = 1;
	ts->free_slots[ts->nfree++] = slot;
}

void
tcp_conn_release(struct tcp_stack *ts, struct tcp_conn *c)
{
	if (c->flags & TCP_CF_DEAD)
		return;
	if (c->flags & TCP_CF_BUSY) {
		c->flags |= TCP_CF_DEAD;
		c->state = TCP_ST_CLOSED;
		tw_del(ts->wheel, &c->timer);
		return;
	}
	conn_free(ts, c);
}

void
tcp_conn_unbusy(struct tcp_stack *ts, struct tcp_conn *c)
{
	c->flags &= ~TCP_CF_BUSY;
	if (c->flags & TCP_CF_DEAD)
		conn_free(ts, c);
}

void
tcp_conn_end(struct tcp_stack *ts, struct tcp_conn *c, enum tcp_reason why)
{
	bool last_ack = c->state == TCP_ST_LAST_ACK && why == TCP_REASON_NORMAL;

	if (c->flags & TCP_CF_DEAD)
		return;
	ts->closes[why]++;
	c->state = TCP_ST_CLOSED;
	if ((c->flags & (TCP_CF_APP_KNOWS | TCP_CF_APP_GONE)) == TCP_CF_APP_KNOWS) {
		const struct tcp_app_ops *ops = ts->apps[c->app];

		c->flags |= TCP_CF_APP_GONE;
		if (ops->closed != NULL) {
			uint32_t busy = c->flags & TCP_CF_BUSY;

			/* The callback may call the API on c: keep it alive. */
			c->flags |= TCP_CF_BUSY | (last_ack ? TCP_CF_KEEP_OK : 0);
			ops->closed(ts, tcp_conn_id(ts, c), c->app_arg, why);
			c->flags = (c->flags & ~(TCP_CF_BUSY | TCP_CF_KEEP_OK)) | busy;
		}
	}
	if ((c->flags & (TCP_CF_KEPT | TCP_CF_DEAD)) == TCP_CF_KEPT) {
		ts->closes[why]--;       /* (counted when its application ends it) */
		tcp_conn_keep(ts, c);
		return;
	}
	tcp_conn_release(ts, c);
}

/*
 * tcp_keep_readable() inside closed(NORMAL): the application reads on
 * (what is left, then 0) and frees c itself (tcp_close(), tcp_abort()):
 * nothing else does. Off the TIME_WAIT FIFO (never recycled, nor taken by
 * a new SYN: RFC 6191's reuse skips it), so that its id, and what TLS
 * keeps by its slot, stay its application's. A passive close's (LAST_ACK
 * acknowledged) leaves the table now: no segment of it can matter; one in
 * TIME_WAIT stays there its 2 MSL (a FIN again is acknowledged), then
 * leaves it too.
 */
void
tcp_conn_keep(struct tcp_stack *ts, struct tcp_conn *c)
{
	uint32_t s1 = tcp_conn_slot(ts, c) + 1;

	if (c->cold.tw_prev != 0 || ts->tw_head == s1)
		tw_unlink(ts, c);
	if (c->state == TCP_ST_TIME_WAIT)
		return;
	c->state = TCP_ST_CLOSED;
	for (unsigned int t = 0; t < TCP_T__COUNT; t++)
		tcp_timer_clear(c, (enum tcp_timer)t);
	tw_del(ts->wheel, &c->timer);
	tcp_conn_unhash(ts, c);
}

void
tcp_conn_kept_end(struct tcp_stack *ts, struct tcp_conn *c)
{
	/* (closed inside its own closed() from LAST_ACK: counted already) */
	if (!((c->flags & TCP_CF_KEEP_OK) && c->state == TCP_ST_CLOSED))
		ts->closes[TCP_REASON_NORMAL]++;
	ts->ctr[TCP_CTR_KEPT_ENDED]++;
	c->flags = (c->flags & ~TCP_CF_KEPT) | TCP_CF_APP_GONE;
	tcp_conn_release(ts, c);
}

size_t
tcp_idle_conn_bytes(const struct tcp_stack *ts)
{
	size_t per_entry = sizeof(struct tcp_table_ent) +
			   (ts->src != NULL ? sizeof(struct tcp_src_ent) : 0);

	return sizeof(struct tcp_conn) + sizeof(uint32_t) +
	       per_entry * (size_t)(ts->table_mask + 1) / ts->conf.max_conns;
}

size_t
tcp_tcb_hot_bytes(void)
{
	return offsetof(struct tcp_conn, cold);
}

int
tcp_cc_register(struct tcp_stack *ts, const struct tcp_cc_ops *ops)
{
	if (ts->ncc >= TCP_MAX_CC)
		return -ENOSPC;
	ts->cc[ts->ncc] = ops;
	return (int)ts->ncc++;
}

struct tcp_stack *
tcp_stack_create(const struct tcp_conf *conf, struct tw_wheel *wheel,
		 const struct tcp_out_ops *out, void *out_arg,
		 struct rte_mempool *pool, uint64_t now_ms)
{
	struct tcp_stack *ts;
	uint32_t tsize = 1;
	int socket;
	static const uint8_t zero[16];

	if (conf == NULL || wheel == NULL || out == NULL || out->output == NULL ||
	    conf->cc > TCP_CC_CUBIC ||
	    pool == NULL || conf->max_conns == 0 || conf->max_conns >= TCP_MAX_CONNS ||
	    conf->mss4 < 64 || conf->mss6 < 64 || conf->rcv_buf == 0 ||
	    conf->snd_buf == 0 || conf->rcv_max_segs == 0 || conf->rcv_max_segs > 65535) {
		errno = EINVAL;
		return NULL;
	}
	socket = conf->socket;
	while (tsize < 2 * conf->max_conns)
		tsize <<= 1;
	ts = rte_zmalloc_socket("tcp_stack", sizeof(*ts), 64, socket);
	if (ts == NULL)
		goto fail;
	ts->conf = *conf;
	ts->conns = rte_zmalloc_socket("tcp_conns",
				       sizeof(struct tcp_conn) * conf->max_conns,
				       64, socket);
	if (ts->conns == NULL)
		goto out_free_stack;
	ts->free_slots = rte_malloc_socket("tcp_free",
					   sizeof(uint32_t) * conf->max_conns, 64, socket);
	if (ts->free_slots == NULL)
		goto out_free_conns;
	ts->table = rte_zmalloc_socket("tcp_table",
				       sizeof(struct tcp_table_ent) * tsize, 64, socket);
	if (ts->table == NULL)
		goto out_free_slots;
	ts->table_mask = tsize - 1;
	if (conf->max_per_source != 0) {
		ts->src = rte_zmalloc_socket("tcp_src", sizeof(struct tcp_src_ent) * tsize,
					     64, socket);
		if (ts->src == NULL)
			goto out_free_table;
		ts->src_mask = tsize - 1;
	}
	/* Lowest slots first: a fresh stack hands out 0, 1, 2... */
	for (uint32_t i = 0; i < conf->max_conns; i++)
		ts->free_slots[i] = conf->max_conns - 1 - i;
	ts->nfree = conf->max_conns;
	ts->wheel = wheel;
	ts->out = out;
	ts->out_arg = out_arg;
	ts->pool = pool;
	ts->now = now_ms;
	ts->tick_ms = now_ms;
	ts->pool_free = pool != NULL ? rte_mempool_avail_count(pool) : 0;
	if (memcmp(conf->isn_key, zero, 16) != 0) {
		memcpy(ts->isn_key, conf->isn_key, 16);
		/* A derived table key: tests with a fixed key stay repeatable. */
		ts->hash_key[0] = tp_siphash24(conf->isn_key, "table0", 6);
		ts->hash_key[1] = tp_siphash24(conf->isn_key, "table1", 6);
	} else if (getrandom(ts->isn_key, 16, 0) != 16 ||
		   getrandom(ts->hash_key, 16, 0) != 16) {
		goto out_free_table;
	}
	tcp_cc_register(ts, &tcp_cc_newreno);
	tcp_cc_register(ts, &tcp_cc_cubic);
	ts->cc_default = conf->cc < ts->ncc ? conf->cc : TCP_CC_NEWRENO;
	return ts;

out_free_table:
	rte_free(ts->src);
	rte_free(ts->table);
out_free_slots:
	rte_free(ts->free_slots);
out_free_conns:
	rte_free(ts->conns);
out_free_stack:
	rte_free(ts);
fail:
	errno = errno != 0 ? errno : ENOMEM;
	return NULL;
}

void
tcp_stack_free(struct tcp_stack *ts)
{
	if (ts == NULL)
		return;
	for (uint32_t i = 0; i < ts->conf.max_conns; i++) {
		struct tcp_conn *c = &ts->conns[i];

		if (c->flags & (TCP_CF_IN_TABLE | TCP_CF_KEPT)) {
			c->flags &= ~(TCP_CF_BUSY | TCP_CF_DEAD);
			conn_free(ts, c);
		}
	}
	rte_free(ts->src);
	rte_free(ts->table);
	rte_free(ts->free_slots);
	rte_free(ts->conns);
	rte_free(ts);
}

/*
 * Moving a connection between two stacks of one process (two workers):
 * the TCB by value, its queues (mbufs) with it; the timer is the one
 * thing that cannot travel (it is linked into the old worker's wheel),
 * so its deadlines do (t_due, on the clock every worker shares) and the
 * new stack arms its own. Only an ESTABLISHED connection that no input
 * or timer is inside of moves.
 */
int
tcp_conn_export(struct tcp_stack *ts, tcp_id_t id, struct tcp_conn *out)
{
	struct tcp_conn *c = tcp_conn_get(ts, id);

	if (c == NULL)
		return -ENOTCONN;
	/* (CLOSE_WAIT: a peer that sent its data and its FIN before the
	 * move; its EOF goes with it) */
	if ((c->state != TCP_ST_ESTABLISHED && c->state != TCP_ST_CLOSE_WAIT) ||
	    (c->flags & (TCP_CF_BUSY | TCP_CF_DEAD | TCP_CF_APP_GONE)))
		return -EBUSY;
	tcp_budget_leave(ts, c);          /* (the application's, this worker's) */
	*out = *c;
	memset(&out->timer, 0, sizeof(out->timer));
	out->flags &= ~(TCP_CF_IN_TABLE | TCP_CF_SRC_COUNTED | TCP_CF_SYN_QUEUED |
			TCP_CF_BUSY | TCP_CF_DEAD | TCP_CF_CAP_SHUT | TCP_CF_USE_COUNTED);
	out->cold.cap_prev = out->cold.cap_next = 0;
	/* the queues went with the copy: nothing of them is freed here */
	ts->held -= (uint64_t)c->snd_queued + c->rcv_queued + c->cold.ooo_bytes;
	c->snd_head = c->snd_tail = c->rcv_head = c->rcv_tail = c->ooo_head = NULL;
	c->cold.ooo_tail = NULL;
	c->snd_queued = c->rcv_queued = c->cold.ooo_bytes = 0;
	c->cold.ooo_segs = c->cold.rcv_segs = 0;
	c->cold.snd_segs = 0;
	ts->ctr[TCP_CTR_MOVED_OUT]++;
	conn_free(ts, c);
	return 0;
}

void
tcp_conn_export_free(struct tcp_conn *c)
{
	struct rte_mbuf *heads[3] = { c->snd_head, c->rcv_head, c->ooo_head }, *m, *n;

	for (unsigned int k = 0; k < 3; k++)
		for (m = heads[k]; m != NULL; m = n) {
			n = m->next;
			m->next = NULL;
			rte_pktmbuf_free_seg(m);
		}
	c->snd_head = c->snd_tail = c->rcv_head = c->rcv_tail = c->ooo_head = NULL;
	c->cold.ooo_tail = NULL;
	c->snd_queued = c->rcv_queued = c->cold.ooo_bytes = 0;
}

int
tcp_conn_import(struct tcp_stack *ts, const struct tcp_conn *in, int app, void *arg,
		tcp_id_t *id)
{
	uint8_t family = (in->flags & TCP_CF_V6) ? TCP_AF_IPV6 : TCP_AF_IPV4;
	struct tw_timer timer;
	struct tcp_conn *c;
	uint64_t first = UINT64_MAX;
	uint32_t gen;
	uint8_t use;

	if (app < 0 || (unsigned int)app >= ts->napps || in->cc >= ts->ncc ||
	    (in->state != TCP_ST_ESTABLISHED && in->state != TCP_ST_CLOSE_WAIT))
		return -EINVAL;
	if (tcp_conn_lookup(ts, family, in->laddr, in->lport, in->raddr, in->rport) != NULL)
		return -EADDRINUSE;
	c = tcp_conn_alloc(ts, family, in->laddr, in->lport, in->raddr, in->rport,
			   (uint8_t)app);
	if (c == NULL)
		return -ENOBUFS;
	gen = c->gen;
	timer = c->timer;
	use = c->use;
	*c = *in;
	c->gen = gen;
	c->timer = timer;
	c->use = use;                     /* (counted in app's use by the alloc) */
	c->flags = (in->flags & ~(TCP_CF_BUSY | TCP_CF_DEAD | TCP_CF_APP_GONE |
				  TCP_CF_CAP_SHUT)) |
		   TCP_CF_IN_TABLE | TCP_CF_APP_KNOWS | TCP_CF_USE_COUNTED;
	c->app = (uint8_t)app;
	c->app_arg = arg;
	c->cold.tw_prev = c->cold.tw_next = 0;
	c->cold.cap_prev = c->cold.cap_next = 0;
	c->cold.budget = NULL;
	ts->held += (uint64_t)c->snd_queued + c->rcv_queued + c->cold.ooo_bytes;
	tcp_cap_check(ts, c, tcp_rcv_adv_wnd(c));   /* (shut on the worker before) */
	/* its deadlines as they were (a past one fires at the next tick) */
	for (unsigned int t = 0; t < TCP_T__COUNT; t++) {
		uint64_t due;

		if (!((c->t_armed >> t) & 1u))
			continue;
		due = ts->now + (uint64_t)(int64_t)(int32_t)(c->t_due[t] - (uint32_t)ts->now);
		if ((int32_t)(c->t_due[t] - (uint32_t)ts->now) < 0)
			due = ts->now;
		if (due < first)
			first = due;
	}
	if (first != UINT64_MAX)
		tw_add(ts->wheel, &c->timer, first);
	ts->ctr[TCP_CTR_MOVED_IN]++;
	*id = tcp_conn_id(ts, c);
	return 0;
}

struct tcp_conn *
tcp_conn_get(struct tcp_stack *ts, tcp_id_t id)
{
	uint32_t slot = TCP_ID_SLOT(id);
	struct tcp_conn *c;

	if (id == 0 || TCP_ID_WORKER(id) != ts->conf.worker ||
	    slot >= ts->conf.max_conns)
		return NULL;
	c = &ts->conns[slot];
	if (c->gen != TCP_ID_GEN(id) || !(c->flags & (TCP_CF_IN_TABLE | TCP_CF_KEPT)) ||
	    (c->flags & TCP_CF_DEAD))
		return NULL;
	return c;
}
