/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha, types only: one box of an active/standby pair (issue 69,
 * docs/design/ha.md §3). The role machine (struct ha_role: who may relay,
 * decided by a lease in the cluster's Redis and by the peer's heartbeats),
 * the lease's requests and answers (struct ha_lease_ans), what the link
 * hears of the peer (struct ha_peer_hb) and the module's state (struct
 * cp_ha). Every time is cp's CLOCK_MONOTONIC ms.
 */
#ifndef CP_HA_TYPES_H
#define CP_HA_TYPES_H

#include <stdbool.h>
#include <stdint.h>

struct ipc_ha;
struct ha_link;
struct ha_mirror;

/* The role machine's states (§3.2). STARTING is the state before the
 * segment was read; the others are what status calls "role". */
enum ha_state {
	HA_STARTING = 0,
	HA_STANDBY,                   /* the peer holds the lease, or nobody: passive */
	HA_ACTIVE,                    /* holds the lease: dp relays until fence_at */
	HA_FENCED,                    /* lost the lease (or its deadline passed): passive */
};

/* What the machine asks of Redis next (ha_role_due()). */
enum ha_ask {
	HA_ASK_NONE = 0,
	HA_ASK_ACQUIRE,               /* the acquire script: {1, token} or {0, holder} */
	HA_ASK_RENEW,                 /* the renew script: {1, token} or {0, holder} */
	HA_ASK_PROBE,                 /* the probe script: {0, holder}, "" when none */
};

/* A lease script's answer, read (ha_lease_read()). */
struct ha_lease_ans {
	bool answered;                /* false: the link went, or Redis said an error */
	bool held;                    /* {1, ...}: the lease is ours (now) */
	uint64_t token;               /* held: the token; else the holder's (0: none named) */
	char holder[80];              /* not held: "BOX:TOKEN", "" when none */
	/* not held, the acquire's and the probe's third element: the key's
	 * PTTL in Redis (ms; -1 no expiry, -2 no key), relative to when the
	 * script ran, so no clock is compared across hosts */
	bool has_pttl;
	int64_t pttl_ms;
};

/* What one heartbeat of the peer says (ha_link.c reads it off the link). */
struct ha_peer_hb {
	enum ha_state role;           /* the peer's */
	uint64_t token;               /* the highest token the peer knows */
	/* the send time (our clock) of our latest heartbeat the peer heard:
	 * it promises not to take the lease before that + lease_ms; 0: none */
	uint64_t echo_ms;
	/* an active peer asks for that promise: its renews are late (Redis
	 * silent to it), so it may relay on our word past the key's expiry
	 * (docs/design/ha.md §3.2); only then does an echo bind us */
	bool vouch_asked;
};

/* The machine's counters (ha_ctrs.def's first part). */
struct ha_role_stats {
	uint64_t acquired;            /* the lease taken */
	uint64_t acquire_refused;     /* acquire answered: another holds it */
	uint64_t renewed;             /* renew answered: still ours */
	uint64_t lease_unanswered;    /* a script unanswered (Redis away, slow, an error) */
	uint64_t fenced;              /* ACTIVE left for FENCED */
	uint64_t vouched;             /* the deadline moved on by the peer's word */
	uint64_t switch_out;          /* the role handed to the peer (a switchover) */
	uint64_t switch_in;           /* the role taken from the peer (a switchover) */
	uint64_t switch_failed;       /* switchovers refused or abandoned */
	uint64_t switch_stale;        /* SWITCH messages of another ASK (nonce), dropped */
	/* heartbeats of the peer's claiming a token above this active box's:
	 * the lease asked of Redis at once, not fenced on the peer's word */
	uint64_t token_claims;
	/* Redis held no lease while the peer said it was active: this box
	 * stopped vouching for it and asks for the lease a lease later */
	uint64_t peer_unheld;
	/* a PTTL Redis gave over lease_ms (or none on the key): the acquire
	 * scheduled a lease later instead, not at the PTTL */
	uint64_t pttl_clamped;
};

/* A planned switchover's hold on the role (ha_role_yield()): the lease
 * stays this box's (ACTIVE, renewed) while dp is passive, so the mirror
 * drains what dp's last requests changed; then, while the lease is let
 * go, no renew is sent (one would write the key again). */
enum ha_yield {
	HA_YIELD_NONE = 0,
	HA_YIELD_PASSIVE,             /* the segment says FENCED: dp relays nothing */
	HA_YIELD_RELEASING,           /* and no renew: the lease being let go */
};

struct ha_role_conf {
	uint32_t lease_ms;
	uint32_t heartbeat_ms;        /* ha.heartbeat_ms: the miss (0: a lease) */
	uint32_t mode;                /* enum tp_ha_role */
};

/*
 * The role machine (ha_role.c). It sends nothing itself: ha_role_due()
 * says what to ask Redis, ha_role_asked() that it was asked, and the
 * answers, the peer's heartbeats and the clock come in as calls; it
 * writes the segment's HA block (ipc_ha_set()) at each change of role or
 * deadline.
 */
struct ha_role {
	uint32_t lease_ms;
	uint32_t guard_ms;            /* max(100, lease/10): fence this early */
	uint32_t renew_ms;            /* lease/4: renew (and acquire) this often */
	/* a standby that hears no active heartbeat for this long asks for
	 * the lease (min(3 heartbeats, lease/2); a lease without heartbeats
	 * configured): an acquire refused says when the key expires */
	uint32_t miss_ms;
	uint32_t mode;                /* enum tp_ha_role */
	struct ipc_ha *seg;
	enum ha_state state;
	/* ACTIVE: ours; otherwise the highest seen (the segment's, Redis'
	 * holders', the peer's) */
	uint64_t token;
	/* The highest token the lease vouches for: this box's own (Redis
	 * gave it, or the segment says this box held it) or a holder Redis
	 * named; never a peer's word (its heartbeats, its batches). The
	 * link's floor for batches (ha_self.floor): a hostile or broken peer
	 * cannot raise it and make later legitimate batches look stale. */
	uint64_t token_verified;
	uint64_t fence_at_ms;         /* ACTIVE: the deadline in the segment */
	uint64_t active_since_ms;     /* ACTIVE: when (heartbeats since say so) */
	uint64_t renewed_ms;          /* the send time of the last renew answered */
	uint64_t vouched_ms;          /* the last echo the peer vouched with */
	/* when an active peer was last heard (or the machine started: a
	 * standby listens a lease before it asks) */
	uint64_t quiet_since_ms;
	uint64_t peer_active_ms;      /* when an active peer was last heard (0: never) */
	/* Not active: no acquire before this. A lease after the last active
	 * heartbeat that asked for this box's word (vouch_asked) while it
	 * vouched: the promise its echo made (the peer may relay on it to
	 * echo + lease - guard, past the key's expiry); a lease after the
	 * machine started (a predecessor's promises) or let its lease go. */
	uint64_t ask_not_before_ms;
	/* ACTIVE: the highest token a peer's heartbeat claimed above ours,
	 * asked of Redis (a renew at once); 0: none. Not the lease's word:
	 * it fences only when Redis names another holder, or the deadline
	 * passes (docs/design/ha.md §4 S16). */
	uint64_t claimed;
	uint64_t claimed_ms;          /* when (UINT64_MAX: Redis' word on it said) */
	/* Not active: the lease Redis last named a holder of cannot outlive
	 * this (its answer + lease_ms); past it, a peer still heard active
	 * is asked after in Redis (HA_ASK_PROBE), not taken on its word. */
	uint64_t lease_known_until_ms;
	/* Not active: Redis held no lease while the peer said it was active
	 * (since then; 0: not so). This box's heartbeats vouch no more
	 * (ha_role_vouches()), and a lease after it asks for the lease,
	 * active heartbeats heard or not. */
	uint64_t doubt_since_ms;
	/* the one script outstanding */
	enum ha_ask asking;
	uint32_t seq;                 /* moves at each ask: a late answer is dropped */
	uint64_t asked_ms;
	uint64_t next_ask_ms;
	enum ha_yield yield;          /* ACTIVE only: a switchover's hold (above) */
	/* the peer handed its role over (ha_role_take()): ask for the lease
	 * at once, an active peer heard or not, until then */
	uint64_t take_until_ms;
	bool told_holder;             /* the holder said in the log once */
	char holder[80];              /* the last holder Redis named */
	char why[160];                /* the last change of role, for status */
	struct ha_role_stats st;
};

/* The link's counters (ha_ctrs.def's second part). */
struct ha_link_stats {
	uint64_t link_up;             /* links that passed the hello */
	uint64_t link_down;           /* links lost after */
	uint64_t link_refused;        /* connections refused: TLS, key, hello, address */
	uint64_t link_busy;           /* connections refused: every slot handshaking */
	uint64_t hb_lost;             /* links ended by lease_ms without a heartbeat */
	uint64_t batch_stale;         /* batches of a lower token dropped */
	uint64_t batch_refused;       /* batches refused (a record): link closed, no ack */
	uint64_t msg_bad;             /* messages that failed their checks: link closed */
	uint64_t tx_full;             /* heartbeats not queued: the peer not reading */
};

/* cp/ha's state (cp->ha): NULL without an ha group. */
/* The allocation ids an active box makes under token t start at
 * t << HA_ID_SHIFT (ha_sync()): 2^40 ids a token, 2^23 tokens before an id
 * passes what status's JSON (int64) and the usage record's session show. */
#define HA_ID_SHIFT 40u

/* A planned switchover's steps on the active box (ha_switch.c). */
enum ha_sw_step {
	HA_SW_IDLE = 0,
	HA_SW_ASK,                    /* the peer asked; the mirror drained meanwhile */
	HA_SW_FINAL,                  /* dp passive: the last changes mirrored, acknowledged */
	HA_SW_RELEASE,                /* the lease let go in Redis (compare-and-delete) */
	HA_SW_PEER,                   /* the peer told to take it: awaited active */
};

/* The switchover's link message steps (ha_link.c's SWITCH, type 5). Each
 * carries the nonce of the ASK it belongs to (ha_switch.c draws it; never
 * 0): an OK, NO or GO of another ASK is dropped (switch_stale). */
#define HA_SWMSG_ASK 1u               /* active -> standby: may you take over? */
#define HA_SWMSG_OK  2u               /* standby -> active: yes */
#define HA_SWMSG_NO  3u               /* standby -> active: no, and why */
#define HA_SWMSG_GO  4u               /* active -> standby: the lease is free, take it now */

struct ha_switch {
	enum ha_sw_step step;
	uint64_t api_token;           /* the operator's answer, held (cp_api_hold()) */
	uint64_t started_ms;
	uint64_t step_end_ms;         /* this step's bound */
	uint64_t fenced_ms;           /* dp made passive */
	uint64_t token;               /* this box's, when it began */
	uint64_t nonce;               /* its ASK's, echoed by the peer's OK/NO and our GO */
	uint32_t seq;                 /* the release script's (a late answer ignored) */
	bool peer_ok;                 /* the peer said OK to this ASK */
	/* the standby's side: the ASK this box last said OK to (0: none, or
	 * said NO since), and until when its GO is honoured (the active
	 * box's bounds: past them it awaits no take) */
	uint64_t ok_nonce;
	uint64_t ok_until_ms;
	/* the last switchover, for status: what happened, and the time from
	 * dp passive here to the peer heard active (ms; -1: none yet) */
	char last[200];
	int64_t last_gap_ms;
};

struct cp_ha {
	struct cp_ctx *cp;
	struct ha_role role;
	struct ha_link *link;
	/* the allocations' mirror (ha_mirror.c); NULL without a turn group */
	struct ha_mirror *mirror;
	bool link_was_up;             /* a new link starts a walk */
	uint64_t next_flush_ms;       /* the active box's batches, each heartbeat */
	uint64_t next_yield_ms;       /* a box not active: its own RTP contexts to the
				       * mirror, each heartbeat (ha_yield()) */
	char box[64];                 /* cluster.box */
	char lease_key[320];          /* NS:ha:PAIR:lease */
	char token_key[320];          /* NS:ha:PAIR:token */
	bool redis_silent;            /* the last script went unanswered */
	uint64_t id_token;            /* the token whose id space cp/alloc draws from */
	bool was_active;              /* a box that turns active with the link up walks */
	bool asked_vouch;             /* the last heartbeats asked for the peer's word */
	struct ha_switch sw;          /* a planned switchover (ha_switch.c) */
};

#endif /* CP_HA_TYPES_H */
