/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN in the worker: types only. A worker owns the allocations whose
 * client flows it owns; their relayed ports come from its share of the
 * relay port range, so peer traffic to them lands (or is handed) here too.
 * A relayed transport address is (relayed address, port): with several
 * relayed addresses per family the worker keeps one slot table per
 * address, indexed by port.
 * cp decides everything (authentication, lifetimes, permissions, channel
 * numbers); dp keeps what cp installed, relays, and counts.
 */
#ifndef DP_TURN_TYPES_H
#define DP_TURN_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "../net/police.h"

struct rte_mbuf;
struct dp_port;
struct turn_stream_io;
struct turn_dtls;

#include "ipc_types.h"
#include "nonce_types.h"
#include "turn_admit.h"
#include "turn_live.h"

#define TURN_MAX_PERMS     16   /* per allocation (cp answers 508 beyond) */
#define TURN_MAX_CHANNELS  16

/* An allocation's counters. */
enum turn_stat {
#define TURN_STAT(e, n) TURN_STAT_##e,
#include "turn_stats.def"
#undef TURN_STAT
	TURN_STAT__COUNT,
};

/* A permission's peer is one of our relayed addresses (a relay-to-relay
 * call): datagrams to it never go to the wire (turn.c: hairpin).
 * Found once, when cp installs it, so that relaying pays one branch. */
struct turn_perm {
	uint8_t family;
	uint8_t hairpin;
	uint8_t ip[16];
	uint64_t expires_ms;
};

struct turn_chan {
	uint16_t channel;            /* 0: free slot */
	struct ipc_addr peer;
	uint64_t expires_ms;
};

/*
 * An allocation's hot part is what relaying reads and writes, five cache
 * lines: at a carrier's allocation counts the table must live in the
 * last-level cache, and a 1.5 KiB slot (sixteen permissions, sixteen
 * channels and the credentials, inline) put 100k allocations at 156 MiB,
 * where every relayed packet missed it several times over, page walks
 * included. The first TURN_HOT_BINDINGS permissions and channels are hot
 * (most allocations have no more); the rest live in overflow blocks taken
 * from the worker's pool when an allocation needs them and given back
 * when it no longer does (TURN_OVF_BINDINGS permissions and as many
 * channels a block, at most TURN_OVF_BLOCKS an allocation). Permissions
 * and channels are dense: [0, nperms), [0, nchans). The username a
 * restarted cp needs back is the worker's interned copy, one for all of a
 * user's allocations. FEATURE.md has the layout.
 */
#define TURN_HOT_BINDINGS  2
#define TURN_OVF_BINDINGS  7
#define TURN_OVF_BLOCKS    2
#define TURN_OVF_CHUNK     64   /* blocks malloc()ed at a time */
/* relayed addresses of both families (lib/conf's TP_CONF_MAX_RELAY each) */
#define TURN_MAX_RELAY_TBL 128
/* ALLOC_ENDs a worker keeps while no cp serves (lib/ipc struct
 * ipc_alloc_end, 720 bytes with its backlog's head and tuple) */
#define TURN_ENDS_MAX      1024u

struct turn_user;

struct turn_alloc {
	/* line 0: the client side and the keys (both directions) */
	uint16_t relay_port;
	uint8_t nperms;
	uint8_t nchans;
	/* Lawful interception (cp's ALLOC_TAP): its relayed datagrams are
	 * copied to tp-li (turn_li.c; the task in taps[]). Here, in the line
	 * both directions read anyway, so that an untapped allocation pays
	 * one test of it (docs/design/li.md §4). The byte was in_port's,
	 * which key0 holds (turn_alloc_in_port()). */
	uint8_t tap;
	uint8_t nrelayed;
	uint8_t relay_tbl[2];        /* by_relay table (and relay_addr[]) of
				      * the relayed addresses */
	struct ipc_addr client;
	struct ipc_addr server;
	/* The first word of its tuple table key (turn_key_from()'s w0:
	 * family, in_port (the dp port index the client uses, read back
	 * with turn_alloc_in_port()), client port, server port, transport),
	 * kept as
	 * install and move set it, so that a lookup compares words instead
	 * of building the key again from the fields. */
	uint64_t key0;
	/* The client's stream connection (lib/ipc's id: worker | slot |
	 * generation), 0 for UDP: the transport is UDP exactly when this is
	 * 0 (the contract, ipc_msg_check()), so it is not stored apart
	 * (turn_alloc_transport()). */
	uint64_t conn_id;
	/* lines 1-2: counters, and what only the control path reads */
	uint64_t stats[TURN_STAT__COUNT];
	struct turn_user *user;      /* interned username, NULL: none */
	uint32_t ovf[TURN_OVF_BLOCKS]; /* overflow blocks (id + 1), 0: none */
	/* RFC 6062: its relayed transport is TCP (nothing relays on UDP),
	 * and the first of its peer connections here (dp/tcprelay's record
	 * slot + 1, 0: none) */
	uint32_t tcp_head;
	uint8_t relay_tcp;
	/* RFC 8016: made with a MOBILITY-TICKET (kept for a restarted cp;
	 * the ticket's key and generation are cp's alone) */
	uint8_t mobile;
	uint64_t id;                 /* cp's id; 0 = free slot */
	/* lines 3-4: the first permissions and channels */
	struct turn_perm perms[TURN_HOT_BINDINGS] __rte_cache_aligned;
	struct turn_chan chans[TURN_HOT_BINDINGS];
} __rte_cache_aligned;

/*
 * An allocation's bandwidth limit (ipc_alloc.max_bps, max_bps_burst): a
 * token bucket (dp/net/police.h) for each relayed direction, the payload
 * a datagram carries (Send indication's DATA or ChannelData's to the
 * peer; the peer's datagram to the client), and the datagrams each
 * dropped. One cache line a slot, in an array (turn_worker.bw) a worker
 * takes the first time cp installs a limit on it: a worker none of whose
 * allocations ever had one pays one branch a datagram, and no memory.
 */
enum turn_bw_dir {
	TURN_BW_TO_PEER = 0,
	TURN_BW_TO_CLIENT = 1,
};

struct turn_bw {
	struct police pol[2];        /* enum turn_bw_dir; rate 0: none */
	uint64_t drops[2];           /* datagrams over it */
} __rte_cache_aligned;

/*
 * A tapped allocation's task as cp gave it (ALLOC_TAP), for the copies:
 * the XID, the correlation ID, the X3 destinations, and the copies'
 * sequence (TS 103 221-2 §5.3.9: one a copy, so that a gap at the MF is
 * a copy lost). In an array (turn_worker.taps) a worker takes the first
 * time cp taps one of its allocations; wiped when the tap goes.
 */
struct turn_tap {
	uint8_t xid[16];
	uint64_t correlation;
	uint32_t seq;
	uint8_t ndest;
	struct ipc_addr dest[IPC_LI_DESTS];
} __rte_cache_aligned;

/* Permissions and channels beyond an allocation's hot ones. */
struct turn_ovf {
	struct turn_perm perms[TURN_OVF_BINDINGS];
	struct turn_chan chans[TURN_OVF_BINDINGS];
};

/* A worker's overflow blocks: malloc()ed TURN_OVF_CHUNK at a time as
 * allocations need them (never given back to the system; a block given
 * back goes on the free list), found by id through chunk[]. */
struct turn_ovf_pool {
	struct turn_ovf **chunk;     /* max_chunks pointers */
	uint32_t nchunks;
	uint32_t max_chunks;
	uint32_t free;               /* first free block's id + 1, 0: none */
	uint32_t used;               /* blocks held by allocations */
	uint64_t nomem;              /* bindings dropped: no block */
};

/* A username of this worker's allocations, once for all of them. */
struct turn_user {
	struct turn_user *next;      /* hash chain */
	uint32_t refs;               /* allocations */
	uint32_t hash;
	uint16_t len;
	char name[];
};

struct turn_users {
	struct turn_user **heads;    /* mask + 1 */
	uint32_t mask;
	uint32_t n;
	uint32_t seed;
	uint64_t nomem;              /* allocations kept without one */
};

/*
 * Where a client's message came from; answers go back the same way
 * (transport: the same values as ipc_tuple.transport and lib/nonce's,
 * STUN_TRANSPORT_UDP 17 or _TCP 6, so no mapping).
 */
struct turn_from {
	uint8_t transport;           /* 17 UDP, 6 a stream (TCP, TLS over TCP) */
	uint8_t family;              /* NET_AF_IPV4 / NET_AF_IPV6 */
	uint8_t in_port;             /* dp port index */
	uint8_t pad;
	uint16_t src_port;           /* the client's, host order */
	uint16_t dst_port;           /* ours (3478, 80, ...) */
	uint64_t conn_id;            /* 0 for UDP; the stream's connection */
	uint8_t src[16], dst[16];
};

/* A client's message: len bytes at off in m (contiguous in its first
 * segment). */
struct turn_in {
	struct rte_mbuf *m;
	const uint8_t *udp;          /* the datagram's UDP header, for the
				      * checksum carried (RFC 1624); NULL on
				      * streams */
	uint16_t off;
	uint16_t len;
};

/* A pass over the live allocations (turn_sweep()): a turn_live walk's
 * cursor (turn_live.h). */
struct turn_sweep_job {
	uint32_t next;
	bool on;
};

/*
 * The client 5-tuple table (ours, turn_tt.c, in place of
 * rte_hash: perf/RESULTS.md): open addressing over buckets of one
 * cache line, seven entries each (a tag: the key's hash, never 0, and the
 * slot), lane 7's tag the number of entries that passed this bucket for a
 * later one (a lookup stops at the first bucket where it is 0). The key
 * is compared, 32 bytes in two vector compares, with the one built from
 * the allocation's line 0, which the fast path reads anyway: one line of
 * table a lookup, where rte_hash reads its bucket and its key store.
 */
#define TURN_TT_LANES 7u
struct turn_tt_bucket {
	uint32_t tag[8];
	uint32_t slot[8];
} __rte_cache_aligned;

struct rte_memzone;

struct turn_tt {
	struct turn_tt_bucket *b;
	uint32_t mask;                    /* buckets - 1 */
	uint32_t nfree;
	uint32_t *free;                   /* the slots not in use (a stack) */
	bool own;                         /* b and free are its own (rte_free) */
};

/* TURN's process-wide settings (ctx->turn, from the turn group at
 * start; NULL without one). The relayed ports are the process's
 * (ctx->relay_min, relay_max): port/ steers by them too. */
struct turn_ctx {
	uint16_t listen_port;             /* UDP, on access ports */
	char software[64];
};

/* A worker's TURN state. */
/*
 * RFC 8016 across workers (turn_fwd.c): a client's new 5-tuple reaches
 * this worker, its allocation lives on owner. Open addressing (linear
 * probing, deletion by backward shift) over TURN_FWD_SLOTS entries, at
 * most IPC_FWD_MAX used. An entry's home slot is a keyed mix of its hash
 * under the worker's secret seed (turn_fwd_init()): the hash is CRC32C
 * with seed 0, which anyone computes offline, so without the seed a
 * client with many allocations could choose source ports whose forwards
 * form one long run and send spoofed packets hashing to its start, each
 * miss scanning it. And no entry sits more than TURN_FWD_PROBE slots
 * past its home (an add that would is refused, counted in full), so a
 * lookup ends within TURN_FWD_PROBE + 1 slots whatever the keys: at
 * half load a random table's longest displacement is some 30 slots when
 * full, so 64 refuses no real table in practice.
 */
#define TURN_FWD_SLOTS (2u * IPC_FWD_MAX)
#define TURN_FWD_PROBE 64u

struct turn_fwd_ent {
	uint64_t key[4];                  /* turn_key_from()'s */
	uint64_t alloc_id;                /* 0: a free slot */
	uint32_t hash;                    /* turn_key_from()'s */
	uint16_t owner;
	uint16_t pad;
};

struct turn_fwd {
	struct turn_fwd_ent *e;           /* TURN_FWD_SLOTS; NULL: none */
	uint32_t n;                       /* used */
	uint64_t seed;                    /* secret: the homes' mix */
	bool in;                          /* handling a packet another
					   * worker forwarded: never
					   * forwarded again */
	uint64_t added;                   /* FWD_ADD installed */
	uint64_t removed;                 /* FWD_DEL removed */
	uint64_t full;                    /* FWD_ADD refused: IPC_FWD_MAX
					   * used, or TURN_FWD_PROBE slots
					   * past its home taken */
	uint64_t refused;                 /* FWD_ADD to no worker of dp's,
					   * FWD_DEL of no forward here */
	uint64_t handed;                  /* packets handed to their owner */
	uint64_t taken;                   /* packets another worker handed */
};

struct turn_worker {
	uint32_t nallocs;                 /* live.n */
	uint32_t cap;                     /* slots: tp_conf_worker_allocs() */
	struct turn_live live;            /* the live slots, for the sweeps */
	uint64_t now_ms;                  /* CLOCK_MONOTONIC, once per loop */
	struct turn_alloc *allocs;        /* cap slots: the hot parts */
	struct turn_ovf_pool ovf;         /* bindings beyond the hot ones */
	/* cap slots (struct turn_bw), NULL until an allocation with a limit
	 * came; nbw: allocations with one now; bw_nomem: limits not
	 * installed, the array's memory refused (the allocation relays
	 * unpoliced, counted) */
	struct turn_bw *bw;
	uint32_t nbw;
	uint64_t bw_nomem;
	/* cap slots (struct turn_tap), NULL until cp tapped an allocation
	 * here (lawful interception: turn_li.c); ntaps: tapped now */
	struct turn_tap *taps;
	uint32_t ntaps;
	struct turn_users users;          /* interned usernames */
	uint64_t *created;                /* cap slots: when cp made it (ms,
					   * ipc_alloc.created_ms), for a
					   * restarted cp's records */
	uint64_t *expires;                /* cap slots: the allocation's
					   * expiry (ms), which only cp's
					   * messages and the sweeps read:
					   * densely, not a line each */
	struct turn_tt tt;                /* client 5-tuple -> slot */
	struct turn_fwd fwd;              /* client 5-tuple -> the worker of
					   * its allocation (RFC 8016) */
	/* Peer side: one table per relayed address (IPv4 ones first, then
	 * IPv6 from relay_base6), relay_span entries each, indexed by port -
	 * relay_min: slot + 1, 0 = none. The ports are this worker's share
	 * of turn.relay_ports (lib/steer): peer traffic to any other port
	 * steers to another worker. */
	uint32_t *by_relay;
	uint32_t relay_span;
	uint16_t relay_min;
	uint8_t relay_base6;
	uint8_t nrelay_tbl;
	/* The relayed address of each table (port 0: the allocation's
	 * relay_port is the port), for what is sent from it. */
	struct ipc_addr relay_addr[TURN_MAX_RELAY_TBL];
	uint64_t ctr[TURN_STAT__COUNT];   /* all allocations, including gone ones */
	struct turn_admit *admit;         /* what goes to cp (turn_admit.h) */
	/* cp's nonce maker, keyed from the block the serving cp published
	 * (nonce_ok; nonce_epoch is that cp's epoch): 401s answered here and
	 * nonces judged for the lanes. */
	bool nonce_ok;
	uint64_t nonce_epoch;
	uint64_t nonce_load_failed;       /* copies refused (torn, corrupt) */
	struct nonce_ctx nonce;
	/* The tenants' nonce makers (lib/conf's tenants, as dp read them):
	 * tnonce[i] is tenant i + 1's, keyed nonce_tenant_key(key, i + 1)
	 * with its realm from the same block; what a request to a tenant's
	 * TURN address is challenged and judged with. ntnonce is dp's count
	 * of tenants; a block with another count is cp's config, not dp's:
	 * nonce_ok stays false (nonce_tenants_mismatch counts it). */
	unsigned int ntnonce;
	struct nonce_ctx *tnonce;
	uint64_t nonce_tenants_mismatch;
	/* ChannelData and Send indications dropped for reaching another of
	 * the port's addresses than their allocation's (turn_reached()) */
	uint64_t drop_other_address;
	/* requests held back while cp is away, within turn.cp_grace, and
	 * answered 500 after it (w->cp) */
	uint64_t cp_wait;
	uint64_t cp_gone;
	uint64_t alloc_table_full;        /* ALLOC_ADD refused: no free slot */
	uint64_t alloc_bad_relay;         /* ALLOC_ADD refused: not a relayed
					   * transport address of ours */
	uint64_t alloc_bad_transport;     /* ALLOC_ADD refused: a client
					   * transport dp has no adapter for */
	uint64_t alloc_moved;             /* RFC 8016: ALLOC_MOVE done */
	uint64_t alloc_move_refused;      /* ALLOC_MOVE of no allocation here,
					   * or onto a tuple that has one */
	/* Table sweeps, a slice at a time (turn_sweep()). */
	struct turn_sweep_job state;      /* SYNC: every allocation to cp */
	struct turn_sweep_job stats_job;  /* STATS_REQ: counters to cp */
	struct turn_sweep_job expire_job; /* the expiry guard */
	uint64_t expire_next_ms;
	uint64_t sweep_tsc;               /* no slice before this TSC */
	uint64_t swept;                   /* allocations visited */
	uint64_t binding_requests;
	uint64_t binding_indications;
	uint64_t stun_malformed;
	uint64_t stun_bad_fingerprint;    /* RFC 8489 §14.7: discarded */
	uint64_t peer_port0;              /* Send indications to port 0 */
	uint64_t icmp_forged;             /* port unreachable not from the peer */
	uint64_t xport_none;              /* replies and relayed data for a
					   * transport dp has no adapter for
					   * (a stream, until one attaches) */
	/* TURN over streams (turn_stream.c): NULL until dp/tcp attaches. */
	const struct turn_stream_io *stream_io;
	/* TURN over DTLS's sessions (turn_dtls.c; NULL: none): the same
	 * operations, on a DTLS session's id */
	const struct turn_stream_io *dtls_io;
	struct turn_dtls *dtls;           /* its sessions (turn_dtls.c) */
	uint32_t conn_events_want;        /* connections and sessions the
					   * CONN_DOWN backlog is sized for */
	/* RFC 6062: an allocation with peer connections goes (dp/tcprelay
	 * ends them); NULL when nothing relays over TCP */
	void (*tcp_gone)(struct turn_worker *t, struct turn_alloc *a);
	void *tcp_gone_arg;               /* (its worker) */
	/* a buffer transport's framing lost, its frames larger than an
	 * mbuf: dp has none (TCP and TLS count theirs in turn_tcp.c's
	 * counters), so these stay 0 in the statistics line */
	uint64_t stream_bad_frame;
	uint64_t stream_too_big;
	uint64_t stream_write_failed;
	/* CONN_DOWN events to cp (turn_stream_gone()): waiting for room in
	 * the ring; conn_events_mem is theirs. Dropped: a cp that does not
	 * take CONN_DOWN (it frees the allocation at its expiry instead). */
	struct ipc_backlog conn_events;
	/* STATS_FINAL: an allocation's last counters as it is removed (cp's
	 * usage records are exact with them); flushed as conn_events are,
	 * lost (counted) only when full */
	struct ipc_backlog final;
	void *final_mem;
	uint64_t final_dropped;
	/* ALLOC_END: a removed allocation, whole, in place of its
	 * STATS_FINAL (a cp may never have known it: it ended while none
	 * served, or the one that knew was killed), in a bounded backlog of
	 * its own (TURN_ENDS_MAX: a full one sends the STATS_FINAL instead,
	 * counted in ends.lost) */
	struct ipc_backlog ends;
	void *ends_mem;
	uint64_t ends_dropped;
	uint64_t expire_grace_ms;         /* the expiry guard's (60 s) */
	struct ipc_event *conn_events_mem;
	uint64_t conn_events_dropped;
	uint64_t stream_allocs_closed;    /* allocations gone with their
					   * connection */
	/* Relay to relay inside the box. */
	struct dp_port *relay_port[2];    /* the port relayed addresses live
					   * on: [0] IPv4, [1] IPv6 */
	uint64_t hairpin;                 /* datagrams to one of our relayed
					   * addresses, looped back in */
	uint64_t hairpin_refused;         /* ... to a port that is not a
					   * relayed one (never to the wire) */
	uint64_t hairpin_unreach;         /* ... to no allocation: ICMP back */
	/* The tables as big as cap (the tuple table, allocs, by_relay, the
	 * live list, expires, created) in one region (turn_worker_tables()),
	 * and the size of the pages it got */
	const struct rte_memzone *tables_mz;
	uint64_t tables_page_sz;
};

#endif /* DP_TURN_TYPES_H */
