/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's TURN clients in the set-up phase (RFC 8656 §7, §10, §11): each
 * client sends an Allocate without credentials, takes REALM and NONCE
 * from the 401 (RFC 8489 §9.2), sends the Allocate again with USERNAME,
 * REALM, NONCE and MESSAGE-INTEGRITY, and then a ChannelBind (or a
 * CreatePermission) for its own peer. Up to `window` clients have a
 * transaction in flight at once. Clients behave as RFC 8489 §6.2.1 has
 * them over UDP: a request unanswered after RTO (500 ms) is sent again
 * unchanged, then after 1 s, 2 s ... (7 sends in all), and the last one
 * is given 16 RTO (39.5 s in all) before the client gives up. A 500 (a
 * server shedding load, or one whose control process has been gone for
 * long) is tried again as a new transaction after 1 s, 2 s, 4 s ... (up to
 * 5 times). Both are counted and reported, so that a set-up figure says
 * how much of it was waiting. 438 Stale Nonce takes the new nonce and
 * retries. When nothing
 * arrives the loop sleeps 20 us, so that a control process sharing the
 * core (a 2-core test box) is not starved by our polling. The Allocates
 * and the binds are timed as two phases, so that the allocation rate is
 * that of authenticated Allocates alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_random.h>

#include "stun.h"
#include "tpgen.h"

#define GEN_RTO_MS    500u    /* RFC 8489 §6.2.1 */
#define GEN_MAX_TRIES 7u      /* Rc */
#define GEN_RM        16u     /* Rm: the last send waits Rm x RTO */
#define GEN_5XX_MS    1000u   /* first wait before a retry after a 5xx */
#define GEN_5XX_TRIES 5u

static void
new_tid(struct gen_client *c)
{
	for (unsigned int i = 0; i < sizeof(c->tid); i++)
		c->tid[i] = (uint8_t)rte_rand();
}

static void
stun_addr4(struct stun_addr *a, uint32_t ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = STUN_AF_IPV4;
	a->port = port;
	a->ip[0] = (uint8_t)(ip >> 24);
	a->ip[1] = (uint8_t)(ip >> 16);
	a->ip[2] = (uint8_t)(ip >> 8);
	a->ip[3] = (uint8_t)ip;
}

/* Build and send the request the client's state calls for. */
static int
send_request(struct gen *g, struct gen_client *c)
{
	uint8_t f[14 + 20 + 8 + 512];
	struct stun_builder b;
	struct stun_addr pa;
	uint16_t method;
	bool auth = c->state != CS_ALLOC_PLAIN;
	uint16_t len;
	int n;

	method = c->state == CS_BIND ?
		(g->use_channels ? STUN_METHOD_CHANNEL_BIND :
				   STUN_METHOD_CREATE_PERMISSION) :
		STUN_METHOD_ALLOCATE;
	stun_build_init(&b, f + 42, sizeof(f) - 42,
			stun_msg_type(method, STUN_CLASS_REQUEST), c->tid);
	if (method == STUN_METHOD_ALLOCATE) {
		stun_build_transport(&b, STUN_TRANSPORT_UDP);
		stun_build_u32(&b, STUN_ATTR_LIFETIME, g->lifetime);
	} else {
		stun_addr4(&pa, c->peer_ip, c->peer_port);
		if (g->use_channels)
			stun_build_channel(&b, c->channel);
		stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, &pa);
	}
	if (auth) {
		stun_build_str(&b, STUN_ATTR_USERNAME, g->user);
		stun_build_str(&b, STUN_ATTR_REALM, g->realm);
		stun_build_attr(&b, STUN_ATTR_NONCE, c->nonce, c->nonce_len);
		stun_build_integrity(&b, g->key, (size_t)g->key_len);
	}
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n < 0)
		return n;
	if (g->tcp_turn) {
		/* On a stream the request is not retransmitted: the client
		 * waits 39.5 s (RFC 8489 §6.2.2), then gives up. */
		c->tries = GEN_MAX_TRIES;
		c->deadline = rte_rdtsc() + g->hz * 39500u / 1000u;
		n = gen_tcp_send_msg(g, c, f + 42, (uint16_t)n);
		if (n == -ENOTCONN) {
			c->state = CS_FAILED;     /* no connection: no TURN */
		} else if (n < 0) {
			g->ctl_refused++;
		}
		return n;
	}
	gen_build_udp(g, f, c->ip, c->port, g->server_ip, g->server_port,
		      (uint16_t)n);
	/* UDP checksum 0: none (RFC 768), as cheap set-up traffic. The wait
	 * doubles with each send; the last one waits Rm x RTO. */
	c->deadline = rte_rdtsc() + g->hz * GEN_RTO_MS / 1000u *
		      (c->tries >= GEN_MAX_TRIES ? GEN_RM : 1u << (c->tries - 1));
	len = (uint16_t)(42 + n);
	n = gen_tx_frame(g, c->txq, f, len);
	if (n == -EAGAIN && g->ctl_hold_us > 0) {
		uint64_t t0 = rte_rdtsc(), end = t0 + g->hz * g->ctl_hold_us / 1000000u;

		g->ctl_held++;
		while (n == -EAGAIN && rte_rdtsc() < end)
			n = gen_tx_frame(g, c->txq, f, len);
		if (rte_rdtsc() - t0 > g->ctl_held_max_tsc)
			g->ctl_held_max_tsc = rte_rdtsc() - t0;
	}
	if (n < 0)
		g->ctl_refused++;    /* lost before the server: it retransmits */
	return n;
}

static void
start(struct gen *g, struct gen_client *c, enum gen_cstate st)
{
	c->state = (uint8_t)st;
	c->tries = 1;
	c->retries = 0;
	c->backoff = false;
	new_tid(c);
	send_request(g, c);
}

/* A 5xx: the same request again later, as a new transaction, after 1 s,
 * 2 s, 4 s ... (a quarter of it random, so that clients refused together
 * do not come back together). Returns false when the client gives up. */
static bool
retry_later(struct gen *g, struct gen_client *c)
{
	uint64_t ms;

	if (c->retries >= GEN_5XX_TRIES)
		return false;
	ms = (uint64_t)GEN_5XX_MS << c->retries;
	ms = ms - ms / 4 + rte_rand_max(ms / 4 + 1);
	c->retries++;
	c->backoff = true;
	c->deadline = rte_rdtsc() + g->hz * ms / 1000u;
	g->retries++;
	return true;
}

/* Take NONCE (and the realm, once) from an error answer. */
static int
take_nonce(struct gen *g, struct gen_client *c, const struct stun_msg *m)
{
	const struct stun_attr *na = stun_msg_find(m, STUN_ATTR_NONCE);
	const struct stun_attr *ra = stun_msg_find(m, STUN_ATTR_REALM);

	if (na == NULL || na->len >= GEN_NONCE_MAX)
		return -EBADMSG;
	memcpy(c->nonce, na->value, na->len);
	c->nonce_len = (uint8_t)na->len;
	if (g->key_len <= 0 && ra != NULL && ra->len < sizeof(g->realm)) {
		memcpy(g->realm, ra->value, ra->len);
		g->realm[ra->len] = '\0';
		g->key_len = stun_key_long_term(STUN_PWALG_MD5, g->user, g->realm,
						g->pass, g->key);
	}
	return g->key_len > 0 ? 0 : -EINVAL;
}

void
gen_turn_input(struct gen *g, uint32_t idx, const uint8_t *p, uint16_t len,
	       uint64_t now)
{
	struct gen_client *c = &g->c[idx];
	const struct stun_attr *ea;
	struct stun_msg m;
	struct stun_addr ra;
	uint16_t code = 0;
	const char *reason;
	uint16_t rlen;

	if (stun_msg_parse(&m, p, len, NULL) < 0 ||
	    memcmp(m.tid, c->tid, sizeof(c->tid)) != 0)
		return;        /* late answer to an earlier try, or noise */
	if (m.cls == STUN_CLASS_ERROR) {
		ea = stun_msg_find(&m, STUN_ATTR_ERROR_CODE);
		if (ea != NULL)
			stun_attr_get_error(ea, &code, &reason, &rlen);
		if (code >= 300 && code < 700)
			g->stun_err[code / 100]++;
	}
	if (c->backoff)
		return;        /* a late answer: the retry is already planned */
	switch (c->state) {
	case CS_ALLOC_PLAIN:
		if (m.cls == STUN_CLASS_ERROR && code >= 500 && code < 600 &&
		    retry_later(g, c))
			return;
		if (m.cls == STUN_CLASS_ERROR && code == 401 &&
		    take_nonce(g, c, &m) == 0) {
			start(g, c, CS_ALLOC_AUTH);
			return;
		}
		break;
	case CS_ALLOC_AUTH:
	case CS_BIND:
		if (m.cls == STUN_CLASS_ERROR && code >= 500 && code < 600 &&
		    retry_later(g, c))
			return;
		if (m.cls == STUN_CLASS_ERROR && code == 438 &&
		    take_nonce(g, c, &m) == 0 && c->retries < GEN_5XX_TRIES) {
			/* a new transaction with the new nonce */
			c->retries++;
			c->tries = 1;
			new_tid(c);
			send_request(g, c);
			return;
		}
		break;
	default:
		return;
	}
	if (m.cls == STUN_CLASS_SUCCESS && c->state == CS_ALLOC_AUTH) {
		const struct stun_attr *xa =
			stun_msg_find(&m, STUN_ATTR_XOR_RELAYED_ADDRESS);

		if (xa != NULL && stun_attr_get_addr(&m, xa, &ra) == 0 &&
		    ra.family == STUN_AF_IPV4) {
			c->relay_ip = (uint32_t)ra.ip[0] << 24 | (uint32_t)ra.ip[1] << 16 |
				      (uint32_t)ra.ip[2] << 8 | ra.ip[3];
			c->relay_port = ra.port;
			c->state = CS_ALLOCATED;
			c->t_done = now;
			return;
		}
	} else if (m.cls == STUN_CLASS_SUCCESS && c->state == CS_BIND) {
		c->state = CS_READY;
		return;
	}
	c->err = code;
	c->state = CS_FAILED;
}

void
gen_turn_start(struct gen *g, struct gen_client *c)
{
	start(g, c, CS_ALLOC_PLAIN);
}

void
gen_turn_start_with_nonce(struct gen *g, struct gen_client *c,
			  const char *nonce, uint8_t len)
{
	memcpy(c->nonce, nonce, len);
	c->nonce_len = len;
	start(g, c, CS_ALLOC_AUTH);
}

void
gen_turn_timer(struct gen *g, struct gen_client *c, uint64_t now)
{
	if (now <= c->deadline)
		return;
	if (c->backoff) {
		/* after a 5xx: a new transaction */
		c->backoff = false;
		c->tries = 1;
		new_tid(c);
		send_request(g, c);
	} else if (c->tries >= GEN_MAX_TRIES) {
		c->state = CS_FAILED;
		c->err = 408;   /* no answer */
	} else {
		c->tries++;
		c->rtx++;
		g->retransmits++;
		g->rtx_state[c->state]++;
		send_request(g, c);
	}
}

/*
 * Drive every client waiting for this phase (idle, or allocated for the
 * bind phase) through it, starting in state `first`, until each is in
 * `done` or failed. Returns the seconds it took.
 */
static double
phase(struct gen *g, enum gen_cstate first, enum gen_cstate done,
      unsigned int window, double timeout_s, uint32_t count, uint32_t *ok,
      uint32_t *failed)
{
	uint32_t *inflight = calloc(window, sizeof(*inflight));
	uint32_t nin = 0, next = 0;
	uint64_t t0 = rte_rdtsc(), end = t0 + (uint64_t)(timeout_s * (double)g->hz);
	uint64_t now = t0, next_scan = 0;

	*ok = *failed = 0;
	if (inflight == NULL)
		return -1;
	while ((next < count || nin > 0) && now < end && !gen_stop) {
		/* Fill the window. */
		while (nin < window && next < count) {
			struct gen_client *c = &g->c[next];

			if (c->state == (first == CS_ALLOC_PLAIN ? CS_IDLE : CS_ALLOCATED)) {
				start(g, c, first);
				inflight[nin++] = next;
			}
			next++;
		}
		/* On a small box the server's control process may share our
		 * core: when nothing came in, step aside for a moment. */
		if (gen_rx_poll(g, now) == 0)
			rte_delay_us_sleep(20);
		now = rte_rdtsc();
		if (now < next_scan)
			continue;
		next_scan = now + g->hz / 1000;
		/* Retire what finished; send again what timed out. */
		for (uint32_t k = 0; k < nin;) {
			struct gen_client *c = &g->c[inflight[k]];

			if (c->state == done || c->state == CS_FAILED) {
				if (c->state == done)
					(*ok)++;
				else
					(*failed)++;
				inflight[k] = inflight[--nin];
				continue;
			}
			gen_turn_timer(g, c, now);
			if (c->state == CS_FAILED)
				continue;   /* retired on the next scan */
			k++;
		}
	}
	for (uint32_t k = 0; k < nin; k++) {
		struct gen_client *c = &g->c[inflight[k]];

		if (c->state == done) {
			(*ok)++;
		} else {
			c->state = CS_FAILED;
			(*failed)++;
		}
	}
	free(inflight);
	return (double)(rte_rdtsc() - t0) / (double)g->hz;
}

int
gen_turn_setup(struct gen *g, unsigned int window, double timeout_s,
	       uint32_t count, FILE *out)
{
	uint32_t aok, afail, bok, bfail;
	uint64_t art, are, brt, bre;
	double at, bt;
	uint16_t first_err = 0;
	uint32_t tok = 0, tfail = 0;
	double tt = 0;

	if (window == 0)
		window = 1;
	if (count == 0 || count > g->nclients)
		count = g->nclients;
	if (g->tcp_turn)
		gen_tcp_turn_connect(g, count, window, timeout_s, &tok, &tfail, &tt);
	memset(g->stun_err, 0, sizeof(g->stun_err));
	g->retransmits = g->retries = 0;
	at = phase(g, CS_ALLOC_PLAIN, CS_ALLOCATED, window, timeout_s, count, &aok,
		   &afail);
	art = g->retransmits;
	are = g->retries;
	bt = phase(g, CS_BIND, CS_READY, window, timeout_s, count, &bok, &bfail);
	brt = g->retransmits - art;
	bre = g->retries - are;
	if (g->fresh < count)
		g->fresh = count;
	for (uint32_t i = 0; i < count && first_err == 0; i++)
		if (g->c[i].state == CS_FAILED)
			first_err = g->c[i].err;
	gen_assign_queues(g);
	fprintf(out, "{\"allocs\":%u,\"alloc_ok\":%u,\"alloc_failed\":%u,"
		"\"alloc_secs\":%.6f,\"allocs_per_s\":%.1f,\"bind_ok\":%u,"
		"\"bind_failed\":%u,\"bind_secs\":%.6f,\"binds_per_s\":%.1f,"
		"\"first_error\":%u,\"errors_4xx\":%" PRIu64 ",\"errors_5xx\":%" PRIu64
		",\"alloc_retransmits\":%" PRIu64 ",\"alloc_retries\":%" PRIu64
		",\"bind_retransmits\":%" PRIu64 ",\"bind_retries\":%" PRIu64
		",\"realm\":\"%s\",\"tcp_ok\":%u,\"tcp_failed\":%u,"
		"\"tcp_secs\":%.6f}\n",
		count, aok, afail, at, at > 0 ? aok / at : 0.0, bok, bfail, bt,
		bt > 0 ? bok / bt : 0.0, first_err, g->stun_err[4], g->stun_err[5],
		art, are, brt, bre, g->realm, tok, tfail, tt);
	fflush(out);
	return afail == 0 && bfail == 0 ? 0 : -EIO;
}
