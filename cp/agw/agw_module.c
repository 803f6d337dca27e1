/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw as a module of turnpike-cp: the contexts' tables, agw.peers
 * with this box's addresses (cp/policy builds policies from the
 * configuration; a reload takes the file's anew), dp's restarts, the
 * agw.* commands and status's "agw". Apart from the contexts' own files so
 * that what drives them alone (tests/fuzz's request path) links without
 * the configuration's policy builder.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"
#include "cp_module.h"

/* The contexts, then agw.peers with this box's addresses. */
static int
agw_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf *conf = cp->conf;
	struct cp_policy *p;
	int rc = cp_agw_init(cp);

	if (rc == -ENOMEM) {
		snprintf(err, errlen, "no memory for %u AGW contexts per worker",
			 conf->agw.max_contexts);
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errlen, "agw: cannot take dp's AGW_EVENT and AGW_STATE "
			 "messages: %s", strerror(-rc));
		return rc;
	}
	if (!conf->agw.enabled)
		return 0;
	p = cp_policy_build_from(cp, conf, &conf->agw.peers, "agw.peers", err, errlen);
	if (p == NULL) {
		cp_agw_fini(cp);
		return -EINVAL;
	}
	cp_agw_policy_set(cp, p);
	return 0;
}

/* status's "agw" (nothing without an agw group). */
static void
agw_status(const struct cp_ctx *cp, struct json_object *resp)
{
	if (cp->agw != NULL)
		json_object_object_add(resp, "agw", cp_agw_status(cp));
}

/* A reload: agw.peers' policy made from the new file first, taken whole
 * after; a termination already up keeps its remote. */
static struct cp_policy *next_policy;

static int
agw_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err, size_t errlen)
{
	if (cp->agw == NULL || !next->agw.enabled)
		return 0;
	next_policy = cp_policy_build_from(cp, next, &next->agw.peers, "agw.peers", err, errlen);
	return next_policy != NULL ? 0 : -EINVAL;
}

static void
agw_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	struct tp_conf_agw *c = &cp->conf->agw;

	if (next_policy == NULL)
		return;
	if (cp_policy_peers_differ(&c->peers, &next->agw.peers))
		cp_reload_say(r, false, "agw.peers (what an AGW leg's remote may be)");
	cp_agw_policy_set(cp, next_policy);
	next_policy = NULL;
	c->peers = next->agw.peers;
}

static void
agw_reload_abort(struct cp_ctx *cp)
{
	(void)cp;
	cp_policy_free(next_policy);
	next_policy = NULL;
}

static const struct cp_module_reload agw_reload = {
	.prepare = agw_reload_prepare,
	.apply = agw_reload_apply,
	.abort = agw_reload_abort,
};

const struct cp_module cp_agw_module = {
	.name = "agw",
	.setup = agw_setup,
	.fini = cp_agw_fini,
	/* (a no-op without an agw group) */
	.on_dp_restart = cp_agw_dp_restart,
	.commands = cp_agw_register,
	.status = agw_status,
	.status_rank = 10,
	.reload = &agw_reload,
};
