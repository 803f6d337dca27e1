/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's SRTP and SRTCP (rtp_srtp.c): the seam's ops (rtp_dp_types.h) on
 * libipsec-mb, and what the rest of dp/rtp asks of SRTP's suites.
 */
#ifndef DP_RTP_SRTP_H
#define DP_RTP_SRTP_H

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

/* The ops, or NULL when this dp cannot do SRTP on its fast path (built
 * without libipsec-mb, or a CPU without AES-NI). */
const struct rtp_srtp_ops *rtp_srtp_builtin(void);

/* Octets of the ops' table per termination (memory's statement). */
size_t rtp_srtp_entry_size(void);

/* The trailer's octets of what a termination's network sends under key
 * rx: SRTP's (tag and MKI) and SRTCP's tag and MKI (its index apart). */
void rtp_srtp_trailers(const struct ipc_srtp_key *rx, uint16_t *rtp, uint8_t *rtcp);

/* For the tests (RFC 3711 Appendix B): with label >= 0, n octets of that
 * label's session key from master key (key_len 16 or 32) and salt
 * (§4.3, B.3); with label -1, n octets of AES-CM keystream under key
 * from counter block iv (§4.1.1, B.2). 0, or -ENOMEM, -ENOTSUP. */
int rtp_srtp_kat(const uint8_t *key, unsigned int key_len, const uint8_t salt[14], int label,
		 const uint8_t iv[16], uint8_t *out, unsigned int n);

#endif /* DP_RTP_SRTP_H */
