/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow ownership, in one place: which worker a flow belongs to. The UDP
 * demux (dp/netio/udp.c), TURN's batch prefetch (dp/turn), the load
 * generator's queue choice (perf/tpgen) and the active-open source-port
 * choice (dp_flow_pick_sport(), for dp/tcp) all call these functions, so
 * they agree by construction. The relayed-port shares are lib/steer's.
 *
 * Header-only over rte_hash_crc (no EAL needed; the program links
 * librte_eal for the CRC's CPU check). dp_flow_pick_sport() and
 * dp_flow_rx_worker() are in flow.c (pure, part of dpnet).
 */
#ifndef DP_NET_FLOW_H
#define DP_NET_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash_crc.h>

#include "net_types.h"

/*
 * The software owner of a flow among nworkers workers: a CRC32-C over the
 * XOR of the two addresses (4 or 16 bytes of family, zero-padded to 16)
 * seeded with (pa ^ pb) << 8 | proto. Symmetric: (a, pa) <-> (b, pb) give
 * the same worker, so both directions of a flow meet. 0 when nworkers is 0
 * or 1.
 */
static inline uint32_t
dp_flow_owner_n(uint32_t nworkers, uint8_t family, const uint8_t *a,
		const uint8_t *b, uint16_t pa, uint16_t pb, uint8_t proto)
{
	uint32_t x[4] = { 0, 0, 0, 0 }, h;
	unsigned int n = family == NET_AF_IPV4 ? 4 : 16;

	if (nworkers <= 1)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		((uint8_t *)x)[i] = a[i] ^ b[i];
	h = rte_hash_crc(x, sizeof(x), (uint32_t)(pa ^ pb) << 8 | proto);
	return h % nworkers;
}

/*
 * The one decision a worker self makes about a flow that reached it on a
 * port: where the NIC steers flows itself (rss: symmetric Toeplitz, both
 * directions on one queue) the queue it picked is the owner, self;
 * otherwise the software owner, to which the packet is handed when it is
 * not self.
 */
static inline uint32_t
dp_flow_worker(bool rss, uint32_t self, uint32_t nworkers, uint8_t family,
	       const uint8_t *a, const uint8_t *b, uint16_t pa, uint16_t pb,
	       uint8_t proto)
{
	return rss ? self : dp_flow_owner_n(nworkers, family, a, b, pa, pb, proto);
}

/*
 * The worker that receives a packet of this tuple (src, sport -> dst,
 * dport; proto 6 or 17) on a port steered as s: the RETA entry the
 * NIC's Toeplitz hash picks (ports in the hash when s->rss_l4 says so),
 * or the software owner. STEER_NONE-like UINT32_MAX when s->rss and
 * the RETA is unknown (reta_size 0).
 */
uint32_t dp_flow_rx_worker(const struct net_flow_steer *s, uint8_t family,
			   const uint8_t *src, const uint8_t *dst, uint16_t sport,
			   uint16_t dport, uint8_t proto);

/*
 * Active open (RFC 6062 Connect, AGW client legs): a local port in
 * [lo, hi], the first at or after start (wrapping), such that the
 * replies from (remote, rport) to (local, lport) reach worker on a port
 * steered as s. Computed, never tried on the wire: with RSS from the
 * Toeplitz key and the RETA read back from the NIC (the hash is linear in
 * the port's bits, so each candidate costs a few XORs), otherwise from
 * dp_flow_owner_n().
 * Returns 0 with *lport set; -EADDRNOTAVAIL when no port of the range
 * lands on worker; -ENOTSUP when s->rss but the RETA is unknown, or the
 * NIC does not hash proto's ports and the addresses alone do not land on
 * worker; -EINVAL for lo > hi, start outside [lo, hi], worker >= nworkers,
 * an unknown family or proto.
 */
int dp_flow_pick_sport(const struct net_flow_steer *s, uint8_t family,
		       const uint8_t *local, const uint8_t *remote, uint16_t rport,
		       uint8_t proto, uint16_t lo, uint16_t hi, uint16_t start,
		       uint32_t worker, uint16_t *lport);

#endif /* DP_NET_FLOW_H */
