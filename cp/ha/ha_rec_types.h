/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's mirror records, types only (docs/design/ha.md §1.4, slice 5):
 * one TURN allocation whole, as the standby's cp/alloc restores it
 * (cpa_alloc_restore(): the tuple, the id, what STATE_ALLOC's ipc_alloc
 * carries, its permissions and channels) plus what only cp knows (the
 * RFC 7635 sessions, the Allocate's tid, the RFC 8016 generation and
 * forward, the tenant), or the tombstone of one that ended. Times are
 * durations (ms left, ms ago), never a host's CLOCK_MONOTONIC: the two
 * boxes' clocks differ.
 */
#ifndef CP_HA_REC_TYPES_H
#define CP_HA_REC_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_types.h"

#define HA_REC_BINDS_MAX  32u         /* CP_MAX_PERMS + CP_MAX_CHANNELS */
#define HA_REC_KEY_MAX    32u         /* CP_AUTH_KEY_MAX */
#define HA_REC_TID_LEN    12u         /* CP_TID_LEN */
#define HA_REC_USER_MAX   IPC_USER_MAX
/* A record's bytes at most: an RTP context of two IPv6 WebRTC legs
 * (ICE, DTLS-SRTP with two sha-512 fingerprints, AES-256 keys with MKIs
 * and streams, BUNDLE) and a label is some 1,400 (one such leg and an
 * SDES one: 954, test_cp_ha_rec); a dual allocation over IPv6 with both
 * OAuth sessions, the longest name and every binding an IPv6 peer some
 * 1,500. */
#define HA_REC_MAX        2400u
#define HA_REC_LABEL_MAX  63u         /* cp_agw_ctx.label, its NUL aside */
#define HA_REC_HDR        3u          /* type, the record's length (u16) */

/* A record's type (its first byte). */
enum ha_rec_type {
	HA_REC_ALLOC = 1,             /* an allocation, whole: an upsert */
	HA_REC_ALLOC_END = 2,         /* it ended: id and tuple only */
	/* The snapshot walk on each new link (ha_mirror.c): what the standby
	 * holds is stale from START; what no record named by END is gone.
	 * The header alone. */
	HA_REC_WALK_START = 3,
	HA_REC_WALK_END = 4,
	/* slice 7: a gateway RTP context whole (an upsert), its tombstone
	 * (the id alone) */
	HA_REC_RTP = 5,
	HA_REC_RTP_END = 6,
};

/*
 * An RTP context (cp/agw's, docs/design/ha.md §1.4, slice 7) as a
 * restarted cp takes one back from dp: lib/ipc's RTP_STATE body (both
 * terminations whole: addresses, latching, ICE, DTLS-SRTP, BUNDLE and
 * the SRTP keys, secrets that go only over the link) of which only what
 * carries the context on is sent of the figures: the latches (latched,
 * rtp_src, rtcp_src), ice, inactive and the SRTP positions (srtp_rx,
 * srtp_tx); the counters stay each box's. Its worker is its id's; its
 * door and tenant the terminations'. Held to lib/ipc's rules
 * (ipc_msg_check() of an RTP_STATE: every field dp acts on in range).
 */
struct ha_rec_rtp {
	uint64_t age_ms;              /* since it was made */
	uint8_t label_len;            /* 0..HA_REC_LABEL_MAX, no NUL in it */
	char label[HA_REC_LABEL_MAX + 1];
	struct ipc_rtp_state s;
};

/* A permission (channel 0) or a channel binding. */
struct ha_rec_bind {
	struct ipc_addr peer;
	uint16_t channel;             /* 0, or 0x4000..0x4fff */
	uint32_t left_ms;             /* until it expires (0: due) */
};

/* An RFC 7635 session (cp/auth's struct cp_auth_session); key_len 0: none,
 * and the other fields are not sent. A secret: it goes only over the link. */
struct ha_rec_oauth {
	uint8_t key_len;              /* 0..HA_REC_KEY_MAX */
	uint8_t kid;
	uint8_t as;
	uint8_t key[HA_REC_KEY_MAX];
	uint64_t expiry;              /* Unix s: the token's end */
};

/* One record. An END uses id and tuple alone, a WALK_* nothing. What a field's count or
 * length leaves unused (relayed past nrelayed, binds past nbinds, key past
 * key_len, user past user_len) and the tuple's pads are neither checked
 * nor sent; a decoded record has them 0. */
struct ha_rec {
	uint8_t type;                 /* enum ha_rec_type */
	uint64_t id;                  /* never 0 */
	struct ipc_tuple tuple;       /* transport 6 or 17 */
	uint16_t worker;              /* < IPC_MAX_WORKERS */
	uint16_t flags;               /* IPC_ALLOC_F_TCP, IPC_ALLOC_F_MOBILE */
	uint16_t pwalg;
	uint8_t nrelayed;             /* 1 or 2 */
	uint8_t tenant;
	struct ipc_addr relayed[2];   /* family 4 or 6, as every address here */
	uint32_t left_ms;             /* until the allocation expires */
	uint64_t age_ms;              /* since it was made */
	uint32_t max_bps;
	uint32_t max_bps_burst;
	uint8_t tid[HA_REC_TID_LEN];
	uint16_t mob_gen;
	bool fwd;                     /* RFC 8016: its tuple reaches fwd_worker */
	uint16_t fwd_worker;          /* < IPC_MAX_WORKERS; 0 without fwd */
	struct ha_rec_oauth oauth[2]; /* cp/alloc's [CPA_OAUTH_SESSION], [CPA_OAUTH_MADE] */
	uint16_t user_len;            /* 0..HA_REC_USER_MAX */
	uint8_t nbinds;               /* 0..HA_REC_BINDS_MAX */
	struct ha_rec_bind binds[HA_REC_BINDS_MAX];
	char user[HA_REC_USER_MAX];   /* user_len bytes, no NUL */
	struct ha_rec_rtp rtp;        /* HA_REC_RTP (id the context's); RTP_END: id */
};

#endif /* CP_HA_REC_TYPES_H */
