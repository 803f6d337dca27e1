/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl top: a live view of each dp worker, refreshed every
 * second: packets per second in and out, drops per second,
 * busy cycles per packet over the interval, allocations, and what waits
 * in its rings. The numbers are `status`'s (one source: cp's snapshot of
 * its own tables and of dp's per-worker counters in the shared segment),
 * two readings apart. On a terminal each frame replaces the last; into a
 * pipe the frames follow each other (--count N stops after N).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_req.h"

#define TOP_MAX_WORKERS 64

struct top_w {
	bool dp;
	int64_t rx, tx, drops, cycles, busy, allocs, to_cp, to_dp;
};

/* One reading: per worker, and the box's allocations. 0 or -errno. */
static int
top_read(const struct ctl_opts *opts, struct top_w *w, unsigned int *nw,
	 int64_t *allocs, bool *draining)
{
	struct json_object *ans, *ws, *v;
	int rc;

	rc = ctl_ask(opts, "status", &ans);
	if (rc < 0)
		return rc;
	*allocs = ctl_get_int(ans, "allocations");
	*draining = json_object_object_get_ex(ans, "drain", &v) &&
		    json_object_object_get_ex(v, "active", &v) &&
		    json_object_get_boolean(v);
	*nw = 0;
	if (json_object_object_get_ex(ans, "workers", &ws) &&
	    json_object_is_type(ws, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(ws) && i < TOP_MAX_WORKERS; i++) {
			struct json_object *o = json_object_array_get_idx(ws, i), *d, *dr;

			memset(&w[i], 0, sizeof(w[i]));
			w[i].allocs = ctl_get_int(o, "allocations");
			w[i].to_cp = ctl_get_int(o, "to_cp_pending");
			w[i].to_dp = ctl_get_int(o, "to_dp_pending");
			if (json_object_object_get_ex(o, "dp", &d)) {
				w[i].dp = true;
				w[i].rx = ctl_get_int(d, "rx_pkts");
				w[i].tx = ctl_get_int(d, "tx_pkts");
				w[i].cycles = ctl_get_int(d, "busy_cycles");
				w[i].busy = ctl_get_int(d, "busy_pkts");
				if (json_object_object_get_ex(d, "drops", &dr) &&
				    json_object_is_type(dr, json_type_object)) {
					json_object_object_foreach(dr, key, val) {
						(void)key;
						w[i].drops += json_object_get_int64(val);
					}
				}
			}
			(*nw)++;
		}
	}
	json_object_put(ans);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
ctl_top_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct top_w a[TOP_MAX_WORKERS], b[TOP_MAX_WORKERS];
	double interval = 1.0, t0, t1;
	long count = 0;
	unsigned int na = 0, nb = 0;
	int64_t allocs;
	bool tty = isatty(STDOUT_FILENO), draining;
	char *end;
	int c;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":n:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end != '\0' || count < 1)
				return ctl_usage_error(path, "--count needs a positive number");
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end != '\0' || !(interval >= 0.1 && interval <= 60))
				return ctl_usage_error(path, "--interval is 0.1 to 60 seconds");
			break;
		case 'h':
			printf("Usage: %s [--interval S] [--count N]\n\n"
			       "A live view of each dp worker, every S seconds (default 1):\n"
			       "packets per second in and out, drops per second, busy cycles\n"
			       "per packet, allocations, messages waiting in its rings to cp\n"
			       "and to dp. --count N stops after N frames. q or Ctrl-C ends it.\n",
			       path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	if (top_read(opts, a, &na, &allocs, &draining) < 0)
		return CTL_EXIT_FAIL;
	t0 = now_s();
	for (long frame = 0; count == 0 || frame < count; frame++) {
		usleep((useconds_t)(interval * 1e6));
		if (top_read(opts, b, &nb, &allocs, &draining) < 0)
			return CTL_EXIT_FAIL;
		t1 = now_s();
		if (tty)
			fputs("\033[H\033[2J", stdout);
		printf("turnpike: %" PRId64 " allocation(s)%s, every %.1fs\n", allocs,
		       draining ? ", DRAINING" : "", interval);
		printf("%6s %12s %12s %10s %12s %10s %8s %8s\n", "WORKER", "RX_PPS",
		       "TX_PPS", "DROP_PS", "CYC/PKT", "ALLOCS", "TO_CP", "TO_DP");
		for (unsigned int i = 0; i < nb; i++) {
			double dt = t1 - t0 > 0 ? t1 - t0 : 1;
			bool prev = i < na && a[i].dp && b[i].dp;
			int64_t busy = prev ? b[i].busy - a[i].busy : 0;

			if (!b[i].dp) {
				printf("%6u %12s %12s %10s %12s %10" PRId64 " %8" PRId64 " %8" PRId64 "\n",
				       i, "-", "-", "-", "-", b[i].allocs, b[i].to_cp, b[i].to_dp);
				continue;
			}
			printf("%6u %12.0f %12.0f %10.0f %12" PRId64 " %10" PRId64 " %8" PRId64
			       " %8" PRId64 "\n", i,
			       prev ? (double)(b[i].rx - a[i].rx) / dt : 0.0,
			       prev ? (double)(b[i].tx - a[i].tx) / dt : 0.0,
			       prev ? (double)(b[i].drops - a[i].drops) / dt : 0.0,
			       busy > 0 ? (b[i].cycles - a[i].cycles) / busy : (int64_t)0,
			       b[i].allocs, b[i].to_cp, b[i].to_dp);
		}
		if (!tty)
			putchar('\n');
		fflush(stdout);
		memcpy(a, b, sizeof(a));
		na = nb;
		t0 = t1;
	}
	return CTL_EXIT_OK;
}
