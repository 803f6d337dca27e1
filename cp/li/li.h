/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li: X1 of ETSI TS 103 221-1 in turnpike-cp (issue 70,
 * docs/design/li.md §2). An X1Request's body in, its X1Response out,
 * against the tables of tasks and destinations (li_types.h) kept in their
 * own SQLite file (li.db). Single-threaded: cp's loop owns it. Nothing here
 * logs a task, a target, a destination or an identifier.
 */
#ifndef CP_LI_H
#define CP_LI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "li_types.h"

/*
 * The tables of conf->store read back (the file made on first use: mode
 * 0600, PRAGMA application_id "TPL1", user_version 1; a file that is not
 * ours, or from a newer turnpike, or damaged, refused). The path is the
 * caller's to check first (cp_store_path_check()). NULL with errno
 * (EINVAL, EIO, EBUSY, EACCES, ENOMEM) and the reason in err; a row the
 * tables cannot hold (past CP_LI_TASKS_MAX, malformed) refuses the file
 * (EIO) rather than serve fewer tasks than were acknowledged; a file
 * holding CC-TF triggers with no cctf_id set, likewise (EINVAL: no party
 * could see or end them, docs/design/li.md §2.7).
 */
struct cp_li *cp_li_open(const struct cp_li_conf *conf, char *err, size_t errlen);
/* Close; NULL is a no-op. Tasks are wiped from memory. */
void cp_li_close(struct cp_li *li);

/* Requests validated against ETSI's schemas from now on (NULL: structure
 * only). The schema stays the caller's and must outlive its use. */
void cp_li_set_schema(struct cp_li *li, const struct x1_schema *schema);

/*
 * Answers the X1Request in body[0..len) (TS 103 221-1 §6) into
 * out[0..size): an X1Response, one response message per request message in
 * order (each applied before the next is read: two messages of one request
 * see each other's changes), or an X1TopLevelErrorResponse for a request
 * that cannot be read or that names another admfIdentifier or
 * neIdentifier in any message (nothing applied). now_us: µs since 1970
 * UTC (messageTimestamp, the tasks' times). Returns the response's length,
 * -ENOSPC (out too small: nothing to send; what was applied stays applied),
 * -ENOMEM.
 */
int cp_li_answer(struct cp_li *li, const char *body, size_t len, int64_t now_us, char *out,
		 size_t size);
/* The same, from the ADMF (cctf false: cp_li_answer()) or from the CC-TF
 * (li.x1.cctf_id: every message's admfIdentifier must be it, and it is
 * confined to its triggers, docs/design/li.md §2.7). */
int cp_li_answer_from(struct cp_li *li, bool cctf, const char *body, size_t len,
		      int64_t now_us, char *out, size_t size);
/* Whether t is a CC-TF's trigger (its one target an IMS_T3). */
bool cp_li_task_is_trigger(const struct cp_li_task *t);

/* The tables, for the matcher (slice 4) and the tests: by XID or DID, or
 * NULL. */
const struct cp_li_task *cp_li_task_find(const struct cp_li *li, const uint8_t xid[16]);
const struct cp_li_dest *cp_li_dest_find(const struct cp_li *li, const uint8_t did[16]);

/*
 * The matcher (li_match.c, docs/design/li.md §4): the task that targets
 * who (its client's address by any task's IPv4/IPv6 address or CIDR,
 * IPv4-mapped IPv6 addresses as IPv4 ones on both sides; its user by a
 * bare NAI "user", or "user@realm" when realm, without case, is who's
 * tenant's), the first in the table's order; NULL for none (or no memory
 * for the index, which is rebuilt, by hash, when the tables changed). The
 * result lives until the tables change.
 */
const struct cp_li_task *cp_li_match(struct cp_li *li, const struct cp_li_who *who);
/*
 * Whether any task targets a NAI (false without tasks): a caller skips
 * working out who's user (cp/auth's reading of a REST name, ~1,250
 * instructions an allocation, perf/RESULTS.md T48) when none does. Builds
 * the index when the tables changed, as cp_li_match() does.
 */
bool cp_li_has_nai(struct cp_li *li);
/*
 * The tap dp is given (lib/ipc ALLOC_TAP) for allocation alloc_id when
 * task t matches it: t's XID, its correlation ID (alloc_id when X1 gave
 * none), its destinations that take X3 (IPC_LI_DESTS at most). false
 * (out all zero: no tap) when t is NULL, X2Only, or none of its
 * destinations takes X3.
 */
struct ipc_alloc_tap;
bool cp_li_tap_of(const struct cp_li *li, const struct cp_li_task *t, uint64_t alloc_id,
		  struct ipc_alloc_tap *out);
/* The correlation ID (TS 103 221-2 §5.2.8) of session (cp's allocation
 * id) under task t: the task's when X1 gave one, else session. What the
 * session's X3 (cp_li_tap_of()) and X2 (cp/li/li_x2.c) both carry. */
uint64_t cp_li_correlation(const struct cp_li_task *t, uint64_t session);

/*
 * The matcher on an RTP context (li_match_rtp.c, docs/design/li.md §4):
 * the task whose IPv4/IPv6 address or CIDR target holds the remote of
 * one of its terminations term[0..2) (an empty slot: profile 0), signalled
 * (term[i].remote) or latched (st[i]'s rtp_src or rtcp_src as st[i].
 * latched says; st NULL: none yet), and in *target that termination (0
 * or 1: the target's, whose network's RTP is "from the target"). Term 0
 * is looked at first, then term 1; of several tasks the first in the
 * table's order. NAI targets never match a context (it has no user).
 * NULL (*target 0) for none.
 */
struct ipc_rtp_term;
struct ipc_rtp_stats;
const struct cp_li_task *cp_li_match_rtp(struct cp_li *li, const struct ipc_rtp_term *term,
					 const struct ipc_rtp_stats *st, unsigned int *target);
/*
 * dp's delivery figures (lib/ipc LI_STATUS, checked by ipc_msg_check()):
 * each task's counts added to the task of its XID (none: dropped), each
 * destination's state and counts to the figures of its address and TCP
 * port (li_status.c; docs/design/li.md §2.4). Nothing logged.
 */
struct ipc_li_status;
void cp_li_status_take(struct cp_li *li, const struct ipc_li_status *x);
/* The figures dp reported for a destination's address, or NULL (never
 * reported: no task used it since this cp started). */
const struct cp_li_dest_fig *cp_li_dest_fig(const struct cp_li *li, const struct x1_dest *d);

/*
 * The matcher on a TCP-leg context of the gateway (li_match_agw.c,
 * docs/design/li.md §4.2): the task whose IPv4/IPv6 address or CIDR
 * target holds the remote of one of its legs term[0..2) (an empty slot:
 * tcp_role 0), as its connection has it (seen[i], family 0 while not
 * known; seen NULL: none yet) or signalled (term[i].remote), and in
 * *target that leg (0 or 1: the target's, whose peer's bytes are "from
 * the target"). Both legs' seen remotes are looked at first, then the
 * signalled ones, leg 0 before leg 1; of several tasks the first in the
 * table's order. NAI targets never match a context. NULL (*target 0) for
 * none.
 */
struct ipc_agw_term;
struct ipc_addr;
const struct cp_li_task *cp_li_match_agw(struct cp_li *li, const struct ipc_agw_term *term,
					 const struct ipc_addr *seen, unsigned int *target);
/* The CC-TF's trigger (docs/design/li.md §2.7) that names gateway
 * context ctx (resolved from its H248ContextID at activation), the first
 * in the table's order, or NULL. */
const struct cp_li_task *cp_li_match_trigger(const struct cp_li *li, uint64_t ctx);
/*
 * A trigger lives as long as its one context (docs/design/li.md §2.7,
 * review H1 of §8): context ids come back (a restarted cp's cp/agw gives
 * its slots' generations from 0 again; a takeover's box holds the peer's),
 * so a trigger whose call ended without a DeactivateTask would tap a
 * stranger's later call of the same id. cp_li_trigger_release(): every
 * trigger naming ctx (the context released: cp/agw's RELEASED) disarmed;
 * cp_li_trigger_sweep(): every armed trigger whose context live(arg, ctx)
 * says is not among the contexts held (a started cp once dp gave them
 * back, cp->ready). Disarmed: its context's id 0, written to li.db (an
 * audit row "TriggerDisarmed" of the NE's), matching nothing from then on;
 * the CC-TF still sees it (GetTaskDetails: a fault) and deactivates it.
 * The count disarmed, or the first store failure's -errno (disarmed in
 * memory all the same: tapping a stranger is worse than a row left armed,
 * which the next start's sweep disarms). Logs nothing.
 */
int cp_li_trigger_release(struct cp_li *li, uint64_t ctx, int64_t now_us);
int cp_li_trigger_sweep(struct cp_li *li, bool (*live)(void *arg, uint64_t ctx), void *arg,
			int64_t now_us);
/*
 * As cp_li_match_rtp(), a BUNDLE member (term[i].bundle.role MEMBER: no
 * remote or latch of its own, its packets on its owner's transport)
 * looked at through its owner's termination: own_term[i] and own_st[i]
 * (the owner context's term and st of bundle.owner_term; NULL: the owner
 * is not known, the member matches nothing). The member's slot is the
 * target's when its owner's termination meets the target (review V3 of
 * li.md §8: a WebRTC target's video, a member, escaped). own_term and
 * own_st may be NULL where no slot is a member.
 */
const struct cp_li_task *cp_li_match_rtp_bundle(struct cp_li *li, const struct ipc_rtp_term *term,
						const struct ipc_rtp_stats *st,
						const struct ipc_rtp_term *const *own_term,
						const struct ipc_rtp_stats *const *own_st,
						unsigned int *target);
/* The matcher's index freed (wiped). */
void cp_li_index_free(struct cp_li *li);

#endif /* CP_LI_H */
