/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay (RFC 6062) over the fake transport and dp/tcp (fake_xprt.h),
 * driven through what it registers: cp's TCP_CONNECT / TCP_BIND /
 * TCP_CLOSE through dp_cp.c's dispatch (real lib/ipc rings in heap
 * memory), dp/tcp's callbacks of its application, and TURN's hook for an
 * allocation's end; what it tells cp read back from the ring. One TCP
 * allocation is set up by hand in TURN's tables (its 5-tuple table is the
 * real one, turn_tt.c, on the EAL's heap).
 *
 * A Connect opens from the relayed address and port and says CONNECTED
 * when up, FAILED when refused; a peer connecting in with a permission is
 * INCOMING, without one (or to a port without a TCP allocation) refused;
 * a ConnectionBind puts cp's answer first on the data connection and
 * splices it with the peer connection, bytes both ways in order (what the
 * peer sent before the bind included); ends say GONE with the bytes; cp's
 * TCP_CLOSE (its bind deadline) releases a waiting one; an allocation
 * holds TR_PER_ALLOC peer connections at most.
 *
 * Stubbed here besides the fake: turn_tcp_take() (the TURN-over-TCP
 * adapter's hand-over of a data connection: the test says what it holds)
 * and turn_relay_index() (TURN's lookup of a relayed address among the
 * ports' lists: its tables are not set up here).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "dp_ctrs.h"
#include "dp_cp.h"
#include "dp_tcp.h"
#include "fake_xprt.h"
#include "ipc.h"
#include "splice.h"
#include "tcprelay.h"
#include "tp_conf_types.h"
#include "turn/turn.h"
#include "turn/turn_inlines.h"
#include "turn/turn_internal.h"
#include "turn/turn_tcp.h"
#include "turn/turn_tt.h"

static const uint8_t L4[4] = { 10, 0, 0, 1 };          /* TURN's own address */
static const uint8_t RELAY4[4] = { 10, 0, 0, 7 };      /* the relayed address */
static const uint8_t CLIENT4[4] = { 192, 0, 2, 10 };
static const uint8_t PEER4[4] = { 198, 51, 100, 20 };
static const uint8_t STRANGER4[4] = { 198, 51, 100, 99 };

#define ALLOC_ID 42u
#define RELAY_MIN 50000u
#define RELAY_SPAN 16u
#define RELAY_PORT 50001u
#define CLIENT_PORT 40000u
#define TURN_PORT 3478u
#define PER_ALLOC 64u                  /* tcprelay_private.h's TR_PER_ALLOC */

/* ---- what the stubs stand for --------------------------------------------- */

/* Data connections the adapter holds on a ConnectionBind, with the bytes
 * that followed it. */
static struct {
	uint64_t id;
	uint8_t held[512];
	size_t nheld;
	unsigned int takes;
} binding;

int
turn_tcp_take(struct dp_worker *w, uint64_t id, const struct dp_xprt_ops **xp,
	      struct rte_mbuf **held)
{
	struct rte_mbuf *m = NULL;

	(void)w;
	if (id == 0 || id != binding.id)
		return -ENOENT;
	binding.id = 0;
	binding.takes++;
	if (binding.nheld > 0) {
		m = rte_pktmbuf_alloc(fx_pool());
		assert_non_null(m);
		memcpy(rte_pktmbuf_append(m, (uint16_t)binding.nheld), binding.held, binding.nheld);
	}
	*xp = &dp_xprt_raw;
	*held = m;
	return 0;
}

int
turn_relay_index(const struct dp_ctx *ctx, uint8_t family, const uint8_t *ip)
{
	(void)ctx;
	return family == NET_AF_IPV4 && memcmp(ip, RELAY4, 4) == 0 ? 0 : -1;
}

/* The hairpin's loop back in (a connection between two relayed addresses
 * of the box): one worker, no second relayed address here, never taken. */
void
turn_loop_in(struct dp_worker *w, struct rte_mbuf *m, uint8_t family, unsigned int owner)
{
	(void)w;
	(void)family;
	(void)owner;
	rte_pktmbuf_free(m);
	fail_msg("a hairpin in a one-address test");
}

/* ---- the fixture ------------------------------------------------------------- */

struct fix {
	struct dp_ctx ctx;
	struct tp_conf *conf;
	struct dp_worker *w;
	struct turn_alloc *a;
	uint64_t ctrl;               /* the client's control connection */
	int app;
	void *larg;
	unsigned int mbufs0;
};

/* the fixture's tcp_max_conns (setup_wide(): a table wider than one SYNC
 * step looks at) */
static uint32_t max_conns = 128;

static int setup(void **state);

static int
setup_wide(void **state)
{
	max_conns = 4 * DP_CP_SYNC_VISIT;
	return setup(state);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct turn_worker *t;
	union turn_keyu k;
	uint32_t slot, h;

	assert_non_null(f);
	fx_init();
	memset(&binding, 0, sizeof(binding));
	f->conf = calloc(1, sizeof(*f->conf));
	assert_non_null(f->conf);
	f->conf->turn.enabled = true;
	f->conf->turn.nlisten_tcp = 1;
	f->conf->turn.listen_tcp[0] = TURN_PORT;
	f->conf->dp.tcp_max_conns = max_conns;
	max_conns = 128;
	f->ctx.conf = f->conf;
	f->ctx.nworkers = 1;
	f->w = fx_worker_new(&f->ctx);
	fx_cp_attach(f->w, 0);
	f->mbufs0 = fx_mbufs_in_use();

	/* TURN's side: one TCP allocation of the client's control
	 * connection, relayed at RELAY4:RELAY_PORT, a permission for PEER4 */
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	f->w->turn = t;
	t->now_ms = f->w->now_ms;
	t->cap = 8;
	t->allocs = aligned_alloc(64, sizeof(struct turn_alloc) * t->cap);
	assert_non_null(t->allocs);
	memset(t->allocs, 0, sizeof(struct turn_alloc) * t->cap);
	assert_int_equal(turn_tt_init(&t->tt, t->cap, SOCKET_ID_ANY), 0);
	t->relay_min = RELAY_MIN;
	t->relay_span = RELAY_SPAN;
	t->relay_base6 = 1;
	t->by_relay = calloc(2u * RELAY_SPAN, sizeof(uint32_t));
	assert_non_null(t->by_relay);
	t->relay_addr[0].family = NET_AF_IPV4;
	memcpy(t->relay_addr[0].ip, RELAY4, 4);
	f->ctrl = ipc_conn_make(0, 200, 1);
	assert_int_equal(turn_tt_slot_get(&t->tt, &slot), 0);
	f->a = &t->allocs[slot];
	f->a->id = ALLOC_ID;
	f->a->client.family = NET_AF_IPV4;
	memcpy(f->a->client.ip, CLIENT4, 4);
	f->a->client.port = CLIENT_PORT;
	f->a->server.family = NET_AF_IPV4;
	memcpy(f->a->server.ip, L4, 4);
	f->a->server.port = TURN_PORT;
	f->a->conn_id = f->ctrl;
	turn_alloc_key_set(f->a, 0);
	f->a->nrelayed = 1;
	f->a->relay_tbl[0] = 0;
	f->a->relay_port = RELAY_PORT;
	f->a->relay_tcp = 1;
	f->a->nperms = 1;
	f->a->perms[0].family = NET_AF_IPV4;
	memcpy(f->a->perms[0].ip, PEER4, 4);
	f->a->perms[0].expires_ms = t->now_ms + 300000u;
	h = turn_key_from(&k, STUN_TRANSPORT_TCP, f->ctrl, NET_AF_IPV4, 0, CLIENT4, CLIENT_PORT,
			  TURN_PORT);
	turn_tt_insert(&t->tt, h, slot);
	*turn_relay_slot(t, 0, RELAY_PORT) = slot + 1u;

	assert_int_equal(tcprelay_init(f->w), 0);
	assert_non_null(t->tcp_gone);
	f->app = fx_listener(RELAY_PORT, &f->larg);
	assert_true(f->app >= 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	struct turn_worker *t = f->w->turn;

	tcprelay_free(f->w);
	assert_int_equal(fx_mbufs_in_use(), f->mbufs0);
	turn_tt_free(&t->tt);
	free(t->allocs);
	free(t->by_relay);
	free(t);
	f->w->turn = NULL;
	fx_cp_detach(f->w);
	fx_reset();
	fx_worker_free(f->w);
	free(f->conf);
	free(f);
	return 0;
}

static uint64_t
ctr(const struct fix *f, const char *name)
{
	static const struct dp_ctrs_family *const fams[] = { &tcprelay_ctrs };
	char full[64];

	snprintf(full, sizeof(full), "tcprelay_%s", name);
	return fx_ctr(f->w, fams, 1, full);
}

/* A counter of the splice as cp reads it: RFC 6062's
 * splice is the worker's own without a gateway (w->splice) */
static uint64_t
published(const struct fix *f, const char *name)
{
	static const struct dp_ctrs_family *const fams[] = {
		&splice_end_ctrs, &splice_ctrs,
	};

	return fx_ctr(f->w, fams, 2, name);
}

/* ---- cp's messages and events ---------------------------------------------- */

static void
cp_tuple(const struct fix *f, struct ipc_msg *m, uint64_t conn)
{
	m->h.alloc_id = ALLOC_ID;
	m->h.tuple.transport = 6;
	m->h.tuple.conn_id = conn;
	m->h.tuple.client.family = NET_AF_IPV4;
	memcpy(m->h.tuple.client.ip, CLIENT4, 4);
	m->h.tuple.client.port = CLIENT_PORT;
	m->h.tuple.server.family = NET_AF_IPV4;
	memcpy(m->h.tuple.server.ip, L4, 4);
	m->h.tuple.server.port = TURN_PORT;
	(void)f;
}

static void
cp_connect(struct fix *f, uint32_t cid, const uint8_t *ip, uint16_t port)
{
	static struct ipc_msg m;
	struct ipc_tcp_conn *x = (struct ipc_tcp_conn *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_TCP_CONNECT;
	cp_tuple(f, &m, f->ctrl);
	m.h.body_len = sizeof(*x);
	x->cid = cid;
	x->addr.family = NET_AF_IPV4;
	memcpy(x->addr.ip, ip, 4);
	x->addr.port = port;
	fx_cp_send(f->w, &m);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

/* cp's answer to the ConnectionBind on data (a success response) */
static const uint8_t bind_resp[20] = {
	0x01, 0x0b, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
};

static void
cp_bind(struct fix *f, uint32_t cid, uint64_t peer, uint64_t data)
{
	static struct ipc_msg m;
	struct ipc_tcp_conn *x = (struct ipc_tcp_conn *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_TCP_BIND;
	cp_tuple(f, &m, data);
	m.h.body_len = (uint16_t)(sizeof(*x) + sizeof(bind_resp));
	x->cid = cid;
	x->ok = 1;
	x->peer = peer;
	x->resp_len = sizeof(bind_resp);
	memcpy(m.body + sizeof(*x), bind_resp, sizeof(bind_resp));
	fx_cp_send(f->w, &m);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

static void
cp_close(struct fix *f, uint32_t cid, uint64_t peer)
{
	static struct ipc_msg m;
	struct ipc_tcp_conn *x = (struct ipc_tcp_conn *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_TCP_CLOSE;
	cp_tuple(f, &m, f->ctrl);
	m.h.body_len = sizeof(*x);
	x->cid = cid;
	x->peer = peer;
	fx_cp_send(f->w, &m);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
}

/* The next event to cp (after the worker loop's poll moved it there). */
static void
event(struct fix *f, struct ipc_tcp_event *e)
{
	fx_cp_event(f->w, tcprelay_poll, IPC_TCP_EVENT, ALLOC_ID, e, sizeof(*e));
}

static void
no_event(struct fix *f)
{
	fx_cp_no_event(f->w, tcprelay_poll);
}

/* A Connect to PEER4:6000, up: the peer connection's id. */
static uint64_t
connect_up(struct fix *f, uint32_t cid)
{
	const struct fx_connect *k;
	struct ipc_tcp_event e;
	unsigned int n = fx_nconnects();

	cp_connect(f, cid, PEER4, 6000);
	assert_int_equal(fx_nconnects(), n + 1u);
	k = fx_connect_at(n);
	/* from the relayed transport address, to the peer */
	assert_memory_equal(k->laddr, RELAY4, 4);
	assert_int_equal(k->lport, RELAY_PORT);
	assert_memory_equal(k->raddr, PEER4, 4);
	assert_int_equal(k->rport, 6000);
	fx_connected(k->id);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_CONNECTED);
	assert_int_equal(e.cid, cid);
	assert_int_equal(e.peer, k->id);
	assert_memory_equal(e.addr.ip, PEER4, 4);
	assert_int_equal(e.addr.port, 6000);
	return k->id;
}

/* ---- Connect, bind, data, end ------------------------------------------------ */

static void
test_tcprelay_connect_bind_data(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;
	uint8_t early[700], after[100], c2p[5000], p2c[9000], want[20 + 700];
	uint64_t peer, data;

	fx_pattern(early, sizeof(early), 1);
	fx_pattern(after, sizeof(after), 2);
	fx_pattern(c2p, sizeof(c2p), 3);
	fx_pattern(p2c, sizeof(p2c), 4);
	peer = connect_up(f, 7);
	assert_int_equal(ctr(f, "connected"), 1);
	/* the peer talks before the bind: nothing is read of it (its TCP
	 * holds it) */
	fx_peer_send(peer, early, sizeof(early));
	fx_readable(peer);
	assert_int_equal(fx_get(peer)->rx_len - fx_get(peer)->rx_off, sizeof(early));

	/* the client's data connection, its ConnectionBind taken by TURN,
	 * with bytes behind it */
	data = fx_conn_new(20, 4, L4, TURN_PORT, CLIENT4, 40001);
	binding.id = data;
	memcpy(binding.held, after, sizeof(after));
	binding.nheld = sizeof(after);
	cp_bind(f, 7, peer, data);
	assert_int_equal(binding.takes, 1);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_BOUND);
	assert_int_equal(e.peer, peer);
	assert_int_equal(e.data, data);
	assert_int_equal(e.cid, 7);
	assert_int_equal(ctr(f, "bound"), 1);
	/* cp's answer first, then what the peer sent before */
	memcpy(want, bind_resp, 20);
	memcpy(want + 20, early, sizeof(early));
	fx_tx_is(data, want, sizeof(want));
	/* what followed the ConnectionBind went to the peer */
	fx_tx_is(peer, after, sizeof(after));

	/* both ways now, through dp/tcp's callbacks of the data connection
	 * (the relay's now) and the peer's */
	fx_get(data)->rd_seg = 600;
	fx_peer_send(data, c2p, sizeof(c2p));
	fx_readable(data);
	fx_tx_is(peer, c2p, sizeof(c2p));
	fx_peer_send(peer, p2c, sizeof(p2c));
	fx_readable(peer);
	fx_tx_is(data, p2c, sizeof(p2c));

	/* the peer ends, then the client: GONE, closed, with the bytes */
	fx_peer_eof(peer);
	fx_readable(peer);
	assert_int_equal(fx_get(data)->shutdowns, 1);
	no_event(f);
	fx_peer_eof(data);
	fx_readable(data);
	assert_int_equal(fx_get(peer)->closes, 1);
	assert_int_equal(fx_get(data)->closes, 1);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_GONE);
	assert_int_equal(e.reason, IPC_CONN_CLOSED);
	assert_int_equal(e.peer, peer);
	assert_int_equal(e.bytes_in, sizeof(early) + sizeof(p2c));
	assert_int_equal(e.bytes_out, sizeof(after) + sizeof(c2p));
	assert_int_equal(e.client_in, sizeof(after) + sizeof(c2p));
	assert_int_equal(e.client_out, sizeof(early) + sizeof(p2c));
	assert_int_equal(ctr(f, "ended"), 1);
	assert_int_equal(ctr(f, "connections"), 0);
	no_event(f);
}

/* A Connect refused by the peer: FAILED (reset); one that cannot start
 * (its port taken): FAILED at once. */
static void
test_tcprelay_connect_fails(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;

	cp_connect(f, 8, PEER4, 6001);
	fx_closed(fx_connect_at(0)->id, TCP_REASON_REFUSED);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_FAILED);
	assert_int_equal(e.reason, IPC_CONN_RESET);
	assert_int_equal(e.cid, 8);
	assert_int_equal(e.peer, 0);
	no_event(f);                          /* (no GONE for a Connect's failure) */
	fx_connect_fail(-EADDRINUSE);
	cp_connect(f, 9, PEER4, 6002);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_FAILED);
	assert_int_equal(e.reason, IPC_CONN_RESET);
	assert_int_equal(e.cid, 9);
	assert_int_equal(ctr(f, "connect_failed"), 2);
	assert_int_equal(ctr(f, "connections"), 0);
}

/* A peer connecting in: with a permission INCOMING; without one, or to a
 * relayed port without an allocation, refused and counted. */
static void
test_tcprelay_incoming(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;
	uint64_t ok = fx_conn_new(30, 4, RELAY4, RELAY_PORT, PEER4, 7000);
	uint64_t stranger = fx_conn_new(31, 4, RELAY4, RELAY_PORT, STRANGER4, 7001);
	uint64_t noalloc = fx_conn_new(32, 4, RELAY4, RELAY_PORT + 1, PEER4, 7002);
	void *larg;

	assert_int_equal(fx_listener(RELAY_PORT + 1, &larg), f->app);
	assert_int_equal(fx_accept(f->app, ok, f->larg), 0);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_INCOMING);
	assert_int_equal(e.peer, ok);
	assert_int_equal(e.cid, 0);
	assert_memory_equal(e.addr.ip, PEER4, 4);
	assert_int_equal(e.addr.port, 7000);
	assert_true(fx_accept(f->app, stranger, f->larg) < 0);
	assert_int_equal(ctr(f, "refused_no_permission"), 1);
	assert_true(fx_accept(f->app, noalloc, larg) < 0);
	assert_int_equal(ctr(f, "refused_no_allocation"), 1);
	no_event(f);
	assert_int_equal(ctr(f, "accepted"), 1);
	assert_int_equal(ctr(f, "connections"), 1);
}

/* No ConnectionBind in time: cp's TCP_CLOSE releases the waiting peer
 * connection (closed, GONE closed); a bind that comes after finds it gone
 * (stale), and its data connection is reset. */
static void
test_tcprelay_bind_timeout(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;
	uint64_t peer = connect_up(f, 11), data;

	f->w->now_ms += 30000;
	cp_close(f, 11, peer);
	assert_int_equal(ctr(f, "closed_by_cp"), 1);
	assert_int_equal(fx_get(peer)->closes, 1);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_GONE);
	assert_int_equal(e.reason, IPC_CONN_CLOSED);
	assert_int_equal(e.peer, peer);
	assert_int_equal(ctr(f, "connections"), 0);
	/* the late bind */
	data = fx_conn_new(21, 4, L4, TURN_PORT, CLIENT4, 40002);
	binding.id = data;
	cp_bind(f, 11, peer, data);
	assert_int_equal(ctr(f, "bind_stale"), 1);
	assert_int_equal(fx_get(data)->aborts, 1);
	no_event(f);
}

/* The data connection closed before cp's bind came: the peer connection
 * is released (closed), GONE aborted. */
static void
test_tcprelay_bind_data_gone(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;
	uint64_t peer = connect_up(f, 12);
	uint64_t data = fx_conn_new(22, 4, L4, TURN_PORT, CLIENT4, 40003);

	binding.id = 0;                      /* the adapter no longer holds it */
	cp_bind(f, 12, peer, data);
	assert_int_equal(ctr(f, "bind_data_gone"), 1);
	assert_int_equal(fx_get(peer)->closes, 1);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_GONE);
	assert_int_equal(e.reason, IPC_CONN_ABORTED);
}

/* A bound pair where the peer resets: the data connection is reset too,
 * GONE says reset. */
static void
test_tcprelay_peer_resets(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;
	uint64_t peer = connect_up(f, 13);
	uint64_t data = fx_conn_new(23, 4, L4, TURN_PORT, CLIENT4, 40004);

	binding.id = data;
	cp_bind(f, 13, peer, data);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_BOUND);
	fx_closed(peer, TCP_REASON_RESET);
	assert_int_equal(fx_get(data)->aborts, 1);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_GONE);
	assert_int_equal(e.reason, IPC_CONN_RESET);
	/* the splice's ends reach cp by its own causes (no gateway here to
	 * count them by the controller's) */
	assert_int_equal(published(f, "splice_ended_rst"), 1);
	assert_int_equal(published(f, "splice_ended_other_leg"), 1);
	assert_int_equal(published(f, "splice_ended_fin"), 0);
	assert_int_equal(published(f, "splice_aborts_forwarded"), 1);
}

/* The allocation ends (TURN's hook): its peer connections are closed,
 * each GONE; a Connect still under way is aborted without one. */
static void
test_tcprelay_allocation_gone(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;
	uint64_t up = connect_up(f, 14), pending;

	cp_connect(f, 15, PEER4, 6003);
	pending = fx_connect_at(1)->id;
	f->w->turn->tcp_gone(f->w->turn, f->a);
	assert_int_equal(ctr(f, "closed_with_allocation"), 2);
	assert_int_equal(fx_get(up)->closes, 1);
	assert_int_equal(fx_get(pending)->aborts, 1);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_GONE);
	assert_int_equal(e.peer, up);
	assert_int_equal(e.reason, IPC_CONN_CLOSED);
	no_event(f);
	assert_int_equal(ctr(f, "connections"), 0);
}

/* An allocation holds TR_PER_ALLOC peer connections at most: the next
 * one connecting in is refused (counted), a Connect fails. */
static void
test_tcprelay_per_allocation_limit(void **state)
{
	struct fix *f = *state;
	struct ipc_tcp_event e;
	uint64_t extra;

	for (uint32_t i = 0; i < PER_ALLOC; i++) {
		uint64_t id = fx_conn_new(40 + i, 4, RELAY4, RELAY_PORT, PEER4,
					  (uint16_t)(8000 + i));

		assert_int_equal(fx_accept(f->app, id, f->larg), 0);
		event(f, &e);
		assert_int_equal(e.type, IPC_TCP_EV_INCOMING);
	}
	extra = fx_conn_new(40 + PER_ALLOC, 4, RELAY4, RELAY_PORT, PEER4, 9000);
	assert_int_equal(fx_accept(f->app, extra, f->larg), -ENOSPC);
	assert_int_equal(ctr(f, "refused_per_allocation"), 1);
	cp_connect(f, 16, PEER4, 6004);
	event(f, &e);
	assert_int_equal(e.type, IPC_TCP_EV_FAILED);
	assert_int_equal(e.cid, 16);
	assert_int_equal(fx_nconnects(), 0);
	no_event(f);
	assert_int_equal(ctr(f, "connections"), PER_ALLOC);
}

/* A restarted cp's SYNC: every peer connection up goes back to it as it
 * stands (TCP_STATE: bound with its data connection, or waiting, named
 * or not), then the worker's STATE_DONE; a Connect under way does not. */
static void
test_tcprelay_sync_gives_live_connections(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	const struct ipc_tcp_event *e = (const void *)m.body;
	struct ipc_tcp_event ev;
	uint64_t bound = connect_up(f, 21), named = connect_up(f, 22), in, data;
	bool seen[3] = { false, false, false };

	data = fx_conn_new(24, 4, L4, TURN_PORT, CLIENT4, 40005);
	binding.id = data;
	cp_bind(f, 21, bound, data);
	in = fx_conn_new(33, 4, RELAY4, RELAY_PORT, PEER4, 7003);
	assert_int_equal(fx_accept(f->app, in, f->larg), 0);
	cp_connect(f, 23, PEER4, 6005);       /* (under way) */
	event(f, &ev);
	event(f, &ev);
	no_event(f);
	fx_cp_sync(f->w, 78);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
	assert_int_equal(dp_cp_sync_step(f->w, 1000), 1);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(fx_cp_recv(f->w, &m));
		assert_int_equal(m.h.kind, IPC_TCP_STATE);
		assert_int_equal(m.h.alloc_id, ALLOC_ID);
		if (e->peer == bound) {
			assert_int_equal(e->type, IPC_TCP_EV_BOUND);
			assert_int_equal(e->data, data);
			assert_int_equal(e->cid, 21);
			seen[0] = true;
		} else if (e->peer == named) {
			assert_int_equal(e->type, IPC_TCP_EV_CONNECTED);
			assert_int_equal(e->cid, 22);
			seen[1] = true;
		} else {
			assert_int_equal(e->peer, in);
			assert_int_equal(e->type, IPC_TCP_EV_INCOMING);
			seen[2] = true;
		}
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	assert_true(fx_cp_recv(f->w, &m));
	assert_int_equal(m.h.kind, IPC_STATE_DONE);
	assert_int_equal(m.h.alloc_id, 78);
	assert_false(fx_cp_recv(f->w, &m));
}

/* A SYNC's pass over a table of mostly empty slots yields every
 * DP_CP_SYNC_VISIT slots, live or not (walked whole, a carrier's 16,384
 * held the worker 100-200 us): the live connection goes in the first
 * step, STATE_DONE only after the step that reached the end. */
static void
test_tcprelay_sync_step_bounded(void **state)
{
	struct fix *f = *state;
	static struct ipc_msg m;
	const struct ipc_tcp_event *e = (const void *)m.body;
	uint64_t peer = connect_up(f, 31);
	const unsigned int steps = 4;   /* tcp_max_conns / DP_CP_SYNC_VISIT */

	fx_cp_sync(f->w, 79);
	assert_int_equal(dp_cp_poll(f->w, f->w->now_ms), 1);
	assert_int_equal(dp_cp_sync_step(f->w, 1000), 1);
	assert_true(fx_cp_recv(f->w, &m));
	assert_int_equal(m.h.kind, IPC_TCP_STATE);
	assert_int_equal(e->peer, peer);
	assert_false(fx_cp_recv(f->w, &m));
	for (unsigned int i = 2; i < steps; i++) {
		/* (empty slots: no message, no work) */
		assert_int_equal(dp_cp_sync_step(f->w, 1000u * i), 0);
		assert_false(fx_cp_recv(f->w, &m));
	}
	assert_int_equal(dp_cp_sync_step(f->w, 1000u * steps), 1);
	assert_true(fx_cp_recv(f->w, &m));
	assert_int_equal(m.h.kind, IPC_STATE_DONE);
	assert_int_equal(m.h.alloc_id, 79);
	assert_false(fx_cp_recv(f->w, &m));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcprelay_connect_bind_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_connect_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_incoming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_bind_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_bind_data_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_peer_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_allocation_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_per_allocation_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_sync_step_bounded, setup_wide,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcprelay_sync_gives_live_connections, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
