/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference SRTP (the tests' and perf's, never dp's or cp's) for one
 * direction over libsrtp2: the policy from its key, libsrtp's codes mapped
 * onto ours, the trailer's room checked before libsrtp writes past the
 * packet (it is not told the buffer's size), and a small table of the
 * SSRCs a session serves: the bound on libsrtp's streams (each allocated
 * at its SSRC's first packet), and what a restart needs of each (the
 * highest packet index; the SRTCP index), which libsrtp keeps inside and
 * only partly lets out. See srtp_ref.h and FEATURE.md.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "srtp_ref.h"

static const struct {
	const char *name;
	const char *help;
} errs[] = {
	[SRTP_REF_OK] = { "ok", "the packet was processed" },
#define SRTP_REF_ERR(e, n, what) [SRTP_REF_E_##e] = { n, what },
#include "srtp_ref_errors.def"
#undef SRTP_REF_ERR
};

const char *
srtp_ref_err_name(enum srtp_ref_err e)
{
	return (unsigned int)e < SRTP_REF_E_COUNT ? errs[e].name : NULL;
}

const char *
srtp_ref_err_help(enum srtp_ref_err e)
{
	return (unsigned int)e < SRTP_REF_E_COUNT ? errs[e].help : NULL;
}

/*
 * Each suite's libsrtp policies. An _32 suite's SRTCP keeps the 80-bit
 * tag (RFC 3711 section 5.2; RFC 4568 section 6.2: the short tag is for
 * SRTP only), as libsrtp's policy for it says.
 */
static const struct {
	const char *name;
	uint8_t key, salt, tag;
	void (*rtp)(srtp_crypto_policy_t *p);
	void (*rtcp)(srtp_crypto_policy_t *p);
} suites[SRTP_REF_SUITE_COUNT] = {
	/* (libsrtp's name for AES_CM_128_HMAC_SHA1_80's policy is a macro
	 * for its default one) */
	[SRTP_REF_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 16, 14, 10,
		srtp_crypto_policy_set_rtp_default,
		srtp_crypto_policy_set_rtcp_default },
	[SRTP_REF_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 16, 14, 4,
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
		srtp_crypto_policy_set_rtcp_default },
	[SRTP_REF_AES_192_CM_HMAC_SHA1_80] = { "AES_192_CM_HMAC_SHA1_80", 24, 14, 10,
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80,
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80 },
	[SRTP_REF_AES_192_CM_HMAC_SHA1_32] = { "AES_192_CM_HMAC_SHA1_32", 24, 14, 4,
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32,
		srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80 },
	[SRTP_REF_AES_256_CM_HMAC_SHA1_80] = { "AES_256_CM_HMAC_SHA1_80", 32, 14, 10,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80 },
	[SRTP_REF_AES_256_CM_HMAC_SHA1_32] = { "AES_256_CM_HMAC_SHA1_32", 32, 14, 4,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32,
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80 },
	/* RFC 7714 section 14.2: the SDES suites have a 16-octet tag */
	[SRTP_REF_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 16, 12, 16,
		srtp_crypto_policy_set_aes_gcm_128_16_auth,
		srtp_crypto_policy_set_aes_gcm_128_16_auth },
	[SRTP_REF_AEAD_AES_256_GCM] = { "AEAD_AES_256_GCM", 32, 12, 16,
		srtp_crypto_policy_set_aes_gcm_256_16_auth,
		srtp_crypto_policy_set_aes_gcm_256_16_auth },
};

static bool
suite_ok(unsigned int s)
{
	return s > SRTP_REF_NONE && s < SRTP_REF_SUITE_COUNT;
}

const char *
srtp_ref_suite_name(enum srtp_ref_suite s)
{
	return suite_ok(s) ? suites[s].name : NULL;
}

unsigned int
srtp_ref_key_len(enum srtp_ref_suite s)
{
	return suite_ok(s) ? suites[s].key : 0;
}

unsigned int
srtp_ref_salt_len(enum srtp_ref_suite s)
{
	return suite_ok(s) ? suites[s].salt : 0;
}

unsigned int
srtp_ref_tag_len(enum srtp_ref_suite s)
{
	return suite_ok(s) ? suites[s].tag : 0;
}

static bool suite_aead(unsigned int s)
{
	return s == SRTP_REF_AEAD_AES_128_GCM || s == SRTP_REF_AEAD_AES_256_GCM;
}

/* ---- set-up ------------------------------------------------------------------ */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = -EIO;
static bool aes192_ok;

/*
 * libsrtp up to 2.6 derives AES-192's session keys with AES-256 over the
 * key and salt zero-padded (its issue 763, fixed in 2025), not RFC 6188's
 * AES-192 PRF: such a build cannot talk AES_192_CM to anyone else. One
 * packet under RFC 6188 section 7.4's master key and salt tells: its
 * expected octets were computed outside libsrtp (Python's cryptography:
 * RFC 3711's KDF and AES-CM, RFC 6188's section 7.4 keys checked on the
 * way), as tests/unit/test_srtp_ref.c's own reference does.
 */
static bool
aes192_kdf_ok(void)
{
	static const uint8_t keysalt[38] = {
		0x73, 0xed, 0xc6, 0x6c, 0x4f, 0xa1, 0x57, 0x76, 0xfb, 0x57, 0xf9, 0x50, 0x5c,
		0x17, 0x13, 0x65, 0x50, 0xff, 0xda, 0x71, 0xf3, 0xe8, 0xe5, 0xf1, 0xc8, 0x52,
		0x2f, 0x3a, 0xcd, 0x4c, 0xe8, 0x6d, 0x5a, 0xdd, 0x78, 0xed, 0xbb, 0x11,
	};
	/* SEQ 1, SSRC deadbeef, 16 zero octets; then the 80-bit tag */
	static const uint8_t want[38] = {
		0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0xea,
		0x80, 0xa9, 0x5b, 0x76, 0x62, 0x4a, 0x23, 0x94, 0x81, 0x5b, 0xc8, 0xac, 0x91,
		0x3c, 0x3a, 0xfe, 0x35, 0x9a, 0x04, 0x5d, 0x71, 0x9d, 0x56, 0x0f, 0x8f,
	};
	uint8_t key[38], pkt[64] = { 0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
				     0xde, 0xad, 0xbe, 0xef };
	srtp_policy_t p;
	srtp_t ctx;
	int len = 28;
	bool ok;

	memset(&p, 0, sizeof(p));
	memcpy(key, keysalt, sizeof(key));
	srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&p.rtp);
	srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&p.rtcp);
	p.ssrc.type = ssrc_any_outbound;
	p.key = key;
	p.window_size = SRTP_REF_WINDOW;
	if (srtp_create(&ctx, &p) != srtp_err_status_ok)
		return false;
	ok = srtp_protect(ctx, pkt, &len) == srtp_err_status_ok && len == (int)sizeof(want) &&
	     memcmp(pkt, want, sizeof(want)) == 0;
	srtp_dealloc(ctx);
	return ok;
}

static void
do_init(void)
{
	init_rc = srtp_init() == srtp_err_status_ok ? 0 : -EIO;
	if (init_rc == 0)
		aes192_ok = aes192_kdf_ok();
}

static bool
suite_built(unsigned int s)
{
	return (s != SRTP_REF_AES_192_CM_HMAC_SHA1_80 && s != SRTP_REF_AES_192_CM_HMAC_SHA1_32) ||
	       aes192_ok;
}

int
srtp_ref_init(void)
{
	pthread_once(&init_once, do_init);
	return init_rc;
}

/* One SSRC a session serves. */
struct slot {
	uint32_t ssrc;
	bool rtp;             /* an RTP packet processed: highest is valid */
	bool prime;           /* restored: libsrtp's ROC to be set from our estimate */
	bool floor_on;        /* restored inbound: refuse at or below floor */
	bool rtcp_floor_on;
	bool roc_set;         /* srtp_ref_set_roc(): the next packet's ROC is roc */
	uint32_t roc;
	uint64_t highest;     /* index of the highest RTP packet processed */
	uint64_t floor;
	uint32_t rtcp_index;  /* outbound: SRTCP packets protected; inbound: the highest received */
	uint32_t rtcp_floor;
};

struct srtp_ref {
	srtp_t ctx;
	uint8_t dir;                /* enum srtp_ref_dir */
	uint8_t suite;
	uint8_t nslot;
	bool mki;
	uint16_t window;
	uint8_t rtp_trailer, rtcp_trailer, mki_len;
	uint8_t rtcp_tag;           /* SRTCP's tag: 10 (HMAC-SHA1, also for _32), 16 (GCM) */
	struct slot slot[SRTP_REF_SSRC_MAX];
	/* what srtp_add_stream() needs again to make a restored SSRC's
	 * stream: the policy and the key it points at (wiped at free) */
	srtp_policy_t policy;
	srtp_master_key_t master;
	srtp_master_key_t *masters[1];
	uint8_t mki_id[SRTP_REF_MKI_MAX];
	uint8_t keysalt[SRTP_REF_KEY_MAX + SRTP_REF_SALT_MAX];
};

/* The policy for k in s (its key pointing into s). */
static void
make_policy(struct srtp_ref *s, const struct srtp_ref_key *k)
{
	srtp_policy_t *p = &s->policy;
	unsigned int kl = suites[k->suite].key;

	memset(p, 0, sizeof(*p));
	suites[k->suite].rtp(&p->rtp);
	suites[k->suite].rtcp(&p->rtcp);
	memcpy(s->keysalt, k->key, kl);
	memcpy(s->keysalt + kl, k->salt, suites[k->suite].salt);
	p->ssrc.type = s->dir == SRTP_REF_INBOUND ? ssrc_any_inbound : ssrc_any_outbound;
	p->window_size = s->window;
	/* a relay does not send one index twice: a duplicate from the far
	 * side is dropped rather than protected again */
	p->allow_repeat_tx = 0;
	if (k->mki_len == 0) {
		p->key = s->keysalt;
		return;
	}
	/* the MKI in network order, mki_len octets (RFC 3711 section 3.1) */
	for (unsigned int i = 0; i < k->mki_len; i++)
		s->mki_id[i] = (uint8_t)(k->mki >> (8 * (k->mki_len - 1 - i)));
	s->master.key = s->keysalt;
	s->master.mki_id = s->mki_id;
	s->master.mki_size = k->mki_len;
	s->masters[0] = &s->master;
	p->keys = s->masters;
	p->num_master_keys = 1;
}

static bool
key_ok(const struct srtp_ref_key *k)
{
	return k != NULL && suite_ok(k->suite) && k->mki_len <= SRTP_REF_MKI_MAX &&
	       (k->mki_len == 4 || k->mki >> (8 * k->mki_len) == 0) &&
	       (k->window == 0 || (k->window >= 64 && k->window < 0x8000));
}

struct srtp_ref *
srtp_ref_create(enum srtp_ref_dir dir, const struct srtp_ref_key *k)
{
	struct srtp_ref *s;
	uint32_t len;

	if ((dir != SRTP_REF_INBOUND && dir != SRTP_REF_OUTBOUND) || !key_ok(k) || init_rc != 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!suite_built(k->suite)) {
		errno = ENOTSUP;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->dir = (uint8_t)dir;
	s->suite = k->suite;
	s->mki = k->mki_len > 0;
	s->mki_len = k->mki_len;
	s->rtcp_tag = suite_aead(k->suite) ? 16 : 10;
	s->window = k->window != 0 ? k->window : SRTP_REF_WINDOW;
	make_policy(s, k);
	switch (srtp_create(&s->ctx, &s->policy)) {
	case srtp_err_status_ok:
		break;
	case srtp_err_status_alloc_fail:
		errno = ENOMEM;
		goto out_free;
	default:
		/* a cipher this build of libsrtp lacks, or a key it refuses */
		errno = EINVAL;
		goto out_free;
	}
	if (srtp_get_protect_trailer_length(s->ctx, s->mki, 0, &len) != srtp_err_status_ok ||
	    len > SRTP_REF_TRAILER_MAX)
		goto out_inval;
	s->rtp_trailer = (uint8_t)len;
	if (srtp_get_protect_rtcp_trailer_length(s->ctx, s->mki, 0, &len) != srtp_err_status_ok ||
	    len > SRTP_REF_TRAILER_MAX)
		goto out_inval;
	s->rtcp_trailer = (uint8_t)len;
	return s;

out_inval:
	errno = EINVAL;
	srtp_dealloc(s->ctx);
out_free:
	explicit_bzero(s, sizeof(*s));
	free(s);
	return NULL;
}

void
srtp_ref_free(struct srtp_ref *s)
{
	if (s == NULL)
		return;
	srtp_dealloc(s->ctx);
	explicit_bzero(s, sizeof(*s));
	free(s);
}

void
srtp_ref_key_wipe(struct srtp_ref_key *k)
{
	if (k != NULL)
		explicit_bzero(k, sizeof(*k));
}

unsigned int
srtp_ref_suites(void)
{
	unsigned int mask = 0;

	for (unsigned int i = SRTP_REF_NONE + 1; i < SRTP_REF_SUITE_COUNT; i++) {
		struct srtp_ref_key k = { .suite = (uint8_t)i };
		struct srtp_ref *s = srtp_ref_create(SRTP_REF_INBOUND, &k);

		if (s != NULL)
			mask |= 1u << i;
		srtp_ref_free(s);
	}
	return mask;
}

size_t
srtp_ref_trailer(const struct srtp_ref *s, bool rtcp)
{
	return rtcp ? s->rtcp_trailer : s->rtp_trailer;
}

/* ---- the SSRCs ----------------------------------------------------------------- */

static struct slot *
find(struct srtp_ref *s, uint32_t ssrc)
{
	for (unsigned int i = 0; i < s->nslot; i++)
		if (s->slot[i].ssrc == ssrc)
			return &s->slot[i];
	return NULL;
}

static struct slot *
add(struct srtp_ref *s, uint32_t ssrc)
{
	struct slot *sl = &s->slot[s->nslot++];

	memset(sl, 0, sizeof(*sl));
	sl->ssrc = ssrc;
	return sl;
}

/*
 * RFC 3711 section 3.3.1: the index of a packet with sequence number seq,
 * given the index ref of the highest packet seen: ref's ROC, or one less
 * (seq far above ref's, a late packet from before a wrap) or one more (seq
 * far below: the sequence wrapped). While ref is below 2^15 the ROC is 0,
 * never "-1": as libsrtp estimates, so that both agree on every packet.
 */
static uint64_t
index_of(uint64_t ref, uint16_t seq)
{
	uint64_t roc = ref >> 16;
	uint16_t s_l = (uint16_t)ref;

	if (ref <= 0x8000)
		return seq;
	if (s_l < 0x8000) {
		if ((int)seq - (int)s_l > 0x8000)
			roc--;
	} else if ((int)s_l - 0x8000 > (int)seq) {
		roc++;
	}
	return ((roc & 0xffffffffu) << 16) | seq;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum srtp_ref_err
map(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return SRTP_REF_OK;
	case srtp_err_status_auth_fail:
	/* an SRTCP E flag not the session's: libsrtp says so before it
	 * checks the tag, which covers the flag; forged as much as a bad tag */
	case srtp_err_status_cant_check:
		return SRTP_REF_E_AUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
	case srtp_err_status_pkt_idx_old:
		return SRTP_REF_E_REPLAY;
	case srtp_err_status_bad_param:     /* the header check of a packet */
	case srtp_err_status_parse_err:
		return SRTP_REF_E_MALFORMED;
	case srtp_err_status_bad_mki:
		return SRTP_REF_E_MKI;
	case srtp_err_status_key_expired:
		return SRTP_REF_E_KEY_EXPIRED;
	case srtp_err_status_alloc_fail:
		return SRTP_REF_E_NOMEM;
	default:
		return SRTP_REF_E_FAIL;
	}
}

/* What every packet is checked for before libsrtp sees it: a length libsrtp
 * takes (an int), version 2 (RFC 3550 section 5.1), the header's octets. */
static bool
plausible(const uint8_t *pkt, size_t len, size_t hdr)
{
	return len >= hdr && len <= INT_MAX - SRTP_REF_TRAILER_MAX && (pkt[0] >> 6) == 2;
}

/* ---- RTP -------------------------------------------------------------------------- */

/*
 * Both directions: the SSRC's slot (or room for one), our estimate of the
 * packet's index, the restored floor and ROC, libsrtp, and the highest
 * index kept on success.
 */
static enum srtp_ref_err
rtp_packet(struct srtp_ref *s, uint8_t *pkt, size_t *len, bool protect)
{
	uint32_t ssrc = be32(pkt + 8);
	uint16_t seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	struct slot *sl = find(s, ssrc);
	uint64_t est = sl != NULL && sl->roc_set ? (uint64_t)sl->roc << 16 | seq :
		       index_of(sl != NULL ? sl->highest : 0, seq);
	srtp_err_status_t st;
	int l = (int)*len;

	if (sl == NULL && s->nslot == SRTP_REF_SSRC_MAX)
		return SRTP_REF_E_SSRC_LIMIT;
	if (sl != NULL && sl->floor_on && est <= sl->floor)
		return SRTP_REF_E_REPLAY;
	/* libsrtp takes a set ROC literally for the next packet; ours
	 * follows a wrap across the restart (RFC 3711 section 3.3.1) */
	if (sl != NULL && sl->prime && (est >> 16) != 0 &&
	    srtp_set_stream_roc(s->ctx, ssrc, (uint32_t)(est >> 16)) != srtp_err_status_ok)
		return SRTP_REF_E_FAIL;
	if (protect)
		st = s->mki ? srtp_protect_mki(s->ctx, pkt, &l, 1, 0) : srtp_protect(s->ctx, pkt, &l);
	else
		st = s->mki ? srtp_unprotect_mki(s->ctx, pkt, &l, 1) : srtp_unprotect(s->ctx, pkt, &l);
	if (st != srtp_err_status_ok)
		return map(st);
	*len = (size_t)l;
	if (sl == NULL)
		sl = add(s, ssrc);
	sl->prime = false;
	sl->roc_set = false;
	if (!sl->rtp || est > sl->highest)
		sl->highest = est;
	sl->rtp = true;
	/* past the floor by more than the window: libsrtp's own replay
	 * check refuses all that the floor would */
	if (sl->floor_on && sl->highest - sl->floor > s->window)
		sl->floor_on = false;
	return SRTP_REF_OK;
}

enum srtp_ref_err
srtp_ref_protect(struct srtp_ref *s, uint8_t *pkt, size_t *len, size_t size)
{
	if (s->dir != SRTP_REF_OUTBOUND)
		return SRTP_REF_E_BAD_PARAM;
	if (!plausible(pkt, *len, 12))
		return SRTP_REF_E_MALFORMED;
	if (size < *len || size - *len < s->rtp_trailer)
		return SRTP_REF_E_NOSPACE;
	return rtp_packet(s, pkt, len, true);
}

enum srtp_ref_err
srtp_ref_unprotect(struct srtp_ref *s, uint8_t *pkt, size_t *len)
{
	if (s->dir != SRTP_REF_INBOUND)
		return SRTP_REF_E_BAD_PARAM;
	if (!plausible(pkt, *len, 12))
		return SRTP_REF_E_MALFORMED;
	return rtp_packet(s, pkt, len, false);
}

/* ---- RTCP ------------------------------------------------------------------------- */

enum srtp_ref_err
srtp_ref_protect_rtcp(struct srtp_ref *s, uint8_t *pkt, size_t *len, size_t size)
{
	struct slot *sl;
	srtp_err_status_t st;
	int l = (int)*len;

	if (s->dir != SRTP_REF_OUTBOUND)
		return SRTP_REF_E_BAD_PARAM;
	if (!plausible(pkt, *len, 8))
		return SRTP_REF_E_MALFORMED;
	if (size < *len || size - *len < s->rtcp_trailer)
		return SRTP_REF_E_NOSPACE;
	sl = find(s, be32(pkt + 4));
	if (sl == NULL && s->nslot == SRTP_REF_SSRC_MAX)
		return SRTP_REF_E_SSRC_LIMIT;
	st = s->mki ? srtp_protect_rtcp_mki(s->ctx, pkt, &l, 1, 0) :
	     srtp_protect_rtcp(s->ctx, pkt, &l);
	if (st != srtp_err_status_ok)
		return map(st);
	*len = (size_t)l;
	if (sl == NULL)
		sl = add(s, be32(pkt + 4));
	sl->rtcp_index++;
	return SRTP_REF_OK;
}

enum srtp_ref_err
srtp_ref_unprotect_rtcp(struct srtp_ref *s, uint8_t *pkt, size_t *len)
{
	/* The SRTCP trailer (RFC 3711 section 3.4; RFC 7714 section 9):
	 * counter mode  E||index, MKI, tag;  GCM  (tag in the ciphertext),
	 * E||index, MKI. */
	size_t tail = 4u + s->mki_len + (suite_aead(s->suite) ? 0u : s->rtcp_tag);
	uint32_t ssrc, idx;
	struct slot *sl;
	srtp_err_status_t st;
	int l;

	if (s->dir != SRTP_REF_INBOUND)
		return SRTP_REF_E_BAD_PARAM;
	if (!plausible(pkt, *len, 8 + tail + (suite_aead(s->suite) ? s->rtcp_tag : 0u)))
		return SRTP_REF_E_MALFORMED;
	ssrc = be32(pkt + 4);
	idx = be32(pkt + *len - tail) & 0x7fffffffu;
	sl = find(s, ssrc);
	if (sl == NULL && s->nslot == SRTP_REF_SSRC_MAX)
		return SRTP_REF_E_SSRC_LIMIT;
	if (sl != NULL && sl->rtcp_floor_on && idx <= sl->rtcp_floor)
		return SRTP_REF_E_REPLAY;
	if (s->mki) {
		/*
		 * libsrtp 2.5 looks for an SRTCP packet's MKI in front of a
		 * tag of SRTP's length, which is not SRTCP's with the _32
		 * suites (4 octets, not 10): it finds none there. The MKI is
		 * not authenticated (RFC 3711 section 3.4), and the session
		 * has one key: ours is checked here, taken out, and the rest
		 * goes through libsrtp's path without MKI.
		 */
		size_t at = *len - tail + 4;

		if (memcmp(pkt + at, s->mki_id, s->mki_len) != 0)
			return SRTP_REF_E_MKI;
		memmove(pkt + at, pkt + at + s->mki_len, *len - at - s->mki_len);
		*len -= s->mki_len;
	}
	l = (int)*len;
	st = srtp_unprotect_rtcp(s->ctx, pkt, &l);
	if (st != srtp_err_status_ok)
		return map(st);
	*len = (size_t)l;
	if (sl == NULL)
		sl = add(s, ssrc);
	if (idx > sl->rtcp_index)
		sl->rtcp_index = idx;
	/* libsrtp's SRTCP window is 128 indices */
	if (sl->rtcp_floor_on && sl->rtcp_index - sl->rtcp_floor > 128)
		sl->rtcp_floor_on = false;
	return SRTP_REF_OK;
}

/* ---- restarts --------------------------------------------------------------------- */

int
srtp_ref_get_roc(const struct srtp_ref *s, uint32_t ssrc, uint32_t *roc)
{
	/* libsrtp's getter takes a non-const session; it only reads */
	srtp_t ctx = s->ctx;

	return srtp_get_stream_roc(ctx, ssrc, roc) == srtp_err_status_ok ? 0 : -ENOENT;
}

/* The slot and libsrtp stream of ssrc, made if missing (an SSRC-specific
 * stream of the session's key: srtp_set_stream_roc() needs one). */
static int
stream_of(struct srtp_ref *s, uint32_t ssrc, struct slot **out)
{
	srtp_policy_t p = s->policy;
	uint32_t roc;

	*out = find(s, ssrc);
	if (*out != NULL)
		return 0;
	if (s->nslot == SRTP_REF_SSRC_MAX)
		return -ENOSPC;
	if (srtp_get_stream_roc(s->ctx, ssrc, &roc) != srtp_err_status_ok) {
		p.ssrc.type = ssrc_specific;
		p.ssrc.value = ssrc;
		switch (srtp_add_stream(s->ctx, &p)) {
		case srtp_err_status_ok:
			break;
		case srtp_err_status_alloc_fail:
			return -ENOMEM;
		default:
			return -EINVAL;
		}
	}
	*out = add(s, ssrc);
	return 0;
}

int
srtp_ref_set_roc(struct srtp_ref *s, uint32_t ssrc, uint32_t roc)
{
	struct slot *sl;
	int rc = stream_of(s, ssrc, &sl);

	if (rc < 0)
		return rc;
	/* libsrtp takes no pending ROC of 0: past a wrap it would stay */
	if (roc == 0 && sl->rtp && sl->highest > 0xffff)
		return -EINVAL;
	if (srtp_set_stream_roc(s->ctx, ssrc, roc) != srtp_err_status_ok)
		return -EINVAL;
	/* libsrtp takes the next packet's index as roc * 2^16 + SEQ; so do
	 * we (a ROC of 0 it leaves to its estimate, which gives the same) */
	sl->roc_set = true;
	sl->roc = roc;
	sl->prime = false;
	return 0;
}

unsigned int
srtp_ref_streams(const struct srtp_ref *s, struct srtp_ref_stream *out, unsigned int max)
{
	for (unsigned int i = 0; i < s->nslot && i < max; i++) {
		const struct slot *sl = &s->slot[i];

		out[i] = (struct srtp_ref_stream){
			.ssrc = sl->ssrc, .rtp = sl->rtp,
			.roc = (uint32_t)(sl->highest >> 16), .seq = (uint16_t)sl->highest,
			.rtcp_index = sl->rtcp_index,
		};
	}
	return s->nslot;
}

/* An SRTCP packet protected and thrown away, to move the index on: an
 * RR (RFC 3550 section 6.4.2) with no report block, from ssrc. */
static int
burn_rtcp(struct srtp_ref *s, uint32_t ssrc)
{
	uint8_t rr[8 + SRTP_REF_TRAILER_MAX] = { 0x80, 201, 0, 1, (uint8_t)(ssrc >> 24),
						(uint8_t)(ssrc >> 16), (uint8_t)(ssrc >> 8),
						(uint8_t)ssrc };
	int l = 8;
	srtp_err_status_t st = s->mki ? srtp_protect_rtcp_mki(s->ctx, rr, &l, 1, 0) :
			       srtp_protect_rtcp(s->ctx, rr, &l);

	return st == srtp_err_status_ok ? 0 : st == srtp_err_status_key_expired ? -E2BIG : -EINVAL;
}

int
srtp_ref_restore(struct srtp_ref *s, const struct srtp_ref_stream *st)
{
	struct slot *sl;
	int rc;

	if (st == NULL || (s->dir == SRTP_REF_OUTBOUND && st->rtcp_index >= 0x7fffffffu))
		return -EINVAL;
	if (find(s, st->ssrc) != NULL)
		return -EEXIST;
	rc = stream_of(s, st->ssrc, &sl);
	if (rc < 0)
		return rc;
	if (st->rtp) {
		sl->rtp = true;
		sl->prime = true;
		sl->highest = (uint64_t)st->roc << 16 | st->seq;
		if (s->dir == SRTP_REF_INBOUND) {
			sl->floor_on = true;
			sl->floor = sl->highest;
		}
	}
	if (s->dir == SRTP_REF_INBOUND) {
		sl->rtcp_index = sl->rtcp_floor = st->rtcp_index;
		sl->rtcp_floor_on = st->rtcp_index > 0;
		return 0;
	}
	while (sl->rtcp_index < st->rtcp_index) {
		rc = burn_rtcp(s, st->ssrc);
		if (rc < 0)
			return rc;
		sl->rtcp_index++;
	}
	return 0;
}
