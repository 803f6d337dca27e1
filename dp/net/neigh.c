/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour cache of one worker, for ARP (RFC 826) and IPv6 neighbour
 * discovery (RFC 4861 §7.3, a subset of its states): open addressing with
 * linear probing over a caller array, backward-shift deletion so probe
 * chains stay whole without tombstones, a bounded queue of packets per
 * unresolved neighbour, probes repeated at retry_time and given up after
 * max_probes, REACHABLE ageing to STALE and STALE entries forgotten when
 * unused for stale_time. Times are in the caller's units.
 */
#include <errno.h>
#include <string.h>

#include "net.h"

static uint32_t
slot_of(const struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	unsigned int n = family == NET_AF_IPV4 ? 4 : 16;
	uint32_t h = 2166136261u ^ family;

	for (unsigned int i = 0; i < n; i++)
		h = (h ^ ip[i]) * 16777619u;
	h ^= h >> 15;
	return h & (t->size - 1);
}

static bool
entry_is(const struct neigh_entry *e, uint8_t family, const uint8_t *ip)
{
	return e->state != NEIGH_FREE && e->family == family &&
	       memcmp(e->ip, ip, family == NET_AF_IPV4 ? 4 : 16) == 0;
}

static struct neigh_entry *
find(const struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	uint32_t i = slot_of(t, family, ip);

	for (uint32_t n = 0; n < t->size; n++, i = (i + 1) & (t->size - 1)) {
		struct neigh_entry *e = &t->e[i];

		if (e->state == NEIGH_FREE)
			return NULL;
		if (entry_is(e, family, ip))
			return e;
	}
	return NULL;
}

static struct neigh_entry *
insert(struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	uint32_t i = slot_of(t, family, ip);

	if (t->count + 1 >= t->size)   /* keep one slot free: probes end */
		return NULL;
	while (t->e[i].state != NEIGH_FREE)
		i = (i + 1) & (t->size - 1);
	memset(&t->e[i], 0, sizeof(t->e[i]));
	t->e[i].family = family;
	memcpy(t->e[i].ip, ip, family == NET_AF_IPV4 ? 4 : 16);
	t->count++;
	return &t->e[i];
}

/* Backward-shift deletion (Knuth 6.4 algorithm R). */
static void
erase(struct neigh_table *t, struct neigh_entry *e)
{
	uint32_t i = (uint32_t)(e - t->e), j = i;

	t->e[i].state = NEIGH_FREE;
	t->count--;
	for (;;) {
		uint32_t k;

		j = (j + 1) & (t->size - 1);
		if (t->e[j].state == NEIGH_FREE)
			break;
		k = slot_of(t, t->e[j].family, t->e[j].ip);
		/* Move e[j] into the hole at i unless its home k lies
		 * cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->e[i] = t->e[j];
		t->e[j].state = NEIGH_FREE;
		i = j;
	}
}

static void
drop_queue(struct neigh_table *t, struct neigh_entry *e)
{
	for (unsigned int q = 0; q < e->nqueued; q++) {
		if (t->free_pkt != NULL)
			t->free_pkt(e->queue[q], t->free_arg);
		t->failed++;
	}
	e->nqueued = 0;
}

int
neigh_table_init(struct neigh_table *t, struct neigh_entry *entries,
		 uint32_t size, uint32_t queue_max, uint64_t reachable_time,
		 uint64_t retry_time, uint32_t max_probes,
		 void (*free_pkt)(void *pkt, void *arg), void *free_arg)
{
	if (size < 2 || (size & (size - 1)) != 0)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	memset(entries, 0, sizeof(*entries) * size);
	t->e = entries;
	t->size = size;
	t->queue_max = queue_max > NEIGH_QUEUE_MAX ? NEIGH_QUEUE_MAX :
		       (queue_max ? queue_max : 1);
	t->max_probes = max_probes ? max_probes : 3;
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
	struct neigh_entry *e = find(t, family, ip);

	*probe = false;
	if (e == NULL) {
		if (pkt == NULL)
			return NEIGH_RES_DROPPED;
		e = insert(t, family, ip);
		if (e == NULL)
			return NEIGH_RES_DROPPED;
		e->state = NEIGH_INCOMPLETE;
		e->port = port;
		e->probes = 1;
		e->next_probe = now + t->retry_time;
		e->queue[e->nqueued++] = pkt;
		*probe = true;
		return NEIGH_RES_QUEUED;
	}
	switch (e->state) {
	case NEIGH_REACHABLE:
		memcpy(mac, e->mac, 6);
		return NEIGH_RES_READY;
	case NEIGH_STALE:
		/* Usable; ask again, at most once per retry_time (§7.3.3). */
		memcpy(mac, e->mac, 6);
		e->confirmed_used = now;
		if (now >= e->next_probe) {
			e->next_probe = now + t->retry_time;
			*probe = true;
		}
		return NEIGH_RES_READY;
	case NEIGH_INCOMPLETE:
	default:
		if (pkt == NULL || e->nqueued >= t->queue_max)
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
	struct neigh_entry *e = find(t, family, ip);
	unsigned int n = 0;

	if (e == NULL) {
		if (!create)
			return 0;
		e = insert(t, family, ip);
		if (e == NULL)
			return 0;
	}
	e->state = NEIGH_REACHABLE;
	e->port = port;
	e->probes = 0;
	memcpy(e->mac, mac, 6);
	e->confirmed = now;
	e->confirmed_used = now;
	for (unsigned int q = 0; q < e->nqueued; q++) {
		if (n < out_max)
			out[n++] = e->queue[q];
		else if (t->free_pkt != NULL)
			t->free_pkt(e->queue[q], t->free_arg);
	}
	e->nqueued = 0;
	return n;
}

void
neigh_tick(struct neigh_table *t, uint64_t now,
	   void (*probe)(void *arg, const struct neigh_entry *e), void *arg)
{
	for (uint32_t i = 0; i < t->size; i++) {
		struct neigh_entry *e = &t->e[i];

		switch (e->state) {
		case NEIGH_REACHABLE:
			if (now - e->confirmed >= t->reachable_time) {
				e->state = NEIGH_STALE;
				e->next_probe = now;
			}
			break;
		case NEIGH_STALE:
			if (now - e->confirmed_used >= t->stale_time &&
			    now - e->confirmed >= t->stale_time) {
				erase(t, e);
				i--;   /* a shifted entry now sits here */
			}
			break;
		case NEIGH_INCOMPLETE:
			if (now < e->next_probe)
				break;
			if (e->probes >= t->max_probes) {
				drop_queue(t, e);
				erase(t, e);
				i--;
				break;
			}
			e->probes++;
			e->next_probe = now + t->retry_time;
			if (probe != NULL)
				probe(arg, e);
			break;
		default:
			break;
		}
	}
}

const struct neigh_entry *
neigh_lookup(const struct neigh_table *t, uint8_t family, const uint8_t *ip)
{
	return find(t, family, ip);
}
