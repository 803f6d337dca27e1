/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq as a module of turnpike-cp: set up after cp/agw (the contexts it
 * drives, whose events it observes) when the configuration has an iq
 * group; its socket opened before privileges go (2944 is above 1024, but
 * the operator may choose a lower port), served from the loop; its part
 * of status and of the metrics.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cp.h"
#include "cp_module.h"
#include "iq.h"
#include "iq_internal.h"

struct cp_iq *
iq_of(const struct cp_ctx *cp)
{
	return cp->iq;
}

static void
iq_fini(struct cp_ctx *cp)
{
	struct cp_iq *q = cp->iq;

	if (q == NULL)
		return;
	iq_notify_fini(q);
	iq_term_fini(q);
	iq_core_fini(q);
	free(q);
	cp->iq = NULL;
}

static int
iq_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	struct cp_iq *q;
	int rc;

	if (!cp->conf->iq.enabled)
		return 0;
	if (cp->agw == NULL) {
		snprintf(err, errlen, "iq needs the agw group's contexts");
		return -EINVAL;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL) {
		snprintf(err, errlen, "iq: out of memory");
		return -ENOMEM;
	}
	rc = iq_core_init(cp, q, err, errlen);
	if (rc < 0) {
		free(q);
		return rc;
	}
	rc = iq_term_init(cp, q);
	if (rc == 0)
		rc = iq_notify_init(cp, q);
	if (rc < 0) {
		snprintf(err, errlen, "iq: cannot observe the AGW contexts: %s", strerror(-rc));
		iq_notify_fini(q);
		iq_term_fini(q);
		iq_core_fini(q);
		free(q);
		return rc;
	}
	cp->iq = q;
	tp_log(TP_LOG_INFO, "iq: H.248 on %s (%s), mid %s, %u controller(s), first %s, %u "
	       "authenticated (iq.auth), %u more source(s) (iq.send_from)",
	       q->conf->listen, q->conf->tcp ? "tcp" : "udp", q->conf->mid, q->conf->nmgc,
	       q->conf->mgc[0], q->conf->nauth, q->conf->nsend_from);
	return 0;
}

static unsigned int
iq_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	return cp->iq != NULL ? iq_core_serve(cp, cp->iq, now_ms) : 0;
}

/* Its counters (struct cp_iq_counters), in status's iq.stats and as
 * turnpike_iq_NAME_total. */
static const struct cp_ctrs_desc iq_desc[] = {
#define IQ_STAT(e, n, h) { n, CP_CTRS_COUNTER, 0, h },
#include "iq_stats.def"
#undef IQ_STAT
	{ "datagrams_from_strangers", CP_CTRS_COUNTER, 0,
	  "Datagrams to iq.listen from hosts of no controller of iq.mgc (dropped, unanswered)" },
	{ "retransmissions", CP_CTRS_COUNTER, 0, "Our requests (ServiceChange, Notify) sent again" },
	{ "requests_gave_up", CP_CTRS_COUNTER, 0, "Our requests never answered" },
	{ "datagrams_oversize", CP_CTRS_COUNTER, 0,
	  "Messages from a controller past 8192 bytes (a datagram's first request answered 510; "
	  "over TCP the connection ends)" },
	{ "datagrams_wrong_port", CP_CTRS_COUNTER, 0,
	  "Datagrams from a controller's host on a port neither in iq.mgc nor in iq.send_from "
	  "(dropped, unanswered)" },
	{ "datagrams_unauthenticated", CP_CTRS_COUNTER, 0,
	  "Messages from a controller with iq.auth that failed it (dropped, unanswered; by "
	  "reason in turnpike_iq_unauthenticated_by_reason_total)" },
};

static void
iq_values(const struct cp_ctx *cp, uint64_t *out)
{
	const struct cp_iq_counters *k;

	if (cp->iq == NULL)
		return;
	k = cp_iq_counters(cp->iq);
	memcpy(out, k->stats, sizeof(k->stats));
	out[IQ_STAT__COUNT] = k->strangers;
	out[IQ_STAT__COUNT + 1] = k->resent;
	out[IQ_STAT__COUNT + 2] = k->gave_up;
	out[IQ_STAT__COUNT + 3] = k->oversize;
	out[IQ_STAT__COUNT + 4] = k->wrong_port;
	out[IQ_STAT__COUNT + 5] = 0;
	for (unsigned int i = 1; i < IQ_AUTH__COUNT; i++)
		out[IQ_STAT__COUNT + 5] += k->unauth[i];
}

/* (shown by the module's own hooks, inside its part) */
static const struct cp_ctrs_family iq_ctrs = {
	.name = "iq",
	.prefix = "",
	.metric = "turnpike_iq_",
	.desc = iq_desc,
	.n = sizeof(iq_desc) / sizeof(iq_desc[0]),
	.values = iq_values,
};

/* The H.248.8 codes of the errors counted (enum iq_err, "other" past). */
static const unsigned int iq_codes[] = {
#define IQ_ERR_CODE(c) c,
#include "iq_err_codes.def"
#undef IQ_ERR_CODE
};

/* status's "iq": the door's association and counters. */
static void
iq_status(const struct cp_ctx *cp, struct json_object *resp)
{
	static const char *const assoc[] = { "idle", "registering", "registered" };
	const struct cp_iq_counters *k;
	struct json_object *o, *st, *by;

	if (cp->iq == NULL)
		return;
	k = cp_iq_counters(cp->iq);
	o = json_object_new_object();
	st = json_object_new_object();
	by = json_object_new_object();
	json_object_object_add(o, "association",
			       json_object_new_string(k->assoc < 3 ? assoc[k->assoc] : "?"));
	json_object_object_add(o, "controller",
			       json_object_new_string(cp->conf->iq.mgc[k->mgc % TP_CONF_MAX_IQ_MGCS]));
	json_object_object_add(o, "transport", json_object_new_string(cp->conf->iq.tcp ? "tcp" :
									       "udp"));
	cp_ctrs_json(cp, &iq_ctrs, st);
	json_object_object_add(o, "stats", st);
	for (unsigned int i = 0; i < IQ_ERR__COUNT; i++) {
		char c[16];

		if (k->err[i] == 0)
			continue;
		if (i < sizeof(iq_codes) / sizeof(iq_codes[0]))
			snprintf(c, sizeof(c), "%u", iq_codes[i]);
		else
			snprintf(c, sizeof(c), "other");
		json_object_object_add(by, c, json_object_new_int64((int64_t)k->err[i]));
	}
	json_object_object_add(o, "errors_sent_by_code", by);
	by = json_object_new_object();
	for (unsigned int i = 1; i < IQ_AUTH__COUNT; i++)
		json_object_object_add(by, iq_auth_why_name(i),
				       json_object_new_int64((int64_t)k->unauth[i]));
	json_object_object_add(o, "unauthenticated_by_reason", by);
	json_object_object_add(resp, "iq", o);
}

static void
iq_metrics(const struct cp_ctx *cp, FILE *f)
{
	const struct cp_iq_counters *k;

	if (cp->iq == NULL)
		return;
	k = cp_iq_counters(cp->iq);
	cp_ctrs_one(f, "turnpike_iq_registered", "gauge",
		    "1 while the H.248 gateway is registered with a controller (iq.mgc)",
		    k->assoc == 2);
	cp_ctrs_metrics(cp, &iq_ctrs, f);
	cp_ctrs_head(f, "turnpike_iq_errors_by_code_total", "counter",
		     "H.248.8 error descriptors sent, by code (the rest as \"other\")");
	for (unsigned int i = 0; i < IQ_ERR__COUNT; i++) {
		if (i < sizeof(iq_codes) / sizeof(iq_codes[0]))
			fprintf(f, "turnpike_iq_errors_by_code_total{code=\"%u\"} %llu\n",
				iq_codes[i], (unsigned long long)k->err[i]);
		else
			fprintf(f, "turnpike_iq_errors_by_code_total{code=\"other\"} %llu\n",
				(unsigned long long)k->err[i]);
	}
	cp_ctrs_head(f, "turnpike_iq_unauthenticated_by_reason_total", "counter",
		     "Messages refused by iq.auth, by reason (no_header, spi, replay, icv)");
	for (unsigned int i = 1; i < IQ_AUTH__COUNT; i++)
		fprintf(f, "turnpike_iq_unauthenticated_by_reason_total{reason=\"%s\"} %llu\n",
			iq_auth_why_name(i), (unsigned long long)k->unauth[i]);
}

const struct cp_module cp_iq_module = {
	.name = "iq",
	.setup = iq_setup,
	.fini = iq_fini,
	.serve = iq_serve,
	.ctrs = &iq_ctrs,
	.status = iq_status,
	.status_rank = 20,
	.metrics = iq_metrics,
	.metrics_rank = CP_METRICS_ALLOCATIONS,
};
