/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the JSON door's commands read and answer alike, whatever the kind
 * of the context (agw_tcp_json.c, agw_rtp_json.c): an address, an
 * integer in a range, a leg's DSCP and policing, a leg command's context
 * and leg, the tenant a request names, who asks (the JSON door, that tenant, the operator or not); the
 * context as a command's answer, the C API's sentence as its error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../cp_tenant.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "ipc.h"

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

int
agw_parse_id_leg(struct cp_ctx *cp, struct json_object *req, unsigned int dflt, uint64_t *id,
		 unsigned int *leg, const char **error)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, "id", &v) || !json_object_is_type(v, json_type_int))
		FAIL("\"id\" (a context id) is required");
	*id = (uint64_t)json_object_get_int64(v);
	*leg = dflt;
	if (!json_object_object_get_ex(req, "leg", &v)) {
		if (dflt == AGW_LEG_REQUIRED)
			FAIL("\"leg\" (0 or 1) is required");
		return 0;
	}
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > 1)
		FAIL("\"leg\" must be 0 or 1");
	*leg = (unsigned int)json_object_get_int64(v);
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

void
agw_answer(struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg, bool keys,
	   struct json_object *resp)
{
	struct json_object *v = cp_agw_json(cp, c, alg, keys);

	json_object_object_foreach(v, key, val)
		json_object_object_add(resp, key, json_object_get(val));
	json_object_put(v);
}

int
agw_api_rc(struct cp_ctx *cp, int rc, const char *err, const char **error)
{
	if (rc < 0)
		*error = cp_api_err(cp, "%s", err);
	return rc;
}

