/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of its link to dp. From dp: each module registers, from its
 * own init, the message kinds it handles and what it does when dp
 * restarts; cp's loop and cp_handle() (cp.h) know no module. A kind
 * nobody registered (agw's without an agw group) is dropped and counted
 * as ipc_unhandled. To dp: every message goes through cp_dp_send(), so
 * that the room rule, lib/ipc's check and the counters live in one place
 * (as dp's dp_cp_send(), dp/dp_cp.h).
 */
#ifndef CP_DP_H
#define CP_DP_H

#include <stdbool.h>
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
/*
 * Registration, not naming (issue 69, docs/design/ha.md §1.4): sent(arg)
 * hears every message cp_dp_send() put on a ring, before its body is
 * wiped (it may hold keys: a tap notes what changed, by kind and id, and
 * keeps no body); seen(arg) every message from dp after its module's
 * handler ran (none for a kind no module takes). Either may be NULL. One
 * tap at a time: 0, or -EBUSY while another holds it; both NULL takes it
 * back.
 */
int cp_dp_tap(struct cp_ctx *cp, cp_dp_tap_fn sent, cp_dp_tap_fn seen, void *arg);

/*
 * m to dp worker w (its ring to_dp; m->h.worker is set to w), leaving
 * headroom free slots: 0 for an answer to a client's request, which may
 * take the ring's last slot; CP_RING_HEADROOM for anything else. The
 * message is checked first as dp checks it (ipc_msg_check(IPC_CP2DP)):
 * what dp would refuse never goes. After the send, whatever happened, the
 * body (body_len bytes) is wiped: it may hold keys (SRTP, TLS tickets and
 * PSKs). Returns 0; -EINVAL when dp would refuse m or w is not one of the
 * segment's workers (a fault of cp's: logged, the first of each second,
 * and counted in cp->dp.refused, not among the operator's counters, which
 * a fault of cp's would only confuse); -ENOBUFS when
 * the ring has no room beyond headroom (not counted: the caller knows
 * whether that is a loss) or is full (counted ipc_full, once).
 */
int cp_dp_send(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m, unsigned int headroom);
/* Whether worker w's ring to dp takes n messages and keeps headroom free
 * slots after them: for a caller that must send several or none (a
 * reinstall's allocation with its bindings, a move's messages to two
 * workers). w must be one of the segment's workers. */
bool cp_dp_room(const struct cp_ctx *cp, unsigned int w, unsigned int n, unsigned int headroom);

#endif /* CP_DP_H */
