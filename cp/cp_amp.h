/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a reply costs at cp's UDP doors (cp/ng; cp/iq over UDP without
 * iq.auth), whose sources have not shown they own their addresses: a
 * datagram's source can be forged, and a reply larger than its request
 * turns the door into an amplifier towards whoever the forger names.
 * RFC 9000 §8.1's rule for an address not yet validated: at most three
 * times the octets received. Here a request's token of the door's rate
 * pays for a reply up to CP_AMP_FACTOR times its request's length; a
 * longer one costs a token for each further such share (taken from the
 * same bucket, into debt: the door answers nothing more until it is
 * repaid), so that what leaves the door a second stays within
 * CP_AMP_FACTOR times what came in, at the door's rate. Past the rate a
 * refusal goes only when it is no longer than the request it answers (it
 * amplifies nothing), and never a reply of substance.
 *
 * Pure: a rule, no state.
 */
#ifndef CP_AMP_H
#define CP_AMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_AMP_FACTOR 3u          /* RFC 9000 §8.1 */

/* The tokens of a door's rate a reply of `reply` octets to a request of
 * `request` octets (both as on the wire) costs: 1 when it is at most
 * CP_AMP_FACTOR times the request, one more for each further such share;
 * the request's own token included. A request of 0 octets (none): the
 * reply's length in octets, a token each. */
static inline uint32_t
cp_amp_cost(size_t reply, size_t request)
{
	size_t share = request * CP_AMP_FACTOR, n;

	if (share == 0)
		share = 1;
	n = (reply + share - 1) / share;
	if (n == 0)
		n = 1;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* May a refusal of `refusal` octets answer a request of `request` octets
 * that came past the door's rate? Only when it is no longer. */
static inline bool
cp_amp_refusal_ok(size_t refusal, size_t request)
{
	return refusal <= request;
}

#endif /* CP_AMP_H */
