/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP contexts at the JSON door (agw_tcp_face; agw_json.c hands a command
 * here when its legs say no "rtp", or its id is a TCP context's): a leg
 * read from its JSON (its form only: the rules are the C API's, every
 * door's), its peer's fingerprints (RFC 8122), our certificate's hash, the
 * set-up time; each command's call of the C API and its answer.
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
#include "certfp.h"
#include "cp_agw.h"
#include "ipc.h"

#define FAIL(...) do { *error = cp_api_err(cp, __VA_ARGS__); return -EINVAL; } while (0)

/* A "fingerprints" list (RFC 8122 a=fingerprint values) of leg i into fp. */
static int
parse_fps(struct cp_ctx *cp, struct json_object *fps, unsigned int i, struct ipc_agw_fp *fp,
	  unsigned int *nfp, const char **error)
{
	size_t n;

	if (!json_object_is_type(fps, json_type_array))
		FAIL("leg %u: \"fingerprints\" must be a list of a=fingerprint values", i);
	n = json_object_array_length(fps);
	if (n > IPC_AGW_FP_MAX)
		FAIL("leg %u: %zu fingerprints, at most %u", i, n, IPC_AGW_FP_MAX);
	for (size_t k = 0; k < n; k++) {
		struct json_object *e = json_object_array_get_idx(fps, k);
		struct certfp got;
		const char *why = NULL;

		if (!json_object_is_type(e, json_type_string) ||
		    certfp_parse(json_object_get_string(e), strlen(json_object_get_string(e)),
				 &got, &why) < 0)
			FAIL("leg %u: fingerprint %zu: %s (RFC 8122: \"sha-256 AB:CD:...\")", i,
			     k + 1, why != NULL ? why : "not a string");
		memset(&fp[k], 0, sizeof(fp[k]));
		fp[k].alg = got.alg;
		fp[k].len = got.len;
		memcpy(fp[k].md, got.md, sizeof(fp[k].md));
	}
	*nfp = (unsigned int)n;
	return 0;
}

/* One termination from its JSON object into s: its form only (the rules
 * are agw_term_check()'s, every door's). */
static int
parse_term(struct cp_ctx *cp, struct json_object *o, unsigned int i, struct cp_agw_leg_spec *sp,
	   const char **error)
{
	static const char *const known[] = { "tcp", "tls", "local", "remote", "fingerprints",
					     "cert", "accept_any", "dscp", "police", NULL };
	const struct tp_conf *conf = cp->conf;
	struct ipc_agw_term *t = &sp->term;
	struct json_object *fps, *v;
	const char *s;

	memset(sp, 0, sizeof(*sp));
	if (!json_object_is_type(o, json_type_object))
		FAIL("leg %u is not an object", i);
	json_object_object_foreach(o, key, val) {
		bool ok = false;

		(void)val;
		for (const char *const *k = known; *k != NULL; k++)
			ok = ok || strcmp(*k, key) == 0;
		if (!ok)
			FAIL("leg %u: unknown member \"%s\" (tcp, tls, local, remote, fingerprints, "
			     "cert, accept_any, dscp, police)", i, key);
	}
	s = cp_api_str(o, "tcp");
	if (s == NULL || (strcmp(s, "client") != 0 && strcmp(s, "server") != 0))
		FAIL("leg %u: \"tcp\" must be \"client\" or \"server\"", i);
	t->tcp_role = strcmp(s, "server") == 0 ? IPC_AGW_TCP_SERVER : IPC_AGW_TCP_CLIENT;
	s = cp_api_str(o, "tls");
	if (s == NULL || strcmp(s, "none") == 0)
		t->tls_role = IPC_AGW_TLS_NONE;
	else if (strcmp(s, "server") == 0)
		t->tls_role = IPC_AGW_TLS_SERVER;
	else if (strcmp(s, "client") == 0)
		t->tls_role = IPC_AGW_TLS_CLIENT;
	else
		FAIL("leg %u: \"tls\" must be \"none\", \"server\" or \"client\"", i);
	if (t->tls_role != IPC_AGW_TLS_NONE && !conf->tls.enabled)
		FAIL("leg %u: TLS legs need the tls group in the configuration", i);
	if ((s = cp_api_str(o, "local")) != NULL && agw_parse_addr(s, &t->local) < 0)
		FAIL("leg %u: local \"%s\" is not an address like 192.0.2.1, 192.0.2.1:20000 or "
		     "[2001:db8::1]:20000", i, s);
	if ((s = cp_api_str(o, "remote")) != NULL && agw_parse_addr(s, &t->remote) < 0)
		FAIL("leg %u: remote \"%s\" is not an address like 192.0.2.7:5000 or "
		     "[2001:db8::7]:5000", i, s);
	if (json_object_object_get_ex(o, "fingerprints", &fps)) {
		unsigned int n;

		if (parse_fps(cp, fps, i, t->fp, &n, error) < 0)
			return -EINVAL;
		t->nfp = (uint8_t)n;
	}
	{
		struct agw_qos_in q;

		if (agw_parse_qos(cp, o, i, &q, error) < 0)
			return -EINVAL;
		t->dscp = q.dscp;
		t->pol_rate = q.pol_rate;
		t->pol_burst = q.pol_burst;
	}
	if (json_object_object_get_ex(o, "accept_any", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			FAIL("leg %u: \"accept_any\" must be true or false", i);
		sp->accept_any = json_object_get_boolean(v);
	}
	s = cp_api_str(o, "cert");
	if (s != NULL && strcmp(s, "default") != 0) {
		unsigned int k;

		if (t->tls_role == IPC_AGW_TLS_NONE)
			FAIL("leg %u: a certificate given for a leg without TLS", i);
		for (k = 0; k < conf->agw.ncerts; k++)
			if (strcmp(conf->agw.certs[k].name, s) == 0)
				break;
		if (k == conf->agw.ncerts)
			FAIL("leg %u: no certificate \"%s\" in agw.certificates", i, s);
		t->cred = (uint8_t)(k + 1);
	}
	return 0;
}

/* "setup_timeout" of req (seconds) into *ms; absent: CP_AGW_SETUP_DEFAULT. */
static int
parse_setup(struct cp_ctx *cp, struct json_object *req, uint32_t *ms, const char **error)
{
	struct json_object *v;

	*ms = CP_AGW_SETUP_DEFAULT;
	if (json_object_object_get_ex(req, "setup_timeout", &v)) {
		int64_t t = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || t < 0 || t > 86400)
			FAIL("\"setup_timeout\" must be seconds, 0..86400 (0: no limit)");
		*ms = (uint32_t)t * 1000u;
	}
	return 0;
}

static int
parse_alg(struct cp_ctx *cp, struct json_object *req, int *alg, const char **error)
{
	const char *s = cp_api_str(req, "fingerprint_alg");

	*alg = 1;
	if (s != NULL) {
		*alg = certfp_alg_parse(s, strlen(s));
		if (*alg < 1)
			FAIL("\"fingerprint_alg\" must be sha-1, sha-256, sha-384 or sha-512");
		(*alg)--;
	}
	return 0;
}

/* agw.create of TCP legs. */
static int
tcp_create(struct cp_ctx *cp, struct json_object *req, struct json_object *legs,
	   struct json_object *resp, const char **error)
{
	struct cp_agw *g = cp->agw;
	struct cp_agw_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	uint32_t setup_ms;
	size_t n = json_object_array_length(legs);
	char err[512];
	int alg, rc, tenant;

	memset(spec, 0, sizeof(spec));
	spec[0].kind = spec[1].kind = CP_AGW_KIND_TCP;
	for (unsigned int i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(legs, i);

		if (o == NULL)
			continue;             /* (an empty slot: a termination joins later) */
		rc = parse_term(cp, o, i, &spec[i].tcp, error);
		if (rc < 0) {
			g->stats[CP_AGW_STAT_REFUSED]++;
			return rc;
		}
	}
	if (parse_setup(cp, req, &setup_ms, error) < 0 || parse_alg(cp, req, &alg, error) < 0)
		return -EINVAL;
	if (agw_parse_tenant(cp, req, &tenant, error) < 0) {
		g->stats[CP_AGW_STAT_REFUSED]++;
		return -EINVAL;
	}
	rc = cp_agw_create(cp, spec, setup_ms, cp_api_str(req, "label"), CP_AGW_DOOR_API,
			   (unsigned int)tenant, &c, err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	agw_answer(cp, c, alg, false, resp);
	return 0;
}

/* "id" and "leg" of a leg command (agw_parse_id_leg()), with an agw group. */
static int
parse_id_leg(struct cp_ctx *cp, struct json_object *req, bool leg_optional, uint64_t *id,
	     unsigned int *leg, const char **error)
{
	if (cp->agw == NULL)
		FAIL("no agw group in turnpike-cp's configuration");
	return agw_parse_id_leg(cp, req, leg_optional ? CP_AGW_ANY : AGW_LEG_REQUIRED, id, leg,
				error);
}

/* agw.add_leg {"id", "leg" (optional: the first empty slot), "term": a
 * termination as agw.create's, "setup_timeout", "fingerprint_alg"}. */
static int
tcp_add_leg(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_agw_caller who;
	struct cp_agw_spec spec = { .kind = CP_AGW_KIND_TCP };
	struct json_object *o;
	uint64_t id;
	unsigned int leg, got = 0;
	uint32_t setup_ms;
	char err[512];
	int alg, rc;

	if (parse_id_leg(cp, req, true, &id, &leg, error) < 0 ||
	    agw_caller_of(cp, req, &who, error) < 0)
		return -EINVAL;
	if (!json_object_object_get_ex(req, "term", &o))
		FAIL("\"term\" (the termination, as one of agw.create's legs) is required");
	if (parse_term(cp, o, leg == CP_AGW_ANY ? 0 : leg, &spec.tcp, error) < 0 ||
	    parse_setup(cp, req, &setup_ms, error) < 0 || parse_alg(cp, req, &alg, error) < 0)
		return -EINVAL;
	rc = cp_agw_add(cp, &who, id, leg, &spec, setup_ms, &got, err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	agw_answer(cp, cp_agw_lookup(cp, &who, id), alg, false, resp);
	json_object_object_add(resp, "leg", json_object_new_int((int)got));
	return 0;
}

/* agw.modify_leg {"id", "leg", "remote", "fingerprints", "dscp", "police"}: any of
 * them. */
static int
tcp_modify_leg(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
	       const char **error)
{
	struct ipc_agw_fp fp[IPC_AGW_FP_MAX];
	struct ipc_addr remote;
	struct json_object *fps;
	const char *s = cp_api_str(req, "remote");
	struct agw_qos_in q;
	struct cp_agw_caller who;
	unsigned int leg, nfp = 0;
	uint64_t id;
	char err[512];
	int rc;

	if (parse_id_leg(cp, req, false, &id, &leg, error) < 0 ||
	    agw_caller_of(cp, req, &who, error) < 0)
		return -EINVAL;
	if (s != NULL && agw_parse_addr(s, &remote) < 0)
		FAIL("leg %u: remote \"%s\" is not an address like 192.0.2.7:5000 or "
		     "[2001:db8::7]:5000", leg, s);
	if (json_object_object_get_ex(req, "fingerprints", &fps)) {
		if (parse_fps(cp, fps, leg, fp, &nfp, error) < 0)
			return -EINVAL;
		if (nfp == 0)
			FAIL("leg %u: \"fingerprints\" is empty: a TLS leg keeps at least one", leg);
	}
	if (agw_parse_qos(cp, req, leg, &q, error) < 0)
		return -EINVAL;
	if (s == NULL && nfp == 0 && !q.dscp_set && !q.pol_set)
		FAIL("nothing to modify: give \"remote\", \"fingerprints\", \"dscp\" or "
		     "\"police\"");
	rc = cp_agw_modify(cp, &who, id, leg,
			   &(struct cp_agw_mod){ .kind = CP_AGW_KIND_TCP,
						 .tcp = { .remote = s != NULL ? &remote : NULL,
							  .fp = fp, .nfp = nfp,
							  .dscp_set = q.dscp_set, .dscp = q.dscp,
							  .pol_set = q.pol_set,
							  .pol_rate = q.pol_rate,
							  .pol_burst = q.pol_burst } },
			   err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	agw_answer(cp, cp_agw_lookup(cp, &who, id), 1, false, resp);
	return 0;
}

/* agw.subtract_leg {"id", "leg"}. */
static int
tcp_subtract_leg(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
		 const char **error)
{
	struct cp_agw_caller who;
	unsigned int leg;
	uint64_t id;
	char err[512];
	int rc;

	if (parse_id_leg(cp, req, false, &id, &leg, error) < 0 ||
	    agw_caller_of(cp, req, &who, error) < 0)
		return -EINVAL;
	rc = cp_agw_subtract(cp, &who, id, leg, err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	agw_answer(cp, cp_agw_lookup(cp, &who, id), 1, false, resp);
	return 0;
}

/* The context "id" of req into *out, who's (a context that is not is
 * answered as one that does not exist: the C API's sentence). 0,
 * -ENOENT, or -EINVAL (the request). */
static int
ctx_of_req(struct cp_ctx *cp, struct json_object *req, struct cp_agw_caller *who,
	   struct cp_agw_ctx **out, const char **error)
{
	struct json_object *v;
	uint64_t id;

	if (cp->agw == NULL) {
		*error = "no agw group in turnpike-cp's configuration";
		return -ENOENT;
	}
	if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_int)) {
		*error = "\"id\" (a context id) is required";
		return -EINVAL;
	}
	if (agw_caller_of(cp, req, who, error) < 0)
		return -EINVAL;
	id = (uint64_t)json_object_get_int64(v);
	*out = cp_agw_lookup(cp, who, id);
	if (*out == NULL) {
		*error = cp_api_err(cp, "no context %" PRIu64 " (released already?)", id);
		return -ENOENT;
	}
	return 0;
}

static int
tcp_show(struct cp_ctx *cp, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_agw_caller who;
	struct cp_agw_ctx *c;
	int rc;

	rc = ctx_of_req(cp, req, &who, &c, error);
	if (rc < 0)
		return rc;
	agw_answer(cp, c, 1, false, resp);
	return 0;
}

static int
tcp_release(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_agw_caller who;
	struct cp_agw_ctx *c;
	char err[512];
	int rc;

	rc = ctx_of_req(cp, req, &who, &c, error);
	if (rc < 0)
		return rc;
	rc = cp_agw_release(cp, &who, c->id, err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	json_object_object_add(resp, "id", json_object_new_int64((int64_t)c->id));
	json_object_object_add(resp, "state", json_object_new_string(agw_state_name(c->state)));
	return 0;
}


const struct agw_json_face agw_tcp_face = {
	.create = tcp_create,
	.add = tcp_add_leg,
	.modify = tcp_modify_leg,
	.subtract = tcp_subtract_leg,
	.show = tcp_show,
	.release = tcp_release,
};
