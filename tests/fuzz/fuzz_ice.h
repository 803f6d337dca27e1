/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What fuzz_ice_responder and its seed generator (gen_ice_responder_seeds)
 * share: the termination's credentials and the meaning of an input's
 * first octet (the worker's say, a bit each; 0 the usual case).
 */
#ifndef FUZZ_ICE_H
#define FUZZ_ICE_H

#define FUZZ_ICE_UFRAG "tpUfrAg8"                  /* ours */
#define FUZZ_ICE_PWD   "Fz9pQ2rS7tU4vW1xY6zA3bC5"  /* ours: the checks' key */
#define FUZZ_ICE_PEER  "peer"                      /* the peer's ufrag */

enum {
	FUZZ_ICE_DEAF = 0x01,     /* gm does not hear the source */
	FUZZ_ICE_SPENT = 0x02,    /* no HMAC left in the termination's budget */
	FUZZ_ICE_CKSUM = 0x04,    /* the UDP checksum is wrong */
	FUZZ_ICE_NO_PEER = 0x08,  /* the peer's ufrag not known yet */
	FUZZ_ICE_V6 = 0x10,       /* an IPv6 source */
};

#endif /* FUZZ_ICE_H */
