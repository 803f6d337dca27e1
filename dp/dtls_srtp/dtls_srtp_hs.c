/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DTLS-SRTP handshake's life (dtls_srtp_private.h): an entry of the
 * worker's pool with its SSL (dtls_srtp_ctx_create()'s context, a leg for
 * the fingerprint check, dtls_io's BIO), started as server on a ClientHello
 * that passed the gates or as client towards a checked source, stepped
 * per datagram within the worker's handshake budget, retransmitted and
 * bounded by its deadline on the worker's timer wheel (RFC 6347 §4.2.4:
 * 1 s doubling, capped here at 4 s a step), ended with its keys exported
 * (RFC 5764 §4.2) and installed, or held for the answer's fingerprints
 * when we offered actpass (RFC 5763 §5), or with why it failed; then the
 * SSL lingers to resend our last flight should the peer ask, until SRTP
 * under the new keys shows the peer has it, or the linger ends.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp.h"
#include "dtls_srtp_private.h"
#include "dtls_srtp_ssl.h"
#include "tls_async_job.h"
#include "tw.h"

/* A leg's callbacks are the TCP transport's; ours reads the leg itself. */
static void
leg_noop(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why)
{
	(void)w;
	(void)id;
	(void)arg;
	(void)why;
}

static const struct tls_leg_ops leg_ops = { .handshake = leg_noop };

/* OpenSSL's retransmission timer (DTLS_set_timer_cb): 1 s, doubling, at
 * most DTLS_SRTP_RETX_MAX_US (RFC 6347 §4.2.4.1 allows 60 s; a call's
 * set-up does not wait that long). */
static unsigned int
retx_us(SSL *s, unsigned int us)
{
	(void)s;
	if (us == 0)
		return 1000000u;
	return us >= DTLS_SRTP_RETX_MAX_US / 2 ? DTLS_SRTP_RETX_MAX_US : us * 2;
}

/* What OpenSSL writes: a datagram from the termination's address to the
 * peer. */
static int
hs_send(void *arg, const uint8_t *p, uint16_t len)
{
	struct dtls_hs *h = arg;

	if (dp_udp_send(h->ds->w, h->local.family, h->local.ip, h->local.port, h->peer.ip,
			h->peer.port, p, len) < 0) {
		h->ds->ctr[DTLS_SRTP_CTR_SEND_FAILED]++;
		return -EIO;
	}
	return 0;
}

/* ---- lists of entries: the lingering one (oldest first: the first to go
 * for a new handshake when the pool is empty), the job-wait one (first in
 * first out). A link is at off in the entry. ---- */

static struct dsh_link *
link_of(struct dtls_hs *h, size_t off)
{
	return (struct dsh_link *)(void *)((char *)h + off);
}

static void
list_add(struct dtls_srtp_worker *ds, struct dsh_list *l, size_t off, struct dtls_hs *h)
{
	uint32_t i = dsh_index(ds, h) + 1;
	struct dsh_link *k = link_of(h, off);

	k->prev = l->tail;
	k->next = 0;
	if (l->tail != 0)
		link_of(&ds->pool[l->tail - 1], off)->next = i;
	else
		l->head = i;
	l->tail = i;
	l->n++;
}

static void
list_del(struct dtls_srtp_worker *ds, struct dsh_list *l, size_t off, struct dtls_hs *h)
{
	uint32_t i = dsh_index(ds, h) + 1;
	struct dsh_link *k = link_of(h, off);

	if (k->prev == 0 && k->next == 0 && l->head != i)
		return;                   /* not on it */
	if (k->prev != 0)
		link_of(&ds->pool[k->prev - 1], off)->next = k->next;
	else
		l->head = k->next;
	if (k->next != 0)
		link_of(&ds->pool[k->next - 1], off)->prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = 0;
	l->n--;
}

#define LINGER_OFF offsetof(struct dtls_hs, linger)
#define JW_OFF     offsetof(struct dtls_hs, jw)

/* ---- the pool ----------------------------------------------------------- */

static void hs_timer(struct tw_timer *tm, void *arg);

/* h's SSL goes (the entry may stay: HELD keeps its keys). One whose
 * async job is paused becomes an orphan: cut from h (its app data the
 * orphans' mark, no leg, its BIO reaching nothing), freed when the job
 * ends (dsh_async_poll()): freed now, the job would run on freed memory. */
static void
hs_ssl_free(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	list_del(ds, &ds->lingering, LINGER_OFF, h);
	if (h->async == DTLS_HS_A_PARKED)
		ds->nparked--;
	else if (h->async == DTLS_HS_A_NOJOB)
		list_del(ds, &ds->jobwait, JW_OFF, h);
	h->async = DTLS_HS_A_NONE;
	if (h->ssl == NULL)
		return;
	tls_leg_detach(h->ssl);
	if (SSL_waiting_for_async(h->ssl)) {
		SSL_set_app_data(h->ssl, &ds->norphans);
		dtls_io_detach(h->ssl);
		ds->norphans++;
		ds->ctr[DTLS_SRTP_CTR_ASYNC_ORPHANS]++;
	} else {
		SSL_set_app_data(h->ssl, NULL);
		SSL_free(h->ssl);
	}
	h->ssl = NULL;
	dtls_io_done(&h->io);
}

void
dsh_free(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	struct dtls_term *t = &ds->terms[h->term];
	uint32_t i = dsh_index(ds, h);

	if (h->state == DTLS_HS_FREE)
		return;
	if (t->hs == i + 1)
		t->hs = 0;
	tw_del(&ds->wheel, &h->timer);
	hs_ssl_free(ds, h);
	if (h->state == DTLS_HS_HELD)
		ds->nheld--;
	tls_leg_release(&h->leg);
	OPENSSL_cleanse(&h->rx, sizeof(h->rx));
	OPENSSL_cleanse(&h->tx, sizeof(h->tx));
	h->state = DTLS_HS_FREE;
	ds->free[ds->nfree++] = i;
}

struct dtls_hs *
dsh_take(struct dtls_srtp_worker *ds)
{
	struct dtls_hs *h;

	if (ds->nfree == 0 && ds->lingering.head != 0) {
		/* the oldest lingering SSL: its peer has most likely had our
		 * last flight long since */
		dsh_free(ds, &ds->pool[ds->lingering.head - 1]);
		ds->ctr[DTLS_SRTP_CTR_POOL_EVICTED]++;
	}
	if (ds->nfree == 0)
		return NULL;
	h = &ds->pool[ds->free[--ds->nfree]];
	memset(h, 0, sizeof(*h));
	h->ds = ds;
	tw_timer_init(&h->timer, hs_timer, h);
	h->io.send = hs_send;
	h->io.arg = h;
	return h;
}

/* ---- events ------------------------------------------------------------- */

void
dsh_emit(struct dtls_srtp_worker *ds, uint32_t idx, const struct ipc_srtp_key *rx,
	 const struct ipc_srtp_key *tx)
{
	struct dtls_term *t = &ds->terms[idx];
	struct dtls_hs *h = dsh_of(ds, t);
	struct dtls_srtp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.state = t->state;
	ev.role = t->role;
	ev.why = t->why;
	ev.matched = t->matched;
	ev.attempts = t->attempts;
	ev.serial = t->cfg.serial;
	ev.version = t->version;
	ev.profile = t->profile;
	ev.assoc = t->cfg.assoc;
	ev.peer = t->peer;
	ev.seen = t->seen;
	if (t->cipher != NULL)
		snprintf(ev.cipher, sizeof(ev.cipher), "%s", SSL_CIPHER_get_name(t->cipher));
	if (h != NULL)
		tls_leg_describe(&h->leg, ev.detail, sizeof(ev.detail));
	else
		snprintf(ev.detail, sizeof(ev.detail), "%s", tls_fail_name(t->why));
	if (rx != NULL && tx != NULL) {
		ev.rx = *rx;
		ev.tx = *tx;
	}
	ds->ops->event(ds->w, idx, &ev);
	OPENSSL_cleanse(&ev, sizeof(ev));
}

/* ---- the end of a handshake ---------------------------------------------- */

void
dsh_fail(struct dtls_srtp_worker *ds, uint32_t idx, enum tls_fail why)
{
	struct dtls_term *t = &ds->terms[idx];
	struct dtls_hs *h = dsh_of(ds, t);

	if (h != NULL && h->leg.why == TLS_FAIL_NONE)
		h->leg.why = (uint8_t)why;
	if (h != NULL) {
		t->seen = h->leg.seen;
		t->matched = h->leg.matched;
	}
	t->state = DTLS_SRTP_ST_FAILED;
	t->why = (uint8_t)why;
	t->changed_ms = ds->w->now_ms;
	ds->fail[why < TLS_FAIL__COUNT ? why : TLS_FAIL_OTHER]++;
	dsh_emit(ds, idx, NULL, NULL);
	if (h != NULL)
		dsh_free(ds, h);
}

/* h's keys to its termination's SRTP, and to cp in the event; wiped. */
static void
hs_install(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	struct dtls_term *t = &ds->terms[h->term];
	uint32_t idx = h->term;

	if (ds->ops->keys(ds->w, idx, h->serial, &h->rx, &h->tx) < 0) {
		/* the termination is another now: nothing of this one's */
		ds->ctr[DTLS_SRTP_CTR_KEYS_STALE]++;
		OPENSSL_cleanse(&h->rx, sizeof(h->rx));
		OPENSSL_cleanse(&h->tx, sizeof(h->tx));
		dsh_free(ds, h);
		return;
	}
	ds->ctr[DTLS_SRTP_CTR_KEYS_INSTALLED]++;
	t->state = DTLS_SRTP_ST_UP;
	t->why = TLS_FAIL_NONE;
	t->matched = h->leg.matched;
	t->seen = h->leg.seen;
	t->changed_ms = ds->w->now_ms;
	dsh_emit(ds, idx, &h->rx, &h->tx);
	OPENSSL_cleanse(&h->rx, sizeof(h->rx));
	OPENSSL_cleanse(&h->tx, sizeof(h->tx));
}

/* From here h's SSL only resends our last flight: kept for the linger,
 * at most (the oldest goes first when the pool is short). */
static void
hs_linger(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	if (h->ssl == NULL) {
		dsh_free(ds, h);
		return;
	}
	h->state = DTLS_HS_LINGER;
	list_add(ds, &ds->lingering, LINGER_OFF, h);
	tw_add(&ds->wheel, &h->timer, ds->w->now_ms + ds->conf.linger_ms);
}

/* The handshake ended: the keys, or held for the answer. */
static void
hs_up(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	struct dtls_term *t = &ds->terms[h->term];
	const SRTP_PROTECTION_PROFILE *sp;

	tls_leg_up(&h->leg, h->ssl);
	if (dtls_srtp_export(h->ssl, h->client, &h->rx, &h->tx) < 0) {
		/* (a server that went on without use_srtp) */
		dsh_fail(ds, h->term, TLS_FAIL_NO_SRTP);
		return;
	}
	sp = SSL_get_selected_srtp_profile(h->ssl);
	t->profile = (uint16_t)sp->id;
	t->version = (uint16_t)SSL_version(h->ssl);
	t->cipher = SSL_get_current_cipher(h->ssl);
	ds->ctr[DTLS_SRTP_CTR_UP]++;
	tw_del(&ds->wheel, &h->timer);
	if (!h->leg.defer) {
		hs_install(ds, h);
		if (t->hs == dsh_index(ds, h) + 1)
			hs_linger(ds, h);
		return;
	}
	/* we offered actpass and served before the answer: the keys wait
	 * for its fingerprints (or for them now, when it came meanwhile) */
	h->state = DTLS_HS_HELD;
	ds->nheld++;
	h->deadline_ms = ds->w->now_ms + ds->conf.verify_wait_ms;
	t->state = DTLS_SRTP_ST_VERIFY_WAIT;
	t->changed_ms = ds->w->now_ms;
	ds->ctr[DTLS_SRTP_CTR_VERIFY_WAIT]++;
	tw_add(&ds->wheel, &h->timer, ds->w->now_ms + ds->conf.linger_ms < h->deadline_ms ?
				      ds->w->now_ms + ds->conf.linger_ms : h->deadline_ms);
	if (t->cfg.role != DTLS_SRTP_ROLE_EITHER && t->cfg.nfp > 0) {
		dsh_verify(ds, h->term);
		return;
	}
	dsh_emit(ds, h->term, NULL, NULL);
}

void
dsh_verify(struct dtls_srtp_worker *ds, uint32_t idx)
{
	struct dtls_term *t = &ds->terms[idx];
	struct dtls_hs *h = dsh_of(ds, t);
	int rc;

	if (h == NULL || h->state != DTLS_HS_HELD || t->cfg.nfp == 0)
		return;
	rc = tls_leg_verify_late(&h->leg, t->cfg.fp, t->cfg.nfp,
				 (t->cfg.flags & DTLS_SRTP_F_ALLOW_SHA1) != 0);
	if (rc < 0) {
		/* the keys go unused: wiped with the entry */
		dsh_fail(ds, idx, h->leg.why != TLS_FAIL_NONE ? (enum tls_fail)h->leg.why :
				   TLS_FAIL_FP_MISMATCH);
		return;
	}
	ds->ctr[DTLS_SRTP_CTR_VERIFY_LATE_OK]++;
	h->state = DTLS_HS_STEP;          /* (not HELD: hs_install's end) */
	ds->nheld--;
	tw_del(&ds->wheel, &h->timer);
	hs_install(ds, h);
	if (t->hs == dsh_index(ds, h) + 1)
		hs_linger(ds, h);
}

/* ---- steps and timers --------------------------------------------------- */

/* h's timer: its next retransmission or its deadline, the earlier. */
static void
hs_arm(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	uint64_t now = ds->w->now_ms, at = h->deadline_ms;
	struct timeval tv;

	if (DTLSv1_get_timeout(h->ssl, &tv) == 1) {
		uint64_t ms = (uint64_t)tv.tv_sec * 1000u + ((uint64_t)tv.tv_usec + 999u) / 1000u;

		if (now + ms < at)
			at = now + ms;
	}
	tw_add(&ds->wheel, &h->timer, at);
}

/* h's step found no free async job (OpenSSL started nothing: the
 * datagram its BIO holds was not read): onto the job-wait list with that
 * datagram copied aside, stepped again from the clock (dsh_async_poll()).
 * One too long to keep is dropped (the peer sends its flight again). */
static void
hs_job_wait(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	h->jw_len = 0;
	if (h->io.in != NULL && h->io.in_len <= DTLS_SRTP_JW_MAX) {
		memcpy(ds->jw_buf + (size_t)dsh_index(ds, h) * DTLS_SRTP_JW_MAX, h->io.in,
		       h->io.in_len);
		h->jw_len = h->io.in_len;
	} else if (h->io.in != NULL) {
		ds->ctr[DTLS_SRTP_CTR_ASYNC_DROPPED]++;
	}
	h->async = DTLS_HS_A_NOJOB;
	list_add(ds, &ds->jobwait, JW_OFF, h);
	ds->ctr[DTLS_SRTP_CTR_ASYNC_NO_JOB]++;
}

/* One handshake step of h (the datagram its BIO holds, if any). */
static void
hs_step(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	int e = 0, reason = 0;

	switch (dtls_io_step(ds->w, h->ssl, &e, &reason)) {
	case DTLS_STEP_WANT:
		hs_arm(ds, h);
		return;
	case DTLS_STEP_UP:
		hs_up(ds, h);
		return;
	case DTLS_STEP_FAIL:
		/* DTLS has no EOF: OpenSSL's failure without a reason is its
		 * own refusal (dtls_hello.h, dtls_hs_msg_longest()) */
		if (e == SSL_ERROR_SYSCALL && h->leg.why == TLS_FAIL_NONE)
			h->leg.why = TLS_FAIL_OTHER;
		dsh_fail(ds, h->term, tls_leg_fail(&h->leg, e, reason));
		return;
	case DTLS_STEP_ASYNC:
		/* its job holds the datagram it read; no retransmission
		 * meanwhile, the deadline only (hs_timer() touches no parked
		 * SSL; the step after its wake-up arms the timer again) */
		h->async = DTLS_HS_A_PARKED;
		ds->nparked++;
		ds->ctr[DTLS_SRTP_CTR_ASYNC_PARKED]++;
		tw_add(&ds->wheel, &h->timer, h->deadline_ms);
		return;
	case DTLS_STEP_NOJOB:
		hs_job_wait(ds, h);
		tw_add(&ds->wheel, &h->timer, h->deadline_ms);
		return;
	}
}

static void
hs_timer(struct tw_timer *tm, void *arg)
{
	struct dtls_hs *h = arg;
	struct dtls_srtp_worker *ds = h->ds;
	uint64_t now = ds->w->now_ms;

	(void)tm;
	switch (h->state) {
	case DTLS_HS_STEP:
		if (now >= h->deadline_ms) {
			/* (a paused job's SSL becomes an orphan) */
			dsh_fail(ds, h->term, TLS_FAIL_TIMEOUT);
			return;
		}
		/* (not parked or waiting for a job: those wait for the
		 * deadline only, hs_step()) */
		/* (resending a flight kept whole: no budget asked) */
		if (DTLSv1_handle_timeout(h->ssl) > 0)
			ds->ctr[DTLS_SRTP_CTR_RETRANSMITS]++;
		ERR_clear_error();
		hs_arm(ds, h);
		return;
	case DTLS_HS_LINGER:
		ds->ctr[DTLS_SRTP_CTR_LINGER_FREED]++;
		dsh_free(ds, h);
		return;
	case DTLS_HS_HELD:
		if (h->ssl != NULL && now < h->deadline_ms) {
			/* the linger's end: the keys and the peer's
			 * certificate wait on without it */
			ds->ctr[DTLS_SRTP_CTR_LINGER_FREED]++;
			hs_ssl_free(ds, h);
			tw_add(&ds->wheel, &h->timer, h->deadline_ms);
			return;
		}
		dsh_fail(ds, h->term, TLS_FAIL_TIMEOUT);
		return;
	default:
		return;
	}
}

/* A lingering SSL reads what came: a retransmitted flight of the peer's
 * (OpenSSL resends our last), a renegotiation (refused), close_notify. */
static void
hs_linger_read(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	uint8_t reneg = h->leg.reneg_refused;

	for (unsigned int i = 0; i < 8 && h->ssl != NULL; i++) {
		/* (into the worker's sink, not this frame: a read whose job
		 * pauses writes there when it goes on, after we return) */
		int r = SSL_read(h->ssl, ds->rd_sink, sizeof(ds->rd_sink)), e;

		if (r > 0)
			continue;         /* (no application data here: dropped) */
		e = tls_ssl_verdict(h->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			break;
		ERR_clear_error();
		if (e == SSL_ERROR_WANT_ASYNC) {
			/* (resending our flight or refusing a renegotiation
			 * paused: read on once woken) */
			h->async = DTLS_HS_A_PARKED;
			ds->nparked++;
			ds->ctr[DTLS_SRTP_CTR_ASYNC_PARKED]++;
			break;
		}
		if (e == SSL_ERROR_WANT_ASYNC_JOB) {
			/* (what came is dropped: the peer sends it again) */
			ds->ctr[DTLS_SRTP_CTR_ASYNC_DROPPED]++;
			break;
		}
		if (e == SSL_ERROR_ZERO_RETURN)
			ds->ctr[DTLS_SRTP_CTR_CLOSE_NOTIFY]++;
		/* the association stays (its end is signalling's): the SSL
		 * has nothing more to do */
		if (h->state == DTLS_HS_LINGER)
			dsh_free(ds, h);
		else
			hs_ssl_free(ds, h);
		break;
	}
	ds->ctr[DTLS_SRTP_CTR_RENEG_REFUSED] += (uint8_t)(h->leg.reneg_refused - reneg);
}

void
dsh_feed(struct dtls_srtp_worker *ds, struct dtls_hs *h, const uint8_t *p, uint16_t len)
{
	if (h->async != DTLS_HS_A_NONE) {
		/* a paused job owns what the BIO gave it, and one that waits
		 * for a job keeps its datagram: this one is dropped, the peer
		 * sends it again */
		ds->ctr[DTLS_SRTP_CTR_ASYNC_DROPPED]++;
		return;
	}
	/* a message OpenSSL would refuse without a reason (a 64 KB chain):
	 * refused here, with one */
	if (dtls_hs_msg_longest(p, len) > DTLS_HS_MSG_MAX) {
		if (h->state == DTLS_HS_STEP)
			dsh_fail(ds, h->term, TLS_FAIL_CERT_TOO_LONG);
		return;
	}
	dtls_io_give(&h->io, p, len);
	if (h->state == DTLS_HS_STEP)
		hs_step(ds, h);
	else
		hs_linger_read(ds, h);
	/* (h may have gone back to the pool: its BIO's datagram is dropped
	 * there too) */
	dtls_io_done(&h->io);
}

/* ---- starts ------------------------------------------------------------- */

/* h's SSL in role for termination t: the leg (t's fingerprints, or the
 * check deferred under EITHER), use_srtp narrowed to t's profiles, our
 * BIO, the MTU, the retransmission timer. */
static SSL *
hs_ssl(SSL_CTX *cx, struct dtls_hs *h, const struct dtls_term *t, enum tls_role role)
{
	struct tls_leg_params p;
	char list[128];
	BIO *bio;
	SSL *s;

	memset(&p, 0, sizeof(p));
	p.ops = &leg_ops;
	p.allow_sha1 = (t->cfg.flags & DTLS_SRTP_F_ALLOW_SHA1) != 0;
	if (t->cfg.role == DTLS_SRTP_ROLE_EITHER) {
		p.defer = true;
	} else {
		p.nfp = t->cfg.nfp;
		memcpy(p.fp, t->cfg.fp, sizeof(p.fp));
	}
	s = tls_leg_ssl_new(cx, role, &p, &h->leg);
	if (s == NULL)
		return NULL;
	bio = dtls_io_bio(&h->io);
	if (bio == NULL ||
	    dtls_srtp_profile_list(t->cfg.profiles & DTLS_SRTP_DP_PROFILES, list,
				   sizeof(list)) <= 0 ||
	    SSL_set_tlsext_use_srtp(s, list) != 0) {
		BIO_free(bio);
		tls_leg_detach(s);
		SSL_free(s);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_bio(s, bio, bio);
	SSL_set_app_data(s, h);
	SSL_set_mtu(s, DTLS_SRTP_MTU);
	DTLS_set_timer_cb(s, retx_us);
	return s;
}

/* h made for termination idx: what the termination keeps of it. */
static void
hs_begin(struct dtls_srtp_worker *ds, struct dtls_hs *h, uint32_t idx, bool client)
{
	struct dtls_term *t = &ds->terms[idx];

	h->state = DTLS_HS_STEP;
	h->client = client;
	h->term = idx;
	h->serial = t->cfg.serial;
	h->assoc = t->cfg.assoc;
	h->born_ms = ds->w->now_ms;
	h->deadline_ms = ds->w->now_ms + ds->conf.handshake_timeout_ms;
	t->hs = dsh_index(ds, h) + 1;
	t->state = DTLS_SRTP_ST_HS;
	t->role = client ? DTLS_SRTP_ROLE_CLIENT : DTLS_SRTP_ROLE_SERVER;
	t->why = TLS_FAIL_NONE;
	t->matched = -1;
	t->peer = h->peer;
	t->attempts++;
	t->changed_ms = ds->w->now_ms;
}

void
dsh_server(struct dtls_srtp_worker *ds, uint32_t idx, const uint8_t *p, uint16_t len,
	   const struct ipc_addr *src, const struct ipc_addr *dst, bool cookie)
{
	struct dtls_term *t = &ds->terms[idx];
	SSL_CTX *cx = dsd_ctx_of(ds, t->cfg.cert_gen);
	struct dtls_hs *h;

	if (cx == NULL) {
		/* (an attempt: a peer's retries end at the attempts' gate) */
		t->attempts++;
		dsh_fail(ds, idx, TLS_FAIL_REPLACED);
		return;
	}
	h = dsh_take(ds);
	if (h == NULL) {
		ds->ctr[DTLS_SRTP_CTR_POOL_FULL]++;
		return;
	}
	h->local = *dst;
	h->peer = *src;
	h->ssl = hs_ssl(cx, h, t, TLS_ROLE_SERVER);
	if (h->ssl == NULL) {
		ds->ctr[DTLS_SRTP_CTR_NOMEM]++;
		h->state = DTLS_HS_STEP;  /* (for dsh_free) */
		h->term = idx;
		dsh_free(ds, h);
		return;
	}
	hs_begin(ds, h, idx, false);
	ds->ctr[DTLS_SRTP_CTR_HANDSHAKES_SERVER]++;
	dtls_io_give(&h->io, p, len);
	if (cookie) {
		/* (OpenSSL checks our cookie again, with our callbacks, and
		 * takes the ClientHello's sequence numbers) */
		BIO_ADDR *addr = BIO_ADDR_new();
		int r;

		SSL_set_options(h->ssl, SSL_OP_COOKIE_EXCHANGE);
		r = addr != NULL ? DTLSv1_listen(h->ssl, addr) : -1;
		BIO_ADDR_free(addr);
		if (r != 1) {
			ERR_clear_error();
			dsh_fail(ds, idx, TLS_FAIL_OTHER);
			return;
		}
	}
	hs_step(ds, h);
	dtls_io_done(&h->io);
}

void
dsh_client(struct dtls_srtp_worker *ds, uint32_t idx, const struct ipc_addr *peer, bool queued)
{
	struct dtls_term *t = &ds->terms[idx];
	struct dtls_hs *h;
	SSL_CTX *cx;

	if (t->attempts >= ds->conf.attempts) {
		ds->ctr[DTLS_SRTP_CTR_ATTEMPTS]++;
		return;
	}
	/* (behind what waits already, unless it is the queue's turn) */
	if (!queued && (!dp_hs_room(ds->w) || ds->dq_n > 0)) {
		if (dsd_defer(ds, idx, NULL, 0, 0, peer, &t->cfg.local))
			ds->ctr[DTLS_SRTP_CTR_HS_DEFERRED]++;
		else
			ds->ctr[DTLS_SRTP_CTR_HS_DEFER_FULL]++;
		return;
	}
	cx = dsd_ctx_of(ds, t->cfg.cert_gen);
	if (cx == NULL) {
		/* (an attempt: a peer's retries end at the attempts' gate) */
		t->attempts++;
		dsh_fail(ds, idx, TLS_FAIL_REPLACED);
		return;
	}
	h = dsh_take(ds);
	if (h == NULL) {
		/* (a server's peer sends its ClientHello again; nothing sends
		 * ours again but us: it waits for an entry) */
		ds->ctr[DTLS_SRTP_CTR_POOL_FULL]++;
		(void)dsd_pool_wait(ds, idx);
		return;
	}
	h->local = t->cfg.local;
	h->peer = *peer;
	h->ssl = hs_ssl(cx, h, t, TLS_ROLE_CLIENT);
	if (h->ssl == NULL) {
		ds->ctr[DTLS_SRTP_CTR_NOMEM]++;
		h->state = DTLS_HS_STEP;
		h->term = idx;
		dsh_free(ds, h);
		return;
	}
	hs_begin(ds, h, idx, true);
	ds->ctr[DTLS_SRTP_CTR_HANDSHAKES_CLIENT]++;
	hs_step(ds, h);           /* the ClientHello */
}

/* ---- the offload's wake-ups ------------------------------------------ */

/* h woken or given a job: the step again (its job goes on where it
 * paused), or a lingering SSL's read. */
static void
hs_resume(struct dtls_srtp_worker *ds, struct dtls_hs *h)
{
	if (h->state == DTLS_HS_STEP)
		hs_step(ds, h);
	else
		hs_linger_read(ds, h);
}

void
dsh_async_poll(struct dtls_srtp_worker *ds)
{
	SSL *ready[32];
	uint32_t n, left;

	if (ds->aring == NULL)
		return;
	while ((n = rte_ring_sc_dequeue_burst_elem(ds->aring, ready, sizeof(ready[0]),
						   RTE_DIM(ready), NULL)) > 0) {
		for (uint32_t i = 0; i < n; i++) {
			void *a = SSL_get_app_data(ready[i]);
			struct dtls_hs *h = a;

			if (a == &ds->norphans) {
				if (!tls_async_job_finish(ready[i])) {
					SSL_free(ready[i]);
					ds->norphans--;
				}
				continue;
			}
			if (h == NULL || h->ssl != ready[i] || h->async != DTLS_HS_A_PARKED)
				continue;
			h->async = DTLS_HS_A_NONE;
			ds->nparked--;
			ds->ctr[DTLS_SRTP_CTR_ASYNC_RESUMED]++;
			hs_resume(ds, h);
		}
	}
	/* those that found no job, first in first out, while jobs are free
	 * (the first that finds none again waits on at the list's end, and
	 * the rest wait for the next pass) */
	for (left = ds->jobwait.n; left > 0 && ds->jobwait.head != 0; left--) {
		struct dtls_hs *h = &ds->pool[ds->jobwait.head - 1];

		list_del(ds, &ds->jobwait, JW_OFF, h);
		h->async = DTLS_HS_A_NONE;
		if (h->jw_len > 0)
			dtls_io_give(&h->io, ds->jw_buf + (size_t)dsh_index(ds, h) *
						 DTLS_SRTP_JW_MAX, h->jw_len);
		h->jw_len = 0;
		hs_step(ds, h);
		dtls_io_done(&h->io);
		if (h->async == DTLS_HS_A_NOJOB)
			break;
	}
}
