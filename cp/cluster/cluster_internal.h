/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside cp/cluster: what its files share (not for the rest of cp, which
 * goes through cluster.h and cp.h). Each function's comment is at its
 * definition.
 */
#ifndef CP_CLUSTER_INTERNAL_H
#define CP_CLUSTER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/async.h>

#include "cluster_types.h"

static inline bool
cl_sharing(const struct cp_cluster *cl, uint32_t what)
{
	return (cl->conf->share & what) != 0;
}

/* cluster.c */
int cl_key(char *out, size_t size, const struct cp_cluster *cl, const char *what,
	   const char *name, size_t nlen);
int cl_key_in(char *out, size_t size, const struct cp_cluster *cl, unsigned int t,
	      const char *what, const char *name, size_t nlen);

/* cluster_link.c */
int cl_link_open(struct cl_link *l, const char *host, uint16_t port);
void cl_link_close(struct cl_link *l);
unsigned int cl_link_poll(struct cl_link *l);
void cl_link_watch(struct cp_cluster *cl, struct cl_link *l);
/* The link's back-off and connect timeout: the defaults (ha_lease_ms 0),
 * or with an ha group (its ha.lease_ms) on the command link, which
 * carries the lease's scripts: back-off at most lease/4, a connect or
 * its AUTH given lease/2 (docs/design/ha.md §3.2, issue 69). */
void cl_link_limits(struct cl_link *l, uint32_t ha_lease_ms);
void cl_link_flush(struct cl_link *l);
bool cl_answered(struct cl_link *l, const redisReply *r);
bool cl_send_argv(struct cl_link *l, redisCallbackFn *fn, void *priv, int argc,
		  const char **argv, const size_t *len);
bool cl_send_cmd(struct cl_link *l, redisCallbackFn *fn, void *priv, int argc,
		 const char **argv);
void cl_sentinel_step(struct cp_cluster *cl);
void cl_hostport_split(const char *s, char *host, size_t size, uint16_t *port);

/* cluster_users.c */
void cl_users_read(struct cp_cluster *cl);
void cl_subscribe(struct cp_cluster *cl);

#endif /* CP_CLUSTER_INTERNAL_H */
