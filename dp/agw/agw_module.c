/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The access gateway as one of dp's modules (dp_module.h): its contexts
 * on every worker (an agw group only), the server ports whose TCP
 * segments steer by their worker's share, its counters and statistics
 * lines. It lists the splice's ends by the splice's causes after its
 * legs' ends by the controller's, the order cp has always shown them in.
 */
#include <stdio.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "agw.h"
#include "splice.h"

static int
agw_setup(struct dp_ctx *ctx)
{
	const struct tp_conf_agw *ac = &ctx->conf->agw;
	int rc = 0;

	if (!ac->enabled)
		return 0;
	for (unsigned int i = 0; rc == 0 && i < ctx->nworkers; i++)
		rc = agw_init(ctx->workers[i]);
	if (rc < 0)
		return rc;
	ctx->agw_min = ac->port_min;
	ctx->agw_max = ac->port_max;
	printf("turnpike-dp: AGW contexts: %u per worker, server ports %u-%u, hold %u "
	       "bytes, setup within %u s, %u certificate(s) beside the tls group's%s\n",
	       ac->max_contexts, ctx->agw_min, ctx->agw_max, ac->hold_bytes,
	       ac->setup_timeout_s, ac->ncerts,
	       ctx->conf->tls.enabled ? "" : " (no tls group: plain legs only)");
	return 1;
}

static const struct dp_ctrs_family *const agw_families[] = {
	&splice_leg_end_ctrs, &splice_end_ctrs, &agw_ctrs, NULL,
};

const struct dp_module agw_module = {
	.name = "agw",
	.setup = agw_setup,
	.ctrs = agw_families,
	.print_stream = agw_stats,
};
