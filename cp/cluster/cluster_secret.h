/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: the password for Redis' AUTH, from its file
 * (cluster_secret.c; turnpike-cp and turnpikectl).
 */
#ifndef CP_CLUSTER_SECRET_H
#define CP_CLUSTER_SECRET_H

#include <stddef.h>
#include <sys/types.h>

#define CL_SECRET_MAX 512u            /* a password's bytes */

/* A password's file for Redis' AUTH, checked: into out (CL_SECRET_MAX
 * bytes, not terminated), its length in *len; owner (uid_t)-1: any. 0 or
 * -errno with err set. */
int cl_read_secret(const char *path, uid_t owner, char *out, size_t *len, char *err,
		   size_t errlen);

#endif /* CP_CLUSTER_SECRET_H */
