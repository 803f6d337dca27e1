/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of the dp->cp channel, types only: which module handles each
 * message kind dp sends, and what runs when dp restarts (cp_dp.h).
 */
#ifndef CP_DP_TYPES_H
#define CP_DP_TYPES_H

struct cp_ctx;
struct ipc_msg;

/* Every ipc kind is below this (cp_dp.c asserts it for each one). */
#define CP_DP_KINDS       64u
/* dp-restart hooks a cp may have: one per module that keeps dp state. */
#define CP_DP_RESTART_MAX 8u

/* A message of one kind from dp worker w, checked by ipc_msg_check()
 * (so its kind's accessors are safe on it). */
typedef void (*cp_dp_fn)(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
/* dp restarted (its epoch changed): what cp had installed there is gone. */
typedef void (*cp_dp_restart_fn)(struct cp_ctx *cp);

/* In struct cp_ctx; written at start-up only (each module's init), read
 * for every message. */
struct cp_dp {
	cp_dp_fn handler[CP_DP_KINDS];           /* NULL: no module takes it */
	cp_dp_restart_fn restart[CP_DP_RESTART_MAX];   /* run in this order */
	unsigned int nrestart;
};

#endif /* CP_DP_TYPES_H */
