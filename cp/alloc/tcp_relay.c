/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's side of RFC 6062 (TURN-TCP): the decisions on Connect and
 * ConnectionBind, the CONNECTION-IDs, ConnectionAttempt, the 30-second
 * timers, and what dp reports of the peer connections (TCP_EVENT).
 *
 * A peer connection is a record here (struct cp_tconn) from the Connect
 * that asks for it (or dp's word that a peer connected in) until dp says
 * it is gone, the bind timer ends it, or its allocation goes. cp names it
 * by its CONNECTION-ID (32 bits from OpenSSL's CSPRNG, never 0, unique
 * among the records: RFC 6062 §5.2 wants it unguessable, since whoever
 * knows it and the user's credentials can bind it), dp by its connection
 * id (the worker holding it, its slot, a generation). Records are found
 * three ways: by CONNECTION-ID (ConnectionBind), by dp's id (events, which
 * may come before dp knows the CONNECTION-ID of a peer that connected
 * in) and by allocation (446, and §5.5: an allocation's end ends its
 * connections). Each is a chain table of CP_TCONN_HEADS heads.
 *
 * What dp is told (lib/ipc): TCP_CONNECT to the allocation's worker,
 * TCP_BIND (with the ConnectionBind's signed answer) and TCP_CLOSE to the
 * worker holding the peer connection (which, once bound, is its data
 * connection's: dp/tcprelay moves it there).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "alloc_internal.h"
#include "stun.h"
#include "tp_log.h"

#define CP_TCONN_HEADS      4096u
#define CP_TCONN_MAX        (1u << 20)  /* records at most (a peer flood's bound) */
#define CP_TCONN_PER_ALLOC  64u         /* connections an allocation holds */
#define CP_TCP_BIND_MS      30000u      /* RFC 6062 §5.2, §5.3 */
/* A Connect dp never answered (a dp that restarted): 447 after this. dp's
 * own SYN timeout answers first (RFC 6062 §5.2: at least 30 s). */
#define CP_TCP_CONNECT_MS   75000u
/* A bind dp never confirmed (BOUND lost, dp gone): closed after this. */
#define CP_TCP_BINDING_MS   10000u

enum cp_tconn_state {
	CP_TC_CONNECTING = 1,     /* Connect sent to dp, no answer yet */
	CP_TC_WAIT_BIND,          /* up (out or in), no ConnectionBind yet */
	CP_TC_BINDING,            /* TCP_BIND sent */
	CP_TC_BOUND,
};

struct cp_tconn {
	struct cp_tconn *next_cid, *next_peer, *next_alloc;
	uint64_t alloc_id;
	uint64_t peer;                /* dp's connection; 0 while connecting */
	uint32_t cid;
	uint8_t state;                /* enum cp_tconn_state */
	uint8_t incoming;
	uint16_t worker;              /* holding peer (or asked to connect) */
	struct ipc_addr addr;         /* the peer */
	struct tw_timer timer;
	/* A Connect's answer waits for dp's (CONNECTING): where it goes and
	 * what signs it (the request's key; RFC 8489 §9.2.4). */
	struct ipc_tuple tuple;
	uint16_t req_worker;
	uint8_t tid[CP_TID_LEN];
	uint8_t key_len;
	uint8_t mi_sha256;
	uint8_t key[CP_AUTH_KEY_MAX];
};

struct cp_tcprelay {
	struct cp_tconn *by_cid[CP_TCONN_HEADS];
	struct cp_tconn *by_peer[CP_TCONN_HEADS];
	struct cp_tconn *by_alloc[CP_TCONN_HEADS];
	uint32_t n;
};

static struct cp_ctx *g_tcp_cp;       /* the timers' way back to cp */

/* c's news to cp/alloc's observers (lawful interception's X2), while its
 * allocation lives; b: a closed one's bytes. */
static void
tconn_news(struct cp_ctx *cp, const struct cp_tconn *c, unsigned int news, const uint64_t *b)
{
	const struct cp_alloc *a = cpa_alloc_by_id(cp, c->alloc_id);

	if (a != NULL)
		cpa_observers(cp, &(struct cp_alloc_ev){ .type = CP_ALLOC_EV_TCP_CONN, .a = a,
			      .peer = &c->addr, .tcp = (uint8_t)news, .conn = c->cid, .b = b });
}

static uint32_t
h64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (uint32_t)v & (CP_TCONN_HEADS - 1u);
}

static struct cp_tcprelay *
tr_get(struct cp_ctx *cp)
{
	if (cp->alloc->tcprelay == NULL)
		cp->alloc->tcprelay = calloc(1, sizeof(*cp->alloc->tcprelay));
	g_tcp_cp = cp;
	return cp->alloc->tcprelay;
}

static struct cp_tconn *
by_cid(struct cp_tcprelay *tr, uint32_t cid)
{
	for (struct cp_tconn *c = tr->by_cid[h64(cid)]; c != NULL; c = c->next_cid)
		if (c->cid == cid)
			return c;
	return NULL;
}

static struct cp_tconn *
by_peer(struct cp_tcprelay *tr, uint64_t peer)
{
	for (struct cp_tconn *c = tr->by_peer[h64(peer)]; c != NULL; c = c->next_peer)
		if (c->peer == peer)
			return c;
	return NULL;
}

static void
peer_link(struct cp_tcprelay *tr, struct cp_tconn *c, uint64_t peer)
{
	uint32_t h = h64(peer);

	c->peer = peer;
	c->next_peer = tr->by_peer[h];
	tr->by_peer[h] = c;
}

static void
unlink_from(struct cp_tconn **head, struct cp_tconn *c, size_t off)
{
	for (struct cp_tconn **pp = head; *pp != NULL;
	     pp = (struct cp_tconn **)(void *)((char *)*pp + off))
		if (*pp == c) {
			*pp = *(struct cp_tconn **)(void *)((char *)c + off);
			return;
		}
}

static void tconn_timer(struct tw_timer *t, void *arg);

/* A new record with a fresh CONNECTION-ID; NULL: no memory, too many,
 * or the CSPRNG failed. */
static struct cp_tconn *
tconn_new(struct cp_ctx *cp, const struct cp_alloc *a, const struct ipc_addr *addr)
{
	struct cp_tcprelay *tr = tr_get(cp);
	struct cp_tconn *c;
	uint32_t cid = 0, h;

	if (tr == NULL || tr->n >= CP_TCONN_MAX)
		return NULL;
	for (unsigned int tries = 0; tries < 8 && cid == 0; tries++)
		if (RAND_bytes((unsigned char *)&cid, sizeof(cid)) != 1 || by_cid(tr, cid))
			cid = 0;
	if (cid == 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cid = cid;
	c->alloc_id = a->id;
	c->worker = a->worker;
	c->addr = *addr;
	tw_timer_init(&c->timer, tconn_timer, c);
	h = h64(cid);
	c->next_cid = tr->by_cid[h];
	tr->by_cid[h] = c;
	h = h64(a->id);
	c->next_alloc = tr->by_alloc[h];
	tr->by_alloc[h] = c;
	tr->n++;
	return c;
}

static void
tconn_free(struct cp_ctx *cp, struct cp_tconn *c)
{
	struct cp_tcprelay *tr = cp->alloc->tcprelay;

	tw_del(&cp->wheel, &c->timer);
	unlink_from(&tr->by_cid[h64(c->cid)], c, offsetof(struct cp_tconn, next_cid));
	unlink_from(&tr->by_alloc[h64(c->alloc_id)], c, offsetof(struct cp_tconn, next_alloc));
	if (c->peer != 0)
		unlink_from(&tr->by_peer[h64(c->peer)], c, offsetof(struct cp_tconn, next_peer));
	tr->n--;
	free(c);
}

static void
tconn_arm(struct cp_ctx *cp, struct cp_tconn *c, uint32_t ms)
{
	tw_del(&cp->wheel, &c->timer);
	tw_add(&cp->wheel, &c->timer, cpa_ms_to_tick(cp, cp->now_ms + ms));
}

/* TCP_CONNECT, TCP_BIND (with resp), TCP_CLOSE to worker w. */
static void
send_tcp(struct cp_ctx *cp, unsigned int w, uint16_t kind, const struct cp_tconn *c,
	 const struct ipc_tuple *tu, bool ok, const uint8_t *resp, int resp_len)
{
	static struct ipc_msg m;
	struct ipc_tcp_conn x;

	if (resp_len < 0 || (size_t)resp_len > sizeof(m.body) - sizeof(x))
		return;
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = kind;
	m.h.alloc_id = c->alloc_id;
	if (tu != NULL)
		m.h.tuple = *tu;
	memset(&x, 0, sizeof(x));
	x.cid = c->cid;
	x.ok = ok;
	x.peer = kind == IPC_TCP_CONNECT ? 0 : c->peer;
	x.addr = c->addr;
	x.resp_len = (uint16_t)resp_len;
	memcpy(m.body, &x, sizeof(x));
	if (resp_len > 0)
		memcpy(m.body + sizeof(x), resp, (size_t)resp_len);
	m.h.body_len = (uint16_t)(sizeof(x) + (size_t)resp_len);
	cpa_send_msg(cp, w, &m);
}

/* End c in dp (if dp holds it) and here. */
static void
tconn_close(struct cp_ctx *cp, struct cp_tconn *c)
{
	if (c->peer != 0)
		send_tcp(cp, c->worker, IPC_TCP_CLOSE, c, NULL, false, NULL, 0);
	tconn_free(cp, c);
}

/* ---- the Connect's answer, once dp has one ---------------------------- */

static void
connect_answer(struct cp_ctx *cp, struct cp_tconn *c, uint16_t code)
{
	struct cp_auth_result auth;
	struct stun_builder b;
	uint8_t buf[512];
	uint16_t type = stun_msg_type(STUN_METHOD_CONNECT,
				      code == 0 ? STUN_CLASS_SUCCESS : STUN_CLASS_ERROR);

	memset(&auth, 0, sizeof(auth));
	auth.key_len = c->key_len;
	auth.mi_sha256 = c->mi_sha256;
	memcpy(auth.key, c->key, sizeof(auth.key));
	stun_build_init(&b, buf, sizeof(buf), type, c->tid);
	if (code == 0) {
		stun_build_u32(&b, STUN_ATTR_CONNECTION_ID, c->cid);
	} else {
		stun_build_error(&b, code, NULL);
		cp->stats[CP_STAT_ERRORS]++;
		cp_count_error(cp, code);
	}
	stun_build_str(&b, STUN_ATTR_SOFTWARE, cp->conf->turn.software);
	cp_auth_sign(&b, &auth);
	stun_build_fingerprint(&b);
	cpa_send_response(cp, c->req_worker, &c->tuple, buf, stun_build_finish(&b));
	/* the key is not kept past the answer it signs */
	memset(c->key, 0, sizeof(c->key));
	c->key_len = 0;
}

static void
tconn_timer(struct tw_timer *t, void *arg)
{
	struct cp_ctx *cp = g_tcp_cp;
	struct cp_tconn *c = arg;

	(void)t;
	if (c->state == CP_TC_CONNECTING) {
		/* dp never answered (it restarted meanwhile) */
		cp->stats[CP_STAT_TCP_CONNECT_FAILED]++;
		connect_answer(cp, c, STUN_ERR_CONNECTION_TIMEOUT);
		tconn_free(cp, c);
		return;
	}
	if (c->state == CP_TC_BOUND)
		return;
	/* RFC 6062 §5.2, §5.3: no ConnectionBind within 30 s (or dp never
	 * said how the bind went): the peer connection goes. */
	cp->stats[CP_STAT_TCP_BIND_TIMEOUT]++;
	tp_log(TP_LOG_DEBUG, "connection %u of allocation %llu: no ConnectionBind in 30 s",
	       c->cid, (unsigned long long)c->alloc_id);
	tconn_close(cp, c);
}

/* ---- Allocate (RFC 6062 §5.1) --------------------------------------- */

uint16_t
cpa_tcp_allocate_check(struct req_ctx *r)
{
	const struct stun_msg *req = r->req;

	/* over TCP or TLS only */
	if (r->msg->h.tuple.transport != STUN_TRANSPORT_TCP)
		return STUN_ERR_BAD_REQUEST;
	if (stun_msg_find(req, STUN_ATTR_DONT_FRAGMENT) != NULL ||
	    stun_msg_find(req, STUN_ATTR_EVEN_PORT) != NULL ||
	    stun_msg_find(req, STUN_ATTR_RESERVATION_TOKEN) != NULL)
		return STUN_ERR_BAD_REQUEST;
	/* a dp that does not relay over TCP */
	if (!(ipc_peer_caps(r->cp->seg.shm, false, r->cp->now_ms) & IPC_CAP_TCP_RELAY))
		return STUN_ERR_UNSUPPORTED_TRANSPORT;
	return 0;
}

/* ---- Connect (§5.2) --------------------------------------------------- */

static unsigned int
alloc_conns(struct cp_tcprelay *tr, uint64_t alloc_id, const struct ipc_addr *addr,
	    struct cp_tconn **same)
{
	unsigned int n = 0;

	*same = NULL;
	if (tr == NULL)
		return 0;
	for (struct cp_tconn *c = tr->by_alloc[h64(alloc_id)]; c != NULL; c = c->next_alloc) {
		if (c->alloc_id != alloc_id)
			continue;
		n++;
		if (addr != NULL && c->addr.family == addr->family && c->addr.port == addr->port &&
		    memcmp(c->addr.ip, addr->ip, 16) == 0)
			*same = c;
	}
	return n;
}

void
cpa_tcp_connect(struct req_ctx *r)
{
	struct cp_ctx *cp = r->cp;
	struct cp_alloc *a = need_alloc(r);
	const struct stun_attr *pa;
	struct cp_tconn *c, *same;
	struct ipc_addr peer;
	uint16_t code;

	if (a == NULL)
		return;                        /* 437, 441 */
	if (!a->tcp) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	pa = stun_msg_find(r->req, STUN_ATTR_XOR_PEER_ADDRESS);
	if (pa == NULL) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	/* policy on the canonical address (the CVE-2020-26262 class), and a
	 * family we relay (443); a port is needed to connect */
	code = peer_check(r, a, pa, false, &peer);
	if (code != 0) {
		reply_error(r, code, NULL);
		return;
	}
	if (alloc_conns(cp->alloc->tcprelay, a->id, &peer, &same) >= CP_TCONN_PER_ALLOC) {
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
		return;
	}
	if (same != NULL) {
		/* A retransmission of the Connect under way is answered when
		 * dp answers; any other: 446 (pending or active). */
		if (same->state == CP_TC_CONNECTING && memcmp(same->tid, r->req->tid,
							      CP_TID_LEN) == 0)
			return;
		reply_error(r, STUN_ERR_CONNECTION_ALREADY_EXISTS, NULL);
		return;
	}
	c = tconn_new(cp, a, &peer);
	if (c == NULL) {
		reply_error(r, STUN_ERR_INSUFFICIENT_CAPACITY, NULL);
		return;
	}
	c->state = CP_TC_CONNECTING;
	c->tuple = r->msg->h.tuple;
	c->req_worker = (uint16_t)r->worker;
	memcpy(c->tid, r->req->tid, CP_TID_LEN);
	c->key_len = r->auth.key_len;
	c->mi_sha256 = r->auth.mi_sha256;
	memcpy(c->key, r->auth.key, sizeof(c->key));
	tconn_arm(cp, c, CP_TCP_CONNECT_MS);
	send_tcp(cp, a->worker, IPC_TCP_CONNECT, c, &a->tuple, false, NULL, 0);
	tp_log(TP_LOG_DEBUG, "allocation %llu: Connect, connection %u",
	       (unsigned long long)a->id, c->cid);
}

/* ---- ConnectionBind (§5.4) --------------------------------------------- */

void
cpa_tcp_bind(struct req_ctx *r)
{
	struct cp_ctx *cp = r->cp;
	const struct stun_attr *ca = stun_msg_find(r->req, STUN_ATTR_CONNECTION_ID);
	struct cp_tconn *c;
	struct cp_alloc *a;
	struct stun_builder b;
	uint8_t buf[512];
	uint32_t cid = 0;

	/* on a TCP (or TLS) connection of its own: not UDP, not the
	 * control connection (one with an allocation) */
	if (r->msg->h.tuple.transport != STUN_TRANSPORT_TCP ||
	    cpa_alloc_by_tuple(cp, &r->msg->h.tuple) != NULL || ca == NULL ||
	    stun_attr_get_u32(ca, &cid) < 0 || cp->alloc->tcprelay == NULL ||
	    (c = by_cid(cp->alloc->tcprelay, cid)) == NULL || c->state != CP_TC_WAIT_BIND ||
	    (a = cpa_alloc_by_id(cp, c->alloc_id)) == NULL) {
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	/* the allocation's own client only (RFC 8656 §5's rule for its
	 * requests, cpa_own_client(): for one a token made, the key of its
	 * session or the one it was made with, not any token of the same
	 * kid); another's id is answered as an unknown one is (§5.4's 400):
	 * 441 would tell a stranger that the id is live, an oracle for
	 * guessing other users' connections. A user is (tenant, name): the
	 * same name reaching another tenant's address is another user. */
	if (a->tenant != r->tenant || !cpa_own_client(r, a, false)) {
		cp->stats[CP_STAT_TCP_BIND_OTHER_USER]++;
		reply_error(r, STUN_ERR_BAD_REQUEST, NULL);
		return;
	}
	reply_begin(r, &b, buf, sizeof(buf));
	stun_build_str(&b, STUN_ATTR_SOFTWARE, cp->conf->turn.software);
	cp_auth_sign(&b, &r->auth);
	stun_build_fingerprint(&b);
	c->state = CP_TC_BINDING;
	/* a bind taken at 29.9 s is not closed at 30 s: dp's BOUND ends this */
	tconn_arm(cp, c, CP_TCP_BINDING_MS);
	send_tcp(cp, c->worker, IPC_TCP_BIND, c, &r->msg->h.tuple, true, buf,
		 stun_build_finish(&b));
	cp->stats[CP_STAT_TCP_BINDS]++;
}

/* ---- what dp says ------------------------------------------------------ */

/* A peer connected in (§5.3): dp checked the permission; a CONNECTION-ID,
 * ConnectionAttempt to the client, the bind timer. */
static void
incoming(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg,
	 const struct ipc_tcp_event *e)
{
	struct cp_alloc *a = cpa_alloc_by_id(cp, msg->h.alloc_id);
	struct cp_tconn *c, *same;
	struct stun_builder b;
	struct stun_addr sa;
	uint8_t buf[256], tid[CP_TID_LEN];

	if (a == NULL || !a->tcp ||
	    alloc_conns(cp->alloc->tcprelay, a->id, NULL, &same) >= CP_TCONN_PER_ALLOC ||
	    RAND_bytes(tid, sizeof(tid)) != 1 || (c = tconn_new(cp, a, &e->addr)) == NULL) {
		struct cp_tconn tmp;

		memset(&tmp, 0, sizeof(tmp));
		tmp.alloc_id = msg->h.alloc_id;
		tmp.peer = e->peer;
		tmp.cid = 1;                  /* (the message needs one) */
		send_tcp(cp, w, IPC_TCP_CLOSE, &tmp, NULL, false, NULL, 0);
		cp->stats[CP_STAT_TCP_REFUSED]++;
		return;
	}
	c->incoming = 1;
	c->state = CP_TC_WAIT_BIND;
	c->worker = (uint16_t)w;
	peer_link(cp->alloc->tcprelay, c, e->peer);
	tconn_arm(cp, c, CP_TCP_BIND_MS);
	/* dp keeps the name for a cp that restarts before the bind */
	send_tcp(cp, w, IPC_TCP_NAME, c, NULL, false, NULL, 0);
	stun_build_init(&b, buf, sizeof(buf),
			stun_msg_type(STUN_METHOD_CONNECTION_ATTEMPT, STUN_CLASS_INDICATION), tid);
	cpa_stun_from_ipc(&sa, &e->addr);
	stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &sa);
	stun_build_u32(&b, STUN_ATTR_CONNECTION_ID, c->cid);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, cp->conf->turn.software);
	stun_build_fingerprint(&b);
	cpa_send_response(cp, a->worker, &a->tuple, buf, stun_build_finish(&b));
	cp->stats[CP_STAT_TCP_ATTEMPTS]++;
	tconn_news(cp, c, CP_ALLOC_TCP_IN, NULL);
}

void
cpa_tcp_event(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	const struct ipc_tcp_event *e = (const void *)msg->body;
	struct cp_tcprelay *tr = tr_get(cp);
	const uint64_t gone[4] = { e->client_in, e->bytes_out, e->bytes_in, e->client_out };
	struct cp_tconn *c;

	if (tr == NULL)
		return;
	if (e->type == IPC_TCP_EV_INCOMING) {
		incoming(cp, w, msg, e);
		return;
	}
	/* what it relayed counts whether cp still keeps it or not (its
	 * allocation's end ends it: the GONE comes after) */
	if (e->type == IPC_TCP_EV_GONE)
		cp_alloc_tcp_gone(cp, msg->h.alloc_id, gone);
	c = e->cid != 0 ? by_cid(tr, e->cid) : by_peer(tr, e->peer);
	if (c == NULL || c->alloc_id != msg->h.alloc_id) {
		/* a connection cp no longer keeps (its allocation went, its
		 * timer fired): dp ends it */
		if (e->type == IPC_TCP_EV_CONNECTED || e->type == IPC_TCP_EV_BOUND) {
			struct cp_tconn tmp;

			memset(&tmp, 0, sizeof(tmp));
			tmp.alloc_id = msg->h.alloc_id;
			tmp.peer = e->peer;
			tmp.cid = e->cid;
			send_tcp(cp, w, IPC_TCP_CLOSE, &tmp, NULL, false, NULL, 0);
		}
		return;
	}
	switch (e->type) {
	case IPC_TCP_EV_CONNECTED:
		if (c->state != CP_TC_CONNECTING)
			break;
		c->state = CP_TC_WAIT_BIND;
		c->worker = (uint16_t)w;
		peer_link(tr, c, e->peer);
		tconn_arm(cp, c, CP_TCP_BIND_MS);
		cp->stats[CP_STAT_TCP_CONNECT_OK]++;
		connect_answer(cp, c, 0);
		tconn_news(cp, c, CP_ALLOC_TCP_UP, NULL);
		break;
	case IPC_TCP_EV_FAILED:
		if (c->state != CP_TC_CONNECTING)
			break;
		cp->stats[CP_STAT_TCP_CONNECT_FAILED]++;
		connect_answer(cp, c, STUN_ERR_CONNECTION_TIMEOUT);
		tconn_free(cp, c);
		break;
	case IPC_TCP_EV_BOUND:
		/* the peer connection now lives with its data connection */
		c->state = CP_TC_BOUND;
		c->worker = (uint16_t)w;
		if (c->peer != e->peer) {
			unlink_from(&tr->by_peer[h64(c->peer)], c,
				    offsetof(struct cp_tconn, next_peer));
			peer_link(tr, c, e->peer);
		}
		tw_del(&cp->wheel, &c->timer);
		tconn_news(cp, c, CP_ALLOC_TCP_BOUND, NULL);
		break;
	case IPC_TCP_EV_GONE:
		if (c->state == CP_TC_CONNECTING)
			break;
		tconn_news(cp, c, CP_ALLOC_TCP_CLOSED, gone);
		tconn_free(cp, c);
		break;
	default:
		break;
	}
}

/*
 * A restarted cp's SYNC: dp gives back each live peer connection
 * (TCP_STATE) with the CONNECTION-ID the client knows, so that a bind the
 * client makes after the restart finds it and the allocation's end still
 * ends it. One waiting for its bind gets a fresh 30 s (how long it has
 * waited is not known). One cp never named (it restarted between dp's
 * INCOMING and its answer) is an incoming one now: a ConnectionAttempt.
 */
void
cpa_tcp_state(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	const struct ipc_tcp_event *e = (const void *)msg->body;
	struct cp_tcprelay *tr = tr_get(cp);
	struct cp_alloc *a = cpa_alloc_by_id(cp, msg->h.alloc_id), fake;
	struct cp_tconn *c;

	if (tr == NULL)
		return;
	if (e->type == IPC_TCP_EV_INCOMING) {
		incoming(cp, w, msg, e);
		return;
	}
	if (by_cid(tr, e->cid) != NULL || by_peer(tr, e->peer) != NULL)
		return;                       /* (a SYNC asked twice) */
	/* a bound one may be reported by its new worker before its
	 * allocation's worker gave the allocation back */
	if (a == NULL) {
		memset(&fake, 0, sizeof(fake));
		fake.id = msg->h.alloc_id;
		fake.worker = (uint16_t)w;
		a = &fake;
	}
	c = tconn_new(cp, a, &e->addr);
	if (c == NULL)
		return;
	/* the client's CONNECTION-ID, not the fresh one tconn_new drew */
	unlink_from(&tr->by_cid[h64(c->cid)], c, offsetof(struct cp_tconn, next_cid));
	c->cid = e->cid;
	c->next_cid = tr->by_cid[h64(c->cid)];
	tr->by_cid[h64(c->cid)] = c;
	c->worker = (uint16_t)w;
	peer_link(tr, c, e->peer);
	if (e->type == IPC_TCP_EV_BOUND) {
		c->state = CP_TC_BOUND;
	} else {
		c->state = CP_TC_WAIT_BIND;
		tconn_arm(cp, c, CP_TCP_BIND_MS);
	}
	cp->stats[CP_STAT_TCP_RESTORED]++;
}

void
cpa_tcp_alloc_gone(struct cp_ctx *cp, struct cp_alloc *a)
{
	struct cp_tcprelay *tr = cp->alloc->tcprelay;
	struct cp_tconn *c, *next;

	if (tr == NULL)
		return;
	for (c = tr->by_alloc[h64(a->id)]; c != NULL; c = next) {
		next = c->next_alloc;
		if (c->alloc_id != a->id)
			continue;
		if (c->state == CP_TC_CONNECTING)
			connect_answer(cp, c, STUN_ERR_CONNECTION_TIMEOUT);
		tconn_close(cp, c);
	}
}

unsigned int
cp_tcp_conns(const struct cp_ctx *cp)
{
	return cp->alloc != NULL && cp->alloc->tcprelay != NULL ? cp->alloc->tcprelay->n : 0;
}

void
cp_tcp_fini(struct cp_ctx *cp)
{
	struct cp_tcprelay *tr = cp->alloc != NULL ? cp->alloc->tcprelay : NULL;

	if (tr == NULL)
		return;
	for (unsigned int h = 0; h < CP_TCONN_HEADS; h++) {
		struct cp_tconn *c = tr->by_cid[h], *next;

		for (; c != NULL; c = next) {
			next = c->next_cid;
			free(c);
		}
	}
	free(tr);
	cp->alloc->tcprelay = NULL;
}
