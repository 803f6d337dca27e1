/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tuple: dp's client 5-tuple lookup, DPDK's rte_hash against the
 * table of our own (dp/turn/turn_tt.c, turn_tt_lookup()), in one
 * process, in turns: the table of our own stays only while it beats
 * rte_hash measured in the same run.
 *
 * N allocations (struct turn_alloc, dp's 320-byte hot parts, in one array
 * as dp keeps them) of N clients (10.128.0.0 + i, port 40000, to 3478 over
 * UDP, as perf/tpgen's), their keys in both tables with the same slots.
 * A turn looks up bursts of 32 keys visited in a scattered order (a stride
 * coprime with N) the way dp's worker does for a burst of ChannelData:
 *   rte_hash:  the pre-pass's bulk lookup (rte_hash_lookup_with_hash_bulk)
 *              and a prefetch of each allocation's line 0; then, handling
 *              each, rte_hash_lookup_with_hash() again and line 0 read;
 *   ours:      the pre-pass asks for each key's bucket, then prefetches the
 *              allocation every matching tag names; then, handling each,
 *              turn_tt_lookup() (its key compared with line 0) and line 0
 *              read.
 * Keys are built with turn_key_from() in both. Cycles a lookup by the TSC,
 * turns of --ms milliseconds alternating, the first side alternating by
 * round; the median of each and of the pairs' ratios, with ranges.
 *
 *   bench_tuple [EAL options] -- [--n N] [--rounds R] [--ms MS] [--json]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "turn_inlines.h"
#include "turn_tt.h"

#define BURST 32u

struct side {
	const char *name;
	double cyc[64];
	unsigned int n;
};

static uint64_t sink;

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

/* One burst through rte_hash, as dp's pre-pass and handling do. */
static void
burst_rte(struct rte_hash *h, struct turn_alloc *allocs, const uint32_t *idx)
{
	union turn_keyu keys[BURST];
	const void *kp[BURST];
	hash_sig_t sig[BURST];
	int32_t pos[BURST];

	for (unsigned int i = 0; i < BURST; i++) {
		sig[i] = key_of(&keys[i], idx[i]);
		kp[i] = &keys[i];
	}
	if (rte_hash_lookup_with_hash_bulk(h, kp, sig, BURST, pos) < 0)
		abort();
	for (unsigned int i = 0; i < BURST; i++)
		if (pos[i] >= 0)
			rte_prefetch0(&allocs[pos[i]]);
	for (unsigned int i = 0; i < BURST; i++) {
		int p = rte_hash_lookup_with_hash(h, &keys[i], sig[i]);

		if (p < 0)
			abort();
		sink += allocs[p].client.port + allocs[p].conn_id;
	}
}

/* One burst through ours. */
static void
burst_tt(struct turn_worker *t, const uint32_t *idx)
{
	union turn_keyu keys[BURST];
	hash_sig_t sig[BURST];

	for (unsigned int i = 0; i < BURST; i++) {
		sig[i] = key_of(&keys[i], idx[i]);
		rte_prefetch0(&t->tt.b[sig[i] & t->tt.mask]);
	}
	for (unsigned int i = 0; i < BURST; i++) {
		const struct turn_tt_bucket *b = &t->tt.b[sig[i] & t->tt.mask];

		for (unsigned int m = turn_tt_match(b, turn_tt_tag(sig[i])); m != 0; m &= m - 1)
			rte_prefetch0(&t->allocs[b->slot[__builtin_ctz(m)]]);
	}
	for (unsigned int i = 0; i < BURST; i++) {
		int p = turn_tt_lookup(t, &keys[i], sig[i]);

		if (p < 0)
			abort();
		sink += t->allocs[p].client.port + t->allocs[p].conn_id;
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
median(double *v, unsigned int n, double *lo, double *hi)
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
		{ NULL, 0, NULL, 0 },
	};
	uint32_t n = 1000000, rounds = 10, ms = 300, stride, pos = 0;
	struct rte_hash_parameters hp = {
		.name = "bench_tuple",
		.key_len = sizeof(struct turn_key),
		.hash_func = rte_hash_crc,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash *h;
	struct side sa = { .name = "rte_hash" }, sb = { .name = "ours" };
	static struct turn_worker t;
	double ratio[64], lo, hi, ma, mb, mr, add_rte, add_tt;
	uint64_t t0;
	int o, rc;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "bench_tuple: EAL: %s\n", rte_strerror(rte_errno));
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
		else
			return 2;
	}
	if (n < BURST || rounds < 1 || rounds > 64)
		return 2;
	memset(&t, 0, sizeof(t));
	hp.entries = n;
	hp.socket_id = (int)rte_socket_id();
	h = rte_hash_create(&hp);
	t.allocs = rte_zmalloc("bench_allocs", sizeof(*t.allocs) * n, RTE_CACHE_LINE_SIZE);
	if (h == NULL || t.allocs == NULL || turn_tt_init(&t.tt, n, (int)rte_socket_id()) < 0) {
		fprintf(stderr, "bench_tuple: no memory for %u\n", n);
		return 1;
	}
	/* installs as dp makes them (a restarted dp takes a million back):
	 * rte_hash's add, then ours (a lookup that misses, a free slot, the
	 * insert), each timed; the same slot in both: rte_hash's */
	t0 = rte_rdtsc();
	for (uint32_t i = 0; i < n; i++) {
		union turn_keyu k;
		uint32_t sig = key_of(&k, i);
		int p = rte_hash_add_key_with_hash(h, &k, sig);
		struct turn_alloc *a;

		if (p < 0)
			return 1;
		a = &t.allocs[p];
		a->client.family = NET_AF_IPV4;
		memcpy(a->client.ip, &k.k.client_ip, 16);
		a->client.port = 40000;
		a->server.family = NET_AF_IPV4;
		a->server.port = 3478;
		a->id = i + 1;
	}
	add_rte = (double)(rte_rdtsc() - t0) / n;
	t0 = rte_rdtsc();
	for (uint32_t i = 0; i < n; i++) {
		union turn_keyu k;
		uint32_t sig = key_of(&k, i), slot;
		int p = rte_hash_lookup_with_hash(h, &k, sig);

		if (turn_tt_lookup(&t, &k, sig) >= 0 || turn_tt_slot_get(&t.tt, &slot) < 0)
			return 1;
		turn_tt_insert(&t.tt, sig, (uint32_t)p);
	}
	add_tt = (double)(rte_rdtsc() - t0) / n;
	/* every key found in both, at its slot */
	for (uint32_t i = 0; i < n; i++) {
		union turn_keyu k;
		uint32_t sig = key_of(&k, i);

		if (rte_hash_lookup_with_hash(h, &k, sig) != turn_tt_lookup(&t, &k, sig)) {
			fprintf(stderr, "bench_tuple: key %u differs\n", i);
			return 1;
		}
	}
	stride = 2654435761u % n;
	while (stride < 2 || gcd(n, stride) != 1)
		stride++;
	for (uint32_t r = 0; r < rounds; r++) {
		for (unsigned int s = 0; s < 2; s++) {
			bool ours = (s ^ (r & 1u)) != 0;
			uint64_t ts = rte_rdtsc(), end = ts + rte_get_tsc_hz() / 1000 * ms, c = 0;
			uint32_t idx[BURST];

			while (rte_rdtsc() < end) {
				for (unsigned int i = 0; i < BURST; i++) {
					pos += stride;
					if (pos >= n)
						pos -= n;
					idx[i] = pos;
				}
				if (ours)
					burst_tt(&t, idx);
				else
					burst_rte(h, t.allocs, idx);
				c += BURST;
			}
			(ours ? &sb : &sa)->cyc[r] = (double)(rte_rdtsc() - ts) / (double)c;
		}
		ratio[r] = sa.cyc[r] / sb.cyc[r];
	}
	sa.n = sb.n = rounds;
	ma = median(sa.cyc, rounds, &lo, &hi);
	printf("{\"n\":%u,\"rounds\":%u,\"ms\":%u,\"rte_hash_cycles\":{\"median\":%.1f,\"min\":%.1f,"
	       "\"max\":%.1f},", n, rounds, ms, ma, lo, hi);
	mb = median(sb.cyc, rounds, &lo, &hi);
	printf("\"ours_cycles\":{\"median\":%.1f,\"min\":%.1f,\"max\":%.1f},", mb, lo, hi);
	mr = median(ratio, rounds, &lo, &hi);
	printf("\"rte_over_ours\":{\"median\":%.3f,\"min\":%.3f,\"max\":%.3f},"
	       "\"add_cycles\":{\"rte_hash\":%.1f,\"ours_with_rte_lookup\":%.1f},"
	       "\"ours_table_bytes\":%zu,\"sink\":%" PRIu64 "}\n", mr, lo, hi, add_rte, add_tt,
	       (size_t)(t.tt.mask + 1) * sizeof(struct turn_tt_bucket) + (size_t)n * 4, sink & 1);
	return 0;
}
