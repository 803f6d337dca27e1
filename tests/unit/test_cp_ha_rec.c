/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's mirror records (ha_rec.c): every field of an allocation record
 * (tuple, id, worker, flags, the password algorithm, tenant, both relayed
 * addresses, times, the bandwidth limit, tid, the RFC 8016 generation and
 * forward, both RFC 7635 sessions, the name, 32 bindings) and of a
 * tombstone comes back from its bytes; a batch is walked record by
 * record; each refusal: a length past the input, short of the fields or
 * with a byte left over, an unknown type, a value out of range (id 0,
 * transport, family, worker, flags, nrelayed, fwd byte, key_len, user_len,
 * nbinds, channel), and an encode into a buffer one byte short.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ha_rec.h"
#include "ipc.h"

static void
addr4(struct ipc_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->port = port;
	a->ip[0] = 192;
	a->ip[1] = 0;
	a->ip[2] = 2;
	a->ip[3] = last;
}

static void
addr6(struct ipc_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 6;
	a->port = port;
	a->ip[0] = 0x20;
	a->ip[1] = 0x01;
	a->ip[2] = 0x0d;
	a->ip[3] = 0xb8;
	a->ip[15] = last;
}

/* Every field set, none to a value another field has. */
static void
full(struct ha_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->type = HA_REC_ALLOC;
	r->id = 0x0123456789abcdefull;
	r->tuple.transport = 17;
	r->tuple.in_port = 3;
	r->tuple.conn_id = 0x1122334455667788ull;
	addr4(&r->tuple.client, 10, 50000);
	addr6(&r->tuple.server, 1, 3478);
	r->worker = 5;
	r->flags = IPC_ALLOC_F_MOBILE;
	r->pwalg = 2;
	r->nrelayed = 2;
	r->tenant = 7;
	addr4(&r->relayed[0], 100, 49160);
	addr6(&r->relayed[1], 100, 49160);
	r->left_ms = 599123;
	r->age_ms = 86400123ull;
	r->max_bps = 125000;
	r->max_bps_burst = 250000;
	for (unsigned int i = 0; i < HA_REC_TID_LEN; i++)
		r->tid[i] = (uint8_t)(0xa0 + i);
	r->mob_gen = 0x4242;
	r->fwd = true;
	r->fwd_worker = 9;
	r->oauth[0].key_len = 32;
	r->oauth[0].kid = 2;
	r->oauth[0].as = 1;
	r->oauth[0].expiry = 1900000000ull;
	for (unsigned int i = 0; i < 32; i++)
		r->oauth[0].key[i] = (uint8_t)(i * 7 + 1);
	r->oauth[1].key_len = 20;
	r->oauth[1].kid = 3;
	r->oauth[1].as = 4;
	r->oauth[1].expiry = 1800000000ull;
	for (unsigned int i = 0; i < 20; i++)
		r->oauth[1].key[i] = (uint8_t)(0xff - i);
	r->user_len = HA_REC_USER_MAX;
	for (unsigned int i = 0; i < HA_REC_USER_MAX; i++)
		r->user[i] = (char)('a' + i % 26);
	r->nbinds = HA_REC_BINDS_MAX;
	for (unsigned int i = 0; i < HA_REC_BINDS_MAX; i++) {
		if (i % 2)
			addr6(&r->binds[i].peer, (uint8_t)i, (uint16_t)(2000 + i));
		else
			addr4(&r->binds[i].peer, (uint8_t)i, 0);
		r->binds[i].channel = i < 16 ? 0 : (uint16_t)(0x4000 + i);
		r->binds[i].left_ms = 300000u - i;
	}
}

static void
test_round_trip_every_field(void **state)
{
	static uint8_t buf[HA_REC_MAX], again[HA_REC_MAX];
	struct ha_rec r, back;
	int n;

	(void)state;
	full(&r);
	n = ha_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0 && n <= (int)HA_REC_MAX);
	assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), n);
	/* field by field, so that a field the codec drops is named */
	assert_int_equal(back.type, HA_REC_ALLOC);
	assert_true(back.id == r.id);
	assert_memory_equal(&back.tuple, &r.tuple, sizeof(r.tuple));
	assert_int_equal(back.worker, 5);
	assert_int_equal(back.flags, IPC_ALLOC_F_MOBILE);
	assert_int_equal(back.pwalg, 2);
	assert_int_equal(back.nrelayed, 2);
	assert_int_equal(back.tenant, 7);
	assert_memory_equal(back.relayed, r.relayed, sizeof(r.relayed));
	assert_int_equal(back.left_ms, 599123);
	assert_true(back.age_ms == 86400123ull);
	assert_int_equal(back.max_bps, 125000);
	assert_int_equal(back.max_bps_burst, 250000);
	assert_memory_equal(back.tid, r.tid, HA_REC_TID_LEN);
	assert_int_equal(back.mob_gen, 0x4242);
	assert_true(back.fwd);
	assert_int_equal(back.fwd_worker, 9);
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(back.oauth[i].key_len, r.oauth[i].key_len);
		assert_int_equal(back.oauth[i].kid, r.oauth[i].kid);
		assert_int_equal(back.oauth[i].as, r.oauth[i].as);
		assert_true(back.oauth[i].expiry == r.oauth[i].expiry);
		assert_memory_equal(back.oauth[i].key, r.oauth[i].key, HA_REC_KEY_MAX);
	}
	assert_int_equal(back.user_len, HA_REC_USER_MAX);
	assert_memory_equal(back.user, r.user, HA_REC_USER_MAX);
	assert_int_equal(back.nbinds, HA_REC_BINDS_MAX);
	for (unsigned int i = 0; i < HA_REC_BINDS_MAX; i++) {
		assert_memory_equal(&back.binds[i].peer, &r.binds[i].peer, sizeof(struct ipc_addr));
		assert_int_equal(back.binds[i].channel, r.binds[i].channel);
		assert_int_equal(back.binds[i].left_ms, r.binds[i].left_ms);
	}
	/* and the bytes again */
	assert_int_equal(ha_rec_encode(&back, again, sizeof(again)), n);
	assert_memory_equal(again, buf, (size_t)n);
	/* the largest record fits the bound */
	assert_true(n <= (int)HA_REC_MAX);
	/* one byte short: -E2BIG, never a partial record */
	assert_int_equal(ha_rec_encode(&r, buf, (size_t)n - 1), -E2BIG);
	assert_int_equal(ha_rec_encode(&r, buf, 0), -E2BIG);
}

/* ---- RTP contexts (slice 7) ---- */

/* With HA_REC_SEEDS=DIR, the records below are written there too
 * (tests/fuzz/corpus/ha_rec's rtp_* seeds came from this). */
static void
seed(const char *name, const uint8_t *p, int n)
{
	const char *dir = getenv("HA_REC_SEEDS");
	char path[512];
	FILE *f;

	if (dir == NULL || n <= 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
}

/* An RTP context id (worker 1, slot 3, the RTP generation bit) */
#define RTP_ID ipc_conn_make(1, 3, 0x80000005u)

/* A WebRTC leg (IPv6, ICE, DTLS-SRTP with its keys, BUNDLE owner) and an
 * SDES leg (IPv4, a pair, an MKI, two streams), every field set. */
static void
rtp_full(struct ha_rec *r)
{
	struct ipc_rtp_term *t;
	struct ipc_rtp_stats *st;

	memset(r, 0, sizeof(*r));
	r->type = HA_REC_RTP;
	r->id = RTP_ID;
	r->rtp.age_ms = 123456;
	r->rtp.label_len = HA_REC_LABEL_MAX;
	memset(r->rtp.label, 'L', HA_REC_LABEL_MAX);
	t = &r->rtp.s.ctx.term[0];
	t->profile = IPC_RTP_SAVPF;
	t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	t->flags = IPC_RTP_F_MUX | IPC_RTP_F_RSIZE;
	t->dscp = 46;
	t->serial = 7;
	t->door = 2;
	t->tenant = 3;
	t->clock_hz = 48000;
	t->inact_ms = 30000;
	t->pol_rate = 100000;
	t->pol_burst = 20000;
	t->gm_port_lo = 1000;
	t->gm_port_hi = 2000;
	addr6(&t->local, 1, 40000);
	addr6(&t->remote, 2, 50000);
	addr6(&t->gm_addr, 0, 0);
	t->gm_plen = 64;
	memset(t->memo, 'm', IPC_RTP_MEMO_LEN);
	for (unsigned int d = 0; d < 2; d++) {
		struct ipc_srtp_key *k = d == 0 ? &t->srtp_rx : &t->srtp_tx;

		k->suite = 8;                     /* AEAD_AES_256_GCM: 44 octets */
		k->key_len = 44;
		memset(k->key, 0x40 + (int)d, 44);
		k->nstreams = 1;
		k->stream[0].ssrc = 0x11 + d;
		k->stream[0].roc = 2;
		k->stream[0].seq = 999;
		k->srtcp_index = 77;
	}
	t->ice.mode = IPC_RTP_ICE_LITE;
	t->ice.ufrag_len = IPC_ICE_UFRAG_MAX;
	memset(t->ice.ufrag, 'u', IPC_ICE_UFRAG_MAX);
	t->ice.pwd_len = IPC_ICE_PWD_MAX;
	memset(t->ice.pwd, 'p', IPC_ICE_PWD_MAX);
	t->ice.peer_ufrag_len = 4;
	memcpy(t->ice.peer_ufrag, "peer", 4);
	addr6(&t->ice.nominated, 2, 50001);
	t->dtls.role = IPC_RTP_DTLS_SERVER;
	t->dtls.nfp = 2;
	t->dtls.profiles = IPC_RTP_DTLS_P_ALL;
	t->dtls.flags = IPC_RTP_DTLS_F_KEYS;
	t->dtls.cert_gen = 3;
	t->dtls.assoc = 2;
	memset(t->dtls.tls_id, 0x77, IPC_RTP_DTLS_ID_LEN);
	memset(t->dtls.peer_tls_id, 0x66, IPC_RTP_DTLS_PEER_ID_LEN);
	for (unsigned int i = 0; i < 2; i++) {
		t->dtls.fp[i].alg = 4;            /* sha-512 */
		t->dtls.fp[i].len = 64;
		memset(t->dtls.fp[i].md, 0x10 + (int)i, 64);
	}
	t->bundle.role = IPC_RTP_BUNDLE_OWNER;
	t->bundle.mid_ext = 9;
	t->bundle.mid_len = IPC_RTP_MID_MAX;
	memset(t->bundle.mid, 'a', IPC_RTP_MID_MAX);
	t->bundle.nssrc = 2;
	t->bundle.ssrc[0] = 5;
	t->bundle.ssrc[1] = 6;
	t->bundle.pt[12] = 0x80;
	st = &r->rtp.s.st[0];
	st->latched = IPC_RTP_LATCHED_RTP;
	st->ice = IPC_RTP_ICE_ON;
	st->inactive = 1;
	addr6(&st->rtp_src, 2, 50001);
	st->srtp_rx.nstreams = 2;
	st->srtp_rx.stream[0].ssrc = 0x11;
	st->srtp_rx.stream[1].ssrc = 0x12;
	st->srtp_rx.stream[1].roc = 9;
	st->srtp_rx.stream[1].seq = 65535;
	st->srtp_rx.srtcp_index = 1000;
	st->srtp_tx.nstreams = 1;
	st->srtp_tx.stream[0].ssrc = 0x21;
	st->srtp_tx.stream[0].seq = 4000;
	st->srtp_tx.srtcp_index = 12;
	t = &r->rtp.s.ctx.term[1];
	t->profile = IPC_RTP_SAVP;
	t->mode = IPC_RTP_MODE_SEND;
	t->serial = 8;
	t->door = 2;
	t->tenant = 3;
	t->latch = IPC_RTP_LATCH_STRICT | IPC_RTP_LATCH_SIGNALLED;
	t->rtcp_port = 30001;
	t->remote_rtcp = 7001;
	addr4(&t->local, 1, 30000);
	addr4(&t->remote, 9, 7000);
	for (unsigned int d = 0; d < 2; d++) {
		struct ipc_srtp_key *k = d == 0 ? &t->srtp_rx : &t->srtp_tx;

		k->suite = 1;                     /* AES_CM_128_HMAC_SHA1_80 */
		k->key_len = 30;
		memset(k->key, 0x50 + (int)d, 30);
		k->mki_len = 4;
		k->mki = 0xdeadbeef;
		k->window = 256;
		k->nstreams = 2;
		k->stream[0].ssrc = 0x31;
		k->stream[1].ssrc = 0x32;
	}
	st = &r->rtp.s.st[1];
	st->latched = IPC_RTP_LATCHED_RTP | IPC_RTP_LATCHED_RTCP;
	addr4(&st->rtp_src, 9, 7000);
	addr4(&st->rtcp_src, 9, 7001);
}

static void
test_rtp_round_trip_every_field(void **state)
{
	static uint8_t buf[HA_REC_MAX], again[HA_REC_MAX];
	static struct ha_rec r, back;
	int n;

	(void)state;
	rtp_full(&r);
	n = ha_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0 && n <= (int)HA_REC_MAX);
	print_message("largest RTP record: %d bytes\n", n);
	seed("rtp_webrtc_sdes", buf, n);
	assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), n);
	assert_int_equal(back.type, HA_REC_RTP);
	assert_true(back.id == RTP_ID);
	assert_true(back.rtp.age_ms == 123456);
	assert_int_equal(back.rtp.label_len, HA_REC_LABEL_MAX);
	assert_memory_equal(back.rtp.label, r.rtp.label, HA_REC_LABEL_MAX);
	/* every termination field, the keys and positions among them */
	for (unsigned int i = 0; i < 2; i++) {
		assert_memory_equal(&back.rtp.s.ctx.term[i].srtp_rx, &r.rtp.s.ctx.term[i].srtp_rx,
				    sizeof(struct ipc_srtp_key));
		assert_memory_equal(&back.rtp.s.ctx.term[i].srtp_tx, &r.rtp.s.ctx.term[i].srtp_tx,
				    sizeof(struct ipc_srtp_key));
		assert_memory_equal(&back.rtp.s.ctx.term[i].ice, &r.rtp.s.ctx.term[i].ice,
				    sizeof(struct ipc_rtp_ice));
		assert_memory_equal(&back.rtp.s.ctx.term[i].dtls, &r.rtp.s.ctx.term[i].dtls,
				    sizeof(struct ipc_rtp_dtls));
		assert_memory_equal(&back.rtp.s.ctx.term[i].bundle, &r.rtp.s.ctx.term[i].bundle,
				    sizeof(struct ipc_rtp_bundle));
	}
	assert_memory_equal(&back.rtp.s, &r.rtp.s, sizeof(r.rtp.s));
	assert_int_equal(ha_rec_encode(&back, again, sizeof(again)), n);
	assert_memory_equal(again, buf, (size_t)n);
	assert_int_equal(ha_rec_encode(&r, buf, (size_t)n - 1), -E2BIG);
	/* the tombstone: the id alone */
	memset(&r, 0, sizeof(r));
	r.type = HA_REC_RTP_END;
	r.id = RTP_ID;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), HA_REC_HDR + 8);
	seed("rtp_end", buf, HA_REC_HDR + 8);
	assert_int_equal(ha_rec_decode(buf, HA_REC_HDR + 8, &back), HA_REC_HDR + 8);
	assert_true(back.id == RTP_ID);
	r.id = 0;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	explicit_bzero(&r, sizeof(r));
	explicit_bzero(&back, sizeof(back));
}

/* What lib/ipc's RTP_STATE refuses, and each length past its bound, is
 * refused both ways; a byte changed that breaks a rule is refused. */
static void
test_rtp_refusals(void **state)
{
	static uint8_t buf[HA_REC_MAX];
	static struct ha_rec r, back;
	int n;

	(void)state;
	/* an SDES call alone (the first slot empty): the common record */
	rtp_full(&r);
	memset(&r.rtp.s.ctx.term[0], 0, sizeof(r.rtp.s.ctx.term[0]));
	memset(&r.rtp.s.st[0], 0, sizeof(r.rtp.s.st[0]));
	r.rtp.label_len = 0;
	memset(r.rtp.label, 0, sizeof(r.rtp.label));
	n = ha_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0 && n < 300);
	print_message("an SDES termination's record: %d bytes\n", n);
	seed("rtp_sdes_one", buf, n);
	assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), n);
	/* a key of another length than its suite's */
	rtp_full(&r);
	r.rtp.s.ctx.term[1].srtp_tx.key_len = 29;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	/* an ICE ufrag of a character RFC 8839 does not allow */
	rtp_full(&r);
	r.rtp.s.ctx.term[0].ice.ufrag[0] = '-';
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	/* a NUL in the label; an id of 0; a worker past lib/ipc's */
	rtp_full(&r);
	r.rtp.label[3] = 0;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	rtp_full(&r);
	r.id = 0;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	/* a non-member without an address */
	rtp_full(&r);
	memset(&r.rtp.s.ctx.term[1].local, 0, sizeof(struct ipc_addr));
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	/* on the wire: each count past its bound, a byte left over */
	rtp_full(&r);
	n = ha_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	{
		/* the label's length (after type, length, id, age) past 63 */
		size_t at = HA_REC_HDR + 8 + 8;

		assert_int_equal(buf[at], HA_REC_LABEL_MAX);
		buf[at] = HA_REC_LABEL_MAX + 1;
		assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), -EINVAL);
		buf[at] = HA_REC_LABEL_MAX;
		assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), n);
	}
	/* the length one short and one long */
	buf[1] = (uint8_t)((n - 1) >> 8);
	buf[2] = (uint8_t)(n - 1);
	assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), -EINVAL);
	buf[1] = (uint8_t)((n + 1) >> 8);
	buf[2] = (uint8_t)(n + 1);
	buf[n] = 0;
	assert_int_equal(ha_rec_decode(buf, (size_t)n + 1, &back), -EINVAL);
	/* every truncation of it refused, never read past */
	buf[1] = (uint8_t)(n >> 8);
	buf[2] = (uint8_t)n;
	for (int k = 0; k < n; k++)
		assert_int_equal(ha_rec_decode(buf, (size_t)k, &back), -EINVAL);
	explicit_bzero(&r, sizeof(r));
}

/* A REST user's allocation with a permission and a channel is small
 * (docs/design/ha.md §1.4: 138 bytes, under 200). */
static void
test_small_record(void **state)
{
	uint8_t buf[HA_REC_MAX];
	struct ha_rec r, back;
	int n;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.type = HA_REC_ALLOC;
	r.id = 1;
	r.tuple.transport = 17;
	addr4(&r.tuple.client, 1, 40000);
	addr4(&r.tuple.server, 2, 3478);
	r.nrelayed = 1;
	addr4(&r.relayed[0], 3, 50000);
	r.user_len = 20;
	memcpy(r.user, "1700000000:alice@abc", 20);
	r.nbinds = 2;
	addr4(&r.binds[0].peer, 9, 0);
	addr4(&r.binds[1].peer, 9, 7000);
	r.binds[1].channel = 0x4001;
	n = ha_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0 && n < 200);
	assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), n);
	assert_memory_equal(back.user, "1700000000:alice@abc", 20);
	assert_false(back.fwd);
	assert_int_equal(back.oauth[0].key_len, 0);
	/* unused entries come back 0 */
	assert_int_equal(back.relayed[1].family, 0);
	assert_int_equal(back.binds[2].peer.family, 0);
}

static void
test_tombstone_and_batch(void **state)
{
	uint8_t buf[2 * HA_REC_MAX];
	struct ha_rec r, end, back;
	int n1, n2;

	(void)state;
	full(&r);
	memset(&end, 0, sizeof(end));
	end.type = HA_REC_ALLOC_END;
	end.id = 77;
	end.tuple = r.tuple;
	n1 = ha_rec_encode(&end, buf, sizeof(buf));
	assert_int_equal(n1, 3 + 8 + 1 + 1 + 8 + (1 + 2 + 4) + (1 + 2 + 16));
	n2 = ha_rec_encode(&r, buf + n1, sizeof(buf) - (size_t)n1);
	assert_true(n2 > 0);
	/* a batch: one record after the other */
	assert_int_equal(ha_rec_decode(buf, (size_t)(n1 + n2), &back), n1);
	assert_int_equal(back.type, HA_REC_ALLOC_END);
	assert_true(back.id == 77);
	assert_memory_equal(&back.tuple, &r.tuple, sizeof(r.tuple));
	assert_int_equal(back.nrelayed, 0);
	assert_int_equal(ha_rec_decode(buf + n1, (size_t)n2, &back), n2);
	assert_int_equal(back.type, HA_REC_ALLOC);
	/* the walk's markers: the header alone, a byte more refused */
	{
		struct ha_rec mk = { .type = HA_REC_WALK_START };
		uint8_t m[4] = { 0 };

		assert_int_equal(ha_rec_encode(&mk, m, sizeof(m)), 3);
		assert_int_equal(ha_rec_decode(m, 3, &back), 3);
		assert_int_equal(back.type, HA_REC_WALK_START);
		m[0] = HA_REC_WALK_END;
		assert_int_equal(ha_rec_decode(m, 3, &back), 3);
		assert_int_equal(back.type, HA_REC_WALK_END);
		m[2] = 4;
		assert_int_equal(ha_rec_decode(m, 4, &back), -EINVAL);
	}
	/* an END's other fields are not sent */
	full(&r);
	r.type = HA_REC_ALLOC_END;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), n1);
}

/* The offset of each field in full()'s encoding, for the refusals. */
#define OFF_TYPE      0u
#define OFF_LEN       1u
#define OFF_ID        3u
#define OFF_TRANSPORT 11u
#define OFF_CLIENT_FAMILY 21u         /* after transport, in_port, conn_id */
#define OFF_SERVER_FAMILY (OFF_CLIENT_FAMILY + 7u)
#define OFF_WORKER    (OFF_SERVER_FAMILY + 19u)
#define OFF_FLAGS     (OFF_WORKER + 2u)
#define OFF_NRELAYED  (OFF_FLAGS + 2u + 2u + 1u)
#define OFF_RELAYED0  (OFF_NRELAYED + 1u)
#define OFF_FWD       (OFF_RELAYED0 + 7u + 19u + 4u + 8u + 4u + 4u + HA_REC_TID_LEN + 2u)
#define OFF_FWD_WORKER (OFF_FWD + 1u)
#define OFF_KEY_LEN0  (OFF_FWD_WORKER + 2u)
#define OFF_KEY_LEN1  (OFF_KEY_LEN0 + 1u + 1u + 1u + 8u + 32u)
#define OFF_USER_LEN  (OFF_KEY_LEN1 + 1u + 1u + 1u + 8u + 20u)
#define OFF_NBINDS    (OFF_USER_LEN + 2u + HA_REC_USER_MAX)
#define OFF_BIND0     (OFF_NBINDS + 1u)
#define OFF_CHAN16    (OFF_BIND0 + 8u * (7u + 6u) + 8u * (19u + 6u) + 7u)

static void
expect_refused(const uint8_t *good, size_t n, size_t off, const uint8_t *v, size_t vn)
{
	uint8_t bad[HA_REC_MAX];
	struct ha_rec back;

	memcpy(bad, good, n);
	memcpy(bad + off, v, vn);
	back.id = 99;
	assert_int_equal(ha_rec_decode(bad, n, &back), -EINVAL);
	assert_true(back.id == 0);   /* nothing of a refused record kept */
}

static void
test_refusals(void **state)
{
	static uint8_t buf[HA_REC_MAX];
	struct ha_rec r, back;
	size_t n;
	int rc;

	(void)state;
	full(&r);
	rc = ha_rec_encode(&r, buf, sizeof(buf));
	assert_true(rc > 0);
	n = (size_t)rc;
	/* the offsets above are right: each reads back its field */
	assert_int_equal(buf[OFF_TRANSPORT], 17);
	assert_int_equal(buf[OFF_CLIENT_FAMILY], 4);
	assert_int_equal(buf[OFF_SERVER_FAMILY], 6);
	assert_int_equal(buf[OFF_WORKER + 1], 5);
	assert_int_equal(buf[OFF_NRELAYED], 2);
	assert_int_equal(buf[OFF_RELAYED0], 4);
	assert_int_equal(buf[OFF_FWD], 1);
	assert_int_equal(buf[OFF_FWD_WORKER + 1], 9);
	assert_int_equal(buf[OFF_KEY_LEN0], 32);
	assert_int_equal(buf[OFF_KEY_LEN1], 20);
	assert_int_equal(buf[OFF_USER_LEN] << 8 | buf[OFF_USER_LEN + 1], HA_REC_USER_MAX);
	assert_int_equal(buf[OFF_NBINDS], HA_REC_BINDS_MAX);
	assert_int_equal(buf[OFF_CHAN16] << 8 | buf[OFF_CHAN16 + 1], 0x4010);
	assert_int_equal(ha_rec_decode(buf, n, &back), (int)n);

	/* lengths: the input shorter than the record, than the header */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(ha_rec_decode(buf, k, &back), -EINVAL);
	{
		uint8_t l[2];

		/* the length field: past the input, one short (a field cut), below
		 * the header, past the bound */
		l[0] = (uint8_t)((n + 1) >> 8); l[1] = (uint8_t)(n + 1);
		expect_refused(buf, n, OFF_LEN, l, 2);
		l[0] = (uint8_t)((n - 1) >> 8); l[1] = (uint8_t)(n - 1);
		expect_refused(buf, n, OFF_LEN, l, 2);
		l[0] = 0; l[1] = 2;
		expect_refused(buf, n, OFF_LEN, l, 2);
	}
	{
		/* a byte left over inside the length */
		static uint8_t more[HA_REC_MAX + 1];

		memcpy(more, buf, n);
		more[n] = 0;
		more[1] = (uint8_t)((n + 1) >> 8);
		more[2] = (uint8_t)(n + 1);
		assert_int_equal(ha_rec_decode(more, n + 1, &back), -EINVAL);
	}
	{
		static uint8_t big[HA_REC_MAX + 8];

		memcpy(big, buf, n);
		big[1] = (uint8_t)((HA_REC_MAX + 1) >> 8);
		big[2] = (uint8_t)(HA_REC_MAX + 1);
		assert_int_equal(ha_rec_decode(big, sizeof(big), &back), -EINVAL);
	}
	/* values */
	{
		const uint8_t v0 = 0, v3 = 3, v2 = 2, v5 = 5, v33 = 33, v99 = 99;
		const uint8_t id0[8] = { 0 };
		const uint8_t w64[2] = { 0, IPC_MAX_WORKERS };
		const uint8_t f4[2] = { 0, 4 };
		const uint8_t ulen[2] = { (HA_REC_USER_MAX + 1) >> 8, (uint8_t)(HA_REC_USER_MAX + 1) };
		const uint8_t ch[2] = { 0x7f, 0xff };	/* reserved (RFC 5766 §11) */
		const uint8_t ch8[2] = { 0x80, 0x00 };	/* not a channel's */
		const uint8_t ch3[2] = { 0x3f, 0xff };

		expect_refused(buf, n, OFF_TYPE, &v5, 1);
		expect_refused(buf, n, OFF_TYPE, &v3, 1);
		expect_refused(buf, n, OFF_TYPE, &v0, 1);
		expect_refused(buf, n, OFF_ID, id0, 8);
		expect_refused(buf, n, OFF_TRANSPORT, &v5, 1);
		expect_refused(buf, n, OFF_CLIENT_FAMILY, &v5, 1);
		expect_refused(buf, n, OFF_CLIENT_FAMILY, &v0, 1);
		expect_refused(buf, n, OFF_SERVER_FAMILY, &v99, 1);
		expect_refused(buf, n, OFF_WORKER, w64, 2);
		expect_refused(buf, n, OFF_FLAGS, f4, 2);
		expect_refused(buf, n, OFF_NRELAYED, &v0, 1);
		expect_refused(buf, n, OFF_NRELAYED, &v3, 1);
		expect_refused(buf, n, OFF_RELAYED0, &v5, 1);
		expect_refused(buf, n, OFF_FWD, &v2, 1);
		expect_refused(buf, n, OFF_FWD_WORKER, w64, 2);
		expect_refused(buf, n, OFF_KEY_LEN0, &v33, 1);
		expect_refused(buf, n, OFF_USER_LEN, ulen, 2);
		expect_refused(buf, n, OFF_NBINDS, &v33, 1);
		expect_refused(buf, n, OFF_BIND0, &v0, 1);
		expect_refused(buf, n, OFF_CHAN16, ch, 2);
		expect_refused(buf, n, OFF_CHAN16, ch3, 2);
		expect_refused(buf, n, OFF_CHAN16, ch8, 2);
	}
	/* encode keeps the same rules */
	full(&r); r.id = 0;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.type = 9;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.nrelayed = 3;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.nbinds = HA_REC_BINDS_MAX + 1;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.oauth[1].key_len = HA_REC_KEY_MAX + 1;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.user_len = HA_REC_USER_MAX + 1;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.fwd = false;     /* fwd_worker 9 without a forward */
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.binds[3].channel = 0x3fff;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.binds[3].channel = 0x7fff;      /* reserved, RFC 5766 §11 */
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	full(&r); r.tuple.transport = 1;
	assert_int_equal(ha_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
}

/* RFC 5766's channels, 0x4000-0x7FFE, which a box whose turn.channels is
 * "rfc5766" binds (coturn's turnutils_uclient draws from 0x4000-0x7FFF),
 * are mirrored as RFC 8656's are. Before the fix the codec refused any
 * above 0x4FFF: such an allocation's records were skipped on the active
 * box (records_refused), so the standby kept it as it was before its
 * ChannelBind and dropped its ChannelData after a takeover
 * (test_ha_turn's uclient over a channel lost everything after the kill). */
static void
test_rfc5766_channels(void **state)
{
	static uint8_t buf[HA_REC_MAX], again[HA_REC_MAX];
	static const uint16_t ch[] = { 0x4fff, 0x5000, 0x6a5c, 0x7ffe };
	struct ha_rec r, back;
	int n;

	(void)state;
	full(&r);
	for (unsigned int i = 0; i < sizeof(ch) / sizeof(ch[0]); i++)
		r.binds[20 + i].channel = ch[i];
	n = ha_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(ha_rec_decode(buf, (size_t)n, &back), n);
	for (unsigned int i = 0; i < sizeof(ch) / sizeof(ch[0]); i++)
		assert_int_equal(back.binds[20 + i].channel, ch[i]);
	assert_int_equal(ha_rec_encode(&back, again, sizeof(again)), n);
	assert_memory_equal(again, buf, (size_t)n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_field),
		cmocka_unit_test(test_rtp_round_trip_every_field),
		cmocka_unit_test(test_rtp_refusals),
		cmocka_unit_test(test_small_record),
		cmocka_unit_test(test_tombstone_and_batch),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rfc5766_channels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
