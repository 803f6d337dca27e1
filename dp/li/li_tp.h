/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp-li (li_tp.c), inside dp/li: start and stop the delivery thread.
 */
#ifndef DP_LI_TP_H
#define DP_LI_TP_H

#include "li_dp_types.h"

/* Whether the x2x3 pair and CA load (dp --check): 0 or -EINVAL after one
 * log line naming the file. */
int li_tp_check(const char *cert, const char *key, const char *ca);
/* tp-li started over ctx's workers' rings with the x2x3 pair and CA. 0,
 * or -errno after one log line. */
int li_tp_start(struct li_ctx *lc, struct dp_ctx *ctx, const char *cert, const char *key,
		const char *ca);
/* Stopped (joined), its connections closed and their backlogs wiped. */
void li_tp_stop(struct li_ctx *lc);

#endif /* DP_LI_TP_H */
