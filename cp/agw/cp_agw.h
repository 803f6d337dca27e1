/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw: the IMS access gateway's control plane (3GPP TS 29.334: cp
 * plays the media gateway's side of the IMS-ALG's requests). A controller
 * creates a context through the operator API (agw.create; turnpikectl agw
 * create): two terminations, each a TCP role (client: connect to a remote
 * address; server: accept on a local address and port, given or picked
 * from agw.ports), a TLS role (none, server, client), the peer's
 * certificate fingerprints as SDP signalled them (RFC 8122) and our
 * certificate (the tls group's or one of agw.certificates); cp answers
 * with the local addresses and our certificate's fingerprint.
 *
 * cp chooses the worker (the one whose share of agw.ports holds a fixed
 * server port, else the least loaded), a free slot there (the context's id
 * has the connection ids' layout: worker | slot | generation) and the
 * server ports from that worker's share, then sends AGW_ADD. dp's
 * AGW_EVENTs (leg up, leg down, released, with their causes) update the
 * context and go into an event log that agw.events (turnpikectl events
 * [--follow]) reads by sequence number; RELEASED frees the slot and the
 * ports. A dp that restarts took its contexts with it: each is released
 * with cause dp_restart.
 *
 * One model for every door: the operator API's JSON commands (agw.create,
 * agw.add_leg, agw.modify_leg, agw.subtract_leg, agw.release) and H.248
 * (cp/iq) call the C API below, which alone chooses workers, slots and
 * server ports and applies agw.peers and the fingerprint rules. A context
 * has two leg slots, each empty or holding one termination: it may be
 * created with 0, 1 or 2, a termination added to an empty slot later
 * (AGW_MOD ADD_LEG), one modified (MOD_LEG: its remote, its peer's
 * fingerprints) or subtracted (SUB_LEG: the other leg is held, its bytes
 * within agw.hold, until a termination joins; the last one's subtraction
 * releases the context). Observers (cp_agw_observe()) hear every event of
 * every context once cp/agw has applied it.
 *
 * A context's terminations are of one kind: TCP legs (above) or RTP
 * terminations (cp_agw_rtp.h). The API is the same for both; each kind
 * keeps its own table (its own bound a worker) and its own messages to
 * and from dp, behind its operations (agw_internal.h).
 *
 * A context answers to the door and the tenant that made it, and to the
 * operator (struct cp_agw_caller, cp_agw_types.h): every call on a context
 * made before says who asks. agw.quota and a tenant's agw_contexts bound
 * the live contexts of each door and tenant (cp_agw_create()).
 */
#ifndef CP_AGW_H
#define CP_AGW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_agw_rtp.h"
#include "cp_agw_types.h"
#include "ipc_types.h"
#include "tp_conf_types.h"

struct cp_policy;
struct cp_ctx;
struct agw_rtp_state;
struct agw_held;
struct ipc_msg;
struct json_object;

/* A context's state, whatever its kind. */
enum cp_agw_state {
	CP_AGW_FREE = 0,
	CP_AGW_INSTALLING,        /* TCP: AGW_ADD sent, no leg up yet */
	CP_AGW_ACTIVE,            /* TCP: a leg is up */
	CP_AGW_RELEASING,         /* the controller asked (AGW_DEL, RTP_DEL sent), or
				   * its last termination was subtracted: dp's
				   * RELEASED comes */
	CP_AGW_LIVE,              /* RTP: RTP_ADD sent (dp answers only a refusal) */
};

enum cp_agw_leg_state {
	CP_AGW_LEG_WAITING = 0,
	CP_AGW_LEG_UP,
	CP_AGW_LEG_DOWN,
	CP_AGW_LEG_EMPTY,         /* no termination in the slot */
};

/* A TCP context's own part (struct cp_agw_ctx's tcp). */
struct cp_agw_tcp {
	uint8_t leg_state[2];     /* enum cp_agw_leg_state */
	uint8_t leg_cause[2];     /* enum ipc_agw_cause once down */
	uint8_t tls_version[2];
	uint8_t port_ours[2];     /* cp picked term[i]'s server port */
	uint32_t setup_ms;
	uint32_t pad;
	struct ipc_agw_term term[2];
	struct ipc_addr leg_local[2];     /* as dp reported them (LEG_UP) */
	struct ipc_addr leg_remote[2];
	uint64_t bytes_in[2], bytes_out[2];
};

/*
 * A context, whatever its kind: what every kind has, then its kind's own
 * part (one model, the kind a row: rtpengine's struct call_media with its
 * protocol). A slot of its kind's table (struct cp_agw_table); its id has
 * the connection ids' layout (worker | slot | generation) with the kind's
 * generation bit (cp_agw_id_is_rtp()).
 */
struct cp_agw_ctx {
	uint64_t id;              /* 0: the slot is free */
	uint8_t kind;             /* enum cp_agw_kind: tcp or rtp below */
	uint8_t state;            /* enum cp_agw_state */
	uint8_t worker;
	uint8_t door;             /* enum cp_agw_door */
	/* whose context it is (lib/conf's index, 0 the default tenant): the
	 * JSON API's "tenant", Iq's iq.tenant, ng's ng.tenant; kept in each
	 * termination for a restarted cp (the terminations' tenant) */
	uint8_t tenant;
	uint8_t pad;
	uint16_t serial_next;     /* the last termination serial given */
	uint64_t created_wall_ms;
	char label[64];           /* the controller's own tag */
	union {
		struct cp_agw_tcp tcp;
		struct cp_agw_rtp rtp;
	};
};

/* One line of the event log. */
struct cp_agw_event {
	uint64_t seq;             /* 1, 2, ... */
	uint64_t wall_ms;
	uint64_t id;              /* the context */
	bool known;               /* a context of this cp's (not from before a restart) */
	uint8_t door, tenant;     /* the context's, when known (who may read the line) */
	/* an RTP context's (cp_agw_rtp.h): e.type is enum ipc_rtp_ev_type,
	 * e.leg the termination, e.remote a LATCHED source (rtcp: its RTCP
	 * flow), bytes_in/out each termination's octets (RTP and RTCP) */
	uint8_t kind;             /* enum cp_agw_kind: the context's, by its id */
	uint8_t rtcp;
	uint32_t silent_ms;       /* INACTIVE */
	struct ipc_agw_event e;
};

#define CP_AGW_LOG 16384u          /* events kept (a power of two) */
#define CP_AGW_ALGS 4u
#define CP_AGW_FP_STR 200u        /* lib/certfp CERTFP_STR_MAX, at least */

/* Its counters. */
enum cp_agw_stat {
#define CP_AGW_STAT(e, n, h) CP_AGW_STAT_##e,
#include "cp_agw_stats.def"
#undef CP_AGW_STAT
	CP_AGW_STAT__COUNT,
};

/*
 * An observer of one kind's contexts (cp_agw_observe()): every event of a
 * known context of the kind, after cp/agw applied it (c as it is then;
 * for RELEASED, as it was before its slot was freed), e the kind's event
 * as dp sent it: a TCP context's struct ipc_agw_event (a leg event whose
 * serial is not c->tcp.term[e->leg].serial is of a termination
 * subtracted since, not applied to c), an RTP context's struct
 * ipc_rtp_event (cp_agw_rtp.h says what each tells). It may call the API
 * below, on other contexts or this one (not on a RELEASED one).
 */
typedef void (*cp_agw_observer_fn)(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *e,
				   void *arg);
#define CP_AGW_OBSERVERS 4u       /* a kind */
/*
 * A listener of what cp/agw sends dp about RTP contexts
 * (cp_agw_on_rtp_sent()): each RTP_ADD (kind: a context made, or made
 * again in a restarted dp) and RTP_MOD (a termination added, changed or
 * subtracted) of context id, once it is in the worker's ring. The
 * context may not hold the change yet (cp/agw updates its record after
 * the send): the listener looks at it later, never from inside this
 * call, and calls no API of cp/agw's from it. (cp/li: lawful
 * interception's taps, which must follow a remote signalled anew.)
 */
typedef void (*cp_agw_rtp_sent_fn)(struct cp_ctx *cp, uint64_t id, uint16_t kind, void *arg);
/* A door's own names of context c, added to its JSON object o (agw.show,
 * agw.list). */
typedef void (*cp_agw_names_fn)(const struct cp_agw_ctx *c, struct json_object *o, void *arg);

/*
 * One kind's contexts (agw_ctx.c): per_worker slots a worker (the
 * kind's bound: agw.max_contexts, agw.media_contexts), each holding one
 * context or free (id 0), the generation each slot gave last (its ids
 * made from it), where the next search for a free slot starts, the live
 * counts the quotas read.
 */
struct cp_agw_table {
	uint32_t per_worker;      /* 0: this cp has no contexts of the kind */
	struct cp_agw_ctx *ctx;   /* nworkers * per_worker, worker-major */
	uint32_t *gen;            /* each slot's last generation (the kind's bit clear) */
	uint32_t nctx[IPC_MAX_WORKERS];
	uint32_t cursor[IPC_MAX_WORKERS];   /* where the next free-slot search starts */
	uint32_t total;
	/* live contexts (a slot each, until dp's RELEASED) by door and
	 * tenant, what agw.quota and a tenant's agw_contexts bound (every
	 * kind's together): row CP_AGW_DOORS holds those of a door cp does
	 * not know (none: dp keeps what cp gave it), which answer to the
	 * operator only */
	uint32_t live[CP_AGW_DOORS + 1][TP_CONF_MAX_TENANTS + 1];
};

struct cp_agw {
	bool enabled;
	unsigned int nworkers;
	struct cp_agw_table tab[CP_AGW_KINDS];
	uint16_t port_min, port_max;
	uint32_t setup_ms;        /* agw.setup_timeout */
	uint64_t ports_used[65536 / 64];
	/* our certificates (0: the tls group's, n: agw.certificates[n-1]):
	 * their fingerprints by hash (certfp_of_pem_file(); "" and err when
	 * cp cannot read the file) */
	unsigned int ncert;
	char fp[TP_CONF_MAX_AGW_CERTS + 1][CP_AGW_ALGS][CP_AGW_FP_STR];
	char fp_err[TP_CONF_MAX_AGW_CERTS + 1][160];
	struct cp_agw_event *log;         /* CP_AGW_LOG */
	/* the RTP kind's own (its addresses and ports, its requests to dp;
	 * NULL without agw.media_ports) */
	struct agw_rtp_state *rtp;
	/* the changes sent to dp and the door replies that wait for dp to
	 * hold them (agw_held.c) */
	struct agw_held *held;
	uint64_t next_seq;                /* of the next event */
	uint64_t stats[CP_AGW_STAT__COUNT];
	uint64_t released_by[IPC_AGW_CAUSE_MAX + 1];
	/* agw.peers with this box's addresses: what a remote may be */
	struct cp_policy *policy;
	unsigned int nobs;
	struct {
		uint8_t kind;
		cp_agw_observer_fn fn;
		void *arg;
	} obs[CP_AGW_OBSERVERS * CP_AGW_KINDS];
	struct {
		cp_agw_names_fn fn;
		void *arg;
	} names[CP_AGW_DOORS];
	/* who hears the RTP_ADDs and RTP_MODs sent (cp_agw_on_rtp_sent()) */
	cp_agw_rtp_sent_fn rtp_sent;
	void *rtp_sent_arg;
	/* who hears the AGW_ADDs and AGW_MODs sent (cp_agw_on_tcp_sent()) */
	cp_agw_rtp_sent_fn tcp_sent;
	void *tcp_sent_arg;
};

/* From the configuration (cp->conf); with an agw group, each kind's
 * contexts that it configures (TCP ones always, RTP ones with
 * agw.media_ports), their messages from dp taken (cp_dp.h; dp's restart
 * is hooked by the module walk: cp_agw_dp_restart()). 0, -ENOMEM, or
 * cp_dp's error. Its policy comes from cp_agw_policy_set(); until then
 * every remote is refused. */
int cp_agw_init(struct cp_ctx *cp);
/* p (agw.peers as cp_policy_build_from() made it; cp/agw owns it now) in
 * place of the running one: what a new context's remotes may be. Frees p
 * when there is no agw group. */
void cp_agw_policy_set(struct cp_ctx *cp, struct cp_policy *p);
void cp_agw_fini(struct cp_ctx *cp);
/* dp restarted: its contexts are gone. Each kind does what it does: a
 * TCP context is released (cause dp_restart), an RTP one installed again
 * (cp_agw_serve()). */
void cp_agw_dp_restart(struct cp_ctx *cp);
/* The loop's share (the RTP contexts' re-installs after a dp restart,
 * their statistics requests past their time). Work done (0: none). */
unsigned int cp_agw_serve(struct cp_ctx *cp, uint64_t now_ms);

/*
 * The C API every door calls (the JSON commands, H.248, ng), whatever the
 * kind of the context: the kind is a spec's (create, add), else the id's.
 * Errors: -errno with a sentence in err (for the operator or the
 * controller as it is): -ENODEV no agw group, no contexts of the kind, or
 * dp not running with them; -EINVAL a termination refused (its form,
 * agw.peers: -EACCES, the fingerprint rules), or of another kind than its
 * context's; -EPERM a TCP modify that would widen who takes a leg;
 * -EOPNOTSUPP an RTP modify's new key in srtp_rx; -EKEYREJECTED an SRTP
 * key the keys rule refuses (RFC 3711 section 9.1, cp_agw_rtp.h): equal
 * to another key of the context's (ours to a termination and the
 * remote's to us, a key of the other termination), or one the context
 * used before: our key, whatever it was; a remote's key that was one of
 * ours or the other termination's (a remote's key back to the slot whose
 * remote held it, a fork's branch answering again, is taken, as is the
 * key the termination holds for that direction); the sentence names the
 * keys, never their octets; -ENOENT no such context
 * or termination, or a context that is not the caller's (answered as one
 * that does not exist); -EBUSY the slot holds a termination, or a port
 * given is taken; -ESHUTDOWN the context is being released; -ENOSPC no
 * slot, port or address, a quota reached (agw.quota's door or default
 * tenant, a tenant's agw_contexts: the sentence names it), or an RTP
 * context's memory of its SRTP keys full (CP_AGW_RTP_KEYS); -EAGAIN the
 * ring to dp is full (try again). Nothing is half-made: on an error
 * nothing was sent and nothing is kept.
 */

/* Does context c answer to who? Its door and tenant are who's, or who is
 * the operator. */
static inline bool
cp_agw_caller_sees(const struct cp_agw_caller *who, const struct cp_agw_ctx *c)
{
	return who->is_operator || (c->door == who->door && c->tenant == who->tenant);
}

/* One TCP termination as a door asks for it. term: tcp_role (client,
 * server), tls_role, local (a server's address, its port 0: cp picks one
 * of the worker's share of agw.ports; a client's source address, family 0:
 * the route's), remote (family 0: none), the peer's fingerprints (nfp),
 * our certificate (cred); serial is cp's. accept_any: a plain server leg
 * without remote takes the first connection from anywhere, knowingly. */
struct cp_agw_leg_spec {
	struct ipc_agw_term term;
	bool accept_any;
};

/* What a TCP termination's modify changes; NULL, 0 or false: as it is.
 * Its remote and its peer's fingerprints: a leg not up yet takes them (a
 * client connects anew); one up records them only (its connection
 * stays). Its DSCP, policing and memo change either way. Who takes the
 * leg only narrows (-EPERM): each fingerprint is one the leg holds (its
 * Add's), and a TLS leg taken keeps its remote and fingerprints. */
struct cp_agw_leg_mod {
	const struct ipc_addr *remote;
	const struct ipc_agw_fp *fp;       /* nfp of them */
	unsigned int nfp;
	bool dscp_set;
	uint8_t dscp;
	bool pol_set;                      /* pol_rate 0: no policing */
	uint32_t pol_rate;
	uint32_t pol_burst;
	const uint8_t *memo;               /* IPC_AGW_MEMO_LEN bytes */
};

/* One termination as a door asks for it: its kind's (a TCP one's empty
 * form, tcp_role 0, an RTP one's, profile 0: an empty slot). */
struct cp_agw_spec {
	uint8_t kind;                      /* enum cp_agw_kind: which below */
	union {
		struct cp_agw_leg_spec tcp;
		struct cp_agw_rtp_spec rtp;    /* cp_agw_rtp.h */
	};
};

/* What a modify changes of a termination: its kind's. */
struct cp_agw_mod {
	uint8_t kind;                      /* enum cp_agw_kind: which below */
	union {
		struct cp_agw_leg_mod tcp;
		struct cp_agw_rtp_mod rtp;     /* cp_agw_rtp.h */
	};
};

#define CP_AGW_ANY 0xffu                /* cp_agw_add(): the first empty slot */
#define CP_AGW_SETUP_DEFAULT UINT32_MAX /* agw.setup_timeout */

/* A context of spec[0] and spec[1], of one kind (-EINVAL else), with
 * label the controller's tag (NULL: none), door: which made it, tenant:
 * whose it is (lib/conf's index; -EINVAL past the configured ones).
 * Refused (-ENOSPC, the quota named, counted by quota) when door or
 * tenant holds its quota of live contexts already (an RTP spec's
 * emergency: within agw.quota.emergency, not). TCP legs: each up within
 * setup_ms of now (0: no limit) or the context is released. *out is the
 * context: its worker, slot, local addresses and ports (our SRTP keys)
 * chosen. */
int cp_agw_create(struct cp_ctx *cp, const struct cp_agw_spec spec[2], uint32_t setup_ms,
		  const char *label, enum cp_agw_door door, unsigned int tenant,
		  struct cp_agw_ctx **out, char *err, size_t errlen);
/* spec joins context id (who's, of spec's kind) in slot (CP_AGW_ANY: the
 * first empty one; *got says which), in the context's worker; a TCP leg
 * up within setup_ms of now. */
int cp_agw_add(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
	       unsigned int slot, const struct cp_agw_spec *spec, uint32_t setup_ms,
	       unsigned int *got, char *err, size_t errlen);
/* The termination in slot of context id changes as m says (m of the
 * context's kind). */
int cp_agw_modify(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		  unsigned int slot, const struct cp_agw_mod *m, char *err, size_t errlen);
/* The termination in slot ends (cause controller); its slot is empty at
 * once (its ports free; an RTP one's keys wiped), the other termination
 * is held until one joins; its figures as last known are the context's
 * until then (an RTP one's observers' SUBTRACTED carries dp's final
 * ones). The last one's subtraction releases the context (its RELEASED
 * follows). */
int cp_agw_subtract(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		    unsigned int slot, char *err, size_t errlen);
/* End context id (TCP: close_notify, FIN on each leg that is up; RTP:
 * RTP_DEL): RELEASED follows, and frees its slot and ports then. */
int cp_agw_release(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id, char *err,
		   size_t errlen);
/* Context id, or NULL: none, or not who's. */
struct cp_agw_ctx *cp_agw_lookup(struct cp_ctx *cp, const struct cp_agw_caller *who,
				 uint64_t id);
/* The address dp connects from to reach ip of family 4 or 6 (dp_route()'s
 * rule: the port whose prefix holds it, else the first with a gateway)
 * into out: false when no port has a route. */
bool cp_agw_route_src(const struct tp_conf *conf, uint8_t family, const uint8_t *ip,
		      uint8_t *out);
/* Live contexts of door (CP_AGW_DOORS: every door's) and tenant
 * (TP_CONF_MAX_TENANTS + 1: every tenant's), every kind's, from the
 * counts the quotas read (no walk). */
uint32_t cp_agw_live(const struct cp_agw *g, unsigned int door, unsigned int tenant);
/* fn(arg) hears every event of kind's contexts from now on, after those
 * registered before it. 0, -ENOSPC (CP_AGW_OBSERVERS of the kind),
 * -ENODEV (no agw group, or no contexts of the kind: RTP ones need
 * agw.media_ports). */
int cp_agw_observe(struct cp_ctx *cp, enum cp_agw_kind kind, cp_agw_observer_fn fn, void *arg);
/* fn(arg) hears every RTP_ADD and RTP_MOD sent from now on (one
 * listener: another call replaces it; fn NULL, none). */
void cp_agw_on_rtp_sent(struct cp_ctx *cp, cp_agw_rtp_sent_fn fn, void *arg);
/* The same listener for TCP contexts: each AGW_ADD (a context made) and
 * AGW_MOD (a leg added, changed or subtracted) of context id, once it is
 * in the worker's ring, under the same rules (cp/li: the taps on MSRP
 * legs). NULL fn: none. */
void cp_agw_on_tcp_sent(struct cp_ctx *cp, cp_agw_rtp_sent_fn fn, void *arg);
/* fn(arg) names the contexts of door in the operator's views. */
void cp_agw_names(struct cp_ctx *cp, enum cp_agw_door door, cp_agw_names_fn fn, void *arg);

/*
 * A door's reply held until dp holds what it promises (agw_held.c; issue
 * 67). A change a call above makes (a create, an add, a modify) is in the
 * ring to dp when the call returns, and applied when dp's worker next
 * reads its ring: a reply sent at once may reach its peer, and the peer's
 * first packet dp, before that (an answerer may send as soon as it has
 * answered, RFC 3264 §6.1; a TCP leg's peer may connect at once). So a
 * door notes cp_agw_changes() before it acts on a request and, with its
 * reply built, asks cp_agw_when_held(cp, since, fn, arg):
 *   0        send the reply now: nothing changed since `since` that dp may
 *            not hold yet (or no agw group, or a dp without IPC_CAP_FENCE);
 *   1        hold it: fn(cp, arg, rc) comes once, from cp's loop, never
 *            from inside this call: rc 0 once each worker the request
 *            changed answered a FENCE sent after its changes (lib/ipc; the
 *            worker applies its ring in order); -ETIMEDOUT after
 *            CP_AGW_HOLD_MS without that (a worker stalled, its ring
 *            full); -ECONNRESET at dp's restart. Send the reply then
 *            whatever rc: the change is made and the reply says what;
 *   -ENOSPC  CP_AGW_HOLD_MAX replies are held already: send it now.
 * Counted in replies_held, replies_held_late and replies_not_held (status's
 * agw, turnpike_agw_*_total). One mechanism for every door: ng's
 * datagram, Iq's transaction reply (its transaction executing meanwhile,
 * a repeat answered Pending), the JSON door's answer (cp_api_hold()). fn
 * runs from cp's loop only (a FENCE_DONE, cp_agw_serve(), dp's restart),
 * so a door's fini, after the loop's end, frees what arg points to
 * without a word to cp/agw.
 */
#define CP_AGW_HOLD_MS  200u
#define CP_AGW_HOLD_MAX 1024u
typedef void (*cp_agw_held_fn)(struct cp_ctx *cp, void *arg, int rc);
uint64_t cp_agw_changes(const struct cp_ctx *cp);
int cp_agw_when_held(struct cp_ctx *cp, uint64_t since, cp_agw_held_fn fn, void *arg);

/* The API's commands: agw.create, agw.add_leg, agw.modify_leg,
 * agw.subtract_leg, agw.show, agw.release, agw.list, agw.events. 0 or
 * -errno. */
int cp_agw_register(struct cp_ctx *cp);
/* A context as JSON (agw.show, agw.list, the answers of agw.create and
 * the leg commands): alg, our fingerprints' hash (lib/certfp's, less
 * one) for TCP legs; keys, our SRTP keys inline for RTP ones (the
 * create's and add's answer only: never shown again, never logged). */
struct json_object *cp_agw_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg,
				bool keys);
/* status's "agw" member (NULL without an agw group). */
struct json_object *cp_agw_status(const struct cp_ctx *cp);
/* Live contexts by tenant: counts[t] for t < n (lib/conf's index; one
 * of a tenant at or past n counts as the default's, 0), zeroed first. A
 * walk of the TCP contexts' slots (agw.max_contexts per worker): for the
 * operator's views, not a loop. */
void cp_agw_by_tenant(const struct cp_ctx *cp, uint32_t *counts, unsigned int n);

#endif /* CP_AGW_H */
