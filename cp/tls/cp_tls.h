/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of TLS in dp: the session ticket keys and the
 * TLS 1.3 external PSKs every dp worker holds (dp/tls/tls_keys.h).
 *
 * Ticket keys: cp makes one at start (RAND_bytes), makes a new one every
 * rotate period (cp.tls_ticket_rotate) and keeps the one before for
 * decryption one more period, so a ticket is accepted for one to two
 * periods after it was issued and every worker holds the same keys (a
 * ticket issued on one resumes on any other). A restarted cp makes new
 * keys: tickets of the one before stop resuming (a full handshake each),
 * which costs one handshake per client and keeps no key on disk.
 *
 * PSKs: cp's copy of what the store holds (or memory only without one).
 *
 * Delivery: the key set and the PSKs go to every worker at start, after
 * each rotation or change, and again when dp restarts (cp_tls_resend()),
 * through the sender it is given: cp's one writer to dp, cp_dp_send()
 * (cp/cp_dp.h), whose shape lets a test give its own over bare rings.
 * What a ring has no room for (it keeps headroom for answers to clients)
 * waits for the next cp_tls_send(). A PSK change goes as one TLS_PSK_ADD
 * or TLS_PSK_DEL where it can, else as a whole resync (TLS_PSK_SYNC BEGIN,
 * every ADD, END), which a worker applies without a gap.
 *
 * One thread (cp's loop); no lock. Times are CLOCK_MONOTONIC ms, given
 * by the caller (tests drive a fake clock).
 */
#ifndef CP_TLS_H
#define CP_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_dp_types.h"
#include "ipc_types.h"

#define CP_TLS_NONE  UINT32_MAX

struct cp_tls_psk {
	uint16_t id_len;
	uint16_t key_len;
	uint16_t cipher;              /* 0x1301..0x1303 */
	char id[IPC_TLS_PSK_ID_MAX + 1];
	uint8_t key[IPC_TLS_PSK_KEY_MAX];
};

struct cp_tls {
	uint64_t rotate_ms;
	uint64_t next_rotate_ms;
	struct ipc_tls_tickets set;   /* key[0] current, key[1] previous */
	uint32_t npsk;
	struct cp_tls_psk *psk;       /* IPC_TLS_PSK_MAX entries */
	/* delivery, per worker */
	unsigned int nworkers;
	unsigned int headroom;        /* ring slots left for other messages */
	cp_dp_send_fn send;           /* cp_dp_send() in cp; NULL: no dp */
	struct cp_ctx *cp;            /* send's first argument */
	uint64_t tickets_due;         /* bit per worker: the set is to go */
	uint32_t psk_cur[IPC_MAX_WORKERS];  /* resync: CP_TLS_NONE none; 0
					     * BEGIN next; i ADD of psk[i-1];
					     * npsk + 1 END */
	/* counters */
	uint64_t rotations;
	uint64_t tickets_sent;
	uint64_t psk_sent;            /* PSK messages of every kind */
	uint64_t resyncs;             /* resync passes started */
	uint64_t ring_full;           /* sends deferred for room */
};

/*
 * Make the first key (generation 1), due rotate_s seconds after now_ms,
 * and mark everything due to every one of nworkers dp workers, each
 * message sent by send(cp, worker, msg, headroom) (cp_dp_send() and cp;
 * headroom slots of each ring are left to other messages; send wipes the
 * body after). 0, -EINVAL (rotate_s 0, send NULL, nworkers outside
 * 1..IPC_MAX_WORKERS, headroom past a ring), -ENOMEM, -EIO (no random
 * bytes).
 */
int cp_tls_init(struct cp_tls *t, uint32_t rotate_s, cp_dp_send_fn send, struct cp_ctx *cp,
		unsigned int nworkers, unsigned int headroom, uint64_t now_ms);
/* Wipe the keys and free. */
void cp_tls_fini(struct cp_tls *t);

/* Rotate when due (now_ms at or past the deadline): the current key
 * becomes the previous one, a new one is made, the set is due to every
 * worker, the next deadline is a period from now. Returns whether it
 * rotated (false too when no random bytes came: retried next call). */
bool cp_tls_tick(struct cp_tls *t, uint64_t now_ms);

/* dp (re)started: the key set and a PSK resync are due to every worker. */
void cp_tls_resend(struct cp_tls *t);

/* Ask dp to read the tls group's certificates again (its first worker
 * hands it to dp's reload thread, dp/dp_reload.c): 0, -ENODEV (no dp),
 * -ENOBUFS (its ring is full), -EINVAL (refused by the sender). */
int cp_tls_reload_dp(struct cp_tls *t);

/* Send what is due while the rings have room; returns messages sent. */
unsigned int cp_tls_send(struct cp_tls *t);

/*
 * PSKs in cp's copy: install or replace identity id (1..IPC_TLS_PSK_ID_MAX
 * printable ASCII bytes, no space), key of IPC_TLS_PSK_KEY_MIN..MAX bytes,
 * suite 0x1301..0x1303; each worker gets it (cp_tls_send()). 0, -EINVAL,
 * -ENOSPC (IPC_TLS_PSK_MAX identities). del: 0 or -ENOENT.
 */
int cp_tls_psk_set(struct cp_tls *t, const char *id, const uint8_t *key,
		   unsigned int key_len, uint16_t cipher);
int cp_tls_psk_del(struct cp_tls *t, const char *id);
/* The entry of id, or NULL. */
const struct cp_tls_psk *cp_tls_psk_find(const struct cp_tls *t, const char *id);
/* Whether id is an identity cp takes (length and characters). */
bool cp_tls_psk_id_ok(const char *id);
/* "TLS_AES_128_GCM_SHA256" and the others to their number, 0 if none;
 * and back ("?" for another). */
uint16_t cp_tls_cipher_parse(const char *name);
const char *cp_tls_cipher_name(uint16_t cipher);

#endif /* CP_TLS_H */
