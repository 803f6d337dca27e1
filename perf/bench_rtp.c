/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_rtp: what lib/rtp adds to a relayed RTP packet, against copying
 * the packet once.
 *
 * A G.711 stream (20 ms, 160-octet payloads: 172-octet RTP packets, 182
 * with SRTP's 10-octet tag), timestamps 160 apart, arrivals jittering by
 * up to 20 units. Timed side by side in the same run:
 *   relay RTP       rtp_demux + rtp_parse + rtp_rx_update + rtp_tx_count:
 *                   what an RTP-RTP relay asks of lib/rtp per packet
 *   relay SRTP      rtp_demux + srtp_parse + srtp_roc_guess/update +
 *                   rtp_rx_update + rtp_tx_count (the crypto is libsrtp2's)
 *   rtp_parse       alone
 *   rtp_rx_update   alone, on a header already parsed
 *   rtcp_check      an SR with one report block and an SDES (68 octets)
 *   copy 172 B      memcpy of one packet (the reference)
 * Each round times every case once, in rotating order, for a slice of the
 * time budget; we report the median over rounds of ns and TSC cycles a
 * call, and of each case's ratio to the copy measured in the same round.
 * The operations sit in noinline functions (op_*), so that
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out \
 *       build/perf/bench_rtp --calls 100000
 *   callgrind_annotate --inclusive=yes cg.out | grep op_
 *
 * gives instructions a call (each op_ function's inclusive count over
 * its calls: --calls runs every case exactly that many times, untimed).
 *
 *   bench_rtp [--quick | --calls N]
 *
 * --quick takes about 1 s (the perf-quick suite), the default about 5 s.
 * Exit status: 0, or 1 when lib/rtp gets the stream wrong (it must judge
 * what is measured: every packet valid, nothing lost, the jitter right),
 * 2 on bad usage. Speed never fails the run.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_HAVE_TSC 1
#else
#define BENCH_HAVE_TSC 0
#endif

#include "rtp.h"

#define MAX_ROUNDS 64
#define NBUF       64           /* packet buffers cycled through */
#define PKT_LEN    172u
#define TAG_LEN    10u

static uint8_t pkts[NBUF][PKT_LEN + TAG_LEN];
static uint8_t rtcp[68];
static uint8_t copy_dst[PKT_LEN];
static volatile uint32_t sink;

/* The stream's state, carried across calls as a relay carries it. */
static struct rtp_rx rx_relay, rx_srtp, rx_alone;
static struct rtp_tx tx_relay, tx_srtp;
static struct srtp_roc roc;
/* each stream's sender: 32 bits, the low 16 are the sequence number */
static uint32_t seq_relay, seq_srtp, seq_alone;
static uint64_t bad;

/* ---- the operations ----------------------------------------------------- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Packet s's arrival time, in the media clock's units. */
static uint32_t
arrival_of(uint32_t s)
{
	return 160u * s + 40000u + (s * 13u) % 21u;
}

/* The next packet of a stream into a buffer; its arrival time. */
static uint32_t
next_packet(uint8_t *b, uint32_t *seq)
{
	uint32_t s = (*seq)++;

	put16(b + 2, (uint16_t)s);
	put32(b + 4, 160u * s);
	return arrival_of(s);
}

__attribute__((noinline)) static enum rtp_seq
op_relay_rtp(const uint8_t *b, size_t len, uint32_t arrival)
{
	struct rtp_hdr h;

	if (rtp_demux(b, len) != RTP_DEMUX_RTP || rtp_parse(b, len, &h) != RTP_OK)
		return RTP_SEQ_COUNT;
	rtp_tx_count(&tx_relay, (uint32_t)len);
	return rtp_rx_update(&rx_relay, &h, (uint32_t)len, arrival);
}

__attribute__((noinline)) static enum rtp_seq
op_relay_srtp(const uint8_t *b, size_t len, uint32_t arrival)
{
	struct rtp_hdr h;
	uint32_t v;

	if (rtp_demux(b, len) != RTP_DEMUX_RTP ||
	    srtp_parse(b, len, srtp_trailer_len(TAG_LEN, 0), &h) != RTP_OK)
		return RTP_SEQ_COUNT;
	v = srtp_roc_guess(&roc, h.seq);
	/* libsrtp2 would authenticate and decrypt with index (v, seq) here */
	srtp_roc_update(&roc, v, h.seq);
	rtp_tx_count(&tx_srtp, (uint32_t)len - TAG_LEN);
	return rtp_rx_update(&rx_srtp, &h, (uint32_t)len, arrival);
}

__attribute__((noinline)) static enum rtp_err
op_rtp_parse(const uint8_t *b, size_t len, struct rtp_hdr *h)
{
	return rtp_parse(b, len, h);
}

__attribute__((noinline)) static enum rtp_seq
op_rx_update(const struct rtp_hdr *h, uint32_t arrival)
{
	return rtp_rx_update(&rx_alone, h, PKT_LEN, arrival);
}

__attribute__((noinline)) static enum rtp_err
op_rtcp_check(const uint8_t *b, size_t len)
{
	return rtcp_check(b, len, 0, NULL);
}

__attribute__((noinline)) static void
op_copy(const uint8_t *b, size_t len)
{
	memcpy(copy_dst, b, len);
	sink += copy_dst[len - 1];
}

/* ---- the timed loops: one call each an iteration ------------------------ */

static void
run_relay_rtp(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++) {
		uint8_t *b = pkts[i % NBUF];
		uint32_t a = next_packet(b, &seq_relay);

		bad += !RTP_SEQ_VALID(op_relay_rtp(b, PKT_LEN, a)) && rx_relay.pkts > 1;
	}
}

static void
run_relay_srtp(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++) {
		uint8_t *b = pkts[i % NBUF];
		uint32_t a = next_packet(b, &seq_srtp);

		bad += !RTP_SEQ_VALID(op_relay_srtp(b, PKT_LEN + TAG_LEN, a)) &&
		       rx_srtp.pkts > 1;
	}
}

static void
run_rtp_parse(uint64_t iters)
{
	struct rtp_hdr h;

	for (uint64_t i = 0; i < iters; i++) {
		bad += op_rtp_parse(pkts[i % NBUF], PKT_LEN, &h) != RTP_OK;
		sink += h.seq;
	}
}

static void
run_rx_update(uint64_t iters)
{
	struct rtp_hdr h = { .ssrc = 0x5eed, .pt = 0 };

	for (uint64_t i = 0; i < iters; i++) {
		uint32_t s = seq_alone++;

		h.seq = (uint16_t)s;
		h.ts = 160u * s;
		bad += !RTP_SEQ_VALID(op_rx_update(&h, arrival_of(s))) &&
		       rx_alone.pkts > 1;
	}
}

static void
run_rtcp_check(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		bad += op_rtcp_check(rtcp, sizeof(rtcp)) != RTP_OK;
}

static void
run_copy(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		op_copy(pkts[i % NBUF], PKT_LEN);
}

struct bench_case {
	const char *label;
	void (*run)(uint64_t iters);
	uint64_t iters;
	double ns[MAX_ROUNDS], cycles[MAX_ROUNDS], ratio[MAX_ROUNDS];
	double ns_med, cycles_med, ratio_med;
};

enum { CASE_RELAY, CASE_RELAY_SRTP, CASE_PARSE, CASE_RX, CASE_RTCP, CASE_COPY, CASE__COUNT };

static struct bench_case cases[CASE__COUNT] = {
	[CASE_RELAY] = { "relay RTP (demux+parse+rx+tx)", run_relay_rtp },
	[CASE_RELAY_SRTP] = { "relay SRTP (+trailer, ROC)", run_relay_srtp },
	[CASE_PARSE] = { "rtp_parse", run_rtp_parse },
	[CASE_RX] = { "rtp_rx_update", run_rx_update },
	[CASE_RTCP] = { "rtcp_check SR+RB+SDES", run_rtcp_check },
	[CASE_COPY] = { "copy 172 B (reference)", run_copy },
};

/* ---- clocks ------------------------------------------------------------ */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
tsc(void)
{
#if BENCH_HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const double *v, unsigned int n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* ---- setup and the check of what was measured --------------------------- */

static void
setup(void)
{
	for (unsigned int i = 0; i < NBUF; i++) {
		uint8_t *b = pkts[i];

		memset(b, 0xd5, sizeof(pkts[i]));   /* G.711 A-law silence */
		b[0] = 0x80;
		b[1] = 8;                           /* PCMA */
		put32(b + 8, 0x5eed);
	}
	/* SR (one report block) + SDES CNAME "ab" */
	memset(rtcp, 0, sizeof(rtcp));
	rtcp[0] = 0x81;
	rtcp[1] = RTCP_PT_SR;
	put16(rtcp + 2, 12);
	put32(rtcp + 4, 0x5eed);
	rtcp[52] = 0x81;
	rtcp[53] = RTCP_PT_SDES;
	put16(rtcp + 54, 3);
	put32(rtcp + 56, 0x5eed);
	rtcp[60] = 1;
	rtcp[61] = 2;
	rtcp[62] = 'a';
	rtcp[63] = 'b';
	srtp_roc_init(&roc, 0, 0);
}

static bool
check(const struct rtp_rx *st, const char *what)
{
	/* every packet valid but the first (A.1's probation), none lost,
	 * the jitter of arrivals spread evenly over 0..20 units */
	if (st->pkts == 0)
		return true;
	if (rtp_rx_lost(st) != 0 || rtp_rx_expected(st) != st->pkts - 1 ||
	    rtp_rx_jitter(st) < 2 || rtp_rx_jitter(st) > 20) {
		fprintf(stderr, "bench_rtp: %s: lost %lld of %llu, jitter %u\n", what,
			(long long)rtp_rx_lost(st), (unsigned long long)rtp_rx_expected(st),
			rtp_rx_jitter(st));
		return false;
	}
	return true;
}

int
main(int argc, char **argv)
{
	uint64_t budget_ns = 5000000000ull, calls = 0;
	unsigned int rounds;
	bool quick = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
			budget_ns = 1000000000ull;
		} else if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc) {
			calls = strtoull(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: bench_rtp [--quick | --calls N]\n");
			return 2;
		}
	}
	setup();

	if (calls > 0) {
		for (unsigned int c = 0; c < CASE__COUNT; c++)
			cases[c].run(calls);
		printf("bench_rtp: %llu calls of each op_ function\n", (unsigned long long)calls);
	} else {
		uint64_t slice;

		rounds = quick ? 5 : 25;
		slice = budget_ns / rounds / CASE__COUNT;
		/* calibrate: iterations that take about a slice */
		for (unsigned int c = 0; c < CASE__COUNT; c++) {
			uint64_t n = 1000, t;

			for (;;) {
				t = now_ns();
				cases[c].run(n);
				t = now_ns() - t;
				if (t >= slice / 4 || n >= (1ull << 32))
					break;
				n *= 2;
			}
			cases[c].iters = t > 0 ? (uint64_t)((double)n * (double)slice / (double)t) : n;
			if (cases[c].iters == 0)
				cases[c].iters = 1;
		}
		for (unsigned int r = 0; r < rounds; r++) {
			for (unsigned int k = 0; k < CASE__COUNT; k++) {
				struct bench_case *c = &cases[(r + k) % CASE__COUNT];
				uint64_t t0 = now_ns(), c0 = tsc();

				c->run(c->iters);
				c->cycles[r] = (double)(tsc() - c0) / (double)c->iters;
				c->ns[r] = (double)(now_ns() - t0) / (double)c->iters;
			}
			for (unsigned int k = 0; k < CASE__COUNT; k++)
				cases[k].ratio[r] = cases[k].ns[r] / cases[CASE_COPY].ns[r];
		}
		printf("bench_rtp (%s): G.711 20 ms, %u-octet RTP packets (SRTP +%u)\n",
		       quick ? "quick" : "full", PKT_LEN, TAG_LEN);
		printf("median of %u rounds; ratio = median of per-round ratios to the copy\n",
		       rounds);
		printf("cycles are TSC reference cycles%s\n\n",
		       BENCH_HAVE_TSC ? "" : " (not available on this CPU: 0)");
		printf("%-32s %10s %12s %10s %12s\n", "case", "ns/call", "cycles/call",
		       "x copy", "iters/round");
		for (unsigned int c = 0; c < CASE__COUNT; c++) {
			struct bench_case *bc = &cases[c];

			bc->ns_med = median(bc->ns, rounds);
			bc->cycles_med = median(bc->cycles, rounds);
			bc->ratio_med = median(bc->ratio, rounds);
			printf("%-32s %10.2f %12.1f %10.2f %12llu\n", bc->label, bc->ns_med,
			       bc->cycles_med, bc->ratio_med, (unsigned long long)bc->iters);
		}
	}
	if (bad != 0) {
		fprintf(stderr, "bench_rtp: %llu calls judged a good packet wrong\n",
			(unsigned long long)bad);
		return 1;
	}
	if (!check(&rx_relay, "relay RTP") || !check(&rx_srtp, "relay SRTP") ||
	    !check(&rx_alone, "rtp_rx_update"))
		return 1;
	return 0;
}
