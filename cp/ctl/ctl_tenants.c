/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl tenants: the tenants of the running configuration (cp's
 * "tenants" command), the default first, one row each: its realm, TURN
 * addresses, relayed addresses, quotas and live allocations (and AGW
 * contexts on a box with an agw group).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

enum {
	TEN_NAME, TEN_REALM, TEN_ADDRS, TEN_RELAYED, TEN_QTOTAL, TEN_QUSER, TEN_ALLOCS,
	TEN_AGW, TEN_NCOLS,
};

#define TEN_RIGHT ((1u << TEN_QTOTAL) | (1u << TEN_QUSER) | (1u << TEN_ALLOCS) | \
		   (1u << TEN_AGW))

/* The strings of array key of o, joined by commas into b ("-": none). */
static int
join(struct json_object *o, const char *key, const char *where, struct ctl_str *b)
{
	struct json_object *list;
	size_t n;
	int rc = ctl_member(o, key, json_type_array, where, &list);

	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(list, i);

		if (!json_object_is_type(e, json_type_string))
			return ctl_malformed("%s \"%s\"[%zu] is not a string", where, key, i);
		ctl_str_add(b, "%s%s", i ? "," : "", json_object_get_string(e));
	}
	if (n == 0)
		ctl_str_add(b, "-");
	return b->failed ? -ENOMEM : 0;
}

static int
tenant_row(struct json_object *o, size_t idx, bool agw, struct ctl_table *t)
{
	struct ctl_str addrs = { 0 }, rel = { 0 };
	char where[64], qt[24], qu[24], na[24], nc[24];
	const char *row[TEN_NCOLS], *name, *realm;
	int64_t vqt = 0, vqu = 0, vna = 0, vnc = 0;
	int rc;

	snprintf(where, sizeof(where), "\"tenants\"[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return ctl_malformed("%s is not an object", where);
	rc = ctl_text(o, "name", where, &name);
	if (rc == 0)
		rc = ctl_text(o, "realm", where, &realm);
	if (rc == 0)
		rc = ctl_int(o, "quota_total", where, &vqt);
	if (rc == 0)
		rc = ctl_int(o, "quota_user", where, &vqu);
	if (rc == 0)
		rc = ctl_int(o, "allocations", where, &vna);
	if (rc == 0 && agw)
		rc = ctl_int(o, "agw_contexts", where, &vnc);
	if (rc == 0)
		rc = join(o, "addresses", where, &addrs);
	if (rc == 0)
		rc = join(o, "relayed", where, &rel);
	if (rc == 0) {
		snprintf(qt, sizeof(qt), "%" PRId64, vqt);
		if (vqu == 0)
			snprintf(qu, sizeof(qu), "none");
		else
			snprintf(qu, sizeof(qu), "%" PRId64, vqu);
		snprintf(na, sizeof(na), "%" PRId64, vna);
		snprintf(nc, sizeof(nc), "%" PRId64, vnc);
		row[TEN_NAME] = name;
		row[TEN_REALM] = realm;
		row[TEN_ADDRS] = addrs.s;
		row[TEN_RELAYED] = rel.s;
		row[TEN_QTOTAL] = qt;
		row[TEN_QUSER] = qu;
		row[TEN_ALLOCS] = na;
		row[TEN_AGW] = nc;
		rc = ctl_table_row(t, row);
	}
	free(addrs.s);
	free(rel.s);
	return rc;
}

static int
tenants_show(struct json_object *a)
{
	static const char *const head[TEN_NCOLS] = {
		"TENANT", "REALM", "ADDRESSES", "RELAYED", "QUOTA", "PER-USER", "ALLOCATIONS",
		"AGW",
	};
	struct json_object *list, *first, *v;
	struct ctl_table t;
	size_t n;
	bool agw;
	int rc;

	rc = ctl_member(a, "tenants", json_type_array, "the answer", &list);
	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	/* (the AGW column on a box with an agw group: cp says its contexts) */
	first = n > 0 ? json_object_array_get_idx(list, 0) : NULL;
	agw = first != NULL && json_object_is_type(first, json_type_object) &&
	      json_object_object_get_ex(first, "agw_contexts", &v);
	ctl_table_init(&t, agw ? TEN_NCOLS : TEN_NCOLS - 1, TEN_RIGHT);
	rc = ctl_table_row(&t, head);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = tenant_row(json_object_array_get_idx(list, i), i, agw, &t);
	if (rc == 0)
		ctl_table_print(&t, stdout);
	ctl_table_free(&t);
	return rc;
}

static const struct ctl_help tenants_usage = {
	"",
	"List the tenants of the running configuration, the default first (the\n"
	"box's own: the access ports' addresses, turn.realm, cp's users and\n"
	"quotas), one row each:\n"
	"  TENANT       its name (a client's tenant is the one whose TURN\n"
	"               address it reached)\n"
	"  REALM        the realm of its 401s and its credentials\n"
	"  ADDRESSES    its TURN addresses on the access ports\n"
	"  RELAYED      the relayed addresses its allocations get\n"
	"  QUOTA        its allocations in all (quota_total)\n"
	"  PER-USER     per username (quota_user; none: no limit)\n"
	"  ALLOCATIONS  its live allocations\n"
	"  AGW          its access-gateway contexts (with an agw group)\n"
	"\n"
	"With the global --json: the answer object, one line:\n"
	"  {\"tenants\": [{\"name\", \"realm\", \"addresses\", \"relayed\",\n"
	"   \"quota_total\", \"quota_user\", \"allocations\", \"agw_contexts\"}],\n"
	"   \"ok\"}\n",
};

int
ctl_tenants_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	int status = ctl_args(path, argc, argv, &tenants_usage, NULL, 0);

	if (status >= 0)
		return status;
	return ctl_query(opts, ctl_request("tenants"), tenants_show);
}
