/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A box of an active/standby pair (issue 69, docs/design/ha.md section
 * 3.4; lib/conf's ha group): while the segment's HA block (lib/ipc struct
 * ipc_ha, written by cp) does not say ACTIVE with a deadline still ahead,
 * dp is passive: it keeps its tables and takes cp's installs, and answers
 * and relays nothing. Each worker looks once a loop pass, not per packet
 * (dp_ha_pass(), the loop's first step); worker 0 also announces the
 * box's addresses when it turns active (netio/net_announce.c).
 *
 * Without an ha group w->ha is NULL and a pass costs one load and a
 * branch; w->ha_passive stays false, which is all dp_tx_flush() reads.
 */
#ifndef DP_HA_H
#define DP_HA_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "dp.h"

/* Rounds of announcements after the box turns active, and when each goes
 * (ms after the first): three, as keepalived sends by default; the last a
 * second on, past a receiver's neigh.locktime (Linux: 1 s). */
#define DP_HA_ROUNDS 3u
#define DP_HA_ROUND_MS { 0u, 100u, 1000u }

/*
 * With an ha group and cp's segment open (cp_link_setup()): every
 * worker's w->ha points at the segment's block and the worker starts
 * passive (a fresh segment's role is STANDBY; a kept one says what cp
 * last said, and its deadline). Logs the role found. Nothing without the
 * group or the segment.
 */
void dp_ha_attach(struct dp_ctx *ctx);

/*
 * The pass's look (out of line, only with an ha group): whether w is
 * passive at tsc (this pass's TSC, converted on the worker's clock
 * anchor: the CLOCK_MONOTONIC ms cp's deadline is on), into
 * w->ha_passive and returned. Worker 0 starts the announcements when the
 * box turns active or announce_gen moves while it is, and sends those
 * that are due (at 0, 100 ms and 1 s); they stop when it turns passive.
 */
bool dp_ha_refresh(struct dp_worker *w, uint64_t tsc);

static inline bool
dp_ha_pass(struct dp_worker *w, uint64_t tsc)
{
	if (likely(w->ha == NULL))
		return false;
	return dp_ha_refresh(w, tsc);
}

/* A receive burst of a passive worker: freed whole, counted ha_passive;
 * nothing of it is looked at (no ARP, ND, echo, ICMP error, TCP reset,
 * request to cp). */
static inline void
dp_ha_rx_drop(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	if (n == 0)
		return;
	rte_pktmbuf_free_bulk(pkts, n);
	w->drop[DP_DROP_HA_PASSIVE] += n;
}

#endif /* DP_HA_H */
