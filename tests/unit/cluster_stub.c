/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster's hooks for tests and fuzz targets that link cp/alloc or
 * cp/api without Redis (hiredis): no cluster group, so every box is
 * alone (cp->cluster is NULL in them, as in cp without the group).
 */
#include "cp.h"
#include "cluster/cluster.h"

int
cp_cluster_quota(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg,
		 unsigned int tenant, const char *user, size_t len)
{
	(void)cp;
	(void)w;
	(void)msg;
	(void)tenant;
	(void)user;
	(void)len;
	return CP_CLUSTER_ALLOW;
}

void
cp_cluster_alloc_up(struct cp_ctx *cp, const struct cp_alloc *a)
{
	(void)cp;
	(void)a;
}

void
cp_cluster_alloc_gone(struct cp_ctx *cp, const struct cp_alloc *a)
{
	(void)cp;
	(void)a;
}

void
cp_cluster_drain_changed(struct cp_ctx *cp)
{
	(void)cp;
}
