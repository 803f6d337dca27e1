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
/* The subnets dp's ports are on: each port's IPv4 and IPv6 prefix (8 x 2,
 * lib/conf's TP_CONF_MAX_PORTS, checked in policy_module.c). */
#define CP_POLICY_MAX_SUBNETS  16

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

/* Every verdict, in decision order (policy_verdicts.def). */
enum cp_policy_verdict {
#define CP_POLICY_VERDICT(e, n, d) CP_POLICY_##e,
#include "policy_verdicts.def"
#undef CP_POLICY_VERDICT
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
	/* the subnets of dp's ports: their broadcast and anycast addresses
	 * are no peer ("subnet-broadcast", "subnet-anycast") */
	unsigned int nsubnet;
	struct cp_prefix subnet[CP_POLICY_MAX_SUBNETS];	/* host bits zero */
};

#endif /* CP_POLICY_TYPES_H */
