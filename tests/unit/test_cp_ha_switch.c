/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A planned switchover's exchange (ha_switch.c) on both sides, the role
 * machine real (ha_role.c), the link and the lease the test's: what
 * ha_switch.c sends on the link is recorded, the peer's SWITCH messages
 * are the test's calls, the release of the lease is answered by hand. The
 * segment is a struct of the test's, its dp "running" as the test says.
 * What is held to (docs/design/ha.md §3.5, §4 S15): every SWITCH carries
 * the nonce of the ASK it belongs to; an OK or NO of another ASK is
 * dropped and counted, never taken for this one's; a standby answers OK
 * only from STANDBY or FENCED with its dp running (never STARTING, where
 * it could not take the role); a GO is honoured only after this box's
 * OK to that very ASK, within the switchover's bounds, and once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp.h"
#include "api/api.h"
#include "ha.h"
#include "ha_link.h"
#include "ha_mirror.h"
#include "ipc.h"

#define LEASE 1000u

static struct cp_ctx cp;
static struct cp_ha ha;
static struct ipc_shm shm;

/* ---- the link, the test's ------------------------------------------------ */

static struct {
	bool up;
	enum ha_state peer_role;
	uint64_t peer_token;
	unsigned int sent;            /* SWITCH messages sent */
	unsigned int step;            /* the last one's */
	uint64_t token, nonce;
	char why[256];
} link;

void
ha_link_view(const struct ha_link *l, uint64_t now_ms, struct ha_link_view *v)
{
	(void)l;
	(void)now_ms;
	memset(v, 0, sizeof(*v));
	v->up = link.up;
	snprintf(v->peer_box, sizeof(v->peer_box), "box-b");
	v->peer_role = link.peer_role;
	v->peer_token = link.peer_token;
}

int
ha_link_send_switch(struct ha_link *l, unsigned int step, uint64_t token, uint64_t nonce,
		    const char *why)
{
	(void)l;
	if (!link.up)
		return -ENOTCONN;
	assert_true(nonce != 0);
	link.sent++;
	link.step = step;
	link.token = token;
	link.nonce = nonce;
	snprintf(link.why, sizeof(link.why), "%s", why != NULL ? why : "");
	return 0;
}

bool
ha_link_acked(const struct ha_link *l)
{
	(void)l;
	return true;
}

void
ha_link_hb_soon(struct ha_link *l)
{
	(void)l;
}

/* (no mirror here: ha->mirror is NULL, these are never called) */
unsigned int
ha_mirror_flush(struct ha_mirror *m, uint64_t now_ms)
{
	(void)m;
	(void)now_ms;
	return 0;
}

bool
ha_mirror_idle(const struct ha_mirror *m)
{
	(void)m;
	return true;
}

void
cp_api_release(struct cp_api *a, uint64_t token, const char *error)
{
	(void)a;
	(void)token;
	(void)error;
}

/* ---- the lease and the module, the test's ------------------------------ */

static struct {
	unsigned int n;
	uint32_t seq;
} release;

int
ha_lease_release(struct cp_ha *h, uint32_t seq)
{
	(void)h;
	release.n++;
	release.seq = seq;
	return 0;
}

void
ha_sync(struct cp_ha *h)
{
	(void)h;
}

/* ---- the test's pieces -------------------------------------------------- */

/* dp beating now (ipc_dp_running()), or not running at all */
static void
dp_running(bool yes, uint64_t now)
{
	shm.dp_epoch = 1;
	atomic_store(&shm.dp_ready, yes ? 1 : 0);
	shm.dp_heartbeat_ms = now;
}

/* This box with the role machine started from the segment: ACTIVE under
 * token 7 (a segment that says so, its deadline far ahead) or STANDBY. */
static void
start(bool active, uint32_t mode, uint64_t now)
{
	struct ha_role_conf rc = { .lease_ms = LEASE, .mode = mode };

	memset(&ha, 0, sizeof(ha));
	memset(&link, 0, sizeof(link));
	memset(&release, 0, sizeof(release));
	memset(&shm, 0, sizeof(shm));
	memset(&cp, 0, sizeof(cp));
	cp.ha = &ha;
	cp.seg.shm = &shm;
	cp.now_ms = now;
	ha.cp = &cp;
	snprintf(ha.box, sizeof(ha.box), "box-a");
	ipc_ha_set(&shm.ha, active ? IPC_HA_ACTIVE : IPC_HA_STANDBY, 7, active ? now + 60000 : 0);
	ha_role_start(&ha.role, &rc, &shm.ha, now);
	dp_running(true, now);
	link.up = true;
	link.peer_role = active ? HA_STANDBY : HA_ACTIVE;
	link.peer_token = 7;
}

/* The peer's SWITCH message, heard at now. */
static void
heard(unsigned int step, uint64_t nonce, const char *why, uint64_t now)
{
	cp.now_ms = now;
	ha_switch_heard(&ha, step, 7, nonce, why, now);
}

static void
turn(uint64_t now)
{
	cp.now_ms = now;
	ha_switch_step(&ha, now);
}

/* An OK that answers an earlier ASK (one that timed out) does not
 * satisfy a new one: the new switchover waits for its own OK. Before the
 * nonce a late OK made the new one hand the role over unasked. */
static void
test_switch_late_ok_of_an_earlier_ask_ignored(void **state)
{
	const char *why;
	uint64_t first;

	(void)state;
	start(true, TP_HA_ROLE_AUTO, 1000);
	assert_int_equal(ha.role.state, HA_ACTIVE);
	assert_int_equal(ha_switch_start(&ha, 0, 1000, &why), 0);
	assert_int_equal(link.sent, 1);
	assert_int_equal(link.step, HA_SWMSG_ASK);
	first = link.nonce;
	/* the peer's answer is slow: the first switchover gives up */
	for (uint64_t t = 1000; t <= 2000; t++)
		turn(t);
	assert_int_equal(ha.sw.step, HA_SW_IDLE);
	assert_int_equal(ha.role.st.switch_failed, 1);
	assert_int_equal(ha_switch_start(&ha, 0, 2100, &why), 0);
	assert_int_equal(link.sent, 2);
	assert_true(link.nonce != first);
	/* the first ASK's OK arrives now; a NO of it too */
	heard(HA_SWMSG_OK, first, "", 2110);
	heard(HA_SWMSG_NO, first, "late", 2111);
	assert_int_equal(ha.role.st.switch_stale, 2);
	for (uint64_t t = 2110; t < 2200; t++)
		turn(t);
	assert_int_equal(ha.sw.step, HA_SW_ASK);
	assert_false(ha.sw.peer_ok);
	assert_int_equal(ha.role.yield, HA_YIELD_NONE);     /* dp still relays */
	/* its own OK goes on; a second one is no news */
	heard(HA_SWMSG_OK, link.nonce, "", 2200);
	heard(HA_SWMSG_OK, link.nonce, "", 2200);
	assert_int_equal(ha.role.st.switch_stale, 3);
	turn(2200);
	assert_int_equal(ha.sw.step, HA_SW_FINAL);
	assert_int_equal(ha.role.yield, HA_YIELD_PASSIVE);
	/* the lease let go, the peer told GO under the same nonce */
	turn(2205);
	assert_int_equal(ha.sw.step, HA_SW_RELEASE);
	assert_int_equal(release.n, 1);
	ha_switch_released(&ha, release.seq, 1, 2210);
	assert_int_equal(ha.sw.step, HA_SW_PEER);
	assert_int_equal(link.step, HA_SWMSG_GO);
	assert_true(link.nonce == ha.sw.nonce);
}

/* The standby answers OK only where it could take the role: STANDBY or
 * FENCED with its dp running. STARTING (the machine not started), or a
 * dp that does not run, is a NO. Before the fix STARTING said OK and the
 * GO's take then refused: a lease's gap. */
static void
test_switch_ok_only_from_standby_with_a_live_dp(void **state)
{
	(void)state;
	start(false, TP_HA_ROLE_AUTO, 1000);
	ha.role.state = HA_STARTING;
	heard(HA_SWMSG_ASK, 0x1111, "", 1000);
	assert_int_equal(link.sent, 1);
	assert_int_equal(link.step, HA_SWMSG_NO);
	assert_true(link.nonce == 0x1111);
	assert_non_null(strstr(link.why, "starting"));
	/* STANDBY, dp not running */
	start(false, TP_HA_ROLE_AUTO, 1000);
	dp_running(false, 1000);
	heard(HA_SWMSG_ASK, 0x2222, "", 1001);
	assert_int_equal(link.step, HA_SWMSG_NO);
	assert_non_null(strstr(link.why, "dp"));
	/* STANDBY, dp running: OK, with the ASK's nonce */
	dp_running(true, 1002);
	heard(HA_SWMSG_ASK, 0x3333, "", 1002);
	assert_int_equal(link.sent, 2);
	assert_int_equal(link.step, HA_SWMSG_OK);
	assert_true(link.nonce == 0x3333);
	/* FENCED too */
	ha.role.state = HA_FENCED;
	heard(HA_SWMSG_ASK, 0x4444, "", 1003);
	assert_int_equal(link.step, HA_SWMSG_OK);
}

/* A GO is honoured only after this box's OK to that ASK, within the
 * switchover's bounds, once. Before the fix any GO opened the take
 * window (the standby asked for the lease over an active peer). */
static void
test_switch_stale_go_ignored(void **state)
{
	(void)state;
	start(false, TP_HA_ROLE_AUTO, 1000);
	/* a GO with no ASK answered */
	heard(HA_SWMSG_GO, 0x5555, "", 1000);
	assert_true(ha.role.take_until_ms == 0);
	assert_int_equal(ha.role.st.switch_stale, 1);
	/* OK said to one ASK; a GO of another */
	heard(HA_SWMSG_ASK, 0x6666, "", 1010);
	assert_int_equal(link.step, HA_SWMSG_OK);
	heard(HA_SWMSG_GO, 0x5555, "", 1020);
	assert_true(ha.role.take_until_ms == 0);
	/* the ASK's own GO, past the bounds: too late */
	heard(HA_SWMSG_GO, 0x6666, "", 1010 + 10000);
	assert_true(ha.role.take_until_ms == 0);
	/* again, in time: taken, once */
	dp_running(true, 20000);
	heard(HA_SWMSG_ASK, 0x7777, "", 20000);
	heard(HA_SWMSG_GO, 0x7777, "", 20100);
	assert_true(ha.role.take_until_ms == 20100 + LEASE);
	ha.role.take_until_ms = 0;
	heard(HA_SWMSG_GO, 0x7777, "", 20200);
	assert_true(ha.role.take_until_ms == 0);
	/* an OK said, then a NO to a later ASK: the OK's GO is void */
	dp_running(true, 30000);
	heard(HA_SWMSG_ASK, 0x8888, "", 30000);
	assert_int_equal(link.step, HA_SWMSG_OK);
	dp_running(false, 30000);
	heard(HA_SWMSG_ASK, 0x9999, "", 30010);
	assert_int_equal(link.step, HA_SWMSG_NO);
	heard(HA_SWMSG_GO, 0x8888, "", 30020);
	assert_true(ha.role.take_until_ms == 0);
	assert_int_equal(ha.role.st.switch_stale, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch_late_ok_of_an_earlier_ask_ignored),
		cmocka_unit_test(test_switch_ok_only_from_standby_with_a_live_dp),
		cmocka_unit_test(test_switch_stale_go_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
