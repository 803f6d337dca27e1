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
#include <string.h>

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dtls_srtp_private.h"
#include "dtls_srtp_ssl.h"
#include "tls_ctx.h"
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
ds_free(struct dtls_srtp_worker *ds)
{
	if (ds->pool != NULL)
		for (uint32_t i = 0; i < ds->npool; i++)
			dsh_free(ds, &ds->pool[i]);
	while (ds->dq != NULL && ds->dq_n > 0) {
		rte_pktmbuf_free(ds->dq[ds->dq_head].m);
		ds->dq_head = (ds->dq_head + 1) & ds->dq_mask;
		ds->dq_n--;
	}
	if (ds->terms != NULL)
		memset(ds->terms, 0, sizeof(*ds->terms) * ds->nterms);
	rte_free(ds->dq);
	rte_free(ds->free);
	rte_free(ds->pool);
	rte_free(ds->terms);
	dtls_cookie_key_free(&ds->key);
	if (ds->ctx != NULL)
		tls_ctx_free(ds->ctx);
	rte_free(ds);
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
	ds->ctx = dtls_srtp_ctx_create(conf->tls, conf->cred, DTLS_SRTP_DP_PROFILES, NULL, NULL,
				       err, errlen);
	if (ds->ctx == NULL)
		goto out_free;
	SSL_CTX_set_cookie_generate_cb(ds->ctx, dsd_cookie_gen);
	SSL_CTX_set_cookie_verify_cb(ds->ctx, dsd_cookie_verify);
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
	if (ds->terms == NULL || ds->pool == NULL || ds->free == NULL || ds->dq == NULL)
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

	if (ds == NULL || idx >= ds->nterms)
		return;
	term_reset(ds, idx);
	memset(&ds->terms[idx], 0, sizeof(ds->terms[idx]));
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
	if (tw_count(&ds->wheel) > 0)
		tw_advance(&ds->wheel, now_ms);
	if (ds->dq_n > 0)
		dsd_serve(ds);
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
		"deferred=%u", w->id, ds->nterms, ds->npool, ds->npool - ds->nfree, ds->nlinger,
		ds->nheld, ds->dq_n);
	for (unsigned int k = 0; k < DTLS_SRTP_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, ctr_names[k], ds->ctr[k]);
	for (unsigned int k = 1; k < TLS_FAIL__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, ds_desc[k].name, ds->fail[k]);
	fputc('\n', out);
}
