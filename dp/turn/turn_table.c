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
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_net_crc.h>
#include <rte_random.h>

#include "../dp.h"
#include "nonce.h"
#include "tp_conf.h"
#include "turn_inlines.h"

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

/* One worker's tables; *bytes gets the memory they took. */
int
turn_worker_tables(struct dp_worker *w, uint32_t cap, uint32_t ntbl, uint32_t span,
	      size_t *bytes)
{
	struct turn_worker *t = &w->turn;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct rte_malloc_socket_stats before, after;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = cap,
		.key_len = sizeof(struct turn_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		/* overflow buckets: an insert fails only when all cap
		 * slots are taken, never on an unlucky cuckoo path */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	rte_malloc_get_socket_stats(socket, &before);
	snprintf(name, sizeof(name), "turn_%u", w->id);
	t->by_tuple = rte_hash_create(&hp);
	t->allocs = rte_zmalloc_socket("turn_allocs", sizeof(*t->allocs) * cap,
				       RTE_CACHE_LINE_SIZE, socket);
	t->cold = rte_zmalloc_socket("turn_cold", sizeof(*t->cold) * cap,
				     RTE_CACHE_LINE_SIZE, socket);
	t->by_relay = rte_zmalloc_socket("turn_relay", sizeof(uint32_t) * span *
					 (ntbl > 0 ? ntbl : 1), RTE_CACHE_LINE_SIZE,
					 socket);
	t->live.slot = rte_malloc_socket("turn_live", sizeof(uint32_t) * cap,
					 RTE_CACHE_LINE_SIZE, socket);
	t->live.pos = rte_malloc_socket("turn_live_pos", sizeof(uint32_t) * cap,
					RTE_CACHE_LINE_SIZE, socket);
	t->live.n = 0;
	t->expires = rte_zmalloc_socket("turn_expires", sizeof(uint64_t) * cap,
					RTE_CACHE_LINE_SIZE, socket);
	t->admit = rte_malloc_socket("turn_admit", sizeof(*t->admit),
				     RTE_CACHE_LINE_SIZE, socket);
	if (t->by_tuple == NULL || t->allocs == NULL || t->cold == NULL ||
	    t->by_relay == NULL || t->live.slot == NULL || t->live.pos == NULL ||
	    t->admit == NULL || t->expires == NULL || nonce_ctx_init(&t->nonce) < 0)
		return -ENOMEM;
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
	/* Keyed from cp's block once a cp serves (turn_poll()); the salt a
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
			     a->in_port, a->client.ip,
			a->client.port, a->server.port);
}

void
turn_alloc_remove(struct turn_worker *t, struct turn_alloc *a)
{
	union turn_keyu k;
	uint32_t h = turn_key_of_alloc(&k, a);

	rte_hash_del_key_with_hash(t->by_tuple, &k, h);
	turn_relay_hook(t, a, (uint32_t)(a - t->allocs), false);
	for (unsigned int i = 0; i < TURN_STAT__COUNT; i++)
		t->ctr[i] += a->stats[i];
	memset(turn_alloc_cold(t, a), 0, sizeof(struct turn_alloc_cold));
	memset(a, 0, sizeof(*a));
	t->expires[a - t->allocs] = 0;
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
	int pos;

	pos = rte_hash_add_key_with_hash(t->by_tuple, &k,
			turn_key_from(&k, tu->transport, tu->conn_id, tu->client.family,
				      tu->in_port, tu->client.ip,
				 tu->client.port, tu->server.port));
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
		turn_relay_hook(t, a, (uint32_t)pos, false);   /* installed again */
	}
	memset(a, 0, sizeof(*a));
	memset(turn_alloc_cold(t, a), 0, sizeof(struct turn_alloc_cold));
	a->id = msg->h.alloc_id;
	a->in_port = tu->in_port;
	a->conn_id = tu->conn_id;
	a->client = tu->client;
	a->server = tu->server;
	a->nrelayed = ia->nrelayed;
	a->relayed[0] = ia->relayed[0];
	a->relayed[1] = ia->relayed[1];
	a->relay_tbl[0] = tbl[0];
	a->relay_tbl[1] = tbl[1];
	a->relay_port = ia->relayed[0].port;
	t->expires[pos] = ia->expires_ms;
	turn_alloc_cold(t, a)->auth = *ia;
	turn_relay_hook(t, a, (uint32_t)pos, true);
	return a;
}

/* A binding cp installed (PERM_ADD/DEL, CHAN_ADD/DEL: kind) in a's
 * permissions or channels, hot part first; hairpin: the peer is one of our
 * relayed addresses. Dense after a delete (the last one fills the hole);
 * beyond TURN_MAX_PERMS / TURN_MAX_CHANNELS ignored (cp refuses them). */
void
turn_apply_binding(const struct turn_worker *t, struct turn_alloc *a, uint16_t kind,
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
			}
			return;
		}
		if (i == a->nperms) {
			if (a->nperms == TURN_MAX_PERMS)
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
		}
		return;
	}
	if (kind != IPC_CHAN_ADD)
		return;
	if (i == a->nchans) {
		if (a->nchans == TURN_MAX_CHANNELS)
			return;
		a->nchans++;
		turn_chan_at(t, a, i)->channel = b->channel;
	}
	turn_chan_at(t, a, i)->peer = b->peer;
	turn_chan_at(t, a, i)->expires_ms = b->expires_ms;
}
