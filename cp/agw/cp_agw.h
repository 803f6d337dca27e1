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
 */
#ifndef CP_AGW_H
#define CP_AGW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_types.h"
#include "tp_conf_types.h"

struct cp_policy;
struct cp_ctx;
struct ipc_msg;
struct json_object;

enum cp_agw_state {
	CP_AGW_FREE = 0,
	CP_AGW_INSTALLING,        /* AGW_ADD sent, no leg up yet */
	CP_AGW_ACTIVE,            /* a leg is up */
	CP_AGW_RELEASING,         /* the controller asked: AGW_DEL sent */
};

enum cp_agw_leg_state {
	CP_AGW_LEG_WAITING = 0,
	CP_AGW_LEG_UP,
	CP_AGW_LEG_DOWN,
};

struct cp_agw_ctx {
	uint64_t id;              /* 0: the slot is free */
	uint8_t state;            /* enum cp_agw_state */
	uint8_t worker;
	uint8_t leg_state[2];     /* enum cp_agw_leg_state */
	uint8_t leg_cause[2];     /* enum ipc_agw_cause once down */
	uint8_t tls_version[2];
	uint8_t port_ours[2];     /* cp picked term[i]'s server port */
	uint8_t pad[6];
	uint32_t setup_ms;
	uint64_t created_wall_ms;
	struct ipc_agw_term term[2];
	struct ipc_addr leg_local[2];     /* as dp reported them (LEG_UP) */
	struct ipc_addr leg_remote[2];
	uint64_t bytes_in[2], bytes_out[2];
	char label[64];           /* the controller's own tag */
};

/* One line of the event log. */
struct cp_agw_event {
	uint64_t seq;             /* 1, 2, ... */
	uint64_t wall_ms;
	uint64_t id;              /* the context */
	bool known;               /* a context of this cp's (not from before a restart) */
	struct ipc_agw_event e;
};

#define CP_AGW_LOG 16384u          /* events kept (a power of two) */
#define CP_AGW_ALGS 4u
#define CP_AGW_FP_STR 200u        /* lib/certfp CERTFP_STR_MAX, at least */

#define CP_AGW_STATS(X) \
	X(CREATED, "created") \
	X(REFUSED, "create_refused") \
	X(RELEASE_ASKED, "releases_asked") \
	X(RELEASED, "released") \
	X(LEGS_UP, "legs_up") \
	X(LEGS_DOWN, "legs_down") \
	X(EVENTS, "events") \
	X(EVENTS_UNKNOWN, "events_unknown_context") \
	X(DP_RESTART, "released_dp_restart") \
	X(RESTORED, "restored_from_dp") \
	X(REMOTE_REFUSED, "remote_refused")

enum cp_agw_stat {
#define X(e, n) CP_AGW_STAT_##e,
	CP_AGW_STATS(X)
#undef X
	CP_AGW_STAT__COUNT,
};

struct cp_agw {
	bool enabled;
	unsigned int nworkers;
	uint32_t per_worker;      /* agw.max_contexts */
	uint16_t port_min, port_max;
	uint32_t setup_ms;        /* agw.setup_timeout */
	struct cp_agw_ctx *ctx;   /* nworkers * per_worker, worker-major */
	uint32_t *gen;            /* each slot's last generation */
	uint32_t nctx[IPC_MAX_WORKERS];
	uint32_t cursor[IPC_MAX_WORKERS];   /* where the next free-slot search starts */
	uint32_t total;
	uint64_t ports_used[65536 / 64];
	/* our certificates (0: the tls group's, n: agw.certificates[n-1]):
	 * their fingerprints by hash (certfp_of_pem_file(); "" and err when
	 * cp cannot read the file) */
	unsigned int ncert;
	char fp[TP_CONF_MAX_AGW_CERTS + 1][CP_AGW_ALGS][CP_AGW_FP_STR];
	char fp_err[TP_CONF_MAX_AGW_CERTS + 1][160];
	struct cp_agw_event *log;         /* CP_AGW_LOG */
	uint64_t next_seq;                /* of the next event */
	uint64_t stats[CP_AGW_STAT__COUNT];
	uint64_t released_by[IPC_AGW_CAUSE_MAX + 1];
	/* agw.peers with this box's addresses: what a remote may be */
	struct cp_policy *policy;
};

/* From the configuration (cp->conf); with an agw group, registers
 * AGW_EVENT and AGW_STATE with cp_dp (cp_dp.h; cp_agw_dp_restart() is
 * hooked by the module walk, cp_agw_module). 0, -ENOMEM, or cp_dp's
 * error. Its policy comes from
 * cp_agw_policy_set(); until then every remote is refused. */
int cp_agw_init(struct cp_ctx *cp);
/* p (agw.peers as cp_policy_build_from() made it; cp/agw owns it now) in
 * place of the running one: what a new context's remotes may be. Frees p
 * when there is no agw group. */
void cp_agw_policy_set(struct cp_ctx *cp, struct cp_policy *p);
void cp_agw_fini(struct cp_ctx *cp);
/* An AGW_EVENT from worker w. */
void cp_agw_event(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
/* An AGW_STATE from worker w (this cp's SYNC): a context dp holds, taken
 * back as it is (a cp that restarted). */
void cp_agw_state(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
/* dp restarted: its contexts are gone; each is released (dp_restart). */
void cp_agw_dp_restart(struct cp_ctx *cp);
/* The API's commands: agw.create, agw.show, agw.release, agw.list,
 * agw.events. 0 or -errno. */
int cp_agw_register(struct cp_ctx *cp);
/* status's "agw" member (NULL without an agw group). */
struct json_object *cp_agw_status(const struct cp_ctx *cp);

#endif /* CP_AGW_H */
