/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls/dtls_srtp_ssl: what DTLS-SRTP (RFC 5763, RFC 5764) on the
 * gateway's RTP terminations needs of OpenSSL besides a leg (tls_leg.h)
 * and its context (dtls_srtp_ctx_create(), tls_ctx.h): use_srtp's
 * profiles as OpenSSL names them, the context's callbacks (a second look
 * at the ClientHello's use_srtp, alerts and refused renegotiations into
 * the leg), and the keys: RFC 5705's exporter split by role (RFC 5764
 * §4.2) into lib/ipc's struct ipc_srtp_key, as SDES keys are, the
 * exporter's output wiped. Plain OpenSSL, no DPDK: test_dtls_srtp runs
 * it against OpenSSL's DTLS client and server.
 */
#ifndef DP_TLS_DTLS_SRTP_SSL_H
#define DP_TLS_DTLS_SRTP_SSL_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "dtls_hello.h"
#include "ipc_types.h"

/* The SRTP suites the profiles key, by lib/sdp's enum sdp_suite values
 * (lib/ipc's struct ipc_srtp_key.suite; test_dtls_srtp holds them to
 * lib/sdp's). */
#define DTLS_SRTP_SUITE_AES_CM_128_SHA1_80  1u
#define DTLS_SRTP_SUITE_AES_CM_128_SHA1_32  2u
#define DTLS_SRTP_SUITE_AEAD_AES_128_GCM    7u
#define DTLS_SRTP_SUITE_AEAD_AES_256_GCM    8u

/*
 * The profiles dp's SRTP keys (dp/rtp/rtp_srtp.c): AES-CM and RFC 7714's
 * AEAD_AES_128_GCM and _256_GCM (0 here would leave GCM out of use_srtp's
 * list: the exporter, the front and the context take them either way).
 * What a termination offers is cp's profiles and these.
 */
#define DTLS_SRTP_DP_GCM 1
#define DTLS_SRTP_DP_PROFILES \
	(DTLS_SRTP_AES128_CM_80 | DTLS_SRTP_AES128_CM_32 | \
	 (DTLS_SRTP_DP_GCM ? DTLS_SRTP_AEAD_128_GCM | DTLS_SRTP_AEAD_256_GCM : 0u))

/*
 * use_srtp's list for OpenSSL (SSL_CTX_set_tlsext_use_srtp()) of profiles
 * (bits), in our order of preference, which a server's choice follows:
 * AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES128_CM_SHA1_80, _32 (RFC 5764
 * §4.1.2: the server picks; the shorter tag only when nothing else is
 * common). Its length; 0 when profiles holds none; -1 when len is short.
 */
int dtls_srtp_profile_list(unsigned int profiles, char *buf, size_t len);

/* The bits of what OpenSSL offers on s (SSL_get_srtp_profiles()). */
unsigned int dtls_srtp_profiles_of(SSL *s);

/* The suite (above) and key||salt octets a profile id keys; 0 for one dp
 * does not know. */
unsigned int dtls_srtp_suite(unsigned int profile_id);
unsigned int dtls_srtp_key_len(unsigned int profile_id);

/*
 * OpenSSL's ClientHello callback of a DTLS-SRTP context (the server's
 * second line after dtls_hello_srtp(), and the only one for a handshake
 * whose first flight came by another way): no use_srtp, a malformed one,
 * an MKI or no profile in common with the SSL's own refuse the handshake
 * before any key exchange (handshake_failure; the leg's why NO_SRTP).
 */
int dtls_srtp_client_hello(SSL *s, int *al, void *arg);

/* OpenSSL's info callback of a DTLS-SRTP context: the peer's fatal
 * alert, ours, its close_notify and each no_renegotiation we sent (a
 * ClientHello or HelloRequest after the handshake, RFC 5246 §7.2.2)
 * into the SSL's leg. */
void dtls_srtp_info(const SSL *s, int where, int ret);

/*
 * The keys of s's finished handshake (RFC 5764 §4.2): the selected
 * profile's 2 * (key + salt) octets of RFC 5705's exporter with label
 * "EXTRACTOR-dtls_srtp" and no context, laid out client_key |
 * server_key | client_salt | server_salt. As client (client true), tx
 * (what dp protects what it sends with) is client_key || client_salt and
 * rx (what the peer sends) server_key || server_salt; as server the
 * reverse. Each key as lib/ipc's (ipc_msg_check() takes it): the suite,
 * key_len, no MKI, window 0 (128), no streams, SRTCP index 0, the rest
 * zero. The exporter's output is wiped. 0; -EAGAIN (the handshake has
 * not finished), -ENOPROTOOPT (no profile
 * selected: the peer did without use_srtp), -EPROTONOSUPPORT (a profile
 * dp does not know), -EIO (the exporter failed); rx and tx all zero then.
 */
int dtls_srtp_export(SSL *s, bool client, struct ipc_srtp_key *rx, struct ipc_srtp_key *tx);

#endif /* DP_TLS_DTLS_SRTP_SSL_H */
