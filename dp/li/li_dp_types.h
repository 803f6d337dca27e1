/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/li, types only: lawful interception's copies from the workers to
 * dp's delivery thread (tp-li), docs/design/li.md §3.4 and §4. A worker
 * whose allocation cp tapped (lib/ipc ALLOC_TAP) writes each relayed
 * datagram, with what the X3 PDU needs, into a slot of its own
 * single-producer, single-consumer ring: a fixed array of fixed slots
 * taken at start, no allocation per packet, a full ring a counted drop
 * (never a wait). tp-li reads the slots, writes the PDUs (lib/li) and
 * sends them over TLS to the mediation functions.
 */
#ifndef DP_LI_TYPES_H
#define DP_LI_TYPES_H

#include <pthread.h>
#include <stdint.h>

#include <rte_common.h>

#include "ipc_types.h"
#include "li_ka.h"

/* A worker's ring: LI_RING_SLOTS slots of LI_SLOT_SIZE bytes (1 MiB). */
#define LI_RING_SLOTS   512u
#define LI_SLOT_SIZE    2048u
/* The slots only X2 events may fill (li_ring_limit(): review V6) */
#define LI_RING_X2_RESERVE 32u
/* The largest datagram a slot holds (a 1,500-byte link's are 1,472 at
 * most); a longer one is dropped, counted (dropped_too_big). */
#define LI_PAYLOAD_MAX  (LI_SLOT_SIZE - (uint32_t)sizeof(struct li_copy))

enum li_ctr {
#define LI_CTR(e, n, h) LI_CTR_##e,
#include "li_counters.def"
#undef LI_CTR
	LI_CTR__COUNT,
};
/* a worker's own: the first three (the rest are tp-li's) */
#define LI_CTR_WORKER_N 3u

/* What a slot holds (struct li_copy's kind). */
enum li_copy_kind {
	LI_COPY_X3 = 0,               /* a relayed datagram (a worker's tap) */
	LI_COPY_X2 = 1,               /* an X2 event cp wrote (lib/ipc LI_X2) */
};

/* struct li_copy.dir: TS 103 221-2's payload direction (table 5.2.6-1,
 * lib/li's enum li_dir), relative to the target */
#define LI_COPY_TO_TARGET   2u
#define LI_COPY_FROM_TARGET 3u
/* struct li_copy.format: what tp-li writes as the PDU's payload */
#define LI_COPY_IP          0u   /* the IP packet (payload format 5 or 6) */
#define LI_COPY_RTP         8u   /* the payload as it is (format 8, RTP) */
#define LI_COPY_MSRP       13u   /* a TCP leg's clear bytes as they are
				  * (format 13, MSRP: a stream's piece) */

/*
 * One copy, at the start of its slot, its payload (len bytes) after it.
 * An X3 copy (kind LI_COPY_X3), format LI_COPY_IP (TURN's): the UDP
 * payload that was relayed, the addresses the IP packet's between the
 * allocation's relayed address and the peer (TS 103 221-2 payload formats
 * 5 and 6), which tp-li writes around it. LI_COPY_RTP (the gateway's): an
 * RTP packet in the clear, the addresses and ports those of the target's
 * termination's leg (its network's remote and our local address), which
 * tp-li writes as attributes. LI_COPY_MSRP (the gateway's TCP legs):
 * the clear bytes of one read of a leg (after TLS where the leg speaks
 * it), or a slot's share of it, consecutive sequence numbers in the
 * stream's order; the addresses and ports those of the target's leg's
 * TCP connection (protocol 6). src/dst as it went, dir relative to the
 * target. An X2 copy (kind LI_COPY_X2): cp's event (payload format 4), as
 * cp wrote it with its sequence number, time and direction; format,
 * family, ports and addresses 0.
 */
struct li_copy {
	uint8_t xid[16];
	uint64_t correlation;
	uint32_t seq;                 /* the allocation's copies, one each */
	uint32_t ts_sec;              /* CLOCK_REALTIME when copied */
	uint32_t ts_nsec;
	uint16_t len;
	uint8_t dir;                  /* enum li_dir: 2 to the target, 3 from */
	uint8_t family;               /* 4 or 6 */
	uint16_t sport, dport;
	uint8_t ndest;
	uint8_t kind;                 /* enum li_copy_kind */
	uint8_t format;               /* X3: LI_COPY_IP, LI_COPY_RTP, LI_COPY_MSRP */
	uint8_t pad[1];
	uint8_t src[16], dst[16];
	struct ipc_addr dest[IPC_LI_DESTS];
} __rte_aligned(16);

/*
 * A worker's ring to tp-li. head: the next slot the worker fills
 * (free-running, the worker's alone to write); tail: the next slot
 * tp-li reads (tp-li's alone). Each on a line of its own, published with
 * release stores and read with acquire loads. The worker's counters sit
 * on its line (tp-li's are in struct li_ctx).
 */
struct li_ring {
	uint32_t head __rte_cache_aligned;
	uint32_t tail_seen;           /* the worker's last look at tail */
	uint64_t ctr[LI_CTR_WORKER_N];
	uint32_t tail __rte_cache_aligned;
	uint8_t *slots __rte_cache_aligned; /* LI_RING_SLOTS * LI_SLOT_SIZE */
};

/* A mediation function's connection (tp-li; dp/li/li_conn.c). */
enum li_conn_state {
	LI_CONN_FREE = 0,
	LI_CONN_CONNECTING,           /* TCP connect under way */
	LI_CONN_TLS,                  /* TLS handshake under way */
	LI_CONN_UP,
	LI_CONN_DOWN,                 /* failed: retried at retry_ms */
};

#define LI_CONNS_MAX    16u
#define LI_CONN_OUT     (512u * 1024u)   /* bytes waiting for one MF, at most */
#define LI_RETRY_MS     1000u
/* A down connection a PDU came for this recently is made again at its
 * retry, PDU or not; older, its entry is free (a new destination may
 * still take it sooner: LI_TAKE_MS). */
#define LI_KEEP_MS      60000u
/* An up connection with no PDU for its destination this long is closed
 * and its entry given back (docs/design/li.md §8 V4: keepalives alone
 * kept it, and a 17th destination lost every PDU). */
#define LI_IDLE_MS      LI_KEEP_MS
/* Every entry busy: a new destination takes the entry of a connection
 * down (failed at least once since it was last up, nothing queued, or
 * connecting past its deadline), else that of the one up and idle the
 * longest, nothing queued, when it has been idle this long. */
#define LI_TAKE_MS      5000u

struct ssl_st;
struct ssl_ctx_st;

/*
 * out holds whole PDUs back to back: [0, off) written (wiped when the
 * buffer empties or is compacted), [off, len) waiting; mark is where the
 * first PDU not yet written whole starts (delivered counts as it passes
 * one). in holds what the MF sent and li_ka_input() has not taken yet.
 */
struct li_conn {
	struct ipc_addr dest;         /* family 0: a free entry */
	enum li_conn_state st;
	int fd;
	struct ssl_st *ssl;
	uint64_t retry_ms;
	uint64_t used_ms;             /* last PDU queued while up (or it came
				       * up, or took the entry): delivering */
	uint64_t pdu_ms;              /* last PDU for its destination, sent or
				       * dropped: retried while recent */
	uint32_t fails;               /* failures since it was last up or
				       * took the entry (>0: its entry takeable) */
	int st_i;                     /* its destination's figures (li_st.c), -1: none */
	uint8_t *out;                 /* LI_CONN_OUT bytes */
	uint32_t off;                 /* written */
	uint32_t mark;                /* the first PDU not written whole */
	uint32_t len;                 /* filled */
	uint32_t queued;              /* X2/X3 PDUs not written whole (lost if it fails) */
	struct li_ka ka;              /* keepalives and deadlines (lib/li) */
	uint32_t in_len;
	uint8_t in[LI_KA_IN_MAX];
};

/*
 * tp-li's delivery figures (li_st.c): what moved since the last report.
 * A destination's entry is kept while a connection names it or it has
 * figures to tell; a task's lives until the report that tells it.
 */
#define LI_ST_DESTS     64u
#define LI_ST_TASKS     1024u
#define LI_ST_HASH      2048u           /* a power of two */
#define LI_ST_OUT       ((LI_ST_TASKS + IPC_LI_ST_TASKS - 1) / IPC_LI_ST_TASKS + 1)
#define LI_ST_EVERY_MS  1000u

struct li_st_dest {
	struct ipc_li_dest_st s;      /* counts: since the last report */
	uint8_t used;
	uint8_t dirty;                /* something to tell */
	uint8_t conn;                 /* a connection names it */
};

struct li_st {
	struct li_st_dest dest[LI_ST_DESTS];
	uint32_t ntask;
	struct ipc_li_task_st task[LI_ST_TASKS];
	uint16_t hash[LI_ST_HASH];    /* task index + 1, 0: empty */
	uint64_t next_ms;             /* the next report, at the earliest */
	int resend;                   /* set by worker 0: a new cp */
	uint64_t epoch;               /* worker 0's: the cp last told */
	/* the outbox: tp-li writes q[head], worker 0 reads q[tail] */
	uint32_t head __rte_cache_aligned;
	uint32_t tail __rte_cache_aligned;
	struct ipc_li_status q[LI_ST_OUT];
};

struct dp_ctx;

/* tp-li: the thread, its TLS context, its connections and counters. */
struct li_ctx {
	struct dp_ctx *dp;
	struct ssl_ctx_st *ssl;
	volatile int stop;
	int running;
	pthread_t thread;
	uint64_t ctr[LI_CTR__COUNT];  /* tp-li's (written by it alone, read
				       * relaxed by worker 0's tick) */
	uint32_t ka_ms;               /* li.x2x3.keepalive_s, in ms (0: none) */
	uint32_t timeout_ms;          /* li.x2x3.timeout_s, in ms */
	struct li_conn conns[LI_CONNS_MAX];
	uint8_t pdu[LI_SLOT_SIZE + 512];
	struct li_st st;              /* the delivery figures for cp */
};

#endif /* DP_LI_TYPES_H */
