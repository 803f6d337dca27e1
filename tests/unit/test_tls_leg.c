/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/tls_leg: the access gateway's TLS legs against OpenSSL's own
 * client and server over BIO pairs (no sockets, no mocks). Our client
 * trusts the server's self-signed certificate by its fingerprint and
 * refuses another with bad_certificate; our server asks for the client's
 * certificate, takes the signalled one, refuses another and refuses none
 * (mutual authentication); each hash (sha-1, sha-256, sha-384, sha-512),
 * TLS 1.3 and 1.2, in software and, when TP_ASYNCPROV_SO names the
 * asynchronous test provider, with every public-key operation of our
 * side paused (SSL_MODE_ASYNC: WANT_ASYNC seen, the provider's counters
 * prove it). Also: two legs of ours with a per-leg certificate, several
 * fingerprints judged by the strongest hash signalled (RFC 8122 section
 * 5: a weaker one beside it is not looked at), sha-1 alone refused unless
 * allowed, a version refused, bytes that are not TLS, the reasons'
 * sentences and the parameter checks.
 *
 * Certificates are made with the openssl command into a mkdtemp folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "certfp.h"
#include "asyncprov_ctx.h"
#include "ossl_heap.h"
#include "tls_ctx.h"
#include "tls_leg.h"
#include "tp_conf_types.h"

static char dir[64];
/* a: ours (the tls group's), b: the peer's, c: somebody else's */
static char cert_a[128], key_a[128], cert_b[128], key_b[128], cert_c[128], key_c[128];
static char err[768];

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
	snprintf(dir, sizeof(dir), "/tmp/tp-tlsleg-XXXXXX");
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
		 "ec_paramgen_curve:P-384 -nodes -days 2 -subj /CN=ue.test "
		 "-keyout %s -out %s", key_c, cert_c);
	run(cmd);
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

static void
conf_tls(struct tp_conf_tls *t)
{
	memset(t, 0, sizeof(*t));
	t->enabled = true;
	t->line = 10;
	t->min_version = 0x0303;
	snprintf(t->ciphers, sizeof(t->ciphers), "%s", TP_CONF_TLS_CIPHERS);
	snprintf(t->ciphersuites, sizeof(t->ciphersuites), "%s", TP_CONF_TLS_CIPHERSUITES);
	snprintf(t->groups, sizeof(t->groups), "%s", TP_CONF_TLS_GROUPS);
	t->session_cache = TP_CONF_TLS_SESSION_CACHE;
	snprintf(t->cert.certificate, sizeof(t->cert.certificate), "%s", cert_a);
	snprintf(t->cert.private_key, sizeof(t->cert.private_key), "%s", key_a);
	t->cert.certificate_line = 11;
	t->cert.private_key_line = 12;
}

static struct certfp
fp_of(const char *path, enum certfp_alg alg)
{
	struct certfp fp;

	assert_int_equal(certfp_of_pem_file(path, alg, &fp, err, sizeof(err)), 0);
	return fp;
}

/* ---- the async provider, when there is one --------------------------- */

static OSSL_LIB_CTX *alibctx;      /* with tpasync, or NULL */
static const char *apropq;
static volatile int async_wakes;   /* the provider's thread adds */
static unsigned long async_seen;   /* WANT_ASYNC returns */

static int
async_cb(SSL *s, void *arg)
{
	(void)s;
	(void)arg;
	__atomic_add_fetch(&async_wakes, 1, __ATOMIC_RELEASE);
	return 1;
}

static int
prov_pick(OSSL_PROVIDER *p, void *arg)
{
	if (strcmp(OSSL_PROVIDER_get0_name(p), "default") != 0)
		*(OSSL_PROVIDER **)arg = p;
	return 1;
}

static uint64_t
tpa_count(const char *name)
{
	OSSL_PROVIDER *p = NULL;
	uint64_t v = 0;
	OSSL_PARAM q[] = { OSSL_PARAM_uint64(name, &v), OSSL_PARAM_END };

	OSSL_PROVIDER_do_all(alibctx, prov_pick, &p);
	assert_non_null(p);
	assert_int_equal(OSSL_PROVIDER_get_params(p, q), 1);
	return v;
}

/* ---- driving a pair --------------------------------------------------- */

struct side {
	SSL *s;
	int done;                     /* 1 up, -1 failed, 0 under way */
	int err;                      /* SSL_get_error() of the failure */
	int reason;                   /* OpenSSL's reason code of it */
	bool ours;                    /* a leg of dp's (not OpenSSL's peer) */
};

static int peer_alert;             /* the last alert the peer received */
static int ours_sent, ours_recv;   /* the fatal alerts our side sent, received */

static void
ours_info(const SSL *s, int where, int ret)
{
	(void)s;
	if ((where & SSL_CB_ALERT) && (ret >> 8) == SSL3_AL_FATAL) {
		if (where & SSL_CB_READ)
			ours_recv = ret & 0xff;
		else
			ours_sent = ret & 0xff;
	}
}

static void
peer_info(const SSL *s, int where, int ret)
{
	(void)s;
	if ((where & SSL_CB_READ_ALERT) && (ret & 0xff) != SSL_AD_CLOSE_NOTIFY)
		peer_alert = ret & 0xff;
}

static void
step(struct side *x)
{
	int rc, e;

	if (x->done != 0)
		return;
	ERR_clear_error();
	rc = SSL_do_handshake(x->s);
	if (rc == 1) {
		x->done = 1;
		return;
	}
	/* a job that paused is paused, whatever the thread's error queue
	 * holds of what it raised before (dp's tls_ssl_error(): the records
	 * on the provider pause a failing handshake's alert) */
	e = SSL_waiting_for_async(x->s) ? SSL_ERROR_WANT_ASYNC : SSL_get_error(x->s, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return;
	if (e == SSL_ERROR_WANT_ASYNC) {
		int before = async_wakes;

		/* the provider's thread says when the job can go on */
		async_seen++;
		for (int i = 0; i < 20000 && async_wakes == before &&
		     SSL_waiting_for_async(x->s); i++)
			usleep(50);
		return;
	}
	x->done = -1;
	x->err = e;
	x->reason = ERR_GET_REASON(ERR_peek_last_error());
	/* as dp does (tls_count_failure()): a job that paused to write its
	 * alert (the records on the provider) lost what it raised before */
	if (x->ours)
		x->reason = tls_lost_reason(x->reason, &x->err, ours_recv, ours_sent, false);
	ERR_clear_error();
}

/* Both sides to their end; then the peer reads once, to see an alert
 * sent after it thought it was done. */
static void
drive(struct side *ours, struct side *peer)
{
	char buf[8];
	size_t n;

	for (int i = 0; i < 400 && !(ours->done != 0 && peer->done != 0); i++) {
		step(ours);
		step(peer);
		if (ours->done < 0 || peer->done < 0) {
			/* one more round for the other to read the alert */
			step(ours);
			step(peer);
			break;
		}
	}
	if (peer->done == 1 && ours->done < 0) {
		ERR_clear_error();
		SSL_read_ex(peer->s, buf, sizeof(buf), &n);
		ERR_clear_error();
	}
}

static void
pair_bio(SSL *a, SSL *b)
{
	BIO *ba, *bb;

	assert_int_equal(BIO_new_bio_pair(&ba, 0, &bb, 0), 1);
	SSL_set_bio(a, ba, ba);
	SSL_set_bio(b, bb, bb);
}

static void
noop_hs(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why)
{
	(void)w;
	(void)id;
	(void)arg;
	(void)why;
}

static void
noop_ready(struct dp_worker *w, uint64_t id, void *arg)
{
	(void)w;
	(void)id;
	(void)arg;
}

static const struct tls_leg_ops ops = { .handshake = noop_hs, .ready = noop_ready };

static struct tls_leg_params
params1(struct certfp fp)
{
	struct tls_leg_params p;

	memset(&p, 0, sizeof(p));
	p.fp[0] = fp;
	p.nfp = 1;
	p.ops = &ops;
	return p;
}

/* A leg context of ours: in the provider's library context when async. */
static SSL_CTX *
leg_ctx(const struct tp_conf_tls *t, bool async)
{
	static struct tp_conf_tls tt;   /* (large for the stack) */
	SSL_CTX *c;

	/* as dp's configuration says it: an offload provider (the mode
	 * SSL_MODE_ASYNC comes with it) */
	tt = *t;
	if (async)
		tt.offload = TP_TLS_OFFLOAD_PROVIDER;
	c = tls_leg_ctx_create(&tt, async ? alibctx : NULL, async ? apropq : NULL,
			       err, sizeof(err));

	if (c == NULL)
		fail_msg("tls_leg_ctx_create: %s", err);
	SSL_CTX_set_async_callback(c, async_cb);
	return c;
}

/* OpenSSL's own: a server with cert (no client certificate asked), or a
 * client with cert (NULL: none), up to max_version, verifying nothing. */
static SSL_CTX *
peer_ctx(bool server, const char *cert, const char *key, int max_version)
{
	SSL_CTX *c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	assert_non_null(c);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	if (max_version != 0)
		SSL_CTX_set_max_proto_version(c, max_version);
	if (cert != NULL) {
		assert_int_equal(SSL_CTX_use_certificate_chain_file(c, cert), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM), 1);
	}
	SSL_CTX_set_info_callback(c, peer_info);
	return c;
}

static const enum certfp_alg algs[] = { CERTFP_SHA1, CERTFP_SHA256, CERTFP_SHA384,
					CERTFP_SHA512 };
static const int versions[] = { TLS1_3_VERSION, TLS1_2_VERSION };

/* One handshake of a leg of ours (role) against OpenSSL's peer; returns
 * our side's outcome; *leg and the sides for the checks. */
static void
leg_vs_peer(SSL_CTX *ours, SSL_CTX *peer, enum tls_role role,
	    const struct tls_leg_params *p, struct tls_leg *leg, struct side *o,
	    struct side *q)
{
	memset(o, 0, sizeof(*o));
	memset(q, 0, sizeof(*q));
	o->s = tls_leg_ssl_new(ours, role, p, leg);
	assert_non_null(o->s);
	o->ours = true;
	ours_sent = ours_recv = 0;
	SSL_set_info_callback(o->s, ours_info);
	assert_ptr_equal(tls_leg_of(o->s), leg);
	q->s = SSL_new(peer);
	assert_non_null(q->s);
	if (role == TLS_ROLE_CLIENT)
		SSL_set_accept_state(q->s);
	else
		SSL_set_connect_state(q->s);
	pair_bio(o->s, q->s);
	peer_alert = 0;
	drive(o, q);
}

static void
sides_free(struct side *o, struct side *q)
{
	SSL_free(o->s);
	SSL_free(q->s);
	ERR_clear_error();
}

/* The matrix: each hash, each version, each role, match and mismatch. */
static void
matrix(bool async)
{
	struct tp_conf_tls t;
	struct tls_leg leg;
	struct side o, q;
	char line[512], fps[CERTFP_STR_MAX];
	SSL_CTX *ours;
	unsigned int up = 0, refused = 0;

	conf_tls(&t);
	ours = leg_ctx(&t, async);
	for (unsigned int v = 0; v < 2; v++) {
		SSL_CTX *srv = peer_ctx(true, cert_b, key_b, versions[v]);
		SSL_CTX *cli = peer_ctx(false, cert_b, key_b, versions[v]);
		SSL_CTX *cli_c = peer_ctx(false, cert_c, key_c, versions[v]);
		SSL_CTX *cli_none = peer_ctx(false, NULL, NULL, versions[v]);

		for (unsigned int a = 0; a < 4; a++) {
			struct certfp fb = fp_of(cert_b, algs[a]);
			struct tls_leg_params p = params1(fb);
			X509 *x;

			/* sha-1 as agw.allow_sha1 = true has it (refused
			 * otherwise: test_tls_leg_sha1_only_refused_unless_allowed) */
			p.allow_sha1 = algs[a] == CERTFP_SHA1;

			/* our client: the server's certificate is the one signalled */
			leg_vs_peer(ours, srv, TLS_ROLE_CLIENT, &p, &leg, &o, &q);
			assert_int_equal(o.done, 1);
			assert_int_equal(q.done, 1);
			assert_int_equal(SSL_version(o.s), versions[v]);
			assert_int_equal(leg.matched, 0);
			assert_int_equal(leg.why, TLS_FAIL_NONE);
			tls_leg_up(&leg, o.s);
			tls_leg_describe(&leg, line, sizeof(line));
			assert_non_null(strstr(line, v == 0 ? "up TLSv1.3" : "up TLSv1.2"));
			sides_free(&o, &q);
			up++;

			/* ...and one bit off: bad_certificate, the reason kept */
			p.fp[0].md[p.fp[0].len - 1] ^= 0x01;
			leg_vs_peer(ours, srv, TLS_ROLE_CLIENT, &p, &leg, &o, &q);
			assert_int_equal(o.done, -1);
			assert_int_equal(o.reason, SSL_R_CERTIFICATE_VERIFY_FAILED);
			assert_int_equal(tls_leg_fail(&leg, o.err, o.reason), TLS_FAIL_FP_MISMATCH);
			assert_int_equal(peer_alert, SSL_AD_BAD_CERTIFICATE);
			assert_true(q.done != 1 || SSL_get_shutdown(q.s) != 0);
			tls_leg_describe(&leg, line, sizeof(line));
			certfp_format(&fb, fps, sizeof(fps));
			if (strstr(line, "fingerprint_mismatch: the peer's certificate is ") == NULL ||
			    strstr(line, fps) == NULL)
				fail_msg("describe: '%s' (want %s)", line, fps);
			sides_free(&o, &q);
			refused++;

			/* our server asks for the client's certificate: the one
			 * signalled is taken; the client sees ours */
			p = params1(fb);
			p.allow_sha1 = algs[a] == CERTFP_SHA1;
			leg_vs_peer(ours, cli, TLS_ROLE_SERVER, &p, &leg, &o, &q);
			assert_int_equal(o.done, 1);
			assert_int_equal(q.done, 1);
			assert_int_equal(SSL_version(o.s), versions[v]);
			assert_int_equal(leg.matched, 0);
			x = SSL_get1_peer_certificate(q.s);
			assert_non_null(x);
			{
				struct certfp fa = fp_of(cert_a, CERTFP_SHA256), got;

				assert_int_equal(certfp_of_x509(x, CERTFP_SHA256, &got), 0);
				assert_true(certfp_equal(&fa, &got));
			}
			X509_free(x);
			sides_free(&o, &q);
			up++;

			/* another certificate: refused */
			leg_vs_peer(ours, cli_c, TLS_ROLE_SERVER, &p, &leg, &o, &q);
			assert_int_equal(o.done, -1);
			assert_int_equal(tls_leg_fail(&leg, o.err, o.reason), TLS_FAIL_FP_MISMATCH);
			assert_int_equal(peer_alert, SSL_AD_BAD_CERTIFICATE);
			sides_free(&o, &q);
			refused++;

			/* none at all: refused (certificate_required in 1.3) */
			leg_vs_peer(ours, cli_none, TLS_ROLE_SERVER, &p, &leg, &o, &q);
			assert_int_equal(o.done, -1);
			assert_int_equal(o.reason, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
			assert_int_equal(tls_leg_fail(&leg, o.err, o.reason), TLS_FAIL_NO_PEER_CERT);
			assert_int_equal(peer_alert, v == 0 ? SSL_AD_CERTIFICATE_REQUIRED :
					 SSL_AD_HANDSHAKE_FAILURE);
			tls_leg_describe(&leg, line, sizeof(line));
			assert_string_equal(line, "no_peer_cert: the client sent no certificate");
			sides_free(&o, &q);
			refused++;
		}
		SSL_CTX_free(srv);
		SSL_CTX_free(cli);
		SSL_CTX_free(cli_c);
		SSL_CTX_free(cli_none);
	}
	SSL_CTX_free(ours);
	assert_int_equal(up, 16);
	assert_int_equal(refused, 24);
}

static void
test_tls_leg_fingerprints_each_hash_version_role(void **state)
{
	(void)state;
	async_seen = 0;
	matrix(false);
	assert_int_equal(async_seen, 0);
}

static void
test_tls_leg_fingerprints_async_provider(void **state)
{
	uint64_t ops0, async0, sync0;

	(void)state;
	if (alibctx == NULL) {
		printf("# TP_ASYNCPROV_SO not set: the async run is skipped\n");
		skip();
	}
	ops0 = tpa_count("tpasync-ops");
	async0 = tpa_count("tpasync-async-ops");
	sync0 = tpa_count("tpasync-sync-ops");
	async_seen = 0;
	async_wakes = 0;
	matrix(true);
	printf("# async provider: %lu WANT_ASYNC, %d wake-ups, %llu operations "
	       "(%llu in a job, %llu outside)\n", async_seen, async_wakes,
	       (unsigned long long)(tpa_count("tpasync-ops") - ops0),
	       (unsigned long long)(tpa_count("tpasync-async-ops") - async0),
	       (unsigned long long)(tpa_count("tpasync-sync-ops") - sync0));
	/* 40 handshakes of ours, each with a signature or a key exchange of
	 * ours paused at least once */
	assert_true(async_seen >= 40);
	assert_true(tpa_count("tpasync-async-ops") - async0 >= 40);
	assert_int_equal(tpa_count("tpasync-sync-ops"), sync0);
	assert_int_equal(tpa_count("tpasync-abandoned"), 0);
}

/* Two legs of ours, the client with its own certificate (a context's,
 * not the tls group's); several fingerprints; SNI sent. */
static void
test_tls_leg_ours_both_roles_per_leg_cert(void **state)
{
	struct tp_conf_tls t;
	struct tls_leg lc, ls;
	struct tls_cred *cred;
	struct side o, q;
	struct tls_leg_params pc, ps;
	SSL_CTX *ctx;
	char line[256];

	(void)state;
	conf_tls(&t);
	ctx = leg_ctx(&t, false);
	cred = tls_cred_load(cert_b, key_b, err, sizeof(err));
	if (cred == NULL)
		fail_msg("tls_cred_load: %s", err);
	/* the client (cert b) trusts a by sha-384; the server (cert a)
	 * takes c's sha-256 or b's sha-512: the second matches */
	pc = params1(fp_of(cert_a, CERTFP_SHA384));
	pc.cred = cred;
	pc.sni = "agw.test";
	ps = params1(fp_of(cert_c, CERTFP_SHA256));
	ps.fp[1] = fp_of(cert_b, CERTFP_SHA512);
	ps.nfp = 2;
	memset(&o, 0, sizeof(o));
	memset(&q, 0, sizeof(q));
	o.s = tls_leg_ssl_new(ctx, TLS_ROLE_CLIENT, &pc, &lc);
	q.s = tls_leg_ssl_new(ctx, TLS_ROLE_SERVER, &ps, &ls);
	assert_non_null(o.s);
	assert_non_null(q.s);
	tls_cred_free(cred);          /* the SSL holds its references */
	pair_bio(o.s, q.s);
	drive(&o, &q);
	if (o.done != 1 || q.done != 1)
		fail_msg("client %d (%s), server %d (%s)", o.done,
			 ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, o.reason)), q.done,
			 ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, q.reason)));
	/* the highest both have */
	assert_int_equal(SSL_version(o.s), TLS1_3_VERSION);
	assert_int_equal(lc.matched, 0);
	assert_int_equal(ls.matched, 1);
	assert_string_equal(SSL_get_servername(q.s, TLSEXT_NAMETYPE_host_name), "agw.test");
	tls_leg_up(&ls, q.s);
	tls_leg_describe(&ls, line, sizeof(line));
	assert_string_equal(line, "up TLSv1.3, fingerprint 2 of 2 matched");
	/* no session to resume and no ticket issued: every handshake checks */
	assert_int_equal(SSL_session_reused(o.s), 0);
	assert_int_equal(SSL_SESSION_is_resumable(SSL_get_session(o.s)), 0);
	/* a leg whose memory goes before its SSL: the SSL forgets it */
	tls_leg_detach(q.s);
	assert_null(tls_leg_of(q.s));
	sides_free(&o, &q);
	SSL_CTX_free(ctx);
}

/* One handshake of a leg of ours with p against OpenSSL's peer (srv as
 * our client's server, cli as our server's client): 1 up, -1 refused;
 * *leg says why. */
static int
leg_outcome(SSL_CTX *ours, SSL_CTX *srv, SSL_CTX *cli, enum tls_role role,
	    const struct tls_leg_params *p, struct tls_leg *leg)
{
	struct side o, q;
	int done;

	leg_vs_peer(ours, role == TLS_ROLE_CLIENT ? srv : cli, role, p, leg, &o, &q);
	done = o.done;
	if (done == 1) {
		assert_int_equal(q.done, 1);
		tls_leg_up(leg, o.s);
	} else {
		assert_int_equal(done, -1);
		tls_leg_fail(leg, o.err, o.reason);
		assert_int_equal(peer_alert, SSL_AD_BAD_CERTIFICATE);
	}
	sides_free(&o, &q);
	return done;
}

/*
 * RFC 8122 section 5 through a leg, each role: the peer's certificate (b)
 * is compared with the fingerprints of the strongest hash signalled only.
 * The defect this guards: an AGW leg signalled with the UE's sha-256 (c
 * here) and another certificate's sha-1 (b's) took b.
 */
static void
test_tls_leg_strongest_hash_decides(void **state)
{
	static const enum tls_role roles[] = { TLS_ROLE_CLIENT, TLS_ROLE_SERVER };
	struct certfp b1 = fp_of(cert_b, CERTFP_SHA1), b256 = fp_of(cert_b, CERTFP_SHA256);
	struct certfp b384 = fp_of(cert_b, CERTFP_SHA384), c1 = fp_of(cert_c, CERTFP_SHA1);
	struct certfp c256 = fp_of(cert_c, CERTFP_SHA256), c384 = fp_of(cert_c, CERTFP_SHA384);
	struct certfp c512 = fp_of(cert_c, CERTFP_SHA512);
	struct tp_conf_tls t;
	struct tls_leg leg;
	struct tls_leg_params p;
	SSL_CTX *ours, *srv, *cli;
	char line[512], fps[CERTFP_STR_MAX];

	(void)state;
	conf_tls(&t);
	ours = leg_ctx(&t, false);
	srv = peer_ctx(true, cert_b, key_b, 0);
	cli = peer_ctx(false, cert_b, key_b, 0);
	certfp_format(&b256, fps, sizeof(fps));
	for (unsigned int r = 0; r < 2; r++) {
		/* c's sha-256 and b's sha-1, in either order: b refused */
		p = params1(c256);
		p.fp[1] = b1;
		p.nfp = 2;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_FP_MISMATCH);
		tls_leg_describe(&leg, line, sizeof(line));
		if (strncmp(line, "fingerprint_mismatch: the peer's certificate is ", 48) != 0 ||
		    strstr(line, fps) == NULL ||
		    strstr(line, ", none of the 1 sha-256 signalled; the 1 of a weaker hash "
			   "not compared") == NULL)
			fail_msg("describe: '%s' (want %s, 1 sha-256)", line, fps);
		p.fp[0] = b1;
		p.fp[1] = c256;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_FP_MISMATCH);

		/* b's sha-256 and c's sha-1: b taken by its sha-256 */
		p.fp[0] = b256;
		p.fp[1] = c1;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), 1);
		assert_int_equal(leg.matched, 0);

		/* c's sha-512 and b's sha-256: b refused */
		p.fp[0] = c512;
		p.fp[1] = b256;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_FP_MISMATCH);

		/* two sha-256, c's and b's: two certificates the peer may
		 * use, b taken */
		p.fp[0] = c256;
		p.fp[1] = b256;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), 1);
		assert_int_equal(leg.matched, 1);
		tls_leg_describe(&leg, line, sizeof(line));
		assert_string_equal(line, "up TLSv1.3, fingerprint 2 of 2 matched");

		/* four, mixed: b's sha-1, c's sha-384, b's sha-256, b's
		 * sha-384: b's sha-384 (the fourth) decides */
		p.fp[0] = b1;
		p.fp[1] = c384;
		p.fp[2] = b256;
		p.fp[3] = b384;
		p.nfp = 4;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), 1);
		assert_int_equal(leg.matched, 3);
		/* ...without it: c's sha-384 only, b refused */
		p.nfp = 3;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_FP_MISMATCH);
		tls_leg_describe(&leg, line, sizeof(line));
		if (strstr(line, "none of the 1 sha-384 signalled") == NULL)
			fail_msg("describe: '%s'", line);
	}
	SSL_CTX_free(ours);
	SSL_CTX_free(srv);
	SSL_CTX_free(cli);
}

/* Only sha-1 signalled: refused with a sentence saying so, unless the
 * leg allows it (agw.allow_sha1); allowed, the wrong certificate is
 * still refused. */
static void
test_tls_leg_sha1_only_refused_unless_allowed(void **state)
{
	static const enum tls_role roles[] = { TLS_ROLE_CLIENT, TLS_ROLE_SERVER };
	struct tp_conf_tls t;
	struct tls_leg leg;
	struct tls_leg_params p;
	SSL_CTX *ours, *srv, *cli;
	char line[512];

	(void)state;
	conf_tls(&t);
	ours = leg_ctx(&t, false);
	srv = peer_ctx(true, cert_b, key_b, 0);
	cli = peer_ctx(false, cert_b, key_b, 0);
	for (unsigned int r = 0; r < 2; r++) {
		/* b's sha-1 alone: the right certificate, refused for the hash */
		p = params1(fp_of(cert_b, CERTFP_SHA1));
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_WEAK_FP);
		assert_int_equal(leg.matched, -1);
		tls_leg_describe(&leg, line, sizeof(line));
		assert_string_equal(line, "weak_fingerprint: only sha-1 signalled; "
				    "agw.allow_sha1 is off");
		/* two sha-1, c's and b's: the same */
		p.fp[1] = p.fp[0];
		p.fp[0] = fp_of(cert_c, CERTFP_SHA1);
		p.nfp = 2;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_WEAK_FP);

		/* allowed: taken by it (the second) */
		p.allow_sha1 = true;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), 1);
		assert_int_equal(leg.matched, 1);
		/* allowed, c's sha-1 only: a mismatch as with any hash */
		p.nfp = 1;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_FP_MISMATCH);
		tls_leg_describe(&leg, line, sizeof(line));
		if (strstr(line, "fingerprint_mismatch: the peer's certificate is sha-1 ") ==
		    NULL || strstr(line, "none of the 1 signalled") == NULL)
			fail_msg("describe: '%s'", line);

		/* allowed, beside c's sha-256: sha-1 is still not compared */
		p.fp[0] = fp_of(cert_c, CERTFP_SHA256);
		p.fp[1] = fp_of(cert_b, CERTFP_SHA1);
		p.nfp = 2;
		assert_int_equal(leg_outcome(ours, srv, cli, roles[r], &p, &leg), -1);
		assert_int_equal(leg.why, TLS_FAIL_FP_MISMATCH);
	}
	assert_string_equal(tls_fail_name(TLS_FAIL_WEAK_FP), "weak_fingerprint");
	SSL_CTX_free(ours);
	SSL_CTX_free(srv);
	SSL_CTX_free(cli);
}

/* tls.min_version "1.3" against a TLS 1.2 client: refused; bytes that
 * are not TLS: not_tls; a peer's alert: peer_alert with its name. */
static void
test_tls_leg_refusals_say_why(void **state)
{
	struct tp_conf_tls t;
	struct tls_leg leg;
	struct side o, q;
	struct tls_leg_params p;
	SSL_CTX *ours, *cli12, *srv;
	char line[256];
	BIO *ba, *bb;

	(void)state;
	conf_tls(&t);
	t.min_version = 0x0304;
	ours = leg_ctx(&t, false);
	cli12 = peer_ctx(false, cert_b, key_b, TLS1_2_VERSION);
	p = params1(fp_of(cert_b, CERTFP_SHA256));
	leg_vs_peer(ours, cli12, TLS_ROLE_SERVER, &p, &leg, &o, &q);
	assert_int_equal(o.done, -1);
	assert_int_equal(tls_leg_fail(&leg, o.err, o.reason), TLS_FAIL_REFUSED);
	tls_leg_describe(&leg, line, sizeof(line));
	assert_non_null(strstr(line, "refused: "));
	sides_free(&o, &q);

	/* our client, TLS 1.3 only, against a TLS 1.2 server: its alert */
	srv = peer_ctx(true, cert_b, key_b, TLS1_2_VERSION);
	leg_vs_peer(ours, srv, TLS_ROLE_CLIENT, &p, &leg, &o, &q);
	assert_int_equal(o.done, -1);
	assert_int_equal(tls_leg_fail(&leg, o.err, o.reason), TLS_FAIL_PEER_ALERT);
	assert_int_equal(leg.alert, SSL_AD_PROTOCOL_VERSION);
	tls_leg_describe(&leg, line, sizeof(line));
	assert_string_equal(line, "peer_alert: protocol version (70)");
	sides_free(&o, &q);
	SSL_CTX_free(ours);

	/* an HTTP request to a server leg */
	conf_tls(&t);
	ours = leg_ctx(&t, false);
	memset(&o, 0, sizeof(o));
	o.s = tls_leg_ssl_new(ours, TLS_ROLE_SERVER, &p, &leg);
	assert_int_equal(BIO_new_bio_pair(&ba, 0, &bb, 0), 1);
	SSL_set_bio(o.s, ba, ba);
	assert_int_equal(BIO_write(bb, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27), 27);
	step(&o);
	assert_int_equal(o.done, -1);
	assert_int_equal(tls_leg_fail(&leg, o.err, o.reason), TLS_FAIL_NOT_TLS);
	/* the first reason stays */
	assert_int_equal(tls_leg_fail(&leg, SSL_ERROR_SYSCALL, 0), TLS_FAIL_NOT_TLS);
	SSL_free(o.s);
	BIO_free(bb);
	SSL_CTX_free(ours);
	SSL_CTX_free(cli12);
	SSL_CTX_free(srv);
	ERR_clear_error();
}

/*
 * What one established leg costs in OpenSSL's heap (our side's calls:
 * SSL_new, the handshake, a 16 KB record each way), as a server and as a
 * client, TLS 1.3 and 1.2; bounded.
 */
static long long
leg_bytes(SSL_CTX *ours, SSL_CTX *peer, enum tls_role role, const char *peer_cert)
{
	static uint8_t big[16384], buf[16384];
	struct tls_leg_params p = params1(fp_of(peer_cert, CERTFP_SHA256));
	long long base = ossl_heap_live, used;
	struct tls_leg leg;
	struct side o, q;
	size_t n, got = 0;

	memset(&o, 0, sizeof(o));
	memset(&q, 0, sizeof(q));
	ossl_heap_counting = 1;
	o.s = tls_leg_ssl_new(ours, role, &p, &leg);
	ossl_heap_counting = 0;
	q.s = SSL_new(peer);
	if (role == TLS_ROLE_CLIENT)
		SSL_set_accept_state(q.s);
	else
		SSL_set_connect_state(q.s);
	pair_bio(o.s, q.s);
	for (int i = 0; i < 50 && !(o.done == 1 && q.done == 1); i++) {
		ossl_heap_counting = 1;
		step(&o);
		ossl_heap_counting = 0;
		step(&q);
	}
	assert_int_equal(o.done, 1);
	assert_int_equal(q.done, 1);
	assert_int_equal(SSL_write_ex(q.s, big, sizeof(big), &n), 1);
	ossl_heap_counting = 1;
	while (got < sizeof(big) && SSL_read_ex(o.s, buf, sizeof(buf), &n) == 1)
		got += n;
	assert_int_equal(SSL_write_ex(o.s, big, sizeof(big), &n), 1);
	ossl_heap_counting = 0;
	got = 0;
	while (got < sizeof(big) && SSL_read_ex(q.s, buf, sizeof(buf), &n) == 1)
		got += n;
	assert_int_equal(got, sizeof(big));
	used = ossl_heap_live - base;
	ossl_heap_counting = 1;
	SSL_free(o.s);
	ossl_heap_counting = 0;
	SSL_free(q.s);
	ERR_clear_error();
	return used;
}

static void
test_tls_leg_memory_bounded(void **state)
{
	struct tp_conf_tls t;
	SSL_CTX *ours, *srv13, *srv12, *cli13, *cli12;
	long long s13, s12, c13, c12;

	(void)state;
	conf_tls(&t);
	ours = leg_ctx(&t, false);
	srv13 = peer_ctx(true, cert_b, key_b, 0);
	srv12 = peer_ctx(true, cert_b, key_b, TLS1_2_VERSION);
	cli13 = peer_ctx(false, cert_b, key_b, 0);
	cli12 = peer_ctx(false, cert_b, key_b, TLS1_2_VERSION);
	leg_bytes(ours, cli13, TLS_ROLE_SERVER, cert_b);   /* warm */
	s13 = leg_bytes(ours, cli13, TLS_ROLE_SERVER, cert_b);
	s12 = leg_bytes(ours, cli12, TLS_ROLE_SERVER, cert_b);
	c13 = leg_bytes(ours, srv13, TLS_ROLE_CLIENT, cert_b);
	c12 = leg_bytes(ours, srv12, TLS_ROLE_CLIENT, cert_b);
	printf("# one established leg (OpenSSL's heap, 16 KB records each way): server "
	       "TLS 1.3 %lld bytes, TLS 1.2 %lld; client TLS 1.3 %lld, TLS 1.2 %lld\n",
	       s13, s12, c13, c12);
	/* two 16 KB record buffers, the SSL, the peer's certificate kept */
	assert_true(s13 > 32768 && s13 < 64 * 1024);
	assert_true(s12 > 32768 && s12 < 64 * 1024);
	assert_true(c13 > 32768 && c13 < 64 * 1024);
	assert_true(c12 > 32768 && c12 < 64 * 1024);
	SSL_CTX_free(ours);
	SSL_CTX_free(srv13);
	SSL_CTX_free(srv12);
	SSL_CTX_free(cli13);
	SSL_CTX_free(cli12);
}

static void
test_tls_leg_params_and_cred_checked(void **state)
{
	struct tp_conf_tls t;
	struct tls_leg_params p = params1(fp_of(cert_b, CERTFP_SHA1));
	struct tls_leg leg;
	const char *why;
	SSL_CTX *ctx;
	char longname[300];

	(void)state;
	assert_int_equal(tls_leg_params_check(TLS_ROLE_CLIENT, &p, &why), 0);
	assert_string_equal(why, "");
	assert_int_equal(tls_leg_params_check(TLS_ROLE_NONE, &p, &why), -EINVAL);
	assert_non_null(strstr(why, "role"));
	p.nfp = 0;
	assert_int_equal(tls_leg_params_check(TLS_ROLE_SERVER, &p, &why), -EINVAL);
	assert_non_null(strstr(why, "fingerprint"));
	p.nfp = TLS_LEG_FP_MAX + 1;
	assert_int_equal(tls_leg_params_check(TLS_ROLE_SERVER, &p, &why), -EINVAL);
	p.nfp = 2;                    /* fp[1] is zeros */
	assert_int_equal(tls_leg_params_check(TLS_ROLE_SERVER, &p, &why), -EINVAL);
	assert_non_null(strstr(why, "not a valid"));
	p.nfp = 1;
	p.fp[0].len = 32;             /* sha-1 with sha-256's length */
	assert_int_equal(tls_leg_params_check(TLS_ROLE_SERVER, &p, &why), -EINVAL);
	p = params1(fp_of(cert_b, CERTFP_SHA1));
	p.ops = NULL;
	assert_int_equal(tls_leg_params_check(TLS_ROLE_SERVER, &p, &why), -EINVAL);
	p.ops = &ops;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	p.sni = longname;
	assert_int_equal(tls_leg_params_check(TLS_ROLE_CLIENT, &p, &why), -EINVAL);
	conf_tls(&t);
	ctx = leg_ctx(&t, false);
	assert_null(tls_leg_ssl_new(ctx, TLS_ROLE_CLIENT, &p, &leg));
	SSL_CTX_free(ctx);

	/* credentials: files that are not, a key that is another's */
	assert_null(tls_cred_load("/nonexistent/c.pem", key_b, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
	assert_null(tls_cred_load(key_b, key_b, err, sizeof(err)));
	assert_non_null(strstr(err, "no PEM certificate"));
	assert_null(tls_cred_load(cert_b, cert_b, err, sizeof(err)));
	assert_non_null(strstr(err, "no PEM private key"));
	assert_null(tls_cred_load(cert_b, key_c, err, sizeof(err)));
	assert_non_null(strstr(err, "not the key of the certificate"));
	assert_string_equal(tls_fail_name(TLS_FAIL_FP_MISMATCH), "fingerprint_mismatch");
	assert_string_equal(tls_fail_name(TLS_FAIL__COUNT), "?");
	/* the leg context names a bad setting as the server's does */
	snprintf(t.groups, sizeof(t.groups), "X25519:P-999");
	t.groups_line = 15;
	assert_null(tls_leg_ctx_create(&t, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "15: tls.groups 'X25519:P-999'"));
	ERR_clear_error();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_leg_fingerprints_each_hash_version_role),
		cmocka_unit_test(test_tls_leg_fingerprints_async_provider),
		cmocka_unit_test(test_tls_leg_ours_both_roles_per_leg_cert),
		cmocka_unit_test(test_tls_leg_strongest_hash_decides),
		cmocka_unit_test(test_tls_leg_sha1_only_refused_unless_allowed),
		cmocka_unit_test(test_tls_leg_refusals_say_why),
		cmocka_unit_test(test_tls_leg_params_and_cred_checked),
		cmocka_unit_test(test_tls_leg_memory_bounded),
	};
	int rc;

	/* before OpenSSL allocates anything */
	if (!ossl_heap_install())
		return 1;
	if (!asyncprov_ctx(&alibctx, &apropq))
		return 1;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	tls_libctx_free(alibctx);
	return rc;
}
