/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow ownership, in one place: which worker a flow belongs to. The UDP
 * demux (dp/net/udp.c), TURN's batch prefetch (dp/turn), the load
 * generator's queue choice (perf/tpgen) and the active-open source-port
 * choice (dp_flow_pick_sport(), for dp/tcp) all call these functions, so
 * they agree by construction. The relayed-port shares are lib/steer's.
 *
 * Header-only over rte_hash_crc (no EAL needed; the program links
 * librte_eal for the CRC's CPU check).
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

#endif /* DP_NET_FLOW_H */
