/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li, types only: the tasks and destinations an ADMF provisioned over
 * X1 (ETSI TS 103 221-1), as cp holds them (bounded tables, in the order
 * they were made) and keeps them (li.db, li_store.c). Functions in li.h.
 * A task's targets never leave this module but towards the ADMF (X1's
 * answers) and the store: no log line, status part, metric or usage
 * record names one (docs/design/li.md §2.6).
 */
#ifndef CP_LI_TYPES_H
#define CP_LI_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "x1_types.h"

/* Bounds of the tables: the ADMF's request past them is refused with
 * X1_E_GENERIC and a sentence (nothing changed). */
#define CP_LI_TASKS_MAX   1024u
/* The CC-TF's triggers, apart (review M2 of docs/design/li.md §8): the
 * CC-TF cannot fill the ADMF's room, and the ADMF's tasks cannot fill
 * the CC-TF's (whose refusal would tell it how many the ADMF holds). The
 * table holds both. */
#define CP_LI_TRIGGERS_MAX 256u
#define CP_LI_TABLE_MAX   (CP_LI_TASKS_MAX + CP_LI_TRIGGERS_MAX)
#define CP_LI_DESTS_MAX   64u
#define CP_LI_ERR_MAX     512u

/* What the module gives cp_li_open() (cp/li/li_module.c from the li group). */
struct cp_li_conf {
	const char *ne_id;            /* li.ne_id: our neIdentifier */
	const char *admf_id;          /* li.x1.admf_id: whom we answer */
	const char *cctf_id;          /* li.x1.cctf_id: the CC-TF's triggers (NULL, "": none) */
	const char *store;            /* the li.db file's path */
	uint32_t busy_ms;             /* another process's lock: wait at most (cp.store_busy_ms,
				       * held to 20 ms: cp's loop must not stall) */
	long long owner_uid;          /* -1: keep; else a new file is given to it */
	long long owner_gid;
};

/* A task's delivery figures as dp's tp-li reported them (lib/ipc
 * LI_STATUS, added up since this cp started; li_status.c): PDUs written
 * whole to a destination, one a destination, and lost in dp after the
 * worker's copy (a worker's full ring is counted in dp's totals only).
 * In memory only, answered over X1 only (docs/design/li.md §2.4, §2.6). */
struct cp_li_task_fig {
	uint64_t x2_delivered, x2_lost;
	uint64_t x3_delivered, x3_lost;
	int64_t last_us;              /* the newest copy, µs since 1970 (0: none) */
};

/* One task: what ActivateTask/ModifyTask gave, and its history. */
struct cp_li_task {
	struct x1_task t;
	int64_t created_us;           /* µs since 1970 UTC, cp's clock */
	int64_t modified_us;          /* 0: never modified */
	uint32_t nmod;                /* ModifyTasks it took */
	struct cp_li_task_fig fig;    /* kept across a ModifyTask */
};

/* What dp's tp-li reported of one delivery address (its connection's
 * state now, counts added up), by address and TCP port: every DID that
 * names it answers it. */
enum cp_li_conn { CP_LI_CONN_NONE = 0, CP_LI_CONN_CONNECTING, CP_LI_CONN_UP,
		  CP_LI_CONN_FAILED };
struct cp_li_dest_fig {
	bool used;
	uint8_t family;               /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
	uint8_t state;                /* enum cp_li_conn */
	uint8_t fault;                /* lib/ipc's enum ipc_li_fault of the last failure */
	uint64_t delivered;
	uint64_t dropped_down, dropped_full, dropped_lost;
	uint64_t failures;
};

/* One destination (CreateDestination/ModifyDestination). */
struct cp_li_dest {
	struct x1_dest d;
};

struct cp_li_store;
struct cp_li_index;

/* Who an allocation is, as the matcher meets it (cp_li_match()): its
 * client's address, its user (a TURN REST name's user part: the caller
 * reads the name as cp/auth does, cp_auth_rest_user()) and the realm of
 * its tenant (the one a NAI "user@realm" must name). */
struct cp_li_who {
	uint8_t family;               /* 4 or 6 (an IPv4-mapped IPv6 one: its IPv4) */
	const uint8_t *ip;
	const char *user;
	size_t user_len;
	const char *realm;            /* "" or NULL: no realm (bare NAIs only) */
};

/* cp/li: the tables, the store they are kept in, and the scratch an
 * answer is read into. */
struct cp_li {
	char ne_id[X1_ID_MAX];
	char admf_id[X1_ID_MAX];
	char cctf_id[X1_ID_MAX];      /* "": no CC-TF (its requests top-level errors) */
	/* a trigger's H248ContextID to the gateway's context it names now
	 * (cp/li/li_module.c over cp/iq: the Iq association's live RTP
	 * contexts): 0 and *ctx, or -ENOENT; NULL: none resolve */
	int (*t3_resolve)(void *arg, uint32_t h248, uint64_t *ctx);
	void *t3_arg;
	struct cp_li_store *store;
	const struct x1_schema *schema;   /* NULL: structure checked only */
	unsigned int ntasks;
	struct cp_li_task *tasks[CP_LI_TABLE_MAX];
	unsigned int ndests;
	struct cp_li_dest dests[CP_LI_DESTS_MAX];
	struct x1_req req;            /* the request being answered */
	/* the tables' version: moved by every change of a task or a
	 * destination (the matcher's index is rebuilt, its pass run) */
	uint64_t gen;
	struct cp_li_index *idx;      /* the matcher's (li_match.c) */
	uint64_t store_errors;        /* writes the store refused (answered 100) */
	/* dp's delivery figures by address (li_status.c) */
	struct cp_li_dest_fig dfig[CP_LI_DESTS_MAX];
};

#endif /* CP_LI_TYPES_H */
