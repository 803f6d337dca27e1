/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's C API (cp_agw.h), the one every door calls whatever a
 * context's kind: set-up (each kind's, and the messages from dp it
 * takes), create, add, modify, subtract, release and look-up for who
 * asks, a context and a line of the event log as JSON, status's "agw",
 * dp's restart and the loop's share. Each call finds its kind's
 * operations (agw_kinds[]: the kind of a spec, else of the id) and checks
 * what every kind checks (is the kind here, is the context the caller's,
 * is it being released, is the slot one) before the kind does the rest.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../cp_dp.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "ipc.h"
#include "tp_conf.h"

/* The kinds, by enum cp_agw_kind. */
static const struct agw_kind_ops *const agw_kinds[CP_AGW_KINDS] = {
	[CP_AGW_KIND_TCP] = &agw_tcp_ops,
	[CP_AGW_KIND_RTP] = &agw_rtp_ops,
};

const struct agw_kind_ops *
agw_kind(unsigned int kind)
{
	return agw_kinds[kind < CP_AGW_KINDS ? kind : CP_AGW_KIND_TCP];
}

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)

/* ---- set-up ------------------------------------------------------------------------ */

int
cp_agw_init(struct cp_ctx *cp)
{
	struct cp_agw *g;
	int rc;

	if (!cp->conf->agw.enabled)
		return 0;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->enabled = true;
	g->nworkers = cp->nworkers;
	g->next_seq = 1;
	g->log = calloc(CP_AGW_LOG, sizeof(*g->log));
	if (g->log == NULL) {
		free(g);
		return -ENOMEM;
	}
	cp->agw = g;
	if ((rc = agw_held_init(cp)) < 0 || (rc = agw_held_register(cp)) < 0) {
		cp_agw_fini(cp);
		return rc;
	}
	/* (without an agw group, returned above, no module takes the kinds'
	 * messages: cp_handle() drops them) */
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++) {
		const struct agw_kind_ops *o = agw_kinds[k];

		if ((rc = o->init(cp)) < 0 ||
		    (g->tab[k].per_worker != 0 &&
		     ((rc = cp_dp_on_kind(cp, o->ipc_event, o->dp_event)) < 0 ||
		      (rc = cp_dp_on_kind(cp, o->ipc_state, o->dp_state)) < 0))) {
			cp_agw_fini(cp);
			return rc;
		}
	}
	return 0;
}

void
cp_agw_fini(struct cp_ctx *cp)
{
	struct cp_agw *g = cp->agw;

	if (g == NULL)
		return;
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++)
		agw_kinds[k]->fini(cp);
	agw_held_fini(cp);
	free(g->log);
	cp_policy_free(g->policy);
	free(g);
	cp->agw = NULL;
}

void
cp_agw_policy_set(struct cp_ctx *cp, struct cp_policy *p)
{
	if (cp->agw == NULL) {
		cp_policy_free(p);
		return;
	}
	cp_policy_free(cp->agw->policy);
	cp->agw->policy = p;
}

void
cp_agw_dp_restart(struct cp_ctx *cp)
{
	if (cp->agw == NULL)
		return;
	/* (RTP's first: its contexts stay, re-installed; the log then tells
	 * the TCP ones' end) */
	for (unsigned int k = CP_AGW_KINDS; k-- > 0;)
		agw_kinds[k]->dp_restart(cp);
	/* the replies held for the dp that went go (its FENCEs with it) */
	agw_held_dp_restart(cp);
}

unsigned int
cp_agw_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	unsigned int done = 0;

	if (cp->agw == NULL)
		return 0;
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++)
		done += agw_kinds[k]->serve(cp, now_ms);
	done += agw_held_serve(cp, now_ms);
	return done;
}

/* ---- the C API ------------------------------------------------------------------------ */

struct cp_agw_ctx *
cp_agw_lookup(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id)
{
	struct cp_agw_ctx *c = cp->agw != NULL ? agw_ctx_of_id(cp->agw, id) : NULL;

	return c != NULL && cp_agw_caller_sees(who, c) ? c : NULL;
}

int
cp_agw_create(struct cp_ctx *cp, const struct cp_agw_spec spec[2], uint32_t setup_ms,
	      const char *label, enum cp_agw_door door, unsigned int tenant,
	      struct cp_agw_ctx **out, char *err, size_t errlen)
{
	const struct agw_kind_ops *k;
	int rc;

	if (spec[0].kind >= CP_AGW_KINDS || spec[1].kind != spec[0].kind)
		ERR(-EINVAL, "a context's terminations are of one kind: TCP legs or RTP "
		    "terminations");
	k = agw_kinds[spec[0].kind];
	if ((rc = k->ready(cp, true, err, errlen)) < 0)
		return rc;
	return k->create(cp, spec, setup_ms, label, door, tenant, out, err, errlen);
}

/* Context id for a change, and its kind: known, who's, not being
 * released, slot one of its two (or CP_AGW_ANY). One that is not who's
 * is answered as one that does not exist, before anything else is said
 * of it. */
static int
ctx_for_change(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
	       unsigned int slot, const struct agw_kind_ops **kind, struct cp_agw_ctx **out,
	       char *err, size_t errlen)
{
	const struct agw_kind_ops *k = agw_kinds[agw_kind_of_id(id)];
	struct cp_agw_ctx *c;
	int rc;

	if ((rc = k->ready(cp, true, err, errlen)) < 0)
		return rc;
	c = cp_agw_lookup(cp, who, id);
	if (c == NULL)
		ERR(-ENOENT, "no context %" PRIu64 " (released already?)", id);
	if (c->state == CP_AGW_RELEASING)
		ERR(-ESHUTDOWN, "context %" PRIu64 " is being released", id);
	if (slot > 1 && slot != CP_AGW_ANY)
		ERR(-EINVAL, "%s %u: a context's %ss are 0 and 1", k->slot, slot, k->slot);
	*kind = k;
	*out = c;
	return 0;
}

/* A spec or modify of kind for context c of kind k: 0, or -EINVAL. */
static int
kind_same(const struct agw_kind_ops *k, const struct cp_agw_ctx *c, unsigned int kind, char *err,
	  size_t errlen)
{
	if (kind != c->kind)
		ERR(-EINVAL, "context %" PRIu64 " holds %s terminations: another kind goes into a "
		    "context of its own", c->id, k->name);
	return 0;
}

int
cp_agw_add(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id, unsigned int slot,
	   const struct cp_agw_spec *spec, uint32_t setup_ms, unsigned int *got, char *err,
	   size_t errlen)
{
	const struct agw_kind_ops *k;
	struct cp_agw_ctx *c;
	int rc;

	if ((rc = ctx_for_change(cp, who, id, slot, &k, &c, err, errlen)) < 0 ||
	    (rc = kind_same(k, c, spec->kind, err, errlen)) < 0)
		return rc;
	if (slot == CP_AGW_ANY) {
		slot = k->slot_empty(c, 0) ? 0u : k->slot_empty(c, 1) ? 1u : 2u;
		if (slot == 2)
			ERR(-EBUSY, "context %" PRIu64 " has both its terminations: subtract one "
			    "first", id);
	} else if (!k->slot_empty(c, slot)) {
		ERR(-EBUSY, k->slot_taken, slot, id);
	}
	return k->add(cp, c, slot, spec, setup_ms, got, err, errlen);
}

int
cp_agw_modify(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id, unsigned int slot,
	      const struct cp_agw_mod *m, char *err, size_t errlen)
{
	const struct agw_kind_ops *k;
	struct cp_agw_ctx *c;
	int rc;

	if ((rc = ctx_for_change(cp, who, id, slot, &k, &c, err, errlen)) < 0 ||
	    (rc = kind_same(k, c, m->kind, err, errlen)) < 0)
		return rc;
	if (slot > 1 || k->slot_empty(c, slot))
		ERR(-ENOENT, k->slot_none, slot, id);
	return k->modify(cp, c, slot, m, err, errlen);
}

int
cp_agw_subtract(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		unsigned int slot, char *err, size_t errlen)
{
	const struct agw_kind_ops *k;
	struct cp_agw_ctx *c;
	int rc;

	if ((rc = ctx_for_change(cp, who, id, slot, &k, &c, err, errlen)) < 0)
		return rc;
	if (slot > 1 || k->slot_empty(c, slot))
		ERR(-ENOENT, k->slot_none, slot, id);
	return k->subtract(cp, c, slot, err, errlen);
}

int
cp_agw_release(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id, char *err,
	       size_t errlen)
{
	const struct agw_kind_ops *k = agw_kinds[agw_kind_of_id(id)];
	struct cp_agw_ctx *c;
	int rc;

	if ((rc = k->ready(cp, false, err, errlen)) < 0)
		return rc;
	c = cp_agw_lookup(cp, who, id);
	if (c == NULL)
		ERR(-ENOENT, "no context %" PRIu64 " (released already?)", id);
	if (c->state == CP_AGW_RELEASING)
		return 0;
	return k->release(cp, c, err, errlen);
}

#undef ERR

void
cp_agw_names(struct cp_ctx *cp, enum cp_agw_door door, cp_agw_names_fn fn, void *arg)
{
	struct cp_agw *g = cp->agw;

	if (g == NULL || (unsigned int)door >= CP_AGW_DOORS)
		return;
	g->names[door].fn = fn;
	g->names[door].arg = arg;
}

/* ---- what the operator reads ----------------------------------------------------------- */

struct json_object *
cp_agw_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg, bool keys)
{
	return agw_kinds[c->kind]->json(cp, c, alg, keys);
}

struct json_object *
agw_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l)
{
	const struct ipc_agw_event *e = &l->e;
	struct json_object *o = json_object_new_object(), *bi, *bo;
	char when[40];
	time_t sec = (time_t)(l->wall_ms / 1000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03uZ",
		 (unsigned int)(l->wall_ms % 1000u));
	json_object_object_add(o, "seq", json_object_new_int64((int64_t)l->seq));
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "id", json_object_new_int64((int64_t)l->id));
	json_object_object_add(o, "type", json_object_new_string(
				       agw_kind(l->kind)->ev_name(e->type)));
	if (l->known) {
		json_object_object_add(o, "door", json_object_new_string(cp_agw_door_name(l->door)));
		json_object_object_add(o, "tenant", json_object_new_string(
					       tp_conf_tenant_name(cp->conf, l->tenant)));
	}
	json_object_object_add(o, "leg", e->leg <= 1 ? json_object_new_int(e->leg) : NULL);
	agw_kind(l->kind)->event_json(cp, l, o);
	bi = json_object_new_array();
	bo = json_object_new_array();
	for (unsigned int i = 0; i < 2; i++) {
		json_object_array_add(bi, json_object_new_int64((int64_t)e->bytes_in[i]));
		json_object_array_add(bo, json_object_new_int64((int64_t)e->bytes_out[i]));
	}
	json_object_object_add(o, "bytes_in", bi);
	json_object_object_add(o, "bytes_out", bo);
	if (!l->known)
		json_object_object_add(o, "known", json_object_new_boolean(false));
	return o;
}

struct json_object *
cp_agw_status(const struct cp_ctx *cp)
{
	struct json_object *o;

	if (cp->agw == NULL)
		return NULL;
	o = json_object_new_object();
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++)
		agw_kinds[k]->status(cp, o);
	return o;
}

void
agw_kinds_metrics(const struct cp_ctx *cp, FILE *f)
{
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++)
		agw_kinds[k]->metrics(cp, f);
}
