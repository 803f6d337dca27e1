/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's taps on the gateway's TCP-leg contexts (li_agw_taps.c, MSRP
 * after TLS): the matcher met with cp/agw's TCP contexts, dp told with
 * AGW_TAP. For li_module.c and the tests.
 */
#ifndef CP_LI_AGW_TAPS_H
#define CP_LI_AGW_TAPS_H

#include <stdint.h>

struct cp_ctx;
struct cp_agw_ctx;
struct cp_li_task;

/* Follow cp/agw's TCP contexts (cp->li open; nothing without an agw
 * group); a first pass is due. 0 or -errno. */
int cp_li_agw_taps_open(struct cp_ctx *cp);
/* Stop following; the records wiped. */
void cp_li_agw_taps_close(struct cp_ctx *cp);
/* A loop turn's share: the contexts cp/agw changed, then the pass (the
 * tables changed, or a restart). Contexts looked at. */
unsigned int cp_li_agw_taps_step(struct cp_ctx *cp);

/* The task that targets TCP context c now (li_match_agw.c), *leg the
 * target's leg; NULL none. The taps' decision, which the contexts' X2
 * (li_x2.c) takes too. */
const struct cp_li_task *cp_li_agw_task(struct cp_ctx *cp, const struct cp_agw_ctx *c,
					unsigned int *leg);

/* What was sent (for the tests; no task in it): AGW_TAPs sent, of them
 * "on", and sends the ring refused. */
struct cp_li_agw_taps_stats {
	uint64_t sent, sent_on, send_failed;
};
void cp_li_agw_taps_stats(const struct cp_ctx *cp, struct cp_li_agw_taps_stats *out);

#endif /* CP_LI_AGW_TAPS_H */
