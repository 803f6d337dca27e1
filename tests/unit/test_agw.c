/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/agw over the fake transport and dp/tcp (fake_xprt.h), driven through
 * what it registers: cp's AGW_ADD and AGW_DEL through dp_cp.c's dispatch
 * (real lib/ipc rings in heap memory), dp/tcp's callbacks of its
 * application (accept, connected, readable, closed), dp/tls's leg
 * callbacks (a TLS server leg's handshake), and the worker loop's
 * agw_poll(); the events it sends cp read back from the ring, in order.
 *
 * A context made by cp connects its client leg and waits for its server
 * leg's connection; both up, bytes cross byte-exact both ways; cp's
 * AGW_DEL releases it (both legs closed, LEG_DOWN each, RELEASED last); a
 * context not up by its setup time is released so; a peer's reset ends
 * both legs with their causes; a refused connect names the leg; cp's
 * AGW_ADD that cannot be installed comes back as RELEASED setup_failed; a
 * connection to a port without a context, from the wrong address, or to
 * a leg already taken is refused and counted; a TLS server leg is taken
 * by the connection whose handshake passed, not the first one; a TLS
 * leg's parked read goes on when its transport wakes its session.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agw.h"
#include "dp.h"
#include "dp_ctrs.h"
#include "splice.h"
#include "dp_cp.h"
#include "fake_xprt.h"
#include "ipc.h"
#include "li_dp.h"
#include "tp_conf_types.h"
#include "tw.h"

static const uint8_t L4[4] = { 10, 0, 0, 1 };          /* dp's address */
static const uint8_t UE4[4] = { 192, 0, 2, 10 };        /* the access side's peer */
static const uint8_t CORE4[4] = { 198, 51, 100, 20 };   /* the core side's peer */
static const uint8_t OTHER4[4] = { 192, 0, 2, 99 };

#define PORT_MIN 20000u
#define PORT_MAX 20015u
#define CORE_PORT 5060u
#define HOLD 4096u

struct fix {
	struct dp_ctx ctx;
	struct tp_conf *conf;
	struct dp_worker *w;
	int app;
	void *larg;
	unsigned int mbufs0;
};

/* the fixture's agw.max_contexts (setup_wide(): a table wider than one
 * SYNC step looks at) */
static uint32_t max_contexts = 16;

static int
setup_tls(void **state, bool tls)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fx_init();
	f->conf = calloc(1, sizeof(*f->conf));
	assert_non_null(f->conf);
	f->conf->agw.enabled = true;
	f->conf->agw.port_min = PORT_MIN;
	f->conf->agw.port_max = PORT_MAX;
	f->conf->agw.max_contexts = max_contexts;
	max_contexts = 16;
	f->conf->agw.hold_bytes = HOLD;
	f->conf->agw.setup_timeout_s = 30;
	f->conf->tls.enabled = tls;
	f->conf->dp.tcp_max_conns = 64;
	f->ctx.conf = f->conf;
	f->ctx.nworkers = 1;
	f->ctx.nports = 1;
	f->ctx.ports[0].has_ip4 = true;
	memcpy(f->ctx.ports[0].ip4, L4, 4);
	f->w = fx_worker_new(&f->ctx);
	/* (the legs' policing wakes on the worker's TCP wheel) */
	f->w->tcp_wheel = calloc(1, sizeof(*f->w->tcp_wheel));
	assert_non_null(f->w->tcp_wheel);
	tw_init(f->w->tcp_wheel, f->w->now_ms);
	fx_cp_attach(f->w, IPC_CAP_AGW);
	f->mbufs0 = fx_mbufs_in_use();
	assert_int_equal(agw_init(f->w), 0);
	assert_non_null(f->w->agw);
	f->app = fx_listener(PORT_MIN, &f->larg);
	assert_true(f->app >= 0);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_tls(state, false);
}

static int
setup_with_tls(void **state)
{
	return setup_tls(state, true);
}

static int
setup_wide(void **state)
{
	max_contexts = 4 * DP_CP_SYNC_VISIT;
	return setup_tls(state, false);
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	agw_free(f->w);
	assert_int_equal(fx_mbufs_in_use(), f->mbufs0);
	fx_cp_detach(f->w);
	fx_reset();
	free(f->w->tcp_wheel);
	fx_worker_free(f->w);
	free(f->conf);
	free(f);
	return 0;
}

static uint64_t
ctr(const struct fix *f, const char *name)
{
	static const struct dp_ctrs_family *const fams[] = {
		&splice_ctrs, &splice_leg_end_ctrs, &agw_ctrs,
	};

	return fx_ctr(f->w, fams, 3, name);
}

/* ---- cp's side -------------------------------------------------------------- */

static uint64_t
ctx_id(uint32_t slot)
{
	return ipc_conn_make(0, slot, 5);
}

/* A server termination on port, from remote (NULL: anyone). */
static void
term_server(struct ipc_agw_term *t, uint16_t port, const uint8_t *remote)
{
	memset(t, 0, sizeof(*t));
	t->tcp_role = IPC_AGW_TCP_SERVER;
	t->local.family = 4;
	memcpy(t->local.ip, L4, 4);
	t->local.port = port;
	if (remote != NULL) {
		t->remote.family = 4;
		memcpy(t->remote.ip, remote, 4);
	}
}

/* A client termination to CORE4:CORE_PORT, dp's source address. */
static void
term_client(struct ipc_agw_term *t)
{
	memset(t, 0, sizeof(*t));
	t->tcp_role = IPC_AGW_TCP_CLIENT;
	t->local.family = 4;
	t->remote.family = 4;
	memcpy(t->remote.ip, CORE4, 4);
	t->remote.port = CORE_PORT;
}

static void
cp_add(struct fix *f, uint64_t id, const struct ipc_agw_term *t0,
       const struct ipc_agw_term *t1, uint32_t setup_ms)
{
	static struct ipc_msg m;
	struct ipc_agw_ctx *x = (struct ipc_agw_ctx *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_ADD;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	x->term[0] = *t0;
	x->term[1] = *t1;
	x->setup_ms = setup_ms;
	fx_cp_send(f->w, &m);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

static void
cp_del(struct fix *f, uint64_t id)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_DEL;
	m.h.alloc_id = id;
	fx_cp_send(f->w, &m);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

/* cp's AGW_MOD: op on leg of context id (t: the termination, NULL for
 * SUB_LEG). */
static void
cp_mod(struct fix *f, uint64_t id, uint8_t op, uint8_t leg, const struct ipc_agw_term *t,
       uint32_t setup_ms)
{
	static struct ipc_msg m;
	struct ipc_agw_mod *x = (struct ipc_agw_mod *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_MOD;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	x->op = op;
	x->leg = leg;
	x->setup_ms = setup_ms;
	if (t != NULL)
		x->term = *t;
	fx_cp_send(f->w, &m);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

/* The next event to cp, of context id (after the loop's poll). */
static void
event(struct fix *f, uint64_t id, struct ipc_agw_event *e)
{
	fx_cp_event(f->w, agw_poll, IPC_AGW_EVENT, id, e, sizeof(*e));
}

static void
no_event(struct fix *f)
{
	fx_cp_no_event(f->w, agw_poll);
}

static void
expect(struct fix *f, uint64_t id, uint8_t type, uint8_t leg, uint8_t cause)
{
	struct ipc_agw_event e;

	event(f, id, &e);
	assert_int_equal(e.type, type);
	assert_int_equal(e.leg, leg);
	assert_int_equal(e.cause, cause);
}

/* A context in slot 1: leg 0 a server on port from UE4, leg 1 a client to
 * the core; both legs up. Returns the legs' connections. */
static void
ctx_up(struct fix *f, uint16_t port, uint64_t *a, uint64_t *b)
{
	struct ipc_agw_term t0, t1;
	struct ipc_agw_event e;
	uint64_t id = ctx_id(1);

	term_server(&t0, port, UE4);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 0);
	assert_int_equal(ctr(f, "agw_contexts_added"), 1);
	/* the client leg connects now, from dp's address */
	assert_int_equal(fx_nconnects(), 1);
	*b = fx_connect_at(0)->id;
	assert_memory_equal(fx_connect_at(0)->raddr, CORE4, 4);
	assert_int_equal(fx_connect_at(0)->rport, CORE_PORT);
	no_event(f);
	/* the first leg: the UE connects to the server termination */
	*a = fx_conn_new(1, 4, L4, port, UE4, 33000);
	assert_int_equal(fx_accept(f->app, *a, f->larg), 0);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_UP);
	assert_int_equal(e.leg, 0);
	assert_memory_equal(e.remote.ip, UE4, 4);
	assert_int_equal(e.remote.port, 33000);
	assert_int_equal(e.local.port, port);
	/* the second: the core answers */
	fx_connected(*b);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_UP);
	assert_int_equal(e.leg, 1);
	assert_memory_equal(e.remote.ip, CORE4, 4);
	assert_int_equal(ctr(f, "agw_legs_up"), 2);
}

/* ---- a context's life --------------------------------------------------------- */

static void
test_agw_context_bytes_then_controller(void **state)
{
	struct fix *f = *state;
	static uint8_t up[30000], down[12345];
	struct ipc_agw_event e;
	uint64_t a, b, id = ctx_id(1);

	fx_pattern(up, sizeof(up), 1);
	fx_pattern(down, sizeof(down), 2);
	ctx_up(f, PORT_MIN + 3, &a, &b);
	fx_get(a)->rd_seg = 1400;
	fx_peer_send(a, up, sizeof(up));
	fx_readable(a);
	fx_tx_is(b, up, sizeof(up));
	fx_get(b)->rd_seg = 100;
	fx_get(b)->rd_max = 3000;
	fx_peer_send(b, down, sizeof(down));
	fx_readable(b);
	fx_tx_is(a, down, sizeof(down));
	assert_int_equal(ctr(f, "splice_bytes_in"), sizeof(up) + sizeof(down));
	assert_int_equal(ctr(f, "splice_bytes_out"), sizeof(up) + sizeof(down));

	cp_del(f, id);
	assert_int_equal(ctr(f, "agw_controller_releases"), 1);
	/* both legs closed (they were up: FIN, not RST) */
	assert_int_equal(fx_get(a)->closes, 1);
	assert_int_equal(fx_get(b)->closes, 1);
	assert_int_equal(fx_get(a)->aborts + fx_get(b)->aborts, 0);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 0, IPC_AGW_CONTROLLER);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 1, IPC_AGW_CONTROLLER);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	assert_int_equal(e.leg, IPC_AGW_LEG_NONE);
	assert_int_equal(e.cause, IPC_AGW_CONTROLLER);
	assert_int_equal(e.bytes_in[0], sizeof(up));
	assert_int_equal(e.bytes_out[1], sizeof(up));
	assert_int_equal(e.bytes_in[1], sizeof(down));
	assert_int_equal(e.bytes_out[0], sizeof(down));
	assert_string_equal(e.detail, "released by the controller");
	no_event(f);
	assert_int_equal(ctr(f, "agw_contexts_released"), 1);
	assert_int_equal(ctr(f, "agw_contexts"), 0);
	/* its port is free again: a connection there now finds no context */
	{
		uint64_t late = fx_conn_new(2, 4, L4, PORT_MIN + 3, UE4, 33001);

		assert_int_equal(fx_accept(f->app, late, f->larg), -ENOENT);
		assert_int_equal(ctr(f, "agw_refused_no_context"), 1);
	}
	/* a second AGW_DEL finds none */
	cp_del(f, id);
	assert_int_equal(ctr(f, "agw_release_unknown"), 1);
}

/* Bytes from the first leg before the second is up are held (up to
 * agw.hold) and delivered when it is. */
static void
test_agw_held_until_second_leg(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1;
	uint8_t d[3000];
	uint64_t a, b, id = ctx_id(2);

	fx_pattern(d, sizeof(d), 3);
	term_server(&t0, PORT_MIN, NULL);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 0);
	b = fx_connect_at(0)->id;
	a = fx_conn_new(1, 4, L4, PORT_MIN, OTHER4, 33002);
	fx_peer_send(a, d, sizeof(d));
	assert_int_equal(fx_accept(f->app, a, f->larg), 0);
	fx_readable(a);
	assert_int_equal(ctr(f, "splice_held_bytes"), sizeof(d));
	assert_int_equal(fx_get(b)->sends, 0);
	fx_connected(b);
	fx_tx_is(b, d, sizeof(d));
	expect(f, id, IPC_AGW_EV_LEG_UP, 0, IPC_AGW_NONE);
	expect(f, id, IPC_AGW_EV_LEG_UP, 1, IPC_AGW_NONE);
}

/* Not both legs up by the setup time: released so, both legs with it;
 * the client leg still connecting is reset. */
static void
test_agw_setup_timeout(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1;
	struct ipc_agw_event e;
	uint64_t b, id = ctx_id(3);

	term_server(&t0, PORT_MIN + 1, UE4);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 2000);
	b = fx_connect_at(0)->id;
	f->w->now_ms += 1990;
	no_event(f);
	assert_int_equal(fx_get(b)->aborts, 0);
	f->w->now_ms += 60;
	fx_cp_beat(f->w);
	agw_poll(f->w, f->w->now_ms);
	assert_int_equal(ctr(f, "agw_setup_timeouts"), 1);
	assert_int_equal(fx_get(b)->aborts, 1);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 0, IPC_AGW_SETUP_TIMEOUT);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 1, IPC_AGW_SETUP_TIMEOUT);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	assert_int_equal(e.cause, IPC_AGW_SETUP_TIMEOUT);
	assert_int_equal(e.leg, IPC_AGW_LEG_NONE);
	assert_non_null(strstr(e.detail, "legs up: not 0, not 1"));
	no_event(f);
	assert_int_equal(ctr(f, "agw_contexts"), 0);
}

/* One leg up by the setup time is not enough either; and the deadline
 * goes once both are up. */
static void
test_agw_setup_deadline_met(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1;
	uint64_t a, b, id = ctx_id(4);

	term_server(&t0, PORT_MIN + 2, UE4);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 2000);
	b = fx_connect_at(0)->id;
	a = fx_conn_new(1, 4, L4, PORT_MIN + 2, UE4, 33003);
	assert_int_equal(fx_accept(f->app, a, f->larg), 0);
	fx_connected(b);
	expect(f, id, IPC_AGW_EV_LEG_UP, 0, IPC_AGW_NONE);
	expect(f, id, IPC_AGW_EV_LEG_UP, 1, IPC_AGW_NONE);
	f->w->now_ms += 5000;
	no_event(f);
	assert_int_equal(ctr(f, "agw_setup_timeouts"), 0);
	assert_int_equal(fx_get(a)->aborts + fx_get(b)->aborts, 0);
}

/* The UE's connection is reset: leg 0 RST, leg 1 reset for it, the
 * context released naming leg 0. */
static void
test_agw_leg_reset(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_event e;
	uint64_t a, b, id = ctx_id(1);

	ctx_up(f, PORT_MIN + 4, &a, &b);
	fx_closed(a, TCP_REASON_RESET);
	assert_int_equal(fx_get(a)->gones, 1);
	assert_int_equal(fx_get(b)->aborts, 1);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_DOWN);
	assert_int_equal(e.leg, 0);
	assert_int_equal(e.cause, IPC_AGW_RST);
	assert_non_null(strstr(e.detail, "reset by the peer"));
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_DOWN);
	assert_int_equal(e.leg, 1);
	assert_int_equal(e.cause, IPC_AGW_OTHER_LEG);
	assert_string_equal(e.detail, "leg 0 ended: rst");
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	assert_int_equal(e.leg, 0);
	assert_int_equal(e.cause, IPC_AGW_RST);
	assert_int_equal(ctr(f, "splice_leg_end_rst"), 1);
	assert_int_equal(ctr(f, "splice_leg_end_other_leg"), 1);
}

/* The core refuses the client leg's connect. */
static void
test_agw_connect_refused(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1;
	struct ipc_agw_event e;
	uint64_t b, id = ctx_id(5);

	term_server(&t0, PORT_MIN + 5, UE4);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 0);
	b = fx_connect_at(0)->id;
	fx_closed(b, TCP_REASON_REFUSED);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_DOWN);
	assert_int_equal(e.leg, 1);
	assert_int_equal(e.cause, IPC_AGW_CONNECT_FAILED);
	assert_non_null(strstr(e.detail, "connection refused"));
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 0, IPC_AGW_OTHER_LEG);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	assert_int_equal(e.leg, 1);
	assert_int_equal(e.cause, IPC_AGW_CONNECT_FAILED);
	/* and a connect that cannot start at all */
	fx_connect_fail(-ENETUNREACH);
	cp_add(f, ctx_id(6), &t0, &t1, 0);
	event(f, ctx_id(6), &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_DOWN);
	assert_int_equal(e.leg, 1);
	assert_int_equal(e.cause, IPC_AGW_CONNECT_FAILED);
	assert_non_null(strstr(e.detail, "no route"));
	assert_int_equal(ctr(f, "agw_connects_not_started"), 1);
}

/* ---- one leg at a time (AGW_MOD) ---------------------------------------------- */

/* A context made with its server leg only: the UE's bytes are held; the
 * core's termination added later connects, and gets them, then bytes
 * cross both ways. Events carry each termination's serial. */
static void
test_agw_one_leg_then_added(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1, none;
	struct ipc_agw_event e;
	uint8_t d[3000], back[2000];
	uint64_t a, b, id = ctx_id(7);

	fx_pattern(d, sizeof(d), 4);
	fx_pattern(back, sizeof(back), 5);
	memset(&none, 0, sizeof(none));
	term_server(&t0, PORT_MIN + 6, UE4);
	t0.serial = 1;
	cp_add(f, id, &t0, &none, 1000);
	assert_int_equal(fx_nconnects(), 0);
	a = fx_conn_new(1, 4, L4, PORT_MIN + 6, UE4, 33010);
	assert_int_equal(fx_accept(f->app, a, f->larg), 0);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_UP);
	assert_int_equal(e.leg, 0);
	assert_int_equal(e.serial, 1);
	fx_peer_send(a, d, sizeof(d));
	fx_readable(a);
	assert_int_equal(ctr(f, "splice_held_bytes"), sizeof(d));
	/* an empty slot has no deadline: long after, nothing happens */
	f->w->now_ms += 60000;
	no_event(f);
	assert_int_equal(ctr(f, "agw_setup_timeouts"), 0);

	term_client(&t1);
	t1.serial = 2;
	cp_mod(f, id, IPC_AGW_ADD_LEG, 1, &t1, 1000);
	assert_int_equal(ctr(f, "agw_legs_added"), 1);
	assert_int_equal(fx_nconnects(), 1);
	b = fx_connect_at(0)->id;
	assert_int_equal(fx_get(b)->sends, 0);
	fx_connected(b);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_UP);
	assert_int_equal(e.leg, 1);
	assert_int_equal(e.serial, 2);
	fx_tx_is(b, d, sizeof(d));
	fx_peer_send(b, back, sizeof(back));
	fx_readable(b);
	fx_tx_is(a, back, sizeof(back));
	/* a second ADD_LEG to a slot that holds one: not dp's to take */
	cp_mod(f, id, IPC_AGW_ADD_LEG, 1, &t1, 0);
	assert_int_equal(ctr(f, "agw_leg_changes_refused"), 1);
	assert_int_equal(fx_nconnects(), 1);
	no_event(f);
}

/* Subtract one leg of two: it is closed (SUBTRACTED, controller, its
 * bytes), the other leg held: what the UE sends meanwhile is kept up to
 * agw.hold, then the UE is not read; a new termination in the slot gets
 * all of it, in order. */
static void
test_agw_subtract_holds_for_next(void **state)
{
	struct fix *f = *state;
	static uint8_t first[1000], mid[3 * HOLD], back[500];
	struct ipc_agw_term t1;
	struct ipc_agw_event e;
	uint64_t a, b, b2, id = ctx_id(1);

	fx_pattern(first, sizeof(first), 6);
	fx_pattern(mid, sizeof(mid), 7);
	fx_pattern(back, sizeof(back), 8);
	ctx_up(f, PORT_MIN + 7, &a, &b);
	fx_peer_send(a, first, sizeof(first));
	fx_readable(a);
	fx_tx_is(b, first, sizeof(first));

	cp_mod(f, id, IPC_AGW_SUB_LEG, 1, NULL, 0);
	assert_int_equal(fx_get(b)->closes, 1);       /* (up: FIN, not RST) */
	assert_int_equal(fx_get(b)->aborts + fx_get(a)->aborts + fx_get(a)->closes, 0);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_SUBTRACTED);
	assert_int_equal(e.leg, 1);
	assert_int_equal(e.cause, IPC_AGW_CONTROLLER);
	assert_int_equal(e.bytes_out[1], sizeof(first));
	assert_string_equal(e.detail, "subtracted by the controller");
	no_event(f);
	assert_int_equal(ctr(f, "agw_legs_subtracted"), 1);
	assert_int_equal(ctr(f, "splice_legs_subtracted"), 1);
	assert_int_equal(ctr(f, "agw_contexts"), 1);

	/* the UE goes on sending: held to agw.hold, then not read */
	fx_get(a)->rd_seg = 512;
	fx_peer_send(a, mid, sizeof(mid));
	fx_readable(a);
	assert_true(ctr(f, "splice_held_bytes") >= HOLD);
	assert_true(ctr(f, "splice_held_bytes") < sizeof(mid));
	assert_true(ctr(f, "splice_stalls_hold") >= 1);
	/* the late connection of the old leg's TCP is not the context's */
	fx_closed(b, TCP_REASON_NORMAL);
	no_event(f);

	term_client(&t1);
	t1.remote.port = CORE_PORT + 1;
	t1.serial = 3;
	cp_mod(f, id, IPC_AGW_ADD_LEG, 1, &t1, 0);
	assert_int_equal(fx_nconnects(), 2);
	b2 = fx_connect_at(1)->id;
	assert_int_equal(fx_connect_at(1)->rport, CORE_PORT + 1);
	fx_connected(b2);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_UP);
	assert_int_equal(e.leg, 1);
	assert_int_equal(e.serial, 3);
	fx_tx_is(b2, mid, sizeof(mid));
	fx_peer_send(b2, back, sizeof(back));
	fx_readable(b2);
	fx_tx_is(a, back, sizeof(back));
	assert_int_equal(ctr(f, "splice_dropped_bytes"), 0);

	cp_del(f, id);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 0, IPC_AGW_CONTROLLER);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 1, IPC_AGW_CONTROLLER);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	/* the slot's bytes are its present termination's */
	assert_int_equal(e.bytes_out[1], sizeof(mid));
	assert_int_equal(e.bytes_in[1], sizeof(back));
}

/* Subtracting the last termination releases the context. */
static void
test_agw_subtract_last_releases(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, none;
	struct ipc_agw_event e;
	uint64_t id = ctx_id(8);

	memset(&none, 0, sizeof(none));
	term_server(&t0, PORT_MIN + 8, UE4);
	cp_add(f, id, &none, &t0, 0);
	cp_mod(f, id, IPC_AGW_SUB_LEG, 0, NULL, 0);          /* (empty: nothing to end) */
	assert_int_equal(ctr(f, "agw_leg_changes_refused"), 1);
	no_event(f);
	cp_mod(f, id, IPC_AGW_SUB_LEG, 1, NULL, 0);
	expect(f, id, IPC_AGW_EV_SUBTRACTED, 1, IPC_AGW_CONTROLLER);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	assert_int_equal(e.cause, IPC_AGW_CONTROLLER);
	assert_string_equal(e.detail, "its last termination subtracted by the controller");
	no_event(f);
	assert_int_equal(ctr(f, "agw_contexts"), 0);
	{
		uint64_t late = fx_conn_new(2, 4, L4, PORT_MIN + 8, UE4, 33011);

		assert_int_equal(fx_accept(f->app, late, f->larg), -ENOENT);
	}
}

/* Each leg's deadline runs from when it was added: the first leg's met,
 * the one added later misses its own and releases the context. */
static void
test_agw_setup_time_per_leg(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1, none;
	struct ipc_agw_event e;
	uint64_t a, b, id = ctx_id(9);

	memset(&none, 0, sizeof(none));
	term_server(&t0, PORT_MIN + 9, UE4);
	cp_add(f, id, &t0, &none, 2000);
	a = fx_conn_new(1, 4, L4, PORT_MIN + 9, UE4, 33012);
	assert_int_equal(fx_accept(f->app, a, f->larg), 0);
	expect(f, id, IPC_AGW_EV_LEG_UP, 0, IPC_AGW_NONE);
	f->w->now_ms += 10000;
	term_client(&t1);
	cp_mod(f, id, IPC_AGW_ADD_LEG, 1, &t1, 2000);
	b = fx_connect_at(0)->id;
	f->w->now_ms += 1990;
	no_event(f);
	assert_int_equal(fx_get(b)->aborts, 0);
	f->w->now_ms += 60;
	fx_cp_beat(f->w);
	agw_poll(f->w, f->w->now_ms);
	assert_int_equal(ctr(f, "agw_setup_timeouts"), 1);
	assert_int_equal(fx_get(b)->aborts, 1);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 0, IPC_AGW_SETUP_TIMEOUT);
	expect(f, id, IPC_AGW_EV_LEG_DOWN, 1, IPC_AGW_SETUP_TIMEOUT);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	assert_int_equal(e.cause, IPC_AGW_SETUP_TIMEOUT);
	assert_non_null(strstr(e.detail, "legs up: 0, not 1"));
}

/* MOD_LEG: a client leg on its way up connects anew to the new remote
 * (its first connection reset, no event); once up, a change is recorded
 * only. A server leg waiting takes its new remote at the next accept. */
static void
test_agw_modify_leg(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1;
	uint64_t a, b, b2, id = ctx_id(10);

	term_server(&t0, PORT_MIN + 10, UE4);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 0);
	b = fx_connect_at(0)->id;
	t1.remote.port = CORE_PORT + 7;
	cp_mod(f, id, IPC_AGW_MOD_LEG, 1, &t1, 0);
	assert_int_equal(fx_get(b)->aborts, 1);
	assert_int_equal(fx_nconnects(), 2);
	b2 = fx_connect_at(1)->id;
	assert_int_equal(fx_connect_at(1)->rport, CORE_PORT + 7);
	assert_int_equal(ctr(f, "agw_legs_reconnected"), 1);
	no_event(f);
	/* the server leg: the UE moved (a NAT's new address) */
	t0.remote.ip[3] = 77;
	cp_mod(f, id, IPC_AGW_MOD_LEG, 0, &t0, 0);
	a = fx_conn_new(1, 4, L4, PORT_MIN + 10, UE4, 33013);
	assert_int_equal(fx_accept(f->app, a, f->larg), -EACCES);
	a = fx_conn_new(2, 4, L4, PORT_MIN + 10, t0.remote.ip, 33014);
	assert_int_equal(fx_accept(f->app, a, f->larg), 0);
	fx_connected(b2);
	expect(f, id, IPC_AGW_EV_LEG_UP, 0, IPC_AGW_NONE);
	expect(f, id, IPC_AGW_EV_LEG_UP, 1, IPC_AGW_NONE);
	/* up: recorded only, the connection stays */
	t1.remote.port = CORE_PORT + 8;
	cp_mod(f, id, IPC_AGW_MOD_LEG, 1, &t1, 0);
	assert_int_equal(fx_nconnects(), 2);
	assert_int_equal(fx_get(b2)->aborts + fx_get(b2)->closes, 0);
	assert_int_equal(ctr(f, "agw_legs_modified"), 3);
	/* a change of role is not a modify */
	term_server(&t1, PORT_MIN + 11, NULL);
	cp_mod(f, id, IPC_AGW_MOD_LEG, 1, &t1, 0);
	assert_int_equal(ctr(f, "agw_leg_changes_refused"), 1);
	no_event(f);
}

/* AGW_ADD that cannot be installed: RELEASED setup_failed, with why. */
static void
test_agw_add_refused(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1;
	struct ipc_agw_event e;

	term_client(&t1);
	/* a port outside agw.ports */
	term_server(&t0, PORT_MAX + 1, NULL);
	cp_add(f, ctx_id(7), &t0, &t1, 0);
	event(f, ctx_id(7), &e);
	assert_int_equal(e.type, IPC_AGW_EV_RELEASED);
	assert_int_equal(e.cause, IPC_AGW_SETUP_FAILED);
	assert_int_equal(e.leg, IPC_AGW_LEG_NONE);
	assert_non_null(strstr(e.detail, "share of agw.ports"));
	/* an address that is not dp's */
	term_server(&t0, PORT_MIN, NULL);
	memcpy(t0.local.ip, OTHER4, 4);
	cp_add(f, ctx_id(8), &t0, &t1, 0);
	event(f, ctx_id(8), &e);
	assert_int_equal(e.cause, IPC_AGW_SETUP_FAILED);
	assert_non_null(strstr(e.detail, "not an address of dp's"));
	/* TLS without the tls group */
	term_server(&t0, PORT_MIN, NULL);
	t0.tls_role = IPC_AGW_TLS_SERVER;
	t0.nfp = 1;
	t0.fp[0].alg = 2;
	t0.fp[0].len = 32;
	cp_add(f, ctx_id(9), &t0, &t1, 0);
	event(f, ctx_id(9), &e);
	assert_int_equal(e.cause, IPC_AGW_SETUP_FAILED);
	assert_non_null(strstr(e.detail, "tls group"));
	assert_int_equal(ctr(f, "agw_contexts_refused"), 3);
	assert_int_equal(ctr(f, "agw_contexts"), 0);
	assert_int_equal(fx_nconnects(), 0);
}

/* Connections the server termination does not take. */
static void
test_agw_connections_refused(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_term t0, t1;
	uint64_t c, id = ctx_id(10);

	/* a port of the share without a context */
	c = fx_conn_new(1, 4, L4, PORT_MIN + 9, UE4, 34000);
	assert_int_equal(fx_accept(f->app, c, f->larg), -ENOENT);
	assert_int_equal(ctr(f, "agw_refused_no_context"), 1);

	term_server(&t0, PORT_MIN + 6, UE4);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 0);
	/* not the signalled remote */
	c = fx_conn_new(2, 4, L4, PORT_MIN + 6, OTHER4, 34001);
	assert_int_equal(fx_accept(f->app, c, f->larg), -EACCES);
	assert_int_equal(ctr(f, "agw_refused_wrong_address"), 1);
	/* the right one, then a second while the leg has it */
	c = fx_conn_new(3, 4, L4, PORT_MIN + 6, UE4, 34002);
	assert_int_equal(fx_accept(f->app, c, f->larg), 0);
	c = fx_conn_new(4, 4, L4, PORT_MIN + 6, UE4, 34003);
	assert_int_equal(fx_accept(f->app, c, f->larg), -EBUSY);
	assert_int_equal(ctr(f, "agw_refused_leg_taken"), 1);
	assert_int_equal(ctr(f, "agw_accepted"), 1);
	expect(f, id, IPC_AGW_EV_LEG_UP, 0, IPC_AGW_NONE);
	no_event(f);
}

/* A context whose UE leg is a TLS server with one signalled fingerprint
 * on port, and whose core leg has connected (its LEG_UP taken): the core
 * leg's connection id. */
static uint64_t
tls_server_ctx(struct fix *f, uint64_t id, uint16_t port)
{
	struct ipc_agw_term t0, t1;
	uint64_t b;

	term_server(&t0, port, NULL);
	t0.tls_role = IPC_AGW_TLS_SERVER;
	t0.nfp = 1;
	t0.fp[0].alg = 2;
	t0.fp[0].len = 32;
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 0);
	b = fx_connect_at(0)->id;
	fx_connected(b);
	expect(f, id, IPC_AGW_EV_LEG_UP, 1, IPC_AGW_NONE);
	return b;
}

/* A TLS server leg: connections to it are candidates; one whose
 * handshake fails (not the signalled peer's certificate, from another
 * address) is refused and reset, the leg goes on listening; the one whose
 * handshake passes takes the leg (LEG_UP with its TLS version), and its
 * bytes cross. */
static void
test_agw_tls_server_leg_candidates(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_event e;
	uint8_t d[2000];
	uint64_t bad, good, b, id = ctx_id(11);

	fx_pattern(d, sizeof(d), 9);
	b = tls_server_ctx(f, id, PORT_MIN + 7);

	bad = fx_conn_new(1, 4, L4, PORT_MIN + 7, OTHER4, 35000);
	good = fx_conn_new(2, 4, L4, PORT_MIN + 7, UE4, 35001);
	assert_int_equal(fx_accept(f->app, bad, f->larg), 0);
	assert_int_equal(fx_accept(f->app, good, f->larg), 0);
	assert_int_equal(ctr(f, "agw_candidates"), 2);
	/* the first one's certificate does not match */
	fx_tls_handshake(f->w, bad, TLS_FAIL_FP_MISMATCH);
	fx_get(bad)->rx_err = -EPROTO;
	fx_readable(bad);
	assert_int_equal(fx_get(bad)->aborts, 1);
	assert_int_equal(ctr(f, "agw_candidates_refused"), 1);
	no_event(f);
	/* the second's does, and it says something at once */
	fx_get(good)->version = 13;
	fx_tls_handshake(f->w, good, TLS_FAIL_NONE);
	fx_peer_send(good, d, sizeof(d));
	fx_readable(good);
	assert_int_equal(ctr(f, "agw_candidates_took_leg"), 1);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_UP);
	assert_int_equal(e.leg, 0);
	assert_int_equal(e.tls_version, 13);
	assert_memory_equal(e.remote.ip, UE4, 4);
	fx_tx_is(b, d, sizeof(d));
	fx_peer_send(b, d, 100);
	fx_readable(b);
	fx_tx_is(good, d, 100);
	assert_int_equal(fx_get(good)->aborts, 0);
}

/* A TLS leg's read parked in its transport (records on the offload) is
 * taken up when the transport wakes the connection's session: the wake
 * reaches the gateway's leg (its bytes cross), with nothing from dp/tcp. */
static void
test_agw_tls_leg_woken_through_session(void **state)
{
	struct fix *f = *state;
	struct ipc_agw_event e;
	uint8_t d[1200];
	uint64_t good, b, id = ctx_id(12);

	fx_pattern(d, sizeof(d), 17);
	b = tls_server_ctx(f, id, PORT_MIN + 8);
	good = fx_conn_new(2, 4, L4, PORT_MIN + 8, UE4, 35002);
	assert_int_equal(fx_accept(f->app, good, f->larg), 0);
	fx_get(good)->version = 13;
	fx_tls_handshake(f->w, good, TLS_FAIL_NONE);
	fx_readable(good);
	event(f, id, &e);
	assert_int_equal(e.type, IPC_AGW_EV_LEG_UP);
	assert_int_equal(e.leg, 0);
	/* its records are on the offload: the read waits */
	fx_peer_send(good, d, sizeof(d));
	fx_get(good)->rx_err = -EAGAIN;
	fx_get(good)->wakes = true;
	fx_readable(good);
	assert_int_equal(fx_get(b)->tx_len, 0);
	/* the transport resumes it and wakes the session */
	fx_get(good)->rx_err = 0;
	fx_tls_wake(f->w, good);
	fx_tx_is(b, d, sizeof(d));
	assert_int_equal(fx_get(good)->aborts, 0);
}

/* A restarted cp's SYNC: every live context goes back to it as it stands
 * (AGW_STATE: terminations, legs up, bytes), then the worker's
 * STATE_DONE naming the SYNC; a released one does not. */
static void
test_agw_sync_gives_live_contexts(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	const struct ipc_agw_state *x = (const void *)m.body;
	struct ipc_agw_term t0, t1;
	uint8_t d[500];
	uint64_t a, b;

	fx_pattern(d, sizeof(d), 4);
	ctx_up(f, PORT_MIN + 8, &a, &b);
	fx_peer_send(a, d, sizeof(d));
	fx_readable(a);
	/* a second context, released before the SYNC */
	term_server(&t0, PORT_MIN + 9, UE4);
	term_client(&t1);
	cp_add(f, ctx_id(12), &t0, &t1, 0);
	cp_del(f, ctx_id(12));
	while (fx_cp_recv(f->w, &m))
		;
	fx_cp_sync(f->w, 77);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
	assert_int_equal(dp_cp_sync_step(f->w, 1000), 1);
	assert_true(fx_cp_recv(f->w, &m));
	assert_int_equal(m.h.kind, IPC_AGW_STATE);
	assert_int_equal(m.h.alloc_id, ctx_id(1));
	assert_int_equal(x->ctx.term[0].local.port, PORT_MIN + 8);
	assert_int_equal(x->ctx.term[1].remote.port, CORE_PORT);
	assert_int_equal(x->leg[0].state, 1);
	assert_int_equal(x->leg[1].state, 1);
	assert_int_equal(x->leg[0].bytes_in, sizeof(d));
	assert_int_equal(x->leg[1].bytes_out, sizeof(d));
	assert_int_equal(x->leg[0].remote.port, 33000);
	assert_true(fx_cp_recv(f->w, &m));
	assert_int_equal(m.h.kind, IPC_STATE_DONE);
	assert_int_equal(m.h.alloc_id, 77);
	assert_false(fx_cp_recv(f->w, &m));
}

/* A SYNC's pass over a wide table of contexts yields every
 * DP_CP_SYNC_VISIT slots, live or not: a context in the third window goes
 * in the third step, STATE_DONE after the fourth reached the end. */
static void
test_agw_sync_step_bounded(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	struct ipc_agw_term t0, t1;
	const uint32_t slot = 2 * DP_CP_SYNC_VISIT + 188;

	term_server(&t0, PORT_MIN + 9, UE4);
	term_client(&t1);
	cp_add(f, ctx_id(slot), &t0, &t1, 0);
	while (fx_cp_recv(f->w, &m))
		;
	fx_cp_sync(f->w, 81);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
	for (unsigned int i = 1; i <= 2; i++) {
		assert_int_equal(dp_cp_sync_step(f->w, 1000u * i), 0);
		assert_false(fx_cp_recv(f->w, &m));
	}
	assert_int_equal(dp_cp_sync_step(f->w, 3000), 1);
	assert_true(fx_cp_recv(f->w, &m));
	assert_int_equal(m.h.kind, IPC_AGW_STATE);
	assert_int_equal(m.h.alloc_id, ctx_id(slot));
	assert_false(fx_cp_recv(f->w, &m));
	assert_int_equal(dp_cp_sync_step(f->w, 4000), 1);
	assert_true(fx_cp_recv(f->w, &m));
	assert_int_equal(m.h.kind, IPC_STATE_DONE);
	assert_int_equal(m.h.alloc_id, 81);
	assert_false(fx_cp_recv(f->w, &m));
}


/* ---- lawful interception (AGW_TAP; docs/design/li.md §4.2) --------------------- */

static void
cp_tap(struct fix *f, uint64_t id, bool on, uint8_t leg)
{
	static struct ipc_msg m;
	struct ipc_agw_tap *x = (struct ipc_agw_tap *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_AGW_TAP;
	m.h.alloc_id = id;
	m.h.body_len = sizeof(*x);
	if (on) {
		x->tap.on = 1;
		x->tap.ndest = 1;
		x->tap.correlation = 0x77;
		memset(x->tap.xid, 0xab, 16);
		x->tap.dest[0].family = 4;
		x->tap.dest[0].port = 7000;
		x->leg = leg;
	}
	fx_cp_send(f->w, &m);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

/* The worker's ring of copies drained: each copy's checks, its payload
 * appended to out (dir 3) or back (dir 2); how many. */
static unsigned int
drain_copies(struct li_ring *r, uint32_t *seq, uint8_t *from, size_t *nfrom, uint8_t *to,
	     size_t *nto, uint16_t ue_port, uint16_t port)
{
	unsigned int k = 0;

	while (r->tail != r->head) {
		const struct li_copy *c = (const struct li_copy *)(const void *)(r->slots +
			(size_t)(r->tail & (LI_RING_SLOTS - 1)) * LI_SLOT_SIZE);
		bool frm = c->dir == LI_COPY_FROM_TARGET;

		assert_int_equal(c->kind, LI_COPY_X3);
		assert_int_equal(c->format, LI_COPY_MSRP);
		assert_true(c->dir == LI_COPY_FROM_TARGET || c->dir == LI_COPY_TO_TARGET);
		assert_int_equal(c->seq, *seq + 1u);
		*seq = c->seq;
		assert_int_equal(c->correlation, 0x77);
		assert_int_equal(c->xid[15], 0xab);
		assert_int_equal(c->ndest, 1);
		assert_int_equal(c->dest[0].port, 7000);
		assert_int_equal(c->family, 4);
		assert_true(c->len > 0 && c->len <= LI_PAYLOAD_MAX);
		/* the target's leg (leg 0: the UE's): from it UE -> dp, to it
		 * dp -> UE */
		assert_memory_equal(frm ? c->src : c->dst, UE4, 4);
		assert_memory_equal(frm ? c->dst : c->src, L4, 4);
		assert_int_equal(frm ? c->sport : c->dport, ue_port);
		assert_int_equal(frm ? c->dport : c->sport, port);
		if (frm) {
			memcpy(from + *nfrom, c + 1, c->len);
			*nfrom += c->len;
		} else {
			memcpy(to + *nto, c + 1, c->len);
			*nto += c->len;
		}
		r->tail++;
		k++;
	}
	return k;
}

/* A tapped context: every batch either leg relays, in order, into the
 * worker's ring (format 13, the target's leg's addresses, the direction
 * relative to it), one longer than a slot cut over consecutive slots
 * whatever its mbufs; a full ring drops copies (counted, the sequence
 * moves), never a byte of the relay; a send made again after -EAGAIN is
 * copied once; AGW_TAP off stops the copies, and a context never tapped
 * gives none. */
static void
test_agw_li_tap_copies_both_ways_split_full_retry_off(void **state)
{
	struct fix *f = *state;
	static uint8_t up[9000], down[7000], from[20000], to[20000];
	struct li_ring *r = aligned_alloc(64, sizeof(*r));
	uint64_t a, b, id = ctx_id(1);
	uint16_t port = PORT_MIN + 5;
	size_t nfrom = 0, nto = 0;
	uint32_t seq = 0;
	unsigned int n;

	assert_non_null(r);
	memset(r, 0, sizeof(*r));
	r->slots = calloc(LI_RING_SLOTS, LI_SLOT_SIZE);
	assert_non_null(r->slots);
	f->w->li = r;
	fx_pattern(up, sizeof(up), 5);
	fx_pattern(down, sizeof(down), 6);
	ctx_up(f, port, &a, &b);
	/* untapped: nothing copied */
	fx_peer_send(a, up, 1000);
	fx_readable(a);
	fx_tx_is(b, up, 1000);
	assert_int_equal(r->head, 0);
	/* tapped, leg 0 the target's: a read of 5,000 bytes in 1,000-byte
	 * mbufs is three slots (1,888 + 1,888 + 1,224: LI_PAYLOAD_MAX), then the rest */
	cp_tap(f, id, true, 0);
	fx_get(a)->rd_seg = 1000;
	fx_get(a)->rd_max = 5000;
	fx_peer_send(a, up + 1000, 8000);
	fx_readable(a);
	fx_tx_is(b, up + 1000, 8000);
	n = drain_copies(r, &seq, from, &nfrom, to, &nto, 33000, port);
	assert_int_equal(n, 3 + 2);
	assert_int_equal(nfrom, 8000);
	assert_memory_equal(from, up + 1000, 8000);
	/* the other way: to the target */
	fx_get(b)->rd_seg = 700;
	fx_peer_send(b, down, 6000);
	fx_readable(b);
	fx_tx_is(a, down, 6000);
	drain_copies(r, &seq, from, &nfrom, to, &nto, 33000, port);
	assert_int_equal(nto, 6000);
	assert_memory_equal(to, down, 6000);
	/* a full ring (for X3: LI_RING_X2_RESERVE slots are X2's): one slot
	 * left; a 5,000-byte read keeps its first piece, loses two
	 * (counted), the relay whole; the next copy's sequence number says
	 * two were lost */
	r->head = r->tail + LI_RING_SLOTS - LI_RING_X2_RESERVE - 1u;
	r->tail_seen = r->tail;
	fx_get(a)->rd_max = 5000;
	fx_peer_send(a, up, 5000);
	fx_readable(a);
	fx_tx_is(b, up, 5000);
	assert_int_equal(r->ctr[LI_CTR_RING_FULL], 2);
	assert_int_equal(r->head - r->tail, LI_RING_SLOTS - LI_RING_X2_RESERVE);
	r->tail = r->head - 1u;                /* (the kept piece) */
	{
		const struct li_copy *c = (const struct li_copy *)(const void *)(r->slots +
			(size_t)(r->tail & (LI_RING_SLOTS - 1)) * LI_SLOT_SIZE);

		assert_int_equal(c->seq, seq + 1u);
		assert_int_equal(c->len, LI_PAYLOAD_MAX);
		assert_memory_equal(c + 1, up, LI_PAYLOAD_MAX);
		r->tail++;
	}
	seq += 3;
	fx_peer_send(b, down, 100);
	fx_readable(b);
	fx_tx_is(a, down, 100);
	nto = 0;
	assert_int_equal(drain_copies(r, &seq, from, &nfrom, to, &nto, 33000, port), 1);
	assert_memory_equal(to, down, 100);
	/* a send that must wait (-EAGAIN) and is made again: its bytes
	 * copied once */
	fx_get(b)->snd_err = -EAGAIN;
	fx_get(a)->rd_max = 0;
	fx_peer_send(a, up, 4000);
	fx_readable(a);
	fx_get(b)->snd_err = 0;
	fx_writable(b);
	fx_tx_is(b, up, 4000);
	nfrom = 0;
	drain_copies(r, &seq, from, &nfrom, to, &nto, 33000, port);
	assert_int_equal(nfrom, 4000);
	assert_memory_equal(from, up, 4000);
	/* off: nothing more, the relay goes on */
	cp_tap(f, id, false, 0);
	fx_peer_send(a, up, 3000);
	fx_readable(a);
	fx_tx_is(b, up, 3000);
	fx_peer_send(b, down, 3000);
	fx_readable(b);
	fx_tx_is(a, down, 3000);
	assert_int_equal(r->head, r->tail);
	/* a tap for a context not here is refused, counted */
	cp_tap(f, ctx_id(9), true, 1);
	assert_int_equal(r->ctr[LI_CTR_TAP_REFUSED], 1);
	f->w->li = NULL;
	free(r->slots);
	free(r);
}

/* The target's leg subtracted: dp drops the tap once the leg is gone
 * (what it had read went across, copied), so a leg that joins its slot
 * is not copied under the task before cp's word. */
static void
test_agw_li_untap_when_target_leg_subtracted(void **state)
{
	struct fix *f = *state;
	struct li_ring *r = aligned_alloc(64, sizeof(*r));
	struct ipc_agw_term t1;
	struct ipc_agw_event e;
	uint8_t d[500];
	uint64_t a, b, b2, id = ctx_id(1);

	assert_non_null(r);
	memset(r, 0, sizeof(*r));
	r->slots = calloc(LI_RING_SLOTS, LI_SLOT_SIZE);
	assert_non_null(r->slots);
	f->w->li = r;
	fx_pattern(d, sizeof(d), 9);
	ctx_up(f, PORT_MIN + 6, &a, &b);
	/* leg 1 (the core's) the target's, subtracted */
	cp_tap(f, id, true, 1);
	assert_int_equal(f->w->agw->ntaps, 1);
	fx_peer_send(b, d, 100);
	fx_readable(b);
	fx_tx_is(a, d, 100);
	assert_int_equal(r->head, 1);
	r->tail = r->head;
	cp_mod(f, id, IPC_AGW_SUB_LEG, 1, NULL, 0);
	assert_int_equal(f->w->agw->ntaps, 0);
	/* the UE's bytes held, then given to a new leg 1: not copied */
	fx_peer_send(a, d, 200);
	fx_readable(a);
	term_client(&t1);
	t1.remote.port = CORE_PORT + 1;
	t1.serial = 3;
	cp_mod(f, id, IPC_AGW_ADD_LEG, 1, &t1, 0);
	b2 = fx_connect_at(1)->id;
	fx_connected(b2);
	fx_tx_is(b2, d, 200);
	assert_int_equal(r->head, r->tail);
	/* cp's word for the new leg: leg 0 the target's now */
	cp_tap(f, id, true, 0);
	fx_peer_send(a, d + 200, 300);
	fx_readable(a);
	fx_tx_is(b2, d + 200, 300);
	assert_int_equal(r->head, r->tail + 1u);
	do
		event(f, id, &e);
	while (e.type != IPC_AGW_EV_LEG_UP || e.leg != 1 || e.serial != 3);
	f->w->li = NULL;
	free(r->slots);
	free(r);
}

/* A target's leg not up yet given another remote (MOD_LEG: a client leg
 * reconnects, a server leg's awaited peer changes): dp drops the tap, as
 * leg_sub does, so the new peer is not copied under the task before cp,
 * which matches the new remote, says so (review of slice 7, L1). The
 * other leg's change keeps it. */
static void
test_agw_li_untap_when_target_leg_moves_before_up(void **state)
{
	struct fix *f = *state;
	struct li_ring *r = aligned_alloc(64, sizeof(*r));
	struct ipc_agw_term t0, t1;
	uint64_t id = ctx_id(12);

	assert_non_null(r);
	memset(r, 0, sizeof(*r));
	r->slots = calloc(LI_RING_SLOTS, LI_SLOT_SIZE);
	assert_non_null(r->slots);
	f->w->li = r;
	term_server(&t0, PORT_MIN + 12, UE4);
	term_client(&t1);
	cp_add(f, id, &t0, &t1, 0);
	/* leg 0 (the UE's, awaited) the target's: the core's leg moving keeps it */
	cp_tap(f, id, true, 0);
	t1.remote.port = CORE_PORT + 7;
	cp_mod(f, id, IPC_AGW_MOD_LEG, 1, &t1, 0);
	assert_int_equal(f->w->agw->ntaps, 1);
	/* the UE's leg awaits another address: untapped */
	t0.remote.ip[3] = 77;
	cp_mod(f, id, IPC_AGW_MOD_LEG, 0, &t0, 0);
	assert_int_equal(f->w->agw->ntaps, 0);
	/* a client leg, the target's, reconnecting to another remote: the same */
	cp_tap(f, id, true, 1);
	assert_int_equal(f->w->agw->ntaps, 1);
	t1.remote.port = CORE_PORT + 9;
	cp_mod(f, id, IPC_AGW_MOD_LEG, 1, &t1, 0);
	assert_int_equal(f->w->agw->ntaps, 0);
	cp_mod(f, id, IPC_AGW_SUB_LEG, 0, NULL, 0);
	cp_mod(f, id, IPC_AGW_SUB_LEG, 1, NULL, 0);
	f->w->li = NULL;
	free(r->slots);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_agw_context_bytes_then_controller,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_held_until_second_leg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_setup_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_setup_deadline_met, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_leg_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_connect_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_add_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_one_leg_then_added, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_subtract_holds_for_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_subtract_last_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_setup_time_per_leg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_modify_leg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_connections_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_sync_step_bounded, setup_wide, teardown),
		cmocka_unit_test_setup_teardown(test_agw_li_tap_copies_both_ways_split_full_retry_off,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_li_untap_when_target_leg_moves_before_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_li_untap_when_target_leg_subtracted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_agw_sync_gives_live_contexts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_agw_tls_leg_woken_through_session,
						setup_with_tls, teardown),
		cmocka_unit_test_setup_teardown(test_agw_tls_server_leg_candidates, setup_with_tls,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
