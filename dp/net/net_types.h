/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Types of dp's network layer that are pure logic over byte buffers (no
 * EAL, no mbufs), so that cmocka tests can drive them: header validation,
 * ARP and neighbour discovery messages, ICMP building, the neighbour cache
 * and the ICMP rate limiter. The worker code wraps them around mbufs.
 */
#ifndef DP_NET_TYPES_H
#define DP_NET_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dp_drop {
#define DP_DROP(e, name) DP_DROP_##e,
#include "../dp_drops.def"
#undef DP_DROP
	DP_DROP__COUNT,
	DP_DROP_NONE = DP_DROP__COUNT,  /* "no drop": validation passed */
};

#define NET_AF_IPV4 4u
#define NET_AF_IPV6 6u

/* What ipv4_validate() found in a good header. */
struct ipv4_info {
	uint8_t hdr_len;       /* bytes */
	uint8_t proto;
	uint8_t ttl;
	uint16_t total_len;    /* from the header; the buffer may be longer (Ethernet padding) */
	uint8_t src[4];
	uint8_t dst[4];
};

/* What ipv6_validate() found. Extension headers are not walked: the
 * payload is what follows the fixed 40-byte header. */
struct ipv6_info {
	uint8_t next_hdr;
	uint8_t hop_limit;
	uint16_t payload_len;
	uint8_t src[16];
	uint8_t dst[16];
};

/* An ARP packet for IPv4 over Ethernet (RFC 826). */
struct arp_info {
	uint16_t op;           /* 1 request, 2 reply */
	uint8_t sha[6];
	uint8_t spa[4];
	uint8_t tha[6];
	uint8_t tpa[4];
};

/* A neighbour solicitation or advertisement (RFC 4861 §4.3, §4.4). */
struct nd_info {
	uint8_t type;          /* 135 NS, 136 NA */
	uint8_t flags;         /* NA: R 0x80, S 0x40, O 0x20 */
	uint8_t target[16];
	bool has_lladdr;       /* source (NS) or target (NA) link-layer option */
	uint8_t lladdr[6];
};

/* Neighbour cache states (a small subset of RFC 4861 §7.3.2). */
enum neigh_state {
	NEIGH_FREE = 0,
	NEIGH_INCOMPLETE,      /* probing; packets queued */
	NEIGH_REACHABLE,       /* confirmed within reachable time */
	NEIGH_STALE,           /* usable, but the next use re-probes */
};

#define NEIGH_QUEUE_MAX 16     /* hard bound on packets held per entry */

struct neigh_entry {
	uint8_t state;         /* enum neigh_state */
	uint8_t family;        /* NET_AF_IPV4 or NET_AF_IPV6 */
	uint8_t port;
	uint8_t probes;        /* probes sent in this resolution round */
	uint8_t nqueued;
	uint8_t mac[6];
	uint8_t ip[16];
	uint64_t confirmed;    /* time of the last confirmation */
	uint64_t confirmed_used; /* time of the last use while STALE */
	uint64_t next_probe;   /* when to probe next (INCOMPLETE, or STALE in use) */
	void *queue[NEIGH_QUEUE_MAX];
};

/* Result of neigh_resolve(). */
enum neigh_result {
	NEIGH_RES_READY = 0,   /* mac filled: send now */
	NEIGH_RES_QUEUED,      /* packet held until resolution */
	NEIGH_RES_DROPPED,     /* queue full or table full: caller frees the packet */
};

/* Per-worker neighbour cache: open addressing over a caller-provided array
 * whose size is a power of two. Times are in caller units (the worker
 * uses TSC cycles, tests use a fake clock). */
struct neigh_table {
	struct neigh_entry *e;
	uint32_t size;            /* power of two */
	uint32_t count;
	uint32_t queue_max;       /* <= NEIGH_QUEUE_MAX */
	uint32_t max_probes;      /* probes before giving up (default 3) */
	uint64_t reachable_time;  /* REACHABLE -> STALE after this */
	uint64_t retry_time;      /* between probes */
	uint64_t stale_time;      /* a STALE entry unused this long is freed */
	/* Frees a queued packet that will never be sent. */
	void (*free_pkt)(void *pkt, void *arg);
	void *free_arg;
	uint64_t failed;          /* packets dropped because resolution failed */
};

/* Token bucket for ICMP errors (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)). */
struct net_ratelimit {
	uint64_t tokens_x1000;    /* milli-tokens */
	uint64_t last;
	uint64_t rate_per_s;
	uint64_t burst;
	uint64_t hz;              /* time units per second */
};

/*
 * How a port spreads received flows over the worker queues (one queue per
 * worker, queue q = worker q), as dp programmed it and read it back
 * (dp/port/port.c): what dp/net/flow.h computes a flow's worker against.
 * rss false: every queue may get any flow; the software owner
 * (dp_flow_owner_n()) decides and packets are handed over. rss true: the
 * NIC picks the queue by the Toeplitz hash of the tuple under rss_key,
 * indexing reta[] by the hash modulo reta_size; reta_size 0 means that
 * table could not be read back, so nothing can be predicted.
 */
#define NET_RSS_KEY_LEN 40u
#define NET_RETA_MAX    2048u
#define NET_RSS_L4_UDP  0x1u       /* rss_l4: UDP ports are in the hash */
#define NET_RSS_L4_TCP  0x2u       /* ... TCP ports */

struct net_flow_steer {
	uint32_t nworkers;
	bool rss;
	uint8_t rss_l4;                /* NET_RSS_L4_* */
	uint16_t reta_size;
	uint8_t rss_key[NET_RSS_KEY_LEN];
	uint8_t reta[NET_RETA_MAX];    /* entry -> queue (= worker id) */
};

#endif /* DP_NET_TYPES_H */
