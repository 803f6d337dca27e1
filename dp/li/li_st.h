/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp-li's delivery figures for cp (li_st.c; docs/design/li.md §2.4, §3.4):
 * per destination (its address and TCP port: the connection's state, the
 * PDUs delivered, dropped by why) and per task (its XID: X2 and X3 PDUs
 * delivered and lost, the newest copy's time), kept as what moved since
 * the last report. Once a second, when something moved, tp-li writes
 * them as lib/ipc LI_STATUS messages into its outbox (tp-li the only
 * producer), which worker 0 sends to cp (worker 0 the only producer of
 * its ring to cp, lib/ipc's single-producer rule). None of these figures
 * reaches a log, a counter or a metric (§2.6). tp-li's thread alone calls
 * these but li_st_drain() (worker 0) and li_st_resend() (any thread).
 */
#ifndef DP_LI_ST_H
#define DP_LI_ST_H

#include <stdint.h>

#include "li_dp_types.h"

/* The entry of destination a (found, else taken), or -1 when the table
 * is full (its figures then go to the totals only). */
int li_st_dest(struct li_ctx *lc, const struct ipc_addr *a);
/* Destination entry i's connection now in state (enum
 * ipc_li_conn_state), fault the failure's (enum ipc_li_fault) when
 * FAILED. i < 0: nothing. */
void li_st_state(struct li_ctx *lc, int i, uint8_t state, uint8_t fault);

/* What a PDU of type (LI_PDU_X2 or X3), of task xid, came to at
 * destination entry i (< 0: none): written whole, or lost (why: one of
 * LI_ST_DOWN, LI_ST_FULL, LI_ST_LOST). */
enum li_st_why { LI_ST_DOWN = 0, LI_ST_FULL = 1, LI_ST_LOST = 2 };
void li_st_delivered(struct li_ctx *lc, int i, uint16_t type, const uint8_t xid[16]);
void li_st_lost(struct li_ctx *lc, int i, uint16_t type, const uint8_t xid[16],
		enum li_st_why why);
/* Task xid's newest copy was made at us (µs since 1970). */
void li_st_seen(struct li_ctx *lc, const uint8_t xid[16], uint64_t us);

/* At most once a second (now: ms), when something moved: the report
 * into the outbox, when it has room for all of it (else the figures wait
 * for the next second, still adding up). Returns messages written. */
unsigned int li_st_tick(struct li_ctx *lc, uint64_t now);
/* A new cp: every destination's state told again at the next report. */
void li_st_resend(struct li_ctx *lc);
/* Worker 0: the outbox's next message into m (its body and length), or
 * 0 when empty; li_st_drained() once it was sent (the slot wiped). */
int li_st_peek(struct li_ctx *lc, struct ipc_msg *m);
void li_st_drained(struct li_ctx *lc);

#endif /* DP_LI_ST_H */
