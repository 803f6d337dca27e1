/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's matcher (li_match.c, docs/design/li.md §4): tasks met with
 * allocations by their client's address (an address, a CIDR of either
 * family, IPv4-mapped IPv6 as IPv4 on both sides) and their user
 * (user@realm within the tenant of that realm, without case; user alone
 * in any); the first task wins; a change of
 * the tables is seen (the index rebuilt); the tap given to dp carries
 * the XID, the correlation ID (the task's, or the allocation's id) and
 * the destinations that take X3 only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_types.h"
#include "li.h"
#include "li_internal.h"

static struct cp_li *
li_new(void)
{
	struct cp_li *li = calloc(1, sizeof(*li));

	assert_non_null(li);
	return li;
}

static void
li_free(struct cp_li *li)
{
	while (li->ntasks > 0)
		cp_li_task_drop(li, li->ntasks - 1);
	cp_li_index_free(li);
	free(li);
}

static void
task_add(struct cp_li *li, uint8_t id, const struct x1_target *tg, unsigned int n)
{
	struct cp_li_task t;

	memset(&t, 0, sizeof(t));
	t.t.xid[0] = id;
	t.t.n_targets = (uint8_t)n;
	memcpy(t.t.targets, tg, n * sizeof(*tg));
	t.t.delivery = X1_DELIVERY_X3_ONLY;
	t.t.n_dids = 1;
	t.t.dids[0][0] = 0xd0;
	assert_int_equal(cp_li_task_set(li, &t), 0);
}

static struct x1_target
nai(const char *s)
{
	struct x1_target t = { .kind = X1_T_NAI };

	snprintf(t.nai, sizeof(t.nai), "%s", s);
	return t;
}

static struct x1_target
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t prefix)
{
	struct x1_target t = { .kind = prefix == 32 ? X1_T_IPV4 : X1_T_IPV4_CIDR, .family = 4,
			       .prefix = prefix, .addr = { a, b, c, d } };

	return t;
}

static int
who(struct cp_li *li, const char *user, const char *realm, uint8_t family, const uint8_t *ip)
{
	struct cp_li_who w = { .family = family, .ip = ip, .user = user,
			       .user_len = user != NULL ? strlen(user) : 0, .realm = realm };
	const struct cp_li_task *t = cp_li_match(li, &w);

	return t == NULL ? -1 : t->t.xid[0];
}

static const uint8_t IP_A[16] = { 10, 210, 0, 2 };
static const uint8_t IP_B[16] = { 192, 0, 2, 9 };
static const uint8_t IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 };

static void
test_cp_li_match_nai_within_its_tenant(void **state)
{
	struct cp_li *li = li_new();
	struct x1_target t = nai("alice@a.example");

	(void)state;
	assert_int_equal(who(li, "alice", "a.example", 4, IP_A), -1);   /* no task */
	task_add(li, 1, &t, 1);
	assert_int_equal(who(li, "alice", "a.example", 4, IP_A), 1);
	assert_int_equal(who(li, "alice", "b.example", 4, IP_A), -1);   /* another tenant */
	assert_int_equal(who(li, "alicia", "a.example", 4, IP_A), -1);
	/* the user as given: a TURN REST name's user part is the caller's
	 * to read (cp/auth's reading, li_taps.c; test_cp_li_taps) */
	assert_int_equal(who(li, "1700000000:alice", "a.example", 4, IP_A), -1);
	/* a bare NAI: every tenant */
	t = nai("bob");
	task_add(li, 2, &t, 1);
	assert_int_equal(who(li, "bob", "a.example", 4, IP_A), 2);
	assert_int_equal(who(li, "bob", "b.example", 4, IP_A), 2);
	assert_int_equal(who(li, "bob", NULL, 4, IP_A), 2);
	li_free(li);
}

/* S4, S14 of slice 4's review: a NAI's realm must be the allocation's
 * tenant's, without case; the whole username is never looked up as a
 * NAI (a static user "alice@a.example" of tenant r.test is no target
 * "alice@a.example"); a NAI with an empty user or realm names no one. */
static void
test_cp_li_match_nai_realm_is_the_tenants_without_case(void **state)
{
	struct cp_li *li = li_new();
	struct x1_target t = nai("alice@A.Example"), e1 = nai("@r.test"), e2 = nai("carol@");

	(void)state;
	task_add(li, 1, &t, 1);
	task_add(li, 2, &e1, 1);
	task_add(li, 3, &e2, 1);
	assert_int_equal(who(li, "alice", "a.example", 4, IP_A), 1);
	assert_int_equal(who(li, "alice", "A.EXAMPLE", 4, IP_A), 1);
	/* another tenant's user of that whole name */
	assert_int_equal(who(li, "alice@a.example", "r.test", 4, IP_A), -1);
	assert_int_equal(who(li, "alice@A.Example", NULL, 4, IP_A), -1);
	assert_int_equal(who(li, "alice", "r.test", 4, IP_A), -1);
	assert_int_equal(who(li, "alice", NULL, 4, IP_A), -1);
	assert_int_equal(who(li, "alice", "a.example.org", 4, IP_A), -1);
	assert_int_equal(who(li, "carol", "r.test", 4, IP_A), -1);
	assert_int_equal(who(li, "carol", "", 4, IP_A), -1);
	/* a user whose name holds an '@': the NAI's realm after the last */
	t = nai("dave@corp@a.example");
	task_add(li, 4, &t, 1);
	assert_int_equal(who(li, "dave@corp", "a.example", 4, IP_A), 4);
	assert_int_equal(who(li, "dave", "corp", 4, IP_A), -1);
	li_free(li);
}

/* S14: an IPv4-mapped IPv6 address is its IPv4 address, a client's and a
 * target's (an address, or a CIDR of /96 and longer). */
static void
test_cp_li_match_mapped_ipv6_is_ipv4(void **state)
{
	struct cp_li *li = li_new();
	struct x1_target a = v4(10, 210, 0, 2, 32);
	struct x1_target m6 = { .kind = X1_T_IPV6, .family = 6, .prefix = 128,
				.addr = { [10] = 0xff, [11] = 0xff, 198, 51, 100, 7 } };
	struct x1_target c6 = { .kind = X1_T_IPV6_CIDR, .family = 6, .prefix = 120,
				.addr = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 0 } };
	const uint8_t mapped_a[16] = { [10] = 0xff, [11] = 0xff, 10, 210, 0, 2 };
	const uint8_t mapped_b[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 9 };
	const uint8_t v4_m[16] = { 198, 51, 100, 7 };
	const uint8_t mapped_m[16] = { [10] = 0xff, [11] = 0xff, 198, 51, 100, 7 };
	const uint8_t compat[16] = { [12] = 10, 210, 0, 2 };    /* ::10.210.0.2: not mapped */

	(void)state;
	task_add(li, 1, &a, 1);
	task_add(li, 2, &m6, 1);
	task_add(li, 3, &c6, 1);
	assert_int_equal(who(li, NULL, NULL, 6, mapped_a), 1);
	assert_int_equal(who(li, NULL, NULL, 4, v4_m), 2);
	assert_int_equal(who(li, NULL, NULL, 6, mapped_m), 2);
	assert_int_equal(who(li, NULL, NULL, 4, IP_B), 3);
	assert_int_equal(who(li, NULL, NULL, 6, mapped_b), 3);
	assert_int_equal(who(li, NULL, NULL, 6, compat), -1);
	assert_int_equal(who(li, NULL, NULL, 6, IP6), -1);
	li_free(li);
}

static void
test_cp_li_match_addresses_and_cidrs(void **state)
{
	struct cp_li *li = li_new();
	struct x1_target a = v4(10, 210, 0, 2, 32), n = v4(192, 0, 2, 0, 24);
	struct x1_target s6 = { .kind = X1_T_IPV6_CIDR, .family = 6, .prefix = 64,
				.addr = { 0x20, 0x01, 0x0d, 0xb8 } };

	(void)state;
	task_add(li, 3, &a, 1);
	task_add(li, 4, &n, 1);
	task_add(li, 5, &s6, 1);
	assert_int_equal(who(li, "x", "r", 4, IP_A), 3);
	assert_int_equal(who(li, "x", "r", 4, IP_B), 4);
	{
		const uint8_t out[16] = { 192, 0, 3, 9 };

		assert_int_equal(who(li, "x", "r", 4, out), -1);
	}
	assert_int_equal(who(li, "x", "r", 6, IP6), 5);
	{
		uint8_t other6[16];

		memcpy(other6, IP6, 16);
		other6[7] = 1;            /* another /64 */
		assert_int_equal(who(li, "x", "r", 6, other6), -1);
	}
	li_free(li);
}

/* Of two tasks, the first made; its drop seen at once (the index is
 * rebuilt), the second's then. */
static void
test_cp_li_match_first_task_then_the_next(void **state)
{
	struct cp_li *li = li_new();
	struct x1_target t1[2] = { nai("zed"), v4(10, 210, 0, 0, 16) }, t2 = nai("alice@r");

	(void)state;
	task_add(li, 7, t1, 2);
	task_add(li, 8, &t2, 1);
	assert_int_equal(who(li, "alice", "r", 4, IP_A), 7);
	cp_li_task_drop(li, 0);
	assert_int_equal(who(li, "alice", "r", 4, IP_A), 8);
	cp_li_task_drop(li, 0);
	assert_int_equal(who(li, "alice", "r", 4, IP_A), -1);
	li_free(li);
}

/* cp_li_has_nai(): a caller reads an allocation's user (a REST name's
 * part, T48's 1,250 instructions) only while some task names a NAI; it
 * follows the tables as they change. */
static void
test_cp_li_has_nai_follows_the_tables(void **state)
{
	struct cp_li *li = li_new();
	struct x1_target a = v4(10, 210, 0, 0, 16), n = nai("alice@r"), bad = nai("@r");

	(void)state;
	assert_false(cp_li_has_nai(li));                 /* no task */
	task_add(li, 1, &a, 1);
	assert_false(cp_li_has_nai(li));                 /* an address only */
	task_add(li, 2, &bad, 1);
	assert_false(cp_li_has_nai(li));                 /* a NAI naming no one */
	task_add(li, 3, &n, 1);
	assert_true(cp_li_has_nai(li));
	assert_int_equal(who(li, "alice", "r", 4, IP_B), 3);
	cp_li_task_drop(li, 2);
	assert_false(cp_li_has_nai(li));                 /* its drop seen at once */
	li_free(li);
}

static void
test_cp_li_tap_of_x3_destinations_only(void **state)
{
	struct cp_li *li = li_new();
	struct x1_target t = nai("alice");
	struct cp_li_dest d;
	struct ipc_alloc_tap tap;
	const struct cp_li_task *k;

	(void)state;
	task_add(li, 9, &t, 1);
	k = li->tasks[0];
	/* its DID unknown: no tap */
	assert_false(cp_li_tap_of(li, k, 77, &tap));
	assert_int_equal(tap.on, 0);
	memset(&d, 0, sizeof(d));
	d.d.did[0] = 0xd0;
	d.d.ip_port = d.d.tcp = true;
	d.d.family = 4;
	d.d.addr[0] = 127;
	d.d.addr[3] = 1;
	d.d.port = 7000;
	d.d.delivery = X1_DELIVERY_X2_ONLY;
	assert_int_equal(cp_li_dest_set(li, &d), 0);
	assert_false(cp_li_tap_of(li, k, 77, &tap));   /* X2 only */
	d.d.delivery = X1_DELIVERY_X2_AND_X3;
	assert_int_equal(cp_li_dest_set(li, &d), 0);
	assert_true(cp_li_tap_of(li, k, 77, &tap));
	assert_int_equal(tap.on, 1);
	assert_int_equal(tap.ndest, 1);
	assert_int_equal(tap.dest[0].port, 7000);
	assert_int_equal(tap.dest[0].ip[0], 127);
	assert_int_equal(tap.xid[0], 9);
	assert_int_equal(tap.correlation, 77);         /* the allocation's */
	li->tasks[0]->t.has_corr = true;
	li->tasks[0]->t.corr = 0x1122334455667788ull;
	assert_true(cp_li_tap_of(li, k, 77, &tap));
	assert_int_equal(tap.correlation, 0x1122334455667788ull);
	assert_false(cp_li_tap_of(li, NULL, 77, &tap));
	while (li->ndests > 0)
		cp_li_dest_drop(li, 0);
	li_free(li);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cp_li_match_nai_within_its_tenant),
		cmocka_unit_test(test_cp_li_match_nai_realm_is_the_tenants_without_case),
		cmocka_unit_test(test_cp_li_match_mapped_ipv6_is_ipv4),
		cmocka_unit_test(test_cp_li_match_addresses_and_cidrs),
		cmocka_unit_test(test_cp_li_match_first_task_then_the_next),
		cmocka_unit_test(test_cp_li_has_nai_follows_the_tables),
		cmocka_unit_test(test_cp_li_tap_of_x3_destinations_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
