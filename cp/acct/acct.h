/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/acct: usage records (FEATURE.md). The record's line (acct_record.c:
 * no cp state, unit-tested), the file it goes to (acct.c: opened for
 * appending, reopened on reload, its rotated copies pruned by retention),
 * and what it does as it hears cp/alloc's and cp/agw's sessions end.
 */
#ifndef CP_ACCT_H
#define CP_ACCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acct_types.h"
#include "agw/cp_agw.h"

struct cp_ctx;
struct cp_alloc_ev;
struct tp_conf_acct;

/*
 * A TURN allocation's usage as its stop record gives it, from dp's
 * counters c (IPC_ALLOC_STATS order) and an RFC 6062 one's peer
 * connections' bytes tb (from the client, to the peer, from the peer, to
 * the client): bytes and packets from the client and to it, at the
 * relayed payload's layer (dp's UDP relaying: the client's payloads to
 * the peer, the peers' to it; RFC 6062's data connections: read from the
 * client, written to it). out: bytes from, bytes to, packets from,
 * packets to. cp/li's X2 ENDED event says the same (cp/li/li_x2.c).
 */
static inline void
cp_acct_usage(const uint64_t *c, const uint64_t tb[4], uint64_t out[4])
{
	out[0] = c[3] + tb[0];
	out[1] = c[5] + tb[3];
	out[2] = c[2];
	out[3] = c[4];
}

/* The record's name for a reason ("expired"), "?" out of range. */
const char *cp_acct_reason_name(unsigned int reason);

/* r as one JSON line (with its '\n') into buf: its length, or -ENOSPC
 * when len is too short (nothing useful in buf then). */
int cp_acct_format(const struct cp_acct_rec *r, char *buf, size_t len);
/* *r, a stop record of RTP context c's end (e RELEASED) or of one of its
 * terminations (e SUBTRACTED) at end_ms, of tenant (its name); id left
 * for cp_acct_write(). owner: when a termination of c is a BUNDLE member
 * (RFC 9143), its owner's context (NULL: none, or gone): the leg's
 * transport (local, remote) and how it was secured are the owner
 * termination's, its figures its own. false: e makes no record (another
 * event). */
bool cp_acct_rtp_rec(struct cp_acct_rec *r, const struct cp_agw_ctx *c,
		     const struct cp_agw_ctx *owner, const struct ipc_rtp_event *e,
		     const char *tenant, uint64_t end_ms);

/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx",
 * from OpenSSL's CSPRNG: 0, or -EIO when it has no randomness. */
int cp_acct_uuid(char out[37]);

/* A stop record's id: a name-based UUID (RFC 9562 §5.5, version 5: SHA-1
 * in turnpike's namespace) of the box's identity and boot (ident), cp's
 * allocation id and its start (CLOCK_MONOTONIC ms, as dp keeps it): the
 * same for one allocation's end whichever cp writes it, so a consumer
 * drops a second copy by it; another after a reboot. */
void cp_acct_stop_id(const char *ident, uint64_t session, uint64_t created_ms, char out[37]);
/* The kernel's id of this boot (/proc/sys/kernel/random/boot_id, a UUID):
 * 0, or -errno ("" in out). */
int cp_acct_boot_id(char out[37]);
/* The identity for cp_acct_stop_id(): /etc/machine-id (else the host
 * name), the segment's name, cluster.box ("" without a cluster) and the
 * boot (cp_acct_boot_id()'s). */
void cp_acct_ident(char *out, size_t len, const char *boot, const char *ipc_name,
		   const char *box);

/* unix_ms as RFC 3339 UTC with milliseconds ("2026-11-27T16:52:23.123Z"). */
void cp_acct_rfc3339(uint64_t unix_ms, char out[32]);

/* The writer: made from the accounting group, its files to belong to
 * uid/gid (cp.user's, or whom cp runs as). The file and the spools are
 * opened; one that cannot be is logged and tried again as records come
 * (the service goes on). NULL with errno when out of memory, or when a
 * file is refused as unsafe (cp_acct_open(): err says which and why). */
struct cp_acct *cp_acct_create(const struct tp_conf_acct *c, uint32_t uid, uint32_t gid,
			       char *err, size_t errlen);
void cp_acct_free(struct cp_acct *acct);
/* r (a random id given here unless it has one) appended to the file: 0,
 * or -errno (logged once per failure streak, counted in write_errors and
 * records_lost). */
int cp_acct_write(struct cp_acct *acct, struct cp_acct_rec *r);
/* Close and open the file again (a reload: after logrotate moved it),
 * with c's settings: 0 or -errno (logged; records are tried again). */
int cp_acct_reopen(struct cp_acct *acct, const struct tp_conf_acct *c);
/* Remove the rotated copies of the file (FILE.* in its directory) older
 * than the retention, and the records at the start of the spools that
 * ended before it (counted in stats EXPIRED); the count of copies removed
 * (0 with retention 0). now: time(). */
unsigned int cp_acct_prune(struct cp_acct *acct, time_t now);

/* One of acct's files opened (acct_open.c) in its folder, never through a
 * link, as acct->uid's when cp is root: what is there must be a regular
 * file of acct->uid's with one link, writable by no one else (how
 * CP_ACCT_OPEN_DEV: or a character device of root's); what is not is
 * created (O_EXCL, 0640). CP_ACCT_OPEN_NEW: the name removed first, the
 * file created anew. flags: O_WRONLY or O_RDWR, O_APPEND. The fd, or
 * -errno; acct->why says why when refused as unsafe ("" otherwise). */
#define CP_ACCT_OPEN_DEV 1
#define CP_ACCT_OPEN_NEW 2
int cp_acct_open(struct cp_acct *acct, const char *path, int flags, int how);

/* The journal (acct_journal.c): SPOOL/usage.pending, every record that
 * waits for dp's last counters (a snapshot each time it changes), and a
 * mark once written. open: the file's records that no mark followed (a
 * killed cp's) become acct's pending ones, restored, due at due_ms; the
 * file then holds just those. 0 or -errno (logged; records go on without
 * it; acct->why set when it was refused as unsafe). put: p's snapshot appended. done: session's mark appended, the
 * file emptied when nothing waits, rewritten when it grew past a bound.
 * Failures are logged once per streak and counted (journal_errors). */
int cp_acct_journal_open(struct cp_acct *acct, const char *dir, uint64_t due_ms);
void cp_acct_journal_put(struct cp_acct *acct, const struct cp_acct_pending *p);
void cp_acct_journal_done(struct cp_acct *acct, uint64_t session);

/* ---- cp's hooks (acct_hooks.c; no-ops without the group) ---- */

/* cp/alloc's observer (cp_alloc_observe(), registered by the module's
 * setup): an allocation's end makes its record, which waits for dp's last
 * counters (FINAL, REPORT) and an RFC 6062 one's connections (TCP_GONE);
 * it answers ev's held part for the allocations it holds a record of. */
void cp_acct_alloc_event(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg);
/* A reload: the file reopened (logrotate moved it) with c's settings,
 * old rotated copies pruned: 0 or -errno (logged; records are tried
 * again as they come). */
int cp_acct_reload(struct cp_ctx *cp, const struct tp_conf_acct *c);
/* The wall clock (UTC ms) at monotonic time mono_ms. */
uint64_t cp_acct_wall_ms(uint64_t mono_ms, uint64_t now_mono_ms);

/* The module's (acct_module.c): the pending records whose time came (all:
 * every one), written; and the interim records of the allocations whose
 * age passed a multiple of the interval since last_ms. Counts written. */
unsigned int cp_acct_flush_due(struct cp_ctx *cp, bool all);
unsigned int cp_acct_interim_scan(struct cp_ctx *cp, uint64_t last_ms);
/* The Redis Stream (acct_stream.c): the spooled records XADDed in order
 * while Redis is up, a window at a time; the spool emptied once Redis
 * acknowledged all of it. The commands sent. */
unsigned int cp_acct_stream_step(struct cp_ctx *cp);

#endif /* CP_ACCT_H */
