/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp <-> cp contract: types only. One named shared-memory segment
 * (shm_open) holds a header and, per dp worker, two single-producer
 * single-consumer rings of fixed-size messages (dp->cp and cp->dp).
 * Messages travel by value; nothing in them points anywhere. Either
 * process may die and come back: ring indices live in the segment, so a
 * restarted producer or consumer carries on where its predecessor stopped.
 *
 * Versioning: IPC_VERSION changes whenever a struct below changes size or
 * meaning; a process that finds another version in an existing segment
 * refuses to use it (and says so) rather than misread it.
 *
 * Trust: the segment is used only when it belongs to the user turnpike-cp
 * runs as, with no group or other permission (ipc_seg_open()). Even so,
 * each side reads what the other wrote as untrusted input: dp runs as
 * root and cp does not, so a cp that is taken over must not get dp to
 * read or write outside what it owns. Ring geometry is compile-time
 * (IPC_RING_SLOTS), never read from the segment; indices and lengths are
 * bounded where they are read; every message is checked
 * (ipc_msg_check()) before it is acted on.
 */
#ifndef IPC_TYPES_H
#define IPC_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#define IPC_MAGIC        0x54504943u   /* "TPIC" */
#define IPC_VERSION      37u           /* 5: 64-bit connection ids, capabilities
					* and relayed-port ranges in the header;
					* 6: and dp's worker counters (ipc_dp_stats);
					* 7: and its TCP counters;
					* 8: TLS ticket keys and external PSKs
					* (TLS_TICKETS, TLS_PSK_*);
					* 9: the access gateway's contexts
					* (AGW_*), its port range in ipc_side,
					* IPC_DP_TCP_MAX 128 -> 192;
					* 10: RFC 6062 (TCP_*, IPC_CAP_TCP_RELAY,
					* ipc_alloc.flags), IPC_DP_TCP_MAX 256:
					* dp/tcprelay's counters did not fit;
					* 11: when dp's certificates expire
					* (ipc_dp_stats), its reloads (ipc_shm);
					* a TCP GONE's client-side bytes;
					* 12: IPC_DP_TCP_MAX 384: dp/tcp's path
					* MTU, blind-attack, timer and loss
					* recovery counters did not fit;
					* 13: dp's counter families
					* (ipc_dp_family);
					* 14: their help and each counter's
					* (ipc_dp_family.help, dp_tcp_help);
					* 15: AGW contexts of one leg, AGW_MOD
					* (ipc_agw_mod), AGW_EV_SUBTRACTED, a
					* leg's own setup time (ipc_agw_leg_state);
					* 16: a termination's DSCP, policing and
					* controller's memo (ipc_agw_term);
					* 17: an allocation's start (ipc_alloc.
					* created_ms), STATS_FINAL;
					* 18: tenants' realms (ipc_nonce.tenant),
					* their addresses' hash (ipc_side), an AGW
					* termination's tenant (ipc_agw_term); an
					* allocation's end reported whole
					* (ALLOC_END, ipc_alloc_end);
					* 19: dp's busy loop turns by duration
					* (ipc_dp_stats.loop_buckets);
					* 20: RTP terminations (RTP_*,
					* IPC_CAP_RTP), agw.media_ports in
					* ipc_side;
					* 21: RFC 7635's server name in
					* ipc_nonce (oauth_name), RFC 8016
					* mobility (ALLOC_MOVE,
					* IPC_ALLOC_F_MOBILE), DTLS sessions
					* (transport 17 with a connection id,
					* IPC_CONN_SLOT_DTLS), an allocation's
					* bandwidth limit (ipc_alloc.max_bps);
					* 22: RFC 8016 moves across workers
					* (FWD_ADD, FWD_DEL, ipc_fwd);
					* 23: every SSRC an SRTP key follows
					* in its position (ipc_srtp_stream in
					* ipc_srtp_key and ipc_srtp_pos);
					* 24: a termination's latching policy
					* (ipc_rtp_term.latch) for the flag
					* IPC_RTP_F_LATCH;
					* 25: ICE on a termination
					* (ipc_rtp_term.ice), its figures in
					* ipc_rtp_stats, the events NOMINATED,
					* CONSENT_LOST, CONSENT_REGAINED;
					* IPC_DP_TCP_MAX 512: dp's counters
					* were 381 of 384, ICE's did not fit;
					* 26: DTLS-SRTP on a termination
					* (ipc_rtp_term.dtls), its outcome
					* (RTP_DTLS), dp's certificate
					* (DTLS_CERT);
					* 27: BUNDLE on a termination
					* (ipc_rtp_term.bundle: an owner of
					* the transport, or a member of its
					* group);
					* 28: the ports' own drops and errors
					* (ipc_dp_stats.port, worker 0's);
					* 29: an active/standby pair's role
					* for dp (ipc_shm.ha, struct ipc_ha);
					* 30: a DTLS-SRTP association's tls-ids
					* (ipc_rtp_dtls.tls_id, peer_tls_id), so
					* a restarted cp keeps it (RFC 8842);
					* 31: BUNDLE's SSRC clashes told to cp
					* (IPC_RTP_EV_SSRC_CLASH, ipc_rtp_event's
					* ssrc and count);
					* 32: lawful interception's tap on an
					* allocation (ALLOC_TAP, ipc_alloc_tap);
					* 33: its X2 events (LI_X2, ipc_li_x2);
					* 34: and a tap on an RTP context
					* (RTP_TAP, ipc_rtp_tap);
					* 35: tp-li's delivery figures
					* (LI_STATUS, ipc_li_status);
					* 36: and on an AGW context's TCP legs
					* (AGW_TAP, ipc_agw_tap);
					* 37: IPC_LI_X2_MAX 1280 -> 1600: the
					* contexts' X2 fields */
#define IPC_MAX_WORKERS  64u
#define IPC_MSG_SIZE     2048u
#define IPC_RING_SLOTS   1024u         /* per ring; a power of two */
#define IPC_RING_MASK    (IPC_RING_SLOTS - 1u)
#define IPC_CACHE_LINE   64u
#define IPC_NAME_MAX     64u
#define IPC_USER_MAX     512u          /* USERNAME bytes: TP_USERNAME_MAX (508)
					* rounded up to 8, so a name goes whole */
#define IPC_KEY_MAX      32u           /* long-term key (MD5 16 / SHA-256 32) */
/* A process whose heartbeat is older than this is taken for gone. cp beats
 * on every pass of its loop (a few ms apart), dp's first worker thirty times
 * a second: a second of silence is far outside what either does when well. */
#define IPC_ALIVE_MS     1000u

enum ipc_kind {
#define IPC_KIND(e, v, name, dir) IPC_##e = v,
#include "ipc_kinds.def"
#undef IPC_KIND
};

/* Which way a message travels (the dir column of ipc_kinds.def). */
enum ipc_dir {
	IPC_DP2CP = 1,            /* dp's worker -> cp (ring to_cp) */
	IPC_CP2DP = 2,            /* cp -> dp's worker (ring to_dp) */
};

/* A transport address, family 4 or 6 (IPv4 in ip[0..3]), port host order. */
struct ipc_addr {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t ip[16];
};

/*
 * A stream connection of dp's (TCP, TLS) is named by who owns it: the
 * worker (bits 63-56), its slot in that worker's connection table (55-32)
 * and the slot's generation (31-0, never 0), so that cp sends what concerns
 * a connection to the right ring without a lookup, and a message about a
 * connection that closed (its slot reused, the generation moved on) is
 * recognised as stale by the worker. 0 is "no connection" (UDP).
 * ipc_conn_make() and the accessors in ipc.h are the one place the layout
 * is written.
 */
#define IPC_CONN_WORKER_SHIFT  56
#define IPC_CONN_SLOT_SHIFT    32
#define IPC_CONN_SLOT_MAX      0xffffffu       /* 24 bits of slot */
/* A DTLS session's id (TURN over DTLS, RFC 7350: transport 17 with a
 * connection) has this slot bit; a stream connection's never does (dp's
 * TCP slots stay below 2^23). */
#define IPC_CONN_SLOT_DTLS     0x800000u

/* The 5-tuple an allocation (or request) belongs to, as dp saw it. */
struct ipc_tuple {
	uint8_t transport;        /* 17 UDP (DTLS too), 6 TCP (TLS runs over TCP) */
	uint8_t in_port;          /* dp port index the client uses */
	uint16_t pad;
	uint32_t pad2;
	uint64_t conn_id;         /* dp's stream connection or DTLS session
				   * (IPC_CONN_SLOT_DTLS); 0 for UDP */
	struct ipc_addr client;
	struct ipc_addr server;   /* our listening address */
};

/* Fixed header of every message. */
struct ipc_msg_hdr {
	uint16_t kind;            /* enum ipc_kind */
	uint16_t worker;          /* the dp worker the ring belongs to */
	uint16_t body_len;        /* bytes used in the body */
	uint16_t flags;
	uint32_t seq;             /* per ring, for logs and loss checks */
	uint32_t pad;
	uint64_t alloc_id;        /* cp's allocation id, 0 when none */
	struct ipc_tuple tuple;
};

/* An allocation as installed in dp (ALLOC_ADD) and reported back to a
 * restarted cp (STATE_ALLOC). Times here and in every message are
 * absolute CLOCK_MONOTONIC milliseconds: the one clock every process of
 * the host shares that no wall-clock step moves; they survive either
 * process restarting (the segment does not survive a reboot). */
struct ipc_alloc {
	uint8_t nrelayed;         /* 1 or 2 (dual allocation) */
	uint8_t key_len;
	uint16_t pwalg;           /* STUN_PWALG_* the key was made with */
	uint16_t user_len;
	uint16_t flags;           /* IPC_ALLOC_F_* */
	struct ipc_addr relayed[2];
	uint64_t expires_ms;
	/* when cp made it (CLOCK_MONOTONIC ms): kept by dp for a restarted
	 * cp, whose usage records say when it started (cp/acct) */
	uint64_t created_ms;
	/* Its bandwidth limit (cp: the user's, else its tenant's, else
	 * turn.max_bps): relayed payload bytes a second in each direction,
	 * 0: none; and the burst, bytes (0 with a rate: one second's).
	 * dp polices each direction with it and gives it back in
	 * STATE_ALLOC, so that it survives either process restarting. */
	uint32_t max_bps;
	uint32_t max_bps_burst;
	uint8_t key[IPC_KEY_MAX];
	char username[IPC_USER_MAX];
};

/* ipc_alloc.flags */
#define IPC_ALLOC_F_TCP 0x1u      /* RFC 6062: its relayed transport is TCP
				   * (REQUESTED-TRANSPORT 6): peers connect
				   * in, Connect opens out, nothing on UDP */
#define IPC_ALLOC_F_MOBILE 0x2u   /* RFC 8016: made with a MOBILITY-TICKET;
				   * kept by dp for a restarted cp */

/*
 * Lawful interception (issue 70, docs/design/li.md §4): ALLOC_TAP sets
 * (on 1) or clears (on 0) the tap of the header's allocation. A tapped
 * allocation's relayed datagrams, both directions, are copied by its
 * worker to dp's delivery thread (tp-li), which sends them as X3 PDUs
 * (ETSI TS 103 221-2) carrying xid and correlation to each of dest[0,
 * ndest): the task's destinations that take X3 (an IP address and TCP
 * port, X1's CreateDestination). Cleared: every field 0. The task is
 * cp/li's; nothing of it but this reaches dp, and dp logs none of it.
 */
#define IPC_LI_DESTS 4u
struct ipc_alloc_tap {
	uint8_t on;               /* 1: tap, 0: no longer */
	uint8_t ndest;            /* 1..IPC_LI_DESTS when on, 0 when off */
	uint16_t pad;
	uint32_t pad2;
	uint64_t correlation;     /* the X2/X3 correlation ID (§5.2.9) */
	uint8_t xid[16];          /* the task's XID (a UUID, as X1 gave it) */
	struct ipc_addr dest[IPC_LI_DESTS]; /* family 4 or 6, a TCP port */
};

/*
 * Lawful interception's X2 (issue 70, docs/design/li.md §3.4): one event
 * of a targeted session, written whole by cp/li (the X2 PDU's header
 * fields and its payload: turnpike's X2 event, lib/li's li_x2.h), sent on
 * the ring of the session's worker, which hands it to tp-li through its
 * ring of copies, in order with the session's X3. tp-li writes the PDU
 * (type X2, payload format 4) to each of dest[0, ndest), the task's
 * destinations that take X2. The header's alloc_id is the session's;
 * body_len is offsetof(payload) + len. dp reads nothing of the payload.
 */
#define IPC_LI_X2_MAX 1600u      /* lib/li's LI_X2_MAX (1,547) fits */
struct ipc_li_x2 {
	uint8_t xid[16];          /* the task's XID */
	uint64_t correlation;     /* as the session's X3 carry (§5.2.8) */
	uint32_t seq;             /* the session's X2, one each (§5.3.9) */
	uint32_t ts_sec;          /* the event's time: POSIX seconds */
	uint32_t ts_nsec;         /* and nanoseconds, < 10^9 */
	uint8_t dir;              /* payload direction (table 5.2.6-1): 1..5 */
	uint8_t ndest;            /* 1..IPC_LI_DESTS */
	uint16_t len;             /* payload bytes: 8..IPC_LI_X2_MAX */
	struct ipc_addr dest[IPC_LI_DESTS]; /* family 4 or 6, a TCP port; the rest 0 */
	uint8_t payload[IPC_LI_X2_MAX];
};

/* RTP_TAP's body: the tap of the header's RTP context (its alloc_id),
 * as ALLOC_TAP's, and which of its terminations is the target's (the
 * one whose remote or latched address a task targets): what that
 * termination's network sends is copied as from the target (TS 103
 * 221-2 direction 3), what the other's sends as to it (2). Off: every
 * field 0. */
struct ipc_rtp_tap {
	struct ipc_alloc_tap tap;
	uint8_t term;             /* 0 or 1 */
	uint8_t pad[7];
};

/*
 * Lawful interception's delivery figures (issue 70, docs/design/li.md
 * §2.4, §3.4): LI_STATUS, dp -> cp, from worker 0 on tp-li's behalf, at
 * most once a second and only when something changed. Counts are what
 * moved since the previous report (cp adds them up: a report lost, or a
 * cp restarted, loses those, never double counts); a destination's state
 * is as it is now. A destination is its address and TCP port (what tp-li
 * knows), a task its XID. dest[0, ndest) and task[0, ntask) used, the
 * rest 0; a report of more takes several messages. cp answers them over
 * X1 only (TaskStatus, DestinationStatus): never a log line or metric.
 */
#define IPC_LI_ST_DESTS 8u
#define IPC_LI_ST_TASKS 24u

enum ipc_li_conn_state {
	IPC_LI_CONN_NONE = 0,     /* no connection: never needed, or given back */
	IPC_LI_CONN_CONNECTING = 1, /* TCP or TLS handshake under way */
	IPC_LI_CONN_UP = 2,
	IPC_LI_CONN_FAILED = 3,   /* down after a fault (ipc_li_dest_st.fault) */
	IPC_LI_CONN_STATE_MAX = 3,
};

/* Why a destination's connection last failed (0: never did). */
enum ipc_li_fault {
	IPC_LI_FAULT_NONE = 0,
	IPC_LI_FAULT_CONNECT = 1, /* TCP or TLS failed, or the MF closed */
	IPC_LI_FAULT_CERT = 2,    /* the MF's certificate refused */
	IPC_LI_FAULT_TIMEOUT = 3, /* a handshake or queued PDUs stuck */
	IPC_LI_FAULT_KA_LATE = 4, /* a keepalive not acknowledged in time */
	IPC_LI_FAULT_MF_BAD = 5,  /* the MF sent other than our acknowledgement */
	IPC_LI_FAULT_MAX = 5,
};

/* What any report of dp's tp-li holds (ipc_msg_check() refuses others):
 * a count below 2^63 (what moved since the last report: far fewer), a
 * copy's time under 2^32 s (the copies' ts_sec is 32 bits, µs here). */
#define IPC_LI_COUNT_MAX   ((uint64_t)INT64_MAX)
#define IPC_LI_LAST_US_MAX ((uint64_t)UINT32_MAX * 1000000u + 999999u)

struct ipc_li_dest_st {
	struct ipc_addr addr;     /* family 4 or 6, a TCP port */
	uint8_t state;            /* enum ipc_li_conn_state, now */
	uint8_t fault;            /* enum ipc_li_fault: the last failure's */
	uint16_t pad;
	uint64_t delivered;       /* X2/X3 PDUs written whole */
	uint64_t dropped_down;    /* dropped: the connection not up */
	uint64_t dropped_full;    /* dropped: its backlog full */
	uint64_t dropped_lost;    /* queued, lost when it failed */
	uint64_t failures;        /* connections failed or closed for a fault */
};

struct ipc_li_task_st {
	uint8_t xid[16];          /* the task's XID */
	uint64_t x2_delivered;    /* PDUs written whole, one a destination */
	uint64_t x2_lost;         /* dropped or lost in tp-li, one a destination */
	uint64_t x3_delivered;
	uint64_t x3_lost;
	uint64_t last_us;         /* the newest copy's time, µs since 1970 (0: none) */
};

struct ipc_li_status {
	uint8_t ndest;            /* 0..IPC_LI_ST_DESTS */
	uint8_t ntask;            /* 0..IPC_LI_ST_TASKS */
	uint8_t pad[6];
	struct ipc_li_dest_st dest[IPC_LI_ST_DESTS];
	struct ipc_li_task_st task[IPC_LI_ST_TASKS];
};

/* AGW_TAP's body: the tap of the header's AGW context (TCP legs, MSRP
 * after TLS: its alloc_id), as ALLOC_TAP's, and which of its legs is the
 * target's (the one whose remote a task targets): what that leg's peer
 * sends is copied as from the target (TS 103 221-2 direction 3), what
 * the other leg's peer sends as to it (2). Off: every field 0. */
struct ipc_agw_tap {
	struct ipc_alloc_tap tap;
	uint8_t leg;              /* 0 or 1 */
	uint8_t pad[7];
};

/* RFC 8016 across workers (FWD_ADD): the worker that holds the
 * allocation whose client moved to the header's tuple. A worker holds
 * IPC_FWD_MAX forwards at least; cp installs no more than that on one. */
struct ipc_fwd {
	uint16_t owner;           /* < IPC_MAX_WORKERS, not the ring's worker */
	uint16_t pad[3];
};
#define IPC_FWD_MAX 2048u

/* A permission (PERM_ADD/DEL) or channel (CHAN_ADD/DEL); STATE_ALLOC
 * carries a list of these after the allocation. */
struct ipc_binding {
	struct ipc_addr peer;     /* permissions match on ip only */
	uint16_t channel;         /* 0 for a permission */
	uint16_t pad[3];
	uint64_t expires_ms;
};

/* Why a stream connection closed (CONN_DOWN). */
enum ipc_conn_reason {
	IPC_CONN_CLOSED = 1,      /* FIN both ways, or closed by us */
	IPC_CONN_RESET = 2,       /* RST received */
	IPC_CONN_TIMEOUT = 3,     /* retransmissions or keepalive gave up */
	IPC_CONN_ABORTED = 4,     /* bad input (deframer, limits): we reset it */
	IPC_CONN_REASON_MAX = 4,
};

/* A stream connection went away (CONN_DOWN, dp -> cp): the tuple in the
 * header names it (transport 6, conn_id); what belonged to it goes too. */
struct ipc_conn_event {
	uint32_t reason;          /* enum ipc_conn_reason */
	uint32_t pad;
};

/* Counters of one allocation (STATS carries an array of these). */
#define IPC_ALLOC_STATS_N 8
struct ipc_alloc_stats {
	uint64_t alloc_id;
	/* pkts/bytes from client, to peer, from peer, to client */
	uint64_t c[IPC_ALLOC_STATS_N];
};

/*
 * ALLOC_END (dp -> cp): an allocation dp removed while no cp served (its
 * expiry guard, its TCP/TLS connection closing, an ALLOC_DEL a cp sent
 * just before it stopped), whole, in place of its STATS_FINAL: the next
 * cp may never have known it (dp no longer has it at SYNC), so the report
 * carries what a usage record needs. The header's tuple and alloc_id are
 * the allocation's. It waits in a bounded backlog of its own (a full one:
 * STATS_FINAL instead, counted), never in the STATS_FINALs' one.
 */
enum ipc_end_reason {
	/* 1..4: its connection closed, as enum ipc_conn_reason */
	IPC_END_EXPIRED = 5,      /* dp's expiry guard */
	IPC_END_DELETED = 6,      /* cp's ALLOC_DEL */
	IPC_END_REASON_MAX = 6,
};

struct ipc_alloc_end {
	uint64_t c[IPC_ALLOC_STATS_N];   /* its counters, as ipc_alloc_stats' */
	uint64_t created_ms;      /* ipc_alloc.created_ms (0: unknown) */
	uint64_t ended_ms;        /* when dp removed it (CLOCK_MONOTONIC ms) */
	struct ipc_addr relayed[2];
	uint8_t nrelayed;         /* 1 or 2 */
	uint8_t reason;           /* enum ipc_end_reason (1..IPC_END_REASON_MAX) */
	uint16_t flags;           /* IPC_ALLOC_F_* */
	uint16_t user_len;        /* <= IPC_USER_MAX */
	uint16_t pad;
	uint32_t max_bps;         /* ipc_alloc.max_bps (0: none) */
	uint32_t pad2;
	char username[IPC_USER_MAX];
};

/*
 * TLS resumption across dp's workers. cp makes the session
 * ticket keys (RFC 5077 §4's recommended ticket construction, as OpenSSL
 * lays it out: key_name, IV, AES-256-CBC, HMAC-SHA256), rotates them and
 * sends the set to every worker (TLS_TICKETS), so that a ticket one worker
 * issued resumes on any other. key[0] encrypts new tickets; every key of
 * the set decrypts (the previous one stays for a period after a rotation,
 * so tickets issued just before it still resume, and are renewed under
 * key[0]). A key is never sent to a process that should not have it: the
 * segment is readable only by cp's user and root (ipc_seg_open()).
 */
#define IPC_TLS_TICKET_KEYS    2u       /* the current key, the previous one */
#define IPC_TLS_TICKET_NAME    16u      /* key_name: picks the key to decrypt */
#define IPC_TLS_TICKET_AES     32u      /* AES-256-CBC */
#define IPC_TLS_TICKET_HMAC    32u      /* HMAC-SHA256 */

struct ipc_tls_ticket_key {
	uint8_t name[IPC_TLS_TICKET_NAME];
	uint8_t aes_key[IPC_TLS_TICKET_AES];
	uint8_t hmac_key[IPC_TLS_TICKET_HMAC];
};

struct ipc_tls_tickets {
	uint64_t generation;      /* cp's count of keys made, for logs and stats */
	uint32_t nkeys;           /* 1..IPC_TLS_TICKET_KEYS; key[0] encrypts */
	uint32_t pad;
	struct ipc_tls_ticket_key key[IPC_TLS_TICKET_KEYS];
};

/*
 * TLS 1.3 external PSKs (RFC 8446 §2.2, §4.2.11), installed by the operator
 * through cp: TLS_PSK_ADD installs (or replaces) the identity's key,
 * TLS_PSK_DEL removes it (key_len 0). TLS_PSK_SYNC brackets cp's whole set
 * (after a dp or cp restart, or when a ring had no room for a change):
 * BEGIN marks every identity a worker has as stale, the ADDs that follow
 * unmark theirs, END removes what is still stale. Until END the old
 * entries keep working, so a resync never refuses a client in between.
 * cipher: the TLS 1.3 suite whose hash the PSK is bound to (RFC 8446
 * §4.2.11: a PSK is used with one hash): 0x1301 TLS_AES_128_GCM_SHA256
 * (what `openssl s_client -psk` uses), 0x1302 TLS_AES_256_GCM_SHA384,
 * 0x1303 TLS_CHACHA20_POLY1305_SHA256.
 */
#define IPC_TLS_PSK_ID_MAX     128u
#define IPC_TLS_PSK_KEY_MIN    16u      /* 128 bits at least */
#define IPC_TLS_PSK_KEY_MAX    64u
#define IPC_TLS_PSK_MAX        1024u    /* identities cp keeps, a worker holds */

struct ipc_tls_psk {
	uint16_t id_len;          /* 1..IPC_TLS_PSK_ID_MAX */
	uint16_t key_len;         /* ADD: IPC_TLS_PSK_KEY_MIN..MAX; DEL: 0 */
	uint16_t cipher;          /* 0x1301..0x1303 (ADD); 0 (DEL) */
	uint16_t pad;
	uint8_t id[IPC_TLS_PSK_ID_MAX];
	uint8_t key[IPC_TLS_PSK_KEY_MAX];
};

enum ipc_tls_psk_phase {
	IPC_TLS_PSK_BEGIN = 1,
	IPC_TLS_PSK_END = 2,
};

struct ipc_tls_psk_sync {
	uint32_t phase;           /* enum ipc_tls_psk_phase */
	uint32_t count;           /* END: how many ADDs cp sent since BEGIN */
};

/*
 * The IMS access gateway (3GPP TS 29.334, end-to-access-edge security for
 * MSRP and BFCP): a context is two terminations that dp splices
 * together in one worker (dp/agw, dp/splice). cp names a context by an id
 * of the connection ids' layout (ipc_conn_make(): worker | slot of that
 * worker's context table | generation, never 0): the worker that holds it,
 * its slot there, and a generation that tells a stale id. AGW_ADD (h.alloc_id
 * the id) installs one, with 0, 1 or 2 terminations (an absent one has
 * tcp_role 0 and nothing else set); AGW_MOD adds a termination to an empty
 * slot, modifies one or subtracts one (H.248 works one termination at a
 * time); AGW_DEL (body empty) releases it; dp says what happens in
 * AGW_EVENTs, the last of which for a context is RELEASED (after which its
 * slot and server ports are free in cp). The tuple of these messages is
 * unused (zero).
 */
enum ipc_agw_tcp_role {
	IPC_AGW_TCP_NONE = 0,     /* no termination in this slot (yet) */
	IPC_AGW_TCP_CLIENT = 1,   /* connect to remote from local (port 0: dp picks) */
	IPC_AGW_TCP_SERVER = 2,   /* accept one connection on local (port set) */
};

/* A termination's TLS role: the values of dp/tls's enum tls_role. */
enum ipc_agw_tls_role {
	IPC_AGW_TLS_NONE = 0,
	IPC_AGW_TLS_CLIENT = 1,
	IPC_AGW_TLS_SERVER = 2,
};

#define IPC_AGW_FP_MAX      4u    /* RFC 8122 a=fingerprint lines taken per leg */
#define IPC_AGW_FP_LEN      64u   /* the longest digest (sha-512) */
#define IPC_AGW_DETAIL_MAX  232u  /* an event's sentence, NUL included */
#define IPC_AGW_MEMO_LEN    16u   /* a termination's controller memo */
#define IPC_AGW_DSCP_MAX    63u

/* A certificate fingerprint as SDP signals it (lib/certfp struct certfp):
 * alg 1..4 (sha-1, sha-256, sha-384, sha-512), len its digest's bytes. */
struct ipc_agw_fp {
	uint8_t alg;
	uint8_t len;
	uint8_t md[IPC_AGW_FP_LEN];
	uint8_t pad[6];
};

struct ipc_agw_term {
	uint8_t tcp_role;         /* enum ipc_agw_tcp_role */
	uint8_t tls_role;         /* enum ipc_agw_tls_role */
	uint8_t nfp;              /* fingerprints of the peer's certificate;
				   * 1..IPC_AGW_FP_MAX with TLS, else 0 */
	uint8_t cred;             /* our certificate: 0 the tls group's, n the
				   * n-th of agw.certificates */
	uint16_t serial;          /* cp's number for the termination in this
				   * slot (a later one in the same slot has
				   * another): its events carry it */
	uint8_t dscp;             /* the DS field's code point (RFC 2474) of
				   * every packet dp sends on the leg,
				   * 0..IPC_AGW_DSCP_MAX (0: the default
				   * class) */
	uint8_t door;             /* cp's: which of its doors made it (dp keeps
				   * it for a restarted cp) */
	/* server: the address and port to accept on; client: the source
	 * address (port 0: dp picks one that steers back to the worker) */
	struct ipc_addr local;
	/* client: where to connect (family of local); server: family 0 to
	 * accept anyone, else only this address (port 0: any port) */
	struct ipc_addr remote;
	struct ipc_agw_fp fp[IPC_AGW_FP_MAX];
	/* policing of what the leg's peer sends (H.248.53 tman: sdr, mbs):
	 * bytes a second read from it at most, and the burst over that rate
	 * taken at once; rate 0: none. Over TCP the excess is not dropped
	 * (that would cut the stream) but left unread: the peer's window
	 * closes and it slows. */
	uint32_t pol_rate;
	uint32_t pol_burst;
	/* the controller's own words on this termination (cp/iq: the
	 * requested events): dp keeps them with the leg, never reads them,
	 * and gives them back in AGW_STATE to a restarted cp */
	uint8_t memo[IPC_AGW_MEMO_LEN];
	/* cp's: the context's tenant (lib/conf's index, 0 the default), in
	 * every termination cp makes for it; dp keeps it with the leg, never
	 * reads it, and gives it back in AGW_STATE to a restarted cp */
	uint8_t tenant;
	uint8_t pad2[7];          /* (keeps the struct a multiple of 8 bytes) */
};

/* AGW_ADD's body. */
struct ipc_agw_ctx {
	struct ipc_agw_term term[2];
	uint32_t setup_ms;        /* each leg given up within this from its
				   * install, else the context is released
				   * (SETUP_TIMEOUT); 0: no limit */
	uint32_t pad;
};

/* AGW_MOD's operations on one leg slot of a context. */
enum ipc_agw_mod_op {
	IPC_AGW_ADD_LEG = 1,      /* term joins the empty slot leg; its setup
				   * time (setup_ms) starts now */
	IPC_AGW_MOD_LEG = 2,      /* the slot's remote and fingerprints become
				   * term's (its roles, local address and
				   * certificate unchanged): a leg not up yet
				   * takes them (a client reconnects), one up
				   * only records them; its dscp, policing
				   * and memo become term's whether up or not
				   * (a remote unchanged: no reconnect) */
	IPC_AGW_SUB_LEG = 3,      /* the slot's termination ends (SUBTRACTED,
				   * cause controller); the other leg is held
				   * (its bytes within agw.hold) until a
				   * termination joins or the context ends; a
				   * context left without a leg is released */
};
#define IPC_AGW_MOD_OP_MAX 3u

/* AGW_MOD's body (h.alloc_id the context). */
struct ipc_agw_mod {
	uint8_t op;               /* enum ipc_agw_mod_op */
	uint8_t leg;              /* 0 or 1 */
	uint8_t pad[2];
	uint32_t setup_ms;        /* ADD_LEG: as ipc_agw_ctx's, for this leg */
	struct ipc_agw_term term; /* ADD_LEG, MOD_LEG; zero for SUB_LEG */
};

enum ipc_agw_cause {
#define IPC_AGW_CAUSE(e, v, name, help) IPC_AGW_##e = v,
#include "ipc_agw_causes.def"
#undef IPC_AGW_CAUSE
};
#define IPC_AGW_CAUSE_MAX 14u

enum ipc_agw_ev_type {
	IPC_AGW_EV_LEG_UP = 1,    /* a leg's TCP (and TLS) is up */
	IPC_AGW_EV_LEG_DOWN = 2,  /* a leg ended: cause, detail */
	IPC_AGW_EV_RELEASED = 3,  /* the context ended (the last event of it) */
	IPC_AGW_EV_SUBTRACTED = 4, /* a leg left the context, which lives on
				    * (AGW_MOD SUB_LEG: cause controller; an
				    * ADD_LEG dp could not install:
				    * setup_failed): its slot is empty */
};
#define IPC_AGW_EV_MAX 4u
#define IPC_AGW_LEG_NONE 0xffu

/* AGW_EVENT's body: h.alloc_id is the context. LEG_UP: the leg's TCP
 * addresses and TLS version; LEG_DOWN: and its cause, its bytes, a
 * sentence; RELEASED: the cause of the context's end and the leg it came
 * from (IPC_AGW_LEG_NONE for the controller's or the setup's), both
 * legs' bytes; SUBTRACTED: the leg, its cause, its bytes as it left. A
 * slot's bytes count from the termination that holds it now. */
struct ipc_agw_event {
	uint8_t type;             /* enum ipc_agw_ev_type */
	uint8_t leg;              /* 0, 1, or IPC_AGW_LEG_NONE */
	uint8_t cause;            /* enum ipc_agw_cause */
	uint8_t tls_version;      /* 0 (plain), 12 or 13 */
	uint16_t detail_len;      /* < IPC_AGW_DETAIL_MAX, detail NUL-terminated */
	uint16_t serial;          /* the leg's termination's (ipc_agw_term);
				   * RELEASED: 0 */
	struct ipc_addr local;
	struct ipc_addr remote;
	uint64_t bytes_in[2];     /* read from leg 0, 1 (LEG_DOWN: [leg]) */
	uint64_t bytes_out[2];    /* written to leg 0, 1 */
	char detail[IPC_AGW_DETAIL_MAX];
};

/* AGW_STATE's body (a restarted cp's SYNC): a live context as installed
 * (an empty slot's term has tcp_role 0) and its legs as they are (state:
 * 0 waiting, 1 up, 2 down; setup_ms: what is left of a waiting leg's
 * setup time, 0 none). */
struct ipc_agw_leg_state {
	uint8_t state;
	uint8_t tls_version;
	uint8_t pad[2];
	uint32_t setup_ms;
	struct ipc_addr local;
	struct ipc_addr remote;
	uint64_t bytes_in;
	uint64_t bytes_out;
};

struct ipc_agw_state {
	struct ipc_agw_ctx ctx;
	struct ipc_agw_leg_state leg[2];
};

/*
 * The access gateway's RTP terminations (dp/rtp/FEATURE.md): a context is
 * two UDP media terminations that dp relays to each other in one worker.
 * Its id has the connection ids' layout (ipc_conn_make(): worker | slot of
 * that worker's RTP context table | generation, never 0), as an AGW
 * context's; an id names an RTP context or an AGW one, never both. The
 * tuple of these messages is unused (zero).
 *   RTP_ADD        cp -> dp: a context with 0, 1 or 2 terminations (an
 *                  empty slot is all zero, profile 0); refused whole
 *                  (RELEASED, setup_failed, a sentence) when dp cannot
 *                  install it.
 *   RTP_MOD        cp -> dp: one slot's termination added, modified or
 *                  subtracted (SUBTRACTED with its last statistics; the
 *                  last one subtracted releases the context too).
 *   RTP_DEL        cp -> dp (no body): released (RELEASED, cause controller,
 *                  both terminations' last statistics).
 *   RTP_STATS_REQ  cp -> dp: the context's statistics now (RTP_STATS, with
 *                  the request's number; found 0 for a context gone).
 *   RTP_EVENT      dp -> cp: LATCHED, INACTIVE, SUBTRACTED, RELEASED.
 *   RTP_STATE      dp -> a restarted cp (SYNC), before the worker's
 *                  STATE_DONE: one live context, its statistics and latches.
 */
enum ipc_rtp_profile {
	IPC_RTP_NONE = 0,         /* no termination in this slot (yet) */
	IPC_RTP_AVP = 1,          /* RTP/AVP (RFC 3551) */
	IPC_RTP_AVPF = 2,         /* RTP/AVPF (RFC 4585) */
	IPC_RTP_SAVP = 3,         /* RTP/SAVP (RFC 3711): SRTP towards its network */
	IPC_RTP_SAVPF = 4,        /* RTP/SAVPF (RFC 5124) */
};
#define IPC_RTP_PROFILE_MAX 4u

/* H.248.1 §7.1.7's stream mode, as seen from the termination: SEND, dp
 * sends to the termination's network (what the other termination takes
 * in goes out here); RECV, dp takes in what it sends. 3 sendrecv, 0
 * inactive. */
#define IPC_RTP_MODE_SEND   0x1u
#define IPC_RTP_MODE_RECV   0x2u
#define IPC_RTP_MODE_MAX    0x3u

#define IPC_RTP_F_MUX       0x1u  /* RFC 5761: RTP and RTCP on local.port */
#define IPC_RTP_F_RSIZE     0x4u  /* RFC 5506: reduced-size RTCP taken */
#define IPC_RTP_F_MASK      0x5u  /* (0x2 was latching: ipc_rtp_term.latch) */

/*
 * A termination's latching (H.248.37 ipnapt/latch; rtpengine's
 * endpoint learning, strict-source, media-handover): which source of its
 * network dp takes and sends to (dp/rtp/FEATURE.md "Latching and
 * gates"). One field, ipc_rtp_term.latch: the policy in its low bits, and
 * IPC_RTP_LATCH_SIGNALLED beside it. Every door sets it (cp/agw's doors
 * each say their default). gm (H.248.43) narrows who may be heard before
 * any of it.
 */
enum ipc_rtp_latch {
	IPC_RTP_LATCH_OFF = 0,      /* nothing learnt: dp sends to the signalled
				     * remote and takes any source gm passes */
	IPC_RTP_LATCH_RELATCH = 1,  /* the first valid source latches; another
				     * only after agw.media_relatch ms of
				     * silence from it (a NAT binding moved) */
	IPC_RTP_LATCH_STRICT = 2,   /* the first valid source latches for good:
				     * no other is ever taken (until a modify
				     * gives another remote) */
	IPC_RTP_LATCH_HANDOVER = 3, /* each new valid source latches at once
				     * (rtpengine's media-handover: anyone who
				     * reaches the port may take the stream) */
};
#define IPC_RTP_LATCH_POLICY    0x0fu  /* the bits of enum ipc_rtp_latch */
#define IPC_RTP_LATCH_MAX       3u
/* With a policy: a source latches (or, with OFF, is taken) only from the
 * signalled remote's address, its port any (the remote's port where it
 * differs is learnt); no remote signalled yet: from any address. */
#define IPC_RTP_LATCH_SIGNALLED 0x10u

#define IPC_RTP_DSCP_MAX    63u
#define IPC_RTP_MEMO_LEN    16u
#define IPC_RTP_DETAIL_MAX  96u   /* an event's sentence, NUL included */

/*
 * One direction's SRTP keying (RFC 3711; SDES, RFC 4568): a master key
 * and salt (key[], key_len octets: the suite's key || salt, 30 for
 * AES_CM_128, 46 for AES_256_CM, 28 and 44 for AEAD_AES_128/256_GCM),
 * an MKI, and where its streams stand so that a restarted dp carries each
 * packet index on (RFC 3711 section 3.3.1): every SSRC followed under the
 * key (nstreams of stream[], at most IPC_SRTP_SSRCS: dp refuses another
 * rather than forget one), its ROC and highest sequence number, and the
 * SRTCP index; all 0 at a key's start. Keys are secrets: never logged,
 * wiped where they are dropped.
 */
#define IPC_SRTP_KEY_MAX    46u
#define IPC_SRTP_MKI_MAX    4u
#define IPC_SRTP_SSRCS      2u     /* SSRCs one direction follows under a key */
/*
 * How far a stream dp protects may have moved past the position cp holds
 * of it, and what a restarted dp does about it (RFC 3711 section 9.1: an
 * index is never protected twice under a key). dp tells cp where a
 * termination's streams stand (an RTP_STATS of req 0) as soon as an SSRC
 * is new, either way, and before a stream it protects moves
 * IPC_SRTP_TELL packets past what it told; a restarted dp given a send
 * stream's position starts it IPC_SRTP_POS_LAG past it (a tell on its way
 * when dp ended is covered), as it starts SRTCP's index past the one
 * given.
 */
#define IPC_SRTP_TELL       256u
#define IPC_SRTP_POS_LAG    512u

/* Where one SSRC's stream stands (RFC 3711 section 3.3.1). */
struct ipc_srtp_stream {
	uint32_t ssrc;
	uint32_t roc;             /* its rollover counter */
	uint16_t seq;             /* its highest sequence number (s_l) */
	uint16_t pad;
};

struct ipc_srtp_key {
	uint8_t suite;            /* lib/sdp's enum sdp_suite; 0: no SRTP */
	uint8_t key_len;          /* octets of key[] */
	uint8_t mki_len;          /* 0..IPC_SRTP_MKI_MAX */
	uint8_t nstreams;         /* stream[] followed: 0..IPC_SRTP_SSRCS */
	uint16_t window;          /* replay window (RFC 4568 WSH); 0: 128 */
	uint16_t pad;
	uint32_t srtcp_index;     /* SRTCP's index (31 bits) */
	uint32_t mki;             /* the MKI's value, mki_len octets of it */
	struct ipc_srtp_stream stream[IPC_SRTP_SSRCS];
	uint8_t key[IPC_SRTP_KEY_MAX];
	uint8_t pad2[2];
};

/* The suites' values are lib/sdp's enum sdp_suite's (lib/ipc does not
 * link lib/sdp; ipc_srtp_key_len() says each one's key_len). A key is valid (ipc_msg_check())
 * with a suite of these, key_len exactly the suite's, mki_len <= 4 and
 * the mki within it, window 0 or 64..32767, srtcp_index < 2^31, its
 * streams valid (below), and every octet past key_len and every pad 0.
 * Streams (a key's or a position's) are valid with nstreams <=
 * IPC_SRTP_SSRCS, their SSRCs all different (SSRC 0 is one like any
 * other), and every stream past nstreams all zero. */
#define IPC_SRTP_SUITE_MAX  8u

/* Where one direction's SRTP stands now (dp -> cp, in the statistics):
 * the SSRCs followed (in the order dp took them), each one's ROC and
 * highest sequence number, and the SRTCP index; the position fields of
 * struct ipc_srtp_key, for cp to send back after a dp restart. All 0
 * without SRTP. */
struct ipc_srtp_pos {
	struct ipc_srtp_stream stream[IPC_SRTP_SSRCS];
	uint32_t srtcp_index;
	uint8_t nstreams;
	uint8_t pad[3];
};

/*
 * ICE on a termination (dp/rtp/FEATURE.md "ICE"): dp is a lite agent
 * (RFC 8445 §2.5, always controlled) on the termination's port, answering
 * the peer's connectivity checks under our credentials (RFC 8489 §9.1's
 * short-term mechanism: USERNAME "<ufrag>:<peer_ufrag>", MESSAGE-INTEGRITY
 * under pwd), taking media only from a source that passed a check and
 * sending only to the pair the peer nominated, while its consent lasts
 * (RFC 7675). Latching (ipc_rtp_term.latch) does not apply to it.
 *
 * The credentials are ice-chars (RFC 8839 §5.4: ALPHA, DIGIT, "+", "/"),
 * of lengths RFC 8839 allows (ufrag 4..256, pwd 22..256) bounded here to
 * what peers send: Chromium 4 and 24, Firefox 8 and 32 (hex), aioice and
 * libnice 4 and 22, Asterisk 32 and 32. cp refuses longer ones with a
 * sentence, ipc_msg_check() anything past them.
 */
enum ipc_rtp_ice_mode {
	IPC_RTP_ICE_OFF = 0,      /* no ICE: every field of ipc_rtp_ice 0 */
	IPC_RTP_ICE_LITE = 1,     /* dp answers checks as a lite agent */
};
#define IPC_RTP_ICE_MAX    1u
#define IPC_ICE_UFRAG_MIN  4u
#define IPC_ICE_UFRAG_MAX  32u
#define IPC_ICE_PWD_MIN    22u
#define IPC_ICE_PWD_MAX    64u

struct ipc_rtp_ice {
	uint8_t mode;             /* enum ipc_rtp_ice_mode */
	uint8_t ufrag_len;        /* ours (the Local SDP's a=ice-ufrag) */
	uint8_t pwd_len;          /* ours (a=ice-pwd): the checks' key */
	uint8_t peer_ufrag_len;   /* the peer's (its a=ice-ufrag); 0: not known
				   * yet, any second part of USERNAME taken */
	uint8_t pad[4];
	char ufrag[IPC_ICE_UFRAG_MAX];    /* no NUL: the lengths above; every */
	char pwd[IPC_ICE_PWD_MAX];        /* octet past them 0 */
	char peer_ufrag[IPC_ICE_UFRAG_MAX];
	/* RTP_ADD (RTP_STATE gives back what RTP_ADD gave): the pair the
	 * peer nominated before, where media go at once with consent from
	 * then on (a restarted dp's termination, which cp installs again);
	 * family 0 none, else local's with a port. RTP_MOD: 0 (a modify
	 * keeps what dp holds). */
	struct ipc_addr nominated;
	uint8_t pad2[4];
};

/*
 * DTLS-SRTP on a termination (RFC 5763, RFC 5764; dp/dtls_srtp/FEATURE.md):
 * the keys of its SRTP (profile SAVP or SAVPF) come from a handshake on
 * its own RTP port (rtcp-mux: DTLS on the RTP flow only), not from cp.
 * cp decides the role from SDP (RFC 4145: a=setup); the peer's
 * certificate is checked against the fingerprints its SDP gave (RFC
 * 8122), nfp of fp[]: 1..IPC_RTP_DTLS_FP_MAX, or 0 with EITHER (we
 * offered actpass and the answer has not come). profiles: use_srtp's
 * offered (IPC_RTP_DTLS_P_*, dp/tls/dtls_hello.h's bits). assoc is cp's
 * number of the association (RFC 8842): a modify with the same one keeps
 * the handshake's state and keys, whatever keys it carries; another
 * starts over. cert_gen: the generation of dp's certificate (DTLS_CERT)
 * whose fingerprint our SDP gave. Keys: srtp_rx and srtp_tx all zero
 * (dp's SRTP drops what comes, no_key, until the handshake ends), or
 * with IPC_RTP_DTLS_F_KEYS those a handshake gave (RTP_DTLS UP: a
 * restarted dp's termination, or RTP_STATE's). Role NONE: every field 0.
 * Two fingerprints, not IPC_AGW_FP_MAX: RTP_STATE's budget (browsers
 * send one). tls_id and peer_tls_id are cp's, kept and given back
 * (RTP_STATE), never read by dp: the association's a=tls-id of ours (its
 * 128 random bits; the SDP gives them in hex) and the first octets of
 * the SHA-256 of the peer's (all zero: it gave none), what a restarted cp
 * needs to answer a re-offer that keeps the association with the same
 * tls-id and to tell that it keeps it (RFC 8842 §5).
 */
enum ipc_rtp_dtls_role {
	IPC_RTP_DTLS_NONE = 0,
	IPC_RTP_DTLS_CLIENT = 1,  /* a=setup:active: we send the ClientHello */
	IPC_RTP_DTLS_SERVER = 2,  /* a=setup:passive: we wait for one */
	IPC_RTP_DTLS_EITHER = 3,  /* we offered actpass: a ClientHello is taken,
				   * the peer verified when the answer comes */
};
#define IPC_RTP_DTLS_ROLE_MAX   3u
#define IPC_RTP_DTLS_FP_MAX     2u
#define IPC_RTP_DTLS_P_AES128_CM_80  0x1u   /* RFC 5764 §4.1.2 */
#define IPC_RTP_DTLS_P_AES128_CM_32  0x2u
#define IPC_RTP_DTLS_P_AEAD_128_GCM  0x4u   /* RFC 7714 §14.2 */
#define IPC_RTP_DTLS_P_AEAD_256_GCM  0x8u
#define IPC_RTP_DTLS_P_ALL           0xfu
#define IPC_RTP_DTLS_F_ALLOW_SHA1 0x1u    /* a sha-1 fingerprint trusted alone */
#define IPC_RTP_DTLS_F_COOKIE     0x2u    /* a cookie before any state (RFC 6347
					   * §4.2.1), also with ICE */
#define IPC_RTP_DTLS_F_KEYS       0x4u    /* srtp_rx and srtp_tx are the
					   * association's keys */
#define IPC_RTP_DTLS_F_ALL        0x7u
#define IPC_RTP_DTLS_ID_LEN       16u     /* our tls-id's octets (RFC 8842 §4:
					   * 120 bits of randomness at least) */
#define IPC_RTP_DTLS_PEER_ID_LEN  8u      /* the peer's tls-id's digest */

struct ipc_rtp_dtls {
	uint8_t role;             /* enum ipc_rtp_dtls_role */
	uint8_t nfp;
	uint8_t profiles;         /* IPC_RTP_DTLS_P_*, not 0 */
	uint8_t flags;            /* IPC_RTP_DTLS_F_* */
	uint16_t cert_gen;
	uint16_t pad;
	uint32_t assoc;
	uint32_t pad2;
	uint8_t tls_id[IPC_RTP_DTLS_ID_LEN];           /* cp's: ours */
	uint8_t peer_tls_id[IPC_RTP_DTLS_PEER_ID_LEN]; /* cp's: the peer's digest */
	struct ipc_agw_fp fp[IPC_RTP_DTLS_FP_MAX];  /* 0 past nfp */
};

/*
 * BUNDLE on a termination (RFC 9143; dp/rtp/FEATURE.md "BUNDLE"): several
 * m= sections of one peer (a browser's audio and video) on one transport.
 * Each section stays a context of its own; the access termination of the
 * group's first section is the OWNER (its port, ICE, DTLS, latching,
 * consent, SRTCP: an ordinary termination besides), the others' are
 * MEMBERs: no port, address, remote, ICE, DTLS, latching or gm of their
 * own; dp finds them by owner (a context on the same worker) and
 * owner_term, and hands them the packets the owner's port takes that are
 * theirs: by the SSRCs learnt or signalled (ssrc[]), by the MID header
 * extension (RFC 8285: mid_ext, the owner's, the extmap id of
 * urn:ietf:params:rtp-hdrext:sdes:mid), by a payload type only one
 * section has (pt, a bitmap). RFC 9143 §9.3: rtcp-mux in every bundled
 * section (IPC_RTP_F_MUX both roles). A MEMBER's SRTP keys carry its
 * suite and positions with every key octet 0, or are all zero (a
 * DTLS-SRTP owner's come from its handshake): the group has one key, the
 * owner's. Role NONE: every field 0.
 */
enum ipc_rtp_bundle_role {
	IPC_RTP_BUNDLE_NONE = 0,
	IPC_RTP_BUNDLE_OWNER = 1,
	IPC_RTP_BUNDLE_MEMBER = 2,
};
#define IPC_RTP_BUNDLE_ROLE_MAX 2u
/* RFC 8285 §4.2: the one-byte form carries 1..16 octets; a longer a=mid
 * (lib/sdp takes 32) is not bundled (cp refuses) */
#define IPC_RTP_MID_MAX         16u
#define IPC_RTP_BUNDLE_SSRCS    2u   /* the a=ssrc a section signals, at most */

struct ipc_rtp_bundle {
	uint64_t owner;           /* MEMBER: the context (this worker's, not
				   * this one) whose owner_term carries the
				   * transport; else 0 */
	uint8_t role;             /* enum ipc_rtp_bundle_role */
	uint8_t owner_term;       /* MEMBER: 0 or 1; else 0 */
	uint8_t mid_ext;          /* OWNER: the MID extension's id (1..14
				   * one-byte, 1..255 two-byte); 0 none;
				   * MEMBER: 0 (the owner's) */
	uint8_t mid_len;          /* 1..IPC_RTP_MID_MAX */
	uint8_t nssrc;            /* 0..IPC_RTP_BUNDLE_SSRCS of ssrc[] */
	uint8_t pad[3];
	char mid[IPC_RTP_MID_MAX];        /* the section's a=mid: token chars
					   * (RFC 8866 §9), no NUL, 0 after */
	uint32_t ssrc[IPC_RTP_BUNDLE_SSRCS];  /* distinct, 0 past nssrc */
	uint8_t pt[16];           /* the section's payload types: bit pt % 8
				   * of octet pt / 8, 0..127 */
};

struct ipc_rtp_term {
	uint8_t profile;          /* enum ipc_rtp_profile; 0: an empty slot,
				   * every other field 0 */
	uint8_t mode;             /* IPC_RTP_MODE_* bits */
	uint8_t flags;            /* IPC_RTP_F_* */
	uint8_t dscp;             /* ds (H.248.52): the DS code point of what dp
				   * sends to the termination's network */
	uint16_t serial;          /* cp's number for the termination in this
				   * slot: its events carry it */
	uint8_t gm_plen;          /* gm (H.248.43): gm_addr's prefix length
				   * (<= 32 or 128), 0 without gm_addr */
	uint8_t door;             /* cp's (which door made it): kept, given back */
	uint8_t tenant;           /* cp's (the context's tenant): kept, given back */
	uint8_t latch;            /* enum ipc_rtp_latch | IPC_RTP_LATCH_SIGNALLED */
	uint16_t rtcp_port;       /* our RTCP port (a pair); 0 with F_MUX */
	uint16_t remote_rtcp;     /* the signalled RTCP port (a=rtcp); 0: the
				   * remote's port + 1 (a pair) */
	uint16_t pad2;
	uint32_t clock_hz;        /* the media clock (a=rtpmap): jitter's
				   * units; 0: 8000 */
	uint32_t inact_ms;        /* H.248.40 it/ito: silence before INACTIVE;
				   * 0: none */
	uint32_t pol_rate;        /* tman (H.248.53): bytes a second taken from
				   * the termination's network; 0: none */
	uint32_t pol_burst;       /* bytes over that rate taken at once */
	uint16_t gm_port_lo;      /* gm: source ports taken (0, 0: any) */
	uint16_t gm_port_hi;
	/* our address (one of dp's) and RTP port (the worker's share of
	 * agw.media_ports) */
	struct ipc_addr local;
	/* the signalled remote (SDP c= and m=): family 0 (none yet) or
	 * local's; port 0: none yet. dp sends here until a packet latches. */
	struct ipc_addr remote;
	/* gm: the source address filter (family 0: any address) */
	struct ipc_addr gm_addr;
	uint8_t memo[IPC_RTP_MEMO_LEN];   /* cp's: kept, given back, never read */
	/* SRTP towards the termination's network (profile SAVP, SAVPF; both
	 * all zero otherwise): rx, the key its network protects what it
	 * sends with (the Remote SDP's a=crypto); tx, ours, what dp
	 * protects what it sends there with (the Local SDP's). */
	struct ipc_srtp_key srtp_rx;
	struct ipc_srtp_key srtp_tx;
	/* ICE (mode 0: none) */
	struct ipc_rtp_ice ice;
	/* DTLS-SRTP (role 0: none; SAVP, SAVPF with rtcp-mux only) */
	struct ipc_rtp_dtls dtls;
	/* BUNDLE (role 0: none) */
	struct ipc_rtp_bundle bundle;
};

/* RTP_ADD's body. */
struct ipc_rtp_ctx {
	struct ipc_rtp_term term[2];
};

/* RTP_MOD's operations on one termination slot of a context. */
enum ipc_rtp_mod_op {
	IPC_RTP_ADD_TERM = 1,     /* term joins the empty slot */
	IPC_RTP_MOD_TERM = 2,     /* the slot's termination takes term's remote,
				   * mode, gm, dscp, tman, it, clock, memo,
				   * latch, flag RSIZE and ICE; its profile,
				   * local address, ports and MUX must be what
				   * they were. A remote changed clears its
				   * latches (not ICE's nomination); new ICE
				   * credentials (a restart) keep the nominated
				   * pair until a check under them nominates. */
	IPC_RTP_SUB_TERM = 3,     /* the slot's termination ends (SUBTRACTED);
				   * term zero */
};
#define IPC_RTP_MOD_OP_MAX 3u

/* RTP_MOD's body (h.alloc_id the context). */
struct ipc_rtp_mod {
	uint8_t op;               /* enum ipc_rtp_mod_op */
	uint8_t term;             /* 0 or 1 */
	uint8_t pad[6];
	struct ipc_rtp_term t;
};

/* One termination's figures, from its network's point of view (what
 * H.248.1 E.11/E.12's nt and rtp statistics come from). */
#define IPC_RTP_LATCHED_RTP  0x1u
#define IPC_RTP_LATCHED_RTCP 0x2u
struct ipc_rtp_stats {
	uint64_t rtp_in;          /* RTP taken from the termination's network */
	uint64_t rtp_in_octets;   /* their UDP payloads */
	uint64_t rtp_out;         /* RTP sent to it */
	uint64_t rtp_out_octets;
	uint64_t rtcp_in;
	uint64_t rtcp_in_octets;
	uint64_t rtcp_out;
	uint64_t rtcp_out_octets;
	int64_t lost;             /* RFC 3550 A.3, over every epoch (negative
				   * with duplicates) */
	uint64_t expected;
	uint64_t drop_stranger;   /* from a source not latched, or not passing gm */
	uint64_t drop_malformed;  /* not RTP/RTCP, or failing its checks */
	uint64_t drop_policed;    /* over tman's rate */
	uint64_t drop_mode;       /* the mode, or no other termination, let it
				   * go nowhere */
	uint64_t drop_no_dest;    /* for the other termination, which had no
				   * destination yet */
	uint64_t srtp_fail;       /* SRTP/SRTCP packets dropped: a tag, a replay,
				   * an index, an MKI (in), no room (out) */
	uint64_t heard_ms;        /* the last packet taken (CLOCK_MONOTONIC
				   * ms); 0: none */
	uint64_t ice_checks;      /* ICE: checks answered with a success */
	uint64_t ice_refused;     /* ICE: checks refused, whatever the reason */
	uint64_t ice_consent_ms;  /* ICE: the nominated pair's last valid check
				   * (CLOCK_MONOTONIC ms, RFC 7675's consent
				   * counts from it); 0: none */
	uint32_t jitter;          /* RFC 3550 A.8, timestamp units */
	uint32_t jitter_us;       /* the same at the termination's clock_hz */
	uint32_t ssrc;            /* the SSRC followed */
	uint32_t ext_max_seq;     /* the extended highest sequence number */
	uint16_t serial;          /* the termination's (ipc_rtp_term) */
	uint8_t latched;          /* IPC_RTP_LATCHED_* */
	uint8_t inactive;         /* reported INACTIVE and silent since */
	uint8_t ice;              /* IPC_RTP_ICE_* below */
	uint8_t pad[3];
	/* the latched sources (family 0: none); ICE: the nominated pair's
	 * remote of each flow */
	struct ipc_addr rtp_src;
	struct ipc_addr rtcp_src;
	struct ipc_srtp_pos srtp_rx;  /* SRTP from the termination's network */
	struct ipc_srtp_pos srtp_tx;  /* SRTP dp sends it */
};

/* struct ipc_rtp_stats.ice: the termination does ICE; its consent is
 * lost now (media to it stopped, RFC 7675 §5.1) */
#define IPC_RTP_ICE_ON       0x1u
#define IPC_RTP_ICE_LOST     0x2u

enum ipc_rtp_ev_type {
	IPC_RTP_EV_LATCHED = 1,   /* a flow latched (or latched anew): addr */
	IPC_RTP_EV_INACTIVE = 2,  /* a termination silent for silent_ms */
	IPC_RTP_EV_SUBTRACTED = 3,/* a termination left (RTP_MOD SUB_TERM, or an
				   * ADD_TERM dp could not install): cause,
				   * st[term] its last figures */
	IPC_RTP_EV_RELEASED = 4,  /* the context ended (its last event): cause,
				   * both terminations' last figures */
	IPC_RTP_EV_NOMINATED = 5, /* ICE: the peer nominated a pair of a flow
				   * (USE-CANDIDATE, RFC 8445 §7.3.1.5): addr
				   * its remote, where media go now */
	IPC_RTP_EV_CONSENT_LOST = 6,  /* ICE: no valid check from the nominated
				   * pair's remote for agw.ice_consent_ms
				   * (RFC 7675 §5.1): media to it stopped;
				   * addr, silent_ms since its last check */
	IPC_RTP_EV_CONSENT_REGAINED = 7,  /* ICE: a valid check from it again:
				   * media go on; addr */
	IPC_RTP_EV_SSRC_CLASH = 8,/* BUNDLE: RTP to the peer from the term's
				   * side refused for its SSRC, another section
				   * of the group's (RFC 3711 §9.1: one key, no
				   * SSRC twice): ssrc the last, count those
				   * since the last told; at most one every 10 s
				   * a context */
};
#define IPC_RTP_EV_MAX 8u
#define IPC_RTP_TERM_NONE 0xffu

/* RTP_EVENT's body: h.alloc_id the context. cause: enum ipc_agw_cause
 * (controller, setup_failed). */
struct ipc_rtp_event {
	uint8_t type;             /* enum ipc_rtp_ev_type */
	uint8_t term;             /* 0, 1; RELEASED: IPC_RTP_TERM_NONE */
	uint8_t cause;            /* SUBTRACTED, RELEASED: enum ipc_agw_cause */
	uint8_t rtcp;             /* LATCHED, NOMINATED, CONSENT_*: 1 the RTCP
				   * flow of a pair */
	uint16_t serial;          /* the termination's; RELEASED: 0 */
	uint16_t detail_len;      /* < IPC_RTP_DETAIL_MAX, detail NUL-terminated */
	uint32_t silent_ms;       /* INACTIVE: since the last packet taken;
				   * CONSENT_LOST: since the last valid check */
	uint32_t ssrc;            /* SSRC_CLASH: the SSRC refused; else 0 */
	uint32_t count;           /* SSRC_CLASH: packets refused since the
				   * last told, 1 or more; else 0 */
	struct ipc_addr addr;     /* LATCHED: the source, NOMINATED, CONSENT_*:
				   * the pair's remote; family 4 or 6, a port */
	struct ipc_rtp_stats st[2];
	char detail[IPC_RTP_DETAIL_MAX];  /* why (setup_failed), for the controller */
};

/* RTP_STATE's body (a restarted cp's SYNC). */
struct ipc_rtp_state {
	struct ipc_rtp_ctx ctx;
	struct ipc_rtp_stats st[2];
};

/*
 * RTP_DTLS's body (dp -> cp, h.alloc_id the context): what a termination's
 * DTLS-SRTP handshake came to. UP: keys installed in dp, rx and tx given
 * (cp keeps them as it keeps SDES keys, for a restarted dp: with
 * IPC_RTP_DTLS_F_KEYS); VERIFY_WAIT: done before the answer to our
 * actpass, keys held in dp; FAILED: why (dp/tls/tls_fails.def's reasons,
 * 1..IPC_RTP_DTLS_WHY_MAX), no keys. role the one taken (CLIENT or
 * SERVER), version the DTLS version (0xfefd), cipher OpenSSL's name,
 * profile use_srtp's id (RFC 5764 §4.1.2), matched the fingerprint of
 * cp's that matched (-1: none), seen the peer certificate's digest under
 * the strongest hash signalled, the sentence in detail. Keys are
 * secrets: the body is wiped once read.
 */
enum ipc_rtp_dtls_state {
	IPC_RTP_DTLS_UP = 1,
	IPC_RTP_DTLS_VERIFY_WAIT = 2,
	IPC_RTP_DTLS_FAILED = 3,
};
#define IPC_RTP_DTLS_STATE_MAX  3u
#define IPC_RTP_DTLS_WHY_MAX    31u
#define IPC_RTP_DTLS_CIPHER_MAX 48u

struct ipc_rtp_dtls_ev {
	uint8_t term;             /* 0 or 1 */
	uint8_t state;            /* enum ipc_rtp_dtls_state */
	uint8_t role;             /* IPC_RTP_DTLS_CLIENT or _SERVER; 0 when
				   * FAILED before it took one */
	uint8_t why;              /* FAILED: 1..IPC_RTP_DTLS_WHY_MAX; else 0 */
	int8_t matched;           /* -1..IPC_RTP_DTLS_FP_MAX - 1 */
	uint8_t attempts;
	uint16_t serial;          /* the termination's */
	uint16_t version;         /* 0xfefd; 0 without a handshake's */
	uint16_t profile;         /* use_srtp's id; 0 none */
	uint16_t detail_len;      /* < IPC_RTP_DETAIL_MAX, detail NUL-terminated */
	uint16_t pad;
	uint32_t assoc;
	struct ipc_addr peer;     /* family 0, or 4 or 6 */
	struct ipc_agw_fp seen;   /* alg 0 (all zero): none */
	uint64_t at_ms;           /* when (CLOCK_MONOTONIC ms) */
	struct ipc_srtp_key rx;   /* UP: valid keys; else all zero */
	struct ipc_srtp_key tx;
	char cipher[IPC_RTP_DTLS_CIPHER_MAX];   /* NUL-terminated, 0 after */
	char detail[IPC_RTP_DETAIL_MAX];
};

/*
 * DTLS_CERT's body (dp -> cp, worker 0's ring, at start, after a reload
 * and in a restarted cp's SYNC): the certificate dp serves on DTLS-SRTP
 * terminations, its generation (cp writes gen into ipc_rtp_dtls.cert_gen)
 * and its fingerprints (RFC 8122: sha-256 at least; nfp of fp[], each
 * valid, all zero after).
 */
struct ipc_dtls_cert {
	uint16_t gen;
	uint8_t nfp;              /* 1..IPC_AGW_FP_MAX */
	uint8_t pad[5];
	uint64_t not_after;       /* the certificate's end (Unix seconds) */
	struct ipc_agw_fp fp[IPC_AGW_FP_MAX];
};

/* RTP_STATS_REQ's body, and RTP_STATS's (h.alloc_id the context). */
struct ipc_rtp_stats_req {
	uint32_t req;             /* cp's number, echoed */
	uint32_t pad;
};

struct ipc_rtp_stats_msg {
	uint32_t req;
	uint8_t found;            /* 0: no such context (gone) */
	uint8_t pad[3];
	struct ipc_rtp_stats st[2];
};

/*
 * RFC 6062 (TURN-TCP): the peer connections of a TCP allocation.
 * cp names each by its CONNECTION-ID (cid: 32 bits from cp's CSPRNG, never
 * 0, unique among those cp keeps), dp by its TCP connection id (peer: the
 * ipc_conn_make() layout, so the worker that holds it). h.alloc_id is the
 * allocation; the tuple is its control connection's in TCP_CONNECT, the
 * data connection's in TCP_BIND, unused (zero) otherwise.
 *   TCP_CONNECT  cp -> the allocation's worker: connect from the
 *                allocation's relayed address of addr's family and its port
 *                to addr (RFC 6062 §5.2); cid given, peer 0.
 *   TCP_BIND     cp -> the worker holding peer: the ConnectionBind's answer
 *                (resp_len bytes of STUN after the struct) goes on the data
 *                connection h.tuple names (any worker's), then, ok, its
 *                bytes and peer's are spliced (§5.4); not ok, it is closed
 *                after the answer.
 *   TCP_CLOSE    cp -> the worker holding peer: end it, and its data
 *                connection (the allocation went, no bind in 30 s).
 *   TCP_NAME     cp -> the worker holding peer: the CONNECTION-ID cp gave a
 *                peer that connected in (dp reports it to a restarted cp).
 *   TCP_EVENT    dp -> cp: what happened to peer (ipc_tcp_event).
 *   TCP_STATE    dp -> a restarted cp (SYNC), before the worker's STATE_DONE:
 *                one live peer connection as an ipc_tcp_event whose type says
 *                how it stands: CONNECTED (up, not bound), BOUND (data its
 *                data connection), INCOMING (up, cp never named it).
 */
struct ipc_tcp_conn {
	uint32_t cid;
	uint8_t ok;               /* TCP_BIND: 1 splice, 0 close after the answer */
	uint8_t pad;
	uint16_t resp_len;        /* TCP_BIND: STUN bytes after the struct */
	uint64_t peer;            /* dp's peer connection; 0 in TCP_CONNECT */
	struct ipc_addr addr;     /* TCP_CONNECT: the peer to connect to */
};

enum ipc_tcp_ev_type {
	IPC_TCP_EV_CONNECTED = 1, /* a Connect's connection is up (cid, peer) */
	IPC_TCP_EV_FAILED = 2,    /* a Connect's connection could not be made */
	IPC_TCP_EV_INCOMING = 3,  /* a peer connected in (peer, addr; cid 0) */
	IPC_TCP_EV_BOUND = 4,     /* spliced with its data connection (data) */
	IPC_TCP_EV_GONE = 5,      /* ended (bytes each way, reason) */
	IPC_TCP_EV_MAX = 5,
};

struct ipc_tcp_event {
	uint8_t type;             /* enum ipc_tcp_ev_type */
	uint8_t reason;           /* GONE, FAILED: enum ipc_conn_reason */
	uint16_t pad;
	uint32_t cid;             /* cp's, 0 when dp does not know it yet */
	uint64_t peer;            /* dp's peer connection (0 in FAILED) */
	uint64_t data;            /* BOUND: the data connection */
	struct ipc_addr addr;     /* the peer's transport address */
	uint64_t bytes_in;        /* GONE: read from the peer */
	uint64_t bytes_out;       /* GONE: written to the peer */
	uint64_t client_in;       /* GONE: read from the client's data connection */
	uint64_t client_out;      /* GONE: written to it */
};

struct ipc_msg {
	struct ipc_msg_hdr h;
	uint8_t body[IPC_MSG_SIZE - sizeof(struct ipc_msg_hdr)];
};
_Static_assert(sizeof(struct ipc_li_x2) <= IPC_MSG_SIZE - sizeof(struct ipc_msg_hdr),
	       "an X2 event fits a message");
_Static_assert(sizeof(struct ipc_li_status) <= IPC_MSG_SIZE - sizeof(struct ipc_msg_hdr),
	       "a delivery report fits a message");

/* One SPSC ring. head is written by the producer only, tail by the
 * consumer only, each on its own cache line with that side's counters.
 * The ring has IPC_RING_SLOTS slots, always: its geometry is not stored
 * here, so nothing in the segment can make a process index outside it. */
struct ipc_ring {
	_Alignas(IPC_CACHE_LINE) _Atomic uint32_t head;
	uint32_t pad0;
	uint64_t full;            /* producer: enqueues refused, ring full */
	_Alignas(IPC_CACHE_LINE) _Atomic uint32_t tail;
	uint32_t pad1;
	uint64_t corrupt;         /* consumer: head beyond reach, or a slot
	                           * with a body longer than a message */
	_Alignas(IPC_CACHE_LINE) struct ipc_msg msg[IPC_RING_SLOTS];
};

/*
 * One dp worker's counters for cp's metrics and status: the
 * worker copies them here on its tick (every 100 ms); cp reads them
 * without a lock (each an aligned 64-bit word written by that worker
 * only: a recent value, never a torn one). The drop reasons are dp's
 * (dp/dp_drops.def) in the order of ipc_shm.dp_drop_names; cp checks a
 * name before it uses it (the segment is memory anything may scribble on).
 */
#define IPC_DP_DROPS_MAX   64u
#define IPC_DP_TCP_MAX     512u
#define IPC_DP_NAME_LEN    32u
#define IPC_DP_FAMILIES_MAX 32u
/* A counter's or a family's help: one line of printable ASCII, NUL
 * within the field (cp checks both before it shows one) */
#define IPC_DP_HELP_LEN    128u
/* The buckets of dp's busy loop passes by duration (ipc_dp_stats.
 * loop_buckets): the upper bounds in us of all but the last, which has
 * none (+Inf). dp counts on them and cp names them (le): one list. */
#define IPC_DP_LOOP_BOUNDS  12u
#define IPC_DP_LOOP_US      { 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000 }
#define IPC_DP_LOOP_BUCKETS (IPC_DP_LOOP_BOUNDS + 1u)
/* dp's ports (TP_CONF_MAX_PORTS) and a port's name (TP_CONF_NAME_LEN) */
#define IPC_DP_PORTS_MAX    8u
#define IPC_DP_PORT_NAME_LEN 32u

/* What a port's driver counted (rte_eth_stats) that no worker's counter
 * sees: packets it dropped before a worker could take them, and frames it
 * could not send. Cumulative since dp started; only worker 0's block
 * carries them (ipc_dp_stats.nports), copied on its tick. */
struct ipc_dp_port {
	char name[IPC_DP_PORT_NAME_LEN]; /* the configuration's, NUL within */
	uint64_t rx_nombuf;       /* no mbuf for a received frame: a pool empty */
	uint64_t imissed;         /* the receive ring full: the worker behind */
	uint64_t ierrors;         /* received in error (bad frames) */
	uint64_t oerrors;         /* failed to send */
};

/* A family of dp's counters (dp/dp_ctrs.h: one module's): its name and
 * its counters, [first, first + count) of ipc_shm.dp_tcp_names, each
 * name beginning with the family's prefix of prefix_len characters
 * (cp's status shows the TLS family's without it), and what the family
 * counts (a counter without help of its own says this). */
struct ipc_dp_family {
	char name[IPC_DP_NAME_LEN];
	uint16_t first;
	uint16_t count;
	uint16_t prefix_len;
	uint16_t pad;
	char help[IPC_DP_HELP_LEN];
};

struct ipc_dp_stats {
	uint64_t updated_ms;      /* CLOCK_MONOTONIC of the copy; 0: never */
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes;
	uint64_t handoff_out, handoff_in;
	uint64_t busy_cycles, busy_pkts;
	uint64_t drop[IPC_DP_DROPS_MAX];
	/* dp's TCP (dp/tcp and TURN over TCP): connections open now, and
	 * its counters in the order of ipc_shm.dp_tcp_names */
	uint64_t tcp_conns;
	uint64_t tcp[IPC_DP_TCP_MAX];
	/* when the first certificate the worker serves expires, Unix
	 * seconds (0: none): TURN over TLS's (a reload replaces it) and the
	 * AGW legs' (the start's) */
	uint64_t tls_not_after;
	uint64_t tls_leg_not_after;
	/* The worker's busy loop passes (those that handled packets or
	 * swept a table) by how long each took, per bucket, not cumulative:
	 * [0] up to IPC_DP_LOOP_US[0], [i] over IPC_DP_LOOP_US[i - 1] up to
	 * IPC_DP_LOOP_US[i], the last over the last bound. Their number is
	 * the sum of the buckets (no count of its own that a reader could
	 * find disagreeing), their total time busy_cycles (TSC cycles at
	 * ipc_shm.dp_tsc_hz). cp sums them into cumulative buckets, and
	 * can trust nothing of them but that each is a number. */
	uint64_t loop_buckets[IPC_DP_LOOP_BUCKETS];
	/* the ports' own drops (worker 0's block; 0 in the others'): port[0,
	 * nports) in dp's order; cp checks nports and each name */
	uint64_t nports;
	struct ipc_dp_port port[IPC_DP_PORTS_MAX];
};

struct ipc_worker_rings {
	struct ipc_ring to_cp;
	struct ipc_ring to_dp;
	_Alignas(IPC_CACHE_LINE) struct ipc_dp_stats dp_stats;
};

/*
 * What dp needs to make and check cp's nonces and to answer a request
 * without integrity with the 401 cp would send (lib/nonce:
 * return routability checked before cp). cp writes it once, after it
 * bumped cp_epoch and before it says it is ready; dp takes a copy per
 * worker when it sees a new cp epoch serve (ipc_nonce_copy()), never per
 * request. The key in the segment is no new exposure: whoever can read
 * the segment can already write requests into cp's rings and read every
 * relay key.
 */
#define IPC_NONCE_KEY_LEN  32u
#define IPC_NONCE_STR_MAX  764u         /* NONCE_REALM_MAX + 1, a multiple of 4 */
#define IPC_TENANTS_MAX    16u          /* TP_CONF_MAX_TENANTS */
#define IPC_OAUTH_NAME_MAX 256u         /* NONCE_SERVER_NAME_MAX + 1 */

struct ipc_tenant_realm {
	uint32_t len;                     /* 1..IPC_NONCE_STR_MAX - 1 */
	char realm[IPC_NONCE_STR_MAX];
};

struct ipc_nonce {
	/* The cp_epoch this is for, written last (release); 0 while cp
	 * writes the rest (a reader that sees it change retries). */
	uint64_t epoch;
	uint8_t key[IPC_NONCE_KEY_LEN];   /* HMAC-SHA256 key of the nonces */
	uint32_t features;                /* NONCE_FEAT_* advertised */
	uint32_t lifetime_s;              /* 1..3600 */
	uint16_t realm_len;               /* 1..IPC_NONCE_STR_MAX - 1 */
	uint16_t software_len;            /* < IPC_NONCE_STR_MAX */
	uint8_t has_software;             /* SOFTWARE in challenges */
	uint8_t pad[3];
	char realm[IPC_NONCE_STR_MAX];
	char software[IPC_NONCE_STR_MAX];
	/* The tenants' realms (lib/conf's tenants; the one above is the
	 * default tenant's): tenant[i] is tenant index i + 1, whose nonces
	 * are keyed with nonce_tenant_key(key, i + 1) so that one tenant's
	 * nonce is no good at another's address. */
	uint32_t ntenants;                /* 0..IPC_TENANTS_MAX */
	uint32_t pad2;
	struct ipc_tenant_realm tenant[IPC_TENANTS_MAX];
	/* RFC 7635: the server name dp's 401s carry in
	 * THIRD-PARTY-AUTHORIZATION at the default tenant's addresses
	 * (0: third-party authorization off). */
	uint16_t oauth_name_len;          /* 0..IPC_OAUTH_NAME_MAX - 1 */
	uint8_t pad3[6];
	char oauth_name[IPC_OAUTH_NAME_MAX];
};

/*
 * What each side understands beyond IPC_VERSION's base set, and the
 * settings both must share. The layout of the segment is IPC_VERSION's;
 * capabilities let a kind be added without refusing a peer that predates
 * it: a sender sends a kind (or a value) that needs a capability only when
 * the receiver published it (ipc_peer_caps()). Each side writes its block
 * once at start, before it publishes its readiness, and clears it when it
 * stops; a reader takes it only from a side that is ready.
 */
#define IPC_CAP_CONN_DOWN  (1ull << 0)   /* takes CONN_DOWN (cp) */
#define IPC_CAP_STREAMS    (1ull << 1)   /* has stream connections (dp):
					  * tuples of transport 6 */
#define IPC_CAP_AGW        (1ull << 2)   /* runs AGW contexts (dp: takes
					  * AGW_ADD/DEL; cp: takes AGW_EVENT) */
#define IPC_CAP_TCP_RELAY  (1ull << 3)   /* RFC 6062 (dp: relays over TCP,
					  * takes TCP_CONNECT/BIND/CLOSE; cp:
					  * takes TCP_EVENT) */
#define IPC_CAP_RTP        (1ull << 4)   /* RTP terminations (dp: takes RTP_ADD,
					  * MOD, DEL, STATS_REQ; cp: takes
					  * RTP_EVENT, STATE, STATS) */
#define IPC_CAP_FENCE      (1ull << 5)   /* dp answers a FENCE with FENCE_DONE
					  * once it applied what came before */

struct ipc_side {
	uint64_t caps;            /* IPC_CAP_* */
	uint16_t relay_min;       /* turn.relay_ports as this side read them */
	uint16_t relay_max;
	uint16_t nworkers;        /* dp.workers as this side read them */
	uint16_t set;             /* 1 once published (written last, release);
				   * 0 while none is (never, or stopped) */
	uint16_t agw_min;         /* agw.ports as this side read them (0, 0:
				   * no agw group); written before set */
	uint16_t agw_max;
	uint32_t tenants_sig;     /* tp_conf_tenants_sig(): both must map
				   * addresses to the same tenant indices */
	uint16_t media_min;       /* agw.media_ports as this side read them (0,
				   * 0: no RTP terminations); before set */
	uint16_t media_max;
};

/*
 * A dp -> cp event waiting for room in the ring (ipc_backlog): this head,
 * then the tuple when the backlog keeps tuples, then the body. struct
 * ipc_event is the entry of a backlog with tuples and bodies of up to
 * IPC_EVENT_BODY_MAX bytes (connection events).
 */
struct ipc_event_head {
	uint16_t kind;
	uint16_t body_len;
	uint32_t pad;
	uint64_t alloc_id;
};

#define IPC_EVENT_BODY_MAX 16u
struct ipc_event {
	uint16_t kind;
	uint16_t body_len;        /* <= IPC_EVENT_BODY_MAX */
	uint32_t pad;
	uint64_t alloc_id;
	struct ipc_tuple tuple;
	uint8_t body[IPC_EVENT_BODY_MAX];
};

/*
 * Events that must reach cp (a connection closed: cp frees what belonged
 * to it; a gateway's leg went) are never refused for a full ring: they
 * wait here, in order, and go when the ring has room beyond what requests
 * need. The owner sizes the memory so that it cannot fill (one slot per
 * thing it can hold that has at most one event waiting); if it still
 * does, a push is refused and counted (lost), the one case an event is
 * dropped. Not shared: one per producer (a dp worker and module).
 */
struct ipc_backlog {
	uint8_t *mem;             /* cap entries of stride bytes, the owner's */
	uint32_t cap;             /* a power of two */
	uint16_t stride;          /* head, tuple (if kept), body_max; 8-aligned */
	uint16_t body_max;
	bool tuple;               /* entries keep the message's tuple */
	uint32_t head, tail;      /* free-running; head - tail waiting */
	uint64_t queued;          /* events pushed */
	uint64_t sent;            /* events moved into the ring */
	uint64_t deferred;        /* flushes that left events for later */
	uint64_t lost;            /* pushes refused: the backlog was full */
};

/* The segment header. */
/*
 * An active/standby pair (issue 69; lib/conf's ha group): whether this
 * box's dp may answer and relay, written by cp, read by dp's workers once
 * a loop pass (docs/design/ha.md section 3.4). dp is active only while
 * role is IPC_HA_ACTIVE and its clock (CLOCK_MONOTONIC ms, as every time
 * here) is before fence_at_ms: cp moves the deadline on each time it
 * renews the lease, so a dp whose cp died or lost the lease goes passive
 * by itself when the lease would end. A fresh segment is zeroes: passive.
 * cp writes fence_at_ms (and token) before it writes role ACTIVE, and
 * role before it lowers fence_at_ms (ipc_ha_set()); a reader that mixes
 * an old and a new value only ever sees passive a pass early. A move of
 * announce_gen while active asks dp to announce its addresses again
 * (gratuitous ARP, unsolicited NA); becoming active announces anyway.
 * dp without an ha group reads none of it. On a line of its own: no
 * fast path writes near it.
 */
enum ipc_ha_role {
	IPC_HA_STANDBY = 0,       /* passive: holds its tables, relays nothing */
	IPC_HA_ACTIVE = 1,        /* answers and relays until fence_at_ms */
	IPC_HA_FENCED = 2,        /* lost the lease: passive, as STANDBY */
};

struct ipc_ha {
	_Atomic uint32_t role;         /* enum ipc_ha_role; any other: passive */
	_Atomic uint32_t announce_gen;
	_Atomic uint64_t token;        /* the lease's fencing token (dp logs it) */
	_Atomic uint64_t fence_at_ms;  /* passive from then on, whatever role says */
};

struct ipc_shm {
	uint32_t magic;
	uint32_t version;
	uint32_t nworkers;
	uint32_t msg_size;
	uint64_t size;            /* bytes of the whole segment */
	uint64_t dp_epoch;        /* bumped by each dp start */
	uint64_t cp_epoch;        /* bumped by each cp start */
	int32_t dp_pid;
	int32_t cp_pid;
	uint64_t dp_heartbeat_ms; /* CLOCK_MONOTONIC ms, written by dp */
	uint64_t cp_heartbeat_ms;
	struct ipc_side dp_side;  /* written by dp (ipc_side_publish()) */
	struct ipc_side cp_side;  /* written by cp */
	/*
	 * Readiness. cp_ready holds the cp_epoch of the cp that serves requests
	 * now: it is written only once that cp has built its tables and taken
	 * back what dp relays (every worker's STATE_DONE), and cleared when it
	 * stops. dp_ready holds the dp_epoch of a dp whose workers run. 0: none.
	 * A ready value from an earlier epoch means "that one is gone, the new
	 * one is still starting". ipc_cp_serving() is the one rule that reads
	 * them.
	 */
	_Atomic uint64_t cp_ready;
	_Atomic uint64_t dp_ready;
	/* cp's doorbell (ipc_cp_doze(), ipc_cp_ring()): 1 while cp dozes,
	 * a futex word. On a line of its own: dp reads it per request. */
	_Alignas(IPC_CACHE_LINE) _Atomic uint32_t cp_dozing;
	/* the pair's role for dp (struct ipc_ha): cp writes, dp's workers
	 * read once a pass */
	_Alignas(IPC_CACHE_LINE) struct ipc_ha ha;
	_Alignas(IPC_CACHE_LINE) struct ipc_nonce nonce;
	/* dp's counters (ipc_dp_stats): the TSC rate of its cycles, how many
	 * drop reasons it has and their names, written at dp's start. */
	uint64_t dp_tsc_hz;
	/* dp's certificate reloads (SIGHUP, `turnpikectl reload`) since it
	 * started, and those refused (nothing changed): its reload thread's */
	uint64_t dp_reloads;
	uint64_t dp_reloads_failed;
	uint32_t dp_ndrops;           /* <= IPC_DP_DROPS_MAX, checked by cp */
	uint32_t pad_drops;
	char dp_drop_names[IPC_DP_DROPS_MAX][IPC_DP_NAME_LEN];
	uint32_t dp_ntcp;             /* <= IPC_DP_TCP_MAX, checked by cp */
	uint32_t pad_tcp;
	char dp_tcp_names[IPC_DP_TCP_MAX][IPC_DP_NAME_LEN];
	uint32_t dp_nfamilies;        /* <= IPC_DP_FAMILIES_MAX, checked by cp */
	uint32_t pad_families;
	struct ipc_dp_family dp_families[IPC_DP_FAMILIES_MAX];
	/* each of dp_tcp_names' help, "" where its family's says it */
	char dp_tcp_help[IPC_DP_TCP_MAX][IPC_DP_HELP_LEN];
	_Alignas(IPC_CACHE_LINE) struct ipc_worker_rings w[];
};

/* A process's handle on the segment. nworkers is this process's copy,
 * checked once at open (1..IPC_MAX_WORKERS, and the size agrees): loops
 * over the rings use it, never shm->nworkers, which the other side could
 * change afterwards. err says what ipc_seg_open() refused, and why. */
struct ipc_seg {
	struct ipc_shm *shm;
	uint64_t size;
	unsigned int nworkers;
	int fd;
	char name[IPC_NAME_MAX];
	char err[512];
};

#endif /* IPC_TYPES_H */
