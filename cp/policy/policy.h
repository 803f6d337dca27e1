/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer-address policy of turnpike-cp (RFC 8656 §21.2.2, §21.4): which
 * peers an allocation may reach. cp judges the peer of every
 * CreatePermission (§10.2) and ChannelBind (§12.2) and answers 403 on a
 * refusal; Send (§11.2) can only reach a peer that holds a permission, so
 * it is covered by the same decision, made once when the permission is
 * installed. The result names the rule that decided, for logs and for
 * turnpikectl.
 *
 * Order of decision (the first step that decides wins):
 *  1. canonicalise: IPv4-mapped ::ffff:a.b.c.d becomes the IPv4 address
 *     a.b.c.d (RFC 4291 §2.5.5.2; it never appears on the wire, so a
 *     permission for it IS a permission for a.b.c.d). Two more forms
 *     stay IPv6 in the canonical form but are JUDGED as the IPv4 address
 *     they carry: IPv4-compatible ::a.b.c.d (deprecated, RFC 4291
 *     §2.5.5.1; not :: and not ::1) and NAT64 64:ff9b::a.b.c.d (the
 *     well-known prefix, RFC 6052 §2.1). A NAT64 address is a real IPv6
 *     destination that an IPv6-only relay reaches through a translator,
 *     so rewriting it to IPv4 would break exactly the relays that need
 *     it (443 on an IPv6 allocation); but the translator delivers to the
 *     embedded IPv4, so that is what the rules must see. Every step below
 *     uses the judged address, and the lists and own addresses match
 *     either form.
 *  2. always refused, whatever the lists and flags say: 6to4 2002::/16
 *     and Teredo 2001::/32 (RFC 8656 §21.4 "MUST NOT accept"), the
 *     unspecified / this-network address (:: and 0.0.0.0/8, RFC 4291
 *     §2.5.2, RFC 1122 §3.2.1.3), peer port 0 (RFC 768: not a
 *     destination port);
 *  3. the operator's deny list refuses ("deny-list");
 *  4. our own addresses are refused ("own-address"), whatever the allow
 *     list and flags say: an operator's allow prefix usually covers the
 *     relay's own network (conf/demo.conf allows 10.201.0.0/24, where
 *     dp's core port is 10.201.0.1), and a permission to ourselves would
 *     let a client bounce traffic off the relay (RFC 8656 §21.1.7). A
 *     deny-listed own address reports "deny-list". One of our RELAYED
 *     addresses reports "own-relayed" instead: the policy refuses it as
 *     well, and cp (which knows the allocations) may accept it as the
 *     peer of a relay-to-relay call (two relayed WebRTC clients
 *     of one box are each other's peers), only at a relayed transport
 *     address an allocation holds, and dp delivers such datagrams inside
 *     the box, never to the wire. Then the special addresses of the
 *     subnets dp's ports are on, which the same allow prefix covers and
 *     which name no one peer: IPv4's network and broadcast addresses
 *     ("subnet-broadcast": dp would send a directed broadcast onto its
 *     own link, every host there a receiver, RFC 2644's amplifier) and
 *     IPv6's subnet anycast addresses ("subnet-anycast": the link's
 *     routers, RFC 4291 §2.6.1, and its reserved anycast, RFC 2526).
 *  5. the operator's allow list accepts, overriding step 6;
 *  6. class defaults, refused unless the flag is set:
 *       loopback 127/8, ::1                         allow_loopback
 *       link-local 169.254/16, fe80::/10            allow_link_local
 *       site-local fec0::/10 (RFC 3879)             allow_private
 *       multicast 224/4, ff00::/8                   allow_multicast
 *       broadcast 255.255.255.255                   (no flag)
 *       reserved 240/4 (RFC 1112 §4)                (no flag)
 *       private: RFC 1918 §3, CGNAT 100.64/10
 *       (RFC 6598), ULA fc00::/7 (RFC 4193)         allow_private
 *     Classes without a flag can be opened only by an allow-list entry.
 *  7. accept. Documentation ranges (192.0.2.0/24, 2001:db8::/32, ...) are
 *     not refused: tests and demos use them.
 *
 * Conventions: operations return 0 or -errno; the constructor returns
 * NULL with errno. Nothing here allocates except cp_policy_create().
 */
#ifndef CP_POLICY_H
#define CP_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "policy_types.h"

/* A policy with safe defaults (every class refused, lists empty); NULL
 * with errno = ENOMEM. The caller owns it: cp_policy_free(). */
struct cp_policy *cp_policy_create(void);
void cp_policy_free(struct cp_policy *p);
/* The same safe defaults on a policy the caller placed. */
void cp_policy_init(struct cp_policy *p);

/*
 * Add a prefix such as "10.201.0.0/16" or "fd00:201::/64" to the allow or
 * deny list. The length is required; an IPv4-mapped prefix
 * (::ffff:10.0.0.0/104) is stored as the IPv4 prefix it covers, so that
 * it matches canonical peers. Returns 0; -EINVAL for a malformed prefix,
 * a bad length or host bits set (the operator probably meant another
 * network: refuse rather than guess); -ENOSPC when the list is full.
 * On failure a one-line reason goes to err (err may be NULL).
 */
int cp_policy_add_allow(struct cp_policy *p, const char *prefix, char *err,
			size_t errlen);
int cp_policy_add_deny(struct cp_policy *p, const char *prefix, char *err,
		       size_t errlen);
/*
 * The same parsing for another list of cp's (cp.metrics_allow): one
 * prefix into out, by cp_policy_add_allow()'s rules. 0, or -EINVAL with
 * a one-line reason in err (err may be NULL).
 */
int cp_prefix_parse(const char *s, struct cp_prefix *out, char *err,
		    size_t errlen);
/* Whether a, canonicalised first (::ffff:a.b.c.d is a.b.c.d, as a
 * dual-stack socket reports an IPv4 client), lies in one of list[0..n). */
bool cp_prefix_list_has(const struct cp_prefix *list, unsigned int n,
			const struct cp_addr *a);
/* One of our own addresses (any port). It is canonicalised first.
 * 0; -EINVAL for a family other than 4 or 6; -ENOSPC when full. */
int cp_policy_add_own(struct cp_policy *p, const struct cp_addr *a);
/* The same for one of our relayed addresses ("own-relayed"). An address
 * added both ways is a relayed one. */
int cp_policy_add_own_relayed(struct cp_policy *p, const struct cp_addr *a);
/* The same for a tenant's TURN address ("own-address": dp answers there
 * as on a port's own), in a list of its own (CP_POLICY_MAX_TENANT_OWN) so
 * that the ports' and relayed addresses keep all of theirs. */
int cp_policy_add_own_tenant(struct cp_policy *p, const struct cp_addr *a);

/*
 * One of the subnets dp's ports are on, given by our address there and its
 * prefix length (a port's ipv4 = "10.201.0.1/24" is 10.201.0.1 and 24). Its
 * special addresses are never peers, whatever the allow list says:
 *  - IPv4, a prefix of /30 or shorter: the network and the broadcast
 *    address, host part all zeros or all ones ("subnet-broadcast": RFC 919
 *    §7, RFC 1122 §3.2.1.3 and §3.3.6, which has hosts take the zeros form
 *    as broadcast too). On a /31 both addresses are hosts (RFC 3021).
 *  - IPv6, a prefix of /126 or shorter: the Subnet-Router anycast address,
 *    host part all zeros (RFC 4291 §2.6.1; a /127 has none, RFC 6164 §5),
 *    and on a prefix of /120 or shorter the 128 reserved subnet anycast
 *    addresses ("subnet-anycast", RFC 2526 §2): interface identifiers
 *    fdff:ffff:ffff:ff80-ffff where the interface identifier is the low 64
 *    bits (a prefix of /64 or shorter), else the subnet's top 128.
 * a is canonicalised first. 0; -EINVAL for a family other than 4 or 6 or
 * a length past the family's; -ENOSPC when full (CP_POLICY_MAX_SUBNETS).
 */
int cp_policy_add_own_subnet(struct cp_policy *p, const struct cp_addr *a,
			     unsigned int plen);

/*
 * The canonical form of an address, the key under which cp stores
 * permissions and channels: ::ffff:a.b.c.d becomes a.b.c.d, and ip[4..15]
 * of an IPv4 address are zeroed, so the ip[] of two canonical forms of
 * one peer compare equal byte for byte. Any other address (and a bad
 * family) is copied as is.
 * in and out may be the same.
 */
void cp_addr_canonical(const struct cp_addr *in, struct cp_addr *out);
/* Same IP (port ignored: RFC 8656 §9 permissions are per IP address),
 * after canonicalisation of both. */
bool cp_addr_same_ip(const struct cp_addr *a, const struct cp_addr *b);

/*
 * Judge a peer. canonical (may be NULL) receives peer's canonical form,
 * whatever the verdict. Returns CP_POLICY_ACCEPT or the refusal that
 * decided (see the order above).
 */
enum cp_policy_verdict cp_policy_check(const struct cp_policy *p,
				       const struct cp_addr *peer,
				       struct cp_addr *canonical);
/* "accept", "teredo", "private", "deny-list", ...; "?" out of range. */
const char *cp_policy_verdict_name(enum cp_policy_verdict v);
/* One line for the operator: "Teredo tunnel address 2001::/32 (...)". */
const char *cp_policy_verdict_describe(enum cp_policy_verdict v);

#endif /* CP_POLICY_H */
