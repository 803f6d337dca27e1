/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's files among themselves, from the bottom up: the contexts'
 * table (agw_ctx.c) and the one place an id says its kind, what a kind
 * of context is (struct agw_kind_ops: agw_tcp.c, agw_rtp.c export theirs),
 * the rules of a TCP termination, the JSON door's faces and what they
 * share, what the C API (agw_api.c) and the kinds' renderers offer the
 * files above them, the RTP kind's own state. Nothing here is for
 * another module: cp_agw.h is the C API.
 */
#ifndef CP_AGW_INTERNAL_H
#define CP_AGW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"
#include "tp_conf_types.h"

struct cp_ctx;
struct json_object;

/* ---- agw_ctx.c: the contexts' table, every kind's ---- */

/* The kind of context id: the one place that reads it from an id (its
 * generation's bit, the same on the wire to dp). */
static inline unsigned int
agw_kind_of_id(uint64_t id)
{
	return cp_agw_id_is_rtp(id) ? CP_AGW_KIND_RTP : CP_AGW_KIND_TCP;
}

/* The generation bit every id of kind carries (agw_kind_of_id()'s,
 * backwards). */
static inline uint32_t
agw_gen_bit(unsigned int kind)
{
	return kind == CP_AGW_KIND_RTP ? CP_AGW_RTP_GEN_BIT : 0u;
}

/* t with per_worker slots a worker (0: none of its kind), or freed (its
 * contexts wiped: keys go with them). 0, -ENOMEM. */
int agw_table_init(struct cp_agw_table *t, unsigned int nworkers, uint32_t per_worker);
void agw_table_fini(struct cp_agw_table *t, unsigned int nworkers);
/* Context id, or NULL (a free slot, an id of an older generation, of a
 * kind this cp has none of). */
struct cp_agw_ctx *agw_ctx_of_id(struct cp_agw *g, uint64_t id);
/* A free slot of worker w, from where the last one taken left off: 0,
 * -ENOSPC. */
int agw_slot_find(const struct cp_agw_table *t, unsigned int w, uint32_t *slot);
/* The id slot of worker w gives its next context of kind (nothing taken). */
uint64_t agw_id_next(const struct cp_agw *g, unsigned int kind, unsigned int w, uint32_t slot);
/* Slot of id (agw_id_next()'s) taken: its generation, the search's
 * cursor, the counts; the context's common part filled (state FREE), its
 * kind's part zero. */
struct cp_agw_ctx *agw_ctx_take(struct cp_agw *g, uint64_t id, unsigned int door,
				unsigned int tenant, const char *label, uint64_t wall_ms);
/* c's slot free again (the counts; id 0, state FREE): its kind freed
 * what c held first. */
void agw_ctx_put(struct cp_agw *g, struct cp_agw_ctx *c);
/* The slot of id for a restarted cp's STATE of kind from worker w (NULL:
 * not one: another worker's, past the table, another kind's). It may be
 * free, hold id already, or another context (the kind frees it first). */
struct cp_agw_ctx *agw_state_slot(struct cp_agw *g, unsigned int kind, unsigned int w,
				  uint64_t id);
/* c (its slot agw_state_slot()'s, zeroed, its kind's part filled) is
 * context id of door and tenant again: the common part, the counts, the
 * slot's generation at least id's. */
void agw_ctx_restored(struct cp_agw *g, struct cp_agw_ctx *c, uint64_t id, unsigned int door,
		      unsigned int tenant, uint64_t wall_ms);
/* Live contexts of t of door (CP_AGW_DOORS: every door's) and tenant
 * (TP_CONF_MAX_TENANTS + 1: every tenant's), no walk. */
uint32_t agw_table_live(const struct cp_agw_table *t, unsigned int door, unsigned int tenant);

/* Server port p of agw.ports is a context's (used) or free. */
static inline void
agw_port_set(struct cp_agw *g, uint16_t p, bool used)
{
	if (used)
		g->ports_used[p / 64] |= 1ull << (p % 64);
	else
		g->ports_used[p / 64] &= ~(1ull << (p % 64));
}

static inline bool
agw_port_used(const struct cp_agw *g, uint16_t p)
{
	return (g->ports_used[p / 64] >> (p % 64)) & 1u;
}

/* Is a context of door and tenant (of any kind: the live counts are
 * every kind's) past a quota? 0, or -ENOSPC with the quota named in err
 * and counted. */
int agw_quota_check(struct cp_ctx *cp, enum cp_agw_door door, unsigned int tenant, char *err,
		    size_t errlen);
/* The serial c's next termination takes (nothing changed), and taking it
 * (once its message went to dp): 1, 2, ..., 65535, 1, ... */
uint16_t agw_serial_peek(const struct cp_agw_ctx *c);
uint16_t agw_serial_next(struct cp_agw_ctx *c);
/* One message of kind to dp worker w for context id, body (len bytes,
 * keys among them) copied and wiped after: through cp_dp_send(), leaving
 * CP_RING_HEADROOM free slots for answers to clients' requests. 0;
 * -ENOBUFS no room (nothing changed: try again); -EINVAL dp would refuse
 * it (a fault of cp's, logged by cp_dp). Every kind's sender. */
int agw_send(struct cp_ctx *cp, unsigned int w, uint16_t kind, uint64_t id, const void *body,
	     uint16_t len);
/* agw_send() without its first step: the yield's backlog for worker w
 * sent first (agw_rtp_yield_flush(); -ENOBUFS while any of it waits). */
int agw_send_now(struct cp_ctx *cp, unsigned int w, uint16_t kind, uint64_t id,
		 const void *body, uint16_t len);
/* The RTP_DELs of a step-down still waiting for room in worker w's ring
 * (the yield's backlog, docs/design/ha.md §4 S3) sent as the ring has
 * room, in their order: those still waiting (0: none, or no RTP
 * contexts). Cheap when none waits. */
uint32_t agw_rtp_yield_flush(struct cp_ctx *cp, unsigned int w);

/* ---- replies held until dp holds their changes (agw_held.c) ---- */

/* One reply that waits (fn NULL: a free slot). */
struct agw_hold {
	cp_agw_held_fn fn;
	void *arg;
	uint64_t workers;         /* bit w: it waits for worker w's FENCE_DONE */
	uint64_t need;            /* ... naming this count or more */
	uint64_t due_ms;          /* sent anyway then (CP_AGW_HOLD_MS) */
};

struct agw_held {
	uint64_t changes;                      /* changes sent (from this cp's epoch << 32) */
	uint64_t changed[IPC_MAX_WORKERS];     /* the count at a worker's last change */
	uint64_t fenced[IPC_MAX_WORKERS];      /* what its last FENCE carried */
	uint64_t done[IPC_MAX_WORKERS];        /* what its last FENCE_DONE named */
	uint64_t unsent;                       /* bit w: a FENCE its ring had no room for */
	unsigned int n;                        /* replies held */
	struct agw_hold wait[CP_AGW_HOLD_MAX];
};

/* Set-up (the count from cp->epoch) and its end: 0 or -ENOMEM. register:
 * dp's FENCE_DONE taken (cp_dp.h's error). */
int agw_held_init(struct cp_ctx *cp);
void agw_held_fini(struct cp_ctx *cp);
int agw_held_register(struct cp_ctx *cp);
/* A change went to worker w (agw_send()). */
void agw_held_changed(struct cp_agw *g, unsigned int w);
/* The loop's share: FENCEs a full ring refused sent again, the replies
 * past CP_AGW_HOLD_MS sent (-ETIMEDOUT). Replies sent. */
unsigned int agw_held_serve(struct cp_ctx *cp, uint64_t now_ms);
/* dp restarted: every held reply sent (-ECONNRESET), the FENCEs forgotten. */
void agw_held_dp_restart(struct cp_ctx *cp);

/* Event e (c's kind's: struct ipc_agw_event, struct ipc_rtp_event) of
 * known context c to its kind's observers, in their order. */
void agw_tell(struct cp_ctx *cp, const struct cp_agw_ctx *c, const void *e);
/* The event log's next line (agw.events reads it), of a context of kind
 * (c: it, NULL when this cp does not know it): its number, time, context
 * and, known, its door and tenant (whom agw.events shows it); the event's
 * own part (l->e, rtcp, silent_ms) zero for its kind to fill. */
struct cp_agw_event *agw_log_line(struct cp_ctx *cp, unsigned int kind, uint64_t id,
				  const struct cp_agw_ctx *c);

/* ---- a kind of context: its operations (agw_tcp.c, agw_rtp.c) ---- */

/*
 * What a kind of context does (VPP's transport_proto_vft_t, Linux's
 * struct proto_ops): agw_api.c finds a kind's by a spec's kind or an
 * id's (agw_kind_of_id()) and checks first what every kind checks; an
 * operation a kind has nothing to do for is one of agw_no_*() (Linux's
 * sock_no_*()). A new kind is a file that fills one of these, its part
 * of struct cp_agw_ctx and its spec and modify in cp_agw.h's unions,
 * and a row in agw_api.c's agw_kinds[] (its ids' bit: agw_gen_bit()).
 */
struct agw_kind_ops {
	const char *name;         /* "tcp", "rtp" */
	const char *slot;         /* what its sentences call a slot: "leg", "termination" */
	/* the sentences of a slot (%u) of a context (PRIu64) that holds a
	 * termination already, and of one that holds none */
	const char *slot_taken;
	const char *slot_none;
	uint16_t ipc_event;       /* dp's event and STATE messages of the kind */
	uint16_t ipc_state;
	/* its part of cp->agw from the configuration (its table without
	 * slots when it has none configured); 0, -ENOMEM, cp_dp's error */
	int (*init)(struct cp_ctx *cp);
	void (*fini)(struct cp_ctx *cp);
	/* can its contexts be made or changed (dp: and dp runs with them)?
	 * 0, or -ENODEV with err said */
	int (*ready)(struct cp_ctx *cp, bool dp, char *err, size_t errlen);
	/* does slot 0 or 1 of c hold no termination? */
	bool (*slot_empty)(const struct cp_agw_ctx *c, unsigned int slot);
	/* cp_agw.h's calls, ready() and the context's checks passed: c who's,
	 * not being released, spec and m of c's kind; slot 0 or 1, empty for
	 * add(), holding a termination for modify() and subtract() */
	int (*create)(struct cp_ctx *cp, const struct cp_agw_spec spec[2], uint32_t setup_ms,
		      const char *label, enum cp_agw_door door, unsigned int tenant,
		      struct cp_agw_ctx **out, char *err, size_t errlen);
	int (*add)(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int slot,
		   const struct cp_agw_spec *spec, uint32_t setup_ms, unsigned int *got, char *err,
		   size_t errlen);
	int (*modify)(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int slot,
		      const struct cp_agw_mod *m, char *err, size_t errlen);
	int (*subtract)(struct cp_ctx *cp, struct cp_agw_ctx *c, unsigned int slot, char *err,
			size_t errlen);
	int (*release)(struct cp_ctx *cp, struct cp_agw_ctx *c, char *err, size_t errlen);
	/* ipc_event, ipc_state from worker w (taken once init() gave it a
	 * table); dp restarted */
	void (*dp_event)(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
	void (*dp_state)(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
	void (*dp_restart)(struct cp_ctx *cp);
	/* the loop's share: work done */
	unsigned int (*serve)(struct cp_ctx *cp, uint64_t now_ms);
	/* what the operator reads: a context (cp_agw_json()), an event's
	 * type and what a log line of it says besides every line's, status's
	 * "agw" member's part, its metrics */
	struct json_object *(*json)(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg,
				    bool keys);
	const char *(*ev_name)(uint8_t type);
	void (*event_json)(const struct cp_ctx *cp, const struct cp_agw_event *l,
			   struct json_object *o);
	void (*status)(const struct cp_ctx *cp, struct json_object *o);
	void (*metrics)(const struct cp_ctx *cp, FILE *f);
};

/* The kinds: each file exports its operations alone. */
extern const struct agw_kind_ops agw_tcp_ops;
extern const struct agw_kind_ops agw_rtp_ops;

/* What a kind without work in the loop, or without metrics of its own,
 * has in their place (agw_ctx.c). */
unsigned int agw_no_serve(struct cp_ctx *cp, uint64_t now_ms);
void agw_no_metrics(const struct cp_ctx *cp, FILE *f);

/* ---- agw_rules.c: the rules every door's termination goes through ---- */

/*
 * Termination t for slot i, as a door gave it, checked and completed
 * (a client's source address from the route): the TLS group for TLS,
 * agw.peers for its remote, what each TCP role needs, dp's addresses,
 * the fingerprint rules (RFC 8122's strongest hash; sha-1 alone only
 * with agw.allow_sha1), accept_any's. 0, -EINVAL or -EACCES (agw.peers)
 * with err said.
 */
int agw_term_check(struct cp_ctx *cp, unsigned int i, struct ipc_agw_term *t, bool accept_any,
		   char *err, size_t errlen);
/*
 * A Modify of slot i from termination cur (its leg in state, enum
 * cp_agw_leg_state) to n, n checked by agw_term_check() already: who may
 * take the leg only narrows. Every fingerprint of n is one cur holds
 * (they came from the Add); a TLS leg taken (up, or down since) keeps
 * its remote and fingerprints. 0, or -EPERM with err said.
 */
int agw_mod_check(unsigned int i, const struct ipc_agw_term *cur, uint8_t state,
		  const struct ipc_agw_term *n, char *err, size_t errlen);

/* ---- the JSON door (agw_json.c): its kinds' faces, what they share ---- */

/*
 * A kind's face at the JSON door (agw_tcp_face, agw_rtp_face): what a
 * create of its legs, and a leg command, show or release of a context of
 * the kind, read of the request (the kind's form of a leg and of a
 * modify) and answer. agw_json.c finds one by the legs (an "rtp" member)
 * or the context's id (agw_kind_of_id()).
 */
struct agw_json_face {
	int (*create)(struct cp_ctx *cp, struct json_object *req, struct json_object *legs,
		      struct json_object *resp, const char **error);
	int (*add)(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		   const char **error);
	int (*modify)(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		      const char **error);
	int (*subtract)(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
			const char **error);
	int (*show)(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		    const char **error);
	int (*release)(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		       const char **error);
};

extern const struct agw_json_face agw_tcp_face;       /* agw_tcp_json.c */
extern const struct agw_json_face agw_rtp_face;       /* agw_rtp_json.c */
/* Does agw.create's "legs" hold RTP legs (a leg with "rtp")? */
bool agw_rtp_legs(struct json_object *legs);

/* agw_json_read.c: what both faces read and answer alike. */

/* What a leg's "dscp" and "police" say (each absent: its *_set false). */
struct agw_qos_in {
	bool dscp_set, pol_set;
	uint8_t dscp;
	uint32_t pol_rate, pol_burst;
};

/* "192.0.2.1", "192.0.2.1:5000", "2001:db8::1", "[2001:db8::1]:5000". */
int agw_parse_addr(const char *s, struct ipc_addr *a);
/* An integer member of o in [lo, hi] into *out: 1, 0 absent, -1 not so. */
int agw_json_uint(struct json_object *o, const char *name, int64_t lo, int64_t hi, int64_t *out);
/* Leg i's "dscp" and "police" of o into q (*error said on -EINVAL). */
int agw_parse_qos(struct cp_ctx *cp, struct json_object *o, unsigned int i, struct agw_qos_in *q,
		  const char **error);
/* "id" (required) and "leg" (0 or 1; absent: dflt, AGW_LEG_REQUIRED: an
 * error) of a leg command. 0, or -EINVAL with *error said. */
#define AGW_LEG_REQUIRED 0xfeu
int agw_parse_id_leg(struct cp_ctx *cp, struct json_object *req, unsigned int dflt, uint64_t *id,
		     unsigned int *leg, const char **error);
/* "tenant" of req: its index (absent: 0). */
int agw_parse_tenant(struct cp_ctx *cp, struct json_object *req, int *tenant, const char **error);
/* Who asks: the JSON door, the tenant req names, the operator or not. */
int agw_caller_of(struct cp_ctx *cp, struct json_object *req, struct cp_agw_caller *who,
		  const char **error);
/* Context c (cp_agw_json(): alg, keys) as a command's answer, its members
 * in resp. */
void agw_answer(struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg, bool keys,
		struct json_object *resp);
/* The C API's answer: rc, and its sentence (err) as the command's error. */
int agw_api_rc(struct cp_ctx *cp, int rc, const char *err, const char **error);

/* ---- agw_api.c: the C API over the kinds ---- */

/* Kind's operations (CP_AGW_KIND_TCP past the kinds). */
const struct agw_kind_ops *agw_kind(unsigned int kind);
/* One line of the event log as JSON (agw.events): what every line says,
 * its kind's event_json's, each termination's octets. */
struct json_object *agw_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l);
/* Every kind's metrics (its metrics operation). */
void agw_kinds_metrics(const struct cp_ctx *cp, FILE *f);

/* ---- agw_tcp_render.c: TCP contexts as the operator reads them ---- */

/* enum cp_agw_state's name as a TCP context's state says it. */
const char *agw_state_name(uint8_t s);
struct json_object *agw_tcp_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg,
				 bool keys);
const char *agw_tcp_ev_name(uint8_t type);
void agw_tcp_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l,
			struct json_object *o);
void agw_tcp_status(const struct cp_ctx *cp, struct json_object *o);

/* ---- agw_rtp_render.c: RTP contexts in JSON ---- */

#define AGW_RTP_PROFILES 5u
#define AGW_RTP_MODES 4u
#define AGW_RTP_SIDES 3u
#define AGW_RTP_SUITES 9u
#define AGW_RTP_LATCHES 4u
/* The JSON door's latching when a leg does not say (or says "latch":
 * true): the relatch rule, as Iq's ipnapt/latch, since the door has gm to
 * bound who may latch (docs/agw.md). */
#define AGW_JSON_LATCH_DEFAULT IPC_RTP_LATCH_RELATCH
/* By number: enum ipc_rtp_profile ("RTP/AVP", ...), the mode's two bits
 * ("sendrecv", ...), enum cp_agw_rtp_side ("route", ...), lib/sdp's enum
 * sdp_suite (RFC 4568, RFC 6188, RFC 7714: "AES_CM_128_HMAC_SHA1_80", ...). */
extern const char *const agw_rtp_profile_names[AGW_RTP_PROFILES];
extern const char *const agw_rtp_mode_names[AGW_RTP_MODES];
extern const char *const agw_rtp_side_names[AGW_RTP_SIDES];
extern const char *const agw_rtp_suite_names[AGW_RTP_SUITES];
/* lib/ipc's enum ipc_rtp_latch ("off", "relatch", "strict", "handover") */
extern const char *const agw_rtp_latch_names[AGW_RTP_LATCHES];
/* n octets of in as base64 (RFC 4648 section 4) into out (4 * (n + 2) / 3
 * + 1 bytes), and back: s into out (at most max octets), its length or -1. */
void agw_b64_encode(const uint8_t *in, size_t n, char *out);
int agw_b64_decode(const char *s, uint8_t *out, size_t max);
/* A termination's figures as JSON. */
struct json_object *agw_rtp_stats_json(const struct cp_ctx *cp, const struct ipc_rtp_stats *s);
struct json_object *agw_rtp_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg,
				 bool keys);
/* enum ipc_rtp_ev_type's name in the log ("rtp_latched", ...). */
const char *agw_rtp_ev_name(uint8_t type);
void agw_rtp_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l,
			struct json_object *o);
void agw_rtp_status(const struct cp_ctx *cp, struct json_object *o);
/* turnpike_agw_rtp_*: its counters and live contexts by door and tenant. */
void agw_rtp_metrics(const struct cp_ctx *cp, FILE *f);

/* ---- agw_rtp.c: the RTP contexts (cp_agw_rtp.h) ---- */

/* One of dp's addresses a termination may be on (ports' own, relayed). */
struct agw_rtp_addr {
	uint8_t family;
	uint8_t ip[16];
	uint8_t port;             /* its index in dp.ports */
	bool relayed;             /* relay_ipv4/relay_ipv6 (else the port's own) */
};

enum agw_rtp_stat {
	AGW_RTP_CREATED, AGW_RTP_REFUSED, AGW_RTP_RELEASED, AGW_RTP_SETUP_FAILED,
	AGW_RTP_TERMS_ADDED, AGW_RTP_TERMS_MODIFIED, AGW_RTP_TERMS_SUBTRACTED, AGW_RTP_LATCHED,
	AGW_RTP_INACTIVE, AGW_RTP_RESTORED, AGW_RTP_READDED, AGW_RTP_STATS_ASKED,
	AGW_RTP_STATS_TIMEOUT, AGW_RTP_EVENTS_UNKNOWN, AGW_RTP_EVENTS_STALE, AGW_RTP_KEYS_MADE,
	AGW_RTP_POS_ASKED, AGW_RTP_KEYS_REFUSED, AGW_RTP_ICE_MADE, AGW_RTP_NOMINATED,
	AGW_RTP_CONSENT_LOST, AGW_RTP_CONSENT_REGAINED, AGW_RTP_DTLS_UP, AGW_RTP_DTLS_FAILED,
	AGW_RTP_DTLS_STALE, AGW_RTP_DTLS_ASSOC, AGW_RTP_DTLS_CERTS, AGW_RTP_BDL_CLASH_EVENTS,
	AGW_RTP_BDL_CLASHES,
	AGW_RTP_STAT__COUNT
};

#define AGW_RTP_ADDRS (2u * TP_CONF_MAX_PORTS + 2u * TP_CONF_MAX_RELAY)

/* When an SRTP context's figures are due again, after st_ms: its busiest
 * direction moved pkts packets in the ms before. */
uint64_t agw_rtp_pos_due(uint64_t st_ms, uint64_t pkts, uint64_t ms);

struct agw_rtp_req {
	uint32_t req;             /* 0: a free entry */
	uint32_t wire;            /* the number dp answers (one request to dp
				   * a context at a time: others wait on it) */
	uint64_t id;
	uint64_t deadline_ms;
	cp_agw_rtp_stats_fn fn;
	void *arg;
};

/* The RTP kind's own (struct cp_agw's rtp): dp's addresses and the ports
 * taken on each, its counters, the statistics requests waiting for dp,
 * what a restarted dp is given again. Its contexts are struct cp_agw's
 * tab[CP_AGW_KIND_RTP]. */
struct agw_rtp_state {
	unsigned int nworkers;
	uint16_t port_min, port_max;
	unsigned int naddr;
	struct agw_rtp_addr addr[AGW_RTP_ADDRS];
	/* ports taken, a bitmap of words per address over [port_min, port_max] */
	uint64_t *used;
	uint32_t words;
	/* ports taken on each address in each worker's share (naddr x
	 * nworkers): a full address is passed over without a scan of its
	 * bitmap, which a pool of many addresses would cost every set-up */
	uint32_t *nused;
	uint64_t stats[AGW_RTP_STAT__COUNT];
	uint64_t released_by[IPC_AGW_CAUSE_MAX + 1];
	struct agw_rtp_req req[CP_AGW_RTP_STATS_PENDING];
	uint32_t next_req;
	/* after a dp restart: the next slot to install again (SIZE_MAX: none),
	 * in two passes: owners and unbundled contexts (0), then BUNDLE
	 * members (1), whose owner dp must hold first */
	size_t readd_next;
	uint8_t readd_pass;
	/* the last takeover's install (cp_agw_rtp_takeover_figures()): when
	 * the role turned active (cp's ms), cp/agw's change count then, the
	 * contexts taken, ms until the last RTP_ADD was in a ring and until
	 * dp held it (-1: not yet); sending: the readd not done yet */
	struct {
		uint64_t at_ms;
		uint64_t since;
		uint32_t n;
		int64_t sent_ms;
		int64_t installed_ms;
		bool sending;
	} take;
	/* BUNDLE: a restarted cp's RTP_STATE brought bundled terminations:
	 * the owners' members[] are to be rebuilt (agw_rtp_bundle_sync()) */
	bool bundle_dirty;
	/* the next slot whose SRTP positions may be due (pos_refresh()) */
	size_t pos_next;
	/* emergency contexts each door holds past its quotas (agw.quota.emergency) */
	uint32_t emergency_over[CP_AGW_DOORS];
	/* what the contexts' memories of their SRTP keys are digested under
	 * (agw_rtp_keys.c): drawn at set-up, wiped at exit */
	uint8_t key_secret[32];
	/* DTLS-SRTP: the certificates dp served (DTLS_CERT; [0] the current
	 * one, [1] the one before it; nfp 0: none), and the handshakes' ends
	 * by the context's door and tenant: UP by the role dp took (client,
	 * server), FAILED by why (dp/tls/tls_fails.def's) */
	struct ipc_dtls_cert dtls_cert[2];
	uint64_t dtls_up[CP_AGW_DOORS][TP_CONF_MAX_TENANTS + 1][2];
	uint64_t dtls_fail[CP_AGW_DOORS][TP_CONF_MAX_TENANTS + 1][IPC_RTP_DTLS_WHY_MAX + 1];
	/* ICE consent (RFC 7675) lost on an RTP termination's nominated
	 * pair, by the context's door and tenant */
	uint64_t consent_lost[CP_AGW_DOORS][TP_CONF_MAX_TENANTS + 1];
	/* the yield's backlog (cp_agw_rtp_mirror_yield(), docs/design/ha.md
	 * §4 S3): ids of contexts held since this box stepped down whose
	 * RTP_DEL the ring to dp had no room for yet, in the order they go
	 * (BUNDLE members first); nothing else goes to their worker before
	 * them (agw_send(), agw_rtp_yield_flush()). One a slot at most (a
	 * slot's next context reaches dp only behind it): ydel has the
	 * table's slots. ydue: how many are each worker's. */
	uint64_t *ydel;
	size_t nydel;
	uint32_t ydue[IPC_MAX_WORKERS];
};

/* ---- agw_rtp_ice.c: ICE on a termination, cp's part ---- */

/* Are s's n octets ice-chars (RFC 8839 §5.4)? */
bool agw_rtp_ice_chars(const char *s, size_t n);
/* A door's ICE for termination i (x, in its spec) judged: off and all
 * zero, or lite with our ufrag and pwd both given or both left to cp
 * (0), the peer's ufrag given or not, each within lib/ipc's bounds and of
 * ice-chars; the pair nominated before zeroed (cp's, for a restarted dp).
 * 0, or -EINVAL with a sentence. */
int agw_rtp_ice_form(unsigned int i, struct ipc_rtp_ice *x, char *err, size_t errlen);
/* x's fields from a door's strings (each NULL: as it is; peer_ufrag "":
 * not known), judged as agw_rtp_ice_form() judges. 0 or -EINVAL. */
int agw_rtp_ice_set(unsigned int i, struct ipc_rtp_ice *x, const char *ufrag, const char *pwd,
		    const char *peer_ufrag, char *err, size_t errlen);
/* Our ufrag and pwd for x (lite, left to cp) from getrandom(). 0 or
 * -EAGAIN. */
int agw_rtp_ice_make(struct agw_rtp_state *r, struct ipc_rtp_ice *x);
/* A modify's ICE (m's ice_* fields) applied to termination i's x: on,
 * off, a restart's new credentials (given, or made), the peer's ufrag;
 * the pair nominated before zeroed. 0, or -EINVAL, -EAGAIN with a
 * sentence, x as it was. */
int agw_rtp_ice_modify(struct agw_rtp_state *r, unsigned int i, struct ipc_rtp_ice *x,
		       const struct cp_agw_rtp_mod *m, char *err, size_t errlen);

/* ---- agw_rtp_dtls.c: DTLS-SRTP on a termination, cp's part (cp_agw_rtp.h's rule) ---- */

/*
 * A door's DTLS-SRTP for termination i (d, its spec's; t the termination
 * as term_form() left it) judged and made lib/ipc's: t->dtls (the role,
 * the strongest hash's fingerprints, the profiles, sha-1 allowed, our
 * certificate's generation, association 1) and *st (our a=setup, our
 * tls-id made, the peer's fingerprints and tls-id as signalled). setup
 * OFF: both all zero. 0; -EINVAL with a sentence; -EAGAIN no DTLS_CERT
 * from dp yet, or no random octets.
 */
int agw_rtp_dtls_form(struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_dtls *d,
		      struct ipc_rtp_term *t, struct cp_agw_rtp_dtls_st *st, char *err,
		      size_t errlen);
/*
 * A modify's DTLS-SRTP (d: the peer's SDP again) applied to termination
 * i's t (a copy: what RTP_MOD will carry) and st (a copy of what cp
 * keeps) by RFC 8842 §5: the answer to our OFFER, or the same
 * fingerprints and tls-id, keep the association; else assoc + 1, the
 * roles anew, a new tls-id of ours (counted). Keys stay as they are (dp's
 * old ones serve until the new handshake's). 0, -EINVAL, -EAGAIN with a
 * sentence; t and st as they were then.
 */
int agw_rtp_dtls_modify(struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_dtls *d,
			struct ipc_rtp_term *t, struct cp_agw_rtp_dtls_st *st, char *err,
			size_t errlen);
/* What a restarted cp makes of termination t's DTLS-SRTP as dp gave it
 * back (RTP_STATE): our a=setup from the role, our tls-id (t->dtls's),
 * the peer's fingerprints dp checks, UP when dp holds the association's
 * keys; the peer's tls-id "" (t->dtls holds its digest, which a
 * re-offer's is compared with: RFC 8842 §5). */
void agw_rtp_dtls_restored(const struct ipc_rtp_term *t, struct cp_agw_rtp_dtls_st *st);
/* dp's DTLS_CERT and RTP_DTLS (cp_dp's handlers): a certificate kept
 * (two generations), a handshake's end applied to its termination (the
 * keys kept as SDES keys are; the body wiped), logged, counted, told. */
void agw_rtp_dtls_cert_msg(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
void agw_rtp_dtls_msg(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
/* Names: dp/tls/tls_fails.def's reason (why 1..IPC_RTP_DTLS_WHY_MAX),
 * our a=setup (enum cp_agw_dtls_our_setup); "unknown" past them. */
const char *agw_rtp_dtls_why_name(unsigned int why);
const char *agw_rtp_dtls_setup_name(unsigned int setup);
/* Termination i of c's DTLS-SRTP as the operator and the door read it
 * (never a key), our fingerprint of hash alg (lib/certfp's; 0:
 * sha-256); NULL without DTLS-SRTP. */
struct json_object *agw_rtp_dtls_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c,
				      unsigned int i, int alg);
/* turnpike_agw_dtls_handshakes_total{door,tenant,role},
 * turnpike_agw_dtls_failures_total{door,tenant,reason}. */
void agw_rtp_dtls_metrics(const struct cp_ctx *cp, FILE *f);

/* ---- agw_rtp_bundle.c: BUNDLE groups, cp's part (cp_agw_rtp.h, RFC 9143) ---- */

/*
 * A door's BUNDLE for termination i (spec's bundle; t the termination as
 * term_form() has it, *t's bundle set here) of a context of door and
 * tenant (self: its id, 0 at a create), with other the context's other
 * termination (NULL: none): none, all zero; an OWNER; a MEMBER of its
 * owner's (found, *owner: NULL else), its transport's fields zeroed
 * (latching, the local address's family) or refused (a remote, a port,
 * gm, ICE, DTLS, a key of its own), its keys its owner's shape with no
 * key octet. 0; -EINVAL, -ENOENT (an owner unknown), -ENOSPC (a full
 * group) with a sentence; nothing kept.
 */
int agw_rtp_bundle_form(struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_spec *spec,
			unsigned int door, unsigned int tenant, uint64_t self,
			const struct ipc_rtp_term *other, struct ipc_rtp_term *t,
			struct cp_agw_ctx **owner, char *err, size_t errlen);
/* Is t a BUNDLE member (no port, address or key octet of its own)? */
static inline bool
agw_rtp_is_member(const struct ipc_rtp_term *t)
{
	return t->profile != IPC_RTP_NONE && t->bundle.role == IPC_RTP_BUNDLE_MEMBER;
}
/* Is what dp says of c not of the context cp holds: one held for a
 * takeover (the peer's), or one this box yielded whose RELEASED has not
 * come back (cp_agw_rtp_mirror_yield(): the old dp's)? */
static inline bool
agw_rtp_not_dps(const struct cp_agw_ctx *c)
{
	return c->rtp.mirror || c->rtp.yielded > 0;
}
/* Member context id joins owner's members[] (room checked by
 * agw_rtp_bundle_form()). */
void agw_rtp_bundle_join(struct cp_agw_ctx *owner, uint64_t id);
/* c's termination i, a member, leaves its owner's members[] (its slot
 * emptied: a subtract, dp's SUBTRACTED, the context's end). */
void agw_rtp_bundle_leave(struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int i);
/* Owner c's live members (those not being released), into ids (at most
 * CP_AGW_RTP_BUNDLE_MAX - 1): how many. */
unsigned int agw_rtp_bundle_live(const struct cp_ctx *cp, const struct cp_agw_ctx *c, uint64_t *ids);
/* The context whose termination member t names as its owner (NULL: none
 * now). */
struct cp_agw_ctx *agw_rtp_bundle_owner_of(const struct cp_ctx *cp, const struct ipc_rtp_term *t);
/* Member t's SRTP keys as its owner ot holds its own now: the suite, its
 * length, MKI and window, no key octet, no position (all zero while ot
 * has no key: a DTLS-SRTP owner before its handshake). */
void agw_rtp_bundle_keys(const struct ipc_rtp_term *ot, struct ipc_rtp_term *t);
/* A modify's bundle b (a re-offer: the section's payload types and
 * signalled SSRCs again) into termination i of c (t: what RTP_MOD will
 * carry): its role, owner, mid and MID extension as t has them, the new
 * payload types and SSRCs none of another section's. 0; -EINVAL with a
 * sentence, t as it was. */
int agw_rtp_bundle_modify(struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int i,
			  const struct cp_agw_rtp_bundle *b, struct ipc_rtp_term *t, char *err,
			  size_t errlen);
/* Every owner's members[] anew from its terminations' bundle fields,
 * when a restarted cp's RTP_STATE brought any (r->bundle_dirty). */
void agw_rtp_bundle_sync(struct cp_ctx *cp);
/* Termination i of c's BUNDLE as JSON (NULL: none): its role, mid, MID
 * extension, payload types and SSRCs; an owner's members, a member's
 * owner and the transport's address (what the Local SDP names). */
struct json_object *agw_rtp_bundle_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c,
					unsigned int i);

/* ---- agw_rtp_keys.c: the SRTP keys a context takes (RFC 3711 section 9.1) ---- */

/* r's secret drawn (getrandom()): 0, -EIO; and wiped. */
int agw_rtp_keys_init(struct agw_rtp_state *r);
void agw_rtp_keys_fini(struct agw_rtp_state *r);
/*
 * The one rule every door's SRTP key goes through, whoever gave it: may
 * context c (NULL: one being created, nothing used yet) hold next[0] and
 * next[1], its terminations as a create, add or modify would leave them
 * (profile 0: an empty slot; our key of key_len 0: one cp will make)?
 * fresh (0 or 1; 2: none) is a slot whose termination is to be replaced
 * (a door's subtract and add): what it holds now is not held then. No two
 * of their keys are one key (their octets, whatever the suite or MKI:
 * ours to a termination and its remote's to us, any of one termination
 * and any of the other). A key c has used (its memory: those held, and
 * those of terminations subtracted since, each with its slot and
 * direction) is taken again as the key its termination holds for that
 * direction now (a re-offer, a Modify that repeats it) and, a remote's
 * key, by the slot whose remote held it (a fork's branch answering
 * again, a re-INVITE going back): never as our key, nor as a remote's
 * that was ours or the other slot's. 0; -EKEYREJECTED with the keys
 * named in err (never the key); -ENOSPC the context's memory is full
 * (CP_AGW_RTP_KEYS); -EIO no digest. Changes nothing but r's count of
 * refusals. A DTLS-SRTP termination's keys are not judged, nor kept in
 * the memory: no party chose them (its handshake made them, RFC 5764
 * §4.2), and a new association's are new ones.
 */
int agw_rtp_keys_check(struct agw_rtp_state *r, const struct cp_agw_ctx *c, unsigned int fresh,
		       const struct ipc_rtp_term next[2], char *err, size_t errlen);
/* c's terminations' keys (as c holds them now, ours made) kept in its
 * memory. */
void agw_rtp_keys_keep(const struct agw_rtp_state *r, struct cp_agw_ctx *c);

#endif /* CP_AGW_INTERNAL_H */
