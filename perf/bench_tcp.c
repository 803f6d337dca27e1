/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tcp: dp/tcp's own cycles a byte on the AGW's plain bulk, in one
 * process on one core, without ports, rings or a second core
 * (perf/run --agw-ab measures the whole, whose runs scatter
 * from 4 to 10 Gbit/s with the generator's core; this measures the
 * stack's part alone, close enough to repeat that a variant's cost shows
 * in a few rounds).
 *
 * Two stacks: the DUT, a splice of --ctx pairs of server connections as
 * dp/splice keeps them (what a leg reads goes by reference to its
 * partner's send queue, as much as the partner's send space takes), and
 * the peer, the generator's side: --ctx pairs of client connections,
 * every one keeping its send queue full with writes of --chunk bytes and
 * reading everything. Segments go between them through two queues, at
 * most --burst taken from a queue a turn (a poll of the port), the
 * stacks' clocks on the TSC. Each stack's time is its own: the cycles
 * spent in its tcp_input(), its timers and its application's callbacks
 * (the DUT's splice, the peer's writes, which copy the payload). Bytes:
 * what the peer's connections received in the measured time.
 *
 * Variants of the DUT's configuration run in turns, a fresh pair of
 * stacks each round; the first is the reference, the others are
 * printed as ratios of each round's pair, then of the medians:
 *   default    tcp_conf_defaults() with dp's settings
 *   norack     conf.rack off
 *   noburst    conf.max_burst 1000 (as good as none)
 *   noprobe    conf.mtu_probing off
 *   offer      conf.cksum_offer: the DUT's segments leave their checksum
 *              to the NIC (only the pseudo-header summed; the peer's
 *              input trusts it, as with a NIC that verified it)
 *
 *   bench_tcp [EAL options] -- [--ctx N (4)] [--chunk B (1400)] [--ms MS
 *             (1000)] [--rounds R (5)] [--burst B (32)] [--variants
 *             a,b,...] [--bytes N (a run measures N bytes, not --ms:
 *             for instruction counts under callgrind)] [--slow K (the
 *             stacks' clock K times slower: under callgrind, K near its
 *             slowdown keeps the timers where they are)] [--quick]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcp.h"
#include "tw.h"

#define MAX_CTX   64u
#define QCAP      (1u << 16)     /* segments a queue holds (a power of 2) */
#define DUT_PORT  4000
#define PEER_PORT 40000
#define WARM_MS   300u

/* One direction of the wire: what a stack emitted, for the other. */
struct wire {
	struct rte_mbuf *q[QCAP];
	uint32_t head, tail;         /* head: next to take; tail: next free */
	uint64_t segs, bytes;        /* emitted (TCP header and payload) */
	uint64_t dropped;            /* the queue was full */
};

struct leg {
	tcp_id_t id;
	struct leg *partner;         /* the DUT's: the other leg of its pair */
	bool up;
};

struct side {
	const char *name;
	struct tcp_stack *ts;
	struct tw_wheel wheel;
	struct wire *in, *out;
	uint8_t addr[16], raddr[16];
	struct leg legs[2 * MAX_CTX];
	unsigned int nlegs;
	uint64_t cycles;             /* in this stack's turns */
	uint64_t rx_bytes;           /* payload its application read */
	uint64_t held_sum, held_n;   /* its stack's held bytes, sampled each turn */
};

static struct rte_mempool *pool;
static unsigned int nctx = 4, chunk = 1400, burst = 32;
static uint64_t want_bytes;         /* --bytes: a run measures this many, not --ms */
static uint8_t pat[65536];

struct variant {
	const char *name;
	void (*apply)(struct tcp_conf *c);
};

static void v_default(struct tcp_conf *c) { (void)c; }
static void v_norack(struct tcp_conf *c) { c->rack = false; }
static void v_noburst(struct tcp_conf *c) { c->max_burst = 1000; }
static void v_noprobe(struct tcp_conf *c) { c->mtu_probing = false; }
static void v_offer(struct tcp_conf *c) { c->cksum_offer = true; }

static const struct variant variants[] = {
	{ "default", v_default },
	{ "norack", v_norack },
	{ "noburst", v_noburst },
	{ "noprobe", v_noprobe },
	{ "offer", v_offer },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static unsigned int slow = 1;
static bool trace;                  /* --trace: every 100 ms of the measured time */       /* --slow: the stacks' clock runs this much slower */

static uint64_t
now_ms(void)
{
	return rte_get_tsc_cycles() / (rte_get_tsc_hz() / 1000 * slow);
}

static void
wire_out(void *arg, struct rte_mbuf *m, uint8_t family, uint8_t ds, const uint8_t *src,
	 const uint8_t *dst)
{
	(void)ds;
	struct wire *w = arg;

	(void)family;
	(void)src;
	(void)dst;
	w->segs++;
	w->bytes += m->pkt_len;
	if (w->tail - w->head == QCAP) {
		w->dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	w->q[w->tail++ & (QCAP - 1)] = m;
}

static const struct tcp_out_ops wire_ops = { .output = wire_out };

/* ---- the DUT: a splice of two server legs ---- */

/* a's bytes to its partner, by reference, while the partner takes them
 * (dp/splice's pump without what it holds for a leg not yet up). */
static void
splice_move(struct side *s, struct leg *a)
{
	struct leg *b = a->partner;

	while (b != NULL && b->up) {
		uint32_t room = tcp_send_space(s->ts, b->id);
		struct rte_mbuf *m;
		int n;

		if (room < 2048)
			return;
		n = tcp_recv(s->ts, a->id, &m, room);
		if (n <= 0)
			return;
		if (tcp_send(s->ts, b->id, m) < 0) {
			/* (room was asked first: not expected) */
			rte_pktmbuf_free(m);
			return;
		}
	}
}

static int
dut_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	struct side *s = larg;
	struct leg *l;

	(void)ts;
	if (s->nlegs == 2 * nctx)
		return -1;
	l = &s->legs[s->nlegs];
	l->id = id;
	l->up = true;
	if (s->nlegs & 1u) {
		l->partner = l - 1;
		(l - 1)->partner = l;
	}
	s->nlegs++;
	*carg = l;
	return 0;
}

static struct side *dut_side, *peer_side;

static void
dut_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	(void)ts;
	(void)id;
	splice_move(dut_side, arg);
}

static void
dut_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct leg *l = arg;

	(void)ts;
	(void)id;
	if (l->partner != NULL)
		splice_move(dut_side, l->partner);
}

static void
dut_closed(struct tcp_stack *ts, tcp_id_t id, void *arg, enum tcp_reason why)
{
	struct leg *l = arg;

	(void)ts;
	(void)id;
	(void)why;
	l->up = false;
}

static const struct tcp_app_ops dut_ops = {
	.accept = dut_accept,
	.readable = dut_readable,
	.writable = dut_writable,
	.closed = dut_closed,
};

/* ---- the peer: clients that keep their send queues full ---- */

static void
peer_pump(struct side *s, struct leg *l)
{
	while (l->up && tcp_send_space(s->ts, l->id) >= chunk) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint8_t *p;

		if (m == NULL)
			return;
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)chunk);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			return;
		}
		memcpy(p, pat + (l->id & 0x3fff), chunk);
		if (tcp_send(s->ts, l->id, m) < 0) {
			rte_pktmbuf_free(m);
			return;
		}
	}
}

static void
peer_connected(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct leg *l = arg;

	(void)ts;
	(void)id;
	l->up = true;
	peer_pump(peer_side, l);
}

static void
peer_readable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	struct rte_mbuf *m;
	int n;

	(void)arg;
	while ((n = tcp_recv(ts, id, &m, UINT32_MAX)) > 0) {
		peer_side->rx_bytes += (uint64_t)n;
		rte_pktmbuf_free(m);
	}
}

static void
peer_writable(struct tcp_stack *ts, tcp_id_t id, void *arg)
{
	(void)ts;
	(void)id;
	peer_pump(peer_side, arg);
}

static int
peer_accept(struct tcp_stack *ts, tcp_id_t id, void *larg, void **carg)
{
	(void)ts;
	(void)id;
	(void)larg;
	(void)carg;
	return -1;                   /* (it listens nowhere) */
}

static const struct tcp_app_ops peer_ops = {
	.accept = peer_accept,
	.connected = peer_connected,
	.readable = peer_readable,
	.writable = peer_writable,
	.closed = dut_closed,
};

/* ---- the run ---- */

static void
base_conf(struct tcp_conf *c)
{
	tcp_conf_defaults(c);
	c->mss4 = 1460;              /* a 1500-byte port */
	c->isn_key[0] = 1;
}

static int
side_init(struct side *s, const char *name, const struct tcp_conf *conf,
	  const struct tcp_app_ops *ops, struct wire *in, struct wire *out, uint8_t me,
	  uint8_t other)
{
	uint64_t t = now_ms();
	int app;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->in = in;
	s->out = out;
	s->addr[0] = 10;
	s->addr[3] = me;
	s->raddr[0] = 10;
	s->raddr[3] = other;
	tw_init(&s->wheel, t);
	s->ts = tcp_stack_create(conf, &s->wheel, &wire_ops, out, pool, t);
	if (s->ts == NULL)
		return -1;
	app = tcp_app_register(s->ts, ops);
	if (app < 0)
		return -1;
	return app;
}

/* One turn of a side: a burst of what the other sent, then its timers
 * (and the peer's writes). */
static unsigned int
side_turn(struct side *s, bool peer)
{
	uint64_t t0 = rte_rdtsc(), t = now_ms();
	unsigned int n = 0;

	tcp_stack_set_time(s->ts, t);
	while (n < burst && s->in->head != s->in->tail) {
		struct rte_mbuf *m = s->in->q[s->in->head++ & (QCAP - 1)];

		tcp_input(s->ts, m, TCP_AF_IPV4, s->raddr, s->addr, 0, m->pkt_len, true);
		n++;
	}
	if (peer)
		for (unsigned int i = 0; i < s->nlegs; i++)
			peer_pump(s, &s->legs[i]);
	tw_advance(&s->wheel, t);
	s->cycles += rte_rdtsc() - t0;
	s->held_sum += s->ts->held;
	s->held_n++;
	return n;
}

struct result {
	double cpb_dut, cpb_peer;    /* cycles a byte received by the peer */
	double gbps;                 /* on one core for both stacks */
	double segs_per_kb_dut;      /* segments the DUT sent per KiB received */
	double avg_payload;          /* of the DUT's segments with data */
	double held_dut, held_peer;  /* KiB held on average */
	double inuse;                /* mbufs out of the pool at the end */
	uint64_t dropped;
};

static struct wire w_dut_out, w_peer_out;

static void
wire_flush(struct wire *w)
{
	while (w->head != w->tail)
		rte_pktmbuf_free(w->q[w->head++ & (QCAP - 1)]);
	memset(w, 0, sizeof(*w));
}

static int
run_one(const struct variant *v, unsigned int ms, struct result *r)
{
	static struct side dut, peer;
	struct tcp_conf dc, pc;
	int dapp, papp;
	uint64_t end, t_start, dcyc0, pcyc0, rx0, segs0, bytes0;
	uint64_t tsc0;

	wire_flush(&w_dut_out);
	wire_flush(&w_peer_out);
	base_conf(&dc);
	dc.max_conns = 4 * nctx + 16;
	v->apply(&dc);
	base_conf(&pc);
	/* the generator's (perf/tpgen_tcp.c, the AGW's plain legs) */
	pc.snd_buf = 128 * 1024;
	pc.rcv_buf = 256 * 1024;
	pc.max_conns = 4 * nctx + 16;
	dut_side = &dut;
	peer_side = &peer;
	dapp = side_init(&dut, "dut", &dc, &dut_ops, &w_peer_out, &w_dut_out, 1, 2);
	papp = side_init(&peer, "peer", &pc, &peer_ops, &w_dut_out, &w_peer_out, 2, 1);
	if (dapp < 0 || papp < 0 || tcp_listen(dut.ts, TCP_AF_IPV4, DUT_PORT, dapp, &dut) < 0) {
		fprintf(stderr, "bench_tcp: cannot make the stacks (%d %d: %s)\n", dapp, papp,
			strerror(errno));
		return -1;
	}
	for (unsigned int i = 0; i < 2 * nctx; i++) {
		struct leg *l = &peer.legs[i];

		if (tcp_connect(peer.ts, TCP_AF_IPV4, peer.addr, (uint16_t)(PEER_PORT + i),
				dut.addr, DUT_PORT, papp, l, &l->id) < 0) {
			fprintf(stderr, "bench_tcp: connect %u failed\n", i);
			return -1;
		}
		peer.nlegs++;
		/* one at a time, so that the DUT's accepts pair them in order */
		for (unsigned int k = 0; k < 8; k++) {
			side_turn(&dut, false);
			side_turn(&peer, false);
		}
	}
	end = now_ms() + WARM_MS;
	while (want_bytes != 0 ? peer.rx_bytes < want_bytes / 4 : now_ms() < end) {
		side_turn(&peer, true);
		side_turn(&dut, false);
	}
	dcyc0 = dut.cycles;
	pcyc0 = peer.cycles;
	rx0 = peer.rx_bytes;
	segs0 = w_dut_out.segs;
	bytes0 = w_dut_out.bytes;
	dut.held_sum = dut.held_n = peer.held_sum = peer.held_n = 0;
	tsc0 = rte_rdtsc();
	t_start = now_ms();
	end = t_start + ms;
	{
		uint64_t next = t_start + 100, tc = dut.cycles, tr = peer.rx_bytes;

		while (want_bytes != 0 ? peer.rx_bytes - rx0 < want_bytes : now_ms() < end) {
			side_turn(&peer, true);
			side_turn(&dut, false);
			if (trace && now_ms() >= next) {
				struct tcp_conn *c = tcp_conn_get(dut.ts, dut.legs[0].id);

				printf("    %4" PRIu64 " ms: dut %.3f cycles/B, leg 0 cwnd %u snd_wnd %u "
				       "srtt8 %u flight %u queued %u\n", now_ms() - t_start,
				       (double)(dut.cycles - tc) / (double)(peer.rx_bytes - tr + 1),
				       c ? c->cwnd : 0, c ? c->snd_wnd : 0, c ? c->srtt8 : 0,
				       c ? c->snd_max - c->snd_una : 0, c ? c->snd_queued : 0);
				next += 100;
				tc = dut.cycles;
				tr = peer.rx_bytes;
			}
		}
	}
	{
		uint64_t rx = peer.rx_bytes - rx0, segs = w_dut_out.segs - segs0;
		uint64_t bytes = w_dut_out.bytes - bytes0;
		double secs = (double)(rte_rdtsc() - tsc0) / (double)rte_get_tsc_hz();

		if (rx == 0) {
			fprintf(stderr, "bench_tcp: nothing arrived\n");
			return -1;
		}
		r->cpb_dut = (double)(dut.cycles - dcyc0) / (double)rx;
		r->cpb_peer = (double)(peer.cycles - pcyc0) / (double)rx;
		r->gbps = (double)rx * 8 / secs / 1e9;
		r->segs_per_kb_dut = (double)segs * 1024 / (double)rx;
		/* payload: what the DUT emitted less 32 bytes of header each
		 * (20 and the timestamps option) */
		r->avg_payload = segs ? ((double)bytes - 32.0 * (double)segs) / (double)segs : 0;
		r->dropped = w_dut_out.dropped + w_peer_out.dropped;
		r->held_dut = (double)dut.held_sum / (double)dut.held_n / 1024;
		r->held_peer = (double)peer.held_sum / (double)peer.held_n / 1024;
		r->inuse = (double)rte_mempool_in_use_count(pool);
	}
	tcp_stack_free(dut.ts);
	tcp_stack_free(peer.ts);
	wire_flush(&w_dut_out);
	wire_flush(&w_peer_out);
	return 0;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	double t[256];

	memcpy(t, v, n * sizeof(*v));
	qsort(t, n, sizeof(*t), cmp_d);
	return n & 1u ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctx", required_argument, NULL, 'c' },
		{ "chunk", required_argument, NULL, 'k' },
		{ "ms", required_argument, NULL, 'm' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "variants", required_argument, NULL, 'v' },
		{ "bytes", required_argument, NULL, 'y' },
		{ "slow", required_argument, NULL, 's' },
		{ "trace", no_argument, NULL, 't' },
		{ "quick", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const struct variant *run[NVARIANTS];
	unsigned int nrun = 0, ms = 1000, rounds = 5;
	char *vlist = NULL;
	int n, o;
	double cpb[NVARIANTS][256], peer[NVARIANTS][256], gb[NVARIANTS][256];
	double spk[NVARIANTS][256], pay[NVARIANTS][256];

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "bench_tcp: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			nctx = (unsigned int)atoi(optarg);
			break;
		case 'k':
			chunk = (unsigned int)atoi(optarg);
			break;
		case 'm':
			ms = (unsigned int)atoi(optarg);
			break;
		case 'r':
			rounds = (unsigned int)atoi(optarg);
			break;
		case 'b':
			burst = (unsigned int)atoi(optarg);
			break;
		case 'v':
			vlist = optarg;
			break;
		case 't':
			trace = true;
			break;
		case 's':
			slow = (unsigned int)atoi(optarg);
			break;
		case 'y':
			want_bytes = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			ms = 200;
			rounds = 1;
			break;
		default:
			return 2;
		}
	}
	if (nctx < 1 || nctx > MAX_CTX || chunk < 1 || chunk > 16384 || rounds < 1 ||
	    rounds > 256 || burst < 1 || ms < 10 || slow < 1) {
		fprintf(stderr, "bench_tcp: --ctx 1-%u, --chunk 1-16384, --rounds 1-256, "
			"--burst >= 1, --ms >= 10\n", MAX_CTX);
		return 2;
	}
	if (vlist == NULL) {
		for (unsigned int i = 0; i < NVARIANTS; i++)
			run[nrun++] = &variants[i];
	} else {
		for (char *t = strtok(vlist, ","); t != NULL; t = strtok(NULL, ",")) {
			unsigned int i;

			for (i = 0; i < NVARIANTS && strcmp(variants[i].name, t) != 0; i++)
				;
			if (i == NVARIANTS || nrun == NVARIANTS) {
				fprintf(stderr, "bench_tcp: no variant %s (or too many)\n", t);
				return 2;
			}
			run[nrun++] = &variants[i];
		}
	}
	for (unsigned int i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 2654435761u >> 24);
	pool = rte_pktmbuf_pool_create("bench_tcp", 65535, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "bench_tcp: no mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	printf("bench_tcp: %u context(s) spliced, writes of %u B, bursts of %u, %u ms a run, "
	       "%u round(s) of %u variant(s) in turns\n", nctx, chunk, burst, ms, rounds, nrun);
	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int i = 0; i < nrun; i++) {
			struct result res;

			if (run_one(run[i], ms, &res) < 0)
				return 1;
			cpb[i][r] = res.cpb_dut;
			peer[i][r] = res.cpb_peer;
			gb[i][r] = res.gbps;
			spk[i][r] = res.segs_per_kb_dut;
			pay[i][r] = res.avg_payload;
			printf("  round %u %-8s dut %.3f cycles/B, peer %.3f, %.2f Gbit/s, "
			       "dut %.3f segs/KiB (payload %.0f B), held KiB dut %.0f peer %.0f, "
			       "mbufs %.0f%s\n", r + 1, run[i]->name,
			       res.cpb_dut, res.cpb_peer, res.gbps, res.segs_per_kb_dut,
			       res.avg_payload, res.held_dut, res.held_peer, res.inuse, res.dropped ? " (wire full: dropped)" : "");
		}
	}
	printf("\n  %-8s %12s %12s %10s %10s %9s  %s\n", "variant", "dut cyc/B", "peer cyc/B",
	       "Gbit/s", "segs/KiB", "payload", "dut cyc/B over the first's, pairs");
	for (unsigned int i = 0; i < nrun; i++) {
		double pr[256], lo = 1e9, hi = 0;

		for (unsigned int r = 0; r < rounds; r++) {
			pr[r] = cpb[i][r] / cpb[0][r];
			lo = pr[r] < lo ? pr[r] : lo;
			hi = pr[r] > hi ? pr[r] : hi;
		}
		printf("  %-8s %12.3f %12.3f %10.2f %10.3f %9.0f  %.3f (%.3f-%.3f)\n",
		       run[i]->name, median(cpb[i], rounds), median(peer[i], rounds),
		       median(gb[i], rounds), median(spk[i], rounds), median(pay[i], rounds),
		       median(pr, rounds), lo, hi);
	}
	rte_eal_cleanup();
	return 0;
}
