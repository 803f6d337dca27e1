/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SRTP keys an RTP context takes (RFC 3711 section 9.1): one rule for
 * every door's key, whoever gave it (the remote's a=crypto, our key fixed
 * by a Local SDP or the JSON door, our key cp made), and the context's
 * memory of the keys it has used, which the rule reads.
 *
 * A master key (its octets: master key || salt, whatever the suite or
 * MKI, which derive the same session keys from them) is one stream's.
 * Section 9.1's two-time pad is a keystream encrypted under twice: two
 * streams under one key, or a stream's key started again from index 0,
 * and the XOR of two packets' ciphertexts is the XOR of their
 * plaintexts. The keystreams we encrypt under are our send keys (ours to
 * a termination, the Local a=crypto); a remote's key to us is its
 * sender's keystream, which we only decrypt. So, within a context:
 * - our key to a termination is never its remote's key to us, nor a key
 *   of the other termination, nor any key the context has used, either
 *   termination's, either way (after a subtraction and an add, as a
 *   rekey, ever): each would encrypt under a keystream used already;
 * - a remote's key is never the other termination's remote key, now or
 *   before (one sender's packets would pass as the other's), nor one of
 *   our send keys, now or before (a reflection: our own packets would
 *   pass as the remote's);
 * - a remote's key the same slot's remote held before, to us, may come
 *   back: a forked call whose first branch answers again after another
 *   branch did (B is one termination whatever branch answers: 183 with
 *   K1, 183 with K2, the first branch's 200 with K1 again, which a
 *   P-CSCF sees daily), a re-INVITE going back to an earlier key, an Iq
 *   Subtract and Add for a remote's new key. It is the sender's
 *   keystream, not ours: taking it again only starts a receive context
 *   for it, whose replay windows (dp/rtp, RFC 3711 section 3.3.2) know
 *   only what dp carries over. The risk left is a replay of that
 *   sender's earlier packets, each once: a rekey in place carries every
 *   SSRC the replaced context followed at the index dp stood at (their
 *   old packets refused); an SSRC not carried, and SRTCP (its index taken
 *   from the first packet), take captured packets within the window's
 *   reach below where the real stream resumes (SRTP: the key's WSH, 64
 *   to 128 indices; SRTCP: 64), once each, before the real stream passes
 *   them, and, in index order, any that reach dp before the real stream's
 *   first packet from a source the termination takes (cp/agw/FEATURE.md
 *   "SRTP keys" has each door's case);
 * - the key a termination holds, given again for the same direction of
 *   the same termination, is not a new use: a re-offer or a Modify that
 *   repeats its a=crypto (rtpengine keeps SDES keys over re-INVITEs, an
 *   IMS-ALG repeats its Local and Remote), and dp's send and receive
 *   contexts go on where they stand.
 * The memory is a digest of each key under a secret this cp draws at its
 * start (SHA-256 of secret || key, CP_AGW_RTP_KEY_DIGEST octets of it),
 * with the slot that held it and which way: never the key, useless
 * outside this cp, wiped with the context. It holds CP_AGW_RTP_KEYS
 * uses a context (a remote's key that comes back to its slot takes no
 * second place): past them a new key is refused (forgetting the oldest
 * would let it come back).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>

#include "agw_internal.h"
#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)
/* (a refusal of the rule's, counted) */
#define REFUSE(rc, ...) do { r->stats[AGW_RTP_KEYS_REFUSED]++; ERR(rc, __VA_ARGS__); } while (0)

int
agw_rtp_keys_init(struct agw_rtp_state *r)
{
	if (getrandom(r->key_secret, sizeof(r->key_secret), 0) != (ssize_t)sizeof(r->key_secret))
		return -EIO;
	return 0;
}

void
agw_rtp_keys_fini(struct agw_rtp_state *r)
{
	explicit_bzero(r->key_secret, sizeof(r->key_secret));
}

/* k's digest under this cp's secret: 0, -EIO (OpenSSL failed). */
static int
key_digest(const struct agw_rtp_state *r, const struct ipc_srtp_key *k,
	   uint8_t out[CP_AGW_RTP_KEY_DIGEST])
{
	uint8_t buf[sizeof(r->key_secret) + IPC_SRTP_KEY_MAX], md[EVP_MAX_MD_SIZE];
	size_t len = k->key_len <= IPC_SRTP_KEY_MAX ? k->key_len : IPC_SRTP_KEY_MAX;
	unsigned int n = 0;
	int ok;

	memcpy(buf, r->key_secret, sizeof(r->key_secret));
	memcpy(buf + sizeof(r->key_secret), k->key, len);
	ok = EVP_Digest(buf, sizeof(r->key_secret) + len, md, &n, EVP_sha256(), NULL);
	explicit_bzero(buf, sizeof(buf));
	if (ok == 1 && n >= CP_AGW_RTP_KEY_DIGEST)
		memcpy(out, md, CP_AGW_RTP_KEY_DIGEST);
	explicit_bzero(md, sizeof(md));
	return ok == 1 && n >= CP_AGW_RTP_KEY_DIGEST ? 0 : -EIO;
}

/* Does t hold keys a party chose (SDES: the remote's a=crypto, ours)? A
 * DTLS-SRTP termination's come from its handshake (RFC 5764 §4.2): no
 * party chose them, and a new association's are new ones. A BUNDLE
 * member holds no key octet (its suite, every octet 0): the group's key
 * is its owner's, judged there (RFC 9143; cp_agw_rtp.h). */
static bool
is_sdes(const struct ipc_rtp_term *t)
{
	return (t->profile == IPC_RTP_SAVP || t->profile == IPC_RTP_SAVPF) &&
	       t->dtls.role == IPC_RTP_DTLS_NONE && !agw_rtp_is_member(t);
}

/* The same key: the same octets (the suite and MKI aside). */
static bool
key_octets_same(const struct ipc_srtp_key *a, const struct ipc_srtp_key *b)
{
	return a->key_len != 0 && a->key_len == b->key_len &&
	       memcmp(a->key, b->key, a->key_len) == 0;
}

/* Is use u (its digest, slot and direction) in c's memory? */
static bool
has_use(const struct cp_agw_ctx *c, const struct cp_agw_rtp_key_used *u)
{
	for (uint32_t i = 0; i < c->rtp.nkeys && i < CP_AGW_RTP_KEYS; i++)
		if (memcmp(&c->rtp.keys[i], u, sizeof(*u)) == 0)
			return true;
	return false;
}

/* One key of a context: termination term's, ours (to send with) or the
 * remote's; held: the key that termination holds for that direction now. */
struct key_ref {
	unsigned int term;
	bool ours;
	bool held;
	const struct ipc_srtp_key *k;
};

static void
key_name(unsigned int term, bool ours, char *out, size_t n)
{
	if (ours)
		snprintf(out, n, "our key to termination %u", term);
	else
		snprintf(out, n, "termination %u's remote key", term);
}

/* The use in c's memory that forbids key x (its digest d), or NULL;
 * *again: x's own use is there (its slot's remote key before: nothing
 * new to keep). Our key: any use forbids it. A remote's: one of our
 * keys, or the other slot's remote key (above). */
static const struct cp_agw_rtp_key_used *
key_conflict(const struct cp_agw_ctx *c, const struct key_ref *x,
	     const uint8_t d[CP_AGW_RTP_KEY_DIGEST], bool *again)
{
	*again = false;
	for (uint32_t i = 0; i < c->rtp.nkeys && i < CP_AGW_RTP_KEYS; i++) {
		const struct cp_agw_rtp_key_used *u = &c->rtp.keys[i];

		if (memcmp(u->digest, d, CP_AGW_RTP_KEY_DIGEST) != 0)
			continue;
		if (x->ours || u->ours || u->term != x->term)
			return u;
		*again = true;
	}
	return NULL;
}

int
agw_rtp_keys_check(struct agw_rtp_state *r, const struct cp_agw_ctx *c, unsigned int fresh,
		   const struct ipc_rtp_term next[2], char *err, size_t errlen)
{
	struct key_ref ks[4];
	unsigned int n = 0, added = 0;
	char a[48], b[48];

	/* the keys the context would hold; one to send with of key_len 0
	 * is cp's to make (a key of its own: counted, nothing to compare) */
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_term *t = &next[i];
		const struct ipc_rtp_term *cur = c != NULL && i != fresh ? &c->rtp.term[i] : NULL;

		if (!is_sdes(t))
			continue;
		if (cur != NULL && !is_sdes(cur))
			cur = NULL;
		if (t->srtp_rx.key_len != 0)
			ks[n++] = (struct key_ref){ i, false, cur != NULL &&
						    key_octets_same(&t->srtp_rx, &cur->srtp_rx),
						    &t->srtp_rx };
		if (t->srtp_tx.key_len != 0)
			ks[n++] = (struct key_ref){ i, true, cur != NULL &&
						    key_octets_same(&t->srtp_tx, &cur->srtp_tx),
						    &t->srtp_tx };
		else
			added++;
	}
	/* no two of them one key, whatever their slots and directions (two
	 * the context held already were checked when they came); the
	 * sentence names the new one first */
	for (unsigned int j = 1; j < n; j++)
		for (unsigned int i = 0; i < j; i++) {
			const struct key_ref *x = !ks[i].held && ks[j].held ? &ks[i] : &ks[j];
			const struct key_ref *y = x == &ks[i] ? &ks[j] : &ks[i];

			if ((ks[i].held && ks[j].held) || !key_octets_same(ks[i].k, ks[j].k))
				continue;
			key_name(x->term, x->ours, b, sizeof(b));
			key_name(y->term, y->ours, a, sizeof(a));
			REFUSE(-EKEYREJECTED, "%s is %s: one key for two streams (RFC 3711 section 9.1)",
			    b, a);
		}
	/* against the context's past: ours never again, a remote's only to
	 * the slot whose remote held it */
	for (unsigned int i = 0; i < n; i++) {
		const struct cp_agw_rtp_key_used *u;
		uint8_t d[CP_AGW_RTP_KEY_DIGEST];
		bool again;

		if (ks[i].held)
			continue;
		if (c == NULL) {
			added++;
			continue;
		}
		if (key_digest(r, ks[i].k, d) < 0)
			ERR(-EIO, "cp could not digest an SRTP key (OpenSSL's SHA-256 failed)");
		u = key_conflict(c, &ks[i], d, &again);
		explicit_bzero(d, sizeof(d));
		if (u != NULL) {
			key_name(ks[i].term, ks[i].ours, a, sizeof(a));
			key_name(u->term, u->ours != 0, b, sizeof(b));
			REFUSE(-EKEYREJECTED, "%s was used before in context %" PRIu64 " as %s: one "
			    "key for two streams (RFC 3711 section 9.1)", a, c->id, b);
		}
		if (!again)
			added++;
	}
	if (c != NULL && c->rtp.nkeys + added > CP_AGW_RTP_KEYS)
		REFUSE(-ENOSPC, "context %" PRIu64 " has used %u SRTP keys, the most cp keeps "
		    "track of: a new key goes into a new context", c->id, c->rtp.nkeys);
	return 0;
}

void
agw_rtp_keys_keep(const struct agw_rtp_state *r, struct cp_agw_ctx *c)
{
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_term *t = &c->rtp.term[i];
		const struct ipc_srtp_key *k[2] = { &t->srtp_rx, &t->srtp_tx };

		if (!is_sdes(t))
			continue;
		for (unsigned int j = 0; j < 2; j++) {
			struct cp_agw_rtp_key_used u = { .term = (uint8_t)i, .ours = (uint8_t)j };

			if (k[j]->key_len == 0 || key_digest(r, k[j], u.digest) < 0)
				continue;
			if (!has_use(c, &u) && c->rtp.nkeys < CP_AGW_RTP_KEYS)
				c->rtp.keys[c->rtp.nkeys++] = u;
			explicit_bzero(&u, sizeof(u));
		}
	}
}
