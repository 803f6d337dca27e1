/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw: the IMS access gateway's media plane (3GPP TS 29.334, end-to-
 * access-edge security for MSRP and BFCP over TCP and TLS): contexts that
 * cp's API creates (AGW_ADD), each two terminations spliced in one worker
 * (dp/splice). A termination is a TCP client (connect to a remote address
 * from one of ours, the source port chosen so that the replies steer back
 * to this worker) or a TCP server (accept one connection on a port of this
 * worker's share of agw.ports: lib/steer cuts it as it cuts relayed ports,
 * dp/net's TCP demux steers by it, cp picks from it), with TLS none, server
 * or client on top (dp/tls's legs: the peer's certificate checked against
 * the fingerprints signalled in SDP, RFC 8122; ours the tls group's or one
 * of agw.certificates). What happens goes back to cp as AGW_EVENTs: a leg
 * up, a leg down with its cause, the context released with its cause,
 * never lost to a full ring (a backlog, as the sweeps).
 */
#ifndef DP_AGW_H
#define DP_AGW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "agw_types.h"

struct dp_worker;
struct ipc_msg;

/* w's contexts, its listener on its share of agw.ports, TLS for the legs
 * (after turn_tcp_init()); 0 when done or not configured, -errno after
 * one clear error. */
int agw_init(struct dp_worker *w);
/* Free w's contexts (their connections go with the TCP stack). */
void agw_free(struct dp_worker *w);

/* cp's AGW_ADD and AGW_DEL reach w's contexts through dp_cp.c
 * (registered by agw_init()). cp's SYNC (a cp that restarted): every live
 * context goes back to it (AGW_STATE), before the worker's STATE_DONE: the
 * SYNC begins the pass, agw_state_step() sends what the ring takes
 * (keeping headroom free slots) and says whether the pass is over (true
 * also without AGW). */
bool agw_state_step(struct dp_worker *w, unsigned int headroom);

/* Setup deadlines, events to cp. Returns work done. */
unsigned int agw_poll(struct dp_worker *w, uint64_t now_ms);

/* The worker's "agw" and "splice" statistics lines (nothing when not in
 * use). */
void agw_stats(const struct dp_worker *w, FILE *out);
/* Its counters for cp (dp_ctrs.h; 0 without AGW): agw_<name>,
 * agw_contexts. */
struct dp_ctrs_family;
extern const struct dp_ctrs_family agw_ctrs;
/* The gateway as one of dp's modules (dp_module.h; agw_module.c). */
struct dp_module;
extern const struct dp_module agw_module;
/* the legs ended, by AGW's cause (the splice's causes mapped) */
extern const struct dp_ctrs_family splice_leg_end_ctrs;

#endif /* DP_AGW_H */
