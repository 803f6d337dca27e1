/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of the link to dp, types only: which module handles each
 * message kind dp sends, what runs when dp restarts, and the rule every
 * message cp sends keeps (cp_dp.h).
 */
#ifndef CP_DP_TYPES_H
#define CP_DP_TYPES_H

#include <stdint.h>

struct cp_ctx;
struct ipc_msg;

/* Every ipc kind is below this (cp_dp.c asserts it for each one). */
#define CP_DP_KINDS       64u
/* dp-restart hooks a cp may have: one per module that keeps dp state. */
#define CP_DP_RESTART_MAX 8u

/* Free slots of a ring to dp that only answers to clients' requests may
 * take: what else goes to dp (a restarted dp's reinstall, the gateway's
 * contexts, TLS keys) stops short of them, so that a burst of it never
 * leaves a client's answer without room (cp_dp_send()). */
#define CP_RING_HEADROOM  128u

/* A message of one kind from dp worker w, checked by ipc_msg_check()
 * (so its kind's accessors are safe on it). */
typedef void (*cp_dp_fn)(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
/* dp restarted (its epoch changed): what cp had installed there is gone. */
typedef void (*cp_dp_restart_fn)(struct cp_ctx *cp);

/* The shape of cp_dp_send(), for a part of cp tested without a cp
 * (cp/tls): m to worker w's ring while headroom free slots stay, its body
 * wiped after. 0, -EINVAL (dp would refuse it), -ENOBUFS (no room). */
typedef int (*cp_dp_send_fn)(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m,
			     unsigned int headroom);

/* A tap on the link (cp_dp_tap()): a message m that went to, or came
 * from and was handled for, dp worker w. */
typedef void (*cp_dp_tap_fn)(struct cp_ctx *cp, void *arg, unsigned int w,
			     const struct ipc_msg *m);

/* In struct cp_ctx; handler and restart written at start-up only (each
 * module's init), read for every message. */
struct cp_dp {
	cp_dp_fn handler[CP_DP_KINDS];           /* NULL: no module takes it */
	cp_dp_restart_fn restart[CP_DP_RESTART_MAX];   /* run in this order */
	unsigned int nrestart;
	/* the one tap (cp/ha's: what changed, to mirror), NULL: none */
	cp_dp_tap_fn sent, seen;
	void *tap_arg;
	/* messages cp_dp_send() refused before they left (cp's own faults:
	 * logged, not among the operator's counters), and when it last said so */
	uint64_t refused;
	uint64_t refused_said_ms;
};

#endif /* CP_DP_TYPES_H */
