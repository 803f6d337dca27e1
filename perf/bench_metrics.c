/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_metrics: what one Prometheus scrape costs turnpike-cp's loop (the
 * loop that answers TURN requests too) at N allocations, the scrape
 * handler as it was against as it is, over real HTTP on loopback, side
 * by side in one run.
 *
 * cp is built as turnpike-cp builds it (cp/alloc's tables, a shared-
 * memory segment of 2 workers, the metrics endpoint), with N allocations
 * whose counters dp reported (IPC_STATS through cp_handle()). A client
 * thread scrapes GET /metrics (a connection each, as Prometheus does
 * with keep-alive off), one scrape at a time; the main thread is cp's
 * loop: it polls the endpoint's descriptor and calls its serve function
 * as cp/main.c does, and only the time inside that call is counted, as
 * this thread's CPU time (CLOCK_THREAD_CPUTIME_ID: what the loop spent,
 * not what another process took from it on a shared core). Cases:
 *
 *   old        the handler before: every scrape takes a snapshot that
 *              walks every allocation (count by transport, live traffic)
 *              and renders it (a libmicrohttpd daemon of this program's
 *              with that handler: cp_metrics_collect() then the walk it
 *              did, then cp_metrics_render())
 *   new-build  cp/metrics as it is, every scrape more than a second after
 *              the text before (cp's clock moved 1 s between scrapes): a
 *              Prometheus scraping every 15 s always meets this one; the
 *              snapshot reads running sums, no walk
 *   new-cached cp/metrics as it is, scrapes within the second: the text
 *              made once is queued again (many scrapers, a flood)
 *
 * Reported per case: loop time per scrape (CPU us, median over rounds of
 * the round's mean) and the longest single call of the serve function
 * (one turn of the loop: what a TURN request arriving meanwhile waits),
 * and the ratios old/new measured in the same round.
 *
 *   bench_metrics [--quick] [--allocs N[,N...]]
 *
 * Default N: 1000 and 100000 (--quick: 1000 and 10000, a second or two).
 * Exit status 0, 1 when a scrape is not a 200 with the text, or the two
 * handlers disagree on the numbers (they must measure the same thing),
 * 2 on bad usage. Speed never fails the run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cp.h"
#include "cp_module.h"
#include "alloc/alloc_internal.h"
#include "metrics/metrics.h"
#include "tp_conf.h"

#define MAX_ROUNDS 32
#define MAX_SIZES 8

static struct tp_conf conf;
static struct cp_ctx cp;
static char conf_path[128], seg_name[64];

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_metrics: %s\n", what);
	exit(1);
}

/* ---- cp with n allocations ---------------------------------------------- */

static void
cp_make(uint32_t n)
{
	struct cp_auth_conf ac = { .realm = "bench.turnpike" };
	static struct ipc_msg m;
	char err[256];
	bool created;
	size_t off = 0;
	FILE *f;

	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-bench-metrics-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-bench-metrics-%d", (int)getpid());
	f = fopen(conf_path, "w");
	if (f == NULL)
		die("cannot write the configuration");
	fprintf(f, "dp = { workers = [0, 1]; ports = (\n"
		"  { name = \"a\"; dev = \"x0\"; roles = [\"access\", \"core\"]; "
		"ipv4 = \"10.0.0.1/24\"; }); };\n"
		"turn = { realm = \"bench.turnpike\"; ipc = \"%s\"; };\n"
		"cp = { quota_total = %u; };\n", seg_name, n > 0 ? n : 1);
	fclose(f);
	memset(&cp, 0, sizeof(cp));
	if (tp_conf_load(conf_path, &conf, err, sizeof(err)) < 0)
		die(err);
	unlink(conf_path);
	cp.conf = &conf;
	/* no module, but cp's own counters, as turnpike-cp registers them */
	if (cp_modules_use(&cp, NULL, 0) < 0)
		die("cp_modules_use");
	cp.auth = cp_auth_init(&ac);
	if (cp.auth == NULL)
		die("cp_auth_init");
	ipc_seg_unlink(seg_name);
	if (ipc_seg_open(&cp.seg, seg_name, 2, geteuid(), &created) < 0)
		die("cannot make the shared-memory segment");
	cp.nworkers = 2;
	/* dp's names and per-worker counters as a 2-worker dp publishes
	 * them (38 drop reasons, some 110 TCP counters, the loop turns'
	 * histogram): the text is the
	 * size a real scrape renders (some 40 KB) */
	cp.seg.shm->dp_ndrops = 38;
	for (unsigned int i = 0; i < 38; i++)
		snprintf(cp.seg.shm->dp_drop_names[i], IPC_DP_NAME_LEN, "drop_reason_%02u", i);
	cp.seg.shm->dp_ntcp = 110;
	for (unsigned int i = 0; i < 110; i++)
		snprintf(cp.seg.shm->dp_tcp_names[i], IPC_DP_NAME_LEN, "tcp_counter_%03u", i);
	for (unsigned int w = 0; w < 2; w++) {
		struct ipc_dp_stats *d = &ipc_worker(&cp.seg, w)->dp_stats;

		d->rx_pkts = d->tx_pkts = 123456789;
		for (unsigned int i = 0; i < 38; i++)
			d->drop[i] = 1000 + i;
		for (unsigned int i = 0; i < 110; i++)
			d->tcp[i] = 100000 + i;
		for (unsigned int i = 0; i < IPC_DP_LOOP_BUCKETS; i++)
			d->loop_buckets[i] = 1000000u >> i;
		d->busy_cycles = 987654321;
		d->updated_ms = ipc_monotonic_ms();
	}
	cp.seg.shm->dp_tsc_hz = 2000000000;
	cp.start_ms = 1000000;
	cp.now_ms = cp.start_ms;
	tw_init(&cp.wheel, 0);
	if (cp_alloc_init(&cp) < 0)
		die("cp_alloc_init");
	cp.ready = true;
	/* n allocations, a third over TCP, 1000 usernames; then dp's
	 * report of their counters, as many to a message as fit */
	for (uint32_t i = 0; i < n; i++) {
		struct ipc_tuple tu;
		char name[16];
		int len = snprintf(name, sizeof(name), "u%u", i % 1000);

		memset(&tu, 0, sizeof(tu));
		tu.transport = i % 3 == 0 ? 6 : 17;
		tu.client.family = 4;
		tu.client.ip[0] = 10;
		tu.client.ip[1] = (uint8_t)(i >> 16);
		tu.client.ip[2] = (uint8_t)(i >> 8);
		tu.client.ip[3] = (uint8_t)i;
		tu.client.port = 40000;
		tu.server.family = 4;
		tu.server.ip[0] = 10;
		tu.server.ip[3] = 1;
		tu.server.port = 3478;
		if (cpa_alloc_new(&cp, &tu, (uint16_t)(i % 2), 0, name, (size_t)len) == NULL)
			die("cpa_alloc_new");
	}
	memset(&m.h, 0, sizeof(m.h));
	m.h.kind = IPC_STATS;
	for (uint32_t i = 0; i < n; i++) {
		struct ipc_alloc_stats st = { .alloc_id = i + 1 };

		for (unsigned int k = 0; k < IPC_ALLOC_STATS_N; k++)
			st.c[k] = (uint64_t)(i + 1) * (k + 1);
		if (off + sizeof(st) > sizeof(m.body)) {
			m.h.body_len = (uint16_t)off;
			cp_handle(&cp, 0, &m);
			off = 0;
		}
		memcpy(m.body + off, &st, sizeof(st));
		off += sizeof(st);
	}
	m.h.body_len = (uint16_t)off;
	cp_handle(&cp, 0, &m);
	if (cp.alloc->nallocs != n)
		die("allocations missing");
}

static void
cp_drop(void)
{
	cp_alloc_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	cp_auth_free(cp.auth);
	tp_conf_free(&conf);
}

/* ---- the handler before (the reference) ---------------------------------- */

/* The snapshot as it was taken: every live allocation walked for its
 * transport and its traffic. */
static void
old_collect(struct cp_metrics_snap *s)
{
	uint32_t cur = 0;
	struct cp_alloc *a;

	cp_metrics_collect(&cp, s);
	s->alloc_udp = s->alloc_tcp = 0;
	memcpy(s->traffic_all, cp.alloc->traffic_done[0], sizeof(s->traffic_all));
	while ((a = cp_alloc_next(&cp, &cur)) != NULL) {
		uint64_t t[IPC_ALLOC_STATS_N];

		if (a->tuple.transport == 6)
			s->alloc_tcp++;
		else
			s->alloc_udp++;
		cp_alloc_traffic(a, t);
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			s->traffic_all[i] += t[i];
	}
}

static enum MHD_Result
old_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	    const char *version, const char *upload_data, size_t *upload_data_size,
	    void **con_cls)
{
	struct cp_metrics_snap *s;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *text;
	long n;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return MHD_NO;
	old_collect(s);
	n = cp_metrics_render(&cp, s, cp.conf->turn.realm, &text);
	free(s);
	if (n < 0)
		return MHD_NO;
	r = MHD_create_response_from_buffer((size_t)n, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- a scraper ------------------------------------------------------------ */

struct scraper {
	uint16_t port;
	unsigned int count;
	atomic_bool done;
	bool bad;
	size_t bytes;                 /* of the last answer's body */
	char last[1 << 18];           /* the last answer's body */
};

static void *
scrape_thread(void *arg)
{
	struct scraper *sc = arg;
	static char buf[1 << 18];

	for (unsigned int i = 0; i < sc->count; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(sc->port) };
		static const char req[] = "GET /metrics HTTP/1.1\r\nHost: bench\r\n"
					  "Connection: close\r\n\r\n";
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		size_t got = 0;
		const char *body;
		ssize_t k;

		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1) {
			sc->bad = true;
			if (fd >= 0)
				close(fd);
			break;
		}
		while ((k = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
			got += (size_t)k;
		close(fd);
		buf[got] = '\0';
		body = strstr(buf, "\r\n\r\n");
		if (strncmp(buf, "HTTP/1.1 200", 12) != 0 || body == NULL) {
			sc->bad = true;
			break;
		}
		sc->bytes = got - (size_t)(body + 4 - buf);
		memcpy(sc->last, body + 4, sc->bytes + 1);
	}
	atomic_store(&sc->done, true);
	return NULL;
}

/* ---- cp's loop, timed ------------------------------------------------------ */

/* The old handler's daemon, driven as cp drives its endpoint. */
struct old_ep {
	struct MHD_Daemon *d;
	int fd;
};

struct timing {
	uint64_t total_ns;            /* CPU time inside the serve calls */
	uint64_t max_ns;              /* the longest call */
};

static uint64_t
old_serve(struct old_ep *o)
{
	MHD_UNSIGNED_LONG_LONG t;

	MHD_run(o->d);
	if (MHD_get_timeout(o->d, &t) != MHD_YES || t > 1000)
		t = 1000;
	return (uint64_t)t;
}

/* count scrapes of port, the loop serving either the old endpoint or
 * cp's; advance_ms: cp's clock moves by so much after each scrape
 * answered (1000: every scrape makes its text anew; 0: none does after
 * the first). */
static void
run_case(struct old_ep *o, uint16_t port, unsigned int count, uint64_t advance_ms,
	 struct scraper *sc, struct timing *t)
{
	int fd = o != NULL ? o->fd : cp_metrics_fd(cp.metrics);
	uint64_t next = 0, answered = 0;
	pthread_t th;

	memset(t, 0, sizeof(*t));
	sc->port = port;
	sc->count = count;
	sc->bad = false;
	atomic_store(&sc->done, false);
	if (pthread_create(&th, NULL, scrape_thread, sc) != 0)
		die("pthread_create");
	while (!atomic_load(&sc->done)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 1) > 0 || mono_ms() >= next) {
			uint64_t t0 = cpu_ns(), d, wait;

			wait = o != NULL ? old_serve(o) : cp_metrics_serve(cp.metrics);
			d = cpu_ns() - t0;
			t->total_ns += d;
			if (d > t->max_ns)
				t->max_ns = d;
			next = mono_ms() + wait;
		}
		if (o == NULL && cp_metrics_scrapes(cp.metrics) != answered) {
			answered = cp_metrics_scrapes(cp.metrics);
			cp.now_ms += advance_ms;
		}
	}
	pthread_join(th, NULL);
	if (sc->bad)
		die("a scrape was not answered 200 with the text");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median_d(const double *v, unsigned int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*s));
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && s[j - 1] > s[j]; j--) {
			double x = s[j];

			s[j] = s[j - 1];
			s[j - 1] = x;
		}
	return s[n / 2];
}

static uint64_t
median_u64(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* One line per number that both handlers print: the old one's text and
 * the new one's must agree on every family but those that move between
 * two scrapes by themselves (the uptime, dp's age). */
static bool
same_numbers(const char *a, const char *b)
{
	static const char *const fams[] = {
		"turn_total_allocations{type=\"UDP\"} ", "turn_total_allocations{type=\"TCP\"} ",
		"turnpike_allocations ",
		"turnpike_relayed_packets_total{direction=\"from_client\"} ",
		"turnpike_relayed_bytes_total{direction=\"to_client\"} ",
		"turnpike_relayed_packets_total{direction=\"to_peer\"} ",
	};

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		const char *x = strstr(a, fams[i]), *y = strstr(b, fams[i]);

		if (x == NULL || y == NULL ||
		    strtoull(x + strlen(fams[i]), NULL, 10) != strtoull(y + strlen(fams[i]), NULL, 10))
			return false;
	}
	return true;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: bench_metrics [--quick] [--allocs N[,N...]]\n");
}

int
main(int argc, char **argv)
{
	static struct scraper sc;
	static char old_text[1 << 18];
	uint32_t sizes[MAX_SIZES] = { 1000, 100000 };
	unsigned int nsizes = 2, rounds, per_round;
	bool quick = false, sizes_given = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "--allocs") == 0 && i + 1 < argc) {
			char *p = argv[++i], *end;

			nsizes = 0;
			sizes_given = true;
			while (*p != '\0' && nsizes < MAX_SIZES) {
				unsigned long v = strtoul(p, &end, 10);

				if (end == p || v > 10000000 || (*end != ',' && *end != '\0')) {
					usage(stderr);
					return 2;
				}
				sizes[nsizes++] = (uint32_t)v;
				p = *end == ',' ? end + 1 : end;
			}
			if (nsizes == 0) {
				usage(stderr);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (quick && !sizes_given) {
		sizes[1] = 10000;
	}
	rounds = quick ? 3 : 11;
	per_round = quick ? 5 : 20;

	printf("bench_metrics (%s): cp's loop time per scrape (CPU time inside the "
	       "endpoint's serve calls), GET /metrics over loopback, a connection each\n",
	       quick ? "quick" : "full");
	printf("median of %u rounds of %u scrapes per case, cases side by side in each "
	       "round; ratio = median of per-round ratios\n\n", rounds, per_round);
	printf("%10s %-11s %14s %14s %12s %12s %9s\n", "allocs", "case", "us/scrape",
	       "worst turn us", "old/this", "worst o/t", "text B");
	for (unsigned int z = 0; z < nsizes; z++) {
		static const char *const names[3] = { "old", "new-build", "new-cached" };
		uint64_t per[3][MAX_ROUNDS], worst[3][MAX_ROUNDS];
		double ratio[3][MAX_ROUNDS], wratio[3][MAX_ROUNDS];
		struct cp_metrics_allow none = { 0 };
		struct old_ep o;
		uint16_t port_old = (uint16_t)(30000 + getpid() % 15000), port_new;
		char addr[64], err[256];
		size_t text_bytes[3] = { 0 };

		port_new = (uint16_t)(port_old + 1);
		cp_make(sizes[z]);
		snprintf(addr, sizeof(addr), "127.0.0.1:%u", port_new);
		cp.metrics = cp_metrics_open(&cp, addr, &none, err, sizeof(err));
		if (cp.metrics == NULL)
			die(err);
		{
			struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port_old) };
			const union MHD_DaemonInfo *info;

			inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
			o.d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
					       old_handler, NULL, MHD_OPTION_SOCK_ADDR,
					       (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT,
					       (unsigned int)8, MHD_OPTION_CONNECTION_TIMEOUT,
					       (unsigned int)5, MHD_OPTION_LISTENING_ADDRESS_REUSE,
					       (unsigned int)1, MHD_OPTION_END);
			info = o.d != NULL ? MHD_get_daemon_info(o.d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
			if (info == NULL)
				die("cannot start the old handler's daemon");
			o.fd = info->epoll_fd;
		}
		for (unsigned int r = 0; r < rounds; r++) {
			struct timing t[3];

			/* rotating order, so that neither case always follows
			 * the other */
			for (unsigned int k = 0; k < 3; k++) {
				unsigned int c = (k + r) % 3;

				if (c == 0) {
					run_case(&o, port_old, per_round, 0, &sc, &t[0]);
					memcpy(old_text, sc.last, sc.bytes + 1);
				} else {
					/* past the text before: the case's first
					 * scrape makes one */
					cp.now_ms += CP_METRICS_CACHE_MS;
					run_case(NULL, port_new, per_round, c == 1 ? 1000 : 0, &sc,
						 &t[c]);
				}
				text_bytes[c] = sc.bytes;
			}
			if (!same_numbers(old_text, sc.last))
				die("the two handlers disagree on the numbers");
			for (unsigned int c = 0; c < 3; c++) {
				per[c][r] = t[c].total_ns / per_round;
				worst[c][r] = t[c].max_ns;
				ratio[c][r] = (double)t[0].total_ns / (double)(t[c].total_ns ? t[c].total_ns : 1);
				wratio[c][r] = (double)t[0].max_ns / (double)(t[c].max_ns ? t[c].max_ns : 1);
			}
		}
		for (unsigned int c = 0; c < 3; c++) {
			double rt = median_d(ratio[c], rounds), wr = median_d(wratio[c], rounds);

			printf("%10u %-11s %14.1f %14.1f %12.2f %12.2f %9zu\n", sizes[z], names[c],
			       (double)median_u64(per[c], rounds) / 1000.0,
			       (double)median_u64(worst[c], rounds) / 1000.0, rt, wr, text_bytes[c]);
		}
		MHD_stop_daemon(o.d);
		cp_metrics_close(cp.metrics);
		cp.metrics = NULL;
		cp_drop();
	}
	printf("\nold: every scrape walks every allocation; new-build: the text made anew "
	       "(each scrape over a second after the last: Prometheus' usual case); "
	       "new-cached: within the second, the text made once is sent again.\n");
	return 0;
}
