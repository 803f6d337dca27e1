/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's JSON door: the operator API's agw.* commands (turnpikectl agw,
 * a controller on cp.agw_group), as cp/iq is H.248's and cp/ng is ng's.
 * Each command reads its JSON into the C API's terms (cp_agw.h: a
 * termination's form only, the rules being the C API's, every door's),
 * calls it, and answers with the context as the operator reads it. What a
 * leg or a modify says is its kind's form: each kind's face reads it
 * (agw_tcp_json.c, agw_rtp_json.c), the kind the legs' (an "rtp" member)
 * or the id's; agw.list and agw.events read every kind's contexts and the
 * event log alike. Each acts on and shows the caller's contexts only
 * (agw_caller_of()): the operator's, every one; a controller's, the JSON
 * door's of the tenant it names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "ipc.h"

#define CP_AGW_EVENTS_MAX 5000u    /* events one agw.events answer carries */
#define CP_AGW_LIST_PIECE 256u     /* contexts one list piece carries */

#define FAIL(...) do { *error = cp_api_err(cp, __VA_ARGS__); return -EINVAL; } while (0)

/* The kinds' faces, by enum cp_agw_kind. */
static const struct agw_json_face *const faces[CP_AGW_KINDS] = {
	[CP_AGW_KIND_TCP] = &agw_tcp_face,
	[CP_AGW_KIND_RTP] = &agw_rtp_face,
};

/* The face of the context req's "id" names (none, or not a number: TCP's,
 * which says so), and of agw.create's legs (one that says "rtp": RTP
 * terminations', else TCP legs'). */
static const struct agw_json_face *
face_of(struct json_object *req)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_int))
		return faces[CP_AGW_KIND_TCP];
	return faces[agw_kind_of_id((uint64_t)json_object_get_int64(v))];
}

static const struct agw_json_face *
face_of_legs(struct json_object *legs)
{
	return faces[agw_rtp_legs(legs) ? CP_AGW_KIND_RTP : CP_AGW_KIND_TCP];
}

/* A held answer's time (cp_agw_when_held()): it goes, whatever rc says
 * (the change is made; the answer says what). */
static void
answer_held(struct cp_ctx *cp, void *arg, int rc)
{
	(void)rc;
	if (cp->api != NULL)
		cp_api_release(cp->api, (uint64_t)(uintptr_t)arg, NULL);
}

_Static_assert(sizeof(uintptr_t) >= sizeof(uint64_t), "an API token in a hold's arg");

/* A command's answer (rc 0) held until dp holds what the command changed
 * since `since` (cp_agw.h, "A door's reply held"): the caller may use a
 * port the answer gives at once. */
static int
held(struct cp_ctx *cp, uint64_t since, int rc)
{
	uint64_t token;

	if (rc < 0 || cp->api == NULL || cp_agw_changes(cp) == since)
		return rc;
	token = cp_api_hold(cp->api);
	if (token != 0 && cp_agw_when_held(cp, since, answer_held, (void *)(uintptr_t)token) != 1)
		cp_api_release(cp->api, token, NULL);
	return rc;
}

static int
cmd_create(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
	struct json_object *legs;
	uint64_t since;

	if (cp->agw == NULL)
		FAIL("no agw group in turnpike-cp's configuration");
	if (!(ipc_peer_caps(cp->seg.shm, false, cp->now_ms) & IPC_CAP_AGW))
		FAIL("turnpike-dp does not run, or runs without an agw group");
	if (!json_object_object_get_ex(req, "legs", &legs) ||
	    !json_object_is_type(legs, json_type_array) || json_object_array_length(legs) > 2)
		FAIL("\"legs\" must be a list of the context's terminations (at most two; null "
		     "for an empty slot)");
	since = cp_agw_changes(cp);
	return held(cp, since, face_of_legs(legs)->create(cp, req, legs, resp, error));
}

/* agw.add_leg {"id", "leg" (optional: the first empty slot), "term": a
 * termination as agw.create's (of the context's kind), ...}. */
static int
cmd_add_leg(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	uint64_t since = cp_agw_changes(ctx);

	return held(ctx, since, face_of(req)->add(ctx, req, resp, error));
}

/* agw.modify_leg {"id", "leg", and what changes: the kind's}. */
static int
cmd_modify_leg(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	uint64_t since = cp_agw_changes(ctx);

	return held(ctx, since, face_of(req)->modify(ctx, req, resp, error));
}

/* agw.subtract_leg {"id", "leg"}. */
static int
cmd_subtract_leg(void *ctx, struct json_object *req, struct json_object *resp,
		 const char **error)
{
	uint64_t since = cp_agw_changes(ctx);

	return held(ctx, since, face_of(req)->subtract(ctx, req, resp, error));
}

static int
cmd_show(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	return face_of(req)->show(ctx, req, resp, error);
}

static int
cmd_release(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	return face_of(req)->release(ctx, req, resp, error);
}

/* agw.list: the caller's contexts (the operator's: every one), a piece at
 * a time (cursor: the place in the kinds' tables one after the other). */
static int
list_contexts(void *ctx, struct json_object *req, uint64_t *cursor, struct json_object *items)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw *g = cp->agw;
	struct cp_agw_caller who;
	const char *error = NULL;
	size_t base = 0;
	unsigned int put = 0;

	/* (the head read the request already: a tenant gone by a reload
	 * since ends the list) */
	if (g == NULL || agw_caller_of(cp, req, &who, &error) < 0)
		return 0;
	for (unsigned int k = 0; k < CP_AGW_KINDS; k++) {
		const struct cp_agw_table *t = &g->tab[k];
		size_t n = (size_t)g->nworkers * t->per_worker;

		while (*cursor >= base && *cursor < base + n && put < CP_AGW_LIST_PIECE) {
			const struct cp_agw_ctx *c = &t->ctx[*cursor - base];

			(*cursor)++;
			if (c->id == 0 || !cp_agw_caller_sees(&who, c))
				continue;
			json_object_array_add(items, cp_agw_json(cp, c, 1, false));
			put++;
		}
		base += n;
	}
	return *cursor < base ? 1 : 0;
}

/* agw.list's "count": how many the caller's view holds. */
static int
cmd_list_head(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw_caller who;

	if (cp->agw == NULL) {
		*error = "no agw group in turnpike-cp's configuration";
		return -ENOENT;
	}
	if (agw_caller_of(cp, req, &who, error) < 0)
		return -EINVAL;
	json_object_object_add(resp, "count", json_object_new_int64(
		who.is_operator ? cp_agw_live(cp->agw, CP_AGW_DOORS, TP_CONF_MAX_TENANTS + 1) :
		cp_agw_live(cp->agw, who.door, who.tenant)));
	return 0;
}

/*
 * agw.events {"after": SEQ, "max": N, "id": ID, "tenant"}: the events after
 * SEQ (0: from the oldest kept), at most N (default and bound
 * CP_AGW_EVENTS_MAX), of one context when id is given; of the caller's
 * contexts only (the operator's: all, those of contexts this cp does not
 * know included). "next" is the SEQ to ask after next time; "lost" counts
 * events after SEQ that the log no longer holds. (The sequence numbers
 * are the log's, every door's: a controller learns how many events there
 * were, never of which context.)
 */
static int
cmd_events(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw *g = cp->agw;
	struct cp_agw_caller who;
	struct json_object *v, *list;
	uint64_t after = 0, max = CP_AGW_EVENTS_MAX, only = 0, oldest, seq, lost = 0;
	unsigned int n = 0;

	if (g == NULL)
		FAIL("no agw group in turnpike-cp's configuration");
	if (agw_caller_of(cp, req, &who, error) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(req, "after", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
			FAIL("\"after\" must be an event sequence number (0: the oldest kept)");
		after = (uint64_t)json_object_get_int64(v);
	}
	if (json_object_object_get_ex(req, "max", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1)
			FAIL("\"max\" must be a positive number");
		if ((uint64_t)json_object_get_int64(v) < max)
			max = (uint64_t)json_object_get_int64(v);
	}
	if (json_object_object_get_ex(req, "id", &v)) {
		if (!json_object_is_type(v, json_type_int))
			FAIL("\"id\" must be a context id");
		only = (uint64_t)json_object_get_int64(v);
	}
	oldest = g->next_seq > CP_AGW_LOG ? g->next_seq - CP_AGW_LOG : 1;
	seq = after + 1;
	if (seq < oldest) {
		if (after != 0)
			lost = oldest - seq;
		seq = oldest;
	}
	list = json_object_new_array();
	for (; seq < g->next_seq && n < max; seq++) {
		const struct cp_agw_event *l = &g->log[seq & (CP_AGW_LOG - 1u)];

		after = seq;
		if (only != 0 && l->id != only)
			continue;
		if (!who.is_operator &&
		    (!l->known || l->door != who.door || l->tenant != who.tenant))
			continue;
		json_object_array_add(list, agw_event_json(cp, l));
		n++;
	}
	json_object_object_add(resp, "events", list);
	json_object_object_add(resp, "next", json_object_new_int64((int64_t)after));
	json_object_object_add(resp, "oldest", json_object_new_int64((int64_t)oldest));
	json_object_object_add(resp, "lost", json_object_new_int64((int64_t)lost));
	return 0;
}

int
cp_agw_register(struct cp_ctx *cp)
{
	int rc;

	static const char *const names[] = { "agw.create", "agw.show", "agw.release",
					     "agw.events", "agw.list", "agw.add_leg",
					     "agw.modify_leg", "agw.subtract_leg" };

	if ((rc = cp_api_register(cp->api, "agw.create", cmd_create, cp)) < 0 ||
	    (rc = cp_api_register(cp->api, "agw.add_leg", cmd_add_leg, cp)) < 0 ||
	    (rc = cp_api_register(cp->api, "agw.modify_leg", cmd_modify_leg, cp)) < 0 ||
	    (rc = cp_api_register(cp->api, "agw.subtract_leg", cmd_subtract_leg, cp)) < 0 ||
	    (rc = cp_api_register(cp->api, "agw.show", cmd_show, cp)) < 0 ||
	    (rc = cp_api_register(cp->api, "agw.release", cmd_release, cp)) < 0 ||
	    (rc = cp_api_register(cp->api, "agw.events", cmd_events, cp)) < 0 ||
	    (rc = cp_api_register_list(cp->api, "agw.list", cmd_list_head, list_contexts,
				       "contexts", cp)) < 0)
		return rc;
	/* the controller (an IMS-ALG, cp.agw_group) runs these and nothing
	 * else: users, PSKs, reloads stay the operators'; and these on the
	 * JSON door's contexts of the tenant it names only (agw_caller_of()) */
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if ((rc = cp_api_allow_controller(cp->api, names[k])) < 0)
			return rc;
	return 0;
}
