/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's transactions (H.248.1 §8.2 and Annex D.1): what the media
 * gateway remembers of the requests it received and of those it sent, so
 * that over UDP
 *  - a repeated request is never executed twice: while it executes the
 *    repeat is answered TransactionPending, once replied the same reply
 *    is sent again, for LONG-TIMER after the reply or until the
 *    controller's ResponseAck;
 *  - our own requests (ServiceChange, Notify) are sent again on a timer
 *    that doubles up to a ceiling, until a reply comes or they give up;
 *    a TransactionPending from the controller stretches the wait.
 * Over TCP nothing is lost or repeated by the transport, and the same
 * memory answers a controller that repeats itself anyway.
 *
 * Pure: no socket, no clock of its own (every call takes now_ms), no
 * knowledge of the text encoding. A peer is an index into the configured
 * controllers (iq.mgc): only they are answered, so the tables cannot be
 * filled from a forged address outside that list.
 */
#ifndef CP_IQ_TRANS_H
#define CP_IQ_TRANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* H.248.1 Annex D.1.2: a reply is kept for LONG-TIMER, the longest a
 * controller may go on repeating its request. */
#define IQ_LONG_TIMER_MS      30000u
/* Our requests: the first repeat after this, doubling up to the ceiling,
 * given up after give_up_ms (IQ_OUT_GIVE_UP_MS unless set: the
 * controller is then unreachable, the association's business). */
#define IQ_OUT_FIRST_MS       500u
#define IQ_OUT_CEIL_MS        4000u
#define IQ_OUT_GIVE_UP_MS     30000u
#define IQ_OUT_PENDING_LIMIT  4u      /* Pendings that extend one request of ours */
#define IQ_ACK_NARROW         64u     /* an acked range this narrow: by the hash */

/* What iq_in_seen() says of a request's transaction id. */
enum iq_in_state {
	IQ_IN_NEW = 0,      /* not seen: execute it (iq_in_begin()) */
	IQ_IN_EXECUTING,    /* a repeat of one still executing: answer Pending */
	IQ_IN_REPLIED,      /* a repeat of one replied: send *reply again */
};

struct iq_in;    /* one remembered request */
struct iq_out;   /* one request of ours in flight */

struct iq_trans_stats {
	uint64_t in_new, in_repeat_pending, in_repeat_replied;
	uint64_t in_evicted;          /* forgotten early: the table was full */
	uint64_t in_acked;            /* replies freed by a ResponseAck */
	uint64_t out_sent, out_resent, out_replied, out_gave_up, out_pending;
};

struct iq_trans {
	/* requests received, a ring in arrival order (the oldest expire or
	 * are evicted first) and a hash of (peer, tid) into it */
	struct iq_in *in;
	uint32_t in_cap, in_head, in_n;
	uint32_t *in_hash;            /* in_cap * 2 slots: ring index + 1, 0 empty */
	uint8_t hash_key[16];         /* its SipHash key, from getrandom() */
	uint32_t hash_mask;
	/* our requests in flight */
	struct iq_out *out;
	uint32_t out_cap, out_n;
	uint32_t next_tid;            /* ours: 1..2^32-1, wrapping over 0 */
	uint32_t give_up_ms;          /* ours given up this long after sent or Pending */
	struct iq_trans_stats st;
};

/* Room for cap received requests (a power of two, >= 16) and out_cap of
 * ours in flight, the hash keyed at random. 0, -ENOMEM or -EIO (no
 * randomness). */
int iq_trans_init(struct iq_trans *t, uint32_t cap, uint32_t out_cap);
void iq_trans_fini(struct iq_trans *t);

/* A request from controller peer with transaction id tid (never 0): what
 * is known of it; IQ_IN_REPLIED sets *reply, *len to the stored reply
 * (NULL, 0 once acked: send nothing). */
enum iq_in_state iq_in_seen(struct iq_trans *t, unsigned int peer, uint32_t tid,
			    uint64_t now_ms, const uint8_t **reply, size_t *len);
/* It is new and its execution starts now. 0, or -EEXIST (already known). */
int iq_in_begin(struct iq_trans *t, unsigned int peer, uint32_t tid, uint64_t now_ms);
/* Its reply, as sent: kept (a copy) for repeats until LONG-TIMER or the
 * ack. 0, -ENOENT (not begun or forgotten), -ENOMEM (the reply is not
 * kept: a repeat is not run again and gets no answer, as after an ack). */
int iq_in_reply(struct iq_trans *t, unsigned int peer, uint32_t tid, const uint8_t *reply,
		size_t len, uint64_t now_ms);
/* The controller's ResponseAck for [first, last]: those replies go. The
 * ids stay known as replied-and-acked until LONG-TIMER, so that a very
 * late repeat is not executed again: it gets nothing (the controller has
 * already acknowledged the reply). Returns how many it freed. */
unsigned int iq_in_ack(struct iq_trans *t, unsigned int peer, uint32_t first, uint32_t last);
/* Forget what is older than LONG-TIMER. */
void iq_in_expire(struct iq_trans *t, uint64_t now_ms);

/* The next id for a request of ours. */
uint32_t iq_out_tid(struct iq_trans *t);
/* Our request tid to peer, its bytes (copied) to be repeated until a
 * reply; cookie is the caller's (what the request was, for the reply).
 * 0, -ENOSPC (too many in flight), -ENOMEM. */
int iq_out_add(struct iq_trans *t, unsigned int peer, uint32_t tid, const uint8_t *msg,
	       size_t len, uint64_t cookie, uint64_t now_ms);
/* A reply (final) for tid from peer: it leaves the table. true and
 * *cookie when it was ours in flight; false for an unknown or repeated
 * reply. */
bool iq_out_reply(struct iq_trans *t, unsigned int peer, uint32_t tid, uint64_t *cookie);
/* A TransactionPending for tid: no repeats for a while, and the give-up
 * time moves on. false when unknown. */
bool iq_out_pending(struct iq_trans *t, unsigned int peer, uint32_t tid, uint64_t now_ms);
/*
 * What is due at now_ms: each request to send again is given to resend
 * (its peer, bytes); each that gave up to gave_up (its peer, tid,
 * cookie), after which it is gone. Returns the ms until the next due
 * time (UINT32_MAX: nothing in flight).
 */
uint32_t iq_out_due(struct iq_trans *t, uint64_t now_ms,
		    void (*resend)(void *arg, unsigned int peer, const uint8_t *msg, size_t len),
		    void (*gave_up)(void *arg, unsigned int peer, uint32_t tid, uint64_t cookie),
		    void *arg);
/* Drop every request of ours to peer (its association is gone): each
 * goes to gave_up as above. */
void iq_out_drop_peer(struct iq_trans *t, unsigned int peer,
		      void (*gave_up)(void *arg, unsigned int peer, uint32_t tid,
				      uint64_t cookie),
		      void *arg);

#endif /* CP_IQ_TRANS_H */
