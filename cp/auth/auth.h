/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth: the long-term credential mechanism of turnpike-cp (RFC 8489
 * §9.2, RFC 8656 §5), TURN REST API credentials, stateless nonces and the
 * per-source challenge rate limit. See auth_types.h for what it owns and
 * FEATURE.md for the RFC sections.
 *
 * Conventions: the constructor returns NULL and sets errno; operations
 * return 0 or -errno; nothing allocates after cp_auth_init(). Not thread
 * safe: one control loop owns a struct cp_auth.
 */
#ifndef CP_AUTH_H
#define CP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth_types.h"
#include "ipc_types.h"
#include "stun_types.h"

/* ---- life (auth.c) ----------------------------------------------------- */

/*
 * Create the module: copy the realm, size the tables, draw the nonce key
 * and the hash key from RAND_bytes. Returns NULL with errno EINVAL (no
 * realm, realm too long, lifetime 0 after defaults or > 3600), ENOMEM, or
 * EIO (no randomness).
 */
struct cp_auth *cp_auth_init(const struct cp_auth_conf *conf);

/* Wipe every key and secret and free. NULL is a no-op. */
void cp_auth_free(struct cp_auth *a);

/* The realm given at init. */
const char *cp_auth_realm(const struct cp_auth *a);

/* How many tenants besides the default one (cp_auth_conf.ntenants), and
 * tenant's realm (0: the default tenant's, cp_auth_realm()); NULL for an
 * index past them. */
uint32_t cp_auth_tenants(const struct cp_auth *a);
const char *cp_auth_realm_of(const struct cp_auth *a, unsigned int tenant);

/* "ok", "unknown-user", ... for logs and counters. */
const char *cp_auth_reason_name(enum cp_auth_reason r);

/* ---- static users (users.c) -------------------------------------------- */

/*
 * Add a user, or replace its keys when the name exists. Only the long-term
 * keys (MD5 and SHA-256, RFC 8489 §9.2.2 / §18.5.1) and the USERHASH
 * (§14.4) for the configured realm are kept; the password is not.
 * name: 1..CP_AUTH_NAME_MAX bytes, taken as it will appear in USERNAME.
 * Returns 0, -EINVAL (bad name, password SASLprep refuses), -ENOSPC.
 */
int cp_auth_user_add(struct cp_auth *a, const char *name,
		     const char *password);

/*
 * The long-term keys of name/password for our realm, as cp_auth_user_add()
 * would keep them (RFC 8489 §9.2.2: MD5(name ":" realm ":" password), and
 * SHA-256 of the same string, §18.5.1.2), for a store that keeps keys, not
 * passwords. Returns 0, -EINVAL (bad name, SASLprep refused the password).
 */
int cp_auth_user_keys(const struct cp_auth *a, const char *name,
		      const char *password, uint8_t md5[16], uint8_t sha256[32]);

/*
 * Add a user by its keys, or replace them: md5 (coturn's hmackey) always,
 * sha256 or NULL (a user imported from coturn has no SHA-256 key: a
 * request with PASSWORD-ALGORITHM SHA-256 then fails integrity, 401, and
 * the client may retry with MD5). Returns 0, -EINVAL, -ENOSPC.
 */
int cp_auth_user_add_keys(struct cp_auth *a, const char *name,
			  const uint8_t md5[16], const uint8_t *sha256);

/* Whether name is a user. */
bool cp_auth_user_exists(const struct cp_auth *a, const char *name);

/* Remove a user; its keys are wiped. Returns 0 or -ENOENT. */
int cp_auth_user_del(struct cp_auth *a, const char *name);

/* Number of static users, and how many the table holds. */
uint32_t cp_auth_user_count(const struct cp_auth *a);
uint32_t cp_auth_user_max(const struct cp_auth *a);

/*
 * Iterate over the users: start with *cursor = 0; each call returns the
 * next user's name (valid until that user is deleted) or NULL at the end.
 * Adding or deleting while iterating may skip or repeat a user.
 */
const char *cp_auth_user_next(const struct cp_auth *a, uint32_t *cursor);

/*
 * The same for a tenant's users (a user is (tenant, name); its keys and
 * USERHASH are made with the tenant's realm). tenant 0 is the default
 * tenant: the calls above are these with 0. A tenant past the ones cp
 * has: -EINVAL (add, keys), -ENOENT (del), false, NULL.
 * cp_auth_user_count() counts every tenant's users (one table, cp.max_users).
 */
int cp_auth_user_add_in(struct cp_auth *a, unsigned int tenant, const char *name,
			const char *password);
int cp_auth_user_keys_in(const struct cp_auth *a, unsigned int tenant,
			 const char *name, const char *password, uint8_t md5[16],
			 uint8_t sha256[32]);
int cp_auth_user_add_keys_in(struct cp_auth *a, unsigned int tenant, const char *name,
			     const uint8_t md5[16], const uint8_t *sha256);
bool cp_auth_user_exists_in(const struct cp_auth *a, unsigned int tenant,
			    const char *name);
int cp_auth_user_del_in(struct cp_auth *a, unsigned int tenant, const char *name);
const char *cp_auth_user_next_in(const struct cp_auth *a, unsigned int tenant,
				 uint32_t *cursor);

/* ---- TURN REST API shared secrets (rest.c) ----------------------------- */

/* Add a shared secret (1..CP_AUTH_SECRET_MAX bytes) whose passwords are
 * HMAC-SHA1 ones (cp_auth_secret_add_in() chooses). Every secret is tried
 * in turn, so adding the new one before deleting the old rotates without a
 * gap. Returns 0, -EINVAL, -EEXIST, -ENOSPC. */
int cp_auth_secret_add(struct cp_auth *a, const char *secret);

/* Remove a secret given by value or by its tag (cp_auth_secret_list).
 * Returns 0 or -ENOENT. */
int cp_auth_secret_del(struct cp_auth *a, const char *secret_or_tag);

/* The secret that secret_or_tag names (itself or its tag), copied into
 * out (CP_AUTH_SECRET_MAX + 1 bytes). Returns 0 or -ENOENT. */
int cp_auth_secret_lookup(const struct cp_auth *a, const char *secret_or_tag,
			  char *out);

/* Describe up to max secrets into out; returns how many there are. */
uint32_t cp_auth_secret_list(const struct cp_auth *a,
			     struct cp_auth_secret_info *out, uint32_t max);

/* The same for a tenant's secrets: only they check the REST credentials
 * of requests that reached its address (max_secrets each). tenant 0 is
 * the default tenant's, what the calls above handle. alg (enum
 * tp_rest_alg) is the HMAC of the secret's passwords: a password made
 * with the other one is wrong. A secret is its value: the same value
 * with another alg is -EEXIST too (delete it first). */
int cp_auth_secret_add_in(struct cp_auth *a, unsigned int tenant, const char *secret,
			  unsigned int alg);
int cp_auth_secret_del_in(struct cp_auth *a, unsigned int tenant,
			  const char *secret_or_tag);
int cp_auth_secret_lookup_in(const struct cp_auth *a, unsigned int tenant,
			     const char *secret_or_tag, char *out);
uint32_t cp_auth_secret_list_in(const struct cp_auth *a, unsigned int tenant,
				struct cp_auth_secret_info *out, uint32_t max);
/* The algorithm (enum tp_rest_alg) of tenant's secret of that value, or
 * -ENOENT. */
int cp_auth_secret_alg_in(const struct cp_auth *a, unsigned int tenant,
			  const char *secret);

/*
 * The REST password for a username (draft-uberti-behave-turn-rest §2.2):
 * base64(HMAC-SHA1(secret, username)) with '=' padding, NUL terminated.
 * out must hold 29 bytes. Returns 0 or -errno. Exposed for tests and for
 * the operator's credential generator.
 */
int cp_auth_rest_password(const char *secret, const char *username,
			  char out[29]);

/* The same with the HMAC alg (enum tp_rest_alg) names: SHA-256 gives
 * base64(HMAC-SHA256(secret, username)), 44 characters, '=' padded (as
 * Kamailio's auth_ephemeral makes it). out: CP_AUTH_REST_PASSWORD_MAX
 * bytes. Returns 0, -EINVAL (an alg we do not know), -errno. */
int cp_auth_rest_password_alg(unsigned int alg, const char *secret,
			      const char *username,
			      char out[CP_AUTH_REST_PASSWORD_MAX]);

/*
 * The expiry timestamp of a REST username: "expiry:user", "user:expiry"
 * or a bare "expiry" (as coturn accepts). Returns 0 with *expiry set, or
 * -EINVAL when the name has no timestamp part.
 */
int cp_auth_rest_parse(const char *username, size_t len, uint64_t *expiry);
/*
 * The user a username names, for lawful interception's matcher (cp/li,
 * docs/design/li.md §4): a name that is no static user's of tenant (lib/
 * conf's index) and reads as a REST name (cp_auth_rest_parse()'s forms,
 * the same reading) names its user part, name[*off..*off + *ulen):
 * "expiry:user" and "user:expiry" the user, a bare "expiry" nothing
 * (*ulen 0); 0. -ENOENT: a static user's name, or no REST name; the
 * whole name is the user. a NULL: no static users.
 */
int cp_auth_rest_user(const struct cp_auth *a, unsigned int tenant, const char *name, size_t len,
		      size_t *off, size_t *ulen);

/* ---- nonces (nonce.c) -------------------------------------------------- */

/*
 * Write a fresh nonce for a client (RFC 8489 §9.2, §18.1): the cookie, our
 * security features, and a body binding an expiry now_s + lifetime and a
 * random salt to the client's address under a key drawn at init.
 * out must hold CP_AUTH_NONCE_LEN + 1 bytes; it is NUL terminated.
 * Returns CP_AUTH_NONCE_LEN or -EIO.
 */
int cp_auth_nonce_make(struct cp_auth *a, const struct cp_auth_peer *from,
		       uint64_t now_s, char *out);

/*
 * Check a nonce (not NUL terminated). *features gets the security feature
 * set it carries when it is ours (VALID or EXPIRED), 0 otherwise.
 */
enum cp_auth_nonce_state cp_auth_nonce_check(struct cp_auth *a,
					     const uint8_t *nonce, size_t len,
					     const struct cp_auth_peer *from,
					     uint64_t now_s,
					     uint32_t *features);

/* The security feature set this instance advertises. */
uint32_t cp_auth_features(const struct cp_auth *a);

/* What cp's nonces and challenges are made of (key, features, lifetime,
 * realm, SOFTWARE): what cp publishes for dp (lib/ipc, ipc_nonce_publish()),
 * so that dp makes and checks the same nonces. */
const struct nonce_ctx *cp_auth_nonce_ctx(const struct cp_auth *a);

/* The same as the block cp publishes in the shared segment for dp (lib/ipc
 * ipc_nonce_publish(); out->epoch is left 0, the publisher sets it). */
void cp_auth_nonce_export(const struct cp_auth *a, struct ipc_nonce *out);

/* Take the nonce key of the cp before this one (its block in the
 * segment, prev: ipc_nonce_copy() checked it), when it made nonces as this
 * one does (the same realm, lifetime and features): the nonces it and dp
 * gave out stay good across a restart, instead of all turning foreign at
 * once (clients mid-handshake would meet 438, or a flood's lane). 0, or
 * -EINVAL (not adopted: this cp's own key stays). */
int cp_auth_nonce_adopt(struct cp_auth *a, const struct ipc_nonce *prev);

/* ---- verdict and responses (auth.c) ------------------------------------ */

/*
 * Authenticate one request with the long-term mechanism, performing the
 * checks of RFC 8489 §9.2.4 in the order specified (see FEATURE.md):
 * no integrity -> 401; missing USERNAME/USERHASH, REALM or NONCE -> 400;
 * PASSWORD-ALGORITHM(S) inconsistent with our nonce -> 400; wrong realm,
 * unknown user or expired REST username -> 401; wrong integrity -> 401;
 * nonce not ours, expired or for another source -> 438.
 * req must be a parsed request; from is where it came from; now_s is the
 * time nonces are made and judged by (cp gives CLOCK_MONOTONIC seconds, so
 * that a wall-clock step neither ages nor rejuvenates them); wall_s is Unix
 * time in seconds, what a TURN REST username's expiry is compared with.
 * Fills res; returns res->code (0 when authenticated).
 */
int cp_auth_check(struct cp_auth *a, const struct stun_msg *req,
		  const struct cp_auth_peer *from, uint64_t now_s,
		  uint64_t wall_s, struct cp_auth_result *res);

/*
 * The same for a request on an allocation a token made (RFC 7635):
 * sess[0..nsess) hold what it keeps of tokens (cp_auth_session_of() of
 * the verdicts that made and renewed it: its session, and the one it was
 * made with; NULL, or key_len 0: none). A request that brings no
 * ACCESS-TOKEN and whose USERNAME is one's kid is checked with the keys
 * of those whose kid it is, in order, each until its token's end (401
 * "oauth-expired" when every one has ended, "bad-integrity" when none
 * verifies); res->key is the one that verified. Everything else as
 * cp_auth_check().
 */
int cp_auth_check_session(struct cp_auth *a, const struct stun_msg *req,
			  const struct cp_auth_peer *from, uint64_t now_s, uint64_t wall_s,
			  const struct cp_auth_session *sess, unsigned int nsess,
			  struct cp_auth_result *res);

/* What an allocation keeps of a verdict res that an access token gave
 * (res->oauth): zeroed when it gave none. */
void cp_auth_session_of(const struct cp_auth_result *res, struct cp_auth_session *s);

/* Is RFC 7635 on for requests that reach tenant's addresses (the
 * default tenant's only)? The server name (THIRD-PARTY-AUTHORIZATION's
 * value, the tokens' associated data) and its length. */
bool cp_auth_oauth_on(const struct cp_auth *a, unsigned int tenant);
const char *cp_auth_oauth_server_name(const struct cp_auth *a, size_t *len);

/* The name of authorization server as (cp_auth_result.oauth_as: its
 * keys' as, or the kid of its first key when they name none); "" for 0
 * or an index past the keys. Valid for the module's life. */
const char *cp_auth_oauth_as_name(const struct cp_auth *a, unsigned int as);

/*
 * The name the client of a token goes by (RFC 7635), for res, a verdict
 * a token gave (res->oauth, its key): "AS/HEX", its authorization
 * server's name (cp_auth_oauth_as_name()) and the first 16 bytes of
 * SHA-256("turnpike oauth client" || key) in hex. A self-contained token
 * claims no client (§6.2: a mac_key, a timestamp, a lifetime) and its kid
 * names a key every client of that AS shares: what is a client's own is
 * its mac_key, and this is what cp/alloc counts its quota under and names
 * its allocations by (the same key gives the same name, in any cp).
 * out: CP_OAUTH_CLIENT_MAX + 1 bytes at least (cap), NUL terminated.
 * Returns the length, or -EINVAL (no token's key, cap too small).
 */
int cp_auth_oauth_client(const struct cp_auth *a, const struct cp_auth_result *res,
			 char *out, size_t cap);

/*
 * Seconds from wall_s (Unix) until a token that ends at expiry (Unix s,
 * cp_auth_result.oauth_expiry, cp_auth_session.expiry) is refused: its
 * end plus oauth.tolerance; 0 once past. RFC 7635 §9: an allocation's
 * lifetime is at most its token's.
 */
uint32_t cp_auth_oauth_left(const struct cp_auth *a, uint64_t expiry, uint64_t wall_s);

/*
 * Build the error response res calls for into buf[0..cap) (same method and
 * transaction id as req): for 401 and 438, ERROR-CODE, REALM, a fresh
 * NONCE for from, PASSWORD-ALGORITHMS (SHA-256, MD5) when we advertise it,
 * SOFTWARE and FINGERPRINT (RFC 8489 §9.2.4); for 400, ERROR-CODE, SOFTWARE
 * and FINGERPRINT only. Unsigned. Call cp_auth_challenge_allowed() first.
 * Returns the length, -EINVAL (res->code is 0 or unknown), -ENOBUFS.
 */
int cp_auth_build_challenge(struct cp_auth *a, const struct stun_msg *req,
			    const struct cp_auth_result *res,
			    const struct cp_auth_peer *from, uint64_t now_s,
			    uint8_t *buf, size_t cap);

/*
 * Append MESSAGE-INTEGRITY-SHA256 or MESSAGE-INTEGRITY (as res->mi_sha256
 * says) computed with the request's key to a response being built; the
 * caller then appends FINGERPRINT. Returns 0, or -EINVAL when res holds no
 * key (the builder is left untouched). Builder errors stay in b.
 */
int cp_auth_sign(struct stun_builder *b, const struct cp_auth_result *res);

/* ---- challenge rate limit (ratelimit.c) -------------------------------- */

/*
 * May we answer this source with a 401/438 challenge now? A token bucket
 * per hash of the source IP (IPv6: its /64), rl_rate per second, rl_burst
 * deep. false: drop the request silently. now_ms is any monotonic clock
 * in milliseconds.
 */
bool cp_auth_challenge_allowed(struct cp_auth *a,
			       const struct cp_auth_peer *from,
			       uint64_t now_ms);

#endif /* CP_AUTH_H */
