/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw types: the access gateway's contexts of one worker (agw.h).
 * Types only.
 */
#ifndef DP_AGW_TYPES_H
#define DP_AGW_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_types.h"
#include "../splice/splice_types.h"
#include "tp_conf_types.h"
#include "tw_types.h"

struct tls_cred;

enum agw_ctr {
#define AGW_CTR(n, s, h) AGW_CTR_##n,
#include "agw_counters.def"
#undef AGW_CTR
	AGW_CTR__COUNT
};

/* Connections that may handshake at once for one TLS server leg (the
 * first whose certificate matches takes the leg; a newer one past these
 * evicts the oldest, so that silent ones cannot hold the leg). */
#define AGW_CAND_MAX 4u

/* A connection to a TLS server leg's port, handshaking: not the leg's
 * until its peer proved to be the signalled one (agw_cand.c). */
struct agw_cand {
	uint64_t id;                   /* dp/tcp's; 0: none */
	uint64_t due_ms;               /* handshake done by then, else reset */
	uint8_t verdict;               /* AGW_CAND_* (its handshake callback) */
	uint8_t pad[7];
};

#define AGW_SUB_RESTART 0x80u

#define AGW_CAND_WAIT 0u           /* handshaking */
#define AGW_CAND_OK   1u           /* its certificate matched */
#define AGW_CAND_FAIL 2u           /* its handshake failed (tls_conn_why) */

/* A leg's wake-up from its policing (splice's police_wait()), on the
 * worker's TCP wheel (ms). */
struct agw_pol_timer {
	struct tw_timer t;
	struct agw_ctx *c;
	uint8_t leg;
	uint8_t pad[7];
};

/* A context: two leg slots spliced, as cp installed them (a slot whose
 * term has tcp_role 0 is empty: no termination there yet, or one
 * subtracted). */
struct agw_ctx {
	uint64_t id;                   /* cp's id (ipc_conn_make layout); 0: free */
	struct splice sp;
	uint64_t due_ms[2];            /* leg i up by then, else the context is
					* released; 0: none */
	uint8_t up[2];                 /* LEG_UP sent */
	uint8_t ncand[2];              /* candidates of each leg, oldest first */
	uint8_t sub;                   /* leg + 1 being subtracted (its leg_down is
					* SUBTRACTED); AGW_SUB_RESTART | leg:
					* restarted for a modify (no event) */
	uint8_t pad[3];
	struct agw_cand cand[2][AGW_CAND_MAX];
	struct agw_pol_timer pol[2];
	struct ipc_agw_term term[2];
	/* why a leg failed, as the controller reads it (TLS's sentence,
	 * TCP's reason), kept until its LEG_DOWN goes */
	char detail[2][IPC_AGW_DETAIL_MAX];
	/* the last connection refused for a server leg (its address and
	 * why): a release at the setup time names it */
	char refused[IPC_AGW_DETAIL_MAX];
};

/* A tapped context's task (lib/ipc AGW_TAP; agw_li.c): what its copies
 * carry (the XID, the correlation ID, the X3 destinations), the copies'
 * sequence, which leg is the target's. A per-worker array by slot, taken
 * at the first tap (an untapped worker has none). */
struct agw_tap {
	uint8_t xid[16];
	uint64_t correlation;
	uint32_t seq;                  /* the context's copies, one each */
	uint8_t on;
	uint8_t leg;                   /* the target's: 0 or 1 */
	uint8_t ndest;
	uint8_t pad;
	struct ipc_addr dest[IPC_LI_DESTS];
};

struct agw_worker {
	struct agw_ctx *ctx;           /* max, by slot (ipc_conn_slot(id)) */
	uint32_t max;
	uint32_t nctx;                 /* installed now */
	uint16_t port_lo, port_hi;     /* this worker's share of agw.ports */
	uint32_t nports;
	/* by port - port_lo: slot + 1 of the context that accepts there */
	uint32_t *port_slot;
	int app;                       /* dp/tcp application */
	uint32_t hold;                 /* agw.hold */
	uint32_t setup_ms;             /* agw.setup_timeout */
	bool tls;                      /* TLS legs possible (tls group) */
	unsigned int ncred;
	struct tls_cred *cred[TP_CONF_MAX_AGW_CERTS + 1];   /* [0] NULL: the tls group's */
	/* events to cp, waiting for room in the ring (never dropped for a
	 * full ring: the sweeps' rule); ev_mem is its memory */
	struct ipc_backlog ev;
	void *ev_mem;
	uint64_t scan_ms;              /* the last setup-deadline sweep */
	/* a restarted cp's SYNC: contexts from sync_next on go as AGW_STATE */
	bool sync_on;
	uint32_t sync_next;
	struct splice_worker splice;   /* the splice's counters (w->splice) */
	/* lawful interception: the tapped contexts' tasks, by slot (NULL
	 * until the first tap), how many are on */
	struct agw_tap *taps;
	uint32_t ntaps;
	uint64_t ctr[AGW_CTR__COUNT];
};

#endif /* DP_AGW_TYPES_H */
