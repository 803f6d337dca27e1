/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICE's responder without the worker (FEATURE.md "ICE", rtp_ice.c's
 * opening comment for what is answered and why): a datagram to an ICE
 * termination's port judged as a connectivity check against the
 * termination's credentials, and the answer the verdict calls for
 * written and sealed. What needs the worker (gm, the HMAC budget, the
 * UDP checksum, the HMAC on libipsec-mb, DPDK's CRC) comes through the
 * caller's hooks, at its place in the order; nothing here allocates,
 * waits or keeps state, so fuzz_ice_responder runs exactly this. See
 * rtp_ice_check.h.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "rtp_ice_check.h"
#include "stun.h"

/* Is USERNAME "<our ufrag>:<the peer's>" (RFC 8445 §7.3; the peer's part
 * any, not empty, while cp has not given it: a check can come before the
 * answer that names it)? */
static bool
username_ok(const struct ipc_rtp_ice *x, const struct stun_attr *un)
{
	unsigned int ul = x->ufrag_len, pl = x->peer_ufrag_len;

	if (un->len < ul + 2u || memcmp(un->value, x->ufrag, ul) != 0 || un->value[ul] != ':')
		return false;
	if (pl == 0)
		return true;
	return un->len == ul + 1u + pl && memcmp(un->value + ul + 1u, x->peer_ufrag, pl) == 0;
}

/* RFC 8489 §14.5: the HMAC of the message up to MESSAGE-INTEGRITY (at
 * off), its header's length as if the message ended with it: set for the
 * hash and put back. */
static void
request_mac(const struct rtp_ice_hooks *h, uint8_t *p, unsigned int off, uint8_t tag[20])
{
	uint16_t was = (uint16_t)(p[2] << 8 | p[3]);
	unsigned int hlen = off + STUN_ATTR_HDR_LEN + STUN_MI_LEN - STUN_HDR_LEN;

	p[2] = (uint8_t)(hlen >> 8);
	p[3] = (uint8_t)hlen;
	h->mac(h->arg, p, off, tag);
	p[2] = (uint8_t)(was >> 8);
	p[3] = (uint8_t)was;
}

static void
verdict(struct rtp_ice_verdict *v, enum rtp_ice_do act, enum rtp_ice_err err, uint16_t code)
{
	v->act = act;
	v->err = err;
	v->code = code;
}

void
rtp_ice_judge(const struct ipc_rtp_ice *x, uint8_t *p, size_t len,
	      const struct rtp_ice_hooks *h, struct stun_msg *msg, struct rtp_ice_verdict *v)
{
	const struct stun_attr *fp, *un, *mi;
	uint8_t tag[20];
	uint32_t want;

	memset(v, 0, sizeof(*v));
	if (stun_msg_parse(msg, p, len, NULL) < 0 || msg->method != STUN_METHOD_BINDING ||
	    (msg->cls != STUN_CLASS_REQUEST && msg->cls != STUN_CLASS_INDICATION)) {
		verdict(v, RTP_ICE_DO_DROP, RTP_ICE_E_MALFORMED, 0);
		return;
	}
	if (msg->cls == STUN_CLASS_INDICATION) {
		verdict(v, RTP_ICE_DO_KEEPALIVE, RTP_ICE_OK, 0);
		return;
	}
	/* RFC 7983 puts STUN beside RTP on this port; FINGERPRINT is what
	 * says this is STUN (RFC 8489 §7.3, §14.7): without it, or wrong,
	 * it is not ours to answer */
	fp = stun_msg_find(msg, STUN_ATTR_FINGERPRINT);
	if (fp == NULL) {
		verdict(v, RTP_ICE_DO_DROP, RTP_ICE_E_NO_FINGERPRINT, 0);
		return;
	}
	want = (uint32_t)fp->value[0] << 24 | (uint32_t)fp->value[1] << 16 |
	       (uint32_t)fp->value[2] << 8 | fp->value[3];
	if ((h->crc32(p, fp->offset) ^ STUN_FINGERPRINT_XOR) != want) {
		verdict(v, RTP_ICE_DO_DROP, RTP_ICE_E_BAD_FINGERPRINT, 0);
		return;
	}
	/* gm (H.248.43) bounds who may be heard at all, checks too */
	if (!h->heard(h->arg)) {
		verdict(v, RTP_ICE_DO_STRANGER, RTP_ICE_OK, 0);
		return;
	}
	/* RFC 8489 §9.1.3: the short-term credential's */
	un = stun_msg_find(msg, STUN_ATTR_USERNAME);
	mi = stun_msg_find(msg, STUN_ATTR_MESSAGE_INTEGRITY);
	if (un == NULL || mi == NULL) {
		verdict(v, RTP_ICE_DO_ERROR, RTP_ICE_E_NO_USERNAME, STUN_ERR_BAD_REQUEST);
		return;
	}
	if (!username_ok(x, un)) {
		verdict(v, RTP_ICE_DO_ERROR, RTP_ICE_E_UNKNOWN_UFRAG, STUN_ERR_UNAUTHENTICATED);
		return;
	}
	/* one HMAC a check, within the termination's budget */
	if (!h->may_mac(h->arg)) {
		verdict(v, RTP_ICE_DO_DROP, RTP_ICE_E_FLOOD, 0);
		return;
	}
	request_mac(h, p, mi->offset, tag);
	/* (in constant time: a forged one learns nothing from when it stops) */
	if (CRYPTO_memcmp(tag, mi->value, STUN_MI_LEN) != 0) {
		verdict(v, RTP_ICE_DO_ERROR, RTP_ICE_E_BAD_INTEGRITY, STUN_ERR_UNAUTHENTICATED);
		return;
	}
	/* its source is what the check proves: the port must be the one
	 * sent (the payload's integrity says nothing of the UDP header) */
	if (!h->cksum_ok(h->arg)) {
		verdict(v, RTP_ICE_DO_DROP, RTP_ICE_E_BAD_CKSUM, 0);
		return;
	}
	v->authed = true;
	if (stun_msg_find(msg, STUN_ATTR_PRIORITY) == NULL) {
		verdict(v, RTP_ICE_DO_ERROR, RTP_ICE_E_NO_PRIORITY, STUN_ERR_BAD_REQUEST);
		return;
	}
	if (msg->nunknown > 0) {
		verdict(v, RTP_ICE_DO_ERROR, RTP_ICE_E_UNKNOWN_ATTR, STUN_ERR_UNKNOWN_ATTRIBUTE);
		return;
	}
	/* RFC 8445 §7.3.1.1: a peer that says it is controlled too (with
	 * ICE-CONTROLLING beside it or not) is told to take the role */
	if (stun_msg_find(msg, STUN_ATTR_ICE_CONTROLLED) != NULL) {
		verdict(v, RTP_ICE_DO_ERROR, RTP_ICE_E_ROLE_CONFLICT, STUN_ERR_ROLE_CONFLICT);
		return;
	}
	verdict(v, RTP_ICE_DO_SUCCESS, RTP_ICE_OK, 0);
	v->nominate = stun_msg_find(msg, STUN_ATTR_USE_CANDIDATE) != NULL;
}

unsigned int
rtp_ice_answer(const struct rtp_ice_verdict *v, const struct stun_msg *msg,
	       const struct stun_addr *xa, const struct rtp_ice_hooks *h, uint8_t *buf,
	       size_t size)
{
	static const uint8_t zero[STUN_MI_LEN];
	bool error = v->act == RTP_ICE_DO_ERROR;
	struct stun_builder b;
	int n;

	if (!error && (v->act != RTP_ICE_DO_SUCCESS || xa == NULL))
		return 0;
	stun_build_init(&b, buf, size,
			stun_msg_type(msg->method, error ? STUN_CLASS_ERROR : STUN_CLASS_SUCCESS),
			msg->tid);
	if (error) {
		stun_build_error(&b, v->code, NULL);
		if (v->code == STUN_ERR_UNKNOWN_ATTRIBUTE)
			stun_build_u16list(&b, STUN_ATTR_UNKNOWN_ATTRIBUTES, msg->unknown,
					   msg->nunknown);
	} else {
		/* RFC 8445 §7.3.1.2, RFC 8489 §14.2: where the check came from */
		stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, xa);
	}
	/* RFC 8489 §9.1.4: an authentic check's answer under the same
	 * password; §9.1.3: none in an error before the integrity passed */
	if (v->authed) {
		uint8_t tag[20];

		stun_build_attr(&b, STUN_ATTR_MESSAGE_INTEGRITY, zero, sizeof(zero));
		if (b.err == 0) {
			unsigned int off = b.len - STUN_ATTR_HDR_LEN - STUN_MI_LEN;

			/* (the header's length already ends with it) */
			h->mac(h->arg, b.buf, off, tag);
			memcpy(b.buf + off + STUN_ATTR_HDR_LEN, tag, STUN_MI_LEN);
		}
	}
	stun_build_fingerprint_crc(&b, h->crc32);
	n = stun_build_finish(&b);
	if (n <= 0 || (error && (unsigned int)n > msg->len))
		return 0;
	return (unsigned int)n;
}
