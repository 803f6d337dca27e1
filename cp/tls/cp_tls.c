/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of TLS in dp: ticket keys made and rotated here, external PSKs
 * kept here, both sent to every dp worker through the sender given at
 * init (cp_dp_send() in cp; see cp_tls.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cp_tls.h"
#include "ipc.h"

static uint64_t
all_workers(const struct cp_tls *t)
{
	return t->nworkers >= 64 ? ~0ULL : (1ULL << t->nworkers) - 1;
}

/* A new key: a random name (RFC 5077 §4 key_name) and random keys. */
static int
key_make(struct ipc_tls_ticket_key *k)
{
	return RAND_bytes((unsigned char *)k, (int)sizeof(*k)) == 1 ? 0 : -EIO;
}

int
cp_tls_init(struct cp_tls *t, uint32_t rotate_s, cp_dp_send_fn send, struct cp_ctx *cp,
	    unsigned int nworkers, unsigned int headroom, uint64_t now_ms)
{
	memset(t, 0, sizeof(*t));
	if (rotate_s == 0 || send == NULL || nworkers < 1 || nworkers > IPC_MAX_WORKERS ||
	    headroom >= IPC_RING_SLOTS)
		return -EINVAL;
	t->psk = calloc(IPC_TLS_PSK_MAX, sizeof(*t->psk));
	if (t->psk == NULL)
		return -ENOMEM;
	if (key_make(&t->set.key[0]) < 0) {
		cp_tls_fini(t);
		return -EIO;
	}
	t->set.generation = 1;
	t->set.nkeys = 1;
	t->rotate_ms = (uint64_t)rotate_s * 1000u;
	t->next_rotate_ms = now_ms + t->rotate_ms;
	t->nworkers = nworkers;
	t->headroom = headroom;
	t->send = send;
	t->cp = cp;
	cp_tls_resend(t);
	return 0;
}

void
cp_tls_fini(struct cp_tls *t)
{
	if (t->psk != NULL) {
		OPENSSL_cleanse(t->psk, IPC_TLS_PSK_MAX * sizeof(*t->psk));
		free(t->psk);
	}
	OPENSSL_cleanse(&t->set, sizeof(t->set));
	t->psk = NULL;
	t->npsk = 0;
}

bool
cp_tls_tick(struct cp_tls *t, uint64_t now_ms)
{
	struct ipc_tls_ticket_key k;

	if (now_ms < t->next_rotate_ms || key_make(&k) < 0)
		return false;
	/* The current key goes on decrypting for one more period. */
	t->set.key[1] = t->set.key[0];
	t->set.key[0] = k;
	OPENSSL_cleanse(&k, sizeof(k));
	t->set.nkeys = 2;
	t->set.generation++;
	/* From now, not from the missed deadline: a cp that was stopped
	 * for a while rotates once, not once per period it missed. */
	t->next_rotate_ms = now_ms + t->rotate_ms;
	t->tickets_due = all_workers(t);
	t->rotations++;
	return true;
}

void
cp_tls_resend(struct cp_tls *t)
{
	t->tickets_due = all_workers(t);
	for (unsigned int w = 0; w < t->nworkers; w++)
		t->psk_cur[w] = 0;
	t->resyncs += t->nworkers;
}

/* One message to worker w, leaving the ring its headroom; the sender
 * wipes the key bytes from our buffer. */
static int
put(struct cp_tls *t, unsigned int w, uint16_t kind, const void *body, uint16_t len)
{
	static struct ipc_msg m;
	int rc;

	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = kind;
	m.h.body_len = len;
	memcpy(m.body, body, len);
	/* (a refusal, -EINVAL, is the sender's to count) */
	rc = t->send(t->cp, w, &m, t->headroom);
	if (rc == -ENOBUFS)
		t->ring_full++;
	return rc;
}

int
cp_tls_reload_dp(struct cp_tls *t)
{
	static const uint8_t none[1];

	if (t->nworkers < 1 || t->send == NULL)
		return -ENODEV;
	return put(t, 0, IPC_TLS_RELOAD, none, 0);
}

static int
put_psk(struct cp_tls *t, unsigned int w, uint16_t kind, const struct cp_tls_psk *e)
{
	struct ipc_tls_psk p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.id_len = e->id_len;
	memcpy(p.id, e->id, e->id_len);
	if (kind == IPC_TLS_PSK_ADD) {
		p.key_len = e->key_len;
		p.cipher = e->cipher;
		memcpy(p.key, e->key, e->key_len);
	}
	rc = put(t, w, kind, &p, sizeof(p));
	OPENSSL_cleanse(&p, sizeof(p));
	if (rc == 0)
		t->psk_sent++;
	return rc;
}

static int
put_sync(struct cp_tls *t, unsigned int w, uint32_t phase)
{
	struct ipc_tls_psk_sync ps = { .phase = phase, .count = t->npsk };
	int rc = put(t, w, IPC_TLS_PSK_SYNC, &ps, sizeof(ps));

	if (rc == 0)
		t->psk_sent++;
	return rc;
}

unsigned int
cp_tls_send(struct cp_tls *t)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < t->nworkers; w++) {
		uint64_t bit = 1ULL << w;

		if ((t->tickets_due & bit) != 0) {
			if (put(t, w, IPC_TLS_TICKETS, &t->set, sizeof(t->set)) < 0)
				continue;
			t->tickets_due &= ~bit;
			t->tickets_sent++;
			n++;
		}
		while (t->psk_cur[w] != CP_TLS_NONE) {
			uint32_t cur = t->psk_cur[w];
			int rc;

			if (cur == 0)
				rc = put_sync(t, w, IPC_TLS_PSK_BEGIN);
			else if (cur <= t->npsk)
				rc = put_psk(t, w, IPC_TLS_PSK_ADD, &t->psk[cur - 1]);
			else
				rc = put_sync(t, w, IPC_TLS_PSK_END);
			if (rc < 0)
				break;
			n++;
			t->psk_cur[w] = cur > t->npsk ? CP_TLS_NONE : cur + 1;
		}
	}
	return n;
}

/* One change to every worker: as it is where a worker is between passes
 * and its ring has room, else as a resync from the start. */
static void
spread(struct cp_tls *t, uint16_t kind, const struct cp_tls_psk *e)
{
	for (unsigned int w = 0; w < t->nworkers; w++) {
		if (t->psk_cur[w] == CP_TLS_NONE && put_psk(t, w, kind, e) == 0)
			continue;
		if (t->psk_cur[w] == CP_TLS_NONE)
			t->resyncs++;
		t->psk_cur[w] = 0;
	}
}

bool
cp_tls_psk_id_ok(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	if (n < 1 || n > IPC_TLS_PSK_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
			return false;
	return true;
}

static struct cp_tls_psk *
find(const struct cp_tls *t, const char *id)
{
	size_t n = strlen(id);

	for (uint32_t i = 0; i < t->npsk; i++)
		if (t->psk[i].id_len == n && memcmp(t->psk[i].id, id, n) == 0)
			return &t->psk[i];
	return NULL;
}

const struct cp_tls_psk *
cp_tls_psk_find(const struct cp_tls *t, const char *id)
{
	return id != NULL ? find(t, id) : NULL;
}

int
cp_tls_psk_set(struct cp_tls *t, const char *id, const uint8_t *key,
	       unsigned int key_len, uint16_t cipher)
{
	struct cp_tls_psk *e;

	if (!cp_tls_psk_id_ok(id) || key_len < IPC_TLS_PSK_KEY_MIN ||
	    key_len > IPC_TLS_PSK_KEY_MAX || cipher < 0x1301 || cipher > 0x1303)
		return -EINVAL;
	e = find(t, id);
	if (e == NULL) {
		if (t->npsk >= IPC_TLS_PSK_MAX)
			return -ENOSPC;
		e = &t->psk[t->npsk++];
		memset(e, 0, sizeof(*e));
		e->id_len = (uint16_t)strlen(id);
		memcpy(e->id, id, e->id_len);
	}
	OPENSSL_cleanse(e->key, sizeof(e->key));
	memcpy(e->key, key, key_len);
	e->key_len = (uint16_t)key_len;
	e->cipher = cipher;
	spread(t, IPC_TLS_PSK_ADD, e);
	return 0;
}

int
cp_tls_psk_del(struct cp_tls *t, const char *id)
{
	struct cp_tls_psk *e = id != NULL ? find(t, id) : NULL, gone;

	if (e == NULL)
		return -ENOENT;
	gone = *e;
	*e = t->psk[--t->npsk];
	OPENSSL_cleanse(&t->psk[t->npsk], sizeof(t->psk[t->npsk]));
	spread(t, IPC_TLS_PSK_DEL, &gone);
	OPENSSL_cleanse(&gone, sizeof(gone));
	return 0;
}

static const struct {
	uint16_t id;
	const char *name;
} suites[] = {
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },     /* RFC 8446 §B.4 */
	{ 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
};

uint16_t
cp_tls_cipher_parse(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(suites) / sizeof(suites[0]); i++)
		if (strcmp(name, suites[i].name) == 0)
			return suites[i].id;
	return 0;
}

const char *
cp_tls_cipher_name(uint16_t cipher)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == cipher)
			return suites[i].name;
	return "?";
}
