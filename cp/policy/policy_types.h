/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer-address policy of turnpike-cp: types only (the address cp reasons
 * about, the operator's prefix lists, the policy, and the verdicts whose
 * names tell the operator why a peer was refused). Includes only the C
 * library's integer headers. The order of decision is in policy.h.
 */
#ifndef CP_POLICY_TYPES_H
#define CP_POLICY_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* Capacity of each operator list (allow, deny), of our own addresses
 * (every port's two, 8 x 2, and up to 64 relayed ones per family: lib/conf's
 * TP_CONF_MAX_PORTS and TP_CONF_MAX_RELAY, checked in policy_module.c), and
 * of the tenants' TURN addresses (16 x 8: TP_CONF_MAX_TENANTS x
 * TP_CONF_TENANT_ADDRS). */
#define CP_POLICY_MAX_PREFIXES 256
#define CP_POLICY_MAX_OWN      144
#define CP_POLICY_MAX_TENANT_OWN 128

/*
 * A transport address. family is 4 or 6; IPv4 sits in ip[0..3] (network
 * byte order; ip[4..15] are zero once canonical), IPv6 fills ip[0..15]
 * (network byte order). port is in host byte order.
 */
struct cp_addr {
	uint8_t family;
	uint8_t ip[16];
	uint16_t port;
};

/* A list entry: the first plen bits of ip, same layout as cp_addr. */
struct cp_prefix {
	uint8_t family;
	uint8_t plen;
	uint8_t ip[16];
};

/*
 * Every verdict, in decision order: X(ENUM, "name", "description").
 * The name is what logs and turnpikectl print and what scripts match on:
 * short, lower case, stable. CP_POLICY_ACCEPT is the only accepting
 * verdict; every other one is a refusal (403 on CreatePermission and
 * ChannelBind, silent discard on Send).
 */
#define CP_POLICY_VERDICTS(X) \
	X(ACCEPT, "accept", "no rule refuses this peer") \
	X(INVALID, "invalid", "not an IPv4 or IPv6 address") \
	X(SIXTOFOUR, "6to4", "6to4 tunnel address 2002::/16 (RFC 8656 §21.4)") \
	X(TEREDO, "teredo", "Teredo tunnel address 2001::/32 (RFC 8656 §21.4)") \
	X(UNSPECIFIED, "unspecified", "this-network or unspecified address (0.0.0.0/8, ::)") \
	X(PORT_ZERO, "port-zero", "peer port 0") \
	X(DENY_LIST, "deny-list", "on the operator's deny list") \
	X(OWN_ADDRESS, "own-address", "one of this relay's own addresses") \
	X(OWN_RELAYED, "own-relayed", "one of this relay's relayed addresses (a relay-to-relay peer only where cp.peers.allow_relay_to_relay and an allocation holds it)") \
	X(LOOPBACK, "loopback", "loopback address (127.0.0.0/8, ::1)") \
	X(LINK_LOCAL, "link-local", "link-local address (169.254.0.0/16, fe80::/10)") \
	X(SITE_LOCAL, "site-local", "deprecated IPv6 site-local address (fec0::/10)") \
	X(MULTICAST, "multicast", "multicast address (224.0.0.0/4, ff00::/8)") \
	X(BROADCAST, "broadcast", "limited broadcast address 255.255.255.255") \
	X(RESERVED, "reserved", "reserved IPv4 address (240.0.0.0/4)") \
	X(PRIVATE, "private", "private address (RFC 1918, CGNAT 100.64.0.0/10, ULA fc00::/7)")

enum cp_policy_verdict {
#define X(e, n, d) CP_POLICY_##e,
	CP_POLICY_VERDICTS(X)
#undef X
	CP_POLICY__COUNT,
};

/*
 * The policy. Zeroed it is the safe default: every class flag false, both
 * lists empty, no own address. cp_policy_check() only reads it, so any
 * number of threads may judge with one policy while nobody adds to it.
 */
struct cp_policy {
	bool allow_loopback;	/* 127.0.0.0/8, ::1 */
	bool allow_private;	/* RFC 1918, 100.64.0.0/10, fc00::/7, fec0::/10 */
	bool allow_link_local;	/* 169.254.0.0/16, fe80::/10 */
	bool allow_multicast;	/* 224.0.0.0/4, ff00::/8 */
	unsigned int nallow, ndeny, nown;
	struct cp_prefix allow[CP_POLICY_MAX_PREFIXES];
	struct cp_prefix deny[CP_POLICY_MAX_PREFIXES];
	struct cp_addr own[CP_POLICY_MAX_OWN];	/* canonical, port 0 */
	bool own_relayed[CP_POLICY_MAX_OWN];	/* a relayed address */
	/* the tenants' TURN addresses: own addresses too ("own-address") */
	unsigned int ntenant_own;
	struct cp_addr tenant_own[CP_POLICY_MAX_TENANT_OWN];	/* canonical, port 0 */
};

#endif /* CP_POLICY_TYPES_H */
