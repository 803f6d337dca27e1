/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's TCP side: the generator hosts dp's own
 * TCP stack (dp/tcp), one tcp_stack on its lcore with a lib/timer wheel of
 * 1 ms ticks, its segments framed here (Ethernet, IPv4) and sent on queue
 * 0 in bursts, received segments handed to tcp_input() by gen_rx_poll().
 * dp's stack is proven against the kernel's by tests/integration; here it
 * is only the generator's. Received checksums are not verified: the link
 * is a memory copy (memif) or the kernel's own tap, and the generator is
 * not what is measured (the cost would be the generator's).
 *
 * Three uses:
 *   - TURN over TCP (--tcp-turn): each client opens a connection to the
 *     server and speaks TURN on it (RFC 8656 §3.1, REQUESTED-TRANSPORT
 *     UDP: peers stay UDP); requests and ChannelData are framed on the
 *     stream, ChannelData padded to 4 bytes (RFC 8656 §12.5). What the
 *     server sends is reassembled per client and handed to
 *     gen_turn_input() (STUN) or gen_traffic_input() (ChannelData).
 *   - tcpconn: new connections per second against an echo server: open
 *     (a window of them at once), optionally send req bytes, half-close;
 *     a connection is done when the server's FIN arrives after its echo.
 *   - tcpbulk: N connections each keep their send queue full of chunks
 *     and read what is echoed; goodput is the bytes echoed back.
 *   - the access gateway's legs (tpgen_agw.c: its own application on
 *     this stack, gen_tcp_open() for its connections).
 *   - TLS (--tls, tpgen_tls.c): TURN over TLS (--tls-turn: the same TURN
 *     clients, their stream through OpenSSL; ChannelData one record a
 *     frame, or gathered into records of `record` bytes for the bulk
 *     benchmark), and tlsconn: TLS handshakes a second, full or resumed.
 *   - tlsku: connections that each send a Binding request over
 *     TLS (the server's first message) and then, on command, KeyUpdates;
 *     the sender's TSC cycles per KeyUpdate are counted (its own work to
 *     make one, not its TCP), to be held against dp's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <openssl/ssl.h>

#include "stun.h"
#include "tcp.h"
#include "tpgen.h"
#include "tw.h"

#define GEN_TCP_BUF     2048u     /* the largest TURN frame taken */
/* A client's receive buffer: what is left of a frame (< GEN_TCP_BUF) and
 * what one tcp_recv() of GEN_TCP_BUF bytes returns (it returns at least
 * one whole segment, an MSS at most, even past its max). */
#define GEN_TCP_RBUF    (2u * GEN_TCP_BUF)
#define GEN_TCP_TXB     512u      /* segments held for the link */
#define GEN_TCP_BURST   64u
#define GEN_TCP_MBUFS   65535u

struct gen_tcp_client {
	tcp_id_t id;
	bool up;                  /* connected (over TLS: handshake done) */
	bool dead;                /* closed or failed */
	uint16_t have;            /* bytes in buf */
	uint8_t buf[GEN_TCP_RBUF];
	struct gen_tls *tls;      /* --tls-turn */
	uint8_t *gbuf;            /* ChannelData gathered for a record */
	uint32_t glen;
};

#define GEN_TLS_RECORD_MAX 16384u
#define GEN_TLS_TICKET_WAIT_MS 200u /* then close without a ticket */

/* tlsku: one connection. */
struct gen_ku {
	tcp_id_t id;              /* 0: ended */
	struct gen_tls *tls;
	bool asked;               /* its Binding request sent ... */
	bool up;                  /* ... and answered */
	bool lean;                /* KeyUpdates built by hand from now on */
};

/* tlsconn: a slot of the window; its ticket outlives its connection. */
struct gen_tls_slot {
	struct gen_tls *tls;
	SSL_SESSION *sess;        /* the last connection's ticket */
	uint64_t hs_tsc;          /* handshake done (waiting for the ticket) */
	bool closing;             /* close_notify and FIN sent */
};

struct gen_tcp {
	struct tcp_stack *ts;
	struct tw_wheel wheel;
	struct rte_mempool *pool;
	int app_turn, app_conn, app_bulk, app_tls, app_ku;
	uint64_t t0, ms_tsc, next_tsc;
	struct rte_mbuf *txb[GEN_TCP_TXB];
	uint16_t ntx;
	uint64_t tx_segs, rx_segs, tx_fail;

	/* TURN over TCP */
	struct gen_tcp_client *tc;     /* one per client */
	uint64_t turn_bad_frames, turn_closed, turn_send_full, turn_refused;

	/* tcpconn and tcpbulk */
	uint32_t inflight;
	uint64_t done, failed, refused, rx_bytes, tx_bytes;
	uint64_t all_done, all_rx_bytes;   /* warm-up and drain included */
	uint32_t req, chunk;
	bool measuring;
	uint32_t next_addr;            /* client address index */
	uint16_t next_port;
	bool stopping;                 /* bulk: stop sending */
	tcp_id_t *bulk_ids;            /* bulk: the connections opened */
	uint32_t nbulk;
	/* tcpconn: the window's connections by slot (0: free). The stack
	 * tells an application nothing of an active open that ends before
	 * it connects (refused, SYN timeout): the slots are asked. */
	tcp_id_t *slot;
	uint32_t nslots;

	/* tlsconn */
	struct gen_tls_slot *tslot;    /* kept across runs (the tickets) */
	uint32_t ntslot;
	bool tls_resume;
	uint64_t tls_full, tls_resumed, tls_hs_failed, tls_no_ticket;
	uint64_t all_full, all_resumed;
	uint64_t turn_tls_failed;

	/* tlsku */
	struct gen_ku *ku;
	uint32_t nku;
};

/* The one stack of this process and its generator (callbacks get the
 * stack). */
static struct gen *the_gen;

static inline struct gen *
gen_of(struct tcp_stack *ts)
{
	(void)ts;
	return the_gen;
}

/* ---- the stack's output and input -------------------------------------- */

void
gen_tcp_flush(struct gen *g)
{
	struct gen_tcp *t = g->tcp;
	uint16_t sent;

	if (t == NULL || t->ntx == 0)
		return;
	/* What the link does not take now stays for the next flush, as a
	 * host's queue holds its own segments (backpressure, not loss):
	 * dropped here, the generator's own UDP would starve its streams
	 * into retransmission timeouts. */
	sent = rte_eth_tx_burst(g->port_id, 0, t->txb, t->ntx);
	if (sent > 0 && sent < t->ntx)
		memmove(t->txb, t->txb + sent, (size_t)(t->ntx - sent) * sizeof(t->txb[0]));
	t->ntx = (uint16_t)(t->ntx - sent);
}

static void
tcp_out(void *arg, struct rte_mbuf *m, uint8_t family, uint8_t ds, const uint8_t *src,
	const uint8_t *dst)
{
	(void)ds;                /* (the generator's connections keep 0) */
	struct gen *g = arg;
	struct gen_tcp *t = g->tcp;
	uint16_t seglen = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t *p, *ip;
	uint16_t ck;

	if (family != TCP_AF_IPV4 ||
	    (p = (uint8_t *)rte_pktmbuf_prepend(m, 34)) == NULL) {
		rte_pktmbuf_free(m);
		t->tx_fail++;
		return;
	}
	ip = p + 14;
	memcpy(p, g->dut_mac.addr_bytes, 6);
	memcpy(p + 6, g->mac.addr_bytes, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	ip[0] = 0x45;
	ip[1] = 0;
	ip[2] = (uint8_t)((seglen + 20) >> 8);
	ip[3] = (uint8_t)(seglen + 20);
	memset(ip + 4, 0, 4);
	ip[6] = 0x40;                /* DF */
	ip[8] = 64;
	ip[9] = 6;
	ip[10] = ip[11] = 0;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	ck = gen_ip_cksum(ip);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	t->tx_segs++;
	if (t->ntx >= GEN_TCP_BURST)
		gen_tcp_flush(g);
	if (t->ntx == GEN_TCP_TXB) {
		/* held segments fill the queue: wait for the link a while */
		uint64_t end = rte_rdtsc() + g->hz / 1000;

		while (t->ntx == GEN_TCP_TXB && rte_rdtsc() < end)
			gen_tcp_flush(g);
		if (t->ntx == GEN_TCP_TXB) {
			rte_pktmbuf_free(m);
			t->tx_fail++;
			return;
		}
	}
	t->txb[t->ntx++] = m;
}

static const struct tcp_out_ops gen_tcp_out_ops = { .output = tcp_out };

static uint64_t
now_ms(const struct gen *g, uint64_t tsc)
{
	return (tsc - g->tcp->t0) / g->tcp->ms_tsc;
}

void
gen_tcp_input(struct gen *g, struct rte_mbuf *m, const uint8_t *ip,
	      uint16_t len, uint64_t now)
{
	struct gen_tcp *t = g->tcp;
	uint16_t hl = (uint16_t)((ip[0] & 0x0fu) * 4u);
	uint16_t tot = (uint16_t)(ip[2] << 8 | ip[3]);
	uint32_t off = (uint32_t)(ip - rte_pktmbuf_mtod(m, const uint8_t *)) + hl;

	if (hl < 20 || tot > len || tot < hl + 20u) {
		g->rx_other++;
		rte_pktmbuf_free(m);
		return;
	}
	t->rx_segs++;
	tcp_stack_set_time(t->ts, now_ms(g, now));
	tcp_input(t->ts, m, TCP_AF_IPV4, ip + 12, ip + 16, off,
		  (uint32_t)(tot - hl), true);
}

void
gen_tcp_poll(struct gen *g, uint64_t now)
{
	struct gen_tcp *t = g->tcp;

	if (now >= t->next_tsc) {
		uint64_t ms = now_ms(g, now);

		t->next_tsc = now + t->ms_tsc;
		tcp_stack_set_time(t->ts, ms);
		tw_advance(&t->wheel, ms);
	}
	gen_tcp_flush(g);
}

/* The generator only connects: nothing listens, nothing is accepted
 * (the stack wants the callback all the same). */
static int
no_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	(void)ts;
	(void)id;
	(void)larg;
	(void)carg;
	return -ECONNREFUSED;
}

/* ---- TURN over TCP ------------------------------------------------------ */

static void
turn_frames(struct gen *g, uint32_t idx, uint64_t now)
{
	struct gen_tcp_client *k = &g->tcp->tc[idx];
	uint16_t off = 0;

	while (k->have - off >= 4) {
		const uint8_t *p = k->buf + off;
		uint32_t flen;

		if ((p[0] & 0xc0u) == 0x40u) {
			/* ChannelData: 4 + length, padded to 4 on a stream
			 * (RFC 8656 §12.5) */
			flen = 4u + ((uint32_t)(p[2] << 8 | p[3]) + 3u) / 4u * 4u;
		} else if ((p[0] & 0xc0u) == 0) {
			flen = 20u + (uint32_t)(p[2] << 8 | p[3]);
		} else {
			/* not TURN: the stream is lost */
			g->tcp->turn_bad_frames++;
			k->have = 0;
			return;
		}
		if (flen > GEN_TCP_BUF) {
			g->tcp->turn_bad_frames++;
			k->have = 0;
			return;
		}
		if ((uint32_t)(k->have - off) < flen)
			break;
		if ((p[0] & 0xc0u) == 0x40u) {
			gen_traffic_input(g, true, p, (uint16_t)flen, now);
		} else {
			g->rx_ctl++;
			gen_turn_input(g, idx, p, (uint16_t)flen, now);
		}
		off = (uint16_t)(off + flen);
	}
	if (off > 0) {
		memmove(k->buf, k->buf + off, (size_t)(k->have - off));
		k->have = (uint16_t)(k->have - off);
	}
}

/* What a TURN-over-TLS stream received, through OpenSSL: the handshake
 * first (the client is up when it completes), then plaintext into the
 * frame buffer. False when the connection is lost (an error, or the
 * server's close_notify). */
static bool
turn_tls_input(struct gen *g, uint32_t idx, tcp_id_t id, uint64_t now)
{
	struct gen_tcp *t = g->tcp;
	struct gen_tcp_client *k = &t->tc[idx];
	int n = 0;

	if (!gen_tls_established(k->tls)) {
		n = gen_tls_handshake(k->tls);
		if (n == 1)
			k->up = true;
	}
	while (n >= 0 && gen_tls_established(k->tls)) {
		n = gen_tls_read(k->tls, k->buf + k->have, GEN_TCP_RBUF - k->have);
		if (n <= 0)
			break;
		k->have = (uint16_t)(k->have + n);
		turn_frames(g, idx, now);
	}
	if (gen_tls_push(k->tls, t->ts, id, t->pool) < 0 && gen_tls_held(k->tls) == 0)
		n = -EIO;
	return n >= 0;
}

static void
turn_tls_readable(struct gen *g, struct tcp_stack *ts, tcp_id_t id, uint32_t idx)
{
	struct gen_tcp_client *k = &g->tcp->tc[idx];
	struct rte_mbuf *m;
	int n;

	while ((n = tcp_recv(ts, id, &m, UINT32_MAX)) > 0)
		gen_tls_in(k->tls, m);
	if (!turn_tls_input(g, idx, id, rte_rdtsc())) {
		/* lost: in the set-up, gen_tcp_turn_connect() opens it again */
		g->tcp->turn_tls_failed++;
		tcp_abort(ts, id);
		if (k->up) {
			k->dead = true;
			g->tcp->turn_closed++;
		}
		return;
	}
	if (n == 0) {
		tcp_close(ts, id);
		k->dead = true;
		g->tcp->turn_closed++;
	}
}

static void
turn_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	uint32_t idx = (uint32_t)(uintptr_t)arg;
	struct gen_tcp_client *k = &g->tcp->tc[idx];
	uint64_t now = rte_rdtsc();
	struct rte_mbuf *m;
	int n;

	if (k->tls != NULL) {
		turn_tls_readable(g, ts, id, idx);
		return;
	}
	while ((n = tcp_recv(ts, id, &m, GEN_TCP_BUF)) > 0) {
		for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
			memcpy(k->buf + k->have, rte_pktmbuf_mtod(s, const uint8_t *),
			       s->data_len);
			k->have = (uint16_t)(k->have + s->data_len);
		}
		rte_pktmbuf_free(m);
		turn_frames(g, idx, now);   /* leaves less than a frame */
	}
	if (n == 0) {
		tcp_close(ts, id);
		k->dead = true;
		g->tcp->turn_closed++;
	}
}

static void
turn_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp_client *k = &g->tcp->tc[(uintptr_t)arg];

	if (!g->tls_turn) {
		k->up = true;
		return;
	}
	/* TLS: up when the handshake completes (turn_tls_input) */
	gen_tls_free(k->tls);
	k->have = 0;
	k->tls = gen_tls_new(NULL, NULL);
	if (k->tls == NULL || gen_tls_handshake(k->tls) < 0 ||
	    gen_tls_push(k->tls, ts, id, g->tcp->pool) == -EPROTO) {
		g->tcp->turn_tls_failed++;
		tcp_abort(ts, id);       /* the set-up opens it again */
	}
}

static void
turn_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp_client *k = &g->tcp->tc[(uintptr_t)arg];

	if (k->tls != NULL)
		gen_tls_push(k->tls, ts, id, g->tcp->pool);
}

static void
turn_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp_client *k = &g->tcp->tc[(uintptr_t)arg];

	(void)id;
	(void)why;
	if (!k->up)
		return;      /* an open that failed: the set-up tries again */
	k->dead = true;
	g->tcp->turn_closed++;
}

static const struct tcp_app_ops turn_ops = {
	.accept = no_accept,
	.connected = turn_connected,
	.readable = turn_readable,
	.writable = turn_writable,
	.closed = turn_closed,
};

/* Client k's gathered ChannelData as one record. */
static int
tls_gather_flush(struct gen *g, struct gen_tcp_client *k)
{
	int rc;

	if (k->glen == 0)
		return 0;
	rc = gen_tls_write(k->tls, k->gbuf, k->glen);
	k->glen = 0;
	if (rc < 0)
		return rc;
	rc = gen_tls_push(k->tls, g->tcp->ts, k->id, g->tcp->pool);
	return rc == -EAGAIN ? 0 : rc;
}

void
gen_tcp_tls_flush(struct gen *g)
{
	if (g->tcp == NULL || !g->tls_turn)
		return;
	for (uint32_t i = 0; i < g->nclients; i++) {
		struct gen_tcp_client *k = &g->tcp->tc[i];

		if (k->tls != NULL && k->up && !k->dead && k->glen > 0)
			tls_gather_flush(g, k);
	}
}

/* ChannelData over TLS: one record a frame, or gathered into records of
 * g->tls_record bytes. A frame is refused (as a full TCP send queue
 * refuses one) while the stream holds ciphertext TCP has not taken.
 * Owns m. */
static int
tls_send_chan(struct gen *g, struct gen_tcp_client *k, struct rte_mbuf *m)
{
	uint32_t len = m->data_len, rec = g->tls_record;
	int rc;

	if (gen_tls_held(k->tls) > 0) {
		rte_pktmbuf_free(m);
		g->tcp->turn_send_full++;
		return -EAGAIN;
	}
	if (rec == 0 || len > rec) {
		rc = gen_tls_write(k->tls, rte_pktmbuf_mtod(m, const void *), len);
		rte_pktmbuf_free(m);
		if (rc < 0)
			return rc;
		rc = gen_tls_push(k->tls, g->tcp->ts, k->id, g->tcp->pool);
		return rc == -EAGAIN ? 0 : rc;
	}
	if (k->gbuf == NULL && (k->gbuf = malloc(GEN_TLS_RECORD_MAX)) == NULL) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	if (k->glen + len > rec && (rc = tls_gather_flush(g, k)) < 0) {
		rte_pktmbuf_free(m);
		return rc;
	}
	memcpy(k->gbuf + k->glen, rte_pktmbuf_mtod(m, const void *), len);
	k->glen += len;
	rte_pktmbuf_free(m);
	/* full when no other frame of this size fits */
	if (k->glen + len > rec)
		return tls_gather_flush(g, k);
	return 0;
}

int
gen_tcp_send_msg(struct gen *g, struct gen_client *c, const uint8_t *msg,
		 uint16_t len)
{
	struct gen_tcp_client *k = &g->tcp->tc[c - g->c];
	struct rte_mbuf *m;
	uint8_t *p;
	int rc;

	if (!k->up || k->dead)
		return -ENOTCONN;
	if (k->tls != NULL) {
		if (gen_tls_write(k->tls, msg, len) < 0)
			return -EPROTO;
		rc = gen_tls_push(k->tls, g->tcp->ts, k->id, g->tcp->pool);
		return rc == -EAGAIN ? 0 : rc;
	}
	m = rte_pktmbuf_alloc(g->tcp->pool);
	if (m == NULL)
		return -ENOBUFS;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	memcpy(p, msg, len);
	rc = tcp_send(g->tcp->ts, k->id, m);
	if (rc < 0) {
		rte_pktmbuf_free(m);
		g->tcp->turn_send_full++;
		return rc;
	}
	gen_tcp_flush(g);
	return 0;
}

/* m holds a ChannelData message (header, payload, padding): on the
 * client's stream. Owns m.
 *
 * m is of the TX pool, whose buffers are zeroed once and never written
 * past a frame's head (tpgen_traffic.c): it must not go to dp/tcp, which
 * may append later small sends into the tailroom of its queue's last
 * mbuf (tcp_send()). The frame is copied whole into an mbuf of the TCP
 * pool, and m goes back clean. */
int
gen_tcp_send_chan(struct gen *g, uint32_t idx, struct rte_mbuf *m)
{
	struct gen_tcp_client *k = &g->tcp->tc[idx];
	struct rte_mbuf *s;
	uint8_t *p;
	int rc;

	if (!k->up || k->dead) {
		rte_pktmbuf_free(m);
		return -ENOTCONN;
	}
	if (k->tls != NULL)
		return tls_send_chan(g, k, m);
	s = rte_pktmbuf_alloc(g->tcp->pool);
	p = s != NULL ? (uint8_t *)rte_pktmbuf_append(s, m->data_len) : NULL;
	if (p == NULL) {
		rte_pktmbuf_free(s);
		rte_pktmbuf_free(m);
		g->tcp->turn_send_full++;
		return -ENOBUFS;
	}
	memcpy(p, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
	rte_pktmbuf_free(m);
	m = s;
	rc = tcp_send(g->tcp->ts, k->id, m);
	if (rc < 0) {
		rte_pktmbuf_free(m);
		g->tcp->turn_send_full++;
		return rc;
	}
	return 0;
}

static void
addr4(uint8_t *a, uint32_t ip)
{
	a[0] = (uint8_t)(ip >> 24);
	a[1] = (uint8_t)(ip >> 16);
	a[2] = (uint8_t)(ip >> 8);
	a[3] = (uint8_t)ip;
}

/* Open the first count clients' connections to the server, window at a
 * time. A connection refused (the server's listener not up yet: coturn
 * opens it after its relay ports) or timed out is tried again after
 * 100 ms; the stack tells an active open's end only to an application
 * that saw it connected, so the state is asked. Fills the counts. */
int
gen_tcp_turn_connect(struct gen *g, uint32_t count, unsigned int window,
		     double timeout_s, uint32_t *ok, uint32_t *failed, double *secs)
{
	struct gen_tcp *t = g->tcp;
	uint64_t t0 = rte_rdtsc(), end = t0 + (uint64_t)(timeout_s * (double)g->hz);
	uint64_t *again = calloc(count ? count : 1, sizeof(*again));
	uint32_t next = 0, nin = 0;
	uint8_t la[4], ra[4];

	*ok = *failed = 0;
	if (again == NULL)
		return -ENOMEM;
	addr4(ra, g->server_ip);
	while ((next < count || nin > 0) && rte_rdtsc() < end && !gen_stop) {
		uint64_t now = rte_rdtsc();

		while (nin < window && next < count) {
			t->tc[next].id = 0;
			again[next] = now;      /* connect at once */
			nin++;
			next++;
		}
		nin = 0;
		*ok = 0;
		for (uint32_t i = 0; i < next; i++) {
			struct gen_tcp_client *k = &t->tc[i];
			struct gen_client *c = &g->c[i];

			if (k->up) {
				(*ok)++;
				continue;
			}
			nin++;
			if (k->id != 0 && tcp_conn_state(t->ts, k->id) >= 0)
				continue;        /* still opening */
			if (k->id != 0) {
				/* refused or timed out: again later */
				k->id = 0;
				t->turn_refused++;
				again[i] = now + g->hz / 10;
			}
			if (now < again[i])
				continue;
			addr4(la, c->ip);
			tcp_stack_set_time(t->ts, now_ms(g, now));
			if (tcp_connect(t->ts, TCP_AF_IPV4, la, c->port, ra,
					g->server_port, t->app_turn,
					(void *)(uintptr_t)i, &k->id) < 0) {
				k->id = 0;
				again[i] = now + g->hz / 10;
			}
		}
		gen_tcp_flush(g);
		if (gen_rx_poll(g, rte_rdtsc()) == 0)
			rte_delay_us_sleep(20);
	}
	free(again);
	*failed = count - *ok;
	*secs = (double)(rte_rdtsc() - t0) / (double)g->hz;
	return *failed == 0 ? 0 : -EIO;
}

/* ---- tcpconn and tcpbulk ---------------------------------------------- */

int
gen_tcp_open(struct gen *g, int app, uint16_t port, tcp_id_t *idp, void *arg)
{
	struct gen_tcp *t = g->tcp;
	uint8_t la[4], ra[4];
	tcp_id_t id;

	addr4(ra, g->server_ip);
	for (unsigned int tries = 0; tries < 16; tries++) {
		int rc;

		addr4(la, g->client_base + t->next_addr);
		if (++t->next_port < 1024 || t->next_port > 60999) {
			t->next_port = 1024;
			t->next_addr = (t->next_addr + 1) % 64u;
		}
		rc = tcp_connect(t->ts, TCP_AF_IPV4, la, t->next_port, ra, port,
				 app, arg, &id);
		if (rc == 0) {
			t->inflight++;
			if (idp != NULL)
				*idp = id;
			return 0;
		}
		if (rc != -EADDRINUSE)
			return rc;
	}
	return -EADDRINUSE;
}

void
gen_tcp_next_source(struct gen *g)
{
	g->tcp->next_addr = (g->tcp->next_addr + 1) % 64u;
}

static void
conn_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;

	(void)arg;
	if (t->req > 0) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);

		if (m != NULL && rte_pktmbuf_append(m, (uint16_t)t->req) != NULL &&
		    tcp_send(ts, id, m) > 0)
			t->tx_bytes += t->req;
		else if (m != NULL)
			rte_pktmbuf_free(m);
	}
	tcp_shutdown(ts, id);
}

/* A tcpconn or tcpbulk connection ended: its slot (arg - 1) is free. */
static void
conn_gone(struct gen_tcp *t, void *arg)
{
	uintptr_t s = (uintptr_t)arg;

	if (s > 0 && s <= t->nslots)
		t->slot[s - 1] = 0;
	t->inflight--;
}

static void
conn_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;
	struct rte_mbuf *m;
	int n;

	while ((n = tcp_recv(ts, id, &m, UINT32_MAX)) > 0) {
		t->rx_bytes += (uint64_t)n;
		rte_pktmbuf_free(m);
	}
	if (n == 0) {
		/* the server's FIN after its echo: done (we keep TIME_WAIT) */
		tcp_close(ts, id);
		conn_gone(t, arg);
		t->all_done++;
		if (t->measuring)
			t->done++;
	}
}

static void
conn_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;

	(void)id;
	conn_gone(t, arg);
	if (why == TCP_REASON_NORMAL) {
		/* both FINs exchanged (TIME_WAIT): the stack says so before
		 * an EOF read */
		t->all_done++;
		if (t->measuring)
			t->done++;
	} else if (t->measuring) {
		t->failed++;
	}
}

static const struct tcp_app_ops conn_ops = {
	.accept = no_accept,
	.connected = conn_connected,
	.readable = conn_readable,
	.closed = conn_closed,
};

static void
bulk_pump(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;

	(void)arg;
	if (t->stopping)
		return;
	while (tcp_send_space(ts, id) >= t->chunk) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);

		if (m == NULL)
			return;
		if (rte_pktmbuf_append(m, (uint16_t)t->chunk) == NULL ||
		    tcp_send(ts, id, m) < 0) {
			rte_pktmbuf_free(m);
			return;
		}
		if (t->measuring)
			t->tx_bytes += t->chunk;
	}
}

static void
bulk_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;
	struct rte_mbuf *m;
	int n;

	(void)arg;
	while ((n = tcp_recv(ts, id, &m, UINT32_MAX)) > 0) {
		if (t->measuring)
			t->rx_bytes += (uint64_t)n;
		t->all_rx_bytes += (uint64_t)n;
		rte_pktmbuf_free(m);
	}
	if (n == 0) {
		tcp_close(ts, id);
		t->inflight--;
	}
}

static void
bulk_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);

	g->tcp->done++;              /* connections up */
	bulk_pump(ts, id, arg);
}

static const struct tcp_app_ops bulk_ops = {
	.accept = no_accept,
	.connected = bulk_connected,
	.readable = bulk_readable,
	.writable = bulk_pump,
	.closed = conn_closed,
};

static void
spin(struct gen *g, uint64_t until)
{
	uint64_t now;

	while ((now = rte_rdtsc()) < until && !gen_stop) {
		gen_rx_poll(g, now);
		gen_tcp_flush(g);
	}
}

int
gen_tcp_conn_run(struct gen *g, uint16_t port, unsigned int window,
		 uint32_t req, double secs, double warm, FILE *out)
{
	struct gen_tcp *t = g->tcp;
	uint64_t t0 = rte_rdtsc(), tw = t0 + (uint64_t)(warm * (double)g->hz);
	uint64_t tend = tw + (uint64_t)(secs * (double)g->hz), now = t0, end;
	uint64_t next_scan = 0;
	uint64_t segs0 = 0, rsegs0 = 0;

	t->done = t->failed = t->refused = t->rx_bytes = t->tx_bytes = 0;
	t->all_done = t->all_rx_bytes = 0;
	t->measuring = false;
	t->req = req;
	free(t->slot);
	t->slot = calloc(window ? window : 1, sizeof(*t->slot));
	t->nslots = window;
	t->inflight = 0;
	if (t->slot == NULL || window == 0)
		return -ENOMEM;
	while (now < tend && !gen_stop) {
		if (!t->measuring && now >= tw) {
			t->measuring = true;
			segs0 = t->tx_segs;
			rsegs0 = t->rx_segs;
		}
		tcp_stack_set_time(t->ts, now_ms(g, now));
		for (uint32_t i = 0; i < window; i++) {
			if (t->slot[i] != 0) {
				if (now < next_scan ||
				    tcp_conn_state(t->ts, t->slot[i]) >= 0)
					continue;
				/* ended before it connected */
				t->slot[i] = 0;
				t->inflight--;
				if (t->measuring)
					t->failed++;
			}
			if (gen_tcp_open(g, t->app_conn, port, &t->slot[i],
				     (void *)(uintptr_t)(i + 1)) < 0) {
				if (t->measuring)
					t->refused++;
				break;
			}
		}
		if (now >= next_scan)
			next_scan = now + t->ms_tsc;
		gen_tcp_flush(g);
		gen_rx_poll(g, now);
		now = rte_rdtsc();
	}
	t->measuring = false;
	segs0 = t->tx_segs - segs0;
	rsegs0 = t->rx_segs - rsegs0;
	/* Let the window's last connections finish (not measured, but in
	 * all_conns: what the server's whole cost is divided by). */
	end = rte_rdtsc() + g->hz;
	while (t->inflight > 0 && rte_rdtsc() < end && !gen_stop) {
		spin(g, rte_rdtsc() + g->hz / 1000);
		for (uint32_t i = 0; i < window; i++) {
			if (t->slot[i] != 0 && tcp_conn_state(t->ts, t->slot[i]) < 0) {
				t->slot[i] = 0;
				t->inflight--;
			}
		}
	}
	/* what is left is aborted: the next run starts clean */
	for (uint32_t i = 0; i < window; i++)
		if (t->slot[i] != 0)
			tcp_abort(t->ts, t->slot[i]);
	t->inflight = 0;
	t->nslots = 0;
	fprintf(out, "{\"conns\":%" PRIu64 ",\"conns_per_s\":%.1f,\"failed\":%" PRIu64
		",\"refused\":%" PRIu64 ",\"window\":%u,\"req\":%u,\"secs\":%.3f,"
		"\"rx_bytes\":%" PRIu64 ",\"tx_segs\":%" PRIu64 ",\"rx_segs\":%" PRIu64
		",\"tx_fail\":%" PRIu64 ",\"inflight_end\":%u,\"all_conns\":%" PRIu64 "}\n",
		t->done, (double)t->done / secs, t->failed, t->refused, window, req,
		secs, t->rx_bytes, segs0, rsegs0, t->tx_fail, t->inflight, t->all_done);
	fflush(out);
	return 0;
}

int
gen_tcp_bulk_run(struct gen *g, uint16_t port, uint32_t conns, uint32_t chunk,
		 double secs, double warm, FILE *out)
{
	struct gen_tcp *t = g->tcp;
	uint64_t t0, tw, tend, now;
	uint64_t segs0 = 0, rsegs0 = 0;

	t->done = t->failed = t->refused = t->rx_bytes = t->tx_bytes = 0;
	t->all_done = t->all_rx_bytes = 0;
	t->measuring = false;
	t->stopping = false;
	t->chunk = chunk;
	free(t->bulk_ids);
	t->bulk_ids = calloc(conns ? conns : 1, sizeof(*t->bulk_ids));
	t->nbulk = 0;
	if (t->bulk_ids == NULL)
		return -ENOMEM;
	tcp_stack_set_time(t->ts, now_ms(g, rte_rdtsc()));
	for (uint32_t i = 0; i < conns; i++) {
		if (gen_tcp_open(g, t->app_bulk, port, &t->bulk_ids[t->nbulk], NULL) < 0)
			t->refused++;
		else
			t->nbulk++;
	}
	gen_tcp_flush(g);
	t0 = rte_rdtsc();
	tw = t0 + (uint64_t)(warm * (double)g->hz);
	tend = tw + (uint64_t)(secs * (double)g->hz);
	now = t0;
	while (now < tend && !gen_stop) {
		if (!t->measuring && now >= tw) {
			t->measuring = true;
			segs0 = t->tx_segs;
			rsegs0 = t->rx_segs;
		}
		gen_rx_poll(g, now);
		gen_tcp_flush(g);
		now = rte_rdtsc();
	}
	t->measuring = false;
	t->stopping = true;
	segs0 = t->tx_segs - segs0;
	rsegs0 = t->rx_segs - rsegs0;
	/* Close: abort every connection (RST), then let the link go quiet;
	 * all_rx_bytes (warm-up included) is what the server's whole cost
	 * is divided by. */
	for (uint32_t i = 0; i < t->nbulk; i++)
		tcp_abort(t->ts, t->bulk_ids[i]);
	t->nbulk = 0;
	spin(g, rte_rdtsc() + g->hz / 5);
	t->inflight = 0;
	fprintf(out, "{\"conns\":%u,\"up\":%" PRIu64 ",\"failed\":%" PRIu64
		",\"chunk\":%u,\"secs\":%.3f,\"tx_bytes\":%" PRIu64 ",\"rx_bytes\":%"
		PRIu64 ",\"goodput_bps\":%.0f,\"tx_segs\":%" PRIu64 ",\"rx_segs\":%"
		PRIu64 ",\"tx_fail\":%" PRIu64 ",\"all_rx_bytes\":%" PRIu64 "}\n",
		conns, t->done, t->failed, chunk, secs, t->tx_bytes, t->rx_bytes,
		(double)t->rx_bytes * 8.0 / secs, segs0, rsegs0, t->tx_fail,
		t->all_rx_bytes);
	fflush(out);
	return 0;
}

/* ---- tlsconn: TLS handshakes a second --------------------------------- */

/* A tlsconn connection ended (done or failed): its slot is free; a
 * connection that ends with a ticket leaves it for the slot's next one. */
static void
tls_slot_end(struct gen_tcp *t, uint32_t s, bool ok)
{
	struct gen_tls_slot *z = &t->tslot[s];
	SSL_SESSION *sess = NULL;

	/* a ticket is used once (RFC 8446 §C.4): the slot keeps this
	 * connection's newest, or none (its next connection is full) */
	if (z->tls != NULL && ok)
		sess = gen_tls_take_session(z->tls);
	if (z->sess != NULL)
		SSL_SESSION_free(z->sess);
	z->sess = sess;
	gen_tls_free(z->tls);
	z->tls = NULL;
	z->closing = false;
	z->hs_tsc = 0;
	if (s < t->nslots)
		t->slot[s] = 0;
	t->inflight--;
	if (ok) {
		t->all_done++;
		if (t->measuring)
			t->done++;
	} else if (t->measuring) {
		t->failed++;
	}
}

/* close_notify and FIN: the connection is done at the server's FIN. */
static void
tls_slot_close(struct gen_tcp *t, struct tcp_stack *ts, tcp_id_t id, uint32_t s)
{
	struct gen_tls_slot *z = &t->tslot[s];

	if (!gen_tls_has_ticket(z->tls))
		t->tls_no_ticket++;
	gen_tls_close_notify(z->tls);
	gen_tls_push(z->tls, ts, id, t->pool);
	tcp_shutdown(ts, id);
	z->closing = true;
}

static void
tls_slot_fail(struct gen_tcp *t, struct tcp_stack *ts, tcp_id_t id, uint32_t s)
{
	t->tls_hs_failed++;
	tcp_abort(ts, id);           /* no callback follows */
	tls_slot_end(t, s, false);
}

static void
tlsc_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;
	uint32_t s = (uint32_t)(uintptr_t)arg - 1;
	struct gen_tls_slot *z = &t->tslot[s];

	gen_tls_free(z->tls);
	z->tls = gen_tls_new(t->tls_resume ? z->sess : NULL, NULL);
	z->closing = false;
	z->hs_tsc = 0;
	if (z->tls == NULL || gen_tls_handshake(z->tls) < 0 ||
	    gen_tls_push(z->tls, ts, id, t->pool) == -EPROTO)
		tls_slot_fail(t, ts, id, s);
}

static void
tlsc_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;
	uint32_t s = (uint32_t)(uintptr_t)arg - 1;
	struct gen_tls_slot *z = &t->tslot[s];
	uint8_t scratch[512];
	struct rte_mbuf *m;
	int n, rc = 0;

	if (z->tls == NULL)
		return;
	while ((n = tcp_recv(ts, id, &m, UINT32_MAX)) > 0)
		gen_tls_in(z->tls, m);
	if (!gen_tls_established(z->tls)) {
		rc = gen_tls_handshake(z->tls);
		if (rc == 1) {
			bool res = gen_tls_resumed(z->tls);

			z->hs_tsc = rte_rdtsc();
			if (res)
				t->all_resumed++;
			else
				t->all_full++;
			if (t->measuring) {
				if (res)
					t->tls_resumed++;
				else
					t->tls_full++;
			}
		}
	}
	/* after the handshake: the ticket (NewSessionTicket), the server's
	 * close_notify; no application data is expected */
	while (rc >= 0 && gen_tls_established(z->tls) &&
	       (rc = gen_tls_read(z->tls, scratch, sizeof(scratch))) > 0)
		;
	if (rc == -EPIPE)
		rc = 0;                  /* the server's close_notify */
	if (rc < 0 || (gen_tls_push(z->tls, ts, id, t->pool) == -EPROTO)) {
		tls_slot_fail(t, ts, id, s);
		return;
	}
	if (!z->closing && gen_tls_established(z->tls) && gen_tls_has_ticket(z->tls))
		tls_slot_close(t, ts, id, s);
	if (n == 0) {
		/* the server's FIN: done if we were closing, else failed */
		bool ok = z->closing;

		if (!ok)
			t->tls_hs_failed++;
		tcp_close(ts, id);
		tls_slot_end(t, s, ok);
	}
}

static void
tlsc_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen *g = gen_of(ts);
	struct gen_tls_slot *z = &g->tcp->tslot[(uintptr_t)arg - 1];

	if (z->tls != NULL)
		gen_tls_push(z->tls, ts, id, g->tcp->pool);
}

static void
tlsc_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct gen *g = gen_of(ts);
	struct gen_tcp *t = g->tcp;
	uint32_t s = (uint32_t)(uintptr_t)arg - 1;
	bool ok = why == TCP_REASON_NORMAL && t->tslot[s].closing;

	(void)id;
	if (!ok && why == TCP_REASON_NORMAL)
		t->tls_hs_failed++;
	tls_slot_end(t, s, ok);
}

static const struct tcp_app_ops tlsc_ops = {
	.accept = no_accept,
	.connected = tlsc_connected,
	.readable = tlsc_readable,
	.writable = tlsc_writable,
	.closed = tlsc_closed,
};

/* Slots whose handshake is done and whose ticket did not come: closed
 * without it (counted); slots whose connection ended before it connected
 * (refused, SYN timeout: the stack says nothing) freed. */
static void
tls_slots_scan(struct gen *g, uint64_t now, unsigned int window)
{
	struct gen_tcp *t = g->tcp;

	for (uint32_t i = 0; i < window; i++) {
		struct gen_tls_slot *z = &t->tslot[i];

		if (t->slot[i] == 0)
			continue;
		if (tcp_conn_state(t->ts, t->slot[i]) < 0) {
			if (z->tls != NULL)
				t->tls_hs_failed++;
			tls_slot_end(t, i, false);
			continue;
		}
		if (z->tls != NULL && z->hs_tsc != 0 && !z->closing &&
		    now - z->hs_tsc > t->ms_tsc * GEN_TLS_TICKET_WAIT_MS)
			tls_slot_close(t, t->ts, t->slot[i], i);
	}
}

int
gen_tcp_tls_conn_run(struct gen *g, uint16_t port, unsigned int window, bool resume,
		     double secs, double warm, FILE *out)
{
	struct gen_tcp *t = g->tcp;
	uint64_t t0 = rte_rdtsc(), tw = t0 + (uint64_t)(warm * (double)g->hz);
	uint64_t tend = tw + (uint64_t)(secs * (double)g->hz), now = t0, end;
	uint64_t next_scan = 0, segs0 = 0, rsegs0 = 0;

	if (window == 0 || !gen_tls_enabled())
		return -EINVAL;
	if (window > t->ntslot) {
		struct gen_tls_slot *z = realloc(t->tslot, window * sizeof(*z));

		if (z == NULL)
			return -ENOMEM;
		memset(z + t->ntslot, 0, (window - t->ntslot) * sizeof(*z));
		t->tslot = z;
		t->ntslot = window;
	}
	t->done = t->failed = t->refused = t->rx_bytes = t->tx_bytes = 0;
	t->all_done = t->all_rx_bytes = 0;
	t->tls_full = t->tls_resumed = t->tls_hs_failed = t->tls_no_ticket = 0;
	t->all_full = t->all_resumed = 0;
	t->measuring = false;
	t->tls_resume = resume;
	free(t->slot);
	t->slot = calloc(window, sizeof(*t->slot));
	t->nslots = window;
	t->inflight = 0;
	if (t->slot == NULL)
		return -ENOMEM;
	while (now < tend && !gen_stop) {
		if (!t->measuring && now >= tw) {
			t->measuring = true;
			segs0 = t->tx_segs;
			rsegs0 = t->rx_segs;
		}
		tcp_stack_set_time(t->ts, now_ms(g, now));
		if (now >= next_scan) {
			tls_slots_scan(g, now, window);
			next_scan = now + t->ms_tsc;
		}
		for (uint32_t i = 0; i < window; i++) {
			if (t->slot[i] != 0)
				continue;
			if (gen_tcp_open(g, t->app_tls, port, &t->slot[i],
				     (void *)(uintptr_t)(i + 1)) < 0) {
				t->slot[i] = 0;
				if (t->measuring)
					t->refused++;
				break;
			}
			/* a new source address for each: the server's
			 * connections per source stay few */
			t->next_addr = (t->next_addr + 1) % 64u;
		}
		gen_tcp_flush(g);
		gen_rx_poll(g, now);
		now = rte_rdtsc();
	}
	t->measuring = false;
	segs0 = t->tx_segs - segs0;
	rsegs0 = t->rx_segs - rsegs0;
	/* the window's last connections finish (in all_conns, not measured) */
	end = rte_rdtsc() + g->hz;
	while (t->inflight > 0 && rte_rdtsc() < end && !gen_stop) {
		spin(g, rte_rdtsc() + g->hz / 1000);
		tls_slots_scan(g, rte_rdtsc(), window);
	}
	for (uint32_t i = 0; i < window; i++)
		if (t->slot[i] != 0) {
			tcp_abort(t->ts, t->slot[i]);
			tls_slot_end(t, i, false);
		}
	t->inflight = 0;
	t->nslots = 0;
	fprintf(out, "{\"conns\":%" PRIu64 ",\"conns_per_s\":%.1f,\"full\":%" PRIu64
		",\"resumed\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"hs_failed\":%" PRIu64
		",\"no_ticket\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"window\":%u,"
		"\"resume\":%d,\"secs\":%.3f,\"tx_segs\":%" PRIu64 ",\"rx_segs\":%" PRIu64
		",\"tx_fail\":%" PRIu64 ",\"all_conns\":%" PRIu64 ",\"all_full\":%" PRIu64
		",\"all_resumed\":%" PRIu64 ",\"tls_errors\":%" PRIu64 "}\n",
		t->done, (double)t->done / secs, t->tls_full, t->tls_resumed, t->failed,
		t->tls_hs_failed, t->tls_no_ticket, t->refused, window, resume ? 1 : 0, secs,
		segs0, rsegs0, t->tx_fail, t->all_done, t->all_full, t->all_resumed,
		gen_tls_error_count());
	fflush(out);
	return 0;
}

/* ---- tlsku: KeyUpdates, what they cost their sender -------------------- */

/* A STUN Binding request (RFC 8489 §5: no attributes): dp answers it
 * over TLS, and it is TURN's first message (turn.tcp_first_message) */
static const uint8_t ku_binding[20] = {
	0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
	'k', 'e', 'y', '-', 'u', 'p', 'd', 'a', 't', 'e', 's', '!',
};

static void
ku_end(struct gen_ku *k)
{
	gen_tls_free(k->tls);
	k->tls = NULL;
	k->id = 0;
	k->up = false;
}

static void
kuc_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen_tcp *t = gen_of(ts)->tcp;
	struct gen_ku *k = &t->ku[(uintptr_t)arg - 1];

	k->tls = gen_tls_new_ku();
	if (k->tls == NULL || gen_tls_handshake(k->tls) < 0 ||
	    gen_tls_push(k->tls, ts, id, t->pool) == -EPROTO) {
		tcp_abort(ts, id);
		ku_end(k);
	}
}

static void
kuc_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen_tcp *t = gen_of(ts)->tcp;
	struct gen_ku *k = &t->ku[(uintptr_t)arg - 1];
	uint8_t scratch[512];
	struct rte_mbuf *m;
	int n, rc = 0;

	if (k->tls == NULL)
		return;
	while ((n = tcp_recv(ts, id, &m, UINT32_MAX)) > 0)
		gen_tls_in(k->tls, m);
	if (!gen_tls_established(k->tls))
		rc = gen_tls_handshake(k->tls);
	if (rc >= 0 && gen_tls_established(k->tls) && !k->asked) {
		rc = gen_tls_write(k->tls, ku_binding, sizeof(ku_binding));
		k->asked = true;
	}
	/* the ticket, the Binding response, dp's own KeyUpdates (answers) */
	while (rc >= 0 && gen_tls_established(k->tls) &&
	       (rc = gen_tls_read(k->tls, scratch, sizeof(scratch))) > 0)
		k->up = true;
	if (rc < 0 || gen_tls_push(k->tls, ts, id, t->pool) == -EPROTO || n == 0) {
		tcp_abort(ts, id);
		ku_end(k);
	}
}

static void
kuc_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen_tcp *t = gen_of(ts)->tcp;
	struct gen_ku *k = &t->ku[(uintptr_t)arg - 1];

	if (k->tls != NULL)
		gen_tls_push(k->tls, ts, id, t->pool);
}

static void
kuc_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct gen_tcp *t = gen_of(ts)->tcp;

	(void)id;
	(void)why;
	ku_end(&t->ku[(uintptr_t)arg - 1]);
}

static const struct tcp_app_ops kuc_ops = {
	.accept = no_accept,
	.connected = kuc_connected,
	.readable = kuc_readable,
	.writable = kuc_writable,
	.closed = kuc_closed,
};

static void
ku_close_all(struct gen_tcp *t)
{
	for (uint32_t i = 0; i < t->nku; i++)
		if (t->ku[i].id != 0) {
			tcp_abort(t->ts, t->ku[i].id);
			ku_end(&t->ku[i]);
		}
}

int
gen_tcp_ku_open(struct gen *g, uint16_t port, uint32_t conns, double timeout, FILE *out)
{
	struct gen_tcp *t = g->tcp;
	uint64_t end = rte_rdtsc() + (uint64_t)(timeout * (double)g->hz);
	uint32_t up = 0, opened = 0;

	if (conns == 0 || !gen_tls_enabled())
		return -EINVAL;
	ku_close_all(t);
	free(t->ku);
	t->ku = calloc(conns, sizeof(*t->ku));
	t->nku = 0;
	if (t->ku == NULL)
		return -ENOMEM;
	t->nku = conns;
	while (rte_rdtsc() < end && !gen_stop) {
		uint32_t live = 0;

		/* a few at a time: the server's handshakes, not a SYN flood */
		for (; opened < conns && opened - up < 64; opened++) {
			gen_tcp_next_source(g);
			if (gen_tcp_open(g, t->app_ku, port, &t->ku[opened].id,
					 (void *)(uintptr_t)(opened + 1)) < 0)
				t->ku[opened].id = 0;
		}
		up = 0;
		for (uint32_t i = 0; i < opened; i++) {
			if (t->ku[i].id != 0 && tcp_conn_state(t->ts, t->ku[i].id) < 0)
				ku_end(&t->ku[i]);   /* ended before it connected */
			up += t->ku[i].up;
			live += t->ku[i].id != 0;
		}
		if (opened == conns && (up == conns || live == up))
			break;
		spin(g, rte_rdtsc() + g->hz / 1000);
	}
	fprintf(out, "{\"up\":%u,\"failed\":%u}\n", up, conns - up);
	fflush(out);
	return 0;
}

int
gen_tcp_ku_send(struct gen *g, uint32_t count, bool req, bool lean, double wait, FILE *out)
{
	struct gen_tcp *t = g->tcp;
	/* as dp's (TLS_KU_TIMED_MAX_US): a KeyUpdate made across a
	 * preemption is counted apart */
	uint64_t cycles = 0, kus = 0, timed = 0, dropped = 0, end;
	uint64_t long_max = g->hz / 1000000u * 200u;
	uint32_t conns = 0, failed = 0;
	uint8_t rec[GEN_TLS_KU_LEN];

	for (uint32_t i = 0; i < t->nku; i++) {
		struct gen_ku *k = &t->ku[i];
		struct rte_mbuf *m = NULL;
		bool ok = true;

		if (k->id == 0 || !k->up)
			continue;
		/* lean: our sequence is 1 (the Binding request was the only
		 * record we sent under this key) */
		if (lean && !k->lean) {
			if (gen_tls_ku_start(k->tls, 1) < 0) {
				failed++;
				continue;
			}
			k->lean = true;
		}
		if (!lean && k->lean) {
			failed++;             /* (OpenSSL's key is behind ours) */
			continue;
		}
		for (uint32_t j = 0; j < count && ok; j++) {
			uint64_t t0 = rte_rdtsc();

			if (lean)
				ok = gen_tls_ku_lean(k->tls, req, rec) > 0;
			else
				ok = gen_tls_ku_openssl(k->tls, req) == 0;
			t0 = rte_rdtsc() - t0;
			if (!ok)
				break;
			if (t0 > long_max) {
				dropped++;
			} else {
				cycles += t0;
				timed++;
			}
			kus++;
			if (!lean)
				continue;
			/* into mbufs for TCP (not counted: the sender's TCP
			 * is its own business, as dp's is in its figure) */
			if (m == NULL || rte_pktmbuf_tailroom(m) < sizeof(rec)) {
				if (m != NULL && tcp_send(t->ts, k->id, m) < 0)
					ok = false;
				m = rte_pktmbuf_alloc(t->pool);
				if (m == NULL)
					ok = false;
			}
			if (ok)
				memcpy(rte_pktmbuf_append(m, sizeof(rec)), rec, sizeof(rec));
		}
		if (m != NULL && (!ok || tcp_send(t->ts, k->id, m) < 0)) {
			rte_pktmbuf_free(m);
			ok = false;
		}
		if (ok && !lean && gen_tls_push(k->tls, t->ts, k->id, t->pool) == -EPROTO)
			ok = false;
		conns++;
		failed += !ok;
		gen_tcp_flush(g);
		gen_rx_poll(g, rte_rdtsc());
	}
	/* what dp answers (its KeyUpdates, its alerts) is read meanwhile */
	end = rte_rdtsc() + (uint64_t)(wait * (double)g->hz);
	spin(g, end);
	fprintf(out, "{\"conns\":%u,\"failed\":%u,\"kus\":%" PRIu64 ",\"sender_cycles\":%"
		PRIu64 ",\"timed\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"cycles_per_ku\":%.1f,"
		"\"lean\":%d,\"req\":%d,\"tls_errors\":%" PRIu64 "}\n", conns, failed, kus,
		cycles, timed, dropped, timed ? (double)cycles / (double)timed : 0.0,
		lean ? 1 : 0, req ? 1 : 0, gen_tls_error_count());
	fflush(out);
	return 0;
}

int
gen_tcp_ku_close(struct gen *g, FILE *out)
{
	struct gen_tcp *t = g->tcp;
	uint32_t live = 0;

	for (uint32_t i = 0; i < t->nku; i++)
		live += t->ku[i].id != 0;
	ku_close_all(t);
	spin(g, rte_rdtsc() + g->hz / 10);
	fprintf(out, "{\"closed\":%u}\n", live);
	fflush(out);
	return 0;
}

/* ---- creation ----------------------------------------------------------- */

int
gen_tcp_create(struct gen *g, uint32_t max_conns)
{
	struct gen_tcp *t = calloc(1, sizeof(*t));
	struct tcp_conf tc;

	if (t == NULL)
		return -ENOMEM;
	g->tcp = t;
	the_gen = g;
	t->pool = rte_pktmbuf_pool_create("gen_tcp", GEN_TCP_MBUFS, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	t->tc = calloc(g->nclients, sizeof(*t->tc));
	if (t->pool == NULL || t->tc == NULL) {
		fprintf(stderr, "tpgen: no TCP mbuf pool: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	t->ms_tsc = g->hz / 1000u;
	t->t0 = rte_rdtsc();
	t->next_port = 1023;
	tw_init(&t->wheel, 0);
	tcp_conf_defaults(&tc);
	tc.max_conns = max_conns;
	tc.max_time_wait = max_conns / 2;
	tc.syn_backlog = 16;
	if (g->tcp_turn) {
		/* A media client queues little: 16 KB a stream (some 70
		 * ChannelData of 200 B); what it holds received is bounded
		 * too, so that 100s of streams fit the pools. Over TLS, room
		 * for a few records of up to 16 KB (the bulk benchmark). */
		tc.snd_buf = g->tls_turn ? 64 * 1024 : 16 * 1024;
		tc.rcv_buf = 64 * 1024;
		tc.ooo_max_segs = 32;
		tc.rcv_max_segs = 256;
	} else {
		tc.snd_buf = 128 * 1024;
		tc.rcv_buf = 256 * 1024;
	}
	tc.socket = (int)rte_socket_id();
	t->ts = tcp_stack_create(&tc, &t->wheel, &gen_tcp_out_ops, g, t->pool, 0);
	if (t->ts == NULL)
		return -errno;
	t->app_turn = tcp_app_register(t->ts, &turn_ops);
	t->app_conn = tcp_app_register(t->ts, &conn_ops);
	t->app_bulk = tcp_app_register(t->ts, &bulk_ops);
	t->app_tls = tcp_app_register(t->ts, &tlsc_ops);
	t->app_ku = tcp_app_register(t->ts, &kuc_ops);
	if (t->app_turn < 0 || t->app_conn < 0 || t->app_bulk < 0 || t->app_tls < 0 ||
	    t->app_ku < 0)
		return -ENOSPC;
	return gen_agw_create(g, t->ts, t->pool);
}
