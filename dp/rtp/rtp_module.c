/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp as one of dp's modules (dp_module.h): with an agw group that has
 * media_ports, each worker's tables, the listener of every media port
 * (net's UDP demultiplexer: the port's worker by its share, the checksum
 * carried, any of dp's addresses), cp's kinds and SYNC; its counters for
 * cp (rtp_<name>, rtp_malformed_<reason>) and its statistics line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_net_crc.h>

#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_module.h"
#include "rtp_dp_private.h"
#include "rtp_srtp.h"
#include "steer.h"
#include "tp_conf.h"

static const struct rtp_srtp_ops *srtp_registered;
static const struct rtp_dtls_ops *dtls_registered;

int
rtp_srtp_register(const struct rtp_srtp_ops *ops)
{
	if (srtp_registered != NULL && srtp_registered != ops)
		return -EEXIST;
	srtp_registered = ops;
	return 0;
}

int
rtp_dtls_register(const struct rtp_dtls_ops *ops)
{
	if (dtls_registered != NULL && dtls_registered != ops)
		return -EEXIST;
	dtls_registered = ops;
	return 0;
}

static int
rtp_setup(struct dp_ctx *ctx)
{
	const struct tp_conf_agw *ac = &ctx->conf->agw;
	const struct rtp_worker *rw0;
	size_t per_ctx;
	int rc;

	if (!ac->enabled || ac->media_min == 0)
		return 0;
	if (dp_cp_on_kind(ctx, IPC_RTP_ADD, rtp_apply) < 0 ||
	    dp_cp_on_kind(ctx, IPC_RTP_MOD, rtp_apply) < 0 ||
	    dp_cp_on_kind(ctx, IPC_RTP_DEL, rtp_apply) < 0 ||
	    dp_cp_on_kind(ctx, IPC_RTP_STATS_REQ, rtp_apply) < 0 ||
	    dp_cp_on_kind(ctx, IPC_RTP_TAP, rtp_apply) < 0 ||
	    dp_cp_on_sync(ctx, rtp_sync_start, rtp_state_step) < 0) {
		tp_log(TP_LOG_ERR, "internal error: the RTP terminations' messages from cp\n");
		return -EINVAL;
	}
	/* SRTP: ours unless another was registered (ICE's HMAC-SHA1 too) */
	if (srtp_registered == NULL)
		srtp_registered = rtp_srtp_builtin();
	/* ICE's FINGERPRINT: the fastest CRC-32 this CPU has (turn's set-up
	 * chose it already when TURN is on) */
	if (!ctx->conf->turn.enabled)
		rte_net_crc_set_alg(RTE_NET_CRC_AVX512);
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		rc = rtp_worker_init(ctx->workers[i], srtp_registered);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "worker %u: no memory for %u RTP contexts "
			       "(agw.media_contexts, %zu bytes each)\n", i, ac->media_contexts,
			       sizeof(struct rtp_ctx) + sizeof(struct rtp_bundle) +
			       2u * rtp_srtp_entry_size());
			return rc;
		}
		ctx->workers[i]->rtp->dtls_ops = dtls_registered;
	}
	for (uint32_t p = ac->media_min; p <= ac->media_max; p++) {
		rc = dp_udp_register(ctx, (uint16_t)p, rtp_udp_input, NULL, NULL,
				     (uint16_t)steer_relay_owner(ac->media_min, ac->media_max,
								 ctx->nworkers, (uint16_t)p),
				     false);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "%s:%d: agw.media_ports: UDP port %u is taken: %s\n",
			       ctx->conf->path, ac->media_line, p, strerror(-rc));
			return rc;
		}
		dp_udp_set_flags(ctx, (uint16_t)p, DP_UDP_DEFER_CKSUM | DP_UDP_ANY_ADDR);
	}
	rw0 = ctx->workers[0]->rtp;
	per_ctx = sizeof(struct rtp_ctx) + sizeof(struct rtp_bundle) + 2u * sizeof(uint32_t) +
		  (srtp_registered != NULL ? 2u * rtp_srtp_entry_size() : 0u);
	printf("turnpike-dp: RTP terminations: %u contexts per worker (%zu bytes each with "
	       "their FIFO entries), media ports %u-%u on %u address(es), %u port(s) a "
	       "worker (%zu bytes of port table), re-latch after %" PRIu64 " ms of silence, "
	       "SRTP %s, ICE-lite %s (consent %" PRIu64 " ms), DTLS-SRTP %s\n", rw0->max, per_ctx,
	       ac->media_min, ac->media_max, rw0->naddr4 + rw0->naddr6, rw0->nports,
	       ((size_t)rw0->naddr4 + rw0->naddr6) * rw0->nports * sizeof(uint32_t),
	       rw0->relatch_ms, srtp_registered == NULL ? "not available" :
	       rtp_srtp_gcm() ? "on (AES_CM_128 and AES_256_CM with HMAC_SHA1_80/32, "
				"AEAD_AES_128/256_GCM, libipsec-mb)" :
	       "on (AES_CM_128 and AES_256_CM with HMAC_SHA1_80/32, libipsec-mb)",
	       srtp_registered != NULL && srtp_registered->mac != NULL ?
	       "on" : "not available", rw0->ice_consent_ms,
	       dtls_registered != NULL && srtp_registered != NULL ? "on" : "not available");
	return 1;
}

/* ---- counters ------------------------------------------------------------------ */

/* (each help one line cp shows: dp refuses to start with a longer one, so
 * the build refuses it first) */
#define RTP_CTR(n, s, h) _Static_assert(sizeof(h) <= DP_CTRS_HELP_LEN, "rtp_" s "'s help");
#include "rtp_counters.def"
#undef RTP_CTR
#define RTP_SRTP_E(e, name, what) \
	_Static_assert(sizeof(what) <= DP_CTRS_HELP_LEN, "rtp_srtp_" name "'s help");
#include "rtp_srtp_errors.def"
#undef RTP_SRTP_E
#define RTP_ICE_E(e, name, what) \
	_Static_assert(sizeof(what) <= DP_CTRS_HELP_LEN, "rtp_ice_refused_" name "'s help"); \
	_Static_assert(sizeof("rtp_ice_refused_" name) <= IPC_DP_NAME_LEN, \
		       "rtp_ice_refused_" name "'s name");
#include "rtp_ice_errors.def"
#undef RTP_ICE_E

static const struct dp_ctrs_desc rtp_desc[RTP_CTR__COUNT + 1] = {
#define RTP_CTR(n, s, h) [RTP_CTR_##n] = { s, DP_CTRS_COUNTER, h },
#include "rtp_counters.def"
#undef RTP_CTR
	[RTP_CTR__COUNT] = { "contexts", DP_CTRS_GAUGE, "RTP contexts on the worker now (a level)" },
};

static void
rtp_values(const struct dp_worker *w, uint64_t *out)
{
	const struct rtp_worker *rw = w->rtp;

	for (unsigned int k = 0; k < RTP_CTR__COUNT; k++)
		out[k] = rw != NULL ? rw->ctr[k] : 0;
	out[RTP_CTR__COUNT] = rw != NULL ? rw->nctx : 0;
}

const struct dp_ctrs_family rtp_dp_ctrs = {
	.name = "rtp", .prefix = "rtp_",
	.help = "The access gateway's RTP terminations (rtp_counters.def)",
	.desc = rtp_desc, .n = RTP_CTR__COUNT + 1, .values = rtp_values,
};

/* lib/rtp's refusals, by its names (rtp_errors.def); RTP_OK is none */
static const struct dp_ctrs_desc malformed_desc[RTP_E_COUNT] = {
#define RTP_ERR(e, name, what) [RTP_E_##e] = { name, DP_CTRS_COUNTER, what },
#include "rtp_errors.def"
#undef RTP_ERR
};

static void
malformed_values(const struct dp_worker *w, uint64_t *out)
{
	const struct rtp_worker *rw = w->rtp;

	for (unsigned int k = 1; k < RTP_E_COUNT; k++)
		out[k - 1] = rw != NULL ? rw->malformed[k] : 0;
}

const struct dp_ctrs_family rtp_dp_malformed_ctrs = {
	.name = "rtp_malformed", .prefix = "rtp_malformed_",
	.help = "RTP and RTCP on media ports refused by lib/rtp, by reason (rtp_errors.def)",
	.desc = malformed_desc + 1, .n = RTP_E_COUNT - 1, .values = malformed_values,
};

/* SRTP's refusals, by reason (rtp_srtp_errors.def) */
static const struct dp_ctrs_desc srtp_desc[RTP_SRTP_E_COUNT] = {
#define RTP_SRTP_E(e, name, what) [RTP_SRTP_E_##e] = { name, DP_CTRS_COUNTER, what },
#include "rtp_srtp_errors.def"
#undef RTP_SRTP_E
};

static void
srtp_values(const struct dp_worker *w, uint64_t *out)
{
	const struct rtp_worker *rw = w->rtp;

	for (unsigned int k = 1; k < RTP_SRTP_E_COUNT; k++)
		out[k - 1] = rw != NULL ? rw->srtp_err[k] : 0;
}

const struct dp_ctrs_family rtp_dp_srtp_ctrs = {
	.name = "rtp_srtp", .prefix = "rtp_srtp_",
	.help = "SRTP and SRTCP packets dropped on media ports, by reason (rtp_srtp_errors.def)",
	.desc = srtp_desc + 1, .n = RTP_SRTP_E_COUNT - 1, .values = srtp_values,
};

/* ICE's refusals, by reason (rtp_ice_errors.def) */
static const struct dp_ctrs_desc ice_desc[RTP_ICE_E_COUNT] = {
#define RTP_ICE_E(e, name, what) [RTP_ICE_E_##e] = { name, DP_CTRS_COUNTER, what },
#include "rtp_ice_errors.def"
#undef RTP_ICE_E
};

static void
ice_values(const struct dp_worker *w, uint64_t *out)
{
	const struct rtp_worker *rw = w->rtp;

	for (unsigned int k = 1; k < RTP_ICE_E_COUNT; k++)
		out[k - 1] = rw != NULL ? rw->ice_err[k] : 0;
}

const struct dp_ctrs_family rtp_dp_ice_ctrs = {
	.name = "rtp_ice_refused", .prefix = "rtp_ice_refused_",
	.help = "ICE connectivity checks refused on media ports, by reason (rtp_ice_errors.def)",
	.desc = ice_desc + 1, .n = RTP_ICE_E_COUNT - 1, .values = ice_values,
};

static const struct dp_ctrs_family *const rtp_families[] = {
	&rtp_dp_ctrs, &rtp_dp_malformed_ctrs, &rtp_dp_srtp_ctrs, &rtp_dp_ice_ctrs, NULL,
};

/* ---- statistics line -------------------------------------------------------------- */

static void
rtp_print(const struct dp_worker *w, FILE *out)
{
	const struct rtp_worker *rw = w->rtp;

	if (rw == NULL)
		return;
	fprintf(out, "rtp worker=%u contexts=%u capacity=%u ports=%u-%u addresses=%u "
		"events_waiting=%u", w->id, rw->nctx, rw->max, rw->port_lo, rw->port_hi,
		rw->naddr4 + rw->naddr6,
		(unsigned int)(rw->evq_head - rw->evq_tail) + ipc_backlog_count(&rw->out));
	for (unsigned int k = 0; k < RTP_CTR__COUNT; k++)
		fprintf(out, " %s=%" PRIu64, rtp_desc[k].name, rw->ctr[k]);
	for (unsigned int k = 1; k < RTP_E_COUNT; k++)
		fprintf(out, " malformed_%s=%" PRIu64, rtp_err_name((enum rtp_err)k),
			rw->malformed[k]);
	for (unsigned int k = 1; k < RTP_SRTP_E_COUNT; k++)
		fprintf(out, " srtp_%s=%" PRIu64, srtp_desc[k].name, rw->srtp_err[k]);
	for (unsigned int k = 1; k < RTP_ICE_E_COUNT; k++)
		fprintf(out, " ice_refused_%s=%" PRIu64, ice_desc[k].name, rw->ice_err[k]);
	fputc('\n', out);
}

const struct dp_module rtp_dp_module = {
	.name = "rtp",
	.setup = rtp_setup,
	.sweep = rtp_sweep,
	.ctrs = rtp_families,
	.print = rtp_print,
	.free = rtp_worker_free,
};
