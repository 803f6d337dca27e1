/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's taps on allocations (li_taps.c): the matcher met with cp/alloc's
 * allocations, dp told with ALLOC_TAP. For li_module.c.
 */
#ifndef CP_LI_TAPS_H
#define CP_LI_TAPS_H

struct cp_ctx;

/* Observe cp/alloc (cp->li open); a first pass is due, once cp is ready,
 * that tells every allocation its tap, "off" included (what an earlier
 * cp told dp is unknown). 0 or -errno. */
int cp_li_taps_open(struct cp_ctx *cp);
/* Stop observing; the records wiped. */
void cp_li_taps_close(struct cp_ctx *cp);
/* A loop turn's share of the pass (the tables changed, or a tap could
 * not be sent): allocations looked at. */
unsigned int cp_li_taps_step(struct cp_ctx *cp);

#endif /* CP_LI_TAPS_H */
