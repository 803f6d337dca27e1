/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's link (ha_link.c): two ends in one process over a socketpair,
 * the clock the test's. The handshake (TLS 1.3, the pair's PSK only) and
 * the hellos bring the link up and heartbeats flow both ways (the role
 * machine's hook hears role, token and the echo of our own send time); a
 * wrong key, the key under another pair's name, or a signature that
 * differs, is refused and the refusal
 * names why (the setting); the peer's silence ends the link at lease_ms to
 * the millisecond; a batch of a lower token than seen is dropped, and the
 * sender's lag ends at the acknowledgement. As an attacker would try it:
 * garbage instead of TLS, a client that never finishes its handshake, a
 * client with the key that sends a huge length, a fifth connection while
 * four handshake, a connection from another address than the peer's:
 * each refused, bounded in time, each serve returning at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ha_link.h"
#include "tp_conf_types.h"

#define LEASE 500u
#define HB    100u

static const uint8_t key_a[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t key_b[32] = "0123456789abcdef0123456789abcdeX";

struct end {
	struct ha_link *l;
	struct ha_self me;
	unsigned int heard;
	struct ha_peer_hb hb;
	unsigned int batches;
	uint64_t batch_token;
	char batch[32];
	unsigned int sws;             /* SWITCH messages heard: the last's step, token, why */
	unsigned int sw_step;
	uint64_t sw_token, sw_nonce;
	char sw_why[256];
};

static struct end A, B;
static struct ha_sig sig;
static const char *b_pair = "edge-1";      /* B's ha.pair: the PSK's identity */

static void
on_heard(void *arg, const struct ha_peer_hb *hb, uint64_t now_ms)
{
	struct end *e = arg;

	(void)now_ms;
	e->heard++;
	e->hb = *hb;
}

static int
on_batch(void *arg, uint64_t token, uint64_t seq, const uint8_t *p, size_t n)
{
	struct end *e = arg;

	(void)seq;
	e->batches++;
	e->batch_token = token;
	snprintf(e->batch, sizeof(e->batch), "%.*s", (int)n, (const char *)p);
	/* the mirror's word: "bad" is a batch it refuses */
	return n == 3 && memcmp(p, "bad", 3) == 0 ? -EINVAL : 0;
}

static void
on_sw(void *arg, unsigned int step, uint64_t token, uint64_t nonce, const char *why,
      uint64_t now_ms)
{
	struct end *e = arg;

	(void)now_ms;
	e->sws++;
	e->sw_step = step;
	e->sw_token = token;
	e->sw_nonce = nonce;
	snprintf(e->sw_why, sizeof(e->sw_why), "%s", why);
}

static void
make_sig(struct ha_sig *s, uint8_t relay)
{
	memset(s, 0, sizeof(*s));
	s->n = 3;
	snprintf(s->item[0].name, sizeof(s->item[0].name), "dp.workers");
	snprintf(s->item[1].name, sizeof(s->item[1].name), "turn.relay_ports");
	snprintf(s->item[2].name, sizeof(s->item[2].name), "tenants");
	s->item[1].digest[0] = relay;
}

static struct ha_link *
make(struct end *e, const char *box, const uint8_t *key, const struct ha_sig *s,
     const char *listen, const char *peer)
{
	struct ha_link_hooks h = { .heard = on_heard, .batch = on_batch, .sw = on_sw, .arg = e };
	struct ha_link_conf c = {
		.pair = e == &B ? b_pair : "edge-1", .key = key, .key_len = 32, .box = box, .lease_ms = LEASE,
		.heartbeat_ms = HB, .sig = s, .listen = listen, .peer = peer,
	};
	char err[256] = "";

	memset(e, 0, sizeof(*e));
	e->l = ha_link_create(&c, &h, err, sizeof(err));
	assert_non_null(e->l);
	return e->l;
}

/* A and B over a socketpair: A dialed, B accepted. */
static void
pair_up(const uint8_t *kb, const struct ha_sig *sb, uint64_t now)
{
	int sv[2];

	make_sig(&sig, 1);
	make(&A, "box-a", key_a, &sig, NULL, NULL);
	make(&B, "box-b", kb, sb != NULL ? sb : &sig, NULL, NULL);
	A.me = (struct ha_self){ .role = HA_ACTIVE, .token = 7, .floor = 7 };
	B.me = (struct ha_self){ .role = HA_STANDBY, .token = 7, .floor = 7 };
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(ha_link_adopt(A.l, sv[0], true, "a-end", now), 0);
	assert_int_equal(ha_link_adopt(B.l, sv[1], false, "b-end", now), 0);
}

static void
serve_both(uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t < to; t++) {
		ha_link_serve(A.l, &A.me, t);
		ha_link_serve(B.l, &B.me, t);
	}
}

static int
teardown(void **state)
{
	(void)state;
	b_pair = "edge-1";
	ha_link_free(A.l);
	ha_link_free(B.l);
	A.l = B.l = NULL;
	return 0;
}

static void
test_link_handshake_and_heartbeats(void **state)
{
	struct ha_link_view v;

	(void)state;
	pair_up(key_a, NULL, 1000);
	serve_both(1000, 1020);
	assert_true(ha_link_up(A.l));
	assert_true(ha_link_up(B.l));
	ha_link_view(A.l, 1020, &v);
	assert_string_equal(v.peer_box, "box-b");
	ha_link_view(B.l, 1020, &v);
	assert_string_equal(v.peer_box, "box-a");
	serve_both(1020, 1500);
	/* a heartbeat every HB each way, role and token as each end said */
	assert_true(A.heard >= 4 && A.heard <= 6);
	assert_true(B.heard >= 4 && B.heard <= 6);
	assert_int_equal(A.hb.role, HA_STANDBY);
	assert_int_equal(B.hb.role, HA_ACTIVE);
	assert_int_equal(B.hb.token, 7);
	/* the standby echoes A's latest heartbeat: a time of A's, recent */
	assert_true(A.hb.echo_ms >= 1500 - 2 * HB && A.hb.echo_ms < 1500);
	ha_link_view(A.l, 1500, &v);
	assert_true(v.rtt_ms <= 1);                 /* one clock, served in turn */
	assert_true(v.clock_off_ms >= -1 && v.clock_off_ms <= 1);
	assert_true(v.heard_ms_ago < HB + 2);
	/* the active box's ask for the standby's word: the role byte's bit,
	 * the role read as before (link version 3) */
	assert_false(B.hb.vouch_asked);
	A.me.ask_vouch = true;
	serve_both(1500, 1500 + 2 * HB);
	assert_true(B.hb.vouch_asked);
	assert_int_equal(B.hb.role, HA_ACTIVE);
	assert_int_equal(B.hb.token, 7);
	assert_false(A.hb.vouch_asked);
	A.me.ask_vouch = false;
	serve_both(1500 + 2 * HB, 1500 + 4 * HB);
	assert_false(B.hb.vouch_asked);
	assert_int_equal(ha_link_stats(A.l)->link_up, 1);
	assert_int_equal(ha_link_stats(A.l)->link_refused, 0);
}

static void
test_link_wrong_key_refused(void **state)
{
	struct ha_link_view v;

	(void)state;
	pair_up(key_b, NULL, 1000);
	serve_both(1000, 1100);
	assert_false(ha_link_up(A.l));
	assert_false(ha_link_up(B.l));
	assert_int_equal(A.heard + B.heard, 0);
	assert_true(ha_link_stats(B.l)->link_refused >= 1);
	ha_link_view(B.l, 1100, &v);
	assert_non_null(strstr(v.refusal, "TLS handshake failed"));
	assert_non_null(strstr(v.refusal, "ha.key_file"));
}

/* The same key under another pair's name (identity) is no PSK of ours. */
static void
test_link_other_identity_refused(void **state)
{
	struct ha_link_view v;

	(void)state;
	b_pair = "edge-2";
	pair_up(key_a, NULL, 1000);
	serve_both(1000, 1100);
	assert_false(ha_link_up(A.l));
	assert_false(ha_link_up(B.l));
	ha_link_view(B.l, 1100, &v);
	assert_non_null(strstr(v.refusal, "TLS handshake failed"));
}

static void
test_link_signature_differs_names_the_setting(void **state)
{
	struct ha_sig other;
	struct ha_link_view v;

	(void)state;
	make_sig(&other, 2);                  /* turn.relay_ports differs */
	pair_up(key_a, &other, 1000);
	serve_both(1000, 1100);
	assert_false(ha_link_up(A.l));
	assert_false(ha_link_up(B.l));
	assert_int_equal(A.heard + B.heard, 0);
	ha_link_view(A.l, 1100, &v);
	assert_non_null(strstr(v.refusal, "differs in turn.relay_ports"));
	ha_link_view(B.l, 1100, &v);
	assert_non_null(strstr(v.refusal, "differs in turn.relay_ports"));
	assert_true(ha_link_stats(A.l)->link_refused >= 1);
}

static void
test_link_heartbeat_loss_seen_at_lease(void **state)
{
	struct ha_link_view v;
	uint64_t last, t;

	(void)state;
	pair_up(key_a, NULL, 1000);
	serve_both(1000, 1250);
	assert_true(ha_link_up(A.l));
	/* B stops (a dead box: no FIN); A reads what was in flight */
	ha_link_serve(A.l, &A.me, 1250);
	ha_link_view(A.l, 1250, &v);
	last = 1250 - v.heard_ms_ago;
	for (t = 1251; t < last + LEASE; t++) {
		ha_link_serve(A.l, &A.me, t);
		assert_true(ha_link_up(A.l));
	}
	ha_link_serve(A.l, &A.me, t);
	assert_false(ha_link_up(A.l));
	assert_int_equal(ha_link_stats(A.l)->hb_lost, 1);
	assert_int_equal(ha_link_stats(A.l)->link_down, 1);
}

static void
test_link_batch_of_a_lower_token_dropped(void **state)
{
	struct ha_link_view v;

	(void)state;
	pair_up(key_a, NULL, 1000);
	serve_both(1000, 1020);
	assert_int_equal(ha_link_send_batch(A.l, 7, "first", 5, 1020), 0);
	ha_link_view(A.l, 1025, &v);
	assert_int_equal(v.lag_ms, 5);        /* sent, not acknowledged */
	serve_both(1020, 1030);
	assert_int_equal(B.batches, 1);
	assert_int_equal(B.batch_token, 7);
	assert_string_equal(B.batch, "first");
	ha_link_view(A.l, 1030, &v);
	assert_int_equal(v.lag_ms, 0);        /* acknowledged */
	/* an old active's batch, token 5 < 7 */
	assert_int_equal(ha_link_send_batch(A.l, 5, "stale", 5, 1030), 0);
	serve_both(1030, 1040);
	assert_int_equal(B.batches, 1);
	assert_int_equal(ha_link_stats(B.l)->batch_stale, 1);
	assert_true(ha_link_up(B.l));
	/* a higher token is taken, and raises no floor: it is the peer's
	 * word, not the lease's */
	assert_int_equal(ha_link_send_batch(A.l, 8, "next", 4, 1040), 0);
	assert_int_equal(ha_link_send_batch(A.l, 7, "old", 3, 1040), 0);
	serve_both(1040, 1050);
	assert_int_equal(B.batches, 3);
	assert_string_equal(B.batch, "old");
	assert_int_equal(ha_link_stats(B.l)->batch_stale, 1);
	/* the lease's word does (B's role machine heard of token 8) */
	B.me.floor = 8;
	serve_both(1050, 1051);
	assert_int_equal(ha_link_send_batch(A.l, 7, "old2", 4, 1051), 0);
	serve_both(1051, 1060);
	assert_int_equal(B.batches, 3);
	assert_int_equal(ha_link_stats(B.l)->batch_stale, 2);
}

/* A switchover's messages (ha_switch.c) both ways, each with its ASK's
 * nonce (0 never sent): ASK, a NO with its sentence (what is not
 * printable sent as '?'), GO; every batch
 * acknowledged is what ha_link_acked() says (lag 0 to the batch, where
 * lag_ms rounds to whole ms); hb_soon sends a heartbeat at the next turn. */
static void
test_link_switch_messages(void **state)
{
	unsigned int heard;

	(void)state;
	pair_up(key_a, NULL, 1000);
	serve_both(1000, 1020);
	assert_int_equal(ha_link_send_switch(A.l, HA_SWMSG_ASK, 7, 0x0123456789abcdefull, NULL), 0);
	serve_both(1020, 1025);
	assert_int_equal(B.sws, 1);
	assert_int_equal(B.sw_step, HA_SWMSG_ASK);
	assert_int_equal(B.sw_token, 7);
	assert_true(B.sw_nonce == 0x0123456789abcdefull);
	assert_string_equal(B.sw_why, "");
	assert_int_equal(ha_link_send_switch(B.l, HA_SWMSG_NO, 7, 0x0123456789abcdefull,
					     "ha.role is \"standby\"\n"), 0);
	serve_both(1025, 1030);
	assert_int_equal(A.sws, 1);
	assert_int_equal(A.sw_step, HA_SWMSG_NO);
	assert_true(A.sw_nonce == 0x0123456789abcdefull);
	assert_string_equal(A.sw_why, "ha.role is \"standby\"?");
	assert_int_equal(ha_link_send_switch(A.l, HA_SWMSG_GO, 7, 0xfedcba9876543210ull, NULL), 0);
	assert_int_equal(ha_link_send_switch(A.l, 9, 7, 1, NULL), -EINVAL);
	assert_int_equal(ha_link_send_switch(A.l, HA_SWMSG_GO, 7, 0, NULL), -EINVAL);
	serve_both(1030, 1035);
	assert_int_equal(B.sw_step, HA_SWMSG_GO);
	assert_true(B.sw_nonce == 0xfedcba9876543210ull);
	assert_int_equal(B.sws, 2);
	assert_true(ha_link_up(A.l) && ha_link_up(B.l));
	assert_int_equal(ha_link_stats(B.l)->msg_bad, 0);
	/* acked, to the batch */
	assert_true(ha_link_acked(A.l));
	assert_int_equal(ha_link_send_batch(A.l, 7, "x", 1, 1035), 0);
	assert_false(ha_link_acked(A.l));
	serve_both(1035, 1040);
	assert_true(ha_link_acked(A.l));
	/* a heartbeat now, not a heartbeat_ms after the last */
	serve_both(1040, 1041);
	heard = B.heard;
	serve_both(1041, 1043);
	assert_int_equal(B.heard, heard);
	ha_link_hb_soon(A.l);
	serve_both(1043, 1045);
	assert_int_equal(B.heard, heard + 1);
}

/* A heartbeat that carries a huge token (a peer broken or hostile) raises
 * no floor: the active box's later batches under its real token are
 * taken. Before the fix B's floor became the heartbeat's token and every
 * later batch was dropped as stale. */
static void
test_link_heartbeat_token_raises_no_floor(void **state)
{
	(void)state;
	pair_up(key_a, NULL, 1000);
	A.me.token = UINT64_MAX - 1;              /* what its heartbeats say */
	serve_both(1000, 1300);
	assert_true(B.heard >= 2);
	assert_true(B.hb.token == UINT64_MAX - 1);
	assert_int_equal(ha_link_send_batch(A.l, 7, "real", 4, 1300), 0);
	serve_both(1300, 1310);
	assert_int_equal(B.batches, 1);
	assert_string_equal(B.batch, "real");
	assert_int_equal(ha_link_stats(B.l)->batch_stale, 0);
}

/* A box that vouches no more (ha_self.no_vouch: Redis held no lease for
 * its "active" peer) echoes nothing: the active peer's deadline does not
 * move on by its word; vouching again, the echo is back. */
static void
test_link_no_vouch_echoes_nothing(void **state)
{
	(void)state;
	pair_up(key_a, NULL, 1000);
	serve_both(1000, 1300);
	assert_true(A.hb.echo_ms >= 1300 - 2 * HB);
	B.me.no_vouch = true;
	serve_both(1300, 1500);
	assert_true(A.hb.echo_ms == 0);
	B.me.no_vouch = false;
	serve_both(1500, 1700);
	assert_true(A.hb.echo_ms >= 1700 - 2 * HB);
}

/* A batch the standby's mirror refuses (a record malformed or forbidden)
 * is not acknowledged: the link closes, counted and said, and the sender's
 * lag stays (it walks again on the next link). Before the fix B
 * acknowledged it and the link stayed up. */
static void
test_link_refused_batch_not_acknowledged(void **state)
{
	struct ha_link_view v;

	(void)state;
	pair_up(key_a, NULL, 1000);
	serve_both(1000, 1020);
	assert_int_equal(ha_link_send_batch(A.l, 7, "good", 4, 1020), 0);
	serve_both(1020, 1030);
	ha_link_view(A.l, 1030, &v);
	assert_int_equal(v.lag_ms, 0);
	assert_int_equal(ha_link_send_batch(A.l, 7, "bad", 3, 1030), 0);
	serve_both(1030, 1040);
	assert_int_equal(B.batches, 2);
	assert_int_equal(ha_link_stats(B.l)->batch_refused, 1);
	assert_false(ha_link_up(B.l));
	assert_false(ha_link_up(A.l));
	ha_link_view(A.l, 1040, &v);
	assert_int_equal(v.lag_ms, 10);          /* never acknowledged */
	ha_link_view(B.l, 1040, &v);
	assert_non_null(strstr(v.refusal, "batch 2 refused"));
}

/* ---- as an attacker ------------------------------------------------------ */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* B alone, and the test's raw end of a socketpair into it. */
static int
raw_into_b(uint64_t now)
{
	int sv[2];

	make_sig(&sig, 1);
	make(&B, "box-b", key_a, &sig, NULL, NULL);
	B.me = (struct ha_self){ .role = HA_STANDBY, .token = 7 };
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(ha_link_adopt(B.l, sv[1], false, "raw", now), 0);
	return sv[0];
}

static void
test_link_garbage_and_silence_refused(void **state)
{
	struct ha_link_view v;
	const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	int fd, fd2, sv[2];
	uint64_t t0;

	(void)state;
	fd = raw_into_b(1000);
	assert_int_equal(write(fd, junk, sizeof(junk) - 1), (ssize_t)sizeof(junk) - 1);
	ha_link_serve(B.l, &B.me, 1001);
	ha_link_view(B.l, 1001, &v);
	assert_non_null(strstr(v.refusal, "raw: TLS handshake failed"));
	assert_int_equal(ha_link_stats(B.l)->link_refused, 1);
	close(fd);
	/* a slow one: one byte of a record header, then nothing */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(ha_link_adopt(B.l, sv[1], false, "slow", 2000), 0);
	assert_int_equal(write(sv[0], "\x16", 1), 1);
	t0 = mono_ms();
	for (uint64_t t = 2000; t < 3000; t++)
		ha_link_serve(B.l, &B.me, t);     /* the deadline: a second at least */
	assert_true(mono_ms() - t0 < 1000);       /* 1000 turns never waited */
	ha_link_view(B.l, 3000, &v);
	assert_int_equal(ha_link_stats(B.l)->link_refused, 1);
	ha_link_serve(B.l, &B.me, 3000);
	ha_link_view(B.l, 3000, &v);
	assert_non_null(strstr(v.refusal, "slow: no handshake within 1000 ms"));
	assert_int_equal(ha_link_stats(B.l)->link_refused, 2);
	/* its slot is free again: four more fit, a fifth does not */
	close(sv[0]);
	for (int i = 0; i < (int)HA_LINK_SLOTS; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		assert_int_equal(ha_link_adopt(B.l, sv[1], false, "many", 3000), 0);
		close(sv[0]);
	}
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fd2 = sv[0];
	assert_int_equal(ha_link_adopt(B.l, sv[1], false, "fifth", 3000), -EBUSY);
	close(fd2);
	ha_link_serve(B.l, &B.me, 3001);          /* the four closed by their peers */
}

/* A TLS client of the test's own with the pair's key (what a holder of
 * the key could send), up to the end of its handshake. */
static int
use_psk(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
	SSL_SESSION **sess)
{
	static const unsigned char aes128gcm[] = { 0x13, 0x01 };
	SSL_SESSION *s = SSL_SESSION_new();

	(void)md;
	SSL_SESSION_set1_master_key(s, key_a, sizeof(key_a));
	SSL_SESSION_set_cipher(s, SSL_CIPHER_find(ssl, aes128gcm));
	SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION);
	*sess = s;
	*id = (const unsigned char *)"edge-1";
	*idlen = 6;
	return 1;
}

static void
test_link_huge_length_refused(void **state)
{
	struct ha_link_view v;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int fd, rc = 0;
	uint64_t t = 1000;
	const unsigned char huge[4] = { 0xff, 0xff, 0xff, 0xf0 };

	(void)state;
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
	SSL_CTX_set_psk_use_session_callback(ctx, use_psk);
	fd = raw_into_b(t);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_connect_state(ssl);
	for (; t < 1100 && rc != 1; t++) {
		rc = SSL_do_handshake(ssl);
		ERR_clear_error();
		ha_link_serve(B.l, &B.me, t);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(SSL_write(ssl, huge, 4), 4);
	for (uint64_t k = 0; k < 5; k++)
		ha_link_serve(B.l, &B.me, t + k);
	ha_link_view(B.l, t, &v);
	assert_non_null(strstr(v.refusal, "a message of 4294967280 bytes (at most 2048 "
				       "before the hello): closed"));
	assert_int_equal(ha_link_stats(B.l)->msg_bad, 1);
	assert_false(ha_link_up(B.l));
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
}

/* A hello of the link's version 1 (before SWITCH carried its nonce) is
 * refused, both versions named: the two boxes of a pair run one version
 * of the link, never a SWITCH of one read as the other's. */
static void
test_link_hello_of_version_1_refused(void **state)
{
	struct ha_link_view v;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	int fd, rc = 0;
	uint64_t t = 1000;
	/* length 9: HELLO, version 1, box "box-a", no settings */
	const unsigned char hello[] = { 0, 0, 0, 9, 1, 1, 5, 'b', 'o', 'x', '-', 'a', 0 };

	(void)state;
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
	SSL_CTX_set_psk_use_session_callback(ctx, use_psk);
	fd = raw_into_b(t);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_connect_state(ssl);
	for (; t < 1100 && rc != 1; t++) {
		rc = SSL_do_handshake(ssl);
		ERR_clear_error();
		ha_link_serve(B.l, &B.me, t);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(SSL_write(ssl, hello, sizeof(hello)), (int)sizeof(hello));
	for (uint64_t k = 0; k < 5; k++)
		ha_link_serve(B.l, &B.me, t + k);
	ha_link_view(B.l, t, &v);
	assert_non_null(strstr(v.refusal, "a hello of version 1 (this box speaks 3): refused"));
	assert_false(ha_link_up(B.l));
	assert_int_equal(ha_link_stats(B.l)->link_refused, 1);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
}

/* A server that answers with a certificate instead of the PSK (one that
 * does not hold the key, posing as the peer): the dialer refuses it. */
static void
test_link_certificate_server_refused(void **state)
{
	struct ha_link_view v;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	SSL *ssl;
	int sv[2];

	(void)state;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"peer", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, pk), 1);
	make_sig(&sig, 1);
	make(&A, "box-a", key_a, &sig, NULL, NULL);
	A.me = (struct ha_self){ .role = HA_ACTIVE, .token = 7 };
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	assert_int_equal(ha_link_adopt(A.l, sv[0], true, "poser", 1000), 0);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, sv[1]);
	SSL_set_accept_state(ssl);
	for (uint64_t t = 1000; t < 1050; t++) {
		SSL_do_handshake(ssl);
		ERR_clear_error();
		ha_link_serve(A.l, &A.me, t);
	}
	assert_false(ha_link_up(A.l));
	ha_link_view(A.l, 1050, &v);
	assert_non_null(strstr(v.refusal, "poser: "));
	assert_int_equal(ha_link_stats(A.l)->link_refused, 1);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	X509_free(x);
	EVP_PKEY_free(pk);
	close(sv[1]);
}

/* The listener takes the peer's address only. */
static void
test_link_listener_refuses_another_address(void **state)
{
	char listen_on[32];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct ha_link_view v;
	uint16_t port = (uint16_t)(20000 + getpid() % 20000);
	int fd;

	(void)state;
	snprintf(listen_on, sizeof(listen_on), "127.0.0.1:%u", port);
	make_sig(&sig, 1);
	make(&B, "box-b", key_a, &sig, listen_on, "127.0.0.2:7400");
	B.me = (struct ha_self){ .role = HA_STANDBY, .token = 7 };
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ha_link_serve(B.l, &B.me, 1000);
	ha_link_view(B.l, 1000, &v);
	assert_non_null(strstr(v.refusal, "not the peer's address (ha.peer 127.0.0.2:7400)"));
	assert_int_equal(ha_link_stats(B.l)->link_refused, 1);
	close(fd);
}

/* Two boxes whose peer policies differ (cp.peers, or a tenant's peers)
 * sign differently, named: the standby judges each mirrored binding by
 * its own. Before the fix the signatures were the same. */
static void
test_signature_covers_peer_policies(void **state)
{
	static struct tp_conf c1, c2;
	static struct ha_sig s1, s2;
	unsigned int i;

	(void)state;
	memset(&c1, 0, sizeof(c1));
	c1.tenants.n = 1;
	snprintf(c1.tenants.t[0].name, sizeof(c1.tenants.t[0].name), "t1");
	c2 = c1;
	ha_sig_make(&c1, &s1);
	ha_sig_make(&c2, &s2);
	assert_memory_equal(&s1, &s2, sizeof(s1));
	c2.cp.peers.ndeny = 1;
	snprintf(c2.cp.peers.deny[0], sizeof(c2.cp.peers.deny[0]), "192.0.2.0/24");
	ha_sig_make(&c2, &s2);
	for (i = 0; i < s1.n && memcmp(&s1.item[i], &s2.item[i], sizeof(s1.item[i])) == 0; i++)
		;
	assert_true(i < s1.n);
	assert_string_equal(s1.item[i].name, "cp.peers");
	c2 = c1;
	c2.tenants.t[0].has_peers = true;
	c2.tenants.t[0].peers.allow_private = true;
	ha_sig_make(&c2, &s2);
	for (i = 0; i < s1.n && memcmp(&s1.item[i], &s2.item[i], sizeof(s1.item[i])) == 0; i++)
		;
	assert_true(i < s1.n);
	assert_string_equal(s1.item[i].name, "tenants.peers");
	c2 = c1;
	c2.cp.allow_relay_to_relay = true;
	ha_sig_make(&c2, &s2);
	assert_true(memcmp(&s1, &s2, sizeof(s1)) != 0);
}

/* turn.channels joins the signature: a box that binds RFC 5766's
 * channels (up to 0x7FFE) mirrors them, and a standby that takes only RFC
 * 8656's must not pair with it. Before the change both signed alike. */
static void
test_signature_covers_channels(void **state)
{
	static struct tp_conf c1, c2;
	static struct ha_sig s1, s2;
	unsigned int i;

	(void)state;
	memset(&c1, 0, sizeof(c1));
	c1.turn.channel_max = 0x4FFF;
	c2 = c1;
	c2.turn.channel_max = 0x7FFE;
	ha_sig_make(&c1, &s1);
	ha_sig_make(&c2, &s2);
	for (i = 0; i < s1.n && memcmp(&s1.item[i], &s2.item[i], sizeof(s1.item[i])) == 0; i++)
		;
	assert_true(i < s1.n);
	assert_string_equal(s1.item[i].name, "turn.channels");
}

/* The DTLS certificate joins the signature (slice 7): two boxes whose
 * agw.dtls.certificate files differ are not paired, named; the same
 * bytes under two paths are. Before the change both signed alike. */
static void
test_signature_covers_dtls_certificate(void **state)
{
	static struct tp_conf c1, c2;
	static struct ha_sig s1, s2;
	char p1[] = "/tmp/test_ha_sig_a_XXXXXX", p2[] = "/tmp/test_ha_sig_b_XXXXXX";
	int f1 = mkstemp(p1), f2 = mkstemp(p2);
	unsigned int i;

	(void)state;
	assert_true(f1 >= 0 && f2 >= 0);
	assert_int_equal(write(f1, "CERT-A", 6), 6);
	assert_int_equal(write(f2, "CERT-B", 6), 6);
	close(f1);
	close(f2);
	memset(&c1, 0, sizeof(c1));
	c1.agw.enabled = true;
	snprintf(c1.agw.dtls.cert.certificate, sizeof(c1.agw.dtls.cert.certificate), "%s", p1);
	c2 = c1;
	snprintf(c2.agw.dtls.cert.certificate, sizeof(c2.agw.dtls.cert.certificate), "%s", p2);
	ha_sig_make(&c1, &s1);
	ha_sig_make(&c2, &s2);
	for (i = 0; i < s1.n && memcmp(&s1.item[i], &s2.item[i], sizeof(s1.item[i])) == 0; i++)
		;
	assert_true(i < s1.n);
	assert_string_equal(s1.item[i].name, "agw.dtls.certificate");
	f2 = open(p2, O_WRONLY | O_TRUNC);
	assert_true(f2 >= 0);
	assert_int_equal(write(f2, "CERT-A", 6), 6);
	close(f2);
	ha_sig_make(&c2, &s2);
	assert_memory_equal(&s1, &s2, sizeof(s1));
	unlink(p1);
	unlink(p2);
}

static void
test_key_parse(void **state)
{
	uint8_t k[HA_LINK_KEY_MAX];
	const char *h64 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

	(void)state;
	assert_int_equal(ha_key_parse(h64, 64, k, sizeof(k)), 32);
	assert_int_equal(k[31], 0x1f);
	assert_int_equal(ha_key_parse(h64, 62, k, sizeof(k)), -EINVAL);   /* 31 bytes */
	assert_int_equal(ha_key_parse("zz", 2, k, sizeof(k)), -EINVAL);
}

int
main(void)
{
	/* as cp does: a peer gone is a write's error, not a signal */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_link_handshake_and_heartbeats, teardown),
		cmocka_unit_test_teardown(test_link_wrong_key_refused, teardown),
		cmocka_unit_test_teardown(test_link_other_identity_refused, teardown),
		cmocka_unit_test_teardown(test_link_signature_differs_names_the_setting, teardown),
		cmocka_unit_test_teardown(test_link_heartbeat_loss_seen_at_lease, teardown),
		cmocka_unit_test_teardown(test_link_batch_of_a_lower_token_dropped, teardown),
		cmocka_unit_test_teardown(test_link_refused_batch_not_acknowledged, teardown),
		cmocka_unit_test_teardown(test_link_heartbeat_token_raises_no_floor, teardown),
		cmocka_unit_test_teardown(test_link_no_vouch_echoes_nothing, teardown),
		cmocka_unit_test_teardown(test_link_hello_of_version_1_refused, teardown),
		cmocka_unit_test_teardown(test_link_garbage_and_silence_refused, teardown),
		cmocka_unit_test_teardown(test_link_switch_messages, teardown),
		cmocka_unit_test_teardown(test_link_huge_length_refused, teardown),
		cmocka_unit_test_teardown(test_link_certificate_server_refused, teardown),
		cmocka_unit_test_teardown(test_link_listener_refuses_another_address, teardown),
		cmocka_unit_test(test_signature_covers_peer_policies),
		cmocka_unit_test(test_signature_covers_dtls_certificate),
		cmocka_unit_test(test_signature_covers_channels),
		cmocka_unit_test(test_key_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
