/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's X2 events for TURN allocations (li_x2.c; docs/design/li.md
 * §3.2, §3.4): cp/alloc's observer, the ended allocations' wait for dp's
 * last counters. For li_module.c and the tests.
 */
#ifndef CP_LI_X2_CP_H
#define CP_LI_X2_CP_H

#include <stdbool.h>
#include <stdint.h>

struct cp_ctx;
struct cp_alloc_ev;
struct cp_agw_ctx;
struct ipc_rtp_event;
struct ipc_agw_event;

/* What was sent and lost, for the tests (no task in them). */
struct cp_li_x2_stats {
	uint64_t sent;                /* events on a ring to dp */
	uint64_t dropped;             /* events lost: no room on the ring
				       * (beyond CP_RING_HEADROOM), no memory
				       * or X2_RECS_MAX records */
};

/* Observe cp/alloc (cp->li open). 0 or -errno. */
int cp_li_x2_open(struct cp_ctx *cp);
/* Stop observing; the records wiped (ended ones waiting are not told). */
void cp_li_x2_close(struct cp_ctx *cp);
/* A loop turn's: the pass over the allocations after the tables changed
 * (X2_PASS_SLICE at most: an allocation newly targeted is told "ongoing"),
 * and the ended allocations whose wait for dp's last counters is over
 * (ENDED). How many allocations it looked at and ends it told. */
unsigned int cp_li_x2_step(struct cp_ctx *cp);
/* The observer itself (cp_alloc_observe()'s fn; arg: cp->li_x2). */
void cp_li_x2_event(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg);
/*
 * The gateway's RTP context c looked at (docs/design/li.md §3.2; called by
 * li_rtp_taps.c before it syncs c's tap, so that an event precedes the
 * RTP_TAP it goes with on the worker's ring): e the observer's event
 * that brought it (NULL: an RTP_ADD or RTP_MOD cp/agw sent, or a pass),
 * added an RTP_ADD was sent. Sends the X2 event due, if any: created or
 * ongoing (a context a task now targets), modified (what changed since
 * the last event told; SUBTRACTED: the termination's last usage), ended
 * (RELEASED: the usage; the record goes). A context no task targets any
 * more loses its record, untold. Nothing on the standby, for a mirrored
 * or yielded context, or without li.
 */
void cp_li_x2_ctx(struct cp_ctx *cp, const struct cp_agw_ctx *c, const struct ipc_rtp_event *e,
		  bool added);
/*
 * The gateway's TCP-leg context c (MSRP, BFCP) looked at
 * (docs/design/li.md §3.2, §4.2; called by li_agw_taps.c before it syncs
 * c's tap, so that an event precedes the AGW_TAP it goes with on the
 * worker's ring): e dp's event that brought it (NULL: an AGW_ADD or
 * AGW_MOD cp/agw sent, or a pass), sent cp/agw sent one (c made within
 * a second of wall time is then "created"). Sends the X2 event due:
 * created or ongoing (each leg: slot, serial, role, TLS on or off, local,
 * signalled remote, its connection's remote once up; never a key),
 * modified (a leg added, up with its connection's remote, its remote
 * signalled anew; SUBTRACTED: its serial and bytes), ended (RELEASED:
 * each leg's bytes, the target's as BYTES_FROM/TO, the duration, why;
 * the record goes). The task: li_agw_taps.c's cp_li_agw_task(), the
 * taps' own. A context no task targets any more loses its record,
 * untold; a SUBTRACTED or RELEASED of a record whose task is gone
 * (DeactivateTask, the pass not there yet) is not told (review V7).
 * Nothing on the standby or without li.
 */
void cp_li_x2_agw(struct cp_ctx *cp, const struct cp_agw_ctx *c, const struct ipc_agw_event *e,
		  bool sent);
/* Counters, or NULL without li. */
const struct cp_li_x2_stats *cp_li_x2_stats(const struct cp_ctx *cp);

#endif /* CP_LI_X2_CP_H */
