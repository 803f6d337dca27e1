/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/splice types: two stream legs of one worker whose bytes go from one
 * to the other (splice.h). Types only.
 */
#ifndef DP_SPLICE_TYPES_H
#define DP_SPLICE_TYPES_H

#include <stdint.h>

#include "../net/police.h"

struct dp_worker;
struct dp_xprt_ops;
struct rte_mbuf;
struct splice;

enum splice_ctr {
#define SPLICE_CTR(n, s, h) SPLICE_CTR_##n,
#include "splice_counters.def"
#undef SPLICE_CTR
	SPLICE_CTR__COUNT
};

/* Why a leg (and the splice) ended, in the splice's words
 * (splice_causes.def). */
enum splice_cause {
#define SPLICE_CAUSE(n, s, h) SPLICE_CAUSE_##n,
#include "splice_causes.def"
#undef SPLICE_CAUSE
	SPLICE_CAUSE__COUNT
};

/* struct splice.why_leg when no leg ended it (the owner's release) */
#define SPLICE_LEG_NONE 0xffu

/* A leg's life. */
enum splice_leg_state {
	SPLICE_LEG_WAIT = 0,      /* no connection yet (a server leg before its
				   * accept, a client leg before its connect) */
	SPLICE_LEG_CONNECTING,    /* its active open is under way (id set) */
	SPLICE_LEG_HANDSHAKE,     /* TCP is up, its transport not yet (TLS) */
	SPLICE_LEG_UP,
	SPLICE_LEG_DOWN,          /* ended: why says how */
};

#define SPLICE_LF_EOF       0x01u  /* its stream ended (FIN, close_notify) and was read */
#define SPLICE_LF_SHUT      0x02u  /* we ended our side of it (FIN after the data) */
#define SPLICE_LF_STALLED   0x04u  /* not read for want of room on the other side */
#define SPLICE_LF_NOTIFY    0x08u  /* its end came with TLS close_notify */
#define SPLICE_LF_TLS       0x10u  /* its transport has a handshake and records (TLS) */
#define SPLICE_LF_WRITABLE  0x20u  /* dp/tcp said writable: the transport flushes */
#define SPLICE_LF_GONE      0x40u  /* its TCP ended (closed NORMAL), kept readable: read on to its end */
#define SPLICE_LF_POLICED   0x80u  /* not read: its policing's bucket is empty */

struct splice_leg {
	uint64_t id;                       /* dp/tcp's connection; 0: none yet */
	const struct dp_xprt_ops *xp;      /* raw or TLS; NULL until open */
	uint8_t state;                     /* enum splice_leg_state */
	uint8_t flags;                     /* SPLICE_LF_* */
	uint8_t why;                       /* enum splice_cause, once DOWN */
	uint8_t tls_version;               /* 12, 13 once up over TLS; 0 plain */
	uint32_t pend_bytes;
	/* of pend's first bytes, how many the owner's tap was given already
	 * (a send that said -EAGAIN gives the same bytes again: not copied
	 * twice) */
	uint32_t tap_given;
	uint32_t pad;
	/* bytes read from this leg that the other has not taken yet (its
	 * send queue full, or it is not up: then at most hold_max): the
	 * mbufs as the transport gave them, linked by ->next */
	struct rte_mbuf *pend;
	struct rte_mbuf *pend_tail;
	uint64_t bytes_in;                 /* read from this leg */
	uint64_t bytes_out;                /* taken by this leg's send path */
	/* what this leg's peer may send (splice_leg_police()): the bytes
	 * read from it (a TLS leg's plaintext) against a token bucket */
	struct police pol;
};

/*
 * What the owner hears. Both run on the worker's thread, never inside
 * another splice call's transport operation for the same leg: they may
 * not call splice functions on sp.
 * leg_down: leg i has ended (its why set). Its TCP connection (and TLS
 *   state) is still there during the call: the owner can read addresses
 *   and its transport's why(); the splice then closes its session and
 *   closes, aborts or forgets it.
 * done: both legs have ended; sp->why and sp->why_leg say what ended the
 *   splice. sp is the owner's again (nothing of it is used after).
 * police_wait: leg i is not read for its policing until due_ms (the
 *   worker's clock): the owner calls splice_police_due() then (a later
 *   call for the same leg moves the time). Only for legs the owner
 *   policed (splice_leg_police()); NULL for an owner that polices none.
 * tap: bytes [off, off + n) of m, n > 0, read from leg i (the chain as
 *   its transport gave it: a TLS leg's plaintext), go to its partner now
 *   (its snd_buf, right after this call); each byte is given once, in the
 *   stream's order, even when the send must wait and is made again;
 *   called only while the owner set sp->tap (lawful interception's copy,
 *   which must not keep or change m or call splice functions); NULL for
 *   an owner that taps none. Bytes a leg read that never go across (its
 *   partner ended) are not given; bytes given whose send then failed for
 *   good (the legs end) were given.
 */
struct splice_ops {
	void (*leg_down)(struct dp_worker *w, struct splice *sp, unsigned int i);
	void (*done)(struct dp_worker *w, struct splice *sp);
	void (*police_wait)(struct dp_worker *w, struct splice *sp, unsigned int i,
			    uint64_t due_ms);
	void (*tap)(struct dp_worker *w, struct splice *sp, unsigned int i,
		    const struct rte_mbuf *m, uint32_t off, uint32_t n);
};

struct splice {
	struct splice_leg leg[2];
	const struct splice_ops *ops;
	uint32_t hold_max;        /* bytes of a leg held while the other is not up */
	uint8_t busy;             /* inside splice_run(): callbacks only mark */
	uint8_t kick;             /* bit i: move leg i's bytes to the other */
	uint8_t why;              /* the splice's end (enum splice_cause): the first leg's */
	uint8_t why_leg;          /* that leg, or SPLICE_LEG_NONE */
	uint8_t eof_first;        /* the leg whose stream ended first, or 0xff */
	uint8_t ended;            /* done() was called */
	/* the owner's: non-zero, each batch relayed is given to ops->tap
	 * (lawful interception); beside busy and kick, which every run reads,
	 * so an untapped splice pays the byte's test a batch */
	uint8_t tap;
	uint8_t pad;
};

/* A worker's splice counters. */
struct splice_worker {
	uint64_t ctr[SPLICE_CTR__COUNT];
	uint64_t leg_end[SPLICE_CAUSE__COUNT];     /* legs ended, by cause */
};

#endif /* DP_SPLICE_TYPES_H */
