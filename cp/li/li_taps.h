/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's taps on allocations (li_taps.c): the matcher met with cp/alloc's
 * allocations, dp told with ALLOC_TAP. For li_module.c.
 */
#ifndef CP_LI_TAPS_H
#define CP_LI_TAPS_H

struct cp_ctx;
struct cp_alloc;
struct cp_li_task;

/* Observe cp/alloc (cp->li open); a first pass is due, once cp is ready,
 * that tells every allocation its tap, "off" included (what an earlier
 * cp told dp is unknown). 0 or -errno. */
int cp_li_taps_open(struct cp_ctx *cp);
/* Stop observing; the records wiped. */
void cp_li_taps_close(struct cp_ctx *cp);
/* A loop turn's share of the pass (the tables changed, or a tap could
 * not be sent): allocations looked at. */
unsigned int cp_li_taps_step(struct cp_ctx *cp);
/* The task that targets allocation a now (cp_li_match() of its client's
 * address, its user and its tenant's realm), or NULL; it lives until the
 * tables change. The one decision the taps (X3) and li_x2.c's events
 * (X2) take. */
const struct cp_li_task *cp_li_alloc_task(struct cp_ctx *cp, const struct cp_alloc *a);

#endif /* CP_LI_TAPS_H */
