/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's files among themselves: what one of them defines and another
 * calls, and the table helpers several run. Nothing here is for another
 * module: cp_agw.h is the C API.
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

/* Context id, or NULL (a free slot, or an id of an older generation). */
static inline struct cp_agw_ctx *
agw_ctx_of_id(struct cp_agw *g, uint64_t id)
{
	unsigned int w = ipc_conn_worker(id);
	uint32_t slot = ipc_conn_slot(id);
	struct cp_agw_ctx *c;

	if (id == 0 || w >= g->nworkers || slot >= g->per_worker)
		return NULL;
	c = &g->ctx[(size_t)w * g->per_worker + slot];
	return c->id == id ? c : NULL;
}

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

/* Context c holds a slot (d +1) or no longer does (d -1): the live
 * counts by door and tenant the quotas read. The door's row as
 * struct cp_agw's live says; a tenant is bounded by whoever set it
 * (cp_agw_create(), cp_agw_state()). */
static inline void
agw_live_count(struct cp_agw *g, const struct cp_agw_ctx *c, int d)
{
	unsigned int door = c->door < CP_AGW_DOORS ? c->door : CP_AGW_DOORS;
	unsigned int t = c->tenant <= TP_CONF_MAX_TENANTS ? c->tenant : 0;

	g->live[door][t] = (uint32_t)((int64_t)g->live[door][t] + d);
}

/* ---- cp_agw.c: the contexts and the C API ---- */

/* Is a context of door and tenant (TCP or RTP: live[][] counts both)
 * past a quota? 0, or -ENOSPC with the quota named in err. */
int agw_quota_check(struct cp_ctx *cp, enum cp_agw_door door, unsigned int tenant, char *err,
		    size_t errlen);

/* Slot i of c is empty again (its server port free). */
void agw_slot_clear(struct cp_agw *g, struct cp_agw_ctx *c, unsigned int i);

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

/* ---- agw_json.c: the JSON door's readers, agw_rtp_json.c's too ---- */

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
/* "tenant" of req: its index (absent: 0). */
int agw_parse_tenant(struct cp_ctx *cp, struct json_object *req, int *tenant, const char **error);
/* Who asks: the JSON door, the tenant req names, the operator or not. */
int agw_caller_of(struct cp_ctx *cp, struct json_object *req, struct cp_agw_caller *who,
		  const char **error);

/* ---- agw_rtp_json.c: RTP contexts at the JSON door ---- */

/* Does agw.create's "legs" hold RTP legs (a leg with "rtp")? */
bool agw_rtp_legs(struct json_object *legs);
/* agw.create of RTP legs; agw.add_leg, agw.modify_leg, agw.subtract_leg,
 * agw.show, agw.release of an RTP context's id (cp_agw_id_is_rtp()). */
int agw_rtp_cmd_create(struct cp_ctx *cp, struct json_object *req, struct json_object *legs,
		       struct json_object *resp, const char **error);
int agw_rtp_cmd_add(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		    const char **error);
int agw_rtp_cmd_modify(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		       const char **error);
int agw_rtp_cmd_subtract(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
			 const char **error);
int agw_rtp_cmd_show(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		     const char **error);
int agw_rtp_cmd_release(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
			const char **error);
/* turnpike_agw_rtp_*: its counters and live contexts by door and tenant. */
void agw_rtp_metrics(const struct cp_ctx *cp, FILE *f);

/* ---- agw_render.c: contexts and events as the operator reads them ---- */

/* enum cp_agw_state's name. */
const char *agw_state_name(uint8_t s);
/* A context as JSON (agw.show, agw.list, the create's answer); alg: our
 * fingerprints' hash (lib/certfp's, less one). */
struct json_object *agw_ctx_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg);
/* One line of the event log as JSON (agw.events), with its context's
 * door and tenant when known. */
struct json_object *agw_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l);

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
	AGW_RTP_STAT__COUNT
};

#define AGW_RTP_ADDRS (2u * TP_CONF_MAX_PORTS + 2u * TP_CONF_MAX_RELAY)

struct agw_rtp_req {
	uint32_t req;             /* 0: a free entry */
	uint64_t id;
	uint64_t deadline_ms;
	cp_agw_rtp_stats_fn fn;
	void *arg;
};

struct cp_agw_rtp {
	unsigned int nworkers;
	uint32_t per_worker;      /* agw.media_contexts */
	uint16_t port_min, port_max;
	struct cp_agw_rtp_ctx *ctx;       /* nworkers * per_worker, worker-major */
	uint32_t *gen;                    /* each slot's last generation (the bit clear) */
	uint32_t nctx[IPC_MAX_WORKERS];
	uint32_t cursor[IPC_MAX_WORKERS];
	uint32_t total;
	unsigned int naddr;
	struct agw_rtp_addr addr[AGW_RTP_ADDRS];
	/* ports taken, a bitmap of words per address over [port_min, port_max] */
	uint64_t *used;
	uint32_t words;
	/* live RTP contexts by door and tenant (struct cp_agw's live[][]
	 * counts them as well: the quotas bound both kinds together) */
	uint32_t live[CP_AGW_DOORS + 1][TP_CONF_MAX_TENANTS + 1];
	uint64_t stats[AGW_RTP_STAT__COUNT];
	uint64_t released_by[IPC_AGW_CAUSE_MAX + 1];
	struct agw_rtp_req req[CP_AGW_RTP_STATS_PENDING];
	uint32_t next_req;
	/* after a dp restart: the next slot to install again (SIZE_MAX: none) */
	size_t readd_next;
	size_t poll_next;         /* the next slot whose SRTP figures may be asked for */
	unsigned int nobs;
	struct {
		cp_agw_rtp_observer_fn fn;
		void *arg;
	} obs[CP_AGW_RTP_OBSERVERS];
};

/* Event e of RTP context id (c: it, NULL when unknown) into the log. */
void agw_log_rtp(struct cp_ctx *cp, uint64_t id, const struct cp_agw_rtp_ctx *c,
		 const struct ipc_rtp_event *e);
/* enum ipc_rtp_ev_type's name in the log ("rtp_latched", ...). */
const char *agw_rtp_ev_name(uint8_t type);

#endif /* CP_AGW_INTERNAL_H */
