/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-cp: the process context and the interfaces between its parts
 * (allocations, the dp link, the operator API). One thread, one loop:
 * nothing here takes a lock.
 */
#ifndef CP_H
#define CP_H

#include <stdbool.h>
#include <stdint.h>

#include "agw/cp_agw.h"
#include "alloc/alloc_types.h"
#include "api/api.h"
#include "auth.h"
#include "cluster/cluster_types.h"
#include "cp_ctrs.h"
#include "cp_dp.h"
#include "cp_module_types.h"
#include "tls/cp_tls.h"
#include "ipc.h"
#include "policy.h"
#include "store.h"
#include "tp_log.h"
#include "tp_conf_types.h"
#include "tw.h"

#define CP_TICK_MS       10u      /* timer wheel granularity */
#define CP_HASH_MIN      4096u    /* chain heads at start (they double) */
#define CP_MAX_RESERV    1024u
#define CP_MAX_ALTERNATES 8u
/* The realm an AGW-only box (no turn group) keeps its API's users and
 * secrets under: no client's, since no client authenticates there. */
#define CP_REALM_NO_TURN "(no turn group)"

/* Error responses cp sends, by code (a bounded label set for metrics;
 * anything else counts as "other"). */
enum cp_err_code {
#define CP_ERR_CODE(c) CP_ERR_##c,
#include "cp_err_codes.def"
#undef CP_ERR_CODE
	CP_ERR_OTHER,
	CP_ERR__COUNT,
};

/* cp's own counters (cp->stats), which several modules count: the
 * first family of cp's counter registry (cp_ctrs.c). */
enum cp_stat {
#define CP_STAT(e, n) CP_STAT_##e,
#include "cp_stats.def"
#undef CP_STAT
	CP_STAT__COUNT,
};

struct cp_ctx {
	struct tp_conf *conf;
	struct cp_auth *auth;
	struct cp_policy *policy;
	/* the peer policy of tenant i + 1 (its peers group), NULL for a
	 * tenant without one: cp.peers' (policy) judges its peers */
	struct cp_policy *tenant_policy[TP_CONF_MAX_TENANTS];
	struct cp_store *store;       /* NULL: no cp.store, memory only */
	/* what the store's module opens and who reads it (store_types.h),
	 * given by their modules' set-ups, before the store's */
	struct cp_store_hooks store_hooks;
	struct ipc_seg seg;
	/* what each module takes from dp, and does when dp restarts
	 * (cp_dp.c; the modules' inits fill it) */
	struct cp_dp dp;
	/* the operator API's socket (cp/api): its module's setup opens it,
	 * its fini closes and frees it; NULL before and after */
	struct cp_api *api;
	/* the modules main.c walks, and which are up (cp_module.h) */
	struct cp_mods mods;
	/* the counter families status and the metrics show (cp_ctrs.h) */
	struct cp_ctrs ctrs;
	bool check_only;              /* --check: set up to read, make nothing */
	struct tw_wheel wheel;
	/* Time: every lifetime and timer runs on
	 * CLOCK_MONOTONIC (one host, one monotonic clock: dp's and every
	 * later cp's), which an NTP step or an operator's `date` does not
	 * move; the wall clock only where a wall time is meant (TURN REST
	 * usernames carry a Unix time). cp_time_advance() sets both. */
	uint64_t start_ms;            /* CLOCK_MONOTONIC ms at start */
	uint64_t now_ms;              /* CLOCK_MONOTONIC ms, once per loop */
	uint64_t wall_ms;             /* CLOCK_REALTIME ms, once per loop */
	uint64_t dp_epoch_seen;
	uint64_t epoch;               /* the cp_epoch this cp made */
	unsigned int nworkers;
	bool stop;

	/* Start-up: cp serves no request until it is ready, and
	 * publishes ready in the segment only then (ipc_cp_set_ready()). It
	 * is ready once its tables are built and it has every worker's state:
	 * a SYNC to each worker (sync_unsent: those whose ring had no room
	 * yet) answered by a STATE_DONE carrying this cp's epoch (state_wait:
	 * those still to answer). A dp that is not running has nothing to
	 * give back, and one that stops meanwhile is not waited for. */
	bool ready;
	uint64_t sync_unsent;         /* bit per worker */
	uint64_t state_wait;          /* bit per worker */
	uint64_t exec_ms;             /* CLOCK_MONOTONIC at exec, for the log */

	/* allocations (cp/alloc, alloc/alloc_state.h): NULL without a turn
	 * group (an AGW-only box), and whatever reads them finds none */
	struct cp_allocs *alloc;
	/* who follows them: observers and the quota's decider (alloc.c) */
	struct cp_alloc_hooks alloc_hooks;

	bool fatal;                   /* stopped for an error (exit status) */
	uint64_t stats[CP_STAT__COUNT];
	uint64_t err_by_code[CP_ERR__COUNT];   /* error responses sent */
	/* Requests cp_auth_check() did not accept, by its reason
	 * (auth_reasons.def; [CP_AUTH_R_OK] stays 0): "why can this user not
	 * log in" from status and metrics, not from a debug log. */
	uint64_t auth_refused[CP_AUTH_REASON__COUNT];
	struct cp_metrics *metrics;   /* the Prometheus endpoint, or NULL */
	uint64_t metrics_due_ms;      /* its connections' timeouts: look then */
	/* Drain (turnpikectl drain): new Allocates get 300 Try Alternate
	 * with an ALTERNATE-SERVER of the client's family (RFC 8489 §10,
	 * RFC 8656 §7.2), or 508 when none is given; what exists runs on. */
	bool draining;
	uint64_t drain_since_ms;
	unsigned int ndrain_alt;
	struct stun_addr drain_alt[CP_MAX_ALTERNATES];
	/* cp.alternates: where new clients go when the box is full */
	unsigned int nfull_alt;
	struct stun_addr full_alt[CP_MAX_ALTERNATES];
	/* TLS ticket keys and external PSKs for dp's workers (cp/tls): its
	 * module's setup makes them, its fini frees them */
	struct cp_tls *tls;
	/* the access gateway's contexts (cp/agw); NULL without an agw group */
	struct cp_agw *agw;
	/* the IMS-ALG's H.248 door (cp/iq); NULL without an iq group */
	struct cp_iq *iq;
	/* rtpengine's ng door (cp/ng); NULL without an ng group */
	struct cp_ng *ng;
	/* many boxes (cp/cluster); NULL without a cluster group */
	struct cp_cluster *cluster;
	/* usage records (cp/acct); NULL without an accounting group */
	struct cp_acct *acct;
	/* one box of an active/standby pair (cp/ha); NULL without an ha group */
	struct cp_ha *ha;
	/* true while this box is a pair's box that is not the active one
	 * (cp/ha keeps it, ha_sync()): what it holds is the active box's
	 * mirror, whose usage records the active box writes (cp/acct stays
	 * silent); false on a lone box */
	bool ha_standby;
	/* lawful interception's X1 tables (cp/li) and ETSI's schemas when
	 * li.x1.schemas names them; NULL without an li group */
	struct cp_li *li;
	struct x1_schema *li_schema;
	struct cp_li_http *li_http;   /* its X1 door (HTTPS, mutual TLS) */
	uint64_t li_due_ms;           /* the door's timeouts: look then */
	struct cp_li_taps *li_taps;   /* its taps on allocations (li_taps.c) */
	struct cp_li_x2 *li_x2;       /* its X2 events of allocations (li_x2.c) */
	struct cp_li_rtp_taps *li_rtp_taps; /* on RTP contexts (li_rtp_taps.c) */
	struct cp_li_agw_taps *li_agw_taps; /* on TCP-leg contexts (li_agw_taps.c) */
	/* drain with no alternates named: the cluster's least loaded box
	 * (set by cp/cluster as it hears the drain change) */
	bool drain_auto;
};

/* ---- allocations (alloc/alloc.c) ------------------------------------- */

/* alloc's state (cp->alloc) made to the configuration's sizes, and
 * registered with cp_dp (cp_dp.h): the kinds of alloc and alloc/tcp_relay
 * (REQUEST, STATE_ALLOC, STATS, CONN_DOWN, TCP_EVENT, TCP_STATE) and
 * cp_reinstall_start() for a dp restart. 0, -ENOMEM, or cp_dp's error.
 * Only with a turn group: without one (an AGW-only box) cp has no
 * allocations, cp->alloc stays NULL, nothing is registered, and what
 * reads them finds none. fini frees it all (safe with cp->alloc NULL). */
int cp_alloc_init(struct cp_ctx *cp);
void cp_alloc_fini(struct cp_ctx *cp);
/* RFC 6062 (alloc/tcp_relay.c): peer connections cp keeps now; free them. */
unsigned int cp_tcp_conns(const struct cp_ctx *cp);
void cp_tcp_fini(struct cp_ctx *cp);
/* dp restarted: install every allocation again, starting (or starting
 * over) a pass that cp_reinstall_step() carries on. */
void cp_reinstall_start(struct cp_ctx *cp);
/* Send the next allocations of the pass (with their permissions and
 * channels) while the ring to their worker has room for all of one's
 * messages and CP_RING_HEADROOM more, which are kept for answers to
 * requests; an allocation that does not fit waits for the next call.
 * Returns allocations sent; cp_alloc_reinstalling() is false once all
 * were. */
unsigned int cp_reinstall_step(struct cp_ctx *cp);
bool cp_alloc_reinstalling(const struct cp_ctx *cp);
/* alloc's turn of the loop (its module's step): the next slice of a
 * reinstall, and once a second, when cp is ready, a request for dp's
 * per-allocation counters (cp_request_stats()). Nothing without a turn
 * group: only dp's TURN answers that request, and only allocations use
 * the answer. Returns allocations reinstalled. */
unsigned int cp_alloc_step(struct cp_ctx *cp);
/* Live allocations, and the most there may be (quota_total); 0 and 0
 * without a turn group. */
uint32_t cp_alloc_count(const struct cp_ctx *cp);
uint32_t cp_alloc_capacity(const struct cp_ctx *cp);
/* What the start-up line says: relayed addresses of family index fi (0
 * IPv4, 1 IPv6) and the allocations one dp worker holds. */
unsigned int cp_alloc_nrelay(const struct cp_ctx *cp, unsigned int fi);
uint32_t cp_alloc_worker_cap(const struct cp_ctx *cp);
/* alloc's running sums for the metrics (never a walk over the
 * allocations): all zero without a turn group. */
struct cp_alloc_totals {
	uint32_t allocs;              /* live */
	uint32_t allocs_tcp;          /* of those, with a TCP or TLS client leg */
	uint32_t allocs_limited;      /* of those, with a bandwidth limit */
	uint32_t worker[IPC_MAX_WORKERS];     /* live, per worker */
	uint64_t done[IPC_ALLOC_STATS_N];     /* what finished ones relayed */
	uint64_t live[IPC_ALLOC_STATS_N];     /* what live ones relayed */
	uint32_t tenant[TP_CONF_MAX_TENANTS + 1]; /* live, per tenant index */
	/* what each tenant's finished and live allocations relayed */
	uint64_t tenant_all[TP_CONF_MAX_TENANTS + 1][IPC_ALLOC_STATS_N];
};
void cp_alloc_totals(const struct cp_ctx *cp, struct cp_alloc_totals *t);
/* The clocks moved on: now_ms to mono_ms (never backwards), wall_ms to
 * wall_ms (which may step either way: it times nothing), and the timer
 * wheel to now_ms, firing what expired. */
void cp_time_advance(struct cp_ctx *cp, uint64_t mono_ms, uint64_t wall_ms);
/* Ask every worker for per-allocation counters (answers come as STATS). */
void cp_request_stats(struct cp_ctx *cp);
/* Operator: remove allocation id now. -ENOENT if unknown. */
int cp_alloc_kill(struct cp_ctx *cp, uint64_t id);
/* Iterate live allocations: *cursor starts at 0. */
struct cp_alloc *cp_alloc_next(struct cp_ctx *cp, uint32_t *cursor);
/* What allocation a relayed, in IPC_ALLOC_STATS order (packets and bytes
 * from the client, to the peer, from the peer, to the client): dp's UDP
 * counters and its RFC 6062 connections' bytes (a stream: no packets). */
void cp_alloc_traffic(const struct cp_alloc *a, uint64_t out[IPC_ALLOC_STATS_N]);
/* Bytes of an RFC 6062 connection pair that ended (dp's GONE): b[4], from
 * the client, to the peer, from the peer, to the client; counted with
 * allocation id, or with the finished allocations' when it went first. */
void cp_alloc_tcp_gone(struct cp_ctx *cp, uint64_t id, const uint64_t b[4]);
/* fn(arg) hears every allocation event from now on (struct cp_alloc_ev),
 * after those registered before it. 0, or -ENOSPC (CP_ALLOC_OBSERVERS).
 * A module registers in its setup, before or after cp_alloc_init(). */
int cp_alloc_observe(struct cp_ctx *cp, cp_alloc_observer_fn fn, void *arg);
/* fn(arg) hears nothing more (a module's fini). */
void cp_alloc_unobserve(struct cp_ctx *cp, cp_alloc_observer_fn fn, void *arg);
/* fn(arg) decides the quota across boxes of every Allocate from now on
 * (none: every one ALLOW). 0, or -EBUSY while another decides; fn NULL:
 * none decides again. */
int cp_alloc_quota_hook(struct cp_ctx *cp, cp_alloc_quota_fn fn, void *arg);

/* Count an error response of this code (err_by_code). */
void cp_count_error(struct cp_ctx *cp, uint16_t code);

/* ---- the dp link (cp_dp.c) -------------------------------------------- */

/* Every message to dp goes through cp_dp_send() (cp_dp.h): the room rule
 * (CP_RING_HEADROOM), lib/ipc's check and the counters are there. */

/* A message from dp worker w that passed ipc_msg_check(IPC_DP2CP): a
 * STATE_DONE to cp_dp itself (the end of a worker's answer to
 * cp_request_state()), anything else to the module that registered its
 * kind (cp_dp_on_kind()), or counted as ipc_unhandled. */
void cp_handle(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
/* Ask every worker for its state (cp just started): a SYNC naming this
 * cp's epoch, which each module of dp answers with its state (alloc's
 * STATE_ALLOC, agw's AGW_STATE, ...) and dp ends with a STATE_DONE. Sends
 * what the rings take now, the rest on later calls (cp->sync_unsent);
 * cp->state_wait loses a worker's bit at its STATE_DONE (cp_dp.c). */
void cp_request_state(struct cp_ctx *cp);

/* ---- the segment (cp_ipc.c) -------------------------------------------- */

/* A running dp that read another relayed-port range (or worker count)
 * than this cp: said in the log, cp's side of the segment withdrawn, and
 * true (cp must not serve). */
bool cp_sides_disagree(struct cp_ctx *cp);

/* ---- the operator API (api/api_module.c) ----------------------------- */
/* Every module's commands (cp_modules_commands(): each module registers
 * its own through its descriptor), then the socket published: 0, or
 * -errno with err saying why (the API module's setup). */
int cp_api_commands_register(struct cp_ctx *cp, char *err, size_t errlen);
/* users.* and secrets.* (auth/auth_commands.c): auth's module's commands;
 * and its part of a reload (auth/auth_reload.c). */
int cp_auth_commands(struct cp_ctx *cp);
extern const struct cp_module_reload cp_auth_reload;
/* The peer policy of conf (its cp.peers) with this box's addresses from
 * the running configuration; NULL with err set (policy/policy_module.c:
 * made at start, again by a reload). */
struct cp_policy *cp_policy_build(const struct cp_ctx *cp, const struct tp_conf *conf,
				  char *err, size_t errlen);
/* The same from another group's policy (agw.peers; what names it in err). */
struct tp_conf_peers;
struct cp_policy *cp_policy_build_from(const struct cp_ctx *cp, const struct tp_conf *conf,
				       const struct tp_conf_peers *c, const char *what,
				       char *err, size_t errlen);
/* The peer policies of conf's tenants that have a peers group into
 * out[i] for tenant i + 1 (NULL for the others, and every slot past
 * conf's tenants); 0, or -EINVAL with err set and nothing left in out.
 * cp_policy_tenants_free() frees what it made. */
int cp_policy_build_tenants(const struct cp_ctx *cp, const struct tp_conf *conf,
			    struct cp_policy *out[TP_CONF_MAX_TENANTS], char *err, size_t errlen);
void cp_policy_tenants_free(struct cp_policy *p[TP_CONF_MAX_TENANTS]);
/* Do two peers groups of the file say different things? (a reload says
 * which policy changed) */
bool cp_policy_peers_differ(const struct tp_conf_peers *a, const struct tp_conf_peers *b);

/*
 * Re-read the configuration file (reload.c): what can change live does,
 * each module applying its own settings (their reload hooks,
 * cp_module_types.h), what cannot is named from lib/conf's table; a file
 * that does not load, or a change that cannot be applied whole, changes
 * nothing. resp (or NULL: SIGHUP, the log only) gets "changed": [...],
 * "restart_needed": [...] or "error". Returns 0 or -errno.
 */
struct json_object;
int cp_reload(struct cp_ctx *cp, struct json_object *resp);
/* A line of what a reload did, from a module's apply: into the answer's
 * "changed" (or, with restart, "restart_needed") and the log's line. */
void cp_reload_say(struct cp_reload_notes *r, bool restart, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "192.0.2.1:3478" or "[2001:db8::1]:3478" into a; 0 or -EINVAL. And
 * back (api/api_cmd.c). */
int cp_parse_hostport(const char *s, struct stun_addr *a);
void cp_hostport_str(const struct stun_addr *a, char *buf, size_t size);

/* The live allocation of a 5-tuple, or NULL (alloc/alloc.c). */
struct cp_alloc *cp_alloc_find_tuple(struct cp_ctx *cp, const struct ipc_tuple *t);
/* The live allocation of cp's id id, or NULL. */
struct cp_alloc *cp_alloc_find_id(struct cp_ctx *cp, uint64_t id);

/*
 * The pair's standby (issue 69, cp/ha): m's allocation into the table and
 * into the passive dp, new or whole again (lifetime, limit, bindings,
 * OAuth sessions, tid, mobility, forward: what the active box holds now;
 * one moved, on another worker or relayed elsewhere is made again; one
 * of another id on its tuple or a relayed address of its is ended
 * first). What the peer sent is held to this box's configuration first:
 * -EINVAL (nothing changed) for a worker this box has not, a transport
 * cp_alloc_mirrorable() refuses, a relayed address not this box's (or
 * not of the tuple's tenant, or outside turn.relay_ports), bindings cp
 * would not make (two peers on one channel, two channels to one peer,
 * two permissions for one IP, past CP_MAX_PERMS or CP_MAX_CHANNELS), a
 * forward without mobility or to its own worker, a peer of a family it
 * does not relay or not in its canonical form. Each binding passes this
 * box's own peer policy (cpa_peer_judge(), as CreatePermission's and
 * ChannelBind's: cp.peers or the tenant's peers): one refused is
 * dropped, counted in *refused (NULL: not) and policy_refused. Its
 * lifetime and its
 * bindings' are clamped to cp.lifetime_max_s, cp.perm_lifetime_s and
 * cp.chan_lifetime_s from now. 0, -ENOTSUP (no turn group), or
 * cpa_alloc_restore()'s errno. What dp's ring cannot take now goes with
 * the reinstall pass.
 */
int cp_alloc_mirror_put(struct cp_ctx *cp, const struct cp_alloc_mirror *m,
			unsigned int *refused);
/* Whether an allocation of client tuple t (tcp_relay: RFC 6062's TCP
 * relay) can go to the pair's other box: UDP only (a TCP, TLS or DTLS
 * client's connection is this box's dp's). The active box sends no other,
 * the standby takes no other. */
bool cp_alloc_mirrorable(const struct ipc_tuple *t, bool tcp_relay);
/* The standby's allocation id ended on the active box: 0, -ENOENT. */
int cp_alloc_mirror_del(struct cp_ctx *cp, uint64_t id);
/* a's slot in the pool (0 .. cp_alloc_capacity() - 1): a bitmap's index. */
uint32_t cp_alloc_slot(const struct cp_ctx *cp, const struct cp_alloc *a);
/*
 * The ids this cp makes from now on are above floor (cp/ha: the pair's
 * active box under fencing token t gives t << HA_ID_SHIFT, so that no id
 * it makes is one the other box made under another token, mirrored or
 * not; a usage record's id is made of it). A floor below the ids made
 * already changes nothing: ids only grow.
 */
void cp_alloc_id_floor(struct cp_ctx *cp, uint64_t floor);

/* Whether name is a user of the configuration file (read-only). */
bool cp_conf_user(const struct cp_ctx *cp, const char *name);
/* The same for a tenant's users in the file (0: cp.users, as above). */
bool cp_conf_user_in(const struct cp_ctx *cp, unsigned int tenant, const char *name);
/* A user store just opened, into auth's tables (auth/auth_store.c; the
 * reader auth gives cp/store). 0 or -errno (s->err says why). */
int cp_auth_store_read(struct cp_ctx *cp, struct cp_store *s);
/* The tenant an operator names (cp/auth/auth_commands.c): NULL or
 * "default" is the default tenant (0), a tenants entry's name its index;
 * -ENOENT for any other name. */
int cp_auth_tenant_arg(const struct cp_ctx *cp, const char *name);

#endif /* CP_H */
