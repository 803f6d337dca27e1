/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer-address policy (RFC 8656 §21.2.2, §21.4): which peers an
 * allocation may reach, judged on the canonical form of every peer
 * address on every path (CreatePermission, ChannelBind, Send).
 *
 * Order of decision:
 *  1. canonicalise: IPv4-mapped (::ffff:0:0/96), IPv4-compatible
 *     (::a.b.c.d) and NAT64 (64:ff9b::/96) are judged as the IPv4 address
 *     they carry;
 *  2. always refused: port 0, the unspecified address, 6to4 (2002::/16)
 *     and Teredo (2001::/32) — RFC 8656 §21.4, whatever the lists say;
 *  3. the operator's deny list refuses;
 *  4. our own addresses are refused (a relay loop), even when listed;
 *  5. the operator's allow list accepts (over the class defaults below);
 *  6. class defaults, refused unless the matching allow flag is set:
 *     loopback, link-local, multicast (allow_*), broadcast and reserved
 *     (never), private ranges — RFC 1918,
 *     CGNAT 100.64/10, ULA fc00::/7, site-local fec0::/10 (allow_private);
 *  7. accept.
 */
#ifndef CP_POLICY_H
#define CP_POLICY_H

#include <stddef.h>

#include "policy_types.h"

/* A policy with safe defaults (all classes refused, lists empty); NULL
 * with errno on failure. */
struct cp_policy *cp_policy_create(void);
void cp_policy_free(struct cp_policy *p);
/* Add "10.201.0.0/24" or "fd00:201::/64" to a list. -EINVAL (with why in
 * err) for a bad prefix or one with host bits set; -ENOSPC when full. */
int cp_policy_add_allow(struct cp_policy *p, const char *prefix, char *err,
			size_t errlen);
int cp_policy_add_deny(struct cp_policy *p, const char *prefix, char *err,
		       size_t errlen);
/* One of our own addresses (never a peer). */
int cp_policy_add_own(struct cp_policy *p, const struct cp_addr *a);
/* The canonical form of a peer address (step 1 above). */
void cp_addr_canonical(const struct cp_addr *in, struct cp_addr *out);
/* Judge peer; canonical (may be NULL) gets its canonical form. */
enum cp_policy_verdict cp_policy_check(const struct cp_policy *p,
				       const struct cp_addr *peer,
				       struct cp_addr *canonical);
const char *cp_policy_verdict_name(enum cp_policy_verdict v);

#endif /* CP_POLICY_H */
