/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/policy as a module of turnpike-cp: the peer policy of cp.peers with
 * this box's own addresses (cp_policy_build(), reload.c), and one for each
 * tenant with a peers group of its own (the others are judged by
 * cp.peers'), rebuilt whole by a reload.
 */
#include <errno.h>

#include "cp.h"
#include "cp_module.h"

static void
policy_fini(struct cp_ctx *cp)
{
	cp_policy_free(cp->policy);
	cp->policy = NULL;
	cp_policy_tenants_free(cp->tenant_policy);
}

static int
policy_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	struct cp_policy *agw = NULL;

	cp->policy = cp_policy_build(cp, cp->conf, err, errlen);
	/* (agw.peers is cp/agw's, built with its contexts: checked here
	 * so that --check says what is wrong with it) */
	if (cp->policy == NULL ||
	    cp_policy_build_tenants(cp, cp->conf, cp->tenant_policy, err, errlen) < 0 ||
	    (cp->conf->agw.enabled &&
	     (agw = cp_policy_build_from(cp, cp->conf, &cp->conf->agw.peers, "agw.peers", err,
					 errlen)) == NULL)) {
		policy_fini(cp);
		return -EINVAL;
	}
	cp_policy_free(agw);
	return 0;
}

const struct cp_module cp_policy_module = {
	.name = "policy",
	.flags = CP_MODULE_CHECK,
	.setup = policy_setup,
	.fini = policy_fini,
};
