/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's SRTP and SRTCP (rtp_srtp.c): the seam's ops (rtp_dp_types.h) on
 * libipsec-mb, and what the rest of dp/rtp asks of SRTP's suites.
 */
#ifndef DP_RTP_SRTP_H
#define DP_RTP_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtp_dp_types.h"

/* The suites dp offers, by lib/sdp's enum sdp_suite values (lib/ipc's
 * struct ipc_srtp_key.suite; tests/unit/test_dp_srtp.c holds them to
 * lib/sdp's). */
#define RTP_SRTP_AES_CM_128_SHA1_80  1u
#define RTP_SRTP_AES_CM_128_SHA1_32  2u
#define RTP_SRTP_AES_256_CM_SHA1_80  5u
#define RTP_SRTP_AES_256_CM_SHA1_32  6u
#define RTP_SRTP_AEAD_AES_128_GCM    7u
#define RTP_SRTP_AEAD_AES_256_GCM    8u

/* The ops, or NULL when this dp cannot do SRTP on its fast path (built
 * without libipsec-mb, or a CPU without AES-NI). */
const struct rtp_srtp_ops *rtp_srtp_builtin(void);

/* Whether rtp_srtp_builtin()'s ops take the AES-GCM suites (RFC 7714):
 * libipsec-mb's GCM as dp keeps its keys, and CLMUL. */
bool rtp_srtp_gcm(void);

/* Octets of the ops' table per termination (memory's statement). */
size_t rtp_srtp_entry_size(void);

/* What lib/rtp's checks need of what t's network sends under key rx:
 * t->srtp_trailer (SRTP's tag and MKI octets), t->srtcp_trailer and
 * t->srtcp_mki (SRTCP's tag and MKI, its index apart), and RTP_SRTP_AEAD
 * in t->srtp for an AES-GCM key (RFC 7714 §9: SRTCP's index after the
 * tag). */
void rtp_srtp_trailers(const struct ipc_srtp_key *rx, struct rtp_term *t);

/* For the tests (RFC 3711 Appendix B): with label >= 0, n octets of that
 * label's session key from master key (key_len 16 or 32) and salt
 * (§4.3, B.3); with label -1, n octets of AES-CM keystream under key
 * from counter block iv (§4.1.1, B.2). 0, or -ENOMEM, -ENOTSUP. */
int rtp_srtp_kat(const uint8_t *key, unsigned int key_len, const uint8_t salt[14], int label,
		 const uint8_t iv[16], uint8_t *out, unsigned int n);

/* For the tests (RFC 7714 §16, §17, whose vectors give the session key
 * and salt, not a master key; an EAL up): the RTP packet (rtcp false) or
 * RTCP compound p (*len octets, 64 free after it) protected in place as
 * dp protects (open false: ROC roc, or SRTCP index roc) or unprotected
 * (open true: the SRTP or SRTCP packet under ROC roc), under AES-GCM
 * session key (key_len 16 or 32) and 12-octet session salt, for SRTP and
 * SRTCP alike; *len changes by the trailer. 0; the enum rtp_srtp_err of
 * a refusal (> 0); or -ENOMEM, -ENOTSUP (no GCM here). */
int rtp_srtp_gcm_kat(const uint8_t *key, unsigned int key_len, const uint8_t salt[12],
		     bool rtcp, bool open, uint32_t roc, uint8_t *p, uint16_t *len);

#endif /* DP_RTP_SRTP_H */
