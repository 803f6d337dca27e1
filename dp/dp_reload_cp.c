/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's reload (turnpikectl reload) reaches dp as TLS_RELOAD: the same as
 * SIGHUP, on dp's reload thread (file reads and parsing stay off the
 * worker). cp sends it to worker 0 only; another worker that got one
 * does nothing. Apart from dp_reload.c so that it is tested without the
 * thread.
 */
#include "dp.h"
#include "dp_root.h"
#include "dp_cp.h"
#include "ipc.h"

static void
reload_from_cp(struct dp_worker *w, const struct ipc_msg *msg)
{
	(void)msg;
	if (w->id == 0)
		dp_reload_signal();
}

int
dp_reload_cp_register(struct dp_ctx *ctx)
{
	return dp_cp_on_kind(ctx, IPC_TLS_RELOAD, reload_from_cp);
}
