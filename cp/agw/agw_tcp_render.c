/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP contexts as the operator reads them (agw_tcp_ops' json, event_json,
 * status): a context as JSON (agw.show, agw.list, the answers of
 * agw.create and the leg commands) with its door's own names for it
 * (cp_agw_names()), what a line of the event log says of a TCP context's
 * event, and status's "agw" member's own figures (cp/agw's counters, the
 * TCP contexts by worker, every kind's by door).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "certfp.h"
#include "cp_agw.h"
#include "ipc.h"
#include "tp_conf.h"

static const char *const stat_names[CP_AGW_STAT__COUNT] = {
#define CP_AGW_STAT(e, n, h) [CP_AGW_STAT_##e] = n,
#include "cp_agw_stats.def"
#undef CP_AGW_STAT
};

static struct json_object *
addr_json(const struct ipc_addr *a, bool port)
{
	char buf[64];

	if (a->family != 4 && a->family != 6)
		return NULL;
	cp_api_addr_str(a, port, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static const char *
tcp_role_name(uint8_t r)
{
	return r == IPC_AGW_TCP_SERVER ? "server" : "client";
}

static const char *
tls_role_name(uint8_t r)
{
	return r == IPC_AGW_TLS_SERVER ? "server" : r == IPC_AGW_TLS_CLIENT ? "client" : "none";
}

const char *
agw_state_name(uint8_t s)
{
	static const char *const n[] = { "free", "installing", "active", "releasing" };

	return s < 4 ? n[s] : "?";
}

static const char *
leg_state_name(uint8_t s)
{
	static const char *const n[] = { "waiting", "up", "down", "empty" };

	return s < 4 ? n[s] : "?";
}

const char *
agw_tcp_ev_name(uint8_t t)
{
	return t == IPC_AGW_EV_LEG_UP ? "leg_up" : t == IPC_AGW_EV_LEG_DOWN ? "leg_down" :
	       t == IPC_AGW_EV_RELEASED ? "released" : t == IPC_AGW_EV_SUBTRACTED ? "subtracted" :
	       "?";
}

static const char *
cert_name(const struct cp_ctx *cp, uint8_t cred)
{
	return cred == 0 ? "default" : cred <= cp->conf->agw.ncerts ?
	       cp->conf->agw.certs[cred - 1].name : "?";
}

static struct json_object *
fp_json(const struct cp_agw *g, const struct ipc_agw_term *t)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int k = 0; k < t->nfp; k++) {
		struct certfp fp = { .alg = t->fp[k].alg, .len = t->fp[k].len };
		char buf[CERTFP_STR_MAX];

		(void)g;
		memcpy(fp.md, t->fp[k].md, sizeof(fp.md));
		if (certfp_format(&fp, buf, sizeof(buf)) > 0)
			json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

struct json_object *
agw_tcp_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg, bool keys)
{
	const struct cp_agw *g = cp->agw;
	const struct cp_agw_tcp *x = &c->tcp;
	struct json_object *o = json_object_new_object(), *legs = json_object_new_array();

	(void)keys;
	json_object_object_add(o, "id", json_object_new_int64((int64_t)c->id));
	json_object_object_add(o, "worker", json_object_new_int(c->worker));
	json_object_object_add(o, "state", json_object_new_string(agw_state_name(c->state)));
	json_object_object_add(o, "label", c->label[0] ? json_object_new_string(c->label) : NULL);
	json_object_object_add(o, "age_s", json_object_new_int64(
		(int64_t)((cp->wall_ms - c->created_wall_ms) / 1000u)));
	json_object_object_add(o, "setup_timeout_s", json_object_new_int64(x->setup_ms / 1000u));
	json_object_object_add(o, "door", json_object_new_string(cp_agw_door_name(c->door)));
	json_object_object_add(o, "tenant",
			       json_object_new_string(tp_conf_tenant_name(cp->conf, c->tenant)));
	/* the door's own names for it (cp/iq: the H.248 ContextID and
	 * TerminationIDs) */
	if (c->door < CP_AGW_DOORS && g->names[c->door].fn != NULL)
		g->names[c->door].fn(c, o, g->names[c->door].arg);
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_agw_term *t = &x->term[i];
		struct json_object *l = json_object_new_object();
		bool reported = x->leg_local[i].family != 0;
		const struct ipc_addr *loc = reported ? &x->leg_local[i] : &t->local;
		const struct ipc_addr *rem = reported ? &x->leg_remote[i] : &t->remote;

		if (t->tcp_role == IPC_AGW_TCP_NONE) {
			/* (a slot without a termination: one may join) */
			json_object_object_add(l, "state", json_object_new_string("empty"));
			json_object_array_add(legs, l);
			continue;
		}

		json_object_object_add(l, "tcp", json_object_new_string(tcp_role_name(t->tcp_role)));
		json_object_object_add(l, "tls", json_object_new_string(tls_role_name(t->tls_role)));
		json_object_object_add(l, "local", addr_json(loc, loc->port != 0));
		json_object_object_add(l, "remote", addr_json(rem, rem->port != 0));
		json_object_object_add(l, "state",
				       json_object_new_string(leg_state_name(x->leg_state[i])));
		json_object_object_add(l, "cause", x->leg_state[i] == CP_AGW_LEG_DOWN ?
				       json_object_new_string(ipc_agw_cause_name(x->leg_cause[i])) :
				       NULL);
		json_object_object_add(l, "tls_version", x->tls_version[i] == 13 ?
				       json_object_new_string("1.3") : x->tls_version[i] == 12 ?
				       json_object_new_string("1.2") : NULL);
		if (t->tls_role != IPC_AGW_TLS_NONE) {
			const char *fp = g->fp[t->cred][alg];

			json_object_object_add(l, "peer_fingerprints", fp_json(g, t));
			json_object_object_add(l, "cert",
					       json_object_new_string(cert_name(cp, t->cred)));
			json_object_object_add(l, "fingerprint",
					       fp[0] ? json_object_new_string(fp) : NULL);
			if (fp[0] == '\0')
				json_object_object_add(l, "fingerprint_error",
						       json_object_new_string(g->fp_err[t->cred]));
		}
		json_object_object_add(l, "dscp", json_object_new_int(t->dscp));
		if (t->pol_rate != 0) {
			struct json_object *p = json_object_new_object();

			json_object_object_add(p, "rate", json_object_new_int64(t->pol_rate));
			json_object_object_add(p, "burst", json_object_new_int64(t->pol_burst));
			json_object_object_add(l, "police", p);
		} else {
			json_object_object_add(l, "police", NULL);
		}
		json_object_object_add(l, "bytes_in",
				       json_object_new_int64((int64_t)x->bytes_in[i]));
		json_object_object_add(l, "bytes_out",
				       json_object_new_int64((int64_t)x->bytes_out[i]));
		json_object_array_add(legs, l);
	}
	json_object_object_add(o, "legs", legs);
	return o;
}

void
agw_tcp_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l, struct json_object *o)
{
	const struct ipc_agw_event *e = &l->e;

	(void)cp;
	json_object_object_add(o, "cause", e->type != IPC_AGW_EV_LEG_UP ?
			       json_object_new_string(ipc_agw_cause_name(e->cause)) : NULL);
	json_object_object_add(o, "detail", e->detail[0] ? json_object_new_string(e->detail) :
			       NULL);
	json_object_object_add(o, "local", addr_json(&e->local, true));
	json_object_object_add(o, "remote", addr_json(&e->remote, true));
	json_object_object_add(o, "tls_version", e->tls_version == 13 ?
			       json_object_new_string("1.3") : e->tls_version == 12 ?
			       json_object_new_string("1.2") : NULL);
}

void
agw_tcp_status(const struct cp_ctx *cp, struct json_object *o)
{
	const struct cp_agw *g = cp->agw;
	struct json_object *by, *workers, *doors;

	by = json_object_new_object();
	workers = json_object_new_array();
	json_object_object_add(o, "contexts", json_object_new_int64(g->tab[CP_AGW_KIND_TCP].total));
	for (unsigned int w = 0; w < g->nworkers; w++)
		json_object_array_add(workers,
				      json_object_new_int64(g->tab[CP_AGW_KIND_TCP].nctx[w]));
	json_object_object_add(o, "contexts_per_worker", workers);
	/* what agw.quota bounds (a tenant's: turnpikectl tenants) */
	doors = json_object_new_object();
	for (unsigned int d = 0; d < CP_AGW_DOORS; d++)
		json_object_object_add(doors, cp_agw_door_name(d), json_object_new_int64(
					       cp_agw_live(g, d, TP_CONF_MAX_TENANTS + 1)));
	json_object_object_add(o, "contexts_by_door", doors);
	for (unsigned int k = 0; k < CP_AGW_STAT__COUNT; k++)
		json_object_object_add(o, stat_names[k], json_object_new_int64((int64_t)g->stats[k]));
	for (unsigned int k = 1; k <= IPC_AGW_CAUSE_MAX; k++)
		json_object_object_add(by, ipc_agw_cause_name(k),
				       json_object_new_int64((int64_t)g->released_by[k]));
	json_object_object_add(o, "released_by", by);
	json_object_object_add(o, "next_event", json_object_new_int64((int64_t)g->next_seq));
}
