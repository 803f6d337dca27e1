/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dtls_srtp's tables (dtls_srtp.h): a worker's set-up and end, the
 * terminations as cp changes them (associations, roles, the answer's
 * fingerprints), ICE's and SRTP's hooks, the clock, what the operator is
 * told (a termination's line, the statistics line, the counters).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dtls_srtp_private.h"
#include "dtls_srtp_ssl.h"
#include "tls_async_job.h"
#include "tls_ctx.h"
#include "tp_log.h"
#include "tw.h"

static const char *const state_names[DTLS_SRTP_ST__COUNT] = {
#define DTLS_SRTP_STATE(e, n) [DTLS_SRTP_ST_##e] = n,
#include "dtls_srtp_states.def"
#undef DTLS_SRTP_STATE
};


const char *
dtls_srtp_state_name(unsigned int state)
{
	return state < DTLS_SRTP_ST__COUNT ? state_names[state] : "?";
}

/* ---- set-up --------------------------------------------------------------- */

static void
gen_offer_free(struct dtls_srtp_gen_offer *o)
{
	if (o == NULL)
		return;
	tls_ctx_free(o->ctx);
	free(o);
}

/* The orphans' jobs run to their end (the offload calls back within its
 * own time): the ring goes only once none is paused, or a late callback
 * would write into freed memory. Waits DTLS_SRTP_ORPHAN_WAIT_MS at most;
 * past it the ring and the orphans are left, not freed (said). */
#define DTLS_SRTP_ORPHAN_WAIT_MS 2000u

static bool
orphans_end(struct dtls_srtp_worker *ds)
{
	for (unsigned int i = 0; ds->norphans > 0 && i < DTLS_SRTP_ORPHAN_WAIT_MS * 10u; i++) {
		dsh_async_poll(ds);
		if (ds->norphans > 0)
			usleep(100);
	}
	if (ds->norphans == 0)
		return true;
	tp_log(TP_LOG_ERR, "worker %u: DTLS-SRTP: %u handshakes' async jobs did not end: "
	       "left\n", ds->w->id, ds->norphans);
	return false;
}

static void
ds_free(struct dtls_srtp_worker *ds)
{
	if (ds->pool != NULL)
		for (uint32_t i = 0; i < ds->npool; i++)
			dsh_free(ds, &ds->pool[i]);
	if (ds->aring != NULL && orphans_end(ds))
		rte_free(ds->aring);
	rte_free(ds->jw_buf);
	while (ds->dq != NULL && ds->dq_n > 0) {
		rte_pktmbuf_free(ds->dq[ds->dq_head].m);
		ds->dq_head = (ds->dq_head + 1) & ds->dq_mask;
		ds->dq_n--;
	}
	if (ds->terms != NULL)
		memset(ds->terms, 0, sizeof(*ds->terms) * ds->nterms);
	rte_free(ds->dq);
	rte_free(ds->pw);
	rte_free(ds->free);
	rte_free(ds->pool);
	rte_free(ds->terms);
	dtls_cookie_key_free(&ds->key);
	if (ds->ctx != NULL)
		tls_ctx_free(ds->ctx);
	if (ds->ctx_prev != NULL)
		tls_ctx_free(ds->ctx_prev);
	gen_offer_free(__atomic_exchange_n(&ds->offer, NULL, __ATOMIC_ACQ_REL));
	rte_free(ds);
}

/* OpenSSL's async callback (any thread): the SSL onto ds's ring. */
static int
async_cb(SSL *s, void *arg)
{
	struct dtls_srtp_worker *ds = arg;

	return tls_async_wake(ds->aring, &ds->aring_full, s);
}

/* The context of cred's generation: every profile dp's SRTP keys (each
 * SSL narrowed to its termination's), our cookie's callbacks; with an
 * offload, its library context and properties, SSL_MODE_ASYNC and ds's
 * async callback (without one, no async: a job around every step would
 * cost and nothing could pause). */
static SSL_CTX *
ctx_make(struct dtls_srtp_worker *ds, const struct tls_cred *cred, char *err, size_t errlen)
{
	bool async = ds->conf.async_jobs > 0;
	SSL_CTX *c = dtls_srtp_ctx_create(ds->conf.tls, cred, DTLS_SRTP_DP_PROFILES,
					  async ? ds->conf.libctx : NULL,
					  async ? ds->conf.propq : NULL, err, errlen);

	if (c == NULL)
		return NULL;
	SSL_CTX_set_cookie_generate_cb(c, dsd_cookie_gen);
	SSL_CTX_set_cookie_verify_cb(c, dsd_cookie_verify);
	if (async) {
		SSL_CTX_set_mode(c, SSL_MODE_ASYNC);
		SSL_CTX_set_async_callback(c, async_cb);
		SSL_CTX_set_async_callback_arg(c, ds);
	}
	return c;
}

struct dtls_srtp_gen_offer *
dtls_srtp_gen_make(const struct dp_worker *w, const struct tls_cred *cred, uint16_t gen,
		   char *err, size_t errlen)
{
	struct dtls_srtp_worker *ds = w->dtls_srtp;
	struct dtls_srtp_gen_offer *o;

	if (ds == NULL || cred == NULL) {
		snprintf(err, errlen, "agw.dtls: not set up on worker %u", w->id);
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		snprintf(err, errlen, "agw.dtls: no memory");
		return NULL;
	}
	o->ctx = ctx_make(ds, cred, err, errlen);
	if (o->ctx == NULL) {
		free(o);
		return NULL;
	}
	o->gen = gen;
	return o;
}

void
dtls_srtp_gen_offer(struct dp_worker *w, struct dtls_srtp_gen_offer *o)
{
	if (w->dtls_srtp == NULL) {
		gen_offer_free(o);
		return;
	}
	gen_offer_free(__atomic_exchange_n(&w->dtls_srtp->offer, o, __ATOMIC_ACQ_REL));
}

void
dtls_srtp_gen_free(struct dtls_srtp_gen_offer *o)
{
	gen_offer_free(o);
}

/* The worker takes what was offered: the current generation becomes the
 * one before, the one before goes (its SSLs in flight hold it still:
 * SSL_new()'s reference). */
static void
gen_take(struct dtls_srtp_worker *ds)
{
	struct dtls_srtp_gen_offer *o;

	if (__atomic_load_n(&ds->offer, __ATOMIC_RELAXED) == NULL)
		return;
	o = __atomic_exchange_n(&ds->offer, NULL, __ATOMIC_ACQ_REL);
	if (o == NULL)
		return;
	if (ds->ctx_prev != NULL)
		tls_ctx_free(ds->ctx_prev);
	ds->ctx_prev = ds->ctx;
	ds->ctx = o->ctx;
	ds->gen = o->gen;
	ds->reloaded++;
	free(o);
}

SSL_CTX *
dsd_ctx_of(struct dtls_srtp_worker *ds, uint16_t gen)
{
	if (gen == 0 || gen == ds->gen)
		return ds->ctx;
	/* a termination named a generation offered but not yet taken */
	gen_take(ds);
	if (gen == ds->gen)
		return ds->ctx;
	if (gen == (uint16_t)(ds->gen - 1u) && ds->ctx_prev != NULL)
		return ds->ctx_prev;
	return NULL;
}

/* The offload's ring (one wake-up a paused job: room for each job of
 * the thread's pool, and each entry's) and the job-wait list's datagrams.
 * Heap memory, no memzone: a ring of this worker's alone. */
static int
async_init(struct dtls_srtp_worker *ds)
{
	uint32_t n = 64;
	ssize_t sz;

	while (n < ds->conf.async_jobs || n < 2u * ds->npool)
		n <<= 1;
	sz = rte_ring_get_memsize_elem(sizeof(SSL *), n);
	if (sz < 0)
		return -EINVAL;
	ds->aring = rte_zmalloc("dtls_srtp_async", (size_t)sz, RTE_CACHE_LINE_SIZE);
	ds->jw_buf = rte_malloc("dtls_srtp_jobwait", (size_t)ds->npool * DTLS_SRTP_JW_MAX, 0);
	if (ds->aring == NULL || ds->jw_buf == NULL ||
	    rte_ring_init(ds->aring, "dtls_srtp_async", n, RING_F_SC_DEQ) != 0)
		return -ENOMEM;
	return 0;
}

int
dtls_srtp_worker_init(struct dp_worker *w, const struct dtls_srtp_conf *conf,
		      const struct dtls_srtp_ops *ops, char *err, size_t errlen)
{
	struct dtls_srtp_worker *ds;
	uint32_t qsize = 2;

	if (conf == NULL || conf->tls == NULL || conf->cred == NULL || conf->terms == 0 ||
	    ops == NULL || ops->keys == NULL || ops->src_ok == NULL || ops->event == NULL) {
		snprintf(err, errlen, "agw.dtls: no certificate, terminations or seam");
		return -EINVAL;
	}
	if (dtls_io_get() < 0) {
		snprintf(err, errlen, "agw.dtls: no BIO method");
		return -ENOMEM;
	}
	ds = rte_zmalloc("dtls_srtp", sizeof(*ds), RTE_CACHE_LINE_SIZE);
	if (ds == NULL)
		goto out_nomem;
	ds->w = w;
	ds->ops = ops;
	ds->conf = *conf;
	if (ds->conf.handshakes == 0)
		ds->conf.handshakes = DTLS_SRTP_HANDSHAKES;
	if (ds->conf.handshake_timeout_ms == 0)
		ds->conf.handshake_timeout_ms = DTLS_SRTP_HS_TIMEOUT_MS;
	if (ds->conf.linger_ms == 0)
		ds->conf.linger_ms = DTLS_SRTP_LINGER_MS;
	if (ds->conf.verify_wait_ms == 0)
		ds->conf.verify_wait_ms = DTLS_SRTP_VERIFY_WAIT_MS;
	if (ds->conf.attempts == 0)
		ds->conf.attempts = DTLS_SRTP_ATTEMPTS;
	ds->gen = conf->gen != 0 ? conf->gen : 1u;
	ds->ctx = ctx_make(ds, conf->cred, err, errlen);
	if (ds->ctx == NULL)
		goto out_free;
	if (dtls_cookie_key_init(&ds->key, NULL, dtls_cookie_slot(w->now_ms / 1000u)) < 0) {
		snprintf(err, errlen, "agw.dtls: no cookie key");
		goto out_free;
	}
	ds->nterms = conf->terms;
	ds->npool = ds->conf.handshakes;
	while (qsize < 2u * ds->npool)
		qsize <<= 1;
	ds->dq_mask = qsize - 1;
	ds->terms = rte_zmalloc("dtls_srtp_terms", sizeof(*ds->terms) * ds->nterms,
				RTE_CACHE_LINE_SIZE);
	ds->pool = rte_zmalloc("dtls_srtp_pool", sizeof(*ds->pool) * ds->npool,
			       RTE_CACHE_LINE_SIZE);
	ds->free = rte_malloc("dtls_srtp_free", sizeof(*ds->free) * ds->npool, 0);
	ds->dq = rte_zmalloc("dtls_srtp_defer", sizeof(*ds->dq) * qsize, RTE_CACHE_LINE_SIZE);
	/* (a termination waits once: nterms entries, a power of two) */
	qsize = 64;
	while (qsize < ds->nterms)
		qsize <<= 1;
	ds->pw_mask = qsize - 1;
	ds->pw = rte_malloc("dtls_srtp_pool_wait", sizeof(*ds->pw) * qsize, 0);
	if (ds->terms == NULL || ds->pool == NULL || ds->free == NULL || ds->dq == NULL ||
	    ds->pw == NULL)
		goto out_nomem_free;
	if (ds->conf.async_jobs > 0 && async_init(ds) < 0)
		goto out_nomem_free;
	for (uint32_t i = 0; i < ds->npool; i++) {
		ds->pool[i].ds = ds;
		ds->free[ds->nfree++] = ds->npool - 1 - i;
	}
	tw_init(&ds->wheel, w->now_ms);
	dp_hs_budget_set(w, conf->budget_us);
	w->dtls_srtp = ds;
	return 0;
out_nomem_free:
	snprintf(err, errlen, "agw.dtls: no memory for %u terminations and %u handshakes",
		 ds->nterms, ds->npool);
out_free:
	ds_free(ds);
	dtls_io_put();
	return -ENOMEM;
out_nomem:
	snprintf(err, errlen, "agw.dtls: no memory");
	dtls_io_put();
	return -ENOMEM;
}

void
dtls_srtp_worker_free(struct dp_worker *w)
{
	if (w->dtls_srtp == NULL)
		return;
	ds_free(w->dtls_srtp);
	w->dtls_srtp = NULL;
	dtls_io_put();
}

/* ---- terminations ---------------------------------------------------------- */

static int
cfg_check(const struct dtls_srtp_term_cfg *c)
{
	if (c->role > DTLS_SRTP_ROLE_EITHER || (c->flags & ~DTLS_SRTP_F_ALL) != 0)
		return -EINVAL;
	if (c->role == DTLS_SRTP_ROLE_NONE)
		return 0;
	if ((c->profiles & ~DTLS_SRTP_ALL) != 0 || (c->profiles & DTLS_SRTP_DP_PROFILES) == 0)
		return -EINVAL;
	/* the answer's fingerprints, or none while we wait for it */
	if (c->nfp > TLS_LEG_FP_MAX || (c->nfp == 0) != (c->role == DTLS_SRTP_ROLE_EITHER))
		return -EINVAL;
	for (unsigned int i = 0; i < c->nfp; i++)
		if (certfp_alg_name((enum certfp_alg)c->fp[i].alg) == NULL ||
		    c->fp[i].len != certfp_alg_len((enum certfp_alg)c->fp[i].alg))
			return -EINVAL;
	if (c->local.family != 4 && c->local.family != 6)
		return -EINVAL;
	return 0;
}

/* What was under way on t goes (a new association, the termination's
 * end): its handshake, held keys, queued datagrams. */
static void
term_reset(struct dtls_srtp_worker *ds, uint32_t idx)
{
	struct dtls_term *t = &ds->terms[idx];
	struct dtls_hs *h = dsh_of(ds, t);

	if (h != NULL)
		dsh_free(ds, h);
	dsd_drop_term(ds, idx);
	t->state = DTLS_SRTP_ST_NONE;
	t->why = TLS_FAIL_NONE;
	t->attempts = 0;
	t->role = DTLS_SRTP_ROLE_NONE;
	t->matched = -1;
	t->profile = t->version = 0;
	t->cipher = NULL;
	memset(&t->peer, 0, sizeof(t->peer));
	memset(&t->seen, 0, sizeof(t->seen));
}

/* A client's start: at once without ICE (to the remote), else towards the
 * source ICE checked, when one did. */
static void
client_go(struct dtls_srtp_worker *ds, uint32_t idx)
{
	struct dtls_term *t = &ds->terms[idx];

	if (!(t->cfg.flags & DTLS_SRTP_F_ICE))
		dsh_client(ds, idx, &t->cfg.remote, false);
	else if (t->has_checked)
		dsh_client(ds, idx, &t->checked, false);
}

bool
dsd_pool_wait(struct dtls_srtp_worker *ds, uint32_t idx)
{
	struct dtls_term *t = &ds->terms[idx];

	if (t->pool_wait)
		return true;
	if (ds->pw_n > ds->pw_mask)
		return false;
	ds->pw[(ds->pw_head + ds->pw_n) & ds->pw_mask] = idx;
	ds->pw_n++;
	t->pool_wait = 1;
	return true;
}

/*
 * The clients that waited for the pool, first in first out, while an
 * entry is free (or a lingering one can go): each started again as its
 * termination says now (client_go(): the budget's queue still applies),
 * if it still wants a handshake. One that finds the pool full again
 * waits at the ring's end; a pass serves at most those waiting at its
 * start. A termination that went (its state cleared) is skipped.
 */
static void
pool_serve(struct dtls_srtp_worker *ds)
{
	uint32_t n = ds->pw_n;

	while (n-- > 0 && ds->pw_n > 0 && (ds->nfree > 0 || ds->lingering.head != 0)) {
		uint32_t idx = ds->pw[ds->pw_head];
		struct dtls_term *t = &ds->terms[idx];

		ds->pw_head = (ds->pw_head + 1) & ds->pw_mask;
		ds->pw_n--;
		if (!t->pool_wait)
			continue;
		t->pool_wait = 0;
		if (t->cfg.role == DTLS_SRTP_ROLE_CLIENT && t->hs == 0 &&
		    t->state == DTLS_SRTP_ST_WAIT)
			client_go(ds, idx);
	}
}

int
dtls_srtp_term_set(struct dp_worker *w, uint32_t idx, const struct dtls_srtp_term_cfg *cfg)
{
	struct dtls_srtp_worker *ds = w->dtls_srtp;
	struct dtls_term *t;
	struct dtls_hs *h;
	uint8_t old_role;
	int rc;

	if (ds == NULL || idx >= ds->nterms)
		return -ERANGE;
	rc = cfg_check(cfg);
	if (rc < 0)
		return rc;
	if (cfg->role == DTLS_SRTP_ROLE_NONE) {
		dtls_srtp_term_gone(w, idx);
		return 0;
	}
	t = &ds->terms[idx];
	if (t->state == DTLS_SRTP_ST_NONE || cfg->assoc != t->cfg.assoc) {
		/* RFC 8842: another association (a new fingerprint or
		 * tls-id, either side): a new handshake; the keys of the old
		 * one serve until the new ones are installed */
		bool restored = t->state == DTLS_SRTP_ST_NONE && (cfg->flags & DTLS_SRTP_F_KEYS);

		term_reset(ds, idx);
		t->cfg = *cfg;
		t->changed_ms = w->now_ms;
		if (restored) {
			/* a restarted dp's termination with the association's
			 * keys (cp kept them, RFC 8842: the peer goes on under
			 * them): up, no handshake asked of the peer */
			t->state = DTLS_SRTP_ST_UP;
			return 0;
		}
		t->state = DTLS_SRTP_ST_WAIT;
		if (cfg->role == DTLS_SRTP_ROLE_CLIENT)
			client_go(ds, idx);
		return 0;
	}
	/* the same association: its state and keys stay */
	old_role = t->cfg.role;
	t->cfg = *cfg;
	h = dsh_of(ds, t);
	if (h != NULL)
		h->serial = cfg->serial;
	if (old_role != DTLS_SRTP_ROLE_EITHER || cfg->role == DTLS_SRTP_ROLE_EITHER)
		return 0;
	/* the answer to our actpass offer */
	if (cfg->role == DTLS_SRTP_ROLE_CLIENT) {
		/* a=setup:passive: we are the client; a handshake we served
		 * meanwhile was the peer's mistake (RFC 5763 §5) */
		if (h != NULL || t->state == DTLS_SRTP_ST_VERIFY_WAIT)
			dsh_fail(ds, idx, TLS_FAIL_ROLE_CONFLICT);
		if (t->hs == 0)
			client_go(ds, idx);
		return 0;
	}
	/* a=setup:active: we serve; a handshake done waits for this */
	dsh_verify(ds, idx);
	return 0;
}

void
dtls_srtp_term_gone(struct dp_worker *w, uint32_t idx)
{
	struct dtls_srtp_worker *ds = w->dtls_srtp;
	struct dtls_term *t;
	uint8_t pw;

	if (ds == NULL || idx >= ds->nterms)
		return;
	t = &ds->terms[idx];
	pw = t->pool_wait;           /* (still in the ring: the ring's mark) */

	term_reset(ds, idx);
	memset(t, 0, sizeof(*t));
	t->pool_wait = pw;
}

void
dtls_srtp_checked(struct dp_worker *w, uint32_t idx, const struct ipc_addr *src)
{
	struct dtls_srtp_worker *ds = w->dtls_srtp;
	struct dtls_term *t;

	if (ds == NULL || idx >= ds->nterms)
		return;
	t = &ds->terms[idx];
	t->checked = *src;
	t->has_checked = 1;
	if (t->cfg.role == DTLS_SRTP_ROLE_CLIENT && t->hs == 0 && t->state == DTLS_SRTP_ST_WAIT &&
	    (t->cfg.flags & DTLS_SRTP_F_ICE))
		dsh_client(ds, idx, src, false);
}

void
dtls_srtp_srtp_seen(struct dp_worker *w, uint32_t idx)
{
	struct dtls_srtp_worker *ds = w->dtls_srtp;
	struct dtls_hs *h;

	if (ds == NULL || idx >= ds->nterms)
		return;
	h = dsh_of(ds, &ds->terms[idx]);
	if (h != NULL && h->state == DTLS_HS_LINGER) {
		ds->ctr[DTLS_SRTP_CTR_LINGER_SRTP]++;
		dsh_free(ds, h);
	}
}

void
dtls_srtp_clock(struct dp_worker *w, uint64_t now_ms)
{
	struct dtls_srtp_worker *ds = w->dtls_srtp;

	if (ds == NULL)
		return;
	gen_take(ds);
	/* the timers first: a handshake past its deadline ends, whether or
	 * not its wake-up waits in the ring (its SSL then an orphan) */
	if (tw_count(&ds->wheel) > 0)
		tw_advance(&ds->wheel, now_ms);
	if (ds->aring != NULL)
		dsh_async_poll(ds);
	if (ds->dq_n > 0)
		dsd_serve(ds);
	if (ds->pw_n > 0)
		pool_serve(ds);
}

/* ---- what the operator is told ----------------------------------------------- */

static const char *
profile_name(unsigned int id)
{
	switch (id) {
	case DTLS_SRTP_ID_AES128_CM_SHA1_80:
		return "SRTP_AES128_CM_SHA1_80";
	case DTLS_SRTP_ID_AES128_CM_SHA1_32:
		return "SRTP_AES128_CM_SHA1_32";
	case DTLS_SRTP_ID_AEAD_AES_128_GCM:
		return "SRTP_AEAD_AES_128_GCM";
	case DTLS_SRTP_ID_AEAD_AES_256_GCM:
		return "SRTP_AEAD_AES_256_GCM";
	}
	return "?";
}

int
dtls_srtp_term_describe(const struct dp_worker *w, uint32_t idx, char *buf, size_t len)
{
	const struct dtls_srtp_worker *ds = w->dtls_srtp;
	const struct dtls_term *t;

	if (ds == NULL || idx >= ds->nterms)
		return snprintf(buf, len, "none");
	t = &ds->terms[idx];
	switch (t->state) {
	case DTLS_SRTP_ST_UP:
		return snprintf(buf, len, "up, role %s, DTLSv1.2 %s, %s, fingerprint %d of %u "
				"matched, assoc %" PRIu32,
				t->role == DTLS_SRTP_ROLE_CLIENT ? "client" : "server",
				t->cipher != NULL ? SSL_CIPHER_get_name(t->cipher) : "?",
				profile_name(t->profile), t->matched + 1, t->cfg.nfp,
				t->cfg.assoc);
	case DTLS_SRTP_ST_FAILED:
		return snprintf(buf, len, "failed (%u attempt%s) %s, assoc %" PRIu32,
				t->attempts, t->attempts == 1 ? "" : "s", tls_fail_name(t->why),
				t->cfg.assoc);
	default:
		return snprintf(buf, len, "%s, assoc %" PRIu32, dtls_srtp_state_name(t->state),
				t->cfg.assoc);
	}
}

/* ---- counters to cp (dp_ctrs.h) -------------------------------------------------- */

#define NCTRS (DTLS_SRTP_CTR__COUNT + TLS_FAIL__COUNT - 1)

/* The failures by reason (fail_<why>, tls_fails.def, but NONE's: the
 * family starts past it), then the counters: made by the preprocessor,
 * so that the family is whole when the registry takes it, before any
 * worker's set-up. */
static const struct dp_ctrs_desc ds_desc[TLS_FAIL__COUNT + DTLS_SRTP_CTR__COUNT] = {
#define TLS_FAIL(e, n) [TLS_FAIL_##e] = { "fail_" n, DP_CTRS_COUNTER, \
					 "Handshakes failed: " n " (tls_fails.def)" },
#include "tls_fails.def"
#undef TLS_FAIL
#define DTLS_SRTP_CTR(e, n, h) [TLS_FAIL__COUNT + DTLS_SRTP_CTR_##e] = { n, DP_CTRS_COUNTER, h },
#include "dtls_srtp_counters.def"
#undef DTLS_SRTP_CTR
};

static void
ds_values(const struct dp_worker *w, uint64_t *out)
{
	const struct dtls_srtp_worker *ds = w->dtls_srtp;

	for (unsigned int k = 1; k < TLS_FAIL__COUNT; k++)
		out[k - 1] = ds != NULL ? ds->fail[k] : 0;
	for (unsigned int k = 0; k < DTLS_SRTP_CTR__COUNT; k++)
		out[TLS_FAIL__COUNT - 1 + k] = ds != NULL ? ds->ctr[k] : 0;
}

const struct dp_ctrs_family dtls_srtp_ctrs = {
	.name = "dtls_srtp", .prefix = "dsrtp_",
	.help = "DTLS-SRTP on RTP terminations (dtls_srtp_counters.def): refusals by gate, "
		"handshakes, keys, failures by reason",
	.desc = ds_desc + 1, .n = NCTRS, .values = ds_values,
};

void
dtls_srtp_print(const struct dp_worker *w, FILE *out)
{
	static const char *const ctr_names[DTLS_SRTP_CTR__COUNT] = {
#define DTLS_SRTP_CTR(e, n, h) [DTLS_SRTP_CTR_##e] = n,
#include "dtls_srtp_counters.def"
#undef DTLS_SRTP_CTR
	};
	const struct dtls_srtp_worker *ds = w->dtls_srtp;

	if (ds == NULL)
		return;
	fprintf(out, "dtls_srtp worker=%u terms=%u pool=%u in_flight=%u lingering=%u held=%u "
		"deferred=%u async_parked_now=%u async_jobwait=%u async_orphans_now=%u "
		"async_ring_full=%" PRIu64, w->id, ds->nterms, ds->npool, ds->npool - ds->nfree,
		ds->lingering.n, ds->nheld, ds->dq_n, ds->nparked, ds->jobwait.n, ds->norphans,
		__atomic_load_n(&ds->aring_full, __ATOMIC_RELAXED));
	for (unsigned int k = 0; k < DTLS_SRTP_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, ctr_names[k], ds->ctr[k]);
	for (unsigned int k = 1; k < TLS_FAIL__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, ds_desc[k].name, ds->fail[k]);
	fputc('\n', out);
}
