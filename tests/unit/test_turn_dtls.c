/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_dtls.c, TURN over DTLS, driven through what it registers
 * (its UDP listener, its sweep, its statistics line, the io it attaches)
 * against OpenSSL's DTLS client over memory BIOs; a real EAL without
 * hugepages for the mbufs and the hash tables. dp's UDP send, TURN's
 * entries and the stream adapter are the test's: what the module sends
 * and hands TURN is looked at directly.
 *
 * Checked: a ClientHello without a cookie gets a HelloVerifyRequest and
 * makes nothing, nor do a thousand from other ports, nor a forged cookie
 * (the sessions' line, the pool's mbufs); the cookie's ClientHello makes a
 * session and the handshake completes; a record reaches TURN's entry as
 * one message with transport 17 and a DTLS session id; the io's write is
 * a record to the client; the bounds per source; close_notify ends the
 * session with turn_stream_gone(); a handshake left alone is retransmitted
 * and then times out; the worker's handshake budget bounds a storm of
 * good cookies to a step while it lasts. The counters the module
 * publishes to cp (its family, dp_ctrs.h) are the statistics line's, by
 * the same names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "ipc.h"
#include "tp_conf.h"
#include "turn.h"

/* ---- the test's dp and TURN ------------------------------------------ */

static struct rte_mempool *pool;
static dp_udp_handler_t handler;
static uint16_t handler_port;
static const struct turn_stream_io *io;

#define MAXQ 4096
static struct {
	uint8_t d[2048];
	uint16_t len;
	uint16_t dport;
} sent[MAXQ];
static unsigned int nsent, sent_taken;

int
dp_udp_send(struct dp_worker *w, uint8_t family, const uint8_t *src, uint16_t sport,
	    const uint8_t *dst, uint16_t dport, const void *payload, uint16_t len)
{
	(void)w;
	(void)family;
	(void)src;
	(void)sport;
	(void)dst;
	assert_true(nsent < MAXQ && len <= sizeof(sent[0].d));
	memcpy(sent[nsent].d, payload, len);
	sent[nsent].len = len;
	sent[nsent].dport = dport;
	nsent++;
	return 0;
}

struct rte_mbuf *
dp_alloc(struct dp_worker *w)
{
	(void)w;
	return rte_pktmbuf_alloc(pool);
}

int
dp_udp_register(struct dp_ctx *ctx, uint16_t port, dp_udp_handler_t fn, dp_udp_icmp_t icmp,
		void *arg, uint16_t owner, bool relayed)
{
	(void)ctx;
	(void)icmp;
	(void)arg;
	(void)owner;
	(void)relayed;
	handler = fn;
	handler_port = port;
	return 0;
}

/* what TURN got */
static struct turn_from last_from;
static uint8_t last_msg[2048];
static uint16_t last_len;
static unsigned int nstun, nchdata, ngone;
static uint32_t gone_reason;
static bool has_alloc;

bool
turn_client_stun(struct dp_worker *w, const struct turn_from *from, const struct turn_in *in)
{
	(void)w;
	last_from = *from;
	last_len = in->len;
	memcpy(last_msg, rte_pktmbuf_mtod_offset(in->m, const uint8_t *, in->off), in->len);
	rte_pktmbuf_free(in->m);
	nstun++;
	return true;
}

void
turn_client_chdata(struct dp_worker *w, const struct turn_from *from, const struct turn_in *in)
{
	(void)w;
	last_from = *from;
	last_len = in->len;
	rte_pktmbuf_free(in->m);
	nchdata++;
}

void
turn_stream_gone(struct dp_worker *w, const struct turn_from *from, uint32_t reason,
		 bool talked)
{
	(void)w;
	(void)talked;
	last_from = *from;
	gone_reason = reason;
	ngone++;
}

bool
turn_stream_has_alloc(struct dp_worker *w, const struct turn_from *from)
{
	(void)w;
	(void)from;
	return has_alloc;
}

int
turn_dtls_attach(struct dp_worker *w, const struct turn_stream_io *i, uint32_t max)
{
	(void)w;
	(void)max;
	io = i;
	return 0;
}

/* ---- fixture ---------------------------------------------------------- */

static char dir[64];
static struct tp_conf conf;
static struct dp_ctx ctx;
static struct dp_worker worker;
static struct turn_worker tw;

static int
setup(void **state)
{
	char cmd[1024], pfx[64];
	char *argv[] = { "test_turn_dtls", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			 "--log-level=lib.eal:error", "--file-prefix", pfx, "-l", "0", NULL };

	(void)state;
	snprintf(pfx, sizeof(pfx), "dtlstest%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("dtls_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	snprintf(dir, sizeof(dir), "/tmp/tp-tdtls-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf.tls.cert.certificate, sizeof(conf.tls.cert.certificate), "%s/c.pem", dir);
	snprintf(conf.tls.cert.private_key, sizeof(conf.tls.cert.private_key), "%s/k.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=turn.test "
		 "-keyout %s -out %s >/dev/null 2>&1", conf.tls.cert.private_key,
		 conf.tls.cert.certificate);
	assert_int_equal(system(cmd), 0);
	conf.tls.enabled = true;
	conf.tls.min_version = 0x0303;
	snprintf(conf.tls.ciphers, sizeof(conf.tls.ciphers), "%s", TP_CONF_TLS_CIPHERS);
	snprintf(conf.tls.ciphersuites, sizeof(conf.tls.ciphersuites), "%s",
		 TP_CONF_TLS_CIPHERSUITES);
	snprintf(conf.tls.groups, sizeof(conf.tls.groups), "%s", TP_CONF_TLS_GROUPS);
	snprintf(conf.path, sizeof(conf.path), "test.conf");
	conf.turn.enabled = true;
	conf.turn.listen_dtls[0] = 5349;
	conf.turn.nlisten_dtls = 1;
	conf.turn.tcp_per_source = 3;
	conf.turn.tcp_source_prefix6 = 64;
	conf.turn.tcp_allocate_timeout_s = 5;
	conf.dp.tcp_max_conns = 16;
	ctx.conf = &conf;
	ctx.nworkers = 1;
	ctx.workers[0] = &worker;
	worker.ctx = &ctx;
	worker.id = 0;
	worker.turn = &tw;
	worker.now_ms = 1000000;
	assert_int_equal(turn_dtls_module.setup(&ctx), 1);
	assert_non_null(handler);
	assert_int_equal(handler_port, 5349);
	assert_non_null(io);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	turn_dtls_module.fini(&ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* A datagram from 192.0.2.1:sport to 198.51.100.7:5349, into the listener. */
/* 0: from 192.0.0.1; else from 2001:db8::src6 */
static uint8_t src6;

static void
in(uint16_t sport, const uint8_t *p, size_t n)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct dp_udp_meta meta;
	char *d;

	assert_non_null(m);
	d = rte_pktmbuf_append(m, (uint16_t)n);
	assert_non_null(d);
	memcpy(d, p, n);
	memset(&meta, 0, sizeof(meta));
	if (src6 != 0) {
		/* 2001:db8::src6 to 2001:db8:1::7 */
		meta.family = 6;
		meta.src[0] = 0x20, meta.src[1] = 0x01, meta.src[2] = 0x0d, meta.src[3] = 0xb8;
		meta.src[15] = src6;
		meta.dst[0] = 0x20, meta.dst[1] = 0x01, meta.dst[2] = 0x0d, meta.dst[3] = 0xb8;
		meta.dst[5] = 1, meta.dst[15] = 7;
	} else {
		meta.family = 4;
		meta.src[0] = 192, meta.src[3] = 1;
		meta.dst[0] = 198, meta.dst[1] = 51, meta.dst[2] = 100, meta.dst[3] = 7;
	}
	meta.src_port = sport;
	meta.dst_port = 5349;
	meta.payload_off = 0;
	meta.payload_len = (uint16_t)n;
	meta.cksum_ok = true;
	handler(&worker, m, &meta, NULL);
}

/* A value of the module's statistics line. */
static unsigned long
stat(const char *name)
{
	char buf[4096], key[64];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	const char *at;

	assert_non_null(f);
	turn_dtls_module.print(&worker, f);
	fclose(f);
	snprintf(key, sizeof(key), " %s=", name);
	at = strstr(buf, key);
	assert_non_null(at);
	return strtoul(at + strlen(key), NULL, 10);
}

struct cli {
	SSL_CTX *ctx;
	SSL *ssl;
	uint16_t port;
};

static void
cli_new(struct cli *c, uint16_t port)
{
	c->ctx = SSL_CTX_new(DTLS_client_method());
	assert_non_null(c->ctx);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	c->ssl = SSL_new(c->ctx);
	SSL_set_bio(c->ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	BIO_set_mem_eof_return(SSL_get_rbio(c->ssl), -1);
	SSL_set_connect_state(c->ssl);
	c->port = port;
}

static void
cli_free(struct cli *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
}

/* What the client wrote, one datagram each, to the listener. */
static void
cli_flush(struct cli *c)
{
	uint8_t d[4096];
	int n;

	while ((n = BIO_read(SSL_get_wbio(c->ssl), d, sizeof(d))) > 0)
		in(c->port, d, (size_t)n);
}

/* What the module sent to c since, to c. */
static unsigned int
to_cli(struct cli *c)
{
	unsigned int k = 0;

	for (; sent_taken < nsent; sent_taken++) {
		if (sent[sent_taken].dport != c->port)
			continue;
		BIO_write(SSL_get_rbio(c->ssl), sent[sent_taken].d, sent[sent_taken].len);
		k++;
	}
	return k;
}

/* The handshake of c to its end. */
static void
handshake(struct cli *c)
{
	int r = 0;

	for (int i = 0; i < 20; i++) {
		r = SSL_do_handshake(c->ssl);
		cli_flush(c);
		to_cli(c);
		if (r == 1)
			break;
	}
	assert_int_equal(r, 1);
	assert_int_equal(SSL_version(c->ssl), DTLS1_2_VERSION);
}

static void
test_stateless_then_session(void **state)
{
	struct cli c;
	uint8_t d[4096];
	unsigned int inuse = rte_mempool_in_use_count(pool), k;
	int n;

	(void)state;
	cli_new(&c, 40000);
	/* the first ClientHello: a HelloVerifyRequest of 48 octets, nothing kept */
	assert_int_equal(SSL_do_handshake(c.ssl), -1);
	n = BIO_read(SSL_get_wbio(c.ssl), d, sizeof(d));
	assert_true(n > 0);
	in(c.port, d, (size_t)n);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].len, 48);
	assert_int_equal(sent[0].d[13], 3);
	assert_int_equal(stat("sessions"), 0);
	assert_int_equal(stat("hvr_sent"), 1);
	/* a thousand more from other ports, and the same with a forged
	 * cookie: answers only, no session, no mbuf held */
	for (unsigned int i = 0; i < 1000; i++)
		in((uint16_t)(41000 + i), d, (size_t)n);
	assert_int_equal(stat("sessions"), 0);
	assert_int_equal(stat("hvr_sent"), 1001);
	assert_int_equal(stat("sources"), 0);
	assert_int_equal(rte_mempool_in_use_count(pool), inuse);
	/* not a ClientHello at all */
	in(43000, (const uint8_t *)"\x17\xfe\xfd\0\0\0\0\0\0\0\0\0\x04" "abcd", 17);
	assert_int_equal(stat("not_hello"), 1);
	/* (the client's answer is the first one) */
	sent_taken = 0;
	nsent = 1;
	/* the client's second ClientHello carries our cookie: a session */
	k = to_cli(&c);
	assert_int_equal(k, 1);
	handshake(&c);
	assert_int_equal(stat("sessions"), 1);
	assert_int_equal(stat("up"), 1);
	assert_int_equal(stat("handshakes"), 1);
	assert_int_equal(stat("sources"), 1);
	/* a record: one message to TURN, from the session */
	assert_int_equal(SSL_write(c.ssl, "\x00\x01\x00\x00\x21\x12\xa4\x42"
				   "abcdefghijkl", 20), 20);
	cli_flush(&c);
	assert_int_equal(nstun, 1);
	assert_int_equal(last_len, 20);
	assert_memory_equal(last_msg, "\x00\x01\x00\x00\x21\x12\xa4\x42", 8);
	assert_int_equal(last_from.transport, 17);
	assert_int_equal(last_from.src_port, 40000);
	assert_int_equal(last_from.dst_port, 5349);
	assert_true(last_from.conn_id != 0);
	assert_true(ipc_conn_slot(last_from.conn_id) & IPC_CONN_SLOT_DTLS);
	assert_int_equal(ipc_conn_worker(last_from.conn_id), 0);
	assert_true(io->live(&worker, last_from.conn_id));
	assert_false(io->live(&worker, last_from.conn_id + 1));
	/* ChannelData too */
	assert_int_equal(SSL_write(c.ssl, "\x40\x00\x00\x04wxyz", 8), 8);
	cli_flush(&c);
	assert_int_equal(nchdata, 1);
	assert_int_equal(last_len, 8);
	/* TURN's answer: a record to the client */
	assert_int_equal(io->write(&worker, last_from.conn_id,
				   (const uint8_t *)"\x01\x01\x00\x00\x21\x12\xa4\x42xxxxyyyyzzzz",
				   20), 0);
	assert_int_equal(to_cli(&c), 1);
	assert_int_equal(SSL_read(c.ssl, d, sizeof(d)), 20);
	assert_memory_equal(d, "\x01\x01\x00\x00", 4);
	assert_true(io->write(&worker, last_from.conn_id + 1, d, 4) < 0);
	/* close_notify: the session goes, TURN hears of it */
	assert_true(SSL_shutdown(c.ssl) >= 0);
	cli_flush(&c);
	assert_int_equal(ngone, 1);
	assert_int_equal(gone_reason, IPC_CONN_CLOSED);
	assert_int_equal(stat("sessions"), 0);
	assert_int_equal(stat("sources"), 0);
	assert_int_equal(stat("close_notify"), 1);
	assert_int_equal(rte_mempool_in_use_count(pool), inuse);
	cli_free(&c);
}

/* A ClientHello with a cookie that is not ours: another answer. */
static void
test_forged_cookie(void **state)
{
	struct cli c;
	uint8_t d[4096];
	unsigned long bad = stat("cookie_bad"), made = stat("sessions_made");
	int n;

	(void)state;
	cli_new(&c, 44000);
	assert_int_equal(SSL_do_handshake(c.ssl), -1);
	n = BIO_read(SSL_get_wbio(c.ssl), d, sizeof(d));
	in(c.port, d, (size_t)n);
	/* the answer, its cookie changed */
	assert_true(nsent > sent_taken);
	sent[nsent - 1].d[13 + 12 + 3 + 10] ^= 0x40;
	sent_taken = nsent - 1;
	to_cli(&c);
	assert_int_equal(SSL_do_handshake(c.ssl), -1);
	cli_flush(&c);
	assert_int_equal(stat("cookie_bad"), bad + 1);
	assert_int_equal(stat("sessions_made"), made);
	assert_int_equal(stat("sessions"), 0);
	cli_free(&c);
}

/* tcp_per_source (3) sessions from one address; the fourth refused. */
static void
test_per_source(void **state)
{
	struct cli c[4];

	(void)state;
	sent_taken = nsent;
	for (unsigned int i = 0; i < 4; i++) {
		cli_new(&c[i], (uint16_t)(45000 + i));
		assert_int_equal(SSL_do_handshake(c[i].ssl), -1);
		cli_flush(&c[i]);
		to_cli(&c[i]);
		assert_int_equal(SSL_do_handshake(c[i].ssl), -1);
		cli_flush(&c[i]);
	}
	assert_int_equal(stat("sessions"), 3);
	assert_int_equal(stat("refused_source"), 1);
	assert_int_equal(stat("sources"), 1);
	/* the three left alone: retransmitted, then ended at 10 s */
	worker.now_ms += 2000;
	turn_dtls_module.sweep(&worker, 0);
	worker.now_ms += 9000;
	turn_dtls_module.sweep(&worker, 0);
	assert_int_equal(stat("hs_timeout"), 3);
	assert_int_equal(stat("sessions"), 0);
	assert_int_equal(stat("sources"), 0);
	for (unsigned int i = 0; i < 4; i++)
		cli_free(&c[i]);
}

/* Over IPv6 a source is a /64 (turn.tcp_source_prefix6), as over TCP:
 * four addresses of one /64 are one source, the fourth session refused. */
static void
test_per_source_ipv6_prefix(void **state)
{
	struct cli c[4];
	unsigned long refused = stat("refused_source");

	(void)state;
	sent_taken = nsent;
	for (unsigned int i = 0; i < 4; i++) {
		src6 = (uint8_t)(1 + i);
		cli_new(&c[i], (uint16_t)(46000 + i));
		assert_int_equal(SSL_do_handshake(c[i].ssl), -1);
		cli_flush(&c[i]);
		to_cli(&c[i]);
		assert_int_equal(SSL_do_handshake(c[i].ssl), -1);
		cli_flush(&c[i]);
	}
	src6 = 0;
	assert_int_equal(stat("sessions"), 3);
	assert_int_equal(stat("refused_source"), refused + 1);
	assert_int_equal(stat("sources"), 1);
	worker.now_ms += 2000;
	turn_dtls_module.sweep(&worker, 0);
	worker.now_ms += 9000;
	turn_dtls_module.sweep(&worker, 0);
	assert_int_equal(stat("sessions"), 0);
	assert_int_equal(stat("sources"), 0);
	for (unsigned int i = 0; i < 4; i++)
		cli_free(&c[i]);
}

/* A session without an allocation ends turn.tcp_allocate_timeout after
 * its handshake. */
static void
test_no_alloc(void **state)
{
	struct cli c;
	unsigned long gone = ngone;

	(void)state;
	sent_taken = nsent;
	cli_new(&c, 46000);
	handshake(&c);
	assert_int_equal(stat("up"), 1);
	has_alloc = false;
	worker.now_ms += 4000;
	turn_dtls_module.sweep(&worker, 0);
	assert_int_equal(stat("up"), 1);
	worker.now_ms += 2000;
	turn_dtls_module.sweep(&worker, 0);
	assert_int_equal(stat("sessions"), 0);
	assert_int_equal(stat("no_alloc_closed"), 1);
	assert_int_equal(ngone, gone + 1);
	assert_int_equal(gone_reason, IPC_CONN_TIMEOUT);
	cli_free(&c);
}

/* A reload: the worker takes the new context at its sweep; a session
 * made after it completes; a session made before it is kept. */
static void
test_reload(void **state)
{
	struct cli a, b;

	(void)state;
	sent_taken = nsent;
	has_alloc = true;
	cli_new(&a, 48000);
	handshake(&a);
	assert_int_equal(turn_dtls_module.reload(&ctx, &conf), 0);
	assert_int_equal(stat("ctx_reloaded"), 0);
	turn_dtls_module.sweep(&worker, 0);
	assert_int_equal(stat("ctx_reloaded"), 1);
	cli_new(&b, 48001);
	handshake(&b);
	assert_int_equal(stat("up"), 2);
	assert_int_equal(SSL_write(a.ssl, "\x40\x01\x00\x00", 4), 4);
	cli_flush(&a);
	assert_int_equal(last_from.src_port, 48000);
	/* a tls group whose files are gone: refused, nothing changes */
	snprintf(conf.tls.cert.certificate, sizeof(conf.tls.cert.certificate), "%s/none.pem", dir);
	assert_int_equal(turn_dtls_module.reload(&ctx, &conf), -EINVAL);
	snprintf(conf.tls.cert.certificate, sizeof(conf.tls.cert.certificate), "%s/c.pem", dir);
	turn_dtls_module.sweep(&worker, 0);
	assert_int_equal(stat("ctx_reloaded"), 1);
	SSL_shutdown(a.ssl);
	cli_flush(&a);
	SSL_shutdown(b.ssl);
	cli_flush(&b);
	assert_int_equal(stat("sessions"), 0);
	has_alloc = false;
	cli_free(&a);
	cli_free(&b);
}

/* DTLS 1.0 (coturn's uclient offers it one try in two): the cookie
 * exchange, then a protocol_version alert; the session goes, counted. */
static void
test_dtls10_refused(void **state)
{
	struct cli c;
	unsigned long failed = stat("hs_failed");
	int r = 0;

	(void)state;
	sent_taken = nsent;
	c.ctx = SSL_CTX_new(DTLS_client_method());
	assert_non_null(c.ctx);
	assert_int_equal(SSL_CTX_set_max_proto_version(c.ctx, DTLS1_VERSION), 1);
	SSL_CTX_set_security_level(c.ctx, 0);
	c.ssl = SSL_new(c.ctx);
	SSL_set_bio(c.ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	BIO_set_mem_eof_return(SSL_get_rbio(c.ssl), -1);
	SSL_set_connect_state(c.ssl);
	c.port = 47000;
	for (int i = 0; i < 5; i++) {
		r = SSL_do_handshake(c.ssl);
		cli_flush(&c);
		to_cli(&c);
		if (r == 1 || SSL_get_error(c.ssl, r) == SSL_ERROR_SSL)
			break;
	}
	assert_int_not_equal(r, 1);
	assert_int_equal(stat("hs_failed"), failed + 1);
	assert_int_equal(stat("sessions"), 0);
	assert_int_equal(stat("sources"), 0);
	cli_free(&c);
}

/* The worker's handshake budget (dp.h, shared with TLS and DTLS-SRTP): a
 * storm of ClientHellos with good cookies, all in one pass, takes one
 * handshake step while the budget lasts (a budget of one cycle: the first
 * step spends it); the rest make nothing (hs_over_budget) and their
 * clients' next ClientHello, after a new budget, makes the next. A
 * session that is up is never held: its record reaches TURN meanwhile. */
static void
test_hs_budget_storm(void **state)
{
	enum { N = 24 };
	struct cli up, c[N];
	uint8_t hello[N][2048];
	int len[N];
	unsigned long made, over = stat("hs_over_budget");
	unsigned int stun;
	uint64_t steps;

	(void)state;
	sent_taken = nsent;
	has_alloc = true;
	cli_new(&up, 49000);
	handshake(&up);
	made = stat("sessions_made");
	stun = nstun;
	/* each client's second ClientHello, with our cookie, kept */
	for (unsigned int i = 0; i < N; i++) {
		src6 = (uint8_t)(0x40 + i);          /* (a source each: no per-source bound) */
		cli_new(&c[i], (uint16_t)(49100 + i));
		assert_int_equal(SSL_do_handshake(c[i].ssl), -1);
		cli_flush(&c[i]);
		assert_int_equal(to_cli(&c[i]), 1);
		assert_int_equal(SSL_do_handshake(c[i].ssl), -1);
		len[i] = BIO_read(SSL_get_wbio(c[i].ssl), hello[i], sizeof(hello[i]));
		assert_true(len[i] > 0);
	}
	worker.hs.budget = 1;
	worker.hs.spent = 0;
	steps = worker.hs.steps;
	for (unsigned int i = 0; i < N; i++) {
		src6 = (uint8_t)(0x40 + i);
		in(c[i].port, hello[i], (size_t)len[i]);
	}
	src6 = 0;
	assert_int_equal(worker.hs.steps, steps + 1);
	assert_int_equal(stat("sessions_made"), made + 1);
	assert_int_equal(stat("hs_over_budget"), over + N - 1);
	/* up: its records go on */
	assert_int_equal(SSL_write(up.ssl, "\x00\x01\x00\x00\x21\x12\xa4\x42"
				   "abcdefghijkl", 20), 20);
	cli_flush(&up);
	assert_int_equal(nstun, stun + 1);
	/* a new budget: the next client's ClientHello again, one more step */
	worker.hs.spent = 0;
	src6 = 0x41;
	in(c[1].port, hello[1], (size_t)len[1]);
	src6 = 0;
	assert_int_equal(worker.hs.steps, steps + 2);
	assert_int_equal(stat("sessions_made"), made + 2);
	worker.hs.budget = 0;
	/* the two left alone time out */
	worker.now_ms += 11000;
	turn_dtls_module.sweep(&worker, 0);
	SSL_shutdown(up.ssl);
	cli_flush(&up);
	assert_int_equal(stat("sessions"), 0);
	has_alloc = false;
	cli_free(&up);
	for (unsigned int i = 0; i < N; i++)
		cli_free(&c[i]);
}

/* The module's counter family (cp's dtls_*): the registry takes it, and
 * each value is the statistics line's of the same name, after the tests
 * above moved them (the handshakes, the HelloVerifyRequests, the cookies
 * good and bad). */
static void
test_ctrs_published(void **state)
{
	const struct dp_ctrs_family *f;
	const struct dp_ctrs_desc *d;
	uint64_t v[64];
	char err[256] = "", name[DP_CTRS_NAME_LEN];
	unsigned int k;

	(void)state;
	assert_non_null(turn_dtls_module.ctrs);
	f = turn_dtls_module.ctrs[0];
	assert_non_null(f);
	assert_null(turn_dtls_module.ctrs[1]);
	assert_string_equal(f->prefix, "dtls_");
	assert_true(f->n > 0 && f->n <= 64);
	dp_ctrs_reset();
	if (dp_ctrs_register(f, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(dp_ctrs_count(), f->n);
	f->values(&worker, v);
	for (k = 0; k < f->n; k++) {
		d = dp_ctrs_get(k, name, sizeof(name), NULL);
		assert_non_null(d);
		assert_int_equal(strncmp(name, "dtls_", 5), 0);
		assert_string_equal(name + 5, d->name);
		assert_int_equal(v[k], stat(d->name));
	}
	for (k = 0; k < f->n; k++)
		if (strcmp(f->desc[k].name, "handshakes") == 0 ||
		    strcmp(f->desc[k].name, "hvr_sent") == 0 ||
		    strcmp(f->desc[k].name, "cookie_ok") == 0 ||
		    strcmp(f->desc[k].name, "cookie_bad") == 0)
			assert_true(v[k] > 0);
	dp_ctrs_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stateless_then_session),
		cmocka_unit_test(test_forged_cookie),
		cmocka_unit_test(test_per_source),
		cmocka_unit_test(test_per_source_ipv6_prefix),
		cmocka_unit_test(test_no_alloc),
		cmocka_unit_test(test_dtls10_refused),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_hs_budget_storm),
		cmocka_unit_test(test_ctrs_published),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
