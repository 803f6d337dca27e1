/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/conf: both example files load with their fixed values; defaults
 * apply; every kind of bad file is refused with "<file>:<line>: <what is
 * wrong>" naming the setting and the value; prefixes parse; tp_conf_free
 * (and a failed load) leaves nothing behind (ASan's leak check).
 *
 * Fixtures are written into a mkdtemp folder; the example files are read
 * from $TP_SRC/conf (meson test sets TP_SRC).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tp_common.h"
#include "tp_conf.h"

static struct tp_conf c;
static char dir[64];
static char path[256];
static char err[512];

/* ---- fixtures ---------------------------------------------------------- */

static void
write_file(const char *name, const char *text, char *out, size_t len)
{
	FILE *f;

	snprintf(out, len, "%s/%s", dir, name);
	f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int
load_text(const char *text)
{
	write_file("t.conf", text, path, sizeof(path));
	memset(err, 0, sizeof(err));
	return tp_conf_load(path, &c, err, sizeof(err));
}

/* The load fails with -EINVAL and "<path>:<line>: ...<why>...". */
static void
expect_error_at(const char *text, int line, const char *why, const char *where)
{
	char want[300];
	int rc = load_text(text);

	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (rc != -EINVAL)
		fail_msg("%s: rc %d (want -EINVAL), err \"%s\"", where, rc, err);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, why) == NULL)
		fail_msg("%s: got \"%s\"\n  want \"%s...%s...\"", where, err, want, why);
	/* A failed load owns nothing. */
	assert_int_equal(c.dp.eal_argc, 0);
	assert_null(c.dp.eal_argv[0]);
}

#define expect_error(text, line, why) \
	expect_error_at((text), (line), (why), __FILE__ ":" TP_STR(__LINE__))
#define TP_STR(x) TP_STR2(x)
#define TP_STR2(x) #x

static void
expect_ok(const char *text)
{
	int rc = load_text(text);

	if (rc != 0)
		fail_msg("rc %d: %s", rc, err);
}

/* A dp group whose line 2 is `extra`; one good port on line 3. */
#define DP(extra) \
	"dp = {\n" \
	"  " extra "\n" \
	"  ports = ({ name = \"a\"; dev = \"net_null0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; });\n" \
	"};\n"

/* One port named "a" opening on line 3, its line 4 is `extra`. */
#define PORT(extra) \
	"dp = {\n" \
	"  ports = (\n" \
	"    { name = \"a\"; dev = \"net_null0\"; roles = [\"access\"];\n" \
	"      " extra "\n" \
	"    }\n" \
	"  );\n" \
	"};\n"

static int
group_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tp-test-conf-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/t.conf", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub.inc", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/outer.inc", dir);
	unlink(p);
	return rmdir(dir);
}

static int
teardown(void **state)
{
	(void)state;
	tp_conf_free(&c);
	return 0;
}

static bool
argv_has(const struct tp_conf_dp *d, const char *a, const char *b)
{
	for (int i = 0; i + 1 < d->eal_argc; i++)
		if (strcmp(d->eal_argv[i], a) == 0 && strcmp(d->eal_argv[i + 1], b) == 0)
			return true;
	return false;
}

static void
assert_addr(int family, const uint8_t *got, const char *want)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, want, a), 1);
	assert_memory_equal(got, a, family == 4 ? 4 : 16);
}

static const char *
example(const char *name)
{
	const char *src = getenv("TP_SRC");

	if (src == NULL) {
		print_message("TP_SRC is not set (meson test sets it to the source "
			      "tree): skipping conf/%s\n", name);
		skip();
	}
	snprintf(path, sizeof(path), "%s/conf/%s", src, name);
	return path;
}

/* ---- the examples ------------------------------------------------------ */

static void
test_conf_demo_loads_with_fixed_values(void **state)
{
	const struct tp_conf_port *a, *k;

	(void)state;
	if (tp_conf_load(example("demo.conf"), &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.dp.nports, 2);
	/* TURN over TLS on 5349 and 443, tools/demo's self-signed certificate */
	assert_int_equal(c.turn.nlisten_tls, 2);
	assert_int_equal(c.turn.listen_tls[0], 5349);
	assert_int_equal(c.turn.listen_tls[1], 443);
	assert_true(c.tls.enabled);
	assert_string_equal(c.tls.cert.certificate, "/var/lib/turnpike-demo/tls/cert.pem");
	a = &c.dp.ports[0];
	k = &c.dp.ports[1];
	assert_string_equal(a->name, "access");
	assert_string_equal(a->dev, "net_tap0,iface=tp-access");
	assert_int_equal(a->roles, TP_ROLE_ACCESS);
	assert_true(a->has_ip4);
	assert_addr(4, a->ip4, "10.200.0.1");
	assert_int_equal(a->plen4, 24);
	assert_true(a->has_ip6);
	assert_addr(6, a->ip6, "fd00:200::1");
	assert_int_equal(a->plen6, 64);
	assert_string_equal(k->name, "core");
	assert_string_equal(k->dev, "net_tap1,iface=tp-core");
	assert_int_equal(k->roles, TP_ROLE_CORE);
	assert_addr(4, k->ip4, "10.201.0.1");
	assert_int_equal(k->plen4, 24);
	assert_addr(6, k->ip6, "fd00:201::1");
	assert_int_equal(k->plen6, 64);
	assert_int_equal(c.dp.nworkers, 1);
	assert_int_equal(c.dp.workers[0], 0);
	assert_int_equal(c.dp.idle_sleep_max_us, 1000);
	assert_string_equal(c.dp.eal_argv[0], "turnpike-dp");
	assert_true(argv_has(&c.dp, "-l", "0"));
	assert_true(argv_has(&c.dp, "--file-prefix", "turnpike-demo"));
	/* the access gateway, driven over Iq from loopback */
	assert_true(c.agw.enabled);
	assert_int_equal(c.agw.port_min, 20000);
	assert_true(c.iq.enabled);
	assert_string_equal(c.iq.listen, "127.0.0.1:2944");
	assert_string_equal(c.iq.mgc[0], "127.0.0.1:2945");
	assert_true(argv_has(&c.dp, "--vdev", "net_tap0,iface=tp-access"));
	assert_true(argv_has(&c.dp, "--vdev", "net_tap1,iface=tp-core"));
	assert_null(c.dp.eal_argv[c.dp.eal_argc]);
	assert_true(c.turn.enabled);
	assert_string_equal(c.turn.realm, "turnpike.demo");
	/* the segment in the ipc group, nothing the old way */
	assert_string_equal(c.ipc.name, "/turnpike-demo");
	assert_int_equal(c.ipc.cp_grace_s, 40);
	assert_string_equal(c.warn, "");
}

static void
test_conf_carrier_loads(void **state)
{
	const struct tp_conf_port *a, *k;

	(void)state;
	if (tp_conf_load(example("carrier.conf"), &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.dp.nports, 2);
	assert_int_equal(c.turn.nlisten_tls, 2);
	assert_true(c.tls.enabled);
	assert_string_equal(c.tls.groups, "X25519:P-256");
	assert_int_equal(c.tls.offload, TP_TLS_OFFLOAD_NONE);
	a = &c.dp.ports[0];
	k = &c.dp.ports[1];
	assert_string_equal(a->dev, "0000:3b:00.0");
	assert_string_equal(k->dev, "0000:3b:00.1");
	assert_int_equal(c.dp.nworkers, 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(c.dp.workers[i], i + 1);
	assert_int_equal(c.dp.idle_sleep_max_us, 0);
	assert_true(argv_has(&c.dp, "-l", "0-8"));
	assert_true(argv_has(&c.dp, "--main-lcore", "0"));
	assert_true(argv_has(&c.dp, "-n", "4"));
	assert_addr(4, a->ip4, "192.0.2.10");
	assert_true(a->has_gw4);
	assert_addr(4, a->gw4, "192.0.2.1");
	assert_addr(6, a->ip6, "2001:db8:1::10");
	assert_true(a->has_gw6);
	assert_addr(4, k->ip4, "198.51.100.10");
	assert_addr(4, k->gw4, "198.51.100.1");
	assert_addr(6, k->ip6, "2001:db8:2::10");
	assert_int_equal(a->mtu, 1500);
	assert_int_equal(k->mtu, 1500);
	assert_int_equal(a->vlan, 0);
	assert_int_equal(k->vlan, 100);
	/* no secret shipped: an operator writes their own (and the
	 * placeholder, uncommented, is refused) */
	assert_int_equal(c.cp.nsecrets, 0);
	assert_int_equal(c.nsecret_files, 0);
}

/* ---- what a good file yields ------------------------------------------ */

static void
test_conf_defaults_apply(void **state)
{
	const struct tp_conf_port *p;

	(void)state;
	expect_ok("dp = {\n"
		  "  ports = ({ name = \"a\"; dev = \"net_null0\"; roles = [\"access\"];\n"
		  "             ipv4 = \"192.0.2.1/24\"; });\n"
		  "};\n");
	assert_int_equal(c.dp.eal_argc, 1);
	assert_string_equal(c.dp.eal_argv[0], "turnpike-dp");
	assert_null(c.dp.eal_argv[1]);
	assert_int_equal(c.dp.nworkers, 1);
	assert_int_equal(c.dp.workers[0], 0);
	assert_int_equal(c.dp.idle_sleep_max_us, 0);
	assert_int_equal(c.dp.mbufs_per_worker, 8191);
	assert_int_equal(c.dp.neigh_reachable_s, 30);
	assert_int_equal(c.dp.neigh_retry_ms, 1000);
	assert_int_equal(c.dp.neigh_queue_max, 8);
	assert_int_equal(c.dp.icmp_rate_per_s, 100);
	assert_int_equal(c.dp.diag_echo_port, 0);
	assert_int_equal(c.dp.diag_tcp_echo_port, 0);
	assert_int_equal(c.dp.diag_tcp_connect_family, 0);
	assert_int_equal(c.dp.tcp_max_conns, 16384);
	assert_int_equal(c.dp.tcp_invalid_ratelimit_ms, 500);
	assert_int_equal(c.dp.tcp_challenge_acks, 1000);
	p = &c.dp.ports[0];
	assert_int_equal(p->mtu, 1500);
	assert_int_equal(p->vlan, 0);
	assert_false(p->has_ip6);
	assert_false(p->has_gw4);
	assert_false(p->has_gw6);
	assert_false(p->no_tx_offload);
	assert_false(p->impair.enabled);
	assert_int_equal(p->line, 2);
	assert_string_equal(c.path, path);
	assert_false(c.turn.enabled);
}

static void
test_conf_every_setting_is_read(void **state)
{
	const struct tp_conf_port *p;

	(void)state;
	expect_ok("dp = {\n"
		  "  eal = [\"-l\", \"0-3\", \"--no-pci\"];\n"
		  "  workers = [3, 1, 2];\n"
		  "  idle_sleep_max_us = 100000; mbufs_per_worker = 1023;\n"
		  "  neigh_reachable_s = 5; neigh_retry_ms = 250; neigh_queue_max = 16;\n"
		  "  icmp_rate_per_s = 0; diag_echo_port = 65535; diag_tcp_echo_port = 9;\n"
		  "  diag_tcp_connect = \"[fd00:200::7]:5001\"; tcp_max_conns = 1048576;"
		  "  tcp_invalid_ratelimit_ms = 0; tcp_challenge_acks = 50;\n"
		  "  ports = (\n"
		  "    { name = \"both\"; dev = \"net_tap0,iface=x\"; roles = [\"access\", \"core\"];\n"
		  "      ipv4 = \"10.200.0.1/24\"; ipv6 = \"fd00:200::1/64\";\n"
		  "      gateway4 = \"10.200.0.254\"; gateway6 = \"fd00:200::fe\";\n"
		  "      mtu = 9000; vlan = 4094; tx_checksum_offload = false; mss_clamp = 1400;\n"
		  "      impair = { loss = 0.2; dup = 1; reorder = 0.0; delay_us = 40000;\n"
		  "                 jitter_us = 5; seed = 4294967296L; direction = \"both\"; };\n"
		  "    },\n"
		  "    { name = \"v6only\"; dev = \"net_tap1,iface=y\"; roles = [\"core\"];\n"
		  "      ipv6 = \"2001:db8::5/48\"; impair = { direction = \"tx\"; }; }\n"
		  "  );\n"
		  "};\n"
		  "cp_future = { anything = 1; };\n");
	assert_int_equal(c.dp.eal_argc, 4);
	assert_string_equal(c.dp.eal_argv[1], "-l");
	assert_string_equal(c.dp.eal_argv[3], "--no-pci");
	assert_null(c.dp.eal_argv[4]);
	assert_int_equal(c.dp.nworkers, 3);
	assert_int_equal(c.dp.workers[0], 3);
	assert_int_equal(c.dp.workers[2], 2);
	assert_int_equal(c.dp.idle_sleep_max_us, 100000);
	assert_int_equal(c.dp.mbufs_per_worker, 1023);
	assert_int_equal(c.dp.neigh_reachable_s, 5);
	assert_int_equal(c.dp.neigh_retry_ms, 250);
	assert_int_equal(c.dp.neigh_queue_max, 16);
	assert_int_equal(c.dp.icmp_rate_per_s, 0);
	assert_int_equal(c.dp.diag_echo_port, 65535);
	assert_int_equal(c.dp.diag_tcp_echo_port, 9);
	assert_int_equal(c.dp.diag_tcp_connect_family, 6);
	assert_addr(6, c.dp.diag_tcp_connect_addr, "fd00:200::7");
	assert_int_equal(c.dp.diag_tcp_connect_port, 5001);
	assert_int_equal(c.dp.tcp_max_conns, 1048576);
	assert_int_equal(c.dp.tcp_invalid_ratelimit_ms, 0);
	assert_int_equal(c.dp.tcp_challenge_acks, 50);
	assert_int_equal(c.dp.nports, 2);
	p = &c.dp.ports[0];
	assert_int_equal(p->line, 9);
	assert_int_equal(p->roles, TP_ROLE_ACCESS | TP_ROLE_CORE);
	assert_addr(4, p->gw4, "10.200.0.254");
	assert_addr(6, p->gw6, "fd00:200::fe");
	assert_true(p->has_gw4 && p->has_gw6);
	assert_int_equal(p->mtu, 9000);
	assert_int_equal(p->vlan, 4094);
	assert_int_equal(p->mss_clamp, 1400);
	assert_int_equal(c.dp.ports[1].mss_clamp, 0);
	assert_true(p->no_tx_offload);
	assert_true(p->impair.enabled);
	assert_true(p->impair.loss > 0.199 && p->impair.loss < 0.201);
	assert_true(p->impair.dup == 1.0);
	assert_true(p->impair.reorder == 0.0);
	assert_int_equal(p->impair.delay_us, 40000);
	assert_int_equal(p->impair.jitter_us, 5);
	assert_true(p->impair.seed == 4294967296ULL);
	assert_int_equal(p->impair.dir, TP_IMPAIR_BOTH);
	p = &c.dp.ports[1];
	assert_false(p->has_ip4);
	assert_addr(6, p->ip6, "2001:db8::5");
	assert_int_equal(p->plen6, 48);
	/* An empty impair group still enables the stage, with its defaults. */
	assert_true(p->impair.enabled);
	assert_int_equal(p->impair.dir, TP_IMPAIR_TX);
	assert_true(p->impair.seed == 1);
	assert_true(p->impair.loss == 0.0);
}

static void
test_conf_impair_direction_defaults_to_rx(void **state)
{
	(void)state;
	expect_ok(PORT("ipv4 = \"10.0.0.1/24\"; impair = { loss = 0.5; };"));
	assert_true(c.dp.ports[0].impair.enabled);
	assert_int_equal(c.dp.ports[0].impair.dir, TP_IMPAIR_RX);
	assert_true(c.dp.ports[0].impair.seed == 1);
}

static void
test_conf_unknown_top_level_groups_are_ignored(void **state)
{
	(void)state;
	expect_ok("future_group = { msrp = true; };\n" DP("workers = [0];") "future = 3;\n");
	assert_int_equal(c.dp.nports, 1);
}

/* dp/tcp's timers that give up (dp.tcp_user_timeout,
 * dp.tcp_orphan_timeout) and keepalive per use (turn.tcp_keepalive,
 * agw.keepalive): defaults, values read, bounds refused on their line. */
static void
test_conf_tcp_timers(void **state)
{
	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { };\n");
	assert_int_equal(c.dp.tcp_user_timeout_s, 900);
	assert_int_equal(c.dp.tcp_orphan_timeout_s, 60);
	assert_int_equal(c.turn.tcp_keepalive.idle_s, 120);
	assert_int_equal(c.turn.tcp_keepalive.interval_s, 30);
	assert_int_equal(c.turn.tcp_keepalive.count, 4);
	assert_int_equal(c.agw.keepalive.idle_s, 120);
	assert_int_equal(c.agw.keepalive.interval_s, 30);
	assert_int_equal(c.agw.keepalive.count, 4);
	tp_conf_free(&c);
	expect_ok(DP("tcp_user_timeout = 0; tcp_orphan_timeout = 3600;")
		  "turn = { realm = \"r\"; relay_ports = [50000, 50999];\n"
		  " tcp_keepalive = { idle = 0; }; };\n"
		  "agw = { keepalive = { idle = 86400; interval = 3600; count = 255; }; };\n");
	assert_int_equal(c.dp.tcp_user_timeout_s, 0);
	assert_int_equal(c.dp.tcp_orphan_timeout_s, 3600);
	assert_int_equal(c.turn.tcp_keepalive.idle_s, 0);
	assert_int_equal(c.turn.tcp_keepalive.interval_s, 30);     /* untouched */
	assert_int_equal(c.agw.keepalive.idle_s, 86400);
	assert_int_equal(c.agw.keepalive.interval_s, 3600);
	assert_int_equal(c.agw.keepalive.count, 255);
	tp_conf_free(&c);
	expect_ok(DP("tcp_user_timeout = 86400; tcp_orphan_timeout = 0;")
		  "turn = { realm = \"r\"; tcp_keepalive = { idle = 10; interval = 1; count = 1; }; };\n");
	assert_int_equal(c.dp.tcp_user_timeout_s, 86400);
	assert_int_equal(c.dp.tcp_orphan_timeout_s, 0);
	assert_int_equal(c.turn.tcp_keepalive.idle_s, 10);
	assert_int_equal(c.turn.tcp_keepalive.interval_s, 1);
	assert_int_equal(c.turn.tcp_keepalive.count, 1);
	tp_conf_free(&c);
	expect_error(DP("tcp_user_timeout = 86401;") "turn = { realm = \"r\"; };\n", 2,
		     "tcp_user_timeout");
	expect_error(DP("tcp_orphan_timeout = 3601;") "turn = { realm = \"r\"; };\n", 2,
		     "tcp_orphan_timeout");
	/* lines: dp 1-4, turn 5.. */
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_keepalive = 120; };\n", 6,
		     "turn.tcp_keepalive must be a group");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_keepalive = { idel = 1; }; };\n", 6,
		     "unknown setting 'idel'");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_keepalive = { interval = 0; }; };\n",
		     6, "interval");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_keepalive = { count = 0; }; };\n", 6,
		     "count");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_keepalive = { count = 256; }; };\n",
		     6, "count");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_keepalive = { idle = 86401; }; };\n",
		     6, "idle");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  keepalive = { interval = 3601; }; };\n", 7, "interval");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  keepalive = [1, 2]; };\n", 7, "agw.keepalive must be a group");
}

/* agw.quota and a tenant's agw_contexts: 0 (no limit) by default, values
 * read, a wrong form refused on its line. */
static void
test_conf_agw_quota(void **state)
{
	(void)state;
	expect_ok(DP("") "agw = { };\n");
	assert_int_equal(c.agw.quota.api, 0);
	assert_int_equal(c.agw.quota.iq, 0);
	assert_int_equal(c.agw.quota.ng, 0);
	assert_int_equal(c.agw.quota.default_tenant, 0);
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { quota = { api = 3; iq = 2; ng = 5; default_tenant = 4; }; };\n"
		  "tenants = ( { name = \"t1\"; realm = \"t1.test\"; "
		  "addresses = [\"10.0.0.11\"]; agw_contexts = 7; },\n"
		  "  { name = \"t2\"; realm = \"t2.test\"; addresses = [\"10.0.0.12\"]; } );\n");
	assert_int_equal(c.agw.quota.api, 3);
	assert_int_equal(c.agw.quota.iq, 2);
	assert_int_equal(c.agw.quota.ng, 5);
	assert_int_equal(c.agw.quota.default_tenant, 4);
	assert_int_equal(c.tenants.t[0].agw_contexts, 7);
	assert_int_equal(c.tenants.t[1].agw_contexts, 0);
	tp_conf_free(&c);
	/* lines: dp 1-4, agw 5.. */
	expect_error(DP("") "agw = {\n  quota = 3; };\n", 6, "agw.quota must be a group");
	expect_error(DP("") "agw = {\n  quota = { json = 3; }; };\n", 6, "unknown setting 'json'");
	expect_error(DP("") "agw = {\n  quota = { iq = -1; }; };\n", 6, "iq");
	expect_error(DP("") "agw = {\n  quota = { ng = 268435457; }; };\n", 6, "ng");
	expect_error(DP("") "agw = { };\ntenants = ( { name = \"t1\"; realm = \"t1.test\";\n"
		     "  addresses = [\"10.0.0.11\"]; agw_contexts = -2; } );\n", 7, "agw_contexts");
}

/* The iq group (cp/iq): needs agw and at least one controller, its mid
 * derived from listen unless given, each refusal on its line. */
static void
test_conf_iq_group_read_and_checked(void **state)
{
	(void)state;
	expect_ok(DP("") "agw = { };\n"
		  "iq = { listen = \"192.0.2.10:2944\"; mgc = [\"192.0.2.20:2944\"]; };\n");
	assert_true(c.iq.enabled);
	assert_false(c.iq.tcp);
	assert_string_equal(c.iq.listen, "192.0.2.10:2944");
	assert_string_equal(c.iq.mid, "[192.0.2.10]:2944");
	assert_int_equal(c.iq.nmgc, 1);
	assert_string_equal(c.iq.mgc[0], "192.0.2.20:2944");
	assert_int_equal(c.iq.max_rate, 500);
	assert_int_equal(c.iq.request_timeout, 30);
	assert_string_equal(c.iq.profile, "threegiq/1");
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { };\n"
		  "iq = { listen = \"[2001:db8::a]:2944\"; transport = \"tcp\";\n"
		  "  mgc = [\"[2001:db8::1]:2944\", \"[2001:db8::2]:2944\"];\n"
		  "  mid = \"<agw1.example.net>:2944\"; max_rate = 20; profile = \"ImsAgw/2\";\n"
		  "  request_timeout = 3; };\n");
	assert_int_equal(c.iq.request_timeout, 3);
	assert_string_equal(c.iq.profile, "ImsAgw/2");
	assert_true(c.iq.tcp);
	assert_string_equal(c.iq.mid, "<agw1.example.net>:2944");
	assert_int_equal(c.iq.nmgc, 2);
	assert_int_equal(c.iq.max_rate, 20);
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { };\n");
	assert_false(c.iq.enabled);
	tp_conf_free(&c);
	/* lines: dp 1-4, agw 5, iq 6.. */
	expect_error(DP("") "iq = { listen = \"192.0.2.10:2944\"; mgc = [\"192.0.2.20:2944\"]; };\n",
		     5, "iq needs the agw group");
	expect_error(DP("") "agw = { };\niq = {\n  mgc = [\"192.0.2.20:2944\"]; };\n", 6,
		     "iq needs listen");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\";\n  mgc = []; };\n",
		     7, "iq.mgc must list 1 to 4");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\";\n  mgc = "
		     "[\"a:1\",\"b:2\",\"c:3\",\"d:4\",\"e:5\"]; };\n", 7, "iq.mgc must list 1 to 4");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\";\n  mgc = "
		     "[\"mgc.example:2944\"]; };\n", 7, "is not \"IP:PORT\"");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\";\n  mgc = "
		     "[\"[2001:db8::1]:2944\"]; };\n", 7, "not of iq.listen's address family");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\";\n  mgc = "
		     "[\"192.0.2.20:2944\", \"192.0.2.20:2944\"]; };\n", 7, "listed twice");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  transport = \"sctp\"; };\n", 7,
		     "iq.transport must be");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  mid = \"a b\"; };\n", 7, "iq.mid 'a b'");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  max_rate = 0; };\n", 7, "max_rate");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  request_timeout = 0; };\n", 7, "request_timeout");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  request_timeout = 301; };\n", 7, "request_timeout");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  profile = \"iq\"; };\n", 7, "iq.profile 'iq'");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  profile = \"a b/1\"; };\n", 7, "iq.profile");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  mgcs = 1; };\n", 7, "unknown setting 'mgcs'");
}

/* iq.send_from: each a source of the one controller on its host (which
 * must be alone there), listed once, not a controller's own address,
 * UDP only. */
static void
test_conf_iq_send_from(void **state)
{
#define IQ2 "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = [\"192.0.2.20:2944\", " \
	    "\"192.0.2.21:2944\"];\n"
	(void)state;
	expect_ok(DP("") IQ2 "  send_from = [\"192.0.2.20:3000\", \"192.0.2.21:3000\"]; };\n");
	assert_int_equal(c.iq.nsend_from, 2);
	assert_string_equal(c.iq.send_from[1], "192.0.2.21:3000");
	assert_int_equal(c.iq.send_from_mgc[0], 0);
	assert_int_equal(c.iq.send_from_mgc[1], 1);
	tp_conf_free(&c);
	/* lines: dp 1-4, agw 5, iq 6, 7.. */
	expect_error(DP("") IQ2 "  send_from = [\"192.0.2.22:3000\"]; };\n", 7,
		     "on no controller's host");
	expect_error(DP("") IQ2 "  send_from = [\"192.0.2.20:2944\"]; };\n", 7,
		     "iq.mgc's own address");
	expect_error(DP("") IQ2 "  send_from = [\"192.0.2.20:3000\", \"192.0.2.20:3000\"]; };\n", 7,
		     "listed twice");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		     "[\"192.0.2.20:2944\", \"192.0.2.20:2945\"];\n"
		     "  send_from = [\"192.0.2.20:3000\"]; };\n", 7, "host of two controllers");
	expect_error(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; transport = \"tcp\"; "
		     "mgc = [\"192.0.2.20:2944\"];\n  send_from = [\"192.0.2.20:3000\"]; };\n", 7,
		     "iq.send_from is for UDP");
	expect_error(DP("") IQ2 "  send_from = \"192.0.2.20:3000\"; };\n", 7,
		     "iq.send_from must list");
	expect_error(DP("") IQ2 "  send_from = [\"192.0.2.20\"]; };\n", 7, "is not \"IP:PORT\"");
#undef IQ2
}

/* iq.auth: one entry a controller (IPv4; over UDP a named listen
 * address), an SPI past the reserved ones, sha1-96 or sha256-128 (md5
 * refused), a hex key as long as the hash at least, inline or a file's
 * path, the anti-replay window on unless turned off. */
static void
test_conf_iq_auth(void **state)
{
#define IQ2 "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = [\"192.0.2.20:2944\", " \
	    "\"192.0.2.21:2944\"];\n"
	(void)state;
	expect_ok(DP("") IQ2
		  "  auth = ( { mgc = \"192.0.2.21:2944\"; spi = \"0x0000abcd\"; key_file = "
		  "\"/etc/turnpike/k\"; },\n"
		  "    { mgc = \"192.0.2.20:2944\"; spi = 4096; algorithm = \"hmac-sha256-128\";\n"
		  "      anti_replay = false; key = "
		  "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"; } ); };\n");
	assert_int_equal(c.iq.nauth, 2);
	assert_int_equal(c.iq.auth[0].mgc, 1);
	assert_int_equal(c.iq.auth[0].spi, 0xabcd);
	assert_int_equal(c.iq.auth[0].alg, TP_IQ_HMAC_SHA1_96);
	assert_true(c.iq.auth[0].anti_replay);
	assert_string_equal(c.iq.auth[0].key_file, "/etc/turnpike/k");
	assert_int_equal(c.iq.auth[1].mgc, 0);
	assert_int_equal(c.iq.auth[1].spi, 4096);
	assert_int_equal(c.iq.auth[1].alg, TP_IQ_HMAC_SHA256_128);
	assert_false(c.iq.auth[1].anti_replay);
	assert_int_equal(c.iq.auth[1].keylen, 32);
	assert_int_equal(c.iq.auth[1].key[31], 0x1f);
	/* an inline key makes its file one that holds a secret */
	assert_int_equal(c.nsecret_files, 1);
	tp_conf_free(&c);
	/* over TCP the wildcard is no matter: our end is the connection's */
	expect_ok(DP("") "agw = { };\niq = { listen = \"0.0.0.0:2944\"; transport = \"tcp\"; "
		  "mgc = [\"192.0.2.20:2944\"];\n  auth = ( { mgc = \"192.0.2.20:2944\"; spi = "
		  "\"0x1000\"; key_file = \"/k\"; } ); };\n");
	tp_conf_free(&c);
	/* lines: dp 1-4, agw 5, iq 6, 7.. */
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.22:2944\"; spi = \"0x1000\"; "
		     "key_file = \"/k\"; } ); };\n", 7, "is not one of iq.mgc");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "key_file = \"/k\"; },\n   { mgc = \"192.0.2.20:2944\"; spi = \"0x1001\"; "
		     "key_file = \"/k\"; } ); };\n", 8, "has two entries");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0xff\"; "
		     "key_file = \"/k\"; } ); };\n", 7, "0-255 are reserved");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"abcd\"; "
		     "key_file = \"/k\"; } ); };\n", 7, "iq.auth: spi must be");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; key_file = \"/k\"; } ); };\n",
		     7, "spi = \"0x...\" is required");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "algorithm = \"hmac-md5-96\"; key_file = \"/k\"; } ); };\n", 7,
		     "hmac-md5-96 is not offered");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "algorithm = \"sha1\"; key_file = \"/k\"; } ); };\n", 7,
		     "algorithm must be");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; } ); };\n",
		     7, "key_file = \"/path\"");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "key_file = \"k\"; } ); };\n", 7, "absolute path");
	/* 19 bytes: shorter than SHA-1's output; 20 too short for SHA-256 */
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "key = \"00112233445566778899aabbccddeeff001122\"; } ); };\n", 7,
		     "key must be hex, 20 to 64 bytes");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "algorithm = \"hmac-sha256-128\"; key = "
		     "\"00112233445566778899aabbccddeeff00112233\"; } ); };\n", 7,
		     "key must be hex, 32 to 64 bytes");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "key = \"zz112233445566778899aabbccddeeff00112233\"; } ); };\n", 7,
		     "key must be hex");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "key = \"00112233445566778899aabbccddeeff00112233\"; key_file = \"/k\"; } ); };\n",
		     7, "key or key_file, not both");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "key_file = \"/k\"; anti_replay = 1; } ); };\n", 7, "anti_replay must be");
	expect_error(DP("") IQ2 "  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		     "key_file = \"/k\"; salt = 1; } ); };\n", 7, "unknown setting 'salt'");
	expect_error(DP("") IQ2 "  auth = { mgc = \"192.0.2.20:2944\"; }; };\n", 7,
		     "iq.auth must be a list");
	expect_error(DP("") "agw = { };\niq = { listen = \"[2001:db8::a]:2944\"; mgc = "
		     "[\"[2001:db8::1]:2944\"];\n  auth = ( { mgc = \"[2001:db8::1]:2944\"; spi = "
		     "\"0x1000\"; key_file = \"/k\"; } ); };\n", 7, "is IPv6");
	expect_error(DP("") "agw = { };\niq = { listen = \"0.0.0.0:2944\"; mgc = "
		     "[\"192.0.2.20:2944\"];\n  auth = ( { mgc = \"192.0.2.20:2944\"; spi = "
		     "\"0x1000\"; key_file = \"/k\"; } ); };\n", 7, "needs iq.listen to name");
#undef IQ2
}

/* The warning for Iq over UDP, beyond loopback (or on the wildcard),
 * with a controller that has no iq.auth: it names those controllers and
 * SECURITY.md; none on loopback, over TCP, or with iq.auth for each. */
static void
test_conf_iq_unauthenticated_warning(void **state)
{
	char w[512];

	(void)state;
	expect_ok(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		  "[\"192.0.2.20:2944\", \"192.0.2.21:2944\"];\n"
		  "  auth = ( { mgc = \"192.0.2.21:2944\"; spi = \"0x1000\"; key_file = \"/k\"; } ); };\n");
	assert_int_equal(tp_conf_iq_unauthenticated(&c, w, sizeof(w)), 1);
	assert_non_null(strstr(w, "192.0.2.20:2944"));
	assert_null(strstr(w, "192.0.2.21:2944"));
	assert_non_null(strstr(w, "SECURITY.md"));
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; mgc = "
		  "[\"192.0.2.20:2944\"];\n  auth = ( { mgc = \"192.0.2.20:2944\"; spi = \"0x1000\"; "
		  "key_file = \"/k\"; } ); };\n");
	assert_int_equal(tp_conf_iq_unauthenticated(&c, w, sizeof(w)), 0);
	assert_string_equal(w, "");
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { };\niq = { listen = \"127.0.0.1:2944\"; mgc = "
		  "[\"127.0.0.2:2944\"]; };\n");
	assert_int_equal(tp_conf_iq_unauthenticated(&c, w, sizeof(w)), 0);
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { };\niq = { listen = \"192.0.2.10:2944\"; transport = \"tcp\"; "
		  "mgc = [\"192.0.2.20:2944\"]; };\n");
	assert_int_equal(tp_conf_iq_unauthenticated(&c, w, sizeof(w)), 0);
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { };\niq = { listen = \"0.0.0.0:2944\"; mgc = "
		  "[\"127.0.0.2:2944\"]; };\n");
	assert_int_equal(tp_conf_iq_unauthenticated(&c, w, sizeof(w)), 1);
	assert_non_null(strstr(w, "every address"));
	tp_conf_free(&c);
	expect_ok(DP("") "agw = { };\n");
	assert_int_equal(tp_conf_iq_unauthenticated(&c, w, sizeof(w)), 0);
	tp_conf_free(&c);
}

/* The agw group (dp/agw): defaults, and its ports kept away from what
 * else takes TCP ports or steers by them, each refusal naming the line. */
static void
test_conf_agw_group_read_and_checked(void **state)
{
	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { };\n");
	assert_true(c.agw.enabled);
	assert_int_equal(c.agw.port_min, 20000);
	assert_int_equal(c.agw.port_max, 29999);
	assert_int_equal(c.agw.max_contexts, 1024);
	assert_int_equal(c.agw.setup_timeout_s, 30);
	assert_int_equal(c.agw.hold_bytes, 65536);
	assert_false(c.agw.allow_sha1);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { ports = [30000, 30999]; max_contexts = 2000; setup_timeout = 0;\n"
		  "  hold = 4096; allow_sha1 = true; };\n");
	assert_int_equal(c.agw.port_min, 30000);
	assert_int_equal(c.agw.max_contexts, 2000);
	assert_int_equal(c.agw.setup_timeout_s, 0);
	assert_true(c.agw.allow_sha1);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { allow_sha1 = false; };\n");
	assert_false(c.agw.allow_sha1);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  allow_sha1 = 1; };\n", 7,
		     "agw.allow_sha1 must be true or false");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  allow_sha1 = \"yes\"; };\n", 7,
		     "agw.allow_sha1 must be true or false");
	/* lines: dp 1-4, turn 5, agw 6.. */
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [40000, 40999]; };\n"
		     "agw = {\n  ports = [30000, 48000]; };\n", 7, "overlaps turn.relay_ports");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [40000, 40999]; };\n"
		     "agw = {\n  ports = [45000, 50000]; };\n", 7,
		     "reaches into 49152-65535");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; "
		     "listen_tcp = [3478, 20080]; };\n"
		     "agw = {\n  ports = [20000, 20999]; };\n", 7,
		     "holds TCP port 20080 of turn.listen_tcp");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = { max_contexts = 9000; };\n", 6, "more than dp.tcp_max_conns");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = { portz = [1, 2]; };\n", 6, "unknown setting 'portz'");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  certificates = ( { name = \"x\"; certificate = \"c.pem\"; "
		     "private_key = \"k.pem\"; } ); };\n", 6, "needs the tls group");
	/* RTP terminations: none unless media_ports says, their ports apart
	 * from every other UDP listener and from agw.ports */
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { };\n");
	assert_int_equal(c.agw.media_min, 0);
	assert_int_equal(c.agw.media_max, 0);
	assert_int_equal(c.agw.media_contexts, 4096);
	assert_int_equal(c.agw.media_relatch_ms, 2000);
	assert_int_equal(c.agw.ice_consent_ms, 30000);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { media_ports = [30000, 39999]; media_contexts = 100000;\n"
		  "  media_relatch = 500; ice_consent_ms = 1000; };\n");
	assert_int_equal(c.agw.media_min, 30000);
	assert_int_equal(c.agw.media_max, 39999);
	assert_int_equal(c.agw.media_contexts, 100000);
	assert_int_equal(c.agw.media_relatch_ms, 500);
	assert_int_equal(c.agw.ice_consent_ms, 1000);
	tp_conf_free(&c);
	/* RFC 7675's consent: not below the floor (a check's retransmissions
	 * must keep it) */
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  ice_consent_ms = 999; };\n", 7,
		     "agw.ice_consent_ms 999 is out of range 1000..3600000");
	/* a certificate dp makes: 30 days unless agw.dtls.lifetime says,
	 * 12 s at least (renewed with a third left), a year at most */
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { media_ports = [30000, 39999]; };\n");
	assert_int_equal(c.agw.dtls.lifetime_s, 30u * 86400u);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { media_ports = [30000, 39999]; dtls = { lifetime = 12; }; };\n");
	assert_int_equal(c.agw.dtls.lifetime_s, 12);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = { media_ports = [30000, 39999];\n  dtls = {\n  lifetime = 11; }; };\n", 8,
		     "agw.dtls.lifetime 11 is out of range 12..31622400");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  media_ports = [39999, 30000]; };\n", 7,
		     "agw.media_ports [39999, 30000] must lie in 1024..65535, first <= last");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  media_ports = [45000, 50000]; };\n", 7,
		     "agw.media_ports [45000, 50000] overlaps turn.relay_ports [50000, 50999]");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  media_ports = [3000, 3999]; };\n", 7,
		     "holds turn.listen_port 3478");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  media_ports = [25000, 30999]; };\n", 7,
		     "overlaps agw.ports [20000, 29999]");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = {\n  media_ports = [30000, 39999]; media_contexts = 0; };\n", 7,
		     "media_contexts");
	/* an AGW-only box: the gateway without TURN (cp creates its contexts
	 * through the ipc group's segment) */
	expect_ok(DP("") "agw = { };\n");
	assert_true(c.agw.enabled);
	assert_false(c.turn.enabled);
	tp_conf_free(&c);
	/* agw.peers: private allowed by default (cp.peers' default is not),
	 * the same settings as cp.peers but TURN's relay-to-relay */
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { };\n");
	assert_true(c.agw.peers.allow_private);
	assert_false(c.cp.peers.allow_private);
	assert_int_equal(c.agw.peers.nallow + c.agw.peers.ndeny, 0);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		  "agw = { peers = { allow_private = false; deny = [\"10.9.0.0/16\"];\n"
		  "  allow = [\"10.9.1.0/24\", \"fd00::/8\"]; allow_loopback = true; }; };\n");
	assert_false(c.agw.peers.allow_private);
	assert_true(c.agw.peers.allow_loopback);
	assert_int_equal(c.agw.peers.nallow, 2);
	assert_string_equal(c.agw.peers.deny[0], "10.9.0.0/16");
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = { peers = {\n  allow_relay_to_relay = true; }; };\n", 7,
		     "allow_relay_to_relay is cp.peers' only");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = { peers = {\n  deny = [\"10.9.0.0\"]; }; };\n", 7,
		     "is not a prefix");
	expect_error(DP("") "turn = { realm = \"r\"; relay_ports = [50000, 50999]; };\n"
		     "agw = { peers = [1]; };\n", 6, "agw.peers must be a group");
}

/* The ipc group: the segment's name and cp's grace, read there and (the
 * old place) in the turn group, with a warning; both places with two
 * values refused, naming the lines. */
static void
test_conf_ipc_group(void **state)
{
	char want[sizeof(path) + 128];

	(void)state;
	/* defaults, no warning */
	expect_ok(DP(""));
	assert_string_equal(c.ipc.name, "/turnpike");
	assert_int_equal(c.ipc.cp_grace_s, 40);
	assert_int_equal(c.ipc.line, 0);
	assert_string_equal(c.warn, "");
	tp_conf_free(&c);
	/* lines: dp 1-4, ipc 5.. */
	expect_ok(DP("") "ipc = { name = \"/tp-a\"; cp_grace = 8; };\n");
	assert_string_equal(c.ipc.name, "/tp-a");
	assert_int_equal(c.ipc.cp_grace_s, 8);
	assert_int_equal(c.ipc.line, 5);
	assert_string_equal(c.warn, "");
	tp_conf_free(&c);
	/* the old place alone: used, and a word that it moved */
	expect_ok(DP("") "turn = { realm = \"r\";\n  ipc = \"/tp-old\"; cp_grace = 9; };\n");
	assert_string_equal(c.ipc.name, "/tp-old");
	assert_int_equal(c.ipc.cp_grace_s, 9);
	snprintf(want, sizeof(want), "%s:6: turn.ipc and turn.cp_grace moved to the ipc group",
		 path);
	if (strncmp(c.warn, want, strlen(want)) != 0 || strchr(c.warn, '\n') != NULL)
		fail_msg("warning \"%s\", want \"%s...\"", c.warn, want);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\";\n  cp_grace = 0; };\n");
	assert_string_equal(c.ipc.name, "/turnpike");
	assert_int_equal(c.ipc.cp_grace_s, 0);
	snprintf(want, sizeof(want), "%s:6: turn.cp_grace moved to the ipc group", path);
	assert_memory_equal(c.warn, want, strlen(want));
	tp_conf_free(&c);
	/* both places, one value: fine (the old one still warned about) */
	expect_ok(DP("") "turn = { realm = \"r\"; ipc = \"/x\"; cp_grace = 5; };\n"
		  "ipc = { name = \"/x\"; cp_grace = 5; };\n");
	assert_string_equal(c.ipc.name, "/x");
	assert_int_equal(c.ipc.cp_grace_s, 5);
	assert_non_null(strstr(c.warn, "turn.ipc and turn.cp_grace moved"));
	tp_conf_free(&c);
	/* ... two values: refused where the ipc group says it, naming the
	 * turn group's line */
	expect_error(DP("") "turn = { realm = \"r\";\n  ipc = \"/x\"; };\n"
		     "ipc = {\n  name = \"/y\"; };\n", 8,
		     "ipc.name '/y' and turn.ipc '/x' (line 6) differ");
	expect_error(DP("") "turn = { realm = \"r\"; cp_grace = 5; };\n"
		     "ipc = {\n  cp_grace = 6; };\n", 7,
		     "ipc.cp_grace 6 and turn.cp_grace 5 (line 5) differ");
	/* each place checked */
	expect_error(DP("") "ipc = {\n  name = \"turnpike\"; };\n", 6,
		     "ipc.name 'turnpike' must be a name like \"/turnpike\"");
	expect_error(DP("") "ipc = {\n  name = \"/a/b\"; };\n", 6, "must be a name like");
	expect_error(DP("") "ipc = {\n  name = \"\"; };\n", 6, "ipc.name must not be empty");
	expect_error(DP("") "ipc = {\n  name = 5; };\n", 6, "ipc.name must be a string");
	expect_error(DP("") "turn = { realm = \"r\";\n  ipc = \"tp\"; };\n", 6,
		     "turn.ipc 'tp' must be a name like");
	expect_error(DP("") "ipc = {\n  cp_grace = 601; };\n", 6,
		     "ipc.cp_grace 601 is out of range 0..600");
	expect_error(DP("") "turn = { realm = \"r\";\n  cp_grace = 601; };\n", 6,
		     "turn.cp_grace 601 is out of range");
	expect_error(DP("") "ipc = {\n  nmae = \"/x\"; };\n", 6,
		     "ipc: unknown setting 'nmae' (did you mean 'name'?)");
	expect_error(DP("") "ipc = \"/x\";\n", 5, "ipc must be a group");
	/* a cp group needs something to control: TURN, or the gateway */
	expect_error(DP("") "cp = { };\n", 5, "a cp group needs a turn group");
	expect_ok(DP("") "agw = { };\ncp = { api_socket = \"/tmp/x.sock\"; };\n");
	assert_true(c.agw.enabled);
	assert_false(c.turn.enabled);
	assert_string_equal(c.cp.api_socket, "/tmp/x.sock");
	tp_conf_free(&c);
}

/* cp.agw_group: the AGW's controllers, a group the system knows, never
 * the operators' group. */
static void
test_conf_cp_agw_group(void **state)
{
	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { agw_group = \"root\"; };\n");
	assert_true(c.cp.has_agw_group);
	assert_int_equal(c.cp.agw_gid, 0);
	assert_false(c.cp.has_api_group);
	assert_int_equal(c.cp.api_mode, 0660);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\"; };\n"
		     "cp = { api_group = \"root\";\n  agw_group = \"root\"; };\n", 7,
		     "is cp.api_group's group");
	expect_error(DP("") "turn = { realm = \"r\"; };\n"
		     "cp = {\n  agw_group = \"no-such-group-tp\"; };\n", 7, "no such group");
}

static void
test_conf_cluster_group_read_and_checked(void **state)
{
#define TURN "turn = { realm = \"r.example\"; relay_ports = [50000, 50999]; };\n"
	(void)state;
	expect_ok(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a-1\";\n"
		  "  address = [\"192.0.2.1:3478\", \"[2001:db8::1]:3478\"]; };\n");
	assert_true(c.cluster.enabled);
	assert_int_equal(c.cluster.nredis, 1);
	assert_string_equal(c.cluster.box, "a-1");
	assert_string_equal(c.cluster.ns, "r.example");    /* the realm */
	assert_int_equal(c.cluster.share, TP_CLUSTER_SHARE_ALL);
	assert_int_equal(c.cluster.lease_s, 30);
	tp_conf_free(&c);
	expect_ok(DP("") TURN "cluster = { sentinels = [\"10.0.0.1:26379\", \"[::1]:26379\"];\n"
		  "  master = \"tp\"; box = \"b\"; share = [\"users\", \"quota\"]; lease = 60;\n"
		  "  namespace = \"carrier\"; };\n");
	assert_int_equal(c.cluster.nsentinels, 2);
	assert_string_equal(c.cluster.master, "tp");
	assert_int_equal(c.cluster.share, TP_CLUSTER_SHARE_USERS | TP_CLUSTER_SHARE_QUOTA);
	assert_string_equal(c.cluster.ns, "carrier");
	tp_conf_free(&c);
	expect_ok(DP("") TURN);
	assert_false(c.cluster.enabled);                     /* one box */
	tp_conf_free(&c);
	/* lines: dp 1-4, turn 5, cluster 6.. */
	expect_error(DP("") TURN "cluster = {\n  redis = [\"redis.example:6379\"]; box = \"a\"; };\n",
		     7, "not \"IP:PORT\"");
	expect_error(DP("") TURN "cluster = {\n  redis = [\"127.0.0.1:0\"]; box = \"a\"; };\n",
		     7, "not \"IP:PORT\"");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"];\n  box = \"a b\"; };\n",
		     7, "cluster.box 'a b'");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; };\n", 6,
		     "cluster needs box");
	expect_error(DP("") TURN "cluster = { box = \"a\"; share = [\"users\"]; };\n", 6,
		     "either redis");
	expect_error(DP("") TURN "cluster = { sentinels = [\"127.0.0.1:26379\"]; box = \"a\";\n"
		     "  share = [\"users\"]; };\n", 6, "needs master");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		     "  share = [\"users\", \"quotas\"]; };\n", 7, "'quotas' is none of");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\"; };\n", 6,
		     "needs address");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		     "  address = [\"192.0.2.1:3478\", \"192.0.2.2:3478\"]; };\n", 7,
		     "one IPv4 and one IPv6");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		     "  share = [\"users\"]; lease = 2; };\n", 7, "lease");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		     "  share = [\"users\"]; leese = 20; };\n", 7, "did you mean 'lease'");
	expect_error(DP("") "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\"; };\n", 5,
		     "needs the turn group");
	/* Redis' AUTH: the password's file (cp reads and checks it), the user */
	expect_ok(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		  "  share = [\"users\"];\n  password_file = \"/etc/tp/redis.secret\";\n"
		  "  username = \"tp-1\"; };\n");
	assert_string_equal(c.cluster.password_file, "/etc/tp/redis.secret");
	assert_int_equal(c.cluster.password_file_line, 8);
	assert_string_equal(c.cluster.username, "tp-1");
	tp_conf_free(&c);
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		     "  share = [\"users\"]; password_file = \"redis.secret\"; };\n", 7,
		     "must be an absolute path");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		     "  share = [\"users\"]; username = \"tp\"; };\n", 7,
		     "username needs password_file");
	expect_error(DP("") TURN "cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\";\n"
		     "  share = [\"users\"]; sentinel_password_file = \"/s\"; };\n", 7,
		     "goes with sentinels");
#undef TURN
}

static void
test_conf_gateway_anywhere_in_a_zero_prefix(void **state)
{
	(void)state;
	expect_ok(PORT("ipv4 = \"10.0.0.1/0\"; gateway4 = \"192.0.2.1\";"));
	assert_true(c.dp.ports[0].has_gw4);
}

static void
test_conf_eal_args_fill_the_table_exactly(void **state)
{
	char text[4096];
	size_t off;

	(void)state;
	/* argv[0] plus 63 arguments fill TP_CONF_MAX_EAL_ARGS slots; the
	 * NULL terminator takes the spare one. */
	off = (size_t)snprintf(text, sizeof(text), "dp = {\n  eal = [");
	for (int i = 0; i < TP_CONF_MAX_EAL_ARGS - 1; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\"a%d\"",
					i ? ", " : "", i);
	snprintf(text + off, sizeof(text) - off, "];\n"
		 "  ports = ({ name = \"a\"; dev = \"d\"; roles = [\"core\"]; ipv4 = \"10.0.0.1/8\"; });\n"
		 "};\n");
	expect_ok(text);
	assert_int_equal(c.dp.eal_argc, TP_CONF_MAX_EAL_ARGS);
	assert_string_equal(c.dp.eal_argv[TP_CONF_MAX_EAL_ARGS - 1], "a62");
	assert_null(c.dp.eal_argv[TP_CONF_MAX_EAL_ARGS]);
	tp_conf_free(&c);

	off = (size_t)snprintf(text, sizeof(text), "dp = {\n  eal = [");
	for (int i = 0; i < TP_CONF_MAX_EAL_ARGS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s\"a%d\"",
					i ? ", " : "", i);
	snprintf(text + off, sizeof(text) - off, "];\n"
		 "  ports = ({ name = \"a\"; dev = \"d\"; roles = [\"core\"]; ipv4 = \"10.0.0.1/8\"; });\n"
		 "};\n");
	expect_error(text, 2, "dp.eal has 64 arguments; at most 63 fit");
}

static void
test_conf_workers_up_to_the_maximum(void **state)
{
	char text[4096];
	size_t off;

	(void)state;
	for (int n = TP_CONF_MAX_WORKERS; n <= TP_CONF_MAX_WORKERS + 1; n++) {
		off = (size_t)snprintf(text, sizeof(text), "dp = {\n  workers = [");
		for (int i = 0; i < n; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%d",
						i ? ", " : "", i);
		snprintf(text + off, sizeof(text) - off, "];\n"
			 "  ports = ({ name = \"a\"; dev = \"d\"; roles = [\"core\"]; ipv4 = \"10.0.0.1/8\"; });\n"
			 "};\n");
		if (n == TP_CONF_MAX_WORKERS) {
			expect_ok(text);
			assert_int_equal(c.dp.nworkers, TP_CONF_MAX_WORKERS);
			assert_int_equal(c.dp.workers[63], 63);
			tp_conf_free(&c);
		} else {
			expect_error(text, 2, "dp.workers has 65 lcores; at most 64");
		}
	}
}

static void
test_conf_ports_up_to_the_maximum(void **state)
{
	char text[4096];
	size_t off;

	(void)state;
	for (int n = TP_CONF_MAX_PORTS; n <= TP_CONF_MAX_PORTS + 1; n++) {
		off = (size_t)snprintf(text, sizeof(text), "dp = {\n  ports = (\n");
		for (int i = 0; i < n; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off,
				"%s    { name = \"p%d\"; dev = \"net_null%d\"; roles = [\"core\"];"
				" ipv4 = \"10.%d.0.1/16\"; }\n", i ? "," : "", i, i, i);
		snprintf(text + off, sizeof(text) - off, "  );\n};\n");
		if (n == TP_CONF_MAX_PORTS) {
			expect_ok(text);
			assert_int_equal(c.dp.nports, TP_CONF_MAX_PORTS);
			assert_string_equal(c.dp.ports[7].name, "p7");
			tp_conf_free(&c);
		} else {
			expect_error(text, 2, "dp.ports has 9 ports; at most 8");
		}
	}
}

/* ---- errors ------------------------------------------------------------ */

struct bad {
	const char *text;
	int line;
	const char *why;
};

static void
run_cases(const struct bad *cases, size_t n, const char *group)
{
	for (size_t i = 0; i < n; i++) {
		char where[64];

		snprintf(where, sizeof(where), "%s case %zu", group, i);
		expect_error_at(cases[i].text, cases[i].line, cases[i].why, where);
	}
}

#define RUN(cases, group) run_cases((cases), sizeof(cases) / sizeof((cases)[0]), (group))

/* ---- cp.user ----------------------------------------------------------- */

/* A turn group, then a cp group whose line 3 is `extra`. */
#define CP(extra) \
	DP("") \
	"turn = { realm = \"r\"; };\n" \
	"cp = {\n" \
	"  " extra "\n" \
	"};\n"

/* An accounting group opening on line 5, its line 6 is body. */
#define ACCT(body) \
	DP("") \
	"accounting = {\n" \
	"  " body "\n" \
	"};\n"

/* a turn and a cluster group, lines 5 and 6 (after DP("")) */
#define ACCT_CLUSTER \
	"turn = { realm = \"r\"; };\n" \
	"cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\"; share = [\"users\"]; };\n"

/* Absent: no records; present: the file, interim and retention as
 * written (interim and retention 0 unless set). */
static void
test_conf_accounting_is_read(void **state)
{
	(void)state;
	expect_ok(DP(""));
	assert_false(c.acct.enabled);
	tp_conf_free(&c);
	expect_ok(ACCT("file = \"/var/log/turnpike/usage.jsonl\";"));
	assert_true(c.acct.enabled);
	assert_int_equal(c.acct.line, 5);
	assert_string_equal(c.acct.file, "/var/log/turnpike/usage.jsonl");
	assert_int_equal(c.acct.interim_s, 0);
	assert_int_equal(c.acct.retention_days, 0);
	tp_conf_free(&c);
	expect_ok(ACCT("file = \"/x/u.jsonl\"; interim = 300; retention = 90;"));
	assert_int_equal(c.acct.interim_s, 300);
	assert_int_equal(c.acct.retention_days, 90);
	assert_string_equal(c.acct.spool, "");
	assert_int_equal(c.acct.spool_max_mb, 64);
	tp_conf_free(&c);
	expect_ok(ACCT("file = \"/x/u.jsonl\"; spool = \"/var/spool/tp\"; spool_max = 5;"));
	assert_string_equal(c.acct.spool, "/var/spool/tp");
	assert_int_equal(c.acct.spool_line, 6);
	assert_int_equal(c.acct.spool_max_mb, 5);
	assert_string_equal(c.acct.stream, "");
	assert_int_equal(c.acct.stream_maxlen, 1000000);
	tp_conf_free(&c);
	/* the Redis Stream: with a cluster and a spool */
	expect_ok(DP("") ACCT_CLUSTER "accounting = { file = \"/x\"; spool = \"/s\"; "
		  "stream = \"usage\"; stream_maxlen = 5000; };\n");
	assert_string_equal(c.acct.stream, "usage");
	assert_int_equal(c.acct.stream_maxlen, 5000);
	tp_conf_free(&c);
}

/* An ha group opening on line 7 (after DP(""), a turn and a cluster
 * group on lines 5 and 6), its line 8 is body. */
#define HA_CLUSTER \
	"turn = { realm = \"r\"; };\n" \
	"cluster = { redis = [\"127.0.0.1:6379\"]; box = \"a\"; share = [\"users\"]; };\n"
#define HA(body) \
	DP("") HA_CLUSTER \
	"ha = {\n" \
	"  " body "\n" \
	"};\n"
/* what every good ha group has */
#define HA_MIN "pair = \"edge-1\"; peer = \"192.0.2.2:7400\"; listen = \"192.0.2.1:7400\"; " \
	"key_file = \"/etc/turnpike/ha.key\";"

/* Absent: one box; present: the pair, the link's ends and key file as
 * written, role "auto", lease 1000 ms, heartbeats and the mirror's bound
 * 100 ms unless set (docs/design/ha.md section 3.1). */
static void
test_conf_ha_group_is_read(void **state)
{
	(void)state;
	expect_ok(DP("") HA_CLUSTER);
	assert_false(c.ha.enabled);
	tp_conf_free(&c);
	expect_ok(HA(HA_MIN));
	assert_true(c.ha.enabled);
	assert_int_equal(c.ha.line, 7);
	assert_string_equal(c.ha.pair, "edge-1");
	assert_int_equal(c.ha.role, TP_HA_ROLE_AUTO);
	assert_int_equal(c.ha.lease_ms, 1000);
	assert_string_equal(c.ha.peer, "192.0.2.2:7400");
	assert_string_equal(c.ha.listen, "192.0.2.1:7400");
	assert_string_equal(c.ha.key_file, "/etc/turnpike/ha.key");
	assert_int_equal(c.ha.key_file_line, 8);
	assert_int_equal(c.ha.heartbeat_ms, 100);
	assert_int_equal(c.ha.bound_ms, 100);
	tp_conf_free(&c);
	expect_ok(HA(HA_MIN " role = \"standby\"; lease_ms = 500; heartbeat_ms = 50; "
		     "bound_ms = 200;"));
	assert_int_equal(c.ha.role, TP_HA_ROLE_STANDBY);
	assert_int_equal(c.ha.lease_ms, 500);
	assert_int_equal(c.ha.heartbeat_ms, 50);
	assert_int_equal(c.ha.bound_ms, 200);
	tp_conf_free(&c);
	expect_ok(HA(HA_MIN " role = \"active\";"));
	assert_int_equal(c.ha.role, TP_HA_ROLE_ACTIVE);
	tp_conf_free(&c);
	/* IPv6 ends; the bounds themselves */
	expect_ok(HA("pair = \"p\"; peer = \"[2001:db8::2]:7400\"; "
		     "listen = \"[2001:db8::1]:7400\"; key_file = \"/k\"; lease_ms = 300; "
		     "heartbeat_ms = 100; bound_ms = 10;"));
	assert_string_equal(c.ha.peer, "[2001:db8::2]:7400");
	assert_int_equal(c.ha.lease_ms, 300);
	tp_conf_free(&c);
	expect_ok(HA(HA_MIN " lease_ms = 60000; heartbeat_ms = 10000; bound_ms = 10000;"));
	assert_int_equal(c.ha.lease_ms, 60000);
	tp_conf_free(&c);
}

/* Each mistake names its line and what is wrong. */
static void
test_conf_ha_bad_is_refused(void **state)
{
	static const struct bad cases[] = {
		{ DP("") HA_CLUSTER "ha = 1;\n", 7, "ha must be a group" },
		{ DP("") "turn = { realm = \"r\"; };\nha = {\n  " HA_MIN "\n};\n", 6,
		  "ha needs a cluster group" },
		{ HA("peer = \"192.0.2.2:7400\"; listen = \"192.0.2.1:7400\"; "
		     "key_file = \"/k\";"), 7, "ha needs pair" },
		{ HA("pair = \"a b\"; peer = \"192.0.2.2:7400\"; listen = \"192.0.2.1:7400\"; "
		     "key_file = \"/k\";"), 8, "ha.pair 'a b'" },
		{ HA("pair = \"p\"; listen = \"192.0.2.1:7400\"; key_file = \"/k\";"), 7,
		  "ha needs peer" },
		{ HA("pair = \"p\"; peer = \"192.0.2.2:7400\"; key_file = \"/k\";"), 7,
		  "ha needs listen" },
		{ HA("pair = \"p\"; peer = \"192.0.2.2:7400\"; listen = \"192.0.2.1:7400\";"), 7,
		  "ha needs key_file" },
		{ HA(HA_MIN " role = \"master\";"), 8,
		  "ha.role 'master' is none of \"auto\", \"standby\", \"active\"" },
		{ HA(HA_MIN " role = 1;"), 8, "ha.role must be a string" },
		{ HA(HA_MIN " lease_ms = 299;"), 8, "ha.lease_ms 299 is out of range 300..60000" },
		{ HA(HA_MIN " lease_ms = 60001;"), 8, "out of range 300..60000" },
		{ HA(HA_MIN " lease_ms = \"1s\";"), 8, "ha.lease_ms must be an integer" },
		{ HA(HA_MIN " heartbeat_ms = 9;"), 8, "ha.heartbeat_ms 9 is out of range" },
		{ HA(HA_MIN " bound_ms = 10001;"), 8, "ha.bound_ms 10001 is out of range" },
		{ HA(HA_MIN " lease_ms = 600; heartbeat_ms = 201;"), 8,
		  "ha.heartbeat_ms 201 must be at most a third of ha.lease_ms 600" },
		{ HA(HA_MIN " lease_ms = 600; bound_ms = 600;"), 8,
		  "ha.bound_ms 600 must be less than ha.lease_ms 600" },
		{ HA("pair = \"p\"; peer = \"peer.example:7400\"; listen = \"192.0.2.1:7400\"; "
		     "key_file = \"/k\";"), 8, "ha.peer 'peer.example:7400' is not \"IP:PORT\"" },
		{ HA("pair = \"p\"; peer = \"192.0.2.2:7400\"; listen = \"192.0.2.1\"; "
		     "key_file = \"/k\";"), 8, "ha.listen '192.0.2.1' is not \"IP:PORT\"" },
		{ HA("pair = \"p\"; peer = \"192.0.2.2:7400\"; listen = \"[::1]:7400\"; "
		     "key_file = \"/k\";"), 8, "ha.listen and ha.peer must be of one family" },
		{ HA("pair = \"p\"; peer = \"192.0.2.1:7400\"; listen = \"192.0.2.1:7400\"; "
		     "key_file = \"/k\";"), 8, "ha.peer is ha.listen" },
		{ HA("pair = \"p\"; peer = \"192.0.2.2:7400\"; listen = \"192.0.2.1:7400\"; "
		     "key_file = \"ha.key\";"), 8, "ha.key_file must be an absolute path" },
		{ HA(HA_MIN " leese_ms = 1000;"), 8, "ha: unknown setting 'leese_ms' (did you mean "
		  "'lease_ms'?)" },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error_at(cases[i].text, cases[i].line, cases[i].why, cases[i].text);
}

/* An li group opening on line 5 (after DP("")), its line 6 is body. */
#define LI(body) \
	DP("") \
	"li = {\n" \
	"  " body "\n" \
	"};\n"
#define LI_X1 "x1 = { listen = \"192.0.2.1:4443\"; cert = \"/li/x1.crt\"; key = " \
	"\"/li/x1.key\"; client_ca = \"/li/admf-ca.crt\"; admf_id = \"admf-1\"; };"
#define LI_X2X3 "x2x3 = { cert = \"/li/x2.crt\"; key = \"/li/x2.key\"; ca = \"/li/mf-ca.crt\"; };"
#define LI_MIN "ne_id = \"tp-1\"; " LI_X1 " " LI_X2X3

/* Absent: no interception; present: the issue's names as written, the
 * store and the schemas optional (docs/design/li.md section 2.1). */
static void
test_conf_li_group_is_read(void **state)
{
	(void)state;
	expect_ok(DP(""));
	assert_false(c.li.enabled);
	tp_conf_free(&c);
	expect_ok(LI(LI_MIN));
	assert_true(c.li.enabled);
	assert_int_equal(c.li.line, 5);
	assert_string_equal(c.li.ne_id, "tp-1");
	assert_string_equal(c.li.store, "");
	assert_string_equal(c.li.x1.listen, "192.0.2.1:4443");
	assert_string_equal(c.li.x1.cert, "/li/x1.crt");
	assert_string_equal(c.li.x1.key, "/li/x1.key");
	assert_string_equal(c.li.x1.client_ca, "/li/admf-ca.crt");
	assert_string_equal(c.li.x1.admf_id, "admf-1");
	assert_string_equal(c.li.x1.schemas, "");
	assert_string_equal(c.li.x2x3.cert, "/li/x2.crt");
	assert_string_equal(c.li.x2x3.key, "/li/x2.key");
	assert_string_equal(c.li.x2x3.ca, "/li/mf-ca.crt");
	assert_int_equal(c.li.x2x3.keepalive_s, 30);
	assert_int_equal(c.li.x2x3.timeout_s, 10);
	tp_conf_free(&c);
	expect_ok(LI("ne_id = \"n\"; " LI_X1 " x2x3 = { cert = \"/c\"; key = \"/k\"; ca = \"/a\"; "
		     "keepalive_s = 0; timeout_s = 300; };"));
	assert_int_equal(c.li.x2x3.keepalive_s, 0);
	assert_int_equal(c.li.x2x3.timeout_s, 300);
	tp_conf_free(&c);
	expect_ok(LI("ne_id = \"a.b_c-9\"; store = \"/var/lib/tp/li.db\"; x1 = { listen = "
		     "\"[2001:db8::1]:4443\"; cert = \"/c\"; key = \"/k\"; client_ca = \"/ca\"; "
		     "admf_id = \"A\"; schemas = \"/usr/share/li-xsd\"; }; " LI_X2X3));
	assert_string_equal(c.li.ne_id, "a.b_c-9");
	assert_string_equal(c.li.store, "/var/lib/tp/li.db");
	assert_string_equal(c.li.x1.listen, "[2001:db8::1]:4443");
	assert_string_equal(c.li.x1.schemas, "/usr/share/li-xsd");
	assert_string_equal(c.li.x1.cctf_id, "");      /* no CC-TF: no triggers */
	tp_conf_free(&c);
	/* the P-CSCF's CC-TF (docs/design/li.md §2.7) */
	expect_ok(LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = "
		     "\"/k\"; client_ca = \"/ca\"; admf_id = \"a\"; cctf_id = \"pcscf-1\"; }; "
		     LI_X2X3));
	assert_string_equal(c.li.x1.cctf_id, "pcscf-1");
	tp_conf_free(&c);
	/* cp.store "none" is fine once li.store is named */
	expect_ok(DP("") "turn = { realm = \"r\"; }; cp = { store = \"none\"; };\n"
		  "li = { store = \"/li.db\"; " LI_MIN " };\n");
	assert_string_equal(c.li.store, "/li.db");
	tp_conf_free(&c);
}

/* Each mistake names its line and what is wrong. */
static void
test_conf_li_bad_is_refused(void **state)
{
	static const struct bad cases[] = {
		{ DP("") "li = 1;\n", 5, "li must be a group" },
		{ LI(LI_X1 " " LI_X2X3), 5, "li needs ne_id" },
		{ LI("ne_id = \"a b\"; " LI_X1 " " LI_X2X3), 6, "li.ne_id 'a b'" },
		{ LI("ne_id = \"a<b\"; " LI_X1 " " LI_X2X3), 6, "li.ne_id 'a<b'" },
		{ LI("ne_id = 7; " LI_X1 " " LI_X2X3), 6, "li.ne_id must be a string" },
		{ LI("ne_id = \"" "0123456789012345678901234567890123456789012345678901234567890123"
		     "\"; " LI_X1 " " LI_X2X3), 6, "li.ne_id is longer than 63 bytes" },
		{ LI("ne_id = \"n\"; " LI_X2X3), 5, "li needs x1 = {" },
		{ LI("ne_id = \"n\"; " LI_X1), 5, "li needs x2x3 = {" },
		{ LI("ne_id = \"n\"; x1 = 1; " LI_X2X3), 6, "li.x1 must be a group" },
		{ LI("ne_id = \"n\"; store = \"li.db\"; " LI_X1 " " LI_X2X3), 6,
		  "li.store 'li.db' must be an absolute path" },
		{ DP("") "turn = { realm = \"r\"; }; cp = { store = \"none\"; };\n"
		  "li = { " LI_MIN " };\n", 6,
		  "li needs store = \"/var/lib/turnpike/li.db\" when cp.store is \"none\"" },
		{ LI("ne_id = \"n\"; x1 = { cert = \"/c\"; key = \"/k\"; client_ca = \"/ca\"; "
		     "admf_id = \"a\"; }; " LI_X2X3), 6, "li.x1 needs listen" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"admf.example:443\"; cert = \"/c\"; key = "
		     "\"/k\"; client_ca = \"/ca\"; admf_id = \"a\"; }; " LI_X2X3), 6,
		  "li.x1.listen 'admf.example:443' is not \"IP:PORT\"" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1\"; cert = \"/c\"; key = "
		     "\"/k\"; client_ca = \"/ca\"; admf_id = \"a\"; }; " LI_X2X3), 6,
		  "li.x1.listen '192.0.2.1' is not" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; key = \"/k\"; client_ca = "
		     "\"/ca\"; admf_id = \"a\"; }; " LI_X2X3), 6, "li.x1 needs cert" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; client_ca = "
		     "\"/ca\"; admf_id = \"a\"; }; " LI_X2X3), 6, "li.x1 needs key" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = \"/k\"; "
		     "admf_id = \"a\"; }; " LI_X2X3), 6, "li.x1 needs client_ca" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = \"/k\"; "
		     "client_ca = \"/ca\"; }; " LI_X2X3), 6, "li.x1 needs admf_id" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"c.pem\"; key = "
		     "\"/k\"; client_ca = \"/ca\"; admf_id = \"a\"; }; " LI_X2X3), 6,
		  "li.x1.cert 'c.pem' must be an absolute path" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = \"/k\"; "
		     "client_ca = \"/ca\"; admf_id = \"a/b\"; }; " LI_X2X3), 6,
		  "li.x1.admf_id 'a/b': 1 to 63" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = \"/k\"; "
		     "client_ca = \"/ca\"; admf_id = \"a\"; cctf_id = \"p c\"; }; " LI_X2X3), 6,
		  "li.x1.cctf_id 'p c': 1 to 63" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = \"/k\"; "
		     "client_ca = \"/ca\"; admf_id = \"a\"; cctf_id = \"a\"; }; " LI_X2X3), 6,
		  "li.x1.cctf_id 'a' is li.x1.admf_id" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = \"/k\"; "
		     "client_ca = \"/ca\"; admf_id = \"a\"; schemas = \"xsd\"; }; " LI_X2X3), 6,
		  "li.x1.schemas 'xsd' must be an absolute path" },
		{ LI("ne_id = \"n\"; x1 = { listen = \"192.0.2.1:1\"; cert = \"/c\"; key = \"/k\"; "
		     "client_ca = \"/ca\"; admf_id = \"a\"; admf = \"b\"; }; " LI_X2X3), 6,
		  "li.x1: unknown setting 'admf'" },
		{ LI("ne_id = \"n\"; " LI_X1 " x2x3 = { cert = \"/c\"; key = \"/k\"; };"), 6,
		  "li.x2x3 needs ca" },
		{ LI("ne_id = \"n\"; " LI_X1 " x2x3 = { cert = \"/c\"; key = \"k\"; ca = \"/a\"; };"),
		  6, "li.x2x3.key 'k' must be an absolute path" },
		{ LI("ne_id = \"n\"; " LI_X1 " x2x3 = { cert = \"/c\"; key = \"/k\"; ca = \"/a\"; "
		     "keepalive_s = 3601; };"), 6, "keepalive_s 3601 is out of range 0..3600" },
		{ LI("ne_id = \"n\"; " LI_X1 " x2x3 = { cert = \"/c\"; key = \"/k\"; ca = \"/a\"; "
		     "timeout_s = 0; };"), 6, "timeout_s 0 is out of range 1..300" },
		{ LI(LI_MIN " ne = \"x\";"), 6, "li: unknown setting 'ne'" },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error_at(cases[i].text, cases[i].line, cases[i].why, cases[i].text);
}

/* Each mistake names its line and what is wrong. */
static void
test_conf_accounting_bad_is_refused(void **state)
{
	static const struct bad cases[] = {
		{ DP("") "accounting = 1;\n", 5, "accounting must be a group" },
		{ ACCT("interim = 5;"), 5, "accounting needs file" },
		{ ACCT("file = \"usage.jsonl\";"), 6, "must be an absolute path" },
		{ ACCT("file = 7;"), 6, "accounting.file must be a string" },
		{ ACCT("file = \"/var/log/\";"), 6, "names a directory" },
		{ ACCT("file = \"/x\"; interim = -1;"), 6, "-1 is out of range" },
		{ ACCT("file = \"/x\"; interim = 604801;"), 6, "out of range" },
		{ ACCT("file = \"/x\"; retention = \"90d\";"), 6, "must be an integer" },
		{ ACCT("file = \"/x\"; redis = \"/y\";"), 6, "unknown setting 'redis'" },
		{ ACCT("file = \"/x\"; spool = \"spool\";"), 6, "must be an absolute path" },
		{ ACCT("file = \"/x\"; spool = 1;"), 6, "accounting.spool must be a string" },
		{ ACCT("file = \"/x\"; spool_max = 0;"), 6, "0 is out of range" },
		{ ACCT("file = \"/x\"; spool = \"/s\"; stream = \"usage\";"), 6,
		  "accounting.stream needs a cluster group" },
		{ ACCT("file = \"/x\"; stream = \"a b\";"), 6, "must be 1..63 of letters" },
		{ DP("") ACCT_CLUSTER "accounting = {\n  file = \"/x\"; stream = \"usage\";\n};\n",
		  8, "accounting.stream needs accounting.spool" },
		{ DP("") ACCT_CLUSTER "accounting = {\n  file = \"/x\"; spool = \"/s\"; "
		  "stream = \"u\"; stream_maxlen = 999;\n};\n", 8, "999 is out of range" },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error_at(cases[i].text, cases[i].line, cases[i].why, cases[i].text);
}

/* Two ports (access 10.0.0.1/24 + fd00::1/64, core 10.1.0.1/24 relaying on
 * 10.1.0.11-13), a turn group (realm "r"), lines 1-9; the tenants list
 * opens on line 10, each tenant on its own line from 11. */
#define TENANTS(...) \
	"dp = {\n" \
	"  ports = ({ name = \"a\"; dev = \"net_null0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; ipv6 = \"fd00::1/64\"; gateway4 = \"10.0.0.254\"; },\n" \
	"           { name = \"c\"; dev = \"net_null1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n" \
	"             relay_ipv4 = [\"10.1.0.11\", \"10.1.0.12\", \"10.1.0.13\"]; });\n" \
	"};\n" \
	"turn = { realm = \"r\"; };\n" \
	"cp = { quota_total = 1000; users = ({ name = \"u\"; password = \"p\"; }); };\n" \
	"\n" \
	"\n" \
	"tenants = (\n" \
	__VA_ARGS__ \
	");\n"

/* The agw and iq groups after a tenants list of one, ent-b: iq on line 14. */
#define IQ_TENANT(t) \
	TENANTS("  { name = \"ent-b\"; realm = \"b.example\"; addresses = [\"10.0.0.12\"]; }\n") \
	"agw = { ports = [20000, 20099]; };\n" \
	"iq = { listen = \"127.0.0.1:2944\"; mgc = [\"127.0.0.1:2945\"]; " t " };\n"

/* iq.tenant: the association's tenant, a name of the tenants list (read
 * after the iq group), or "default"; none: the default. */
static void
test_conf_iq_tenant(void **state)
{
	(void)state;
	expect_ok(IQ_TENANT(""));
	assert_int_equal(c.iq.tenant_idx, 0);
	tp_conf_free(&c);
	expect_ok(IQ_TENANT("tenant = \"ent-b\";"));
	assert_int_equal(c.iq.tenant_idx, 1);
	assert_string_equal(tp_conf_tenant_name(&c, c.iq.tenant_idx), "ent-b");
	tp_conf_free(&c);
	expect_ok(IQ_TENANT("tenant = \"default\";"));
	assert_int_equal(c.iq.tenant_idx, 0);
	tp_conf_free(&c);
	expect_error(IQ_TENANT("tenant = \"nosuch\";"), 14,
		     "iq.tenant 'nosuch' is not a tenant of the tenants list");
	expect_error(IQ_TENANT("tenant = 3;"), 14, "iq.tenant must name a tenant");
	/* no tenants list at all */
	expect_error(DP("") "turn = { realm = \"r\"; };\n"
		     "agw = { ports = [20000, 20099]; };\n"
		     "iq = { listen = \"127.0.0.1:2944\"; mgc = [\"127.0.0.1:2945\"]; "
		     "tenant = \"x\"; };\n", 7, "(there is none)");
}

/* An agw group with RTP terminations (line 5 after DP), what ng needs. */
#define NG_AGW "agw = { media_ports = [30000, 39999]; };\n"
#define NG_MIN "listen = \"127.0.0.1:2223\"; allow = [\"127.0.0.1\"];"

/* The ng group (cp/ng): listen and allow required, a bare address one
 * host, the direction= names rtpengine's by default, each rule refused on
 * its line. */
static void
test_conf_ng_group_read_and_checked(void **state)
{
	static const uint8_t v4[16] = { 10 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	(void)state;
	expect_ok(DP("") NG_AGW "ng = { " NG_MIN " };\n");
	assert_true(c.ng.enabled);
	assert_int_equal(c.ng.line, 6);
	assert_string_equal(c.ng.listen, "127.0.0.1:2223");
	assert_int_equal(c.ng.nallow, 1);
	assert_int_equal(c.ng.allow[0].family, AF_INET);
	assert_int_equal(c.ng.allow[0].plen, 32);
	assert_memory_equal(c.ng.allow[0].ip, ((uint8_t[4]){ 127, 0, 0, 1 }), 4);
	assert_int_equal(c.ng.max_rate, 1000);
	assert_int_equal(c.ng.delete_delay, 0);
	assert_int_equal(c.ng.timeout, 60);
	assert_int_equal(c.ng.reply_cache_time, 30);
	assert_int_equal(c.ng.naccess, 2);
	assert_string_equal(c.ng.access[0], "access");
	assert_string_equal(c.ng.access[1], "internal");
	assert_int_equal(c.ng.ncore, 2);
	assert_string_equal(c.ng.core[0], "core");
	assert_string_equal(c.ng.core[1], "external");
	assert_int_equal(c.ng.tenant_idx, 0);
	/* no section passes on unanchored unless the operator names its proto */
	assert_int_equal(c.ng.npass, 0);
	/* the answerer's early media relayed, as rtpengine does */
	assert_true(c.ng.early_media);
	tp_conf_free(&c);
	expect_ok(DP("") NG_AGW "ng = { " NG_MIN "\n  early_media = false; };\n");
	assert_false(c.ng.early_media);
	tp_conf_free(&c);
	expect_ok(DP("") NG_AGW "ng = { " NG_MIN "\n  pass_through = [\"TCP/MSRP\", "
		  "\"TCP/TLS/MSRP\", \"UDP/DTLS/SCTP\", \"udptl\"]; };\n");
	assert_int_equal(c.ng.npass, 4);
	assert_string_equal(c.ng.pass_through[0], "TCP/MSRP");
	assert_string_equal(c.ng.pass_through[3], "udptl");
	tp_conf_free(&c);
	expect_ok(DP("") NG_AGW "ng = {\n  listen = \"[::1]:2223\";\n"
		  "  allow = [\"127.0.0.1/32\", \"10.0.0.0/8\", \"2001:db8::/32\", \"::1\"];\n"
		  "  max_rate = 20; delete_delay = 30; timeout = 90; reply_cache_time = 2;\n"
		  "  access = [\"ue\"]; core = [\"ims\", \"core\", \"pcscf\"];\n};\n");
	assert_string_equal(c.ng.listen, "[::1]:2223");
	assert_int_equal(c.ng.nallow, 4);
	assert_int_equal(c.ng.allow[1].family, AF_INET);
	assert_int_equal(c.ng.allow[1].plen, 8);
	assert_memory_equal(c.ng.allow[1].ip, v4, 16);
	assert_int_equal(c.ng.allow[2].family, AF_INET6);
	assert_int_equal(c.ng.allow[2].plen, 32);
	assert_memory_equal(c.ng.allow[2].ip, v6, 16);
	assert_int_equal(c.ng.allow[3].family, AF_INET6);
	assert_int_equal(c.ng.allow[3].plen, 128);
	assert_int_equal(c.ng.allow[3].ip[15], 1);
	assert_int_equal(c.ng.max_rate, 20);
	assert_int_equal(c.ng.delete_delay, 30);
	assert_int_equal(c.ng.timeout, 90);
	assert_int_equal(c.ng.reply_cache_time, 2);
	assert_int_equal(c.ng.naccess, 1);
	assert_string_equal(c.ng.access[0], "ue");
	assert_int_equal(c.ng.ncore, 3);
	assert_string_equal(c.ng.core[2], "pcscf");
	tp_conf_free(&c);
	/* iq and ng side by side */
	expect_ok(DP("") NG_AGW "iq = { listen = \"192.0.2.10:2944\"; mgc = [\"192.0.2.20:2944\"]; };\n"
		  "ng = { " NG_MIN " };\n");
	assert_true(c.iq.enabled);
	assert_true(c.ng.enabled);
	tp_conf_free(&c);
	expect_ok(DP("") NG_AGW);
	assert_false(c.ng.enabled);
	tp_conf_free(&c);
}

/* Every refusal of the ng group, on its line (dp 1-4, agw 5, ng 6..). */
static void
test_conf_ng_refusals(void **state)
{
#define NG(...) DP("") NG_AGW "ng = { listen = \"127.0.0.1:2223\";\n" __VA_ARGS__ "};\n"
#define NGA(...) DP("") NG_AGW "ng = { " NG_MIN "\n" __VA_ARGS__ "};\n"
	static const struct {
		const char *text;
		int line;
		const char *why;
	} cases[] = {
		/* what it needs */
		{ DP("") "ng = { " NG_MIN " };\n", 5, "ng needs the agw group with agw.media_ports" },
		{ DP("") "agw = { };\nng = { " NG_MIN " };\n", 6, "ng needs agw.media_ports" },
		{ DP("") NG_AGW "ng = [1];\n", 6, "ng must be a group" },
		{ DP("") NG_AGW "ng = {\n  allow = [\"127.0.0.1\"]; };\n", 6, "ng needs listen" },
		{ DP("") NG_AGW "ng = { allow = [\"127.0.0.1\"];\n  listen = \"localhost:2223\"; };\n",
		  7, "ng.listen: 'localhost:2223' is not \"IP:PORT\"" },
		{ DP("") NG_AGW "ng = { allow = [\"127.0.0.1\"];\n  listen = \"127.0.0.1\"; };\n", 7,
		  "is not \"IP:PORT\"" },
		{ DP("") NG_AGW "ng = { allow = [\"127.0.0.1\"];\n  listen = \"127.0.0.1:0\"; };\n",
		  7, "is not \"IP:PORT\"" },
		/* allow */
		{ NG(""), 6, "ng needs allow" },
		{ NG("  allow = [];\n"), 7, "ng.allow must list 1 to 16" },
		{ NG("  allow = \"127.0.0.1\";\n"), 7, "ng.allow must list 1 to 16" },
		{ NG("  allow = [\"1.0.0.1\", \"1.0.0.2\", \"1.0.0.3\", \"1.0.0.4\", \"1.0.0.5\", "
		     "\"1.0.0.6\", \"1.0.0.7\", \"1.0.0.8\", \"1.0.0.9\", \"1.0.0.10\", \"1.0.0.11\", "
		     "\"1.0.0.12\", \"1.0.0.13\", \"1.0.0.14\", \"1.0.0.15\", \"1.0.0.16\", "
		     "\"1.0.0.17\"];\n"), 7, "ng.allow must list 1 to 16" },
		{ NG("  allow = [\"kamailio.example\"];\n"), 7,
		  "ng.allow: 'kamailio.example' is not a prefix" },
		{ NG("  allow = [\"10.0.0.0/33\"];\n"), 7, "is not a prefix" },
		{ NG("  allow = [\"10.0.0.0/\"];\n"), 7, "is not a prefix" },
		{ NG("  allow = (\"10.0.0.0/8\", 7);\n"), 7, "each entry is a string" },
		{ NG("  allow = [\"10.0.0.1/8\"];\n"), 7,
		  "ng.allow: '10.0.0.1/8' has host bits set" },
		{ NG("  allow = [\"2001:db8::/32\",\n    \"2001:db8::1/32\"];\n"), 8,
		  "ng.allow: '2001:db8::1/32' has host bits set" },
		{ NG("  allow = [\"10.0.0.0/8\", \"10.0.0.0/8\"];\n"), 7, "listed twice" },
		/* the numbers */
		{ NGA("  max_rate = 0;\n"), 7, "max_rate" },
		{ NGA("  max_rate = 1000001;\n"), 7, "max_rate" },
		{ NGA("  delete_delay = 3601;\n"), 7, "delete_delay" },
		{ NGA("  delete_delay = -1;\n"), 7, "delete_delay" },
		{ NGA("  timeout = 4;\n"), 7, "timeout" },
		{ NGA("  timeout = 3601;\n"), 7, "timeout" },
		{ NGA("  reply_cache_time = 0;\n"), 7, "reply_cache_time" },
		{ NGA("  reply_cache_time = 301;\n"), 7, "reply_cache_time" },
		/* direction= names */
		{ NGA("  access = [\"core\"];\n"), 7,
		  "'core' is in both ng.access and ng.core" },
		{ NGA("  access = [\"ue\", \"ims\"];\n  core = [\"ims\"];\n"), 8,
		  "'ims' is in both ng.access and ng.core" },
		{ NGA("  core = [\"ims\"];\n  access = [\"ims\"];\n"), 8,
		  "'ims' is in both ng.access and ng.core" },
		{ NGA("  access = [];\n"), 7, "ng.access must list 1 to 4" },
		{ NGA("  core = [\"a\", \"b\", \"c\", \"d\", \"e\"];\n"), 7, "ng.core must list 1 to 4" },
		{ NGA("  access = [\"ue\", \"ue\"];\n"), 7, "ng.access: 'ue' is listed twice" },
		{ NGA("  core = [\"ims core\"];\n"), 7, "ng.core: 'ims core' is not a name" },
		{ NGA("  core = [\"\"];\n"), 7, "is not a name" },
		{ NGA("  access = [\"a23456789012345678901234567890123\"];\n"), 7, "is not a name" },
		/* unknown keys, a tenant that is no string */
		{ NGA("  alow = [\"10.0.0.0/8\"];\n"), 7, "ng: unknown setting 'alow' (did you mean "
		  "'allow'?)" },
		{ NGA("  transport = \"tcp\";\n"), 7, "ng: unknown setting 'transport'" },
		{ NGA("  tenant = 3;\n"), 7, "ng.tenant must name a tenant" },
		{ NGA("  early_media = 1;\n"), 7, "ng.early_media must be true or false" },
		{ NGA("  early_media = \"no\";\n"), 7, "ng.early_media must be true or false" },
		/* pass_through: no RTP (relayed or refused, never passed on) */
		{ NGA("  pass_through = [\"TCP/MSRP\",\n  \"UDP/TLS/RTP/SAVPF\"];\n"), 8,
		  "ng.pass_through: 'UDP/TLS/RTP/SAVPF' is RTP" },
		{ NGA("  pass_through = [\"RTP/AVP\"];\n"), 7, "'RTP/AVP' is RTP" },
		{ NGA("  pass_through = [\"rtp/avp/tcp\"];\n"), 7, "'rtp/avp/tcp' is RTP" },
		{ NGA("  pass_through = [\"TCP/MSRP\", \"tcp/msrp\"];\n"), 7, "listed twice" },
		{ NGA("  pass_through = [\"TCP MSRP\"];\n"), 7, "is not an m= proto" },
		{ NGA("  pass_through = [\"\"];\n"), 7, "is not an m= proto" },
		{ NGA("  pass_through = \"TCP/MSRP\";\n"), 7, "ng.pass_through must list" },
		{ NGA("  pass_through = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", "
		      "\"h\", \"i\"];\n"), 7, "ng.pass_through must list 0 to 8" },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error_at(cases[i].text, cases[i].line, cases[i].why, cases[i].text);
#undef NGA
#undef NG
}

/* The agw and ng groups after a tenants list of one, ent-b: ng on line 14. */
#define NG_TENANT(t) \
	TENANTS("  { name = \"ent-b\"; realm = \"b.example\"; addresses = [\"10.0.0.12\"]; }\n") \
	"agw = { ports = [20000, 20099]; media_ports = [30000, 30999]; };\n" \
	"ng = { " NG_MIN " " t " };\n"

/* ng.tenant: as iq.tenant, a name of the tenants list or "default". */
static void
test_conf_ng_tenant(void **state)
{
	(void)state;
	expect_ok(NG_TENANT(""));
	assert_int_equal(c.ng.tenant_idx, 0);
	tp_conf_free(&c);
	expect_ok(NG_TENANT("tenant = \"ent-b\";"));
	assert_int_equal(c.ng.tenant_idx, 1);
	assert_string_equal(tp_conf_tenant_name(&c, c.ng.tenant_idx), "ent-b");
	tp_conf_free(&c);
	expect_ok(NG_TENANT("tenant = \"default\";"));
	assert_int_equal(c.ng.tenant_idx, 0);
	tp_conf_free(&c);
	expect_error(NG_TENANT("tenant = \"nosuch\";"), 14,
		     "ng.tenant 'nosuch' is not a tenant of the tenants list");
	/* no tenants list at all */
	expect_error(DP("") "turn = { realm = \"r\"; };\n" NG_AGW
		     "ng = { " NG_MIN " tenant = \"x\"; };\n", 7, "(there is none)");
}

static void
test_conf_tenants_are_read(void **state)
{
	uint8_t a4[16] = { 10, 0, 0, 11 }, own[16] = { 10, 0, 0, 1 }, a6[16];

	(void)state;
	expect_ok(DP(""));
	assert_int_equal(c.tenants.n, 0);
	assert_string_equal(tp_conf_tenant_name(&c, 0), "default");
	assert_int_equal(tp_conf_tenant_of(&c, 4, a4), 0);
	tp_conf_free(&c);
	expect_ok(TENANTS(
		"  { name = \"mvno-a\"; realm = \"a.example\"; addresses = [\"10.0.0.11\", \"fd00::11\"];\n"
		"    relay = [\"10.1.0.12\"]; quota_total = 50; secrets = [\"s\"];\n"
		"    users = ({ name = \"alice\"; password = \"pw\"; }); },\n"
		"  { name = \"ent-b\"; realm = \"b.example\"; addresses = [\"10.0.0.12\"];\n"
		"    peers = { allow = [\"10.1.0.0/24\"]; }; quota_user = 0; }\n"));
	assert_int_equal(c.tenants.n, 2);
	assert_int_equal(c.tenants.line, 10);
	assert_string_equal(c.tenants.t[0].name, "mvno-a");
	assert_string_equal(c.tenants.t[0].realm, "a.example");
	assert_int_equal(c.tenants.t[0].naddrs, 2);
	assert_int_equal(c.tenants.t[0].addrs[1].family, 6);
	assert_int_equal(c.tenants.t[0].addrs[0].port, 0);
	assert_int_equal(c.tenants.t[0].quota_total, 50);
	assert_int_equal(c.tenants.t[0].quota_user, 5);
	assert_int_equal(c.tenants.t[0].nusers, 1);
	assert_int_equal(c.tenants.t[0].nsecrets, 1);
	assert_false(c.tenants.t[0].has_peers);
	assert_true(c.tenants.t[1].has_peers);
	assert_int_equal(c.tenants.t[1].quota_total, 1000);
	assert_int_equal(c.tenants.t[1].quota_user, 0);
	assert_int_equal(tp_conf_tenant_of(&c, 4, a4), 1);
	assert_int_equal(tp_conf_tenant_of(&c, 4, own), 0);
	assert_int_equal(inet_pton(AF_INET6, "fd00::11", a6), 1);
	assert_int_equal(tp_conf_tenant_of(&c, 6, a6), 1);
	a4[3] = 12;
	assert_int_equal(tp_conf_tenant_of(&c, 4, a4), 2);
	assert_string_equal(tp_conf_tenant_name(&c, 2), "ent-b");
	assert_string_equal(tp_conf_tenant_name(&c, 9), "default");
	/* relayed addresses: mvno-a its own (index 1), the others the rest */
	assert_int_equal(tp_conf_tenant_relay_mask(&c, 1, 4), 0x2);
	assert_int_equal(tp_conf_tenant_relay_mask(&c, 2, 4), 0x5);
	assert_int_equal(tp_conf_tenant_relay_mask(&c, 0, 4), 0x5);
	assert_int_equal(tp_conf_tenant_relay_mask(&c, 0, 6), 0);
	assert_int_not_equal(tp_conf_tenants_sig(&c), 0);
	/* 50 + 1000 past the box's 1000: said */
	assert_non_null(strstr(c.warn, "t.conf:10: the tenants' quota_total add up to 1050, "
				"past cp.quota_total 1000"));
	tp_conf_free(&c);
}

/* The example's placeholder secrets are refused wherever they appear. */
static void
test_conf_placeholder_secrets_are_refused(void **state)
{
	(void)state;
	expect_error(DP("") "turn = { realm = \"r\"; };\ncp = {\n  secrets = [ \"ok-one\",\n"
		     "    \"replace-with-a-long-random-secret\" ]; };\n", 8,
		     "the example's placeholder");
	expect_error(TENANTS("  { name = \"t\"; realm = \"t.example\"; "
			     "addresses = [\"10.0.0.11\"];\n"
			     "    secrets = [\"change-me-too\"]; }\n"), 12,
		     "the example's placeholder");
}

/* A secret is a string (HMAC-SHA1 passwords) or { secret; algorithm; },
 * "sha1" or "sha256", in cp's list and a tenant's; a value twice, an
 * algorithm we do not know, a group without its secret are refused. */
#define SECRETS(list) DP("") "turn = { realm = \"r\"; };\ncp = {\n  secrets = (\n" list " ); };\n"
static void
test_conf_secrets_with_algorithm(void **state)
{
	(void)state;
	expect_ok(SECRETS("    \"s1\", { secret = \"s2\"; algorithm = \"sha256\"; },\n"
			  "    { secret = \"s3\"; algorithm = \"sha1\"; }, { secret = \"s4\"; }"));
	assert_int_equal(c.cp.nsecrets, 4);
	assert_string_equal(c.cp.secrets[0], "s1");
	assert_string_equal(c.cp.secrets[1], "s2");
	assert_string_equal(c.cp.secrets[3], "s4");
	assert_int_equal(c.cp.secret_algs[0], TP_REST_SHA1);
	assert_int_equal(c.cp.secret_algs[1], TP_REST_SHA256);
	assert_int_equal(c.cp.secret_algs[2], TP_REST_SHA1);
	assert_int_equal(c.cp.secret_algs[3], TP_REST_SHA1);
	tp_conf_free(&c);
	/* an array of strings, as always: SHA-1 each */
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { secrets = [ \"a\", \"b\" ]; };\n");
	assert_int_equal(c.cp.nsecrets, 2);
	assert_int_equal(c.cp.secret_algs[1], TP_REST_SHA1);
	tp_conf_free(&c);

	expect_error(SECRETS("    { secret = \"s\"; algorithm = \"md5\"; }"), 8,
		     "algorithm 'md5' is neither \"sha1\" nor \"sha256\"");
	expect_error(SECRETS("    { secret = \"s\"; algorithm = \"SHA256\"; }"), 8,
		     "is neither");
	expect_error(SECRETS("    { secret = \"s\"; algorithm = 256; }"), 8,
		     "algorithm must be");
	expect_error(SECRETS("    { algorithm = \"sha256\"; }"), 8, "needs secret = ");
	expect_error(SECRETS("    { secret = \"s\"; algoritm = \"sha256\"; }"), 8,
		     "did you mean 'algorithm'");
	expect_error(SECRETS("    { secret = \"\"; algorithm = \"sha256\"; }"), 8,
		     "a secret must be a non-empty string");
	expect_error(SECRETS("    \"s\",\n    { secret = \"s\"; algorithm = \"sha256\"; }"), 9,
		     "secret 2 is there twice");
	expect_error(SECRETS("    { secret = \"replace-with-a-long-random-secret\"; "
			     "algorithm = \"sha256\"; }"), 8, "the example's placeholder");

	/* a tenant's list reads the same */
	expect_ok(TENANTS("  { name = \"t\"; realm = \"t.example\"; addresses = [\"10.0.0.11\"];\n"
			  "    secrets = ( \"t1\", { secret = \"t2\"; algorithm = \"sha256\"; } ); }\n"));
	assert_int_equal(c.tenants.t[0].nsecrets, 2);
	assert_int_equal(c.tenants.t[0].secret_algs[0], TP_REST_SHA1);
	assert_int_equal(c.tenants.t[0].secret_algs[1], TP_REST_SHA256);
	tp_conf_free(&c);
}

/* Who may read the users' passwords and secrets: the file's own mode,
 * its group root's or the one given (cp's) */
static void
test_conf_secrets_readable_by_others_are_said(void **state)
{
	char inc[256], msg[512];

	(void)state;
	/* no secrets: any mode */
	expect_ok(DP(""));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(tp_conf_secrets_exposed(&c, 0, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	tp_conf_free(&c);
	/* a user's password, a secret: everyone may read 0644 */
	expect_ok(DP("") "turn = { realm = \"r\"; };\n"
		  "cp = { users = ({ name = \"u\"; password = \"p\"; });\n"
		  "  secrets = [ \"s\" ]; };\n");
	assert_int_equal(c.nsecret_files, 1);
	assert_string_equal(c.secret_files[0], path);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(tp_conf_secrets_exposed(&c, getegid(), msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, path));
	assert_non_null(strstr(msg, "everyone on this host may read it (mode 0644)"));
	/* 0640 in root's or cp's group, 0600: not said */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(tp_conf_secrets_exposed(&c, getegid(), msg, sizeof(msg)), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(tp_conf_secrets_exposed(&c, 12345, msg, sizeof(msg)), 0);
	/* 0640 in another group */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, (uid_t)-1, 12346), 0);
		assert_int_equal(chmod(path, 0640), 0);
		assert_int_equal(tp_conf_secrets_exposed(&c, 12345, msg, sizeof(msg)), 1);
		assert_non_null(strstr(msg, "group 12346 may read it (mode 0640)"));
		assert_int_equal(tp_conf_secrets_exposed(&c, 12346, msg, sizeof(msg)), 0);
	}
	tp_conf_free(&c);
	/* a tenant's secret in a file of its own, @included: each file
	 * holding one is judged by its own mode */
	write_file("sub.inc", "secrets = [\"t-secret\"];\n", inc, sizeof(inc));
	assert_int_equal(chmod(inc, 0600), 0);
	expect_ok(TENANTS("  { name = \"t\"; realm = \"t.example\"; "
			  "addresses = [\"10.0.0.11\"];\n"
			  "    @include \"sub.inc\"\n  }\n"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(c.nsecret_files, 2);
	assert_int_equal(tp_conf_secrets_exposed(&c, 0, msg, sizeof(msg)), 0);
	assert_int_equal(chmod(inc, 0604), 0);
	assert_int_equal(tp_conf_secrets_exposed(&c, 0, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "sub.inc holds users' passwords or REST secrets"));
}

static void
test_conf_tenants_bad_are_refused(void **state)
{
#define T1(body) TENANTS("  { name = \"t\"; realm = \"t.example\"; " body " }\n")
	static const struct bad cases[] = {
		{ DP("") "tenants = { name = \"x\"; };\n", 5, "tenants must be a list" },
		{ T1("addresses = [\"10.0.0.11\"]; colour = 1;"), 11, "unknown setting 'colour'" },
		{ TENANTS("  { realm = \"x\"; addresses = [\"10.0.0.11\"]; }\n"), 11,
		  "needs a name" },
		{ TENANTS("  { name = \"default\"; realm = \"x\"; addresses = [\"10.0.0.11\"]; }\n"),
		  11, "'default' is the box's own" },
		{ TENANTS("  { name = \"a b\"; realm = \"x\"; addresses = [\"10.0.0.11\"]; }\n"),
		  11, "letters, digits" },
		{ TENANTS("  { name = \"t\"; addresses = [\"10.0.0.11\"]; }\n"), 11, "needs a realm" },
		{ TENANTS("  { name = \"t\"; realm = \"a\\tb\"; addresses = [\"10.0.0.11\"]; }\n"), 11,
		  "realm holds a control character" },
		{ TENANTS("  { name = \"t\"; realm = \"r\"; addresses = [\"10.0.0.11\"]; }\n"), 11,
		  "is turn.realm" },
		{ T1(""), 11, "needs addresses" },
		{ T1("addresses = [];"), 11, "1 to 8" },
		{ T1("addresses = [\"10.0.0.1\"];"), 11, "a port's own address" },
		{ T1("addresses = [\"10.0.0.254\"];"), 11, "a port's gateway" },
		{ T1("addresses = [\"10.0.0.0\"];"), 11, "network" },
		{ T1("addresses = [\"10.0.0.255\"];"), 11, "broadcast" },
		{ T1("addresses = [\"10.1.0.11\"];"), 11, "lies in no access port's prefix" },
		{ T1("addresses = [\"10.9.0.11\"];"), 11, "lies in no access port's prefix" },
		{ T1("addresses = [\"10.0.0.11/32\"];"), 11, "not an IP address" },
		{ T1("addresses = [\"10.0.0.11\"]; relay = [\"10.1.0.99\"];"), 11,
		  "not one of the core port's relayed addresses" },
		{ T1("addresses = [\"10.0.0.11\"]; relay = [];"), 11, "relay is empty" },
		{ T1("addresses = [\"10.0.0.11\"]; quota_total = 1001;"), 11,
		  "exceeds cp.quota_total" },
		{ T1("addresses = [\"10.0.0.11\"]; users = ({ name = \"x\"; });"), 11,
		  "needs a name and a password" },
		/* overlapping: the same address, the same relay, name, realm twice */
		{ TENANTS("  { name = \"t\"; realm = \"t.example\"; addresses = [\"10.0.0.11\"]; },\n"
			  "  { name = \"u\"; realm = \"u.example\"; addresses = [\"10.0.0.11\"]; }\n"),
		  12, "is also tenant 't''s (line 11)" },
		{ TENANTS("  { name = \"t\"; realm = \"t.example\"; addresses = [\"fd00::11\", \"FD00::11\"]; }\n"),
		  11, "is also tenant 't''s" },
		{ TENANTS("  { name = \"t\"; realm = \"t.example\"; addresses = [\"10.0.0.11\"]; relay = [\"10.1.0.11\"]; },\n"
			  "  { name = \"u\"; realm = \"u.example\"; addresses = [\"10.0.0.12\"]; relay = [\"10.1.0.11\"]; }\n"),
		  12, "relay '10.1.0.11' is also tenant 't''s" },
		{ TENANTS("  { name = \"t\"; realm = \"t.example\"; addresses = [\"10.0.0.11\"]; },\n"
			  "  { name = \"t\"; realm = \"u.example\"; addresses = [\"10.0.0.12\"]; }\n"),
		  12, "defined twice" },
		{ TENANTS("  { name = \"t\"; realm = \"t.example\"; addresses = [\"10.0.0.11\"]; },\n"
			  "  { name = \"u\"; realm = \"t.example\"; addresses = [\"10.0.0.12\"]; }\n"),
		  12, "realm 't.example' is also tenant 't''s" },
	};
#undef T1

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error_at(cases[i].text, cases[i].line, cases[i].why, cases[i].text);
}

/* cp.user is read, with its line; tp_conf_resolve_user() finds its uid. */
static void
test_conf_cp_user_is_read_and_resolved(void **state)
{
	(void)state;
	expect_ok(CP(""));
	assert_string_equal(c.cp.user, "");
	assert_int_equal(tp_conf_resolve_user(&c, err, sizeof(err)), 0);
	assert_int_equal(c.cp.user_uid, 0);
	tp_conf_free(&c);
	expect_ok(CP("user = \"nobody\";"));
	assert_string_equal(c.cp.user, "nobody");
	assert_int_equal(c.cp.user_line, 7);
	assert_int_equal(tp_conf_resolve_user(&c, err, sizeof(err)), 0);
	assert_int_equal(c.cp.user_uid, 65534);
	assert_int_equal(c.cp.user_gid, 65534);
	tp_conf_free(&c);
	expect_ok(CP("user = \"root\";"));
	assert_int_equal(tp_conf_resolve_user(&c, err, sizeof(err)), 0);
	assert_int_equal(c.cp.user_uid, 0);
}

/* A user the system does not have: "<file>:<line>: cp.user 'x': no such
 * user ..." with the command that makes one. */
static void
test_conf_cp_user_unknown_names_file_and_line(void **state)
{
	char want[512];

	(void)state;
	expect_ok(CP("user = \"tp-no-such-user\";"));
	memset(err, 0, sizeof(err));
	assert_int_equal(tp_conf_resolve_user(&c, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s:7: cp.user 'tp-no-such-user': no such user "
		 "on this system (create it: useradd --system --no-create-home "
		 "--shell /usr/sbin/nologin tp-no-such-user)", path);
	assert_string_equal(err, want);
}

static void
test_conf_cp_user_bad_names_are_refused(void **state)
{
	static const struct bad cases[] = {
		{ CP("user = \"\";"), 7, "user must not be empty" },
		{ CP("user = 0;"), 7, "user must be a string" },
		{ CP("user = \"-r\";"), 7, "cp.user '-r' is not a user name" },
		{ CP("user = \"a:b\";"), 7, "cp.user 'a:b' is not a user name" },
		{ CP("user = \"a b\";"), 7, "cp.user 'a b' is not a user name" },
		{ CP("user = \"../x\";"), 7, "cp.user '../x' is not a user name" },
		{ CP("user = \"abcdefghijklmnopqrstuvwxyz0123456\";"), 7,
		  "user is longer than 31 bytes" },
	};

	(void)state;
	RUN(cases, "cp.user");
}

/* ---- cp.metrics_allow -------------------------------------------------- */

/* The scrapers' prefixes, both families, as written; none: any source. */
static void
test_conf_cp_metrics_allow_is_read(void **state)
{
	(void)state;
	expect_ok(CP("metrics = \"0.0.0.0:9641\";"));
	assert_int_equal(c.cp.nmetrics_allow, 0);
	tp_conf_free(&c);
	expect_ok(CP("metrics = \"[::]:9641\"; metrics_allow = [\"10.0.0.0/8\", "
		     "\"::1/128\", \"192.0.2.7/32\", \"::ffff:10.0.0.0/104\"];"));
	assert_int_equal(c.cp.nmetrics_allow, 4);
	assert_string_equal(c.cp.metrics_allow[0], "10.0.0.0/8");
	assert_string_equal(c.cp.metrics_allow[1], "::1/128");
	assert_string_equal(c.cp.metrics_allow[3], "::ffff:10.0.0.0/104");
	tp_conf_free(&c);
}

/* Every mistake names its line: not a list, not a prefix (no length, a
 * length too long, garbage, not a string), host bits set, an empty list,
 * more than the list holds. */
static void
test_conf_cp_metrics_allow_bad_lists_are_refused(void **state)
{
	static char many[64 * (TP_CONF_MAX_PREFIXES + 2)], text[sizeof(many) + 512];
	static const struct bad cases[] = {
		{ CP("metrics_allow = \"10.0.0.0/8\";"), 7, "metrics_allow must be a list" },
		{ CP("metrics_allow = [\"10.0.0.0\"];"), 7, "'10.0.0.0' is not a prefix" },
		{ CP("metrics_allow = [\"10.0.0.0/33\"];"), 7, "'10.0.0.0/33' is not a prefix" },
		{ CP("metrics_allow = [\"::/129\"];"), 7, "'::/129' is not a prefix" },
		{ CP("metrics_allow = [\"ten/8\"];"), 7, "'ten/8' is not a prefix" },
		{ CP("metrics_allow = [\"10.0.0.0/ 8\"];"), 7, "is not a prefix" },
		{ CP("metrics_allow = [8];"), 7, "'?' is not a prefix" },
		{ CP("metrics_allow = ( (\"10.0.0.0/8\") );"), 7, "'?' is not a prefix" },
		{ CP("metrics_allow = [\"10.1.2.3/8\"];"), 7,
		  "cp.metrics_allow: '10.1.2.3/8' has host bits set" },
		{ CP("metrics_allow = [\"fd00::1/64\"];"), 7, "'fd00::1/64' has host bits set" },
		{ CP("metrics_allow = [];"), 7, "cp.metrics_allow is empty" },
		{ CP("metrics_alow = [\"10.0.0.0/8\"];"), 7, "unknown setting 'metrics_alow'" },
	};
	size_t off = 0;

	(void)state;
	RUN(cases, "cp.metrics_allow");
	for (int i = 0; i < TP_CONF_MAX_PREFIXES + 1; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off, "%s\"10.%d.0.0/16\"",
					i ? ", " : "", i);
	snprintf(text, sizeof(text), CP("metrics_allow = [%s];"), many);
	expect_error(text, 7, "metrics_allow has more than 64 prefixes");
	/* a prefix on a line of its own is named there */
	expect_error(CP("metrics_allow = [\"10.0.0.0/8\",\n  \"10.0.0.1/8\"];"), 8,
		     "'10.0.0.1/8' has host bits set");
}

/* ---- relayed addresses ------------------------------------------------- */

/* One core port "k" opening on line 3 (with a gateway4), its line 5 is
 * `extra`. */
#define CORE(extra) \
	"dp = {\n" \
	"  ports = (\n" \
	"    { name = \"k\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n" \
	"      ipv6 = \"fd00:1::1/64\"; gateway4 = \"10.1.0.254\";\n" \
	"      " extra "\n" \
	"    }\n" \
	"  );\n" \
	"};\n"

static void
test_conf_relay_lists_are_read(void **state)
{
	uint8_t addrs[TP_CONF_MAX_RELAY][16];
	unsigned int port = 99;
	const struct tp_conf_port *k;

	(void)state;
	expect_ok("dp = {\n"
		  "  ports = (\n"
		  "    { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\";\n"
		  "      ipv6 = \"fd00::1/64\"; },\n"
		  "    { name = \"k\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
		  "      ipv6 = \"fd00:1::1/64\";\n"
		  "      relay_ipv4 = [\"10.1.0.10\", \"10.1.0.11\", \"10.1.0.200\"];\n"
		  "      relay_ipv6 = (\"fd00:1::10\"); }\n"
		  "  );\n"
		  "};\n");
	k = &c.dp.ports[1];
	assert_int_equal(k->nrelay4, 3);
	assert_addr(4, k->relay4[0], "10.1.0.10");
	assert_addr(4, k->relay4[1], "10.1.0.11");
	assert_addr(4, k->relay4[2], "10.1.0.200");
	assert_int_equal(k->nrelay6, 1);
	assert_addr(6, k->relay6[0], "fd00:1::10");
	assert_int_equal(c.dp.ports[0].nrelay4, 0);
	/* the effective sets: the lists, in order, on the core port */
	assert_int_equal(tp_conf_relay_addrs(&c, 4, addrs, &port), 3);
	assert_int_equal(port, 1);
	assert_addr(4, addrs[0], "10.1.0.10");
	assert_addr(4, addrs[2], "10.1.0.200");
	assert_int_equal(addrs[2][4], 0);
	assert_int_equal(tp_conf_relay_addrs(&c, 6, addrs, NULL), 1);
	assert_addr(6, addrs[0], "fd00:1::10");
	/* the port's own address stays its own */
	assert_addr(4, k->ip4, "10.1.0.1");
}

static void
test_conf_relay_defaults_to_the_core_port_address(void **state)
{
	uint8_t addrs[TP_CONF_MAX_RELAY][16];
	unsigned int port = 99;

	(void)state;
	/* An access port first, then a v6-only core port, then a v4 one:
	 * each family's relayed address is its first core port's own. */
	expect_ok("dp = {\n"
		  "  ports = (\n"
		  "    { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
		  "    { name = \"k6\"; dev = \"x1\"; roles = [\"core\"]; ipv6 = \"fd00:1::1/64\"; },\n"
		  "    { name = \"k4\"; dev = \"x2\"; roles = [\"core\"]; ipv4 = \"10.2.0.1/24\"; }\n"
		  "  );\n"
		  "};\n");
	assert_int_equal(c.dp.ports[1].nrelay6, 0);
	assert_int_equal(c.dp.ports[2].nrelay4, 0);
	assert_int_equal(tp_conf_relay_addrs(&c, 4, addrs, &port), 1);
	assert_int_equal(port, 2);
	assert_addr(4, addrs[0], "10.2.0.1");
	assert_int_equal(tp_conf_relay_addrs(&c, 6, addrs, &port), 1);
	assert_int_equal(port, 1);
	assert_addr(6, addrs[0], "fd00:1::1");
	tp_conf_free(&c);
	/* no core port: nothing is relayed */
	expect_ok(PORT("ipv4 = \"10.0.0.1/24\";"));
	assert_int_equal(tp_conf_relay_addrs(&c, 4, addrs, NULL), 0);
	assert_int_equal(tp_conf_relay_addrs(&c, 6, addrs, NULL), 0);
}

static void
test_conf_relay_lists_hold_the_maximum(void **state)
{
	char text[4096], list[2048];
	size_t off = 0;

	(void)state;
	for (int i = 0; i < TP_CONF_MAX_RELAY; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s\"10.1.0.%d\"",
					i ? ", " : "", 10 + i);
	snprintf(text, sizeof(text), CORE("relay_ipv4 = [%s];"), list);
	expect_ok(text);
	assert_int_equal(c.dp.ports[0].nrelay4, TP_CONF_MAX_RELAY);
	assert_addr(4, c.dp.ports[0].relay4[15], "10.1.0.25");
	tp_conf_free(&c);
	snprintf(text, sizeof(text), CORE("relay_ipv4 = [%s, \"10.1.0.199\"];"), list);
	{
		char want[96];

		snprintf(want, sizeof(want), "port 'k': relay_ipv4 has %d addresses; at most %d",
			 TP_CONF_MAX_RELAY + 1, TP_CONF_MAX_RELAY);
		expect_error(text, 5, want);
	}
}

static void
test_conf_bad_relay_lists_are_refused(void **state)
{
	static const struct bad cases[] = {
		{ CORE("relay_ipv4 = \"10.1.0.5\";"), 5,
		  "port 'k': relay_ipv4 must be a list of IPv4 addresses [\"10.200.1.1\", "
		  "...], not a string (\"10.1.0.5\")" },
		{ CORE("relay_ipv4 = [];"), 5,
		  "port 'k': relay_ipv4 is empty: leave it out to relay on the port's own "
		  "IPv4 address" },
		{ CORE("relay_ipv4 = [5];"), 5,
		  "port 'k': relay_ipv4[0] must be a string holding an IPv4 address, not "
		  "an integer (5)" },
		{ CORE("relay_ipv4 = [\"10.1.0.5/24\"];"), 5,
		  "port 'k': relay_ipv4[0] '10.1.0.5/24' is not an IPv4 address (no prefix "
		  "length here)" },
		{ CORE("relay_ipv4 = [\"10.1.0.5\", \"fd00:1::5\"];"), 5,
		  "port 'k': relay_ipv4[1] 'fd00:1::5' is an IPv6 address; relay_ipv4 takes "
		  "IPv4 (use relay_ipv6)" },
		{ CORE("relay_ipv4 = [\"10.2.0.5\"];"), 5,
		  "port 'k': relay_ipv4[0] '10.2.0.5' lies outside the port's prefix "
		  "10.1.0.1/24: dp answers ARP for relayed addresses on the port's link only" },
		{ CORE("relay_ipv4 = [\"10.1.0.1\"];"), 5,
		  "port 'k': relay_ipv4[0] '10.1.0.1' is the port's own address (its "
		  "relayed address when relay_ipv4 is left out)" },
		{ CORE("relay_ipv4 = [\"10.1.0.254\"];"), 5,
		  "port 'k': relay_ipv4[0] '10.1.0.254' is the port's gateway4" },
		{ CORE("relay_ipv4 = [\"10.1.0.0\"];"), 5,
		  "port 'k': relay_ipv4[0] '10.1.0.0' is the network address of the port's "
		  "prefix 10.1.0.1/24" },
		{ CORE("relay_ipv4 = [\"10.1.0.255\"];"), 5,
		  "port 'k': relay_ipv4[0] '10.1.0.255' is the broadcast address of the "
		  "port's prefix 10.1.0.1/24" },
		{ CORE("relay_ipv4 = [\"10.1.0.5\", \"10.1.0.6\", \"10.1.0.5\"];"), 5,
		  "port 'k': relay_ipv4[2] '10.1.0.5' is listed twice (also relay_ipv4[0])" },
		{ CORE("relay_ipv6 = [\"fd00:2::5\"];"), 5,
		  "port 'k': relay_ipv6[0] 'fd00:2::5' lies outside the port's prefix "
		  "fd00:1::1/64: dp answers neighbour solicitations" },
		{ CORE("relay_ipv6 = [\"fd00:1::\"];"), 5,
		  "port 'k': relay_ipv6[0] 'fd00:1::' is the Subnet-Router anycast address "
		  "of the port's prefix fd00:1::1/64" },
		{ CORE("relay_ipv6 = [\"fd00:1::7\", \"fd00:1::1\"];"), 5,
		  "port 'k': relay_ipv6[1] 'fd00:1::1' is the port's own address" },
		{ CORE("relay_ipv6 = [\"10.1.0.5\"];"), 5,
		  "port 'k': relay_ipv6[0] '10.1.0.5' is an IPv4 address; relay_ipv6 takes "
		  "IPv6 (use relay_ipv4)" },
		{ CORE("relay_ipv6 = [\"fd00:1::5\", \"fd00:1::0:5\"];"), 5,
		  "port 'k': relay_ipv6[1] 'fd00:1::0:5' is listed twice (also relay_ipv6[0])" },
		{ CORE("relay_ip4 = [\"10.1.0.5\"];"), 5,
		  "port 'k': unknown setting 'relay_ip4' (did you mean 'relay_ipv4'?)" },
		/* where relayed addresses may live */
		{ PORT("ipv4 = \"10.0.0.1/24\"; relay_ipv4 = [\"10.0.0.5\"];"), 4,
		  "port 'a': relay_ipv4: relayed addresses live on a core port "
		  "(roles = [\"core\"])" },
		{ "dp = {\n  ports = (\n"
		  "    { name = \"k\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\";\n"
		  "      relay_ipv6 = [\"fd00:1::5\"]; }\n"
		  "  );\n};\n", 4,
		  "port 'k': relay_ipv6 needs an ipv6 on the port (relayed addresses lie in "
		  "its prefix)" },
		{ "dp = {\n  ports = (\n"
		  "    { name = \"k\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; },\n"
		  "    { name = \"k2\"; dev = \"x2\"; roles = [\"access\", \"core\"];\n"
		  "      ipv4 = \"10.2.0.1/24\"; relay_ipv4 = [\"10.2.0.5\"]; }\n"
		  "  );\n};\n", 5,
		  "port 'k2': relay_ipv4: relayed IPv4 addresses are those of the first core "
		  "port with an ipv4, port 'k' (line 3): list them there" },
	};

	(void)state;
	RUN(cases, "relay");
}

static void
test_conf_worker_allocs_follow_the_quota(void **state)
{
	(void)state;
	/* default quota_total 100000 */
	expect_ok(DP("workers = [0, 1];"));
	assert_int_equal(tp_conf_worker_allocs(&c), 100000 / 2 * 5 / 4 + 1024);
	tp_conf_free(&c);
	/* one worker never needs more than the quota itself */
	expect_ok(DP("workers = [0];"));
	assert_int_equal(tp_conf_worker_allocs(&c), 100000);
	tp_conf_free(&c);
	/* a tiny quota still gets a usable table */
	expect_ok(DP("workers = [0, 1, 2];") "turn = { realm = \"r\"; };\n"
		  "cp = { quota_total = 3; };\n");
	assert_int_equal(tp_conf_worker_allocs(&c), 64);
	tp_conf_free(&c);
	expect_ok(DP("workers = [0, 1, 2, 3];") "turn = { realm = \"r\"; };\n"
		  "cp = { quota_total = 10000000; };\n");
	assert_int_equal(tp_conf_worker_allocs(&c), 10000000 / 4 * 5 / 4 + 1024);
}

/* RFC 8656 §12: channel numbers are 0x4000-0x4FFF; RFC 5766's wider
 * range (server check 0x7FFE) only when asked for. */
static void
test_conf_channels_default_to_rfc8656(void **state)
{
	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; };\n");
	assert_int_equal(c.turn.channel_max, 0x4FFF);
	tp_conf_free(&c);
	/* no turn group at all: the same default */
	expect_ok(DP(""));
	assert_int_equal(c.turn.channel_max, 0x4FFF);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; channels = \"rfc5766\"; };\n");
	assert_int_equal(c.turn.channel_max, 0x7FFE);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; channels = \"rfc8656\"; };\n");
	assert_int_equal(c.turn.channel_max, 0x4FFF);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\";\n channels = \"wide\"; };\n", 6,
		     "turn.channels must be");
}

/* turn.listen_tcp: [3478] by default, [] for none, a list of distinct
 * ports outside relay_ports; each error names its line. */
static void
test_conf_listen_tcp(void **state)
{
	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; };\n");
	assert_int_equal(c.turn.nlisten_tcp, 1);
	assert_int_equal(c.turn.listen_tcp[0], 3478);
	assert_int_equal(c.turn.tcp_first_message_s, 5);
	assert_int_equal(c.dp.tcp_max_conns, 16384);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; listen_tcp = []; };\n");
	assert_int_equal(c.turn.nlisten_tcp, 0);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; listen_tcp = [3478, 80, 443];\n"
		  " tcp_first_message = 3; tcp_per_source = 0; };\n");
	assert_int_equal(c.turn.nlisten_tcp, 3);
	assert_int_equal(c.turn.listen_tcp[1], 80);
	assert_int_equal(c.turn.tcp_first_message_s, 3);
	assert_int_equal(c.turn.tcp_per_source, 0);
	tp_conf_free(&c);
	/* the allocation deadline, the IPv6 source prefix, the
	 * table's shares; their bounds and a sum that leaves no free share */
	expect_ok(DP("") "turn = { realm = \"r\"; };\n");
	assert_int_equal(c.turn.tcp_allocate_timeout_s, 60);
	assert_int_equal(c.turn.tcp_source_prefix6, 64);
	assert_int_equal(c.dp.tcp_reserve_turn + c.dp.tcp_reserve_relay + c.dp.tcp_reserve_agw, 75);
	tp_conf_free(&c);
	expect_ok(DP("tcp_reserve = { turn = 0; relay = 40; agw = 50; };")
		  "turn = { realm = \"r\"; tcp_allocate_timeout = 0; tcp_source_prefix6 = 128; };\n");
	assert_int_equal(c.turn.tcp_allocate_timeout_s, 0);
	assert_int_equal(c.turn.tcp_source_prefix6, 128);
	assert_int_equal(c.dp.tcp_reserve_turn, 0);
	assert_int_equal(c.dp.tcp_reserve_agw, 50);
	tp_conf_free(&c);
	expect_error(DP("tcp_reserve = { turn = 50; relay = 30; agw = 20; };")
		     "turn = { realm = \"r\"; };\n", 2, "is over 90");
	expect_error(DP("tcp_reserve = { turn = 91; };") "turn = { realm = \"r\"; };\n", 2,
		     "turn");
	expect_error(DP("tcp_reserve = { tunr = 10; };") "turn = { realm = \"r\"; };\n", 2,
		     "unknown setting 'tunr'");
	expect_error(DP("tcp_reserve = 25;") "turn = { realm = \"r\"; };\n", 2,
		     "must be a group");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_source_prefix6 = 16; };\n", 6,
		     "tcp_source_prefix6");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_allocate_timeout = 3601; };\n", 6,
		     "tcp_allocate_timeout");
	/* RFC 6062's budget an allocation (dp/tcprelay) */
	expect_ok(DP("") "turn = { realm = \"r\"; };\n");
	assert_int_equal(c.turn.tcp_alloc_bytes, 512 * 1024);
	assert_int_equal(c.turn.tcp_alloc_mbufs, 256);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; tcp_alloc_bytes = 1048576;\n"
		  " tcp_alloc_mbufs = 0; };\n");
	assert_int_equal(c.turn.tcp_alloc_bytes, 1048576);
	assert_int_equal(c.turn.tcp_alloc_mbufs, 0);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_alloc_bytes = 4096; };\n", 6,
		     "must be 0 (no budget) or at least 16384");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_alloc_mbufs = 8; };\n", 6,
		     "must be 0 (no budget) or at least 16");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_alloc_mbufs = 70000; };\n", 6,
		     "tcp_alloc_mbufs");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_alloc_bytes = -1; };\n", 6,
		     "tcp_alloc_bytes");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tcp = [3478, 80, 3478]; };\n",
		     6, "port 3478 is listed twice");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tcp = [0]; };\n", 6,
		     "port 0 is not in 1..65535");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tcp = [50000]; };\n", 6,
		     "lies inside relay_ports");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tcp = 3478; };\n", 6,
		     "must be a list of ports");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tcp = [\"80\"]; };\n", 6,
		     "is not a port number");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tcp = [1, 2, 3, 4, 5]; };\n", 6,
		     "at most 4");
	expect_error(DP("") "turn = { realm = \"r\";\n tcp_first_message = 0; };\n", 6,
		     "tcp_first_message");
}

/* The tls group and turn.listen_tls: defaults; the files must be there
 * and readable; versions, SNI entries, offload forms; listen_tls distinct
 * from listen_tcp and needing a certificate; each error names its line. */
static void
test_conf_tls(void **state)
{
	char cert[256], key[256], text[2048];

	(void)state;
	write_file("cert.pem", "x", cert, sizeof(cert));
	write_file("key.pem", "x", key, sizeof(key));
	expect_ok(DP("") "turn = { realm = \"r\"; };\n");
	assert_int_equal(c.turn.nlisten_tls, 0);
	assert_false(c.tls.enabled);
	assert_int_equal(c.tls.min_version, 0x0303);
	assert_int_equal(c.tls.session_cache, 20000);
	assert_int_equal(c.tls.handshake_budget_us, 200);
	assert_int_equal(c.tls.record_crypto, TP_TLS_RECORD_CRYPTO_AUTO);
	assert_string_equal(c.tls.groups, "X25519:P-256:P-384");
	assert_non_null(strstr(c.tls.ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256"));
	tp_conf_free(&c);

	snprintf(text, sizeof(text), DP("") "turn = { realm = \"r\"; listen_tls = [5349, 443]; };\n"
		 "tls = {\n certificate = \"%s\";\n private_key = \"%s\";\n"
		 " min_version = \"1.3\"; groups = \"P-256\"; session_cache = 0; handshake_budget_us = 0;\n"
		 " sni = ( { name = \"turn.example.net\"; certificate = \"%s\"; private_key = \"%s\"; } );\n"
		 " offload = { provider = \"/x/tp_asyncprov.so\"; properties = \"?provider=tpasync\"; };\n};\n",
		 cert, key, cert, key);
	expect_ok(text);
	assert_int_equal(c.turn.nlisten_tls, 2);
	assert_int_equal(c.turn.listen_tls[1], 443);
	assert_true(c.tls.enabled);
	assert_int_equal(c.tls.min_version, 0x0304);
	assert_int_equal(c.tls.session_cache, 0);
	assert_int_equal(c.tls.handshake_budget_us, 0);
	assert_int_equal(c.tls.cert.certificate_line, 7);
	assert_int_equal(c.tls.cert.private_key_line, 8);
	assert_int_equal(c.tls.nsni, 1);
	assert_string_equal(c.tls.sni[0].name, "turn.example.net");
	assert_int_equal(c.tls.sni[0].certificate_line, 10);
	assert_int_equal(c.tls.offload, TP_TLS_OFFLOAD_PROVIDER);
	assert_string_equal(c.tls.offload_properties, "?provider=tpasync");
	tp_conf_free(&c);

	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " offload = { engine = \"qatengine\"; poll = \"external\"; }; };\n", cert, key);
	expect_ok(text);
	assert_int_equal(c.tls.offload, TP_TLS_OFFLOAD_ENGINE);
	assert_true(c.tls.offload_poll_external);
	assert_int_equal(c.tls.offload_jobs, TP_CONF_TLS_ASYNC_JOBS);
	tp_conf_free(&c);
	/* the async jobs a worker may hold: 1 to 65536 */
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " offload = { engine = \"qatengine\"; jobs = 1; }; };\n", cert, key);
	expect_ok(text);
	assert_int_equal(c.tls.offload_jobs, 1);
	tp_conf_free(&c);

	/* the AEAD under dp's records: three words, the line kept for dp's
	 * refusal where the library cannot be used */
	for (unsigned int i = 0; i < 3; i++) {
		static const char *const v[] = { "auto", "ipsec-mb", "openssl" };
		static const enum tp_tls_record_crypto want[] = {
			TP_TLS_RECORD_CRYPTO_AUTO, TP_TLS_RECORD_CRYPTO_IPSEC_MB,
			TP_TLS_RECORD_CRYPTO_OPENSSL,
		};

		snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = "
			 "\"%s\";\n record_crypto = \"%s\"; };\n", cert, key, v[i]);
		expect_ok(text);
		assert_int_equal(c.tls.record_crypto, want[i]);
		assert_int_equal(c.tls.record_crypto_line, 6);
		tp_conf_free(&c);
	}
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " record_crypto = \"qat\"; };\n", cert, key);
	expect_error(text, 6, "tls.record_crypto must be \"auto\"");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " record_crypto = \"openssl-with-a-long-name\"; };\n", cert, key);
	expect_error(text, 6, "tls.record_crypto is longer than 15 bytes");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " record_crypto = 1; };\n", cert, key);
	expect_error(text, 6, "tls.record_crypto must be a string");

	/* listen_tls without a tls group; a port both plain and TLS */
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tls = [5349]; };\n", 6,
		     "turn.listen_tls needs a tls group");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tls = [3478]; };\n", 6,
		     "port 3478 is in turn.listen_tcp too");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_tls = [50001]; };\n", 6,
		     "turn.listen_tls: port 50001 lies inside relay_ports");
	/* turn.listen_dtls (RFC 7350): with the tls group, not listen_port,
	 * outside relay_ports, each once; may share a number with a TCP port */
	snprintf(text, sizeof(text), DP("") "turn = { realm = \"r\"; listen_dtls = [5349, 443];"
		 " listen_tls = [5349]; };\ntls = { certificate = \"%s\"; private_key = \"%s\"; };\n",
		 cert, key);
	expect_ok(text);
	assert_int_equal(c.turn.nlisten_dtls, 2);
	assert_int_equal(c.turn.listen_dtls[1], 443);
	assert_int_equal(c.turn.listen_dtls_line, 5);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\";\n listen_dtls = [5349]; };\n", 6,
		     "turn.listen_dtls needs a tls group");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_dtls = [3478]; };\n", 6,
		     "turn.listen_dtls: port 3478 is turn.listen_port");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_dtls = [50001]; };\n", 6,
		     "turn.listen_dtls: port 50001 lies inside relay_ports");
	expect_error(DP("") "turn = { realm = \"r\";\n listen_dtls = [5349, 5349]; };\n", 6,
		     "turn.listen_dtls: port 5349 is listed twice");
	/* files: named (whether they are there is dp's question: cp reads
	 * this file too, as its own user) */
	expect_ok(DP("") "tls = { certificate = \"/nonexistent/cert.pem\";\n"
		  " private_key = \"/x\"; };\n");
	tp_conf_free(&c);
	expect_error(DP("") "tls = { certificate = \"/c.pem\";\n"
		     " private_key = \"\"; };\n", 6, "tls.private_key must not be empty");
	expect_error(DP("") "tls = {\n groups = \"X25519\"; };\n", 5,
		     "tls.certificate is required");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " min_version = \"1.1\"; };\n", cert, key);
	expect_error(text, 6, "tls.min_version must be \"1.2\" or \"1.3\"");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " min_version = 1.3; };\n", cert, key);
	expect_error(text, 6, "tls.min_version must be \"1.2\" or \"1.3\"");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " session_cahce = 10; };\n", cert, key);
	expect_error(text, 6, "did you mean 'session_cache'");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " handshake_budget_us = 100001; };\n", cert, key);
	expect_error(text, 6, "tls.handshake_budget_us");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " handshake_budget_us = -1; };\n", cert, key);
	expect_error(text, 6, "tls.handshake_budget_us");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " ciphers = \"\"; };\n", cert, key);
	expect_error(text, 6, "tls.ciphers must not be empty");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " sni = ( { name = \"a.example\"; certificate = \"%s\"; private_key = \"%s\"; },\n"
		 " { name = \"A.example\"; certificate = \"%s\"; private_key = \"%s\"; } ); };\n",
		 cert, key, cert, key, cert, key);
	expect_error(text, 7, "tls.sni: 'A.example' is listed twice");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " sni = ( { name = \"a b\"; certificate = \"%s\"; private_key = \"%s\"; } ); };\n",
		 cert, key, cert, key);
	expect_error(text, 6, "is not a host name");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " offload = { provider = \"p\"; engine = \"e\"; }; };\n", cert, key);
	expect_error(text, 6, "a provider or an engine, not both");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " offload = { engine = \"e\";\n poll = \"sometimes\"; }; };\n", cert, key);
	expect_error(text, 7, "tls.offload.poll must be");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " offload = { properties = \"?provider=x\"; }; };\n", cert, key);
	expect_error(text, 6, "tls.offload needs a provider");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " offload = { provider = \"p\";\n jobs = 0; }; };\n", cert, key);
	expect_error(text, 7, "jobs");
	snprintf(text, sizeof(text), DP("") "tls = { certificate = \"%s\"; private_key = \"%s\";\n"
		 " offload = { provider = \"p\";\n jobs = 65537; }; };\n", cert, key);
	expect_error(text, 7, "jobs");
	unlink(cert);
	unlink(key);
}

/* Bandwidth limits (docs/turn.md "Bandwidth limits"): a user's max_bps
 * over its tenant's over turn.max_bps, a user by (tenant, whole name);
 * the burst a second of the limit unless turn.max_bps_burst says, never
 * under 10 ms of it. */
static void
test_conf_max_bps_precedence(void **state)
{
	uint32_t burst = 7;

	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; };\n");
	assert_int_equal(c.turn.max_bps, 0);
	assert_int_equal(tp_conf_max_bps(&c, 0, "u", 1, &burst), 0);
	assert_int_equal(burst, 0);
	tp_conf_free(&c);
	expect_ok(DP("")
		  "turn = { realm = \"r\"; max_bps = 100000; };\n"
		  "cp = { users = ({ name = \"slow\"; password = \"p\"; max_bps = 20000; },\n"
		  "                { name = \"free\"; password = \"p\"; max_bps = 0; },\n"
		  "                { name = \"plain\"; password = \"p\"; }); };\n"
		  "tenants = (\n"
		  "  { name = \"t1\"; realm = \"t1.example\"; addresses = [\"10.0.0.11\"];\n"
		  "    max_bps = 50000;\n"
		  "    users = ({ name = \"slow\"; password = \"p\"; max_bps = 30000; }); },\n"
		  "  { name = \"t2\"; realm = \"t2.example\"; addresses = [\"10.0.0.12\"]; }\n"
		  ");\n");
	assert_true(c.cp.users[0].has_max_bps);
	assert_false(c.cp.users[2].has_max_bps);
	assert_true(c.tenants.t[0].has_max_bps);
	assert_false(c.tenants.t[1].has_max_bps);
	/* the default tenant: the file's, a user's own, a user's 0 (none) */
	assert_int_equal(tp_conf_max_bps(&c, 0, "plain", 5, &burst), 100000);
	assert_int_equal(burst, 100000);
	assert_int_equal(tp_conf_max_bps(&c, 0, "slow", 4, &burst), 20000);
	assert_int_equal(burst, 20000);
	assert_int_equal(tp_conf_max_bps(&c, 0, "free", 4, &burst), 0);
	assert_int_equal(burst, 0);
	/* a name not in the file (a REST one, a store's): the tenant's or
	 * the file's; a prefix of a listed name is another name */
	assert_int_equal(tp_conf_max_bps(&c, 0, "1700000000:bob", 14, &burst), 100000);
	assert_int_equal(tp_conf_max_bps(&c, 0, "slo", 3, &burst), 100000);
	assert_int_equal(tp_conf_max_bps(&c, 0, "slowly", 6, &burst), 100000);
	/* a tenant's: over the file's; its own user's over it; the default
	 * tenant's users are not its */
	assert_int_equal(tp_conf_max_bps(&c, 1, "plain", 5, &burst), 50000);
	assert_int_equal(tp_conf_max_bps(&c, 1, "slow", 4, &burst), 30000);
	assert_int_equal(tp_conf_max_bps(&c, 1, "free", 4, &burst), 50000);
	assert_int_equal(tp_conf_max_bps(&c, 2, "plain", 5, &burst), 100000);
	assert_int_equal(tp_conf_max_bps(&c, 2, "slow", 4, &burst), 100000);
	/* (an index past the list: the default's users, the file's limit) */
	assert_int_equal(tp_conf_max_bps(&c, 9, "slow", 4, &burst), 20000);
	tp_conf_free(&c);
	/* the burst */
	expect_ok(DP("") "turn = { realm = \"r\"; max_bps = 100000; max_bps_burst = 4000; };\n"
		  "cp = { users = ({ name = \"fast\"; password = \"p\"; max_bps = 1000000; }); };\n");
	assert_int_equal(tp_conf_max_bps(&c, 0, "x", 1, &burst), 100000);
	assert_int_equal(burst, 4000);
	assert_int_equal(tp_conf_max_bps(&c, 0, "fast", 4, &burst), 1000000);
	assert_int_equal(burst, 10000);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\"; max_bps = 1000; max_bps_burst = 100; };\n",
		     5, "max_bps_burst");
	expect_error(DP("") "turn = { realm = \"r\"; max_bps = 4294967295; };\n", 5, "max_bps");
	expect_error(DP("") "turn = { realm = \"r\"; };\n"
		     "cp = { users = ({ name = \"a\"; password = \"p\"; max_bps = -1; }); };\n",
		     6, "max_bps");
}

/* One credential may not take the box: quota_user defaults to a tenth of
 * quota_total (at least 1); 0 still means no limit when written. */
static void
test_conf_quota_user_defaults_to_a_tenth_of_the_total(void **state)
{
	(void)state;
	expect_ok(DP(""));
	assert_int_equal(c.cp.quota_total, 100000);
	assert_int_equal(c.cp.quota_user, 10000);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { quota_total = 1000; };\n");
	assert_int_equal(c.cp.quota_user, 100);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { quota_total = 5; };\n");
	assert_int_equal(c.cp.quota_user, 1);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; };\n"
		  "cp = { quota_user = 7; quota_total = 1000; };\n");
	assert_int_equal(c.cp.quota_user, 7);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { quota_user = 0; };\n");
	assert_int_equal(c.cp.quota_user, 0);
	tp_conf_free(&c);
	/* the examples: the demo takes the default, the carrier says 50 */
	if (tp_conf_load(example("demo.conf"), &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.cp.quota_user, c.cp.quota_total / 10);
	tp_conf_free(&c);
	if (tp_conf_load(example("carrier.conf"), &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.cp.quota_user, 50);
}

/* The user store is on by default at TP_CONF_STORE_DEFAULT; "none" turns
 * it off; a relative path is refused. */
static void
test_conf_cp_store_defaults_on_none_turns_it_off(void **state)
{
	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { };\n");
	assert_string_equal(c.cp.store, "/var/lib/turnpike/turnpike.db");
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { store = \"none\"; };\n");
	assert_string_equal(c.cp.store, "");
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { store = \"/srv/tp/u.db\"; };\n");
	assert_string_equal(c.cp.store, "/srv/tp/u.db");
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\"; };\ncp = {\n store = \"users.db\"; };\n",
		     7, "cp.store must be an absolute path");
}

/* cp.tls_ticket_rotate: 3600 s by default, 1..86400, a bad value names
 * its line. */
static void
test_conf_cp_tls_ticket_rotate_default_and_range(void **state)
{
	(void)state;
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { };\n");
	assert_int_equal(c.cp.tls_ticket_rotate_s, 3600);
	tp_conf_free(&c);
	expect_ok(DP("") "turn = { realm = \"r\"; };\ncp = { tls_ticket_rotate = 2; };\n");
	assert_int_equal(c.cp.tls_ticket_rotate_s, 2);
	tp_conf_free(&c);
	expect_error(DP("") "turn = { realm = \"r\"; };\ncp = {\n tls_ticket_rotate = 0; };\n",
		     7, "cp.tls_ticket_rotate");
	expect_error(DP("") "turn = { realm = \"r\"; };\ncp = {\n tls_ticket_rotate = 86401; };\n",
		     7, "cp.tls_ticket_rotate");
}

static void
test_conf_missing_file_is_enoent(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "%s/no-such.conf", dir);
	assert_int_equal(tp_conf_load(path, &c, err, sizeof(err)), -ENOENT);
	snprintf(path, sizeof(path), "%s/no-such.conf: cannot open: %s", dir,
		 strerror(ENOENT));
	assert_string_equal(err, path);
	assert_int_equal(tp_conf_load(dir, &c, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, ": cannot open: "));
}

static void
test_conf_syntax_errors_name_the_line(void **state)
{
	static const struct bad cases[] = {
		{ "dp = {\n  workers = [0\n};\n", 3, "syntax error" },
		{ "dp = {\n  workers = [0];\n  workers = [1];\n};\n", 3,
		  "duplicate setting name" },
		{ "dp = {\n  eal = [\"-l\", 0];\n};\n", 2, "mismatched element type" },
		{ "\n\ndp = {\n  idle_sleep_max_us = 5;\n  mbufs_per_worker = = 8191;\n};\n", 5,
		  "syntax error" },
	};

	(void)state;
	RUN(cases, "syntax");
}

static void
test_conf_wrong_types_are_refused(void **state)
{
	static const struct bad cases[] = {
		{ DP("idle_sleep_max_us = \"200\";"), 2,
		  "dp.idle_sleep_max_us must be an integer, not a string (\"200\")" },
		{ DP("mbufs_per_worker = 8191.0;"), 2,
		  "dp.mbufs_per_worker must be an integer, not a float" },
		{ DP("neigh_queue_max = true;"), 2, "dp.neigh_queue_max must be an integer" },
		{ DP("workers = 0;"), 2, "dp.workers must be a list of lcore numbers" },
		{ DP("workers = (0, \"1\");"), 2, "dp.workers[1] must be an lcore number" },
		{ DP("eal = \"-l 0\";"), 2, "dp.eal must be a list of strings" },
		{ DP("eal = (\"-l\", 0);"), 2, "dp.eal[1] must be a string, not an integer (0)" },
		{ DP("eal = [\"-l\", \"\"];"), 2, "dp.eal[1] is an empty argument" },
		{ "dp = 5;\n", 1, "dp must be a group" },
		{ "dp = {\n  ports = { name = \"a\"; };\n};\n", 2, "dp.ports must be a list" },
		{ "dp = {\n  ports = (\"a\");\n};\n", 2, "port #1 must be a group" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; mtu = \"1500\";"), 4,
		  "port 'a': mtu must be an integer, not a string (\"1500\")" },
		{ PORT("ipv4 = 10;"), 4, "port 'a': ipv4 must be a string" },
		{ PORT("ipv6 = [\"fd00::1/64\"];"), 4, "port 'a': ipv6 must be a string" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; gateway4 = 1;"), 4,
		  "port 'a': gateway4 must be a string" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; tx_checksum_offload = 1;"), 4,
		  "port 'a': tx_checksum_offload must be true or false" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = 1;"), 4,
		  "port 'a': impair must be a group" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { loss = \"0.2\"; };"), 4,
		  "port 'a': impair.loss must be a number 0..1" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { direction = 1; };"), 4,
		  "port 'a': impair.direction must be \"rx\", \"tx\" or \"both\"" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { seed = \"x\"; };"), 4,
		  "port 'a': impair.seed must be an integer" },
		{ "dp = {\n  ports = ({ name = 7; dev = \"d\"; roles = [\"core\"]; });\n};\n", 2,
		  "port #1: name must be a string, not an integer (7)" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; roles = \"access\";"), 4,
		  "duplicate setting name" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"d\"; roles = \"core\"; });\n};\n", 2,
		  "port 'a': roles must be a list like [\"access\"], not a string" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"d\"; roles = (1); });\n};\n", 2,
		  "port 'a': a role must be \"access\" or \"core\", not an integer (1)" },
	};

	(void)state;
	RUN(cases, "types");
}

static void
test_conf_out_of_range_numbers_are_refused(void **state)
{
	static const struct bad cases[] = {
		{ DP("idle_sleep_max_us = 100001;"), 2,
		  "dp.idle_sleep_max_us 100001 is out of range 0..100000" },
		{ DP("idle_sleep_max_us = -1;"), 2, "dp.idle_sleep_max_us -1 is out of range" },
		{ DP("mbufs_per_worker = 1022;"), 2,
		  "dp.mbufs_per_worker 1022 is out of range 1023.." },
		{ DP("neigh_queue_max = 0;"), 2, "dp.neigh_queue_max 0 is out of range 1..16" },
		{ DP("neigh_queue_max = 17;"), 2, "dp.neigh_queue_max 17 is out of range 1..16" },
		{ DP("neigh_reachable_s = 0;"), 2, "dp.neigh_reachable_s 0 is out of range" },
		{ DP("neigh_retry_ms = 0;"), 2, "dp.neigh_retry_ms 0 is out of range" },
		{ DP("icmp_rate_per_s = -5;"), 2, "dp.icmp_rate_per_s -5 is out of range" },
		{ DP("diag_echo_port = 65536;"), 2,
		  "dp.diag_echo_port 65536 is out of range 0..65535" },
		{ DP("diag_tcp_echo_port = -1;"), 2,
		  "dp.diag_tcp_echo_port -1 is out of range 0..65535" },
		{ DP("tcp_max_conns = 0;"), 2, "dp.tcp_max_conns 0 is out of range 1..1048576" },
		{ DP("tcp_invalid_ratelimit_ms = 60001;"), 2,
		  "dp.tcp_invalid_ratelimit_ms 60001 is out of range 0..60000" },
		{ DP("tcp_challenge_acks = 0;"), 2, "dp.tcp_challenge_acks 0 is out of range 1..1000000" },
		{ DP("tcp_max_conns = 1048577;"), 2,
		  "dp.tcp_max_conns 1048577 is out of range 1..1048576" },
		{ DP("diag_tcp_connect = \"10.0.0.2\";"), 2,
		  "dp.diag_tcp_connect \"10.0.0.2\" must be \"a.b.c.d:port\" or \"[x::y]:port\"" },
		{ DP("diag_tcp_connect = \"10.0.0.2:0\";"), 2,
		  "dp.diag_tcp_connect \"10.0.0.2:0\" must be" },
		{ DP("diag_tcp_connect = \"10.0.0.2:65536\";"), 2,
		  "dp.diag_tcp_connect \"10.0.0.2:65536\" must be" },
		{ DP("diag_tcp_connect = \"10.0.0.2:7x\";"), 2,
		  "dp.diag_tcp_connect \"10.0.0.2:7x\" must be" },
		{ DP("diag_tcp_connect = \"fd00::2:7\";"), 2,
		  "dp.diag_tcp_connect \"fd00::2:7\" must be" },
		{ DP("diag_tcp_connect = \"[10.0.0.2]:7\";"), 2,
		  "dp.diag_tcp_connect \"[10.0.0.2]:7\" must be" },
		{ DP("diag_tcp_connect = \"[fd00::2]7\";"), 2,
		  "dp.diag_tcp_connect \"[fd00::2]7\" must be" },
		{ DP("diag_tcp_connect = \"224.0.0.1:7\";"), 2,
		  "dp.diag_tcp_connect \"224.0.0.1:7\" must be" },
		{ DP("diag_tcp_connect = \"[::]:7\";"), 2,
		  "dp.diag_tcp_connect \"[::]:7\" must be" },
		{ DP("diag_tcp_connect = 5001;"), 2,
		  "dp.diag_tcp_connect must be \"a.b.c.d:port\"" },
		{ DP("workers = [0, -1];"), 2, "dp.workers[1]: lcore -1 is out of range 0..1023" },
		{ DP("workers = [];"), 2, "dp.workers is empty" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; mtu = 575;"), 4,
		  "port 'a': mtu 575 is out of range 576..9000" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; mtu = 9001;"), 4,
		  "port 'a': mtu 9001 is out of range 576..9000" },
		{ PORT("ipv6 = \"fd00::1/64\"; mtu = 1279;"), 4,
		  "port 'a': mtu 1279 is below 1280, the IPv6 minimum" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; mss_clamp = 535;"), 4,
		  "port 'a': mss_clamp 535 is out of range 536..8960" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; mss_clamp = \"1400\";"), 4,
		  "port 'a': mss_clamp must be an integer" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; vlan = 4095;"), 4,
		  "port 'a': vlan 4095 is out of range 0..4094" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; vlan = -1;"), 4, "port 'a': vlan -1 is out of range" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { loss = 1.5; };"), 4,
		  "port 'a': impair.loss 1.5 must lie in 0..1" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { dup = -0.1; };"), 4,
		  "port 'a': impair.dup -0.1 must lie in 0..1" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { reorder = 2; };"), 4,
		  "port 'a': impair.reorder 2 must lie in 0..1" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { delay_us = 10000001; };"), 4,
		  "port 'a': impair.delay_us 10000001 is out of range" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { jitter_us = -1; };"), 4,
		  "port 'a': impair.jitter_us -1 is out of range" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { seed = -1; };"), 4,
		  "port 'a': impair.seed -1 is out of range" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { direction = \"up\"; };"), 4,
		  "port 'a': impair.direction 'up' must be \"rx\", \"tx\" or \"both\"" },
	};

	(void)state;
	RUN(cases, "range");
}

static void
test_conf_bad_addresses_are_refused(void **state)
{
	static const struct bad cases[] = {
		{ PORT("ipv4 = \"10.200.0.1/33\";"), 4,
		  "port 'a': ipv4 '10.200.0.1/33': prefix length must be 0..32" },
		{ PORT("ipv4 = \"10.200.0.1/-1\";"), 4,
		  "port 'a': ipv4 '10.200.0.1/-1': prefix length must be 0..32" },
		{ PORT("ipv4 = \"10.200.0.1/\";"), 4, "prefix length must be 0..32" },
		{ PORT("ipv6 = \"fd00::1/129\";"), 4,
		  "port 'a': ipv6 'fd00::1/129': prefix length must be 0..128" },
		{ PORT("ipv4 = \"10.0.0.256/24\";"), 4,
		  "port 'a': ipv4 '10.0.0.256/24': '10.0.0.256' is not an IPv4 address" },
		{ PORT("ipv6 = \"fd00:::1/64\";"), 4, "'fd00:::1' is not an IPv6 address" },
		{ PORT("ipv4 = \"\";"), 4, "port 'a': ipv4 '' is not an IPv4 address" },
		{ PORT("ipv4 = \"10.0.0.1\";"), 4,
		  "port 'a': ipv4 '10.0.0.1' needs a prefix length" },
		{ PORT("ipv4 = \"fd00::1/64\";"), 4,
		  "port 'a': ipv4 'fd00::1/64' is an IPv6 address; ipv4 takes IPv4" },
		{ PORT("ipv6 = \"10.0.0.1/24\";"), 4,
		  "port 'a': ipv6 '10.0.0.1/24' is an IPv4 address; ipv6 takes IPv6" },
	};

	(void)state;
	RUN(cases, "addresses");
}

static void
test_conf_bad_gateways_are_refused(void **state)
{
	static const struct bad cases[] = {
		{ PORT("ipv4 = \"10.0.0.1/24\"; gateway4 = \"10.0.1.1\";"), 4,
		  "port 'a': gateway4 '10.0.1.1' lies outside the port's prefix 10.0.0.1/24" },
		{ PORT("ipv4 = \"10.0.0.1/25\"; gateway4 = \"10.0.0.129\";"), 4,
		  "gateway4 '10.0.0.129' lies outside" },
		{ PORT("ipv6 = \"fd00:1::1/64\"; gateway6 = \"fd00:2::1\";"), 4,
		  "port 'a': gateway6 'fd00:2::1' lies outside the port's prefix fd00:1::1/64" },
		{ PORT("ipv6 = \"fd00:1::1/63\"; gateway6 = \"fd00:1:0:2::1\";"), 4,
		  "gateway6 'fd00:1:0:2::1' lies outside" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; ipv6 = \"fd00::1/64\"; gateway4 = \"fd00::fe\";"), 4,
		  "port 'a': gateway4 'fd00::fe' is an IPv6 address; gateway4 takes IPv4" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; ipv6 = \"fd00::1/64\"; gateway6 = \"10.0.0.254\";"), 4,
		  "port 'a': gateway6 '10.0.0.254' is an IPv4 address; gateway6 takes IPv6" },
		{ PORT("ipv6 = \"fd00::1/64\"; gateway4 = \"10.0.0.254\";"), 4,
		  "port 'a': gateway4 '10.0.0.254' needs an ipv4 on the port" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; gateway6 = \"fd00::fe\";"), 4,
		  "port 'a': gateway6 'fd00::fe' needs an ipv6 on the port" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; gateway4 = \"10.0.0.254/24\";"), 4,
		  "port 'a': gateway4 '10.0.0.254/24' is not an IPv4 address" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; gateway4 = \"10.0.0.1\";"), 4,
		  "port 'a': gateway4 '10.0.0.1' is the port's own address" },
	};

	(void)state;
	RUN(cases, "gateways");
}

static void
test_conf_bad_port_lists_are_refused(void **state)
{
	static const struct bad cases[] = {
		{ "dp = {\n  workers = [0];\n};\n", 1, "dp has no ports" },
		{ "dp = {\n  ports = ();\n};\n", 2, "dp.ports is empty" },
		{ "dp = {\n  ports = (\n"
		  "    { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
		  "    { name = \"a\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.0.1.1/24\"; }\n"
		  "  );\n};\n", 4, "port 'a' is defined twice (first at line 3)" },
		{ "dp = {\n  ports = (\n"
		  "    { name = \"a\"; dev = \"net_tap0,iface=x\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
		  "    { name = \"b\"; dev = \"net_tap0,iface=y\"; roles = [\"core\"]; ipv4 = \"10.0.1.1/24\"; }\n"
		  "  );\n};\n", 4,
		  "port 'b': dev 'net_tap0,iface=y' is the device of port 'a' (line 3)" },
		{ "dp = {\n  ports = (\n"
		  "    { name = \"a\"; dev = \"0000:3B:00.0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
		  "    { name = \"b\"; dev = \"3b:00.0\"; roles = [\"core\"]; ipv4 = \"10.0.1.1/24\"; }\n"
		  "  );\n};\n", 4, "port 'b': dev '3b:00.0' is the device of port 'a'" },
		{ "dp = {\n  ports = (\n"
		  "    { name = \"a\"; dev = \"x\"; ipv4 = \"10.0.0.1/24\"; }\n"
		  "  );\n};\n", 3, "port 'a' has no roles" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; }, { name = \"b\"; dev = \"y\"; roles = []; ipv4 = \"10.1.0.1/24\";"),
		  4, "port 'b': roles is empty" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"x\"; roles = [\"edge\"];\n"
		  "    ipv4 = \"10.0.0.1/24\"; });\n};\n", 2,
		  "port 'a': unknown role 'edge' (roles are \"access\" and \"core\")" },
		{ PORT("mtu = 1500;"), 3, "port 'a' needs an ipv4 or an ipv6 address" },
		{ "dp = {\n  ports = ({ dev = \"x\"; roles = [\"core\"]; ipv4 = \"10.0.0.1/8\"; });\n};\n",
		  2, "port #1 needs a name" },
		{ "dp = {\n  ports = ({ name = \"\"; dev = \"x\"; });\n};\n", 2,
		  "port #1: name must not be empty" },
		{ "dp = {\n  ports = ({ name = \"a-name-that-is-far-too-long-for-it\"; });\n};\n", 2,
		  "port 'a-name-that-is-far-too-long-for-it': name "
		  "'a-name-that-is-far-too-long-for-it' is longer than 31 bytes" },
		{ "dp = {\n  ports = ({ name = \"a\"; roles = [\"core\"]; ipv4 = \"10.0.0.1/8\"; });\n};\n",
		  2, "port 'a' needs a dev" },
		{ "dp = {\n  ports = ({ name = \"a\"; dev = \"\"; });\n};\n", 2,
		  "port 'a': dev must not be empty" },
		{ DP("workers = [1, 2, 1];"), 2,
		  "dp.workers[2]: lcore 1 is listed twice (also dp.workers[0])" },
	};

	(void)state;
	RUN(cases, "ports");
}

static void
test_conf_unknown_settings_are_named(void **state)
{
	static const struct bad cases[] = {
		{ DP("wrokers = [0];"), 2,
		  "dp: unknown setting 'wrokers' (did you mean 'workers'?)" },
		{ DP("frobnicate = 1;"), 2, "dp: unknown setting 'frobnicate'" },
		{ DP("impair = { loss = 0.1; };"), 2, "dp: unknown setting 'impair'" },
		{ PORT("ipv4 = \"10.0.0.1/24\";\n      ipv5 = \"x\";"), 5,
		  "port 'a': unknown setting 'ipv5' (did you mean 'ipv4'?)" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; gatway4 = \"10.0.0.2\";"), 4,
		  "port 'a': unknown setting 'gatway4' (did you mean 'gateway4'?)" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { los = 0.2; };"), 4,
		  "port 'a': impair: unknown setting 'los' (did you mean 'loss'?)" },
		{ PORT("ipv4 = \"10.0.0.1/24\"; impair = { rate = 0.2; };"), 4,
		  "port 'a': impair: unknown setting 'rate'" },
	};

	(void)state;
	RUN(cases, "unknown");
}

static void
test_conf_no_dp_group_names_the_file(void **state)
{
	(void)state;
	assert_int_equal(load_text("cp_only = { x = 1; };\n"), -EINVAL);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_non_null(strstr(err, ": no dp group"));
}

static void
test_conf_error_in_an_include_names_that_file(void **state)
{
	char sub[256], want[300];

	(void)state;
	write_file("sub.inc",
		   "  ports = ({ name = \"a\"; dev = \"d\"; roles = [\"core\"];\n"
		   "             ipv4 = \"10.0.0.1/24\"; vlan = 5000; });\n",
		   sub, sizeof(sub));
	assert_int_equal(load_text("dp = {\n  workers = [0];\n@include \"sub.inc\"\n};\n"),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s:2: port 'a': vlan 5000 is out of range", sub);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want \"%s\"", err, want);
	/* The include is found next to the file whatever the working folder. */
	write_file("sub.inc",
		   "  ports = ({ name = \"a\"; dev = \"d\"; roles = [\"core\"];\n"
		   "             ipv4 = \"10.0.0.1/24\"; vlan = 7; });\n",
		   sub, sizeof(sub));
	assert_int_equal(chdir("/"), 0);
	expect_ok("dp = {\n  workers = [0];\n@include \"sub.inc\"\n};\n");
	assert_int_equal(c.dp.ports[0].vlan, 7);
}

/* libconfig 1.5 ends the process (exit(2), no file:line) on an @include of
 * "" or a folder, and never returns from a FIFO: each is refused first,
 * with file:line (found by the fuzz_conf target). */
static void
test_conf_include_of_no_regular_file_is_refused(void **state)
{
	char sub[256], fifo[256];

	(void)state;
	expect_error("dp = {\n  workers = [0];\n@include \"\"\n};\n", 3,
		     "@include \"\": no file named");
	expect_error("dp = {\n@include \".\"\n};\n", 2,
		     "@include \".\": not a regular file");
	snprintf(fifo, sizeof(fifo), "%s/pipe.inc", dir);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_error("dp = {\n\n  @include \"pipe.inc\"\n};\n", 3,
		     "@include \"pipe.inc\": not a regular file");
	unlink(fifo);
	expect_error("dp = {\n@include \"missing.inc\"\n};\n", 2,
		     "@include \"missing.inc\": No such file or directory");
	/* nested: the included file's own @include is checked too */
	write_file("outer.inc", "@include \".\"\n", sub, sizeof(sub));
	assert_int_equal(load_text("dp = {\n@include \"outer.inc\"\n};\n"), -EINVAL);
	assert_non_null(strstr(err, "outer.inc:1: @include \".\": not a regular file"));
}

static void
test_conf_error_is_truncated_to_the_buffer(void **state)
{
	char small[16];

	(void)state;
	write_file("t.conf", DP("idle_sleep_max_us = 100001;"), path, sizeof(path));
	memset(small, 'X', sizeof(small));
	assert_int_equal(tp_conf_load(path, &c, small, sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, path, sizeof(small) - 1);
	/* errlen 0: nothing is written, the result is the same. */
	assert_int_equal(tp_conf_load(path, &c, small, 0), -EINVAL);
}

/* ---- ownership --------------------------------------------------------- */

static void
test_conf_free_releases_everything(void **state)
{
	(void)state;
	expect_ok(DP("eal = [\"-l\", \"0\", \"--no-pci\", \"--vdev\", \"net_null0\"];"));
	assert_int_equal(c.dp.eal_argc, 6);
	tp_conf_free(&c);
	assert_int_equal(c.dp.eal_argc, 0);
	for (int i = 0; i <= TP_CONF_MAX_EAL_ARGS; i++)
		assert_null(c.dp.eal_argv[i]);
	/* A second free is harmless, and so is loading again into c. */
	tp_conf_free(&c);
	expect_ok(DP("eal = [\"-l\", \"0\"];"));
	assert_int_equal(c.dp.eal_argc, 3);
	/* A load that fails after copying EAL arguments frees them itself
	 * (ASan's leak check would report them otherwise). */
	tp_conf_free(&c);
	assert_int_equal(load_text("dp = {\n  eal = [\"-l\", \"0\", \"--no-pci\"];\n"
				   "  ports = ({ name = \"a\"; });\n};\n"), -EINVAL);
	assert_int_equal(c.dp.eal_argc, 0);
	assert_null(c.dp.eal_argv[0]);
}

/* ---- prefixes ---------------------------------------------------------- */

static void
test_conf_parse_prefix_reads_both_families(void **state)
{
	uint8_t a[16], plen = 0xAA;

	(void)state;
	assert_int_equal(tp_conf_parse_prefix("10.200.0.1/24", a, &plen), 4);
	assert_int_equal(plen, 24);
	assert_addr(4, a, "10.200.0.1");             /* host bits kept */
	assert_int_equal(tp_conf_parse_prefix("fd00:200::1/64", a, &plen), 6);
	assert_int_equal(plen, 64);
	assert_addr(6, a, "fd00:200::1");
	assert_int_equal(tp_conf_parse_prefix("0.0.0.0/0", a, &plen), 4);
	assert_int_equal(plen, 0);
	assert_int_equal(tp_conf_parse_prefix("::/0", a, &plen), 6);
	assert_int_equal(plen, 0);
	assert_int_equal(tp_conf_parse_prefix("::ffff:10.0.0.1/128", a, &plen), 6);
	assert_int_equal(plen, 128);
	assert_int_equal(tp_conf_parse_prefix("255.255.255.255/32", a, &plen), 4);
	assert_int_equal(plen, 32);
}

static void
test_conf_parse_prefix_bare_address_without_plen(void **state)
{
	uint8_t a[16];

	(void)state;
	assert_int_equal(tp_conf_parse_prefix("10.0.0.1", a, NULL), 4);
	assert_addr(4, a, "10.0.0.1");
	assert_int_equal(tp_conf_parse_prefix("2001:db8::fe", a, NULL), 6);
	assert_addr(6, a, "2001:db8::fe");
	/* A length where none is wanted, none where one is. */
	assert_int_equal(tp_conf_parse_prefix("10.0.0.1/8", a, NULL), -EINVAL);
	assert_int_equal(tp_conf_parse_prefix("10.0.0.1", a, (uint8_t[1]){ 0 }), -EINVAL);
}

static void
test_conf_parse_prefix_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"", "/24", "10.0.0.1/", "10.0.0.1/33", "::1/129", "nonsense/8",
		"10.0.0/8", "10.0.0.1/ 8", "10.0.0.1/+8", "10.0.0.1/8x", "10.0.0.1/0008",
		"10.0.0.1//8", " 10.0.0.1/8", "fd00::g/64", "1:2:3:4:5:6:7:8:9/64",
		"10.0.0.1/8/8",
		"0000:0000:0000:0000:0000:0000:0000:0000:0000/64",
	};
	uint8_t a[16], plen = 0xAA;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tp_conf_parse_prefix(bad[i], a, &plen) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	assert_int_equal(plen, 0xAA);                /* untouched on failure */
}

/* The oauth group's keys: each names its authorization server with as
 * (keys of one AS share it; absent: ""), 1..64 bytes. */
static void
test_conf_oauth_key_as(void **state)
{
#define OTURN "turn = { realm = \"r.example\"; relay_ports = [50000, 50999]; };\n"
#define OKEY(extra) "{ kid = \"north\"; algorithm = \"A128GCM\"; " \
		    "key = \"MTIzNDU2Nzg5MDEyMzQ1Ng==\";" extra " }"
	(void)state;
	expect_ok(DP("") OTURN "oauth = { keys = (\n  " OKEY("") ",\n"
		  "  { kid = \"south\"; as = \"north\"; algorithm = \"A256GCM\";\n"
		  "    key = \"MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=\"; }); };\n");
	assert_int_equal(c.oauth.nkeys, 2);
	assert_string_equal(c.oauth.keys[0].as, "");
	assert_string_equal(c.oauth.keys[1].as, "north");
	tp_conf_free(&c);
	/* lines: dp 1-4, turn 5, oauth 6.. */
	expect_error(DP("") OTURN "oauth = { keys = (\n  " OKEY(" as = \"\";") "); };\n", 7,
		     "names its authorization server");
	expect_error(DP("") OTURN "oauth = { keys = (\n  " OKEY(" as = 3;") "); };\n", 7,
		     "names its authorization server");
	expect_error(DP("") OTURN "oauth = { keys = (\n  "
		     OKEY(" as = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";")
		     "); };\n", 7, "1..64 bytes");
	expect_error(DP("") OTURN "oauth = { keys = (\n  " OKEY(" ass = \"x\";") "); };\n", 7,
		     "did you mean 'as'");
#undef OKEY
#undef OTURN
}

/* Every "IP:PORT" setting's one reading (tp_conf_hostport_parse()): what
 * it takes, what it refuses (the forms the private parsers of cp/metrics,
 * cp/iq, cp/ha and cp/li once disagreed on: a sign or a blank before the
 * port, trailing bytes, port 0, v6 without brackets), and the address and
 * length it gives. */
static void
test_conf_hostport_parse(void **state)
{
	static const char *const good[] = { "127.0.0.1:9641", "[::1]:1", "0.0.0.0:65535",
					    "[2001:db8::1]:6379", "192.0.2.1:00080" };
	static const char *const bad[] = { "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
					   "127.0.0.1:65536", "127.0.0.1:+80", "127.0.0.1: 80",
					   "127.0.0.1:80 ", "127.0.0.1:80abc", "127.0.0.1:-1",
					   "127.0.0.1:123456", "::1:9641", "[::1]9641", "[::1",
					   ":9641", "[]:9641", "localhost:9641", "[127.0.0.1]:80",
					   "1.2.3.4.5:80", "", "[::1]:" };
	struct sockaddr_storage ss;
	socklen_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (tp_conf_hostport_parse(good[i], &ss, NULL) == 0)
			fail_msg("'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&ss, 0xa5, sizeof(ss));
		if (tp_conf_hostport_parse(bad[i], &ss, &len) != 0)
			fail_msg("'%s' taken", bad[i]);
		assert_int_equal(ss.ss_family, 0);
		if (tp_conf_hostport_family(bad[i]) != 0)
			fail_msg("'%s' has a family", bad[i]);
	}
	assert_int_equal(tp_conf_hostport_parse(NULL, &ss, NULL), 0);

	assert_int_equal(tp_conf_hostport_parse("192.0.2.7:3478", &ss, &len), 4);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 3478);
	assert_int_equal(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr), 0xc0000207u);
	assert_int_equal(tp_conf_hostport_parse("[2001:db8::1]:65535", &ss, &len), 6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 65535);
	assert_int_equal(((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[15], 1);
	assert_int_equal(tp_conf_hostport_family("[2001:db8::1]:65535"), 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_conf_demo_loads_with_fixed_values, teardown),
		cmocka_unit_test(test_conf_hostport_parse),
		cmocka_unit_test_teardown(test_conf_carrier_loads, teardown),
		cmocka_unit_test_teardown(test_conf_oauth_key_as, teardown),
		cmocka_unit_test_teardown(test_conf_max_bps_precedence, teardown),
		cmocka_unit_test_teardown(test_conf_placeholder_secrets_are_refused, teardown),
		cmocka_unit_test_teardown(test_conf_secrets_with_algorithm, teardown),
		cmocka_unit_test_teardown(test_conf_secrets_readable_by_others_are_said, teardown),
		cmocka_unit_test_teardown(test_conf_ipc_group, teardown),
		cmocka_unit_test_teardown(test_conf_defaults_apply, teardown),
		cmocka_unit_test_teardown(test_conf_every_setting_is_read, teardown),
		cmocka_unit_test_teardown(test_conf_impair_direction_defaults_to_rx, teardown),
		cmocka_unit_test_teardown(test_conf_unknown_top_level_groups_are_ignored, teardown),
		cmocka_unit_test_teardown(test_conf_agw_group_read_and_checked, teardown),
		cmocka_unit_test_teardown(test_conf_iq_group_read_and_checked, teardown),
		cmocka_unit_test_teardown(test_conf_iq_send_from, teardown),
		cmocka_unit_test_teardown(test_conf_iq_auth, teardown),
		cmocka_unit_test_teardown(test_conf_iq_unauthenticated_warning, teardown),
		cmocka_unit_test_teardown(test_conf_cp_agw_group, teardown),
		cmocka_unit_test_teardown(test_conf_cluster_group_read_and_checked, teardown),
		cmocka_unit_test_teardown(test_conf_gateway_anywhere_in_a_zero_prefix, teardown),
		cmocka_unit_test_teardown(test_conf_eal_args_fill_the_table_exactly, teardown),
		cmocka_unit_test_teardown(test_conf_workers_up_to_the_maximum, teardown),
		cmocka_unit_test_teardown(test_conf_ports_up_to_the_maximum, teardown),
		cmocka_unit_test_teardown(test_conf_missing_file_is_enoent, teardown),
		cmocka_unit_test_teardown(test_conf_syntax_errors_name_the_line, teardown),
		cmocka_unit_test_teardown(test_conf_wrong_types_are_refused, teardown),
		cmocka_unit_test_teardown(test_conf_out_of_range_numbers_are_refused, teardown),
		cmocka_unit_test_teardown(test_conf_bad_addresses_are_refused, teardown),
		cmocka_unit_test_teardown(test_conf_bad_gateways_are_refused, teardown),
		cmocka_unit_test_teardown(test_conf_bad_port_lists_are_refused, teardown),
		cmocka_unit_test_teardown(test_conf_unknown_settings_are_named, teardown),
		cmocka_unit_test_teardown(test_conf_relay_lists_are_read, teardown),
		cmocka_unit_test_teardown(test_conf_relay_defaults_to_the_core_port_address,
					  teardown),
		cmocka_unit_test_teardown(test_conf_relay_lists_hold_the_maximum, teardown),
		cmocka_unit_test_teardown(test_conf_bad_relay_lists_are_refused, teardown),
		cmocka_unit_test_teardown(test_conf_worker_allocs_follow_the_quota, teardown),
		cmocka_unit_test_teardown(test_conf_channels_default_to_rfc8656, teardown),
		cmocka_unit_test_teardown(test_conf_listen_tcp, teardown),
		cmocka_unit_test_teardown(test_conf_quota_user_defaults_to_a_tenth_of_the_total,
					  teardown),
		cmocka_unit_test_teardown(test_conf_cp_store_defaults_on_none_turns_it_off, teardown),
		cmocka_unit_test_teardown(test_conf_cp_tls_ticket_rotate_default_and_range, teardown),
		cmocka_unit_test_teardown(test_conf_no_dp_group_names_the_file, teardown),
		cmocka_unit_test_teardown(test_conf_error_in_an_include_names_that_file, teardown),
		cmocka_unit_test_teardown(test_conf_include_of_no_regular_file_is_refused,
					  teardown),
		cmocka_unit_test_teardown(test_conf_error_is_truncated_to_the_buffer, teardown),
		cmocka_unit_test_teardown(test_conf_free_releases_everything, teardown),
		cmocka_unit_test_teardown(test_conf_cp_user_is_read_and_resolved, teardown),
		cmocka_unit_test_teardown(test_conf_cp_user_unknown_names_file_and_line, teardown),
		cmocka_unit_test_teardown(test_conf_cp_user_bad_names_are_refused, teardown),
		cmocka_unit_test(test_conf_parse_prefix_reads_both_families),
		cmocka_unit_test(test_conf_parse_prefix_bare_address_without_plen),
		cmocka_unit_test(test_conf_parse_prefix_rejects_garbage),
		cmocka_unit_test(test_conf_tls),
		cmocka_unit_test(test_conf_tcp_timers),
		cmocka_unit_test(test_conf_agw_quota),
		cmocka_unit_test(test_conf_cp_metrics_allow_is_read),
		cmocka_unit_test(test_conf_cp_metrics_allow_bad_lists_are_refused),
		cmocka_unit_test(test_conf_accounting_is_read),
		cmocka_unit_test(test_conf_accounting_bad_is_refused),
		cmocka_unit_test_teardown(test_conf_ha_group_is_read, teardown),
		cmocka_unit_test(test_conf_ha_bad_is_refused),
		cmocka_unit_test_teardown(test_conf_li_group_is_read, teardown),
		cmocka_unit_test(test_conf_li_bad_is_refused),
		cmocka_unit_test(test_conf_tenants_are_read),
		cmocka_unit_test(test_conf_iq_tenant),
		cmocka_unit_test(test_conf_ng_group_read_and_checked),
		cmocka_unit_test(test_conf_ng_refusals),
		cmocka_unit_test(test_conf_ng_tenant),
		cmocka_unit_test(test_conf_tenants_bad_are_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
