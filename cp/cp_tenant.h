/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tenants as cp's operator views see them (lib/conf tp_conf_tenants.c owns
 * the list): the tenant of an allocation, and a tenant named by an
 * operator or a controller. A tenant is an index, 0 the default tenant,
 * i + 1 for conf->tenants.t[i]; its name is tp_conf_tenant_name().
 */
#ifndef CP_TENANT_H
#define CP_TENANT_H

#include <string.h>

#include "cp.h"
#include "tp_conf.h"

/* The tenant of allocation a: the one whose TURN address the client
 * reached (a->tuple.server), never anything the client sent. The one
 * place cp's views (metrics, status, allocations, usage records) ask. */
static inline unsigned int
cp_alloc_tenant(const struct cp_ctx *cp, const struct cp_alloc *a)
{
	(void)cp;
	return a->tenant;         /* cp/alloc's, from the same rule */
}

/* The index of the tenant called name ("default": 0), or -1 when the
 * configuration has none such. */
static inline int
cp_tenant_find(const struct tp_conf *c, const char *name)
{
	if (strcmp(name, "default") == 0)
		return 0;
	for (unsigned int i = 0; i < c->tenants.n; i++)
		if (strcmp(c->tenants.t[i].name, name) == 0)
			return (int)i + 1;
	return -1;
}

#endif /* CP_TENANT_H */
