/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics as a module of turnpike-cp: the Prometheus endpoint
 * (cp.metrics) opened before cp drops its privileges (a port below 1024 is
 * the operator's choice), served from the loop, closed last but one. A
 * reload may close it or open another in its place (reload.c): every hook
 * here takes cp->metrics as it is then.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include "cp.h"
#include "cp_module.h"
#include "metrics.h"

static int
metrics_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf *conf = cp->conf;
	static struct cp_metrics_allow allow;
	char why[512];

	if (conf->cp.metrics[0] == '\0')
		return 0;
	if (cp_metrics_allow_parse(conf->cp.metrics_allow, conf->cp.nmetrics_allow,
				   &allow, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", conf->path, why);
		return -EINVAL;
	}
	cp->metrics = cp_metrics_open(cp, conf->cp.metrics, &allow, why, sizeof(why));
	if (cp->metrics == NULL) {
		snprintf(err, errlen, "%s (cp.metrics in %s)", why, conf->path);
		return -EINVAL;
	}
	tp_log(TP_LOG_INFO, "Prometheus metrics on http://%s/metrics\n",
	       conf->cp.metrics);
	if (cp_metrics_exposed_warning(conf->cp.metrics, conf->cp.nmetrics_allow,
				       why, sizeof(why)))
		tp_log(TP_LOG_WARNING, "%s\n", why);
	return 0;
}

static void
metrics_fini(struct cp_ctx *cp)
{
	cp_metrics_close(cp->metrics);
	cp->metrics = NULL;
}

/* When there is work, and once a second for its connections' timeouts
 * (it does not keep cp awake). */
static unsigned int
metrics_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct pollfd mfd;

	if (cp->metrics == NULL)
		return 0;
	mfd.fd = cp_metrics_fd(cp->metrics);
	mfd.events = POLLIN;
	if (poll(&mfd, 1, 0) > 0 || now_ms >= cp->metrics_due_ms)
		cp->metrics_due_ms = now_ms + cp_metrics_serve(cp->metrics);
	return 0;
}

const struct cp_module cp_metrics_module = {
	.name = "metrics",
	.setup = metrics_setup,
	.fini = metrics_fini,
	.serve = metrics_serve,
};
