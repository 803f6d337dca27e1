/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_relay: the memory side of dp's relay at N allocations, one process,
 * strategies in turns (where the cycles a packet go at 1M, and how the
 * pre-pass over a burst hides them).
 *
 * N allocations (struct turn_alloc, dp's hot parts, one permission and one
 * channel each) in the tuple table (turn_tt.c) and a by-relayed-port slot
 * table, as dp keeps them. A burst is --burst packets (32, dp's DP_BURST)
 * of the "mix" perf/run relays: ChannelData from a client (the bucket, the
 * key compared with line 0, the counters on line 1, the channel and the
 * permission) and datagrams from a peer (the port's slot, then the same
 * lines), flows visited in a scattered order. Each packet also does --work units of other work on
 * data in L1 (dp's parsing, headers, checksums: some 3 instructions a
 * unit), so that what overlaps with that work shows.
 *
 *   now:    dp's pre-pass: every bucket and slot asked for, then every
 *           allocation's lines 0, 1, 3 and 4; then each handled
 *   pair:   the same with the first permission and channel on one line
 *           (line 3): lines 0, 1, 3 asked for and touched (tried in dp,
 *           dropped: perf/RESULTS.md)
 *   pipe:   pair's layout; every bucket and slot asked for, then while
 *           packet i is handled the allocation of packet i + --dist is
 *           asked for (its tags read, its lines 0, 1, 3 prefetched)
 *   none:   pair's layout, no pre-pass (what a miss costs unhidden)
 *   split:  pair's, with every allocation's line 0 asked for first (each
 *           a page walk at a million: they overlap), then every one's
 *           lines 1 and 3
 *
 *   bench_relay [EAL options] -- [--n N] [--rounds R] [--ms MS] [--work W]
 *                                [--dist D] [--burst B (1-64, 32)]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "turn_inlines.h"
#include "turn_tt.h"

#define BURST_MAX 64u
#define NSTRAT 5

static const char *const names[NSTRAT] = { "now", "pair", "pipe", "none", "split" };

static uint64_t sink;
static uint32_t *by_relay;
static unsigned int work = 100, dist = 6, nburst = 32;
static uint64_t l1buf[64];

static uint32_t
key_of(union turn_keyu *k, uint32_t i)
{
	uint8_t ip[16] = { 0 };
	uint32_t a = 0x0a800000u + i;

	ip[0] = (uint8_t)(a >> 24);
	ip[1] = (uint8_t)(a >> 16);
	ip[2] = (uint8_t)(a >> 8);
	ip[3] = (uint8_t)a;
	return turn_key_from(k, STUN_TRANSPORT_UDP, 0, NET_AF_IPV4, 0, ip, 40000, 3478);
}

/* Other per-packet work, on L1 data: some 3 instructions a unit. */
static inline uint64_t
other_work(uint64_t x)
{
	uint64_t y = x, z = 0;

	for (unsigned int j = 0; j < work; j++) {
		y += l1buf[j & 63] ^ z;
		z = (z << 1 | z >> 63) + y;
	}
	return y ^ z;
}

/* The channel of a: chans[0] on line 4 (dp's layout), or, for the
 * paired layout tried (a permission and a channel a line), its copy where
 * perms[1] is, beside the permission on line 3. */
static inline const struct turn_chan *
chan_of(struct turn_alloc *a, bool pair)
{
	return pair ? (const struct turn_chan *)(const void *)&a->perms[1] : &a->chans[0];
}

static inline void
handle(struct turn_worker *t, uint32_t f, bool peer, bool pair)
{
	struct turn_alloc *a;
	const struct turn_chan *c;
	uint64_t x;

	if (peer) {
		uint32_t s = by_relay[f];

		a = &t->allocs[s - 1];
		a->stats[TURN_STAT_PKTS_FROM_PEER]++;
		a->stats[TURN_STAT_BYTES_FROM_PEER] += 64;
		x = a->perms[0].expires_ms;
		c = chan_of(a, pair);
		x += c->channel + a->client.port;
		a->stats[TURN_STAT_PKTS_TO_CLIENT]++;
		a->stats[TURN_STAT_BYTES_TO_CLIENT] += 68;
	} else {
		union turn_keyu k;
		int p = turn_tt_lookup(t, &k, key_of(&k, f));

		if (p < 0)
			abort();
		a = &t->allocs[p];
		a->stats[TURN_STAT_PKTS_FROM_CLIENT]++;
		a->stats[TURN_STAT_BYTES_FROM_CLIENT] += 68;
		c = chan_of(a, pair);
		x = c->peer.port + a->perms[0].expires_ms;
		a->stats[TURN_STAT_PKTS_TO_PEER]++;
		a->stats[TURN_STAT_BYTES_TO_PEER] += 64;
	}
	sink += other_work(x);
}

static inline void
pf_alloc(const struct turn_alloc *a, bool pair)
{
	const uint8_t *p = (const uint8_t *)a;

	rte_prefetch0(p);
	rte_prefetch0(p + RTE_CACHE_LINE_SIZE);
	rte_prefetch0(p + 3 * RTE_CACHE_LINE_SIZE);
	if (!pair)
		rte_prefetch0(p + 4 * RTE_CACHE_LINE_SIZE);
}

/* Stage 2 for one packet: its tags or slot read, its allocation asked for. */
static inline void
stage2(struct turn_worker *t, uint32_t f, bool peer, uint32_t sig, bool pair)
{
	if (peer) {
		uint32_t s = by_relay[f];

		if (s != 0)
			pf_alloc(&t->allocs[s - 1], pair);
	} else {
		const struct turn_tt_bucket *b = &t->tt.b[sig & t->tt.mask];

		for (unsigned int m = turn_tt_match(b, turn_tt_tag(sig)); m != 0; m &= m - 1)
			pf_alloc(&t->allocs[b->slot[__builtin_ctz(m)]], pair);
	}
}

static void
run_burst(struct turn_worker *t, const uint32_t *idx, unsigned int strat)
{
	union turn_keyu keys[BURST_MAX];
	uint32_t sig[BURST_MAX];
	bool pair = strat != 0;

	if (strat != 3) {
		for (unsigned int i = 0; i < nburst; i++) {
			if (i & 1u) {
				rte_prefetch0(&by_relay[idx[i]]);
			} else {
				sig[i] = key_of(&keys[i], idx[i]);
				rte_prefetch0(&t->tt.b[sig[i] & t->tt.mask]);
			}
		}
	}
	if (strat <= 1) {
		for (unsigned int i = 0; i < nburst; i++)
			stage2(t, idx[i], i & 1u, sig[i], pair);
		for (unsigned int i = 0; i < nburst; i++)
			handle(t, idx[i], i & 1u, pair);
	} else if (strat == 2) {
		for (unsigned int i = 0; i < dist && i < nburst; i++)
			stage2(t, idx[i], i & 1u, sig[i], pair);
		for (unsigned int i = 0; i < nburst; i++) {
			if (i + dist < nburst)
				stage2(t, idx[i + dist], (i + dist) & 1u, sig[i + dist], pair);
			handle(t, idx[i], i & 1u, pair);
		}
	} else if (strat == 4) {
		const struct turn_alloc *as[BURST_MAX * 2];
		unsigned int na = 0;

		for (unsigned int i = 0; i < nburst; i++) {
			if (i & 1u) {
				uint32_t s = by_relay[idx[i]];

				if (s != 0) {
					as[na] = &t->allocs[s - 1];
					rte_prefetch0(as[na++]);
				}
			} else {
				const struct turn_tt_bucket *b = &t->tt.b[sig[i] & t->tt.mask];

				for (unsigned int m = turn_tt_match(b, turn_tt_tag(sig[i]));
				     m != 0; m &= m - 1) {
					as[na] = &t->allocs[b->slot[__builtin_ctz(m)]];
					rte_prefetch0(as[na++]);
				}
			}
		}
		for (unsigned int i = 0; i < na; i++) {
			rte_prefetch0((const uint8_t *)as[i] + RTE_CACHE_LINE_SIZE);
			rte_prefetch0((const uint8_t *)as[i] + 3 * RTE_CACHE_LINE_SIZE);
		}
		for (unsigned int i = 0; i < nburst; i++)
			handle(t, idx[i], i & 1u, pair);
	} else {
		for (unsigned int i = 0; i < nburst; i++)
			handle(t, idx[i], i & 1u, pair);
	}
}

static uint32_t
gcd(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t x = a % b;

		a = b;
		b = x;
	}
	return a;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, unsigned int n, double *lo, double *hi)
{
	double s[64];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_d);
	*lo = s[0];
	*hi = s[n - 1];
	return s[n / 2];
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "n", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "ms", required_argument, NULL, 'm' },
		{ "work", required_argument, NULL, 'w' },
		{ "dist", required_argument, NULL, 'd' },
		{ "burst", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t n = 1000000, rounds = 10, ms = 300, stride, pos = 0;
	static struct turn_worker t;
	static double cyc[NSTRAT][64];
	double lo, hi;
	int o, rc;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "bench_relay: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= rc;
	argv += rc;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'n')
			n = (uint32_t)strtoul(optarg, NULL, 10);
		else if (o == 'r')
			rounds = (uint32_t)strtoul(optarg, NULL, 10);
		else if (o == 'm')
			ms = (uint32_t)strtoul(optarg, NULL, 10);
		else if (o == 'w')
			work = (unsigned int)strtoul(optarg, NULL, 10);
		else if (o == 'd')
			dist = (unsigned int)strtoul(optarg, NULL, 10);
		else if (o == 'b')
			nburst = (unsigned int)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (n < nburst || nburst < 1 || nburst > BURST_MAX || rounds < 1 || rounds > 64)
		return 2;
	memset(&t, 0, sizeof(t));
	t.allocs = rte_zmalloc("bench_allocs", sizeof(*t.allocs) * n, RTE_CACHE_LINE_SIZE);
	by_relay = rte_zmalloc("bench_relay", sizeof(uint32_t) * n, RTE_CACHE_LINE_SIZE);
	if (t.allocs == NULL || by_relay == NULL ||
	    turn_tt_init(&t.tt, n, (int)rte_socket_id()) < 0) {
		fprintf(stderr, "bench_relay: no memory for %u\n", n);
		return 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		union turn_keyu k;
		uint32_t sig = key_of(&k, i), slot;
		struct turn_alloc *a;

		if (turn_tt_slot_get(&t.tt, &slot) < 0)
			return 1;
		turn_tt_insert(&t.tt, sig, slot);
		a = &t.allocs[slot];
		a->client.family = NET_AF_IPV4;
		memcpy(a->client.ip, &k.k.client_ip, 16);
		a->client.port = 40000;
		a->server.family = NET_AF_IPV4;
		a->server.port = 3478;
		a->id = i + 1;
		a->nperms = a->nchans = 1;
		a->perms[0].family = NET_AF_IPV4;
		a->perms[0].expires_ms = UINT64_MAX;
		a->chans[0].channel = 0x4000;
		a->chans[0].peer.port = 50000;
		a->chans[0].expires_ms = UINT64_MAX;
		memcpy(&a->perms[1], &a->chans[0], sizeof(a->chans[0]));
		by_relay[i] = slot + 1;
	}
	stride = 2654435761u % n;
	while (stride < 2 || gcd(n, stride) != 1)
		stride++;
	for (uint32_t r = 0; r < rounds; r++) {
		for (unsigned int s0 = 0; s0 < NSTRAT; s0++) {
			unsigned int s = (s0 + r) % NSTRAT;
			uint64_t ts = rte_rdtsc(), end = ts + rte_get_tsc_hz() / 1000 * ms, c = 0;
			uint32_t idx[BURST_MAX];

			while (rte_rdtsc() < end) {
				for (unsigned int i = 0; i < nburst; i++) {
					pos += stride;
					if (pos >= n)
						pos -= n;
					idx[i] = pos;
				}
				run_burst(&t, idx, s);
				c += nburst;
			}
			cyc[s][r] = (double)(rte_rdtsc() - ts) / (double)c;
		}
	}
	printf("{\"n\":%u,\"rounds\":%u,\"ms\":%u,\"work\":%u,\"dist\":%u,\"burst\":%u", n,
	       rounds, ms, work, dist, nburst);
	for (unsigned int s = 0; s < NSTRAT; s++) {
		double m = median(cyc[s], rounds, &lo, &hi), rat[64];

		printf(",\"%s\":{\"median\":%.1f,\"min\":%.1f,\"max\":%.1f", names[s], m, lo, hi);
		for (uint32_t r = 0; r < rounds; r++)
			rat[r] = cyc[0][r] / cyc[s][r];
		m = median(rat, rounds, &lo, &hi);
		printf(",\"now_over_this\":%.3f,\"ratio_min\":%.3f,\"ratio_max\":%.3f}", m, lo, hi);
	}
	printf(",\"sink\":%" PRIu64 "}\n", sink & 1);
	return 0;
}
