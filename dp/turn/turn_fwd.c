/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8016 across workers: a mobile allocation lives on the worker of its
 * relayed port (lib/steer), and stays there when its client moves; the
 * client's new 5-tuple reaches the worker its flow hash (or the NIC's RSS)
 * picks. cp tells that worker (FWD_ADD) to hand the tuple's packets to
 * the allocation's, which takes them as received (TURN_HANDOFF_FWD) and
 * finds the allocation under the new tuple (ALLOC_MOVE). The table is
 * looked at only where a client's packet found no allocation (the miss
 * path: ChannelData, and STUN while the worker holds any forward), and
 * never for a packet that came forwarded: no loop, whatever a stale
 * entry says, and nothing on the relay's hit path.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_mbuf.h>
#include <rte_random.h>

#include "../dp.h"
#include "turn.h"
#include "turn_inlines.h"

static inline bool
key_eq(const struct turn_fwd_ent *e, const union turn_keyu *k)
{
	return ((e->key[0] ^ k->q[0]) | (e->key[1] ^ k->q[1]) | (e->key[2] ^ k->q[2]) |
		(e->key[3] ^ k->q[3])) == 0;
}

void
turn_fwd_init(struct turn_fwd *f)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = rte_rand();
	f->seed = s;
}

/* h's home slot: h keyed by the secret seed through a 64-bit finalizer
 * (murmur3's), so that which hashes land next to which is unknown
 * outside the worker. Not a MAC: TURN_FWD_PROBE is what bounds a
 * lookup. (A seeded CRC would not do: CRC is affine in its seed, so
 * every home would move by one constant and the runs stay.) */
static inline uint32_t
home(const struct turn_fwd *f, uint32_t h)
{
	uint64_t x = ((uint64_t)h << 32 | h) ^ f->seed;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x += f->seed >> 7;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x & (TURN_FWD_SLOTS - 1u);
}

/* k's slot, or -1 */
static int
find(const struct turn_fwd *f, const union turn_keyu *k, uint32_t h)
{
	const uint32_t mask = TURN_FWD_SLOTS - 1u;

	if (f->e == NULL)
		return -1;
	/* no entry sits past TURN_FWD_PROBE of its home */
	for (uint32_t i = home(f, h), n = 0; n <= TURN_FWD_PROBE; i = (i + 1u) & mask, n++) {
		const struct turn_fwd_ent *e = &f->e[i];

		if (e->alloc_id == 0)
			return -1;
		if (e->hash == h && key_eq(e, k))
			return (int)i;
	}
	return -1;
}

int
turn_fwd_owner(const struct turn_fwd *f, const union turn_keyu *k, uint32_t h)
{
	int i = find(f, k, h);

	return i < 0 ? -1 : f->e[i].owner;
}

int
turn_fwd_add(struct turn_fwd *f, const union turn_keyu *k, uint32_t h, uint64_t id,
	     uint16_t owner)
{
	const uint32_t mask = TURN_FWD_SLOTS - 1u;
	int at = find(f, k, h);
	struct turn_fwd_ent *e;
	uint32_t i, d;

	if (at >= 0) {
		f->e[at].alloc_id = id;
		f->e[at].owner = owner;
		f->added++;
		return 0;
	}
	/* (half the slots at most: a probe stays short) */
	if (f->e == NULL || f->n >= IPC_FWD_MAX) {
		f->full++;
		return -ENOSPC;
	}
	for (i = home(f, h), d = 0; f->e[i].alloc_id != 0; i = (i + 1u) & mask, d++) {
		if (d == TURN_FWD_PROBE) {
			f->full++;
			return -ENOSPC;
		}
	}
	e = &f->e[i];
	memcpy(e->key, k->q, sizeof(e->key));
	e->alloc_id = id;
	e->hash = h;
	e->owner = owner;
	e->pad = 0;
	f->n++;
	f->added++;
	return 0;
}

int
turn_fwd_del(struct turn_fwd *f, const union turn_keyu *k, uint32_t h, uint64_t id)
{
	const uint32_t mask = TURN_FWD_SLOTS - 1u;
	int at = find(f, k, h);
	uint32_t hole, i;

	if (at < 0 || f->e[at].alloc_id != id) {
		f->refused++;
		return -ENOENT;
	}
	/* Backward shift: each entry after the hole, up to a free slot,
	 * moves into it when its home is not between the hole and itself
	 * (so every entry stays reachable from its home without
	 * tombstones). An entry only ever moves towards its home: none
	 * goes past TURN_FWD_PROBE of it. */
	hole = (uint32_t)at;
	for (i = (hole + 1u) & mask; f->e[i].alloc_id != 0; i = (i + 1u) & mask) {
		uint32_t at_home = home(f, f->e[i].hash);

		if (((i - at_home) & mask) >= ((i - hole) & mask)) {
			f->e[hole] = f->e[i];
			hole = i;
		}
	}
	memset(&f->e[hole], 0, sizeof(f->e[hole]));
	f->n--;
	f->removed++;
	return 0;
}

bool
turn_fwd_pass(struct dp_worker *w, struct rte_mbuf *m, const union turn_keyu *k, uint32_t h)
{
	struct turn_fwd *f = &w->turn->fwd;
	int owner;

	if (f->n == 0 || f->in)
		return false;
	owner = turn_fwd_owner(f, k, h);
	if (owner < 0 || (unsigned int)owner == w->id)
		return false;
	f->handed++;
	dp_handoff(w, (unsigned int)owner, m, TURN_HANDOFF_FWD);
	return true;
}

bool
turn_fwd_pass_v(struct dp_worker *w, struct rte_mbuf *m, turn_u64x2 k0, turn_u64x2 k1)
{
	union turn_keyu k;
	uint32_t h;

	if (w->turn->fwd.n == 0)
		return false;
	k.v[0] = k0;
	k.v[1] = k1;
	/* turn_key_from()'s hash */
	h = rte_hash_crc_8byte(k.q[0], 0);
	h = rte_hash_crc_8byte(k.q[1], h);
	h = rte_hash_crc_8byte(k.q[2], h);
	h = rte_hash_crc_8byte(k.q[3], h);
	return turn_fwd_pass(w, m, &k, h);
}

bool
turn_fwd_udp(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta)
{
	union turn_keyu k;
	uint32_t h = turn_key_from(&k, STUN_TRANSPORT_UDP, 0, meta->family, meta->in_port,
				   meta->src, meta->src_port, meta->dst_port);

	return turn_fwd_pass(w, m, &k, h);
}

void
turn_fwd_taken(struct dp_worker *w, struct rte_mbuf *m)
{
	struct turn_fwd *f = &w->turn->fwd;

	f->taken++;
	f->in = true;
	dp_input_burst(w, &w->ctx->ports[w->ctx->port_index[m->port]], &m, 1, true);
	f->in = false;
}
