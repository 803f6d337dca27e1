/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/policy: safe defaults for every address class in both families,
 * mapped/compatible/NAT64 forms judged as the IPv4 they carry, 6to4 and
 * Teredo refused even when listed, deny over allow, allow over the class
 * defaults, own addresses never, prefix boundaries, bad list entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "policy.h"

static struct cp_policy *p;

static int
setup(void **state)
{
	(void)state;
	p = cp_policy_create();
	return p == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	cp_policy_free(p);
	return 0;
}

static enum cp_policy_verdict
judge(const char *ip, uint16_t port)
{
	struct cp_addr a, canon;

	memset(&a, 0, sizeof(a));
	a.port = port;
	if (inet_pton(AF_INET, ip, a.ip) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, ip, a.ip) == 1)
		a.family = 6;
	else
		fail_msg("bad test address %s", ip);
	return cp_policy_check(p, &a, &canon);
}

static void
test_policy_defaults_by_class(void **state)
{
	static const struct { const char *ip; enum cp_policy_verdict v; } cases[] = {
		{ "192.0.2.1", CP_POLICY_ACCEPT },
		{ "8.8.8.8", CP_POLICY_ACCEPT },
		{ "2001:db8::1", CP_POLICY_ACCEPT },
		{ "0.0.0.0", CP_POLICY_UNSPECIFIED },
		{ "0.255.255.255", CP_POLICY_UNSPECIFIED },
		{ "::", CP_POLICY_UNSPECIFIED },
		{ "127.0.0.1", CP_POLICY_LOOPBACK },
		{ "::1", CP_POLICY_LOOPBACK },
		{ "169.254.1.1", CP_POLICY_LINK_LOCAL },
		{ "fe80::1", CP_POLICY_LINK_LOCAL },
		{ "224.0.0.1", CP_POLICY_MULTICAST },
		{ "ff02::1", CP_POLICY_MULTICAST },
		{ "255.255.255.255", CP_POLICY_BROADCAST },
		{ "240.0.0.1", CP_POLICY_RESERVED },
		{ "10.1.2.3", CP_POLICY_PRIVATE },
		{ "172.16.0.0", CP_POLICY_PRIVATE },
		{ "172.31.255.255", CP_POLICY_PRIVATE },
		{ "172.32.0.0", CP_POLICY_ACCEPT },
		{ "172.15.255.255", CP_POLICY_ACCEPT },
		{ "192.168.9.9", CP_POLICY_PRIVATE },
		{ "100.64.0.1", CP_POLICY_PRIVATE },
		{ "100.128.0.1", CP_POLICY_ACCEPT },
		{ "fd00::1", CP_POLICY_PRIVATE },
		{ "fc00::1", CP_POLICY_PRIVATE },
		{ "fe00::1", CP_POLICY_ACCEPT },
		{ "fec0::1", CP_POLICY_PRIVATE },
		{ "2002:c000:0201::1", CP_POLICY_SIXTOFOUR },
		{ "2001:0:4136:e378::1", CP_POLICY_TEREDO },
		{ "2001:1::1", CP_POLICY_ACCEPT },
		{ "::ffff:127.0.0.1", CP_POLICY_LOOPBACK },
		{ "::ffff:192.0.2.1", CP_POLICY_ACCEPT },
		{ "::ffff:10.0.0.1", CP_POLICY_PRIVATE },
		{ "::10.0.0.1", CP_POLICY_PRIVATE },
		{ "64:ff9b::7f00:1", CP_POLICY_LOOPBACK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (judge(cases[i].ip, 3478) != cases[i].v)
			fail_msg("%s: got %s, want %s", cases[i].ip,
				 cp_policy_verdict_name(judge(cases[i].ip, 3478)),
				 cp_policy_verdict_name(cases[i].v));
	assert_int_equal(judge("192.0.2.1", 0), CP_POLICY_PORT_ZERO);
}

static void
test_policy_lists_and_flags(void **state)
{
	char err[128];
	struct cp_addr own;

	(void)state;
	assert_int_equal(cp_policy_add_allow(p, "10.201.0.0/24", err, sizeof(err)), 0);
	assert_int_equal(cp_policy_add_allow(p, "2002::/16", err, sizeof(err)), 0);
	assert_int_equal(cp_policy_add_deny(p, "192.0.2.128/25", err, sizeof(err)), 0);
	assert_int_equal(cp_policy_add_allow(p, "192.0.2.0/24", err, sizeof(err)), 0);
	assert_int_equal(judge("10.201.0.7", 1), CP_POLICY_ACCEPT);
	assert_int_equal(judge("::ffff:10.201.0.7", 1), CP_POLICY_ACCEPT);
	assert_int_equal(judge("10.201.1.7", 1), CP_POLICY_PRIVATE);
	assert_int_equal(judge("2002::1", 1), CP_POLICY_SIXTOFOUR);   /* always */
	assert_int_equal(judge("192.0.2.200", 1), CP_POLICY_DENY_LIST);
	assert_int_equal(judge("192.0.2.127", 1), CP_POLICY_ACCEPT);
	memset(&own, 0, sizeof(own));
	own.family = 4;
	own.ip[0] = 10; own.ip[1] = 201; own.ip[3] = 1;
	cp_policy_add_own(p, &own);
	assert_int_equal(judge("10.201.0.1", 9), CP_POLICY_OWN_ADDRESS);
	assert_int_equal(judge("::ffff:10.201.0.1", 9), CP_POLICY_OWN_ADDRESS);
	p->allow_private = true;
	p->allow_loopback = true;
	assert_int_equal(judge("10.9.9.9", 1), CP_POLICY_ACCEPT);
	assert_int_equal(judge("127.0.0.1", 1), CP_POLICY_ACCEPT);
	assert_int_equal(judge("169.254.0.1", 1), CP_POLICY_LINK_LOCAL);
	assert_int_equal(cp_policy_add_allow(p, "10.0.0.1/8", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host bits"));
	assert_int_equal(cp_policy_add_deny(p, "10.0.0.0", err, sizeof(err)), -EINVAL);
	assert_int_equal(cp_policy_add_deny(p, "10.0.0.0/40", err, sizeof(err)), -EINVAL);
	assert_int_equal(cp_policy_add_deny(p, "zz/8", err, sizeof(err)), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_policy_defaults_by_class, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_lists_and_flags, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
