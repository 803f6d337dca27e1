/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The walk over cp's modules (cp_module.h): set-up in the list's order
 * with the failure said once and everything before it taken down in
 * reverse; the loop's hooks in order; a reload's prepare in order, with
 * those prepared aborted in reverse when one fails, then its apply in
 * order; shutdown last first; the modules' counter families registered,
 * and their parts of status and of the metrics by rank. It knows no
 * module: main.c gives the list.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cp.h"
#include "cp_ctrs.h"
#include "cp_dp.h"
#include "cp_module.h"
#include "tp_log.h"

/* A sentence as long as a log line (tp_log() cuts there anyway). */
#define CP_MODULE_ERR_MAX 2048

int
cp_modules_use(struct cp_ctx *cp, const struct cp_module *const *list, unsigned int n)
{
	char err[256];
	int rc;

	if (n > CP_MODULE_MAX)
		return -EINVAL;
	cp->mods.list = list;
	cp->mods.n = n;
	cp->mods.up = 0;
	cp_ctrs_reset(cp);
	if ((rc = cp_ctrs_register(cp, &cp_ctrs_cp, err, sizeof(err))) < 0) {
		tp_log(TP_LOG_ERR, "%s\n", err);
		return rc;
	}
	for (unsigned int i = 0; i < n; i++)
		if (list[i]->ctrs != NULL &&
		    (rc = cp_ctrs_register(cp, list[i]->ctrs, err, sizeof(err))) < 0) {
			tp_log(TP_LOG_ERR, "%s: %s\n", list[i]->name, err);
			cp_ctrs_reset(cp);
			return rc;
		}
	return 0;
}

static bool
is_up(const struct cp_ctx *cp, unsigned int i)
{
	return (cp->mods.up >> i) & 1u;
}

int
cp_modules_setup(struct cp_ctx *cp, bool check)
{
	static char err[CP_MODULE_ERR_MAX];

	for (unsigned int i = 0; i < cp->mods.n; i++) {
		const struct cp_module *m = cp->mods.list[i];
		int rc = 0;

		if (is_up(cp, i))
			continue;
		if (check && !(m->flags & CP_MODULE_CHECK))
			break;
		err[0] = '\0';
		if (m->setup != NULL)
			rc = m->setup(cp, err, sizeof(err));
		if (rc < 0) {
			if (err[0] != '\0')
				tp_log(TP_LOG_ERR, "%s\n", err);
			else
				tp_log(TP_LOG_ERR, "cannot set up %s: %s\n", m->name,
				       strerror(-rc));
			cp_modules_fini(cp);
			return rc;
		}
		cp->mods.up |= 1u << i;
		if (m->on_dp_restart != NULL &&
		    (rc = cp_dp_on_dp_restart(cp, m->on_dp_restart)) < 0) {
			tp_log(TP_LOG_ERR, "%s: cannot hook dp restarts: %s\n", m->name,
			       strerror(-rc));
			cp_modules_fini(cp);
			return rc;
		}
	}
	return 0;
}

void
cp_modules_fini(struct cp_ctx *cp)
{
	for (unsigned int i = cp->mods.n; i-- > 0;) {
		const struct cp_module *m = cp->mods.list[i];

		if (!is_up(cp, i))
			continue;
		cp->mods.up &= ~(1u << i);
		if (m->fini != NULL)
			m->fini(cp);
	}
}

int
cp_modules_commands(struct cp_ctx *cp, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < cp->mods.n; i++) {
		const struct cp_module *m = cp->mods.list[i];
		int rc;

		if (m->commands != NULL && (rc = m->commands(cp)) < 0) {
			snprintf(err, errlen, "cannot register the API commands of %s: %s",
				 m->name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

unsigned int
cp_modules_step(struct cp_ctx *cp)
{
	unsigned int work = 0;

	for (unsigned int i = 0; i < cp->mods.n; i++)
		if (cp->mods.list[i]->step != NULL && is_up(cp, i))
			work += cp->mods.list[i]->step(cp);
	return work;
}

unsigned int
cp_modules_held(struct cp_ctx *cp)
{
	unsigned int work = 0;

	for (unsigned int i = 0; i < cp->mods.n; i++)
		if (cp->mods.list[i]->held != NULL && is_up(cp, i))
			work += cp->mods.list[i]->held(cp);
	return work;
}

int
cp_modules_nap(struct cp_ctx *cp, unsigned int us)
{
	for (unsigned int i = 0; i < cp->mods.n; i++)
		if (cp->mods.list[i]->nap != NULL && is_up(cp, i) &&
		    cp->mods.list[i]->nap(cp, us))
			return 1;
	return 0;
}

unsigned int
cp_modules_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	unsigned int work = 0;

	for (unsigned int i = 0; i < cp->mods.n; i++)
		if (cp->mods.list[i]->serve != NULL && is_up(cp, i))
			work += cp->mods.list[i]->serve(cp, now_ms);
	return work;
}

/* The lowest rank of m's status parts in [lo, hi) above r, or hi; the
 * parts at r itself written to resp. */
static unsigned int
status_at(const struct cp_ctx *cp, const struct cp_module *m, unsigned int r,
	  unsigned int hi, struct json_object *resp)
{
	unsigned int next = hi;

	if (m->status != NULL) {
		if (m->status_rank == r)
			m->status(cp, resp);
		else if (m->status_rank > r && m->status_rank < next)
			next = m->status_rank;
	}
	for (unsigned int k = 0; k < m->nstatus_parts; k++) {
		const struct cp_status_part *p = &m->status_parts[k];

		if (p->rank == r)
			p->write(cp, resp);
		else if (p->rank > r && p->rank < next)
			next = p->rank;
	}
	return next;
}

void
cp_modules_status(const struct cp_ctx *cp, struct json_object *resp, unsigned int lo,
		  unsigned int hi)
{
	unsigned int r = lo;

	/* by rank, then in the list's order: a pass a rank (a few modules) */
	while (r < hi) {
		unsigned int next = hi;

		for (unsigned int i = 0; i < cp->mods.n; i++) {
			unsigned int n;

			if (!is_up(cp, i))
				continue;
			n = status_at(cp, cp->mods.list[i], r, hi, resp);
			if (n < next)
				next = n;
		}
		r = next;
	}
}

void
cp_modules_status_worker(const struct cp_ctx *cp, const struct cp_metrics_snap *s,
			 unsigned int w, struct json_object *dp)
{
	for (unsigned int i = 0; i < cp->mods.n; i++)
		if (cp->mods.list[i]->status_worker != NULL && is_up(cp, i))
			cp->mods.list[i]->status_worker(cp, s, w, dp);
}

void
cp_modules_metrics(const struct cp_ctx *cp, FILE *f, unsigned int lo, unsigned int hi)
{
	unsigned int r = lo;

	while (r < hi) {
		unsigned int next = hi;

		for (unsigned int i = 0; i < cp->mods.n; i++) {
			const struct cp_module *m = cp->mods.list[i];

			if (m->metrics == NULL || !is_up(cp, i))
				continue;
			if (m->metrics_rank == r)
				m->metrics(cp, f);
			else if (m->metrics_rank > r && m->metrics_rank < next)
				next = m->metrics_rank;
		}
		r = next;
	}
}

static const struct cp_module_reload *
reload_of(const struct cp_ctx *cp, unsigned int i)
{
	return is_up(cp, i) ? cp->mods.list[i]->reload : NULL;
}

int
cp_modules_reload_prepare(struct cp_ctx *cp, const struct tp_conf *next, char *err,
			  size_t errlen)
{
	for (unsigned int i = 0; i < cp->mods.n; i++) {
		const struct cp_module_reload *r = reload_of(cp, i);
		int rc;

		if (r == NULL || r->prepare == NULL)
			continue;
		err[0] = '\0';
		rc = r->prepare(cp, next, err, errlen);
		if (rc >= 0)
			continue;
		if (err[0] == '\0')
			snprintf(err, errlen, "%s cannot take the new file: %s",
				 cp->mods.list[i]->name, strerror(-rc));
		while (i-- > 0) {
			r = reload_of(cp, i);
			if (r != NULL && r->prepare != NULL && r->abort != NULL)
				r->abort(cp);
		}
		return rc;
	}
	return 0;
}

void
cp_modules_reload_apply(struct cp_ctx *cp, const struct tp_conf *next,
			struct cp_reload_notes *n)
{
	for (unsigned int i = 0; i < cp->mods.n; i++) {
		const struct cp_module_reload *r = reload_of(cp, i);

		if (r != NULL && r->apply != NULL)
			r->apply(cp, next, n);
	}
}
