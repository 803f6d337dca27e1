/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/srtp_ref: the reference SRTP and SRTCP (RFC 3711; AES-192/256
 * counter mode, RFC 6188; AES-GCM, RFC 7714), one direction a session, a
 * thin wrapper over libsrtp2 (Debian's libsrtp2-dev, 2.5). It is the far
 * end's SRTP, made by a library that is not ours: the tests
 * (test_srtp_ref, test_dp_rtp) hold dp's own SRTP (dp/rtp/rtp_srtp.c, on
 * libipsec-mb: the only SRTP on the packet path) to it octet for octet, and
 * perf's load generator (tpgen) and bench_rtp_relay make a UE's SRTP with
 * it. dp and cp never link it: their key is lib/ipc's struct ipc_srtp_key.
 *
 * What it wraps: a key struct of its own, outcome codes
 * (srtp_ref_errors.def) in place of libsrtp's, in-place protect/unprotect
 * with the room for the trailer checked, the state a restart needs (ROC,
 * highest sequence number, SRTCP index per SSRC) read out and put back, and
 * the keys wiped when a session is freed.
 *
 * A session serves any SSRC in its direction (libsrtp's ssrc_any_inbound or
 * ssrc_any_outbound template), as a relay does: the peer's SSRC is not
 * signalled. Not thread-safe: a session belongs to one thread.
 *
 * Allocation: srtp_ref_create() allocates (libsrtp's contexts, ours); a
 * packet of an SSRC not seen yet makes libsrtp allocate that SSRC's stream
 * (once, after its tag verified on the way in); no other packet allocates
 * here. Debian's libsrtp2 is built on NSS, whose AES counter mode and GCM
 * make a PK11 context per packet inside NSS: see FEATURE.md.
 */
#ifndef SRTP_REF_H
#define SRTP_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRTP_REF_KEY_MAX   32u  /* master key octets (AES-256) */
#define SRTP_REF_SALT_MAX  14u  /* master salt octets (counter mode; GCM's is 12) */
#define SRTP_REF_MKI_MAX   4u   /* MKI octets taken (lib/sdp keeps at most 4) */
#define SRTP_REF_SSRC_MAX  8u   /* SSRCs one session serves (each costs a libsrtp stream) */
#define SRTP_REF_WINDOW    128u /* the replay window when the key says none (libsrtp's) */
/* The most a protect adds: SRTCP's E||index (4), an MKI (4), a tag (16). */
#define SRTP_REF_TRAILER_MAX (4u + SRTP_REF_MKI_MAX + 16u)

/* The suites; the values are those of lib/sdp's enum sdp_suite. */
enum srtp_ref_suite {
	SRTP_REF_NONE = 0,
	SRTP_REF_AES_CM_128_HMAC_SHA1_80,
	SRTP_REF_AES_CM_128_HMAC_SHA1_32,
	SRTP_REF_AES_192_CM_HMAC_SHA1_80,
	SRTP_REF_AES_192_CM_HMAC_SHA1_32,
	SRTP_REF_AES_256_CM_HMAC_SHA1_80,
	SRTP_REF_AES_256_CM_HMAC_SHA1_32,
	SRTP_REF_AEAD_AES_128_GCM,
	SRTP_REF_AEAD_AES_256_GCM,
	SRTP_REF_SUITE_COUNT
};

/* What a packet came to: 0, or a code for a counter. */
enum srtp_ref_err {
	SRTP_REF_OK = 0,
#define SRTP_REF_ERR(e, name, what) SRTP_REF_E_##e,
#include "srtp_ref_errors.def"
#undef SRTP_REF_ERR
	SRTP_REF_E_COUNT
};

enum srtp_ref_dir {
	SRTP_REF_INBOUND = 1,  /* unprotect what the peer sends (its key) */
	SRTP_REF_OUTBOUND,     /* protect what we send (our key) */
};

/* One master key (RFC 3711 section 8) and how it is used. The caller's
 * copy holds the key: wipe it (srtp_ref_key_wipe()) when done. */
struct srtp_ref_key {
	uint8_t suite;                   /* enum srtp_ref_suite */
	uint8_t mki_len;                 /* 0: no MKI in the packets; 1..4 */
	uint16_t window;                 /* replay window, 0: SRTP_REF_WINDOW; else 64..32767 */
	uint32_t mki;                    /* the MKI, big-endian in mki_len octets */
	uint8_t key[SRTP_REF_KEY_MAX];   /* srtp_ref_key_len(suite) octets */
	uint8_t salt[SRTP_REF_SALT_MAX]; /* srtp_ref_salt_len(suite) octets */
};

/*
 * What a restart needs of one SSRC's stream to go on: the packet index
 * (RFC 3711 section 3.3.1: ROC * 65536 + SEQ) of the highest packet
 * processed, and for an outbound session the next SRTCP index (RFC 3711
 * section 3.4), which libsrtp keeps and does not let one set: put back by
 * srtp_ref_restore(), so that no SRTCP index (and keystream) is used twice.
 */
struct srtp_ref_stream {
	uint32_t ssrc;
	uint32_t roc;          /* rollover counter of the highest packet */
	uint16_t seq;          /* its sequence number */
	bool rtp;              /* RTP seen on this SSRC (roc and seq valid) */
	uint32_t rtcp_index;   /* outbound: SRTCP packets protected (the next index) */
};

struct srtp_ref;

/* libsrtp's one-time set-up (srtp_init()), once per process before any
 * other call; again is harmless. 0, or -EIO. */
int srtp_ref_init(void);

/* The suites this build of libsrtp takes, a bit (1u << suite) each: a
 * session of each is made and freed once (srtp_ref_init() first). The
 * AES_192_CM ones only where libsrtp derives their keys as RFC 6188 has
 * it (srtp_ref_init() checks one packet: libsrtp 2.5 does not). */
unsigned int srtp_ref_suites(void);

/* "AES_CM_128_HMAC_SHA1_80" etc. (RFC 4568's names); NULL for others. */
const char *srtp_ref_suite_name(enum srtp_ref_suite s);
/* Master key, master salt and SRTP tag octets of a suite; 0 for others.
 * (SRTCP's tag is 10 octets for both HMAC-SHA1 suites: RFC 3711 5.2.) */
unsigned int srtp_ref_key_len(enum srtp_ref_suite s);
unsigned int srtp_ref_salt_len(enum srtp_ref_suite s);
unsigned int srtp_ref_tag_len(enum srtp_ref_suite s);

/* "auth" etc.; NULL when e is not a code. srtp_ref_err_help(): a sentence. */
const char *srtp_ref_err_name(enum srtp_ref_err e);
const char *srtp_ref_err_help(enum srtp_ref_err e);

/*
 * A session for one direction with key k (copied; the caller may wipe
 * its own). NULL with errno: EINVAL (a suite not known or that libsrtp
 * refuses, a window out of range, mki_len above SRTP_REF_MKI_MAX or an MKI
 * that does not fit it; srtp_ref_init() not called), ENOTSUP (a suite not
 * in srtp_ref_suites()), ENOMEM.
 */
struct srtp_ref *srtp_ref_create(enum srtp_ref_dir dir, const struct srtp_ref_key *k);

/* Free s, its key copies wiped (libsrtp zeroes its own session keys and
 * salts on the way out). NULL is fine. */
void srtp_ref_free(struct srtp_ref *s);

/*
 * In place, on an outbound session: the RTP (RTCP) packet pkt[0..*len)
 * becomes SRTP (SRTCP), *len grows by the trailer; size is pkt's buffer,
 * which must hold *len + srtp_ref_trailer(s, rtcp) (else
 * SRTP_REF_E_NOSPACE, pkt untouched). Returns SRTP_REF_OK or a code; on a
 * code pkt may have been changed and is to be dropped.
 */
enum srtp_ref_err srtp_ref_protect(struct srtp_ref *s, uint8_t *pkt, size_t *len, size_t size);
enum srtp_ref_err srtp_ref_protect_rtcp(struct srtp_ref *s, uint8_t *pkt, size_t *len, size_t size);

/*
 * In place, on an inbound session: the SRTP (SRTCP) packet becomes RTP
 * (RTCP), *len shrinks by the trailer. Refused: a bad tag (AUTH), an index
 * seen or too old (REPLAY; also one at or below what a restored stream had
 * seen), a packet not parsed (MALFORMED), a 9th SSRC (SSRC_LIMIT). On a
 * code the packet is to be dropped.
 */
enum srtp_ref_err srtp_ref_unprotect(struct srtp_ref *s, uint8_t *pkt, size_t *len);
enum srtp_ref_err srtp_ref_unprotect_rtcp(struct srtp_ref *s, uint8_t *pkt, size_t *len);

/* The octets protect adds to an RTP (rtcp false) or RTCP packet. */
size_t srtp_ref_trailer(const struct srtp_ref *s, bool rtcp);

/* libsrtp's rollover counter of ssrc's stream (srtp_get_stream_roc()):
 * 0, or -ENOENT when no packet of ssrc was processed. */
int srtp_ref_get_roc(const struct srtp_ref *s, uint32_t ssrc, uint32_t *roc);

/* Set ssrc's ROC for the next packet (srtp_set_stream_roc(): the next
 * packet's index is roc * 65536 + its SEQ), making ssrc's stream if there
 * is none. 0, -ENOSPC (SRTP_REF_SSRC_MAX streams), -ENOMEM, -EINVAL (also
 * a ROC of 0 on a stream past its first wrap: libsrtp ignores a ROC of 0). */
int srtp_ref_set_roc(struct srtp_ref *s, uint32_t ssrc, uint32_t roc);

/* The state of each SSRC seen (at most max), for a restart. Returns how
 * many there are (more than max: the rest not written). */
unsigned int srtp_ref_streams(const struct srtp_ref *s, struct srtp_ref_stream *out,
			     unsigned int max);

/*
 * Put a stream's state back into a new session of the same key and
 * direction: the ROC (the next packet's index is taken from it), and
 *   - inbound: packets at or below the saved index are refused as replays
 *     until the stream is well past it (the replay window does not survive
 *     a restart; the saved index stands in for it);
 *   - outbound: the SRTCP index goes on from the saved one (libsrtp has no
 *     setter: as many SRTCP packets are protected and thrown away, which
 *     costs one protect each).
 * 0, -ENOSPC (SRTP_REF_SSRC_MAX streams), -EEXIST (ssrc already has
 * packets in s), -EINVAL, -ENOMEM.
 */
int srtp_ref_restore(struct srtp_ref *s, const struct srtp_ref_stream *st);

/* Wipe a key the caller holds. */
void srtp_ref_key_wipe(struct srtp_ref_key *k);

#endif /* SRTP_REF_H */
