/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: dp's ICE-lite responder (dp/rtp/rtp_ice_check.c, what
 * rtp_ice.c runs on a worker) on any datagram, against one termination's
 * credentials (fuzz_ice.h's, which its seeds, gen_ice_responder_seeds.c's,
 * are made with).
 *
 * The input's first octet is what the worker would say, one bit each
 * (fuzz_ice.h; 0 the usual case): gm does not hear the source, the HMAC
 * budget is spent, the UDP checksum is wrong, the peer's ufrag is not
 * known yet (any second part of USERNAME taken), the source is IPv6; the
 * rest is the UDP payload, judged from a heap copy of exactly
 * its size (so a read past it is caught), and every answer is written to
 * a heap buffer of exactly the size it is given.
 *
 * Besides memory errors and undefined behaviour, the target aborts on a
 * broken promise (the oracle recomputes what it can with lib/stun):
 *   - the datagram is put back as it came (the HMAC rewrites its length);
 *   - the hooks are asked in order (gm, budget, HMAC, checksum), the HMAC
 *     at most once and only after gm, the USERNAME (ours and the peer's)
 *     and the budget passed;
 *   - nothing is answered success, nor an error with MESSAGE-INTEGRITY,
 *     unless it is a Binding request with a good FINGERPRINT, our
 *     USERNAME, a MESSAGE-INTEGRITY valid under our pwd (lib/stun's
 *     check), and the worker's three checks passed; a success has
 *     PRIORITY, no ICE-CONTROLLED and no unknown comprehension-required
 *     attribute, and nominates exactly when USE-CANDIDATE is there;
 *   - every answer written parses with lib/stun as the Binding response
 *     of the verdict's class, with the request's transaction id, the
 *     verdict's ERROR-CODE (420 listing the unknown attributes) or an
 *     XOR-MAPPED-ADDRESS of the source, a MESSAGE-INTEGRITY valid under
 *     our pwd exactly when the check's passed, and a valid FINGERPRINT last;
 *   - an error answer is never longer than the request (it goes unsent
 *     instead), a success always fits RTP_ICE_ANSWER_MAX, and too small a
 *     buffer gives 0, never a write past it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_ice.h"
#include "rtp_ice_check.h"
#include "stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* The hooks' answers and what they saw, in order. */
struct fuzz_in {
	uint8_t flags;
	const uint8_t *p;      /* the datagram judged */
	size_t len;
	unsigned int calls;    /* every hook, in order: its step below */
	unsigned int heard_at, may_mac_at, mac_at, cksum_at; /* calls' count when asked; 0: not */
	unsigned int macs;     /* HMACs of the request */
	bool answering;        /* rtp_ice_answer()'s HMACs from here on */
};

static uint32_t
fuzz_crc32(const uint8_t *buf, size_t len)
{
	/* lib/stun's FINGERPRINT is the CRC-32 XOR 0x5354554e */
	return stun_fingerprint(buf, len) ^ STUN_FINGERPRINT_XOR;
}

static void
fuzz_mac(void *arg, uint8_t *p, unsigned int len, uint8_t tag[20])
{
	struct fuzz_in *in = arg;

	if (!in->answering) {
		/* the request's, within it */
		CHECK(p == in->p && len <= in->len);
		in->macs++;
		in->mac_at = ++in->calls;
	}
	CHECK(stun_hmac_sha1((const uint8_t *)FUZZ_ICE_PWD, strlen(FUZZ_ICE_PWD), p, len, tag) == 0);
}

static bool
fuzz_heard(void *arg)
{
	struct fuzz_in *in = arg;

	CHECK(!in->answering && in->heard_at == 0);
	in->heard_at = ++in->calls;
	return !(in->flags & FUZZ_ICE_DEAF);
}

static bool
fuzz_may_mac(void *arg)
{
	struct fuzz_in *in = arg;

	CHECK(!in->answering && in->may_mac_at == 0);
	in->may_mac_at = ++in->calls;
	return !(in->flags & FUZZ_ICE_SPENT);
}

static bool
fuzz_cksum_ok(void *arg)
{
	struct fuzz_in *in = arg;

	CHECK(!in->answering && in->cksum_at == 0);
	in->cksum_at = ++in->calls;
	return !(in->flags & FUZZ_ICE_CKSUM);
}

/* USERNAME "<ours>:<the peer's>" (the peer's any, not empty, when not
 * known), as RFC 8445 §7.3 says, computed apart from the responder. */
static bool
username_ours(const struct stun_msg *m, bool peer_known)
{
	const struct stun_attr *un = stun_msg_find(m, STUN_ATTR_USERNAME);
	size_t ul = strlen(FUZZ_ICE_UFRAG);

	if (un == NULL || un->len < ul + 2 || memcmp(un->value, FUZZ_ICE_UFRAG ":", ul + 1) != 0)
		return false;
	if (!peer_known)
		return true;
	return un->len == ul + 1 + strlen(FUZZ_ICE_PEER) &&
	       memcmp(un->value + ul + 1, FUZZ_ICE_PEER, strlen(FUZZ_ICE_PEER)) == 0;
}

/* What an authentic check is, recomputed with lib/stun. */
static void
check_authentic(const struct stun_msg *m, const struct fuzz_in *in)
{
	CHECK(m->method == STUN_METHOD_BINDING && m->cls == STUN_CLASS_REQUEST);
	CHECK(stun_check_fingerprint(m) == STUN_CHECK_VALID);
	CHECK(username_ours(m, !(in->flags & FUZZ_ICE_NO_PEER)));
	CHECK(stun_check_integrity(m, (const uint8_t *)FUZZ_ICE_PWD, strlen(FUZZ_ICE_PWD)) ==
	      STUN_CHECK_VALID);
	CHECK(!(in->flags & (FUZZ_ICE_DEAF | FUZZ_ICE_SPENT | FUZZ_ICE_CKSUM)));
	CHECK(in->macs == 1 && in->cksum_at > in->mac_at);
}

/* The verdict against the request, as far as it can be recomputed. */
static void
check_verdict(const struct rtp_ice_verdict *v, const struct stun_msg *m,
	      const struct fuzz_in *in)
{
	/* the order of the worker's checks, and no HMAC before them */
	CHECK(in->macs <= 1);
	CHECK(in->may_mac_at == 0 || (in->heard_at != 0 && in->may_mac_at > in->heard_at));
	if (in->macs == 1) {
		CHECK(in->may_mac_at != 0 && in->mac_at > in->may_mac_at);
		CHECK(!(in->flags & (FUZZ_ICE_DEAF | FUZZ_ICE_SPENT)));
		CHECK(username_ours(m, !(in->flags & FUZZ_ICE_NO_PEER)));
		CHECK(stun_check_fingerprint(m) == STUN_CHECK_VALID);
	}
	CHECK(in->cksum_at == 0 || in->macs == 1);
	CHECK(v->authed == (in->cksum_at != 0 && !(in->flags & FUZZ_ICE_CKSUM)));
	switch (v->act) {
	case RTP_ICE_DO_DROP:
		CHECK(v->err > RTP_ICE_OK && v->err < RTP_ICE_E_COUNT && !v->nominate);
		if (v->err == RTP_ICE_E_FLOOD)
			CHECK(in->flags & FUZZ_ICE_SPENT);
		if (v->err == RTP_ICE_E_BAD_CKSUM)
			CHECK(in->flags & FUZZ_ICE_CKSUM);
		break;
	case RTP_ICE_DO_KEEPALIVE:
		CHECK(v->err == RTP_ICE_OK && m->cls == STUN_CLASS_INDICATION &&
		      m->method == STUN_METHOD_BINDING && in->calls == 0);
		break;
	case RTP_ICE_DO_STRANGER:
		CHECK(v->err == RTP_ICE_OK && (in->flags & FUZZ_ICE_DEAF) && in->macs == 0);
		CHECK(stun_check_fingerprint(m) == STUN_CHECK_VALID);
		break;
	case RTP_ICE_DO_ERROR:
		CHECK(v->err > RTP_ICE_OK && v->err < RTP_ICE_E_COUNT && !v->nominate);
		CHECK(v->code == STUN_ERR_BAD_REQUEST || v->code == STUN_ERR_UNAUTHENTICATED ||
		      v->code == STUN_ERR_UNKNOWN_ATTRIBUTE || v->code == STUN_ERR_ROLE_CONFLICT);
		CHECK(m->method == STUN_METHOD_BINDING && m->cls == STUN_CLASS_REQUEST);
		CHECK(stun_check_fingerprint(m) == STUN_CHECK_VALID);
		if (v->authed)
			check_authentic(m, in);
		/* what only an authentic check is told */
		if (v->code == STUN_ERR_UNKNOWN_ATTRIBUTE || v->code == STUN_ERR_ROLE_CONFLICT)
			CHECK(v->authed);
		if (v->code == STUN_ERR_UNKNOWN_ATTRIBUTE)
			CHECK(m->nunknown > 0);
		if (v->code == STUN_ERR_ROLE_CONFLICT)
			CHECK(stun_msg_find(m, STUN_ATTR_ICE_CONTROLLED) != NULL);
		break;
	case RTP_ICE_DO_SUCCESS:
		CHECK(v->err == RTP_ICE_OK && v->authed);
		check_authentic(m, in);
		CHECK(stun_msg_find(m, STUN_ATTR_PRIORITY) != NULL);
		CHECK(stun_msg_find(m, STUN_ATTR_ICE_CONTROLLED) == NULL);
		CHECK(m->nunknown == 0);
		CHECK(v->nominate == (stun_msg_find(m, STUN_ATTR_USE_CANDIDATE) != NULL));
		break;
	default:
		CHECK(!"a verdict rtp_ice_check.h does not name");
	}
	/* each refusal's reason, recomputed */
	switch (v->err) {
	case RTP_ICE_E_NO_FINGERPRINT:
	case RTP_ICE_E_BAD_FINGERPRINT:
		CHECK(in->calls == 0 && stun_check_fingerprint(m) != STUN_CHECK_VALID);
		break;
	case RTP_ICE_E_NO_USERNAME:
		CHECK(stun_msg_find(m, STUN_ATTR_USERNAME) == NULL ||
		      stun_msg_find(m, STUN_ATTR_MESSAGE_INTEGRITY) == NULL);
		CHECK(in->may_mac_at == 0);
		break;
	case RTP_ICE_E_UNKNOWN_UFRAG:
		CHECK(!username_ours(m, !(in->flags & FUZZ_ICE_NO_PEER)) && in->may_mac_at == 0);
		break;
	case RTP_ICE_E_BAD_INTEGRITY:
		CHECK(in->macs == 1 && in->cksum_at == 0);
		CHECK(stun_check_integrity(m, (const uint8_t *)FUZZ_ICE_PWD, strlen(FUZZ_ICE_PWD)) ==
		      STUN_CHECK_INVALID);
		break;
	case RTP_ICE_E_BAD_CKSUM:
		check_authentic(m, &(struct fuzz_in){ .flags = (uint8_t)(in->flags & ~FUZZ_ICE_CKSUM),
						      .macs = in->macs, .mac_at = in->mac_at,
						      .cksum_at = in->cksum_at });
		break;
	default:
		break;
	}
}

/* An answer of n octets in buf to request m, as verdict v called for. */
static void
check_answer(const uint8_t *buf, unsigned int n, const struct rtp_ice_verdict *v,
	     const struct stun_msg *m, const struct stun_addr *xa)
{
	const struct stun_attr *a;
	struct stun_parse_error perr;
	struct stun_msg r;
	struct stun_addr got;
	const char *reason;
	uint16_t code, rlen;

	CHECK(stun_msg_parse(&r, buf, n, &perr) == 0);
	CHECK(r.method == STUN_METHOD_BINDING);
	CHECK(r.cls == (v->act == RTP_ICE_DO_SUCCESS ? STUN_CLASS_SUCCESS : STUN_CLASS_ERROR));
	CHECK(memcmp(r.tid, m->tid, STUN_TID_LEN) == 0);
	/* FINGERPRINT, valid, last */
	a = stun_msg_find(&r, STUN_ATTR_FINGERPRINT);
	CHECK(a != NULL && (size_t)a->offset + STUN_ATTR_HDR_LEN + a->len == n);
	CHECK(stun_check_fingerprint(&r) == STUN_CHECK_VALID);
	/* MESSAGE-INTEGRITY under our pwd exactly when the check's passed */
	CHECK(stun_check_integrity(&r, (const uint8_t *)FUZZ_ICE_PWD, strlen(FUZZ_ICE_PWD)) ==
	      (v->authed ? STUN_CHECK_VALID : STUN_CHECK_ABSENT));
	if (v->act == RTP_ICE_DO_SUCCESS) {
		a = stun_msg_find(&r, STUN_ATTR_XOR_MAPPED_ADDRESS);
		CHECK(a != NULL && stun_attr_get_addr(&r, a, &got) == 0);
		CHECK(got.family == xa->family && got.port == xa->port);
		CHECK(memcmp(got.ip, xa->ip, xa->family == STUN_AF_IPV4 ? 4 : 16) == 0);
		CHECK(stun_msg_find(&r, STUN_ATTR_ERROR_CODE) == NULL);
		return;
	}
	a = stun_msg_find(&r, STUN_ATTR_ERROR_CODE);
	CHECK(a != NULL && stun_attr_get_error(a, &code, &reason, &rlen) == 0);
	CHECK(code == v->code);
	a = stun_msg_find(&r, STUN_ATTR_UNKNOWN_ATTRIBUTES);
	if (v->code == STUN_ERR_UNKNOWN_ATTRIBUTE) {
		uint16_t types[STUN_MAX_UNKNOWN];
		size_t k;

		CHECK(a != NULL);
		CHECK(stun_attr_get_u16list(a, types, STUN_MAX_UNKNOWN, &k) == 0);
		CHECK(k == m->nunknown && memcmp(types, m->unknown, k * sizeof(types[0])) == 0);
	} else {
		CHECK(a == NULL);
	}
	CHECK(stun_msg_find(&r, STUN_ATTR_XOR_MAPPED_ADDRESS) == NULL);
}

/* rtp_ice_answer() into a heap buffer of exactly size octets; its length. */
static unsigned int
answer(const struct rtp_ice_verdict *v, const struct stun_msg *m, const struct stun_addr *xa,
       const struct rtp_ice_hooks *h, size_t size, uint8_t **out)
{
	uint8_t *buf = malloc(size > 0 ? size : 1);
	unsigned int n;

	CHECK(buf != NULL);
	n = rtp_ice_answer(v, m, xa, h, buf, size);
	CHECK(n <= size);
	*out = buf;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_rtp_ice x;
	struct fuzz_in in;
	struct rtp_ice_hooks h = { .crc32 = fuzz_crc32, .mac = fuzz_mac, .heard = fuzz_heard,
				   .may_mac = fuzz_may_mac, .cksum_ok = fuzz_cksum_ok, .arg = &in };
	struct rtp_ice_verdict v;
	struct stun_addr xa;
	struct stun_msg m, whole;
	uint8_t *p, *buf;
	unsigned int n, full;
	size_t len;

	if (size < 1)
		return 0;
	memset(&in, 0, sizeof(in));
	in.flags = data[0];
	len = size - 1;
	p = malloc(len > 0 ? len : 1);
	CHECK(p != NULL);
	memcpy(p, data + 1, len);
	in.p = p;
	in.len = len;

	memset(&x, 0, sizeof(x));
	x.mode = IPC_RTP_ICE_LITE;
	x.ufrag_len = (uint8_t)strlen(FUZZ_ICE_UFRAG);
	memcpy(x.ufrag, FUZZ_ICE_UFRAG, strlen(FUZZ_ICE_UFRAG));
	x.pwd_len = (uint8_t)strlen(FUZZ_ICE_PWD);
	memcpy(x.pwd, FUZZ_ICE_PWD, strlen(FUZZ_ICE_PWD));
	if (!(in.flags & FUZZ_ICE_NO_PEER)) {
		x.peer_ufrag_len = (uint8_t)strlen(FUZZ_ICE_PEER);
		memcpy(x.peer_ufrag, FUZZ_ICE_PEER, strlen(FUZZ_ICE_PEER));
	}

	rtp_ice_judge(&x, p, len, &h, &m, &v);
	/* the datagram as it came (its length rewritten for the HMAC, put back) */
	CHECK(memcmp(p, data + 1, len) == 0);
	if (v.act == RTP_ICE_DO_DROP && v.err == RTP_ICE_E_MALFORMED) {
		CHECK(in.calls == 0);
		CHECK(stun_msg_parse(&whole, p, len, NULL) < 0 || whole.method != STUN_METHOD_BINDING ||
		      (whole.cls != STUN_CLASS_REQUEST && whole.cls != STUN_CLASS_INDICATION));
		goto out_free_p;
	}
	CHECK(m.buf == p && m.len == len);
	check_verdict(&v, &m, &in);

	/* the check's source, as dp gives it */
	memset(&xa, 0, sizeof(xa));
	xa.family = (in.flags & FUZZ_ICE_V6) ? STUN_AF_IPV6 : STUN_AF_IPV4;
	xa.port = (uint16_t)(len * 2654435761u);
	for (unsigned int i = 0; i < 16; i++)
		xa.ip[i] = (uint8_t)(0xc0 + i * 7 + len);
	in.answering = true;

	n = answer(&v, &m, &xa, &h, RTP_ICE_ANSWER_MAX, &buf);
	if (v.act != RTP_ICE_DO_ERROR && v.act != RTP_ICE_DO_SUCCESS) {
		CHECK(n == 0);
		free(buf);
		goto out_free_p;
	}
	/* unbounded by the request: what the bound cut (an error's only) */
	whole = m;
	whole.len = 0xffffu;
	{
		uint8_t *b2;

		full = answer(&v, &whole, &xa, &h, RTP_ICE_ANSWER_MAX, &b2);
		CHECK(full > 0);
		free(b2);
	}
	if (v.act == RTP_ICE_DO_SUCCESS)
		CHECK(n == full);
	else
		CHECK(n == (full <= len ? full : 0));
	if (n > 0)
		check_answer(buf, n, &v, &m, &xa);
	free(buf);
	/* too small a buffer: 0, nothing written past it (ASan) */
	if (full > 0) {
		size_t small = data[size - 1] % full;

		CHECK(answer(&v, &whole, &xa, &h, small, &buf) == 0);
		free(buf);
	}
out_free_p:
	free(p);
	return 0;
}
