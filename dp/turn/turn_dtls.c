/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN over DTLS 1.2 (RFC 7350) on turn.listen_dtls, in the worker that
 * owns the 5-tuple (the flow hash, as for TURN over UDP).
 *
 * A datagram from a 5-tuple without a session is read by
 * dp/tls/dtls_hello.c and nothing is kept for it: not a whole ClientHello,
 * dropped; no cookie or not ours, a HelloVerifyRequest with our cookie
 * (smaller than the ClientHello: no amplification); our cookie, within
 * the worker's and the source's bounds, a session: an SSL from the
 * worker's DTLS context with a BIO of ours (the datagram being read in,
 * each write out as a datagram of its own), DTLSv1_listen() over that
 * ClientHello (OpenSSL checks the cookie again with our callback and sets
 * its sequence numbers after our HelloVerifyRequest), then the handshake.
 *
 * A session that is up decrypts each datagram's records; each record is
 * one STUN message or ChannelData (RFC 7350 §4), copied into an mbuf of
 * its own for TURN's entries with where it came from: transport 17 and
 * the session's id (lib/ipc's IPC_CONN_SLOT_DTLS), so the allocation is
 * keyed by the session and its replies and relayed data come back through
 * turn_dtls_ops (turn_stream.c) into SSL_write(), a datagram a record.
 *
 * The session ends on a close_notify, a fatal alert or a failed record,
 * a handshake not done in TURN_DTLS_HS_MS, silence for TURN_DTLS_IDLE_MS,
 * or no allocation turn.tcp_allocate_timeout after the handshake; its
 * allocation goes with it and cp hears CONN_DOWN (turn_stream_gone()),
 * as for a TLS connection. The handshake's retransmissions are
 * DTLSv1_handle_timeout()'s, from the module's sweep.
 *
 * The BIO and the handshake step are dp/tls/dtls_io.c's (DTLS-SRTP's
 * too); each step is charged to the worker's handshake budget
 * (tls.handshake_budget_us, shared with TLS and DTLS-SRTP): over it, a
 * ClientHello with our cookie makes nothing and a handshake's next flight
 * is dropped (hs_over_budget), the client resends them; records of
 * sessions that are up never wait.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "dtls_hello.h"
#include "dtls_io.h"
#include "ipc.h"
#include "stun.h"
#include "tls_ctx.h"
#include "tp_conf.h"
#include "tp_esc.h"
#include "turn.h"
#include "turn_inlines.h"

/* Sessions a worker holds at most: dp.tcp_max_conns, no more than this
 * (each up session holds an SSL of some 10-20 KB). */
#define TURN_DTLS_MAX 4096u
#define TURN_DTLS_HS_MS 10000u       /* a handshake's whole time */
#define TURN_DTLS_IDLE_MS 600000u    /* silence that ends a session */
#define TURN_DTLS_MTU 1200u          /* DTLS's datagrams (SSL_set_mtu) */
#define TURN_DTLS_SWEEP_MS 10u       /* timers looked at this often */
#define TURN_DTLS_SWEEP_N 256u       /* sessions a look visits at most */

/* The counters (turn_dtls_counters.def): cp's dtls_<name>, the
 * statistics line's <name>. */
enum {
#define TURN_DTLS_CTR(e, n, h) DTLS_CTR_##e,
#include "turn_dtls_counters.def"
#undef TURN_DTLS_CTR
	DTLS_CTR__COUNT
};

static const char *const dtls_ctr_names[DTLS_CTR__COUNT] = {
#define TURN_DTLS_CTR(e, n, h) [DTLS_CTR_##e] = n,
#include "turn_dtls_counters.def"
#undef TURN_DTLS_CTR
};

/* A session's 5-tuple as the table keys it (40 octets, no holes). */
struct dtls_tkey {
	uint8_t family;
	uint8_t in_port;
	uint16_t sport, dport;
	uint8_t pad[2];
	uint8_t src[16];
	uint8_t dst[16];
};

/* A source address as the per-source count keys it. */
struct dtls_skey {
	uint8_t family;
	uint8_t pad[3];
	uint8_t ip[16];
};

struct turn_dtls;

struct dtls_sess {
	SSL *ssl;                    /* NULL: the slot is free */
	struct turn_dtls *d;
	uint64_t id;                 /* lib/ipc's id (IPC_CONN_SLOT_DTLS) */
	struct turn_from from;
	uint64_t born_ms, rx_ms, up_ms;
	struct dtls_io io;           /* the BIO's datagram, our send */
	bool up;                     /* handshake done */
	bool talked;                 /* sent cp something */
	bool had_alloc;
	uint32_t gen;
};

struct turn_dtls {
	struct dp_worker *w;
	SSL_CTX *ctx;
	/* a reload's context (dp_reload.c's thread puts it, the sweep takes
	 * it: sessions made from then on get it, those before keep theirs) */
	SSL_CTX *ctx_next;
	uint64_t reloaded;
	struct dtls_cookie_key key;
	struct dtls_sess *sess;
	uint32_t max, per_source, nsess, nup;
	uint8_t prefix6;             /* turn.tcp_source_prefix6: one IPv6 source */
	uint32_t *free;              /* stack of free slots */
	uint32_t nfree;
	struct rte_hash *by_tuple;   /* struct dtls_tkey -> slot */
	struct rte_hash *by_src;     /* struct dtls_skey -> count position */
	uint16_t *src_count;
	uint32_t sweep_at;
	uint64_t swept_ms;
	uint64_t no_alloc_ms;        /* turn.tcp_allocate_timeout (0: none) */
	uint64_t ctr[DTLS_CTR__COUNT];
};

/* ---- what OpenSSL writes: a datagram to the client --------------------- */

/* The BIO method is held (dtls_io_get()) from the set-up to the end. */
static bool io_held;

static int
sess_send(void *arg, const uint8_t *p, uint16_t len)
{
	struct dtls_sess *s = arg;
	const struct turn_from *f = &s->from;

	if (dp_udp_send(s->d->w, f->family, f->dst, f->dst_port, f->src, f->src_port, p,
			len) < 0) {
		s->d->ctr[DTLS_CTR_SEND_FAILED]++;
		return -EIO;
	}
	return 0;
}

/* ---- the cookie, as OpenSSL's callbacks see it ------------------------ */

static void
sess_peer(const struct dtls_sess *s, uint8_t peer[DTLS_PEER_LEN])
{
	dtls_cookie_peer(peer, s->from.family, s->from.src, s->from.src_port, s->from.dst,
			 s->from.dst_port);
}

static int
cookie_gen(SSL *ssl, unsigned char *c, unsigned int *len)
{
	struct dtls_sess *s = SSL_get_app_data(ssl);
	uint8_t peer[DTLS_PEER_LEN];

	if (s == NULL)
		return 0;
	sess_peer(s, peer);
	if (dtls_cookie_make(&s->d->key, peer, c) < 0)
		return 0;
	*len = DTLS_COOKIE_LEN;
	return 1;
}

static int
cookie_verify(SSL *ssl, const unsigned char *c, unsigned int len)
{
	struct dtls_sess *s = SSL_get_app_data(ssl);
	uint8_t peer[DTLS_PEER_LEN];

	if (s == NULL)
		return 0;
	sess_peer(s, peer);
	return dtls_cookie_ok(&s->d->key, peer, c, len) ? 1 : 0;
}

/* ---- sessions --------------------------------------------------------- */

static void
tkey_of(struct dtls_tkey *k, const struct turn_from *f)
{
	memset(k, 0, sizeof(*k));
	k->family = f->family;
	k->in_port = f->in_port;
	k->sport = f->src_port;
	k->dport = f->dst_port;
	memcpy(k->src, f->src, 16);
	memcpy(k->dst, f->dst, 16);
}

/* One source, as TCP counts them (dp/tcp's src_key()): an IPv4 address,
 * an IPv6 address's first turn.tcp_source_prefix6 bits (a subscriber's
 * /64 holds addresses enough for one each session: counted per address,
 * one /64 fills the worker's sessions). */
static void
skey_of(const struct turn_dtls *d, struct dtls_skey *k, const struct turn_from *f)
{
	unsigned int plen = d->prefix6;

	memset(k, 0, sizeof(*k));
	k->family = f->family;
	memcpy(k->ip, f->src, 16);
	if (f->family != NET_AF_IPV6 || plen == 0 || plen >= 128)
		return;
	if (plen % 8 != 0)
		k->ip[plen / 8] &= (uint8_t)(0xffu << (8 - plen % 8));
	memset(k->ip + (plen + 7) / 8, 0, 16 - (plen + 7) / 8);
}

static struct dtls_sess *
sess_by_id(struct turn_dtls *d, uint64_t id)
{
	uint32_t slot = ipc_conn_slot(id) & ~IPC_CONN_SLOT_DTLS;

	if (slot >= d->max || d->sess[slot].ssl == NULL || d->sess[slot].id != id)
		return NULL;
	return &d->sess[slot];
}

/* End s: its allocation goes, cp hears of it when it talked; a clean end
 * (close_notify from the client, or ours) says goodbye first. */
static void
sess_end(struct turn_dtls *d, struct dtls_sess *s, uint32_t reason, bool notify)
{
	struct dtls_tkey tk;
	struct dtls_skey sk;
	int32_t pos;

	if (notify && s->up)
		(void)SSL_shutdown(s->ssl);
	turn_stream_gone(d->w, &s->from, reason, s->talked);
	tkey_of(&tk, &s->from);
	(void)rte_hash_del_key(d->by_tuple, &tk);
	skey_of(d, &sk, &s->from);
	pos = rte_hash_lookup(d->by_src, &sk);
	if (pos >= 0 && d->src_count[pos] > 0 && --d->src_count[pos] == 0)
		(void)rte_hash_del_key(d->by_src, &sk);
	SSL_free(s->ssl);
	s->ssl = NULL;
	s->id = 0;
	if (s->up)
		d->nup--;
	d->nsess--;
	d->free[d->nfree++] = (uint32_t)(s - d->sess);
}

/* A decrypted record: one STUN message or ChannelData (RFC 7350 §4),
 * copied into an mbuf of its own for TURN's entries. */
static void
sess_deliver(struct turn_dtls *d, struct dtls_sess *s, const uint8_t *p, int n)
{
	struct dp_worker *w = d->w;
	struct rte_mbuf *m;
	struct turn_in in;
	char *dst;

	d->ctr[DTLS_CTR_RECORDS_IN]++;
	if (n < 4)
		return;
	m = dp_alloc(w);
	if (m == NULL) {
		d->ctr[DTLS_CTR_NOMEM]++;
		return;
	}
	dst = rte_pktmbuf_append(m, (uint16_t)n);
	if (dst == NULL) {
		rte_pktmbuf_free(m);
		d->ctr[DTLS_CTR_NOMEM]++;
		return;
	}
	memcpy(dst, p, (size_t)n);
	in = (struct turn_in){ .m = m, .udp = NULL, .off = 0, .len = (uint16_t)n };
	if (stun_demux_first_byte(p[0]) == STUN_FRAME_CHDATA) {
		turn_client_chdata(w, &s->from, &in);
	} else {
		if (turn_client_stun(w, &s->from, &in))
			s->talked = true;
	}
}

/* Drive s after its BIO was given a datagram: the handshake, then every
 * record in it. */
static void
sess_run(struct turn_dtls *d, struct dtls_sess *s)
{
	uint8_t buf[2048];
	uint64_t id = s->id;
	int r;

	if (!s->up) {
		int e, why;

		switch (dtls_io_step(d->w, s->ssl, &e, &why)) {
		case DTLS_STEP_WANT:
		case DTLS_STEP_ASYNC:     /* (no async in TURN's DTLS context) */
		case DTLS_STEP_NOJOB:
			return;
		case DTLS_STEP_FAIL:
			d->ctr[DTLS_CTR_HS_FAILED]++;
			sess_end(d, s, IPC_CONN_ABORTED, false);
			return;
		case DTLS_STEP_UP:
			break;
		}
		s->up = true;
		s->up_ms = d->w->now_ms;
		d->nup++;
		d->ctr[DTLS_CTR_HANDSHAKES]++;
	}
	/* bounded: a datagram holds at most as many records as fit it */
	for (unsigned int i = 0; i < 64; i++) {
		r = SSL_read(s->ssl, buf, sizeof(buf));
		if (r > 0) {
			sess_deliver(d, s, buf, r);
			/* (TURN's answer may have ended it: its id says) */
			if (s->id != id)
				return;
			continue;
		}
		switch (SSL_get_error(s->ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			break;
		case SSL_ERROR_ZERO_RETURN:
			d->ctr[DTLS_CTR_CLOSE_NOTIFY]++;
			sess_end(d, s, IPC_CONN_CLOSED, true);
			return;
		default:
			d->ctr[DTLS_CTR_BAD_RECORD]++;
			ERR_clear_error();
			sess_end(d, s, IPC_CONN_ABORTED, false);
			return;
		}
		break;
	}
}

/* A ClientHello with our cookie from f: a session, if the bounds allow. */
static void
sess_new(struct turn_dtls *d, const struct turn_from *f, const struct dtls_tkey *tk,
	 const uint8_t *p, uint16_t len)
{
	struct dp_worker *w = d->w;
	struct dtls_skey sk;
	struct dtls_sess *s;
	BIO_ADDR *addr;
	BIO *bio;
	uint32_t slot;
	int32_t pos;
	int r;

	if (d->nfree == 0) {
		d->ctr[DTLS_CTR_REFUSED_FULL]++;
		return;
	}
	/* the worker's handshake budget spent: nothing made (the client
	 * resends its ClientHello, the cookie still good) */
	if (!dp_hs_room(w)) {
		d->ctr[DTLS_CTR_HS_BUDGET]++;
		return;
	}
	skey_of(d, &sk, f);
	pos = rte_hash_lookup(d->by_src, &sk);
	if (pos >= 0 && d->src_count[pos] >= d->per_source) {
		d->ctr[DTLS_CTR_REFUSED_SOURCE]++;
		return;
	}
	slot = d->free[d->nfree - 1];
	s = &d->sess[slot];
	memset(s, 0, offsetof(struct dtls_sess, gen));
	s->d = d;
	s->from = *f;
	s->gen = s->gen + 1 == 0 ? 1 : s->gen + 1;
	s->id = ipc_conn_make(w->id, slot | IPC_CONN_SLOT_DTLS, s->gen);
	s->from.conn_id = s->id;
	s->born_ms = s->rx_ms = w->now_ms;
	s->io.send = sess_send;
	s->io.arg = s;
	s->ssl = SSL_new(d->ctx);
	bio = dtls_io_bio(&s->io);
	addr = BIO_ADDR_new();
	if (s->ssl == NULL || bio == NULL || addr == NULL) {
		BIO_free(bio);
		BIO_ADDR_free(addr);
		SSL_free(s->ssl);
		s->ssl = NULL;
		d->ctr[DTLS_CTR_NOMEM]++;
		return;
	}
	SSL_set_bio(s->ssl, bio, bio);
	SSL_set_app_data(s->ssl, s);
	SSL_set_mtu(s->ssl, TURN_DTLS_MTU);
	dtls_io_give(&s->io, p, len);
	r = DTLSv1_listen(s->ssl, addr);
	BIO_ADDR_free(addr);
	if (r != 1) {
		d->ctr[DTLS_CTR_LISTEN_FAILED]++;
		ERR_clear_error();
		SSL_free(s->ssl);
		s->ssl = NULL;
		return;
	}
	if (rte_hash_add_key_data(d->by_tuple, tk, (void *)(uintptr_t)slot) < 0 ||
	    (pos = rte_hash_add_key(d->by_src, &sk)) < 0) {
		(void)rte_hash_del_key(d->by_tuple, tk);
		SSL_free(s->ssl);
		s->ssl = NULL;
		d->ctr[DTLS_CTR_NOMEM]++;
		return;
	}
	d->src_count[pos]++;
	d->nfree--;
	d->nsess++;
	d->ctr[DTLS_CTR_SESSIONS]++;
	sess_run(d, s);
}

/* No session: the stateless front. */
static void
stateless(struct turn_dtls *d, const struct turn_from *f, const struct dtls_tkey *tk,
	  const uint8_t *p, uint16_t len)
{
	struct dtls_hello h;
	uint8_t peer[DTLS_PEER_LEN], cookie[DTLS_COOKIE_LEN], hvr[DTLS_HVR_LEN];
	size_t n;

	if (dtls_hello_parse(p, len, &h) != DTLS_HELLO_OK) {
		d->ctr[DTLS_CTR_NOT_HELLO]++;
		return;
	}
	(void)dtls_cookie_key_tick(&d->key, dtls_cookie_slot(d->w->now_ms / 1000));
	dtls_cookie_peer(peer, f->family, f->src, f->src_port, f->dst, f->dst_port);
	if (h.cookie_len != 0 && dtls_cookie_ok(&d->key, peer, h.cookie, h.cookie_len)) {
		d->ctr[DTLS_CTR_COOKIE_OK]++;
		sess_new(d, f, tk, p, len);
		return;
	}
	if (h.cookie_len != 0)
		d->ctr[DTLS_CTR_COOKIE_BAD]++;
	if (dtls_cookie_make(&d->key, peer, cookie) < 0)
		return;
	n = dtls_hvr_build(hvr, sizeof(hvr), &h, cookie, sizeof(cookie));
	if (n == 0)
		return;
	d->ctr[DTLS_CTR_HVR_SENT]++;
	if (dp_udp_send(d->w, f->family, f->dst, f->dst_port, f->src, f->src_port, hvr,
			(uint16_t)n) < 0)
		d->ctr[DTLS_CTR_SEND_FAILED]++;
}

/* The UDP listener of turn.listen_dtls (checksum verified by dp). */
static void
turn_dtls_input(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta,
		void *arg)
{
	struct turn_dtls *d = w->turn != NULL ? w->turn->dtls : NULL;
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->payload_off);
	struct turn_from f;
	struct dtls_tkey tk;
	void *data;

	(void)arg;
	if (d == NULL || rte_pktmbuf_data_len(m) < meta->payload_off + meta->payload_len) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.transport = STUN_TRANSPORT_UDP;
	f.family = meta->family;
	f.in_port = meta->in_port;
	f.src_port = meta->src_port;
	f.dst_port = meta->dst_port;
	memcpy(f.src, meta->src, 16);
	memcpy(f.dst, meta->dst, 16);
	tkey_of(&tk, &f);
	if (rte_hash_lookup_data(d->by_tuple, &tk, &data) < 0) {
		stateless(d, &f, &tk, p, meta->payload_len);
	} else {
		struct dtls_sess *s = &d->sess[(uintptr_t)data];

		/* a handshake's next step waits for room in the budget (the
		 * client resends this flight); records of sessions up never */
		if (!s->up && !dp_hs_room(w)) {
			d->ctr[DTLS_CTR_HS_BUDGET]++;
			rte_pktmbuf_free(m);
			return;
		}
		dtls_io_give(&s->io, p, meta->payload_len);
		s->rx_ms = w->now_ms;
		sess_run(d, s);
		dtls_io_done(&s->io);
	}
	rte_pktmbuf_free(m);
}

/* ---- what TURN writes ------------------------------------------------- */

static int
dtls_write(struct dp_worker *w, uint64_t id, const uint8_t *buf, uint16_t len)
{
	struct turn_dtls *d = w->turn->dtls;
	struct dtls_sess *s = d != NULL ? sess_by_id(d, id) : NULL;
	int r;

	if (s == NULL || !s->up) {
		if (d != NULL)
			d->ctr[DTLS_CTR_WRITE_FAILED]++;
		return -ENOTCONN;
	}
	r = SSL_write(s->ssl, buf, len);
	if (r != (int)len) {
		ERR_clear_error();
		d->ctr[DTLS_CTR_WRITE_FAILED]++;
		return -EIO;
	}
	d->ctr[DTLS_CTR_RECORDS_OUT]++;
	return 0;
}

static int
dtls_write_mbuf(struct dp_worker *w, uint64_t id, struct rte_mbuf *m)
{
	uint8_t buf[2048];
	const uint8_t *p;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	int rc;

	if (len > sizeof(buf) || len > UINT16_MAX) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	p = rte_pktmbuf_read(m, 0, len, buf);
	rc = p != NULL ? dtls_write(w, id, p, (uint16_t)len) : -EINVAL;
	rte_pktmbuf_free(m);
	return rc;
}

static bool
dtls_live(struct dp_worker *w, uint64_t id)
{
	struct turn_dtls *d = w->turn->dtls;
	struct dtls_sess *s = d != NULL ? sess_by_id(d, id) : NULL;

	return s != NULL && s->up;
}

static const struct turn_stream_io dtls_io = {
	.write = dtls_write,
	.write_mbuf = dtls_write_mbuf,
	.live = dtls_live,
	.answered = NULL,
};

/* ---- timers: handshake retransmission and expiry ------------------------ */

static unsigned int
turn_dtls_sweep(struct dp_worker *w, uint64_t tsc)
{
	struct turn_dtls *d = w->turn != NULL ? w->turn->dtls : NULL;
	uint64_t now = w->now_ms;
	unsigned int n = 0;

	(void)tsc;
	if (d == NULL)
		return 0;
	if (unlikely(__atomic_load_n(&d->ctx_next, __ATOMIC_RELAXED) != NULL)) {
		SSL_CTX *next = __atomic_exchange_n(&d->ctx_next, NULL, __ATOMIC_ACQ_REL);

		if (next != NULL) {
			tls_ctx_free(d->ctx);
			d->ctx = next;
			d->reloaded++;
		}
	}
	if (d->nsess == 0 || now - d->swept_ms < TURN_DTLS_SWEEP_MS)
		return 0;
	d->swept_ms = now;
	for (unsigned int i = 0; i < TURN_DTLS_SWEEP_N && i < d->max; i++) {
		struct dtls_sess *s = &d->sess[d->sweep_at];

		d->sweep_at = d->sweep_at + 1 == d->max ? 0 : d->sweep_at + 1;
		if (s->ssl == NULL)
			continue;
		n++;
		if (!s->up) {
			if (now - s->born_ms > TURN_DTLS_HS_MS) {
				d->ctr[DTLS_CTR_HS_TIMEOUT]++;
				sess_end(d, s, IPC_CONN_TIMEOUT, false);
				continue;
			}
			if (DTLSv1_handle_timeout(s->ssl) > 0)
				d->ctr[DTLS_CTR_RETRANSMITS]++;
			continue;
		}
		if (now - s->rx_ms > TURN_DTLS_IDLE_MS) {
			d->ctr[DTLS_CTR_IDLE]++;
			sess_end(d, s, IPC_CONN_TIMEOUT, true);
			continue;
		}
		if (d->no_alloc_ms != 0 && now - s->up_ms > d->no_alloc_ms) {
			bool has = turn_stream_has_alloc(w, &s->from);

			if (has) {
				s->had_alloc = true;
			} else if (!s->had_alloc || now - s->rx_ms > d->no_alloc_ms) {
				/* never allocated in time, or its allocation
				 * ended (it expired) and the client is silent */
				d->ctr[DTLS_CTR_NO_ALLOC]++;
				sess_end(d, s, IPC_CONN_TIMEOUT, true);
			}
		}
	}
	return n;
}

/* ---- set-up ----------------------------------------------------------- */

static void
dtls_free_one(struct turn_dtls *d)
{
	if (d == NULL)
		return;
	for (uint32_t i = 0; d->sess != NULL && i < d->max; i++)
		if (d->sess[i].ssl != NULL)
			SSL_free(d->sess[i].ssl);
	rte_hash_free(d->by_tuple);
	rte_hash_free(d->by_src);
	rte_free(d->src_count);
	rte_free(d->free);
	rte_free(d->sess);
	dtls_cookie_key_free(&d->key);
	if (d->ctx != NULL)
		tls_ctx_free(d->ctx);
	if (d->ctx_next != NULL)
		tls_ctx_free(d->ctx_next);
	rte_free(d);
}

static int
dtls_worker_init(struct dp_worker *w)
{
	const struct tp_conf *conf = w->ctx->conf;
	struct turn_dtls *d;
	char name[RTE_HASH_NAMESIZE], err[512];
	struct rte_hash_parameters hp = { .hash_func = rte_jhash, .socket_id = SOCKET_ID_ANY };
	int rc;

	d = rte_zmalloc("turn_dtls", sizeof(*d), RTE_CACHE_LINE_SIZE);
	if (d == NULL)
		return -ENOMEM;
	d->w = w;
	d->max = conf->dp.tcp_max_conns < TURN_DTLS_MAX ? conf->dp.tcp_max_conns : TURN_DTLS_MAX;
	if (d->max < 8)
		d->max = 8;
	d->per_source = conf->turn.tcp_per_source != 0 ? conf->turn.tcp_per_source : d->max;
	/* (fixed for the worker's life: a session's count is found again
	 * by the key it was counted under) */
	d->prefix6 = (uint8_t)conf->turn.tcp_source_prefix6;
	d->no_alloc_ms = (uint64_t)conf->turn.tcp_allocate_timeout_s * 1000u;
	dp_hs_budget_set(w, conf->tls.handshake_budget_us);
	d->ctx = dtls_ctx_create(&conf->tls, NULL, NULL, cookie_gen, cookie_verify, err,
				 sizeof(err));
	if (d->ctx == NULL) {
		tp_log(TP_LOG_ERR, "%s:%s\n", conf->path, err);
		rc = -EINVAL;
		goto fail;
	}
	if (dtls_cookie_key_init(&d->key, NULL, dtls_cookie_slot(w->now_ms / 1000)) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	d->sess = rte_zmalloc("turn_dtls_sess", sizeof(*d->sess) * d->max, RTE_CACHE_LINE_SIZE);
	d->free = rte_malloc("turn_dtls_free", sizeof(*d->free) * d->max, 0);
	d->src_count = rte_zmalloc("turn_dtls_src", sizeof(*d->src_count) * d->max * 2, 0);
	if (d->sess == NULL || d->free == NULL || d->src_count == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < d->max; i++)
		d->free[d->nfree++] = d->max - 1 - i;
	snprintf(name, sizeof(name), "dtls_t%u", w->id);
	hp.name = name;
	hp.entries = d->max * 2;
	hp.key_len = sizeof(struct dtls_tkey);
	d->by_tuple = rte_hash_create(&hp);
	snprintf(name, sizeof(name), "dtls_s%u", w->id);
	hp.name = name;
	hp.key_len = sizeof(struct dtls_skey);
	d->by_src = rte_hash_create(&hp);
	if (d->by_tuple == NULL || d->by_src == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = turn_dtls_attach(w, &dtls_io, d->max);
	if (rc < 0)
		goto fail;
	w->turn->dtls = d;
	return 0;
fail:
	dtls_free_one(d);
	return rc;
}

static int
turn_dtls_setup(struct dp_ctx *ctx)
{
	const struct tp_conf_turn *tc = &ctx->conf->turn;
	char e[512];   /* the certificate's path, escaped as tp_log() would */
	int rc;

	if (!tc->enabled || tc->nlisten_dtls == 0)
		return 0;
	if (dtls_io_get() < 0)
		return -ENOMEM;
	io_held = true;
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		rc = dtls_worker_init(ctx->workers[i]);
		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < tc->nlisten_dtls; i++) {
		rc = dp_udp_register(ctx, tc->listen_dtls[i], turn_dtls_input, NULL, NULL,
				     DP_OWNER_FLOW, false);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "%s:%d: turn.listen_dtls: cannot listen "
				"on UDP %u: %s\n", ctx->conf->path, tc->listen_dtls_line,
				tc->listen_dtls[i], strerror(-rc));
			return rc;
		}
	}
	printf("turnpike-dp: TURN on DTLS");
	for (unsigned int i = 0; i < tc->nlisten_dtls; i++)
		printf("%s%u", i ? ", " : " ", tc->listen_dtls[i]);
	printf(" (DTLS 1.2, certificate %s, %u sessions per worker, %u per source)\n",
	       tp_esc_logs(ctx->conf->tls.cert.certificate, e, sizeof(e)),
	       ctx->workers[0]->turn->dtls->max,
	       ctx->workers[0]->turn->dtls->per_source);
	return 1;
}

static void
turn_dtls_fini(struct dp_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];

		if (w == NULL || w->turn == NULL || w->turn->dtls == NULL)
			continue;
		dtls_free_one(w->turn->dtls);
		w->turn->dtls = NULL;
	}
	if (io_held) {
		io_held = false;
		dtls_io_put();
	}
}

/* A reload (dp_reload.c's thread): each worker's new DTLS context from
 * the file's tls group, all or none; the workers take them at their next
 * sweep. Sessions made before keep the context they were made with. */
static int
turn_dtls_reload(struct dp_ctx *ctx, struct tp_conf *next)
{
	SSL_CTX *made[DP_MAX_WORKERS] = { NULL };
	char err[768];
	unsigned int n = 0;

	if (!next->tls.enabled || next->turn.nlisten_dtls == 0)
		return 0;
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		const struct dp_worker *w = ctx->workers[i];

		if (w->turn == NULL || w->turn->dtls == NULL)
			continue;
		made[i] = dtls_ctx_create(&next->tls, NULL, NULL, cookie_gen, cookie_verify, err,
					  sizeof(err));
		if (made[i] == NULL) {
			tp_log(TP_LOG_ERR, "reload: %s:%s (TURN over DTLS keeps its "
			       "certificate)\n", next->path, err);
			for (unsigned int k = 0; k < i; k++)
				if (made[k] != NULL)
					tls_ctx_free(made[k]);
			return -EINVAL;
		}
		n++;
	}
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		SSL_CTX *old;

		if (made[i] == NULL)
			continue;
		old = __atomic_exchange_n(&ctx->workers[i]->turn->dtls->ctx_next, made[i],
					  __ATOMIC_ACQ_REL);
		if (old != NULL)
			tls_ctx_free(old);
	}
	if (n > 0)
		tp_log(TP_LOG_NOTICE, "reload: TURN over DTLS serves tls.certificate '%s' on "
		       "%u worker(s) from now on; sessions made before keep theirs\n",
		       next->tls.cert.certificate, n);
	return 0;
}

/* The statistics line: sessions (all, up), the table's occupancy (of
 * max), the sources holding any, the cookie's rotations, the counters. */
static void
turn_dtls_print(const struct dp_worker *w, FILE *out)
{
	const struct turn_dtls *d = w->turn != NULL ? w->turn->dtls : NULL;

	if (d == NULL)
		return;
	fprintf(out, "dtls worker=%u sessions=%u up=%u max=%u per_source=%u sources=%d "
		"cookie_rotations=%" PRIu64 " ctx_reloaded=%" PRIu64, w->id, d->nsess, d->nup,
		d->max, d->per_source, rte_hash_count(d->by_src), d->key.rotations, d->reloaded);
	for (unsigned int k = 0; k < DTLS_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, dtls_ctr_names[k], d->ctr[k]);
	fputc('\n', out);
}

/* ---- counters to cp (dp_ctrs.h) ---------------------------------------- */

static void
turn_dtls_values(const struct dp_worker *w, uint64_t *out)
{
	const struct turn_dtls *d = w->turn != NULL ? w->turn->dtls : NULL;

	for (unsigned int k = 0; k < DTLS_CTR__COUNT; k++)
		out[k] = d != NULL ? d->ctr[k] : 0;
}

static const struct dp_ctrs_desc turn_dtls_desc[DTLS_CTR__COUNT] = {
#define TURN_DTLS_CTR(e, n, h) [DTLS_CTR_##e] = { n, DP_CTRS_COUNTER, h },
#include "turn_dtls_counters.def"
#undef TURN_DTLS_CTR
};

static const struct dp_ctrs_family turn_dtls_ctrs = {
	.name = "turn_dtls", .prefix = "dtls_",
	.help = "TURN over DTLS (turn_dtls_counters.def): cookies, sessions, handshakes, "
		"records, ends by reason",
	.desc = turn_dtls_desc, .n = DTLS_CTR__COUNT, .values = turn_dtls_values,
};

static const struct dp_ctrs_family *const turn_dtls_families[] = { &turn_dtls_ctrs, NULL };

const struct dp_module turn_dtls_module = {
	.name = "turn_dtls",
	.setup = turn_dtls_setup,
	.sweep = turn_dtls_sweep,
	.print = turn_dtls_print,
	.reload = turn_dtls_reload,
	.fini = turn_dtls_fini,
	.ctrs = turn_dtls_families,
};
