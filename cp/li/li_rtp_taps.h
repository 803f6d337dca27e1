/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's taps on the gateway's RTP contexts (li_rtp_taps.c): the
 * matcher met with cp/agw's contexts, dp told with RTP_TAP. For
 * li_module.c.
 */
#ifndef CP_LI_RTP_TAPS_H
#define CP_LI_RTP_TAPS_H

struct cp_ctx;
struct cp_agw_ctx;
struct cp_li_task;

/* Follow cp/agw's RTP contexts (cp->li open; nothing without RTP
 * contexts); a first pass is due. 0 or -errno. */
int cp_li_rtp_taps_open(struct cp_ctx *cp);
/* Stop following; the records wiped. */
void cp_li_rtp_taps_close(struct cp_ctx *cp);
/* A loop turn's share: the contexts cp/agw changed, then the pass (the
 * tables changed, or a restart). Contexts looked at. */
unsigned int cp_li_rtp_taps_step(struct cp_ctx *cp);

/* The task that targets context c now, and the target's termination in
 * *term: cp_li_match_rtp_bundle() (the ADMF's address targets; a BUNDLE
 * member through its owner's termination, the owner looked up in cp/agw's
 * table), else a CC-TF's trigger naming c when c is the Iq door's and
 * iq.tenant's (cp_li_match_trigger(), termination 0), or NULL (review M1,
 * H1 of docs/design/li.md §8: one tap a context, the ADMF's first). The
 * one decision the taps and the context's X2 (li_x2.c) both take. */
const struct cp_li_task *cp_li_rtp_task(struct cp_ctx *cp, const struct cp_agw_ctx *c,
					unsigned int *term);

#endif /* CP_LI_RTP_TAPS_H */
