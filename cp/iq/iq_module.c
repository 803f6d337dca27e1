/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq as a module of turnpike-cp: set up after cp/agw (the contexts it
 * drives, whose events it observes) when the configuration has an iq
 * group; its socket opened before privileges go (2944 is above 1024, but
 * the operator may choose a lower port), served from the loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	tp_log(TP_LOG_INFO, "iq: H.248 on %s (%s), mid %s, %u controller(s), first %s",
	       q->conf->listen, q->conf->tcp ? "tcp" : "udp", q->conf->mid, q->conf->nmgc,
	       q->conf->mgc[0]);
	return 0;
}

static unsigned int
iq_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	return cp->iq != NULL ? iq_core_serve(cp, cp->iq, now_ms) : 0;
}

const struct cp_module cp_iq_module = {
	.name = "iq",
	.setup = iq_setup,
	.fini = iq_fini,
	.serve = iq_serve,
};
