/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS's part of dp's reload (dp_module.h reload; the thread and the file
 * are dp_reload.c's): TURN over TLS takes renewed certificates without a
 * restart, so no TCP or TLS connection, and no allocation, is lost to a
 * renewal. From the reloaded tls group every worker's TURN server context
 * is made again (certificate and key, the SNI ones, the lists;
 * tls_worker_ctx_new()), all or nothing: a certificate, key or list that
 * OpenSSL refuses for any worker changes nothing and is one error naming
 * the file, the line and why. Then each worker is offered its context
 * (tls_worker_ctx_offer()); its loop takes it within a pass, for the
 * connections it accepts from then on; those made before keep theirs.
 * Ticket keys and PSKs are cp's and stay (a ticket from before resumes).
 *
 * Not applied (a restart does; each named when it changed): the offload,
 * the record layer and its crypto, the handshake budget. The AGW legs keep
 * the certificate of the start: cp signals its fingerprint, read once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>

#include "certfp.h"
#include "dp.h"
#include "tls.h"
#include "tls_ctx.h"
#include "tp_conf.h"

/* name into buf (size bytes, *n used), comma-separated, when changed and
 * not the name just said (several fields share one). */
static void
say_changed(char *buf, size_t size, size_t *n, const char **last, bool changed,
	    const char *name)
{
	if (!changed || *last == name || *n >= size)
		return;
	*n += (size_t)snprintf(buf + *n, size - *n, "%s%s", *n > 0 ? ", " : "", name);
	*last = name;
}

/* The settings of a worker rather than of its contexts stay as dp started
 * (the library context and properties are the start's anyway; a
 * context's own SSL_MODE_ASYNC follows tls.offload, and must match
 * them): t (the reloaded group) gets was's back, one field list for both
 * jobs, and the names of those the file changed go into buf,
 * comma-separated (empty: none). */
static void
keep_start_settings(const struct tp_conf_tls *was, struct tp_conf_tls *t, char *buf,
		    size_t size)
{
	size_t n = 0;
	const char *last = NULL;
#define KEEP(f, name) do {						\
		say_changed(buf, size, &n, &last, was->f != t->f, name);	\
		t->f = was->f;						\
	} while (0)
#define KEEP_STR(f, name) do {						\
		say_changed(buf, size, &n, &last, strcmp(was->f, t->f) != 0, name); \
		memcpy(t->f, was->f, sizeof(t->f));			\
	} while (0)
	static const char offload[] = "tls.offload";

	buf[0] = '\0';
	KEEP(offload, offload);
	KEEP_STR(offload_provider, offload);
	KEEP_STR(offload_properties, offload);
	KEEP_STR(offload_engine, offload);
	KEEP(offload_poll_external, offload);
	KEEP(offload_jobs, offload);
	KEEP(record_openssl, "tls.record_layer");
	KEEP(record_crypto, "tls.record_crypto");
	KEEP(handshake_budget_us, "tls.handshake_budget_us");
#undef KEEP_STR
#undef KEEP
}

int
tls_reload(struct dp_ctx *ctx, struct tp_conf *next)
{
	SSL_CTX *made[DP_MAX_WORKERS] = { NULL };
	const char *path = ctx->conf->path;
	struct tp_conf_tls *nt = &next->tls;
	unsigned int nworkers = 0;
	char err[768], later[256] = "", fp[CERTFP_STR_MAX + 64] = "no fingerprint";
	char until[96] = "";
	int64_t not_after = 0, leg_not_after = 0;
	struct certfp f;
	if (!ctx->conf->tls.enabled) {
		tp_log(TP_LOG_NOTICE, "reload: dp started without a tls group: nothing to "
		       "reload (a restart applies one)\n");
		return 0;
	}
	if (!next->tls.enabled) {
		tp_log(TP_LOG_ERR, "reload: %s has no tls group now; TLS keeps its "
		       "certificates (a restart without TLS would drop it)\n", path);
		goto failed;
	}
	keep_start_settings(&ctx->conf->tls, nt, later, sizeof(later));
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];

		if (w->tls == NULL)
			continue;
		made[i] = tls_worker_ctx_new(w, nt, err, sizeof(err));
		if (made[i] == NULL) {
			tp_log(TP_LOG_ERR, "reload: %s:%s; nothing changed\n", path, err);
			goto failed;
		}
		if (nworkers++ == 0) {
			/* what the operator checks the renewal by (RFC 8122's
			 * form), of the certificate the contexts hold */
			X509 *x = SSL_CTX_get0_certificate(made[i]);

			if (x == NULL || certfp_of_x509(x, CERTFP_SHA256, &f) < 0 ||
			    certfp_format(&f, fp, sizeof(fp)) < 0)
				snprintf(fp, sizeof(fp), "no fingerprint");
			not_after = tls_ctx_not_after(made[i]);
			/* (the legs': set at start, never since) */
			tls_not_after(w, NULL, &leg_not_after);
		}
	}
	if (nworkers == 0) {
		tp_log(TP_LOG_NOTICE, "reload: no worker serves TLS: nothing to reload\n");
		return 0;
	}
	for (unsigned int i = 0; i < ctx->nworkers; i++)
		if (made[i] != NULL) {
			tls_worker_ctx_offer(ctx->workers[i], made[i]);
			made[i] = NULL;
		}
	tls_expiry_say(not_after, (int64_t)time(NULL), until, sizeof(until));
	tp_log(TP_LOG_NOTICE, "reload: TURN over TLS serves tls.certificate '%s' (%s) and "
	       "%u SNI certificate(s) on %u worker(s) from now on (the first of them %s); "
	       "connections made before keep theirs; the AGW legs keep the start's\n",
	       nt->cert.certificate, fp, nt->nsni, nworkers,
	       until[0] != '\0' ? until : "with no date");
	if (ctx->conf->turn.nlisten_tls > 0)
		tls_expiry_warn(TLS_EXPIRY_TURN_FIRST, not_after, TLS_EXPIRY_TURN_RENEW);
	/* (the legs' may be the one renewed: it stays until a restart) */
	tls_expiry_warn(TLS_EXPIRY_LEGS_FIRST, leg_not_after, TLS_EXPIRY_LEGS_RENEW);
	if (later[0] != '\0')
		tp_log(TP_LOG_WARNING, "reload: %s changed: applied at the next start\n",
		       later);
	return 0;
failed:
	for (unsigned int i = 0; i < ctx->nworkers; i++)
		tls_ctx_free(made[i]);
	return -EINVAL;
}
