/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peer-address policy of turnpike-cp: types only.
 */
#ifndef CP_POLICY_TYPES_H
#define CP_POLICY_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#define CP_POLICY_MAX_PREFIXES 256
#define CP_POLICY_MAX_OWN      32

/* A transport address: family 4 or 6, IPv4 in ip[0..3]. */
struct cp_addr {
	uint8_t family;
	uint8_t ip[16];
	uint16_t port;
};

struct cp_prefix {
	uint8_t family;
	uint8_t plen;
	uint8_t ip[16];
};

/* Every verdict, in decision order: CP_POLICY(ENUM, "name"). */
#define CP_POLICY_VERDICTS(X) \
	X(ACCEPT, "accept") \
	X(PORT_ZERO, "port-zero") \
	X(UNSPECIFIED, "unspecified") \
	X(SIXTOFOUR, "6to4") \
	X(TEREDO, "teredo") \
	X(DENY_LIST, "deny-list") \
	X(LOOPBACK, "loopback") \
	X(LINK_LOCAL, "link-local") \
	X(MULTICAST, "multicast") \
	X(BROADCAST, "broadcast") \
	X(RESERVED, "reserved") \
	X(OWN_ADDRESS, "own-address") \
	X(PRIVATE, "private")

enum cp_policy_verdict {
#define X(e, n) CP_POLICY_##e,
	CP_POLICY_VERDICTS(X)
#undef X
	CP_POLICY__COUNT,
};

struct cp_policy {
	bool allow_loopback;
	bool allow_private;
	bool allow_link_local;
	bool allow_multicast;
	unsigned int nallow, ndeny, nown;
	struct cp_prefix allow[CP_POLICY_MAX_PREFIXES];
	struct cp_prefix deny[CP_POLICY_MAX_PREFIXES];
	struct cp_addr own[CP_POLICY_MAX_OWN];
};

#endif /* CP_POLICY_TYPES_H */
