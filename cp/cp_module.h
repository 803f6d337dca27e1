/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's modules (cp_module_types.h): main.c gives the list once
 * (cp_modules_use()) and walks it: set-up in order (the walker says which
 * failed, and takes down the ones before in reverse), the loop's hooks,
 * the API's commands, a reload's two steps, shutdown in reverse.
 */
#ifndef CP_MODULE_H
#define CP_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cp_module_types.h"

/* The modules of this cp, in start-up order (at most CP_MODULE_MAX; the
 * list outlives cp), and their counters registered (cp's own first, then
 * each module's in the list's order). 0, -EINVAL (too many modules), or
 * the registry's error (logged, naming the module). */
int cp_modules_use(struct cp_ctx *cp, const struct cp_module *const *list, unsigned int n);

/*
 * Set up, in order, each module not up yet: with check, only those
 * flagged CP_MODULE_CHECK (and the walk stops at the first that is not,
 * so that a run's set-up is the check's carried on). A module's
 * on_dp_restart is hooked once its setup returned 0. On a failure the
 * error is logged (the module's sentence, or one naming the module), every
 * module up is taken down in reverse order, and -errno is returned.
 */
int cp_modules_setup(struct cp_ctx *cp, bool check);
/* Take down every module that is up, last first. Safe twice. */
void cp_modules_fini(struct cp_ctx *cp);

/* Every module's commands, in the list's order (the API module calls
 * it, before it publishes its socket): 0, or the first -errno with err
 * naming the module. */
int cp_modules_commands(struct cp_ctx *cp, char *err, size_t errlen);

/* The loop's hooks over the modules that are up, in order: the sums of
 * their returns; nap: 1 once one module napped (the rest are not asked). */
unsigned int cp_modules_step(struct cp_ctx *cp);
unsigned int cp_modules_held(struct cp_ctx *cp);
int cp_modules_nap(struct cp_ctx *cp, unsigned int us);
unsigned int cp_modules_serve(struct cp_ctx *cp, uint64_t now_ms);

/* The parts of status (resp) of the modules that are up whose rank
 * (status_rank, or a status part's) is in [lo, hi), by rank then in the
 * list's order. */
void cp_modules_status(const struct cp_ctx *cp, struct json_object *resp, unsigned int lo,
		       unsigned int hi);
/* Their parts of worker w's "dp" in status (status_worker), in the
 * list's order; s: the figures status shows. */
void cp_modules_status_worker(const struct cp_ctx *cp, const struct cp_metrics_snap *s,
			      unsigned int w, struct json_object *dp);
/* Their parts of the metrics' text whose metrics_rank is in [lo, hi), by
 * rank then in the list's order. */
void cp_modules_metrics(const struct cp_ctx *cp, FILE *f, unsigned int lo, unsigned int hi);
/*
 * A reload's second step: each module up with a reload prepare, in
 * order. 0; or, once one fails, the ones before it that prepared are
 * aborted, last first, and its -errno returned with err saying why (its
 * sentence, or one naming it).
 */
int cp_modules_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err,
			      size_t errlen);
/* The third: each module up with a reload apply, in order. */
void cp_modules_reload_apply(struct cp_ctx *cp, const struct tp_conf *next,
			     struct cp_reload_notes *r);

/* The modules of turnpike-cp (each in its own folder or file). */
extern const struct cp_module cp_cluster_module;    /* cluster/cluster.c */
extern const struct cp_module cp_auth_module;       /* auth/auth_module.c */
extern const struct cp_module cp_policy_module;     /* policy/policy_module.c */
extern const struct cp_module cp_user_module;       /* cp_user.c */
extern const struct cp_module cp_store_module;      /* store/store_module.c */
extern const struct cp_module cp_ipc_module;        /* cp_ipc.c */
extern const struct cp_module cp_clock_module;      /* cp_ipc.c */
extern const struct cp_module cp_alloc_module;      /* alloc/alloc_module.c */
extern const struct cp_module cp_tls_module;        /* tls/tls_module.c */
extern const struct cp_module cp_agw_module;        /* agw/agw_module.c */
extern const struct cp_module cp_ha_module;         /* ha/ha_module.c */
extern const struct cp_module cp_iq_module;         /* iq/iq_module.c */
extern const struct cp_module cp_ng_module;         /* ng/ng_module.c */
extern const struct cp_module cp_acct_module;       /* acct/acct_module.c */
extern const struct cp_module cp_li_module;         /* li/li_module.c */
extern const struct cp_module cp_api_module;        /* api/api_module.c */
extern const struct cp_module cp_metrics_module;    /* metrics/metrics_module.c */
extern const struct cp_module cp_privileges_module; /* cp_user.c */

#endif /* CP_MODULE_H */
