/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake transport and dp/tcp of the stream modules' unit tests (see
 * fake_xprt.h). Everything the modules call below them is here, each
 * doing the least that lets a test see what the module did.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp.h"
#include "dp_tcp.h"
#include "dp_ctrs.h"
#include "ipc.h"
#include "tcp.h"
#include "tls.h"
#include "fake_worker.h"
#include "fake_xprt.h"

static struct rte_mempool *pool;
static struct fx_conn conns[FX_MAX_CONNS];
static uint32_t gen = 1;

#define FX_MAX_APPS 8
#define FX_MAX_LISTEN 8
static const struct tcp_app_ops *apps[FX_MAX_APPS];
static int napps;
static struct {
	uint16_t lo, hi;
	int app;
	void *arg;
} listens[FX_MAX_LISTEN];
static unsigned int nlistens;

#define FX_MAX_CONNECTS 16
static struct fx_connect connects[FX_MAX_CONNECTS];
static unsigned int nconnects;
static int connect_rc;
/* The callbacks get the worker's stack: a test has one worker. */
static struct tcp_stack *cur_stack;

static struct tcp_stack *
cb_stack(void)
{
	assert_non_null(cur_stack);
	return cur_stack;
}
static uint32_t next_active_slot = FX_MAX_CONNS - 1u;
static void raw_observed(void);

void
fx_init(void)
{
	char pfx[64];
	char *argv[] = {
		"test_fx", "--no-huge", "-m", "64", "--no-pci",
		"--no-shconf", "--log-level=lib.eal:error", "--file-prefix", pfx,
		"-l", "0", NULL,
	};

	if (pool == NULL) {
		snprintf(pfx, sizeof(pfx), "fxtest%d", (int)getpid());
		if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
			fprintf(stderr, "rte_eal_init failed\n");
			exit(1);
		}
		pool = rte_pktmbuf_pool_create("fx_test", 4095, 0, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		if (pool == NULL) {
			fprintf(stderr, "no mbuf pool\n");
			exit(1);
		}
	}
	raw_observed();
	fx_reset();
}

struct rte_mempool *
fx_pool(void)
{
	return pool;
}

unsigned int
fx_mbufs_in_use(void)
{
	return rte_mempool_in_use_count(pool);
}

void
fx_reset(void)
{
	for (unsigned int i = 0; i < FX_MAX_CONNS; i++) {
		free(conns[i].rx);
		free(conns[i].tx);
		free(conns[i].tc);
		memset(&conns[i], 0, sizeof(conns[i]));
	}
	memset(apps, 0, sizeof(apps));
	napps = 0;
	nlistens = 0;
	nconnects = 0;
	connect_rc = 0;
	next_active_slot = FX_MAX_CONNS - 1u;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct dp_worker *
fx_worker_new(struct dp_ctx *ctx)
{
	struct dp_worker *w = fw_worker_new(ctx);
	struct tcp_stack *ts = fw_zalloc(sizeof(*ts));

	ts->out_arg = w;
	w->pool = pool;
	w->tcp = ts;
	w->now_ms = mono_ms();
	cur_stack = ts;
	return w;
}

void
fx_worker_free(struct dp_worker *w)
{
	if (cur_stack == w->tcp)
		cur_stack = NULL;
	free(w->tcp);
	fw_worker_free(w);
}

/* ---- connections ------------------------------------------------------------ */

static struct fx_conn *
slot_new(uint32_t slot)
{
	struct fx_conn *c;

	assert_true(slot > 0 && slot < FX_MAX_CONNS);
	c = &conns[slot];
	free(c->rx);
	free(c->tx);
	free(c->tc);
	memset(c, 0, sizeof(*c));
	c->id = ipc_conn_make(0, slot, gen++);
	c->tc = aligned_alloc(64, sizeof(struct tcp_conn));
	assert_non_null(c->tc);
	memset(c->tc, 0, sizeof(*c->tc));
	c->room = FX_ROOM_DEFAULT;
	c->state = TCP_ST_ESTABLISHED;
	c->tc->state = TCP_ST_ESTABLISHED;
	c->keep_rc = -EINVAL;
	return c;
}

uint64_t
fx_conn_new(uint32_t slot, uint8_t family, const uint8_t *laddr, uint16_t lport,
	    const uint8_t *raddr, uint16_t rport)
{
	struct fx_conn *c = slot_new(slot);
	unsigned int n = family == 6 ? 16u : 4u;

	if (family == 6)
		c->tc->flags |= TCP_CF_V6;
	memcpy(c->tc->laddr, laddr, n);
	memcpy(c->tc->raddr, raddr, n);
	c->tc->lport = lport;
	c->tc->rport = rport;
	return c->id;
}

/* The connection of id, live or not (NULL: unknown). */
struct fx_conn *
fx_get(uint64_t id)
{
	uint32_t slot = ipc_conn_slot(id);

	if (id == 0 || slot >= FX_MAX_CONNS || conns[slot].id != id)
		return NULL;
	return &conns[slot];
}

static struct fx_conn *
must(uint64_t id)
{
	struct fx_conn *c = fx_get(id);

	if (c == NULL)
		fail_msg("no such connection %#llx", (unsigned long long)id);
	return c;
}

void
fx_conn_end(uint64_t id)
{
	struct fx_conn *c = must(id);

	c->state = TCP_ST_CLOSED;
	free(c->tc);
	c->tc = NULL;
}

static void
grow(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	*cap = need * 2u + 64u;
	*buf = realloc(*buf, *cap);
	assert_non_null(*buf);
}

void
fx_peer_send(uint64_t id, const void *buf, size_t n)
{
	struct fx_conn *c = must(id);

	assert_false(c->rx_eof);
	grow(&c->rx, &c->rx_cap, c->rx_len + n);
	memcpy(c->rx + c->rx_len, buf, n);
	c->rx_len += n;
}

void
fx_peer_eof(uint64_t id)
{
	must(id)->rx_eof = true;
}

size_t
fx_take_tx(uint64_t id, uint8_t *buf, size_t max)
{
	struct fx_conn *c = must(id);
	size_t n = c->tx_len < max ? c->tx_len : max;

	if (n == 0)
		return 0;
	memcpy(buf, c->tx, n);
	memmove(c->tx, c->tx + n, c->tx_len - n);
	c->tx_len -= n;
	return n;
}

void
fx_tx_is(uint64_t id, const uint8_t *want, size_t n)
{
	uint8_t *got = malloc(n + 1u);

	assert_non_null(got);
	assert_int_equal(fx_take_tx(id, got, n + 1u), n);
	assert_memory_equal(got, want, n);
	free(got);
}

void
fx_pattern(uint8_t *buf, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed + i * 7u + (i >> 8));
}

/* The module may still use the connection (not closed, aborted or
 * forgotten by it; a connection dp/tcp kept for it is readable). */
static struct fx_conn *
usable(uint64_t id, const char *what)
{
	struct fx_conn *c = must(id);

	if (c->aborts > 0 || c->closes > 0 || (c->gones > 0 && !c->kept))
		fail_msg("%s on connection %#llx after the module ended it", what,
			 (unsigned long long)id);
	return c;
}

/* ---- the transport (dp_xprt_tls, and what dp_xprt_raw counts) --------------- */

static int
fx_rcv_buf(struct dp_worker *w, uint64_t id, struct rte_mbuf **out, uint32_t max)
{
	struct fx_conn *c = usable(id, "rcv_buf");
	struct rte_mbuf *head = NULL, *tail = NULL;
	size_t avail = c->rx_len - c->rx_off;
	uint32_t take, left, seg_max, nseg = 0;

	(void)w;
	c->reads++;
	if (c->rx_err != 0)
		return c->rx_err;
	if (avail == 0)
		return c->rx_eof ? 0 : -EAGAIN;
	assert_true(max > 0);
	take = avail < max ? (uint32_t)avail : max;
	if (c->rd_max != 0 && take > c->rd_max)
		take = c->rd_max;
	seg_max = c->rd_seg != 0 ? c->rd_seg : 2048u;
	for (left = take; left > 0;) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint32_t n = left < seg_max ? left : seg_max;

		assert_non_null(m);
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), c->rx + c->rx_off, n);
		c->rx_off += n;
		left -= n;
		if (head == NULL)
			head = m;
		else
			tail->next = m;
		tail = m;
		nseg++;
	}
	head->pkt_len = take;
	head->nb_segs = (uint16_t)nseg;
	if (c->rx_off == c->rx_len)
		c->rx_off = c->rx_len = 0;
	*out = head;
	return (int)take;
}

static int
fx_snd_buf(struct dp_worker *w, uint64_t id, struct rte_mbuf *m)
{
	struct fx_conn *c = usable(id, "snd_buf");
	uint32_t len = m->pkt_len, sum = 0;
	uint16_t segs = 0;

	(void)w;
	if (c->snd_err != 0)
		return c->snd_err;
	if (len > c->room)
		return -EAGAIN;
	if (c->shutdowns > 0)
		fail_msg("snd_buf on connection %#llx after its shutdown",
			 (unsigned long long)id);
	grow(&c->tx, &c->tx_cap, c->tx_len + len);
	for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
		memcpy(c->tx + c->tx_len + sum, rte_pktmbuf_mtod(s, const void *), s->data_len);
		sum += s->data_len;
		segs++;
	}
	/* a chain as dp/tcp takes it: its length and count in the head */
	assert_int_equal(sum, len);
	assert_int_equal(segs, m->nb_segs);
	c->tx_len += len;
	c->room -= len;
	c->sends++;
	rte_pktmbuf_free(m);
	return (int)len;
}

static void
fx_xwritable(struct dp_worker *w, uint64_t id)
{
	(void)w;
	must(id)->writables++;
}

static int
fx_shutdown(struct dp_worker *w, uint64_t id)
{
	(void)w;
	usable(id, "shutdown")->shutdowns++;
	return 0;
}

static int
fx_close(struct dp_worker *w, uint64_t id)
{
	(void)w;
	usable(id, "close")->closes++;
	return 0;
}

static int
fx_abort(struct dp_worker *w, uint64_t id)
{
	struct fx_conn *c = must(id);

	(void)w;
	if (c->aborts > 0 || c->closes > 0)
		fail_msg("abort of connection %#llx twice", (unsigned long long)id);
	c->aborts++;
	return 0;
}

static void
fx_gone(struct dp_worker *w, uint64_t id)
{
	(void)w;
	must(id)->gones++;
}

static void
fx_first_timeout(struct dp_worker *w, uint64_t id)
{
	(void)w;
	must(id)->first_timeouts++;
}

/* dp_xprt_raw is dp/tls/xprt_raw.c's own table: its rcv_buf, snd_buf,
 * shutdown, close and abort reach the fake dp/tcp below (tcp_recv() ...),
 * and its answers (no failure of its own, a bare FIN, dp/tcp's readable()
 * its only wake, no version) are raw TCP's. What it hands to nobody
 * (writable, gone, first_timeout, subscribe: raw TCP has nothing to do
 * then) a test must still see the module call; so the tests link with
 * --wrap=dp_xprt_raw, and the dp_xprt_raw that the modules and the tests
 * name is this copy of the real table with those four counted. */
extern const struct dp_xprt_ops __real_dp_xprt_raw;
struct dp_xprt_ops __wrap_dp_xprt_raw;

static void
fx_raw_subscribe(struct dp_worker *w, uint64_t id, dp_xprt_wake_fn wake, void *arg)
{
	(void)w;
	(void)wake;
	(void)arg;
	must(id)->subscribes++;
}

static void
raw_observed(void)
{
	__wrap_dp_xprt_raw = __real_dp_xprt_raw;
	__wrap_dp_xprt_raw.writable = fx_xwritable;
	__wrap_dp_xprt_raw.gone = fx_gone;
	__wrap_dp_xprt_raw.first_timeout = fx_first_timeout;
	__wrap_dp_xprt_raw.subscribe = fx_raw_subscribe;
}

/* The TLS transport's answers: the connection's knobs (tls_conn_why()
 * and the others below). */
static int
fx_tls_why(struct dp_worker *w, uint64_t id, char *buf, size_t size)
{
	return tls_conn_why(w, id, buf, size);
}

static bool
fx_tls_eof_clean(struct dp_worker *w, uint64_t id)
{
	return tls_conn_close_notified(w, id);
}

static bool
fx_tls_wakes(struct dp_worker *w, uint64_t id)
{
	return tls_conn_wakes(w, id);
}

static int
fx_tls_version(struct dp_worker *w, uint64_t id)
{
	return tls_conn_version(w, id);
}

static void
fx_tls_subscribe(struct dp_worker *w, uint64_t id, dp_xprt_wake_fn wake, void *arg)
{
	struct fx_conn *c = must(id);

	(void)w;
	c->subscribes++;
	c->wake = wake;
	c->wake_arg = wake != NULL ? arg : NULL;
}

const struct dp_xprt_ops dp_xprt_tls = {
	.name = "fake-tls",
	.flags = DP_XPRT_F_HANDSHAKE | DP_XPRT_F_RECORDS,
	.rcv_buf = fx_rcv_buf,
	.snd_buf = fx_snd_buf,
	.writable = fx_xwritable,
	.shutdown = fx_shutdown,
	.close = fx_close,
	.abort = fx_abort,
	.gone = fx_gone,
	.first_timeout = fx_first_timeout,
	.why = fx_tls_why,
	.eof_clean = fx_tls_eof_clean,
	.wakes = fx_tls_wakes,
	.version = fx_tls_version,
	.subscribe = fx_tls_subscribe,
};

/* ---- dp/tls's questions ------------------------------------------------------ */

int
tls_conn_why(struct dp_worker *w, uint64_t id, char *buf, size_t size)
{
	struct fx_conn *c = fx_get(id);

	(void)w;
	if (c == NULL)
		return -ENOTCONN;
	if (size > 0)
		snprintf(buf, size, "fake tls failure %d", c->tls_why);
	return c->tls_why;
}

bool
tls_conn_close_notified(struct dp_worker *w, uint64_t id)
{
	struct fx_conn *c = fx_get(id);

	(void)w;
	return c != NULL && c->notified;
}

bool
tls_conn_wakes(struct dp_worker *w, uint64_t id)
{
	struct fx_conn *c = fx_get(id);

	(void)w;
	return c != NULL && c->wakes;
}

int
tls_conn_version(struct dp_worker *w, uint64_t id)
{
	struct fx_conn *c = fx_get(id);

	(void)w;
	return c != NULL ? c->version : 0;
}

const struct dp_xprt_ops *
tls_conn_start(struct dp_worker *w, uint64_t id, enum tls_role role,
	       const struct tls_leg_params *p)
{
	struct fx_conn *c = fx_get(id);

	(void)w;
	if (c == NULL) {
		errno = ENOTCONN;
		return NULL;
	}
	if (role == TLS_ROLE_NONE)
		return &dp_xprt_raw;
	c->leg_ops = p->ops;
	c->leg_arg = p->arg;
	/* (dp/tls: the leg's own ready, if any, until a subscriber is set) */
	c->wake = p->ops->ready;
	c->wake_arg = p->arg;
	return &dp_xprt_tls;
}

void
fx_tls_handshake(struct dp_worker *w, uint64_t id, enum tls_fail why)
{
	struct fx_conn *c = must(id);

	assert_non_null(c->leg_ops);
	c->tls_why = why;
	c->leg_ops->handshake(w, id, c->leg_arg, why);
}

void
fx_tls_wake(struct dp_worker *w, uint64_t id)
{
	struct fx_conn *c = must(id);

	if (c->wake == NULL)
		fail_msg("a wake of connection %#llx, which nobody subscribed to",
			 (unsigned long long)id);
	c->wake(w, id, c->wake_arg);
}

int
tls_worker_init(struct dp_worker *w, const struct tp_conf *conf, uint32_t max_conns)
{
	(void)w;
	(void)conf;
	(void)max_conns;
	return 0;
}

void
tls_worker_free(struct dp_worker *w)
{
	(void)w;
}

int
tls_conn_attach(struct dp_worker *w, uint64_t id)
{
	(void)w;
	return fx_get(id) != NULL ? 0 : -EINVAL;
}

struct tls_cred *
tls_cred_load(const char *cert_path, const char *key_path, char *err, size_t errlen)
{
	(void)cert_path;
	(void)key_path;
	snprintf(err, errlen, "no certificates in the fake");
	return NULL;
}

void
tls_cred_free(struct tls_cred *c)
{
	(void)c;
}

void
tls_leg_cred_expiry(struct dp_worker *w, const struct tls_cred *c)
{
	(void)w;
	(void)c;
}

/* ---- dp/tcp ----------------------------------------------------------------- */

const char *
tcp_reason_name(unsigned int r)
{
	static const char *const names[] = {
#define TCP_REASON(e, n, h) n,
#include "tcp_reasons.def"
#undef TCP_REASON
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

int
tcp_app_register(struct tcp_stack *ts, const struct tcp_app_ops *ops)
{
	(void)ts;
	if (napps == FX_MAX_APPS)
		return -ENOSPC;
	apps[napps] = ops;
	return napps++;
}

const struct tcp_app_ops *
fx_app(int app)
{
	assert_true(app >= 0 && app < napps);
	return apps[app];
}

int
fx_napps(void)
{
	return napps;
}

int
tcp_listen_range(struct tcp_stack *ts, uint8_t family, uint16_t lo, uint16_t hi, int app,
		 void *arg)
{
	(void)ts;
	(void)family;
	assert_true(nlistens < FX_MAX_LISTEN);
	listens[nlistens].lo = lo;
	listens[nlistens].hi = hi;
	listens[nlistens].app = app;
	listens[nlistens].arg = arg;
	nlistens++;
	return 0;
}

int
tcp_listen(struct tcp_stack *ts, uint8_t family, uint16_t port, int app, void *arg)
{
	return tcp_listen_range(ts, family, port, port, app, arg);
}

int
fx_listener(uint16_t port, void **larg)
{
	for (unsigned int i = 0; i < nlistens; i++)
		if (port >= listens[i].lo && port <= listens[i].hi) {
			*larg = listens[i].arg;
			return listens[i].app;
		}
	return -1;
}

int
fx_accept(int app, uint64_t id, void *larg)
{
	struct fx_conn *c = must(id);
	void *carg = NULL;
	int rc;

	rc = fx_app(app)->accept(cb_stack(), id, larg, &carg);
	if (rc == 0) {
		c->tc->app = (uint8_t)app;
		c->tc->app_arg = carg;
	}
	return rc;
}

int
dp_tcp_use(struct dp_worker *w, int app, enum dp_tcp_use use)
{
	(void)w;
	(void)app;
	(void)use;
	return 0;
}

void
fx_connected(uint64_t id)
{
	struct fx_conn *c = must(id);

	c->state = c->tc->state = TCP_ST_ESTABLISHED;
	if (fx_app(c->tc->app)->connected != NULL)
		fx_app(c->tc->app)->connected(cb_stack(), id, c->tc->app_arg);
}

void
fx_readable(uint64_t id)
{
	struct fx_conn *c = must(id);

	fx_app(c->tc->app)->readable(cb_stack(), id, c->tc->app_arg);
}

void
fx_writable(uint64_t id)
{
	struct fx_conn *c = must(id);

	if (fx_app(c->tc->app)->writable != NULL)
		fx_app(c->tc->app)->writable(cb_stack(), id, c->tc->app_arg);
}

void
fx_closed(uint64_t id, enum tcp_reason why)
{
	struct fx_conn *c = must(id);

	c->state = TCP_ST_CLOSED;
	fx_app(c->tc->app)->closed(cb_stack(), id, c->tc->app_arg, why);
}

static int
active_open(uint8_t family, const uint8_t *laddr, uint16_t lport, const uint8_t *raddr,
	    uint16_t rport, int app, void *arg, uint64_t *id)
{
	static const uint8_t zero[16];
	struct fx_connect *k;
	struct fx_conn *c;

	if (connect_rc != 0)
		return connect_rc;
	assert_true(nconnects < FX_MAX_CONNECTS);
	c = slot_new(next_active_slot--);
	if (family == 6)
		c->tc->flags |= TCP_CF_V6;
	memcpy(c->tc->laddr, laddr != NULL ? laddr : zero, family == 6 ? 16 : 4);
	memcpy(c->tc->raddr, raddr, family == 6 ? 16 : 4);
	c->tc->lport = lport != 0 ? lport : (uint16_t)(40000u + nconnects);
	c->tc->rport = rport;
	c->tc->app = (uint8_t)app;
	c->tc->app_arg = arg;
	c->state = c->tc->state = TCP_ST_SYN_SENT;
	c->active = true;
	k = &connects[nconnects++];
	memset(k, 0, sizeof(*k));
	k->id = c->id;
	k->family = family;
	memcpy(k->laddr, c->tc->laddr, 16);
	memcpy(k->raddr, c->tc->raddr, 16);
	k->lport = c->tc->lport;
	k->rport = rport;
	k->app = app;
	k->arg = arg;
	*id = c->id;
	return 0;
}

int
tcp_connect(struct tcp_stack *ts, uint8_t family, const uint8_t *laddr, uint16_t lport,
	    const uint8_t *raddr, uint16_t rport, int app, void *arg, tcp_id_t *id)
{
	(void)ts;
	return active_open(family, laddr, lport, raddr, rport, app, arg, id);
}

int
dp_tcp_connect_from(struct dp_worker *w, uint8_t family, const uint8_t *laddr,
		    const uint8_t *raddr, uint16_t rport, int app, void *arg, uint64_t *id)
{
	(void)w;
	return active_open(family, laddr, 0, raddr, rport, app, arg, id);
}

int
dp_tcp_connect_dscp(struct dp_worker *w, uint8_t family, const uint8_t *laddr,
		    const uint8_t *raddr, uint16_t rport, uint8_t dscp, int app, void *arg,
		    uint64_t *id)
{
	int rc;

	(void)w;
	rc = active_open(family, laddr, 0, raddr, rport, app, arg, id);
	if (rc == 0)
		fx_get(*id)->tc->ds = (uint8_t)(dscp << 2);
	return rc;
}

int
tcp_conn_set_dscp(struct tcp_stack *ts, tcp_id_t id, uint8_t dscp)
{
	struct fx_conn *c = fx_get(id);

	(void)ts;
	if (c == NULL)
		return -ENOTCONN;
	c->tc->ds = (uint8_t)(dscp << 2 | (c->tc->ds & 3u));
	return 0;
}

unsigned int
fx_nconnects(void)
{
	return nconnects;
}

const struct fx_connect *
fx_connect_at(unsigned int i)
{
	assert_true(i < nconnects);
	return &connects[i];
}

void
fx_connect_fail(int rc)
{
	connect_rc = rc;
}

uint32_t
tcp_send_space(struct tcp_stack *ts, tcp_id_t id)
{
	struct fx_conn *c = fx_get(id);

	(void)ts;
	return c == NULL ? 0 : c->space != 0 ? c->space : c->room;
}

int
tcp_recv(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf **out, uint32_t max)
{
	(void)ts;
	return fx_rcv_buf(NULL, id, out, max);
}

int
tcp_send(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf *m)
{
	(void)ts;
	return fx_snd_buf(NULL, id, m);
}

int
tcp_shutdown(struct tcp_stack *ts, tcp_id_t id)
{
	(void)ts;
	return fx_shutdown(NULL, id);
}

int
tcp_close(struct tcp_stack *ts, tcp_id_t id)
{
	(void)ts;
	return fx_close(NULL, id);
}

int
tcp_abort(struct tcp_stack *ts, tcp_id_t id)
{
	(void)ts;
	return fx_abort(NULL, id);
}

int
tcp_keep_readable(struct tcp_stack *ts, tcp_id_t id)
{
	struct fx_conn *c = must(id);

	(void)ts;
	if (c->keep_rc == 0)
		c->kept = true;
	return c->keep_rc;
}

int
tcp_unread(struct tcp_stack *ts, tcp_id_t id, struct rte_mbuf *m)
{
	struct fx_conn *c = must(id);
	size_t n = 0, back;
	uint8_t *tmp;

	(void)ts;
	/* the bytes go back in front of what is unread */
	for (struct rte_mbuf *s = m; s != NULL; s = s->next)
		n += s->data_len;
	back = c->rx_len - c->rx_off;
	tmp = malloc(n + back + 1u);
	assert_non_null(tmp);
	n = 0;
	for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
		memcpy(tmp + n, rte_pktmbuf_mtod(s, const void *), s->data_len);
		n += s->data_len;
	}
	memcpy(tmp + n, c->rx + c->rx_off, back);
	free(c->rx);
	c->rx = tmp;
	c->rx_cap = n + back + 1u;
	c->rx_len = n + back;
	c->rx_off = 0;
	c->unreads++;
	rte_pktmbuf_free(m);
	return 0;
}

int
tcp_conn_state(struct tcp_stack *ts, tcp_id_t id)
{
	struct fx_conn *c = fx_get(id);

	(void)ts;
	return c != NULL && c->tc != NULL ? c->state : -ENOTCONN;
}

struct tcp_conn *
tcp_conn_get(struct tcp_stack *ts, tcp_id_t id)
{
	struct fx_conn *c = fx_get(id);

	(void)ts;
	return c != NULL ? c->tc : NULL;
}

int
tcp_conn_set_app(struct tcp_stack *ts, tcp_id_t id, int app, void *arg)
{
	struct fx_conn *c = fx_get(id);

	(void)ts;
	if (c == NULL || c->tc == NULL)
		return -ENOTCONN;
	c->tc->app = (uint8_t)app;
	c->tc->app_arg = arg;
	return 0;
}

int
tcp_conn_set_rcv_limit(struct tcp_stack *ts, tcp_id_t id, uint32_t bytes, uint16_t segs)
{
	(void)ts;
	(void)bytes;
	(void)segs;
	return fx_get(id) != NULL ? 0 : -ENOTCONN;
}

int
tcp_conn_set_budget(struct tcp_stack *ts, tcp_id_t id, struct tcp_budget *b)
{
	(void)ts;
	(void)b;
	return fx_get(id) != NULL ? 0 : -ENOTCONN;
}

void
tcp_stack_forget_budgets(struct tcp_stack *ts)
{
	(void)ts;
}

int
tcp_conn_window_update(struct tcp_stack *ts, tcp_id_t id)
{
	(void)ts;
	return fx_get(id) != NULL ? 0 : -ENOTCONN;
}

/* Moving a connection to another worker: the tests keep one worker. */
int
tcp_conn_export(struct tcp_stack *ts, tcp_id_t id, struct tcp_conn *out)
{
	(void)ts;
	(void)id;
	(void)out;
	return -ENOTSUP;
}

int
tcp_conn_import(struct tcp_stack *ts, const struct tcp_conn *in, int app, void *arg,
		tcp_id_t *id)
{
	(void)ts;
	(void)in;
	(void)app;
	(void)arg;
	(void)id;
	return -ENOTSUP;
}

void
tcp_conn_export_free(struct tcp_conn *c)
{
	(void)c;
}

void
dp_tcp_keepalive(struct dp_worker *w, uint64_t id, const struct tp_conf_keepalive *k)
{
	(void)w;
	(void)k;
	must(id);
}

/* ---- dp ---------------------------------------------------------------------- */

struct rte_mbuf *
dp_alloc(struct dp_worker *w)
{
	return rte_pktmbuf_alloc(w->pool);
}

bool
dp_handoff_try(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t kind)
{
	(void)w;
	(void)owner;
	(void)m;
	(void)kind;
	return false;
}

int
dp_handoff_on_kind(struct dp_ctx *ctx, uint32_t kind, dp_handoff_fn fn)
{
	(void)ctx;
	(void)kind;
	(void)fn;
	return 0;
}

void
dp_handoff(struct dp_worker *w, unsigned int owner, struct rte_mbuf *m, uint32_t kind)
{
	(void)w;
	(void)owner;
	(void)kind;
	rte_pktmbuf_free(m);
}

/* ---- cp's end of the link ------------------------------------------------------ */

void
fx_cp_attach(struct dp_worker *w, uint64_t caps)
{
	struct ipc_shm *shm;

	fw_link_attach(w);
	shm = w->ctx->ipc.shm;
	shm->cp_epoch = 1;
	ipc_side_publish(&shm->cp_side, caps, 0, 0, 1);
	ipc_cp_set_ready(shm, true);
	w->now_ms = ipc_monotonic_ms();
}

void
fx_cp_detach(struct dp_worker *w)
{
	fw_link_detach(w);
}

void
fx_cp_beat(struct dp_worker *w)
{
	__atomic_store_n(&w->ctx->ipc.shm->cp_heartbeat_ms, w->now_ms, __ATOMIC_RELAXED);
}

void
fx_cp_send(struct dp_worker *w, struct ipc_msg *m)
{
	m->h.worker = (uint16_t)w->id;
	assert_int_equal(ipc_msg_check(m, IPC_CP2DP), 0);
	assert_int_equal(ipc_ring_enqueue(&w->cp.rings->to_dp, m), 0);
}

void
fx_cp_sync(struct dp_worker *w, uint64_t sync_id)
{
	static struct ipc_msg m;

	w->ctx->tsc_hz = 1000000u;
	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_SYNC;
	m.h.alloc_id = sync_id;
	fx_cp_send(w, &m);
}

bool
fx_cp_recv(struct dp_worker *w, struct ipc_msg *m)
{
	fx_cp_beat(w);
	if (ipc_ring_dequeue(&w->cp.rings->to_cp, m) != 1)
		return false;
	/* what dp sends passes cp's checks */
	assert_int_equal(ipc_msg_check(m, IPC_DP2CP), 0);
	return true;
}

void
fx_cp_event(struct dp_worker *w, fx_poll_fn poll, uint16_t kind, uint64_t alloc_id,
	    void *body, size_t n)
{
	static struct ipc_msg m;

	fx_cp_beat(w);
	poll(w, w->now_ms);
	assert_true(fx_cp_recv(w, &m));
	assert_int_equal(m.h.kind, kind);
	assert_int_equal(m.h.alloc_id, alloc_id);
	assert_true(n <= sizeof(m.body));
	memcpy(body, m.body, n);
}

void
fx_cp_no_event(struct dp_worker *w, fx_poll_fn poll)
{
	static struct ipc_msg m;

	fx_cp_beat(w);
	poll(w, w->now_ms);
	assert_false(fx_cp_recv(w, &m));
}

uint64_t
fx_ctr(const struct dp_worker *w, const struct dp_ctrs_family *const *fams,
       unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct dp_ctrs_family *f = fams[i];
		size_t plen = strlen(f->prefix);
		uint64_t v[256];

		assert_true(f->n <= 256);
		if (strncmp(name, f->prefix, plen) != 0)
			continue;
		for (unsigned int k = 0; k < f->n; k++)
			if (strcmp(f->desc[k].name, name + plen) == 0) {
				f->values(w, v);
				return v[k];
			}
	}
	fail_msg("no counter %s", name);
	return 0;
}
