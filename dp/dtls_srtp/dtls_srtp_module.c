/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dtls_srtp as one of dp's modules (dp_module.h) and its seam into
 * dp/rtp and lib/ipc (issue 68's slice 4). With the RTP terminations
 * (an agw group with media_ports): one certificate for the process
 * (agw.dtls's files, else an ECDSA P-256 one made at start), each
 * worker's engine (dtls_srtp_worker_init()), dp/rtp's ops (registered as
 * each worker is made, before dp/rtp's set-up takes them): cp's
 * ipc_rtp_term.dtls made the engine's struct dtls_srtp_term_cfg, a DTLS
 * datagram, ICE's check and the first SRTP handed on; the engine's seam
 * answered by dp/rtp (rtp_term_srtp_keys(), rtp_term_src_ok()); what the
 * engine tells (struct dtls_srtp_event) queued as RTP_DTLS and sent from
 * the sweep while the ring to cp keeps DP_CP_HEADROOM, each body wiped
 * once sent (UP's carries the keys); DTLS_CERT, the fingerprints dp
 * serves, from worker 0 to each cp (a restarted cp: another epoch).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <rte_malloc.h>

#include "dp.h"
#include "dp_cp.h"
#include "dp_module.h"
#include "dtls_srtp.h"
#include "dtls_srtp_module.h"
#include "dtls_srtp_ssl.h"
#include "ipc.h"
#include "rtp_dp.h"
#include "tls.h"
#include "tls_ctx.h"
#include "tp_conf.h"

/* lib/ipc's values are the engine's and dtls_hello.h's */
_Static_assert((int)IPC_RTP_DTLS_CLIENT == (int)DTLS_SRTP_ROLE_CLIENT &&
	       (int)IPC_RTP_DTLS_SERVER == (int)DTLS_SRTP_ROLE_SERVER &&
	       (int)IPC_RTP_DTLS_EITHER == (int)DTLS_SRTP_ROLE_EITHER, "DTLS roles");
_Static_assert(IPC_RTP_DTLS_P_AES128_CM_80 == DTLS_SRTP_AES128_CM_80 &&
	       IPC_RTP_DTLS_P_AES128_CM_32 == DTLS_SRTP_AES128_CM_32 &&
	       IPC_RTP_DTLS_P_AEAD_128_GCM == DTLS_SRTP_AEAD_128_GCM &&
	       IPC_RTP_DTLS_P_AEAD_256_GCM == DTLS_SRTP_AEAD_256_GCM, "DTLS-SRTP profiles");
_Static_assert(IPC_RTP_DTLS_FP_MAX <= TLS_LEG_FP_MAX && IPC_AGW_FP_LEN == CERTFP_MD_MAX,
	       "fingerprints");
_Static_assert(TLS_FAIL__COUNT - 1 <= IPC_RTP_DTLS_WHY_MAX, "DTLS failure reasons");
_Static_assert(sizeof(((struct dtls_srtp_event *)0)->cipher) <= IPC_RTP_DTLS_CIPHER_MAX &&
	       sizeof(((struct dtls_srtp_event *)0)->detail) <= IPC_RTP_DETAIL_MAX,
	       "an event's strings");

/* What the module keeps a worker beside the engine: the context each
 * termination slot is in (its events name it), the RTP_DTLS waiting for
 * the ring, DTLS_CERT due. */
struct dsm_ev {
	uint64_t id;
	struct ipc_rtp_dtls_ev ev;
};

struct dsm_worker {
	uint64_t *ids;
	struct dsm_ev *q;
	uint32_t mask, head, tail;
	uint64_t sent, lost;
	uint64_t cert_epoch;   /* worker 0: the cp told DTLS_CERT (its epoch) */
};

static struct dsm_worker *dsm[IPC_MAX_WORKERS];
static struct tls_cred *cred;          /* the process's certificate */
static struct tls_cred *cred_prev;     /* the one before (a reload's) */
static bool cred_files;                /* cred is agw.dtls's files' */
static struct ipc_dtls_cert cert_body; /* its fingerprints for cp (worker 0's) */
/* a reload's new body, worker 0 takes it (and tells each cp again) */
static struct ipc_dtls_cert *cert_next;
static uint16_t cert_gen = 1;          /* the reload thread's: the generation */
static struct ipc_agw_fp cert_fp;      /* and its sha-256 */
/* A certificate dp made (no files): the reload thread's. Its end (the
 * wall clock's s), its life (agw.dtls.lifetime, s) and when a renewal
 * that failed is tried again. */
static int64_t made_until;
static uint32_t made_life;
static int64_t renew_retry;
static bool running;                   /* set up: terminations may take DTLS */

/* ---- dp/rtp's ops -------------------------------------------------------------- */

static const char *
rtp_check(const struct ipc_rtp_term *cfg)
{
	if (!running)
		return "DTLS-SRTP is not set up in this dp";
	if ((cfg->dtls.profiles & DTLS_SRTP_DP_PROFILES) == 0)
		return "none of its DTLS-SRTP profiles is one dp's SRTP keys";
	return NULL;
}

/* cp's termination as the engine's configuration. */
static void
cfg_of(const struct ipc_rtp_term *t, struct dtls_srtp_term_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->role = t->dtls.role;
	c->nfp = t->dtls.nfp;
	c->profiles = (uint8_t)(t->dtls.profiles & DTLS_SRTP_DP_PROFILES);
	if (t->ice.mode != IPC_RTP_ICE_OFF)
		c->flags |= DTLS_SRTP_F_ICE;
	if (t->dtls.flags & IPC_RTP_DTLS_F_ALLOW_SHA1)
		c->flags |= DTLS_SRTP_F_ALLOW_SHA1;
	/* without ICE a source can be forged: a cookie before any state
	 * (RFC 6347 §4.2.1); with it, where cp asks */
	if (t->ice.mode == IPC_RTP_ICE_OFF || (t->dtls.flags & IPC_RTP_DTLS_F_COOKIE))
		c->flags |= DTLS_SRTP_F_COOKIE;
	if (t->dtls.flags & IPC_RTP_DTLS_F_KEYS)
		c->flags |= DTLS_SRTP_F_KEYS;
	c->serial = t->serial;
	c->cert_gen = t->dtls.cert_gen;
	c->assoc = t->dtls.assoc;
	c->local = t->local;
	c->remote = t->remote;
	for (unsigned int i = 0; i < t->dtls.nfp && i < IPC_RTP_DTLS_FP_MAX; i++) {
		c->fp[i].alg = t->dtls.fp[i].alg;
		c->fp[i].len = t->dtls.fp[i].len;
		memcpy(c->fp[i].md, t->dtls.fp[i].md, CERTFP_MD_MAX);
	}
}

static void
rtp_set(struct dp_worker *w, uint32_t idx, uint64_t id, const struct ipc_rtp_term *cfg)
{
	struct dsm_worker *m = dsm[w->id];
	struct dtls_srtp_term_cfg c;

	if (m == NULL || w->dtls_srtp == NULL || idx >= w->dtls_srtp->nterms)
		return;
	m->ids[idx] = id;
	cfg_of(cfg, &c);
	/* (rtp_check() and lib/ipc took it: the engine's refusal is a
	 * difference between them, counted there as not_dtls when its
	 * datagrams come) */
	(void)dtls_srtp_term_set(w, idx, &c);
}

static void
rtp_gone(struct dp_worker *w, uint32_t idx)
{
	struct dsm_worker *m = dsm[w->id];

	dtls_srtp_term_gone(w, idx);
	if (m != NULL && w->dtls_srtp != NULL && idx < w->dtls_srtp->nterms)
		m->ids[idx] = 0;
}

static const struct rtp_dtls_ops rtp_ops = {
	.check = rtp_check,
	.set = rtp_set,
	.gone = rtp_gone,
	.input = dtls_srtp_input,
	.checked = dtls_srtp_checked,
	.srtp_seen = dtls_srtp_srtp_seen,
};

/* ---- the engine's seam ----------------------------------------------------------- */

static int
seam_keys(struct dp_worker *w, uint32_t idx, uint16_t serial, const struct ipc_srtp_key *rx,
	  const struct ipc_srtp_key *tx)
{
	int rc = rtp_term_srtp_keys(w, idx, serial, rx, tx);

	return rc == -EINVAL ? -ESTALE : rc;
}

static const struct dtls_srtp_ops seam = {
	.keys = seam_keys,
	.src_ok = rtp_term_src_ok,
	.event = dtls_srtp_module_event,
};

void
dtls_srtp_module_ev_fill(uint32_t idx, const struct dtls_srtp_event *ev, uint64_t at_ms,
			 struct ipc_rtp_dtls_ev *e)
{
	memset(e, 0, sizeof(*e));
	e->term = (uint8_t)(idx & 1u);
	e->state = ev->state == DTLS_SRTP_ST_UP ? IPC_RTP_DTLS_UP :
		   ev->state == DTLS_SRTP_ST_VERIFY_WAIT ? IPC_RTP_DTLS_VERIFY_WAIT :
		   IPC_RTP_DTLS_FAILED;
	e->role = ev->role == DTLS_SRTP_ROLE_CLIENT || ev->role == DTLS_SRTP_ROLE_SERVER ?
		  ev->role : 0;
	if (e->role == 0 && e->state != IPC_RTP_DTLS_FAILED)
		e->role = IPC_RTP_DTLS_SERVER;      /* (a held handshake: ours served) */
	if (e->state == IPC_RTP_DTLS_FAILED)
		e->why = ev->why != TLS_FAIL_NONE && ev->why < TLS_FAIL__COUNT ? ev->why :
			 TLS_FAIL_OTHER;
	e->matched = ev->matched >= -1 && ev->matched < (int)IPC_RTP_DTLS_FP_MAX ?
		     ev->matched : -1;
	e->attempts = ev->attempts;
	e->serial = ev->serial;
	e->version = ev->version;
	e->profile = ev->profile;
	e->assoc = ev->assoc;
	e->at_ms = at_ms;
	if (ev->peer.family == 4 || ev->peer.family == 6) {
		e->peer = ev->peer;
		e->peer.pad = 0;
	}
	if (ev->seen.alg != 0 && ev->seen.len == certfp_alg_len((enum certfp_alg)ev->seen.alg)) {
		e->seen.alg = ev->seen.alg;
		e->seen.len = ev->seen.len;
		memcpy(e->seen.md, ev->seen.md, ev->seen.len);
	}
	if (e->state == IPC_RTP_DTLS_UP) {
		e->rx = ev->rx;
		e->tx = ev->tx;
	}
	memcpy(e->cipher, ev->cipher, strnlen(ev->cipher, sizeof(e->cipher) - 1));
	e->detail_len = (uint16_t)strnlen(ev->detail, sizeof(e->detail) - 1);
	memcpy(e->detail, ev->detail, e->detail_len);
}

void
dtls_srtp_module_event(struct dp_worker *w, uint32_t idx, const struct dtls_srtp_event *ev)
{
	struct dsm_worker *m = dsm[w->id];
	struct dsm_ev *q;

	if (m == NULL || w->dtls_srtp == NULL || idx >= w->dtls_srtp->nterms ||
	    m->ids[idx] == 0)
		return;
	if (m->head - m->tail > m->mask) {
		m->lost++;
		return;
	}
	q = &m->q[m->head++ & m->mask];
	q->id = m->ids[idx];
	dtls_srtp_module_ev_fill(idx, ev, w->now_ms, &q->ev);
}

/* ---- to cp ------------------------------------------------------------------------- */

static unsigned int
dsm_flush(struct dp_worker *w, uint64_t tsc)
{
	struct dsm_worker *m = dsm[w->id];
	const struct ipc_shm *shm = w->ctx->ipc.shm;
	static _Thread_local struct ipc_msg msg;
	unsigned int n = 0;
	bool cert_due;

	(void)tsc;
	if (m == NULL || w->cp.rings == NULL || shm == NULL)
		return 0;
	/* worker 0 tells each cp (a restarted one has another epoch), and
	 * again after a reload */
	if (w->id == 0 && __atomic_load_n(&cert_next, __ATOMIC_RELAXED) != NULL) {
		struct ipc_dtls_cert *nb = __atomic_exchange_n(&cert_next, NULL, __ATOMIC_ACQ_REL);

		if (nb != NULL) {
			cert_body = *nb;
			free(nb);
			m->cert_epoch = 0;
		}
	}
	cert_due = w->id == 0 && __atomic_load_n(&shm->cp_epoch, __ATOMIC_ACQUIRE) != m->cert_epoch;
	if ((m->head == m->tail && !cert_due) || !ipc_cp_serving(shm, w->now_ms))
		return 0;
	if (!(ipc_peer_caps(shm, true, w->now_ms) & IPC_CAP_RTP)) {
		/* (a cp that takes no RTP terminations has none to hear of) */
		while (m->head != m->tail)
			OPENSSL_cleanse(&m->q[m->tail++ & m->mask], sizeof(m->q[0]));
		return 0;
	}
	if (cert_due && dp_cp_room(w, DP_CP_HEADROOM)) {
		memset(&msg.h, 0, sizeof(msg.h));
		msg.h.kind = IPC_DTLS_CERT;
		msg.h.body_len = sizeof(cert_body);
		memcpy(msg.body, &cert_body, sizeof(cert_body));
		if (dp_cp_send(w, &msg) == 0) {
			m->cert_epoch = shm->cp_epoch;
			n++;
		}
	}
	while (m->head != m->tail && dp_cp_room(w, DP_CP_HEADROOM)) {
		struct dsm_ev *q = &m->q[m->tail & m->mask];

		memset(&msg.h, 0, sizeof(msg.h));
		msg.h.kind = IPC_RTP_DTLS;
		msg.h.alloc_id = q->id;
		msg.h.body_len = sizeof(q->ev);
		memcpy(msg.body, &q->ev, sizeof(q->ev));
		if (dp_cp_send(w, &msg) != 0)
			break;
		/* (UP's keys: in the ring now, nowhere else of dp's) */
		OPENSSL_cleanse(msg.body, sizeof(q->ev));
		OPENSSL_cleanse(q, sizeof(*q));
		m->tail++;
		m->sent++;
		n++;
	}
	if (n > 0) {
		w->cp.ipc_out += n;
		dp_cp_wake(w);
	}
	return n;
}

/* ---- the module ------------------------------------------------------------------ */

static int
dsm_create(struct dp_worker *w)
{
	(void)w;
	return rtp_dtls_register(&rtp_ops);
}

/* c's fingerprints for cp (sha-256 first), generation gen. 0, or
 * -EINVAL (no sha-256 fingerprint of it). */
static int
cert_fill(struct ipc_dtls_cert *b, const struct tls_cred *c, uint16_t gen)
{
	static const enum certfp_alg algs[] = { CERTFP_SHA256, CERTFP_SHA384, CERTFP_SHA512,
						CERTFP_SHA1 };

	memset(b, 0, sizeof(*b));
	b->gen = gen;
	b->not_after = (uint64_t)tls_certs_not_after(c->cert, NULL);
	for (unsigned int i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct certfp fp;

		if (certfp_of_x509(c->cert, algs[i], &fp) < 0)
			continue;
		b->fp[b->nfp].alg = fp.alg;
		b->fp[b->nfp].len = fp.len;
		memcpy(b->fp[b->nfp].md, fp.md, fp.len);
		b->nfp++;
	}
	if (b->nfp == 0 || b->fp[0].alg != CERTFP_SHA256) {
		tp_log(TP_LOG_ERR, "agw.dtls: no sha-256 fingerprint of our certificate\n");
		return -EINVAL;
	}
	return 0;
}

/* A certificate of conf's making served from now_s: when to renew it. */
static void
made_now(const struct tp_conf *conf, int64_t now_s)
{
	made_life = conf->agw.dtls.lifetime_s;
	made_until = now_s + made_life;
	renew_retry = 0;
}

/* Our certificate as conf names it: agw.dtls's files, or a new P-256 one
 * of agw.dtls.lifetime; NULL after the error, said with file:line. */
static struct tls_cred *
cred_of(const struct tp_conf *conf, const char *what)
{
	const struct tp_conf_tls_cert *f = &conf->agw.dtls.cert;
	struct tls_cred *c;
	char err[256];

	if (f->certificate[0] != '\0') {
		c = tls_cred_load(f->certificate, f->private_key, err, sizeof(err));
	} else {
		c = tls_cred_generate(NULL, "turnpike", conf->agw.dtls.lifetime_s, err,
				      sizeof(err));
	}
	if (c == NULL)
		tp_log(TP_LOG_ERR, "%s%s:%d: agw.dtls: %s\n", what, conf->path,
		       f->certificate[0] != '\0' ? f->certificate_line : conf->agw.dtls.line, err);
	return c;
}

/* Our certificate at start, and what cp is told of it. */
static int
cert_make(const struct tp_conf *conf)
{
	if (cred != NULL)
		return 0;
	cred = cred_of(conf, "");
	if (cred == NULL)
		return -EINVAL;
	cred_files = conf->agw.dtls.cert.certificate[0] != '\0';
	if (!cred_files)
		made_now(conf, (int64_t)time(NULL));
	if (cert_fill(&cert_body, cred, cert_gen) < 0)
		return -EINVAL;
	cert_fp = cert_body.fp[0];
	return 0;
}

static int
dsm_setup(struct dp_ctx *ctx)
{
	const struct tp_conf *conf = ctx->conf;
	struct dtls_srtp_conf dc;
	char err[256];
	int rc;

	if (!conf->agw.enabled || conf->agw.media_min == 0)
		return 0;
	if ((rc = cert_make(conf)) < 0)
		return rc;
	memset(&dc, 0, sizeof(dc));
	dc.tls = &conf->tls;
	dc.cred = cred;
	dc.terms = 2u * conf->agw.media_contexts;
	dc.handshakes = conf->agw.dtls.handshakes;
	dc.handshake_timeout_ms = conf->agw.dtls.handshake_timeout_s * 1000u;
	dc.budget_us = conf->tls.handshake_budget_us;
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];
		struct dsm_worker *m;
		uint32_t qn = 64;

		if (w->id >= IPC_MAX_WORKERS)
			return -EINVAL;
		/* with tls.offload, its library context and the thread's
		 * async jobs (TLS made them: its module comes first) */
		dc.async_jobs = tls_worker_offload(w, &dc.libctx, &dc.propq);
		rc = dtls_srtp_worker_init(w, &dc, &seam, err, sizeof(err));
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "worker %u: %s\n", i, err);
			return rc;
		}
		/* (an event a handshake's end: twice the pool waits at most
		 * while cp reads slowly; past it, counted lost) */
		while (qn < 2u * w->dtls_srtp->npool)
			qn <<= 1;
		m = rte_zmalloc("dtls_srtp_mod", sizeof(*m), 0);
		if (m != NULL) {
			m->ids = rte_zmalloc("dtls_srtp_ids", sizeof(*m->ids) * dc.terms, 0);
			m->q = rte_zmalloc("dtls_srtp_evq", sizeof(*m->q) * qn, 0);
		}
		if (m == NULL || m->ids == NULL || m->q == NULL) {
			if (m != NULL) {
				rte_free(m->ids);
				rte_free(m->q);
				rte_free(m);
			}
			tp_log(TP_LOG_ERR, "worker %u: no memory for DTLS-SRTP's events\n", i);
			return -ENOMEM;
		}
		m->mask = qn - 1u;
		dsm[w->id] = m;
	}
	running = true;
	printf("turnpike-dp: DTLS-SRTP on RTP terminations: certificate %s (sha-256 ",
	       conf->agw.dtls.cert.certificate[0] != '\0' ? conf->agw.dtls.cert.certificate :
	       "made at start, ECDSA P-256");
	for (unsigned int i = 0; i < cert_body.fp[0].len; i++)
		printf("%s%02X", i == 0 ? "" : ":", cert_body.fp[0].md[i]);
	printf("), %u handshakes a worker, %u s each at most\n", dc.handshakes,
	       conf->agw.dtls.handshake_timeout_s);
	return 1;
}

/*
 * A reload (dp_reload.c's thread): agw.dtls's files read again. A new
 * certificate (its sha-256 not the one served) is a new generation on
 * every worker, all or none, and then cp is told (DTLS_CERT): calls set
 * up before keep theirs (an association up needs no context; one waiting
 * still handshakes under the generation its SDP named, the one before).
 * The same certificate again changes nothing. One made at start (no
 * files named) stays: its renewal is not yet.
 */
/*
 * nc (ours from here, freed on a failure) served as a new generation on
 * every worker, all or none, and cp told (worker 0's flush: DTLS_CERT);
 * files: agw.dtls's path, or NULL for one dp made; why: the log line's
 * words. 0, 1 when nc is the certificate served already (nothing
 * changed, nc freed), or -EINVAL after one error line.
 */
static int
gen_install(struct dp_ctx *ctx, struct tls_cred *nc, const char *files, const char *why)
{
	struct dtls_srtp_gen_offer *made[IPC_MAX_WORKERS] = { NULL };
	struct ipc_dtls_cert *body;
	char err[256];
	uint16_t gen;

	body = calloc(1, sizeof(*body));
	gen = (uint16_t)(cert_gen + 1u);
	if (gen == 0)
		gen = 1;
	if (body == NULL || cert_fill(body, nc, gen) < 0)
		goto out_free;
	if (body->fp[0].len == cert_fp.len && memcmp(body->fp[0].md, cert_fp.md, cert_fp.len) == 0) {
		/* (the same certificate: nothing to change) */
		free(body);
		tls_cred_free(nc);
		return 1;
	}
	for (unsigned int i = 0; i < ctx->nworkers && i < IPC_MAX_WORKERS; i++) {
		made[i] = dtls_srtp_gen_make(ctx->workers[i], nc, gen, err, sizeof(err));
		if (made[i] == NULL) {
			tp_log(TP_LOG_ERR, "%s: agw.dtls: worker %u: %s (DTLS-SRTP keeps its "
			       "certificate)\n", why, i, err);
			goto out_free;
		}
	}
	for (unsigned int i = 0; i < ctx->nworkers && i < IPC_MAX_WORKERS; i++)
		dtls_srtp_gen_offer(ctx->workers[i], made[i]);
	cert_gen = gen;
	cert_fp = body->fp[0];
	/* (worker 0's from here: it frees it) */
	free(__atomic_exchange_n(&cert_next, body, __ATOMIC_ACQ_REL));
	tls_cred_free(cred_prev);
	cred_prev = cred;
	cred = nc;
	cred_files = files != NULL;
	printf("turnpike-dp: %s: DTLS-SRTP serves '%s' (sha-256 ", why,
	       files != NULL ? files : "made now, ECDSA P-256");
	for (unsigned int i = 0; i < cert_fp.len; i++)
		printf("%s%02X", i == 0 ? "" : ":", cert_fp.md[i]);
	printf(") as generation %u on %u worker(s); calls signalled before keep theirs\n",
	       gen, ctx->nworkers);
	fflush(stdout);
	return 0;
out_free:
	for (unsigned int i = 0; i < IPC_MAX_WORKERS; i++)
		dtls_srtp_gen_free(made[i]);
	free(body);
	tls_cred_free(nc);
	return -EINVAL;
}

static int
dsm_reload(struct dp_ctx *ctx, struct tp_conf *next)
{
	const char *files = next->agw.dtls.cert.certificate;
	int64_t now = (int64_t)time(NULL);
	struct tls_cred *nc;
	int rc;

	if (!running || !next->agw.enabled || next->agw.media_min == 0)
		return 0;
	if (files[0] == '\0' && !cred_files) {
		/* (one dp made stays; its life as the file says now, from
		 * its next renewal) */
		made_life = next->agw.dtls.lifetime_s;
		return 0;
	}
	nc = cred_of(next, "reload: ");
	if (nc == NULL)
		return -EINVAL;
	rc = gen_install(ctx, nc, files[0] != '\0' ? files : NULL, "reload");
	if (rc == 0 && files[0] == '\0')
		made_now(next, now);
	return rc < 0 ? rc : 0;
}

/*
 * A certificate dp made is renewed with a third of its life left (30
 * days: with 10 left), as a new generation (gen_install(): calls
 * signalled under the one before still handshake under it; one
 * generation further they would fail `replaced`, so a call has a third
 * of the life to handshake). Browsers check only its fingerprint (RFC
 * 8827 §6.5), but a peer or a scanner that reads its dates sees none
 * expire. A renewal that fails is tried again a minute later (or a
 * tenth of the life, if shorter).
 */
static void
dsm_renew(struct dp_ctx *ctx, int64_t now_s)
{
	struct tls_cred *nc;
	char err[256];
	int64_t left = made_until - now_s;

	if (!running || cred_files || made_life == 0 || now_s < renew_retry ||
	    left > (int64_t)made_life / 3)
		return;
	nc = tls_cred_generate(NULL, "turnpike", made_life, err, sizeof(err));
	if (nc == NULL)
		tp_log(TP_LOG_ERR, "renewal: agw.dtls: %s (DTLS-SRTP keeps its certificate)\n",
		       err);
	else if (gen_install(ctx, nc, NULL, "renewal") >= 0) {   /* (nc its, either way) */
		made_until = now_s + made_life;
		renew_retry = 0;
		return;
	}
	renew_retry = now_s + (made_life / 10 < 60 ? (int64_t)made_life / 10 + 1 : 60);
}

static void
dsm_free(struct dp_worker *w)
{
	struct dsm_worker *m = w->id < IPC_MAX_WORKERS ? dsm[w->id] : NULL;

	dtls_srtp_worker_free(w);
	if (m == NULL)
		return;
	OPENSSL_cleanse(m->q, sizeof(*m->q) * (m->mask + 1u));
	rte_free(m->q);
	rte_free(m->ids);
	rte_free(m);
	dsm[w->id] = NULL;
}

static void
dsm_fini(struct dp_ctx *ctx)
{
	(void)ctx;
	running = false;
	tls_cred_free(cred);
	cred = NULL;
	tls_cred_free(cred_prev);
	cred_prev = NULL;
	free(__atomic_exchange_n(&cert_next, NULL, __ATOMIC_ACQ_REL));
}

static const struct dp_ctrs_family *const dsm_families[] = { &dtls_srtp_ctrs, NULL };

const struct dp_module dtls_srtp_dp_module = {
	.name = "dtls_srtp",
	.create = dsm_create,
	.setup = dsm_setup,
	.reload = dsm_reload,
	.renew = dsm_renew,
	.clock = dtls_srtp_clock,
	.sweep = dsm_flush,
	.ctrs = dsm_families,
	.print = dtls_srtp_print,
	.free = dsm_free,
	.fini = dsm_fini,
};
