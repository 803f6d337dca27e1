/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SSL_CTX of a worker (see tls_ctx.h). Every setting is applied and
 * checked here, at start: a list OpenSSL cannot use, a file that is not
 * PEM, a key that does not match its certificate is one line naming the
 * setting, its value and the line that set it, never a handshake failure
 * found later by a client.
 */
/* ENGINE_* (tls.offload.engine, the QAT engine) are deprecated in
 * OpenSSL 3 but still the way to an engine. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#ifndef OPENSSL_NO_ENGINE
#include <openssl/engine.h>
#endif

#include "dtls_srtp_ssl.h"
#include "tls_ctx.h"
#include "tls_leg.h"

/* The SNI contexts of a context (ex_data, freed with it). */
struct tls_sni {
	unsigned int n;
	char name[TP_CONF_MAX_SNI][TP_CONF_PATH_LEN];
	SSL_CTX *ctx[TP_CONF_MAX_SNI];
};

static int sni_idx = -1;

static void
sni_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct tls_sni *s = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (s == NULL)
		return;
	for (unsigned int i = 0; i < s->n; i++)
		SSL_CTX_free(s->ctx[i]);
	OPENSSL_free(s);
}

/* OpenSSL's reason for the last failure ("" when it gave none); the
 * queue is emptied. */
static const char *
ossl_why(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf[0] != '\0' ? buf : "no reason given";
}

#define CTX_FAIL(line, ...) do { \
	int _n = snprintf(err, errlen, "%d: ", (line)); \
	if (_n >= 0 && (size_t)_n < errlen) \
		snprintf(err + _n, errlen - (size_t)_n, __VA_ARGS__); \
	goto fail; \
} while (0)

/* OpenSSL refused a key because it is not the certificate's. */
static int
key_mismatch(void)
{
	unsigned long e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_X509 &&
	       (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH ||
		ERR_GET_REASON(e) == X509_R_KEY_TYPE_MISMATCH);
}

/* RFC 7443 §3: "stun.turn" when the client offers it; otherwise no ALPN
 * at all (not required: most TURN clients send none). */
static int
alpn_select(SSL *s, const unsigned char **out, unsigned char *outlen,
	    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char want[] = "\x09stun.turn";
	unsigned char *sel;

	(void)s;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, want, sizeof(want) - 1, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* host matches pattern: equal ignoring case, or pattern "*.rest" and host
 * one more label in front of "rest" (RFC 6125 §6.4.3's usual reading). */
static int
name_match(const char *pattern, const char *host)
{
	const char *dot;

	if (strcasecmp(pattern, host) == 0)
		return 1;
	if (pattern[0] != '*' || pattern[1] != '.')
		return 0;
	dot = strchr(host, '.');
	return dot != NULL && dot != host && strcasecmp(dot + 1, pattern + 2) == 0;
}

/* RFC 6066 §3: the certificate for the name the client asks for; the
 * default one for a name not listed (or none). */
static int
sni_select(SSL *s, int *alert, void *arg)
{
	const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
	struct tls_sni *sni = arg;

	(void)alert;
	if (name == NULL || sni == NULL)
		return SSL_TLSEXT_ERR_OK;
	for (unsigned int i = 0; i < sni->n; i++)
		if (name_match(sni->name[i], name)) {
			SSL_set_SSL_CTX(s, sni->ctx[i]);
			break;
		}
	return SSL_TLSEXT_ERR_OK;
}

/* A file the configuration names: a readable regular file (0), or -1
 * with why. */
static int
file_ok(const char *path, char *why, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0 || access(path, R_OK) < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		return -1;
	}
	return 0;
}

/* A context of method with t's versions, cipher, suite and group lists,
 * renegotiation and compression off, SSL_MODE_ASYNC with an offload: what
 * every context of ours shares, before its certificate. */
static SSL_CTX *
ctx_settings(const struct tp_conf_tls *t, OSSL_LIB_CTX *libctx, const char *propq,
	     const SSL_METHOD *method, bool dtls, char *err, size_t errlen)
{
	char why[256];
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new_ex(libctx, propq, method);
	if (ctx == NULL)
		CTX_FAIL(t->line, "tls: cannot make a TLS context: %s%s%s",
			 ossl_why(why, sizeof(why)), propq ? " (properties " : "",
			 propq ? propq : "");
	/* DTLS: 1.2 alone (RFC 7350 over DTLS 1.0 is not offered; OpenSSL 3.0
	 * has no DTLS 1.3) */
	if (!SSL_CTX_set_min_proto_version(ctx, dtls ? DTLS1_2_VERSION : t->min_version) ||
	    !SSL_CTX_set_max_proto_version(ctx, dtls ? DTLS1_2_VERSION : TLS1_3_VERSION))
		CTX_FAIL(t->min_version_line ? t->min_version_line : t->line,
			 "tls.min_version: %s", ossl_why(why, sizeof(why)));
	if (!SSL_CTX_set_cipher_list(ctx, t->ciphers))
		CTX_FAIL(t->ciphers_line ? t->ciphers_line : t->line,
			 "tls.ciphers '%s': no cipher OpenSSL knows (%s)", t->ciphers,
			 ossl_why(why, sizeof(why)));
	if (!SSL_CTX_set_ciphersuites(ctx, t->ciphersuites))
		CTX_FAIL(t->ciphersuites_line ? t->ciphersuites_line : t->line,
			 "tls.ciphersuites '%s': not a TLS 1.3 suite list (%s)",
			 t->ciphersuites, ossl_why(why, sizeof(why)));
	/* OpenSSL's macro casts the list's const away (SSL_CTX_ctrl takes a
	 * void *); it only reads it. clang warns of the cast in the macro,
	 * gcc does not. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
	int groups_ok = SSL_CTX_set1_groups_list(ctx, t->groups);
#pragma GCC diagnostic pop
	if (!groups_ok)
		CTX_FAIL(t->groups_line ? t->groups_line : t->line,
			 "tls.groups '%s': not a group list OpenSSL knows (%s)", t->groups,
			 ossl_why(why, sizeof(why)));
	/*
	 * Renegotiation (TLS 1.2) is refused: it buys a client a second
	 * handshake's CPU for the price of a message (CVE-2011-1473's
	 * concern), and nothing in TURN or the AGW needs it. No
	 * compression (CRIME); as a server, the server's order of ciphers.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/*
	 * SSL_MODE_ASYNC whenever an offload is configured (tls.offload: an
	 * engine or a provider): a handshake or record operation that waits
	 * for the accelerator returns WANT_ASYNC and the worker goes on.
	 * Without one nothing could ever pause, and the mode would only cost
	 * an async job (a context switch) around every SSL_read and
	 * SSL_write: measured, TLS's added cost at 16 KB records 3.3-3.5
	 * cycles/byte with it, ~1.9 without (perf/RESULTS.md T7). dp's code
	 * is the same either way (it handles WANT_ASYNC, which then never
	 * comes). No SSL_MODE_RELEASE_BUFFERS: it frees and reallocates the
	 * record buffers around every record a connection reads, an
	 * allocation per packet; the buffers are bounded instead
	 * (SSL_CTX_set_max_send_fragment below, dp/tls/FEATURE.md).
	 */
	if (t->offload != TP_TLS_OFFLOAD_NONE)
		SSL_CTX_set_mode(ctx, SSL_MODE_ASYNC);
	/*
	 * Read ahead: OpenSSL takes what our BIO holds (TCP's segments) into
	 * its record buffer in one read, not a record's header and then its
	 * body; the buffer is the same size either way.
	 */
	SSL_CTX_set_read_ahead(ctx, 1);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* ctx_settings() with cert's chain and key from its files (checked to
 * be readable files first, the key to match): what the TURN server's
 * contexts and the AGW legs' share. */
static SSL_CTX *
ctx_base(const struct tp_conf_tls *t, const struct tp_conf_tls_cert *cert,
	 const char *what, OSSL_LIB_CTX *libctx, const char *propq,
	 const SSL_METHOD *method, bool dtls, char *err, size_t errlen)
{
	char why[256];
	SSL_CTX *ctx;

	if (file_ok(cert->certificate, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%d: %s.certificate '%s': %s", cert->certificate_line,
			 what, cert->certificate, why);
		return NULL;
	}
	if (file_ok(cert->private_key, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%d: %s.private_key '%s': %s", cert->private_key_line,
			 what, cert->private_key, why);
		return NULL;
	}
	ctx = ctx_settings(t, libctx, propq, method, dtls, err, errlen);
	if (ctx == NULL)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert->certificate) != 1)
		CTX_FAIL(cert->certificate_line, "%s.certificate '%s': not a PEM "
			 "certificate chain OpenSSL can use (%s)", what, cert->certificate,
			 ossl_why(why, sizeof(why)));
	if (SSL_CTX_use_PrivateKey_file(ctx, cert->private_key, SSL_FILETYPE_PEM) != 1 &&
	    key_mismatch())
		CTX_FAIL(cert->private_key_line, "%s.private_key '%s' does not match "
			 "%s.certificate '%s' (%s)", what, cert->private_key, what,
			 cert->certificate, ossl_why(why, sizeof(why)));
	if (SSL_CTX_get0_privatekey(ctx) == NULL)
		CTX_FAIL(cert->private_key_line, "%s.private_key '%s': not a PEM key "
			 "for %s.certificate '%s' (%s)", what, cert->private_key, what,
			 cert->certificate, ossl_why(why, sizeof(why)));
	if (SSL_CTX_check_private_key(ctx) != 1)
		CTX_FAIL(cert->private_key_line, "%s.private_key '%s' does not match "
			 "%s.certificate '%s' (%s)", what, cert->private_key, what,
			 cert->certificate, ossl_why(why, sizeof(why)));
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* One TURN server context with t's settings and cert's chain and key. */
static SSL_CTX *
ctx_one(const struct tp_conf_tls *t, const struct tp_conf_tls_cert *cert,
	const char *what, OSSL_LIB_CTX *libctx, const char *propq, char *err,
	size_t errlen)
{
	SSL_CTX *ctx = ctx_base(t, cert, what, libctx, propq, TLS_server_method(), false,
				err, errlen);

	if (ctx == NULL)
		return NULL;
	/* What TURN writes is one gathered mbuf at a time (2 KB): records of
	 * 4 KB at most need a 4 KB write buffer, not OpenSSL's 16 KB. */
	SSL_CTX_set_max_send_fragment(ctx, 4096);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	if (t->session_cache > 0) {
		/* Bounded per worker; expired entries go from the worker
		 * loop's own pass (tls_poll), not from an O(n) flush every
		 * 255 handshakes. */
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER |
					       SSL_SESS_CACHE_NO_AUTO_CLEAR);
		SSL_CTX_sess_set_cache_size(ctx, t->session_cache);
	} else {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	}
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"turnpike", 8);
	SSL_CTX_set_num_tickets(ctx, 1);
	return ctx;
}

SSL_CTX *
tls_ctx_create(const struct tp_conf_tls *t, OSSL_LIB_CTX *libctx, const char *propq,
	       char *err, size_t errlen)
{
	struct tls_sni *sni = NULL;
	SSL_CTX *ctx;

	if (errlen > 0)
		err[0] = '\0';
	if (sni_idx < 0) {
		sni_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, sni_free);
		if (sni_idx < 0) {
			snprintf(err, errlen, "%d: tls: no OpenSSL ex_data index", t->line);
			return NULL;
		}
	}
	ctx = ctx_one(t, &t->cert, "tls", libctx, propq, err, errlen);
	if (ctx == NULL)
		return NULL;
	if (t->nsni > 0) {
		sni = OPENSSL_zalloc(sizeof(*sni));
		if (sni == NULL || !SSL_CTX_set_ex_data(ctx, sni_idx, sni)) {
			OPENSSL_free(sni);
			snprintf(err, errlen, "%d: tls.sni: out of memory", t->line);
			goto out_free_ctx;
		}
		for (unsigned int i = 0; i < t->nsni; i++) {
			sni->ctx[i] = ctx_one(t, &t->sni[i], "tls.sni", libctx, propq, err,
					      errlen);
			if (sni->ctx[i] == NULL)
				goto out_free_ctx;
			snprintf(sni->name[i], sizeof(sni->name[i]), "%s", t->sni[i].name);
			sni->n++;
		}
		SSL_CTX_set_tlsext_servername_callback(ctx, sni_select);
		SSL_CTX_set_tlsext_servername_arg(ctx, sni);
	}
	return ctx;
out_free_ctx:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_leg_ctx_create(const struct tp_conf_tls *t, OSSL_LIB_CTX *libctx, const char *propq,
		   char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (errlen > 0)
		err[0] = '\0';
	ctx = ctx_base(t, &t->cert, "tls", libctx, propq, TLS_method(), false, err,
		       errlen);
	if (ctx == NULL)
		return NULL;
	/*
	 * The peer is trusted by the fingerprint signalled for it, nothing
	 * else: tls_leg_verify() replaces the chain verification (the mode,
	 * SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, is set per
	 * SSL). No resumption: a session resumed would skip the check of
	 * the certificate against this leg's own fingerprints (no cache, no
	 * tickets). Records of 16 KB (OpenSSL's default): a splice moves bulk
	 * data, and the record overhead of 4 KB ones costs goodput.
	 */
	SSL_CTX_set_cert_verify_callback(ctx, tls_leg_verify, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"turnpike-agw", 12);
	return ctx;
}

SSL_CTX *
dtls_ctx_create(const struct tp_conf_tls *t, OSSL_LIB_CTX *libctx, const char *propq,
		int (*gen)(SSL *, unsigned char *, unsigned int *),
		int (*verify)(SSL *, const unsigned char *, unsigned int),
		char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (errlen > 0)
		err[0] = '\0';
	ctx = ctx_base(t, &t->cert, "tls", libctx, propq, DTLS_server_method(), true, err,
		       errlen);
	if (ctx == NULL)
		return NULL;
	/* No async (a parked DTLS handshake would need its datagram kept),
	 * no read ahead (a datagram is read whole anyway). */
	SSL_CTX_clear_mode(ctx, SSL_MODE_ASYNC);
	SSL_CTX_set_read_ahead(ctx, 0);
	/* The path's MTU is not asked of the BIO: records and handshake
	 * fragments fit 1200 octets (SSL_set_mtu per session). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_COOKIE_EXCHANGE);
	SSL_CTX_set_cookie_generate_cb(ctx, gen);
	SSL_CTX_set_cookie_verify_cb(ctx, verify);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"turnpike-dtls", 13);
	return ctx;
}

SSL_CTX *
dtls_srtp_ctx_create(const struct tp_conf_tls *t, const struct tls_cred *cred,
		     unsigned int profiles, OSSL_LIB_CTX *libctx, const char *propq,
		     char *err, size_t errlen)
{
	char list[128], why[256];
	SSL_CTX *ctx;

	if (errlen > 0)
		err[0] = '\0';
	if (dtls_srtp_profile_list(profiles, list, sizeof(list)) <= 0) {
		snprintf(err, errlen, "%d: agw.dtls: no SRTP profile to offer", t->line);
		return NULL;
	}
	/* either role (DTLS_method()): the SSL is put in one */
	ctx = ctx_settings(t, libctx, propq, DTLS_method(), true, err, errlen);
	if (ctx == NULL)
		return NULL;
	if (cred == NULL || SSL_CTX_use_cert_and_key(ctx, cred->cert, cred->key, cred->chain,
						     1) != 1)
		CTX_FAIL(t->line, "agw.dtls: OpenSSL cannot use the certificate and key (%s)",
			 ossl_why(why, sizeof(why)));
	/* No async (the owner's, with an offload: its callback and ring) and
	 * no read ahead, as TURN's DTLS (dtls_ctx_create()). Records and
	 * handshake fragments fit the owner's SSL_set_mtu(). */
	SSL_CTX_clear_mode(ctx, SSL_MODE_ASYNC);
	SSL_CTX_set_read_ahead(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_max_send_fragment(ctx, 1200);
	/* every handshake checks the certificate: nothing to resume */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"turnpike-srtp", 13);
	/* the peer is its signalled fingerprint (RFC 5763 §5), as a leg's */
	SSL_CTX_set_cert_verify_callback(ctx, tls_leg_verify, NULL);
	/* (0 is success) */
	if (SSL_CTX_set_tlsext_use_srtp(ctx, list) != 0)
		CTX_FAIL(t->line, "agw.dtls: OpenSSL refuses use_srtp '%s' (%s)", list,
			 ossl_why(why, sizeof(why)));
	/* A handshake message longer than max(this, 16 KB and a header) is
	 * refused at its first fragment (a chain of 64 KB): no reassembly
	 * buffer of its size is ever made. */
	SSL_CTX_set_max_cert_list(ctx, 8192);
	SSL_CTX_set_client_hello_cb(ctx, dtls_srtp_client_hello, NULL);
	SSL_CTX_set_info_callback(ctx, dtls_srtp_info);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void
tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

int
tls_ctx_each(SSL_CTX *ctx, int (*fn)(SSL_CTX *c, void *arg), void *arg)
{
	const struct tls_sni *sni = sni_idx >= 0 ? SSL_CTX_get_ex_data(ctx, sni_idx) : NULL;
	int rc = fn(ctx, arg);

	for (unsigned int i = 0; rc >= 0 && sni != NULL && i < sni->n; i++)
		rc = fn(sni->ctx[i], arg);
	return rc;
}

/* The earlier of *at and when x expires (Unix seconds). */
static void
earliest(const X509 *x, ASN1_TIME *epoch, int64_t *at)
{
	const ASN1_TIME *na = x != NULL ? X509_get0_notAfter(x) : NULL;
	int days, secs;

	if (na == NULL || !ASN1_TIME_diff(&days, &secs, epoch, na))
		return;
	if ((int64_t)days * 86400 + secs < *at)
		*at = (int64_t)days * 86400 + secs;
}

int64_t
tls_certs_not_after(const X509 *x, STACK_OF(X509) *chain)
{
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int64_t at = INT64_MAX;

	if (epoch != NULL) {
		earliest(x, epoch, &at);
		for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++)
			earliest(sk_X509_value(chain, i), epoch, &at);
	}
	ASN1_TIME_free(epoch);
	return at == INT64_MAX ? 0 : at;
}

/* tls_ctx_not_after()'s step: c's certificate and the chain it sends. */
static int
ctx_expiry(SSL_CTX *c, void *arg)
{
	int64_t *first = arg, at;
	STACK_OF(X509) *chain = NULL;

	if (SSL_CTX_get0_chain_certs(c, &chain) != 1)
		chain = NULL;
	at = tls_certs_not_after(SSL_CTX_get0_certificate(c), chain);
	if (at > 0 && (*first == 0 || at < *first))
		*first = at;
	return 0;
}

int64_t
tls_ctx_not_after(SSL_CTX *ctx)
{
	int64_t first = 0;

	if (ctx != NULL)
		tls_ctx_each(ctx, ctx_expiry, &first);
	return first;
}

int
tls_expiry_say(int64_t not_after, int64_t now, char *buf, size_t len)
{
	time_t t = (time_t)not_after;
	int64_t left = not_after - now, days;
	struct tm tm;
	char when[32];

	if (len > 0)
		buf[0] = '\0';
	if (not_after <= 0)
		return 0;
	if (gmtime_r(&t, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
						 &tm) == 0)
		snprintf(when, sizeof(when), "at %lld", (long long)not_after);
	days = (left < 0 ? -left : left) / 86400;
	if (left <= 0) {
		snprintf(buf, len, "expired %s, %lld day(s) ago", when, (long long)days);
		return 2;
	}
	if (days == 0)
		snprintf(buf, len, "expires %s, in under a day", when);
	else
		snprintf(buf, len, "expires %s, in %lld day(s)", when, (long long)days);
	return left < (int64_t)TLS_EXPIRY_WARN_DAYS * 86400 ? 1 : 0;
}

SSL_CTX *
tls_ctx_sni(SSL_CTX *ctx, const char *name)
{
	struct tls_sni *sni = sni_idx >= 0 ? SSL_CTX_get_ex_data(ctx, sni_idx) : NULL;

	for (unsigned int i = 0; sni != NULL && i < sni->n; i++)
		if (name_match(sni->name[i], name))
			return sni->ctx[i];
	return NULL;
}

OSSL_LIB_CTX *
tls_libctx_create(const struct tp_conf_tls *t, const char **propq, char *err,
		  size_t errlen)
{
	OSSL_LIB_CTX *lc = OSSL_LIB_CTX_new();
	char why[256];

	*propq = NULL;
	if (lc == NULL) {
		snprintf(err, errlen, "%d: tls: cannot make an OpenSSL library context",
			 t->line);
		return NULL;
	}
	/* The default provider serves whatever the offload does not. */
	if (OSSL_PROVIDER_load(lc, "default") == NULL) {
		snprintf(err, errlen, "%d: tls: cannot load OpenSSL's default provider: %s",
			 t->line, ossl_why(why, sizeof(why)));
		goto out_free;
	}
	if (t->offload == TP_TLS_OFFLOAD_PROVIDER &&
	    strcmp(t->offload_provider, "default") != 0) {   /* (loaded: one reference) */
		if (OSSL_PROVIDER_load(lc, t->offload_provider) == NULL) {
			snprintf(err, errlen, "%d: tls.offload.provider '%s': cannot load it "
				 "(%s)", t->offload_line, t->offload_provider,
				 ossl_why(why, sizeof(why)));
			goto out_free;
		}
	}
	if (t->offload == TP_TLS_OFFLOAD_PROVIDER && t->offload_properties[0] != '\0')
		*propq = t->offload_properties;
	return lc;
out_free:
	tls_libctx_free(lc);
	return NULL;
}

/* The providers tls_libctx_create() loaded hold a reference each, which
 * OSSL_LIB_CTX_free() leaves: unload them first. */
struct prov_list {
	unsigned int n;
	OSSL_PROVIDER *p[8];
};

static int
prov_collect(OSSL_PROVIDER *p, void *arg)
{
	struct prov_list *l = arg;

	if (l->n < 8)
		l->p[l->n++] = p;
	return 1;
}

void
tls_libctx_free(OSSL_LIB_CTX *lc)
{
	struct prov_list l = { .n = 0 };

	if (lc == NULL)
		return;
	OSSL_PROVIDER_do_all(lc, prov_collect, &l);
	for (unsigned int i = 0; i < l.n; i++)
		OSSL_PROVIDER_unload(l.p[i]);
	OSSL_LIB_CTX_free(lc);
}

#ifndef OPENSSL_NO_ENGINE
static ENGINE *engine;
static int engine_poll;

int
tls_engine_load(const struct tp_conf_tls *t, char *err, size_t errlen)
{
	char why[256];
	ENGINE *e;

	if (t->offload != TP_TLS_OFFLOAD_ENGINE)
		return 0;
	ENGINE_load_builtin_engines();
	e = ENGINE_by_id(t->offload_engine);
	if (e == NULL) {
		snprintf(err, errlen, "%d: tls.offload.engine '%s': no such engine (%s)",
			 t->offload_line, t->offload_engine, ossl_why(why, sizeof(why)));
		return -ENOENT;
	}
	/* The QAT engine's own thread polls unless told the application
	 * will (before ENGINE_init) */
	if (t->offload_poll_external &&
	    !ENGINE_ctrl_cmd(e, "ENABLE_EXTERNAL_POLLING", 0, NULL, NULL, 0)) {
		snprintf(err, errlen, "%d: tls.offload.poll \"external\": engine '%s' "
			 "has no ENABLE_EXTERNAL_POLLING control (%s)", t->offload_line,
			 t->offload_engine, ossl_why(why, sizeof(why)));
		ENGINE_free(e);
		return -EINVAL;
	}
	if (!ENGINE_init(e)) {
		snprintf(err, errlen, "%d: tls.offload.engine '%s': cannot initialise it "
			 "(%s)", t->offload_line, t->offload_engine,
			 ossl_why(why, sizeof(why)));
		ENGINE_free(e);
		return -EIO;
	}
	ENGINE_set_default(e, ENGINE_METHOD_ALL);
	engine = e;
	engine_poll = t->offload_poll_external;
	return 0;
}

void
tls_engine_release(void)
{
	if (engine == NULL)
		return;
	ENGINE_finish(engine);
	ENGINE_free(engine);
	engine = NULL;
}

int
tls_engine_poll(void)
{
	int status = 0;

	if (engine == NULL || !engine_poll)
		return 0;
	ENGINE_ctrl_cmd(engine, "POLL", 0, &status, NULL, 0);
	return status;
}
#else
int
tls_engine_load(const struct tp_conf_tls *t, char *err, size_t errlen)
{
	if (t->offload != TP_TLS_OFFLOAD_ENGINE)
		return 0;
	snprintf(err, errlen, "%d: tls.offload.engine: this OpenSSL has no engines",
		 t->offload_line);
	return -ENOTSUP;
}

void
tls_engine_release(void)
{
}

int
tls_engine_poll(void)
{
	return 0;
}
#endif
