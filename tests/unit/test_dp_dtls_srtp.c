/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dtls_srtp, driven through its C API (dtls_srtp.h) as dp/rtp's seam
 * will drive it (issue 68's slice 4: until then the test is the seam: its
 * keys() records what would be installed, its src_ok() is ICE's or
 * latching's answer, its event() is the RTP_DTLS cp would get), against
 * OpenSSL's DTLS client and server over datagram queues (dtls_peer.c); a
 * real EAL without hugepages for the mbufs and tables; dp's UDP send is
 * the test's.
 *
 * Checked: our server's keys are what the client's exporter split by RFC
 * 5764 §4.2 says (it sends with our rx), and as client the reverse; the
 * SSL lingers until SRTP under the new keys, then goes (no SSL left, its
 * heap back); each flight lost once, either way, and the handshake still
 * completes; each bad input of issue 68 refused and counted while another
 * termination's handshake completes (a stranger's flood on every
 * termination, no use_srtp, a profile not offered, DTLS 1.0, an MKI, a
 * fragmented ClientHello, a wrong certificate, a 64 KB chain,
 * renegotiation, a ClientHello to our client, another source mid-handshake,
 * the attempts' bound); a pool of 4 with a fifth starting; the handshake
 * budget's queue; a client's start at ICE's check or at once, its
 * retransmission of a lost flight and its deadline; actpass answered after
 * the handshake (a match installs, a mismatch wipes, the answer making us
 * the client fails it role_conflict); a new association starts over, the
 * same one keeps its keys; the counters' family is the statistics line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/async.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dtls_peer.h"
#include "dtls_srtp.h"
#include "dtls_srtp_ssl.h"
#include "ipc.h"
#include "asyncprov_ctx.h"
#include "ossl_heap.h"
#include "tls_ctx.h"
#include "tls_mem.h"
#include "tp_conf_types.h"

#define NTERMS 16

/* ---- the test's dp: UDP out ---------------------------------------------- */

static struct rte_mempool *pool;

#define MAXQ 512
static struct {
	uint8_t d[2048];
	uint16_t len;
	uint16_t sport, dport;
} sent[MAXQ];
static unsigned int nsent, sent_taken;
static bool drop_sends;        /* lose what the engine sends, for now */

int
dp_udp_send(struct dp_worker *w, uint8_t family, const uint8_t *src, uint16_t sport,
	    const uint8_t *dst, uint16_t dport, const void *payload, uint16_t len)
{
	(void)w;
	(void)family;
	(void)src;
	(void)dst;
	if (drop_sends)
		return 0;
	assert_true(nsent < MAXQ && len <= sizeof(sent[0].d));
	memcpy(sent[nsent].d, payload, len);
	sent[nsent].len = len;
	sent[nsent].sport = sport;
	sent[nsent].dport = dport;
	nsent++;
	return 0;
}

/* ---- the seam ------------------------------------------------------------------ */

static struct {
	struct ipc_srtp_key rx, tx;
	uint16_t serial;
	unsigned int n;
} got[NTERMS];
static int keys_rc;
static struct dtls_srtp_event last_ev[NTERMS];
static unsigned int nev[NTERMS];
static uint16_t allowed[NTERMS];   /* the source port src_ok() takes (0: any) */
static bool strangers;              /* src_ok() takes nobody */

static int
seam_keys(struct dp_worker *w, uint32_t idx, uint16_t serial, const struct ipc_srtp_key *rx,
	  const struct ipc_srtp_key *tx)
{
	(void)w;
	assert_true(idx < NTERMS);
	if (keys_rc < 0)
		return keys_rc;
	got[idx].rx = *rx;
	got[idx].tx = *tx;
	got[idx].serial = serial;
	got[idx].n++;
	return 0;
}

static bool
seam_src_ok(struct dp_worker *w, uint32_t idx, const struct ipc_addr *src)
{
	(void)w;
	if (strangers)
		return false;
	return allowed[idx] == 0 || allowed[idx] == src->port;
}

static void
seam_event(struct dp_worker *w, uint32_t idx, const struct dtls_srtp_event *ev)
{
	(void)w;
	assert_true(idx < NTERMS);
	last_ev[idx] = *ev;
	nev[idx]++;
}

static const struct dtls_srtp_ops seam = {
	.keys = seam_keys, .src_ok = seam_src_ok, .event = seam_event,
};

/* ---- fixture ------------------------------------------------------------------- */

static char dir[64];
static struct tp_conf_tls tls;
static struct tls_cred *ours, *theirs, *other;
static struct certfp their_fp, their_fp1, other_fp;
static struct dp_ctx ctx;
static struct dp_worker worker;
static struct dp_worker *w = &worker;
static struct dtls_srtp_conf conf;

static void
run(const char *cmd)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
	assert_int_equal(system(full), 0);
}

static struct tls_cred *
peer_cred(const char *name)
{
	char cmd[512], c[128], k[128], err[256];
	struct tls_cred *cr;

	snprintf(c, sizeof(c), "%s/%s.pem", dir, name);
	snprintf(k, sizeof(k), "%s/%s.key", dir, name);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-nodes -days 2 -subj /CN=%s -keyout %s -out %s", name, k, c);
	run(cmd);
	cr = tls_cred_load(c, k, err, sizeof(err));
	assert_non_null(cr);
	return cr;
}

static void
engine_up(uint32_t handshakes)
{
	char err[256];

	conf.handshakes = handshakes;
	if (dtls_srtp_worker_init(w, &conf, &seam, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static int
setup(void **state)
{
	char pfx[64];
	char *argv[] = { "test_dp_dtls_srtp", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 "--log-level=lib.eal:error", "--file-prefix", pfx, "-l", "0", NULL };
	char err[256];

	(void)state;
	snprintf(pfx, sizeof(pfx), "dsrtptest%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("dsrtp_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	tls_mem_init();
	dgq_setup();
	snprintf(dir, sizeof(dir), "/tmp/tp-dsrtpe-XXXXXX");
	assert_non_null(mkdtemp(dir));
	theirs = peer_cred("browser");
	other = peer_cred("other");
	assert_int_equal(certfp_of_x509(theirs->cert, CERTFP_SHA256, &their_fp), 0);
	assert_int_equal(certfp_of_x509(theirs->cert, CERTFP_SHA1, &their_fp1), 0);
	assert_int_equal(certfp_of_x509(other->cert, CERTFP_SHA256, &other_fp), 0);
	ours = tls_cred_generate(NULL, "turnpike", 30u * 86400u, err, sizeof(err));
	assert_non_null(ours);
	tls.line = 3;
	snprintf(tls.ciphers, sizeof(tls.ciphers), "%s", TP_CONF_TLS_CIPHERS);
	snprintf(tls.ciphersuites, sizeof(tls.ciphersuites), "%s", TP_CONF_TLS_CIPHERSUITES);
	snprintf(tls.groups, sizeof(tls.groups), "%s", TP_CONF_TLS_GROUPS);
	conf.tls = &tls;
	conf.cred = ours;
	conf.terms = NTERMS;
	conf.handshake_timeout_ms = 5000;
	ctx.nworkers = 1;
	ctx.workers[0] = w;
	worker.ctx = &ctx;
	worker.now_ms = 1000000;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	tls_cred_free(ours);
	tls_cred_free(theirs);
	tls_cred_free(other);
	dgq_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	return 0;
}

/* The SSLs of ours alive: every SSL of the process's (tls_mem) less the
 * peers'. */
static int npeers;

static int64_t
ours_live(void)
{
	return tls_mem_ssl_live() - npeers;
}

/* Each test starts with an engine (pool 8) and nothing sent or seen. */
static int
t_setup(void **state)
{
	(void)state;
	memset(got, 0, sizeof(got));
	memset(last_ev, 0, sizeof(last_ev));
	memset(nev, 0, sizeof(nev));
	memset(allowed, 0, sizeof(allowed));
	strangers = false;
	keys_rc = 0;
	nsent = sent_taken = 0;
	drop_sends = false;
	worker.hs.budget = 0;
	worker.hs.spent = 0;
	engine_up(8);
	return 0;
}

/* ... and ends with none: no SSL alive, no mbuf held. */
static int
t_teardown(void **state)
{
	(void)state;
	dtls_srtp_worker_free(w);
	assert_int_equal(ours_live(), 0);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	ERR_clear_error();
	return 0;
}

/* ---- the peers ----------------------------------------------------------------- */

/* Termination idx's local address: 198.51.100.7:20000 + 2 idx; a peer's:
 * 192.0.2.1:port. */
static void
addr4(struct ipc_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = last == 7 ? 198 : 192;
	a->ip[1] = last == 7 ? 51 : 0;
	a->ip[2] = last == 7 ? 100 : 2;
	a->ip[3] = last;
	a->port = port;
}

static uint16_t
term_port(uint32_t idx)
{
	return (uint16_t)(20000 + 2 * idx);
}

struct peer {
	SSL_CTX *ctx;
	SSL *ssl;
	struct dgq in, out;
	uint16_t port;
	uint32_t idx;           /* the termination it talks to */
	unsigned int seen;      /* sent[] looked at so far */
	bool done, failed;
	int reason;
};

static struct peer *
peer_new(uint32_t idx, uint16_t port, bool client, const struct peer_opts *o)
{
	struct peer *p = calloc(1, sizeof(*p));
	struct peer_opts d = *o;

	assert_non_null(p);
	if (d.cert == NULL) {
		d.cert = theirs->cert;
		d.key = theirs->key;
	}
	p->ctx = peer_ctx(client, &d);
	p->ssl = peer_ssl(p->ctx, client, &d, &p->in, &p->out);
	p->port = port;
	p->idx = idx;
	p->seen = nsent;        /* (what comes from now on) */
	npeers++;
	return p;
}

static void
peer_free(struct peer *p)
{
	SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
	free(p);
	npeers--;
}

/* One datagram from the peer's port to termination idx. */
static void
deliver(uint32_t idx, uint16_t sport, const uint8_t *d, size_t n)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct dp_udp_meta meta;
	struct ipc_addr s, t;
	char *at;

	assert_non_null(m);
	at = rte_pktmbuf_append(m, (uint16_t)n);
	assert_non_null(at);
	memcpy(at, d, n);
	addr4(&s, 1, sport);
	addr4(&t, 7, term_port(idx));
	memset(&meta, 0, sizeof(meta));
	meta.family = 4;
	memcpy(meta.src, s.ip, 16);
	memcpy(meta.dst, t.ip, 16);
	meta.src_port = sport;
	meta.dst_port = t.port;
	meta.payload_len = (uint16_t)n;
	meta.cksum_ok = true;
	dtls_srtp_input(w, idx, m, &meta);
}

/* What the peer wrote, each datagram to its termination. */
static void
peer_flush(struct peer *p)
{
	uint8_t d[2048];
	size_t n;

	while ((n = dgq_pop(&p->out, d, sizeof(d))) > 0)
		deliver(p->idx, p->port, d, n);
}

/* What the engine sent to the peer's port since it last looked, to the
 * peer. */
static unsigned int
to_peer(struct peer *p)
{
	unsigned int k = 0;

	for (; p->seen < nsent; p->seen++) {
		if (sent[p->seen].dport != p->port)
			continue;
		dgq_push(&p->in, sent[p->seen].d, sent[p->seen].len);
		k++;
	}
	return k;
}

/* A mark: what the engine sent so far (sent_taken, for "nothing since"). */
static void
taken(void)
{
	sent_taken = nsent;
}

static void
peer_step(struct peer *p)
{
	int r;

	if (p->done || p->failed)
		return;
	ERR_clear_error();
	r = SSL_do_handshake(p->ssl);
	if (r == 1) {
		p->done = true;
		return;
	}
	if (SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_READ) {
		p->failed = true;
		p->reason = ERR_GET_REASON(ERR_peek_last_error());
		ERR_clear_error();
	}
}

/* The handshake between p and the engine until p ended or nothing moves. */
static void
pump(struct peer *p)
{
	for (int i = 0; i < 40 && !p->done && !p->failed; i++) {
		unsigned int before = nsent, k;

		peer_step(p);
		peer_flush(p);
		k = to_peer(p);
		if (k == 0 && nsent == before && p->in.n == 0 && i > 2)
			break;
	}
	/* (the engine's last flight, once the peer is done) */
	to_peer(p);
}

/* A termination's configuration: server unless role says, the peer's
 * sha-256, AES-CM profiles, our address. */
static struct dtls_srtp_term_cfg
cfg_of(uint32_t idx, enum dtls_srtp_role role, uint32_t assoc)
{
	struct dtls_srtp_term_cfg c;

	memset(&c, 0, sizeof(c));
	c.role = (uint8_t)role;
	c.nfp = role == DTLS_SRTP_ROLE_EITHER ? 0 : 1;
	c.fp[0] = their_fp;
	if (c.nfp == 0)
		memset(&c.fp[0], 0, sizeof(c.fp[0]));
	c.profiles = DTLS_SRTP_AES128_CM_80 | DTLS_SRTP_AES128_CM_32;
	c.flags = DTLS_SRTP_F_ICE;
	c.serial = (uint16_t)(100 + idx);
	c.assoc = assoc;
	addr4(&c.local, 7, term_port(idx));
	addr4(&c.remote, 1, (uint16_t)(40000 + idx));
	return c;
}

static void
term_set(uint32_t idx, const struct dtls_srtp_term_cfg *c)
{
	assert_int_equal(dtls_srtp_term_set(w, idx, c), 0);
}

/* A value of the statistics line. */
static unsigned long
stat(const char *name)
{
	char buf[8192], key[64];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	const char *at;

	assert_non_null(f);
	dtls_srtp_print(w, f);
	fclose(f);
	snprintf(key, sizeof(key), " %s=", name);
	at = strstr(buf, key);
	if (at == NULL)
		fail_msg("no %s in %s", name, buf);
	return strtoul(at + strlen(key), NULL, 10);
}

/* Our keys on termination idx are the peer's, split by role (we are the
 * client when client). */
static void
keys_agree(uint32_t idx, struct peer *p, bool client, unsigned int suite)
{
	uint8_t ptx[64], prx[64];
	unsigned int klen = ipc_srtp_key_len(suite);

	assert_int_equal(got[idx].n, 1);
	assert_int_equal(got[idx].rx.suite, suite);
	assert_int_equal(got[idx].tx.suite, suite);
	assert_int_equal(got[idx].rx.key_len, klen);
	peer_keys(p->ssl, !client, 16, klen - 16, ptx, prx);
	assert_memory_equal(got[idx].rx.key, ptx, klen);
	assert_memory_equal(got[idx].tx.key, prx, klen);
	/* cp's copy is the same */
	assert_int_equal(last_ev[idx].state, DTLS_SRTP_ST_UP);
	assert_memory_equal(&last_ev[idx].rx, &got[idx].rx, sizeof(got[idx].rx));
	assert_memory_equal(&last_ev[idx].tx, &got[idx].tx, sizeof(got[idx].tx));
}

/* No pool entry holds key octets. */
static void
pool_keys_zero(void)
{
	static const struct ipc_srtp_key zero;
	const struct dtls_srtp_worker *ds = w->dtls_srtp;

	for (uint32_t i = 0; i < ds->npool; i++) {
		assert_memory_equal(&ds->pool[i].rx, &zero, sizeof(zero));
		assert_memory_equal(&ds->pool[i].tx, &zero, sizeof(zero));
	}
}

static const struct peer_opts cm80 = { .profiles = "SRTP_AES128_CM_SHA1_80" };

/* ---- tests ----------------------------------------------------------------------- */

/* Our server: the client's keys, the event, the linger, SRTP ends it. */
static void
test_server_up(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer *p;
	char line[256];

	(void)state;
	term_set(0, &c);
	assert_int_equal(w->dtls_srtp->terms[0].state, DTLS_SRTP_ST_WAIT);
	p = peer_new(0, 40000, true, &cm80);
	pump(p);
	assert_true(p->done);
	keys_agree(0, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	assert_int_equal(got[0].serial, 100);
	assert_int_equal(nev[0], 1);
	assert_int_equal(last_ev[0].role, DTLS_SRTP_ROLE_SERVER);
	assert_int_equal(last_ev[0].profile, DTLS_SRTP_ID_AES128_CM_SHA1_80);
	assert_int_equal(last_ev[0].version, DTLS1_2_VERSION);
	assert_int_equal(last_ev[0].matched, 0);
	assert_int_equal(last_ev[0].assoc, 1);
	assert_int_equal(last_ev[0].peer.port, 40000);
	assert_true(certfp_equal(&last_ev[0].seen, &their_fp));
	assert_string_equal(last_ev[0].cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
	assert_string_equal(last_ev[0].detail, "up DTLSv1.2, fingerprint 1 of 1 matched");
	dtls_srtp_term_describe(w, 0, line, sizeof(line));
	assert_string_equal(line, "up, role server, DTLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256, "
			    "SRTP_AES128_CM_SHA1_80, fingerprint 1 of 1 matched, assoc 1");
	assert_int_equal(stat("handshakes_server"), 1);
	assert_int_equal(stat("up"), 1);
	assert_int_equal(stat("keys_installed"), 1);
	/* the SSL lingers (our last flight), then SRTP ends it */
	assert_int_equal(stat("lingering"), 1);
	assert_int_equal(ours_live(), 1);
	dtls_srtp_srtp_seen(w, 0);
	assert_int_equal(stat("lingering"), 0);
	assert_int_equal(stat("linger_srtp"), 1);
	assert_int_equal(ours_live(), 0);
	pool_keys_zero();
	/* a record now: no SSL to take it */
	assert_int_equal(SSL_write(p->ssl, "x", 1), 1);
	peer_flush(p);
	assert_int_equal(stat("after_up"), 1);
	/* the same association again (a re-offer that kept it): nothing moves */
	c.serial = 100;
	term_set(0, &c);
	assert_int_equal(w->dtls_srtp->terms[0].state, DTLS_SRTP_ST_UP);
	assert_int_equal(got[0].n, 1);
	/* a ClientHello to it now: unexpected */
	{
		struct peer *q = peer_new(0, 40000, true, &cm80);

		peer_step(q);
		peer_flush(q);
		assert_int_equal(stat("hello_unexpected"), 1);
		peer_free(q);
	}
	peer_free(p);
}

/* Our last flight lost: the client resends its Finished, the lingering
 * SSL answers with our flight again, the client completes; the linger's
 * end frees the SSL. */
static void
test_linger_resends(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer_opts o = cm80;
	struct peer *p;

	(void)state;
	o.timer_us = 1000;
	term_set(1, &c);
	p = peer_new(1, 40001, true, &o);
	/* until we are up, then our last flight is lost */
	for (int i = 0; i < 10 && got[1].n == 0; i++) {
		peer_step(p);
		peer_flush(p);
		if (got[1].n == 0)
			to_peer(p);
	}
	p->seen = nsent;                 /* (lost) */
	assert_int_equal(got[1].n, 1);
	assert_false(p->done);
	usleep(5000);
	assert_int_equal(DTLSv1_handle_timeout(p->ssl), 1);
	peer_flush(p);
	assert_true(to_peer(p) > 0);
	taken();
	peer_step(p);
	assert_true(p->done);
	keys_agree(1, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	assert_int_equal(ours_live(), 1);
	worker.now_ms += DTLS_SRTP_LINGER_MS;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("linger_freed"), 1);
	assert_int_equal(ours_live(), 0);
	peer_free(p);
}

/* Each flight lost once, either way: the peer resends its own (its
 * timer), ours go again when its retransmission shows ours was lost (the
 * server's flights, and the last one from the lingering SSL); the
 * handshake completes with the keys it would have had. */
static void
test_each_flight_lost_once(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(13, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer_opts o = cm80;
	struct peer *p;
	bool lost_peer[8] = { false }, lost_ours[8] = { false };
	unsigned int pf = 0, of = 0, losses = 0, idle = 0;

	(void)state;
	o.timer_us = 2000;
	term_set(13, &c);
	p = peer_new(13, 40013, true, &o);
	for (int i = 0; i < 80 && !p->done; i++) {
		bool moved = false;

		peer_step(p);
		if (p->done)
			break;
		if (p->out.n > 0) {
			moved = true;
			if (pf < 8 && !lost_peer[pf]) {
				lost_peer[pf] = true;
				losses++;
				while (p->out.n > 0)
					dgq_pop(&p->out, (uint8_t[2048]){ 0 }, 2048);
			} else {
				peer_flush(p);
				pf++;
			}
		}
		if (p->seen < nsent) {
			moved = true;
			if (of < 8 && !lost_ours[of]) {
				lost_ours[of] = true;
				losses++;
				p->seen = nsent;
			} else {
				to_peer(p);
				of++;
			}
		}
		if (moved) {
			idle = 0;
			continue;
		}
		/* the peer's timer first; ours (OpenSSL's wall clock, 1 s)
		 * when that moved nothing: mid-handshake OpenSSL resends a
		 * flight at its own timer only */
		if (++idle < 3) {
			usleep(5000);
			(void)DTLSv1_handle_timeout(p->ssl);
		} else {
			usleep(1050000);
			worker.now_ms += 1001;
			dtls_srtp_clock(w, worker.now_ms);
			idle = 0;
		}
	}
	assert_true(p->done);
	assert_true(losses >= 4);
	assert_true(stat("retransmits") >= 1);
	keys_agree(13, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	print_message("each flight lost once: %u losses, %u and %u flights through\n", losses, pf,
		      of);
	peer_free(p);
}

/* A ClientHello of our own making (dtls_hello.h's walk refuses it before
 * any SSL): a use_srtp with an MKI. */
static size_t
hello_mki(uint8_t *p)
{
	static const uint8_t ext[] = { 0, 20, 0, 10, 0, 4, 0, 2, 0, 23,
				       0, 14, 0, 8, 0, 2, 0, 1, 3, 0xaa, 0xbb, 0xcc };

	return hello_made(p, 4, 1, ext, sizeof(ext), 0);
}

/* The first datagram a peer client with o sends to termination idx. */
static void
hello_from(uint32_t idx, uint16_t port, const struct peer_opts *o)
{
	struct peer *p = peer_new(idx, port, true, o);

	peer_step(p);
	peer_flush(p);
	peer_free(p);
}

/* Each bad input refused and counted, nothing kept, while termination 9's
 * handshake goes on beside them and completes. */
static void
test_bad_inputs(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(2, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer_opts o;
	struct peer *good, *p;
	uint8_t d[2048];
	unsigned int inuse;
	size_t n;

	(void)state;
	for (uint32_t i = 2; i < 10; i++) {
		c = cfg_of(i, DTLS_SRTP_ROLE_SERVER, 1);
		term_set(i, &c);
	}
	c = cfg_of(10, DTLS_SRTP_ROLE_CLIENT, 1);
	term_set(10, &c);               /* (ICE: waits for its check) */
	/* termination 9's handshake: its first flight, the rest below */
	good = peer_new(9, 40009, true, &cm80);
	peer_step(good);
	peer_flush(good);
	to_peer(good);
	taken();
	inuse = rte_mempool_in_use_count(pool);
	/* a flood from strangers on every termination: a compare each */
	strangers = true;
	{
		struct peer *f = peer_new(2, 41000, true, &cm80);

		peer_step(f);
		n = dgq_pop(&f->out, d, sizeof(d));
		assert_true(n > 0);
		for (unsigned int i = 0; i < 1000; i++)
			deliver(2 + i % 8, (uint16_t)(41000 + i), d, n);
		peer_free(f);
	}
	strangers = false;
	assert_int_equal(stat("stranger"), 1000);
	assert_int_equal(stat("in_flight"), 1);
	assert_int_equal(ours_live(), 1);   /* (termination 9's) */
	assert_int_equal(nsent, sent_taken);
	assert_int_equal(rte_mempool_in_use_count(pool), inuse);
	/* no use_srtp; only a profile not offered; DTLS 1.0 */
	o = (struct peer_opts){ .profiles = NULL };
	hello_from(2, 42000, &o);
	assert_int_equal(stat("hello_no_use_srtp"), 1);
	c = cfg_of(3, DTLS_SRTP_ROLE_SERVER, 1);
	c.profiles = DTLS_SRTP_AES128_CM_80;
	term_set(3, &c);
	o = (struct peer_opts){ .profiles = "SRTP_AES128_CM_SHA1_32" };
	hello_from(3, 42001, &o);
	assert_int_equal(stat("hello_no_profile"), 1);
	o = (struct peer_opts){ .profiles = "SRTP_AES128_CM_SHA1_80", .version = DTLS1_VERSION };
	hello_from(4, 42002, &o);
	assert_int_equal(stat("hello_dtls10"), 1);
	/* an MKI; the same split over two records; garbage; not a hello */
	n = hello_mki(d);
	deliver(5, 42003, d, n);
	assert_int_equal(stat("hello_mki"), 1);
	d[24] = 20;                              /* (a first fragment of 20) */
	d[11] = 0;
	d[12] = 12 + 20;
	deliver(5, 42003, d, 13 + 12 + 20);
	assert_int_equal(stat("hello_fragment"), 1);
	deliver(5, 42003, (const uint8_t *)"\x16\xfe\xfd\0\0\0\0\0\0\0\0\0\x40" "abc", 16);
	assert_int_equal(stat("hello_malformed"), 1);
	deliver(5, 42003, (const uint8_t *)"\x17\xfe\xfd\0\x01\0\0\0\0\0\0\0\x04" "abcd", 17);
	assert_int_equal(stat("not_hello"), 1);
	/* a ClientHello to our client */
	hello_from(10, 42004, &cm80);
	assert_int_equal(stat("hello_unexpected"), 1);
	assert_int_equal(stat("in_flight"), 1);
	assert_int_equal(nsent, sent_taken);
	/* the wrong certificate: the handshake fails, no keys */
	o = (struct peer_opts){ .profiles = "SRTP_AES128_CM_SHA1_80", .cert = other->cert,
				.key = other->key };
	p = peer_new(6, 42005, true, &o);
	pump(p);
	assert_false(p->done);
	assert_int_equal(p->reason, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE);
	assert_int_equal(got[6].n, 0);
	assert_int_equal(last_ev[6].state, DTLS_SRTP_ST_FAILED);
	assert_int_equal(last_ev[6].why, TLS_FAIL_FP_MISMATCH);
	assert_true(certfp_equal(&last_ev[6].seen, &other_fp));
	assert_non_null(strstr(last_ev[6].detail, "fingerprint_mismatch: the peer's certificate "
				"is sha-256 "));
	assert_int_equal(stat("fail_fingerprint_mismatch"), 1);
	peer_free(p);
	/* a 64 KB chain: refused at its first fragment, with its reason */
	{
		X509 *x;
		EVP_PKEY *k;

		big_cert(65000, &x, &k);
		c = cfg_of(7, DTLS_SRTP_ROLE_SERVER, 1);
		assert_int_equal(certfp_of_x509(x, CERTFP_SHA256, &c.fp[0]), 0);
		term_set(7, &c);
		o = (struct peer_opts){ .profiles = "SRTP_AES128_CM_SHA1_80", .cert = x, .key = k };
		p = peer_new(7, 42006, true, &o);
		pump(p);
		assert_false(p->done);
		assert_int_equal(last_ev[7].why, TLS_FAIL_CERT_TOO_LONG);
		assert_int_equal(stat("fail_cert_too_long"), 1);
		assert_int_equal(got[7].n, 0);
		peer_free(p);
		X509_free(x);
		EVP_PKEY_free(k);
	}
	/* another source during a handshake: busy; termination 9's goes on */
	hello_from(9, 42007, &cm80);
	assert_int_equal(stat("busy"), 1);
	pump(good);
	assert_true(good->done);
	keys_agree(9, good, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	/* renegotiation while it lingers: refused, counted, keys as they were */
	assert_int_equal(SSL_renegotiate(good->ssl), 1);
	(void)SSL_do_handshake(good->ssl);
	peer_flush(good);
	assert_int_equal(stat("renegotiation_refused"), 1);
	assert_int_equal(got[9].n, 1);
	assert_int_equal(w->dtls_srtp->terms[9].state, DTLS_SRTP_ST_UP);
	peer_free(good);
	/* the attempts: termination 8 fails three times, the fourth refused */
	o = (struct peer_opts){ .profiles = "SRTP_AES128_CM_SHA1_80", .cert = other->cert,
				.key = other->key };
	for (int i = 0; i < 3; i++) {
		p = peer_new(8, 42010, true, &o);
		pump(p);
		assert_false(p->done);
		if (last_ev[8].why != TLS_FAIL_FP_MISMATCH)
			fail_msg("attempt %d: %s", i, last_ev[8].detail);
		peer_free(p);
	}
	assert_int_equal(w->dtls_srtp->terms[8].attempts, 3);
	hello_from(8, 42010, &cm80);
	assert_int_equal(stat("attempts"), 1);
	assert_int_equal(stat("fail_fingerprint_mismatch"), 4);
	pool_keys_zero();
}

/* A pool of 4: a fifth handshake is refused while four are under way; a
 * lingering one makes room for the next. */
static void
test_pool_bound(void **state)
{
	struct peer *p[6];

	(void)state;
	dtls_srtp_worker_free(w);
	engine_up(4);
	for (uint32_t i = 0; i < 6; i++) {
		struct dtls_srtp_term_cfg c = cfg_of(i, DTLS_SRTP_ROLE_SERVER, 1);

		term_set(i, &c);
	}
	for (uint32_t i = 0; i < 5; i++) {
		p[i] = peer_new(i, (uint16_t)(43000 + i), true, &cm80);
		peer_step(p[i]);
		peer_flush(p[i]);
	}
	assert_int_equal(stat("in_flight"), 4);
	assert_int_equal(stat("pool_full"), 1);
	assert_int_equal(stat("handshakes_server"), 4);
	assert_int_equal(ours_live(), 4);
	/* the first completes and lingers; a sixth takes its place */
	to_peer(p[0]);
	pump(p[0]);
	assert_true(p[0]->done);
	assert_int_equal(stat("lingering"), 1);
	p[5] = peer_new(5, 43005, true, &cm80);
	peer_step(p[5]);
	peer_flush(p[5]);
	assert_int_equal(stat("pool_evicted"), 1);
	assert_int_equal(stat("in_flight"), 4);
	assert_int_equal(stat("lingering"), 0);
	for (uint32_t i = 0; i < 6; i++)
		peer_free(p[i]);
	dtls_srtp_worker_free(w);
	engine_up(8);
}

/* OpenSSL's heap an SSL of ours holds between the steps of its handshake
 * (the pool's figure), and all of it back once it went. */
static void
test_heap_per_handshake(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(11, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer *p;
	long long base, held = 0;
	uint64_t spent, steps;

	(void)state;
	term_set(11, &c);
	p = peer_new(11, 44000, true, &cm80);
	spent = w->hs.spent;
	steps = w->hs.steps;
	base = ossl_heap_live;
	for (int i = 0; i < 10 && !p->done; i++) {
		peer_step(p);
		ossl_heap_counting = 1;
		peer_flush(p);
		ossl_heap_counting = 0;
		if (got[11].n == 0 && ossl_heap_live - base > held)
			held = ossl_heap_live - base;
		to_peer(p);
		taken();
	}
	assert_true(p->done);
	print_message("dp/dtls_srtp: OpenSSL's heap per handshake under way: %lld B; a "
		      "termination %zu B, a pool entry %zu B\n", held, sizeof(struct dtls_term),
		      sizeof(struct dtls_hs));
	assert_true(held > 16 * 1024 && held < 68 * 1024);
	/* the server's side of a handshake, in the worker's account: two
	 * steps (the ClientHello; the client's flight), this build's time */
	assert_int_equal(w->hs.steps - steps, 2);
	print_message("dp/dtls_srtp: our server's handshake took %" PRIu64 " us in %" PRIu64
		      " steps (this build's)\n",
		      (w->hs.spent - spent) * 1000000u / rte_get_tsc_hz(), w->hs.steps - steps);
	ossl_heap_counting = 1;
	dtls_srtp_srtp_seen(w, 11);
	ossl_heap_counting = 0;
	assert_int_equal(ossl_heap_live, base);
	peer_free(p);
}

/* What a handshake costs our side, in the worker's account, over 20 (a
 * figure of this build: perf/ measures it released). */
static void
test_handshake_time(void **state)
{
	uint64_t spent = w->hs.spent, steps = w->hs.steps;

	(void)state;
	for (uint32_t k = 0; k < 20; k++) {
		struct dtls_srtp_term_cfg c = cfg_of(k % NTERMS, DTLS_SRTP_ROLE_SERVER, k + 1);
		struct peer *p;

		term_set(k % NTERMS, &c);
		p = peer_new(k % NTERMS, (uint16_t)(44100 + k), true, &cm80);
		pump(p);
		assert_true(p->done);
		dtls_srtp_srtp_seen(w, k % NTERMS);
		peer_free(p);
	}
	assert_int_equal(w->hs.steps - steps, 40);
	print_message("dp/dtls_srtp: a server's handshake, our side: %" PRIu64 " us on average "
		      "over 20 (this build's), the longest step %" PRIu64 " us\n",
		      (w->hs.spent - spent) * 1000000u / rte_get_tsc_hz() / 20,
		      w->hs.step_max * 1000000u / rte_get_tsc_hz());
}

/* The handshake budget spent: ClientHellos wait in order, the clock's
 * next millisecond serves them; a full queue drops. */
static void
test_budget_queue(void **state)
{
	struct peer *p[3];

	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		struct dtls_srtp_term_cfg c = cfg_of(i, DTLS_SRTP_ROLE_SERVER, 1);

		term_set(i, &c);
		p[i] = peer_new(i, (uint16_t)(45000 + i), true, &cm80);
	}
	worker.hs.budget = 1;
	worker.hs.spent = 0;
	for (uint32_t i = 0; i < 3; i++) {
		peer_step(p[i]);
		peer_flush(p[i]);
	}
	assert_int_equal(stat("handshakes_server"), 1);
	assert_int_equal(stat("hs_deferred"), 2);
	assert_int_equal(stat("deferred"), 2);
	/* (the queue holds their mbufs meanwhile) */
	assert_int_equal(rte_mempool_in_use_count(pool), 2);
	dp_hs_reset(w);
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("handshakes_server"), 2);
	assert_int_equal(stat("deferred"), 1);
	assert_int_equal(w->dtls_srtp->terms[1].state, DTLS_SRTP_ST_HS);
	dp_hs_reset(w);
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("deferred"), 0);
	worker.hs.budget = 0;
	for (uint32_t i = 0; i < 3; i++) {
		to_peer(p[i]);
		pump(p[i]);
		assert_true(p[i]->done);
		keys_agree(i, p[i], false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
		peer_free(p[i]);
	}
	/* a queue of twice the pool (16): the seventeenth is dropped */
	worker.hs.budget = 1;
	worker.hs.spent = 1;
	for (uint32_t i = 0; i < 17; i++) {
		struct dtls_srtp_term_cfg c = cfg_of(i % NTERMS, DTLS_SRTP_ROLE_SERVER, 2);

		if (i < NTERMS)
			term_set(i, &c);
		hello_from(i % NTERMS, (uint16_t)(45100 + i), &cm80);
	}
	assert_int_equal(stat("deferred"), 16);
	assert_int_equal(stat("hs_defer_full"), 1);
	/* a termination that goes takes its queued datagrams with it */
	dtls_srtp_term_gone(w, 0);
	dtls_srtp_term_gone(w, 1);
	worker.hs.budget = 0;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("deferred"), 0);
}

/* Our client: nothing before ICE's check, then the ClientHello there; the
 * server's keys split our way. Without ICE, at once to the remote. */
static void
test_client(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(3, DTLS_SRTP_ROLE_CLIENT, 1);
	struct ipc_addr src;
	struct peer *p;

	(void)state;
	term_set(3, &c);
	assert_int_equal(nsent, 0);
	assert_int_equal(w->dtls_srtp->terms[3].state, DTLS_SRTP_ST_WAIT);
	p = peer_new(3, 46000, false, &cm80);
	addr4(&src, 1, 46000);
	dtls_srtp_checked(w, 3, &src);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].dport, 46000);
	assert_int_equal(sent[0].sport, term_port(3));
	assert_int_equal(stat("handshakes_client"), 1);
	to_peer(p);
	taken();
	pump(p);
	assert_true(p->done);
	keys_agree(3, p, true, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	assert_int_equal(last_ev[3].role, DTLS_SRTP_ROLE_CLIENT);
	peer_free(p);
	/* without ICE: at once, to the remote */
	c = cfg_of(4, DTLS_SRTP_ROLE_CLIENT, 1);
	c.flags = 0;
	taken();
	p = peer_new(4, 40004, false, &cm80);
	term_set(4, &c);
	assert_int_equal(nsent - sent_taken, 1);
	assert_int_equal(sent[sent_taken].dport, 40004);
	to_peer(p);
	taken();
	pump(p);
	assert_true(p->done);
	keys_agree(4, p, true, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	peer_free(p);
	/* a server that skips use_srtp: no keys (no_srtp) */
	{
		struct peer_opts none = { .profiles = NULL };

		c = cfg_of(5, DTLS_SRTP_ROLE_CLIENT, 1);
		c.flags = 0;
		p = peer_new(5, 40005, false, &none);
		term_set(5, &c);
		to_peer(p);
		taken();
		pump(p);
		assert_int_equal(last_ev[5].why, TLS_FAIL_NO_SRTP);
		assert_int_equal(got[5].n, 0);
		peer_free(p);
	}
}

/* Clients' starts that found the pool full wait for an entry (nothing
 * else sends our ClientHello again: a server's peer would): a pool of 2,
 * five client terminations without ICE, two ClientHellos at once, the
 * others one by one as entries come free, in order; one that went while
 * it waited is skipped. Before the ring, the three never started. */
static void
test_client_waits_for_the_pool(void **state)
{
	struct peer *p[5];
	unsigned int first;

	(void)state;
	dtls_srtp_worker_free(w);
	engine_up(2);
	for (uint32_t i = 0; i < 5; i++) {
		struct dtls_srtp_term_cfg c = cfg_of(i, DTLS_SRTP_ROLE_CLIENT, 1);

		c.flags = 0;
		p[i] = peer_new(i, (uint16_t)(40000 + i), false, &cm80);
		term_set(i, &c);
	}
	assert_int_equal(stat("handshakes_client"), 2);
	assert_int_equal(stat("pool_full"), 3);
	assert_int_equal(nsent, 2);
	/* 4 went while it waited */
	dtls_srtp_term_gone(w, 4);
	/* the clock with the pool still full: nothing new, the three wait */
	worker.now_ms += 1;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(nsent, 2);
	assert_int_equal(w->dtls_srtp->pw_n, 3);
	/* 0 completes and lingers: the next clock evicts it for 2 */
	to_peer(p[0]);
	pump(p[0]);
	assert_true(p[0]->done);
	keys_agree(0, p[0], true, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	first = nsent;
	worker.now_ms += 1;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("handshakes_client"), 3);
	assert_int_equal(nsent, first + 1);
	assert_int_equal(sent[first].dport, 40002);
	/* 3 still waits (1 and 2 under way) */
	assert_int_equal(w->dtls_srtp->terms[3].pool_wait, 1);
	for (uint32_t i = 1; i <= 2; i++) {
		to_peer(p[i]);
		pump(p[i]);
		assert_true(p[i]->done);
		keys_agree(i, p[i], true, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	}
	worker.now_ms += 1;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("handshakes_client"), 4);
	to_peer(p[3]);
	pump(p[3]);
	assert_true(p[3]->done);
	keys_agree(3, p[3], true, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	/* the one that went never started; the ring is empty */
	worker.now_ms += 1;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("handshakes_client"), 4);
	assert_int_equal(to_peer(p[4]), 0);
	assert_int_equal(w->dtls_srtp->pw_n, 0);
	for (uint32_t i = 0; i < 5; i++)
		peer_free(p[i]);
	dtls_srtp_worker_free(w);
	engine_up(8);
}

/* Our ClientHello lost: resent at the retransmission timer (the wheel's,
 * OpenSSL's 1 s), the handshake completes; a server that never answers:
 * the deadline fails it. */
static void
test_client_retransmit_and_deadline(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(6, DTLS_SRTP_ROLE_CLIENT, 1);
	struct peer *p;

	(void)state;
	c.flags = 0;
	p = peer_new(6, 40006, false, &cm80);
	drop_sends = true;
	term_set(6, &c);
	drop_sends = false;
	assert_int_equal(nsent, 0);
	/* (OpenSSL's timer reads the wall clock: a second must pass) */
	usleep(1050000);
	worker.now_ms += 1001;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("retransmits"), 1);
	assert_int_equal(nsent, 1);
	to_peer(p);
	taken();
	pump(p);
	assert_true(p->done);
	keys_agree(6, p, true, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	peer_free(p);
	/* no answer at all: failed at conf.handshake_timeout_ms (5 s) */
	c = cfg_of(7, DTLS_SRTP_ROLE_CLIENT, 1);
	c.flags = 0;
	term_set(7, &c);
	worker.now_ms += 4000;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(w->dtls_srtp->terms[7].state, DTLS_SRTP_ST_HS);
	worker.now_ms += 1001;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(w->dtls_srtp->terms[7].state, DTLS_SRTP_ST_FAILED);
	assert_int_equal(last_ev[7].why, TLS_FAIL_TIMEOUT);
	assert_int_equal(stat("fail_timeout"), 1);
	assert_int_equal(w->dtls_srtp->terms[7].hs, 0);
	assert_int_equal(stat("in_flight"), 1);      /* (termination 6's, lingering) */
	assert_int_equal(stat("lingering"), 1);
}

/* We offered actpass: a ClientHello before the answer. The handshake ends
 * with the keys held; the answer's fingerprint installs them, another
 * wipes them, one making us the client fails it and starts ours. */
static void
test_either(void **state)
{
	struct dtls_srtp_term_cfg c;
	struct peer *p;

	(void)state;
	for (int k = 0; k < 3; k++) {
		uint32_t idx = 12 + (uint32_t)k;

		c = cfg_of(idx, DTLS_SRTP_ROLE_EITHER, 1);
		c.flags = 0;
		term_set(idx, &c);
		p = peer_new(idx, (uint16_t)(47000 + k), true, &cm80);
		pump(p);
		assert_true(p->done);
		assert_int_equal(got[idx].n, 0);
		assert_int_equal(last_ev[idx].state, DTLS_SRTP_ST_VERIFY_WAIT);
		assert_int_equal(w->dtls_srtp->terms[idx].state, DTLS_SRTP_ST_VERIFY_WAIT);
		assert_int_equal(stat("held"), 1);
		/* the answer, the same association */
		c = cfg_of(idx, k == 2 ? DTLS_SRTP_ROLE_CLIENT : DTLS_SRTP_ROLE_SERVER, 1);
		c.flags = 0;
		if (k == 1)
			c.fp[0] = other_fp;
		term_set(idx, &c);
		assert_int_equal(stat("held"), 0);
		switch (k) {
		case 0:
			keys_agree(idx, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
			assert_int_equal(stat("verify_late_ok"), 1);
			break;
		case 1:
			assert_int_equal(got[idx].n, 0);
			assert_int_equal(last_ev[idx].state, DTLS_SRTP_ST_FAILED);
			assert_int_equal(last_ev[idx].why, TLS_FAIL_FP_MISMATCH);
			break;
		case 2:
			assert_int_equal(got[idx].n, 0);
			assert_int_equal(stat("fail_role_conflict"), 1);
			/* and ours, to the remote (no ICE) */
			assert_int_equal(w->dtls_srtp->terms[idx].state, DTLS_SRTP_ST_HS);
			assert_int_equal(w->dtls_srtp->terms[idx].role, DTLS_SRTP_ROLE_CLIENT);
			assert_int_equal(sent[nsent - 1].dport, 40000 + idx);
			break;
		}
		pool_keys_zero();
		peer_free(p);
	}
	/* held past verify_wait_ms: failed, wiped */
	c = cfg_of(11, DTLS_SRTP_ROLE_EITHER, 1);
	term_set(11, &c);
	p = peer_new(11, 47010, true, &cm80);
	pump(p);
	assert_int_equal(stat("held"), 1);
	worker.now_ms += DTLS_SRTP_LINGER_MS;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("held"), 1);
	assert_int_equal(ours_live(), 0);   /* (its linger ended: the keys wait alone) */
	worker.now_ms += DTLS_SRTP_VERIFY_WAIT_MS;
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("held"), 0);
	assert_int_equal(last_ev[11].why, TLS_FAIL_TIMEOUT);
	pool_keys_zero();
	peer_free(p);
}

/* Without ICE (a source anyone can forge) and with the cookie asked: a
 * ClientHello without our cookie gets a HelloVerifyRequest and makes
 * nothing, a forged one too; the one with it makes the handshake
 * (DTLSv1_listen() over it), which completes. */
static void
test_cookie(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(2, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer *p;
	uint8_t d[2048];
	size_t n;

	(void)state;
	c.flags = DTLS_SRTP_F_COOKIE;
	term_set(2, &c);
	p = peer_new(2, 49500, true, &cm80);
	peer_step(p);
	n = dgq_pop(&p->out, d, sizeof(d));
	assert_true(n > 0);
	deliver(2, 49500, d, n);
	assert_int_equal(stat("cookie_sent"), 1);
	assert_int_equal(stat("in_flight"), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].len, DTLS_HVR_LEN);
	/* a thousand from other ports: answers (not kept here), nothing kept
	 * there */
	drop_sends = true;
	for (unsigned int i = 0; i < 1000; i++)
		deliver(2, (uint16_t)(50000 + i), d, n);
	drop_sends = false;
	assert_int_equal(stat("cookie_sent"), 1001);
	assert_int_equal(stat("in_flight"), 0);
	assert_int_equal(ours_live(), 0);
	/* the cookie, forged: refused, answered again */
	{
		uint8_t hvr[DTLS_HVR_LEN];
		struct peer *q = peer_new(2, 49501, true, &cm80);

		peer_step(q);
		n = dgq_pop(&q->out, d, sizeof(d));
		deliver(2, 49501, d, n);
		memcpy(hvr, sent[nsent - 1].d, sizeof(hvr));
		hvr[DTLS_HVR_LEN - 3] ^= 0x40;
		dgq_push(&q->in, hvr, sizeof(hvr));
		peer_step(q);
		peer_flush(q);
		assert_int_equal(stat("cookie_bad"), 1);
		assert_int_equal(stat("in_flight"), 0);
		peer_free(q);
	}
	/* ours: the handshake */
	to_peer(p);
	pump(p);
	assert_true(p->done);
	keys_agree(2, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	assert_int_equal(stat("handshakes_server"), 1);
	peer_free(p);
}

/* A client's ClientHello cut into records within its datagram (OpenSSL's
 * client at its least MTU, 256, with aiortc 1.4's cipher list, its records
 * read out of a memory BIO into one datagram: aiortc's always is), taken
 * whole by the front and reassembled by OpenSSL: the handshake and the
 * keys as for one whole; the same records in two datagrams (Chromium's
 * ClientHello, longer than its MTU) from a source ICE checked: the first
 * starts the handshake. Where a cookie must come first (DTLSv1_listen()
 * takes no fragment) both are refused, counted. */
static size_t
flight_one(struct peer *p, uint8_t *d, size_t cap)
{
	size_t n = 0, k;

	while ((k = dgq_pop(&p->out, d + n, cap - n)) > 0)
		n += k;
	return n;
}

static void
test_server_hello_cut(void **state)
{
	static const struct peer_opts cut = { .profiles = "SRTP_AES128_CM_SHA1_80", .mtu = 256,
					      .ciphers = "HIGH:!CAMELLIA:!aNULL" };
	struct dtls_srtp_term_cfg c = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	struct dtls_hello h;
	struct peer *p;
	uint8_t d[2048];
	size_t n, r1;

	(void)state;
	term_set(0, &c);
	p = peer_new(0, 40100, true, &cut);
	peer_step(p);
	n = flight_one(p, d, sizeof(d));
	assert_int_equal(dtls_hello_parse(d, n, &h), DTLS_HELLO_FRAGMENT);
	r1 = DTLS_REC_HDR_LEN + ((size_t)d[11] << 8 | d[12]);
	assert_true(n > r1);   /* two records */
	deliver(0, 40100, d, n);
	assert_int_equal(stat("hello_fragment"), 0);
	assert_int_equal(stat("hello_spread"), 0);
	assert_int_equal(stat("handshakes_server"), 1);
	to_peer(p);
	pump(p);
	assert_true(p->done);
	keys_agree(0, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	peer_free(p);
	/* spread over two datagrams (a browser's, longer than its MTU), from
	 * a source ICE checked: a later fragment first is refused; the first
	 * starts the handshake, OpenSSL reassembles with the next */
	c = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	term_set(1, &c);
	p = peer_new(1, 40102, true, &cut);
	peer_step(p);
	n = flight_one(p, d, sizeof(d));
	r1 = DTLS_REC_HDR_LEN + ((size_t)d[11] << 8 | d[12]);
	assert_int_equal(dtls_hello_first(d, r1), DTLS_HELLO_OK);
	assert_int_equal(dtls_hello_first(d + r1, n - r1), DTLS_HELLO_FRAGMENT);
	deliver(1, 40102, d + r1, n - r1);
	assert_int_equal(stat("hello_fragment"), 1);
	assert_int_equal(stat("handshakes_server"), 1);
	deliver(1, 40102, d, r1);
	assert_int_equal(stat("hello_spread"), 1);
	assert_int_equal(stat("handshakes_server"), 2);
	deliver(1, 40102, d + r1, n - r1);
	to_peer(p);
	pump(p);
	assert_true(p->done);
	keys_agree(1, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	peer_free(p);
	/* with a cookie first: refused */
	c = cfg_of(2, DTLS_SRTP_ROLE_SERVER, 1);
	c.flags = DTLS_SRTP_F_COOKIE;
	term_set(2, &c);
	p = peer_new(2, 40101, true, &cut);
	peer_step(p);
	n = flight_one(p, d, sizeof(d));
	deliver(2, 40101, d, n);
	assert_int_equal(stat("hello_fragment"), 2);
	/* its first record alone: refused too (no state before the cookie) */
	deliver(2, 40101, d, DTLS_REC_HDR_LEN + ((size_t)d[11] << 8 | d[12]));
	assert_int_equal(stat("hello_fragment"), 3);
	assert_int_equal(stat("hello_spread"), 1);
	assert_int_equal(stat("cookie_sent"), 0);
	assert_int_equal(stat("handshakes_server"), 2);
	peer_free(p);
}

/* RFC 8842: a new association (another fingerprint or tls-id) starts
 * over with a handshake of its own; the old keys serve meanwhile (the
 * engine holds none of them). */
static void
test_new_association(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer *p;

	(void)state;
	term_set(0, &c);
	p = peer_new(0, 48000, true, &cm80);
	pump(p);
	keys_agree(0, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	peer_free(p);
	c.assoc = 2;
	term_set(0, &c);
	assert_int_equal(w->dtls_srtp->terms[0].state, DTLS_SRTP_ST_WAIT);
	assert_int_equal(stat("lingering"), 0);
	got[0].n = 0;
	p = peer_new(0, 48001, true, &cm80);
	pump(p);
	keys_agree(0, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	assert_int_equal(last_ev[0].assoc, 2);
	peer_free(p);
	/* the termination's serial moved on meanwhile: keys refused, wiped */
	c.assoc = 3;
	term_set(0, &c);
	keys_rc = -ESTALE;
	p = peer_new(0, 48002, true, &cm80);
	pump(p);
	assert_int_equal(stat("keys_stale"), 1);
	pool_keys_zero();
	peer_free(p);
	/* cfg refusals */
	c = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	c.nfp = 0;
	assert_int_equal(dtls_srtp_term_set(w, 1, &c), -EINVAL);
	c = cfg_of(1, DTLS_SRTP_ROLE_EITHER, 1);
	c.nfp = 1;
	c.fp[0] = their_fp;
	assert_int_equal(dtls_srtp_term_set(w, 1, &c), -EINVAL);
	c = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	c.profiles = DTLS_SRTP_AEAD_128_GCM;
	assert_int_equal(dtls_srtp_term_set(w, 1, &c), DTLS_SRTP_DP_GCM ? 0 : -EINVAL);
	c = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	c.fp[0].len = 5;
	assert_int_equal(dtls_srtp_term_set(w, 1, &c), -EINVAL);
	c = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	c.role = 4;
	assert_int_equal(dtls_srtp_term_set(w, 1, &c), -EINVAL);
	c.role = DTLS_SRTP_ROLE_SERVER;
	c.flags = 0x80;
	assert_int_equal(dtls_srtp_term_set(w, 1, &c), -EINVAL);
	assert_int_equal(dtls_srtp_term_set(w, NTERMS, &c), -ERANGE);
}

/* The family cp would publish: the registry takes it (names and help
 * within lib/ipc's bounds), and each value is the statistics line's. */
static void
test_ctrs_published(void **state)
{
	const struct dp_ctrs_family *f = &dtls_srtp_ctrs;
	uint64_t v[128];
	char err[256] = "", name[DP_CTRS_NAME_LEN];
	struct dtls_srtp_term_cfg c = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);

	(void)state;
	term_set(0, &c);
	hello_from(0, 49000, &(struct peer_opts){ .profiles = NULL });
	assert_true(f->n <= 128);
	print_message("dp/dtls_srtp: %u counters\n", f->n);
	dp_ctrs_reset();
	if (dp_ctrs_register(f, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	f->values(w, v);
	for (unsigned int k = 0; k < f->n; k++) {
		const struct dp_ctrs_desc *d = dp_ctrs_get(k, name, sizeof(name), NULL);

		assert_non_null(d);
		assert_int_equal(strncmp(name, "dsrtp_", 6), 0);
		assert_int_equal(v[k], stat(d->name));
	}
	assert_int_equal(stat("hello_no_use_srtp"), 1);
	dp_ctrs_reset();
}

/* The sha-256 of the certificate p's handshake saw from us. */
static void
served_fp(struct peer *p, struct certfp *fp)
{
	X509 *x = SSL_get1_peer_certificate(p->ssl);

	assert_non_null(x);
	assert_int_equal(certfp_of_x509(x, CERTFP_SHA256, fp), 0);
	X509_free(x);
}

/*
 * Our certificate reloaded: a termination whose SDP gave the new
 * generation's fingerprint handshakes under it at once (before the clock
 * took the offer), one that gave the old one still under the old one; a
 * third generation leaves the first two behind: its termination fails
 * `replaced`, with no handshake. An offer never taken goes with the
 * worker.
 */
static void
test_reload_serves_the_generation_signalled(void **state)
{
	struct dtls_srtp_term_cfg c0 = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	struct dtls_srtp_term_cfg c1 = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	struct dtls_srtp_term_cfg c2 = cfg_of(2, DTLS_SRTP_ROLE_SERVER, 1);
	struct certfp f_ours, f_b, seen;
	struct dtls_srtp_gen_offer *o;
	struct tls_cred *b, *c;
	struct peer *p;
	char err[256];

	(void)state;
	assert_int_equal(certfp_of_x509(ours->cert, CERTFP_SHA256, &f_ours), 0);
	c0.cert_gen = 1;
	term_set(0, &c0);
	b = tls_cred_generate(NULL, "turnpike", 30u * 86400u, err, sizeof(err));
	c = tls_cred_generate(NULL, "turnpike", 30u * 86400u, err, sizeof(err));
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal(certfp_of_x509(b->cert, CERTFP_SHA256, &f_b), 0);
	o = dtls_srtp_gen_make(w, b, 2, err, sizeof(err));
	assert_non_null(o);
	dtls_srtp_gen_offer(w, o);
	/* the new generation named before the clock took it */
	c1.cert_gen = 2;
	term_set(1, &c1);
	p = peer_new(1, 40001, true, &cm80);
	pump(p);
	assert_true(p->done);
	served_fp(p, &seen);
	assert_true(certfp_equal(&seen, &f_b));
	assert_int_equal(w->dtls_srtp->gen, 2);
	assert_int_equal(w->dtls_srtp->reloaded, 1);
	peer_free(p);
	/* the old generation's termination: the old certificate */
	p = peer_new(0, 40000, true, &cm80);
	pump(p);
	assert_true(p->done);
	served_fp(p, &seen);
	assert_true(certfp_equal(&seen, &f_ours));
	assert_int_equal(last_ev[0].state, DTLS_SRTP_ST_UP);
	peer_free(p);
	/* a third generation, taken at the clock: the first is gone */
	o = dtls_srtp_gen_make(w, c, 3, err, sizeof(err));
	assert_non_null(o);
	dtls_srtp_gen_offer(w, o);
	w->now_ms++;
	dtls_srtp_clock(w, w->now_ms);
	assert_int_equal(w->dtls_srtp->gen, 3);
	c2.cert_gen = 1;
	term_set(2, &c2);
	p = peer_new(2, 40002, true, &cm80);
	pump(p);
	assert_false(p->done);
	assert_int_equal(last_ev[2].state, DTLS_SRTP_ST_FAILED);
	assert_int_equal(last_ev[2].why, TLS_FAIL_REPLACED);
	assert_int_equal(got[2].n, 0);
	assert_int_equal(stat("handshakes_server"), 2);
	peer_free(p);
	/* one offered and never taken: the worker's end frees it */
	o = dtls_srtp_gen_make(w, b, 4, err, sizeof(err));
	assert_non_null(o);
	dtls_srtp_gen_offer(w, o);
	tls_cred_free(b);
	tls_cred_free(c);
}

/* ---- the async offload (tls.offload: SSL_MODE_ASYNC) ------------------------------- */

/* With TP_ASYNCPROV_SO: the provider's library context (tests/tls_asyncprov:
 * every public-key operation in it pauses its async job, the provider's
 * thread calling back TP_ASYNCPROV_DELAY_US later). */
static OSSL_LIB_CTX *alibctx;
static const char *apropq;

/* The engine again with the offload: contexts in the provider's library
 * context, SSL_MODE_ASYNC, the thread's pool of jobs (as dp's worker's:
 * tls_worker_thread_init()). False (the test skipped) without the
 * provider. */
static bool
engine_async(uint32_t jobs)
{
	if (alibctx == NULL) {
		printf("# TP_ASYNCPROV_SO not set: skipped\n");
		return false;
	}
	dtls_srtp_worker_free(w);
	ASYNC_cleanup_thread();
	assert_int_equal(ASYNC_init_thread(jobs, 0), 1);
	conf.libctx = alibctx;
	conf.propq = apropq;
	conf.async_jobs = jobs;
	engine_up(8);
	return true;
}

/* Back to the engine without the offload (t_teardown frees it). */
static void
engine_sync(void)
{
	dtls_srtp_worker_free(w);
	ASYNC_cleanup_thread();
	conf.libctx = NULL;
	conf.propq = NULL;
	conf.async_jobs = 0;
	engine_up(8);
}

/* The clock (no time passes) until the ring and the job-wait list are
 * empty and the orphans gone, or 2 s. */
static void
async_settle(void)
{
	for (int i = 0; i < 10000; i++) {
		dtls_srtp_clock(w, worker.now_ms);
		if (stat("async_parked_now") == 0 && stat("async_jobwait") == 0 &&
		    stat("async_orphans_now") == 0)
			return;
		usleep(200);
	}
}

/* The handshakes of n peers until each has ended or 4 s: the peers'
 * steps, the engine's wake-ups from the clock. */
static void
pump_async(struct peer **ps, unsigned int n)
{
	for (int i = 0; i < 20000; i++) {
		bool all = true;

		for (unsigned int k = 0; k < n; k++) {
			peer_step(ps[k]);
			peer_flush(ps[k]);
			to_peer(ps[k]);
			all = all && (ps[k]->done || ps[k]->failed);
		}
		if (all)
			break;
		dtls_srtp_clock(w, worker.now_ms);
		usleep(200);
	}
	async_settle();
	for (unsigned int k = 0; k < n; k++)
		to_peer(ps[k]);
}

/* Both roles' handshakes on the offload: each parks (its job paused on
 * the provider) at least once, is woken through the ring and completes
 * with the keys the peer exports. */
static void
test_async_both_roles(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer *p;
	unsigned long parked;

	(void)state;
	if (!engine_async(64))
		return;
	/* our server */
	term_set(0, &c);
	p = peer_new(0, 40000, true, &cm80);
	pump_async(&p, 1);
	assert_true(p->done);
	keys_agree(0, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	parked = stat("async_parked");
	printf("# server: async_parked %lu, async_resumed %lu\n", parked,
	       stat("async_resumed"));
	assert_true(parked >= 1);
	assert_int_equal(stat("async_resumed"), parked);
	assert_int_equal(stat("async_parked_now"), 0);
	peer_free(p);
	/* our client (no ICE: at once) */
	c = cfg_of(1, DTLS_SRTP_ROLE_CLIENT, 1);
	c.flags = 0;
	p = peer_new(1, 40001, false, &cm80);
	term_set(1, &c);
	pump_async(&p, 1);
	assert_true(p->done);
	keys_agree(1, p, true, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	printf("# client: async_parked %lu\n", stat("async_parked") - parked);
	assert_true(stat("async_parked") >= parked + 1);
	assert_int_equal(stat("async_resumed"), stat("async_parked"));
	assert_int_equal(stat("async_no_job"), 0);
	assert_int_equal(stat("async_orphans"), 0);
	peer_free(p);
	engine_sync();
}

/* A handshake released while its job is paused (its termination gone,
 * and one past its deadline): the SSL is an orphan, alive until the job
 * ends, then freed (ASan: nothing leaked, nothing used after its free);
 * a datagram while parked is dropped. */
static void
test_async_released_while_parked(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer *p;

	(void)state;
	if (!engine_async(64))
		return;
	term_set(0, &c);
	p = peer_new(0, 40000, true, &cm80);
	peer_step(p);
	peer_flush(p);                /* its ClientHello: our step pauses */
	assert_int_equal(stat("async_parked"), 1);
	assert_int_equal(stat("async_parked_now"), 1);
	assert_int_equal(ours_live(), 1);
	/* a ClientHello from its peer's address meanwhile: dropped (the
	 * job has the first) */
	{
		struct peer *q = peer_new(0, 40000, true, &cm80);

		peer_step(q);
		peer_flush(q);
		assert_int_equal(stat("async_dropped"), 1);
		peer_free(q);
	}
	dtls_srtp_term_gone(w, 0);
	assert_int_equal(stat("async_orphans"), 1);
	assert_int_equal(stat("async_orphans_now"), 1);
	assert_int_equal(stat("async_parked_now"), 0);
	assert_int_equal(stat("in_flight"), 0);
	assert_int_equal(ours_live(), 1);    /* the job still runs on it */
	async_settle();
	assert_int_equal(stat("async_orphans_now"), 0);
	assert_int_equal(ours_live(), 0);
	peer_free(p);
	/* the deadline ends a parked handshake: an orphan too */
	term_set(0, &c);
	p = peer_new(0, 40000, true, &cm80);
	peer_step(p);
	peer_flush(p);
	assert_int_equal(stat("async_parked_now"), 1);
	worker.now_ms += 5000;       /* conf's handshake_timeout_ms */
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(last_ev[0].why, TLS_FAIL_TIMEOUT);
	assert_int_equal(stat("async_orphans"), 2);
	async_settle();
	assert_int_equal(stat("async_orphans_now"), 0);
	assert_int_equal(ours_live(), 0);
	/* and a parked one the worker's end finds: waited for, then freed */
	c = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	term_set(1, &c);
	{
		struct peer *q = peer_new(1, 40001, true, &cm80);

		peer_step(q);
		peer_flush(q);
		assert_int_equal(stat("async_parked_now"), 1);
		engine_sync();            /* (frees the engine: its orphan ends) */
		assert_int_equal(ours_live(), 0);
		peer_free(q);
	}
	peer_free(p);
}

/* The clock (no time passes) until no handshake is parked, or 2 s. */
static void
async_woken(void)
{
	for (int i = 0; i < 10000 && stat("async_parked_now") > 0; i++) {
		usleep(200);
		dtls_srtp_clock(w, worker.now_ms);
	}
	assert_int_equal(stat("async_parked_now"), 0);
}

/* The retransmission timer touches no parked SSL: our server's second
 * step (the client's flight) parks while its flight's retransmission is
 * due (1 s); the entry's timer waits for the deadline instead (OpenSSL's
 * own timer reads the wall clock, which the test does not move: the
 * entry's timer is what says it), nothing is sent again, and the
 * handshake completes once woken. */
static void
test_async_parked_no_retransmit(void **state)
{
	struct dtls_srtp_term_cfg c = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	const struct dtls_hs *h;
	struct peer *p;
	unsigned int sent_before;

	(void)state;
	if (!engine_async(64))
		return;
	term_set(0, &c);
	p = peer_new(0, 40000, true, &cm80);
	peer_step(p);
	peer_flush(p);                 /* the ClientHello: parks */
	assert_int_equal(stat("async_parked"), 1);
	async_woken();                 /* our flight out, its timer armed */
	assert_true(to_peer(p) > 0);
	peer_step(p);
	peer_flush(p);                 /* the client's flight: parks again */
	assert_int_equal(stat("async_parked"), 2);
	assert_int_equal(stat("async_parked_now"), 1);
	h = &w->dtls_srtp->pool[w->dtls_srtp->terms[0].hs - 1];
	assert_non_null(h->timer.pprev);
	assert_int_equal(h->timer.expires, h->deadline_ms);
	sent_before = nsent;
	worker.now_ms += 1500;         /* past our flight's 1 s, before the deadline */
	dtls_srtp_clock(w, worker.now_ms);
	assert_int_equal(stat("retransmits"), 0);
	assert_int_equal(stat("fail_timeout"), 0);
	pump_async(&p, 1);
	assert_true(p->done);
	assert_true(nsent > sent_before);   /* (our last flight) */
	assert_int_equal(stat("retransmits"), 0);
	keys_agree(0, p, false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	peer_free(p);
	engine_sync();
}

/* One async job on the thread: two handshakes at once; the second finds
 * none (WANT_ASYNC_JOB), waits on the job-wait list with its datagram
 * and completes once the first's job has ended. */
static void
test_async_one_job(void **state)
{
	struct dtls_srtp_term_cfg c0 = cfg_of(0, DTLS_SRTP_ROLE_SERVER, 1);
	struct dtls_srtp_term_cfg c1 = cfg_of(1, DTLS_SRTP_ROLE_SERVER, 1);
	struct peer *ps[2];

	(void)state;
	if (!engine_async(1))
		return;
	term_set(0, &c0);
	term_set(1, &c1);
	ps[0] = peer_new(0, 40000, true, &cm80);
	ps[1] = peer_new(1, 40001, true, &cm80);
	peer_step(ps[0]);
	peer_flush(ps[0]);            /* the job: paused */
	peer_step(ps[1]);
	peer_flush(ps[1]);            /* no job left */
	assert_int_equal(stat("async_parked_now"), 1);
	assert_int_equal(stat("async_no_job"), 1);
	assert_int_equal(stat("async_jobwait"), 1);
	pump_async(ps, 2);
	assert_true(ps[0]->done);
	assert_true(ps[1]->done);
	keys_agree(0, ps[0], false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	keys_agree(1, ps[1], false, DTLS_SRTP_SUITE_AES_CM_128_SHA1_80);
	printf("# one job: async_parked %lu, async_no_job %lu\n", stat("async_parked"),
	       stat("async_no_job"));
	assert_int_equal(stat("async_jobwait"), 0);
	peer_free(ps[0]);
	peer_free(ps[1]);
	engine_sync();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_server_up, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_reload_serves_the_generation_signalled,
						t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_linger_resends, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_each_flight_lost_once, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_bad_inputs, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_pool_bound, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_heap_per_handshake, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_handshake_time, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_budget_queue, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_client, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_client_waits_for_the_pool, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_client_retransmit_and_deadline, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_either, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_server_hello_cut, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_cookie, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_new_association, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_ctrs_published, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_async_both_roles, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_async_released_while_parked, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_async_parked_no_retransmit, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_async_one_job, t_setup, t_teardown),
	};
	int rc;

	if (!ossl_heap_install())
		return 1;
	if (!asyncprov_ctx(&alibctx, &apropq))
		return 1;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	tls_libctx_free(alibctx);
	return rc;
}
