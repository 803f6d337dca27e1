/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's link to the peer's cp (ha_link.c; docs/design/ha.md §2, §3.2,
 * slice 4): one TCP connection, TLS 1.3 with an external pre-shared key
 * only (identity: the pair's name; key: ha.key_file; psk_dhe_ke), driven
 * from cp's loop without ever waiting. Over it: a hello that carries the
 * configuration's signature (two boxes that disagree on what makes a
 * record portable are not paired, and the setting is named), heartbeats
 * (role, token, clocks: the peer's clock offset and the round trip), and
 * batches of records under a fencing token (slice 5 fills them) with
 * their acknowledgements (the mirror's lag).
 */
#ifndef CP_HA_LINK_H
#define CP_HA_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ha_types.h"

struct tp_conf;

#define HA_LINK_KEY_MAX   64u        /* PSK bytes */
#define HA_LINK_KEY_MIN   32u
#define HA_SIG_MAX        16u        /* settings in a signature */
#define HA_SIG_NAME_MAX   31u
#define HA_SIG_DIGEST     16u        /* SHA-256's first bytes */
#define HA_LINK_MSG_MAX   65536u     /* a message's bytes, type included */
#define HA_LINK_HELLO_MAX 2048u      /* before the hello: no more */
#define HA_LINK_SLOTS     4u         /* connections at once (one up, the others in handshake) */

/* What must be the same on both boxes for a record to mean the same on
 * each: one digest a setting, by name (ha_sig_make()). */
struct ha_sig {
	unsigned int n;
	struct {
		char name[HA_SIG_NAME_MAX + 1];
		uint8_t digest[HA_SIG_DIGEST];
	} item[HA_SIG_MAX];
};

struct ha_link_conf {
	const char *pair;             /* the PSK's identity */
	const uint8_t *key;           /* HA_LINK_KEY_MIN..HA_LINK_KEY_MAX bytes */
	size_t key_len;
	const char *box;              /* this box's name (the hello) */
	uint32_t lease_ms;            /* no heartbeat for this long: the link is lost */
	uint32_t heartbeat_ms;
	const struct ha_sig *sig;
	const char *listen;           /* "IP:PORT" to listen on, "" or NULL: none */
	const char *peer;             /* "IP:PORT" to dial, "" or NULL: none */
};

/* What the link tells its owner (the module wires these to the role
 * machine; slice 5 to the records). Any may be NULL. */
struct ha_link_hooks {
	void (*heard)(void *arg, const struct ha_peer_hb *hb, uint64_t now_ms);
	/* 0: taken (acknowledged); < 0: refused, the link closed unacknowledged */
	int (*batch)(void *arg, uint64_t token, uint64_t seq, const uint8_t *p, size_t n);
	/* a switchover's message (HA_SWMSG_*; nonce: its ASK's, never 0; why:
	 * a NO's sentence, else "") */
	void (*sw)(void *arg, unsigned int step, uint64_t token, uint64_t nonce, const char *why,
		   uint64_t now_ms);
	void *arg;
};

/* This box as its heartbeats say it. */
struct ha_self {
	enum ha_state role;
	uint64_t token;               /* ours when active; the highest seen otherwise */
	/* the highest lease-verified token (ha_role.token_verified): the
	 * only one that raises the floor below which a batch is stale */
	uint64_t floor;
	/* heartbeats echo nothing (echo and hold 0): this box no longer
	 * promises the peer to wait a lease after its active heartbeat
	 * (ha_role_vouches() false), so the peer's deadline does not move
	 * on by its word */
	bool no_vouch;
	/* an active box's heartbeats ask for the peer's word (the role byte's
	 * 0x80, HA_HB_VOUCH): its renews are late (ha_role_asks_vouch()) */
	bool ask_vouch;
};

/* The link as status shows it. */
struct ha_link_view {
	bool up;
	char peer_box[64];
	char peer_addr[64];
	enum ha_state peer_role;
	uint64_t peer_token;
	uint64_t heard_ms_ago;        /* up: since the last message */
	int64_t clock_off_ms;         /* the peer's CLOCK_MONOTONIC minus ours */
	uint32_t rtt_ms;
	uint64_t lag_ms;              /* now - send time of the oldest batch unacknowledged */
	char refusal[200];            /* the last connection refused, and why */
};

/* A link (no socket yet but the listener, when conf->listen is set): NULL
 * with errno (EINVAL, ENOMEM, or the listener's) and err saying why. The
 * configuration's strings and key are copied. */
struct ha_link *ha_link_create(const struct ha_link_conf *conf, const struct ha_link_hooks *hooks,
			       char *err, size_t errlen);
void ha_link_free(struct ha_link *l);
/* Take a connected stream socket (a socketpair's end in the tests; the
 * link owns it from now on) as one it dialed (TLS client) or accepted
 * (server), who naming it in the log. 0, or -EBUSY when every slot is
 * taken (fd closed). */
int ha_link_adopt(struct ha_link *l, int fd, bool dialed, const char *who, uint64_t now_ms);
/* The link's turn, never waiting: accept (bounded), dial (with back-off),
 * handshakes, what the peer sent (bounded a call), heartbeats due out,
 * the peer's silence. The work done (0: none). */
unsigned int ha_link_serve(struct ha_link *l, const struct ha_self *me, uint64_t now_ms);
bool ha_link_up(const struct ha_link *l);
/* A batch of records (p, n bytes) under token to the peer: 0, -ENOTCONN,
 * -EMSGSIZE (past HA_LINK_MSG_MAX), -EAGAIN (the send buffer or the
 * unacknowledged window full: try later). */
int ha_link_send_batch(struct ha_link *l, uint64_t token, const void *p, size_t n,
		       uint64_t now_ms);
/* A switchover's message (docs/design/ha.md §3.5) to the peer: step
 * HA_SWMSG_*, this box's token, nonce (its ASK's, not 0), why (a NO's
 * sentence: what is not printable becomes '?', cut at 200 bytes). 0,
 * -ENOTCONN, -EINVAL (a step unknown, nonce 0), -EAGAIN (the send buffer
 * full). */
int ha_link_send_switch(struct ha_link *l, unsigned int step, uint64_t token, uint64_t nonce,
			const char *why);
/* A heartbeat at the next turn, not a heartbeat_ms after the last: this
 * box's role changed, and the peer should hear it now. */
void ha_link_hb_soon(struct ha_link *l);
/* Every batch sent on this link acknowledged (the lag is 0, to the batch:
 * lag_ms rounds to whole ms). */
bool ha_link_acked(const struct ha_link *l);
void ha_link_view(const struct ha_link *l, uint64_t now_ms, struct ha_link_view *v);
const struct ha_link_stats *ha_link_stats(const struct ha_link *l);

/* The signature of configuration c (ha_sig.c): the settings §3.1 names. */
void ha_sig_make(const struct tp_conf *c, struct ha_sig *s);
/* Its key from a key file's text: 64 to 128 hex digits. Bytes, or -EINVAL. */
int ha_key_parse(const char *hex, size_t len, uint8_t *out, size_t size);

#endif /* CP_HA_LINK_H */
