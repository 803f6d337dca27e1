/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics: who may scrape (metrics_access.c) and the endpoint itself
 * (metrics_http.c) over real loopback sockets, driven the way cp's loop
 * drives it (cp_metrics_serve(), never waiting) with a fake clock
 * (cp->now_ms): a scrape within CP_METRICS_CACHE_MS of the text's making
 * gets that text whatever changed since, the first one after gets a new
 * one; a source outside cp.metrics_allow is closed unanswered and
 * counted, an allowed one served; the allow list changes on a running
 * endpoint (reload). The addresses: the listen address's exposure
 * (loopback, the wildcards, IPv4-mapped) and the warning cp logs. dp's
 * counter families as cp takes them from the segment.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cp.h"
#include "cp_module.h"
#include "metrics/metrics.h"
#include "tp_conf.h"

/* cp/alloc is not linked: no allocation, as on a box without a turn group, unless a test
 * put some in fake_allocs[] (only what the metrics read of them: the
 * TURN address the client reached). */
static struct cp_alloc fake_allocs[8];
static uint64_t fake_tenant_all[TP_CONF_MAX_TENANTS + 1][IPC_ALLOC_STATS_N];
static unsigned int nfake;

void
cp_alloc_totals(const struct cp_ctx *c, struct cp_alloc_totals *t)
{
	(void)c;
	memset(t, 0, sizeof(*t));
	t->allocs = nfake;
	for (unsigned int i = 0; i < nfake; i++)       /* cp/alloc's running sums */
		t->tenant[fake_allocs[i].tenant]++;
	memcpy(t->tenant_all, fake_tenant_all, sizeof(t->tenant_all));
}

struct cp_alloc *
cp_alloc_next(struct cp_ctx *c, uint32_t *cursor)
{
	(void)c;
	return *cursor < nfake ? &fake_allocs[(*cursor)++] : NULL;
}

/* ... nor cp/reload: the API module is here for its counters, and its
 * reload command is never run. */
int
cp_reload(struct cp_ctx *c, struct json_object *resp)
{
	(void)c;
	(void)resp;
	return -ENOSYS;
}

static struct tp_conf conf;
static struct cp_ctx cp;
static const struct cp_module *const modules[] = { &cp_api_module };
static struct cp_api api;       /* its counters only: no socket */
static char conf_path[128], seg_name[64];
static uint16_t port;

static int
setup(void **state)
{
	struct cp_auth_conf ac = { .realm = "r.test" };
	char err[256];
	bool created;
	FILE *f;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-metrics-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-metrics-%d", (int)getpid());
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, "dp = { workers = [0]; ports = (\n"
		"  { name = \"a\"; dev = \"x0\"; roles = [\"access\", \"core\"]; "
		"ipv4 = \"10.0.0.1/24\"; }); };\n"
		"turn = { realm = \"r.test\"; ipc = \"%s\"; };\n", seg_name);
	fclose(f);
	memset(&cp, 0, sizeof(cp));
	memset(&api, 0, sizeof(api));
	assert_int_equal(tp_conf_load(conf_path, &conf, err, sizeof(err)), 0);
	cp.conf = &conf;
	cp.api = &api;
	/* cp's counter families: its own and the API's */
	assert_int_equal(cp_modules_use(&cp, modules, 1), 0);
	cp.auth = cp_auth_init(&ac);
	assert_non_null(cp.auth);
	ipc_seg_unlink(seg_name);
	assert_int_equal(ipc_seg_open(&cp.seg, seg_name, 1, geteuid(), &created), 0);
	cp.nworkers = 1;
	cp.start_ms = 1000000;
	cp.now_ms = cp.start_ms;
	/* a port of our own per run, as the integration tests pick theirs */
	port = (uint16_t)(30000 + getpid() % 20000);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_metrics_close(cp.metrics);
	cp.metrics = NULL;
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	cp_auth_free(cp.auth);
	tp_conf_free(&conf);
	unlink(conf_path);
	return 0;
}

static void
open_endpoint(const char (*allow)[64], unsigned int n)
{
	struct cp_metrics_allow a;
	char addr[64], err[256];

	assert_int_equal(cp_metrics_allow_parse(allow, n, &a, err, sizeof(err)), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	cp.metrics = cp_metrics_open(&cp, addr, &a, err, sizeof(err));
	if (cp.metrics == NULL)
		fail_msg("%s", err);
}

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* GET path from source address src (an address of lo), cp's loop turning
 * meanwhile; the whole answer (headers and body) into buf, NUL ended.
 * Returns its length: 0 when cp closed the connection without a word,
 * -1 when it could not connect. */
static long
get(const char *src, const char *path, char *buf, size_t cap)
{
	struct sockaddr_in sa = { .sin_family = AF_INET }, me = { .sin_family = AF_INET };
	char req[256];
	size_t got = 0, sent = 0;
	uint64_t until = ms_now() + 5000;
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;

	assert_true(fd >= 0);
	inet_pton(AF_INET, src, &me.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	sa.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n"
		     "Connection: close\r\n\r\n", path);
	while (ms_now() < until) {
		ssize_t k;

		cp_metrics_serve(cp.metrics);
		if (sent < (size_t)n) {
			k = send(fd, req + sent, (size_t)n - sent, MSG_NOSIGNAL);
			if (k > 0)
				sent += (size_t)k;
			else if (k < 0 && errno != EAGAIN && errno != ENOTCONN)
				break;     /* refused: closed under us */
		}
		k = recv(fd, buf + got, cap - 1 - got, 0);
		if (k == 0 || (k < 0 && errno != EAGAIN))
			break;
		if (k > 0)
			got += (size_t)k;
		if (got == cap - 1)
			break;
		usleep(200);
	}
	close(fd);
	buf[got] = '\0';
	return (long)got;
}

/* The body of a full answer (after the blank line), or NULL. */
static const char *
body(const char *answer)
{
	const char *p = strstr(answer, "\r\n\r\n");

	return p != NULL ? p + 4 : NULL;
}

static char a1[1 << 18], a2[1 << 18];

/* Within CP_METRICS_CACHE_MS of its making, the text is served again as
 * it was, whatever changed (a counter, the uptime); from then on a new
 * one says what is now. */
static void
test_metrics_scrapes_within_the_period_get_the_same_text(void **state)
{
	const char *b1, *b2;

	(void)state;
	open_endpoint(NULL, 0);
	assert_true(get("127.0.0.1", "/metrics", a1, sizeof(a1)) > 0);
	b1 = body(a1);
	assert_non_null(b1);
	assert_non_null(strstr(a1, "HTTP/1.1 200"));
	assert_non_null(strstr(b1, "\nturnpike_api_requests_total 0\n"));
	assert_non_null(strstr(b1, "\nturnpike_cp_uptime_seconds 0\n"));

	cp.api->requests = 7;
	cp.now_ms += CP_METRICS_CACHE_MS - 1;
	assert_true(get("127.0.0.1", "/metrics", a2, sizeof(a2)) > 0);
	b2 = body(a2);
	assert_non_null(b2);
	assert_string_equal(b1, b2);
	assert_int_equal(cp_metrics_builds(cp.metrics), 1);
	assert_int_equal(cp_metrics_scrapes(cp.metrics), 2);

	cp.now_ms += 1;
	assert_true(get("127.0.0.1", "/metrics", a2, sizeof(a2)) > 0);
	b2 = body(a2);
	assert_non_null(b2);
	assert_non_null(strstr(b2, "\nturnpike_api_requests_total 7\n"));
	assert_non_null(strstr(b2, "\nturnpike_cp_uptime_seconds 1\n"));
	assert_int_equal(cp_metrics_builds(cp.metrics), 2);

	/* the health check makes no text */
	cp.api->requests = 8;
	assert_true(get("127.0.0.1", "/", a2, sizeof(a2)) > 0);
	assert_string_equal(body(a2), "ok\n");
	assert_int_equal(cp_metrics_builds(cp.metrics), 2);
}

static void
family(struct ipc_shm *shm, unsigned int k, const char *name, uint16_t first,
       uint16_t count, uint16_t prefix_len)
{
	memset(&shm->dp_families[k], 0, sizeof(shm->dp_families[k]));
	snprintf(shm->dp_families[k].name, IPC_DP_NAME_LEN, "%s", name);
	shm->dp_families[k].first = first;
	shm->dp_families[k].count = count;
	shm->dp_families[k].prefix_len = prefix_len;
}

/* dp's counter families (dp/dp_ctrs.h) from the segment: one is kept
 * only if its name is [a-z0-9_] and its counters lie within the names
 * dp published, each longer than the family's prefix (status's "tls"
 * object strips it); the others are counted as bad names. */
static void
test_metrics_dp_families(void **state)
{
	static const char *const names[] = {
		"segments_in", "tls_handshakes", "tls_sessions", "tlsx_other", "agw_contexts",
	};
	struct ipc_shm *shm = cp.seg.shm;
	struct cp_metrics_snap *s = calloc(1, sizeof(*s));
	const struct ipc_dp_family *f;

	(void)state;
	assert_non_null(s);
	shm->dp_ntcp = 5;
	for (unsigned int i = 0; i < 5; i++)
		snprintf(shm->dp_tcp_names[i], IPC_DP_NAME_LEN, "%s", names[i]);
	shm->dp_nfamilies = 5;
	family(shm, 0, "tcp", 0, 1, 0);
	family(shm, 1, "tls", 1, 2, 4);
	family(shm, 2, "past", 4, 2, 0);     /* one beyond the names */
	family(shm, 3, "Bad", 3, 1, 0);      /* not [a-z0-9_] */
	family(shm, 4, "long", 4, 1, 12);    /* a prefix as long as its name */
	cp_metrics_collect(&cp, s);
	assert_int_equal(s->nfamilies, 2);
	f = cp_metrics_family(s, "tls");
	assert_non_null(f);
	assert_int_equal(f->first, 1);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->prefix_len, 4);
	assert_non_null(cp_metrics_family(s, "tcp"));
	assert_null(cp_metrics_family(s, "past"));
	assert_null(cp_metrics_family(s, "Bad"));
	assert_null(cp_metrics_family(s, "long"));
	assert_int_equal(s->bad_names, 3);

	/* a count past the table: none at all */
	shm->dp_nfamilies = IPC_DP_FAMILIES_MAX + 1;
	cp_metrics_collect(&cp, s);
	assert_int_equal(s->nfamilies, 0);
	assert_null(cp_metrics_family(s, "tls"));
	free(s);
}

/* The help of dp's counters from the segment, which anything may scribble
 * on: each kept only if it is NUL within its field and printable ASCII;
 * a bad one is dropped (counted in bad_help) and the counter shown with
 * its family's help, as one without help of its own is; a bad family
 * help is dropped too. The text has one comment line an event, and no
 * byte of a bad help. */
static void
test_metrics_dp_help_checked(void **state)
{
	static const char *const names[] = {
		"segments_in", "tls_handshakes", "tls_sessions", "tls_alerts", "agw_contexts",
	};
	struct ipc_shm *shm = cp.seg.shm;
	struct cp_metrics_snap *s = calloc(1, sizeof(*s));
	char *out = NULL;

	(void)state;
	assert_non_null(s);
	shm->dp_ntcp = 5;
	for (unsigned int i = 0; i < 5; i++)
		snprintf(shm->dp_tcp_names[i], IPC_DP_NAME_LEN, "%s", names[i]);
	shm->dp_nfamilies = 3;
	family(shm, 0, "tcp", 0, 1, 0);
	family(shm, 1, "tls", 1, 3, 4);
	family(shm, 2, "agw", 4, 1, 4);
	snprintf(shm->dp_families[1].help, IPC_DP_HELP_LEN, "TLS termination");
	snprintf(shm->dp_families[2].help, IPC_DP_HELP_LEN, "gateway\nline two");
	snprintf(shm->dp_tcp_help[0], IPC_DP_HELP_LEN, "Segments received");
	snprintf(shm->dp_tcp_help[1], IPC_DP_HELP_LEN, "bad\x1b[2J");   /* an escape */
	memset(shm->dp_tcp_help[2], 'x', IPC_DP_HELP_LEN);             /* no NUL */
	shm->dp_tcp_help[3][0] = '\0';                                  /* none */
	snprintf(shm->dp_tcp_help[4], IPC_DP_HELP_LEN, "Contexts now");
	cp_metrics_collect(&cp, s);
	assert_int_equal(s->nfamilies, 3);
	assert_int_equal(s->bad_help, 3);
	assert_int_equal(s->bad_names, 0);
	assert_string_equal(cp_metrics_help(s, 0), "Segments received");
	assert_string_equal(cp_metrics_help(s, 1), "TLS termination");
	assert_string_equal(cp_metrics_help(s, 2), "TLS termination");
	assert_string_equal(cp_metrics_help(s, 3), "TLS termination");
	assert_string_equal(cp_metrics_help(s, 4), "Contexts now");
	assert_null(cp_metrics_help(s, 5));
	/* a counter whose own help and family's are both bad or missing */
	shm->dp_tcp_help[4][0] = '\0';
	cp_metrics_collect(&cp, s);
	assert_null(cp_metrics_help(s, 4));

	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "\n# event=\"segments_in\": Segments received\n"));
	assert_non_null(strstr(out, "\n# event=\"tls_handshakes\": TLS termination\n"));
	assert_non_null(strstr(out, "\n# event=\"tls_sessions\": TLS termination\n"));
	assert_null(strstr(out, "event=\"agw_contexts\":"));
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "xxxxxxxx"));
	assert_null(strstr(out, "line two"));
	free(out);
	free(s);
}

/* dp's ports from worker 0's block, which anything may scribble on: the
 * drivers' drops and errors as series by port and reason; a name a label
 * or a terminal would take for more than a name (a quote, a backslash, a
 * control character, none or no NUL) becomes the port's index and counts
 * as a bad name; a count past the table shows no port at all. */
static void
test_metrics_dp_ports(void **state)
{
	struct ipc_dp_stats *d = &ipc_worker(&cp.seg, 0)->dp_stats;
	struct cp_metrics_snap *s = calloc(1, sizeof(*s));
	char *out = NULL;

	(void)state;
	assert_non_null(s);
	d->updated_ms = ipc_monotonic_ms();
	d->nports = 4;
	snprintf(d->port[0].name, IPC_DP_PORT_NAME_LEN, "access");
	d->port[0].rx_nombuf = 7;
	d->port[0].imissed = 11;
	d->port[0].ierrors = 13;
	d->port[0].oerrors = 17;
	snprintf(d->port[1].name, IPC_DP_PORT_NAME_LEN, "co\"re");
	snprintf(d->port[2].name, IPC_DP_PORT_NAME_LEN, "x\ny");
	memset(d->port[3].name, 'a', IPC_DP_PORT_NAME_LEN);    /* no NUL */
	d->port[3].rx_nombuf = 5;
	cp_metrics_collect(&cp, s);
	assert_int_equal(s->nports, 4);
	assert_string_equal(s->port[0].name, "access");
	assert_string_equal(s->port[1].name, "port1");
	assert_string_equal(s->port[2].name, "port2");
	assert_string_equal(s->port[3].name, "port3");
	assert_int_equal(s->bad_names, 3);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "\nturnpike_dp_port_rx_dropped_total{port=\"access\","
				    "reason=\"nombuf\"} 7\nturnpike_dp_port_rx_dropped_total{"
				    "port=\"access\",reason=\"missed\"} 11\n"));
	assert_non_null(strstr(out, "\nturnpike_dp_port_errors_total{port=\"access\","
				    "direction=\"rx\"} 13\nturnpike_dp_port_errors_total{"
				    "port=\"access\",direction=\"tx\"} 17\n"));
	assert_non_null(strstr(out, "{port=\"port3\",reason=\"nombuf\"} 5\n"));
	assert_null(strstr(out, "co\"re"));
	free(out);

	/* a count past the table: none */
	d->nports = IPC_DP_PORTS_MAX + 1;
	cp_metrics_collect(&cp, s);
	assert_int_equal(s->nports, 0);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_null(strstr(out, "turnpike_dp_port_rx_dropped_total"));
	free(out);
	free(s);
}

/* dp's loop turns by duration from the segment, which anything may
 * scribble on: per-bucket counts become cumulative buckets that never
 * decrease (a sum past 2^64 stays at its largest), the +Inf bucket is
 * the count; the sum is busy_cycles over the TSC rate, to the
 * nanosecond; a rate outside 1 MHz..10 GHz (or none) shows no
 * histogram, as does a worker that never copied its counters. */
static void
test_metrics_dp_loop_turns(void **state)
{
	struct ipc_shm *shm = cp.seg.shm;
	struct ipc_dp_stats *d = &ipc_worker(&cp.seg, 0)->dp_stats;
	struct cp_metrics_snap *s = calloc(1, sizeof(*s));
	char *out = NULL;

	(void)state;
	assert_non_null(s);
	/* never copied: no series */
	cp_metrics_collect(&cp, s);
	assert_false(s->w[0].loops_ok);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "# TYPE turnpike_dp_loop_turn_seconds histogram\n"));
	assert_null(strstr(out, "turnpike_dp_loop_turn_seconds_bucket{"));
	free(out);

	shm->dp_tsc_hz = 2000000000;            /* 2 GHz */
	for (unsigned int i = 0; i < IPC_DP_LOOP_BUCKETS; i++)
		d->loop_buckets[i] = i + 1;       /* 1, 2, ... 13: 91 in all */
	d->busy_cycles = 3ull * 2000000000 + 123456789ull * 2;   /* 3.123456789 s */
	d->updated_ms = ipc_monotonic_ms();
	cp_metrics_collect(&cp, s);
	assert_true(s->w[0].loops_ok);
	assert_int_equal(s->w[0].loops_le[0], 1);
	assert_int_equal(s->w[0].loops_le[1], 3);
	assert_int_equal(s->w[0].loops_le[IPC_DP_LOOP_BOUNDS], 91);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "\nturnpike_dp_loop_turn_seconds_bucket{worker=\"0\",le=\"5e-06\"} 1\n"
				    "turnpike_dp_loop_turn_seconds_bucket{worker=\"0\",le=\"1e-05\"} 3\n"
				    "turnpike_dp_loop_turn_seconds_bucket{worker=\"0\",le=\"2e-05\"} 6\n"
				    "turnpike_dp_loop_turn_seconds_bucket{worker=\"0\",le=\"5e-05\"} 10\n"
				    "turnpike_dp_loop_turn_seconds_bucket{worker=\"0\",le=\"0.0001\"} 15\n"));
	assert_non_null(strstr(out, "le=\"0.0002\"} 21\n"));
	assert_non_null(strstr(out, "le=\"0.001\"} 36\n"));
	assert_non_null(strstr(out, "le=\"0.02\"} 78\n"));
	assert_non_null(strstr(out, "\nturnpike_dp_loop_turn_seconds_bucket{worker=\"0\",le=\"+Inf\"} 91\n"
				    "turnpike_dp_loop_turn_seconds_sum{worker=\"0\"} 3.123456789\n"
				    "turnpike_dp_loop_turn_seconds_count{worker=\"0\"} 91\n"));
	free(out);

	/* scribbled: huge counts saturate, the buckets still never decrease */
	d->loop_buckets[2] = UINT64_MAX - 1;
	d->loop_buckets[5] = UINT64_MAX / 2;
	cp_metrics_collect(&cp, s);
	assert_true(s->w[0].loops_ok);
	assert_int_equal(s->w[0].loops_le[1], 3);
	for (unsigned int i = 2; i < IPC_DP_LOOP_BUCKETS; i++)
		assert_true(s->w[0].loops_le[i] == UINT64_MAX);

	/* a TSC rate no time can be had from: no series */
	shm->dp_tsc_hz = 0;
	cp_metrics_collect(&cp, s);
	assert_false(s->w[0].loops_ok);
	shm->dp_tsc_hz = CP_METRICS_TSC_HZ_MAX + 1;
	cp_metrics_collect(&cp, s);
	assert_false(s->w[0].loops_ok);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_null(strstr(out, "turnpike_dp_loop_turn_seconds_bucket{"));
	assert_null(strstr(out, "turnpike_dp_loop_turn_seconds_count{"));
	free(out);
	/* the largest rate taken: the nanoseconds do not overflow */
	shm->dp_tsc_hz = CP_METRICS_TSC_HZ_MAX;
	d->busy_cycles = UINT64_MAX;
	cp_metrics_collect(&cp, s);
	assert_true(s->w[0].loops_ok);
	assert_int_equal(s->w[0].loops_sum_s, UINT64_MAX / CP_METRICS_TSC_HZ_MAX);
	assert_true(s->w[0].loops_sum_ns < 1000000000u);
	free(s);
}

/* An allocation to the TURN address 10.0.0.<last>. */
static void
fake_alloc(uint8_t last)
{
	struct cp_alloc *a = &fake_allocs[nfake++];

	memset(a, 0, sizeof(*a));
	a->live = true;
	a->tuple.server.family = 4;
	a->tuple.server.ip[0] = 10;
	a->tuple.server.ip[3] = last;
	a->tuple.server.port = 3478;
	a->tenant = (uint8_t)tp_conf_tenant_of(cp.conf, 4, a->tuple.server.ip);
}

/* turnpike_allocations by tenant: without a tenants list the one series
 * a box always exported, unlabelled; with one, a series for each configured tenant and the
 * default, each counting the allocations whose client reached its
 * addresses (none: 0, still shown), names escaped as label values. */
static void
test_metrics_allocations_by_tenant(void **state)
{
	struct cp_metrics_snap *s = calloc(1, sizeof(*s));
	struct tp_conf tconf;
	char *out = NULL, err[256];
	FILE *f;

	(void)state;
	assert_non_null(s);
	nfake = 0;
	cp_metrics_collect(&cp, s);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	/* no tenants: what a box always exported, no label */
	assert_non_null(strstr(out, "# HELP turnpike_allocations Live allocations\n"
				    "# TYPE turnpike_allocations gauge\nturnpike_allocations 0\n"));
	assert_null(strstr(out, "turnpike_allocations{"));
	assert_null(strstr(out, "turnpike_tenant_relayed_"));   /* no tenants: no family */
	free(out);

	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, "dp = { workers = [0]; ports = (\n"
		"  { name = \"a\"; dev = \"x0\"; roles = [\"access\", \"core\"]; "
		"ipv4 = \"10.0.0.1/24\"; }); };\n"
		"turn = { realm = \"r.test\"; ipc = \"%s\"; };\n"
		"tenants = (\n"
		"  { name = \"mvno-a\"; realm = \"a.test\"; addresses = [\"10.0.0.11\"]; },\n"
		"  { name = \"ent.b\"; realm = \"b.test\"; addresses = [\"10.0.0.12\", "
		"\"10.0.0.13\"]; } );\n", seg_name);
	fclose(f);
	if (tp_conf_load(conf_path, &tconf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	cp.conf = &tconf;
	fake_alloc(11);
	fake_alloc(1);                  /* the port's own: the default's */
	fake_alloc(11);
	fake_alloc(13);
	fake_alloc(11);
	cp_metrics_collect(&cp, s);
	assert_int_equal(s->ntenants, 3);
	assert_int_equal(s->tenant_allocs[0], 1);
	assert_int_equal(s->tenant_allocs[1], 3);
	assert_int_equal(s->tenant_allocs[2], 1);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "# TYPE turnpike_allocations gauge\n"
				    "turnpike_allocations{tenant=\"default\"} 1\n"
				    "turnpike_allocations{tenant=\"mvno-a\"} 3\n"
				    "turnpike_allocations{tenant=\"ent.b\"} 1\n"));
	assert_null(strstr(out, "\nturnpike_allocations "));
	free(out);
	/* what each tenant relayed, by direction (bytes from the client are
	 * index 1, packets to it 6) */
	fake_tenant_all[1][1] = 1234;
	fake_tenant_all[2][6] = 7;
	cp_metrics_collect(&cp, s);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "\nturnpike_tenant_relayed_bytes_total{tenant=\"mvno-a\","
				    "direction=\"from_client\"} 1234\n"));
	assert_non_null(strstr(out, "\nturnpike_tenant_relayed_packets_total{tenant=\"ent.b\","
				    "direction=\"to_client\"} 7\n"));
	assert_non_null(strstr(out, "\nturnpike_tenant_relayed_bytes_total{tenant=\"default\","
				    "direction=\"to_peer\"} 0\n"));
	free(out);
	memset(fake_tenant_all, 0, sizeof(fake_tenant_all));
	/* none left: every tenant still has its series, at 0 */
	nfake = 0;
	cp_metrics_collect(&cp, s);
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "\nturnpike_allocations{tenant=\"ent.b\"} 0\n"));
	free(out);
	/* a snapshot made by hand (no names): all the default's */
	memset(s, 0, sizeof(*s));
	s->allocations = 4;
	assert_true(cp_metrics_render(&cp, s, "r.test", &out) > 0);
	assert_non_null(strstr(out, "\nturnpike_allocations 4\n"));
	free(out);
	cp.conf = &conf;
	tp_conf_free(&tconf);
	free(s);
}

/* A source outside cp.metrics_allow: closed before a byte is answered,
 * counted (and the count is in the text); an allowed one served. */
static void
test_metrics_allow_closes_other_sources(void **state)
{
	static const char allow[][64] = { "127.0.0.1/32", "fd00::/8" };
	const char *b;

	(void)state;
	open_endpoint(allow, 2);
	assert_int_equal(get("127.0.0.2", "/metrics", a1, sizeof(a1)), 0);
	assert_int_equal(get("127.0.0.3", "/", a1, sizeof(a1)), 0);
	assert_int_equal(cp_metrics_refused(cp.metrics), 2);
	assert_int_equal(cp_metrics_scrapes(cp.metrics), 0);
	assert_true(get("127.0.0.1", "/metrics", a1, sizeof(a1)) > 0);
	b = body(a1);
	assert_non_null(b);
	assert_non_null(strstr(b, "\nturnpike_metrics_refused_total 2\n"));
	assert_int_equal(cp_metrics_scrapes(cp.metrics), 1);
}

/* A connection from src that sends a request's first lines and not its
 * end, as a slow client does (nonblocking). */
static int
slow_open(const char *src)
{
	static const char part[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
	struct sockaddr_in sa = { .sin_family = AF_INET }, me = { .sin_family = AF_INET };
	uint64_t until = ms_now() + 2000;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, src, &me.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	sa.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	assert_true(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		    errno == EINPROGRESS);
	while (send(fd, part, sizeof(part) - 1, MSG_NOSIGNAL) < 0 && ms_now() < until) {
		cp_metrics_serve(cp.metrics);
		usleep(1000);
	}
	cp_metrics_serve(cp.metrics);
	return fd;
}

/* Has cp closed fd (an end, or a reset)? Nonblocking. */
static bool
closed_by_cp(int fd)
{
	char b[64];
	ssize_t k = recv(fd, b, sizeof(b), 0);

	return k == 0 || (k < 0 && errno != EAGAIN);
}

/* Slow clients from an allowed source hold the endpoint's slots neither
 * all nor for long: CP_METRICS_PER_IP connections a source, each with
 * CP_METRICS_HEADER_MS (cp's clock) to send its request whole, however
 * it dribbles; another source, then the same one, are served. */
static void
test_metrics_slow_clients_hold_no_slot_for_long(void **state)
{
	int slow[CP_METRICS_MAX_CONNS + 2];
	const size_t n = sizeof(slow) / sizeof(slow[0]);
	uint64_t until;
	size_t open_ones;

	(void)state;
	open_endpoint(NULL, 0);
	for (size_t i = 0; i < n; i++)
		slow[i] = slow_open("127.0.0.3");
	/* the slots: another source is served while they dribble */
	assert_true(get("127.0.0.4", "/metrics", a1, sizeof(a1)) > 0);
	assert_non_null(strstr(a1, "HTTP/1.1 200"));
	/* the deadline: past it, each is closed, though it still sends
	 * (libmicrohttpd's own timeout is of silence, and of its clock) */
	cp.now_ms += CP_METRICS_HEADER_MS;
	until = ms_now() + 3000;
	do {
		for (size_t i = 0; i < n; i++)
			(void)send(slow[i], "X", 1, MSG_NOSIGNAL);
		cp_metrics_serve(cp.metrics);
		usleep(10000);
		open_ones = 0;
		for (size_t i = 0; i < n; i++)
			if (slow[i] >= 0 && closed_by_cp(slow[i])) {
				close(slow[i]);
				slow[i] = -1;
			} else if (slow[i] >= 0) {
				open_ones++;
			}
	} while (open_ones > 0 && ms_now() < until);
	for (size_t i = 0; i < n; i++)
		if (slow[i] >= 0)
			close(slow[i]);
	assert_int_equal(open_ones, 0);
	/* (the ends reach libmicrohttpd a turn after they reach us) */
	for (int i = 0; i < 20; i++) {
		cp_metrics_serve(cp.metrics);
		usleep(5000);
	}
	assert_true(get("127.0.0.3", "/metrics", a1, sizeof(a1)) > 0);
	assert_non_null(strstr(a1, "HTTP/1.1 200"));
}

/* The list changes on the running endpoint (cp/reload.c): at once, for
 * the next connection. None: any source. */
static void
test_metrics_allow_changes_while_open(void **state)
{
	static const char only2[][64] = { "127.0.0.2/32" };
	struct cp_metrics_allow a;
	char err[128];

	(void)state;
	open_endpoint(NULL, 0);
	assert_true(get("127.0.0.2", "/", a1, sizeof(a1)) > 0);
	assert_int_equal(cp_metrics_allow_parse(only2, 1, &a, err, sizeof(err)), 0);
	cp_metrics_set_allow(cp.metrics, &a);
	assert_int_equal(get("127.0.0.1", "/", a1, sizeof(a1)), 0);
	assert_true(get("127.0.0.2", "/", a1, sizeof(a1)) > 0);
	cp_metrics_set_allow(cp.metrics, NULL);
	assert_true(get("127.0.0.1", "/", a1, sizeof(a1)) > 0);
	assert_int_equal(cp_metrics_refused(cp.metrics), 1);
}

static socklen_t
sin4(struct sockaddr_storage *ss, const char *ip)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
	return sizeof(*s);
}

static socklen_t
sin6(struct sockaddr_storage *ss, const char *ip)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
	return sizeof(*s);
}

/* Matching: both families, an IPv4 client of a dual-stack socket
 * (::ffff:a.b.c.d) judged as IPv4, other families and short lengths
 * refused once a list is set, any source without one. */
static void
test_metrics_allowed_sources(void **state)
{
	static const char list[][64] = { "10.0.0.0/8", "::1/128", "2001:db8::/32" };
	struct sockaddr_storage ss;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct cp_metrics_allow a, none;
	char err[128];
	socklen_t len;

	(void)state;
	assert_int_equal(cp_metrics_allow_parse(list, 3, &a, err, sizeof(err)), 0);
	assert_int_equal(cp_metrics_allow_parse(list, 0, &none, err, sizeof(err)), 0);
	assert_true(cp_metrics_allowed(&a, (struct sockaddr *)&ss, sin4(&ss, "10.1.2.3")));
	assert_false(cp_metrics_allowed(&a, (struct sockaddr *)&ss, sin4(&ss, "11.0.0.1")));
	assert_false(cp_metrics_allowed(&a, (struct sockaddr *)&ss, sin4(&ss, "127.0.0.1")));
	assert_true(cp_metrics_allowed(&a, (struct sockaddr *)&ss, sin6(&ss, "::1")));
	assert_true(cp_metrics_allowed(&a, (struct sockaddr *)&ss, sin6(&ss, "2001:db8::7")));
	assert_false(cp_metrics_allowed(&a, (struct sockaddr *)&ss, sin6(&ss, "2001:db9::7")));
	assert_true(cp_metrics_allowed(&a, (struct sockaddr *)&ss,
				       sin6(&ss, "::ffff:10.9.8.7")));
	assert_false(cp_metrics_allowed(&a, (struct sockaddr *)&ss,
					sin6(&ss, "::ffff:11.9.8.7")));
	len = sin4(&ss, "10.1.2.3");
	assert_false(cp_metrics_allowed(&a, (struct sockaddr *)&ss, len - 1));
	assert_false(cp_metrics_allowed(&a, (struct sockaddr *)&un, sizeof(un)));
	assert_false(cp_metrics_allowed(&a, NULL, 0));
	assert_true(cp_metrics_allowed(&none, (struct sockaddr *)&ss, sin4(&ss, "11.0.0.1")));
	assert_true(cp_metrics_allowed(NULL, (struct sockaddr *)&un, sizeof(un)));
}

/* Bad lists are refused whole with the prefix named (lib/conf checks
 * them first; this is the second line). */
static void
test_metrics_allow_parse_refuses_bad_prefixes(void **state)
{
	static char bad[][64] = { "10.0.0.0", "10.0.0.1/8", "10.0.0.0/33", "x/8",
				  "::1/129", "" };
	static char many[CP_METRICS_ALLOW_MAX + 1][64];
	static char unended[1][64];
	struct cp_metrics_allow a;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(cp_metrics_allow_parse((const char (*)[64])&bad[i], 1, &a,
							err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "cp.metrics_allow"));
		assert_int_equal(a.n, 0);
	}
	for (size_t i = 0; i < CP_METRICS_ALLOW_MAX + 1; i++)
		snprintf(many[i], sizeof(many[i]), "10.%zu.0.0/16", i);
	assert_int_equal(cp_metrics_allow_parse((const char (*)[64])many, CP_METRICS_ALLOW_MAX,
						&a, err, sizeof(err)), 0);
	assert_int_equal(a.n, CP_METRICS_ALLOW_MAX);
	assert_int_equal(cp_metrics_allow_parse((const char (*)[64])many,
						CP_METRICS_ALLOW_MAX + 1, &a, err,
						sizeof(err)), -EINVAL);
	memset(unended[0], '1', sizeof(unended[0]));
	assert_int_equal(cp_metrics_allow_parse((const char (*)[64])unended, 1, &a, err,
						sizeof(err)), -EINVAL);
}

/* The listen address: loopback ones say nothing; the wildcards and any
 * other address warn, naming what to set, unless a list is set. */
static void
test_metrics_exposed_address_warns(void **state)
{
	static const char *const quiet[] = { "127.0.0.1:9641", "127.3.2.1:9641",
					     "[::1]:9641", "[::ffff:127.0.0.1]:9641",
					     "", "nonsense", "127.0.0.1:0" };
	static const char *const loud[] = { "0.0.0.0:9641", "[::]:9641",
					    "192.0.2.1:9641", "[2001:db8::1]:9641",
					    "[::ffff:192.0.2.1]:9641" };
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		assert_false(cp_metrics_exposed_warning(quiet[i], 0, buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(loud) / sizeof(loud[0]); i++) {
		assert_true(cp_metrics_exposed_warning(loud[i], 0, buf, sizeof(buf)));
		assert_non_null(strstr(buf, loud[i]));
		assert_non_null(strstr(buf, "cp.metrics_allow"));
		assert_null(strchr(buf, '\n'));
		assert_false(cp_metrics_exposed_warning(loud[i], 1, buf, sizeof(buf)));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_metrics_scrapes_within_the_period_get_the_same_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_allow_closes_other_sources,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_allow_changes_while_open,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_slow_clients_hold_no_slot_for_long,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_dp_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_dp_help_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_dp_loop_turns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_dp_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_allocations_by_tenant, setup,
						teardown),
		cmocka_unit_test(test_metrics_allowed_sources),
		cmocka_unit_test(test_metrics_allow_parse_refuses_bad_prefixes),
		cmocka_unit_test(test_metrics_exposed_address_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
