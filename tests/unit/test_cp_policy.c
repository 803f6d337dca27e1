/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/policy: safe defaults for every address class in both families, with
 * the first and last address of each range and the ones just outside;
 * mapped, compatible and NAT64 forms judged as the IPv4 they carry; 6to4
 * and Teredo refused even when listed; deny over allow, allow over the
 * class defaults; own addresses in every form, even when allowed; the
 * network, broadcast and subnet anycast addresses of our ports' subnets,
 * even when allowed, at every prefix length's edge; malformed list entries;
 * canonical forms; verdict names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

static int
setup(void **state)
{
	*state = cp_policy_create();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	cp_policy_free(*state);
	return 0;
}

static struct cp_addr
addr(const char *ip, uint16_t port)
{
	struct cp_addr a;

	memset(&a, 0, sizeof(a));
	a.port = port;
	if (inet_pton(AF_INET, ip, a.ip) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, ip, a.ip) == 1)
		a.family = 6;
	else
		fail_msg("bad test address %s", ip);
	return a;
}

static void
expect_at(const struct cp_policy *p, const char *ip, uint16_t port,
	  enum cp_policy_verdict want, int line)
{
	struct cp_addr a = addr(ip, port), canon;
	enum cp_policy_verdict got = cp_policy_check(p, &a, &canon);

	if (got != want)
		fail_msg("line %d: %s port %u: got %s, want %s", line, ip,
			 (unsigned int)port, cp_policy_verdict_name(got),
			 cp_policy_verdict_name(want));
}

#define EXPECT(p, ip, v) expect_at((p), (ip), 3478, CP_POLICY_##v, __LINE__)

static void
add_ok(int rc, const char *err)
{
	if (rc != 0)
		fail_msg("adding a prefix failed: %d (%s)", rc, err);
}

/* ---- classes ----------------------------------------------------------- */

static void
test_policy_accepts_public_and_documentation_ranges(void **state)
{
	const struct cp_policy *p = *state;

	EXPECT(p, "192.0.2.1", ACCEPT);		/* TEST-NET-1 */
	EXPECT(p, "198.51.100.1", ACCEPT);	/* TEST-NET-2 */
	EXPECT(p, "203.0.113.255", ACCEPT);	/* TEST-NET-3 */
	EXPECT(p, "8.8.8.8", ACCEPT);
	EXPECT(p, "1.0.0.0", ACCEPT);		/* just after 0/8 */
	EXPECT(p, "2001:db8::1", ACCEPT);
	EXPECT(p, "2a00:1450::1", ACCEPT);
	EXPECT(p, "::ffff:192.0.2.1", ACCEPT);
}

static void
test_policy_refuses_unspecified_and_this_network(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	EXPECT(p, "0.0.0.0", UNSPECIFIED);
	EXPECT(p, "0.255.255.255", UNSPECIFIED);
	EXPECT(p, "::", UNSPECIFIED);
	EXPECT(p, "::ffff:0.0.0.0", UNSPECIFIED);
	/* nothing the operator says opens them */
	p->allow_loopback = p->allow_private = true;
	p->allow_link_local = p->allow_multicast = true;
	add_ok(cp_policy_add_allow(p, "0.0.0.0/0", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "::/0", err, sizeof(err)), err);
	EXPECT(p, "0.0.0.1", UNSPECIFIED);
	EXPECT(p, "::", UNSPECIFIED);
	EXPECT(p, "1.0.0.0", ACCEPT);
}

static void
test_policy_refuses_port_zero(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_allow(p, "192.0.2.0/24", err, sizeof(err)), err);
	expect_at(p, "192.0.2.1", 0, CP_POLICY_PORT_ZERO, __LINE__);
	expect_at(p, "2001:db8::1", 0, CP_POLICY_PORT_ZERO, __LINE__);
	expect_at(p, "::ffff:192.0.2.1", 0, CP_POLICY_PORT_ZERO, __LINE__);
	expect_at(p, "192.0.2.1", 1, CP_POLICY_ACCEPT, __LINE__);
	expect_at(p, "192.0.2.1", 65535, CP_POLICY_ACCEPT, __LINE__);
}

static void
test_policy_refuses_6to4_and_teredo_at_the_boundaries(void **state)
{
	const struct cp_policy *p = *state;

	EXPECT(p, "2002::", SIXTOFOUR);
	EXPECT(p, "2002:c000:0201::1", SIXTOFOUR);
	EXPECT(p, "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", SIXTOFOUR);
	EXPECT(p, "2003::", ACCEPT);
	EXPECT(p, "2001::", TEREDO);
	EXPECT(p, "2001:0:4136:e378:8000:63bf:3fff:fdd2", TEREDO);
	EXPECT(p, "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", TEREDO);
	EXPECT(p, "2001:1::", ACCEPT);
	EXPECT(p, "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ACCEPT);
	EXPECT(p, "2001:db8::", ACCEPT);	/* inside 2001::/16, not /32 */
}

static void
test_policy_refuses_6to4_and_teredo_even_when_allowed(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	p->allow_loopback = p->allow_private = true;
	p->allow_link_local = p->allow_multicast = true;
	add_ok(cp_policy_add_allow(p, "2002::/16", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "2001::/32", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "::/0", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "2002:c000:201::1/128", err, sizeof(err)), err);
	EXPECT(p, "2002:c000:201::1", SIXTOFOUR);
	EXPECT(p, "2001:0:4136:e378::1", TEREDO);
	EXPECT(p, "2003::1", ACCEPT);		/* the lists do work */
}

static void
test_policy_loopback_both_families(void **state)
{
	struct cp_policy *p = *state;

	EXPECT(p, "126.255.255.255", ACCEPT);
	EXPECT(p, "127.0.0.0", LOOPBACK);
	EXPECT(p, "127.0.0.1", LOOPBACK);
	EXPECT(p, "127.255.255.255", LOOPBACK);
	EXPECT(p, "128.0.0.0", ACCEPT);
	EXPECT(p, "::1", LOOPBACK);
	p->allow_loopback = true;
	EXPECT(p, "127.0.0.0", ACCEPT);
	EXPECT(p, "127.255.255.255", ACCEPT);
	EXPECT(p, "::1", ACCEPT);
	EXPECT(p, "10.0.0.1", PRIVATE);		/* one flag opens one class */
}

static void
test_policy_link_local_both_families(void **state)
{
	struct cp_policy *p = *state;

	EXPECT(p, "169.253.255.255", ACCEPT);
	EXPECT(p, "169.254.0.0", LINK_LOCAL);
	EXPECT(p, "169.254.255.255", LINK_LOCAL);
	EXPECT(p, "169.255.0.0", ACCEPT);
	EXPECT(p, "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ACCEPT);
	EXPECT(p, "fe80::", LINK_LOCAL);
	EXPECT(p, "fe80::1", LINK_LOCAL);
	EXPECT(p, "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LINK_LOCAL);
	p->allow_link_local = true;
	EXPECT(p, "169.254.0.0", ACCEPT);
	EXPECT(p, "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ACCEPT);
	EXPECT(p, "fec0::", SITE_LOCAL);
}

static void
test_policy_site_local_refused_unless_private_allowed(void **state)
{
	struct cp_policy *p = *state;

	EXPECT(p, "fec0::", SITE_LOCAL);
	EXPECT(p, "fec0::1", SITE_LOCAL);
	EXPECT(p, "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", SITE_LOCAL);
	EXPECT(p, "ff00::", MULTICAST);
	p->allow_private = true;
	EXPECT(p, "fec0::1", ACCEPT);
	EXPECT(p, "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ACCEPT);
}

static void
test_policy_multicast_both_families(void **state)
{
	struct cp_policy *p = *state;

	EXPECT(p, "223.255.255.255", ACCEPT);
	EXPECT(p, "224.0.0.0", MULTICAST);
	EXPECT(p, "224.0.0.1", MULTICAST);
	EXPECT(p, "239.255.255.255", MULTICAST);
	EXPECT(p, "240.0.0.0", RESERVED);
	EXPECT(p, "ff00::", MULTICAST);
	EXPECT(p, "ff02::1", MULTICAST);
	EXPECT(p, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", MULTICAST);
	p->allow_multicast = true;
	EXPECT(p, "224.0.0.0", ACCEPT);
	EXPECT(p, "239.255.255.255", ACCEPT);
	EXPECT(p, "ff02::1", ACCEPT);
	EXPECT(p, "240.0.0.0", RESERVED);
}

static void
test_policy_broadcast_and_reserved_refused_whatever_the_flags(void **state)
{
	struct cp_policy *p = *state;

	p->allow_loopback = p->allow_private = true;
	p->allow_link_local = p->allow_multicast = true;
	EXPECT(p, "239.255.255.255", ACCEPT);
	EXPECT(p, "240.0.0.0", RESERVED);
	EXPECT(p, "250.1.2.3", RESERVED);
	EXPECT(p, "255.255.255.254", RESERVED);
	EXPECT(p, "255.255.255.255", BROADCAST);
	EXPECT(p, "::ffff:255.255.255.255", BROADCAST);
}

static void
test_policy_allow_list_opens_reserved(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_allow(p, "240.0.0.0/8", err, sizeof(err)), err);
	EXPECT(p, "240.0.0.1", ACCEPT);
	EXPECT(p, "241.0.0.1", RESERVED);
	EXPECT(p, "255.255.255.255", BROADCAST);
}

static void
test_policy_private_ranges_at_the_boundaries(void **state)
{
	struct cp_policy *p = *state;
	static const char *const inside[] = {
		"10.0.0.0", "10.255.255.255",
		"172.16.0.0", "172.31.255.255",
		"192.168.0.0", "192.168.255.255",
		"100.64.0.0", "100.127.255.255",
		"fc00::", "fd00::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"::ffff:10.1.2.3",
	};
	static const char *const outside[] = {
		"9.255.255.255", "11.0.0.0",
		"172.15.255.255", "172.32.0.0",
		"192.167.255.255", "192.169.0.0",
		"100.63.255.255", "100.128.0.0",
		"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::",
	};

	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		expect_at(p, inside[i], 3478, CP_POLICY_PRIVATE, __LINE__);
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		expect_at(p, outside[i], 3478, CP_POLICY_ACCEPT, __LINE__);
	p->allow_private = true;
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		expect_at(p, inside[i], 3478, CP_POLICY_ACCEPT, __LINE__);
	EXPECT(p, "127.0.0.1", LOOPBACK);
}

/* ---- embedded IPv4 ------------------------------------------------------ */

static void
test_policy_mapped_judged_as_ipv4(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a = addr("::ffff:192.0.2.1", 5000), c;

	EXPECT(p, "::ffff:127.0.0.1", LOOPBACK);
	EXPECT(p, "::ffff:169.254.9.9", LINK_LOCAL);
	EXPECT(p, "::ffff:224.0.0.1", MULTICAST);
	EXPECT(p, "::ffff:240.0.0.1", RESERVED);
	EXPECT(p, "::ffff:100.64.0.1", PRIVATE);
	EXPECT(p, "::ffff:192.0.2.1", ACCEPT);
	assert_int_equal(cp_policy_check(p, &a, &c), CP_POLICY_ACCEPT);
	assert_int_equal(c.family, 4);
	assert_int_equal(c.port, 5000);
	assert_memory_equal(c.ip, "\xc0\x00\x02\x01", 4);
}

static void
test_policy_compatible_judged_as_ipv4(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a = addr("::192.0.2.1", 5000), c;

	EXPECT(p, "::127.0.0.1", LOOPBACK);
	EXPECT(p, "::10.0.0.1", PRIVATE);
	EXPECT(p, "::169.254.0.1", LINK_LOCAL);
	EXPECT(p, "::255.255.255.255", BROADCAST);
	EXPECT(p, "::2", UNSPECIFIED);		/* ::0.0.0.2 */
	EXPECT(p, "::1", LOOPBACK);		/* IPv6 loopback, not 0.0.0.1 */
	/* judged as IPv4, but the canonical form is what the client wrote */
	assert_int_equal(cp_policy_check(p, &a, &c), CP_POLICY_ACCEPT);
	assert_int_equal(c.family, 6);
	assert_memory_equal(c.ip, a.ip, 16);
}

static void
test_policy_nat64_judged_as_ipv4(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a = addr("64:ff9b::192.0.2.1", 5000), c;

	EXPECT(p, "64:ff9b::127.0.0.1", LOOPBACK);
	EXPECT(p, "64:ff9b::7f00:1", LOOPBACK);
	EXPECT(p, "64:ff9b::10.0.0.1", PRIVATE);
	EXPECT(p, "64:ff9b::192.168.255.255", PRIVATE);
	EXPECT(p, "64:ff9b::169.254.0.1", LINK_LOCAL);
	EXPECT(p, "64:ff9b::0.0.0.0", UNSPECIFIED);
	EXPECT(p, "64:ff9b::192.0.2.1", ACCEPT);
	/* only the well-known /96; 64:ff9b:1::/48 (RFC 8215) is plain IPv6 */
	EXPECT(p, "64:ff9b:1::10.0.0.1", ACCEPT);
	EXPECT(p, "64:ff9a::10.0.0.1", ACCEPT);
	/* a real IPv6 destination: the canonical form stays IPv6 */
	assert_int_equal(cp_policy_check(p, &a, &c), CP_POLICY_ACCEPT);
	assert_int_equal(c.family, 6);
	assert_memory_equal(c.ip, a.ip, 16);
	p->allow_private = true;
	EXPECT(p, "64:ff9b::10.0.0.1", ACCEPT);
}

/* ---- lists -------------------------------------------------------------- */

static void
test_policy_deny_beats_allow(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_allow(p, "192.0.2.0/24", err, sizeof(err)), err);
	add_ok(cp_policy_add_deny(p, "192.0.2.128/25", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "10.0.0.0/8", err, sizeof(err)), err);
	add_ok(cp_policy_add_deny(p, "10.1.0.0/16", err, sizeof(err)), err);
	add_ok(cp_policy_add_deny(p, "2001:db8:bad::/48", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "2001:db8::/32", err, sizeof(err)), err);
	EXPECT(p, "192.0.2.127", ACCEPT);
	EXPECT(p, "192.0.2.128", DENY_LIST);
	EXPECT(p, "192.0.2.255", DENY_LIST);
	EXPECT(p, "::ffff:192.0.2.200", DENY_LIST);
	EXPECT(p, "::192.0.2.200", DENY_LIST);
	EXPECT(p, "64:ff9b::192.0.2.200", DENY_LIST);
	EXPECT(p, "10.0.255.255", ACCEPT);
	EXPECT(p, "10.1.0.0", DENY_LIST);
	EXPECT(p, "10.1.255.255", DENY_LIST);
	EXPECT(p, "10.2.0.0", ACCEPT);
	EXPECT(p, "2001:db8:bad::1", DENY_LIST);
	EXPECT(p, "2001:db8:bae::1", ACCEPT);
	/* the deny list refuses what no class would */
	EXPECT(p, "198.51.100.1", ACCEPT);
	add_ok(cp_policy_add_deny(p, "198.51.100.1/32", err, sizeof(err)), err);
	EXPECT(p, "198.51.100.1", DENY_LIST);
	EXPECT(p, "198.51.100.2", ACCEPT);
}

static void
test_policy_deny_list_matches_the_nat64_form_too(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_deny(p, "64:ff9b::/96", err, sizeof(err)), err);
	EXPECT(p, "64:ff9b::192.0.2.1", DENY_LIST);
	EXPECT(p, "192.0.2.1", ACCEPT);
}

static void
test_policy_allow_overrides_private(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_allow(p, "10.201.0.0/16", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "fd00:201::/64", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "172.16.0.0/12", err, sizeof(err)), err);
	EXPECT(p, "10.200.255.255", PRIVATE);
	EXPECT(p, "10.201.0.0", ACCEPT);
	EXPECT(p, "10.201.0.7", ACCEPT);
	EXPECT(p, "10.201.255.255", ACCEPT);
	EXPECT(p, "10.202.0.0", PRIVATE);
	EXPECT(p, "::ffff:10.201.0.7", ACCEPT);
	EXPECT(p, "64:ff9b::10.201.0.7", ACCEPT);
	EXPECT(p, "172.16.0.0", ACCEPT);
	EXPECT(p, "172.31.255.255", ACCEPT);
	EXPECT(p, "fd00:201::1", ACCEPT);
	EXPECT(p, "fd00:201::ffff:ffff:ffff:ffff", ACCEPT);
	EXPECT(p, "fd00:201:0:1::", PRIVATE);
	EXPECT(p, "fd00:200:ffff:ffff:ffff:ffff:ffff:ffff", PRIVATE);
	EXPECT(p, "192.168.0.1", PRIVATE);
}

static void
test_policy_allow_overrides_loopback_and_link_local(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_allow(p, "127.0.0.1/32", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "fe80::/64", err, sizeof(err)), err);
	EXPECT(p, "127.0.0.1", ACCEPT);
	EXPECT(p, "127.0.0.2", LOOPBACK);
	EXPECT(p, "::ffff:127.0.0.1", ACCEPT);
	EXPECT(p, "fe80::1", ACCEPT);
	EXPECT(p, "fe80:0:0:1::1", LINK_LOCAL);
}

static void
test_policy_mapped_list_entry_is_stored_as_ipv4(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_allow(p, "::ffff:10.9.0.0/112", err, sizeof(err)), err);
	assert_int_equal(p->allow[0].family, 4);
	assert_int_equal(p->allow[0].plen, 16);
	EXPECT(p, "10.9.0.1", ACCEPT);
	EXPECT(p, "::ffff:10.9.255.255", ACCEPT);
	EXPECT(p, "10.10.0.0", PRIVATE);
}

static void
test_policy_list_accepts_edge_lengths(void **state)
{
	struct cp_policy *p = *state;
	char err[128];

	add_ok(cp_policy_add_allow(p, "192.0.2.1/32", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "2001:db8::1/128", err, sizeof(err)), err);
	add_ok(cp_policy_add_deny(p, "0.0.0.0/0", err, sizeof(err)), err);
	add_ok(cp_policy_add_deny(p, "::/0", err, sizeof(err)), err);
	assert_int_equal(p->nallow, 2);
	assert_int_equal(p->ndeny, 2);
	EXPECT(p, "192.0.2.1", DENY_LIST);	/* deny first */
	EXPECT(p, "2001:db8::1", DENY_LIST);
}

static void
test_policy_list_rejects_malformed_entries(void **state)
{
	struct cp_policy *p = *state;
	static const char *const bad[] = {
		"", "/8", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/8 ", " 10.0.0.0/8",
		"10.0.0/8", "10.0.0.256/32", "010.0.0.0/8", "zz/8",
		"10.0.0.0/8/8", "10.0.0.0/0008", "10.0.0.0/8x", "fd00::/129",
		"fd00:::/64", "fe80::%eth0/64", "fd00::/", "10.0.0.0:80/8",
		"10.0.0.1/8", "11.0.0.0/7", "fd00::1/64", "192.0.2.1/31",
		"2001:db8::4000/113",
	};
	char err[160];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (cp_policy_add_allow(p, bad[i], err, sizeof(err)) != -EINVAL)
			fail_msg("allow list took '%s'", bad[i]);
		if (err[0] == '\0')
			fail_msg("no reason given for '%s'", bad[i]);
		if (cp_policy_add_deny(p, bad[i], err, sizeof(err)) != -EINVAL)
			fail_msg("deny list took '%s'", bad[i]);
	}
	assert_int_equal(cp_policy_add_allow(p, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(cp_policy_add_deny(p, "nope", NULL, 0), -EINVAL);
	assert_int_equal(p->nallow, 0);
	assert_int_equal(p->ndeny, 0);
}

static void
test_policy_host_bits_error_names_the_network(void **state)
{
	struct cp_policy *p = *state;
	char err[160];

	assert_int_equal(cp_policy_add_allow(p, "10.201.0.1/16", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "host bits"));
	assert_non_null(strstr(err, "10.201.0.0/16"));
	assert_int_equal(cp_policy_add_deny(p, "fd00:201::1/64", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "fd00:201::/64"));
	/* a tiny buffer is cut, not overrun */
	assert_int_equal(cp_policy_add_deny(p, "10.0.0.1/8", err, 4), -EINVAL);
	assert_int_equal(strlen(err), 3);
}

static void
test_policy_list_full_returns_enospc(void **state)
{
	struct cp_policy *p = *state;
	char buf[32], err[128];

	for (unsigned int i = 0; i < CP_POLICY_MAX_PREFIXES; i++) {
		snprintf(buf, sizeof(buf), "198.%u.%u.0/24", i / 256u, i % 256u);
		add_ok(cp_policy_add_deny(p, buf, err, sizeof(err)), err);
	}
	assert_int_equal(cp_policy_add_deny(p, "203.0.113.0/24", err, sizeof(err)),
			 -ENOSPC);
	assert_non_null(strstr(err, "full"));
	assert_int_equal(p->ndeny, CP_POLICY_MAX_PREFIXES);
	/* a bad entry is still reported as bad, not as "full" */
	assert_int_equal(cp_policy_add_deny(p, "x/1", err, sizeof(err)), -EINVAL);
	EXPECT(p, "198.0.255.1", DENY_LIST);
	EXPECT(p, "203.0.113.1", ACCEPT);
	add_ok(cp_policy_add_allow(p, "203.0.113.0/24", err, sizeof(err)), err);
}

/* ---- own addresses ------------------------------------------------------ */

static void
test_policy_own_addresses_refused_in_every_form(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a;

	a = addr("203.0.113.7", 3478);
	assert_int_equal(cp_policy_add_own(p, &a), 0);
	a = addr("2001:db8::7", 0);
	assert_int_equal(cp_policy_add_own(p, &a), 0);
	a = addr("::ffff:198.51.100.9", 0);	/* given mapped, stored IPv4 */
	assert_int_equal(cp_policy_add_own(p, &a), 0);
	assert_int_equal(p->own[2].family, 4);
	assert_int_equal(p->own[0].port, 0);

	EXPECT(p, "203.0.113.7", OWN_ADDRESS);
	expect_at(p, "203.0.113.7", 49152, CP_POLICY_OWN_ADDRESS, __LINE__);
	EXPECT(p, "::ffff:203.0.113.7", OWN_ADDRESS);
	EXPECT(p, "::203.0.113.7", OWN_ADDRESS);
	EXPECT(p, "64:ff9b::203.0.113.7", OWN_ADDRESS);
	EXPECT(p, "203.0.113.6", ACCEPT);
	EXPECT(p, "203.0.113.8", ACCEPT);
	EXPECT(p, "2001:db8::7", OWN_ADDRESS);
	EXPECT(p, "2001:db8::8", ACCEPT);
	EXPECT(p, "198.51.100.9", OWN_ADDRESS);
	EXPECT(p, "::ffff:198.51.100.9", OWN_ADDRESS);
}

static void
test_policy_own_private_address_stays_refused_with_allow_private(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a = addr("10.211.0.1", 0);

	assert_int_equal(cp_policy_add_own(p, &a), 0);
	EXPECT(p, "10.211.0.1", OWN_ADDRESS);	/* named before "private" */
	p->allow_private = true;
	EXPECT(p, "10.211.0.1", OWN_ADDRESS);
	EXPECT(p, "10.211.0.2", ACCEPT);
}

static void
test_policy_own_address_refused_even_when_allowed(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a;
	char err[128];

	/* conf/demo.conf: the allow list covers dp's own core addresses */
	a = addr("10.201.0.1", 0);
	assert_int_equal(cp_policy_add_own(p, &a), 0);
	a = addr("fd00:201::1", 0);
	assert_int_equal(cp_policy_add_own(p, &a), 0);
	add_ok(cp_policy_add_allow(p, "10.201.0.0/24", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "fd00:201::/64", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "10.201.0.1/32", err, sizeof(err)), err);
	p->allow_private = true;
	EXPECT(p, "10.201.0.1", OWN_ADDRESS);
	EXPECT(p, "::ffff:10.201.0.1", OWN_ADDRESS);
	EXPECT(p, "fd00:201::1", OWN_ADDRESS);
	EXPECT(p, "10.201.0.2", ACCEPT);
	EXPECT(p, "fd00:201::2", ACCEPT);
	/* the deny list is judged first, so it names the refusal */
	add_ok(cp_policy_add_deny(p, "10.201.0.0/31", err, sizeof(err)), err);
	EXPECT(p, "10.201.0.1", DENY_LIST);
}

static void
test_policy_own_list_rejects_bad_family_and_overflow(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a;

	memset(&a, 0, sizeof(a));
	a.family = 5;
	assert_int_equal(cp_policy_add_own(p, &a), -EINVAL);
	assert_int_equal(cp_policy_add_own(p, NULL), -EINVAL);
	assert_int_equal(p->nown, 0);
	for (unsigned int i = 0; i < CP_POLICY_MAX_OWN; i++) {
		a = addr("192.0.2.0", 0);
		a.ip[3] = (uint8_t)i;
		assert_int_equal(cp_policy_add_own(p, &a), 0);
	}
	a = addr("192.0.2.200", 0);
	assert_int_equal(cp_policy_add_own(p, &a), -ENOSPC);
	EXPECT(p, "192.0.2.31", OWN_ADDRESS);
	EXPECT(p, "192.0.2.200", ACCEPT);
}

/* The tenants' TURN addresses (issue 41) are own addresses in every form,
 * whatever the allow list says, in a list of their own: all 128 of them
 * fit beside a full list of the ports' and relayed addresses, and one
 * more is refused. */
static void
test_policy_tenant_addresses_are_own_in_every_form(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a;
	char err[128];

	for (unsigned int i = 0; i < CP_POLICY_MAX_OWN; i++) {
		a = addr("192.0.2.0", 0);
		a.ip[3] = (uint8_t)i;
		assert_int_equal(cp_policy_add_own(p, &a), 0);
	}
	a = addr("10.210.0.11", 0);
	assert_int_equal(cp_policy_add_own_tenant(p, &a), 0);
	a = addr("::ffff:10.210.0.12", 0);	/* stored IPv4 */
	assert_int_equal(cp_policy_add_own_tenant(p, &a), 0);
	assert_int_equal(p->tenant_own[1].family, 4);
	a = addr("fd00:210::11", 0);
	assert_int_equal(cp_policy_add_own_tenant(p, &a), 0);
	add_ok(cp_policy_add_allow(p, "10.210.0.0/24", err, sizeof(err)), err);
	p->allow_private = true;
	EXPECT(p, "10.210.0.11", OWN_ADDRESS);
	EXPECT(p, "10.210.0.12", OWN_ADDRESS);
	EXPECT(p, "::ffff:10.210.0.11", OWN_ADDRESS);
	EXPECT(p, "64:ff9b::10.210.0.12", OWN_ADDRESS);
	EXPECT(p, "fd00:210::11", OWN_ADDRESS);
	EXPECT(p, "10.210.0.13", ACCEPT);
	/* a relayed address is still "own-relayed" (cp may allow it) */
	a = addr("10.211.0.21", 0);
	assert_int_equal(cp_policy_add_own_tenant(p, &a), 0);
	p->nown = 0;
	assert_int_equal(cp_policy_add_own_relayed(p, &a), 0);
	EXPECT(p, "10.211.0.21", OWN_RELAYED);
	a.family = 5;
	assert_int_equal(cp_policy_add_own_tenant(p, &a), -EINVAL);
	assert_int_equal(cp_policy_add_own_tenant(p, NULL), -EINVAL);
	while (p->ntenant_own < CP_POLICY_MAX_TENANT_OWN) {
		a = addr("198.51.100.0", 0);
		a.ip[3] = (uint8_t)p->ntenant_own;
		assert_int_equal(cp_policy_add_own_tenant(p, &a), 0);
	}
	a = addr("198.51.100.200", 0);
	assert_int_equal(cp_policy_add_own_tenant(p, &a), -ENOSPC);
	EXPECT(p, "198.51.100.127", OWN_ADDRESS);
	EXPECT(p, "198.51.100.200", ACCEPT);
}

/* The demo's core link (conf/demo.conf): its allow list covers the whole
 * subnet dp's core port is on, and with it the subnet's network and
 * broadcast addresses and IPv6's subnet anycast ones, which name no one
 * peer (a directed broadcast onto our own link; the link's routers).
 * Refused in every form, whatever the allow list says; the deny list
 * still names its own refusals. */
static void
test_policy_subnet_broadcast_and_anycast_refused_even_when_allowed(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a;
	char err[128];

	a = addr("10.201.0.1", 0);
	assert_int_equal(cp_policy_add_own(p, &a), 0);
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 24), 0);
	a = addr("fd00:201::1", 0);
	assert_int_equal(cp_policy_add_own(p, &a), 0);
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 64), 0);
	add_ok(cp_policy_add_allow(p, "10.201.0.0/24", err, sizeof(err)), err);
	add_ok(cp_policy_add_allow(p, "fd00:201::/64", err, sizeof(err)), err);
	p->allow_private = true;

	EXPECT(p, "10.201.0.0", SUBNET_BROADCAST);
	EXPECT(p, "10.201.0.255", SUBNET_BROADCAST);
	EXPECT(p, "::ffff:10.201.0.255", SUBNET_BROADCAST);
	EXPECT(p, "::10.201.0.0", SUBNET_BROADCAST);
	EXPECT(p, "64:ff9b::10.201.0.255", SUBNET_BROADCAST);
	EXPECT(p, "10.201.0.1", OWN_ADDRESS);
	EXPECT(p, "10.201.0.2", ACCEPT);
	EXPECT(p, "10.201.0.254", ACCEPT);
	EXPECT(p, "10.201.1.0", ACCEPT);	/* another subnet: private, allowed */
	EXPECT(p, "10.200.255.255", ACCEPT);

	EXPECT(p, "fd00:201::", SUBNET_ANYCAST);			/* Subnet-Router */
	EXPECT(p, "fd00:201::fdff:ffff:ffff:ff80", SUBNET_ANYCAST);	/* RFC 2526 */
	EXPECT(p, "fd00:201::fdff:ffff:ffff:fffe", SUBNET_ANYCAST);	/* Mobile IPv6 HA */
	EXPECT(p, "fd00:201::fdff:ffff:ffff:ffff", SUBNET_ANYCAST);
	EXPECT(p, "fd00:201::fdff:ffff:ffff:ff7f", ACCEPT);
	EXPECT(p, "fd00:201::ffff:ffff:ffff:ffff", ACCEPT);	/* the u/l bit set */
	EXPECT(p, "fd00:201::1:0", ACCEPT);
	EXPECT(p, "fd00:201::2", ACCEPT);
	EXPECT(p, "fd00:201:0:1::", ACCEPT);	/* another /64: not ours */

	/* the deny list is judged first, so it names the refusal */
	add_ok(cp_policy_add_deny(p, "10.201.0.128/25", err, sizeof(err)), err);
	EXPECT(p, "10.201.0.255", DENY_LIST);
	EXPECT(p, "10.201.0.0", SUBNET_BROADCAST);
}

/* Which addresses are special at each prefix length's edge: an IPv4 /30
 * has a network and a broadcast address, a /31's two are hosts (RFC 3021)
 * as a /32's one is; an IPv6 /126 has a Subnet-Router anycast address, a
 * /127 none (RFC 6164); the reserved subnet anycast addresses (RFC 2526)
 * are a subnet's top 128 where its interface identifier is not the low
 * 64 bits, and none where the subnet has no more than 128. */
static void
test_policy_subnet_special_addresses_at_every_length(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a;

#define SUBNET(ip, len) \
	do { a = addr((ip), 0); assert_int_equal(cp_policy_add_own_subnet(p, &a, (len)), 0); } while (0)
	SUBNET("192.0.2.1", 30);
	SUBNET("192.0.2.8", 31);
	SUBNET("192.0.2.16", 32);
	SUBNET("198.51.100.77", 8);
	SUBNET("::ffff:203.0.113.9", 120);	/* a mapped address: IPv4's /24 */
	SUBNET("2001:db8:1::1", 126);
	SUBNET("2001:db8:2::1", 127);
	SUBNET("2001:db8:3::1", 112);
	SUBNET("2001:db8:4::1", 120);
	SUBNET("2001:db8:5::1", 121);
	SUBNET("2001:db8:6::1", 48);
#undef SUBNET
	assert_int_equal(p->subnet[3].ip[0], 198);	/* host bits cleared */
	assert_int_equal(p->subnet[3].ip[1], 0);
	assert_int_equal(p->subnet[4].family, 4);
	assert_int_equal(p->subnet[4].plen, 24);

	EXPECT(p, "192.0.2.0", SUBNET_BROADCAST);
	EXPECT(p, "192.0.2.1", ACCEPT);
	EXPECT(p, "192.0.2.2", ACCEPT);
	EXPECT(p, "192.0.2.3", SUBNET_BROADCAST);
	EXPECT(p, "192.0.2.4", ACCEPT);
	EXPECT(p, "192.0.2.8", ACCEPT);
	EXPECT(p, "192.0.2.9", ACCEPT);
	EXPECT(p, "192.0.2.16", ACCEPT);
	EXPECT(p, "198.0.0.0", SUBNET_BROADCAST);
	EXPECT(p, "198.255.255.255", SUBNET_BROADCAST);
	EXPECT(p, "198.51.100.255", ACCEPT);
	EXPECT(p, "203.0.113.0", SUBNET_BROADCAST);
	EXPECT(p, "203.0.113.255", SUBNET_BROADCAST);

	EXPECT(p, "2001:db8:1::", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:1::3", ACCEPT);	/* no broadcast in IPv6 */
	EXPECT(p, "2001:db8:2::", ACCEPT);
	EXPECT(p, "2001:db8:2::1", ACCEPT);
	EXPECT(p, "2001:db8:3::", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:3::ff7f", ACCEPT);
	EXPECT(p, "2001:db8:3::ff80", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:3::ffff", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:4::7f", ACCEPT);
	EXPECT(p, "2001:db8:4::80", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:4::ff", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:5::", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:5::7f", ACCEPT);
	EXPECT(p, "2001:db8:6::", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:6:7:fdff:ffff:ffff:ffc0", SUBNET_ANYCAST);
	EXPECT(p, "2001:db8:6:7::", ACCEPT);	/* the /48's, not a /64's */
	EXPECT(p, "2001:db8:7::", ACCEPT);
}

static void
test_policy_own_subnet_rejects_bad_input_and_overflow(void **state)
{
	struct cp_policy *p = *state;
	struct cp_addr a;

	memset(&a, 0, sizeof(a));
	a.family = 5;
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 24), -EINVAL);
	assert_int_equal(cp_policy_add_own_subnet(p, NULL, 24), -EINVAL);
	a = addr("192.0.2.1", 0);
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 33), -EINVAL);
	a = addr("2001:db8::1", 0);
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 129), -EINVAL);
	a = addr("::ffff:192.0.2.1", 0);
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 24), -EINVAL);
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 129), -EINVAL);
	assert_int_equal(p->nsubnet, 0);
	for (unsigned int i = 0; i < CP_POLICY_MAX_SUBNETS; i++) {
		a = addr("192.0.2.0", 0);
		a.ip[3] = (uint8_t)(i * 8);
		assert_int_equal(cp_policy_add_own_subnet(p, &a, 29), 0);
	}
	a = addr("198.51.100.1", 0);
	assert_int_equal(cp_policy_add_own_subnet(p, &a, 24), -ENOSPC);
	EXPECT(p, "192.0.2.127", SUBNET_BROADCAST);
	EXPECT(p, "198.51.100.255", ACCEPT);
}

/* ---- canonical forms, bad input, names --------------------------------- */

static void
test_policy_canonical_forms(void **state)
{
	struct cp_addr in, out, v4, v6;

	(void)state;
	in = addr("::ffff:10.0.0.1", 4000);
	cp_addr_canonical(&in, &out);
	assert_int_equal(out.family, 4);
	assert_int_equal(out.port, 4000);
	assert_memory_equal(out.ip, "\x0a\x00\x00\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	/* IPv4 with junk after ip[3]: the tail is cleared */
	v4 = addr("10.0.0.1", 4001);
	memset(v4.ip + 4, 0xaa, 12);
	cp_addr_canonical(&v4, &v4);		/* in place */
	assert_memory_equal(v4.ip, out.ip, 16);
	assert_int_equal(v4.port, 4001);

	/* IPv6, compatible and NAT64 forms are left as they are */
	v6 = addr("64:ff9b::10.0.0.1", 1);
	cp_addr_canonical(&v6, &out);
	assert_int_equal(out.family, 6);
	assert_memory_equal(out.ip, v6.ip, 16);
	in = addr("::10.0.0.1", 1);
	cp_addr_canonical(&in, &out);
	assert_int_equal(out.family, 6);
	in = addr("2001:db8::1", 1);
	cp_addr_canonical(&in, &out);
	assert_memory_equal(out.ip, in.ip, 16);
	/* ::ffff:0:0/95 is not mapped */
	in = addr("::fffe:10.0.0.1", 1);
	cp_addr_canonical(&in, &out);
	assert_int_equal(out.family, 6);

	/* one permission for both spellings of a peer, whatever the port */
	in = addr("::ffff:10.0.0.1", 1);
	v4 = addr("10.0.0.1", 2);
	assert_true(cp_addr_same_ip(&in, &v4));
	assert_true(cp_addr_same_ip(&v4, &in));
	v4 = addr("10.0.0.2", 1);
	assert_false(cp_addr_same_ip(&in, &v4));
	v4 = addr("10.0.0.1", 1);
	assert_false(cp_addr_same_ip(&v6, &v4));	/* NAT64 is IPv6 */
	memset(&in, 0, sizeof(in));
	assert_false(cp_addr_same_ip(&in, &in));	/* no family */
}

static void
test_policy_check_reports_canonical_even_when_refusing(void **state)
{
	const struct cp_policy *p = *state;
	struct cp_addr a = addr("::ffff:127.0.0.1", 9), c;

	memset(&c, 0xee, sizeof(c));
	assert_int_equal(cp_policy_check(p, &a, &c), CP_POLICY_LOOPBACK);
	assert_int_equal(c.family, 4);
	assert_int_equal(c.port, 9);
	assert_memory_equal(c.ip, "\x7f\x00\x00\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(cp_policy_check(p, &a, NULL), CP_POLICY_LOOPBACK);
}

static void
test_policy_refuses_invalid_family(void **state)
{
	const struct cp_policy *p = *state;
	struct cp_addr a;

	memset(&a, 0, sizeof(a));
	a.port = 1;
	a.ip[0] = 8;
	assert_int_equal(cp_policy_check(p, &a, NULL), CP_POLICY_INVALID);
	a.family = 5;
	assert_int_equal(cp_policy_check(p, &a, NULL), CP_POLICY_INVALID);
	assert_int_equal(cp_policy_check(p, NULL, NULL), CP_POLICY_INVALID);
}

static void
test_policy_verdict_names_are_unique_and_stable(void **state)
{
	(void)state;
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_ACCEPT), "accept");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_SIXTOFOUR), "6to4");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_TEREDO), "teredo");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_PRIVATE), "private");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_DENY_LIST), "deny-list");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_OWN_ADDRESS),
			    "own-address");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_PORT_ZERO), "port-zero");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_SUBNET_BROADCAST),
			    "subnet-broadcast");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY_SUBNET_ANYCAST),
			    "subnet-anycast");
	assert_string_equal(cp_policy_verdict_name(CP_POLICY__COUNT), "?");
	assert_string_equal(cp_policy_verdict_name((enum cp_policy_verdict)-1), "?");
	for (int i = 0; i < CP_POLICY__COUNT; i++) {
		const char *n = cp_policy_verdict_name((enum cp_policy_verdict)i);

		assert_non_null(n);
		assert_true(strlen(n) > 0);
		assert_null(strchr(n, ' '));
		assert_true(strlen(cp_policy_verdict_describe(
				    (enum cp_policy_verdict)i)) > 0);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(
				n, cp_policy_verdict_name((enum cp_policy_verdict)k));
	}
	assert_non_null(strstr(cp_policy_verdict_describe(CP_POLICY_TEREDO),
			       "2001::/32"));
}

/* The list rules for cp's other lists (cp.metrics_allow): the same
 * parser (length required, host bits refused, a mapped prefix stored as
 * IPv4) and a match on the canonical form of the address given. */
static void
test_prefix_parse_and_match_for_other_lists(void **state)
{
	struct cp_prefix list[3];
	struct cp_addr a;
	char err[200];

	(void)state;
	assert_int_equal(cp_prefix_parse("10.0.0.0/8", &list[0], err, sizeof(err)), 0);
	assert_int_equal(cp_prefix_parse("::1/128", &list[1], err, sizeof(err)), 0);
	assert_int_equal(cp_prefix_parse("::ffff:192.0.2.0/120", &list[2], err,
					 sizeof(err)), 0);
	assert_int_equal(list[2].family, 4);
	assert_int_equal(list[2].plen, 24);
	assert_int_equal(cp_prefix_parse("10.0.0.1/8", &list[0], err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host bits"));
	assert_int_equal(cp_prefix_parse("10.0.0.0", &list[0], err, sizeof(err)), -EINVAL);
	assert_int_equal(cp_prefix_parse(NULL, &list[0], NULL, 0), -EINVAL);
	assert_int_equal(cp_prefix_parse("10.0.0.0/8", &list[0], err, sizeof(err)), 0);

	a = addr("10.200.0.1", 1);
	assert_true(cp_prefix_list_has(list, 3, &a));
	a = addr("::ffff:10.200.0.1", 1);
	assert_true(cp_prefix_list_has(list, 3, &a));
	a = addr("192.0.2.9", 1);
	assert_true(cp_prefix_list_has(list, 3, &a));
	a = addr("::1", 1);
	assert_true(cp_prefix_list_has(list, 3, &a));
	a = addr("11.0.0.1", 1);
	assert_false(cp_prefix_list_has(list, 3, &a));
	a = addr("::2", 1);
	assert_false(cp_prefix_list_has(list, 3, &a));
	a = addr("10.0.0.1", 1);
	assert_false(cp_prefix_list_has(list, 0, &a));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_policy_accepts_public_and_documentation_ranges),
		T(test_policy_tenant_addresses_are_own_in_every_form),
		T(test_policy_refuses_unspecified_and_this_network),
		T(test_policy_refuses_port_zero),
		T(test_policy_refuses_6to4_and_teredo_at_the_boundaries),
		T(test_policy_refuses_6to4_and_teredo_even_when_allowed),
		T(test_policy_loopback_both_families),
		T(test_policy_link_local_both_families),
		T(test_policy_site_local_refused_unless_private_allowed),
		T(test_policy_multicast_both_families),
		T(test_policy_broadcast_and_reserved_refused_whatever_the_flags),
		T(test_policy_allow_list_opens_reserved),
		T(test_policy_private_ranges_at_the_boundaries),
		T(test_policy_mapped_judged_as_ipv4),
		T(test_policy_compatible_judged_as_ipv4),
		T(test_policy_nat64_judged_as_ipv4),
		T(test_policy_deny_beats_allow),
		T(test_policy_deny_list_matches_the_nat64_form_too),
		T(test_policy_allow_overrides_private),
		T(test_policy_allow_overrides_loopback_and_link_local),
		T(test_policy_mapped_list_entry_is_stored_as_ipv4),
		T(test_policy_list_accepts_edge_lengths),
		T(test_policy_list_rejects_malformed_entries),
		T(test_policy_host_bits_error_names_the_network),
		T(test_policy_list_full_returns_enospc),
		T(test_policy_own_addresses_refused_in_every_form),
		T(test_policy_own_private_address_stays_refused_with_allow_private),
		T(test_policy_own_address_refused_even_when_allowed),
		T(test_policy_own_list_rejects_bad_family_and_overflow),
		T(test_policy_subnet_broadcast_and_anycast_refused_even_when_allowed),
		T(test_policy_subnet_special_addresses_at_every_length),
		T(test_policy_own_subnet_rejects_bad_input_and_overflow),
		T(test_policy_canonical_forms),
		T(test_policy_check_reports_canonical_even_when_refusing),
		T(test_policy_refuses_invalid_family),
		T(test_policy_verdict_names_are_unique_and_stable),
		T(test_prefix_parse_and_match_for_other_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
