/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 6062's relay as one of dp's modules (dp_module.h): its peer
 * connections on every worker (TURN over TCP or TLS only: tcprelay_init()
 * decides), its counters and statistics line.
 */
#include <stdio.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "tcprelay.h"

static int
tcprelay_setup(struct dp_ctx *ctx)
{
	bool runs = false;

	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		int rc = tcprelay_init(ctx->workers[i]);

		if (rc < 0)
			return rc;
		runs |= ctx->workers[i]->tcprelay != NULL;
	}
	return runs ? 1 : 0;
}

static const struct dp_ctrs_family *const tcprelay_families[] = { &tcprelay_ctrs, NULL };

const struct dp_module tcprelay_module = {
	.name = "tcprelay",
	.setup = tcprelay_setup,
	.ctrs = tcprelay_families,
	.print_stream = tcprelay_stats,
};
