/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw's counters (agw_counters.def, and the contexts now) and the
 * legs' ends by AGW's cause, for cp (dp_ctrs.h: agw_<name>,
 * splice_leg_end_<cause>), and the worker's "agw" and "splice" lines of
 * dp's statistics.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agw_private.h"
#include "dp_ctrs.h"
#include "splice.h"

static const char *const agw_ctr_names[AGW_CTR__COUNT] = {
#define AGW_CTR(n, s, h) [AGW_CTR_##n] = s,
#include "agw_counters.def"
#undef AGW_CTR
};

static const struct dp_ctrs_desc agw_desc[AGW_CTR__COUNT + 1] = {
#define AGW_CTR(n, s, h) [AGW_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "agw_counters.def"
#undef AGW_CTR
	[AGW_CTR__COUNT] = { "contexts", DP_CTRS_GAUGE, "Contexts on the worker now (a level)" },
};

/* The splice's legs ended, by the controller's cause (the splice counts
 * them by its own). */
static void
agw_leg_ends(const struct agw_worker *a, uint64_t ends[IPC_AGW_CAUSE_MAX + 1])
{
	memset(ends, 0, (IPC_AGW_CAUSE_MAX + 1u) * sizeof(ends[0]));
	for (unsigned int k = 0; k < SPLICE_CAUSE__COUNT; k++)
		ends[agw_cause_of[k]] += a->splice.leg_end[k];
}

/* Published under the splice's name, as before the splice had causes of
 * its own: the names are AGW's causes (IPC_AGW_CAUSE_NONE ends no leg:
 * left out). */
static const struct dp_ctrs_desc leg_end_desc[IPC_AGW_CAUSE_MAX + 1] = {
#define IPC_AGW_CAUSE(e, v, s, h) [v] = { s, DP_CTRS_COUNTER, h },
#include "ipc_agw_causes.def"
#undef IPC_AGW_CAUSE
};

static void
leg_end_values(const struct dp_worker *w, uint64_t *out)
{
	uint64_t ends[IPC_AGW_CAUSE_MAX + 1] = { 0 };

	if (w->agw != NULL)
		agw_leg_ends(w->agw, ends);
	for (unsigned int k = 1; k <= IPC_AGW_CAUSE_MAX; k++)
		out[k - 1] = ends[k];
}

const struct dp_ctrs_family splice_leg_end_ctrs = {
	.name = "splice_leg_end", .prefix = "splice_leg_end_",
	.help = "The access gateway's legs ended, by cause (lib/ipc ipc_agw_causes.def)",
	.desc = leg_end_desc + 1, .n = IPC_AGW_CAUSE_MAX, .values = leg_end_values,
};

static void
agw_values(const struct dp_worker *w, uint64_t *out)
{
	const struct agw_worker *a = w->agw;

	for (unsigned int k = 0; k < AGW_CTR__COUNT; k++)
		out[k] = a != NULL ? a->ctr[k] : 0;
	out[AGW_CTR__COUNT] = a != NULL ? a->nctx : 0;
}

const struct dp_ctrs_family agw_ctrs = {
	.name = "agw", .prefix = "agw_",
	.help = "The access gateway's contexts and legs (agw_counters.def)",
	.desc = agw_desc, .n = AGW_CTR__COUNT + 1, .values = agw_values,
};

void
agw_stats(const struct dp_worker *w, FILE *out)
{
	const struct agw_worker *a = w->agw;
	uint64_t ends[IPC_AGW_CAUSE_MAX + 1];

	if (a == NULL)
		return;
	agw_leg_ends(a, ends);
	fprintf(out, "agw worker=%u contexts=%u ports=%u-%u events_waiting=%u", w->id, a->nctx,
		a->port_lo, a->port_hi, ipc_backlog_count(&a->ev));
	for (unsigned int k = 0; k < AGW_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, agw_ctr_names[k], a->ctr[k]);
	fputc('\n', out);
	fprintf(out, "splice worker=%u", w->id);
	for (unsigned int k = 0; k < SPLICE_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, splice_ctr_name(k), a->splice.ctr[k]);
	for (unsigned int k = 1; k <= IPC_AGW_CAUSE_MAX; k++)
		fprintf(out, " leg_end_%s=%" PRIu64, ipc_agw_cause_name(k), ends[k]);
	fputc('\n', out);
}
