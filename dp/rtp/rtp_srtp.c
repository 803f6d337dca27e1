/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's SRTP and SRTCP (RFC 3711) for the RTP terminations, behind the
 * seam's ops (rtp_dp_types.h): our own packet processing on libipsec-mb's
 * primitives, since libsrtp2 as Debian builds it (on NSS) allocates per
 * packet and costs microseconds a packet; lib/srtp_ref wraps it as the
 * tests' reference, which this SRTP is held to.
 *
 *   key derivation    RFC 3711 §4.3 (RFC 6188 for AES-256): the AES-CM
 *                     PRF over the master salt and a label, with
 *                     libipsec-mb's AES-CTR; done at RTP_ADD / RTP_MOD
 *   AES-CM            §4.1.1: the IV from the session salt, the SSRC and
 *                     the index; libipsec-mb's AES-CTR
 *   HMAC-SHA1         §4.2: its inner and outer states precomputed from
 *                     the session auth key; chained with the cipher in
 *                     one libipsec-mb job (its SSE manager: SHA-NI where
 *                     the CPU has it, one lane, no wait for others)
 *   the index         §3.3.1 with lib/rtp's srtp_roc_guess(); a replay
 *                     window per SSRC (§3.3.2), IPC_SRTP_SSRCS SSRCs a
 *                     direction, each kept while the key lives (another
 *                     is refused: a forgotten one's replays would be taken
 *                     again, its indices protected again, §9.1); out, a
 *                     stream a key's positions start (a dp restart) is
 *                     shifted past what the dp before may have used
 *                     (stream_shift())
 *   SRTCP             §3.4: the E flag and the 31-bit index, an 80-bit tag
 *                     whatever SRTP's (§5.2, RFC 4568 §6.2); in, a replay
 *                     window per SSRC (the compound's first), SRTCP_SSRCS
 *                     of them, as a sender keeps an index per SSRC (RFC
 *                     3711 §3.4: libsrtp2 a stream each): a browser's
 *                     audio and video, or RFC 4588's retransmission,
 *                     send SRTCP under one key from several SSRCs
 *   AES-GCM           RFC 7714 (AEAD_AES_128_GCM, AEAD_AES_256_GCM): the
 *                     same PRF over a 12-octet master salt followed by
 *                     two zero octets (§11, its erratum 4938), no auth
 *                     key; the 12-octet IV of the session salt, SSRC
 *                     and index (§8.1, §9.1); the RTP header as AAD
 *                     (§8.2), SRTCP's first 8 octets and its E-flag
 *                     word (§9.2: all of it with E clear, §9.3); the
 *                     16-octet tag after the ciphertext, then SRTCP's
 *                     word, then the MKI (§8, §9); libipsec-mb's one-call
 *                     AES-GCM of its SSE manager, its GHASH keys
 *                     precomputed at set-up
 *
 * Suites: AES_CM_128_HMAC_SHA1_80/_32, AES_256_CM_HMAC_SHA1_80/_32 and
 * AEAD_AES_128_GCM/AEAD_AES_256_GCM (lib/sdp's enum sdp_suite values 1,
 * 2, 5, 6, 7, 8). Not AES-192 (lib/srtp_ref, the reference, does not
 * offer it): check() refuses it.
 *
 * Memory: one entry per termination slot of the worker (two directions),
 * made at set-up; SRTCP's session keys are kept as they are and expanded
 * into the worker's scratch for each SRTCP packet (a few a second), so an
 * entry holds one key schedule a direction (AES-CM's and HMAC's, or
 * AES-GCM's with its GHASH keys, in the same place). Keys are wiped at
 * install, wipe and free. Nothing here logs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_malloc.h>

#ifdef TP_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

#include "ipc.h"
#include "rtp.h"
#include "rtp_dp.h"
#include "rtp_srtp.h"

static bool
suite_gcm(uint8_t suite)
{
	return suite == RTP_SRTP_AEAD_AES_128_GCM || suite == RTP_SRTP_AEAD_AES_256_GCM;
}

void
rtp_srtp_trailers(const struct ipc_srtp_key *rx, struct rtp_term *t)
{
	/* RFC 4568 §6.2: _32 is SRTP's tag only; SRTCP keeps 80 bits. RFC
	 * 7714 §8, §9: GCM's 16 octets both */
	unsigned int tag = suite_gcm(rx->suite) ? 16u :
			   rx->suite == RTP_SRTP_AES_CM_128_SHA1_32 ||
			   rx->suite == RTP_SRTP_AES_256_CM_SHA1_32 ? 4u : 10u;

	t->srtp_trailer = (uint16_t)(tag + rx->mki_len);
	t->srtcp_trailer = (uint8_t)(suite_gcm(rx->suite) ? 16u : 10u);
	t->srtcp_mki = rx->mki_len;
	t->srtp = (uint8_t)(suite_gcm(rx->suite) ? t->srtp | RTP_SRTP_AEAD :
			    t->srtp & ~RTP_SRTP_AEAD);
}

#ifdef TP_HAVE_IPSEC_MB

#define SRTP_WIN_MAX      128u       /* replay window, bits at most (in) */
#define SRTP_TX_WIN       64u        /* indices remembered as protected (out) */
#define SRTP_INDEX_MAX    0xffffffffffffull   /* 2^48 - 1 */
#define SRTCP_INDEX_MAX   0x7fffffffu
/* SRTCP's SSRCs followed in (a fifth is refused, not followed in place of
 * one: that one's replays would be taken again); each 16 octets */
#define SRTCP_SSRCS       4u
/* A restarted dp's SRTCP index goes on this far past the one cp last
 * heard of: what was sent since then must not be sent again (keystream
 * reuse); RTCP's rate (one every few seconds) makes 128 some minutes. */
#define SRTCP_RESTART_GAP 128u

#define SRTP_GCM_TAG      16u        /* RFC 7714 §14.2: the SDES suites' */
_Static_assert(SRTP_GCM_TAG <= IMB_SHA1_DIGEST_SIZE_IN_BYTES, "a tag's buffer holds either");

/*
 * What the SSE manager's AES-GCM reads and writes of a struct
 * gcm_key_data: the key schedule and 8 powers of H (and their Karatsuba
 * halves), 496 octets. The struct itself is 1,024 (room for the VAES
 * code's 48 powers): kept whole, it would more than double every
 * termination slot's entry, GCM or not. rtp_srtp_builtin() holds
 * libipsec-mb to the 496, so that a version that writes more leaves GCM
 * off rather than writing past the place.
 */
#define SRTP_GCM_KEY_LEN (offsetof(struct gcm_key_data, ghash_keys) + \
			  sizeof(((struct gcm_key_data *)0)->ghash_keys.sse_avx))

/* A direction's session keys for RTP or SRTCP, as libipsec-mb takes them:
 * AES-CM's schedule and HMAC-SHA1's states, or AES-GCM's (the first
 * SRTP_GCM_KEY_LEN octets of a struct gcm_key_data). */
struct srtp_keys {
	union {
		struct {
			uint8_t aes[16 * 15] __rte_aligned(16);   /* the key schedule */
			uint8_t ipad[32] __rte_aligned(16);       /* HMAC-SHA1's inner state */
			uint8_t opad[32] __rte_aligned(16);       /* and outer */
		};
		/* (16 is what its SSE code needs; the struct's 64, a cache
		 * line, would cost 48 octets a direction here) */
		uint8_t gcm[SRTP_GCM_KEY_LEN] __rte_aligned(16);
	};
	uint8_t salt[16];                         /* 14 octets (GCM: 12), then 0s */
};

/* One SSRC's place: the highest index (ROC, s_l), what was seen below it;
 * out, what cp was told, what a dp before a restart may have used and the
 * shift past it. Every index here is one under the key (out: the shifted
 * one), so a position told to cp is one too. */
struct srtp_stream {
	unsigned __int128 win;     /* bit d: index hi - d seen */
	struct srtp_roc r;
	uint32_t ssrc;
	uint32_t shift;            /* out: 0, or SRTP_SHIFT_ARMED, or what is added to
				    * the sender's SEQ (mod 2^16, in the header) */
	uint64_t told;             /* out: the index cp was told of last */
	uint64_t below;            /* out: none below this one (a restart's) */
};

/* A stream started at a floor (below) whose shift its next packet fixes;
 * a shifted start not yet said (stream_take()) */
#define SRTP_SHIFT_ARMED 0x10000u
#define SRTP_SHIFT_NEW   0x20000u
_Static_assert(IPC_SRTP_POS_LAG >= IPC_SRTP_TELL, "a shifted start tells");

/* One SSRC's SRTCP in: the highest index taken, what was seen below it. */
struct srtcp_win {
	uint64_t win;              /* bit d: index hi - d seen */
	uint32_t ssrc;
	uint32_t hi;
};

struct srtp_ws;

/* One direction of a termination. */
struct srtp_dir {
	struct srtp_keys rtp;      /* what every packet reads first */
	struct srtp_ws *ws;
	uint8_t on;                /* keyed */
	uint8_t out;               /* protects (else unprotects) */
	uint8_t aes_len;           /* 16, 32 */
	uint8_t gcm;               /* AES-GCM (RFC 7714), else AES-CM and HMAC-SHA1 */
	uint8_t tag_len;           /* SRTP's: 10 or 4 (SRTCP's is 10); GCM 16 */
	uint8_t mki_len;
	uint8_t mki[4];            /* network order */
	uint8_t srtcp_n;           /* in: SRTCP's SSRCs followed: w[0..srtcp_n) */
	uint8_t n;                 /* streams followed: s[0..n), by arrival */
	uint16_t window;           /* in: 64..SRTP_WIN_MAX */
	uint32_t srtcp_index;      /* out: the last sent; in: the highest taken of any SSRC */
	uint32_t srtcp_told;       /* out: the index cp was last told of (RTP_SRTP_TELL) */
	uint32_t srtcp_floor;      /* in, after a restart: up to this index, every
				    * SSRC's SRTCP counts as seen (0: none) */
	struct srtp_stream s[IPC_SRTP_SSRCS];
	struct srtcp_win w[SRTCP_SSRCS];
	/* SRTCP's session keys as derived (expanded per packet; GCM has no
	 * auth key and 12 octets of salt) */
	uint8_t rtcp_aes[32];
	uint8_t rtcp_auth[20];
	uint8_t rtcp_salt[14];
};

struct srtp_entry {
	struct srtp_dir in, out;
};

/* A worker's: its libipsec-mb manager, the scratch SRTCP's keys are
 * expanded into, the table. */
struct srtp_ws {
	IMB_MGR *mgr;
	uint32_t n;
	struct srtp_keys scratch;
	struct srtp_entry *e;
};

/* ---- helpers ------------------------------------------------------------------- */

/* (a load or store and a byte swap, whatever the register pressure around:
 * the shifts of bytes were not always seen as one) */
static inline uint32_t
be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	uint32_t b = rte_cpu_to_be_32(v);

	memcpy(p, &b, 4);
}

/* Equal in constant time: when a forged tag fails tells nothing. */
static inline bool
ct_equal(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	uint8_t x = 0;

	for (unsigned int i = 0; i < n; i++)
		x |= (uint8_t)(a[i] ^ b[i]);
	return x == 0;
}

static void
aes_expand(IMB_MGR *m, const uint8_t *key, unsigned int len, uint8_t *sched)
{
	uint8_t dec[16 * 15] __rte_aligned(16);

	if (len == 16)
		IMB_AES_KEYEXP_128(m, key, sched, dec);
	else
		IMB_AES_KEYEXP_256(m, key, sched, dec);
	explicit_bzero(dec, sizeof(dec));
}

/* RFC 2104's inner and outer states of HMAC-SHA1 under a key of len
 * octets, at most SHA-1's block (SRTP's session keys are 20, ICE's
 * passwords 22 to 64). */
static void
hmac_pads(IMB_MGR *m, const uint8_t *key, unsigned int len, uint8_t *ipad, uint8_t *opad)
{
	uint8_t b[64] __rte_aligned(16);

	memset(b, 0x36, sizeof(b));
	for (unsigned int i = 0; i < len && i < sizeof(b); i++)
		b[i] ^= key[i];
	IMB_SHA1_ONE_BLOCK(m, b, ipad);
	memset(b, 0x5c, sizeof(b));
	for (unsigned int i = 0; i < len && i < sizeof(b); i++)
		b[i] ^= key[i];
	IMB_SHA1_ONE_BLOCK(m, b, opad);
	explicit_bzero(b, sizeof(b));
}

/* One job of libipsec-mb, run now: AES-CTR over [coff, coff + clen) of p
 * in place (clen 0: none) and HMAC-SHA1 over [0, hlen) into tag (hlen 0:
 * none), the hash before the cipher when hash_first. */
static bool
imb_run(IMB_MGR *m, const struct srtp_keys *k, unsigned int aes_len, const uint8_t iv[16],
	uint8_t *p, unsigned int coff, unsigned int clen, unsigned int hlen, uint8_t tag[20],
	bool hash_first)
{
	IMB_JOB *j = IMB_GET_NEXT_JOB(m);

	j->cipher_direction = IMB_DIR_ENCRYPT;
	j->chain_order = hash_first ? IMB_ORDER_HASH_CIPHER : IMB_ORDER_CIPHER_HASH;
	j->cipher_mode = clen != 0 ? IMB_CIPHER_CNTR : IMB_CIPHER_NULL;
	j->enc_keys = k->aes;
	j->dec_keys = k->aes;
	j->key_len_in_bytes = aes_len;
	j->src = p;
	j->dst = p + coff;
	j->cipher_start_src_offset_in_bytes = coff;
	j->msg_len_to_cipher_in_bytes = clen;
	j->iv = iv;
	j->iv_len_in_bytes = 16;
	if (hlen != 0) {
		j->hash_alg = IMB_AUTH_HMAC_SHA_1;
		j->hash_start_src_offset_in_bytes = 0;
		j->msg_len_to_hash_in_bytes = hlen;
		j->auth_tag_output = tag;
		j->auth_tag_output_len_in_bytes = IMB_SHA1_DIGEST_SIZE_IN_BYTES;
		j->u.HMAC._hashed_auth_key_xor_ipad = k->ipad;
		j->u.HMAC._hashed_auth_key_xor_opad = k->opad;
	} else {
		j->hash_alg = IMB_AUTH_NULL;
		j->auth_tag_output = NULL;
		j->auth_tag_output_len_in_bytes = 0;
	}
	/* one job at a time: the manager's lanes are never waited for */
	j = IMB_SUBMIT_JOB(m);
	while (j == NULL)
		j = IMB_FLUSH_JOB(m);
	return j->status == IMB_STATUS_COMPLETED;
}

/* An IV: the salt's n octets, the SSRC XORed in at octet at, the 48-bit
 * index in the 6 octets after it. */
static inline void
iv_of(uint8_t *iv, const uint8_t *salt, unsigned int n, unsigned int at, uint32_t ssrc,
      uint64_t index)
{
	memcpy(iv, salt, n);
	iv[at] ^= (uint8_t)(ssrc >> 24);
	iv[at + 1] ^= (uint8_t)(ssrc >> 16);
	iv[at + 2] ^= (uint8_t)(ssrc >> 8);
	iv[at + 3] ^= (uint8_t)ssrc;
	for (unsigned int i = 0; i < 6; i++)
		iv[at + 9 - i] ^= (uint8_t)(index >> (8 * i));
}

/* RFC 3711 §4.1.1 (and §4.3.1's PRF): the counter block of (salt, SSRC,
 * index); index the packet's 48 bits or SRTCP's 31. */
static inline void
srtp_iv(uint8_t iv[16], const uint8_t salt[16], uint32_t ssrc, uint64_t index)
{
	iv_of(iv, salt, 16, 4, ssrc, index);
}

/* RFC 7714 §8.1 (SRTP: index the 48-bit ROC || SEQ) and §9.1 (SRTCP:
 * index the 31-bit SRTCP index): 00 00 || SSRC || index in 6 octets,
 * XOR the 12-octet session salt. */
static inline void
srtp_gcm_iv(uint8_t iv[12], const uint8_t salt[16], uint32_t ssrc, uint64_t index)
{
	iv_of(iv, salt, 12, 2, ssrc, index);
}

/*
 * AES-GCM (RFC 7714 §7) in place over [0, clen) of p, aad the AAD, the
 * 16-octet tag into tag: sealed (enc) or opened, the tag then the one
 * computed over the ciphertext, for the caller to compare. libipsec-mb's
 * one call: the context on the stack holds no more than this packet's
 * keystream, whose plaintext is in the packet anyway.
 */
static inline void
gcm_run(IMB_MGR *m, const struct srtp_keys *k, unsigned int aes_len, bool enc,
	const uint8_t iv[12], const uint8_t *aad, unsigned int aadl, uint8_t *p,
	unsigned int clen, uint8_t tag[SRTP_GCM_TAG])
{
	const struct gcm_key_data *g = (const struct gcm_key_data *)(const void *)k->gcm;
	struct gcm_context_data c;

	if (aes_len == 16) {
		if (enc)
			IMB_AES128_GCM_ENC(m, g, &c, p, p, clen, iv, aad, aadl, tag, SRTP_GCM_TAG);
		else
			IMB_AES128_GCM_DEC(m, g, &c, p, p, clen, iv, aad, aadl, tag, SRTP_GCM_TAG);
	} else {
		if (enc)
			IMB_AES256_GCM_ENC(m, g, &c, p, p, clen, iv, aad, aadl, tag, SRTP_GCM_TAG);
		else
			IMB_AES256_GCM_DEC(m, g, &c, p, p, clen, iv, aad, aadl, tag, SRTP_GCM_TAG);
	}
}

/* AES-GCM's key (its schedule and GHASH's keys) from a session key. */
static void
gcm_expand(IMB_MGR *m, const uint8_t *key, unsigned int len, struct srtp_keys *k)
{
	struct gcm_key_data *g = (struct gcm_key_data *)(void *)k->gcm;

	if (len == 16)
		IMB_AES128_GCM_PRE(m, key, g);
	else
		IMB_AES256_GCM_PRE(m, key, g);
}

/* RFC 3711 §4.3.1-4.3.3, key_derivation_rate 0: n octets of label's
 * session key from the master key (expanded in mk) and salt. */
static void
srtp_kdf(IMB_MGR *m, const struct srtp_keys *mk, unsigned int aes_len, uint8_t label,
	 uint8_t *out, unsigned int n)
{
	uint8_t iv[16], tag[20];

	memcpy(iv, mk->salt, 16);
	iv[7] ^= label;            /* the label, 48 bits of r = 0 after it */
	memset(out, 0, n);
	(void)imb_run(m, mk, aes_len, iv, out, 0, n, 0, tag, false);
	explicit_bzero(iv, sizeof(iv));
}

/* The RTP header's length of p (len octets; the fast path checked it:
 * srtp_parse() or rtp_parse()), 0 if it does not fit. */
static inline unsigned int
rtp_hdr_len(const uint8_t *p, unsigned int len)
{
	unsigned int hl = 12u + 4u * (p[0] & 0x0fu);

	if (p[0] & 0x10u) {
		if (len < hl + 4u)
			return 0;
		hl += 4u + 4u * ((unsigned int)p[hl + 2] << 8 | p[hl + 3]);
	}
	return hl <= len ? hl : 0;
}

/* ---- a direction from its key ------------------------------------------------- */

/* GCM with the SSE manager's key layout (rtp_srtp_builtin()) */
static bool gcm_ok;

static bool
suite_ok(uint8_t suite)
{
	return suite == RTP_SRTP_AES_CM_128_SHA1_80 || suite == RTP_SRTP_AES_CM_128_SHA1_32 ||
	       suite == RTP_SRTP_AES_256_CM_SHA1_80 || suite == RTP_SRTP_AES_256_CM_SHA1_32 ||
	       (suite_gcm(suite) && gcm_ok);
}

static void
dir_wipe(struct srtp_dir *d)
{
	struct srtp_ws *ws = d->ws;
	uint8_t out = d->out;

	explicit_bzero(d, sizeof(*d));
	d->ws = ws;
	d->out = out;
}

static void
dir_install(struct srtp_dir *d, const struct ipc_srtp_key *k)
{
	IMB_MGR *m = d->ws->mgr;
	struct srtp_keys mk;
	uint8_t key[32], auth[20];
	bool gcm = suite_gcm(k->suite);
	/* RFC 7714 §11: GCM's master salt is 12 octets */
	unsigned int salt_len = gcm ? 12u : 14u, aes_len = k->key_len - salt_len;

	dir_wipe(d);
	/* the master key's schedule and salt, for the PRF; GCM's 12-octet
	 * salt times 2^16 (RFC 7714 erratum 4938): two zero octets after */
	aes_expand(m, k->key, aes_len, mk.aes);
	memset(mk.salt, 0, sizeof(mk.salt));
	memcpy(mk.salt, k->key + aes_len, salt_len);
	/* RFC 3711 §4.3.2: labels 0, 1, 2 for SRTP; 3, 4, 5 for SRTCP; GCM
	 * has no auth keys (RFC 7714 §11) */
	srtp_kdf(m, &mk, aes_len, 0x00, key, aes_len);
	if (gcm) {
		gcm_expand(m, key, aes_len, &d->rtp);
	} else {
		aes_expand(m, key, aes_len, d->rtp.aes);
		srtp_kdf(m, &mk, aes_len, 0x01, auth, 20);
		hmac_pads(m, auth, 20, d->rtp.ipad, d->rtp.opad);
		srtp_kdf(m, &mk, aes_len, 0x04, d->rtcp_auth, 20);
	}
	srtp_kdf(m, &mk, aes_len, 0x02, d->rtp.salt, salt_len);
	srtp_kdf(m, &mk, aes_len, 0x03, d->rtcp_aes, aes_len);
	srtp_kdf(m, &mk, aes_len, 0x05, d->rtcp_salt, salt_len);
	explicit_bzero(&mk, sizeof(mk));
	explicit_bzero(key, sizeof(key));
	explicit_bzero(auth, sizeof(auth));
	d->on = 1;
	d->gcm = gcm;
	d->aes_len = (uint8_t)aes_len;
	d->tag_len = gcm ? SRTP_GCM_TAG :
		     k->suite == RTP_SRTP_AES_CM_128_SHA1_32 ||
		     k->suite == RTP_SRTP_AES_256_CM_SHA1_32 ? 4u : 10u;
	d->mki_len = k->mki_len;
	for (unsigned int i = 0; i < k->mki_len; i++)
		d->mki[i] = (uint8_t)(k->mki >> (8u * (k->mki_len - 1u - i)));
	/* RFC 4568 §6.3.6: WSH at least 64; more than we keep is ours */
	d->window = k->window == 0 || k->window > SRTP_WIN_MAX ? (uint16_t)SRTP_WIN_MAX :
		    k->window < 64u ? 64u : k->window;
	if (d->out && d->window > SRTP_TX_WIN)
		d->window = SRTP_TX_WIN;
	/* a restart (or a new receive key): each stream goes on where cp
	 * last heard of it; below that index everything counts as seen (the
	 * window did not survive) */
	for (unsigned int i = 0; i < k->nstreams && i < IPC_SRTP_SSRCS; i++) {
		struct srtp_stream *st = &d->s[i];
		uint64_t at = srtp_index(k->stream[i].roc, k->stream[i].seq);

		st->ssrc = k->stream[i].ssrc;
		st->told = at;
		if (d->out) {
			/* RFC 3711 §9.1: the dp before may have protected up
			 * to IPC_SRTP_POS_LAG past what cp heard (it told cp
			 * every IPC_SRTP_TELL): none of those again; the
			 * stream's next packet goes on at once past them
			 * (stream_shift()) */
			at = at > SRTP_INDEX_MAX - IPC_SRTP_POS_LAG ? SRTP_INDEX_MAX :
			     at + IPC_SRTP_POS_LAG;
			st->below = at + 1u;
			st->shift = SRTP_SHIFT_ARMED;
		}
		srtp_roc_init(&st->r, (uint32_t)(at >> 16), (uint16_t)at);
		st->win = ~(unsigned __int128)0;
		d->n = (uint8_t)(i + 1u);
	}
	if (k->srtcp_index != 0) {
		if (d->out) {
			d->srtcp_index = k->srtcp_index > SRTCP_INDEX_MAX - SRTCP_RESTART_GAP ?
					 SRTCP_INDEX_MAX : k->srtcp_index + SRTCP_RESTART_GAP;
			d->srtcp_told = d->srtcp_index;
		} else {
			/* which SSRC it was is not kept: each SSRC's window
			 * starts there (one below it waits to pass it) */
			d->srtcp_index = k->srtcp_index;
			d->srtcp_floor = k->srtcp_index;
		}
	}
}

/* ---- the ops --------------------------------------------------------------------- */

static void *
srtp_worker_init(uint32_t n, int socket)
{
	struct srtp_ws *ws = rte_zmalloc_socket("rtp_srtp", sizeof(*ws), 64, socket);

	if (ws == NULL)
		return NULL;
	ws->n = n;
	ws->e = rte_zmalloc_socket("rtp_srtp_tab", (size_t)n * sizeof(*ws->e), 64, socket);
	ws->mgr = alloc_mb_mgr(0);
	if (ws->e == NULL || ws->mgr == NULL) {
		if (ws->mgr != NULL)
			free_mb_mgr(ws->mgr);
		rte_free(ws->e);
		rte_free(ws);
		errno = ENOMEM;
		return NULL;
	}
	/* the SSE manager: its HMAC-SHA1 is SHA-NI's where the CPU has it
	 * and its lanes few; the AVX2/AVX-512 ones hash 8 or 16 packets
	 * abreast and a lone packet waits for a flush that costs as much
	 * as all of them (2 us a packet against 0.2 here) */
	init_mb_mgr_sse(ws->mgr);
	for (uint32_t i = 0; i < n; i++) {
		ws->e[i].in.ws = ws;
		ws->e[i].out.ws = ws;
		ws->e[i].out.out = 1;
	}
	return ws;
}

static void
srtp_worker_free(void *p)
{
	struct srtp_ws *ws = p;

	if (ws == NULL)
		return;
	explicit_bzero(ws->e, (size_t)ws->n * sizeof(*ws->e));
	explicit_bzero(&ws->scratch, sizeof(ws->scratch));
	free_mb_mgr(ws->mgr);
	rte_free(ws->e);
	rte_free(ws);
}

static const char *
srtp_check(const void *ws, const struct ipc_srtp_key *rx, const struct ipc_srtp_key *tx)
{
	(void)ws;
	if (!suite_ok(rx->suite) || !suite_ok(tx->suite))
		return gcm_ok ? "its SRTP suite is not one this dp offers (AES_CM_128_HMAC_SHA1_80/32, "
				"AES_256_CM_HMAC_SHA1_80/32, AEAD_AES_128_GCM, AEAD_AES_256_GCM)" :
		       "its SRTP suite is not one this dp offers (AES_CM_128_HMAC_SHA1_80/32, "
		       "AES_256_CM_HMAC_SHA1_80/32; not AES-GCM: this libipsec-mb's GCM keys are "
		       "not the layout dp keeps)";
	if (rx->key_len != ipc_srtp_key_len(rx->suite) ||
	    tx->key_len != ipc_srtp_key_len(tx->suite) || rx->mki_len > IPC_SRTP_MKI_MAX ||
	    tx->mki_len > IPC_SRTP_MKI_MAX)
		return "its SRTP key's or MKI's length is not its suite's";
	return NULL;
}

static void
srtp_install(void *p, uint32_t idx, const struct ipc_srtp_key *rx,
	     const struct ipc_srtp_key *tx, void **in, void **out)
{
	struct srtp_ws *ws = p;
	struct srtp_entry *e = &ws->e[idx];

	if (rx != NULL)
		dir_install(&e->in, rx);
	if (tx != NULL)
		dir_install(&e->out, tx);
	*in = &e->in;
	*out = &e->out;
}

static void
srtp_wipe(void *p, uint32_t idx)
{
	struct srtp_ws *ws = p;

	dir_wipe(&ws->e[idx].in);
	dir_wipe(&ws->e[idx].out);
}

static void
srtp_position(const void *sctx, struct ipc_srtp_pos *pos)
{
	const struct srtp_dir *d = sctx;

	memset(pos, 0, sizeof(*pos));
	if (d == NULL || !d->on)
		return;
	for (unsigned int i = 0; i < d->n; i++) {
		pos->stream[i].ssrc = d->s[i].ssrc;
		pos->stream[i].roc = d->s[i].r.roc;
		pos->stream[i].seq = d->s[i].r.s_l;
	}
	pos->nstreams = d->n;
	pos->srtcp_index = d->srtcp_index;
}

/* The stream of ssrc (NULL: a new one). */
static inline struct srtp_stream *
stream_of(struct srtp_dir *d, uint32_t ssrc)
{
	if (likely(d->n != 0 && d->s[0].ssrc == ssrc))
		return &d->s[0];
	for (unsigned int i = 1; i < d->n; i++)
		if (d->s[i].ssrc == ssrc)
			return &d->s[i];
	return NULL;
}

/*
 * The index of (ssrc, seq) in d: st its stream (NULL: a new one, ROC 0),
 * *v the ROC the packet is taken to have; 0, or why not (an index seen,
 * too old for the window, or one a dp before a restart may have used).
 */
static inline int
stream_index(const struct srtp_dir *d, const struct srtp_stream *st, uint16_t seq,
	     uint32_t *v)
{
	uint64_t hi, idx;

	if (st == NULL) {
		*v = 0;
		return 0;
	}
	*v = srtp_roc_guess(&st->r, seq);
	/* (ROC 0's packets from before the start: there are none) */
	if (st->r.roc == 0 && *v == UINT32_MAX)
		return -RTP_SRTP_E_OLD;
	idx = srtp_index(*v, seq);
	hi = srtp_index(st->r.roc, st->r.s_l);
	if (idx > hi)
		return 0;
	/* (out: one below where a restart started the stream: the dp before
	 * may have used it) */
	if (idx < st->below)
		return -RTP_SRTP_E_OLD;
	if (hi - idx >= d->window)
		return -RTP_SRTP_E_OLD;
	if ((st->win >> (hi - idx)) & 1u)
		return -RTP_SRTP_E_REPLAY;
	return 0;
}

/* A new SSRC's first packet (ssrc, v, seq) went through: it takes the next
 * of d's IPC_SRTP_SSRCS places (the caller saw one free), and cp is to
 * hear of it. */
static int __rte_noinline
stream_new(struct srtp_dir *d, uint32_t ssrc, uint32_t v, uint16_t seq)
{
	struct srtp_stream *st = &d->s[d->n++];

	memset(st, 0, sizeof(*st));
	st->ssrc = ssrc;
	srtp_roc_init(&st->r, v, seq);
	st->win = 1;
	st->told = srtp_index(v, seq);
	return RTP_SRTP_TELL;
}

/* The packet (ssrc, v, seq) went through: its stream knows it (NULL: a
 * new SSRC, stream_new()). RTP_SRTP_TELL when cp should hear where d's
 * streams stand: a new SSRC, or a stream dp protects IPC_SRTP_TELL past
 * what cp was told; else 0. */
static inline int
stream_take(struct srtp_dir *d, struct srtp_stream *st, uint32_t ssrc, uint32_t v,
	    uint16_t seq)
{
	uint64_t hi, idx = srtp_index(v, seq);

	if (unlikely(st == NULL))
		return stream_new(d, ssrc, v, seq);
	hi = srtp_index(st->r.roc, st->r.s_l);
	if (idx <= hi) {
		st->win |= (unsigned __int128)1 << (hi - idx);
		return 0;
	}
	st->win = idx - hi >= 128 ? 1 : st->win << (idx - hi) | 1u;
	srtp_roc_update(&st->r, v, seq);
	if (unlikely(d->out && idx - st->told >= IPC_SRTP_TELL)) {
		st->told = idx;
		if (st->shift & SRTP_SHIFT_NEW) {
			st->shift &= ~SRTP_SHIFT_NEW;
			return RTP_SRTP_TELL | RTP_SRTP_SHIFTED;
		}
		return RTP_SRTP_TELL;
	}
	return 0;
}

/*
 * What unprotecting an SRTP packet (len octets, trailer of them its tag
 * and MKI, the MKI at mki_at) asks before its crypto, AES-CM or GCM: its
 * header's length (*hl), the MKI, its SSRC's stream (*st, NULL: a new
 * one), its sequence number and the ROC it is taken to have (*v). 0, or
 * why not.
 */
static __rte_always_inline int
rtp_in_index(struct srtp_dir *d, const uint8_t *p, unsigned int len, unsigned int trailer,
	     unsigned int mki_at, unsigned int *hl, struct srtp_stream **st, uint32_t *ssrc,
	     uint32_t *v, uint16_t *seq)
{
	if (len < 12u + trailer || (*hl = rtp_hdr_len(p, len - trailer)) == 0)
		return -RTP_SRTP_E_SHORT;
	/* the MKI is not secret: a plain compare */
	if (d->mki_len != 0 && memcmp(p + mki_at, d->mki, d->mki_len) != 0)
		return -RTP_SRTP_E_MKI;
	*seq = (uint16_t)(p[2] << 8 | p[3]);
	*ssrc = be32(p + 8);
	*st = stream_of(d, *ssrc);
	/* a third SSRC is refused, not followed in place of one: that one's
	 * captured packets would be taken again (§3.3.2); before the crypto,
	 * which could not make it taken */
	if (unlikely(*st == NULL) && d->n == IPC_SRTP_SSRCS)
		return -RTP_SRTP_E_SSRC_LIMIT;
	return stream_index(d, *st, *seq, v);
}

/* RFC 3711 §3.3: an SRTP packet from the termination's network. */
static int
srtp_rtp_in(struct srtp_dir *d, uint8_t *p, uint16_t *lenp)
{
	unsigned int len = *lenp, trailer = (unsigned int)d->tag_len + d->mki_len;
	unsigned int hl, alen = len - trailer;
	uint8_t tag[IMB_SHA1_DIGEST_SIZE_IN_BYTES], want[10], iv[16];
	struct srtp_stream *st;
	uint32_t ssrc, v;
	uint16_t seq;
	int rc;

	/* (RFC 3711 §3.1: the MKI before the tag) */
	if ((rc = rtp_in_index(d, p, len, trailer, alen, &hl, &st, &ssrc, &v, &seq)) != 0)
		return rc;
	/* §4.2: the tag covers the packet and the ROC, which goes where the
	 * trailer was */
	memcpy(want, p + alen + d->mki_len, d->tag_len);
	put_be32(p + alen, v);
	srtp_iv(iv, d->rtp.salt, ssrc, srtp_index(v, seq));
	if (!imb_run(d->ws->mgr, &d->rtp, d->aes_len, iv, p, hl, alen - hl, alen + 4u, tag,
		     true))
		return -RTP_SRTP_E_CRYPTO;
	if (!ct_equal(tag, want, d->tag_len))
		return -RTP_SRTP_E_AUTH;
	*lenp = (uint16_t)alen;
	return stream_take(d, st, ssrc, v, seq);
}

/* RFC 7714 §8: the same under AES-GCM: the header the AAD (§8.2), the
 * 16-octet tag after the ciphertext, the MKI after the tag. */
static int __rte_noinline
srtp_rtp_in_gcm(struct srtp_dir *d, uint8_t *p, uint16_t *lenp)
{
	unsigned int len = *lenp, trailer = SRTP_GCM_TAG + d->mki_len;
	unsigned int hl, clen = len - trailer;
	uint8_t tag[SRTP_GCM_TAG], iv[12];
	struct srtp_stream *st;
	uint32_t ssrc, v;
	uint16_t seq;
	int rc;

	if ((rc = rtp_in_index(d, p, len, trailer, len - d->mki_len, &hl, &st, &ssrc, &v,
			       &seq)) != 0)
		return rc;
	srtp_gcm_iv(iv, d->rtp.salt, ssrc, srtp_index(v, seq));
	gcm_run(d->ws->mgr, &d->rtp, d->aes_len, false, iv, p, hl, p + hl, clen - hl, tag);
	if (!ct_equal(tag, p + clen, SRTP_GCM_TAG))
		return -RTP_SRTP_E_AUTH;
	*lenp = (uint16_t)clen;
	return stream_take(d, st, ssrc, v, seq);
}

/*
 * A stream a key's positions started (a dp restart): its index is the
 * plain sender's SEQ, which dp does not choose, and the dp before may have
 * protected any index below st->below (the position cp gave plus the
 * bound). Rather than refuse every packet until the sender passes it
 * (seconds of silence), the stream's first packet (SEQ seq, its index i
 * the one nearest the position) fixes shift = max(0, below - i), and it
 * and every later packet are protected at index i + shift: SEQ + shift
 * written in the header before the tag covers it, the ROC from the
 * shifted index (srtp_roc_guess() in the key's space, which the shift
 * mod 2^16 is enough for). No (SSRC, index) twice (RFC 3711 §9.1): each
 * index is at least below, and one packet's index each after; the
 * receiver sees a forward jump (RFC 3550 A.1 takes it as loss). The
 * position told is the shifted one, so a later restart shifts from it.
 * The SEQ the packet then carries. A shifted start is marked
 * (SRTP_SHIFT_NEW) for stream_take() to say so with its tell: its first
 * index is IPC_SRTP_POS_LAG past what cp was told, so it tells.
 */
static uint16_t __rte_noinline __rte_cold
stream_shift(struct srtp_stream *st, uint8_t *p, uint16_t seq)
{
	if (st->shift & SRTP_SHIFT_ARMED) {
		uint32_t v = srtp_roc_guess(&st->r, seq);

		if (v != UINT32_MAX && srtp_index(v, seq) >= st->below) {
			st->shift = 0;            /* the sender is past it already */
			return seq;
		}
		/* (the first index is below's: its SEQ below's low 16 bits,
		 * the ROC guessed from the highest, below - 1) */
		st->shift = SRTP_SHIFT_NEW | (uint16_t)((uint16_t)st->below - seq);
	}
	seq = (uint16_t)(seq + st->shift);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	return seq;
}

/*
 * What protecting an RTP packet (len octets, room free after it, trailer
 * to add) asks before its crypto, AES-CM or GCM: its header's length,
 * the room, its SSRC's stream (*st, NULL: a new one), its sequence number
 * (shifted, and the header's with it, after a restart: stream_shift())
 * and ROC (*v). 0, or why not.
 */
static __rte_always_inline int
rtp_out_index(struct srtp_dir *d, uint8_t *p, unsigned int len, uint16_t room,
	      unsigned int trailer, unsigned int *hl, struct srtp_stream **st, uint32_t *ssrc,
	      uint32_t *v, uint16_t *seq)
{
	int rc;

	if (len < 12u || (*hl = rtp_hdr_len(p, len)) == 0)
		return -RTP_SRTP_E_SHORT;
	/* (AES-CM's ROC is written past the packet before the tag takes
	 * its place) */
	if (room < RTE_MAX(trailer, 4u) || len + trailer > UINT16_MAX)
		return -RTP_SRTP_E_NO_ROOM;
	*seq = (uint16_t)(p[2] << 8 | p[3]);
	*ssrc = be32(p + 8);
	*st = stream_of(d, *ssrc);
	/* an index is never protected twice (a duplicate from the other
	 * side would reuse its keystream); so an SSRC protected for is never
	 * forgotten while the key lives: one past IPC_SRTP_SSRCS is refused,
	 * not taken in place of one (whose indices would start over: a
	 * sender on the plain side could have the same keystream used twice) */
	if (unlikely(*st == NULL)) {
		if (d->n == IPC_SRTP_SSRCS)
			return -RTP_SRTP_E_SSRC_LIMIT;
	} else if (unlikely((*st)->shift != 0)) {
		*seq = stream_shift(*st, p, *seq);
	}
	if ((rc = stream_index(d, *st, *seq, v)) != 0)
		return rc;
	if (*v == UINT32_MAX && *seq == UINT16_MAX)
		return -RTP_SRTP_E_EXHAUSTED;
	return 0;
}

/* What dp sends the termination's network, protected. */
static int
srtp_rtp_out(struct srtp_dir *d, uint8_t *p, uint16_t *lenp, uint16_t room)
{
	unsigned int len = *lenp, trailer = (unsigned int)d->tag_len + d->mki_len;
	unsigned int hl;
	uint8_t tag[IMB_SHA1_DIGEST_SIZE_IN_BYTES], iv[16];
	struct srtp_stream *st;
	uint32_t ssrc, v;
	uint16_t seq;
	int rc;

	if ((rc = rtp_out_index(d, p, len, room, trailer, &hl, &st, &ssrc, &v, &seq)) != 0)
		return rc;
	srtp_iv(iv, d->rtp.salt, ssrc, srtp_index(v, seq));
	put_be32(p + len, v);
	if (!imb_run(d->ws->mgr, &d->rtp, d->aes_len, iv, p, hl, len - hl, len + 4u, tag,
		     false))
		return -RTP_SRTP_E_CRYPTO;
	memcpy(p + len, d->mki, d->mki_len);
	memcpy(p + len + d->mki_len, tag, d->tag_len);
	*lenp = (uint16_t)(len + trailer);
	return stream_take(d, st, ssrc, v, seq);
}

/* RFC 7714 §8: the same under AES-GCM: header, ciphertext, tag, MKI. */
static int __rte_noinline
srtp_rtp_out_gcm(struct srtp_dir *d, uint8_t *p, uint16_t *lenp, uint16_t room)
{
	unsigned int len = *lenp, trailer = SRTP_GCM_TAG + d->mki_len;
	unsigned int hl;
	uint8_t iv[12];
	struct srtp_stream *st;
	uint32_t ssrc, v;
	uint16_t seq;
	int rc;

	if ((rc = rtp_out_index(d, p, len, room, trailer, &hl, &st, &ssrc, &v, &seq)) != 0)
		return rc;
	srtp_gcm_iv(iv, d->rtp.salt, ssrc, srtp_index(v, seq));
	gcm_run(d->ws->mgr, &d->rtp, d->aes_len, true, iv, p, hl, p + hl, len - hl, p + len);
	memcpy(p + len + SRTP_GCM_TAG, d->mki, d->mki_len);
	*lenp = (uint16_t)(len + trailer);
	return stream_take(d, st, ssrc, v, seq);
}

/* SRTCP's session keys into the worker's scratch, for one packet. */
static struct srtp_keys *
srtcp_keys(struct srtp_dir *d)
{
	struct srtp_keys *k = &d->ws->scratch;

	if (d->gcm) {
		gcm_expand(d->ws->mgr, d->rtcp_aes, d->aes_len, k);
	} else {
		aes_expand(d->ws->mgr, d->rtcp_aes, d->aes_len, k->aes);
		hmac_pads(d->ws->mgr, d->rtcp_auth, 20, k->ipad, k->opad);
	}
	memset(k->salt, 0, sizeof(k->salt));
	memcpy(k->salt, d->rtcp_salt, 14);
	return k;
}

/* RFC 7714 §9: an SRTCP packet's tag under AES-GCM (k, iv), the packet
 * (its compound clen octets, its E-flag word at p + at) opened in place
 * when E is set (§9.2: the first 8 octets and the word the AAD); with E
 * clear all of it is AAD (§9.3), the word moved after the compound for
 * that (the packet is refused either way). */
static void
srtcp_gcm_open(struct srtp_dir *d, const struct srtp_keys *k, const uint8_t iv[12],
	       uint8_t *p, unsigned int clen, unsigned int at, uint32_t word,
	       uint8_t tag[SRTP_GCM_TAG])
{
	uint8_t aad[SRTCP_CLEAR_LEN + SRTCP_INDEX_LEN];

	if (word & SRTCP_E_FLAG) {
		memcpy(aad, p, SRTCP_CLEAR_LEN);
		memcpy(aad + SRTCP_CLEAR_LEN, p + at, SRTCP_INDEX_LEN);
		gcm_run(d->ws->mgr, k, d->aes_len, false, iv, aad, sizeof(aad),
			p + SRTCP_CLEAR_LEN, clen - SRTCP_CLEAR_LEN, tag);
	} else {
		memmove(p + clen, p + at, SRTCP_INDEX_LEN);
		gcm_run(d->ws->mgr, k, d->aes_len, false, iv, p, clen + SRTCP_INDEX_LEN,
			p + clen, 0, tag);
	}
}

/* SRTCP's window of ssrc in d (NULL: none yet). */
static struct srtcp_win *
srtcp_win_of(struct srtp_dir *d, uint32_t ssrc)
{
	for (unsigned int i = 0; i < d->srtcp_n; i++)
		if (d->w[i].ssrc == ssrc)
			return &d->w[i];
	return NULL;
}

/* RFC 3711 §3.3.2 for SRTCP's index idx against a window whose highest is
 * hi: 0 (not seen), or why not. */
static int
srtcp_seen(uint32_t hi, uint64_t win, uint32_t idx)
{
	if (idx > hi)
		return 0;
	if (hi - idx >= 64u)
		return -RTP_SRTP_E_OLD;
	if ((win >> (hi - idx)) & 1u)
		return -RTP_SRTP_E_REPLAY;
	return 0;
}

/* RFC 3711 §3.4 (RFC 7714 §9): an SRTCP packet from the termination's
 * network. */
static int
srtp_rtcp_in(struct srtp_dir *d, uint8_t *p, uint16_t *lenp)
{
	unsigned int tag_len = d->gcm ? SRTP_GCM_TAG : 10u;
	unsigned int len = *lenp, trailer = SRTCP_INDEX_LEN + d->mki_len + tag_len;
	unsigned int clen, at;
	uint8_t tag[IMB_SHA1_DIGEST_SIZE_IN_BYTES], want[SRTP_GCM_TAG], iv[16];
	struct srtcp_win *sw;
	struct srtp_keys *k;
	uint32_t word, idx, ssrc;
	bool ok = true;
	int rc;

	if (len < SRTCP_CLEAR_LEN + trailer)
		return -RTP_SRTP_E_SHORT;
	clen = len - trailer;
	/* the E-flag word: RFC 3711's right after the compound, RFC 7714's
	 * after the tag; the MKI after it either way */
	at = d->gcm ? clen + SRTP_GCM_TAG : clen;
	word = be32(p + at);
	idx = word & SRTCP_INDEX_MAX;
	if (d->mki_len != 0 && memcmp(p + at + 4u, d->mki, d->mki_len) != 0)
		return -RTP_SRTP_E_MKI;
	/* the index is the sender's SSRC's: its window (the first SSRC, in
	 * the clear, is the one it protected under) */
	ssrc = be32(p + 4);
	sw = srtcp_win_of(d, ssrc);
	if (sw != NULL)
		rc = srtcp_seen(sw->hi, sw->win, idx);
	else if (d->srtcp_n == SRTCP_SSRCS)
		return -RTP_SRTP_E_SSRC_LIMIT;
	else
		rc = d->srtcp_floor != 0 ? srtcp_seen(d->srtcp_floor, ~(uint64_t)0, idx) : 0;
	if (rc != 0)
		return rc;
	memcpy(want, p + (d->gcm ? clen : at + 4u + d->mki_len), tag_len);
	k = srtcp_keys(d);
	/* the tag first: an SRTCP packet in the clear (E 0) is refused, and
	 * only one that verified may say so */
	if (d->gcm) {
		srtp_gcm_iv(iv, k->salt, ssrc, idx);
		srtcp_gcm_open(d, k, iv, p, clen, at, word, tag);
	} else {
		srtp_iv(iv, k->salt, ssrc, idx);
		ok = imb_run(d->ws->mgr, k, d->aes_len, iv, p, SRTCP_CLEAR_LEN,
			     (word & SRTCP_E_FLAG) ? clen - SRTCP_CLEAR_LEN : 0u, clen + 4u, tag,
			     true);
	}
	explicit_bzero(k, sizeof(*k));
	if (!ok)
		return -RTP_SRTP_E_CRYPTO;
	if (!ct_equal(tag, want, tag_len))
		return -RTP_SRTP_E_AUTH;
	if (!(word & SRTCP_E_FLAG))
		return -RTP_SRTP_E_CLEAR;
	/* authenticated: only now may it take a window */
	if (sw == NULL) {
		sw = &d->w[d->srtcp_n++];
		sw->ssrc = ssrc;
		sw->hi = d->srtcp_floor != 0 ? d->srtcp_floor : idx;
		sw->win = d->srtcp_floor != 0 ? ~(uint64_t)0 : 0;
	}
	if (idx > sw->hi) {
		uint32_t dd = idx - sw->hi;

		sw->win = dd >= 64u ? 1u : sw->win << dd | 1u;
		sw->hi = idx;
	} else {
		sw->win |= (uint64_t)1 << (sw->hi - idx);
	}
	if (idx > d->srtcp_index)
		d->srtcp_index = idx;
	*lenp = (uint16_t)clen;
	return 0;
}

/* SRTCP index idx sent: RTP_SRTP_TELL each IPC_SRTP_TELL past what cp
 * was told, as for a stream's (stream_take()). Every section of a BUNDLE
 * group sends its RTCP under its owner's context: cp cannot tell from the
 * owner's own traffic how far this index went, and a restarted dp resumes
 * it only CP_AGW_RTP_SRTCP_AHEAD + SRTCP_RESTART_GAP past what cp heard
 * (RFC 3711 §9.1: an index twice is a keystream twice). */
static inline int
srtcp_told(struct srtp_dir *d, uint32_t idx)
{
	if (likely(idx - d->srtcp_told < IPC_SRTP_TELL))
		return 0;
	d->srtcp_told = idx;
	return RTP_SRTP_TELL;
}

/* SRTCP dp sends the termination's network: encrypted, the next index;
 * 0 or RTP_SRTP_TELL (srtcp_told()). */
static int
srtp_rtcp_out(struct srtp_dir *d, uint8_t *p, uint16_t *lenp, uint16_t room)
{
	unsigned int tag_len = d->gcm ? SRTP_GCM_TAG : 10u;
	unsigned int len = *lenp, trailer = SRTCP_INDEX_LEN + d->mki_len + tag_len;
	uint8_t tag[IMB_SHA1_DIGEST_SIZE_IN_BYTES], iv[16];
	uint8_t aad[SRTCP_CLEAR_LEN + SRTCP_INDEX_LEN];
	struct srtp_keys *k;
	uint32_t idx;
	bool ok;

	if (len < SRTCP_CLEAR_LEN)
		return -RTP_SRTP_E_SHORT;
	if (room < trailer || len + trailer > UINT16_MAX)
		return -RTP_SRTP_E_NO_ROOM;
	if (d->srtcp_index >= SRTCP_INDEX_MAX)
		return -RTP_SRTP_E_EXHAUSTED;
	idx = d->srtcp_index + 1u;
	k = srtcp_keys(d);
	if (d->gcm) {
		/* RFC 7714 §9: the compound, the tag, E and the index, the MKI;
		 * the first 8 octets and the E-flag word the AAD (§9.2) */
		srtp_gcm_iv(iv, k->salt, be32(p + 4), idx);
		memcpy(aad, p, SRTCP_CLEAR_LEN);
		put_be32(aad + SRTCP_CLEAR_LEN, SRTCP_E_FLAG | idx);
		gcm_run(d->ws->mgr, k, d->aes_len, true, iv, aad, sizeof(aad),
			p + SRTCP_CLEAR_LEN, len - SRTCP_CLEAR_LEN, p + len);
		explicit_bzero(k, sizeof(*k));
		d->srtcp_index = idx;
		put_be32(p + len + SRTP_GCM_TAG, SRTCP_E_FLAG | idx);
		memcpy(p + len + SRTP_GCM_TAG + 4u, d->mki, d->mki_len);
		*lenp = (uint16_t)(len + trailer);
		return srtcp_told(d, idx);
	}
	srtp_iv(iv, k->salt, be32(p + 4), idx);
	put_be32(p + len, SRTCP_E_FLAG | idx);
	ok = imb_run(d->ws->mgr, k, d->aes_len, iv, p, SRTCP_CLEAR_LEN, len - SRTCP_CLEAR_LEN,
		     len + 4u, tag, false);
	explicit_bzero(k, sizeof(*k));
	if (!ok)
		return -RTP_SRTP_E_CRYPTO;
	d->srtcp_index = idx;
	memcpy(p + len + 4u, d->mki, d->mki_len);
	memcpy(p + len + 4u + d->mki_len, tag, 10);
	*lenp = (uint16_t)(len + trailer);
	return srtcp_told(d, idx);
}

static int
srtp_unprotect(void *sctx, uint8_t *pkt, uint16_t *len, bool rtcp)
{
	struct srtp_dir *d = sctx;

	if (unlikely(d == NULL || !d->on))
		return -RTP_SRTP_E_NO_KEY;
	if (rtcp)
		return srtp_rtcp_in(d, pkt, len);
	return d->gcm ? srtp_rtp_in_gcm(d, pkt, len) : srtp_rtp_in(d, pkt, len);
}

static int
srtp_protect(void *sctx, uint8_t *pkt, uint16_t *len, uint16_t room, bool rtcp)
{
	struct srtp_dir *d = sctx;

	if (unlikely(d == NULL || !d->on))
		return -RTP_SRTP_E_NO_KEY;
	if (rtcp)
		return srtp_rtcp_out(d, pkt, len, room);
	return d->gcm ? srtp_rtp_out_gcm(d, pkt, len, room) : srtp_rtp_out(d, pkt, len, room);
}

/* HMAC-SHA1 for dp/rtp's other users (ICE's MESSAGE-INTEGRITY): the
 * same manager, pads and job as SRTP's tags. */
static void
srtp_mac_key(void *ws, const uint8_t *key, unsigned int len, uint8_t *ipad, uint8_t *opad)
{
	hmac_pads(((struct srtp_ws *)ws)->mgr, key, len, ipad, opad);
}

static void
srtp_mac(void *ws, const uint8_t *ipad, const uint8_t *opad, uint8_t *p, unsigned int len,
	 uint8_t tag[20])
{
	static const uint8_t iv[16];
	struct srtp_keys k;

	memcpy(k.ipad, ipad, sizeof(k.ipad));
	memcpy(k.opad, opad, sizeof(k.opad));
	if (!imb_run(((struct srtp_ws *)ws)->mgr, &k, 16, iv, p, 0, 0, len, tag, true))
		memset(tag, 0, 20);          /* (fails any comparison with a real one) */
	explicit_bzero(k.ipad, sizeof(k.ipad));
	explicit_bzero(k.opad, sizeof(k.opad));
}

static const struct rtp_srtp_ops srtp_ops = {
	.worker_init = srtp_worker_init,
	.worker_free = srtp_worker_free,
	.check = srtp_check,
	.install = srtp_install,
	.wipe = srtp_wipe,
	.position = srtp_position,
	.unprotect = srtp_unprotect,
	.protect = srtp_protect,
	.mac_key = srtp_mac_key,
	.mac = srtp_mac,
};

/* Does the SSE manager's AES-GCM key set-up keep to SRTP_GCM_KEY_LEN
 * octets of the key (both lengths, whatever was there)? */
static bool
gcm_layout_ok(IMB_MGR *m)
{
	static const uint8_t key[32] = { 0x6b, 0x65, 0x79 };
	struct gcm_key_data g;
	const uint8_t *b = (const uint8_t *)&g;
	bool ok = true;

	for (unsigned int pass = 0; pass < 4; pass++) {
		uint8_t fill = pass & 1u ? 0x5a : 0xa5;

		memset(&g, fill, sizeof(g));
		if (pass < 2)
			IMB_AES128_GCM_PRE(m, key, &g);
		else
			IMB_AES256_GCM_PRE(m, key, &g);
		for (size_t i = SRTP_GCM_KEY_LEN; i < sizeof(g); i++)
			ok = ok && b[i] == fill;
	}
	explicit_bzero(&g, sizeof(g));
	return ok;
}

const struct rtp_srtp_ops *
rtp_srtp_builtin(void)
{
	static int avail = -1;

	if (avail < 0) {
		/* libipsec-mb without AES-NI is plain C: not for the fast path */
		IMB_MGR *m = alloc_mb_mgr(0);

		avail = 0;
		if (m != NULL) {
			init_mb_mgr_sse(m);
			avail = imb_get_errno(m) == 0 && (m->features & IMB_FEATURE_AESNI) != 0;
			gcm_ok = avail && (m->features & IMB_FEATURE_PCLMULQDQ) != 0 &&
				 gcm_layout_ok(m);
			free_mb_mgr(m);
		}
	}
	return avail ? &srtp_ops : NULL;
}

bool
rtp_srtp_gcm(void)
{
	return rtp_srtp_builtin() != NULL && gcm_ok;
}

size_t
rtp_srtp_entry_size(void)
{
	return sizeof(struct srtp_entry);
}

int
rtp_srtp_kat(const uint8_t *key, unsigned int key_len, const uint8_t salt[14], int label,
	     const uint8_t iv[16], uint8_t *out, unsigned int n)
{
	IMB_MGR *m = alloc_mb_mgr(0);
	struct srtp_keys k;
	uint8_t tag[20];

	if (m == NULL)
		return -ENOMEM;
	init_mb_mgr_sse(m);
	aes_expand(m, key, key_len, k.aes);
	if (label >= 0) {
		memset(k.salt, 0, sizeof(k.salt));
		memcpy(k.salt, salt, 14);
		srtp_kdf(m, &k, key_len, (uint8_t)label, out, n);
	} else {
		memset(out, 0, n);
		(void)imb_run(m, &k, key_len, iv, out, 0, n, 0, tag, false);
	}
	explicit_bzero(&k, sizeof(k));
	free_mb_mgr(m);
	return 0;
}

int
rtp_srtp_gcm_kat(const uint8_t *key, unsigned int key_len, const uint8_t salt[12], bool rtcp,
		 bool open, uint32_t roc, uint8_t *p, uint16_t *len)
{
	struct srtp_ws ws;
	struct srtp_dir *d;
	int rc;

	if (rtp_srtp_builtin() == NULL || !gcm_ok)
		return -ENOTSUP;
	memset(&ws, 0, sizeof(ws));
	ws.mgr = alloc_mb_mgr(0);
	d = rte_zmalloc("rtp_srtp_kat", sizeof(*d), 64);
	if (ws.mgr == NULL || d == NULL) {
		rc = -ENOMEM;
		goto out_free;
	}
	init_mb_mgr_sse(ws.mgr);
	d->ws = &ws;
	d->on = 1;
	d->out = !open;
	d->gcm = 1;
	d->aes_len = (uint8_t)key_len;
	d->tag_len = SRTP_GCM_TAG;
	d->window = 64;
	gcm_expand(ws.mgr, key, key_len, &d->rtp);
	memcpy(d->rtp.salt, salt, 12);
	memcpy(d->rtcp_aes, key, key_len);
	memcpy(d->rtcp_salt, salt, 12);
	if (rtcp) {
		/* the index is roc: the one before it was the last sent */
		if (!open)
			d->srtcp_index = roc - 1u;
		rc = open ? srtp_unprotect(d, p, len, true) : srtp_protect(d, p, len, 64, true);
	} else {
		/* the packet's index is roc || its SEQ, none seen yet */
		d->n = 1;
		d->s[0].ssrc = be32(p + 8);
		srtp_roc_init(&d->s[0].r, roc, (uint16_t)(p[2] << 8 | p[3]));
		rc = open ? srtp_unprotect(d, p, len, false) : srtp_protect(d, p, len, 64, false);
	}
	rc = rc == RTP_SRTP_TELL ? 0 : -rc;
	explicit_bzero(d, sizeof(*d));
out_free:
	rte_free(d);
	if (ws.mgr != NULL)
		free_mb_mgr(ws.mgr);
	return rc;
}

#else /* !TP_HAVE_IPSEC_MB */

int
rtp_srtp_gcm_kat(const uint8_t *key, unsigned int key_len, const uint8_t salt[12], bool rtcp,
		 bool open, uint32_t roc, uint8_t *p, uint16_t *len)
{
	(void)key;
	(void)key_len;
	(void)salt;
	(void)rtcp;
	(void)open;
	(void)roc;
	(void)p;
	(void)len;
	return -ENOTSUP;
}

int
rtp_srtp_kat(const uint8_t *key, unsigned int key_len, const uint8_t salt[14], int label,
	     const uint8_t iv[16], uint8_t *out, unsigned int n)
{
	(void)key;
	(void)key_len;
	(void)salt;
	(void)label;
	(void)iv;
	(void)out;
	(void)n;
	return -ENOTSUP;
}

const struct rtp_srtp_ops *
rtp_srtp_builtin(void)
{
	return NULL;
}

bool
rtp_srtp_gcm(void)
{
	return false;
}

size_t
rtp_srtp_entry_size(void)
{
	return 0;
}

#endif
