/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The impairment stage: loss, duplication, reordering and delay per port
 * and direction, for fault tests on a kernel without netem (in the spirit
 * of VPP's nsim). Off unless the port's configuration enables it. Each
 * worker draws from its own xorshift generator seeded from the configured
 * seed, the worker and the port, so a run with the same traffic repeats.
 * Packets held for delay sit in a bounded FIFO (full: the packet is lost
 * and counted).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "../dp.h"

static inline uint64_t
rng_next(uint64_t *s)
{
	/* xorshift64* */
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* True with probability p (0..1). */
static inline bool
rng_chance(uint64_t *s, double p)
{
	if (p <= 0.0)
		return false;
	return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0) < p;
}

static struct dp_impair *
impair_new(const struct tp_conf_impair *cfg, unsigned int worker,
	   unsigned int port, unsigned int dir)
{
	struct dp_impair *im = rte_zmalloc("dp_impair", sizeof(*im),
					   RTE_CACHE_LINE_SIZE);

	if (im == NULL)
		return NULL;
	im->rng = cfg->seed * 0x9E3779B97F4A7C15ULL ^
		  ((uint64_t)worker << 32) ^ ((uint64_t)port << 8) ^ dir;
	if (im->rng == 0)
		im->rng = 0x853c49e6748fea9bULL;
	return im;
}

int
dp_impair_init(struct dp_worker *w)
{
	struct dp_ctx *ctx = w->ctx;

	for (unsigned int i = 0; i < ctx->nports; i++) {
		const struct tp_conf_impair *cfg = &ctx->ports[i].impair;

		if (!cfg->enabled)
			continue;
		if (cfg->dir & TP_IMPAIR_RX) {
			w->impair_rx[i] = impair_new(cfg, w->id, i, 1);
			if (w->impair_rx[i] == NULL)
				return -ENOMEM;
		}
		if (cfg->dir & TP_IMPAIR_TX) {
			w->impair_tx[i] = impair_new(cfg, w->id, i, 2);
			if (w->impair_tx[i] == NULL)
				return -ENOMEM;
		}
	}
	return 0;
}

static void
impair_drain(struct dp_impair *im)
{
	if (im == NULL)
		return;
	rte_pktmbuf_free(im->held);
	while (im->head != im->tail) {
		rte_pktmbuf_free(im->q[im->head % DP_IMPAIR_HOLD]);
		im->head++;
	}
	rte_free(im);
}

void
dp_impair_free(struct dp_worker *w)
{
	for (unsigned int i = 0; i < DP_MAX_PORTS; i++) {
		impair_drain(w->impair_rx[i]);
		impair_drain(w->impair_tx[i]);
		w->impair_rx[i] = w->impair_tx[i] = NULL;
	}
}

static void
impair_hold(struct dp_worker *w, struct dp_impair *im, struct rte_mbuf *m,
	    uint64_t due)
{
	if (im->tail - im->head >= DP_IMPAIR_HOLD) {
		dp_drop_pkt(w, m, DP_DROP_IMPAIR_LOSS);
		return;
	}
	im->q[im->tail % DP_IMPAIR_HOLD] = m;
	im->due[im->tail % DP_IMPAIR_HOLD] = due;
	im->tail++;
	w->ctr[DP_CTR_IMPAIR_DELAYED]++;
}

uint16_t
dp_impair_burst(struct dp_worker *w, struct dp_impair *im,
		const struct tp_conf_impair *cfg, struct rte_mbuf **pkts,
		uint16_t n, uint16_t cap, uint64_t now)
{
	struct rte_mbuf *in[DP_TX_BUF * 2];
	uint16_t nin = 0, out = 0;
	uint64_t hz = w->ctx->tsc_hz;

	/* Loss and duplication first, into a private array. */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (rng_chance(&im->rng, cfg->loss)) {
			dp_drop_pkt(w, m, DP_DROP_IMPAIR_LOSS);
			continue;
		}
		if (nin < RTE_DIM(in))
			in[nin++] = m;
		else
			dp_drop_pkt(w, m, DP_DROP_IMPAIR_LOSS);
		if (rng_chance(&im->rng, cfg->dup) && nin < RTE_DIM(in)) {
			/* A full copy: handlers rewrite packets in place. */
			struct rte_mbuf *c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);

			if (c != NULL) {
				in[nin++] = c;
				w->ctr[DP_CTR_IMPAIR_DUP]++;
			}
		}
	}
	for (uint16_t i = 0; i < nin; i++) {
		struct rte_mbuf *m = in[i];

		if (cfg->delay_us > 0) {
			uint64_t us = cfg->delay_us;

			if (cfg->jitter_us > 0)
				us += rng_next(&im->rng) % (cfg->jitter_us + 1u);
			impair_hold(w, im, m, now + us * hz / 1000000u);
			continue;
		}
		/* Reorder: hold this one back and let the next overtake it. */
		if (im->held == NULL && rng_chance(&im->rng, cfg->reorder)) {
			im->held = m;
			im->held_due = now + hz / 1000u;
			w->ctr[DP_CTR_IMPAIR_REORDER]++;
			continue;
		}
		if (out < cap)
			pkts[out++] = m;
		else
			dp_drop_pkt(w, m, DP_DROP_IMPAIR_LOSS);
		if (im->held != NULL) {
			if (out < cap)
				pkts[out++] = im->held;
			else
				dp_drop_pkt(w, im->held, DP_DROP_IMPAIR_LOSS);
			im->held = NULL;
		}
	}
	return out;
}

uint16_t
dp_impair_release(struct dp_worker *w, struct dp_impair *im,
		  struct rte_mbuf **pkts, uint16_t cap, uint64_t now)
{
	uint16_t n = 0;

	(void)w;
	while (n < cap && im->head != im->tail &&
	       im->due[im->head % DP_IMPAIR_HOLD] <= now) {
		pkts[n++] = im->q[im->head % DP_IMPAIR_HOLD];
		im->head++;
	}
	/* A reordered packet waits for the next one, or 1 ms at most. */
	if (n < cap && im->held != NULL && im->held_due <= now) {
		pkts[n++] = im->held;
		im->held = NULL;
	}
	return n;
}
