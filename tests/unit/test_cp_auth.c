/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of cp/auth: the long-term credential mechanism (RFC 8489
 * §9.2.4 checks in order), TURN REST API credentials (the published
 * vector secret "north"), stateless nonces (cookie, feature bits in
 * erratum EID 6290 order, binding to the source, expiry), USERHASH,
 * PASSWORD-ALGORITHM(S), MESSAGE-INTEGRITY-SHA256, the 401/438/400
 * responses, response signing, and the per-source challenge rate limit.
 *
 * Requests are built with lib/stun's builder the way a client builds them
 * (Allocate with USERNAME, REALM, NONCE, REQUESTED-TRANSPORT, integrity
 * with the client's key, FINGERPRINT); the client's keys are computed
 * here with OpenSSL directly, not with the code under test. Time is a
 * parameter, so expiry and refill are tested with a fake clock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "auth.h"
#include "ipc_types.h"
#include "nonce.h"
#include "stun.h"
#include "tp_common.h"

#define REALM    "example.org"
#define SOFTWARE "turnpike test"
#define NOW      1700000000ull

/* ---- the integrity checks cp/auth makes --------------------------------- */

/* The linker hands every call of lib/stun's integrity checks to these
 * (-Wl,--wrap, tests/unit/meson.build): they count the HMACs computed,
 * with the key length of the last, and call the real check. */
enum stun_check __real_stun_check_integrity(const struct stun_msg *m, const uint8_t *key,
					    size_t key_len);
enum stun_check __real_stun_check_integrity_sha256(const struct stun_msg *m,
						   const uint8_t *key, size_t key_len);
enum stun_check __wrap_stun_check_integrity(const struct stun_msg *m, const uint8_t *key,
					    size_t key_len);
enum stun_check __wrap_stun_check_integrity_sha256(const struct stun_msg *m,
						   const uint8_t *key, size_t key_len);

static unsigned int hmacs_sha1, hmacs_sha256;
static size_t hmac_key_len;

enum stun_check
__wrap_stun_check_integrity(const struct stun_msg *m, const uint8_t *key, size_t key_len)
{
	hmacs_sha1++;
	hmac_key_len = key_len;
	return __real_stun_check_integrity(m, key, key_len);
}

enum stun_check
__wrap_stun_check_integrity_sha256(const struct stun_msg *m, const uint8_t *key,
				   size_t key_len)
{
	hmacs_sha256++;
	hmac_key_len = key_len;
	return __real_stun_check_integrity_sha256(m, key, key_len);
}

/* ---- client side helpers ------------------------------------------------ */

struct req_opts {
	const char *username;      /* NULL: no USERNAME */
	bool userhash;             /* send USERHASH of username instead */
	const char *realm;         /* NULL: no REALM */
	const char *nonce;         /* NULL: no NONCE */
	const uint8_t *key;        /* NULL: no integrity */
	size_t key_len;
	bool mi_sha256;            /* MESSAGE-INTEGRITY-SHA256 instead of MI */
	bool both_mi;              /* MI with key, then MI-SHA256 with key2 */
	const uint8_t *key2;
	size_t key2_len;
	uint16_t pwalg;            /* PASSWORD-ALGORITHM; 0: none */
	bool pwalgs;               /* PASSWORD-ALGORITHMS as the server sent */
	const uint16_t *pwalgs_list;  /* override its content */
	size_t pwalgs_n;
};

static const uint16_t server_pwalgs[] = { STUN_PWALG_SHA256, STUN_PWALG_MD5 };

static void
digest(const EVP_MD *md, const char *s, uint8_t *out)
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(s, strlen(s), out, &n, md, NULL), 1);
}

/* The client's long-term key, RFC 8489 §9.2.2 (ASCII passwords only). */
static size_t
client_key(uint16_t alg, const char *user, const char *realm,
	   const char *password, uint8_t *out)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s:%s:%s", user, realm, password);
	if (alg == STUN_PWALG_SHA256) {
		digest(EVP_sha256(), buf, out);
		return 32;
	}
	digest(EVP_md5(), buf, out);
	return 16;
}

static struct cp_auth_peer
peer4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct cp_auth_peer p;

	memset(&p, 0, sizeof(p));
	p.addr.family = STUN_AF_IPV4;
	p.addr.port = port;
	p.addr.ip[0] = a;
	p.addr.ip[1] = b;
	p.addr.ip[2] = c;
	p.addr.ip[3] = d;
	p.transport = STUN_TRANSPORT_UDP;
	return p;
}

static struct cp_auth_peer
peer6(uint8_t last, uint8_t sub, uint16_t port)
{
	struct cp_auth_peer p;

	memset(&p, 0, sizeof(p));
	p.addr.family = STUN_AF_IPV6;
	p.addr.port = port;
	p.addr.ip[0] = 0x20;
	p.addr.ip[1] = 0x01;
	p.addr.ip[2] = 0x0d;
	p.addr.ip[3] = 0xb8;
	p.addr.ip[7] = sub;     /* inside the /64 */
	p.addr.ip[15] = last;   /* interface id */
	p.transport = STUN_TRANSPORT_UDP;
	return p;
}

static uint8_t tid_ctr;

/* Build and parse an Allocate request as a client would. */
static void
build_req(const struct req_opts *o, uint8_t *buf, size_t cap,
	  struct stun_msg *m)
{
	struct stun_builder b;
	uint8_t tid[STUN_TID_LEN];
	int len;

	memset(tid, 0xa5, sizeof(tid));
	tid[0] = ++tid_ctr;
	stun_build_init(&b, buf, cap,
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST),
			tid);
	if (o->username != NULL && !o->userhash) {
		stun_build_str(&b, STUN_ATTR_USERNAME, o->username);
	} else if (o->username != NULL) {
		char s[1024];
		uint8_t h[32];

		snprintf(s, sizeof(s), "%s:%s", o->username,
			 o->realm != NULL ? o->realm : REALM);
		digest(EVP_sha256(), s, h);
		stun_build_attr(&b, STUN_ATTR_USERHASH, h, sizeof(h));
	}
	if (o->realm != NULL)
		stun_build_str(&b, STUN_ATTR_REALM, o->realm);
	if (o->nonce != NULL)
		stun_build_str(&b, STUN_ATTR_NONCE, o->nonce);
	if (o->pwalgs) {
		if (o->pwalgs_list != NULL)
			stun_build_pwalgs(&b, STUN_ATTR_PASSWORD_ALGORITHMS,
					  o->pwalgs_list, o->pwalgs_n);
		else
			stun_build_pwalgs(&b, STUN_ATTR_PASSWORD_ALGORITHMS,
					  server_pwalgs, 2);
	}
	if (o->pwalg != 0)
		stun_build_pwalgs(&b, STUN_ATTR_PASSWORD_ALGORITHM, &o->pwalg, 1);
	stun_build_transport(&b, STUN_TRANSPORT_UDP);
	if (o->key != NULL) {
		if (o->both_mi) {
			stun_build_integrity(&b, o->key, o->key_len);
			stun_build_integrity_sha256(&b, o->key2, o->key2_len);
		} else if (o->mi_sha256) {
			stun_build_integrity_sha256(&b, o->key, o->key_len);
		} else {
			stun_build_integrity(&b, o->key, o->key_len);
		}
	}
	stun_build_fingerprint(&b);
	len = stun_build_finish(&b);
	assert_true(len > 0);
	assert_int_equal(stun_msg_parse(m, buf, (size_t)len, NULL), 0);
}

/* Parse a response and return its error code (0 for success). */
static uint16_t
resp_code(const uint8_t *buf, int len, struct stun_msg *m)
{
	const struct stun_attr *ec;
	const char *reason;
	uint16_t code = 0, rlen;

	assert_true(len > 0);
	assert_int_equal(stun_msg_parse(m, buf, (size_t)len, NULL), 0);
	assert_int_equal(stun_check_fingerprint(m), STUN_CHECK_VALID);
	ec = stun_msg_find(m, STUN_ATTR_ERROR_CODE);
	if (ec == NULL)
		return 0;
	assert_int_equal(stun_attr_get_error(ec, &code, &reason, &rlen), 0);
	return code;
}

/* Copy the NONCE of a parsed response into out (NUL terminated). */
static void
resp_nonce(const struct stun_msg *m, char *out, size_t cap)
{
	const struct stun_attr *n = stun_msg_find(m, STUN_ATTR_NONCE);

	assert_non_null(n);
	assert_true(n->len < cap);
	memcpy(out, n->value, n->len);
	out[n->len] = '\0';
}

/* ---- fixture ------------------------------------------------------------ */

struct fx {
	struct cp_auth *a;
	struct cp_auth_peer from;
	uint8_t key_md5[16];
	uint8_t key_sha256[32];
	uint8_t buf[1500];
	uint8_t out[1500];
	struct stun_msg req;
	struct stun_msg resp;
	struct cp_auth_result res;
};

static int
setup_conf(void **state, const struct cp_auth_conf *conf)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->a = cp_auth_init(conf);
	if (f->a == NULL) {
		free(f);
		return -1;
	}
	if (cp_auth_user_add(f->a, "alice", "wonderland") != 0)
		return -1;
	f->from = peer4(192, 0, 2, 10, 40000);
	client_key(STUN_PWALG_MD5, "alice", REALM, "wonderland", f->key_md5);
	client_key(STUN_PWALG_SHA256, "alice", REALM, "wonderland",
		   f->key_sha256);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	struct cp_auth_conf conf = { .realm = REALM, .software = SOFTWARE };

	return setup_conf(state, &conf);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	cp_auth_free(f->a);
	free(f);
	return 0;
}

/* Send a request without credentials, check the 401, return its nonce. */
static void
get_nonce(struct fx *f, const struct cp_auth_peer *from, uint64_t now,
	  char nonce[64])
{
	struct req_opts o = { 0 };
	int len;

	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, from, now, now, &f->res), 401);
	len = cp_auth_build_challenge(f->a, &f->req, &f->res, from, now, f->out,
				      sizeof(f->out));
	assert_int_equal(resp_code(f->out, len, &f->resp), 401);
	resp_nonce(&f->resp, nonce, 64);
}

/* An authenticated request from alice with MD5 key and MI. */
static int
check_alice(struct fx *f, const char *nonce, const struct cp_auth_peer *from,
	    uint64_t now)
{
	struct req_opts o = {
		.username = "alice", .realm = REALM, .nonce = nonce,
		.key = f->key_md5, .key_len = 16,
	};

	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	return cp_auth_check(f->a, &f->req, from, now, now, &f->res);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_auth_unauthenticated_gets_401_with_nonce(void **state)
{
	struct fx *f = *state;
	struct req_opts o = { 0 };
	const struct stun_attr *at;
	uint16_t algs[4];
	size_t n = 0;
	int len;

	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_NO_INTEGRITY);
	assert_int_equal(f->res.key_len, 0);
	assert_int_equal(cp_auth_sign(NULL, &f->res), -EINVAL);

	len = cp_auth_build_challenge(f->a, &f->req, &f->res, &f->from, NOW,
				      f->out, sizeof(f->out));
	assert_int_equal(resp_code(f->out, len, &f->resp), 401);
	assert_int_equal(f->resp.cls, STUN_CLASS_ERROR);
	assert_int_equal(f->resp.method, STUN_METHOD_ALLOCATE);
	assert_memory_equal(f->resp.tid, f->req.tid, STUN_TID_LEN);
	at = stun_msg_find(&f->resp, STUN_ATTR_REALM);
	assert_non_null(at);
	assert_int_equal(at->len, strlen(REALM));
	assert_memory_equal(at->value, REALM, at->len);
	at = stun_msg_find(&f->resp, STUN_ATTR_NONCE);
	assert_non_null(at);
	assert_int_equal(at->len, CP_AUTH_NONCE_LEN);
	assert_memory_equal(at->value, "obMatJos2AAAB", 13);
	at = stun_msg_find(&f->resp, STUN_ATTR_PASSWORD_ALGORITHMS);
	assert_non_null(at);
	assert_int_equal(stun_attr_get_pwalgs(at, algs, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(algs[0], STUN_PWALG_SHA256);
	assert_int_equal(algs[1], STUN_PWALG_MD5);
	at = stun_msg_find(&f->resp, STUN_ATTR_SOFTWARE);
	assert_non_null(at);
	assert_memory_equal(at->value, SOFTWARE, strlen(SOFTWARE));
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_MESSAGE_INTEGRITY));
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_MESSAGE_INTEGRITY_SHA256));
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_USERNAME));
}

static void
test_auth_round_trip_succeeds(void **state)
{
	struct fx *f = *state;
	struct stun_builder b;
	char nonce[64];
	int len;

	get_nonce(f, &f->from, NOW, nonce);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW + 5), 0);
	assert_int_equal(f->res.reason, CP_AUTH_R_OK);
	assert_string_equal(f->res.username, "alice");
	assert_int_equal(f->res.username_len, 5);
	assert_int_equal(f->res.pwalg, STUN_PWALG_MD5);
	assert_int_equal(f->res.key_len, 16);
	assert_memory_equal(f->res.key, f->key_md5, 16);
	assert_int_equal(f->res.mi_sha256, 0);
	assert_int_equal(f->res.rest, 0);

	/* The success response, signed with the request's key, verifies
	 * with the client's key. */
	stun_build_init(&b, f->out, sizeof(f->out),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_SUCCESS),
			f->req.tid);
	stun_build_u32(&b, STUN_ATTR_LIFETIME, 600);
	assert_int_equal(cp_auth_sign(&b, &f->res), 0);
	stun_build_fingerprint(&b);
	len = stun_build_finish(&b);
	assert_int_equal(resp_code(f->out, len, &f->resp), 0);
	assert_int_equal(stun_check_integrity(&f->resp, f->key_md5, 16),
			 STUN_CHECK_VALID);
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_MESSAGE_INTEGRITY_SHA256));
}

static void
test_auth_wrong_password_gets_401(void **state)
{
	struct fx *f = *state;
	uint8_t bad[16];
	char nonce[64];
	int len;
	struct req_opts o = { .username = "alice", .realm = REALM,
			      .key = bad, .key_len = 16 };

	client_key(STUN_PWALG_MD5, "alice", REALM, "wonderlanD", bad);
	get_nonce(f, &f->from, NOW, nonce);
	o.nonce = nonce;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(f->res.key_len, 0);
	len = cp_auth_build_challenge(f->a, &f->req, &f->res, &f->from, NOW,
				      f->out, sizeof(f->out));
	assert_int_equal(resp_code(f->out, len, &f->resp), 401);
	assert_non_null(stun_msg_find(&f->resp, STUN_ATTR_NONCE));
	assert_non_null(stun_msg_find(&f->resp, STUN_ATTR_REALM));
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_MESSAGE_INTEGRITY));
}

static void
test_auth_wrong_realm_gets_401(void **state)
{
	struct fx *f = *state;
	uint8_t key[16];
	char nonce[64];
	struct req_opts o = { .username = "alice", .realm = "example.com",
			      .key = key, .key_len = 16 };

	client_key(STUN_PWALG_MD5, "alice", "example.com", "wonderland", key);
	get_nonce(f, &f->from, NOW, nonce);
	o.nonce = nonce;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_WRONG_REALM);
}

static void
test_auth_tampered_nonce_gets_438(void **state)
{
	struct fx *f = *state;
	char nonce[64], bad[64];

	get_nonce(f, &f->from, NOW, nonce);
	/* One body character changed (still base64). */
	strcpy(bad, nonce);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	assert_int_equal(check_alice(f, bad, &f->from, NOW), 438);
	assert_int_equal(f->res.reason, CP_AUTH_R_NONCE_FOREIGN);
	/* The feature bits are under the MAC: no bid-down to "AAAA". */
	strcpy(bad, nonce);
	bad[12] = 'A';
	assert_int_equal(check_alice(f, bad, &f->from, NOW), 438);
	/* Truncated, not ours at all, no cookie. */
	strcpy(bad, nonce);
	bad[44] = '\0';
	assert_int_equal(check_alice(f, bad, &f->from, NOW), 438);
	assert_int_equal(check_alice(f, "f//499k954d6OL34oL9FSTvy64sA", &f->from,
				     NOW), 438);
	/* The key was proven, so the 438 carries it (for an optional MI). */
	assert_int_equal(f->res.key_len, 16);
	/* The untouched nonce still works. */
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 0);
}

static void
test_auth_expired_nonce_gets_438(void **state)
{
	struct fx *f = *state;
	char nonce[64];

	get_nonce(f, &f->from, NOW, nonce);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW + 600), 0);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW + 601), 438);
	assert_int_equal(f->res.reason, CP_AUTH_R_NONCE_EXPIRED);
	/* A clock stepped far back does not make it live longer. */
	assert_int_equal(check_alice(f, nonce, &f->from, NOW - 10), 438);
}

static void
test_auth_nonce_from_other_source_gets_438(void **state)
{
	struct fx *f = *state;
	struct cp_auth_peer other_port = f->from, other_ip = f->from;
	struct cp_auth_peer other_tp = f->from;
	char nonce[64];

	other_port.addr.port++;
	other_ip.addr.ip[3]++;
	other_tp.transport = STUN_TRANSPORT_TCP;
	get_nonce(f, &f->from, NOW, nonce);
	assert_int_equal(check_alice(f, nonce, &other_port, NOW), 438);
	assert_int_equal(f->res.reason, CP_AUTH_R_NONCE_FOREIGN);
	assert_int_equal(check_alice(f, nonce, &other_ip, NOW), 438);
	assert_int_equal(check_alice(f, nonce, &other_tp, NOW), 438);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 0);
}

static void
test_auth_nonce_from_previous_run_gets_438(void **state)
{
	struct fx *f = *state;
	struct cp_auth_conf conf = { .realm = REALM };
	struct cp_auth *other = cp_auth_init(&conf);
	char nonce[64];

	assert_non_null(other);
	assert_int_equal(cp_auth_nonce_make(other, &f->from, NOW, nonce),
			 CP_AUTH_NONCE_LEN);
	cp_auth_free(other);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 438);
}

static void
test_auth_438_carries_fresh_working_nonce(void **state)
{
	struct fx *f = *state;
	char nonce[64], fresh[64];
	int len;

	get_nonce(f, &f->from, NOW, nonce);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW + 700), 438);
	len = cp_auth_build_challenge(f->a, &f->req, &f->res, &f->from,
				      NOW + 700, f->out, sizeof(f->out));
	assert_int_equal(resp_code(f->out, len, &f->resp), 438);
	assert_non_null(stun_msg_find(&f->resp, STUN_ATTR_REALM));
	assert_non_null(stun_msg_find(&f->resp, STUN_ATTR_PASSWORD_ALGORITHMS));
	resp_nonce(&f->resp, fresh, sizeof(fresh));
	assert_string_not_equal(fresh, nonce);
	assert_int_equal(check_alice(f, fresh, &f->from, NOW + 700), 0);
}

static void
test_auth_checks_follow_rfc8489_order(void **state)
{
	struct fx *f = *state;
	struct cp_auth_conf conf = { .realm = REALM };
	struct cp_auth *other = cp_auth_init(&conf);
	uint8_t bad[16];
	char nonce[64], old[CP_AUTH_NONCE_LEN + 1];
	struct req_opts o = { .username = "alice", .realm = REALM,
			      .key = bad, .key_len = 16 };

	assert_non_null(other);
	/* §9.2.4: integrity is checked before the nonce's age, so a wrong
	 * key with a stale nonce hears 401, not 438. */
	memset(bad, 0x11, sizeof(bad));
	get_nonce(f, &f->from, NOW, nonce);
	o.nonce = nonce;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW + 601, NOW + 601,
				       &f->res), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	/* Unknown user before the nonce too. */
	o.username = "mallory";
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW + 601, NOW + 601,
				       &f->res), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);

	/* A modern client whose nonce came from a previous cp run (its
	 * feature bits cannot be trusted) still gets its SHA-256 key
	 * honoured, passes integrity and hears 438, which it retries;
	 * a 401 it would not retry (§9.2.5). */
	assert_int_equal(cp_auth_nonce_make(other, &f->from, NOW, old),
			 CP_AUTH_NONCE_LEN);
	o = (struct req_opts){ .username = "alice", .realm = REALM,
			       .nonce = old, .key = f->key_sha256,
			       .key_len = 32, .mi_sha256 = true,
			       .pwalg = STUN_PWALG_SHA256, .pwalgs = true };
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 438);
	assert_int_equal(f->res.reason, CP_AUTH_R_NONCE_FOREIGN);
	assert_int_equal(f->res.pwalg, STUN_PWALG_SHA256);
	cp_auth_free(other);
}

static void
test_auth_missing_attributes_get_400(void **state)
{
	struct fx *f = *state;
	char nonce[64];
	struct req_opts o;
	int len;

	get_nonce(f, &f->from, NOW, nonce);
	for (int which = 0; which < 3; which++) {
		o = (struct req_opts){ .username = "alice", .realm = REALM,
				       .nonce = nonce, .key = f->key_md5,
				       .key_len = 16 };
		if (which == 0)
			o.realm = NULL;
		else if (which == 1)
			o.nonce = NULL;
		else
			o.username = NULL;
		build_req(&o, f->buf, sizeof(f->buf), &f->req);
		assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW,
					       &f->res), 400);
		assert_int_equal(f->res.reason, CP_AUTH_R_MISSING_ATTR);
		len = cp_auth_build_challenge(f->a, &f->req, &f->res, &f->from,
					      NOW, f->out, sizeof(f->out));
		assert_int_equal(resp_code(f->out, len, &f->resp), 400);
		assert_null(stun_msg_find(&f->resp, STUN_ATTR_NONCE));
		assert_null(stun_msg_find(&f->resp, STUN_ATTR_REALM));
	}
	/* A verdict of success is not a challenge. */
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 0);
	assert_int_equal(cp_auth_build_challenge(f->a, &f->req, &f->res,
						 &f->from, NOW, f->out,
						 sizeof(f->out)), -EINVAL);
}

static void
test_auth_rest_vector(void **state)
{
	static const uint8_t want_key[16] = {
		0x18, 0x9b, 0xed, 0xa2, 0x3c, 0xf1, 0xb5, 0xc6,
		0x7d, 0xd1, 0x64, 0xd5, 0x80, 0xac, 0x15, 0xb0,
	};
	struct cp_auth_conf conf = { .realm = "north.gov" };
	struct cp_auth *a = cp_auth_init(&conf);
	struct cp_auth_peer from = peer4(198, 51, 100, 7, 5000);
	const char *user = "1266890800:mbzrxpgjys";
	char pw[29], nonce[CP_AUTH_NONCE_LEN + 1];
	uint8_t key[16], buf[1500];
	struct stun_msg m;
	struct cp_auth_result res;
	struct req_opts o = { .username = user, .realm = "north.gov",
			      .key = key, .key_len = 16 };
	(void)state;

	assert_non_null(a);
	assert_int_equal(cp_auth_rest_password("north", user, pw), 0);
	assert_string_equal(pw, "nbRcrnq5h6xXhyNhlwk+lDLvVVo=");
	assert_int_equal(cp_auth_rest_password("north", "12334939:mbzrxpgjys",
					       pw), 0);
	assert_string_equal(pw, "Iq7YXkRon8YXJfdN1Ke9EZOw1UE=");
	assert_int_equal(cp_auth_rest_password("secret", "1700000000:alice",
					       pw), 0);
	assert_string_equal(pw, "d8soP47RbdIKLDUOpnJPVQyq5Ts=");

	client_key(STUN_PWALG_MD5, user, "north.gov",
		   "nbRcrnq5h6xXhyNhlwk+lDLvVVo=", key);
	assert_memory_equal(key, want_key, 16);

	assert_int_equal(cp_auth_secret_add(a, "north"), 0);
	assert_int_equal(cp_auth_nonce_make(a, &from, 1266890000ull, nonce),
			 CP_AUTH_NONCE_LEN);
	o.nonce = nonce;
	build_req(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 1266890000ull, 1266890000ull, &res), 0);
	assert_int_equal(res.rest, 1);
	assert_int_equal(res.rest_expiry, 1266890800ull);
	assert_string_equal(res.username, user);
	assert_int_equal(res.key_len, 16);
	assert_memory_equal(res.key, want_key, 16);
	cp_auth_free(a);
}

/* Build a REST credential for secret, its password made with HMAC alg
 * (enum tp_rest_alg), and check it at now. */
static int
check_rest_alg(struct fx *f, unsigned int alg, const char *secret, const char *user,
	       uint64_t now)
{
	char pw[CP_AUTH_REST_PASSWORD_MAX], nonce[CP_AUTH_NONCE_LEN + 1];
	uint8_t key[16];
	struct req_opts o = { .username = user, .realm = REALM, .key = key,
			      .key_len = 16 };

	assert_int_equal(cp_auth_rest_password_alg(alg, secret, user, pw), 0);
	client_key(STUN_PWALG_MD5, user, REALM, pw, key);
	assert_int_equal(cp_auth_nonce_make(f->a, &f->from, now, nonce),
			 CP_AUTH_NONCE_LEN);
	o.nonce = nonce;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	return cp_auth_check(f->a, &f->req, &f->from, now, now, &f->res);
}

/* The same with the draft's HMAC-SHA1 password. */
static int
check_rest(struct fx *f, const char *secret, const char *user, uint64_t now)
{
	return check_rest_alg(f, TP_REST_SHA1, secret, user, now);
}

/* HMAC-SHA256 REST passwords: base64 of the 32-byte MAC, '=' padded, 44
 * characters, what Kamailio's auth_ephemeral (sha_algorithm 1) makes.
 * Vectors from outside (python3 hmac, and
 * printf %s USER | openssl dgst -sha256 -hmac SECRET -binary | base64),
 * the long-term keys from md5sum/sha256sum of "USER:north.gov:PASSWORD".
 * A sha256 secret takes them, with the MD5 and the SHA-256 key; its
 * SHA-1 password is refused as any wrong one (bad-integrity). */
static void
test_auth_rest_sha256_vectors(void **state)
{
	static const uint8_t want_md5[16] = {
		0x22, 0xeb, 0x8f, 0xbb, 0xcf, 0x25, 0x02, 0xf6,
		0xe7, 0x31, 0x63, 0xb4, 0xf8, 0x99, 0x3b, 0x61,
	};
	static const uint8_t want_sha256[32] = {
		0xc4, 0xda, 0x51, 0x11, 0xc4, 0xf8, 0xdd, 0x4f,
		0xea, 0xb9, 0xa2, 0x03, 0x11, 0x78, 0x0c, 0x23,
		0xd4, 0xdb, 0x4f, 0x6b, 0x26, 0x7f, 0xc1, 0x97,
		0x19, 0xdf, 0xef, 0x61, 0x05, 0xa8, 0x5c, 0x5f,
	};
	struct cp_auth_conf conf = { .realm = "north.gov" };
	struct cp_auth *a = cp_auth_init(&conf);
	struct cp_auth_peer from = peer4(198, 51, 100, 7, 5000);
	const char *user = "1266890800:mbzrxpgjys";
	char pw[CP_AUTH_REST_PASSWORD_MAX], nonce[CP_AUTH_NONCE_LEN + 1];
	uint8_t key[32], buf[1500];
	struct cp_auth_secret_info info[2];
	struct stun_msg m;
	struct cp_auth_result res;
	struct req_opts o = { .username = user, .realm = "north.gov",
			      .key = key, .key_len = 16 };
	(void)state;

	assert_non_null(a);
	assert_int_equal(cp_auth_rest_password_alg(TP_REST_SHA256, "north", user, pw), 0);
	assert_string_equal(pw, "Z1a74tq51xoXNbNIJRpA0zbFVz/Nuuc3u9FPTLhy/Mw=");
	assert_int_equal(cp_auth_rest_password_alg(TP_REST_SHA256, "north",
						   "12334939:mbzrxpgjys", pw), 0);
	assert_string_equal(pw, "wmL8U/ZcS9La1Mp7HbQm2HrhVYB80NuXUeL0I3sXzwE=");
	assert_int_equal(cp_auth_rest_password_alg(TP_REST_SHA256, "secret",
						   "1700000000:alice", pw), 0);
	assert_string_equal(pw, "vtJEGMjRwTvyD+vxsT7OBKnX6z/PPkD7wCuK8Cm7rdA=");
	/* the draft's, through the same rule */
	assert_int_equal(cp_auth_rest_password_alg(TP_REST_SHA1, "north", user, pw), 0);
	assert_string_equal(pw, "nbRcrnq5h6xXhyNhlwk+lDLvVVo=");
	assert_int_equal(cp_auth_rest_password_alg(2, "north", user, pw), -EINVAL);

	assert_int_equal(cp_auth_secret_add_in(a, 0, "north", 2), -EINVAL);
	assert_int_equal(cp_auth_secret_add_in(a, 0, "north", TP_REST_SHA256), 0);
	/* a secret is its value: not again under the other algorithm */
	assert_int_equal(cp_auth_secret_add_in(a, 0, "north", TP_REST_SHA1), -EEXIST);
	assert_int_equal(cp_auth_secret_alg_in(a, 0, "north"), TP_REST_SHA256);
	assert_int_equal(cp_auth_secret_alg_in(a, 0, "south"), -ENOENT);
	assert_int_equal(cp_auth_secret_list(a, info, 2), 1);
	assert_int_equal(info[0].alg, TP_REST_SHA256);

	/* MD5 key (no PASSWORD-ALGORITHM) */
	client_key(STUN_PWALG_MD5, user, "north.gov",
		   "Z1a74tq51xoXNbNIJRpA0zbFVz/Nuuc3u9FPTLhy/Mw=", key);
	assert_memory_equal(key, want_md5, 16);
	assert_int_equal(cp_auth_nonce_make(a, &from, 1266890000ull, nonce),
			 CP_AUTH_NONCE_LEN);
	o.nonce = nonce;
	build_req(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 1266890000ull, 1266890000ull, &res), 0);
	assert_int_equal(res.rest, 1);
	assert_int_equal(res.key_len, 16);
	assert_memory_equal(res.key, want_md5, 16);

	/* SHA-256 key (PASSWORD-ALGORITHM SHA-256, MESSAGE-INTEGRITY-SHA256) */
	client_key(STUN_PWALG_SHA256, user, "north.gov",
		   "Z1a74tq51xoXNbNIJRpA0zbFVz/Nuuc3u9FPTLhy/Mw=", key);
	assert_memory_equal(key, want_sha256, 32);
	o.key_len = 32;
	o.mi_sha256 = true;
	o.pwalg = STUN_PWALG_SHA256;
	o.pwalgs = true;
	build_req(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 1266890000ull, 1266890000ull, &res), 0);
	assert_int_equal(res.pwalg, STUN_PWALG_SHA256);
	assert_int_equal(res.key_len, 32);
	assert_memory_equal(res.key, want_sha256, 32);

	/* the SHA-1 password of the same name and secret: refused */
	client_key(STUN_PWALG_MD5, user, "north.gov", "nbRcrnq5h6xXhyNhlwk+lDLvVVo=", key);
	o.key_len = 16;
	o.mi_sha256 = false;
	o.pwalg = 0;
	o.pwalgs = false;
	build_req(&o, buf, sizeof(buf), &m);
	assert_int_equal(cp_auth_check(a, &m, &from, 1266890000ull, 1266890000ull, &res), 401);
	assert_int_equal(res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(res.key_len, 0);
	cp_auth_free(a);
}

/* Rotation across algorithms: a SHA-1 secret and a SHA-256 one live at
 * once, each takes the passwords of its own HMAC only, and either goes
 * without the other. */
static void
test_auth_rest_mixed_algorithms(void **state)
{
	struct fx *f = *state;
	struct cp_auth_secret_info info[4];
	const char *user = "1700086400:bob";

	assert_int_equal(cp_auth_secret_add_in(f->a, 0, "old-secret", TP_REST_SHA1), 0);
	assert_int_equal(cp_auth_secret_add_in(f->a, 0, "new-secret", TP_REST_SHA256), 0);
	assert_int_equal(cp_auth_secret_list(f->a, info, 4), 2);
	assert_int_equal(info[0].alg, TP_REST_SHA1);
	assert_int_equal(info[1].alg, TP_REST_SHA256);

	assert_int_equal(check_rest_alg(f, TP_REST_SHA1, "old-secret", user, NOW), 0);
	assert_int_equal(f->res.rest, 1);
	assert_int_equal(check_rest_alg(f, TP_REST_SHA256, "new-secret", user, NOW), 0);
	assert_int_equal(f->res.rest, 1);
	/* the wrong HMAC for either secret: refused, and counted as any
	 * wrong REST password is */
	assert_int_equal(check_rest_alg(f, TP_REST_SHA256, "old-secret", user, NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(f->res.rest, 0);
	assert_int_equal(check_rest_alg(f, TP_REST_SHA1, "new-secret", user, NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	/* an expired name is refused before any HMAC, whatever the secret */
	assert_int_equal(check_rest_alg(f, TP_REST_SHA256, "new-secret", "1699999999:bob",
					NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_REST_EXPIRED);

	/* the SHA-1 one retired by its tag: the SHA-256 one stays */
	assert_int_equal(cp_auth_secret_del(f->a, info[0].tag), 0);
	assert_int_equal(check_rest_alg(f, TP_REST_SHA1, "old-secret", user, NOW), 401);
	assert_int_equal(check_rest_alg(f, TP_REST_SHA256, "new-secret", user, NOW), 0);
	/* and the value back as SHA-256 is a SHA-256 secret */
	assert_int_equal(cp_auth_secret_add_in(f->a, 0, "old-secret", TP_REST_SHA256), 0);
	assert_int_equal(check_rest_alg(f, TP_REST_SHA256, "old-secret", user, NOW), 0);
	assert_int_equal(check_rest_alg(f, TP_REST_SHA1, "old-secret", user, NOW), 401);
}

static void
test_auth_rest_accepts_each_of_two_secrets(void **state)
{
	struct fx *f = *state;
	struct cp_auth_secret_info info[4];
	const char *user = "1700086400:bob";

	assert_int_equal(check_rest(f, "old-secret", user, NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
	assert_int_equal(cp_auth_secret_add(f->a, "old-secret"), 0);
	assert_int_equal(cp_auth_secret_add(f->a, "new-secret"), 0);
	assert_int_equal(cp_auth_secret_add(f->a, "new-secret"), -EEXIST);
	assert_int_equal(cp_auth_secret_list(f->a, info, 4), 2);
	assert_int_equal(strlen(info[0].tag), 16);
	assert_string_not_equal(info[0].tag, info[1].tag);

	assert_int_equal(check_rest(f, "old-secret", user, NOW), 0);
	assert_string_equal(f->res.username, user);
	assert_int_equal(check_rest(f, "new-secret", user, NOW), 0);
	assert_int_equal(check_rest(f, "other-secret", user, NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);

	/* Rotation done: the old one goes (by tag), its credentials fail. */
	assert_int_equal(cp_auth_secret_del(f->a, info[0].tag), 0);
	assert_int_equal(cp_auth_secret_list(f->a, NULL, 0), 1);
	assert_int_equal(check_rest(f, "old-secret", user, NOW), 401);
	assert_int_equal(check_rest(f, "new-secret", user, NOW), 0);
	assert_int_equal(cp_auth_secret_del(f->a, "new-secret"), 0);
	assert_int_equal(cp_auth_secret_del(f->a, "new-secret"), -ENOENT);
	assert_int_equal(check_rest(f, "new-secret", user, NOW), 401);
}

static void
test_auth_rest_expired_timestamp_gets_401(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cp_auth_secret_add(f->a, "s3cret"), 0);
	assert_int_equal(check_rest(f, "s3cret", "1700000000:bob", NOW), 0);
	assert_int_equal(check_rest(f, "s3cret", "1699999999:bob", NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_REST_EXPIRED);
	assert_int_equal(f->res.key_len, 0);
}

static void
test_auth_rest_username_forms(void **state)
{
	struct fx *f = *state;
	uint64_t ts = 0;

	assert_int_equal(cp_auth_rest_parse("1700000100:bob", 14, &ts), 0);
	assert_int_equal(ts, 1700000100ull);
	assert_int_equal(cp_auth_rest_parse("bob:1700000200", 14, &ts), 0);
	assert_int_equal(ts, 1700000200ull);
	assert_int_equal(cp_auth_rest_parse("a:b:1700000300", 14, &ts), 0);
	assert_int_equal(ts, 1700000300ull);
	assert_int_equal(cp_auth_rest_parse("1700000400", 10, &ts), 0);
	assert_int_equal(ts, 1700000400ull);
	assert_int_equal(cp_auth_rest_parse("bob", 3, &ts), -EINVAL);
	assert_int_equal(cp_auth_rest_parse("bob:", 4, &ts), -EINVAL);
	assert_int_equal(cp_auth_rest_parse("x:12y", 5, &ts), -EINVAL);
	assert_int_equal(cp_auth_rest_parse("99999999999999999999:a", 22, &ts),
			 -EINVAL);
	/* the user part by the same reading (cp/li's matcher); a static
	 * user's name is the user whole */
	{
		size_t off = 99, len = 99;

		assert_int_equal(cp_auth_rest_user(f->a, 0, "1700000100:bob", 14, &off, &len), 0);
		assert_true(off == 11 && len == 3);
		assert_int_equal(cp_auth_rest_user(f->a, 0, "a:b:1700000300", 14, &off, &len), 0);
		assert_true(off == 0 && len == 3);
		assert_int_equal(cp_auth_rest_user(f->a, 0, "1700000400", 10, &off, &len), 0);
		assert_int_equal(len, 0);
		assert_int_equal(cp_auth_rest_user(f->a, 0, "bob", 3, &off, &len), -ENOENT);
		assert_int_equal(cp_auth_user_add(f->a, "123:carol", "pw"), 0);
		assert_int_equal(cp_auth_rest_user(f->a, 0, "123:carol", 9, &off, &len), -ENOENT);
		assert_int_equal(cp_auth_rest_user(NULL, 0, "123:carol", 9, &off, &len), 0);
		assert_true(off == 4 && len == 5);
	}

	assert_int_equal(cp_auth_secret_add(f->a, "s3cret"), 0);
	assert_int_equal(check_rest(f, "s3cret", "bob:1700000200", NOW), 0);
	assert_int_equal(f->res.rest_expiry, 1700000200ull);
	assert_int_equal(check_rest(f, "s3cret", "1700000400", NOW), 0);
	assert_int_equal(check_rest(f, "s3cret", "bob:1600000000", NOW), 401);
	assert_int_equal(check_rest(f, "s3cret", "bob", NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
}

static void
test_auth_mi_sha256_with_sha256_key(void **state)
{
	struct fx *f = *state;
	struct stun_builder b;
	char nonce[64];
	int len;
	struct req_opts o = { .username = "alice", .realm = REALM,
			      .key = f->key_sha256, .key_len = 32,
			      .mi_sha256 = true, .pwalg = STUN_PWALG_SHA256,
			      .pwalgs = true };

	get_nonce(f, &f->from, NOW, nonce);
	o.nonce = nonce;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 0);
	assert_int_equal(f->res.pwalg, STUN_PWALG_SHA256);
	assert_int_equal(f->res.key_len, 32);
	assert_memory_equal(f->res.key, f->key_sha256, 32);
	assert_int_equal(f->res.mi_sha256, 1);

	stun_build_init(&b, f->out, sizeof(f->out),
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_SUCCESS),
			f->req.tid);
	assert_int_equal(cp_auth_sign(&b, &f->res), 0);
	stun_build_fingerprint(&b);
	len = stun_build_finish(&b);
	assert_int_equal(resp_code(f->out, len, &f->resp), 0);
	assert_int_equal(stun_check_integrity_sha256(&f->resp, f->key_sha256, 32),
			 STUN_CHECK_VALID);
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_MESSAGE_INTEGRITY));

	/* PASSWORD-ALGORITHM SHA-256 with the MD5 key: wrong key. */
	o.key = f->key_md5;
	o.key_len = 16;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 401);
	/* PASSWORD-ALGORITHM MD5 with MI-SHA256 over the MD5 key: fine. */
	o.pwalg = STUN_PWALG_MD5;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 0);
	assert_int_equal(f->res.pwalg, STUN_PWALG_MD5);
	assert_int_equal(f->res.mi_sha256, 1);
}

/* A user added by its keys (a store, coturn's hmackey): the keys given
 * are the ones checked; with an MD5 key only, PASSWORD-ALGORITHM SHA-256
 * gets 401, also for a request signed with an all-zero key (the SHA-256
 * slot such a user leaves empty must not be a key). */
static void
test_auth_user_by_keys_md5_only(void **state)
{
	struct fx *f = *state;
	uint8_t md5[16], sha[32], zero[32] = { 0 };
	char nonce[64];
	struct req_opts o = { .username = "alice", .realm = REALM,
			      .mi_sha256 = true, .pwalg = STUN_PWALG_SHA256,
			      .pwalgs = true };

	assert_int_equal(cp_auth_user_keys(f->a, "alice", "wonderland", md5, sha), 0);
	assert_memory_equal(md5, f->key_md5, 16);
	assert_memory_equal(sha, f->key_sha256, 32);
	assert_int_equal(cp_auth_user_del(f->a, "alice"), 0);
	assert_false(cp_auth_user_exists(f->a, "alice"));
	assert_int_equal(cp_auth_user_add_keys(f->a, "alice", md5, NULL), 0);
	assert_true(cp_auth_user_exists(f->a, "alice"));
	get_nonce(f, &f->from, NOW, nonce);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 0);
	o.nonce = nonce;
	o.key = f->key_sha256;
	o.key_len = 32;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	o.key = zero;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 401);
	/* with both keys given, SHA-256 works again */
	assert_int_equal(cp_auth_user_add_keys(f->a, "alice", md5, sha), 0);
	o.key = f->key_sha256;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 0);
}

/* A request as a client with credentials sends it: user, integrity of
 * the kind and key given (PASSWORD-ALGORITHM(S) SHA-256 with a 32-byte
 * key and MI-SHA256), or USERHASH of user. Returns the verdict's code;
 * *sha1 and *sha256 get the HMACs cp_auth_check() computed. */
static int
check_counting(struct fx *f, const char *user, bool userhash, const uint8_t *key,
	       size_t klen, unsigned int *sha1, unsigned int *sha256)
{
	char nonce[CP_AUTH_NONCE_LEN + 1];
	struct req_opts o = { .username = user, .userhash = userhash, .realm = REALM,
			      .nonce = nonce, .key = key, .key_len = klen };
	int rc;

	if (klen == 32) {
		o.mi_sha256 = true;
		o.pwalg = STUN_PWALG_SHA256;
		o.pwalgs = true;
	}
	assert_int_equal(cp_auth_nonce_make(f->a, &f->from, NOW, nonce), CP_AUTH_NONCE_LEN);
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	hmacs_sha1 = hmacs_sha256 = 0;
	hmac_key_len = 0;
	rc = cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res);
	*sha1 = hmacs_sha1;
	*sha256 = hmacs_sha256;
	return rc;
}

/* An unknown USERNAME or USERHASH costs the HMAC a known user's wrong
 * password costs: of the same kind (HMAC-SHA1 for MESSAGE-INTEGRITY,
 * HMAC-SHA256 for MESSAGE-INTEGRITY-SHA256), with a key of the same
 * length, once; the answer is the same 401. Before, an unknown name was
 * refused without one, and the time to the 401 told names apart. */
static void
test_auth_unknown_user_costs_the_integrity_check_of_a_known_one(void **state)
{
	struct fx *f = *state;
	uint8_t bad_md5[16], bad_sha[32];
	unsigned int s1, s256;

	client_key(STUN_PWALG_MD5, "alice", REALM, "wrong", bad_md5);
	client_key(STUN_PWALG_SHA256, "alice", REALM, "wrong", bad_sha);

	assert_int_equal(check_counting(f, "alice", false, bad_md5, 16, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(s1, 1);
	assert_int_equal(s256, 0);
	assert_int_equal(hmac_key_len, 16);
	assert_int_equal(check_counting(f, "mallory", false, bad_md5, 16, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
	assert_int_equal(s1, 1);
	assert_int_equal(s256, 0);
	assert_int_equal(hmac_key_len, 16);
	assert_int_equal(f->res.key_len, 0);

	assert_int_equal(check_counting(f, "alice", false, bad_sha, 32, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(s1, 0);
	assert_int_equal(s256, 1);
	assert_int_equal(hmac_key_len, 32);
	assert_int_equal(check_counting(f, "mallory", false, bad_sha, 32, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
	assert_int_equal(s1, 0);
	assert_int_equal(s256, 1);
	assert_int_equal(hmac_key_len, 32);

	/* USERHASH (RFC 8489 §14.4) */
	assert_int_equal(check_counting(f, "alice", true, bad_md5, 16, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(s1, 1);
	assert_int_equal(check_counting(f, "mallory", true, bad_md5, 16, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
	assert_int_equal(s1, 1);

	/* and a known user with the right key still passes, once checked */
	assert_int_equal(check_counting(f, "alice", false, f->key_md5, 16, &s1, &s256), 0);
	assert_int_equal(s1, 1);
}

/* A user with an MD5 key only (coturn's hmackey) asked for SHA-256 has no
 * key to check with: the check runs all the same, as for another user. */
static void
test_auth_md5_only_user_asked_for_sha256_costs_the_check(void **state)
{
	struct fx *f = *state;
	unsigned int s1, s256;

	assert_int_equal(cp_auth_user_add_keys(f->a, "alice", f->key_md5, NULL), 0);
	assert_int_equal(check_counting(f, "alice", false, f->key_sha256, 32, &s1, &s256),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(s256, 1);
	assert_int_equal(hmac_key_len, 32);
	assert_int_equal(f->res.key_len, 0);
}

/* With TURN REST secrets: a name that is no REST one, or an expired REST
 * one, costs one check like a static user's; a name REST could take
 * costs the static check and one per secret, whether it is a static
 * user's (a numeric name reads as a bare timestamp) or not. */
static void
test_auth_rest_names_cost_the_same_known_or_not(void **state)
{
	struct fx *f = *state;
	uint8_t key[16], bad[16];
	unsigned int s1, s256;

	assert_int_equal(cp_auth_secret_add(f->a, "s1"), 0);
	assert_int_equal(cp_auth_secret_add(f->a, "s2"), 0);
	assert_int_equal(cp_auth_user_add(f->a, "4915112345678", "pw"), 0);
	assert_int_equal(cp_auth_user_add(f->a, "1600000000:carol", "pw"), 0);
	client_key(STUN_PWALG_MD5, "x", REALM, "wrong", bad);

	assert_int_equal(check_counting(f, "mallory", false, bad, 16, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
	assert_int_equal(s1, 1);
	/* expired: a static user of such a name, and no one's */
	assert_int_equal(check_counting(f, "1600000000:carol", false, bad, 16, &s1, &s256),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(s1, 1);
	assert_int_equal(check_counting(f, "1600000000:dave", false, bad, 16, &s1, &s256),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_REST_EXPIRED);
	assert_int_equal(s1, 1);
	/* a name REST could take: a static user's, and no one's */
	assert_int_equal(check_counting(f, "4915112345678", false, bad, 16, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(s1, 3);
	assert_int_equal(check_counting(f, "4915112345679", false, bad, 16, &s1, &s256), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	assert_int_equal(s1, 3);
	assert_int_equal(check_counting(f, "1800000000:bob", false, bad, 16, &s1, &s256), 401);
	assert_int_equal(s1, 3);
	/* the static user's key still decides for its name */
	client_key(STUN_PWALG_MD5, "4915112345678", REALM, "pw", key);
	assert_int_equal(check_counting(f, "4915112345678", false, key, 16, &s1, &s256), 0);
	assert_int_equal(f->res.rest, 0);
	assert_memory_equal(f->res.key, key, 16);
}

static void
test_auth_password_algorithms_mismatch_gets_400(void **state)
{
	struct fx *f = *state;
	static const uint16_t reordered[] = { STUN_PWALG_MD5, STUN_PWALG_SHA256 };
	static const uint16_t md5_only[] = { STUN_PWALG_MD5 };
	char nonce[64];
	struct req_opts o = { .username = "alice", .realm = REALM,
			      .key = f->key_sha256, .key_len = 32,
			      .mi_sha256 = true, .pwalg = STUN_PWALG_SHA256 };

	get_nonce(f, &f->from, NOW, nonce);
	o.nonce = nonce;
	/* PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS. */
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 400);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_PWALG);
	/* PASSWORD-ALGORITHMS not as sent (order, bid-down to MD5 only). */
	o.pwalgs = true;
	o.pwalgs_list = reordered;
	o.pwalgs_n = 2;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 400);
	o.pwalgs_list = md5_only;
	o.pwalgs_n = 1;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 400);
	/* PASSWORD-ALGORITHM not among them. */
	o.pwalgs_list = NULL;
	o.pwalg = 3;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 400);
	/* Consistent: accepted. */
	o.pwalg = STUN_PWALG_SHA256;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 0);
}

static void
test_auth_both_integrities_checks_sha256(void **state)
{
	struct fx *f = *state;
	uint8_t bad[32];
	char nonce[64];
	struct req_opts o = { .username = "alice", .realm = REALM,
			      .key = f->key_md5, .key_len = 16,
			      .both_mi = true, .key2 = bad, .key2_len = 16 };

	memset(bad, 0x55, sizeof(bad));
	get_nonce(f, &f->from, NOW, nonce);
	o.nonce = nonce;
	/* Valid MESSAGE-INTEGRITY, wrong MESSAGE-INTEGRITY-SHA256: 401. */
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
	/* Wrong MESSAGE-INTEGRITY, valid MESSAGE-INTEGRITY-SHA256: ok. */
	o.key = bad;
	o.key2 = f->key_md5;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 0);
	assert_int_equal(f->res.mi_sha256, 1);
}

static void
test_auth_userhash_finds_static_user(void **state)
{
	struct fx *f = *state;
	char nonce[64];
	struct req_opts o = { .username = "alice", .userhash = true,
			      .realm = REALM, .key = f->key_sha256,
			      .key_len = 32, .mi_sha256 = true,
			      .pwalg = STUN_PWALG_SHA256, .pwalgs = true };

	get_nonce(f, &f->from, NOW, nonce);
	o.nonce = nonce;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_null(stun_msg_find(&f->req, STUN_ATTR_USERNAME));
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 0);
	assert_string_equal(f->res.username, "alice");
	assert_int_equal(f->res.username_len, 5);

	o.username = "mallory";
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
}

static void
test_auth_user_del_then_401(void **state)
{
	struct fx *f = *state;
	char nonce[64];

	get_nonce(f, &f->from, NOW, nonce);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 0);
	assert_int_equal(cp_auth_user_del(f->a, "alice"), 0);
	assert_int_equal(cp_auth_user_count(f->a), 0);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_UNKNOWN_USER);
	assert_int_equal(cp_auth_user_del(f->a, "alice"), -ENOENT);
	/* Added back, it works again. */
	assert_int_equal(cp_auth_user_add(f->a, "alice", "wonderland"), 0);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 0);
}

static void
test_auth_user_table_add_replace_list_full(void **state)
{
	struct cp_auth_conf conf = { .realm = REALM, .max_users = 3 };
	struct cp_auth *a = cp_auth_init(&conf);
	char longname[CP_AUTH_NAME_MAX + 2];
	uint32_t cursor = 0, seen = 0;
	const char *name;
	(void)state;

	assert_non_null(a);
	assert_int_equal(cp_auth_user_add(a, "u1", "p1"), 0);
	assert_int_equal(cp_auth_user_add(a, "u2", "p2"), 0);
	assert_int_equal(cp_auth_user_add(a, "u3", "p3"), 0);
	assert_int_equal(cp_auth_user_add(a, "u4", "p4"), -ENOSPC);
	assert_int_equal(cp_auth_user_add(a, "u2", "new"), 0);   /* replace */
	assert_int_equal(cp_auth_user_count(a), 3);
	assert_int_equal(cp_auth_user_add(a, "", "p"), -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(cp_auth_user_add(a, longname, "p"), -EINVAL);
	/* SASLprep prohibits control characters in the password. */
	assert_int_equal(cp_auth_user_add(a, "u5", "a\x07z"), -EINVAL);
	while ((name = cp_auth_user_next(a, &cursor)) != NULL) {
		assert_true(strcmp(name, "u1") == 0 || strcmp(name, "u2") == 0 ||
			    strcmp(name, "u3") == 0);
		seen++;
	}
	assert_int_equal(seen, 3);
	assert_int_equal(cp_auth_user_del(a, "u1"), 0);
	assert_int_equal(cp_auth_user_add(a, "u4", "p4"), 0);
	cp_auth_free(a);
}

/*
 * One limit for a username across turnpike (RFC 8489 §14.3: fewer than 509
 * bytes): the user store takes names up to TP_USERNAME_MAX and refuses a
 * longer one, and a user with the longest name authenticates, its name
 * whole in the verdict.
 */
static void
test_auth_user_name_limit_is_tp_username_max(void **state)
{
	struct fx *f = *state;
	static char name[TP_USERNAME_MAX + 2];
	uint8_t key[16];
	char nonce[64];
	struct req_opts o = { 0 };

	assert_int_equal(CP_AUTH_NAME_MAX, TP_USERNAME_MAX);
	memset(name, 'n', TP_USERNAME_MAX + 1);
	name[TP_USERNAME_MAX + 1] = '\0';
	assert_int_equal(cp_auth_user_add(f->a, name, "pw"), -EINVAL);
	assert_int_equal(cp_auth_user_del(f->a, name), -ENOENT);
	name[TP_USERNAME_MAX] = '\0';
	assert_int_equal(cp_auth_user_add(f->a, name, "pw"), 0);

	get_nonce(f, &f->from, NOW, nonce);
	client_key(STUN_PWALG_MD5, name, REALM, "pw", key);
	o.username = name;
	o.realm = REALM;
	o.nonce = nonce;
	o.key = key;
	o.key_len = 16;
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res), 0);
	assert_int_equal(f->res.username_len, TP_USERNAME_MAX);
	assert_memory_equal(f->res.username, name, TP_USERNAME_MAX + 1);
	assert_int_equal(cp_auth_user_del(f->a, name), 0);
}

static void
test_auth_replaced_password_takes_effect(void **state)
{
	struct fx *f = *state;
	char nonce[64];

	get_nonce(f, &f->from, NOW, nonce);
	assert_int_equal(cp_auth_user_add(f->a, "alice", "looking-glass"), 0);
	assert_int_equal(check_alice(f, nonce, &f->from, NOW), 401);
	assert_int_equal(f->res.reason, CP_AUTH_R_BAD_INTEGRITY);
}

static void
test_auth_rate_limiter_with_fake_clock(void **state)
{
	/* Many buckets so that the sources below collide with odds ~1e-6. */
	struct cp_auth_conf conf = { .realm = REALM, .rl_rate = 10,
				     .rl_burst = 20, .rl_buckets = 1u << 20 };
	struct cp_auth *a = cp_auth_init(&conf);
	struct cp_auth_peer p = peer4(203, 0, 113, 5, 1000);
	struct cp_auth_peer p_port = peer4(203, 0, 113, 5, 2000);
	struct cp_auth_peer q = peer4(203, 0, 113, 6, 1000);
	struct cp_auth_peer v6a = peer6(1, 0, 1), v6b = peer6(2, 0, 2);
	uint64_t t = 5000;
	int n = 0;
	(void)state;

	assert_non_null(a);
	/* The burst, then silence. The port does not buy a new bucket. */
	for (int i = 0; i < 30; i++)
		n += cp_auth_challenge_allowed(a, i & 1 ? &p : &p_port, t);
	assert_int_equal(n, 20);
	/* 10/s: one token every 100 ms. */
	assert_false(cp_auth_challenge_allowed(a, &p, t + 99));
	assert_true(cp_auth_challenge_allowed(a, &p, t + 100));
	assert_false(cp_auth_challenge_allowed(a, &p, t + 100));
	/* A clock going backwards refills nothing. */
	assert_false(cp_auth_challenge_allowed(a, &p, t));
	/* After a long pause the bucket is full again, not fuller. */
	n = 0;
	for (int i = 0; i < 30; i++)
		n += cp_auth_challenge_allowed(a, &p, t + 3600000);
	assert_int_equal(n, 20);
	/* Another source has its own budget. */
	assert_true(cp_auth_challenge_allowed(a, &q, t));
	/* IPv6 sources share the budget of their /64. */
	n = 0;
	for (int i = 0; i < 30; i++)
		n += cp_auth_challenge_allowed(a, i & 1 ? &v6a : &v6b, t);
	assert_int_equal(n, 20);
	cp_auth_free(a);
}

static bool
all_base64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			   "0123456789+/", s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

static void
nonce_prefix(const struct cp_auth_conf *conf, const char *want)
{
	struct cp_auth *a = cp_auth_init(conf);
	struct cp_auth_peer p = peer4(192, 0, 2, 1, 1);
	char n1[CP_AUTH_NONCE_LEN + 1], n2[CP_AUTH_NONCE_LEN + 1];
	uint32_t feat = 99;

	assert_non_null(a);
	assert_int_equal(cp_auth_nonce_make(a, &p, NOW, n1), CP_AUTH_NONCE_LEN);
	assert_int_equal(strlen(n1), CP_AUTH_NONCE_LEN);
	assert_memory_equal(n1, want, 13);
	assert_true(all_base64(n1 + 9, CP_AUTH_NONCE_LEN - 9));
	assert_int_equal(cp_auth_nonce_check(a, (const uint8_t *)n1,
					     CP_AUTH_NONCE_LEN, &p, NOW, &feat),
			 CP_AUTH_NONCE_VALID);
	assert_int_equal(feat, cp_auth_features(a));
	/* Same source, same second: still a new nonce (random salt). */
	assert_int_equal(cp_auth_nonce_make(a, &p, NOW, n2), CP_AUTH_NONCE_LEN);
	assert_string_not_equal(n1, n2);
	cp_auth_free(a);
}

static void
test_auth_nonce_format(void **state)
{
	struct cp_auth_conf conf = { .realm = REALM };
	(void)state;

	/* Erratum EID 6290: Password algorithms = bit 0 = 0x000001. */
	nonce_prefix(&conf, "obMatJos2AAAB");
	conf.userhash = true;                      /* | 0x000002 */
	nonce_prefix(&conf, "obMatJos2AAAD");
	conf.no_pwalgs = true;
	nonce_prefix(&conf, "obMatJos2AAAC");      /* as RFC 8489 B.1 */
	conf.userhash = false;
	nonce_prefix(&conf, "obMatJos2AAAA");
}

static void
test_auth_no_pwalgs_feature_omits_attribute(void **state)
{
	struct cp_auth_conf conf = { .realm = REALM, .no_pwalgs = true };
	struct fx *f;
	int len;
	struct req_opts o = { 0 };

	assert_int_equal(setup_conf((void **)&f, &conf), 0);
	build_req(&o, f->buf, sizeof(f->buf), &f->req);
	assert_int_equal(cp_auth_check(f->a, &f->req, &f->from, NOW, NOW, &f->res),
			 401);
	len = cp_auth_build_challenge(f->a, &f->req, &f->res, &f->from, NOW,
				      f->out, sizeof(f->out));
	assert_int_equal(resp_code(f->out, len, &f->resp), 401);
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_PASSWORD_ALGORITHMS));
	assert_null(stun_msg_find(&f->resp, STUN_ATTR_SOFTWARE));
	(void)state;
	teardown((void **)&f);
}

static void
test_auth_init_rejects_bad_conf(void **state)
{
	struct cp_auth_conf conf = { .realm = NULL };
	(void)state;

	errno = 0;
	assert_null(cp_auth_init(&conf));
	assert_int_equal(errno, EINVAL);
	conf.realm = "";
	assert_null(cp_auth_init(&conf));
	conf.realm = REALM;
	conf.nonce_lifetime_s = 3601;   /* RFC 8656 §5: at least hourly */
	assert_null(cp_auth_init(&conf));
	assert_int_equal(errno, EINVAL);
	assert_null(cp_auth_init(NULL));
	cp_auth_free(NULL);
	assert_string_equal(cp_auth_reason_name(CP_AUTH_R_NONCE_EXPIRED),
			    "nonce-expired");
}

/* ---- tenants ------------------------------------------------------------ */

#define REALM_A "a.example.net"
#define REALM_B "b.example.net"

static struct cp_auth *
tenants_init(void)
{
	static const char *const realms[] = { REALM_A, REALM_B };
	struct cp_auth_conf conf = { .realm = REALM, .software = SOFTWARE,
				     .ntenants = 2, .tenant_realms = realms };
	struct cp_auth *a = cp_auth_init(&conf);

	assert_non_null(a);
	return a;
}

/* A request from from (its tenant set) with name/password under realm,
 * the nonce given (or one made at from), MD5 key; returns the verdict. */
static int
tenant_check(struct cp_auth *a, const struct cp_auth_peer *from, const char *name,
	     const char *realm, const char *password, const char *nonce,
	     struct cp_auth_result *res)
{
	char n[CP_AUTH_NONCE_LEN + 1];
	uint8_t key[16], buf[1500];
	struct stun_msg m;
	struct req_opts o = { .username = name, .realm = realm, .key = key,
			      .key_len = 16 };

	if (nonce == NULL) {
		assert_int_equal(cp_auth_nonce_make(a, from, 1000, n), CP_AUTH_NONCE_LEN);
		nonce = n;
	}
	o.nonce = nonce;
	client_key(STUN_PWALG_MD5, name, realm, password, key);
	build_req(&o, buf, sizeof(buf), &m);
	return cp_auth_check(a, &m, from, 1000, 1000, res);
}

/* The REALM of the challenge a answers res with at from. */
static void
challenge_realm(struct cp_auth *a, const struct cp_auth_peer *from,
		const struct cp_auth_result *res, char *realm, size_t cap, char *nonce)
{
	struct req_opts o = { 0 };
	uint8_t buf[1500], out[1500];
	struct stun_msg req, resp;
	const struct stun_attr *r;
	int len;

	build_req(&o, buf, sizeof(buf), &req);
	len = cp_auth_build_challenge(a, &req, res, from, 1000, out, sizeof(out));
	assert_int_equal(resp_code(out, len, &resp), res->code);
	r = stun_msg_find(&resp, STUN_ATTR_REALM);
	assert_non_null(r);
	assert_true(r->len < cap);
	memcpy(realm, r->value, r->len);
	realm[r->len] = '\0';
	if (nonce != NULL)
		resp_nonce(&resp, nonce, CP_AUTH_NONCE_LEN + 1);
}

/* Each tenant's 401 carries its realm and a nonce of its own key: good at
 * its address, foreign at another tenant's or the default's; dp, given
 * the key cp publishes, derives the same tenant key (nonce_tenant_key). */
static void
test_auth_tenant_realm_and_nonces(void **state)
{
	struct cp_auth *a = tenants_init();
	struct cp_auth_peer f0 = peer4(192, 0, 2, 10, 40000), f1 = f0, f2 = f0;
	struct cp_auth_result res = { .code = 401, .reason = CP_AUTH_R_NO_INTEGRITY };
	char realm[200], nonce[CP_AUTH_NONCE_LEN + 1];
	struct ipc_nonce ex;
	struct nonce_ctx nc;
	uint8_t k1[NONCE_KEY_LEN];
	uint32_t feat;

	(void)state;
	f1.tenant = 1;
	f2.tenant = 2;
	assert_int_equal(cp_auth_tenants(a), 2);
	assert_string_equal(cp_auth_realm_of(a, 0), REALM);
	assert_string_equal(cp_auth_realm_of(a, 2), REALM_B);
	assert_null(cp_auth_realm_of(a, 3));
	challenge_realm(a, &f0, &res, realm, sizeof(realm), NULL);
	assert_string_equal(realm, REALM);
	challenge_realm(a, &f2, &res, realm, sizeof(realm), NULL);
	assert_string_equal(realm, REALM_B);
	challenge_realm(a, &f1, &res, realm, sizeof(realm), nonce);
	assert_string_equal(realm, REALM_A);
	assert_int_equal(cp_auth_nonce_check(a, (const uint8_t *)nonce, strlen(nonce), &f1,
					     1000, &feat), CP_AUTH_NONCE_VALID);
	assert_int_equal(cp_auth_nonce_check(a, (const uint8_t *)nonce, strlen(nonce), &f2,
					     1000, &feat), CP_AUTH_NONCE_FOREIGN);
	assert_int_equal(cp_auth_nonce_check(a, (const uint8_t *)nonce, strlen(nonce), &f0,
					     1000, &feat), CP_AUTH_NONCE_FOREIGN);
	/* what dp does with the published block */
	cp_auth_nonce_export(a, &ex);
	assert_int_equal(ex.ntenants, 2);
	assert_int_equal(ex.tenant[0].len, strlen(REALM_A));
	assert_memory_equal(ex.tenant[1].realm, REALM_B, strlen(REALM_B));
	assert_int_equal(nonce_tenant_key(ex.key, 1, k1), 0);
	assert_int_equal(nonce_ctx_init(&nc), 0);
	assert_int_equal(nonce_ctx_set(&nc, k1, ex.features, ex.lifetime_s, REALM_A,
				       strlen(REALM_A), NULL, 0), 0);
	assert_int_equal(nonce_check(&nc, (const uint8_t *)nonce, strlen(nonce), &f1.addr,
				     f1.transport, 1000, &feat, NULL), NONCE_VALID);
	nonce_ctx_fini(&nc);
	cp_auth_free(a);
}

/* A user is (tenant, name): the same name and password in two tenants are
 * two users with keys of their own realm; one tenant's credentials fail
 * at another's address (wrong realm: 401 with that tenant's realm), a
 * user of one tenant is unknown at another's even when its realm is sent. */
static void
test_auth_tenant_same_name_two_tenants(void **state)
{
	struct cp_auth *a = tenants_init();
	struct cp_auth_peer f0 = peer4(192, 0, 2, 10, 40000), f1 = f0, f2 = f0;
	struct cp_auth_result res;
	char realm[200];
	uint8_t md5[16], sha[32], want[16];
	uint32_t cur = 0;

	(void)state;
	f1.tenant = 1;
	f2.tenant = 2;
	assert_int_equal(cp_auth_user_add_in(a, 1, "bob", "pw"), 0);
	assert_int_equal(cp_auth_user_add_in(a, 2, "bob", "pw"), 0);
	assert_int_equal(cp_auth_user_add_in(a, 1, "carol", "cpw"), 0);
	assert_int_equal(cp_auth_user_add_in(a, 3, "x", "y"), -EINVAL);
	assert_int_equal(cp_auth_user_count(a), 3);
	assert_false(cp_auth_user_exists(a, "bob"));
	assert_true(cp_auth_user_exists_in(a, 2, "bob"));
	assert_null(cp_auth_user_next(a, &cur));
	cur = 0;
	assert_string_equal(cp_auth_user_next_in(a, 2, &cur), "bob");
	assert_null(cp_auth_user_next_in(a, 2, &cur));
	/* the key is MD5(user:tenant-realm:password) */
	assert_int_equal(cp_auth_user_keys_in(a, 1, "bob", "pw", md5, sha), 0);
	client_key(STUN_PWALG_MD5, "bob", REALM_A, "pw", want);
	assert_memory_equal(md5, want, 16);

	assert_int_equal(tenant_check(a, &f1, "bob", REALM_A, "pw", NULL, &res), 0);
	assert_int_equal(res.tenant, 1);
	assert_int_equal(tenant_check(a, &f2, "bob", REALM_B, "pw", NULL, &res), 0);
	assert_int_equal(res.tenant, 2);
	/* tenant A's credentials at tenant B's address */
	assert_int_equal(tenant_check(a, &f2, "bob", REALM_A, "pw", NULL, &res), 401);
	assert_int_equal(res.reason, CP_AUTH_R_WRONG_REALM);
	challenge_realm(a, &f2, &res, realm, sizeof(realm), NULL);
	assert_string_equal(realm, REALM_B);
	/* ... and at the default tenant's */
	assert_int_equal(tenant_check(a, &f0, "bob", REALM_A, "pw", NULL, &res), 401);
	assert_int_equal(res.reason, CP_AUTH_R_WRONG_REALM);
	/* carol is tenant A's only: unknown at B even with B's realm */
	assert_int_equal(tenant_check(a, &f1, "carol", REALM_A, "cpw", NULL, &res), 0);
	assert_int_equal(tenant_check(a, &f2, "carol", REALM_B, "cpw", NULL, &res), 401);
	assert_int_equal(res.reason, CP_AUTH_R_UNKNOWN_USER);
	/* a password change in one tenant leaves the other's as it was */
	assert_int_equal(cp_auth_user_add_in(a, 1, "bob", "new"), 0);
	assert_int_equal(tenant_check(a, &f1, "bob", REALM_A, "pw", NULL, &res), 401);
	assert_int_equal(tenant_check(a, &f2, "bob", REALM_B, "pw", NULL, &res), 0);
	/* deleting one tenant's bob leaves the other's */
	assert_int_equal(cp_auth_user_del(a, "bob"), -ENOENT);
	assert_int_equal(cp_auth_user_del_in(a, 1, "bob"), 0);
	assert_int_equal(tenant_check(a, &f1, "bob", REALM_A, "new", NULL, &res), 401);
	assert_int_equal(res.reason, CP_AUTH_R_UNKNOWN_USER);
	assert_int_equal(tenant_check(a, &f2, "bob", REALM_B, "pw", NULL, &res), 0);
	cp_auth_free(a);
}

/* REST credentials are checked against the tenant's secrets only. */
static void
test_auth_tenant_rest_secrets(void **state)
{
	struct cp_auth *a = tenants_init();
	struct cp_auth_peer f0 = peer4(192, 0, 2, 10, 40000), f1 = f0, f2 = f0;
	struct cp_auth_result res;
	struct cp_auth_secret_info info[4];
	const char *user = "5000:dave";
	char pw[29], v[CP_AUTH_SECRET_MAX + 1];

	(void)state;
	f1.tenant = 1;
	f2.tenant = 2;
	assert_int_equal(cp_auth_secret_add_in(a, 1, "sa", TP_REST_SHA1), 0);
	assert_int_equal(cp_auth_secret_add_in(a, 1, "sa", TP_REST_SHA1), -EEXIST);
	assert_int_equal(cp_auth_secret_add_in(a, 2, "sb", TP_REST_SHA1), 0);
	assert_int_equal(cp_auth_secret_list(a, NULL, 0), 0);
	assert_int_equal(cp_auth_secret_list_in(a, 1, info, 4), 1);
	assert_int_equal(cp_auth_secret_lookup(a, "sa", v), -ENOENT);
	assert_int_equal(cp_auth_secret_lookup_in(a, 1, info[0].tag, v), 0);
	assert_string_equal(v, "sa");
	assert_int_equal(cp_auth_rest_password("sa", user, pw), 0);
	assert_int_equal(tenant_check(a, &f1, user, REALM_A, pw, NULL, &res), 0);
	assert_int_equal(res.rest, 1);
	/* tenant A's secret signs nothing at B's or the default's address */
	assert_int_equal(tenant_check(a, &f2, user, REALM_B, pw, NULL, &res), 401);
	assert_int_equal(tenant_check(a, &f0, user, REALM, pw, NULL, &res), 401);
	assert_int_equal(cp_auth_rest_password("sb", user, pw), 0);
	assert_int_equal(tenant_check(a, &f2, user, REALM_B, pw, NULL, &res), 0);
	assert_int_equal(tenant_check(a, &f1, user, REALM_A, pw, NULL, &res), 401);
	assert_int_equal(cp_auth_secret_del(a, "sb"), -ENOENT);
	assert_int_equal(cp_auth_secret_del_in(a, 2, "sb"), 0);
	assert_int_equal(tenant_check(a, &f2, user, REALM_B, pw, NULL, &res), 401);
	cp_auth_free(a);
}

/* A nonce of another tenant's is not ours: with good credentials, 438
 * and a fresh nonce of this tenant's, which then works. */
static void
test_auth_tenant_nonce_of_another_tenant_gets_438(void **state)
{
	struct cp_auth *a = tenants_init();
	struct cp_auth_peer f1 = peer4(192, 0, 2, 10, 40000), f2 = f1;
	struct cp_auth_result res;
	char n1[CP_AUTH_NONCE_LEN + 1], fresh[CP_AUTH_NONCE_LEN + 1], realm[200];

	(void)state;
	f1.tenant = 1;
	f2.tenant = 2;
	assert_int_equal(cp_auth_user_add_in(a, 2, "bob", "pw"), 0);
	assert_int_equal(cp_auth_nonce_make(a, &f1, 1000, n1), CP_AUTH_NONCE_LEN);
	assert_int_equal(tenant_check(a, &f2, "bob", REALM_B, "pw", n1, &res), 438);
	assert_int_equal(res.reason, CP_AUTH_R_NONCE_FOREIGN);
	challenge_realm(a, &f2, &res, realm, sizeof(realm), fresh);
	assert_string_equal(realm, REALM_B);
	assert_int_equal(tenant_check(a, &f2, "bob", REALM_B, "pw", fresh, &res), 0);
	cp_auth_free(a);
}

/* A cp taking the previous one's key takes its tenants' nonces too, when
 * the same index is the same tenant; not when the tenants differ. */
static void
test_auth_tenant_nonce_adopt(void **state)
{
	static const char *const other[] = { REALM_B, REALM_A };
	struct cp_auth *a = tenants_init(), *b = tenants_init(), *c;
	struct cp_auth_conf conf = { .realm = REALM, .software = SOFTWARE,
				     .ntenants = 2, .tenant_realms = other };
	struct cp_auth_peer f1 = peer4(192, 0, 2, 10, 40000);
	char n1[CP_AUTH_NONCE_LEN + 1];
	struct ipc_nonce ex;
	uint32_t feat;

	(void)state;
	f1.tenant = 1;
	assert_int_equal(cp_auth_nonce_make(a, &f1, 1000, n1), CP_AUTH_NONCE_LEN);
	assert_int_equal(cp_auth_nonce_check(b, (const uint8_t *)n1, strlen(n1), &f1, 1000,
					     &feat), CP_AUTH_NONCE_FOREIGN);
	cp_auth_nonce_export(a, &ex);
	assert_int_equal(cp_auth_nonce_adopt(b, &ex), 0);
	assert_int_equal(cp_auth_nonce_check(b, (const uint8_t *)n1, strlen(n1), &f1, 1000,
					     &feat), CP_AUTH_NONCE_VALID);
	c = cp_auth_init(&conf);
	assert_non_null(c);
	assert_int_equal(cp_auth_nonce_adopt(c, &ex), -EINVAL);
	cp_auth_free(c);
	cp_auth_free(b);
	cp_auth_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_auth_unauthenticated_gets_401_with_nonce, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_auth_round_trip_succeeds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_wrong_password_gets_401,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_wrong_realm_gets_401,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_tampered_nonce_gets_438,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_expired_nonce_gets_438,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_nonce_from_other_source_gets_438, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_nonce_from_previous_run_gets_438, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_438_carries_fresh_working_nonce, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_checks_follow_rfc8489_order, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_missing_attributes_get_400, setup, teardown),
		cmocka_unit_test(test_auth_rest_vector),
		cmocka_unit_test(test_auth_rest_sha256_vectors),
		cmocka_unit_test_setup_teardown(test_auth_rest_mixed_algorithms, setup, teardown),
		cmocka_unit_test(test_auth_tenant_realm_and_nonces),
		cmocka_unit_test(test_auth_tenant_same_name_two_tenants),
		cmocka_unit_test(test_auth_tenant_rest_secrets),
		cmocka_unit_test(test_auth_tenant_nonce_of_another_tenant_gets_438),
		cmocka_unit_test(test_auth_tenant_nonce_adopt),
		cmocka_unit_test_setup_teardown(
			test_auth_rest_accepts_each_of_two_secrets, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_rest_expired_timestamp_gets_401, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_auth_rest_username_forms,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_mi_sha256_with_sha256_key, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_user_by_keys_md5_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_unknown_user_costs_the_integrity_check_of_a_known_one,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_md5_only_user_asked_for_sha256_costs_the_check, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_rest_names_cost_the_same_known_or_not, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_password_algorithms_mismatch_gets_400, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_both_integrities_checks_sha256, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_userhash_finds_static_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_user_del_then_401,
						setup, teardown),
		cmocka_unit_test(test_auth_user_table_add_replace_list_full),
		cmocka_unit_test_setup_teardown(test_auth_user_name_limit_is_tp_username_max,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_auth_replaced_password_takes_effect, setup,
			teardown),
		cmocka_unit_test(test_auth_rate_limiter_with_fake_clock),
		cmocka_unit_test(test_auth_nonce_format),
		cmocka_unit_test(test_auth_no_pwalgs_feature_omits_attribute),
		cmocka_unit_test(test_auth_init_rejects_bad_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
