/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ng as a module of turnpike-cp: set up after cp/agw (the RTP contexts
 * it drives) when the configuration has an ng group; its socket opened
 * before privileges go; served from the loop; its part of status and of
 * the metrics.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <poll.h>
#include <sys/random.h>
#include <time.h>

#include "cp.h"
#include "agw/cp_agw_rtp.h"
#include "cp_ctrs.h"
#include "cp_module.h"
#include "ng_internal.h"
#include "tp_conf.h"
#include "tp_log.h"

static void
ng_fini(struct cp_ctx *cp)
{
	struct cp_ng *g = cp->ng;

	if (g == NULL)
		return;
	ng_call_fini(g);
	ng_net_close(g);
	explicit_bzero(g->hkey, sizeof(g->hkey));
	free(g);
	cp->ng = NULL;
}

static int
ng_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_ng *conf = &cp->conf->ng;
	struct cp_ng *g;
	int rc;

	if (!conf->enabled)
		return 0;
	if (cp->agw == NULL) {
		snprintf(err, errlen, "ng needs the agw group's RTP contexts (agw.media_ports)");
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		snprintf(err, errlen, "ng: out of memory");
		return -ENOMEM;
	}
	g->cp = cp;
	g->conf = conf;
	g->fd = -1;
	g->who.door = CP_AGW_DOOR_NG;
	g->who.tenant = (uint8_t)conf->tenant_idx;
	g->names.naccess = conf->naccess;
	g->names.ncore = conf->ncore;
	g->names.access = conf->access;
	g->names.core = conf->core;
	if (getrandom(g->hkey, sizeof(g->hkey), 0) != (ssize_t)sizeof(g->hkey)) {
		free(g);
		snprintf(err, errlen, "ng: getrandom() failed");
		return -EIO;
	}
	rc = ng_net_open(g, err, errlen);
	if (rc == 0) {
		rc = ng_call_init(g);
		if (rc < 0)
			snprintf(err, errlen, "ng: cannot take the AGW's RTP contexts: %s",
				 rc == -ENODEV ? "no agw.media_ports" : strerror(-rc));
	}
	if (rc < 0) {
		ng_call_fini(g);
		ng_net_close(g);
		free(g);
		return rc;
	}
	cp->ng = g;
	tp_log(TP_LOG_INFO, "ng: rtpengine's ng protocol on %s (udp), %u allowed source "
	       "net(s), %u requests a second at most, tenant %s", conf->listen, conf->nallow,
	       conf->max_rate, conf->tenant[0] != '\0' ? conf->tenant : "(default)");
	return 0;
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The socket read, the busy window moved on when it had requests. */
static unsigned int
ng_read(struct cp_ng *g, uint64_t now_us)
{
	unsigned int n = ng_net_serve(g, g->cp->now_ms);

	g->read_us = now_us;
	/* only a controller's requests within ng.max_rate keep the socket
	 * watched closely: strangers' datagrams, or a controller past its
	 * rate, are read once a millisecond (NG_RECV_SERVE at most), so that
	 * no flood takes more of cp's loop than that */
	if (g->last_work > 0 && g->tokens >= 1.0)
		g->busy_until_us = now_us + NG_BUSY_US;
	else if (g->tokens < 1.0)
		g->busy_until_us = 0;
	return n;
}

/* cp's loop looks at module sockets once a millisecond and dozes 2 ms
 * when idle: a P-CSCF's offer then answer would wait for both. While
 * requests come, the socket is read every NG_STEP_US of the loop's turns
 * (a recvfrom() that finds nothing costs about a microsecond, only while
 * a controller is busy) and napped on instead of a doze. */
static unsigned int
ng_step(struct cp_ctx *cp)
{
	struct cp_ng *g = cp->ng;
	uint64_t now;

	if (g == NULL || g->busy_until_us == 0)
		return 0;
	now = mono_us();
	if (now >= g->busy_until_us) {
		g->busy_until_us = 0;
		return 0;
	}
	if (now - g->read_us < NG_STEP_US)
		return 0;
	return ng_read(g, now);
}

static int
ng_nap(struct cp_ctx *cp, unsigned int us)
{
	struct cp_ng *g = cp->ng;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000L };
	struct pollfd pfd;

	if (g == NULL || g->busy_until_us == 0 || mono_us() >= g->busy_until_us)
		return 0;
	pfd.fd = g->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	(void)ppoll(&pfd, 1, &ts, NULL);
	return 1;
}

static unsigned int
ng_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	if (cp->ng == NULL)
		return 0;
	return ng_read(cp->ng, mono_us()) + ng_call_serve(cp->ng, now_ms);
}

static const struct cp_ctrs_desc ng_desc[] = {
#define NG_DESC(n, h) { #n, CP_CTRS_COUNTER, 0, h },
	NG_STATS(NG_DESC)
#undef NG_DESC
};

static void
ng_values(const struct cp_ctx *cp, uint64_t *out)
{
	if (cp->ng != NULL)
		memcpy(out, cp->ng->stats, sizeof(cp->ng->stats));
}

static const struct cp_ctrs_family ng_ctrs = {
	.name = "ng",
	.prefix = "",
	.metric = "turnpike_ng_",
	.desc = ng_desc,
	.n = sizeof(ng_desc) / sizeof(ng_desc[0]),
	.values = ng_values,
};

/* status's "ng": the door's calls and counters. */
static void
ng_status(const struct cp_ctx *cp, struct json_object *resp)
{
	struct json_object *o, *st;

	if (cp->ng == NULL)
		return;
	o = json_object_new_object();
	st = json_object_new_object();
	json_object_object_add(o, "listen", json_object_new_string(cp->conf->ng.listen));
	json_object_object_add(o, "calls", json_object_new_int64(cp->ng->ncalls));
	json_object_object_add(o, "calls_max", json_object_new_int64(cp->ng->calls_max));
	json_object_object_add(o, "replies_cached_octets",
			       json_object_new_int64((int64_t)cp->ng->cache_bytes));
	cp_ctrs_json(cp, &ng_ctrs, st);
	json_object_object_add(o, "stats", st);
	json_object_object_add(resp, "ng", o);
}

static void
ng_metrics(const struct cp_ctx *cp, FILE *f)
{
	if (cp->ng == NULL)
		return;
	cp_ctrs_one(f, "turnpike_ng_calls", "gauge", "Calls the ng door holds now",
		    cp->ng->ncalls);
	cp_ctrs_metrics(cp, &ng_ctrs, f);
}

const struct cp_module cp_ng_module = {
	.name = "ng",
	.setup = ng_setup,
	.fini = ng_fini,
	.serve = ng_serve,
	.step = ng_step,
	.nap = ng_nap,
	.ctrs = &ng_ctrs,
	.status = ng_status,
	.status_rank = 21,
	.metrics = ng_metrics,
	.metrics_rank = CP_METRICS_ALLOCATIONS,
};
