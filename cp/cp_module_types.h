/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's modules, types only: what each part of turnpike-cp (the cluster,
 * authentication, the user store, the dp link, allocations, TLS keys, the
 * access gateway, the operator API, the metrics endpoint, ...) tells
 * main.c about itself, so that main walks one list for set-up, the loop,
 * a dp restart, a reload and shutdown, and status and the metrics walk it
 * for their parts, instead of naming every module (cp_module.h).
 */
#ifndef CP_MODULE_TYPES_H
#define CP_MODULE_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cp_ctx;
struct cp_ctrs_family;
struct cp_metrics_snap;
struct json_object;
struct cp_reload_notes;
struct tp_conf;

/* Modules a cp may have (a bit each in struct cp_mods' up). */
#define CP_MODULE_MAX 32u

/* flags: set up by `turnpike-cp --check` too (what a configuration check
 * reads: the file's users, the store, the peer policy); the others only
 * by a cp that runs. */
#define CP_MODULE_CHECK 0x1u

/*
 * Where a part of the metrics' text goes (a module's metrics hook, a
 * counter family's rank: cp_ctrs.h): the metrics hub writes these parts
 * itself, in this order, and a part of rank r comes after the hub's of
 * rank r or lower and before the next; between two of the hub's, the
 * modules' hooks (by rank, then in the list's order) before the families
 * (by rank, then in registration order). The order is the text's as
 * published (tests/integration/golden).
 */
enum cp_metrics_rank {
	CP_METRICS_COTURN = 100,        /* coturn's names */
	CP_METRICS_PROCESS = 200,       /* cp ready, dp alive, the starts */
	CP_METRICS_ALLOCATIONS = 300,   /* live allocations (by tenant) */
	CP_METRICS_CREDENTIALS = 400,   /* users, REST secrets */
	CP_METRICS_RELAYED = 500,       /* relayed traffic (by tenant) */
	CP_METRICS_ERRORS = 600,        /* error responses by code */
	CP_METRICS_AUTH_REFUSED = 700,  /* requests authentication refused */
	CP_METRICS_ENDPOINT = 800,      /* the endpoint's refusals */
	CP_METRICS_WORKERS = 900,       /* per worker: allocations, rings, dp */
};

/*
 * Where a part of status goes (a module's status hook, or a part of its
 * status_parts): the metrics module's status command writes the parts
 * named here as the hub's itself, in this order, and a module's part of
 * rank r comes after the hub's of rank r or lower and before the next
 * (by rank, then in the list's order). The others name where a module's
 * part of the hub's figures stands among them. The order is that of the
 * keys as published (`turnpikectl status --json`,
 * tests/integration/golden).
 */
enum cp_status_rank {
	CP_STATUS_PROCESS = 0,          /* the hub's: version, uptime, ready */
	CP_STATUS_REALM = 0,            /* TURN's realm (or "turn": false) */
	CP_STATUS_DP = 1,               /* the hub's: cp's starts, the log level, dp */
	CP_STATUS_ALLOCATIONS = 1,      /* live allocations, by transport, limited */
	CP_STATUS_CREDENTIALS = 2,      /* users, REST secrets */
	CP_STATUS_STATS = 3,            /* the hub's: cp's counter families */
	CP_STATUS_ERRORS = 3,           /* error responses by code */
	CP_STATUS_AUTH_REFUSED = 4,     /* requests authentication refused */
	CP_STATUS_TRAFFIC = 5,          /* relayed traffic */
	CP_STATUS_WORKERS = 6,          /* the hub's: per worker, rings and dp's counters */
	CP_STATUS_DP_TLS = 6,           /* dp's certificate reloads */
	CP_STATUS_SECTIONS = 10,        /* 10 to 99: a module's own section (agw, drain) */
	CP_STATUS_ENDPOINT = 100,       /* the hub's: the metrics endpoint, last */
};

/* A part of status at a rank (enum cp_status_rank): a module whose
 * figures stand at several places among the hub's gives one each. */
struct cp_status_part {
	unsigned int rank;
	void (*write)(const struct cp_ctx *cp, struct json_object *resp);
};

/*
 * A module's part of a reload (cp_reload(), reload.c), which happens whole
 * or not at all: the new file is loaded and checked first; then each
 * module up prepares, in the list's order, what can fail, and keeps it;
 * then, once every one did, each applies, in order, what cannot. next is
 * the file as it now reads; what a module applies it copies from next
 * into cp->conf itself (the settings it owns), so that the next reload
 * compares with what runs. Any of the three may be NULL.
 */
struct cp_module_reload {
	/* Make what can fail (a policy, keys checked, room in a table, a
	 * socket) and keep it for apply: 0, or -errno with err saying why in
	 * a sentence of its own (the reload is refused with it; err left
	 * empty: the walker names the module). A prepare that fails drops
	 * what it made itself. */
	int (*prepare)(struct cp_ctx *cp, const struct tp_conf *next, char *err,
		       size_t errlen);
	/* Take what prepare made and next's settings; it cannot fail. Each
	 * change is said with cp_reload_say() (cp.h), what it could not do
	 * as needing a restart. */
	void (*apply)(struct cp_ctx *cp, const struct tp_conf *next,
		      struct cp_reload_notes *r);
	/* A later module's prepare failed: drop what prepare made, cp left
	 * as it was before the reload. Called in reverse order. */
	void (*abort)(struct cp_ctx *cp);
};

/*
 * Every hook but name may be NULL. The order of the list is the start-up
 * order: a module may use what the modules before it set up.
 */
struct cp_module {
	const char *name;
	unsigned int flags;           /* CP_MODULE_* */
	/* 0, or -errno with err saying why in a sentence of its own (logged
	 * as an error line); err left empty: the walker names the module.
	 * A setup that fails undoes what it did itself (its fini is not
	 * called). The dp message kinds it handles it registers here, with
	 * cp_dp_on_kind(). */
	int (*setup)(struct cp_ctx *cp, char *err, size_t errlen);
	/* Undo setup (at exit, or when a later module's setup failed), in
	 * the reverse order of the list. */
	void (*fini)(struct cp_ctx *cp);
	/* dp restarted: what cp had installed there is gone. Registered with
	 * cp_dp_on_dp_restart() once setup succeeded, so the hooks run in
	 * start-up order. */
	void (*on_dp_restart)(struct cp_ctx *cp);
	/* The operator API commands it serves, registered with
	 * cp_api_register() (api/api_cmd.h: cp_api_cmds()) when the API
	 * module sets up, before the socket is published, whether this
	 * module is set up yet or not (a handler runs only from the loop,
	 * once every module is): 0 or -errno. */
	int (*commands)(struct cp_ctx *cp);
	/* Each loop turn, before dp's messages are read (what it sends dp
	 * on its own: reinstalls, keys): the work done (0: none). */
	unsigned int (*step)(struct cp_ctx *cp);
	/* Each loop turn, after dp's messages: work held until something
	 * outside answers (Allocates waiting for the cluster's Redis); the
	 * work done. */
	unsigned int (*held)(struct cp_ctx *cp);
	/* cp has no work and would doze: a module with work held outside
	 * waits on that instead, at most us microseconds, and returns 1;
	 * 0: nothing held, cp dozes. */
	int (*nap)(struct cp_ctx *cp, unsigned int us);
	/* Its own sockets (the API's, the metrics endpoint's, the
	 * cluster's links), looked at once a millisecond and after each
	 * doze, never waiting: serves what is ready and returns the events
	 * that keep cp awake (it polls on rather than dozing); 0 for none. */
	unsigned int (*serve)(struct cp_ctx *cp, uint64_t now_ms);
	/* Its counters (cp_ctrs.h), registered with the list
	 * (cp_modules_use()) whether it is set up or not: their names are
	 * the same on every box. */
	const struct cp_ctrs_family *ctrs;
	/* Its part of `turnpikectl status` (added to resp), when it is up,
	 * at status_rank (enum cp_status_rank: a section of its own is at
	 * CP_STATUS_SECTIONS or after, before the metrics endpoint's). */
	void (*status)(const struct cp_ctx *cp, struct json_object *resp);
	unsigned int status_rank;
	/* More parts of status, at ranks of their own (nstatus_parts of
	 * them), when it is up: figures of its that stand among the hub's. */
	const struct cp_status_part *status_parts;
	unsigned int nstatus_parts;
	/* Its part of worker w's "dp" in status's "workers", after dp's own
	 * counters, when it is up and dp reported for w: from s, the
	 * figures cp_metrics_collect() took (cp/metrics/metrics.h). */
	void (*status_worker)(const struct cp_ctx *cp, const struct cp_metrics_snap *s,
			      unsigned int w, struct json_object *dp);
	/* Its part of the metrics' text (Prometheus exposition format
	 * 0.0.4), when it is up, at metrics_rank (enum cp_metrics_rank). */
	void (*metrics)(const struct cp_ctx *cp, FILE *f);
	unsigned int metrics_rank;
	/* Its part of a reload: the settings it applies live. */
	const struct cp_module_reload *reload;
};

/* In struct cp_ctx: the list main.c gave and which modules are up. */
struct cp_mods {
	const struct cp_module *const *list;
	unsigned int n;
	uint32_t up;                  /* bit i: list[i] is set up */
};

#endif /* CP_MODULE_TYPES_H */
