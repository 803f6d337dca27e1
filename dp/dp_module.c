/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The walker of dp's modules (dp_module.h): the root gives the list
 * once, and every step of the process's life walks it here.
 */
#include <errno.h>
#include <stdio.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_module.h"

int
dp_modules_use(struct dp_ctx *ctx, const struct dp_module *const *list, unsigned int n)
{
	if (n > DP_MODULES_MAX)
		return -E2BIG;
	ctx->mods.list = list;
	ctx->mods.n = n;
	return 0;
}

int
dp_modules_check(const struct dp_ctx *ctx, const struct tp_conf *conf)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->check != NULL) {
			int rc = m->list[i]->check(conf);

			if (rc < 0)
				return rc;
		}
	return 0;
}

int
dp_modules_create(struct dp_worker *w)
{
	const struct dp_mods *m = &w->ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->create != NULL) {
			int rc = m->list[i]->create(w);

			if (rc < 0)
				return rc;
		}
	return 0;
}

int
dp_modules_setup(struct dp_ctx *ctx)
{
	struct dp_mods *m = &ctx->mods;

	for (unsigned int i = 0; i < m->n; i++) {
		const struct dp_module *d = m->list[i];
		int rc = d->setup != NULL ? d->setup(ctx) : 1;

		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		m->runs |= 1u << i;
		if (d->clock != NULL)
			m->clock[m->nclock++] = d->clock;
		if (d->sweep != NULL)
			m->sweep[m->nsweep++] = d->sweep;
		if (d->flush != NULL)
			m->flush[m->nflush++] = d->flush;
	}
	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->ready != NULL)
			m->list[i]->ready(ctx);
	return 0;
}

void
dp_modules_start(struct dp_ctx *ctx)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->start != NULL)
			m->list[i]->start(ctx);
}

int
dp_modules_thread_init(struct dp_worker *w)
{
	const struct dp_mods *m = &w->ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->thread_init != NULL) {
			int rc = m->list[i]->thread_init(w);

			if (rc < 0)
				return rc;
		}
	return 0;
}

int
dp_modules_ctrs(const struct dp_ctx *ctx, char *err, size_t errlen)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int i = 0; i < m->n; i++) {
		const struct dp_ctrs_family *const *f = m->list[i]->ctrs;

		for (; f != NULL && *f != NULL; f++) {
			int rc = dp_ctrs_register(*f, err, errlen);

			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

void
dp_modules_publish(const struct dp_worker *w, struct ipc_dp_stats *st)
{
	const struct dp_mods *m = &w->ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->publish != NULL)
			m->list[i]->publish(w, st);
}

void
dp_modules_print_head(const struct dp_ctx *ctx, FILE *out)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->print_head != NULL)
			m->list[i]->print_head(ctx, out);
}

void
dp_modules_print(const struct dp_ctx *ctx, FILE *out)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int wi = 0; wi < ctx->nworkers; wi++) {
		const struct dp_worker *w = ctx->workers[wi];

		if (w == NULL)
			continue;
		for (unsigned int i = 0; i < m->n; i++)
			if (m->list[i]->print_stream != NULL)
				m->list[i]->print_stream(w, out);
	}
	for (unsigned int i = 0; i < m->n; i++) {
		if (m->list[i]->print == NULL)
			continue;
		for (unsigned int wi = 0; wi < ctx->nworkers; wi++)
			if (ctx->workers[wi] != NULL)
				m->list[i]->print(ctx->workers[wi], out);
	}
}

int
dp_modules_reload(struct dp_ctx *ctx, struct tp_conf *next)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->reload != NULL) {
			int rc = m->list[i]->reload(ctx, next);

			if (rc < 0)
				return rc;
		}
	return 0;
}

void
dp_modules_renew(struct dp_ctx *ctx, int64_t now_s)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int i = 0; i < m->n; i++)
		if (m->list[i]->renew != NULL)
			m->list[i]->renew(ctx, now_s);
}

void
dp_modules_free(struct dp_worker *w)
{
	const struct dp_mods *m = &w->ctx->mods;

	for (unsigned int i = m->n; i > 0; i--)
		if (m->list[i - 1]->free != NULL)
			m->list[i - 1]->free(w);
}

void
dp_modules_fini(struct dp_ctx *ctx)
{
	const struct dp_mods *m = &ctx->mods;

	for (unsigned int i = m->n; i > 0; i--)
		if (m->list[i - 1]->fini != NULL)
			m->list[i - 1]->fini(ctx);
}
