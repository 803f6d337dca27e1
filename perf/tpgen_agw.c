/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's access-gateway legs: the generator is
 * both ends of AGW contexts that a controller (perf/run, through cp's API)
 * created with two TCP server terminations on dp. For each context it
 * opens one connection to each leg's port, plain or TLS 1.3 (the client
 * role, with a certificate of its own: dp's TLS server legs require one
 * and trust it by the fingerprint the controller signalled), and sends a
 * stream on each leg that dp splices into the other; what arrives on a
 * leg is checked byte by byte against the stream its partner sent.
 *
 * The streams: the byte at offset k of the stream sent on leg s (context
 * s / 2, leg s % 2) is pat[(k + s * 4099) % GEN_AGW_PAT], pat a fixed
 * pseudo-random block, so a receiver knows what every byte must be
 * without keeping what was sent, and a byte delivered to the wrong leg,
 * twice, out of order or not at all is seen (at the close, every leg must
 * have received exactly what its partner sent, then the end of the
 * stream).
 *
 * Three commands, on contexts kept between them:
 *   agwopen: connect every leg (a window of contexts at a time), each leg
 *     sends `probe` bytes once up; a context is carrying once both legs
 *     received the other's probe. Times the whole (contexts a second).
 *   agwbulk: every leg keeps its send queue full (plain: writes of chunk
 *     bytes; TLS: records of chunk bytes) and reads; goodput is the bytes
 *     received in the measured seconds.
 *   agwping: the legs take turns to write size bytes of their stream (a
 *     TLS record each), rate writes a second in all; a write's latency is
 *     the time from it to its last byte read on the partner leg (both ends
 *     are this process: one TSC). The streams stay the pattern's, so the
 *     close still checks every byte.
 *   agwclose: each leg ends its stream (TLS close_notify, then FIN); done
 *     when every leg has read its partner's whole stream and its end.
 *     Says how many contexts closed byte-exact.
 *
 * The generator's cost is not what is measured (dp's cycles are): kept
 * simple rather than fast.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "tcp.h"
#include "tpgen.h"
#include "tpgen_hist.h"

#define GEN_AGW_PAT    65536u      /* the pattern's period (a power of 2) */
#define GEN_AGW_REC    16384u      /* the largest write (a TLS record) */
#define GEN_AGW_STRIDE 4099u       /* offset of stream s: s * stride */
#define GEN_AGW_PINGQ  64u         /* agwping's writes in flight a leg (2^n) */

enum agw_mode {
	AGW_IDLE = 0,                /* send nothing more */
	AGW_PROBE,                   /* send up to probe bytes */
	AGW_BULK,                    /* keep the send queue full */
};

struct agw_leg {
	tcp_id_t id;
	struct gen_tls *tls;
	uint32_t s;                  /* stream number: context * 2 + leg */
	uint16_t port;
	bool tls_on;
	bool up;                     /* connected (TLS: handshake done) */
	bool eof;                    /* the partner's stream ended here */
	bool shut;                   /* our stream ended (FIN sent) */
	bool dead;                   /* reset, failed or closed early */
	bool closed;                 /* tcp_close() done or the TCB gone */
	bool fin_due;                /* TLS: FIN once TCP took the ciphertext */
	bool in_cb;                  /* inside closed(): no tcp_close() */
	uint64_t sent;               /* stream bytes written */
	uint64_t rcvd;               /* partner's stream bytes read */
	uint64_t bad;                /* of those, not what they must be */
	uint32_t ping_head, ping_tail; /* agwping: its writes not yet read */
};

/* agwping: a write's end in its stream, and when it was written */
struct agw_ping {
	uint64_t end;
	uint64_t tsc;
};

struct gen_agw {
	struct gen *g;
	struct tcp_stack *ts;
	struct rte_mempool *pool;
	int app;
	struct agw_leg *legs;        /* 2 per context */
	uint32_t nctx;
	enum agw_mode mode;
	uint32_t probe, chunk;
	uint64_t tls_failed, resets, early_eof, send_nomem;
	struct agw_ping *pings;      /* GEN_AGW_PINGQ a leg (agwping's) */
	uint64_t ping_from;          /* TSC: writes before this are warm-up */
	struct gen_hist ping_lat;    /* ns */
	uint8_t rbuf[GEN_AGW_REC];
};

static uint8_t pat[GEN_AGW_PAT + GEN_AGW_REC];
static struct gen_agw *the_agw;

static inline const uint8_t *
pat_at(uint32_t s, uint64_t off)
{
	return pat + ((off + (uint64_t)s * GEN_AGW_STRIDE) & (GEN_AGW_PAT - 1));
}

/* len bytes of stream s from offset off: how many differ from the
 * pattern (counted a piece at a time: 0 when all match). */
static uint64_t
check(uint32_t s, uint64_t off, const uint8_t *p, uint32_t len)
{
	uint64_t bad = 0;

	while (len > 0) {
		uint32_t n = len < GEN_AGW_REC ? len : GEN_AGW_REC;

		if (memcmp(p, pat_at(s, off), n) != 0)
			bad += n;
		p += n;
		off += n;
		len -= n;
	}
	return bad;
}

/* agwping: the partner's writes that this leg has now read whole */
static void
pings_read(struct gen_agw *a, const struct agw_leg *l)
{
	struct agw_leg *w = &a->legs[l->s ^ 1u];
	const struct agw_ping *q = a->pings + (size_t)w->s * GEN_AGW_PINGQ;
	uint64_t now = rte_rdtsc();

	while (w->ping_tail != w->ping_head) {
		const struct agw_ping *x = &q[w->ping_tail & (GEN_AGW_PINGQ - 1)];

		if (x->end > l->rcvd)
			break;
		if (x->tsc >= a->ping_from)
			gen_hist_add(&a->ping_lat, (uint64_t)((double)(now - x->tsc) * 1e9 /
							      (double)a->g->hz));
		w->ping_tail++;
	}
}

static void
got(struct agw_leg *l, const uint8_t *p, uint32_t len)
{
	l->bad += check(l->s ^ 1u, l->rcvd, p, len);
	l->rcvd += len;
	if (the_agw->pings != NULL)
		pings_read(the_agw, l);
}

/* How many more bytes this leg may send now (by the mode). */
static uint64_t
budget(const struct gen_agw *a, const struct agw_leg *l)
{
	if (l->shut || l->dead || !l->up)
		return 0;
	if (a->mode == AGW_BULK)
		return UINT64_MAX;
	if (a->mode == AGW_PROBE && l->sent < a->probe)
		return a->probe - l->sent;
	return 0;
}

static void
leg_fail(struct gen_agw *a, struct agw_leg *l)
{
	if (!l->closed && l->id != 0)
		tcp_abort(a->ts, l->id);     /* no callback follows */
	l->dead = true;
	l->closed = true;
}

/* n bytes of the leg's stream written now, if TCP (and TLS: the last
 * record) takes them: 0; -EAGAIN when it cannot now; -EPROTO when the leg
 * failed (leg_fail() done). */
static int
leg_write(struct gen_agw *a, struct agw_leg *l, uint32_t n)
{
	struct rte_mbuf *m;
	uint8_t *p;

	if (l->tls != NULL) {
		int rc;

		/* a record at a time, only when TCP took the last one */
		if (gen_tls_held(l->tls) != 0 || tcp_send_space(a->ts, l->id) < n)
			return -EAGAIN;
		if (gen_tls_write(l->tls, pat_at(l->s, l->sent), n) < 0) {
			a->tls_failed++;
			leg_fail(a, l);
			return -EPROTO;
		}
		l->sent += n;
		rc = gen_tls_push(l->tls, a->ts, l->id, a->pool);
		if (rc == -ENOBUFS)
			a->send_nomem++;
		if (rc < 0 && rc != -EAGAIN && rc != -ENOBUFS) {
			leg_fail(a, l);
			return -EPROTO;
		}
		return 0;
	}
	if (tcp_send_space(a->ts, l->id) < n)
		return -EAGAIN;
	m = rte_pktmbuf_alloc(a->pool);
	if (m == NULL) {
		a->send_nomem++;
		return -EAGAIN;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -EAGAIN;
	}
	memcpy(p, pat_at(l->s, l->sent), n);
	if (tcp_send(a->ts, l->id, m) < 0) {
		rte_pktmbuf_free(m);
		return -EAGAIN;
	}
	l->sent += n;
	return 0;
}

/* Write what the mode allows while TCP takes it. */
static void
pump(struct gen_agw *a, struct agw_leg *l)
{
	uint64_t want;

	/* TLS: the handshake's flights and what TCP did not take first */
	if (l->tls != NULL && !l->closed &&
	    gen_tls_push(l->tls, a->ts, l->id, a->pool) == -EPROTO) {
		leg_fail(a, l);
		return;
	}
	while ((want = budget(a, l)) > 0)
		if (leg_write(a, l, want < a->chunk ? (uint32_t)want : a->chunk) < 0)
			return;
}

/* The partner's stream ended on this leg. */
static void
leg_eof(struct gen_agw *a, struct agw_leg *l)
{
	l->eof = true;
	if (!l->shut)
		a->early_eof++;
	if (l->shut && !l->closed && !l->in_cb) {
		tcp_close(a->ts, l->id);
		l->closed = true;
	}
}

/* What arrived on a leg: checked against the partner's stream; over TLS
 * through OpenSSL (the handshake first). */
static void
leg_read(struct gen_agw *a, struct agw_leg *l)
{
	struct rte_mbuf *m;
	int n;

	if (l->tls == NULL) {
		while ((n = tcp_recv(a->ts, l->id, &m, UINT32_MAX)) > 0) {
			for (struct rte_mbuf *s = m; s != NULL; s = s->next)
				got(l, rte_pktmbuf_mtod(s, const uint8_t *), s->data_len);
			rte_pktmbuf_free(m);
		}
		if (n == 0 && !l->eof)
			leg_eof(a, l);
		return;
	}
	while ((n = tcp_recv(a->ts, l->id, &m, UINT32_MAX)) > 0)
		gen_tls_in(l->tls, m);
	if (!l->up) {
		int h = gen_tls_handshake(l->tls);

		if (h < 0) {
			a->tls_failed++;
			leg_fail(a, l);
			return;
		}
		if (h == 1)
			l->up = true;
	}
	if (l->up && !l->eof) {
		int r;

		while ((r = gen_tls_read(l->tls, a->rbuf, sizeof(a->rbuf))) > 0)
			got(l, a->rbuf, (uint32_t)r);
		if (r == -EPIPE) {
			/* close_notify: the stream's end (the FIN follows) */
			leg_eof(a, l);
		} else if (r < 0) {
			a->tls_failed++;
			leg_fail(a, l);
			return;
		}
	}
	if (!l->in_cb)
		pump(a, l);          /* the handshake's flights, then data */
	if (n == 0) {
		if (!l->eof)
			leg_eof(a, l);   /* FIN without close_notify */
		else if (l->shut && !l->closed && !l->in_cb) {
			tcp_close(a->ts, l->id);
			l->closed = true;
		}
	}
}

static void
agw_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct agw_leg *l = arg;

	(void)ts;
	(void)id;
	if (!l->dead && !l->closed)
		leg_read(the_agw, l);
}

static void
agw_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct gen_agw *a = the_agw;
	struct agw_leg *l = arg;

	(void)ts;
	(void)id;
	if (!l->tls_on) {
		l->up = true;
		pump(a, l);
		return;
	}
	l->tls = gen_tls_new(NULL, NULL);
	if (l->tls == NULL || gen_tls_handshake(l->tls) < 0) {
		a->tls_failed++;
		leg_fail(a, l);
		return;
	}
	pump(a, l);
}

static void
agw_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	(void)ts;
	(void)id;
	pump(the_agw, arg);
}

static void
agw_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct gen_agw *a = the_agw;
	struct agw_leg *l = arg;

	(void)ts;
	(void)id;
	if (l->closed)
		return;
	if (why == TCP_REASON_NORMAL && !l->dead) {
		/* an end that came with the peer's tail: readable here
		 * (dp/tcp keeps it for this call) */
		l->in_cb = true;
		leg_read(a, l);
	}
	l->closed = true;
	if (why != TCP_REASON_NORMAL || !l->eof || !l->shut) {
		l->dead = true;
		a->resets++;
	}
}

static int
no_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	(void)ts;
	(void)id;
	(void)larg;
	(void)carg;
	return -ECONNREFUSED;
}

static const struct tcp_app_ops agw_ops = {
	.accept = no_accept,
	.connected = agw_connected,
	.readable = agw_readable,
	.writable = agw_writable,
	.closed = agw_closed,
};

int
gen_agw_create(struct gen *g, struct tcp_stack *ts, struct rte_mempool *pool)
{
	struct gen_agw *a = calloc(1, sizeof(*a));
	uint64_t x = 0x9e3779b97f4a7c15ull;

	if (a == NULL)
		return -ENOMEM;
	a->g = g;
	a->ts = ts;
	a->pool = pool;
	a->app = tcp_app_register(ts, &agw_ops);
	if (a->app < 0) {
		int rc = a->app;

		free(a);
		return rc;
	}
	/* the pattern (xorshift64), its first GEN_AGW_REC bytes again past
	 * the end: any piece up to a record long is contiguous */
	for (uint32_t i = 0; i < GEN_AGW_PAT; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pat[i] = (uint8_t)(x >> 32);
	}
	memcpy(pat + GEN_AGW_PAT, pat, GEN_AGW_REC);
	the_agw = a;
	g->agw = a;
	return 0;
}

/* Everything of the last contexts goes (aborted if still open). */
static void
legs_free(struct gen_agw *a)
{
	for (uint32_t i = 0; i < 2 * a->nctx; i++) {
		struct agw_leg *l = &a->legs[i];

		if (!l->closed && l->id != 0 && tcp_conn_state(a->ts, l->id) >= 0)
			tcp_abort(a->ts, l->id);
		gen_tls_free(l->tls);
	}
	free(a->legs);
	a->legs = NULL;
	free(a->pings);
	a->pings = NULL;
	a->nctx = 0;
}

static void
spin_ms(struct gen *g, double ms)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(ms * (double)g->hz / 1000.0);

	while (rte_rdtsc() < end && !gen_stop) {
		gen_rx_poll(g, rte_rdtsc());
		gen_tcp_flush(g);
	}
}

static bool
carrying(const struct gen_agw *a, uint32_t c)
{
	const struct agw_leg *l = &a->legs[2 * c];

	return l[0].up && l[1].up && l[0].rcvd >= a->probe && l[1].rcvd >= a->probe &&
	       l[0].bad == 0 && l[1].bad == 0;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

int
gen_agw_open(struct gen *g, const char *file, unsigned int tls_mask, uint32_t probe,
	     unsigned int window, double timeout, FILE *out)
{
	struct gen_agw *a = g->agw;
	uint64_t t0, end, bad = 0, *lat = NULL, *start = NULL;
	uint32_t next = 0, ncarry = 0, nfail = 0, cap = 64, n = 0;
	unsigned int pa, pb;
	bool *done = NULL;
	FILE *f;

	if (a == NULL)
		return -EINVAL;
	legs_free(a);
	a->tls_failed = a->resets = a->early_eof = a->send_nomem = 0;
	f = fopen(file, "r");
	if (f == NULL)
		return -errno;
	a->legs = calloc(2 * cap, sizeof(*a->legs));
	while (a->legs != NULL && fscanf(f, "%u %u", &pa, &pb) == 2) {
		if (n == cap) {
			struct agw_leg *x = realloc(a->legs, 4 * cap * sizeof(*x));

			if (x == NULL)
				break;
			memset(x + 2 * cap, 0, 2 * cap * sizeof(*x));
			a->legs = x;
			cap *= 2;
		}
		for (unsigned int k = 0; k < 2; k++) {
			struct agw_leg *l = &a->legs[2 * n + k];

			l->s = 2 * n + k;
			l->port = (uint16_t)(k == 0 ? pa : pb);
			l->tls_on = (tls_mask >> k) & 1u;
		}
		n++;
	}
	fclose(f);
	a->nctx = n;
	start = calloc(n + 1, sizeof(*start));
	lat = calloc(n + 1, sizeof(*lat));
	done = calloc(n + 1, sizeof(*done));
	if (a->legs == NULL || start == NULL || lat == NULL || done == NULL || n == 0) {
		free(start);
		free(lat);
		free(done);
		return n == 0 ? -EINVAL : -ENOMEM;
	}
	a->mode = AGW_PROBE;
	a->probe = probe;
	a->chunk = 1400;
	if (window == 0)
		window = 1;
	t0 = rte_rdtsc();
	end = t0 + (uint64_t)(timeout * (double)g->hz);
	while (ncarry + nfail < n && rte_rdtsc() < end && !gen_stop) {
		uint64_t now = rte_rdtsc();
		uint32_t open = 0;

		for (uint32_t c = 0; c < next; c++) {
			struct agw_leg *l = &a->legs[2 * c];

			if (done[c])
				continue;
			if (carrying(a, c)) {
				done[c] = true;
				lat[ncarry++] = now - start[c];
				continue;
			}
			/* an open that ended before it connected (refused):
			 * the stack tells the application nothing */
			for (unsigned int k = 0; k < 2; k++)
				if (!l[k].up && !l[k].dead && tcp_conn_state(a->ts, l[k].id) < 0) {
					l[k].dead = true;
					l[k].closed = true;
				}
			if (l[0].dead || l[1].dead || l[0].bad > 0 || l[1].bad > 0) {
				done[c] = true;
				nfail++;
				continue;
			}
			open++;
		}
		while (open < window && next < n) {
			struct agw_leg *l = &a->legs[2 * next];

			start[next] = now;
			/* each context from the next source address: dp bounds
			 * a source's connections (drop_per_source_limit) */
			gen_tcp_next_source(g);
			for (unsigned int k = 0; k < 2; k++)
				if (gen_tcp_open(g, a->app, l[k].port, &l[k].id, &l[k]) < 0) {
					l[k].dead = true;
					l[k].closed = true;
				}
			next++;
			open++;
		}
		gen_tcp_flush(g);
		gen_rx_poll(g, rte_rdtsc());
	}
	t0 = rte_rdtsc() - t0;
	a->mode = AGW_IDLE;
	for (uint32_t i = 0; i < 2 * n; i++)
		bad += a->legs[i].bad;
	qsort(lat, ncarry, sizeof(*lat), cmp_u64);
	fprintf(out, "{\"contexts\":%u,\"carrying\":%u,\"failed\":%u,\"secs\":%.6f,"
		"\"per_s\":%.1f,\"lat_ms_p50\":%.3f,\"lat_ms_p99\":%.3f,\"lat_ms_max\":%.3f,"
		"\"tls\":%u,\"probe\":%u,\"window\":%u,\"tls_failed\":%" PRIu64 ",\"resets\":%"
		PRIu64 ",\"early_eof\":%" PRIu64 ",\"bad_bytes\":%" PRIu64 ",\"tls_errors\":%"
		PRIu64 "}\n",
		n, ncarry, n - ncarry, (double)t0 / (double)g->hz,
		(double)ncarry * (double)g->hz / (double)(t0 ? t0 : 1),
		ncarry ? (double)lat[ncarry / 2] * 1e3 / (double)g->hz : 0.0,
		ncarry ? (double)lat[(ncarry * 99) / 100] * 1e3 / (double)g->hz : 0.0,
		ncarry ? (double)lat[ncarry - 1] * 1e3 / (double)g->hz : 0.0,
		tls_mask, probe, window, a->tls_failed, a->resets, a->early_eof,
		bad,
		gen_tls_error_count());
	fflush(out);
	free(start);
	free(lat);
	free(done);
	return 0;
}

static uint64_t
rcvd_all(const struct gen_agw *a)
{
	uint64_t r = 0;

	for (uint32_t i = 0; i < 2 * a->nctx; i++)
		r += a->legs[i].rcvd;
	return r;
}

int
gen_agw_bulk(struct gen *g, uint32_t chunk, double secs, double warm, FILE *out)
{
	struct gen_agw *a = g->agw;
	uint64_t tw, tend, r0, rw, rend, up = 0;

	if (a == NULL || a->nctx == 0 || chunk == 0 || chunk > GEN_AGW_REC)
		return -EINVAL;
	a->chunk = chunk;
	a->mode = AGW_BULK;
	r0 = rcvd_all(a);
	for (uint32_t i = 0; i < 2 * a->nctx; i++) {
		up += a->legs[i].up && !a->legs[i].dead;
		pump(a, &a->legs[i]);
	}
	spin_ms(g, warm * 1e3);
	rw = rcvd_all(a);
	tw = rte_rdtsc();
	spin_ms(g, secs * 1e3);
	rend = rcvd_all(a);
	tend = rte_rdtsc();
	a->mode = AGW_IDLE;
	/* what was in flight arrives (not measured; in all_rx_bytes, what
	 * dp's whole cost over the command is divided by) */
	spin_ms(g, 200);
	fprintf(out, "{\"contexts\":%u,\"legs_up\":%" PRIu64 ",\"chunk\":%u,\"secs\":%.6f,"
		"\"rx_bytes\":%" PRIu64 ",\"goodput_bps\":%.0f,\"all_rx_bytes\":%" PRIu64
		",\"tls_failed\":%" PRIu64 ",\"resets\":%" PRIu64 ",\"early_eof\":%" PRIu64
		",\"send_nomem\":%" PRIu64 "}\n",
		a->nctx, up, chunk, (double)(tend - tw) / (double)g->hz, rend - rw,
		(double)(rend - rw) * 8.0 * (double)g->hz / (double)(tend - tw),
		rcvd_all(a) - r0, a->tls_failed, a->resets, a->early_eof, a->send_nomem);
	fflush(out);
	return 0;
}

int
gen_agw_ping(struct gen *g, uint32_t size, double rate, double secs, double warm, FILE *out)
{
	struct gen_agw *a = g->agw;
	uint64_t t0, tw, tend, next, now, gap, sent = 0, skipped = 0, behind = 0;
	uint32_t nlegs, cur = 0;

	if (a == NULL || a->nctx == 0 || size == 0 || size > GEN_AGW_REC || !(rate > 0) ||
	    !(secs > 0) || !(warm >= 0) || secs + warm > 3600)
		return -EINVAL;
	nlegs = 2 * a->nctx;
	if (a->pings == NULL) {
		a->pings = calloc((size_t)nlegs * GEN_AGW_PINGQ, sizeof(*a->pings));
		if (a->pings == NULL)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < nlegs; i++)
		a->legs[i].ping_head = a->legs[i].ping_tail = 0;
	a->mode = AGW_IDLE;
	gen_hist_reset(&a->ping_lat);
	gap = (uint64_t)((double)g->hz / rate);
	if (gap == 0)
		gap = 1;
	t0 = rte_rdtsc();
	tw = t0 + (uint64_t)(warm * (double)g->hz);
	tend = tw + (uint64_t)(secs * (double)g->hz);
	a->ping_from = tw;
	next = t0;
	while ((now = rte_rdtsc()) < tend && !gen_stop) {
		/* a slow spell of the generator's own is skipped, not made
		 * up in a burst that would measure its queue */
		if (now > next && now - next > g->hz / 1000) {
			behind += (now - next) / gap;
			next = now;
		}
		while (next <= now) {
			struct agw_leg *l = NULL;

			for (uint32_t k = 0; k < nlegs && l == NULL; k++) {
				struct agw_leg *x = &a->legs[(cur + k) % nlegs];

				if (x->up && !x->dead && !x->shut &&
				    x->ping_head - x->ping_tail < GEN_AGW_PINGQ)
					l = x;
			}
			cur = (cur + 1) % nlegs;
			if (l != NULL && leg_write(a, l, size) == 0) {
				struct agw_ping *x = &a->pings[(size_t)l->s * GEN_AGW_PINGQ +
							      (l->ping_head & (GEN_AGW_PINGQ - 1))];

				x->end = l->sent;
				x->tsc = now;
				l->ping_head++;
				sent += now >= tw;
			} else if (now >= tw) {
				skipped++;
			}
			next += gap;
		}
		gen_rx_poll(g, now);
		gen_tcp_flush(g);
	}
	/* the last writes arrive (their latency counted: they were sent in
	 * the measured part) */
	spin_ms(g, 200);
	a->ping_from = UINT64_MAX;
	fprintf(out, "{\"contexts\":%u,\"size\":%u,\"rate\":%.0f,\"secs\":%.6f,"
		"\"tx\":%" PRIu64 ",\"rx\":%" PRIu64 ",\"rx_pps\":%.1f,\"skipped\":%" PRIu64
		",\"behind\":%" PRIu64 ",\"lat_ns\":{\"n\":%" PRIu64 ",\"min\":%" PRIu64
		",\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%"
		PRIu64 "},\"tls_failed\":%" PRIu64 ",\"resets\":%" PRIu64 ",\"send_nomem\":%"
		PRIu64 "}\n",
		a->nctx, size, rate, secs, sent, a->ping_lat.n,
		(double)a->ping_lat.n / secs, skipped, behind, a->ping_lat.n,
		a->ping_lat.n ? a->ping_lat.min : 0, gen_hist_quantile(&a->ping_lat, 0.5),
		gen_hist_quantile(&a->ping_lat, 0.99), gen_hist_quantile(&a->ping_lat, 0.999),
		a->ping_lat.max, a->tls_failed, a->resets, a->send_nomem);
	fflush(out);
	return 0;
}

/* The generator's own TCP counters that are not 0 (what its stack did:
 * resets sent, retransmissions, TIME_WAITs recycled), as JSON members. */
static void
tcp_counters(const struct tcp_stack *ts, FILE *out)
{
	bool first = true;

	fputs(",\"gen_tcp\":{", out);
	for (unsigned int k = 0; k < TCP_CTR__COUNT; k++)
		if (ts->ctr[k] != 0) {
			fprintf(out, "%s\"%s\":%" PRIu64, first ? "" : ",", tcp_ctr_name(k),
				ts->ctr[k]);
			first = false;
		}
	for (unsigned int k = 1; k < TCP_REASON__COUNT; k++)
		if (ts->closes[k] != 0) {
			fprintf(out, "%s\"close_%s\":%" PRIu64, first ? "" : ",", tcp_reason_name(k),
				ts->closes[k]);
			first = false;
		}
	fputc('}', out);
}

int
gen_agw_close(struct gen *g, double timeout, FILE *out)
{
	struct gen_agw *a = g->agw;
	uint64_t t0 = rte_rdtsc(), end = t0 + (uint64_t)(timeout * (double)g->hz);
	uint64_t sent = 0, rcvd = 0, bad = 0;
	uint32_t exact = 0, pending;

	if (a == NULL)
		return -EINVAL;
	a->mode = AGW_IDLE;
	for (uint32_t i = 0; i < 2 * a->nctx; i++) {
		struct agw_leg *l = &a->legs[i];

		if (l->dead || l->closed || l->shut)
			continue;
		if (l->tls != NULL) {
			gen_tls_close_notify(l->tls);
			gen_tls_push(l->tls, a->ts, l->id, a->pool);
		}
		/* (TLS: the FIN goes once TCP took the ciphertext held,
		 * close_notify last: below) */
		if (l->tls == NULL || gen_tls_held(l->tls) == 0)
			tcp_shutdown(a->ts, l->id);
		else
			l->fin_due = true;
		l->shut = true;
		if (l->eof && !l->closed && !l->fin_due) {
			tcp_close(a->ts, l->id);
			l->closed = true;
		}
	}
	do {
		pending = 0;
		for (uint32_t i = 0; i < 2 * a->nctx; i++) {
			struct agw_leg *l = &a->legs[i];

			if (l->dead)
				continue;
			if (l->fin_due && !l->closed &&
			    gen_tls_push(l->tls, a->ts, l->id, a->pool) == 0) {
				tcp_shutdown(a->ts, l->id);
				l->fin_due = false;
			}
			if (!l->eof)
				pending++;
		}
		spin_ms(g, 1);
	} while (pending > 0 && rte_rdtsc() < end && !gen_stop);
	for (uint32_t c = 0; c < a->nctx; c++) {
		const struct agw_leg *l = &a->legs[2 * c];
		bool ok = true;

		for (unsigned int k = 0; k < 2; k++) {
			sent += l[k].sent;
			rcvd += l[k].rcvd;
			bad += l[k].bad;
			ok = ok && !l[k].dead && l[k].eof && l[k].bad == 0 &&
			     l[k].rcvd == l[k ^ 1].sent;
		}
		exact += ok;
	}
	fprintf(out, "{\"contexts\":%u,\"exact\":%u,\"sent\":%" PRIu64 ",\"rcvd\":%" PRIu64
		",\"bad_bytes\":%" PRIu64 ",\"pending\":%u,\"secs\":%.6f,\"tls_failed\":%"
		PRIu64 ",\"resets\":%" PRIu64 ",\"early_eof\":%" PRIu64,
		a->nctx, exact, sent, rcvd, bad, pending,
		(double)(rte_rdtsc() - t0) / (double)g->hz, a->tls_failed, a->resets,
		a->early_eof);
	tcp_counters(a->ts, out);
	fputs("}\n", out);
	fflush(out);
	spin_ms(g, 20);
	legs_free(a);
	return 0;
}
