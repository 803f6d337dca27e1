/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster's status for a fuzz target that links cp's status command
 * (cp/metrics/metrics_module.c) without Redis (hiredis): no cluster
 * group, so the box is alone (cp->cluster is NULL, as in cp without the
 * group).
 */
#include "cp.h"
#include "cluster/cluster.h"

struct json_object *
cp_cluster_json(const struct cp_ctx *cp)
{
	(void)cp;
	return NULL;
}
