/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of the dp->cp channel: each module registers, from its own
 * init, the message kinds it handles and what it does when dp restarts;
 * cp's loop and cp_handle() (cp.h) know no module. A kind nobody
 * registered (agw's without an agw group) is dropped and counted as
 * ipc_unhandled.
 */
#ifndef CP_DP_H
#define CP_DP_H

#include <stdint.h>

#include "cp_dp_types.h"

/* fn handles kind from now on (a STATE_DONE after cp_dp's own look at
 * it). 0; -EINVAL if kind is not one dp sends (ipc_kind_dir() is not
 * DP2CP) or fn is NULL; -EEXIST if a handler has
 * it already. */
int cp_dp_on_kind(struct cp_ctx *cp, uint16_t kind, cp_dp_fn fn);
/* fn runs when dp restarts, after those registered before it. 0;
 * -EINVAL for a NULL fn; -ENOSPC past CP_DP_RESTART_MAX. */
int cp_dp_on_dp_restart(struct cp_ctx *cp, cp_dp_restart_fn fn);
/* dp restarted: every hook, in registration order. */
void cp_dp_restarted(struct cp_ctx *cp);

#endif /* CP_DP_H */
