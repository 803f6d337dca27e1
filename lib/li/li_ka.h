/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li: the timers of one X2/X3 delivery connection and what its
 * mediation function (MF) may send back (docs/design/li.md §3.3, §3.4;
 * issue 70 slice 8). Pure: no clock, no socket, no allocation; the caller
 * (dp's tp-li) gives the time in milliseconds of any monotonic clock and
 * the bytes it read, and does what the answer says. So the schedule and
 * the reader are unit-tested and fuzzed apart from TLS.
 *
 * - Keepalives (ETSI TS 103 221-2 §6.2.4): with an interval, one is sent
 *   an interval after the connection is up and then an interval after
 *   the previous one was acknowledged; one at most waits for its
 *   acknowledgement (type 4, the same sequence number), which is due
 *   within two intervals of its sending, else a delivery fault.
 * - Deadlines: a connection not up (TCP and TLS) within the timeout, or
 *   holding queued bytes of which none was written for the timeout, is a
 *   fault.
 * - The MF's input: the only PDU it may send is the acknowledgement of
 *   the keepalive that waits; every length is checked (li_pdu_frame_len()
 *   before the bytes are there, li_pdu_decode() once they are), and a PDU
 *   longer than LI_KA_IN_MAX, another type, a keepalive's fields other
 *   than §6.2.4's, or an acknowledgement of another sequence number is
 *   refused: the caller closes the connection and counts it.
 */
#ifndef TP_LI_KA_H
#define TP_LI_KA_H

#include <stddef.h>
#include <stdint.h>

/* The longest PDU an MF may send us: an acknowledgement is 48 bytes; room
 * for attributes a later version may add, nothing more. */
#define LI_KA_IN_MAX	512u

/* What li_ka_tick() asks of the caller. */
enum li_ka_act {
	LI_KA_NONE = 0,
	LI_KA_SEND,		/* a keepalive is due: send it, then li_ka_sent() */
	LI_KA_HANDSHAKE_LATE,	/* fault: not up within the timeout */
	LI_KA_STALLED,		/* fault: queued bytes, none written for the timeout */
	LI_KA_ACK_LATE,		/* fault: the keepalive's acknowledgement not in time */
};

/* One connection's state; the caller's, zeroed or set by li_ka_init(). */
struct li_ka {
	uint64_t up_by_ms;	/* connecting: the handshake's deadline */
	uint64_t next_ms;	/* up: when the next keepalive is due */
	uint64_t ack_by_ms;	/* up, waiting: the acknowledgement's deadline */
	uint64_t progress_ms;	/* the last write, or when bytes began to wait */
	uint32_t interval_ms;	/* 0: no keepalives */
	uint32_t timeout_ms;
	uint32_t seq;		/* the next keepalive's sequence number */
	uint32_t wait_seq;	/* the one that waits (when waiting) */
	uint8_t up;
	uint8_t waiting;
};

/* A connection being made at now (ms): keepalives every interval_ms (0:
 * none), the handshake and the writes' deadlines timeout_ms (> 0). The
 * sequence numbers start at 0 on each connection. */
void li_ka_init(struct li_ka *k, uint32_t interval_ms, uint32_t timeout_ms, uint64_t now);
/* The handshake finished at now: the first keepalive an interval later. */
void li_ka_up(struct li_ka *k, uint64_t now);
/* Bytes were written at now (progress for the stall deadline). */
void li_ka_wrote(struct li_ka *k, uint64_t now);
/*
 * What is due at now, given `pending` bytes queued and not yet written: a
 * fault (the caller closes the connection and counts it), a keepalive to
 * send, or nothing. Faults come before a keepalive. Repeats LI_KA_SEND
 * until li_ka_sent() (a keepalive the caller could not queue yet is asked
 * for again at the next tick).
 */
enum li_ka_act li_ka_tick(struct li_ka *k, uint64_t now, uint32_t pending);
/* The keepalive asked for was queued at now: its sequence number, which
 * its acknowledgement must carry (due within two intervals). */
uint32_t li_ka_sent(struct li_ka *k, uint64_t now);
/*
 * One PDU the MF sent, from the start of buf[0..len) (what was read and
 * not yet used): the bytes it took (the caller drops them and calls again
 * with the rest), 0 when the PDU is not whole yet (and may still fit
 * LI_KA_IN_MAX: read more), or -EBADMSG (not a PDU, not an
 * acknowledgement of §6.2.4's shape, another PDU type), -EMSGSIZE (longer
 * than LI_KA_IN_MAX, refused from its first 12 bytes),
 * -EPROTONOSUPPORT (another major version), -EPROTO (an acknowledgement
 * of no keepalive that waits, or of another sequence number). An
 * acknowledgement accepted ends the wait; the next keepalive is due an
 * interval after now. A negative answer leaves k as it was.
 */
int li_ka_input(struct li_ka *k, const uint8_t *buf, size_t len, uint64_t now);

#endif /* TP_LI_KA_H */
