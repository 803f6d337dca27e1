/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/tls_leg: what a TLS leg of the IMS access gateway is beyond a
 * TURN-over-TLS connection (3GPP TS 29.334 end-to-access-edge security;
 * RFC 8122): either role, client or server, over one SSL_CTX that can be
 * both (tls_leg_ctx_create() in tls_ctx.c); our certificate (the tls
 * group's, or a context's own, self-signed allowed: struct tls_cred);
 * and the peer's certificate trusted by its fingerprint as SDP signalled
 * it, nothing else (no CA chain, no names, no dates: RFC 8122 §6.2 with
 * self-signed certificates). As a server it asks for the client's
 * certificate and refuses a handshake without one (mutual
 * authentication). A certificate that matches none of the fingerprints
 * of the strongest hash signalled (RFC 8122 §5; a weaker hash beside it
 * is not looked at), or one trusted by sha-1 alone when the leg does not
 * allow sha-1, fails the handshake with a bad_certificate alert, and the
 * leg says why (enum tls_fail), for the AGW to report to the controller.
 *
 * Plain OpenSSL, no DPDK: the unit tests run legs against OpenSSL's
 * client and server over memory BIOs. dp's transport (tls_xprt.c,
 * tls_conn_start() in tls.h) puts a struct tls_leg beside the SSL.
 */
#ifndef DP_TLS_LEG_H
#define DP_TLS_LEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "certfp.h"

struct dp_worker;

/* A leg's TLS role; NONE: plain TCP (tls_conn_start() gives dp_xprt_raw). */
enum tls_role {
	TLS_ROLE_NONE = 0,
	TLS_ROLE_CLIENT,
	TLS_ROLE_SERVER,
};

/* Why a leg's handshake failed (TLS_FAIL_NONE: it did not), as reported
 * to the controller: tls_fails.def, the name tls_fail_name(). */
enum tls_fail {
#define TLS_FAIL(n, s) TLS_FAIL_##n,
#include "tls_fails.def"
#undef TLS_FAIL
	TLS_FAIL__COUNT
};

const char *tls_fail_name(unsigned int why);

/* The most fingerprints a leg takes (RFC 8122 allows several
 * a=fingerprint lines: one per hash, or per certificate). */
#define TLS_LEG_FP_MAX 4u

/* What the application (the AGW splice) hears of a leg. Both run on the
 * worker's thread. */
struct tls_leg_ops {
	/*
	 * The handshake ended: why is TLS_FAIL_NONE (up: snd_buf takes data
	 * from now on) or the failure (rcv_buf gives -EPROTO from now on;
	 * the caller aborts the connection and reports tls_conn_why()).
	 * Called once per leg, from inside the transport's rcv_buf (before
	 * it returns; it may also return data in that call), from
	 * tls_poll() or tls_writable(); never from tls_conn_start(). It may
	 * use any connection's operations except this connection's rcv_buf,
	 * close and abort (act on rcv_buf's return for those).
	 */
	void (*handshake)(struct dp_worker *w, uint64_t id, void *arg, enum tls_fail why);
	/* A parked operation (offload) may go on: call rcv_buf again (as
	 * for readable()). From tls_poll(). Optional: the leg's first
	 * subscriber (dp_xprt_ops.subscribe), until one is set; an owner
	 * with a session (dp/session) leaves it NULL, the session wakes it. */
	void (*ready)(struct dp_worker *w, uint64_t id, void *arg);
};

/* Our certificate chain and key for a leg when not the tls group's
 * (tls_cred_load()). */
struct tls_cred {
	X509 *cert;                   /* the end-entity certificate */
	EVP_PKEY *key;
	STACK_OF(X509) *chain;        /* the rest of the file's chain, or NULL */
};

/* What the caller gives to start a leg. Copied: nothing is kept. */
struct tls_leg_params {
	/* The peer's fingerprints as signalled (certfp_parse()); its
	 * certificate must match one of those of the strongest hash among
	 * them (certfp_match()). 1..TLS_LEG_FP_MAX of them. */
	struct certfp fp[TLS_LEG_FP_MAX];
	unsigned int nfp;
	/* sha-1 fingerprints trusted when no stronger hash is signalled
	 * (agw.allow_sha1); false: such a leg fails its handshake,
	 * TLS_FAIL_WEAK_FP */
	bool allow_sha1;
	/* Client role: the server_name to send (RFC 6066 §3), or NULL/"". */
	const char *sni;
	/* Our certificate for this leg, or NULL: the tls group's. The SSL
	 * takes references: the caller may free it after the start. */
	const struct tls_cred *cred;
	/* No fingerprint yet (nfp 0): DTLS-SRTP's termination that offered
	 * a=setup:actpass and takes a ClientHello before the answer brings
	 * the peer's fingerprints (RFC 5763 §5). The handshake goes on with
	 * the peer's certificate held unchecked (a reference in the leg)
	 * for tls_leg_verify_late(); nothing of the handshake may be
	 * trusted before (the caller holds its keys uninstalled). */
	bool defer;
	const struct tls_leg_ops *ops;
	void *arg;                    /* for ops */
};

/* A leg's state beside its SSL (ex_data), for the verification and for
 * the report. */
struct tls_leg {
	const struct tls_leg_ops *ops;
	void *arg;
	uint8_t role;                 /* enum tls_role */
	uint8_t why;                  /* enum tls_fail, once known */
	uint8_t alert;                /* the peer's fatal alert (PEER_ALERT) */
	uint8_t reported;             /* ops->handshake was called */
	int8_t matched;               /* the fingerprint that matched, -1 */
	uint8_t nfp;
	uint8_t match_flags;          /* certfp_match()'s (CERTFP_MATCH_ALLOW_SHA1) */
	uint16_t version;             /* TLS1_2_VERSION, TLS1_3_VERSION once up */
	uint8_t defer;                /* verification deferred (params.defer) */
	uint8_t alert_sent;           /* our fatal alert (dtls_srtp_info()) */
	uint8_t close_notify;         /* the peer's close_notify came */
	uint8_t reneg_refused;        /* renegotiations refused (saturates) */
	int reason;                   /* OpenSSL's reason code of the failure */
	/* the peer's certificate while its verification is deferred (a
	 * reference: tls_leg_verify_late() or tls_leg_release() drops it) */
	X509 *held;
	struct certfp seen;           /* the peer's certificate, the strongest hash of fp */
	struct certfp fp[TLS_LEG_FP_MAX];
};

/*
 * params are usable for role: a role, 1..TLS_LEG_FP_MAX fingerprints
 * each valid (hash and length), or none with defer, ops with a handshake
 * callback. 0, or -EINVAL with *why a static sentence.
 */
int tls_leg_params_check(enum tls_role role, const struct tls_leg_params *p,
			 const char **why);

/*
 * A leg's SSL on ctx (a tls_leg_ctx_create() context): leg (the caller's
 * memory, filled from p) attached, the connect or accept state, the
 * server_name, the peer's certificate asked for and checked against p's
 * fingerprints only, p->cred as our certificate when given. NULL when
 * OpenSSL refuses (memory, a credential it cannot use). The caller sets
 * the BIO and frees the SSL (tls_leg_detach() first if leg goes before).
 */
SSL *tls_leg_ssl_new(SSL_CTX *ctx, enum tls_role role, const struct tls_leg_params *p,
		     struct tls_leg *leg);
/* The leg of s, or NULL. */
struct tls_leg *tls_leg_of(const SSL *s);
/* s forgets its leg (whose memory is about to go while s lives on). */
void tls_leg_detach(SSL *s);

/* OpenSSL's cert_verify_callback of a leg context: the peer's
 * end-entity certificate against the leg's fingerprints (a deferred
 * leg's: held for tls_leg_verify_late()). */
int tls_leg_verify(X509_STORE_CTX *xs, void *arg);

/*
 * A deferred leg's verification, once the fingerprints come (nfp of fp,
 * 1..TLS_LEG_FP_MAX, each valid; allow_sha1 as in the params): the held
 * certificate against them as tls_leg_verify() would have (RFC 8122 §5),
 * the reference dropped either way. 0 (matched: leg->matched says which),
 * -EACCES (leg->why FP_MISMATCH, WEAK_FP, or NO_PEER_CERT when none is
 * held), -EINVAL (fp unusable, or the leg not deferred: leg unchanged).
 */
int tls_leg_verify_late(struct tls_leg *leg, const struct certfp *fp, unsigned int nfp,
			bool allow_sha1);
/* What a leg holds beyond its memory (a deferred leg's certificate),
 * dropped: before its memory goes or is used again. */
void tls_leg_release(struct tls_leg *leg);

/* Why the handshake of leg failed, from what the verification found, the
 * SSL_get_error() value and OpenSSL's reason code of the last error; kept
 * in leg (why, reason, alert) the first time. */
enum tls_fail tls_leg_fail(struct tls_leg *leg, int sslerr, int reason);

/*
 * A failure's reason (OpenSSL's SSL_R_*, or SSL_AD_REASON_OFFSET + the
 * peer's alert) when the thread's error queue lost it (reason 0: an async
 * job that paused to write its alert, the records on an accelerator, ends
 * without what it raised before; SSL_get_error() then said SYSCALL, made
 * SSL here): the fatal alert received, else the one sent (0 when none
 * fits); an EOF mid-record (eof, only decode_error sent) stays an EOF.
 * Otherwise reason as it was.
 */
int tls_lost_reason(int reason, int *sslerr, int alert_recv, int alert_sent, bool eof);

/* The handshake completed on s: its version kept. */
void tls_leg_up(struct tls_leg *leg, const SSL *s);

/*
 * The report of a leg, one line: "up TLSv1.3, fingerprint 1 of 2
 * matched", "fingerprint_mismatch: the peer's certificate is sha-256
 * AB:..., none of the 2 signalled" (with weaker hashes beside: "none of
 * the 1 sha-256 signalled; the 1 of a weaker hash not compared"),
 * "weak_fingerprint: only sha-1 signalled; agw.allow_sha1 is off",
 * "peer_alert: bad certificate (42)", "refused: unsupported protocol".
 * Returns snprintf()'s count.
 */
int tls_leg_describe(const struct tls_leg *leg, char *buf, size_t size);

/*
 * Our certificate chain and key from PEM files (the chain file's first
 * certificate is the end-entity one), checked to match. Reads files: not
 * from a worker's loop. NULL with err ("<file>: <why>").
 */
struct tls_cred *tls_cred_load(const char *cert_path, const char *key_path, char *err,
			       size_t errlen);
void tls_cred_free(struct tls_cred *c);

/*
 * Our own certificate when none is configured (DTLS-SRTP's, agw.dtls):
 * an ECDSA P-256 key and a self-signed X.509 v3 certificate signed with
 * SHA-256, subject and issuer CN=cn, a random 127-bit serial, valid from
 * an hour ago until lifetime_s seconds from now. What matters to the
 * peer is its fingerprint in our SDP (RFC 5763 §5); P-256 is what
 * browsers make and the cheapest to sign with. In libctx (NULL: the
 * default). NULL with err.
 */
struct tls_cred *tls_cred_generate(OSSL_LIB_CTX *libctx, const char *cn, uint32_t lifetime_s,
				   char *err, size_t errlen);

#endif /* DP_TLS_LEG_H */
