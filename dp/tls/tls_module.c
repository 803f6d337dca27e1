/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS as one of dp's modules (dp_module.h): each worker's ticket keys and
 * PSKs (made with the worker, whether or not it serves TLS, so that what
 * cp sends is taken alike on every box), the kinds of cp's messages that
 * carry them, OpenSSL's async pool on the worker's thread, what the
 * certificates say of their expiry once everything is set up, the heap's
 * baseline, the counters and the statistics line. The contexts and
 * connections themselves are made by the modules that serve TLS (TURN
 * over TLS, the gateway's legs: tls_worker_init()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "dp.h"
#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "ipc.h"
#include "tls.h"
#include "tls_ctx.h"
#include "tls_keys.h"
#include "tls_mem.h"

void
tls_expiry_warn(const char *what, int64_t not_after, const char *then)
{
	char say[96];
	int rc = tls_expiry_say(not_after, (int64_t)time(NULL), say, sizeof(say));

	if (rc == 2)
		tp_log(TP_LOG_ERR, "tls: %s %s: clients that check dates may refuse it; %s\n",
		       what, say, then);
	else if (rc == 1)
		tp_log(TP_LOG_WARNING, "tls: %s %s; %s\n", what, say, then);
}

/* --check: what OpenSSL says of the tls group (files, key, lists,
 * provider), as a worker's start would. */
static int
tls_check(const struct tp_conf *conf)
{
	const char *propq = NULL;
	OSSL_LIB_CTX *lc = NULL;
	SSL_CTX *sc = NULL;
	char err[768];

	if (!conf->tls.enabled)
		return 0;
	if (conf->tls.offload != TP_TLS_OFFLOAD_ENGINE) {
		lc = tls_libctx_create(&conf->tls, &propq, err, sizeof(err));
		if (lc == NULL)
			goto fail;
	}
	sc = tls_ctx_create(&conf->tls, lc, propq, err, sizeof(err));
	if (sc == NULL)
		goto fail;
	tls_expiry_warn("a certificate of the tls group (the first to expire)",
			tls_ctx_not_after(sc), "renew it before it does");
	tls_ctx_free(sc);
	tls_libctx_free(lc);
	return 0;
fail:
	tls_libctx_free(lc);
	tp_log(TP_LOG_ERR, "%s:%s\n", conf->path, err);
	return -EINVAL;
}

static int
tls_keys_create(struct dp_worker *w)
{
	/* Plain heap (OpenSSL's callbacks read it, on this worker only). */
	w->tls_keys = tls_keys_new(IPC_TLS_PSK_MAX);
	if (w->tls_keys == NULL) {
		tp_log(TP_LOG_ERR, "worker %u: cannot create its TLS key table\n", w->id);
		return -ENOMEM;
	}
	return 0;
}

/* Ticket keys and PSKs from cp for this worker's TLS (tls_keys.h): a PSK
 * cp has more of than the table holds, or a DEL of one this worker never
 * had, is counted and changes nothing. */
static void
tls_keys_from_cp(struct dp_worker *w, const struct ipc_msg *msg)
{
	if (w->tls_keys == NULL ||
	    tls_keys_apply(w->tls_keys, msg->h.kind, msg->body, msg->h.body_len) < 0)
		w->tls_keys_refused++;
}

static int
tls_setup(struct dp_ctx *ctx)
{
	static const uint16_t kinds[] = {
		IPC_TLS_TICKETS, IPC_TLS_PSK_ADD, IPC_TLS_PSK_DEL, IPC_TLS_PSK_SYNC,
	};

	/* live SSLs counted from the first (tls_mem.h) */
	tls_mem_init();
	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (dp_cp_on_kind(ctx, kinds[i], tls_keys_from_cp) < 0)
			return -EINVAL;
	return 1;
}

/* Every TLS server is set up: what the first certificates to expire say
 * (each 0 where it is not served), and the heap with every context made,
 * against which what connections add is told (the statistics). */
static void
tls_ready(struct dp_ctx *ctx)
{
	if (ctx->nworkers > 0) {
		int64_t turn_na, leg_na;

		tls_not_after(ctx->workers[0], &turn_na, &leg_na);
		tls_expiry_warn(TLS_EXPIRY_TURN_FIRST, turn_na, TLS_EXPIRY_TURN_RENEW);
		tls_expiry_warn(TLS_EXPIRY_LEGS_FIRST, leg_na, TLS_EXPIRY_LEGS_RENEW);
	}
}

static void
tls_publish(const struct dp_worker *w, struct ipc_dp_stats *st)
{
	int64_t turn_na, leg_na;

	tls_not_after(w, &turn_na, &leg_na);
	st->tls_not_after = turn_na > 0 ? (uint64_t)turn_na : 0;
	st->tls_leg_not_after = leg_na > 0 ? (uint64_t)leg_na : 0;
}

/* dp's C heap, mostly OpenSSL's (tls_mem.h): now, once dp was up, the
 * live SSL objects and what each holds beyond the start's on average. */
static void
tls_print_head(const struct dp_ctx *ctx, FILE *out)
{
	int64_t now = tls_mem_bytes(), start = tls_mem_marked(), n = tls_mem_ssl_live();

	(void)ctx;
	fprintf(out, " heap_bytes=%" PRId64 " heap_at_start=%" PRId64 " ssl_live=%" PRId64,
		now, start, n);
	if (n > 0)
		fprintf(out, " heap_per_ssl=%" PRId64, (now - start) / n);
}

static void
tls_start(struct dp_ctx *ctx)
{
	(void)ctx;
	tls_mem_mark();
}

static void
tls_keys_destroy(struct dp_worker *w)
{
	tls_keys_free(w->tls_keys);
	w->tls_keys = NULL;
}

static const struct dp_ctrs_family *const tls_families[] = { &tls_keys_ctrs, &tls_ctrs, NULL };

const struct dp_module tls_module = {
	.name = "tls",
	.check = tls_check,
	.create = tls_keys_create,
	.setup = tls_setup,
	.ready = tls_ready,
	.start = tls_start,
	.thread_init = tls_worker_thread_init,
	.ctrs = tls_families,
	.reload = tls_reload,
	.publish = tls_publish,
	.print_head = tls_print_head,
	.print_stream = tls_stats,
	.free = tls_keys_destroy,
};
