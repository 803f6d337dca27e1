/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocations as cp keeps them: types only. cp is the keeper of every
 * allocation's lifetime, permissions and channel bindings (each one a
 * timer in cp's wheel); dp holds a copy of what it needs to relay.
 */
#ifndef CP_ALLOC_TYPES_H
#define CP_ALLOC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc_end.h"
#include "auth_types.h"
#include "ipc_types.h"
#include "tp_common.h"
#include "tw_types.h"

#define CP_MAX_PERMS     16     /* must not exceed dp's TURN_MAX_PERMS */
#define CP_MAX_CHANNELS  16
#define CP_REINSTALL_SLICE 256u /* allocations a reinstall step sends at most */
#define CP_TID_LEN       12
#define CP_RELAY_NONE    0xffu
#define CPA_OAUTH_SESSION 0     /* cp_alloc.oauth[]: the renewed session */
#define CPA_OAUTH_MADE    1     /* ... and the token that made it */

/* What cp puts in IPC messages fits them (lib/ipc/ipc_types.h): an
 * allocation carries its username whole (a name cut short fails its own
 * Refresh with 441), and a restarted cp gets an allocation with every
 * permission and channel in one STATE_ALLOC. */
_Static_assert(IPC_USER_MAX >= TP_USERNAME_MAX,
	       "IPC_USER_MAX must hold the longest USERNAME");
_Static_assert(sizeof(struct ipc_alloc) +
	       (CP_MAX_PERMS + CP_MAX_CHANNELS) * sizeof(struct ipc_binding) <=
	       sizeof(((struct ipc_msg *)0)->body),
	       "STATE_ALLOC must hold an allocation and all its bindings");

struct cp_alloc;

/*
 * A username that has allocations (in its tenant): the name itself, once for all of them
 * (interned: a user's thousand allocations hold one copy), and the count
 * for its quota (RFC 8656 §7.2 step 10: SHOULD be per username). An entry
 * lives exactly as long as its user has an allocation, so with TURN REST
 * credentials (a new username every session) the table holds the users of
 * today's allocations, never every name ever seen. malloc()ed with its
 * name (len bytes and a NUL).
 */
struct cp_user {
	struct cp_user *next;         /* hash chain */
	struct cp_alloc *allocs;      /* the user's allocations (user_next) */
	uint32_t hash;
	uint32_t n;                   /* allocations; >= 1 while in the table */
	uint16_t len;
	/* A user is (tenant, name): one name in two tenants is two users,
	 * each with its tenant's quota_user. */
	uint8_t tenant;
	char name[];
};

/*
 * A permission (channel 0; its peer's port is 0: RFC 8656 §9 matches the
 * IP only) or a channel binding. An allocation's are one array, sized by
 * use (none until the first CreatePermission or ChannelBind), dense: a
 * removal moves the last one into the hole. They have no timer of their
 * own: the allocation's timer fires at the earliest expiry of the
 * allocation and its bindings (cpa_alloc_arm()).
 */
struct cp_bind {
	struct ipc_addr peer;         /* canonical */
	uint16_t channel;             /* 0: a permission */
	uint16_t pad;
	uint64_t expires_ms;
};

/*
 * An allocation as cp keeps it: what its requests and the operator need,
 * nothing dp alone needs. The username is its user's (interned), the key
 * is not kept at all (every request is authenticated afresh; the key of
 * the Allocate was never read again), the bindings are an array sized by
 * use. 352 bytes (was 3,424 with sixteen permissions and channels inline,
 * each with its own timer, and a 512-byte username); FEATURE.md has the
 * layout.
 */
struct cp_alloc {
	uint64_t id;
	struct ipc_tuple tuple;
	struct cp_user *user;         /* never NULL while live */
	struct cp_alloc *user_next;   /* the user's other allocations */
	struct cp_alloc *user_prev;
	struct cp_alloc *next_tuple;  /* hash chains */
	struct cp_alloc *next_id;     /* ... and the free list once freed */
	struct cp_bind *binds;        /* nbinds of bind_cap, or NULL */
	uint64_t created_ms;
	uint64_t expires_ms;
	struct tw_timer timer;        /* earliest of expires_ms and binds[] */
	/* counters dp last reported (IPC_STATS), for the operator: its UDP
	 * relaying; cp_alloc_traffic() adds tcp_bytes */
	uint64_t counters[IPC_ALLOC_STATS_N];
	/* RFC 6062: bytes of its peer connections that ended (their GONE
	 * events), in IPC_ALLOC_STATS's order of directions: from the
	 * client, to the peer, from the peer, to the client */
	uint64_t tcp_bytes[4];
	uint64_t reported_ms;
	/* its bandwidth limit (tp_conf_max_bps() when it was made: the
	 * user's, its tenant's or turn.max_bps; dp's after a restart):
	 * relayed payload bytes a second each way, 0: none; burst bytes */
	uint32_t max_bps;
	uint32_t max_bps_burst;
	struct ipc_addr relayed[2];   /* port: relay_port */
	uint8_t tid[CP_TID_LEN];      /* of the Allocate that made it */
	uint16_t worker;
	uint16_t relay_port;          /* the same in every relayed family */
	uint8_t nrelayed;             /* 1 or 2 (dual allocation) */
	uint8_t relay_idx[2];         /* address index of relayed[i] in its
				       * family, CP_RELAY_NONE when the
				       * configuration no longer has it */
	uint8_t nbinds;
	uint8_t bind_cap;
	uint8_t nperms;               /* of nbinds, those with channel 0 */
	bool live;
	bool tcp;                     /* RFC 6062: REQUESTED-TRANSPORT TCP */
	bool final;                   /* counters are dp's last (STATS_FINAL) */
	/* Its tenant (lib/conf's index: 0 the default, i + 1 for
	 * conf->tenants.t[i]): the one whose TURN address the client reached
	 * (tuple.server), never anything the client sends; derived again
	 * from dp's state by a restarted cp. Its quotas, relayed addresses
	 * and peer policy are that tenant's. */
	uint8_t tenant;
	/* RFC 7635: made with an access token, what it keeps of tokens
	 * (kid, mac_key, authorization server, end; key_len 0: none, as for
	 * a long-term credential's), both secrets, wiped with it; cp alone
	 * has them, so an allocation a restarted cp takes back from dp has
	 * neither. Its later requests may sign with either key without
	 * bringing a token (coturn's client brings one in Allocate and
	 * Refresh only; cp_auth_check_session()).
	 * [CPA_OAUTH_SESSION] the session: the token that made it, then the
	 * one of each renewal (a Refresh that keeps it, with a new token of
	 * its AS: RFC 7635 §9), which replaces it (need_alloc());
	 * [CPA_OAUTH_MADE] the token that made it, kept apart: never replaced
	 * by a later request, and what a move to another 5-tuple needs (RFC
	 * 8016 §3.2, mobility.c). */
	struct cp_auth_session oauth[2];
	/* RFC 8016 (mobility.c): made with a MOBILITY-TICKET, and the
	 * generation its ticket must name to move it (one more at each move,
	 * so that a ticket it was moved with cannot move it back) */
	bool mobile;
	uint16_t mob_gen;
	/* RFC 8016 across workers: its client's tuple reaches fwd_worker,
	 * not worker, and that worker hands the tuple's packets on (FWD_ADD,
	 * sent at the move; FWD_DEL at the next move and at its end); fwd
	 * false: none (the tuple reaches worker itself) */
	bool fwd;
	uint16_t fwd_worker;
	/* the chain of the allocations on its relay_port (cp_allocs.by_port) */
	struct cp_alloc *next_port;
};

/*
 * An allocation as the pair's mirror brings it (cp_alloc_mirror_put(),
 * issue 69): what STATE_ALLOC carries (times absolute, this host's clock:
 * cp/ha converted the record's durations) and what only cp knows.
 */
struct cp_alloc_mirror {
	unsigned int worker;
	struct ipc_tuple tuple;
	uint64_t id;
	const struct ipc_alloc *ia;
	const struct ipc_binding *binds;
	size_t nbinds;
	struct cp_auth_session oauth[2];
	uint8_t tid[CP_TID_LEN];
	uint16_t mob_gen;
	bool fwd;
	uint16_t fwd_worker;
};

/*
 * An EVEN-PORT R=1 reservation (RFC 8656 §7.2 step 8: port + 1 of the
 * allocation, at its address, held at least 30 s) for the Allocate that
 * brings its RESERVATION-TOKEN (step 5). A slot is free or held by its
 * state (used), never by its token's value: a token is never 0, and it
 * lives exactly as long as the reservation. Using the token frees the slot
 * (the port goes to the new allocation); expiry, a timer in cp's wheel,
 * frees the slot and the port at once.
 *
 * Reservations live in cp only (dp has nothing to relay for them): a
 * restarted cp starts with none. A client that brings a token from before
 * the restart gets 508, as for any token that is no longer valid, and the
 * reserved port is free again; the allocation that made the reservation
 * comes back from dp's state like any other.
 */
struct cp_reservation {
	uint64_t token;               /* never 0 */
	uint64_t alloc_id;            /* the allocation whose success carried
				       * the token (a retransmission of its
				       * Allocate gets it again) */
	uint64_t expires_ms;
	struct tw_timer timer;
	uint16_t port;
	uint16_t worker;              /* whose share the port lies in */
	uint8_t family;               /* 4 or 6: one family (§7.2 step 8) */
	uint8_t relay_idx;            /* at this address of the family */
	uint8_t tenant;               /* of the allocation that made it: only
				       * that tenant's Allocate may use it */
	bool used;
};

/*
 * What cp/alloc tells the modules that follow its allocations (usage
 * records, the cluster's registry and leases) instead of calling them:
 * an observer registered with cp_alloc_observe() hears each event as
 * cp/alloc does it, in this order within a request or a message of dp's.
 */
enum cp_alloc_ev_type {
	/* a: dp was told to install it (ALLOC_ADD: a new allocation, or
	 * one installed again into a restarted dp) */
	CP_ALLOC_EV_UP,
	/* a: dp was told its new lifetime (ALLOC_LIFE) */
	CP_ALLOC_EV_LIFE,
	/* a ends (reason), still whole: its counters, peers and user as
	 * they were, nothing of it undone yet */
	CP_ALLOC_EV_END,
	/* a is out of the table, its ports free and its peer connections
	 * closed; its id, tuple, user and tenant still there */
	CP_ALLOC_EV_GONE,
	/* dp's last counters (c) of allocation id, which cp no longer has
	 * (a STATS_FINAL after cp's end of it) */
	CP_ALLOC_EV_FINAL,
	/* dp's whole report (msg, an ALLOC_END: c its counters, reason
	 * dp's end as cp names it) of allocation id, which cp does not have */
	CP_ALLOC_EV_REPORT,
	/* the bytes (b: from the client, to the peer, from the peer, to
	 * the client) of an RFC 6062 peer connection (its GONE) of
	 * allocation id, which cp no longer has */
	CP_ALLOC_EV_TCP_GONE,
	/* the drain began or ended (cp->draining; cp->drain_alt as the
	 * operator named them) */
	CP_ALLOC_EV_DRAIN,
	/* a's client moved to another 5-tuple (RFC 8016; a->tuple the new
	 * one, from the client's 5-tuple before): dp was told (ALLOC_MOVE,
	 * and the forwards), nothing else about a yet */
	CP_ALLOC_EV_MOVED,
	/* a: the client's request installed or refreshed a permission
	 * (channel 0: CreatePermission, RFC 8656 §9; or the one a
	 * ChannelBind installs) or a channel binding (§12) for peer
	 * (a permission's: port 0); renewed: it was there. After dp was
	 * told, before the answer. Not for reinstalls into a restarted dp
	 * or the pair's mirror. */
	CP_ALLOC_EV_BIND,
	/* a, while it lives: one of its RFC 6062 peer connections (conn its
	 * CONNECTION-ID, peer its address) came up (tcp UP: the client's
	 * Connect answered; IN: a peer connected in, ConnectionAttempt
	 * sent), was bound (BOUND: its ConnectionBind confirmed by dp) or
	 * closed (CLOSED; b its bytes, as TCP_GONE's) */
	CP_ALLOC_EV_TCP_CONN,
};

/* CP_ALLOC_EV_TCP_CONN's news. */
enum cp_alloc_tcp_news {
	CP_ALLOC_TCP_UP = 1,
	CP_ALLOC_TCP_IN,
	CP_ALLOC_TCP_BOUND,
	CP_ALLOC_TCP_CLOSED,
};

struct cp_alloc_ev {
	enum cp_alloc_ev_type type;
	const struct cp_alloc *a;     /* UP, LIFE, END, GONE, MOVED */
	const struct ipc_tuple *from; /* MOVED: the client's 5-tuple before */
	uint64_t id;                  /* FINAL, REPORT, TCP_GONE */
	unsigned int reason;          /* END, REPORT: enum cp_alloc_end_reason */
	const uint64_t *c;            /* FINAL, REPORT: IPC_ALLOC_STATS_N */
	const uint64_t *b;            /* TCP_GONE: 4 */
	const struct ipc_msg *msg;    /* REPORT */
	const struct ipc_addr *peer;  /* BIND, TCP_CONN */
	uint16_t channel;             /* BIND: 0 a permission */
	bool renewed;                 /* BIND */
	uint8_t tcp;                  /* TCP_CONN: enum cp_alloc_tcp_news */
	uint32_t conn;                /* TCP_CONN: its CONNECTION-ID */
	/* FINAL, REPORT, TCP_GONE: what an observer that still holds the
	 * ended allocation (a usage record waiting for dp's last word)
	 * answers; cp/alloc counts the finished allocations' traffic by
	 * it. All zero when none does. */
	struct {
		bool took;            /* FINAL, REPORT: c replaced old */
		unsigned int tenant;  /* FINAL, TCP_GONE: the allocation's */
		uint64_t old[IPC_ALLOC_STATS_N];
	} held;
};

struct cp_ctx;
/* An observer (cp_alloc_observe()): ev's held part is its to fill. */
typedef void (*cp_alloc_observer_fn)(struct cp_ctx *cp, struct cp_alloc_ev *ev, void *arg);
#define CP_ALLOC_OBSERVERS 6u

/* The quota across boxes (RFC 8656 §7.2 step 10), asked of the one
 * decider registered (cp_alloc_quota_hook()) before the local counts:
 * may this user (name, len; of tenant, lib/conf's index) have one more
 * allocation? ALLOW (the local counts then decide too), REFUSE (486), or
 * WAIT: the decider holds the request (msg, from worker w) and hands it
 * to cp_handle() again once it knows; cp/alloc answers nothing now. */
enum cp_alloc_quota { CP_ALLOC_QUOTA_ALLOW, CP_ALLOC_QUOTA_REFUSE, CP_ALLOC_QUOTA_WAIT };
typedef int (*cp_alloc_quota_fn)(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg,
				 unsigned int tenant, const char *user, size_t len, void *arg);

/* Who follows the allocations, in cp_ctx (not behind cp->alloc): the
 * cluster, set up before cp/alloc (the user store may be its Redis),
 * registers too, and a registration stands whether the box has a turn
 * group or not (without one, nothing is heard or asked). */
struct cp_alloc_hooks {
	unsigned int nobs;
	struct {
		cp_alloc_observer_fn fn;
		void *arg;
	} obs[CP_ALLOC_OBSERVERS];
	cp_alloc_quota_fn quota;
	void *quota_arg;
};

#endif /* CP_ALLOC_TYPES_H */
