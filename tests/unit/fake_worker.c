/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A dp worker and its link to cp in heap memory (see fake_worker.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "ipc.h"
#include "fake_worker.h"

/* The link's pieces as attached: the test may take them from the worker
 * (a worker without a link) and they are still freed. */
static struct ipc_worker_rings *link_rings;
static struct ipc_shm *link_shm;

void *
fw_zalloc(size_t size)
{
	size_t sz = (size + 63u) & ~(size_t)63u;
	void *p = aligned_alloc(64, sz);

	assert_non_null(p);
	memset(p, 0, sz);
	return p;
}

struct dp_worker *
fw_worker_new(struct dp_ctx *ctx)
{
	struct dp_worker *w = fw_zalloc(sizeof(*w));

	w->ctx = ctx;
	return w;
}

void
fw_worker_free(struct dp_worker *w)
{
	free(w);
}

void
fw_link_attach(struct dp_worker *w)
{
	assert_null(link_rings);
	link_rings = fw_zalloc(sizeof(*link_rings));
	link_shm = fw_zalloc(sizeof(*link_shm));
	w->cp.rings = link_rings;
	w->ctx->ipc.shm = link_shm;
}

void
fw_link_detach(struct dp_worker *w)
{
	free(link_rings);
	free(link_shm);
	link_rings = NULL;
	link_shm = NULL;
	w->cp.rings = NULL;
	w->ctx->ipc.shm = NULL;
}
