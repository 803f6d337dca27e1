/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's tables, per worker, sized at start: the allocation slots (hot
 * and cold parts) and the client 5-tuple hash (tp_conf_worker_allocs()
 * entries, with an extendable bucket table so that an insert never fails
 * below that), and for the peer side one slot table per relayed address
 * indexed by port. A peer datagram finds its allocation with one table
 * read: the network layer already knows which relayed address it was sent
 * to, and (address, port) indexes the table. Here: creating them,
 * installing and removing an allocation, and finding a relayed address.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_net_crc.h>
#include <rte_random.h>

#include "../dp.h"
#include "ipc.h"
#include "nonce.h"
#include "tp_conf.h"
#include "turn_inlines.h"
#include "turn_tt.h"

/* ---- overflow blocks and usernames (control path: cp's messages) ----- */

/*
 * Both grow with what the allocations use, in plain memory (malloc(): no
 * hugepage is reserved for them at start, and none is taken from the
 * worker's loop, where growing DPDK's heap could meet the memif
 * interrupt thread's lock, dp/main.c), a chunk of blocks or one name at
 * a time, on cp's messages only, never per packet.
 */
int
turn_bindings_init(struct turn_worker *t, uint32_t cap)
{
	uint32_t heads = 64;

	memset(&t->ovf, 0, sizeof(t->ovf));
	memset(&t->users, 0, sizeof(t->users));
	t->ovf.max_chunks = (uint32_t)(((uint64_t)cap * TURN_OVF_BLOCKS + TURN_OVF_CHUNK - 1) /
				       TURN_OVF_CHUNK);
	t->ovf.chunk = calloc(t->ovf.max_chunks > 0 ? t->ovf.max_chunks : 1,
			      sizeof(*t->ovf.chunk));
	while (heads < cap / 4)
		heads <<= 1;
	t->users.heads = calloc(heads, sizeof(*t->users.heads));
	t->users.mask = heads - 1;
	if (t->ovf.chunk == NULL || t->users.heads == NULL) {
		turn_bindings_free(t);
		return -ENOMEM;
	}
	return 0;
}

void
turn_bindings_free(struct turn_worker *t)
{
	if (t->ovf.chunk != NULL)
		for (uint32_t i = 0; i < t->ovf.nchunks; i++)
			free(t->ovf.chunk[i]);
	free(t->ovf.chunk);
	if (t->users.heads != NULL)
		for (uint32_t b = 0; b <= t->users.mask; b++) {
			struct turn_user *u = t->users.heads[b], *next;

			for (; u != NULL; u = next) {
				next = u->next;
				free(u);
			}
		}
	free(t->users.heads);
	memset(&t->ovf, 0, sizeof(t->ovf));
	memset(&t->users, 0, sizeof(t->users));
}

/* A zeroed overflow block's id, or 0 (counted) without memory. */
static uint32_t
ovf_get(struct turn_worker *t)
{
	struct turn_ovf_pool *p = &t->ovf;
	uint32_t id = p->free;

	if (id == 0) {
		struct turn_ovf *c;
		uint32_t base = p->nchunks * TURN_OVF_CHUNK;

		if (p->nchunks == p->max_chunks ||
		    (c = malloc(sizeof(*c) * TURN_OVF_CHUNK)) == NULL) {
			p->nomem++;
			return 0;
		}
		/* the new blocks on the free list, each naming the next */
		for (uint32_t i = 0; i < TURN_OVF_CHUNK; i++) {
			uint32_t next = i + 1 < TURN_OVF_CHUNK ? base + i + 2 : 0;

			memcpy(&c[i], &next, sizeof(next));
		}
		p->chunk[p->nchunks++] = c;
		id = base + 1;
	}
	memcpy(&p->free, turn_ovf_block(t, id), sizeof(p->free));
	memset(turn_ovf_block(t, id), 0, sizeof(struct turn_ovf));
	p->used++;
	return id;
}

static void
ovf_put(struct turn_worker *t, uint32_t id)
{
	memcpy(turn_ovf_block(t, id), &t->ovf.free, sizeof(t->ovf.free));
	t->ovf.free = id;
	t->ovf.used--;
}

static uint32_t
user_hash(const struct turn_users *us, const char *name, uint16_t len)
{
	uint32_t h = 2166136261u ^ us->seed;

	for (uint16_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;   /* FNV-1a */
	return h;
}

bool
turn_user_set(struct turn_worker *t, struct turn_alloc *a, const char *name, uint16_t len)
{
	struct turn_users *us = &t->users;
	uint32_t h = user_hash(us, name, len);
	struct turn_user **head = &us->heads[h & us->mask], *u;

	for (u = *head; u != NULL; u = u->next)
		if (u->hash == h && u->len == len && memcmp(u->name, name, len) == 0)
			break;
	if (u == NULL) {
		u = malloc(sizeof(*u) + len);
		if (u == NULL) {
			us->nomem++;
			a->user = NULL;
			return false;
		}
		u->refs = 0;
		u->hash = h;
		u->len = len;
		memcpy(u->name, name, len);
		u->next = *head;
		*head = u;
		us->n++;
	}
	u->refs++;
	a->user = u;
	return true;
}

static void
user_put(struct turn_worker *t, struct turn_user *u)
{
	struct turn_user **pp;

	if (u == NULL || --u->refs > 0)
		return;
	for (pp = &t->users.heads[u->hash & t->users.mask]; *pp != u; pp = &(*pp)->next)
		;
	*pp = u->next;
	free(u);
	t->users.n--;
}

/* What a holds beside its slot: its username and overflow blocks. */
static void
alloc_release(struct turn_worker *t, struct turn_alloc *a)
{
	user_put(t, a->user);
	a->user = NULL;
	for (unsigned int k = 0; k < TURN_OVF_BLOCKS; k++)
		if (a->ovf[k] != 0) {
			ovf_put(t, a->ovf[k]);
			a->ovf[k] = 0;
		}
}

/* turn_key_from() hashes register values instead of the stored key: check at
 * start that this is what rte_hash computes over the key itself. */
int
turn_key_hash_selfcheck(void)
{
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4,
					 5, 6, 7, 8, 9, 10, 11, 12 };
	union turn_keyu k;
	uint32_t h4 = turn_key_from(&k, STUN_TRANSPORT_UDP, 0, NET_AF_IPV4, 1, ip6,
				     40000, 3478);

	if (h4 != rte_hash_crc(&k, sizeof(k), 0) || k.k.client_port != 40000 ||
	    k.k.server_port != 3478 || k.k.in_port != 1 ||
	    memcmp(k.k.client_ip, ip6, 4) != 0)
		return -EINVAL;
	if (turn_key_from(&k, STUN_TRANSPORT_TCP, 7, NET_AF_IPV6, 2, ip6, 1, 2) !=
	    rte_hash_crc(&k, sizeof(k), 0) || k.k.conn_id != 7 ||
	    memcmp(k.k.client_ip, ip6, 16) != 0 || k.k.family != NET_AF_IPV6)
		return -EINVAL;
	return 0;
}

/* FINGERPRINT's CRC-32 for lib/nonce's challenges (RFC 8489 §14.7):
 * DPDK's (PCLMULQDQ or AVX-512), which rte_net_crc_set_alg() chose at
 * start; the same value as zlib's crc32(). */
static uint32_t
fp_crc32(const uint8_t *buf, size_t len)
{
	return rte_net_crc_calc(buf, (uint32_t)len, RTE_NET_CRC32_ETH);
}

/* k's slot: the one it has, or a free one (turn_tt.c); -ENOSPC when
 * every slot is taken. */
static int
tt_add(struct turn_worker *t, const union turn_keyu *k, uint32_t h)
{
	int pos = turn_tt_lookup(t, k, h);
	uint32_t slot;

	if (pos >= 0)
		return pos;
	if (turn_tt_slot_get(&t->tt, &slot) < 0)
		return -ENOSPC;
	turn_tt_insert(&t->tt, h, slot);
	return (int)slot;
}

/* The tables as big as cap in one region of the worker's, zeroed: on 1 GB
 * pages when they are big and the box has one free (else DPDK's heap
 * grows from 2 MB ones: RTE_MEMZONE_SIZE_HINT_ONLY), on its 2 MB pages
 * otherwise. */
static int
tables_region(struct dp_worker *w, uint32_t cap, uint32_t ntbl, uint32_t span, int socket)
{
	struct turn_worker *t = w->turn;
	const size_t cl = RTE_CACHE_LINE_SIZE;
	size_t sz_tt = turn_tt_bytes(cap);
	size_t sz_allocs = RTE_ALIGN_CEIL(sizeof(*t->allocs) * cap, cl);
	size_t sz_relay = RTE_ALIGN_CEIL(sizeof(uint32_t) * span * (ntbl > 0 ? ntbl : 1), cl);
	size_t sz_live = RTE_ALIGN_CEIL(sizeof(uint32_t) * (cap ? cap : 1), cl);
	size_t sz_ms = RTE_ALIGN_CEIL(sizeof(uint64_t) * (cap ? cap : 1), cl);
	size_t len = sz_tt + sz_allocs + sz_relay + 2 * sz_live + 2 * sz_ms;
	unsigned int flags = len >= TURN_TABLES_1G_MIN ?
			     RTE_MEMZONE_1GB | RTE_MEMZONE_SIZE_HINT_ONLY : 0;
	char name[RTE_MEMZONE_NAMESIZE];
	uint8_t *p;

	snprintf(name, sizeof(name), "turn_tables_%u", w->id);
	t->tables_mz = rte_memzone_reserve_aligned(name, len, socket, flags, cl);
	if (t->tables_mz == NULL)
		return -ENOMEM;
	t->tables_page_sz = t->tables_mz->hugepage_sz;
	p = t->tables_mz->addr;
	/* (memory the heap had before may not be zero) */
	memset(p, 0, len);
	turn_tt_init_at(&t->tt, cap, p);
	p += sz_tt;
	t->allocs = (struct turn_alloc *)p;
	p += sz_allocs;
	t->by_relay = (uint32_t *)p;
	p += sz_relay;
	t->live.slot = (uint32_t *)p;
	p += sz_live;
	t->live.pos = (uint32_t *)p;
	p += sz_live;
	t->expires = (uint64_t *)p;
	p += sz_ms;
	t->created = (uint64_t *)p;
	return 0;
}

/* A worker's tables out: the region and the rest. */
void
turn_worker_tables_free(struct turn_worker *t)
{
	turn_tt_free(&t->tt);
	if (t->tables_mz != NULL) {
		t->allocs = NULL;
		t->by_relay = NULL;
		t->live.slot = NULL;
		t->live.pos = NULL;
		t->expires = NULL;
		t->created = NULL;
		rte_memzone_free(t->tables_mz);
		t->tables_mz = NULL;
	}
	rte_free(t->allocs);
	rte_free(t->by_relay);
	rte_free(t->live.slot);
	rte_free(t->live.pos);
	rte_free(t->expires);
	rte_free(t->created);
	free(t->bw);
	t->bw = NULL;
	t->nbw = 0;
}

/* Slot pos's bandwidth limit as cp gave it (rate 0: none; burst 0: a
 * second's). The same allocation installed again keeps what its buckets
 * hold (police_set()): a reinstall grants no new burst. */
void
turn_bw_set(struct turn_worker *t, uint32_t pos, bool same, uint32_t rate, uint32_t burst)
{
	struct turn_bw *b;

	if (t->bw == NULL) {
		void *p = NULL;

		if (rate == 0)
			return;
		/* (cp's message, never a packet: as the overflow blocks) */
		if (posix_memalign(&p, 64, (size_t)t->cap * sizeof(*t->bw)) != 0 || p == NULL) {
			t->bw_nomem++;
			return;
		}
		memset(p, 0, (size_t)t->cap * sizeof(*t->bw));
		t->bw = p;
	}
	b = &t->bw[pos];
	/* (counted before a new allocation's slot is wiped: the one before
	 * it in the slot may have had a limit) */
	if ((b->pol[0].rate != 0) != (rate != 0)) {
		if (rate != 0)
			t->nbw++;
		else
			t->nbw--;
	}
	if (!same)
		memset(b, 0, sizeof(*b));
	if (rate != 0 && burst == 0)
		burst = rate;
	for (unsigned int d = 0; d < 2; d++)
		police_set(&b->pol[d], rate, burst, t->now_ms);
}

/* One worker's tables; *bytes gets the memory they took. */
int
turn_worker_tables(struct dp_worker *w, uint32_t cap, uint32_t ntbl, uint32_t span,
	      size_t *bytes)
{
	struct turn_worker *t = w->turn;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct rte_malloc_socket_stats before, after;

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	rte_malloc_get_socket_stats(socket, &before);
	if (tables_region(w, cap, ntbl, span, socket) < 0)
		return -ENOMEM;
	t->live.n = 0;
	{
		/* a slot for every allocation removed between two flushes,
		 * up to 16384 (a mass removal beyond it loses the rest's,
		 * counted: cp then writes the last counters it had) */
		uint32_t fcap = 64;

		while (fcap < cap && fcap < 16384u)
			fcap <<= 1;
		t->final_mem = rte_zmalloc_socket("turn_final",
			ipc_backlog_size(fcap, sizeof(struct ipc_alloc_stats), false),
			RTE_CACHE_LINE_SIZE, socket);
		if (t->final_mem == NULL ||
		    ipc_backlog_setup(&t->final, t->final_mem, fcap,
				      sizeof(struct ipc_alloc_stats), false) < 0)
			return -ENOMEM;
		/* whole end reports: 712 bytes each (the username's
		 * room), so far fewer; a removal finding it full sends the
		 * STATS_FINAL */
		fcap = 64;
		while (fcap < cap && fcap < TURN_ENDS_MAX)
			fcap <<= 1;
		t->ends_mem = rte_zmalloc_socket("turn_ends",
			ipc_backlog_size(fcap, sizeof(struct ipc_alloc_end), true),
			RTE_CACHE_LINE_SIZE, socket);
		if (t->ends_mem == NULL ||
		    ipc_backlog_setup(&t->ends, t->ends_mem, fcap,
				      sizeof(struct ipc_alloc_end), true) < 0)
			return -ENOMEM;
	}
	t->admit = rte_malloc_socket("turn_admit", sizeof(*t->admit),
				     RTE_CACHE_LINE_SIZE, socket);
	if (t->admit == NULL || turn_bindings_init(t, cap) < 0 ||
	    nonce_ctx_init(&t->nonce) < 0)
		return -ENOMEM;
	if (w->ctx->conf->tenants.n > 0) {
		t->tnonce = rte_zmalloc_socket("turn_tnonce",
					       w->ctx->conf->tenants.n * sizeof(*t->tnonce),
					       RTE_CACHE_LINE_SIZE, socket);
		if (t->tnonce == NULL)
			return -ENOMEM;
		for (; t->ntnonce < w->ctx->conf->tenants.n; t->ntnonce++) {
			if (nonce_ctx_init(&t->tnonce[t->ntnonce]) < 0)
				return -ENOMEM;
			t->tnonce[t->ntnonce].crc32 = fp_crc32;
			t->tnonce[t->ntnonce].salt = (uint32_t)rte_rand();
		}
	}
	t->users.seed = (uint32_t)rte_rand();
	{
		/* (tests: a guard that does not wait a minute) */
		const char *g = getenv("TP_DP_TEST_EXPIRE_GRACE_MS");

		t->expire_grace_ms = g != NULL ? strtoull(g, NULL, 10) : 60000u;
	}
	{
		const struct tp_conf *c = w->ctx->conf;
		uint64_t key[2] = { rte_rand(), rte_rand() };
		uint32_t nw = w->ctx->nworkers > 0 ? w->ctx->nworkers : 1;
		/* cp.challenge_rate bounds what one source can have reflected
		 * at it by the box; RSS spreads a spoofer's source ports over
		 * every worker, so each worker's buckets hold its share. */
		struct turn_admit_conf ac = {
			.admit_rate = c->turn.admit_rate,
			.admit_burst = c->turn.admit_burst,
			.challenge_rate = (c->cp.challenge_rate + nw - 1) / nw,
			.challenge_burst = (c->cp.challenge_burst + nw - 1) / nw,
		};

		turn_admit_init(t->admit, &ac, (const uint8_t *)key);
	}
	/* Keyed from cp's block once a cp serves (turn_cp_seen()); the salt a
	 * counter of the worker's own, FINGERPRINT by DPDK's CRC. */
	t->nonce.salt = (uint32_t)rte_rand();
	t->nonce.crc32 = fp_crc32;
	t->nonce_ok = false;
	t->nonce_epoch = 0;
	rte_malloc_get_socket_stats(socket, &after);
	*bytes = after.heap_allocsz_bytes > before.heap_allocsz_bytes ?
		 after.heap_allocsz_bytes - before.heap_allocsz_bytes : 0;
	t->cap = cap;
	return 0;
}

/*
 * The index of ip among the family's relayed addresses, -1 when it is not
 * one (control path: ALLOC_ADD, ICMP errors). Only the family's relay port
 * carries them.
 */
int
turn_relay_index(const struct dp_ctx *ctx, uint8_t family, const uint8_t *ip)
{
	for (unsigned int i = 0; i < ctx->nports; i++) {
		const struct dp_port *p = &ctx->ports[i];
		bool own;
		int idx = -1;

		if (family == NET_AF_IPV4 && p->nrelay4 > 0)
			return dp_local4(p, ip, &own, &idx) ? idx : -1;
		if (family == NET_AF_IPV6 && p->nrelay6 > 0)
			return dp_local6(p, ip, &own, &idx) ? idx : -1;
	}
	return -1;
}

/* Point a's relayed transport addresses at slot pos (on), or clear those
 * that still point at it. */
void
turn_relay_hook(struct turn_worker *t, const struct turn_alloc *a, uint32_t pos,
	   bool on)
{
	for (unsigned int i = 0; i < a->nrelayed; i++) {
		uint32_t *slot = turn_relay_slot(t, a->relay_tbl[i], a->relay_port);

		if (on)
			*slot = pos + 1;
		else if (*slot == pos + 1)
			*slot = 0;
	}
}

static uint32_t
turn_key_of_alloc(union turn_keyu *k, const struct turn_alloc *a)
{
	return turn_key_from(k, turn_alloc_transport(a), a->conn_id, a->client.family,
			     turn_alloc_in_port(a), a->client.ip,
			a->client.port, a->server.port);
}

/* The whole allocation as it goes (ALLOC_END): whichever cp gets it can
 * write its usage record, one that never knew it included (it ended while
 * none served). false when the backlog is full. */
static bool
end_report(struct turn_worker *t, const struct turn_alloc *a, unsigned int reason)
{
	struct ipc_alloc_end *e;
	struct ipc_tuple tu;

	memset(&tu, 0, sizeof(tu));
	tu.transport = turn_alloc_transport(a);
	tu.conn_id = a->conn_id;
	tu.in_port = turn_alloc_in_port(a);
	tu.client = a->client;
	tu.server = a->server;
	e = ipc_backlog_reserve(&t->ends, IPC_ALLOC_END, a->id, &tu, sizeof(*e));
	if (e == NULL)
		return false;
	memcpy(e->c, a->stats, sizeof(e->c));
	e->created_ms = t->created[a - t->allocs];
	e->max_bps = t->bw != NULL ? t->bw[a - t->allocs].pol[0].rate : 0;
	e->ended_ms = t->now_ms;
	e->nrelayed = a->nrelayed;
	for (unsigned int i = 0; i < a->nrelayed && i < 2; i++) {
		e->relayed[i] = t->relay_addr[a->relay_tbl[i]];
		e->relayed[i].port = a->relay_port;
	}
	e->reason = (uint8_t)reason;
	e->flags = (a->relay_tcp ? IPC_ALLOC_F_TCP : 0) | (a->mobile ? IPC_ALLOC_F_MOBILE : 0);
	if (a->user != NULL) {
		e->user_len = a->user->len;
		memcpy(e->username, a->user->name, a->user->len);
	}
	ipc_backlog_commit(&t->ends);
	return true;
}

void
turn_alloc_remove(struct turn_worker *t, struct turn_alloc *a, unsigned int reason)
{
	union turn_keyu k;
	uint32_t h = turn_key_of_alloc(&k, a);

	turn_tt_remove(&t->tt, h, (uint32_t)(a - t->allocs));
	if (a->tcp_head != 0 && t->tcp_gone != NULL)
		t->tcp_gone(t, a);            /* RFC 6062 §5.5 */
	turn_relay_hook(t, a, (uint32_t)(a - t->allocs), false);
	for (unsigned int i = 0; i < TURN_STAT__COUNT; i++)
		t->ctr[i] += a->stats[i];
	if (!end_report(t, a, reason)) {
		struct ipc_alloc_stats *st = ipc_backlog_reserve(&t->final, IPC_STATS_FINAL,
								 a->id, NULL, sizeof(*st));

		if (st != NULL) {
			st->alloc_id = a->id;
			memcpy(st->c, a->stats, sizeof(st->c));
			ipc_backlog_commit(&t->final);
		}
	}
	alloc_release(t, a);
	turn_li_untap(t, a);
	if (t->bw != NULL) {
		turn_bw_set(t, (uint32_t)(a - t->allocs), true, 0, 0);
		memset(&t->bw[a - t->allocs], 0, sizeof(*t->bw));
	}
	memset(a, 0, sizeof(*a));
	t->expires[a - t->allocs] = 0;
	t->created[a - t->allocs] = 0;
	turn_live_del(&t->live, (uint32_t)(a - t->allocs));
	t->nallocs = t->live.n;
}

/* The table half of ALLOC_ADD: msg's allocation in the slot its client
 * tuple hashes to (a new slot, or the one it had: installed again), its
 * relayed transport addresses pointed at it (tbl: their by_relay tables,
 * checked by the caller). NULL when every slot is taken (counted). */
struct turn_alloc *
turn_alloc_install(struct turn_worker *t, const struct ipc_msg *msg,
		   const uint8_t tbl[2])
{
	const struct ipc_tuple *tu = &msg->h.tuple;
	const struct ipc_alloc *ia = (const struct ipc_alloc *)msg->body;
	union turn_keyu k;
	struct turn_alloc *a;
	uint32_t tcp_head = 0;
	bool same = false;
	int pos;

	pos = tt_add(t, &k, turn_key_from(&k, tu->transport, tu->conn_id, tu->client.family,
					  tu->in_port, tu->client.ip, tu->client.port,
					  tu->server.port));
	if (pos < 0) {
		/* every slot taken (cp keeps a worker below that) */
		t->alloc_table_full++;
		return NULL;
	}
	a = &t->allocs[pos];
	if (a->id == 0) {
		turn_live_add(&t->live, (uint32_t)pos);
		t->nallocs = t->live.n;
	} else {
		/* installed again: its peer connections stay, unless it is
		 * another allocation now */
		if (a->id == msg->h.alloc_id) {
			tcp_head = a->tcp_head;
			same = true;
		}
		else if (a->tcp_head != 0 && t->tcp_gone != NULL)
			t->tcp_gone(t, a);
		turn_relay_hook(t, a, (uint32_t)pos, false);
		alloc_release(t, a);
		/* a tap is cp's to give again (ALLOC_TAP after ALLOC_ADD) */
		turn_li_untap(t, a);
	}
	memset(a, 0, sizeof(*a));
	a->tcp_head = tcp_head;
	a->relay_tcp = (ia->flags & IPC_ALLOC_F_TCP) != 0;
	a->mobile = (ia->flags & IPC_ALLOC_F_MOBILE) != 0;
	a->id = msg->h.alloc_id;
	a->conn_id = tu->conn_id;
	a->client = tu->client;
	a->server = tu->server;
	turn_alloc_key_set(a, tu->in_port);
	a->nrelayed = ia->nrelayed;
	a->relay_tbl[0] = tbl[0];
	a->relay_tbl[1] = tbl[1];
	a->relay_port = ia->relayed[0].port;
	t->expires[pos] = ia->expires_ms;
	t->created[pos] = ia->created_ms;
	turn_bw_set(t, (uint32_t)pos, same, ia->max_bps, ia->max_bps_burst);
	/* the username for a restarted cp (the key is not kept: nobody
	 * needs it back) */
	turn_user_set(t, a, ia->username,
		      (uint16_t)(ia->user_len < IPC_USER_MAX ? ia->user_len : IPC_USER_MAX));
	turn_relay_hook(t, a, (uint32_t)pos, true);
	return a;
}

/*
 * RFC 8016: a moves to the client tuple to (UDP, checked by the caller):
 * its slot, relayed addresses, permissions, channels and counters stay;
 * only the tuple table's entry changes, so the old client tuple finds
 * nothing (its ChannelData and Send indications are dropped as any
 * stranger's) and peers' datagrams go to the new one. -EEXIST when to
 * already has an allocation here (cp never asks that: counted).
 */
int
turn_alloc_move(struct turn_worker *t, struct turn_alloc *a, const struct ipc_tuple *to)
{
	union turn_keyu k;
	uint32_t h = turn_key_from(&k, to->transport, to->conn_id, to->client.family,
				   to->in_port, to->client.ip, to->client.port, to->server.port);
	uint32_t pos = (uint32_t)(a - t->allocs);

	if (turn_tt_lookup(t, &k, h) >= 0)
		return -EEXIST;
	turn_tt_rekey(&t->tt, turn_key_of_alloc(&k, a), h, pos);
	a->client = to->client;
	a->server = to->server;
	/* part of the key: a DTLS session's allocation moved to a plain
	 * 5-tuple (or into another session) is that tuple's now, or the
	 * table holds it under a key it no longer has (its end would leak
	 * the slot) */
	a->conn_id = to->conn_id;
	/* and the kept word of the key: the old one would find the old
	 * tuple's packets, and not the new's */
	turn_alloc_key_set(a, to->in_port);
	return 0;
}

/* Overflow blocks needed for n permissions (or channels). */
static unsigned int
ovf_need(unsigned int n)
{
	return n <= TURN_HOT_BINDINGS ? 0 :
		(n - TURN_HOT_BINDINGS + TURN_OVF_BINDINGS - 1) / TURN_OVF_BINDINGS;
}

/* a holds the overflow blocks nperms permissions and nchans channels
 * need, no more: false when one is missing and the pool has no memory
 * (counted; what a already holds stays). */
static bool
ovf_fit(struct turn_worker *t, struct turn_alloc *a, unsigned int nperms,
	unsigned int nchans)
{
	unsigned int need = RTE_MAX(ovf_need(nperms), ovf_need(nchans));

	for (unsigned int k = 0; k < TURN_OVF_BLOCKS; k++) {
		if (k < need && a->ovf[k] == 0) {
			a->ovf[k] = ovf_get(t);
			if (a->ovf[k] == 0)
				return false;
		} else if (k >= need && a->ovf[k] != 0) {
			ovf_put(t, a->ovf[k]);
			a->ovf[k] = 0;
		}
	}
	return true;
}

/* A binding cp installed (PERM_ADD/DEL, CHAN_ADD/DEL: kind) in a's
 * permissions or channels, hot part first, then overflow blocks taken as
 * needed and given back when no longer; hairpin: the peer is one of our
 * relayed addresses. Dense after a delete (the last one fills the hole);
 * beyond TURN_MAX_PERMS / TURN_MAX_CHANNELS ignored (cp refuses them). */
void
turn_apply_binding(struct turn_worker *t, struct turn_alloc *a, uint16_t kind,
	      const struct ipc_binding *b, bool hairpin)
{
	unsigned int n = b->peer.family == NET_AF_IPV4 ? 4 : 16;
	unsigned int i;

	if (kind == IPC_PERM_ADD || kind == IPC_PERM_DEL) {
		struct turn_perm *p;

		for (i = 0; i < a->nperms; i++) {
			p = turn_perm_at(t, a, i);
			if (p->family == b->peer.family && memcmp(p->ip, b->peer.ip, n) == 0)
				break;
		}
		if (kind == IPC_PERM_DEL) {
			if (i < a->nperms) {
				/* the last one fills the hole */
				*turn_perm_at(t, a, i) = *turn_perm_at(t, a, a->nperms - 1u);
				a->nperms--;
				ovf_fit(t, a, a->nperms, a->nchans);
			}
			return;
		}
		if (i == a->nperms) {
			if (a->nperms == TURN_MAX_PERMS ||
			    !ovf_fit(t, a, a->nperms + 1u, a->nchans))
				return;
			a->nperms++;
		}
		p = turn_perm_at(t, a, i);
		memset(p, 0, sizeof(*p));
		p->family = b->peer.family;
		memcpy(p->ip, b->peer.ip, n);
		p->expires_ms = b->expires_ms;
		p->hairpin = hairpin;
		return;
	}
	for (i = 0; i < a->nchans; i++)
		if (turn_chan_at(t, a, i)->channel == b->channel)
			break;
	if (kind == IPC_CHAN_DEL) {
		if (i < a->nchans) {
			*turn_chan_at(t, a, i) = *turn_chan_at(t, a, a->nchans - 1u);
			memset(turn_chan_at(t, a, a->nchans - 1u), 0, sizeof(struct turn_chan));
			a->nchans--;
			ovf_fit(t, a, a->nperms, a->nchans);
		}
		return;
	}
	if (kind != IPC_CHAN_ADD)
		return;
	if (i == a->nchans) {
		if (a->nchans == TURN_MAX_CHANNELS ||
		    !ovf_fit(t, a, a->nperms, a->nchans + 1u))
			return;
		a->nchans++;
		turn_chan_at(t, a, i)->channel = b->channel;
	}
	turn_chan_at(t, a, i)->peer = b->peer;
	turn_chan_at(t, a, i)->expires_ms = b->expires_ms;
}
