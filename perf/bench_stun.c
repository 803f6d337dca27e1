/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_stun: what it costs a TURN server to accept one authenticated
 * request, against the cost of the one HMAC it cannot avoid.
 *
 * The message is a typical authenticated Allocate request (RFC 8656 §7.1:
 * REQUESTED-TRANSPORT UDP, LIFETIME, SOFTWARE, USERNAME, REALM, NONCE,
 * MESSAGE-INTEGRITY under a long-term MD5 key, FINGERPRINT; 156 bytes).
 * Timed side by side in the same run:
 *   parse+MI+FP     stun_msg_parse + stun_check_integrity +
 *                   stun_check_fingerprint, both checks required VALID
 *   parse           stun_msg_parse alone
 *   FP              stun_check_fingerprint on the parsed message
 *   HMAC-SHA1       stun_hmac_sha1 over the same 156 bytes (the reference)
 *   parse+MI256+FP  the same request with MESSAGE-INTEGRITY-SHA256 under
 *                   the long-term SHA-256 key (168 bytes)
 *   HMAC-SHA256     stun_hmac_sha256 over those 168 bytes
 * Each round times every case once, in rotating order, for a slice of the
 * time budget; we report the median over rounds of ns and TSC cycles per
 * message, and the median over rounds of each case's ratio to HMAC-SHA1
 * measured in the same round (so frequency drift cancels).
 *
 *   bench_stun [--quick] [--json FILE]
 *
 * --quick takes about 1 s (the perf-quick suite), the default about 10 s.
 * Exit status: 0, or 1 when the codec gets the message wrong (it must
 * verify what is measured), 2 on bad usage. Speed never fails the run.
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

#include "stun.h"
#include "tp_common.h"

#define BENCH_USER     "alice@example.net"
#define BENCH_REALM    "example.net"
#define BENCH_PASSWORD "correct horse battery staple"
#define BENCH_NONCE    "obMatJos2AAACf//499k954d"
#define BENCH_SOFTWARE "turnpike-bench"

#define MAX_ROUNDS 64

/* The two requests under test and their parsed forms. */
static uint8_t msg1[256], msg2[256];
static size_t msg1_len, msg2_len;
static uint8_t key_md5[32], key_sha256[32];
static struct stun_msg parsed1;

static volatile uint32_t sink;
/* parse+MI256+FP against HMAC-SHA256 of the same round, median. */
static double ratio256_med;

/* ---- the timed operations; each returns how many iterations failed --- */

static uint64_t
run_parse_verify_sha1(uint64_t iters)
{
	struct stun_msg m;
	uint64_t bad = 0;

	for (uint64_t i = 0; i < iters; i++) {
		if (stun_msg_parse(&m, msg1, msg1_len, NULL) != 0 ||
		    stun_check_integrity(&m, key_md5, 16) != STUN_CHECK_VALID ||
		    stun_check_fingerprint(&m) != STUN_CHECK_VALID)
			bad++;
	}
	return bad;
}

static uint64_t
run_parse(uint64_t iters)
{
	struct stun_msg m;
	uint64_t bad = 0;

	for (uint64_t i = 0; i < iters; i++) {
		if (stun_msg_parse(&m, msg1, msg1_len, NULL) != 0)
			bad++;
	}
	return bad;
}

static uint64_t
run_fingerprint(uint64_t iters)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < iters; i++)
		if (stun_check_fingerprint(&parsed1) != STUN_CHECK_VALID)
			bad++;
	return bad;
}

static uint64_t
run_hmac_sha1(uint64_t iters)
{
	uint8_t mac[20];
	uint64_t bad = 0;

	for (uint64_t i = 0; i < iters; i++) {
		if (stun_hmac_sha1(key_md5, 16, msg1, msg1_len, mac) != 0)
			bad++;
		sink += mac[0];
	}
	return bad;
}

static uint64_t
run_parse_verify_sha256(uint64_t iters)
{
	struct stun_msg m;
	uint64_t bad = 0;

	for (uint64_t i = 0; i < iters; i++) {
		if (stun_msg_parse(&m, msg2, msg2_len, NULL) != 0 ||
		    stun_check_integrity_sha256(&m, key_sha256, 32) !=
			    STUN_CHECK_VALID ||
		    stun_check_fingerprint(&m) != STUN_CHECK_VALID)
			bad++;
	}
	return bad;
}

static uint64_t
run_hmac_sha256(uint64_t iters)
{
	uint8_t mac[32];
	uint64_t bad = 0;

	for (uint64_t i = 0; i < iters; i++) {
		if (stun_hmac_sha256(key_sha256, 32, msg2, msg2_len, mac) != 0)
			bad++;
		sink += mac[0];
	}
	return bad;
}

struct bench_case {
	const char *label;
	const char *json_key;
	uint64_t (*run)(uint64_t iters);
	uint64_t iters;           /* per round, from calibration */
	uint64_t failures;
	double ns[MAX_ROUNDS];    /* per message, one per round */
	double cycles[MAX_ROUNDS];
	double ratio[MAX_ROUNDS]; /* ns / HMAC-SHA1 ns of the same round */
	double ns_med, cycles_med, ratio_med;
};

enum {
	CASE_PARSE_VERIFY,
	CASE_PARSE,
	CASE_FP,
	CASE_HMAC_SHA1,
	CASE_PARSE_VERIFY256,
	CASE_HMAC_SHA256,
	CASE__COUNT,
};

static struct bench_case cases[CASE__COUNT] = {
	[CASE_PARSE_VERIFY] = { .label = "parse+MI+FP (HMAC-SHA1)",
		.json_key = "parse_verify_sha1", .run = run_parse_verify_sha1 },
	[CASE_PARSE] = { .label = "parse only",
		.json_key = "parse", .run = run_parse },
	[CASE_FP] = { .label = "FINGERPRINT check only",
		.json_key = "fingerprint", .run = run_fingerprint },
	[CASE_HMAC_SHA1] = { .label = "HMAC-SHA1, same bytes",
		.json_key = "hmac_sha1", .run = run_hmac_sha1 },
	[CASE_PARSE_VERIFY256] = { .label = "parse+MI256+FP (HMAC-SHA256)",
		.json_key = "parse_verify_sha256",
		.run = run_parse_verify_sha256 },
	[CASE_HMAC_SHA256] = { .label = "HMAC-SHA256, same bytes",
		.json_key = "hmac_sha256", .run = run_hmac_sha256 },
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
median(const double *v, unsigned n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* ---- setup: build the requests and prove the codec verifies them ------- */

static int
build_request(uint8_t *buf, size_t cap, bool sha256)
{
	static const uint8_t tid[STUN_TID_LEN] = {
		0x5a, 0x1e, 0x0c, 0x77, 0x21, 0x9b, 0x40, 0x03,
		0xe8, 0x6d, 0x12, 0xc4,
	};
	struct stun_builder b;

	stun_build_init(&b, buf, cap,
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST),
			tid);
	stun_build_transport(&b, STUN_TRANSPORT_UDP);
	stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, BENCH_SOFTWARE);
	stun_build_str(&b, STUN_ATTR_USERNAME, BENCH_USER);
	stun_build_str(&b, STUN_ATTR_REALM, BENCH_REALM);
	stun_build_str(&b, STUN_ATTR_NONCE, BENCH_NONCE);
	if (sha256)
		stun_build_integrity_sha256(&b, key_sha256, 32);
	else
		stun_build_integrity(&b, key_md5, 16);
	stun_build_fingerprint(&b);
	return stun_build_finish(&b);
}

static bool
fail(const char *what)
{
	fprintf(stderr, "bench_stun: %s\n", what);
	return false;
}

/* The benchmark must verify what it measures: the good messages verify,
 * a tampered copy and a wrong key do not. */
static bool
setup(void)
{
	uint8_t bad[256], wrong_key[16];
	struct stun_msg m;
	const struct stun_attr *nonce;
	int n;

	if (stun_key_long_term(STUN_PWALG_MD5, BENCH_USER, BENCH_REALM,
			       BENCH_PASSWORD, key_md5) != 16 ||
	    stun_key_long_term(STUN_PWALG_SHA256, BENCH_USER, BENCH_REALM,
			       BENCH_PASSWORD, key_sha256) != 32)
		return fail("long-term key derivation failed");

	n = build_request(msg1, sizeof(msg1), false);
	if (n <= 0)
		return fail("cannot build the MESSAGE-INTEGRITY request");
	msg1_len = (size_t)n;
	n = build_request(msg2, sizeof(msg2), true);
	if (n <= 0)
		return fail("cannot build the MI-SHA256 request");
	msg2_len = (size_t)n;

	if (stun_msg_parse(&parsed1, msg1, msg1_len, NULL) != 0)
		return fail("request does not parse");
	if (stun_check_integrity(&parsed1, key_md5, 16) != STUN_CHECK_VALID)
		return fail("MESSAGE-INTEGRITY does not verify");
	if (stun_check_fingerprint(&parsed1) != STUN_CHECK_VALID)
		return fail("FINGERPRINT does not verify");
	if (stun_msg_parse(&m, msg2, msg2_len, NULL) != 0)
		return fail("SHA-256 request does not parse");
	if (stun_check_integrity_sha256(&m, key_sha256, 32) != STUN_CHECK_VALID)
		return fail("MESSAGE-INTEGRITY-SHA256 does not verify");
	if (stun_check_fingerprint(&m) != STUN_CHECK_VALID)
		return fail("FINGERPRINT of the MI-SHA256 request fails");

	memcpy(wrong_key, key_md5, sizeof(wrong_key));
	wrong_key[0] ^= 1;
	if (stun_check_integrity(&parsed1, wrong_key, 16) != STUN_CHECK_INVALID)
		return fail("MESSAGE-INTEGRITY accepts a wrong key");

	memcpy(bad, msg1, msg1_len);
	nonce = stun_msg_find(&parsed1, STUN_ATTR_NONCE);
	if (nonce == NULL || nonce->len == 0)
		return fail("NONCE not found in the parsed request");
	bad[nonce->offset + STUN_ATTR_HDR_LEN] ^= 0x01;
	if (stun_msg_parse(&m, bad, msg1_len, NULL) != 0)
		return fail("tampered request does not parse");
	if (stun_check_integrity(&m, key_md5, 16) != STUN_CHECK_INVALID)
		return fail("MESSAGE-INTEGRITY accepts a tampered NONCE");
	if (stun_check_fingerprint(&m) != STUN_CHECK_INVALID)
		return fail("FINGERPRINT accepts a tampered NONCE");
	return true;
}

/* ---- measurement ------------------------------------------------------- */

/* Iterations that take about slice_ns: warm up (first use sets up the
 * OpenSSL contexts), double until a run takes 2 ms, then take the fastest
 * of three runs of that size so one preemption does not skew the count. */
static uint64_t
calibrate(struct bench_case *c, uint64_t slice_ns)
{
	uint64_t iters = 16, t, best;

	c->failures += c->run(1);
	for (;;) {
		t = now_ns();
		c->failures += c->run(iters);
		t = now_ns() - t;
		if (t >= 2000000u || iters >= (1u << 30))
			break;
		iters *= 2;
	}
	best = t;
	for (int i = 0; i < 2; i++) {
		t = now_ns();
		c->failures += c->run(iters);
		t = now_ns() - t;
		if (t < best)
			best = t;
	}
	if (best == 0)
		best = 1;
	iters = (uint64_t)((double)iters * (double)slice_ns / (double)best);
	return iters ? iters : 1;
}

static void
measure(struct bench_case *c, unsigned round)
{
	uint64_t t0, t1, c0, c1;

	t0 = now_ns();
	c0 = tsc();
	c->failures += c->run(c->iters);
	c1 = tsc();
	t1 = now_ns();
	c->ns[round] = (double)(t1 - t0) / (double)c->iters;
	c->cycles[round] = (double)(c1 - c0) / (double)c->iters;
}

static void
print_table(unsigned rounds, bool quick)
{
	printf("bench_stun (%s): authenticated Allocate request, %zu bytes "
	       "(MI-SHA256 variant %zu bytes)\n",
	       quick ? "quick" : "full", msg1_len, msg2_len);
	printf("median of %u rounds; ratio = median of per-round ratios to "
	       "HMAC-SHA1 timed in the same round\n", rounds);
	printf("cycles are TSC reference cycles%s\n\n",
	       BENCH_HAVE_TSC ? "" : " (not available on this CPU: 0)");
	printf("%-30s %12s %12s %12s %12s\n", "case", "ns/msg", "cycles/msg",
	       "x HMAC-SHA1", "iters/round");
	for (unsigned i = 0; i < CASE__COUNT; i++) {
		const struct bench_case *c = &cases[i];

		printf("%-30s %12.1f %12.0f %12.2f %12llu\n", c->label,
		       c->ns_med, c->cycles_med, c->ratio_med,
		       (unsigned long long)c->iters);
	}
	printf("\nparse+MI+FP costs %.2fx one HMAC-SHA1 over the message; "
	       "parse+MI256+FP costs %.2fx one HMAC-SHA256\n",
	       cases[CASE_PARSE_VERIFY].ratio_med, ratio256_med);
}

static int
write_json(const char *path, unsigned rounds, bool quick)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\n  \"benchmark\": \"bench_stun\",\n");
	fprintf(f, "  \"mode\": \"%s\",\n", quick ? "quick" : "full");
	fprintf(f, "  \"message\": \"allocate-request-long-term-md5\",\n");
	fprintf(f, "  \"message_bytes\": %zu,\n", msg1_len);
	fprintf(f, "  \"message_sha256_bytes\": %zu,\n", msg2_len);
	fprintf(f, "  \"rounds\": %u,\n", rounds);
	fprintf(f, "  \"tsc\": %s,\n", BENCH_HAVE_TSC ? "true" : "false");
	fprintf(f, "  \"cases\": {\n");
	for (unsigned i = 0; i < CASE__COUNT; i++) {
		const struct bench_case *c = &cases[i];

		fprintf(f, "    \"%s\": { \"ns_per_msg\": %.2f, "
			"\"cycles_per_msg\": %.1f, \"x_hmac_sha1\": %.3f, "
			"\"iters_per_round\": %llu }%s\n",
			c->json_key, c->ns_med, c->cycles_med, c->ratio_med,
			(unsigned long long)c->iters,
			i + 1 < CASE__COUNT ? "," : "");
	}
	fprintf(f, "  },\n");
	fprintf(f, "  \"parse_verify_sha1_x_hmac_sha1\": %.3f,\n",
		cases[CASE_PARSE_VERIFY].ratio_med);
	fprintf(f, "  \"parse_verify_sha256_x_hmac_sha256\": %.3f\n}\n",
		ratio256_med);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: bench_stun [--quick] [--json FILE]\n");
}

int
main(int argc, char **argv)
{
	const char *json = NULL;
	bool quick = false;
	unsigned rounds;
	uint64_t budget_ns, slice_ns, failures = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			json = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	if (!setup())
		return 1;

	/* Calibration takes a few ms per case; the rounds take the rest. */
	rounds = quick ? 7 : 21;
	budget_ns = quick ? UINT64_C(800000000) : UINT64_C(9000000000);
	slice_ns = budget_ns / (rounds * CASE__COUNT);
	for (unsigned i = 0; i < CASE__COUNT; i++)
		cases[i].iters = calibrate(&cases[i], slice_ns);

	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < CASE__COUNT; k++)
			measure(&cases[(r + k) % CASE__COUNT], r);

	{
		double ratio256[MAX_ROUNDS];

		for (unsigned r = 0; r < rounds; r++)
			ratio256[r] = cases[CASE_PARSE_VERIFY256].ns[r] /
				      cases[CASE_HMAC_SHA256].ns[r];
		ratio256_med = median(ratio256, rounds);
	}
	for (unsigned i = 0; i < CASE__COUNT; i++) {
		struct bench_case *c = &cases[i];

		for (unsigned r = 0; r < rounds; r++)
			c->ratio[r] = c->ns[r] / cases[CASE_HMAC_SHA1].ns[r];
		c->ns_med = median(c->ns, rounds);
		c->cycles_med = median(c->cycles, rounds);
		c->ratio_med = median(c->ratio, rounds);
		if (c->failures != 0)
			fprintf(stderr, "bench_stun: %s failed %llu times\n",
				c->label, (unsigned long long)c->failures);
		failures += c->failures;
	}

	print_table(rounds, quick);
	if (json != NULL && write_json(json, rounds, quick) != 0)
		return 1;
	return failures ? 1 : 0;
}
