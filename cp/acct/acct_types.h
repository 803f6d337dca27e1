/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/acct, types only: a usage record (one JSON line: an allocation's or
 * an AGW context's end, or an interim one for a long session, RFC 2866's
 * Interim-Update as the model) and the module's state.
 */
#ifndef CP_ACCT_TYPES_H
#define CP_ACCT_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_types.h"
#include "../alloc/alloc_end.h"

/* Why a session ended: the record's "reason". An allocation's are
 * cp/alloc's (alloc_end_reasons.def), with the same values; an AGW
 * context's is "agw" (its cause says more). acct_record.c names them. */
enum cp_acct_reason {
#define CP_ALLOC_END_REASON(e, n) CP_ACCT_R_##e,
#include "../alloc/alloc_end_reasons.def"
#undef CP_ALLOC_END_REASON
	CP_ACCT_R_AGW,
	CP_ACCT_R__COUNT,
};
_Static_assert((int)CP_ACCT_R_AGW == (int)CP_ALLOC_R__COUNT,
	       "an allocation's reasons first, as cp/alloc's");

enum cp_acct_type { CP_ACCT_STOP = 0, CP_ACCT_INTERIM = 1 };
enum cp_acct_kind { CP_ACCT_TURN = 0, CP_ACCT_AGW = 1 };
enum cp_acct_xport { CP_ACCT_UDP = 0, CP_ACCT_TCP = 1, CP_ACCT_TLS = 2, CP_ACCT_DTLS = 3 };
/* An AGW context's media: TCP (MSRP, BFCP) or RTP; an RTP record is the
 * context's end or one termination's (subtracted while it lived on). */
enum cp_acct_media { CP_ACCT_MEDIA_TCP = 0, CP_ACCT_MEDIA_RTP = 1 };
enum cp_acct_scope { CP_ACCT_SCOPE_CONTEXT = 0, CP_ACCT_SCOPE_TERMINATION = 1 };

#define CP_ACCT_PEERS_MAX 16u
#define CP_ACCT_USER_MAX  512u          /* TP_USERNAME_MAX (508) and its NUL */
#define CP_ACCT_TENANT_MAX 32u          /* TP_CONF_TENANT_NAME_MAX (31) and its NUL */
#define CP_ACCT_LINE_MAX  8192u         /* a record's line, at most */
#define CP_ACCT_PATH_MAX  320u            /* a file's path, at most */

/* An RTP termination in a record: dp/rtp's figures (struct
 * ipc_rtp_stats, counted over dp's restarts), no key, no SRTP position. */
struct cp_acct_rtp_leg {
	uint16_t serial;              /* the termination's; 0: no RTP leg here */
	uint8_t profile;              /* enum ipc_rtp_profile (0: not known) */
	uint8_t latched;              /* leg_remote is the latched RTP source */
	uint8_t mux;                  /* rtcp-mux (RFC 5761) */
	uint8_t pad;
	uint16_t rtcp_port;           /* our RTCP port (a pair) */
	uint16_t dtls_profile;        /* DTLS-SRTP: use_srtp's profile
				       * (CP_AGW_RTP_DTLS_NO_PROFILE: none known);
				       * 0: SDES keys or no SRTP (profile says) */
	uint32_t jitter_us;
	int64_t lost;
	uint64_t pkts_in, pkts_out;   /* RTP and RTCP datagrams */
	uint64_t rtcp_in, rtcp_out;   /* of them, RTCP */
	uint64_t srtp_fail;
	uint64_t drop_stranger, drop_malformed, drop_policed, drop_mode, drop_no_dest;
};

/*
 * One record. Times are UTC milliseconds since the epoch; bytes are at the
 * relayed payload's layer: what the client sent to its peers and what its
 * peers sent it (UDP payloads; RFC 6062's data connections' stream bytes,
 * after TLS); packets only where that layer has them (UDP relaying).
 */
struct cp_acct_rec {
	uint8_t type;                 /* enum cp_acct_type */
	uint8_t kind;                 /* enum cp_acct_kind */
	uint8_t transport;            /* the client's: enum cp_acct_xport */
	bool relay_tcp;               /* RFC 6062 (no packets) */
	bool exact;                   /* dp's last counters came */
	bool has_pkts;
	uint16_t reason;              /* enum cp_acct_reason (stop) */
	uint64_t session;             /* cp's allocation id, or the context's */
	char id[37];                  /* the record's own: a stop record of an
				       * allocation's a UUID v5 of its end
				       * (cp_acct_stop_id()), others v4; "": made
				       * by cp_acct_write() */
	char user[CP_ACCT_USER_MAX];
	char tenant[CP_ACCT_TENANT_MAX];   /* its tenant's name; "": "default" */
	char cause[32];               /* AGW: ipc_agw_cause_name(); "" */
	struct ipc_addr client, server;
	uint8_t nrelayed;
	struct ipc_addr relayed[2];
	uint64_t start_ms, end_ms;    /* end_ms: the interim's time too */
	uint64_t bytes_from_client, bytes_to_client;
	uint64_t pkts_from_client, pkts_to_client;
	uint8_t npeers;
	struct ipc_addr peers[CP_ACCT_PEERS_MAX];
	/* AGW: both legs (local, remote, bytes read from and written to) */
	struct ipc_addr leg_local[2], leg_remote[2];
	uint64_t leg_in[2], leg_out[2];
	uint8_t leg_tls[2];
	uint8_t door;                 /* AGW: enum cp_agw_door */
	uint8_t media;                /* AGW: enum cp_acct_media */
	uint8_t scope;                /* RTP: enum cp_acct_scope */
	struct cp_acct_rtp_leg rtp[2];     /* RTP: leg_local, leg_remote,
					    * leg_in, leg_out beside these */
	uint32_t max_bps;             /* TURN: its bandwidth limit, bytes a
				       * second each way (0: none) */
};

/* A stopped allocation waiting for dp's last counters (STATS_FINAL) and,
 * for RFC 6062, its peer connections' ends. */
struct cp_acct_pending {
	struct cp_acct_pending *next;
	uint64_t due_ms;              /* written then, whatever came */
	uint64_t counters[IPC_ALLOC_STATS_N];   /* dp's, last known */
	uint64_t tcp_bytes[4];
	bool final;
	bool restored;                /* from the journal of a cp before */
	struct cp_acct_rec rec;
};

enum cp_acct_stat {
#define CP_ACCT_STAT(e, n) CP_ACCT_STAT_##e,
#include "acct_stats.def"
#undef CP_ACCT_STAT
	CP_ACCT_STAT__COUNT,
};

struct cp_acct {
	/* whom the files belong to (cp.user, or whom cp runs as): what is
	 * there must be theirs, what is created is (acct_open.c) */
	uint32_t uid, gid;
	/* why cp_acct_open() last refused a file (a link, another's file),
	 * said in place of errno's sentence; "": it did not */
	char why[512];
	char path[256];
	int fd;                       /* -1: not open (the error is logged) */
	int err;                      /* errno of the last failure, 0: writing */
	uint32_t interim_s;
	uint32_t retention_days;
	/* the spool: records the file could not take, in order, written
	 * to the file before the next record once it takes them again */
	char spool_path[288];         /* "": none */
	int spool_fd;
	int spool_err;                /* errno of its last failure */
	uint64_t spool_bytes, spool_max;
	/* the Redis Stream (accounting.stream): every record goes into its
	 * own spool file first (SPOOL/usage.stream); cp's loop XADDs them
	 * from there in order while Redis is up, a window at a time, and
	 * empties it once every one is acknowledged */
	bool stream_on;
	char stream_key[320];
	char stream_path[288];
	char stream_maxlen[16];
	int stream_fd;
	int stream_err;
	uint64_t stream_bytes;        /* the file's length */
	uint64_t stream_sent;         /* offset of the next line to send */
	uint64_t stream_acked;        /* offset up to which Redis said yes */
	uint32_t stream_gen;          /* answers of another gen are ignored */
	uint32_t stream_link_gen;     /* the link's, when what is unanswered went */
	unsigned int stream_inflight;
	/* the journal (SPOOL/usage.pending, acct_journal.c): every record
	 * that waits for dp's last counters, so that the next cp finishes
	 * those of a cp that was killed */
	char journal_path[288];       /* "": none (no spool) */
	int journal_fd;
	int journal_err;
	uint64_t journal_bytes;
	/* what makes a stop record's id (cp_acct_stop_id()): the host's
	 * machine-id, the segment's name, cluster.box, the boot's id */
	char ident[256];
	uint64_t next_interim_ms;     /* the next interim scan (monotonic) */
	uint64_t next_prune_ms;
	struct cp_acct_pending *pending;
	unsigned int npending;
	uint64_t stats[CP_ACCT_STAT__COUNT];
};

#endif /* CP_ACCT_TYPES_H */
