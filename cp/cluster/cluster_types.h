/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: types only.
 *
 * Many turnpike boxes sharing state in Redis: users and REST
 * secrets (a store every cp caches and hears changes of on a pub/sub
 * channel), per-user allocation quotas (leases in a sorted set per user,
 * counted atomically by a script, that expire with a box that stops
 * renewing them), a registry of allocations (a hash per box that expires
 * with it) and each box's load (a hash per box, for ALTERNATE-SERVER).
 *
 * Keys, NS being cluster.namespace (default turn.realm):
 *   NS:users            hash  name -> "MD5HEX" or "MD5HEX:SHA256HEX"
 *   NS:secrets          set   REST secrets (HMAC-SHA1 passwords)
 *   NS:secrets:sha256   set   REST secrets whose passwords are HMAC-SHA256
 *                             ones (a set of its own: a cp that predates it
 *                             reads NS:secrets as before and ignores this)
 *   NS:events           channel: "u NAME" (that user changed), "s" (secrets),
 *                             "p ID" (a PSK); a tenant's "U TENANT NAME", "S TENANT"
 *   NS:t:TENANT:users, NS:t:TENANT:secrets, NS:t:TENANT:secrets:sha256,
 *   NS:t:TENANT:quota:USER
 *                             a tenant's (TENANT its name), as the default's
 *   NS:quota:USER       zset  "BOX/T/CLIENT/SERVERPORT" -> lease end (unix ms)
 *   NS:allocs:BOX       hash  allocation id -> JSON {user, relayed, client,
 *                             transport, expires}; expires with the box
 *   NS:boxes            set   box names (a name whose NS:box:B is gone is
 *                             pruned by whoever reads)
 *   NS:box:BOX          hash  owner, v4, v6, allocs, capacity, draining;
 *                             expires CL_BOX_TTL_MS after the last publish
 * Nothing in them is trusted: every field read is checked for length and
 * form, and a box never takes another box's name (owner).
 */
#ifndef CP_CLUSTER_TYPES_H
#define CP_CLUSTER_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster_secret.h"
#include "ipc_types.h"
#include "stun.h"
#include "tp_conf_types.h"

#define CL_MAX_BOXES       64u
#define CL_MAX_PENDING     256u      /* Allocates waiting for a quota verdict */
#define CL_QUOTA_WAIT_MS   250u      /* then the local count decides */
#define CL_REPLY_TIMEOUT_MS 3000u    /* a link with no answer this long is dropped */
#define CL_BACKOFF_MIN_MS  100u
#define CL_BACKOFF_MAX_MS  5000u
#define CL_PUBLISH_MS      1000u     /* load out, boxes in */
#define CL_BOX_TTL_MS      5000u
#define CL_SWEEP_SLICE     64u       /* allocations renewed a loop turn (each a
				       * JSON entry and four commands: some
				       * 10 us with ASan) */
#define CL_MEMBER_MAX      256u      /* a quota lease's member */
#define CL_KEY_MAX         (TP_CONF_STR_LEN + 600u)

/* A box as read from NS:box:B, checked. */
struct cl_box {
	char name[TP_CONF_CLUSTER_NAME_MAX + 1];
	struct stun_addr v4, v6;
	bool has_v4, has_v6;
	bool draining;
	uint32_t allocs, capacity;
};

enum cl_link_state { CL_DOWN, CL_CONNECTING, CL_UP };

struct redisAsyncContext;
struct cp_cluster;

/* One connection to Redis (hiredis's async context on cp's loop). */
struct cl_link {
	struct cp_cluster *cl;
	struct redisAsyncContext *ac;
	enum cl_link_state state;
	bool rd, wr;                  /* what hiredis wants polled */
	bool sub;                     /* the pub/sub link */
	bool subscribed;
	bool said_down;               /* the loss is logged: not again until up */
	unsigned int inflight;        /* commands sent, not answered */
	uint32_t conn_gen;            /* bumped at each open and close: a
				       * command sent under another gen
				       * will never be answered */
	uint64_t progress_ms;         /* last answer (or first of inflight) */
	uint64_t retry_ms;            /* next connect at */
	uint32_t backoff_ms;
	/* the back-off's bounds and how long a connect (and AUTH) may take:
	 * CL_BACKOFF_MIN_MS, CL_BACKOFF_MAX_MS and CL_REPLY_TIMEOUT_MS, but
	 * on the command link of a box in an ha pair lease/4 and lease/2
	 * at most (cl_link_limits(): both boxes back within a lease of
	 * Redis' return, issue 69) */
	uint32_t backoff_min_ms, backoff_max_ms, connect_timeout_ms;
	const char *name;             /* "redis", "pubsub", "sentinel" */
};

/* An Allocate held until Redis counts the user's leases. */
struct cl_pending {
	uint32_t gen;                 /* tells a slot's tenants apart */
	uint8_t state;                /* 0 free, 1 waiting, 2 timed out */
	uint32_t link_gen;            /* cmd.conn_gen its EVAL went out on */
	unsigned int worker;
	uint64_t deadline_ms;
	char member[CL_MEMBER_MAX];
	char user[TP_USERNAME_MAX + 1];
	uint16_t user_len;
	uint8_t tenant;               /* the user's (lib/conf's index) */
	struct ipc_msg msg;
};

struct cl_stats {
	uint64_t connects;            /* links made (both links) */
	uint64_t disconnects;
	uint64_t quota_local;         /* Allocates decided on the local count */
	uint64_t quota_refused;       /* 486 from the cluster count */
	uint64_t quota_granted;
	uint64_t quota_lost;          /* waits freed: their answer could no
				       * longer come (the link dropped) */
	uint64_t events;              /* pub/sub messages */
	uint64_t bad_entries;         /* what Redis held that was not well formed */
	uint64_t user_syncs;          /* full reads of users and secrets */
	uint64_t name_conflicts;      /* another box holds our name */
	uint64_t write_refused;       /* operator writes with Redis away */
	uint64_t auth_refused;        /* AUTH answered with an error */
	uint64_t unknown_tenant;      /* events of a tenant this box does not have */
};

struct cp_cluster {
	struct cp_ctx *cp;
	const struct tp_conf_cluster *conf;
	char ns[TP_CONF_STR_LEN];
	char owner[128];              /* host:ipc, who holds our box name */
	/* where Redis is: configured, or what Sentinel said */
	char host[64];
	uint16_t port;
	bool have_target;
	unsigned int sentinel_i;
	bool sentinel_bad;            /* its answer was unusable: the next one */
	struct cl_link cmd, sub, sentinel;
	bool name_ok;                 /* we hold NS:box:BOX */
	bool users_dirty;             /* read users and secrets again */
	bool said_unknown_tenant;     /* logged once */
	uint64_t next_publish_ms;
	uint64_t next_sweep_ms;
	bool sweeping;
	uint32_t sweep_cur;
	unsigned int nboxes;
	struct cl_box boxes[CL_MAX_BOXES];
	uint64_t boxes_ms;            /* when they were read */
	/* the Allocate being handled again with its verdict */
	const struct ipc_msg *replay;
	int replay_verdict;           /* 1 granted, 0 refused, -1 local */
	uint32_t pend_gen;
	unsigned int nwaiting;        /* pending Allocates not yet handled again */
	struct cl_pending pend[CL_MAX_PENDING];
	struct cl_stats st;
	char err[256];
	/* AUTH on every link to Redis (cluster.password_file, username) and
	 * to the sentinels (sentinel_password_file): 0 length, none */
	char pass[CL_SECRET_MAX];
	size_t pass_len;
	char sentinel_pass[CL_SECRET_MAX];
	size_t sentinel_pass_len;
};

#endif /* CP_CLUSTER_TYPES_H */
