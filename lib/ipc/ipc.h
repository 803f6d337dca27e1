/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp <-> cp contract: the segment and its rings.
 *
 * Rings are single producer, single consumer, lock-free (C11 acquire /
 * release on the indices), and never block: a full ring refuses the
 * message (-ENOBUFS) and counts it, and the producer decides what that
 * means (dp answers 500 to a request it cannot pass on; cp retries an
 * install on its next loop).
 */
#ifndef IPC_H
#define IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipc_types.h"

/*
 * Open the segment name ("/turnpike-demo"), creating it for nworkers when
 * it does not exist. nworkers 0 means "attach only, whatever the count"
 * (tests, tools).
 *
 * owner is the uid the segment must belong to: the user turnpike-cp runs
 * as (cp.user; without one, the euid dp and cp share). A segment this call
 * creates (O_CREAT | O_EXCL) is given mode 0600 and that owner (fchown,
 * which takes root when owner is not the caller's euid). An existing one
 * is used only when, seen through the open descriptor (no window between
 * check and use; shm_open follows no symbolic link), it is a regular file
 * with one name, owned by owner, with no group or other permission bit;
 * otherwise -EPERM: whoever made it could read the relay keys in it and
 * forge what dp and cp say. Then it must carry our magic and IPC_VERSION,
 * a worker count of 1..IPC_MAX_WORKERS and the size that count gives
 * (-EPROTO otherwise), and, when nworkers is not 0, that count (-EINVAL).
 *
 * Returns 0 or -errno; *created tells whether this call made it. On
 * failure s->err holds one line naming /dev/shm/<name>, what is wrong and
 * what to do, for the caller to print.
 */
int ipc_seg_open(struct ipc_seg *s, const char *name, unsigned int nworkers,
		 uid_t owner, bool *created);
/* Unmap (the segment stays). */
void ipc_seg_close(struct ipc_seg *s);
/* Remove the name (the last unmap frees the memory). */
int ipc_seg_unlink(const char *name);

/* The rings of worker w. */
static inline struct ipc_worker_rings *
ipc_worker(const struct ipc_seg *s, unsigned int w)
{
	return &s->shm->w[w];
}

/* Copy msg (header and body_len bytes of body) into the ring.
 * Returns 0, -ENOBUFS when full (counted in r->full), -EMSGSIZE when
 * body_len exceeds a message, or -EPROTO when the indices are
 * inconsistent (head - tail beyond IPC_RING_SLOTS: the consumer resets
 * the ring when it sees it). Producer side only. */
int ipc_ring_enqueue(struct ipc_ring *r, const struct ipc_msg *msg);
/*
 * Copy the oldest message out. Returns 1, or 0 when empty. Consumer side.
 * What the other process wrote is not trusted: slots are indexed with
 * IPC_RING_MASK, and
 *  - head more than IPC_RING_SLOTS ahead of tail (or behind it) is
 *    corruption: nothing is read, the ring is emptied (tail = head, what
 *    was in it cannot be told from garbage), r->corrupt counted, -EPROTO;
 *  - a slot whose body_len exceeds a message body is consumed unread,
 *    counted in r->corrupt, -EBADMSG.
 * Either way the next call carries on. A message returned (1) has
 * body_len within its body; its content is still the other side's word:
 * ipc_msg_check() it before use.
 */
int ipc_ring_dequeue(struct ipc_ring *r, struct ipc_msg *msg);
/*
 * ipc_ring_dequeue() in two steps, for a consumer whose death while it
 * handles a message must not lose it: ipc_ring_peek() copies the oldest
 * message out as ipc_ring_dequeue() does (same returns, a bad slot or a
 * corrupt ring consumed as there) but leaves it in the ring;
 * ipc_ring_release() then consumes it. A consumer killed between the two
 * leaves the message for the next one (cp's loop: dp's ALLOC_END and
 * STATS_FINAL, which dp keeps no other copy of, reach the next cp even
 * when a SIGKILL lands while one is being journaled). Release without a
 * peek of 1 before it consumes an unread message: the caller's fault.
 */
int ipc_ring_peek(struct ipc_ring *r, struct ipc_msg *msg);
void ipc_ring_release(struct ipc_ring *r);
/* Messages waiting (approximate from the other side); a corrupt ring
 * reads as full (IPC_RING_SLOTS). */
unsigned int ipc_ring_count(const struct ipc_ring *r);

/*
 * Is m, as a receiver dequeued it from a ring of direction dir, a message
 * the contract allows? Pure: reads m only, touches nothing. 0 or -EBADMSG.
 * Checked: the kind is known and travels in dir; worker < IPC_MAX_WORKERS;
 * body_len is what the kind carries:
 *   REQUEST, RESPONSE  one STUN message (RFC 8489 §5: 20-byte header, top
 *                      bits 0, magic cookie, length = body_len - 20, a
 *                      multiple of 4), a request (REQUEST) or anything
 *                      else (RESPONSE: a response, or an indication such as
 *                      RFC 6062's ConnectionAttempt);
 *   ALLOC_ADD          one struct ipc_alloc;
 *   STATE_ALLOC        one struct ipc_alloc, then whole struct ipc_binding;
 *   ALLOC_LIFE         8 (the new expiry);
 *   ALLOC_TAP          one struct ipc_alloc_tap: on with 1..IPC_LI_DESTS
 *                      destinations (family 4 or 6, a port; the rest 0),
 *                      or off with every field 0; padding 0;
 *   LI_X2              a struct ipc_li_x2 up to its payload and len bytes
 *                      of it (8..IPC_LI_X2_MAX), 1..IPC_LI_DESTS
 *                      destinations as ALLOC_TAP's, a direction 1..5,
 *                      nanoseconds under 10^9, an alloc_id;
 *   RTP_TAP            one struct ipc_rtp_tap: ALLOC_TAP's body as it
 *                      says, the target's termination 0 or 1 (0 off),
 *                      padding 0; an RTP context's id;
 *   AGW_TAP            one struct ipc_agw_tap: ALLOC_TAP's body as it
 *                      says, the target's leg 0 or 1 (0 off), padding 0;
 *                      an AGW context's id;
 *   ALLOC_MOVE         one struct ipc_tuple (RFC 8016: the allocation's
 *                      new client tuple), both tuples UDP;
 *   FWD_ADD            one struct ipc_fwd (an owner that is another worker,
 *                      padding 0), a UDP tuple without a DTLS session;
 *   FWD_DEL            nothing, the same tuple;
 *   PERM_*, CHAN_*     one struct ipc_binding;
 *   STATS              whole struct ipc_alloc_stats;
 *   ALLOC_END          one struct ipc_alloc_end: an allocation id, a tuple,
 *                      1 or 2 relayed addresses (two: one of each family),
 *                      a known reason, user_len <= IPC_USER_MAX;
 *   CONN_DOWN          one struct ipc_conn_event, a known reason, and a
 *                      tuple with a connection (transport 6, or 17 with
 *                      a DTLS session);
 *   TLS_TICKETS        one struct ipc_tls_tickets, nkeys 1..IPC_TLS_TICKET_KEYS;
 *   TLS_PSK_ADD        one struct ipc_tls_psk: id_len 1..IPC_TLS_PSK_ID_MAX,
 *                      key_len IPC_TLS_PSK_KEY_MIN..MAX, cipher 0x1301..0x1303;
 *   TLS_PSK_DEL        one struct ipc_tls_psk, id_len as ADD, key_len and
 *                      cipher 0;
 *   TLS_PSK_SYNC       one struct ipc_tls_psk_sync, phase BEGIN or END;
 *   AGW_ADD            one struct ipc_agw_ctx: each slot empty (every field
 *                      0) or a termination: its TCP role
 *                      known, TLS role known with 1..IPC_AGW_FP_MAX valid
 *                      fingerprints (none without TLS), local of family 4
 *                      or 6, a server's with a port and a remote of family
 *                      0 or local's, a client's remote of local's family
 *                      with a port;
 *   AGW_MOD            one struct ipc_agw_mod: a known op, leg 0 or 1, a
 *                      termination as AGW_ADD's (SUB_LEG: tcp_role 0);
 *   AGW_DEL            nothing;
 *   AGW_STATE          one struct ipc_agw_state: its context as AGW_ADD's,
 *                      leg states 0..2;
 *   AGW_EVENT          one struct ipc_agw_event: a known type and cause, a
 *                      leg 0 or 1 (RELEASED: or IPC_AGW_LEG_NONE), a
 *                      NUL-terminated detail of detail_len bytes;
 *                      AGW_*: alloc_id a context id of the ring's worker
 *                      (ipc_conn_worker() == worker, generation not 0);
 *   RTP_ADD            one struct ipc_rtp_ctx: each slot empty (every byte
 *                      0) or a termination: a known profile, mode and
 *                      flags, a latch policy <= IPC_RTP_LATCH_MAX and no
 *                      bit beside it but IPC_RTP_LATCH_SIGNALLED,
 *                      dscp <= 63, local of family 4 or 6 with a
 *                      port, an RTCP port with a pair (not the RTP port)
 *                      and none with rtcp-mux, a remote of family 0 (port
 *                      0) or local's, gm_addr of family 0 (prefix 0) or
 *                      local's with a prefix within its bits, gm's ports
 *                      lo <= hi, a burst with a policing rate; profile
 *                      SAVP or SAVPF: srtp_rx and srtp_tx valid keys (a
 *                      known suite, key_len exactly its, mki_len <= 4,
 *                      at most IPC_SRTP_SSRCS streams of different SSRCs,
 *                      ipc_types.h's rules), AVP or AVPF: both all zero;
 *                      ice all zero (mode off), or mode lite with our
 *                      ufrag (IPC_ICE_UFRAG_MIN..MAX) and pwd
 *                      (IPC_ICE_PWD_MIN..MAX), the peer's ufrag 0 or
 *                      within ufrag's bounds, each of ice-chars (RFC 8839
 *                      §5.4) and 0 past its length, every pad 0, a
 *                      nominated pair of family 0 (all zero) or local's
 *                      with a port;
 *                      dtls all zero (role none), or a role on a SAVP or
 *                      SAVPF termination with rtcp-mux: 1..IPC_RTP_DTLS_FP_MAX
 *                      valid fingerprints (0 with EITHER and only then),
 *                      zero past them, known profiles (not none) and
 *                      flags, pads 0; srtp_rx and srtp_tx valid with
 *                      IPC_RTP_DTLS_F_KEYS, all zero without;
 *                      bundle all zero (role none), or an OWNER or MEMBER
 *                      with rtcp-mux, a mid of 1..IPC_RTP_MID_MAX token
 *                      chars, 0..2 distinct SSRCs, 0 past each length and
 *                      in the pads; an OWNER names no owner; a MEMBER
 *                      another context of the ring's worker, term 0 or
 *                      1, no MID extension, and has no local address or
 *                      port, remote, ICE, DTLS, latching or gm, its
 *                      keys all zero or a key's suite and positions
 *                      with every key octet 0 (the owner's keys are the
 *                      group's);
 *   RTP_MOD            one struct ipc_rtp_mod: a known op, term 0 or 1, a
 *                      termination as RTP_ADD's but no nominated pair
 *                      (SUB_TERM: all zero);
 *   RTP_DEL            nothing;
 *   RTP_STATS_REQ      one struct ipc_rtp_stats_req;
 *   RTP_STATS          one struct ipc_rtp_stats_msg, found 0 or 1;
 *   RTP_STATE          one struct ipc_rtp_state: its context as RTP_ADD's;
 *   RTP_EVENT          one struct ipc_rtp_event: a known type, term 0 or 1
 *                      (RELEASED: IPC_RTP_TERM_NONE), a cause known,
 *                      LATCHED's, NOMINATED's and CONSENT_*'s addr of
 *                      family 4 or 6 with a port and rtcp 0 or 1, a
 *                      NUL-terminated detail of detail_len bytes;
 *                      in each statistics block latched <= 3, ice's bits
 *                      IPC_RTP_ICE_ON and _LOST only, its pad 0, the
 *                      latched sources of family 0, 4 or 6 and each SRTP
 *                      position's streams as a key's (ipc_types.h), its
 *                      SRTCP index < 2^31;
 *   RTP_DTLS           one struct ipc_rtp_dtls_ev: term 0 or 1, a known
 *                      state, a reason exactly when FAILED, role CLIENT or
 *                      SERVER (FAILED: or none), matched -1..1, valid keys
 *                      exactly when UP, a peer of family 0 (all zero), 4
 *                      or 6, the digest seen none or valid, cipher and
 *                      detail NUL-terminated with 0 after, pads 0;
 *                      RTP_*: alloc_id a context id of the ring's worker;
 *   DTLS_CERT          one struct ipc_dtls_cert on worker 0's ring:
 *                      1..IPC_AGW_FP_MAX valid fingerprints, zero after,
 *                      pads 0;
 *   TCP_CONNECT        one struct ipc_tcp_conn: cid not 0, peer 0, addr of
 *                      family 4 or 6 with a port; the allocation's tuple
 *                      (transport 6, a connection of the ring's worker);
 *   TCP_BIND           one struct ipc_tcp_conn, then resp_len bytes of one
 *                      STUN response; ok 0 or 1; peer a connection of the
 *                      ring's worker; a tuple of transport 6 whose conn_id
 *                      (any worker's) has a generation;
 *   TCP_CLOSE,
 *   TCP_NAME           one struct ipc_tcp_conn, peer of the ring's worker;
 *   TCP_EVENT          one struct ipc_tcp_event: a known type, addr of
 *                      family 4 or 6, cid 0 for INCOMING and not 0 for
 *                      CONNECTED, BOUND (with a data connection) and
 *                      FAILED (peer 0, a reason); GONE with a reason;
 *   TCP_STATE          as TCP_EVENT, of type CONNECTED, BOUND or INCOMING;
 *                      TCP_*: alloc_id not 0;
 *   ALLOC_DEL, STATE_DONE, SYNC, STATS_REQ  nothing;
 *   FENCE, FENCE_DONE  nothing (alloc_id: the fence's number, any);
 * the tuple of a message about a client (all but STATE_DONE, STATS, SYNC,
 * STATS_REQ, the FENCE kinds and the TLS_* kinds, which concern no
 * client): transport 17
 * with conn_id 0 or a DTLS session's id (slot bit IPC_CONN_SLOT_DTLS), or
 * 6 with a connection id, each of the ring's worker (ipc_conn_worker() ==
 * worker, generation not 0);
 * client and server of one family, 4 or 6;
 * an allocation's alloc_id is not 0; an ipc_alloc: nrelayed 1 or 2, each
 * relayed address of family 4 or 6 (a dual allocation one of each),
 * key_len <= IPC_KEY_MAX, user_len <= IPC_USER_MAX; a binding: peer of
 * family 4 or 6, channel 0 for a permission, 0x4000..0x7FFE for a channel
 * (RFC 8656 §12), either in STATE_ALLOC.
 * The accessors below are safe on a message that passed.
 */
int ipc_msg_check(const struct ipc_msg *m, enum ipc_dir dir);
/* Is c an RFC 8866 section 9 token-char (what ipc_rtp_bundle.mid is made
 * of: a=mid's identification-tag, RFC 5888 section 4)? For a sender that
 * says why before ipc_msg_check() would refuse. */
bool ipc_token_char(unsigned char c);

/* The octets of an SRTP suite's master key || salt (lib/sdp's enum
 * sdp_suite value: 30, 38, 46, 28, 44), 0 for one not known. */
unsigned int ipc_srtp_key_len(unsigned int suite);
/* The direction of a kind, 0 for an unknown one. */
enum ipc_dir ipc_kind_dir(uint16_t kind);

/* The allocation an ALLOC_ADD or STATE_ALLOC carries. */
static inline const struct ipc_alloc *
ipc_msg_alloc(const struct ipc_msg *m)
{
	return (const struct ipc_alloc *)(const void *)m->body;
}

/* Bindings m carries: those after a STATE_ALLOC's allocation, the one of
 * a PERM_* or CHAN_*, none for other kinds. */
static inline unsigned int
ipc_msg_nbindings(const struct ipc_msg *m)
{
	switch (m->h.kind) {
	case IPC_STATE_ALLOC:
		return m->h.body_len < sizeof(struct ipc_alloc) ? 0 :
		       (unsigned int)((m->h.body_len - sizeof(struct ipc_alloc)) /
				      sizeof(struct ipc_binding));
	case IPC_PERM_ADD:
	case IPC_PERM_DEL:
	case IPC_CHAN_ADD:
	case IPC_CHAN_DEL:
		return m->h.body_len >= sizeof(struct ipc_binding) ? 1u : 0u;
	default:
		return 0;
	}
}

/* Binding i (< ipc_msg_nbindings(m)). */
static inline const struct ipc_binding *
ipc_msg_binding(const struct ipc_msg *m, unsigned int i)
{
	size_t off = (m->h.kind == IPC_STATE_ALLOC ? sizeof(struct ipc_alloc) : 0) +
		     (size_t)i * sizeof(struct ipc_binding);

	return (const struct ipc_binding *)(const void *)(m->body + off);
}

/* Counters a STATS message carries, and entry i of them. */
static inline unsigned int
ipc_msg_nstats(const struct ipc_msg *m)
{
	return m->h.kind == IPC_STATS ?
	       (unsigned int)(m->h.body_len / sizeof(struct ipc_alloc_stats)) : 0;
}

static inline const struct ipc_alloc_stats *
ipc_msg_stats(const struct ipc_msg *m, unsigned int i)
{
	return (const struct ipc_alloc_stats *)(const void *)
	       (m->body + (size_t)i * sizeof(struct ipc_alloc_stats));
}

/* "request", "alloc_add", ...; "?" for an unknown kind. */
const char *ipc_kind_name(uint16_t kind);
/* "fin", "rst", ... (ipc_agw_causes.def); "?" for an unknown cause. */
const char *ipc_agw_cause_name(unsigned int cause);

/*
 * Readiness, one rule for dp, cp and the operator's tools. cp serves when
 * the cp that published ready is the newest one (cp_ready == cp_epoch)
 * and it beat within IPC_ALIVE_MS of now (CLOCK_MONOTONIC ms); dp runs when
 * dp_ready == dp_epoch and it beat as recently.
 */
bool ipc_cp_serving(const struct ipc_shm *shm, uint64_t now_ms);
bool ipc_dp_running(const struct ipc_shm *shm, uint64_t now_ms);
/* Publish (or, with ready false, withdraw) this process's readiness. */
void ipc_cp_set_ready(struct ipc_shm *shm, bool ready);
void ipc_dp_set_ready(struct ipc_shm *shm, bool ready);

/*
 * The pair's role for dp (struct ipc_ha). ipc_ha_set(): cp's write, in
 * the order that keeps a reader safe (a deadline before an ACTIVE role,
 * a passive role before a lowered deadline). ipc_ha_active(): whether dp
 * may answer and relay at now_ms (CLOCK_MONOTONIC): role ACTIVE and now
 * before fence_at_ms. ipc_ha_announce(): a new announce_gen.
 */
void ipc_ha_set(struct ipc_ha *ha, enum ipc_ha_role role, uint64_t token,
		uint64_t fence_at_ms);
bool ipc_ha_active(const struct ipc_ha *ha, uint64_t now_ms);
void ipc_ha_announce(struct ipc_ha *ha);

/*
 * cp's nonce block (struct ipc_nonce). ipc_nonce_publish() writes src for
 * epoch, the cp_epoch this cp made (cp, before ipc_cp_set_ready()): the
 * value its own increment returned, not one read back from the segment,
 * so that a block is never labelled with another process's epoch.
 * ipc_nonce_copy() takes a consistent copy of the block for epoch into
 * out: 0, or -EAGAIN (being written, or written for another epoch: try
 * again later) or -EPROTO (lengths or lifetime out of range: a corrupt
 * segment; nothing of it is used).
 */
void ipc_nonce_publish(struct ipc_shm *shm, const struct ipc_nonce *src,
		       uint64_t epoch);
int ipc_nonce_copy(const struct ipc_shm *shm, uint64_t epoch,
		   struct ipc_nonce *out);

/*
 * cp's doorbell. cp, with nothing to do, dozes for up to ms milliseconds
 * (ipc_cp_doze()): it says so in the segment, looks at every ring to cp
 * once more, and sleeps on the word (a futex) unless a message came
 * meanwhile. dp, having put a request in a ring to cp, rings
 * (ipc_cp_ring()): a system call only when cp dozes, once per doze
 * whichever worker rings. So a request that finds cp idle is taken at
 * once, not after the rest of a 2 ms sleep, and an idle cp costs no more
 * than it did. Neither side can make the other block: the doze has a
 * timeout, a ring is only a wake. Returns whether it woke cp.
 */
void ipc_cp_doze(const struct ipc_seg *s, unsigned int ms);
bool ipc_cp_ring(struct ipc_shm *shm);

/* Connection ids (ipc_types.h): worker | slot | generation, 0 for none. */
static inline uint64_t
ipc_conn_make(unsigned int worker, uint32_t slot, uint32_t gen)
{
	return (uint64_t)(worker & 0xffu) << IPC_CONN_WORKER_SHIFT |
	       (uint64_t)(slot & IPC_CONN_SLOT_MAX) << IPC_CONN_SLOT_SHIFT | gen;
}

static inline unsigned int
ipc_conn_worker(uint64_t id)
{
	return (unsigned int)(id >> IPC_CONN_WORKER_SHIFT);
}

static inline uint32_t
ipc_conn_slot(uint64_t id)
{
	return (uint32_t)(id >> IPC_CONN_SLOT_SHIFT) & IPC_CONN_SLOT_MAX;
}

static inline uint32_t
ipc_conn_gen(uint64_t id)
{
	return (uint32_t)id;
}

/*
 * Capabilities and shared settings (struct ipc_side). A process publishes
 * its side once its settings are known and before it says it is ready,
 * and clears it when it stops. ipc_peer_caps() is what the other side
 * published, or 0 while it does not run (cp: serving; dp: running): a kind
 * that needs a capability is sent only when this says the receiver has it.
 * ipc_sides_agree() compares the two when both are published: 0, or
 * -EINVAL with one line in err naming the setting and both values (the
 * relayed-port range steers peer traffic to the worker cp gave the port
 * to: a dp and a cp that read different ranges would install allocations
 * whose peers' datagrams go to a worker without them).
 */
void ipc_side_publish(struct ipc_side *side, uint64_t caps, uint16_t relay_min,
		      uint16_t relay_max, unsigned int nworkers);
void ipc_side_clear(struct ipc_side *side);
/* The side's agw.ports (0, 0: none), before ipc_side_publish(): the port
 * range of AGW server terminations, cut into worker shares as the relayed
 * ports are (lib/steer), so that cp and dp must read the same one. */
void ipc_side_set_agw(struct ipc_side *side, uint16_t agw_min, uint16_t agw_max);
/* The side's agw.media_ports (0, 0: none), before ipc_side_publish(): the
 * UDP ports of RTP terminations, cut into worker shares as the relayed
 * ports are, so that cp picks a context's ports where dp steers them. */
void ipc_side_set_media(struct ipc_side *side, uint16_t media_min, uint16_t media_max);
/* The side's tp_conf_tenants_sig(), before ipc_side_publish(): a client's
 * tenant is the address it reached, in dp (its realm, its nonces) and in
 * cp (its users, quotas, relayed addresses), so both must read the same. */
void ipc_side_set_tenants(struct ipc_side *side, uint32_t sig);
uint64_t ipc_peer_caps(const struct ipc_shm *shm, bool of_cp, uint64_t now_ms);
int ipc_sides_agree(const struct ipc_shm *shm, char *err, size_t errlen);

/*
 * The backlog of events to cp (struct ipc_backlog).
 * size: the memory for cap entries of bodies up to body_max bytes (with
 * tuples or not). setup: mem is that memory, cap a power of two >= 1;
 * -EINVAL for a cap that is not, or an entry over UINT16_MAX.
 * init: the connection events' backlog (struct ipc_event entries).
 * reserve: the zeroed body (len bytes) of the next event, to be filled in
 * place and then committed; NULL when full (counted in lost) or when len
 * is over body_max. push: reserve, copy, commit: 0, or -ENOBUFS (full,
 * counted in lost) or -EMSGSIZE (body over body_max).
 * flush: moves waiting events, oldest first, into r while r keeps more
 * than headroom free slots, each as a message of kind/alloc_id/tuple/body
 * from worker with the next *seq; returns how many it moved. What does
 * not fit waits for the next flush. drop: forgets what waits (a cp that
 * cannot take it); returns how many.
 */
size_t ipc_backlog_size(uint32_t cap, uint16_t body_max, bool tuple);
int ipc_backlog_setup(struct ipc_backlog *b, void *mem, uint32_t cap, uint16_t body_max,
		      bool tuple);
void ipc_backlog_init(struct ipc_backlog *b, struct ipc_event *ev, uint32_t cap);
void *ipc_backlog_reserve(struct ipc_backlog *b, uint16_t kind, uint64_t alloc_id,
			  const struct ipc_tuple *tuple, uint16_t len);
int ipc_backlog_push(struct ipc_backlog *b, uint16_t kind, uint64_t alloc_id,
		     const struct ipc_tuple *tuple, const void *body, uint16_t len);
unsigned int ipc_backlog_flush(struct ipc_backlog *b, struct ipc_ring *r,
			       unsigned int headroom, uint16_t worker, uint32_t *seq);

static inline unsigned int
ipc_backlog_count(const struct ipc_backlog *b)
{
	return b->head - b->tail;
}

static inline void
ipc_backlog_commit(struct ipc_backlog *b)
{
	b->head++;
	b->queued++;
}

static inline unsigned int
ipc_backlog_drop(struct ipc_backlog *b)
{
	unsigned int n = b->head - b->tail;

	b->tail = b->head;
	return n;
}

/* Milliseconds of CLOCK_REALTIME (wall times: REST usernames, logs) and
 * of CLOCK_MONOTONIC (every expiry time in messages, heartbeats). */
uint64_t ipc_realtime_ms(void);
uint64_t ipc_monotonic_ms(void);

#endif /* IPC_H */
