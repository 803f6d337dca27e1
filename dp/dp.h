/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-dp internal interfaces between its modules: ports, the
 * impairment stage, input and output of the network layer, the UDP
 * demultiplexer, the worker loop and statistics. Fast-path functions take
 * the worker first; burst functions return counts and the caller owns
 * what was not taken.
 */
#ifndef DP_H
#define DP_H

#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp_types.h"
#include "tp_log.h"
#include "net/flow.h"

struct rte_mbuf;

/* ---- ports (port/port.c) ------------------------------------------------ */

/* Open, configure and start every configured port with one RX and one TX
 * queue per worker. Workers' mempools must exist. Returns 0 or -errno
 * after printing one clear error. */
int dp_ports_init(struct dp_ctx *ctx);
void dp_ports_close(struct dp_ctx *ctx);
/* Port index's addresses as the configuration gives them (its own, its
 * relayed ones, its tenants'), its name, roles and link settings, into p:
 * what dp_ports_init() puts in ctx->ports[index], for a module that sets
 * up before the ports start and must know them. */
void dp_port_from_conf(struct dp_port *p, const struct tp_conf *conf, unsigned int index);

/* ---- steering on the NIC (port/port_steer.c) ----------------------------- */

struct rte_eth_dev_info;
/* After the port started: program and read back the RETA (RSS ports),
 * install the relay rte_flow rules where the PMD takes them; fills
 * p->steer, p->flow_rules*, p->steering. Never fails the port: what the
 * NIC refuses is left to the software hand-off and said. Returns 0. */
int dp_port_steer(struct dp_ctx *ctx, struct dp_port *p,
		  const struct rte_eth_dev_info *info);
/* Remove the port's rules (before it stops). */
void dp_port_unsteer(struct dp_port *p);

/* ---- impairment (port/impair.c) ----------------------------------------- */

int dp_impair_init(struct dp_worker *w);
void dp_impair_free(struct dp_worker *w);
/* Pass a burst through the port's impairment stage for one direction:
 * drops, duplicates, holds back (reorder, delay). Returns how many
 * packets of pkts[] (rewritten in place, up to cap) go on now. */
uint16_t dp_impair_burst(struct dp_worker *w, struct dp_impair *im,
			 const struct tp_conf_impair *cfg,
			 struct rte_mbuf **pkts, uint16_t n, uint16_t cap,
			 uint64_t now);
/* Packets whose delay has passed, up to cap. */
uint16_t dp_impair_release(struct dp_worker *w, struct dp_impair *im,
			   struct rte_mbuf **pkts, uint16_t cap, uint64_t now);

/* ---- input (netio/net_input.c) ------------------------------------------ */

/* Handle a burst received on port (or handed over by another worker when
 * handed is true). Consumes every mbuf. */
void dp_input_burst(struct dp_worker *w, struct dp_port *port,
		    struct rte_mbuf **pkts, uint16_t n, bool handed);
/* A packet another worker shared for neighbour learning only. */
void dp_input_neigh_shared(struct dp_worker *w, struct rte_mbuf *m);

/* ---- output (netio/net_output.c) ---------------------------------------- */

/* Send an IP packet whose data starts at its (complete) L3 header to dst:
 * route, resolve the next hop (possibly queueing), add the Ethernet
 * header and queue for TX. Consumes m. */
void dp_ip_output(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
		  const uint8_t *dst);
/* Add the Ethernet header (and VLAN tag) and queue m on port for TX. */
void dp_eth_output(struct dp_worker *w, struct dp_port *port,
		   struct rte_mbuf *m, const uint8_t dst_mac[6],
		   uint16_t ethertype);
/* Queue a finished frame for TX on port. Consumes m. */
void dp_tx_enqueue(struct dp_worker *w, struct dp_port *port,
		   struct rte_mbuf *m);
/* Hand every queued frame to the ports. */
void dp_tx_flush(struct dp_worker *w, uint64_t now);
/* m holds a complete IP+UDP packet with its UDP checksum not computed:
 * ask the NIC for it; dp_ip_output() computes it in software when the
 * chosen port cannot. */
void dp_udp_cksum_offer(struct rte_mbuf *m, uint8_t family);
/* m holds an IP packet whose UDP or TCP checksum was left for the NIC
 * (RTE_MBUF_F_TX_UDP_CKSUM / RTE_MBUF_F_TX_TCP_CKSUM, the pseudo-header's
 * sum in the field, m's data at the IP header): finish it in software and
 * clear the request (dp_ip_output() does for a port that cannot; a packet
 * looped in, which no NIC sees, needs it too). */
void dp_l4_cksum_finish(struct dp_worker *w, struct rte_mbuf *m, uint8_t family);
/* m holds a complete IP+UDP packet whose checksum is already final:
 * clear what RX left in its flags so that no offload is asked for. */
static inline void
dp_udp_cksum_done(struct rte_mbuf *m, uint8_t family)
{
	m->l3_len = family == NET_AF_IPV4 ? 20 : 40;
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
}
/* Neighbour probes (ARP request / NS) for a table entry. */
void dp_neigh_probe(void *arg, const struct neigh_entry *e);
/* Pick the port and next hop for dst; -ENETUNREACH when none. */
int dp_route(const struct dp_ctx *ctx, uint8_t family, const uint8_t *dst,
	     struct dp_port **port, const uint8_t **nexthop);
/* Source address we use towards dst on port. */
const uint8_t *dp_port_src(const struct dp_port *port, uint8_t family);
/* Allocate an mbuf from the worker's pool with room for L2 headers. */
struct rte_mbuf *dp_alloc(struct dp_worker *w);

/* ---- announcements (netio/net_announce.c) ------------------------------ */

/* One round of a pair's box that turned active (dp_ha.c repeats it): on
 * every port, for every address dp answers for there (own, relayed,
 * tenants'), a gratuitous ARP request and reply (sender and target
 * address the address, to broadcast) and, for IPv6, an unsolicited NA to
 * ff02::1 (S clear, O set, our link-layer address): queued for TX,
 * counted ha_garp_tx, ha_na_tx. Returns the frames queued. */
unsigned int dp_announce(struct dp_worker *w);

/* ---- UDP (netio/udp.c) -------------------------------------------------- */

/* The listener table (65536 entries), before any registration. */
int dp_udp_init(struct dp_ctx *ctx);
void dp_udp_free(struct dp_ctx *ctx);
/* Register a listener before workers start: relayed for a relayed port
 * (it hears the relayed addresses), else the port's own address; icmp
 * (or NULL) takes the ICMP errors about datagrams sent from the port.
 * -EADDRINUSE if taken. */
int dp_udp_register(struct dp_ctx *ctx, uint16_t port, dp_udp_handler_t fn,
		    dp_udp_icmp_t icmp, void *arg, uint16_t owner, bool relayed);
/* Set DP_UDP_* flags on a registered listener (before workers start). */
void dp_udp_set_flags(struct dp_ctx *ctx, uint16_t port, uint16_t flags);
/* Verify the UDP checksum of a datagram its listener got unverified
 * (meta->cksum_ok false); true when it is right. */
bool dp_udp_cksum_verify(const struct rte_mbuf *m,
			 const struct dp_udp_meta *meta);
/* Handle a validated UDP datagram: demux, ownership, listener or ICMP
 * unreachable. l3/l4 point into m. to_own: sent to the port's own
 * address; relay_idx: the destination's index among the port's relayed
 * addresses, -1 when not one (what dp_local4/6() found). */
void dp_udp_input(struct dp_worker *w, struct dp_port *port,
		  struct rte_mbuf *m, uint8_t family, const uint8_t *l3,
		  uint16_t l3_off, const uint8_t *l4, uint16_t l4_len,
		  bool handed, bool to_own, int relay_idx);
/* Send payload as UDP from (src, sport) to (dst, dport). Copies payload
 * into a new mbuf. Returns 0 or -errno (counted). */
int dp_udp_send(struct dp_worker *w, uint8_t family, const uint8_t *src,
		uint16_t sport, const uint8_t *dst, uint16_t dport,
		const void *payload, uint16_t len);

/* ---- drops and hand-offs (dp_handoff.c) ------------------------------- */

/* Count why m is dropped and free it (m may be NULL: count only). */
void dp_drop_pkt(struct dp_worker *w, struct rte_mbuf *m, enum dp_drop why);

/* The kinds of what one worker hands another: net's own two, then those
 * modules register (DP_HANDOFF_MOD_FIRST .. DP_HANDOFF_KINDS - 1). */
#define DP_HANDOFF_FLOW      1u   /* process as if received by the owner */
#define DP_HANDOFF_NEIGH     2u   /* learn a neighbour from it, then free */
#define DP_HANDOFF_MOD_FIRST 3u

/* Take what other workers hand over of kind (a module's own, at its
 * set-up, before workers run) with fn on the receiving worker. 0,
 * -EINVAL (a kind out of the modules' range), -EEXIST (another's; the
 * same fn again is a no-op, as each worker's set-up may register it). */
int dp_handoff_on_kind(struct dp_ctx *ctx, uint32_t kind, dp_handoff_fn fn);
/* Give m to worker owner's hand-off ring; kind as above. Dropped
 * (handoff_full) when the ring is full, or w has a quarter of its pool
 * in hand-off rings already (dp_types.h's handoff_parked). */
void dp_handoff(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m,
		uint32_t kind);
/* The same, but m stays the caller's when the ring (or w's share) is
 * full (false). */
bool dp_handoff_try(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m,
		    uint32_t kind);
/* What other workers handed w, a burst at most, each to its kind's
 * taker (a flow: the input path, as received, handed); returns how many. */
unsigned int dp_handoff_input(struct dp_worker *w);

/* ---- the port's addresses (inline: every received IP packet asks) ------ */

#define DP_RELAY_SCAN 0xffu   /* relay4_at/relay6_at: several, compare all */

/* relay4_at[] and relay6_at[] from the relayed addresses (port.c, and
 * unit tests). */
static inline void
dp_port_relay_index(struct dp_port *p)
{
	memset(p->relay4_at, 0, sizeof(p->relay4_at));
	memset(p->relay6_at, 0, sizeof(p->relay6_at));
	for (unsigned int i = 0; i < p->nrelay4; i++) {
		uint8_t *e = &p->relay4_at[((const uint8_t *)&p->relay4[i])[3]];

		*e = *e == 0 ? (uint8_t)(i + 1) : DP_RELAY_SCAN;
	}
	for (unsigned int i = 0; i < p->nrelay6; i++) {
		uint8_t *e = &p->relay6_at[p->relay6[i][15]];

		*e = *e == 0 ? (uint8_t)(i + 1) : DP_RELAY_SCAN;
	}
}

/* ta4_at[] and ta6_at[] from the tenants' addresses (port.c, and unit
 * tests). */
static inline void
dp_port_tenant_index(struct dp_port *p)
{
	memset(p->ta4_at, 0, sizeof(p->ta4_at));
	memset(p->ta6_at, 0, sizeof(p->ta6_at));
	for (unsigned int i = 0; i < p->nta4; i++) {
		uint8_t *e = &p->ta4_at[((const uint8_t *)&p->ta4[i])[3]];

		*e = *e == 0 ? (uint8_t)(i + 1) : DP_RELAY_SCAN;
	}
	for (unsigned int i = 0; i < p->nta6; i++) {
		uint8_t *e = &p->ta6_at[p->ta6[i][15]];

		*e = *e == 0 ? (uint8_t)(i + 1) : DP_RELAY_SCAN;
	}
}

/* The tenant (lib/conf's index, 1..) whose TURN address on port dst (4
 * bytes) is; 0 when none is (the port's own address, a relayed one, any
 * other). One read and one compare, as for relayed addresses. */
static inline unsigned int
dp_tenant4(const struct dp_port *port, const uint8_t *dst)
{
	uint32_t d;
	unsigned int k;

	if (port->nta4 == 0)
		return 0;
	memcpy(&d, dst, 4);
	k = port->ta4_at[dst[3]];
	if (k != DP_RELAY_SCAN)
		return k != 0 && port->ta4[k - 1] == d ? port->ta4_tenant[k - 1] : 0;
	for (unsigned int i = 0; i < port->nta4; i++)
		if (port->ta4[i] == d)
			return port->ta4_tenant[i];
	return 0;
}

/*
 * Is dst (4 bytes) one of port's IPv4 addresses? The port's own address
 * is compared first, so a port without relay_ipv4 costs what it did
 * before; a relayed address is found by its last byte (relay4_at[]) and
 * one 32-bit compare, however many there are; a tenant's TURN address
 * the same way, after those. Returns true and sets *own (dst is the
 * port's own address or a tenant's TURN address: TURN's listeners take
 * it) and *relay_idx (its index among the relayed addresses, -1 when not
 * one).
 */
static inline bool
dp_local4(const struct dp_port *port, const uint8_t *dst, bool *own,
	  int *relay_idx)
{
	uint32_t d;
	unsigned int k;

	if (!port->has_ip4)
		return false;
	if (likely(memcmp(dst, port->ip4, 4) == 0)) {
		*own = true;
		*relay_idx = port->own_relay4;
		return true;
	}
	memcpy(&d, dst, 4);
	k = port->relay4_at[dst[3]];
	if (likely(k != DP_RELAY_SCAN)) {
		if (k != 0 && port->relay4[k - 1] == d) {
			*own = false;
			*relay_idx = (int)k - 1;
			return true;
		}
	} else {
		for (unsigned int i = 0; i < port->nrelay4; i++) {
			if (port->relay4[i] == d) {
				*own = false;
				*relay_idx = (int)i;
				return true;
			}
		}
	}
	/* a tenant's TURN address: as the own one, not a relayed one */
	if (dp_tenant4(port, dst) == 0)
		return false;
	*own = true;
	*relay_idx = -1;
	return true;
}

/* Two 64-bit compares for an IPv6 address. */
static inline bool
dp_ip6_eq(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* dp_tenant4() for an IPv6 dst (16 bytes). */
static inline unsigned int
dp_tenant6(const struct dp_port *port, const uint8_t *dst)
{
	unsigned int k;

	if (port->nta6 == 0)
		return 0;
	k = port->ta6_at[dst[15]];
	if (k != DP_RELAY_SCAN)
		return k != 0 && dp_ip6_eq(dst, port->ta6[k - 1]) ? port->ta6_tenant[k - 1] : 0;
	for (unsigned int i = 0; i < port->nta6; i++)
		if (dp_ip6_eq(dst, port->ta6[i]))
			return port->ta6_tenant[i];
	return 0;
}

/* The tenant of a server address (family NET_AF_IPV4/6) on port. */
static inline unsigned int
dp_tenant_of(const struct dp_port *port, uint8_t family, const uint8_t *dst)
{
	return family == NET_AF_IPV4 ? dp_tenant4(port, dst) : dp_tenant6(port, dst);
}

/* ip is port's own address or a tenant's TURN address on it: where
 * TURN's listeners answer (control path: accepts, set-up). */
static inline bool
dp_port_turn_addr(const struct dp_port *port, uint8_t family, const uint8_t *ip)
{
	if (family == NET_AF_IPV4)
		return port->has_ip4 && (memcmp(port->ip4, ip, 4) == 0 ||
					 dp_tenant4(port, ip) != 0);
	return port->has_ip6 && (dp_ip6_eq(port->ip6, ip) || dp_tenant6(port, ip) != 0);
}

/* The same for a unicast IPv6 dst (16 bytes). */
static inline bool
dp_local6(const struct dp_port *port, const uint8_t *dst, bool *own,
	  int *relay_idx)
{
	unsigned int k;

	if (!port->has_ip6)
		return false;
	if (likely(dp_ip6_eq(dst, port->ip6))) {
		*own = true;
		*relay_idx = port->own_relay6;
		return true;
	}
	k = port->relay6_at[dst[15]];
	if (likely(k != DP_RELAY_SCAN)) {
		if (k != 0 && dp_ip6_eq(dst, port->relay6[k - 1])) {
			*own = false;
			*relay_idx = (int)k - 1;
			return true;
		}
	} else {
		for (unsigned int i = 0; i < port->nrelay6; i++) {
			if (dp_ip6_eq(dst, port->relay6[i])) {
				*own = false;
				*relay_idx = (int)i;
				return true;
			}
		}
	}
	if (dp_tenant6(port, dst) == 0)
		return false;
	*own = true;
	*relay_idx = -1;
	return true;
}

/* ---- the handshake budget (struct dp_hs_budget) ---------------------- */

/* The budget of us microseconds a pass (0: none), in w's TSC cycles. Set
 * by each handshake user's set-up from the same setting
 * (tls.handshake_budget_us): whichever comes first, the same value. */
static inline void
dp_hs_budget_set(struct dp_worker *w, uint32_t us)
{
	w->hs.budget = rte_get_tsc_hz() * us / 1000000u;
}

/* A handshake step took cycles: the account's. */
static inline void
dp_hs_spent(struct dp_worker *w, uint64_t cycles)
{
	w->hs.spent += cycles;
	w->hs.steps++;
	if (unlikely(cycles > w->hs.step_max))
		w->hs.step_max = cycles;
}

/* Whether a handshake step may be taken now. */
static inline bool
dp_hs_room(const struct dp_worker *w)
{
	return w->hs.budget == 0 || w->hs.spent < w->hs.budget;
}

/* A new account: dp_worker.c's once a millisecond (with the modules'
 * clock), and tls_poll() at each of its passes (once a millisecond, or
 * each pass while TLS has work pending: as TLS's own account was before
 * it was the worker's). Not every pass: a pass of a busy worker can be
 * far shorter than the budget, and a storm would then take most of it. */
static inline void
dp_hs_reset(struct dp_worker *w)
{
	w->hs.spent = 0;
}

static inline uint64_t
dp_now(void)
{
	return rte_rdtsc();
}

#endif /* DP_H */
