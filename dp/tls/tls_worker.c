/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's TLS: its set-up and end (the library context, the TURN and
 * legs' SSL_CTXs, the async ring, the deferral FIFOs, the connection and
 * orphan arrays, the linger application), the contexts a reload offers,
 * the poll from the worker loop (the woken jobs, the FIFOs, the linger
 * deadline, the session cache's expiry), and the statistics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <openssl/async.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_tcp.h"
#include "tcp.h"
#include "tls.h"
#include "tls_ctx.h"
#include "tls_keys.h"
#include "tls_rec.h"
#include "tls_xprt_private.h"
#include "tp_conf.h"

static const char *const tls_ctr_names[TLS_CTR__COUNT] = {
#define TLS_CTR(n, s, h) [TLS_CTR_##n] = s,
#include "tls_counters.def"
#undef TLS_CTR
};

const char *
tls_ctr_name(unsigned int i)
{
	return i < TLS_CTR__COUNT ? tls_ctr_names[i] : "?";
}


/* The session cache's expired entries go once this often. */
#define TLS_FLUSH_MS 10000u

/* Workers with TLS (set up and freed on the main thread): the last one
 * freed releases what they share (the BIO method, the engine). */
static unsigned int tls_workers;

/* A woken read runs to its end now, as the application's rcv_buf would run
 * it (the application is told to read then: tls_ready), its result kept
 * for that rcv_buf: its job ends here, whatever the application's own
 * flow control (a splice whose other leg has no room reads later), and
 * with it the worker's hold on it. False when it paused again or the
 * connection is gone (a leg's handshake callback may end it). */
static bool
tls_read_finish(struct dp_worker *w, struct tls_conn *c)
{
	uint64_t id = c->id;
	struct rte_mbuf *m = NULL;
	int rc;

	if (c->x & TLS_X_READY)
		return true;              /* (cannot be: a kept result is read first) */
	c->x |= TLS_X_FINISHING;
	rc = tls_rcv_buf(w, id, &m, UINT32_MAX);
	if (c->id != id) {
		if (rc > 0)
			rte_pktmbuf_free(m);
		return false;
	}
	c->x &= (uint8_t)~TLS_X_FINISHING;
	if (rc != -EAGAIN) {
		c->ready = rc > 0 ? m : NULL;
		c->ready_rc = rc;
		c->x |= TLS_X_READY;
	}
	/* a leg whose handshake this read ended hears it now (its callback
	 * may read: the kept result comes first) */
	tls_leg_report(w, c);
	return c->id == id && !(c->flags & TLS_F_PARKED);
}

/* The worker takes a reload's context: connections accepted from now on
 * get it; those made before hold the old one (SSL_new took a reference),
 * which OpenSSL frees with the last of them. Cold path. */
static void __rte_noinline __rte_cold
tls_ctx_take(struct tls_worker *tw)
{
	SSL_CTX *next = __atomic_exchange_n(&tw->ctx_next, NULL, __ATOMIC_ACQ_REL);

	if (next == NULL)
		return;
	/* The old cache can serve nobody now (the listener asks the new
	 * context): emptied, and closed to the handshakes still running on
	 * it, rather than kept for as long as a connection of before lives. */
	SSL_CTX_set_session_cache_mode(tw->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_flush_sessions(tw->ctx, 0);
	tls_ctx_free(tw->ctx);
	tw->ctx = next;
	tw->not_after = tw->turn_tls ? tls_ctx_not_after(next) : 0;
	__atomic_store_n(&tw->sessions_cached, 0, __ATOMIC_RELAXED);
	tw->ctr[TLS_CTR_CTX_RELOADED]++;
}

unsigned int
tls_poll(struct dp_worker *w, uint64_t now_ms)
{
	struct tls_worker *tw = w->tls;
	SSL *ready[32];
	unsigned int n, done = 0;

	if (tw == NULL)
		return 0;
	/* once a pass: a new pass's handshake budget; a job may be free
	 * again (the parked ones below may end theirs) */
	tw->now_ms = now_ms;
	dp_hs_reset(w);
	tw->nojob_turn = false;
	if (tw->nparked > 0 || tw->norphan_free < tw->orphans_max) {
		unsigned int want = RTE_DIM(ready);

		if (tw->engine_poll)
			tls_engine_poll();
		/* With a budget, resumed jobs one at a time while it lasts
		 * (the rest stay in the ring for the next passes). */
		if (w->hs.budget != 0)
			want = 1;
	again:
		n = rte_ring_sc_dequeue_burst_elem(tw->ring, ready, sizeof(ready[0]),
						   want, NULL);
		for (unsigned int i = 0; i < n; i++) {
			const uint8_t *k = SSL_get_app_data(ready[i]);
			struct tls_conn *c;

			if (k != NULL && *k == TLS_K_ORPHAN) {
				tls_orphan_resume(tw, (struct tls_orphan *)(uintptr_t)k);
				continue;
			}
			c = (struct tls_conn *)(uintptr_t)k;
			if (c == NULL || !(c->flags & TLS_F_PARKED))
				continue;
			c->flags &= (uint8_t)~TLS_F_PARKED;
			tw->nparked--;
			tw->ctr[TLS_CTR_ASYNC_RESUMED]++;
			done++;
			if (c->op == TLS_OP_WRITE) {
				tls_write_chain(w, c);
				tls_flush(w, c);  /* (failed: fatal) */
				if (c->flags & TLS_F_PARKED)
					continue;
			} else if (c->op == TLS_OP_SHUTDOWN) {
				tls_notify(w, c);
				if (c->flags & TLS_F_PARKED)
					continue;
			} else if (!tls_read_finish(w, c)) {
				continue;         /* paused again, or gone */
			} else if (c->x & TLS_X_WPEND) {
				tls_write_pending(w, c);
			}
			/* a shutdown or close that waited for this goes on
			 * (a close's application hears nothing more); a
			 * failed one's application reads -EPROTO: reset */
			if ((c->x & (TLS_X_SHUTPEND | TLS_X_LINGER)) && !tls_settle(w, c))
				continue;
			if (!(c->x & TLS_X_LINGER))
				tls_ready(w, c);
		}
		if (n > 0 && w->hs.budget != 0 && dp_hs_room(w))
			goto again;
	}
	/* Then the connections that wait: established ones first (a record
	 * that waited for a job or an mbuf), while a job is free; then the
	 * handshakes put off in earlier passes, while the budget lasts and
	 * the handshakes' share of the jobs has room; first in first out
	 * each, neither tried again in a pass where one found no job. */
	done += tls_fifo_serve(w, &tw->dq_rec);
	done += tls_fifo_serve(w, &tw->dq_hs);
	if (tw->ndeferred > 0)
		done++;           /* work waits: no idle sleep */
	if (unlikely(__atomic_load_n(&tw->ctx_next, __ATOMIC_RELAXED) != NULL))
		tls_ctx_take(tw);
	if (unlikely(tw->nlinger > 0) && now_ms >= tw->linger_checked_ms + 1000u) {
		tw->linger_checked_ms = now_ms;
		tls_linger_expire(w);
	}
	if (now_ms >= tw->flushed_ms + TLS_FLUSH_MS) {
		tw->flushed_ms = now_ms;
		SSL_CTX_flush_sessions(tw->ctx, (long)time(NULL));
		/* for the statistics, which another thread prints: tw->ctx
		 * is this worker's to read (a reload replaces it) */
		__atomic_store_n(&tw->sessions_cached, (uint64_t)SSL_CTX_sess_number(tw->ctx),
				 __ATOMIC_RELAXED);
	}
	return done;
}

static int
keys_attach(SSL_CTX *ctx, void *keys)
{
	return tls_keys_attach(ctx, keys);
}

static int
keylog_attach(SSL_CTX *ctx, void *arg)
{
	(void)arg;
	SSL_CTX_set_keylog_callback(ctx, tls_rec_keylog);
	return 0;
}

/*
 * The TURN server's context from t, set up for worker w as every one of
 * its contexts must be: the info and async callbacks, the ticket keys
 * and PSKs that cp sends (on the context and each SNI one: a ticket from
 * one worker resumes on another, dp/tls/tls_keys.c), the key log for
 * dp's records. At start and by a reload, on another thread: it reads
 * only what w's TLS set-up fixed (library context, properties, keys,
 * record layer), never the loop's state. NULL with err set
 * ("LINE: why", as tls_ctx_create() says it).
 */
SSL_CTX *
tls_worker_ctx_new(struct dp_worker *w, const struct tp_conf_tls *t, char *err,
		   size_t errlen)
{
	struct tls_worker *tw = w->tls;
	SSL_CTX *ctx;

	if (tw == NULL) {
		snprintf(err, errlen, "%d: worker %u has no TLS", t->line, w->id);
		return NULL;
	}
	ctx = tls_ctx_create(t, tw->libctx, tw->propq, err, errlen);
	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_info_callback(ctx, tls_info);
	SSL_CTX_set_async_callback(ctx, tls_async_cb);
	if (w->tls_keys == NULL || tls_ctx_each(ctx, keys_attach, w->tls_keys) < 0) {
		snprintf(err, errlen, "%d: worker %u: cannot attach the ticket keys and "
			 "PSKs to its TLS contexts", t->line, w->id);
		tls_ctx_free(ctx);
		return NULL;
	}
	if (tw->rec_dp)
		tls_ctx_each(ctx, keylog_attach, NULL);
	return ctx;
}

void
tls_worker_ctx_offer(struct dp_worker *w, SSL_CTX *ctx)
{
	SSL_CTX *prev = __atomic_exchange_n(&w->tls->ctx_next, ctx, __ATOMIC_ACQ_REL);

	/* one not yet taken: the newer one wins (the exchange makes either
	 * this thread or the worker its only owner) */
	if (prev != NULL)
		tls_ctx_free(prev);
}

/* dp_tcp_poll()'s step: resumed connections are work, and so is waiting
 * for the offload (no idle sleep while anything is parked). */
static unsigned int
tls_mod_poll(struct dp_worker *w, uint64_t now_ms)
{
	unsigned int k = tls_poll(w, now_ms);

	return k + (w->tls->nparked > 0);
}

static const struct dp_tcp_mod tls_mod = {
	.name = "tls", .cls = DP_TCP_MOD_TRANSPORT, .poll = tls_mod_poll, .free = tls_worker_free,
};

int
tls_worker_init(struct dp_worker *w, const struct tp_conf *conf, uint32_t max_conns)
{
	const struct tp_conf_tls *t = &conf->tls;
	int socket = (int)rte_lcore_to_socket_id(w->lcore);
	struct tls_worker *tw;
	const char *propq = NULL;
	char err[768], name[RTE_RING_NAMESIZE];
	uint32_t ring_size = 64;

	if (w->tls != NULL) {
		/* made already (TURN's and the AGW's both ask) */
		if (max_conns > w->tls->max_conns)
			return -EINVAL;
		return 0;
	}
	if (tls_workers == 0) {
		/* once, before any job exists. (OpenSSL 3.0's async jobs run
		 * on 32 KB stacks of their own: what runs in them here is
		 * OpenSSL, our BIO and info callbacks, both shallow; nothing of
		 * dp/tcp, whose calls wait until the SSL call returns) */
		if (tls_engine_load(t, err, sizeof(err)) < 0)
			goto fail_msg;
	}
	if (tls_bio_new(NULL) == NULL && ERR_peek_error() != 0) {
		snprintf(err, sizeof(err), "%d: tls: cannot make the BIO method", t->line);
		goto fail_msg;
	}
	tw = rte_zmalloc_socket("tls_worker", sizeof(*tw), 64, socket);
	if (tw == NULL)
		goto nomem;
	w->tls = tw;
	tls_workers++;
	/* (a worker made again after tls_worker_free() is registered still) */
	(void)dp_tcp_mod_add(w, &tls_mod);
	tw->max_conns = max_conns;
	tw->app_linger = -1;
	tw->engine_poll = t->offload == TP_TLS_OFFLOAD_ENGINE && t->offload_poll_external;
	tw->jobs_max = t->offload != TP_TLS_OFFLOAD_NONE ? t->offload_jobs : 0;
	tw->jobs_hs_max = tw->jobs_max - tw->jobs_max / 4u;
	{
		/* (none left: closes do not wait for what is under way) */
		int app = tcp_app_register(w->tcp, &tls_linger_ops);

		tw->app_linger = app >= 0 ? app : -1;
	}
	/* engines work in OpenSSL's default library context only */
	if (t->offload != TP_TLS_OFFLOAD_ENGINE) {
		tw->libctx = tls_libctx_create(t, &propq, err, sizeof(err));
		if (tw->libctx == NULL)
			goto fail_msg;
	}
	tw->propq = propq;
	/* dp's record layer (tls_rec.h): the software path only (with an
	 * offload, records are the accelerator's, through OpenSSL) */
	if (t->offload == TP_TLS_OFFLOAD_NONE && !t->record_openssl) {
		char why[200];
		int rc = tls_rec_worker_init(tw, tw->libctx, (int)t->record_crypto, why,
					     sizeof(why));

		if (rc < 0) {
			snprintf(err, sizeof(err), "%d: tls: %s", rc == -ENOTSUP &&
				 t->record_crypto_line > 0 ? t->record_crypto_line : t->line, why);
			goto fail_msg;
		}
		if (w->id == 0)
			tp_log(TP_LOG_INFO, "TLS 1.3 records: dp's, AEAD by %s\n",
			       tw->aead.name);
		tw->rec_dp = true;
	}
	tw->ctx = tls_worker_ctx_new(w, t, err, sizeof(err));
	if (tw->ctx == NULL)
		goto fail_msg;
	/* the AGW legs' context: the same settings, either role, the peer
	 * checked by its fingerprint (tls_leg.c). Not reloaded: cp signals
	 * the fingerprint of the certificate it had at start. */
	tw->leg_ctx = tls_leg_ctx_create(t, tw->libctx, propq, err, sizeof(err));
	if (tw->leg_ctx == NULL)
		goto fail_msg;
	SSL_CTX_set_info_callback(tw->leg_ctx, tls_info);
	SSL_CTX_set_async_callback(tw->leg_ctx, tls_async_cb);
	if (tw->rec_dp)
		SSL_CTX_set_keylog_callback(tw->leg_ctx, tls_rec_keylog);
	/* (each only where it is served: TURN over TLS's ports, the AGW) */
	tw->turn_tls = conf->turn.nlisten_tls > 0;
	tw->not_after = tw->turn_tls ? tls_ctx_not_after(tw->ctx) : 0;
	tw->leg_not_after = conf->agw.enabled ? tls_ctx_not_after(tw->leg_ctx) : 0;
	/* Orphans: each holds one of the jobs of the worker thread's pool
	 * (a paused one), and that pool has jobs_max at most
	 * (tls_worker_thread_init()), the connections' own paused jobs among
	 * them: jobs_max orphans can never run out, whatever jobs_max is
	 * beside max_conns. Not max_conns: a slot is free again at its
	 * close, and its next connection may leave an orphan too, so with
	 * more jobs than connections the orphans outnumber the connections
	 * (test_tls_async_orphans: 8 connections, 64 jobs). The ring holds
	 * at most one wake-up a paused job: room for all of them (a wake-up
	 * refused by a full ring would leave its job paused for good). */
	tw->orphans_max = tw->jobs_max;
	while (ring_size < 2u * max_conns || ring_size < tw->jobs_max)
		ring_size <<= 1;
	dp_hs_budget_set(w, t->handshake_budget_us);
	tw->hs_step_long = rte_get_tsc_hz() / 1000u;
	tw->dq_hs.mask = tw->dq_rec.mask = ring_size - 1u;
	tw->dq_hs.ids = rte_zmalloc_socket("tls_defer_hs", (size_t)ring_size * sizeof(uint64_t),
					   64, socket);
	tw->dq_rec.ids = rte_zmalloc_socket("tls_defer_rec", (size_t)ring_size * sizeof(uint64_t),
					    64, socket);
	snprintf(name, sizeof(name), "tp_tls_async_%u", w->id);
	/* multi-producer (OpenSSL's callbacks, any thread), one consumer */
	tw->ring = rte_ring_create_elem(name, sizeof(SSL *), ring_size, socket,
					RING_F_SC_DEQ | RING_F_EXACT_SZ);
	tw->conns = rte_zmalloc_socket("tls_conns", (size_t)max_conns * sizeof(*tw->conns),
				       64, socket);
	if (tw->orphans_max > 0) {
		tw->orphans = rte_zmalloc_socket("tls_orphans", (size_t)tw->orphans_max *
						 sizeof(*tw->orphans), 64, socket);
		tw->orphan_free = rte_zmalloc_socket("tls_orphan_free", (size_t)tw->orphans_max *
						     sizeof(uint32_t), 64, socket);
		if (tw->orphans == NULL || tw->orphan_free == NULL)
			goto nomem;
	}
	if (tw->ring == NULL || tw->conns == NULL || tw->dq_hs.ids == NULL ||
	    tw->dq_rec.ids == NULL)
		goto nomem;
	for (uint32_t i = 0; i < tw->orphans_max; i++) {
		tw->orphans[i].kind = TLS_K_ORPHAN;
		tw->orphans[i].index = i;
		tw->orphan_free[i] = tw->orphans_max - 1u - i;
	}
	tw->norphan_free = tw->orphans_max;
	return 0;
fail_msg:
	tp_log(TP_LOG_ERR, "%s:%s\n", conf->path, err);
	return -EINVAL;
nomem:
	tp_log(TP_LOG_ERR, "worker %u: no memory for TLS on %u connections\n", w->id,
	       max_conns);
	return -ENOMEM;
}

int
tls_worker_thread_init(struct dp_worker *w)
{
	struct tls_worker *tw = w->tls;

	if (tw == NULL || tw->jobs_max == 0)
		return 0;
	/* the thread's pool, bounded, before its first job (OpenSSL would
	 * make an unbounded one at the first: ASYNC_init_thread(0, 0)) */
	if (!ASYNC_init_thread(tw->jobs_max, 0)) {
		tp_log(TP_LOG_ERR, "worker %u: OpenSSL's async job pool (%u jobs) could not "
		       "be made\n", w->id, tw->jobs_max);
		return -ENOMEM;
	}
	return 0;
}

void
tls_worker_free(struct dp_worker *w)
{
	struct tls_worker *tw = w->tls;

	if (tw == NULL)
		return;
	if (tw->conns != NULL)
		for (uint32_t i = 0; i < tw->max_conns; i++)
			if (tw->conns[i].id != 0) {
				tw->conns[i].flags &= (uint8_t)~TLS_F_PARKED;
				tw->conns[i].x &= (uint8_t)~TLS_X_JOB;
				tls_release(w, &tw->conns[i]);
			}
	if (tw->orphans != NULL)
		for (uint32_t i = 0; i < tw->orphans_max; i++)
			if (tw->orphans[i].ssl != NULL) {
				SSL_free(tw->orphans[i].ssl);
				rte_pktmbuf_free(tw->orphans[i].rbuf);
				rte_pktmbuf_free(tw->orphans[i].wbuf);
			}
	tls_ctx_free(tw->ctx);
	tls_ctx_free(__atomic_exchange_n(&tw->ctx_next, NULL, __ATOMIC_ACQ_REL));
	tls_ctx_free(tw->leg_ctx);
	tls_rec_worker_free(tw);
	tls_libctx_free(tw->libctx);
	rte_ring_free(tw->ring);
	rte_free(tw->conns);
	rte_free(tw->orphans);
	rte_free(tw->orphan_free);
	rte_free(tw->dq_hs.ids);
	rte_free(tw->dq_rec.ids);
	rte_free(tw);
	w->tls = NULL;
	if (--tls_workers == 0) {
		tls_engine_release();
		tls_bio_method_free();
	}
}

void
tls_values(const struct dp_worker *w, uint64_t *out)
{
	const struct tls_worker *tw = w->tls;

	for (unsigned int i = 0; i < TLS_CTR__COUNT; i++)
		out[i] = tw != NULL ? tw->ctr[i] : 0;
	if (tw != NULL)
		out[TLS_CTR_ASYNC_RING_FULL] = __atomic_load_n(&tw->ring_full,
							       __ATOMIC_RELAXED);
}

static const struct dp_ctrs_desc tls_desc[TLS_CTR__COUNT] = {
#define TLS_CTR(n, s, h) [TLS_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "tls_counters.def"
#undef TLS_CTR
};

const struct dp_ctrs_family tls_ctrs = {
	.name = "tls", .prefix = "tls_",
	.help = "TLS termination (tls_counters.def): handshakes and their failures, "
		"alerts, the offload, records, AGW legs",
	.desc = tls_desc, .n = TLS_CTR__COUNT, .values = tls_values,
};

/* dp/tls/tls_keys's (struct tls_keys_stats), and cp's TLS messages the
 * worker refused */
static const struct dp_ctrs_desc tls_keys_desc[] = {
	{ "tickets_set", DP_CTRS_COUNTER, "Ticket key sets taken from cp" },
	{ "ticket_generation", DP_CTRS_GAUGE, "The current ticket key set's generation (cp's count)" },
	{ "tickets_issued", DP_CTRS_COUNTER, "Tickets encrypted with the current key" },
	{ "tickets_resumed", DP_CTRS_COUNTER, "Tickets decrypted with the current key" },
	{ "tickets_renewed", DP_CTRS_COUNTER, "Tickets decrypted with an older key: reissued" },
	{ "tickets_unknown", DP_CTRS_COUNTER, "Tickets whose key is not in the set: full handshake" },
	{ "psk_found", DP_CTRS_COUNTER, "Handshakes on an external PSK" },
	{ "psk_unknown", DP_CTRS_COUNTER, "PSK identities not in the table" },
	{ "psk_full", DP_CTRS_COUNTER, "PSKs refused: the table full" },
	{ "psk_errors", DP_CTRS_COUNTER, "PSK sessions that could not be made" },
	{ "psk_count", DP_CTRS_GAUGE, "External PSK identities installed (a level)" },
	{ "refused", DP_CTRS_COUNTER, "cp's ticket key and PSK messages refused" },
};
#define TLS_KEYS_N (sizeof(tls_keys_desc) / sizeof(tls_keys_desc[0]))

static void
tls_keys_values(const struct dp_worker *w, uint64_t *v)
{
	const struct tls_keys_stats *s;

	memset(v, 0, TLS_KEYS_N * sizeof(v[0]));
	if (w->tls_keys == NULL)
		return;
	s = tls_keys_stats(w->tls_keys);
	v[0] = s->tickets_set;
	v[1] = s->ticket_generation;
	v[2] = s->tickets_issued;
	v[3] = s->tickets_resumed;
	v[4] = s->tickets_renewed;
	v[5] = s->tickets_unknown;
	v[6] = s->psk_found;
	v[7] = s->psk_unknown;
	v[8] = s->psk_full;
	v[9] = s->psk_errors;
	v[10] = s->psk_count;
	v[11] = w->tls_keys_refused;
}

const struct dp_ctrs_family tls_keys_ctrs = {
	.name = "tls_keys", .prefix = "tlskeys_",
	.help = "TLS session tickets under cp's keys and external PSKs (dp/tls/tls_keys)",
	.desc = tls_keys_desc, .n = TLS_KEYS_N, .values = tls_keys_values,
};

void
tls_leg_cred_expiry(struct dp_worker *w, const struct tls_cred *c)
{
	int64_t at = c != NULL ? tls_certs_not_after(c->cert, c->chain) : 0;

	if (w->tls != NULL && at > 0 && (w->tls->leg_not_after == 0 || at < w->tls->leg_not_after))
		w->tls->leg_not_after = at;
}

void
tls_not_after(const struct dp_worker *w, int64_t *turn, int64_t *leg)
{
	if (turn != NULL)
		*turn = w->tls != NULL ? w->tls->not_after : 0;
	if (leg != NULL)
		*leg = w->tls != NULL ? w->tls->leg_not_after : 0;
}

void
tls_stats(const struct dp_worker *w, FILE *out)
{
	uint64_t v[TLS_CTR__COUNT];

	if (w->tls == NULL)
		return;
	tls_values(w, v);
	fprintf(out, "tls worker=%u", w->id);
	for (unsigned int i = 0; i < TLS_CTR__COUNT; i++)
		fprintf(out, " %s=%" PRIu64, tls_ctr_names[i], v[i]);
	fprintf(out, " parked=%u deferred=%u async_jobs_max=%u async_jobs_peak=%u"
		" hs_step_max_us=%" PRIu64 " sessions_cached=%" PRIu64
		" key_update_rx_cycles=%" PRIu64 " key_update_rx_timed=%" PRIu64
		" key_update_rx_dropped=%" PRIu64 " key_update_tx_cycles=%" PRIu64
		" key_update_tx_timed=%" PRIu64 " key_update_tx_dropped=%" PRIu64 "\n",
		w->tls->nparked, w->tls->ndeferred, w->tls->jobs_max, w->tls->jobs_peak,
		w->tls->hs_step_max * 1000000u / rte_get_tsc_hz(),
		__atomic_load_n(&w->tls->sessions_cached, __ATOMIC_RELAXED),
		w->tls->ku_rx.cycles, w->tls->ku_rx.n, w->tls->ku_rx.dropped,
		w->tls->ku_tx.cycles, w->tls->ku_tx.n, w->tls->ku_tx.dropped);
}
