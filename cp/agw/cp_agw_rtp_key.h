/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An a=crypto line (lib/sdp) as the SRTP keying of a termination (lib/ipc),
 * and back:
 * what both SDP doors (cp/iq, cp/ng) hand cp/agw. Header-only, so that the
 * doors' pure parts (test_iq_rtp) need no cp/agw.
 */
#ifndef CP_AGW_RTP_KEY_H
#define CP_AGW_RTP_KEY_H

#include <string.h>

#include "ipc_types.h"
#include "sdp.h"

/* c's suite, key, MKI and WSH into k (the rest of k zero). WSH is a hint
 * (RFC 4568 section 6.3.6): lib/sdp takes up to 65535, dp's contract up
 * to 32767, and dp keeps 128 at most anyway. */
static inline void
cp_agw_rtp_key_of(struct ipc_srtp_key *k, const struct sdp_crypto *c)
{
	memset(k, 0, sizeof(*k));
	k->suite = c->suite;
	k->key_len = c->key_len;
	k->mki_len = c->mki_len;
	k->mki = c->mki;
	k->window = c->wsh > 32767u ? 32767u : c->wsh;
	memcpy(k->key, c->key, c->key_len <= IPC_SRTP_KEY_MAX ? c->key_len : 0);
}

/* And back: k (our key) as the a=crypto line c of tag for an SDP we write
 * (the rest of c zero). */
static inline void
cp_agw_rtp_crypto_of(struct sdp_crypto *c, uint32_t tag, const struct ipc_srtp_key *k)
{
	memset(c, 0, sizeof(*c));
	c->tag = tag;
	c->suite = k->suite;
	c->key_len = k->key_len;
	memcpy(c->key, k->key, k->key_len <= SDP_KEY_MAX ? k->key_len : 0);
	c->mki_len = k->mki_len;
	c->mki = k->mki;
}

#endif /* CP_AGW_RTP_KEY_H */
