/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls's transport for the access gateway's legs (tls_conn_start()):
 * the real tls_xprt.c and tls_bio.c over the real dp/tcp (tcp_fixture.c:
 * an EAL without hugepages, segments captured and injected), the peer
 * OpenSSL's own SSL over a memory BIO that this test pumps to and from
 * the captured TCP segments (acknowledging what dp sends).
 *
 * A client leg opens (dp's active TCP open, then its ClientHello at once)
 * to OpenSSL's server, trusts its self-signed certificate by fingerprint
 * and moves data both ways, TLS 1.3 and 1.2; a server leg asks for the
 * client's certificate and takes the signalled one; a wrong certificate
 * on either side, or none from a client, fails the handshake: the leg's
 * callback says why once, rcv_buf says -EPROTO, the counter moves, the
 * peer gets the alert, tls_conn_why() has the sentence. With the
 * asynchronous test provider (TP_ASYNCPROV_SO) the same handshakes park
 * on WANT_ASYNC and resume from the worker's ring (tls_poll(), the leg's
 * ready callback). TLS_ROLE_NONE gives the raw transport; bad parameters
 * and bytes that are not TLS are refused at the start.
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
#include <time.h>
#include <unistd.h>

#include <openssl/async.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "certfp.h"
#include "dp.h"
#include "ossl_heap.h"
#include "tcp.h"
#include "tcp_fixture.h"
#include "tls.h"
#include "tls_keys.h"
#include "tls_rec.h"
#include "tls_types.h"
#include "tp_conf_types.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

/* dp's own (net_output.c) is not linked here */
struct rte_mbuf *
dp_alloc(struct dp_worker *w)
{
	return rte_pktmbuf_alloc(w->pool);
}

static char dir[64];
static char cert_a[128], key_a[128], cert_b[128], key_b[128], cert_c[128], key_c[128];
static const char *asyncprov;

static void
run(const char *cmd)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
	assert_int_equal(system(full), 0);
}

static int
setup(void **state)
{
	char cmd[768];

	(void)state;
	h_eal_init();
	snprintf(dir, sizeof(dir), "/tmp/tp-tlsxprt-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert_a, sizeof(cert_a), "%s/a.pem", dir);
	snprintf(key_a, sizeof(key_a), "%s/a.key", dir);
	snprintf(cert_b, sizeof(cert_b), "%s/b.pem", dir);
	snprintf(key_b, sizeof(key_b), "%s/b.key", dir);
	snprintf(cert_c, sizeof(cert_c), "%s/c.pem", dir);
	snprintf(key_c, sizeof(key_c), "%s/c.key", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=agw.test "
		 "-keyout %s -out %s", key_a, cert_a);
	run(cmd);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
		 "-subj /CN=ue.test -keyout %s -out %s", key_b, cert_b);
	run(cmd);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=ue.test "
		 "-keyout %s -out %s", key_c, cert_c);
	run(cmd);
	asyncprov = getenv("TP_ASYNCPROV_SO");
	if (asyncprov != NULL && asyncprov[0] == '\0')
		asyncprov = NULL;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	return 0;
}

/* ---- the worker and the peer ------------------------------------------- */

static struct dp_worker W;
static struct tp_conf conf;

/* what the leg's application heard */
static struct {
	int handshakes, readies;
	enum tls_fail why;
	uint64_t id;
	void *arg;
} ev;

static void
on_handshake(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why)
{
	assert_ptr_equal(w, &W);
	ev.handshakes++;
	ev.why = why;
	ev.id = id;
	ev.arg = arg;
}

/* when set, ready() reads at once (as TURN's does), into its got */
static struct x *ready_reader;
static void ready_reader_take(const struct rte_mbuf *m);

static void
on_ready(struct dp_worker *w, uint64_t id, void *arg)
{
	(void)arg;
	ev.readies++;
	if (ready_reader != NULL) {
		const struct dp_xprt_ops *xp = &dp_xprt_tls;
		struct rte_mbuf *m;
		int rc = xp->rcv_buf(w, id, &m, UINT32_MAX);

		if (rc > 0) {
			ready_reader_take(m);
			rte_pktmbuf_free(m);
		}
	}
}

static const struct tls_leg_ops leg_ops = { .handshake = on_handshake, .ready = on_ready };

struct x {
	struct h *h;
	struct dp_worker *w;
	const struct dp_xprt_ops *xp;
	SSL_CTX *pctx;
	SSL *peer;
	BIO *pnet;                    /* the peer's network side */
	bool peer_done;               /* its handshake completed */
	int peer_failed;              /* its SSL_get_error() on failure */
	int peer_alert;               /* the alert it received */
	uint8_t got[65536];           /* plaintext dp's rcv_buf gave */
	uint32_t ngot;
	int rcv_rc;                   /* rcv_buf's last failure (< 0, not -EAGAIN) */
	bool dp_eof;
};

static void
ready_reader_take(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next) {
		assert_true(ready_reader->ngot + m->data_len <= sizeof(ready_reader->got));
		memcpy(ready_reader->got + ready_reader->ngot, rte_pktmbuf_mtod(m, const void *),
		       m->data_len);
		ready_reader->ngot += m->data_len;
	}
}

static void
peer_info(const SSL *s, int where, int ret)
{
	struct x *x = SSL_get_app_data(s);

	if ((where & SSL_CB_READ_ALERT) && (ret & 0xff) != SSL_AD_CLOSE_NOTIFY)
		x->peer_alert = ret & 0xff;
}

/*
 * What the test under way holds (x_new(), peer_new()), so that a test that
 * fails half-way (cmocka jumps out of it, its struct x gone with its
 * stack) leaves the next ones a clean worker: x_leftover(), each test's
 * teardown, frees it. x_free() empties it.
 */
static struct {
	bool live;
	struct h *h;
	SSL_CTX *pctx;
	SSL *peer;
	BIO *pnet;
} held;

static uint32_t budget_us;      /* tls.handshake_budget_us of the next x_new() */
static bool record_openssl;     /* tls.record_layer = "openssl" for the next */
static enum tp_tls_record_crypto record_crypto;  /* tls.record_crypto for the next */

static void
conf_tls(bool async)
{
	struct tp_conf_tls *t = &conf.tls;

	memset(&conf, 0, sizeof(conf));
	t->handshake_budget_us = budget_us;
	t->record_openssl = record_openssl;
	t->record_crypto = record_crypto;
	snprintf(conf.path, sizeof(conf.path), "test.conf");
	t->enabled = true;
	t->line = 10;
	t->min_version = 0x0303;
	snprintf(t->ciphers, sizeof(t->ciphers), "%s", TP_CONF_TLS_CIPHERS);
	snprintf(t->ciphersuites, sizeof(t->ciphersuites), "%s", TP_CONF_TLS_CIPHERSUITES);
	snprintf(t->groups, sizeof(t->groups), "%s", TP_CONF_TLS_GROUPS);
	t->session_cache = 64;
	snprintf(t->cert.certificate, sizeof(t->cert.certificate), "%s", cert_a);
	snprintf(t->cert.private_key, sizeof(t->cert.private_key), "%s", key_a);
	if (async) {
		t->offload = TP_TLS_OFFLOAD_PROVIDER;
		snprintf(t->offload_provider, sizeof(t->offload_provider), "%s", asyncprov);
		snprintf(t->offload_properties, sizeof(t->offload_properties),
			 "?provider=tpasync");
		t->offload_jobs = 8;      /* (the thread's pool is OpenSSL's own here) */
	}
}

/* The worker with TLS, and a fresh TCP harness. */
static void
x_new(struct x *x, bool async)
{
	memset(x, 0, sizeof(*x));
	memset(&ev, 0, sizeof(ev));
	if (held.live)
		fail_msg("x_new: the last x was not freed");
	x->h = h_new(NULL);
	memset(&held, 0, sizeof(held));
	held.live = true;
	held.h = x->h;
	memset(&W, 0, sizeof(W));
	W.id = 0;
	W.lcore = rte_lcore_id();
	W.pool = h_pool();
	W.tcp = x->h->ts;
	W.tls_keys = tls_keys_new(4);
	assert_non_null(W.tls_keys);
	conf_tls(async);
	assert_int_equal(tls_worker_init(&W, &conf, 64), 0);
	/* a second call (TURN's and the AGW's) finds it made */
	assert_int_equal(tls_worker_init(&W, &conf, 64), 0);
	assert_int_equal(tls_worker_init(&W, &conf, 65), -EINVAL);
	x->w = &W;
}

/* The records on the async provider too (TP_ASYNCPROV_RECORDS, as the
 * provider reads it: set and not empty). */
static bool
records_async(void)
{
	const char *v = getenv("TP_ASYNCPROV_RECORDS");

	return asyncprov != NULL && v != NULL && *v != '\0';
}

static uint64_t
ctr(const char *name)
{
	uint64_t v[TLS_CTR__COUNT];

	tls_values(&W, v);
	for (unsigned int i = 0; i < TLS_CTR__COUNT; i++)
		if (strcmp(tls_ctr_name(i), name) == 0)
			return v[i];
	fail_msg("no counter %s", name);
	return 0;
}

/* OpenSSL's peer: a server (cert, up to max_version) or a client (cert
 * or none). */
static void
peer_new(struct x *x, bool server, const char *cert, const char *key, int max_version)
{
	BIO *in;

	x->pctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	assert_non_null(x->pctx);
	SSL_CTX_set_verify(x->pctx, SSL_VERIFY_NONE, NULL);
	if (max_version != 0)
		SSL_CTX_set_max_proto_version(x->pctx, max_version);
	if (cert != NULL) {
		assert_int_equal(SSL_CTX_use_certificate_chain_file(x->pctx, cert), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey_file(x->pctx, key, SSL_FILETYPE_PEM), 1);
	}
	SSL_CTX_set_info_callback(x->pctx, peer_info);
	held.pctx = x->pctx;
	x->peer = SSL_new(x->pctx);
	assert_non_null(x->peer);
	held.peer = x->peer;
	SSL_set_app_data(x->peer, x);
	assert_int_equal(BIO_new_bio_pair(&in, 65536, &x->pnet, 65536), 1);
	held.pnet = x->pnet;
	SSL_set_bio(x->peer, in, in);
	if (server)
		SSL_set_accept_state(x->peer);
	else
		SSL_set_connect_state(x->peer);
}

/* Keep the capture short: the last segment stays (its TSval). */
static void
h_compact(struct h *h)
{
	if (h->head == h->nout && h->nout > 1) {
		h->out[0] = h->out[h->nout - 1];
		h->nout = h->head = 1;
	}
}

/* One round: dp's segments to the peer (acknowledged), the peer's
 * handshake or read, its bytes to dp, dp's rcv_buf, the worker's poll.
 * Returns whether anything moved. */
static bool
pump(struct x *x)
{
	bool moved = false;
	uint8_t buf[1400];
	int n;

	while (h_pending(x->h) > 0) {
		const struct h_out *o = h_pop(x->h);

		if (o->seg.len > 0) {
			assert_int_equal(BIO_write(x->pnet, o->payload, (int)o->seg.len),
					 (int)o->seg.len);
			moved = true;
		}
		if (o->seg.len > 0 || (o->seg.flags & TCP_FIN))
			h_ack(x->h, o->seg.seq + o->seg.len + !!(o->seg.flags & TCP_FIN), 65535);
	}
	h_compact(x->h);
	if (x->peer_failed == 0) {
		ERR_clear_error();
		if (!x->peer_done) {
			int rc = SSL_do_handshake(x->peer);

			if (rc == 1) {
				x->peer_done = true;
				moved = true;
			} else {
				int e = SSL_get_error(x->peer, rc);

				if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
					x->peer_failed = e;
			}
		} else {
			size_t r;

			/* a post-handshake alert or message (TLS 1.3 tickets) */
			if (SSL_peek_ex(x->peer, buf, 1, &r) != 1) {
				int e = SSL_get_error(x->peer, 0);

				if (e == SSL_ERROR_SSL || e == SSL_ERROR_ZERO_RETURN)
					x->peer_failed = e;
			}
		}
		ERR_clear_error();
	}
	while ((n = BIO_read(x->pnet, buf, sizeof(buf))) > 0) {
		h_send_data(x->h, buf, (uint32_t)n);
		moved = true;
	}
	h_compact(x->h);
	if (x->xp != NULL && x->rcv_rc == 0 && !x->dp_eof) {
		for (;;) {
			struct rte_mbuf *m;
			int rc;

			ossl_heap_counting = 1;   /* OpenSSL's heap: dp's calls only */
			rc = x->xp->rcv_buf(x->w, x->h->id, &m, UINT32_MAX);
			ossl_heap_counting = 0;

			if (rc > 0) {
				for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
					assert_true(x->ngot + s->data_len <= sizeof(x->got));
					memcpy(x->got + x->ngot, rte_pktmbuf_mtod(s, void *),
					       s->data_len);
					x->ngot += s->data_len;
				}
				rte_pktmbuf_free(m);
				moved = true;
				continue;
			}
			if (rc == 0)
				x->dp_eof = true;
			else if (rc != -EAGAIN)
				x->rcv_rc = rc;
			break;
		}
	}
	if (tls_poll(x->w, x->h->now) > 0)
		moved = true;
	return moved;
}

/* Pump until cond or nothing moves for a while (waiting for the async
 * provider's wake-ups meanwhile). */
#define PUMP_UNTIL(x, cond) do { \
	int _idle = 0; \
	while (!(cond) && _idle < 2000) { \
		if (pump(x)) \
			_idle = 0; \
		else { \
			_idle++; \
			usleep(100); \
		} \
	} \
} while (0)

/* Frees what held says (nothing when x_free() ran): the peer, the worker's
 * TLS and keys, the TCP harness. A test's teardown. */
static int
x_leftover(void **state)
{
	(void)state;
	if (!held.live)
		return 0;
	SSL_free(held.peer);
	BIO_free(held.pnet);
	SSL_CTX_free(held.pctx);
	tls_worker_free(&W);
	tls_keys_free(W.tls_keys);
	W.tls_keys = NULL;
	h_drain(held.h);
	h_free(held.h);
	ERR_clear_error();
	memset(&held, 0, sizeof(held));
	return 0;
}

/* Each test's teardown: what it left held, and the knobs it may have left
 * set (a failure before it put them back). */
static int
test_done(void **state)
{
	x_leftover(state);
	budget_us = 0;
	record_openssl = false;
	ready_reader = NULL;
	return 0;
}

static void
x_free(struct x *x)
{
	uint32_t parked;

	if (x->xp != NULL && tcp_conn_state(W.tcp, x->h->id) >= 0)
		x->xp->abort(x->w, x->h->id);
	parked = W.tls != NULL ? W.tls->nparked : 0;
	x_leftover(NULL);
	/* a job still parked would be an orphan: none may be left (told
	 * after all is freed: a failure here leaves the next test clean) */
	assert_int_equal(parked, 0);
}

static struct tls_leg_params
params(const char *cert, enum certfp_alg alg)
{
	struct tls_leg_params p;
	char err[256];

	memset(&p, 0, sizeof(p));
	assert_int_equal(certfp_of_pem_file(cert, alg, &p.fp[0], err, sizeof(err)), 0);
	p.nfp = 1;
	/* as agw.allow_sha1 = true has it: these legs are about the
	 * transport (test_tls_leg refuses sha-1 alone by default) */
	p.allow_sha1 = alg == CERTFP_SHA1;
	p.ops = &leg_ops;
	p.arg = &ev;
	return p;
}

/* Data both ways once up: the peer's record to dp's rcv_buf, dp's
 * snd_buf (3000 bytes, two segments' worth) to the peer. */
static void
data_both_ways(struct x *x)
{
	static const char hello[] = "MSRP a786hjs2 SEND\r\nTo-Path: msrps://agw.test\r\n";
	uint8_t buf[4096];
	struct rte_mbuf *m;
	size_t n, total = 0;
	uint8_t *p;

	assert_int_equal(SSL_write_ex(x->peer, hello, sizeof(hello), &n), 1);
	PUMP_UNTIL(x, x->ngot >= sizeof(hello));
	assert_int_equal(x->ngot, sizeof(hello));
	assert_memory_equal(x->got, hello, sizeof(hello));
	m = h_mbuf(3000, 7);
	ossl_heap_counting = 1;
	assert_int_equal(x->xp->snd_buf(x->w, x->h->id, m), 3000);
	ossl_heap_counting = 0;
	for (int i = 0; i < 5000 && total < 3000; i++) {
		bool moved = pump(x);

		while (total < 3000 && SSL_read_ex(x->peer, buf + total, sizeof(buf) - total,
						   &n) == 1) {
			total += n;
			moved = true;
		}
		ERR_clear_error();
		if (!moved)
			usleep(100);      /* (the records on the async provider) */
	}
	assert_int_equal(total, 3000);
	p = buf;
	for (uint32_t i = 0; i < 3000; i++)
		assert_int_equal(p[i], (uint8_t)(7 + i));
}

/* ---- the tests ------------------------------------------------------------ */

static void
client_leg(bool async, int version, enum certfp_alg alg)
{
	struct tls_leg_params p = params(cert_b, alg);
	char why[256];
	struct x x;

	x_new(&x, async);
	peer_new(&x, true, cert_b, key_b, version);
	h_open_active(x.h);
	p.sni = "ue.test";
	x.xp = tls_conn_start(x.w, x.h->id, TLS_ROLE_CLIENT, &p);
	assert_ptr_equal(x.xp, &dp_xprt_tls);
	/* the ClientHello is out at once, unless a key share waits */
	if (!async) {
		assert_true(h_pending(x.h) >= 1);
		assert_int_equal(x.h->out[x.h->head].payload[0], 0x16);
	}
	/* before the handshake is up a write waits */
	{
		struct rte_mbuf *m = h_mbuf(10, 0);

		assert_int_equal(x.xp->snd_buf(x.w, x.h->id, m), -EAGAIN);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(tls_conn_why(x.w, x.h->id, why, sizeof(why)), TLS_FAIL_NONE);
	assert_string_equal(why, "handshake under way");
	PUMP_UNTIL(&x, ev.handshakes > 0 && x.peer_done);
	assert_int_equal(ev.handshakes, 1);
	assert_int_equal(ev.why, TLS_FAIL_NONE);
	assert_int_equal(ev.id, x.h->id);
	assert_ptr_equal(ev.arg, &ev);
	assert_true(x.peer_done);
	assert_int_equal(SSL_version(x.peer), version);
	assert_string_equal(SSL_get_servername(x.peer, TLSEXT_NAMETYPE_host_name), "ue.test");
	assert_int_equal(tls_conn_why(x.w, x.h->id, why, sizeof(why)), TLS_FAIL_NONE);
	assert_non_null(strstr(why, version == TLS1_3_VERSION ? "up TLSv1.3" : "up TLSv1.2"));
	data_both_ways(&x);
	assert_int_equal(ev.handshakes, 1);
	assert_int_equal(ctr("leg_client"), 1);
	assert_int_equal(ctr("handshakes"), 1);
	assert_int_equal(ctr(version == TLS1_3_VERSION ? "tls13" : "tls12"), 1);
	if (async) {
		printf("# client leg, %s, async: parked %llu, resumed %llu, ready callbacks %d\n",
		       version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2",
		       (unsigned long long)ctr("async_parked"),
		       (unsigned long long)ctr("async_resumed"), ev.readies);
		assert_true(ctr("async_parked") >= 1);
		assert_int_equal(ctr("async_resumed"), ctr("async_parked"));
		assert_true(ev.readies >= 1);
	} else {
		assert_int_equal(ctr("async_parked"), 0);
	}
	/* close: close_notify to the peer */
	x.xp->close(x.w, x.h->id);
	x.xp = NULL;
	PUMP_UNTIL(&x, x.peer_failed != 0);
	/* with the records on the provider, the close_notify's record
	 * paused: the close waited for it (else the peer hears no
	 * close_notify) */
	if (async && records_async())
		assert_int_equal(ctr("close_waited"), 1);
	else
		assert_int_equal(ctr("close_waited"), 0);
	assert_int_equal(x.peer_failed, SSL_ERROR_ZERO_RETURN);
	x_free(&x);
}

static void
test_tls_xprt_client_leg_13_and_12(void **state)
{
	(void)state;
	client_leg(false, TLS1_3_VERSION, CERTFP_SHA256);
	client_leg(false, TLS1_2_VERSION, CERTFP_SHA1);
}

static void
server_leg(bool async, int version, enum certfp_alg alg)
{
	struct tls_leg_params p = params(cert_b, alg);
	struct certfp ours, seen;
	char err[256];
	X509 *xc;
	struct x x;

	x_new(&x, async);
	peer_new(&x, false, cert_b, key_b, version);
	h_open_passive(x.h);
	x.xp = tls_conn_start(x.w, x.h->id, TLS_ROLE_SERVER, &p);
	assert_ptr_equal(x.xp, &dp_xprt_tls);
	assert_int_equal(h_pending(x.h), 0);       /* a server waits */
	PUMP_UNTIL(&x, ev.handshakes > 0 && x.peer_done);
	assert_int_equal(ev.handshakes, 1);
	assert_int_equal(ev.why, TLS_FAIL_NONE);
	assert_int_equal(SSL_version(x.peer), version);
	/* the client saw our certificate (the tls group's) */
	xc = SSL_get1_peer_certificate(x.peer);
	assert_non_null(xc);
	assert_int_equal(certfp_of_pem_file(cert_a, CERTFP_SHA256, &ours, err, sizeof(err)), 0);
	assert_int_equal(certfp_of_x509(xc, CERTFP_SHA256, &seen), 0);
	assert_true(certfp_equal(&ours, &seen));
	X509_free(xc);
	data_both_ways(&x);
	assert_int_equal(ctr("leg_server"), 1);
	if (async) {
		printf("# server leg, %s, async: parked %llu, resumed %llu, ready callbacks %d\n",
		       version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2",
		       (unsigned long long)ctr("async_parked"),
		       (unsigned long long)ctr("async_resumed"), ev.readies);
		assert_true(ctr("async_parked") >= 1);
		assert_int_equal(ctr("async_resumed"), ctr("async_parked"));
	}
	/* the peer's close_notify: the end of the stream for dp */
	SSL_shutdown(x.peer);
	PUMP_UNTIL(&x, x.dp_eof);
	assert_true(x.dp_eof);
	assert_int_equal(x.rcv_rc, 0);
	x_free(&x);
}

static void
test_tls_xprt_server_leg_13_and_12(void **state)
{
	(void)state;
	server_leg(false, TLS1_3_VERSION, CERTFP_SHA384);
	server_leg(false, TLS1_2_VERSION, CERTFP_SHA512);
}

/* A wrong certificate (either side) or none (a client): refused, said. */
static void
refused(enum tls_role role, const char *peer_cert, const char *peer_key, int version,
	enum tls_fail want, const char *counter, int alert)
{
	struct tls_leg_params p = params(cert_b, CERTFP_SHA256);
	char why[512], fps[CERTFP_STR_MAX];
	struct certfp fp;
	struct x x;

	x_new(&x, false);
	peer_new(&x, role == TLS_ROLE_CLIENT, peer_cert, peer_key, version);
	if (role == TLS_ROLE_CLIENT)
		h_open_active(x.h);
	else
		h_open_passive(x.h);
	x.xp = tls_conn_start(x.w, x.h->id, role, &p);
	assert_ptr_equal(x.xp, &dp_xprt_tls);
	PUMP_UNTIL(&x, ev.handshakes > 0 && x.rcv_rc != 0 && x.peer_alert != 0);
	assert_int_equal(ev.handshakes, 1);
	assert_int_equal(ev.why, want);
	assert_int_equal(x.rcv_rc, -EPROTO);
	assert_int_equal(x.peer_alert, alert);
	assert_int_equal(ctr(counter), 1);
	assert_int_equal(ctr("handshakes"), 0);
	assert_int_equal(tls_conn_why(x.w, x.h->id, why, sizeof(why)), (int)want);
	if (want == TLS_FAIL_FP_MISMATCH) {
		/* the sentence names what the peer's certificate is */
		assert_int_equal(certfp_of_pem_file(peer_cert, CERTFP_SHA256, &fp, why + 400, 100), 0);
		certfp_format(&fp, fps, sizeof(fps));
		tls_conn_why(x.w, x.h->id, why, sizeof(why));
		if (strstr(why, fps) == NULL || strncmp(why, "fingerprint_mismatch: ", 22) != 0)
			fail_msg("why: '%s'", why);
	}
	printf("# %s leg refused: %s\n", role == TLS_ROLE_CLIENT ? "client" : "server", why);
	/* the application ends it: reset */
	x.xp->abort(x.w, x.h->id);
	assert_int_equal(tls_conn_why(x.w, x.h->id, NULL, 0), -ENOTCONN);
	x.xp = NULL;
	x_free(&x);
}

static void
test_tls_xprt_wrong_or_no_certificate_refused(void **state)
{
	(void)state;
	refused(TLS_ROLE_CLIENT, cert_c, key_c, TLS1_3_VERSION, TLS_FAIL_FP_MISMATCH,
		"fingerprint_mismatch", SSL_AD_BAD_CERTIFICATE);
	refused(TLS_ROLE_SERVER, cert_c, key_c, TLS1_2_VERSION, TLS_FAIL_FP_MISMATCH,
		"fingerprint_mismatch", SSL_AD_BAD_CERTIFICATE);
	refused(TLS_ROLE_SERVER, NULL, NULL, TLS1_3_VERSION, TLS_FAIL_NO_PEER_CERT,
		"no_peer_cert", SSL_AD_CERTIFICATE_REQUIRED);
}

static int
reject_all(int ok, X509_STORE_CTX *xs)
{
	(void)ok;
	(void)xs;
	return 0;
}

/*
 * TLS 1.3: our client is up when it has sent its Finished, before the
 * server has judged its certificate; the server's refusal comes as an
 * alert on a later read: -EPROTO, and the cause kept for the report.
 */
static void
test_tls_xprt_client_refused_after_up_says_alert(void **state)
{
	struct tls_leg_params p = params(cert_b, CERTFP_SHA256);
	char why[256];
	struct x x;

	(void)state;
	x_new(&x, false);
	peer_new(&x, true, cert_b, key_b, TLS1_3_VERSION);
	SSL_set_verify(x.peer, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, reject_all);
	h_open_active(x.h);
	x.xp = tls_conn_start(x.w, x.h->id, TLS_ROLE_CLIENT, &p);
	assert_non_null(x.xp);
	PUMP_UNTIL(&x, x.rcv_rc != 0);
	assert_int_equal(ev.handshakes, 1);
	assert_int_equal(ev.why, TLS_FAIL_NONE);        /* it was up */
	assert_int_equal(x.rcv_rc, -EPROTO);
	assert_int_equal(tls_conn_why(x.w, x.h->id, why, sizeof(why)), TLS_FAIL_PEER_ALERT);
	printf("# client leg up, then refused by the server: %s\n", why);
	assert_int_equal(strncmp(why, "peer_alert: ", 12), 0);
	assert_int_equal(ctr("alert_received"), 1);
	x.xp->abort(x.w, x.h->id);
	x.xp = NULL;
	x_free(&x);

	/* the caller's handshake deadline: timeout, no callback */
	x_new(&x, false);
	h_open_passive(x.h);
	x.xp = tls_conn_start(x.w, x.h->id, TLS_ROLE_SERVER, &p);
	assert_non_null(x.xp);
	x.xp->first_timeout(x.w, x.h->id);
	assert_int_equal(tls_conn_why(x.w, x.h->id, why, sizeof(why)), TLS_FAIL_TIMEOUT);
	assert_string_equal(why, "timeout");
	assert_int_equal(ctr("hs_timeout"), 1);
	{
		struct rte_mbuf *m;

		assert_int_equal(x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX), -EPROTO);
	}
	assert_int_equal(ev.handshakes, 0);
	x.xp->abort(x.w, x.h->id);
	x.xp = NULL;
	x_free(&x);
}

static void
test_tls_xprt_async_provider_parks_and_resumes(void **state)
{
	(void)state;
	if (asyncprov == NULL) {
		printf("# TP_ASYNCPROV_SO not set: skipped\n");
		skip();
	}
	client_leg(true, TLS1_3_VERSION, CERTFP_SHA256);
	client_leg(true, TLS1_2_VERSION, CERTFP_SHA384);
	server_leg(true, TLS1_3_VERSION, CERTFP_SHA512);
	server_leg(true, TLS1_2_VERSION, CERTFP_SHA1);
}

static void client_hello(struct x *x);

/* A parked handshake's job, woken (the ring), goes on in tls_poll()
 * itself, before its application reads again (here it never does: the
 * harness's ready() only counts): the job ends there, so the worker's
 * bounded pool (tls.offload.jobs) does not wait on the application's own
 * flow control (a splice whose other leg has no room), and a write meanwhile
 * is not held up by it. Closing the connection then leaves no orphan. */
static void
test_tls_xprt_async_woken_goes_on(void **state)
{
	struct tls_leg_params p = params(cert_b, CERTFP_SHA256);
	struct rte_mbuf *m;
	struct x x;
	int readies;

	(void)state;
	if (asyncprov == NULL) {
		printf("# TP_ASYNCPROV_SO not set: skipped\n");
		skip();
	}
	x_new(&x, true);
	assert_int_equal(W.tls->jobs_max, 8);
	peer_new(&x, false, cert_b, key_b, TLS1_3_VERSION);
	h_open_passive(x.h);
	x.xp = tls_conn_start(x.w, x.h->id, TLS_ROLE_SERVER, &p);
	assert_ptr_equal(x.xp, &dp_xprt_tls);
	client_hello(&x);
	assert_int_equal(x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX), -EAGAIN);
	assert_int_equal(W.tls->nparked, 1);
	assert_int_equal(W.tls->jobs_held, 1);
	readies = ev.readies;
	/* only the worker's polls: its job's operations wake it, it goes
	 * on (and parks again for the next one) until the server's flight
	 * is out and it waits for the peer */
	for (int i = 0; i < 5000 && (W.tls->jobs_held > 0 || ev.readies == readies); i++) {
		usleep(100);
		tls_poll(x.w, x.h->now);
	}
	assert_true(ev.readies > readies);
	assert_int_equal(W.tls->nparked, 0);
	assert_int_equal(W.tls->jobs_held, 0);            /* no job held: it ended */
	assert_true(h_pending(x.h) > 0);                   /* the server's flight */
	x.xp->abort(x.w, x.h->id);
	x.xp = NULL;
	assert_int_equal(ctr("async_closed_parked"), 0);  /* nothing to keep */
	assert_int_equal(W.tls->norphan_free, W.tls->orphans_max);
	x_free(&x);
}

/* The peer's first flight (its ClientHello) into dp's TCP. */
static void
client_hello(struct x *x)
{
	uint8_t buf[4096];
	int n;

	ERR_clear_error();
	assert_int_equal(SSL_do_handshake(x->peer), -1);
	while ((n = BIO_read(x->pnet, buf, sizeof(buf))) > 0)
		h_send_data(x->h, buf, (uint32_t)n);
	ERR_clear_error();
}

/* tls.handshake_budget_us: a handshake step met once this turn's budget
 * is spent waits on the FIFO (nothing done, nothing sent), once however
 * often it is read; the next turn's tls_poll() gives it back to its
 * application (ready), and the handshake completes. A connection closed
 * while it waits leaves a stale entry that is skipped, not called. */
static void
test_tls_xprt_handshake_budget_defers(void **state)
{
	struct tls_leg_params p = params(cert_b, CERTFP_SHA256);
	struct rte_mbuf *m;
	struct x x;
	int readies;

	(void)state;
	budget_us = 50;
	x_new(&x, false);
	assert_true(W.hs.budget > 0);
	peer_new(&x, false, cert_b, key_b, TLS1_3_VERSION);
	h_open_passive(x.h);
	x.xp = tls_conn_start(x.w, x.h->id, TLS_ROLE_SERVER, &p);
	assert_ptr_equal(x.xp, &dp_xprt_tls);
	client_hello(&x);
	h_drain(x.h);
	W.hs.spent = W.hs.budget;     /* this turn's budget is spent */
	assert_int_equal(x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX), -EAGAIN);
	assert_int_equal(x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX), -EAGAIN);
	assert_int_equal(ctr("hs_deferred"), 1);
	assert_int_equal(W.tls->ndeferred, 1);
	assert_int_equal(h_pending(x.h), 0);     /* no ServerHello yet */
	readies = ev.readies;
	assert_true(tls_poll(x.w, x.h->now) > 0);
	assert_int_equal(ev.readies, readies + 1);
	assert_int_equal(W.tls->ndeferred, 0);
	PUMP_UNTIL(&x, ev.handshakes > 0 && x.peer_done);
	assert_int_equal(ev.handshakes, 1);
	assert_int_equal(ev.why, TLS_FAIL_NONE);
	data_both_ways(&x);
	x_free(&x);

	/* closed while it waits */
	x_new(&x, false);
	peer_new(&x, false, cert_b, key_b, TLS1_3_VERSION);
	h_open_passive(x.h);
	x.xp = tls_conn_start(x.w, x.h->id, TLS_ROLE_SERVER, &p);
	client_hello(&x);
	W.hs.spent = W.hs.budget;
	assert_int_equal(x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX), -EAGAIN);
	assert_int_equal(W.tls->ndeferred, 1);
	x.xp->abort(x.w, x.h->id);
	assert_int_equal(W.tls->ndeferred, 0);
	readies = ev.readies;
	tls_poll(x.w, x.h->now);
	assert_int_equal(ev.readies, readies);   /* the stale entry: skipped */
	assert_int_equal(W.tls->dq_hs.head, W.tls->dq_hs.tail);
	x.xp = NULL;
	x_free(&x);
	budget_us = 0;
}

static void
test_tls_xprt_start_refusals(void **state)
{
	struct tls_leg_params p = params(cert_b, CERTFP_SHA256);
	static const char http[] = "GET / HTTP/1.1\r\nHost: agw.test\r\n\r\n";
	char why[256];
	struct x x;

	(void)state;
	x_new(&x, false);
	h_open_passive(x.h);
	/* plain TCP: the raw transport, nothing checked */
	assert_ptr_equal(tls_conn_start(x.w, x.h->id, TLS_ROLE_NONE, NULL), &dp_xprt_raw);
	errno = 0;
	p.nfp = 0;
	assert_null(tls_conn_start(x.w, x.h->id, TLS_ROLE_SERVER, &p));
	assert_int_equal(errno, EINVAL);
	p.nfp = 1;
	assert_null(tls_conn_start(x.w, x.h->id + (1ull << 40), TLS_ROLE_SERVER, &p));
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(tls_conn_why(x.w, x.h->id, why, sizeof(why)), -ENOTCONN);
	/* bytes that are not TLS, received before the start */
	h_send_data(x.h, http, sizeof(http) - 1);
	errno = 0;
	assert_null(tls_conn_start(x.w, x.h->id, TLS_ROLE_SERVER, &p));
	assert_int_equal(errno, EPROTO);
	assert_int_equal(tls_conn_why(x.w, x.h->id, why, sizeof(why)), TLS_FAIL_NOT_TLS);
	assert_int_equal(ev.handshakes, 0);       /* never from tls_conn_start() */
	assert_int_equal(ctr("hs_fail_not_tls"), 1);
	dp_xprt_tls.abort(x.w, x.h->id);
	x_free(&x);

	/* a worker without TLS */
	{
		struct dp_worker none;

		memset(&none, 0, sizeof(none));
		errno = 0;
		assert_null(tls_conn_start(&none, 1, TLS_ROLE_CLIENT, &p));
		assert_int_equal(errno, ENOTSUP);
	}
}

/* ---- dp's own TLS 1.3 records (tls_rec.c) ------------------------------- */

/* The peer (a client)'s own traffic secret, from its key log: records
 * crafted as it would send them (RFC 8446 §5.2, §5.3, §7.3). */
static uint8_t peer_secret[48];
static size_t peer_secret_len;

static void
peer_keylog(const SSL *s, const char *line)
{
	const char *h = strrchr(line, ' ');

	(void)s;
	if (strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) != 0 || h == NULL)
		return;
	peer_secret_len = 0;
	for (h++; h[0] != '\0' && h[1] != '\0' && peer_secret_len < sizeof(peer_secret); h += 2) {
		unsigned int v;

		assert_int_equal(sscanf(h, "%2x", &v), 1);
		peer_secret[peer_secret_len++] = (uint8_t)v;
	}
}

static void
expand_label(const char *label, uint8_t *out, size_t olen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);
	uint8_t info[64];
	size_t ll = strlen(label);
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM ps[5];

	info[0] = (uint8_t)(olen >> 8);
	info[1] = (uint8_t)olen;
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	info[9 + ll] = 0;
	ps[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	ps[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, peer_secret, peer_secret_len);
	ps[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, 10 + ll);
	ps[3] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	ps[4] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_KDF_derive(k, out, olen, ps), 1);
	EVP_KDF_CTX_free(k);
	EVP_KDF_free(kdf);
}

static uint32_t craft_seg = 700;  /* craft()'s TCP segment size */
static size_t craft_hold;         /* craft() keeps back this many bytes ... */
static size_t craft_off, craft_len;
static uint8_t rec[5 + 16384 + 512 + 16];

static bool pump(struct x *x);

static void
craft_send(struct x *x, size_t upto)
{
	while (craft_off < upto) {
		size_t k = upto - craft_off < craft_seg ? upto - craft_off : craft_seg;

		h_send_data(x->h, rec + craft_off, (uint32_t)k);
		craft_off += k;
		if (craft_seg == 1)
			pump(x);          /* dp reads each tiny segment as it comes */
	}
}

/* ... which craft_rest() sends */
static void
craft_rest(struct x *x)
{
	craft_send(x, craft_len);
}

/* One record as the peer: outer type, TLSInnerPlaintext = pt, then the
 * content type (none when type is 0), then pad zeros; AES-128-GCM under
 * the peer's key at sequence seq; the tag's first byte flipped when bad;
 * onto dp's TCP in segments of 700 bytes (records span segments). */
static void
craft(struct x *x, uint8_t outer, const uint8_t *pt, size_t n, uint8_t type, size_t pad,
      uint64_t seq, bool bad)
{
	uint8_t key[16], iv[12];
	size_t inner = n + (type != 0) + pad;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl;

	assert_int_equal(peer_secret_len, 32);
	assert_true(inner <= 16384 + 256);
	expand_label("key", key, sizeof(key));
	expand_label("iv", iv, sizeof(iv));
	for (unsigned int i = 0; i < 8; i++)
		iv[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
	rec[0] = outer;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)((inner + 16) >> 8);
	rec[4] = (uint8_t)(inner + 16);
	if (n > 0)
		memcpy(rec + 5, pt, n);
	if (type != 0)
		rec[5 + n] = type;
	memset(rec + 5 + n + (type != 0), 0, pad);
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &outl, rec, 5), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, rec + 5, &outl, rec + 5, (int)inner), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, rec + 5 + inner, &outl), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, rec + 5 + inner), 1);
	EVP_CIPHER_CTX_free(ctx);
	if (bad)
		rec[5 + inner] ^= 0x01;
	craft_off = 0;
	craft_len = 5 + inner + 16;
	craft_send(x, craft_len - craft_hold);
}

/* A TLS 1.3 server leg up on dp's records, its client (the peer) on
 * suite with its secret logged. */
static void
rec_leg_up_suite(struct x *x, const char *suite)
{
	struct tls_leg_params p = params(cert_b, CERTFP_SHA256);

	x_new(x, false);
	peer_new(x, false, cert_b, key_b, TLS1_3_VERSION);
	SSL_CTX_set_keylog_callback(x->pctx, peer_keylog);
	assert_int_equal(SSL_set_ciphersuites(x->peer, suite), 1);
	peer_secret_len = 0;
	h_open_passive(x->h);
	ossl_heap_counting = 1;
	x->xp = tls_conn_start(x->w, x->h->id, TLS_ROLE_SERVER, &p);
	ossl_heap_counting = 0;
	assert_ptr_equal(x->xp, &dp_xprt_tls);
	PUMP_UNTIL(x, ev.handshakes > 0 && x->peer_done);
	assert_int_equal(ev.why, TLS_FAIL_NONE);
	assert_int_equal(ctr("record_layer_dp_receive"), record_openssl ? 0 : 1);
	assert_int_equal(ctr("record_layer_dp_send"), record_openssl ? 0 : 1);
#ifdef TP_HAVE_IPSEC_MB
	/* AES-128-GCM: libipsec-mb's both ways, unless told otherwise */
	assert_int_equal(ctr("record_layer_ipsec_mb"),
			 record_openssl || record_crypto == TP_TLS_RECORD_CRYPTO_OPENSSL ? 0 : 2);
#else
	assert_int_equal(ctr("record_layer_ipsec_mb"), 0);
#endif
}

/* ... on TLS_AES_128_GCM_SHA256 (what craft() seals with) */
static void
rec_leg_up(struct x *x)
{
	rec_leg_up_suite(x, "TLS_AES_128_GCM_SHA256");
}

/* A record that waits for an mbuf (the worker's pool empty) waits on the
 * FIFO and is asked again once a loop turn, not again and again within
 * one: its application reads at once when told (TURN does), and starved
 * again it goes back on the FIFO; tls_poll() returns all the same. With
 * mbufs again it is read. */
static void
test_tls_xprt_dp_records_starved_once_a_turn(void **state)
{
	static struct rte_mbuf *hold[70000];
	uint8_t buf[4096];
	struct rte_mbuf *m;
	size_t n;
	unsigned int k = 0;
	int len, readies;
	struct x x;

	(void)state;
	rec_leg_up(&x);
	/* two records in one segment: the first one's last segment holds
	 * the second too, and opening it takes a spare mbuf */
	assert_int_equal(SSL_write_ex(x.peer, "first", 5, &n), 1);
	assert_int_equal(SSL_write_ex(x.peer, "second", 6, &n), 1);
	len = BIO_read(x.pnet, buf, sizeof(buf));
	assert_true(len > 0);
	h_send_data(x.h, buf, (uint32_t)len);
	while (k < RTE_DIM(hold) && (hold[k] = rte_pktmbuf_alloc(h_pool())) != NULL)
		k++;
	assert_true(k < RTE_DIM(hold));
	assert_int_equal(x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX), -EAGAIN);
	assert_int_equal(W.tls->ndeferred, 1);
	assert_int_equal(W.tls->dq_rec.n, 1);
	ready_reader = &x;
	readies = ev.readies;
	tls_poll(x.w, x.h->now);                /* (returns: once a turn) */
	assert_int_equal(ev.readies, readies + 1);
	assert_int_equal(W.tls->ndeferred, 1);   /* starved again: back on it */
	tls_poll(x.w, x.h->now);
	assert_int_equal(ev.readies, readies + 2);
	assert_int_equal(x.ngot, 0);
	while (k > 0)
		rte_pktmbuf_free(hold[--k]);
	for (int i = 0; i < 10 && x.ngot < 11; i++)
		tls_poll(x.w, x.h->now);
	ready_reader = NULL;
	assert_int_equal(x.ngot, 11);
	assert_memory_equal(x.got, "firstsecond", 11);
	assert_int_equal(W.tls->ndeferred, 0);
	x_free(&x);
}

/* Padding, records of 16 KB over 700-byte segments, a KeyUpdate asked
 * for both ways, close_notify: OpenSSL's own peer against dp's records. */
static void
test_tls_xprt_dp_records(void **state)
{
	static uint8_t big[40000];
	uint8_t buf[4096];
	size_t n, total = 0;
	struct rte_mbuf *m;
	struct x x;

	(void)state;
	rec_leg_up(&x);
	/* records padded to 256 bytes (RFC 8446 §5.4) */
	SSL_set_block_padding(x.peer, 256);
	assert_int_equal(SSL_write_ex(x.peer, "padded", 6, &n), 1);
	PUMP_UNTIL(&x, x.ngot >= 6);
	assert_int_equal(x.ngot, 6);
	assert_memory_equal(x.got, "padded", 6);
	SSL_set_block_padding(x.peer, 0);
	/* 40,000 bytes: three records, each across many segments */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	x.ngot = 0;
	SSL_set_mode(x.peer, SSL_MODE_ENABLE_PARTIAL_WRITE);
	for (size_t off = 0; off < sizeof(big);) {
		/* (the peer's BIO pair holds one record: pumped between) */
		if (SSL_write_ex(x.peer, big + off, sizeof(big) - off, &n) == 1) {
			off += n;
			continue;
		}
		assert_int_equal(SSL_get_error(x.peer, 0), SSL_ERROR_WANT_WRITE);
		ERR_clear_error();
		pump(&x);
	}
	PUMP_UNTIL(&x, x.ngot >= sizeof(big));
	assert_int_equal(x.ngot, sizeof(big));
	assert_memory_equal(x.got, big, sizeof(big));
	/* the peer's KeyUpdate asking for ours: data after it both ways */
	assert_int_equal(SSL_key_update(x.peer, SSL_KEY_UPDATE_REQUESTED), 1);
	x.ngot = 0;
	data_both_ways(&x);
	assert_int_equal(ctr("key_updates_received"), 1);
	assert_int_equal(ctr("key_updates_sent"), 1);
	/* and ours turns again when the peer asks again */
	assert_int_equal(SSL_key_update(x.peer, SSL_KEY_UPDATE_REQUESTED), 1);
	x.ngot = 0;
	data_both_ways(&x);
	assert_int_equal(ctr("key_updates_received"), 2);
	assert_int_equal(ctr("key_updates_sent"), 2);
	/* a 16 KB write from dp: one record */
	m = h_mbuf(1500, 1);
	for (int i = 0; i < 11; i++)
		rte_pktmbuf_chain(m, h_mbuf(1500, (uint8_t)(i + 2)));
	assert_int_equal(x.xp->snd_buf(x.w, x.h->id, m), 18000);
	for (int i = 0; i < 2000 && total < 18000; i++) {
		pump(&x);
		while (total < 18000 && SSL_read_ex(x.peer, buf, sizeof(buf), &n) == 1)
			total += n;
		ERR_clear_error();
	}
	assert_int_equal(total, 18000);
	assert_int_equal(x.rcv_rc, 0);
	/* the peer's close_notify: the end of the stream */
	SSL_shutdown(x.peer);
	PUMP_UNTIL(&x, x.dp_eof);
	assert_true(x.dp_eof);
	assert_int_equal(x.rcv_rc, 0);
	assert_int_equal(ctr("close_notify_received"), 1);
	assert_true(tls_conn_close_notified(x.w, x.h->id));
	x_free(&x);
}

/* What one established TLS 1.3 leg holds in OpenSSL's heap (what its
 * release frees: the SSL, its buffers, our cipher contexts) with dp's
 * records and with OpenSSL's, after data both ways; struct tls_rec (our
 * heap) added. dp's frees OpenSSL's record buffers. */
static long long
leg_bytes(bool openssl_records)
{
	long long before;
	struct x x;

	record_openssl = openssl_records;
	rec_leg_up(&x);
	data_both_ways(&x);
	before = ossl_heap_live;
	x.xp->abort(x.w, x.h->id);
	x.xp = NULL;
	record_openssl = false;
	x_free(&x);
	return before - ossl_heap_live + (openssl_records ? 0 : (long long)sizeof(struct tls_rec));
}

/* The same records on OpenSSL's AEAD (tls.record_crypto = "openssl"). */
static int
aead_openssl(void **state)
{
	(void)state;
	record_crypto = TP_TLS_RECORD_CRYPTO_OPENSSL;
	return 0;
}

static int
aead_default(void **state)
{
	record_crypto = TP_TLS_RECORD_CRYPTO_AUTO;
	return test_done(state);
}

static void
test_tls_xprt_dp_records_memory(void **state)
{
	long long ours, theirs;

	(void)state;
	ours = leg_bytes(false);
	theirs = leg_bytes(true);
	print_message("# one established TLS 1.3 leg (server, after data both ways): %lld bytes "
		      "with dp's records, %lld with OpenSSL's\n", ours, theirs);
	assert_true(ours > 0 && theirs > 0);
	assert_true(ours + 16384 < theirs);   /* the 16 KB read buffer, at least */
}

/* Records OpenSSL would never send, crafted under the peer's key: what is
 * allowed is read, what is not ends the connection with the right alert
 * (RFC 8446 §5, §6), counted. */
static void
test_tls_xprt_dp_records_refused(void **state)
{
	static uint8_t big[16385];
	static const uint8_t ku_a[2] = { 24, 0 }, ku_b[3] = { 0, 1, 0 };
	static const uint8_t nst[8] = { 4, 0, 0, 4, 0, 0, 0, 0 };
	static const uint8_t fatal[2] = { 2, 40 };
	static const uint8_t ku_len2[6] = { 24, 0, 0, 2, 0, 0 }, ku_2[5] = { 24, 0, 0, 1, 2 };
	static const uint8_t ku_ku[10] = { 24, 0, 0, 1, 0, 24, 0, 0, 1, 0 };
	static const uint8_t ch[4] = { 1, 0, 0, 0 };
	static const struct {
		const char *what;
		int alert;            /* dp's to the peer; -1: none (the peer's own) */
	} cases[] = {
		{ "a record of no content type (all zeros)", 10 },
		{ "a KeyUpdate split across two records", 10 },
		{ "a NewSessionTicket from a client", 10 },
		{ "a header saying 16,641 bytes", 22 },
		{ "16,385 bytes of plaintext", 22 },
		{ "an unprotected record after the handshake", 10 },
		{ "a record whose tag is wrong", 20 },
		{ "a KeyUpdate of length 2", 50 },
		{ "a KeyUpdate whose request_update is 2", 47 },
		{ "a KeyUpdate followed by another in its record", 10 },
		{ "a ClientHello after the handshake", 10 },
		{ "a header saying 1 byte", 50 },
		{ "the peer's fatal alert", -1 },
	};
	struct x x;

	(void)state;
	/* first what is allowed: an empty record, then one padded with 50
	 * zeros, each at its sequence number */
	rec_leg_up(&x);
	craft(&x, 23, NULL, 0, 23, 0, 0, false);
	craft(&x, 23, (const uint8_t *)"abc", 3, 23, 50, 1, false);
	PUMP_UNTIL(&x, x.ngot >= 3 || x.rcv_rc != 0);
	assert_int_equal(x.rcv_rc, 0);
	assert_int_equal(x.ngot, 3);
	assert_memory_equal(x.got, "abc", 3);
	/* a 16 KB record in 1-byte TCP segments: read whole, and what waits
	 * for the record's end holds full mbufs, not one a byte */
	{
		unsigned int base = rte_mempool_in_use_count(h_pool()), most = 0;

		memset(big, 'y', 16000);
		craft_seg = 1;
		craft_hold = 1;           /* all but the last byte, pumped */
		craft(&x, 23, big, 16000, 23, 0, 2, false);
		PUMP_UNTIL(&x, false);
		most = rte_mempool_in_use_count(h_pool());
		print_message("# a 16 KB record in 1-byte segments, its last byte held back: "
			      "%u mbufs in use (%u before)\n", most, base);
		assert_true(most < base + 100);
		craft_hold = 0;
		craft_rest(&x);
		craft_seg = 700;
		PUMP_UNTIL(&x, x.ngot >= 3 + 16000 || x.rcv_rc != 0);
		assert_int_equal(x.rcv_rc, 0);
		assert_int_equal(x.ngot, 3 + 16000);
		assert_memory_equal(x.got + 3, big, 16000);
	}
	/* 32 empty records in a row are allowed; data records end the row
	 * once they bring 1,024 bytes (here 8 of 128), and 32 more are
	 * allowed; then a 1-byte record does not end it: one more empty
	 * record is refused (a byte every 32 records ended it before) */
	for (uint64_t q = 3; q < 3 + 32; q++)
		craft(&x, 23, NULL, 0, 23, 0, q, false);
	memset(big, 'p', 128);
	for (uint64_t q = 35; q < 35 + 8; q++)
		craft(&x, 23, big, 128, 23, 0, q, false);
	for (uint64_t q = 43; q < 43 + 32; q++)
		craft(&x, 23, NULL, 0, 23, 0, q, false);
	craft(&x, 23, (const uint8_t *)"d", 1, 23, 0, 75, false);
	PUMP_UNTIL(&x, x.ngot >= 3 + 16000 + 1024 + 1 || x.rcv_rc != 0);
	assert_int_equal(x.rcv_rc, 0);
	assert_int_equal(x.ngot, 3 + 16000 + 1024 + 1);
	craft(&x, 23, NULL, 0, 23, 0, 76, false);
	PUMP_UNTIL(&x, x.rcv_rc != 0 && x.peer_alert != 0);
	assert_int_equal(x.rcv_rc, -EPROTO);
	assert_int_equal(x.peer_alert, 10);
	assert_int_equal(ctr("key_updates_over_rate"), 0);
	x_free(&x);

	for (unsigned int c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t bad0;

		print_message("# %s\n", cases[c].what);
		rec_leg_up(&x);
		bad0 = ctr("bad_record");
		switch (c) {
		case 0:
			craft(&x, 23, NULL, 0, 0, 30, 0, false);
			break;
		case 1:
			craft(&x, 23, ku_a, sizeof(ku_a), 22, 0, 0, false);
			craft(&x, 23, ku_b, sizeof(ku_b), 22, 0, 1, false);
			break;
		case 2:
			craft(&x, 23, nst, sizeof(nst), 22, 0, 0, false);
			break;
		case 3: {
			static const uint8_t h[8] = { 23, 3, 3, 0x41, 0x01, 0, 0, 0 };

			h_send_data(x.h, h, sizeof(h));
			break;
		}
		case 4:
			memset(big, 'x', sizeof(big));
			craft(&x, 23, big, sizeof(big), 23, 0, 0, false);
			break;
		case 5: {
			static const uint8_t a[7] = { 21, 3, 3, 0, 2, 1, 0 };

			h_send_data(x.h, a, sizeof(a));
			break;
		}
		case 6:
			craft(&x, 23, (const uint8_t *)"abc", 3, 23, 0, 0, true);
			break;
		case 7:
			craft(&x, 23, ku_len2, sizeof(ku_len2), 22, 0, 0, false);
			break;
		case 8:
			craft(&x, 23, ku_2, sizeof(ku_2), 22, 0, 0, false);
			break;
		case 9:
			craft(&x, 23, ku_ku, sizeof(ku_ku), 22, 0, 0, false);
			break;
		case 10:
			craft(&x, 23, ch, sizeof(ch), 22, 0, 0, false);
			break;
		case 11: {
			static const uint8_t h[6] = { 23, 3, 3, 0, 1, 0 };

			h_send_data(x.h, h, sizeof(h));
			break;
		}
		default:
			craft(&x, 23, fatal, sizeof(fatal), 21, 0, 0, false);
			break;
		}
		PUMP_UNTIL(&x, x.rcv_rc != 0 && (cases[c].alert < 0 || x.peer_alert != 0));
		assert_int_equal(x.rcv_rc, -EPROTO);
		assert_int_equal(x.ngot, 0);
		if (cases[c].alert >= 0) {
			assert_int_equal(x.peer_alert, cases[c].alert);
			assert_int_equal(ctr("bad_record"), bad0 + 1);
		} else {
			assert_int_equal(x.peer_alert, 0);
			assert_int_equal(ctr("alert_received"), 1);
		}
		x_free(&x);
	}
}

/* A KeyUpdate crafted at *seq (asking for ours when req), and the peer's
 * key turned after it, as the peer's own would */
static void
craft_key_update(struct x *x, uint8_t req, uint64_t *seq)
{
	const uint8_t ku[5] = { 24, 0, 0, 1, req };
	uint8_t next[32];

	craft(x, 23, ku, sizeof(ku), 22, 0, *seq, false);
	expand_label("traffic upd", next, sizeof(next));
	memcpy(peer_secret, next, sizeof(next));
	*seq = 0;
}

/* The peer's KeyUpdates, bounded (tls_rec.h): a burst of 32 (1,024 bytes
 * of data in the middle, so that the records-without-data bound is not
 * the one met), then one a second on the worker's clock; the next one
 * ends the connection with unexpected_message, counted. */
static void
test_tls_xprt_dp_records_key_update_rate(void **state)
{
	static uint8_t data[1024];
	uint64_t seq = 0, got = 0;
	struct x x;

	(void)state;
	memset(data, 'k', sizeof(data));
	rec_leg_up(&x);
	for (unsigned int i = 0; i < TLS_REC_KU_BURST; i++) {
		if (i % 16 == 0) {
			craft(&x, 23, data, sizeof(data), 23, 0, seq++, false);
			got += sizeof(data);
		}
		craft_key_update(&x, 0, &seq);
	}
	craft(&x, 23, data, sizeof(data), 23, 0, seq++, false);
	got += sizeof(data);
	PUMP_UNTIL(&x, x.ngot >= got || x.rcv_rc != 0);
	assert_int_equal(x.rcv_rc, 0);
	assert_int_equal(x.ngot, got);
	assert_int_equal(ctr("key_updates_received"), TLS_REC_KU_BURST);
	/* 2.5 s later: two more */
	h_advance(x.h, 2 * TLS_REC_KU_EVERY_MS + TLS_REC_KU_EVERY_MS / 2);
	tls_poll(x.w, x.h->now);
	craft_key_update(&x, 1, &seq);
	craft_key_update(&x, 0, &seq);
	craft(&x, 23, (const uint8_t *)"up", 2, 23, 0, seq++, false);
	PUMP_UNTIL(&x, x.ngot >= got + 2 || x.rcv_rc != 0);
	assert_int_equal(x.rcv_rc, 0);
	assert_int_equal(ctr("key_updates_received"), TLS_REC_KU_BURST + 2);
	assert_int_equal(ctr("key_updates_sent"), 1);
	assert_int_equal(ctr("key_updates_over_rate"), 0);
	/* and not a third */
	craft_key_update(&x, 0, &seq);
	PUMP_UNTIL(&x, x.rcv_rc != 0 && x.peer_alert != 0);
	assert_int_equal(x.rcv_rc, -EPROTO);
	assert_int_equal(x.peer_alert, 10);
	assert_int_equal(ctr("key_updates_over_rate"), 1);
	assert_int_equal(ctr("key_updates_received"), TLS_REC_KU_BURST + 2);
	assert_int_equal(ctr("bad_record"), 1);
	x_free(&x);
}

/* KeyUpdates both ways on each suite dp's records take (their hash:
 * SHA-256, SHA-384; their AEAD), against OpenSSL's peer: dp's
 * HKDF-Expand-Label agrees with OpenSSL's for every key it turns. */
static void
test_tls_xprt_dp_records_key_update_suites(void **state)
{
	static const char *const suites[] = { "TLS_AES_128_GCM_SHA256",
					      "TLS_AES_256_GCM_SHA384",
					      "TLS_CHACHA20_POLY1305_SHA256" };
	struct x x;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(suites); i++) {
		print_message("# %s\n", suites[i]);
		rec_leg_up_suite(&x, suites[i]);
		for (int k = 1; k <= 3; k++) {
			assert_int_equal(SSL_key_update(x.peer, SSL_KEY_UPDATE_REQUESTED), 1);
			x.ngot = 0;
			data_both_ways(&x);
			assert_int_equal(ctr("key_updates_received"), k);
			assert_int_equal(ctr("key_updates_sent"), k);
		}
		x_free(&x);
	}
}

/* ---- hostile records at random ------------------------------------------- */

/*
 * Rounds of what a hostile peer may send once the handshake is done, drawn
 * from a fixed seed, each on a new leg (libipsec-mb's AEAD or OpenSSL's):
 * application data of 0 to 16,384 bytes with random padding (some over
 * the limit); records of random inner types (none, alerts and handshake
 * messages with random bodies, KeyUpdates good and bad, NewSessionTicket,
 * others); tags that fail (a wrong sequence number, a flipped bit); raw
 * headers of random type, version and length around the limits; runs of
 * empty records; each in random TCP segments of 1 to 2,000 bytes (see
 * rnd_send()), some held back a while. A model of RFC 8446 §5 as
 * FEATURE.md words it says what dp must do: the application reads exactly
 * the data of the records before the first refused one (all of it while a
 * record is held back); the leg stays up, ends with close_notify, or ends
 * with -EPROTO and the alert; the counters agree; every mbuf and OpenSSL's
 * heap come back. TP_TLS_REC_SEED (a round's seed, printed when it fails)
 * replays from that round, TP_TLS_REC_ROUNDS says how many,
 * TP_TLS_REC_VERBOSE=1 prints each record.
 */
static uint64_t rnd_s, rnd_round_seed;
static unsigned int rnd_round;
static bool rnd_running, rnd_fixed, rnd_calm, rnd_verbose, rnd_warm;

static uint64_t
rnd(void)
{
	uint64_t z = (rnd_s += 0x9e3779b97f4a7c15ull);     /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t
rn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rn(8) == 0 ? 0 : rnd());
}

static void
rnd_where(void)
{
	if (rnd_running)
		fprintf(stderr, "# failed in %s round %u: TP_TLS_REC_SEED=%#llx "
			"TP_TLS_REC_ROUNDS=1 replays it\n", rnd_fixed ? "fixed" : "random",
			rnd_round, (unsigned long long)rnd_round_seed);
}

/* What dp must have done (the model): the data of the records before the
 * first refused one, and how the leg ends */
#define RND_BUDGET 60000u         /* of x.got's 65,536 (a round's) */
static struct {
	uint32_t len, idle, idle_paid, opened, ku, ku_req, over_rate;
	int alert;                /* dp's; -1: the peer's own (none back) */
	bool closed;              /* close_notify */
} md;
static uint8_t md_data[65536];
static uint8_t rnd_pt[16384 + 256], rnd_in[16384 + 256];

static bool
md_stop(int alert)
{
	md.alert = alert;
	return false;
}

/* An authenticated record whose inner plaintext (content, type, zeros)
 * is in[0, len): what dp does with it. True when it takes a KeyUpdate
 * (the peer's key turns). */
static bool
md_record(const uint8_t *in, size_t len)
{
	size_t t = len;
	uint32_t plen, ml;

	if (md.alert != 0 || md.closed)
		return false;
	if (len == 0)
		return md_stop(50);       /* 16 bytes: under 17 */
	if (len > 16385)
		return md_stop(22);       /* over 2^14 + 1 (+ 16) */
	md.opened++;
	while (t > 0 && in[t - 1] == 0)
		t--;
	if (t == 0)
		return md_stop(10);       /* no content type */
	plen = (uint32_t)t - 1;
	if (in[plen] != 23 || plen == 0) {
		if (++md.idle > 32)
			return md_stop(10);
	} else if (md.idle > 0 && (md.idle_paid += plen) >= 1024) {
		md.idle = md.idle_paid = 0;   /* the row ends at 1,024 bytes of data */
	}
	switch (in[plen]) {
	case 23:
		assert_true(md.len + plen <= sizeof(md_data));
		memcpy(md_data + md.len, in, plen);
		md.len += plen;
		return false;
	case 21:
		if (plen != 2)
			return md_stop(50);
		if (in[1] == 0)
			md.closed = true;
		else
			md.alert = -1;
		return false;
	case 22:
		if (plen < 4)
			return md_stop(10);
		ml = (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
		if (ml > plen - 4 || in[0] != 24)
			return md_stop(10);   /* split, or not a KeyUpdate */
		if (ml != 1)
			return md_stop(50);
		if (in[4] > 1)
			return md_stop(47);
		if (plen != 5)
			return md_stop(10);   /* not the last in its record */
		if (md.ku >= TLS_REC_KU_BURST) {
			md.over_rate++;       /* (the clock stands: the burst only) */
			return md_stop(10);
		}
		md.ku++;
		md.ku_req |= in[4];
		return true;
	default:
		return md_stop(10);
	}
}

/* What dp read so far: a prefix of the model's */
static void
rnd_seen(const struct x *x)
{
	assert_true(x->ngot <= md.len);
	if (x->ngot > 0)
		assert_memory_equal(x->got, md_data, x->ngot);
}

/* rec[0, craft_len) to dp in random TCP segments (mode 0: tiny ones, 128
 * before dp reads; 1: all of one size; 2: a drip of 1-byte segments, each
 * read, then 1 byte and 512-1,211 in turn (TCP leaves those alone), read
 * at the end: over 80 segments a record; 3: any size, read every 16), its
 * tail sometimes held back while dp is pumped: then all the data before
 * the record has been read (before: the model's length then), and if the
 * record is allowed, nothing failed. */
static void
rnd_send(struct x *x, uint32_t before, bool was_up)
{
	unsigned int mode = rn(8), fixed = 1 + rn(2000), since = 0, segs = 0;
	size_t hold = craft_len > 1 && rn(6) == 0 ? 1 + rn((uint32_t)craft_len - 1) : 0;
	size_t drip = rn(3) != 0 ? 50 + rn(14) : 64 + rn(100);  /* (dp copies 64) */

	if ((mode == 0 && craft_len > 2048) || (mode == 2 && craft_len < 8000) || mode > 3)
		mode = 3;
	if (rnd_verbose)
		print_message("# record %u %u %u %u, %zu bytes in mode %u, held %zu: the model "
			      "%u bytes, alert %d%s\n", rec[0], rec[1], rec[2],
			      (unsigned int)rec[3] << 8 | rec[4], craft_len, mode, hold, md.len,
			      md.alert, md.closed ? ", closed" : "");
	craft_off = 0;
	while (craft_off < craft_len) {
		size_t upto = craft_off < craft_len - hold ? craft_len - hold : craft_len;
		size_t k = mode == 0 ? 1 + rn(8) : mode == 1 ? fixed :
			   mode == 2 ? (craft_off < drip || segs % 2 == 0 ? 1 : 512 + rn(700)) :
			   rn(4) == 0 ? 1 + rn(16) : 1 + rn(2000);

		if (k > upto - craft_off)
			k = upto - craft_off;
		h_send_data(x->h, rec + craft_off, (uint32_t)k);
		craft_off += k;
		since += (unsigned int)k;
		segs++;
		if (mode == 2 ? craft_off <= drip :
		    segs % (mode == 0 ? 128 : 16) == 0 || since >= 8192) {
			pump(x);
			since = 0;
		}
		if (hold != 0 && craft_off == craft_len - hold) {
			PUMP_UNTIL(x, x->ngot >= before || x->rcv_rc != 0 || !was_up);
			rnd_seen(x);
			if (was_up) {
				assert_int_equal(x->ngot, before);
				if (md.alert == 0 && !md.closed) {
					assert_int_equal(x->rcv_rc, 0);
					assert_false(x->dp_eof);
				}
			}
			hold = 0;
		}
	}
	pump(x);
	rnd_seen(x);
}

/* An authenticated record (craft()'s, sent here), judged by the model;
 * how = 1: at a wrong sequence number, 2: a bit flipped in its header's
 * version, ciphertext or tag */
static void
rnd_craft(struct x *x, const uint8_t *pt, size_t n, uint8_t type, size_t pad, uint64_t *seq,
	  int how)
{
	uint32_t before = md.len;
	bool was_up = md.alert == 0 && !md.closed, turn = false;
	size_t inner = n + (type != 0) + pad;
	uint64_t q = *seq;

	if (how == 0) {
		if (n > 0)
			memcpy(rnd_in, pt, n);
		if (type != 0)
			rnd_in[n] = type;
		memset(rnd_in + n + (type != 0), 0, pad);
		turn = md_record(rnd_in, inner);
	} else {
		if (how == 1)
			q = rn(3) == 0 ? rnd() : rn(2) == 0 || q == 0 ? q + 1 + rn(1000) :
			    q - 1 - rn((uint32_t)(q < 1000 ? q : 1000));
		if (q == *seq)
			q++;
		if (was_up)
			md_stop(inner == 0 ? 50 : inner > 16385 ? 22 : 20);
	}
	craft_hold = 5 + inner + 16;      /* sent by rnd_send() */
	craft(x, 23, pt, n, type, pad, q, false);
	craft_hold = 0;
	if (how == 2) {
		size_t b = rn(2) == 0 ? 2 : 5 + rn((uint32_t)craft_len - 5);

		rec[b] ^= (uint8_t)(1u << rn(8));
	}
	rnd_send(x, before, was_up);
	if (how == 0)
		(*seq)++;
	if (turn) {
		uint8_t next[32];

		expand_label("traffic upd", next, sizeof(next));
		memcpy(peer_secret, next, sizeof(next));
		*seq = 0;
	}
}

/* A raw record: a random header (mostly type 23, version 3) and length
 * around the limits, random bytes after it (all it says when dp would read
 * them) */
static void
rnd_raw(struct x *x)
{
	static const uint32_t lens[] = { 0, 1, 15, 16, 17, 16384, 16400, 16401, 16402, 16640,
					 16641, 65535 };
	uint32_t before = md.len, len, body;
	bool was_up = md.alert == 0 && !md.closed;
	int alert;

	rec[0] = rn(4) != 0 ? 23 : (uint8_t)rnd();
	rec[1] = rn(6) != 0 ? 3 : (uint8_t)rnd();
	rec[2] = (uint8_t)rnd();
	switch (rn(4)) {
	case 0:
		len = 18 + rn(200);
		break;
	case 1:
		len = rn(65536);
		break;
	default:
		len = lens[rn(sizeof(lens) / sizeof(lens[0]))];
		break;
	}
	rec[3] = (uint8_t)(len >> 8);
	rec[4] = (uint8_t)len;
	alert = rec[0] != 23 ? 10 : rec[1] != 3 ? 70 : len > 16401 ? 22 : len < 17 ? 50 : 20;
	body = alert == 20 ? len : rn(64);
	rnd_bytes(rec + 5, body);
	craft_len = 5 + body;
	if (was_up)
		md_stop(alert);
	rnd_send(x, before, was_up);
}

/* One record (or a run of empty ones) of the kinds above */
static void
rnd_item(struct x *x, uint64_t *seq)
{
	/* (room for the others' data: 200 bytes each, 64 the last's) */
	uint32_t room = md.len + 264 < RND_BUDGET ? RND_BUDGET - 264 - md.len : 0;
	size_t n = 0, pad = 0;
	uint8_t type = 23;
	unsigned int k = rnd_calm && rn(10) != 0 ? rn(45) : rn(100);

	if (k < 40) {                     /* application data, padded */
		n = rn(4) == 0 ? rn(17) : rn(3) == 0 ? 16384 - rn(64) : rn(16385);
		if (n > room)
			n = room;
		pad = rn(3) != 0 ? 0 : rn(2) == 0 ? rn(64) : rn((uint32_t)(16385 - n));
		if (rn(25) == 0)          /* over 2^14 + 1 inside */
			pad = 16385 - n + rn(16640 - 16385);
		rnd_bytes(rnd_pt, n);
		rnd_craft(x, rnd_pt, n, 23, pad, seq, 0);
		return;
	}
	if (k < 45) {                     /* empty records, KeyUpdates: a run */
		for (unsigned int i = 20 + rn(21); i > 0; i--) {
			uint8_t ku[5] = { 24, 0, 0, 1, (uint8_t)rn(2) };

			if (rn(4) == 0)
				rnd_craft(x, ku, sizeof(ku), 22, rn(8), seq, 0);
			else
				rnd_craft(x, NULL, 0, 23, rn(8), seq, 0);
		}
		return;
	}
	if (k < 70) {                     /* inner types and bodies */
		pad = rn(2) == 0 ? 0 : rn(100);
		switch (rn(8)) {
		case 0:                   /* none: all zeros */
			n = rn(4) == 0 ? rn(50) : 0;
			memset(rnd_pt, 0, n);
			type = 0;
			pad = rn(4) == 0 ? 0 : rn(300);
			break;
		case 1:                   /* an alert, close_notify or not */
			type = 21;
			n = rn(3) != 0 ? 2 : rn(6);
			rnd_bytes(rnd_pt, n);
			if (n == 2 && rn(2) == 0)
				rnd_pt[1] = 0;
			break;
		case 2:                   /* a KeyUpdate, good */
		case 3:
			type = 22;
			n = 5;
			memcpy(rnd_pt, (const uint8_t[]){ 24, 0, 0, 1, (uint8_t)rn(2) }, 5);
			break;
		case 4:                   /* a KeyUpdate of another length or value,
					   * or more after it */
			type = 22;
			n = rn(2) == 0 ? 5 : 4 + rn(4);
			rnd_bytes(rnd_pt, n);
			rnd_pt[0] = 24;
			rnd_pt[1] = rnd_pt[2] = 0;
			rnd_pt[3] = (uint8_t)(rn(2) == 0 ? n - 4 : rn(4));
			if (rn(2) == 0 && n == 5)
				rnd_pt[4] = (uint8_t)(2 + rn(254));
			if (rn(3) == 0) {
				n = 5 + 1 + rn(9);
				rnd_bytes(rnd_pt + 4, n - 4);
				rnd_pt[3] = 1;
				rnd_pt[4] = (uint8_t)rn(2);
			}
			break;
		case 5:                   /* a NewSessionTicket, or another message */
			type = 22;
			n = 4 + rn(200);
			rnd_bytes(rnd_pt, n);
			rnd_pt[0] = rn(2) == 0 ? 4 : (uint8_t)rnd();
			rnd_pt[1] = 0;
			rnd_pt[2] = (uint8_t)((n - 4) >> 8);
			rnd_pt[3] = (uint8_t)(n - 4);
			break;
		case 6:                   /* a handshake record short, empty, or
					   * saying more than it holds */
			type = 22;
			n = rn(2) == 0 ? rn(4) : 4 + rn(40);
			rnd_bytes(rnd_pt, n);
			if (n >= 4)
				rnd_pt[1] = (uint8_t)(1 + rn(255));
			break;
		default:                  /* another type */
			type = (uint8_t)(1 + rn(255));
			n = rn(200);
			rnd_bytes(rnd_pt, n);
			break;
		}
		rnd_craft(x, rnd_pt, n, type, pad, seq, 0);
		return;
	}
	if (k < 85) {                     /* a tag that fails */
		n = rn(2000);
		rnd_bytes(rnd_pt, n);
		rnd_craft(x, rnd_pt, n, 23, rn(2) == 0 ? 0 : rn(40), seq, 1 + (int)rn(2));
		return;
	}
	rnd_raw(x);
}

/* One round from seed: a leg, 1 to 10 records and kinds (calm rounds: up
 * to 16, nine in ten data or empty), a few more after the first refused
 * one, one of data last while it is up; checked. */
static void
rnd_one(uint64_t seed, unsigned int *ends)
{
	unsigned int base = rte_mempool_in_use_count(h_pool()), after = 0;
	long long heap = ossl_heap_live;
	uint64_t seq = 0;
	struct x x;

	rnd_round_seed = rnd_s = seed;
	rnd_running = true;
	record_crypto = rn(2) == 0 ? TP_TLS_RECORD_CRYPTO_AUTO : TP_TLS_RECORD_CRYPTO_OPENSSL;
	rnd_calm = rn(2) == 0;
	memset(&md, 0, sizeof(md));
	rec_leg_up(&x);
	assert_int_equal(ctr("records_opened_dp"), 0);
	for (unsigned int i = 1 + rn(rnd_calm ? 16 : 10); i > 0; i--) {
		rnd_item(&x, &seq);
		if ((md.alert != 0 || md.closed) && after++ >= rn(3))
			break;
	}
	if (md.alert == 0 && !md.closed) {
		size_t n = 1 + rn(64);

		rnd_bytes(rnd_pt, n);
		rnd_craft(&x, rnd_pt, n, 23, rn(2) == 0 ? 0 : rn(64), &seq, 0);
	}
	if (md.alert != 0)
		PUMP_UNTIL(&x, x.rcv_rc != 0 && (md.alert < 0 || x.peer_alert != 0));
	else if (md.closed)
		PUMP_UNTIL(&x, x.dp_eof || x.rcv_rc != 0);
	else
		PUMP_UNTIL(&x, x.ngot >= md.len || x.rcv_rc != 0);
	rnd_seen(&x);
	assert_int_equal(x.ngot, md.len);
	assert_int_equal(x.rcv_rc, md.alert != 0 ? -EPROTO : 0);
	assert_int_equal(x.dp_eof, md.closed);
	assert_int_equal(x.peer_alert, md.alert > 0 ? md.alert : 0);
	assert_int_equal(ctr("bad_record"), md.alert > 0);
	assert_int_equal(ctr("alert_sent"), md.alert > 0);
	assert_int_equal(ctr("alert_received"), md.alert < 0);
	assert_int_equal(ctr("close_notify_received"), md.closed);
	assert_int_equal(ctr("records_opened_dp"), md.opened);
	assert_int_equal(ctr("key_updates_received"), md.ku);
	assert_int_equal(ctr("key_updates_sent"), md.ku_req);
	assert_int_equal(ctr("key_updates_over_rate"), md.over_rate);
	ends[md.alert > 0 ? md.alert : md.alert < 0 ? 1 : md.closed ? 2 : 0]++;
	x_free(&x);
	record_crypto = TP_TLS_RECORD_CRYPTO_AUTO;
	assert_int_equal(rte_mempool_in_use_count(h_pool()), base);
	/* (a process's first leg leaves OpenSSL's own 112 bytes for good) */
	if (rnd_warm)
		assert_true(ossl_heap_live == heap);
	rnd_warm = true;
	rnd_running = false;
}

static void
test_tls_xprt_dp_records_random(void **state)
{
	const char *e = getenv("TP_TLS_REC_SEED"), *r = getenv("TP_TLS_REC_ROUNDS"),
		   *v = getenv("TP_TLS_REC_VERBOSE");
	uint64_t seed = e != NULL && *e != '\0' ? strtoull(e, NULL, 0) : 0x7475726e70696b65ull;
	unsigned int rounds = r != NULL && *r != '\0' ? (unsigned int)strtoul(r, NULL, 0) : 400;
	unsigned int ends[256] = { 0 };
	struct timespec t0, t1;

	(void)state;
	rnd_verbose = v != NULL && *v != '\0' && *v != '0';
#ifdef __SANITIZE_ADDRESS__
	__sanitizer_set_death_callback(rnd_where);
#endif
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* rounds that found a defect (under this generator): a header saying
	 * 0 bytes was record_overflow (len - 16 wrapped), not decode_error */
	rnd_fixed = true;
	if (e == NULL || *e == '\0')
		rnd_one(0xa84f4a3d28ef78fdull, ends);
	rnd_fixed = false;
	print_message("# seed %#llx, %u rounds (TP_TLS_REC_SEED, TP_TLS_REC_ROUNDS)\n",
		      (unsigned long long)seed, rounds);
	for (rnd_round = 0; rnd_round < rounds; rnd_round++) {
		uint64_t next;

		rnd_s = seed;
		next = rnd();
		rnd_one(seed, ends);
		seed = next;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# %u rounds (and the fixed) in %.1f s: up %u, close_notify %u, the "
		      "peer's alert %u, refused: unexpected_message %u, bad_record_mac %u, "
		      "record_overflow %u, illegal_parameter %u, decode_error %u, "
		      "protocol_version %u\n", rounds,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		      ends[0], ends[2], ends[1], ends[10], ends[20], ends[22], ends[47], ends[50],
		      ends[70]);
}

static int
rnd_teardown(void **state)
{
	rnd_where();
	rnd_running = false;
	craft_hold = 0;
	record_crypto = TP_TLS_RECORD_CRYPTO_AUTO;
	return test_done(state);
}

/* A client leg up, with data both ways; async: on the test provider. */
static void
leg_up(struct x *x, bool async)
{
	struct tls_leg_params p = params(cert_b, CERTFP_SHA256);

	x_new(x, async);
	peer_new(x, true, cert_b, key_b, TLS1_3_VERSION);
	h_open_active(x->h);
	p.sni = "ue.test";
	x->xp = tls_conn_start(x->w, x->h->id, TLS_ROLE_CLIENT, &p);
	PUMP_UNTIL(x, ev.handshakes > 0 && x->peer_done);
	assert_true(x->peer_done);
	data_both_ways(x);
}

/* What the peer reads until its SSL_read ends (close_notify, an error, or
 * nothing for a while): its bytes in buf, the SSL error it ended with. */
static int
peer_read_to_end(struct x *x, uint8_t *buf, size_t size, size_t *total)
{
	int e = SSL_ERROR_NONE;
	size_t n;

	*total = 0;
	for (int i = 0; i < 5000; i++) {
		bool moved = pump(x);

		for (;;) {
			int rc = SSL_read_ex(x->peer, buf + *total, size - *total, &n);

			if (rc == 1) {
				*total += n;
				moved = true;
				continue;
			}
			e = SSL_get_error(x->peer, rc);
			break;
		}
		ERR_clear_error();
		if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL)
			break;
		if (!moved)
			usleep(100);
	}
	return e;
}

/* The peer sends msg in a record, and dp reads once: its plaintext in
 * x->got when it came at once; else -EAGAIN, its read on the "card" (the
 * records on the async provider). */
static int
peer_record_read_once(struct x *x, const void *msg, size_t len)
{
	uint8_t buf[4096];
	struct rte_mbuf *m;
	size_t n;
	int rc;

	assert_int_equal(SSL_write_ex(x->peer, msg, len, &n), 1);
	while ((rc = BIO_read(x->pnet, buf, sizeof(buf))) > 0)
		h_send_data(x->h, buf, (uint32_t)rc);
	x->ngot = 0;
	rc = x->xp->rcv_buf(x->w, x->h->id, &m, UINT32_MAX);
	if (rc > 0) {
		const void *d = rte_pktmbuf_read(m, 0, (uint32_t)rc, x->got);

		assert_int_equal(rc, len);
		assert_non_null(d);
		if (d != x->got)
			memcpy(x->got, d, (size_t)rc);
		x->ngot = (uint32_t)rc;
		rte_pktmbuf_free(m);
	} else {
		assert_int_equal(rc, -EAGAIN);
		if (records_async())
			assert_int_equal(W.tls->nparked, 1);
	}
	return rc;
}

/*
 * A write, then at once a shutdown (a splice forwarding a FIN) or a close:
 * the peer reads all of the write, then close_notify, and dp's side does
 * not fail. With the records on the async provider the write is on the
 * "card" when the shutdown or close comes: TCP's FIN went out before it
 * (the write then failed on the shut connection: 0 of 3000 bytes, dp read
 * -EPROTO) and a close lost it and the alert (TLS_X_SHUTPEND, TLS_X_LINGER,
 * tls_settle()). Also a bare shutdown and close, in every mode.
 */
static void
test_tls_xprt_write_then_end(void **state)
{
	static uint8_t buf[8192];

	(void)state;
	for (unsigned int mode = 0; mode < 2 + (asyncprov != NULL ? 2 : 0); mode++) {
		bool async = mode >= 2, close = mode % 2 == 1;

		for (unsigned int len = 0; len <= 3000; len += 3000) {
			size_t total;
			struct x x;
			int e;

			leg_up(&x, async);
			if (len > 0)
				assert_int_equal(x.xp->snd_buf(x.w, x.h->id, h_mbuf(len, 7)),
						 (int)len);
			if (close) {
				assert_int_equal(x.xp->close(x.w, x.h->id), 0);
				x.xp = NULL;
			} else {
				assert_int_equal(x.xp->shutdown(x.w, x.h->id), 0);
			}
			e = peer_read_to_end(&x, buf, sizeof(buf), &total);
			printf("# %s, %s after %u bytes: the peer read %zu, then %s; "
			       "close_waited %llu\n", async ? (records_async() ?
			       "async records" : "async") : "software", close ? "close" : "shutdown",
			       len, total, e == SSL_ERROR_ZERO_RETURN ? "close_notify" : "no close_notify",
			       (unsigned long long)ctr("close_waited"));
			assert_int_equal(total, len);
			for (uint32_t i = 0; i < total; i++)
				if (buf[i] != (uint8_t)(7 + i))
					fail_msg("byte %u: %u", i, buf[i]);
			assert_int_equal(e, SSL_ERROR_ZERO_RETURN);
			assert_int_equal(x.rcv_rc, 0);
			if (!close) {
				/* TCP's FIN followed (our side half-closed), and
				 * writes are refused from the shutdown on */
				int st = tcp_conn_state(W.tcp, x.h->id);
				struct rte_mbuf *late = h_mbuf(10, 1);

				assert_true(st == TCP_ST_FIN_WAIT_1 || st == TCP_ST_FIN_WAIT_2);
				assert_int_equal(x.xp->snd_buf(x.w, x.h->id, late), -EPIPE);
				rte_pktmbuf_free(late);   /* (refused: the caller's) */
			}
			if (close && len > 0 && async && records_async())
				assert_int_equal(ctr("close_waited"), 1);
			if (!async)
				assert_int_equal(ctr("close_waited"), 0);
			assert_int_equal(ctr("close_wait_timeout"), 0);
			if (close)
				PUMP_UNTIL(&x, W.tls->nlinger == 0);
			assert_int_equal(W.tls->nlinger, 0);
			x_free(&x);
		}
	}
}

/* dp's records, shut by dp (close_notify and FIN sent), then the peer's
 * KeyUpdate asking for ours, data, close_notify: dp reads the data and the
 * end, and answers nothing (RFC 8446 §6.1: nothing after close_notify;
 * the answer, written to a connection whose FIN went, failed it). */
static void
test_tls_xprt_key_update_after_shutdown(void **state)
{
	static uint8_t buf[256];
	size_t total, n;
	struct x x;

	(void)state;
	rec_leg_up(&x);
	assert_int_equal(x.xp->shutdown(x.w, x.h->id), 0);
	assert_int_equal(peer_read_to_end(&x, buf, sizeof(buf), &total), SSL_ERROR_ZERO_RETURN);
	assert_int_equal(total, 0);
	assert_int_equal(SSL_key_update(x.peer, SSL_KEY_UPDATE_REQUESTED), 1);
	assert_int_equal(SSL_write_ex(x.peer, "after our end", 13, &n), 1);
	SSL_shutdown(x.peer);
	x.ngot = 0;
	PUMP_UNTIL(&x, x.dp_eof || x.rcv_rc != 0);
	assert_int_equal(x.rcv_rc, 0);
	assert_true(x.dp_eof);
	assert_int_equal(x.ngot, 13);
	assert_memory_equal(x.got, "after our end", 13);
	assert_int_equal(ctr("key_updates_received"), 1);
	assert_int_equal(ctr("key_updates_sent"), 0);
	x_free(&x);
}

/* Writes while the connection's read is on the "card" (the records on the
 * async provider): they wait for it (TLS_X_WPEND) and go out in order
 * after it, and the read's record is read; before, they were refused. In
 * the other modes the same writes simply go out. */
static void
test_tls_xprt_write_while_read_parked(void **state)
{
	static const char msg[] = "a record from the peer, decrypted on the card";
	static uint8_t buf[8192];
	size_t n, total = 0;
	struct x x;

	(void)state;
	leg_up(&x, asyncprov != NULL);
	peer_record_read_once(&x, msg, sizeof(msg));
	assert_int_equal(x.xp->snd_buf(x.w, x.h->id, h_mbuf(3000, 9)), 3000);
	assert_int_equal(x.xp->snd_buf(x.w, x.h->id, h_mbuf(100, 3)), 100);
	if (records_async())
		assert_int_equal(ctr("write_queued_parked"), 2);
	assert_int_equal(ctr("write_dropped_parked"), 0);
	for (int i = 0; i < 5000 && (total < 3100 || x.ngot < sizeof(msg)); i++) {
		pump(&x);
		while (SSL_read_ex(x.peer, buf + total, sizeof(buf) - total, &n) == 1)
			total += n;
		ERR_clear_error();
		usleep(100);
	}
	printf("# %s: the peer read %zu of 3100, dp %u of %zu; queued %llu\n",
	       records_async() ? "async records" : asyncprov != NULL ? "async" : "software",
	       total, x.ngot, sizeof(msg), (unsigned long long)ctr("write_queued_parked"));
	assert_int_equal(total, 3100);
	assert_int_equal(x.ngot, sizeof(msg));
	assert_memory_equal(x.got, msg, sizeof(msg));
	for (uint32_t i = 0; i < 3000; i++)
		if (buf[i] != (uint8_t)(9 + i))
			fail_msg("byte %u: %u", i, buf[i]);
	for (uint32_t i = 3000; i < 3100; i++)
		if (buf[i] != (uint8_t)(3 + i - 3000))
			fail_msg("byte %u: %u", i, buf[i]);
	x_free(&x);
}

/* A shutdown while the connection's read is on the "card" (the records on
 * the async provider): the read ends and its record reaches dp, then the
 * close_notify and the FIN go out (from tls_poll(), after the read's
 * wake-up); in the other modes the shutdown is done at once. */
static void
test_tls_xprt_shutdown_while_read_parked(void **state)
{
	static const char msg[] = "the peer's last record before our FIN";
	static uint8_t buf[4096];
	size_t total;
	struct x x;
	int e, st;

	(void)state;
	leg_up(&x, asyncprov != NULL);
	peer_record_read_once(&x, msg, sizeof(msg));
	assert_int_equal(x.xp->shutdown(x.w, x.h->id), 0);
	if (records_async()) {
		/* nothing yet: the read's job is held */
		assert_int_equal(tcp_conn_state(W.tcp, x.h->id), TCP_ST_ESTABLISHED);
		assert_int_equal(W.tls->nlinger, 1);
	}
	e = peer_read_to_end(&x, buf, sizeof(buf), &total);
	printf("# %s: dp read %u of %zu, then the peer heard %s\n",
	       records_async() ? "async records" : asyncprov != NULL ? "async" : "software",
	       x.ngot, sizeof(msg), e == SSL_ERROR_ZERO_RETURN ? "close_notify" : "no close_notify");
	assert_int_equal(e, SSL_ERROR_ZERO_RETURN);
	assert_int_equal(total, 0);
	assert_int_equal(x.ngot, sizeof(msg));
	assert_memory_equal(x.got, msg, sizeof(msg));
	st = tcp_conn_state(W.tcp, x.h->id);
	assert_true(st == TCP_ST_FIN_WAIT_1 || st == TCP_ST_FIN_WAIT_2);
	assert_int_equal(W.tls->nlinger, 0);
	assert_int_equal(x.rcv_rc, 0);
	x_free(&x);
}

/* An async job that pauses until it is started again (one of the thread's
 * pool taken from dp). */
static int
job_hold(void *arg)
{
	(void)arg;
	ASYNC_pause_job();
	return 1;
}

/* A shutdown whose SSL_shutdown() finds no free async job (the thread's
 * pool all taken: here by the test itself): nothing goes out, the shutdown
 * waits on the records' FIFO (async_job_waits), and once a job is free the
 * close_notify goes, then the FIN. With the async provider only. */
static void
test_tls_xprt_shutdown_waits_for_a_job(void **state)
{
	enum { POOL = 2 };
	ASYNC_JOB *job[POOL] = { NULL };
	ASYNC_WAIT_CTX *wctx[POOL];
	static uint8_t buf[256];
	uint64_t waits0;
	size_t total;
	int ret, st;
	struct x x;

	(void)state;
	if (asyncprov == NULL) {
		print_message("# (with the async provider only)\n");
		return;
	}
	leg_up(&x, true);
	/* the thread's pool: POOL jobs, all of them held here */
	ASYNC_cleanup_thread();
	assert_int_equal(ASYNC_init_thread(POOL, 0), 1);
	for (int i = 0; i < POOL; i++) {
		wctx[i] = ASYNC_WAIT_CTX_new();
		assert_non_null(wctx[i]);
		assert_int_equal(ASYNC_start_job(&job[i], wctx[i], &ret, job_hold, NULL, 0),
				 ASYNC_PAUSE);
	}
	waits0 = ctr("async_job_waits");
	assert_int_equal(x.xp->shutdown(x.w, x.h->id), 0);
	for (int i = 0; i < 20; i++)
		pump(&x);
	assert_true(ctr("async_job_waits") > waits0);   /* (once a turn that found none) */
	assert_int_equal(tcp_conn_state(W.tcp, x.h->id), TCP_ST_ESTABLISHED);
	assert_int_equal(W.tls->nlinger, 1);
	/* the jobs end: the close_notify, then the FIN */
	for (int i = 0; i < POOL; i++) {
		assert_int_equal(ASYNC_start_job(&job[i], wctx[i], &ret, job_hold, NULL, 0),
				 ASYNC_FINISH);
		ASYNC_WAIT_CTX_free(wctx[i]);
	}
	assert_int_equal(peer_read_to_end(&x, buf, sizeof(buf), &total), SSL_ERROR_ZERO_RETURN);
	assert_int_equal(total, 0);
	st = tcp_conn_state(W.tcp, x.h->id);
	assert_true(st == TCP_ST_FIN_WAIT_1 || st == TCP_ST_FIN_WAIT_2);
	assert_int_equal(W.tls->nlinger, 0);
	assert_int_equal(x.rcv_rc, 0);
	x_free(&x);
	ASYNC_cleanup_thread();        /* (the next job makes OpenSSL's own again) */
}

/* A write that waits for a read's job (TLS_X_WPEND), and the read then
 * fails (a record whose tag does not check, found on the "card"): the
 * connection fails, and the write, which its application was told was
 * taken, is counted lost (write_lost_failed). In the other modes the read
 * fails at once and the write is refused. */
static void
test_tls_xprt_write_lost_when_read_fails(void **state)
{
	uint8_t bad[512];
	struct rte_mbuf *m;
	size_t n;
	int rc;
	struct x x;

	(void)state;
	leg_up(&x, asyncprov != NULL);
	assert_int_equal(SSL_write_ex(x.peer, "a record that will not check", 28, &n), 1);
	rc = BIO_read(x.pnet, bad, sizeof(bad));
	assert_true(rc > 28);
	bad[rc - 1] ^= 0x01;              /* (its tag's last byte) */
	h_send_data(x.h, bad, (uint32_t)rc);
	rc = x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX);
	m = h_mbuf(100, 5);
	if (records_async()) {
		assert_int_equal(rc, -EAGAIN);
		assert_int_equal(x.xp->snd_buf(x.w, x.h->id, m), 100);
		assert_int_equal(ctr("write_queued_parked"), 1);
		PUMP_UNTIL(&x, x.rcv_rc != 0);
		assert_int_equal(x.rcv_rc, -EPROTO);
		assert_int_equal(ctr("write_lost_failed"), 1);
	} else {
		assert_int_equal(rc, -EPROTO);
		assert_true(x.xp->snd_buf(x.w, x.h->id, m) < 0);
		rte_pktmbuf_free(m);          /* (refused: the caller's) */
		assert_int_equal(ctr("write_lost_failed"), 0);
	}
	assert_int_equal(ctr("bad_record"), 1);
	x_free(&x);
}

/* A close that waits is bounded: past TLS_LINGER_MS (10 s) it is reset
 * (close_wait_timeout) and its SSL becomes an orphan until its job ends.
 * With the records on the provider only: the close finds its write on the
 * "card", and the worker's next turn, 11 s later by the harness's clock,
 * finds the alert's record there in turn. */
static void
test_tls_xprt_close_wait_bounded(void **state)
{
	const struct h_out *o;
	bool rst = false;
	struct x x;

	(void)state;
	if (!records_async()) {
		printf("# the records not on the async provider: skipped\n");
		skip();
	}
	leg_up(&x, true);
	assert_int_equal(x.xp->snd_buf(x.w, x.h->id, h_mbuf(3000, 7)), 3000);
	assert_int_equal(W.tls->nparked, 1);
	assert_int_equal(x.xp->close(x.w, x.h->id), 0);
	x.xp = NULL;
	assert_int_equal(W.tls->nlinger, 1);
	assert_int_equal(ctr("close_waited"), 1);
	h_advance(x.h, 11000);
	tls_poll(x.w, x.h->now);
	assert_int_equal(ctr("close_wait_timeout"), 1);
	assert_int_equal(W.tls->nlinger, 0);
	assert_true(tcp_conn_state(W.tcp, x.h->id) < 0);
	while (h_pending(x.h) > 0) {
		o = h_pop(x.h);
		rst |= (o->seg.flags & TCP_RST) != 0;
	}
	assert_true(rst);
	/* the orphan's job ends; it is freed */
	for (int i = 0; i < 5000 && W.tls->norphan_free < W.tls->orphans_max; i++) {
		usleep(100);
		tls_poll(x.w, x.h->now);
	}
	assert_int_equal(W.tls->norphan_free, W.tls->orphans_max);
	x_free(&x);

	/* a shutdown likewise: past it, the connection fails (its
	 * application reads -EPROTO, and resets it) */
	leg_up(&x, true);
	assert_int_equal(x.xp->snd_buf(x.w, x.h->id, h_mbuf(3000, 7)), 3000);
	assert_int_equal(W.tls->nparked, 1);
	assert_int_equal(x.xp->shutdown(x.w, x.h->id), 0);
	assert_int_equal(W.tls->nlinger, 1);
	h_advance(x.h, 11000);
	tls_poll(x.w, x.h->now);
	assert_int_equal(ctr("close_wait_timeout"), 1);
	assert_int_equal(W.tls->nlinger, 0);
	{
		struct rte_mbuf *m = NULL;

		assert_int_equal(x.xp->rcv_buf(x.w, x.h->id, &m, UINT32_MAX), -EPROTO);
	}
	for (int i = 0; i < 5000 && W.tls->nparked > 0; i++) {
		usleep(100);
		tls_poll(x.w, x.h->now);
	}
	x_free(&x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tls_xprt_client_leg_13_and_12, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_server_leg_13_and_12, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_wrong_or_no_certificate_refused, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_client_refused_after_up_says_alert, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_async_provider_parks_and_resumes, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_start_refusals, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_handshake_budget_defers, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_async_woken_goes_on, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_write_then_end, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_key_update_after_shutdown, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_write_lost_when_read_fails, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_shutdown_waits_for_a_job, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_write_while_read_parked, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_shutdown_while_read_parked, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_close_wait_bounded, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_dp_records_starved_once_a_turn, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_dp_records, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_dp_records_refused, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_dp_records_key_update_rate, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_dp_records_key_update_suites, test_done),
		cmocka_unit_test_setup_teardown(test_tls_xprt_dp_records, aead_openssl,
						aead_default),
		cmocka_unit_test_setup_teardown(test_tls_xprt_dp_records_refused, aead_openssl,
						aead_default),
		cmocka_unit_test_teardown(test_tls_xprt_dp_records_memory, test_done),
		cmocka_unit_test_teardown(test_tls_xprt_dp_records_random, rnd_teardown),
	};

	/* before OpenSSL allocates anything */
	if (!ossl_heap_install())
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
