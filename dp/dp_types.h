/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-dp types: the process context (read-only once workers run),
 * the ports, and the per-worker context that every fast-path function
 * takes first. A worker owns its RX/TX queues, mempool, neighbour cache,
 * counters and hand-off ring; nothing on the fast path takes a lock.
 */
#ifndef DP_TYPES_H
#define DP_TYPES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_ether.h>

#include "ipc_types.h"
#include "net/net_types.h"
#include "tp_conf_types.h"

#define DP_MAX_PORTS    TP_CONF_MAX_PORTS
#define DP_MAX_WORKERS  TP_CONF_MAX_WORKERS
/* tenants' TURN addresses one port may carry */
#define DP_PORT_TADDRS  (TP_CONF_MAX_TENANTS * TP_CONF_TENANT_ADDRS)
#define DP_BURST        32
#define DP_TX_BUF       (DP_BURST * 4)
#define DP_NEIGH_SIZE   1024
#define DP_HANDOFF_SIZE 4096
#define DP_IMPAIR_HOLD  4096

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;
struct dp_worker;
struct dp_ctx;
struct session_worker;
struct ipc_msg;
struct agw_worker;
struct rtp_worker;
struct dtls_srtp_worker;
struct li_ring;
struct li_ctx;
struct splice_worker;
struct tcprelay_worker;
struct tcp_stack;
struct tls_keys;
struct tls_worker;
struct tw_wheel;
struct turn_ctx;
struct turn_worker;

enum dp_counter {
#define DP_CTR(e, name) DP_CTR_##e,
#include "dp_counters.def"
#undef DP_CTR
	DP_CTR__COUNT,
};

/* Stages whose TSC cycles a worker accounts per packet. */
enum dp_stage {
#define DP_STAGE(e, n) DP_STAGE_##e,
#include "dp_stages.def"
#undef DP_STAGE
	DP_STAGE__COUNT,
};

/* What took most of a long loop pass (dp_worker.c's long_loop()). */
enum dp_long_by {
#define DP_LONG_BY(e, n) DP_LONG_BY_##e,
#include "dp_long_by.def"
#undef DP_LONG_BY
	DP_LONG_BY__COUNT,
};
/* The bound (an index of IPC_DP_LOOP_US: 20 us) from which a pass or a
 * tick counts as long in long_by, long_ticks. */
#define DP_LONG_LOOP_BOUND 2u
/* The worker's tick (every 100 ms) in this many steps (dp_worker.c). */
#define DP_TICK_STEPS 3u

struct dp_port {
	uint16_t port_id;
	uint8_t index;               /* position in ctx->ports */
	char name[TP_CONF_NAME_LEN];
	uint32_t roles;
	struct rte_ether_addr mac;
	bool has_ip4, has_gw4, has_ip6, has_gw6;
	uint8_t ip4[4], gw4[4], plen4;
	uint8_t ip6[16], gw6[16], plen6;
	uint8_t ip6_snm[16];         /* solicited-node group of ip6 */
	/* Relayed addresses (only on the first core port of a family, see
	 * tp_conf_relay_addrs()): an address's index here is its index in
	 * cp and in the TURN tables. own_relay4/6: the index of the port's
	 * own address among them (0 when no relay_ipv4/6 list was given),
	 * -1 when it is not one. dp answers ARP, ND and echo for all. */
	uint8_t nrelay4, nrelay6;
	int8_t own_relay4, own_relay6;
	uint32_t relay4[TP_CONF_MAX_RELAY];      /* network order, as on the wire */
	uint8_t relay6[TP_CONF_MAX_RELAY][16];
	uint8_t relay6_snm[TP_CONF_MAX_RELAY][16];
	/* Which relayed address an address's last byte names: its index + 1,
	 * 0 for none, DP_RELAY_SCAN when several share that byte (then
	 * dp_local4/6() compare them all). One read and one compare find a
	 * relayed address among up to TP_CONF_MAX_RELAY (a million
	 * allocations are 16,384 ports on some 64 addresses). */
	uint8_t relay4_at[256];
	uint8_t relay6_at[256];
	uint16_t mtu;
	uint16_t vlan;
	bool tx_ip4_cksum;           /* NIC fills IPv4 header checksums */
	bool tx_l4_cksum;            /* NIC fills UDP checksums */
	bool tx_tcp_cksum;           /* NIC fills TCP checksums */
	bool rx_cksum;               /* NIC verifies checksums on receive */
	bool rss;                    /* NIC steers flows (symmetric RSS) */
	struct tp_conf_impair impair;
	/* Steering as programmed and read back (port/port_steer.c): relay
	 * rte_flow rules installed, needed, refused by the PMD; a summary
	 * for the start line and the statistics; the RSS key and RETA. */
	uint16_t flow_rules, flow_rules_wanted, flow_refused;
	char steering[480];
	struct net_flow_steer steer;
	/* Tenants' TURN addresses on this access port (lib/conf's tenants;
	 * after everything above, so that a box without tenants lays out
	 * what it did): local addresses as the own one is (ARP, ND, echo,
	 * TURN's listeners), answered from the address asked. ta4_tenant /
	 * ta6_tenant: their tenant index (1..); ta4_at / ta6_at as
	 * relay4_at, so that dp_local4/6() look them up only once the own
	 * and relayed addresses missed. */
	uint8_t nta4, nta6;
	uint8_t ta4_at[256];
	uint8_t ta6_at[256];
	uint8_t ta4_tenant[DP_PORT_TADDRS];
	uint8_t ta6_tenant[DP_PORT_TADDRS];
	uint32_t ta4[DP_PORT_TADDRS];            /* network order */
	uint8_t ta6[DP_PORT_TADDRS][16];
	uint8_t ta6_snm[DP_PORT_TADDRS][16];
};

/* Everything a UDP handler needs to know about a datagram. */
struct dp_udp_meta {
	uint8_t family;              /* NET_AF_IPV4 / NET_AF_IPV6 */
	uint8_t in_port;             /* index into ctx->ports */
	uint16_t src_port, dst_port; /* host order */
	uint8_t src[16], dst[16];
	uint16_t l3_off;             /* from mbuf data start */
	uint16_t payload_off;        /* the UDP header is 8 bytes before */
	uint16_t payload_len;
	bool cksum_ok;               /* verified (NIC or dp), or none sent;
				      * false: the listener deferred it */
	int8_t relay_idx;            /* dst's index among the port's relayed
				      * addresses, -1: not a relayed one */
};

/* A UDP listener: a TURN port, a relayed port, the diagnostic echo. */
typedef void (*dp_udp_handler_t)(struct dp_worker *w, struct rte_mbuf *m,
				 const struct dp_udp_meta *meta, void *arg);

#define DP_OWNER_FLOW 0xffffu        /* owner chosen by flow hash */

/* Listener flags. DEFER_CKSUM: dp does not verify the UDP checksum
 * before the handler; it checks what it reads (dp_udp_cksum_verify())
 * and carries the checksum into what it relays (net_udp_region_sum()).
 * RELAYED: a relayed port: datagrams to the relayed addresses; otherwise
 * to the port's own address (set by dp_udp_register()). */
#define DP_UDP_DEFER_CKSUM 0x1u
#define DP_UDP_RELAYED     0x2u
/* ANY_ADDR: a port that answers on any of the port's addresses, own or
 * relayed (the gateway's media ports: the handler knows which of its
 * terminations is on which address). */
#define DP_UDP_ANY_ADDR    0x4u

/*
 * A UDP port's listener: four bytes, so that the table of all 65536 is
 * 256 KiB and stays in cache (peer traffic hits it at random relayed
 * ports); what it calls is in a small table of handlers.
 */
struct dp_udp_listener {
	uint8_t handler;             /* index in ctx->udp_fns; 0: none */
	uint8_t flags;               /* DP_UDP_* */
	uint16_t owner;              /* worker id, or DP_OWNER_FLOW */
};

#define DP_UDP_HANDLERS 8            /* distinct (fn, icmp, arg), 0 unused */

/*
 * An ICMP or ICMPv6 error (v4 types 3 and 11, v6 types 1 to 3) about
 * something dp sent, as net/ parsed it for the layer that sent what it
 * quotes: the quoted IP header (inner_l3 bytes, at least 20) and at least
 * 8 bytes after it are there.
 */
struct dp_icmp_error {
	uint8_t family;              /* NET_AF_IPV4 / NET_AF_IPV6 */
	uint8_t type, code;
	uint32_t word;               /* ICMP header bytes 4-7 (a next-hop MTU) */
	const uint8_t *src;          /* who reported it */
	const uint8_t *inner;        /* the quoted IP header and what follows */
	size_t inner_len;
	size_t inner_l3;
};

/* A UDP listener's taker of ICMP errors quoting datagrams sent from its
 * port (NULL: it takes none). */
typedef void (*dp_udp_icmp_t)(struct dp_worker *w, const struct dp_icmp_error *e,
			      void *arg);

struct dp_udp_handler {
	dp_udp_handler_t fn;
	dp_udp_icmp_t icmp;
	void *arg;
};

/*
 * What takes TCP from net/ (registered by the TCP glue when workers have
 * stacks; net/ drops TCP without it). input: a segment to one of our
 * addresses, l4 into m (handed: it came through the hand-off ring from
 * the worker that received it). icmp_error: an error quoting a TCP
 * segment of ours; true when m was consumed.
 */
struct dp_tcp_hooks {
	void (*input)(struct dp_worker *w, const struct dp_port *port, struct rte_mbuf *m,
		      uint8_t family, const uint8_t *src, const uint8_t *dst,
		      const uint8_t *l4, uint16_t l4len, bool handed);
	bool (*icmp_error)(struct dp_worker *w, const struct dp_port *port,
			   struct rte_mbuf *m, const struct dp_icmp_error *e, bool handed);
};

/*
 * The stream modules above TCP that the worker's TCP poll (dp_tcp_poll())
 * runs once a loop pass, and frees at the worker's end: TLS, TURN over
 * TCP, the gateway, RFC 6062's relay. Each registers at its set-up
 * (dp_tcp_mod_add(), dp_tcp.h) with its class, which places it in the
 * walk; mask has a bit for each one registered.
 * poll returns the work it did (0: none); free runs in the reverse
 * order. Arrays rather than an array of structs: the walk reads one line
 * of pointers.
 */
#define DP_TCP_MODS 8
typedef unsigned int (*dp_tcp_mod_poll_fn)(struct dp_worker *w, uint64_t now_ms);
typedef void (*dp_tcp_mod_free_fn)(struct dp_worker *w);

struct dp_tcp_mods {
	uint8_t n;
	uint8_t cls[DP_TCP_MODS];    /* enum dp_tcp_mod_class */
	uint32_t mask;               /* a bit for each registered module */
	/* The modules whose poll runs this pass (dp_tcp_poll()): every one
	 * once a millisecond (what a poll does on its own is due by the
	 * millisecond), and every one after whatever may have made them
	 * work: a TCP segment or an ICMP error for the stack, a message from
	 * cp, a table sweep, a timer, a poll that did work. Otherwise a pass
	 * costs the stream modules one branch. */
	uint32_t pending;
	uint64_t polled_ms;
	dp_tcp_mod_poll_fn poll[DP_TCP_MODS];
	dp_tcp_mod_free_fn free[DP_TCP_MODS];
	const char *name[DP_TCP_MODS];
};

/*
 * What TCP's glue asks of RFC 6062's relay, when there is one
 * (registered by dp/tcprelay; NULL otherwise): owner tells whether
 * dst:dport is a relayed transport address of ours and, if so, the worker
 * its allocation lives on; hairpin takes a segment we send to one of our
 * relayed addresses (true: consumed, looped in, never on the wire);
 * forward takes a segment of a peer connection that moved to another
 * worker (true: consumed).
 */
struct dp_tcp_relay_ops {
	bool (*owner)(const struct dp_ctx *ctx, uint8_t family, const uint8_t *dst,
		      uint16_t dport, unsigned int *owner);
	bool (*hairpin)(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
			const uint8_t *dst, uint16_t dport);
	bool (*forward)(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
			const uint8_t *src, const uint8_t *dst, uint16_t sport,
			uint16_t dport);
};

/* What takes a packet of a module's own kind another worker handed over
 * (dp_handoff_on_kind(), dp.h); consumes m. */
typedef void (*dp_handoff_fn)(struct dp_worker *w, struct rte_mbuf *m);
#define DP_HANDOFF_KINDS 8
/* a hand-off's mbuf carries its kind and its giver's id (hash.usr) */
#define DP_HANDOFF_KIND_MASK   0xffffu
#define DP_HANDOFF_GIVER_SHIFT 16

/* A look at a received burst before it is handled (cache hints only). */
typedef void (*dp_rx_prefetch_t)(struct dp_worker *w, const struct dp_port *port,
				 struct rte_mbuf **pkts, uint16_t n);

/*
 * Who takes what cp sends (dp_cp.c): a handler by message kind; the
 * modules that answer a SYNC (a restarted cp asks for everything), in
 * registration order, each with the start of its pass and a step that
 * sends what the ring takes; and hooks for each once-a-millisecond look
 * at cp (its epoch, whether it serves). Modules register at start-up;
 * written then only.
 */
#define DP_CP_KINDS 64
#define DP_CP_HOOKS 4
typedef void (*dp_cp_apply_fn)(struct dp_worker *w, const struct ipc_msg *msg);
typedef bool (*dp_cp_step_fn)(struct dp_worker *w, unsigned int headroom);
typedef void (*dp_cp_seen_fn)(struct dp_worker *w, uint64_t cp_epoch, bool serving);

struct dp_cp_sync {
	dp_cp_apply_fn start;
	dp_cp_step_fn step;
};

struct dp_cp_registry {
	dp_cp_apply_fn apply[DP_CP_KINDS];
	struct dp_cp_sync sync[DP_CP_HOOKS];
	unsigned int nsync;
	dp_cp_seen_fn seen[DP_CP_HOOKS];
	unsigned int nseen;
};

/*
 * The modules of this dp (dp_module.h): the root's list, which of them
 * run on this box, and the hooks of those that the loop calls each pass
 * (gathered at set-up, so that a pass reads one short array each).
 */
#define DP_MODULES_MAX 16
struct dp_module;
typedef void (*dp_mod_clock_fn)(struct dp_worker *w, uint64_t now_ms);
typedef unsigned int (*dp_mod_sweep_fn)(struct dp_worker *w, uint64_t tsc);
typedef void (*dp_mod_flush_fn)(struct dp_worker *w);

struct dp_mods {
	const struct dp_module *const *list;
	unsigned int n;
	uint32_t runs;               /* bit i: list[i]'s setup said it runs */
	uint8_t nclock, nsweep, nflush;
	dp_mod_clock_fn clock[DP_MODULES_MAX];
	dp_mod_sweep_fn sweep[DP_MODULES_MAX];
	dp_mod_flush_fn flush[DP_MODULES_MAX];
};

/* Process-wide context. Written during start-up only. */
struct dp_ctx {
	/* TURN's settings (dp/turn: struct turn_ctx), NULL without a turn
	 * group */
	struct turn_ctx *turn;
	/* The relayed ports (turn.relay_ports; 0, 0 without a turn group):
	 * each worker's share of them steers to it, on the NIC (port/) and
	 * by the demultiplexers (lib/steer) */
	uint16_t relay_min, relay_max;
	struct ipc_seg ipc;
	struct dp_cp_registry cp_reg;
	struct dp_mods mods;
	struct tp_conf *conf;
	unsigned int nports;
	struct dp_port ports[DP_MAX_PORTS];
	uint8_t port_index[RTE_MAX_ETHPORTS];  /* ethdev port id -> ports[] */
	unsigned int nworkers;
	struct dp_worker *workers[DP_MAX_WORKERS];
	struct dp_udp_listener *udp;  /* 65536 entries, by destination port */
	struct dp_udp_handler udp_fns[DP_UDP_HANDLERS];
	unsigned int nudp_fns;        /* used entries of udp_fns, 0 included */
	/* What the layers above net/ registered with it (net/ names none of
	 * them): TCP's input, and a look at each received burst. */
	const struct dp_tcp_hooks *tcp_hooks;
	dp_rx_prefetch_t rx_prefetch;
	/* the takers of the hand-off kinds modules registered (dp_handoff.c) */
	dp_handoff_fn handoff_fns[DP_HANDOFF_KINDS];
	/* agw.ports (0, 0: no agw group): a TCP segment to one of them is
	 * the connection of the worker whose share holds it (lib/steer) */
	uint16_t agw_min, agw_max;
	/* RFC 6062 relays (dp/tcprelay): a TCP segment to a relayed port of a
	 * relayed address is its allocation's worker's */
	const struct dp_tcp_relay_ops *tcp_relay;
	uint64_t tsc_hz;
	uint64_t start_tsc;
	uint64_t start_ms;           /* CLOCK_MONOTONIC ms at start_tsc */
	uint64_t clock_hz;           /* TSC ticks per second for time-keeping
				      * (tsc_hz; a test hook may skew it) */
	volatile int stop;
	volatile int dump_stats;
	/* systemd's watchdog (dp_watchdog.c): WATCHDOG_USEC, the thread
	 * that pings, how many looks found a worker stuck; the stall hook */
	uint64_t watchdog_usec;
	pthread_t watchdog_thread;
	bool watchdog_running;
	uint64_t watchdog_withheld;
	/* Lawful interception's delivery thread, tp-li (dp/li): NULL
	 * without an li group */
	struct li_ctx *li;
	/* SIGHUP's reload (dp_reload.c): its thread, and how many reloads
	 * ran and failed (dp's statistics) */
	pthread_t reload_thread;
	int reload_running;
	uint64_t reloads;
	uint64_t reloads_failed;
	int test_stall_worker;        /* -1: none */
	uint64_t test_stall_ms;
	/* test hook TP_DP_TEST_POLL_STALL=worker:at_ms:ms (dp_watchdog.c) */
	int test_poll_worker;         /* -1: none */
	uint64_t test_poll_at_ms;
	uint64_t test_poll_ms;
};

/* Impairment state of one port in one direction of one worker. */
struct dp_impair {
	uint64_t rng;
	struct rte_mbuf *held;       /* reorder: waits for the next packet */
	uint64_t held_due;           /* ... or until then */
	uint32_t head, tail;         /* delay FIFO */
	struct rte_mbuf *q[DP_IMPAIR_HOLD];
	uint64_t due[DP_IMPAIR_HOLD];
};

struct dp_txq {
	uint16_t n;
	struct rte_mbuf *pkts[DP_TX_BUF];
};

struct tls_keys;

/*
 * A worker's end of its link to cp (dp_cp.h): lib/ipc's rings in cp's
 * segment, the sequence of what it sends, and whether cp serves, looked
 * at once a millisecond, and since when (CLOCK_MONOTONIC ms) it has not:
 * since it was last seen serving, or since the newest cp started, or
 * since dp started. While that is less than turn.cp_grace, requests for
 * cp are held back (cp_wait): clients retransmit into a cp that is back;
 * after that they are answered 500 (cp_gone).
 */
struct dp_cp {
	struct ipc_worker_rings *rings;   /* NULL until cp's segment is open */
	uint32_t to_cp_seq;
	bool serving;
	uint64_t checked_ms;              /* now_ms of the last look */
	uint64_t epoch_seen;              /* cp_epoch at the last look */
	uint64_t down_since_ms;
	uint64_t grace_ms;
	uint64_t ipc_in;
	uint64_t ipc_out;
	uint64_t ipc_full;                /* requests refused: ring to cp full */
	uint64_t ipc_bad;                 /* messages from cp that failed checks */
	uint64_t cp_rung;                 /* cp woken from its doze */
	/* a SYNC's answer under way: the module at it, the SYNC's id (cp's
	 * epoch, which STATE_DONE names), no step before sync_tsc */
	bool sync_on;
	uint8_t sync_mod;
	uint64_t sync_id;
	uint64_t sync_tsc;
	/* the newest FENCE taken (its alloc_id), not yet answered while
	 * fence_due: a number, not a queue (FENCE_DONE names the newest,
	 * which answers for every older one) */
	bool fence_due;
	uint64_t fence;
};

/*
 * A worker's handshake budget (tls.handshake_budget_us): the cycles of
 * handshake work the loop may spend between two resets (a millisecond, or
 * a pass of tls_poll(): dp_hs_reset()), whoever spends them (TLS, TURN
 * over DTLS, DTLS-SRTP: each SSL step of a handshake, TSC-timed), and
 * what was spent since. Over it, each user puts its handshakes
 * off (TLS onto its FIFO; DTLS drops the datagram or waits, the peer
 * resends): a storm of handshakes never holds up the packets queued
 * behind it. dp_hs_*() in dp.h.
 */
struct dp_hs_budget {
	uint64_t budget;             /* cycles a pass; 0: no bound */
	uint64_t spent;              /* since dp_hs_reset() */
	uint64_t steps;              /* steps charged, ever */
	uint64_t step_max;           /* the longest step (cycles) */
};

struct dp_worker {
	/* read-mostly */
	unsigned int id;
	unsigned int lcore;
	struct dp_ctx *ctx;
	/* TURN's state (dp/turn), on the worker's socket: NULL without a
	 * turn group. Here, in the line every packet reads. */
	struct turn_worker *turn;
	struct rte_mempool *pool;
	struct rte_ring *handoff;    /* other workers -> this worker (MP/SC) */
	/* This worker's mbufs in other workers' hand-off rings, and how
	 * many it may have there (a quarter of its pool): an owner that
	 * waits for a core holds no more of them, so this worker's ports
	 * keep mbufs to receive into (its own media among them) whatever is
	 * aimed at another's. Added here, taken off by the owner as it takes
	 * them (atomic). */
	uint32_t handoff_parked;
	uint32_t handoff_park_max;
	uint64_t next_tick;
	uint64_t tick_interval;      /* between steps: 100 ms / DP_TICK_STEPS */
	uint8_t tick_step;
	/* CLOCK_MONOTONIC ms (cp's clock: every expiry time from cp is on
	 * it), refreshed once per ms by interpolating the TSC from an anchor
	 * (clock_ms at clock_tsc) that worker_tick() takes afresh from the
	 * kernel every tick, so a TSC rate that is a little off never drifts
	 * dp's time away from cp's. */
	uint64_t now_ms;
	uint64_t ms_next_tsc;
	uint64_t clock_ms;
	uint64_t clock_tsc;

	/* idle back-off */
	uint32_t idle_loops;
	uint32_t sleep_us;
	/* passes of the loop, idle or not: what a pass costs with nothing to
	 * do (perf/run) is the TSC's time over these */
	uint64_t loops;
	/* An active/standby pair (dp_ha.h): the segment's HA block, NULL
	 * without an ha group (the pass's one load); whether this pass is
	 * passive (its receive bursts freed, nothing sent: dp_tx_flush()
	 * reads it). In the line the pass writes anyway. */
	const struct ipc_ha *ha;
	bool ha_passive;

	/* counters, flushed by the owner only */
	uint64_t ctr[DP_CTR__COUNT] __rte_cache_aligned;
	uint64_t drop[DP_DROP__COUNT];
	uint64_t stage_cycles[DP_STAGE__COUNT];
	uint64_t stage_pkts[DP_STAGE__COUNT];
	uint64_t busy_cycles;        /* cycles in iterations that did work */
	uint64_t busy_pkts;
	/* Iterations of the loop that did work by how long each took (rx
	 * poll stalls excluded; dp_loops.h's buckets, per bucket), the
	 * buckets' bounds in cycles, and the longest over the first bound.
	 * A packet that arrives during an iteration waits for its end: this
	 * is the delay the worker itself adds to what it answers (a ping
	 * during a handshake storm), apart from the link's. Most take under
	 * the first bound: their bucket is counted inline, the rest by
	 * long_loop() (cold). */
	uint64_t loop_buckets[IPC_DP_LOOP_BUCKETS];
	uint64_t loop_limit[IPC_DP_LOOP_BOUNDS];
	uint64_t loop_max_cycles;    /* 0 while none took over the first bound */
	/* The passes over DP_LONG_LOOP_BOUND (20 us) by what took most of
	 * them: packets (receive, input, transmit), cp's messages and the
	 * sweeps, or dp/tcp's timers and queues; the packets those passes
	 * handled; and the tick's steps (DP_TICK_STEPS every 100 ms, between
	 * passes): those that took as long, all of them, their cycles and the
	 * longest (a step that printed the statistics for SIGUSR1 left out:
	 * the reader's cost). What makes the latency tail. */
	uint64_t long_by[DP_LONG_BY__COUNT];
	uint64_t long_pkts;
	uint64_t long_ticks;
	uint64_t ticks, tick_cycles;
	uint64_t tick_max_cycles;
	/* Receive polls that returned packets after more than stall_limit
	 * cycles: the thread was off its CPU inside the poll (a receive burst
	 * is a few hundred cycles). The excess is not counted as busy. */
	uint64_t stalls;
	uint64_t stall_cycles;
	uint64_t stall_limit;
	bool test_poll_armed;        /* the poll-stall test hook is due */
	/* bumped every tick; the watchdog thread reads it (dp_watchdog.c) */
	uint64_t heartbeat;
	struct dp_hs_budget hs;

	struct dp_txq tx[DP_MAX_PORTS] __rte_cache_aligned;
	struct net_ratelimit icmp_rl;
	/* The neighbour the last packet out of each port went to: most
	 * packets out of a port go to the same next hop (a gateway), and
	 * checking this entry's key and state is cheaper than finding it
	 * (dp_ip_output()). One a port: a relay's two directions leave by
	 * different ports, and alternate. */
	const struct neigh_entry *nh_last[DP_MAX_PORTS];
	struct neigh_table neigh;
	struct neigh_entry neigh_mem[DP_NEIGH_SIZE];
	struct dp_impair *impair_rx[DP_MAX_PORTS];
	struct dp_impair *impair_tx[DP_MAX_PORTS];
	struct dp_cp cp;
	/* dp/tcp (dp_tcp.c): NULL when nothing listens on TCP. The wheel
	 * ticks in ms (now_ms). */
	struct tcp_stack *tcp;
	struct tw_wheel *tcp_wheel;
	struct turn_tcp_worker *turn_tcp; /* TURN over TCP, TLS (turn/turn_tcp.c) */
	struct dp_tcp_mods tcp_mods;      /* polled and freed with the stack */
	/* TLS termination (dp/tls): NULL when turn.listen_tls is empty. */
	struct tls_worker *tls;
	/* TLS ticket keys and external PSKs from cp (dp/tls/tls_keys.h),
	 * attached to the worker's SSL_CTXs; cp's TLS_* messages that it
	 * refused (tls_keys_apply() < 0) */
	struct tls_keys *tls_keys;
	uint64_t tls_keys_refused;
	/* Stream connections' sessions (dp/session): NULL until an
	 * application of a stream over TCP sets them up. */
	struct session_worker *session;
	/* The access gateway's contexts (dp/agw) and their splice's
	 * counters (dp/splice): NULL without an agw group. */
	struct agw_worker *agw;
	/* RFC 6062's peer connections (dp/tcprelay): NULL without TURN over
	 * TCP or TLS */
	struct tcprelay_worker *tcprelay;
	struct splice_worker *splice;
	/* The gateway's RTP terminations (dp/rtp): NULL without
	 * agw.media_ports. */
	struct rtp_worker *rtp;
	/* DTLS-SRTP on those terminations (dp/dtls_srtp): NULL without it. */
	struct dtls_srtp_worker *dtls_srtp;
	/* Lawful interception's ring of copies to tp-li (dp/li): NULL
	 * without an li group. */
	struct li_ring *li;
	uint16_t tcp_eph_next;       /* dp_tcp_connect()'s next source port */
	/* The pair's look (dp_ha.c): the deadline last seen (CLOCK_MONOTONIC
	 * ms) as a TSC on the anchor it was converted on; worker 0's
	 * announcements (netio/net_announce.c): the announce_gen last seen,
	 * the rounds sent (DP_HA_ROUNDS: none due), when the first went and
	 * when the next is due. */
	struct {
		uint64_t fence_ms;
		uint64_t fence_tsc;
		uint64_t anchor_tsc;
		uint32_t gen;
		uint8_t rounds;
		uint64_t start_tsc;
		uint64_t next_tsc;
	} ha_st;
	/* The diagnostic active open (dp.diag_tcp_connect; dp/diag),
	 * worker 0's: the next attempt, the backoff while refused, the
	 * attempt under way (its tcp_id_t). */
	struct {
		uint64_t next_ms;            /* 0: no attempt pending */
		uint32_t backoff_ms;
		int app;                     /* its tcp_app_register() index */
		bool connecting;             /* id is in SYN_SENT */
		uint64_t id;                 /* a tcp_id_t */
	} tcp_diag;
} __rte_cache_aligned;

#endif /* DP_TYPES_H */
