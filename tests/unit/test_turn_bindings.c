/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn's permission and channel lookups (turn_inlines.h): the first
 * TURN_HOT_BINDINGS live in the allocation's hot part, the rest in its
 * overflow blocks (a->ovf[], ids in the worker's pool); a binding is live
 * while expires_ms > now; an IPv4
 * address compares its four bytes and nothing after them. Tables are
 * calloc'd here: no hash, no EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "turn_inlines.h"

#define CAP 8u
#define NOW 100000u

struct fix {
	struct turn_worker t;
	struct turn_alloc *a;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->t.cap = CAP;
	f->t.allocs = aligned_alloc(64, sizeof(struct turn_alloc) * CAP);
	f->t.ovf.chunk = calloc(1, sizeof(*f->t.ovf.chunk));
	assert_non_null(f->t.allocs);
	assert_non_null(f->t.ovf.chunk);
	f->t.ovf.chunk[0] = calloc(TURN_OVF_CHUNK, sizeof(struct turn_ovf));
	assert_non_null(f->t.ovf.chunk[0]);
	f->t.ovf.nchunks = f->t.ovf.max_chunks = 1;
	memset(f->t.allocs, 0, sizeof(struct turn_alloc) * CAP);
	f->a = &f->t.allocs[5];
	/* its overflow blocks: ids 4 and 2 (1-based), by id, not by slot */
	f->a->ovf[0] = 4;
	f->a->ovf[1] = 2;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	free(f->t.allocs);
	free(f->t.ovf.chunk[0]);
	free(f->t.ovf.chunk);
	free(f);
	return 0;
}

static void
perm_v4(struct turn_perm *p, uint8_t last, uint64_t exp)
{
	memset(p, 0, sizeof(*p));
	p->family = NET_AF_IPV4;
	p->ip[0] = 192;
	p->ip[1] = 0;
	p->ip[2] = 2;
	p->ip[3] = last;
	memset(p->ip + 4, 0xee, 12);       /* never compared for IPv4 */
	p->expires_ms = exp;
}

/* A heap copy of exactly four bytes: ASan faults a longer read. */
static uint8_t *
ip4(uint8_t last)
{
	uint8_t *ip = malloc(4);

	ip[0] = 192;
	ip[1] = 0;
	ip[2] = 2;
	ip[3] = last;
	return ip;
}

/* Lookups reach every permission, hot and in both overflow blocks, at the
 * boundaries and beyond; the hot part holds [0, TURN_HOT_BINDINGS). */
static void
test_turn_bindings_perm_across_hot_cold(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;

	a->nperms = TURN_MAX_PERMS;
	for (unsigned int i = 0; i < TURN_MAX_PERMS; i++)
		perm_v4(turn_perm_at(&f->t, a, i), (uint8_t)(10 + i), NOW + 1 + i);
	assert_ptr_equal(turn_perm_at(&f->t, a, TURN_HOT_BINDINGS - 1),
			 &a->perms[TURN_HOT_BINDINGS - 1]);
	assert_ptr_equal(turn_perm_at(&f->t, a, TURN_HOT_BINDINGS),
			 &f->t.ovf.chunk[0][3].perms[0]);
	assert_ptr_equal(turn_perm_at(&f->t, a, TURN_HOT_BINDINGS + TURN_OVF_BINDINGS - 1),
			 &f->t.ovf.chunk[0][3].perms[TURN_OVF_BINDINGS - 1]);
	assert_ptr_equal(turn_perm_at(&f->t, a, TURN_HOT_BINDINGS + TURN_OVF_BINDINGS),
			 &f->t.ovf.chunk[0][1].perms[0]);
	for (unsigned int i = 0; i < TURN_MAX_PERMS; i++) {
		uint8_t *ip = ip4((uint8_t)(10 + i));
		const struct turn_perm *p = turn_perm_get(&f->t, a, NET_AF_IPV4, ip, NOW);

		assert_non_null(p);
		assert_int_equal(p->ip[3], 10 + i);
		assert_ptr_equal(p, turn_perm_at(&f->t, a, i));
		free(ip);
	}
	/* not one of them; and nothing past nperms is looked at */
	{
		uint8_t *ip = ip4(9);

		assert_false(turn_perm_ok(&f->t, a, NET_AF_IPV4, ip, NOW));
		a->nperms = TURN_HOT_BINDINGS;
		free(ip);
		ip = ip4(10 + TURN_HOT_BINDINGS);
		assert_false(turn_perm_ok(&f->t, a, NET_AF_IPV4, ip, NOW));
		free(ip);
	}
}

/* Live while expires_ms > now: equal is expired. */
static void
test_turn_bindings_expiry_boundary(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;
	uint8_t *ip = ip4(7);

	a->nperms = 3;
	perm_v4(&a->perms[0], 1, NOW + 5);
	perm_v4(&a->perms[1], 2, NOW + 5);
	perm_v4(&f->t.ovf.chunk[0][3].perms[0], 7, NOW);
	assert_false(turn_perm_ok(&f->t, a, NET_AF_IPV4, ip, NOW));
	assert_true(turn_perm_ok(&f->t, a, NET_AF_IPV4, ip, NOW - 1));
	free(ip);

	a->nchans = 3;
	a->chans[0].channel = 0x4000;
	a->chans[0].expires_ms = NOW + 1;
	a->chans[1].channel = 0x4001;
	a->chans[1].expires_ms = NOW + 1;
	f->t.ovf.chunk[0][3].chans[0].channel = 0x4002;
	f->t.ovf.chunk[0][3].chans[0].peer.family = NET_AF_IPV4;
	f->t.ovf.chunk[0][3].chans[0].peer.port = 9;
	f->t.ovf.chunk[0][3].chans[0].expires_ms = NOW;
	assert_null(turn_chan_by_number(&f->t, a, 0x4002, NOW));
	assert_non_null(turn_chan_by_number(&f->t, a, 0x4002, NOW - 1));
	assert_non_null(turn_chan_by_number(&f->t, a, 0x4000, NOW));
	assert_null(turn_chan_by_number(&f->t, a, 0x4003, 0));
}

/* An IPv6 lookup never matches an IPv4 permission with the same first
 * bytes, nor the other way round. */
static void
test_turn_bindings_family_mismatch(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;
	uint8_t ip[16];

	a->nperms = 1;
	perm_v4(&a->perms[0], 1, NOW + 1);
	memcpy(ip, a->perms[0].ip, 16);
	assert_true(turn_perm_ok(&f->t, a, NET_AF_IPV4, ip, NOW));
	assert_false(turn_perm_ok(&f->t, a, NET_AF_IPV6, ip, NOW));
	a->perms[0].family = NET_AF_IPV6;
	assert_false(turn_perm_ok(&f->t, a, NET_AF_IPV4, ip, NOW));
	assert_true(turn_perm_ok(&f->t, a, NET_AF_IPV6, ip, NOW));
	ip[15] ^= 1;                       /* v6 compares all sixteen */
	assert_false(turn_perm_ok(&f->t, a, NET_AF_IPV6, ip, NOW));
}

/* Channels by peer: address, port and family, hot and overflow. */
static void
test_turn_bindings_chan_by_peer(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;

	a->nchans = TURN_MAX_CHANNELS;
	for (unsigned int i = 0; i < TURN_MAX_CHANNELS; i++) {
		struct turn_chan *c = turn_chan_at(&f->t, a, i);

		c->channel = (uint16_t)(0x4000 + i);
		c->peer.family = NET_AF_IPV4;
		c->peer.ip[0] = 10;
		c->peer.ip[3] = (uint8_t)i;
		memset(c->peer.ip + 4, 0x77, 12);
		c->peer.port = (uint16_t)(5000 + i);
		c->expires_ms = NOW + 1;
	}
	assert_ptr_equal(turn_chan_at(&f->t, a, TURN_HOT_BINDINGS),
			 &f->t.ovf.chunk[0][3].chans[0]);
	assert_ptr_equal(turn_chan_at(&f->t, a, TURN_MAX_CHANNELS - 1),
			 &f->t.ovf.chunk[0][1].chans[TURN_MAX_CHANNELS - 1 - TURN_HOT_BINDINGS -
						      TURN_OVF_BINDINGS]);
	for (unsigned int i = 0; i < TURN_MAX_CHANNELS; i++) {
		uint8_t *ip = malloc(4);
		const struct turn_chan *c;

		ip[0] = 10;
		ip[1] = 0;
		ip[2] = 0;
		ip[3] = (uint8_t)i;
		c = turn_chan_by_peer(&f->t, a, NET_AF_IPV4, ip, (uint16_t)(5000 + i), NOW);
		assert_non_null(c);
		assert_int_equal(c->channel, 0x4000 + i);
		assert_null(turn_chan_by_peer(&f->t, a, NET_AF_IPV4, ip,
					      (uint16_t)(5001 + i), NOW));
		free(ip);
		{
			uint8_t ip16[16] = { 10, 0, 0, (uint8_t)i };

			memset(ip16 + 4, 0x77, 12);
			assert_null(turn_chan_by_peer(&f->t, a, NET_AF_IPV6, ip16,
						      (uint16_t)(5000 + i), NOW));
		}
	}
}

/* The relayed address of a family, of one or two: the worker's address
 * of each of the allocation's tables. */
static void
test_turn_bindings_relayed_for(void **state)
{
	struct fix *f = *state;
	struct turn_alloc *a = f->a;

	f->t.relay_addr[3].family = NET_AF_IPV6;
	f->t.relay_addr[1].family = NET_AF_IPV4;
	a->nrelayed = 1;
	a->relay_tbl[0] = 3;
	a->relay_tbl[1] = 1;                    /* beyond nrelayed */
	assert_ptr_equal(turn_relayed_for(&f->t, a, NET_AF_IPV6), &f->t.relay_addr[3]);
	assert_null(turn_relayed_for(&f->t, a, NET_AF_IPV4));
	a->nrelayed = 2;
	assert_ptr_equal(turn_relayed_for(&f->t, a, NET_AF_IPV4), &f->t.relay_addr[1]);
}

/* dp_local4/6(): a relayed address is found by its last byte and one
 * compare, among TP_CONF_MAX_RELAY of them; addresses that share a last
 * byte are compared all; anything else is not ours. */
static void
test_turn_bindings_relay_address_lookup(void **state)
{
	static struct dp_port p;
	uint8_t a4[4], a6[16];
	bool own;
	int idx;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.has_ip4 = p.has_ip6 = true;
	memcpy(p.ip4, (uint8_t[4]){ 10, 1, 0, 1 }, 4);
	p.ip6[0] = 0xfd;
	p.ip6[15] = 1;
	p.own_relay4 = p.own_relay6 = -1;
	/* 10.1.0.10 .. : the last two share their last byte with the first */
	p.nrelay4 = TP_CONF_MAX_RELAY;
	p.nrelay6 = TP_CONF_MAX_RELAY;
	for (unsigned int i = 0; i < TP_CONF_MAX_RELAY; i++) {
		uint8_t b[4] = { 10, i + 2 >= TP_CONF_MAX_RELAY ? 2 : 1, 0,
				 (uint8_t)(i + 2 >= TP_CONF_MAX_RELAY ? 10 : 10 + i) };

		if (i + 1 == TP_CONF_MAX_RELAY)
			b[1] = 3;
		memcpy(&p.relay4[i], b, 4);
		p.relay6[i][0] = 0xfd;
		p.relay6[i][1] = i + 2 >= TP_CONF_MAX_RELAY ? (uint8_t)(i + 1) : 0;
		p.relay6[i][15] = b[3];
	}
	dp_port_relay_index(&p);
	for (unsigned int i = 0; i < TP_CONF_MAX_RELAY; i++) {
		memcpy(a4, &p.relay4[i], 4);
		assert_true(dp_local4(&p, a4, &own, &idx));
		assert_false(own);
		assert_int_equal(idx, i);
		memcpy(a6, p.relay6[i], 16);
		assert_true(dp_local6(&p, a6, &own, &idx));
		assert_int_equal(idx, i);
	}
	memcpy(a4, (uint8_t[4]){ 10, 9, 0, 10 }, 4);      /* a shared last byte */
	assert_false(dp_local4(&p, a4, &own, &idx));
	memcpy(a4, (uint8_t[4]){ 10, 9, 0, 11 }, 4);      /* one address's */
	assert_false(dp_local4(&p, a4, &own, &idx));
	memcpy(a4, (uint8_t[4]){ 10, 1, 0, 200 }, 4);     /* nobody's */
	assert_false(dp_local4(&p, a4, &own, &idx));
	assert_true(dp_local4(&p, p.ip4, &own, &idx));
	assert_true(own);
	assert_int_equal(idx, -1);
	memcpy(a6, p.relay6[3], 16);
	a6[2] ^= 1;
	assert_false(dp_local6(&p, a6, &own, &idx));
	assert_int_equal(p.relay4_at[10], DP_RELAY_SCAN);
	assert_int_equal(p.relay4_at[11], 2);
}

/* Tenants' TURN addresses: local to their access port as its own address
 * is (own, not relayed), each found with its tenant index by its last
 * byte, those sharing one compared all; the port's own address and a
 * relayed one are the default tenant's; anything else is not ours. A port
 * without tenants answers exactly as before. */
static void
test_turn_bindings_tenant_address_lookup(void **state)
{
	static struct dp_port p;
	uint8_t a4[4], a6[16];
	bool own;
	int idx;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.has_ip4 = p.has_ip6 = true;
	memcpy(p.ip4, (uint8_t[4]){ 10, 200, 0, 1 }, 4);
	p.ip6[0] = 0xfd;
	p.ip6[15] = 1;
	p.own_relay4 = p.own_relay6 = -1;
	p.nrelay4 = 1;
	memcpy(&p.relay4[0], (uint8_t[4]){ 10, 200, 0, 50 }, 4);
	dp_port_relay_index(&p);
	dp_port_tenant_index(&p);
	memcpy(a4, (uint8_t[4]){ 10, 200, 0, 11 }, 4);
	assert_false(dp_local4(&p, a4, &own, &idx));      /* no tenants yet */
	assert_int_equal(dp_tenant4(&p, a4), 0);

	/* tenant 1: 10.200.0.11 and 10.200.1.11 (a shared last byte);
	 * tenant 2: 10.200.0.12 and fd..12 */
	p.nta4 = 3;
	memcpy(&p.ta4[0], (uint8_t[4]){ 10, 200, 0, 11 }, 4);
	memcpy(&p.ta4[1], (uint8_t[4]){ 10, 200, 1, 11 }, 4);
	memcpy(&p.ta4[2], (uint8_t[4]){ 10, 200, 0, 12 }, 4);
	p.ta4_tenant[0] = p.ta4_tenant[1] = 1;
	p.ta4_tenant[2] = 2;
	p.nta6 = 1;
	p.ta6[0][0] = 0xfd;
	p.ta6[0][15] = 12;
	p.ta6_tenant[0] = 2;
	dp_port_tenant_index(&p);
	assert_int_equal(p.ta4_at[11], DP_RELAY_SCAN);
	assert_int_equal(p.ta4_at[12], 3);

	for (unsigned int i = 0; i < p.nta4; i++) {
		memcpy(a4, &p.ta4[i], 4);
		own = false;
		idx = 5;
		assert_true(dp_local4(&p, a4, &own, &idx));
		assert_true(own);
		assert_int_equal(idx, -1);
		assert_int_equal(dp_tenant4(&p, a4), p.ta4_tenant[i]);
		assert_int_equal(dp_tenant_of(&p, NET_AF_IPV4, a4), p.ta4_tenant[i]);
		assert_true(dp_port_turn_addr(&p, NET_AF_IPV4, a4));
	}
	assert_true(dp_local6(&p, p.ta6[0], &own, &idx));
	assert_true(own);
	assert_int_equal(idx, -1);
	assert_int_equal(dp_tenant_of(&p, NET_AF_IPV6, p.ta6[0]), 2);
	assert_true(dp_port_turn_addr(&p, NET_AF_IPV6, p.ta6[0]));

	/* the port's own address and the relayed one: the default tenant */
	assert_true(dp_local4(&p, p.ip4, &own, &idx));
	assert_true(own);
	assert_int_equal(dp_tenant4(&p, p.ip4), 0);
	assert_true(dp_port_turn_addr(&p, NET_AF_IPV4, p.ip4));
	memcpy(a4, &p.relay4[0], 4);
	assert_true(dp_local4(&p, a4, &own, &idx));
	assert_false(own);
	assert_int_equal(idx, 0);
	assert_int_equal(dp_tenant4(&p, a4), 0);
	assert_false(dp_port_turn_addr(&p, NET_AF_IPV4, a4));
	assert_int_equal(dp_tenant6(&p, p.ip6), 0);

	/* nobody's: a shared last byte, one tenant address's, another */
	memcpy(a4, (uint8_t[4]){ 10, 200, 2, 11 }, 4);
	assert_false(dp_local4(&p, a4, &own, &idx));
	assert_int_equal(dp_tenant4(&p, a4), 0);
	memcpy(a4, (uint8_t[4]){ 10, 201, 0, 12 }, 4);
	assert_false(dp_local4(&p, a4, &own, &idx));
	assert_false(dp_port_turn_addr(&p, NET_AF_IPV4, a4));
	memcpy(a4, (uint8_t[4]){ 10, 200, 0, 13 }, 4);
	assert_false(dp_local4(&p, a4, &own, &idx));
	memcpy(a6, p.ta6[0], 16);
	a6[3] ^= 1;
	assert_false(dp_local6(&p, a6, &own, &idx));
	assert_int_equal(dp_tenant6(&p, a6), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turn_bindings_perm_across_hot_cold,
						setup, teardown),
		cmocka_unit_test(test_turn_bindings_relay_address_lookup),
		cmocka_unit_test(test_turn_bindings_tenant_address_lookup),
		cmocka_unit_test_setup_teardown(test_turn_bindings_expiry_boundary,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_bindings_family_mismatch,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_bindings_chan_by_peer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_bindings_relayed_for,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
