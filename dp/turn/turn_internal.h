/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's own declarations, shared by its files and by nobody outside
 * (dp/ sees turn.h, dp/tcprelay turn_tcprelay.h too): the allocation key, the checksum carried into a
 * relayed datagram, the layout checks of an allocation, and the functions
 * that cross from one file of dp/turn to another. The fast-path helpers
 * themselves are in turn_inlines.h.
 */
#ifndef DP_TURN_INTERNAL_H
#define DP_TURN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "turn_tcprelay.h"
#include "turn_types.h"

struct dp_ctx;
struct dp_worker;
struct ipc_msg;

/* Key of the client's transport: 5-tuple and, on a stream, the
 * connection (two connections from one address and port cannot both be
 * live, but a new one can come while the old one's allocation is still
 * here). 32 bytes: the tuple table (turn_tt_lookup()) compares it in two
 * 16-byte vector compares. */
struct turn_key {
	uint8_t family;
	uint8_t in_port;
	uint16_t client_port;
	uint16_t server_port;
	uint8_t transport;           /* 17 UDP, 6 a stream */
	uint8_t pad;
	uint8_t client_ip[16];
	uint64_t conn_id;            /* 0 for UDP (lib/ipc's connection id) */
};

typedef uint64_t turn_u64x2 __attribute__((vector_size(16), aligned(16)));

/* The key as the words the hash and the compare read. */
union turn_keyu {
	struct turn_key k;
	uint64_t q[4];
	turn_u64x2 v[2];
};

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "turn_key_from() lays the key out for a little-endian machine"
#endif

_Static_assert(sizeof(struct turn_key) == 32, "turn_key must stay 32 bytes");

/* Where a relayed payload's checksum comes from: the sum of the
 * payload, recovered from the datagram that brought it, plus that of
 * any head the new datagram puts before it (ChannelData, Data
 * indication). */
struct turn_carry {
	bool ok;                     /* false: sum the datagram at output */
	uint32_t sum;
};

_Static_assert(sizeof(struct turn_alloc) == 5 * RTE_CACHE_LINE_SIZE,
	       "the hot part of an allocation is five cache lines");
_Static_assert(offsetof(struct turn_alloc, stats) == RTE_CACHE_LINE_SIZE,
	       "counters start the second line");
_Static_assert(offsetof(struct turn_alloc, conn_id) + sizeof(uint64_t) <=
	       RTE_CACHE_LINE_SIZE, "the client's transport is on line 0");
_Static_assert(offsetof(struct turn_alloc, perms) == 3 * RTE_CACHE_LINE_SIZE,
	       "the hot bindings start the fourth line");
_Static_assert(TURN_HOT_BINDINGS + TURN_OVF_BLOCKS * TURN_OVF_BINDINGS >= TURN_MAX_PERMS &&
	       TURN_HOT_BINDINGS + TURN_OVF_BLOCKS * TURN_OVF_BINDINGS >= TURN_MAX_CHANNELS,
	       "the hot part and the overflow blocks hold every binding");

/* ---- turn_table.c ---- */
/* 0, or -EINVAL when turn_key_from()'s hash is not rte_hash_crc() of the
 * stored key (checked once at start). */
int turn_key_hash_selfcheck(void);
/* One worker's tables (cap allocations, ntbl relayed addresses of span
 * ports each); *bytes gets the memory they took. 0 or -ENOMEM. */
int turn_worker_tables(struct dp_worker *w, uint32_t cap, uint32_t ntbl,
		       uint32_t span, size_t *bytes);
/* A worker's tables this big or more ask for 1 GB pages: a packet at a
 * million allocations touches a bucket and an allocation in 345 MiB,
 * scattered, beyond what the TLB's entries for 2 MB pages reach (on a
 * guest behind shadow paging, far beyond). Smaller ones stay on the 2 MB
 * pages: a process with small tables (the tests start many dp's, two at a
 * time sometimes) takes none of the few 1 GB pages a box has. */
#define TURN_TABLES_1G_MIN ((size_t)128 << 20)
/* Those tables out again (turn_free()). */
void turn_worker_tables_free(struct turn_worker *t);
/* (turn_relay_index(), the index of a relayed address: turn_tcprelay.h) */
/* Point a's relayed transport addresses at slot pos (on), or clear those
 * that still point at it. */
void turn_relay_hook(struct turn_worker *t, const struct turn_alloc *a,
		     uint32_t pos, bool on);
/* The overflow pool for cap allocations and the username table (heads
 * for cap / 4 names): 0 or -ENOMEM. turn_worker_tables() calls it;
 * turn_bindings_free() undoes it (unit tests use both alone). */
int turn_bindings_init(struct turn_worker *t, uint32_t cap);
void turn_bindings_free(struct turn_worker *t);
/* a's username (len bytes): the worker's copy, shared, counted; false
 * without memory for a new one (a keeps none, counted). */
bool turn_user_set(struct turn_worker *t, struct turn_alloc *a, const char *name,
		   uint16_t len);
/* Remove a from the tables; its counters go to the worker's. */
/* reason: enum ipc_end_reason (ALLOC_END's, while no cp serves) */
void turn_alloc_remove(struct turn_worker *t, struct turn_alloc *a, unsigned int reason);
/* Slot pos's bandwidth limit (ALLOC_ADD's max_bps, max_bps_burst; rate 0:
 * none, burst 0: a second's): the worker's turn_bw array taken the first
 * time (malloc(); refused: max_bps_nomem, unpoliced); same: the same
 * allocation again, its buckets keep what they hold. */
void turn_bw_set(struct turn_worker *t, uint32_t pos, bool same, uint32_t rate,
		 uint32_t burst);
struct turn_alloc *turn_alloc_install(struct turn_worker *t,
				      const struct ipc_msg *msg,
				      const uint8_t tbl[2]);
struct ipc_tuple;
int turn_alloc_move(struct turn_worker *t, struct turn_alloc *a, const struct ipc_tuple *to);
struct ipc_binding;
void turn_apply_binding(struct turn_worker *t, struct turn_alloc *a,
			uint16_t kind, const struct ipc_binding *b, bool hairpin);

/* ---- turn_fwd.c ---- */
/* What one worker hands another of a tuple it forwards (RFC 8016 across
 * workers); dp/tcprelay has DP_HANDOFF_MOD_FIRST. */
#define TURN_HANDOFF_FWD (DP_HANDOFF_MOD_FIRST + 1u)
/* A fresh secret seed for f's homes (getrandom(), else rte_rand()):
 * before its first add. */
void turn_fwd_init(struct turn_fwd *f);
/* Install (or replace) the forward of key k (hash h) to owner, for
 * allocation id: 0, -ENOSPC (full, or no free slot within TURN_FWD_PROBE
 * of its home: counted). */
int turn_fwd_add(struct turn_fwd *f, const union turn_keyu *k, uint32_t h, uint64_t id,
		 uint16_t owner);
/* Remove k's forward if it is allocation id's: 0 or -ENOENT. */
int turn_fwd_del(struct turn_fwd *f, const union turn_keyu *k, uint32_t h, uint64_t id);
/* k's owner, or -1. */
int turn_fwd_owner(const struct turn_fwd *f, const union turn_keyu *k, uint32_t h);
struct dp_worker;
struct rte_mbuf;
/* A client's packet (as received: m's data where the input path left it)
 * of tuple k that found no allocation here: handed to the worker of its
 * allocation when k has a forward (true: m is consumed), unless it came
 * forwarded itself. */
bool turn_fwd_pass(struct dp_worker *w, struct rte_mbuf *m, const union turn_keyu *k,
		   uint32_t h);
/* The same with the key's two halves by value, its hash computed again
 * (turn_chdata_relay(): nothing more lives past its lookup). */
bool turn_fwd_pass_v(struct dp_worker *w, struct rte_mbuf *m, turn_u64x2 k0, turn_u64x2 k1);
struct dp_udp_meta;
/* The same for a datagram to the TURN port (meta: the UDP listener's),
 * out of line so that its key costs the listener's other paths nothing. */
bool turn_fwd_udp(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta);
/* The taker of TURN_HANDOFF_FWD (registered by turn_init()). */
void turn_fwd_taken(struct dp_worker *w, struct rte_mbuf *m);

/* ---- turn_sweep.c ---- */
/* Start (or start over) a sweep job's pass over the live allocations. */
void turn_sweep_start(struct turn_worker *t, struct turn_sweep_job *j);
/* A SYNC's pass over the allocations, with dp_cp.c: its start, and a
 * slice of it (true when over). */
void turn_state_start(struct dp_worker *w, const struct ipc_msg *msg);
bool turn_state_step(struct dp_worker *w, unsigned int headroom);
/* A STATE_ALLOC for a (kind, alloc_id, tuple, body; not worker, seq). */
void turn_state_alloc_fill(struct ipc_msg *out, const struct turn_worker *t,
			   struct turn_alloc *a);

/* ---- turn_hairpin.c ---- */
struct rte_mbuf;
struct dp_udp_meta;
/* A datagram from a to peer, one of our relayed addresses (rel: a's
 * relayed address of its family): looped in to the peer port's owner,
 * never to the wire. Consumes m. */
void turn_hairpin_out(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
		      const struct ipc_addr *rel, const struct ipc_addr *peer,
		      const struct turn_carry *cy);
/* A looped-in datagram (meta) found no allocation: port unreachable back
 * to its sender, looped in. m stays the caller's. */
void turn_hairpin_unreach(struct dp_worker *w, struct rte_mbuf *m,
			  const struct dp_udp_meta *meta);

/* ---- turn_li.c: lawful interception (docs/design/li.md §4) ---- */
/* TS 103 221-2 table 5.2.6-1's directions, relative to the target */
#define TURN_LI_TO_TARGET   2u
#define TURN_LI_FROM_TARGET 3u
/*
 * A copy of the datagram a tapped allocation a relays (len bytes of m's
 * data from off: its UDP payload) into the worker's ring to tp-li, with
 * the IP packet's addresses between the relayed address and the peer
 * (family; src, sport to dst, dport) and dir relative to the target. m
 * stays the caller's; a full ring or a datagram too long drops the copy
 * (dp/li counts it), never the datagram. Out of line: an untapped
 * allocation pays the test of a->tap only.
 */
void turn_li_copy(struct dp_worker *w, struct turn_alloc *a, const struct rte_mbuf *m,
		  uint16_t off, uint16_t len, uint8_t family, const uint8_t *src,
		  uint16_t sport, const uint8_t *dst, uint16_t dport, unsigned int dir);
/* cp's ALLOC_TAP (tp: its body, checked) on a: tapped or no longer.
 * 0; -ENOTSUP without dp/li's ring (no li group), -ENOMEM (the table of
 * taps refused): a stays as it was. */
int turn_li_tap(struct dp_worker *w, struct turn_alloc *a, const struct ipc_alloc_tap *tp);
/* (turn_li_untap(), turn_inlines.h: a's tap gone, its task wiped) */

/* ---- transports: turn_udp.c, turn_stream.c ---- */
/*
 * What TURN needs of a client transport (HAProxy's xprt_ops in small):
 * answering a STUN message, and relaying data to an allocation's client.
 * UDP's are also called directly (turn_reply(), turn_to_client()): no
 * indirect call on UDP's paths.
 */
struct turn_xport_ops {
	const char *name;                    /* "udp", "stream", "dtls" */
	bool chdata_pad;                     /* RFC 8656 §12.5: streams pad
					      * ChannelData to 4 */
	/* A STUN message (dp's or cp's, len bytes in buf, copied) back to
	 * where to came from (to->src). Failures counted. */
	void (*reply)(struct dp_worker *w, const struct turn_from *to,
		      const uint8_t *buf, uint16_t len);
	/* Relayed data (ChannelData or a Data indication at m's data start)
	 * to a's client; cy NULL or the carried sum. Consumes m. */
	void (*to_client)(struct dp_worker *w, struct turn_alloc *a,
			  struct rte_mbuf *m, const struct turn_carry *cy);
};

extern const struct turn_xport_ops turn_udp_ops, turn_stream_ops, turn_dtls_ops;

/* A STUN message (built in buf, len bytes) back to to->src over UDP. */
void turn_udp_reply(struct dp_worker *w, const struct turn_from *to,
		    const uint8_t *buf, uint16_t len);

/* ---- turn_wire.c: wire formats, pure (no EAL, no mbuf) ---- */
#define TURN_DATA_IND_HEAD_MAX (20 + 4 + 20 + 4)
/*
 * RFC 8656 §11.4: the head of a Data indication from peer (family, src,
 * port) carrying dlen bytes of data: STUN header (tid), XOR-PEER-ADDRESS,
 * and DATA's type and length, the message length counting the data and
 * its padding to 4. head holds TURN_DATA_IND_HEAD_MAX bytes. Returns the
 * head's length (36 for IPv4, 48 for IPv6), 0 when it cannot be built.
 */
uint16_t turn_data_ind_head(uint8_t *head, uint8_t family, const uint8_t *src,
			    uint16_t port, uint16_t dlen, const uint8_t *tid);
/*
 * The datagram an ICMP error quotes (inner, len bytes; family's IP header
 * first): its addresses (pointers into inner) and UDP ports. 0, or -EINVAL
 * when the quote is not UDP, its IPv4 header is shorter than 20 bytes
 * (IHL < 5), or it is too short to hold the ports.
 */
int turn_icmp_quote(uint8_t family, const uint8_t *inner, size_t len,
		    const uint8_t **src, const uint8_t **dst, uint16_t *sport,
		    uint16_t *dport);

/* A message that failed to parse but is framed as a STUN request (len
 * bytes at p: a whole header, the two top bits 0, the request class, the
 * magic cookie), which is answered 400 (RFC 8489 §6.3.1); anything else
 * is dropped. */
bool turn_stun_is_framed_request(const uint8_t *p, size_t len);

#endif /* DP_TURN_INTERNAL_H */
