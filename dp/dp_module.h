/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's modules: what each part of turnpike-dp above the network layer
 * (the TCP stack's glue, TURN, TURN over TCP and TLS, TLS, sessions,
 * splice, the access gateway, RFC 6062's relay) tells the process about
 * itself, so that the root walks one list (dp_modules.c) for the
 * workers' creation, the set-up, the loop's periodic work, the counters
 * cp shows, the statistics and the stop, instead of naming every module
 * (as cp does with struct cp_module). The walker is here, in core: the
 * root gives the list; a module is reached only through its hooks.
 *
 * Every hook but name may be NULL. The list's order is the order of
 * creation and set-up (a module may use what the modules before it made),
 * of the counters cp shows and of the statistics' lines; the stop runs it
 * backwards.
 */
#ifndef DP_MODULE_H
#define DP_MODULE_H

#include <stdint.h>
#include <stdio.h>

#include "dp_types.h"

struct dp_ctrs_family;
struct ipc_dp_stats;
struct tp_conf;

struct dp_module {
	const char *name;
	/* --check: what the module can tell of the configuration without
	 * the EAL (files, keys, lists), as its start would. 0, or -errno
	 * after one clear error. */
	int (*check)(const struct tp_conf *conf);
	/* With each worker, as it is made (before the ports and the link to
	 * cp): the worker's own part that later set-ups use. 0 or -errno
	 * after one clear error. */
	int (*create)(struct dp_worker *w);
	/* Once the link to cp is open, before the ports start: the module's
	 * set-up for the process and each worker (it registers cp's kinds,
	 * its hand-off kind, its TCP application). -errno after one clear
	 * error; 0: the box does without it (its clock, sweep and flush are
	 * not called); > 0: it runs here. */
	int (*setup)(struct dp_ctx *ctx);
	/* After every module's set-up (what needs them all, once). */
	void (*ready)(struct dp_ctx *ctx);
	/* The ports are up too: the workers start next. */
	void (*start)(struct dp_ctx *ctx);
	/* On the worker's own thread, before its loop. 0 or -errno. */
	int (*thread_init)(struct dp_worker *w);
	/* The worker's clock moved (once a millisecond at most). */
	void (*clock)(struct dp_worker *w, uint64_t now_ms);
	/* Each pass while cp is linked, after a SYNC's step: the module's
	 * table sweeps; the work done (0: none). */
	unsigned int (*sweep)(struct dp_worker *w, uint64_t tsc);
	/* Each pass, before the transmit: what the pass gathered goes out. */
	void (*flush)(struct dp_worker *w);
	/* The counter families it publishes to cp (dp_ctrs.h), NULL-ended;
	 * the registry takes them in the list's order. */
	const struct dp_ctrs_family *const *ctrs;
	/* On the worker's tick: what of the worker's state cp's segment
	 * carries besides the counters (lib/ipc struct ipc_dp_stats). */
	void (*publish)(const struct dp_worker *w, struct ipc_dp_stats *st);
	/* The statistics (SIGUSR1, the exit): " key=value" pairs of the
	 * process's for the first line; a worker's stream lines (the
	 * connections' modules, worker by worker, together), then the
	 * tables' lines (module by module). Each prints nothing where the
	 * worker has none of the module. */
	void (*print_head)(const struct dp_ctx *ctx, FILE *out);
	void (*print_stream)(const struct dp_worker *w, FILE *out);
	void (*print)(const struct dp_worker *w, FILE *out);
	/* A reload (SIGHUP, cp's TLS_RELOAD; dp_reload.c's thread, off the
	 * workers): next is the file read again, whole; the module takes
	 * what it can change without a restart, all or nothing, and says
	 * what it did. 0 (taken, or nothing to take), or -errno after one
	 * clear error: nothing of it changed, the reload counts as failed. */
	int (*reload)(struct dp_ctx *ctx, struct tp_conf *next);
	/* Once a second on the reload's thread, between reloads (never
	 * beside one): what the module renews off the workers (a
	 * certificate it made that nears its end). now_s: the wall clock's
	 * seconds (a certificate's dates are the wall clock's). */
	void (*renew)(struct dp_ctx *ctx, int64_t now_s);
	/* The worker's end (what create and the set-up made of it). */
	void (*free)(struct dp_worker *w);
	/* The process's end, after the ports stopped. */
	void (*fini)(struct dp_ctx *ctx);
};

/* The modules of this dp, in order (the root's list; it outlives dp).
 * 0, or -E2BIG past DP_MODULES_MAX. */
int dp_modules_use(struct dp_ctx *ctx, const struct dp_module *const *list, unsigned int n);

/* Each module's check of conf, in order. 0 or the first -errno. */
int dp_modules_check(const struct dp_ctx *ctx, const struct tp_conf *conf);
/* Each module's create for w, in order. 0 or the first -errno. */
int dp_modules_create(struct dp_worker *w);
/* Each module's setup in order, then each one's ready; the clock,
 * sweep and flush of those that run here join the pass's lists. 0 or the
 * first -errno (said by the module). */
int dp_modules_setup(struct dp_ctx *ctx);
/* Each module's start, in order. */
void dp_modules_start(struct dp_ctx *ctx);
/* Each module's thread_init on w's thread. 0 or the first -errno. */
int dp_modules_thread_init(struct dp_worker *w);
/* The counter families, in the list's order (dp_ctrs_register()). 0 or
 * -errno with err naming the counter. */
int dp_modules_ctrs(const struct dp_ctx *ctx, char *err, size_t errlen);
void dp_modules_publish(const struct dp_worker *w, struct ipc_dp_stats *st);
/* The statistics' first line's pairs (print_head), then the modules'
 * lines (print_stream, print). */
void dp_modules_print_head(const struct dp_ctx *ctx, FILE *out);
void dp_modules_print(const struct dp_ctx *ctx, FILE *out);
/* Each module's reload, in order; the first -errno stops it. */
int dp_modules_reload(struct dp_ctx *ctx, struct tp_conf *next);
/* Each module's renew, in order (the reload's thread). */
void dp_modules_renew(struct dp_ctx *ctx, int64_t now_s);
/* Each module's free for w, last first. */
void dp_modules_free(struct dp_worker *w);
/* Each module's fini, last first. */
void dp_modules_fini(struct dp_ctx *ctx);

/* The pass's periodic work (dp_worker.c): inline, a branch each when no
 * module has any. */
static inline void
dp_modules_clock(struct dp_worker *w, uint64_t now_ms)
{
	const struct dp_mods *m = &w->ctx->mods;

	for (unsigned int i = 0; i < m->nclock; i++)
		m->clock[i](w, now_ms);
}

static inline unsigned int
dp_modules_sweep(struct dp_worker *w, uint64_t tsc)
{
	const struct dp_mods *m = &w->ctx->mods;
	unsigned int k = 0;

	for (unsigned int i = 0; i < m->nsweep; i++)
		k += m->sweep[i](w, tsc);
	return k;
}

static inline void
dp_modules_flush(struct dp_worker *w)
{
	const struct dp_mods *m = &w->ctx->mods;

	for (unsigned int i = 0; i < m->nflush; i++)
		m->flush[i](w);
}

#endif /* DP_MODULE_H */
