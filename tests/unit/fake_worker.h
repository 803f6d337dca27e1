/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A dp worker and its link to cp in heap memory, without the EAL, for the
 * unit tests that drive dp_cp.c and what is behind it (dp_cp, turn_cp,
 * turn_sweep) and for the fake transport's worker (fake_xprt.c).
 *
 * The worker is zeroed (id 0, no module's state) and on the test's
 * context. Its link is lib/ipc's real rings (w->cp.rings) and cp's
 * segment header (ctx->ipc.shm), both zeroed: cp has never started, so it
 * does not serve until the test writes the header. Each piece is its own
 * cache-aligned heap block, as dp's are, so that ASan sees an overrun of
 * any one of them.
 */
#ifndef FAKE_WORKER_H
#define FAKE_WORKER_H

#include <stddef.h>

#include "dp.h"

/* size bytes (rounded up to a cache line), 64-aligned and zeroed; the
 * test fails when there is no memory. free() it. */
void *fw_zalloc(size_t size);

/* A worker on ctx, without a link to cp. */
struct dp_worker *fw_worker_new(struct dp_ctx *ctx);
void fw_worker_free(struct dp_worker *w);

/* w's link to cp: its rings and ctx's segment header, zeroed. One link at
 * a time. fw_link_detach() frees both even where the test has taken them
 * from the worker or the context (a worker without a link), and clears
 * both pointers. */
void fw_link_attach(struct dp_worker *w);
void fw_link_detach(struct dp_worker *w);

#endif /* FAKE_WORKER_H */
