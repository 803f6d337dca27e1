/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's DTLS-SRTP peers (perf/run --dtls, issue 68): the UE's side of
 * the RTP calls of tpgen_rtp.c doing a DTLS 1.2 handshake with the relay's
 * termination of each call (dp's, or rtpengine's), on the call's media
 * address, as a WebRTC endpoint does (RFC 5763, RFC 5764): in either role,
 * mutual (our certificate and the relay's), use_srtp with
 * SRTP_AES128_CM_SHA1_80 only, then the keys exported (RFC 5764 section
 * 4.2) and given to the call's SRTP (gen_rtp_set_keys()), so that an RTP
 * run after it sends and checks SRTP under keys no signalling carried.
 *
 * OpenSSL over two memory BIOs a call: a datagram for the call's UE
 * address is written into one, what OpenSSL writes is read from the other,
 * cut into its records and packed into datagrams of at most
 * GEN_DTLS_MTU octets. One certificate for the process: ECDSA P-256, made
 * at the first use (its sha-256 fingerprint answered by `dtlscert`, for
 * the signalling), key exchange on P-256 only (both relays then do the
 * same work whatever they prefer), no session tickets, no resumption:
 * every handshake is a full one, as each WebRTC call's is.
 *
 * `dtlshs` runs n handshakes. As the client (the relay passive) it starts
 * `inflight` at once and another as each ends; as the server (the relay
 * active: its ClientHello comes when its termination is made) it answers
 * each call's ClientHello as it comes, so perf/run sends the command
 * before it makes the calls; with `hold` it keeps each until perf/run
 * writes "go" (the calls made: their pace is not the figure), then answers
 * `inflight` at once. The rate is the handshakes completed over the time
 * from the first datagram answered or sent to the last completion; the
 * time OpenSSL took in our process is summed (the client's busy share:
 * near 1, the client and not the relay bounds the rate).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_random.h>

#include "srtp_ref.h"
#include "tpgen.h"

#define GEN_DTLS_MTU    1200u          /* a datagram's payload at most (dp's) */
#define GEN_DTLS_KM     60u            /* 2 x (16 + 14): AES-CM-128 keys and salts */

enum gen_dtls_state {
	GD_IDLE = 0,
	GD_HELD,                      /* its ClientHello kept (hold) */
	GD_HANDSHAKE,
	GD_DONE,
	GD_FAILED,
};

struct gen_dtls_peer {
	SSL *ssl;
	BIO *rb;                      /* datagrams in (we write them) */
	BIO *wb;                      /* OpenSSL's records out (we read them) */
	uint8_t state;                /* enum gen_dtls_state */
	uint16_t relay_port;          /* where the relay's datagrams come from */
	uint32_t relay_ip;            /* (host order; 0: the call's PORT_A) */
	uint8_t km[GEN_DTLS_KM];      /* the exported keys, until the run's end */
	uint64_t t_start;             /* TSC: our first datagram, or the relay's */
	uint64_t t_sent;              /* TSC: our last datagram (0: answered) */
	uint8_t *held;                /* the relay's ClientHello, kept (hold) */
	uint16_t held_len;
};

struct gen_dtls {
	SSL_CTX *ctx;
	EVP_PKEY *key;
	X509 *cert;
	char fp[8 + 32 * 3];          /* "sha-256 AB:..:EF" */
	struct gen_dtls_peer *peers;  /* one a call */
	uint32_t npeers;
	/* the current (or last) dtlshs */
	bool running;
	bool client;                  /* we are the DTLS client */
	bool hold;                    /* as the server: every ClientHello kept
				       * until perf/run says "go", then
				       * answered inflight at once */
	bool serving;                 /* hold: answering now; a ClientHello
				       * new from here on is answered at once */
	uint32_t nheld;
	uint64_t held_dup;            /* the relay's ClientHello again, kept */
	uint32_t first, n;
	uint64_t t_first, t_last;     /* TSC: the first datagram, the last completion */
	uint64_t ssl_cycles;          /* in OpenSSL's calls */
	uint64_t key_cycles;          /* libsrtp's taking the keys, after */
	uint32_t keys_failed;
	uint32_t done, failed, inflight;
	uint64_t tx, rx, stray, refused, retransmits, peer_ec;
	/* the relay's answers: from our datagram to its next one (TSC),
	 * summed and the longest; each handshake's time */
	uint64_t wait_sum, wait_n, wait_max, hs_sum, hs_max;
	char cipher[64], profile[40], why[200];
};

static int
accept_any(int ok, X509_STORE_CTX *x)
{
	/* (the relay's certificate is self-signed, its fingerprint signalled:
	 * checking it is the relay's side of the figure, not ours) */
	(void)ok;
	(void)x;
	return 1;
}

/* The process's certificate and context. 0 or -errno. */
static int
dtls_create(struct gen *g)
{
	struct gen_dtls *d;
	X509_NAME *name;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (g->dtls != NULL)
		return 0;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->key = EVP_EC_gen("P-256");
	d->cert = X509_new();
	d->ctx = SSL_CTX_new(DTLS_method());
	if (d->key == NULL || d->cert == NULL || d->ctx == NULL)
		goto fail;
	X509_set_version(d->cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(d->cert), (long)(rte_rand() & 0x7fffffff));
	X509_gmtime_adj(X509_getm_notBefore(d->cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(d->cert), 30L * 86400);
	X509_set_pubkey(d->cert, d->key);
	name = X509_get_subject_name(d->cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"tpgen",
				   -1, -1, 0);
	X509_set_issuer_name(d->cert, name);
	if (X509_sign(d->cert, d->key, EVP_sha256()) <= 0 ||
	    X509_digest(d->cert, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		goto fail;
	memcpy(d->fp, "sha-256 ", 8);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(d->fp + 8 + 3 * i, 4, "%02X%s", md[i], i + 1 < mdlen ? ":" : "");
	if (SSL_CTX_set_min_proto_version(d->ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(d->ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(d->ctx, d->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(d->ctx, d->key) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(d->ctx, "SRTP_AES128_CM_SHA1_80") != 0 ||
	    SSL_CTX_set1_groups_list(d->ctx, "P-256") != 1)
		goto fail;
	SSL_CTX_set_verify(d->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
	SSL_CTX_set_options(d->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(d->ctx, SSL_SESS_CACHE_OFF);
	g->dtls = d;
	return 0;
fail:
	SSL_CTX_free(d->ctx);
	X509_free(d->cert);
	EVP_PKEY_free(d->key);
	free(d);
	return -EIO;
}

int
gen_dtls_cert(struct gen *g, FILE *out)
{
	int rc = dtls_create(g);

	if (rc < 0)
		return rc;
	fprintf(out, "{\"fingerprint\":\"%s\",\"key\":\"ECDSA P-256\"}\n", g->dtls->fp);
	fflush(out);
	return 0;
}

static void
peer_free(struct gen_dtls_peer *p)
{
	free(p->held);
	SSL_free(p->ssl);            /* (its BIOs with it) */
	memset(p, 0, sizeof(*p));
}

static void
dtls_free_peers(struct gen_dtls *d)
{
	for (uint32_t i = 0; i < d->npeers; i++)
		peer_free(&d->peers[i]);
}

/* One datagram of call ci's UE to the relay. */
static void
send_dgram(struct gen *g, uint32_t ci, const uint8_t *p, uint16_t len)
{
	uint8_t f[42 + GEN_DTLS_MTU + 64];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(f + 34);
	uint32_t src, dst;
	uint16_t sport, dport;

	if (len > sizeof(f) - 42 || gen_rtp_ue_addr(g, ci, &src, &sport, &dst, &dport) < 0)
		return;
	if (g->dtls->peers[ci].relay_ip != 0) {
		dst = g->dtls->peers[ci].relay_ip;
		dport = g->dtls->peers[ci].relay_port;
	}
	gen_build_udp(g, f, src, sport, dst, dport, len);
	memcpy(f + 42, p, len);
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	for (int tries = 0; tries < 1000; tries++) {
		if (gen_tx_frame(g, 0, f, (uint16_t)(42 + len)) == 0) {
			g->dtls->tx++;
			g->dtls->peers[ci].t_sent = rte_rdtsc();
			return;
		}
		rte_delay_us_block(2);
	}
	g->dtls->refused++;
}

/* What OpenSSL wrote for call ci, its records packed into datagrams. */
static void
flush(struct gen *g, uint32_t ci)
{
	struct gen_dtls_peer *p = &g->dtls->peers[ci];
	static uint8_t buf[65536];
	int got;

	while ((got = BIO_read(p->wb, buf, sizeof(buf))) > 0) {
		uint32_t o = 0, start = 0;

		while (o + 13 <= (uint32_t)got) {
			uint32_t rl = 13u + (uint32_t)(buf[o + 11] << 8 | buf[o + 12]);

			if (o + rl > (uint32_t)got)
				break;
			if (o + rl - start > GEN_DTLS_MTU && o > start) {
				send_dgram(g, ci, buf + start, (uint16_t)(o - start));
				start = o;
			}
			o += rl;
		}
		if (o > start)
			send_dgram(g, ci, buf + start, (uint16_t)(o - start));
	}
}

static void
fail(struct gen_dtls *d, struct gen_dtls_peer *p, uint32_t ci, const char *what)
{
	if (d->why[0] == '\0') {
		unsigned long e = ERR_peek_error();
		char es[120];

		ERR_error_string_n(e, es, sizeof(es));
		snprintf(d->why, sizeof(d->why), "call %u: %s: %s", ci, what, e ? es : "-");
	}
	ERR_clear_error();
	p->state = GD_FAILED;
	d->failed++;
	d->inflight--;
}

/* The handshake of call ci ended well: its keys kept (given to the
 * call's SRTP after the run: libsrtp over NSS takes milliseconds a
 * session here, more than the handshake, and would be the client's
 * bound). */
static void
done(struct gen *g, uint32_t ci)
{
	struct gen_dtls *d = g->dtls;
	struct gen_dtls_peer *p = &d->peers[ci];
	const SRTP_PROTECTION_PROFILE *pr = SSL_get_selected_srtp_profile(p->ssl);
	X509 *pc = SSL_get0_peer_certificate(p->ssl);

	if (pr == NULL || pr->id != SRTP_AES128_CM_SHA1_80) {
		fail(d, p, ci, "no SRTP_AES128_CM_SHA1_80 agreed");
		return;
	}
	if (SSL_export_keying_material(p->ssl, p->km, sizeof(p->km), "EXTRACTOR-dtls_srtp", 19,
				       NULL, 0, 0) != 1) {
		fail(d, p, ci, "the exporter");
		return;
	}
	if (pc != NULL && EVP_PKEY_get_base_id(X509_get0_pubkey(pc)) == EVP_PKEY_EC)
		d->peer_ec++;
	if (d->cipher[0] == '\0') {
		snprintf(d->cipher, sizeof(d->cipher), "%s", SSL_get_cipher_name(p->ssl));
		snprintf(d->profile, sizeof(d->profile), "%s", pr->name);
	}
	p->state = GD_DONE;
	d->done++;
	d->inflight--;
	d->t_last = rte_rdtsc();
	d->hs_sum += d->t_last - p->t_start;
	if (d->t_last - p->t_start > d->hs_max)
		d->hs_max = d->t_last - p->t_start;
}

/* Call ci's exported keys to its SRTP (RFC 5764 section 4.2: client key,
 * server key, client salt, server salt). 0 or -errno. */
static int
install_keys(struct gen *g, uint32_t ci)
{
	struct gen_dtls *d = g->dtls;
	struct gen_dtls_peer *p = &d->peers[ci];
	struct srtp_ref_key ck, sk;
	int rc;

	memset(&ck, 0, sizeof(ck));
	memset(&sk, 0, sizeof(sk));
	ck.suite = sk.suite = SRTP_REF_AES_CM_128_HMAC_SHA1_80;
	memcpy(ck.key, p->km, 16);
	memcpy(sk.key, p->km + 16, 16);
	memcpy(ck.salt, p->km + 32, 14);
	memcpy(sk.salt, p->km + 46, 14);
	memset(p->km, 0, sizeof(p->km));
	rc = d->client ? gen_rtp_set_keys(g, ci, &ck, &sk) : gen_rtp_set_keys(g, ci, &sk, &ck);
	srtp_ref_key_wipe(&ck);
	srtp_ref_key_wipe(&sk);
	return rc;
}

/* Call ci's SSL moved on as far as it can now. */
static void
step(struct gen *g, uint32_t ci)
{
	struct gen_dtls *d = g->dtls;
	struct gen_dtls_peer *p = &d->peers[ci];
	uint64_t t0 = rte_rdtsc();
	uint8_t scratch[2048];
	int r;

	if (p->state == GD_HANDSHAKE) {
		r = SSL_do_handshake(p->ssl);
		if (r == 1) {
			done(g, ci);
		} else {
			int e = SSL_get_error(p->ssl, r);

			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				fail(d, p, ci, "the handshake");
		}
	} else if (p->state == GD_DONE) {
		/* (a retransmitted flight: OpenSSL answers it) */
		(void)SSL_read(p->ssl, scratch, sizeof(scratch));
		ERR_clear_error();
	}
	d->ssl_cycles += rte_rdtsc() - t0;
	if (p->ssl != NULL)
		flush(g, ci);
}

static int
peer_new(struct gen_dtls *d, uint32_t ci)
{
	struct gen_dtls_peer *p = &d->peers[ci];

	p->ssl = SSL_new(d->ctx);
	p->rb = BIO_new(BIO_s_mem());
	p->wb = BIO_new(BIO_s_mem());
	if (p->ssl == NULL || p->rb == NULL || p->wb == NULL) {
		BIO_free(p->rb);
		BIO_free(p->wb);
		SSL_free(p->ssl);
		memset(p, 0, sizeof(*p));
		return -ENOMEM;
	}
	BIO_set_mem_eof_return(p->rb, -1);
	BIO_set_mem_eof_return(p->wb, -1);
	SSL_set_bio(p->ssl, p->rb, p->wb);
	SSL_set_mtu(p->ssl, GEN_DTLS_MTU);
	if (d->client)
		SSL_set_connect_state(p->ssl);
	else
		SSL_set_accept_state(p->ssl);
	p->state = GD_HANDSHAKE;
	p->t_start = rte_rdtsc();
	d->inflight++;
	if (d->t_first == 0)
		d->t_first = rte_rdtsc();
	return 0;
}

void
gen_dtls_input(struct gen *g, uint32_t ci, uint32_t src, uint16_t sport, uint16_t dport,
	       const uint8_t *p, uint16_t len)
{
	struct gen_dtls *d = g->dtls;
	struct gen_dtls_peer *x;
	uint32_t ue, relay;
	uint16_t ue_port, relay_port;

	if (!d->running || ci - d->first >= d->n ||
	    gen_rtp_ue_addr(g, ci, &ue, &ue_port, &relay, &relay_port) < 0 || dport != ue_port) {
		d->stray++;
		return;
	}
	d->rx++;
	x = &d->peers[ci];
	if (x->state == GD_IDLE && d->hold && !d->serving && p[0] == 22) {
		x->held = malloc(len);
		if (x->held == NULL) {
			d->stray++;
			return;
		}
		memcpy(x->held, p, len);
		x->held_len = len;
		x->relay_ip = src;
		x->relay_port = sport;
		x->state = GD_HELD;
		d->nheld++;
		return;
	}
	if (x->state == GD_HELD) {
		d->held_dup++;
		return;
	}
	if (x->state == GD_IDLE) {
		/* the relay is the client: its ClientHello starts ours, and
		 * its source is where we answer (the calls file may not know
		 * the relay's ports yet: the relay sent it as it made them) */
		if (d->client || p[0] != 22 || peer_new(d, ci) < 0) {
			d->stray++;
			return;
		}
		x->relay_ip = src;
		x->relay_port = sport;
	}
	if (x->state == GD_FAILED)
		return;
	if (x->t_sent != 0) {
		uint64_t w = rte_rdtsc() - x->t_sent;

		d->wait_sum += w;
		d->wait_n++;
		if (w > d->wait_max)
			d->wait_max = w;
		x->t_sent = 0;
	}
	BIO_write(x->rb, p, len);
	step(g, ci);
}

/* Whether a line "go" came on stdin (hold's word to answer: nothing else
 * is sent to tpgen while a command runs). */
static bool
go_said(void)
{
	static char buf[8];
	static size_t have;
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char c;

	while (poll(&pfd, 1, 0) > 0 && read(0, &c, 1) == 1) {
		if (c != '\n') {
			if (have < sizeof(buf) - 1)
				buf[have++] = c;
			continue;
		}
		buf[have] = '\0';
		have = 0;
		if (strcmp(buf, "go") == 0)
			return true;
	}
	return false;
}

/* Call ci's kept ClientHello answered: its handshake starts. */
static void
serve_held(struct gen *g, uint32_t ci)
{
	struct gen_dtls *d = g->dtls;
	struct gen_dtls_peer *x = &d->peers[ci];

	x->state = GD_IDLE;
	if (peer_new(d, ci) < 0) {
		x->state = GD_FAILED;
		d->failed++;
	} else {
		BIO_write(x->rb, x->held, x->held_len);
		step(g, ci);
	}
	free(x->held);
	x->held = NULL;
}

int
gen_dtls_run(struct gen *g, bool client, bool hold, uint32_t first, uint32_t n,
	     uint32_t inflight, double timeout, FILE *out)
{
	struct gen_dtls *d;
	uint64_t now, t0, tend, next_timer, t_served = 0;
	uint32_t next, ncalls = gen_rtp_ncalls(g);
	int rc;

	if ((rc = dtls_create(g)) < 0)
		return rc;
	d = g->dtls;
	if (ncalls == 0)
		return -ENOENT;
	if (first >= ncalls || inflight == 0)
		return -EINVAL;
	if (n == 0 || n > ncalls - first)
		n = ncalls - first;
	dtls_free_peers(d);
	if (d->npeers != ncalls) {
		free(d->peers);
		d->peers = calloc(ncalls, sizeof(*d->peers));
		d->npeers = d->peers != NULL ? ncalls : 0;
		if (d->peers == NULL)
			return -ENOMEM;
	}
	d->client = client;
	d->hold = hold && !client;
	d->serving = !d->hold;
	d->nheld = 0;
	d->held_dup = 0;
	d->first = first;
	d->n = n;
	d->t_first = d->t_last = d->ssl_cycles = d->key_cycles = 0;
	d->done = d->failed = d->inflight = d->keys_failed = 0;
	d->tx = d->rx = d->stray = d->refused = d->retransmits = d->peer_ec = 0;
	d->wait_sum = d->wait_n = d->wait_max = d->hs_sum = d->hs_max = 0;
	d->cipher[0] = d->profile[0] = d->why[0] = '\0';
	d->running = true;
	t0 = rte_rdtsc();
	tend = t0 + (uint64_t)(timeout * (double)g->hz);
	next_timer = t0 + g->hz / 1000;
	next = first;
	while (!gen_stop && d->done + d->failed < n) {
		now = rte_rdtsc();
		if (now > tend)
			break;
		/* perf/run's word, once the relay's calls are made and what it
		 * measures read */
		if (!d->serving && now >= next_timer && go_said()) {
			d->serving = true;
			t_served = now;
		}
		while (d->serving && d->hold && d->inflight < inflight &&
		       next < first + n) {
			if (d->peers[next].state == GD_HELD)
				serve_held(g, next);
			next++;
		}
		while (client && d->inflight < inflight && next < first + n) {
			if (peer_new(d, next) < 0) {
				d->peers[next].state = GD_FAILED;
				d->failed++;
			} else {
				step(g, next);
			}
			next++;
		}
		gen_rx_poll(g, now);
		if (now >= next_timer) {
			/* OpenSSL's retransmissions (its timers read the wall clock) */
			next_timer = now + g->hz / 1000;
			for (uint32_t i = first; i < first + n; i++) {
				struct gen_dtls_peer *p = &d->peers[i];
				struct timeval tv;

				if (p->state != GD_HANDSHAKE || DTLSv1_get_timeout(p->ssl, &tv) != 1 ||
				    tv.tv_sec != 0 || tv.tv_usec != 0)
					continue;
				if (DTLSv1_handle_timeout(p->ssl) > 0)
					d->retransmits++;
				flush(g, i);
			}
		}
	}
	d->running = false;
	now = rte_rdtsc();
	for (uint32_t i = first; i < first + n; i++) {
		if (d->peers[i].state == GD_DONE && install_keys(g, i) < 0) {
			if (d->why[0] == '\0')
				snprintf(d->why, sizeof(d->why), "call %u: libsrtp took no key", i);
			d->keys_failed++;
		}
	}
	d->key_cycles = rte_rdtsc() - now;
	{
		double span = d->t_last > d->t_first ? (double)(d->t_last - d->t_first) /
			(double)g->hz : 0;
		double wall = (double)(now - t0) / (double)g->hz;

		fprintf(out, "{\"role\":\"%s\",\"calls\":%u,\"done\":%u,\"failed\":%u,\"keys_failed\":%u,"
			"\"unfinished\":%u,\"secs\":%.6f,\"wall_s\":%.6f,\"per_s\":%.1f,"
			"\"client_ssl_s\":%.6f,\"client_keys_s\":%.6f,\"client_busy\":%.4f,"
			"\"tx\":%" PRIu64 ","
			"\"rx\":%" PRIu64 ",\"stray\":%" PRIu64 ",\"refused\":%" PRIu64 ","
			"\"retransmits\":%" PRIu64 ",\"peer_ec\":%" PRIu64 ",\"cipher\":\"%s\","
			"\"profile\":\"%s\",\"why\":\"%s\",\"relay_wait_ms\":%.3f,"
			"\"relay_wait_max_ms\":%.3f,\"hs_ms\":%.3f,\"hs_max_ms\":%.3f,"
			"\"held\":%u,\"held_dup\":%" PRIu64 ",\"held_s\":%.3f}\n",
			client ? "client" : "server", n, d->done, d->failed, d->keys_failed,
			n - d->done - d->failed, span, wall, span > 0 ? d->done / span : 0,
			(double)d->ssl_cycles / (double)g->hz, (double)d->key_cycles / (double)g->hz,
			span > 0 ? (double)d->ssl_cycles / (double)g->hz / span : 0,
			d->tx, d->rx, d->stray, d->refused, d->retransmits, d->peer_ec,
			d->cipher, d->profile, d->why,
			d->wait_n ? (double)d->wait_sum / (double)d->wait_n * 1e3 / (double)g->hz : 0,
			(double)d->wait_max * 1e3 / (double)g->hz,
			d->done ? (double)d->hs_sum / d->done * 1e3 / (double)g->hz : 0,
			(double)d->hs_max * 1e3 / (double)g->hz, d->nheld, d->held_dup,
			t_served > t0 ? (double)(t_served - t0) / (double)g->hz : 0);
		fflush(out);
	}
	return 0;
}
