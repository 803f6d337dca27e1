/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/tls_ctx: the SSL_CTX of a worker, from the configuration's tls
 * group (lib/conf, struct tp_conf_tls), and the OpenSSL library context it
 * lives in (with the offload provider loaded, if any). Plain OpenSSL 3, no
 * DPDK: unit tests build a context and run handshakes over memory BIOs.
 *
 * One SSL_CTX per worker, nothing shared between workers (no lock taken
 * on one worker's handshake is wanted by another's): its session cache is
 * the worker's own, bounded by tls.session_cache.
 */
#ifndef DP_TLS_CTX_H
#define DP_TLS_CTX_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "tp_conf_types.h"

/* RFC 7443 §3: the ALPN protocol of TURN (and STUN) over TLS. */
#define TLS_ALPN_STUN_TURN "stun.turn"

/*
 * A server SSL_CTX from t, in libctx (NULL: OpenSSL's default) with the
 * property query propq (NULL: none): TLS 1.2 (unless t->min_version says
 * 1.3) and 1.3, t's cipher, suite and group lists, the certificate chain
 * and key (checked to match), one more context per SNI entry chosen by
 * the client's server_name (RFC 6066 §3), ALPN "stun.turn" echoed when
 * offered and not required (RFC 7443), renegotiation refused
 * (SSL_OP_NO_RENEGOTIATION), SSL_MODE_ASYNC, a server session cache of
 * t->session_cache sessions (off at 0), one TLS 1.3 ticket per handshake.
 *
 * Returns the context, or NULL with one line in err: "<line>: <setting>
 * '<value>': <why>", the line of the configuration file that set it (the
 * caller puts the file's name and ':' in front).
 * tls_ctx_free() frees it with its SNI contexts.
 */
SSL_CTX *tls_ctx_create(const struct tp_conf_tls *t, OSSL_LIB_CTX *libctx,
			const char *propq, char *err, size_t errlen);
void tls_ctx_free(SSL_CTX *ctx);

/*
 * The context of the access gateway's TLS legs (tls_leg.h), from the
 * same tls group: either role (TLS_method(); a leg's SSL is put in the
 * connect or accept state), versions from tls.min_version to TLS 1.3 (a
 * client offers the highest; a server picks the highest both have), the
 * cipher, suite and group lists, tls.certificate and tls.private_key as
 * the default certificate, the peer's certificate checked by
 * tls_leg_verify() only (its signalled fingerprint; self-signed is the
 * usual case), no session cache and no tickets (every handshake checks
 * the certificate), SSL_MODE_ASYNC, renegotiation refused. No SNI
 * contexts, no ALPN. NULL with err as tls_ctx_create(); freed with
 * tls_ctx_free().
 */
SSL_CTX *tls_leg_ctx_create(const struct tp_conf_tls *t, OSSL_LIB_CTX *libctx,
			    const char *propq, char *err, size_t errlen);

/*
 * The context of TURN over DTLS (RFC 7350; dp/tls/dtls.c): DTLS 1.2 only,
 * tls's cipher and group lists, certificate and key, renegotiation and
 * compression off, no session cache and no tickets, ALPN "stun.turn"
 * echoed, the cookie exchange always on with gen and verify as OpenSSL's
 * cookie callbacks (DTLSv1_listen() checks the cookie dtls_hello.h made
 * with them). NULL with err as tls_ctx_create(); tls_ctx_free() frees it.
 */
SSL_CTX *dtls_ctx_create(const struct tp_conf_tls *t, OSSL_LIB_CTX *libctx,
			 const char *propq,
			 int (*gen)(SSL *, unsigned char *, unsigned int *),
			 int (*verify)(SSL *, const unsigned char *, unsigned int),
			 char *err, size_t errlen);

/*
 * The context of DTLS-SRTP on the gateway's RTP terminations (RFC 5763,
 * RFC 5764; dp/dtls_srtp): either role (DTLS_method(); each SSL is put in
 * one), DTLS 1.2 only, t's cipher and group lists, our certificate cred
 * (generated or from agw.dtls's files: tls_leg.h; the context takes
 * references), the peer trusted by its signalled fingerprint only
 * (tls_leg_verify(), a leg as ex_data of each SSL), use_srtp offering
 * profiles (dtls_hello.h's bits) in dtls_srtp_profile_list()'s order, a
 * ClientHello without a profile in common refused before any key exchange
 * (dtls_srtp_client_hello()), alerts into the leg (dtls_srtp_info()),
 * renegotiation and compression off, no session cache or tickets, no
 * async (an owner with an offload sets SSL_MODE_ASYNC and its async
 * callback: dp/dtls_srtp), no read ahead, SSL_OP_NO_QUERY_MTU (the owner
 * sets the MTU), a
 * handshake message over 16 KB refused. No cookie exchange (the owner's
 * front decides; it may set OpenSSL's cookie callbacks on it). NULL with
 * err as tls_ctx_create(); tls_ctx_free() frees it.
 */
struct tls_cred;
SSL_CTX *dtls_srtp_ctx_create(const struct tp_conf_tls *t, const struct tls_cred *cred,
			      unsigned int profiles, OSSL_LIB_CTX *libctx, const char *propq,
			      char *err, size_t errlen);

/*
 * When the first certificate that ctx serves expires: the earliest
 * notAfter, in Unix seconds, of the certificates and chains of ctx and
 * of its SNI contexts (a client that checks dates refuses the handshake
 * past it). 0 when ctx holds none. For the operator's metrics and the
 * warnings at start and reload (dp/tls/FEATURE.md).
 */
int64_t tls_ctx_not_after(SSL_CTX *ctx);
/* The same of one certificate and the chain sent with it (NULL: none). */
int64_t tls_certs_not_after(const X509 *x, STACK_OF(X509) *chain);

/*
 * What the operator is told of a certificate that expires at not_after
 * (Unix seconds), at now: 2 when it has expired, 1 when it expires within
 * TLS_EXPIRY_WARN_DAYS, 0 otherwise (or not_after 0: none). buf gets
 * "expires 2026-11-28 08:40:00 UTC, in 2 day(s)" or "expired ..., 3
 * day(s) ago" (empty for none).
 */
#define TLS_EXPIRY_WARN_DAYS 30
int tls_expiry_say(int64_t not_after, int64_t now, char *buf, size_t len);

/* The SNI context for host name, or NULL (for tests and statistics). */
SSL_CTX *tls_ctx_sni(SSL_CTX *ctx, const char *name);
/* fn on ctx and on each of its SNI contexts (a handshake may move to one
 * at its ClientHello); stops at the first that returns < 0 and returns
 * that, else 0. */
int tls_ctx_each(SSL_CTX *ctx, int (*fn)(SSL_CTX *c, void *arg), void *arg);

/*
 * A library context for one worker: OpenSSL's default provider, and the
 * offload provider of t (tls.offload.provider: a name OpenSSL finds in
 * its modules folder, or a path to the shared object) when it has one.
 * Returns it (NULL with err as above on failure); *propq gets
 * tls.offload.properties (NULL when unset). tls_libctx_free() unloads
 * its providers and frees it.
 */
OSSL_LIB_CTX *tls_libctx_create(const struct tp_conf_tls *t, const char **propq,
				char *err, size_t errlen);
void tls_libctx_free(OSSL_LIB_CTX *lc);

/*
 * The engine of tls.offload.engine (process-wide: engines do not live in a
 * library context), initialised and made the default for what it offers;
 * with poll = "external" its ENABLE_EXTERNAL_POLLING control is sent
 * first and tls_engine_poll() polls it (from a worker's loop). 0, or
 * -errno with err as above. tls_engine_release() undoes it.
 */
int tls_engine_load(const struct tp_conf_tls *t, char *err, size_t errlen);
void tls_engine_release(void);
/* POLL the engine once (its "POLL" control); 0 when there is none. */
int tls_engine_poll(void);

#endif /* DP_TLS_CTX_H */
