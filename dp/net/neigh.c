/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour cache of one worker, shared by ARP (RFC 826) and IPv6
 * neighbour discovery (RFC 4861 §7.3, a subset of its states). It owns:
 *
 * - the table: open addressing with linear probing over an array the
 *   caller provides (a power of two), keyed by (family, address) and
 *   hashed with FNV-1a; deletion shifts later members of the probe chain
 *   back into the hole (Knuth, TAOCP vol. 3, §6.4 algorithm R), so there
 *   are no tombstones and a lookup stops at the first free slot;
 * - resolution: an unknown neighbour gets an INCOMPLETE entry that holds
 *   at most queue_max packets (FIFO) while the caller probes; neigh_tick
 *   probes again every retry_time and, once max_probes probes went
 *   unanswered, frees the queued packets (counted in t->failed) and the
 *   entry (RFC 4861 §7.2.2; RFC 1122 §2.3.2.2 for the queue);
 * - ageing: REACHABLE turns STALE after reachable_time without
 *   confirmation; a STALE entry is still used, but its use asks for a
 *   probe at most once per retry_time (a simplification of §7.3.3's
 *   DELAY and PROBE states: our probes are multicast/broadcast, and a
 *   STALE entry whose probes go unanswered stays usable), and a STALE
 *   entry unused for stale_time is forgotten. neigh_table_init sets
 *   stale_time to 4 * reachable_time; a caller may change it afterwards,
 *   and 0 there means that same default.
 *
 * Times are in the caller's units (the worker uses TSC cycles, the tests
 * a fake clock); a clock that steps backwards counts as no time passed.
 */
#include <errno.h>
#include <string.h>

#include "net.h"

#define NEIGH_DEFAULT_PROBES 3u

static inline unsigned int
addr_len(uint8_t family)
{
	return family == NET_AF_IPV4 ? 4u : 16u;
}

static inline uint64_t
since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* FNV-1a over the family and the address, with a final xor-shift so the
 * low bits that the mask keeps depend on the high bytes too. */
static uint32_t
neigh_hash(uint8_t family, const uint8_t *ip)
{
	uint32_t h = 2166136261u;

	h = (h ^ family) * 16777619u;
	for (unsigned int i = 0; i < addr_len(family); i++)
		h = (h ^ ip[i]) * 16777619u;
	h ^= h >> 16;
	return h;
}

static inline uint32_t
home_slot(const struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	return neigh_hash(family, ip) & (t->size - 1);
}

static bool
entry_matches(const struct neigh_entry *e, uint8_t family, const uint8_t *ip)
{
	return e->state != NEIGH_FREE && e->family == family &&
	       memcmp(e->ip, ip, addr_len(family)) == 0;
}

static struct neigh_entry *
neigh_find(const struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	uint32_t mask = t->size - 1, i = home_slot(t, family, ip);

	for (uint32_t n = 0; n < t->size; n++, i = (i + 1) & mask) {
		struct neigh_entry *e = &t->e[i];

		if (e->state == NEIGH_FREE)
			return NULL;    /* end of the probe chain */
		if (entry_matches(e, family, ip))
			return e;
	}
	return NULL;                    /* a full table, searched through */
}

/* A fresh entry for a key known to be absent, or NULL when full. */
static struct neigh_entry *
neigh_insert(struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	uint32_t mask = t->size - 1, i = home_slot(t, family, ip);
	struct neigh_entry *e;

	if (t->count >= t->size)
		return NULL;
	while (t->e[i].state != NEIGH_FREE)
		i = (i + 1) & mask;
	e = &t->e[i];
	memset(e, 0, sizeof(*e));
	e->family = family;
	memcpy(e->ip, ip, addr_len(family));
	t->count++;
	return e;
}

/*
 * Free slot `hole` and close the gap (algorithm R): walk the chain after
 * it; an entry at j whose home slot k is not cyclically within
 * (hole, j] would become unreachable behind the hole, so it moves into
 * the hole and its old slot becomes the hole. Stops at a free slot.
 * Entries only ever move backwards within their cluster.
 */
static void
neigh_erase(struct neigh_table *t, uint32_t hole)
{
	uint32_t mask = t->size - 1, j = hole;

	t->count--;
	t->e[hole].state = NEIGH_FREE;
	for (;;) {
		struct neigh_entry *m;
		uint32_t k;

		/* Ends at a free slot: at worst the hole itself, after a
		 * full turn of a table that was full. */
		j = (j + 1) & mask;
		m = &t->e[j];
		if (m->state == NEIGH_FREE)
			break;
		k = home_slot(t, m->family, m->ip);
		if (((j - k) & mask) >= ((j - hole) & mask)) {
			t->e[hole] = *m;
			m->state = NEIGH_FREE;
			hole = j;
		}
	}
	memset(&t->e[hole], 0, sizeof(t->e[hole]));    /* NEIGH_FREE */
}

/* Resolution failed: free what was waiting (RFC 4861 §7.2.2 would send
 * ICMPv6 address unreachable for each; we only count them). */
static void
neigh_fail_queue(struct neigh_table *t, struct neigh_entry *e)
{
	for (unsigned int q = 0; q < e->nqueued; q++) {
		if (t->free_pkt != NULL)
			t->free_pkt(e->queue[q], t->free_arg);
		e->queue[q] = NULL;
	}
	t->failed += e->nqueued;
	e->nqueued = 0;
}

static uint64_t
stale_time(const struct neigh_table *t)
{
	return t->stale_time != 0 ? t->stale_time : 4 * t->reachable_time;
}

int
neigh_table_init(struct neigh_table *t, struct neigh_entry *entries,
		 uint32_t size, uint32_t queue_max, uint64_t reachable_time,
		 uint64_t retry_time, uint32_t max_probes,
		 void (*free_pkt)(void *pkt, void *arg), void *free_arg)
{
	if (t == NULL || entries == NULL || size == 0 ||
	    (size & (size - 1)) != 0 || size > (1u << 31))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	memset(entries, 0, sizeof(*entries) * size);
	t->e = entries;
	t->size = size;
	/* 0 queues nothing: packets to an unknown neighbour are dropped
	 * while it is probed. */
	t->queue_max = queue_max > NEIGH_QUEUE_MAX ? NEIGH_QUEUE_MAX : queue_max;
	if (max_probes == 0)
		max_probes = NEIGH_DEFAULT_PROBES;
	t->max_probes = max_probes > UINT8_MAX ? UINT8_MAX : max_probes;
	t->reachable_time = reachable_time;
	t->retry_time = retry_time;
	t->stale_time = 4 * reachable_time;
	t->free_pkt = free_pkt;
	t->free_arg = free_arg;
	return 0;
}

enum neigh_result
neigh_resolve(struct neigh_table *t, uint8_t family, const uint8_t *ip,
	      uint8_t port, void *pkt, uint64_t now, uint8_t mac[6], bool *probe)
{
	struct neigh_entry *e = neigh_find(t, family, ip);

	*probe = false;
	if (e == NULL) {
		/* A bare lookup creates nothing. */
		if (pkt == NULL)
			return NEIGH_RES_DROPPED;
		e = neigh_insert(t, family, ip);
		if (e == NULL)
			return NEIGH_RES_DROPPED;       /* table full */
		/* RFC 4861 §7.2.2: create INCOMPLETE, queue, solicit. */
		e->state = NEIGH_INCOMPLETE;
		e->port = port;
		e->probes = 1;
		e->next_probe = now + t->retry_time;
		*probe = true;
		if (t->queue_max == 0)
			return NEIGH_RES_DROPPED;
		e->queue[e->nqueued++] = pkt;
		return NEIGH_RES_QUEUED;
	}

	switch (e->state) {
	case NEIGH_REACHABLE:
		memcpy(mac, e->mac, 6);
		return NEIGH_RES_READY;
	case NEIGH_STALE:
		/* §7.3.3: a STALE entry is used as it is; its use starts
		 * re-resolution, here one probe per retry_time. */
		memcpy(mac, e->mac, 6);
		if (pkt == NULL)
			return NEIGH_RES_READY;
		e->confirmed_used = now;
		if (now >= e->next_probe) {
			e->next_probe = now + t->retry_time;
			if (e->probes < UINT8_MAX)
				e->probes++;
			*probe = true;
		}
		return NEIGH_RES_READY;
	case NEIGH_INCOMPLETE:
	default:
		if (pkt == NULL)
			return NEIGH_RES_DROPPED;
		/* A probe that neigh_tick has not sent yet is sent now;
		 * giving up stays neigh_tick's decision. */
		if (now >= e->next_probe && e->probes < t->max_probes) {
			e->probes++;
			e->next_probe = now + t->retry_time;
			*probe = true;
		}
		if (e->nqueued >= t->queue_max)
			return NEIGH_RES_DROPPED;
		e->queue[e->nqueued++] = pkt;
		return NEIGH_RES_QUEUED;
	}
}

unsigned int
neigh_update(struct neigh_table *t, uint8_t family, const uint8_t *ip,
	     uint8_t port, const uint8_t mac[6], uint64_t now, bool create,
	     void **out, unsigned int out_max)
{
	struct neigh_entry *e = neigh_find(t, family, ip);
	unsigned int n = 0;

	if (e == NULL) {
		/* RFC 826 "merge_flag" / RFC 4861 §7.2.3, §7.2.5: only a
		 * packet that names us may add an entry. */
		if (!create)
			return 0;
		e = neigh_insert(t, family, ip);
		if (e == NULL)
			return 0;
	}
	e->state = NEIGH_REACHABLE;
	e->port = port;
	e->probes = 0;
	memcpy(e->mac, mac, 6);
	e->confirmed = now;
	e->confirmed_used = now;
	e->next_probe = 0;
	/* Waiting packets leave in the order they came; what does not fit
	 * in out[] is freed (not a resolution failure: not counted). */
	for (unsigned int q = 0; q < e->nqueued; q++) {
		if (n < out_max)
			out[n++] = e->queue[q];
		else if (t->free_pkt != NULL)
			t->free_pkt(e->queue[q], t->free_arg);
		e->queue[q] = NULL;
	}
	e->nqueued = 0;
	return n;
}

/* Age one entry; true when it was erased (slot i now holds another entry
 * shifted back, or nothing). */
static bool
neigh_age(struct neigh_table *t, uint32_t i, uint64_t now,
	  void (*probe)(void *arg, const struct neigh_entry *e), void *arg)
{
	struct neigh_entry *e = &t->e[i];

	switch (e->state) {
	case NEIGH_REACHABLE:
		/* §7.3.3: no confirmation for ReachableTime -> STALE. */
		if (since(now, e->confirmed) >= t->reachable_time) {
			e->state = NEIGH_STALE;
			e->confirmed_used = now;  /* stale_time counts from here */
			e->next_probe = now;      /* the next use probes */
			e->probes = 0;
		}
		return false;
	case NEIGH_STALE:
		if (since(now, e->confirmed_used) >= stale_time(t)) {
			neigh_erase(t, i);
			return true;
		}
		return false;
	case NEIGH_INCOMPLETE:
		if (now < e->next_probe)
			return false;
		/* §7.2.2: MAX_MULTICAST_SOLICIT unanswered -> failed. */
		if (e->probes >= t->max_probes) {
			neigh_fail_queue(t, e);
			neigh_erase(t, i);
			return true;
		}
		e->probes++;
		e->next_probe = now + t->retry_time;
		if (probe != NULL)
			probe(arg, e);
		return false;
	default:
		return false;
	}
}

void
neigh_tick(struct neigh_table *t, uint64_t now,
	   void (*probe)(void *arg, const struct neigh_entry *e), void *arg)
{
	uint32_t mask = t->size - 1, start = 0, i, seen;

	/*
	 * Start the sweep after a free slot: deletion moves entries only
	 * backwards within their cluster and no cluster spans a free slot,
	 * so an entry shifted into the slot just examined is one not yet
	 * seen, and nothing is aged twice. Re-examine a slot after an
	 * erase; every erase shrinks the table, so the sweep ends.
	 */
	for (i = 0; i < t->size; i++) {
		if (t->e[i].state == NEIGH_FREE) {
			start = i;
			break;
		}
	}
	i = start;
	seen = 0;
	while (seen < t->size) {
		if (t->e[i].state != NEIGH_FREE && neigh_age(t, i, now, probe, arg))
			continue;
		seen++;
		i = (i + 1) & mask;
	}
}

const struct neigh_entry *
neigh_lookup(const struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	return neigh_find(t, family, ip);
}
