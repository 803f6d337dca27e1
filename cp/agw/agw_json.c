/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's JSON door: the operator API's agw.* commands (turnpikectl agw,
 * a controller on cp.agw_group), as cp/iq is H.248's. Each command reads
 * its JSON into the C API's terms (cp_agw.h: a termination's form only,
 * the rules being the C API's, every door's), calls it, and answers with
 * the context as the operator reads it; agw.list and agw.events read the
 * contexts' table and the event log. Each acts on and shows the caller's
 * contexts only (agw_caller_of()): the operator's, every one; a controller's,
 * the JSON door's of the tenant it names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../cp_tenant.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "certfp.h"
#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"

#define CP_AGW_EVENTS_MAX 5000u    /* events one agw.events answer carries */
#define CP_AGW_LIST_PIECE 256u     /* contexts one list piece carries */

#define FAIL(...) do { *error = cp_api_err(cp, __VA_ARGS__); return -EINVAL; } while (0)

/* "192.0.2.1", "192.0.2.1:5000", "2001:db8::1", "[2001:db8::1]:5000". */
int
agw_parse_addr(const char *s, struct ipc_addr *a)
{
	char host[64];
	const char *port = NULL;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || (size_t)(rb - s - 1) >= sizeof(host) ||
		    (rb[1] != '\0' && rb[1] != ':'))
			return -EINVAL;
		hl = (size_t)(rb - s - 1);
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (rb[1] == ':')
			port = rb + 2;
		a->family = 6;
	} else if (strchr(s, ':') != strrchr(s, ':')) {
		if (strlen(s) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%s", s);      /* bare IPv6 */
		a->family = 6;
	} else {
		const char *c = strchr(s, ':');

		hl = c != NULL ? (size_t)(c - s) : strlen(s);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (c != NULL)
			port = c + 1;
		a->family = 4;
	}
	if (port != NULL) {
		char *end;
		unsigned long p;

		errno = 0;
		p = strtoul(port, &end, 10);
		if (*port == '\0' || *end != '\0' || errno != 0 || p > 65535)
			return -EINVAL;
		a->port = (uint16_t)p;
	}
	return inet_pton(a->family == 4 ? AF_INET : AF_INET6, host, a->ip) == 1 ? 0 : -EINVAL;
}

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

/* An integer member of o in [lo, hi] into *out: 1, 0 absent, -1 not so. */
int
agw_json_uint(struct json_object *o, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	*out = json_object_get_int64(v);
	return errno == 0 && *out >= lo && *out <= hi ? 1 : -1;
}

/* Leg i's "dscp" (0..63, H.248.52 ds/dscp) and "police" ({"rate": bytes a
 * second, "burst": bytes}, H.248.53 tman's sdr and mbs; false or
 * {"rate": 0}: none) of o into q. */
int
agw_parse_qos(struct cp_ctx *cp, struct json_object *o, unsigned int i, struct agw_qos_in *q,
	  const char **error)
{
	struct json_object *p;
	int64_t v;
	int rc;

	memset(q, 0, sizeof(*q));
	rc = agw_json_uint(o, "dscp", 0, IPC_AGW_DSCP_MAX, &v);
	if (rc < 0)
		FAIL("leg %u: \"dscp\" must be a DiffServ code point, 0 to %u (46: EF)", i,
		     IPC_AGW_DSCP_MAX);
	if (rc > 0) {
		q->dscp_set = true;
		q->dscp = (uint8_t)v;
	}
	if (!json_object_object_get_ex(o, "police", &p))
		return 0;
	q->pol_set = true;
	if (json_object_is_type(p, json_type_boolean) && !json_object_get_boolean(p))
		return 0;
	if (!json_object_is_type(p, json_type_object))
		FAIL("leg %u: \"police\" must be {\"rate\": bytes a second, \"burst\": bytes} "
		     "or false", i);
	json_object_object_foreach(p, key, val) {
		(void)val;
		if (strcmp(key, "rate") != 0 && strcmp(key, "burst") != 0)
			FAIL("leg %u: police: unknown member \"%s\" (rate, burst)", i, key);
	}
	rc = agw_json_uint(p, "rate", 0, UINT32_MAX, &v);
	if (rc <= 0)
		FAIL("leg %u: police: \"rate\" must be bytes a second, 0 (none) to %u", i,
		     UINT32_MAX);
	q->pol_rate = (uint32_t)v;
	if (q->pol_rate == 0)
		return 0;
	rc = agw_json_uint(p, "burst", 1, UINT32_MAX, &v);
	if (rc <= 0)
		FAIL("leg %u: police: \"burst\" must be bytes, 1 to %u (what the peer may "
		     "send at once over the rate)", i, UINT32_MAX);
	q->pol_burst = (uint32_t)v;
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

/* "tenant": a configured tenant's name (absent: the default tenant). */
int
agw_parse_tenant(struct cp_ctx *cp, struct json_object *req, int *tenant, const char **error)
{
	struct json_object *v;
	const char *s;

	*tenant = 0;
	if (!json_object_object_get_ex(req, "tenant", &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		FAIL("\"tenant\" must be a tenant's name (a string)");
	s = json_object_get_string(v);
	*tenant = cp_tenant_find(cp->conf, s);
	if (*tenant < 0) {
		char names[512];
		size_t off = (size_t)snprintf(names, sizeof(names), "default");

		for (unsigned int i = 0; i < cp->conf->tenants.n && off < sizeof(names); i++)
			off += (size_t)snprintf(names + off, sizeof(names) - off, ", %s",
						cp->conf->tenants.t[i].name);
		FAIL("no tenant '%.*s' in the configuration (tenants: %s)", 64, s, names);
	}
	return 0;
}

/*
 * Who asks (cp_agw.h, struct cp_agw_caller): the JSON door with the tenant
 * the request names ("tenant", absent: the default), and whether its peer
 * is the operator (root, cp.api_group: every context, whatever its door
 * and tenant) or a controller (cp.agw_group: the JSON door's contexts of
 * that tenant only). A controller is trusted to name its own tenant, as
 * at agw.create: the group is the IMS-ALGs', one account may serve
 * several tenants. Outside the API (no peer) the narrower view.
 */
int
agw_caller_of(struct cp_ctx *cp, struct json_object *req, struct cp_agw_caller *who,
	  const char **error)
{
	int tenant;

	memset(who, 0, sizeof(*who));
	if (agw_parse_tenant(cp, req, &tenant, error) < 0)
		return -EINVAL;
	who->door = CP_AGW_DOOR_API;
	who->tenant = (uint8_t)tenant;
	who->is_operator = (cp_api_role(cp->api) & CP_API_ROLE_OPERATOR) != 0;
	return 0;
}

/* Is req's "id" an RTP context's (agw_rtp_json.c answers)? */
static bool
req_is_rtp(struct json_object *req)
{
	struct json_object *v;

	return json_object_object_get_ex(req, "id", &v) && json_object_is_type(v, json_type_int) &&
	       cp_agw_id_is_rtp((uint64_t)json_object_get_int64(v));
}

/* The context as the create's (or a leg command's) answer. */
static void
answer_ctx(struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg, struct json_object *resp)
{
	struct json_object *v = cp_agw_json(cp, c, alg, false);

	json_object_object_foreach(v, key, val)
		json_object_object_add(resp, key, json_object_get(val));
	json_object_put(v);
}

/* The C API's answer: rc, and its sentence for the API. */
static int
api_rc(struct cp_ctx *cp, int rc, const char *err, const char **error)
{
	if (rc < 0)
		*error = cp_api_err(cp, "%s", err);
	return rc;
}

static int
cmd_create(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw *g = cp->agw;
	struct cp_agw_spec spec[2];
	struct json_object *legs;
	struct cp_agw_ctx *c = NULL;
	uint32_t setup_ms;
	size_t n;
	char err[512];
	int alg, rc, tenant;

	if (g == NULL)
		FAIL("no agw group in turnpike-cp's configuration");
	if (!(ipc_peer_caps(cp->seg.shm, false, cp->now_ms) & IPC_CAP_AGW))
		FAIL("turnpike-dp does not run, or runs without an agw group");
	memset(spec, 0, sizeof(spec));
	spec[0].kind = spec[1].kind = CP_AGW_KIND_TCP;
	if (!json_object_object_get_ex(req, "legs", &legs) ||
	    !json_object_is_type(legs, json_type_array) ||
	    (n = json_object_array_length(legs)) > 2)
		FAIL("\"legs\" must be a list of the context's terminations (at most two; null "
		     "for an empty slot)");
	if (agw_rtp_legs(legs))
		return agw_rtp_cmd_create(cp, req, legs, resp, error);
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
		return api_rc(cp, rc, err, error);
	answer_ctx(cp, c, alg, resp);
	return 0;
}

/* "id" and "leg" of a leg command. */
static int
parse_id_leg(struct cp_ctx *cp, struct json_object *req, bool leg_optional, uint64_t *id,
	     unsigned int *leg, const char **error)
{
	struct json_object *v;

	if (cp->agw == NULL)
		FAIL("no agw group in turnpike-cp's configuration");
	if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_int))
		FAIL("\"id\" (a context id) is required");
	*id = (uint64_t)json_object_get_int64(v);
	if (!json_object_object_get_ex(req, "leg", &v)) {
		if (!leg_optional)
			FAIL("\"leg\" (0 or 1) is required");
		*leg = CP_AGW_ANY;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > 1)
		FAIL("\"leg\" must be 0 or 1");
	*leg = (unsigned int)json_object_get_int64(v);
	return 0;
}

/* agw.add_leg {"id", "leg" (optional: the first empty slot), "term": a
 * termination as agw.create's, "setup_timeout", "fingerprint_alg"}. */
static int
cmd_add_leg(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw_caller who;
	struct cp_agw_spec spec = { .kind = CP_AGW_KIND_TCP };
	struct json_object *o;
	uint64_t id;
	unsigned int leg, got = 0;
	uint32_t setup_ms;
	char err[512];
	int alg, rc;

	if (req_is_rtp(req))
		return agw_rtp_cmd_add(cp, req, resp, error);
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
		return api_rc(cp, rc, err, error);
	answer_ctx(cp, cp_agw_lookup(cp, &who, id), alg, resp);
	json_object_object_add(resp, "leg", json_object_new_int((int)got));
	return 0;
}

/* agw.modify_leg {"id", "leg", "remote", "fingerprints", "dscp", "police"}: any of
 * them. */
static int
cmd_modify_leg(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
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

	if (req_is_rtp(req))
		return agw_rtp_cmd_modify(cp, req, resp, error);
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
		return api_rc(cp, rc, err, error);
	answer_ctx(cp, cp_agw_lookup(cp, &who, id), 1, resp);
	return 0;
}

/* agw.subtract_leg {"id", "leg"}. */
static int
cmd_subtract_leg(void *ctx, struct json_object *req, struct json_object *resp,
		 const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw_caller who;
	unsigned int leg;
	uint64_t id;
	char err[512];
	int rc;

	if (req_is_rtp(req))
		return agw_rtp_cmd_subtract(cp, req, resp, error);
	if (parse_id_leg(cp, req, false, &id, &leg, error) < 0 ||
	    agw_caller_of(cp, req, &who, error) < 0)
		return -EINVAL;
	rc = cp_agw_subtract(cp, &who, id, leg, err, sizeof(err));
	if (rc < 0)
		return api_rc(cp, rc, err, error);
	answer_ctx(cp, cp_agw_lookup(cp, &who, id), 1, resp);
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
cmd_show(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw_caller who;
	struct cp_agw_ctx *c;
	int rc;

	if (req_is_rtp(req))
		return agw_rtp_cmd_show(cp, req, resp, error);
	rc = ctx_of_req(cp, req, &who, &c, error);
	if (rc < 0)
		return rc;
	answer_ctx(cp, c, 1, resp);
	return 0;
}

static int
cmd_release(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw_caller who;
	struct cp_agw_ctx *c;
	char err[512];
	int rc;

	if (req_is_rtp(req))
		return agw_rtp_cmd_release(cp, req, resp, error);
	rc = ctx_of_req(cp, req, &who, &c, error);
	if (rc < 0)
		return rc;
	rc = cp_agw_release(cp, &who, c->id, err, sizeof(err));
	if (rc < 0)
		return api_rc(cp, rc, err, error);
	json_object_object_add(resp, "id", json_object_new_int64((int64_t)c->id));
	json_object_object_add(resp, "state", json_object_new_string(agw_state_name(c->state)));
	return 0;
}

/* agw.list: the caller's contexts (the operator's: every one), a piece at
 * a time (cursor: the table index). */
static int
list_contexts(void *ctx, struct json_object *req, uint64_t *cursor, struct json_object *items)
{
	struct cp_ctx *cp = ctx;
	struct cp_agw *g = cp->agw;
	struct cp_agw_caller who;
	const char *error = NULL;
	size_t n, nr;
	unsigned int put = 0;

	/* (the head read the request already: a tenant gone by a reload
	 * since ends the list) */
	if (g == NULL || agw_caller_of(cp, req, &who, &error) < 0)
		return 0;
	n = (size_t)g->nworkers * g->tab[CP_AGW_KIND_TCP].per_worker;
	nr = (size_t)g->nworkers * g->tab[CP_AGW_KIND_RTP].per_worker;
	while (*cursor < n && put < CP_AGW_LIST_PIECE) {
		const struct cp_agw_ctx *c = &g->tab[CP_AGW_KIND_TCP].ctx[*cursor];

		(*cursor)++;
		if (c->id == 0 || !cp_agw_caller_sees(&who, c))
			continue;
		json_object_array_add(items, cp_agw_json(cp, c, 1, false));
		put++;
	}
	/* then the RTP contexts (cursor past the TCP table) */
	while (*cursor >= n && *cursor < n + nr && put < CP_AGW_LIST_PIECE) {
		const struct cp_agw_ctx *c = &g->tab[CP_AGW_KIND_RTP].ctx[*cursor - n];

		(*cursor)++;
		if (c->id == 0 || !cp_agw_caller_sees(&who, c))
			continue;
		json_object_array_add(items, cp_agw_json(cp, c, 1, false));
		put++;
	}
	return *cursor < n + nr ? 1 : 0;
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
		who.is_operator ? cp->agw->tab[CP_AGW_KIND_TCP].total + cp_agw_rtp_live(cp, CP_AGW_DOORS,
								   TP_CONF_MAX_TENANTS + 1) :
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
