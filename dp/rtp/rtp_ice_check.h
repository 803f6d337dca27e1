/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICE's responder without the worker (rtp_ice_check.c): a datagram to an
 * ICE termination's port judged as a connectivity check and its answer
 * written, over a termination's credentials and the caller's hooks
 * (struct rtp_ice_hooks). rtp_ice.c runs them on dp's mbufs; the fuzz
 * target fuzz_ice_responder runs them on its inputs. No EAL, no mbuf.
 */
#ifndef DP_RTP_ICE_CHECK_H
#define DP_RTP_ICE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "rtp_dp_types.h"
#include "stun_types.h"

/* Our answers: a success (XOR-MAPPED-ADDRESS of IPv6 24, MESSAGE-INTEGRITY
 * 24, FINGERPRINT 8) or an error (ERROR-CODE with our longest reason, 420's
 * UNKNOWN-ATTRIBUTES of STUN_MAX_UNKNOWN, MESSAGE-INTEGRITY, FINGERPRINT). */
#define RTP_ICE_ANSWER_MAX (STUN_HDR_LEN + 4u + 36u + 4u + 2u * STUN_MAX_UNKNOWN + 24u + 8u)

/*
 * The datagram p (len octets, the UDP payload) to a termination whose
 * credentials are x, judged as RFC 8489 §9.1.3 and RFC 8445 §7.3 say,
 * cheapest first: lib/stun's parse (not a Binding request or indication:
 * DROP MALFORMED), an indication (KEEPALIVE), FINGERPRINT (DROP), h->heard
 * (STRANGER), USERNAME and MESSAGE-INTEGRITY present (ERROR 400), USERNAME
 * "<x's ufrag>:<x's peer ufrag>", the peer's part any while x has none
 * (ERROR 401), h->may_mac (DROP FLOOD), MESSAGE-INTEGRITY under our pwd
 * by h->mac, compared in constant time (ERROR 401), h->cksum_ok (DROP),
 * then with authed set: PRIORITY (ERROR 400), no unknown
 * comprehension-required attribute (ERROR 420), no ICE-CONTROLLED (ERROR
 * 487: a lite agent is the controlled one, RFC 8445 §7.3.1.1); else
 * SUCCESS. *v says which, *msg is the parse the answer needs (whatever
 * but DROP MALFORMED). h->mac is called at most once, only after heard,
 * the USERNAME and may_mac passed. p is written while its HMAC is taken
 * (the header's length, RFC 8489 §14.5) and put back as it came.
 */
void rtp_ice_judge(const struct ipc_rtp_ice *x, uint8_t *p, size_t len,
		   const struct rtp_ice_hooks *h, struct stun_msg *msg, struct rtp_ice_verdict *v);

/*
 * The answer v calls for to msg (the check rtp_ice_judge() read) into buf
 * (size octets; RTP_ICE_ANSWER_MAX is enough): ERROR's error response with
 * ERROR-CODE (and 420's UNKNOWN-ATTRIBUTES), SUCCESS's success response
 * with XOR-MAPPED-ADDRESS *xa (the check's source, RFC 8445 §7.3.1.2);
 * MESSAGE-INTEGRITY under our pwd (h->mac; RFC 8489 §9.1.4) when v->authed,
 * FINGERPRINT (h->crc32). Returns its length in octets; 0 when v calls for
 * no answer, it does not fit size, or an error answer would be longer
 * than the request (no amplification towards a spoofed source).
 */
unsigned int rtp_ice_answer(const struct rtp_ice_verdict *v, const struct stun_msg *msg,
			    const struct stun_addr *xa, const struct rtp_ice_hooks *h,
			    uint8_t *buf, size_t size);

#endif /* DP_RTP_ICE_CHECK_H */
