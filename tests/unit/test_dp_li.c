/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/li's tp-li without its thread (issue 70, docs/design/li.md §2.4,
 * §3.4, §8 V4):
 * - li_st.c's delivery figures: what each destination and task came to,
 *   reported as lib/ipc LI_STATUS (held to ipc_msg_check()) at most once
 *   a second and only when something moved, counts since the last report,
 *   several messages for many tasks, a report waiting whole while worker 0
 *   has not drained the outbox, every state again for a new cp.
 * - li_conn.c's entries: an up connection idle past LI_IDLE_MS is given
 *   back, and with every entry busy a new destination takes the idlest
 *   (V4: sixteen destinations once used locked out a seventeenth), and
 *   one down (failed, nothing queued) before an idle one even while its
 *   PDUs keep coming (M4: sixteen failing destinations locked one out).
 * No TLS is made: the connections are set by hand (white box), and a
 * connect goes to a loopback port nothing listens on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc.h"
#include "li_conn.h"
#include "li_pdu.h"
#include "li_st.h"

static struct li_ctx lc;
static struct ipc_msg m;

static int
setup(void **state)
{
	(void)state;
	memset(&lc, 0, sizeof(lc));
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		lc.conns[i].fd = -1;
		lc.conns[i].st_i = -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	li_conn_fini(&lc);
	return 0;
}

static struct ipc_addr
addr4(uint8_t last, uint16_t port)
{
	struct ipc_addr a = { .family = 4, .port = port };

	a.ip[0] = 127;
	a.ip[3] = last;
	return a;
}

static const uint8_t *
xid(uint16_t n)
{
	static uint8_t b[16];

	memset(b, 0xa5, sizeof(b));
	b[0] = (uint8_t)(n >> 8);
	b[1] = (uint8_t)n;
	return b;
}

/* The outbox's next message, checked as cp checks it; 0 when none. */
static int
next_msg(void)
{
	if (!li_st_peek(&lc, &m))
		return 0;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	li_st_drained(&lc);
	return 1;
}

static const struct ipc_li_status *
body(void)
{
	return (const struct ipc_li_status *)(const void *)m.body;
}

/* A destination's and a task's figures: told once, as what moved since. */
static void
test_st_report(void **state)
{
	struct ipc_addr a = addr4(1, 7000), b = addr4(2, 7000);
	int da = li_st_dest(&lc, &a), db = li_st_dest(&lc, &b);

	(void)state;
	assert_true(da >= 0 && db >= 0 && da != db);
	assert_int_equal(li_st_dest(&lc, &a), da);
	assert_int_equal(li_st_tick(&lc, 0), 0);          /* nothing moved */
	li_st_state(&lc, da, IPC_LI_CONN_CONNECTING, 0);
	li_st_state(&lc, da, IPC_LI_CONN_UP, 0);
	li_st_state(&lc, db, IPC_LI_CONN_FAILED, IPC_LI_FAULT_CERT);
	li_st_seen(&lc, xid(1), 5000000);
	li_st_delivered(&lc, da, LI_PDU_X3, xid(1));
	li_st_delivered(&lc, da, LI_PDU_X3, xid(1));
	li_st_delivered(&lc, da, LI_PDU_X2, xid(1));
	li_st_lost(&lc, db, LI_PDU_X3, xid(1), LI_ST_DOWN);
	li_st_lost(&lc, da, LI_PDU_X3, xid(2), LI_ST_FULL);
	li_st_lost(&lc, da, LI_PDU_X2, xid(2), LI_ST_LOST);
	/* once a second at most */
	assert_int_equal(li_st_tick(&lc, 500), 0);
	assert_int_equal(next_msg(), 0);
	assert_int_equal(li_st_tick(&lc, 1000), 1);
	assert_int_equal(next_msg(), 1);
	assert_int_equal(next_msg(), 0);
	assert_int_equal(body()->ndest, 2);
	assert_int_equal(body()->ntask, 2);
	assert_int_equal(body()->dest[0].state, IPC_LI_CONN_UP);
	assert_int_equal(body()->dest[0].delivered, 3);
	assert_int_equal(body()->dest[0].dropped_full, 1);
	assert_int_equal(body()->dest[0].dropped_lost, 1);
	assert_int_equal(body()->dest[1].state, IPC_LI_CONN_FAILED);
	assert_int_equal(body()->dest[1].fault, IPC_LI_FAULT_CERT);
	assert_int_equal(body()->dest[1].failures, 1);
	assert_int_equal(body()->dest[1].dropped_down, 1);
	assert_memory_equal(body()->task[0].xid, xid(1), 16);
	assert_int_equal(body()->task[0].x3_delivered, 2);
	assert_int_equal(body()->task[0].x2_delivered, 1);
	assert_int_equal(body()->task[0].x3_lost, 1);
	assert_int_equal(body()->task[0].last_us, 5000000);
	assert_int_equal(body()->task[1].x3_lost, 1);
	assert_int_equal(body()->task[1].x2_lost, 1);
	/* told: nothing more until something moves */
	assert_int_equal(li_st_tick(&lc, 2000), 0);
	li_st_delivered(&lc, da, LI_PDU_X3, xid(1));
	assert_int_equal(li_st_tick(&lc, 3000), 1);
	assert_int_equal(next_msg(), 1);
	assert_int_equal(body()->ndest, 1);
	assert_int_equal(body()->dest[0].delivered, 1);
	assert_int_equal(body()->task[0].x3_delivered, 1);
	assert_int_equal(body()->task[0].x2_delivered, 0);
	/* a new cp: every destination's state again, counts 0 */
	li_st_resend(&lc);
	assert_int_equal(li_st_tick(&lc, 4000), 1);
	assert_int_equal(next_msg(), 1);
	assert_int_equal(body()->ndest, 2);
	assert_int_equal(body()->ntask, 0);
	assert_int_equal(body()->dest[0].delivered, 0);
	assert_int_equal(body()->dest[1].state, IPC_LI_CONN_FAILED);
	/* no connection names a destination any more: told, then forgotten */
	li_st_state(&lc, db, IPC_LI_CONN_NONE, 0);
	assert_int_equal(li_st_tick(&lc, 5000), 1);
	assert_int_equal(next_msg(), 1);
	assert_int_equal(body()->dest[0].state, IPC_LI_CONN_NONE);
	li_st_resend(&lc);
	assert_int_equal(li_st_tick(&lc, 6000), 1);
	assert_int_equal(next_msg(), 1);
	assert_int_equal(body()->ndest, 1);
}

/* Many tasks: several messages, one report; an outbox worker 0 has not
 * drained holds the next report back whole, which keeps adding up. */
static void
test_st_many_tasks_and_full_outbox(void **state)
{
	unsigned int n = 0, k = 0;

	(void)state;
	for (uint16_t t = 0; t < 100; t++)
		li_st_delivered(&lc, -1, LI_PDU_X3, xid(t));
	assert_int_equal(li_st_tick(&lc, 1000), 5);        /* 100 tasks, 24 a message */
	while (next_msg()) {
		n++;
		k += body()->ntask;
	}
	assert_int_equal(n, 5);
	assert_int_equal(k, 100);
	/* LI_ST_TASKS tasks a second at most; past them, totals only */
	for (uint32_t t = 0; t < LI_ST_TASKS + 10; t++)
		li_st_delivered(&lc, -1, LI_PDU_X3, xid((uint16_t)t));
	assert_int_equal(lc.st.ntask, LI_ST_TASKS);
	assert_int_equal(li_st_tick(&lc, 2000), (LI_ST_TASKS + IPC_LI_ST_TASKS - 1) / IPC_LI_ST_TASKS);
	/* not drained (no cp): a report of two messages does not fit the
	 * one slot left; it waits whole and adds up */
	for (uint16_t t = 0; t < 30; t++)
		li_st_delivered(&lc, -1, LI_PDU_X3, xid(t));
	assert_int_equal(li_st_tick(&lc, 3000), 0);
	li_st_delivered(&lc, -1, LI_PDU_X3, xid(7));
	while (next_msg())
		;
	assert_int_equal(li_st_tick(&lc, 4000), 2);
	n = k = 0;
	while (next_msg()) {
		n++;
		k += body()->ntask;
		for (unsigned int i = 0; i < body()->ntask; i++)
			if (memcmp(body()->task[i].xid, xid(7), 16) == 0)
				assert_int_equal(body()->task[i].x3_delivered, 2);
	}
	assert_int_equal(n, 2);
	assert_int_equal(k, 30);
}

/* A port on loopback nothing listens on. */
static uint16_t
dead_port(void)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(s);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&s, sizeof(s)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&s, &sl), 0);
	close(fd);
	return ntohs(s.sin_port);
}

/* Every entry up (set by hand: no TLS here), last used at used_ms. */
static void
all_up(uint64_t used_ms)
{
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		struct li_conn *c = &lc.conns[i];

		c->dest = addr4((uint8_t)(10 + i), 7000);
		c->st = LI_CONN_UP;
		c->used_ms = used_ms + i;
		c->st_i = li_st_dest(&lc, &c->dest);
		li_st_state(&lc, c->st_i, IPC_LI_CONN_UP, 0);
	}
}

static int
holds(const struct ipc_addr *a)
{
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++)
		if (lc.conns[i].st != LI_CONN_FREE && lc.conns[i].dest.family == a->family &&
		    lc.conns[i].dest.port == a->port && memcmp(lc.conns[i].dest.ip, a->ip, 4) == 0)
			return (int)i;
	return -1;
}

/* V4: sixteen destinations up, a seventeenth: it takes the idlest entry
 * (idle LI_TAKE_MS at least), not the PDU dropped for want of one. */
static void
test_conn_seventeenth_takes_idlest(void **state)
{
	struct ipc_addr d17 = addr4(99, dead_port());
	uint8_t pdu[LI_PDU_HDR_LEN];
	int i;

	(void)state;
	memset(pdu, 0, sizeof(pdu));
	pdu[3] = LI_PDU_X3;
	memcpy(pdu + 16, xid(3), 16);
	all_up(0);
	/* every entry busy lately: none taken */
	li_conn_put(&lc, &d17, pdu, sizeof(pdu), 100);
	assert_int_equal(holds(&d17), -1);
	li_conn_put(&lc, &d17, pdu, sizeof(pdu), LI_TAKE_MS + 100);
	i = holds(&d17);
	assert_int_equal(i, 0);                     /* entry 0 was the idlest */
	assert_true(lc.conns[i].st == LI_CONN_CONNECTING || lc.conns[i].st == LI_CONN_DOWN);
	/* the given-back destination is told to cp as no longer connected */
	assert_true(li_st_tick(&lc, LI_TAKE_MS + 100) >= 1);
	assert_int_equal(next_msg(), 1);
	for (unsigned int k = 0; k < body()->ndest; k++)
		if (body()->dest[k].addr.ip[3] == 10)
			assert_int_equal(body()->dest[k].state, IPC_LI_CONN_NONE);
}

/* V4: an up connection no PDU needed for LI_IDLE_MS is given back. */
static void
test_conn_idle_given_back(void **state)
{
	struct pollfd pf[LI_CONNS_MAX];

	(void)state;
	all_up(0);
	assert_int_equal(li_conn_poll(&lc, LI_IDLE_MS + LI_CONNS_MAX + 1, pf), 0);
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++)
		assert_int_equal(lc.conns[i].st, LI_CONN_FREE);
}

/* A PDU of X3 for task 3, header only (what li_conn_put() looks at). */
static const uint8_t *
x3_pdu(void)
{
	static uint8_t pdu[LI_PDU_HDR_LEN];

	memset(pdu, 0, sizeof(pdu));
	pdu[3] = LI_PDU_X3;
	memcpy(pdu + 16, xid(3), 16);
	return pdu;
}

/* M4: sixteen destinations failing (nothing listens) and still sent PDUs
 * every 100 ms for longer than LI_IDLE_MS: they keep their retry (a
 * second) but not their entries, and a seventeenth takes one. Before the
 * fix every dropped PDU refreshed used_ms and the 17th was refused. */
static void
test_conn_failing_given_back(void **state)
{
	uint16_t port = dead_port();
	struct ipc_addr d[LI_CONNS_MAX + 1];
	struct pollfd pf[LI_CONNS_MAX];
	uint64_t now = 0;

	(void)state;
	lc.timeout_ms = 10000;                      /* li.x2x3.timeout_s's default */
	for (unsigned int i = 0; i <= LI_CONNS_MAX; i++)
		d[i] = addr4((uint8_t)(10 + i), port);
	for (; now <= LI_IDLE_MS + LI_TAKE_MS; now += 100) {
		(void)li_conn_poll(&lc, now, pf);
		for (unsigned int i = 0; i < LI_CONNS_MAX; i++)
			li_conn_put(&lc, &d[i], x3_pdu(), LI_PDU_HDR_LEN, now);
	}
	/* seen failing all along, each retried about once a second */
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		assert_true(holds(&d[i]) >= 0);
		assert_true(lc.conns[i].fails > 0);
	}
	assert_true(lc.ctr[LI_CTR_CONN_FAILED] + lc.ctr[LI_CTR_TIMED_OUT] >=
		    LI_CONNS_MAX * ((LI_IDLE_MS + LI_TAKE_MS) / LI_RETRY_MS) / 2);
	li_conn_put(&lc, &d[LI_CONNS_MAX], x3_pdu(), LI_PDU_HDR_LEN, now);
	assert_true(holds(&d[LI_CONNS_MAX]) >= 0);
}

/* M4: every entry busy, a down one's entry (failed, nothing queued) is
 * taken before the up one idle the longest; a connection being made for
 * the first time, not yet past its deadline, is not taken at all. */
static void
test_conn_down_taken_first(void **state)
{
	struct ipc_addr d17 = addr4(99, dead_port());
	uint64_t now = 2 * LI_TAKE_MS;
	int i;

	(void)state;
	all_up(0);                                  /* all idle past LI_TAKE_MS */
	lc.conns[0].st = LI_CONN_CONNECTING;        /* new: not taken */
	lc.conns[0].ka.up_by_ms = now + 1000;
	for (unsigned int k = 8; k < LI_CONNS_MAX; k++) {
		lc.conns[k].st = LI_CONN_DOWN;
		lc.conns[k].fails = 1;
		lc.conns[k].used_ms = 3000 + k;
		lc.conns[k].pdu_ms = now - 10;      /* PDUs come: kept otherwise */
		lc.conns[k].retry_ms = now + 500;
	}
	li_conn_put(&lc, &d17, x3_pdu(), LI_PDU_HDR_LEN, now);
	i = holds(&d17);
	assert_int_equal(i, 8);     /* down, delivering the longest ago */
	assert_int_equal(lc.conns[1].st, LI_CONN_UP);
	assert_int_equal(lc.conns[0].st, LI_CONN_CONNECTING);
	lc.conns[0].st = LI_CONN_UP;                /* nothing to close */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_st_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_st_many_tasks_and_full_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_seventeenth_takes_idlest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_idle_given_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_failing_given_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_down_taken_first, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
