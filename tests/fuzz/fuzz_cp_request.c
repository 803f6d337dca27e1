/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: turnpike-cp's whole request path. The real
 * cp/alloc/alloc.c with cp/auth, cp/policy, lib/stun, lib/ipc, lib/timer
 * and lib/conf, a real (private) IPC segment, and a fake clock. Every
 * message reaches cp as dp hands it over: written into worker w's to_cp
 * ring, taken out with ipc_ring_dequeue() and given to cp_handle(), the
 * way cp's loop does it. One input is a SEQUENCE of records, so that
 * state carried from one request to the next (allocations, reservations,
 * quotas, timers) is exercised, not just one message at a time.
 *
 * Input: byte 0 picks the set-up (configuration, auth features); then
 * records until the input runs out. A record starts with op:
 *   op & 7  0-3  a request the harness builds (method, attributes from a
 *                small program, then USERNAME/USERHASH, REALM, NONCE,
 *                PASSWORD-ALGORITHM(S), MESSAGE-INTEGRITY(-SHA256) and
 *                FINGERPRINT for a known user, a TURN REST username of a
 *                chosen length, a wrong key, a stale nonce ...), so that
 *                fuzzed requests get past authentication;
 *           4    a raw request: the body is the STUN message as given;
 *           5    what else dp (or whoever writes the ring: a local
 *                attacker) sends: STATE_ALLOC (raw or mostly sane),
 *                STATS, STATE_DONE, or a header of any kind;
 *           6    cp's own events: kill an allocation (operator), a dp
 *                restart (reinstall pass), a stats or state request;
 *           7    the clock alone.
 *   op >> 3      a clock step (steps[]) taken before the record, after
 *                which the timer wheel is advanced: expiry paths run.
 * After each step both workers' to_dp rings are drained (cp's answers),
 * so they never fill, and checked.
 *
 * What must hold (abort() otherwise, so libFuzzer keeps the input):
 *   - memory safety and no UB (ASan, UBSan), no leak;
 *   - a request that parses is answered exactly once (unless cp's
 *     challenge rate limit drops it), by a RESPONSE that parses, carries
 *     a valid FINGERPRINT, the request's transaction id, method and
 *     5-tuple, and whose MESSAGE-INTEGRITY (when signed) verifies with
 *     the key the request used; the response comes after the state it
 *     announces (install first, response second, on the same ring);
 *   - an Allocate success relays from one of cp's addresses, at a port
 *     of the requesting worker's share of the range;
 *   - no two live allocations share a relayed (address, port), and every
 *     live allocation's pair is marked used in cp's port bitmap;
 *   - 486 is answered only when a quota is really reached (the user has
 *     quota_user live allocations, or cp has quota_total);
 *   - dp's view (the ALLOC_ADD / ALLOC_DEL cp sent, and what dp reported
 *     back) is exactly cp's set of live allocations; no ring overflows;
 *   - cp's counts (live allocations, per worker) match its allocations.
 * Only what cp shows through cp.h is read (cp_alloc_next(), the
 * allocations, counts, the port bitmap), not how it keeps its quota table
 * or reservations. An overrun of a fixed array inside a struct (a quota
 * slot's name, say) is caught by UBSan's bounds check where the index is
 * out of range, and by ASan past the end of the heap block.
 * The logical checks assume dp's reports are consistent: once a
 * STATE_ALLOC that contradicts cp's state (a pair or 5-tuple in use, a
 * username longer than the slot) was accepted, only memory safety is
 * checked for the rest of the input, unless TP_FUZZ_CP_STRICT=1 (then
 * they hold always: cp should refuse such reports). TP_FUZZ_CP_NO_STATE=1
 * skips STATE_ALLOC records (to look for request-path bugs alone).
 * TP_FUZZ_CP_TRACE=1 prints each record and cp's answers (to read a
 * crashing input: ./fuzz_cp_request crash-...).
 *
 * RAND_bytes() is replaced by a generator seeded per input, so that a
 * crashing input replays exactly (relayed ports and tokens are random).
 *
 * TP_FUZZ_CP_SEEDS=DIR makes the target write its seed corpus (valid
 * Allocate / Refresh / CreatePermission / ChannelBind sequences) into DIR
 * and exit: tests/fuzz/corpus/cp_request is made that way.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "auth.h"
#include "cp.h"
#include "alloc/alloc_state.h"
#include "ipc.h"
#include "policy.h"
#include "steer.h"
#include "stun.h"
#include "tp_conf.h"
#include "tw.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BROKEN(...)							\
	do {								\
		fprintf(stderr, "broken invariant: " __VA_ARGS__);	\
		fputc('\n', stderr);					\
		abort();						\
	} while (0)

#define REALM     "r.test"
#define SECRET    "fuzz-rest-secret"
#define START_MS  123456789ull       /* CLOCK_MONOTONIC: some 34 h up */
#define WALL_MS   1700000000000ull   /* CLOCK_REALTIME then */
#define NCONF     2
#define NCLIENTS  8
#define MAX_SIM   256

/* Each input sets cp up anew (cp_alloc_init() callocs 1 MiB of hash
 * heads): ASan then zeroes their shadow with memset rather than mmap, and
 * keeps a smaller quarantine, three times the executions a second on a
 * 2-core VM. Options in ASAN_OPTIONS still win. */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "clear_shadow_mmap_threshold=1073741824:quarantine_size_mb=64";
}

/* ---- deterministic randomness -------------------------------------------- */

static uint64_t rng;

/* cp draws relayed ports, reservation tokens, nonce salts and its keys
 * from RAND_bytes(); this definition in the executable takes the place
 * of libcrypto's for all of them. */
int
RAND_bytes(unsigned char *buf, int num)
{
	for (int i = 0; i < num; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		buf[i] = (unsigned char)(rng >> 24);
	}
	return 1;
}

/* ---- set-up ------------------------------------------------------------- */

/* 0: two relayed addresses per family, 6 ports per worker, quota 8 / 3.
 * 1: the core port's own IPv4 address only, 2 ports per worker, quota 3 /
 *    2 (508, 486, 440 and partial dual allocations are a few requests
 *    away). */
static const char *const conf_text[NCONF] = {
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\";\n"
	"    ipv6 = \"fd00::1/64\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
	"    ipv6 = \"fd00:1::1/64\"; relay_ipv4 = [\"10.1.0.11\", \"10.1.0.12\"];\n"
	"    relay_ipv6 = [\"fd00:1::11\", \"fd00:1::12\"]; }); };\n"
	"turn = { realm = \"" REALM "\"; software = \"fuzz\"; relay_ports = [50000, 50011];\n"
	"         ipc = \"%s\"; };\n"
	"cp = { lifetime_default = 600; lifetime_max = 1200; quota_user = 3;\n"
	"       quota_total = 8; permission_lifetime = 300; channel_lifetime = 600; };\n",

	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"turn = { realm = \"" REALM "\"; relay_ports = [50000, 50003]; ipc = \"%s\";\n"
	"         channels = \"rfc5766\"; };\n"
	"cp = { quota_user = 2; quota_total = 3; };\n",
};

/* Static users: two plain ones and two whose names are longer than the
 * 256 bytes an IPC username holds (RFC 8489 allows up to 509/512). */
#define NUSERS 4
static char user_name[NUSERS][520];
static const char *const user_pw[NUSERS] = { "pw-a", "pw-b", "pw-c", "pw-d" };

static struct tp_conf confs[NCONF];
static struct cp_policy *policies[NCONF];
static struct cp_ctx cp;
static struct ipc_seg seg;
static bool strict, no_state, trace;

/* Clients: the 5-tuples requests come from. */
static void
client_tuple(struct ipc_tuple *t, unsigned int k, bool tcp)
{
	memset(t, 0, sizeof(*t));
	t->transport = tcp ? 6 : 17;
	t->conn_id = tcp ? 100 + k : 0;
	if (k < 6) {
		t->client.family = 4;
		t->client.ip[0] = 10;
		t->client.ip[3] = (uint8_t)(2 + k / 2);
		t->client.port = (uint16_t)(40000 + k);
		t->server.family = 4;
		t->server.ip[0] = 10;
		t->server.ip[3] = 1;
	} else {
		t->client.family = 6;
		t->client.ip[0] = 0xfd;
		t->client.ip[15] = (uint8_t)k;
		t->client.port = (uint16_t)(40000 + k);
		t->server.family = 6;
		t->server.ip[0] = 0xfd;
		t->server.ip[15] = 1;
	}
	t->server.port = 3478;
}

/* As cp sees the source of a request (alloc.c's stun_from_ipc()). */
static void
peer_of(struct cp_auth_peer *p, const struct ipc_tuple *t)
{
	memset(p, 0, sizeof(*p));
	p->addr.family = t->client.family == 4 ? STUN_AF_IPV4 : STUN_AF_IPV6;
	p->addr.port = t->client.port;
	memcpy(p->addr.ip, t->client.ip, 16);
	p->transport = t->transport;
}

/* ---- seed corpus (TP_FUZZ_CP_SEEDS=DIR) ------------------------------------ */

struct seed {
	uint8_t b[512];
	size_t n;
};

static void
put(struct seed *sd, const uint8_t *p, size_t n)
{
	CHECK(sd->n + n <= sizeof(sd->b));
	if (n == 0)
		return;
	memcpy(sd->b + sd->n, p, n);
	sd->n += n;
}

#define PUT(sd, ...) put(sd, (const uint8_t[]){ __VA_ARGS__ }, \
			 sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* Method indexes, auth modes and program codes of op_request(). */
enum { M_ALLOC = 0, M_REFRESH = 1, M_PERM = 2, M_CHAN = 3, M_BINDING = 5 };
enum { A_NONE = 0, A_ALICE = 1, A_BOB = 2, A_REST = 3, A_HASH = 4, A_LONG = 7 };
#define WHO(w, k)       ((uint8_t)((w) | (k) << 1))
#define METH(m, mode)   ((uint8_t)((m) | (mode) << 5))
#define AUX(nv, fp, sha, mi256, lc) \
	((uint8_t)((nv) | (fp) << 2 | (sha) << 3 | (mi256) << 4 | (lc) << 5))

/* A built request: op (clock step), who, method/mode, aux, [extra], program. */
static void
req(struct seed *sd, uint8_t step, uint8_t who, uint8_t meth, uint8_t aux,
    const uint8_t *prog, size_t plen)
{
	PUT(sd, (uint8_t)(step << 3), who, meth, aux);
	if ((meth >> 5) == A_REST)
		PUT(sd, 0x00);   /* expiry now + 1 h, "expiry:user" */
	PUT(sd, (uint8_t)plen);
	put(sd, prog, plen);
}

static void
write_seed(const char *dir, const char *name, const struct seed *sd)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	CHECK(f != NULL);
	CHECK(fwrite(sd->b, 1, sd->n, f) == sd->n);
	fclose(f);
}

/* Program codes (build_attrs()): 0x00 v transport, 0x01 v lifetime,
 * 0x02/0x03 v REQUESTED/ADDITIONAL-ADDRESS-FAMILY, 0x04/0x14 EVEN-PORT
 * R=0/1, 0x05 the last RESERVATION-TOKEN, 0x06 p XOR-PEER-ADDRESS,
 * 0x08 v CHANNEL-NUMBER, 0x09 DONT-FRAGMENT, 0x0f end. */
static void
write_seeds(const char *dir)
{
	struct seed sd;

	/* 1. the whole life of an allocation, MD5 (alice) */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(0, 0), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x01, 3 }, 2);
	req(&sd, 8, WHO(0, 0), METH(M_REFRESH, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x01, 3 }, 2);
	req(&sd, 0, WHO(0, 0), METH(M_PERM, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x06, 0x00, 0x06, 0x01 }, 4);
	req(&sd, 0, WHO(0, 0), METH(M_CHAN, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x08, 0, 0x06, 0x20 }, 4);
	req(&sd, 0, WHO(0, 0), METH(M_REFRESH, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x01, 0 }, 2);
	write_seed(dir, "life_md5", &sd);

	/* 2. SHA-256 (bob), MESSAGE-INTEGRITY-SHA256, worker 1, TCP */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(1, 2) | 0x10, METH(M_ALLOC, A_BOB), AUX(0, 1, 1, 1, 0),
	    (const uint8_t[]){ 0x09 }, 1);
	req(&sd, 0, WHO(1, 2) | 0x10, METH(M_PERM, A_BOB), AUX(0, 1, 1, 1, 0),
	    (const uint8_t[]){ 0x06, 0x08 }, 2);
	req(&sd, 0, WHO(1, 2) | 0x10, METH(M_CHAN, A_BOB), AUX(0, 1, 1, 1, 0),
	    (const uint8_t[]){ 0x08, 1, 0x06, 0x21 }, 4);
	write_seed(dir, "life_sha256_tcp", &sd);

	/* 3. EVEN-PORT R=1, then the token from another client */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(0, 0), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x14 }, 1);
	req(&sd, 0, WHO(0, 1), METH(M_ALLOC, A_BOB), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x05 }, 1);
	req(&sd, 0, WHO(0, 2), METH(M_ALLOC, A_BOB), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x04 }, 1);
	write_seed(dir, "even_port_token", &sd);

	/* 3b. a token nobody was given (all zeros) gets 508, and a token
	 * is good once: its second use gets 508 too */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(1, 3), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x15 }, 1);
	req(&sd, 0, WHO(1, 0), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x14 }, 1);
	req(&sd, 0, WHO(1, 1), METH(M_ALLOC, A_BOB), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x05 }, 1);
	req(&sd, 0, WHO(1, 2), METH(M_ALLOC, A_BOB), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x05 }, 1);
	write_seed(dir, "even_port_token_twice", &sd);

	/* 4. the reservation expires before its token is used */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(1, 3), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x14 }, 1);
	req(&sd, 12, WHO(1, 4), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x05 }, 1);
	req(&sd, 0, WHO(1, 5), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x14 }, 1);
	write_seed(dir, "even_port_expired", &sd);

	/* 5-7. TURN REST usernames of 300 and 500 bytes, and 255 */
	for (unsigned int i = 0; i < 3; i++) {
		static const uint8_t lc[3] = { 5, 6, 2 };
		static const char *const names[3] = {
			"rest_300", "rest_500", "rest_255" };

		memset(&sd, 0, sizeof(sd));
		PUT(&sd, 0x00);
		req(&sd, 0, WHO(0, 1), METH(M_ALLOC, A_REST), AUX(0, 1, 0, 0, lc[i]),
		    (const uint8_t[]){ 0x01, 3 }, 2);
		req(&sd, 0, WHO(0, 1), METH(M_PERM, A_REST), AUX(0, 1, 0, 0, lc[i]),
		    (const uint8_t[]){ 0x06, 0x01 }, 2);
		req(&sd, 0, WHO(0, 1), METH(M_REFRESH, A_REST), AUX(0, 1, 0, 0, lc[i]),
		    (const uint8_t[]){ 0x01, 0 }, 2);
		write_seed(dir, names[i], &sd);
	}

	/* 8. a static user with a 300-byte name, twice, then freed */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(0, 0), METH(M_ALLOC, A_LONG), AUX(0, 1, 0, 0, 0), NULL, 0);
	req(&sd, 0, WHO(1, 1), METH(M_ALLOC, A_LONG), AUX(0, 1, 0, 0, 0), NULL, 0);
	req(&sd, 0, WHO(0, 0), METH(M_REFRESH, A_LONG), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x01, 0 }, 2);
	write_seed(dir, "long_user_300", &sd);

	/* 9. ADDITIONAL-ADDRESS-FAMILY (dual) and REQUESTED IPv6, then a
	 * permission of each family */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(0, 6), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x03, 1 }, 2);
	req(&sd, 0, WHO(0, 7), METH(M_ALLOC, A_BOB), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x02, 1 }, 2);
	req(&sd, 0, WHO(0, 6), METH(M_PERM, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x06, 0x00, 0x06, 0x08, 0x06, 0x0a }, 6);
	write_seed(dir, "dual_and_ipv6", &sd);

	/* 10. the same on the IPv4-only set-up: partial success, 440 */
	sd.b[0] = 0x01;
	write_seed(dir, "dual_ipv4_only", &sd);

	/* 11. challenge first, then the nonce cp gave */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(0, 3), METH(M_ALLOC, A_NONE), AUX(0, 1, 0, 0, 0), NULL, 0);
	req(&sd, 0, WHO(0, 3), METH(M_ALLOC, A_ALICE), AUX(1, 1, 0, 0, 0), NULL, 0);
	req(&sd, 0, WHO(0, 3) | 0x20, METH(M_ALLOC, A_ALICE), AUX(1, 1, 0, 0, 0), NULL, 0);
	write_seed(dir, "challenge_then_auth", &sd);

	/* 12. quotas: alice on four 5-tuples (quota_user 3) */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	for (uint8_t k = 0; k < 4; k++)
		req(&sd, 0, WHO(k & 1u, k), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0),
		    NULL, 0);
	write_seed(dir, "quota_user", &sd);

	/* 13. capacity: 2 ports per worker on the small set-up, then 508 */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x01);
	for (uint8_t k = 0; k < 3; k++)
		req(&sd, 0, WHO(0, k), METH(M_ALLOC, k == 1 ? A_BOB : A_ALICE),
		    AUX(0, 1, 0, 0, 0), NULL, 0);
	write_seed(dir, "capacity_508", &sd);

	/* 14. lifetimes run out: allocation, permission, channel */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	req(&sd, 0, WHO(1, 0), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0), NULL, 0);
	req(&sd, 0, WHO(1, 0), METH(M_CHAN, A_ALICE), AUX(0, 1, 0, 0, 0),
	    (const uint8_t[]){ 0x08, 2, 0x06, 0x21 }, 4);
	PUT(&sd, (uint8_t)(16 << 3 | 7), (uint8_t)(19 << 3 | 7), (uint8_t)(21 << 3 | 7));
	write_seed(dir, "expiry", &sd);

	/* 15. dp's state after a cp restart, its counters, the end of it,
	 * then a dp restart (reinstall) and requests */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	/* op 5, STATE_ALLOC sane (sel bit 3): id, tuple, relay, port,
	 * lifetime, user length, bindings (peer, lifetime) x2 */
	PUT(&sd, 0x05, 0x08, 40, 0x05, 0x00, 0x03, 60, 5, 2, 0x00, 30, 0x28, 60);
	/* STATE_ALLOC raw: client 6, body_len 400, 8 bytes of body
	 * (nrelayed 1, key_len 16, pwalg MD5, user_len 5), the rest zero */
	PUT(&sd, 0x05, 0x00, 41, 0x06, 0x01, 0x90, 1, 1, 16, 1, 0, 5, 0, 0, 0);
	PUT(&sd, 0x05, 0x02, 2, 40, 0, 0, 0, 40, 3);             /* STATS */
	PUT(&sd, 0x05, 0x0c);                                  /* STATE_DONE */
	PUT(&sd, 0x06, 0x02);                                  /* reinstall */
	req(&sd, 0, WHO(0, 0), METH(M_ALLOC, A_ALICE), AUX(0, 1, 0, 0, 0), NULL, 0);
	PUT(&sd, 0x06, 0x04, 0x06, 0x0d, 0x06, 0x00);          /* stats, sync, kill */
	write_seed(dir, "dp_state", &sd);

	/* 16. a raw request: an unauthenticated Allocate as bytes */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x00);
	PUT(&sd, 0x04, WHO(0, 0), 0x00, 28,
	    0x00, 0x03, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42,
	    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	    0x00, 0x19, 0x00, 0x04, 17, 0, 0, 0);
	write_seed(dir, "raw_allocate", &sd);

	/* 17. USERHASH, stale nonce (438), wrong realm/nonce variants */
	memset(&sd, 0, sizeof(sd));
	PUT(&sd, 0x01 << 1);   /* set-up: advertise USERHASH */
	req(&sd, 0, WHO(0, 4), METH(M_ALLOC, A_HASH), AUX(0, 1, 1, 1, 0), NULL, 0);
	req(&sd, 0, WHO(0, 5), METH(M_ALLOC, 6), AUX(0, 1, 0, 0, 0), NULL, 0);
	req(&sd, 0, WHO(0, 5), METH(M_ALLOC, A_ALICE), AUX(3, 1, 0, 0, 0), NULL, 0);
	write_seed(dir, "userhash_stale_nonce", &sd);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[128], segname[64], err[256];
	bool created;

	(void)argc;
	(void)argv;
	strict = getenv("TP_FUZZ_CP_STRICT") != NULL &&
		 strcmp(getenv("TP_FUZZ_CP_STRICT"), "1") == 0;
	no_state = getenv("TP_FUZZ_CP_NO_STATE") != NULL &&
		   strcmp(getenv("TP_FUZZ_CP_NO_STATE"), "1") == 0;
	trace = getenv("TP_FUZZ_CP_TRACE") != NULL;
	snprintf(user_name[0], sizeof(user_name[0]), "alice");
	snprintf(user_name[1], sizeof(user_name[1]), "bob");
	memset(user_name[2], 'l', 300);
	memset(user_name[3], 'm', 500);

	snprintf(segname, sizeof(segname), "/tp-fuzz-cp-%d", (int)getpid());
	for (unsigned int i = 0; i < NCONF; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/tmp/tp-fuzz-cp-%d-%u.conf", (int)getpid(), i);
		f = fopen(path, "w");
		CHECK(f != NULL);
		fprintf(f, conf_text[i], segname);
		fclose(f);
		if (tp_conf_load(path, &confs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz_cp_request: %s\n", err);
			abort();
		}
		unlink(path);
		policies[i] = cp_policy_create();
		CHECK(policies[i] != NULL);
		/* as cp's policy_setup(): our own addresses are never peers,
		 * our relayed ones only to a live allocation (relay to relay) */
		for (unsigned int p = 0; p < confs[i].dp.nports; p++) {
			const struct tp_conf_port *tp = &confs[i].dp.ports[p];
			struct cp_addr a;

			memset(&a, 0, sizeof(a));
			a.family = 4;
			memcpy(a.ip, tp->ip4, 4);
			cp_policy_add_own(policies[i], &a);
		}
		for (unsigned int fi = 0; fi < 2; fi++) {
			uint8_t ips[TP_CONF_MAX_RELAY][16];
			unsigned int n = tp_conf_relay_addrs(&confs[i], fi == 0 ? 4 : 6, ips, NULL);

			for (unsigned int k = 0; k < n; k++) {
				struct cp_addr a;

				memset(&a, 0, sizeof(a));
				a.family = fi == 0 ? 4 : 6;
				memcpy(a.ip, ips[k], fi == 0 ? 4 : 16);
				cp_policy_add_own_relayed(policies[i], &a);
			}
		}
		CHECK(cp_policy_add_deny(policies[i], "192.0.2.128/25", NULL, 0) == 0);
	}
	if (getenv("TP_FUZZ_CP_SEEDS") != NULL) {
		write_seeds(getenv("TP_FUZZ_CP_SEEDS"));
		exit(0);
	}
	ipc_seg_unlink(segname);
	CHECK(ipc_seg_open(&seg, segname, 2, geteuid(), &created) == 0);
	/* The mapping stays; nothing is left in /dev/shm if we crash. */
	ipc_seg_unlink(segname);
	return 0;
}

/* ---- input cursor --------------------------------------------------------- */

struct cur {
	const uint8_t *p;
	size_t n;
};

static uint8_t
get8(struct cur *c)
{
	if (c->n == 0)
		return 0;
	c->n--;
	return *c->p++;
}

static uint16_t
get16(struct cur *c)
{
	uint16_t hi = get8(c);

	return (uint16_t)(hi << 8 | get8(c));
}

static uint32_t
get32(struct cur *c)
{
	uint32_t hi = get16(c);

	return hi << 16 | get16(c);
}

static size_t
getbytes(struct cur *c, void *out, size_t want)
{
	size_t n = want < c->n ? want : c->n;

	memcpy(out, c->p, n);
	memset((uint8_t *)out + n, 0, want - n);
	c->p += n;
	c->n -= n;
	return n;
}

/* ---- per-input state ------------------------------------------------------ */

static struct {
	unsigned int conf;
	bool tainted;             /* dp reported something inconsistent */
	uint64_t sim[MAX_SIM];    /* allocation ids dp holds (as cp told it) */
	unsigned int nsim;
	uint8_t token[8];         /* the last RESERVATION-TOKEN cp gave */
	bool have_token;
	char nonce[NCLIENTS][2][CP_AUTH_NONCE_LEN + 1];  /* last challenge's */
	uint8_t last_tid[NCLIENTS][2][STUN_TID_LEN];
	uint32_t tid_seq;
} g;

static struct ipc_msg inmsg, outmsg, seen;
static bool delivered;      /* the last deliver() reached cp_handle() */

static bool
sim_has(uint64_t id, unsigned int *at)
{
	for (unsigned int i = 0; i < g.nsim; i++)
		if (g.sim[i] == id) {
			if (at != NULL)
				*at = i;
			return true;
		}
	return false;
}

static void
sim_add(uint64_t id)
{
	if (sim_has(id, NULL))
		return;
	CHECK(g.nsim < MAX_SIM);
	g.sim[g.nsim++] = id;
}

static void
sim_del(uint64_t id)
{
	unsigned int at;

	if (sim_has(id, &at))
		g.sim[at] = g.sim[--g.nsim];
}

static void
cp_setup(unsigned int ci, uint8_t flags)
{
	struct cp_auth_conf ac;

	memset(&g, 0, sizeof(g));
	g.conf = ci;
	memset(&cp, 0, sizeof(cp));
	cp.conf = &confs[ci];
	cp.policy = policies[ci];
	cp.seg = seg;
	cp.nworkers = 2;
	cp.start_ms = START_MS;
	cp.now_ms = START_MS;
	cp.wall_ms = WALL_MS;
	cp.seg.shm->cp_epoch = 7;
	memset(&ac, 0, sizeof(ac));
	ac.realm = REALM;
	ac.software = "fuzz";
	ac.userhash = flags & 1u;
	ac.no_pwalgs = (flags >> 1) & 1u;
	ac.rl_buckets = 64;
	ac.max_users = 8;         /* small tables: set-up per input is cheap */
	cp.auth = cp_auth_init(&ac);
	CHECK(cp.auth != NULL);
	for (unsigned int i = 0; i < NUSERS; i++)
		CHECK(cp_auth_user_add(cp.auth, user_name[i], user_pw[i]) == 0);
	CHECK(cp_auth_secret_add(cp.auth, SECRET) == 0);
	tw_init(&cp.wheel, 0);
	CHECK(cp_alloc_init(&cp) == 0);
	cp.ready = true;
	/* whatever the last input left in the rings */
	for (unsigned int w = 0; w < 2; w++) {
		while (ipc_ring_dequeue(&ipc_worker(&seg, w)->to_dp, &seen) == 1)
			;
		while (ipc_ring_dequeue(&ipc_worker(&seg, w)->to_cp, &seen) == 1)
			;
	}
}

static void
cp_teardown(void)
{
	cp_alloc_fini(&cp);
	cp_auth_free(cp.auth);
}

/* ---- invariants ---------------------------------------------------------- */

static bool
port_bit(unsigned int fi, unsigned int idx, uint16_t p)
{
	return (cp.alloc->port_used[fi][idx][p >> 6] >> (p & 63)) & 1u;
}

static unsigned int
fam_i(uint8_t family)
{
	return family == 6 ? 1u : 0u;
}

static bool
same_name(const struct cp_alloc *a, const char *name, size_t len)
{
	size_t l = len < IPC_USER_MAX - 1 ? len : IPC_USER_MAX - 1;

	return a->user->len == l && memcmp(a->user->name, name, l) == 0;
}

/*
 * After every step. Only what cp's interface shows is read (cp_alloc_next(),
 * the allocations, the counts and the port bitmap), not how cp keeps its
 * quota table or reservations, so that the target outlives their rework.
 */
static void
check_state(void)
{
	uint32_t cur = 0, live = 0, per_worker[IPC_MAX_WORKERS] = { 0 };
	const struct cp_alloc *a, *b;

	while ((a = cp_alloc_next(&cp, &cur)) != NULL) {
		CHECK(a->live);
		live++;
		if (a->worker < IPC_MAX_WORKERS)
			per_worker[a->worker]++;
	}
	CHECK(live == cp.alloc->nallocs);
	CHECK(cp.alloc->nallocs <= cp.alloc->max_allocs);
	for (unsigned int w = 0; w < IPC_MAX_WORKERS; w++)
		CHECK(per_worker[w] == cp.alloc->worker_allocs[w]);
	CHECK(cp.stats[CP_STAT_IPC_FULL] == 0);
	if (g.tainted && !strict)
		return;

	/* dp holds exactly cp's live allocations. */
	if (g.nsim != cp.alloc->nallocs)
		BROKEN("dp was told of %u allocations, cp has %u", g.nsim, cp.alloc->nallocs);
	cur = 0;
	while ((a = cp_alloc_next(&cp, &cur)) != NULL)
		if (!sim_has(a->id, NULL))
			BROKEN("allocation %llu is live in cp, dp never got it",
			       (unsigned long long)a->id);

	/* Relayed (address, port) pairs: each used once, and marked. */
	cur = 0;
	while ((a = cp_alloc_next(&cp, &cur)) != NULL) {
		for (unsigned int k = 0; k < a->nrelayed && k < 2; k++) {
			const struct ipc_addr *ra = &a->relayed[k];
			uint32_t cur2 = cur;

			if (a->relay_idx[k] == CP_RELAY_NONE)
				continue;
			if (!port_bit(fam_i(ra->family), a->relay_idx[k], ra->port))
				BROKEN("allocation %llu relays on port %u, not marked used",
				       (unsigned long long)a->id, ra->port);
			/* the allocations after a in cp's order */
			while ((b = cp_alloc_next(&cp, &cur2)) != NULL)
				for (unsigned int l = 0; l < b->nrelayed && l < 2; l++)
					if (b->relay_idx[l] != CP_RELAY_NONE &&
					    b->relayed[l].family == ra->family &&
					    b->relayed[l].port == ra->port &&
					    memcmp(b->relayed[l].ip, ra->ip, 16) == 0)
						BROKEN("allocations %llu and %llu share the "
						       "relayed address (family %u, port %u)",
						       (unsigned long long)a->id,
						       (unsigned long long)b->id, ra->family,
						       ra->port);
		}
	}
}

/* Worker w's share of the relay port range (lib/steer, as cp and dp have
 * it; an empty share comes out as lo 1, hi 0). */
static void
share_of_worker(unsigned int w, uint32_t *lo, uint32_t *hi)
{
	uint16_t l, h;

	steer_relay_share(cp.conf->turn.relay_min, cp.conf->turn.relay_max,
			  cp.nworkers, w, &l, &h);
	*lo = l;
	*hi = h;
}

/* The same 5-tuple as cp compares them (alloc.c's tuple_eq()). */
static bool
tuple_same(const struct ipc_tuple *a, const struct ipc_tuple *b)
{
	return a->transport == b->transport && a->in_port == b->in_port &&
	       a->conn_id == b->conn_id && a->client.family == b->client.family &&
	       a->client.port == b->client.port && a->server.port == b->server.port &&
	       memcmp(a->client.ip, b->client.ip, 16) == 0;
}

/* Which of a STATE_ALLOC's relayed pairs were taken before cp read it. */
static unsigned int
pairs_taken(const struct ipc_msg *m)
{
	struct ipc_alloc ia;
	unsigned int taken = 0;

	memcpy(&ia, m->body, sizeof(ia));
	for (unsigned int k = 0; k < ia.nrelayed && k < 2; k++) {
		unsigned int fi = fam_i(ia.relayed[k].family);

		for (unsigned int i = 0; i < cp.alloc->nrelay[fi]; i++)
			if (memcmp(cp.alloc->relay_ip[fi][i], ia.relayed[k].ip,
				   ia.relayed[k].family == 4 ? 4 : 16) == 0 &&
			    port_bit(fi, i, ia.relayed[k].port))
				taken++;
	}
	return taken;
}

/*
 * A restored allocation that contradicts cp's state (its id, 5-tuple or a
 * relayed pair in use, an allocation or a reservation; fields no cp would
 * have sent) taints the input: dp would never report it, and what cp
 * does with it next is not held to the logical checks (unless strict).
 */
static void
judge_restore(uint64_t id, bool existed, uint32_t nallocs_before,
	      unsigned int taken_before)
{
	uint32_t cur = 0;
	const struct cp_alloc *a, *b;

	if (cp.alloc->nallocs == nallocs_before)
		return;   /* refused: nothing changed */
	if (existed || id == 0 || taken_before > 0) {
		g.tainted = true;
		if (!existed && id != 0)
			sim_add(id);
		return;
	}
	while ((a = cp_alloc_next(&cp, &cur)) != NULL)
		if (a->id == id)
			break;
	if (a == NULL) {
		g.tainted = true;
		return;
	}
	sim_add(id);  /* dp holds what it reported */
	if (a->user->len == 0 || a->user->len >= IPC_USER_MAX ||
	    memchr(a->user->name, '\0', a->user->len) != NULL ||
	    (a->nrelayed == 2 &&
	     a->relayed[0].family == a->relayed[1].family) ||
	    (a->nrelayed == 2 && a->relayed[0].port != a->relayed[1].port)) {
		g.tainted = true;
		return;
	}
	for (unsigned int k = 0; k < a->nrelayed; k++) {
		uint32_t lo, hi;

		/* dp steers a relayed port to the worker whose share holds it:
		 * it never reports one elsewhere */
		share_of_worker(a->worker, &lo, &hi);
		if ((a->relayed[k].family != 4 && a->relayed[k].family != 6) ||
		    a->relayed[k].port < lo || a->relayed[k].port > hi)
			g.tainted = true;
	}
	cur = 0;
	while ((b = cp_alloc_next(&cp, &cur)) != NULL) {
		if (b == a)
			continue;
		if (tuple_same(&a->tuple, &b->tuple))
			g.tainted = true;
		for (unsigned int k = 0; k < a->nrelayed; k++)
			for (unsigned int l = 0; l < b->nrelayed; l++)
				if (a->relayed[k].family == b->relayed[l].family &&
				    a->relayed[k].port == b->relayed[l].port &&
				    memcmp(a->relayed[k].ip, b->relayed[l].ip, 16) == 0)
					g.tainted = true;
	}
}

/* ---- what cp sends dp ------------------------------------------------------ */

/* What the request was, for checking its answer. */
struct sent {
	bool parsed;              /* a request that parses: must be answered */
	uint16_t method;
	uint8_t tid[STUN_TID_LEN];
	const struct ipc_tuple *tuple;
	unsigned int worker;
	const uint8_t *key;       /* the key it was signed with, or NULL */
	size_t key_len;
	unsigned int client;      /* for nonce bookkeeping */
	uint64_t dropped;         /* cp's challenges_dropped before it */
	const char *user;         /* authenticated as (NULL: unknown) */
	size_t user_len;
};

static void
check_allocate_success(const struct sent *s, const struct stun_msg *r)
{
	const struct stun_attr *x = stun_msg_find(r, STUN_ATTR_XOR_RELAYED_ADDRESS);
	unsigned int n = 0;
	uint32_t cur = 0, lo, hi;
	const struct cp_alloc *a;

	/* the allocation of the 5-tuple (a retransmission may come in on
	 * another worker than the one that made it) */
	while ((a = cp_alloc_next(&cp, &cur)) != NULL)
		if (tuple_same(&a->tuple, s->tuple))
			break;
	if (a == NULL)
		BROKEN("Allocate success, and no allocation holds its 5-tuple");
	share_of_worker(a->worker, &lo, &hi);
	CHECK(stun_msg_find(r, STUN_ATTR_LIFETIME) != NULL);
	for (; x != NULL; x = stun_msg_find_next(r, x)) {
		struct stun_addr sa;
		unsigned int fi, k;

		n++;
		CHECK(stun_attr_get_addr(r, x, &sa) == 0);
		if (g.tainted)
			continue;   /* a retransmission may show a restored one */
		fi = sa.family == STUN_AF_IPV4 ? 0 : 1;
		for (k = 0; k < cp.alloc->nrelay[fi]; k++)
			if (memcmp(cp.alloc->relay_ip[fi][k], sa.ip, fi ? 16 : 4) == 0)
				break;
		if (k == cp.alloc->nrelay[fi])
			BROKEN("Allocate success relays on an address cp does not have");
		if (sa.port < lo || sa.port > hi)
			BROKEN("worker %u got relayed port %u outside its share %u..%u",
			       a->worker, sa.port, lo, hi);
	}
	CHECK(n >= 1 && n <= 2);
	x = stun_msg_find(r, STUN_ATTR_RESERVATION_TOKEN);
	if (x != NULL) {
		memcpy(g.token, x->value, 8);
		g.have_token = true;
	}
}

/* A 486: only when the total or this user's quota is really reached. */
static void
check_quota_refusal(const struct sent *s)
{
	uint32_t cur = 0, mine = 0;
	const struct cp_alloc *a;

	if (s->user == NULL || (g.tainted && !strict))
		return;
	if (cp.alloc->nallocs >= cp.alloc->max_allocs)
		return;
	while ((a = cp_alloc_next(&cp, &cur)) != NULL)
		if (same_name(a, s->user, s->user_len))
			mine++;
	if (cp.conf->cp.quota_user == 0 || mine < cp.conf->cp.quota_user)
		BROKEN("486 to a user with %u of %u allocations, %u of %u in all",
		       mine, cp.conf->cp.quota_user, cp.alloc->nallocs, cp.alloc->max_allocs);
}

static void
check_response(const struct sent *s, const struct ipc_msg *m)
{
	static uint8_t copy[IPC_MSG_SIZE];
	struct stun_msg r;
	struct stun_parse_error perr;
	const struct stun_attr *mi, *mi256;
	uint16_t code = 0;

	CHECK(m->h.body_len <= sizeof(m->body));
	memcpy(copy, m->body, m->h.body_len);
	if (stun_msg_parse(&r, copy, m->h.body_len, &perr) < 0)
		BROKEN("cp sent a response that does not parse: %s at %u", perr.why,
		       perr.offset);
	CHECK(r.cls == STUN_CLASS_SUCCESS || r.cls == STUN_CLASS_ERROR);
	CHECK(stun_check_fingerprint(&r) == STUN_CHECK_VALID);
	CHECK(s != NULL);
	CHECK(memcmp(r.tid, s->tid, STUN_TID_LEN) == 0);
	CHECK(r.method == s->method);
	CHECK(memcmp(&m->h.tuple, s->tuple, sizeof(*s->tuple)) == 0);
	mi = stun_msg_find(&r, STUN_ATTR_MESSAGE_INTEGRITY);
	mi256 = stun_msg_find(&r, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	if (s->key != NULL && mi != NULL)
		CHECK(stun_check_integrity(&r, s->key, s->key_len) == STUN_CHECK_VALID);
	if (s->key != NULL && mi256 != NULL)
		CHECK(stun_check_integrity_sha256(&r, s->key, s->key_len) ==
		      STUN_CHECK_VALID);
	if (r.cls == STUN_CLASS_ERROR) {
		const struct stun_attr *n = stun_msg_find(&r, STUN_ATTR_NONCE);

		CHECK(stun_attr_get_error(stun_msg_find(&r, STUN_ATTR_ERROR_CODE), &code,
					  NULL, NULL) == 0);
		if (trace)
			fprintf(stderr, "  worker %u client %u %s: error %u\n", s->worker,
				s->client, stun_method_name(s->method) ? : "?", code);
		if (n != NULL && n->len == CP_AUTH_NONCE_LEN) {
			unsigned int t = s->tuple->transport == 6;

			memcpy(g.nonce[s->client][t], n->value, n->len);
			g.nonce[s->client][t][n->len] = '\0';
		}
		if (code == STUN_ERR_ALLOCATION_QUOTA_REACHED &&
		    s->method == STUN_METHOD_ALLOCATE)
			check_quota_refusal(s);
	} else {
		if (trace)
			fprintf(stderr, "  worker %u client %u %s: success\n", s->worker,
				s->client, stun_method_name(s->method) ? : "?");
		if (s->method == STUN_METHOD_ALLOCATE)
			check_allocate_success(s, &r);
	}
}

/* Take everything cp sent since the last call; s: the request just handed
 * over on worker s->worker (NULL after other steps). */
static void
drain(const struct sent *s)
{
	for (unsigned int w = 0; w < 2; w++) {
		struct ipc_ring *ring = &ipc_worker(&seg, w)->to_dp;
		unsigned int responses = 0;
		bool after_response = false;

		while (ipc_ring_dequeue(ring, &seen) == 1) {
			CHECK(seen.h.body_len <= sizeof(seen.body));
			if (after_response && s != NULL && w == s->worker)
				BROKEN("cp sent %s after its response: the response "
				       "overtakes the state it announces",
				       ipc_kind_name(seen.h.kind));
			switch (seen.h.kind) {
			case IPC_RESPONSE:
				CHECK(s != NULL && w == s->worker);
				responses++;
				after_response = true;
				check_response(s, &seen);
				break;
			case IPC_ALLOC_ADD: {
				struct ipc_alloc ia;

				CHECK(seen.h.body_len == sizeof(ia));
				memcpy(&ia, seen.body, sizeof(ia));
				CHECK(ia.nrelayed >= 1 && ia.nrelayed <= 2);
				if (!g.tainted)
					CHECK(ia.user_len < IPC_USER_MAX);
				if (trace)
					fprintf(stderr, "  alloc_add %llu user_len %u port %u\n",
						(unsigned long long)seen.h.alloc_id,
						ia.user_len, ia.relayed[0].port);
				sim_add(seen.h.alloc_id);
				break;
			}
			case IPC_ALLOC_DEL:
				if (trace)
					fprintf(stderr, "  alloc_del %llu\n",
						(unsigned long long)seen.h.alloc_id);
				sim_del(seen.h.alloc_id);
				break;
			case IPC_ALLOC_LIFE:
			case IPC_PERM_ADD:
			case IPC_PERM_DEL:
			case IPC_CHAN_ADD:
			case IPC_CHAN_DEL:
			case IPC_SYNC:
			case IPC_STATS_REQ:
				break;
			default:
				BROKEN("cp sent dp a message of kind %u", seen.h.kind);
			}
		}
		CHECK(responses <= 1);
		if (s != NULL && s->parsed && w == s->worker && responses == 0 &&
		    cp.stats[CP_STAT_CHALLENGES_DROPPED] == s->dropped)
			BROKEN("a request that parses got no answer");
	}
}

/* Hand m to cp as dp does: through worker w's ring to cp. */
static void
deliver(unsigned int w, const struct ipc_msg *m, size_t raw_body)
{
	struct ipc_ring *r = &ipc_worker(&seg, w)->to_cp;
	uint32_t head = atomic_load(&r->head);
	int rc;
	struct ipc_msg *slot = &r->msg[head & (IPC_RING_SLOTS - 1)];

	/* Written as a writer of the shared segment may: body_len is
	 * whatever the header says, the body whatever is there. */
	memcpy(&slot->h, &m->h, sizeof(slot->h));
	memcpy(slot->body, m->body, raw_body);
	/* what the input did not give is zero, not a former message */
	memset(slot->body + raw_body, 0, sizeof(slot->body) - raw_body);
	atomic_store(&r->head, head + 1);
	/* As cp's loop does (cp/main.c run()): what the ring or the message
	 * check refuses is counted and never reaches cp_handle(). */
	rc = ipc_ring_dequeue(r, &inmsg);
	CHECK(rc != 0);
	delivered = rc > 0 && ipc_msg_check(&inmsg, IPC_DP2CP) == 0;
	if (delivered)
		cp_handle(&cp, w, &inmsg);
}

/* ---- records ---------------------------------------------------------------- */

static const uint32_t steps_ms[32] = {
	0, 0, 0, 0, 1, 10, 990, 1000, 5000, 9999, 29000, 30000, 30001, 60000,
	100000, 299990, 300000, 300010, 599000, 600000, 600010, 601000,
	1199000, 1200000, 1200010, 3599000, 3600000, 3601000, 7200000,
	86400000, 100, 15000,
};

/* Both clocks move on by the step; every 32nd value of i also steps the
 * wall clock back an hour, and the next forward (an NTP step, `date`):
 * lifetimes must not care (they are monotonic), REST expiry must. */
static void
clock_step(unsigned int i)
{
	uint64_t wall = cp.wall_ms + steps_ms[i & 31];

	if ((i & 0x60u) == 0x20u)
		wall -= 3600000u;
	else if ((i & 0x60u) == 0x40u)
		wall += 3600000u;
	cp_time_advance(&cp, cp.now_ms + steps_ms[i & 31], wall);
	drain(NULL);
	check_state();
}

/* Peers a request may name: documentation addresses (accepted), one on
 * the deny list, our own, loopback, private, IPv4-mapped, NAT64, 6to4,
 * Teredo, the unspecified address. */
static void
peer_addr(uint8_t sel, struct cur *c, struct stun_addr *a)
{
	static const struct {
		uint8_t fam;
		uint8_t ip[16];
	} peers[16] = {
		{ STUN_AF_IPV4, { 192, 0, 2, 1 } },
		{ STUN_AF_IPV4, { 192, 0, 2, 2 } },
		{ STUN_AF_IPV4, { 198, 51, 100, 7 } },
		{ STUN_AF_IPV4, { 192, 0, 2, 200 } },
		{ STUN_AF_IPV4, { 10, 1, 0, 11 } },
		{ STUN_AF_IPV4, { 127, 0, 0, 1 } },
		{ STUN_AF_IPV4, { 10, 9, 9, 9 } },
		{ STUN_AF_IPV4, { 0, 0, 0, 0 } },
		{ STUN_AF_IPV6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		{ STUN_AF_IPV6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } },
		{ STUN_AF_IPV6, { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 } },
		{ STUN_AF_IPV6, { 0, 0x64, 0xff, 0x9b, [12] = 192, 0, 2, 9 } },
		{ STUN_AF_IPV6, { 0x20, 0x02, 1, 2, [15] = 1 } },
		{ STUN_AF_IPV6, { 0x20, 0x01, 0, 0, [15] = 1 } },
		{ STUN_AF_IPV6, { 0xfd, 0x00, 0, 1, [15] = 0x11 } },
		{ STUN_AF_IPV6, { 0 } },
	};
	static const uint16_t ports[4] = { 0, 9, 5000, 65535 };

	memset(a, 0, sizeof(*a));
	a->family = peers[sel & 15].fam;
	memcpy(a->ip, peers[sel & 15].ip, 16);
	if ((sel >> 4) == 15)
		a->port = get16(c);
	else
		a->port = ports[(sel >> 4) & 3];
}

/* The attribute program of a built request. */
static void
build_attrs(struct stun_builder *b, struct cur *c)
{
	static const uint32_t lifetimes[8] = { 0, 1, 599, 600, 601, 1200, 3600, 0xffffffffu };
	static const uint16_t channels[8] = { 0x4000, 0x4001, 0x4fff, 0x5000,
					      0x7ffe, 0x7fff, 0x3fff, 0x4abc };
	static const uint16_t raw_types[8] = {
		STUN_ATTR_DATA, STUN_ATTR_ICMP, STUN_ATTR_CONNECTION_ID,
		STUN_ATTR_USERNAME, STUN_ATTR_SOFTWARE, 0x0030 /* unknown, required */,
		0xc001 /* unknown, optional */, STUN_ATTR_XOR_MAPPED_ADDRESS,
	};

	while (c->n > 0) {
		uint8_t sel = get8(c), v;
		struct stun_addr pa;
		uint8_t raw[64];
		size_t len;

		switch (sel & 15) {
		case 0:
			v = get8(c);
			stun_build_transport(b, v == 0 ? STUN_TRANSPORT_UDP :
					     v == 1 ? STUN_TRANSPORT_TCP : v);
			break;
		case 1:
			v = get8(c);
			stun_build_u32(b, STUN_ATTR_LIFETIME, v < 8 ? lifetimes[v] :
				       v == 8 ? get32(c) : (uint32_t)v * 10u);
			break;
		case 2:
		case 3:
			v = get8(c);
			stun_build_family(b, (sel & 15) == 2 ?
					  STUN_ATTR_REQUESTED_ADDRESS_FAMILY :
					  STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY,
					  v < 2 ? (uint8_t)(v + 1) : v);
			break;
		case 4:
			stun_build_even_port(b, (sel >> 4) & 1u);
			break;
		case 5:
			/* RESERVATION-TOKEN: the last one cp gave (0), all
			 * zeros (1-3), the last one off by a bit (4-7), or 8
			 * bytes from the input */
			v = sel >> 4;
			if (v >= 8 || (v != 1 && v < 4 && !g.have_token)) {
				getbytes(c, raw, 8);
			} else if (v >= 1 && v <= 3) {
				memset(raw, 0, 8);
			} else {
				memcpy(raw, g.token, 8);
				raw[7] ^= (uint8_t)(v >= 4);
			}
			stun_build_attr(b, STUN_ATTR_RESERVATION_TOKEN, raw, 8);
			break;
		case 6:
		case 7:
			peer_addr(get8(c), c, &pa);
			stun_build_addr(b, STUN_ATTR_XOR_PEER_ADDRESS, &pa);
			break;
		case 8:
			v = get8(c);
			stun_build_channel(b, v < 8 ? channels[v] :
					   (uint16_t)(0x4000u + v));
			break;
		case 9:
			stun_build_attr(b, STUN_ATTR_DONT_FRAGMENT, NULL, 0);
			break;
		case 10:
			/* a raw attribute of any type */
			len = get8(c) & 63u;
			{
				uint16_t t = get16(c);

				getbytes(c, raw, len);
				stun_build_attr(b, t, raw, len);
			}
			break;
		case 11:
			len = get8(c) & 63u;
			getbytes(c, raw, len);
			stun_build_attr(b, raw_types[(sel >> 4) & 7], raw, len);
			break;
		case 12:
			/* several peers at once (CreatePermission takes a list) */
			for (unsigned int i = 0; i < (sel >> 4) + 1u; i++) {
				peer_addr((uint8_t)(i * 17u + 3u), c, &pa);
				stun_build_addr(b, STUN_ATTR_XOR_PEER_ADDRESS, &pa);
			}
			break;
		case 13:
			stun_build_channel(b, get16(c));
			break;
		default:
			return;   /* end of the program */
		}
	}
}

/* Username length classes (bytes): around the 256 an IPC username (and
 * cp's quota slot) holds, and up to the codec's 512. */
static const uint16_t name_lens[8] = { 20, 100, 255, 256, 257, 300, 500, 512 };

/* A REST username "expiry:user", "user:expiry" or "expiry" of total
 * length len (the filler makes it up), expiring at expiry. */
static size_t
rest_name(char *out, size_t len, uint64_t expiry, unsigned int form)
{
	char ts[24];
	int tl = snprintf(ts, sizeof(ts), "%llu", (unsigned long long)expiry);
	size_t fill = len > (size_t)tl + 1 ? len - (size_t)tl - 1 : 1;

	if (form == 2) {
		memcpy(out, ts, (size_t)tl);
		out[tl] = '\0';
		return (size_t)tl;
	}
	for (size_t i = 0; i < fill; i++)
		out[(form ? 0 : (size_t)tl + 1) + i] = (char)('a' + i % 26);
	if (form == 0) {
		memcpy(out, ts, (size_t)tl);
		out[tl] = ':';
	} else {
		out[fill] = ':';
		memcpy(out + fill + 1, ts, (size_t)tl);
	}
	out[fill + 1 + (size_t)tl] = '\0';
	return fill + 1 + (size_t)tl;
}

static void
op_request(struct cur *c, bool raw)
{
	static const uint16_t methods[8] = {
		STUN_METHOD_ALLOCATE, STUN_METHOD_REFRESH, STUN_METHOD_CREATE_PERMISSION,
		STUN_METHOD_CHANNEL_BIND, STUN_METHOD_ALLOCATE, STUN_METHOD_BINDING,
		STUN_METHOD_CONNECT, 0,
	};
	static const int64_t rest_delta[4] = { 3600, 1, -1, 86400 };
	static char username[600];
	static struct ipc_tuple tu;
	uint8_t who = get8(c), meth = raw ? 0 : get8(c), aux = 0, extra = 0;
	unsigned int w = who & 1u, k = (who >> 1) & 7u, mode = meth >> 5;
	bool tcp = (who >> 4) & 1u;
	uint8_t key[32];
	size_t key_len = 0;
	struct sent s;
	struct stun_builder b;
	struct stun_msg pm;
	struct cp_auth_peer from;
	uint16_t method;
	uint8_t *tid = g.last_tid[k][tcp];
	size_t len;
	int n;

	memset(&s, 0, sizeof(s));
	client_tuple(&tu, k, tcp);
	peer_of(&from, &tu);
	outmsg.h.kind = IPC_REQUEST;
	outmsg.h.worker = (uint16_t)w;
	outmsg.h.tuple = tu;
	outmsg.h.alloc_id = 0;
	outmsg.h.body_len = 0;
	s.tuple = &tu;
	s.worker = w;
	s.client = k;

	if (raw) {
		len = get16(c) % (sizeof(outmsg.body) + 1);
		len = getbytes(c, outmsg.body, len);
		outmsg.h.body_len = (uint16_t)len;
		if (stun_msg_parse(&pm, outmsg.body, len, NULL) == 0 &&
		    pm.cls == STUN_CLASS_REQUEST) {
			/* parsed: cp must answer it (a FINGERPRINT that does
			 * not match is dp's to discard, RFC 8489 §14.7) */
			s.parsed = true;
			s.method = pm.method;
			memcpy(s.tid, pm.tid, STUN_TID_LEN);
		}
		s.dropped = cp.stats[CP_STAT_CHALLENGES_DROPPED];
		deliver(w, &outmsg, len);
		if (!delivered)
			s.parsed = false;   /* refused before cp: no answer due */
		drain(&s);
		check_state();
		return;
	}

	aux = get8(c);
	if (mode == 3)
		extra = get8(c);
	/* the transaction id: a new one, or the last one of this client
	 * (a retransmission, or a new request reusing it) */
	if (!((who >> 5) & 1u)) {
		g.tid_seq++;
		memset(tid, 0, STUN_TID_LEN);
		memcpy(tid, &g.tid_seq, sizeof(g.tid_seq));
		tid[11] = who;
	}
	method = methods[meth & 7];
	if ((meth & 7) == 7)
		method = get16(c) & 0xfffu;
	stun_build_init(&b, outmsg.body, sizeof(outmsg.body),
			stun_msg_type(method, (meth >> 3) & 1u ? STUN_CLASS_INDICATION :
				      STUN_CLASS_REQUEST), tid);
	/* most Allocates want UDP; the program may add another */
	if (method == STUN_METHOD_ALLOCATE && !((meth >> 4) & 1u))
		stun_build_transport(&b, STUN_TRANSPORT_UDP);
	{
		struct cur prog;

		prog.n = get8(c);
		if (prog.n > c->n)
			prog.n = c->n;
		prog.p = c->p;
		c->p += prog.n;
		c->n -= prog.n;
		build_attrs(&b, &prog);
	}

	if (mode != 0) {
		const char *realm = REALM;
		char nonce[CP_AUTH_NONCE_LEN + 1];
		unsigned int ui = 0, nv = aux & 3u;
		bool sha256 = (aux >> 3) & 1u, mi256 = (aux >> 4) & 1u, userhash = false;
		const char *pw;
		uint16_t pwalg = sha256 ? STUN_PWALG_SHA256 : STUN_PWALG_MD5;
		uint64_t now_s = cp.wall_ms / 1000u;   /* REST times are wall times */

		switch (mode) {
		case 1:
		case 5:
		case 6:
			ui = 0;
			break;
		case 2:
			ui = 1;
			break;
		case 4:
			ui = 0;
			userhash = true;
			break;
		case 7:
			ui = (aux >> 5) & 1u ? 3 : 2;
			break;
		default:
			break;
		}
		if (mode == 3) {
			int64_t e = (int64_t)now_s + rest_delta[extra & 3u];

			len = rest_name(username, name_lens[aux >> 5], (uint64_t)e,
					(extra >> 2) % 3u);
			pw = NULL;
		} else {
			len = strlen(user_name[ui]);
			memcpy(username, user_name[ui], len + 1);
			pw = user_pw[ui];
		}
		/* the nonce: a fresh one, the one cp last gave this client, a
		 * foreign one, or one for another client; mode 6: expired */
		if (mode == 6)
			CHECK(cp_auth_nonce_make(cp.auth, &from, now_s - 100000u, nonce) > 0);
		else if (nv == 1 && g.nonce[k][tcp][0] != '\0')
			memcpy(nonce, g.nonce[k][tcp], sizeof(nonce));
		else if (nv == 2)
			snprintf(nonce, sizeof(nonce), "obMatJos2AAABnotanonceatall");
		else if (nv == 3) {
			struct ipc_tuple other;
			struct cp_auth_peer of;

			client_tuple(&other, (k + 1) & 7u, tcp);
			peer_of(&of, &other);
			CHECK(cp_auth_nonce_make(cp.auth, &of, now_s, nonce) > 0);
		} else
			CHECK(cp_auth_nonce_make(cp.auth, &from, now_s, nonce) > 0);

		if (userhash) {
			uint8_t uh[STUN_USERHASH_LEN];

			CHECK(stun_userhash(username, realm, uh) == 0);
			stun_build_attr(&b, STUN_ATTR_USERHASH, uh, sizeof(uh));
		} else {
			stun_build_attr(&b, STUN_ATTR_USERNAME, username, len);
		}
		stun_build_str(&b, STUN_ATTR_REALM, realm);
		stun_build_str(&b, STUN_ATTR_NONCE, nonce);
		if (sha256) {
			static const uint16_t algs[2] = { STUN_PWALG_SHA256, STUN_PWALG_MD5 };

			stun_build_pwalgs(&b, STUN_ATTR_PASSWORD_ALGORITHMS, algs, 2);
			stun_build_pwalgs(&b, STUN_ATTR_PASSWORD_ALGORITHM, algs, 1);
		}
		if (mode == 3) {
			char rpw[29];

			CHECK(cp_auth_rest_password(SECRET, username, rpw) == 0);
			n = stun_key_long_term(pwalg, username, realm, rpw, key);
		} else {
			n = stun_key_long_term(pwalg, username, realm,
					       mode == 5 ? "wrong" : pw, key);
		}
		CHECK(n == 16 || n == 32);
		key_len = (size_t)n;
		if (mi256)
			stun_build_integrity_sha256(&b, key, key_len);
		else
			stun_build_integrity(&b, key, key_len);
		if (mode != 5) {
			s.key = key;
			s.key_len = key_len;
			s.user = username;
			s.user_len = userhash ? strlen(username) : len;
		}
	}
	if ((aux >> 2) & 1u)
		stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n < 0)
		return;   /* more than an IPC message holds */
	outmsg.h.body_len = (uint16_t)n;
	if (stun_msg_parse(&pm, outmsg.body, (size_t)n, NULL) == 0 &&
	    pm.cls == STUN_CLASS_REQUEST) {
		s.parsed = true;
		s.method = pm.method;
		memcpy(s.tid, pm.tid, STUN_TID_LEN);
	}
	s.dropped = cp.stats[CP_STAT_CHALLENGES_DROPPED];
	deliver(w, &outmsg, (size_t)n);
	if (!delivered)
		s.parsed = false;
	drain(&s);
	check_state();
}

/* dp -> cp messages other than requests, as a writer of the ring may
 * make them. */
static void
op_dp_message(struct cur *c)
{
	uint8_t sel = get8(c), w = sel & 1u, kind = (sel >> 1) & 3u;
	size_t raw_len;

	memset(&outmsg, 0, sizeof(outmsg));
	outmsg.h.worker = w;
	switch (kind) {
	case 0: {
		/* STATE_ALLOC: mostly sane (bit 3), or all from the input */
		struct ipc_alloc ia;
		uint64_t id;
		bool existed = false;
		uint32_t before = cp.alloc->nallocs;
		unsigned int taken;
		uint32_t cur = 0;
		const struct cp_alloc *a;
		unsigned int nb;

		if (no_state)
			return;
		outmsg.h.kind = IPC_STATE_ALLOC;
		id = get8(c);
		outmsg.h.alloc_id = id;
		while ((a = cp_alloc_next(&cp, &cur)) != NULL)
			if (a->id == id)
				existed = true;
		if ((sel >> 3) & 1u) {
			unsigned int fi, idx;
			uint8_t b1 = get8(c), b2 = get8(c), b3 = get8(c);

			client_tuple(&outmsg.h.tuple, b1 & 7u, (b1 >> 3) & 1u);
			outmsg.h.tuple.client.port ^= (uint16_t)(b1 >> 4);
			memset(&ia, 0, sizeof(ia));
			ia.nrelayed = (b2 & 1u) && cp.alloc->nrelay[1] > 0 ? 2 : 1;
			fi = (b2 >> 1) & 1u;
			if (cp.alloc->nrelay[fi] == 0)
				fi = 0;
			if (ia.nrelayed == 2)
				fi = 0;
			for (unsigned int r = 0; r < ia.nrelayed; r++) {
				unsigned int f = r == 0 ? fi : 1;
				uint32_t lo, hi;

				/* a port of this worker's share, as dp has them
				 * (bit 4: anywhere in the range) */
				if ((b2 >> 4) & 1u) {
					lo = cp.conf->turn.relay_min;
					hi = cp.conf->turn.relay_max;
				} else {
					share_of_worker(w, &lo, &hi);
				}
				idx = ((b2 >> 2) & 3u) % (cp.alloc->nrelay[f] ? cp.alloc->nrelay[f] : 1);
				ia.relayed[r].family = f ? 6 : 4;
				ia.relayed[r].port = (uint16_t)(lo + b3 % (hi - lo + 1));
				memcpy(ia.relayed[r].ip, cp.alloc->relay_ip[f][idx], 16);
			}
			ia.expires_ms = cp.now_ms + (uint64_t)get8(c) * 10000u;
			ia.key_len = 16;
			ia.pwalg = STUN_PWALG_MD5;
			ia.user_len = (uint16_t)(get8(c) % 200u + 1u);
			memset(ia.username, 'r', ia.user_len);
			memcpy(outmsg.body, &ia, sizeof(ia));
			/* bindings: permissions and channels */
			/* as many as a message holds (32 with 508-byte names) */
			nb = get8(c) % ((sizeof(outmsg.body) - sizeof(ia)) /
					sizeof(struct ipc_binding) + 1u);
			for (unsigned int i = 0; i < nb; i++) {
				struct ipc_binding bd;
				struct stun_addr pa;
				uint8_t pb = get8(c);

				memset(&bd, 0, sizeof(bd));
				peer_addr(pb, c, &pa);
				bd.peer.family = pa.family == STUN_AF_IPV4 ? 4 : 6;
				bd.peer.port = pa.port;
				memcpy(bd.peer.ip, pa.ip, 16);
				bd.channel = (pb & 8u) ? (uint16_t)(0x4000u + i) : 0;
				bd.expires_ms = cp.now_ms + (uint64_t)get8(c) * 5000u;
				memcpy(outmsg.body + sizeof(ia) + i * sizeof(bd), &bd, sizeof(bd));
			}
			outmsg.h.body_len = (uint16_t)(sizeof(ia) + nb * sizeof(struct ipc_binding));
			raw_len = outmsg.h.body_len;
		} else {
			/* a client's 5-tuple (or 48 bytes from the input), the
			 * header's body_len, then the body as given */
			uint8_t b1 = get8(c);

			if (b1 == 0xff)
				getbytes(c, &outmsg.h.tuple, sizeof(outmsg.h.tuple));
			else
				client_tuple(&outmsg.h.tuple, b1 & 7u, (b1 >> 3) & 1u);
			outmsg.h.body_len = get16(c);
			raw_len = get8(c) * 8u;
			if (raw_len > sizeof(outmsg.body))
				raw_len = sizeof(outmsg.body);
			raw_len = getbytes(c, outmsg.body, raw_len);
			/* what a short input left unsaid is zero */
			if (raw_len < sizeof(struct ipc_alloc))
				raw_len = sizeof(struct ipc_alloc);
		}
		taken = pairs_taken(&outmsg);
		deliver(w, &outmsg, raw_len < sizeof(outmsg.body) ? raw_len : sizeof(outmsg.body));
		judge_restore(id, existed, before, taken);
		drain(NULL);
		check_state();
		return;
	}
	case 1: {
		/* STATS: counters for allocations (ids of live ones or raw) */
		unsigned int n = get8(c) % 24u;

		outmsg.h.kind = IPC_STATS;
		for (unsigned int i = 0; i < n; i++) {
			struct ipc_alloc_stats st;
			uint8_t v = get8(c);

			memset(&st, 0, sizeof(st));
			st.alloc_id = v < 32 ? v : get32(c);
			for (unsigned int j = 0; j < IPC_ALLOC_STATS_N; j++)
				st.c[j] = (uint64_t)v * (j + 1);
			memcpy(outmsg.body + i * sizeof(st), &st, sizeof(st));
		}
		outmsg.h.body_len = (sel >> 3) & 1u ? get16(c) :
				    (uint16_t)(n * sizeof(struct ipc_alloc_stats));
		raw_len = n * sizeof(struct ipc_alloc_stats);
		break;
	}
	case 2:
		outmsg.h.kind = IPC_STATE_DONE;
		outmsg.h.alloc_id = (sel >> 3) & 1u ? cp.seg.shm->cp_epoch : get8(c);
		raw_len = 0;
		break;
	default:
		/* a header of any kind and length, a body from the input */
		outmsg.h.kind = get16(c);
		outmsg.h.body_len = get16(c);
		outmsg.h.alloc_id = get8(c);
		raw_len = getbytes(c, outmsg.body, get8(c));
		if (outmsg.h.kind == IPC_STATE_ALLOC || outmsg.h.kind == IPC_REQUEST)
			outmsg.h.kind = IPC_STATE_DONE;   /* those have their own records */
		break;
	}
	deliver(w, &outmsg, raw_len);
	drain(NULL);
	check_state();
}

/* cp's own events: the operator, a dp restart, its periodic requests. */
static void
op_cp_event(struct cur *c)
{
	uint8_t sel = get8(c);
	uint32_t cur = 0, i = 0;
	const struct cp_alloc *a;

	switch (sel & 7u) {
	case 0:
	case 1:
		/* kill the (sel >> 3)th live allocation, or an unknown id */
		while ((a = cp_alloc_next(&cp, &cur)) != NULL && i < (sel >> 3))
			i++;
		if (a != NULL)
			CHECK(cp_alloc_kill(&cp, a->id) == 0);
		else
			CHECK(cp_alloc_kill(&cp, 1000000u + sel) == -ENOENT);
		break;
	case 2:
		/* dp restarted: the new one holds no connection, so none of
		 * the allocations made over TCP (cp frees them now) */
		while ((a = cp_alloc_next(&cp, &cur)) != NULL)
			if (a->tuple.transport == 6)
				sim_del(a->id);
		cur = 0;
		cp_reinstall_start(&cp);
		/* fall through */
	case 3:
		cp_reinstall_step(&cp);
		break;
	case 4:
		cp_request_stats(&cp);
		break;
	case 5:
		cp.sync_unsent = (sel >> 3) & 3u;
		cp_request_state(&cp);
		break;
	default:
		break;
	}
	drain(NULL);
	check_state();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur c = { data, size };
	uint8_t setup;

	if (size < 1)
		return 0;
	setup = get8(&c);
	rng = 0x9e3779b97f4a7c15ull ^ setup;
	cp_setup(setup % NCONF, setup >> 1);
	while (c.n > 0) {
		uint8_t op = get8(&c);

		if (trace)
			fprintf(stderr, "op %u step %u ms (now +%llu s), %u live\n", op & 7u,
				steps_ms[op >> 3],
				(unsigned long long)(cp.now_ms - cp.start_ms) / 1000u,
				cp.alloc->nallocs);
		clock_step(op >> 3);
		switch (op & 7u) {
		case 0:
		case 1:
		case 2:
		case 3:
			op_request(&c, false);
			break;
		case 4:
			op_request(&c, true);
			break;
		case 5:
			op_dp_message(&c);
			break;
		case 6:
			op_cp_event(&c);
			break;
		default:
			break;
		}
	}
	cp_teardown();
	return 0;
}
