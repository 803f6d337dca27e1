/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/alloc's state: the allocation table, its relayed addresses and
 * ports, EVEN-PORT reservations, usernames' and tenants' quota counts and the running
 * sums the metrics read. cp_ctx holds it behind cp->alloc, which
 * cp_alloc_init() sets (only with a turn group: an AGW-only box has NULL
 * there) and cp_alloc_fini() frees. For cp/alloc's files (and tests that
 * look inside); the rest of cp goes through cp.h's functions.
 */
#ifndef CP_ALLOC_STATE_H
#define CP_ALLOC_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../cp.h"
#include "mob_ticket.h"

struct cp_tcprelay;

struct cp_allocs {
	/* RFC 8016 tickets' keys (mobility.c): made at init, in memory only,
	 * rotated a day apart as tickets are sealed; mob_ok when the library
	 * had AES-128-SIV and randomness */
	struct cp_mob_keys mob;
	bool mob_ok;
	uint64_t mob_rotated_ms;
	uint32_t max_allocs;
	uint32_t nallocs;
	uint64_t next_id;
	struct cp_alloc *pool;        /* max_allocs slots, touched as used: */
	uint32_t pool_used;           /* slots [0, pool_used) were ever taken */
	struct cp_alloc *free_list;   /* slots freed since (next_id) */
	struct cp_alloc **by_tuple;   /* hash_mask + 1 chains, */
	struct cp_alloc **by_id;      /* doubled when nallocs passes them */
	uint32_t hash_mask;
	uint32_t worker_allocs[IPC_MAX_WORKERS];  /* live allocations per worker */
	uint32_t worker_fwds[IPC_MAX_WORKERS];    /* forwards cp installed on each
						   * (at most IPC_FWD_MAX) */
	uint32_t worker_cap;          /* what one dp worker's table holds */
	/* dp restarted: every allocation is installed again a slice at a
	 * time (cp_reinstall_step()), from this cursor over the pool. */
	bool reinstalling;
	uint32_t reinstall_cur;
	/* dp's per-allocation counters are asked for once a second
	 * (cp_alloc_step()): when next */
	uint64_t next_stats_ms;
	/* Relayed transport addresses: each family's addresses (index 0
	 * IPv4, 1 IPv6, in tp_conf_relay_addrs() order) and, per address, the
	 * ports in use (allocations and reservations) with a count per
	 * worker share of the range. */
	unsigned int nrelay[2];
	uint8_t relay_ip[2][TP_CONF_MAX_RELAY][16];
	uint64_t port_used[2][TP_CONF_MAX_RELAY][65536 / 64];
	/* per family and port: how many of its addresses use it, and the
	 * ports used at all of them (cpa_port_pick() skips those a word at
	 * a time) */
	uint8_t port_n[2][65536];
	uint64_t port_full[2][65536 / 64];
	uint32_t share_used[2][TP_CONF_MAX_RELAY][IPC_MAX_WORKERS];
	/* The allocations by relayed port (every relayed address of one
	 * shares its port): a chain per port through cp_alloc.next_port, so
	 * that the holder of a relayed transport address is found without
	 * walking the pool (cpa_alloc_by_relayed(); the pair's standby ends
	 * the one a mirrored allocation displaces). A chain holds at most one
	 * allocation per relayed address of the box (nrelay[0] + nrelay[1]);
	 * 512 KiB, zero pages until a port is used. */
	struct cp_alloc *by_port[65536];
	struct cp_reservation reserv[CP_MAX_RESERV];
	/* Tenants (a->tenant): each one's relayed addresses, as bits over
	 * relay_ip[fi] (tp_conf_tenant_relay_mask(), taken at init: relay
	 * lists change with a restart only), its live allocations (its
	 * quota_total) and, per relayed address, how many of them are there
	 * (relay to relay stays within a tenant, requests.c). */
	uint64_t relay_mask[TP_CONF_MAX_TENANTS + 1][2];
	uint32_t tenant_allocs[TP_CONF_MAX_TENANTS + 1];
	uint32_t tenant_at[TP_CONF_MAX_TENANTS + 1][2][TP_CONF_MAX_RELAY];
	/* Usernames (interned) and their quota counts: an entry per username
	 * that has an allocation (malloc()ed with the name), chained from
	 * by_user[hash & users_mask]; the heads double when the users pass
	 * them, and an entry goes with its user's last allocation: the
	 * table's size and its chains follow the live allocations, however
	 * many usernames come and go. */
	struct cp_user **by_user;
	uint32_t users_mask;
	uint32_t nusers;              /* usernames with an allocation */
	uint32_t user_seed;           /* hash basis, random per run */
	/* What finished allocations relayed (their counters as dp last
	 * reported them, at most a second old), IPC_ALLOC_STATS_N order:
	 * coturn's "finished sessions" traffic; by tenant index (the box's
	 * totals are the sums). */
	uint64_t traffic_done[TP_CONF_MAX_TENANTS + 1][IPC_ALLOC_STATS_N];
	/* What the live allocations relayed (the sum of cp_alloc_traffic()
	 * over them) and how many have a TCP or TLS client leg: running
	 * sums that alloc.c moves wherever an allocation comes, goes or has
	 * its counters changed (dp's STATS, RFC 6062 GONE bytes), so that
	 * the metrics never walk the allocations. */
	uint64_t traffic_live[TP_CONF_MAX_TENANTS + 1][IPC_ALLOC_STATS_N];
	uint32_t nallocs_tcp;
	uint32_t nallocs_limited;     /* with a bandwidth limit (max_bps) */
	/* RFC 6062's peer connections (alloc/tcp_relay.c); NULL until the
	 * first */
	struct cp_tcprelay *tcprelay;
};

#endif /* CP_ALLOC_STATE_H */
