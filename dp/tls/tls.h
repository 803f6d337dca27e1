/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls: TLS termination over dp's own TCP (dp/tcp), per worker, with
 * OpenSSL 3 through a BIO of our own (tls_bio.c), and the transport
 * operations table (raw | TLS) the stream applications use for every
 * read, write, shutdown, close and abort (HAProxy's xprt_ops), so that
 * TURN and the splice never ask which they have.
 *
 * SSL_MODE_ASYNC always: an operation that waits on an offload returns
 * WANT_ASYNC and parks its connection; OpenSSL's async callback (which
 * may run on the accelerator's or a provider's thread) only puts the SSL
 * on the worker's multi-producer ring; tls_poll(), from the worker loop,
 * takes them off and resumes them. Without an offload nothing ever parks.
 *
 * Two users: TURN over TLS (server role, tls_conn_attach() at accept, an
 * SSL made at the first bytes) and the access gateway's legs (the
 * splice; either role, tls_conn_start()).
 *
 * The AGW's legs, in short (dp/tls/FEATURE.md "Legs" says more):
 *
 *   struct tls_leg_params p = { .nfp = 1, .ops = &my_leg_ops, .arg = ctx };
 *   certfp_parse("sha-256 AB:CD:...", len, &p.fp[0], &why);  // from SDP
 *   xp = tls_conn_start(w, id, TLS_ROLE_CLIENT, &p);  // or SERVER, NONE
 *   if (xp == NULL) -> errno (and tls_conn_why() when EPROTO)
 *   ... from then on only xp->rcv_buf/snd_buf/shutdown/close/abort/gone:
 *   - readable(): xp->rcv_buf() as for raw TCP; before the handshake is
 *     up it drives it and says -EAGAIN; a parked operation wakes the
 *     connection's subscriber later (xp->subscribe(), which the session
 *     layer sets; ops->ready until then): call rcv_buf again then;
 *   - ops->handshake(w, id, arg, why) once: TLS_FAIL_NONE (snd_buf takes
 *     data from now on; before, it says -EAGAIN) or why it failed
 *     (rcv_buf says -EPROTO; abort the connection; tls_conn_why() gives
 *     the sentence for the controller);
 *   - our certificate: p.cred, or the tls group's; the peer's must match
 *     one of p.fp of the strongest hash among them (RFC 8122 §5; sha-1
 *     alone only with p.allow_sha1; no CA chain); a server leg requires
 *     one.
 * TLS_ROLE_NONE returns &dp_xprt_raw: the splice never asks which it has.
 * tls_worker_init() must have run on the worker (TURN's set-up calls it
 * when turn.listen_tls is set; the AGW's calls it too: the second call
 * finds it made).
 */
#ifndef DP_TLS_H
#define DP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tls_leg.h"
#include "tls_types.h"

struct tp_conf;

/*
 * The transport of one stream connection (by its tcp_id_t). Semantics are
 * dp/tcp's (tcp.h): rcv_buf like tcp_recv() (a chain the caller owns and
 * its length; 0 at the end of the stream; -EAGAIN; and -EPROTO when the
 * transport failed, counted by it: the caller resets the connection);
 * snd_buf like tcp_send() (all or nothing: its length and m is owned, or
 * -errno and the caller keeps m); writable() when dp/tcp says the send
 * queue has room again; close/abort end the connection (no callback
 * follows); gone() when dp/tcp ended it (closed()).
 *
 * It lives here, not in dp/session, because tls_conn_start() hands one
 * out (raw for a leg without TLS): the table is what this layer gives the
 * ones above, the session layer included, which keeps one per connection.
 * The rest answers what an owner would otherwise learn by asking which
 * transport it has.
 */
/* A wake-up of the connection's owner (subscribe()): an operation that
 * waited may go on, call rcv_buf again (as for dp/tcp's readable()). */
typedef void (*dp_xprt_wake_fn)(struct dp_worker *w, uint64_t id, void *arg);

/* struct dp_xprt_ops.flags */
#define DP_XPRT_F_HANDSHAKE 0x1u  /* carries data only after a handshake of its
				   * own, whose end its owner hears (a leg's
				   * tls_leg_ops.handshake): not up at open */
#define DP_XPRT_F_RECORDS   0x2u  /* what it sends costs bytes beyond the
				   * payload (records): room is kept for them */

struct dp_xprt_ops {
	const char *name;
	unsigned int flags;       /* DP_XPRT_F_* */
	int (*rcv_buf)(struct dp_worker *w, uint64_t id, struct rte_mbuf **out,
		       uint32_t max);
	int (*snd_buf)(struct dp_worker *w, uint64_t id, struct rte_mbuf *m);
	void (*writable)(struct dp_worker *w, uint64_t id);
	int (*shutdown)(struct dp_worker *w, uint64_t id);
	int (*close)(struct dp_worker *w, uint64_t id);
	int (*abort)(struct dp_worker *w, uint64_t id);
	void (*gone)(struct dp_worker *w, uint64_t id);
	/* the application's first-message deadline passed (counted when
	 * the handshake had not completed; a leg's then fails with
	 * TLS_FAIL_TIMEOUT, no callback: the caller ends it) */
	void (*first_timeout)(struct dp_worker *w, uint64_t id);
	/* why the transport failed: enum tls_fail (TLS_FAIL_NONE while it
	 * has not, always for raw), its sentence in buf (size > 0);
	 * -ENOTCONN for a connection it does not know as a leg */
	int (*why)(struct dp_worker *w, uint64_t id, char *buf, size_t size);
	/* the end of the stream (rcv_buf said 0) was the peer's own close
	 * (TLS close_notify), not a bare FIN; false for raw */
	bool (*eof_clean)(struct dp_worker *w, uint64_t id);
	/* after rcv_buf said -EAGAIN, whether the transport wakes the
	 * subscriber itself, without dp/tcp saying anything more (an
	 * operation on the offload, waiting for a job or an mbuf, or its
	 * result kept); false for raw (dp/tcp's readable() is its wake) */
	bool (*wakes)(struct dp_worker *w, uint64_t id);
	/* the TLS version once the handshake is done (12, 13); 0 before, and
	 * for raw */
	int (*version)(struct dp_worker *w, uint64_t id);
	/* who the transport wakes (wake(w, id, arg)) when an operation that
	 * waited may go on; wake NULL: nobody. One subscriber a connection,
	 * the last one set; forgotten when the transport forgets the
	 * connection. Raw never wakes anyone (nothing to set). */
	void (*subscribe)(struct dp_worker *w, uint64_t id, dp_xprt_wake_fn wake, void *arg);
};

extern const struct dp_xprt_ops dp_xprt_raw;
extern const struct dp_xprt_ops dp_xprt_tls;

/*
 * w's TLS (after dp_tcp_create(), before workers run): its library
 * context (and offload provider), SSL_CTXs (tls_ctx_create() for TURN,
 * tls_leg_ctx_create() for the AGW's legs), async ring, connection array
 * of max_conns (dp/tcp's, by slot). A resumed connection wakes whoever
 * subscribed to it (dp_xprt_ops.subscribe: its session). A second call
 * (TURN's and the AGW's) finds it made (-EINVAL for more connections
 * than the first). 0, or -errno after one clear error naming the
 * configuration's file and line.
 */
int tls_worker_init(struct dp_worker *w, const struct tp_conf *conf,
		    uint32_t max_conns);
void tls_worker_free(struct dp_worker *w);
/* w's offload for another user of OpenSSL's async jobs on w's thread
 * (DTLS-SRTP's handshakes, dp/dtls_srtp; inline: that user does not link
 * the transport): the jobs of the thread's pool
 * (tls.offload.jobs; 0: no offload, or no TLS on w), *libctx and *propq
 * the library context and properties its contexts are made in (NULL:
 * OpenSSL's default, an engine's). */
static inline uint32_t
tls_worker_offload(const struct dp_worker *w, OSSL_LIB_CTX **libctx, const char **propq)
{
	const struct tls_worker *tw = w->tls;

	*libctx = NULL;
	*propq = NULL;
	if (tw == NULL || tw->jobs_max == 0)
		return 0;
	*libctx = tw->libctx;
	*propq = tw->propq;
	return tw->jobs_max;
}

/* On w's own thread, before its loop: the thread's pool of OpenSSL async
 * jobs, bounded by tls.offload.jobs (nothing without an offload). 0, or
 * -ENOMEM after an error naming the worker. */
int tls_worker_thread_init(struct dp_worker *w);
struct tp_conf_tls;
/* A reload (dp/dp_reload.c, off the workers): the TURN server's context
 * made from t for w as its start made it (NULL, err "LINE: why"), then
 * offered to w, whose tls_poll() takes it for the connections it accepts
 * from then on (counted as contexts_reloaded); a newer offer replaces one
 * not yet taken. The AGW legs' context stays. */
SSL_CTX *tls_worker_ctx_new(struct dp_worker *w, const struct tp_conf_tls *t, char *err,
			    size_t errlen);
void tls_worker_ctx_offer(struct dp_worker *w, SSL_CTX *ctx);

/* A new TCP connection (id) on a TLS port: its TLS slot, set up; no SSL
 * until its first bytes. 0 or -EINVAL. */
int tls_conn_attach(struct dp_worker *w, uint64_t id);

/*
 * An AGW leg on the established (or just accepted) TCP connection id:
 * TLS in role (TLS_ROLE_CLIENT sends its ClientHello now, offering TLS
 * 1.3 down to tls.min_version; TLS_ROLE_SERVER answers the client's, bytes
 * received already included), p checked (tls_leg_params_check()) and
 * copied. Returns the connection's transport: &dp_xprt_tls, or
 * &dp_xprt_raw for TLS_ROLE_NONE (p unused). NULL with errno: EINVAL (p,
 * role), ENOTSUP (w has no TLS: no tls group), ENOTCONN (no such
 * connection), ENOMEM/ENOBUFS (no SSL, no mbuf), EPROTO (the handshake
 * failed at once, e.g. bytes received that are not TLS: tls_conn_why()
 * says why; end it with dp_xprt_tls.abort()).
 */
const struct dp_xprt_ops *tls_conn_start(struct dp_worker *w, uint64_t id,
					 enum tls_role role,
					 const struct tls_leg_params *p);

/*
 * A leg's verdict: TLS_FAIL_NONE while the handshake runs or once it is
 * up, else why it failed (enum tls_fail); buf (if size > 0) gets the
 * sentence (tls_leg_describe(): "fingerprint_mismatch: the peer's
 * certificate is sha-256 AB:..., none of the 1 signalled"). -ENOTCONN
 * for a connection that is not a leg.
 */
int tls_conn_why(struct dp_worker *w, uint64_t id, char *buf, size_t size);

/* The peer's close_notify came on connection id (its rcv_buf said 0 for
 * it, not for a bare FIN). */
bool tls_conn_close_notified(struct dp_worker *w, uint64_t id);
/* Whether connection id's rcv_buf, having said -EAGAIN, will be followed
 * by its application's ready() without TCP saying anything more: an
 * operation of its is on the offload, waits for a job or an mbuf, or has
 * its result kept (what the splice needs to read a leg on after its TCP
 * ended). */
bool tls_conn_wakes(struct dp_worker *w, uint64_t id);
/* The TLS version of connection id once its handshake is done: 12 or 13;
 * 0 before, or for a connection without TLS. */
int tls_conn_version(struct dp_worker *w, uint64_t id);

/* From the worker loop: resume what the ring names, poll the engine while
 * anything is parked, expire cached sessions now and then. Returns the
 * connections resumed. */
unsigned int tls_poll(struct dp_worker *w, uint64_t now_ms);

/* The counters (TLS_CTR__COUNT; 0 when w has no TLS) and their names;
 * for cp, they and the ticket keys' and PSKs' (dp_ctrs.h). */
void tls_values(const struct dp_worker *w, uint64_t *out);
const char *tls_ctr_name(unsigned int i);
struct dp_ctrs_family;
extern const struct dp_ctrs_family tls_ctrs, tls_keys_ctrs;
/* When the first certificate the worker serves expires (Unix seconds;
 * 0: none, or no TLS): TURN's (the context a reload replaces: read it on
 * the worker's thread only) and the AGW legs' (the start's, never changed
 * after it: any thread). NULL: not asked. */
void tls_not_after(const struct dp_worker *w, int64_t *turn, int64_t *leg);
/* An AGW certificate of agw.certificates (the legs may serve it): counts
 * in the legs' first to expire. */
struct tls_cred;
void tls_leg_cred_expiry(struct dp_worker *w, const struct tls_cred *c);
/* The worker's "tls" statistics line (nothing when not in use). */
void tls_stats(const struct dp_worker *w, FILE *out);

/* TLS as one of dp's modules (dp_module.h; tls_module.c). */
struct dp_module;
extern const struct dp_module tls_module;
/* Its reload (tls_reload.c): TURN over TLS's contexts made again from
 * next's tls group on every worker, all or nothing. 0 or -EINVAL. */
struct tp_conf;
int tls_reload(struct dp_ctx *ctx, struct tp_conf *next);
/* Logs a warning when a certificate (what) expires within
 * TLS_EXPIRY_WARN_DAYS, an error when it has expired, each with what to
 * do (then); nothing otherwise (or not_after 0). What and then for TURN
 * over TLS's first certificate to expire, and the AGW legs': */
void tls_expiry_warn(const char *what, int64_t not_after, const char *then);
#define TLS_EXPIRY_TURN_FIRST "TURN over TLS's first certificate to expire " \
	"(tls.certificate, an SNI one or a CA sent with one)"
#define TLS_EXPIRY_TURN_RENEW "renew it and reload (`systemctl reload turnpike-dp`)"
#define TLS_EXPIRY_LEGS_FIRST "the AGW legs' first certificate to expire " \
	"(tls.certificate or an agw.certificates one, as dp read them at start)"
#define TLS_EXPIRY_LEGS_RENEW "renew it and restart dp: the legs take theirs at start only"

/* What tls_bio.c gives the transport (tls_xprt.c, tls_leg_conn.c,
 * tls_worker.c): a BIO over conn (BIO_set_data), and the method's release
 * at exit. */
BIO *tls_bio_new(struct tls_conn *conn);
void tls_bio_method_free(void);

#endif /* DP_TLS_H */
